"""Workspace symbols (server/symbols.py): the provider registry, Flask's routes registered in
it, and the conversion to LSP symbols in the client's encoding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from auditls.config import Config
from auditls.index import index_workspace
from auditls.server import symbols as symbols_module
from auditls.server.convert import UTF8, UTF16
from auditls.server.symbols import (
    Symbol,
    providers,
    symbol_provider,
    symbols_matching,
    to_symbols,
)
from auditls.store import Store

APP = (
    "from flask import Flask\n\nfrom pkg.views import bp\n\n"
    "app = Flask(__name__)\napp.register_blueprint(bp)\n\n\n"
    '@app.post("/notes")\ndef add_note():\n    return ""\n'
)
VIEWS = (
    'from flask import Blueprint\n\nbp = Blueprint("views", __name__)\n\n\n'
    '@bp.post("/notes/<int:nid>/delete")\ndef delete_note(nid):\n    return ""\n'
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(APP)
    (tmp_path / "pkg" / "views.py").write_text(VIEWS)
    with Store.open(tmp_path, persist=False) as opened:
        index_workspace(tmp_path, opened, Config(), jobs=0, progress=False)
        yield opened


@pytest.fixture
def restore_providers() -> Iterator[None]:
    saved = list(symbols_module._PROVIDERS.registered)
    yield
    symbols_module._PROVIDERS.registered[:] = saved


def test_flask_routes_are_symbols(store: Store) -> None:
    assert "flask.routes" in providers()
    found = symbols_matching("post delete")(store)
    assert [(s.name, s.path, s.line, s.kind) for s in found] == [
        ("POST /notes/<int:nid>/delete", "pkg/views.py", 6, types.SymbolKind.Function)
    ]
    assert "views.delete_note" in found[0].detail
    assert {s.name for s in symbols_matching("")(store)} == {
        "POST /notes",
        "POST /notes/<int:nid>/delete",
    }


@pytest.mark.usefixtures("restore_providers")
def test_a_domain_adds_symbols_without_touching_the_handler(store: Store) -> None:
    def things(store: Store, query: str) -> list[Symbol]:
        return [
            Symbol("thing " + query, "a test", types.SymbolKind.Class, "pkg/views.py", 3, 1, 3, 3)
        ]

    symbol_provider("test.things", order=10)(things)
    assert providers()[:2] == ["test.things", "flask.routes"]
    names = [s.name for s in symbols_matching("notes")(store)]
    assert names == ["thing notes", "POST /notes", "POST /notes/<int:nid>/delete"]
    symbol_provider("test.things", order=10)(lambda store, query: [])  # replaces, not adds
    names = [s.name for s in symbols_matching("notes")(store)]
    assert names == ["POST /notes", "POST /notes/<int:nid>/delete"]


def test_symbols_convert_to_the_clients_encoding(tmp_path: Path) -> None:
    symbol = Symbol("s", "d", types.SymbolKind.Function, "m.py", 1, 3, 1, 4)
    texts = {tmp_path / "m.py": "𝒳é = 1\n"}
    [utf16] = to_symbols(tmp_path, [symbol], UTF16, texts.get)
    [utf8] = to_symbols(tmp_path, [symbol], UTF8, texts.get)
    assert isinstance(utf16.location, types.Location)
    assert isinstance(utf8.location, types.Location)
    assert utf16.location.uri == (tmp_path / "m.py").as_uri()
    assert utf16.location.range.start == types.Position(line=0, character=3)
    assert utf8.location.range.start == types.Position(line=0, character=6)
    assert utf16.container_name == "d"


def test_a_symbol_in_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    import os

    real = tmp_path / os.fsdecode(b"bad_\xff.py")
    real.write_text("x = 1\n", encoding="utf-8")
    symbol = Symbol("s", "d", types.SymbolKind.Function, "bad_\\xff.py", 1, 1, 1, 2)
    [found] = to_symbols(tmp_path, [symbol], UTF16, lambda p: p.read_text(encoding="utf-8"))
    assert isinstance(found.location, types.Location)
    assert found.location.uri == tmp_path.as_uri() + "/bad_%FF.py"  # the real bytes
