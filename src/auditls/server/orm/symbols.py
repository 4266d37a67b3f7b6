"""SQLAlchemy's workspace symbols: mapped models by class and table name
(``User · users``), from ``auditls.models.orm``, computed on the store's own thread."""

from __future__ import annotations

from lsprotocol import types

from auditls.models.orm import model_of
from auditls.server.symbols import Symbol, symbol_provider
from auditls.store import Store

#: At most this many symbols in one answer (a client filters further as the user types).
MAX_SYMBOLS = 500


@symbol_provider("orm.models", order=63)
def models(store: Store, query: str) -> list[Symbol]:
    """The mapped models whose class, table or module has every word of ``query``."""
    words = query.lower().split()
    out: list[Symbol] = []
    for model in model_of(store).mapped():
        f = model.fact
        name = f.name + (f" · {model.table}" if model.table else "")
        text = f"{name} {model.qualname}".lower()
        if not all(w in text for w in words):
            continue
        out.append(Symbol(name=name, detail=f"SQLAlchemy model · {model.qualname}",
                          kind=types.SymbolKind.Class, path=model.site.path, line=f.line,
                          column=f.col, end_line=f.end_line, end_column=f.end_col))  # fmt: skip
        if len(out) >= MAX_SYMBOLS:
            break
    return out
