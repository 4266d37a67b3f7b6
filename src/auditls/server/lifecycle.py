"""The server's life: ``initialize``, ``initialized``, ``shutdown`` and ``exit``, the client's
process watched, and stopping (watchers, pending analyses, indexing, snapshots written).

The steps, and which module takes each, are told in ``app``'s docstring.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import tempfile
from pathlib import Path

from lsprotocol import types

from auditls import __version__
from auditls.rules import render_rules_markdown
from auditls.server import configuration, file_events, folders, publish, text_sync
from auditls.server import log as logsetup
from auditls.server.convert import encoding_name
from auditls.server.scheduler import Debouncer, Pipeline
from auditls.server.state import SERVER_LOGGER, AuditServer

log = logging.getLogger(SERVER_LOGGER)

#: Seconds between two checks that the client's process is still there.
PARENT_POLL = float(os.environ.get("AUDITLS_PARENT_POLL", "2.0"))


def initialize(ls: AuditServer, params: types.InitializeParams) -> bool:
    """Settings, folders, and how diagnostics go out; True when the client pulls them."""
    loop = asyncio.get_running_loop()
    ls.encoding = encoding_name(ls.workspace.position_encoding or "utf-16")
    configuration.from_initialization_options(ls, params.initialization_options)
    for uri in folders.folder_uris(params):
        folders.add_folder(ls, uri)
    ls.docs_base = default_docs_base()
    pull = ls.wants_pull()
    publish.start_hub(ls, loop, pull=pull)
    ls.pipeline = Pipeline(
        loop, ls.analysis_pool, functools.partial(text_sync.deliver, ls), ls.foreground
    )
    ls.completion = Pipeline(loop, ls.analysis_pool, functools.partial(text_sync.deliver, ls))
    ls.snapshots = Debouncer(loop)
    log.info(
        "auditls %s: %d folder(s), positions in %s, diagnostics %s",
        __version__,
        len(ls.folders),
        ls.encoding,
        "pulled" if pull else "pushed",
    )
    return pull


async def initialized(ls: AuditServer, params: types.InitializedParams) -> None:
    loop = asyncio.get_running_loop()
    logsetup.attach_client(logsetup.ClientLogHandler(loop, ls.window_log_message))
    await configuration.fetch_settings(ls)
    await configuration.apply_settings(ls)
    if ls.process_id is not None:
        ls.spawn(watch_parent(ls, ls.process_id), "watch the client's process")
    await file_events.watch_files(ls)
    for folder in ls.folders:
        folder.index_task = ls.spawn(folders.start_folder(ls, folder), f"index {folder.root}")


async def shutdown(ls: AuditServer, params: None) -> None:
    ls.shutdown_requested = True
    await stop(ls)


def exit_(ls: AuditServer, params: None) -> None:
    # pygls would now sys.exit() and then wait for its stdin reader thread, which a client
    # that keeps the pipe open never ends. Everything is written already: leave now.
    stop_now(ls)
    logging.shutdown()
    os._exit(0 if ls.shutdown_requested else 1)


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


async def watch_parent(ls: AuditServer, pid: int) -> None:
    """End the daemon when the client's process is gone."""
    while not ls.stopped:
        await asyncio.sleep(PARENT_POLL)
        if not process_alive(pid):
            log.info("the client (process %d) is gone; exiting", pid)
            await stop(ls)
            os._exit(0)


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


async def stop(ls: AuditServer) -> None:
    """Stop watching, drop pending work, cancel indexing, write the snapshots."""
    if ls.stopped:
        return
    ls.stopped = True
    if ls.pipeline is not None:
        ls.pipeline.close()
    if ls.completion is not None:
        ls.completion.close()
    if ls.snapshots is not None:
        ls.snapshots.cancel_all()
    if ls.hub is not None:
        ls.hub.close()
    for folder in ls.folders:
        if folder.watcher is not None:
            folder.watcher.stop()
        folder.engine.cancel.set()
    for folder in ls.folders:
        try:
            await asyncio.wait_for(folder.engine.run(folder.engine.close), timeout=30)
        except Exception as exc:
            log.warning("closing the store of %s: %s", folder.root, exc)
        folder.engine.shutdown_thread()
    ls.stop_pools()


def stop_now(ls: AuditServer) -> None:
    """``stop`` without the loop (the process is exiting): best effort, bounded."""
    if ls.stopped:
        return
    ls.stopped = True
    for folder in ls.folders:
        if folder.watcher is not None:
            folder.watcher.stop()
        folder.engine.cancel.set()
        try:
            folder.engine.call_blocking(folder.engine.close, timeout=10)
        except Exception as exc:
            log.warning("closing the store of %s: %s", folder.root, exc)
    ls.stop_pools()
