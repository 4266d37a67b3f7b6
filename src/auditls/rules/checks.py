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

Checks match callees by the qualified names the semantic model resolved (``CallFact.callee``),
never by the text as written, so ``import subprocess as sp; sp.run`` is ``subprocess.run`` and a
local ``def eval`` is not the builtin. The sensitive callees are tables in ``catalogue``.

Confidence follows the dangerous argument (see ``_rate``): a parameter or a formatted string is
high, another name or expression medium, a variable assigned only literals in its scope low; a
literal is not reported at all.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping

from auditls.facts import (
    AssignmentFact,
    CallArgFact,
    CallFact,
    ClassFact,
    FileFacts,
    SuppressionFact,
)
from auditls.rules.catalogue import (
    DYNAMIC_CODE,
    DYNAMIC_CODE_CALLS,
    MALFORMED_SUPPRESSION,
    RULES,
    SEVERITIES,
    SHELL_CALLS,
    SHELL_INJECTION,
    SYNTAX_ERROR,
    UNSAFE_YAML,
    YAML_LOAD_CALLS,
    YAML_SAFE_LOADERS,
    YAML_UNSAFE_LOADERS,
    Arg,
)
from auditls.rules.findings import Finding
from auditls.rules.suppress import FILE_STYLE

#: Argument kinds that build a string from parts at run time.
_FORMATTED_KINDS = frozenset({"fstring", "percent_format", "format_call", "concat"})


class FactIndex:
    """One file's facts, indexed for the checks. Built in one pass over ``ff.facts``."""

    def __init__(self, ff: FileFacts) -> None:
        self.ff = ff
        self.calls_by_callee: dict[str, list[CallFact]] = defaultdict(list)
        self.args_by_call: dict[int, list[CallArgFact]] = defaultdict(list)
        self.assignments: dict[tuple[str, str], list[AssignmentFact]] = defaultdict(list)
        self.classes: dict[str, ClassFact] = {}
        self.suppressions: list[SuppressionFact] = []
        for fact in ff.facts:
            if isinstance(fact, CallFact):
                if fact.callee is not None:
                    self.calls_by_callee[fact.callee].append(fact)
            elif isinstance(fact, CallArgFact):
                self.args_by_call[fact.call_id].append(fact)
            elif isinstance(fact, AssignmentFact):
                if fact.target_name is not None:
                    self.assignments[(fact.function, fact.target_name)].append(fact)
            elif isinstance(fact, ClassFact):
                self.classes[fact.qualname] = fact
            elif isinstance(fact, SuppressionFact):
                self.suppressions.append(fact)

    def calls(self, callee: str) -> list[CallFact]:
        return self.calls_by_callee.get(callee, [])

    def args(self, call: CallFact) -> list[CallArgFact]:
        return self.args_by_call.get(call.call_id, [])

    def only_literals(self, scope: str, name: str) -> bool:
        """Whether ``name`` is assigned in ``scope``, and only ever to literals there."""
        assigned = self.assignments.get((scope, name), [])
        return bool(assigned) and all(_is_literal(a.kind, a.value) for a in assigned)

    def derives_from(self, qualname: str, bases: frozenset[str]) -> bool:
        """Whether a class defined in this file derives (transitively, in this file) from one
        of ``bases``."""
        seen: set[str] = set()
        todo = [qualname]
        while todo:
            name = todo.pop()
            cls = self.classes.get(name)
            if cls is None or name in seen:
                continue
            seen.add(name)
            if any(base in bases for base in cls.bases):
                return True
            todo.extend(cls.bases)
        return False


# -- helpers -----------------------------------------------------------------------------------


def _is_literal(kind: str, value: str | None) -> bool:
    return kind == "constant" or (kind == "container" and value is not None)


def _locate(args: list[CallArgFact], spec: Arg) -> tuple[CallArgFact, bool] | None:
    """The argument ``spec`` describes, and whether it is hidden in ``*args`` / ``**kwargs``
    (then the fact is the starred argument); None when the call does not pass it."""
    for arg in args:
        if arg.keyword is None and arg.position == spec.position:
            return arg, False
        if arg.keyword is not None and arg.keyword in spec.keywords:
            return arg, False
    for arg in args:
        if arg.keyword == "*" and spec.position is not None and arg.position <= spec.position:
            return arg, True
        if arg.keyword == "**" and spec.keywords:
            return arg, True
    return None


def _rate(index: FactIndex, call: CallFact, arg: CallArgFact, hidden: bool) -> str | None:
    """Confidence of a finding about a dangerous argument; None when it is a literal."""
    if _is_literal(arg.kind, arg.value):
        return None  # also a literal unpacked: run(*["ls", "-l"], shell=True)
    if hidden:
        return "medium"
    if arg.kind in _FORMATTED_KINDS:
        return "high"
    if arg.kind == "name":
        if arg.origin == "param":
            return "high"
        scope = {"local": call.function, "global": index.ff.module}.get(arg.origin or "")
        if scope is not None and index.only_literals(scope, arg.text):
            return "low"
    return "medium"


