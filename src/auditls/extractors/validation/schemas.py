"""Validating classes: Marshmallow schemas (``Schema``, ``ma.Schema``, ``SQLAlchemySchema``,
``SQLAlchemyAutoSchema`` with their ``Meta``), WTForms and Flask-WTF forms, Pydantic models and
DRF serializers; a class on one of them in this file is one too. Each field with its class,
validators (``validate=``, ``validators=``, WTForms' second positional argument, Pydantic's
``Field(pattern=)``, ``constr``, ``Annotated[str, StringConstraints(...)]``) and what its
validated value cannot attack; each validator method (``@validates("name")``,
``@validates_schema``, ``@field_validator``, ``@model_validator``, ``@root_validator``,
WTForms' and DRF's ``validate_<field>``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.annotations import unwrap_annotation
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.validation import ValidationFieldFact, ValidationSchemaFact
from auditls.knowledge.heuristics import MARSHMALLOW_EXTENSION_BASE
from auditls.knowledge.pydantic import (
    CONSTRAINED_STRINGS,
    EMAIL_TYPES,
    FIELD_FUNCTIONS,
    SAFE_TYPES,
    VALIDATOR_DECORATORS,
)
from auditls.knowledge.validation import (
    AUTO_FIELDS,
    CHOICE_FIELDS,
    CHOICE_VALIDATORS,
    CONVERTED_FIELDS,
    EMAIL_FIELDS,
    EMAIL_VALIDATORS,
    FIELD_MODULES,
    HARMLESS_ALL,
    HARMLESS_EMAIL,
    LIST_FIELDS,
    MARSHMALLOW_DECORATORS,
    MARSHMALLOW_EXTENSION,
    MARSHMALLOW_EXTENSION_ATTRIBUTES,
    MARSHMALLOW_EXTENSION_FIELDS,
    MARSHMALLOW_INSTANCE_BASES,
    REGEX_VALIDATORS,
    REQUIRED_VALIDATORS,
    SCHEMA_BASES,
    pattern_harmless,
)

_LITERALS = ("typing.Literal", "typing_extensions.Literal")
_CONTAINERS = frozenset({
    "builtins.list", "builtins.set", "builtins.tuple", "builtins.frozenset", "typing.List",
    "typing.Set", "typing.Tuple", "typing.Sequence",
})  # fmt: skip
_NOTHING: frozenset[str] = frozenset()
#: Field modules -> the library (a class on a base of another file, known by its fields).
_FIELD_LIBRARIES = (
    ("marshmallow", "marshmallow"), ("flask_marshmallow", "marshmallow"),
    ("wtforms", "wtforms"), ("flask_wtf", "wtforms"), ("rest_framework", "drf"),
)  # fmt: skip


@dataclass(slots=True)
class _Schema:
    node: ast.ClassDef
    qualname: str
    library: str
    kind: str
    bases: tuple[str, ...]
    model: str | None = None
    meta: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hooks: list[str] = field(default_factory=list)
    fields: list[ValidationFieldFact] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    #: Its bases are none of the libraries' (a workspace base of another file, perhaps): it is
    #: recorded only if its body declares a field of a library's (which says which).
    provisional: bool = False


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _items(node: ast.AST | None) -> tuple[str, ...]:
    """The strings of a list/tuple/set display, a lone string as one item."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return tuple(e.value for e in node.elts if isinstance(e, ast.Constant)
                     and isinstance(e.value, str))  # fmt: skip
    one = _literal(node)
    return (one,) if one is not None else ()


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """What both make harmless: a value checked by two validators passes both."""
    if "*" in a or "*" in b:
        return HARMLESS_ALL
    return a | b


