"""The indexer hooks the server relies on: ``is_excluded`` (one path at a time, as the file
watcher hears of them) agrees with discovery, and ``on_progress`` reports and cancels a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditls.config import Config
from auditls.index import discover, index_workspace, is_excluded
from auditls.store import Store


def write(root: Path, rel: str, text: str = "x = 1\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root.resolve()


def test_is_excluded_agrees_with_discovery(ws: Path) -> None:
    files = [
        "app.py",
        "pkg/mod.py",
        ".venv/lib/site.py",
        "pkg/node_modules/x.py",
        "env/lib/installed.py",  # a virtual environment under another name
        "migrations/0001.py",  # [tool.auditls] exclude
        "pkg/generated/out.py",  # nested .gitignore
        "pkg/keep.py",
        "build.py",  # a file named like an excluded directory is not excluded
        "logs/debug.py",  # root .gitignore
    ]
    for rel in files:
        write(ws, rel)
    write(ws, "env/pyvenv.cfg", "home = /usr\n")
    write(ws, ".gitignore", "logs/\n")
    write(ws, "pkg/.gitignore", "generated/\n")
    config = Config(exclude=("migrations/",))
    found = discover(ws, config).files
    verdicts = {rel: is_excluded(ws, config, rel) for rel in files}
    assert verdicts == {rel: rel not in found for rel in files}
    assert sorted(found) == ["app.py", "build.py", "pkg/keep.py", "pkg/mod.py"]
    # A path that does not exist (a deleted file) is judged by its name alone.
    assert is_excluded(ws, config, "migrations/gone.py")
    assert not is_excluded(ws, config, "pkg/gone.py")


def test_on_progress_reports_every_file(ws: Path) -> None:
    for i in range(5):
        write(ws, f"m{i}.py")
    calls: list[tuple[int, int]] = []
    with Store.open(ws, persist=False) as store:
        index_workspace(ws, store, Config(), on_progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 5) for i in range(6)]


class Stop(Exception):
    pass


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_from_on_progress_cancels_the_run(ws: Path, jobs: int) -> None:
    for i in range(40):
        write(ws, f"m{i:02}.py", f"x = {i}\n")

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise Stop

    with Store.open(ws) as store:
        with pytest.raises(Stop):
            index_workspace(ws, store, Config(), jobs=jobs, on_progress=stop_after_three)
        assert len(store.files()) < 40  # nothing after the third file was written
        assert not store.snapshot_path.exists()
        report = index_workspace(ws, store, Config(), jobs=1)
        assert len(store.files()) == 40
        assert report.indexed + report.unchanged == 40
