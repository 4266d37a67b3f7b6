"""Hover text of the testing domain, from the testing model (no LSP here)."""

from __future__ import annotations

import re

from auditls.facts import FileFacts
from auditls.facts.testing import (
    AssertionFact,
    CoverageMarkerFact,
    DoubleFact,
    HypothesisFact,
    PytestFixtureFact,
    PytestMarkerFact,
    PytestParametrizeFact,
    PytestPluginFact,
    SuiteTestFact,
    UnittestCaseFact,
)
from auditls.link import Site
from auditls.models.testing import Reach, TestingModel

#: At most this many tests are listed; the rest are counted.
LIST_LIMIT = 10


def _listed(items: list[str]) -> str:
    shown = "".join(f"- `{item}`\n" for item in items[:LIST_LIMIT])
    if len(items) > LIST_LIMIT:
        shown += f"- … and {len(items) - LIST_LIMIT} more\n"
    return shown


def fixture_markdown(model: TestingModel, site: Site[PytestFixtureFact]) -> str:
    """A fixture: where it is defined and for which directory, scope, autouse, params, the
    fixtures it depends on (each resolved as pytest would), the tests and fixtures using it."""
    fact = site.fact
    where = f"`{site.path}:{fact.line}`"
    if fact.conftest:
        where += f", conftest for `{fact.directory or '.'}/`"
    flags = [f"scope `{fact.scope}`", "autouse" if fact.autouse else "not autouse"]
    if fact.is_async:
        flags.append("async")
    if fact.is_yield:
        flags.append("yield (teardown after the yield)")
    lines = [
        f"**pytest fixture `{fact.name}`** · " + " · ".join(flags),
        "",
        f"Defined in {where} (`{fact.qualname}`)",
    ]
    if fact.params is not None:
        lines += ["", f"**Params:** `{fact.params}`"]
    if fact.depends:
        deps = ", ".join(model.dependency(name, site.path, fact.qualname) for name in fact.depends)
        lines += ["", f"**Depends on:** {deps}"]
    tests, fixtures = model.users(site)
    lines += ["", f"**Used by {len(tests)} test{'s' if len(tests) != 1 else ''}**"
              + (" (autouse: every test in its scope)" if fact.autouse else "")
              + (":" if tests else "")]  # fmt: skip
    if tests:
        lines.append(_listed(tests).rstrip("\n"))
    if fixtures:
        lines += ["", "**Requested by fixtures:**", _listed(fixtures).rstrip("\n")]
    others = [s for s in model.fixtures.get(fact.name, ()) if s != site]
    if others:
        lines += ["", "**Same name elsewhere:** "
                  + ", ".join(f"`{s.path}:{s.fact.line}`" for s in others)]  # fmt: skip
    return "\n".join(lines)


def missing_fixture_markdown(model: TestingModel, name: str, path: str) -> str | None:
    """A requested name that is no fixture of the workspace: built in, or not found."""
    if not model.fixtures and not model.tests:
        return None
    return f"**pytest fixture** {model.dependency(name, path)}"


def reach_markdown(model: TestingModel, function: str, def_line: str | None) -> str:
    """Whether tests reach the function a finding sits in, and its coverage exclusions."""
    reached: list[Reach] = model.reached_by(function)
    lines = []
    if reached:
        shown = ", ".join(
            f"`{r.test}` ({r.how}"
            + (f"; with {' | '.join(i)})" if (i := model.inputs(r.test)) else ")")
            for r in reached[:LIST_LIMIT]
        )
        more = f" and {len(reached) - LIST_LIMIT} more" if len(reached) > LIST_LIMIT else ""
        lines.append(f"**Reached by tests** (`{function}`): {shown}{more}")
    else:
        lines.append(
            f"**Reached by no test:** no test calls or patches `{function}`, and it has no "
            "doctest. A test that exercises this code path would catch a regression of the fix."
        )
    excluded: list[CoverageMarkerFact] = model.excluded(function)
    if excluded:
        lines.append(
            "**Excluded from coverage:** "
            + ", ".join(f"line {e.line} `{e.text}`" for e in excluded)
        )
    elif def_line is not None and model.configured(def_line):
        lines.append(
            f"**Excluded from coverage** by the workspace's `[tool.coverage.report]`: `{def_line}`"
        )
    return "\n\n".join(lines)


