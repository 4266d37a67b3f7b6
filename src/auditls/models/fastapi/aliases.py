"""Type aliases followed across files: ``SessionDep = Annotated[Session, Depends(get_db)]`` in
``app/api/deps.py``, imported by every route module as ``db: SessionDep``.

Extraction sees one file: the route module records ``app.api.deps.SessionDep`` as the
parameter's type (and ``db.execute`` as ``app.api.deps.SessionDep.execute``), the defining module
records the alias. Here the two meet:

1. **Definitions** (``file_aliases``), per file: every type alias the types extractor records
   (``python_type_generics``, kind ``type_alias``: the class it names) and what FastAPI makes of
   a parameter annotated with it (``python_fastapi_aliases``: a dependency and its callable, a
   value parsed into a harmless one, request data); a ``Literal`` alias
   (``python_type_literals``) or one naming a harmless class (``int``, ``UUID``) is harmless.
2. **Names** (``TypeAliases``): every name that means an alias, through module-level imports
   and star imports that re-export it (``from .deps import SessionDep`` in a package), and an
   alias of an alias of another module (``DbDep = Annotated[SessionDep, ...]``) takes the class
   (and, when it says nothing itself, the role) of the one it names.
3. **Use**: ``exact(ref)`` is the alias a name means; ``retype(ref)`` replaces the alias at the
   start of a reference by its class (``app.api.deps.SessionDep.execute`` ->
   ``sqlalchemy.orm.Session.execute``), so the taint models' sinks match.

Nothing here reads source, imports the analysed code, or writes SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditls.facts import Fact
from auditls.facts.fastapi import FastAPIAliasFact
from auditls.facts.typeinfo import GenericFact, LiteralFact
from auditls.knowledge.fastapi import REQUEST_TYPES, SAFE_TYPES, SERVER_TYPES

#: Re-exports and aliases of aliases are followed this deep.
_MAX_DEPTH = 8

#: ``python_type_generics`` columns: qualname, kind, bound.
GENERIC_COLUMNS = ("qualname", "kind", "bound")
#: ``python_type_literals`` columns: function, target, where.
LITERAL_COLUMNS = ("function", "target", "where")
#: ``python_fastapi_aliases`` columns: qualname, role, dependency, annotation.
ALIAS_COLUMNS = ("qualname", "role", "dependency", "annotation")


@dataclass(frozen=True, slots=True)
class Alias:
    """What a parameter annotated with a type alias holds."""

    role: str  # dependency | request | safe | request_object | server
    cls: str | None  # the class the alias names, when one
    dependency: str | None  # dependency: the callable FastAPI calls for the value


def _role(cls: str | None, literal: bool) -> str:
    if literal or cls in SAFE_TYPES:
        return "safe"
    if cls in REQUEST_TYPES:
        return "request_object"
    if cls in SERVER_TYPES:
        return "server"
    return "request"


def file_aliases(
    generics: Iterable[tuple[str, str, str | None]],
    literals: Iterable[tuple[str, str, str]],
    fastapi: Iterable[tuple[str, str, str | None, str | None]],
) -> dict[str, Alias]:
    """The aliases one file defines, by qualified name, from the rows of three tables (columns
    ``GENERIC_COLUMNS``, ``LITERAL_COLUMNS``, ``ALIAS_COLUMNS``); FastAPI's reading wins."""
    literal = {f"{function}.{target}" for function, target, where in literals if where == "alias"}
    out: dict[str, Alias] = {}
    for qualname, kind, bound in generics:
        if kind == "type_alias":
            out[qualname] = Alias(_role(bound, qualname in literal), bound, None)
    for qualname, role, dependency, annotation in fastapi:
        known = out.get(qualname)  # the types extractor reads strings FastAPI's reading does not
        cls = annotation if annotation is not None or known is None else known.cls
        out[qualname] = Alias(role, cls, dependency)
    return out


