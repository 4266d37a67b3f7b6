"""A rule's knowledge: every table of ``auditls.knowledge`` a check reads is declared on its rule,
and the per-file pre-filter never hides what those tables name (the silent confidence drop of a
rule whose callees no extractor records can no longer happen)."""

from __future__ import annotations

import importlib
import pkgutil
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

import auditls.extractors
import auditls.knowledge
from auditls.extractors import extract
from auditls.facts.security import DangerousCallFact
from auditls.knowledge.security import CODE_WATCH, COMMAND_WATCH, OTHER_WATCH
from auditls.rules import RULES, Rule
from auditls.rules.index import rate

#: Every module of the knowledge package (a new domain's is found without editing this test).
KNOWLEDGE = tuple(
    importlib.import_module(f"auditls.knowledge.{m.name}")
    for m in pkgutil.iter_modules(auditls.knowledge.__path__)
)
WATCHED = {**CODE_WATCH, **COMMAND_WATCH, **OTHER_WATCH}


def _is_table(obj: object) -> bool:
    return not isinstance(obj, types.ModuleType | type | types.FunctionType) and any(
        obj is value for module in KNOWLEDGE for value in vars(module).values()
    )


def _reads(fn: Callable[..., Any], seen: set[Any] | None = None) -> Iterator[object]:
    """The module globals a function reads, and those of the rules' helpers it calls (their
    modules' own knowledge included; ``rules.index``'s shared helpers are yielded, not entered)."""
    seen = set() if seen is None else seen
    if fn in seen:
        return
    seen.add(fn)
    names: set[str] = set()
    codes = [fn.__code__]
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    for name in names:
        obj = fn.__globals__.get(name)
        if obj is None:
            continue
        yield obj
        helper = isinstance(obj, types.FunctionType) and obj.__module__.startswith("auditls.rules.")
        if helper and obj.__module__ != "auditls.rules.index":
            yield from _reads(obj, seen)


def _knowledge_read(r: Rule) -> list[object]:
    found: list[object] = []
    for obj in _reads(r.check):
        if _is_table(obj) and not any(obj is f for f in found):
            found.append(obj)
    return found


def _qualnames(table: object) -> list[str]:
    """The qualified names a table holds (its keys, or its items), ``flask.request`` style."""
    items = table.keys() if isinstance(table, Mapping) else table
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        items = [items]
    return sorted(i for i in items if isinstance(i, str) and "." in i and " " not in i)


def _rates(r: Rule) -> bool:
    """Whether the check rates an argument by its source (``rules.index.rate``)."""
    return any(obj is rate for obj in _reads(r.check))


@pytest.mark.parametrize("r", list(RULES.values()), ids=lambda r: r.code)
def test_a_rule_declares_the_knowledge_its_check_reads(r: Rule) -> None:
    read = _knowledge_read(r)
    assert all(_is_table(t) for t in r.knowledge), "declare only tables of auditls.knowledge"
    missing = [t for t in read if not any(t is d for d in r.knowledge)]
    unused = [t for t in r.knowledge if not any(t is u for u in read)]
    assert not missing, f"{r.code} reads knowledge it does not declare"
    assert not unused, f"{r.code} declares knowledge its check does not read"


def _using(qualname: str) -> bytes:
    top = qualname.partition(".")[0]
    return f"import {top}\n\n\ndef f(x):\n    return {qualname}(x)\n".encode()


RELIED_ON = sorted(
    {(r.code, q) for r in RULES.values() for t in r.knowledge for q in _qualnames(t)}
)


@pytest.mark.parametrize(("code", "qualname"), RELIED_ON)
def test_the_prefilter_hides_nothing_a_rule_relies_on(
    code: str, qualname: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that uses a name a rule relies on gets the same facts with the pre-filter as with
    every extractor run."""
    source = _using(qualname)
    filtered = extract(source, "m.py").facts
    monkeypatch.setattr(auditls.extractors, "skipped", lambda scan: frozenset())
    assert extract(source, "m.py").facts == filtered, (code, qualname)


RATED = sorted(
    {(r.code, q) for r in RULES.values() if _rates(r) for t in r.knowledge for q in _qualnames(t)}
)


def test_rated_rules_are_found() -> None:
    assert {code for code, _ in RATED} >= {"AUD101", "AUD102", "AUD104", "AUD105", "AUD126"}


@pytest.mark.parametrize(("code", "callee"), RATED)
def test_a_callee_a_rule_rates_is_watched_and_recorded(code: str, callee: str) -> None:
    """A rule that rates an argument by its source reads the callee's ``python_dangerous_calls``
    row: the callee must be in a watch, and a file calling it gets the row."""
    assert callee in WATCHED, f"{code}: add {callee}'s table to a watch in knowledge.security"
    recorded = [f.callee for f in extract(_using(callee), "m.py").of(DangerousCallFact)]
    assert recorded == [callee]
