"""A FlaskBB-like board (``fixtures/flask_board``): routes registered through a workspace
helper are routes like any other, and a check made in a helper that a hook calls under a
condition guards only the routes that condition selects."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditls.config import Config
from auditls.extractors import extract
from auditls.index import index_workspace
from auditls.models.flask import Route
from auditls.rules.flask.judge import FlaskJudge
from auditls.server.flask.text import hook_markdown, route_markdown, route_symbols
from auditls.server.hover import HoverContext, hover_markdown
from auditls.store import Store
from auditls.taint import taint_of

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "flask_board"
VIEWS = "board/forum/views.py"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store.open(PROJECT, persist=False) as opened:
        index_workspace(PROJECT, opened, Config(), progress=False, snapshot=False)
        yield opened


@pytest.fixture(scope="module")
def model(store: Store) -> FlaskJudge:
    return FlaskJudge.from_store(store)


def _route(model: FlaskJudge, url: str) -> Route:
    found = [r for r in model.routes if any(m.url == url for m in r.mounts)]
    assert len(found) == 1, url
    return found[0]


# -- routes registered through a helper ------------------------------------------------------


def test_helper_calls_are_routes(model: FlaskJudge) -> None:
    forum = sorted(
        (m.url, "|".join(r.methods), m.endpoint, r.fact.view, r.fact.view_kind)
        for r in model.routes
        for m in r.mounts
        if m.url.startswith("/forum")
    )
    views = "board.forum.views"
    assert forum == [
        ("/forum/", "GET", "forum.index", f"{views}.ForumIndex", "class"),
        ("/forum/<int:forum_id>/topic/new", "POST", "forum.new_topic", f"{views}.NewTopic",
         "class"),
        ("/forum/markread", "POST", "forum.mark_read", f"{views}.mark_read", "function"),
        ("/forum/post/<int:post_id>/report", "POST", "forum.report_post", f"{views}.ReportView",
         "class"),
        ("/forum/topic/<int:topic_id>-<slug>/delete", "POST", "forum.delete_topic",
         f"{views}.DeleteTopic", "class"),
        ("/forum/topic/<int:topic_id>/delete", "POST", "forum.delete_topic",
         f"{views}.DeleteTopic", "class"),
        ("/forum/topic/<int:topic_id>/track", "POST", "forum.track", f"{views}.track",
         "function"),
        ("/forum/u/<name>", "GET", "forum.profile", f"{views}.profile", "function"),
    ]  # fmt: skip


def test_a_closure_over_the_blueprint(model: FlaskJudge) -> None:
    legacy = sorted(
        (m.url, r.methods, m.endpoint, r.fact.view, model.route_auth(r).protected)
        for r in model.routes
        for m in r.mounts
        if m.url.startswith("/legacy")
    )
    assert legacy == [
        ("/legacy/old-edit", ("POST",), "legacy.old_edit", "board.pages.old_edit", True),
        ("/legacy/old-post", ("POST",), "legacy.old_post", "board.pages.old_post", False),
    ]


def test_the_helper_itself_is_no_route(model: FlaskJudge) -> None:
    assert not [r for r in model.routes if r.path == "board/utils/helpers.py"]
    # describe() takes a rule and a view but never registers them
    assert not [r for r in model.routes if r.fact.callee == "board.utils.helpers.describe"]


def test_flask_register_api_recipe(model: FlaskJudge) -> None:
    route = _route(model, "/api/items")
    assert route.fact.view == "board.api.ItemAPI"
    assert route.methods == ("GET", "POST")
    assert route.mounts[0].endpoint == "api.items"
    assert route.handlers == ("board.api.ItemAPI.get", "board.api.ItemAPI.post")


@pytest.mark.parametrize(
    ("url", "protected"),
    [
        ("/forum/<int:forum_id>/topic/new", True),  # NewTopic.decorators
        ("/forum/post/<int:post_id>/report", True),  # login_required(View.as_view(...))
        ("/forum/topic/<int:topic_id>/track", True),  # @login_required on the function
        ("/forum/topic/<int:topic_id>/delete", False),
        ("/forum/markread", False),
    ],
)
def test_helper_routes_get_their_protection(model: FlaskJudge, url: str, protected: bool) -> None:
    assert model.route_auth(_route(model, url)).protected is protected


def test_helper_routes_are_symbols_and_hover(store: Store, model: FlaskJudge) -> None:
    names = {s.name for s in route_symbols(model, "forum delete")}
    assert names == {
        "POST /forum/topic/<int:topic_id>/delete",
        "POST /forum/topic/<int:topic_id>-<slug>/delete",
    }
    text = hover_markdown(context(store, VIEWS, 65, 9))  # inside register_view(forum, ...)
    assert text is not None
    assert text.startswith("**Flask route** `POST /forum/markread`")
    assert "endpoint `forum.mark_read`" in text
    # describe(forum, "/markread", mark_read) passes the same rule and view, registers nothing
    assert hover_markdown(context(store, VIEWS, 68, 9)) is None


def test_helper_routes_mark_views_for_taint(store: Store) -> None:
    units = taint_of(store).program.units
    profile = units["board.forum.views.profile"]
    assert profile.is_view
    assert profile.route_params == {"name": "flask.request.view_args"}


# -- checks made in helpers a hook calls under a condition -------------------------------------


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("/admin/users/<int:user_id>/ban", "guarded"),  # require_login() for blueprint admin
        ("/api/items", "guarded"),  # auth.require() for paths under /api, a base-class method
        ("/user/settings", "guarded"),  # require_staff() calls require_login(), no condition
        ("/mod/topics/<int:topic_id>/lock", "guarded"),  # the helper checks POST only
        ("/mod/topics/<int:topic_id>", "open"),  # ... so a DELETE is left out
        ("/pings/ping", "open"),  # log_visit() only logs
        ("/forum/markread", "open"),  # neither condition selects it
    ],
)
def test_checks_in_helpers_follow_the_call_conditions(
    model: FlaskJudge, url: str, verdict: str
) -> None:
    auth = model.route_auth(_route(model, url))
    assert ("guarded" if any(e.kind == "hook" for e in auth.evidence) else "open") == verdict


def test_the_guard_names_the_helper_and_its_condition(model: FlaskJudge) -> None:
    [hook] = [e for e in model.route_auth(_route(model, "/api/items")).evidence if e.kind == "hook"]
    assert (hook.what, hook.detail, hook.condition) == (
        "before_request gate", "g.user is None", "request.path starts with `/api`",
    )  # fmt: skip
    assert hook.via == "auth.require() (board/security.py:8)"
    [nested] = [
        e for e in model.route_auth(_route(model, "/user/settings")).evidence if e.kind == "hook"
    ]
    assert (nested.via, nested.condition) == ("checks.require_staff() (board/auth.py:14)", "")
    helpers = [(e.what, e.via) for e in model.function_guard("board.user.staff_only")]
    assert helpers == [
        ("checks.require_staff()", "board/auth.py:14"),
        ("checks.require_staff() → require_login()", "board/auth.py:8"),  # a helper's helper
    ]


def test_route_hover_says_which_helper_and_condition(model: FlaskJudge) -> None:
    text = route_markdown(model, _route(model, "/admin/users/<int:user_id>/ban"))
    assert (
        "**Auth:** `before_request gate` guard (board/gates.py:8), checks "
        "`not current_user.is_authenticated` in `require_login()` (board/auth.py:8), "
        "only when request.blueprint is `admin`"
    ) in text
    text = route_markdown(model, _route(model, "/forum/markread"))
    assert "**Auth: none** (`before_request gate` guard (board/gates.py:8)" in text
    assert "which leaves this route out" in text


def test_hook_hover_lists_only_the_routes_its_helpers_guard(model: FlaskJudge) -> None:
    [(hook, owner)] = [
        (hook, owner)
        for owner in model.apps
        for hook in owner.hooks
        if hook.fact.target_text == "gate"
    ]
    text = hook_markdown(model, hook, owner)
    assert (
        "`require_login()` in the hook (board/gates.py:11) checks "
        "`not current_user.is_authenticated` (board/auth.py:8), only when request.blueprint is "
        "`admin`"
    ) in text
    assert "**Guards 2 routes:**" in text  # the admin route and the API's


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


# -- the same, on small in-memory workspaces ---------------------------------------------------


def workspace(files: dict[str, str]) -> FlaskJudge:
    """A model of in-memory files: ``{"pkg/__init__.py": source}`` (modules from the paths)."""
    facts = []
    for path, source in files.items():
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        ff = extract(textwrap.dedent(source).encode(), path, module=module)
        assert ff.status == "ok", (path, ff.error)
        facts.append(ff)
    return FlaskJudge.from_files(facts)


CHECKS = """
    from flask import abort, current_app, request
    from flask_login import current_user


    def check_token():
        if not current_user.is_authenticated:
            abort(401)


    def check_unless_exempt():
        if getattr(current_app.view_functions.get(request.endpoint), "exempt", False):
            return None
        if not current_user.is_authenticated:
            abort(401)
