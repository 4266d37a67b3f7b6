"""Flow facts (``python_flows``): how values move inside a function, for the taint engine.

One ``FlowFact`` per movement, in the same single walk as every other extractor. The rows and
their strings are specified in ``auditls.facts.taint`` (TARGETS, INPUTS, HOWS); in short:

- assignments (plain, annotated, several targets, ``x += v`` with ``how="aug"``), unpacking
  (one ``"unpack"`` row per name, element by element when both sides are displays of the same
  length), ``for`` and ``with ... as`` targets, comprehension variables, walruses;
- attribute stores (``attr:self.x``, or ``ref:flask.g.user`` into an imported object) and item
  stores (``item:flask.session``, ``item:name:d``);
- ``return``, ``yield`` / ``yield from`` (no row when nothing flows: a bare return, a literal);
- each call's arguments (``arg``, with ``call_id``, ``position``, ``keyword``; no row for a
  literal) and its receiver (``receiver``; no row for an imported name or a class, whose calls
  resolve to a qualified callee, nor for a literal; the ``|`` expression of a call made on one,
  ``(fetch.s(url) | parse.s())()``, a Celery chain);
- ``branch`` on every row: it runs on some paths only (inside an ``if``/``else``, a loop, a
  ``match`` case, an ``except``/``else``/``finally``), so a name it writes may keep its old
  value;
- a lambda: its body is the ``return`` row of its own unit (``<locals>.<lambda>``); a name
  bound to one (``go = lambda c: ...``) reads ``name:<lambda>`` first, so that the engine runs
  it where ``go(x)`` is called;
- ``match``: the names a ``case`` pattern captures take the subject (``unpack``), except those
  ``case int(n)`` / ``float`` / ``bool`` capture (a number: a row without inputs);
- guards: ``if <check of x>: abort()/raise/return`` at the top level of a function (not in a
  branch or a loop) gives ``target="guard"``, ``how="reject"`` on the ``if`` (``"reject:path"``
  when the check only keeps paths in: ``".." in x``); ``if <validation of x>:`` anywhere gives
  ``how="accept"`` (or ``"accept:path"``) on a row that spans the ``if`` body: x is clean there.

The inputs of an expression are read through subscripts, operators, f-strings, ``%`` and
``"...".format()``, containers, conditional expressions (both branches, or only the one a
constant test such as ``7 * 42 > 200`` takes), comprehensions and lambdas (coarse),
``await``; they stop at a call (``call:<id>``, its own ``arg`` rows say what went in), at a
walrus (``name:<target>``, its own row says what went in) and at comparisons and ``not`` (a
boolean carries no text).

Rows that need the call ids of the calls inside their value are made on ``leave_``: by then
the walker has visited those calls. Call ids are numbered exactly as ``core.calls`` numbers
them (``visit_Call`` order, which this extractor also listens to; it declares no knowledge, so
it runs on every file as ``core.calls`` does). Expressions are read with an explicit stack,
never recursion, and never beyond the next call.
"""

from __future__ import annotations

import ast
from typing import Any

from auditls.extractors.semantic import BUILTIN_NAMES, Binding, Context, Scope
from auditls.extractors.walker import Extractor, register
from auditls.facts import builder
from auditls.facts.taint import FlowFact
from auditls.knowledge.flask import ABORTS
from auditls.knowledge.security import (
    EXIT_CALLS,
    VALIDATION_MATCHERS,
    VALIDATION_METHODS,
    VALIDATION_PATTERN_METHODS,
)

# Syntax nodes are read by class identity (``n.__class__ is _Name``, cheaper than isinstance on
# every node), so their attributes are reached through ``Any``-typed locals.
_Name = ast.Name
_Constant = ast.Constant
_Attribute = ast.Attribute
_Call = ast.Call
_Subscript = ast.Subscript
_BinOp = ast.BinOp
_JoinedStr = ast.JoinedStr
_FormattedValue = ast.FormattedValue
_Starred = ast.Starred
_Tuple = ast.Tuple
_List = ast.List
#: FlowFacts are the commonest facts of all: made by ``facts.builder``.
_flow = builder(FlowFact)
_DISPLAYS = frozenset({ast.Tuple, ast.List, ast.Set})
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp})
#: Calls that never return, so that an ``if`` whose body ends with one rejects.
_LEAVING_CALLS = ABORTS | EXIT_CALLS
#: Statements inside which an ``if`` runs only on some paths (or repeatedly): no guard there.
_BRANCHES = frozenset({ast.If, ast.While, ast.For, ast.AsyncFor, ast.Match})
_TRIES = frozenset({ast.Try, ast.TryStar})
#: Where an allowlist's values may come from: a name, an attribute, a literal collection.
_COLLECTIONS = frozenset({ast.Name, ast.Attribute, ast.Set, ast.List, ast.Tuple, ast.Dict})
#: Classes whose ``case C(n)`` pattern captures a number.
_NUMBER_CLASSES = frozenset({"builtins.int", "builtins.float", "builtins.bool"})


