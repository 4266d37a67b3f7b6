"""Workspace folders: added (settings and a ``FolderEngine``) and removed, their store opened and
indexed in the background with work-done progress (a fresh token, throttled reports,
cancellable), and re-indexed in full when their set of files may have changed (``reconcile``).

Whatever waits for a folder's first index waits on ``Folder.indexed``, which is set however the
index ends (done, cancelled or failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import pwd
import time
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types

from auditls.server import configuration, publish, recycle
from auditls.server.config import layer, read_pyproject
from auditls.server.engine import FolderEngine
from auditls.server.state import SERVER_LOGGER, AuditServer, Folder, file_uri, uri_path
from auditls.store import StoreError

log = logging.getLogger(SERVER_LOGGER)

#: Seconds between two progress reports.
PROGRESS_EVERY = 0.2
#: The longest a store's thread waits for an open buffer's analysis before each step of its
#: work (``FolderEngine.step_aside``): a buffer's findings go out first, but a slow one (a
#: buffer just under the worker process's size) cannot hold the store up for long.
FOREGROUND_WAIT = 0.25


async def did_change_folders(
    ls: AuditServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    for removed in params.event.removed:
        for folder in [f for f in ls.folders if f.uri == removed.uri]:
            await remove_folder(ls, folder)
        ls.relocate_documents()
    for added in params.event.added:
        new = add_folder(ls, added.uri)
        ls.relocate_documents()
        if new is not None:
            await configuration.fetch_settings(ls)
            await configuration.apply_settings(ls, why=f"folder {new.root} added")
            new.index_task = ls.spawn(start_folder(ls, new), f"index {new.root}")


def folder_uris(params: types.InitializeParams) -> list[str]:
    """The workspace folders of ``initialize`` (the root URI of a client that has none)."""
    folders = [f.uri for f in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [params.root_uri]
    return folders


def add_folder(ls: AuditServer, uri: str) -> Folder | None:
    path = uri_path(uri)
    if path is None or not path.is_dir():
        log.warning("workspace folder %s is not a local directory; skipped", uri)
        return None
    if (why := too_wide(path)) is not None:
        log.warning("workspace folder %s: %s", uri, why)
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"auditls: {why}")
        )
        return None
    project, problem = read_pyproject(path)
    editor = ls.init_settings
    settings = layer(project, editor)
    uri_of = functools.partial(file_uri, uri, root=path)
    engine = FolderEngine(path, settings.config, ls.encoding, uri_of)
    engine.step_aside = functools.partial(ls.foreground.wait_idle, FOREGROUND_WAIT)
    folder = Folder(uri, engine.root, project, problem, editor, settings, engine)
    ls.folders.append(folder)
    return folder


def too_wide(path: Path) -> str | None:
    """Why a folder must not be indexed: the file system's root or a home directory itself
    would have the server read (and store the facts of) everything below it."""
    real = Path(os.path.realpath(path))
    if real == Path(real.anchor):
        return f"not indexing {real}: it is the root of the file system; open a project folder"
    homes = {Path(os.path.realpath(Path.home()))}
    with contextlib.suppress(KeyError, OSError):
        homes.add(Path(os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir)))
    if real in homes:
        return f"not indexing {real}: it is your home directory; open a project folder"
    return None


async def remove_folder(ls: AuditServer, folder: Folder) -> None:
    """Forget a folder: stop its watcher, clear its diagnostics, close its store."""
    ls.folders.remove(folder)
    if folder.watcher is not None:
        folder.watcher.stop()
    if ls.hub is not None:
        for rel in folder.disk:
            ls.hub.clear(folder.uri_of(rel))
    folder.engine.cancel.set()
    await folder.engine.run(folder.engine.close)
    folder.engine.shutdown_thread()


async def start_folder(ls: AuditServer, folder: Folder) -> None:
    try:
        note = await folder.engine.run(folder.engine.open)
    except Exception:
        folder.indexed.set()
        raise
    log.info("store of %s: %s", folder.root, note)
    publish.tell_store_problem(ls, folder)
    try:
        await index_folder(ls, folder, "auditls: indexing")
    except StoreError:
        if not ls.stopped:
            raise
        log.info("indexing %s stopped: the server is shutting down", folder.root)
        return
    recycle.note_baseline(ls)


async def index_folder(
    ls: AuditServer, folder: Folder, title: str, *, rebuild: bool = False
) -> None:
    loop = asyncio.get_running_loop()
    token = await begin_progress(ls, title, folder)
    last = [0.0, -1]

    def report(done: int, total: int) -> None:  # the store's thread
        now = time.monotonic()
        percent = 100 * done // total if total else 100
        if done < total and (now - last[0] < PROGRESS_EVERY or percent == last[1]):
            return
        last[0], last[1] = now, percent
        if token is not None:
            message = f"{done}/{total} files"
            loop.call_soon_threadsafe(report_progress, ls, token, message, percent)

    index = functools.partial(folder.engine.index, report, rebuild=rebuild)
    message = "failed: see the log"
    try:
        changes = await folder.engine.run(index)
        publish.apply(ls, folder, changes)
        publish.tell_store_problem(ls, folder)
        if changes.cancelled:
            message = "cancelled"
        elif changes.report is not None:
            message = changes.report.summary()
        else:
            message = "done"
    finally:
        folder.indexed.set()  # what waits for the index must not wait for ever
        if token is not None and not ls.stopped:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))


async def reconcile(ls: AuditServer, folder: Folder) -> None:
    """Index the whole folder again, once its first index is done."""
    await folder.indexed.wait()
    changes = await folder.engine.run(folder.engine.index)
    publish.apply(ls, folder, changes)


async def begin_progress(ls: AuditServer, title: str, folder: Folder) -> str | None:
    if not ls.can("window.work_done_progress"):
        return None
    token = str(uuid.uuid4())
    try:
        await ls.work_done_progress.create_async(token)
    except Exception as exc:
        log.info("no progress for %s: %s", title, exc)
        return None
    ls.work_done_progress.begin(
        token,
        types.WorkDoneProgressBegin(
            title=title, message=folder.root.name, percentage=0, cancellable=True
        ),
    )
    future = ls.work_done_progress.tokens.get(token)
    if future is not None:

        def cancelled(f: Any) -> None:
            if f.cancelled():
                folder.engine.cancel.set()

        future.add_done_callback(cancelled)
    return token


def report_progress(ls: AuditServer, token: str, message: str, percent: int) -> None:
    if not ls.stopped:
        ls.work_done_progress.report(
            token, types.WorkDoneProgressReport(message=message, percentage=percent)
        )
