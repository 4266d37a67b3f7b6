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
   *labels*, each with the trace that brought it: a source (``request.args``...) or a
   parameter of the unit. A row's value is the union of its inputs' taints; a call's result is
   computed on demand from the callee: a source call gives the source, a workspace function
   gives what its summary returns for these arguments, a sanitizer marks the sink kinds it
   cleans, a non-propagator gives nothing, anything else carries its arguments and receiver.
   A guard that rejects a value (``if not x.isdigit(): abort(400)``) clears the name from
   there on; an allowlist lookup yields a clean value. **Sinks**: an argument (or receiver)
   row of a call whose callee is a sink, an item store into ``session``, or the return value
   of a Flask view is checked: a source label not cleaned for that sink's kind is a path; a
   parameter label becomes part of the unit's summary ("parameter i reaches this sink"), and
   so does a parameter that reaches the return value. A call to a workspace function whose
   summary says "parameter i reaches sink S" checks its i-th argument as if it were that sink,
   with the callee's trace appended. A call that runs a workspace function later or elsewhere
   (``threading.Thread(target=f, args=(x,))``, ``executor.submit(f, x)``,
   ``asyncio.to_thread(f, x)``, a Celery task's ``f.delay(x)`` or ``f.apply_async(args=...)``:
   ``auditls.knowledge.dispatch``) is a call to ``f`` with its arguments bound as the
   dispatcher passes them on; it is an edge of the call graph like a direct call. So is a
   Django signal's send: the Django model says which receivers it reaches, and they get its
   keyword arguments (by name, or all of them in a ``**kwargs``).
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
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from auditls.facts import FileFacts
from auditls.facts.core import CallFact
from auditls.facts.taint import FlowFact
from auditls.knowledge.dispatch import SAVE_METHODS, Dispatch
from auditls.knowledge.taint import (
    CONTAINER_MUTATORS,
    DEFAULT_MODELS,
    HTML_ONLY_WITH,
    ROUTE_PARAMETER,
    SAFE_ARGUMENTS,
    SINK_KINDS,
    Models,
    Sink,
    rule_for,
)
from auditls.models.django import DjangoTaint
from auditls.taint.program import (
    SELF_ATTRS,
    UNKNOWN,
    Label,
    Program,
    SinkSite,
    Skeleton,
    Step,
    Summary,
    Taint,
    TaintPath,
    Trace,
    Unit,
    sink_of,
)

#: At most this many steps in a trace; longer ones keep their start and end.
MAX_STEPS = 24
#: Components whose rows are read together (a batch read is much cheaper than one per
#: component; a bounded batch keeps the peak memory low).
ROWS_AHEAD = 128
#: A unit is re-summarised at most this many times (recursion converges or stops here).
MAX_VISITS = 8
_ORDER = ("low", "medium", "high")


#: How a row builds text from its inputs (a view returning such a value sends HTML).
_TEXT_BUILDING = frozenset({"concat", "format", "aug"})


_NO_NAMES: tuple[str, ...] = ()
#: Parameter names that conventionally collect keyword arguments (``**kwargs``): a dispatcher's
#: keyword arguments all reach them.
_SPREAD_NAMES = frozenset({"kwargs", "kw", "kwds", "options"})


def _literal_text(value: str | None) -> str | None:
    """The text of a string literal argument (stored as JSON), else None."""
    if value is None or not value.startswith('"'):
        return None
    try:
        text = json.loads(value)
    except ValueError:
        return None
    return text if isinstance(text, str) else None


def _cap(trace: Trace) -> Trace:
    if len(trace) <= MAX_STEPS:
        return trace
    half = MAX_STEPS // 2
    return trace[:half] + trace[-half:]


def _merge(into: Taint, more: Taint) -> None:
    for label, trace in more.items():
        old = into.get(label)
        if old is None or len(trace) < len(old):
            into[label] = trace


