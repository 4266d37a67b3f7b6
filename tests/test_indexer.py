"""The indexer: discovery (excludes, .gitignore, symlinks), reconciliation against the store,
bad input, worker processes, and the msgpack wire format."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from auditls.config import Config, load_config
from auditls.extractors import all_fact_types, extract
from auditls.facts import FileFacts
from auditls.facts.core import CallArgFact
from auditls.index import Discovery, IndexReport, discover, index_workspace, reconcile, workers
from auditls.store import FileRow, Store, build_schema, encode_facts, wire

RICH_SOURCE = b"""\
import subprocess as sp
from os import path as p
from . import sibling


@decorate(1, key="v")
class View(Base, metaclass=Meta):
    def get(self, cmd: str, *args, flag=False, **kw) -> int:
        with open(p.join("a", cmd)) as fh:
            data = fh.read()
        sp.run(f"ls {cmd}", shell=True)  # auditls: ignore[AUD102]
        yield data


async def main(x=(1, "two")):
    total = x + 1
    return eval(total)  # nosec
"""


def write(root: Path, rel: str, text: str | bytes = "x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root.resolve()


@pytest.fixture
def store(ws: Path) -> Iterator[Store]:
    s = Store.open(ws)
    yield s
    s.close()


def run(root: Path, store: Store, config: Config | None = None, **kw: object) -> IndexReport:
    return index_workspace(root, store, config or Config(), progress=False, **kw)  # type: ignore[arg-type]


def found(root: Path, config: Config | None = None) -> list[str]:
    return list(discover(root, config or Config()).files)


def dump(store: Store) -> tuple[list[FileRow], dict[str, FileFacts | None]]:
    rows = store.files()
    return rows, {row.path: store.file_facts(row.path) for row in rows}


# -- discovery ---------------------------------------------------------------------------------


def test_default_excludes_are_not_walked(ws: Path) -> None:
    for rel in (
        ".git/hooks/x.py",
        ".venv/lib/site.py",
        "venv/lib/site.py",
        "node_modules/pkg/x.py",
        "pkg/__pycache__/m.py",
        "build/lib/m.py",
        "dist/m.py",
        ".tox/py/m.py",
        ".nox/s/m.py",
        ".auditls/m.py",
        "pkg/sub/build/m.py",
    ):
        write(ws, rel)
    write(ws, "env311/pyvenv.cfg", "home = /usr/bin\n")  # a venv by another name
    write(ws, "env311/lib/python3.11/site-packages/requests/api.py")
    write(ws, "pkg/mod.py")
    write(ws, "pkg/notes.txt", "not python")
    write(ws, "top.py")
    assert found(ws) == ["pkg/mod.py", "top.py"]


def test_gitignore_root_and_nested(ws: Path) -> None:
    write(ws, ".gitignore", "generated/\n*_pb2.py\n/rootonly.py\nsecret.py\n")
    write(ws, "pkg/.gitignore", "local_*.py\n!local_keep.py\n!secret.py\n")
    for rel in (
        "generated/a.py",
        "pkg/generated/b.py",
        "api_pb2.py",
        "pkg/api_pb2.py",
        "rootonly.py",
        "pkg/rootonly.py",
        "secret.py",
        "pkg/secret.py",
        "pkg/local_x.py",
        "pkg/local_keep.py",
        "local_y.py",
        "pkg/mod.py",
    ):
        write(ws, rel)
    assert found(ws) == [
        "local_y.py",  # the nested .gitignore applies only below pkg/
        "pkg/local_keep.py",  # re-included by a negation
        "pkg/mod.py",
        "pkg/rootonly.py",  # "/rootonly.py" is anchored to the root
        "pkg/secret.py",  # the deeper .gitignore overrides the root's
    ]


def test_config_exclude_patterns(ws: Path) -> None:
    for rel in ("app/migrations/0001.py", "app/models.py", "scripts/tool.py", "tests/t.py"):
        write(ws, rel)
    config = Config(exclude=("migrations/", "/scripts", "tests/*.py"))
    assert found(ws, config) == ["app/models.py"]


def test_explicit_start_paths_limit_the_walk_and_are_not_excluded(ws: Path) -> None:
    write(ws, ".gitignore", "build_tools.py\n")
    write(ws, "a/one.py")
    write(ws, "b/two.py")
    write(ws, "build_tools.py")
    got = discover(ws, Config(), [ws / "a", ws / "build_tools.py"])
    assert list(got.files) == ["a/one.py", "build_tools.py"]
    assert got.scopes == ["a", "build_tools.py"]


def test_symlink_loops_end(ws: Path) -> None:
    write(ws, "pkg/mod.py")
    os.symlink(ws, ws / "pkg" / "to_root")
    os.symlink(ws / "pkg", ws / "pkg" / "to_self")
    os.symlink("loop_b", ws / "loop_a")
    os.symlink("loop_a", ws / "loop_b")
    assert found(ws) == ["pkg/mod.py"]


def test_symlinks_out_of_the_workspace_are_not_followed(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "evil.py", "import os\nos.system(input())\n")
    write(outside, "deep/more.py")
    os.symlink(outside, ws / "linked_dir")
    os.symlink(outside / "evil.py", ws / "linked_file.py")
    write(ws, "own.py")
    store = Store.open(ws)
    try:
        report = run(ws, store)
        assert [row.path for row in store.files()] == ["own.py"]
        assert report.files == 1
    finally:
        store.close()


def test_symlinks_inside_the_workspace_index_each_file_once(ws: Path) -> None:
    write(ws, "real/mod.py")
    write(ws, "other/only_via_link.py")
    write(ws, ".gitignore", "other/\n")
    os.symlink(ws / "real", ws / "alias")  # target already walked: not indexed twice
    os.symlink(ws / "real" / "mod.py", ws / "copy.py")
    os.symlink(ws / "other", ws / "shortcut")  # target ignored, the link is not: followed
    os.symlink(ws / ".venv", ws / "venv_link")  # into a default exclude: not followed
    write(ws, ".venv/lib/x.py")
    assert found(ws) == ["real/mod.py", "shortcut/only_via_link.py"]


# -- reconciliation ----------------------------------------------------------------------------


def test_second_run_with_nothing_changed_indexes_nothing(ws: Path) -> None:
    for i in range(5):
        write(ws, f"pkg/m{i}.py", f"value = {i}\n")
    store = Store.open(ws)
    try:
        first = run(ws, store)
        assert (first.files, first.indexed, first.unchanged) == (5, 5, 0)
    finally:
        store.close()
    # A new process: the snapshot is loaded, nothing is read again.
    store = Store.open(ws)
    try:
        assert not store.rebuilt
        second = run(ws, store)
        assert (second.indexed, second.unchanged, second.removed) == (0, 5, 0)
    finally:
        store.close()


def test_changed_touched_and_deleted_files(ws: Path, store: Store) -> None:
    a = write(ws, "a.py", "import os\n")
    b = write(ws, "b.py", "import sys\n")
    write(ws, "c.py", "import re\n")
    run(ws, store)
    revision = store.revision
    # Same content, another (settled, past) mtime: hashed, found equal, only the stat moves.
    st = a.stat()
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns - 5_000_000_000))
    b.write_text("import json\n", encoding="utf-8")
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns - 7_000_000_000))
    (ws / "c.py").unlink()
    report = run(ws, store)
    assert (report.indexed, report.unchanged, report.removed) == (1, 1, 1)
    row = store.get_file("a.py")
    assert row is not None
    assert row.mtime_ns == st.st_mtime_ns - 5_000_000_000
    assert store.get_file("c.py") is None
    ff = store.file_facts("b.py")
    assert ff is not None
    assert [f.module for f in ff.facts if hasattr(f, "module")] == ["json"]
    assert store.revision > revision
    # And again: everything current.
    again = run(ws, store)
    assert (again.indexed, again.unchanged) == (0, 2)


def test_a_new_extractor_version_re_extracts(
    ws: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(ws, "a.py")
    run(ws, store)
    monkeypatch.setattr(reconcile, "EXTRACTOR_VERSION", "another-version")
    report = run(ws, store)
    assert report.indexed == 1
    row = store.get_file("a.py")
    assert row is not None
    assert row.extractor_version == "another-version"


def test_files_over_the_size_cap_are_skipped_with_a_note(ws: Path, store: Store) -> None:
    write(ws, "big.py", "x = 1\n" * 100)  # 600 bytes
    write(ws, "small.py", "y = 2\n")
    report = run(ws, store, Config(max_file_size=500))
    assert (report.indexed, report.skipped) == (1, 1)
    assert [(n.path, n.kind) for n in report.notes] == [("big.py", "skipped")]
    assert "600 bytes" in report.notes[0].message
    assert "500" in report.notes[0].message
    row = store.get_file("big.py")
    assert row is not None
    assert row.status == "skipped"
    assert row.error == report.notes[0].message
    ff = store.file_facts("big.py")
    assert ff is None or ff.facts == []
    # Still skipped (and still reported) next time; raising the cap indexes it.
    assert run(ws, store, Config(max_file_size=500)).skipped == 1
    report = run(ws, store, Config(max_file_size=1000))
    assert (report.indexed, report.skipped) == (1, 0)
    row = store.get_file("big.py")
    assert row is not None
    assert row.status == "ok"


def test_non_utf8_and_nul_bytes_are_recorded(ws: Path, store: Store) -> None:
    write(ws, "latin.py", b"name = '\xe9t\xe9'\n")  # no coding cookie: not UTF-8
    write(ws, "nul.py", b"x = 1\x00\n")
    write(ws, "cookie.py", b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    write(ws, "broken.py", "def f(:\n")
    report = run(ws, store)
    assert report.indexed == 4
    assert report.errors == 0
    statuses = {row.path: (row.status, row.error is not None) for row in store.files()}
    assert statuses == {
        "broken.py": ("syntax_error", True),
        "cookie.py": ("ok", False),
        "latin.py": ("syntax_error", True),
        "nul.py": ("syntax_error", True),
    }


def test_a_file_deleted_between_discovery_and_read(
    ws: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(ws, "stays.py")
    doomed = write(ws, "doomed.py")
    run(ws, store)
    doomed.write_text("changed = True\n", encoding="utf-8")
    os.utime(doomed, ns=(0, 1))
    real_discover = discover

    def discover_then_delete(*args: object, **kw: object) -> Discovery:
        result = real_discover(*args, **kw)  # type: ignore[arg-type]
        doomed.unlink()
        return result

    monkeypatch.setattr("auditls.index.run.discover", discover_then_delete)
    report = run(ws, store)
    assert report.errors == 1
    assert [(n.path, n.kind) for n in report.notes] == [("doomed.py", "vanished")]
    assert [row.path for row in store.files()] == ["stays.py"]


def test_a_file_vanishing_between_stat_and_read(ws: Path) -> None:
    result = workers.process_file((str(ws / "gone.py"), "gone.py", "gone", None, 1000))
    assert (result.kind, result.message) == ("vanished", "vanished before it could be read")


def test_an_unreadable_file_gets_an_error_row_and_is_retried(
    ws: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(ws, "locked.py")
    write(ws, "fine.py")
    real_read = workers._read

    def deny(abs_path: str, max_size: int) -> tuple[os.stat_result, bytes | None]:
        if abs_path.endswith("locked.py"):
            raise PermissionError(13, "Permission denied")
        return real_read(abs_path, max_size)

    monkeypatch.setattr(workers, "_read", deny)
    report = run(ws, store)
    assert (report.indexed, report.errors) == (1, 1)
    assert [(n.path, n.kind, n.message) for n in report.notes] == [
        ("locked.py", "error", "cannot read: Permission denied")
    ]
    row = store.get_file("locked.py")
    assert row is not None
    assert (row.status, row.error) == (
        "error",
        "cannot read: Permission denied",
    )
    monkeypatch.setattr(workers, "_read", real_read)
    report = run(ws, store)  # same size and mtime, but an error row is always retried
    assert (report.indexed, report.errors) == (1, 0)
    row = store.get_file("locked.py")
    assert row is not None
    assert row.status == "ok"


def test_facts_the_store_rejects_give_an_error_row_not_a_crash(
    ws: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(ws, "a.py", "import os\n")
    write(ws, "b.py", "import os\n")
    real_extract = workers.extract

    def lone_surrogate(source: bytes, path: str, *, module: str | None = None) -> FileFacts:
        ff = real_extract(source, path, module=module)
        if path == "b.py":  # a string SQLite cannot encode as UTF-8
            ff.facts = [dataclasses.replace(f, module="\ud800") for f in ff.facts]
        return ff

    monkeypatch.setattr(workers, "extract", lone_surrogate)
    report = run(ws, store)
    assert (report.indexed, report.errors) == (1, 1)
    assert report.notes[0].path == "b.py"
    assert report.notes[0].message.startswith("cannot store the facts: UnicodeEncodeError")
    assert [(row.path, row.status) for row in store.files()] == [("a.py", "ok"), ("b.py", "error")]
    assert run(ws, store).errors == 1  # retried, and still reported


def test_a_fifo_is_not_read(ws: Path, store: Store) -> None:
    os.mkfifo(ws / "pipe.py")
    write(ws, "a.py")
    report = run(ws, store)  # would hang if the FIFO were opened for reading
    # Recorded as unreadable (AUD003 reports it), never silently left out.
    assert [(row.path, row.status, row.error) for row in store.files()] == [
        ("a.py", "ok", None),
        ("pipe.py", "error", "cannot read: not a regular file"),
    ]
    assert (report.files, report.errors) == (2, 1)


def test_scoped_index_leaves_other_rows_alone(ws: Path, store: Store) -> None:
    write(ws, "a/one.py")
    write(ws, "b/two.py")
    run(ws, store)
    (ws / "b" / "two.py").unlink()
    write(ws, "a/three.py")
    report = run(ws, store, paths=[ws / "a"])
    assert (report.indexed, report.removed) == (1, 0)
    assert [row.path for row in store.files()] == ["a/one.py", "a/three.py", "b/two.py"]
    assert run(ws, store).removed == 1


def test_module_names_follow_packages_and_src_layout(ws: Path, store: Store) -> None:
    write(ws, "src/pkg/__init__.py", "")
    write(ws, "src/pkg/sub/__init__.py", "")
    write(ws, "src/pkg/sub/mod.py", "import os\n")
    write(ws, "scripts/tool.py", "import os\n")
    run(ws, store)
    modules = {}
    for row in store.files():
        ff = store.file_facts(row.path)
        assert ff is not None
        modules[row.path] = ff.module
    assert modules["src/pkg/sub/mod.py"] == "pkg.sub.mod"
    assert modules["scripts/tool.py"] == "tool"


def test_a_new_init_py_renames_the_modules_next_to_it(ws: Path, store: Store) -> None:
    write(ws, "pkg/c.py", "import subprocess\n")
    write(ws, "pkg/sub/d.py", "import os\n")
    run(ws, store)
    ff = store.file_facts("pkg/c.py")
    assert ff is not None
    assert ff.module == "c"
    write(ws, "pkg/__init__.py", "")
    report = run(ws, store)
    assert (report.indexed, report.unchanged) == (2, 1)  # __init__.py and c.py; d.py is not in pkg
    ff = store.file_facts("pkg/c.py")
    assert ff is not None
    assert ff.module == "pkg.c"
    assert {f.function for f in ff.facts if hasattr(f, "function")} == {"pkg.c"}
    (ws / "pkg" / "__init__.py").unlink()
    report = run(ws, store)
    assert (report.indexed, report.removed) == (1, 1)
    ff = store.file_facts("pkg/c.py")
    assert ff is not None
    assert ff.module == "c"


def test_snapshot_written_and_progress_only_when_asked(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, "a.py")
    store = Store.open(ws)
    try:
        index_workspace(ws, store, Config())  # stderr is not a terminal here: no progress
        assert capsys.readouterr().err == ""
        assert (ws / ".auditls" / "index.db").is_file()
        assert (ws / ".auditls" / ".gitignore").read_text() == "*\n"
        write(ws, "b.py")
        index_workspace(ws, store, Config(), progress=True)
        err = capsys.readouterr().err
        # b.py is new; a.py was written under two seconds ago, so it is hashed again (racy).
        assert "indexing 2/2 files" in err
        assert err.endswith("\r\x1b[K")
    finally:
        store.close()


def test_jobs_2_gives_the_same_store_as_jobs_1(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[int | None] = []

    class SpyPool(ProcessPoolExecutor):
        def __init__(self, max_workers: int | None = None, **kw: Any) -> None:
            pools.append(max_workers)
            super().__init__(max_workers, **kw)

    # ``run_tasks`` imports the pool class when it starts one.
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", SpyPool)
    write(ws, "pkg/__init__.py", "")
    for i in range(12):
        write(ws, f"pkg/m{i}.py", RICH_SOURCE.decode().replace("View", f"View{i}"))
    write(ws, "pkg/broken.py", "def f(:\n")
    write(ws, "pkg/latin.py", b"s = '\xff'\n")
    write(ws, "pkg/big.py", "z = 0\n" * 2000)
    write(ws, "pkg/surrogate.py", 'RANGE = "\\ud800-\\udbff"\n')  # a lone surrogate in a fact
    # Written a minute ago: a file modified within the last seconds is stored with no mtime
    # (racy), and whether the first run started within them depends on the machine's load.
    past = os.stat(ws).st_mtime_ns - 60 * 10**9
    for path in ws.rglob("*.py"):
        os.utime(path, ns=(past, past))
    config = Config(max_file_size=10_000)
    results = []
    for jobs in (1, 2):
        store = Store.open(ws, persist=False)
        try:
            report = run(ws, store, config, jobs=jobs)
            assert (report.indexed + report.errors, report.skipped) == (16, 1)
            results.append(dump(store))
        finally:
            store.close()
    assert pools == [2]  # jobs=1 ran in this process, jobs=2 in two spawned workers
    assert results[0] == results[1]
    _rows, facts = results[0]
    assert sum(len(ff.facts) for ff in facts.values() if ff is not None) > 12 * 20


def test_jobs_fall_back_to_this_process_when_workers_cannot_start(
    ws: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool(*args: object, **kw: object) -> None:
        raise PermissionError(38, "Function not implemented")  # sem_open in some sandboxes

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    for i in range(4):
        write(ws, f"m{i}.py")
    report = run(ws, store, jobs=2)
    assert (report.indexed, report.errors) == (4, 0)


def test_jobs_automatic_uses_this_process_for_small_batches() -> None:
    assert workers.workers_for(0, 10) == 1
    assert workers.workers_for(3, 10) == 3
    assert workers.workers_for(4, 2) == 2
    assert workers.workers_for(0, workers.AUTO_JOBS_MIN_FILES) >= 1


def test_worker_chunk_round_trips_through_msgpack(ws: Path) -> None:
    a = write(ws, "a.py", RICH_SOURCE)
    tasks: list[workers.Task] = [
        (str(a), "a.py", "a", None, 10_000),
        (str(ws / "nope.py"), "nope.py", "n", None, 1),
    ]
    direct = [workers.process_file(t) for t in tasks]
    shipped = workers._decode_chunk(workers._work_chunk(tasks))
    assert [(r.rel, r.kind, r.size, r.hash, r.message) for r in shipped] == [
        (r.rel, r.kind, r.size, r.hash, r.message) for r in direct
    ]
    assert direct[0].kind == "extracted"
    assert direct[1].kind == "vanished"
    # Facts travel in the store's column encoding, ready to insert as they are.
    assert isinstance(direct[0].facts, FileFacts)
    expected = encode_facts(build_schema(all_fact_types()), direct[0].facts)
    assert shipped[0].facts == expected
    assert shipped[1].facts is None


# -- wire --------------------------------------------------------------------------------------


def test_wire_round_trip_keeps_every_fact() -> None:
    ff = extract(RICH_SOURCE, "pkg/view.py", module="pkg.view")
    assert ff.status == "ok"
    assert len({f.TABLE for f in ff.facts}) >= 8
    back = wire.decode(wire.encode(ff))
    assert back == ff
    assert all(type(a) is type(b) for a, b in zip(back.facts, ff.facts, strict=True))


def test_wire_round_trip_of_a_syntax_error() -> None:
    ff = extract(b"def f(:\n", "bad.py", module="bad")
    back = wire.decode(wire.encode(ff))
    assert back == ff
    assert back.status == "syntax_error"
    assert back.error_line == 1


def test_wire_carries_lone_surrogates() -> None:
    ff = extract(b's = "\\ud800"\n', "u.py", module="u")
    bad = FileFacts(path="u.py", module="u\udc80", status="ok", facts=ff.facts)
    assert wire.decode(wire.encode(bad)) == bad


def test_wire_rejects_garbage() -> None:
    ff = extract(b"import os\n", "a.py", module="a")
    obj = wire.facts_to_obj(ff)
    obj[-1][0][0] = "no_such_table"
    with pytest.raises(wire.WireError, match="no_such_table"):
        wire.facts_from_obj(obj)
    with pytest.raises(wire.WireError):
        wire.decode(b"\xc1")
    with pytest.raises(wire.WireError, match="wire version"):
        wire.facts_from_obj([99, *obj[1:]])


def test_a_just_written_file_is_hashed_again_even_with_the_same_size_and_mtime(
    tmp_path: Path,
) -> None:
    """Racy timestamps: two same-size writes within one mtime tick must not look unchanged."""
    target = tmp_path / "a.py"
    target.write_text("import os\nos.system(a)\n")
    config = load_config(tmp_path)
    with Store.open(tmp_path, persist=False) as store:
        index_workspace(tmp_path, store, config, progress=False)
        first = os.stat(target)
        target.write_text("import os\nos.system(b)\n")  # same size
        os.utime(
            target, ns=(first.st_atime_ns, first.st_mtime_ns)
        )  # same mtime, as on a coarse clock
        report = index_workspace(tmp_path, store, config, progress=False)
        assert report.indexed == 1
        facts = store.file_facts("a.py")
        assert facts is not None
        assert [a.text for a in facts.of(CallArgFact)] == ["b"]