def hook_markdown(model: TestingModel, site: Site[PytestPluginFact]) -> str:
    """A hook implementation: where it is loaded from (conftest, plugins list, entry point)."""
    fact = site.fact
    module = fact.qualname.rpartition(".")[0]
    loaded: list[str] = []
    if fact.conftest:
        loaded.append(f"conftest for `{site.path.rpartition('/')[0] or '.'}/`")
    loaded += [
        f"`pytest_plugins` in `{p.path}:{p.fact.line}`" for p in model.plugins
        if p.fact.kind == "plugins" and p.fact.name == module
    ]  # fmt: skip
    loaded += [f"entry point `pytest11` `{k}`" for k, v in model.entry_points.items()
               if re.sub(r":.*$", "", v) == module]  # fmt: skip
    others = [f"`{s.path}:{s.fact.line}`" for s in model.hooks(fact.name) if s != site]
    text = f"**pytest hook `{fact.name}`**" + (" · wrapper" if fact.hookwrapper else "")
    text += "\n\nLoaded as: " + (", ".join(loaded) if loaded else "not loaded by the workspace")
    if others:
        text += "\n\nOther implementations: " + ", ".join(others)
    return text


def test_markdown(model: TestingModel | None, path: str, test: SuiteTestFact,
                  facts: FileFacts) -> str:  # fmt: skip
    """A test: how it runs (framework, fixtures each resolved as pytest would, parametrize
    cases, marks, Hypothesis strategies), what it replaces (patches, mocks) and what it
    asserts. ``facts`` are its file's; ``model`` (None while the index is built) resolves the
    fixtures across files."""
    scopes = {test.qualname, test.class_name, facts.module}
    lines = [f"**{test.framework} test `{path}::{test.node_id}`**" + (" · async" if test.is_async
                                                                        else "")]  # fmt: skip
    if test.fixtures:
        shown = (
            ", ".join(model.dependency(name, path) for name in test.fixtures)
            if model is not None
            else ", ".join(f"`{name}`" for name in test.fixtures)
        )
        lines.append(f"**Fixtures:** {shown}")
    if model is not None and test.framework == "pytest":
        autouse = [s for sites in model.fixtures.values() for s in sites
                   if s.fact.autouse and model.applies(s, path)]  # fmt: skip
        if autouse:
            lines.append("**Autouse:** " + ", ".join(
                f"`{s.fact.name}` ({s.path}:{s.fact.line})" for s in autouse
            ))  # fmt: skip
    own = [c.name for c in facts.of(UnittestCaseFact)
           if c.class_qualname in (test.class_name, facts.module)
           and c.kind not in ("class", "test")]  # fmt: skip
    if own:
        lines.append("**Fixture methods:** " + ", ".join(f"`{name}`" for name in own))
    for param in facts.of(PytestParametrizeFact):
        if param.target in scopes:
            ids = f" · ids {', '.join(param.ids)}" if param.ids else ""
            lines.append(
                f"**Parametrized** `{', '.join(param.argnames)}` over {len(param.values)} "
                f"case{'s' if len(param.values) != 1 else ''}{ids}: "
                + ", ".join(f"`{v}`" for v in param.values[:LIST_LIMIT])
            )
    marks = [m for m in facts.of(PytestMarkerFact) if m.target in scopes]
    if marks:
        lines.append("**Marks:** " + ", ".join(
            f"`{m.name}`" + (f"({', '.join(m.args)})" if m.args else "")
            + (" (module)" if m.via == "pytestmark" else "") for m in marks
        ))  # fmt: skip
    for prop in facts.of(HypothesisFact):
        if prop.target == test.qualname:
            used = f" · strategies {', '.join(prop.strategies)}" if prop.strategies else ""
            lines.append(f"**Hypothesis `@{prop.kind}`** {', '.join(prop.arguments)}{used}")
    doubles = [d for d in facts.of(DoubleFact) if d.function == test.qualname
               and d.kind not in ("return_value", "side_effect")]  # fmt: skip
    if doubles:
        lines.append("**Replaces:** " + ", ".join(
            f"`{d.target or d.double}` ({d.kind})" for d in doubles
        ))  # fmt: skip
    asserts = [a for a in facts.of(AssertionFact) if a.function == test.qualname]
    if asserts:
        lines.append(f"**Asserts ({len(asserts)}):**\n" + "".join(
            f"- `{_assertion(a)}`\n" for a in asserts[:LIST_LIMIT]
        ).rstrip("\n"))  # fmt: skip
    else:
        lines.append("**Asserts nothing** (no assert, assertX or pytest.raises in its body)")
    return "\n\n".join(lines)


def _assertion(fact: AssertionFact) -> str:
    if fact.kind == "assert":
        if fact.right is not None:
            return f"{fact.left} {fact.compare} {fact.right}"
        return f"{'not ' if fact.compare == 'not' else ''}{fact.left}"
    args = ", ".join(x for x in (fact.left, fact.right) if x is not None)
    return f"{fact.kind}({args})"
