"""Workspace symbols: a registry of providers, each naming what a query matches in one store.

The ``workspace/symbol`` handler knows nothing of routes, views or signals: for every folder
that is not being indexed it runs ``symbols_matching(query)`` on the folder's store thread and
converts what the registered providers return (``to_symbols``). A domain adds its symbols by
registering a provider, for instance in ``auditls/server/flask/symbols.py``::

    from auditls.server.symbols import Symbol, symbol_provider

    @symbol_provider("flask.routes", order=50)
    def routes(store: Store, query: str) -> list[Symbol]:
        return [Symbol(name="POST /admin/users", ...) for route in ...]

and importing that module at the bottom of this one (as ``hover.py`` does), so that the
registration happens when the server starts.

A provider runs on the store's thread (``FolderEngine.query``), so it may query the store
directly; it caps its own answer (a client filters further as the user types). Positions are
engine positions (1-based lines, code-point columns); ``to_symbols`` converts them to the
client's encoding with the file's current text (the open buffer when there is one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from auditls.index import real_path
from auditls.server.convert import Lines, span
from auditls.server.providers import Providers
from auditls.server.state import file_uri
from auditls.store import Store


@dataclass(frozen=True, slots=True)
class Symbol:
    """A workspace symbol as a provider finds it."""

    name: str  # what the user searches and sees: "POST /admin/users"
    detail: str  # shown beside the name: "admin.delete_user · bookclub.create_app()"
    kind: types.SymbolKind
    path: str  # the file, relative to the folder ("/" separators)
    line: int  # 1-based line
    column: int  # 1-based code-point column
    end_line: int  # 1-based last line
    end_column: int  # 1-based code-point column one past the end


#: A provider gets the store and the user's query and returns its matching symbols.
SymbolProvider = Callable[[Store, str], Sequence[Symbol]]


_PROVIDERS: Providers[SymbolProvider] = Providers()


def symbol_provider(name: str, *, order: int = 100) -> Callable[[SymbolProvider], SymbolProvider]:
    """Register a provider; they run by ``order``, then name. Re-registering a name replaces
    the provider."""
    return _PROVIDERS.register(name, order=order)


def providers() -> list[str]:
    return _PROVIDERS.names()


def symbols_matching(query: str) -> Callable[[Store], list[Symbol]]:
    """A store query (run it with ``FolderEngine.query``) for every provider's symbols."""

    def run(store: Store) -> list[Symbol]:
        found: list[Symbol] = []
        for registered in _PROVIDERS:
            found.extend(registered.provider(store, query))
        return found

    return run


def to_symbols(
    root: Path,
    symbols: Sequence[Symbol],
    encoding: str,
    text_of: Callable[[Path], str | None],
) -> list[types.WorkspaceSymbol]:
    """LSP symbols for the symbols of one folder; ``text_of`` gives a file's current text."""
    out: list[types.WorkspaceSymbol] = []
    texts: dict[str, Lines] = {}
    for symbol in symbols:
        lines = texts.get(symbol.path)
        real = real_path(root, symbol.path)  # a name that is not UTF-8 is stored escaped
        if lines is None:
            lines = Lines(text_of(real) or "")
            texts[symbol.path] = lines
        rng = span(lines, symbol.line, symbol.column, symbol.end_line, symbol.end_column, encoding)
        out.append(
            types.WorkspaceSymbol(
                name=symbol.name,
                kind=symbol.kind,
                container_name=symbol.detail,
                location=types.Location(uri=file_uri(root.as_uri(), symbol.path, root), range=rng),
            )
        )
    return out


# Domain providers register themselves on import (as hover.py imports its domains').
from auditls.server.django import symbols as _symbols_django  # noqa: E402,F401
from auditls.server.fastapi import symbols as _symbols_fastapi  # noqa: E402,F401
from auditls.server.flask import symbols as _symbols_flask  # noqa: E402,F401
from auditls.server.orm import symbols as _symbols_orm  # noqa: E402,F401
