"""Debounce per key, analysis off the loop, stale results dropped (server/scheduler.py).

The jobs block on events the test controls, so every ordering below is forced, not hoped for.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from auditls.server.scheduler import Debouncer, Foreground, Pipeline

DEADLINE = 5.0


@pytest.fixture
def pool() -> ThreadPoolExecutor:
    with ThreadPoolExecutor(1) as executor:
        yield executor


async def test_debouncer_runs_once_after_the_last_call() -> None:
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    calls: list[str] = []

    def call(label: str) -> Callable[[], None]:
        def run() -> None:
            calls.append(label)
            done.set()

        return run

    debouncer: Debouncer[str] = Debouncer(loop)
    for label in ("a", "b", "c"):
        debouncer.schedule("doc", 0.05, call(label))
    debouncer.schedule("other", 60, call("never"))
    await asyncio.wait_for(done.wait(), DEADLINE)
    assert calls == ["c"]
    assert debouncer.pending("other")
    debouncer.cancel_all()
    assert not debouncer.pending("other")


async def test_flush_runs_now() -> None:
    loop = asyncio.get_running_loop()
    calls: list[int] = []
    debouncer: Debouncer[str] = Debouncer(loop)
    debouncer.schedule("doc", 60, lambda: calls.append(1))
    assert debouncer.flush("doc") is True
    assert calls == [1]
    assert debouncer.flush("doc") is False


class Delivered:
    def __init__(self) -> None:
        self.items: list[tuple[str, int, str]] = []
        self.event = asyncio.Event()

    def __call__(self, key: str, version: int, result: str) -> None:
        self.items.append((key, version, result))
        self.event.set()


async def test_a_burst_of_versions_is_one_job(pool: ThreadPoolExecutor) -> None:
    loop = asyncio.get_running_loop()
    delivered = Delivered()
    pipeline: Pipeline[str, str] = Pipeline(loop, pool, delivered)
    ran: list[int] = []

    def job(version: int) -> Callable[[], str]:
        def run() -> str:
            ran.append(version)
            return f"v{version}"

        return run

    for version in range(1, 6):
        pipeline.submit("doc", version, job(version), delay=0.05)
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)
    assert ran == [5]
    assert delivered.items == [("doc", 5, "v5")]


async def test_a_result_for_an_older_version_is_dropped(pool: ThreadPoolExecutor) -> None:
    loop = asyncio.get_running_loop()
    delivered = Delivered()
    pipeline: Pipeline[str, str] = Pipeline(loop, pool, delivered)
    started = threading.Event()
    release = threading.Event()

    def slow() -> str:
        started.set()
        release.wait(DEADLINE)
        return "old"

    pipeline.submit("doc", 1, slow, delay=0)
    await loop.run_in_executor(None, started.wait, DEADLINE)
    pipeline.submit("doc", 2, lambda: "new", delay=0)  # arrives while version 1 runs
    pipeline.flush("doc")  # version 2's timer fires now: it must wait for the running job
    release.set()
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)
    assert delivered.items == [("doc", 2, "new")]
    assert pipeline.stats == {"run": 2, "delivered": 1, "dropped": 1}


async def test_settled_flushes_a_pending_timer(pool: ThreadPoolExecutor) -> None:
    loop = asyncio.get_running_loop()
    delivered = Delivered()
    pipeline: Pipeline[str, str] = Pipeline(loop, pool, delivered)
    pipeline.submit("doc", 1, lambda: "r", delay=60)
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)
    assert delivered.items == [("doc", 1, "r")]


async def test_a_forgotten_key_delivers_nothing(pool: ThreadPoolExecutor) -> None:
    loop = asyncio.get_running_loop()
    delivered = Delivered()
    pipeline: Pipeline[str, str] = Pipeline(loop, pool, delivered)
    started = threading.Event()
    release = threading.Event()

    def slow() -> str:
        started.set()
        release.wait(DEADLINE)
        return "late"

    pipeline.submit("doc", 1, slow, delay=0)
    await loop.run_in_executor(None, started.wait, DEADLINE)
    pipeline.forget("doc")  # the document closed
    release.set()
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)  # nothing to wait for
    # Let the job's completion callback run on the loop.
    pipeline.submit("other", 1, lambda: "x", delay=0)
    await asyncio.wait_for(pipeline.settled("other"), DEADLINE)
    assert delivered.items == [("other", 1, "x")]
    assert pipeline.stats["dropped"] == 1


async def test_a_failing_job_settles_and_the_next_version_runs(pool: ThreadPoolExecutor) -> None:
    loop = asyncio.get_running_loop()
    delivered = Delivered()
    pipeline: Pipeline[str, str] = Pipeline(loop, pool, delivered)

    def boom() -> str:
        raise ValueError("bad input")

    pipeline.submit("doc", 1, boom, delay=0)
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)
    assert delivered.items == []
    pipeline.submit("doc", 2, lambda: "ok", delay=0)
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)
    assert delivered.items == [("doc", 2, "ok")]
    assert pipeline.is_current("doc", 2)
    assert not pipeline.is_current("doc", 1)


async def test_the_store_can_wait_while_a_foreground_job_runs(pool: ThreadPoolExecutor) -> None:
    """``Foreground`` counts the pipeline's jobs from their start to their delivery; another
    thread (the store's) waits in ``wait_idle`` until none runs, at most its timeout."""
    loop = asyncio.get_running_loop()
    foreground = Foreground()
    release = threading.Event()
    started = threading.Event()
    delivered: list[tuple[str, int, str]] = []
    idle_at_delivery: list[bool] = []

    def deliver(key: str, version: int, result: str) -> None:
        idle_at_delivery.append(foreground.busy)
        delivered.append((key, version, result))

    pipeline: Pipeline[str, str] = Pipeline(loop, pool, deliver, foreground)

    def job() -> str:
        started.set()
        release.wait(DEADLINE)
        return "found"

    pipeline.submit("doc", 1, job, 0.0)
    assert await loop.run_in_executor(None, started.wait, DEADLINE)
    assert foreground.busy
    # The store's thread, asking now, is told to wait (here: it gives up at its timeout).
    assert not await loop.run_in_executor(None, foreground.wait_idle, 0.01)
    waiter = loop.run_in_executor(None, foreground.wait_idle, DEADLINE)
    release.set()
    assert await asyncio.wait_for(waiter, DEADLINE)  # woken once the job was delivered
    await asyncio.wait_for(pipeline.settled("doc"), DEADLINE)
    assert delivered == [("doc", 1, "found")]
    assert idle_at_delivery == [True]  # still counted while its findings are published
    assert not foreground.busy
    # A job in another executor (a worker process, for a large buffer) is not counted.
    other, big_started = threading.Event(), threading.Event()

    def big() -> str:
        big_started.set()
        other.wait(DEADLINE)
        return "big"

    with ThreadPoolExecutor(1) as elsewhere:
        pipeline.submit("big", 1, big, 0.0, elsewhere)
        assert await loop.run_in_executor(None, big_started.wait, DEADLINE)
        assert foreground.wait_idle(0)
        other.set()
        await asyncio.wait_for(pipeline.settled("big"), DEADLINE)
