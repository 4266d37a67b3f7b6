"""The output formats of ``auditls check``: text, JSON (DESIGN.md's finding shape), SARIF
2.1.0 (``sarif``) and a self-contained HTML page (``html``), from what
``auditls.rules.analyse`` found.

Paths: findings carry paths relative to the workspace root. Text output shows them relative to
the directory the command runs in (``cwd``), as ruff, mypy and pytest do, so that a path can be
opened as printed; JSON keeps the workspace-relative path and says its base in ``root``; SARIF
says it in ``originalUriBaseIds`` (``%SRCROOT%``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from auditls import __version__
from auditls.rules import RULES, Finding, Problem

FORMATS = ("text", "json", "sarif", "html")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def display_path(root: Path, path: str, cwd: Path | None) -> str:
    """``path`` (relative to ``root``) as the user can open it from ``cwd``: relative to
    ``cwd`` when the file is under it, else absolute (as ruff prints it), "/" separators;
    unchanged when ``cwd`` is None."""
    if cwd is None:
        return path
    full = root / path
    if full.is_relative_to(cwd):
        return full.relative_to(cwd).as_posix()
    return full.as_posix()


def render(
    fmt: str,
    findings: Sequence[Finding],
    problems: Sequence[Problem],
    *,
    files: int,
    root: Path,
    severity_overrides: Mapping[str, str],
    cwd: Path | None = None,
) -> str:
    """The report in one of :data:`FORMATS`; ``problems`` are files not fully analysed.
    ``cwd``: the directory text paths are shown relative to (None: the workspace root)."""
    if fmt == "json":
        doc = {
            "version": __version__,
            "root": str(root),
            "findings": [f.to_json() for f in findings],
            "errors": [{"path": p.path, "kind": p.kind, "message": p.message} for p in problems],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        from auditls.report.sarif import to_sarif

        sarif = to_sarif(
            findings,
            RULES.values(),
            root=root,
            severity_overrides=severity_overrides,
            notes=[(p.path, f"{p.kind}: {p.message}") for p in problems],
        )
        return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from auditls.report.html import to_html

        return to_html(findings, problems, files=files, root=root)

    def shown(path: str) -> str:
        return display_path(root, path, cwd)

    lines = [
        f"{shown(f.path)}:{f.line}:{f.column}: {f.rule} [{f.severity}/{f.confidence}] {f.message}"
        for f in findings
    ]
    lines += [f"{shown(p.path)}: {p.kind}: {p.message}" for p in problems]
    if findings:
        by_severity = Counter(f.severity for f in findings)
        parts = [_plural(by_severity[s], s) for s in ("error", "warning", "info") if by_severity[s]]
        with_findings = len({f.path for f in findings})
        summary = (
            f"Found {_plural(len(findings), 'finding')} ({', '.join(parts)}) "
            f"in {with_findings} of {_plural(files, 'file')}"
        )
    else:
        summary = f"No findings in {_plural(files, 'file')}"
    return "\n".join([*lines, summary + _not_analysed(problems) + "."]) + "\n"


def _not_analysed(problems: Sequence[Problem]) -> str:
    """The summary's count of files not analysed: skipped (``max-file-size``) or unreadable."""
    skipped = len({p.path for p in problems if p.kind == "skipped"})
    unreadable = len({p.path for p in problems if p.kind == "error"})
    parts = []
    if skipped:
        parts.append(f"{_plural(skipped, 'file')} skipped (max-file-size)")
    if unreadable:
        parts.append(f"{_plural(unreadable, 'file')} unreadable")
    return "; " + ", ".join(parts) if parts else ""
