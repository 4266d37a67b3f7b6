"""Test frameworks as data: unittest, pytest (fixtures, marks, plugins), Hypothesis, mocks,
doctest and coverage markers.

Qualified names are as ``Context.qualname`` resolves them (``unittest.TestCase``,
``pytest.fixture``, ``unittest.mock.patch.object``). Where a test file gives the pre-filter
nothing to resolve (a test class built on a base from another file of the workspace, a plain
``def test_x(): assert ...`` that imports nothing), the extractors declare words and fragments
instead.
"""

from __future__ import annotations

# -- unittest ------------------------------------------------------------------------------------

#: Base classes that make a class a test case.
TESTCASE_BASES: frozenset[str] = frozenset(
    {
        "unittest.TestCase",
        "unittest.IsolatedAsyncioTestCase",
        "unittest.case.TestCase",
        "unittest.async_case.IsolatedAsyncioTestCase",
        "django.test.TestCase",
        "django.test.SimpleTestCase",
        "django.test.TransactionTestCase",
        "django.test.LiveServerTestCase",
        "rest_framework.test.APITestCase",
        "rest_framework.test.APISimpleTestCase",
        "flask_testing.TestCase",
        "aiohttp.test_utils.AioHTTPTestCase",
        "twisted.trial.unittest.TestCase",
        "asynctest.TestCase",
    }
)
#: Fixture methods of a test case (the module-level ones are functions of its module).
TESTCASE_FIXTURES: frozenset[str] = frozenset(
    {
        "setUp", "tearDown", "setUpClass", "tearDownClass", "setUpModule", "tearDownModule",
        "asyncSetUp", "asyncTearDown", "setUpTestData",
    }
)  # fmt: skip
#: The prefix of a test method (unittest's ``TestLoader.testMethodPrefix``) and pytest's default
#: ``python_functions`` pattern; pytest's ``python_classes`` prefix.
MODULE_FIXTURES: frozenset[str] = frozenset({"setUpModule", "tearDownModule"})
TEST_PREFIX = "test"
TEST_CLASS_PREFIX = "Test"
#: Fragments a test file spells when nothing in it resolves (a base from another file).
TEST_FRAGMENTS: tuple[str, ...] = ("def test",)

#: ``self.assertX`` methods: unittest's, Django's and DRF's test cases add theirs.
ASSERT_METHODS: frozenset[str] = frozenset(
    {
        "assertEqual", "assertNotEqual", "assertTrue", "assertFalse", "assertIs", "assertIsNot",
        "assertIsNone", "assertIsNotNone", "assertIn", "assertNotIn", "assertIsInstance",
        "assertNotIsInstance", "assertRaises", "assertRaisesRegex", "assertWarns",
        "assertWarnsRegex", "assertLogs", "assertNoLogs", "assertAlmostEqual",
        "assertNotAlmostEqual", "assertGreater", "assertGreaterEqual", "assertLess",
        "assertLessEqual", "assertRegex", "assertNotRegex", "assertCountEqual",
        "assertMultiLineEqual", "assertSequenceEqual", "assertListEqual", "assertTupleEqual",
        "assertSetEqual", "assertDictEqual", "assertDictContainsSubset", "assertEquals",
        "assertNotEquals", "assert_", "failUnless", "failIf", "assertRedirects",
        "assertContains", "assertNotContains", "assertTemplateUsed", "assertTemplateNotUsed",
        "assertFormError", "assertJSONEqual", "assertQuerySetEqual", "assertQuerysetEqual",
        "assertNumQueries", "assertHTMLEqual", "assertInHTML", "assertStatus",
        "assert200", "assert400", "assert401", "assert403", "assert404", "assert405",
        "assert500",
    }
)  # fmt: skip
#: Assert methods -> the comparison they make between their first two arguments.
ASSERT_COMPARE: dict[str, str] = {
    "assertEqual": "==", "assertEquals": "==", "assertNotEqual": "!=", "assertNotEquals": "!=",
    "assertIs": "is", "assertIsNot": "is not", "assertIn": "in", "assertNotIn": "not in",
    "assertGreater": ">", "assertGreaterEqual": ">=", "assertLess": "<", "assertLessEqual": "<=",
    "assertIsNone": "is None", "assertIsNotNone": "is not None", "assertTrue": "truth",
    "assertFalse": "not", "assertIsInstance": "isinstance", "assertNotIsInstance": "not isinstance",
    "assertAlmostEqual": "~=", "assertNotAlmostEqual": "!~=", "assertRegex": "matches",
    "assertNotRegex": "not matches", "assertCountEqual": "same items", "assertListEqual": "==",
    "assertDictEqual": "==", "assertSetEqual": "==", "assertTupleEqual": "==",
    "assertSequenceEqual": "==", "assertMultiLineEqual": "==", "assertRaises": "raises",
    "assertRaisesRegex": "raises", "assertWarns": "warns", "assertWarnsRegex": "warns",
    "assertContains": "contains", "assertNotContains": "not contains",
    "assertRedirects": "redirects", "assertJSONEqual": "==", "assertHTMLEqual": "==",
}  # fmt: skip
#: pytest's assertion helpers -> kind.
PYTEST_ASSERTS: dict[str, str] = {
    "pytest.raises": "raises",
    "pytest.warns": "warns",
    "pytest.deprecated_call": "warns",
    "pytest.approx": "approx",
    "pytest.fail": "fail",
}

# -- pytest --------------------------------------------------------------------------------------

