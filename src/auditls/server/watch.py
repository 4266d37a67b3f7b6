"""The file watcher: watchdog events, filtered and debounced, handed to the event loop.

Changes made outside the editor (a ``git checkout``, a code generator, another editor) reach the
server here when the client does not watch files for it (see ``file_events``: a client that offers
dynamic ``workspace/didChangeWatchedFiles`` registration watches instead, and this watcher is not
started, so no change is processed twice).

1. **Watches.** On Linux a recursive watch costs an inotify watch per directory, and watchdog's
   ignore patterns filter events, not watches. So the root is watched on its own (not
   recursively) and each top-level directory recursively, except the default excluded ones
   (``.git``, ``.venv``, ``node_modules``, ...), virtual environments and symlinks. A top-level
   directory created later gets its watch when its creation is heard. Symlinks are never
   followed (``follow_symlink=False``), so nothing outside the workspace is watched.
2. **Filter** (watchdog's thread). An event matters when it names a ``.py`` file, a
   ``pyproject.toml`` or ``.gitignore`` that was written, created, deleted or moved, or a
   directory that was created, deleted or moved, and no part of its path below the root is a
   default excluded directory. Reads are not changes: watchdog reports ``opened`` and
   ``closed_no_write`` for every read, and the server reads ``pyproject.toml`` when it hears that
   file change, so counting reads would reload the settings forever. A move counts for both of
   its paths. What matters is handed to the loop with ``call_soon_threadsafe``.
3. **Debounce and coalesce** (the loop). Each path is due ``delay`` seconds after the last event
   that named it; a burst of writes to one file is one change. Due paths go out together, as one
   batch, to ``on_paths``.
4. **Overflow.** When more than ``max_pending`` paths wait, or when the kernel's inotify queue
   overflowed (watchdog rebuilds its watches and says so on its logger, the only signal it
   gives), the pending paths are dropped and ``on_overflow`` is called: the caller reconciles
   the whole store against the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from auditls.extractors import is_indexed
from auditls.index import DEFAULT_EXCLUDES

log = logging.getLogger(__name__)

#: Files other than Python sources whose changes matter.
CONFIG_NAMES = frozenset({"pyproject.toml", ".gitignore"})
#: Event kinds of a file that can change its content (not ``opened``/``closed_no_write``).
FILE_CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})
#: watchdog's inotify module, which logs (and only logs) a kernel queue overflow.
_INOTIFY_LOGGER = "watchdog.observers.inotify_c"


def relevant(root: Path, path: str, is_directory: bool, event_type: str) -> bool:
    """Whether an event on ``path`` can change what the server knows (see step 2)."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    parts = rel.parts
    if not parts or any(part in DEFAULT_EXCLUDES for part in parts):
        return False
    if is_directory:
        return event_type in ("created", "deleted", "moved")
    if event_type not in FILE_CHANGES:
        return False
    return is_indexed(rel.as_posix()) or parts[-1] in CONFIG_NAMES


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path]
        if event.event_type == "moved" and event.dest_path:
            paths.append(event.dest_path)
        root = self.watcher.root
        found = []
        for raw in paths:
            path = os.fsdecode(raw)
            if relevant(root, path, event.is_directory, event.event_type):
                found.append(path)
        if found:
            self.watcher.hear(found, directory=event.is_directory)


class _OverflowSpy(logging.Handler):
    """Turns watchdog's "queue overflowed" warning into a call."""

    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.callback()


class Watcher:
    """Watch one workspace folder; see the module docstring."""

    def __init__(
        self,
        root: Path,
        loop: asyncio.AbstractEventLoop,
        on_paths: Callable[[set[Path]], None],
        on_overflow: Callable[[], None],
        *,
        delay: float = 0.1,
        max_pending: int = 10_000,
    ) -> None:
        self.root = root
        self.loop = loop
        self.on_paths = on_paths
        self.on_overflow = on_overflow
        self.delay = delay
        self.max_pending = max_pending
        self._due: dict[Path, float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._observer: BaseObserver | None = None
        self._handler = _Handler(self)
        self._spy = _OverflowSpy(self._heard_overflow)
        self._watched: set[Path] = set()
        #: Batches delivered and overflows seen (for the status command and tests).
        self.batches = 0
        self.overflows = 0

    # -- lifetime ---------------------------------------------------------------------------

    def start(self) -> None:
        observer = Observer()
        self._observer = observer
        observer.schedule(self._handler, str(self.root), recursive=False)
        for directory in self._top_dirs():
            self._watch(directory)
        logging.getLogger(_INOTIFY_LOGGER).addHandler(self._spy)
        observer.daemon = True
        observer.start()

    def stop(self) -> None:
        logging.getLogger(_INOTIFY_LOGGER).removeHandler(self._spy)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due.clear()
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._observer is not None

    def _top_dirs(self) -> Iterable[Path]:
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name)
        except OSError as exc:
            log.warning("cannot list %s to watch it: %s", self.root, exc)
            return []
        return [
            Path(entry.path)
            for entry in entries
            if entry.is_dir(follow_symlinks=False) and self._watchable(Path(entry.path))
        ]

    def _watchable(self, directory: Path) -> bool:
        if directory.name in DEFAULT_EXCLUDES or directory.is_symlink():
            return False
        return not (directory / "pyvenv.cfg").exists()

    def _watch(self, directory: Path) -> None:
        observer = self._observer
        if observer is None or directory in self._watched:
            return
        try:
            observer.schedule(self._handler, str(directory), recursive=True)
            self._watched.add(directory)
        except OSError as exc:  # vanished, or out of inotify watches
            log.warning("cannot watch %s: %s", directory, exc)

    # -- events (watchdog's thread) ------------------------------------------------------------

    def hear(self, paths: list[str], *, directory: bool = False) -> None:
        """Called by the watchdog handler (its thread) with the paths of one event."""
        with contextlib.suppress(RuntimeError):  # the loop closed: the server is going away
            self.loop.call_soon_threadsafe(self._add, paths, directory)

    def _heard_overflow(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._overflow)

    # -- the loop ------------------------------------------------------------------------------

    def _add(self, paths: list[str], directory: bool) -> None:
        if self._observer is None:
            return
        now = self.loop.time()
        for raw in paths:
            path = Path(raw)
            if directory and path.parent == self.root and path.is_dir() and self._watchable(path):
                self._watch(path)
            self._due[path] = now + self.delay
        if len(self._due) > self.max_pending:
            self._overflow()
            return
        self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._due:
            when = min(self._due.values())
            self._timer = self.loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._timer = None
        now = self.loop.time()
        ready = {path for path, due in self._due.items() if due <= now}
        for path in ready:
            del self._due[path]
        self._arm()
        if ready:
            self.batches += 1
            self.on_paths(ready)

    def _overflow(self) -> None:
        if self._observer is None:
            return
        log.warning("file events overflowed; reconciling %s with the disk", self.root)
        self.overflows += 1
        self._due.clear()
        self._arm()
        self.on_overflow()
