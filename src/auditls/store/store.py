"""The fact store: per-file facts in a private SQLite database (hot pages in memory), snapshotted
to disk.

How it works:

1. **Layout.** ``schema.py`` generates one table per fact type from the dataclass fields, plus a
   ``files`` table (path relative to the workspace root, size, mtime_ns, content hash, parse status
   and error, extractor version). Every fact row carries ``file_id`` referencing ``files(id)``
   ``ON DELETE CASCADE``, so deleting a file's row deletes its facts. ``PRAGMA user_version`` holds
   a hash of the layout.
2. **Open.** Queries run against a private working database: SQLite's temporary database
   (``memory_connection``), its hot pages in a bounded page cache (``CACHE_KIB``), the rest in
   a temp file SQLite deletes itself, so memory does not grow with the workspace. If
   ``<root>/.auditls/index.db`` is a regular file whose ``user_version`` matches, whose
   checksum holds (``snapshot.py``: every byte is one our writer sealed, so no ``quick_check``
   reads it all again) and whose tables are exactly ours, it is read in place (read-only) and
   copied into the working database with the backup API at the first write: a run that
   changes nothing (a warm ``check``) never copies it. Anything else leaves an empty store
   with ``rebuilt = True`` and a ``load_note`` saying why: the store only caches derived data,
   so rebuilding is always correct; a damaged, truncated or foreign file is set aside as
   ``index.db.corrupt``. Temp files of writers that died are removed first.
3. **Write.** ``replace_file`` runs one transaction per file: if the stored row has the same hash,
   extractor version and status, only size/mtime are refreshed and nothing else happens (the
   early cutoff); otherwise the old ``files`` row is deleted (its facts go with it) and the new row
   and facts are inserted. ``remove_file`` deletes a vanished file the same way. ``revision``
   counts the changes to facts, so callers can drop results computed against an older revision.
4. **Snapshot.** ``snapshot`` takes the writers' lock (``.auditls/lock``; when another auditls
   holds it, ``StoreBusy`` and nothing is written), copies the working database with the backup
   API into a fresh temp file in ``.auditls/``, seals it with its checksum, fsyncs it,
   ``os.replace``s it over ``index.db`` and fsyncs the directory. A one-shot run
   (``Store.open(beside=True)``: ``auditls check`` and ``index``) skips both SQLite copies: its
   first write copies the snapshot *file* in the kernel into ``index.db.*.work.tmp`` beside it
   (held by a ``flock`` so that start-up never takes it for a leftover) and works there;
   ``snapshot`` seals that file, fsyncs and renames it. A rename is atomic, so a crash
   at any point leaves the old snapshot or the new one, never a torn one; a leftover temp file
   is never read. Nothing is written when nothing changed since the load or the last snapshot.
   ``.auditls`` is created private (0700) with a ``.gitignore`` holding ``*`` and is never
   written through a symlink.

The connection belongs to the thread that opened the store (sqlite3's default check).

Every ``sqlite3.Error`` leaving this module is a ``StoreError`` saying what the store was doing
(see ``Db`` (``store/db.py``), after coverage.py's ``sqlitedb.py``).
"""

from __future__ import annotations

import bisect
import json
import os
import sqlite3
import stat
import tempfile
from collections.abc import Collection, Container, Iterable, Iterator, Sequence
from contextlib import suppress
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any

from auditls import yielding
from auditls.facts import F, Fact, FileFacts
from auditls.store import snapshot as snapfile
from auditls.store.db import (
    GITIGNORE,
    READ_CACHE_KIB,
    SNAPSHOT_NAME,
    STORE_DIR,
    Db,
    StoreBusy,
    StoreError,
    memory_connection,
)
from auditls.store.load import load_snapshot, remove_leftovers
from auditls.store.schema import (
    FILE_INSERT,
    FILE_SELECT,
    EncodedFacts,
    FactTable,
    FileRow,
    Schema,
    build_schema,
    decode_file_row,
    encode_file_row,
)

