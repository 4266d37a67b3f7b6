"""Forms and serializers (with their fields and ``Meta``), admin registrations
(``admin.site.register(Model, Admin)``, ``@admin.register(Model)``, with ``list_display`` and
``actions``), and the project's own middleware (classes with the hooks they implement, the
``get_response`` factory function, and whether one tests ``request.user``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.django.common import (
    argument,
    base_names,
    decorator_name,
    in_if_test,
    ref_of,
    str_items,
)
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoAdminFact, DjangoFormFact, DjangoMiddlewareFact
from auditls.knowledge.django import (
    ADMIN_DECORATORS,
    ADMIN_REGISTER,
    FORM_BASES,
    FORM_FIELD_PREFIXES,
    MIDDLEWARE_BASES,
    MIDDLEWARE_HOOKS,
    USER_CHECKS,
)

_MODEL_ADMIN = frozenset(
    {"django.contrib.admin.ModelAdmin", "django.contrib.admin.options.ModelAdmin"}
)


@dataclass(slots=True)
class _Form:
    node: ast.ClassDef
    qualname: str
    kind: str
    model: str | None = None
    meta_fields: str | None = None
    exclude: bool = False
    fields: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Middleware:
    node: ast.AST
    qualname: str
    style: str
    hooks: list[str] = field(default_factory=list)
    user_check: bool = False


@register
class ComponentsExtractor(Extractor):
    """python_django_forms, python_django_admin, python_django_middleware."""

    name = "django.components"
    fact_types = (DjangoFormFact, DjangoAdminFact, DjangoMiddlewareFact)
    qualnames = (FORM_BASES, ADMIN_REGISTER, ADMIN_DECORATORS, MIDDLEWARE_BASES, _MODEL_ADMIN)
    names = (("get_response",),)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.forms: dict[str, _Form] = {}
        self.admins: dict[str, dict[str, tuple[str, ...]]] = {}
        self.registered: list[tuple[ast.AST, str, str | None]] = []
        self.middleware: dict[str, _Middleware] = {}

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        bases = base_names(ctx, node)
        qualname = ctx.def_qualname(node)
        for base in bases:
            kind = FORM_BASES.get(base) or (self.forms[base].kind if base in self.forms else None)
            if kind is not None:
                self.forms[qualname] = _Form(node, qualname, kind)
                return
        if any(b in _MODEL_ADMIN or b in self.admins for b in bases):
            self.admins[qualname] = {}
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and decorator_name(ctx, dec) in ADMIN_DECORATORS:
                    for model in dec.args:
                        self.registered.append((dec, ref_of(ctx, model) or ctx.text_of(model),
                                                qualname))  # fmt: skip
            return
        if any(b in MIDDLEWARE_BASES for b in bases):
            self.middleware[qualname] = _Middleware(node, qualname, "mixin")
            return
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                params = [a.arg for a in item.args.args]
                if params[1:2] == ["get_response"]:
                    self.middleware[qualname] = _Middleware(node, qualname, "new")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        scope = ctx.scope
        if scope.kind == "class":
            mw = self.middleware.get(scope.qualname)
            if mw is not None and node.name in MIDDLEWARE_HOOKS:
                mw.hooks.append(node.name)
            return
        params = [a.arg for a in node.args.args]
        if scope.kind == "module" and params == ["get_response"]:
            qualname = ctx.def_qualname(node)
            self.middleware[qualname] = _Middleware(node, qualname, "function", ["__call__"])

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        scope = ctx.scope
        if scope.kind != "class" or len(node.targets) != 1:
            return
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            return
        name = target.id
        value = node.value
        form = self.forms.get(scope.qualname)
        if form is not None and isinstance(value, ast.Call):
            callee = ctx.qualname(value.func)
            if callee is not None and callee.startswith(FORM_FIELD_PREFIXES):
                form.fields.append(f"{name}:{callee.rpartition('.')[2]}")
            return
        meta_of = self.forms.get(scope.qualname.removesuffix(".Meta"))
        if meta_of is not None and scope.qualname.endswith(".Meta"):
            if name == "model":
                meta_of.model = ref_of(ctx, value) or ctx.text_of(value)
            elif name == "fields":
                meta_of.meta_fields = ctx.text_of(value, 200)
            elif name == "exclude":
                meta_of.exclude = True
            return
        admin = self.admins.get(scope.qualname)
        if admin is not None and name in ("list_display", "actions"):
            items = str_items(value) or tuple(
                ref_of(ctx, e) or ctx.text_of(e) for e in getattr(value, "elts", ())
            )
            admin[name] = items

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        if ctx.qualname(node.func) not in ADMIN_REGISTER:
            return
        first = argument(node, 0, "model_or_iterable")
        admin = argument(node, 1, "admin_class")
        models = first.elts if isinstance(first, ast.List | ast.Tuple) else [first]
        admin_ref = ref_of(ctx, admin) if admin is not None else None
        for model in models:
            if model is not None:
                self.registered.append((node, ref_of(ctx, model) or ctx.text_of(model),
                                        admin_ref))  # fmt: skip

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr not in USER_CHECKS:
            return
        owner = node.value
        if not (isinstance(owner, ast.Attribute) and owner.attr == "user"):
            return
        function = self.ctx.function
        for qualname, mw in self.middleware.items():
            if function.startswith(qualname + ".") and in_if_test(self.ctx, node):
                mw.user_check = True

    def finish(self) -> None:
        ctx = self.ctx
        for form in self.forms.values():
            self.emit(
                DjangoFormFact(
                    **ctx.pos(form.node), qualname=form.qualname, kind=form.kind,
                    model=form.model, meta_fields=form.meta_fields, exclude=form.exclude,
                    fields=tuple(form.fields),
                )
            )  # fmt: skip
        for node, model, admin in self.registered:
            attrs = self.admins.get(admin or "", {})
            self.emit(
                DjangoAdminFact(
                    **ctx.pos(node), model=model, admin_class=admin,
                    list_display=attrs.get("list_display", ()), actions=attrs.get("actions", ()),
                )
            )  # fmt: skip
        for mw in self.middleware.values():
            self.emit(
                DjangoMiddlewareFact(
                    **ctx.pos(mw.node), qualname=mw.qualname, style=mw.style,
                    hooks=tuple(dict.fromkeys(mw.hooks)), user_check=mw.user_check,
                )
            )  # fmt: skip
