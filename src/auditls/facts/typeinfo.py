"""Fact dataclasses of the types extractors (issue 17, Phase 2 types): protocols, generics
(type variables, generic classes, type aliases), TypedDicts, literal types and overloads.

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class ProtocolFact(Fact):
    """A ``typing.Protocol`` class: the members a structural type asks for."""

    TABLE: ClassVar[str] = "python_type_protocols"

    qualname: str  # the protocol's qualified name
    members: tuple[str, ...]  # the methods and annotated attributes it declares, in order
    runtime_checkable: bool  # decorated `@runtime_checkable` (isinstance() works on it)
    bases: tuple[str, ...]  # the protocols it extends (resolved), `Protocol` left out


@fact
class GenericFact(Fact):
    """A generic: a type variable (``TypeVar``, ``ParamSpec``, ``TypeVarTuple``, a PEP 695 type
    parameter), a ``NewType``, a generic class (``Generic[T]``, ``class C[T]:``) or a type alias
    (``X: TypeAlias = ...``, ``type X = ...``)."""

    TABLE: ClassVar[str] = "python_type_generics"

    qualname: str  # the variable's, class's or alias's qualified name
    kind: str  # typevar|paramspec|typevartuple|newtype|generic_class|generic_function|type_alias
    syntax: str  # call (TypeVar(...)) | typing (Generic[T], TypeAlias) | pep695 (3.12 syntax)
    bound: str | None  # a type variable's bound, a NewType's supertype, an alias's class
    constraints: tuple[str, ...]  # a type variable's constraints (as written)
    params: tuple[str, ...]  # the type parameters of a generic class, function or alias


@fact
class TypedDictFact(Fact):
    """A ``TypedDict``, in class form or functional form (``TypedDict("Name", {...})``)."""

    TABLE: ClassVar[str] = "python_typed_dicts"

    qualname: str  # the TypedDict's qualified name
    form: str  # class | functional
    total: bool  # the `total=` of the class (default True)
    keys: tuple[str, ...]  # `key: annotation` of each key, in order (bases not included)
    required: tuple[str, ...]  # the keys that must be present (total, Required[], NotRequired[])


@fact
class LiteralFact(Fact):
    """Where a ``Literal[...]`` type is used: a parameter, a return, a field, a variable or an
    alias (a use of an alias of this file is recorded with the alias's values)."""

    TABLE: ClassVar[str] = "python_type_literals"

    function: str  # the enclosing function (the class, for a field; the module at top level)
    target: str  # the parameter, field, variable or alias it types; `return` for a return
    where: str  # param | return | field | variable | alias
    alias: str | None  # the alias of this file it comes through (`Order`), if any
    values: tuple[str, ...]  # the values, as JSON (`"asc"`, `1`, `true`, `null`)


@fact
class OverloadFact(Fact):
    """A function with ``@overload`` signatures (at its implementation, else its first one)."""

    TABLE: ClassVar[str] = "python_type_overloads"

    qualname: str  # the function's qualified name
    overloads: int  # how many `@overload` signatures it has
    implementation: bool  # whether the file also defines the implementation (a stub has none)
    signatures: tuple[str, ...]  # each overload's parameters and return, as written


FACT_TYPES: tuple[type[Fact], ...] = (
    ProtocolFact,
    GenericFact,
    TypedDictFact,
    LiteralFact,
    OverloadFact,
)
