"""The server's state: ``AuditServer`` (folders, open documents, what the client can do, the
background tasks) and ``Folder`` (one workspace folder's settings, engine and findings on disk).

Only lookups and bookkeeping live here. What the server does with that state lives by job in the
modules that ``app`` registers as handlers (``lifecycle``, ``folders``, ``configuration``,
``text_sync``, ``file_events``, ``publish``, ``features``, ``commands``); each takes the server
as its first argument, ``ls``.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from auditls import __version__
from auditls.config import Config
from auditls.extractors.reparse import Reparser
from auditls.facts import escape_path
from auditls.index import is_excluded, real_name, real_path
from auditls.index.workers import start_worker
from auditls.server.baseline import Baseline
from auditls.server.config import EditorSettings, Settings
from auditls.server.convert import Prepared
from auditls.server.diagnostics import DiagnosticsHub
from auditls.server.documents import Analysis, OpenDocument
from auditls.server.engine import Buffer, Changes, FolderEngine
from auditls.server.scheduler import Debouncer, Foreground, Pipeline
from auditls.server.transport import ServerProtocol
from auditls.server.watch import Watcher

#: The logger of every module the handlers live in: one name (the one the server has always
#: logged under), so the stderr lines read the same whichever module a handler moved to.
SERVER_LOGGER = "auditls.server.app"

log = logging.getLogger(SERVER_LOGGER)


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
    applied: Changes | None = None  # the last changes applied (one batch's callers share them)
    watcher: Watcher | None = None
    indexed: asyncio.Event = field(default_factory=asyncio.Event)
    index_task: asyncio.Task[None] | None = None
    reindex_task: asyncio.Task[None] | None = None  # ``auditls.reindex``, while it runs
    buffers: dict[str, Buffer] = field(default_factory=dict)  # rel -> last good, to send
    baseline: Baseline = field(default_factory=Baseline)  # [tool.auditls] baseline, as read
    buffers_task: asyncio.Task[None] | None = None  # sending them to the engine
    #: The engine's batches some event waits for -> what runs once their changes are applied
    #: (``publish.apply_when_done``: one waiter per batch, not one per event).
    waiting: dict[asyncio.Future[Changes], list[Callable[[], None]]] = field(default_factory=dict)

    def uri_of(self, rel: str) -> str:
        return file_uri(self.uri, rel, self.root)

    def rel_of(self, path: Path) -> str | None:
        """``path`` relative to the folder, spelled as the store spells it (a name that is not
        UTF-8 escaped, ``facts.escape_path``)."""
        for base in (self.client_root, self.root):
            try:
                return escape_path(path.relative_to(base).as_posix())
            except ValueError:
                continue
        real = Path(os.path.realpath(path))
        try:
            return escape_path(real.relative_to(self.root).as_posix())
        except ValueError:
            return None

    @property
    def client_root(self) -> Path:
        return Path(to_fs_path(self.uri) or self.root)


def file_uri(folder_uri: str, rel: str, root: Path | None = None) -> str:
    """The URI of a file of a folder, spelled with the client's prefix for the folder.

    ``rel`` is the store's spelling; a name that is not UTF-8 is stored escaped, and its URI
    percent-encodes the file's real bytes (``bad_\\xff.py`` is ``bad_%FF.py``), so the client
    finds the file. With ``root`` the real name is checked on disk (``index.real_path``)."""
    name = real_name(rel) if root is None else real_path(root, rel).relative_to(root).as_posix()
    return folder_uri.rstrip("/") + "/" + quote(os.fsencode(name))


def uri_path(uri: str) -> Path | None:
    """The file system path of a ``file:`` URI (percent-encoded bytes that are not UTF-8 give
    the name ``os.fsdecode`` gives that file)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    if "%" in parsed.path:
        raw = unquote_to_bytes(parsed.path)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            if not parsed.netloc:  # a local path (pygls handles UNC and drive letters)
                return Path(os.fsdecode(raw))
    path = to_fs_path(uri)
    return Path(path) if path else None


