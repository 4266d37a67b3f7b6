"""Routes and handlers of aiohttp's server side.

A route is a ``@routes.get("/path")`` decorator on a ``web.RouteTableDef()``, a route
definition (``web.get("/path", handler)``, ``web.route("POST", "/path", handler)``,
``web.view("/path", View)``) or a router call (``app.router.add_get("/path", handler)``,
``add_route(method, path, handler)``, ``add_view``). A handler is the function or view class a
route names, and, in a file that imports aiohttp, any coroutine function whose first parameter
is the request (named ``request``/``req`` or annotated ``web.Request``): routes are often
declared in another module than their handlers (``routes.py`` next to ``views.py``), and the
handler's own file must say where its request is.
"""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.aiohttp import AiohttpHandlerFact, AiohttpRouteFact
from auditls.knowledge.aiohttp import (
    REQUEST_TYPES,
    ROUTE_FUNCTIONS,
    ROUTER_METHODS,
    ROUTER_OWNERS,
    TABLE_DECORATORS,
    VIEW_BASES,
)
from auditls.knowledge.heuristics import REQUEST_PARAMETER


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index and not any(
        isinstance(a, ast.Starred) for a in call.args[: index + 1]
    ):
        return call.args[index]
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


@register
class RoutesExtractor(Extractor):
    """python_aiohttp_routes, python_aiohttp_handlers."""

    name = "aiohttp.routes"
    fact_types = (AiohttpRouteFact, AiohttpHandlerFact)
    qualnames = (TABLE_DECORATORS, ROUTE_FUNCTIONS, VIEW_BASES, REQUEST_TYPES)
    instances_of = (("aiohttp.web.Application",),)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.active = "aiohttp" in ctx.file_scan().seen
        self.handlers: set[str] = set()

    def _handler(self, qualname: str, kind: str, request_param: str | None, node: ast.AST) -> None:
        if qualname in self.handlers:
            return
        self.handlers.add(qualname)
        self.emit(
            AiohttpHandlerFact(
                **self.ctx.pos(node), qualname=qualname, kind=kind, request_param=request_param
            )
        )

    def _route(self, node: ast.AST, handler: str | None, method: str, path: str | None,
               via: str) -> None:  # fmt: skip
        self.emit(
            AiohttpRouteFact(
                **self.ctx.pos(node),
                function=self.ctx.scope.qualname,
                handler=handler,
                method=method,
                path=path,
                via=via,
            )
        )

    # -- definitions ---------------------------------------------------------------------------

    def _decorated(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
        """Route decorators on a definition (a route each); whether there was one."""
        ctx = self.ctx
        found = False
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call):
                continue
            method = TABLE_DECORATORS.get(ctx.qualname(dec.func) or "")
            if method is None:
                continue
            found = True
            if method == "":  # routes.route("POST", "/path")
                method = (_literal(_argument(dec, 0, "method")) or "").upper()
                path = _literal(_argument(dec, 1, "path"))
            else:
                path = _literal(_argument(dec, 0, "path"))
            self._route(dec, ctx.def_qualname(node), method, path, "decorator")
        return found

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        if ctx.scope.kind == "class":
            return
        decorated = self._decorated(node)
        params = [*node.args.posonlyargs, *node.args.args]
        if not params:
            return
        first = params[0]
        annotated = ctx.qualname(first.annotation) in REQUEST_TYPES
        named = first.annotation is None and REQUEST_PARAMETER(first.arg)
        coroutine = isinstance(node, ast.AsyncFunctionDef)
        if annotated or (decorated and named) or (self.active and coroutine and named):
            self._handler(ctx.def_qualname(node), "function", first.arg, node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        decorated = self._decorated(node)
        if decorated or any(ctx.qualname(b) in VIEW_BASES for b in node.bases):
            self._handler(ctx.def_qualname(node), "class", None, node)

    # -- route definitions and the router --------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func) or ""
        method = ROUTE_FUNCTIONS.get(callee)
        via = "route_def"
        if method is None and isinstance(node.func, ast.Attribute):
            method = ROUTER_METHODS.get(node.func.attr)
            owner = ctx.qualname(node.func.value) or ""
            if method is not None and not (owner in ROUTER_OWNERS or owner.endswith(".router")):
                method = None
            via = "router"
        if method is None:
            return
        if method == "":
            method = (_literal(_argument(node, 0, "method")) or "").upper()
            path, handler = _argument(node, 1, "path"), _argument(node, 2, "handler")
        else:
            path, handler = _argument(node, 0, "path"), _argument(node, 1, "handler")
        self._route(node, ctx.qualname(handler), method, _literal(path), via)
