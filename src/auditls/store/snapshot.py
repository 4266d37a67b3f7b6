"""The snapshot file's own safety: its checksum, the writers' lock, and what is set aside.

1. **Checksum.** A snapshot carries a CRC-32 of its whole content in the SQLite header's
   application id (bytes 68-71, taken as zero while the sum is computed): ``seal`` writes it
   into the finished temp file before the rename, so the sum and the content are replaced
   together, atomically. ``verify`` recomputes it over the bytes read: a bit flip that SQLite's
   ``quick_check`` lets through (a text column, a JSON array, a deleted row) is caught before
   anything is reused, and the bytes verified are the bytes loaded.
2. **One writer.** Whoever writes in ``.auditls/`` (a snapshot, setting a bad one aside,
   removing stale temp files) holds ``.auditls/lock`` (``flock``, exclusive, never waited for).
   A second auditls on the same workspace (an editor's server and a CLI run, two editor
   windows) that finds it taken writes nothing: it says "another auditls is writing" and keeps
   its index in memory. Readers need no lock: a snapshot is replaced by a rename.
3. **Leftovers.** With the lock held, every ``index.db.*.tmp`` is a leftover of a writer that
   died (killed mid-write), and is removed at start-up, unless a live process holds it
   (``lock_live``: the working copy a ``check`` run writes beside the snapshot). A snapshot
   that fails its checks (damaged, truncated, foreign) is renamed to ``index.db.corrupt`` for
   inspection, replacing an older one, and the store is rebuilt.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; a single writer is assumed
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "lock"
CORRUPT_SUFFIX = ".corrupt"
#: Where the SQLite header keeps its application id, which holds our checksum.
_SUM_AT = slice(68, 72)
_ZERO_SUM = b"\0\0\0\0"
#: Smallest SQLite file: the 100-byte header.
_HEADER_SIZE = 100


class Busy(Exception):
    """Another auditls holds the writers' lock of this ``.auditls/``."""


def checksum(data: bytes | bytearray | memoryview) -> int:
    """CRC-32 of a snapshot's bytes with the checksum field taken as zero."""
    view = memoryview(data)
    crc = zlib.crc32(view[: _SUM_AT.start])
    crc = zlib.crc32(_ZERO_SUM, crc)
    return zlib.crc32(view[_SUM_AT.stop :], crc)


def seal(path: str) -> None:
    """Write the checksum of the finished SQLite file at ``path`` into its header, reading it
    in chunks (a snapshot is tens of megabytes: never all of it in memory at once)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        seal_fd(fd, path)
    finally:
        os.close(fd)


def seal_fd(fd: int, name: str) -> None:
    """``seal`` through an open descriptor (read and written from offset 0, whatever its
    position)."""
    os.lseek(fd, 0, os.SEEK_SET)
    head = b""
    while len(head) < _HEADER_SIZE and (chunk := os.read(fd, 1 << 20)):
        head += chunk
    if len(head) < _HEADER_SIZE:
        raise OSError(errno.EIO, f"{name}: {len(head)} bytes is not an SQLite file")
    crc = checksum(head)
    while chunk := os.read(fd, 1 << 20):
        crc = zlib.crc32(chunk, crc)
    os.pwrite(fd, crc.to_bytes(4, "big"), _SUM_AT.start)


def copy_fd(source: int, target: int) -> None:
    """Copy the whole file open at ``source`` into ``target`` (both from offset 0) in the
    kernel where it can (``copy_file_range``: no bytes through this process, and a reflink on
    file systems that share extents), else through a buffer."""
    size = os.fstat(source).st_size
    done = 0
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            while done < size:
                n = copy_range(source, target, size - done, done, done)
                if n == 0:
                    break
                done += n
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                raise
    while True:  # what the kernel did not copy (none, or past a size that grew)
        chunk = os.pread(source, 1 << 20, done)
        if not chunk:
            break
        os.pwrite(target, chunk, done)
        done += len(chunk)
    os.ftruncate(target, done)


def lock_live(fd: int) -> bool:
    """Mark the temp file open at ``fd`` as in use by a live process (a working copy of the
    snapshot) until ``fd`` is closed, so that ``remove_temps`` leaves it alone; False where
    files cannot be locked (then the file is not kept beside the snapshot)."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def unlock(fd: int) -> None:
    """Undo ``lock_live``."""
    if fcntl is not None:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


def _in_use(path: Path) -> bool:
    """Whether a live process holds ``path`` (``lock_live``)."""
    if fcntl is None:
        return False
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


def verify_file(fd: int) -> str | None:
    """``verify`` over an open file, read in chunks (a snapshot is tens of megabytes)."""
    head = b""
    while len(head) < _HEADER_SIZE and (chunk := os.read(fd, 1 << 20)):
        head += chunk
    if len(head) < _HEADER_SIZE or not head.startswith(b"SQLite format 3\0"):
        return "it is not an SQLite database (truncated or foreign)"
    crc = checksum(head)
    while chunk := os.read(fd, 1 << 20):
        crc = zlib.crc32(chunk, crc)
    if int.from_bytes(head[_SUM_AT], "big") != crc:
        return "its checksum does not match its content (damaged, or written by another tool)"
    return None


def verify(data: bytes) -> str | None:
    """Why ``data`` is not a sealed snapshot, or None when its checksum holds."""
    if len(data) < _HEADER_SIZE or not data.startswith(b"SQLite format 3\0"):
        return "it is not an SQLite database (truncated or foreign)"
    stored = int.from_bytes(data[_SUM_AT], "big")
    if stored != checksum(data):
        return "its checksum does not match its content (damaged, or written by another tool)"
    return None


@contextmanager
def writer_lock(directory: Path) -> Iterator[None]:
    """Hold ``directory/lock`` exclusively for a write; ``Busy`` when another process does."""
    path = directory / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy("another auditls is writing the index of this workspace") from None
            except OSError as exc:
                # A file system without locks (some network mounts): write unlocked, as
                # before; the rename still keeps the snapshot whole.
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    raise
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_temps(directory: Path, snapshot_name: str) -> int:
    """Delete the temp files a killed writer left (call with the lock held); how many went."""
    removed = 0
    for pattern in (snapshot_name + ".*.tmp", ".gitignore.*.tmp", "*.beside.tmp"):
        for leftover in directory.glob(pattern):
            with suppress(OSError):
                if stat.S_ISREG(leftover.lstat().st_mode) and not _in_use(leftover):
                    leftover.unlink()
                    removed += 1
    return removed


def set_aside(path: Path) -> Path | None:
    """Rename a bad snapshot to ``<name>.corrupt``; None when that cannot be done."""
    target = path.with_name(path.name + CORRUPT_SUFFIX)
    try:
        with writer_lock(path.parent):
            os.replace(path, target)
    except (OSError, Busy):
        return None
    return target
