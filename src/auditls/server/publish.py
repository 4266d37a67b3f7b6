"""Publishing: what a document or a file shows, with its folder's settings applied, handed to
the ``DiagnosticsHub`` (pushed, or kept for the client to pull).

A document that is open shows its buffer's findings plus the workspace rules' findings in its
file (computed from the store, where every open buffer's last good facts stand in for its
file's: ``engine``); a file that is not open shows its findings on disk (and the workspace
rules' over the same store), in the ``workspace`` diagnostic mode only. The engine's
``Changes`` for a folder are applied here, unless they are older than the newest store revision
already applied.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable

from lsprotocol import types

from auditls.rules import RULES, is_selected, one_finding_per_problem
from auditls.rules.runner import names_explicitly
from auditls.server import recycle
from auditls.server.config import Settings
from auditls.server.convert import Prepared, to_diagnostic
from auditls.server.diagnostics import DiagnosticsHub
from auditls.server.documents import OpenDocument
from auditls.server.engine import Changes
from auditls.server.state import SERVER_LOGGER, AuditServer, Folder

log = logging.getLogger(SERVER_LOGGER)

#: Seconds without a store change before the snapshot is written (``AUDITLS_SNAPSHOT_IDLE``).
SNAPSHOT_IDLE = float(os.environ.get("AUDITLS_SNAPSHOT_IDLE", "") or 30.0)


def start_hub(ls: AuditServer, loop: asyncio.AbstractEventLoop, *, pull: bool) -> None:
    """Diagnostics go out pushed, or pulled by a client that can be told to re-pull."""

    def refresh() -> None:
        ls.workspace_diagnostic_refresh(None)

    ls.hub = DiagnosticsHub(
        loop, pull=pull, publish=ls.text_document_publish_diagnostics, refresh=refresh
    )


def _on_by_default(code: str) -> bool:
    rule = RULES.get(code)
    return rule is None or rule.default


def visible(prepared: Iterable[Prepared], settings: Settings) -> list[Prepared]:
    """The findings the settings let through, one per problem (a taint path hides the pattern
    finding at its sink: ``rules.runner.one_finding_per_problem``)."""
    config = settings.config
    shown = [
        p
        for p in prepared
        if is_selected(p.finding.rule, config.select, config.ignore)
        and (_on_by_default(p.finding.rule) or names_explicitly(p.finding.rule, config.select))
        and (settings.syntax_diagnostics or p.finding.rule != "AUD001")
    ]
    return one_finding_per_problem(shown, lambda p: p.finding)


def to_lsp(
    ls: AuditServer, prepared: Iterable[Prepared], settings: Settings
) -> list[types.Diagnostic]:
    base = settings.docs_url or ls.docs_base
    overrides = settings.config.severity_overrides
    return [
        to_diagnostic(p, severity_overrides=overrides, docs_base=base)
        for p in visible(prepared, settings)
    ]


def document_findings(
    ls: AuditServer, doc: OpenDocument
) -> tuple[list[Prepared], Settings, int | None]:
    """The buffer's findings, and the workspace rules' findings in its file (computed from
    the store, where the open buffers stand in for their files), less the baseline's."""
    found = ls.folder_of(doc.path)
    folder = found[0] if found is not None else None
    settings = ls.settings_for(folder)
    if doc.current is None:
        return [], settings, None
    if doc.excluded:
        return [], settings, doc.current.version
    if found is None:
        return doc.visible(), settings, doc.current.version
    folder, rel = found
    prepared = doc.visible() + folder.workspace.get(rel, [])
    analysed = doc.last_good if doc.last_good is not None else doc.current
    text = analysed.text or None  # a large buffer's text stays in its worker: the disk's
    return unbaselined(ls, folder, rel, prepared, text), settings, doc.current.version


def unbaselined(
    ls: AuditServer, folder: Folder, rel: str, prepared: list[Prepared], text: str | None
) -> list[Prepared]:
    """``prepared`` less what the folder's baseline holds (``baseline``)."""
    config = folder.settings.config
    if config.baseline is None and folder.baseline.path is None:
        return prepared
    if folder.baseline.sync(folder.root, config) and ls.hub is not None:
        if folder.baseline.problem is not None:
            ls.tell_user([folder.baseline.problem], what="baseline")
        ls.hub.loop.call_soon(refresh_all, ls)  # the baseline changed: every file again
    return folder.baseline.new(folder.root, rel, visible(prepared, folder.settings), text)


def refresh_document(ls: AuditServer, doc: OpenDocument) -> None:
    if ls.hub is None or doc.current is None:
        return
    prepared, settings, version = document_findings(ls, doc)
    ls.hub.set(doc.uri, to_lsp(ls, prepared, settings), version)
    found = ls.folder_of(doc.path)
    if found is not None and found[0].uri_of(found[1]) != doc.uri:
        ls.hub.clear(found[0].uri_of(found[1]))  # a file once published under our spelling


