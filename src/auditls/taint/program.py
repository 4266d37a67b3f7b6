"""The program the taint engine interprets: its units (one per function, light until their
rows are needed; ``auditls.taint.values`` defines them and the values the engine passes
around: labels, steps, sink sites, paths, summaries), what links them (call references, class
bases, nesting, fields of ``self``), and where paths can start or end (sources read, sinks
called, views and their request). The algorithm is in ``auditls.taint.engine``'s docstring
(steps 1 and 2 are here)."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from auditls.facts import FileFacts
from auditls.facts.aiohttp import AiohttpHandlerFact
from auditls.facts.core import CallArgFact, CallFact, ClassFact, FunctionFact, ParamFact
from auditls.facts.django import DjangoViewFact
from auditls.facts.fastapi import FastAPIOperationFact, PydanticFieldFact
from auditls.facts.flask import FlaskRouteFact
from auditls.facts.taint import FlowFact
from auditls.knowledge.dispatch import (
    SAVE_METHODS,
    SAVED,
    SIGNAL,
    Dispatch,
    dispatch_for,
    task_method,
)
from auditls.knowledge.taint import (
    DEFAULT_MODELS,
    MIDDLEWARE_ATTRIBUTE,
    OPERATION_PARAMETER,
    ROUTE_PARAMETER,
    SAFE_CONVERTERS,
    SAFE_KEYWORDS,
    SAFE_NAMES,
    URL_KWARG,
    Models,
    Sink,
)
from auditls.models.django import DjangoTaint
from auditls.models.fastapi import TypeAliases
from auditls.models.validation import ValidationTaint
from auditls.taint.values import (
    NO_FLOWS,
    NO_OBJECTS,
    NO_READS,
    NO_RENDERS,
    NO_SOURCES,
    Ref,
    Skeleton,
    Unit,
    refs_of,
)

_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


_EVERY = frozenset({"*"})


SELF_ATTRS = ("attr:self.", "attr:cls.")
_DJANGO_REQUEST = "django.http.HttpRequest"
_STARLETTE_REQUEST = "starlette.requests.Request"
_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
_AIOHTTP_REQUEST = "aiohttp.web.Request"
#: A FastAPI operation: endpoint, the parameters that carry request data, those the framework
#: parses into harmless values, the request's name, ``name=class`` of class-typed parameters.
Operation = tuple[str, tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...]]
_DRF_REQUEST = "rest_framework.request.Request"
#: ``super().method(...)`` as the extractor resolves it: the base class's method runs.
_SUPER = "builtins.super."


def sink_of(models: Models, callee: str | None, attr: str | None) -> tuple[Sink, bool] | None:
    """The sink a call reaches, and whether only by its method name. ``super().execute()``
    runs a base class's method (a workspace function), never a sink known by name alone."""
    if callee is not None and callee.startswith(_SUPER):
        return None
    return models.sink_for(callee, attr)


def _passes_function(callee: str | None, attr: str | None) -> bool:
    """Whether a call may pass a function on to run it (``Thread(target=f)``)."""
    found = dispatch_for(callee, attr)
    return found is not None and found.by_reference


def _function_refs(inputs: Iterable[str], function: str) -> Iterator[Ref]:
    """Call references for the functions an argument of ``function`` may pass on (``ref:m.f``
    -> ``("m.f", None)``; ``attr:self.m`` -> ``(None, "m")``; a name, ``name:f``, -> the
    functions of that name it may see: nested in it, or in the module and the functions
    around it (``_named_functions``)): edges to what may run."""
    for item in inputs:
        if item.startswith("ref:"):
            yield sys.intern(item[4:]), None
        elif item.startswith(("attr:self.", "attr:cls.")):
            method = item.split(".", 1)[1]
            if "." not in method:
                yield None, sys.intern(method)
        elif item.startswith("name:"):
            for name in _named_functions(function, item[5:]):
                yield sys.intern(name), None


def named_functions(unit: Unit) -> dict[str, str]:
    """The local names of a unit written once, with a bare name (``go = lambda c: ...`` is
    ``name:<lambda>`` and what the body reads; ``f = helper``), and that name (``name:...``):
    what a call of the local may run (``Program.function_ref`` says whether it is one)."""
    if not unit.flows:
        return {}
    out: dict[str, str] = {}
    for row in unit.flows:
        target, inputs = row.target, row.inputs
        if (
            target.startswith("name:")
            and (len(inputs) == 1 or inputs[:1] == ("name:<lambda>",))
            and inputs[0].startswith("name:")
            and unit.writes.get(target, 0) == 1
        ):
            out[target[5:]] = inputs[0]
    return out


def _named_functions(function: str, name: str) -> Iterator[str]:
    """The qualified names a bare ``name`` used in ``function`` may be a function of its file
    by: nested in it first, then in each scope around it out to the module (``m.view`` ->
    ``m.view.<locals>.name``, ``m.name``; the module's own code ``m`` -> ``m.name``). A name
    that is no unit, a method (class bodies' names are not seen from inside their methods) or
    another file's unit is not one: the callers check."""
    yield f"{function}.<locals>.{name}"
    yield f"{function}.{name}"  # `function` is a module's own code
    parts = function.split(".")
    for end in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:end]) + "." + name


