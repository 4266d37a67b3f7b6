"""Changes on disk, from whoever saw them: the client (``workspace/didChangeWatchedFiles``,
registered dynamically when it offers that), else a watchdog ``Watcher`` per folder, and saves.

Paths are grouped by folder and handed to the folder's engine, which re-indexes them and
returns what changed. A ``pyproject.toml`` reloads the folder's settings; a ``.gitignore``, or a
watcher that lost events (an inotify overflow), reconciles the whole folder.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types

from auditls.extractors import is_indexed
from auditls.index import DEFAULT_EXCLUDES
from auditls.server import configuration, folders, publish
from auditls.server.config import read_pyproject
from auditls.server.state import SERVER_LOGGER, AuditServer, Folder, uri_path
from auditls.server.watch import CONFIG_NAMES, Watcher

log = logging.getLogger(SERVER_LOGGER)

#: Seconds the watcher waits for a path to settle.
WATCH_DELAY = 0.1


def max_pending() -> int:
    """Paths that may wait in the watcher before it reconciles the whole folder instead
    (``AUDITLS_WATCH_MAX_PENDING``; tests lower it to take the overflow path)."""
    try:
        return max(1, int(os.environ.get("AUDITLS_WATCH_MAX_PENDING", "10000")))
    except ValueError:
        return 10_000


_CHANGE_NAMES = {
    types.FileChangeType.Created: "created",
    types.FileChangeType.Changed: "changed",
    types.FileChangeType.Deleted: "deleted",
}


def did_change_watched_files(ls: AuditServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths: list[Path] = []
    for change in params.changes:
        path = uri_path(change.uri)
        kind = _CHANGE_NAMES.get(change.type, str(change.type))
        if path is None:
            log.debug("file event (client): %s %s: ignored, not a file", kind, change.uri)
            continue
        log.debug("file event (client): %s %s", kind, path)
        paths.append(path)
    paths_changed(ls, paths)


def paths_changed(ls: AuditServer, paths: Iterable[Path]) -> None:
    """Group the paths the client saw change by folder and process them (what lies in a
    default excluded directory, ``.auditls/`` included, is not our business)."""
    grouped: dict[int, tuple[Folder, set[Path]]] = {}
    for path in paths:
        found = ls.folder_of(path)
        if found is None:
            log.debug("file event %s: ignored, outside every workspace folder", path)
            continue
        excluded = next((p for p in found[1].split("/") if p in DEFAULT_EXCLUDES), None)
        if excluded is not None:
            log.debug("file event %s: ignored, in %s/ (excluded by default)", path, excluded)
            continue
        grouped.setdefault(id(found[0]), (found[0], set()))[1].add(path)
    for folder, group in grouped.values():
        ls.spawn(disk_changed(ls, folder, group), "disk changes")


#: Seconds at most a file event waits for the analysis of an open document of that file.
OPEN_FILE_WAIT = 1.0


async def open_buffers_first(ls: AuditServer, folder: Folder, paths: set[Path]) -> None:
    """Let the analysis of open documents among ``paths`` go first. An editor's save writes
    the file and then sends ``didSave``, which shows the buffer's findings; a watcher's event
    for that write, re-indexing the same file on the store's thread at the same moment, took
    half of the interpreter from it (a save's p95 was a few times its analysis). The event
    waits one debounce, then for those analyses (at most ``OPEN_FILE_WAIT`` each); the
    store's update of the file follows. A file that no editor holds open is not delayed."""
    pipeline = ls.pipeline
    if pipeline is None:
        return
    uris = [doc.uri for doc in list(ls.documents.values()) if doc.path in paths]
    if not uris:
        return
    await asyncio.sleep(ls.settings_for(folder).debounce)
    for uri in uris:
        try:
            await asyncio.wait_for(pipeline.wait_settled(uri), OPEN_FILE_WAIT)
        except TimeoutError:
            log.debug("file event for %s: its buffer's analysis is still running", uri)


async def disk_changed(
    ls: AuditServer, folder: Folder, paths: set[Path], *, saved: bool = False
) -> None:
    """Paths of ``folder`` that changed on disk (watcher, client, save; ``saved``: the save
    of an open document, whose analysis has been delivered already)."""
    if any(
        p.name == "pyproject.toml" and p.parent in (folder.root, folder.client_root) for p in paths
    ):
        log.debug("%s/pyproject.toml changed: reading [tool.auditls] again", folder.root)
        read = read_pyproject(folder.root)
        if read == (folder.project, folder.project_problem):
            log.debug("[tool.auditls] of %s is unchanged: settings kept", folder.root)
        else:
            folder.project, folder.project_problem = read
            await configuration.apply_settings(ls, why="pyproject.toml changed")
    if any(p.name == ".gitignore" for p in paths):
        log.debug("a .gitignore changed in %s: indexing the whole folder again", folder.root)
        await folders.reconcile(ls, folder)
        return
    sources = index_starts(paths)
    for path in sorted(set(paths) - sources):
        if path.parent not in sources and path.name not in CONFIG_NAMES:
            log.debug("file event %s: ignored, not a Python source", path)
    if sources:
        await folder.indexed.wait()
        if not saved:
            await open_buffers_first(ls, folder, sources)
        publish.apply_when_done(ls, folder, folder.engine.enqueue(paths=sources))


def index_starts(paths: Iterable[Path]) -> set[Path]:
    """What the engine re-indexes for changed paths: Python files and templates; directories
    and paths that are gone (what was below them goes); for any other file, its directory,
    since it may have replaced a directory of the same name (a checkout does that) whose files
    must go, and is itself no source."""
    starts: set[Path] = set()
    for path in paths:
        if is_indexed(path.as_posix()) or path.name in CONFIG_NAMES:
            if is_indexed(path.as_posix()):
                starts.add(path)
        elif path.is_file():
            starts.add(path.parent)
        else:
            starts.add(path)
    return starts


async def watch_files(ls: AuditServer) -> None:
    """The client's watcher when it offers dynamic registration, else ours."""
    dynamic = ls.can("workspace.did_change_watched_files.dynamic_registration")
    if dynamic and await client_watches(ls):
        return
    loop = asyncio.get_running_loop()
    for folder in ls.folders:
        watcher = Watcher(
            folder.root,
            loop,
            functools.partial(on_watched, ls, folder),
            functools.partial(on_overflow, ls, folder),
            delay=WATCH_DELAY,
            max_pending=max_pending(),
        )
        try:
            watcher.start()
            folder.watcher = watcher
        except OSError as exc:
            log.warning("cannot watch %s: %s", folder.root, exc)
    log.info("watching files with watchdog")


async def client_watches(ls: AuditServer) -> bool:
    """Ask the client to watch the files for us; False when it refuses."""
    watchers = [
        types.FileSystemWatcher(glob_pattern="**/*.py"),
        types.FileSystemWatcher(glob_pattern="**/templates/**/*.{html,htm}"),
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
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:
        log.info("the client refused to watch files (%s); watching them here", exc)
        return False
    ls.client_watches = True
    log.info("the client watches files")
    return True


def on_watched(ls: AuditServer, folder: Folder, paths: set[Path]) -> None:
    for path in sorted(paths):
        log.debug("file event (watcher): %s", path)
    ls.spawn(disk_changed(ls, folder, paths), "disk changes")


def on_overflow(ls: AuditServer, folder: Folder) -> None:
    log.info("the watcher lost events in %s: indexing the whole folder again", folder.root)
    ls.spawn(folders.reconcile(ls, folder), "reconcile after an overflow")
