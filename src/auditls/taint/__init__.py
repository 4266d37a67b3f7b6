"""Taint paths: request data (and other sources) to dangerous sinks, across functions and files.

The models (sources, sinks, sanitizers, propagators, the AUD5xx rules) are data in
``auditls.knowledge.taint``; the flow facts come from the ``taint`` extractor in the same single
walk as every other fact (``python_flows``); this package computes per-function summaries and
propagates them over the calls the workspace linker resolves (``engine``'s docstring has the
algorithm in steps). ``taint_of(store)`` keeps one engine per store and brings it up to date
file by file when the store changes; the rules
(``auditls.rules.taint``) turn its paths into findings with their steps.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any

import msgpack

from auditls import source_digest
from auditls.facts import Fact, FileFacts
from auditls.facts.aiohttp import AiohttpHandlerFact
from auditls.facts.core import (
    CallArgFact,
    CallFact,
    ClassFact,
    FunctionFact,
    ImportFact,
    ParamFact,
)
from auditls.facts.django import FACT_TYPES as DJANGO_FACT_TYPES
from auditls.facts.django import DjangoViewFact
from auditls.facts.fastapi import FastAPIAliasFact, FastAPIOperationFact, PydanticFieldFact
from auditls.facts.flask import FlaskRouteFact
from auditls.facts.orm import FACT_TYPES as ORM_FACT_TYPES
from auditls.facts.taint import FlowFact
from auditls.facts.typeinfo import GenericFact, LiteralFact
from auditls.facts.validation import FACT_TYPES as VALIDATION_FACT_TYPES
from auditls.knowledge.taint import DEFAULT_MODELS, SAFE_KEYWORDS, SAFE_NAMES, Models
from auditls.link import Linker, inputs_digest
from auditls.models.django import DjangoModel, django_taint, model_of
from auditls.models.fastapi import Alias, TypeAliases, aliases_of_facts, file_aliases
from auditls.models.fastapi.aliases import ALIAS_COLUMNS, GENERIC_COLUMNS, LITERAL_COLUMNS
from auditls.models.orm import OrmModel
from auditls.models.orm import model_of as orm_of
from auditls.models.validation import ValidationModel, validation_taint
from auditls.models.validation import model_of as validation_of
from auditls.store import StoreError
from auditls.taint.engine import TaintEngine
from auditls.taint.state import STATE_NAME, Binding, Image, StateError, dump, load, read_header
from auditls.taint.values import SKELETON_COLUMNS, Label, Skeleton, Step, Summary, TaintPath

if TYPE_CHECKING:
    from auditls.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Kept:
    """A store's engine and what it was built from, to bring it up to date file by file."""

    revision: int
    models: Models
    engine: TaintEngine
    states: dict[str, tuple[Any, ...]]
    #: Path -> what its module-level imports bind (what calls resolve through).
    imports: dict[str, list[Binding]]
    #: The revision whose engine is saved beside the snapshot (-1: none).
    saved: int = -1
    #: The files with Django facts when the Django model was last applied (an edit of
    #: another file leaves what the model says unchanged).
    django: frozenset[str] = frozenset()
    #: Path -> the type aliases it defines (``models.fastapi.aliases``).
    aliases: dict[str, dict[str, Alias]] = field(default_factory=dict)
    #: The digest of what the models last applied were built from (``_model_key``; None:
    #: not known), saved with the engine so that a warm start applies them again only when
    #: it changed.
    model_key: str | None = None
    #: The state as last read or written, file by file (``state.Image``): a save encodes
    #: again only the files whose units changed since.
    image: Image | None = None


_ENGINES: weakref.WeakKeyDictionary[Store, _Kept] = weakref.WeakKeyDictionary()

#: Up to this many changed files (or a quarter of the workspace) the engine is updated in
#: place; beyond, it is built again.
UPDATE_LIMIT = 200


