"""Fact dataclasses: the schema of the store.

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


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportFact(Fact):
    """One name bound by an import statement (``import a.b as c`` binds ``c``)."""

    TABLE: ClassVar[str] = "python_imports"

    function: str  # enclosing scope's qualified name (module name at top level)
    module: str  # the module as written, without leading dots ("" for `from . import x`)
    name: str | None  # the imported name for `from m import name`; None for `import m`
    asname: str | None  # the `as` name, if any
    bound: str  # the local name the statement binds ("*" for a star import)
    level: int  # number of leading dots of a relative import
    target: str  # what is bound, qualified: "a.b" (import a.b), "pkg.mod.x" (from .mod import x)
    is_star: bool  # `from m import *`


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionFact(Fact):
    """A function, method, async function or lambda definition."""

    TABLE: ClassVar[str] = "python_functions"

    qualname: str  # fully qualified name: "pkg.mod.Class.method", "pkg.mod.f.<locals>.g"
    name: str  # the bare name ("<lambda>" for a lambda)
    is_async: bool  # `async def`
    is_lambda: bool  # a lambda expression
    class_name: str | None  # qualified name of the directly enclosing class, for methods
    decorators: tuple[str, ...]  # resolved decorator names (as written when unresolved), in order
    returns: str | None  # the return annotation's source text
    is_generator: bool  # the body yields (set when the body has been seen)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamFact(Fact):
    """One parameter of a function."""

    TABLE: ClassVar[str] = "python_function_params"

    function: str  # qualified name of the function
    position: int  # 0-based position in the signature
    name: str  # parameter name
    kind: str  # posonly | arg | vararg | kwonly | kwarg
    annotation: str | None  # annotation source text
    annotation_qualname: str | None  # the annotation resolved to a qualified name
    default: str | None  # default value source text
    default_kind: str | None  # value kind of the default (see VALUE_KINDS)
    default_value: str | None  # JSON of the default when it is a literal


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassFact(Fact):
    """A class definition."""

    TABLE: ClassVar[str] = "python_classes"

    qualname: str  # fully qualified name
    name: str  # bare name
    bases: tuple[str, ...]  # resolved base names (as written when unresolved)
    decorators: tuple[str, ...]  # resolved decorator names, in order
    metaclass: str | None  # resolved metaclass keyword, if any


@dataclass(frozen=True, slots=True, kw_only=True)
class CallFact(Fact):
    """A call expression. Its arguments are CallArgFact rows with the same ``call_id``."""

    TABLE: ClassVar[str] = "python_calls"

    call_id: int  # per-file sequence number, links the arguments
    function: str  # enclosing function's qualified name (module name at top level)
    callee: str | None  # resolved qualified name of the callee ("subprocess.run"); None if unknown
    callee_text: str  # the callee as written ("sp.run", "self.cursor.execute")
    attr: str | None  # the last attribute of the callee as written ("execute"), if any
    n_args: int  # number of positional arguments (starred count as one)
    stmt_line: int  # first line of the enclosing statement (suppression comments live there)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallArgFact(Fact):
    """One argument of a call."""

    TABLE: ClassVar[str] = "python_call_args"

    call_id: int  # the CallFact this belongs to
    position: int  # 0-based position among positional arguments; -1 for keyword arguments
    keyword: str | None  # keyword name; "*" for *args, "**" for **kwargs, None for positional
    kind: str  # value kind (see VALUE_KINDS)
    value: str | None  # JSON of the value when it is a literal (constant or literal container)
    text: str  # source text of the argument, cut to 200 characters
    qualname: str | None  # resolved qualified name when a name/attribute/call result resolves
    origin: str | None  # for a bare name: where it comes from (see NAME_ORIGINS)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignmentFact(Fact):
    """One target of an assignment (`a = b = 1` gives two rows), annotated or augmented."""

    TABLE: ClassVar[str] = "python_assignments"

    function: str  # enclosing function's qualified name (module name at top level)
    target: str  # target source text ("x", "self.y", "d['k']")
    target_name: str | None  # the bound name when the target is a bare name
    target_qualname: str | None = None  # an attribute target resolved ("requests.Session.verify")
    op: str  # "=", ":" (annotated), or the augmented operator ("+=")
    kind: str  # value kind of the assigned value
    value: str | None  # JSON of the value when it is a literal
    text: str  # value source text, cut to 200 characters
    qualname: str | None  # the value resolved (a name, attribute, or the callee of a call)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnFact(Fact):
    """A return (or yield) of a function."""

    TABLE: ClassVar[str] = "python_returns"

    function: str  # qualified name of the returning function
    is_yield: bool  # yield / yield from rather than return
    kind: str | None  # value kind, None for a bare return
    text: str | None  # value source text, cut to 200 characters
    qualname: str | None  # the value resolved, when it resolves


@dataclass(frozen=True, slots=True, kw_only=True)
class DecoratorFact(Fact):
    """One decorator applied to a function or class."""

    TABLE: ClassVar[str] = "python_decorators"

    target: str  # qualified name of the decorated function or class
    target_kind: str  # "function" | "class"
    position: int  # 0-based, outermost first (source order)
    name: str | None  # resolved qualified name of the decorator (the callee when called)
    text: str  # the decorator as written, cut to 200 characters
    is_call: bool  # written with arguments: @d(...)
    args: tuple[str, ...]  # source text of each argument (keywords as "k=v")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextManagerFact(Fact):
    """One item of a with / async with statement."""

    TABLE: ClassVar[str] = "python_context_managers"

    function: str  # enclosing function's qualified name
    manager: str | None  # resolved qualified name (the callee when the item is a call)
    text: str  # the item's expression as written, cut to 200 characters
    is_async: bool  # async with
    as_name: str | None  # the name bound by `as`, when it is a bare name


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionFact(Fact):
    """A suppression comment: `# auditls: ignore[...]`, bare `# auditls: ignore`, or `# nosec`."""

    TABLE: ClassVar[str] = "python_suppressions"

    codes: tuple[str, ...]  # rule codes named; empty means every rule
    style: str  # "auditls" (a line), "auditls-file" (the whole file) or "nosec"
    malformed: str | None  # why the comment is not understood (then it suppresses nothing)


#: Every fact class the core knows, in table order. Domain modules append theirs via the registry.
CORE_FACT_TYPES: tuple[type[Fact], ...] = (
    ImportFact,
    FunctionFact,
    ParamFact,
    ClassFact,
    CallFact,
    CallArgFact,
    AssignmentFact,
    ReturnFact,
    DecoratorFact,
    ContextManagerFact,
    SuppressionFact,
)


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


for _fact_type in CORE_FACT_TYPES:
    fast_init(_fact_type)
