"""The workspace linker: names followed across files, at query time over the store.

Extraction sees one file, so a fact names what it uses as written in its own file, qualified by
that file's imports and scopes (``from .views import bp`` makes ``bp`` read ``pkg.views.bp``).
Which file defines ``pkg.views.bp``, and whether ``pkg.views`` only re-exports it, is known only
across files. The linker answers that for every cross-file model (Flask today; Django, the taint
engine's call graph and FastAPI next), so that each model keeps only its own objects.

How it works:

1. **Select the linked files.** A linker links a selection of files: from a store, the files
   that have rows in the tables a model asks for (a Flask model links the files with Flask rows;
   no tables means every file), in path order; in tests, the ``FileFacts`` given. Their facts are
   grouped by type once, so ``sites(FactType)`` (the rows of one table, in file then source
   order) costs one pass. From a store, only the types read are kept (``LINKED``, the
   selection's own, those a model names in ``reads``); ``whole_file`` reads the rest again.
2. **Module index.** ``modules`` maps a module to the file that defines it, for every file of the
   store (``linked_modules`` for the linked files only).
3. **Imports.** Every file's module-level imports, linked or not (re-exports often sit in a
   package ``__init__`` that never mentions the framework): ``(module, bound name) -> target``,
   and the modules each module star-imports, in the order first seen.
4. **Definitions** of the linked files: assignments whose target is a bare name and whose value
   resolved, by ``(scope, name)``; parameters by ``(function, name)``; functions and classes by
   qualified name; calls and returns by their enclosing function.
5. **Resolve.** ``chain(ref)`` follows a reference to its definition. A reference splits into a
   scope and a name (``m.f.<locals>.x`` gives ``(m.f, x)``, ``m.x`` gives ``(m, x)``); then, until
   the reference is one the caller named as a definition already (``stop``) or was seen before
   (an import cycle): an import binding of that name is followed to its target; else the last
   assignment of another name or attribute (an alias, ``bp = views.bp``; a call's result is not
   an alias) to its value; else the name in the first module the scope star-imports, when that
   module defines it (binds it by import or assignment, or defines a function or class of that
   name). Otherwise the reference is where it is defined. ``resolve`` is the chain's last step.
6. **Helper parameters.** A function that receives an object and registers things on it
   (``def register_blueprints(app)``) makes its parameter stand for whatever every caller
   passes. ``parameter(ref)`` says whether a resolved reference is a parameter of a linked
   function; ``arguments(param, passes)`` picks, from a model's records of what callers pass
   (by callee as recorded), those whose callee resolves to that function at the parameter's
   position or keyword. The model links what they pass in turn (it knows its objects).
7. **Cache.** ``link_of(store, fact_types)`` builds a linker once per store revision and
   selection, held weakly per store, like the models built on it. What it was built from (each
   file's state, module-level imports and, per selection, facts) is kept: after an edit only
   the files whose state changed are read again. Call it on the thread that owns the store. A
   linker is read-only once built; ``resolve`` without ``stop`` is memoised.

Nothing here reads source or imports the analysed code, and no SQL is written here: the store
answers by name (``paths_with_facts``, ``file_modules``, ``module_level_facts``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import weakref
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from auditls import yielding
from auditls.facts import Fact, FileFacts
from auditls.facts.core import (
    AssignmentFact,
    CallFact,
    ClassFact,
    FunctionFact,
    ImportFact,
    ParamFact,
    ReturnFact,
)

if TYPE_CHECKING:
    from auditls.store import Store

F = TypeVar("F", bound=Fact)


@dataclass(frozen=True, slots=True)
class Site(Generic[F]):
    """A fact and the file it comes from."""

    path: str
    fact: F


class Argument(Protocol):
    """What a caller passes to a function, as a model records it (``FlaskAppPassFact``)."""

    @property
    def position(self) -> int: ...  # 0-based position of the argument; -1 for a keyword one

    @property
    def keyword(self) -> str | None: ...  # the keyword, for a keyword argument


A = TypeVar("A", bound=Argument)


def split_ref(ref: str) -> tuple[str, str]:
    """``(scope, name)`` of a reference: ``m.f.<locals>.x`` gives ``(m.f, x)``."""
    if ".<locals>." in ref:
        scope, _, name = ref.rpartition(".<locals>.")
        return scope, name
    scope, _, name = ref.rpartition(".")
    return scope, name


class Linker:
    """The files of a workspace, linked by name. Build with ``link_of``, ``from_store`` or
    ``from_files``; read, never write, its attributes."""

    def __init__(
        self,
        files: Iterable[FileFacts],
        imports: Iterable[tuple[str, ImportFact]] = (),
        modules: Iterable[tuple[str, str]] = (),
        bindings: Iterable[tuple[str, str, str, bool]] = (),
        base: ImportBase | None = None,
        kept: frozenset[type[Fact]] | None = None,
        whole: Callable[[str], FileFacts | None] | None = None,
    ) -> None:
        """Link ``files``, with the module-level ``imports`` of other files (``(module, fact)``,
        or as ``bindings``: ``(module, bound, target, is_star)``, which is all a linker reads
        of them, or a ``base`` built from them once for many linkers) and the ``(module,
        path)`` of every file (the linked files are always in both). ``kept``: the fact types
        ``files`` were cut down to (``link_of``; None: every type), the only ones ``sites``
        answers for; ``whole``: a linked file's every fact (``whole_file``)."""
        #: The linked files, by path, in path order: only their ``kept`` types of facts.
        self.files: dict[str, FileFacts] = {}
        self.kept = kept
        self._whole = whole
        #: Module -> path, for every file known.
        self.modules: dict[str, str] = dict(modules)
        #: Module -> path, for the linked files.
        self.linked_modules: dict[str, str] = {}
        #: ``(module, bound name) -> target`` of every module-level import.
        self.imports: dict[tuple[str, str], str] = {}
        #: Module -> the modules it star-imports, in the order first seen.
        self.stars: dict[str, list[str]] = defaultdict(list)
        #: ``(scope, name)`` -> its assignments with a resolved value, in source order.
        self.assignments: dict[tuple[str, str], list[AssignmentFact]] = defaultdict(list)
        #: ``(function, name)`` -> the parameter.
        self.params: dict[tuple[str, str], ParamFact] = {}
        self.functions: dict[str, Site[FunctionFact]] = {}
        self.classes: dict[str, Site[ClassFact]] = {}
        #: Enclosing function -> its calls / return statements, in source order.
        self.calls: dict[str, list[CallFact]] = defaultdict(list)
        self.returns: dict[str, list[ReturnFact]] = defaultdict(list)

        self._imports_by_module: dict[str, dict[str, str]] = defaultdict(dict)
        #: The import bindings are the base's, shared until a linked file's import binds
        #: something else (two files of one module): then copied (``_own``). Copying them into
        #: every linker cost 30 MB a linker at 14,000 files.
        self._borrowed = base is not None
        if base is not None:
            self.imports = base.imports
            self.stars = base.stars
            self._imports_by_module = base.by_module
        self._groups: list[tuple[str, dict[type[Fact], list[Fact]]]] = []
        self._sites: dict[type[Fact], list[Site[Fact]]] = {}
        self._resolved: dict[str, str] = {}

        for module, fact in imports:
            self._add_import(module, fact)
        for module, bound, target, is_star in bindings:
            self._bind(module, bound, target, is_star)
        for ff in files:
            self._index_file(ff)
        # Plain dicts from here on: a read never adds a key to a shared linker.
        if not self._borrowed:
            self.stars = dict(self.stars)
            self._imports_by_module = dict(self._imports_by_module)
        self.assignments = dict(self.assignments)
        self.calls = dict(self.calls)
        self.returns = dict(self.returns)

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> Linker:
        """A linker of these files (tests, the fixture runner, one-off analyses)."""
        return cls(files)

    @classmethod
    def from_store(cls, store: Store, fact_types: Iterable[type[Fact]] | None = None) -> Linker:
        """A linker of the files in ``store`` that have rows of ``fact_types`` (every file when
        None), with the module-level imports and the module of every file."""
        if fact_types is None:
            paths = [row.path for row in store.files()]
        else:
            paths = store.paths_with_facts(fact_types)
        files = [ff for path in paths if (ff := store.file_facts(path)) is not None]
        modules = [(m, p) for p, m in sorted(store.file_modules().items()) if m is not None]
        return cls(files, store.module_level_facts(ImportFact), modules)

    def _add_import(self, module: str, fact: ImportFact) -> None:
        if fact.function == module:
            self._bind(module, fact.bound, fact.target, fact.is_star)

    def _bind(self, module: str, bound: str, target: str, is_star: bool) -> None:
        if is_star:
            if target in self.stars.get(module, ()):
                return
            self._own()
            self.stars.setdefault(module, []).append(target)
        else:
            if self.imports.get((module, bound)) == target and (
                self._imports_by_module.get(module, {}).get(bound) == target
            ):
                return  # bound so already (the base holds every file's imports)
            self._own()
            self.imports[(module, bound)] = target
            self._imports_by_module.setdefault(module, {})[bound] = target

    def _own(self) -> None:
        """Copy the shared import bindings before the first change to them."""
        if self._borrowed:
            self.imports = dict(self.imports)
            self.stars = {m: list(targets) for m, targets in self.stars.items()}
            self._imports_by_module = {m: dict(n) for m, n in self._imports_by_module.items()}
            self._borrowed = False

    def _index_file(self, ff: FileFacts, *, bind_imports: bool = True) -> None:
        path = ff.path
        self.files[path] = ff
        self.linked_modules[ff.module] = path
        self.modules.setdefault(ff.module, path)
        groups: dict[type[Fact], list[Fact]] = {}
        for fact in ff.facts:
            group = groups.get(type(fact))
            if group is None:
                groups[type(fact)] = [fact]
            else:
                group.append(fact)
        self._groups.append((path, groups))
        if bind_imports:
            for fact in cast("list[ImportFact]", groups.get(ImportFact, ())):
                self._add_import(ff.module, fact)
        for assignment in cast("list[AssignmentFact]", groups.get(AssignmentFact, ())):
            if assignment.target_name is not None and assignment.qualname is not None:
                key = (assignment.function, assignment.target_name)
                self.assignments.setdefault(key, []).append(assignment)
        for param in cast("list[ParamFact]", groups.get(ParamFact, ())):
            self.params[(param.function, param.name)] = param
        for function in cast("list[FunctionFact]", groups.get(FunctionFact, ())):
            self.functions[function.qualname] = Site(path, function)
        for class_ in cast("list[ClassFact]", groups.get(ClassFact, ())):
            self.classes[class_.qualname] = Site(path, class_)
        for call in cast("list[CallFact]", groups.get(CallFact, ())):
            self.calls.setdefault(call.function, []).append(call)
        for return_ in cast("list[ReturnFact]", groups.get(ReturnFact, ())):
            self.returns.setdefault(return_.function, []).append(return_)

    def updated(self, changed: Mapping[str, FileFacts | None]) -> Linker | None:
        """A new linker equal to this one built again with the ``changed`` files replaced (None:
        no longer linked), or None when it cannot be derived. The caller guarantees that no
        file's module-level imports or module changed (``import_generation``), so the import
        bindings are shared. What a file adds is keyed under its module (scopes, qualified
        names), so the files of the changed modules are taken out and put back, in path order,
        without touching the rest (a save of a Django file re-linked 1,600 files). A key that
        files of another module share (a function ``pkg.f`` beside a module ``pkg.f``) makes it
        give up: the order across those files would be lost."""
        modules = {ff.module for ff in changed.values() if ff is not None}
        modules.update(self.files[p].module for p in changed if p in self.files)
        before = {p: ff for p, ff in self.files.items() if ff.module in modules}
        after = {p: ff for p, ff in before.items() if p not in changed}
        after.update((p, ff) for p, ff in changed.items() if ff is not None)
        if any(ff.module not in modules for ff in after.values()):
            return None
        new = Linker.__new__(Linker)
        new.kept, new._whole = self.kept, self._whole
        new.files = {p: ff for p, ff in self.files.items() if p not in before}
        new.modules = self.modules
        new.linked_modules = {m: p for m, p in self.linked_modules.items() if m not in modules}
        new.imports, new.stars = self.imports, self.stars
        new._imports_by_module = self._imports_by_module
        new._borrowed = True  # never bound again: updated() takes no import change
        new.assignments = dict(self.assignments)
        new.params = dict(self.params)
        new.functions = dict(self.functions)
        new.classes = dict(self.classes)
        new.calls = dict(self.calls)
        new.returns = dict(self.returns)
        new._groups, new._sites, new._resolved = [], {}, {}
        old = {id(f) for ff in before.values() for f in ff.facts}
        if not new._take_out(before.values(), old) or new._shared(after.values()):
            return None
        for path in sorted(after):
            new._index_file(after[path], bind_imports=False)
        groups = dict(self._groups)
        groups.update(new._groups)
        new.files = {path: new.files[path] for path in sorted(new.files)}
        new._groups = [(path, groups[path]) for path in new.files]
        return new

    def _keyed(self, ff: FileFacts) -> Iterator[tuple[dict[Any, Any], Any]]:
        """Each (table, key) a file's facts are indexed under (see ``_index_file``)."""
        for fact in ff.facts:
            if isinstance(fact, AssignmentFact):
                if fact.target_name is not None and fact.qualname is not None:
                    yield self.assignments, (fact.function, fact.target_name)
            elif isinstance(fact, ParamFact):
                yield self.params, (fact.function, fact.name)
            elif isinstance(fact, FunctionFact):
                yield self.functions, fact.qualname
            elif isinstance(fact, ClassFact):
                yield self.classes, fact.qualname
            elif isinstance(fact, CallFact):
                yield self.calls, fact.function
            elif isinstance(fact, ReturnFact):
                yield self.returns, fact.function

    def _take_out(self, files: Iterable[FileFacts], old: set[int]) -> bool:
        """Remove what ``files`` added; False when a key holds a fact of another file."""
        for ff in files:
            for table, key in self._keyed(ff):
                value = table.pop(key, None)
                if value is None:
                    continue
                if isinstance(value, list):
                    mine = all(id(x) in old for x in value)
                elif isinstance(value, Site):
                    mine = id(value.fact) in old
                else:
                    mine = id(value) in old
                if not mine:
                    return False
        return True

    def _shared(self, files: Iterable[FileFacts]) -> bool:
        """Whether a key ``files`` would add is held already (by a file of another module)."""
        return any(key in table for ff in files for table, key in self._keyed(ff))

    # -- the facts of the linked files ------------------------------------------------------

    def sites(self, fact_type: type[F]) -> list[Site[F]]:
        """The rows of one table in the linked files, in file then source order."""
        found = self._sites.get(fact_type)
        if found is None:
            if self.kept is not None and fact_type not in self.kept:
                raise LookupError(
                    f"{fact_type.__name__} rows are not kept by this linker: "
                    "name the type in link_of(..., reads=...)"
                )
            found = [
                Site(path, fact) for path, groups in self._groups
                for fact in groups.get(fact_type, ())
            ]  # fmt: skip
            self._sites[fact_type] = found
        return cast("list[Site[F]]", found)

    def whole_file(self, path: str) -> FileFacts | None:
        """Every fact of a linked file (``files`` holds only the ``kept`` types): read from the
        store again for a linker of ``link_of``. For the rare model that reads a type in a few
        files (a Django middleware's flows), not for a pass over every file."""
        if path not in self.files:
            return None
        if self._whole is None or self.kept is None:
            return self.files[path]
        return self._whole(path)

    def imports_of(self, module: str) -> Mapping[str, str]:
        """The module-level imports of a module: bound name -> target (star imports apart, in
        ``stars``)."""
        return self._imports_by_module.get(module, {})

    # -- resolving ---------------------------------------------------------------------------

    def resolve(self, ref: str, stop: Container[str] | None = None) -> str:
        """Follow a reference through imports, re-exports and aliases to its definition (step 5
        of the module docstring); ``stop`` holds references that are definitions already."""
        if stop is not None:
            return self.chain(ref, stop)[-1]
        cached = self._resolved.get(ref)
        if cached is None:
            cached = self._resolved[ref] = self.chain(ref)[-1]
        return cached

    def chain(self, ref: str, stop: Container[str] | None = None) -> list[str]:
        """Every reference ``resolve`` passes through, ``ref`` first, the definition last:
        ``["app.bp", "app.admin.bp", "app.admin.views.bp"]`` for a re-export in a package."""
        steps = [ref]
        current = ref
        seen: set[str] = set()
        while current not in seen and not (stop is not None and current in stop):
            seen.add(current)
            step = self._step(current, stop)
            if step is None:
                break
            current = step
            steps.append(current)
        return steps

    def _step(self, ref: str, stop: Container[str] | None) -> str | None:
        scope, name = split_ref(ref)
        target = self.imports.get((scope, name))
        if target is not None:
            return target
        aliases = [a for a in self.assignments.get((scope, name), ()) if a.kind != "call"]
        if aliases and aliases[-1].qualname is not None:
            return aliases[-1].qualname
        star = next(
            (f"{m}.{name}" for m in self.stars.get(scope, ()) if f"{m}.{name}" != ref), None
        )
        if star is not None and self.defines(star, stop):
            return star
        return None

    def defines(self, ref: str, stop: Container[str] | None = None) -> bool:
        """Whether a reference names something the linked files bind: an import, an assignment,
        a function or class (or one of ``stop``)."""
        key = split_ref(ref)
        return (
            (stop is not None and ref in stop)
            or key in self.imports
            or key in self.assignments
            or ref in self.functions
            or ref in self.classes
        )

    def assigned_calls(self, ref: str) -> list[str]:
        """The callees (as resolved in their file) whose results a (resolved) reference is
        assigned from: ``app = create_app()`` gives ``["pkg.create_app"]``."""
        return [
            a.qualname for a in self.assignments.get(split_ref(ref), ())
            if a.kind == "call" and a.qualname is not None
        ]  # fmt: skip

    # -- helper parameters -------------------------------------------------------------------

    def parameter(self, ref: str) -> ParamFact | None:
        """The parameter a (resolved) reference names, when it is one of a linked function."""
        return self.params.get(split_ref(ref))

    def arguments(
        self,
        param: ParamFact,
        passes: Mapping[str, Sequence[A]],
        resolve: Callable[[str], str] | None = None,
    ) -> Iterator[A]:
        """What callers pass to ``param``: of ``passes`` (argument records by their callee as
        recorded, in the model's order), those whose callee is, or resolves to, the parameter's
        function, at its position or by its name. ``resolve`` defaults to ``self.resolve``."""
        resolve_ = resolve or self.resolve
        for callee, passed in passes.items():
            if callee == param.function or resolve_(callee) == param.function:
                for argument in passed:
                    if argument.position == param.position or argument.keyword == param.name:
                        yield argument


