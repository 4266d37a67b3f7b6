"""Hover text of the testing domain, from the testing model (no LSP here)."""

from __future__ import annotations

import re

from auditls.facts.testing import CoverageMarkerFact, PytestFixtureFact, PytestPluginFact
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
        shown = ", ".join(f"`{r.test}` ({r.how})" for r in reached[:LIST_LIMIT])
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