def _step(path: str, fact: FlowFact | CallFact, message: str) -> Step:
    return Step(path, fact.line, fact.col, message)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Interpreter:
    """Steps 2 and 3 for one unit."""

    def __init__(
        self,
        program: Program,
        unit: Unit,
        summaries: dict[str, Summary],
        report: Callable[[Label, SinkSite, Trace, bool], None] | None,
    ) -> None:
        self.program = program
        self.unit = unit
        self.summaries = summaries
        self.report = report
        self.env: dict[str, Taint] = {}
        self.memo: dict[int, Taint] = {}
        self.summary = Summary()
        self.models = program.models
        #: Sink sites of this unit: whether every value that reached them was shown clean.
        self.sites_clean: dict[tuple[str, int, int], bool] = {}

    # -- values ----------------------------------------------------------------------------

    def start(self) -> None:
        unit = self.unit
        for index, name in enumerate(unit.params):
            django = unit.django_sources.get(name)
            source = unit.route_params.get(name)
            if django is not None:
                origin, harmless = django
                found = self.models.source_for(origin)
                what = found.label if found is not None else origin
                step = Step(unit.path, unit.line, unit.column, f"parameter `{name}`: {what}")
                self.env[f"name:{name}"] = {Label(f"src:{origin}", harmless): (step,)}
            elif source == "":
                self.env[f"name:{name}"] = {}  # the framework parsed it: a number, an id
            elif source:
                kind = "route" if source == ROUTE_PARAMETER else "request"
                step = Step(unit.path, unit.line, unit.column, f"{kind} parameter `{name}`")
                self.env[f"name:{name}"] = {Label(f"src:{source}"): (step,)}
            else:
                message = f"parameter `{name}` of `{unit.qualname}`"
                step = Step(unit.path, unit.line, unit.column, message)
                self.env[f"name:{name}"] = {Label(f"param:{index}"): (step,)}

    def evaluate(self, row: FlowFact, reads: bool = True) -> Taint:
        out: Taint = {}
        for item in row.inputs:
            kind, _, rest = item.partition(":")
            if reads and kind in ("name", "attr") and rest in self.unit.clean_reads:
                # Django: a keyed read (`form.cleaned_data["age"]`, `self.kwargs["pk"]`)
                one = self.evaluate(replace(row, inputs=(item,)), reads=False)
                _merge(out, self._read(row, rest, one))
            elif kind == "name":
                value = self.env.get(item)
                if value is None and self.unit.enclosing is not None:
                    value = self._free(rest)
                if value is None or (not value and self.unit.writes.get(item, 0) > 1):
                    out.setdefault(UNKNOWN, ())
                else:
                    _merge(out, value)
            elif kind == "attr" and rest in self.unit.django_sources:  # Django: `self.kwargs`
                origin, harmless = self.unit.django_sources[rest]
                step = _step(self.unit.path, row, f"reads a URL kwarg (`{rest}`)")
                _merge(out, {Label(f"src:{origin}", harmless): (step,)})
            elif kind == "attr":
                ref = self.program.request_source(self.unit, rest) if self.unit.request_as else None
                if ref is not None:
                    found = self.models.source_for(ref)
                    if found is not None:
                        step = _step(self.unit.path, row, f"reads {found.label}")
                        _merge(out, {Label(f"src:{ref}"): (step,)})
                        continue
                base = f"name:{rest.partition('.')[0]}"
                if item not in self.env and base not in self.env:
                    out.setdefault(UNKNOWN, ())
                _merge(out, self.env.get(item, {}))
                _merge(out, self.env.get(base, {}))
                if item not in self.env and self.unit.field_writers:
                    _merge(out, self._field(rest.split(".")[1]))
            elif kind == "call" and rest.isdigit():
                _merge(out, self.call_result(int(rest)))
            elif kind == "ref":
                source = self.models.source_for(rest)
                if source is not None:
                    step = _step(self.unit.path, row, f"reads {source.label}")
                    _merge(out, {Label(f"src:{rest}"): (step,)})
                else:
                    out.setdefault(UNKNOWN, ())
            else:
                out.setdefault(UNKNOWN, ())
        return out

    def _read(self, row: FlowFact, chain: str, value: Taint) -> Taint:
        """``value`` read from ``chain`` by ``row``: what every keyed read of it on the row's
        lines cannot attack is cleaned (``Unit.clean_reads``)."""
        kinds: frozenset[str] | None = None
        for line, harmless in self.unit.clean_reads.get(chain, ()):
            if row.line <= line <= row.end_line:
                kinds = harmless if kinds is None or "*" in kinds else (
                    kinds if "*" in harmless else kinds & harmless)  # fmt: skip
        if not kinds:
            return value
        return {Label(label.origin, label.cleaned | kinds): trace for label, trace in value.items()}

    def _free(self, name: str) -> Taint | None:
        """A free variable's source data, from the locals of the functions it is nested in
        (None: none of them binds it)."""
        outer = self.unit.enclosing
        while outer is not None:
            summary = self.summaries.get(outer)
            if summary is not None and name in summary.exposed:
                return summary.exposed[name]
            unit = self.program.units.get(outer)
            outer = unit.enclosing if unit is not None else None
        return None

    def _field(self, name: str) -> Taint:
        """What the other methods of the class store into ``self.<name>``."""
        out: Taint = {}
        for writer in self.unit.field_writers:
            summary = self.summaries.get(writer)
            if summary is not None:
                _merge(out, summary.fields.get(name, {}))
        return out

    def call_result(self, call_id: int) -> Taint:
        if call_id in self.memo:
            return self.memo[call_id]
        self.memo[call_id] = {}  # a call inside its own arguments: nothing
        unit = self.unit
        call = unit.calls.get(call_id)
        rows = unit.args.get(call_id, [])
        receiver = unit.receivers.get(call_id)
        result: Taint = {}
        callee = call.callee if call is not None else None
        if call is not None and (call.line, call.col, call.end_line, call.end_col) in unit.fetches:
            self.memo[call_id] = {UNKNOWN: ()}  # Django: rows of the database, not the lookups
            return self.memo[call_id]
        source = self.models.source_for(callee) if callee else None
        if call is not None and callee is None and unit.request_as:
            # `await request.post()` on a handler's request of no declared type
            callee = self.program.request_source(unit, call.callee_text)
            source = self.models.source_for(callee) if callee else None
        target = self.program.callee(unit, call) if call is not None else None
        sent = self.program.dispatched(unit, call) if call is not None else None
        if call is not None and source is not None:
            step = _step(unit.path, call, f"calls `{_short(call.callee_text)}`: {source.label}")
            result = {Label(f"src:{callee}"): (step,)}
        elif call is not None and sent is not None and (sent[1].returns or target is sent[0]):
            result = self._through(call, sent[0], sent[1])
        elif call is not None and target is not None:
            result = self._through(call, target)
        elif callee is not None and callee in self.models.sanitizers:
            kinds = self.models.sanitizers[callee]
            if "*" not in kinds:
                for row in rows:
                    for label, trace in self.evaluate(row).items():
                        cleaned = Label(label.origin, label.cleaned | kinds)
                        _merge(result, {cleaned: trace})
        elif self.models.propagates(callee):
            for row in [*rows, *([receiver] if receiver is not None else [])]:
                _merge(result, self.evaluate(row))
            if callee is None or callee not in self.models.propagators:
                result.setdefault(UNKNOWN, ())  # an unknown function may return anything
        self.memo[call_id] = result
        return result

    def _argument(self, call: CallFact, target: Unit, index: int) -> FlowFact | None:
        """The argument row of ``call`` that binds the callee's parameter ``index``."""
        shift = 1 if target.class_name and target.params[:1] in (["self"], ["cls"]) else 0
        if shift and not call.callee_text.count("."):
            shift = 0
        if shift and index == 0:
            # `obj.method()`: `self` is the object the method is called on (what its
            # constructor was given, what was stored into it).
            return self.unit.receivers.get(call.call_id)
        name = target.params[index] if index < len(target.params) else None
        for row in self.unit.args.get(call.call_id, []):
            if row.keyword is not None and row.keyword == name:
                return row
            if row.position is not None and row.position >= 0 and row.position + shift == index:
                return row
        return None

    def _bound(
        self, call: CallFact, target: Unit, index: int, sent: Dispatch | None
    ) -> list[FlowFact]:
        """The argument rows of ``call`` that bind the callee's parameter ``index``; for a
        call that runs ``target`` later (``sent``), as the dispatcher passes them on."""
        if sent is None:
            row = self._argument(call, target, index)
            return [] if row is None else [row]
        name = target.params[index] if index < len(target.params) else None
        if sent.instance is not None:
            if name != sent.instance:
                return []
            receiver = self.unit.receivers.get(call.call_id)
            if receiver is not None and call.callee_text.endswith(".save"):
                return [receiver]  # `order.save()`: the object saved
            return [r for r in self.unit.args.get(call.call_id, []) if r.keyword is not None]
        # A method passed on (`self.handle`) or a task bound to itself (`bind=True`).
        shift = 1 if target.params[:1] in (["self"], ["cls"]) else 0
        if index < shift:
            return []
        whole = {sent.args, sent.kwargs, "*", "**"} - {None}
        out: list[FlowFact] = []
        for row in self.unit.args.get(call.call_id, []):
            position = row.position if row.position is not None and row.position >= 0 else None
            if position is not None and position in (sent.args_at, sent.kwargs_at):
                out.append(row)  # `apply_async((x,), {...})`: the tuple or dict, whole
            elif row.keyword in whole:
                out.append(row)
            elif position is not None and sent.first is not None and position >= sent.first:
                if position - sent.first + shift == index:
                    out.append(row)
            elif (
                sent.keywords
                and row.keyword is not None
                and row.keyword != sent.keyword
                and (row.keyword == name or (name in _SPREAD_NAMES and row.keyword != "sender"))
            ):
                out.append(row)  # by name, or into `**kwargs`
        return out

    def _through(self, call: CallFact, target: Unit, sent: Dispatch | None = None) -> Taint:
        """What a call to a workspace function returns, by its summary."""
        summary = self.summaries.get(target.qualname)
        if summary is None:
            return {}
        out: Taint = {}
        how = "calls `{}`" if sent is None else sent.how
        step = _step(self.unit.path, call, how.format(target.qualname))
        for label, trace in summary.returns.items():
            if label.origin.startswith("src:"):
                _merge(out, {label: _cap((step, *trace))})
            elif label == UNKNOWN:
                out.setdefault(UNKNOWN, ())
            elif label.origin.startswith("param:"):
                for row in self._bound(call, target, int(label.origin[6:]), sent):
                    for inner, before in self.evaluate(row).items():
                        merged = Label(inner.origin, inner.cleaned | label.cleaned)
                        _merge(out, {merged: _cap((*before, step, *trace))})
        return out

    # -- sinks -----------------------------------------------------------------------------

    def sink(self, site: SinkSite, value: Taint, via: Trace = ()) -> None:
        for label, trace in value.items():
            if site.kind in label.cleaned or "*" in label.cleaned:
                continue
            if label.origin.startswith("src:") and self.models.harmless(
                label.origin[4:], site.kind
            ):
                continue
            full = _cap((*trace, *via))
            if label.origin.startswith("param:"):
                self.summary.sinks.append((label, site, full))
            elif self.report is not None:
                self.report(label, site, full, bool(via))

    def _site(self, fact: FlowFact | CallFact, kind: str, what: str, by_method: bool) -> SinkSite:
        stmt = fact.stmt_line if isinstance(fact, CallFact) else fact.line
        return SinkSite(
            kind,
            self.unit.path,
            fact.line,
            fact.col,
            fact.end_line,
            fact.end_col,
            what,
            by_method,
            stmt,
        )

    def argument_row(self, row: FlowFact) -> None:
        call = self.unit.calls.get(-1 if row.call_id is None else row.call_id)
        if call is None:
            return
        found = sink_of(self.models, call.callee, call.attr)
        target = self.program.callee(self.unit, call)
        if found is not None and found[1] and target is not None:
            found = None  # `Runner().execute(...)`: a workspace method, not a driver's
        if found is not None:
            sink, by_method = found
            argv = (
                call.call_id in self.unit.argv_calls and call.call_id not in self.unit.shell_calls
            )
            if (
                self._matches(sink, row)
                and not (sink.kind == "command" and argv)
                and not self._harmless(call)
                and not self._inside_same_sink(row, sink.kind)
            ):
                what = f"`{_short(call.callee_text)}`"
                site = self._site(call, sink.kind, what, by_method)
                value = self.evaluate(row)
                key = (site.path, site.line, site.column)
                clean = (
                    all(
                        sink.kind in label.cleaned or "*" in label.cleaned
                        for label in value
                        if label != UNKNOWN
                    )
                    and UNKNOWN not in value
                    and not any(label.origin.startswith("param:") for label in value)
                )
                self.sites_clean[key] = self.sites_clean.get(key, True) and clean
                step = _step(self.unit.path, call, f"reaches {what}")
                self.sink(site, {k: (*v, step) for k, v in value.items()})
        if row.target == "receiver":
            if target is not None:
                self._into(call, row, target, None, "calls `{}` on it")  # `self` of a method
            for receiver, saved in self.program.dispatches(self.unit, call):
                if saved.instance is not None:
                    self._into(call, row, receiver, saved)  # `instance` of a save receiver
            return
        if row.target != "arg":
            return
        runs: list[tuple[Unit, Dispatch | None]] = list(self.program.dispatches(self.unit, call))
        if not runs and target is not None:
            runs = [(target, None)]
        for callee, sent in runs:
            self._into(call, row, callee, sent)

    def _into(
        self,
        call: CallFact,
        row: FlowFact,
        target: Unit,
        sent: Dispatch | None,
        how: str = "passed to `{}`",
    ) -> None:
        """An argument (or receiver) row checked against the sinks its callee's summary says
        its parameters reach."""
        summary = self.summaries.get(target.qualname)
        if summary is None:
            return
        how = how if sent is None else sent.how
        for label, site, trace in summary.sinks:
            index = int(label.origin[6:])
            if not any(bound is row for bound in self._bound(call, target, index, sent)):
                continue
            step = _step(self.unit.path, call, how.format(target.qualname))
            value = {
                Label(k.origin, k.cleaned | label.cleaned): v
                for k, v in self._object(row, sent).items()
            }
            self.sink(site, value, via=(step, *trace))

    def _object(self, row: FlowFact, sent: Dispatch | None) -> Taint:
        """A row's value; for the object a model instance's save passes on, with what was
        stored into its attributes before (``order.note = x; order.save()``)."""
        value = self.evaluate(row)
        if sent is not None and sent.instance is not None and row.target == "receiver":
            for item in row.inputs:
                if item.startswith("name:"):
                    prefix = f"attr:{item[5:]}."
                    for key, stored in self.env.items():
                        if key.startswith(prefix):
                            _merge(value, stored)
        return value

    def _harmless(self, call: CallFact) -> bool:
        """An argument makes this sink call harmless (``yaml.load(s, Loader=SafeLoader)``, a
        response whose mimetype is not HTML)."""
        html = HTML_ONLY_WITH.get(call.callee or "")
        if html is not None:
            keyword, prefix = html
            return not any(
                arg.keyword == keyword
                and (_literal_text(arg.value) or "").lower().startswith(prefix)
                for arg in self.unit.safe_args.get(call.call_id, ())
            )
        entries = SAFE_ARGUMENTS.get(call.callee or "")
        if not entries:
            return False
        for arg in self.unit.safe_args.get(call.call_id, ()):
            for keyword, position, values in entries:
                by_position = arg.keyword is None and position >= 0 and arg.position == position
                if arg.keyword != keyword and not by_position:
                    continue
                if arg.qualname in values:
                    return True
                text = _literal_text(arg.value)
                if text is not None and text.lower().startswith(tuple(values)):
                    return True
        return False

    def _inside_same_sink(self, row: FlowFact, kind: str) -> bool:
        """The value is another sink call of the same kind (``exec(compile(src))``): the inner
        call is where the data goes in, and the one finding is there."""
        if not row.inputs:
            return False
        for item in row.inputs:
            inner = self.unit.calls.get(int(item[5:])) if item[5:].isdigit() else None
            if not item.startswith("call:") or inner is None:
                return False
            found = sink_of(self.models, inner.callee, inner.attr)
            if found is None or found[0].kind != kind:
                return False
        return True

    def _mutated(self, row: FlowFact) -> None:
        """``items.append(value)``: the container now carries the value's taint too."""
        if row.target != "arg" or row.call_id is None:
            return
        call = self.unit.calls.get(row.call_id)
        receiver = self.unit.receivers.get(row.call_id)
        if call is None or receiver is None or call.attr not in CONTAINER_MUTATORS:
            return
        if len(receiver.inputs) == 1 and receiver.inputs[0].startswith("name:"):
            _merge(self.env.setdefault(receiver.inputs[0], {}), self.evaluate(row))

    @staticmethod
    def _matches(sink: Sink, row: FlowFact) -> bool:
        if row.target == "receiver":
            return sink.receiver
        return sink.takes(row.position, row.keyword)

    # -- the walk --------------------------------------------------------------------------

    def run(self) -> Summary:
        self.start()
        unit = self.unit
        returns: Taint = {}
        #: Names whose last write built text (``+``, f-strings, ``%``, ``+=``).
        texts: set[str] = set()
        #: Names a validation made clean inside an ``if`` body: (last line, name, value before).
        accepted: list[tuple[int, str, Taint | None]] = []
        for row in unit.flows:
            while accepted and row.line > accepted[-1][0]:
                _, name, before = accepted.pop()
                if before is None:
                    self.env.pop(name, None)
                else:
                    self.env[name] = before
            target = row.target
            if target in ("arg", "receiver"):
                self.argument_row(row)
                self._mutated(row)
                continue
            if target == "guard":
                how, _, only = row.how.partition(":")
                kinds = frozenset(only.split(",")) if only else frozenset({"*"})
                for name in row.inputs:
                    before = self.env.get(name)
                    if how == "accept":
                        accepted.append((row.end_line, name, before))
                    self.env[name] = {
                        Label(label.origin, label.cleaned | kinds): trace
                        for label, trace in (before or {}).items()
                    }
                continue
            value = {} if row.how == "allowlist" else self.evaluate(row)
            if target.startswith(("name:", "attr:")):
                step = _step(unit.path, row, f"`{target.partition(':')[2]}` holds it")
                new = {label: _cap((*trace, step)) for label, trace in value.items()}
                if row.how == "aug" or (row.branch and target not in row.inputs):
                    # `x += y`; or a fresh value on some paths only (`if not x: x = ""`), after
                    # which the old value may still be there.
                    _merge(new, self.env.get(target, {}))
                self.env[target] = new
                if row.how in _TEXT_BUILDING:
                    texts.add(target)
                else:
                    texts.discard(target)
                if target.startswith(SELF_ATTRS) and self.unit.class_name:
                    stored = {k: v for k, v in new.items() if k.origin.startswith("src:")}
                    if stored:
                        _merge(self.summary.fields.setdefault(target.split(".")[1], {}), stored)

            elif target.startswith("item:"):
                holder = target[5:]
                if holder.startswith("name:"):
                    _merge(self.env.setdefault(holder, {}), value)
                else:
                    sink = self.models.item_sinks.get(holder)
                    if sink is not None:
                        what = f"`{holder.rpartition('.')[2]}[...]`"
                        site = self._site(row, sink.kind, what, False)
                        step = _step(unit.path, row, f"stored into {what}")
                        self.sink(site, {k: (*v, step) for k, v in value.items()})
            elif target in ("return", "yield"):
                _merge(returns, value)
                sink = self.models.return_sinks.get("flask") if unit.is_view else None
                # HTML built from strings: here (`return "<p>" + x`), or in the name returned
                # (`page += f"<p>{x}</p>"; return page`); a dict or a value returned as it
                # came is not (Flask sends a dict as JSON).
                built = row.how in _TEXT_BUILDING and row.how != "aug"
                if not built and len(row.inputs) == 1 and row.inputs[0] in texts:
                    built = True
                if sink is not None and built:
                    site = self._site(row, sink.kind, "the view's response", False)
                    step = _step(unit.path, row, "returned as the response")
                    self.sink(site, {k: (*v, step) for k, v in value.items()})
        self.summary.returns = {
            label: trace
            for label, trace in returns.items()
            if label.origin.startswith(("param:", "src:")) or label == UNKNOWN
        }
        if unit.has_nested:
            for key, value in self.env.items():
                kept = {k: v for k, v in value.items() if k.origin.startswith("src:")}
                if key.startswith("name:") and kept:
                    self.summary.exposed[key[5:]] = kept
        return self.summary


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
    """Tarjan's strongly connected components, callees before callers (each sorted)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges.get(root, ()))))]
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
                    work.append((child, iter(sorted(edges.get(child, ())))))
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
    ) -> None:
        """With ``load`` (the rows of some functions of some files, read again), units start
        light and only those a path can cross get their rows (``_settle``); without, every
        unit keeps its rows (and ``files`` must be whole facts)."""
        self._load = load
        self.program = Program((), resolve, models)
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
        #: appearing or going away changes what they call).
        self._wanted: dict[str, set[str]] = defaultdict(set)
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
            unit = program.units.get(name)
            if unit is None:
                continue
            callees: set[str] = set()
            for callee, method in unit.refs:
                if self._wanted_ready:
                    for candidate in program.candidates(unit, callee, method):
                        self._wanted[candidate].add(name)
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
                    self._wanted[writer].add(name)
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

    def _index_wanted(self) -> None:
        program = self.program
        for name, unit in program.units.items():
            for callee, method in unit.refs:
                for candidate in program.candidates(unit, callee, method):
                    self._wanted[candidate].add(name)
            for writer in unit.field_writers:
                self._wanted[writer].add(name)
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
            starts = [
                n for n, u in units.items()
                if u.reads_source or u.django_sources or any(u.route_params.values())
                or (middleware and u.request_as)
            ]  # fmt: skip
            up = _closure(starts, self._callers)
            ends = [n for n, u in units.items() if u.calls_sink or u.is_view]
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
    ) -> None:
        """Replace the facts of these files (None: the file is gone). With ``resolve``, calls
        resolve through it from now on (every unit's calls are resolved again). The next
        ``summarise`` or ``paths`` interprets what this touched."""
        program = self.program
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
            touched |= self._wanted.get(name, set())
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

    def set_django(self, facts: DjangoTaint) -> None:
        """What the Django model says of URL kwargs, bound forms, validated data and queryset
        fetches (``Program.set_django``); the units whose facts changed are interpreted
        again."""
        before, saves = self.program.signal_sends, self.program.saves
        changed = self.program.set_django(facts)
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
