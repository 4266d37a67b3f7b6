"""The store: per-file replace, early cutoff, vanished files, schema rebuilds, atomic snapshots."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import typing
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from auditls.facts import Fact, FileFacts, all_fact_types, fact
from auditls.facts.core import (
    FACT_TYPES as CORE_FACT_TYPES,
)
from auditls.facts.core import (
    AssignmentFact,
    CallArgFact,
    CallFact,
    ClassFact,
    ContextManagerFact,
    DecoratorFact,
    FunctionFact,
    ImportFact,
    ParamFact,
    ReturnFact,
    SuppressionFact,
)
from auditls.store import FileRow, Store, StoreError
from auditls.store.schema import _column, build_schema, columns_of, schema_hash


def at(line: int, col: int = 1) -> dict[str, int]:
    return {"line": line, "col": col, "end_line": line, "end_col": col + 4}


def sample_facts(path: str = "pkg/app.py") -> FileFacts:
    """One fact of every core type, in an interleaved source order, with awkward values."""
    mod = path.removesuffix(".py").replace("/", ".")
    facts: list[Fact] = [
        ImportFact(
            **at(1),
            function=mod,
            module="subprocess",
            name="run",
            asname="r",
            bound="r",
            level=0,
            target="subprocess.run",
            is_star=False,
        ),
        ClassFact(
            **at(3),
            qualname=f"{mod}.View",
            name="View",
            bases=("flask.views.MethodView", "Mixin"),
            decorators=(),
            metaclass=None,
        ),
        FunctionFact(
            **at(4, 5),
            qualname=f"{mod}.View.get",
            name="get",
            is_async=True,
            is_lambda=False,
            class_name=f"{mod}.View",
            decorators=("functools.cache",),
            returns=None,
            is_generator=False,
        ),
        DecoratorFact(
            **at(4, 5),
            target=f"{mod}.View.get",
            target_kind="function",
            position=0,
            name="functools.cache",
            text="functools.cache",
            is_call=False,
            args=(),
        ),
        ParamFact(
            **at(5, 19),
            function=f"{mod}.View.get",
            position=1,
            name="q",
            kind="kwonly",
            annotation="str | None",
            annotation_qualname=None,
            default="'é'",
            default_kind="constant",
            default_value='"é"',
        ),
        AssignmentFact(
            **at(6, 9),
            function=f"{mod}.View.get",
            target="cmd",
            target_name="cmd",
            op="+=",
            kind="fstring",
            value=None,
            text='f"ls {q}"',
            qualname=None,
        ),
        CallFact(
            **at(7, 9),
            call_id=0,
            function=f"{mod}.View.get",
            callee="subprocess.run",
            callee_text="r",
            attr=None,
            n_args=1,
            stmt_line=7,
        ),
        CallArgFact(
            **at(7, 11),
            call_id=0,
            position=-1,
            keyword="shell",
            kind="constant",
            value="true",
            text="True",
            qualname=None,
            origin=None,
        ),
        SuppressionFact(**at(7, 30), codes=("AUD102", "AUD101"), style="auditls", malformed=None),
        ContextManagerFact(
            **at(8, 9),
            function=f"{mod}.View.get",
            manager="builtins.open",
            text="open('x')",
            is_async=False,
            as_name="f",
        ),
        ReturnFact(
            **at(9, 9),
            function=f"{mod}.View.get",
            is_yield=True,
            kind=None,
            text=None,
            qualname=None,
        ),
    ]
    return FileFacts(
        path=path, module=mod, status="ok", facts=facts, extractor_errors=["orm: boom — ü"]
    )


def row_for(facts: FileFacts, content_hash: str = "h1", **changes: object) -> FileRow:
    row = FileRow(
        path=facts.path,
        size=100,
        mtime_ns=1_700_000_000_123_456_789,
        hash=content_hash,
        status=facts.status,
        error=facts.error,
        error_line=facts.error_line,
        error_col=facts.error_col,
        extractor_version="1",
    )
    return replace(row, **changes)  # type: ignore[arg-type]


def open_store(root: Path, **kwargs: object) -> Store:
    return Store.open(root, fact_types=CORE_FACT_TYPES, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path)
    yield s
    s.close()


def snapshot_file(root: Path) -> Path:
    return root / ".auditls" / "index.db"


# -- round trips -------------------------------------------------------------------------------


def test_sample_covers_every_core_fact_type() -> None:
    assert {type(f) for f in sample_facts().facts} == set(CORE_FACT_TYPES)


def test_every_core_fact_type_round_trips(store: Store) -> None:
    ff = sample_facts()
    assert store.replace_file(row_for(ff), ff) is True
    assert store.file_facts(ff.path) == ff
    counts = store.fact_counts()
    assert set(counts) == {t.TABLE for t in CORE_FACT_TYPES}
    assert set(counts.values()) == {1}


def test_a_shrunk_page_cache_still_reads_and_writes_every_row(store: Store) -> None:
    files = [sample_facts(f"m{i}.py") for i in range(30)]
    store.replace_many((row_for(ff), ff) for ff in files)
    store.shrink_cache(kib=64)
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -64
    for ff in files:
        assert store.file_facts(ff.path) == ff
    extra = sample_facts("extra.py")
    assert store.replace_file(row_for(extra), extra) is True
    assert store.file_facts(extra.path) == extra


def test_file_rows_round_trip_sorted_by_path(store: Store) -> None:
    b, a = sample_facts("b.py"), sample_facts("a.py")
    broken = FileFacts(
        path="c.py",
        module="c",
        status="syntax_error",
        error="invalid syntax",
        error_line=3,
        error_col=7,
    )
    rows = [row_for(b), row_for(a, "h2"), row_for(broken, "h3")]
    for r, ff in zip(rows, [b, a, broken], strict=True):
        store.replace_file(r, ff)
    assert store.files() == [rows[1], rows[0], rows[2]]
    assert store.get_file("c.py") == rows[2]
    assert store.get_file("nope.py") is None
    assert store.file_facts("c.py") == broken
    assert store.file_facts("nope.py") is None


def test_rows_and_modules_of_some_scopes_and_paths(store: Store) -> None:
    paths = ["a.py", "a/x.py", "a/b/y.py", "a-b/z.py", "a0.py", "ab/w.py", "b.py"]
    for path in paths:
        store.replace_file(row_for(sample_facts(path)), sample_facts(path))
    assert [r.path for r in store.files(["a"])] == ["a/b/y.py", "a/x.py"]
    assert [r.path for r in store.files(["a.py", "ab"])] == ["a.py", "ab/w.py"]
    assert [r.path for r in store.files([""])] == sorted(paths)
    assert store.files(["nowhere"]) == []
    modules = store.file_modules()
    assert store.file_modules(["a/x.py", "gone.py"]) == {"a/x.py": modules["a/x.py"]}


def test_the_journal_says_what_changed_and_file_states_follow_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fresh() -> dict[str, tuple[object, ...]]:
        rows = store.conn.execute(
            "SELECT path, hash, status, module, extractor_version, error FROM files"
        )
        return {r[0]: tuple(r[1:]) for r in rows}

    start = store.revision
    a, b = sample_facts("a.py"), sample_facts("b.py")
    store.replace_many([(row_for(a), a), (row_for(b), b)])
    assert store.changed_since(start) == {"a.py", "b.py"}
    assert store.file_states() == fresh()
    middle = store.revision
    store.replace_file(row_for(a, "h2"), a)
    assert not store.replace_file(row_for(a, "h2"), a)  # unchanged: not a change
    store.remove_file("b.py")
    assert store.changed_since(middle) == {"a.py", "b.py"}
    assert store.changed_since(store.revision) == set()
    assert store.file_states() == fresh()  # brought up to date from the journal
    monkeypatch.setattr(Store, "JOURNAL_LIMIT", 4)
    for k in range(6):
        c = sample_facts(f"c{k}.py")
        store.replace_file(row_for(c), c)
    assert store.changed_since(start) is None  # dropped from the journal: read everything
    assert store.file_states() == fresh()


def test_file_recorded_without_facts(store: Store) -> None:
    row = FileRow(
        path="big.py",
        size=5_000_000,
        mtime_ns=1,
        hash="h",
        status="skipped",
        error="over the 1 MB size cap",
        extractor_version="1",
    )
    assert store.replace_file(row, None) is True
    assert store.get_file("big.py") == row
    assert store.file_facts("big.py") is None


# -- replace, skip, vanish ---------------------------------------------------------------------


def test_replace_drops_the_old_rows(store: Store) -> None:
    old = sample_facts()
    store.replace_file(row_for(old, "h1"), old)
    new = FileFacts(path=old.path, module=old.module, status="ok", facts=old.facts[:2])
    revision = store.revision
    assert store.replace_file(row_for(new, "h2"), new) is True
    assert store.file_facts(old.path) == new
    assert store.get_file(old.path) == row_for(new, "h2")
    assert sum(store.fact_counts().values()) == 2
    assert store.revision == revision + 1


def test_unchanged_hash_only_refreshes_size_and_mtime(store: Store) -> None:
    ff = sample_facts()
    store.replace_file(row_for(ff, "h1"), ff)
    revision = store.revision
    touched = row_for(ff, "h1", size=101, mtime_ns=5)
    other = FileFacts(path=ff.path, module=ff.module, status="ok", facts=[])
    assert store.replace_file(touched, other) is False
    assert store.file_facts(ff.path) == ff  # rows untouched
    assert store.get_file(ff.path) == touched  # size and mtime refreshed
    assert store.revision == revision


@pytest.mark.parametrize(
    "change", [{"extractor_version": "2"}, {"status": "error", "error": "unreadable"}]
)
def test_same_hash_with_new_extractor_or_status_replaces(
    store: Store, change: dict[str, str]
) -> None:
    ff = sample_facts()
    store.replace_file(row_for(ff, "h1"), ff)
    assert store.replace_file(row_for(ff, "h1", **change), None) is True
    assert store.file_facts(ff.path) is None
    assert sum(store.fact_counts().values()) == 0


def test_remove_file_cascades_to_its_facts(store: Store) -> None:
    gone, kept = sample_facts("gone.py"), sample_facts("kept.py")
    store.replace_file(row_for(gone), gone)
    store.replace_file(row_for(kept), kept)
    revision = store.revision
    assert store.remove_file("gone.py") is True
    assert store.get_file("gone.py") is None
    assert store.file_facts("kept.py") == kept
    assert set(store.fact_counts().values()) == {1}  # one of each type left: kept.py's
    assert store.revision == revision + 1
    assert store.remove_file("gone.py") is False
    assert store.revision == revision + 1


def test_replace_many_is_one_batch(store: Store) -> None:
    a, b, c = sample_facts("a.py"), sample_facts("b.py"), sample_facts("c.py")
    store.replace_file(row_for(a), a)
    revision = store.revision
    assert store.replace_many([(row_for(a), a), (row_for(b), b), (row_for(c), c)]) == 2
    assert [r.path for r in store.files()] == ["a.py", "b.py", "c.py"]
    assert store.revision == revision + 1


def test_a_failed_replace_leaves_the_old_rows(store: Store) -> None:
    @fact
    class Unregistered(Fact):
        TABLE: ClassVar[str] = "unregistered"

    ff = sample_facts()
    store.replace_file(row_for(ff, "h1"), ff)
    bad = FileFacts(path=ff.path, module=ff.module, status="ok", facts=[Unregistered(**at(1))])
    with pytest.raises(ValueError, match="Unregistered"):
        store.replace_file(row_for(bad, "h2"), bad)
    assert store.get_file(ff.path) == row_for(ff, "h1")
    assert store.file_facts(ff.path) == ff


def test_row_must_describe_the_facts(store: Store) -> None:
    ff = sample_facts()
    with pytest.raises(ValueError, match="does not describe"):
        store.replace_file(row_for(ff, path="other.py"), ff)
    assert store.files() == []


def test_sqlite_errors_become_store_errors(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.close()
    with pytest.raises(StoreError, match="store:"):
        store.files()


# -- snapshots ---------------------------------------------------------------------------------


def test_snapshot_then_reopen_gives_the_same_rows(tmp_path: Path) -> None:
    a, broken = sample_facts("a.py"), FileFacts(path="b.py", module="b", status="syntax_error")
    with open_store(tmp_path) as store:
        assert store.rebuilt is True
        store.replace_file(row_for(a), a)
        store.replace_file(row_for(broken, "hb"), broken)
        assert store.snapshot() == snapshot_file(tmp_path)
        files, counts = store.files(), store.fact_counts()
    with open_store(tmp_path) as again:
        assert again.rebuilt is False
        assert again.load_note == "loaded"
        assert again.files() == files
        assert again.fact_counts() == counts
        assert again.file_facts("a.py") == a
        assert again.file_facts("b.py") == broken
        # The loaded copy still enforces the cascade (foreign keys are per connection).
        assert again.remove_file("a.py") is True
        assert sum(again.fact_counts().values()) == 0


def test_snapshot_records_the_schema_hash(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.snapshot()
    conn = sqlite3.connect(snapshot_file(tmp_path))
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    assert version == build_schema(CORE_FACT_TYPES).hash


def test_gitignore_holds_a_star(tmp_path: Path) -> None:
    (tmp_path / ".auditls").mkdir()
    (tmp_path / ".auditls" / ".gitignore").write_text("index.db\n")
    with open_store(tmp_path) as store:
        store.snapshot()
    assert (tmp_path / ".auditls" / ".gitignore").read_text() == "*\n"


def test_snapshot_is_skipped_when_nothing_changed(tmp_path: Path) -> None:
    ff = sample_facts()
    with open_store(tmp_path) as store:
        store.replace_file(row_for(ff), ff)
        first = store.snapshot().stat().st_ino
        assert store.dirty is False
        assert store.snapshot().stat().st_ino == first
        store.replace_file(row_for(ff, mtime_ns=7), ff)  # a refresh is worth saving too
        assert store.dirty is True
        assert store.snapshot().stat().st_ino != first
        snapshot_file(tmp_path).unlink()
        assert store.snapshot().is_file()  # not dirty, but the file is gone


def test_crash_between_write_and_rename_keeps_the_old_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = sample_facts("old.py")
    with open_store(tmp_path) as store:
        store.replace_file(row_for(old), old)
        store.snapshot()
    before = snapshot_file(tmp_path).read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated crash before the rename")

    with open_store(tmp_path) as store:
        new = sample_facts("new.py")
        store.replace_file(row_for(new), new)
        store.remove_file("old.py")
        monkeypatch.setattr(os, "replace", crash)
        # A killed process would not clean up its temp file either.
        monkeypatch.setattr(os, "unlink", lambda path: None)
        with pytest.raises(StoreError, match="simulated crash"):
            store.snapshot()
        monkeypatch.undo()
        assert store.dirty is True
    leftovers = list((tmp_path / ".auditls").glob("index.db.*.tmp"))
    assert len(leftovers) == 1
    assert leftovers[0].stat().st_size > 0  # the new snapshot was written, then not renamed
    assert snapshot_file(tmp_path).read_bytes() == before
    with open_store(tmp_path) as again:
        assert again.rebuilt is False
        assert [r.path for r in again.files()] == ["old.py"]
        assert again.file_facts("old.py") == old


def test_failed_snapshot_cleans_up_its_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    with open_store(tmp_path) as store:
        store.snapshot()
        ff = sample_facts()
        store.replace_file(row_for(ff), ff)
        monkeypatch.setattr(os, "replace", fail)
        with pytest.raises(StoreError, match="disk full"):
            store.snapshot()
    names = sorted(p.name for p in (tmp_path / ".auditls").iterdir())
    assert names == [".gitignore", "index.db", "lock"]


def _write_foreign_db(path: Path, user_version: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute(f"PRAGMA user_version = {user_version}")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["garbage", "empty", "foreign", "foreign_same_version"])
def test_a_bad_index_db_is_treated_as_absent(tmp_path: Path, kind: str) -> None:
    path = snapshot_file(tmp_path)
    path.parent.mkdir()
    if kind == "garbage":
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign":
        _write_foreign_db(path, 7)
    else:
        _write_foreign_db(path, build_schema(CORE_FACT_TYPES).hash)
    with open_store(tmp_path) as store:
        assert store.rebuilt is True
        assert store.load_note.startswith("snapshot")
        assert store.files() == []
        ff = sample_facts()
        store.replace_file(row_for(ff), ff)
        store.snapshot()  # replaces the bad file
    with open_store(tmp_path) as again:
        assert again.rebuilt is False
        assert again.file_facts(ff.path) == ff


def test_a_damaged_snapshot_is_treated_as_absent(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        for i in range(200):
            ff = sample_facts(f"m{i}.py")
            store.replace_file(row_for(ff), ff)
        store.snapshot()
    path = snapshot_file(tmp_path)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 40 * page
    # Scribble inside a page near the end (fact rows, not the catalogue): the header and the
    # catalogue still read fine, so only the integrity check of the whole file can notice.
    data[-3 * page + 100 : -2 * page - 100] = b"\x5a" * (page - 200)
    path.write_bytes(bytes(data))
    with open_store(tmp_path) as again:
        assert again.rebuilt is True
        assert again.files() == []


def test_index_db_that_is_a_directory_is_absent_and_not_overwritten(tmp_path: Path) -> None:
    snapshot_file(tmp_path).mkdir(parents=True)
    with open_store(tmp_path) as store:
        assert store.rebuilt is True
        with pytest.raises(StoreError, match="cannot write snapshot"):
            store.snapshot()
    assert snapshot_file(tmp_path).is_dir()


def test_symlinked_store_dir_is_refused(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "ws", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    with open_store(elsewhere) as other:  # a valid snapshot at the link's target
        ff = sample_facts()
        other.replace_file(row_for(ff), ff)
        other.snapshot()
    (root / ".auditls").symlink_to(elsewhere / ".auditls", target_is_directory=True)
    before = snapshot_file(elsewhere).read_bytes()
    with open_store(root) as store:
        assert store.rebuilt is True  # not read through the link either
        with pytest.raises(StoreError, match="symlink"):
            store.snapshot()
    assert snapshot_file(elsewhere).read_bytes() == before


def test_symlinked_index_db_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    root = tmp_path / "ws"
    (root / ".auditls").mkdir(parents=True)
    snapshot_file(root).symlink_to(outside)
    with open_store(root) as store:
        assert store.rebuilt is True
        store.snapshot()
    assert outside.read_text() == "precious"
    assert not snapshot_file(root).is_symlink()


def test_persist_false_neither_loads_nor_writes(tmp_path: Path) -> None:
    ff = sample_facts()
    with open_store(tmp_path) as store:
        store.replace_file(row_for(ff), ff)
        store.snapshot()
    with open_store(tmp_path, persist=False) as store:
        assert store.rebuilt is True
        assert store.files() == []
        with pytest.raises(StoreError, match="persist=False"):
            store.snapshot()


# -- the schema --------------------------------------------------------------------------------


@fact
class ExtraFact(Fact):
    """A domain fact that a newer build registers."""

    TABLE: ClassVar[str] = "flask_routes"

    rule: str  # URL rule
    methods: tuple[str, ...]  # HTTP methods
    weight: float | None  # a float column, to cover REAL


@fact
class ChangedSuppression(Fact):
    """SuppressionFact with one more field: same table, new column."""

    TABLE: ClassVar[str] = "python_suppressions"

    codes: tuple[str, ...]  # rule codes named
    style: str  # comment style
    malformed: str | None  # why it is not understood
    reason: str | None  # a new column


@pytest.mark.parametrize(
    "fact_types",
    [
        (*CORE_FACT_TYPES, ExtraFact),
        tuple(ChangedSuppression if t is SuppressionFact else t for t in CORE_FACT_TYPES),
        CORE_FACT_TYPES[:-1],
    ],
    ids=["added", "changed", "removed"],
)
def test_a_schema_change_rebuilds_the_store(
    tmp_path: Path, fact_types: tuple[type[Fact], ...]
) -> None:
    ff = sample_facts()
    with open_store(tmp_path) as store:
        store.replace_file(row_for(ff), ff)
        store.snapshot()
    with Store.open(tmp_path, fact_types=fact_types) as store:
        assert store.rebuilt is True
        assert "schema" in store.load_note
        assert store.files() == []
        assert set(store.fact_counts()) == {t.TABLE for t in fact_types}
        store.snapshot()
    with Store.open(tmp_path, fact_types=fact_types) as store:
        assert store.rebuilt is False


def test_a_new_fact_type_round_trips(tmp_path: Path) -> None:
    route = ExtraFact(**at(3), rule="/admin/<id>", methods=("GET", "POST"), weight=0.5)
    bare = ExtraFact(**at(9), rule="/", methods=(), weight=None)
    ff = FileFacts(path="app.py", module="app", status="ok", facts=[route, bare])
    with Store.open(tmp_path, fact_types=(*CORE_FACT_TYPES, ExtraFact)) as store:
        store.replace_file(row_for(ff), ff)
        store.snapshot()
    with Store.open(tmp_path, fact_types=(*CORE_FACT_TYPES, ExtraFact)) as store:
        assert store.file_facts("app.py") == ff


def test_fact_tables_have_an_indexed_cascading_file_id(store: Store) -> None:
    for fact_type in CORE_FACT_TYPES:
        table = fact_type.TABLE
        fks = store.conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
        assert [(fk[2], fk[3], fk[4], fk[6]) for fk in fks] == [
            ("files", "file_id", "id", "CASCADE")
        ]
        indexed = {
            store.conn.execute(f'PRAGMA index_info("{ix[1]}")').fetchone()[2]
            for ix in store.conn.execute(f'PRAGMA index_list("{table}")')
        }
        assert "file_id" in indexed


def test_schema_hash_fits_user_version_and_ignores_order() -> None:
    forward = build_schema(CORE_FACT_TYPES).hash
    assert 0 < forward < 2**31
    assert build_schema(CORE_FACT_TYPES[::-1]).hash == forward
    assert build_schema((*CORE_FACT_TYPES, ExtraFact)).hash != forward
    assert schema_hash(["CREATE TABLE a (x)"]) != schema_hash(["CREATE TABLE a (y)"])


def test_columns_follow_the_field_types() -> None:
    kinds = {c.name: (c.sql_type, c.nullable, c.kind) for c in columns_of(ExtraFact)}
    assert kinds == {
        "line": ("INTEGER", False, "int"),
        "col": ("INTEGER", False, "int"),
        "end_line": ("INTEGER", False, "int"),
        "end_col": ("INTEGER", False, "int"),
        "rule": ("TEXT", False, "str"),
        "methods": ("TEXT", False, "strs"),
        "weight": ("REAL", True, "float"),
    }


def test_schema_rejects_what_it_cannot_store() -> None:
    @fact
    class Listy(Fact):
        TABLE: ClassVar[str] = "listy"
        items: list[str]  # not a supported type

    @fact
    class Clashing(Fact):
        TABLE: ClassVar[str] = "clashing"
        seq: int  # the store's own column

    @fact
    class Untabled(Fact):
        pass

    with pytest.raises(TypeError, match=r"Listy\.items"):
        build_schema([Listy])
    with pytest.raises(ValueError, match="seq"):
        build_schema([Clashing])
    with pytest.raises(ValueError, match="TABLE"):
        build_schema([Untabled])
    with pytest.raises(ValueError, match="both use table python_suppressions"):
        build_schema([SuppressionFact, ChangedSuppression])


def test_default_fact_types_come_from_the_extractors(tmp_path: Path) -> None:
    from auditls.extractors import all_fact_types

    with Store.open(tmp_path) as store:
        assert store.all_fact_types == tuple(all_fact_types())
        assert set(store.fact_counts()) == {t.TABLE for t in all_fact_types()}


def test_same_bytes_under_a_new_module_name_are_replaced(tmp_path: Path) -> None:
    """An __init__.py appearing beside a file changes its module, not its hash."""
    from auditls.extractors import EXTRACTOR_VERSION, extract

    data = b"import os\nos.system(x)\n"
    with Store.open(tmp_path, persist=False) as store:
        row = FileRow(
            path="m.py", size=len(data), mtime_ns=1, hash="h", status="ok",
            extractor_version=EXTRACTOR_VERSION,
        )  # fmt: skip
        assert store.replace_file(row, extract(data, "m.py", module="m"))
        assert store.replace_file(row, extract(data, "m.py", module="pkg.m"))
        facts = store.file_facts("m.py")
        assert facts is not None
        assert facts.module == "pkg.m"


def test_columns_read_from_annotations_as_written_equal_the_evaluated_ones() -> None:
    """``columns_of`` reads plain annotations (``str | None``, ``tuple[str, ...]``) without
    evaluating them; for every fact type that gives what evaluating them gives."""
    for fact_type in all_fact_types():
        hints = typing.get_type_hints(fact_type)
        evaluated = tuple(
            _column(fact_type, f.name, hints[f.name]) for f in dataclasses.fields(fact_type)
        )
        assert columns_of(fact_type) == evaluated, fact_type.__name__


def test_a_fact_is_frozen_compared_hashed_shown_and_copied_by_its_fields() -> None:
    """What ``@fact`` gives without generated code, as a frozen dataclass would."""
    import copy
    import pickle

    def call(callee: str) -> CallFact:
        return CallFact(
            line=1, col=1, end_line=1, end_col=2, call_id=0, function="m", callee=callee,
            callee_text=callee, attr=None, n_args=1, stmt_line=1,
        )  # fmt: skip

    one, same, other = call("os.system"), call("os.system"), call("os.popen")
    assert one == same
    assert hash(one) == hash(same)
    position = {"line": 1, "col": 1, "end_line": 1, "end_col": 2}
    assert one != other
    assert one != Fact(**position)
    assert Fact(**position) == Fact(**position)
    assert repr(one).startswith("CallFact(line=1, col=1, end_line=1, end_col=2, call_id=0, ")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.callee = "eval"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del one.callee  # type: ignore[misc]
    assert copy.copy(one) == one
    assert pickle.loads(pickle.dumps(one)) == one  # noqa: S301 - our own bytes
    assert replace(one, callee="os.popen", callee_text="os.popen") == other
    with pytest.raises(TypeError):
        CallFact(line=1)  # type: ignore[call-arg]
