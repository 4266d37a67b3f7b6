"""Incremental equals clean: after any sequence of edits, re-indexing the same store gives
exactly the rows of a fresh index of the same files (DESIGN.md, invariants)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditls.config import load_config
from auditls.extractors import all_fact_types
from auditls.index import index_workspace
from auditls.store import Store

NAMES = ["a.py", "b.py", "pkg/__init__.py", "pkg/c.py", "pkg/sub/d.py"]
CONTENTS = [
    "import subprocess\nsubprocess.run(cmd, shell=True)\n",
    "import subprocess\nsubprocess.run(cmd, shell=False)\n",  # same size as the first
    "def f(x):\n    return eval(x)\n",
    "from . import c\nc.go()\n",
    "def broken(:\n",
    "",
    "x = 1  # auditls: ignore[AUD101]\n",
    "import yaml\nyaml.load(open('f'))\n",
]

Path_ = st.sampled_from(NAMES)
Edit = st.one_of(
    st.tuples(st.just("write"), Path_, st.sampled_from(range(len(CONTENTS)))),
    st.tuples(st.just("delete"), Path_, st.just(0)),
    st.tuples(st.just("move"), Path_, st.sampled_from(range(len(NAMES)))),
    st.tuples(st.just("reindex"), st.just(""), st.sampled_from([0, 1])),
)


def dump(store: Store) -> list[tuple[object, ...]]:
    """Every row of every table, keyed by path instead of the store's internal file ids."""
    conn: sqlite3.Connection = store.conn
    rows: list[tuple[object, ...]] = []
    for path, digest, status, error in conn.execute(
        "SELECT path, hash, status, error FROM files ORDER BY path"
    ):
        rows.append(("files", path, digest, status, error))
    for fact_type in all_fact_types():
        table = fact_type.TABLE
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "file_id"]
        select = ", ".join(f't."{c}"' for c in cols)
        query = f"SELECT f.path, {select} FROM {table} t JOIN files f ON f.id = t.file_id"  # noqa: S608 - table names come from our own dataclasses
        rows.extend(sorted(((table, *r) for r in conn.execute(query)), key=repr))
    return rows


def apply(root: Path, edit: tuple[str, str, int]) -> None:
    op, name, arg = edit
    path = root / name
    if op == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CONTENTS[arg], encoding="utf-8")
    elif op == "delete" and path.exists():
        path.unlink()
    elif op == "move" and path.exists():
        target = root / NAMES[arg]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(Edit, min_size=1, max_size=12))
def test_incremental_index_equals_clean_index(edits: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        root.mkdir()
        config = load_config(root)
        store = Store.open(root)
        index_workspace(root, store, config, progress=False)
        for edit in edits:
            if edit[0] == "reindex":
                index_workspace(root, store, config, progress=False)
                if edit[2]:  # restart: reload from the snapshot, then reconcile
                    store.close()
                    store = Store.open(root)
                continue
            apply(root, edit)
        index_workspace(root, store, config, progress=False)
        incremental = dump(store)
        store.close()

        clean_root = Path(tmp) / "clean"
        shutil.copytree(root, clean_root, ignore=shutil.ignore_patterns(".auditls"))
        clean = Store.open(clean_root, persist=False)
        index_workspace(clean_root, clean, load_config(clean_root), progress=False)
        assert incremental == dump(clean)
        clean.close()
