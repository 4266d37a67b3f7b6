"""Core facts every later extractor and rule builds on: imports, functions, classes, calls,
assignments, returns, decorators and context managers (INVENTORY.md, Phase 2 "other")."""

from __future__ import annotations

import ast

from auditls.extractors.literals import literal_json, value_kind
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts import builder
from auditls.facts.core import (
    AssignmentFact,
    CallArgFact,
    CallFact,
    ClassFact,
    ContextManagerFact,
    DecoratorFact,
    FunctionFact,
    ImportFact,
    ParamFact,
    ReturnFact,
)

# The commonest facts of a file, made by ``facts.builder`` (a third of the class call's time).
_import = builder(ImportFact)
_param = builder(ParamFact)
_function = builder(FunctionFact)
_call = builder(CallFact)
_call_arg = builder(CallArgFact)
_assignment = builder(AssignmentFact)
_return = builder(ReturnFact)


@register
class ImportsExtractor(Extractor):
    """extract_imports: one row per bound name (`import a, b` gives two)."""

    name = "core.imports"
    fact_types = (ImportFact,)

    def visit_Import(self, node: ast.Import) -> None:
        ctx = self.ctx
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            self.emit(
                _import(
                    ctx.span(alias),
                    function=ctx.function,
                    module=alias.name,
                    name=None,
                    asname=alias.asname,
                    bound=bound,
                    level=0,
                    target=alias.name,
                    is_star=False,
                )
            )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        ctx = self.ctx
        base = ctx.resolve_relative(node.module, node.level)
        for alias in node.names:
            star = alias.name == "*"
            target = base if star else (f"{base}.{alias.name}" if base else alias.name)
            self.emit(
                _import(
                    ctx.span(alias),
                    function=ctx.function,
                    module=node.module or "",
                    name=alias.name,
                    asname=alias.asname,
                    bound="*" if star else (alias.asname or alias.name),
                    level=node.level,
                    target=target,
                    is_star=star,
                )
            )


def _decorator_names(ext: Extractor, decorators: list[ast.expr]) -> tuple[str, ...]:
    ctx = ext.ctx
    out = []
    for d in decorators:
        func = d.func if isinstance(d, ast.Call) else d
        out.append(ctx.qualname(func) or ctx.text_of(func))
    return tuple(out)


_PARAM_KINDS = ("posonly", "arg", "vararg", "kwonly", "kwarg")


