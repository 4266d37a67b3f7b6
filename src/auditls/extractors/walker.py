"""One walk, many extractors.

Extractors are small classes with ``visit_<Node>`` / ``leave_<Node>`` methods. ``register``
checks each method name against the ``ast`` module at import time and records the class in the
registry; the walker merges every registered extractor's methods into one dispatch table keyed by
node class, and walks each file's tree once, iteratively (an explicit stack: a 3,000-term
``a + a + ...`` does not raise ``RecursionError``).

The algorithm, in order:

1. The semantic model (``Context``) enters the node first (scope push, import bindings,
   statement tracking), then every extractor's ``visit_`` for that node class runs.
2. Children are pushed in evaluation order. Function and lambda *bodies* are deferred, as
   pyflakes does: they run after the module body, with the scope stack of their definition, so
   a body sees every module-level binding (a helper defined below its caller resolves).
3. After the children, each extractor's ``leave_`` runs, then the model leaves the node (name
   bindings made by assignments take effect here, after their value has been resolved).

Because bodies are deferred, an extractor must take its context (enclosing function, class,
statement) from ``self.ctx`` and never from its own visit/leave stack.

An exception inside one extractor drops that extractor's facts for the file and is recorded in
``FileFacts.extractor_errors``; with ``STRICT`` set (the test suite sets it) it is re-raised.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from auditls import yielding
from auditls.extractors.prefilter import Needs, needs_of
from auditls.extractors.semantic import MODEL_ENTER, MODEL_LEAVE, STMT_CLASSES
from auditls.facts import Fact, fast_init

if TYPE_CHECKING:
    from auditls.extractors.semantic import Context

#: Re-raise extractor exceptions instead of isolating them (set by the test suite).
STRICT = False

#: Node families: a handler named after the first class also receives the others, unless the
#: extractor defines a handler for that other class itself. The one place families are aliased.
NODE_FAMILIES: dict[type[ast.AST], tuple[type[ast.AST], ...]] = {
    ast.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    ast.For: (ast.For, ast.AsyncFor),
    ast.With: (ast.With, ast.AsyncWith),
    ast.ListComp: (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp),
}

#: Every node class that opens a scope of its own.
SCOPE_NODES: tuple[type[ast.AST], ...] = (
    ast.Module,
    ast.ClassDef,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSION_NODES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPREHENSION_SET: frozenset[type[ast.AST]] = frozenset(COMPREHENSION_NODES)

# Fields that never hold child nodes worth visiting: names and flags, expression contexts
# (Load/Store singletons) and operator singletons (read them from the parent).
_SKIP_FIELDS = frozenset(
    {"ctx", "op", "id", "attr", "arg", "asname", "module", "level", "kind", "conversion",
     "is_async", "type_comment", "name", "rest", "kwd_attrs", "tag"}
)  # fmt: skip
_NO_CHILDREN: frozenset[type[ast.AST]] = frozenset(
    {ast.Constant, ast.Name, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal}
)

Handler = Callable[["Extractor", ast.AST], None]


class Extractor:
    """Base class of every extractor. One instance per file; facts go through ``emit``.

    The knowledge an extractor reads is declared, as tables of ``auditls.knowledge``, and the
    files it runs on are derived from it (``prefilter``); an extractor that declares none runs on
    every file.
    """

    #: Registry name, e.g. "core.calls". Used in error reports and timings.
    name: ClassVar[str] = ""
    #: The fact types this extractor emits (the store creates their tables).
    fact_types: ClassVar[tuple[type[Fact], ...]] = ()
    #: Tables of qualified names it looks for, as ``ctx.qualname`` resolves them (callees,
    #: decorators, base classes): it runs on a file that imports a name's top-level module and
    #: spells its last part (every file imports ``builtins``).
    qualnames: ClassVar[tuple[Iterable[str], ...]] = ()
    #: Tables of classes whose instances it follows however they are named (apps, extensions):
    #: it runs on a file that imports the package of one of them.
    instances_of: ClassVar[tuple[Iterable[str], ...]] = ()
    #: Tables of names it matches as written, without resolving them (a method called on an
    #: object of any or unknown type, a setting): it runs on a file that spells one as a word.
    names: ClassVar[tuple[Iterable[str], ...]] = ()
    #: Tables of text it looks for anywhere (a literal path prefix, the start of a setting's
    #: name): it runs on a file whose text contains one.
    fragments: ClassVar[tuple[Iterable[str], ...]] = ()
    #: Derived by ``register`` from the four above, never written by hand: what a file must
    #: contain for this extractor to run, and the top-level modules that takes.
    needs: ClassVar[Needs]
    modules: ClassVar[frozenset[str]]

    #: Records one fact of this file (the list's own append: no Python frame per fact).
    emit: Callable[[Fact], None]

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.facts: list[Fact] = []
        self.emit = self.facts.append

    def finish(self) -> None:
        """Called once after the whole file has been walked."""


#: The registry: every extractor class, in registration order.
REGISTRY: list[type[Extractor]] = []


def _ast_class(name: str) -> type[ast.AST] | None:
    cls = getattr(ast, name, None)
    if isinstance(cls, type) and issubclass(cls, ast.AST):
        return cls
    return None


def handler_names(cls: type[Extractor]) -> Iterator[tuple[str, str]]:
    """(prefix, node class name) for each visit_/leave_ method of an extractor class."""
    for attr in dir(cls):
        for prefix in ("visit_", "leave_"):
            if attr.startswith(prefix):
                yield prefix, attr[len(prefix) :]


E = TypeVar("E", bound=type[Extractor])


def register(cls: E) -> E:
    """Class decorator: check the handlers and add the extractor to the registry."""
    if not cls.name:
        raise TypeError(f"{cls.__qualname__}: an extractor needs a `name`")
    for prefix, node_name in handler_names(cls):
        if _ast_class(node_name) is None:
            raise TypeError(
                f"{cls.__qualname__}.{prefix}{node_name}: `{node_name}` is not an ast node class"
            )
    if any(existing.name == cls.name for existing in REGISTRY):
        raise TypeError(f"duplicate extractor name {cls.name!r}")
    if "modules" in cls.__dict__ or "needs" in cls.__dict__:
        raise TypeError(
            f"{cls.__qualname__}: declare the knowledge it reads (qualnames, instances_of, "
            "names, fragments); its modules are derived from it"
        )
    cls.needs = needs_of(cls)
    cls.modules = frozenset(cls.needs.modules)
    for fact_type in cls.fact_types:
        fast_init(fact_type)
    REGISTRY.append(cls)
    return cls


def _expand(node_cls: type[ast.AST], defined: set[type[ast.AST]]) -> tuple[type[ast.AST], ...]:
    family = NODE_FAMILIES.get(node_cls)
    if family is None:
        return (node_cls,)
    return (node_cls, *(c for c in family if c is not node_cls and c not in defined))


Table = dict[type[ast.AST], list[tuple[int, Handler]]]


def build_tables(classes: list[type[Extractor]]) -> tuple[Table, Table]:
    """Merge the extractors' handlers into per-node-class lists of (extractor index, function)."""
    visit: Table = {}
    leave: Table = {}
    for index, cls in enumerate(classes):
        names = list(handler_names(cls))
        for prefix in ("visit_", "leave_"):
            defined = {c for p, n in names if p == prefix and (c := _ast_class(n)) is not None}
            table = visit if prefix == "visit_" else leave
            for p, node_name in names:
                node_cls = _ast_class(node_name)
                if p != prefix or node_cls is None:
                    continue
                func: Handler = getattr(cls, prefix + node_name)
                for target in _expand(node_cls, defined):
                    table.setdefault(target, []).append((index, func))
    return visit, leave