def engine_of_files(files: Iterable[FileFacts], models: Models = DEFAULT_MODELS) -> TaintEngine:
    """An engine over files extracted in memory (tests, the fixture runner)."""
    linker = Linker.from_files(list(files))
    defined = {q: a for ff in linker.files.values() for q, a in aliases_of_facts(ff.facts).items()}
    bindings = [(m, bound, target, False) for (m, bound), target in linker.imports.items()]
    bindings += [
        (m, "*", target, True) for m, targets in linker.stars.items() for target in targets
    ]
    types = TypeAliases(defined, bindings)
    engine = TaintEngine(linker.files.values(), linker.resolve, models, types=types)
    _django(engine, DjangoModel(linker), ValidationModel(linker), OrmModel(linker))
    return engine


#: The domains whose models the engine applies (``_django``): a change of a file with their
#: facts applies them again.
MODEL_FACT_TYPES = (*DJANGO_FACT_TYPES, *VALIDATION_FACT_TYPES, *ORM_FACT_TYPES)


def _model_key(store: Store) -> str:
    """What the models ``_django`` applies are built from (``auditls.link.inputs_digest``)."""
    return "/".join(
        inputs_digest(store, types)
        for types in (DJANGO_FACT_TYPES, VALIDATION_FACT_TYPES, ORM_FACT_TYPES)
    )


def _django_of(store: Store, engine: TaintEngine) -> str:
    """Apply the store's models to the engine (``_django``); the key they were built from."""
    key = _model_key(store)
    _django(engine, model_of(store), validation_of(store), orm_of(store))
    return key


def _django(engine: TaintEngine, model: DjangoModel, valid: ValidationModel, orm: OrmModel) -> None:
    """URL kwargs and validated form data, from the Django model (``models.django.taint``);
    validated objects and loaded data, from the validation model; the mapped SQLAlchemy
    models (whose queries return rows of the database), from the orm model."""
    engine.set_django(django_taint(model), validation_taint(valid))
    engine.set_orm(frozenset(m.qualname for m in orm.mapped()))


#: The tables the engine reads rows from (not every fact of every file: flows are many).
TABLES = (FunctionFact, ParamFact, CallFact, FlowFact, FlaskRouteFact)
#: Of the call arguments, only those that say how a command runs (``Unit.argv_calls``) and
#: those that may make a sink call harmless (``SAFE_ARGUMENTS``).
ARGUMENTS = (
    ("keyword", ("shell", *sorted(SAFE_KEYWORDS))),
    ("kind", ("container",)),
    ("qualname", tuple(sorted(SAFE_NAMES))),
)
#: Files read at a time (what the engine does not keep is freed in between).
CHUNK = 20


def _skeletons(store: Store, paths: list[str]) -> Iterator[Skeleton]:
    """What links the units of these files, from a few columns of five tables."""
    for start in range(0, len(paths), CHUNK):
        chunk = paths[start : start + CHUNK]
        tables = {t: store.rows_of_files(t, cols, chunk) for t, cols in SKELETON_COLUMNS.items()}
        present = sorted({path for rows in tables.values() for path in rows})
        for path in present:
            yield Skeleton(
                path,
                functions=tables[FunctionFact].get(path, []),
                params=tables[ParamFact].get(path, []),
                calls=tables[CallFact].get(path, []),
                flows=tables[FlowFact].get(path, []),
                routes=tables[FlaskRouteFact].get(path, []),
                classes=tables[ClassFact].get(path, []),
                django_views=tables[DjangoViewFact].get(path, []),
                operations=tables[FastAPIOperationFact].get(path, []),
                handlers=tables[AiohttpHandlerFact].get(path, []),
                model_fields=tables[PydanticFieldFact].get(path, []),
            )


def _rows(store: Store, paths: list[str], functions: set[str]) -> Iterator[FileFacts]:
    """The rows of these functions of these files: their calls, flows and command arguments."""
    modules = store.file_modules()
    for start in range(0, len(paths), CHUNK):
        chunk = paths[start : start + CHUNK]
        by_path: dict[str, list[Fact]] = defaultdict(list)
        for table in (CallFact, FlowFact):
            for path, facts in store.facts_of_files(table, chunk, functions).items():
                by_path[path].extend(facts)
        for column, values in ARGUMENTS:
            for path, args in store.facts_where(CallArgFact, column, values, chunk).items():
                by_path[path].extend(args)
        for path, facts in sorted(by_path.items()):
            yield FileFacts(path=path, module=modules.get(path) or "", status="ok", facts=facts)


