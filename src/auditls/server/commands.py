"""Commands (``workspace/executeCommand``): re-index everything, and show the index status.

Both answer at once. ``auditls.reindex`` starts the work in the background and answers with the
status as it is; the end is told by the work-done progress and a log message. The status of a
folder whose store is busy (indexing) is read from the engine's plain fields instead of waiting
for the store's thread.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from auditls.server import folders
from auditls.server.state import SERVER_LOGGER, AuditServer, Folder

log = logging.getLogger(SERVER_LOGGER)

CMD_REINDEX = "auditls.reindex"
CMD_STATUS = "auditls.showIndexStatus"


#: Seconds the status waits for a store's thread before answering without it.
STATUS_WAIT = 1.0


async def reindex(ls: AuditServer, *args: Any) -> list[dict[str, Any]]:
    """Start forgetting and re-extracting every file of every folder; answers at once."""
    for folder in ls.folders:
        if folder.reindex_task is None or folder.reindex_task.done():
            folder.reindex_task = ls.spawn(reindex_folder(ls, folder), f"re-index {folder.root}")
    return await status_of(ls)


async def reindex_folder(ls: AuditServer, folder: Folder) -> None:
    await folder.indexed.wait()
    await folders.index_folder(ls, folder, "auditls: re-indexing", rebuild=True)
    report = folder.engine.last_report
    log.info("re-indexed %s: %s", folder.root, report.summary() if report else "done")


async def show_index_status(ls: AuditServer, *args: Any) -> list[dict[str, Any]]:
    """Files, facts, findings, last index time and store path of every folder."""
    statuses = await status_of(ls)
    for status in statuses:
        log.info("index status: %s", status)
    lines = [
        f"{Path(s['root']).name}: {s['files']} files, {s['facts']} facts, "
        f"{s['findings']} findings, {s.get('notAnalysed', 0)} files not analysed, "
        f"last indexed {s['lastIndex'] or 'never'} "
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


async def status_of(ls: AuditServer) -> list[dict[str, Any]]:
    statuses = []
    for folder in ls.folders:
        busy = folder.engine.indexing or not folder.indexed.is_set()
        try:
            if busy:
                raise TimeoutError("the store is being indexed")
            status = await asyncio.wait_for(folder.engine.run(folder.engine.status), STATUS_WAIT)
        except Exception as exc:
            status = {
                "root": str(folder.root),
                "error": str(exc) or type(exc).__name__,
                "indexing": busy,
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
