"""Hover on pytest fixtures (their ``def`` line, or a test's or fixture's parameter naming
one), on a test's ``def`` line (how it runs: fixtures, parametrize cases, marks, Hypothesis;
what it replaces and asserts), on pytest hook implementations, and under a finding: the tests
that reach its function.

The buffer's facts say what is under the cursor; the store's ``TestingModel`` (cached per
store revision, built on the store's thread through ``ctx.query``) links it across files. The
text comes from ``auditls.server.testing.text``.
"""

from __future__ import annotations

from auditls.facts.core import FunctionFact, ParamFact
from auditls.facts.testing import PytestFixtureFact, PytestPluginFact, SuiteTestFact
from auditls.models.testing import model_of
from auditls.server.hover import HoverContext, hover_provider
from auditls.server.testing.text import (
    fixture_markdown,
    hook_markdown,
    missing_fixture_markdown,
    reach_markdown,
    test_markdown,
)
from auditls.store import Store


@hover_provider("testing.reach", order=11)
def reach_hover(ctx: HoverContext) -> str | None:
    """Under a finding inside a function: the tests that call it, patch it, or doctest it."""
    finding = next((f for f in ctx.findings if ctx.covers(f)), None)
    if finding is None:
        return None
    around = [f for f in ctx.facts_of(FunctionFact)
              if not f.is_lambda and f.line <= finding.line <= f.end_line]  # fmt: skip
    if not around:
        return None
    function = max(around, key=lambda f: f.line)
    lines = ctx.text.split("\n")
    def_line = next(
        (lines[i].strip() for i in range(function.line - 1, min(function.end_line, len(lines)))
         if lines[i].lstrip().startswith(("def ", "async def "))), None,
    )  # fmt: skip
    qualname = function.qualname
    return ctx.query(lambda store: reach_markdown(model_of(store), qualname, def_line))


@hover_provider("testing.fixtures", order=63)
def fixture_hover(ctx: HoverContext) -> str | None:
    """A fixture's definition line, or a parameter of a test or fixture that names one."""
    path = ctx.path
    param = next((p for p in ctx.facts_of(ParamFact) if ctx.covers(p)), None)
    if param is None:
        return _on_definition(ctx)
    test = next((t for t in ctx.facts_of(SuiteTestFact)
                 if t.qualname == param.function and t.framework == "pytest"), None)  # fmt: skip
    fixture = next((f for f in ctx.facts_of(PytestFixtureFact)
                    if f.qualname == param.function), None)  # fmt: skip
    if (test is None and fixture is None) or (test is not None and param.name not in test.fixtures):
        return _on_definition(ctx)
    name, class_name = param.name, test.class_name if test is not None else None

    def on_param(store: Store) -> str | None:
        model = model_of(store)
        site = model.fixture_for(name, path, class_name)
        if site is None:
            return missing_fixture_markdown(model, name, path)
        return fixture_markdown(model, site)

    return ctx.query(on_param)


def _on_definition(ctx: HoverContext) -> str | None:
    """A fixture's ``def`` line (anywhere but on a parameter)."""
    path = ctx.path
    here = next((f for f in ctx.facts_of(PytestFixtureFact) if f.line <= ctx.line
                 and ctx.line == _def_line(ctx, f.line, f.end_line)), None)  # fmt: skip
    if here is not None:
        qualname = here.qualname

        def on_def(store: Store) -> str | None:
            model = model_of(store)
            site = next((s for s in model.fixtures.get(here.name, ())
                         if s.path == path and s.fact.qualname == qualname), None)  # fmt: skip
            return fixture_markdown(model, site) if site is not None else None

        return ctx.query(on_def)
    return None


@hover_provider("testing.tests", order=62)
def test_hover(ctx: HoverContext) -> str | None:
    """A test's ``def`` line: how it runs, what it replaces, what it asserts."""
    if ctx.facts is None or any(ctx.covers(p) for p in ctx.facts_of(ParamFact)):
        return None
    test = next((t for t in ctx.facts_of(SuiteTestFact)
                 if ctx.line == _def_line(ctx, t.line, t.end_line)), None)  # fmt: skip
    if test is None:
        return None
    path, facts = ctx.path, ctx.facts
    return test_markdown(ctx.query(model_of), path, test, facts)


@hover_provider("testing.hooks", order=64)
def hook_hover(ctx: HoverContext) -> str | None:
    """A ``pytest_*`` hook implementation's ``def`` line: how pytest loads it."""
    hook = next((h for h in ctx.facts_of(PytestPluginFact) if h.kind == "hook"
                 and ctx.line == _def_line(ctx, h.line, h.end_line)), None)  # fmt: skip
    if hook is None:
        return None
    path, qualname = ctx.path, hook.qualname

    def build(store: Store) -> str | None:
        model = model_of(store)
        site = next((s for s in model.plugins if s.path == path
                     and s.fact.qualname == qualname), None)  # fmt: skip
        return hook_markdown(model, site) if site is not None else None

    return ctx.query(build)


def _def_line(ctx: HoverContext, first: int, last: int) -> int | None:
    """The ``def`` line of a definition spanning ``first``-``last`` (its decorators come
    first)."""
    lines = ctx.text.split("\n")
    for number in range(first, min(last, len(lines)) + 1):
        if lines[number - 1].lstrip().startswith(("def ", "async def ")):
            return number
    return None