def _replaces(stmt: Any, name: str) -> bool:
    """``name = <a value made without name>``: the statement replaces the name's value."""
    if stmt.__class__ is not ast.Assign or len(stmt.targets) != 1:
        return False
    target = stmt.targets[0]
    if target.__class__ is not _Name or target.id != name:
        return False
    return not any(n.__class__ is _Name and n.id == name for n in ast.walk(stmt.value))


class _Span:
    """Where a run of statements is: from the first's start to the last's end (a guard row
    that spans an ``if`` body)."""

    def __init__(self, first: Any, last: Any) -> None:
        self.lineno, self.col_offset = first.lineno, first.col_offset
        self.end_lineno, self.end_col_offset = last.end_lineno, last.end_col_offset


def _is_format_call(node: Any) -> bool:
    """``"...".format(...)`` (``value_kind``'s "format_call")."""
    func = node.func
    return (
        func.__class__ is _Attribute
        and func.attr == "format"
        and func.value.__class__ is _Constant
        and isinstance(func.value.value, str)
    )


def _is_str(node: Any) -> bool:
    return node.__class__ is _JoinedStr or (
        node.__class__ is _Constant and isinstance(node.value, str)
    )


def _is_allowlist(node: Any) -> bool:
    """``x if x in ALLOWED else default``: the value is one the program allows."""
    test = node.test
    return bool(
        node.body.__class__ is _Name
        and test.__class__ is ast.Compare
        and len(test.ops) == 1
        and test.ops[0].__class__ is ast.In
        and test.left.__class__ is _Name
        and test.left.id == node.body.id
        and test.comparators[0].__class__ in _COLLECTIONS
    )


#: Operators a constant condition may use (``7 * 42 > 200``), with their functions.
_CONSTANT_OPS: dict[type, Any] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
#: A condition whose value is not known from the text alone.
_UNKNOWN = object()
#: Past this size a constant's value is not worked out (``"x" * 10**9`` is no condition).
_CONSTANT_LIMIT = 1 << 64


def _constant(node: Any, depth: int = 0) -> Any:
    """The value of a condition made only of literals (``7 * 42 > 200``, ``not 0``,
    ``"a" == "b"``), else ``_UNKNOWN``. Numbers, strings, booleans and None only; small values
    only (no ``**``, no large products): never a cost at extraction."""
    if depth > 20:
        return _UNKNOWN
    c = node.__class__
    if c is _Constant:
        value = node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        return _UNKNOWN
    if c is ast.UnaryOp:
        operand = _constant(node.operand, depth + 1)
        if operand is _UNKNOWN:
            return _UNKNOWN
        op = node.op.__class__
        if op is ast.Not:
            return not operand
        if isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand if op is ast.USub else operand if op is ast.UAdd else _UNKNOWN
        return _UNKNOWN
    if c is ast.BoolOp:
        values = [_constant(v, depth + 1) for v in node.values]
        if any(v is _UNKNOWN for v in values):
            return _UNKNOWN
        return all(values) if node.op.__class__ is ast.And else any(values)
    if c is _BinOp or c is ast.Compare:
        if c is _BinOp:
            pairs = [(node.op, node.left, node.right)]
        else:
            operands = [node.left, *node.comparators]
            pairs = [(op, a, b) for op, a, b in zip(node.ops, operands, operands[1:], strict=False)]
        result: Any = True
        for op, left, right in pairs:
            func = _CONSTANT_OPS.get(op.__class__)
            a, b = _constant(left, depth + 1), _constant(right, depth + 1)
            if func is None or a is _UNKNOWN or b is _UNKNOWN:
                return _UNKNOWN
            if isinstance(a, str) != isinstance(b, str) and c is _BinOp:
                return _UNKNOWN  # `"a" * 3`: not a condition worth working out
            try:
                value = func(a, b)
            except (TypeError, ZeroDivisionError, ValueError, OverflowError):
                return _UNKNOWN
            if isinstance(value, (int, float)) and not -_CONSTANT_LIMIT < value < _CONSTANT_LIMIT:
                return _UNKNOWN
            if c is _BinOp:
                return value
            result = result and value
        return result
    return _UNKNOWN


