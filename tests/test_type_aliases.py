"""Type aliases followed across files (``models.fastapi.aliases``): the names that mean an
alias, what the FastAPI model and the taint engine make of a parameter annotated with one
imported from another module, and edits of the alias's module (incremental equals clean)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditls.config import load_config
from auditls.extractors import extract
from auditls.index import index_workspace
from auditls.models.fastapi import Alias, FastAPIModel, TypeAliases, aliases_of_facts
from auditls.store import Store
from auditls.taint import engine_of_files, save_state, taint_of
from tests.test_taint_incremental import CONTENTS, _same_as_clean

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "fastapi_deps"

SESSION = Alias("dependency", "sqlalchemy.orm.Session", "app.deps.get_db")


def test_names_follow_reexports_stars_and_aliases_of_aliases() -> None:
    defined = {
        "app.deps.SessionDep": SESSION,
        "app.deps.Order": Alias("safe", None, None),
        # `DbDep: TypeAlias = SessionDep` in another module: only a class, so the role is the
        # alias's it names.
        "app.other.DbDep": Alias("request", "app.deps.SessionDep", None),
    }
    bindings = [
        ("app.api", "Db", "app.deps.SessionDep", False),  # from app.deps import SessionDep as Db
        ("app.all", "*", "app.deps", True),  # from app.deps import *
        ("app.other", "SessionDep", "app.deps.SessionDep", False),
    ]
    types = TypeAliases(defined, bindings)
    assert types.exact("app.api.Db") == SESSION
    assert types.exact("app.all.Order") == Alias("safe", None, None)
    assert types.exact("app.other.DbDep") == SESSION
    assert types.exact("app.deps.get_db") is None
    assert types.retype("app.api.Db.execute.all") == "sqlalchemy.orm.Session.execute.all"
    assert types.retype("app.deps.Order.upper") == "app.deps.Order.upper"  # no class
    assert types.retype("app.deps.SessionDepx.execute") == "app.deps.SessionDepx.execute"
    assert types.retype("sqlalchemy.orm.Session.execute") == "sqlalchemy.orm.Session.execute"
    again = TypeAliases.of_names(types.names)
    assert again == types
    fewer = TypeAliases({"app.deps.SessionDep": SESSION}, bindings)
    assert types.changed(fewer) == {"app.deps.Order", "app.all.Order", "app.other.DbDep"}
    assert not TypeAliases({})


def test_an_alias_module_records_what_fastapi_makes_of_each_alias() -> None:
    source = (PROJECT / "app" / "api" / "deps.py").read_bytes()
    ff = extract(source, "app/api/deps.py")
    found = aliases_of_facts(ff.facts)
    assert found["app.api.deps.SessionDep"] == Alias(
        "dependency", "sqlalchemy.orm.Session", "app.api.deps.get_db"
    )
    assert found["app.api.deps.TokenDep"].dependency == "app.core.security.reusable_oauth2"
    assert found["app.api.deps.CurrentUser"].dependency == "app.api.deps.get_current_user"
    assert found["app.api.deps.Order"].role == "safe"  # a Literal
    assert found["app.api.deps.Page"].role == "safe"  # Annotated[int, Query(ge=1)]
    assert found["app.api.deps.UserAgent"].role == "request"  # Annotated[str | None, Header()]
    # Only `Annotated` imported from typing: the types extractor still records the alias.
    only = extract(
        b"from typing import Annotated\nfrom sqlalchemy.orm import Session\n"
        b"Db = Annotated[Session, 'meta']\n",
        "m.py",
    )
    assert aliases_of_facts(only.facts) == {
        "m.Db": Alias("request", "sqlalchemy.orm.Session", None)
    }


def _files(root: Path) -> list:  # type: ignore[type-arg]
    return [
        extract(p.read_bytes(), p.relative_to(root).as_posix()) for p in sorted(root.rglob("*.py"))
    ]


def test_the_fastapi_model_reads_imported_aliases() -> None:
    model = FastAPIModel.from_files(_files(PROJECT))
    by_endpoint = {op.fact.endpoint.rpartition(".")[2]: op for op in model.operations}
    assert by_endpoint["create_item"].authenticated
    assert "app.api.deps.get_current_user" in by_endpoint["create_item"].dependencies
    assert "app.api.deps.get_db" in by_endpoint["read_items"].dependencies
    assert not by_endpoint["delete_item"].authenticated
    # A dependency of another module whose parameter is the imported `CurrentUser`.
    assert by_endpoint["update_user"].authenticated


def test_the_taint_engine_reads_imported_aliases() -> None:
    engine = engine_of_files(_files(PROJECT))
    found = {(p.sink.path, p.sink.line, p.rule.code, p.confidence) for p in engine.paths()}
    items = "app/api/routes/items.py"
    assert (items, 20, "AUD501", "high") in found  # `session.execute` on a SessionDep
    assert (items, 43, "AUD507", "high") in found  # `http.get` on an HttpDep
    assert not any(line == 15 for path, line, _, _ in found if path == items)  # Order


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_editing_the_alias_module_reads_its_users_again(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(PROJECT, root)
    config = load_config(root)
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, config, progress=False)
        engine = taint_of(store)
        engine.paths()
        steps = [
            # the Literal alias becomes a plain string: `order` carries request data
            ("app/api/deps.py", 'Order = Literal["asc", "desc"]', "Order = str"),
            # the package stops re-exporting the session under another name
            ("app/api/__init__.py", "from app.api.deps import SessionDep as DbSession",
             "from sqlalchemy.orm import Session as DbSession"),
            # the session alias comes back under a new class
            ("app/api/deps.py", "SessionDep = Annotated[Session, Depends(get_db)]",
             "SessionDep = Annotated[requests.Session, Depends(get_http)]"),
        ]  # fmt: skip
        for rel, old, new in steps:
            _edit(root, rel, old, new)
            index_workspace(root, store, config, progress=False)
            assert taint_of(store) is engine
            _same_as_clean(root, engine, store)
        lines = {(p.sink.path, p.sink.line) for p in engine.paths()}
        assert ("app/api/routes/items.py", 15) in lines  # `order` is request data now


def test_a_warm_start_reads_the_users_of_an_alias_changed_since(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(PROJECT, root)
    with Store.open(root) as store:
        index_workspace(root, store, load_config(root), progress=False)
        taint_of(store).paths()
        assert save_state(store) is not None
    _edit(root, "app/api/deps.py", 'Order = Literal["asc", "desc"]', "Order = str")
    with Store.open(root) as store:
        index_workspace(root, store, load_config(root), progress=False)
        engine = taint_of(store)
        _same_as_clean(root, engine)
        assert ("app/api/routes/items.py", 15) in {
            (p.sink.path, p.sink.line) for p in engine.paths()
        }


ALIAS_NAMES = ["app/__init__.py", "app/db.py", "app/views.py", "app/util.py"]
ALIAS_CONTENTS = [
    c for c in CONTENTS if "Annotated" in c or "APIRouter" in c or "import *" in c or not c
]
# the operation again, its aliases through the package's re-export
ALIAS_CONTENTS.append(ALIAS_CONTENTS[2].replace("from app.db import", "from app import"))


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.tuples(st.sampled_from(ALIAS_NAMES), st.sampled_from(ALIAS_CONTENTS)), max_size=6),
    st.lists(
        st.tuples(st.sampled_from(ALIAS_NAMES), st.sampled_from(ALIAS_CONTENTS)),
        min_size=1,
        max_size=6,
    ),
)
def test_alias_edits_in_place_equal_a_clean_build(
    start: list[tuple[str, str]], edits: list[tuple[str, str]]
) -> None:
    """Random edits of alias modules, their users and the package re-exporting them: the
    engine brought up to date equals a clean one."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        (root / "app").mkdir(parents=True)
        for name, content in [("app/views.py", ALIAS_CONTENTS[2]), *start]:
            (root / name).write_text(content, encoding="utf-8")
        with Store.open(root, persist=False) as store:
            config = load_config(root)
            index_workspace(root, store, config, progress=False)
            engine = taint_of(store)
            engine.paths()
            for name, content in edits:
                path = root / name
                if content or not path.exists():
                    path.write_text(content, encoding="utf-8")
                else:
                    path.unlink()
                index_workspace(root, store, config, progress=False)
                assert taint_of(store) is engine
                _same_as_clean(root, engine, store)


def test_a_user_importing_the_alias_in_a_function_reads_it_again(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "db.py").write_text(ALIAS_CONTENTS[0], encoding="utf-8")
    (root / "app" / "views.py").write_text(
        "from fastapi import APIRouter\n\nr = APIRouter()\n\n\ndef install():\n"
        "    from app.db import Db, Order\n\n    @r.get('/o')\n"
        "    def o(db: Db, order: Order, q: str):\n        return db.execute('SELECT ' + order)\n",
        encoding="utf-8",
    )
    config = load_config(root)
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, config, progress=False)
        engine = taint_of(store)
        assert not engine.paths()  # `order` is a Literal
        (root / "app" / "db.py").write_text(
            "from typing import Annotated\nfrom fastapi import Query\n\n"
            "Db = Annotated[str, Query()]\nOrder = Annotated[str, Query()]\n",
            encoding="utf-8",
        )
        index_workspace(root, store, config, progress=False)
        assert taint_of(store) is engine
        _same_as_clean(root, engine, store)
        assert engine.paths()  # `order` is request data now
