"""The findings cache (``.auditls/check-findings.json``) and the server's
(``server-findings.json``) are written like the snapshot: atomically, under the writers' lock
(``.auditls/lock``), so two auditls on one workspace never tear or interleave them (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditls import cli
from auditls.config import load_config
from auditls.rules.cache import CACHE_NAME, FileEntry, FindingsCache
from auditls.server.engine import CACHE_NAME as SERVER_CACHE
from auditls.server.engine import FolderEngine
from auditls.store.snapshot import writer_lock


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = (tmp_path / "proj").resolve()
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("from app.views import show\n")
    (root / "app" / "views.py").write_text("def show(code):\n    return eval(code)\n")
    return root


def temps(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / ".auditls").iterdir() if p.name.endswith(".tmp"))


def check(capsys: pytest.CaptureFixture[str], ws: Path) -> tuple[int, str, str]:
    code = cli.main(["check", str(ws), "--jobs", "1", "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def test_save_waits_for_no_one_and_writes_nothing_under_another_writer(tmp_path: Path) -> None:
    path = tmp_path / ".auditls" / CACHE_NAME
    path.parent.mkdir()
    cache = FindingsCache({"a.py": FileEntry(("h", "ok", "a", "v", None), [], [])})
    cache.dirty = True
    with writer_lock(path.parent):  # another auditls, in the middle of a write
        assert cache.save(path) is False
        assert not path.exists()
        assert temps(tmp_path) == []
    assert cache.dirty  # still to be written
    assert cache.save(path) is True
    assert FindingsCache.load(path).files == cache.files


def test_check_leaves_the_cache_to_the_writer_that_holds_the_lock(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(capsys, ws)[0] == 1
    path = ws / ".auditls" / CACHE_NAME
    before = path.read_bytes()
    views = ws / "app" / "views.py"
    views.write_text(views.read_text() + "\n\ndef later(code):\n    return eval(code)\n")
    with writer_lock(ws / ".auditls"):
        code, out, err = check(capsys, ws)
        assert code == 1
        assert "another auditls is writing" in err
        assert path.read_bytes() == before  # neither torn nor replaced under the lock
        assert temps(ws) == []
    code, again, err = check(capsys, ws)  # the lock is free: the cache catches up
    assert (code, again) == (1, out)
    doc = json.loads(path.read_text())
    assert [f["line"] for f in doc["files"]["app/views.py"]["findings"]] == [2, 6]


def test_the_servers_cache_is_written_under_the_lock(ws: Path) -> None:
    engine = FolderEngine(ws, load_config(ws), "utf-16", lambda rel: rel)
    path = ws / ".auditls" / SERVER_CACHE
    try:
        engine.call_blocking(engine.open, 60)
        engine.call_blocking(engine.index, 120)
        before = path.read_bytes()
        views = ws / "app" / "views.py"
        views.write_text(views.read_text() + "\n\ndef later(code):\n    return eval(code)\n")
        with writer_lock(ws / ".auditls"):  # another auditls, in the middle of a write
            engine.call_blocking(engine.index, 120)  # its snapshot stays in memory...
            assert engine.call_blocking(engine.snapshot, 60) is None
            assert "another auditls" in (engine.problem or "")
            assert path.read_bytes() == before  # ... and so does the cache
        engine.call_blocking(engine.snapshot, 60)  # the lock is free
        doc = json.loads(path.read_text())
        assert [f["line"] for f in doc["files"]["app/views.py"][1]] == [2, 6]
        assert temps(ws) == []
    finally:
        engine.call_blocking(engine.close, 60)
        engine.shutdown_thread()


def test_two_checks_at_once_keep_the_store_and_the_cache_whole(ws: Path) -> None:
    """Two real ``auditls check`` processes on one workspace, three rounds with an edit
    between: both report the same, and what is left on disk is whole and current."""
    command = [sys.executable, "-m", "auditls", "check", str(ws), "--jobs", "1", "--quiet"]
    outputs: list[str] = []
    for round_ in range(3):
        (ws / "app" / f"extra_{round_}.py").write_text(
            f"import os\n\n\ndef run_{round_}(cmd):\n    os.system(cmd)\n"
        )
        procs = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        results = [proc.communicate(timeout=120) for proc in procs]
        assert [proc.returncode for proc in procs] == [1, 1], results
        assert results[0][0] == results[1][0]
        outputs.append(results[0][0])
        assert temps(ws) == []
    assert [out.count("AUD102") for out in outputs] == [1, 2, 3]
    cache = FindingsCache.load(ws / ".auditls" / CACHE_NAME)
    assert "app/extra_2.py" in cache.files
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (1, outputs[-1])
