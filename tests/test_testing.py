"""The testing domain on ``fixtures/testing`` (a shop with unittest, pytest with conftest files
at two depths, Hypothesis, doctests and mocks): the model (test cases through workspace bases,
the nearest fixture, who uses a fixture, which tests reach a function, coverage configuration),
the hover text and providers as the server calls them, and the extractors' edge cases."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditls.config import Config
from auditls.extractors import extract
from auditls.facts.testing import (
    AssertionFact,
    DoubleFact,
    PytestFixtureFact,
    PytestParametrizeFact,
    SuiteTestFact,
    UnittestCaseFact,
)
from auditls.index import index_workspace
from auditls.models.testing import Reach, TestingModel, model_of
from auditls.rules import check_facts
from auditls.rules.findings import Finding
from auditls.server.hover import HoverContext, hover_markdown, providers
from auditls.server.testing.text import reach_markdown
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "testing"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store.open(PROJECT, persist=False) as opened:
        index_workspace(PROJECT, opened, Config(), progress=False, snapshot=False)
        yield opened


@pytest.fixture(scope="module")
def model(store: Store) -> TestingModel:
    return model_of(store)


def test_a_test_case_through_a_workspace_base_is_kept(model: TestingModel) -> None:
    assert sorted(c.qualname for c in model.cases()) == [
        "shop.testing.ShopTestCase",
        "tests.test_unit.TestAsyncCart",
        "tests.test_unit.TestCart",  # ShopTestCase is in shop/testing.py
    ]
    unit = [model.node_id(t) for t in model.tests if t.fact.framework == "unittest"]
    assert unit == [
        "tests/test_unit.py::TestCart::test_add",
        "tests/test_unit.py::TestCart::test_patched_hash",
        "tests/test_unit.py::TestAsyncCart::test_fetch",
    ]


def test_a_candidate_whose_base_is_no_test_case_is_dropped() -> None:
    from auditls.link import Linker

    helper = extract(b"class Base:\n    pass\n", "pkg/base.py", module="pkg.base")
    source = (
        b"from pkg.base import Base\n\nclass Checks(Base):\n    def test_x(self):\n        pass\n"
    )
    case = extract(source, "tests/checks.py", module="tests.checks")
    assert [f.direct for f in case.of(UnittestCaseFact) if f.kind == "class"] == [False]
    model = TestingModel(Linker.from_files([helper, case]), None)
    assert model.cases() == []
    assert model.tests == []  # not a TestCase, and no `Test*` class for pytest
    # Outside a test file a class with a `test_client` method is no candidate at all.
    app = extract(source.replace(b"test_x", b"test_client"), "pkg/app.py", module="pkg.app")
    assert app.of(UnittestCaseFact) == []


def test_the_nearest_fixture_wins(model: TestingModel) -> None:
    deep = model.fixture_for("client", "tests/api/test_tokens.py")
    top = model.fixture_for("client", "tests/test_api.py")
    assert deep is not None
    assert deep.path == "tests/api/conftest.py"
    assert top is not None
    assert top.path == "tests/conftest.py"
    # A fixture of the module itself, renamed with name=.
    admin = model.fixture_for("admin", "tests/test_api.py")
    assert admin is not None
    assert admin.fact.qualname == "tests.test_api.admin_user"
    assert model.fixture_for("admin", "tests/api/test_tokens.py") is None
    assert model.fixture_for("tmp_path", "tests/test_api.py") is None
    # From a module that tests/conftest.py loads with `pytest_plugins`.
    seed = model.fixture_for("seed", "tests/test_api.py")
    assert seed is not None
    assert seed.path == "tests/helpers.py"
    assert model.users(seed)[0] == ["tests/test_api.py::test_seeded"]


def test_users_of_a_fixture(model: TestingModel) -> None:
    deep = model.fixture_for("client", "tests/api/test_tokens.py")
    assert deep is not None
    assert model.users(deep) == (
        ["tests/api/test_tokens.py::test_token", "tests/api/test_tokens.py::test_report_runs"],
        ["tests/api/conftest.py::token"],
    )
    top = model.fixture_for("client", "tests/test_api.py")
    assert top is not None
    assert model.users(top)[0] == [
        "tests/test_api.py::test_login_cases",
        "tests/test_api.py::TestReports::test_patched",
    ]
    db = model.fixture_for("db", "tests/test_api.py")
    assert db is not None
    # usefixtures("db") counts; the fixtures that request db are listed apart.
    assert model.users(db) == (
        ["tests/test_api.py::TestReports::test_with_context"],
        ["tests/api/conftest.py::client", "tests/conftest.py::client", "tests/conftest.py::user",
         "tests/test_api.py::admin"],
    )  # fmt: skip
    autouse = model.fixture_for("reset_env", "tests/test_props.py")
    assert autouse is not None
    tests, _ = model.users(autouse)
    assert "tests/test_props.py::test_total_counts_items" in tests
    assert not any("test_unit" in t for t in tests)  # unittest tests get no pytest fixtures


def test_tests_that_reach_a_function(model: TestingModel) -> None:
    tokens = "tests/api/test_tokens.py"
    assert model.reached_by("shop.api.run_report") == [
        Reach(f"{tokens}::test_report_runs", "calls", tokens, 13),
        Reach(f"{tokens}::test_reports_through_a_helper", "via helper `_report_twice`", tokens, 21),
        Reach("tests/test_api.py::test_report_mocked", "calls", "tests/test_api.py", 44),
        Reach("tests/test_api.py::TestReports::test_patched", "patches", "tests/test_api.py", 48),
        Reach("tests/test_api.py::TestReports::test_patched", "calls", "tests/test_api.py", 50),
    ]  # fmt: skip
    # Through the re-export in shop/__init__.py, a patch string, and a doctest.
    hashed = {(r.test, r.how) for r in model.reached_by("shop.api.hash_password")}
    assert hashed == {
        # The test requests `user`, whose override in tests/api/conftest.py calls it.
        ("tests/api/test_tokens.py::test_api_user", "via fixture `user`"),
        ("shop/api.py::shop.api.hash_password", "doctest"),
        ("tests/test_api.py::test_hash_length", "calls"),
        ("tests/test_unit.py::TestCart::test_patched_hash", "patches"),
        ("tests/test_unit.py::TestCart::test_patched_hash", "calls"),
    }
    assert model.reached_by("shop.api.not_ready") == []


def test_coverage_configuration_is_read(model: TestingModel) -> None:
    assert [e.text for e in model.excluded("shop.api.debug_dump")] == [
        "def debug_dump(path: str) -> None:  # pragma: no cover"
    ]
    assert model.configured("def __repr__(self) -> str:")
    assert not model.configured("def total(self) -> int:")
    assert model.entry_points == {"shop_plugin": "shop.plugin"}


def context(store: Store, path: str, line: int, column: int,
            findings: list[Finding] | None = None) -> HoverContext:  # fmt: skip
    facts = store.file_facts(path)
    assert facts is not None
    query: Callable[[Callable[[Store], Any]], Any] = lambda fn: fn(store)  # noqa: E731
    return HoverContext(
        uri=f"file:///{path}", path=path, line=line, column=column,
        text=(PROJECT / path).read_text(encoding="utf-8"), facts=facts, findings=findings or [],
        docs_base=None, store_query=query,
    )  # fmt: skip


def test_hover_on_a_fixture_and_on_a_parameter(store: Store) -> None:
    assert {"testing.fixtures", "testing.reach", "testing.hooks"} <= set(providers())
    on_def = hover_markdown(context(store, "tests/conftest.py", 25, 5))
    assert on_def is not None
    assert on_def.startswith("**pytest fixture `client`** · scope `function` · not autouse")
    assert "Defined in `tests/conftest.py:25`, conftest for `tests/`" in on_def
    assert "**Depends on:** `db` (tests/conftest.py:13), `user` (tests/conftest.py:20)" in on_def
    assert "- `tests/test_api.py::test_login_cases`" in on_def
    assert "**Same name elsewhere:** `tests/api/conftest.py:5`" in on_def
    # The `client` parameter of test_token (line 7): the deeper conftest's fixture.
    on_param = hover_markdown(context(store, "tests/api/test_tokens.py", 7, 30))
    assert on_param is not None
    assert "Defined in `tests/api/conftest.py:5`, conftest for `tests/api/`" in on_param
    on_builtin = hover_markdown(context(store, "tests/conftest.py", 30, 15))  # monkeypatch
    assert on_builtin == "**pytest fixture** `monkeypatch` (pytest)"
    on_hook = hover_markdown(context(store, "shop/plugin.py", 11, 5))
    assert on_hook is not None
    assert on_hook.startswith("**pytest hook `pytest_runtest_call`** · wrapper")
    assert "`pytest_plugins` in `tests/conftest.py:5`" in on_hook
    assert "entry point `pytest11` `shop_plugin`" in on_hook


def test_hover_on_a_finding_says_which_tests_reach_it(store: Store) -> None:
    ff = store.file_facts("shop/api.py")
    assert ff is not None
    findings = check_facts(ff)
    shell = next(f for f in findings if f.rule == "AUD102")
    reached = hover_markdown(context(store, "shop/api.py", shell.line, shell.column, findings))
    assert reached is not None
    assert (
        "**Reached by tests** (`shop.api.run_report`): "
        "`tests/api/test_tokens.py::test_report_runs` (calls), "
        "`tests/api/test_tokens.py::test_reports_through_a_helper` (via helper `_report_twice`), "
        "`tests/test_api.py::test_report_mocked` (calls), "
        "`tests/test_api.py::TestReports::test_patched` (patches), "
        "`tests/test_api.py::TestReports::test_patched` (calls)"
    ) in reached
    md5 = next(f for f in findings if f.rule == "AUD207")
    doctested = hover_markdown(context(store, "shop/api.py", md5.line, md5.column, findings))
    assert doctested is not None
    assert "`shop/api.py::shop.api.hash_password` (doctest)" in doctested
    # No finding under the cursor: no reach section.
    plain = hover_markdown(context(store, "shop/api.py", 43, 6, findings))
    assert plain is None or "Reached by" not in plain


def test_reach_text_for_an_untested_and_an_excluded_function(model: TestingModel) -> None:
    lonely = reach_markdown(model, "shop.api.not_ready", "def not_ready() -> None:")
    assert lonely.startswith("**Reached by no test:** no test calls or patches "
                             "`shop.api.not_ready`")  # fmt: skip
    excluded = reach_markdown(model, "shop.api.debug_dump", None)
    assert "**Excluded from coverage:** line 37 `def debug_dump" in excluded
    configured = reach_markdown(model, "shop.models.User.__repr__", "def __repr__(self) -> str:")
    assert configured.endswith(
        "**Excluded from coverage** by the workspace's `[tool.coverage.report]`: "
        "`def __repr__(self) -> str:`"
    )


# -- extractor edge cases ---------------------------------------------------------------------


def facts(source: str, path: str = "tests/test_x.py") -> list[Any]:
    ff = extract(source.encode(), path, module=path[:-3].replace("/", "."))
    assert ff.status == "ok"
    assert ff.extractor_errors == []
    return ff.facts


def test_mocker_and_patch_targets_resolve_through_imports() -> None:
    found = facts(
        "from unittest.mock import patch\n"
        "from pkg.services import Mailer as M\n"
        "import pkg.db as database\n"
        "def test_send(mocker, monkeypatch):\n"
        "    mocker.patch.object(M, 'send', return_value=True)\n"
        "    monkeypatch.setattr(database, 'connect', lambda: None)\n"
        "    with patch('pkg.api.fetch', new=lambda: 1):\n"
        "        pass\n"
    )
    doubles = [(d.kind, d.target, d.value) for d in found if isinstance(d, DoubleFact)]
    assert doubles == [
        ("patch.object", "pkg.services.Mailer.send", None),
        ("return_value", "pkg.services.Mailer.send", "True"),
        ("setattr", "pkg.db.connect", "lambda: None"),
        ("patch", "pkg.api.fetch", "lambda: 1"),
    ]


def test_patch_with_new_passes_no_mock_to_the_test() -> None:
    found = facts(
        "from unittest import mock\n"
        "@mock.patch('a.b', new=1)\n"
        "@mock.patch('a.c')\n"
        "def test_it(mock_c, tmp_path):\n"
        "    pass\n"
    )
    (test,) = [f for f in found if isinstance(f, SuiteTestFact)]
    assert test.fixtures == ("tmp_path",)


def test_parametrize_ids_indirect_and_async_fixture() -> None:
    found = facts(
        "import pytest, pytest_asyncio\n"
        "@pytest_asyncio.fixture(scope='module')\n"
        "async def conn():\n"
        "    yield 1\n"
        "@pytest.mark.parametrize('a,b', [(1, 2), (3, 4)], ids=['low', 'high'], indirect=['a'])\n"
        "def test_p(a, b, conn):\n"
        "    pass\n"
    )
    (fixture,) = [f for f in found if isinstance(f, PytestFixtureFact)]
    assert (fixture.scope, fixture.is_async, fixture.is_yield) == ("module", True, True)
    (param,) = [f for f in found if isinstance(f, PytestParametrizeFact)]
    assert (param.argnames, param.values, param.ids, param.indirect) == (
        ("a", "b"), ("(1, 2)", "(3, 4)"), ("low", "high"), True,
    )  # fmt: skip
    (test,) = [f for f in found if isinstance(f, SuiteTestFact)]
    assert test.fixtures == ("conn",)


def test_plain_asserts_count_in_test_code_only() -> None:
    app = facts("def check(x):\n    assert x > 0\n", "pkg/app.py")
    assert [f for f in app if isinstance(f, AssertionFact)] == []
    named = facts("def test_check():\n    assert not ready()\n", "pkg/app.py")
    assert [(a.compare, a.left) for a in named if isinstance(a, AssertionFact)] == [
        ("not", "ready()")
    ]
    # self.assertX on something that is not self is not an assertion.
    other = facts("def test_a(client):\n    client.assertEqual(1, 2)\n")
    assert [f for f in other if isinstance(f, AssertionFact)] == []


def test_auditls_facts_shows_the_testing_tables(capsys: pytest.CaptureFixture[str]) -> None:
    from auditls import cli

    assert cli.main(["facts", str(PROJECT / "tests" / "conftest.py"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["module"] == "tests.conftest"
    fixtures = doc["tables"]["python_pytest_fixtures"]
    assert [(f["name"], f["scope"], f["depends"]) for f in fixtures] == [
        ("db", "session", []),
        ("user", "function", ["db"]),
        ("client", "function", ["db", "user"]),
        ("reset_env", "function", ["monkeypatch"]),
    ]
    assert [p["name"] for p in doc["tables"]["python_test_plugins"]] == [
        "shop.plugin",
        "tests.helpers",
        "pytest_configure",
    ]
    assert not (PROJECT / ".auditls").exists()


def test_a_fixture_that_overrides_its_own_name_gets_the_next_one_out(
    model: TestingModel,
) -> None:
    deep = model.fixture_for("user", "tests/api/test_tokens.py")
    assert deep is not None
    assert deep.fact.qualname == "tests.api.conftest.user"
    parent = model.fixture_for("user", deep.path, None, deep.fact.qualname)
    assert parent is not None
    assert parent.fact.qualname == "tests.conftest.user"
    assert "tests/api/conftest.py::user" in model.users(parent)[1]
    assert model.dependency("user", deep.path, deep.fact.qualname) == (
        "`user` (tests/conftest.py:20)"
    )


def test_a_test_class_on_a_workspace_base_that_is_no_test_case_runs_under_pytest() -> None:
    from auditls.link import Linker

    helper = extract(b"class Helpers:\n    pass\n", "pkg/helpers.py", module="pkg.helpers")
    tests = extract(
        b"from pkg.helpers import Helpers\n\nclass TestThing(Helpers):\n"
        b"    def test_x(self, tmp_path):\n        pass\n",
        "tests/test_thing.py",
        module="tests.test_thing",
    )
    model = TestingModel(Linker.from_files([helper, tests]), None)
    assert model.cases() == []
    assert [(t.fact.framework, t.fact.fixtures) for t in model.tests] == [("pytest", ("tmp_path",))]


def test_hover_on_a_test_shows_how_it_runs_and_what_it_asserts(store: Store) -> None:
    cases = hover_markdown(context(store, "tests/test_api.py", 31, 6))
    assert cases == (
        "**pytest test `tests/test_api.py::test_login_cases`**\n\n"
        "**Fixtures:** `client` (tests/conftest.py:25)\n\n"
        "**Autouse:** `reset_env` (tests/conftest.py:30)\n\n"
        "**Parametrized** `password, expected` over 3 cases · ids bad-password: "
        '`("secret", True)`, `("wrong", False)`, `("", False)`\n\n'
        "**Marks:** `slow` (module)\n\n"
        "**Asserts (1):**\n- `login(user, password) == expected`"
    )
    props = hover_markdown(context(store, "tests/test_props.py", 10, 6))
    assert props is not None
    assert (
        "**Hypothesis `@given`** items=st.lists(st.text(min_size=1)), "
        "extra=st.integers(min_value=0) · strategies hypothesis.strategies.lists, "
        "hypothesis.strategies.text, hypothesis.strategies.integers"
    ) in props
    patched = hover_markdown(context(store, "tests/test_api.py", 49, 10))
    assert patched is not None
    assert "**Replaces:** `shop.api.run_report` (patch.object)" in patched
    unit = hover_markdown(context(store, "tests/test_unit.py", 13, 10))
    assert unit == (
        "**unittest test `tests/test_unit.py::TestCart::test_add`**\n\n"
        "**Fixture methods:** `setUpClass`, `tearDown`, `setUpModule`\n\n"
        "**Asserts (2):**\n- `assertEqual(self.cart.total(), 1)`\n"
        '- `assertIn("pear", self.cart.items)`'
    )
    # On a parameter the fixture hover answers, not the test hover.
    on_param = hover_markdown(context(store, "tests/test_api.py", 31, 24))
    assert on_param is not None
    assert on_param.startswith("**pytest fixture `client`**")


def test_a_fixture_method_serves_its_class_only_and_a_class_pragma_covers_its_methods() -> None:
    from auditls.link import Linker

    tests = extract(
        b"import pytest\n\n"
        b"@pytest.fixture\ndef conn():\n    return 1\n\n"
        b"class TestA:\n    @pytest.fixture\n    def conn(self):\n        return 2\n\n"
        b"    def test_a(self, conn):\n        pass\n\n"
        b"def test_b(conn):\n    pass\n\n"
        b"class Legacy:  # pragma: no cover\n    def old(self):\n        pass\n",
        "tests/test_cls.py",
        module="tests.test_cls",
    )
    model = TestingModel(Linker.from_files([tests]), None)
    in_class = model.fixture_for("conn", "tests/test_cls.py", "tests.test_cls.TestA")
    at_module = model.fixture_for("conn", "tests/test_cls.py")
    assert in_class is not None
    assert in_class.fact.qualname == "tests.test_cls.TestA.conn"
    assert at_module is not None
    assert at_module.fact.qualname == "tests.test_cls.conn"
    assert model.users(in_class)[0] == ["tests/test_cls.py::TestA::test_a"]
    assert model.users(at_module)[0] == ["tests/test_cls.py::test_b"]
    assert [e.line for e in model.excluded("tests.test_cls.Legacy.old")] == [18]
    assert model.excluded("tests.test_cls.LegacyOther") == []


def test_reach_text_says_with_which_inputs(model: TestingModel) -> None:
    text = reach_markdown(model, "shop.api.login", None)
    assert (
        "`tests/test_api.py::test_login_cases` (calls; with password, expected = "
        '("secret", True); ("wrong", False); ("", False))'
    ) in text
    assert "`tests/test_api.py::test_login` (calls)" in text  # no parametrize: no inputs
