"""The suppression edits a diagnostic carries in its ``data`` (as ruff's server does), so that a
code action applies them without analysing the file again.

Two edits per finding:

1. **This line.** A suppression is honoured on the finding's line or on the first line of its
   statement. If either already holds a well-formed ``# auditls: ignore[...]``, its code list is
   extended (``ignore[AUD102]`` becomes ``ignore[AUD102, AUD101]``), keeping the reason that
   follows. Otherwise ``  # auditls: ignore[AUD101]`` is appended to the finding's line (or, if
   that line cannot end in a comment, the statement's first line), after any comment already
   there (``# noqa: S307`` is kept). A line can end in a comment when the tokenizer ends it with
   a NEWLINE or NL token (or a comment): not a line continued by a backslash, not a line inside
   a string. Only the statement's own lines are tokenized, from its first line to the end of
   the finding's line: a statement never starts inside a string.
2. **This file.** An own-line ``# auditls: ignore-file[...]`` is extended the same way, or a new
   one is inserted at the top of the file, after a shebang and an encoding declaration.

The existing directives come from the file's ``SuppressionFact`` rows (extraction tokenized the
whole file once already), so a ``#`` inside a string is never taken for one.

Edits are LSP ``TextEdit`` objects in JSON form with positions in client units, plus ``expect``:
the text of the line as it was, so that a code action on a buffer that changed since does not
apply an edit to the wrong place.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterable, Iterator
from typing import Any

from lsprotocol import types

from auditls.extractors.suppress import FILE_STYLE
from auditls.facts.core import SuppressionFact
from auditls.rules import RULES, Finding
from auditls.server.convert import Lines, range_json, to_client

_SPECIAL_TOP_RE = re.compile(r"^(#!|#.*coding[:=])")
_TOKENIZE_ERRORS = (tokenize.TokenError, SyntaxError, ValueError)
#: A statement longer than this many lines is not tokenized for a line edit.
_MAX_STATEMENT_LINES = 400


class Directives:
    """A file's well-formed ``auditls`` directives, by line, from its suppression facts."""

    def __init__(self, facts: Iterable[SuppressionFact]) -> None:
        self.by_line: dict[int, list[SuppressionFact]] = {}
        self.file_level: list[SuppressionFact] = []
        for fact in facts:
            if fact.malformed is not None or not fact.codes:
                continue
            if not all(code in RULES for code in fact.codes):
                continue
            if fact.style == FILE_STYLE:
                self.file_level.append(fact)
            elif fact.style == "auditls":
                self.by_line.setdefault(fact.line, []).append(fact)


def _edit(
    lines: Lines, line: int, start: int, end: int, new_text: str, encoding: str
) -> dict[str, Any]:
    """A TextEdit (JSON) replacing code points [start, end) of ``line`` (1-based)."""
    text = lines.get(line) or ""
    rng = types.Range(
        start=types.Position(line=line - 1, character=to_client(text, start, encoding)),
        end=types.Position(line=line - 1, character=to_client(text, end, encoding)),
    )
    return {"range": range_json(rng), "newText": new_text, "expect": text}


def _closing_bracket(lines: Lines, fact: SuppressionFact) -> int | None:
    text = lines.get(fact.line) or ""
    close = text.find("]", fact.col - 1, fact.end_col - 1)
    return close if close >= 0 else None


def _open_ends(lines: Lines, first: int, last: int) -> set[int]:
    """The lines in [first, last] that may end in a comment, tokenizing from ``first`` (where a
    statement starts) until past ``last``."""
    if last - first > _MAX_STATEMENT_LINES:
        return set()

    def readline() -> Iterator[str]:
        line = first
        while (text := lines.get(line)) is not None:
            yield text + "\n"
            line += 1

    ends: set[int] = set()
    feed = readline()
    try:
        for tok in tokenize.generate_tokens(lambda: next(feed, "")):
            row = tok.start[0] + first - 1
            if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                ends.add(row)
            if row > last:
                break
    except _TOKENIZE_ERRORS:
        pass
    return ends


def line_edit(
    lines: Lines, directives: Directives, finding: Finding, encoding: str
) -> dict[str, Any] | None:
    """The edit that silences ``finding`` on its line, or None where no comment can go."""
    candidates = list(dict.fromkeys((finding.line, finding.stmt_line)))
    for line in candidates:
        for fact in directives.by_line.get(line, ()):
            close = _closing_bracket(lines, fact)
            if close is not None and finding.rule not in fact.codes:
                return _edit(lines, line, close, close, f", {finding.rule}", encoding)
    first, last = min(candidates), max(candidates)
    ends = _open_ends(lines, first, last)
    for line in candidates:
        text = lines.get(line)
        if line not in ends or text is None:
            continue
        end = len(text.rstrip())
        return _edit(lines, line, end, len(text), f"  # auditls: ignore[{finding.rule}]", encoding)
    return None


def file_edit(lines: Lines, directives: Directives, rule: str, encoding: str) -> dict[str, Any]:
    """The edit that silences ``rule`` in the whole file."""
    for fact in directives.file_level:
        close = _closing_bracket(lines, fact)
        if close is not None and rule not in fact.codes:
            return _edit(lines, fact.line, close, close, f", {rule}", encoding)
    top = 1
    while top <= 2 and _SPECIAL_TOP_RE.match(lines.get(top) or ""):
        top += 1
    return _edit(lines, top, 0, 0, f"# auditls: ignore-file[{rule}]\n", encoding)


def suppression_data(
    lines: Lines, directives: Directives, finding: Finding, encoding: str
) -> dict[str, Any]:
    """The ``data`` of a finding's diagnostic: its edits (none for a syntax error, which no
    comment can silence)."""
    if finding.rule not in RULES or finding.rule == "AUD001":
        return {}
    return {
        "lineEdit": line_edit(lines, directives, finding, encoding),
        "fileEdit": file_edit(lines, directives, finding.rule, encoding),
    }


def tokenized_directives(text: str) -> Directives:
    """The directives of a text, for callers without facts (tests)."""
    from auditls.extractors.suppress import parse_suppressions

    return Directives(parse_suppressions(text.encode("utf-8", "surrogatepass")))


__all__ = [
    "Directives",
    "file_edit",
    "line_edit",
    "suppression_data",
    "tokenized_directives",
]
