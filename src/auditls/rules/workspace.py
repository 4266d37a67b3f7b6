"""Workspace checks: rules whose judgement needs more than one file.

``check_facts`` (``checks``) sees one file. Some rules cannot: whether a Flask route is protected
depends on its decorators (its module), on ``before_request`` hooks of its blueprint (often the
same module) and of its app (the factory's module), and on what the factory registers where.
Those rules are *workspace checks*: functions from a ``Workspace`` to findings in any of its
files.

How ``check_workspace`` runs:

1. A ``Workspace`` wraps the facts (a ``Store``, or ``FileFacts`` in tests and the fixture
   runner) and builds the cross-file models the checks ask for, once and lazily
   (``workspace.flask`` is an ``auditls.models.flask.FlaskModel``). A run whose selection leaves
   no workspace rule costs nothing.
2. Each selected workspace check yields findings; those outside ``scopes`` (the paths given to
   ``auditls check``) are dropped, but every file of the workspace is *read*, so that a route in
   scope sees the factory out of scope.
3. Suppressions apply as for per-file findings: the comments of the file a finding lands in
   (its line, the first line of its statement, or ``ignore-file``), read from that file's
   ``python_suppressions`` rows. Severity overrides follow; findings come back sorted.

Who calls it: ``auditls check`` after the per-file checks, over the whole store. The language
server should call it after each indexing pass (per store revision, not per buffer: a workspace
finding in one file can appear or vanish when *another* file changes) and merge its findings,
by path, with the per-file ones it publishes; results for an older revision are dropped like
any other.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from auditls.extractors.suppress import FILE_STYLE
from auditls.facts import FileFacts
from auditls.facts.core import SuppressionFact
from auditls.rules.catalogue import RULES, SEVERITIES
from auditls.rules.checks import is_selected, severity_override
from auditls.rules.findings import Finding

if TYPE_CHECKING:
    from auditls.models.flask import FlaskModel
    from auditls.store import Store


class Workspace:
    """The facts of a whole workspace, with the cross-file models built on first use."""

    def __init__(self, source: Store | Sequence[FileFacts]) -> None:
        self._source = source

    @cached_property
    def flask(self) -> FlaskModel:
        """The Flask model; for a store, the one cached per store revision (which the hover
        shares), so call this on the thread that owns the store."""
        from auditls.models.flask import FlaskModel, model_of

        if isinstance(self._source, Sequence):
            return FlaskModel.from_files(self._source)
        return model_of(self._source)

    def suppressions(self, paths: Iterable[str]) -> dict[str, list[SuppressionFact]]:
        """The suppression comments of these files."""
        wanted = set(paths)
        out: dict[str, list[SuppressionFact]] = defaultdict(list)
        if isinstance(self._source, Sequence):
            for ff in self._source:
                if ff.path in wanted:
                    out[ff.path] = ff.of(SuppressionFact)
            return out
        table = self._source.schema.by_name.get(SuppressionFact.TABLE)
        if table is None or not wanted:
            return out
        columns = ", ".join(f's."{c.name}"' for c in table.columns)
        marks = ", ".join("?" * len(wanted))
        sql = (
            f"SELECT f.path, {columns} FROM python_suppressions s "  # noqa: S608 (our names)
            f"JOIN files f ON f.id = s.file_id WHERE f.path IN ({marks}) ORDER BY s.seq"
        )
        for row in self._source.conn.execute(sql, sorted(wanted)):
            fact = table.decode(row[1:])
            assert isinstance(fact, SuppressionFact)
            out[row[0]].append(fact)
        return out


WorkspaceCheck = Callable[[Workspace], Iterable[Finding]]


def _workspace_checks() -> Mapping[str, WorkspaceCheck]:
    from auditls.rules.checks_flask import FLASK_CHECKS

    return FLASK_CHECKS


def workspace_codes() -> frozenset[str]:
    """The codes of the rules that run as workspace checks."""
    return frozenset(_workspace_checks())


def _suppressed(finding: Finding, comments: list[SuppressionFact]) -> bool:
    for sup in comments:
        if sup.malformed is not None or not all(code in RULES for code in sup.codes):
            continue  # a malformed comment suppresses nothing (AUD002 says so)
        if sup.style == FILE_STYLE:
            if finding.rule in sup.codes:
                return True
        elif sup.line in (finding.line, finding.stmt_line) and (
            not sup.codes or finding.rule in sup.codes
        ):
            return True
    return False


def _in_scope(path: str, scopes: Sequence[str] | None) -> bool:
    if scopes is None:
        return True
    return any(not s or path == s or path.startswith(s + "/") for s in scopes)


def check_workspace(
    source: Store | Sequence[FileFacts] | Workspace,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
    severity_overrides: Mapping[str, str] | None = None,
    scopes: Sequence[str] | None = None,
) -> list[Finding]:
    """Every finding of every selected workspace rule, unsuppressed, sorted by path and position.

    ``scopes``: workspace-relative paths (files or directories, "" for all) whose findings are
    kept; None keeps every finding. The arguments are those of ``check_facts``.
    """
    overrides = dict(severity_overrides or {})
    for key, value in overrides.items():
        if value not in SEVERITIES:
            raise ValueError(
                f"severity override {key}={value!r}: expected one of {', '.join(SEVERITIES)}"
            )
    select_list = None if select is None else list(select)
    ignore_list = list(ignore)
    checks = [
        check
        for code, check in _workspace_checks().items()
        if is_selected(code, select_list, ignore_list)
    ]
    if not checks:
        return []
    workspace = source if isinstance(source, Workspace) else Workspace(source)
    found: list[Finding] = []
    seen: set[tuple[str, int, int, str, str]] = set()
    for check in checks:
        for finding in check(workspace):
            identity = (finding.path, finding.line, finding.column, finding.rule, finding.message)
            if identity not in seen and _in_scope(finding.path, scopes):
                seen.add(identity)
                found.append(finding)
    comments = workspace.suppressions({f.path for f in found})
    findings: list[Finding] = []
    for finding in found:
        if _suppressed(finding, comments.get(finding.path, [])):
            continue
        severity = severity_override(finding.rule, overrides)
        if severity is not None and severity != finding.severity:
            finding = dataclasses.replace(finding, severity=severity)
        findings.append(finding)
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return findings