_FIELD_CACHE: dict[type[ast.AST], tuple[str, ...]] = {}
_REV_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}
_DEF_CLASSES: frozenset[type[ast.AST]] = frozenset(
    {ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef}
)


def _child_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    fields = _FIELD_CACHE.get(cls)
    if fields is None:
        fields = (
            () if cls in _NO_CHILDREN else tuple(f for f in cls._fields if f not in _SKIP_FIELDS)
        )
        _FIELD_CACHE[cls] = fields
    return fields


def _reversed_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    fields = tuple(reversed(_child_fields(cls)))
    _REV_FIELDS[cls] = fields
    return fields


def children(node: ast.AST) -> list[ast.AST]:
    """Child nodes in evaluation order (generic: field order; comprehensions: clauses first)."""
    cls = type(node)
    if cls in _NO_CHILDREN:
        return []
    out: list[ast.AST] = []
    if cls in _COMPREHENSION_SET:
        out.extend(node.generators)  # type: ignore[attr-defined]
        if cls is ast.DictComp:
            out.extend((node.key, node.value))  # type: ignore[attr-defined]
        else:
            out.append(node.elt)  # type: ignore[attr-defined]
        return out
    AST = ast.AST
    for field in _child_fields(cls):
        value = getattr(node, field, None)
        if value.__class__ is list:
            for v in value:
                if isinstance(v, AST):
                    out.append(v)
        elif isinstance(value, AST):
            out.append(value)
    return out