@register
class FunctionsExtractor(Extractor):
    """extract_functions: functions, methods, lambdas and their parameters."""

    name = "core.functions"
    fact_types = (FunctionFact, ParamFact)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.generators: set[str] = set()
        self.pending: dict[int, tuple[str, str | None]] = {}

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._define(node)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        ctx = self.ctx
        qualname = ctx.def_qualname(node)
        self.pending[id(node)] = (qualname, ctx.class_name)
        args = node.args
        groups: list[tuple[str, list[ast.arg]]] = [
            ("posonly", args.posonlyargs),
            ("arg", args.args),
            ("vararg", [args.vararg] if args.vararg else []),
            ("kwonly", args.kwonlyargs),
            ("kwarg", [args.kwarg] if args.kwarg else []),
        ]
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[int, ast.expr] = {}
        offset = len(positional) - len(args.defaults)
        for i, d in enumerate(args.defaults):
            defaults[id(positional[offset + i])] = d
        for a, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if kw_default is not None:
                defaults[id(a)] = kw_default
        position = 0
        for kind, params in groups:
            for a in params:
                default = defaults.get(id(a))
                self.emit(
                    _param(
                        ctx.span(a),
                        function=qualname,
                        position=position,
                        name=a.arg,
                        kind=kind,
                        annotation=ctx.text_of(a.annotation) if a.annotation else None,
                        annotation_qualname=ctx.qualname(a.annotation) if a.annotation else None,
                        default=ctx.text_of(default) if default is not None else None,
                        default_kind=value_kind(default) if default is not None else None,
                        default_value=literal_json(default),
                    )
                )
                position += 1

    def visit_Yield(self, node: ast.Yield) -> None:
        self.generators.add(self.ctx.function)

    def visit_YieldFrom(self, node: ast.YieldFrom) -> None:
        self.generators.add(self.ctx.function)

    def leave_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._finish(node)

    def leave_Lambda(self, node: ast.Lambda) -> None:
        self._finish(node)

    def _finish(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        ctx = self.ctx
        qualname, class_name = self.pending.pop(id(node))
        is_lambda = isinstance(node, ast.Lambda)
        returns = None if isinstance(node, ast.Lambda) else node.returns
        self.emit(
            _function(
                ctx.span(node),
                qualname=qualname,
                name="<lambda>" if isinstance(node, ast.Lambda) else node.name,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                is_lambda=is_lambda,
                class_name=class_name,
                decorators=()
                if isinstance(node, ast.Lambda)
                else _decorator_names(self, node.decorator_list),
                returns=ctx.text_of(returns) if returns is not None else None,
                is_generator=qualname in self.generators,
            )
        )


@register
class ClassesExtractor(Extractor):
    """extract_classes: classes with resolved bases, decorators and metaclass."""

    name = "core.classes"
    fact_types = (ClassFact,)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        metaclass = next((k.value for k in node.keywords if k.arg == "metaclass"), None)
        self.emit(
            ClassFact(
                **ctx.pos(node),
                qualname=ctx.def_qualname(node),
                name=node.name,
                bases=tuple(ctx.qualname(b) or ctx.text_of(b) for b in node.bases),
                decorators=_decorator_names(self, node.decorator_list),
                metaclass=(ctx.qualname(metaclass) or ctx.text_of(metaclass))
                if metaclass is not None
                else None,
            )
        )


@register
class DecoratorsExtractor(Extractor):
    """extract_decorators (python_decorators): one row per decorator, outermost first."""

    name = "core.decorators"
    fact_types = (DecoratorFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._emit(node, "function")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._emit(node, "class")

    def _emit(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, kind: str) -> None:
        ctx = self.ctx
        target = ctx.def_qualname(node)
        for position, d in enumerate(node.decorator_list):
            is_call = isinstance(d, ast.Call)
            func = d.func if isinstance(d, ast.Call) else d
            args: tuple[str, ...] = ()
            if isinstance(d, ast.Call):
                args = tuple(ctx.text_of(a) for a in d.args) + tuple(
                    f"{k.arg}={ctx.text_of(k.value)}" if k.arg else f"**{ctx.text_of(k.value)}"
                    for k in d.keywords
                )
            self.emit(
                DecoratorFact(
                    **ctx.pos(d),
                    target=target,
                    target_kind=kind,
                    position=position,
                    name=ctx.qualname(func),
                    text=ctx.text_of(d),
                    is_call=is_call,
                    args=args,
                )
            )


@register
class CallsExtractor(Extractor):
    """extract_calls: every call with its resolved callee and each argument's kind and value."""

    name = "core.calls"
    fact_types = (CallFact, CallArgFact)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.next_id = 0

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        call_id = self.next_id
        self.next_id += 1
        func = node.func
        self.emit(
            _call(
                ctx.span(node),
                call_id=call_id,
                function=ctx.function,
                callee=ctx.qualname(func),
                callee_text=ctx.text_of(func),
                attr=func.attr if isinstance(func, ast.Attribute) else None,
                n_args=len(node.args),
                stmt_line=ctx.stmt_line,
            )
        )
        for position, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                self._arg(call_id, arg, arg.value, position, "*")
            else:
                self._arg(call_id, arg, arg, position, None)
        for kw in node.keywords:
            self._arg(call_id, kw, kw.value, -1, kw.arg if kw.arg is not None else "**")

    def _arg(
        self, call_id: int, at: ast.AST, value: ast.expr, position: int, keyword: str | None
    ) -> None:
        ctx = self.ctx
        cls = value.__class__
        origin = None
        literal = None
        if cls is ast.Name:  # the commonest argument: one scope lookup for both answers
            kind = "name"
            assert isinstance(value, ast.Name)
            qualname, origin = ctx.name_info(value.id)
            text = value.id
        else:
            kind = value_kind(value)
            if kind == "attribute":
                qualname = ctx.qualname(value)
            elif kind == "call":
                assert isinstance(value, ast.Call)
                qualname = ctx.qualname(value.func)
            else:
                qualname = None
            if kind == "constant" or kind == "container":
                literal = literal_json(value)
            text = ctx.text_of(value)
        self.emit(
            _call_arg(
                ctx.span(at),
                call_id=call_id,
                position=position,
                keyword=keyword,
                kind=kind,
                value=literal,
                text=text,
                qualname=qualname,
                origin=origin,
            )
        )


@register
class AssignmentsExtractor(Extractor):
    """extract_assignments: one row per assignment target (plain, annotated, augmented, walrus)."""

    name = "core.assignments"
    fact_types = (AssignmentFact,)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._emit(target, node.value, "=")

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._emit(node.target, node.value, ":")

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        op = type(node.op).__name__
        symbol = _AUG_OPS.get(op, op) + "="
        self._emit(node.target, node.value, symbol)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._emit(node.target, node.value, ":=")

    def _emit(self, target: ast.expr, value: ast.expr, op: str) -> None:
        ctx = self.ctx
        kind = value_kind(value)
        if kind in ("name", "attribute"):
            qualname = ctx.qualname(value)
        elif isinstance(value, ast.Call):
            qualname = ctx.qualname(value.func)
        else:
            qualname = None
        self.emit(
            _assignment(
                ctx.span(target),
                function=ctx.function,
                target=ctx.text_of(target),
                target_name=target.id if isinstance(target, ast.Name) else None,
                target_qualname=ctx.qualname(target) if isinstance(target, ast.Attribute) else None,
                op=op,
                kind=kind,
                value=literal_json(value) if kind in ("constant", "container") else None,
                text=ctx.text_of(value),
                qualname=qualname,
            )
        )


_AUG_OPS = {
    "Add": "+", "Sub": "-", "Mult": "*", "MatMult": "@", "Div": "/", "Mod": "%", "Pow": "**",
    "LShift": "<<", "RShift": ">>", "BitOr": "|", "BitXor": "^", "BitAnd": "&", "FloorDiv": "//",
}  # fmt: skip


@register
class ReturnsExtractor(Extractor):
    """extract_returns: returns and yields with the returned value's kind."""

    name = "core.returns"
    fact_types = (ReturnFact,)

    def visit_Return(self, node: ast.Return) -> None:
        self._emit(node, node.value, False)

    def visit_Yield(self, node: ast.Yield) -> None:
        self._emit(node, node.value, True)

    def visit_YieldFrom(self, node: ast.YieldFrom) -> None:
        self._emit(node, node.value, True)

    def _emit(self, node: ast.AST, value: ast.expr | None, is_yield: bool) -> None:
        ctx = self.ctx
        qualname = None
        if value is not None:
            if isinstance(value, ast.Call):
                qualname = ctx.qualname(value.func)
            elif isinstance(value, ast.Name | ast.Attribute):
                qualname = ctx.qualname(value)
        self.emit(
            _return(
                ctx.span(node),
                function=ctx.function,
                is_yield=is_yield,
                kind=value_kind(value) if value is not None else None,
                text=ctx.text_of(value) if value is not None else None,
                qualname=qualname,
            )
        )


@register
class ContextManagersExtractor(Extractor):
    """extract_context_managers (python_context_managers): each with-item."""

    name = "core.context_managers"
    fact_types = (ContextManagerFact,)

    def visit_With(self, node: ast.With) -> None:
        ctx = self.ctx
        for item in node.items:
            expr = item.context_expr
            manager = ctx.qualname(expr.func) if isinstance(expr, ast.Call) else ctx.qualname(expr)
            var = item.optional_vars
            self.emit(
                ContextManagerFact(
                    **ctx.pos(expr),
                    function=ctx.function,
                    manager=manager,
                    text=ctx.text_of(expr),
                    is_async=isinstance(node, ast.AsyncWith),
                    as_name=var.id if isinstance(var, ast.Name) else None,
                )
            )
