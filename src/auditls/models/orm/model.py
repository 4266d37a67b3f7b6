"""``OrmModel``: a workspace's SQLAlchemy models linked across files, and ``model_of``.

1. **Bases.** Each file records its declarative classes with the base kind its own imports
   tell (``facts.orm.OrmModelFact``); a base from another file is ``unknown`` there. Here each
   base reference is followed with the linker (imports, re-exports, aliases) to a class or base
   of the workspace: ``from app.db import Base`` reaches ``Base = declarative_base()``,
   ``from app import db`` then ``db.Model`` reaches ``db = SQLAlchemy()`` (recorded as
   ``app.db.Model``). A class whose bases reach no base and no model, only mixins, is a mixin.
2. **Columns.** A model's columns are its own and those of its ORM bases (mixins, abstract
   models, the parent of a single- or joined-table subclass), the nearest first, as SQLAlchemy
   builds the mapping; relationships and validators likewise.
3. **Tables.** ``__tablename__`` as written; Flask-SQLAlchemy names a model without one from its
   class (``UserProfile`` -> ``user_profile``), marked ``generated``.

``fields_of`` / ``field_names`` / ``models_named`` are the queries other domains use (a
serializer that names a model and exposes its fields). Nothing here reads source, imports the
analysed code, or writes SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Self, TypeVar

from auditls.facts import FileFacts
from auditls.facts.orm import (
    FACT_TYPES,
    OrmFieldFact,
    OrmModelFact,
    OrmRelationshipFact,
    OrmValidatorFact,
)
from auditls.link import Linker, ModelCache, Site, link_of

if TYPE_CHECKING:
    from auditls.store import Store

#: Inheritance deeper than this is cut (a cycle through re-exports).
_MAX_DEPTH = 16
_MODEL_SUFFIX = ".Model"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def generated_table(name: str) -> str:
    """Flask-SQLAlchemy's table name for a model without ``__tablename__``."""
    return _CAMEL.sub("_", name).lower()


@dataclass(frozen=True, slots=True)
class Model:
    """A declarative class of the workspace with what its bases add."""

    site: Site[OrmModelFact]
    role: str  # model | base | mixin, across files
    base_kind: str  # as in OrmModelFact, followed across files ("unknown" when not found)
    table: str | None  # __tablename__, or the name Flask-SQLAlchemy generates
    generated: bool  # the table name is Flask-SQLAlchemy's, not written
    bases: tuple[str, ...]  # the ORM classes it inherits from, resolved, nearest first
    fields: tuple[Site[OrmFieldFact], ...]  # its columns, its bases' after its own
    relationships: tuple[Site[OrmRelationshipFact], ...]
    validators: tuple[Site[OrmValidatorFact], ...]

    @property
    def fact(self) -> OrmModelFact:
        return self.site.fact

    @property
    def qualname(self) -> str:
        return self.site.fact.qualname

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.fact.name for f in self.fields)


