"""Helpers the Django extractors share: references, literal strings, decorator names."""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context


def ref_of(ctx: Context, expr: ast.expr | None) -> str | None:
    """The reference of a name or attribute: what the semantic model resolves, or for a name
    bound in this module (a class, a function, ``router = DefaultRouter()``) ``<module>.<name>``;
    None for anything else."""
    if expr is None:
        return None
    found = ctx.qualname(expr)
    if found is not None:
        return found
    if isinstance(expr, ast.Name):
        hit = ctx.lookup(expr.id)
        if hit is not None and hit[1].kind == "module":
            return f"{ctx.module}.{expr.id}"
    return None


def instance_ref(ctx: Context, expr: ast.expr) -> str | None:
    """The class whose call made the object ``expr`` names (``DefaultRouter()``, ``Signal()``)."""
    return ctx.instance_of(expr)


def literal_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def str_items(node: ast.AST | None) -> tuple[str, ...]:
    """The string literals of a list, tuple or set display (a lone string as one item)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return tuple(e.value for e in node.elts if isinstance(e, ast.Constant)
                     and isinstance(e.value, str))  # fmt: skip
    single = literal_str(node)
    return (single,) if single is not None else ()


def argument(node: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """The argument passed at ``position`` or by ``keyword``."""
    if keyword is not None:
        for kw in node.keywords:
            if kw.arg == keyword:
                return kw.value
    if position is not None and position < len(node.args):
        arg = node.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def decorator_name(ctx: Context, dec: ast.expr) -> str | None:
    """A decorator's resolved name (the callee when it is called)."""
    return ctx.qualname(dec.func if isinstance(dec, ast.Call) else dec)


def base_names(ctx: Context, node: ast.ClassDef) -> tuple[str, ...]:
    """A class's bases, resolved (``Manager.from_queryset(QS)`` gives its callee; a local class
    ``<module>.<name>``), as written when unknown."""
    out: list[str] = []
    for base in node.bases:
        target = base.func if isinstance(base, ast.Call) else base
        out.append(ref_of(ctx, target) or ctx.text_of(target))
    return tuple(out)


def in_if_test(ctx: Context, node: ast.AST) -> bool:
    """Whether ``node`` sits in the test of the innermost statement, an ``if`` or ``while``
    (``if not request.user.is_authenticated:``), or is a conditional expression's test."""
    if not ctx.stmts:
        return False
    stmt = ctx.stmts[-1]
    if not isinstance(stmt, ast.If | ast.While | ast.Assert):
        return False
    test = stmt.test
    start = (test.lineno, test.col_offset)
    end = (test.end_lineno or test.lineno, test.end_col_offset or 0)
    here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    return start <= here <= end