def _loader(store: weakref.ref[Store]) -> Callable[[list[str], set[str]], Iterator[FileFacts]]:
    """Reads rows again for the engine (without keeping its store alive)."""

    def load(paths: list[str], functions: set[str]) -> Iterator[FileFacts]:
        live = store()
        return _rows(live, paths, functions) if live is not None else iter(())

    return load


def _linker(states: dict[str, tuple[Any, ...]], imports: dict[str, list[Binding]]) -> Linker:
    """Calls resolve through the module-level imports of every file (a linker without files)."""
    modules = sorted((state[2], path) for path, state in states.items() if state[2] is not None)
    bindings = [(states[path][2], *b) for path in sorted(imports) for b in imports[path]]
    return Linker([], modules=modules, bindings=bindings)


def _module_imports(store: Store, paths: list[str] | None) -> dict[str, list[Binding]]:
    modules = store.file_modules()
    out: dict[str, list[Binding]] = {}
    columns = ("function", "bound", "target", "is_star")
    for path, rows in store.rows_of_files(ImportFact, columns, paths).items():
        module = modules.get(path)
        kept = [
            (intern(bound), intern(target), bool(star))
            for function, bound, target, star in rows
            if function == module
        ]
        if kept:
            out[path] = kept
    return out


def _file_aliases(store: Store, paths: list[str] | None) -> dict[str, dict[str, Alias]]:
    """The type aliases these files define (every file when None), by path."""
    generics = store.rows_of_files(GenericFact, GENERIC_COLUMNS, paths)
    literals = store.rows_of_files(LiteralFact, LITERAL_COLUMNS, paths)
    fastapi = store.rows_of_files(FastAPIAliasFact, ALIAS_COLUMNS, paths)
    out: dict[str, dict[str, Alias]] = {}
    for path in sorted(generics.keys() | fastapi.keys()):
        found = file_aliases(generics.get(path, ()), literals.get(path, ()), fastapi.get(path, ()))
        if found:
            out[path] = found
    return out


def _types(
    states: dict[str, tuple[Any, ...]],
    imports: dict[str, list[Binding]],
    aliases: dict[str, dict[str, Alias]],
) -> TypeAliases:
    """Every name of the workspace that means a type alias."""
    defined = {q: a for path in sorted(aliases) for q, a in aliases[path].items()}
    if not defined:
        return TypeAliases({})
    bindings = [
        (states[path][2], *b)
        for path in sorted(imports)
        if path in states and states[path][2] is not None
        for b in imports[path]
    ]
    return TypeAliases(defined, bindings)


def _users(store: Store, imports: dict[str, list[Binding]], names: set[str]) -> set[str]:
    """The files whose facts may name one of ``names``: those whose module-level imports bind
    one or a module above one, and those with a parameter annotated with one (an import in a
    function)."""
    out = set(store.facts_where(ParamFact, "annotation_qualname", sorted(names)))
    for path, bindings in imports.items():
        for _, target, _ in bindings:
            if target in names or any(n.startswith(target + ".") for n in names):
                out.add(path)
                break
    return out