class ImportBase:
    """Every file's module-level imports bound as a linker binds them (in path order), built
    once and copied into each linker (``Linker(base=...)``): binding 190,000 imports again for
    every linker was most of a save's time in a 14,000-file workspace."""

    __slots__ = ("by_module", "imports", "stars")

    def __init__(self, bindings: Iterable[tuple[str, ImportFact]]) -> None:
        self.imports: dict[tuple[str, str], str] = {}
        self.stars: dict[str, list[str]] = {}
        self.by_module: dict[str, dict[str, str]] = {}
        for module, fact in bindings:
            if fact.function != module:
                continue
            if fact.is_star:
                stars = self.stars.setdefault(module, [])
                if fact.target not in stars:
                    stars.append(fact.target)
            else:
                self.imports[(module, fact.bound)] = fact.target
                self.by_module.setdefault(module, {})[fact.bound] = fact.target


#: The fact types every linker indexes (``Linker._index_file``) or answers with (``resolve``,
#: ``parameter``, ``imports_of``): kept in every selection.
LINKED: frozenset[type[Fact]] = frozenset(
    (ImportFact, AssignmentFact, ParamFact, FunctionFact, ClassFact, CallFact, ReturnFact)
)
#: A selection of files: the fact types whose files are linked (None: every file).
Selection = frozenset[type[Fact]] | None


