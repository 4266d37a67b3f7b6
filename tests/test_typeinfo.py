"""The types domain: what the semantic model makes of annotations (the receiver's class through
Optional, unions, strings, Annotated, aliases, bound TypeVars, annotated variables and
attributes, return annotations), the declarations extractor's facts, and the hover."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditls.extractors import extract
from auditls.facts import FileFacts
from auditls.facts.core import CallFact
from auditls.facts.typeinfo import (
    GenericFact,
    LiteralFact,
    OverloadFact,
    ProtocolFact,
    TypedDictFact,
)
from auditls.server.hover import HoverContext, hover_markdown, providers

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "goldens" / "types_app.py"

HEAD = (
    "from __future__ import annotations\n"
    "from typing import Annotated, Optional, TypeAlias, TypeVar, Type, Union\n"
    "from fastapi import Depends\n"
    "from sqlalchemy.orm import Session\n"
)


def last_callee(body: str) -> str | None:
    calls = extract((HEAD + body).encode(), "pkg/mod.py").of(CallFact)
    return max(calls, key=lambda c: (c.line, c.end_col - c.col)).callee


@pytest.mark.parametrize(
    "body",
    [
        "def f(s: Session):\n    s.execute(q)",
        "def f(s: Optional[Session]):\n    s.execute(q)",
        "def f(s: Union[None, Session]):\n    s.execute(q)",
        "def f(s: Session | None):\n    s.execute(q)",
        "def f(s: None | Session):\n    s.execute(q)",
        "def f(s: 'Session'):\n    s.execute(q)",
        "def f(s: 'Optional[Session]'):\n    s.execute(q)",
        "def f(s: Optional['Session']):\n    s.execute(q)",
        "def f(s: Annotated[Session, Depends(get_db)]):\n    s.execute(q)",
        "def f(s: Type[Session]):\n    s.execute(q)",
        "def f(s: type[Session]):\n    s.execute(q)",
        "DB = Session\ndef f(s: DB):\n    s.execute(q)",
        "Dep = Annotated[Session, Depends(get_db)]\ndef f(s: Dep):\n    s.execute(q)",
        "Dep: TypeAlias = Annotated[Session, Depends(get_db)]\ndef f(s: Dep):\n    s.execute(q)",
        "Dep = Optional[Session]\nAgain = Dep\ndef f(s: Again):\n    s.execute(q)",
        "T = TypeVar('T', bound=Session)\ndef f(s: T):\n    s.execute(q)",
        "T = TypeVar('T', bound='Session')\ndef f(s: list[T]):\n    s[0]\ndef g(s: T):\n"
        "    s.execute(q)",
        "def f():\n    s: Session = make()\n    s.execute(q)",
        "def f(make):\n    s: Optional[Session] = None\n    s.execute(q)",
        "class C:\n    def __init__(self):\n        self.s: Optional[Session] = None\n"
        "    def run(self):\n        self.s.execute(q)",
        "class C:\n    s: Session\n    def run(self):\n        self.s.execute(q)",
        "def get() -> Session: ...\ndef f():\n    get().execute(q)",
        "def get() -> Optional[Session]: ...\ndef f():\n    s = get()\n    s.execute(q)",
        "class C:\n    def db(self) -> Session: ...\n"
        "    def run(self):\n        self.db().execute(q)",
        "def f():\n    s = make()\n    s.execute(q)\ndef make() -> 'Session': ...",
    ],
)
def test_an_annotated_receiver_resolves_to_its_class(body: str) -> None:
    assert last_callee(body) == "sqlalchemy.orm.Session.execute"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("def f(s: Session | int):\n    s.execute(q)", "a union of two classes"),
        ("def f(s: list[Session]):\n    s.execute(q)", "a container of sessions"),
        ("T = TypeVar('T', Session, int)\ndef f(s: T):\n    s.execute(q)", "constraints"),
        ("T = TypeVar('T')\ndef f(s: T):\n    s.execute(q)", "an unbound TypeVar"),
        ("def f(s: 'not a name'):\n    s.execute(q)", "a string that is no name"),
        ("X = d['k']\ndef f(s: X):\n    s.execute(q)", "a subscript that is no type"),
        ("def get() -> str: ...\ndef f():\n    get().execute(q)", "a builtin return"),
        ("from typing import Any\ndef f(s: Optional[Any]):\n    s.execute(q)", "Any"),
    ],
)
def test_what_the_model_cannot_know_stays_unknown(body: str, why: str) -> None:
    callee = last_callee(body)
    assert callee is None or not callee.startswith(("sqlalchemy", "typing")), why


def test_a_factory_binding_keeps_its_factory() -> None:
    """Extractors that follow factories (``app = create_app()``) still see the factory."""
    source = HEAD + "from flask import Flask\ndef create_app() -> Flask: ...\napp = create_app()\n"
    source += "app.run()\n"
    calls = extract(source.encode(), "pkg/mod.py").of(CallFact)
    assert [c.callee for c in calls][-1] == "flask.Flask.run"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax parses on 3.12+")
@pytest.mark.parametrize(
    "body",
    [
        "type Dep = Annotated[Session, Depends(get_db)]\ndef f(s: Dep):\n    s.execute(q)",
        "def f[T: Session](s: T):\n    s.execute(q)",
        "def f[T: (Session, int)](s: T | None, t: Session):\n    t.execute(q)",
    ],
)
def test_pep_695_aliases_and_type_parameters(body: str) -> None:
    assert last_callee(body) == "sqlalchemy.orm.Session.execute"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax parses on 3.12+")
def test_pep_695_declarations() -> None:
    source = (
        "from typing import Literal\nclass Box[T]:\n    item: T\n"
        "def first[T, *Ts, **P](x: T) -> T: ...\ntype Order = Literal['asc', 'desc']\n"
        "def f(o: Order): ...\n"
    )
    facts = extract(source.encode(), "pkg/mod.py")
    generics = {(g.qualname, g.kind, g.syntax, g.params) for g in facts.of(GenericFact)}
    assert generics == {
        ("pkg.mod.Box", "generic_class", "pep695", ("T",)),
        ("pkg.mod.first", "generic_function", "pep695", ("T", "Ts", "P")),
        ("pkg.mod.Order", "type_alias", "pep695", ()),
    }
    literals = {(lit.target, lit.where, lit.alias) for lit in facts.of(LiteralFact)}
    assert literals == {("Order", "alias", None), ("o", "param", "Order")}


@pytest.fixture(scope="module")
def golden() -> FileFacts:
    return extract(GOLDEN.read_bytes(), "pkg/types_app.py")


def test_protocols_and_typed_dicts(golden: FileFacts) -> None:
    protocols = {p.qualname: p for p in golden.of(ProtocolFact)}
    assert set(protocols) == {"pkg.types_app.Closer", "pkg.types_app.Reader"}
    assert protocols["pkg.types_app.Closer"].runtime_checkable
    assert protocols["pkg.types_app.Closer"].members == ("name", "close")
    assert protocols["pkg.types_app.Reader"].bases == ("pkg.types_app.Closer",)
    assert not protocols["pkg.types_app.Reader"].runtime_checkable
    dicts = {d.qualname: d for d in golden.of(TypedDictFact)}
    assert (dicts["pkg.types_app.Movie"].total, dicts["pkg.types_app.Movie"].required) == (
        False, ("title",),
    )  # fmt: skip
    assert dicts["pkg.types_app.Sequel"].required == ()  # a TypedDict of a TypedDict
    assert dicts["pkg.types_app.Point"].form == "functional"
    assert dicts["pkg.types_app.Point"].required == ("x",)


def test_generics_literals_and_overloads(golden: FileFacts) -> None:
    generics = {g.qualname.rpartition(".")[2]: g for g in golden.of(GenericFact)}
    assert generics["SessionT"].bound == "sqlalchemy.orm.Session"
    assert generics["Number"].constraints == ("int", "float")
    assert generics["P"].kind == "paramspec"
    assert (generics["UserId"].kind, generics["UserId"].bound) == ("newtype", "builtins.int")
    assert (generics["Repository"].kind, generics["Repository"].params) == (
        "generic_class", ("SessionT",),
    )  # fmt: skip
    assert generics["DbDep"].bound == "sqlalchemy.orm.Session"
    assert generics["MaybeDb"].bound == "sqlalchemy.orm.Session"
    literals = {(lit.target, lit.where, lit.alias, lit.values) for lit in golden.of(LiteralFact)}
    assert ("order", "param", "Direction", ('"asc"', '"desc"')) in literals
    assert ("limit", "field", None, ("10", "50", "100")) in literals
    assert ("return", "return", None, ('"ok"',)) in literals
    (overload,) = golden.of(OverloadFact)
    assert (overload.qualname, overload.overloads, overload.implementation) == (
        "pkg.types_app.first", 2, True,
    )  # fmt: skip
    assert overload.signatures[1] == '(items: str, default: str = "") -> str'


def _hover(facts: FileFacts, line: int, column: int = 5) -> str | None:
    return hover_markdown(
        HoverContext(
            uri="file:///types_app.py", path="types_app.py", line=line, column=column,
            text=GOLDEN.read_text(encoding="utf-8"), facts=facts, findings=[], docs_base=None,
        )
    )  # fmt: skip


def test_hover_on_types(golden: FileFacts) -> None:
    assert "typeinfo.declarations" in providers()
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()

    def line_of(start: str) -> int:
        return next(i for i, text in enumerate(lines, 1) if text.startswith(start))

    protocol = _hover(golden, line_of("class Closer")) or ""
    assert protocol.startswith("**Protocol** `pkg.types_app.Closer`")
    assert "Members: `name`, `close`" in protocol
    typevar = _hover(golden, line_of("SessionT = ")) or ""
    assert "Stands for `sqlalchemy.orm.Session`" in typevar
    overloaded = _hover(golden, line_of("def first(items, default")) or ""
    assert "**Overloaded** `pkg.types_app.first` · 2 signatures" in overloaded
    movie = _hover(golden, line_of("class Movie")) or ""
    assert "- `year: int` (may be missing)" in movie
    order_line = line_of("    g: SessionT")
    column = lines[order_line - 1].index("Direction") + 2
    literal = _hover(golden, order_line, column)
    assert literal is not None
    assert literal.startswith('**Literal** `order` (through `Direction`) is one of `"asc"`')
