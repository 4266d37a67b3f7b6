"""The taint engine kept up to date file by file equals the engine built from scratch.

1. A mypy-style multi-step fixture (``fixtures/taint_steps``): step 1 is the project as it is;
   step N copies every ``NAME.py.N`` over ``NAME.py`` (an empty one deletes it) and re-indexes.
   After each step the taint findings are the ``# expect:`` comments of the files, and the
   functions interpreted again are exactly those the ``# resummarised:`` first lines of that
   step's files name.
2. A Hypothesis property: after random edit sequences over a small workspace, the engine
   brought up to date in place gives the same summaries, paths and clean sites as a clean one,
   and the workspace rules (over the linker kept up to date file by file) the same findings.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditls.config import load_config
from auditls.index import index_workspace
from auditls.rules import analyse, check_workspace
from auditls.store import Store
from auditls.taint import TaintEngine, save_state, taint_of
from tests.test_fixtures import expectations

REPO = Path(__file__).resolve().parent.parent
STEPS = REPO / "fixtures" / "taint_steps"
MARK = "# resummarised:"


def _steps() -> list[int]:
    return sorted({int(p.suffix[1:]) for p in STEPS.rglob("*.py.*") if p.suffix[1:].isdigit()})


def _apply_step(root: Path, step: int) -> set[str]:
    """Copy the step's files over the workspace; the functions their first lines name."""
    named: set[str] = set()
    for source in sorted(STEPS.rglob(f"*.py.{step}")):
        target = root / source.relative_to(STEPS).with_suffix("")
        text = source.read_text(encoding="utf-8")
        if not text:
            target.unlink()
            continue
        first = text.splitlines()[0]
        assert first.startswith(MARK), f"{source}: the first line must be `{MARK} ...`"
        named |= set(first[len(MARK) :].split())
        target.write_text(text, encoding="utf-8")
    return named


def _expected(root: Path) -> Counter[tuple[str, int, str]]:
    found: Counter[tuple[str, int, str]] = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for (line, code), n in expectations(path.read_text(encoding="utf-8")).items():
            found[(rel, line, code)] += n
    return found


def _same_as_clean(root: Path, engine: TaintEngine, store: Store | None = None) -> None:
    """The engine (and, with ``store``, every workspace rule over the store's linker and
    models, which are kept up to date the same way) equals one built from scratch."""
    with tempfile.TemporaryDirectory() as tmp:
        clean_root = Path(tmp) / "ws"
        shutil.copytree(root, clean_root, ignore=shutil.ignore_patterns(".auditls"))
        with Store.open(clean_root, persist=False) as clean:
            index_workspace(clean_root, clean, load_config(clean_root), progress=False)
            fresh = taint_of(clean)
            assert engine.paths() == fresh.paths()
            assert engine.summaries == fresh.summaries
            assert engine.clean_sites == fresh.clean_sites
            if store is not None:
                assert check_workspace(store) == check_workspace(clean)


def test_each_step_resummarises_what_it_touches(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(STEPS, root, ignore=shutil.ignore_patterns("*.py.*"))
    config = load_config(root)
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, config, progress=False)
        engine = taint_of(store)
        for step in [1, *_steps()]:
            named = _apply_step(root, step) if step > 1 else None
            index_workspace(root, store, config, progress=False)
            assert taint_of(store) is engine, "the engine is updated in place, not rebuilt"
            findings = analyse(store).findings
            got = Counter((f.path, f.line, f.rule) for f in findings if f.rule.startswith("AUD5"))
            want = +Counter({k: n for k, n in _expected(root).items() if k[2].startswith("AUD5")})
            assert got == want, f"step {step}"
            if named is not None:
                assert engine.last_resummarised == named, f"step {step}"
            _same_as_clean(root, engine)


# -- the property -----------------------------------------------------------------------------