def untitled_name(uri: str) -> str:
    """A file name for a document that is not a file (``untitled:Untitled-1``)."""
    name = unquote(urlparse(uri).path).rsplit("/", 1)[-1]
    return name if name.endswith(".py") else (name or "untitled") + ".py"


def sibling_uri(root: Path, rel: str) -> str:
    return (root / rel).as_uri()


class AuditServer(LanguageServer):
    """auditls over LSP: the state the handlers share; see ``app`` for the life cycle."""

    def __init__(self) -> None:
        super().__init__(
            "auditls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=ServerProtocol,
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
        #: The full analyses that follow a quick one (``text_sync.deliver``), on the same thread.
        self.completion: Pipeline[str, Analysis] | None = None
        self.analysis_pool = ThreadPoolExecutor(1, thread_name_prefix="auditls-analyse")
        #: The last trees the analysis thread parsed: an edit re-parses what it touched.
        self.reparser = Reparser()
        #: The open buffers' analyses running now; the stores' threads step aside for them.
        self.foreground = Foreground()
        self._worker_pool: ProcessPoolExecutor | None = None
        self.snapshots: Debouncer[str] | None = None
        self.client_watches = False
        self.stopped = False
        self.shutdown_requested = False
        self._reported: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._open: dict[tuple[str, str], str] = {}  # (folder uri, rel path) -> document uri
        #: Run by ``auditls.supervisor``, which replaces this process when asked (``recycle``).
        self.supervised = False
        self.rss_baseline: float | None = None  # MB once every folder is first indexed
        self.batches_applied = 0  # store batches of events (saves, watcher, buffers) applied
        self.batches_at_baseline = 0
        self.recycle_asked = False
        #: Files the process this one replaced showed diagnostics for (``recycle.shown``).
        self.shown_before: set[str] = set()

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

    def worker_pool(self) -> ProcessPoolExecutor:
        """The worker process for large buffers (``documents``), started at the first one
        (and again after it died). Spawned, in safe-path mode, checked by ``isolation.verify``
        and ending with the server, as the indexer's workers (``index.workers.start_worker``)."""
        pool = self._worker_pool
        if pool is None or getattr(pool, "_broken", False):  # a crashed worker: start anew
            context = multiprocessing.get_context("spawn")  # fork is unsafe next to threads
            pool = ProcessPoolExecutor(1, mp_context=context, initializer=start_worker)
            self._worker_pool = pool
        return pool

    def stop_pools(self) -> None:
        """Drop pending analyses; end the worker process now, even in the middle of one."""
        self.analysis_pool.shutdown(wait=False, cancel_futures=True)
        pool, self._worker_pool = self._worker_pool, None
        if pool is not None:
            # No public way to stop a running job: end the workers, then reap them, so that
            # the pool's semaphores are released before the process leaves.
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)

    # -- tasks and messages --------------------------------------------------------------------

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

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log, never pop up: the user cannot act on a server's internal error."""
        log.error("internal error (%s): %s", getattr(source, "__name__", source), error)

    def tell_user(self, problems: Iterable[str], what: str = "settings") -> None:
        """One warning message for a set of problems the user can fix, once per set."""
        text = "; ".join(problems)
        if not text or text in self._reported:
            return
        self._reported.add(text)
        log.warning("%s: %s", what, text)
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"auditls: {text}")
        )

    # -- folders and documents -----------------------------------------------------------------

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

    def text(self, uri: str) -> str:
        """The text of an open document's buffer."""
        return self.workspace.get_text_document(uri).source

    def current_text(self, path: Path) -> str | None:
        """A file's text as the user sees it: the open buffer, else the file on disk."""
        for doc in self.documents.values():
            if doc.path == path:
                return self.text(doc.uri)
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
        return is_excluded(folder.root, folder.settings.config, real_name(rel))
