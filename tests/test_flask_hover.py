"""Hover text on Flask routes, hooks and extensions, and routes as workspace symbols: the builders
below the protocol, then the registered providers with a HoverContext as the server builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditls.config import Config
from auditls.index import index_workspace
from auditls.rules import Finding
from auditls.rules.flask.judge import FlaskJudge, judge_of
from auditls.server.flask.text import (
    extension_markdown,
    hook_markdown,
    route_markdown,
    route_symbols,
)
from auditls.server.hover import HoverContext, hover_markdown, providers
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "flask"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store.open(PROJECT, persist=False) as opened:
        index_workspace(PROJECT, opened, Config(), progress=False, snapshot=False)
        yield opened


@pytest.fixture(scope="module")
def model(store: Store) -> FlaskJudge:
    return FlaskJudge.from_store(store)


def test_guarded_route(model: FlaskJudge) -> None:
    route = model.route_at("bookclub/admin/views.py", 45, 3)
    assert route is not None
    text = route_markdown(model, route)
    assert text.startswith("**Flask route** `POST /admin/users/<int:user_id>/delete`")
    assert "endpoint `admin.delete_user` · app `bookclub.create_app()`" in text
    assert (
        "**Auth:** `before_request require_admin` guard (bookclub/admin/views.py:16), "
        "checks `not current_user.is_authenticated`"
    ) in text
    assert "**Rate limit:** 100 per hour (blueprint `admin`); 200 per day, 50 per hour" in text
    assert "**CSRF:** protected (CSRFProtect)" in text
    assert "403 → `forbidden` (blueprint)" in text


def test_unguarded_route(model: FlaskJudge) -> None:
    route = model.route_at("bookclub/main/views.py", 84, 3)
    assert route is not None
    finding = Finding(
        rule="AUD101", path="bookclub/main/views.py", line=88, column=5, end_line=88,
        end_column=9, severity="error", confidence="high", cwe=95, message="eval of x",
        stmt_line=88,
    )  # fmt: skip
    text = route_markdown(model, route, [finding])
    assert "**Auth: none** (no auth decorator, no identity check in the view, no " in text
    assert "Other routes of blueprint `main` use @confirmed_required (1 of 8)" in text
    assert "**Findings in the handler:**\n- AUD101 line 88: eval of x" in text


def test_route_with_decorator_above_and_cors(model: FlaskJudge) -> None:
    join = model.route_at("bookclub/main/views.py", 95, 3)
    assert join is not None
    assert "`@login_required` is above the route decorator" in route_markdown(model, join)
    cover = model.route_at("bookclub/api/books.py", 90, 3)
    assert cover is not None
    text = route_markdown(model, cover)
    assert "**CORS:** decorator * with credentials (bookclub/api/books.py:91)" in text
    assert "init_app from `CORS_ORIGINS` with credentials" in text


def test_hook_lists_the_routes_it_guards(model: FlaskJudge) -> None:
    found = model.hook_at("bookclub/admin/views.py", 17, 5)  # the def line of the hook
    assert found is not None
    text = hook_markdown(model, *found)
    assert text.startswith("**Flask before_request** `require_admin` on blueprint `admin`")
    assert "**Checks:** `not current_user.is_authenticated` in the hook" in text
    assert "**Guards 6 routes:**" in text
    assert "- `DELETE /admin/reviews/<int:review_id>` (bookclub/admin/views.py:77)" in text


def test_hook_that_checks_nothing(model: FlaskJudge) -> None:
    found = model.hook_at("bookclub/__init__.py", 72, 6)
    assert found is not None
    text = hook_markdown(model, *found)
    assert "runs for every request of the app" in text
    assert "no identity check: it does not protect the routes below" in text
    assert "**Runs before 32 routes:**" in text  # the factory app's, not the status board's
    assert "- and 20 more" in text


def test_extension_shows_what_configures_it(model: FlaskJudge) -> None:
    found = model.extension_at("bookclub/extensions.py", 84, 5)  # login_manager.init_app(app)
    assert found is not None
    text = extension_markdown(model, *found)
    assert text.startswith("**Flask extension** `login_manager`: flask_login.LoginManager")
    assert "- bound to `bookclub.create_app()`" in text
    assert '- `login_view = "auth.login"` (bookclub/extensions.py:38)' in text
    assert "- callback `user_loader` → `load_user`" in text


def test_route_symbols(model: FlaskJudge) -> None:
    names = [s.name for s in route_symbols(model, "post admin")]
    assert names == [
        "POST /admin/books",
        "POST /admin/users/<int:user_id>/delete",
        "POST /admin/users/<int:user_id>/promote",
    ]
    everything = route_symbols(model)
    assert len({(s.name, s.path) for s in everything}) == len(everything)
    (login,) = [s for s in everything if s.name == "POST /auth/login"]
    assert (login.path, login.line, login.detail) == (
        "bookclub/auth/views.py", 19, "auth.login · bookclub.create_app()",
    )  # fmt: skip


def test_model_stands_while_no_flask_file_or_import_changes(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns(".auditls"))
    plain = root / "plain.py"
    plain.write_text("def helper(x):\n    return x\n", encoding="utf-8")
    with Store.open(root, persist=False) as store:

        def index() -> None:
            index_workspace(root, store, Config(), progress=False, snapshot=False)

        index()
        first = judge_of(store)
        assert judge_of(store) is first
        plain.write_text("def helper(x):\n    return x + 1\n", encoding="utf-8")
        index()
        assert judge_of(store) is first  # no Flask rows, the same imports
        plain.write_text("from flask import abort\n", encoding="utf-8")
        index()
        second = judge_of(store)
        assert second is not first  # an import: a re-export could have moved
        views = root / "bookclub" / "admin" / "views.py"
        views.write_text(views.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        index()
        assert judge_of(store) is not second


# -- the providers, as the server calls them -----------------------------------------------


def context(store: Store, path: str, line: int, column: int) -> HoverContext:
    facts = store.file_facts(path)
    assert facts is not None
    query: Callable[[Callable[[Store], Any]], Any] = lambda fn: fn(store)  # noqa: E731
    return HoverContext(
        uri=f"file:///{path}",
        path=path,
        line=line,
        column=column,
        text=(PROJECT / path).read_text(encoding="utf-8"),
        facts=facts,
        findings=[],
        docs_base=None,
        store_query=query,
    )


def test_providers_are_registered() -> None:
    assert {"flask.routes", "flask.hooks", "flask.extensions"} <= set(providers())


def test_hover_on_a_view_def_line_and_on_a_hook(store: Store) -> None:
    on_def = hover_markdown(context(store, "bookclub/main/views.py", 85, 6))
    assert on_def is not None
    assert on_def.startswith("**Flask route** `POST /reviews/<int:review_id>/report`")
    on_hook = hover_markdown(context(store, "bookclub/admin/views.py", 16, 3))
    assert on_hook is not None
    assert "**Guards 6 routes:**" in on_hook
    on_ext = hover_markdown(context(store, "bookclub/extensions.py", 26, 1))
    assert on_ext is not None
    assert "flask_limiter.Limiter" in on_ext
    assert hover_markdown(context(store, "bookclub/main/views.py", 1, 1)) is None


def test_hover_without_a_store_says_nothing(store: Store) -> None:
    ctx = context(store, "bookclub/main/views.py", 85, 6)
    alone = HoverContext(**{**{f: getattr(ctx, f) for f in ctx.__slots__}, "store_query": None})
    assert hover_markdown(alone) is None