NAMES = ["app/__init__.py", "app/views.py", "app/db.py", "app/util.py"]
CONTENTS = [
    "from flask import Flask\napp = Flask(__name__)\n",
    # a view passing request data to a helper of another module
    "from flask import request\nfrom app import app, db\n\n"
    "@app.get('/s')\ndef s():\n    return str(db.query(request.args['q']))\n",
    # the helper reaches a sink
    "def query(term):\n    return run('SELECT ' + term)\n\n"
    "def run(sql):\n    import sqlite3\n    return sqlite3.connect('x').execute(sql)\n",
    # the helper binds it instead
    "def query(term):\n    return run('SELECT ?', (term,))\n\n"
    "def run(sql, args=()):\n    import sqlite3\n"
    "    return sqlite3.connect('x').execute(sql, args)\n",
    # mutual recursion reaching a sink
    "import os\n\ndef ping(x, n):\n    return pong(x, n - 1) if n else os.system(x)\n\n"
    "def pong(x, n):\n    return ping(x, n)\n",
    # a view calling the recursive pair and a util
    "from flask import request\nfrom app import app\nfrom app.util import ping, clean\n\n"
    "@app.get('/p')\ndef p():\n    ping(request.args['h'], 3)\n"
    "    return clean(request.args['n'])\n",
    # util with a sanitizer
    "import html\n\ndef clean(v):\n    return html.escape(v)\n\ndef ping(x, n):\n    return x\n",
    # util returning its argument unchanged, and a redirect in a view
    "from flask import redirect, request\nfrom app import app\n\ndef clean(v):\n    return v\n\n"
    "@app.get('/r')\ndef r():\n    return redirect(clean(request.args['next']))\n",
    # util through a class hierarchy (super() runs the base's method, a command sink)
    "import os\n\nclass B:\n    def run(self, c):\n        return os.system(c)\n\n"
    "class C(B):\n    def run(self, c):\n        return super().run('x' + c)\n\n"
    "def clean(v):\n    return C().run(v)\n",
    # a closure: the nested function reads the view's local
    "import os\nfrom flask import request\nfrom app import app\n\n"
    "@app.get('/z')\ndef z():\n    c = request.args['c']\n"
    "    def inner():\n        return os.system(c)\n    return str(inner())\n",
    # a state-changing route (the Flask workspace rules judge it over the linker)
    "from flask import request\nfrom app import app\n\n"
    "@app.post('/d')\ndef d():\n    return '<b>' + request.form['x']\n",
    # a view queueing request data to a Celery task and handing it to a thread
    "import threading\nfrom flask import request\nfrom app import app\n"
    "from app.db import query\nfrom app.util import ping\n\n"
    "@app.get('/q')\ndef q():\n    query.delay(request.args['q'])\n"
    "    threading.Thread(target=ping, args=(request.args['h'], 1)).start()\n    return 'ok'\n",
    # a task bound to itself, and a thread target (both sinks)
    "import os\nfrom celery import shared_task\n\n"
    "@shared_task(bind=True)\ndef query(self, term):\n    return os.popen('grep ' + term)\n\n"
    "def ping(x, n):\n    return os.system(x)\n",
    # type aliases other modules import: a connection as a dependency, a Literal choice
    "import sqlite3\nfrom typing import Annotated, Literal\nfrom fastapi import Depends\n\n"
    "def conn():\n    return sqlite3.connect('x')\n\n"
    "Db = Annotated[sqlite3.Connection, Depends(conn)]\nOrder = Literal['a', 'b']\n",
    # ... the same names, meaning something else
    "import sqlite3\nfrom typing import Annotated\nfrom fastapi import Depends, Query\n\n"
    "def conn():\n    return sqlite3.connect('x')\n\n"
    "Db = Annotated[str, Query()]\nOrder = Annotated[str, Depends(conn)]\n",
    # a FastAPI operation typed with them (an import through the package re-exports them)
    "from fastapi import APIRouter\nfrom app.db import Db, Order\n\nr = APIRouter()\n\n"
    "@r.get('/o')\ndef o(db: Db, order: Order, q: str):\n"
    "    return db.execute('SELECT ' + order + q)\n",
    "from app.db import Db, Order\nfrom app.util import *\n",
    "",
    "def broken(:\n",
]

