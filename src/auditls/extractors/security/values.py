"""Where a value comes from: the helper every security extractor shares.

The semantic model tracks what a name *refers to* (bindings, qualified names), not what values
it was assigned. The security rules need a little more: is the command a parameter, request
data, a string formatted at run time, or a name that only ever held literals? ``classify``
answers with one of ``facts_security.SOURCES``:

1. a literal, or a value built only from literals and values that cannot carry text (``int(x)``,
   ``len(x)``, a sanitizer for the sink's category such as ``shlex.quote`` for commands), is
   ``literal``;
2. a name is looked up in the model: a parameter is ``param`` (``self`` and ``cls`` are not);
   a name bound by assignments is the worst of the values it was assigned in its scope (every
   assignment seen so far, flow-insensitively), and ``constant`` if they are all literals;
3. an f-string, ``%``, ``.format()`` or ``+`` concatenation is the worst of its parts, and at
   least ``formatted`` when a part is of unknown origin;
4. an attribute, subscript or call whose qualified name starts with a request prefix
   (``flask.request.args``) is ``request``; otherwise it takes the source of the name at its
   root (``args.cmd`` of a parameter ``args`` is ``param``);
5. anything else is ``unknown``.

The assignments come from ``ValuesExtractor``, registered with the other security extractors:
it records each value assigned to a bare name, keyed by the scope that binds it, in a
``ValueMemory`` shared by every extractor of the same walk: it lives on the walk's context
(``memory_for(ctx)``, ``Context.shared``), never in a module global.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditls.extractors.literals import value_kind
from auditls.extractors.semantic import Context, Scope
from auditls.extractors.walker import Extractor, register
from auditls.knowledge.flask import REQUEST
from auditls.knowledge.security import (
    REQUEST_PREFIXES,
    SAFE_CALLS,
    SANITIZERS,
    SQL_IDENTIFIER_QUOTERS,
    Arg,
)

#: Sources from safest to most suspicious; ``worst`` picks the later one.
#: Prefixes of the qualified names of request data: Flask's request object and the others.
REQUEST_SOURCES = (*sorted(REQUEST), *REQUEST_PREFIXES)
RANK = {"literal": 0, "constant": 1, "unknown": 2, "formatted": 3, "param": 4, "request": 5}
FORMATTED_KINDS = frozenset({"fstring", "percent_format", "format_call", "concat"})
_MAX_DEPTH = 6


def worst(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b


class ValueMemory:
    """Values assigned to bare names, by (scope, name), in the order they were seen."""

    def __init__(self) -> None:
        self.values: dict[tuple[int, str], list[ast.expr | None]] = {}
        self.scopes: list[Scope] = []  # keeps recorded scopes alive, so their ids stay unique

    def record(self, scope: Scope, name: str, value: ast.expr | None) -> None:
        key = (id(scope), name)
        seen = self.values.get(key)
        if seen is None:
            self.values[key] = [value]
            self.scopes.append(scope)
        else:
            seen.append(value)

    def get(self, scope: Scope, name: str) -> list[ast.expr | None]:
        return self.values.get((id(scope), name), [])


def memory_for(ctx: Context) -> ValueMemory:
    """The value memory of the walk ``ctx`` belongs to (created on first use)."""
    return ctx.shared(ValueMemory)


def _target_scope(ctx: Context, name: str) -> Scope:
    scope = ctx.scope
    if name in scope.globals and scope.kind != "module":
        return ctx.scopes[0]
    return scope


@register
class ValuesExtractor(Extractor):
    """Records assigned values for ``classify`` (no facts of its own)."""

    name = "security.values"
    fact_types = ()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.memory = memory_for(ctx)

    def _record(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.memory.record(_target_scope(self.ctx, target.id), target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:  # unpacking: each name gets a value of unknown origin
                self._record(elt.value if isinstance(elt, ast.Starred) else elt, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._record(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._record(node.target, node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._record(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        for scope in reversed(self.ctx.scopes):
            if scope.kind != "comprehension":
                self.memory.record(scope, node.target.id, node.value)
                break


class CallCounter(Extractor):
    """Base of extractors whose facts link to ``python_calls``: numbers calls as core.calls does.

    Subclasses implement ``call(node, call_id)`` instead of ``visit_Call``.
    """

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.next_call_id = 0

    def visit_Call(self, node: ast.Call) -> None:
        call_id = self.next_call_id
        self.next_call_id += 1
        self.call(node, call_id)

    def call(self, node: ast.Call, call_id: int) -> None:
        raise NotImplementedError


# -- classification -----------------------------------------------------------------------------


def formatted_parts(node: ast.AST) -> tuple[list[ast.expr], list[str]]:
    """The interpolated parts of a formatted string and its literal pieces, or ([], []) when the
    node is not one (f-string, ``%``, ``.format()``, ``+`` with a string)."""
    parts: list[ast.expr] = []
    pieces: list[str] = []

    def add(expr: ast.expr) -> None:
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                pieces.append(expr.value)
        elif isinstance(expr, ast.JoinedStr):
            for v in expr.values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    pieces.append(v.value)
                elif isinstance(v, ast.FormattedValue):
                    parts.append(v.value)
        else:
            parts.append(expr)

    kind = value_kind(node)
    if kind == "fstring":
        assert isinstance(node, ast.JoinedStr)
        add(node)
    elif kind == "percent_format":
        assert isinstance(node, ast.BinOp)
        add(node.left)
        right = node.right
        if isinstance(right, ast.Tuple):
            parts.extend(right.elts)
        elif isinstance(right, ast.Dict):
            parts.extend(v for v in right.values)
        else:
            parts.append(right)
    elif kind == "format_call":
        assert isinstance(node, ast.Call)
        assert isinstance(node.func, ast.Attribute)
        add(node.func.value)
        parts.extend(a.value if isinstance(a, ast.Starred) else a for a in node.args)
        parts.extend(k.value for k in node.keywords)
    elif kind == "concat":
        operands: list[ast.expr] = []
        cur: ast.expr = node  # type: ignore[assignment]
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Add):
            operands.append(cur.right)
            cur = cur.left
        operands.append(cur)
        for operand in reversed(operands):
            if value_kind(operand) in FORMATTED_KINDS:
                sub_parts, sub_pieces = formatted_parts(operand)
                parts.extend(sub_parts)
                pieces.extend(sub_pieces)
            else:
                add(operand)
    return parts, pieces


def root_name(node: ast.AST) -> ast.Name | None:
    """The name at the root of an attribute / subscript / call chain (``a`` in ``a.b[c].d()``)."""
    for _ in range(50):
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            return node
        else:
            return None
    return None


def _is_self(ctx: Context, name: str, scope: Scope) -> bool:
    """``self`` / ``cls``: the first parameter of a method (its value is the object, not data)."""
    node = scope.node
    if scope.class_qualname is None or not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    ordered = [*node.args.posonlyargs, *node.args.args]
    return bool(ordered) and ordered[0].arg == name


def _is_request(qualname: str | None) -> bool:
    return qualname is not None and qualname.startswith(REQUEST_SOURCES)


def _last_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def classify(ctx: Context, node: ast.AST | None, category: str = "") -> str:
    """Where the value of ``node`` comes from (``facts_security.SOURCES``), for a sink of
    ``category`` (sanitizers count only for their own category)."""
    if node is None:
        return "unknown"
    return _classify(ctx, node, category, 0, set())


def interpolated_parts(ctx: Context, node: ast.AST) -> tuple[list[ast.expr], list[str]]:
    """``formatted_parts``, except that a ``%`` format with named fields takes from its mapping
    only the values it names (``_named_values``)."""
    parts, pieces = formatted_parts(node)
    if isinstance(node, ast.BinOp) and value_kind(node) == "percent_format":
        named = _named_values(ctx, node)
        if named is not None:
            parts = named
    return parts, pieces


#: A named field of a %-format: ``%(dbname)s``.
_NAMED_FIELD = re.compile(r"%\(([^)]*)\)")


def _named_values(ctx: Context, node: ast.BinOp) -> list[ast.expr] | None:
    """``"DROP DATABASE %(dbname)s" % params``: of the mapping (a dict literal, or a name only
    ever assigned dict literals), the values the format names, so an item it does not use
    (``"suffix": self.suffix()``) does not count; None when the format or a mapping is not
    literal, or a named key is missing from one (set later by a subscript store)."""
    left = node.left
    if not isinstance(left, ast.Constant) or not isinstance(left.value, str):
        return None
    names = set(_NAMED_FIELD.findall(left.value))
    right = node.right
    mappings: list[ast.expr] = [right]
    if isinstance(right, ast.Name):
        mappings = assigned_values(ctx, right.id)
    if not names or not mappings or not all(isinstance(m, ast.Dict) for m in mappings):
        return None
    out: list[ast.expr] = []
    for mapping in mappings:
        assert isinstance(mapping, ast.Dict)
        keys: set[str] = set()
        for key, value in zip(mapping.keys, mapping.values, strict=True):
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                return None  # **spread or a computed key
            keys.add(key.value)
            if key.value in names:
                out.append(value)
        if not names <= keys:
            return None
    return out


def _classify(ctx: Context, node: ast.AST, category: str, depth: int, seen: set[object]) -> str:
    if depth > _MAX_DEPTH:
        return "unknown"
    cls = node.__class__
    if cls is ast.Constant:
        return "literal"
    kind = value_kind(node)
    if kind == "constant":
        return "literal"
    if kind in FORMATTED_KINDS:
        parts, _ = interpolated_parts(ctx, node)
        result = "literal"
        for part in parts:
            result = worst(result, _classify(ctx, part, category, depth + 1, seen))
        return "formatted" if result == "unknown" else result
    if cls is ast.Name:
        assert isinstance(node, ast.Name)
        return _classify_name(ctx, node.id, category, depth, seen)
    if cls in (ast.List, ast.Tuple, ast.Set):
        result = "literal"
        for elt in node.elts:  # type: ignore[attr-defined]
            inner = elt.value if isinstance(elt, ast.Starred) else elt
            result = worst(result, _classify(ctx, inner, category, depth + 1, seen))
        return result
    if cls is ast.Dict:
        assert isinstance(node, ast.Dict)
        result = "literal"
        for item in (*node.keys, *node.values):
            if item is not None:
                result = worst(result, _classify(ctx, item, category, depth + 1, seen))
        return result
    if cls is ast.IfExp:
        assert isinstance(node, ast.IfExp)
        return worst(
            _classify(ctx, node.body, category, depth + 1, seen),
            _classify(ctx, node.orelse, category, depth + 1, seen),
        )
    if cls is ast.Call:
        assert isinstance(node, ast.Call)
        callee = ctx.qualname(node.func)
        if callee in SAFE_CALLS or (callee in SANITIZERS and category in SANITIZERS[callee]):
            return "literal"
        if category == "sql" and _last_name(node.func) in SQL_IDENTIFIER_QUOTERS:
            return "literal"
        if category == "sql" and isinstance(node.func, ast.Name):
            bound = assigned_values(ctx, node.func.id)  # qn = connection.ops.quote_name
            if bound and all(_last_name(v) in SQL_IDENTIFIER_QUOTERS for v in bound):
                return "literal"
        if (
            category == "sql"
            and isinstance(node.func, ast.Attribute)
            and (node.func.attr == "as_string" and isinstance(node.func.value, ast.Call))
        ):  # psycopg: sql.Identifier(name).as_string(conn)
            return _classify(ctx, node.func.value, category, depth + 1, seen)
        if _is_request(callee):
            return "request"
        if callee in ("builtins.str", "builtins.repr", "builtins.bytes") and node.args:
            return _classify(ctx, node.args[0], category, depth + 1, seen)
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant):
            # "sep".join(...), "x".encode(): the result carries the arguments' text
            result = "literal"
            for a in node.args:
                result = worst(result, _classify(ctx, a, category, depth + 1, seen))
            return result
    if cls in (ast.Attribute, ast.Subscript, ast.Call):
        target = node.func if isinstance(node, ast.Call) else node
        if _is_request(ctx.qualname(target)):
            return "request"
        root = root_name(node)
        if root is not None:
            inner = _classify_name(ctx, root.id, category, depth, seen)
            if inner in ("param", "request", "formatted"):
                return inner
            if inner == "constant":
                # ALLOWED[name] of a literal table is one of its literals (an allow-list)
                return "literal" if isinstance(node, ast.Subscript) and node.value is root else (
                    "constant")  # fmt: skip
        return "unknown"
    if cls is ast.BinOp:
        assert isinstance(node, ast.BinOp)
        return worst(
            _classify(ctx, node.left, category, depth + 1, seen),
            _classify(ctx, node.right, category, depth + 1, seen),
        )
    return "unknown"


def _classify_name(ctx: Context, name: str, category: str, depth: int, seen: set[object]) -> str:
    found = ctx.lookup(name)
    if found is None:
        return "request" if _is_request(f"builtins.{name}") else "unknown"
    binding, scope = found
    if binding.kind == "param":
        return "unknown" if _is_self(ctx, name, scope) else "param"
    if binding.kind != "assign":
        return "request" if _is_request(binding.qualname) else "unknown"
    if _is_request(binding.qualname):
        return "request"
    key = (id(scope), name)
    if key in seen:
        return "literal"  # `q = q + x`: the other values of q are judged where they are
    values = memory_for(ctx).get(scope, name)
    if not values:
        return "unknown"
    seen = seen | {key}
    result = "literal"
    for value in values:
        if value is None:
            return "unknown"
        result = worst(result, _classify(ctx, value, category, depth + 1, seen))
    return "constant" if result == "literal" else result


def assigned_values(ctx: Context, name: str) -> list[ast.expr]:
    """The values assigned to a bare name in the scope that binds it (empty when not a plain
    assignment, or when one of them is of unknown shape)."""
    found = ctx.lookup(name)
    if found is None or found[0].kind != "assign":
        return []
    values = memory_for(ctx).get(found[1], name)
    if any(v is None for v in values):
        return []
    return [v for v in values if v is not None]


def literal_value(ctx: Context, node: ast.AST | None) -> object:
    """The Python value of a literal (or of a name only ever assigned that one literal), else
    ``NotImplemented``."""
    if node is None:
        return NotImplemented
    if isinstance(node, ast.Name):
        values = assigned_values(ctx, node.id)
        if len(values) == 1:
            node = values[0]
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NotImplemented


# -- arguments of a call ------------------------------------------------------------------------


def locate(call: ast.Call, spec: Arg | None) -> tuple[ast.expr | None, bool]:
    """The argument ``spec`` describes and whether it may be hidden in ``*args`` / ``**kwargs``
    (then the starred value is returned); (None, False) when the call does not pass it."""
    if spec is None:
        return None, False
    if spec.keywords:
        for kw in call.keywords:
            if kw.arg is not None and kw.arg in spec.keywords:
                return kw.value, False
    if spec.position is not None:
        for i, a in enumerate(call.args):
            if isinstance(a, ast.Starred):
                return a.value, True
            if i == spec.position:
                return a, False
    if spec.keywords:
        for kw in call.keywords:
            if kw.arg is None:
                return kw.value, True
    return None, False


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def identifiers(node: ast.AST, limit: int = 40) -> Iterator[str]:
    """Names, attribute names and string subscript keys in an expression, shallowly (for name
    hints such as "password" in ``request.form["password"].encode()``)."""
    todo: list[ast.AST] = [node]
    count = 0
    while todo and count < limit:
        cur = todo.pop()
        count += 1
        if isinstance(cur, ast.Name):
            yield cur.id
        elif isinstance(cur, ast.Attribute):
            yield cur.attr
            todo.append(cur.value)
        elif isinstance(cur, ast.Subscript):
            key = cur.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value
            todo.append(cur.value)
        elif isinstance(cur, ast.Call):
            todo.append(cur.func)
            todo.extend(cur.args)
        elif isinstance(cur, ast.BinOp):
            todo.extend((cur.left, cur.right))
        elif isinstance(cur, ast.JoinedStr):
            todo.extend(v.value for v in cur.values if isinstance(v, ast.FormattedValue))
