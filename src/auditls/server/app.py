"""The language server: short handlers that hand work to the engine and publish what comes back.

How it runs, from start to stop:

1. ``initialize``: the client's capabilities decide the position encoding (pygls negotiates it),
   push or pull (``diagnostics``), and whether the client watches files for us. Each workspace
   folder gets a ``Folder``: its ``pyproject.toml`` settings, the editor's settings over them,
   and a ``FolderEngine`` (its store and the thread that owns it).
2. ``initialized``: the editor's settings are asked for (``workspace/configuration``), file
   watching starts (the client's, registered dynamically, or a watchdog ``Watcher``), the
   client's process is watched, and each folder is indexed in the background: snapshot loaded,
   reconciled against the disk, changed files extracted, with work-done progress (fresh token,
   throttled reports, cancellable). Every file's findings are then published.
3. Open documents never wait for that: ``didOpen`` / ``didChange`` submit the buffer to the
   analysis ``Pipeline`` (debounced per document, run on its own thread, stale versions dropped),
   and the buffer's findings are what the document shows while it is open.
4. ``didSave``, the file watcher and ``didChangeWatchedFiles`` send paths to the engine, which
   re-indexes them and returns the files whose rows changed; a change is applied only if it is
   not older than the last one applied for that folder (store revision).
5. Every publication goes through ``refresh``: it picks the buffer's or the disk's findings,
   applies the folder's settings (rules selected, severities, AUD001 on or off, diagnostic mode)
   and hands the result to the ``DiagnosticsHub`` (push or pull).
6. ``shutdown`` stops the watchers and pending analyses, cancels indexing, and writes each
   folder's snapshot; ``exit`` (or the client's process vanishing) ends the process.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from auditls import __version__
from auditls.config import Config
from auditls.extractors import module_name_for
from auditls.index import DEFAULT_EXCLUDES, is_excluded
from auditls.rules import is_selected, render_rules_markdown
from auditls.server import log as logsetup
from auditls.server.actions import code_actions
from auditls.server.config import (
    EditorSettings,
    Settings,
    index_affecting,
    layer,
    overlay,
    parse_editor_settings,
    read_pyproject,
)
from auditls.server.convert import Lines, Prepared, encoding_name, engine_position, to_diagnostic
from auditls.server.diagnostics import DiagnosticsHub
from auditls.server.documents import Analysis, OpenDocument, analyse_buffer
from auditls.server.engine import Changes, FolderEngine
from auditls.server.flask.symbols import routes_matching, to_symbols
from auditls.server.hover import HoverContext, hover_markdown
from auditls.server.scheduler import Debouncer, Pipeline
from auditls.server.watch import Watcher

log = logging.getLogger(__name__)

SECTION = "auditls"
CMD_REINDEX = "auditls.reindex"
CMD_STATUS = "auditls.showIndexStatus"
#: Seconds between two checks that the client's process is still there.
PARENT_POLL = float(os.environ.get("AUDITLS_PARENT_POLL", "2.0"))
#: Seconds without a store change before the snapshot is written.
SNAPSHOT_IDLE = 30.0
#: Seconds between two progress reports.
PROGRESS_EVERY = 0.2
#: Seconds the watcher waits for a path to settle.
WATCH_DELAY = 0.1
#: Seconds a hover provider may wait for the store's thread.
HOVER_QUERY_TIMEOUT = 5.0


@dataclass(eq=False)
class Folder:
    """A workspace folder: its settings, its engine, and the findings of its files on disk."""

    uri: str  # as the client sent it
    root: Path  # resolved: what the engine indexes
    project: Config  # [tool.auditls]
    project_problem: str | None  # why pyproject.toml was not usable
    editor: EditorSettings  # the editor's layer for this folder
    settings: Settings
    engine: FolderEngine
    disk: dict[str, list[Prepared]] = field(default_factory=dict)  # rel -> findings on disk
    workspace: dict[str, list[Prepared]] = field(default_factory=dict)  # rel -> workspace rules
    revision: int = -1  # the newest store revision applied
    watcher: Watcher | None = None
    indexed: asyncio.Event = field(default_factory=asyncio.Event)
    index_task: asyncio.Task[None] | None = None

    def uri_of(self, rel: str) -> str:
        return file_uri(self.uri, rel)

    def rel_of(self, path: Path) -> str | None:
        for base in (self.client_root, self.root):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        real = Path(os.path.realpath(path))
        try:
            return real.relative_to(self.root).as_posix()
        except ValueError:
            return None

    @property
    def client_root(self) -> Path:
        return Path(to_fs_path(self.uri) or self.root)


def file_uri(folder_uri: str, rel: str) -> str:
    """The URI of a file of a folder, spelled with the client's prefix for the folder."""
    return folder_uri.rstrip("/") + "/" + quote(rel)


