"""Who is calling: the auth checks a function body makes, and the request data it reads."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

from auditls.extractors.flask.arguments import argument, literal, literal_str
from auditls.extractors.flask.base import FlaskExtractor
from auditls.extractors.flask.refs import ref_of
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import (
    FlaskAuthCheckFact,
    FlaskConditionalCallFact,
    FlaskRequestReadFact,
)
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
    IDENTITY_CALLS,
    JWT_CHECKS,
    JWT_VERIFY,
    KNOWN_CONSTANTS,
    OPTIONAL_AUTH_KEYWORD,
    REQUEST,
    REQUEST_ATTRIBUTES,
    ROUTING_ATTRIBUTES,
    SESSION,
    SESSION_GET,
    G,
)
from auditls.knowledge.heuristics import CONFIG_TOGGLE, USER_SESSION_KEY


@register
class AuthChecksExtractor(FlaskExtractor):
    """python_flask_auth_checks: the checks a function body makes on who is calling it.

    ``if not current_user.is_authenticated``, ``if g.user is None``, ``"user_id" in session``,
    ``abort(401)`` / ``abort(403)``, ``raise Forbidden()``, ``verify_jwt_in_request()``,
    ``get_jwt_identity()``, ``auth.current_user()`` (Flask-HTTPAuth), SocketIO ``disconnect()``.
    Each resolves through an import of its own (``raise PermissionError``: ``builtins``), so a
    helper that denies access is read wherever it lives.

    A call made only under request conditions (``if request.blueprint == "admin":
    require_login()``) is ``python_flask_conditional_calls``: the model follows the helper and
    its checks run under those conditions too.
    """

    name = "flask.auth_checks"
    fact_types = (FlaskAuthCheckFact, FlaskConditionalCallFact)
    qualnames = (
        CURRENT_USER, JWT_CHECKS, ABORTS, AUTH_EXCEPTIONS, DISCONNECTS, (G, SESSION), REQUEST,
        frozenset(IDENTITY_CALLS),
    )  # fmt: skip

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        #: Literal values of module-level names (``PUBLIC_ENDPOINTS = {"login", "static"}``).
        self.constants: dict[str, object] = {}
        #: The request conditions each statement or test of a scanned function runs under.
        self.scopes: dict[int, list[Clause]] = {}
        self.scanned: set[str] = set()
        #: Tests of ``if <identity>: return`` followed by a denial (the check reads the other way).
        self.allow_first: set[int] = set()
        #: Calls that are a statement of a scanned function (not an if test's own call).
        self.call_statements: set[int] = set()
        #: Locals of a scanned function holding an identity (``user = session.get("user")``):
        #: (function, name) -> the kind of identity; None once assigned anything else.
        self.identity_locals: dict[tuple[str, str], str | None] = {}
        #: Locals holding a routing value (``endpoint = request.endpoint``, ``org_id =
        #: request.view_args.get("org_id")``): the route condition the name stands for when
        #: tested; None once assigned anything else.
        self.routing_locals: dict[tuple[str, str], Clause | None] = {}

    def _in_function(self) -> bool:
        return self.ctx.function != self.ctx.module

    def visit_Assign(self, node: ast.Assign) -> None:
        if self._in_function() or len(node.targets) != 1:
            return
        target = node.targets[0]
        value = literal(node.value)
        if isinstance(target, ast.Name) and value is not None:
            self.constants[target.id] = value

    # -- the request conditions a check runs under ---------------------------------------------

    def _ensure_scanned(self) -> None:
        function = self.ctx.function
        if function not in self.scanned:
            self.scanned.add(function)
            for scope in reversed(self.ctx.scopes):
                if isinstance(scope.node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self._scan(scope.node.body, [], 0)
                    break

    def _scope(self, node: ast.AST) -> str | None:
        """The JSON scope of a check at ``node``: the request conditions (on the blueprint,
        endpoint, path, method...) that must hold for it to run; None when it always runs."""
        self._ensure_scanned()
        clauses = self.scopes.get(id(node))
        return json.dumps(clauses) if clauses else None

    def _scan(self, body: list[ast.stmt], conds: list[Clause], depth: int) -> None:
        """Walk the statements of a function body (if / try / with blocks, a few levels deep)
        and note, for each If test, assert, raise and call statement, the request conditions it
        runs under. ``if <route condition>: return`` makes the rest of the block run only when
        the condition is false; ``if <anything else>: return`` (a bare return lets the request
        through) makes it run under a condition auditls cannot read, unless the test reads
        configuration (``heuristics.CONFIG_TOGGLE``)."""
        if depth > 4:
            return
        conds = list(conds)
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                self._note_local(stmt)
            if isinstance(stmt, ast.If):
                if (
                    not stmt.orelse
                    and self._passes(stmt.body)
                    and self._exits(body[i + 1 :])
                    and any(not denies for _, denies in self._subjects(stmt.test))
                ):
                    self.allow_first.add(id(stmt.test))  # if <identity>: return; <deny>
                test = self._without_toggles(stmt.test)
                routing, other = self._routing(test)
                self.scopes[id(stmt.test)] = conds + routing
                if other or not routing:
                    self._scan(stmt.body, conds + routing, depth + 1)
                    self._scan(stmt.orelse, conds, depth + 1)
                    if (
                        not stmt.orelse
                        and self._passes(stmt.body)
                        and not any(self._subjects(stmt.test))
                        and not CONFIG_TOGGLE(self.ctx.text_of(stmt.test))
                    ):  # if getattr(view, "login_exempt", False): return
                        conds += [["?", "unknown", [self.ctx.text_of(stmt.test, 60)], True]]
                    continue
                self._scan(stmt.body, conds + routing, depth + 1)
                negated = self._negated(test, routing)
                self._scan(stmt.orelse, conds + negated, depth + 1)
                if self._leaves(stmt.body) and not stmt.orelse:
                    conds += negated  # the early exit: what follows runs when it is false
            elif isinstance(stmt, ast.Assert):
                self.scopes[id(stmt.test)] = list(conds)
            elif isinstance(stmt, ast.Raise):
                self.scopes[id(stmt)] = list(conds)
            elif isinstance(stmt, ast.Expr | ast.Return | ast.Assign) and isinstance(
                stmt.value, ast.Call
            ):  # require_login(); return check_token(); user = load_user_or_abort()
                self.scopes[id(stmt.value)] = list(conds)
                self.call_statements.add(id(stmt.value))
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                self._scan(stmt.body, conds, depth + 1)
            elif isinstance(stmt, ast.Try):
                for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse,
                              stmt.finalbody):  # fmt: skip
                    self._scan(block, conds, depth + 1)

    def _note_local(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        """``user = session.get("user")``: the local ``user`` holds the caller's identity, so
        ``if user is None: return redirect(...)`` is a check; ``org_id =
        request.view_args.get("org_id")``: ``if not org_id: return`` is a route condition (a
        name assigned twice, once to something else, is neither)."""
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or stmt.value is None:
            return
        key = (self.ctx.function, targets[0].id)
        kind = self._subject_kind(stmt.value)
        if key in self.identity_locals and self.identity_locals[key] != kind:
            kind = None
        self.identity_locals[key] = kind
        clause = self._clause(stmt.value)
        if clause is not None and clause[1] not in ("truthy", "contains"):
            clause = None  # a comparison's result: rare, left unread
        if key in self.routing_locals and self.routing_locals[key] != clause:
            clause = None
        self.routing_locals[key] = clause

    def _without_toggles(self, test: ast.expr) -> ast.expr:
        """An or-test without its configuration switches: ``if request.method in EXEMPT_METHODS
        or current_app.config.get("LOGIN_DISABLED"): pass`` (Flask-Login's own
        ``login_required``) runs its else branch, in production, whenever the method is not
        exempt (``heuristics.CONFIG_TOGGLE``, as for an early return under such a test)."""
        if not isinstance(test, ast.BoolOp) or not isinstance(test.op, ast.Or):
            return test
        kept = [v for v in test.values if not CONFIG_TOGGLE(self.ctx.text_of(v))]
        if not kept or len(kept) == len(test.values):
            return test
        return kept[0] if len(kept) == 1 else ast.BoolOp(op=ast.Or(), values=kept)

    def _routing(self, test: ast.expr) -> tuple[list[Clause], list[ast.expr]]:
        """The route conditions of an if test (the conjuncts about the request's blueprint,
        endpoint, path or method) and the other conjuncts."""
        parts = list(test.values) if isinstance(test, ast.BoolOp) and isinstance(
            test.op, ast.And) else [test]  # fmt: skip
        routing: list[Clause] = []
        other: list[ast.expr] = []
        for part in parts:
            clause = self._clause(part)
            if clause is not None:
                routing.append(clause)
            elif (
                isinstance(part, ast.BoolOp)
                and isinstance(part.op, ast.Or)
                and any(self._clause(v) is not None for v in part.values)
            ):
                routing.append(["?", "unknown", [], False])  # a disjunction of conditions
            else:
                other.append(part)
        return routing, other

    def _negated(self, test: ast.expr, routing: list[Clause]) -> list[Clause]:
        """The conditions under which a pure route test is false: one clause flipped, or every
        clause of a disjunction flipped; a conjunction of several is no single clause."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            clauses = [self._clause(v) for v in test.values]
            if all(c is not None and c[1] != "unknown" for c in clauses):
                return [_flipped(c) for c in clauses if c is not None]
        elif len(routing) == 1 and routing[0][1] != "unknown":
            return [_flipped(routing[0])]
        return [["?", "unknown", [], False]]

    def _attr(self, node: ast.expr) -> str | None:
        """``blueprint`` for ``request.blueprint`` (any routing attribute of flask.request, or
        a local holding one: ``endpoint = request.endpoint``)."""
        if isinstance(node, ast.Name):
            held = self.routing_locals.get((self.ctx.function, node.id))
            return str(held[0]) if held is not None and held[1] == "truthy" else None
        if not isinstance(node, ast.Attribute) or node.attr not in ROUTING_ATTRIBUTES:
            return None
        return node.attr if self.ctx.qualname(node.value) in REQUEST else None

    def _derived(self, node: ast.expr) -> str | None:
        """The routing attribute a value is computed from (``request.endpoint.split(".")[0]``)."""
        for _ in range(6):
            attr = self._attr(node)
            if attr is not None:
                return attr
            if isinstance(node, ast.Subscript | ast.Attribute):
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            else:
                return None
        return None

    def _values(self, node: ast.expr) -> list[str] | None:
        value = literal(node)
        if value is None and isinstance(node, ast.Name):
            value = self.constants.get(node.id)
        if value is None and isinstance(node, ast.Name | ast.Attribute):
            known = KNOWN_CONSTANTS.get(self.ctx.qualname(node) or "")
            value = list(known) if known is not None else None
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        return None

    def _clause(self, e: ast.expr) -> Clause | None:
        """One route condition: ``[attr, op, values, negated]`` with op ``in`` (equality or
        membership), ``prefix`` / ``suffix`` (``startswith`` / ``endswith``), ``contains``
        (``"x" in request.path``), ``static`` (the last part of the endpoint is ``static``),
        ``truthy`` or ``unknown`` (a condition on a routing attribute auditls cannot read)."""
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            inner = self._clause(e.operand)
            return None if inner is None else _flipped(inner)
        if isinstance(e, ast.Name):
            held = self.routing_locals.get((self.ctx.function, e.id))
            return None if held is None else list(held)
        attr = self._attr(e)
        if attr is not None:
            return [attr, "truthy", [], False]
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute):
            attr = self._attr(e.func.value)
            if attr is None:
                return None
            values = self._values(e.args[0]) if e.args else None
            if e.func.attr == "get" and attr == "view_args" and values is not None:
                return [attr, "contains", values, False]  # request.view_args.get("org_id")
            if len(e.args) != 1:
                values = None
            if e.func.attr in ("startswith", "endswith") and values is not None:
                return [attr, "prefix" if e.func.attr == "startswith" else "suffix", values, False]
            return [attr, "unknown", [], False]
        if isinstance(e, ast.Compare) and len(e.ops) == 1:
            op, left, right = e.ops[0], e.left, e.comparators[0]
            attr = self._attr(left)
            if attr is None and isinstance(op, ast.Eq | ast.NotEq):
                attr, left, right = self._attr(right), right, left
            if attr is None and isinstance(op, ast.Eq | ast.NotEq):
                derived = self._derived(e.left) or self._derived(e.comparators[0])
                if derived is not None:  # request.endpoint.rsplit(".", 1)[-1] == "static"
                    values = self._values(e.comparators[0]) or self._values(e.left) or []
                    static = bool(values) and all(v.endswith("static") for v in values)
                    op_name = "static" if static else "unknown"
                    return [derived, op_name, [], isinstance(op, ast.NotEq)]
            if attr is None:
                if isinstance(op, ast.In | ast.NotIn) and self._attr(right) is not None:
                    values = self._values(left)
                    if values is None:
                        return [str(self._attr(right)), "unknown", [], False]
                    return [str(self._attr(right)), "contains", values, isinstance(op, ast.NotIn)]
                return None
            values = self._values(right)
            if values is None or not isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
                return [attr, "unknown", [], False]
            return [attr, "in", values, isinstance(op, ast.NotEq | ast.NotIn)]
        return None

    def visit_If(self, node: ast.If) -> None:
        """``if <no identity>: <exit>`` (or ``if <identity>: ... else: <exit>``) is a check."""
        if not self._in_function():
            return
        body_exits = self._exits(node.body)
        else_exits = self._exits(node.orelse)
        self._ensure_scanned()
        allow_first = id(node.test) in self.allow_first
        for kind, denies in self._subjects(node.test):
            if (denies and body_exits) or (not denies and (else_exits or allow_first)):
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
        """Whether a branch leaves the function: return, raise, abort(...), disconnect(). A
        decorator's wrapper that returns the wrapped view (``return f(*args, **kwargs)``, a
        parameter called) lets the caller through, and so does a bare ``return`` (a
        ``before_request`` hook that returns None): that is no exit."""
        for stmt in body:
            if isinstance(stmt, ast.Return) and (
                self._calls_parameter(stmt.value) or _is_none(stmt.value)
            ):
                return False  # a hook that returns None lets the request through
            if isinstance(stmt, ast.Return | ast.Raise):
                return True
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                callee = self.ctx.qualname(stmt.value.func)
                if callee in ABORTS or callee in DISCONNECTS:
                    return True
        return False

    def _leaves(self, body: list[ast.stmt]) -> bool:
        """Whether a branch ends the function, whatever it returns (an early ``return``)."""
        return any(isinstance(stmt, ast.Return | ast.Raise) for stmt in body) or self._exits(body)

    def _passes(self, body: list[ast.stmt]) -> bool:
        """Whether a branch lets the request through: ``return`` / ``return None`` / the view."""
        return any(
            isinstance(stmt, ast.Return)
            and (_is_none(stmt.value) or self._calls_parameter(stmt.value))
            for stmt in body
        )

    def _calls_parameter(self, value: ast.expr | None) -> bool:
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
            return False
        found = self.ctx.lookup(value.func.id)
        return found is not None and found[0].kind == "param"

    def _emit_check(self, test: ast.expr, kind: str) -> None:
        ctx = self.ctx
        self.emit(
            FlaskAuthCheckFact(
                **ctx.pos(test), function=ctx.function, kind=kind, text=ctx.text_of(test),
                scope=self._scope(test),
            )
        )  # fmt: skip

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
                    if e.func.attr in ("is_anonymous", "is_authenticated"):
                        todo.append((e.func, negated))  # Flask-Login < 0.3: is_anonymous()
                    else:
                        todo.append((e.func.value, negated))  # current_user.has_role("admin")
                elif isinstance(e, ast.Subscript):
                    todo.append((e.value, negated))  # current_user.permissions["admin"]

    def _subject_kind(self, e: ast.expr) -> str | None:
        """The kind of identity an expression reads, if any."""
        ctx = self.ctx
        if isinstance(e, ast.Call):
            return self._call_kind(e)
        if isinstance(e, ast.Name) and (ctx.function, e.id) in self.identity_locals:
            return self.identity_locals[(ctx.function, e.id)]
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
        if callee in IDENTITY_CALLS:
            return IDENTITY_CALLS[callee]
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
        elif callee in JWT_CHECKS and callee.endswith(JWT_VERIFY) and not _optional(node):
            kind = "jwt"
        elif callee in DISCONNECTS:
            kind = "disconnect"
        if kind is not None:
            self.emit(
                FlaskAuthCheckFact(
                    **ctx.pos(node), function=ctx.function, kind=kind, text=ctx.text_of(node),
                    scope=self._scope(node),
                )
            )  # fmt: skip
        elif id(node) in self.call_statements and self.scopes.get(id(node)):
            # A call statement under request conditions (the function has an `if`, so it was
            # scanned when that `if` was visited, before the statements it guards).
            self.emit(
                FlaskConditionalCallFact(
                    **ctx.pos(node), function=ctx.function, callee=callee,
                    callee_text=ctx.text_of(node.func), scope=json.dumps(self.scopes[id(node)]),
                )
            )  # fmt: skip

    def visit_Raise(self, node: ast.Raise) -> None:
        if not self._in_function() or node.exc is None:
            return
        ctx = self.ctx
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if ctx.qualname(exc) in AUTH_EXCEPTIONS:
            self.emit(
                FlaskAuthCheckFact(
                    **ctx.pos(node), function=ctx.function, kind="raise", text=ctx.text_of(node),
                    scope=self._scope(node),
                )
            )  # fmt: skip


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


#: A route condition: [attribute, op, values, negated] (see ``AuthChecksExtractor._clause``).
Clause = list[object]


def _optional(call: ast.Call) -> bool:
    """``verify_jwt_in_request(optional=True)``: anonymous callers get through."""
    return any(
        kw.arg == OPTIONAL_AUTH_KEYWORD and isinstance(kw.value, ast.Constant) and kw.value.value
        for kw in call.keywords
    )


def _flipped(clause: Clause) -> Clause:
    return [clause[0], clause[1], clause[2], not clause[3]]


def _is_none(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)
