"""URL confs: ``path()`` / ``re_path()`` / ``url()`` entries, ``include()`` (dotted modules,
module objects, the ``(urls, app_name)`` tuple, ``namespace=``, ``router.urls``), DRF router
``register()`` calls and a module's ``app_name``. ``auditls.models.django`` joins them across
files into full URL patterns."""

from __future__ import annotations

import ast

from auditls.extractors.django.common import argument, literal_str, ref_of
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoUrlFact
from auditls.knowledge.django import (
    ADMIN_URLS,
    INCLUDE_FUNCTIONS,
    ROUTER_REGISTER,
    ROUTERS,
    URL_FUNCTIONS,
)


@register
class UrlsExtractor(Extractor):
    """python_django_urls."""

    name = "django.urls"
    fact_types = (DjangoUrlFact,)
    qualnames = (URL_FUNCTIONS, INCLUDE_FUNCTIONS, ROUTER_REGISTER)
    instances_of = (ROUTERS,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "register":
            if ctx.qualname(func) in ROUTER_REGISTER or ctx.instance_of(func.value) in ROUTERS:
                self._register(node, func.value)
            return
        kind = URL_FUNCTIONS.get(ctx.qualname(func) or "")
        if kind is None:
            return
        pattern = literal_str(argument(node, 0, "route") or argument(node, 0, "regex"))
        view = argument(node, 1, "view")
        name = literal_str(argument(node, None, "name"))
        if isinstance(view, ast.Call) and ctx.qualname(view.func) in INCLUDE_FUNCTIONS:
            self._include(node, pattern, view)
            return
        if isinstance(view, ast.Attribute) and view.attr == "urls":
            target = ref_of(ctx, view)
            if target in ADMIN_URLS or ctx.instance_of(view.value) not in ROUTERS:
                self._emit(node, "include", pattern, include=target, text=ctx.text_of(view))
            else:
                self._emit(node, "include", pattern, router=ref_of(ctx, view.value),
                           include=target, text=ctx.text_of(view))  # fmt: skip
            return
        as_view = False
        wrappers: list[str] = []
        # path("x/", login_required(views.x)), csrf_exempt(View.as_view()): the wrapped view.
        while (
            isinstance(view, ast.Call)
            and len(view.args) == 1
            and not (isinstance(view.func, ast.Attribute) and view.func.attr == "as_view")
        ):
            wrapper = ctx.qualname(view.func)
            if wrapper is None and isinstance(view.func, ast.Call):  # permission_required("p")(v)
                wrapper = ctx.qualname(view.func.func)
            wrappers.append(wrapper or ctx.text_of(view.func, 80))
            view = view.args[0]
        target_expr = view
        if (
            isinstance(view, ast.Call)
            and isinstance(view.func, ast.Attribute)
            and view.func.attr == "as_view"
        ):
            as_view = True
            target_expr = view.func.value
        self._emit(
            node, kind, pattern, view=ref_of(ctx, target_expr),
            text=ctx.text_of(view) if view is not None else None, as_view=as_view, name=name,
            wrappers=tuple(wrappers),
        )  # fmt: skip

    def _include(self, node: ast.Call, pattern: str | None, call: ast.Call) -> None:
        ctx = self.ctx
        arg = argument(call, 0, "arg")
        namespace = literal_str(argument(call, None, "namespace"))
        if isinstance(arg, ast.Tuple) and arg.elts:
            if namespace is None and len(arg.elts) > 1:
                namespace = literal_str(arg.elts[1])
            arg = arg.elts[0]
        router = None
        target = literal_str(arg)
        if target is None and arg is not None:
            if isinstance(arg, ast.Attribute) and arg.attr == "urls":
                if ctx.instance_of(arg.value) in ROUTERS:
                    router = ref_of(ctx, arg.value)
                target = ref_of(ctx, arg)
            elif isinstance(arg, ast.List):
                target = "<inline>"
            else:
                target = ref_of(ctx, arg)
        self._emit(node, "include", pattern, include=target, namespace=namespace, router=router,
                   text=ctx.text_of(arg) if arg is not None else None)  # fmt: skip

    def _register(self, node: ast.Call, router: ast.expr) -> None:
        ctx = self.ctx
        viewset = argument(node, 1, "viewset")
        self._emit(
            node, "register", literal_str(argument(node, 0, "prefix")),
            view=ref_of(ctx, viewset), text=ctx.text_of(viewset) if viewset else None,
            as_view=True, name=literal_str(argument(node, 2, "basename")),
            router=ref_of(ctx, router),
        )  # fmt: skip

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        """``urlpatterns += router.urls``."""
        ctx = self.ctx
        value = node.value
        if (
            isinstance(node.target, ast.Name)
            and node.target.id == "urlpatterns"
            and isinstance(value, ast.Attribute)
            and value.attr == "urls"
            and ctx.instance_of(value.value) in ROUTERS
        ):
            self._emit(node, "include", "", include=ref_of(ctx, value),
                       router=ref_of(ctx, value.value), text=ctx.text_of(value))  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        """``app_name = "blog"`` in a URL conf."""
        if self.ctx.scope.kind != "module":
            return
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "app_name":
                value = literal_str(node.value)
                if value is not None:
                    self._emit(node, "app_name", None, name=value)

    def _urlconf(self) -> str | None:
        """The name the statement around the entry assigns (``urlpatterns = [...]``,
        ``urlpatterns += [...]``, ``api_urls = [...]``)."""
        stmts = self.ctx.stmts
        if not stmts:
            return None
        stmt = stmts[-1]
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target: ast.expr = stmt.targets[0]
        elif isinstance(stmt, ast.AugAssign | ast.AnnAssign):
            target = stmt.target
        else:
            return None
        return target.id if isinstance(target, ast.Name) else None

    def _emit(
        self, node: ast.AST, kind: str, pattern: str | None, *, view: str | None = None,
        text: str | None = None, as_view: bool = False, name: str | None = None,
        include: str | None = None, namespace: str | None = None, router: str | None = None,
        wrappers: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.emit(
            DjangoUrlFact(
                **self.ctx.pos(node), function=self.ctx.function,
                urlconf=self._urlconf() if kind != "app_name" else None,
                kind=kind, pattern=pattern,
                view=view, view_text=text, as_view=as_view, name=name, include=include,
                namespace=namespace, router=router, wrappers=wrappers,
            )
        )  # fmt: skip
