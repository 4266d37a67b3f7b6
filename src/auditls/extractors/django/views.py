"""Views: functions that take the request first (or carry a view decorator) and classes built
on a Django or DRF view base (or on another view class of the file).

For each: the HTTP methods it handles (handler methods, ``require_POST`` and kin, DRF
``@api_view``, the methods of its generic base, ``@action``), its decorators (on a class, what
``@method_decorator(dec, name=...)`` applies, as ``method_decorator(dec)@name``; on a method,
``method_decorator(dec)@method``), CSRF, DRF permission classes, whether its body writes
through the ORM and whether it tests ``request.user`` itself. The bodies are walked after the
module, so calls and tests are gathered per view and the rows emitted at the end of the file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.django.common import (
    argument,
    base_names,
    decorator_name,
    in_if_test,
    literal_str,
    str_items,
)
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoViewFact
from auditls.knowledge.django import (
    API_VIEW,
    AUTH_DECORATORS,
    AUTH_MIXINS,
    CSRF_DECORATORS,
    DRF_ACTIONS,
    DRF_PERMISSION_DECORATOR,
    HANDLER_METHODS,
    METHOD_DECORATOR,
    METHOD_DECORATORS,
    ORM_WRITES,
    PERMISSION_ATTRIBUTES,
    REQUEST_CLASSES,
    REQUEST_PARAMETER_NAMES,
    USER_CHECKS,
    VIEW_BASES,
)
from auditls.knowledge.heuristics import REQUEST_PARAMETER

#: Writes through the ORM that are safe to take on a receiver of any type (``update`` only on
#: a call's result, ``qs.filter(...).update(...)``: a dict has ``update`` too).
_ANY_RECEIVER = ORM_WRITES - {"update", "add", "remove", "clear"}
#: Methods a view may test for (`if request.method == "POST"`).
_UNSAFE_NAMES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Request attributes that only a request with a body fills: reading one handles POST.
_BODY_READS = frozenset({"POST", "FILES"})


@dataclass(slots=True)
class _View:
    node: ast.AST
    qualname: str
    kind: str
    bases: tuple[str, ...] = ()
    methods: list[str] = field(default_factory=list)
    decorators: list[str] = field(default_factory=list)
    request_param: str | None = None
    url_params: tuple[str, ...] = ()
    writes: bool = False
    user_check: bool = False
    csrf: str | None = None
    permissions: list[str] = field(default_factory=list)
    drf: bool = False
    actions: list[str] = field(default_factory=list)
    lookups: dict[str, str] = field(default_factory=dict)  # lookup_field, lookup_url_kwarg...


def _handles_requests(node: ast.ClassDef) -> bool:
    """A class (on a base of another file) whose body defines an HTTP handler taking the
    request after ``self``: ``def post(self, request, pk)``."""
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in (
            "get", "post", "put", "patch", "delete",
        ):  # fmt: skip
            params = [a.arg for a in item.args.args]
            if len(params) > 1 and REQUEST_PARAMETER(params[1]):
                return True
    return False


#: DRF viewset attributes naming the routers' detail kwarg and what it matches.
_LOOKUPS = frozenset({"lookup_field", "lookup_url_kwarg", "lookup_value_regex"})


def _lookup(found: dict[str, str]) -> str | None:
    """``name`` or ``name:regex`` of a viewset's detail kwarg, when it sets one."""
    if not found:
        return None
    name = found.get("lookup_url_kwarg") or found.get("lookup_field") or "pk"
    regex = found.get("lookup_value_regex")
    return f"{name}:{regex}" if regex else name


def _methods_of(node: ast.expr | None) -> list[str]:
    return [m.upper() for m in str_items(node)]


