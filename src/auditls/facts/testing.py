"""Fact dataclasses of the testing extractors (INVENTORY.md, Phase 3 Block 2 and Phase 2 testing).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).

Extraction sees one file: a TestCase subclass whose base is defined in another file of the
workspace is recorded as a *candidate* (``direct`` false) and ``auditls.models.testing`` keeps
it when the base leads to ``unittest.TestCase``; a fixture is recorded where it is defined, and
the model decides which tests see it (the nearest definition: same module, then ``conftest.py``
files up the directory tree).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class UnittestCaseFact(Fact):
    """A TestCase subclass (``kind`` class) or one of its methods: a test, a fixture method; or
    a module's ``setUpModule`` / ``tearDownModule``."""

    TABLE: ClassVar[str] = "python_unittest_cases"

    class_qualname: str  # the TestCase subclass's qualified name (the module: setUpModule)
    bases: tuple[str, ...]  # its bases, resolved (as written when unresolved)
    direct: bool  # a base is a known TestCase class; false: a workspace base, for the model
    kind: str  # class | test | setUp | tearDown | setUpClass | tearDownClass | asyncSetUp | ...
    name: str  # the class's or method's bare name
    qualname: str  # the class's or method's qualified name
    is_async: bool  # an `async def` method


@fact
class AssertionFact(Fact):
    """An assertion: ``self.assertX(...)``, a plain ``assert``, ``pytest.raises`` / ``warns``."""

    TABLE: ClassVar[str] = "python_test_assertions"

    function: str  # enclosing function's qualified name
    kind: str  # the assert method (assertEqual...), `assert`, or raises | warns | approx
    compare: str | None  # the comparison: == | != | is | is not | in | not in | < ... | truth
    left: str | None  # the first operand (or the asserted expression) as written
    right: str | None  # the second operand as written, if any
    message: str | None  # the assertion's message as written (`msg=`, `assert x, "..."`)


@fact
class PytestPluginFact(Fact):
    """A pytest plugin piece: a ``pytest_*`` hook implementation, a ``pytest_plugins`` entry."""

    TABLE: ClassVar[str] = "python_test_plugins"

    kind: str  # hook | plugins (an entry of `pytest_plugins`)
    name: str  # the hook's name (pytest_configure) or the plugin module named
    qualname: str  # the hook function's qualified name; the module for `pytest_plugins`
    conftest: bool  # defined in a conftest.py
    hookwrapper: bool  # @pytest.hookimpl(hookwrapper=True) or (wrapper=True)


@fact
class CoverageMarkerFact(Fact):
    """A line excluded from coverage: ``# pragma: no cover`` and the usual ``exclude_also`` lines
    (``if TYPE_CHECKING:``, ``raise NotImplementedError``...); the model applies the workspace's
    ``[tool.coverage.report]`` patterns to ``text``."""

    TABLE: ClassVar[str] = "python_test_coverage"

    marker: str  # pragma | type_checking | not_implemented | main_guard | abstract | overload
    text: str  # the line's text, stripped, cut to 200 characters
    target: str | None  # the function or class the line opens (a pragma on a def), if any
    function: str  # enclosing function's qualified name


@fact
class PytestFixtureFact(Fact):
    """A ``@pytest.fixture`` (or ``@pytest_asyncio.fixture``) function."""

    TABLE: ClassVar[str] = "python_pytest_fixtures"

    qualname: str  # the fixture function's qualified name
    name: str  # the fixture's name (`name=` when given, else the function's)
    class_name: str | None  # the test class it is a method of (visible to that class only)
    scope: str  # function | class | module | package | session (or the text when dynamic)
    autouse: bool  # autouse=True
    params: str | None  # the `params=` argument as written
    depends: tuple[str, ...]  # the fixtures it requests: its parameters (request included)
    is_async: bool  # an `async def` fixture
    is_yield: bool  # a yield fixture (teardown after the yield)
    conftest: bool  # defined in a conftest.py
    directory: str  # the directory of its file ("" at the root): where a conftest applies


@fact
class SuiteTestFact(Fact):
    """A test: a pytest test function or method, or a unittest test method."""

    TABLE: ClassVar[str] = "python_test_functions"

    qualname: str  # the test's qualified name
    name: str  # bare name
    class_name: str | None  # the enclosing test class's qualified name
    framework: str  # pytest | unittest (of a test case, or of a candidate the model checks)
    fixtures: tuple[str, ...]  # fixtures requested: parameters, then @usefixtures names
    is_async: bool  # an `async def` test
    node_id: str  # the pytest node id without the file: `TestX::test_y`


@fact
class PytestParametrizeFact(Fact):
    """One ``@pytest.mark.parametrize`` (or ``pytest.fixture(params=...)`` is in fixtures)."""

    TABLE: ClassVar[str] = "python_pytest_parametrize"

    target: str  # the parametrized function's or class's qualified name
    argnames: tuple[str, ...]  # the argument names
    values: tuple[str, ...]  # each case as written (`pytest.param` cases: their values)
    ids: tuple[str, ...]  # the ids: `ids=` strings or `pytest.param(id=...)`, when literal
    marks: tuple[str, ...]  # marks of `pytest.param(marks=...)` cases, as written
    indirect: bool  # indirect=... given and not False


@fact
class PytestMarkerFact(Fact):
    """A pytest marker: ``@pytest.mark.X`` on a function or class, or ``pytestmark = [...]``."""

    TABLE: ClassVar[str] = "python_pytest_markers"

    target: str  # the marked function's or class's qualified name; the module for pytestmark
    name: str  # the mark's name (skip, xfail, usefixtures, asyncio, a custom one)
    args: tuple[str, ...]  # its arguments as written (keywords as "k=v")
    via: str  # decorator | pytestmark


@fact
class HypothesisFact(Fact):
    """A Hypothesis decorator: ``@given`` with the strategies used, ``@settings``, ``@example``."""

    TABLE: ClassVar[str] = "python_hypothesis"

    target: str  # the decorated test's qualified name
    kind: str  # given | settings | example | seed | reproduce_failure
    arguments: tuple[str, ...]  # the arguments as written (keywords as "k=v")
    strategies: tuple[str, ...]  # given: the resolved strategy callables (hypothesis.strategies.x)


@fact
class DoctestExampleFact(Fact):
    """A ``>>>`` example in a docstring (with its ``...`` continuation lines)."""

    TABLE: ClassVar[str] = "python_doctest_examples"

    target: str  # the documented module, class or function's qualified name
    source: str  # the example's source, prompts removed, cut to 200 characters
    want: str | None  # the expected output that follows, cut to 200 characters


@fact
class DoubleFact(Fact):
    """A test double: a Mock made, a ``patch`` and its target, a return value or side effect set."""

    TABLE: ClassVar[str] = "python_test_doubles"

    function: str  # enclosing function's qualified name (the decorated test for @patch)
    kind: str  # mock | patch | patch.object | patch.dict | patch.multiple | return_value | ...
    double: str | None  # mock class (unittest.mock.MagicMock) or patch callable, resolved
    target: str | None  # what is patched, qualified (pkg.mod.Cls.m); the mock for an assignment
    value: str | None  # return_value / side_effect / spec / new as written
    as_decorator: bool  # applied as a decorator


#: The testing domain's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (
    UnittestCaseFact,
    AssertionFact,
    PytestPluginFact,
    CoverageMarkerFact,
    PytestFixtureFact,
    SuiteTestFact,
    PytestParametrizeFact,
    PytestMarkerFact,
    HypothesisFact,
    DoctestExampleFact,
    DoubleFact,
)
