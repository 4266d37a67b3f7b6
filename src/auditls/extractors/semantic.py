"""The semantic model every extractor shares: scopes, bindings, qualified names, positions.

``Context.qualname(expr)`` answers "what does this expression name?" with a dotted qualified
name, or ``None`` when the model cannot know. It never guesses from the text:

- a bare name is looked up through the scope stack (function scopes see enclosing functions and
  the module, never an enclosing class body), then the builtins (``builtins.eval``);
- ``import a.b as c`` binds ``c`` to ``a.b``; ``from .m import x`` binds ``x`` to
  ``<package>.m.x``; a local ``def eval`` binds ``eval`` to ``<module>.eval``;
- an assignment binds its target to what the value names (``s = subprocess``) or, for a call,
  marks the target as an *instance of* the callee (``app = Flask(__name__)``), so ``app.route``
  resolves to ``flask.Flask.route``; any other assignment shadows the name (unknown);
- a parameter, a variable or a ``self.x`` annotated with a class is an instance of it, through
  ``Optional``, ``X | None``, strings, ``Annotated``, aliases of this file, bound TypeVars
  (``extractors.annotations``); ``self``/``cls`` in a method is an instance of the enclosing
  class; a call of a function of this file annotated ``-> Session`` gives a ``Session``.

Bindings are flow-ordered within a scope (the last assignment seen wins). Function bodies run
after the module body (see ``walker``), so they see the module's final bindings.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from auditls.extractors.annotations import (
    NEW_TYPES,
    TYPE_ALIAS_MARKS,
    TYPE_VARIABLES,
    annotated_class,
    type_alias_value,
)
from auditls.facts import Fact, Span

if TYPE_CHECKING:
    from auditls.extractors.prefilter import FileScan

T = TypeVar("T")

BUILTIN_NAMES = frozenset(dir(builtins))
#: Calls whose value is a name the model can resolve when their arguments are literals.
_READS_A_NAME = frozenset({"builtins.getattr", "builtins.__import__", "importlib.import_module"})

#: Every statement class: the walker keeps the stack of statements being walked.
STMT_CLASSES: frozenset[type[ast.AST]] = frozenset(
    c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.stmt)
)

#: Cut source text stored in facts to this many characters.
TEXT_LIMIT = 200


@dataclass(slots=True)
class Binding:
    """What one name is bound to in one scope."""

    kind: str  # import | def | class | assign | param | loop | with | except | global-decl
    qualname: str | None = None  # the object the name refers to, when known
    instance_of: str | None = None  # the name holds the result of calling this
    #: the type the name stands for, when it may be an alias (``X = Optional[Session]``,
    #: ``type X = ...``) or a type variable (the ``TypeVar(...)`` call)
    alias: ast.expr | None = None


@dataclass(slots=True)
class Scope:
    """A module, class, function, lambda or comprehension scope."""

    kind: str  # module | class | function | lambda | comprehension
    qualname: str  # dotted qualified name of the scope
    node: ast.AST | None = None
    bindings: dict[str, Binding] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)  # names declared `global`/`nonlocal`
    class_qualname: str | None = None  # for a function directly in a class: that class
    function: str = ""  # the innermost function (or module) scope's qualname, this one included
    enclosing_class: str | None = None  # the innermost class scope, unless a function intervenes
    attrs: dict[str, Binding] = field(default_factory=dict)  # a class's `self.x = ...` attributes


def package_of(path: str, module: str) -> str:
    """The package a file's relative imports start from: itself for an ``__init__.py``."""
    is_package = path.endswith(("__init__.py", "__init__.pyi"))
    return module if is_package else module.rpartition(".")[0]


def resolve_relative(package: str, module: str | None, level: int) -> str:
    """The absolute module a ``from ... import`` names, from the importing file's package."""
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: max(0, len(parts) - (level - 1))]
    if module:
        parts.append(module)
    return ".".join(parts)


def module_from_path(path: str) -> str:
    """A module name from a workspace-relative path alone (no disk access): src/ layouts."""
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    if parts and parts[-1].endswith(".py"):
        parts[-1] = parts[-1][:-3]
    elif parts and parts[-1].endswith(".pyi"):
        parts[-1] = parts[-1][:-4]
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    return ".".join(parts) or "__main__"


