"""SQLAlchemy declarative models: bases, models, mixins, their columns, relationships and
``@validates`` methods (issue 17, Phase 2 "ORM models" / "ORM fields" / "validators").

A declarative base is ``Base = declarative_base()`` (``sqlalchemy.orm``,
``sqlalchemy.ext.declarative``, ``registry().generate_base()``), a subclass of
``DeclarativeBase`` (2.0), or Flask-SQLAlchemy's ``db.Model`` (``db = SQLAlchemy()`` is
recorded as the base ``<module>.db.Model``). A class is a model when a base is one of these or a
model of this file, or when its body declares columns, relationships or ``__tablename__`` (its
base imported from another file: ``from app import db`` then ``class User(db.Model)``, whose
``base_kind`` is ``unknown`` until ``auditls.models.orm`` follows it). A class with columns and
no base is a mixin. Class bodies are walked in order, so rows are emitted at the end of the file.

Columns: ``Column(String(80), ForeignKey("users.id"), nullable=False, unique=True,
primary_key=True)``, ``db.Column``, ``mapped_column(...)`` with its ``Mapped[...]`` annotation
(``Mapped[Optional[int]]`` is nullable), a bare ``name: Mapped[int]``, and ``@declared_attr``
methods. An attribute of an object of another file (``db.Column``) counts by its name (the
``orm-api-attribute`` heuristic).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.orm import OrmFieldFact, OrmModelFact, OrmRelationshipFact, OrmValidatorFact
from auditls.knowledge.heuristics import ORM_API_ATTRIBUTE
from auditls.knowledge.orm import (
    ABSTRACT,
    BACKREF_CALLS,
    BACKREF_NAMES,
    BASE_CLASSES,
    BASE_DECORATORS,
    BASE_FACTORIES,
    COLUMN_CALLS,
    COLUMN_NAMES,
    DECLARATIVE_ATTRIBUTES,
    DECLARED_ATTR,
    FLASK_EXTENSIONS,
    FLASK_MODEL_ATTRIBUTE,
    FLASK_MODELS,
    FOREIGN_KEY_CALLS,
    FOREIGN_KEY_NAMES,
    FOREIGN_ORMS,
    MAPPED_ANNOTATIONS,
    MAPPED_COLUMN_CALLS,
    MAPPED_DECORATORS,
    OPTIONAL_ANNOTATIONS,
    RELATIONSHIP_CALLS,
    RELATIONSHIP_NAMES,
    TABLENAME,
    VALIDATES,
)

#: The computed table name of a ``@declared_attr def __tablename__``.
DECLARED = "<declared_attr>"
_WRAPPERS = frozenset({"List", "list", "Set", "set", "Optional", "WriteOnlyMapped", "Mapped",
                       "DynamicMapped", "Sequence"})  # fmt: skip


def _last(text: str) -> str:
    return text.rpartition(".")[2]


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _flag(call: ast.Call, name: str) -> bool | None:
    for kw in call.keywords:
        if (
            kw.arg == name
            and isinstance(kw.value, ast.Constant)
            and isinstance(kw.value.value, bool)
        ):
            return kw.value.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


@dataclass(slots=True)
class _Field:
    node: ast.AST
    name: str
    column_type: str | None
    nullable: bool
    unique: bool
    primary_key: bool
    foreign_key: str | None
    style: str


@dataclass(slots=True)
class _Class:
    node: ast.ClassDef
    qualname: str
    bases: tuple[str, ...]
    role: str | None  # model | base | mixin, None while undecided
    base_kind: str
    table: str | None = None
    abstract: bool = False
    declarative: bool = False  # sets __table_args__ or __mapper_args__
    fields: list[_Field] = field(default_factory=list)
    relationships: list[OrmRelationshipFact] = field(default_factory=list)
    validators: list[OrmValidatorFact] = field(default_factory=list)


@register
class ModelsExtractor(Extractor):
    """python_orm_models, python_orm_fields, python_orm_relationships, python_orm_validators."""

    name = "orm.models"
    fact_types = (OrmModelFact, OrmFieldFact, OrmRelationshipFact, OrmValidatorFact)
    qualnames = (BASE_FACTORIES, BASE_CLASSES, FLASK_MODELS, COLUMN_CALLS, MAPPED_COLUMN_CALLS,
                 RELATIONSHIP_CALLS, DECLARED_ATTR, VALIDATES, BASE_DECORATORS,
                 MAPPED_DECORATORS)  # fmt: skip
    instances_of = (FLASK_EXTENSIONS,)
    names = (COLUMN_NAMES, RELATIONSHIP_NAMES, (TABLENAME,), DECLARATIVE_ATTRIBUTES)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.classes: dict[str, _Class] = {}
        #: Declarative bases bound in this module: reference -> base kind.
        self.bases: dict[str, str] = {}

    # -- what a name or call is --------------------------------------------------------------

    def _api(self, func: ast.expr, exact: frozenset[str], names: frozenset[str]) -> bool:
        """Whether ``func`` is one of ``exact`` as resolved, or (resolved into no other ORM)
        an attribute or name in ``names`` (the ``orm-api-attribute`` heuristic)."""
        found = self.ctx.qualname(func)
        if found in exact:
            return True
        if found is not None and (found.partition(".")[0] in FOREIGN_ORMS
                                  or found.startswith("sqlalchemy.")):  # fmt: skip
            return False
        written = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return written in names and ORM_API_ATTRIBUTE(written)

    def _base_kind(self, base: ast.expr) -> str | None:
        """The kind of a class's base, when this file tells."""
        ctx = self.ctx
        target = base.func if isinstance(base, ast.Call) else base
        found = ctx.qualname(target)
        if found in BASE_CLASSES:
            return "declarative_class"
        if found in FLASK_MODELS:
            return "flask_sqlalchemy"
        if ctx.instance_of(target) in BASE_FACTORIES:
            return "declarative_base"
        ref = self._ref(target)
        if ref is not None:
            if ref in self.bases:
                return self.bases[ref]
            local = self.classes.get(ref)
            if local is not None and local.role in ("model", "base"):
                return local.base_kind
        return None

    def _ref(self, expr: ast.expr) -> str | None:
        ctx = self.ctx
        found = ctx.qualname(expr)
        if found is not None:
            return found
        if isinstance(expr, ast.Name):
            hit = ctx.lookup(expr.id)
            if hit is not None and hit[1].kind == "module":
                return f"{ctx.module}.{expr.id}"
        return None

    # -- classes -----------------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        bases: list[str] = []
        kind: str | None = None
        role: str | None = None
        for base in node.bases:
            target = base.func if isinstance(base, ast.Call) else base
            bases.append(self._ref(target) or ctx.text_of(target))
            found = self._base_kind(base)
            if found == "declarative_class" and ctx.qualname(target) in BASE_CLASSES:
                role = "base"
            if found is not None and kind is None:
                kind = found
        for dec in node.decorator_list:
            found = ctx.qualname(dec.func if isinstance(dec, ast.Call) else dec)
            if found in BASE_DECORATORS:
                role, kind = "base", "declarative_base"
            elif found in MAPPED_DECORATORS and role is None:
                role, kind = "model", kind or "declarative_base"
        if kind is not None and role is None:
            role = "model"
        qualname = ctx.def_qualname(node)
        self.classes[qualname] = _Class(node, qualname, tuple(bases), role, kind or "unknown")

    def _owner(self) -> _Class | None:
        scope = self.ctx.scope
        return self.classes.get(scope.qualname) if scope.kind == "class" else None

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        name = node.targets[0].id
        if self.ctx.scope.kind == "module":
            self._module_assign(node, name, node.value)
            return
        owner = self._owner()
        if owner is not None:
            self._class_attribute(owner, node, name, node.value, None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not isinstance(node.target, ast.Name):
            return
        if self.ctx.scope.kind == "module":  # Base: DeclarativeMeta = declarative_base()
            if node.value is not None:
                self._module_assign(node, node.target.id, node.value)
            return
        owner = self._owner()
        if owner is not None:
            self._class_attribute(owner, node, node.target.id, node.value, node.annotation)

    def _module_assign(self, node: ast.stmt, name: str, value: ast.expr) -> None:
        if not isinstance(value, ast.Call):
            return
        ctx = self.ctx
        callee = ctx.qualname(value.func)
        if callee in BASE_FACTORIES:
            kind, ref, shown = "declarative_base", f"{ctx.module}.{name}", name
        elif callee in FLASK_EXTENSIONS:
            kind = "flask_sqlalchemy"
            ref, shown = f"{ctx.module}.{name}.{FLASK_MODEL_ATTRIBUTE}", f"{name}.Model"
        else:
            return
        self.bases[ref] = kind
        self.emit(
            OrmModelFact(
                **ctx.pos(node), qualname=ref, name=shown, role="base", base_kind=kind,
                bases=(), table=None, abstract=False,
            )
        )  # fmt: skip

    def _class_attribute(
        self,
        owner: _Class,
        node: ast.AST,
        name: str,
        value: ast.expr | None,
        annotation: ast.expr | None,
    ) -> None:
        if name == TABLENAME:
            owner.table = _literal(value)
            return
        if name == ABSTRACT:
            owner.abstract = isinstance(value, ast.Constant) and value.value is True
            return
        if name in DECLARATIVE_ATTRIBUTES:
            owner.declarative = owner.declarative or value is not None  # not a bare annotation
            return
        mapped = self._mapped(annotation)
        if isinstance(value, ast.Call):
            func = value.func
            if self._api(func, COLUMN_CALLS, frozenset({"Column"})):
                owner.fields.append(self._column(node, name, value, mapped, "column"))
            elif self._api(func, MAPPED_COLUMN_CALLS, frozenset({"mapped_column"})):
                owner.fields.append(self._column(node, name, value, mapped, "mapped_column"))
            elif self._api(func, RELATIONSHIP_CALLS, RELATIONSHIP_NAMES):
                owner.relationships.append(self._relationship(owner, node, name, value, mapped))
            return
        if value is None and mapped is not None:
            inner, optional = mapped
            target = self._relationship_target(inner)
            if target is not None and _is_class_ref(inner):
                # `parent: Mapped["Parent"]` alone is a relationship SQLAlchemy infers
                owner.relationships.append(
                    OrmRelationshipFact(**self.ctx.pos(node), model=owner.qualname, name=name,
                                        target=target, back_populates=None, backref=None,
                                        lazy=None, secondary=None)
                )  # fmt: skip
                return
            owner.fields.append(
                _Field(node, name, self.ctx.text_of(inner, 60), optional, False, False, None,
                       "annotation")
            )  # fmt: skip

    def _mapped(self, annotation: ast.expr | None) -> tuple[ast.expr, bool] | None:
        """``Mapped[X]`` -> (X without Optional, whether it is Optional)."""
        if not isinstance(annotation, ast.Subscript):
            return None
        ctx = self.ctx
        head = annotation.value
        found = ctx.qualname(head)
        written = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", None)
        if found not in MAPPED_ANNOTATIONS and not (found is None and written == "Mapped"):
            return None
        inner = annotation.slice
        optional = False
        if isinstance(inner, ast.Subscript) and ctx.qualname(inner.value) in OPTIONAL_ANNOTATIONS:
            inner, optional = inner.slice, True
        elif isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.BitOr):
            for side, other in ((inner.left, inner.right), (inner.right, inner.left)):
                if isinstance(other, ast.Constant) and other.value is None:
                    inner, optional = side, True
                    break
        return inner, optional

    def _column(
        self,
        node: ast.AST,
        name: str,
        call: ast.Call,
        mapped: tuple[ast.expr, bool] | None,
        style: str,
    ) -> _Field:
        ctx = self.ctx
        column_type: str | None = None
        foreign_key: str | None = None
        for i, arg in enumerate(call.args):
            if i == 0 and _literal(arg) is not None:
                continue  # Column("user_name", String)
            if isinstance(arg, ast.Call) and self._api(arg.func, FOREIGN_KEY_CALLS,
                                                       FOREIGN_KEY_NAMES):  # fmt: skip
                target = arg.args[0] if arg.args else _keyword(arg, "column")
                if target is not None:
                    foreign_key = _literal(target) or ctx.text_of(target, 80)
                continue
            if column_type is None and not isinstance(arg, ast.Starred):
                column_type = _type_text(ctx, arg)
        type_kw = _keyword(call, "type_")
        if column_type is None and type_kw is not None:
            column_type = _type_text(ctx, type_kw)
        if column_type is None and mapped is not None:
            column_type = ctx.text_of(mapped[0], 60)
        primary_key = _flag(call, "primary_key") is True
        nullable = _flag(call, "nullable")
        if nullable is None:
            if primary_key:
                nullable = False
            elif mapped is not None:
                nullable = mapped[1]
            else:
                nullable = True
        return _Field(node, name, column_type, nullable, _flag(call, "unique") is True,
                      primary_key, foreign_key, style)  # fmt: skip

    def _relationship_target(self, node: ast.expr | None) -> str | None:
        """The class a relationship annotation or argument names: ``"User"``, ``User``,
        ``List["Address"]``, ``list[Address]``."""
        while isinstance(node, ast.Subscript):
            head = node.value
            written = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", None)
            if written not in _WRAPPERS:
                return None
            node = node.slice
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name | ast.Attribute):
            return self.ctx.text_of(node, 80)
        return None

    def _relationship(
        self,
        owner: _Class,
        node: ast.AST,
        name: str,
        call: ast.Call,
        mapped: tuple[ast.expr, bool] | None,
    ) -> OrmRelationshipFact:
        ctx = self.ctx
        first = call.args[0] if call.args else _keyword(call, "argument")
        target = self._relationship_target(first)
        if target is None and mapped is not None:
            target = self._relationship_target(mapped[0])
        backref_node = _keyword(call, "backref")
        backref = _literal(backref_node)
        if isinstance(backref_node, ast.Call) and self._api(backref_node.func, BACKREF_CALLS,
                                                            BACKREF_NAMES):  # fmt: skip
            backref = _literal(backref_node.args[0]) if backref_node.args else None
        lazy = _keyword(call, "lazy")
        secondary = _keyword(call, "secondary")
        return OrmRelationshipFact(
            **ctx.pos(node), model=owner.qualname, name=name, target=target,
            back_populates=_literal(_keyword(call, "back_populates")), backref=backref,
            lazy=(_literal(lazy) or ctx.text_of(lazy, 40)) if lazy is not None else None,
            secondary=(_literal(secondary) or ctx.text_of(secondary, 80))
            if secondary is not None else None,
        )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        owner = self._owner()
        if owner is None:
            return
        ctx = self.ctx
        for dec in node.decorator_list:
            call = dec if isinstance(dec, ast.Call) else None
            found = ctx.qualname(call.func if call is not None else dec) or ""
            if found in VALIDATES and call is not None:
                fields = tuple(v for a in call.args if (v := _literal(a)) is not None)
                owner.validators.append(
                    OrmValidatorFact(**ctx.pos(node), model=owner.qualname, method=node.name,
                                     fields=fields)
                )  # fmt: skip
            elif found in DECLARED_ATTR or found.rpartition(".")[0] in DECLARED_ATTR:
                if node.name == TABLENAME:
                    owner.table = DECLARED
                else:
                    owner.fields.append(
                        _Field(node, node.name, None, True, False, False, None, "declared_attr")
                    )

    # -- rows --------------------------------------------------------------------------------

    def finish(self) -> None:
        ctx = self.ctx
        for cls in self.classes.values():  # in source order: a local base is decided first
            role = cls.role
            # `__abstract__` alone is no evidence (SQLAlchemy's own types set it too)
            declares = bool(cls.fields or cls.relationships or cls.table or cls.declarative)
            local_model = next((self.classes[b] for b in cls.bases if b in self.classes
                                and self.classes[b].role in ("model", "base")), None)  # fmt: skip
            if role is None and local_model is not None:
                role, cls.base_kind = "model", local_model.base_kind
                cls.role = role
            if role is None:
                if not declares:
                    continue
                real = [b for b in cls.bases if b not in ("object", "builtins.object")]
                local = [self.classes[b] for b in real if b in self.classes]
                if not real or (local and all(c.role == "mixin" for c in local)
                                and len(local) == len(real)):  # fmt: skip
                    role, cls.base_kind = "mixin", "none"
                else:
                    role = "model"
                cls.role = role
            self.emit(
                OrmModelFact(
                    **ctx.pos(cls.node), qualname=cls.qualname, name=cls.node.name, role=role,
                    base_kind=cls.base_kind, bases=cls.bases, table=cls.table,
                    abstract=cls.abstract,
                )
            )  # fmt: skip
            for f in cls.fields:
                self.emit(
                    OrmFieldFact(
                        **ctx.pos(f.node), model=cls.qualname, name=f.name,
                        column_type=f.column_type, nullable=f.nullable, unique=f.unique,
                        primary_key=f.primary_key, foreign_key=f.foreign_key, style=f.style,
                    )
                )  # fmt: skip
            for r in cls.relationships:
                self.emit(r)
            for v in cls.validators:
                self.emit(v)


def _is_class_ref(node: ast.expr) -> bool:
    """A forward reference or a capitalised name: a mapped class, not ``int`` or ``str``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value[:1].isupper()
    if isinstance(node, ast.Subscript):
        return True  # List["Child"]
    return isinstance(node, ast.Name) and node.id[:1].isupper() and node.id not in (
        "Decimal", "UUID", "Any",
    )  # fmt: skip


def _type_text(ctx: Context, node: ast.expr) -> str:
    """A SQL type without its module: ``db.String(80)`` -> ``String(80)``."""
    if isinstance(node, ast.Call):
        func = ctx.text_of(node.func, 80)
        return _last(func) + ctx.text_of(node, 80)[len(func) :]
    return _last(ctx.text_of(node, 80))