@register
class ViewsExtractor(Extractor):
    """python_django_views."""

    name = "django.views"
    fact_types = (DjangoViewFact,)
    qualnames = (VIEW_BASES, AUTH_MIXINS, AUTH_DECORATORS, CSRF_DECORATORS, METHOD_DECORATORS,
                 REQUEST_CLASSES, (METHOD_DECORATOR,), DRF_ACTIONS)  # fmt: skip
    names = (REQUEST_PARAMETER_NAMES,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.views: dict[str, _View] = {}
        # A function taking `request` is a view candidate only in a file that uses Django or
        # DRF (what the pre-filter decides too: it must change nothing).
        self.active = not ctx.file_scan().seen.isdisjoint({"django", "rest_framework"})

    # -- definitions ---------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        scope = ctx.scope
        if scope.kind == "class":
            view = self.views.get(scope.qualname)
            if view is not None:
                self._method(view, node)
            return
        if scope.kind != "module" or not self.active:
            return
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        decorators = [d for d in (decorator_name(ctx, dec) for dec in node.decorator_list) if d]
        known = any(d in METHOD_DECORATORS or d in AUTH_DECORATORS or d in CSRF_DECORATORS
                    for d in decorators)  # fmt: skip
        first = (node.args.posonlyargs + node.args.args)[:1]
        annotated = bool(first) and ctx.qualname(first[0].annotation) in REQUEST_CLASSES
        if not params or not (known or annotated or REQUEST_PARAMETER(params[0])):
            return
        view = _View(node, ctx.def_qualname(node), "function", request_param=params[0],
                     url_params=tuple(params[1:]))  # fmt: skip
        for dec in node.decorator_list:
            self._decorator(view, dec, None)
        if not view.methods:
            view.methods.append("*")
        self.views[view.qualname] = view

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        bases = base_names(ctx, node)
        if not any(b in VIEW_BASES or b in AUTH_MIXINS or b in self.views for b in bases) and not (
            self.active and bases and _handles_requests(node)
        ):
            return
        view = _View(node, ctx.def_qualname(node), "class", bases=bases)
        for base in bases:
            inherited = self.views.get(base)
            if inherited is not None:
                view.methods.extend(inherited.methods)
                view.decorators.extend(inherited.decorators)
                view.permissions.extend(inherited.permissions)
                view.csrf = view.csrf or inherited.csrf
                view.drf = view.drf or inherited.drf
            view.methods.extend(VIEW_BASES.get(base, ()))
            if base.startswith("rest_framework."):
                view.drf = True
        for dec in node.decorator_list:
            self._decorator(view, dec, None)
        self.views[view.qualname] = view

    def _method(self, view: _View, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        method = HANDLER_METHODS.get(node.name)
        if method is not None:
            view.methods.append(method)
        if node.name == "get_permissions" and not view.permissions:
            view.permissions.append("get_permissions()")  # chosen per action at run time
        for dec in node.decorator_list:
            name = decorator_name(ctx, dec)
            if name in DRF_ACTIONS and isinstance(dec, ast.Call):
                methods = _methods_of(argument(dec, None, "methods")) or ["GET"]
                view.actions.append(f"{node.name}:{','.join(methods)}")
                view.methods.extend(methods)
            else:
                self._decorator(view, dec, node.name)

    def _decorator(self, view: _View, dec: ast.expr, method: str | None) -> None:
        ctx = self.ctx
        name = decorator_name(ctx, dec)
        if name is None:
            return
        if name == METHOD_DECORATOR and isinstance(dec, ast.Call) and dec.args:
            inner = dec.args[0]
            targets = list(inner.elts if isinstance(inner, ast.List | ast.Tuple)
                                   else [inner])  # fmt: skip
            where = method or (str_items(argument(dec, None, "name")) or ("dispatch",))[0]
            for target in targets:
                resolved = decorator_name(ctx, target)
                if resolved is None:
                    continue
                view.decorators.append(f"method_decorator({resolved})@{where}")
                if resolved in CSRF_DECORATORS and where in ("dispatch", "post"):
                    view.csrf = CSRF_DECORATORS[resolved]
            return
        view.decorators.append(name if method is None else f"{name}@{method}")
        if name in CSRF_DECORATORS and method in (None, "dispatch"):
            view.csrf = CSRF_DECORATORS[name]
        if method is None and name in METHOD_DECORATORS:
            fixed = METHOD_DECORATORS[name]
            if fixed is not None:
                view.methods.extend(fixed)
            elif isinstance(dec, ast.Call):
                view.methods.extend(
                    _methods_of(argument(dec, 0, "http_method_names"))
                    or (["GET"] if name == API_VIEW else ["*"])
                )
            else:
                view.methods.append("GET")  # a bare @api_view
            view.drf = view.drf or name == API_VIEW
        if name == DRF_PERMISSION_DECORATOR and isinstance(dec, ast.Call) and dec.args:
            self._permissions(view, dec.args[0])

    def _permissions(self, view: _View, value: ast.expr) -> None:
        ctx = self.ctx
        elts = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        view.permissions[:] = [ctx.qualname(e) or ctx.text_of(e) for e in elts]
        if not elts:
            view.permissions[:] = ["<none>"]

    def visit_Assign(self, node: ast.Assign) -> None:
        """Class attributes: ``permission_classes``, ``http_method_names``."""
        scope = self.ctx.scope
        if scope.kind != "class":
            return
        view = self.views.get(scope.qualname)
        if view is None:
            return
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id in PERMISSION_ATTRIBUTES:
                self._permissions(view, node.value)
            elif target.id == "http_method_names":
                view.methods[:] = [m for m in _methods_of(node.value) if m != "TRACE"]
            elif target.id in _LOOKUPS:
                value = literal_str(node.value)
                if value is not None:
                    view.lookups[target.id] = value

    # -- bodies ----------------------------------------------------------------------------------

    def _current(self) -> _View | None:
        function = self.ctx.function
        view = self.views.get(function)
        if view is None:
            view = self.views.get(function.rpartition(".")[0])
        return view

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            attr = func.attr
            if not (
                attr in _ANY_RECEIVER or (attr in ORM_WRITES and isinstance(func.value, ast.Call))
            ):
                return
        else:
            return
        view = self._current()
        if view is not None:
            view.writes = True

    def visit_Constant(self, node: ast.Constant) -> None:
        """``if request.method == "POST":`` in a view: it handles POST."""
        value = node.value
        if value.__class__ is str and value in _UNSAFE_NAMES and in_if_test(self.ctx, node):
            view = self._current()
            if view is not None and view.kind == "function":
                view.methods.append(value)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _BODY_READS:
            owner = node.value
            view = self._current()
            if (
                view is not None
                and view.kind == "function"
                and isinstance(owner, ast.Name)
                and owner.id == view.request_param
            ):
                view.methods.append("POST")
            return
        if node.attr not in USER_CHECKS:
            return
        owner = node.value
        if not (isinstance(owner, ast.Attribute) and owner.attr == "user"):
            return
        view = self._current()
        if view is not None and in_if_test(self.ctx, node):
            view.user_check = True

    def finish(self) -> None:
        for view in self.views.values():
            self.emit(
                DjangoViewFact(
                    **self.ctx.pos(view.node), qualname=view.qualname, kind=view.kind,
                    bases=view.bases, methods=tuple(dict.fromkeys(view.methods)),
                    decorators=tuple(dict.fromkeys(view.decorators)),
                    request_param=view.request_param, url_params=view.url_params,
                    writes=view.writes, user_check=view.user_check, csrf=view.csrf,
                    permission_classes=tuple(view.permissions), drf=view.drf,
                    actions=tuple(view.actions), lookup=_lookup(view.lookups),
                )
            )  # fmt: skip