class OrmModel:
    """Every SQLAlchemy declarative class of a workspace, linked."""

    def __init__(self, link: Linker) -> None:
        self.link = link
        self.rows: dict[str, Site[OrmModelFact]] = {
            s.fact.qualname: s for s in link.sites(OrmModelFact)
        }
        self._fields = _by_model(link.sites(OrmFieldFact))
        self._relationships = _by_model(link.sites(OrmRelationshipFact))
        self._validators = _by_model(link.sites(OrmValidatorFact))

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> Self:
        return cls(Linker.from_files(files))

    @classmethod
    def from_store(cls, store: Store) -> Self:
        return cls(link_of(store, FACT_TYPES))

    def find(self, ref: str) -> str | None:
        """The declarative class or base a reference reaches, followed across files."""
        if ref in self.rows:
            return ref
        found = self.link.resolve(ref, self.rows)
        if found in self.rows:
            return found
        if ref.endswith(_MODEL_SUFFIX):  # `db.Model` of an extension made in another file
            ext = self.link.resolve(ref[: -len(_MODEL_SUFFIX)], self.rows)
            if ext + _MODEL_SUFFIX in self.rows:
                return ext + _MODEL_SUFFIX
        return None

    def _ancestry(self, qualname: str, depth: int = 0) -> list[str]:
        """The ORM classes ``qualname`` inherits from, nearest first (depth-first, in base
        order), without repeats."""
        row = self.rows.get(qualname)
        if row is None or depth > _MAX_DEPTH:
            return []
        out: list[str] = []
        for base in row.fact.bases:
            found = self.find(base)
            if found is None or found == qualname:
                continue
            for name in (found, *self._ancestry(found, depth + 1)):
                if name not in out and name != qualname:
                    out.append(name)
        return out

    def _concrete(self, qualname: str) -> bool:
        fact = self.rows[qualname].fact
        return fact.role == "model" and not fact.abstract

    def _table(self, qualname: str, ancestry: list[str], depth: int = 0) -> tuple[str | None, bool]:
        """(table, generated): ``__tablename__``; else the table of the mapped model it
        inherits from without a primary key of its own (single-table inheritance); else, for
        Flask-SQLAlchemy, the name it generates."""
        fact = self.rows[qualname].fact
        if fact.table is not None or fact.abstract or depth > _MAX_DEPTH:
            return fact.table, False
        own_key = any(f.fact.primary_key for f in self._fields.get(qualname, ()))
        parent = next((a for a in ancestry if self._concrete(a)), None)
        if parent is not None and not own_key:
            return self._table(parent, self._ancestry(parent), depth + 1)
        kinds = {fact.base_kind, *(self.rows[a].fact.base_kind for a in ancestry)}
        if "flask_sqlalchemy" in kinds:
            return generated_table(fact.name), True
        return None, False

    @cached_property
    def models(self) -> dict[str, Model]:
        """Every declarative class, base and mixin by qualified name."""
        out: dict[str, Model] = {}
        for qualname, site in self.rows.items():
            fact = site.fact
            ancestry = self._ancestry(qualname)
            role, kind = fact.role, fact.base_kind
            if kind == "unknown":
                kinds = [self.rows[a].fact.base_kind for a in ancestry
                         if self.rows[a].fact.role in ("base", "model")]  # fmt: skip
                known = next((k for k in kinds if k not in ("unknown", "none")), None)
                if known is not None:
                    kind = known
                elif ancestry and not kinds:
                    role, kind = "mixin", "none"
            table, generated = self._table(qualname, ancestry) if role == "model" else (None, False)
            out[qualname] = Model(
                site=site, role=role, base_kind=kind, table=table, generated=generated,
                bases=tuple(ancestry),
                fields=_merged(self._fields, qualname, ancestry),
                relationships=_merged(self._relationships, qualname, ancestry),
                validators=tuple(v for q in (qualname, *ancestry)
                                 for v in self._validators.get(q, ())),
            )  # fmt: skip
        return out

    # -- queries other domains use -----------------------------------------------------------

    def model(self, ref: str) -> Model | None:
        """The declarative class a reference reaches (``app.models.User``, a re-export)."""
        found = self.find(ref)
        return self.models.get(found) if found is not None else None

    def mapped(self) -> list[Model]:
        """The mapped models (not bases, mixins or abstract classes), by qualified name."""
        return [m for _, m in sorted(self.models.items())
                if m.role == "model" and not m.fact.abstract]  # fmt: skip

    def models_named(self, name: str) -> list[Model]:
        """The mapped models whose class is called ``name`` (a string reference such as
        ``relationship("User")`` names the class, not its module)."""
        return [m for m in self.mapped() if m.fact.name == name]

    def fields_of(self, ref: str) -> tuple[OrmFieldFact, ...]:
        """The columns of the model a reference reaches, inherited ones included."""
        found = self.model(ref)
        return tuple(f.fact for f in found.fields) if found is not None else ()

    def field_names(self) -> dict[str, tuple[str, ...]]:
        """Every mapped model's qualified name -> its column names (inherited ones included)."""
        return {m.qualname: m.field_names for m in self.mapped()}


_R = TypeVar("_R", OrmFieldFact, OrmRelationshipFact, OrmValidatorFact)
_N = TypeVar("_N", OrmFieldFact, OrmRelationshipFact)


def _by_model(sites: Iterable[Site[_R]]) -> dict[str, list[Site[_R]]]:
    out: dict[str, list[Site[_R]]] = {}
    for s in sites:
        out.setdefault(s.fact.model, []).append(s)
    return out


def _merged(
    by_model: dict[str, list[Site[_N]]], qualname: str, ancestry: list[str]
) -> tuple[Site[_N], ...]:
    """Own rows first, then each base's rows whose name no nearer class declared."""
    seen: set[str] = set()
    out: list[Site[_N]] = []
    for q in (qualname, *ancestry):
        for s in by_model.get(q, ()):
            if s.fact.name not in seen:
                seen.add(s.fact.name)
                out.append(s)
    return tuple(out)


#: The model of a store (``link.ModelCache``: built again only when a file with its facts
#: changed).
model_of: ModelCache[OrmModel] = ModelCache(FACT_TYPES, OrmModel.from_store)


def orm_fields(store: Store) -> dict[str, tuple[str, ...]]:
    """Every mapped SQLAlchemy model of the store -> its column names, inherited ones included:
    what a serializer over a model can expose (the validation domain asks this)."""
    return model_of(store).field_names()
