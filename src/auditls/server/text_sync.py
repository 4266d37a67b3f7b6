"""Open documents: ``didOpen`` / ``didChange`` / ``didSave`` / ``didClose``.

While a document is open its buffer is what it shows: each version is submitted to the analysis
``Pipeline`` (debounced per document, run on its own thread, stale versions dropped) and the
analysis is delivered here, then published. A version that parses is also sent to its folder's
engine (``send_buffers``: the latest per file, one trip at a time), which lays its facts over
the file's for the workspace rules. A save hands the file to its folder's engine, after what was
typed before it has been analysed; a close hands the file back to the disk.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types

from auditls.extractors import module_name_for
from auditls.extractors.reparse import Reparser
from auditls.server import file_events, publish
from auditls.server.documents import (
    LARGE_BUFFER,
    QUICK_FIRST,
    Analysis,
    OpenDocument,
    analyse_buffer,
    analyse_in_worker,
)
from auditls.server.engine import Buffer
from auditls.server.state import (
    SERVER_LOGGER,
    AuditServer,
    Folder,
    file_uri,
    sibling_uri,
    untitled_name,
    uri_path,
)

log = logging.getLogger(SERVER_LOGGER)


def did_open(ls: AuditServer, params: types.DidOpenTextDocumentParams) -> None:
    doc = ls.open_document(params.text_document.uri, params.text_document.version)
    doc.excluded = ls.excluded(doc)
    log.debug("opened %s (version %d)%s", doc.uri, doc.version, " (excluded)" * doc.excluded)
    analyse(ls, doc.uri, delay=0.0)  # open documents go first, without a debounce


def did_change(ls: AuditServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is not None:
        doc.version = params.text_document.version
        analyse(ls, doc.uri)


async def did_save(ls: AuditServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    log.debug("file event (save): %s", uri)
    if ls.pipeline is not None and uri in ls.documents:
        # What was typed before the save shows now; the store re-indexes the file after
        # that, so the two extractions do not compete for the interpreter.
        await ls.pipeline.settled(uri)
    path = uri_path(uri)
    found = ls.folder_of(path)
    if path is not None and found is not None:
        await file_events.disk_changed(ls, found[0], {path}, saved=True)


async def did_close(ls: AuditServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.close_document(uri)
    if ls.pipeline is not None:
        ls.pipeline.forget(uri)
    if ls.completion is not None:
        ls.completion.forget(uri)
    log.debug("closed %s", uri)
    if doc is not None and ls.hub is not None:
        path = doc.path
        # Not held while the store's thread catches up: in the soak, hundreds of closes
        # waited for it at once, each holding its document's analyses (ASTs' facts, text).
        del doc
        await back_to_disk(ls, uri, path)


async def back_to_disk(ls: AuditServer, uri: str, path: Path | None) -> None:
    """A closed document (``uri``, of the file ``path``) shows its file on disk again
    (nothing, outside every folder)."""
    assert ls.hub is not None
    found = ls.folder_of(path)
    if found is None:
        ls.hub.clear(uri)
        return
    folder, rel = found
    if folder.uri_of(rel) != uri:
        ls.hub.clear(uri)
    folder.buffers.pop(rel, None)  # not sent yet: never will be
    if path is not None and folder.indexed.is_set():
        # Back to the file on disk, as it is now: a save just before the close is merged
        # with it or queued on the store's thread ahead of it, and so is the buffer's last
        # trip there (in one batch, the close, which comes last, wins).
        batch = folder.engine.enqueue(paths={path}, dropped=[rel])
        publish.apply_when_done(ls, folder, batch, lambda: publish.refresh_file(ls, folder, rel))
        return
    publish.refresh_file(ls, folder, rel)


def analyse(ls: AuditServer, uri: str, *, delay: float | None = None) -> None:
    """Submit the document's current buffer to the pipeline."""
    doc = ls.documents.get(uri)
    if doc is None or ls.pipeline is None:
        return
    text = ls.text(uri)
    found = ls.folder_of(doc.path)
    folder = found[0] if found is not None else None
    if found is not None:
        root, rel, module_root = found[0].root, found[1], found[0].root
        uri_of = functools.partial(file_uri, found[0].uri)  # picklable, for a worker process
    else:
        root = doc.path.parent if doc.path is not None else Path.cwd()
        rel = doc.path.name if doc.path is not None else untitled_name(uri)
        module_root = None
        uri_of = functools.partial(sibling_uri, root)
    path = doc.path
    encoding = ls.encoding
    version = doc.version
    settings = ls.settings_for(folder)
    test_code = settings.config.test_code
    wait = settings.debounce if delay is None else delay
    module_of = (module_root / rel, module_root) if path is not None and module_root else None
    doc.large = len(text) >= LARGE_BUFFER
    if doc.large:
        doc.completion = None
        large = functools.partial(
            analyse_in_worker,
            text,
            version=version,
            rel=rel,
            module_of=module_of,
            encoding=encoding,
            root=root,
            uri_of=uri_of,
            test_code=test_code,
        )
        ls.pipeline.submit(uri, version, large, wait, executor=ls.worker_pool())
        show_progress(ls, doc, len(text))
        return

    run = functools.partial(
        analyse_open,
        text,
        version=version,
        rel=rel,
        module_of=module_of,
        encoding=encoding,
        root=root,
        uri_of=uri_of,
        test_code=test_code,
        quick=False,
        reparser=ls.reparser,
    )
    quick = len(text) >= QUICK_FIRST
    doc.completion = run if quick else None  # the full analysis, after a quick one
    if ls.completion is not None:
        ls.completion.forget(uri)  # an older version's full analysis: never needed now
    ls.pipeline.submit(uri, version, functools.partial(run, quick=quick), wait)