def aliases_of_facts(facts: Iterable[Fact]) -> dict[str, Alias]:
    """``file_aliases`` of one file's facts."""
    generics: list[tuple[str, str, str | None]] = []
    literals: list[tuple[str, str, str]] = []
    fastapi: list[tuple[str, str, str | None, str | None]] = []
    for fact in facts:
        if isinstance(fact, GenericFact):
            generics.append((fact.qualname, fact.kind, fact.bound))
        elif isinstance(fact, LiteralFact):
            literals.append((fact.function, fact.target, fact.where))
        elif isinstance(fact, FastAPIAliasFact):
            fastapi.append((fact.qualname, fact.role, fact.dependency, fact.annotation))
    return file_aliases(generics, literals, fastapi)


#: A module-level import as the taint engine keeps it: module, bound name, target, is_star.
Binding = tuple[str, str, str, bool]


class TypeAliases:
    """Every name of the workspace that means a type alias (step 2 of the module docstring).
    Two are equal when every name means the same."""

    __slots__ = ("_words", "names")

    def __init__(self, defined: Mapping[str, Alias], bindings: Iterable[Binding] = ()) -> None:
        names: dict[str, str] = {q: q for q in defined}  # name -> the alias's qualname
        if names:
            reexports: dict[str, list[str]] = defaultdict(list)
            stars: dict[str, list[str]] = defaultdict(list)
            for module, bound, target, is_star in bindings:
                if is_star:
                    stars[target].append(module)
                else:
                    reexports[target].append(f"{module}.{bound}")
            frontier = list(names)
            for _ in range(_MAX_DEPTH):
                found: list[str] = []
                for name in frontier:
                    scope, _, last = name.rpartition(".")
                    more = [
                        *reexports.get(name, ()),
                        *(f"{m}.{last}" for m in stars.get(scope, ())),
                    ]
                    for other in more:
                        if other not in names:
                            names[other] = names[name]
                            found.append(other)
                if not found:
                    break
                frontier = found
        final = {q: self._follow(q, defined, names) for q in defined}
        #: Name -> the alias it means.
        self.names: dict[str, Alias] = {name: final[q] for name, q in names.items()}
        self._words = frozenset(name.rpartition(".")[2] for name in self.names)

    @classmethod
    def of_names(cls, names: Mapping[str, Alias]) -> TypeAliases:
        """The aliases that mean what ``names`` says (``names`` of another one, saved)."""
        out = cls({})
        out.names = dict(names)
        out._words = frozenset(name.rpartition(".")[2] for name in out.names)
        return out

    @staticmethod
    def _follow(qualname: str, defined: Mapping[str, Alias], names: Mapping[str, str]) -> Alias:
        """An alias whose class is itself an alias (of another module) takes its class, and its
        role and dependency when its own role says only "request"."""
        alias = defined[qualname]
        seen = {qualname}
        for _ in range(_MAX_DEPTH):
            inner = names.get(alias.cls) if alias.cls is not None else None
            if inner is None or inner in seen:
                break
            seen.add(inner)
            other = defined[inner]
            if alias.role == "request":
                alias = Alias(other.role, other.cls, other.dependency)
            else:
                alias = Alias(alias.role, other.cls, alias.dependency)
        return alias

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TypeAliases) and self.names == other.names

    def __hash__(self) -> int:
        return hash(frozenset(self.names))

    def __bool__(self) -> bool:
        return bool(self.names)

    def exact(self, ref: str | None) -> Alias | None:
        """The alias a name means, if it means one."""
        return self.names.get(ref) if ref is not None else None

    def retype(self, ref: str | None) -> str | None:
        """``ref`` with the alias at its start replaced by the class it names
        (``app.api.deps.SessionDep.execute`` -> ``sqlalchemy.orm.Session.execute``)."""
        if ref is None or not self.names:
            return ref
        parts = ref.split(".")
        words = self._words
        for i in range(len(parts) - 1, 0, -1):
            if parts[i] not in words:
                continue
            alias = self.names.get(".".join(parts[: i + 1]))
            if alias is not None:
                if alias.cls is None:
                    return ref
                return ".".join((alias.cls, *parts[i + 1 :]))
        return ref

    def changed(self, other: TypeAliases) -> set[str]:
        """The names that mean another alias (or none) in ``other``."""
        keys = self.names.keys() | other.names.keys()
        return {k for k in keys if self.names.get(k) != other.names.get(k)}
