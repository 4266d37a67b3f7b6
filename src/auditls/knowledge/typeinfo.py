"""The typing module as data (issue 17, Phase 2 types): the names that declare protocols,
generics, TypedDicts, literal types and overloads, and the wrappers an annotation is read
through. ``typing_extensions`` spells the same names for older Pythons."""

from __future__ import annotations

_BOTH = ("typing", "typing_extensions")


def _typing(*names: str) -> frozenset[str]:
    return frozenset(f"{module}.{name}" for module in _BOTH for name in names)


PROTOCOLS = _typing("Protocol")
RUNTIME_CHECKABLE = _typing("runtime_checkable")
TYPED_DICTS = _typing("TypedDict") | {"mypy_extensions.TypedDict"}
GENERICS = _typing("Generic")
OVERLOADS = _typing("overload")
LITERALS = _typing("Literal")
#: TypedDict keys: ``Required[...]`` / ``NotRequired[...]`` override the class's ``total``.
REQUIRED = _typing("Required")
NOT_REQUIRED = _typing("NotRequired")
#: Calls that define a type variable -> its kind.
TYPE_VARIABLE_KINDS: dict[str, str] = {
    **{f"{m}.TypeVar": "typevar" for m in _BOTH},
    **{f"{m}.ParamSpec": "paramspec" for m in _BOTH},
    **{f"{m}.TypeVarTuple": "typevartuple" for m in _BOTH},
    **{f"{m}.NewType": "newtype" for m in _BOTH},
}
#: Calls the semantic model follows as a type: a TypeVar's ``bound=``, a NewType's supertype.
TYPE_VARIABLES = _typing("TypeVar")
NEW_TYPES = _typing("NewType")
#: ``X: TypeAlias = ...`` marks an alias.
TYPE_ALIAS_MARKS = _typing("TypeAlias")
#: Wrappers whose first argument is the type of the value (the rest is metadata).
FIRST_ARGUMENT = _typing(
    "Annotated", "Type", "ClassVar", "Final", "Required", "NotRequired", "ReadOnly",
    "TypeGuard", "TypeIs",
) | {"builtins.type"}  # fmt: skip
#: ``Any`` says nothing about the value's class.
ANY = _typing("Any")
#: Unions: one class once ``None`` is left out.
UNIONS = _typing("Optional", "Union")

#: ``X = Annotated[...]``: an alias (FastAPI's ``SessionDep = Annotated[Session, Depends()]``)
#: that other modules import; its file may import nothing else of ``typing``.
ANNOTATED = _typing("Annotated")
#: What the types extractor looks for (the pre-filter runs it on files that import one).
DECLARATIONS = (PROTOCOLS | TYPED_DICTS | GENERICS | OVERLOADS | LITERALS | ANNOTATED
                | TYPE_ALIAS_MARKS | frozenset(TYPE_VARIABLE_KINDS))  # fmt: skip
