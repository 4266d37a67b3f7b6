"""The testing model: the test suite of a workspace, over the linker.

1. **Select.** The linker of the files with testing rows (``facts.testing``): test modules,
   conftest files, plugins, modules with doctests or coverage pragmas; module-level imports
   of every file, so references resolve through re-exports.
2. **Test cases.** A unittest class recorded as a candidate (its base is a class of the
   workspace) is a test case when a base resolves (``Linker.resolve``) to a class recorded as a
   test case, directly or through more workspace bases; its tests count only then.
3. **Fixtures.** A test or fixture that requests ``name`` gets the nearest fixture of that name,
   as pytest looks it up: a fixture of the requesting module (a fixture of the test's own class
   first), then the ``conftest.py`` of the module's directory, then those of each parent
   directory up to the workspace root; then plugins (``pytest_plugins`` modules). pytest's own
   fixtures (``tmp_path``, ``monkeypatch``...) are named as built in. An ``autouse`` fixture
   serves every test its file's scope covers (its module, or its conftest's directory tree).
4. **Reach.** A function is reached by a test that calls it (a call in the test's body whose
   callee, resolved in the test's file, resolves across files to the function), calls a helper
   function of a test file that calls it, or requests a fixture that calls it (a few helpers or
   fixtures deep: a fixture's own requests count), by a test that
   patches it (a ``patch`` target, a ``patch.object`` object and attribute, resolved the same
   way; a decorator on a class patches each of its tests) and by its own doctest examples.
5. **Configuration.** ``[tool.coverage.report] exclude_lines`` / ``exclude_also`` and
   ``[project.entry-points.pytest11]`` of the workspace's ``pyproject.toml``, read once per
   model (``config.read_workspace_file``).

Cached per store revision like the other models (``model_of``); build it on the store's thread.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from auditls.config import UnreadableFile, read_workspace_file
from auditls.facts.testing import (
    FACT_TYPES,
    CoverageMarkerFact,
    DoctestExampleFact,
    DoubleFact,
    PytestFixtureFact,
    PytestParametrizeFact,
    PytestPluginFact,
    SuiteTestFact,
    UnittestCaseFact,
)
from auditls.knowledge.heuristics import TEST_FILE
from auditls.knowledge.testing import (
    BUILTIN_FIXTURES,
    CONFTEST,
    TEST_CLASS_PREFIX,
    TESTCASE_BASES,
)
from auditls.link import Linker, ModelCache, Site, link_of

#: Doubles whose target is replaced for the test.
#: How many fixtures deep a call is followed (a test -> its fixture -> theirs...).
_FIXTURE_DEPTH = 4
#: How many helper functions of test files deep (a test -> its helper -> another).
_HELPER_DEPTH = 2

_PATCH_KINDS = frozenset({"patch", "patch.object", "patch.dict", "patch.multiple", "setattr",
                          "spy"})  # fmt: skip


#: At most this many parametrize cases shown per test.
_INPUTS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Reach:
    """A test that reaches a function, and how."""

    test: str  # pytest node id: path::Class::test
    how: str  # calls | via helper `name` | via fixture `name` | patches | doctest
    path: str  # the test's file
    line: int  # where: the call, the patch, the example


class TestingModel:
    """The test suite of one store. Build with ``model_of``."""

    __test__ = False  # not a pytest class, whatever its name says

    def __init__(self, linker: Linker, root: Path | None) -> None:
        self.linker = linker
        self.fixtures: dict[str, list[Site[PytestFixtureFact]]] = defaultdict(list)
        for site in linker.sites(PytestFixtureFact):
            self.fixtures[site.fact.name].append(site)
        self.tests: list[Site[SuiteTestFact]] = list(linker.sites(SuiteTestFact))
        self.plugins: list[Site[PytestPluginFact]] = list(linker.sites(PytestPluginFact))
        self.doubles: list[Site[DoubleFact]] = list(linker.sites(DoubleFact))
        self.doctests: list[Site[DoctestExampleFact]] = list(linker.sites(DoctestExampleFact))
        self.coverage: list[Site[CoverageMarkerFact]] = list(linker.sites(CoverageMarkerFact))
        self._cases: dict[str, UnittestCaseFact] = {
            s.fact.qualname: s.fact for s in linker.sites(UnittestCaseFact)
            if s.fact.kind == "class"
        }  # fmt: skip
        self._is_case: dict[str, bool] = {}
        self.tests = [t for t in map(self._effective, self.tests) if t is not None]
        self.coverage_patterns, self.entry_points = _workspace_config(root)

    # -- unittest ----------------------------------------------------------------------------

    def is_testcase(self, qualname: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a recorded class is a test case: directly, or through workspace bases."""
        known = self._is_case.get(qualname)
        if known is not None:
            return known
        fact = self._cases.get(qualname)
        found = False
        if fact is not None and qualname not in seen:
            found = fact.direct or any(
                (base := self.linker.resolve(b)) in TESTCASE_BASES
                or self.is_testcase(base, seen | {qualname})
                for b in fact.bases
            )
        self._is_case[qualname] = found
        return found

    def _effective(self, test: Site[SuiteTestFact]) -> Site[SuiteTestFact] | None:
        """A test as pytest or unittest runs it: a test of a candidate class that is no test
        case is a pytest test when its class is a ``Test*`` class of a test file, else none."""
        fact = test.fact
        if fact.framework != "unittest" or self.is_testcase(fact.class_name or ""):
            return test
        short = (fact.class_name or "").rpartition(".")[2]
        if TEST_FILE(test.path) and short.startswith(TEST_CLASS_PREFIX):
            return Site(test.path, dataclasses.replace(fact, framework="pytest"))
        return None

    def cases(self) -> list[UnittestCaseFact]:
        return [c for q, c in self._cases.items() if self.is_testcase(q)]

    # -- fixtures ----------------------------------------------------------------------------

    def fixture_for(self, name: str, path: str, class_name: str | None = None,
                    requester: str | None = None) -> Site[PytestFixtureFact] | None:  # fmt: skip
        """The fixture ``name`` means in the file ``path`` (step 3 of the docstring). A fixture
        that requests its own name (``requester``, an override) gets the next one out."""
        candidates = [s for s in self.fixtures.get(name, ()) if s.fact.qualname != requester]
        if not candidates:
            return None
        here = [s for s in candidates if s.path == path]
        if class_name is not None:
            own = [s for s in here if s.fact.class_name == class_name]
            if own:
                return own[-1]
        module_level = [s for s in here if s.fact.class_name is None]
        if module_level:
            return module_level[-1]
        directory = path.rpartition("/")[0]
        while True:
            conftest = f"{directory}/{CONFTEST}" if directory else CONFTEST
            found = [s for s in candidates if s.path == conftest]
            if found:
                return found[-1]
            if not directory:
                break
            directory = directory.rpartition("/")[0]
        plugins = {p.fact.name for p in self.plugins if p.fact.kind == "plugins"}
        plugins.update(self.entry_points.values())
        for site in candidates:
            module = self._module_of(site.path)
            if module in plugins:
                return site
        return None

    def _module_of(self, path: str) -> str | None:
        ff = self.linker.files.get(path)
        return ff.module if ff is not None else None

    def applies(self, fixture: Site[PytestFixtureFact], path: str) -> bool:
        """Whether a fixture's file makes it visible in ``path`` (its module or conftest tree)."""
        if fixture.path == path:
            return True
        if not fixture.fact.conftest:
            return False
        directory = fixture.fact.directory
        return not directory or path.startswith(directory + "/")

    def users(self, fixture: Site[PytestFixtureFact]) -> tuple[list[str], list[str]]:
        """(tests, fixtures) that get this fixture: by a parameter or ``usefixtures`` resolved
        to it, or every test in its scope when it is autouse."""
        name = fixture.fact.name
        tests = [
            self.node_id(t) for t in self.tests
            if t.fact.framework == "pytest" and (
                (name in t.fact.fixtures and self.fixture_for(name, t.path, t.fact.class_name)
                 == fixture)
                or (fixture.fact.autouse and self.applies(fixture, t.path))
            )
        ]  # fmt: skip
        fixtures = [
            f"{s.path}::{s.fact.name}" for sites in self.fixtures.values() for s in sites
            if name in s.fact.depends and s != fixture
            and self.fixture_for(name, s.path, s.fact.class_name, s.fact.qualname) == fixture
        ]  # fmt: skip
        return tests, fixtures

    def dependency(self, name: str, path: str, requester: str | None = None) -> str:
        """Where a requested fixture comes from, for display: ``path:line``, built in, or
        not found."""
        site = self.fixture_for(name, path, None, requester)
        if site is not None:
            return f"`{name}` ({site.path}:{site.fact.line})"
        if name in BUILTIN_FIXTURES:
            return f"`{name}` (pytest)"
        return f"`{name}` (not found)"

    @staticmethod
    def node_id(test: Site[SuiteTestFact]) -> str:
        return f"{test.path}::{test.fact.node_id}"

    def inputs(self, node: str) -> list[str]:
        """The ``parametrize`` cases a test (by node id) runs with, as written
        (``"user, ok = ("alice", True); ("eve", False)"``); none for other tests."""
        test = next((t for t in self.tests if self.node_id(t) == node), None)
        if test is None:
            return []
        scopes = {test.fact.qualname, test.fact.class_name}
        out: list[str] = []
        for site in self.linker.sites(PytestParametrizeFact):
            fact = site.fact
            if site.path == test.path and fact.target in scopes and fact.values:
                more = " …" if len(fact.values) > _INPUTS_SHOWN else ""
                cases = "; ".join(fact.values[:_INPUTS_SHOWN])
                out.append(f"{', '.join(fact.argnames)} = {cases}{more}")
        return out

    # -- reach -------------------------------------------------------------------------------

    def reached_by(self, function: str) -> list[Reach]:
        """The tests that reach ``function`` (a qualified name), in path and line order."""
        linker = self.linker
        target = linker.resolve(function)
        found: dict[tuple[str, str], Reach] = {}

        def call_line(qualname: str) -> int | None:
            for call in linker.calls.get(qualname, ()):
                if call.callee is not None and (
                    call.callee == function or linker.resolve(call.callee) == target
                ):
                    return call.line
            return None

        helped: dict[str, tuple[str, int] | None] = {}  # helper qualname -> (path, line)

        def helper_reaches(qualname: str, depth: int) -> tuple[str, int] | None:
            """Where a helper function of a test file, or one it calls, calls the function."""
            if qualname in helped:
                return helped[qualname]
            helped[qualname] = None  # recursion reaches nothing more
            site = linker.functions.get(qualname)
            hit: tuple[str, int] | None = None
            if site is not None and TEST_FILE(site.path):
                line = call_line(qualname)
                hit = (site.path, line) if line is not None else None
                if hit is None and depth < _HELPER_DEPTH:
                    for callee in self._callees(qualname):
                        if (hit := helper_reaches(callee, depth + 1)) is not None:
                            break
            helped[qualname] = hit
            return hit

        through: dict[str, tuple[str, int] | None] = {}  # fixture qualname -> (path, line)

        def fixture_reaches(site: Site[PytestFixtureFact], depth: int) -> tuple[str, int] | None:
            """Where a fixture, or a fixture it requests, calls the function."""
            key = site.fact.qualname
            if key in through:
                return through[key]
            through[key] = None  # a cycle reaches nothing
            line = call_line(key)
            hit = (site.path, line) if line is not None else None
            if hit is None and depth < _FIXTURE_DEPTH:
                for name in site.fact.depends:
                    dep = self.fixture_for(name, site.path, site.fact.class_name, key)
                    if dep is not None and (hit := fixture_reaches(dep, depth + 1)) is not None:
                        break
            through[key] = hit
            return hit

        for test in self.tests:
            line = call_line(test.fact.qualname)
            if line is not None:
                key = (self.node_id(test), "calls")
                found.setdefault(key, Reach(key[0], "calls", test.path, line))
                continue
            helper = next(
                ((c, h) for c in self._callees(test.fact.qualname)
                 if (h := helper_reaches(c, 0)) is not None), None,
            )  # fmt: skip
            if helper is not None:
                short = helper[0].rpartition(".")[2]
                key = (self.node_id(test), f"via helper `{short}`")
                found.setdefault(key, Reach(key[0], key[1], helper[1][0], helper[1][1]))
                continue
            for name in test.fact.fixtures if test.fact.framework == "pytest" else ():
                dep = self.fixture_for(name, test.path, test.fact.class_name)
                hit = fixture_reaches(dep, 0) if dep is not None else None
                if hit is not None:
                    key = (self.node_id(test), f"via fixture `{name}`")
                    found.setdefault(key, Reach(key[0], key[1], hit[0], hit[1]))
                    break
        by_function: dict[tuple[str, str], list[Site[SuiteTestFact]]] = defaultdict(list)
        for test in self.tests:
            by_function[(test.path, test.fact.qualname)].append(test)
            if test.fact.class_name is not None:
                by_function[(test.path, test.fact.class_name)].append(test)
        for double in self.doubles:
            fact = double.fact
            if fact.kind not in _PATCH_KINDS or fact.target is None:
                continue
            if fact.target != function and linker.resolve(fact.target) != target:
                continue
            owners = by_function.get((double.path, fact.function), [])
            for test in owners:
                key = (self.node_id(test), "patches")
                found.setdefault(key, Reach(key[0], "patches", double.path, fact.line))
        for example in self.doctests:
            if example.fact.target == function:
                key = (f"{example.path}::{function}", "doctest")
                found.setdefault(key, Reach(key[0], "doctest", example.path, example.fact.line))
        return sorted(found.values(), key=lambda r: (r.test.partition("::")[0], r.line, r.test,
                                                    r.how))  # fmt: skip

    def _callees(self, qualname: str) -> list[str]:
        """The functions a function calls, resolved across files, in source order."""
        out: list[str] = []
        for call in self.linker.calls.get(qualname, ()):
            if call.callee is not None:
                resolved = self.linker.resolve(call.callee)
                if resolved not in out:
                    out.append(resolved)
        return out

    # -- coverage ----------------------------------------------------------------------------

    def excluded(self, function: str) -> list[CoverageMarkerFact]:
        """The coverage exclusions that remove ``function``'s body: a pragma (or a marker the
        workspace configures) on its ``def`` line, or on the line of a class or function it is
        nested in (coverage excludes the whole block)."""
        out = []
        for site in self.coverage:
            fact = site.fact
            if fact.target is None or not (
                function == fact.target or function.startswith(fact.target + ".")
            ):
                continue  # not on its def line, nor on the def or class line around it
            if fact.marker == "pragma" or self.configured(fact.text):
                out.append(fact)
        return out

    def configured(self, line: str) -> bool:
        """Whether a line matches one of the workspace's coverage exclusion patterns."""
        return any(p.search(line) for p in self.coverage_patterns)

    def hooks(self, name: str) -> list[Site[PytestPluginFact]]:
        return [p for p in self.plugins if p.fact.kind == "hook" and p.fact.name == name]


def _workspace_config(root: Path | None) -> tuple[list[re.Pattern[str]], dict[str, str]]:
    """(coverage exclusion patterns, pytest11 entry points) of the workspace's pyproject."""
    if root is None:
        return [], {}
    try:
        data = read_workspace_file(root, root / "pyproject.toml")
        table = tomllib.loads(data.decode("utf-8")) if data is not None else {}
    except (UnreadableFile, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return [], {}
    report = table.get("tool", {}).get("coverage", {}).get("report", {})
    patterns: list[re.Pattern[str]] = []
    for key in ("exclude_lines", "exclude_also"):
        for text in report.get(key, ()) if isinstance(report, dict) else ():
            if isinstance(text, str):
                try:
                    patterns.append(re.compile(text))
                except re.error:
                    continue
    points = table.get("project", {}).get("entry-points", {}).get("pytest11", {})
    entry_points = {str(k): str(v) for k, v in points.items()} if isinstance(points, dict) else {}
    return patterns, entry_points


#: The model of a store (``link.ModelCache``: built again only when a file with its facts
#: changed).
model_of: ModelCache[TestingModel] = ModelCache(
    FACT_TYPES, lambda store: TestingModel(link_of(store, FACT_TYPES), store.root)
)
