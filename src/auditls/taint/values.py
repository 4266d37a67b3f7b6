"""The values the taint engine passes around and the units it interprets: labels, steps, sink
sites, paths and summaries; one ``Unit`` per function (light until its rows are needed) and
the ``Skeleton`` a file's units are made from without their rows. ``auditls.taint.program``
builds and links them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from auditls.facts import Fact
from auditls.facts.aiohttp import AiohttpHandlerFact
from auditls.facts.core import CallArgFact, CallFact, ClassFact, FunctionFact, ParamFact
from auditls.facts.django import DjangoViewFact
from auditls.facts.fastapi import FastAPIOperationFact, PydanticFieldFact
from auditls.facts.flask import FlaskRouteFact
from auditls.facts.taint import FlowFact
from auditls.knowledge.taint import Source, TaintRule
from auditls.models.django import RenderSink


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a taint path."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Label:
    """Where tainted data came from: a source (``src:<qualname>``) or a parameter
    (``param:<index>``), and the sink kinds a sanitizer on the way made it harmless for."""

    origin: str
    cleaned: frozenset[str] = frozenset()


Trace = tuple[Step, ...]
Taint = dict[Label, Trace]

#: A value the engine cannot vouch for (a global, an unknown callee's result): never reported,
#: but a value that carries it is not *shown clean* (``TaintEngine.clean_sites``).
UNKNOWN = Label("unknown")


@dataclass(frozen=True, slots=True)
class SinkSite:
    """A call (or store, or return) where a value meets a sink."""

    kind: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    what: str  # the sink as the message names it: "`cursor.execute`"
    by_method: bool  # known only by its method name (lower confidence)
    stmt_line: int  # first line of the statement (where a suppression comment applies)


@dataclass(frozen=True, slots=True)
class TaintPath:
    """Tainted data from a source to a sink, step by step."""

    rule: TaintRule
    source: Source
    sink: SinkSite
    steps: Trace
    confidence: str
    origin: str = ""  # the source's qualified name, as the models know it (saved state)


@dataclass(slots=True)
class Summary:
    """What a unit does with its parameters: which reach its return value, which reach sinks
    (and through which trace); which sources it returns."""

    returns: Taint = field(default_factory=dict)
    sinks: list[tuple[Label, SinkSite, Trace]] = field(default_factory=list)
    #: Source data a method stores into an attribute of ``self`` (``self.path = request...``),
    #: by attribute: the other methods of the class read it there.
    fields: dict[str, Taint] = field(default_factory=dict)
    #: Source data in the locals of a function that defines nested functions, by name: what
    #: they read as free variables (closures).
    exposed: dict[str, Taint] = field(default_factory=dict)

    def key(self) -> tuple[frozenset[Label], frozenset[tuple[Label, SinkSite]], frozenset[str]]:
        return (
            frozenset(self.returns),
            frozenset((label, site) for label, site, _ in self.sinks),
            frozenset(
                f"{kind}:{name}:{label.origin}"
                for kind, values in (("f", self.fields), ("x", self.exposed))
                for name, t in values.items()
                for label in t
            ),
        )


NO_CALLS: frozenset[int] = frozenset()
NO_FLOWS: list[FlowFact] = []
NO_CALL_FACTS: dict[int, CallFact] = {}
NO_ARGS: dict[int, list[FlowFact]] = {}
NO_RECEIVERS: dict[int, FlowFact] = {}
NO_WRITES: dict[str, int] = {}
NO_SAFE_ARGS: dict[int, list[CallArgFact]] = {}
NO_SOURCES: Mapping[str, tuple[str, frozenset[str]]] = MappingProxyType({})
NO_READS: Mapping[str, list[tuple[int, frozenset[str]]]] = MappingProxyType({})
NO_ROUTE_PARAMS: dict[str, str] = {}
#: A validated object held by a local name: its fields -> what each cannot attack, how a
#: field's value is read (``.data``: a form), and the source it is when it reads the request
#: itself (a Flask-WTF form built without data), else None.
ValidObject = tuple[dict[str, frozenset[str]], str, str | None]
NO_OBJECTS: Mapping[str, ValidObject] = MappingProxyType({})
NO_RENDERS: Mapping[tuple[int, int], RenderSink] = MappingProxyType({})


Ref = tuple[str | None, str | None]
Refs = tuple[Ref, ...]


def _ref_key(ref: Ref) -> tuple[str, str]:
    return (ref[0] or "", ref[1] or "")


def refs_of(refs: Iterable[Ref]) -> Refs:
    """Call references as ``Unit.refs`` keeps them: distinct, sorted."""
    return tuple(sorted(set(refs), key=_ref_key))


@dataclass(slots=True)
class Unit:
    """One function (or a module's top-level code) and its rows."""

    path: str
    qualname: str
    class_name: str | None = None
    line: int = 1  # where the function is defined (the first step of a parameter's trace)
    column: int = 1
    params: list[str] = field(default_factory=list)
    # The containers of its rows start as the shared empty ones (``fresh`` gives a unit of
    # ``Program.add_file`` its own): most units stay light, and a workspace has tens of
    # thousands.
    flows: list[FlowFact] = field(default_factory=lambda: NO_FLOWS)
    calls: dict[int, CallFact] = field(default_factory=lambda: NO_CALL_FACTS)
    args: dict[int, list[FlowFact]] = field(default_factory=lambda: NO_ARGS)
    receivers: dict[int, FlowFact] = field(default_factory=lambda: NO_RECEIVERS)
    #: Calls whose command is an argument list run without a shell (no ``shell=True``): a
    #: list element cannot start a second command (``subprocess.run(["tar", name])``). Shared
    #: empty sets until a call is noted (a workspace has tens of thousands of units).
    argv_calls: AbstractSet[int] = NO_CALLS
    shell_calls: AbstractSet[int] = NO_CALLS
    #: Arguments that may make a sink call harmless (``SAFE_ARGUMENTS``), by call.
    safe_args: dict[int, list[CallArgFact]] = field(default_factory=lambda: NO_SAFE_ARGS)
    #: Parameter -> the source it carries, for those a framework fills from the request (a
    #: Flask route's ``<name>``, a FastAPI operation's parameters), or "" for one the
    #: framework parsed into a harmless value (``item_id: int``); replaced whole, never
    #: written (``Program.mark_views``).
    route_params: dict[str, str] = field(default_factory=lambda: NO_ROUTE_PARAMS)
    #: How many rows write each target (a name written more than once, in branches or by a
    #: container mutator, is never taken for clean just because its last write was).
    writes: dict[str, int] = field(default_factory=lambda: NO_WRITES)
    is_view: bool = False
    #: Django views: local chains that hold the request (``request``, ``self.request``) and
    #: the class they are (``django.http.HttpRequest``): ``request.GET`` there is a source.
    request_as: tuple[tuple[str, str], ...] = ()
    #: Django (``Program.set_django``): the names that hold request data -> (the source, as
    #: the models name it, and the sink kinds it cannot attack): URL kwargs (a function view's
    #: parameters; ``self.kwargs``, a handler's parameters and its ``**kwargs`` in a class
    #: view; ``<slug:s>`` cannot attack SQL, HTML, paths...) and the bound form a class view's
    #: ``form_valid(self, form)`` receives.
    django_sources: Mapping[str, tuple[str, frozenset[str]]] = field(
        default_factory=lambda: NO_SOURCES
    )
    #: Django: keyed reads of a mapping as written (``form.cleaned_data``, ``self.kwargs``) ->
    #: (line, the sink kinds the value read there cannot attack); a row reading the mapping
    #: takes what every read of it on the row's lines cannot attack.
    clean_reads: Mapping[str, list[tuple[int, frozenset[str]]]] = field(
        default_factory=lambda: NO_READS
    )
    #: Validation (``Program.set_django``): local names holding a validated form or model
    #: (``auditls.models.validation``): ``form.age.data`` / ``item.age`` take what the field's
    #: type makes harmless.
    valid_objects: Mapping[str, ValidObject] = field(default_factory=lambda: NO_OBJECTS)
    #: Django: the spans (line, col, end line, end col) of its queryset chains that only fetch
    #: rows (``Product.objects.get(slug=slug)``): their result does not carry their arguments.
    fetches: AbstractSet[tuple[int, int, int, int]] = frozenset()
    #: Django: its render calls whose template writes context values out unescaped, by the
    #: call's (line, col): the context's values there are XSS sinks (``RenderSink``).
    renders: Mapping[tuple[int, int], RenderSink] = field(default_factory=lambda: NO_RENDERS)
    #: The calls its rows use, as ``(callee, method of self)``: what it may call (edges).
    #: A sorted tuple (``refs_of``): a workspace has tens of thousands of units, and a
    #: frozenset costs four times a tuple.
    refs: Refs = ()
    #: Methods of its class (in its file) that store into ``self.<attr>``, when it reads one.
    field_writers: tuple[str, ...] = ()
    #: The function it is nested in (its free variables are that function's locals), and
    #: whether functions are nested in it.
    enclosing: str | None = None
    has_nested: bool = False
    #: Reads a source / calls a sink (with the view facts: where a path can start or end).
    reads_source: bool = False
    calls_sink: bool = False
    #: Its rows are loaded (a unit no path can cross keeps only what links it).
    full: bool = True
    #: Attribute chains that hold harmless values (a FastAPI body's field typed ``int``:
    #: ``note.age``), however the object is tainted.
    clean_attrs: frozenset[str] = frozenset()

    def fresh(self) -> None:
        """Containers of its own for the rows about to be added (``Program.add_file``)."""
        self.flows, self.calls, self.args, self.receivers = [], {}, {}, {}
        self.writes, self.safe_args = {}, {}
        self.full = True

    def lighten(self) -> None:
        """Drop the rows (the unit can take part in no path). The empty containers are shared:
        a light unit's are never written, only replaced whole (``take_rows``)."""
        self.flows, self.calls, self.args = NO_FLOWS, NO_CALL_FACTS, NO_ARGS
        self.receivers, self.writes, self.safe_args = NO_RECEIVERS, NO_WRITES, NO_SAFE_ARGS
        self.argv_calls = self.shell_calls = NO_CALLS
        self.full = False

    def take_rows(self, other: Unit) -> None:
        """The rows of the same unit read again from its file."""
        self.flows, self.calls, self.args = other.flows, other.calls, other.args
        self.receivers, self.writes = other.receivers, other.writes
        self.argv_calls, self.shell_calls = other.argv_calls, other.shell_calls
        self.safe_args = other.safe_args
        self.full = True


@dataclass(frozen=True, slots=True)
class Skeleton:
    """What links the units of one file, read without their rows (raw columns of the store:
    far cheaper than whole facts). ``Program.add_skeleton`` makes exactly the light units
    ``Program.add_file`` would."""

    path: str
    functions: list[tuple[Any, ...]]  # FunctionFact: qualname, class_name, line, col
    params: list[tuple[Any, ...]]  # ParamFact: function, position, name
    calls: list[tuple[Any, ...]]  # CallFact: function, call_id, callee, callee_text, attr
    flows: list[tuple[Any, ...]]  # FlowFact: function, target, inputs (JSON text), call_id
    routes: list[tuple[Any, ...]]  # FlaskRouteFact: view, rule
    classes: list[tuple[Any, ...]] = field(default_factory=list)  # ClassFact: qualname, bases
    #: DjangoViewFact: qualname, kind, request_param, drf
    django_views: list[tuple[Any, ...]] = field(default_factory=list)
    #: FastAPIOperationFact: endpoint, request_params, safe_params (JSON texts), request_object
    operations: list[tuple[Any, ...]] = field(default_factory=list)
    #: AiohttpHandlerFact: qualname, kind, request_param
    handlers: list[tuple[Any, ...]] = field(default_factory=list)
    #: PydanticFieldFact: model, name, safe
    model_fields: list[tuple[Any, ...]] = field(default_factory=list)


SKELETON_COLUMNS: dict[type[Fact], tuple[str, ...]] = {
    FunctionFact: ("qualname", "class_name", "line", "col"),
    ParamFact: ("function", "position", "name"),
    CallFact: ("function", "call_id", "callee", "callee_text", "attr"),
    FlowFact: ("function", "target", "inputs", "call_id"),
    FlaskRouteFact: ("view", "rule"),
    ClassFact: ("qualname", "bases"),
    DjangoViewFact: ("qualname", "kind", "request_param", "drf"),
    FastAPIOperationFact: (
        "endpoint",
        "request_params",
        "safe_params",
        "request_object",
        "param_types",
    ),
    AiohttpHandlerFact: ("qualname", "kind", "request_param"),
    PydanticFieldFact: ("model", "name", "safe"),
}
