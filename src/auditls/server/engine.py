"""One workspace folder's store, and the only thread that touches it.

The store's SQLite connection belongs to the thread that opened it, and indexing is long CPU
work that must not stall the event loop, so each folder gets one worker thread (a single-thread
executor) that opens the store and runs every store operation, one at a time, in the order they
were asked for. The loop awaits ``engine.run(engine.index)``; a save, a close, a file event or
an open buffer goes in with ``engine.enqueue(...)`` (``update_batched`` to wait for it), which
merges every such call made while one waits into one job (one run of the workspace rules),
whose future gives a ``Changes``; one task per job waits for it (``publish.apply_when_done``),
not one per event. Before each
step of that job (and each workspace rule) the thread steps aside while an open buffer is being
analysed (``step_aside``, bounded), so that a save's own findings go out before the rules'.
The engine asks the store questions by name (``file_states``, ``facts_of_files``, ``file_count``);
it writes no SQL.

The store mirrors the disk, except for open buffers. An open document's last good facts (the
latest version of its buffer that parsed) stand in the store for its file's while the two differ
(``set_buffers``; ``drop_buffer`` when it closes), so that the workspace rules, which read the
store, see what ``auditls check`` would see if every buffer were saved: a route in a buffer
that was fixed by typing counts, whatever the disk holds. How an overlay works:

1. Its row has the buffer's hash, status "ok" and a size and mtime of -1, which match no file
   (``laid_over``), so that any index or refresh of that path reads the disk again and puts the
   disk's row back. After every store operation ``_overlay`` looks at each open buffer: if the
   store holds the disk's row and its hash is not the buffer's, the buffer's facts go in again
   (a facts-equal buffer is not written twice: the early cutoff of ``_overlay``).
2. What the disk holds is remembered as its state only (``_disk``), for ``_diff``: the per-file
   findings in ``Changes.updated`` stay the disk's (a closed file shows them again), and a save
   of the buffer's text is seen as the change of the disk it is.
3. The snapshot never holds unsaved text: ``snapshot`` re-indexes the overlaid paths from the
   disk, writes, then lays the buffers over again; the taint state is not saved while a buffer
   stands in the store.

Large buffers (analysed in a worker process, without their facts) and excluded files are not
laid over.

What a ``Changes`` holds, per file whose row changed: every finding of every per-file rule,
prepared for the client (ranges in its encoding, suppression edits in ``data``). Which rules show
and at what severity is decided when publishing, so a settings change needs no trip to this
thread.

Workspace rules (``rules.workspace``: a Flask route and the hooks of its app, in other files)
run after every operation that moved the store's revision, over the whole store; the files
whose workspace findings changed, *whichever file changed on disk*, are in
``Changes.workspace``. That is how a save "recomputes what depends on it".

How a change is found: every file's state (``Store.file_states``: hash, status, module, version,
error) is read before and after ``index_workspace``; a state that differs or vanished is a changed
file. The indexer's own early cutoff (same hash, nothing written) makes an unchanged save cost a
stat and a hash.

A warm start must not re-read every file's facts to learn that most have no finding: the
per-file findings are kept with the row they were computed from, and written beside the
snapshot (``.auditls/server-findings.json``, atomically and under the writers' lock, only
beside a current snapshot: ``Store.write_beside``) with a digest of
auditls's own sources. At start-up an entry is reused while its row and that digest are
unchanged; only files with findings have their facts read (for the suppression edits). The file
is a cache like the snapshot: a missing, stale or unreadable one only costs the recomputation.

A file recorded without facts (over the size cap, unreadable, a FIFO or a device) gets its
AUD003 from the same per-file rules as in ``auditls check``, without being read again, and is
counted in the status (``notAnalysed``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from auditls import yielding
from auditls.config import Config
from auditls.extractors import EXTRACTOR_VERSION, is_indexed
from auditls.facts import FileFacts
from auditls.facts.core import SuppressionFact
from auditls.index import IndexReport, index_workspace, is_excluded, real_path
from auditls.knowledge.taint import with_user_models
from auditls.rules import Finding, check_facts, check_workspace
from auditls.rules.cache import code_version, finding_from_obj, finding_to_obj
from auditls.rules.core import NOT_ANALYSED_STATUSES
from auditls.rules.runner import EVERY_RULE
from auditls.server.convert import Prepared
from auditls.server.findings import prepare_findings, read_text
from auditls.server.memory import TRIMMER, Trimmer, refreeze, trim
from auditls.store import Store, StoreError
from auditls.store.schema import FileRow
from auditls.taint import save_state

T = TypeVar("T")

log = logging.getLogger(__name__)

#: ``on_progress(done, total)``; called on the store's thread.
Progress = Callable[[int, int], None]

#: The findings cache, beside the snapshot in ``<root>/.auditls/``.
CACHE_NAME = "server-findings.json"
#: The taint rules (AUD5xx) run here only in workspaces up to this many files. A save
#: re-summarises only what it touches (``auditls.taint``), but the engine keeps what links
#: every function in memory (about 50 KB a file on the benchmark corpus). ``auditls check``
#: runs them on any workspace.
TAINT_MAX_FILES = 3000
#: Store batches (saves, edits, file events) after which an idle folder's ``tidy`` collects the
#: garbage frozen objects left (``memory.refreeze``): about 1-2 MB per 1,000.
TIDY_BATCHES = 500

#: Seconds one ``update`` may spend waiting for open buffers' analyses (``step_aside``), in
#: all: someone typing without pause must not hold the workspace rules up for ever.
ASIDE_BUDGET = 0.5
#: Seconds between two checks for a buffer's analysis inside one step of a batch (the points
#: of ``auditls.yielding``: between two function bodies extracted, two taint components...).
YIELD_EVERY = 0.002
#: Paths and buffers one step of a store batch takes at most (``_run_batch``), the workspace
#: rules run after each. Saves that came faster than the store ran merged into one batch of
#: 641 paths and 633 buffers in the soak (a branch switch makes thousands); re-indexed at once,
#: every changed file's facts and findings were alive together, the taint engine was rebuilt
#: rather than updated, and the long-lived objects allocated during that peak kept pymalloc's
#: arenas of it (150 -> 201 MiB in that one batch). ``bench/batch_bench.py`` (700 files of the
#: benchmark corpus changed, twice): in one go 28 + 30 s, arenas 109 -> 181 -> 223 MiB; in
#: spread steps of 128, 36 + 31 s, 110 -> 144 -> 173 MiB; of 64, 42 + 47 s, 109 -> 142 -> 157.
BATCH_STEP = 128
#: A files row as the engine compares them: hash, status, module, extractor version, error.
RowKey = tuple[Any, ...]
#: The size and mtime of an overlay's row: no file on disk has them, so the indexer reads the
#: disk again whenever it is asked about that path.
OVERLAY_STAT = -1


@dataclass(frozen=True, slots=True)
class Buffer:
    """An open document's last good buffer, as the engine lays it over its file."""

    facts: FileFacts  # status "ok"
    text: str  # the text they were extracted from
    hash: str  # ``content_hash`` of its bytes (``documents.buffer_bytes``)


