"""The core rules (0xx): a file that does not parse (AUD001), a suppression comment that
suppresses nothing (AUD002), a file that was not analysed at all (AUD003)."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.facts.core import FILE_STYLE
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, finding_at
from auditls.rules.model import Rule
from auditls.rules.registry import RULES as REGISTERED
from auditls.rules.registry import register

SYNTAX_ERROR = "AUD001"
MALFORMED_SUPPRESSION = "AUD002"
NOT_ANALYSED = "AUD003"
#: ``FileFacts.status`` of a file the indexer recorded without reading or extracting it.
NOT_ANALYSED_STATUSES = ("skipped", "error")


def check_syntax_error(index: FactIndex) -> Iterator[Finding]:
    """AUD001, message fields: error."""
    ff = index.ff
    if ff.status != "syntax_error":
        return
    rule = REGISTERED[SYNTAX_ERROR]
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


def check_not_analysed(index: FactIndex) -> Iterator[Finding]:
    """AUD003, message fields: reason."""
    ff = index.ff
    if ff.status not in NOT_ANALYSED_STATUSES:
        return
    rule = REGISTERED[NOT_ANALYSED]
    reason = (ff.error or "it could not be read").rstrip(".")
    yield Finding(
        rule=NOT_ANALYSED,
        path=ff.path,
        line=1,
        column=1,
        end_line=1,
        end_column=2,
        severity=rule.severity,
        confidence=rule.confidence,
        cwe=rule.cwe,
        message=rule.message.format(reason=reason),
        stmt_line=1,
    )


def check_malformed_suppressions(index: FactIndex) -> Iterator[Finding]:
    """AUD002, message fields: reason."""
    rule = REGISTERED[MALFORMED_SUPPRESSION]
    for sup in index.suppressions:
        reason = sup.malformed
        if reason is None and sup.style in ("auditls", FILE_STYLE):
            unknown = [code for code in sup.codes if code not in REGISTERED]
            if unknown:
                plural = "s" if len(unknown) > 1 else ""
                reason = f"unknown rule code{plural} {', '.join(unknown)}"
        if reason is None:
            continue
        message = rule.message.format(reason=reason)
        yield finding_at(
            MALFORMED_SUPPRESSION, index.ff.path, sup, rule.confidence, message, sup.line
        )


_SUPPRESS_HINT = "write `# auditls: ignore[AUD101]` (codes in brackets) or `# auditls: ignore`"

RULES: tuple[Rule, ...] = (
    Rule(
        code=SYNTAX_ERROR,
        name="syntax-error",
        severity="info",
        confidence="high",
        cwe=None,
        summary="The file does not parse, so no other rule could look at it.",
        details=(
            "Reported once per file, at the position of the parse error. It is reported even "
            "when `select` does not name it (a file nobody could analyse must not look clean); "
            "`ignore` can turn it off. In the editor, the last good findings of the buffer stay "
            "visible until it parses again."
        ),
        message="Syntax error: {error}. auditls cannot analyse this file until it parses.",
        fix="Fix the syntax error; the other rules run again as soon as the file parses.",
        bad="def handler(request:\n    return request\n",
        good="def handler(request):\n    return request\n",
        check=check_syntax_error,
    ),
    Rule(
        code=MALFORMED_SUPPRESSION,
        name="malformed-suppression",
        severity="warning",
        confidence="high",
        cwe=None,
        summary="A suppression comment that auditls does not understand suppresses nothing.",
        details=(
            "A `# auditls:` comment must read `# auditls: ignore` or `# auditls: ignore[CODE, "
            "...]` with codes of the form `AUD` and three digits that name existing rules, or "
            "`# auditls: ignore-file[CODE, ...]` on a line of its own. Anything else (an "
            "unclosed bracket, an empty list, `AUD1`, an unknown code, codes outside brackets, "
            "another word than `ignore` or `ignore-file`, an `ignore-file` without codes or after "
            "code) is reported here and suppresses nothing, so that a typo never hides a finding "
            "silently. Text after the closing "
            "bracket is a free-form reason. `# nosec` comments are accepted as bandit writes "
            "them and are never reported."
        ),
        message="Malformed suppression comment: {reason}. It suppresses nothing; "
        + _SUPPRESS_HINT
        + ".",
        fix="Correct the comment: " + _SUPPRESS_HINT + ", optionally followed by a reason.",
        bad="value = compute(data)  # auditls: ignore[eval]\n",
        good="value = eval(source)  # auditls: ignore[AUD101] -- source is a constant table\n",
        check=check_malformed_suppressions,
    ),
    Rule(
        code=NOT_ANALYSED,
        name="file-not-analysed",
        severity="warning",
        confidence="high",
        cwe=None,
        summary="A Python file was not analysed at all: it is over the size cap, or it could "
        "not be read.",
        details=(
            "Reported at the first line of a file the indexer recorded without looking inside: "
            "one larger than `max-file-size` (`[tool.auditls]`, 1,000,000 bytes by default), or "
            "one it could not read (permissions, not a regular file, an I/O error). Whatever "
            "that file holds is unknown, so a run that skipped it is not a clean run: the "
            "finding makes `auditls check` exit 1. Like AUD001 it is reported even when "
            "`select` does not name it; `ignore` turns it off (a suppression comment cannot: the "
            "file was never read). A file that does not decode is AUD001."
        ),
        message="Not analysed: {reason}. Its findings are unknown.",
        fix="Raise `max-file-size` in `[tool.auditls]`, exclude the file (generated code) with "
        "`exclude`, or make it readable.",
        bad="# (a file of 2,000,000 bytes, over max-file-size)\nDATA = [...]\n",
        good="# (a file under max-file-size)\nDATA = [1, 2, 3]\n",
        check=check_not_analysed,
    ),
)

register(*RULES)