def definition_children(node: ast.AST) -> list[ast.AST]:
    """What a def/lambda/class evaluates at definition time, before its body."""
    out: list[ast.AST] = []
    if isinstance(node, ast.ClassDef):
        out.extend(node.decorator_list)
        out.extend(node.bases)
        out.extend(node.keywords)
        return out
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        out.extend(node.decorator_list)
    assert isinstance(node, FUNCTION_NODES)
    args = node.args
    out.extend(d for d in args.defaults)
    out.extend(d for d in args.kw_defaults if d is not None)
    for a in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
        if a is not None and a.annotation is not None:
            out.append(a.annotation)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
        out.append(node.returns)
    return out


# Stack entry phases (a node to enter is pushed as itself).
_LEAVE, _DEF_END, _CLASS_BODY, _CLASS_END = range(1, 5)
# Kinds of node for the walk: the rest, definitions (body deferred), comprehensions.
_PLAIN, _DEF, _COMP = range(3)
#: A handler bound to its extractor: (registry index, ``handler(node)``).
Bound = list[tuple[int, Callable[[ast.AST], None]]]
#: Per node class: (a statement, the model's enter hook, the visit handlers, kind, a leave
#: step needed, the child fields in reverse).
Plan = tuple[
    bool, Callable[["Context", Any], None] | None, Bound | None, int, bool, tuple[str, ...]
]