def _trim(ff: FileFacts, kept: frozenset[type[Fact]] | None) -> FileFacts:
    """A file's facts of the ``kept`` types only (all of them for None). A model's selection
    held every fact of its files (flows, call arguments: half of them, read by no model):
    40 of the daemon's 55 MB of live objects at 1,399 files, ten times that at 13,990."""
    if kept is None:
        return ff
    return dataclasses.replace(ff, facts=[f for f in ff.facts if type(f) in kept])


def _reader(store: Store) -> Callable[[str], FileFacts | None]:
    """``store.file_facts`` without keeping the store alive (the linkers are kept weakly by
    store: a strong reference from one would keep its store forever)."""
    ref = weakref.ref(store)

    def whole(path: str) -> FileFacts | None:
        owner = ref()
        return None if owner is None else owner.file_facts(path)

    return whole


@dataclass(slots=True)
class _Kept:
    """What the linkers of one store were built from, kept to bring them up to date file by
    file: the files' states, every file's module-level imports, and each selection's files.
    ``generation`` counts the changes to what every linker reads of every file (module-level
    imports and module names): while it stands, a model whose own files did not change
    stands too (``ModelCache``)."""

    revision: int
    states: dict[str, tuple[Any, ...]]
    imports: dict[str, list[ImportFact]]
    files: dict[Selection, dict[str, FileFacts]]
    linkers: dict[Selection, Linker]
    generation: int = 0
    base: ImportBase | None = None
    #: The last linker of each selection, with the generation and the file states it was
    #: built at: while the generation stands, ``link_of`` derives the next one from it
    #: (``Linker.updated``) with the files changed since, however many revisions ago.
    built: dict[Selection, tuple[int, dict[str, tuple[Any, ...]], Linker]] = field(
        default_factory=dict
    )
    #: The fact types kept of each selection's files (None: all): ``LINKED``, the selection's
    #: own and what its callers read (``link_of(reads=...)``), widened when a caller reads more.
    widths: dict[Selection, frozenset[type[Fact]] | None] = field(default_factory=dict)

    def import_base(self) -> ImportBase:
        if self.base is None:
            self.base = ImportBase(
                (self.states[path][2], fact)
                for path in sorted(self.imports)
                for fact in self.imports[path]
            )
        return self.base


