"""Models and managers (Block 4: ``extract_django_custom_managers``): model classes and their
fields, ``Manager`` and ``QuerySet`` subclasses (with the methods they define and whether one
runs raw SQL), managers made by ``QuerySet.as_manager()`` and ``Manager.from_queryset(QS)``,
and the managers attached to each model (``objects = OrderManager()``).

A class is a model when a base is ``models.Model`` or a model of this file, or when its body
assigns a Django field (an abstract base imported from another app). Class bodies are walked
in order, so rows are emitted at the end of the file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.django.common import base_names, literal_str, ref_of
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoManagerFact, DjangoModelFact, DjangoQuerysetFact
from auditls.knowledge.django import (
    FIELD_PREFIXES,
    LOOKUP_METHODS,
    MANAGER_BASES,
    MODEL_BASES,
    QUERYSET_BASES,
    QUERYSET_METHODS,
    RAW_SQL_CALLS,
    RAW_SQL_METHODS,
    RELATION_FIELDS,
    REQUEST_MAPPINGS,
)
from auditls.knowledge.heuristics import REQUEST_PARAMETER

_FROM_QUERYSET = "from_queryset"
#: Field options recorded beside a field's type (flags when True; on_delete's value).
_FIELD_FLAGS = frozenset({"null", "unique", "primary_key", "blank", "on_delete"})


def _last(text: str) -> str:
    return text.rpartition(".")[2]


_AS_MANAGER = "as_manager"


@dataclass(slots=True)
class _Class:
    node: ast.ClassDef
    qualname: str
    bases: tuple[str, ...]
    role: str  # model | manager | queryset | other
    fields: list[str] = field(default_factory=list)
    abstract: bool = False
    managers: list[tuple[ast.AST, str, str | None, str | None]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    raw_sql: bool = False
    queryset: str | None = None


@register
class OrmExtractor(Extractor):
    """python_django_models, python_django_managers."""

    name = "django.orm"
    fact_types = (DjangoModelFact, DjangoManagerFact)
    qualnames = (MODEL_BASES, MANAGER_BASES, QUERYSET_BASES)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.classes: dict[str, _Class] = {}

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        bases = base_names(ctx, node)
        known = {b: self.classes[b].role for b in bases if b in self.classes}
        role = "other"
        queryset = None
        if any(b in MODEL_BASES or known.get(b) == "model" for b in bases):
            role = "model"
        elif any(b in QUERYSET_BASES or known.get(b) == "queryset" for b in bases):
            role = "queryset"
        elif any(b in MANAGER_BASES or known.get(b) == "manager" or b.endswith(_FROM_QUERYSET)
                 for b in bases):  # fmt: skip
            role = "manager"
            for base in node.bases:
                if isinstance(base, ast.Call) and base.args:
                    queryset = ref_of(ctx, base.args[0])
        qualname = ctx.def_qualname(node)
        self.classes[qualname] = _Class(node, qualname, bases, role, queryset=queryset)

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        scope = ctx.scope
        value = node.value
        if not isinstance(value, ast.Call) or len(node.targets) != 1:
            return
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            return
        if scope.kind == "module":
            queryset = self._queryset_of(value)
            if queryset is not None:  # OrderManager = BaseManager.from_queryset(OrderQuerySet)
                self._manager_row(node, f"{ctx.module}.{target.id}", value, queryset)
            return
        if scope.kind == "class":
            owner = self.classes.get(scope.qualname)
            if owner is not None:
                self._class_attribute(owner, node, target.id, value)
            elif scope.qualname.endswith(".Meta") and target.id == "abstract":
                model = self.classes.get(scope.qualname[: -len(".Meta")])
                if model is not None and isinstance(value, ast.Constant):
                    model.abstract = value.value is True

    def _class_attribute(self, owner: _Class, node: ast.Assign, name: str, call: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(call.func) or ref_of(ctx, call.func)
        if callee is not None and callee.startswith(FIELD_PREFIXES):
            kind = callee.rpartition(".")[2]
            if kind.endswith("Field") or kind in RELATION_FIELDS:
                if owner.role == "other":
                    owner.role = "model"
                text = f"{name}:{kind}"
                if kind in RELATION_FIELDS and call.args:
                    target = call.args[0]
                    to = literal_str(target) or ref_of(ctx, target) or ctx.text_of(target)
                    text += f"->{to}"
                flags = [
                    kw.arg if kw.arg != "on_delete" else f"on_delete={_last(ctx.text_of(kw.value))}"
                    for kw in call.keywords
                    if kw.arg in _FIELD_FLAGS
                    and (kw.arg == "on_delete" or (isinstance(kw.value, ast.Constant)
                                                    and kw.value.value is True))
                ]  # fmt: skip
                if flags:
                    text += f"[{','.join(flags)}]"
                owner.fields.append(text)
                return
        manager = self._manager_of(call)
        if manager is not None:
            owner.managers.append((node, name, manager[0], manager[1]))

    def _queryset_of(self, call: ast.Call) -> str | None:
        """``X.from_queryset(QS)`` -> QS; ``QS.as_manager()`` -> QS."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr == _FROM_QUERYSET and call.args:
                return ref_of(self.ctx, call.args[0]) or self.ctx.text_of(call.args[0])
            if func.attr == _AS_MANAGER:
                return ref_of(self.ctx, func.value) or self.ctx.text_of(func.value)
        return None

    def _manager_of(self, call: ast.Call) -> tuple[str, str | None] | None:
        """(manager, queryset) of a manager expression, or None."""
        ctx = self.ctx
        queryset = self._queryset_of(call)
        if queryset is not None:
            return ctx.text_of(call, 80), queryset
        func = call.func
        if isinstance(func, ast.Call):  # Manager.from_queryset(QS)()
            inner = self._queryset_of(func)
            if inner is not None:
                return ctx.text_of(func, 80), inner
        ref = ref_of(ctx, func)
        if ref is None:
            return None
        local = self.classes.get(ref)
        if (
            ref in MANAGER_BASES
            or (local is not None and local.role == "manager")
            or (ref.endswith("Manager"))
        ):
            return ref, local.queryset if local is not None else None
        return None

    def _manager_row(self, node: ast.AST, qualname: str, call: ast.Call, queryset: str) -> None:
        ctx = self.ctx
        self.emit(
            DjangoManagerFact(
                **ctx.pos(node), role="manager", qualname=qualname, name=None, manager=None,
                queryset=queryset, bases=(ctx.qualname(call.func) or ctx.text_of(call.func),),
                methods=(), raw_sql=False,
            )
        )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        scope = self.ctx.scope
        if scope.kind == "class":
            owner = self.classes.get(scope.qualname)
            if owner is not None and owner.role in ("manager", "queryset"):
                owner.methods.append(node.name)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        raw = (isinstance(func, ast.Attribute) and func.attr in RAW_SQL_METHODS) or (
            self.ctx.qualname(func) in RAW_SQL_CALLS
        )
        if not raw:
            return
        function = self.ctx.function
        owner = self.classes.get(function.rpartition(".")[0])
        if owner is not None and owner.role in ("manager", "queryset"):
            owner.raw_sql = True

    def finish(self) -> None:
        ctx = self.ctx
        for cls in self.classes.values():
            if cls.role == "model":
                self.emit(
                    DjangoModelFact(
                        **ctx.pos(cls.node), qualname=cls.qualname, bases=cls.bases,
                        abstract=cls.abstract, fields=tuple(cls.fields),
                    )
                )  # fmt: skip
                for node, name, manager, queryset in cls.managers:
                    self.emit(
                        DjangoManagerFact(
                            **ctx.pos(node), role="attached", qualname=cls.qualname, name=name,
                            manager=manager, queryset=queryset, bases=(), methods=(),
                            raw_sql=False,
                        )
                    )  # fmt: skip
            elif cls.role in ("manager", "queryset"):
                self.emit(
                    DjangoManagerFact(
                        **ctx.pos(cls.node), role=cls.role, qualname=cls.qualname, name=None,
                        manager=None, queryset=cls.queryset, bases=cls.bases,
                        methods=tuple(cls.methods), raw_sql=cls.raw_sql,
                    )
                )  # fmt: skip