# Where the working database lives and how it reads and writes: ``auditls.store.db``; how a
# snapshot is checked and opened: ``auditls.store.load``.


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows' fsync needs write access
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX only; where a filesystem refuses, there is no more to do)."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Store:
    """Per-file facts of one workspace, served from memory. Create with ``Store.open``."""

    def __init__(
        self,
        root: Path,
        conn: sqlite3.Connection,
        schema: Schema,
        fact_types: tuple[type[Fact], ...],
        *,
        persist: bool,
        rebuilt: bool,
        load_note: str,
    ) -> None:
        self.root = root
        self.schema = schema
        self.all_fact_types = fact_types
        self.persist = persist
        #: True when no usable snapshot was loaded and the store started empty.
        self.rebuilt = rebuilt
        #: What happened to the snapshot at open ("loaded", "no snapshot", or why it was not used).
        self.load_note = load_note
        #: Opened by a one-shot run (``open(beside=True)``: the CLI): what is built over the
        #: store lives as long as the process.
        self.one_shot = False
        #: +1 for every change to a file's facts (not for a size/mtime refresh).
        self.revision = 0
        self._db = Db(conn)
        self._states: tuple[int, dict[str, tuple[Any, ...]]] | None = None  # file_states, kept
        #: (revision, path) of every change of a file's state, oldest first (``changed_since``);
        #: changes at or before ``_journal_floor`` were dropped from it.
        self._journal: list[tuple[int, str]] = []
        self._journal_floor = 0
        # Anything written since the last load or snapshot, including size/mtime refreshes.
        self._dirty = rebuilt
        self._closed = False

    @classmethod
    def open(
        cls,
        root: Path | str,
        *,
        persist: bool = True,
        fact_types: Sequence[type[Fact]] | None = None,
        beside: bool = False,
    ) -> Store:
        """The store of the workspace at ``root``, loaded from its snapshot when that is usable.

        ``beside``: a one-shot run (``auditls check``, ``index``) that snapshots once at its
        end. Its first write copies the snapshot file in the kernel into a working file beside
        it in ``.auditls/``, and ``snapshot`` seals that file and renames it over the old one,
        instead of two copies through SQLite (into a private database, then out of it): on
        Django's 2,800 files that is most of a one-file change's store cost. Without it (the
        language server, which writes long after a snapshot) the working database stays
        SQLite's private one.

        ``fact_types`` defaults to ``auditls.facts.all_fact_types()``; tests pass their own.
        """
        if fact_types is None:
            from auditls.facts import all_fact_types  # late: the extractors are heavier

            fact_types = all_fact_types()
        types_ = tuple(fact_types)
        schema = build_schema(types_)
        root = Path(root)
        conn: sqlite3.Connection | None = None
        note = "not persistent"
        source: int | None = None
        if persist:
            remove_leftovers(root / STORE_DIR)
            conn, note, source = load_snapshot(root / STORE_DIR, schema)
        rebuilt = conn is None
        borrowed = conn is not None
        if conn is None:
            conn = memory_connection()
            db = Db(conn)
            with db.transaction():
                for statement in schema.ddl:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {schema.hash}")
        store = cls(root, conn, schema, types_, persist=persist, rebuilt=rebuilt, load_note=note)
        store._db.borrowed = borrowed
        store._db.source_fd = source
        store.one_shot = beside
        if beside and source is not None:
            store._db.beside = root / STORE_DIR
        return store

    # -- reading -------------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """The in-memory connection, for ad-hoc read queries."""
        return self._db.conn

    @property
    def snapshot_path(self) -> Path:
        return self.root / STORE_DIR / SNAPSHOT_NAME

    @property
    def dirty(self) -> bool:
        """Something changed since the store was loaded or last snapshotted."""
        return self._dirty

    def get_file(self, path: str) -> FileRow | None:
        row = self._db.execute(FILE_SELECT + " WHERE path = ?", (path,)).fetchone()
        return None if row is None else decode_file_row(row[1:])

    def files(self, scopes: Sequence[str] | None = None) -> list[FileRow]:
        """Every file row, ordered by path; with ``scopes`` (relative paths, "" the whole
        root), only the rows at or under one of them (a save's refresh reads its own row, not
        14,000)."""
        if scopes is None or "" in scopes:
            rows = self._db.execute(FILE_SELECT + " ORDER BY path").fetchall()
        else:
            found: dict[str, Any] = {}
            for scope in scopes:
                # Under ``scope/``: from "scope/" up to "scope0" ("0" follows "/").
                sql = FILE_SELECT + " WHERE path = ? OR (path >= ? AND path < ?)"
                for r in self._db.execute(sql, (scope, scope + "/", scope + "0")):
                    found[r[1]] = r
            rows = [found[p] for p in sorted(found)]
        return [decode_file_row(r[1:]) for r in rows]

    def file_facts(self, path: str) -> FileFacts | None:
        """A file's facts rebuilt from the rows, in their original order.

        None when the file is unknown or was recorded without facts (``replace_file(row, None)``).
        """
        row = self._db.execute(
            "SELECT id, module, status, error, error_line, error_col, extractor_errors "
            "FROM files WHERE path = ?",
            (path,),
        ).fetchone()
        if row is None or row[1] is None:
            return None
        file_id, module, status, error, error_line, error_col, extractor_errors = row
        numbered: list[tuple[int, Fact]] = []
        for table in self.schema.tables:
            for r in self._db.execute(table.select, (file_id,)):
                numbered.append((r[0], table.decode(r[1:])))
                if not len(numbered) % 256:
                    yielding.point()  # a large file's facts: 130 ms of decoding at 10,000 facts
        numbered.sort(key=itemgetter(0))
        return FileFacts(
            path=path,
            module=module,
            status=status,
            error=error,
            error_line=error_line,
            error_col=error_col,
            facts=[fact for _, fact in numbered],
            extractor_errors=json.loads(extractor_errors),
        )

    def fact_counts(self) -> dict[str, int]:
        """The number of rows of every fact table, by table name."""
        return {t.table: self._db.execute(t.count).fetchone()[0] for t in self.schema.tables}

    # -- writing -------------------------------------------------------------------------------

    def replace_file(self, row: FileRow, facts: FileFacts | EncodedFacts | None) -> bool:
        """Record one file and its facts in one transaction; False when its content is unchanged.

        Unchanged means the stored row has the same hash, extractor version and status: then only
        size and mtime_ns are refreshed. Otherwise the file's old facts are replaced by ``facts``
        (None records the file without facts: unreadable or skipped).
        """
        with self._db.transaction():
            changed = self._replace(row, facts)
        if changed:
            self.revision += 1
            self._note([row.path])
        return changed

    def replace_many(self, items: Iterable[tuple[FileRow, FileFacts | EncodedFacts | None]]) -> int:
        """``replace_file`` for a batch, in one transaction; returns how many files changed."""
        changed: list[str] = []
        with self._db.transaction():
            for row, facts in items:
                if self._replace(row, facts):
                    changed.append(row.path)
        if changed:
            self.revision += 1
            self._note(changed)
        return len(changed)

    def remove_file(self, path: str) -> bool:
        """Forget a vanished file and (by cascade) its facts; False when it was not known."""
        with self._db.transaction():
            gone = self._db.execute("DELETE FROM files WHERE path = ?", (path,)).rowcount > 0
        if gone:
            self.revision += 1
            self._note([path])
            self._dirty = True
        return gone

    #: The journal keeps about this many changes (a cold index writes every file: whoever asks
    #: across it reads everything again anyway).
    JOURNAL_LIMIT = 20_000

    def _note(self, paths: Iterable[str]) -> None:
        self._journal.extend((self.revision, path) for path in paths)
        if len(self._journal) > self.JOURNAL_LIMIT:
            half = len(self._journal) // 2
            self._journal_floor = self._journal[half - 1][0]
            del self._journal[:half]

    def changed_since(self, revision: int) -> set[str] | None:
        """The paths whose state changed after ``revision`` (added, replaced or removed); None
        when the journal does not reach back that far (the caller reads everything)."""
        if revision < self._journal_floor or revision > self.revision:
            return None
        at = bisect.bisect_right(self._journal, revision, key=lambda entry: entry[0])
        return {path for _, path in self._journal[at:]}

    def _replace(self, row: FileRow, facts: FileFacts | EncodedFacts | None) -> bool:
        if facts is not None and (facts.path, facts.status) != (row.path, row.status):
            raise ValueError(
                f"FileRow ({row.path!r}, {row.status!r}) does not describe "
                f"FileFacts ({facts.path!r}, {facts.status!r})"
            )
        old = self._db.execute(
            "SELECT id, hash, extractor_version, status, size, mtime_ns, module FROM files "
            "WHERE path = ?",
            (row.path,),
        ).fetchone()
        same = old is not None and tuple(old[1:4]) == (row.hash, row.extractor_version, row.status)
        if same and facts is not None and old[6] != facts.module:
            same = False  # an __init__.py appeared or vanished: same bytes, another module
        if same:
            if tuple(old[4:6]) != (row.size, row.mtime_ns):
                self._db.execute(
                    "UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?",
                    (row.size, row.mtime_ns, old[0]),
                )
                self._dirty = True
            return False
        if old is not None:
            self._db.execute("DELETE FROM files WHERE id = ?", (old[0],))  # cascades to facts
        extra = (
            (None, None)
            if facts is None
            else (facts.module, json.dumps(facts.extractor_errors, ensure_ascii=False))
        )
        cursor = self._db.execute(FILE_INSERT, (*encode_file_row(row), *extra))
        file_id = cursor.lastrowid
        if isinstance(facts, EncodedFacts):
            self._insert_rows(file_id, facts.rows)
        elif facts is not None and facts.facts:
            self._insert_facts(file_id, facts.facts)
        self._dirty = True
        return True

    def _insert_rows(self, file_id: int | None, rows: dict[str, list[list[Any]]]) -> None:
        """Rows already in column encoding (``[seq, *columns]``), by table name."""
        by_name = self.schema.by_name
        for name, table_rows in rows.items():
            table = by_name.get(name)
            if table is None:
                raise ValueError(f"{name!r} is not one of the store's fact tables")
            width = len(table.columns) + 1
            if any(len(r) != width for r in table_rows):
                raise ValueError(f"{name}: rows of the wrong width (expected seq + {width - 1})")
            self._db.executemany(table.insert, [(file_id, *r) for r in table_rows])

    def _insert_facts(self, file_id: int | None, facts: Sequence[Fact]) -> None:
        by_type = self.schema.by_type
        batches: dict[FactTable, list[tuple[Any, ...]]] = {}
        for seq, fact in enumerate(facts):
            table = by_type.get(type(fact))
            if table is None:
                raise ValueError(
                    f"{type(fact).__name__} is not one of the store's fact types; "
                    "register it so that the schema has its table"
                )
            batches.setdefault(table, []).append((file_id, seq, *table.encode(fact)))
        for table, rows in batches.items():
            self._db.executemany(table.insert, rows)

    # -- the snapshot --------------------------------------------------------------------------

    def snapshot(self) -> Path:
        """Write the database atomically to ``<root>/.auditls/index.db`` and return that path.

        Nothing is written when nothing changed since the load or the last snapshot and the file
        is still there. ``StoreBusy`` when another auditls holds the writers' lock (see
        ``auditls.store.snapshot``); any other failure (a read-only directory, a full disk) is a
        ``StoreError`` and leaves no temp file. Either way the store in memory is intact.
        """
        if not self.persist:
            raise StoreError("store: opened with persist=False, so it has no snapshot")
        directory = self._store_dir()
        target = directory / SNAPSHOT_NAME
        if not self._dirty and target.is_file() and not target.is_symlink():
            return target
        try:
            with snapfile.writer_lock(directory):
                self._write_snapshot(directory, target)
        except snapfile.Busy as exc:
            raise StoreBusy(f"store: {exc}") from None
        except OSError as exc:
            raise StoreError(f"store: cannot lock {directory}: {exc.strerror or exc}") from exc
        _fsync_dir(directory)
        self._dirty = False
        return target

    def write_beside(self, name: str, chunks: Iterable[bytes]) -> Path | None:
        """Write ``<root>/.auditls/<name>`` (state derived from the facts: the taint engine's)
        atomically, under the writers' lock, and only beside a snapshot that is written and
        current: a store kept in memory only (another writer, a failed snapshot) writes nothing
        beside it either. None when nothing was written; StoreError when the write failed."""
        directory = self.root / STORE_DIR
        if not self.persist or self._dirty or not (directory / SNAPSHOT_NAME).is_file():
            return None
        target = directory / name
        try:
            with snapfile.writer_lock(directory):
                fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".beside.tmp", dir=directory)
                try:
                    with os.fdopen(fd, "wb") as out:
                        for chunk in chunks:
                            out.write(chunk)
                    os.replace(tmp, target)
                except BaseException:
                    with suppress(OSError):
                        os.unlink(tmp)
                    raise
        except snapfile.Busy:
            return None
        except OSError as exc:
            raise StoreError(f"store: cannot write {target}: {exc.strerror or exc}") from exc
        return target

    def _write_snapshot(self, directory: Path, target: Path) -> None:
        if self._db.work is not None:
            self._seal_work(target)
            return
        try:
            fd, tmp = tempfile.mkstemp(prefix=SNAPSHOT_NAME + ".", suffix=".tmp", dir=directory)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"store: cannot create a temp file in {directory}: {exc}") from exc
        try:
            with self._db.errors(f"writing snapshot {tmp}"):
                dest = sqlite3.connect(tmp, isolation_level=None)
                try:
                    # No journal, no syncs: a torn temp file is never read, and we fsync once.
                    dest.execute("PRAGMA journal_mode = OFF")
                    dest.execute("PRAGMA synchronous = OFF")
                    self.conn.backup(dest)
                finally:
                    dest.close()
            snapfile.seal(tmp)
            _fsync_file(tmp)
            os.replace(tmp, target)
        except BaseException as exc:
            with suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise StoreError(f"store: cannot write snapshot {target}: {exc}") from exc
            raise

    def _seal_work(self, target: Path) -> None:
        """The snapshot of a working copy beside it (``Store.open(beside=True)``): the file is
        sealed where it is and renamed over ``target``, then read in place as a loaded
        snapshot is (the next write copies it again: it is never written once sealed). On
        failure the working copy stays the working database, intact."""
        assert self._db.work is not None
        tmp, fd = self._db.work
        # Every committed page is in the file (no transaction is open between writes, and
        # the journal is in memory): seal what SQLite wrote.
        try:
            snapfile.seal_fd(fd, tmp)
            os.fsync(fd)
            os.replace(tmp, target)
        except OSError as exc:
            raise StoreError(f"store: cannot write snapshot {target}: {exc}") from exc
        self._db.work = None
        self._db.conn.close()
        snapfile.unlock(fd)  # the file is the snapshot now, and the next copy's source
        self._db.source_fd = fd
        with self._db.errors(f"reading snapshot {target}"):
            conn = sqlite3.connect(
                target.absolute().as_uri() + "?mode=ro&immutable=1", uri=True, isolation_level=None
            )
            conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        self._db.conn, self._db.borrowed = conn, True

    def _store_dir(self) -> Path:
        """``<root>/.auditls``, created with its ``.gitignore``; refuses a symlink."""
        directory = self.root / STORE_DIR
        try:
            with suppress(FileExistsError):
                os.mkdir(directory, 0o700)  # private: the facts quote the workspace's code
            mode = os.lstat(directory).st_mode
            if stat.S_ISLNK(mode):
                raise StoreError(
                    f"store: {directory} is a symlink; refusing to write the index through it "
                    "(remove it, auditls recreates the directory)"
                )
            if not stat.S_ISDIR(mode):
                raise StoreError(f"store: {directory} exists and is not a directory")
            st = os.lstat(directory)
            if stat.S_IMODE(st.st_mode) & 0o077 and st.st_uid == getattr(os, "getuid", int)():
                os.chmod(directory, 0o700)  # made by an older auditls: private from now on
            self._write_gitignore(directory / ".gitignore")
        except OSError as exc:
            raise StoreError(f"store: cannot prepare {directory}: {exc}") from exc
        return directory

    @staticmethod
    def _write_gitignore(path: Path) -> None:
        with suppress(OSError):
            st = os.lstat(path)  # a regular file of the right size only: never read a big one
            right_size = stat.S_ISREG(st.st_mode) and st.st_size == len(GITIGNORE)
            if right_size and path.read_bytes() == GITIGNORE:
                return
        # Write beside and rename: never through a symlink, never half a file.
        fd, tmp = tempfile.mkstemp(prefix=".gitignore.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(GITIGNORE)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; this one is meant to be shared
            os.replace(tmp, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise

    def set_aside(self) -> Path | None:
        """Rename the snapshot to ``index.db.corrupt`` (its content could not be read back);
        the path it went to, or None when there was none or it could not be moved."""
        if not self.persist:
            return None
        self._dirty = True  # the next snapshot writes a new one
        return snapfile.set_aside(self.snapshot_path)

    def shrink_cache(self, kib: int = READ_CACHE_KIB) -> None:
        """The writes of this run are done: keep at most ``kib`` KiB of pages in memory and
        give the rest back. The pages written are spilled to the working database's temp file
        and read back from it when asked for (a later write, copying a borrowed snapshot, gets
        a full cache again). ``auditls check`` calls it between the index and the rules, the
        language server after each full index: the 64 MiB the index filled were a quarter of
        their peaks."""
        with self._db.errors("shrinking the page cache"):
            self._db.conn.execute(f"PRAGMA cache_size = -{int(kib)}")
            self._db.conn.execute("PRAGMA shrink_memory")

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the in-memory database (its changes are lost unless snapshotted)."""
        if not self._closed:
            self._closed = True
            self._db.drop_work()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the query API: everyone else asks the store by name (no SQL outside store/)

    def file_count(self) -> int:
        """How many files the store knows (with facts or not)."""
        return int(self._db.execute("SELECT count(*) FROM files").fetchone()[0])

    def file_modules(self, paths: Collection[str] | None = None) -> dict[str, str | None]:
        """The module name recorded with each file (of ``paths`` when given), by path (None:
        stored without facts)."""
        if paths is None or len(paths) > 500:
            found = dict(self._db.execute("SELECT path, module FROM files").fetchall())
            return found if paths is None else {p: found[p] for p in paths if p in found}
        sql = "SELECT path, module FROM files WHERE path = ?"
        return dict(row for p in paths for row in self._db.execute(sql, (p,)))

    def file_states(self) -> dict[str, tuple[Any, ...]]:
        """Every file's path and what its facts were computed from: (hash, status, module,
        extractor version, error). A file whose state is unchanged has unchanged facts. Read
        once per revision (every change to a state is a change of revision): a new dict each
        call, the caller's to change."""
        kept = self._states
        if kept is not None and kept[0] != self.revision:
            changed = self.changed_since(kept[0])
            if changed is not None and len(changed) <= 1_000:
                states = kept[1]  # never handed out: callers get copies
                sql = (
                    "SELECT path, hash, status, module, extractor_version, error FROM files "
                    "WHERE path = ?"
                )
                for path in changed:
                    row = self._db.execute(sql, (path,)).fetchone()
                    if row is None:
                        states.pop(path, None)
                    else:
                        states[path] = tuple(row[1:])
                kept = self._states = (self.revision, states)
            else:
                kept = None
        if kept is None:
            rows = self._db.execute(
                "SELECT path, hash, status, module, extractor_version, error FROM files"
            )
            kept = self._states = (self.revision, {row[0]: tuple(row[1:]) for row in rows})
        return dict(kept[1])

    def paths_with_facts(
        self, fact_types: Iterable[type[Fact]], among: Iterable[str] | None = None
    ) -> list[str]:
        """The paths of the files (of ``among`` when given) that have at least one row of any
        of these fact types, ordered by path (types the store has no table for are skipped)."""
        by_name = self.schema.by_name
        tables = [t.TABLE for t in fact_types if t.TABLE in by_name]
        if among is not None:
            found = []
            for path in sorted(set(among)):
                row = self._db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
                if row is not None and any(
                    self._db.execute(
                        f'SELECT 1 FROM "{table}" WHERE file_id = ? LIMIT 1',  # noqa: S608 (ours)
                        (row[0],),
                    ).fetchone()
                    for table in tables
                ):
                    found.append(path)
            return found
        file_ids: set[int] = set()
        for table in tables:
            sql = f'SELECT DISTINCT file_id FROM "{table}"'  # noqa: S608 (our name)
            file_ids.update(r[0] for r in self._db.execute(sql))
        rows = self._db.execute("SELECT id, path FROM files ORDER BY path").fetchall()
        return [path for file_id, path in rows if file_id in file_ids]

    def facts_of_files(
        self,
        fact_type: type[F],
        paths: Iterable[str] | None = None,
        functions: Container[str] | None = None,
    ) -> dict[str, list[F]]:
        """The facts of one table for these files (every file when None), by path, each file's
        in source order; with ``functions``, only the rows whose ``function`` is one of them
        (the others are not even decoded)."""
        wanted = None if paths is None else sorted(set(paths))
        table = self.schema.by_name.get(fact_type.TABLE)
        out: dict[str, list[F]] = {}
        if table is None or wanted == []:
            return out
        names = [c.name for c in table.columns]
        if functions is not None and "function" not in names:
            raise ValueError(f"{fact_type.__name__} has no `function` field")
        at = names.index("function") + 1 if functions is not None else 0
        columns = ", ".join(f't."{c}"' for c in names)
        where = "" if wanted is None else f"WHERE f.path IN ({', '.join('?' * len(wanted))}) "
        sql = (
            f'SELECT f.path, {columns} FROM "{table.table}" t '  # noqa: S608 (our own names)
            f"JOIN files f ON f.id = t.file_id {where}ORDER BY t.file_id, t.seq"
        )
        for row in self._db.execute(sql, wanted or ()):
            if functions is not None and row[at] not in functions:
                continue
            fact = table.decode(row[1:])
            assert isinstance(fact, fact_type)
            out.setdefault(row[0], []).append(fact)
        return out

    def rows_of_files(
        self, fact_type: type[Fact], columns: Sequence[str], paths: Iterable[str] | None = None
    ) -> dict[str, list[tuple[Any, ...]]]:
        """Some columns of one table as stored (a list column is its JSON text), by path, each
        file's rows in source order: a cheap read of a large table when a few columns do."""
        wanted = None if paths is None else sorted(set(paths))
        table = self.schema.by_name.get(fact_type.TABLE)
        out: dict[str, list[tuple[Any, ...]]] = {}
        if table is None or wanted == []:
            return out
        known = {c.name for c in table.columns}
        for column in columns:
            if column not in known:
                raise ValueError(f"{fact_type.__name__} has no `{column}` field")
        names = ", ".join(f't."{c}"' for c in columns)
        where = "" if wanted is None else f"WHERE f.path IN ({', '.join('?' * len(wanted))}) "
        sql = (
            f'SELECT f.path, {names} FROM "{table.table}" t '  # noqa: S608 (our own names)
            f"JOIN files f ON f.id = t.file_id {where}ORDER BY t.file_id, t.seq"
        )
        for row in self._db.execute(sql, wanted or ()):
            out.setdefault(row[0], []).append(row[1:])
        return out

    def module_level_text(
        self, fact_type: type[Fact], columns: Sequence[str]
    ) -> Iterator[tuple[str, str | None, str | None]]:
        """Every file, ordered by path, with its module name and, as one text joined by SQLite,
        ``columns`` of its module-level rows of ``fact_type`` (``function`` is the module
        itself) in source order (None when it has none): what a digest of them reads, without
        a tuple per row (``link.imports_digest``). Columns are separated by U+001F, rows by
        U+001E."""
        table = self.schema.by_name.get(fact_type.TABLE)
        known = set() if table is None else {c.name for c in table.columns}
        for column in (*columns, "function"):
            if column not in known:
                raise ValueError(f"{fact_type.__name__} has no `{column}` field")
        assert table is not None
        text = " || char(31) || ".join(f"ifnull(t.\"{c}\", '')" for c in columns)
        joined = f"CASE WHEN t.file_id IS NULL THEN NULL ELSE {text} END"
        sql = (
            f"SELECT f.path, f.module, group_concat({joined}, char(30)) "  # noqa: S608 (our names)
            f'FROM files f LEFT JOIN "{table.table}" t '
            "ON t.file_id = f.id AND t.function = f.module GROUP BY f.id ORDER BY f.path"
        )
        # A file's rows are inserted in source order in one statement (``_replace``), so the
        # ``file_id`` index visits them in that order: no sort (which took 60% of the time).
        yield from self._db.execute(sql)

    def facts_where(
        self,
        fact_type: type[F],
        column: str,
        values: Iterable[object],
        paths: Iterable[str] | None = None,
    ) -> dict[str, list[F]]:
        """The facts of one table whose ``column`` holds one of ``values``, by path, each
        file's in source order (a few rows of a large table, without reading the rest); only
        of these files when ``paths`` is given."""
        table = self.schema.by_name.get(fact_type.TABLE)
        wanted = list(values)
        files = None if paths is None else sorted(set(paths))
        out: dict[str, list[F]] = {}
        if table is None or not wanted or files == []:
            return out
        if column not in {c.name for c in table.columns}:
            raise ValueError(f"{fact_type.__name__} has no `{column}` field")
        columns = ", ".join(f't."{c.name}"' for c in table.columns)
        marks = ", ".join("?" * len(wanted))
        sql = (
            f'SELECT f.path, {columns} FROM "{table.table}" t '  # noqa: S608 (our own names)
            f'JOIN files f ON f.id = t.file_id WHERE t."{column}" IN ({marks}) '
            + ("" if files is None else f"AND f.path IN ({', '.join('?' * len(files))}) ")
            + "ORDER BY t.file_id, t.seq"
        )
        for row in self._db.execute(sql, [*wanted, *(files or ())]):
            fact = table.decode(row[1:])
            assert isinstance(fact, fact_type)
            out.setdefault(row[0], []).append(fact)
        return out

    def module_level_facts(self, fact_type: type[F]) -> list[tuple[str, F]]:
        """The rows of one fact type written at module level (their ``function`` is their
        file's module), each with that module, in storage order; none when the store has no
        table for the type. The type must have a ``function`` field."""
        return [(module, fact) for _, module, fact in self._module_level(fact_type)]

    def module_level_facts_by_path(self, fact_type: type[F]) -> dict[str, list[F]]:
        """``module_level_facts`` by file path (two files can hold one module name: two
        projects side by side), each file's in storage order."""
        out: dict[str, list[F]] = {}
        for path, _, fact in self._module_level(fact_type):
            out.setdefault(path, []).append(fact)
        return out

    def _module_level(self, fact_type: type[F]) -> list[tuple[str, str, F]]:
        table = self.schema.by_name.get(fact_type.TABLE)
        if table is None:
            return []
        if "function" not in {c.name for c in table.columns}:
            raise ValueError(f"{fact_type.__name__} has no `function` field")
        names = ", ".join(f'i."{c.name}"' for c in table.columns)
        sql = (
            f'SELECT f.path, f.module, {names} FROM "{table.table}" i '  # noqa: S608 (ours)
            "JOIN files f ON f.id = i.file_id WHERE i.function = f.module"
        )
        out: list[tuple[str, str, F]] = []
        for row in self._db.execute(sql):
            fact = table.decode(row[2:])
            assert isinstance(fact, fact_type)
            out.append((row[0], row[1], fact))
        return out
