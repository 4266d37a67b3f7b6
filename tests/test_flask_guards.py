"""Before_request guards that check identity only under a condition guard exactly the routes the
condition selects (``fixtures/flask_guards``), and the route hover says when."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.index import index_workspace
from auditls.rules.flask.judge import FlaskJudge
from auditls.server.flask.text import hook_markdown, route_markdown
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "flask_guards"


@pytest.fixture(scope="module")
def model() -> Iterator[FlaskJudge]:
    with Store.open(PROJECT, persist=False) as store:
        index_workspace(PROJECT, store, Config(), progress=False, snapshot=False)
        yield FlaskJudge.from_store(store)


def _route(model: FlaskJudge, url: str):  # type: ignore[no-untyped-def]
    found = [r for r in model.routes if any(m.url == url for m in r.mounts)]
    assert len(found) == 1, url
    return found[0]


@pytest.mark.parametrize(
    ("url", "guards"),
    [
        ("/catalog/wishlist", ["before_request require_login"]),
        ("/catalog/reviews", []),  # listed in PUBLIC_ENDPOINTS: the hook returns first
        ("/catalog/search", []),
        ("/billing/cards", ["before_request billing_owner", "before_request require_login"]),
        (
            "/admin/users/<int:user_id>/ban",
            ["before_request admins_only", "before_request require_login"],
        ),
        ("/hooks/stripe", []),  # blueprint webhooks is skipped; its own hook checks no identity
        ("/reports/export", []),
        ("/account/email", []),  # @require_user: a decorator, not a hook
        ("/open/feedback", []),  # a hook that loads the user and returns None denies nothing
        ("/portal/settings", ["before_request signed_in_or_login"]),  # let in first, then deny
        (
            "/account/teams/members/invite",  # request.blueprint is "account.teams.members"
            ["before_request require_login", "before_request team_member_only"],
        ),
    ],
)
def test_conditional_guards(model: FlaskJudge, url: str, guards: list[str]) -> None:
    auth = model.route_auth(_route(model, url))
    assert sorted(e.what for e in auth.evidence if e.kind == "hook") == guards


def test_conditions_are_named(model: FlaskJudge) -> None:
    auth = model.route_auth(_route(model, "/billing/cards"))
    conditions = {e.what: e.condition for e in auth.evidence}
    assert conditions["before_request billing_owner"] == (
        "request.blueprint is `billing` and request.method is `POST` or `DELETE`"
    )
    assert conditions["before_request require_login"] == (
        "request.endpoint is not `catalog.search` or `catalog.add_review` or `static` and "
        "request.blueprint is not `webhooks` or `reports` or `account` or `portal` ..."
    )


def test_undecidable_condition_is_uncertain(model: FlaskJudge) -> None:
    auth = model.route_auth(_route(model, "/reports/export"))
    assert [e.what for e in auth.uncertain] == ["before_request staff_only"]
    assert auth.uncertain[0].condition == "request.endpoint meets a condition auditls cannot read"


def test_hover_says_when_a_guard_applies(model: FlaskJudge) -> None:
    text = route_markdown(model, _route(model, "/billing/cards"))
    assert (
        "`before_request billing_owner` guard (shop/billing.py:7), checks "
        "`not current_user.is_authenticated`, only when request.blueprint is `billing` and "
        "request.method is `POST` or `DELETE`"
    ) in text
    text = route_markdown(model, _route(model, "/reports/export"))
    assert text.count("**Auth: undecided**") == 1


@pytest.mark.parametrize(
    ("url", "protected"),
    [
        ("/account/profile", False),  # jwt_required(optional=True)
        ("/account/avatar", False),  # tokens.login_required(optional=True)
        ("/account/roles", False),  # roles_required() without a role
        ("/account/prefs", False),  # verify_jwt_in_request(optional=True)
        ("/account/audit", False),  # a decorator that only logs
        ("/account/sessions", False),  # denies DELETE only
        ("/account/notes", False),  # calls the view in the branch that should deny
        ("/account/email", True),
        ("/account/keys", True),
        ("/account/export", True),  # add_url_rule(view_func=login_required(f))
        ("/account/addresses", True),  # MethodView.decorators
        ("/account/close", True),  # login_required(View.as_view(...))
    ],
)
def test_every_place_protection_comes_from(model: FlaskJudge, url: str, protected: bool) -> None:
    assert model.route_auth(_route(model, url)).protected is protected


def test_static_files_are_not_routes(model: FlaskJudge) -> None:
    auth = model.route_auth(_route(model, "/portal/settings"))
    assert auth.evidence[0].condition == (
        "request.endpoint is set and the request is not for a static file"
    )


def test_a_route_a_condition_leaves_out_is_named(model: FlaskJudge) -> None:
    auth = model.route_auth(_route(model, "/catalog/reviews"))
    assert [e.what for e in auth.skipped] == [
        "before_request require_login",
        "before_request admins_only",  # only for /admin paths
    ]
    text = route_markdown(model, _route(model, "/catalog/reviews"))
    assert "which leaves this route out" in text


def test_hook_hover_says_when_its_check_runs(model: FlaskJudge) -> None:
    found = [
        (hook, owner)
        for owner in (*model.apps, *model.blueprints)
        for hook in owner.hooks
        if hook.fact.target_text == "billing_owner"
    ]
    assert len(found) == 1
    text = hook_markdown(model, *found[0])
    assert (
        "in the hook (shop/billing.py:10), only when request.blueprint is `billing` and "
        "request.method is `POST` or `DELETE`"
    ) in text
    assert "**Guards 2 routes:**" in text


def test_an_early_return_auditls_cannot_read_makes_the_guard_undecided(model: FlaskJudge) -> None:
    auth = model.route_auth(_route(model, "/tools/run"))
    assert [e.what for e in auth.uncertain] == ["before_request login_unless_exempt"]
    assert auth.uncertain[0].condition == '`getattr(view, "login_exempt", False)` is false'


@pytest.mark.parametrize(
    ("url", "protected"),
    [
        ("/staff/shifts", True),  # Flask-Login's shape: exempt methods or LOGIN_DISABLED pass
        ("/staff/leave", True),  # if method in EXEMPT: return view(); elif LOGIN_DISABLED: ...
        ("/staff/badges", True),  # the wrapper calls a helper that aborts
        ("/staff/visits", False),  # ... a helper that only logs
        ("/staff/notes", True),  # user = session.get("user_id"); if user is None: redirect
        ("/staff/themes", False),  # theme = session.get("theme"): no identity
        ("/staff/shifts/<int:shift_id>", True),  # @deny_deletes on a DELETE route
        ("/staff/swaps", False),  # ... on a POST route
        ("/staff/sync", False),  # skipped when a header says so: undecided
        ("/staff/rota", True),  # FlaskBB: is_anonymous() or not permissions["admin"]: raise
        ("/staff/rota/draft", False),  # ... only logs
        ("/staff/roster", True),  # if current_user.is_anonymous(): raise <its own exception>
    ],
)
def test_workspace_decorators_as_real_projects_write_them(
    model: FlaskJudge, url: str, protected: bool
) -> None:
    assert model.route_auth(_route(model, url)).protected is protected


def test_a_decorator_checking_for_some_requests_says_when(model: FlaskJudge) -> None:
    auth = model.route_auth(_route(model, "/staff/leave"))
    assert [(e.what, e.condition) for e in auth.evidence] == [
        ("@login_required_403", "request.method is not `OPTIONS`")
    ]
    text = route_markdown(model, _route(model, "/staff/leave"))
    assert (
        "`@login_required_403` (shop/staff.py:30), checks `not current_user.is_authenticated` "
        "(shop/decorators.py:76), only when request.method is not `OPTIONS`"
    ) in text
    helper = model.route_auth(_route(model, "/staff/badges")).evidence
    assert [(e.what, e.condition) for e in helper] == [("@checked_by_helper", "")]  # always


def test_a_decorator_checking_under_a_condition_auditls_cannot_read_is_undecided(
    model: FlaskJudge,
) -> None:
    auth = model.route_auth(_route(model, "/staff/sync"))
    assert [(e.what, e.condition) for e in auth.uncertain] == [
        ("@login_unless_internal", '`request.headers.get("X-Internal")` is false')
    ]
    assert not model.route_auth(_route(model, "/staff/swaps")).uncertain  # DELETE only: no


@pytest.mark.parametrize(
    ("url", "guards", "condition"),
    [
        ("/orgs/<int:org_id>/invites", ["before_request org_members_only"],
         "request.view_args contains `org_id`"),  # org_id = request.view_args.get("org_id")
        ("/orgs/new", [], "request.view_args contains `org_id`"),
        ("/projects/<int:project_id>/tasks", ["before_request project_members_only"],
         "request.view_args is set and request.view_args contains `project_id`"),
        ("/projects/import", [],
         "request.view_args is set and request.view_args contains `project_id`"),
    ],
)  # fmt: skip
def test_view_args_conditions_are_decided_from_the_url(
    model: FlaskJudge, url: str, guards: list[str], condition: str
) -> None:
    auth = model.route_auth(_route(model, url))
    assert [e.what for e in auth.evidence if e.kind == "hook"] == guards
    assert not auth.uncertain
    decided = auth.evidence if guards else auth.skipped
    assert [e.condition for e in decided if e.what.endswith("_members_only")] == [condition]
