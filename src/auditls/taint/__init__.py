"""Taint paths: request data (and other sources) to dangerous sinks, across functions and files.

The models (sources, sinks, sanitizers, propagators, the AUD5xx rules) are data in
``auditls.knowledge.taint``; the flow facts come from the ``taint`` extractor in the same single
walk as every other fact (``python_flows``); this package computes per-function summaries and
propagates them over the calls the workspace linker resolves (``engine``'s docstring has the
algorithm in steps). ``taint_of(store)`` is cached per store revision; the rules
(``auditls.rules.taint``) turn its paths into findings with their steps.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from auditls.facts import Fact, FileFacts
from auditls.facts.core import CallArgFact, CallFact, FunctionFact, ImportFact, ParamFact
from auditls.facts.flask import FlaskRouteFact
from auditls.facts.taint import FlowFact
from auditls.knowledge.taint import DEFAULT_MODELS, Models
from auditls.link import Linker
from auditls.taint.engine import Label, Step, Summary, TaintEngine, TaintPath

if TYPE_CHECKING:
    from auditls.store import Store

_ENGINES: weakref.WeakKeyDictionary[Store, tuple[int, TaintEngine]] = weakref.WeakKeyDictionary()


def engine_of_files(files: Iterable[FileFacts], models: Models = DEFAULT_MODELS) -> TaintEngine:
    """An engine over files extracted in memory (tests, the fixture runner)."""
    linker = Linker.from_files(list(files))
    return TaintEngine(linker.files.values(), linker.resolve, models)


#: The tables the engine reads (not every fact of every file: a workspace's flows are many).
TABLES = (FunctionFact, ParamFact, CallFact, FlowFact, FlaskRouteFact)
#: Of the call arguments, only those that say how a command runs (``Unit.argv_calls``).
ARGUMENTS = (("keyword", ("shell",)), ("kind", ("container",)))


def _facts_for_taint(store: Store) -> list[FileFacts]:
    modules = store.file_modules()
    by_path: dict[str, list[Fact]] = defaultdict(list)
    for table in TABLES:
        for path, facts in store.facts_of_files(table).items():
            by_path[path].extend(facts)
    for column, values in ARGUMENTS:
        for path, args in store.facts_where(CallArgFact, column, values).items():
            by_path[path].extend(args)
    return [
        FileFacts(path=path, module=modules.get(path) or "", status="ok", facts=facts)
        for path, facts in sorted(by_path.items())
    ]


def taint_of(store: Store, models: Models = DEFAULT_MODELS) -> TaintEngine:
    """The engine of a store, built again only when the store's revision changed. It reads only
    the tables it needs, and resolves calls through the module-level imports of every file (a
    linker without files). Call it on the thread that owns the store."""
    cached = _ENGINES.get(store)
    if cached is not None and cached[0] == store.revision and cached[1].program.models is models:
        return cached[1]
    modules = [(m, p) for p, m in sorted(store.file_modules().items()) if m is not None]
    linker = Linker([], store.module_level_facts(ImportFact), modules)
    engine = TaintEngine(_facts_for_taint(store), linker.resolve, models)
    _ENGINES[store] = (store.revision, engine)
    return engine


__all__ = ["Label", "Step", "Summary", "TaintEngine", "TaintPath", "engine_of_files", "taint_of"]
