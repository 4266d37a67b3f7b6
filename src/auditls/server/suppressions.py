"""The suppression edits a diagnostic carries in its ``data`` (as ruff's server does), so that a
code action applies them without analysing the file again.

Two edits per finding:

1. **This line.** A suppression is honoured on the finding's line or on the first line of its
   statement. If either already holds a well-formed ``# auditls: ignore[...]``, its code list is
   extended (``ignore[AUD102]`` becomes ``ignore[AUD102, AUD101]``), keeping the reason that
   follows. Otherwise ``  # auditls: ignore[AUD101]`` is appended to the finding's line (or, if
   that line cannot end in a comment, the statement's first line), after any comment already
   there (``# noqa: S307`` is kept). A line can end in a comment when the tokenizer ends it with
   a NEWLINE or NL token: not a line continued by a backslash, not a line inside a string.
2. **This file.** An own-line ``# auditls: ignore-file[...]`` is extended the same way, or a new
   one is inserted at the top of the file, after a shebang and an encoding declaration.

Edits are LSP ``TextEdit`` objects in JSON form with positions in client units, plus ``expect``:
the text of the line as it was, so that a code action on a buffer that changed since does not
apply an edit to the wrong place.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from auditls.rules import FILE_STYLE, RULES, Finding
from auditls.rules.suppress import parse_comment
from auditls.server.convert import Lines, range_json, to_client

_SPECIAL_TOP_RE = re.compile(r"^(#!|#.*coding[:=])")
_TOKENIZE_ERRORS = (tokenize.TokenError, SyntaxError, ValueError, IndentationError)


@dataclass(slots=True)
class _Comment:
    col: int  # 0-based code-point column of the comment's "#"
    text: str  # the comment token
    own_line: bool  # nothing but whitespace before it


@dataclass(slots=True)
class SourceShape:
    """What the tokenizer says about each line of a text: its comment, whether it may end in
    one."""

    lines: Lines
    comments: dict[int, _Comment] = field(default_factory=dict)  # 1-based line -> comment
    open_ends: set[int] = field(default_factory=set)  # lines whose end may take a comment


def shape_of(text: str) -> SourceShape:
    """Tokenize ``text`` once (an error ends the scan; the lines seen so far still count)."""
    shape = SourceShape(Lines(text))
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                line, col = tok.start
                shape.comments[line] = _Comment(col, tok.string, not tok.line[:col].strip())
                shape.open_ends.add(line)
            elif tok.type in (tokenize.NEWLINE, tokenize.NL):
                shape.open_ends.add(tok.start[0])
    except _TOKENIZE_ERRORS:
        pass
    return shape


def _edit(
    shape: SourceShape, line: int, start: int, end: int, new_text: str, encoding: str
) -> dict[str, Any]:
    """A TextEdit (JSON) replacing code points [start, end) of ``line`` (1-based)."""
    text = shape.lines.get(line) or ""
    rng = types.Range(
        start=types.Position(line=line - 1, character=to_client(text, start, encoding)),
        end=types.Position(line=line - 1, character=to_client(text, end, encoding)),
    )
    return {"range": range_json(rng), "newText": new_text, "expect": text}


def _extendable(shape: SourceShape, line: int, style: str) -> tuple[int, tuple[str, ...]] | None:
    """Where to insert a code into a well-formed directive of ``style`` on ``line``: the
    code-point column of its ``]`` and the codes it names."""
    comment = shape.comments.get(line)
    if comment is None:
        return None
    for fact in parse_comment(comment.text, line, comment.col + 1, own_line=comment.own_line):
        if fact.style != style or fact.malformed is not None or not fact.codes:
            continue
        if not all(code in RULES for code in fact.codes):
            continue
        text = shape.lines.get(line) or ""
        close = text.find("]", fact.col - 1, fact.end_col - 1)
        if close >= 0:
            return close, fact.codes
    return None


def line_edit(shape: SourceShape, finding: Finding, encoding: str) -> dict[str, Any] | None:
    """The edit that silences ``finding`` on its line, or None where no comment can go."""
    candidates = list(dict.fromkeys((finding.line, finding.stmt_line)))
    for line in candidates:
        found = _extendable(shape, line, "auditls")
        if found is not None:
            close, codes = found
            if finding.rule in codes:
                return None  # already there: the finding is not suppressed for another reason
            return _edit(shape, line, close, close, f", {finding.rule}", encoding)
    directive = f"# auditls: ignore[{finding.rule}]"
    for line in candidates:
        if line not in shape.open_ends:
            continue
        text = shape.lines.get(line)
        if text is None:
            continue
        end = len(text.rstrip())
        return _edit(shape, line, end, len(text), f"  {directive}", encoding)
    return None


def file_edit(shape: SourceShape, rule: str, encoding: str) -> dict[str, Any]:
    """The edit that silences ``rule`` in the whole file."""
    for line, comment in sorted(shape.comments.items()):
        if not comment.own_line:
            continue
        found = _extendable(shape, line, FILE_STYLE)
        if found is not None:
            close, codes = found
            if rule not in codes:
                return _edit(shape, line, close, close, f", {rule}", encoding)
    top = 1
    while top <= 2 and _SPECIAL_TOP_RE.match(shape.lines.get(top) or ""):
        top += 1
    directive = f"# auditls: ignore-file[{rule}]\n"
    return _edit(shape, top, 0, 0, directive, encoding)


def suppression_data(shape: SourceShape, finding: Finding, encoding: str) -> dict[str, Any]:
    """The ``data`` of a finding's diagnostic: its edits (none for a syntax error, which no
    comment can silence)."""
    if finding.rule not in RULES or finding.rule == "AUD001":
        return {}
    return {
        "lineEdit": line_edit(shape, finding, encoding),
        "fileEdit": file_edit(shape, finding.rule, encoding),
    }
