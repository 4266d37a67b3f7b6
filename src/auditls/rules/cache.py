"""The findings cache of ``auditls check``: a warm run re-checks only what changed.

The store already keeps each file's facts with the state they were computed from
(``Store.file_states``: hash, status, module, extractor version, error). This cache keeps, beside
it (``<root>/.auditls/check-findings.json``, written atomically under the store's writers' lock
by ``Store.write_beside``), what the rules made of them:

1. **Per file**: the file's state, the findings of *every* file rule over its facts (suppression
   comments applied, severities and test-code policy not yet: those depend on the selection and
   are applied after, so one cache serves every ``--select``), and its extractor errors. An entry
   is reused while the file's state is the one it was computed from; a file whose state changed
   is re-read and re-checked, and only it.
2. **Workspace rules** read across files (a route and the hook that guards it live in different
   modules). Their findings are kept twice. Under one key (a digest of every file's state, the
   selection, so that the taint engine is not built when AUD5 is off, and the taint models),
   with the sites the taint engine showed clean (``runner.lowered_where_clean`` needs them):
   nothing changed anywhere, they are all reused. And **per rule**, under the digests of the
   parts of the workspace the rule read when it ran (``Inputs``; the runner watches which
   attributes of the ``Workspace`` its check reads, ``rules.workspace.Watched``): a cross-file
   model (Flask, Django, FastAPI, ORM, validation) is a digest of the files with its facts and
   their states and of every file's module name and module-level imports
   (``link.inputs_digest``: what ``link.ModelCache`` rebuilds a model for); the taint engine
   is every file's state and the taint models; anything else is every file's state. After an
   edit, a rule whose parts kept their digests is not run: editing a module without Django
   facts leaves the Django rules' findings, and their model unbuilt. The taint engine's clean
   sites are kept under its digest too.
3. The whole cache carries :func:`code_version`, a digest of auditls's own sources: findings from
   other rules or other knowledge are never reused.

It is a cache like the snapshot: a missing, stale, torn or unreadable file costs only the
recomputation, and ``runner.analyse`` with a cache returns what it returns without one (a test
compares them on every fixture).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditls import source_digest
from auditls.rules.findings import Finding, TraceStep

if TYPE_CHECKING:
    from auditls.store import Store

#: The file's name, beside the store's snapshot in ``<root>/.auditls/``.
CACHE_NAME = "check-findings.json"
#: Bumped when the layout of the file changes.
FORMAT = 2

#: A file's state as the store gives it (``Store.file_states``).
State = tuple[Any, ...]
#: A call site ``(path, line, column)`` the taint engine showed clean.
Site = tuple[str, int, int]


def code_version() -> str:
    """A digest of auditls's sources (rules, models, knowledge...): cached findings computed by
    other code are not reused (``auditls.source_digest``, shared with the server's cache and
    the taint state)."""
    return source_digest()


def stable(value: object) -> object:
    """``value`` as JSON-able data that does not depend on set or dict order (for a digest of
    the taint models: frozensets of names, mappings of dataclasses)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__] + [
            [f.name, stable(getattr(value, f.name))] for f in dataclasses.fields(value)
        ]
    if isinstance(value, Mapping):
        return sorted(([str(k), stable(v)] for k, v in value.items()), key=repr)
    if isinstance(value, set | frozenset):
        return sorted((stable(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [stable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def digest_of(*parts: object) -> str:
    data = json.dumps([stable(p) for p in parts], separators=(",", ":"), sort_keys=True)
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))


def finding_to_obj(finding: Finding) -> dict[str, Any]:
    """What ``dataclasses.asdict`` gives, field by field (it deep-copies every value: most of
    the time of writing a warm check's cache)."""
    obj = {name: getattr(finding, name) for name in _FINDING_FIELDS}
    obj["trace"] = [step.to_json() for step in finding.trace]
    return obj


def finding_from_obj(obj: Mapping[str, Any]) -> Finding:
    fields = dict(obj)
    trace = tuple(TraceStep(**step) for step in fields.pop("trace", ()))
    return Finding(**fields, trace=trace)


@dataclasses.dataclass(slots=True)
class FileEntry:
    """What the file rules made of one file's facts."""

    state: State  # the file's state the entry was computed from
    findings: list[Finding]  # every file rule's findings, suppressed, not rated
    errors: list[str]  # the file's extractor errors


@dataclasses.dataclass(slots=True)
class WorkspaceEntry:
    """What the workspace rules found, under the key of everything they read."""

    key: str  # workspace_key() of the run
    findings: list[Finding]  # every file's, suppressed, not rated, not limited to a scope
    clean_sites: set[Site] | None  # the taint engine's clean sites (None: taint rules off)


@dataclasses.dataclass(slots=True)
class RuleEntry:
    """What one workspace rule found, under the digests of the parts of the workspace it read
    (``Inputs``): reused while each of them is the same."""

    inputs: dict[str, str]  # part of the workspace -> its digest when the rule ran
    findings: list[Finding]  # every file's, unsuppressed, not rated, not limited to a scope


def _states_digest(states: Mapping[str, State]) -> str:
    # A state is a tuple of strings, numbers and None: its repr is stable.
    data = repr(sorted(states.items())).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Inputs:
    """The digests of the parts of a workspace a workspace rule may read, each computed once
    per run: the cross-file models (``rules.workspace.MODEL_INPUTS``: the files with the
    model's facts and every file's module-level imports, ``link.inputs_digest``), the taint
    engine (every file, and the taint models) and anything else (every file)."""

    def __init__(self, store: Store, states: Mapping[str, State], taint_models: object) -> None:
        self._store = store
        self._states = states
        self._taint_models = taint_models
        self._known: dict[str, str] = {}

    def __getitem__(self, part: str) -> str:
        found = self._known.get(part)
        if found is None:
            found = self._known[part] = self._compute(part)
        return found

    def _compute(self, part: str) -> str:
        from auditls.link import inputs_digest
        from auditls.rules.workspace import MODEL_INPUTS, TAINT

        if part in MODEL_INPUTS:
            return inputs_digest(self._store, MODEL_INPUTS[part])
        if part == TAINT:
            return digest_of(self["*"], _models_key(self._taint_models))
        return _states_digest(self._states)

    def holds(self, inputs: Mapping[str, str]) -> bool:
        """Whether each of these parts has the digest given."""
        return all(self[part] == digest for part, digest in inputs.items())


def _models_key(taint_models: object) -> object:
    from auditls.knowledge.taint import DEFAULT_MODELS

    # The default models are code (``code_version`` covers them): a digest of them would cost
    # a walk of every model on every run.
    return "default" if taint_models is None or taint_models is DEFAULT_MODELS else taint_models


@dataclasses.dataclass(slots=True)
class FindingsCache:
    """Per-file and workspace findings of earlier runs (see the module docstring)."""

    files: dict[str, FileEntry] = dataclasses.field(default_factory=dict)
    workspace: WorkspaceEntry | None = None
    #: Each workspace rule's findings, by code (any selection).
    rules: dict[str, RuleEntry] = dataclasses.field(default_factory=dict)
    #: The taint engine's clean sites, under the digest of its inputs (``Inputs``).
    clean: tuple[str, set[Site]] | None = None
    dirty: bool = False  # changed since loaded
    #: What the last ``analyse`` took from the cache (for progress and the benchmark).
    reused_files: int = 0
    reused_workspace: bool = False
    #: The workspace rules whose findings the last ``analyse`` took from the cache.
    reused_rules: int = 0

    # -- lookups ---------------------------------------------------------------------------------

    def file(self, path: str, state: State | None) -> FileEntry | None:
        entry = self.files.get(path)
        if entry is None or state is None or entry.state != state:
            return None
        self.reused_files += 1
        return entry

    def put_file(
        self, path: str, state: State | None, findings: list[Finding], errors: list[str]
    ) -> None:
        if state is None:
            return
        self.files[path] = FileEntry(state, findings, errors)
        self.dirty = True

    @staticmethod
    def workspace_key(
        states: Mapping[str, State],
        select: Iterable[str] | None,
        ignore: Iterable[str],
        taint_models: object,
    ) -> str:
        """Everything the workspace rules' findings depend on besides the code: every file's
        state, which rules run, and the taint models."""
        return digest_of(
            _states_digest(states),
            None if select is None else sorted(select),
            sorted(ignore),
            _models_key(taint_models),
        )

    def workspace_findings(self, key: str) -> WorkspaceEntry | None:
        if self.workspace is None or self.workspace.key != key:
            return None
        self.reused_workspace = True
        return self.workspace

    def put_workspace(self, key: str, findings: list[Finding], clean: set[Site] | None) -> None:
        self.workspace = WorkspaceEntry(key, findings, clean)
        self.dirty = True

    def rule_findings(self, code: str, inputs: Inputs) -> list[Finding] | None:
        """A workspace rule's findings, when every part of the workspace it read is as it was
        when it ran."""
        entry = self.rules.get(code)
        if entry is None or not inputs.holds(entry.inputs):
            return None
        self.reused_rules += 1
        return entry.findings

    def put_rule(self, code: str, inputs: dict[str, str], findings: list[Finding]) -> None:
        self.rules[code] = RuleEntry(inputs, findings)
        self.dirty = True

    def clean_sites(self, inputs: Inputs) -> set[Site] | None:
        """The taint engine's clean sites, when its inputs are as they were."""
        if self.clean is None or self.clean[0] != inputs["taint"]:
            return None
        return self.clean[1]

    def put_clean_sites(self, inputs: Inputs, sites: set[Site]) -> None:
        self.clean = (inputs["taint"], sites)
        self.dirty = True

    def forget_missing(self, paths: Iterable[str]) -> None:
        """Drop the entries of files the store no longer has."""
        known = set(paths)
        for path in [p for p in self.files if p not in known]:
            del self.files[path]
            self.dirty = True

    # -- the file ------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> FindingsCache:
        """The cache written at ``path``; empty when it is missing, stale or unreadable."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT or doc.get("version") != code_version():
                return cls()
            files = {
                rel: FileEntry(
                    tuple(entry["state"]),
                    [finding_from_obj(f) for f in entry["findings"]],
                    list(entry["errors"]),
                )
                for rel, entry in doc["files"].items()
            }
            workspace = None
            if doc.get("workspace") is not None:
                ws = doc["workspace"]
                clean = ws["clean_sites"]
                workspace = WorkspaceEntry(
                    ws["key"],
                    [finding_from_obj(f) for f in ws["findings"]],
                    None if clean is None else {(p, line, col) for p, line, col in clean},
                )
            rules = {
                code: RuleEntry(
                    {str(k): str(v) for k, v in entry["inputs"].items()},
                    [finding_from_obj(f) for f in entry["findings"]],
                )
                for code, entry in doc["rules"].items()
            }
            clean = None
            if doc.get("clean") is not None:
                key, sites = doc["clean"]
                clean = (str(key), {(p, line, col) for p, line, col in sites})
            return cls(files, workspace, rules, clean)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    @classmethod
    def load_beside(cls, store: Store) -> FindingsCache:
        """The cache beside the store's snapshot (empty when the store is kept in memory)."""
        if not store.persist:
            return cls()
        return cls.load(store.snapshot_path.parent / CACHE_NAME)

    def encode(self) -> bytes:
        ws = self.workspace
        doc = {
            "format": FORMAT,
            "version": code_version(),
            "files": {
                rel: {
                    "state": list(entry.state),
                    "findings": [finding_to_obj(f) for f in entry.findings],
                    "errors": entry.errors,
                }
                for rel, entry in sorted(self.files.items())
            },
            "workspace": None
            if ws is None
            else {
                "key": ws.key,
                "findings": [finding_to_obj(f) for f in ws.findings],
                "clean_sites": None if ws.clean_sites is None else sorted(ws.clean_sites),
            },
            "rules": {
                code: {
                    "inputs": entry.inputs,
                    "findings": [finding_to_obj(f) for f in entry.findings],
                }
                for code, entry in sorted(self.rules.items())
            },
            "clean": None if self.clean is None else [self.clean[0], sorted(self.clean[1])],
        }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def save_beside(self, store: Store) -> bool:
        """Write the cache beside the store's snapshot, atomically and under the store's
        writers' lock (``Store.write_beside``: nothing beside a snapshot that is not current);
        False when nothing was written (the next run recomputes)."""
        from auditls.store import StoreError

        if not self.dirty:
            return True
        try:
            written = store.write_beside(CACHE_NAME, [self.encode()])
        except StoreError:
            return False
        if written is None:
            return False
        self.dirty = False
        return True

    def save(self, path: Path) -> bool:
        """Write the cache atomically at ``path`` (a reader sees the old file or the new one)
        under the writers' lock of its directory (``store.snapshot.writer_lock``), as
        ``save_beside`` does; False when it cannot be written or another auditls holds the
        lock (the next run recomputes)."""
        from auditls.store.snapshot import Busy, writer_lock

        if not self.dirty:
            return True
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with writer_lock(path.parent):
                # ``.beside.tmp``: a writer killed here leaves what start-up removes.
                fd, tmp = tempfile.mkstemp(
                    prefix=path.name + ".", suffix=".beside.tmp", dir=path.parent
                )
                with os.fdopen(fd, "wb") as out:
                    out.write(self.encode())
                os.replace(tmp, path)
        except (OSError, Busy):
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            return False
        self.dirty = False
        return True