_KEPT: weakref.WeakKeyDictionary[Store, _Kept] = weakref.WeakKeyDictionary()

#: Up to this many changed files the kept facts are updated in place; beyond, read again.
UPDATE_LIMIT = 200


def _module_imports(
    store: Store, states: Mapping[str, tuple[Any, ...]], paths: list[str] | None
) -> dict[str, list[ImportFact]]:
    """The module-level imports of these files (every file when None), by path."""
    out: dict[str, list[ImportFact]] = {}
    if paths is None:
        return {
            path: facts
            for path, facts in store.module_level_facts_by_path(ImportFact).items()
            if path in states
        }
    for path, facts in store.facts_of_files(ImportFact, paths).items():
        own = states[path][2] if path in states else None
        kept = [f for f in facts if f.function == own]
        if kept:
            out[path] = kept
    return out


def _selected(
    store: Store, key: Selection, kept: frozenset[type[Fact]] | None, paths: list[str] | None
) -> dict[str, FileFacts]:
    """The files of a selection (the files with rows of those types; every file for None),
    among ``paths`` (every file when None), cut down to the ``kept`` types."""
    if paths is None:
        wanted = [row.path for row in store.files()] if key is None else store.paths_with_facts(key)
    else:
        wanted = paths
    out: dict[str, FileFacts] = {}
    for path in wanted:
        ff = store.file_facts(path)
        if ff is None:
            continue
        if (
            paths is not None
            and key is not None
            and not any(isinstance(f, tuple(key)) for f in ff.facts)
        ):
            continue
        out[path] = _trim(ff, kept)
    return out


