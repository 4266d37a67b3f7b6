"""No damage to the snapshot is trusted, no failure to write it loses the run, and two writers
never corrupt it (issue 16): checksums, setting aside, memory-only, the writers' lock."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from auditls import cli
from auditls.store import Store
from auditls.store import snapshot as snapfile

REPO = Path(__file__).resolve().parent.parent
FLASK = REPO / "fixtures" / "flask"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(FLASK, root)
    return root.resolve()


def check(capsys: pytest.CaptureFixture[str], ws: Path) -> tuple[int, str, str]:
    code = cli.main(["check", str(ws), "--jobs", "1", "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def db(ws: Path) -> Path:
    return ws / ".auditls" / "index.db"


def test_the_store_directory_is_private(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys, ws)
    assert stat.S_IMODE(os.stat(ws / ".auditls").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(db(ws)).st_mode) == 0o600
    os.chmod(ws / ".auditls", 0o755)  # noqa: S103 - as an older auditls made it
    (ws / "new.py").write_text("x = 1\n")
    check(capsys, ws)
    assert stat.S_IMODE(os.stat(ws / ".auditls").st_mode) == 0o700


def test_a_sealed_snapshot_verifies_and_every_byte_counts(ws: Path) -> None:
    check_clean = cli.main(["index", str(ws), "--jobs", "1"])
    assert check_clean == 0
    data = db(ws).read_bytes()
    assert snapfile.verify(data) is None
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    assert snapfile.verify(bytes(flipped)) is not None
    assert snapfile.verify(data[: len(data) // 2]) is not None
    assert snapfile.verify(b"") is not None


def test_bit_flips_are_never_trusted(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every flip of one bit past the header (20 seeded ones) is noticed: the snapshot is set
    aside with a message, and the findings equal those of a clean run."""
    code, clean, err = check(capsys, ws)
    assert (code, err) == (1, "")
    good = db(ws).read_bytes()
    rng = random.Random(16)
    for _ in range(20):
        data = bytearray(good)
        data[rng.randrange(100, len(data))] ^= 1 << rng.randrange(8)
        db(ws).write_bytes(bytes(data))
        code, out, err = check(capsys, ws)
        assert (code, out) == (1, clean)
        assert "not used: its checksum does not match its content" in err
        assert "set aside as index.db.corrupt; rebuilding the index" in err
        assert (ws / ".auditls" / "index.db.corrupt").read_bytes() == bytes(data)
        assert db(ws).read_bytes() != bytes(data)  # rebuilt and written again
        good = db(ws).read_bytes()