def _live_branch(node: Any) -> Any:
    """The branch a conditional expression takes when its test is a constant
    (``x if 7 * 42 > 200 else "safe"``), else None: both may run."""
    value = _constant(node.test)
    if value is _UNKNOWN:
        return None
    return node.body if value else node.orelse


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


@register
class FlowsExtractor(Extractor):
    """Flow facts for the taint engine (see the module docstring)."""

    name = "taint.flows"
    fact_types = (FlowFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.next_call_id = 0
        #: id() of each call node visited so far -> its call_id (the nodes live as long as the
        #: walk, so their ids are unique meanwhile).
        self.call_ids: dict[int, int] = {}
        self.own = ctx.module + "."
        self.ascii = ctx.text.isascii()
        self.lookup = ctx.lookup

    # -- rows -----------------------------------------------------------------------------------

    def _row(
        self,
        at: Any,
        target: str,
        inputs: tuple[str, ...],
        how: str,
        call_id: int | None = None,
        position: int | None = None,
        keyword: str | None = None,
    ) -> None:
        ctx = self.ctx
        branch = not self._on_every_path()
        if self.ascii:  # columns are bytes, which are code points: no conversion
            span = (at.lineno, at.col_offset + 1, at.end_lineno, at.end_col_offset + 1)
        else:
            span = ctx.span(at)
        self.emit(
            _flow(
                span,
                function=ctx.scopes[-1].function,
                target=target,
                inputs=inputs,
                how=how,
                call_id=call_id,
                position=position,
                keyword=keyword,
                branch=branch,
            )
        )

    # -- names and inputs -----------------------------------------------------------------------

    def _ref(self, name: str) -> str | None:
        """The qualified name a bare name refers to when it is a ``ref:`` (an import, a builtin,
        a module-level alias of something outside this module), else None (``name:``)."""
        return self._ref_of(name, self.lookup(name))

    def _ref_of(self, name: str, found: tuple[Binding, Scope] | None) -> str | None:
        if found is None:
            return "builtins." + name if name in BUILTIN_NAMES else None
        binding, scope = found
        qualname = binding.qualname
        if qualname is None:
            return None
        kind = binding.kind
        if kind == "import":
            return qualname
        if kind == "assign" and scope.kind in ("module", "class"):
            return None if qualname.startswith(self.own) else qualname
        return None

    def _name(self, name: str) -> str:
        """``name:x`` or ``ref:<qualname>`` for a bare name (``_ref_of``, inlined: the commonest
        input)."""
        found = self.lookup(name)
        if found is None:
            return "ref:builtins." + name if name in BUILTIN_NAMES else "name:" + name
        binding = found[0]
        qualname = binding.qualname
        if qualname is None:
            return "name:" + name
        kind = binding.kind
        if kind == "import" or (
            kind == "assign"
            and found[1].kind in ("module", "class")
            and not qualname.startswith(self.own)
        ):
            return "ref:" + qualname
        return "name:" + name

    def _chain(self, node: Any) -> Any:
        """``ref:<qualname>`` or ``attr:<as written>`` for a chain of attributes off a name;
        otherwise the expression at its root (a call, a subscript...), to read through."""
        attrs = [node.attr]
        cur = node.value
        while cur.__class__ is _Attribute:
            attrs.append(cur.attr)
            cur = cur.value
        if cur.__class__ is not _Name:
            return cur
        attrs.reverse()
        root: str = cur.id
        ref = self._ref(root)
        if ref is not None:
            return "ref:" + ref + "." + ".".join(attrs)
        return "attr:" + root + "." + ".".join(attrs)

    def _inputs(self, node: Any) -> tuple[str, ...]:
        """What the value of ``node`` is made of, in source order, each input once."""
        cls = node.__class__
        if cls is _Name:
            return (self._name(node.id),)
        if cls is _Constant:
            return ()
        if cls is _Call:
            call_id = self.call_ids.get(id(node))
            if call_id is not None and not _is_format_call(node):
                return ("call:" + str(call_id),)
        elif cls is _Attribute:
            found = self._chain(node)
            if found.__class__ is str:
                return (found,)
        out: list[str] = []
        self._collect(node, out)
        if len(out) > 1:
            return tuple(dict.fromkeys(out))
        return tuple(out)

    def _collect(self, node: ast.expr, out: list[str]) -> None:
        """Append the inputs of ``node`` to ``out``: an explicit stack, children pushed in
        reverse so that they come out in source order."""
        call_ids = self.call_ids
        stack: list[Any] = [node]
        push = stack.append
        pop = stack.pop
        while stack:
            n = pop()
            c = n.__class__
            if c is _Name:
                out.append(self._name(n.id))
            elif c is _Constant:
                continue
            elif c is _Attribute:
                found = self._chain(n)
                if found.__class__ is str:
                    out.append(found)
                else:
                    push(found)
            elif c is _Call:
                call_id = call_ids.get(id(n))
                if call_id is not None and not _is_format_call(n):
                    out.append("call:" + str(call_id))
                    continue
                # "...".format(...) is read through; so is a call not numbered yet (in a
                # lambda's body, which the walker visits later): its receiver and arguments.
                for kw in reversed(n.keywords):
                    push(kw.value)
                for a in reversed(n.args):
                    push(a)
                if n.func.__class__ is _Attribute and call_id is None:
                    push(n.func.value)
            elif c is _Subscript or c is _Starred or c is ast.Await:
                push(n.value)
            elif c is _BinOp:
                push(n.right)
                push(n.left)
            elif c is _JoinedStr:
                for v in reversed(n.values):
                    if v.__class__ is _FormattedValue:
                        push(v)
            elif c is _FormattedValue:
                if n.format_spec is not None:
                    push(n.format_spec)
                push(n.value)
            elif c in _DISPLAYS:
                for e in reversed(n.elts):
                    push(e)
            elif c is ast.Dict:
                for k, v in zip(reversed(n.keys), reversed(n.values), strict=True):
                    push(v)
                    if k is not None:
                        push(k)
            elif c is ast.IfExp:
                live = _live_branch(n)
                if live is not None:
                    push(live)  # a constant test: only the branch it takes
                else:
                    push(n.orelse)
                    push(n.body)
            elif c is ast.BoolOp:
                for v in reversed(n.values):
                    push(v)
            elif c is ast.UnaryOp:
                if n.op.__class__ is not ast.Not:
                    push(n.operand)
            elif c is ast.NamedExpr:
                out.append("name:" + n.target.id)
            elif c in _COMPREHENSIONS or c is ast.DictComp:
                for gen in reversed(n.generators):
                    push(gen.iter)
                if c is ast.DictComp:
                    push(n.value)
                    push(n.key)
                else:
                    push(n.elt)
            elif c is ast.Lambda:
                push(n.body)
            # Compare, `not`, yield (the value sent in), slices: nothing flows.

    def _how(self, value: Any) -> str:
        """How the inputs of ``value`` are combined (its outermost operation)."""
        c = value.__class__
        if c is _Name or c is _Attribute or c is _Constant or c is _Subscript:
            return "="
        if c is _Call:
            return "format" if _is_format_call(value) else "="
        if c is _BinOp:
            if value.op.__class__ is ast.Mod and _is_str(value.left):
                return "format"
            return "concat"
        if c is _JoinedStr:
            values = value.values
            return "format" if any(v.__class__ is _FormattedValue for v in values) else "="
        if c is ast.IfExp:
            return "allowlist" if _is_allowlist(value) else "="
        if c is ast.Await:
            return "await"
        if c in _COMPREHENSIONS or c is ast.DictComp:
            return "comprehension"
        return "="

    # -- targets --------------------------------------------------------------------------------

    def _target(self, node: Any) -> str | None:
        """The target string of a store into a name, attribute or item (None: not a store we
        can name, such as an item of a literal)."""
        c = node.__class__
        if c is _Name:
            return f"name:{node.id}"
        if c is _Attribute:
            found = self._chain(node)
            if isinstance(found, str):
                return found
            return "attr:" + self.ctx.text_of(node)
        if c is _Subscript:
            inputs = self._inputs(node.value)
            if not inputs:
                return None
            first = inputs[0]
            return "item:" + (first[4:] if first.startswith("ref:") else first)
        return None

    def _store(self, target: ast.expr, inputs: tuple[str, ...], how: str) -> None:
        """One row per name, attribute or item that ``target`` stores into."""
        stack: list[Any] = [target]
        while stack:
            t = stack.pop()
            c = t.__class__
            if c is _Tuple or c is _List:
                stack.extend(reversed(t.elts))
            elif c is _Starred:
                stack.append(t.value)
            else:
                name = self._target(t)
                if name is not None:
                    self._row(t, name, inputs, how)

    def _assign(self, target: Any, value: ast.expr) -> None:
        c = target.__class__
        if c is _Name and value.__class__ is ast.Lambda:
            # `go = lambda c: ...`: the name holds the lambda, a function of this scope that
            # a later `go(x)` runs (the engine resolves `name:<lambda>` as a nested function);
            # what its body reads follows, coarse, for a lambda passed on.
            inputs = ("name:<lambda>", *self._inputs(value))
            self._row(target, "name:" + target.id, tuple(dict.fromkeys(inputs)), "=")
        elif c is _Name:  # the common case
            self._row(target, "name:" + target.id, self._inputs(value), self._how(value))
        elif c is _Tuple or c is _List:
            self._unpack(target, value)
        else:
            self._store(target, self._inputs(value), self._how(value))

    def _unpack(self, target: ast.expr, value: ast.expr) -> None:
        """``a, b = x, y`` element by element; otherwise every name gets the whole value."""
        work: list[tuple[Any, Any]] = [(target, value)]
        while work:
            t, v = work.pop()
            if (
                (t.__class__ is _Tuple or t.__class__ is _List)
                and (v.__class__ is _Tuple or v.__class__ is _List)
                and len(t.elts) == len(v.elts)
                and not any(e.__class__ is _Starred for e in t.elts)
                and not any(e.__class__ is _Starred for e in v.elts)
            ):
                work.extend(reversed(list(zip(t.elts, v.elts, strict=True))))
            else:
                self._store(t, self._inputs(v), "unpack")

    # -- statements and expressions -------------------------------------------------------------

    def leave_Assign(self, node: ast.Assign) -> None:
        value = node.value
        targets = node.targets
        if len(targets) == 1:
            self._assign(targets[0], value)
            return
        inputs: tuple[str, ...] | None = None
        for target in targets:
            if target.__class__ is _Tuple or target.__class__ is _List:
                self._unpack(target, value)
            else:
                if inputs is None:
                    inputs = self._inputs(value)
                self._store(target, inputs, self._how(value))

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def leave_AugAssign(self, node: ast.AugAssign) -> None:
        inputs = self._inputs(node.target) + self._inputs(node.value)
        self._store(node.target, tuple(dict.fromkeys(inputs)), "aug")

    def leave_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._row(node.target, "name:" + node.target.id, self._inputs(node.value), "walrus")

    def _out(self, node: ast.Return | ast.Yield | ast.YieldFrom, target: str) -> None:
        """A value leaving the function (``return`` / ``yield``): one row when it has inputs."""
        value = node.value
        if value is not None:
            inputs = self._inputs(value)
            if inputs:
                self._row(node, target, inputs, self._how(value))

    def leave_Return(self, node: ast.Return) -> None:
        self._out(node, "return")

    def leave_Yield(self, node: ast.Yield) -> None:
        self._out(node, "yield")

    def leave_YieldFrom(self, node: ast.YieldFrom) -> None:
        self._out(node, "yield")

    def leave_For(self, node: ast.For) -> None:  # and AsyncFor
        self._store(node.target, self._inputs(node.iter), "for")

    def leave_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._store(node.optional_vars, self._inputs(node.context_expr), "with")

    def leave_comprehension(self, node: ast.comprehension) -> None:
        self._store(node.target, self._inputs(node.iter), "comprehension")

    def leave_Lambda(self, node: ast.Lambda) -> None:
        """A lambda's body is its return value: a ``return`` row of the lambda's own unit, its
        names read in the lambda's scope (the walker has left it: it is opened again)."""
        ctx = self.ctx
        ctx.enter_body(node)
        try:
            inputs = self._inputs(node.body)
            if inputs:
                self._row(node.body, "return", inputs, self._how(node.body))
        finally:
            ctx.leave_body(node)

    def visit_match_case(self, node: ast.match_case) -> None:
        """The names a ``case`` pattern captures take the subject's value (coarse: a part of
        it), before the case's body runs; ``case int(n)`` (and ``float``, ``bool``) captures
        a number, which carries nothing (a row without inputs)."""
        stmts: list[Any] = self.ctx.stmts
        match = stmts[-1] if stmts else None
        if match.__class__ is not ast.Match:
            return
        assert isinstance(match, ast.Match)
        inputs = self._inputs(match.subject)
        if not inputs:
            return
        harmless: set[int] = set()
        for pattern in ast.walk(node.pattern):
            c = pattern.__class__
            if c is ast.MatchClass:
                assert isinstance(pattern, ast.MatchClass)
                cls = pattern.cls
                if cls.__class__ is _Name and self._ref(cls.id) in _NUMBER_CLASSES:
                    harmless.update(id(p) for p in pattern.patterns)
            elif c is ast.MatchAs or c is ast.MatchStar:
                name = getattr(pattern, "name", None)
                if name is not None:
                    clean = id(pattern) in harmless  # a number: nothing flows
                    self._row(pattern, "name:" + name, () if clean else inputs, "unpack")
            elif c is ast.MatchMapping:
                rest = getattr(pattern, "rest", None)
                if rest is not None:
                    self._row(pattern, "name:" + rest, inputs, "unpack")

    # -- calls ----------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.call_ids[id(node)] = self.next_call_id
        self.next_call_id += 1

    def leave_Call(self, node: ast.Call) -> None:
        call_id = self.call_ids[id(node)]
        func = node.func
        if func.__class__ is _Attribute:
            self._receiver(func.value, call_id)
        elif func.__class__ is _BinOp:  # `(fetch.s(url) | parse.s())()`: a Celery chain
            self._receiver(func, call_id)
        for position, arg in enumerate(node.args):
            if arg.__class__ is _Starred:
                value: Any = arg.value
                keyword: str | None = "*"
            else:
                value, keyword = arg, None
            c = value.__class__
            if c is _Name:  # the commonest argument
                self._row(arg, "arg", (self._name(value.id),), "=", call_id, position, keyword)
            elif c is not _Constant and (inputs := self._inputs(value)):
                self._row(arg, "arg", inputs, self._how(value), call_id, position, keyword)
        for kw in node.keywords:
            value = kw.value
            if value.__class__ is not _Constant and (inputs := self._inputs(value)):
                name = kw.arg if kw.arg is not None else "**"
                self._row(kw, "arg", inputs, self._how(value), call_id, -1, name)

    def _receiver(self, receiver: Any, call_id: int) -> None:
        c = receiver.__class__
        if c is _Name:
            name: str = receiver.id
            found = self.lookup(name)
            if found is None:
                if name in BUILTIN_NAMES:
                    return  # str.join, dict.fromkeys: a class
            elif found[0].kind in ("import", "class"):
                return  # a module, an imported name or a class: the callee resolves through it
            if self._ref_of(name, found) is None:
                self._row(receiver, "receiver", ("name:" + name,), "=", call_id)
            return
        if c is _Constant:
            return
        inputs = self._inputs(receiver)
        if inputs and not all(i.startswith("ref:") for i in inputs):
            self._row(receiver, "receiver", inputs, self._how(receiver), call_id)

    # -- guards ---------------------------------------------------------------------------------

    def visit_If(self, node: ast.If) -> None:
        test: Any = node.test
        c = test.__class__
        ors = test.values if c is ast.BoolOp and test.op.__class__ is ast.Or else [test]
        rejected: dict[str, str] = {}
        for t in ors:
            found = self._checked(t)
            if found is not None:
                rejected.setdefault(found[0], found[1])
        last = node.body[-1]
        if rejected and self._unconditional(node):
            # `if x not in ALLOWED: abort(400)`; or `if x not in ALLOWED: x = "name"` (the
            # bad value is replaced: after the `if`, x is one the check allows).
            if not self._leaves(last):
                rejected = {n: k for n, k in rejected.items() if _replaces(last, n)}
            for name, kinds in rejected.items():
                self._row(node, "guard", ("name:" + name,), "reject" + kinds)
            if rejected:
                return
        # `if <validation of x>: body`: x is clean inside the body (the row spans the body).
        ands = test.values if c is ast.BoolOp and test.op.__class__ is ast.And else [test]
        accepted: dict[str, str] = {}
        for t in ands:
            found = self._accepted(t)
            if found is not None:
                accepted.setdefault(found[0], found[1])
        if accepted:
            body = _Span(node.body[0], node.body[-1])
            for name, kinds in accepted.items():
                self._row(body, "guard", ("name:" + name,), "accept" + kinds)

    def _checked(self, test: Any) -> tuple[str, str] | None:
        """The name a test rejects bad values of when it is true, and for which sink kinds
        (``""``: every kind; ``":path"``): ``x not in ALLOWED``, ``".." in x`` (paths),
        ``not x.isdigit()``, ``not re.fullmatch(P, x)``, ``not P.match(x)``."""
        c = test.__class__
        if c is ast.Compare:
            assert isinstance(test, ast.Compare)
            if len(test.ops) != 1:
                return None
            op = test.ops[0].__class__
            left, right = test.left, test.comparators[0]
            if op is ast.NotIn and left.__class__ is _Name:
                return left.id, ""
            if op is ast.In and right.__class__ is _Name and _is_str(left):
                return right.id, ":path"
            return None
        if c is not ast.UnaryOp or test.op.__class__ is not ast.Not:
            return None
        inner = test.operand
        if inner.__class__ is ast.Compare:
            if (
                len(inner.ops) == 1
                and inner.ops[0].__class__ is ast.In
                and inner.left.__class__ is _Name
            ):
                return str(inner.left.id), ""
            return None
        name = self._validated(inner)
        return None if name is None else (name, "")

    def _accepted(self, test: Any) -> tuple[str, str] | None:
        """The name a test accepts only good values of when it is true, and for which sink
        kinds: ``x in ALLOWED``, ``x == "literal"``, ``x.isdigit()``, ``re.fullmatch(P, x)``,
        ``P.match(x)``, ``".." not in x`` (paths)."""
        c = test.__class__
        if c is ast.Compare:
            assert isinstance(test, ast.Compare)
            if len(test.ops) != 1:
                return None
            op = test.ops[0].__class__
            left, right = test.left, test.comparators[0]
            if left.__class__ is not _Name and right.__class__ is _Name and op is ast.NotIn:
                return (right.id, ":path") if _is_str(left) else None
            if left.__class__ is not _Name:
                return None
            if op is ast.In and right.__class__ in _COLLECTIONS:
                return left.id, ""
            if op is ast.Eq and right.__class__ is _Constant and left.id != "__name__":
                return left.id, ""
            return None
        if c is _Call:
            name = self._validated(test)
            return None if name is None else (name, "")
        return None

    def _validated(self, call: Any) -> str | None:
        """The name a validating call checks (``x.isdigit()``, ``re.fullmatch(P, x)``,
        ``P.match(x)``), else None."""
        if call.__class__ is not _Call:
            return None
        func = call.func
        args = call.args
        checked: Any = None
        if func.__class__ is _Attribute and func.attr in VALIDATION_METHODS and not args:
            checked = func.value
        else:
            qualname = self.ctx.qualname(func)
            if qualname in VALIDATION_MATCHERS:
                checked = args[1] if len(args) > 1 else _keyword(call, "string")
            elif func.__class__ is _Attribute and func.attr in VALIDATION_PATTERN_METHODS:
                checked = args[0] if args else _keyword(call, "string")
        if checked.__class__ is _Name:
            return str(checked.id)
        return None

    def _leaves(self, stmt: Any) -> bool:
        """Whether a block that ends with ``stmt`` never falls through."""
        c = stmt.__class__
        if c is ast.Return or c is ast.Raise:
            return True
        if c is ast.Expr and stmt.value.__class__ is _Call:
            return self.ctx.qualname(stmt.value.func) in _LEAVING_CALLS
        return False

    def _unconditional(self, node: ast.If) -> bool:
        """Whether the ``if`` runs on every path through its function: only ``with``, a class
        body or the body of a ``try`` encloses it (no branch, loop, ``elif`` or handler)."""
        return self._on_every_path()

    def _on_every_path(self) -> bool:
        """Whether the current statement runs on every path through its function (see
        ``_unconditional``)."""
        stmts: list[Any] = self.ctx.stmts
        for i in range(len(stmts) - 1):
            parent, child = stmts[i], stmts[i + 1]
            c = parent.__class__
            if c in _BRANCHES:
                return False
            if c in _TRIES and not any(s is child for s in parent.body):
                return False
        return True