_DOMAIN_KEYS: weakref.WeakKeyDictionary[
    Store, dict[frozenset[str], tuple[int, frozenset[str], DomainKey]]
] = weakref.WeakKeyDictionary()
#: What a model built from the files with rows of some fact types was built from: those files
#: and their states (``domain_key``).
DomainKey = tuple[tuple[str, tuple[Any, ...] | None], ...]


def domain_key(store: Store, fact_types: Iterable[type[Fact]]) -> DomainKey:
    """The files that have rows of ``fact_types`` with their states: while it is the same, a
    model of those files (the Django, FastAPI or test-suite model) stands, whatever other
    files changed (computed once per store revision and set of types; from the files changed
    since the last one, ``Store.changed_since``, when the store's journal reaches back)."""
    fact_types = tuple(fact_types)
    types = frozenset(t.TABLE for t in fact_types)
    kept = _DOMAIN_KEYS.setdefault(store, {})
    last = kept.get(types)
    if last is not None and last[0] == store.revision:
        return last[2]
    changed = store.changed_since(last[0]) if last is not None else None
    if last is not None and changed is not None and len(changed) <= UPDATE_LIMIT:
        paths = set(last[1] - changed) | set(store.paths_with_facts(fact_types, among=changed))
    else:
        paths = set(store.paths_with_facts(fact_types))
    states = _refresh(store).states
    found = tuple((path, states.get(path)) for path in sorted(paths))
    kept[types] = (store.revision, frozenset(paths), found)
    return found


