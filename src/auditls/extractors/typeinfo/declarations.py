"""Type declarations: protocols, type variables and generic classes, type aliases, TypedDicts,
where ``Literal`` types are used, and ``@overload``ed functions.

A literal type is found through the wrappers an annotation is read through (``Optional``,
``Annotated``, ``X | None``) and through the aliases of this file (``Order = Literal[...]``;
``order: Order`` is recorded with the alias's values). Overloads are gathered per qualified name
and written when the walk ends, at the implementation (or the first signature in a stub).
PEP 695 syntax (``class C[T]:``, ``def f[T](...)``, ``type X = ...``) parses on Python 3.12+
only; the handlers read it with ``getattr`` so that this module loads on 3.11.
"""

from __future__ import annotations

import ast

from auditls.extractors.literals import literal_json
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.typeinfo import (
    GenericFact,
    LiteralFact,
    OverloadFact,
    ProtocolFact,
    TypedDictFact,
)
from auditls.knowledge.typeinfo import (
    DECLARATIONS,
    FIRST_ARGUMENT,
    GENERICS,
    LITERALS,
    NOT_REQUIRED,
    OVERLOADS,
    PROTOCOLS,
    REQUIRED,
    RUNTIME_CHECKABLE,
    TYPE_ALIAS_MARKS,
    TYPE_VARIABLE_KINDS,
    TYPED_DICTS,
    UNIONS,
)

_TYPE_PARAM_KINDS = {"TypeVar": "typevar", "ParamSpec": "paramspec", "TypeVarTuple": "typevartuple"}
_MAX = 12


def _items(node: ast.Subscript) -> list[ast.expr]:
    sl = node.slice
    return list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]


def _not_none(items: list[ast.expr]) -> ast.expr | None:
    rest = [i for i in items if not (isinstance(i, ast.Constant) and i.value is None)]
    return rest[0] if len(rest) == 1 else None


def _type_params(node: ast.AST) -> list[ast.AST]:
    return list(getattr(node, "type_params", None) or ())


class _Declarations:
    """The per-file state: overloads by qualified name, TypedDicts of this file."""

    def __init__(self) -> None:
        self.overloads: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.implementations: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.typed_dicts: set[str] = set()


def literal_values(ctx: Context, node: ast.expr | None) -> tuple[tuple[str, ...], str | None]:
    """The values of the ``Literal`` an annotation names, and the alias it came through; empty
    values when it names none."""
    alias: str | None = None
    for _ in range(_MAX):
        if node is None:
            break
        if isinstance(node, ast.Name):
            target = ctx.type_alias(node)
            if target is None:
                break
            alias = alias or node.id
            node = target
        elif isinstance(node, ast.Subscript):
            base = ctx.qualname(node.value)
            if base in LITERALS:
                values = (literal_json(i) for i in _items(node))
                return tuple(v for v in values if v is not None), alias
            if base in FIRST_ARGUMENT:
                node = _items(node)[0]
            elif base in UNIONS:
                node = _not_none(_items(node))
            else:
                break
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            node = _not_none([node.left, node.right])
        else:
            break
    return (), None


