"""One folder's store and its changes (server/engine.py), called directly on the test's thread
(the store belongs to the thread that opened it: here, this one)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.facts.core import SuppressionFact
from auditls.index import index_workspace
from auditls.server.engine import FolderEngine
from auditls.store import Store

EVAL = "def f(code):\n    return eval(code)\n"
SHELL = "import os\n\n\ndef g(cmd):\n    os.system(cmd)\n"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = (tmp_path / "ws").resolve()
    write(root, "pkg/__init__.py", "")
    write(root, "pkg/a.py", EVAL)
    write(root, "pkg/clean.py", "x = 1\n")
    write(root, "b.py", SHELL)
    return root


@pytest.fixture
def engine(ws: Path) -> Iterator[FolderEngine]:
    eng = FolderEngine(ws, Config(), "utf-16", lambda rel: f"file:///ws/{rel}")
    eng.open()
    yield eng
    eng.close()
    eng.shutdown_thread()


def rules(prepared: list[object]) -> list[str]:
    return [p.finding.rule for p in prepared]  # type: ignore[attr-defined]


def test_index_names_every_file_with_findings(engine: FolderEngine) -> None:
    progress: list[tuple[int, int]] = []
    changes = engine.index(lambda done, total: progress.append((done, total)))
    assert changes.full
    assert sorted(changes.updated) == ["b.py", "pkg/a.py"]
    assert rules(changes.updated["pkg/a.py"]) == ["AUD101"]
    assert progress[0] == (0, 4)
    assert progress[-1] == (4, 4)
    prepared = changes.updated["pkg/a.py"][0]
    assert prepared.data["lineEdit"]["newText"] == "  # auditls: ignore[AUD101]"
    assert changes.report is not None
    assert changes.report.indexed == 4
    status = engine.status()
    assert (status["files"], status["findings"]) == (4, 2)
    assert status["lastIndex"] is not None


def test_refresh_reports_changed_and_removed_files(ws: Path, engine: FolderEngine) -> None:
    engine.index()
    write(ws, "pkg/clean.py", EVAL)  # now flagged
    write(ws, "b.py", "x = 2\n")  # now clean
    (ws / "pkg" / "a.py").unlink()
    before = engine.status()["revision"]
    changes = engine.refresh([ws / "pkg" / "clean.py", ws / "b.py", ws / "pkg" / "a.py"])
    assert rules(changes.updated["pkg/clean.py"]) == ["AUD101"]
    assert changes.updated["b.py"] == []
    assert changes.removed == {"pkg/a.py"}
    assert changes.revision > before
    # Nothing changed: nothing reported, the revision stays.
    again = engine.refresh([ws / "pkg" / "clean.py"])
    assert (again.updated, again.removed, again.revision) == ({}, set(), changes.revision)


def test_a_deleted_directory_removes_its_files(ws: Path, engine: FolderEngine) -> None:
    engine.index()
    for path in sorted((ws / "pkg").iterdir(), reverse=True):
        path.unlink()
    (ws / "pkg").rmdir()
    changes = engine.refresh([ws / "pkg"])
    assert changes.removed == {"pkg/__init__.py", "pkg/a.py", "pkg/clean.py"}


def test_an_init_file_stands_for_its_directory(ws: Path, engine: FolderEngine) -> None:
    write(ws, "lib/mod.py", EVAL)
    engine.index()
    write(ws, "lib/__init__.py", "")  # lib/mod.py is now module lib.mod
    changes = engine.refresh([ws / "lib" / "__init__.py"])
    assert "lib/mod.py" in changes.updated  # re-extracted: its module name moved


def test_excluded_and_symlinked_paths_are_left_alone(
    tmp_path: Path, ws: Path, engine: FolderEngine
) -> None:
    engine.index()
    engine.set_config(Config(exclude=("generated/",)))
    write(ws, "generated/out.py", EVAL)
    outside = write(tmp_path, "outside/secret.py", EVAL)
    os.symlink(outside, ws / "link.py")
    changes = engine.refresh([ws / "generated" / "out.py", ws / "link.py", outside])
    assert (changes.updated, changes.removed) == ({}, set())


def test_cancel_stops_the_index(ws: Path, engine: FolderEngine) -> None:
    for i in range(30):
        write(ws, f"many/m{i}.py", EVAL)

    def cancel_at_start(done: int, total: int) -> None:
        engine.cancel.set()

    changes = engine.index(cancel_at_start)
    assert changes.cancelled
    assert changes.report is None
    assert not engine.indexing
    changes = engine.index()
    assert not changes.cancelled
    assert len([p for p in changes.updated if p.startswith("many/")]) == 30


def test_close_writes_the_snapshot(ws: Path) -> None:
    engine = FolderEngine(ws, Config(), "utf-8", lambda rel: rel)
    engine.open()
    engine.index()
    write(ws, "c.py", EVAL)
    engine.refresh([ws / "c.py"])  # not snapshotted yet
    engine.close()
    engine.shutdown_thread()
    with Store.open(ws) as store:
        assert store.load_note == "loaded"
        assert store.get_file("c.py") is not None


async def test_run_and_query_use_the_store_thread(ws: Path) -> None:
    engine = FolderEngine(ws, Config(), "utf-8", lambda rel: rel)
    try:
        await engine.run(engine.open)
        changes = await engine.run(engine.index)
        assert sorted(changes.updated) == ["b.py", "pkg/a.py"]
        loop = asyncio.get_running_loop()
        count = await loop.run_in_executor(None, engine.query, lambda store: len(store.files()))
        assert count == 4
        status = await engine.run(engine.status)
        assert status["store"] == str(ws / ".auditls" / "index.db")
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()


APP = (
    "from flask import Flask\nfrom flask_login import login_required\n\n"
    "from pkg.views import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n\n\n"
    '@app.post("/notes")\n@login_required\ndef add_note():\n    return ""\n'
)
VIEWS = (
    'from flask import Blueprint\n\nbp = Blueprint("views", __name__)\n\n\n'
    '@bp.post("/notes/<int:nid>/delete")\ndef delete_note(nid):\n    return ""\n'
)


def test_a_change_in_one_file_recomputes_workspace_findings_in_another(tmp_path: Path) -> None:
    root = (tmp_path / "flaskapp").resolve()
    write(root, "pkg/__init__.py", APP)
    write(root, "pkg/views.py", VIEWS)
    engine = FolderEngine(root, Config(), "utf-8", lambda rel: rel)
    engine.open()
    try:
        changes = engine.index()
        assert changes.updated == {}  # no per-file finding
        assert rules(changes.workspace["pkg/views.py"]) == ["AUD304"]
        prepared = changes.workspace["pkg/views.py"][0]
        assert prepared.data["lineEdit"]["newText"] == "  # auditls: ignore[AUD304]"
        # The app stops authenticating anywhere: views.py, unchanged, loses its finding.
        write(root, "pkg/__init__.py", APP.replace("@login_required\n", ""))
        changes = engine.refresh([root / "pkg" / "__init__.py"])
        assert changes.workspace == {"pkg/views.py": []}
        # Nothing moved: the workspace rules do not run again.
        again = engine.refresh([root / "pkg" / "__init__.py"])
        assert again.workspace == {}
    finally:
        engine.close()
        engine.shutdown_thread()


def test_a_warm_start_reuses_the_findings_cache(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = FolderEngine(ws, Config(), "utf-16", lambda rel: rel)
    first.open()
    cold = first.index()
    first.close()  # writes the snapshot and the findings cache
    first.shutdown_thread()
    assert (ws / ".auditls" / "server-findings.json").is_file()

    read: list[str] = []
    original = Store.file_facts

    def counting(self: Store, path: str) -> object:
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(Store, "file_facts", counting)
    warm = FolderEngine(ws, Config(), "utf-16", lambda rel: rel)
    warm.open()
    try:
        changes = warm.index()
        assert read == []  # no file's facts read: only suppression comments, for the edits
        assert {p: rules(v) for p, v in changes.updated.items()} == {
            p: rules(v) for p, v in cold.updated.items()
        }
        # A changed file is recomputed, not taken from the cache.
        write(ws, "pkg/clean.py", EVAL)
        read.clear()
        changes = warm.refresh([ws / "pkg" / "clean.py"])
        assert rules(changes.updated["pkg/clean.py"]) == ["AUD101"]
        assert "pkg/clean.py" in read
    finally:
        warm.close()
        warm.shutdown_thread()


def test_a_stale_or_broken_cache_is_ignored(ws: Path) -> None:
    engine = FolderEngine(ws, Config(), "utf-16", lambda rel: rel)
    engine.open()
    engine.index()
    engine.close()
    engine.shutdown_thread()
    cache = ws / ".auditls" / "server-findings.json"
    for text in ("{not json", '{"version": "other", "files": {}}'):
        cache.write_text(text)
        again = FolderEngine(ws, Config(), "utf-16", lambda rel: rel)
        again.open()
        try:
            assert sorted(again.index().updated) == ["b.py", "pkg/a.py"]
        finally:
            again.close()
            again.shutdown_thread()


def test_the_store_answers_the_engines_questions(ws: Path) -> None:
    write(ws, "s.py", "x = 1  # nosec\neval(x)  # auditls: ignore[AUD101]\n")
    write(ws, "bad.py", "def (:\n")
    with Store.open(ws, persist=False) as store:
        index_workspace(ws, store, Config(), jobs=0, progress=False)
        assert store.file_count() == 6
        states = store.file_states()
        assert sorted(states) == [row.path for row in store.files()]
        row = store.get_file("s.py")
        assert row is not None
        assert states["s.py"] == (row.hash, row.status, "s", row.extractor_version, None)
        assert states["bad.py"][1] != states["s.py"][1]  # a syntax error is a state of its own
        found = store.facts_of_files(SuppressionFact, ["s.py", "b.py", "missing.py"])["s.py"]
        assert [(f.line, f.style) for f in found] == [(1, "nosec"), (2, "auditls")]
        ff = store.file_facts("s.py")
        assert ff is not None
        assert found == ff.of(SuppressionFact)
        assert set(store.facts_of_files(SuppressionFact, ["b.py", "missing.py"])) == set()
