"""Path operations: ``@app.get("/items/{item_id}")``, ``@router.post(...)``, ``api_route``,
``websocket`` and ``app.add_api_route(path, endpoint)``.

FastAPI fills each parameter of an operation from the request unless it is a dependency
(``Depends``/``Security``, as a default or in ``Annotated``), the request object itself, or
a value the framework provides (``BackgroundTasks``, ``Response``). A parameter typed ``int``,
``UUID``, a date or a ``Literal`` is parsed (or refused with 422) before the function runs: it
is recorded as safe. Everything else (``str``, a Pydantic model, no annotation) carries request
data.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Container
from dataclasses import dataclass, field

from auditls.extractors.annotations import unwrap_annotation
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.fastapi import (
    FastAPIAliasFact,
    FastAPIDependencyFact,
    FastAPIOperationFact,
    FastAPIRouterFact,
    PydanticFieldFact,
)
from auditls.knowledge.fastapi import (
    ADD_ROUTE,
    APP_CLASSES,
    DEPENDENCY_MARKERS,
    FIELD_FUNCTIONS,
    HTTP_EXCEPTIONS,
    INCLUDE_ROUTER,
    MODEL_BASES,
    OPERATION_DECORATORS,
    PARAMETER_MARKERS,
    REQUEST_TYPES,
    SAFE_TYPES,
    SECURITY_SCHEMES,
    SERVER_TYPES,
)
from auditls.knowledge.typeinfo import TYPE_ALIAS_MARKS

_CONTAINERS = frozenset({
    "builtins.list", "builtins.set", "builtins.tuple", "builtins.frozenset", "typing.List",
    "typing.Set", "typing.Tuple", "typing.Sequence",
})  # fmt: skip
#: An anchored pattern over word characters only (``^[a-z0-9_-]+$``): a value FastAPI checked
#: against it holds no quote, slash, dot, space or shell character.
_WORD_PATTERN = re.compile(r"\^(?:\[(?:[A-Za-z0-9_-]|\\[dw])+\]|\\[dw]|[A-Za-z0-9_])"
                           r"(?:[+*?]|\{\d+(?:,\d*)?\})?"
                           r"(?:(?:\[(?:[A-Za-z0-9_-]|\\[dw])+\]|\\[dw]|[A-Za-z0-9_])"
                           r"(?:[+*?]|\{\d+(?:,\d*)?\})?)*\$")  # fmt: skip


@dataclass(slots=True)
class _Params:
    """How an endpoint's parameters are filled."""

    request: list[str] = field(default_factory=list)
    safe: list[str] = field(default_factory=list)
    request_object: str | None = None
    dependencies: list[str] = field(default_factory=list)
    #: ``name=type`` of the request parameters annotated with a class (an ``Enum`` of the
    #: workspace is parsed into one of its members: the model decides).
    types: list[str] = field(default_factory=list)


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