def _request_data(node: ast.expr) -> bool:
    """``request.GET``, ``request.POST.dict()``, ``self.request.data``: the request's own
    mapping (the ``request-parameter`` heuristic names the request)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
        node = node.func.value  # .dict(), .copy()
    if not (isinstance(node, ast.Attribute) and node.attr in REQUEST_MAPPINGS):
        return False
    owner = node.value
    if isinstance(owner, ast.Attribute) and owner.attr == "request":
        return isinstance(owner.value, ast.Name) and owner.value.id == "self"
    return isinstance(owner, ast.Name) and REQUEST_PARAMETER(owner.id)


@register
class QuerysetsExtractor(Extractor):
    """python_django_querysets (Block 4: ``extract_django_querysets``): chains off a model's
    manager, once per chain, at its outermost call; whether they run SQL text, and the
    ``**kwargs`` given to a lookup (``filter(**request.GET.dict())`` lets the client choose the
    lookups: ``password__startswith``)."""

    name = "django.querysets"
    fact_types = (DjangoQuerysetFact,)
    names = (QUERYSET_METHODS,)
    qualnames = (MODEL_BASES,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.inner: set[int] = set()
        # Chains off a model exist only where Django does (what the pre-filter decides too).
        self.active = "django" in ctx.file_scan().seen

    def visit_Call(self, node: ast.Call) -> None:
        if not self.active or id(node) in self.inner:
            return
        calls: list[ast.Call] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Call) and isinstance(cur.func, ast.Attribute):
            calls.append(cur)
            cur = cur.func.value
        if not calls or not isinstance(cur, ast.Attribute) or not isinstance(cur.value, ast.Name):
            return
        calls.reverse()
        chain = tuple(c.func.attr for c in calls if isinstance(c.func, ast.Attribute))
        if chain[0] not in QUERYSET_METHODS and cur.attr != "objects":
            return
        for c in calls:
            self.inner.add(id(c))
        ctx = self.ctx
        model_name = cur.value
        model = ref_of(ctx, model_name) or model_name.id
        if not model_name.id[:1].isupper():  # a model class, not `self.objects` or a module
            return
        raw = any(m in RAW_SQL_METHODS for m in chain) or any(
            isinstance(a, ast.Call) and ctx.qualname(a.func) in RAW_SQL_CALLS
            for c in calls for a in (*c.args, *(k.value for k in c.keywords))
        )  # fmt: skip
        spread = None
        source = None
        for c in calls:
            if not isinstance(c.func, ast.Attribute) or c.func.attr not in LOOKUP_METHODS:
                continue
            for kw in c.keywords:
                if kw.arg is None:
                    spread = ctx.text_of(kw.value, 80)
                    if _request_data(kw.value):
                        source = "request"
        self.emit(
            DjangoQuerysetFact(
                **ctx.pos(node), function=ctx.function, model=model, manager=cur.attr,
                chain=chain, raw=raw, spread=spread, spread_source=source,
            )
        )  # fmt: skip