def uri_path(uri: str) -> Path | None:
    """The file system path of a ``file:`` URI."""
    if urlparse(uri).scheme != "file":
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def untitled_name(uri: str) -> str:
    """A file name for a document that is not a file (``untitled:Untitled-1``)."""
    name = unquote(urlparse(uri).path).rsplit("/", 1)[-1]
    return name if name.endswith(".py") else (name or "untitled") + ".py"


def sibling_uri(root: Path, rel: str) -> str:
    return (root / rel).as_uri()


def default_docs_base() -> str | None:
    """A ``file:`` URI of the rule documentation: the repository's ``docs/rules.md`` when auditls
    runs from a checkout, else a copy rendered from the running catalogue into the user's cache
    directory (never into the workspace)."""
    import auditls

    repo_docs = Path(auditls.__file__).resolve().parents[2] / "docs" / "rules.md"
    if repo_docs.is_file():
        return repo_docs.as_uri()
    text = render_rules_markdown()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for base in (Path(cache), Path(tempfile.gettempdir())):
        directory = base / "auditls" / __version__
        try:
            directory.mkdir(parents=True, exist_ok=True)
            target = directory / "rules.md"
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            return target.as_uri()
        except OSError:
            continue
    return None


class AuditServer(LanguageServer):
    """auditls over LSP; see the module docstring."""

    def __init__(self) -> None:
        super().__init__(
            "auditls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            max_workers=4,
        )
        self.folders: list[Folder] = []
        self.documents: dict[str, OpenDocument] = {}
        self.encoding = "utf-16"
        self.init_settings = EditorSettings()
        self.global_editor = EditorSettings()
        self.global_settings = Settings()
        self.docs_base: str | None = None
        self.hub: DiagnosticsHub | None = None
        self.pipeline: Pipeline[str, Analysis] | None = None
        self.analysis_pool = ThreadPoolExecutor(1, thread_name_prefix="auditls-analyse")
        self.snapshots: Debouncer[str] | None = None
        self.client_watches = False
        self.stopped = False
        self.shutdown_requested = False
        self._reported: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._open: dict[tuple[str, str], str] = {}  # (folder uri, rel path) -> document uri

    # -- capabilities --------------------------------------------------------------------------

    def can(self, dotted: str) -> bool:
        """Whether the client declared a capability (``"window.work_done_progress"``)."""
        value: Any = self.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return bool(value)

    def wants_pull(self) -> bool:
        return self.can("text_document.diagnostic") and self.can(
            "workspace.diagnostics.refresh_support"
        )

    # -- tasks ---------------------------------------------------------------------------------

    def spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        """Run a coroutine in the background, logging (not raising) what it raises."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and (exc := t.exception()) is not None:
                log.error("%s failed: %s: %s", name, type(exc).__name__, exc, exc_info=exc)

        task.add_done_callback(done)
        return task

    def request_refresh(self) -> None:
        self.workspace_diagnostic_refresh(None)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log, never pop up: the user cannot act on a server's internal error."""
        log.error("internal error (%s): %s", getattr(source, "__name__", source), error)

    def tell_user(self, problems: Iterable[str]) -> None:
        """One warning message for a set of problems the user can fix, once per set."""
        text = "; ".join(problems)
        if not text or text in self._reported:
            return
        self._reported.add(text)
        log.warning("settings: %s", text)
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"auditls: {text}")
        )

    # -- folders and documents -----------------------------------------------------------------

    def add_folder(self, uri: str) -> Folder | None:
        path = uri_path(uri)
        if path is None or not path.is_dir():
            log.warning("workspace folder %s is not a local directory; skipped", uri)
            return None
        project, problem = read_pyproject(path)
        editor = self.init_settings
        settings = layer(project, editor)
        engine = FolderEngine(
            path, settings.config, self.encoding, functools.partial(file_uri, uri)
        )
        folder = Folder(uri, engine.root, project, problem, editor, settings, engine)
        self.folders.append(folder)
        return folder

    def folder_of(self, path: Path | None) -> tuple[Folder, str] | None:
        """The folder holding ``path`` (the deepest one) and the path relative to it."""
        if path is None:
            return None
        best: tuple[Folder, str] | None = None
        for folder in self.folders:
            rel = folder.rel_of(path)
            deeper = best is None or len(folder.root.parts) > len(best[0].root.parts)
            if rel is not None and not rel.startswith("../") and deeper:
                best = (folder, rel)
        return best

    def current_text(self, path: Path) -> str | None:
        """A file's text as the user sees it: the open buffer, else the file on disk."""
        for doc in self.documents.values():
            if doc.path == path:
                return self.workspace.get_text_document(doc.uri).source
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def settings_for(self, folder: Folder | None) -> Settings:
        return folder.settings if folder is not None else self.global_settings

    def open_document(self, uri: str, version: int) -> OpenDocument:
        path = uri_path(uri)
        doc = OpenDocument(uri, path, version)
        self.documents[uri] = doc
        found = self.folder_of(path)
        if found is not None:
            self._open[(found[0].uri, found[1])] = uri
        return doc

    def close_document(self, uri: str) -> OpenDocument | None:
        doc = self.documents.pop(uri, None)
        for key in [k for k, v in self._open.items() if v == uri]:
            del self._open[key]
        return doc

    def relocate_documents(self) -> None:
        """Recompute which folder each open document belongs to (after folders changed)."""
        self._open.clear()
        for doc in self.documents.values():
            found = self.folder_of(doc.path)
            if found is not None:
                self._open[(found[0].uri, found[1])] = doc.uri

    def document_for(self, folder: Folder, rel: str) -> OpenDocument | None:
        uri = self._open.get((folder.uri, rel))
        return self.documents.get(uri) if uri is not None else None

    def excluded(self, doc: OpenDocument) -> bool:
        found = self.folder_of(doc.path)
        if found is None:
            return False
        folder, rel = found
        return is_excluded(folder.root, folder.settings.config, rel)

    # -- analysis of open documents ------------------------------------------------------------

    def analyse(self, uri: str, *, delay: float | None = None) -> None:
        """Submit the document's current buffer to the pipeline."""
        doc = self.documents.get(uri)
        if doc is None or self.pipeline is None:
            return
        text = self.workspace.get_text_document(uri).source
        found = self.folder_of(doc.path)
        folder = found[0] if found is not None else None
        if found is not None:
            root, rel, module_root = found[0].root, found[1], found[0].root
            uri_of = found[0].uri_of
        else:
            root = doc.path.parent if doc.path is not None else Path.cwd()
            rel = doc.path.name if doc.path is not None else untitled_name(uri)
            module_root = None
            uri_of = functools.partial(sibling_uri, root)
        path = doc.path
        encoding = self.encoding
        version = doc.version

        def job() -> Analysis:
            module = None
            if path is not None and module_root is not None:
                module = module_name_for(module_root / rel, module_root)
            return analyse_buffer(
                text,
                version=version,
                rel=rel,
                module=module,
                encoding=encoding,
                root=root,
                uri_of=uri_of,
            )

        wait = self.settings_for(folder).debounce if delay is None else delay
        self.pipeline.submit(uri, version, job, wait)

    def deliver(self, uri: str, version: int, analysis: Analysis) -> None:
        doc = self.documents.get(uri)
        if doc is None or doc.version != version:
            return
        doc.accept(analysis)
        self.refresh_document(doc)

    # -- publishing ----------------------------------------------------------------------------

    def visible(self, prepared: Iterable[Prepared], settings: Settings) -> list[Prepared]:
        """The findings the settings let through."""
        config = settings.config
        return [
            p
            for p in prepared
            if is_selected(p.finding.rule, config.select, config.ignore)
            and (settings.syntax_diagnostics or p.finding.rule != "AUD001")
        ]

    def to_lsp(self, prepared: Iterable[Prepared], settings: Settings) -> list[types.Diagnostic]:
        base = settings.docs_url or self.docs_base
        overrides = settings.config.severity_overrides
        return [
            to_diagnostic(p, severity_overrides=overrides, docs_base=base)
            for p in self.visible(prepared, settings)
        ]

    def document_findings(self, doc: OpenDocument) -> tuple[list[Prepared], Settings, int | None]:
        """The buffer's findings, and the workspace rules' findings in its file (computed from
        the store, as of the last save)."""
        found = self.folder_of(doc.path)
        folder = found[0] if found is not None else None
        settings = self.settings_for(folder)
        if doc.current is None:
            return [], settings, None
        if doc.excluded:
            return [], settings, doc.current.version
        cross = folder.workspace.get(found[1], []) if found is not None and folder else []
        return doc.visible() + cross, settings, doc.current.version

    def refresh_document(self, doc: OpenDocument) -> None:
        if self.hub is None or doc.current is None:
            return
        prepared, settings, version = self.document_findings(doc)
        self.hub.set(doc.uri, self.to_lsp(prepared, settings), version)
        found = self.folder_of(doc.path)
        if found is not None and found[0].uri_of(found[1]) != doc.uri:
            self.hub.clear(found[0].uri_of(found[1]))  # a file once published under our spelling

    def refresh_file(self, folder: Folder, rel: str) -> None:
        """Publish what a file of ``folder`` shows: its buffer's findings if it is open, else
        its findings on disk (in the ``workspace`` diagnostic mode)."""
        if self.hub is None:
            return
        doc = self.document_for(folder, rel)
        if doc is not None:
            self.refresh_document(doc)
            return
        uri = folder.uri_of(rel)
        if folder.settings.diagnostic_mode != "workspace":
            self.hub.clear(uri)
            return
        findings = folder.disk.get(rel, []) + folder.workspace.get(rel, [])
        self.hub.set(uri, self.to_lsp(findings, folder.settings), None)

    def refresh_all(self) -> None:
        if self.hub is None:
            return
        for folder in self.folders:
            for rel in list(folder.disk.keys() | folder.workspace.keys()):
                self.refresh_file(folder, rel)
        for doc in list(self.documents.values()):
            self.refresh_document(doc)
        shown = {doc.uri for doc in self.documents.values()}
        for folder in self.folders:
            if folder.settings.diagnostic_mode == "workspace":
                shown.update(folder.uri_of(rel) for rel in folder.disk.keys() | folder.workspace)
        for uri in self.hub.uris():
            if uri not in shown:
                self.hub.clear(uri)

    def apply(self, folder: Folder, changes: Changes) -> None:
        """Take the engine's changes for a folder, unless they are older than what it has."""
        if changes.revision < folder.revision:
            log.debug("dropping changes of revision %d < %d", changes.revision, folder.revision)
            return
        folder.revision = changes.revision
        touched = set(changes.updated) | changes.removed | set(changes.workspace)
        if changes.full:
            touched |= set(folder.disk) | set(folder.workspace)
            folder.disk = {rel: p for rel, p in changes.updated.items() if p}
            folder.workspace = {rel: p for rel, p in changes.workspace.items() if p}
        else:
            for target, found in (
                (folder.disk, changes.updated),
                (folder.workspace, changes.workspace),
            ):
                for rel, prepared in found.items():
                    if prepared:
                        target[rel] = prepared
                    else:
                        target.pop(rel, None)
            for rel in changes.removed:
                folder.disk.pop(rel, None)
                folder.workspace.pop(rel, None)
        for rel in sorted(touched):
            self.refresh_file(folder, rel)
        if (changes.updated or changes.removed or changes.workspace) and self.snapshots:
            self.snapshots.schedule(folder.uri, SNAPSHOT_IDLE, lambda: self.spawn_snapshot(folder))

    def spawn_snapshot(self, folder: Folder) -> None:
        if not self.stopped:
            self.spawn(folder.engine.run(folder.engine.snapshot), "snapshot")

    # -- settings ------------------------------------------------------------------------------

    async def fetch_settings(self) -> None:
        """Ask the client for the ``auditls`` section, per folder and globally."""
        if not self.can("workspace.configuration"):
            return
        items = [types.ConfigurationItem(scope_uri=f.uri, section=SECTION) for f in self.folders]
        items.append(types.ConfigurationItem(section=SECTION))
        try:
            values = await self.workspace_configuration_async(
                types.ConfigurationParams(items=items)
            )
        except Exception as exc:  # a client that answers with an error: keep what we have
            log.warning("workspace/configuration failed: %s", exc)
            return
        values = list(values or [])
        values += [None] * (len(items) - len(values))
        for folder, raw in zip(self.folders, values, strict=False):
            folder.editor = overlay(self.init_settings, parse_editor_settings(raw, origin=SECTION))
        self.global_editor = overlay(
            self.init_settings, parse_editor_settings(values[-1], origin=SECTION)
        )

    def settings_from_notification(self, raw: Any) -> None:
        """A client that cannot be asked sends its settings with the notification."""
        section = raw.get(SECTION) if isinstance(raw, dict) else None
        if section is None:
            return
        layer_ = overlay(self.init_settings, parse_editor_settings(section, origin=SECTION))
        self.global_editor = layer_
        for folder in self.folders:
            folder.editor = layer_

    async def apply_settings(self, *, reload_project: bool = False) -> None:
        """Recompute every folder's settings; reconcile folders whose set of files changed."""
        problems = list(self.global_editor.problems)
        reconcile: list[Folder] = []
        for folder in self.folders:
            if reload_project:
                folder.project, folder.project_problem = read_pyproject(folder.root)
            old = folder.settings
            folder.settings = layer(folder.project, folder.editor)
            problems += [p for p in folder.editor.problems if p not in problems]
            if folder.project_problem:
                problems.append(folder.project_problem)
            await folder.engine.run(folder.engine.set_config, folder.settings.config)
            if index_affecting(old.config, folder.settings.config):
                reconcile.append(folder)
        self.global_settings = layer(Config(), self.global_editor)
        logsetup.set_level(self.global_settings.log_level)
        self.tell_user(problems)
        for doc in self.documents.values():
            doc.excluded = self.excluded(doc)
        self.refresh_all()
        for folder in reconcile:
            if folder.indexed.is_set():
                changes = await folder.engine.run(folder.engine.index)
                self.apply(folder, changes)

    # -- indexing ------------------------------------------------------------------------------

    async def index_folder(self, folder: Folder, title: str, *, rebuild: bool = False) -> None:
        loop = asyncio.get_running_loop()
        token = await self.begin_progress(title, folder)
        last = [0.0, -1]

        def report(done: int, total: int) -> None:  # the store's thread
            now = time.monotonic()
            percent = 100 * done // total if total else 100
            if done < total and (now - last[0] < PROGRESS_EVERY or percent == last[1]):
                return
            last[0], last[1] = now, percent
            if token is not None:
                message = f"{done}/{total} files"
                loop.call_soon_threadsafe(self.report_progress, token, message, percent)

        index = functools.partial(folder.engine.index, report, rebuild=rebuild)
        message = "failed: see the log"
        try:
            changes = await folder.engine.run(index)
            self.apply(folder, changes)
            if changes.cancelled:
                message = "cancelled"
            elif changes.report is not None:
                message = changes.report.summary()
            else:
                message = "done"
        finally:
            folder.indexed.set()  # what waits for the index must not wait for ever
            if token is not None and not self.stopped:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    async def begin_progress(self, title: str, folder: Folder) -> str | None:
        if not self.can("window.work_done_progress"):
            return None
        token = str(uuid.uuid4())
        try:
            await self.work_done_progress.create_async(token)
        except Exception as exc:
            log.info("no progress for %s: %s", title, exc)
            return None
        self.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=title, message=folder.root.name, percentage=0, cancellable=True
            ),
        )
        future = self.work_done_progress.tokens.get(token)
        if future is not None:

            def cancelled(f: Any) -> None:
                if f.cancelled():
                    folder.engine.cancel.set()

            future.add_done_callback(cancelled)
        return token

    def report_progress(self, token: str, message: str, percent: int) -> None:
        if not self.stopped:
            self.work_done_progress.report(
                token, types.WorkDoneProgressReport(message=message, percentage=percent)
            )

    async def start_folder(self, folder: Folder) -> None:
        try:
            note = await folder.engine.run(folder.engine.open)
        except Exception:
            folder.indexed.set()
            raise
        log.info("store of %s: %s", folder.root, note)
        await self.index_folder(folder, "auditls: indexing")

    # -- changes on disk -----------------------------------------------------------------------

    async def disk_changed(self, folder: Folder, paths: set[Path]) -> None:
        """Paths of ``folder`` that changed on disk (watcher, client, save)."""
        if any(
            p.name == "pyproject.toml" and p.parent in (folder.root, folder.client_root)
            for p in paths
        ):
            folder.project, folder.project_problem = read_pyproject(folder.root)
            await self.apply_settings()
        if any(p.name == ".gitignore" for p in paths):
            await self.reconcile(folder)
            return
        sources = {p for p in paths if p.suffix == ".py" or not p.suffix}
        if sources:
            await folder.indexed.wait()
            changes = await folder.engine.run(folder.engine.refresh, sources)
            self.apply(folder, changes)

    async def reconcile(self, folder: Folder) -> None:
        await folder.indexed.wait()
        changes = await folder.engine.run(folder.engine.index)
        self.apply(folder, changes)

    def paths_changed(self, paths: Iterable[Path]) -> None:
        """Group the paths the client saw change by folder and process them (what lies in a
        default excluded directory, ``.auditls/`` included, is not our business)."""
        grouped: dict[int, tuple[Folder, set[Path]]] = {}
        for path in paths:
            found = self.folder_of(path)
            if found is None or any(part in DEFAULT_EXCLUDES for part in found[1].split("/")):
                continue
            grouped.setdefault(id(found[0]), (found[0], set()))[1].add(path)
        for folder, group in grouped.values():
            self.spawn(self.disk_changed(folder, group), "disk changes")

    # -- watching ------------------------------------------------------------------------------

    async def watch_files(self) -> None:
        """The client's watcher when it offers dynamic registration, else ours."""
        if self.can("workspace.did_change_watched_files.dynamic_registration"):
            watchers = [
                types.FileSystemWatcher(glob_pattern="**/*.py"),
                types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                types.FileSystemWatcher(glob_pattern="**/.gitignore"),
                # A deleted directory is reported for itself only.
                types.FileSystemWatcher(glob_pattern="**/*", kind=types.WatchKind.Delete),
            ]
            registration = types.Registration(
                id=str(uuid.uuid4()),
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            try:
                await self.client_register_capability_async(
                    types.RegistrationParams(registrations=[registration])
                )
                self.client_watches = True
                log.info("the client watches files")
                return
            except Exception as exc:
                log.info("the client refused to watch files (%s); watching them here", exc)
        loop = asyncio.get_running_loop()
        for folder in self.folders:
            watcher = Watcher(
                folder.root,
                loop,
                functools.partial(self.on_watched, folder),
                functools.partial(self.on_overflow, folder),
                delay=WATCH_DELAY,
            )
            try:
                watcher.start()
                folder.watcher = watcher
            except OSError as exc:
                log.warning("cannot watch %s: %s", folder.root, exc)
        log.info("watching files with watchdog")

    def on_watched(self, folder: Folder, paths: set[Path]) -> None:
        self.spawn(self.disk_changed(folder, paths), "disk changes")

    def on_overflow(self, folder: Folder) -> None:
        self.spawn(self.reconcile(folder), "reconcile after an overflow")

    async def watch_parent(self, pid: int) -> None:
        """End the daemon when the client's process is gone."""
        while not self.stopped:
            await asyncio.sleep(PARENT_POLL)
            if not process_alive(pid):
                log.info("the client (process %d) is gone; exiting", pid)
                await self.stop()
                os._exit(0)

    # -- stopping ------------------------------------------------------------------------------

    async def stop(self) -> None:
        """Stop watching, drop pending work, cancel indexing, write the snapshots."""
        if self.stopped:
            return
        self.stopped = True
        if self.pipeline is not None:
            self.pipeline.close()
        if self.snapshots is not None:
            self.snapshots.cancel_all()
        if self.hub is not None:
            self.hub.close()
        for folder in self.folders:
            if folder.watcher is not None:
                folder.watcher.stop()
            folder.engine.cancel.set()
        for folder in self.folders:
            try:
                await asyncio.wait_for(folder.engine.run(folder.engine.close), timeout=30)
            except Exception as exc:
                log.warning("closing the store of %s: %s", folder.root, exc)
            folder.engine.shutdown_thread()
        self.analysis_pool.shutdown(wait=False, cancel_futures=True)

    def stop_now(self) -> None:
        """``stop`` without the loop (the process is exiting): best effort, bounded."""
        if self.stopped:
            return
        self.stopped = True
        for folder in self.folders:
            if folder.watcher is not None:
                folder.watcher.stop()
            folder.engine.cancel.set()
            try:
                folder.engine.call_blocking(folder.engine.close, timeout=10)
            except Exception as exc:
                log.warning("closing the store of %s: %s", folder.root, exc)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return True
    return True


# ---------------------------------------------------------------------------------------------
# Handlers


def create_server() -> AuditServer:
    server = AuditServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AuditServer, params: types.InitializeParams) -> None:
        loop = asyncio.get_running_loop()
        ls.encoding = encoding_name(ls.workspace.position_encoding or "utf-16")
        options = params.initialization_options
        if isinstance(options, dict) and set(options) <= {SECTION, "settings"} and options:
            options = options.get(SECTION, options.get("settings"))
        ls.init_settings = parse_editor_settings(options, origin="initializationOptions")
        ls.global_editor = ls.init_settings
        ls.global_settings = layer(Config(), ls.init_settings)
        logsetup.set_level(ls.global_settings.log_level)
        folders = [f.uri for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [params.root_uri]
        for uri in folders:
            ls.add_folder(uri)
        ls.docs_base = default_docs_base()
        pull = ls.wants_pull()
        ls.hub = DiagnosticsHub(
            loop,
            pull=pull,
            publish=ls.text_document_publish_diagnostics,
            refresh=ls.request_refresh,
        )
        ls.pipeline = Pipeline(loop, ls.analysis_pool, ls.deliver)
        ls.snapshots = Debouncer(loop)
        if pull:
            ls.feature(
                types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(
                    identifier=SECTION, inter_file_dependencies=False, workspace_diagnostics=True
                ),
            )(document_diagnostic)
            ls.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
        log.info(
            "auditls %s: %d folder(s), positions in %s, diagnostics %s",
            __version__,
            len(ls.folders),
            ls.encoding,
            "pulled" if pull else "pushed",
        )

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AuditServer, params: types.InitializedParams) -> None:
        loop = asyncio.get_running_loop()
        logsetup.attach_client(logsetup.ClientLogHandler(loop, ls.window_log_message))
        await ls.fetch_settings()
        await ls.apply_settings()
        if ls.process_id is not None:
            ls.spawn(ls.watch_parent(ls.process_id), "watch the client's process")
        await ls.watch_files()
        for folder in ls.folders:
            folder.index_task = ls.spawn(ls.start_folder(folder), f"index {folder.root}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AuditServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = ls.open_document(params.text_document.uri, params.text_document.version)
        doc.excluded = ls.excluded(doc)
        ls.analyse(doc.uri, delay=0.0)  # open documents go first, without a debounce

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AuditServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is not None:
            doc.version = params.text_document.version
            ls.analyse(doc.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: AuditServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.pipeline is not None and uri in ls.documents:
            # What was typed before the save shows now; the store re-indexes the file after
            # that, so the two extractions do not compete for the interpreter.
            await ls.pipeline.settled(uri)
        path = uri_path(uri)
        found = ls.folder_of(path)
        if path is not None and found is not None:
            await ls.disk_changed(found[0], {path})

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: AuditServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = ls.close_document(uri)
        if ls.pipeline is not None:
            ls.pipeline.forget(uri)
        if doc is None or ls.hub is None:
            return
        found = ls.folder_of(doc.path)
        if found is None:
            ls.hub.clear(uri)
            return
        folder, rel = found
        if folder.uri_of(rel) != uri:
            ls.hub.clear(uri)
        if doc.path is not None and folder.indexed.is_set():
            # Back to the file on disk, as it is now: a save just before the close is queued
            # on the store's thread ahead of this.
            changes = await folder.engine.run(folder.engine.refresh, {doc.path})
            ls.apply(folder, changes)
        ls.refresh_file(folder, rel)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: AuditServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        paths = [p for p in (uri_path(change.uri) for change in params.changes) if p is not None]
        ls.paths_changed(paths)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: AuditServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if ls.can("workspace.configuration"):
            await ls.fetch_settings()
        else:
            ls.settings_from_notification(params.settings)
        await ls.apply_settings()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(
        ls: AuditServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        for removed in params.event.removed:
            for folder in [f for f in ls.folders if f.uri == removed.uri]:
                ls.folders.remove(folder)
                if folder.watcher is not None:
                    folder.watcher.stop()
                if ls.hub is not None:
                    for rel in folder.disk:
                        ls.hub.clear(folder.uri_of(rel))
                folder.engine.cancel.set()
                await folder.engine.run(folder.engine.close)
                folder.engine.shutdown_thread()
            ls.relocate_documents()
        for added in params.event.added:
            new = ls.add_folder(added.uri)
            ls.relocate_documents()
            if new is not None:
                await ls.fetch_settings()
                await ls.apply_settings()
                new.index_task = ls.spawn(ls.start_folder(new), f"index {new.root}")

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: AuditServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        if ls.pipeline is not None:
            await ls.pipeline.settled(doc.uri)
        text = ls.workspace.get_text_document(doc.uri).source
        line, column = engine_position(Lines(text), params.position, ls.encoding)
        prepared, settings, _ = ls.document_findings(doc)
        shown = ls.visible(prepared, settings)
        found = ls.folder_of(doc.path)
        engine = found[0].engine if found is not None else None
        ctx = HoverContext(
            uri=doc.uri,
            path=found[1] if found is not None else (doc.path.name if doc.path else doc.uri),
            line=line,
            column=column,
            text=text,
            facts=doc.facts,
            findings=[p.finding for p in shown],
            docs_base=settings.docs_url or ls.docs_base,
            # Behind a cold index the store's thread is busy for seconds: no store lookups then.
            store_query=(
                functools.partial(engine.query, timeout=HOVER_QUERY_TIMEOUT)
                if engine is not None and not engine.indexing
                else None
            ),
        )
        markdown = await asyncio.get_running_loop().run_in_executor(None, hover_markdown, ctx)
        if markdown is None:
            return None
        covering = [p for p in shown if ctx.covers(p.finding)]
        kind = types.MarkupKind.Markdown
        formats = ls.client_capabilities.text_document
        offered = formats.hover.content_format if formats and formats.hover else None
        if offered is not None and types.MarkupKind.Markdown not in offered:
            kind = types.MarkupKind.PlainText
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=markdown),
            range=covering[0].range if covering else None,
        )

    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(
        ls: AuditServer, params: types.WorkspaceSymbolParams
    ) -> list[types.WorkspaceSymbol]:
        """Flask routes by method and URL, from every folder that is not being indexed."""
        loop = asyncio.get_running_loop()
        found: list[types.WorkspaceSymbol] = []
        for folder in list(ls.folders):
            engine = folder.engine
            if engine is None or engine.indexing:
                continue
            routes = await loop.run_in_executor(
                None,
                functools.partial(
                    engine.query, routes_matching(params.query), timeout=HOVER_QUERY_TIMEOUT
                ),
            )
            found.extend(to_symbols(folder.root, routes, ls.encoding, ls.current_text))
        return found

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: AuditServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        if uri not in ls.documents or ls.hub is None:
            return None
        hub = ls.hub
        text = ls.workspace.get_text_document(uri).source

        def known(diagnostic: types.Diagnostic) -> types.Diagnostic | None:
            for own in hub.get(uri):
                if own.code == diagnostic.code and own.range == diagnostic.range:
                    return own
            return None

        return code_actions(uri, text, params.context.diagnostics, known, params.context.only)

    @server.command(CMD_REINDEX)
    async def reindex(ls: AuditServer, *args: Any) -> list[dict[str, Any]]:
        """Forget and re-extract every file of every folder, with progress."""
        for folder in ls.folders:
            await folder.indexed.wait()
            await ls.index_folder(folder, "auditls: re-indexing", rebuild=True)
        return await status_of(ls)

    @server.command(CMD_STATUS)
    async def show_index_status(ls: AuditServer, *args: Any) -> list[dict[str, Any]]:
        """Files, facts, findings, last index time and store path of every folder."""
        statuses = await status_of(ls)
        for status in statuses:
            log.info("index status: %s", status)
        lines = [
            f"{Path(s['root']).name}: {s['files']} files, {s['facts']} facts, "
            f"{s['findings']} findings, last indexed {s['lastIndex'] or 'never'} "
            f"({s['store'] or 'in memory'})"
            for s in statuses
        ]
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info,
                message="auditls: " + ("; ".join(lines) or "no workspace folder"),
            )
        )
        return statuses

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: AuditServer, params: None) -> None:
        ls.shutdown_requested = True
        await ls.stop()

    @server.feature(types.EXIT)
    def exit_(ls: AuditServer, params: None) -> None:
        # pygls would now sys.exit() and then wait for its stdin reader thread, which a client
        # that keeps the pipe open never ends. Everything is written already: leave now.
        ls.stop_now()
        logging.shutdown()
        os._exit(0 if ls.shutdown_requested else 1)

    return server


