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
from collections.abc import Iterable
from typing import TYPE_CHECKING

from auditls.facts import FileFacts
from auditls.link import Linker, link_of
from auditls.taint.engine import Label, Step, Summary, TaintEngine, TaintPath

if TYPE_CHECKING:
    from auditls.store import Store

_ENGINES: weakref.WeakKeyDictionary[Store, tuple[int, TaintEngine]] = weakref.WeakKeyDictionary()


def engine_of_files(files: Iterable[FileFacts]) -> TaintEngine:
    """An engine over files extracted in memory (tests, the fixture runner)."""
    linker = Linker.from_files(list(files))
    return TaintEngine(linker.files.values(), linker.resolve)


def taint_of(store: Store) -> TaintEngine:
    """The engine of a store, built again only when the store's revision changed. Call it on
    the thread that owns the store."""
    cached = _ENGINES.get(store)
    if cached is not None and cached[0] == store.revision:
        return cached[1]
    linker = link_of(store)
    engine = TaintEngine(linker.files.values(), linker.resolve)
    _ENGINES[store] = (store.revision, engine)
    return engine


__all__ = ["Label", "Step", "Summary", "TaintEngine", "TaintPath", "engine_of_files", "taint_of"]