M = TypeVar("M")


class ModelCache(Generic[M]):
    """A domain's model per store (``model_of(store)``): built again only when a file with the
    domain's facts changed (``domain_key``) or any file's imports or module name did
    (``import_generation``: a linker reads those of every file), so an edit elsewhere keeps it.
    Call it on the thread that owns the store."""

    def __init__(self, fact_types: Iterable[type[Fact]], build: Callable[[Store], M]) -> None:
        self.fact_types = tuple(fact_types)
        self.build = build
        self._kept: weakref.WeakKeyDictionary[Store, tuple[int, tuple[DomainKey, int], M]] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, store: Store) -> M:
        kept = self._kept.get(store)
        if kept is not None and kept[0] == store.revision:
            return kept[2]
        key = (domain_key(store, self.fact_types), import_generation(store))
        if kept is not None and kept[1] == key:
            self._kept[store] = (store.revision, key, kept[2])
            return kept[2]
        model = self.build(store)
        self._kept[store] = (store.revision, key, model)
        return model


def _refresh(store: Store) -> _Kept:
    """The kept inputs of a store's linkers, brought up to the store's revision: only the
    files whose state changed are read again (all of them past ``UPDATE_LIMIT``)."""
    kept = _KEPT.get(store)
    if kept is not None and kept.revision == store.revision:
        return kept
    states = store.file_states()
    changed: list[str] | None = None
    if kept is not None:
        since = store.changed_since(kept.revision)
        candidates = states.keys() | kept.states.keys() if since is None else since
        changed = sorted(p for p in candidates if states.get(p) != kept.states.get(p))
    if kept is None or changed is None or len(changed) > UPDATE_LIMIT:
        generation = 0 if kept is None else kept.generation + 1
        widths = {} if kept is None else kept.widths
        kept = _Kept(store.revision, states, _module_imports(store, states, None), {}, {})
        kept.generation, kept.widths = generation, widths
        _KEPT[store] = kept
        return kept
    present = [p for p in changed if p in states]
    fresh = _module_imports(store, states, present)
    moved = False  # did a file come or go, change its module or its imports?
    for path in changed:
        old_state, new_state = kept.states.get(path), states.get(path)
        if old_state is None or new_state is None or old_state[2] != new_state[2]:
            moved = True
        old = kept.imports.pop(path, None)
        if path in fresh:
            kept.imports[path] = fresh[path]
        if old != fresh.get(path):
            moved = True
    read: dict[str, FileFacts] = {}  # each changed file read once for every selection
    if kept.files:
        read = {p: ff for p in present if (ff := store.file_facts(p)) is not None}
    for selection, selected in kept.files.items():
        yielding.point()
        for path in changed:
            selected.pop(path, None)
        kinds = tuple(selection or ())
        width = kept.widths.get(selection)
        for path, ff in read.items():
            if selection is None or any(isinstance(f, kinds) for f in ff.facts):
                selected[path] = _trim(ff, width)
    if moved:
        kept.generation += 1
        kept.base = None
        kept.built = {}
    kept.revision, kept.states, kept.linkers = store.revision, states, {}
    return kept