def laid_over(row: FileRow | None) -> bool:
    """Whether a files row is an open buffer's (an error row has size -1 too, never "ok")."""
    return row is not None and row.size == OVERLAY_STAT and row.status == "ok"


class IndexCancelled(Exception):
    """Raised from the progress callback to stop an index run."""


@dataclass(slots=True)
class Changes:
    """What one store operation changed."""

    revision: int  # the store's revision after the operation
    updated: dict[str, list[Prepared]] = field(default_factory=dict)  # rel path -> findings
    removed: set[str] = field(default_factory=set)  # rel paths the store no longer has
    workspace: dict[str, list[Prepared]] = field(default_factory=dict)  # rel -> workspace findings
    full: bool = False  # ``updated`` and ``workspace`` name every file with findings
    report: IndexReport | None = None  # the index run behind it, if any
    cancelled: bool = False  # the run was stopped before the end

    def followed_by(self, later: Changes) -> Changes:
        """These changes and then ``later``'s, as one (the steps of one batch)."""
        for path, found in later.updated.items():
            self.updated[path] = found
            self.removed.discard(path)
        for path in later.removed:
            self.removed.add(path)
            self.updated.pop(path, None)
        self.workspace.update(later.workspace)
        self.revision = later.revision
        self.report = later.report or self.report
        self.full = self.full or later.full
        self.cancelled = self.cancelled or later.cancelled
        return self