def taint_of(store: Store, models: Models = DEFAULT_MODELS) -> TaintEngine:
    """The engine of a store, brought up to date when the store's revision changed: only the
    changed files are read again and only what they touch is interpreted again (a full build
    when many changed). It reads only the tables it needs. Call it on the thread that owns
    the store."""
    kept = _ENGINES.get(store)
    if kept is not None and kept.models is models:
        if kept.revision == store.revision:
            return kept.engine
        states = store.file_states()
        changed = sorted(
            path
            for path in states.keys() | kept.states.keys()
            if states.get(path) != kept.states.get(path)
        )
        if len(changed) <= max(UPDATE_LIMIT, len(states) // 4):
            _update(store, kept, states, changed)
            django = frozenset(store.paths_with_facts(MODEL_FACT_TYPES))
            if django != kept.django or not django.isdisjoint(changed):
                kept.model_key = _django_of(store, kept.engine)
                kept.django = django
            return kept.engine
    # What links the workspace, read whole, and the saved state: hundreds of thousands of
    # young objects without cycles (see ``_collector_paused``).
    with _collector_paused(keep=store.one_shot):
        states = store.file_states()
        saved = _saved(store, models, states)
        if saved is None:
            imports = _module_imports(store, None)
        else:
            engine, then, keys, image, imports = saved
        aliases = _file_aliases(store, None)
        types = _types(states, imports, aliases)
    if saved is not None:
        kept = _Kept(-1, models, engine, then, imports, aliases=aliases, image=image)
        _ENGINES[store] = kept
        changed = sorted(p for p in states.keys() | then.keys() if states.get(p) != then.get(p))
        before = engine.program.types or TypeAliases({})
        if before != types:  # the files reading an alias that changed since the state was saved
            users = _users(store, imports, before.changed(types))
            changed = sorted({*changed, *(p for p in users if p in states)})
        engine.program.types = types
        _update(store, kept, states, changed)
        key = _model_key(store)
        if key == keys.get("models") and engine.program.django_facts is not None:
            # The models' inputs are those of the saved state: they would say what the
            # saved engine was told (given again at load), and building them is the
            # costliest part of a warm start.
            kept.model_key = key
        else:
            kept.model_key = _django_of(store, engine)
        kept.django = frozenset(store.paths_with_facts(MODEL_FACT_TYPES))
        kept.saved = kept.revision if not changed else -1
        return engine
    engine = TaintEngine(
        _skeletons(store, sorted(states)),
        _linker(states, imports).resolve,
        models,
        load=_loader(weakref.ref(store)),
        types=types,
    )
    model_key = _django_of(store, engine)
    django = frozenset(store.paths_with_facts(MODEL_FACT_TYPES))
    _ENGINES[store] = _Kept(
        store.revision,
        models,
        engine,
        states,
        imports,
        django=django,
        aliases=aliases,
        model_key=model_key,
    )
    return engine


@contextmanager
def _collector_paused(keep: bool = False) -> Iterator[None]:
    """The cyclic garbage collector paused while the state is read or written: it is hundreds
    of thousands of young objects with no cycles (units, tuples, lists), and collecting while
    they are built costs more than building them (as in ``extractors.extract``).

    ``keep``: a one-shot run (``Store.one_shot``), where what was built lives as long as the
    process: it is moved out of the collector's generations (``gc.freeze``) before the
    collector resumes, or the first collection after would walk all of it (0.2-0.3 s of a
    one-file warm ``check`` on Django's tree). Never in the language server, which replaces
    the engine's objects for as long as it runs (frozen objects are never collected)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if keep:
            gc.freeze()
        if paused:
            gc.enable()


def _state_path(store: Store) -> Path | None:
    return store.snapshot_path.parent / STATE_NAME if store.persist else None


def _relinks(
    before: dict[str, tuple[Any, ...]],
    imports_before: dict[str, list[Binding]],
    states: dict[str, tuple[Any, ...]],
    imports: dict[str, list[Binding]],
    changed: Iterable[str],
) -> bool:
    """Whether calls may resolve otherwise now (a changed file's module or module-level
    imports differ): every call is resolved again then."""
    return any(
        imports.get(p) != imports_before.get(p)
        or (states.get(p) or (None,) * 3)[2] != (before.get(p) or (None,) * 3)[2]
        for p in changed
    )


_Saved = tuple[
    TaintEngine, dict[str, tuple[Any, ...]], dict[str, str | None], Image, dict[str, list[Binding]]
]


def _saved(store: Store, models: Models, states: dict[str, tuple[Any, ...]]) -> _Saved | None:
    """The engine saved beside the snapshot, when there is a usable one (default models only:
    a workspace's own models are not part of what is saved), with the file states it was
    computed from, the keys it was saved with, its image and every file's module-level
    imports now: those of the files whose state is the one saved are the saved ones, the
    others are read again. Calls resolve through a linker of those (``_linker``), and are
    resolved again only when a changed file's module or imports differ."""
    path = _state_path(store)
    if path is None or models is not DEFAULT_MODELS:
        return None
    try:
        with path.open("rb") as stream:
            objects = iter(msgpack.Unpacker(stream, strict_map_key=False, use_list=True))
            header = read_header(objects, source_digest())
            then = header.states
            changed = {p for p in states.keys() | then.keys() if states.get(p) != then.get(p)}
            if len(changed) <= max(UPDATE_LIMIT, len(states) // 4):
                imports = {p: b for p, b in header.imports.items() if p not in changed}
                imports.update(_module_imports(store, sorted(p for p in changed if p in states)))
            else:
                imports = _module_imports(store, None)
            relink = _relinks(then, header.imports, states, imports, changed)
            resolve = _linker(states, imports).resolve
            rows = _loader(weakref.ref(store))
            engine, image = load(header, objects, resolve, models, rows, relink)
            return engine, then, header.keys, image, imports
    except FileNotFoundError:
        return None
    except (OSError, StateError, ValueError, TypeError, msgpack.UnpackException) as exc:
        log.info("taint state %s not used (%s): interpreting the workspace again", path, exc)
        return None


def save_state(store: Store) -> Path | None:
    """Save the store's taint engine beside its snapshot (summaries, paths, what links every
    function), so that the next start interprets only what changed since. Nothing is written
    for a store without a current snapshot (``Store.write_beside``), an engine with a
    workspace's own models, or an engine saved already at this revision. Returns the file
    written."""
    kept = _ENGINES.get(store)
    path = _state_path(store)
    if kept is None or path is None or kept.models is not DEFAULT_MODELS:
        return None
    if kept.saved == kept.revision == store.revision:
        return None
    kept.engine.paths()
    if kept.image is None:
        kept.image = Image()
    try:
        with _collector_paused(keep=store.one_shot):
            keys = {"models": kept.model_key}
            # Only the files whose units changed since the state was last read or written
            # are encoded again (``state.Image``); the file is written whole, atomically.
            chunks = dump(kept.engine, source_digest(), kept.states, keys, kept.image, kept.imports)
            written = store.write_beside(STATE_NAME, chunks)
    except StoreError as exc:
        log.warning("cannot save the taint state: %s", exc)
        return None
    if written is None:
        return None
    kept.saved = kept.revision
    return written


def _update(
    store: Store, kept: _Kept, states: dict[str, tuple[Any, ...]], changed: list[str]
) -> None:
    present = [path for path in changed if path in states]
    imports = _module_imports(store, present)
    relink = any(imports.get(p) != kept.imports.get(p) for p in changed) or any(
        (states.get(p) or (None,) * 3)[2] != (kept.states.get(p) or (None,) * 3)[2] for p in changed
    )
    for path in changed:
        kept.imports.pop(path, None)
        if path in imports:
            kept.imports[path] = imports[path]
    aliases = _file_aliases(store, present)
    retyped = any(aliases.get(p) != kept.aliases.get(p) for p in changed)
    for path in changed:
        kept.aliases.pop(path, None)
        if path in aliases:
            kept.aliases[path] = aliases[path]
    types: TypeAliases | None = None
    if relink or retyped:
        before = kept.engine.program.types or TypeAliases({})
        after = _types(states, kept.imports, kept.aliases)
        if after != before:
            # The files that name an alias whose meaning changed read it again.
            types = after
            users = _users(store, kept.imports, before.changed(after))
            present = sorted({*present, *(p for p in users if p in states)})
            changed = sorted({*changed, *present})
    files: dict[str, FileFacts | Skeleton | None] = dict.fromkeys(changed)
    files.update((sk.path, sk) for sk in _skeletons(store, present))
    resolve = _linker(states, kept.imports).resolve if relink else None
    kept.engine.update(files, resolve, types)
    kept.states = states
    kept.revision = store.revision


__all__ = [
    "Label",
    "Step",
    "Summary",
    "TaintEngine",
    "TaintPath",
    "engine_of_files",
    "save_state",
    "taint_of",
]
