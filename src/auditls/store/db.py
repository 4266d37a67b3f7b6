"""The store's working database: where it lives and how it is read and written.

``Db`` is a sqlite3 connection whose errors become ``StoreError``, with explicit transactions.
It starts *borrowed*: reading the verified snapshot in place, read-only. Its first write makes
it its own (``Db.own``): SQLite's private temporary database, the snapshot copied in with the
backup API (the language server), or a kernel copy of the snapshot file beside it in
``.auditls/`` that ``Store.snapshot`` later seals and renames in place (``Db.beside``: the CLI's
one-shot runs).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from auditls.store import snapshot as snapfile

STORE_DIR = ".auditls"
SNAPSHOT_NAME = "index.db"
GITIGNORE = b"*\n"


class StoreError(Exception):
    """The store could not read or write its database (the message says which and why)."""


class StoreBusy(StoreError):
    """Another auditls is writing this workspace's snapshot; this one keeps its index in memory."""


class Db:
    """A sqlite3 connection whose errors become ``StoreError``, with explicit transactions."""

    def __init__(self, conn: sqlite3.Connection, *, borrowed: bool = False) -> None:
        self.conn = conn
        #: ``conn`` reads the verified snapshot in place (read-only): the first write copies
        #: it into a working database of our own (``own``).
        self.borrowed = borrowed
        #: The snapshot file ``conn`` reads while borrowed, open: a copy is of the inode that
        #: was verified, whatever replaced the name since.
        self.source_fd: int | None = None
        #: ``Store.open(beside=True)``: the first write copies the snapshot file into this
        #: directory (its ``.auditls/``) and works there (``work``), for ``Store.snapshot`` to
        #: seal and rename in place; None: SQLite's private temp database.
        self.beside: Path | None = None
        #: The working copy beside the snapshot and its descriptor (which holds its
        #: ``lock_live`` lock) while there is one.
        self.work: tuple[str, int] | None = None

    def own(self) -> None:
        """Make the connection our own working database (copying the snapshot it reads)."""
        if not self.borrowed:
            return
        mine = self._copy_beside()
        if mine is None:
            mine = memory_connection()
            try:
                with self.errors("copying the snapshot into the working database"):
                    self.conn.backup(mine)
            except BaseException:
                mine.close()
                raise
        self.conn.close()
        self.release_source()
        self.conn, self.borrowed = mine, False

    def _copy_beside(self) -> sqlite3.Connection | None:
        """A working database that is a kernel copy of the borrowed snapshot file, beside it
        (``beside``); None where that cannot be (no directory to write in, a full disk, no
        file locks, an odd file system): the caller copies with the backup API instead."""
        if self.beside is None or self.source_fd is None:
            return None
        try:
            # Still our directory, not a link put there since the snapshot was loaded.
            if not stat.S_ISDIR(os.lstat(self.beside).st_mode):
                return None
            fd, tmp = tempfile.mkstemp(
                prefix=SNAPSHOT_NAME + ".", suffix=".work.tmp", dir=self.beside
            )
        except OSError:
            return None
        conn: sqlite3.Connection | None = None
        try:
            # Locked before anything else, and still the file at that name: a start-up that
            # removes leftovers (``snapfile.remove_temps``) never takes a live working copy.
            if snapfile.lock_live(fd) and os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                snapfile.copy_fd(self.source_fd, fd)
                conn = sqlite3.connect(tmp, isolation_level=None)
                working_pragmas(conn)
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                self.work = (tmp, fd)
                return conn
        except (OSError, sqlite3.Error):
            pass
        if conn is not None:
            conn.close()
        os.close(fd)
        with suppress(OSError):
            os.unlink(tmp)
        return None

    def release_source(self) -> None:
        if self.source_fd is not None:
            with suppress(OSError):
                os.close(self.source_fd)
            self.source_fd = None

    def drop_work(self) -> None:
        """Close the connection and delete the working copy beside the snapshot, if any."""
        self.conn.close()
        self.release_source()
        if self.work is not None:
            tmp, fd = self.work
            self.work = None
            with suppress(OSError):
                os.unlink(tmp)
            os.close(fd)

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"store: {doing}: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.errors(f"executing {sql[:60]!r}"):
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.errors(f"executing {sql[:60]!r}"):
            self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT, or ROLLBACK when anything (not only sqlite) raises."""
        self.own()
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise
        self.execute("COMMIT")


#: SQLite's page cache of the working database, in KiB: the pages queries touch stay in memory
#: up to this; the rest lives in the private temp file (and the OS's page cache). The corpus's
#: 1,400 files fit in it whole; ten times as many do not, and need not.
CACHE_KIB = 64 * 1024

#: The page cache once a run's writes are done (``Store.shrink_cache``): the rules read each
#: table in order, file by file, so pages read once are rarely read again; the others come back
#: from the temp file (or the snapshot) through the OS's page cache, which is not the process's.
READ_CACHE_KIB = 8 * 1024


def memory_connection() -> sqlite3.Connection:
    """The working database: SQLite's private temporary database (the empty file name), whose
    pages are cached in memory up to ``CACHE_KIB`` and spill to a temp file beyond, so memory
    stays bounded however large the workspace (``:memory:`` held every row: 830 MB at 14,000
    files). The file is SQLite's own, deleted when the connection closes (on Unix it is
    unlinked as soon as it is opened, so a killed process leaves nothing); it is never the
    snapshot, which is still written whole by ``snapshot``."""
    # isolation_level=None: autocommit; Db.transaction() opens and closes transactions itself.
    conn = sqlite3.connect("", isolation_level=None)
    working_pragmas(conn)
    return conn


def working_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    # A private, throw-away file (the snapshot is written whole or sealed once written): no
    # syncs; the rollback journal in memory (a transaction is one file's rows).
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")  # per connection; the cascades depend on it
