"""The server's side of ``auditls.supervisor``: asking to be replaced once its memory has grown,
handing over what the editor told it, and clearing what the process before it showed.

A server run by the supervisor (``auditls serve --supervised``) notes its resident set once
every folder has been indexed the first time (``note_baseline``: after a cold index, or after a
warm start for a process that replaced another). Each time a folder has been idle long enough to
write its snapshot (``publish.snapshot``), ``maybe_recycle`` compares the resident set with that
baseline; past ``limit_mb`` more, with no store batch or analysis pending, it asks the
supervisor to replace it (``auditls/recycle``, once). The replacement starts from the snapshot
just written.

Only after some work since the baseline (a store batch of saves, file events or buffers): a
process that has just replaced another does not ask again because of its own start.

``AUDITLS_RECYCLE_MB``: ``auto`` (the default: 10% of the baseline, at least ``MIN_MB``), a
number of megabytes, ``off``, or ``always`` (at every idle snapshot after some work: tests).
Only where ``/proc/self/status`` tells the resident set (Linux); elsewhere the process is
never replaced.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from auditls.server.state import SERVER_LOGGER, AuditServer
from auditls.supervisor import HANDOVER, RECYCLE, SHOWN

log = logging.getLogger(SERVER_LOGGER)

RECYCLE_ENV = "AUDITLS_RECYCLE_MB"
#: The least growth, in MB, that makes a process ask to be replaced (``auto``).
MIN_MB = 16.0
#: The growth, as a fraction of the baseline, that does (``auto``), when more than ``MIN_MB``.
FRACTION = 0.10

__all__ = ["HANDOVER", "RECYCLE", "SHOWN", "handover", "maybe_recycle", "note_baseline", "shown"]


def rss_mb() -> float | None:
    """This process's resident set in MB, or None where /proc does not tell it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def limit_mb(baseline: float) -> float | None:
    """Growth past the baseline, in MB, that asks for a replacement (None: never)."""
    raw = os.environ.get(RECYCLE_ENV, "auto").strip().lower()
    if raw in ("off", "never", "no"):
        return None
    if raw == "always":
        return -float("inf")
    if raw not in ("", "auto"):
        try:
            return max(0.0, float(raw))
        except ValueError:
            log.warning("%s=%r: expected auto, off or a number of MB; using auto", RECYCLE_ENV, raw)
    return max(MIN_MB, baseline * FRACTION)


def note_baseline(ls: AuditServer) -> None:
    """Once every folder has been indexed the first time: the resident set to compare with;
    and clear what the process before this one showed that this one does not."""
    if not all(folder.indexed.is_set() for folder in ls.folders):
        return
    _clear_shown_before(ls)
    if ls.rss_baseline is None and ls.supervised:
        ls.rss_baseline = rss_mb()
        ls.batches_at_baseline = ls.batches_applied
        if ls.rss_baseline is not None:
            log.info("resident set after the index: %.0f MB", ls.rss_baseline)


def _busy(ls: AuditServer) -> bool:
    for pipeline in (ls.pipeline, ls.completion):
        if pipeline is not None and any(pipeline.busy(uri) for uri in ls.documents):
            return True
    return any(folder.waiting or not folder.indexed.is_set() for folder in ls.folders)


def maybe_recycle(ls: AuditServer) -> bool:
    """Ask the supervisor for a replacement if the resident set has grown past the limit and
    nothing is pending (call on an idle folder, after its snapshot); whether it asked."""
    if not ls.supervised or ls.recycle_asked or ls.stopped or ls.shutdown_requested:
        return False
    baseline = ls.rss_baseline
    if baseline is None or ls.batches_applied <= ls.batches_at_baseline or _busy(ls):
        return False
    limit = limit_mb(baseline)
    now = rss_mb()
    if limit is None or now is None or now <= baseline + limit:
        return False
    ls.recycle_asked = True
    log.info(
        "resident set %.0f MB, %.0f MB after the index: asking to be replaced from the snapshot",
        now,
        baseline,
    )
    ls.protocol.notify(RECYCLE, {"rssMB": round(now, 1), "baselineMB": round(baseline, 1)})
    return True


def handover(ls: AuditServer, params: Any) -> dict[str, Any]:
    """What the editor told this process that its replacement must know: the open documents
    (version and text, edits included) and the files showing diagnostics."""
    documents = [
        {
            "uri": doc.uri,
            "languageId": doc.language_id or "python",
            "version": doc.version if doc.version is not None else 0,
            "text": doc.source,
        }
        for doc in ls.workspace.text_documents.values()
    ]
    showing = ls.hub.showing() if ls.hub is not None else []
    log.info("handing over %d open documents to the next process", len(documents))
    return {"documents": documents, "shown": showing}


def shown(ls: AuditServer, params: Any) -> None:
    """The files the process before this one showed diagnostics for: those this one does not
    show once indexed are cleared (``note_baseline``)."""
    uris = getattr(params, "uris", None)
    if uris is None and isinstance(params, dict):
        uris = params.get("uris")
    if isinstance(uris, list):
        ls.shown_before.update(u for u in uris if isinstance(u, str))
    note_baseline(ls)


def _clear_shown_before(ls: AuditServer) -> None:
    if not ls.shown_before or ls.hub is None:
        return
    uris, ls.shown_before = ls.shown_before, set()
    cleared = ls.hub.clear_unknown(sorted(uris - ls.documents.keys()))  # open: analysed anew
    if cleared:
        log.info("cleared the diagnostics of %d files that have none now", cleared)
