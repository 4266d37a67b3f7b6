"""The taint engine's state, saved beside the store's snapshot so that a warm start does not
interpret the workspace again.

What is saved (msgpack, ``taint.msgpack`` in ``.auditls/``, written whole and atomically by
``Store.write_beside``): a header, then one chunk per file. The header holds the format
version and a digest of auditls's sources (state from other code is never read), the file
states it was computed from, every file's module-level imports (what calls resolve through),
the routes and operations, the mapped models, the type aliases, and what the Django and
validation models told the engine (``Program.django_facts``) with the digest of what those
models were built from (``keys``: ``auditls.link.inputs_digest``). A file's chunk (msgpack
``bin``, read alone) holds its light units (what links them: parameters, call references,
whether they read a source or call a sink, the view facts), their callees, whether a path can
cross them, their summaries, paths and shown-clean sites, and its classes' bases; names
(qualified names, parameters, references, callees) are written once per chunk in a table,
and labels, steps, traces and sink sites once per chunk in tables (``_Tables``). Rows are
never saved: the store has them, and the engine reads them only for the units an edit makes it
interpret again.

At load the model facts are given back as they were, and ``taint_of`` applies the models
again only when their inputs' digest differs (building them was most of a warm start on
Django's own tree). The saved imports of the files whose state is unchanged stand; the changed
files' are read again, and every call is resolved again (the units whose edges differ are
interpreted again) only when one of theirs, or their module, differs. Units are made without
the dataclass's ``__init__`` (``_unit_maker``), and the collector is paused while the state is
read or written (``auditls.taint._collector_paused``): on Django's sdist (2,817 files, 32,500
units, 10 MB) reading it takes about 0.45 s.

A save writes the whole file, but encodes again only the chunks of the files whose units,
edges, relevance, summaries or paths changed since the state was last read or written: each
chunk is kept with the key of what it was made from (``Image``, compared by value, by identity
first), so a one-file edit encodes a chunk or a few and copies the others' bytes.

Loading gives an engine equal to the one saved; ``auditls.taint.taint_of`` then brings it up to
date with the files whose state changed since (``TaintEngine.update``) and the files naming a
type alias whose meaning changed since (the aliases are saved). Anything unexpected in the file
(another version, another digest, a decoding error, a chunk short of its fields or naming
what it does not hold, files missing) means a full build instead, with a log line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import attrgetter
from sys import intern
from typing import Any

import msgpack

from auditls.facts import FileFacts
from auditls.knowledge.taint import Models, rule_for
from auditls.models.django.taint import DjangoTaint, RenderSink, Unescaped
from auditls.models.fastapi import Alias, TypeAliases
from auditls.models.validation import ValidationTaint
from auditls.taint.engine import TaintEngine, _Result
from auditls.taint.values import Label, SinkSite, Step, Summary, TaintPath, Unit

#: The name of the saved state in the store's directory.
STATE_NAME = "taint.msgpack"
#: Bumped whenever the layout below changes.
STATE_VERSION = 10


#: What a module-level import binds: ``(bound, target, is_star)``, without where it is (a
#: line added above it moves it, and changes nothing a call resolves through).
Binding = tuple[str, str, bool]


class StateError(ValueError):
    """The saved state cannot be used (its message says why)."""


# -- what the Django and validation models told the engine -------------------------------------
#
# Saved as they were given (``Program.django_facts``), so that a warm start whose models' inputs
# did not change (``auditls.link.inputs_digest``) gives them back without building the models.
# Their containers keep their exact types (a tuple stays a tuple: ``set_django`` compares them),
# and only these dataclasses are ever built from the file.

_TUPLE, _FROZENSET, _SET, _RECORD = 1, 2, 3, 4
_RECORDS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (DjangoTaint, ValidationTaint, RenderSink, Unescaped)
}


def _packed(value: object) -> bytes:
    data = msgpack.packb(value, default=_ext, strict_types=True, use_bin_type=True)
    assert isinstance(data, bytes)
    return data


def _ext(value: object) -> object:
    if isinstance(value, tuple):
        return msgpack.ExtType(_TUPLE, _packed(list(value)))
    if isinstance(value, frozenset):
        return msgpack.ExtType(_FROZENSET, _packed(list(value)))
    if isinstance(value, set):
        return msgpack.ExtType(_SET, _packed(list(value)))
    if isinstance(value, dict):  # a defaultdict
        return dict(value)
    if isinstance(value, list):
        return list(value)
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _RECORDS.get(name) is type(value):
        fields = [getattr(value, f.name) for f in dataclasses.fields(value)]
        return msgpack.ExtType(_RECORD, _packed([name, *fields]))
    raise TypeError(f"cannot save a {name}")


def _unpacked(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_from_ext, strict_map_key=False, use_list=True)


def _from_ext(code: int, data: bytes) -> object:
    value = _unpacked(data)
    if code == _TUPLE:
        return tuple(value)
    if code == _FROZENSET:
        return frozenset(value)
    if code == _SET:
        return set(value)
    if code == _RECORD:
        return _RECORDS[value[0]](*value[1:])
    raise ValueError(f"unknown extension {code}")


def dump_django(facts: tuple[DjangoTaint, ValidationTaint] | None) -> bytes | None:
    return None if facts is None else _packed(list(facts))


def load_django(data: object) -> tuple[DjangoTaint, ValidationTaint] | None:
    if data is None:
        return None
    if not isinstance(data, bytes):
        raise ValueError("model facts: not bytes")
    django, valid = _unpacked(data)
    if not isinstance(django, DjangoTaint) or not isinstance(valid, ValidationTaint):
        raise ValueError("model facts: not what was saved")
    return django, valid


# -- encoding ----------------------------------------------------------------------------------
#
# Labels, steps, traces and sink sites are shared by many summaries and paths (on Django: 78,000
# steps in traces, 5,100 distinct), so each is written once, in a table that grows file by
# file: a file's record carries the entries first used in it, and everything else refers to
# entries by their index. Reading builds each label, step, trace and site once.


class _Tables:
    """The tables being written: what each entry's index is, and the entries not yet
    written."""

    def __init__(self) -> None:
        self.labels: dict[Label, int] = {}
        self.steps: dict[tuple[str, int, int, str], int] = {}
        self.traces: dict[tuple[int, ...], int] = {}
        #: Steps and traces by identity first (most are shared: as loaded, or passed on from
        #: a callee's summary), then by value (a step's fields, a trace's step indices):
        #: hashing a frozen dataclass runs Python code.
        self.step_ids: dict[int, int] = {}
        self.trace_ids: dict[int, int] = {}
        self.alive: list[object] = []
        self.sites: dict[SinkSite, int] = {}
        self.fresh: list[list[Any]] = [[], [], [], []]  # labels, steps, traces, sites

    def label(self, label: Label) -> int:
        at = self.labels.get(label)
        if at is None:
            at = self.labels[label] = len(self.labels)
            self.fresh[0].append([label.origin, sorted(label.cleaned)])
        return at

    def step(self, step: Step) -> int:
        at = self.step_ids.get(id(step))
        if at is not None:
            return at
        key = (step.path, step.line, step.column, step.message)
        at = self.steps.get(key)
        if at is None:
            at = self.steps[key] = len(self.steps)
            self.fresh[1].append(list(key))
        self.step_ids[id(step)] = at
        self.alive.append(step)  # its id stays its own while the tables are written
        return at

    def trace(self, trace: tuple[Step, ...]) -> int:
        at = self.trace_ids.get(id(trace))
        if at is not None:
            return at
        steps = [self.step(s) for s in trace]
        key = tuple(steps)
        at = self.traces.get(key)
        if at is None:
            at = self.traces[key] = len(self.traces)
            self.fresh[2].append(steps)
        self.trace_ids[id(trace)] = at
        self.alive.append(trace)
        return at

    def site(self, site: SinkSite) -> int:
        at = self.sites.get(site)
        if at is None:
            at = self.sites[site] = len(self.sites)
            self.fresh[3].append(
                [
                    site.kind,
                    site.path,
                    site.line,
                    site.column,
                    site.end_line,
                    site.end_column,
                    site.what,
                    site.by_method,
                    site.stmt_line,
                ]
            )
        return at

    def taint(self, taint: Mapping[Label, tuple[Step, ...]]) -> list[Any]:
        return [[self.label(label), self.trace(trace)] for label, trace in taint.items()]

    def summary(self, summary: Summary) -> list[Any]:
        return [
            self.taint(summary.returns),
            [
                [self.label(label), self.site(site), self.trace(trace)]
                for label, site, trace in summary.sinks
            ],
            {name: self.taint(taint) for name, taint in summary.fields.items()},
            {name: self.taint(taint) for name, taint in summary.exposed.items()},
        ]

    def result(self, result: _Result) -> list[Any]:
        return [
            [
                [path.origin, self.site(path.sink), self.trace(path.steps), path.confidence]
                for path in result.paths
            ],
            [list(site) for site in sorted(result.clean)],
        ]

    def take(self) -> list[list[Any]]:
        """The entries added since the last call."""
        fresh, self.fresh = self.fresh, [[], [], [], []]
        return fresh


class _Names:
    """The names of one file's chunk (qualified names, parameters, the calls' references,
    callees), each written once: records refer to them by index (0 is None)."""

    def __init__(self) -> None:
        self.index: dict[str | None, int] = {None: 0}
        self._at = self.index.setdefault

    def __call__(self, name: str | None) -> int:
        return self._at(name, len(self.index))

    def names(self) -> list[str | None]:
        return list(self.index)


def _unit(unit: Unit, names: _Names) -> list[Any]:
    return [
        names(unit.qualname),
        names(unit.class_name),
        unit.line,
        unit.column,
        [names(p) for p in unit.params],
        # Distinct and sorted (``refs_of``), flat: callee, method, callee, method...
        [names(n) for ref in unit.refs for n in ref],
        unit.reads_source,
        unit.calls_sink,
        list(unit.field_writers),
        unit.is_view,
        unit.route_params,
        [list(pair) for pair in unit.request_as],
        sorted(unit.clean_attrs),
    ]


#: What a unit's record is made of (``_unit``), read at once.
_UNIT_FIELDS = attrgetter(
    "qualname",
    "class_name",
    "line",
    "column",
    "params",
    "refs",
    "reads_source",
    "calls_sink",
    "field_writers",
    "is_view",
    "route_params",
    "request_as",
    "clean_attrs",
)


def _file_key(engine: TaintEngine, path: str) -> tuple[Any, ...]:
    """What a file's chunk is made of: its classes and their bases, its units' fields, edges,
    relevance, summaries and paths (compared by value, most by identity first: the same
    objects as when the chunk was last written or read)."""
    program = engine.program
    classes = tuple((c, program.bases.get(c)) for c in program._classes.get(path, ()))
    names = [name for name in program.files.get(path, ()) if name in program.units]
    return (
        classes,
        tuple(map(_UNIT_FIELDS, map(program.units.__getitem__, names))),
        tuple(map(engine._callees.get, names)),
        tuple(map(engine.relevant.__contains__, names)),
        tuple(map(engine.summaries.get, names)),
        tuple(map(engine._results.get, names)),
    )


def _chunk(engine: TaintEngine, path: str) -> bytes:
    """One file's chunk: its units (with their edges, summaries and paths), its classes, the
    names and the tables they refer to. A chunk is read alone: its tables and names are its
    own."""
    program = engine.program
    tables = _Tables()
    names = _Names()
    records = []
    for name in program.files.get(path, ()):
        unit = program.units.get(name)
        if unit is None:
            continue
        summary = engine.summaries.get(name)
        result = engine._results.get(name)
        records.append(
            [
                *_unit(unit, names),
                [names(c) for c in sorted(engine._callees.get(name, ()))],
                name in engine.relevant,
                None if summary is None else tables.summary(summary),
                None if result is None else tables.result(result),
            ]
        )
    classes = [[name, list(program.bases[name])] for name in program._classes.get(path, ())]
    data = msgpack.packb([names.names(), records, classes, tables.take()], use_bin_type=True)
    assert isinstance(data, bytes)
    return data


class Image:
    """What was last written or read, file by file: each file's chunk and the key of what it
    was made from (``_file_key``), so that a save encodes again only the files whose units,
    edges, summaries or paths changed since (the others' chunks are written as they were);
    and the model facts' encoding with the facts it encodes."""

    def __init__(self) -> None:
        self.chunks: dict[str, tuple[tuple[Any, ...], bytes]] = {}
        self.django: tuple[object, bytes | None] | None = None
        #: How many chunks the last ``dump`` encoded (the others were reused).
        self.encoded = 0


def dump(
    engine: TaintEngine,
    digest: str,
    states: Mapping[str, tuple[Any, ...]],
    keys: Mapping[str, str | None] | None = None,
    image: Image | None = None,
    imports: Mapping[str, list[Binding]] | None = None,
) -> Iterator[bytes]:
    """The engine's state, packed (summarise it first): a header, then one chunk per file
    (msgpack ``bin``) with its units, their edges, summaries and paths, so that neither
    writing nor reading holds all of it at once. ``imports``: every file's module-level
    imports (``Header``); ``keys``: the digest of what the models the engine was given were
    built from (``models``), for the next start to compare. With an
    ``image`` (of what was last written or read), the chunks of files whose key did not
    change are its chunks, and the image becomes what is written now."""
    image = image if image is not None else Image()
    program = engine.program
    facts = program.django_facts
    if image.django is not None and image.django[0] is facts:
        django = image.django[1]
    else:
        django = dump_django(facts)
        image.django = (facts, django)
    header = {
        "version": STATE_VERSION,
        "digest": digest,
        "keys": dict(keys or {}),
        "django": django,
        "files": len(program.files),
        "states": {path: list(state) for path, state in states.items()},
        "imports": {path: [list(b) for b in found] for path, found in (imports or {}).items()},
        "routes": {path: [list(r) for r in routes] for path, routes in program._routes.items()},
        "operations": {
            path: [[e, list(p), list(c), r, list(t)] for e, p, c, r, t in ops]
            for path, ops in program._operations.items()
        },
        # The mapped models the summaries were computed with (a state without them loads
        # with none: ``set_orm`` then interprets the units that may query again).
        "orm_models": sorted(program.orm_models),
        "types": [
            [name, a.role, a.cls, a.dependency]
            for name, a in sorted((program.types.names if program.types else {}).items())
        ],
    }
    packer = msgpack.Packer(use_bin_type=True)
    yield packer.pack(header)
    old, image.chunks, image.encoded = image.chunks, {}, 0
    for path in program.files:
        key = _file_key(engine, path)
        kept = old.get(path)
        if kept is not None and kept[0] == key:
            chunk = kept[1]
        else:
            chunk = _chunk(engine, path)
            image.encoded += 1
        image.chunks[path] = (key, chunk)
        yield packer.pack([path, chunk])


# -- decoding ----------------------------------------------------------------------------------


class _Read:
    """The tables read so far (``_Tables``, in the order written)."""

    def __init__(self) -> None:
        self.labels: list[Label] = []
        self.steps: list[Step] = []
        self.traces: list[tuple[Step, ...]] = []
        self.sites: list[SinkSite] = []

    def extend(self, fresh: list[list[Any]]) -> None:
        labels, steps, traces, sites = fresh
        self.labels += [Label(intern(str(o)), frozenset(c)) for o, c in labels]
        self.steps += [
            Step(intern(str(p)), int(line), int(col), str(msg)) for p, line, col, msg in steps
        ]
        known = self.steps
        self.traces += [tuple([known[i] for i in trace]) for trace in traces]
        self.sites += [
            SinkSite(
                str(kind),
                intern(str(path)),
                int(line),
                int(column),
                int(end_line),
                int(end_column),
                str(what),
                bool(by_method),
                int(stmt_line),
            )
            for kind, path, line, column, end_line, end_column, what, by_method, stmt_line in sites
        ]

    def taint(self, data: list[Any]) -> dict[Label, tuple[Step, ...]]:
        labels, traces = self.labels, self.traces
        return {labels[label]: traces[trace] for label, trace in data}

    def summary(self, data: list[Any]) -> Summary:
        returns, sinks, fields, exposed = data
        labels, sites, traces = self.labels, self.sites, self.traces
        return Summary(
            returns=self.taint(returns),
            sinks=[(labels[lb], sites[st], traces[tr]) for lb, st, tr in sinks],
            fields={str(name): self.taint(taint) for name, taint in fields.items()},
            exposed={str(name): self.taint(taint) for name, taint in exposed.items()},
        )

    def result(self, data: list[Any], models: Models, summary: Summary | None) -> _Result:
        paths, clean = data
        found = []
        for origin, site, steps, confidence in paths:
            source = models.source_for(origin)
            loaded = self.sites[site]
            if source is None:
                raise ValueError(f"unknown source {origin!r}")
            found.append(
                TaintPath(
                    rule_for(loaded.kind), source, loaded, self.traces[steps], confidence, origin
                )
            )
        clean_sites = {(str(p), int(li), int(c)) for p, li, c in clean}
        return _Result(summary or Summary(), found, clean_sites)


@dataclasses.dataclass(slots=True)
class Header:
    """A saved state's first object, read (``read_header``): what the rest was computed from.
    ``states``: every file's state; ``imports``: every file's module-level imports (what calls
    resolve through; those of a file whose state is the same now are the same now, so only
    the changed files' are read again); ``keys``: the digests it was saved with."""

    doc: dict[str, Any]
    states: dict[str, tuple[Any, ...]]
    imports: dict[str, list[Binding]]
    keys: dict[str, str | None]


def read_header(objects: Iterator[Any], digest: str) -> Header:
    """The header of a state (the objects ``dump`` gave, in order, unpacked); StateError when
    it is not one this code wrote."""
    doc = next(objects, None)
    if not isinstance(doc, dict):
        raise StateError("not a saved taint state")
    if doc.get("version") != STATE_VERSION:
        raise StateError(f"format {doc.get('version')!r}, not {STATE_VERSION}")
    if doc.get("digest") != digest:
        raise StateError("saved by another version of auditls")
    try:
        keys = {str(k): v if v is None else str(v) for k, v in doc["keys"].items()}
        states = {str(path): tuple(state) for path, state in doc["states"].items()}
        imports = {
            intern(path): [(intern(b), intern(t), bool(star)) for b, t, star in bindings]
            for path, bindings in doc["imports"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StateError(f"damaged: {type(exc).__name__}: {exc}") from exc
    return Header(doc, states, imports, keys)


def load(
    header: Header,
    objects: Iterator[Any],
    resolve: Callable[[str], str],
    models: Models,
    rows: Callable[[list[str], set[str]], Iterable[FileFacts]],
    relink: bool,
) -> tuple[TaintEngine, Image]:
    """The engine the rest of a state (after ``read_header``) describes, and its ``Image``
    (for the next ``dump``); StateError when the state is not one this code wrote, whole.
    The model facts it was given are given again (the units they touch are not dirty: their
    summaries were computed with them). With ``relink`` (what calls resolve through changed
    since), every call is resolved again through ``resolve``; without, the saved edges
    stand."""
    try:
        return _load(header.doc, objects, resolve, models, rows, relink)
    except (KeyError, TypeError, ValueError, IndexError, msgpack.UnpackException) as exc:
        raise StateError(f"damaged: {type(exc).__name__}: {exc}") from exc


#: The fields ``_new_unit`` is given, in order (the others take their light defaults).
_GIVEN = (
    "path",
    "qualname",
    "class_name",
    "line",
    "column",
    "params",
    "refs",
    "reads_source",
    "calls_sink",
    "is_view",
)
_Maker = Callable[[str, str, str | None, int, int, list[str], Any, bool, bool, bool], Unit]


def _unit_maker() -> _Maker:
    """A constructor of the light units that ``Unit(**given)`` then ``lighten()`` make
    (``_GIVEN``, positional), without the dataclass's ``__init__`` (its default factories cost
    most of a warm start's reading of 30,000 units): a field that two such units share (the
    defaults, the empty containers) is that object; any other (a list of its own) comes from
    a call of the field's factory. Built from ``dataclasses.fields(Unit)``: no field is
    missed."""
    given = _GIVEN
    one, two = Unit("", ""), Unit("", "")
    one.lighten()
    two.lighten()
    space: dict[str, Any] = {"_new": object.__new__, "_Unit": Unit}
    lines = [f"def make({', '.join(given)}):", "    unit = _new(_Unit)"]
    for f in dataclasses.fields(Unit):
        value = getattr(one, f.name)
        if f.name in given:
            lines.append(f"    unit.{f.name} = {f.name}")
        elif value is getattr(two, f.name):
            space[f"_d_{f.name}"] = value
            lines.append(f"    unit.{f.name} = _d_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            space[f"_f_{f.name}"] = f.default_factory
            lines.append(f"    unit.{f.name} = _f_{f.name}()")
        else:
            raise TypeError(f"Unit.{f.name}: neither shared nor made by a factory")
    lines.append("    return unit")
    # Our own text, from our own dataclass's field names (as ``dataclasses`` itself does).
    exec("\n".join(lines), space)  # noqa: S102 (code generated from Unit's fields, above)
    make: _Maker = space["make"]
    return make


_new_unit = _unit_maker()


def _load(
    doc: dict[str, Any],
    objects: Iterator[Any],
    resolve: Callable[[str], str],
    models: Models,
    rows: Callable[[list[str], set[str]], Iterable[FileFacts]],
    relink: bool,
) -> tuple[TaintEngine, Image]:
    engine = TaintEngine((), resolve, models, load=rows)
    program = engine.program
    program.orm_models = frozenset(str(m) for m in doc.get("orm_models", ()))
    units, callers, callees_of = program.units, engine._callers, engine._callees
    relevant_units, summaries, results = engine.relevant, engine.summaries, engine._results
    image = Image()
    files = 0
    for raw_path, chunk in objects:
        if not isinstance(chunk, bytes):
            raise ValueError("a file's chunk: not bytes")
        files += 1
        raw_names, records, classes, fresh = msgpack.unpackb(
            chunk, strict_map_key=False, use_list=True
        )
        if raw_names[0] is not None:
            raise ValueError("a file's names: no None first")
        names: list[Any] = [None, *map(intern, raw_names[1:])]
        tables = _Read()
        tables.extend(fresh)
        path = intern(str(raw_path))
        for qualname, bases in classes:
            program._add_class(path, str(qualname), [str(b) for b in bases])
        made: list[str] = []
        for record in records:
            (
                qualname, class_name, line, column, params, refs, reads, sinks, writers,
                is_view, route_params, request_as, clean_attrs,
                callees, relevant, summary, result,
            ) = record  # fmt: skip
            name = names[qualname]
            if name is None:
                raise ValueError("a unit without a name")
            # Refs were written distinct and sorted (``refs_of``), flat.
            at = iter([names[n] for n in refs])
            unit = _new_unit(
                path,
                name,
                names[class_name],
                int(line),
                int(column),
                [names[p] for p in params],
                tuple(zip(at, at, strict=True)) if refs else (),
                bool(reads),
                bool(sinks),
                bool(is_view),
            )
            # Most units have none of these: the defaults stay (shared, never written).
            if writers:
                unit.field_writers = tuple(str(w) for w in writers)
            if route_params:
                unit.route_params = {str(k): str(v) for k, v in route_params.items()}
            if request_as:
                unit.request_as = tuple((str(a), str(b)) for a, b in request_as)
            if clean_attrs:
                unit.clean_attrs = frozenset(str(a) for a in clean_attrs)
            units[name] = unit
            made.append(name)
            if callees:
                called = callees_of[name] = tuple([names[c] for c in callees])
                for callee in called:
                    callers[callee].append(name)
            if relevant:
                relevant_units.add(name)
            if summary is not None:
                summaries[name] = tables.summary(summary)
            if result is not None:
                results[name] = tables.result(result, models, summaries.get(name))
        program.files[path] = made
        image.chunks[path] = (_file_key(engine, path), chunk)
        program.link_nesting(made)
    if files != doc["files"]:
        raise ValueError(f"{files} of {doc['files']} files")
    program._routes = {
        str(path): [(str(view), str(rule)) for view, rule in routes]
        for path, routes in doc["routes"].items()
    }
    program._operations = {
        str(path): [
            (
                str(e),
                tuple(str(p) for p in params),
                tuple(str(c) for c in checked),
                r and str(r),
                tuple(str(t) for t in types),
            )
            for e, params, checked, r, types in ops
        ]
        for path, ops in doc["operations"].items()
    }
    program.types = TypeAliases.of_names(
        {str(n): Alias(str(r), c and str(c), d and str(d)) for n, r, c, d in doc["types"]}
    )
    for name in engine.relevant:
        engine._signatures[name] = engine._signature(program.units[name])
    django = load_django(doc["django"])
    if django is not None:
        # As they were when the summaries were computed (``set_django`` of the engine would
        # make the units they touch dirty).
        program.set_django(*django)
    engine._dirty = set()
    if relink:
        # What each call may resolve to now: a unit whose edges differ from the saved ones
        # (a call through a name another file re-exports from elsewhere now) is dirty, and
        # interpreted again with its callers; the others are not.
        engine._link(sorted(program.units))
    engine._graph_changed = True
    image.django = (program.django_facts, doc["django"])
    return engine, image
