"""Findings: what a rule reports about one place in one file.

A finding is plain data. Its JSON form (``to_json``) is the contract of ``auditls check --format
json`` (see DESIGN.md); the server converts positions to the client's encoding, the CLI to text or
SARIF. Positions are 1-based lines and 1-based code-point columns; ``end_column`` is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceStep:
    """One step of a taint path: where the value was and what happened to it there."""

    path: str  # file of the step, relative to the workspace root
    line: int  # 1-based line
    column: int  # 1-based code-point column
    message: str  # what happens at this step ("request.args flows into cmd")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One reported problem. Sorts by position, then rule code."""

    rule: str  # rule code, "AUD101"
    path: str  # file, relative to the workspace root, "/" separators
    line: int  # 1-based first line
    column: int  # 1-based code-point column of the first character
    end_line: int  # 1-based last line
    end_column: int  # 1-based code-point column one past the last character
    severity: str  # "error" | "warning" | "info" (after severity overrides)
    confidence: str  # "high" | "medium" | "low"
    cwe: int | None  # CWE number, None for meta findings
    message: str  # what is wrong and what to do
    stmt_line: int  # first line of the enclosing statement: a suppression there also applies
    trace: tuple[TraceStep, ...] = ()  # taint path, source first; empty for local rules

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.line, self.column, self.rule)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``auditls check --format json``."""
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "confidence": self.confidence,
            "cwe": self.cwe,
            "message": self.message,
            "trace": [step.to_json() for step in self.trace],
        }