@register
class DeclarationsExtractor(Extractor):
    """python_type_protocols, python_type_generics, python_typed_dicts, python_type_literals,
    python_type_overloads."""

    name = "typeinfo.declarations"
    fact_types = (ProtocolFact, GenericFact, TypedDictFact, LiteralFact, OverloadFact)
    qualnames = (DECLARATIONS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.state = _Declarations()
        # Most typed files use neither: one substring search each saves a look at every
        # annotation and decorator (the resolution still decides; this only skips).
        self.literals = "Literal" in ctx.text
        self.overloaded = "overload" in ctx.text

    # -- classes -------------------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        qualname = ctx.def_qualname(node)
        bases: list[str] = []
        params: list[str] = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            resolved = ctx.qualname(target)
            if resolved is None:
                continue
            bases.append(resolved)
            if isinstance(base, ast.Subscript) and (resolved in GENERICS or resolved in PROTOCOLS):
                params.extend(ctx.text_of(i) for i in _items(base))
        pep695 = _type_params(node)
        if pep695:
            params = [getattr(tp, "name", "") for tp in pep695]
        if params:
            self.emit(
                GenericFact(
                    **ctx.pos(node), qualname=qualname, kind="generic_class",
                    syntax="pep695" if pep695 else "typing", bound=None, constraints=(),
                    params=tuple(params),
                )
            )  # fmt: skip
        if any(b in PROTOCOLS for b in bases):
            decorators = {ctx.qualname(d) for d in node.decorator_list}
            self.emit(
                ProtocolFact(
                    **ctx.pos(node),
                    qualname=qualname,
                    members=self._members(node),
                    runtime_checkable=bool(decorators & RUNTIME_CHECKABLE),
                    bases=tuple(b for b in bases if b not in PROTOCOLS and b not in GENERICS),
                )
            )
        if any(b in TYPED_DICTS or b in self.state.typed_dicts for b in bases):
            self.state.typed_dicts.add(qualname)
            self._class_typed_dict(node, qualname)

    @staticmethod
    def _members(node: ast.ClassDef) -> tuple[str, ...]:
        out: list[str] = []
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                if item.name not in out:
                    out.append(item.name)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                out.append(item.target.id)
        return tuple(out)

    def _class_typed_dict(self, node: ast.ClassDef, qualname: str) -> None:
        ctx = self.ctx
        total = True
        for kw in node.keywords:
            if kw.arg == "total" and isinstance(kw.value, ast.Constant):
                total = bool(kw.value.value)
        keys: list[str] = []
        required: list[str] = []
        for item in node.body:
            if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
                continue
            name = item.target.id
            keys.append(f"{name}: {ctx.text_of(item.annotation, 80)}")
            if self._required(item.annotation, total):
                required.append(name)
        self.emit(
            TypedDictFact(
                **ctx.pos(node), qualname=qualname, form="class", total=total, keys=tuple(keys),
                required=tuple(required),
            )
        )  # fmt: skip

    def _required(self, annotation: ast.expr, total: bool) -> bool:
        node = annotation
        for _ in range(_MAX):
            if not isinstance(node, ast.Subscript):
                break
            base = self.ctx.qualname(node.value)
            if base in REQUIRED:
                return True
            if base in NOT_REQUIRED:
                return False
            if base not in FIRST_ARGUMENT:  # `Annotated[Required[int], ...]`, `ReadOnly[...]`
                break
            node = _items(node)[0]
        return total

    # -- functions -----------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        qualname = ctx.def_qualname(node)
        state = self.state
        if self.overloaded:
            if any(ctx.qualname(d) in OVERLOADS for d in node.decorator_list):
                state.overloads.setdefault(qualname, []).append(node)
            elif qualname in state.overloads:
                state.implementations[qualname] = node
        pep695 = _type_params(node)
        if pep695:
            self.emit(
                GenericFact(
                    **ctx.pos(node), qualname=qualname, kind="generic_function", syntax="pep695",
                    bound=None, constraints=(),
                    params=tuple(getattr(tp, "name", "") for tp in pep695),
                )
            )  # fmt: skip
        if not self.literals:
            return
        args = node.args
        for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self._literal(arg.annotation, qualname, arg.arg, "param")
        if node.returns is not None:
            self._literal(node.returns, qualname, "return", "return")

    def _literal(self, annotation: ast.expr, function: str, target: str, where: str) -> None:
        if not isinstance(annotation, ast.Subscript | ast.Name | ast.BinOp):
            return
        values, alias = literal_values(self.ctx, annotation)
        if values:
            self.emit(
                LiteralFact(
                    **self.ctx.pos(annotation), function=function, target=target, where=where,
                    alias=alias, values=values,
                )
            )  # fmt: skip

    def _signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        ctx = self.ctx
        args = node.args

        def one(arg: ast.arg, default: ast.expr | None) -> str:
            out = ctx.text_of(arg, 60)
            if default is not None:
                out += (" = " if arg.annotation is not None else "=") + ctx.text_of(default, 30)
            return out

        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        parts = [one(a, d) for a, d in zip(positional, defaults, strict=True)]
        if args.vararg is not None:
            parts.append("*" + ctx.text_of(args.vararg, 60))
        elif args.kwonlyargs:
            parts.append("*")
        parts += [one(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
        if args.kwarg is not None:
            parts.append("**" + ctx.text_of(args.kwarg, 60))
        text = f"({', '.join(parts)})"
        if node.returns is not None:
            text += f" -> {ctx.text_of(node.returns, 60)}"
        return text[:200]

    # -- assignments ---------------------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        name = node.targets[0].id
        value = node.value
        if isinstance(value, ast.Call):
            self._call(node, name, value)
        elif isinstance(value, ast.Subscript):
            base = self.ctx.qualname(value.value)
            if base is not None and base.startswith(("typing.", "typing_extensions.")):
                self._alias(node, name, value, "typing")  # `Order = Literal["asc", "desc"]`

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        ctx = self.ctx
        if not isinstance(node.target, ast.Name):
            return
        name = node.target.id
        annotation = node.annotation
        if (
            node.value is not None
            and isinstance(annotation, ast.Name | ast.Attribute)
            and ctx.qualname(annotation) in TYPE_ALIAS_MARKS
        ):
            self._alias(node, name, node.value, "typing")
            return
        if not self.literals:
            return
        scope = ctx.scope
        where = "field" if scope.kind == "class" else "variable"
        self._literal(annotation, scope.qualname if where == "field" else ctx.function, name, where)

    def _alias(self, node: ast.stmt, name: str, value: ast.expr, syntax: str) -> None:
        ctx = self.ctx
        qualname = f"{ctx.scope.qualname}.{name}"
        self.emit(
            GenericFact(
                **ctx.pos(node), qualname=qualname, kind="type_alias", syntax=syntax,
                bound=ctx.annotated_class(value), constraints=(),
                params=tuple(getattr(tp, "name", "") for tp in _type_params(node)),
            )
        )  # fmt: skip
        values, _ = literal_values(ctx, value) if self.literals else ((), None)
        if values:
            self.emit(
                LiteralFact(
                    **ctx.pos(value), function=ctx.function, target=name, where="alias",
                    alias=None, values=values,
                )
            )  # fmt: skip

    def _call(self, node: ast.Assign, name: str, call: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(call.func)
        if callee is None:
            return
        kind = TYPE_VARIABLE_KINDS.get(callee)
        qualname = f"{ctx.scope.qualname}.{name}"
        if kind is not None:
            bound: str | None = None
            constraints: tuple[str, ...] = ()
            if kind == "newtype":
                if len(call.args) == 2:
                    bound = ctx.annotated_class(call.args[1]) or ctx.text_of(call.args[1], 80)
            else:
                for kw in call.keywords:
                    if kw.arg == "bound":
                        bound = ctx.annotated_class(kw.value) or ctx.text_of(kw.value, 80)
                constraints = tuple(ctx.text_of(a, 80) for a in call.args[1:])
            self.emit(
                GenericFact(
                    **ctx.pos(node), qualname=qualname, kind=kind, syntax="call", bound=bound,
                    constraints=constraints, params=(),
                )
            )  # fmt: skip
        elif callee in TYPED_DICTS:
            self._functional_typed_dict(node, qualname, call)

    def _functional_typed_dict(self, node: ast.Assign, qualname: str, call: ast.Call) -> None:
        ctx = self.ctx
        total = True
        for kw in call.keywords:
            if kw.arg == "total" and isinstance(kw.value, ast.Constant):
                total = bool(kw.value.value)
        fields = call.args[1] if len(call.args) > 1 else None
        keys: list[str] = []
        required: list[str] = []
        if isinstance(fields, ast.Dict):
            for key, value in zip(fields.keys, fields.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.append(f"{key.value}: {ctx.text_of(value, 80)}")
                    if self._required(value, total):
                        required.append(key.value)
        self.state.typed_dicts.add(qualname)
        self.emit(
            TypedDictFact(
                **ctx.pos(node), qualname=qualname, form="functional", total=total,
                keys=tuple(keys), required=tuple(required),
            )
        )  # fmt: skip

    if hasattr(ast, "TypeAlias"):  # Python 3.12+: `type X = ...`

        def visit_TypeAlias(self, node: ast.AST) -> None:
            name = getattr(node, "name", None)
            value = getattr(node, "value", None)
            if isinstance(name, ast.Name) and isinstance(value, ast.expr):
                self._alias(node, name.id, value, "pep695")  # type: ignore[arg-type]

    # -- end of the file -----------------------------------------------------------------------

    def finish(self) -> None:
        state = self.state
        for qualname, signatures in state.overloads.items():
            implementation = state.implementations.get(qualname)
            at = implementation if implementation is not None else signatures[0]
            self.emit(
                OverloadFact(
                    **self.ctx.pos(at), qualname=qualname, overloads=len(signatures),
                    implementation=implementation is not None,
                    signatures=tuple(self._signature(s) for s in signatures),
                )
            )  # fmt: skip
