"""Flask's workspace symbols: routes by method and URL ("POST /admin/users").

The routes come from the cross-file Flask model (``text.route_symbols`` over
``rules.flask.judge.judge_of``), computed on the store's own thread; the ``workspace/symbol``
handler converts them (``server/symbols.py``).
"""

from __future__ import annotations

from lsprotocol import types

from auditls.rules.flask.judge import judge_of
from auditls.server.flask.text import route_symbols
from auditls.server.symbols import Symbol, symbol_provider
from auditls.store import Store

#: At most this many routes in one answer (a client filters further as the user types).
MAX_SYMBOLS = 500


@symbol_provider("flask.routes", order=50)
def routes(store: Store, query: str) -> list[Symbol]:
    """The routes whose name has every word of ``query``."""
    return [
        Symbol(
            name=route.name,
            detail=route.detail,
            kind=types.SymbolKind.Function,
            path=route.path,
            line=route.line,
            column=route.column,
            end_line=route.end_line,
            end_column=route.end_column,
        )
        for route in route_symbols(judge_of(store), query)[:MAX_SYMBOLS]
    ]