def import_generation(store: Store) -> int:
    """A number that changes whenever any file's module-level imports or module name (what
    every linker reads of every file) changed. Call it on the thread that owns the store."""
    return _refresh(store).generation


def link_of(
    store: Store,
    fact_types: Iterable[type[Fact]] | None = None,
    reads: Iterable[type[Fact]] = (),
) -> Linker:
    """The linker of a store's files that have rows of ``fact_types`` (every file when None),
    built again only when the store's revision changed, from the facts kept for the files
    whose state did not change (only the changed files are read again), and the import base
    kept while no file's imports changed. Of those files it keeps the facts of ``LINKED``,
    ``fact_types`` and ``reads`` (every fact for None): ``sites`` of another type is an error.
    Call it on the thread that owns the store."""
    key: Selection = None if fact_types is None else frozenset(fact_types)
    kept = _refresh(store)
    width = kept.widths.get(key)
    if key is not None and (width is None or not width.issuperset(reads)):
        wider = LINKED | key | frozenset(reads) | (width or frozenset())
        if wider != width:  # a caller reads more than the selection kept: read it again
            kept.widths[key] = width = wider
            kept.files.pop(key, None)
            kept.linkers.pop(key, None)
            kept.built.pop(key, None)
    linker = kept.linkers.get(key)
    if linker is not None:
        return linker
    files = kept.files.get(key)
    if files is None:
        files = kept.files[key] = _selected(store, key, width, None)
    built = kept.built.get(key)
    if built is not None and built[0] == kept.generation:
        _, then, previous = built
        states = kept.states
        delta = [p for p in states.keys() | then.keys() if states.get(p) != then.get(p)]
        if len(delta) <= UPDATE_LIMIT:
            changed = {p: files.get(p) for p in delta if p in files or p in previous.files}
            derived = previous.updated(changed) if changed else previous
            if derived is not None:
                kept.linkers[key] = derived
                kept.built[key] = (kept.generation, states, derived)
                return derived
    modules = sorted(
        (state[2], path) for path, state in kept.states.items() if state[2] is not None
    )
    linker = kept.linkers[key] = Linker(
        [files[p] for p in sorted(files)],
        modules=modules,
        base=kept.import_base(),
        kept=width,
        whole=_reader(store),
    )
    kept.built[key] = (kept.generation, kept.states, linker)
    return linker


