"""Where a function uses what a validating class made of input, for the taint engine:

- **objects**: ``form = SignupForm()`` / ``SignupForm(request.form)`` read as ``form.age.data``
  or validated (``form.validate_on_submit()``); ``item = Item(**payload)`` /
  ``Item.model_validate(payload)`` read as ``item.age``. One row per binding, with whether the
  form was given form data and whether the function validates it.
- **reads**: ``data = UserSchema().load(payload)`` (or ``schema.load``, ``loads``) then
  ``data["age"]`` / ``data.get("age")``; after ``errors = schema.validate(payload)``, keyed reads
  of ``payload``. One row per read with its key (none for a read of the whole mapping).

Whether the class is a schema, a form or a model is the model's to say
(``auditls.models.validation``): it may be defined in another file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.validation import ValidationUseFact
from auditls.knowledge.pydantic import PARSE_METHODS
from auditls.knowledge.validation import (
    FORM_VALIDATE_METHODS,
    LOAD_METHODS,
    NOT_SCHEMAS,
    USE_FRAGMENTS,
    VALIDATE_METHODS,
)


@dataclass(slots=True)
class _Object:
    node: ast.AST
    function: str
    name: str
    schema: str
    how: str
    formdata: bool
    validated: bool = False
    read: bool = False  # an attribute of it is read (`item.age`)
    form_read: bool = False  # a field's data is read (`form.age.data`)
    parsed: bool = False  # built from a mapping (`Item(**payload)`, `Item.model_validate`)
    rebound: bool = False  # the name is bound again in the function


@dataclass(slots=True)
class _Loaded:
    schema: str
    how: str


@dataclass(slots=True)
class _Function:
    objects: dict[str, _Object] = field(default_factory=dict)
    loaded: dict[str, _Loaded] = field(default_factory=dict)


_NOT_SCHEMA_PREFIXES = tuple(f"{m}." for m in NOT_SCHEMAS)


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


@register
class UsesExtractor(Extractor):
    """python_validation_uses."""

    name = "validation.uses"
    fact_types = (ValidationUseFact,)
    fragments = (USE_FRAGMENTS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.functions: dict[str, _Function] = {}
        self.keyed: set[int] = set()
        self.objects: list[_Object] = []

    def _state(self) -> _Function:
        function = self.ctx.function
        found = self.functions.get(function)
        if found is None:
            found = self.functions[function] = _Function()
        return found

    def _class_of(self, expr: ast.expr) -> str | None:
        """The class whose instance ``expr`` is (``Schema()``, a name bound to one), or the
        module-level instance an imported name is (the model finds its class)."""
        ctx = self.ctx
        found: str | None = None
        if isinstance(expr, ast.Call):
            found = ctx.qualname(expr.func)
        elif isinstance(expr, ast.Name):
            # a local instance, else one imported (`from .schemas import user_schema`)
            found = ctx.instance_of(expr) or ctx.qualname(expr)
        if found is None or found in NOT_SCHEMAS or found.startswith(_NOT_SCHEMA_PREFIXES):
            return None
        return found

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        if self.ctx.scope.kind not in ("function", "module"):
            return
        name = node.targets[0].id
        state = self._state()
        old = state.objects.pop(name, None)
        if old is not None:
            old.rebound = True  # bound twice: which object a read sees is not known
        state.loaded.pop(name, None)
        value = node.value
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return
        func = value.func
        ctx = self.ctx
        if isinstance(func, ast.Attribute):
            owner = func.value
            if func.attr in LOAD_METHODS:
                schema = self._class_of(owner)
                if schema is not None:
                    state.loaded[name] = _Loaded(schema, "load")
                return
            if func.attr in PARSE_METHODS:
                schema = ctx.qualname(owner)
                if schema is not None:
                    self._object(node, state, name, schema, "model_validate", True, True)
                return
        schema = ctx.qualname(func)
        if schema is None or schema.startswith("builtins."):
            return
        # `Item(**payload)`; not a call forwarding `*args, **kwargs`
        spread = any(k.arg is None for k in value.keywords) and not any(
            isinstance(a, ast.Starred) for a in value.args
        )
        formdata_kw = next((k.value for k in value.keywords if k.arg == "formdata"), None)
        if isinstance(formdata_kw, ast.Constant) and formdata_kw.value is None:
            how, formdata = "construct-empty", False
        else:
            how, formdata = "construct", bool(value.args) or formdata_kw is not None or spread
        self._object(node, state, name, schema, how, formdata, spread)

    def _object(
        self,
        node: ast.AST,
        state: _Function,
        name: str,
        schema: str,
        how: str,
        data: bool,
        parsed: bool = False,
    ) -> None:
        obj = _Object(node, self.ctx.function, name, schema, how, data, parsed=parsed)
        state.objects[name] = obj
        self.objects.append(obj)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            self._validate_call(node)
            return
        owner = func.value.id
        state = self.functions.get(self.ctx.function)
        if state is None:
            self._validate_call(node)
            return
        obj = state.objects.get(owner)
        if obj is not None and func.attr in FORM_VALIDATE_METHODS and not node.args:
            obj.validated = True
        loaded = state.loaded.get(owner)
        if loaded is not None and func.attr == "get" and node.args:
            self.keyed.add(id(func.value))
            self._read(func.value, owner, _literal(node.args[0]), loaded)
        self._validate_call(node)

    def _validate_call(self, node: ast.Call) -> None:
        """``schema.validate(payload)``: keyed reads of ``payload`` from here on are checked."""
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in VALIDATE_METHODS:
            return
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            return
        schema = self._class_of(func.value)
        if schema is None or self.ctx.scope.kind not in ("function", "module"):
            return
        state = self._state()
        state.loaded[node.args[0].id] = _Loaded(schema, "validate")

    def visit_Subscript(self, node: ast.Subscript) -> None:
        value = node.value
        if not isinstance(value, ast.Name) or not isinstance(node.ctx, ast.Load):
            return
        state = self.functions.get(self.ctx.function)
        loaded = state.loaded.get(value.id) if state is not None else None
        if loaded is not None:
            self.keyed.add(id(value))
            self._read(value, value.id, _literal(node.slice), loaded)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        value = node.value
        if not isinstance(node.ctx, ast.Load):
            return
        field_data = node.attr == "data" and isinstance(value, ast.Attribute)
        if field_data and isinstance(value, ast.Attribute):
            value = value.value
        if not isinstance(value, ast.Name):
            return
        state = self.functions.get(self.ctx.function)
        obj = state.objects.get(value.id) if state is not None else None
        if obj is not None:
            obj.read = True
            obj.form_read = obj.form_read or field_data

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load) or id(node) in self.keyed:
            return
        state = self.functions.get(self.ctx.function)
        loaded = state.loaded.get(node.id) if state is not None else None
        if loaded is not None:
            self._read(node, node.id, None, loaded)

    def _read(self, node: ast.expr, name: str, key: str | None, loaded: _Loaded) -> None:
        ctx = self.ctx
        self.emit(
            ValidationUseFact(
                **ctx.pos(node), function=ctx.function, role="read", name=name, key=key,
                schema=loaded.schema, how=loaded.how, formdata=True, validated=True,
            )
        )  # fmt: skip

    def finish(self) -> None:
        ctx = self.ctx
        for obj in self.objects:
            if obj.rebound or not (obj.validated or obj.form_read or (obj.parsed and obj.read)):
                continue
            self.emit(
                ValidationUseFact(
                    **ctx.pos(obj.node), function=obj.function, role="object", name=obj.name,
                    key=None, schema=obj.schema, how=obj.how, formdata=obj.formdata,
                    validated=obj.validated,
                )
            )  # fmt: skip