class Context:
    """The semantic model of one file, updated by the walker as it goes.

    One context lives for one walk; whatever the extractors of that walk share lives on it
    (``shared``), never in a module global, so two walks (two files, two threads) never meet.
    """

    def __init__(self, text: str, path: str, module: str, scan: FileScan | None = None) -> None:
        self.path = path
        self.module = module
        self.is_package = path.endswith(("__init__.py", "__init__.pyi"))
        self.package = package_of(path, module)
        #: What the pre-filter read of this file (its imports); None when the walk was set up by
        #: hand (then ``file_scan`` makes one on demand).
        self.scan = scan
        self._shared: dict[type, object] = {}
        self.text = text
        self._data = text.encode("utf-8")
        self._ascii = len(self._data) == len(text)
        starts = [0]
        find = self._data.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        self._line_starts = starts
        self.scopes: list[Scope] = [Scope("module", module, function=module)]
        #: The innermost scope, and what the extractors ask of it most (plain attributes, kept
        #: by ``_moved`` whenever the scope stack changes: they are read for nearly every fact).
        self.scope: Scope = self.scopes[0]
        #: Qualified name of the innermost function (or the module at top level).
        self.function: str = module
        #: Qualified name of the innermost enclosing class scope, if any.
        self.class_name: str | None = None
        self.stmts: list[ast.stmt] = []
        self.star_imports: list[str] = []
        self.class_scopes: dict[str, Scope] = {}  # the classes of this file, by qualname
        #: Functions of this file with a return annotation -> it (resolved on first use).
        self.returns: dict[str, ast.expr] = {}
        self._returned: dict[str, str | None] = {}
        #: Counts the changes of the model's state (scopes, bindings, attributes, returns): a
        #: name resolved at one count is resolved again only once the count moved.
        self.changes = 0
        #: ``qualname`` answers by node: id -> (node, ``changes`` then, answer). The node is
        #: held, so that its id is not reused while the entry stands.
        self._resolved: dict[int, tuple[ast.AST, int, str | None]] = {}

    # ---- state of this walk ---------------------------------------------------------------

    def shared(self, kind: type[T]) -> T:
        """The one ``kind()`` of this walk, made on first use: state that several extractors of
        one file share (the values assigned to names, ``security.values.ValueMemory``)."""
        found = self._shared.get(kind)
        if found is None:
            found = self._shared[kind] = kind()
        return found  # type: ignore[return-value]

    def file_scan(self) -> FileScan:
        """What the pre-filter reads of this file: the modules it imports, the names it spells."""
        if self.scan is None:
            from auditls.extractors.prefilter import FileScan  # late: prefilter imports this module

            self.scan = FileScan(self.text, self.path, self.module)
        return self.scan

    # ---- positions and text -------------------------------------------------------------

    def _cp(self, line: int, byte_col: int) -> int:
        """A UTF-8 byte column on a 1-based line, as a 0-based code-point column."""
        if self._ascii or byte_col <= 0:
            return byte_col
        start = self._line_starts[line - 1] if line - 1 < len(self._line_starts) else 0
        chunk = self._data[start : start + byte_col]
        if chunk.isascii():
            return byte_col
        return len(chunk.decode("utf-8", errors="replace"))

    def span(self, node: ast.AST) -> Span:
        """``pos`` as a tuple (line, col, end_line, end_col), for ``facts.builder``'s."""
        if self._ascii:
            try:
                return (
                    node.lineno,  # type: ignore[attr-defined]
                    node.col_offset + 1,  # type: ignore[attr-defined]
                    node.end_lineno,  # type: ignore[attr-defined]
                    node.end_col_offset + 1,  # type: ignore[attr-defined]
                )
            except (AttributeError, TypeError):
                pass  # a node without a full position: the general path below
        p = self.pos(node)
        return (p["line"], p["col"], p["end_line"], p["end_col"])

    def pos(self, node: ast.AST) -> dict[str, int]:
        """The 1-based position fields of a fact located at ``node``."""
        if self._ascii:
            try:
                return {
                    "line": node.lineno,  # type: ignore[attr-defined]
                    "col": node.col_offset + 1,  # type: ignore[attr-defined]
                    "end_line": node.end_lineno,  # type: ignore[attr-defined]
                    "end_col": node.end_col_offset + 1,  # type: ignore[attr-defined]
                }
            except (AttributeError, TypeError):
                pass  # a node without a full position: the general path below
        line: int = getattr(node, "lineno", 1)
        end_line: int = getattr(node, "end_lineno", None) or line
        col: int = getattr(node, "col_offset", 0)
        end_col: int = getattr(node, "end_col_offset", None) or col
        return {
            "line": line,
            "col": self._cp(line, col) + 1,
            "end_line": end_line,
            "end_col": self._cp(end_line, end_col) + 1,
        }

    def text_of(self, node: ast.AST, limit: int = TEXT_LIMIT) -> str:
        """The source text of a node, cut to ``limit`` characters.

        Names and dotted names are rebuilt from the tree (whitespace inside a dotted name is
        normalised away); anything else is sliced from the source.
        """
        cls = node.__class__
        if cls is ast.Name:
            return node.id  # type: ignore[attr-defined,no-any-return]
        if cls is ast.Attribute:
            parts = [node.attr]  # type: ignore[attr-defined]
            cur = node.value  # type: ignore[attr-defined]
            while cur.__class__ is ast.Attribute:
                parts.append(cur.attr)
                cur = cur.value
            if cur.__class__ is ast.Name and len(parts) < 20:
                parts.append(cur.id)
                return ".".join(reversed(parts))[:limit]
        line = getattr(node, "lineno", None)
        end_line = getattr(node, "end_lineno", None)
        if line is None or end_line is None:
            return ""
        starts = self._line_starts
        if end_line - 1 >= len(starts):
            return ""
        a = starts[line - 1] + node.col_offset  # type: ignore[attr-defined]
        b = starts[end_line - 1] + (node.end_col_offset or 0)  # type: ignore[attr-defined]
        if self._ascii:  # bytes are characters: slice the text, no decoding
            if limit and b - a > limit:
                b = a + limit
            return self.text[a:b]
        if limit and b - a > limit * 4:
            b = a + limit * 4
        text = self._data[a:b].decode("utf-8", errors="replace")
        return text[:limit] if limit and len(text) > limit else text

    # ---- scopes ---------------------------------------------------------------------------

    def _moved(self) -> None:
        """The scope stack changed: the innermost scope's attributes, and ``changes``."""
        scope = self.scope = self.scopes[-1]
        self.function = scope.function
        self.class_name = scope.enclosing_class
        self.changes += 1

    def push_scope(self, kind: str, qualname: str, node: ast.AST | None) -> Scope:
        """Open a scope, working out its enclosing function and class once."""
        outer = self.scopes[-1]
        scope = Scope(kind, qualname, node)
        if kind in ("function", "lambda"):
            scope.function = qualname
            scope.class_qualname = outer.qualname if outer.kind == "class" else None
        elif kind == "class":
            scope.function = outer.function
            scope.enclosing_class = qualname
            self.class_scopes[qualname] = scope
        else:
            scope.function = outer.function
            scope.enclosing_class = outer.enclosing_class
        self.scopes.append(scope)
        self._moved()
        return scope

    @property
    def stmt_line(self) -> int:
        """First line of the innermost statement being walked (its first decorator's line)."""
        if not self.stmts:
            return 1
        stmt = self.stmts[-1]
        decorators = getattr(stmt, "decorator_list", None)
        return decorators[0].lineno if decorators else stmt.lineno

    def def_qualname(self, node: ast.AST) -> str:
        """The qualified name a def/class/lambda node gets in the current scope."""
        name = getattr(node, "name", "<lambda>")
        scope = self.scope
        if scope.kind in ("function", "lambda"):
            return f"{scope.qualname}.<locals>.{name}"
        return f"{scope.qualname}.{name}"

    def snapshot(self) -> list[object]:
        """The scope stack, to restore for a deferred body (scopes are shared, not copied)."""
        return list(self.scopes)

    def restore(self, scopes: list[object]) -> None:
        self.scopes = [s for s in scopes if isinstance(s, Scope)]
        self.stmts = []
        self._moved()

    # ---- walker hooks ---------------------------------------------------------------------

    def enter(self, node: ast.AST) -> None:
        """Model bookkeeping on entering a node (the walker calls the table entries directly)."""
        if isinstance(node, ast.stmt):
            self.stmts.append(node)
        handler = MODEL_ENTER.get(type(node))
        if handler is not None:
            handler(self, node)

    def leave(self, node: ast.AST) -> None:
        """Model bookkeeping on leaving a node (the walker calls the table entries directly)."""
        handler = MODEL_LEAVE.get(type(node))
        if handler is not None:
            handler(self, node)
        if isinstance(node, ast.stmt) and self.stmts and self.stmts[-1] is node:
            self.stmts.pop()

    # Binding hooks, one per node class, gathered in MODEL_ENTER / MODEL_LEAVE below.

    def _enter_import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            target = alias.name if alias.asname else alias.name.partition(".")[0]
            self.bind(bound, Binding("import", qualname=target))

    def _enter_import_from(self, node: ast.ImportFrom) -> None:
        base = self.resolve_relative(node.module, node.level)
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(base)
                continue
            target = f"{base}.{alias.name}" if base else alias.name
            self.bind(alias.asname or alias.name, Binding("import", qualname=target))

    def _enter_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qualname = self.def_qualname(node)
        self.bind(node.name, Binding("def", qualname=qualname))
        if node.returns is not None:
            self.returns[qualname] = node.returns
            self.changes += 1

    def _enter_class(self, node: ast.ClassDef) -> None:
        self.bind(node.name, Binding("class", qualname=self.def_qualname(node)))

    def _enter_global(self, node: ast.Global | ast.Nonlocal) -> None:
        self.scope.globals.update(node.names)
        self.changes += 1

    def _enter_comp(self, node: ast.AST) -> None:
        self.push_scope("comprehension", f"{self.scopes[-1].qualname}.<comp>", node)

    def _leave_comp(self, node: ast.AST) -> None:
        self.scopes.pop()
        self._moved()

    def _enter_comprehension(self, node: ast.comprehension) -> None:
        self.bind_target(node.target, Binding("loop"))

    def _enter_for(self, node: ast.For | ast.AsyncFor) -> None:
        self.bind_target(node.target, Binding("loop"))

    def _enter_except(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name, Binding("except"))

    def _leave_assign(self, node: ast.Assign) -> None:
        value = node.value
        if isinstance(value, ast.Constant) and value.value is None:
            # `except ImportError: yaml = None` is a placeholder for a missing module, not
            # a new meaning of the name: an import binding in this scope survives it.
            targets = [
                t for t in node.targets
                if not (isinstance(t, ast.Name) and self._is_import(t.id))
            ]  # fmt: skip
        else:
            targets = node.targets
        binding = self.binding_for_value(value)
        for target in targets:
            if isinstance(target, ast.Attribute):
                self._bind_instance_attr(target, value, binding)
            else:
                self.bind_target(target, binding)

    def _bind_instance_attr(self, target: ast.Attribute, value: ast.AST, binding: Binding) -> None:
        """``self.x = value`` in a method of a class of this file: remember what ``x`` holds."""
        owner = target.value
        if not isinstance(owner, ast.Name):
            return
        found = self.lookup(owner.id)
        if found is None or found[0].kind != "param" or found[0].instance_of is None:
            return
        scope = self.class_scopes.get(found[0].instance_of)
        if scope is None:
            return
        if isinstance(value, ast.Constant) and value.value is None:
            return  # `self.conn = None` placeholders do not hide the real assignment
        scope.attrs[target.attr] = binding
        self.changes += 1

    def _leave_ann_assign(self, node: ast.AnnAssign) -> None:
        value = node.value
        annotation = node.annotation
        if value is not None:
            binding = self.binding_for_value(value)
            if (
                isinstance(annotation, ast.Name | ast.Attribute)
                and self.qualname(annotation) in TYPE_ALIAS_MARKS
            ):
                binding.alias = value  # `DbDep: TypeAlias = Annotated[...]`
                self.bind_target(node.target, binding)
                return
        else:
            binding = Binding("assign")
        if binding.qualname is None:
            declared = self.annotated_class(annotation)  # the declared type wins over a factory
            if declared is not None:
                binding.instance_of = declared
        target = node.target
        if isinstance(target, ast.Attribute):
            if value is None or binding.instance_of is not None:
                self._bind_instance_attr(target, ast.Pass(), binding)  # `self.db: Session`
            else:
                self._bind_instance_attr(target, value, binding)
            return
        self.bind_target(target, binding)

    def _leave_type_alias(self, node: ast.AST) -> None:
        """``type X = ...`` (Python 3.12+): ``X`` stands for the value."""
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            self.bind(name.id, Binding("assign", alias=getattr(node, "value", None)))

    def _leave_aug_assign(self, node: ast.AugAssign) -> None:
        self.bind_target(node.target, Binding("assign"))

    def _leave_named_expr(self, node: ast.NamedExpr) -> None:
        # The walrus binds in the enclosing non-comprehension scope.
        binding = self.binding_for_value(node.value)
        for scope in reversed(self.scopes):
            if scope.kind != "comprehension":
                scope.bindings[node.target.id] = binding
                break
        self.changes += 1

    def _leave_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            inst = self.callee_or_instance(node.context_expr)
            self.bind_target(node.optional_vars, Binding("with", instance_of=inst))

    def enter_body(self, node: ast.AST) -> None:
        """Open the scope of a class body or a (deferred) function body."""
        if isinstance(node, ast.ClassDef):
            self.push_scope("class", self.def_qualname(node), node)
            return
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        qualname = self.def_qualname(node)
        kind = "lambda" if isinstance(node, ast.Lambda) else "function"
        outer = self.scopes[-1]
        class_qualname = outer.qualname if outer.kind == "class" else None
        args = node.args
        ordered = [*args.posonlyargs, *args.args]
        params = [*ordered, args.vararg, *args.kwonlyargs, args.kwarg]
        first = ordered[0].arg if ordered else None
        decorators = {
            self.qualname(d) for d in getattr(node, "decorator_list", []) if isinstance(d, ast.Name)
        }
        is_static = "builtins.staticmethod" in decorators
        type_params = getattr(node, "type_params", None)  # `def f[T: Session](s: T)`, 3.12+
        scope: Scope | None = None
        if type_params:
            scope = self.push_scope(kind, qualname, node)
            for tp in type_params:
                bound = getattr(tp, "bound", None)
                alias = None if isinstance(bound, ast.Tuple) else bound
                scope.bindings[tp.name] = Binding("assign", alias=alias)
            self.changes += 1
        bindings: dict[str, Binding] = {}
        for a in params:
            if a is None:
                continue
            inst = self.annotated_class(a.annotation) if a.annotation is not None else None
            if a.arg == first and class_qualname and not is_static and inst is None:
                inst = class_qualname  # self, or cls (close enough for attribute lookups)
            bindings[a.arg] = Binding("param", instance_of=inst)
        if scope is None:
            scope = self.push_scope(kind, qualname, node)
        scope.bindings.update(bindings)
        self.changes += 1

    def leave_body(self, node: ast.AST) -> None:
        self.scopes.pop()
        self._moved()

    # ---- bindings -------------------------------------------------------------------------

    def _is_import(self, name: str) -> bool:
        existing = self.scope.bindings.get(name)
        return existing is not None and existing.kind == "import"

    def bind(self, name: str, binding: Binding) -> None:
        scope = self.scope
        if name in scope.globals and scope.kind != "module":
            self.scopes[0].bindings[name] = binding
        else:
            scope.bindings[name] = binding
        self.changes += 1

    def bind_target(self, target: ast.AST, binding: Binding) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, binding)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self.bind_target(elt, Binding(binding.kind))
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, Binding(binding.kind))

    def binding_for_value(self, value: ast.AST) -> Binding:
        if isinstance(value, ast.Name | ast.Attribute):
            q = self.qualname(value)
            if q is not None:
                return Binding("assign", qualname=q)
            # `Again = Dep`: an alias of an alias stays one (annotations follow the name)
            alias = value if isinstance(value, ast.Name) else None
            return Binding("assign", instance_of=self.instance_of(value), alias=alias)
        cls = value.__class__
        if cls is ast.Call:
            func = value.func  # type: ignore[attr-defined]
            if func.__class__ is ast.Subscript:
                func = func.value  # `Repository[User]()` makes a Repository
            callee = self.qualname(func)
            if callee in _READS_A_NAME:
                read = self.getattr_name(value) or self.imported_module(value)  # type: ignore[arg-type]
                if read is not None:  # `run = getattr(subprocess, "run")`, `m = __import__("os")`
                    return Binding("assign", qualname=read)
            if callee in TYPE_VARIABLES or callee in NEW_TYPES:
                return Binding("assign", instance_of=callee, alias=value)  # type: ignore[arg-type]
            return Binding("assign", instance_of=callee)
        if cls is ast.Subscript or cls is ast.BinOp:
            return Binding("assign", alias=value)  # type: ignore[arg-type]  # maybe a type alias
        return Binding("assign")

    def lookup(self, name: str) -> tuple[Binding, Scope] | None:
        scopes = self.scopes
        innermost = scopes[-1]
        if name in innermost.globals and innermost.kind != "module":
            b = scopes[0].bindings.get(name)
            return (b, scopes[0]) if b is not None else None
        last = len(scopes) - 1
        for i in range(last, -1, -1):
            scope = scopes[i]
            if scope.kind == "class" and i != last:
                continue
            b = scope.bindings.get(name)
            if b is not None:
                return b, scope
        return None

    def resolve_relative(self, module: str | None, level: int) -> str:
        """The absolute module a `from ... import` names."""
        return resolve_relative(self.package, module, level)

    # ---- queries --------------------------------------------------------------------------

    def qualname(self, expr: ast.AST | None) -> str | None:
        """The qualified name an expression refers to, or None when it cannot be known.

        Extractors ask it of the same nodes again and again (most calls' callees by five of
        them or more): an answer stands until the model's state changes (``changes``)."""
        if expr is None:
            return None
        key = id(expr)
        known = self._resolved.get(key)
        if known is not None and known[1] == self.changes:
            return known[2]
        found = self._qualname(expr)
        self._resolved[key] = (expr, self.changes, found)
        return found

    def _qualname(self, expr: ast.AST) -> str | None:
        attrs: list[str] = []
        node = expr
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        base: str | None
        if isinstance(node, ast.Name):
            found = self.lookup(node.id)
            if found is not None:
                b = found[0]
                base = b.qualname
                if base is None and attrs and b.instance_of is not None:
                    base = b.instance_of
                    if base in self.returns:
                        base = self.returned(base) or base
                    if base in self.class_scopes:
                        base = self._through_attrs(base, attrs)
            elif node.id in BUILTIN_NAMES:  # even after a star import: shadowing one is rare
                base = f"builtins.{node.id}"
            else:
                base = None
        elif isinstance(node, ast.Call):
            base = self.getattr_name(node)  # `getattr(os, "system")` is `os.system`
            if base is None:
                base = self.imported_module(node)  # `importlib.import_module("os").system`
            if base is None and attrs:
                base = self.qualname(node.func)
                if base is not None and base in self.returns:
                    base = self.returned(base) or base  # `self.session().execute(...)`
        else:
            base = None
        if base is None:
            return None
        if attrs:
            return base + "." + ".".join(reversed(attrs))
        return base

    def getattr_name(self, call: ast.Call) -> str | None:
        """What ``getattr(obj, "name")`` (or with a default) reads, when ``obj`` resolves and
        the name is a literal: ``getattr(os, "system")`` is ``os.system``. Else None."""
        if not 2 <= len(call.args) <= 3 or call.keywords:
            return None
        name = call.args[1]
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return None
        if not name.value.isidentifier() or self.qualname(call.func) != "builtins.getattr":
            return None
        base = self.qualname(call.args[0])
        return None if base is None else f"{base}.{name.value}"

    def imported_module(self, call: ast.Call) -> str | None:
        """The module ``importlib.import_module("os")`` or ``__import__("os")`` returns, when
        its name is a literal (``__import__("os.path")`` returns ``os``). Else None."""
        if len(call.args) != 1 or call.keywords:
            return None
        name = call.args[0]
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return None
        if not all(part.isidentifier() for part in name.value.split(".")):
            return None
        callee = self.qualname(call.func)
        if callee == "importlib.import_module":
            return name.value
        if callee == "builtins.__import__":
            return name.value.partition(".")[0]
        return None

    def _through_attrs(self, base: str, attrs: list[str]) -> str:
        """Follow ``self.x.y`` through the attributes recorded on this file's classes.

        ``attrs`` is the attribute chain in reverse (last attribute first); consumed entries are
        popped, so the caller appends what is left to the returned base.
        """
        while attrs:
            scope = self.class_scopes.get(base)
            if scope is None:
                break
            name = attrs[-1]
            b = scope.attrs.get(name) or scope.bindings.get(name)
            if b is None:
                break
            if b.qualname is not None:
                base = b.qualname
            elif b.instance_of is not None and len(attrs) > 1:
                base = b.instance_of
            else:
                break
            attrs.pop()
        return base

    def annotated_class(self, annotation: ast.expr | None) -> str | None:
        """The class a value annotated with ``annotation`` is an instance of, when known
        (``extractors.annotations``)."""
        return annotated_class(self, annotation)

    def type_alias(self, node: ast.expr) -> ast.expr | None:
        """The type expression a name of this file stands for (``Order`` in ``Order =
        Literal["asc", "desc"]``, ``type Order = ...``), else None."""
        return type_alias_value(self, node)

    def returned(self, function: str) -> str | None:
        """The class a function of this file is annotated to return (``-> Session``): a class
        of a library or of the workspace, not a builtin or a ``typing`` form."""
        if function in self._returned:
            return self._returned[function]
        found = self.annotated_class(self.returns[function])
        if found is not None and found.startswith(("builtins.", "typing.", "typing_extensions.")):
            found = None
        self._returned[function] = found
        return found

    def instance_of(self, expr: ast.AST) -> str | None:
        """The class (or factory) whose call produced the value of ``expr``, when known."""
        if isinstance(expr, ast.Name):
            found = self.lookup(expr.id)
            return found[0].instance_of if found is not None else None
        if isinstance(expr, ast.Call):
            return self.qualname(expr.func)
        return None

    def callee_or_instance(self, expr: ast.AST) -> str | None:
        if isinstance(expr, ast.Call):
            return self.qualname(expr.func)
        return self.instance_of(expr)

    def name_info(self, name: str) -> tuple[str | None, str]:
        """``(qualname, origin)`` of a bare name with one scope lookup."""
        found = self.lookup(name)
        if found is None:
            if name in BUILTIN_NAMES:
                return f"builtins.{name}", "builtin"
            return None, "unknown"
        binding, scope = found
        kind = binding.kind
        if kind == "param":
            origin = "param"
        elif kind == "import":
            origin = "import"
        elif scope.kind == "module":
            origin = "global"
        else:
            origin = "local"
        return binding.qualname, origin

    def origin(self, name: str) -> str:
        """Where a bare name comes from: param | local | global | import | builtin | unknown."""
        found = self.lookup(name)
        if found is None:
            return "builtin" if name in BUILTIN_NAMES else "unknown"
        binding, scope = found
        if binding.kind == "param":
            return "param"
        if binding.kind == "import":
            return "import"
        if scope.kind == "module":
            return "global"
        return "local"

    def is_builtin(self, expr: ast.AST, name: str) -> bool:
        return self.qualname(expr) == f"builtins.{name}"


