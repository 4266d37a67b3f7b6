"""The taint engine's state, saved beside the store's snapshot so that a warm start does not
interpret the workspace again.

What is saved (msgpack, ``taint.msgpack`` in ``.auditls/``): the format version and a digest
of auditls's sources (state from other code is never read), the file states it was computed
from, every file's light units (what links them: parameters, call references, whether they
read a source or call a sink, the view facts) and classes' bases, the call graph's edges, the
units a path can cross, and each unit's summary, paths and shown-clean sites. Rows are never
saved: the store has them, and the engine reads them only for the units an edit makes it
interpret again.

Loading gives an engine equal to the one saved; ``auditls.taint.taint_of`` then brings it up to
date with the files whose state changed since (``TaintEngine.update``) and the files naming a
type alias whose meaning changed since (the aliases are saved). Anything unexpected in the file
(another version, another digest, a decoding error) means a full build instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from sys import intern
from typing import Any

from auditls.facts import FileFacts
from auditls.knowledge.taint import Models, rule_for
from auditls.models.fastapi import Alias, TypeAliases
from auditls.taint.engine import TaintEngine, _Result
from auditls.taint.program import Label, SinkSite, Step, Summary, TaintPath, Unit, refs_of

#: The name of the saved state in the store's directory.
STATE_NAME = "taint.msgpack"
#: Bumped whenever the layout below changes.
STATE_VERSION = 9


class StateError(ValueError):
    """The saved state cannot be used (its message says why)."""


# -- encoding ----------------------------------------------------------------------------------


def _label(label: Label) -> list[Any]:
    return [label.origin, sorted(label.cleaned)]


def _trace(trace: Iterable[Step]) -> list[Any]:
    return [[s.path, s.line, s.column, s.message] for s in trace]


def _taint(taint: Mapping[Label, tuple[Step, ...]]) -> list[Any]:
    return [[_label(label), _trace(trace)] for label, trace in taint.items()]


def _site(site: SinkSite) -> list[Any]:
    return [
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


def _summary(summary: Summary) -> list[Any]:
    return [
        _taint(summary.returns),
        [[_label(label), _site(site), _trace(trace)] for label, site, trace in summary.sinks],
        {name: _taint(taint) for name, taint in summary.fields.items()},
        {name: _taint(taint) for name, taint in summary.exposed.items()},
    ]


def _unit(unit: Unit) -> list[Any]:
    return [
        unit.qualname,
        unit.class_name,
        unit.line,
        unit.column,
        unit.params,
        sorted([list(ref) for ref in unit.refs], key=lambda r: (r[0] or "", r[1] or "")),
        unit.reads_source,
        unit.calls_sink,
        list(unit.field_writers),
        unit.is_view,
        unit.route_params,
        [list(pair) for pair in unit.request_as],
        sorted(unit.clean_attrs),
    ]


def _result(result: _Result) -> list[Any]:
    return [
        [
            [path.origin, _site(path.sink), _trace(path.steps), path.confidence]
            for path in result.paths
        ],
        [list(site) for site in sorted(result.clean)],
    ]


def dump(engine: TaintEngine, digest: str, states: Mapping[str, tuple[Any, ...]]) -> Iterator[Any]:
    """The engine's state as a sequence of plain objects (summarise it first): a header, then
    one object per file with its units, their edges, summaries and paths, so that neither
    writing nor reading holds all of it at once."""
    program = engine.program
    yield {
        "version": STATE_VERSION,
        "digest": digest,
        "files": len(program.files),
        "states": {path: list(state) for path, state in states.items()},
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
    for path, names in program.files.items():
        records = []
        for name in names:
            unit = program.units.get(name)
            if unit is None:
                continue
            summary = engine.summaries.get(name)
            result = engine._results.get(name)
            records.append(
                [
                    *_unit(unit),
                    sorted(engine._callees.get(name, ())),
                    name in engine.relevant,
                    None if summary is None else _summary(summary),
                    None if result is None else _result(result),
                ]
            )
        classes = [[name, list(program.bases[name])] for name in program._classes.get(path, ())]
        yield [path, records, classes]


# -- decoding ----------------------------------------------------------------------------------


def _load_label(data: list[Any]) -> Label:
    return Label(str(data[0]), frozenset(data[1]))


def _load_trace(data: list[Any]) -> tuple[Step, ...]:
    return tuple(Step(str(p), int(line), int(col), str(msg)) for p, line, col, msg in data)


def _load_taint(data: list[Any]) -> dict[Label, tuple[Step, ...]]:
    return {_load_label(label): _load_trace(trace) for label, trace in data}


def _load_site(data: list[Any]) -> SinkSite:
    kind, path, line, column, end_line, end_column, what, by_method, stmt_line = data
    return SinkSite(
        str(kind),
        str(path),
        int(line),
        int(column),
        int(end_line),
        int(end_column),
        str(what),
        bool(by_method),
        int(stmt_line),
    )


def _load_summary(data: list[Any]) -> Summary:
    returns, sinks, fields, exposed = data
    return Summary(
        returns=_load_taint(returns),
        sinks=[(_load_label(lb), _load_site(st), _load_trace(tr)) for lb, st, tr in sinks],
        fields={str(name): _load_taint(taint) for name, taint in fields.items()},
        exposed={str(name): _load_taint(taint) for name, taint in exposed.items()},
    )


def _load_result(data: list[Any], models: Models, summary: Summary | None) -> _Result:
    paths, clean = data
    found = []
    for origin, site, steps, confidence in paths:
        source = models.source_for(origin)
        loaded = _load_site(site)
        if source is None:
            raise ValueError(f"unknown source {origin!r}")
        found.append(
            TaintPath(rule_for(loaded.kind), source, loaded, _load_trace(steps), confidence, origin)
        )
    return _Result(summary or Summary(), found, {(str(p), int(li), int(c)) for p, li, c in clean})


def load(
    objects: Iterator[Any],
    digest: str,
    resolve: Callable[[str], str],
    models: Models,
    rows: Callable[[list[str], set[str]], Iterable[FileFacts]],
) -> tuple[TaintEngine, dict[str, tuple[Any, ...]]]:
    """The engine a state (the objects ``dump`` gave, in order) describes and the file states
    it was computed from; StateError when the state is not one this code wrote, whole."""
    doc = next(objects, None)
    if not isinstance(doc, dict):
        raise StateError("not a saved taint state")
    if doc.get("version") != STATE_VERSION:
        raise StateError(f"format {doc.get('version')!r}, not {STATE_VERSION}")
    if doc.get("digest") != digest:
        raise StateError("saved by another version of auditls")
    try:
        return _load(doc, objects, resolve, models, rows)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise StateError(f"damaged: {type(exc).__name__}: {exc}") from exc


def _load(
    doc: dict[str, Any],
    objects: Iterator[Any],
    resolve: Callable[[str], str],
    models: Models,
    rows: Callable[[list[str], set[str]], Iterable[FileFacts]],
) -> tuple[TaintEngine, dict[str, tuple[Any, ...]]]:
    engine = TaintEngine((), resolve, models, load=rows)
    program = engine.program
    program.orm_models = frozenset(str(m) for m in doc.get("orm_models", ()))
    files = 0
    for raw_path, records, classes in objects:
        files += 1
        path = intern(raw_path)
        for qualname, bases in classes:
            program._add_class(str(path), str(qualname), [str(b) for b in bases])
        made: list[str] = []
        for record in records:
            (qualname, class_name, line, column, params, refs, reads, sinks, writers) = record[:9]
            is_view, route_params, request_as, clean_attrs = record[9:13]
            callees, relevant, summary, result = record[13:17]
            unit = Unit(
                path, intern(qualname), class_name and intern(class_name), int(line), int(column)
            )
            unit.params = [intern(p) for p in params]
            unit.refs = refs_of((r[0] and intern(r[0]), r[1] and intern(r[1])) for r in refs)
            unit.reads_source, unit.calls_sink = bool(reads), bool(sinks)
            unit.field_writers = tuple(str(w) for w in writers)
            unit.is_view = bool(is_view)
            unit.route_params = {str(k): str(v) for k, v in route_params.items()}
            unit.request_as = tuple((str(a), str(b)) for a, b in request_as)
            if clean_attrs:
                unit.clean_attrs = frozenset(str(a) for a in clean_attrs)
            unit.lighten()
            name = unit.qualname
            program.units[name] = unit
            made.append(name)
            if callees:
                engine._callees[name] = tuple(sorted(intern(c) for c in callees))
                for callee in callees:
                    engine._callers[callee].append(name)
            if relevant:
                engine.relevant.add(name)
            if summary is not None:
                engine.summaries[name] = _load_summary(summary)
            if result is not None:
                engine._results[name] = _load_result(result, models, engine.summaries.get(name))
        program.files[str(path)] = made
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
    # What each call may resolve to, for the edits to come (edges equal to the saved ones make
    # nothing dirty).
    engine._link(sorted(program.units))
    engine._dirty = set()
    engine._graph_changed = True
    states = {str(path): tuple(state) for path, state in doc["states"].items()}
    return engine, states