#: Fixture decorators (called or bare).
FIXTURE_DECORATORS: frozenset[str] = frozenset(
    {"pytest.fixture", "pytest_asyncio.fixture", "_pytest.fixtures.fixture", "pytest.yield_fixture"}
)
#: The mark namespace: ``pytest.mark.skip`` is the mark ``skip``.
MARK_PREFIXES: tuple[str, ...] = ("pytest.mark.", "_pytest.mark.")
#: The mark names the extractor resolves (custom marks resolve through ``MARK_PREFIXES`` too).
MARKS: frozenset[str] = frozenset(
    {"pytest.mark", "pytest.mark.parametrize", "pytest.mark.skip", "pytest.mark.skipif",
     "pytest.mark.xfail",
     "pytest.mark.usefixtures", "pytest.mark.filterwarnings", "pytest.mark.asyncio",
     "pytest.mark.django_db", "pytest.mark.slow", "pytest.mark.timeout"}
)  # fmt: skip
PARAMETRIZE = "pytest.mark.parametrize"
USEFIXTURES = "pytest.mark.usefixtures"
#: ``pytest.param(*values, id=..., marks=...)``.
PYTEST_PARAM: frozenset[str] = frozenset({"pytest.param"})
#: ``@pytest.hookimpl(...)`` (and pluggy's) on a hook implementation.
HOOKIMPL: frozenset[str] = frozenset({"pytest.hookimpl", "pluggy.HookimplMarker"})
#: The prefix of a hook implementation's name, the module-level plugin list, the conftest file.
HOOK_PREFIX = "pytest_"
PLUGINS_VARIABLE = "pytest_plugins"
CONFTEST = "conftest.py"
#: Fragments that mark a plugin or conftest file.
PLUGIN_FRAGMENTS: tuple[str, ...] = ("pytest_",)
#: Fixtures pytest itself provides (they are never found in the workspace).
BUILTIN_FIXTURES: frozenset[str] = frozenset(
    {
        "request", "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory", "monkeypatch",
        "capsys", "capsysbinary", "capfd", "capfdbinary", "caplog", "recwarn", "pytestconfig",
        "cache", "record_property", "record_testsuite_property", "record_xml_attribute",
        "doctest_namespace", "testdir", "pytester", "mocker", "event_loop", "subtests",
    }
)  # fmt: skip

# -- Hypothesis ----------------------------------------------------------------------------------

#: Hypothesis decorators -> kind.
HYPOTHESIS_DECORATORS: dict[str, str] = {
    "hypothesis.given": "given",
    "hypothesis.settings": "settings",
    "hypothesis.example": "example",
    "hypothesis.seed": "seed",
    "hypothesis.reproduce_failure": "reproduce_failure",
}
#: Where strategies live (a callee under one of these, in a ``@given`` argument, is a strategy).
STRATEGY_MODULES: tuple[str, ...] = ("hypothesis.strategies.", "hypothesis.extra.")

# -- mocks ---------------------------------------------------------------------------------------

#: Mock classes (``mock`` is the standalone backport).
MOCK_CLASSES: frozenset[str] = frozenset(
    {
        f"{m}.{c}"
        for m in ("unittest.mock", "mock", "asynctest")
        for c in ("Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock",
                  "PropertyMock", "CoroutineMock")
    }
    | {"unittest.mock.create_autospec", "mock.create_autospec", "unittest.mock.mock_open"}
)  # fmt: skip
#: ``patch`` callables -> the kind recorded.
PATCHES: dict[str, str] = {
    **{f"{m}.patch": "patch" for m in ("unittest.mock", "mock", "asynctest")},
    **{f"{m}.patch.object": "patch.object" for m in ("unittest.mock", "mock", "asynctest")},
    **{f"{m}.patch.dict": "patch.dict" for m in ("unittest.mock", "mock", "asynctest")},
    **{f"{m}.patch.multiple": "patch.multiple" for m in ("unittest.mock", "mock", "asynctest")},
}
#: pytest-mock's fixture and its patch methods (``mocker.patch.object(...)``), by name: the
#: fixture is a parameter, whose type the file does not know.
MOCKER = "mocker"
MOCKER_METHODS: dict[str, str] = {
    "patch": "patch",
    "patch.object": "patch.object",
    "patch.dict": "patch.dict",
    "patch.multiple": "patch.multiple",
    "spy": "spy",
    "stub": "mock",
    "Mock": "mock",
    "MagicMock": "mock",
    "AsyncMock": "mock",
}
#: Attributes of a mock whose assignment configures it.
MOCK_CONFIG_ATTRS: frozenset[str] = frozenset({"return_value", "side_effect"})
#: ``monkeypatch.setattr`` also replaces a target; recorded as a patch.
MONKEYPATCH = "monkeypatch"

# -- doctest and coverage ------------------------------------------------------------------------

DOCTEST_PROMPT = ">>>"
#: Fragments of coverage-excluded lines: the default pragma and the usual ``exclude_also``.
COVERAGE_FRAGMENTS: tuple[str, ...] = (
    "pragma", "PRAGMA", "Pragma", "TYPE_CHECKING", "NotImplementedError", "__main__",
    "abstractmethod", "overload",
)  # fmt: skip
#: Decorators whose function coverage users commonly exclude -> marker.
COVERAGE_DECORATORS: dict[str, str] = {
    "abc.abstractmethod": "abstract",
    "typing.overload": "overload",
    "typing_extensions.overload": "overload",
}
TYPE_CHECKING_NAMES: frozenset[str] = frozenset(
    {"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"}
)
NOT_IMPLEMENTED: frozenset[str] = frozenset({"builtins.NotImplementedError"})
#: The word of a plain ``assert`` statement (the pre-filter's words include keywords).
ASSERT_STATEMENT: frozenset[str] = frozenset({"assert"})
#: Names the doubles extractor matches as written: pytest-mock's and pytest's fixtures (their
#: type is unknown in the file) and the attributes that configure a mock.
DOUBLE_NAMES: frozenset[str] = frozenset({"mocker", "monkeypatch", "return_value", "side_effect"})
