"""Baselines: record today's findings once, then report only new ones (legacy code in CI).

``auditls check --write-baseline FILE`` records the findings of the run; ``auditls check
--baseline FILE`` (or ``[tool.auditls] baseline = "FILE"``) reports only those not in it.

A finding is matched by a fingerprint that survives edits which only move it:

1. the rule and the file (relative to the workspace root, so the baseline works from any
   directory and on any machine);
2. the **flagged statement**: the innermost statement holding the finding's first line, its
   source with whitespace normalised (a compound statement, ``if``/``with``/``def``..., counts by
   its header only, so editing its body does not change it);
3. the **enclosing function**: the qualified name of the innermost ``def`` or ``class`` around
   that statement (``Billing.refund``; empty at module level), so the same line in two
   functions are two findings.

The three are hashed by the same function as SARIF's ``partialFingerprints``
(``report.sarif.fingerprint``). Line numbers are not part of it. Matching counts: a baseline
that holds a fingerprint twice absorbs two findings, and a third identical one is new. A file
that does not parse falls back to the text of the finding's line.

The analysed file is parsed (``ast.parse``), never imported or run.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditls import __version__
from auditls.report.sarif import fingerprint
from auditls.rules import Finding

#: Bumped if the fingerprint changes (an old baseline is then refused with a message).
BASELINE_FORMAT = 1

_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.TryStar,
    ast.Match,
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class BaselineError(Exception):
    """The baseline file cannot be read or written; the message says why."""


@dataclass(frozen=True, slots=True)
class _Statement:
    start: int  # first line (a decorated def or class: its first decorator's)
    end: int  # last line
    header_end: int  # last line of the header (= end for a simple statement)
    scope: str  # qualified name of the enclosing def/class, "" at module level


class _FileIndex:
    """The statements of one file, to find the one around a line."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.statements: list[_Statement] = []
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return
        stack: list[tuple[list[ast.stmt], str]] = [(tree.body, "")]
        while stack:
            body, scope = stack.pop()
            for node in body:
                end = node.end_lineno or node.lineno
                children = _bodies(node)
                header_end = end
                if isinstance(node, _COMPOUND) and children and children[0]:
                    header_end = max(node.lineno, children[0][0].lineno - 1)
                start = node.lineno
                if isinstance(node, _SCOPES) and node.decorator_list:
                    start = min(start, *(d.lineno for d in node.decorator_list))
                self.statements.append(_Statement(start, end, header_end, scope))
                inner = scope
                if isinstance(node, _SCOPES):
                    inner = f"{scope}.{node.name}" if scope else node.name
                stack.extend((child, inner) for child in children)

    def statement_text(self, line: int) -> tuple[str, str]:
        """(normalised text of the innermost statement holding ``line``, enclosing scope)."""
        best: _Statement | None = None
        for stmt in self.statements:
            if stmt.start <= line <= stmt.end and (
                best is None or (stmt.start, -stmt.end) > (best.start, -best.end)
            ):
                best = stmt
        if best is None:
            return _normalise(self._line(line)), ""
        end = best.header_end if line <= best.header_end else best.end
        text = " ".join(self._line(n) for n in range(best.start, end + 1))
        return _normalise(text), best.scope

    def _line(self, n: int) -> str:
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""


def _bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    out: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            out.append(value)
    for handler in getattr(node, "handlers", ()):
        out.append(handler.body)
    for case in getattr(node, "cases", ()):
        out.append(case.body)
    return out


def _normalise(text: str) -> str:
    return " ".join(text.split())


class Fingerprinter:
    """Fingerprints of findings, reading and parsing each file once. ``text_of(path)`` gives a
    file's text when the caller knows better than the disk (the server's open buffers: a
    finding computed from a buffer is fingerprinted from that buffer); None falls back to
    the file under ``root``."""

    def __init__(self, root: Path, text_of: Callable[[str], str | None] | None = None) -> None:
        self.root = root
        self.text_of = text_of
        self._files: dict[str, _FileIndex] = {}

    def _index(self, path: str) -> _FileIndex:
        index = self._files.get(path)
        if index is None and self.text_of is not None:
            text = self.text_of(path)
            if text is not None:
                index = self._files[path] = _FileIndex(text)
        if index is None:
            try:
                data = (self.root / path).read_bytes()
            except OSError:
                data = b""
            from auditls.extractors import decode  # on use: it imports every extractor

            try:
                text = decode(data)
            except (SyntaxError, UnicodeDecodeError, LookupError, ValueError):
                text = data.decode("utf-8", "replace")
            index = self._files[path] = _FileIndex(text)
        return index

    def __call__(self, finding: Finding) -> str:
        text, scope = self._index(finding.path).statement_text(finding.line)
        return fingerprint(finding.rule, finding.path, f"{scope}\0{text}")


def write_baseline(target: Path, findings: Sequence[Finding], root: Path) -> None:
    """Record ``findings`` in ``target`` (atomically)."""
    fp = Fingerprinter(root)
    doc = {
        "tool": "auditls",
        "version": __version__,
        "format": BASELINE_FORMAT,
        "findings": [
            {
                "fingerprint": fp(f),
                "rule": f.rule,
                "path": f.path,
                "line": f.line,
                "message": f.message,
            }
            for f in findings
        ],
    }
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            json.dump(doc, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise BaselineError(f"{target}: cannot write the baseline: {exc.strerror or exc}") from None


def read_baseline(source: Path) -> Counter[str]:
    """The fingerprints a baseline holds, with how many findings each stands for."""
    try:
        doc = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"{source}: no such baseline (write one with --write-baseline)"
        ) from None
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{source}: cannot read the baseline: {exc}") from None
    if not isinstance(doc, dict) or doc.get("tool") != "auditls":
        raise BaselineError(f"{source}: not an auditls baseline")
    if doc.get("format") != BASELINE_FORMAT:
        raise BaselineError(
            f"{source}: baseline format {doc.get('format')!r}, expected {BASELINE_FORMAT}; "
            "write it again with --write-baseline"
        )
    entries = doc.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"{source}: findings: expected a list of objects with a fingerprint")
    return Counter(e["fingerprint"] for e in entries)


def new_findings(
    findings: Iterable[Finding],
    baseline: Counter[str],
    root: Path,
    fingerprinter: Fingerprinter | None = None,
) -> tuple[list[Finding], int]:
    """The findings the baseline does not hold, and how many it absorbed. The counts are per
    fingerprint, and a fingerprint names its file, so filtering file by file (as an editor
    publishes) gives the same result as filtering the whole run at once."""
    left = Counter(baseline)
    fp = fingerprinter if fingerprinter is not None else Fingerprinter(root)
    kept: list[Finding] = []
    absorbed = 0
    for finding in findings:
        key = fp(finding)
        if left[key] > 0:
            left[key] -= 1
            absorbed += 1
        else:
            kept.append(finding)
    return kept, absorbed
