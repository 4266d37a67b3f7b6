"""References: how a Flask extractor names the object an expression stands for.

``app.route`` is a route when the semantic model says ``app`` is a ``flask.Flask``
(``app = Flask(__name__)``, ``def setup(app: Flask)``) or a ``flask.Blueprint``, never because it
is called ``app``. One file cannot always know: ``from . import bp`` or an unannotated
``def register(app)`` leave the type unknown. Such rows are recorded with their *reference* (see
``auditls.facts.flask``) and a ``None`` type, and ``auditls.models.flask`` confirms or drops them
at query time by following the reference to its definition in another file. An object whose type
is known to be something else (``api = Api(app)`` of flask-restx, ``sock = Sock(app)``) is not
taken for an app.
"""

from __future__ import annotations

import ast

from auditls.extractors.semantic import BUILTIN_NAMES, Context
from auditls.knowledge.flask import CANONICAL, EXTENSIONS, library_package


def canonical(qualname: str | None) -> str | None:
    """The name the facts use for a class or type: Flask classes by one import path."""
    if qualname is None:
        return None
    found = CANONICAL.get(qualname)
    if found is not None:
        return found
    ext = EXTENSIONS.get(qualname)
    return ext.canonical if ext is not None else qualname


def var_ref(scope_kind: str, scope_qualname: str, name: str) -> str:
    """The reference of a name bound in a scope (see ``auditls.facts.flask``)."""
    if scope_kind in ("function", "lambda"):
        return f"{scope_qualname}.<locals>.{name}"
    return f"{scope_qualname}.{name}"


def ref_of(ctx: Context, expr: ast.AST) -> tuple[str | None, str | None]:
    """``(reference, type)`` of an expression that names an object; ``(None, None)`` when it
    names nothing the model can follow."""
    if isinstance(expr, ast.Name):
        found = ctx.lookup(expr.id)
        if found is None:
            if ctx.star_imports and expr.id not in BUILTIN_NAMES:
                return f"{ctx.module}.{expr.id}", None  # from a star import: the model follows it
            return None, None
        binding, scope = found
        if binding.kind == "import" or binding.qualname is not None:
            return binding.qualname, None
        return var_ref(scope.kind, scope.qualname, expr.id), canonical(binding.instance_of)
    if isinstance(expr, ast.Attribute):
        return ctx.qualname(expr), None
    if isinstance(expr, ast.Call):
        return None, canonical(ctx.qualname(expr.func))
    return None, None


def target_ref(ctx: Context, node: ast.AST) -> str | None:
    """The reference of the variable the value ``node`` is assigned to, when the statement
    being walked is ``name = node`` (or ``name: T = node``)."""
    if not ctx.stmts:
        return None
    stmt = ctx.stmts[-1]
    target: ast.AST | None = None
    if isinstance(stmt, ast.Assign) and stmt.value is node and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is node:
        target = stmt.target
    if not isinstance(target, ast.Name):
        return None
    scope = ctx.scope
    if target.id in scope.globals and scope.kind != "module":
        scope = ctx.scopes[0]
    return var_ref(scope.kind, scope.qualname, target.id)


def acceptable(ctx: Context, ref: str | None, type_: str | None, wanted: frozenset[str]) -> bool:
    """Whether an owner may be one of ``wanted``: its type is one of them, or unknown here (a
    candidate the model confirms), or the result of a call the model may link to a factory.
    An instance of a class of this file (``self``) or of a known library class is not."""
    if type_ is None:
        return ref is not None
    if type_ in wanted:
        return True
    if type_ in CANONICAL.values() or type_ in EXTENSIONS or type_ in ctx.class_scopes:
        return False
    top = type_.partition(".")[0]
    return not library_package(top)


def known_or_unknown(ref: str | None, type_: str | None, wanted: frozenset[str]) -> bool:
    """For extension objects: the type is one of ``wanted``, or unknown here (an import)."""
    return (type_ in wanted) if type_ is not None else ref is not None


def split_decorator(d: ast.expr) -> tuple[ast.expr, str, ast.Call | None] | None:
    """``(receiver, method, call)`` of ``@receiver.method`` or ``@receiver.method(...)``."""
    call = d if isinstance(d, ast.Call) else None
    func = d.func if isinstance(d, ast.Call) else d
    if isinstance(func, ast.Attribute):
        return func.value, func.attr, call
    return None


def decorator_names(ctx: Context, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """Each decorator resolved (as written when unresolved), outermost first."""
    out = []
    for d in node.decorator_list:
        func = d.func if isinstance(d, ast.Call) else d
        out.append(ctx.qualname(func) or ctx.text_of(func))
    return tuple(out)
