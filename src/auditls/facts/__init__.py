"""Fact dataclasses: the schema of the store, one module per domain, and their registry.

Every fact is a frozen, slotted, keyword-only dataclass declared with ``@fact`` (see there)
that names its table in ``TABLE``.
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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, ClassVar, TypeVar, dataclass_transform

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


_T = TypeVar("_T")

_MISSING = object()


def _field_setters(
    cls: type,
    fields: tuple[dataclasses.Field[Any], ...],
    target: str,
    given: tuple[str, ...],
    params: list[str],
    body: list[str],
    namespace: dict[str, object],
) -> None:
    """The generated code's part for each field (``fast_init``, ``builder``): a keyword
    parameter (with its default or factory) unless it is one of ``given``, and a line that sets
    its slot on ``target`` through the slot's own descriptor."""
    for f in fields:
        name = f.name
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
        if name not in given:
            if f.default is not dataclasses.MISSING:
                namespace[f"_default_{name}"] = f.default
                params.append(f"{name}=_default_{name}")
            elif f.default_factory is not dataclasses.MISSING:
                namespace[f"_factory_{name}"] = f.default_factory
                params.append(f"{name}=_MISSING")
                body.append(f"    if {name} is _MISSING: {name} = _factory_{name}()")
            else:
                params.append(name)
        body.append(f"    _set_{name}({target}, {name})")


def fast_init(cls: type[_T]) -> type[_T]:
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
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # a dataclass by now
    _field_setters(cls, fields, "self", (), params, body, namespace)
    source = f"def __init__(self, *, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 - compiled from our own field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[method-assign,assignment]
    cls._fast_init = True  # type: ignore[attr-defined]
    return cls


@dataclass_transform(kw_only_default=True, frozen_default=True)
def fact(cls: type[_T]) -> type[_T]:
    """Declare a fact class: a slotted, keyword-only dataclass, frozen, compared, hashed and
    shown by its fields, with a fast ``__init__`` (``fast_init``).

    What ``@dataclass(frozen=True, slots=True, kw_only=True)`` gives, without the six methods
    ``dataclasses`` compiles for each class (``__init__``, ``__repr__``, ``__eq__``,
    ``__hash__``, ``__setattr__``, ``__delattr__``: a fifth of the start-up of every run, for
    90 fact classes): the last five are ``Fact``'s own, reading the fields through one
    ``attrgetter`` per class; only ``fast_init`` compiles, once per class."""
    if "__post_init__" in cls.__dict__:
        raise TypeError(f"{cls.__qualname__}: a fact has no __post_init__")
    made = dataclass(slots=True, kw_only=True, init=False, repr=False, eq=False)(cls)
    names = tuple(f.name for f in dataclasses.fields(made))  # type: ignore[arg-type]
    compared = [f.name for f in dataclasses.fields(made) if f.compare]  # type: ignore[arg-type]
    made._names = names  # type: ignore[attr-defined]
    made._key = attrgetter(*compared) if compared else _no_key  # type: ignore[attr-defined]
    return fast_init(made)


def _no_key(_: object) -> tuple[()]:
    return ()


@fact
class Fact:
    """Base of every fact: a position in its file. Subclasses set ``TABLE`` and are declared
    with ``@fact``."""

    TABLE: ClassVar[str] = ""
    #: Every field's name, in order, and what reads the compared fields (set by ``fact``).
    _names: ClassVar[tuple[str, ...]]
    _key: ClassVar[Callable[..., Any]]

    line: int  # 1-based first line
    col: int  # 1-based code-point column of the first character
    end_line: int  # 1-based last line
    end_col: int  # 1-based code-point column one past the last character

    # What a frozen dataclass generates, written once for every fact class.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(self._key(self) == self._key(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    # Pickling and ``copy`` (they set the fields back without ``__setattr__``).
    def __getstate__(self) -> list[object]:
        return [getattr(self, name) for name in self._names]

    def __setstate__(self, state: list[object]) -> None:
        for name, value in zip(self._names, state, strict=True):
            object.__setattr__(self, name, value)


F = TypeVar("F", bound=Fact)


#: A fact's position: (line, col, end_line, end_col), as ``Fact`` holds them.
Span = tuple[int, int, int, int]


def builder(cls: type[F]) -> Callable[..., F]:
    """A function that makes a ``cls`` fact two to three times faster than calling the class:
    ``builder(CallFact)(span, call_id=..., ...)``, the position as one ``Span`` tuple and every
    other field by keyword, exactly as ``__init__`` takes them (a missing or unknown one raises
    ``TypeError``). For the extractors' commonest facts (hundreds of thousands a workspace).

    Calling a class goes through ``type.__call__`` and ``__init__`` with a dictionary of the
    keywords (and ``**ctx.pos(node)`` builds and merges one more); a plain function called
    with keywords binds them on the frame. The slots are set through their own descriptors, as
    ``fast_init`` does: the fact is as frozen as one the class made. Made once per class."""
    made = cls.__dict__.get("_builder")
    if made is not None:
        return made  # type: ignore[no-any-return]
    fields = dataclasses.fields(cls)
    position = ("line", "col", "end_line", "end_col")
    if tuple(f.name for f in fields[:4]) != position:
        raise TypeError(f"{cls.__qualname__}: a fact's first fields are its position")
    params: list[str] = []
    body = ["    o = _new(_cls)", "    line, col, end_line, end_col = span"]
    namespace: dict[str, object] = {"_new": object.__new__, "_cls": cls, "_MISSING": _MISSING}
    _field_setters(cls, fields, "o", position, params, body, namespace)
    if getattr(cls, "__post_init__", None) is not None:
        body.append("    o.__post_init__()")
    body.append("    return o")
    star = ", *, " + ", ".join(params) if params else ""
    source = f"def build(span{star}):\n" + "\n".join(body)
    exec(source, namespace)  # noqa: S102 - compiled from our own field names, as dataclasses does
    build = namespace["build"]
    build.__qualname__ = f"builder({cls.__qualname__})"  # type: ignore[attr-defined]
    type.__setattr__(cls, "_builder", build)
    return build  # type: ignore[return-value]