@dataclass(slots=True)
class _Batch:
    """What waits for one ``update`` (``FolderEngine.update_batched``): paths to re-index, and
    open buffers to lay over (a ``Buffer``) or hand back to the disk (None), the last per path
    winning."""

    paths: set[Path] = field(default_factory=set)
    buffers: dict[str, Buffer | None] = field(default_factory=dict)
    future: asyncio.Future[Changes] | None = None


class FolderEngine:
    """The store of one workspace folder and the thread that owns it."""

    def __init__(
        self, root: Path, config: Config, encoding: str, uri_of: Callable[[str], str]
    ) -> None:
        self.root = Path(os.path.realpath(root))
        self.config = config
        self.encoding = encoding
        self.uri_of = uri_of
        self.cancel = threading.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="auditls-store")
        self._store: Store | None = None
        self._counts: dict[str, int] = {}  # rel path -> findings, for the status
        self._unread: set[str] = set()  # rel paths recorded without facts (AUD003)
        self._workspace: dict[str, list[Finding]] = {}  # rel path -> workspace findings
        self._workspace_revision = -1  # the store revision they were computed at
        self._taint_skipped = False  # logged once that the taint rules are off here
        self._known: dict[str, tuple[RowKey, list[Finding]]] = {}  # path -> (row, findings)
        self._known_dirty = False
        self._buffers: dict[str, Buffer] = {}  # path -> the open document's last good buffer
        self._disk: dict[str, RowKey | None] = {}  # overlaid path -> the disk's state (None: none)
        self._batch: _Batch | None = None  # the refresh that has not started yet
        self._batch_lock = threading.Lock()
        #: Called (on the store's thread) before each step of a batch: waits while an open
        #: buffer is analysed (``scheduler.Foreground``), so that its findings go out first.
        self.step_aside: Callable[[], object] | None = None
        self._next_yield = 0.0  # ``_yield_point``
        self._aside_left = ASIDE_BUDGET
        #: Gives glibc's free pages back after a batch (``memory``; one for the process).
        self.trimmer: Trimmer = TRIMMER
        self._batches_since_freeze = 0  # store batches since the last ``memory.refreeze``
        #: Set by the store's thread, read anywhere (plain values).
        self.indexing = False
        self.last_index: float | None = None  # time.time() of the last completed index
        self.last_report: IndexReport | None = None
        self.load_note = "not opened"
        self.problem: str | None = None  # why the index is in memory only (told to the user)

    # -- from the loop -------------------------------------------------------------------------

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the store's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def refresh_batched(self, paths: Collection[Path]) -> Changes:
        """``refresh`` of ``paths``, merged with what else waits (``update_batched``)."""
        return await self.update_batched(paths=paths)

    async def update_batched(
        self,
        *,
        paths: Collection[Path] = (),
        buffers: dict[str, Buffer] | None = None,
        dropped: Collection[str] = (),
    ) -> Changes:
        """``enqueue``, then wait for the batch's ``Changes``."""
        return await asyncio.shield(self.enqueue(paths=paths, buffers=buffers, dropped=dropped))

    def enqueue(
        self,
        *,
        paths: Collection[Path] = (),
        buffers: dict[str, Buffer] | None = None,
        dropped: Collection[str] = (),
    ) -> asyncio.Future[Changes]:
        """Re-index ``paths``, lay ``buffers`` over their files (``set_buffers``) and hand the
        ``dropped`` paths back to the disk (``drop_buffer``), on the store's thread, merged with
        every other call made while it waits to start (``update``): saves, their watcher
        events, closes and buffers that come faster than the store runs the workspace rules
        queue one job, not one each, and the rules run once for all of them (once per
        ``BATCH_STEP`` of them in a large job: ``_update_in_steps``). One job per call
        let the queue grow without bound: 1,250 refreshes after 200 soak cycles, then (with
        the refreshes merged) a ``drop_buffer`` per close and a ``set_buffers`` per analysis,
        each holding its document and running the rules, while the store ran ever further
        behind (the daemon grew 165 MB over 900 cycles). The calls merged share the batch's
        future (``publish.apply_when_done`` waits for it once); call on the loop."""
        with self._batch_lock:
            batch = self._batch
            if batch is None:
                batch = self._batch = _Batch()
            batch.paths.update(paths)
            if buffers:
                batch.buffers.update(buffers)
            for path in dropped:
                batch.buffers[path] = None
        if batch.future is None:  # on the loop: no other call runs between these lines
            batch.future = asyncio.ensure_future(self.run(self._run_batch, batch))
        return batch.future

    def _run_batch(self, batch: _Batch) -> Changes:
        with self._batch_lock:  # from here on, new calls start a new batch
            if self._batch is batch:
                self._batch = None
            paths = set(batch.paths)
            buffers = dict(batch.buffers)
        batch.paths.clear()  # the documents named are not kept while the callers wake
        batch.buffers.clear()
        self._batches_since_freeze += 1
        try:
            with yielding.hooked(self._yield_point):  # long steps wait for buffers there too
                return self._update_in_steps(paths, buffers)
        finally:
            # What the batch allocated is freed now; glibc would keep the pages (``memory``):
            # always when no batch waits (the store goes idle), else at most every few seconds.
            with self._batch_lock:
                idle = self._batch is None
            self.trimmer.maybe(force=idle)

    def _update_in_steps(self, paths: set[Path], buffers: dict[str, Buffer | None]) -> Changes:
        """``update`` of at most ``BATCH_STEP`` paths and buffers at a time, within one
        budget for stepping aside: buffers handed back to the disk first, then the paths,
        then the buffers laid over, as one ``update`` orders them."""
        if len(paths) + len(buffers) <= BATCH_STEP:
            return self.update(paths, buffers)
        dropped = sorted(path for path, buffer in buffers.items() if buffer is None)
        laid = sorted(path for path, buffer in buffers.items() if buffer is not None)
        # The paths spread over the steps (every n-th, n the number of steps), not a package
        # per step: ``bench/batch_bench.py`` in sorted runs of 64 left pymalloc's arenas
        # 109 -> 159 -> 208 MiB, spread 109 -> 142 -> 157.
        ordered = sorted(paths)
        steps = -(-len(ordered) // BATCH_STEP)
        spread = [path for offset in range(steps) for path in ordered[offset::steps]]
        items: list[Path | str] = [*dropped, *spread, *laid]
        self._aside_left = ASIDE_BUDGET  # for the whole batch
        changes: Changes | None = None
        for start in range(0, len(items), BATCH_STEP):
            step = items[start : start + BATCH_STEP]
            part = self._update(
                {item for item in step if isinstance(item, Path)},
                {item: buffers[item] for item in step if isinstance(item, str)},
            )
            changes = part if changes is None else changes.followed_by(part)
            self.trimmer.maybe()
        assert changes is not None  # items is not empty
        return changes

    def query(self, fn: Callable[[Store], T], timeout: float = 30.0) -> T:
        """Run ``fn(store)`` on the store's thread and wait for it (from any other thread)."""
        return self._executor.submit(self._query, fn).result(timeout)

    def _query(self, fn: Callable[[Store], T]) -> T:
        return fn(self._require())

    def call_blocking(self, fn: Callable[[], T], timeout: float) -> T:
        """Run ``fn()`` on the store's thread and wait (for use without the event loop)."""
        return self._executor.submit(fn).result(timeout)

    def shutdown_thread(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- on the store's thread -----------------------------------------------------------------

    def _yield_point(self) -> None:
        """``step_aside`` inside a long step (``auditls.yielding``): at most every
        ``YIELD_EVERY`` seconds (the check takes a lock)."""
        now = time.perf_counter()
        if now >= self._next_yield:
            self._next_yield = now + YIELD_EVERY
            self._step_aside()

    def _step_aside(self) -> None:
        """``step_aside``, within what is left of the batch's budget (``ASIDE_BUDGET``)."""
        if self.step_aside is None or self._aside_left <= 0:
            return
        started = time.perf_counter()
        self.step_aside()
        self._aside_left -= time.perf_counter() - started

    def _require(self) -> Store:
        if self._store is None:
            raise StoreError(f"store of {self.root} is not open")
        return self._store

    def open(self) -> str:
        """Open the store (loading its snapshot when usable); returns what happened to it."""
        try:
            self._store = Store.open(self.root)
        except StoreError as exc:
            log.warning("%s; keeping the index in memory only", exc)
            self.problem = str(exc)
            self._store = Store.open(self.root, persist=False)
        self.load_note = self._store.load_note
        if self._store.persist and not self._store.rebuilt:
            self._load_cache()
        return self.load_note

    def index(self, on_progress: Progress | None = None, *, rebuild: bool = False) -> Changes:
        """Reconcile the whole folder with the disk (after forgetting everything with
        ``rebuild``); the changes name every file with findings."""
        store = self._require()
        if rebuild:
            for row in store.files():
                store.remove_file(row.path)
            self._known.clear()
        self.cancel.clear()
        self._aside_left = ASIDE_BUDGET
        self.indexing = True
        cancelled = False
        report = None

        def progress(done: int, total: int) -> None:
            if self.cancel.is_set():
                raise IndexCancelled
            if on_progress is not None:
                on_progress(done, total)

        try:
            report = index_workspace(
                self.root, store, self.config, jobs=0, progress=False, on_progress=progress
            )
            self.last_report = report
            self.last_index = time.time()
            if report.store_notes:  # the snapshot was not written (another auditls writes)
                self.problem = report.store_notes[-1]
        except IndexCancelled:
            cancelled = True
            log.info("indexing %s was cancelled; run auditls.reindex to finish it", self.root)
        finally:
            self.indexing = False
        # From here a save writes one file's rows: the index's 64 MiB page cache would stay
        # a quarter of the daemon's memory for nothing (``Store.shrink_cache``).
        store.shrink_cache()
        self._settle(store)  # the index read the overlaid paths from the disk again
        changes = Changes(store.revision, full=True, report=report, cancelled=cancelled)
        self._counts.clear()
        self._unread.clear()
        rows = store.file_states()
        for path in self._disk:  # still laid over (a cancelled index): not the disk's
            rows.pop(path, None)
        for path in [p for p in self._known if p not in rows]:
            del self._known[path]
            self._known_dirty = True
        for path, key in sorted(rows.items()):
            prepared = self._findings(store, path, key)
            if prepared:
                changes.updated[path] = prepared
        self._overlay(store)
        self._workspace_revision = -1
        self._workspace.clear()
        self._workspace_findings(store, changes)
        changes.revision = store.revision
        if self._known_dirty:
            self._save_cache(store)  # with the new snapshot
        if not self._disk:
            save_state(store)  # the taint engine beside the snapshot written by the index
        if report is not None:
            for note in report.notes:
                log.info("%s: %s: %s", note.path, note.kind, note.message)
            log.info("indexed %s: %s", self.root, report.summary())
        # What the whole index built (store, linker, taint engine) lives as long as the
        # folder: out of the collector's generations, so that its full collections, which a
        # save's small garbage triggers, do not walk it (they cost 100-250 ms on the corpus).
        # The cycles the previous index (or the saves since) left among frozen objects are
        # collected first: frozen, they were never (``memory.refreeze``).
        collected = refreeze()
        self._batches_since_freeze = 0
        trim()
        log.debug("index: %d frozen objects collected", collected)
        return changes

    def refresh(self, paths: Collection[Path]) -> Changes:
        """Bring the store up to date for ``paths`` (files or directories, existing or gone)."""
        return self.update(paths, {})

    def update(self, paths: Collection[Path], buffers: dict[str, Buffer | None]) -> Changes:
        """``drop_buffer`` of the paths ``buffers`` maps to None, ``refresh`` of ``paths``,
        then ``set_buffers`` of the others, with the workspace rules run once at the end."""
        self._aside_left = ASIDE_BUDGET
        return self._update(paths, buffers)

    def _update(self, paths: Collection[Path], buffers: dict[str, Buffer | None]) -> Changes:
        """``update`` within the budget left for stepping aside (``_step_aside``)."""
        store = self._require()
        starts = self._starts(paths) if paths else []
        laid = {path: b for path, b in buffers.items() if b is not None}
        closed = [path for path, b in buffers.items() if b is None]
        for path in closed:
            self._buffers.pop(path, None)
        self._buffers.update(laid)
        restore = [path for path in closed if path in self._disk]
        self._step_aside()
        if not starts and not restore:
            self._overlay(store, only=laid.keys())
            changes = Changes(store.revision)
            self._workspace_findings(store, changes)
            return changes
        before = self._disk_states(store)
        if restore:
            self._restore(store, restore)
        if not starts:
            self._settle(store)
            changes = self._diff(store, before)
            self._overlay(store)
            self._workspace_findings(store, changes)
            changes.revision = store.revision
            return changes
        started = time.perf_counter()
        report = index_workspace(
            self.root, store, self.config, jobs=0, paths=starts, progress=False, snapshot=False
        )
        self._settle(store)
        changes = self._diff(store, before)
        changes.report = report
        log.debug(
            "re-indexed %s in %.0f ms: %d extracted, %d unchanged, %d removed; changed: %s",
            ", ".join(self._rel(p) for p in starts),
            (time.perf_counter() - started) * 1000,
            report.indexed,
            report.unchanged,
            report.removed,
            ", ".join(sorted(changes.updated.keys() | changes.removed)) or "none",
        )
        self._overlay(store)
        self._workspace_findings(store, changes)
        changes.revision = store.revision
        return changes

    # -- open buffers (see the module's docstring) ------------------------------------------

    def set_buffers(self, buffers: dict[str, Buffer]) -> Changes:
        """Lay open documents' last good buffers (by path) over their files."""
        return self.update((), dict(buffers))

    def drop_buffer(self, path: str) -> Changes:
        """A document closed: its file counts as it is on disk again."""
        return self.update((), {path: None})

    def _overlay(self, store: Store, only: Collection[str] | None = None) -> None:
        """Put each open buffer's facts in the store where the disk's differ (step 1)."""
        states = None
        for path in only if only is not None else list(self._buffers):
            buffer = self._buffers.get(path)
            if buffer is None or not self._indexable(path):
                continue  # the indexer would not read it: `auditls check` does not see it
            row = store.get_file(path)
            if row is not None and row.hash == buffer.hash and path not in self._disk:
                continue  # the disk holds the buffer's text
            if path in self._disk and row is not None and laid_over(row):
                if row.hash == buffer.hash:
                    continue  # laid over already
                if (old := store.file_facts(path)) is not None and old == buffer.facts:
                    continue  # another text, the same facts: nothing a rule reads changed
            if path not in self._disk:
                if states is None:
                    states = store.file_states()
                self._disk[path] = states.get(path)
            facts = buffer.facts
            overlay = FileRow(
                path=path,
                size=OVERLAY_STAT,
                mtime_ns=OVERLAY_STAT,
                hash=buffer.hash,
                status=facts.status,
                error=facts.error,
                error_line=facts.error_line,
                error_col=facts.error_col,
                extractor_version=EXTRACTOR_VERSION,
            )
            store.replace_file(overlay, facts)
            log.debug("%s: the open buffer stands in for the file", path)

    def overlaid(self) -> list[str]:
        """The paths whose open buffer stands in the store for the file."""
        return sorted(self._disk)

    def workspace_findings(self, path: str) -> list[Finding]:
        """The workspace rules' findings in ``path``, as last computed."""
        return list(self._workspace.get(path, []))

    def _indexable(self, path: str) -> bool:
        """Whether the indexer reads this file (a ``.py`` file or a template, not excluded,
        settings as they are now)."""
        return is_indexed(path) and not is_excluded(self.root, self.config, path)

    def _restore(self, store: Store, paths: Collection[str]) -> None:
        """The disk's rows again for overlaid ``paths`` (read from the disk, as a refresh)."""
        for path in paths:
            self._disk.pop(path, None)
        index_workspace(
            self.root,
            store,
            self.config,
            jobs=0,
            paths=[self.root / p for p in paths],
            progress=False,
            snapshot=False,
        )

    def _settle(self, store: Store) -> None:
        """Forget the overlays that an index or a refresh replaced by the disk's rows."""
        for path in list(self._disk):
            row = store.get_file(path)
            if not laid_over(row):
                del self._disk[path]

    def _disk_states(self, store: Store) -> dict[str, RowKey]:
        """Every file's state as the disk has it (the overlaid paths' from ``_disk``)."""
        states = store.file_states()
        for path, state in self._disk.items():
            if state is None:
                states.pop(path, None)
            else:
                states[path] = state
        return states

    def _text(self, path: str) -> str:
        """A file's text as its findings were computed from: the buffer's if it is laid over."""
        buffer = self._buffers.get(path)
        if buffer is not None and path in self._disk:
            return buffer.text
        return read_text(real_path(self.root, path))

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    def set_config(self, config: Config) -> None:
        self.config = config

    def snapshot(self) -> Path | None:
        """Write the store's snapshot and the findings cache beside it, when they changed."""
        store = self._store
        if store is None or not store.persist:
            return None
        overlaid = list(self._disk)
        if overlaid and store.dirty:
            # The snapshot holds the disk only (step 3): the files the buffers stand in for
            # are read again for it, then the buffers laid over again, at the same findings.
            current = self._workspace_revision == store.revision
            self._restore(store, overlaid)
            try:
                return self._write_snapshot(store, taint=False)
            finally:
                self._overlay(store)
                if current:
                    self._workspace_revision = store.revision
        return self._write_snapshot(store, taint=not overlaid)

    def _write_snapshot(self, store: Store, *, taint: bool) -> Path | None:
        written = None
        if store.dirty:
            try:
                written = store.snapshot()
            except StoreError as exc:  # another auditls writes it (its lock), or no room
                log.warning("%s", exc)
                self.problem = str(exc)
                return None
            self.problem = None
        if self._known_dirty:
            self._save_cache(store)
        if taint:
            save_state(store)  # the taint engine, when it changed since it was last saved
        return written

    def tidy(self, *, force: bool = False) -> int:
        """On an idle folder (after a snapshot): collect the cycles left among frozen objects
        by the saves since the index, freeze the rest again, give free pages back
        (``memory``); the number of objects collected. A full collection holds the
        interpreter for about a second on the benchmark corpus, for 1-2 MB after 1,000 saves:
        done once ``TIDY_BATCHES`` batches ran since the last (or ``force``), not after every
        pause in typing."""
        if not force and self._batches_since_freeze < TIDY_BATCHES:
            trim()
            return 0
        started = time.perf_counter()
        self._batches_since_freeze = 0
        collected = refreeze()
        trim()
        log.debug(
            "tidy: %d frozen objects collected in %.0f ms",
            collected,
            (time.perf_counter() - started) * 1000,
        )
        return collected

    def close(self) -> None:
        """Write the snapshot and close the store."""
        if self._store is not None and self._disk:
            self._restore(self._store, list(self._disk))
        self._buffers.clear()
        self.snapshot()
        if self._store is not None:
            self._store.close()
            self._store = None

    def status(self) -> dict[str, Any]:
        store = self._require()
        facts = sum(store.fact_counts().values())
        files = store.file_count()
        return {
            "root": str(self.root),
            "store": str(store.snapshot_path) if store.persist else None,
            "snapshot": self.load_note,
            "files": files,
            "facts": facts,
            "findings": sum(self._counts.values()) + sum(map(len, self._workspace.values())),
            "notAnalysed": len(self._unread),  # skipped or unreadable files (AUD003)
            "revision": store.revision,
            "indexing": self.indexing,
            "lastIndex": (
                time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.last_index))
                if self.last_index is not None
                else None
            ),
            "lastIndexSeconds": (
                round(self.last_report.seconds, 3) if self.last_report is not None else None
            ),
            "lastIndexWorkers": (
                self.last_report.workers if self.last_report is not None else None
            ),
        }

    # -- helpers (store's thread) --------------------------------------------------------------

    def _starts(self, paths: Collection[Path]) -> list[Path]:
        """The start paths for the indexer: inside the root, not through a symlink, not
        excluded; an ``__init__.py`` stands for its directory (module names below it move)."""
        starts: dict[Path, None] = {}
        for raw in paths:
            path = Path(os.path.abspath(raw))
            if path.exists() and os.path.realpath(path) != str(path):
                continue  # a symlink: a full walk decides whether it is followed
            try:
                rel = path.relative_to(self.root).as_posix()
            except ValueError:
                continue
            if rel in ("", "."):
                starts[self.root] = None
                continue
            if path.name == "__init__.py":
                path = path.parent
                rel = path.relative_to(self.root).as_posix()
            elif path.name in ("pyproject.toml", ".gitignore"):
                continue  # the caller reloads settings or reconciles for these
            if rel not in ("", ".") and is_excluded(self.root, self.config, rel):
                continue
            starts[path if rel not in ("", ".") else self.root] = None
        if self.root in starts:
            return [self.root]
        return list(starts)

    def _diff(self, store: Store, before: dict[str, tuple[Any, ...]]) -> Changes:
        after = self._disk_states(store)
        changes = Changes(store.revision)
        for path, row in after.items():
            if before.get(path) != row:
                changes.updated[path] = self._findings(store, path, row)
        for path in before.keys() - after.keys():
            changes.removed.add(path)
            self._counts.pop(path, None)
            self._unread.discard(path)
            if self._known.pop(path, None) is not None:
                self._known_dirty = True
        return changes

    def _load_cache(self) -> None:
        path = self.root / ".auditls" / CACHE_NAME
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("version") != code_version():
                return
            self._known = {
                rel: (tuple(row), [finding_from_obj(f) for f in findings])
                for rel, (row, findings) in doc["files"].items()
            }
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.info("findings cache %s not used: %s", path, exc)
            self._known = {}

    def _save_cache(self, store: Store) -> None:
        """Write the findings cache beside the snapshot: atomically, under the writers' lock
        (``Store.write_beside``), and only beside a current snapshot."""
        doc = {
            "version": code_version(),
            "files": {
                rel: [list(row), [finding_to_obj(f) for f in findings]]
                for rel, (row, findings) in self._known.items()
            },
        }
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            if store.write_beside(CACHE_NAME, [data]) is not None:
                self._known_dirty = False
        except StoreError as exc:
            log.warning("cannot write the findings cache: %s", exc)

    def _workspace_findings(self, store: Store, changes: Changes) -> None:
        """Run the workspace rules if the store moved; record the files whose findings changed."""
        if store.revision == self._workspace_revision:
            return
        self._workspace_revision = store.revision
        ignore = () if store.file_count() <= TAINT_MAX_FILES else ("AUD5",)
        if ignore and not self._taint_skipped:
            self._taint_skipped = True
            log.info(
                "taint rules (AUD5xx) are off in the editor for %s: more than %d files; "
                "`auditls check` reports them",
                self.root,
                TAINT_MAX_FILES,
            )
        try:
            models = with_user_models(self.config.taint)
            found = check_workspace(
                store,
                ignore=ignore,
                taint_models=models,
                test_code=self.config.test_code,
                pause=self._step_aside,
            )
        except Exception:  # a bug in a workspace rule must not stop the index
            log.exception("workspace rules failed")
            return
        by_path: dict[str, list[Finding]] = {}
        for finding in found:
            by_path.setdefault(finding.path, []).append(finding)
        for path in set(self._workspace) | set(by_path):
            new = by_path.get(path, [])
            if not changes.full and self._workspace.get(path, []) == new:
                continue
            if new:
                changes.workspace[path] = prepare_findings(
                    new,
                    self._suppressions(store, path),
                    self._text(path),
                    self.encoding,
                    self.uri_of,
                    self.root,
                    self._text,
                )
            elif not changes.full:
                changes.workspace[path] = []
        self._workspace = by_path

    def _findings(self, store: Store, path: str, row: RowKey) -> list[Prepared]:
        """A file's per-file findings, prepared: from the cache while its row is the one they
        were computed from, else from its facts."""
        known = self._known.get(path)
        ff = None
        unread = row[1] in NOT_ANALYSED_STATUSES  # skipped or unreadable: AUD003, no facts
        if known is not None and known[0] == row:
            findings = known[1]
        else:
            if unread:  # what ``rules.analyse`` gives the rules for such a file
                ff = FileFacts(path=path, module="", status=row[1], error=row[4])
            else:
                ff = store.file_facts(path)
            findings = (
                check_facts(ff, select=EVERY_RULE, test_code=self.config.test_code)
                if ff is not None
                else []
            )
            self._known[path] = (row, findings)
            self._known_dirty = True
        if unread:
            self._unread.add(path)
        else:
            self._unread.discard(path)
        if not findings:
            self._counts.pop(path, None)
            return []
        self._counts[path] = len(findings)
        if unread:
            # Never read again here: it may be huge, a FIFO that blocks, or a device.
            return prepare_findings(findings, [], "", self.encoding, self.uri_of, self.root)
        suppressions = ff.of(SuppressionFact) if ff is not None else self._suppressions(store, path)
        text = read_text(real_path(self.root, path))
        return prepare_findings(findings, suppressions, text, self.encoding, self.uri_of, self.root)

    @staticmethod
    def _suppressions(store: Store, path: str) -> list[SuppressionFact]:
        """One file's suppression comments, without reading its other facts."""
        return store.facts_of_files(SuppressionFact, [path]).get(path, [])