"""


def test_an_early_return_of_a_helper_call_guards_what_it_selects() -> None:
    model = workspace({
        "app/checks.py": CHECKS,
        "app/__init__.py": """
            from flask import Flask, request

            from app.checks import check_token

            app = Flask(__name__)


            @app.before_request
            def gate():
                if request.path.startswith("/api"):
                    return check_token()
                return None


            @app.post("/api/items")
            def items():
                return ""


            @app.post("/web/items")
            def web_items():
                return ""
        """,
    })  # fmt: skip
    assert model.route_auth(_route(model, "/api/items")).protected
    web = model.route_auth(_route(model, "/web/items"))
    assert not web.protected
    assert [(e.what, e.condition) for e in web.skipped] == [
        ("before_request gate", "request.path starts with `/api`")
    ]


def test_a_helper_checking_under_a_condition_auditls_cannot_read_is_undecided() -> None:
    model = workspace({
        "app/checks.py": CHECKS,
        "app/__init__.py": """
            from flask import Flask

            from app import checks

            app = Flask(__name__)
            app.before_request(checks.check_unless_exempt)


            @app.post("/items")
            def items():
                return ""
        """,
    })  # fmt: skip
    auth = model.route_auth(_route(model, "/items"))
    assert not auth.evidence
    [hook] = auth.uncertain
    assert hook.condition.startswith("`getattr(current_app.view_functions.get(request.endpoint)")


def test_a_helper_forwarding_each_value_by_position() -> None:
    model = workspace({
        "app/routing.py": """
            def add(bp, rule, endpoint, view, methods):
                bp.add_url_rule(rule, endpoint, view, methods=methods)
        """,
        "app/__init__.py": """
            from flask import Blueprint, Flask

            from app.routing import add

            app = Flask(__name__)
            bp = Blueprint("shop", __name__)


            def handler():
                return ""


            add(bp, "/orders", "orders", handler, ["POST", "DELETE"])
            add(bp, ["/not-a-scalar"], "list", handler, ["POST"])
            app.register_blueprint(bp, url_prefix="/shop")
        """,
    })  # fmt: skip
    [route] = model.routes  # the list is not what `rule` forwards: no route
    assert (route.mounts[0].url, route.mounts[0].endpoint, route.methods, route.fact.view) == (
        "/shop/orders", "shop.orders", ("POST", "DELETE"), "app.handler",
    )  # fmt: skip