def analyse_open(
    text: str,
    *,
    version: int,
    rel: str,
    module_of: tuple[Path, Path] | None,
    quick: bool,
    encoding: str,
    root: Path,
    uri_of: Callable[[str], str],
    test_code: str,
    reparser: Reparser | None = None,
) -> Analysis:
    """``analyse_buffer`` off the loop, the module name worked out there (it reads the disk)."""
    module = module_name_for(*module_of) if module_of is not None else None
    return analyse_buffer(
        text,
        version=version,
        rel=rel,
        module=module,
        encoding=encoding,
        root=root,
        uri_of=uri_of,
        test_code=test_code,
        quick=quick,
        reparser=reparser,
    )


def show_progress(ls: AuditServer, doc: OpenDocument, size: int) -> None:
    """Work-done progress while a large buffer is analysed (one at a time per document, until
    its latest version is in); a log line for a client without progress."""
    name = doc.path.name if doc.path is not None else untitled_name(doc.uri)
    message = f"{name} ({size / 1e6:.1f} M characters)"
    if doc.progress:
        return
    if not ls.can("window.work_done_progress"):
        log.info("analysing %s in a worker process", message)
        return
    doc.progress = True
    ls.spawn(large_progress(ls, doc, message), f"progress of {doc.uri}")


async def large_progress(ls: AuditServer, doc: OpenDocument, message: str) -> None:
    token = str(uuid.uuid4())
    began = False
    try:
        await ls.work_done_progress.create_async(token)
        ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="auditls: analysing", message=message)
        )
        began = True
        if ls.pipeline is not None:
            await ls.pipeline.wait_settled(doc.uri)
    finally:
        doc.progress = False
        if began and not ls.stopped:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))


def deliver(ls: AuditServer, uri: str, version: int, analysis: Analysis) -> None:
    """The pipeline's result for a document, published if it is still that version."""
    doc = ls.documents.get(uri)
    if doc is None or doc.version != version:
        log.debug("analysis of %s version %d dropped: the buffer moved on", uri, version)
        return
    doc.accept(analysis)
    publish.refresh_document(ls, doc)
    found = ls.folder_of(doc.path)
    if not analysis.complete:
        # A quick analysis (``QUICK_FIRST``): its findings are shown; the full one, for hover
        # and the workspace rules, follows once the buffer has been still for the debounce
        # (a newer version or a close drops it), so that it never delays the next findings.
        if analysis.parses and doc.completion is not None and ls.completion is not None:
            wait = ls.settings_for(found[0] if found is not None else None).debounce
            ls.completion.submit(uri, version, doc.completion, wait)
        return
    if found is None or not analysis.parses or doc.large or doc.excluded or not analysis.text:
        return
    folder, rel = found
    folder.buffers[rel] = Buffer(analysis.facts, analysis.text, analysis.hash)
    if folder.buffers_task is None or folder.buffers_task.done():
        folder.buffers_task = ls.spawn(send_buffers(ls, folder), "buffers to the engine")


async def send_buffers(ls: AuditServer, folder: Folder) -> None:
    """The latest good buffer of each open file to the folder's engine, until none is left;
    the workspace rules' findings it brings are published."""
    await folder.indexed.wait()
    while folder.buffers and not ls.stopped:
        batch, folder.buffers = folder.buffers, {}
        changes = await folder.engine.update_batched(buffers=batch)
        publish.apply(ls, folder, changes)
