"""The FastAPI model on ``fixtures/fastapi``: routers mounted across files give full paths,
the dependencies of every level apply, and which of them authenticate; the hover text and the
workspace symbols read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditls.config import load_config
from auditls.index import index_workspace
from auditls.models.fastapi import FastAPIModel, Operation
from auditls.server.fastapi.text import operation_markdown
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "fastapi"


@pytest.fixture(scope="module")
def model() -> FastAPIModel:
    with Store.open(PROJECT, persist=False) as store:
        index_workspace(PROJECT, store, load_config(PROJECT), progress=False, snapshot=False)
        return FastAPIModel.from_store(store)


def _op(model: FastAPIModel, endpoint: str) -> Operation:
    [op] = model.operations_of(endpoint)
    return op


def test_full_paths_join_every_prefix(model: FastAPIModel) -> None:
    # app.include_router(notes.router, prefix="/api") over APIRouter(prefix="/notes")
    assert _op(model, "notes.routers.notes.search").paths == ("/api/notes/search",)
    assert _op(model, "notes.routers.notes.create").paths == ("/api/notes/",)
    # included without a prefix, a router without one
    assert _op(model, "notes.routers.pages.hello").paths == ("/hello",)
    # a router's own prefix under an include's
    assert _op(model, "notes.routers.admin.rebuild").paths == ("/admin/reports/rebuild",)
    # add_api_route on the app
    assert _op(model, "notes.main.ping").paths == ("/ping",)


def test_dependencies_of_every_level_and_which_authenticate(model: FastAPIModel) -> None:
    create = _op(model, "notes.routers.notes.create")
    assert create.dependencies == ("notes.deps.current_user", "notes.deps.get_db")
    assert create.auth == ("notes.deps.current_user",)  # depends on oauth2, raises 401
    purge = _op(model, "notes.routers.admin.purge")  # the router's dependencies=[...]
    assert purge.auth == ("notes.deps.current_user",)
    rebuild = _op(model, "notes.routers.admin.rebuild")  # the include's dependencies=[...]
    assert rebuild.auth == ("notes.deps.current_user",)
    deploy = _op(model, "notes.routers.admin.deploy")
    assert deploy.auth == ()
    assert deploy.checks_itself  # raises 403 itself
    wipe = _op(model, "notes.routers.admin.wipe")
    assert not wipe.authenticated
    assert not _op(model, "notes.routers.notes.search").auth  # get_db does not authenticate
    assert model.authenticates("notes.deps.oauth2")  # a scheme instance


def test_the_hover_says_what_applies(model: FastAPIModel) -> None:
    text = operation_markdown(model, _op(model, "notes.routers.notes.create"))
    assert "**FastAPI POST** `/api/notes/` · `notes.routers.notes.create`" in text
    assert "`current_user` (authenticates)" in text
    assert "- Authentication: by `current_user`" in text
    assert "- Request data (taint sources): `note`" in text
    text = operation_markdown(model, _op(model, "notes.routers.notes.read"))
    assert "- Parsed by FastAPI into harmless values: `note_id`" in text
    assert "- Authentication: none" in text
    text = operation_markdown(model, _op(model, "notes.routers.pages.hello"))
    assert "- The request itself: `request`" in text