Edit = st.tuples(st.sampled_from(NAMES), st.sampled_from(range(len(CONTENTS))))


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(Edit, min_size=1, max_size=8), st.lists(Edit, min_size=1, max_size=6))
def test_the_engine_updated_in_place_equals_a_clean_one(
    start: list[tuple[str, int]], edits: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        for name, content in start:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(CONTENTS[content], encoding="utf-8")
        with Store.open(root, persist=False) as store:
            config = load_config(root)
            index_workspace(root, store, config, progress=False)
            engine = taint_of(store)
            engine.paths()
            for name, content in edits:
                path = root / name
                if CONTENTS[content] or not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(CONTENTS[content], encoding="utf-8")
                else:
                    path.unlink()
                index_workspace(root, store, config, progress=False)
                assert taint_of(store) is engine
                _same_as_clean(root, engine, store)


@pytest.mark.parametrize("step", _steps())
def test_every_step_file_names_what_it_resummarises(step: int) -> None:
    for source in STEPS.rglob(f"*.py.{step}"):
        text = source.read_text(encoding="utf-8")
        assert not text or text.startswith(MARK), source


def test_the_store_reads_what_the_engine_needs_and_no_more(tmp_path: Path) -> None:
    from auditls.facts.core import CallArgFact, CallFact

    (tmp_path / "a.py").write_text(
        "import subprocess\n\ndef f(x):\n    subprocess.run(x, shell=True)\n\n"
        "def g(y):\n    return len(y)\n",
        encoding="utf-8",
    )
    (tmp_path / "b.py").write_text("import os\nos.system('ls')\n", encoding="utf-8")
    with Store.open(tmp_path, persist=False) as store:
        index_workspace(tmp_path, store, load_config(tmp_path), progress=False)
        raw = store.rows_of_files(CallFact, ("function", "callee"), ["a.py"])
        assert raw == {"a.py": [("a.f", "subprocess.run"), ("a.g", "builtins.len")]}
        only_f = store.facts_of_files(CallFact, None, functions={"a.f"})
        assert [(c.function, c.callee) for c in only_f["a.py"]] == [("a.f", "subprocess.run")]
        assert set(only_f) == {"a.py"}
        shell = store.facts_where(CallArgFact, "keyword", ["shell"], ["b.py"])
        assert shell == {}
        assert [a.value for a in store.facts_where(CallArgFact, "keyword", ["shell"])["a.py"]] == [
            "true"
        ]
        with pytest.raises(ValueError, match="no `nope` field"):
            store.rows_of_files(CallFact, ("nope",))


def test_skeletons_make_the_units_whole_facts_make() -> None:
    """``Program.add_skeleton`` (a few raw columns) links every unit exactly as
    ``Program.add_file`` (whole facts) does, on every fixture project with taint flows."""
    from auditls.taint import _skeletons
    from auditls.taint.program import Program

    fixtures = STEPS.parent
    for root in (*(fixtures / n for n in ("taint", "django", "fastapi", "aiohttp")), STEPS):
        with Store.open(root, persist=False) as store:
            index_workspace(root, store, load_config(root), progress=False, snapshot=False)
            paths = sorted(store.file_states())
            light, whole = Program(()), Program(())
            for sk in _skeletons(store, paths):
                light.add_skeleton(sk)
            for path in paths:
                ff = store.file_facts(path)
                if ff is not None:
                    whole.add_file(ff, rows=False)
            assert light.units.keys() == whole.units.keys(), root
            for name, unit in light.units.items():
                other = whole.units[name]
                for key in (
                    "path", "class_name", "line", "column", "params", "refs", "field_writers",
                    "enclosing", "has_nested", "reads_source", "calls_sink", "request_as",
                ):  # fmt: skip
                    assert getattr(unit, key) == getattr(other, key), (root.name, name, key)


# -- the saved state ----------------------------------------------------------------------------


def _index(root: Path) -> Store:
    store = Store.open(root)
    index_workspace(root, store, load_config(root), progress=False)
    return store


def _saved_state(tmp_path: Path) -> tuple[Path, Path]:
    """The steps project copied, indexed and its taint state saved: its root, the state."""
    root = tmp_path / "ws"
    shutil.copytree(STEPS, root, ignore=shutil.ignore_patterns("*.py.*"))
    with _index(root) as store:
        taint_of(store).paths()
        path = save_state(store)
    assert path is not None
    return root, path


def _built_again_as_clean(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A warm start over a state it cannot use builds the engine again, equal to a clean
    one, and says why the state was not used."""
    with caplog.at_level("INFO", logger="auditls.taint"), _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert engine.resummarised > 0  # built again
        _same_as_clean(root, engine)
    assert "not used" in caplog.text


def test_a_warm_start_interprets_only_what_changed_since_the_saved_state(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(STEPS, root, ignore=shutil.ignore_patterns("*.py.*"))
    with _index(root) as store:
        taint_of(store).paths()
        saved = save_state(store)
        assert saved is not None
        assert saved.name == "taint.msgpack"
        assert save_state(store) is None  # nothing new to save at this revision
    with _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert engine.resummarised == 0, "nothing changed: nothing interpreted"
        _same_as_clean(root, engine)
    named = _apply_step(root, 3)  # the helper now binds its parameter
    with _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert engine.last_resummarised == named
        _same_as_clean(root, engine)
        assert save_state(store) is not None


@pytest.mark.parametrize(
    "damage",
    [b"", b"\x00\x01garbage", b"\x81\xa7version\x01"],  # empty, not msgpack, a header alone
    ids=["empty", "garbage", "truncated"],
)
def test_a_damaged_state_is_set_aside_with_a_message(
    damage: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, path = _saved_state(tmp_path)
    path.write_bytes(damage)
    _built_again_as_clean(root, caplog)


def test_a_state_from_other_code_is_not_used(tmp_path: Path) -> None:
    import msgpack

    root, path = _saved_state(tmp_path)
    with path.open("rb") as stream:
        objects = list(msgpack.Unpacker(stream, strict_map_key=False))
    objects[0]["digest"] = "another version"
    packer = msgpack.Packer(use_bin_type=True)
    path.write_bytes(b"".join(packer.pack(o) for o in objects))
    with _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert engine.resummarised > 0


def test_a_signal_connected_or_disconnected_in_another_file(tmp_path: Path) -> None:
    """A send reaches the receivers the Django model connects to its signal: connecting one
    in another file adds its path, disconnecting it removes it, in place as from scratch."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "views.py").write_text(
        "from django.dispatch import Signal\n\nnoted = Signal()\n\n\n"
        "def note(request):\n    noted.send(sender=None, text=request.POST['t'])\n",
        encoding="utf-8",
    )
    receivers = tmp_path / "shop" / "receivers.py"
    connected = (
        "import os\n\nfrom django.dispatch import receiver\n\nfrom shop.views import noted\n\n\n"
        "@receiver(noted)\ndef log_it(sender, text, **kwargs):\n    os.system('logger ' + text)\n"
    )
    receivers.write_text(connected.replace("@receiver(noted)\n", ""), encoding="utf-8")
    config = load_config(tmp_path)

    def sinks(engine: TaintEngine) -> set[tuple[str, int]]:
        return {(p.sink.path, p.sink.line) for p in engine.paths()}

    with Store.open(tmp_path, persist=False) as store:
        index_workspace(tmp_path, store, config, progress=False)
        engine = taint_of(store)
        assert sinks(engine) == set()
        for text, expected in ((connected, {("shop/receivers.py", 10)}), (
            connected.replace("@receiver(noted)\n", ""), set()
        )):  # fmt: skip
            receivers.write_text(text, encoding="utf-8")
            index_workspace(tmp_path, store, config, progress=False)
            assert taint_of(store) is engine
            assert sinks(engine) == expected
            _same_as_clean(tmp_path, engine)


def test_a_warm_start_of_a_django_project_builds_no_model_and_interprets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the Django and validation models told the engine is saved with it, under the
    digest of the models' inputs: a warm start whose inputs are the same gives it back
    without building the models, and interprets nothing; an edit of a file with Django facts
    builds them again, and the engine still equals a clean one."""
    from auditls.models.django import model_of

    root = tmp_path / "ws"
    shutil.copytree(REPO / "fixtures" / "django", root, ignore=shutil.ignore_patterns(".auditls"))
    with _index(root) as store:
        taint_of(store).paths()
        assert save_state(store) is not None
    built: list[Store] = []
    real = model_of.build

    def counted(store: Store) -> object:
        built.append(store)
        return real(store)

    monkeypatch.setattr(model_of, "build", counted)
    tasks = root / "shop" / "tasks.py"  # no Django facts
    tasks.write_text(tasks.read_text() + "\n# touched\n")
    with _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert built == [], "the models' inputs did not change: no model built"
        assert engine.resummarised == len(engine.last_resummarised) <= 10
        assert all(name.startswith("shop.tasks") for name in engine.last_resummarised)
        _same_as_clean(root, engine)
        assert save_state(store) is not None
    built.clear()
    urls = root / "shop" / "urls.py"
    urls.write_text(urls.read_text().replace('"labels/<str:label>/"', '"labels/<int:label>/"'))
    with _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert built == [store]
        assert "shop.views.label_page" in engine.last_resummarised
        _same_as_clean(root, engine)