async def status_of(ls: AuditServer) -> list[dict[str, Any]]:
    statuses = []
    for folder in ls.folders:
        try:
            status = await folder.engine.run(folder.engine.status)
        except Exception as exc:
            status = {
                "root": str(folder.root),
                "error": str(exc),
                "files": 0,
                "facts": 0,
                "findings": 0,
                "lastIndex": None,
                "store": None,
            }
        status["watcher"] = (
            "client" if ls.client_watches else ("watchdog" if folder.watcher else "none")
        )
        status["openDocuments"] = len(ls.documents)
        statuses.append(status)
    return statuses


async def document_diagnostic(
    ls: AuditServer, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport:
    """Pull: wait for the document's latest version, then report (unchanged if the client's
    result id is current)."""
    assert ls.hub is not None
    uri = params.text_document.uri
    ls.hub.pulling(uri, +1)
    try:
        if uri in ls.documents and ls.pipeline is not None:
            await ls.pipeline.settled(uri)
        return ls.hub.document_report(uri, params.previous_result_id)
    finally:
        ls.hub.pulling(uri, -1)


async def workspace_diagnostic(
    ls: AuditServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    assert ls.hub is not None
    previous = {p.uri: p.value for p in params.previous_result_ids}
    return ls.hub.workspace_report(previous, ls.hub.uris())


def serve(*, tcp: bool = False, host: str = "127.0.0.1", port: int = 2087) -> int:
    """Run the server until the client leaves; returns the exit code."""
    import sys

    logsetup.setup_stderr()
    server = create_server()
    if tcp:
        # pygls says where it listens (with the real port when asked for port 0) at INFO.
        logging.getLogger("pygls.server").setLevel(logging.INFO)
        server.start_tcp(host, port)
    else:
        stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
        sys.stdout = sys.stderr  # a stray print() must not corrupt the protocol
        server.start_io(stdin, stdout)
    server.stop_now()  # the client closed the connection without shutdown/exit
    return 0
