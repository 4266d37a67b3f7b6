"""What keeps a store of 14,000 files small and a warm run fast (issue 16): the working
database is SQLite's private temp database with a bounded page cache, a verified snapshot is
read in place until the first write, and module names are worked out once per directory."""

from __future__ import annotations

import os
from pathlib import Path

from auditls.extractors import module_name_for
from auditls.index.run import package_memo
from auditls.store import Store
from auditls.store import db as store_db
from tests.test_store import open_store, row_for, sample_facts, snapshot_file

REPO = Path(__file__).resolve().parent.parent


def test_the_working_database_is_private_with_a_bounded_cache(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        (name,) = [row[2] for row in store.conn.execute("PRAGMA database_list")]
        assert name == ""  # SQLite's private temp database: no file of ours, none left
        assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -store_db.CACHE_KIB
        ff = sample_facts()
        store.replace_file(row_for(ff), ff)
        assert store.file_facts(ff.path) == ff
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written without a snapshot


def test_a_snapshot_is_read_in_place_until_the_first_write(tmp_path: Path) -> None:
    first, second = sample_facts("a.py"), sample_facts("b.py")
    with open_store(tmp_path) as store:
        store.replace_file(row_for(first), first)
        store.snapshot()
    before = snapshot_file(tmp_path).read_bytes()
    with open_store(tmp_path) as store:
        assert store.load_note == "loaded"
        (name,) = [row[2] for row in store.conn.execute("PRAGMA database_list")]
        assert name == str(snapshot_file(tmp_path))  # read in place, not copied
        assert store.file_facts("a.py") == first
        store.replace_file(row_for(second), second)  # the first write: copied, then written
        (name,) = [row[2] for row in store.conn.execute("PRAGMA database_list")]
        assert name == ""
        assert [row.path for row in store.files()] == ["a.py", "b.py"]
        assert snapshot_file(tmp_path).read_bytes() == before  # untouched until a snapshot
        store.snapshot()
    with open_store(tmp_path) as again:
        assert [row.path for row in again.files()] == ["a.py", "b.py"]


def test_a_snapshot_replaced_while_read_in_place_does_not_change_the_reader(
    tmp_path: Path,
) -> None:
    first, second = sample_facts("a.py"), sample_facts("b.py")
    with open_store(tmp_path) as store:
        store.replace_file(row_for(first), first)
        store.snapshot()
    reader = open_store(tmp_path)
    try:
        with open_store(tmp_path) as writer:  # another auditls writes a new snapshot
            writer.replace_file(row_for(second), second)
            writer.snapshot()
        assert [row.path for row in reader.files()] == ["a.py"]  # the file it verified
        assert reader.file_facts("a.py") == first
    finally:
        reader.close()
    with Store.open(tmp_path, fact_types=reader.all_fact_types) as again:
        assert [row.path for row in again.files()] == ["a.py", "b.py"]


def test_module_names_once_per_directory_equal_module_name_for(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    for rel in ("pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/m.py", "pkg/plain/x.py",
                "top.py", "src/app/__init__.py", "src/app/views.py", "__init__.py"):  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n")
    for base in (root, REPO / "fixtures"):
        base = Path(os.path.realpath(base))
        memo = package_memo(base)
        files = sorted(base.rglob("*.py"))
        assert len(files) > 7
        for path in files:
            assert memo(path, base) == module_name_for(path, base), path
