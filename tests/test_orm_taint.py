"""What the orm model tells the taint engine: a query of a mapped SQLAlchemy model returns rows
of the database, not its arguments (``auditls.taint.orm``), as Django's queryset fetches;
the fixture project is ``fixtures/orm_api`` (its views carry the expectations)."""

from __future__ import annotations

import shutil
from pathlib import Path

from auditls.config import Config, load_config
from auditls.extractors import extract
from auditls.facts import FileFacts
from auditls.index import index_workspace
from auditls.store import Store
from auditls.taint import TaintEngine, engine_of_files, save_state, taint_of

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "orm_api"

MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Account(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
"""
VIEWS = """
from flask import Flask, request
from sqlalchemy import select
from app.models import Account, db

app = Flask(__name__)
GREETINGS = {}


@app.route("/a")
def by_id():
    account = db.session.get(Account, request.args["id"])
    return f"<h1>{account.name}</h1>"


@app.route("/b")
def by_query():
    account = db.session.query(Account).filter(Account.name.like(request.args["q"])).first()
    return f"<h1>{account.name}</h1>"


@app.route("/c")
def by_select():
    stmt = select(Account).where(Account.name.like(request.args["q"]))
    account = db.session.scalars(stmt).first()
    return f"<h1>{account.name}</h1>"


@app.route("/d")
def plain_get():
    return f"<h1>{GREETINGS.get(Account.__name__, request.args['q'])}</h1>"
"""


def _files(models: str = MODELS) -> list[FileFacts]:
    return [
        extract(models.encode(), "app/models.py", module="app.models"),
        extract(VIEWS.encode(), "app/views.py", module="app.views"),
    ]


LINES = {
    name: next(i for i, t in enumerate(VIEWS.splitlines(), 1) if t.startswith(f"def {name}("))
    for name in ("by_id", "by_query", "by_select", "plain_get")
}


def _sinks(engine: TaintEngine, path: str = "app/views.py") -> set[tuple[str, str]]:
    """(the view, the rule) of each path, by the line of the sink."""
    starts = sorted((line, name) for name, line in LINES.items())
    out: set[tuple[str, str]] = set()
    for p in engine.paths():
        if p.sink.path == path:
            name = max((s for s in starts if s[0] < p.sink.line), default=(0, "?"))[1]
            out.add((name, p.rule.code))
    return out


def test_a_query_of_a_mapped_model_returns_rows_not_its_arguments() -> None:
    engine = engine_of_files(_files())
    assert engine.program.orm_models == frozenset({"app.models.Account"})
    # `select(Account).where(...)` is a statement over the table: not the request's data
    assert _sinks(engine) == {("plain_get", "AUD505")}


def test_without_the_mapped_model_the_lookup_carries_its_arguments() -> None:
    engine = engine_of_files(_files(MODELS.replace("(db.Model)", "")))
    assert engine.program.orm_models == frozenset()
    assert ("by_id", "AUD505") in _sinks(engine)
    assert ("by_query", "AUD505") in _sinks(engine)


def test_set_orm_interprets_the_lookups_again() -> None:
    engine = engine_of_files(_files())
    assert ("by_id", "AUD505") not in _sinks(engine)
    engine.set_orm(frozenset())
    assert ("by_id", "AUD505") in _sinks(engine)
    engine.set_orm(frozenset({"app.models.Account"}))
    assert ("by_id", "AUD505") not in _sinks(engine)


def test_a_model_file_edit_updates_the_views_of_another_file(tmp_path: Path) -> None:
    root = tmp_path / "orm_api"
    shutil.copytree(FIXTURE, root)
    models = root / "api" / "models.py"
    views = (root / "api" / "views.py").read_text().splitlines()
    line = next(i for i, t in enumerate(views, 1) if "def account_by_id()" in t) + 2

    def xss(engine: TaintEngine) -> set[int]:
        return {p.sink.line for p in engine.paths() if p.sink.path == "api/views.py"
                and p.rule.code == "AUD505"}  # fmt: skip

    with Store.open(root, persist=False) as store:
        index_workspace(root, store, Config(), progress=False, snapshot=False)
        engine = taint_of(store)
        assert line not in xss(engine)
        models.write_text(models.read_text().replace("(CredentialsMixin, db.Model)", ""))
        index_workspace(root, store, Config(), progress=False, snapshot=False)
        assert taint_of(store) is engine
        assert line in xss(engine)
        with Store.open(root, persist=False) as clean:
            index_workspace(root, clean, Config(), progress=False, snapshot=False)
            fresh = taint_of(clean)
            assert engine.paths() == fresh.paths()


def test_a_warm_start_keeps_the_mapped_models(tmp_path: Path) -> None:
    """The saved state carries the mapped models its summaries were computed with: a warm
    start interprets nothing again."""
    root = tmp_path / "orm_api"
    shutil.copytree(FIXTURE, root)
    with Store.open(root) as store:
        index_workspace(root, store, load_config(root), progress=False)
        paths = taint_of(store).paths()
        assert save_state(store) is not None
    with Store.open(root) as store:
        index_workspace(root, store, load_config(root), progress=False)
        engine = taint_of(store)
        assert engine.program.orm_models == frozenset({"api.models.Account", "api.models.Tag"})
        assert engine.paths() == paths
        assert engine.resummarised == 0
