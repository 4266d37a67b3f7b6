"""Fact dataclasses: the schema of the store, one module per domain, and their registry.

Every fact is a frozen, slotted, keyword-only dataclass that names its table in ``TABLE``.
The store generates its DDL and INSERT statements from the fields (see ``auditls.store.schema``),
so adding a field here is all it takes to add a column; the schema hash changes and stale stores
rebuild themselves.

Field types the store understands: ``int``, ``str``, ``bool``, ``float``, their ``| None``
variants, and ``tuple[str, ...]`` (stored as JSON text).

Positions (``line``/``col``/``end_line``/``end_col``) are 1-based lines and 1-based code-point
columns; ``end_col`` is exclusive. ``ast`` gives UTF-8 byte offsets: the walker converts them once.

A "function" field names the enclosing function's qualified name (``pkg.mod.Class.method``), or
the module's name for code at module level.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

#: Value kinds of an argument or assigned value (see ``value_kind`` in extractors.semantic).
VALUE_KINDS = (
    "constant",  # a literal: 1, "x", None, b"y"
    "name",  # a bare name
    "attribute",  # a.b
    "call",  # f(...)
    "fstring",  # f"..." with at least one placeholder
    "percent_format",  # "..." % x
    "format_call",  # "...".format(x)
    "concat",  # "..." + x (a + whose operands include a string)
    "container",  # list / tuple / set / dict display
    "subscript",  # a[b]
    "other",  # anything else
)

#: Where a bare name comes from, as far as the semantic model can tell.
NAME_ORIGINS = ("param", "local", "global", "import", "builtin", "unknown")


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """Base of every fact: a position in its file. Subclasses set ``TABLE``."""

    TABLE: ClassVar[str] = ""

    line: int  # 1-based first line
    col: int  # 1-based code-point column of the first character
    end_line: int  # 1-based last line
    end_col: int  # 1-based code-point column one past the last character


F = TypeVar("F", bound=Fact)

_MISSING = object()


def fast_init(cls: type[F]) -> type[F]:
    """Give a frozen fact class a faster ``__init__`` that keeps it frozen.

    A frozen dataclass's generated ``__init__`` goes through ``object.__setattr__`` once per
    field; setting the slots through their own descriptors does the same in less than half the
    time, and a file has thousands of facts. Assignment after construction still raises
    ``FrozenInstanceError``. Like ``dataclasses``, this compiles a small function from the
    field names (our own identifiers, never input). Classes with ``__post_init__`` keep theirs.
    """
    if getattr(cls, "__post_init__", None) is not None or cls.__dict__.get("_fast_init"):
        return cls
    params: list[str] = []
    body: list[str] = []
    namespace: dict[str, object] = {"_MISSING": _MISSING}
    for f in dataclasses.fields(cls):
        name = f.name
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=_MISSING")
            body.append(f"    if {name} is _MISSING: {name} = _factory_{name}()")
        else:
            params.append(name)
        body.append(f"    _set_{name}(self, {name})")
    source = f"def __init__(self, *, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 - compiled from our own field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[method-assign,assignment]
    cls._fast_init = True  # type: ignore[attr-defined]
    return cls


@dataclass(slots=True, kw_only=True)
class FileFacts:
    """Everything extraction learned about one file: the unit the store replaces atomically."""

    path: str  # path relative to the workspace root, with "/" separators
    module: str  # the module's dotted name
    status: str  # "ok" | "syntax_error" | "error"
    error: str | None = None  # the parse error message, when status is not "ok"
    error_line: int | None = None  # 1-based line of the parse error
    error_col: int | None = None  # 1-based code-point column of the parse error
    facts: list[Fact] = field(default_factory=list)  # every fact, in source order
    extractor_errors: list[str] = field(default_factory=list)  # "name: message" per failed one

    def of(self, fact_type: type[F]) -> list[F]:
        """The facts of one type, in source order."""
        return [f for f in self.facts if type(f) is fact_type]


def fact_fields(fact_type: type[Fact]) -> list[dataclasses.Field[object]]:
    """The dataclass fields of a fact type, in declaration order (position fields first)."""
    return list(dataclasses.fields(fact_type))


#: The domains whose fact modules make up the schema, in table order: adding a domain adds its
#: module ``auditls/facts/<domain>.py`` (with ``FACT_TYPES``) and one name here.
DOMAINS = ("core", "flask", "security", "taint", "django")


def all_fact_types() -> tuple[type[Fact], ...]:
    """Every fact class, domain by domain (each module's ``FACT_TYPES``), in table order."""
    import importlib

    found: list[type[Fact]] = []
    for domain in DOMAINS:
        module = importlib.import_module(f"auditls.facts.{domain}")
        found.extend(module.FACT_TYPES)
    return tuple(found)
