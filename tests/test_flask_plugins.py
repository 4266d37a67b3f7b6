"""A forum laid out as FlaskBB 2.x (``fixtures/flask_plugins``): a project whose package name
starts with ``flask`` is the project's, blueprints made in pluggy hook implementations are served
by the app the hook's call passes, and Flask-Allows decorators and a ``login_fresh()`` hook
guard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.index import index_workspace
from auditls.knowledge.flask import library_package
from auditls.rules.flask.judge import FlaskJudge
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "flask_plugins"


@pytest.fixture(scope="module")
def model() -> Iterator[FlaskJudge]:
    with Store.open(PROJECT, persist=False) as store:
        index_workspace(PROJECT, store, Config(), progress=False, snapshot=False)
        yield FlaskJudge.from_store(store)


def test_a_project_named_flask_something_is_the_projects() -> None:
    assert not library_package("flaskbb")
    assert not library_package("flaskr")
    assert library_package("flask")
    assert library_package("flask_login")


def test_routes_registered_in_hook_implementations_are_served(model: FlaskJudge) -> None:
    served = sorted((m.url, m.endpoint, m.app.label) for r in model.routes for m in r.mounts)
    app = "flaskforum.app.create_app()"
    assert served == [
        ("/admin/settings", "admin.settings", app),
        ("/admin/users/<int:user_id>/ban", "admin.ban", app),
        ("/board/<int:forum_id>-<slug>/subscribe", "board.subscribe", app),
        ("/board/<int:forum_id>/new", "board.new_topic", app),
        ("/board/<int:forum_id>/subscribe", "board.subscribe", app),
        ("/board/preview", "board.preview", app),
    ]
    unmarked = [r for r in model.routes if r.rule == "/archive"]
    assert len(unmarked) == 1
    assert not unmarked[0].mounts  # not a hook implementation: nothing serves it


@pytest.mark.parametrize(
    ("url", "evidence"),
    [
        ("/admin/users/<int:user_id>/ban", ["before_request check_fresh_login"]),
        ("/admin/settings", ["@allows.requires", "before_request check_fresh_login"]),
        ("/board/<int:forum_id>/new", ["@allows.requires"]),
        ("/board/<int:forum_id>/subscribe", ["@login_required"]),
        ("/board/preview", []),
    ],
)
def test_guards_of_the_forum(model: FlaskJudge, url: str, evidence: list[str]) -> None:
    found = [r for r in model.routes if any(m.url == url for m in r.mounts)]
    assert len(found) == 1
    assert [e.what for e in model.route_auth(found[0]).evidence] == evidence
