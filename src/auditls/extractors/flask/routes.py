"""Routes (decorators and ``add_url_rule``) and class-based views."""

from __future__ import annotations

import ast

from auditls.extractors.flask.arguments import (
    argument,
    keyword_texts,
    literal_str,
    literal_strs,
    text,
)
from auditls.extractors.flask.base import FlaskExtractor
from auditls.extractors.flask.refs import (
    acceptable,
    canonical,
    decorator_names,
    ref_of,
    split_decorator,
)
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import FlaskRouteFact, FlaskViewClassFact
from auditls.knowledge.flask import (
    ADD_URL_RULE,
    APP_OR_BLUEPRINT,
    AS_VIEW,
    HTTP_METHODS,
    ROUTE_VERBS,
    VIEW_CLASSES,
)


@register
class RoutesExtractor(FlaskExtractor):
    """Routes (decorators and add_url_rule) and class-based views (Phase 2 Flask base)."""

    name = "flask.routes"
    names = (ROUTE_VERBS, (ADD_URL_RULE,))
    fact_types = (FlaskRouteFact, FlaskViewClassFact)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.view_classes: dict[str, str] = {}  # view classes of this file -> their Flask base

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        decorators: tuple[str, ...] | None = None
        for position, d in enumerate(node.decorator_list):
            parts = split_decorator(d)
            if parts is None:
                continue
            receiver, method, call = parts
            if method not in ROUTE_VERBS or call is None:
                continue
            owner, owner_type = ref_of(ctx, receiver)
            if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                continue
            if decorators is None:
                decorators = decorator_names(ctx, node)
            rule = argument(call, 0, "rule")
            verb = ROUTE_VERBS[method]
            methods, methods_from = self._methods(call, verb)
            self.emit(
                FlaskRouteFact(
                    **ctx.pos(d),
                    function=ctx.function,
                    owner=owner,
                    owner_type=owner_type,
                    api=method,
                    rule=literal_str(rule),
                    rule_text=text(ctx, rule) or "",
                    methods=methods,
                    methods_from=methods_from,
                    endpoint=literal_str(argument(call, None, "endpoint")),
                    view=ctx.def_qualname(node),
                    view_kind="function",
                    decorators=decorators,
                    position=position,
                    is_async=isinstance(node, ast.AsyncFunctionDef),
                    options=keyword_texts(ctx, call, ("rule", "methods", "endpoint")),
                )
            )

    @staticmethod
    def _methods(call: ast.Call, verb: str | None) -> tuple[tuple[str, ...], str]:
        if verb is not None:
            return (verb,), "verb"
        given = argument(call, None, "methods")
        if given is None:
            return ("GET",), "default"
        values = literal_strs(given)
        if values is None:
            return (), "dynamic"
        return tuple(v.upper() for v in values), "literal"

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != ADD_URL_RULE:
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            return
        rule = argument(node, 0, "rule")
        endpoint = literal_str(argument(node, 1, "endpoint"))
        view_arg = argument(node, 2, "view_func")
        view: str | None = None
        view_kind = "unknown"
        wrappers: tuple[str, ...] = ()
        if isinstance(view_arg, ast.Call):
            inner = view_arg.func
            if isinstance(inner, ast.Attribute) and inner.attr == AS_VIEW:
                view, view_kind = ctx.qualname(inner.value), "class"
                endpoint = endpoint or literal_str(argument(view_arg, 0, "name"))
            elif view_arg.args:  # login_required(index): a wrapped view function
                wrappers = (ctx.qualname(inner) or ctx.text_of(inner),)
                view = ctx.qualname(view_arg.args[0])
                view_kind = "function" if view is not None else "unknown"
        elif view_arg is not None:
            view = ctx.qualname(view_arg)
            view_kind = "function" if view is not None else "unknown"
        given = argument(node, None, "methods")
        if given is not None:
            values = literal_strs(given)
            methods = tuple(v.upper() for v in values) if values is not None else ()
            methods_from = "literal" if values is not None else "dynamic"
        elif view_kind == "class":
            methods, methods_from = (), "view_class"
        else:
            methods, methods_from = ("GET",), "default"
        self.emit(
            FlaskRouteFact(
                **ctx.pos(node),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                api=ADD_URL_RULE,
                rule=literal_str(rule),
                rule_text=text(ctx, rule) or "",
                methods=methods,
                methods_from=methods_from,
                endpoint=endpoint,
                view=view,
                view_kind=view_kind,
                decorators=wrappers,
                position=-1,
                is_async=False,
                options=keyword_texts(ctx, node, ("rule", "endpoint", "view_func", "methods")),
            )
        )

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        base: str | None = None
        for b in node.bases:
            name = canonical(ctx.qualname(b))
            if name in VIEW_CLASSES:
                base = name
            elif name in self.view_classes:
                base = self.view_classes[name]
            if base is not None:
                break
        if base is None:
            return
        qualname = ctx.def_qualname(node)
        self.view_classes[qualname] = base
        handlers: list[str] = []
        methods: tuple[str, ...] = ()
        decorators: tuple[str, ...] = ()
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                if stmt.name in HTTP_METHODS:
                    handlers.append(stmt.name.upper())
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                if target.id == "methods":
                    values = literal_strs(stmt.value)
                    methods = tuple(v.upper() for v in values) if values else ()
                elif target.id == "decorators" and isinstance(stmt.value, ast.List | ast.Tuple):
                    decorators = tuple(
                        ctx.qualname(e.func if isinstance(e, ast.Call) else e) or ctx.text_of(e)
                        for e in stmt.value.elts
                    )
        self.emit(
            FlaskViewClassFact(
                **ctx.pos(node),
                qualname=qualname,
                base=base,
                handlers=tuple(handlers),
                methods=methods,
                decorators=decorators,
            )
        )
