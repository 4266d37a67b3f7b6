"""FastAPI's workspace symbols: path operations by method and full path
(``POST /api/notes/ · notes.routers.notes.create``), from ``auditls.models.fastapi``."""

from __future__ import annotations

from lsprotocol import types

from auditls.models.fastapi import model_of
from auditls.server.symbols import Symbol, symbol_provider
from auditls.store import Store

#: At most this many symbols in one answer (a client filters further as the user types).
MAX_SYMBOLS = 500


@symbol_provider("fastapi.operations", order=62)
def operations(store: Store, query: str) -> list[Symbol]:
    """The operations whose method, path or endpoint has every word of ``query``."""
    words = query.lower().split()
    out: list[Symbol] = []
    for op in model_of(store).operations:
        f = op.fact
        for path in op.paths or (f.path or "?",):
            name = f"{f.method} {path}"
            text = f"{name} {f.endpoint}".lower()
            if not all(w in text for w in words):
                continue
            out.append(Symbol(name=name, detail=f.endpoint, kind=types.SymbolKind.Function,
                              path=op.site.path, line=f.line, column=f.col,
                              end_line=f.end_line, end_column=f.end_col))  # fmt: skip
            if len(out) >= MAX_SYMBOLS:
                return out
    return out
