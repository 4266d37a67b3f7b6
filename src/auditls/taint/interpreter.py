"""The interpreter of one unit (step 4 of ``auditls.taint.engine``'s docstring): its rows in
order, an environment from names to their taint, sources and sinks met on the way, and the
unit's summary for its callers. ``TaintEngine`` decides which units run and in what order."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import replace

from auditls.facts.core import CallFact
from auditls.facts.taint import FlowFact
from auditls.knowledge.dispatch import (
    CHAINS,
    CHORDS,
    LINKS,
    MUTABLE_SIGNATURES,
    PASSES_RESULT,
    SIGNATURES,
    Dispatch,
    task_method,
)
from auditls.knowledge.heuristics import TEST_FILE
from auditls.knowledge.taint import (
    CONTAINER_MUTATORS,
    HTML_ONLY_WITH,
    ROUTE_PARAMETER,
    SAFE_ARGUMENTS,
    Sink,
)
from auditls.models.django import RenderSink
from auditls.taint.orm import queries_model
from auditls.taint.program import SELF_ATTRS, Program, named_functions, sink_of
from auditls.taint.values import UNKNOWN, Label, SinkSite, Step, Summary, Taint, Trace, Unit

#: At most this many steps in a trace; longer ones keep their start and end.
MAX_STEPS = 24
_ORDER = ("low", "medium", "high")


#: How a row builds text from its inputs (a view returning such a value sends HTML).
_TEXT_BUILDING = frozenset({"concat", "format", "aug"})


#: Parameter names that conventionally collect keyword arguments (``**kwargs``): a dispatcher's
#: keyword arguments all reach them.
_SPREAD_NAMES = frozenset({"kwargs", "kw", "kwds", "options"})


def _in_tests(path: str) -> bool:
    """Whether a source read sits in test code: the request a test builds
    (``app.test_request_context("/?q=x")``) holds the test's own constants, so a path starting
    there is no path (issue 13), wherever its sink is."""
    return TEST_FILE(path)


def _signature(unit: Unit, item: str) -> int | None:
    """The call id of a Celery signature (``t.s(x)``, ``t.si()``) an input names."""
    if not item.startswith("call:") or not item[5:].isdigit():
        return None
    call = unit.calls.get(int(item[5:]))
    if call is None or call.attr not in SIGNATURES or task_method(call.callee) is None:
        return None
    return call.call_id


def _calls_in(row: FlowFact | None) -> tuple[int, ...]:
    if row is None:
        return ()
    return tuple(int(i[5:]) for i in row.inputs if i.startswith("call:") and i[5:].isdigit())


def _canvas(unit: Unit) -> dict[int, tuple[int, ...]]:
    """Celery signatures of a unit run after other calls, and those calls, whose result the
    signature gets as its first argument (``auditls.knowledge.dispatch.MUTABLE_SIGNATURES``)."""
    out: dict[int, tuple[int, ...]] = {}

    def link(body: FlowFact | None, before: tuple[int, ...]) -> None:
        if body is None or not before:
            return
        for item in body.inputs:
            found = _signature(unit, item)
            if found is not None and unit.calls[found].attr in MUTABLE_SIGNATURES:
                out[found] = (*out.get(found, ()), *before)

    def rows_of(call_id: int) -> tuple[dict[int, FlowFact], dict[str, FlowFact]]:
        rows = unit.args.get(call_id, [])
        positions = {r.position: r for r in rows if r.position is not None and r.position >= 0}
        return positions, {r.keyword: r for r in rows if r.keyword is not None}

    for call_id, call in unit.calls.items():
        positions, keywords = rows_of(call_id)
        if call.callee in CHAINS:  # chain(a.s(x), b.s(), ...)
            for position, row in positions.items():
                if position >= 1:
                    link(row, _calls_in(positions.get(position - 1)))
        elif call.callee in CHORDS:  # chord(header, body)
            header = positions.get(0) or keywords.get("header")
            link(positions.get(1) or keywords.get("body"), _calls_in(header))
        else:  # chord(header)(body): the call of the call the extractor numbered next
            inner = unit.calls.get(call_id + 1)
            if (
                call.callee is None
                and inner is not None
                and inner.callee in CHORDS
                and call.callee_text.startswith(inner.callee_text + "(")
            ):
                made, named = rows_of(inner.call_id)
                header = made.get(0) or named.get("header")
                link(positions.get(0) or keywords.get("body"), _calls_in(header))
        for keyword in LINKS:  # t.apply_async((x,), link=u.s())
            link(keywords.get(keyword), (call_id,))
    for row in unit.flows:  # a.s(x) | b.s() | c.s()
        if row.how == "concat" and len(row.inputs) >= 2:
            found = [_signature(unit, item) for item in row.inputs]
            for before, after in itertools.pairwise(found):
                if (
                    before is not None
                    and after is not None
                    and unit.calls[after].attr in MUTABLE_SIGNATURES
                ):
                    out[after] = (*out.get(after, ()), before)
    return out


def _literal_text(value: str | None) -> str | None:
    """The text of a string literal argument (stored as JSON), else None."""
    if value is None or not value.startswith('"'):
        return None
    try:
        text = json.loads(value)
    except ValueError:
        return None
    return text if isinstance(text, str) else None


def _first(target: Unit) -> int:
    """The index of the first parameter a caller passes (after a bound task's ``self``)."""
    return 1 if target.params[:1] in (["self"], ["cls"]) else 0


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
        #: Local names bound to a function (``go = lambda c: ...``): what calling them runs.
        self.named = named_functions(unit)
        #: Celery signatures run with another call's result (``_canvas``), when first asked.
        self._callbacks: dict[int, tuple[int, ...]] | None = None

    @property
    def callbacks(self) -> dict[int, tuple[int, ...]]:
        if self._callbacks is None:
            self._callbacks = _canvas(self.unit) if self.unit.calls else {}
        return self._callbacks

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
                # A name twice: the lambdas of one function are one unit (each is
                # `<locals>.<lambda>`), whose parameters are all of theirs: either binds it.
                self.env.setdefault(f"name:{name}", {})[Label(f"param:{index}")] = (step,)

    def evaluate(self, row: FlowFact, reads: bool = True) -> Taint:
        out: Taint = {}
        for item in row.inputs:
            kind, _, rest = item.partition(":")
            if reads and kind == "attr" and self.unit.valid_objects:
                held = self._valid(row, item, rest)
                if held is not None:
                    _merge(out, held)  # `form.age.data`, `item.age` of a validated object
                    continue
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
                if self.unit.clean_attrs and any(
                    rest == a or rest.startswith(a + ".") for a in self.unit.clean_attrs
                ):
                    continue  # a body field FastAPI parsed into a harmless value
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

    def _valid(self, row: FlowFact, item: str, chain: str) -> Taint | None:
        """A field of a validated object (``Unit.valid_objects``): a form's ``form.age.data``
        or a model's ``item.age`` takes what the field's type makes harmless; a Flask-WTF form
        that reads the request itself is the source. None: not such a read."""
        base, _, tail = chain.partition(".")
        found = self.unit.valid_objects.get(base)
        if found is None or not tail:
            return None  # (a name bound twice in the function has no row: the extractor's)
        fields, suffix, source = found
        parts = tail.split(".")
        if suffix:
            if parts == [suffix[1:]]:
                harmless: frozenset[str] = frozenset()  # `form.data`: every field
            elif len(parts) > 1 and parts[1] == suffix[1:]:
                harmless = fields.get(parts[0], frozenset())
            else:
                return None  # `form.age.errors`, `form.age.label`: not the value
        else:
            harmless = fields.get(parts[0], frozenset())
        if source is not None:
            known = self.models.source_for(source)
            what = known.label if known is not None else source
            step = _step(self.unit.path, row, f"reads `{_short(chain)}`: {what}")
            return {Label(f"src:{source}", harmless): (step,)}
        value = self.evaluate(replace(row, inputs=(item,)), reads=False)
        if not harmless:
            return value
        return {Label(k.origin, k.cleaned | harmless): v for k, v in value.items()}

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
        if (
            call is not None
            and self.program.orm_models
            and queries_model(unit, call, self.program.orm_models, self.program.resolve)
        ):
            self.memo[call_id] = {UNKNOWN: ()}  # SQLAlchemy: rows of a mapped model's table
            return self.memo[call_id]
        source = self.models.source_for(callee) if callee else None
        if call is not None and callee is None and unit.request_as:
            # `await request.post()` on a handler's request of no declared type
            callee = self.program.request_source(unit, call.callee_text)
            source = self.models.source_for(callee) if callee else None
        target = self.program.callee(unit, call, self.named) if call is not None else None
        sent = self.program.dispatched(unit, call) if call is not None else None
        if call is not None and source is not None:
            step = _step(unit.path, call, f"calls `{_short(call.callee_text)}`: {source.label}")
            result = {Label(f"src:{callee}"): (step,)}
        elif callee is not None and callee in self.models.sanitizers:
            # Before the workspace's definition: scanning the library itself (Django's
            # `safe_join` in Django's tree) must not trade the model for a guess through it.
            kinds = self.models.sanitizers[callee]
            if "*" not in kinds:
                for row in rows:
                    for label, trace in self.evaluate(row).items():
                        cleaned = Label(label.origin, label.cleaned | kinds)
                        _merge(result, {cleaned: trace})
        elif call is not None and sent is not None and (sent[1].returns or target is sent[0]):
            result = self._through(call, sent[0], sent[1])
        elif call is not None and target is not None:
            result = self._through(call, target)
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
                # a signature run after another task: that task's result comes first
                after = 1 if call.call_id in self.callbacks else 0
                if position - sent.first + shift + after == index:
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
                index = int(label.origin[6:])
                for row in self._bound(call, target, index, sent):
                    for inner, before in self.evaluate(row).items():
                        merged = Label(inner.origin, inner.cleaned | label.cleaned)
                        _merge(out, {merged: _cap((*before, step, *trace))})
                if sent is not None and index == _first(target):
                    for inner, before in self._previous(call).items():
                        merged = Label(inner.origin, inner.cleaned | label.cleaned)
                        _merge(out, {merged: _cap((*before, step, *trace))})
        return out

    def _previous(self, call: CallFact) -> Taint:
        """What a Celery signature run after other calls gets first: their results."""
        out: Taint = {}
        for before in self.callbacks.get(call.call_id, ()):
            _merge(out, self.call_result(before))
        return out

    def _callback(self, call_id: int) -> None:
        """A signature run with another task's result: that result checked against the sinks
        the task's first parameter reaches (it has no argument row of its own)."""
        call = self.unit.calls.get(call_id)
        found = self.program.dispatched(self.unit, call) if call is not None else None
        if call is None or found is None:
            return
        task = found[0]
        summary = self.summaries.get(task.qualname)
        value = self._previous(call) if summary is not None and summary.sinks else {}
        if summary is None or not value:
            return
        step = _step(self.unit.path, call, PASSES_RESULT.format(task.qualname))
        first = _first(task)
        for label, site, trace in summary.sinks:
            if int(label.origin[6:]) == first:
                cleaned = {Label(k.origin, k.cleaned | label.cleaned): v for k, v in value.items()}
                self.sink(site, cleaned, via=(step, *trace))

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
            elif self.report is not None and not (trace and _in_tests(trace[0].path)):
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
        target = self.program.callee(self.unit, call, self.named)
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
        rendered = self.unit.renders.get((call.line, call.col)) if self.unit.renders else None
        if rendered is not None and row.target == "arg":
            by_keyword = row.keyword == rendered.keyword
            if by_keyword or (row.keyword is None and row.position == rendered.position):
                self._rendered(call, row, rendered)
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

    def _rendered(self, call: CallFact, row: FlowFact, rendered: RenderSink) -> None:
        """Django: the context of a render call whose template writes some of its keys out
        unescaped (``models.django.taint``, step 7): each such key's value is an XSS sink (the
        whole argument, once, when the key's value is not a plain local)."""
        whole = False
        for out in rendered.outputs:
            if out.value == "*":
                if whole:
                    continue
                whole = True
                value = self.evaluate(row)
            else:
                value = self.evaluate(replace(row, inputs=(out.value,)))
            what = f"`{_short(call.callee_text)}` (`{_short(out.text)}` in {out.path})"
            site = self._site(call, "xss", what, False)
            steps = (
                _step(self.unit.path, call, f"rendered as `{out.key}`"),
                Step(out.path, out.line, out.col, f"written out unescaped by `{out.text}`"),
            )
            self.sink(site, {k: (*v, *steps) for k, v in value.items()})

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

    def _element_calls(self, name: str, rows: list[FlowFact]) -> None:
        """A comprehension's variable is bound: the calls of its element that read it run
        again with its value (their results are computed again when read)."""
        reads = {name}
        again: list[FlowFact] = []
        grew = True
        while grew:  # and the calls made of those calls (`run(quote(y))`)
            grew = False
            for row in rows:
                if row not in again and not reads.isdisjoint(row.inputs):
                    again.append(row)
                    reads.add(f"call:{row.call_id}")
                    grew = True
        for row in again:
            self.memo.pop(-1 if row.call_id is None else row.call_id, None)
        for row in reversed(again):  # inner calls come later in source order
            self.argument_row(row)

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
        #: The call rows since the last other row: a comprehension's element comes before its
        #: ``for`` in the rows (``[run(y) for y in ys]``, ``group(t.si(y) for y in ys)``).
        pending: list[FlowFact] = []
        callbacks = self.callbacks
        passed: set[str] = set()
        for row in unit.flows:
            if callbacks:
                for item in row.inputs:
                    if (
                        item.startswith("call:")
                        and item not in passed
                        and int(item[5:]) in callbacks
                    ):
                        passed.add(item)
                        self._callback(int(item[5:]))
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
                pending.append(row)
                continue
            if row.how != "comprehension":
                pending.clear()
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
                if row.how == "comprehension" and pending:
                    self._element_calls(target, pending)
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