# -- digests of what a model is built from, for caches kept between processes --------------------

_DIGESTS: weakref.WeakKeyDictionary[Store, tuple[int, dict[object, str]]] = (
    weakref.WeakKeyDictionary()
)


def _memo(store: Store, key: object, compute: Callable[[], str]) -> str:
    kept = _DIGESTS.get(store)
    if kept is None or kept[0] != store.revision:
        kept = (store.revision, {})
        _DIGESTS[store] = kept
    found = kept[1].get(key)
    if found is None:
        found = kept[1][key] = compute()
    return found


def _digest(data: object) -> str:
    return hashlib.blake2b(repr(data).encode("utf-8"), digest_size=16).hexdigest()


def imports_digest(store: Store) -> str:
    """A digest of what every linker reads of every file: its module name and its module-level
    imports (what ``import_generation`` counts the changes of, as a value that a process that
    did not see the changes can compare: the CLI's caches)."""

    def compute() -> str:
        # SQLite joins each file's module-level imports into one text: no tuple per import.
        digest = hashlib.blake2b(digest_size=16)
        for path, module, text in store.module_level_text(
            ImportFact, ("bound", "target", "is_star")
        ):
            line = f"{path}\x1d{module}\x1d{text or ''}\n"
            digest.update(line.encode("utf-8", "backslashreplace"))
        return digest.hexdigest()

    return _memo(store, "imports", compute)


def inputs_digest(store: Store, fact_types: Iterable[type[Fact]]) -> str:
    """A digest of everything a model built by ``ModelCache`` over ``link_of(store,
    fact_types)`` reads: the files that have rows of ``fact_types`` with their states, and
    every file's module name and module-level imports (``imports_digest``). Equal digests,
    equal models: what ``ModelCache`` relies on within a process, for caches kept between
    processes (the CLI's findings cache, the saved taint state)."""
    types = tuple(sorted({t.TABLE: t for t in fact_types}.items()))

    def compute() -> str:
        states = store.file_states()
        paths = store.paths_with_facts([t for _, t in types])
        return _digest(([(p, states.get(p)) for p in paths], imports_digest(store)))

    return _memo(store, tuple(name for name, _ in types), compute)
