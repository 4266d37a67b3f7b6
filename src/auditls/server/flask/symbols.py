"""``workspace/symbol``: Flask routes by URL and method ("POST /admin/users").

The routes come from the cross-file Flask model (``flask_hover.route_symbols`` over
``flask_model.model_of``), computed on the store's own thread; this module only turns them into
LSP symbols, converting positions to the client's encoding with the file's text (the open
buffer when there is one, else the file on disk).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lsprotocol import types

from auditls.models.flask import model_of
from auditls.server.convert import Lines, span
from auditls.server.flask.text import RouteSymbol, route_symbols
from auditls.store import Store

#: At most this many symbols in one answer (a client filters further as the user types).
MAX_SYMBOLS = 500


def routes_matching(query: str) -> Callable[[Store], list[RouteSymbol]]:
    """A store query (run it with ``FolderEngine.query``) for the routes matching ``query``."""

    def run(store: Store) -> list[RouteSymbol]:
        return route_symbols(model_of(store), query)[:MAX_SYMBOLS]

    return run


def to_symbols(
    root: Path,
    routes: list[RouteSymbol],
    encoding: str,
    text_of: Callable[[Path], str | None],
) -> list[types.WorkspaceSymbol]:
    """LSP symbols for routes of one folder; ``text_of`` gives a file's current text."""
    out: list[types.WorkspaceSymbol] = []
    texts: dict[str, Lines] = {}
    for route in routes:
        lines = texts.get(route.path)
        if lines is None:
            lines = Lines(text_of(root / route.path) or "")
            texts[route.path] = lines
        rng = span(lines, route.line, route.column, route.end_line, route.end_column, encoding)
        out.append(
            types.WorkspaceSymbol(
                name=route.name,
                kind=types.SymbolKind.Function,
                container_name=route.detail,
                location=types.Location(uri=(root / route.path).as_uri(), range=rng),
            )
        )
    return out