def test_deleted_rows_and_truncation_are_never_trusted(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, clean, _ = check(capsys, ws)
    conn = sqlite3.connect(db(ws))
    assert conn.execute("DELETE FROM python_call_args WHERE rowid % 3 = 0").rowcount > 0
    conn.commit()
    conn.close()
    code, out, err = check(capsys, ws)
    assert (code, out) == (1, clean)
    assert "checksum does not match" in err
    db(ws).write_bytes(db(ws).read_bytes()[:5000])
    code, out, err = check(capsys, ws)
    assert (code, out) == (1, clean)
    assert "checksum does not match" in err
    db(ws).write_bytes(b"SQLite")
    code, out, err = check(capsys, ws)
    assert (code, out) == (1, clean)
    assert "not an SQLite database (truncated or foreign)" in err


def test_rows_that_do_not_decode_rebuild_the_index(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A snapshot that passes every check yet holds a row that does not decode (as if an
    older auditls had written it) is set aside and the run starts over, saying so."""
    code, clean, _ = check(capsys, ws)
    conn = sqlite3.connect(db(ws))
    conn.execute("UPDATE files SET extractor_errors = '[not json'")
    conn.commit()
    conn.close()
    snapfile.seal(str(db(ws)))
    # The findings cache would answer without reading a row (the files' states are the
    # cached ones): without it, the run reads them.
    (ws / ".auditls" / "check-findings.json").unlink()
    code, out, err = check(capsys, ws)
    assert (code, out) == (1, clean)
    assert "could not be read back (JSONDecodeError" in err
    assert "(set aside as index.db.corrupt); rebuilding the index" in err
    assert check(capsys, ws) == (1, clean, "")  # and the new snapshot is good


def test_a_stale_schema_is_rebuilt_with_a_message(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, clean, _ = check(capsys, ws)
    conn = sqlite3.connect(db(ws))
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    code, out, err = check(capsys, ws)
    assert (code, out) == (1, clean)
    assert "not used: its schema differs (another auditls version); rebuilding" in err
    assert not (ws / ".auditls" / "index.db.corrupt").exists()


def test_an_unwritable_store_directory_degrades_to_memory(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, out, err = check(capsys, ws)
    assert code == 1
    assert out.endswith("in 8 of 21 files.\n")
    assert "Read-only file system" in err
    assert err.rstrip().endswith("the index was kept in memory only")
    assert not db(ws).exists()


def test_a_full_disk_degrades_to_memory(ws: Path) -> None:
    """A real EFBIG from the file-size limit stands in for a full disk: no snapshot, no temp
    file, the report is complete."""

    # A shell sets the limit (32 KiB) and ignores SIGXFSZ, so writes fail with EFBIG.
    script = 'ulimit -f 32 && trap "" XFSZ && exec "$0" -m auditls check "$1" --jobs 1'
    done = subprocess.run(
        ["bash", "-c", script, sys.executable, str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.endswith("in 8 of 21 files.\n")
    assert "the index was kept in memory only" in done.stderr
    assert sorted(p.name for p in (ws / ".auditls").iterdir()) == [".gitignore", "lock"]


def test_a_second_writer_uses_memory_only(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ws / ".auditls").mkdir(mode=0o700)
    (ws / ".auditls" / "index.db.123.tmp").write_bytes(b"another writer's")
    with snapfile.writer_lock(ws / ".auditls"):
        code, out, err = check(capsys, ws)
        assert code == 1
        assert err == (
            "auditls: store: another auditls is writing the index of this workspace; "
            "using memory only\n"
        )
        assert not db(ws).exists()
        # A live writer's temp file is not a leftover.
        assert (ws / ".auditls" / "index.db.123.tmp").exists()
    assert check(capsys, ws) == (1, out, "")
    assert db(ws).exists()
    assert not (ws / ".auditls" / "index.db.123.tmp").exists()  # removed at start-up


def test_leftover_temp_files_are_removed_at_start_up(tmp_path: Path) -> None:
    directory = tmp_path / ".auditls"
    directory.mkdir()
    for name in ("index.db.a.tmp", ".gitignore.b.tmp", "index.db.corrupt", "keep.tmp"):
        (directory / name).write_bytes(b"x")
    with Store.open(tmp_path) as store:
        assert store.load_note == "no snapshot"
    assert sorted(p.name for p in directory.iterdir()) == ["index.db.corrupt", "keep.tmp", "lock"]


def test_rows_that_do_not_decode_while_another_writes_rebuild_in_memory(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, clean, _ = check(capsys, ws)
    conn = sqlite3.connect(db(ws))
    conn.execute("UPDATE files SET extractor_errors = '[not json'")
    conn.commit()
    conn.close()
    snapfile.seal(str(db(ws)))
    # The findings cache would answer without reading a row (the files' states are the
    # cached ones): without it, the run reads them.
    (ws / ".auditls" / "check-findings.json").unlink()
    bad = db(ws).read_bytes()
    with snapfile.writer_lock(ws / ".auditls"):
        code, out, err = check(capsys, ws)
    assert (code, out) == (1, clean)
    assert err.endswith("; rebuilding the index in memory only\n")
    assert db(ws).read_bytes() == bad  # left to the writer that holds the lock


def test_a_file_system_without_locks_still_gets_a_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with Store.open(tmp_path) as store:
        store.snapshot()
    with Store.open(tmp_path) as again:
        assert again.load_note == "loaded"


def _work_files(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / ".auditls").glob("index.db.*.work.tmp"))


def test_a_one_shot_store_works_on_a_copy_beside_the_snapshot_and_seals_it(ws: Path) -> None:
    """``Store.open(beside=True)`` (the CLI): the first write works on a copy of the snapshot
    file beside it; ``snapshot`` seals that copy and renames it over the old one; the next
    write copies again: the sealed file is never written in place."""
    assert cli.main(["index", str(ws), "--jobs", "1"]) == 0
    before = db(ws).read_bytes()
    with Store.open(ws, beside=True) as store:
        assert store.load_note == "loaded"
        paths = [row.path for row in store.files()]
        assert _work_files(ws) == []  # reading copies nothing
        store.remove_file(paths[0])
        assert len(_work_files(ws)) == 1
        assert db(ws).read_bytes() == before  # the snapshot is untouched until ``snapshot``
        store.snapshot()
        assert _work_files(ws) == []
        assert snapfile.verify(db(ws).read_bytes()) is None
        sealed = db(ws).read_bytes()
        assert [row.path for row in store.files()] == paths[1:]  # read from the new snapshot
        store.remove_file(paths[1])
        assert len(_work_files(ws)) == 1
        assert db(ws).read_bytes() == sealed
        store.snapshot()
    assert _work_files(ws) == []
    with Store.open(ws) as again:
        assert again.load_note == "loaded"
        assert [row.path for row in again.files()] == paths[2:]


def test_a_working_copy_closed_unsnapshotted_is_removed_and_the_snapshot_kept(ws: Path) -> None:
    assert cli.main(["index", str(ws), "--jobs", "1"]) == 0
    before = db(ws).read_bytes()
    with Store.open(ws, beside=True) as store:
        store.remove_file(store.files()[0].path)
        assert len(_work_files(ws)) == 1
    assert _work_files(ws) == []
    assert db(ws).read_bytes() == before


def test_a_live_working_copy_is_not_a_leftover_a_dead_one_is(ws: Path) -> None:
    assert cli.main(["index", str(ws), "--jobs", "1"]) == 0
    with Store.open(ws, beside=True) as store:
        store.remove_file(store.files()[0].path)
        live = _work_files(ws)
        assert len(live) == 1
        with Store.open(ws) as other:  # removes leftovers at start-up
            assert other.load_note == "loaded"
        assert _work_files(ws) == live
    # A killed run's copy: nobody holds it.
    (ws / ".auditls" / "index.db.dead.work.tmp").write_bytes(b"SQLite format 3\0")
    with Store.open(ws) as other:
        assert other.load_note == "loaded"
    assert _work_files(ws) == []


def test_a_working_copy_that_cannot_be_made_beside_falls_back_to_memory(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room beside the snapshot (a full disk: the kernel copy fails): the store copies it
    into SQLite's private database, and ``snapshot`` writes a new file as it always did."""
    import errno

    assert cli.main(["index", str(ws), "--jobs", "1"]) == 0

    def full(source: int, target: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapfile, "copy_fd", full)
    with Store.open(ws, beside=True) as store:
        paths = [row.path for row in store.files()]
        store.remove_file(paths[0])
        assert _work_files(ws) == []
        store.snapshot()
    with Store.open(ws) as again:
        assert [row.path for row in again.files()] == paths[1:]


@pytest.mark.parametrize("kernel", ["copies", "refuses"])
def test_copy_fd_copies_every_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: str
) -> None:
    import errno

    if kernel == "refuses":

        def cross_device(*args: object) -> int:
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", cross_device, raising=False)
    data = random.Random(7).randbytes(3 * (1 << 20) + 123)
    (tmp_path / "a").write_bytes(data)
    (tmp_path / "b").write_bytes(b"longer than nothing" * 400_000)
    source = os.open(tmp_path / "a", os.O_RDONLY)
    target = os.open(tmp_path / "b", os.O_RDWR)
    try:
        snapfile.copy_fd(source, target)
    finally:
        os.close(source)
        os.close(target)
    assert (tmp_path / "b").read_bytes() == data


def test_a_store_directory_swapped_for_a_link_gets_no_copy(ws: Path, tmp_path: Path) -> None:
    """``.auditls/`` replaced by a symlink after the snapshot was loaded: the working copy is
    not written through it (the store copies into its private database instead)."""
    assert cli.main(["index", str(ws), "--jobs", "1"]) == 0
    elsewhere = tmp_path / "elsewhere"
    with Store.open(ws, beside=True) as store:
        paths = [row.path for row in store.files()]
        shutil.move(ws / ".auditls", elsewhere)
        os.symlink(elsewhere, ws / ".auditls")
        store.remove_file(paths[0])
        assert list(elsewhere.glob("*.work.tmp")) == []
        assert [row.path for row in store.files()] == paths[1:]
