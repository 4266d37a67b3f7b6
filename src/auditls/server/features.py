"""Language features: hover, quick fixes (code actions) and workspace symbols.

Each handler gets the document or the folders, hands the work to a registry or a pure function
(``hover.hover_markdown``, ``actions.code_actions``, ``symbols.symbols_matching``) and converts
the answer. Hover and symbol providers run in a worker thread, never on the event loop; what
they ask the store runs on the store's thread, and not at all while a folder is being indexed
(a hover must not wait for a cold index).
"""

from __future__ import annotations

import asyncio
import functools

from lsprotocol import types

from auditls.server import publish
from auditls.server.actions import code_actions
from auditls.server.convert import Lines, Prepared, engine_position
from auditls.server.documents import OpenDocument
from auditls.server.hover import HoverContext, hover_markdown
from auditls.server.state import AuditServer
from auditls.server.symbols import symbols_matching, to_symbols

#: Seconds a hover or symbol provider may wait for the store's thread.
QUERY_TIMEOUT = 5.0


async def hover(ls: AuditServer, params: types.HoverParams) -> types.Hover | None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return None
    if ls.pipeline is not None and not doc.large:  # a large one answers from what it shows
        await ls.pipeline.settled(doc.uri)
    ctx, shown = hover_context(ls, doc, params.position)
    markdown = await asyncio.get_running_loop().run_in_executor(None, hover_markdown, ctx)
    if markdown is None:
        return None
    covering = [p for p in shown if ctx.covers(p.finding)]
    return types.Hover(
        contents=types.MarkupContent(kind=markup_kind(ls), value=markdown),
        range=covering[0].range if covering else None,
    )


def code_action(ls: AuditServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    if uri not in ls.documents or ls.hub is None:
        return None
    hub = ls.hub

    def known(diagnostic: types.Diagnostic) -> types.Diagnostic | None:
        for own in hub.get(uri):
            if own.code == diagnostic.code and own.range == diagnostic.range:
                return own
        return None

    return code_actions(uri, ls.text(uri), params.context.diagnostics, known, params.context.only)


async def workspace_symbol(
    ls: AuditServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    """Every provider's symbols (Flask routes by method and URL), from every folder that is not
    being indexed."""
    loop = asyncio.get_running_loop()
    found: list[types.WorkspaceSymbol] = []
    for folder in list(ls.folders):
        engine = folder.engine
        if engine is None or engine.indexing:
            continue
        query = functools.partial(
            engine.query, symbols_matching(params.query), timeout=QUERY_TIMEOUT
        )
        symbols = await loop.run_in_executor(None, query)
        found.extend(to_symbols(folder.root, symbols, ls.encoding, ls.current_text))
    return found


def hover_context(
    ls: AuditServer, doc: OpenDocument, position: types.Position
) -> tuple[HoverContext, list[Prepared]]:
    """What hover providers see at ``position``, and the findings the document shows."""
    text = ls.text(doc.uri)
    line, column = engine_position(Lines(text), position, ls.encoding)
    prepared, settings, _ = publish.document_findings(ls, doc)
    shown = publish.visible(prepared, settings)
    found = ls.folder_of(doc.path)
    engine = found[0].engine if found is not None else None
    ctx = HoverContext(
        uri=doc.uri,
        path=found[1] if found is not None else (doc.path.name if doc.path else doc.uri),
        line=line,
        column=column,
        text=text,
        facts=doc.facts,
        findings=[p.finding for p in shown],
        docs_base=settings.docs_url or ls.docs_base,
        # Behind a cold index the store's thread is busy for seconds: no store lookups then.
        store_query=(
            functools.partial(engine.query, timeout=QUERY_TIMEOUT)
            if engine is not None and not engine.indexing
            else None
        ),
    )
    return ctx, shown


def markup_kind(ls: AuditServer) -> types.MarkupKind:
    """Markdown, unless the client offers hover formats without it."""
    formats = ls.client_capabilities.text_document
    offered = formats.hover.content_format if formats and formats.hover else None
    if offered is not None and types.MarkupKind.Markdown not in offered:
        return types.MarkupKind.PlainText
    return types.MarkupKind.Markdown