def refresh_file(ls: AuditServer, folder: Folder, rel: str) -> None:
    """Publish what a file of ``folder`` shows: its buffer's findings if it is open, else
    its findings on disk (in the ``workspace`` diagnostic mode)."""
    if ls.hub is None:
        return
    doc = ls.document_for(folder, rel)
    if doc is not None:
        refresh_document(ls, doc)
        return
    uri = folder.uri_of(rel)
    if folder.settings.diagnostic_mode != "workspace":
        ls.hub.clear(uri)
        return
    findings = folder.disk.get(rel, []) + folder.workspace.get(rel, [])
    findings = unbaselined(ls, folder, rel, findings, None)
    ls.hub.set(uri, to_lsp(ls, findings, folder.settings), None)


def refresh_all(ls: AuditServer) -> None:
    if ls.hub is None:
        return
    for folder in ls.folders:
        for rel in list(folder.disk.keys() | folder.workspace.keys()):
            refresh_file(ls, folder, rel)
    for doc in list(ls.documents.values()):
        refresh_document(ls, doc)
    shown = {doc.uri for doc in ls.documents.values()}
    for folder in ls.folders:
        if folder.settings.diagnostic_mode == "workspace":
            shown.update(folder.uri_of(rel) for rel in folder.disk.keys() | folder.workspace)
    for uri in ls.hub.uris():
        if uri not in shown:
            ls.hub.clear(uri)


def apply(ls: AuditServer, folder: Folder, changes: Changes) -> None:
    """Take the engine's changes for a folder, unless they are older than what it has, or
    were taken already (the callers of one batch share them: ``FolderEngine.update_batched``)."""
    if changes is folder.applied:
        return
    if changes.revision < folder.revision:
        log.debug("dropping changes of revision %d < %d", changes.revision, folder.revision)
        return
    folder.revision = changes.revision
    folder.applied = changes
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
        refresh_file(ls, folder, rel)
    log.debug("revision %d applied: %d files shown again", changes.revision, len(touched))
    if (changes.updated or changes.removed or changes.workspace) and ls.snapshots:
        ls.snapshots.schedule(folder.uri, SNAPSHOT_IDLE, lambda: spawn_snapshot(ls, folder))


def apply_when_done(
    ls: AuditServer,
    folder: Folder,
    batch: asyncio.Future[Changes],
    then: Callable[[], None] | None = None,
) -> None:
    """``apply`` the changes of an engine batch (``FolderEngine.enqueue``) once it ends, then
    ``then()``: one task waits for each batch, however many events were merged into it. A task
    per event (a save, its watcher events, a close) waiting on the batch held 11,000 coroutines
    through a soak's long batch, and 170 MB more in the 10,000-cycle soak, all freed together at
    its end: what the allocator then keeps (BENCHMARKS.md, eleventh session)."""
    callbacks = folder.waiting.get(batch)
    if callbacks is None:
        callbacks = folder.waiting[batch] = []
        ls.spawn(_apply_batch(ls, folder, batch), "a store batch's changes")
    if then is not None:
        callbacks.append(then)


async def _apply_batch(ls: AuditServer, folder: Folder, batch: asyncio.Future[Changes]) -> None:
    try:
        changes = await asyncio.shield(batch)
    finally:
        callbacks = folder.waiting.pop(batch, [])
    ls.batches_applied += 1
    apply(ls, folder, changes)
    for then in callbacks:
        then()


def spawn_snapshot(ls: AuditServer, folder: Folder) -> None:
    if not ls.stopped:
        ls.spawn(snapshot(ls, folder), "snapshot")


async def snapshot(ls: AuditServer, folder: Folder) -> None:
    await folder.engine.run(folder.engine.snapshot)
    if not ls.stopped:  # the folder has been idle SNAPSHOT_IDLE seconds: tidy its memory
        await folder.engine.run(folder.engine.tidy)
    tell_store_problem(ls, folder)
    recycle.maybe_recycle(ls)  # or, if it has grown, start again from that snapshot


def tell_store_problem(ls: AuditServer, folder: Folder) -> None:
    """Show the user, once per problem, that a folder's index stays in memory (another auditls
    writes its snapshot, a read-only or full disk): nothing is lost, but nothing is kept."""
    problem = folder.engine.problem
    if problem is not None:
        problem = problem.removeprefix("store: ")
        if "memory only" not in problem:
            problem += "; using memory only"
        ls.tell_user([f"{folder.root}: {problem}"], what="store")


# -- pull handlers (registered at ``initialize`` for a client that pulls) ---------------------


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