class Walker:
    """Walks one tree once, dispatching to a set of extractor instances."""

    def __init__(
        self,
        ctx: Context,
        extractors: list[Extractor],
        visit: Table,
        leave: Table,
        timings: dict[str, float] | None = None,
    ) -> None:
        self.ctx = ctx
        self.extractors = extractors
        self.failed: dict[int, str] = {}
        self.timings = timings
        self.deferred: list[tuple[ast.AST, list[object]]] = []
        # The handlers bound to this walk's extractors once (a method call per node and
        # handler, no lookup of the extractor); an extractor that fails leaves them (``_fail``).
        self.visit: dict[type[ast.AST], Bound] = {c: self._bind(h) for c, h in visit.items()}
        self.leave: dict[type[ast.AST], Bound] = {c: self._bind(h) for c, h in leave.items()}
        # Statements always need their leave (the statement stack); others only when listened to.
        self.needs_leave = STMT_CLASSES | frozenset(MODEL_LEAVE) | frozenset(leave)
        #: ``_plan`` of each node class met in this walk (cleared when an extractor fails).
        self.plans: dict[type[ast.AST], Plan] = {}
        # Leaves nobody listens to (most Name and Constant nodes) are never pushed.
        self.skip_leaf = frozenset(
            c for c in _NO_CHILDREN if c not in visit and c not in leave and c not in MODEL_ENTER
        )

    def _bind(self, handlers: list[tuple[int, Handler]]) -> Bound:
        bound: Bound = []
        for index, func in handlers:
            ext = self.extractors[index]
            method = func.__get__(ext)
            if self.timings is not None:
                method = self._timed(ext.name, method)
            bound.append((index, method))
        return bound

    def _timed(self, name: str, method: Callable[[ast.AST], None]) -> Callable[[ast.AST], None]:
        timings = self.timings
        assert timings is not None

        def timed(node: ast.AST) -> None:
            start = time.perf_counter()
            try:
                method(node)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

        return timed

    def _fail(self, index: int, exc: Exception, node: ast.AST | None) -> None:
        """An extractor raised: record it, and take its handlers out of the tables (in place:
        the walk holds them)."""
        if STRICT:
            raise exc
        ext = self.extractors[index]
        where = "finish" if node is None else f"line {getattr(node, 'lineno', '?')}"
        self.failed[index] = f"{ext.name}: {type(exc).__name__}: {exc} ({where})"
        for table in (self.visit, self.leave):
            for cls, bound in table.items():
                if any(i == index for i, _ in bound):
                    table[cls] = [(i, h) for i, h in bound if i != index]
        self.plans.clear()

    def _dispatch(self, handlers: Bound, node: ast.AST) -> None:
        for index, handler in handlers:
            try:
                handler(node)
            except Exception as exc:
                self._fail(index, exc, node)

    def run(self, tree: ast.Module) -> None:
        self._walk(tree)
        # Deferred bodies may defer nested bodies in turn: a FIFO over a growing list.
        i = 0
        while i < len(self.deferred):
            node, scopes = self.deferred[i]
            i += 1
            yielding.point()  # between two function bodies (the server's store thread)
            self.ctx.restore(scopes)
            self.ctx.enter_body(node)
            assert isinstance(node, FUNCTION_NODES)
            body: list[ast.AST] = list(node.body) if isinstance(node.body, list) else [node.body]
            for stmt in body:
                self._walk(stmt)
            self.ctx.leave_body(node)
            handlers = self.leave.get(type(node))
            if handlers:
                self._dispatch(handlers, node)
        for index, ext in enumerate(self.extractors):
            if index in self.failed:
                continue
            try:
                ext.finish()
            except Exception as exc:
                self._fail(index, exc, None)

    def _plan(self, cls: type[ast.AST]) -> Plan:
        """What entering a node of this class takes, looked up once per class and walk."""
        kind = _DEF if cls in _DEF_CLASSES else _COMP if cls in _COMPREHENSION_SET else _PLAIN
        fields = _REV_FIELDS.get(cls)
        if fields is None:
            fields = _reversed_fields(cls)
        plan = (
            cls in STMT_CLASSES,
            MODEL_ENTER.get(cls),
            self.visit.get(cls) or None,
            kind,
            cls in self.needs_leave,
            fields,
        )
        self.plans[cls] = plan
        return plan

    def _walk(self, root: ast.AST) -> None:
        """The walk of one subtree. The stack holds a node to enter as itself, any other step
        as a (phase, node) tuple: entering is nearly every step, and needs no tuple."""
        ctx = self.ctx
        leave = self.leave
        model_leave = MODEL_LEAVE
        stmt_classes = STMT_CLASSES
        skip_leaf = self.skip_leaf
        plans = self.plans
        node_base = ast.AST
        stmts = ctx.stmts
        stack: list[object] = [root]
        push = stack.append
        pop = stack.pop
        while stack:
            item = pop()
            if item.__class__ is not tuple:
                node: ast.AST = item  # type: ignore[assignment]
                cls = node.__class__
                plan = plans.get(cls)
                if plan is None:
                    plan = self._plan(cls)
                is_stmt, hook, handlers, kind, leaves, fields = plan
                if is_stmt:
                    stmts.append(node)  # type: ignore[arg-type]
                if hook is not None:
                    hook(ctx, node)
                if handlers:
                    for index, handler in handlers:  # ``_dispatch``, inline: most nodes
                        try:
                            handler(node)
                        except Exception as exc:
                            self._fail(index, exc, node)
                if kind == _DEF:
                    kids = definition_children(node)
                    if cls is ast.ClassDef:
                        assert isinstance(node, ast.ClassDef)
                        push((_CLASS_END, node))
                        for stmt in reversed(node.body):
                            push(stmt)
                        push((_CLASS_BODY, node))
                    else:
                        # Definition-time parts now, the body later; leave_ runs after the body.
                        self.deferred.append((node, ctx.snapshot()))
                        push((_DEF_END, node))
                    for child in reversed(kids):
                        push(child)
                    continue
                if leaves:
                    push((_LEAVE, node))
                if kind == _COMP:
                    for child in reversed(children(node)):
                        push(child)
                    continue
                for field in fields:
                    value = getattr(node, field, None)
                    if value.__class__ is list:
                        for child in reversed(value):
                            if isinstance(child, node_base) and child.__class__ not in skip_leaf:
                                push(child)
                    elif isinstance(value, node_base) and value.__class__ not in skip_leaf:
                        push(value)
                continue
            phase, node = item
            cls = node.__class__
            if phase == _LEAVE:
                handlers = leave.get(cls)
                if handlers:
                    for index, handler in handlers:
                        try:
                            handler(node)
                        except Exception as exc:
                            self._fail(index, exc, node)
                hook = model_leave.get(cls)
                if hook is not None:
                    hook(ctx, node)
                if cls in stmt_classes:
                    stmts.pop()
            elif phase == _DEF_END:
                if cls in stmt_classes:
                    stmts.pop()
            elif phase == _CLASS_BODY:
                ctx.enter_body(node)
            else:  # _CLASS_END
                ctx.leave_body(node)
                handlers = leave.get(cls)
                if handlers:
                    self._dispatch(handlers, node)
                stmts.pop()
