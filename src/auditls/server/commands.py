"""Commands (``workspace/executeCommand``): re-index everything, and show the index status."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from auditls.server import folders
from auditls.server.state import SERVER_LOGGER, AuditServer

log = logging.getLogger(SERVER_LOGGER)

CMD_REINDEX = "auditls.reindex"
CMD_STATUS = "auditls.showIndexStatus"


async def reindex(ls: AuditServer, *args: Any) -> list[dict[str, Any]]:
    """Forget and re-extract every file of every folder, with progress."""
    for folder in ls.folders:
        await folder.indexed.wait()
        await folders.index_folder(ls, folder, "auditls: re-indexing", rebuild=True)
    return await status_of(ls)


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
