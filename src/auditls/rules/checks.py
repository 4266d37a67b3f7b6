"""The checks: functions from one file's facts to findings.

``check_facts`` is the entry point. It

1. indexes the file's facts once (calls by resolved callee, arguments by call, ...), so a check
   costs a dict lookup in a file that never calls what it looks for;
2. runs the check of every selected rule (``select`` / ``ignore`` take codes or prefixes; the
   longest matching entry wins, ``ignore`` on a tie; AUD001 is reported unless ignored, so a file
   that does not parse never looks clean);
3. drops findings suppressed by a comment on their line or on the first line of their statement,
   or by a file-level ``# auditls: ignore-file[...]`` comment naming their rule;
4. applies severity overrides and sorts by (line, column, rule).

The checks of each family live in their own module (``checks_calls``: 1xx, ``checks_crypto``:
2xx, ``checks_auth``: 3xx) and share ``index`` (``FactIndex`` and the helpers). They match
callees by the qualified names the semantic model resolved (``CallFact.callee``), never by the
text as written, so ``import subprocess as sp; sp.run`` is ``subprocess.run`` and a local
``def eval`` is not the builtin. The sensitive callees are tables in
``auditls.knowledge.security``.

Confidence follows the dangerous argument (see ``index.rate``): a parameter, request data or a
formatted string is high, another name or expression medium, a variable assigned only literals in
its scope low; a literal is not reported at all.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from auditls.extractors.suppress import FILE_STYLE
from auditls.facts import FileFacts
from auditls.rules.catalogue import MALFORMED_SUPPRESSION, RULES, SEVERITIES, SYNTAX_ERROR
from auditls.rules.checks_auth import AUTH_CHECKS
from auditls.rules.checks_calls import CALL_CHECKS
from auditls.rules.checks_crypto import CRYPTO_CHECKS
from auditls.rules.findings import Finding
from auditls.rules.index import Check, FactIndex, finding_at

# -- the checks --------------------------------------------------------------------------------


def check_syntax_error(index: FactIndex) -> Iterator[Finding]:
    """AUD001, message fields: error."""
    ff = index.ff
    if ff.status == "ok":
        return
    rule = RULES[SYNTAX_ERROR]
    line = ff.error_line or 1
    col = ff.error_col or 1
    yield Finding(
        rule=SYNTAX_ERROR,
        path=ff.path,
        line=line,
        column=col,
        end_line=line,
        end_column=col + 1,
        severity=rule.severity,
        confidence=rule.confidence,
        cwe=rule.cwe,
        message=rule.message.format(error=(ff.error or "the file could not be parsed").rstrip(".")),
        stmt_line=line,
    )


def check_malformed_suppressions(index: FactIndex) -> Iterator[Finding]:
    """AUD002, message fields: reason."""
    rule = RULES[MALFORMED_SUPPRESSION]
    for sup in index.suppressions:
        reason = sup.malformed
        if reason is None and sup.style in ("auditls", FILE_STYLE):
            unknown = [code for code in sup.codes if code not in RULES]
            if unknown:
                plural = "s" if len(unknown) > 1 else ""
                reason = f"unknown rule code{plural} {', '.join(unknown)}"
        if reason is None:
            continue
        message = rule.message.format(reason=reason)
        yield finding_at(
            MALFORMED_SUPPRESSION, index.ff.path, sup, rule.confidence, message, sup.line
        )


#: The check of each rule, by code. Every rule of the catalogue has exactly one.
CHECKS: Mapping[str, Check] = {
    SYNTAX_ERROR: check_syntax_error,
    MALFORMED_SUPPRESSION: check_malformed_suppressions,
    **CALL_CHECKS,
    **CRYPTO_CHECKS,
    **AUTH_CHECKS,
}


# -- selection, suppression, overrides ---------------------------------------------------------


def _longest_match(code: str, entries: Iterable[str]) -> int:
    """Length of the longest entry that is a prefix of ``code`` ("ALL" matches with 0); -1 if
    none matches."""
    best = -1
    for entry in entries:
        if entry == "ALL":
            best = max(best, 0)
        elif code.startswith(entry):
            best = max(best, len(entry))
    return best


def is_selected(code: str, select: Iterable[str] | None, ignore: Iterable[str]) -> bool:
    """Whether ``code`` passes ``select`` (None: every rule) and ``ignore``: the longest
    matching entry decides, ``ignore`` winning a tie. AUD001 passes unless ignored."""
    ignored = _longest_match(code, ignore)
    if select is None or code == SYNTAX_ERROR:
        return ignored < 0
    selected = _longest_match(code, select)
    return selected >= 0 and selected > ignored


def unknown_selectors(entries: Iterable[str]) -> list[str]:
    """The entries of a select/ignore list that match no rule code (for a usage error)."""
    return [e for e in entries if e != "ALL" and not any(c.startswith(e) for c in RULES)]


def severity_override(code: str, overrides: Mapping[str, str]) -> str | None:
    """The severity ``overrides`` give ``code`` (the longest matching code prefix wins), or
    None when no key matches."""
    best, severity = -1, None
    for key, value in overrides.items():
        if code.startswith(key) and len(key) > best:
            best, severity = len(key), value
    return severity


def _is_suppressed(
    finding: Finding, by_line: Mapping[int, list[tuple[str, ...]]], by_file: set[str]
) -> bool:
    if finding.rule in by_file:
        return True
    for line in {finding.line, finding.stmt_line}:
        for codes in by_line.get(line, ()):
            if not codes or finding.rule in codes:
                return True
    return False


def check_facts(
    ff: FileFacts,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
    severity_overrides: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding of every selected rule in one file, unsuppressed, sorted by position.

    ``select`` / ``ignore`` / the keys of ``severity_overrides`` are codes or code prefixes
    ("AUD1"); an override to something other than error, warning or info is a ValueError.
    """
    overrides = dict(severity_overrides or {})
    for key, value in overrides.items():
        if value not in SEVERITIES:
            raise ValueError(
                f"severity override {key}={value!r}: expected one of {', '.join(SEVERITIES)}"
            )
    select_list = None if select is None else list(select)
    ignore_list = list(ignore)
    index = FactIndex(ff)
    by_line: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    by_file: set[str] = set()
    for sup in index.suppressions:
        # A malformed comment, or one naming an unknown code, suppresses nothing (AUD002).
        if sup.malformed is None and all(code in RULES for code in sup.codes):
            if sup.style == FILE_STYLE:
                by_file.update(sup.codes)
            else:
                by_line[sup.line].append(sup.codes)
    findings: list[Finding] = []
    for code, check in CHECKS.items():
        if not is_selected(code, select_list, ignore_list):
            continue
        for finding in check(index):
            if _is_suppressed(finding, by_line, by_file):
                continue
            severity = severity_override(finding.rule, overrides)
            if severity is not None and severity != finding.severity:
                finding = dataclasses.replace(finding, severity=severity)
            findings.append(finding)
    findings.sort(key=lambda f: f.sort_key)
    return findings
