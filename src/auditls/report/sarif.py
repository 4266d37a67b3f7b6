"""Findings as SARIF 2.1.0, in the shape GitHub code scanning accepts.

- ``tool.driver`` names auditls and lists every rule of the catalogue (so ``ruleIndex`` is
  stable between runs) with its help, its CWE as a ``external/cwe/cwe-NNN`` tag and a
  ``security-severity`` score, which GitHub turns into critical/high/medium/low.
- Each result points at its file relative to ``%SRCROOT%`` (the workspace root) with a region in
  1-based lines and code-point columns (``run.columnKind`` says so); ``endColumn`` is exclusive, as
  in SARIF.
- ``partialFingerprints`` hashes the rule, the path and the whitespace-normalised text of the
  finding's first line, not its number, so an alert keeps its identity when code above it moves.
  Identical lines in one file are told apart by an occurrence counter, as GitHub's own
  ``primaryLocationLineHash`` does.
- A taint trace becomes a ``codeFlow``; files that could not be analysed become
  ``toolExecutionNotifications``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditls import __version__
from auditls.config import UnreadableFile, read_workspace_file
from auditls.rules import Finding, Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

#: Key of our fingerprint in ``partialFingerprints`` (versioned: a new scheme gets a new key).
FINGERPRINT_KEY = "auditlsLineHash/v1"

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
#: GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "2.0"}


def project_url() -> str | None:
    """The project's home page from the installed package metadata (``[project.urls]``).

    None when the metadata names none: SARIF's ``informationUri`` and ``helpUri`` are optional,
    and an invented address would send users nowhere.
    """
    from importlib import metadata  # on use: importing it costs a text report 30 ms

    try:
        urls: list[str] = metadata.metadata("auditls").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "repository", "source") and url.strip():
            return url.strip().rstrip("/")
    return None


def rule_help_uri(rule: Rule, base: str) -> str:
    return f"{base}/blob/main/{rule.docs_ref}"


def _rule_descriptor(rule: Rule, severity: str, base: str | None) -> dict[str, Any]:
    tags = ["security", f"external/cwe/cwe-{rule.cwe}"] if rule.cwe is not None else ["correctness"]
    properties: dict[str, Any] = {
        "tags": tags,
        "precision": rule.confidence,
        "problem.severity": _PROBLEM_SEVERITY[severity],
    }
    if rule.cwe is not None:
        properties["security-severity"] = _SECURITY_SEVERITY[severity]
    markdown = (
        f"{rule.summary}\n\n{rule.details}\n\n**Fix:** {rule.fix}\n\n"
        f"Bad:\n\n```{rule.language}\n{rule.bad.rstrip()}\n```\n\n"
        f"Good:\n\n```{rule.language}\n{rule.good.rstrip()}\n```\n"
    )
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.details},
        "help": {"text": rule.fix, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVELS[severity]},
        "properties": properties,
    }
    if base is not None:
        descriptor["helpUri"] = rule_help_uri(rule, base)
    return descriptor


def _normalise(text: str) -> str:
    return " ".join(text.split())


def fingerprint(rule: str, path: str, line_text: str) -> str:
    """The stable part of a finding's identity: rule, file and the text of its line."""
    data = "\0".join((rule, path, _normalise(line_text))).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


#: Files larger than this give no line text to fingerprint (findings come from smaller ones).
LINE_READER_CAP = 64 << 20


class LineReader:
    """Lines of workspace files, read once per file; a missing file reads as empty lines."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[str]] = {}

    def __call__(self, path: str, line: int) -> str:
        lines = self._cache.get(path)
        if lines is None:
            try:  # a regular file inside the workspace only: never a FIFO, never /dev/zero
                data = read_workspace_file(self.root, self.root / path, cap=LINE_READER_CAP)
            except UnreadableFile:
                data = None
            lines = [] if data is None else data.decode("utf-8", errors="replace").splitlines()
            self._cache[path] = lines
        return lines[line - 1] if 0 < line <= len(lines) else ""


def _location(path: str, line: int, column: int, end_line: int, end_column: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            },
        }
    }


def to_sarif(
    findings: Sequence[Finding],
    rules: Iterable[Rule],
    *,
    root: Path,
    severity_overrides: Mapping[str, str] | None = None,
    notes: Iterable[tuple[str, str]] = (),
    line_text: Callable[[str, int], str] | None = None,
) -> dict[str, Any]:
    """A SARIF log with one run. ``notes``: (path, message) of files that were not analysed."""
    overrides = severity_overrides or {}
    base = project_url()
    rule_list = list(rules)
    index = {rule.code: i for i, rule in enumerate(rule_list)}
    read_line = line_text if line_text is not None else LineReader(root)
    seen: dict[str, int] = {}
    results = []
    for f in findings:
        digest = fingerprint(f.rule, f.path, read_line(f.path, f.line))
        seen[digest] = seen.get(digest, 0) + 1
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column)],
            "partialFingerprints": {FINGERPRINT_KEY: f"{digest}:{seen[digest]}"},
            "properties": {"confidence": f.confidence},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.trace:
            steps = []
            for step in f.trace:
                loc = _location(step.path, step.line, step.column, step.line, step.column + 1)
                loc["message"] = {"text": step.message}
                steps.append({"location": loc})
            result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
        results.append(result)
    notifications = [
        {
            "level": "warning",
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
        }
        for path, message in notes
    ]
    driver: dict[str, Any] = {
        "name": "auditls",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [
            _rule_descriptor(rule, overrides.get(rule.code, rule.severity), base)
            for rule in rule_list
        ],
    }
    if base is not None:
        driver["informationUri"] = base
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
            }
        ],
    }
