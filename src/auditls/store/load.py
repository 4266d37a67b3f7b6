"""Opening a snapshot (step 2 of ``auditls.store.store``): checked before it is trusted.

``load_snapshot`` verifies the file's checksum (``auditls.store.snapshot``), opens it in place,
read-only, and checks that it is still the file verified and that its tables are exactly the
schema's; anything else sets it aside and says why. ``remove_leftovers`` removes the temp files
of writers that died.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from auditls.store import snapshot as snapfile
from auditls.store.db import CACHE_KIB, SNAPSHOT_NAME
from auditls.store.schema import Schema


def _schema_problem(conn: sqlite3.Connection, schema: Schema) -> str | None:
    """Why ``conn`` does not hold a sound database of ``schema``, or None when it does."""
    if conn.execute("PRAGMA user_version").fetchone()[0] != schema.hash:
        return "its schema differs"
    # SQLite keeps each CREATE statement verbatim, so this compares the layout exactly.
    found = {r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")}
    if found != set(schema.ddl):
        return "its tables differ from the schema"
    # No ``PRAGMA quick_check``: the checksum (verified before the copy) proves these are the
    # bytes our writer sealed from a sound database, and reading every page again cost as much
    # as the copy itself (0.2 s at 1,400 files, seconds at 14,000).
    return None


def _verify(fd: int, schema: Schema) -> tuple[str | None, os.stat_result | None]:
    """Why the snapshot open at ``fd`` is not to be loaded (None: it is sound; "stale": another
    schema) and its stat."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file", None
    head = os.pread(fd, 64, 0)
    sqlite = len(head) == 64 and head.startswith(b"SQLite format 3\0")
    if sqlite and int.from_bytes(head[60:64], "big") != schema.hash:
        return "stale", st
    return snapfile.verify_file(fd), st


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    def key(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    return key(a) == key(b)


_Loaded = tuple[sqlite3.Connection | None, str, int | None]


def load_snapshot(directory: Path, schema: Schema) -> _Loaded:
    """A read-only connection to the snapshot in ``directory`` and the snapshot file, open,
    or None, why it was not used, and None.

    Its checksum is verified first (``snapfile.verify_file``), then it is opened in place and
    must still be the file verified; the store copies it into its working database at its
    first write (``Db.own``). A snapshot of another schema is left for
    the next write to replace; a damaged, truncated or foreign one is set aside
    (``snapfile.set_aside``).
    """
    path = directory / SNAPSHOT_NAME
    try:
        if stat.S_ISLNK(os.lstat(directory).st_mode):
            return None, f"{directory} is a symlink", None
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None, "no snapshot", None
    except OSError as exc:
        return None, f"cannot read {path}: {exc}", None
    if not stat.S_ISREG(mode):
        return None, f"{path} is not a regular file", None
    # Read through a descriptor: never through a link, never blocking on a FIFO.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, f"snapshot {path} not used: cannot read it ({exc.strerror or exc})", None
    try:
        conn, note = _open_verified(path, fd, schema)
    except BaseException:
        os.close(fd)
        raise
    if conn is None:
        os.close(fd)
        return None, note, None
    return conn, note, fd


def _open_verified(path: Path, fd: int, schema: Schema) -> tuple[sqlite3.Connection | None, str]:
    try:
        problem, verified = _verify(fd, schema)
    except OSError as exc:
        return None, f"snapshot {path} not used: cannot read it ({exc.strerror or exc})"
    if problem == "stale":
        return None, f"snapshot {path} not used: its schema differs (another auditls version)"
    mem: sqlite3.Connection | None = None
    if problem is None and verified is not None:
        try:
            # Read in place until the first write (``Db.own``): a run that changes nothing
            # never copies it. ``immutable``: a writer replaces the file by a rename, never
            # in place, so the inode this connection holds never changes under it.
            mem = sqlite3.connect(
                path.absolute().as_uri() + "?mode=ro&immutable=1", uri=True, isolation_level=None
            )
            mem.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            if not _same_file(verified, os.stat(path)):
                mem.close()  # replaced by another writer meanwhile: the next load will tell
                return None, f"snapshot {path} not used: it changed while it was read"
            problem = _schema_problem(mem, schema)
        except (sqlite3.Error, OSError) as exc:
            problem = f"it is not a readable database ({exc})"
    if problem is not None:
        if mem is not None:
            mem.close()
        aside = snapfile.set_aside(path)
        where = f"; set aside as {aside.name}" if aside is not None else ""
        return None, f"snapshot {path} not used: {problem}{where}"
    return mem, "loaded"


def remove_leftovers(directory: Path) -> None:
    """Remove the temp files of writers that died, when no writer is alive (the lock is free)."""
    try:
        if not stat.S_ISDIR(os.lstat(directory).st_mode):
            return
        with snapfile.writer_lock(directory):
            snapfile.remove_temps(directory, SNAPSHOT_NAME)
    except (OSError, snapfile.Busy):
        return  # nothing there, read-only, or a live writer: its temp file is not a leftover
