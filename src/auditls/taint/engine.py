"""The taint engine: local flow per function, summaries, propagation over the call graph,
kept up to date file by file.

How a workspace is analysed (``TaintEngine``; ``summarise`` and ``paths`` run steps 3 to 6; the
units and what links them, steps 1 and 2, are ``auditls.taint.program``):

1. **Units.** Every function (and every module's top-level code) becomes a ``Unit``. From the
   store each starts *light* (a ``Skeleton``: a few raw columns): its parameters, the calls its
   rows use (``refs``: what links it), whether it reads a source or calls a sink, and, for a
   Flask view, the route parameters that carry request data (``<name>``, ``<path:name>``;
   ``<int:id>`` does not). Django's units get what the Django model says (``set_django``,
   after every build and update: ``auditls.models.django.taint``): the URL kwargs and bound
   forms that carry request data with the sink kinds they cannot attack, keyed reads of
   validated data cleaned by field type, queryset chains that only fetch. Its rows
   (``python_flows`` in source order, calls by ``call_id``, argument and receiver rows) are
   read only when it is interpreted.
2. **Call graph.** Each call resolves, through the workspace linker's imports, to a unit or to
   nothing; every name a call *may* resolve to is indexed, so a function appearing or going
   away re-links exactly the units that call such a name.
3. **Relevance.** Only the units a path can cross are interpreted: the callers (transitively)
   of a unit reading a source, and everything those and the units calling a sink call
   (transitively). The others cannot start, carry or end a path (on the benchmark corpus: 2,551
   of 26,359 units, the same paths as interpreting all of them).
4. **Interpret a unit** (``_Interpreter``): walk its rows in order with an environment from
   names (and attribute chains, and containers, coarsely) to their taint. A taint is a set of
   *labels*, each with the trace that brought it: a source (``request.args``...) or a parameter
   of the unit. A row's value is the union of its inputs' taints; a call's result is computed on
   demand from the callee: a source call gives the source, a workspace function gives what its
   summary returns for these arguments, a sanitizer marks the sink kinds it cleans, a
   non-propagator gives nothing, anything else carries its arguments and receiver. A guard that
   rejects a value (``if not x.isdigit(): abort(400)``) clears the name from there on; an
   allowlist lookup yields a clean value. The calls of a comprehension's element run again once
   its variable is bound (its row comes after theirs). A source read in test code starts no path
   (the request a test builds holds the test's constants). **Sinks**: an argument (or receiver)
   row of a call whose callee is a sink, an item store into ``session``, or the return value of
   a Flask view is checked: a source label not cleaned for that sink's kind is a path; a
   parameter label becomes part of the unit's summary ("parameter i reaches this sink"), and so
   does a parameter that reaches the return value. A call to a workspace function whose summary
   says "parameter i reaches sink S" checks its i-th argument as if it were that sink, with the
   callee's trace appended. A call that runs a workspace function later or elsewhere
   (``threading.Thread(target=f, args=(x,))``, ``executor.submit(f, x)``,
   ``asyncio.to_thread(f, x)``, a Celery task's ``f.delay(x)`` or ``f.apply_async(args=...)``:
   ``auditls.knowledge.dispatch``) is a call to ``f`` with its arguments bound as the dispatcher
   passes them on; it is an edge of the call graph like a direct call (a function passed by its
   bare name is looked up nested in the caller, then in each enclosing scope). A Celery
   signature run after another task (``chain(a.s(x), b.s())``, ``a.s(x) | b.s()``, a chord's
   body, ``link=b.s()``) gets that task's result as its first argument, its own arguments after
   (``interpreter._canvas``); ``b.si()`` gets nothing. A Django signal's send is an edge too:
   the Django model says which receivers it reaches, and they get its keyword arguments (by
   name, or all of them in a ``**kwargs``).
5. **Order.** The strongly connected components of the call graph are interpreted callees
   first (Tarjan), each once; a component with a cycle is iterated from empty summaries until
   its summaries' labels and sinks stop changing (at most ``MAX_VISITS`` rounds). The same
   pass collects each unit's paths and shown-clean sink sites.
6. **Updates.** ``update`` replaces the units of changed files; the units of those files, the
   units whose calls now resolve elsewhere, and the units the relevance step newly reaches are
   dirty. Dirty components are interpreted in order, and a unit whose summary (traces
   included) or signature changed makes its callers dirty: an edit that changes no summary
   re-interprets only its own file's functions. The result equals a clean build (a Hypothesis
   property in ``tests/test_taint_incremental.py``).

**Paths**: one per (rule, source kind, sink site), the shortest trace kept. Confidence: high
for request data reaching a sink in the same function, medium through helpers or for lower
sources (``sys.argv``, ``input()``), low for the environment; a sink known only by its method
name is at most medium.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from sys import intern

from auditls import yielding
from auditls.facts import FileFacts
from auditls.knowledge.dispatch import SAVE_METHODS
from auditls.knowledge.taint import (
    DEFAULT_MODELS,
    SINK_KINDS,
    Models,
    rule_for,
)
from auditls.models.django import DjangoTaint
from auditls.models.fastapi import TypeAliases
from auditls.models.validation import ValidationTaint
from auditls.taint.interpreter import _ORDER, _Interpreter
from auditls.taint.orm import may_query
from auditls.taint.program import Program
from auditls.taint.values import Label, SinkSite, Skeleton, Summary, TaintPath, Trace, Unit

#: Components whose rows are read together (a batch read is much cheaper than one per
#: component; a bounded batch keeps the peak memory low).
ROWS_AHEAD = 128
#: A unit is re-summarised at most this many times (recursion converges or stops here).
MAX_VISITS = 8
_NO_NAMES: tuple[str, ...] = ()


@dataclass(slots=True)
class _Result:
    """What interpreting one unit gave: its summary, the paths it reported, its clean sites."""

    summary: Summary
    paths: list[TaintPath]
    clean: set[tuple[str, int, int]]


def _key(
    summary: Summary | None,
) -> tuple[frozenset[Label], frozenset[tuple[Label, SinkSite]], frozenset[str]]:
    return (frozenset(), frozenset(), frozenset()) if summary is None else summary.key()


def _closure(starts: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        for other in edges.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def _components(nodes: Iterable[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, callees before callers (each sorted);
    ``edges`` gives each node's successors sorted (``TaintEngine._callees``)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                out.append(sorted(members))
    return out


class TaintEngine:
    """Steps 1 to 5 of the module docstring over a workspace's facts, kept up to date file by
    file (``update``): only the units of changed files, and the callers of units whose summary
    changed, are interpreted again."""

    def __init__(
        self,
        files: Iterable[FileFacts | Skeleton],
        resolve: Callable[[str], str] | None = None,
        models: Models = DEFAULT_MODELS,
        load: Callable[[list[str], set[str]], Iterable[FileFacts]] | None = None,
        types: TypeAliases | None = None,
    ) -> None:
        """With ``load`` (the rows of some functions of some files, read again), units start
        light and only those a path can cross get their rows (``_settle``); without, every
        unit keeps its rows (and ``files`` must be whole facts). ``types``: the workspace's
        type aliases (``Program.types``)."""
        self._load = load
        self.program = Program((), resolve, models)
        self.program.types = types
        for ff in files:
            self._add(ff)
        self.program.mark_views(
            {view for path in self.program.files for view in self.program.views_of(path)}
        )
        self.summaries: dict[str, Summary] = {}
        #: How many times a unit was interpreted, in all (tests, benchmarks).
        self.resummarised = 0
        #: The units interpreted since the last ``update`` began (what an edit touched).
        self.last_resummarised: set[str] = set()
        #: Sink calls whose dangerous arguments were shown clean: built from literals,
        #: sanitizers, allowlists.
        self.clean_sites: set[tuple[str, int, int]] = set()
        #: The units a path can cross: the callers (transitively) of a unit reading a source,
        #: and everything those and the units calling a sink call (transitively).
        self.relevant: set[str] = set()
        self._results: dict[str, _Result] = {}
        #: Unit -> the units it calls, sorted (a tuple: far smaller than a set, and there is
        #: one per unit).
        self._callees: dict[str, tuple[str, ...]] = {}
        #: Unit -> the units calling it (lists: one per called unit, most hold one or two).
        self._callers: dict[str, list[str]] = defaultdict(list)
        #: A name a call may resolve to -> the units making such calls (a unit of that name
        #: appearing or going away changes what they call): the one unit's name, or a set of
        #: two or more (most names have one caller; a set each cost 8.5 MB on the benchmark
        #: corpus, ``_want``).
        self._wanted: dict[str, str | set[str]] = {}
        #: Built on the first edit that adds or removes a function (most never do), then kept.
        self._wanted_ready = False
        self._signatures: dict[str, tuple[object, ...]] = {}
        self._rank: dict[str, int] = {}
        self._members: list[list[str]] = []
        self._dirty: set[str] = set(self.program.units)
        self._graph_changed = True
        self._paths: list[TaintPath] | None = None
        self._link(self.program.units)

    def _add(self, ff: FileFacts | Skeleton) -> list[str]:
        if isinstance(ff, Skeleton):
            return self.program.add_skeleton(ff)
        return self.program.add_file(ff, rows=self._load is None)

    # -- the call graph ----------------------------------------------------------------------

    def _link(self, names: Iterable[str]) -> None:
        """Resolve the calls of these units again; a unit whose callees changed is dirty."""
        program = self.program
        for name in names:
            yielding.point()
            unit = program.units.get(name)
            if unit is None:
                continue
            callees: set[str] = set()
            for callee, method in unit.refs:
                if self._wanted_ready:
                    for candidate in program.candidates(unit, callee, method):
                        self._want(candidate, name)
                target = program.target(unit, callee, method)
                if target is not None:
                    callees.add(target.qualname)
            # The receivers of the Django signals it sends, and of the model saves it makes.
            callees.update(r for r in program.receivers_of(name) if r in program.units)
            if program.saves:
                for callee, _ in unit.refs:
                    callees.update(r.qualname for r in program.save_receivers(callee))
            # The methods of its class that store what it reads from ``self``.
            for writer in unit.field_writers:
                if self._wanted_ready:
                    self._want(writer, name)
                if writer in program.units:
                    callees.add(writer)
            new = tuple(sorted(callees)) if callees else _NO_NAMES
            old = self._callees.get(name)
            if old == new:
                continue
            for callee in old or ():
                self._callers[callee].remove(name)
            for callee in new:
                self._callers[callee].append(name)
            self._callees[name] = new
            self._dirty.add(name)
            self._graph_changed = True

    def _want(self, candidate: str, name: str) -> None:
        """Record that unit ``name`` makes a call that may resolve to ``candidate``."""
        wanted = self._wanted
        have = wanted.get(candidate)
        if have is None:
            wanted[intern(candidate)] = name
        elif isinstance(have, str):
            if have != name:
                wanted[candidate] = {have, name}
        else:
            have.add(name)

    def _wanting(self, candidate: str) -> Iterable[str]:
        """The units making a call that may resolve to ``candidate``."""
        have = self._wanted.get(candidate)
        if have is None:
            return ()
        return (have,) if isinstance(have, str) else have

    def _index_wanted(self) -> None:
        program = self.program
        for name, unit in program.units.items():
            for callee, method in unit.refs:
                for candidate in program.candidates(unit, callee, method):
                    self._want(candidate, name)
            for writer in unit.field_writers:
                self._want(writer, name)
        self._wanted_ready = True

    def _unlink(self, name: str) -> None:
        for callee in self._callees.pop(name, ()):
            self._callers[callee].remove(name)
        self._graph_changed = True

    def _settle(self) -> None:
        """Work out which units a path can cross: those newly in are dirty; those no longer
        in lose their rows and results."""
        units = self.program.units
        if self._load is None:
            relevant = set(units)
        else:
            middleware = bool(self.program.middleware_attrs)
            # Most units have none of these mappings: an empty one is not looked into (this
            # runs over every unit after each save).
            starts = [
                n for n, u in units.items()
                if u.reads_source or u.django_sources
                or (u.route_params and any(u.route_params.values()))
                or (middleware and u.request_as)
                or (u.valid_objects and any(o[2] for o in u.valid_objects.values()))
            ]  # fmt: skip
            up = _closure(starts, self._callers)
            ends = [n for n, u in units.items() if u.calls_sink or u.is_view or u.renders]
            relevant = _closure([*up, *ends], self._callees)
        for name in self.relevant - relevant:
            gone = units.get(name)
            if gone is not None:
                gone.lighten()
            self.summaries.pop(name, None)
            self._results.pop(name, None)
            self._signatures.pop(name, None)
        if relevant != self.relevant:
            self._graph_changed = True
            self._dirty |= relevant - self.relevant
        self.relevant = relevant

    def _ensure_rows(self, names: Iterable[str]) -> None:
        """Read the rows of these units where they are light (one read for all their files)."""
        units = self.program.units
        missing: dict[str, list[str]] = defaultdict(list)
        for name in names:
            unit = units[name]
            if not unit.full:
                missing[unit.path].append(name)
        if not missing or self._load is None:
            return
        functions = {name for names in missing.values() for name in names}
        for ff in self._load(sorted(missing), functions):
            self.program.rows_of(ff, missing.get(ff.path, ()))
        for name in functions:
            units[name].full = True  # a unit its file no longer has rows for has none

    def _order(self) -> None:
        self._members = _components(
            self.relevant, {n: self._callees.get(n, _NO_NAMES) for n in self.relevant}
        )
        self._rank = {name: i for i, members in enumerate(self._members) for name in members}
        self._graph_changed = False

    @staticmethod
    def _signature(unit: Unit) -> tuple[object, ...]:
        return (unit.params, unit.class_name, unit.path, unit.line, unit.column)

    # -- files change --------------------------------------------------------------------------

    def update(
        self,
        files: Mapping[str, FileFacts | Skeleton | None],
        resolve: Callable[[str], str] | None = None,
        types: TypeAliases | None = None,
    ) -> None:
        """Replace the facts of these files (None: the file is gone). With ``resolve``, calls
        resolve through it from now on (every unit's calls are resolved again); with
        ``types``, the type aliases are those from now on (``files`` must hold every file
        whose reading they change). The next ``summarise`` or ``paths`` interprets what this
        touched."""
        program = self.program
        if types is not None:
            program.types = types
        self.last_resummarised = set()
        before: set[str] = set()
        views: set[str] = set()
        for path, ff in files.items():
            names, old_views = program.remove_file(path)
            before.update(names)
            views |= old_views
            if ff is not None:
                self._add(ff)
                views |= program.views_of(path)
        after = {name for path in files for name in program.files.get(path, ())}
        touched = set(after)
        for name in before - after:
            self.summaries.pop(name, None)
            self._results.pop(name, None)
            self._signatures.pop(name, None)
            self._unlink(name)
        if before ^ after and not self._wanted_ready:
            self._index_wanted()
        for name in before ^ after:
            touched.update(self._wanting(name))
            touched.update(self._callers.get(name, ()))
        for name in before & after:
            old = self._signatures.get(name)
            if old is not None and old != self._signature(program.units[name]):
                touched.update(self._callers.get(name, ()))
        if resolve is not None:
            program.resolve = resolve
            touched = set(program.units)
        self._dirty |= after | program.mark_views(views | after)
        self._link(sorted(touched))
        self._paths = None

    def set_django(self, facts: DjangoTaint, valid: ValidationTaint | None = None) -> None:
        """What the Django model says of URL kwargs, bound forms, validated data and queryset
        fetches, and the validation model of validated objects and loaded data
        (``Program.set_django``); the units whose facts changed are interpreted again."""
        before, saves = self.program.signal_sends, self.program.saves
        changed = self.program.set_django(facts, valid)
        after = self.program.signal_sends
        senders = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
        if saves != self.program.saves:
            senders |= {
                n for n, u in self.program.units.items()
                if any(c and c.endswith(SAVE_METHODS) for c, _ in u.refs)
            }  # fmt: skip
        if senders:
            # Who sends a signal calls its receivers: those edges change with the model.
            self._link(sorted(senders))
            changed |= senders & self.program.units.keys()
        if changed:
            self._dirty |= changed
            self._paths = None

    def set_orm(self, models: frozenset[str]) -> None:
        """The mapped SQLAlchemy models (``Program.orm_models``); when they change, the units
        that may query one are interpreted again."""
        if models == self.program.orm_models:
            return
        self.program.orm_models = models
        changed = {name for name, unit in self.program.units.items() if may_query(unit)}
        if changed:
            self._dirty |= changed
            self._paths = None

    # -- summaries -------------------------------------------------------------------------------

    def _interpret(self, name: str) -> _Result:
        found: list[TaintPath] = []

        def report(label: Label, site: SinkSite, trace: Trace, crossed: bool) -> None:
            path = self._path_of(label, site, trace, crossed)
            if path is not None:
                found.append(path)

        self.resummarised += 1
        self.last_resummarised.add(name)
        interpreter = _Interpreter(self.program, self.program.units[name], self.summaries, report)
        summary = interpreter.run()
        clean = {site for site, ok in interpreter.sites_clean.items() if ok}
        return _Result(summary, found, clean)

    def _keep(self, name: str, result: _Result) -> None:
        """Keep what a unit gave; an empty summary or result is not kept (most units have
        neither, and a workspace has tens of thousands)."""
        summary = result.summary
        if summary.returns or summary.sinks or summary.fields or summary.exposed:
            self.summaries[name] = result.summary
        else:
            self.summaries.pop(name, None)
        if result.paths or result.clean:
            self._results[name] = result
        else:
            self._results.pop(name, None)

    def _evaluate(self, members: list[str]) -> list[str]:
        """Interpret one component (with its final summaries); the members whose summary (or
        signature, which callers bind arguments by) changed."""
        units = self.program.units
        old = {name: self.summaries.get(name) for name in members}
        old_signatures = {name: self._signatures.get(name) for name in members}
        cyclic = len(members) > 1 or members[0] in self._callees.get(members[0], ())
        if not cyclic:
            self._keep(members[0], self._interpret(members[0]))
        else:
            # A cycle starts from nothing every time, as in a clean run (a summary left from
            # an edit must not keep itself alive through the cycle).
            for name in members:
                self.summaries.pop(name, None)
            for _ in range(MAX_VISITS):
                moved = False
                for name in members:
                    previous = self.summaries.get(name)
                    self._keep(name, result := self._interpret(name))
                    moved = moved or _key(previous) != result.summary.key()
                if not moved:
                    break
        changed: list[str] = []
        for name in members:
            self._signatures[name] = signature = self._signature(units[name])
            if old[name] != self.summaries.get(name) or old_signatures[name] != signature:
                changed.append(name)
        return changed

    def summarise(self) -> None:
        """Interpret every dirty unit, callees before callers, and the callers of every unit
        whose summary changed; each component at most once."""
        units = self.program.units
        self._dirty &= units.keys()
        if not self._dirty:
            return
        self._settle()
        self._dirty &= self.relevant
        if self._graph_changed:
            self._order()
        queue = sorted({self._rank[name] for name in self._dirty})
        queued = set(queue)
        self._dirty = set()
        while queue:
            yielding.point()
            rank = heapq.heappop(queue)
            members = self._members[rank]
            if self._load is not None and not all(units[m].full for m in members):
                # Rows are read for the next components in order, a batch at a time, and
                # dropped once their component is done: never all of them at once.
                ahead = [rank, *heapq.nsmallest(ROWS_AHEAD, queue)]
                self._ensure_rows(m for r in ahead for m in self._members[r])
            for name in self._evaluate(members):
                for caller in self._callers.get(name, ()):
                    later = self._rank.get(caller)
                    if later is not None and later not in queued:
                        queued.add(later)
                        heapq.heappush(queue, later)
            if self._load is not None:
                # The rows are in the store: an edit reads those of the units it touches again.
                for name in members:
                    units[name].lighten()
        self._paths = None

    # -- paths -----------------------------------------------------------------------------------

    def _path_of(
        self, label: Label, site: SinkSite, trace: Trace, crossed: bool
    ) -> TaintPath | None:
        source = self.program.models.source_for(label.origin[4:])
        if source is None or site.kind not in SINK_KINDS:
            return None
        confidence = source.confidence
        # Through a helper: a step where a workspace function's result came back ("calls `f`";
        # a source read by a call says what it read: "calls `request.args.get`: request data").
        if crossed or any(
            s.message.startswith("calls `") and "`: " not in s.message for s in trace
        ):
            confidence = min(confidence, "medium", key=_ORDER.index)
        if site.by_method:
            confidence = min(confidence, "medium", key=_ORDER.index)
        return TaintPath(rule_for(site.kind), source, site, trace, confidence, label.origin[4:])

    def paths(self) -> list[TaintPath]:
        """Every path, one per (rule, source kind, sink site), the shortest trace kept."""
        self.summarise()
        if self._paths is not None:
            return self._paths
        best: dict[tuple[str, str, SinkSite], TaintPath] = {}
        clean: set[tuple[str, int, int]] = set()
        for name in sorted(self._results):
            result = self._results[name]
            clean |= result.clean
            for path in result.paths:
                key = (path.rule.code, path.source.kind, path.sink)
                old = best.get(key)
                if old is None or len(path.steps) < len(old.steps):
                    best[key] = path
        self.clean_sites = clean
        self._paths = sorted(
            best.values(), key=lambda p: (p.sink.path, p.sink.line, p.sink.column, p.rule.code)
        )
        return self._paths
