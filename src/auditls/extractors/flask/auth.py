"""Who is calling: the auth checks a function body makes, and the request data it reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditls.extractors.flask.arguments import argument, literal, literal_str
from auditls.extractors.flask.base import FlaskExtractor
from auditls.extractors.flask.refs import ref_of
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import FlaskAuthCheckFact, FlaskRequestReadFact
from auditls.knowledge.flask import (
    ABORTS,
    AUTH_EXCEPTIONS,
    AUTH_STATUS,
    AUTH_STATUS_NAMES,
    CURRENT_USER,
    DISCONNECTS,
    G_USER_ATTRS,
    HTTPAUTH_CURRENT_USER,
    HTTPAUTHS,
    JWT_CHECKS,
    JWT_VERIFY,
    REQUEST,
    REQUEST_ATTRIBUTES,
    SESSION,
    SESSION_GET,
    G,
)
from auditls.knowledge.heuristics import USER_SESSION_KEY


@register
class AuthChecksExtractor(FlaskExtractor):
    """python_flask_auth_checks: the checks a function body makes on who is calling it.

    ``if not current_user.is_authenticated``, ``if g.user is None``, ``"user_id" in session``,
    ``abort(401)`` / ``abort(403)``, ``raise Forbidden()``, ``verify_jwt_in_request()``,
    ``get_jwt_identity()``, ``auth.current_user()`` (Flask-HTTPAuth), SocketIO ``disconnect()``.
    Each resolves through an import of its own (``raise PermissionError``: ``builtins``), so a
    helper that denies access is read wherever it lives.
    """

    name = "flask.auth_checks"
    fact_types = (FlaskAuthCheckFact,)
    qualnames = (CURRENT_USER, JWT_CHECKS, ABORTS, AUTH_EXCEPTIONS, DISCONNECTS, (G, SESSION))

    def _in_function(self) -> bool:
        return self.ctx.function != self.ctx.module

    def visit_If(self, node: ast.If) -> None:
        """``if <no identity>: <exit>`` (or ``if <identity>: ... else: <exit>``) is a check."""
        if not self._in_function():
            return
        body_exits = self._exits(node.body)
        else_exits = self._exits(node.orelse)
        for kind, denies in self._subjects(node.test):
            if (denies and body_exits) or (not denies and else_exits):
                self._emit_check(node.test, kind)
                return  # one row per test

    def visit_Assert(self, node: ast.Assert) -> None:
        """``assert current_user.is_authenticated``."""
        if not self._in_function():
            return
        for kind, denies in self._subjects(node.test):
            if not denies:
                self._emit_check(node.test, kind)
                return

    def _exits(self, body: list[ast.stmt]) -> bool:
        """Whether a branch leaves the function: return, raise, abort(...), disconnect()."""
        for stmt in body:
            if isinstance(stmt, ast.Return | ast.Raise):
                return True
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                callee = self.ctx.qualname(stmt.value.func)
                if callee in ABORTS or callee in DISCONNECTS:
                    return True
        return False

    def _emit_check(self, test: ast.expr, kind: str) -> None:
        ctx = self.ctx
        self.emit(
            FlaskAuthCheckFact(
                **ctx.pos(test), function=ctx.function, kind=kind, text=ctx.text_of(test)
            )
        )

    def _subjects(self, test: ast.expr) -> Iterator[tuple[str, bool]]:
        """``(kind, denies)`` for each identity a test looks at: ``denies`` when the test is
        true for a caller without that identity (``not current_user.is_authenticated``,
        ``g.user is None``, ``"user_id" not in session``, ``owner_id != current_user.id``).
        Unwraps not / and / or / comparisons only."""
        ctx = self.ctx
        todo: list[tuple[ast.expr, bool]] = [(test, False)]
        steps = 0
        while todo and steps < 16:
            steps += 1
            e, negated = todo.pop()
            if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
                todo.append((e.operand, not negated))
            elif isinstance(e, ast.BoolOp):
                todo.extend((v, negated) for v in e.values)
            elif isinstance(e, ast.Compare):
                denying = any(
                    isinstance(op, ast.NotEq | ast.NotIn)
                    or (isinstance(op, ast.Is | ast.Eq) and _is_none(c))
                    for op, c in zip(e.ops, e.comparators, strict=True)
                )
                polarity = denying != negated
                if (
                    isinstance(e.left, ast.Constant)
                    and isinstance(e.left.value, str)
                    and USER_SESSION_KEY(e.left.value)
                    and any(ctx.qualname(c) == SESSION for c in e.comparators)
                ):
                    yield "session_user", polarity  # "user_id" (not) in session
                    continue
                for part in (e.left, *e.comparators):
                    kind = self._subject_kind(part)
                    if kind is not None:
                        yield kind, polarity
                        break
            else:
                kind = self._subject_kind(e)
                if kind is not None:
                    anonymous = isinstance(e, ast.Attribute) and e.attr == "is_anonymous"
                    yield kind, anonymous != negated
                elif isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute):
                    todo.append((e.func.value, negated))  # current_user.has_role("admin")

    def _subject_kind(self, e: ast.expr) -> str | None:
        """The kind of identity an expression reads, if any."""
        ctx = self.ctx
        if isinstance(e, ast.Call):
            return self._call_kind(e)
        if isinstance(e, ast.Attribute | ast.Name):
            name = ctx.qualname(e)
            if name is None:
                return None
            if name in CURRENT_USER or name.rpartition(".")[0] in CURRENT_USER:
                return "current_user"
            if name.startswith(G + ".") and name.split(".")[2] in G_USER_ATTRS:
                return "g_user"
        elif isinstance(e, ast.Subscript):
            key = literal_str(e.slice)
            if ctx.qualname(e.value) == SESSION and USER_SESSION_KEY(key):
                return "session_user"
        return None

    def _call_kind(self, call: ast.Call) -> str | None:
        ctx = self.ctx
        callee = ctx.qualname(call.func)
        if callee in JWT_CHECKS:
            return "jwt"
        if callee == SESSION_GET:
            key = literal_str(argument(call, 0, "key"))
            return "session_user" if USER_SESSION_KEY(key) else None
        if isinstance(call.func, ast.Attribute) and call.func.attr == HTTPAUTH_CURRENT_USER:
            _, type_ = ref_of(ctx, call.func.value)
            if type_ in HTTPAUTHS:
                return "http_auth"
        return None

    def visit_Call(self, node: ast.Call) -> None:
        if not self._in_function():
            return
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        kind: str | None = None
        if callee in ABORTS:
            status = argument(node, 0, "status")
            code = literal(status)
            if code in AUTH_STATUS or (
                status is not None and ctx.qualname(status) in AUTH_STATUS_NAMES
            ):
                kind = "abort"
        elif callee in JWT_CHECKS and callee.endswith(JWT_VERIFY):
            kind = "jwt"
        elif callee in DISCONNECTS:
            kind = "disconnect"
        if kind is not None:
            self.emit(
                FlaskAuthCheckFact(
                    **ctx.pos(node), function=ctx.function, kind=kind, text=ctx.text_of(node)
                )
            )

    def visit_Raise(self, node: ast.Raise) -> None:
        if not self._in_function() or node.exc is None:
            return
        ctx = self.ctx
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if ctx.qualname(exc) in AUTH_EXCEPTIONS:
            self.emit(
                FlaskAuthCheckFact(
                    **ctx.pos(node), function=ctx.function, kind="raise", text=ctx.text_of(node)
                )
            )


@register
class RequestReadsExtractor(FlaskExtractor):
    """python_flask_request_reads: which request data each function reads (first read only)."""

    name = "flask.request_reads"
    fact_types = (FlaskRequestReadFact,)
    qualnames = (REQUEST,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: set[tuple[str, str]] = set()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        source = REQUEST_ATTRIBUTES.get(node.attr)
        if source is None or not isinstance(node.value, ast.Name):
            return
        ctx = self.ctx
        key = (ctx.function, source)
        if key in self.seen or ctx.qualname(node.value) not in REQUEST:
            return
        self.seen.add(key)
        self.emit(
            FlaskRequestReadFact(
                **ctx.pos(node), function=ctx.function, source=source, text=ctx.text_of(node)
            )
        )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