def _truthy_literal(arg: CallArgFact) -> bool:
    if arg.kind != "constant" or arg.value is None:
        return False
    try:
        return bool(json.loads(arg.value))
    except ValueError:
        return False


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _callee(call: CallFact) -> str:
    """The callee as written, with what it resolved to when an alias hides it."""
    text = f"`{_short(call.callee_text)}()`"
    if call.callee and call.callee != call.callee_text and not call.callee.startswith("builtins."):
        text += f" ({call.callee})"
    return text


def _at_call(
    index: FactIndex, code: str, call: CallFact, confidence: str, **fields: str
) -> Finding:
    rule = RULES[code]
    return Finding(
        rule=code,
        path=index.ff.path,
        line=call.line,
        column=call.col,
        end_line=call.end_line,
        end_column=call.end_col,
        severity=rule.severity,
        confidence=confidence,
        cwe=rule.cwe,
        message=rule.message.format(callee=_callee(call), **fields),
        stmt_line=call.stmt_line,
    )


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
        yield Finding(
            rule=MALFORMED_SUPPRESSION,
            path=index.ff.path,
            line=sup.line,
            column=sup.col,
            end_line=sup.end_line,
            end_column=sup.end_col,
            severity=rule.severity,
            confidence=rule.confidence,
            cwe=rule.cwe,
            message=rule.message.format(reason=reason),
            stmt_line=sup.line,
        )


def check_dynamic_code(index: FactIndex) -> Iterator[Finding]:
    """AUD101, message fields: callee, arg."""
    for callee, spec in DYNAMIC_CODE_CALLS.items():
        for call in index.calls(callee):
            located = _locate(index.args(call), spec)
            if located is None:
                continue
            arg, hidden = located
            if arg.kind == "call" and arg.qualname == "builtins.compile" and not hidden:
                continue  # exec(compile(src, ...)): the compile call carries the finding
            confidence = _rate(index, call, arg, hidden)
            if confidence is not None:
                yield _at_call(index, DYNAMIC_CODE, call, confidence, arg=_short(arg.text))


def check_shell_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD102, message fields: callee, arg, how."""
    for callee, spec in SHELL_CALLS.items():
        for call in index.calls(callee):
            args = index.args(call)
            how = ""
            if spec.shell is not None:
                shell = _locate(args, spec.shell)
                if shell is None or shell[1] or not _truthy_literal(shell[0]):
                    continue
                how = f" (shell={_short(shell[0].text, 10)})"
            located = _locate(args, spec.command)
            if located is None:
                continue
            arg, hidden = located
            confidence = _rate(index, call, arg, hidden)
            if confidence is not None:
                yield _at_call(
                    index, SHELL_INJECTION, call, confidence, arg=_short(arg.text), how=how
                )


def check_unsafe_yaml(index: FactIndex) -> Iterator[Finding]:
    """AUD103, message fields: callee, reason."""
    for callee, spec in YAML_LOAD_CALLS.items():
        for call in index.calls(callee):
            confidence = "high"
            if spec.loader is None:
                reason = "always uses an unsafe loader"
            else:
                located = _locate(index.args(call), spec.loader)
                if located is None or (located[0].kind == "constant" and not located[1]):
                    reason = "is called without a safe Loader"
                else:
                    loader, hidden = located
                    name = loader.qualname
                    if hidden:
                        reason, confidence = "gets its Loader from unpacked arguments", "medium"
                    elif name is not None and (
                        name in YAML_SAFE_LOADERS or index.derives_from(name, YAML_SAFE_LOADERS)
                    ):
                        continue
                    elif name in YAML_UNSAFE_LOADERS:
                        reason = f"uses the unsafe loader `{_short(loader.text)}`"
                    else:
                        reason = f"uses the loader `{_short(loader.text)}`, not known to be safe"
                        confidence = "medium"
            yield _at_call(index, UNSAFE_YAML, call, confidence, reason=reason)


Check = Callable[[FactIndex], Iterable[Finding]]

#: The check of each rule, by code. Every rule of the catalogue has exactly one.
CHECKS: Mapping[str, Check] = {
    SYNTAX_ERROR: check_syntax_error,
    MALFORMED_SUPPRESSION: check_malformed_suppressions,
    DYNAMIC_CODE: check_dynamic_code,
    SHELL_INJECTION: check_shell_injection,
    UNSAFE_YAML: check_unsafe_yaml,
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
