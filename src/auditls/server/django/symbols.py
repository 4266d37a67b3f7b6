"""Django's workspace symbols: URL patterns by path and name (``/shop/orders/<int:pk>/ ·
shop:order``) and signals, from the cross-file model (``auditls.models.django``), computed on
the store's own thread; the ``workspace/symbol`` handler converts them."""

from __future__ import annotations

from lsprotocol import types

from auditls.models.django import model_of
from auditls.server.symbols import Symbol, symbol_provider
from auditls.store import Store

#: At most this many symbols in one answer (a client filters further as the user types).
MAX_SYMBOLS = 500


def _matches(query: str, text: str) -> bool:
    words = query.lower().split()
    low = text.lower()
    return all(w in low for w in words)


@symbol_provider("django.urls", order=60)
def url_patterns(store: Store, query: str) -> list[Symbol]:
    """The URL patterns whose path or name has every word of ``query``."""
    model = model_of(store)
    out: list[Symbol] = []
    for e in model.endpoints:
        name = f"/{e.pattern}" + (f" · {e.name}" if e.name else "")
        if not _matches(query, name):
            continue
        view = model.views.get(e.view)
        site = (view.path, view.fact) if view is not None else (e.site.path, e.site.fact)
        out.append(Symbol(name=name, detail=e.view, kind=types.SymbolKind.Function,
                          path=site[0], line=site[1].line, column=site[1].col,
                          end_line=site[1].end_line, end_column=site[1].end_col))  # fmt: skip
        if len(out) >= MAX_SYMBOLS:
            break
    return out


@symbol_provider("django.signals", order=61)
def signals(store: Store, query: str) -> list[Symbol]:
    """The signals (where defined, or first connected) whose name has every word of ``query``."""
    model = model_of(store)
    out: list[Symbol] = []
    for key, sites in model.signals.items():
        if not _matches(query, key):
            continue
        site = next((s for s in sites if s.fact.role == "define"), sites[0])
        receivers = sum(1 for s in sites if s.fact.role in ("receiver", "connect"))
        f = site.fact
        out.append(Symbol(name=key, detail=f"signal · {receivers} receiver(s)",
                          kind=types.SymbolKind.Event, path=site.path, line=f.line,
                          column=f.col, end_line=f.end_line, end_column=f.end_col))  # fmt: skip
        if len(out) >= MAX_SYMBOLS:
            break
    return out
