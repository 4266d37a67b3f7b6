"""The watchdog bridge (server/watch.py), on a real directory with real inotify events.

Waits are on the batches the watcher delivers, with a deadline. Absence is checked by ordering:
an event that must be ignored happens before one that must be heard, and watchdog delivers them
in order, so by the time the second one's batch arrives the first one would have been there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from auditls.server.watch import Watcher, relevant

DEADLINE = 10.0


@pytest.mark.parametrize(
    ("rel", "is_dir", "kind", "expected"),
    [
        ("pkg/mod.py", False, "modified", True),
        ("pkg/notes.txt", False, "modified", False),
        ("pyproject.toml", False, "modified", True),
        ("pyproject.toml", False, "opened", False),
        ("pyproject.toml", False, "closed_no_write", False),
        ("pkg/mod.py", False, "opened", False),
        ("pkg/mod.py", False, "closed", True),
        ("pkg/.gitignore", False, "created", True),
        ("pkg/__pycache__/mod.py", False, "created", False),
        (".git/index.py", False, "modified", False),
        ("node_modules/x/y.py", False, "created", False),
        ("pkg/sub", True, "created", True),
        ("pkg/sub", True, "deleted", True),
        ("pkg/sub", True, "modified", False),
    ],
)
def test_relevant(rel: str, is_dir: bool, kind: str, expected: bool) -> None:
    root = Path("/ws")
    assert relevant(root, f"/ws/{rel}", is_dir, kind) is expected
    assert relevant(root, f"/elsewhere/{rel}", is_dir, kind) is False


class Recorder:
    def __init__(self) -> None:
        self.batches: list[set[Path]] = []
        self.overflows = 0
        self.event = asyncio.Event()

    def paths(self, batch: set[Path]) -> None:
        self.batches.append(batch)
        self.event.set()

    def overflow(self) -> None:
        self.overflows += 1
        self.event.set()

    def heard(self) -> set[Path]:
        return set().union(*self.batches)

    async def until(self, check: object, what: str) -> None:
        assert callable(check)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while not check():
            self.event.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}; heard {self.batches}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), remaining)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ws = (tmp_path / "ws").resolve()
    (ws / "pkg").mkdir(parents=True)
    (ws / ".venv").mkdir()
    return ws


@pytest.fixture
async def watched(root: Path) -> AsyncIterator[tuple[Watcher, Recorder]]:
    recorder = Recorder()
    watcher = Watcher(
        root, asyncio.get_running_loop(), recorder.paths, recorder.overflow, delay=0.2
    )
    watcher.start()
    try:
        yield watcher, recorder
    finally:
        watcher.stop()


async def test_writes_are_coalesced_and_noise_is_ignored(
    root: Path, watched: tuple[Watcher, Recorder]
) -> None:
    _, rec = watched
    (root / ".venv" / "site.py").write_text("x = 1\n")
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "mod.py").write_text("x = 1\n")
    (root / "pkg" / "notes.txt").write_text("hello\n")
    target = root / "pkg" / "mod.py"
    for i in range(5):
        target.write_text(f"x = {i}\n")
    await rec.until(lambda: target in rec.heard(), "pkg/mod.py")
    assert rec.heard() == {target}
    assert sum(target in batch for batch in rec.batches) == 1  # five writes, one change


async def test_reading_a_file_is_not_a_change(
    root: Path, watched: tuple[Watcher, Recorder]
) -> None:
    _, rec = watched
    config = root / "pyproject.toml"
    config.write_text("[tool.auditls]\n")
    await rec.until(lambda: config in rec.heard(), "the write")
    heard = len(rec.batches)
    for _ in range(3):
        config.read_text()
        (root / "pkg").joinpath("mod.py").exists()
    # A later write is heard alone: the reads before it made no batch of their own.
    marker = root / "pkg" / "marker.py"
    marker.write_text("x = 1\n")
    await rec.until(lambda: marker in rec.heard(), "the marker")
    assert [config in batch for batch in rec.batches[heard:]] == [False]


async def test_moves_and_deletions(root: Path, watched: tuple[Watcher, Recorder]) -> None:
    _, rec = watched
    old, new = root / "pkg" / "old.py", root / "pkg" / "new.py"
    old.write_text("x = 1\n")
    await rec.until(lambda: old in rec.heard(), "the new file")
    os.rename(old, new)
    await rec.until(lambda: new in rec.heard() and len(rec.batches) >= 2, "the move")
    assert old in rec.batches[-1]  # both ends of the move
    new.unlink()
    count = len(rec.batches)
    await rec.until(lambda: len(rec.batches) > count and new in rec.batches[-1], "the delete")


async def test_a_new_top_level_directory_is_watched(
    root: Path, watched: tuple[Watcher, Recorder]
) -> None:
    _, rec = watched
    fresh = root / "fresh"
    fresh.mkdir()
    await rec.until(lambda: fresh in rec.heard(), "the new directory")
    later = fresh / "later.py"
    later.write_text("x = 1\n")
    await rec.until(lambda: later in rec.heard(), "a file in the new directory")


async def test_no_symlink_is_followed_out_of_the_workspace(tmp_path: Path, root: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    rec = Recorder()
    watcher = Watcher(root, asyncio.get_running_loop(), rec.paths, rec.overflow, delay=0.1)
    watcher.start()
    try:
        (outside / "secret.py").write_text("x = 1\n")
        marker = root / "pkg" / "marker.py"
        marker.write_text("x = 1\n")
        await rec.until(lambda: marker in rec.heard(), "the marker")
        assert rec.heard() == {marker}
    finally:
        watcher.stop()
        shutil.rmtree(outside)


async def test_too_many_pending_paths_is_an_overflow(root: Path) -> None:
    rec = Recorder()
    watcher = Watcher(
        root, asyncio.get_running_loop(), rec.paths, rec.overflow, delay=5.0, max_pending=3
    )
    watcher.start()
    try:
        for i in range(5):
            (root / "pkg" / f"m{i}.py").write_text("x = 1\n")
        await rec.until(lambda: rec.overflows > 0, "an overflow")
        assert rec.batches == []  # the pending paths were dropped: the caller reconciles
    finally:
        watcher.stop()


async def test_a_kernel_queue_overflow_is_heard(watched: tuple[Watcher, Recorder]) -> None:
    watcher, rec = watched
    # What watchdog's inotify module logs (and all it does) when the kernel drops events.
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost"
    )
    await rec.until(lambda: rec.overflows == 1, "the overflow")
    assert watcher.overflows == 1


async def test_stop_stops(root: Path, watched: tuple[Watcher, Recorder]) -> None:
    watcher, _rec = watched
    watcher.stop()
    assert not watcher.running
    watcher.stop()  # twice is fine


async def test_a_file_event_lets_the_open_buffers_analysis_go_first() -> None:
    """A watcher's event for a file open in the editor (the editor's save wrote it) waits for
    the buffer's analysis before the store re-indexes the file; other files do not wait."""
    from types import SimpleNamespace

    from auditls.server.file_events import open_buffers_first

    analysed = asyncio.Event()
    waited: list[str] = []

    class Pipeline:
        async def wait_settled(self, uri: str) -> None:
            await analysed.wait()
            waited.append(uri)

    opened = SimpleNamespace(uri="file:///ws/app.py", path=Path("/ws/app.py"))
    ls = SimpleNamespace(
        pipeline=Pipeline(),
        documents={opened.uri: opened},
        settings_for=lambda folder: SimpleNamespace(debounce=0.0),
    )
    other = asyncio.create_task(open_buffers_first(ls, None, {Path("/ws/other.py")}))  # type: ignore[arg-type]
    await asyncio.wait_for(other, 15.0)  # not open: no wait at all
    first = asyncio.create_task(open_buffers_first(ls, None, {Path("/ws/app.py")}))  # type: ignore[arg-type]
    done, _ = await asyncio.wait({first}, timeout=0.2)
    assert not done  # still waiting for the analysis
    analysed.set()
    await asyncio.wait_for(first, 15.0)
    assert waited == ["file:///ws/app.py"]