@register
class OperationsExtractor(Extractor):
    """python_fastapi_operations, python_fastapi_routers, python_fastapi_dependencies."""

    name = "fastapi.operations"
    fact_types = (FastAPIOperationFact, FastAPIRouterFact, FastAPIDependencyFact,
                  PydanticFieldFact, FastAPIAliasFact)  # fmt: skip
    qualnames = (OPERATION_DECORATORS, ADD_ROUTE, APP_CLASSES, SECURITY_SCHEMES, INCLUDE_ROUTER,
                 DEPENDENCY_MARKERS, HTTP_EXCEPTIONS, MODEL_BASES)  # fmt: skip
    instances_of = (APP_CLASSES,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        #: Functions of this file, by qualified name: how their parameters are filled.
        self.params: dict[str, _Params] = {}
        #: ``add_api_route`` calls: (function, endpoint, owner, method, path, line node).
        self.added: list[tuple[str, str, str | None, str, str | None, ast.Call]] = []
        #: Functions that raise HTTPException(401/403) themselves.
        self.denies: set[str] = set()
        #: Module-level functions, where they are (for their dependency rows).
        self.defs: dict[str, ast.AST] = {}
        #: Pydantic models of this file (a class on one of them is one too).
        self.models: set[str] = set()

    # -- types ---------------------------------------------------------------------------------

    def _safe(self, node: ast.expr) -> bool:
        ctx = self.ctx
        if isinstance(node, ast.Name):
            node = ctx.type_alias(node) or node  # `Order = Literal["asc", "desc"]`
        if isinstance(node, ast.Subscript):
            base = ctx.qualname(node.value)
            if base in ("typing.Literal", "typing_extensions.Literal"):
                return True
            if base in _CONTAINERS:
                items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                return all(
                    self._safe(i) for i in items if not isinstance(i, ast.Constant)
                ) and bool(items)
            return False
        if isinstance(node, ast.Call):
            return ctx.qualname(node.func) in SAFE_TYPES  # conint(gt=0)
        return ctx.qualname(node) in SAFE_TYPES

    def _classify(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> _Params:
        out = _Params()
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        pairs = [
            *zip(positional, defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]
        for arg, default in pairs:
            if arg.arg in ("self", "cls"):
                continue
            role, name, annotation = self._fill(arg.annotation, default)
            if role == "dependency":
                if name is not None:
                    out.dependencies.append(name)
            elif role == "request_object":
                out.request_object = out.request_object or arg.arg
            elif role == "safe":
                out.safe.append(arg.arg)
            elif role == "request":
                out.request.append(arg.arg)
                if annotation is not None and not annotation.startswith("builtins."):
                    out.types.append(f"{arg.arg}={annotation}")
        return out

    def _fill(
        self, annotation: ast.expr | None, default: ast.expr | None
    ) -> tuple[str, str | None, str | None]:
        """How FastAPI fills a parameter of this annotation and default: the role
        (dependency, request_object, server, safe, request), the dependency's callable, and
        the class the annotation names."""
        ctx = self.ctx
        metadata: list[ast.expr] = []
        kind = unwrap_annotation(self.ctx, annotation, metadata)
        markers = [m for m in (default, *metadata) if isinstance(m, ast.Call)]
        dependency = next((m for m in markers if ctx.qualname(m.func) in DEPENDENCY_MARKERS), None)
        cls = ctx.qualname(kind) if kind is not None else None
        if dependency is not None:
            target = dependency.args[0] if dependency.args else _keyword(dependency, "dependency")
            name = self._owner(target) if target is not None else None
            # `x: Dep = Depends()` depends on the class
            return "dependency", name if name is not None else cls, cls
        if any(self._checked(m) for m in markers):
            return "safe", None, cls  # `Query(pattern="^[a-z]+$")`
        if cls in REQUEST_TYPES:
            return "request_object", None, cls
        if cls in SERVER_TYPES:
            return "server", None, cls
        if kind is not None and self._safe(kind):
            return "safe", None, cls
        return "request", None, cls

    def _checked(self, marker: ast.Call, functions: Container[str] = PARAMETER_MARKERS) -> bool:
        """A ``Query``/``Path``/... (or a model's ``Field``) whose ``pattern`` (or ``regex``)
        admits word characters only."""
        if self.ctx.qualname(marker.func) not in functions:
            return False
        pattern = _literal(_keyword(marker, "pattern") or _keyword(marker, "regex"))
        return pattern is not None and _WORD_PATTERN.fullmatch(pattern) is not None

    # -- definitions ---------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        if ctx.scope.kind == "class":
            return
        qualname = ctx.def_qualname(node)
        params: _Params | None = None
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call) or not isinstance(dec.func, ast.Attribute):
                continue
            method = OPERATION_DECORATORS.get(ctx.qualname(dec.func) or "")
            if method is None:
                continue
            if params is None:
                params = self._classify(node)
            path = _literal(dec.args[0] if dec.args else _keyword(dec, "path"))
            owner = self._owner(dec.func.value)
            for verb in self._methods(dec, method):
                self._emit(ctx.scope.qualname, dec, qualname, owner, verb, path, params,
                           self._deps(dec))  # fmt: skip
        if ctx.scope.kind == "module":
            self.params[qualname] = params if params is not None else self._classify(node)
            self.defs[qualname] = node

    def _owner(self, node: ast.expr) -> str | None:
        """The app or router an operation is declared on: ``<module>.app`` for a module's
        own instance (the semantic model knows its class, not its name)."""
        name = self.ctx.qualname(node)
        if name is None and isinstance(node, ast.Name):
            lookup = self.ctx.lookup(node.id)
            if lookup is not None and lookup[1].kind == "module":
                return f"{self.ctx.module}.{node.id}"
        return name

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        value = node.value
        if len(node.targets) != 1:
            return
        if isinstance(value, ast.Subscript | ast.BinOp):
            self._alias(node, node.targets[0], value)
            return
        if not isinstance(value, ast.Call):
            return
        target = node.targets[0]
        callee = ctx.qualname(value.func) or ""
        if callee not in APP_CLASSES and callee not in SECURITY_SCHEMES:
            return
        if isinstance(target, ast.Name) and ctx.scope.kind == "module":
            name = f"{ctx.module}.{target.id}"
        else:
            name = ctx.qualname(target) or ctx.text_of(target)
        if callee in SECURITY_SCHEMES:
            auto = _keyword(value, "auto_error")
            self.emit(
                FastAPIDependencyFact(
                    **ctx.pos(node), qualname=name, kind="scheme", scheme=callee,
                    optional=isinstance(auto, ast.Constant) and auto.value is False,
                    dependencies=(), denies=False,
                )
            )  # fmt: skip
            return
        self.emit(
            FastAPIRouterFact(
                **ctx.pos(node),
                function=ctx.scope.qualname,
                kind="router" if callee.endswith("APIRouter") else "app",
                name=name,
                target=None,
                prefix=_literal(_keyword(value, "prefix")),
                dependencies=tuple(self._deps(value)),
            )
        )

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        annotation = node.annotation
        if node.value is not None and self.ctx.qualname(annotation) in TYPE_ALIAS_MARKS:
            self._alias(node, node.target, node.value)  # `DbDep: TypeAlias = Annotated[...]`

    if hasattr(ast, "TypeAlias"):  # Python 3.12+: `type DbDep = Annotated[...]`

        def visit_TypeAlias(self, node: ast.AST) -> None:
            self._alias(node, node.name, node.value)  # type: ignore[attr-defined]

    def _alias(self, node: ast.AST, target: ast.expr, value: ast.expr) -> None:
        """A module-level type alias: how FastAPI fills a parameter annotated with it (its
        users in other modules see only its name)."""
        ctx = self.ctx
        if ctx.scope.kind != "module" or not isinstance(target, ast.Name):
            return
        if isinstance(value, ast.BinOp):
            if not isinstance(value.op, ast.BitOr) or not any(
                isinstance(side, ast.Constant) and side.value is None
                for side in (value.left, value.right)
            ):
                return  # `X = a | b` is not an alias unless one side is None
        elif isinstance(value, ast.Subscript):
            base = ctx.qualname(value.value) or ""
            if not base.startswith(("typing.", "typing_extensions.")):
                return  # `x = data["key"]`
        role, dependency, cls = self._fill(value, None)
        self.emit(
            FastAPIAliasFact(
                **ctx.pos(node), qualname=f"{ctx.module}.{target.id}", role=role,
                dependency=dependency, annotation=cls,
            )
        )  # fmt: skip

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        """A Pydantic model's fields: each annotated attribute of its body, and whether the
        type (or a ``Field(pattern=...)``) makes the parsed value harmless."""
        ctx = self.ctx
        qualname = ctx.def_qualname(node)
        bases = [ctx.qualname(b) for b in node.bases]
        if not any(b in MODEL_BASES or b in self.models for b in bases if b):
            return
        self.models.add(qualname)
        for item in node.body:
            if not isinstance(item, ast.AnnAssign) or not isinstance(item.target, ast.Name):
                continue
            metadata: list[ast.expr] = []
            kind = unwrap_annotation(self.ctx, item.annotation, metadata)
            value = item.value
            checked = [m for m in (value, *metadata) if isinstance(m, ast.Call)]
            safe = (kind is not None and self._safe(kind)) or any(
                self._checked(m, FIELD_FUNCTIONS) for m in checked
            )
            self.emit(
                PydanticFieldFact(
                    **ctx.pos(item),
                    model=qualname,
                    name=item.target.id,
                    annotation=ctx.qualname(kind) if kind is not None else None,
                    safe=safe,
                )
            )

    def visit_Raise(self, node: ast.Raise) -> None:
        ctx = self.ctx
        exc = node.exc
        if ctx.scope.kind != "function" or not isinstance(exc, ast.Call):
            return
        if ctx.qualname(exc.func) not in HTTP_EXCEPTIONS:
            return
        status = exc.args[0] if exc.args else _keyword(exc, "status_code")
        if status is None:
            return
        text = ctx.text_of(status)
        if any(code in text for code in ("401", "403")) or text.endswith(
            ("UNAUTHORIZED", "FORBIDDEN")
        ):
            self.denies.add(ctx.scope.qualname)

    def _methods(self, call: ast.Call, method: str) -> list[str]:
        if method != "*":
            return [method]
        listed = _keyword(call, "methods")
        if isinstance(listed, ast.List | ast.Tuple | ast.Set):
            found = [m.upper() for m in (_literal(e) for e in listed.elts) if m]
            if found:
                return sorted(set(found))
        return ["GET"] if listed is None else ["*"]  # api_route's default is GET

    def _deps(self, call: ast.Call) -> list[str]:
        listed = _keyword(call, "dependencies")
        out: list[str] = []
        if isinstance(listed, ast.List | ast.Tuple):
            for item in listed.elts:
                if (
                    isinstance(item, ast.Call)
                    and self.ctx.qualname(item.func) in DEPENDENCY_MARKERS
                ):
                    target = item.args[0] if item.args else _keyword(item, "dependency")
                    name = self._owner(target) if target is not None else None
                    if name is not None:
                        out.append(name)
        return out

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func) or ""
        if callee in INCLUDE_ROUTER and isinstance(node.func, ast.Attribute):
            target = node.args[0] if node.args else _keyword(node, "router")
            self.emit(
                FastAPIRouterFact(
                    **ctx.pos(node),
                    function=ctx.scope.qualname,
                    kind="include",
                    name=self._owner(node.func.value) or ctx.text_of(node.func.value),
                    target=self._owner(target) if target is not None else None,
                    prefix=_literal(_keyword(node, "prefix")),
                    dependencies=tuple(self._deps(node)),
                )
            )
            return
        method = ADD_ROUTE.get(callee)
        if method is None or not isinstance(node.func, ast.Attribute):
            return
        endpoint_node = node.args[1] if len(node.args) > 1 else _keyword(node, "endpoint")
        endpoint = ctx.qualname(endpoint_node) if endpoint_node is not None else None
        if endpoint is None:
            return
        path = _literal(node.args[0] if node.args else _keyword(node, "path"))
        owner = self._owner(node.func.value)
        self.added.append((ctx.scope.qualname, endpoint, owner, method, path, node))

    def finish(self) -> None:
        for qualname, node in self.defs.items():
            deps = self.params[qualname].dependencies
            denies = qualname in self.denies
            if deps or denies:
                self.emit(
                    FastAPIDependencyFact(
                        **self.ctx.pos(node), qualname=qualname, kind="function", scheme=None,
                        optional=False, dependencies=tuple(deps), denies=denies,
                    )
                )  # fmt: skip
        for function, endpoint, owner, method, path, node in self.added:
            params = self.params.get(endpoint, _Params())
            for verb in self._methods(node, method):
                self._emit(function, node, endpoint, owner, verb, path, params, self._deps(node))

    def _emit(
        self,
        function: str,
        node: ast.expr,
        endpoint: str,
        owner: str | None,
        method: str,
        path: str | None,
        params: _Params,
        extra: list[str],
    ) -> None:
        ctx = self.ctx
        self.emit(
            FastAPIOperationFact(
                **ctx.pos(node),
                function=function,
                endpoint=endpoint,
                owner=owner,
                method=method,
                path=path,
                request_params=tuple(params.request),
                safe_params=tuple(params.safe),
                request_object=params.request_object,
                dependencies=(*params.dependencies, *extra),
                param_types=tuple(params.types),
            )
        )
