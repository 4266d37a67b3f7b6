"""Routes (decorators and ``add_url_rule``), calls to helpers that register routes, and
class-based views.

A project may register its views through a helper of its own (FlaskBB's
``register_view(bp_or_app, routes, view_func, **kwargs)`` loops over ``routes`` and calls
``bp_or_app.add_url_rule(route, view_func=view_func, **kwargs)``). One file cannot see both
sides, so each is recorded as it is: the helper's ``add_url_rule`` row says which parameters it
forwards (``FlaskRouteFact.forwards``), and a call that passes a view and literal rules to a
workspace function is a row per rule (api ``call``) with its arguments; the model joins them.
The taint engine reads every route row's view and rule as stored, so a call that passes a rule
and a view to a function that registers nothing (rare) still marks that view.
"""

from __future__ import annotations

import ast
import json

from auditls.extractors.flask.arguments import (
    argument,
    keyword_texts,
    literal,
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
    RULE_START,
    VIEW_CLASSES,
    VIEW_FUNC,
    library_package,
)


@register
class RoutesExtractor(FlaskExtractor):
    """Routes (decorators and add_url_rule) and class-based views (Phase 2 Flask base)."""

    name = "flask.routes"
    names = (ROUTE_VERBS, (ADD_URL_RULE, AS_VIEW, VIEW_FUNC))
    fact_types = (FlaskRouteFact, FlaskViewClassFact)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.view_classes: dict[str, str] = {}  # view classes of this file -> their Flask base
        #: ``(function, name)`` -> ``(class parameter, endpoint parameter or None)`` for a local
        #: ``view_func = view.as_view(endpoint)`` of a helper.
        self.local_views: dict[tuple[str, str], tuple[str, str | None]] = {}

    def visit_Assign(self, node: ast.Assign) -> None:
        """``view_func = view.as_view(endpoint)`` in a helper (Flask's ``register_api``)."""
        value = node.value
        if (
            len(node.targets) != 1
            or not isinstance(node.targets[0], ast.Name)
            or not isinstance(value, ast.Call)
            or not isinstance(value.func, ast.Attribute)
            or value.func.attr != AS_VIEW
        ):
            return
        cls = self._param(value.func.value)
        if cls is not None:
            name = self._param(argument(value, 0, "name"))
            self.local_views[(self.ctx.function, node.targets[0].id)] = (cls, name)

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
                    callee=None,
                    forwards=(),
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

    def _view_of(self, expr: ast.expr) -> tuple[str | None, str, str | None, tuple[str, ...]]:
        """``(view, view kind, endpoint, wrappers)`` of a view argument: a function, a view
        class's ``as_view("name")``, either wrapped in decorator calls (``login_required(f)``,
        ``login_required(View.as_view("v"))``), outermost wrapper first."""
        ctx = self.ctx
        wrappers: list[str] = []
        for _ in range(4):
            if not isinstance(expr, ast.Call):
                break
            inner = expr.func
            if isinstance(inner, ast.Attribute) and inner.attr == AS_VIEW:
                endpoint = literal_str(argument(expr, 0, "name"))
                return ctx.qualname(inner.value), "class", endpoint, tuple(wrappers)
            if not expr.args:
                return None, "unknown", None, tuple(wrappers)
            wrappers.append(ctx.qualname(inner) or ctx.text_of(inner))
            expr = expr.args[0]
        if isinstance(expr, ast.Call):
            return None, "unknown", None, tuple(wrappers)
        view = ctx.qualname(expr)
        if view is not None and view in self.view_classes:
            return view, "class", None, tuple(wrappers)
        return view, "function" if view is not None else "unknown", None, tuple(wrappers)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != ADD_URL_RULE:
            self._helper_call(node)
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            return
        rule = argument(node, 0, "rule")
        endpoint_arg = argument(node, 1, "endpoint")
        endpoint = literal_str(endpoint_arg)
        view_arg = argument(node, 2, "view_func")
        view: str | None = None
        view_kind = "unknown"
        wrappers: tuple[str, ...] = ()
        if view_arg is not None:
            view, view_kind, named, wrappers = self._view_of(view_arg)
            endpoint = endpoint or named
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
                callee=None,
                forwards=self._forwards(node, rule, endpoint_arg, view_arg, given),
            )
        )

    # -- helpers that register routes --------------------------------------------------------

    def _param(self, expr: ast.AST | None) -> str | None:
        """The name of a parameter of the function being walked that ``expr`` names."""
        if not isinstance(expr, ast.Name):
            return None
        found = self.ctx.lookup(expr.id)
        if found is None or found[0].kind != "param" or found[1].qualname != self.ctx.function:
            return None
        return expr.id

    def _loop_param(self, expr: ast.AST | None) -> str | None:
        """The parameter a loop variable walks: ``for route in routes`` gives ``routes``."""
        if not isinstance(expr, ast.Name):
            return None
        for stmt in reversed(self.ctx.stmts):
            if (
                isinstance(stmt, ast.For | ast.AsyncFor)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == expr.id
            ):
                return self._param(stmt.iter)
        return None

    def _forwards(
        self, node: ast.Call, rule: ast.expr | None, endpoint: ast.expr | None,
        view: ast.expr | None, methods: ast.expr | None,
    ) -> tuple[str, ...]:  # fmt: skip
        """What an ``add_url_rule`` call takes from the parameters of the function it is made
        in (see ``FORWARDS``); empty at module level or when it takes nothing."""
        ctx = self.ctx
        if ctx.function == ctx.module:
            return ()
        out: list[str] = []
        if (p := self._param(rule)) is not None:
            out.append(f"rule={p}")
        elif (p := self._loop_param(rule)) is not None:
            out.append(f"rule[]={p}")
        if (p := self._param(endpoint)) is not None:
            out.append(f"endpoint={p}")
        if (p := self._param(view)) is not None:
            out.append(f"view_func={p}")
        elif isinstance(view, ast.Name) and (ctx.function, view.id) in self.local_views:
            cls, name = self.local_views[(ctx.function, view.id)]
            out.append(f"view_class={cls}")
            if name is not None:
                out.append(f"endpoint={name}")
        elif (
            isinstance(view, ast.Call)
            and isinstance(view.func, ast.Attribute)
            and view.func.attr == AS_VIEW
            and (p := self._param(view.func.value)) is not None
        ):
            out.append(f"view_class={p}")
            if (name := self._param(argument(view, 0, "name"))) is not None:
                out.append(f"endpoint={name}")
        if (p := self._param(methods)) is not None:
            out.append(f"methods={p}")
        for kw in node.keywords:
            if kw.arg is None and (p := self._param(kw.value)) is not None:
                out.append(f"**={p}")
        return tuple(out)

    def _helper_callee(self, node: ast.Call) -> str | None:
        """The workspace function a call names (a function of this file or an imported one, or
        a function of an imported module); None for a method or a library call."""
        ctx = self.ctx
        func = node.func
        if isinstance(func, ast.Name):
            found = ctx.lookup(func.id)
            if found is None or found[0].kind not in ("def", "import"):
                return None
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found = ctx.lookup(func.value.id)
            if found is None or found[0].kind != "import":
                return None
        else:
            return None
        callee = ctx.qualname(func)
        if callee is None:
            return None
        top = callee.partition(".")[0]
        if library_package(top):
            return None
        return callee

    def _argument_entry(self, slot: str, expr: ast.expr) -> dict[str, object]:
        """One argument of a helper call, as ``FlaskRouteFact.forwards`` records it."""
        ctx = self.ctx
        entry: dict[str, object] = {"slot": slot}
        if isinstance(expr, ast.Name | ast.Attribute):
            ref, type_ = ref_of(ctx, expr)
            if ref is not None:
                entry["ref"] = ref
            if type_ is not None:
                entry["type"] = type_
        value = literal(expr)
        if isinstance(value, str):
            entry["str"] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            entry["strs"] = value
        if isinstance(expr, ast.Call):
            view, kind, endpoint, wrappers = self._view_of(expr)
            if view is not None:
                entry.update(view=view, kind=kind)
                if endpoint is not None:
                    entry["endpoint"] = endpoint
                if wrappers:
                    entry["wrappers"] = list(wrappers)
        return entry

    def _helper_call(self, node: ast.Call) -> None:
        """A call to a workspace function that passes literal URL rules and a view (by
        ``view_func=``, as an ``as_view()``, a view class of this file, or a function of a
        file that imports flask): a route row per rule, which the model keeps when the
        function forwards them to ``add_url_rule``."""
        for a in node.args:
            if _may_be_rules(a):
                break
        else:
            for k in node.keywords:
                if _may_be_rules(k.value):
                    break
            else:
                return  # most calls: no literal rule among the arguments
        args: list[tuple[str, ast.expr]] = [
            (f"#{i}", a) for i, a in enumerate(node.args) if not isinstance(a, ast.Starred)
        ]
        if any(isinstance(a, ast.Starred) for a in node.args):
            args = args[: next(i for i, a in enumerate(node.args) if isinstance(a, ast.Starred))]
        args += [(kw.arg, kw.value) for kw in node.keywords if kw.arg is not None]
        rules = [
            (expr, rule)
            for _slot, expr in args
            for rule in literal_strs(expr) or ()
            if rule.startswith(RULE_START)
        ]
        if not rules:
            return
        view = self._helper_view(args)
        if view is None:
            return
        callee = self._helper_callee(node)
        if callee is None:
            return
        ctx = self.ctx
        view_name, view_kind, endpoint, wrappers = view
        keywords = {slot: expr for slot, expr in args if not slot.startswith("#")}
        endpoint = literal_str(keywords.get("endpoint")) or endpoint
        given = keywords.get("methods")
        values = literal_strs(given) if given is not None else None
        if values is not None:
            methods, methods_from = tuple(v.upper() for v in values), "literal"
        elif view_kind == "class":
            methods, methods_from = (), "view_class"
        else:
            methods, methods_from = ("GET",), "default"
        forwards = tuple(
            json.dumps(self._argument_entry(slot, expr), separators=(",", ":"))
            for slot, expr in args
        )
        for _expr, rule in rules:
            self.emit(
                FlaskRouteFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    owner=None,
                    owner_type=None,
                    api="call",
                    rule=rule,
                    rule_text=json.dumps(rule),
                    methods=methods,
                    methods_from=methods_from,
                    endpoint=endpoint,
                    view=view_name,
                    view_kind=view_kind,
                    decorators=wrappers,
                    position=-1,
                    is_async=False,
                    options=keyword_texts(ctx, node),
                    callee=callee,
                    forwards=forwards,
                )
            )

    def _helper_view(
        self, args: list[tuple[str, ast.expr]]
    ) -> tuple[str | None, str, str | None, tuple[str, ...]] | None:
        """The view a helper call passes (see ``_helper_call``), or None when it passes none."""
        for slot, expr in args:
            if slot == VIEW_FUNC:
                return self._view_of(expr)
        for _slot, expr in args:
            if isinstance(expr, ast.Call):
                found = self._view_of(expr)
                if found[1] == "class":
                    return found
        imports_flask = "flask" in self.ctx.file_scan().imports
        for _slot, expr in args:
            name = expr.value if isinstance(expr, ast.Attribute) else expr
            if not isinstance(name, ast.Name):
                continue
            found = self._view_of(expr)
            if found[0] in self.view_classes:
                return found
            binding = self.ctx.lookup(name.id)
            kind = binding[0].kind if binding is not None else None
            if (
                imports_flask
                and found[0] is not None
                and (kind == "def" or (kind == "import" and name is not expr))
            ):  # a function of this file, or of an imported module (`pages.index`)
                return found
        return None

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


def _may_be_rules(expr: ast.expr) -> bool:
    """A literal URL rule, or a list or tuple whose first item is one (a cheap test first)."""
    if isinstance(expr, ast.List | ast.Tuple):
        if not expr.elts:
            return False
        expr = expr.elts[0]
    return (
        isinstance(expr, ast.Constant)
        and isinstance(expr.value, str)
        and expr.value.startswith(RULE_START)
    )
