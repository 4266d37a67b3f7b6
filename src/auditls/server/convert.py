"""Engine to LSP: positions in the client's encoding, findings as diagnostics.

This is the one place where positions change units (ARCHITECTURE.md, "Positions"). The engine
speaks 1-based lines and 1-based code-point columns with an exclusive end; LSP speaks 0-based
lines and 0-based columns counted in the encoding negotiated at ``initialize``: UTF-16 code units
(the default, and VS Code's), UTF-8 bytes (Neovim 0.11) or code points (UTF-32). In
``s = '𝒳é'; eval(s)`` the ``eval`` is at code point 8, UTF-16 unit 9 and UTF-8 byte 12.

Lines are split on ``\\r\\n``, ``\\r`` and ``\\n`` only, as both Python's tokenizer and the LSP
specification do (``str.splitlines`` would also split on form feeds and U+2028 and shift every
line after them).

A finding becomes a ``Prepared`` once, when it is computed: its range in client units, the
related locations of its trace and its ``data`` (the suppression edits, see ``suppressions``).
What the settings change (which rules show, their severity, the documentation link) is applied
each time diagnostics are published, by ``to_diagnostic``, without touching the text again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from auditls.rules import RULES, Finding, severity_override

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")

SOURCE = "auditls"

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


def encoding_name(kind: types.PositionEncodingKind | str) -> str:
    """The position encoding pygls negotiated, as one of UTF8, UTF16, UTF32."""
    value = kind.value if isinstance(kind, types.PositionEncodingKind) else str(kind)
    return {"utf-8": UTF8, "utf-32": UTF32}.get(value, UTF16)


class Lines:
    """The lines of a text, split lazily the way Python and LSP split them."""

    __slots__ = ("_lines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def get(self, line: int) -> str | None:
        """Line ``line`` (1-based) without its line break, or None past the end."""
        if self._lines is None:
            self._lines = _NEWLINE_RE.split(self.text)
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return None

    def __len__(self) -> int:
        if self._lines is None:
            self._lines = _NEWLINE_RE.split(self.text)
        return len(self._lines)


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in ``encoding``'s units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def to_client(line_text: str | None, column: int, encoding: str) -> int:
    """A 0-based code-point column on ``line_text`` as a 0-based column in client units.

    Past the end of the line (or with no text) the excess is kept as is: clients clamp.
    """
    if line_text is None or encoding == UTF32 or line_text.isascii():
        return column
    head = line_text[:column]
    return units(head, encoding) + max(0, column - len(line_text))


def from_client(line_text: str | None, column: int, encoding: str) -> int:
    """A 0-based column in client units on ``line_text`` as a 0-based code-point column.

    A column inside a character (half of a surrogate pair, the middle of a UTF-8 sequence) lands
    on that character.
    """
    if line_text is None or encoding == UTF32 or line_text.isascii():
        return column
    seen = 0
    for index, ch in enumerate(line_text):
        width = units(ch, encoding)
        if seen + width > column:
            return index
        seen += width
    return len(line_text) + max(0, column - seen)


def position(lines: Lines, line: int, column: int, encoding: str) -> types.Position:
    """Engine (1-based line, 1-based code-point column) to an LSP position."""
    return types.Position(
        line=max(0, line - 1),
        character=to_client(lines.get(line), max(0, column - 1), encoding),
    )


def engine_position(lines: Lines, pos: types.Position, encoding: str) -> tuple[int, int]:
    """An LSP position to engine (1-based line, 1-based code-point column)."""
    line = pos.line + 1
    return line, from_client(lines.get(line), pos.character, encoding) + 1


def span(
    lines: Lines, line: int, column: int, end_line: int, end_column: int, encoding: str
) -> types.Range:
    """An engine span (end exclusive) to an LSP range."""
    return types.Range(
        start=position(lines, line, column, encoding),
        end=position(lines, end_line, end_column, encoding),
    )


def range_json(rng: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def range_from_json(obj: Mapping[str, Any]) -> types.Range:
    start, end = obj["start"], obj["end"]
    return types.Range(
        start=types.Position(line=int(start["line"]), character=int(start["character"])),
        end=types.Position(line=int(end["line"]), character=int(end["character"])),
    )


@dataclass(frozen=True, slots=True, eq=False)
class Prepared:
    """A finding with everything its diagnostic needs that depends on the text."""

    finding: Finding  # as the rules reported it, before settings
    range: types.Range  # in client units
    related: tuple[types.DiagnosticRelatedInformation, ...] = ()  # the trace, source first
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON: rule, edits (suppressions)

    def key(self) -> tuple[str, int, int, int, int]:
        r = self.range
        return (self.finding.rule, r.start.line, r.start.character, r.end.line, r.end.character)


#: Where a trace step's file is: ``(path relative to the workspace) -> (uri, its lines)``.
Locator = Callable[[str], tuple[str, Lines] | None]


def prepare(
    finding: Finding,
    lines: Lines,
    encoding: str,
    *,
    data: Mapping[str, Any] | None = None,
    locate: Locator | None = None,
) -> Prepared:
    """Convert a finding's positions once; ``locate`` finds the files its trace passes through."""
    related: list[types.DiagnosticRelatedInformation] = []
    for step in finding.trace:
        found = locate(step.path) if locate is not None else None
        if found is None:
            continue
        uri, step_lines = found
        at = position(step_lines, step.line, step.column, encoding)
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=types.Range(start=at, end=at)),
                message=step.message,
            )
        )
    rng = span(lines, finding.line, finding.column, finding.end_line, finding.end_column, encoding)
    payload: dict[str, Any] = {"rule": finding.rule, "confidence": finding.confidence}
    payload.update(data or {})
    return Prepared(finding, rng, tuple(related), payload)


def docs_href(base: str | None, rule: str) -> str | None:
    """The link to a rule's section of the rule documentation, or None without a base."""
    if base is None or rule not in RULES:
        return None
    return f"{base}#{RULES[rule].anchor}"


def to_diagnostic(
    prepared: Prepared,
    *,
    severity_overrides: Mapping[str, str],
    docs_base: str | None,
) -> types.Diagnostic:
    """The LSP diagnostic of a prepared finding under the current settings."""
    finding = prepared.finding
    severity = severity_override(finding.rule, severity_overrides) or finding.severity
    href = docs_href(docs_base, finding.rule)
    return types.Diagnostic(
        range=prepared.range,
        severity=SEVERITY.get(severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        code_description=types.CodeDescription(href=href) if href is not None else None,
        source=SOURCE,
        message=finding.message,
        related_information=list(prepared.related) or None,
        data=dict(prepared.data),
    )