def _self_method(attr: str | None, text: str) -> str | None:
    """``self.m(...)``: a method of the unit's own class (``self.request.GET.get`` is not)."""
    if attr and text.startswith(("self.", "cls.")) and text.count(".") == 1:
        return attr
    return None


class Program:
    """The units of a workspace and how calls resolve to them. Files come and go
    (``add_file``, ``remove_file``): a unit belongs to the file that defines it."""

    def __init__(
        self,
        files: Iterable[FileFacts],
        resolve: Callable[[str], str] | None = None,
        models: Models = DEFAULT_MODELS,
    ) -> None:
        self.models = models
        self.units: dict[str, Unit] = {}
        #: Path -> the qualified names of the units its facts made.
        self.files: dict[str, list[str]] = {}
        #: Path -> the views its route facts name, with their URL rules.
        self._routes: dict[str, list[tuple[str, str]]] = {}
        #: Units given Django facts by ``set_django`` (to clear them when they go).
        self._django: set[str] = set()
        #: A function -> its Django signal sends, by position -> their receivers
        #: (``set_django``).
        self.signal_sends: dict[str, dict[tuple[int, int], tuple[str, ...]]] = {}
        #: Request attributes project middleware sets from request data (``set_django``).
        self.middleware_attrs: frozenset[str] = frozenset()
        #: A model class ("*": any) -> its pre_save/post_save receivers (``set_django``).
        self.saves: dict[str, tuple[str, ...]] = {}
        #: What ``set_django`` was last given (saved with the engine: ``auditls.taint.state``).
        self.django_facts: tuple[DjangoTaint, ValidationTaint] | None = None
        #: The mapped SQLAlchemy models (``auditls.models.orm``): what their queries return is
        #: rows of the database (``auditls.taint.orm``; ``TaintEngine.set_orm``).
        self.orm_models: frozenset[str] = frozenset()
        #: Path -> the FastAPI operations its facts declare: endpoint, the parameters that
        #: carry request data, the parameter that is the request.
        self._operations: dict[str, list[Operation]] = {}
        #: Path -> the Pydantic model fields its facts declare that hold harmless values.
        self._safe_fields: dict[str, list[tuple[str, str]]] = {}
        #: Class -> its bases, resolved (``super().m()`` runs a base's ``m``); by file too.
        self.bases: dict[str, tuple[str, ...]] = {}
        self._classes: dict[str, list[str]] = {}
        self.resolve = resolve
        #: Type aliases of other modules: a call on a value annotated with one is a call on
        #: its class (``db.execute`` for ``db: SessionDep``), a FastAPI parameter of one is
        #: what the alias makes it (set before files are added: ``TaintEngine(types=...)``).
        self.types: TypeAliases | None = None
        for ff in files:
            self.add_file(ff)
        self.mark_views({view for routes in self._routes.values() for view, _ in routes})

    def rows_of(self, ff: FileFacts, names: Iterable[str]) -> None:
        """Load the rows of these units (of ``ff``'s file, kept light until now)."""
        scratch = Program((), self.resolve, self.models)
        scratch.types = self.types
        scratch.add_file(ff)
        for name in names:
            unit, fresh = self.units.get(name), scratch.units.get(name)
            if unit is not None and fresh is not None and unit.path == ff.path:
                unit.take_rows(fresh)

    def _unit(self, path: str, qualname: str, made: list[str], rows: bool = False) -> Unit:
        unit = self.units.get(qualname)
        if unit is None:
            qualname = sys.intern(qualname)  # shared by the units' dict, edges and summaries
            unit = self.units[qualname] = Unit(path, qualname)
            made.append(qualname)
        if rows and unit.flows is NO_FLOWS:
            unit.fresh()  # never write into the shared empty containers
        return unit

    def add_file(self, ff: FileFacts, rows: bool = True) -> list[str]:
        """Make the units of one file (a file of the same path must have been removed); returns
        their qualified names. Without ``rows`` the units keep only what links them and where
        paths can start or end. Call ``mark_views`` afterwards with the views that changed."""
        made: list[str] = []
        types = self.types
        params: dict[str, list[ParamFact]] = defaultdict(list)
        calls_of: dict[int, Unit] = {
            f.call_id: self._unit(ff.path, f.function, made, True) for f in ff.of(CallFact)
        }
        routes: list[tuple[str, str]] = []
        django: list[tuple[Any, ...]] = []
        operations: list[Operation] = []
        handlers: list[tuple[Any, ...]] = []
        safe_fields: list[tuple[str, str]] = []
        for fact in ff.facts:
            if isinstance(fact, FlowFact):
                unit = self._unit(ff.path, fact.function, made, True)
                if fact.target == "arg" and fact.call_id is not None:
                    unit.args.setdefault(fact.call_id, []).append(fact)
                elif fact.target == "receiver" and fact.call_id is not None:
                    unit.receivers[fact.call_id] = fact
                    if len(fact.inputs) == 1:
                        name = fact.inputs[0]  # may be a mutator: counted as a write
                        unit.writes[name] = unit.writes.get(name, 0) + 1
                else:
                    unit.writes[fact.target] = unit.writes.get(fact.target, 0) + 1
                unit.flows.append(fact)
            elif isinstance(fact, CallFact):
                if types and fact.callee is not None:
                    callee = types.retype(fact.callee)
                    if callee != fact.callee:
                        fact = dataclasses.replace(fact, callee=callee)
                self._unit(ff.path, fact.function, made, True).calls[fact.call_id] = fact
            elif isinstance(fact, FunctionFact):
                unit = self._unit(ff.path, fact.qualname, made, True)
                unit.class_name, unit.line, unit.column = fact.class_name, fact.line, fact.col
            elif isinstance(fact, ParamFact):
                params[fact.function].append(fact)
            elif isinstance(fact, CallArgFact):
                self._note_argument(fact, calls_of)
            elif isinstance(fact, FlaskRouteFact) and fact.view:
                routes.append((fact.view, fact.rule or ""))
            elif isinstance(fact, ClassFact):
                self._add_class(ff.path, fact.qualname, fact.bases)
            elif isinstance(fact, DjangoViewFact):
                django.append((fact.qualname, fact.kind, fact.request_param, fact.drf))
            elif isinstance(fact, PydanticFieldFact):
                if fact.safe:
                    safe_fields.append((fact.model, fact.name))
            elif isinstance(fact, AiohttpHandlerFact):
                handlers.append((fact.qualname, fact.kind, fact.request_param))
            elif isinstance(fact, FastAPIOperationFact):
                operations.append((fact.endpoint, fact.request_params, fact.safe_params,
                                   fact.request_object, fact.param_types))  # fmt: skip
        for function, found in params.items():
            self._unit(ff.path, function, made, True).params = [
                p.name for p in sorted(found, key=lambda p: p.position)
            ]
        readers: set[str] = set()
        writers: set[str] = set()
        self.mark_requests(made, django)
        self.mark_handlers(made, handlers)
        self._mark_operations(ff.path, operations)
        if safe_fields:
            self._safe_fields[ff.path] = safe_fields
        for name in made:
            unit = self.units[name]
            self._keep_used_calls(unit)
            self._note_ends(unit)
            for row in unit.flows:
                if row.target.startswith(SELF_ATTRS):
                    writers.add(name)
                if any(item.startswith(SELF_ATTRS) for item in row.inputs):
                    readers.add(name)
        self._link_fields(made, readers, writers)
        self.link_nesting(made)
        if not rows:
            for name in made:
                self.units[name].lighten()
        self.files[ff.path] = made
        if routes:
            self._routes[ff.path] = routes
        return made

    def _is_enum(self, qualname: str, depth: int = 0) -> bool:
        if qualname in _ENUM_BASES:
            return True
        if depth > 8:
            return False
        bases = self.bases.get(qualname)
        if bases is None and self.resolve is not None:
            bases = self.bases.get(self.resolve(qualname))
        return any(self._is_enum(b, depth + 1) for b in bases or ())

    def _mark_operations(self, path: str, operations: list[Operation]) -> None:
        """A file's FastAPI operations: kept for ``mark_views`` (their parameters), and the
        request parameter of an endpoint defined here is where its request is."""
        if not operations:
            return
        self._operations[path] = operations
        for endpoint, _, _, request_object, _ in operations:
            unit = self.units.get(endpoint)
            if unit is not None and unit.path == path and request_object:
                found = (request_object, _STARLETTE_REQUEST)
                if found not in unit.request_as:
                    unit.request_as = (*unit.request_as, found)

    def _add_class(self, path: str, qualname: str, bases: Iterable[str]) -> None:
        self.bases[qualname] = tuple(bases)
        self._classes.setdefault(path, []).append(qualname)

    def add_skeleton(self, sk: Skeleton) -> list[str]:
        """Make the light units of one file from its skeleton (see ``add_file``)."""
        made: list[str] = []
        for qualname, bases in sk.classes:
            self._add_class(sk.path, qualname, json.loads(bases))
        types = self.types
        calls = sk.calls
        if types:
            calls = [(f, i, types.retype(c), t, a) for f, i, c, t, a in calls]
        models = self.models
        used: dict[str, set[int]] = defaultdict(set)
        reads: set[str] = set()
        sinks: set[str] = set()
        passing: set[tuple[str, int]] = set()  # calls that pass a function on (threads, ...)
        for function, call_id, callee, _, attr in calls:
            self._unit(sk.path, function, made)
            if _passes_function(callee, attr):
                passing.add((function, call_id))
        passed: dict[str, list[Ref]] = defaultdict(list)
        readers: set[str] = set()
        writers: set[str] = set()
        attrs: dict[str, set[str]] = defaultdict(set)
        named: dict[str, dict[str, str]] = defaultdict(dict)  # `go = lambda ...`, `f = helper`
        written: Counter[tuple[str, str]] = Counter()
        for function, target, inputs, call_id in sk.flows:
            self._unit(sk.path, function, made)
            if target.startswith("name:"):
                written[function, target] += 1  # as ``Unit.writes`` counts (``add_file``)
                if inputs.startswith('["name:<lambda>"'):
                    named[function][target[5:]] = "name:<lambda>"
                elif inputs.startswith('["name:') and inputs.count('"') == 2:
                    named[function][target[5:]] = inputs[2:-2]
            elif target == "receiver" and inputs.count('"') == 2:
                written[function, inputs[2:-2]] += 1
            if target.startswith(SELF_ATTRS):
                writers.add(function)
            if '"attr:self.' in inputs or '"attr:cls.' in inputs:
                readers.add(function)
            if target in ("arg", "receiver") and call_id is not None:
                used[function].add(call_id)
                if target == "arg" and (function, call_id) in passing:
                    passed[function].extend(_function_refs(json.loads(inputs), function))
            elif target.startswith("item:") and target[5:] in models.item_sinks:
                sinks.add(function)
            if '"call:' in inputs or '"ref:' in inputs or '"attr:' in inputs:
                for item in json.loads(inputs):
                    if item.startswith("call:") and item[5:].isdigit():
                        used[function].add(int(item[5:]))
                    elif item.startswith("ref:") and models.source_for(item[4:]) is not None:
                        reads.add(function)
                    elif item.startswith("attr:"):
                        attrs[function].add(item[5:])
        for qualname, class_name, line, col in sk.functions:
            unit = self._unit(sk.path, qualname, made)
            unit.class_name, unit.line, unit.column = class_name, line, col
        params: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for function, position, name in sk.params:
            params[function].append((position, sys.intern(name)))
        for function, found in params.items():
            ordered = sorted(found, key=lambda item: item[0])
            self._unit(sk.path, function, made).params = [name for _, name in ordered]
        refs: dict[str, set[tuple[str | None, str | None]]] = defaultdict(set)
        for function, call_id, callee, text, attr in calls:
            if call_id not in used.get(function, ()):
                continue
            callee = None if callee is None else sys.intern(callee)
            method = _self_method(attr, text)
            refs[function].add((callee, None if method is None else sys.intern(method)))
            if (
                callee is None
                and attr is None
                and text in named.get(function, ())
                and written[function, "name:" + text] == 1  # as ``named_functions`` says
            ):
                passed[function].extend(_function_refs((named[function][text],), function))
            if callee is not None and models.source_for(callee) is not None:
                reads.add(function)
            elif callee is None:
                attrs[function].add(text)  # `request.post()`: a source where it is the request
            if sink_of(models, callee, attr) is not None:
                sinks.add(function)
        self.mark_requests(made, sk.django_views)
        self.mark_handlers(made, sk.handlers)
        fields = [(str(m), str(n)) for m, n, safe in sk.model_fields if safe]
        if fields:
            self._safe_fields[sk.path] = fields
        self._mark_operations(
            sk.path,
            [
                (
                    e,
                    tuple(json.loads(p)) if p else (),
                    tuple(json.loads(c)) if c else (),
                    r,
                    tuple(json.loads(t)) if t else (),
                )
                for e, p, c, r, t in sk.operations
                if e
            ],
        )
        for name in made:
            unit = self.units[name]
            if any(self.request_source(unit, a) is not None for a in attrs.get(name, ())):
                reads.add(name)
            unit.refs = refs_of([*refs.get(name, ()), *passed.get(name, ())])
            unit.reads_source, unit.calls_sink = name in reads, name in sinks
            unit.lighten()
        self._link_fields(made, readers, writers)
        self.link_nesting(made)
        self.files[sk.path] = made
        routes = [(view, rule or "") for view, rule in sk.routes if view]
        if routes:
            self._routes[sk.path] = routes
        return made

    def mark_requests(self, made: list[str], views: Iterable[tuple[Any, ...]]) -> None:
        """Django views of a file: where their request is (a function view's request
        parameter; ``self.request`` and a handler's ``request`` parameter in a class view's
        methods), as the request class it is."""
        chains: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for qualname, kind, request_param, drf in views:
            request_class = _DRF_REQUEST if drf else _DJANGO_REQUEST
            if kind == "function" and request_param:
                chains[qualname].append((str(request_param), request_class))
            elif kind == "class":
                for name in made:
                    unit = self.units[name]
                    if unit.class_name == qualname:
                        chains[name].append(("self.request", request_class))
                        if unit.params[1:2] == ["request"]:
                            chains[name].append(("request", request_class))
        for name, found in chains.items():
            view = self.units.get(name)
            if view is not None:
                view.request_as = tuple(found)

    def mark_handlers(self, made: list[str], handlers: Iterable[tuple[Any, ...]]) -> None:
        """aiohttp handlers of a file: a function's request parameter, ``self.request`` in a
        view class's methods, as ``aiohttp.web.Request``."""
        for qualname, kind, request_param in handlers:
            if kind == "function" and request_param:
                chains = [(qualname, (str(request_param), _AIOHTTP_REQUEST))]
            elif kind == "class":
                chains = [
                    (name, ("self.request", _AIOHTTP_REQUEST))
                    for name in made
                    if self.units[name].class_name == qualname
                ]
            else:
                continue
            for name, chain in chains:
                unit = self.units.get(name)
                if unit is not None and chain not in unit.request_as:
                    unit.request_as = (*unit.request_as, chain)

    def request_source(self, unit: Unit, chain: str) -> str | None:
        """The source a Django view reads with ``chain`` (``request.GET``), as the models name
        it (``django.http.HttpRequest.GET``), else None."""
        for local, request_class in unit.request_as:
            if chain.startswith(local + "."):
                ref = request_class + chain[len(local) :]
                if self.models.source_for(ref) is not None:
                    return ref
                attr = chain[len(local) + 1 :].partition(".")[0]
                if attr in self.middleware_attrs and request_class == _DJANGO_REQUEST:
                    return MIDDLEWARE_ATTRIBUTE
        return None

    def set_django(self, facts: DjangoTaint, valid: ValidationTaint | None = None) -> set[str]:
        """Give the units what the Django model says (``auditls.models.django.taint``): the URL
        kwargs of function views (by qualified name) and of class views (by class: every
        method's ``self.kwargs``, a handler's parameters and ``**`` parameter), the bound form
        or serializer a class view's ``form_valid`` / ``perform_create`` receives, and the
        keyed reads and queryset fetches of each function; with ``valid``, the validation
        model's objects and keyed reads of loaded data (``auditls.models.validation``).
        Returns the units whose facts changed."""
        kwargs, bound = facts.kwargs, facts.bound
        valid = valid if valid is not None else ValidationTaint()
        self.django_facts = (facts, valid)
        wanted: dict[str, tuple[dict[str, tuple[str, frozenset[str]]], Mapping[str, Any]]] = {}
        # Only the units these name, and the methods of the classes they name (in the files
        # defining those classes): not every unit of the workspace at every revision.
        names = {*kwargs, *facts.reads, *facts.fetches, *facts.renders, *self._django,
                 *valid.objects, *valid.reads}  # fmt: skip
        for path, classes in self._classes.items():
            if any(c in kwargs or c in bound for c in classes):
                names.update(self.files.get(path, ()))
        for name in names:
            unit = self.units.get(name)
            if unit is None:
                continue
            found: dict[str, tuple[str, frozenset[str]]] = {}
            own = kwargs.get(name) if unit.class_name is None else None
            if own:
                found = {p: (URL_KWARG, h) for p, h in own.items()
                         if p in unit.params[1:] and "*" not in h}  # fmt: skip
            by_class = kwargs.get(unit.class_name) if unit.class_name else None
            if by_class:
                whole = _EVERY
                for harmless in by_class.values():
                    whole = harmless if "*" in whole else whole if "*" in harmless else (
                        whole & harmless)  # fmt: skip
                if "*" not in whole:
                    found["self.kwargs"] = (URL_KWARG, whole)
                    if name in facts.spreads:
                        found[facts.spreads[name]] = (URL_KWARG, whole)
                if unit.params[1:2] == ["request"]:
                    for param in unit.params[2:]:
                        kinds = by_class.get(param)
                        if kinds is not None and "*" not in kinds:
                            found[param] = (URL_KWARG, kinds)
            methods = bound.get(unit.class_name) if unit.class_name else None
            source = methods.get(name.rpartition(".")[2]) if methods else None
            if source is not None and len(unit.params) > 1:
                found[unit.params[1]] = (source, frozenset())
            read = {**facts.reads.get(name, {}), **valid.reads.get(name, {})}
            objects = valid.objects.get(name)
            if (found or read or objects or name in facts.fetches or name in facts.renders
                    or name in self._django):  # fmt: skip
                wanted[name] = (found, read)
        changed: set[str] = set()
        for name, (found, reads) in wanted.items():
            unit = self.units[name]
            fetched = frozenset(facts.fetches.get(name, ()))
            objects = valid.objects.get(name) or {}
            rendered = facts.renders.get(name) or {}
            before = (dict(unit.django_sources), dict(unit.clean_reads), unit.fetches,
                      dict(unit.valid_objects), dict(unit.renders))  # fmt: skip
            if before != (found, dict(reads), fetched, objects, rendered):
                unit.renders = MappingProxyType(rendered) if rendered else NO_RENDERS
                unit.django_sources = MappingProxyType(found) if found else NO_SOURCES
                unit.clean_reads = MappingProxyType(dict(reads)) if reads else NO_READS
                unit.valid_objects = MappingProxyType(objects) if objects else NO_OBJECTS
                unit.fetches = fetched
                changed.add(name)
        self._django = {
            name for name, (found, reads) in wanted.items()
            if found or reads or name in facts.fetches or name in facts.renders
            or valid.objects.get(name)
        }  # fmt: skip
        self.signal_sends = facts.sends
        self.saves = facts.saves
        if facts.request_attrs != self.middleware_attrs:
            self.middleware_attrs = facts.request_attrs
            changed |= {name for name, unit in self.units.items() if unit.request_as}
        return changed

    def receivers(self, unit: Unit, call: CallFact) -> list[Unit]:
        """The workspace functions a Django signal's send call runs (the model's receivers of
        that signal)."""
        sends = self.signal_sends.get(unit.qualname)
        names = sends.get((call.line, call.col), ()) if sends else ()
        return [u for name in names if (u := self.units.get(name)) is not None]

    def save_receivers(self, callee: str | None) -> list[Unit]:
        """The pre_save/post_save receivers a call that saves a model instance runs
        (``order.save()`` on a ``shop.models.Order``, ``Order.objects.create(...)``)."""
        if not self.saves or callee is None:
            return []
        model = next((callee[: -len(m)] for m in SAVE_METHODS if callee.endswith(m)), None)
        if not model:
            return []
        names: list[str] = []
        # `Order.objects.get(...).save()` resolves through the manager: the model is a prefix,
        # a class of the workspace (a receiver with no sender= gets every model's saves).
        while model.count(".") >= 1:
            resolved = self.resolve(model) if self.resolve is not None else model
            if model in self.bases or resolved in self.bases:
                names += [*self.saves.get(model, ()), *self.saves.get(resolved, ())]
                names += self.saves.get("*", ())
                break
            model = model.rpartition(".")[0]
        return [u for n in dict.fromkeys(names) if (u := self.units.get(n)) is not None]

    def receivers_of(self, name: str) -> set[str]:
        """Every receiver of the signals a unit sends (edges)."""
        sends = self.signal_sends.get(name)
        return {r for names in sends.values() for r in names} if sends else set()

    def link_nesting(self, made: Iterable[str]) -> None:
        """A nested function depends on the function it is nested in (a closure reads its
        locals): the enclosing one is what it calls, for the order and for relevance."""
        for name in made:
            if ".<locals>." not in name:
                continue
            outer = name.rsplit(".<locals>.", 1)[0]
            unit, enclosing = self.units.get(name), self.units.get(outer)
            if unit is None or enclosing is None or enclosing.path != unit.path:
                continue
            unit.enclosing = outer
            enclosing.has_nested = True
            unit.refs = refs_of({*unit.refs, (outer, None)})

    def _link_fields(self, made: list[str], readers: set[str], writers: set[str]) -> None:
        """A method reading ``self.<attr>`` depends on the methods of its class (in the same
        file) that store one: what they store is what it may read."""
        by_class: dict[str, list[str]] = defaultdict(list)
        for name in sorted(writers):
            class_name = self.units[name].class_name
            if class_name and name.startswith(class_name + "."):
                by_class[class_name].append(name)
        for name in readers:
            unit = self.units[name]
            found = [w for w in by_class.get(unit.class_name or "", ()) if w != name]
            if found:
                unit.field_writers = tuple(found)  # edges of their own (``TaintEngine._link``)

    def remove_file(self, path: str) -> tuple[list[str], set[str]]:
        """Drop the units of one file; returns their names and the views its routes named."""
        for qualname in self._classes.pop(path, ()):
            self.bases.pop(qualname, None)
        names = self.files.pop(path, [])
        for name in names:
            unit = self.units.get(name)
            if unit is not None and unit.path == path:
                del self.units[name]
        self._safe_fields.pop(path, None)
        views = {view for view, _ in self._routes.pop(path, ())}
        return names, views | {op[0] for op in self._operations.pop(path, ())}

    def views_of(self, path: str) -> set[str]:
        """The units that routes or operations declared in this file name."""
        views = {view for view, _ in self._routes.get(path, ())}
        return views | {op[0] for op in self._operations.get(path, ())}

    def mark_views(self, views: Iterable[str]) -> set[str]:
        """Set what each of these units knows of the routes that name it (a view's response
        is a sink; its ``<name>`` converters carry request data, ``<int:id>`` does not);
        returns the units whose view facts changed."""
        wanted = {v for v in views if v in self.units}
        rules: dict[str, list[str]] = defaultdict(list)
        sourced: dict[str, set[str]] = defaultdict(set)
        parsed: dict[str, set[str]] = defaultdict(set)
        typed: dict[str, set[str]] = defaultdict(set)  # endpoint -> "param=Model"
        for path in sorted(self._routes):
            for view, rule in self._routes[path]:
                if view in wanted:
                    rules[view].append(rule)
        for path in sorted(self._operations):
            for endpoint, params, checked, _, types in self._operations[path]:
                if endpoint in wanted:
                    params, checked, types = self._through_aliases(params, checked, types)
                    # A parameter typed as an Enum of the workspace holds one of its values.
                    enums = {n for n, _, t in (x.partition("=") for x in types) if self._is_enum(t)}
                    sourced[endpoint].update(p for p in params if p not in enums)
                    parsed[endpoint].update(checked, enums & set(params))
                    typed[endpoint].update(types)
        changed: set[str] = set()
        for name in wanted:
            unit = self.units[name]
            route_params: dict[str, str] = {}
            for rule in rules.get(name, ()):
                for converter, param in _CONVERTER.findall(rule):
                    if converter not in SAFE_CONVERTERS:
                        route_params[param] = ROUTE_PARAMETER
            for param in sorted(sourced.get(name, ())):
                route_params.setdefault(param, OPERATION_PARAMETER)
            for param in sorted(parsed.get(name, ())):
                route_params.setdefault(param, "")  # parsed by the framework: clean
            is_view = name in rules
            clean = self._clean_fields(typed.get(name, ()))
            if (is_view, route_params, clean) != (
                unit.is_view,
                unit.route_params,
                unit.clean_attrs,
            ):
                unit.is_view, unit.route_params, unit.clean_attrs = is_view, route_params, clean
                changed.add(name)
        return changed

    def _through_aliases(
        self, params: tuple[str, ...], checked: tuple[str, ...], types: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """An operation's request parameters, parsed parameters and ``name=class`` types, with
        the parameters typed by an alias of another module read as the alias says: a
        dependency (``db: SessionDep``) carries no request data, a ``Literal`` alias is
        parsed, and the class is the alias's."""
        aliases = self.types
        if not aliases or not types:
            return params, checked, types
        dropped: set[str] = set()
        parsed: list[str] = []
        out: list[str] = []
        for typed in types:
            name, _, ref = typed.partition("=")
            alias = aliases.exact(ref)
            if alias is None:
                out.append(typed)
            elif alias.role in ("dependency", "server", "safe"):
                dropped.add(name)
                if alias.role == "safe":
                    parsed.append(name)
            elif alias.cls is not None and not alias.cls.startswith("builtins."):
                out.append(f"{name}={alias.cls}")
        if not dropped and len(out) == len(types) and out == list(types):
            return params, checked, types
        kept = tuple(p for p in params if p not in dropped)
        return kept, (*checked, *parsed), tuple(out)

    def _clean_fields(self, types: Iterable[str]) -> frozenset[str]:
        """``param.field`` chains of body parameters typed with a Pydantic model whose field
        holds a harmless value (``note.age`` for ``note: Note`` with ``age: int``)."""
        if not types or not self._safe_fields:
            return frozenset()
        by_model: dict[str, set[str]] = defaultdict(set)
        for fields in self._safe_fields.values():
            for model, name in fields:
                by_model[model].add(name)
        out: set[str] = set()
        for typed in types:
            param, _, model = typed.partition("=")
            found = by_model.get(model)
            if found is None and self.resolve is not None:
                found = by_model.get(self.resolve(model))
            out.update(f"{param}.{name}" for name in found or ())
        return frozenset(out)

    def _note_ends(self, unit: Unit) -> None:
        models = self.models
        refs = [
            (call.callee, _self_method(call.attr, call.callee_text)) for call in unit.calls.values()
        ]
        named = named_functions(unit)
        for call in unit.calls.values():
            if _passes_function(call.callee, call.attr):
                for row in unit.args.get(call.call_id, ()):
                    refs.extend(_function_refs(row.inputs, unit.qualname))
            if call.callee is None and call.attr is None and call.callee_text in named:
                refs.extend(_function_refs((named[call.callee_text],), unit.qualname))
        unit.refs = refs_of(refs)
        unit.reads_source = (
            any(
                call.callee is not None and models.source_for(call.callee) is not None
                for call in unit.calls.values()
            )
            or any(
                call.callee is None and self.request_source(unit, call.callee_text) is not None
                for call in unit.calls.values()
            )
            or any(
                (item.startswith("ref:") and models.source_for(item[4:]) is not None)
                or (item.startswith("attr:") and self.request_source(unit, item[5:]) is not None)
                for row in unit.flows
                for item in row.inputs
            )
        )
        unit.calls_sink = any(
            sink_of(models, call.callee, call.attr) is not None for call in unit.calls.values()
        ) or any(
            row.target.startswith("item:") and row.target[5:] in models.item_sinks
            for row in unit.flows
        )

    @staticmethod
    def _keep_used_calls(unit: Unit) -> None:
        """Only the calls a row mentions can move data (an argument, a receiver, a result
        read); the others are dropped (most calls of a workspace are neither)."""
        used = set(unit.args) | set(unit.receivers)
        for row in unit.flows:
            for item in row.inputs:
                if item.startswith("call:") and item[5:].isdigit():
                    used.add(int(item[5:]))
        if len(used) < len(unit.calls):
            unit.calls = {k: v for k, v in unit.calls.items() if k in used}

    @staticmethod
    def _note_argument(arg: CallArgFact, calls_of: dict[int, Unit]) -> None:
        unit = calls_of.get(arg.call_id)
        if unit is None:
            return
        if arg.position == 0 and arg.kind == "container":
            unit.argv_calls = {*unit.argv_calls, arg.call_id}
        if arg.keyword == "shell" and arg.value not in (None, "false", "null", "0"):
            unit.shell_calls = {*unit.shell_calls, arg.call_id}
        if arg.keyword in SAFE_KEYWORDS or arg.qualname in SAFE_NAMES:
            unit.safe_args.setdefault(arg.call_id, []).append(arg)

    def candidates(self, unit: Unit, callee: str | None, method: str | None) -> list[str]:
        """The names a call (to ``callee``, or to ``self.method``) may resolve to, in the order
        ``callee`` tries them."""
        out: list[str] = []
        if callee is not None:
            out.append(callee)
            if self.resolve is not None:
                out.append(self.resolve(callee))
            if callee.startswith(_SUPER) and unit.class_name:
                name = callee[len(_SUPER) :]
                for base in self.bases.get(unit.class_name, ()):
                    out.append(f"{base}.{name}")
                    if self.resolve is not None:
                        out.append(self.resolve(f"{base}.{name}"))
        if unit.class_name and method:
            out.append(f"{unit.class_name}.{method}")
        task = task_method(callee)
        if task is not None:  # `tasks.purge.delay(...)` queues `tasks.purge`
            out.append(task[0])
            if self.resolve is not None:
                out.append(self.resolve(task[0]))
        return out

    def callee(
        self, unit: Unit, call: CallFact, named: Mapping[str, str] | None = None
    ) -> Unit | None:
        """The workspace function a call runs, when it resolves to one; with ``named``
        (``named_functions`` of the unit), a call of a local name bound once to a function
        (``go = lambda c: ...; go(x)``, ``f = helper; f(x)``) runs that function."""
        found = self.target(unit, call.callee, _self_method(call.attr, call.callee_text))
        if found is None and named and call.callee is None and call.attr is None:
            bound = named.get(call.callee_text)
            if bound is not None:
                found = self.function_ref(unit, bound)
        return found

    def target(self, unit: Unit, callee: str | None, method: str | None) -> Unit | None:
        """The workspace function of a call reference (``Unit.refs``), when there is one (a
        task's method only on a function with parameters: never a module's own code)."""
        for name in self.candidates(unit, callee, method):
            target = self.units.get(name)
            if target is not None:
                if not target.params and name != callee and task_method(callee) is not None:
                    continue
                return target
        return None

    def function_ref(self, unit: Unit, item: str) -> Unit | None:
        """The workspace function an input names when it is passed as a value (``ref:m.f``,
        ``attr:self.m``, a nested function's ``name:f``)."""
        if item.startswith("ref:"):
            return self.target(unit, item[4:], None)
        if item.startswith(("attr:self.", "attr:cls.")):
            method = item.split(".", 1)[1]
            return None if "." in method else self.target(unit, None, method)
        if item.startswith("name:"):
            # A function nested in it, or one of its file the name sees (not a method: a
            # class body's names are not seen from its methods); not a parameter or a local.
            if item[5:] in unit.params or unit.writes.get(item):
                return None
            for name in _named_functions(unit.qualname, item[5:]):
                found = self.units.get(name)
                if found is not None and found.path == unit.path and found.class_name is None:
                    return found
        return None

    def dispatches(self, unit: Unit, call: CallFact) -> list[tuple[Unit, Dispatch]]:
        """Every workspace function a call runs later or elsewhere: ``dispatched``'s, or the
        receivers of the Django signal it sends."""
        found = self.dispatched(unit, call)
        if found is not None:
            return [found]
        sent = [(r, SIGNAL) for r in self.receivers(unit, call)]
        return sent + [(r, SAVED) for r in self.save_receivers(call.callee)]

    def dispatched(self, unit: Unit, call: CallFact) -> tuple[Unit, Dispatch] | None:
        """The workspace function a call runs later or elsewhere (a thread's target, an
        executor's function, a Celery task queued), and how it passes arguments on."""
        task = task_method(call.callee)
        if task is not None:
            target = self.target(unit, call.callee, None)
            if target is not None and target.qualname != call.callee:
                return target, task[1]
        found = dispatch_for(call.callee, call.attr)
        if found is None or not found.by_reference:
            return None
        for row in unit.args.get(call.call_id, ()):
            at = (found.position is not None and row.position == found.position) or (
                found.keyword is not None and row.keyword == found.keyword
            )
            if at and len(row.inputs) == 1:
                target = self.function_ref(unit, row.inputs[0])
                if target is not None:
                    return target, found
        return None