@dataclass(slots=True, kw_only=True)
class FileFacts:
    """Everything extraction learned about one file: the unit the store replaces atomically."""

    path: str  # path relative to the workspace root, with "/" separators
    module: str  # the module's dotted name
    status: str  # "ok" | "syntax_error"; "skipped" | "error" for a file recorded unread
    error: str | None = None  # the parse error message (or why unread), when status is not "ok"
    error_line: int | None = None  # 1-based line of the parse error
    error_col: int | None = None  # 1-based code-point column of the parse error
    facts: list[Fact] = field(default_factory=list)  # every fact, in source order
    extractor_errors: list[str] = field(default_factory=list)  # "name: message" per failed one

    def of(self, fact_type: type[F]) -> list[F]:
        """The facts of one type, in source order."""
        return [f for f in self.facts if type(f) is fact_type]


# -- Text UTF-8 can hold ----------------------------------------------------------------------
#
# A Python string may hold lone surrogates (a literal "\ud800", or a file name whose bytes are
# not UTF-8, which ``os.fsdecode`` turns into U+DC80..U+DCFF), and neither SQLite, JSON output nor
# an editor can carry them. Extraction escapes them once, so every fact, the store and every
# output hold the same text:
#
# - in text (literals, messages, names) a lone surrogate becomes the six characters ``\udXXX``
#   (Python's ``backslashreplace``: what ``repr`` shows inside the literal);
# - in a file name the bytes that are not UTF-8, and control characters, become ``\xNN`` (as
#   ``ls -b`` shows them); the file itself is still read through its real name.
#
# Text that UTF-8 can encode is never changed.


def escape_text(text: str) -> str:
    """``text`` with every lone surrogate written as ``\\udXXX``; unchanged when UTF-8 can
    encode it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def escape_path(name: str) -> str:
    """A file name (as ``os.fsdecode`` gives it) with its non-UTF-8 bytes and its control
    characters (a newline would forge a line of the text report) written as ``\\xNN``;
    unchanged when it is valid UTF-8 without control characters."""
    if name.isprintable():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate that is no escaped byte
            name = escape_text(name)
        else:
            name = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _needs_escape(value: object) -> bool:
    if isinstance(value, str):
        return not value.isascii() and escape_text(value) is not value
    if isinstance(value, tuple):
        return any(_needs_escape(v) for v in value)
    return False


def _escaped(value: object) -> object:
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, tuple):
        return tuple(_escaped(v) for v in value)
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def escape_fact(fact: F) -> F:
    """``fact`` itself when every string in it is UTF-8; else a copy with them escaped."""
    names = _field_names(type(fact))
    if not any(_needs_escape(getattr(fact, name)) for name in names):
        return fact
    changes: dict[str, Any] = {name: _escaped(getattr(fact, name)) for name in names}
    return dataclasses.replace(fact, **changes)


def escape_file_facts(ff: FileFacts, *, facts: bool) -> FileFacts:
    """``ff`` with its path, module and messages escaped, and with ``facts``, every fact too
    (extraction asks for that only when the source can hold a lone surrogate)."""
    ff.path = escape_path(ff.path)
    ff.module = escape_path(ff.module)
    if ff.error is not None:
        ff.error = escape_text(ff.error)
    ff.extractor_errors = [escape_text(e) for e in ff.extractor_errors]
    if facts:
        ff.facts = [escape_fact(f) for f in ff.facts]
    return ff


def fact_fields(fact_type: type[Fact]) -> list[dataclasses.Field[object]]:
    """The dataclass fields of a fact type, in declaration order (position fields first)."""
    return list(dataclasses.fields(fact_type))


#: The domains whose fact modules make up the schema, in table order: adding a domain adds its
#: module ``auditls/facts/<domain>.py`` (with ``FACT_TYPES``) and one name here.
DOMAINS = (
    "core", "flask", "security", "taint", "django", "fastapi", "aiohttp", "testing", "celery",
    "concurrency", "orm", "validation", "typeinfo",
)  # fmt: skip


def all_fact_types() -> tuple[type[Fact], ...]:
    """Every fact class, domain by domain (each module's ``FACT_TYPES``), in table order."""
    import importlib

    found: list[type[Fact]] = []
    for domain in DOMAINS:
        module = importlib.import_module(f"auditls.facts.{domain}")
        found.extend(module.FACT_TYPES)
    return tuple(found)