@register
class SchemasExtractor(Extractor):
    """python_validation_schemas, python_validation_fields."""

    name = "validation.schemas"
    fact_types = (ValidationSchemaFact, ValidationFieldFact)
    qualnames = (SCHEMA_BASES, MARSHMALLOW_EXTENSION, VALIDATOR_DECORATORS, MARSHMALLOW_DECORATORS)
    names = (MARSHMALLOW_EXTENSION_ATTRIBUTES,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.schemas: dict[str, _Schema] = {}

    # -- classes -------------------------------------------------------------------------------

    def _base(self, node: ast.expr) -> tuple[str, tuple[str, str] | None]:
        ctx = self.ctx
        target = node.func if isinstance(node, ast.Call) else node
        ref = ctx.qualname(target)
        if ref is None and isinstance(target, ast.Name):
            hit = ctx.lookup(target.id)
            if hit is not None and hit[1].kind == "module":
                ref = f"{ctx.module}.{target.id}"
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            hit = ctx.lookup(target.value.id)
            imported = hit is None or hit[0].kind == "import"  # `from app import ma` (or `*`)
            if imported and MARSHMALLOW_EXTENSION_BASE(target.attr):
                return ref or ctx.text_of(target), MARSHMALLOW_INSTANCE_BASES[target.attr]
        if ref is None:
            return ctx.text_of(target), None
        if ref in SCHEMA_BASES:
            return ref, SCHEMA_BASES[ref]
        if ref in self.schemas and not self.schemas[ref].provisional:
            known = self.schemas[ref]
            return ref, (known.library, known.kind)
        owner, _, attr = ref.rpartition(".")
        if owner in MARSHMALLOW_EXTENSION and attr in MARSHMALLOW_INSTANCE_BASES:
            return ref, MARSHMALLOW_INSTANCE_BASES[attr]
        return ref, None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        found = [self._base(b) for b in node.bases]
        known = next((k for _, k in found if k is not None), None)
        if not found or any(ref.startswith("builtins.") for ref, _ in found):
            return
        qualname = ctx.def_qualname(node)
        bases = tuple(ref for ref, _ in found)
        library, kind = known if known is not None else ("", "")
        self.schemas[qualname] = _Schema(
            node, qualname, library, kind, bases, provisional=known is None
        )

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        scope = ctx.scope
        schema = self.schemas.get(scope.qualname) if scope.kind == "class" else None
        if schema is None:
            return
        for dec in node.decorator_list:
            call = dec if isinstance(dec, ast.Call) else None
            name = ctx.qualname(call.func if call is not None else dec)
            kind = MARSHMALLOW_DECORATORS.get(name or "") or VALIDATOR_DECORATORS.get(name or "")
            if kind is None:
                continue
            named = [a for arg in (call.args if call else ()) for a in _items(arg)]
            schema.hooks.append(f"{kind}:{','.join(named)}" if named else kind)
        if node.name.startswith("validate_") and schema.library in ("wtforms", "drf"):
            schema.hooks.append(f"validate:{node.name[len('validate_') :]}")
        elif node.name == "validate" and schema.library == "drf":
            schema.hooks.append("validate")

    # -- fields and Meta -----------------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        scope = ctx.scope
        if scope.kind not in ("class", "module") or len(node.targets) != 1:
            return
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            return
        if scope.kind == "module":
            if not isinstance(node.value, ast.Call):
                return
            made = self.schemas.get(ctx.qualname(node.value.func) or "")
            if made is not None and not made.provisional:
                made.instances.append(target.id)  # `user_schema = UserSchema()`
            return
        schema = self.schemas.get(scope.qualname)
        if schema is not None:
            if isinstance(node.value, ast.Call):
                self._field(schema, node, target.id, node.value)
            return
        owner = self.schemas.get(scope.qualname.removesuffix(".Meta"))
        if owner is None or not scope.qualname.endswith(".Meta"):
            return
        value = node.value
        if target.id == "model":
            called = value.func if isinstance(value, ast.Call) else value  # get_user_model()
            owner.model = ctx.qualname(called) or ctx.text_of(value)
            if isinstance(value, ast.Name) and ctx.qualname(value) is None:
                hit = ctx.lookup(value.id)
                if hit is not None and hit[1].kind == "module":
                    owner.model = f"{ctx.module}.{value.id}"
        elif target.id == "fields":
            owner.meta["fields"] = _items(value) or (ctx.text_of(value, 80),)
        elif target.id in ("exclude", "load_only", "dump_only", "read_only_fields"):
            owner.meta[target.id] = _items(value) or (ctx.text_of(value, 80),)
        elif target.id == "extra_kwargs" and isinstance(value, ast.Dict):
            write_only: list[str] = []
            for key, options in zip(value.keys, value.values, strict=True):
                name = _literal(key)
                if name is None or not isinstance(options, ast.Dict):
                    continue
                for option, flag in zip(options.keys, options.values, strict=True):
                    if _literal(option) == "write_only" and _true(flag):
                        write_only.append(name)
            owner.meta["extra_write_only"] = tuple(write_only)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        ctx = self.ctx
        scope = ctx.scope
        schema = self.schemas.get(scope.qualname) if scope.kind == "class" else None
        if schema is None or schema.library != "pydantic" or not isinstance(node.target, ast.Name):
            return
        name = node.target.id
        if name.startswith("_") or name == "model_config":
            return
        metadata: list[ast.expr] = []
        kind = unwrap_annotation(self.ctx, node.annotation, metadata, aliases=False)
        harmless = self._type_harmless(kind) if kind is not None else _NOTHING
        value = node.value
        for marker in (value, *metadata):
            if not isinstance(marker, ast.Call):
                continue
            callee = ctx.qualname(marker.func)
            if callee in FIELD_FUNCTIONS or callee in CONSTRAINED_STRINGS:
                pattern = _literal(_keyword(marker, "pattern") or _keyword(marker, "regex"))
                if pattern is not None:
                    harmless = _meet(harmless, pattern_harmless(pattern))
        required = value is None or (
            isinstance(value, ast.Call)
            and ctx.qualname(value.func) in FIELD_FUNCTIONS
            and (
                (value.args and isinstance(value.args[0], ast.Constant)
                 and value.args[0].value is Ellipsis)
                or (not value.args and _keyword(value, "default") is None
                    and _keyword(value, "default_factory") is None)
            )
        )  # fmt: skip
        excluded = isinstance(value, ast.Call) and _true(_keyword(value, "exclude"))
        schema.fields.append(
            ValidationFieldFact(
                **ctx.pos(node), schema=schema.qualname, name=name,
                field=self._type_name(kind), validators=(),
                harmless=tuple(sorted(harmless)), needs_validation=False,
                required=bool(required), read_only=False, write_only=excluded,
            )
        )  # fmt: skip

    def _type_name(self, node: ast.expr | None) -> str | None:
        """The type's name as resolved: ``typing.Literal`` for ``Literal["a"]``, ``constr``
        for ``constr(...)``."""
        if isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        return self.ctx.qualname(node) if node is not None else None

    def _type_harmless(self, node: ast.expr) -> frozenset[str]:
        ctx = self.ctx
        if isinstance(node, ast.Subscript):
            base = ctx.qualname(node.value)
            if base in _LITERALS:
                return HARMLESS_ALL
            if base in _CONTAINERS:
                items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                kinds = [self._type_harmless(i) for i in items if not isinstance(i, ast.Constant)]
                if not kinds:
                    return _NOTHING
                out = kinds[0]
                for more in kinds[1:]:
                    out = more if "*" in out else out if "*" in more else out & more
                return out
            return _NOTHING
        if isinstance(node, ast.Call):
            callee = ctx.qualname(node.func)
            if callee in SAFE_TYPES:
                return HARMLESS_ALL
            if callee in CONSTRAINED_STRINGS:
                pattern = _literal(_keyword(node, "pattern") or _keyword(node, "regex"))
                return pattern_harmless(pattern) if pattern is not None else _NOTHING
            return _NOTHING
        name = ctx.qualname(node)
        if name in SAFE_TYPES:
            return HARMLESS_ALL
        if name in EMAIL_TYPES:
            return HARMLESS_EMAIL
        return _NOTHING

    def _field_class(self, call: ast.Call) -> str | None:
        callee = self.ctx.qualname(call.func)
        if callee is None:
            return None
        if callee.startswith((*FIELD_MODULES, MARSHMALLOW_EXTENSION_FIELDS)) or (
            callee in AUTO_FIELDS
        ):
            return callee
        return None

    def _validators(self, schema: _Schema, call: ast.Call) -> list[ast.expr]:
        found: list[ast.expr] = []
        for key in ("validate", "validators"):
            value = _keyword(call, key)
            if isinstance(value, ast.List | ast.Tuple):
                found.extend(value.elts)
            elif value is not None:
                found.append(value)
        if schema.library == "wtforms" and len(call.args) > 1:
            second = call.args[1]
            if isinstance(second, ast.List | ast.Tuple):
                found.extend(second.elts)
        return found

    def _harmless_of(
        self, call: ast.Call, cls: str, validators: list[ast.expr]
    ) -> tuple[frozenset[str], bool]:
        """What the field's validated value cannot attack, and whether only after validate()
        (WTForms runs validators and checks choices in ``validate()``)."""
        ctx = self.ctx
        last = cls.rpartition(".")[2]
        if last in CONVERTED_FIELDS:
            return HARMLESS_ALL, False
        if last in LIST_FIELDS and call.args and isinstance(call.args[0], ast.Call):
            inner = self._field_class(call.args[0])
            if inner is not None:
                return self._harmless_of(call.args[0], inner, [])
        harmless = _NOTHING
        wtforms = cls.startswith(("wtforms.", "flask_wtf."))
        if last in CHOICE_FIELDS:
            choice = _keyword(call, "validate_choice")
            if not (isinstance(choice, ast.Constant) and choice.value is False):
                harmless = HARMLESS_ALL
        if last in EMAIL_FIELDS and not wtforms:
            harmless = _meet(harmless, HARMLESS_EMAIL)  # marshmallow's Email validates
        for validator in validators:
            if not isinstance(validator, ast.Call):
                continue
            name = (ctx.qualname(validator.func) or "").rpartition(".")[2]
            if name in CHOICE_VALIDATORS and validator.args:
                harmless = HARMLESS_ALL
            elif name in REGEX_VALIDATORS:
                pattern = _literal(validator.args[0] if validator.args else None) or _literal(
                    _keyword(validator, "regex")
                )
                if pattern is not None:
                    harmless = _meet(harmless, pattern_harmless(pattern))
            elif name in EMAIL_VALIDATORS:
                harmless = _meet(harmless, HARMLESS_EMAIL)
        return harmless, wtforms and bool(harmless)

    def _field(self, schema: _Schema, node: ast.Assign, name: str, call: ast.Call) -> None:
        ctx = self.ctx
        cls = self._field_class(call)
        if cls is None:
            return
        if schema.provisional:  # a field of a library's: the class is one of its schemas
            schema.provisional = False
            schema.library = next(
                (lib for prefix, lib in _FIELD_LIBRARIES if cls.startswith(prefix)), ""
            )
        validators = self._validators(schema, call)
        harmless, needs = self._harmless_of(call, cls, validators)
        names = [
            ctx.qualname(v.func if isinstance(v, ast.Call) else v) or ctx.text_of(v, 60)
            for v in validators
        ]
        required = _true(_keyword(call, "required")) or any(
            n.rpartition(".")[2] in REQUIRED_VALIDATORS for n in names
        )
        if schema.library == "drf":
            flag = _keyword(call, "required")
            read_only = _true(_keyword(call, "read_only"))
            required = not read_only and not (isinstance(flag, ast.Constant) and not flag.value)
        schema.fields.append(
            ValidationFieldFact(
                **ctx.pos(node), schema=schema.qualname, name=name, field=cls,
                validators=tuple(names),
                harmless=tuple(sorted(harmless)), needs_validation=needs, required=required,
                read_only=_true(_keyword(call, "dump_only")) or _true(_keyword(call, "read_only")),
                write_only=_true(_keyword(call, "load_only"))
                or _true(_keyword(call, "write_only")),
            )
        )  # fmt: skip

    def finish(self) -> None:
        ctx = self.ctx
        for schema in self.schemas.values():
            if schema.provisional:
                continue
            meta = schema.meta
            self.emit(
                ValidationSchemaFact(
                    **ctx.pos(schema.node), qualname=schema.qualname, library=schema.library,
                    kind=schema.kind, bases=schema.bases, model=schema.model,
                    fields=meta.get("fields", ()), exclude=meta.get("exclude", ()),
                    load_only=meta.get("load_only", ()) + meta.get("extra_write_only", ()),
                    dump_only=meta.get("dump_only", ()) + meta.get("read_only_fields", ()),
                    hooks=tuple(dict.fromkeys(schema.hooks)),
                    instances=tuple(schema.instances),
                )
            )  # fmt: skip
            for fact in schema.fields:
                self.emit(fact)
