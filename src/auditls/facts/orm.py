"""Fact dataclasses of the ORM extractors (issue 17, Phase 2 "ORM"): SQLAlchemy's declarative
models (1.x ``declarative_base()``, Flask-SQLAlchemy's ``db.Model``, 2.0 ``DeclarativeBase``),
their columns, relationships and ``@validates`` methods. Django's models are the django domain's
(``python_django_models``).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact

#: Roles of a row of ``python_orm_models``.
MODEL_ROLES = (
    "model",  # a mapped class (or an abstract one: `__abstract__ = True`)
    "base",  # a declarative base: `Base = declarative_base()`, `class Base(DeclarativeBase)`,
    # `db = SQLAlchemy()` (whose `db.Model` is the base)
    "mixin",  # a class without an ORM base that declares columns (`declared_attr`, `Column`)
)
#: Base kinds: what a class's declarative base is, as far as its own file tells.
BASE_KINDS = (
    "declarative_base",  # `declarative_base()` / `registry().generate_base()` (1.x style)
    "declarative_class",  # a subclass of `DeclarativeBase` (2.0 style)
    "flask_sqlalchemy",  # Flask-SQLAlchemy's `db.Model`
    "unknown",  # a base from another file: `auditls.models.orm` follows it
    "none",  # no base (a mixin)
)


@fact
class OrmModelFact(Fact):
    """A SQLAlchemy declarative class: a model, a declarative base or a mixin of columns."""

    TABLE: ClassVar[str] = "python_orm_models"

    qualname: str  # the class's qualified name; `pkg.db.Model` for `db = SQLAlchemy()`
    name: str  # the class's (or the base's) own name
    role: str  # model | base | mixin
    base_kind: str  # declarative_base | declarative_class | flask_sqlalchemy | unknown | none
    bases: tuple[str, ...]  # the class's bases, resolved, as written when unknown
    table: str | None  # `__tablename__` when a literal; `<declared_attr>` when computed
    abstract: bool  # `__abstract__ = True`


@fact
class OrmFieldFact(Fact):
    """A mapped column of a model or mixin: ``Column(...)``, ``mapped_column(...)``,
    ``name: Mapped[int]`` or a ``declared_attr`` method."""

    TABLE: ClassVar[str] = "python_orm_fields"

    model: str  # the class's qualified name
    name: str  # the attribute
    column_type: str | None  # the SQL type as written without its module (`String(80)`),
    # else the `Mapped[...]` type (`int`); None when neither says
    nullable: bool  # as SQLAlchemy decides: `nullable=`, else False for a primary key or a
    # non-Optional `Mapped[...]`, else True
    unique: bool  # unique=True
    primary_key: bool  # primary_key=True
    foreign_key: str | None  # the `ForeignKey(...)` target as written ("users.id")
    style: str  # column | mapped_column | annotation | declared_attr


@fact
class OrmRelationshipFact(Fact):
    """A ``relationship(...)`` (``db.relationship``, ``Mapped["User"] = relationship()``)."""

    TABLE: ClassVar[str] = "python_orm_relationships"

    model: str  # the class's qualified name
    name: str  # the attribute
    target: str | None  # the related class as written ("Address"), or from `Mapped[List["X"]]`
    back_populates: str | None  # back_populates= when a literal
    backref: str | None  # backref= (a literal or `backref("name", ...)`'s name)
    lazy: str | None  # lazy= as written
    secondary: str | None  # secondary= as written (an association table)


@fact
class OrmValidatorFact(Fact):
    """A ``@validates("field", ...)`` method of a model."""

    TABLE: ClassVar[str] = "python_orm_validators"

    model: str  # the class's qualified name
    method: str  # the method's name
    fields: tuple[str, ...]  # the attributes it validates


FACT_TYPES: tuple[type[Fact], ...] = (
    OrmModelFact,
    OrmFieldFact,
    OrmRelationshipFact,
    OrmValidatorFact,
)
"""SQLAlchemy's declarative mapping as data. Read by ``auditls.models.orm`` (models linked
across files, with their mixins' columns), the hover and workspace symbols of
``auditls.server.orm``."""
