"""Refreshes asked for while one waits for the store's thread are merged into it
(``FolderEngine.refresh_batched``, ``update_batched``): saves, closes and buffers faster than
the store re-indexes queue one job, not one each (the soak's daemon held 1,250 queued jobs and
the documents they named)."""

from __future__ import annotations

import asyncio
import functools
import threading
from pathlib import Path

import pytest
from test_server_engine import APP, VIEWS  # a Flask app whose views a workspace rule checks

from auditls.config import Config
from auditls.extractors import extract, module_name_for
from auditls.index.workers import content_hash
from auditls.server import engine as engine_module
from auditls.server.convert import Prepared
from auditls.server.documents import buffer_bytes
from auditls.server.engine import Buffer, Changes, FolderEngine, _Batch

EVAL = "def f(code):\n    return eval(code)\n"


async def test_refreshes_asked_while_one_waits_are_merged(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    for name in ("a", "b", "c", "d"):
        (root / f"{name}.py").write_text("x = 1\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    try:
        await engine.run(engine.open)
        await engine.run(engine.index)
        refreshed: list[set[str]] = []
        real = engine.update

        def recording(paths: set[Path], buffers: dict[str, object]) -> object:
            refreshed.append({p.name for p in paths})
            return real(paths, buffers)  # type: ignore[arg-type]

        engine.update = recording  # type: ignore[method-assign]
        gate = threading.Event()
        blocked = asyncio.ensure_future(engine.run(gate.wait))  # the store's thread is busy
        for name in ("a", "b", "c"):
            (root / f"{name}.py").write_text(EVAL)
        waiting = [
            asyncio.ensure_future(engine.refresh_batched({root / f"{name}.py"}))
            for name in ("a", "b", "c")
        ]
        await asyncio.sleep(0)  # let them all join (no thread can start the batch yet)
        gate.set()
        await blocked
        results = await asyncio.gather(*waiting)
        assert refreshed == [{"a.py", "b.py", "c.py"}]  # one refresh for the three
        assert all(r is results[0] for r in results)  # the same Changes for every caller
        assert sorted(results[0].updated) == ["a.py", "b.py", "c.py"]
        # Once a batch has started, a new call starts a new one.
        (root / "d.py").write_text(EVAL)
        later = await engine.refresh_batched({root / "d.py"})
        assert refreshed[-1] == {"d.py"}
        assert sorted(later.updated) == ["d.py"]
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()


def buffer(root: Path, rel: str, text: str) -> Buffer:
    data = buffer_bytes(text)
    facts = extract(data, rel, module=module_name_for(root / rel, root))
    assert facts.status == "ok"
    return Buffer(facts, text, content_hash(data))


async def test_buffers_closes_and_saves_asked_while_one_waits_are_one_job(tmp_path: Path) -> None:
    """A buffer laid over, a close and a save that come while the store's thread is busy wait
    as one job (the soak's daemon queued a ``drop_buffer`` per close and a ``set_buffers`` per
    analysis, each running the workspace rules, and fell ever further behind); per path, the
    last of them wins: a buffer sent, then its document closed, leaves the disk's file."""
    root = tmp_path.resolve()
    for name in ("a", "b", "c"):
        (root / f"{name}.py").write_text("x = 1\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    try:
        await engine.run(engine.open)
        await engine.run(engine.index)
        calls: list[tuple[set[str], dict[str, bool]]] = []
        real = engine.update

        def recording(paths: set[Path], buffers: dict[str, Buffer | None]) -> Changes:
            calls.append(({p.name for p in paths}, {k: v is not None for k, v in buffers.items()}))
            return real(paths, buffers)

        engine.update = recording  # type: ignore[method-assign]
        gate = threading.Event()
        blocked = asyncio.ensure_future(engine.run(gate.wait))  # the store's thread is busy
        (root / "c.py").write_text(EVAL)
        waiting = [
            asyncio.ensure_future(
                engine.update_batched(buffers={"a.py": buffer(root, "a.py", EVAL)})
            ),
            asyncio.ensure_future(engine.refresh_batched({root / "c.py"})),
            asyncio.ensure_future(engine.update_batched(paths={root / "a.py"}, dropped=["a.py"])),
            asyncio.ensure_future(
                engine.update_batched(buffers={"b.py": buffer(root, "b.py", EVAL)})
            ),
        ]
        await asyncio.sleep(0)  # let them all join (no thread can start the batch yet)
        gate.set()
        await blocked
        results = await asyncio.wait_for(asyncio.gather(*waiting), 60)
        assert calls == [({"a.py", "c.py"}, {"a.py": False, "b.py": True})]
        assert all(r is results[0] for r in results)
        assert sorted(results[0].updated) == ["c.py"]  # the disk's findings: c.py was saved
        assert engine.overlaid() == ["b.py"]  # a.py closed: the disk's file again
        # Once a batch has started, a new call starts a new one: the close of b.py.
        after = await asyncio.wait_for(engine.update_batched(dropped=["b.py"]), 60)
        assert calls[-1] == (set(), {"b.py": False})
        assert engine.overlaid() == []
        assert after.revision >= results[0].revision
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()


def stepped_batch(root: Path, step: int) -> tuple[Changes, list[str], list[list[str]]]:
    """A batch of five saves (one of them makes a workspace finding in another file), a
    buffer laid over and one handed back, run with ``BATCH_STEP = step``: its changes, the
    overlaid paths after, and what each ``update`` was given."""
    root = root.resolve()
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text(APP)
    (root / "pkg" / "views.py").write_text(VIEWS)
    for name in ("a", "b", "c", "d", "e"):
        (root / f"{name}.py").write_text("x = 1\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    engine.open()
    try:
        engine.index()
        engine.set_buffers({"e.py": buffer(root, "e.py", EVAL)})
        for name in ("a", "b", "c"):
            (root / f"{name}.py").write_text(EVAL)
        (root / "pkg" / "__init__.py").write_text(APP.replace("@login_required\n", ""))
        steps: list[list[str]] = []
        real = engine._update

        def recording(paths: set[Path], buffers: dict[str, Buffer | None]) -> Changes:
            names = sorted(str(p.relative_to(root)) for p in paths)
            steps.append(names + [f"{k}:{'laid' if v else 'dropped'}" for k, v in buffers.items()])
            return real(paths, buffers)

        engine._update = recording  # type: ignore[method-assign]
        paths = {root / f"{name}.py" for name in ("a", "b", "c", "d")} | {root / "pkg/__init__.py"}
        buffers: dict[str, Buffer | None] = {"d.py": buffer(root, "d.py", EVAL), "e.py": None}
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "BATCH_STEP", step)
            changes = engine._run_batch(_Batch(paths=paths, buffers=buffers))
        return changes, engine.overlaid(), steps
    finally:
        engine.close()
        engine.shutdown_thread()


def test_a_large_batch_runs_in_steps_with_the_same_changes(tmp_path: Path) -> None:
    """A batch over ``BATCH_STEP`` paths and buffers is re-indexed a few at a time (a merged
    batch of hundreds of files held all their facts and findings at once), with the same
    changes as in one go: the buffer handed back first, then the paths spread over the steps
    (every n-th), then the buffer laid over."""
    whole, whole_overlaid, whole_steps = stepped_batch(tmp_path / "whole", 100)
    stepped, overlaid, steps = stepped_batch(tmp_path / "stepped", 2)
    assert len(whole_steps) == 1
    assert steps == [
        ["a.py", "e.py:dropped"],  # the buffer handed back first, then the paths, spread
        ["b.py", "d.py"],
        ["c.py", "pkg/__init__.py"],
        ["d.py:laid"],
    ]

    def summary(changes: Changes) -> object:
        return (
            {rel: rules(found) for rel, found in changes.updated.items()},
            changes.removed,
            {rel: rules(found) for rel, found in changes.workspace.items()},
        )

    assert summary(stepped) == summary(whole)
    assert summary(whole)[2] == {"pkg/views.py": []}  # no login check left to miss (AUD304)
    assert sorted(whole.updated) == ["a.py", "b.py", "c.py", "pkg/__init__.py"]
    assert overlaid == whole_overlaid == ["d.py"]


def rules(prepared: list[Prepared]) -> list[str]:
    return sorted(p.finding.rule for p in prepared)


async def test_one_task_waits_for_a_batch_however_many_events_joined_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``publish.apply_when_done``: events merged into one batch (``FolderEngine.enqueue``)
    spawn one waiter, which applies the batch's changes once and then runs each event's
    follow-up; a task per event held 11,000 coroutines through a soak's long batch."""
    from types import SimpleNamespace

    from auditls.server import publish

    root = tmp_path.resolve()
    for name in ("a", "b", "c"):
        (root / f"{name}.py").write_text("x = 1\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    applied: list[Changes] = []
    monkeypatch.setattr(publish, "apply", lambda ls, folder, changes: applied.append(changes))
    spawned: list[asyncio.Task[None]] = []

    def spawn(coro: object, name: str) -> asyncio.Task[None]:
        spawned.append(asyncio.ensure_future(coro))  # type: ignore[arg-type]
        return spawned[-1]

    ls = SimpleNamespace(spawn=spawn, batches_applied=0)
    folder = SimpleNamespace(waiting={})
    try:
        await engine.run(engine.open)
        await engine.run(engine.index)
        gate = threading.Event()
        blocked = asyncio.ensure_future(engine.run(gate.wait))  # the store's thread is busy
        followed: list[str] = []
        batches = set()
        for name in ("a", "b", "c") * 20:  # sixty events for three files
            (root / f"{name}.py").write_text(EVAL)
            batch = engine.enqueue(paths={root / f"{name}.py"})
            batches.add(batch)
            then = functools.partial(followed.append, name)
            publish.apply_when_done(ls, folder, batch, then)  # type: ignore[arg-type]
        assert len(batches) == 1  # one batch
        assert len(spawned) == 1  # one waiter
        gate.set()
        await blocked
        await asyncio.wait_for(spawned[0], 60)
        assert len(applied) == 1
        assert sorted(applied[0].updated) == ["a.py", "b.py", "c.py"]
        assert followed == ["a", "b", "c"] * 20  # each event's follow-up, in order, after it
        assert folder.waiting == {}  # nothing kept once the batch is applied
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()