def at(ctx: Context, node: ast.AST) -> dict[str, int]:
    """Shorthand used by extractors: position fields for a fact at ``node``."""
    return ctx.pos(node)


ModelHook = Callable[[Context, Any], None]
_COMPS: tuple[type[ast.AST], ...] = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

#: What the model does on entering a node, by node class (bindings, scopes).
MODEL_ENTER: dict[type[ast.AST], ModelHook] = {
    ast.Import: Context._enter_import,
    ast.ImportFrom: Context._enter_import_from,
    ast.FunctionDef: Context._enter_def,
    ast.AsyncFunctionDef: Context._enter_def,
    ast.ClassDef: Context._enter_class,
    ast.Global: Context._enter_global,
    ast.Nonlocal: Context._enter_global,
    ast.comprehension: Context._enter_comprehension,
    ast.For: Context._enter_for,
    ast.AsyncFor: Context._enter_for,
    ast.ExceptHandler: Context._enter_except,
    **dict.fromkeys(_COMPS, Context._enter_comp),
}

#: What the model does on leaving a node: assignments bind after their value is resolved.
MODEL_LEAVE: dict[type[ast.AST], ModelHook] = {
    ast.Assign: Context._leave_assign,
    ast.AnnAssign: Context._leave_ann_assign,
    ast.AugAssign: Context._leave_aug_assign,
    ast.NamedExpr: Context._leave_named_expr,
    ast.withitem: Context._leave_withitem,
    **({ast.TypeAlias: Context._leave_type_alias} if hasattr(ast, "TypeAlias") else {}),  # 3.12+
    **dict.fromkeys(_COMPS, Context._leave_comp),
}

__all__ = [
    "BUILTIN_NAMES",
    "Binding",
    "Context",
    "Fact",
    "Scope",
    "at",
    "module_from_path",
    "package_of",
    "resolve_relative",
]
