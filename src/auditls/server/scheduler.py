"""Scheduling on the event loop: debounce per key, run off the loop, drop stale results.

``Debouncer`` runs a callback once, ``delay`` after the last time it was asked for that key.

``Pipeline`` is how an open document gets analysed. For each key (a document URI):

1. ``submit(key, version, job, delay)`` records ``version`` as the latest and (re)arms the key's
   timer: a burst of keystrokes becomes one analysis.
2. When the timer fires, the job runs in the pipeline's executor, or the one given with it (a
   process, for a large buffer), never on the loop. Jobs of different keys queue there in the
   order their timers fired.
3. When the job returns, its result is delivered only if its version is still the latest
   submitted for the key and the key was not forgotten (the document closed); otherwise it is
   dropped. A result is never published for a version older than the buffer.
4. ``flush(key)`` fires a pending timer now (a save, or a client pulling diagnostics);
   ``settled(key)`` waits until the latest version was delivered or dropped.

Results of the store (files on disk) are kept in order by the store's single thread and checked
against the store's revision by the caller; see ``publish.apply``.

``Foreground`` counts the pipeline's jobs that run on a thread of this process (an open
document's analysis: what the user waits for). Both cores of a small machine are not the
interpreter's: a job running beside the store's thread, which runs the workspace rules over the
whole store after each save, gets about half of the interpreter, and its findings came late (a
save's p95 at 14,000 files was 85 ms for a 12 ms median). The store's thread waits for
``Foreground.wait_idle`` before each step of its work (``FolderEngine.step_aside``), so the
buffer's own findings go out first and the workspace rules' update follows.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

log = logging.getLogger(__name__)


class Debouncer(Generic[K]):
    """Per-key timers on the running loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._timers: dict[K, tuple[asyncio.TimerHandle, Callable[[], None]]] = {}

    def schedule(self, key: K, delay: float, callback: Callable[[], None]) -> None:
        """Run ``callback`` ``delay`` seconds from now, replacing what was pending for ``key``."""
        self.cancel(key)
        handle = self._loop.call_later(max(0.0, delay), self._fire, key)
        self._timers[key] = (handle, callback)

    def _fire(self, key: K) -> None:
        entry = self._timers.pop(key, None)
        if entry is not None:
            entry[1]()

    def flush(self, key: K) -> bool:
        """Run the pending callback of ``key`` now; False when nothing was pending."""
        entry = self._timers.pop(key, None)
        if entry is None:
            return False
        entry[0].cancel()
        entry[1]()
        return True

    def pending(self, key: K) -> bool:
        return key in self._timers

    def cancel(self, key: K) -> None:
        entry = self._timers.pop(key, None)
        if entry is not None:
            entry[0].cancel()

    def cancel_all(self) -> None:
        for handle, _ in self._timers.values():
            handle.cancel()
        self._timers.clear()


class Foreground:
    """How many foreground jobs run now; another thread can wait until none does."""

    def __init__(self) -> None:
        self._idle = threading.Condition()
        self._running = 0

    def enter(self) -> None:
        with self._idle:
            self._running += 1

    def leave(self) -> None:
        with self._idle:
            self._running -= 1
            if self._running <= 0:
                self._running = 0
                self._idle.notify_all()

    @property
    def busy(self) -> bool:
        return self._running > 0

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no foreground job runs, at most ``timeout`` seconds (so that a job that
        never ends cannot stop the caller); False when one still runs."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)


@dataclass(slots=True)
class _KeyState(Generic[R]):
    latest: int  # the latest version submitted
    job: Callable[[], R] | None = None  # the job of the latest version, until it starts
    executor: Executor | None = None  # where that job runs (None: the pipeline's)
    running: int | None = None  # the version whose job is in the executor
    settled: asyncio.Event = field(default_factory=asyncio.Event)


class Pipeline(Generic[K, R]):
    """Debounced, versioned jobs in an executor; see the module docstring."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        executor: Executor,
        deliver: Callable[[K, int, R], None],
        foreground: Foreground | None = None,
    ) -> None:
        self._loop = loop
        self._executor = executor
        self._deliver = deliver
        #: Counts the jobs run in the pipeline's own executor (not a process's: those do not
        #: share this interpreter), from their start to their delivery.
        self._foreground = foreground
        self._timers: Debouncer[K] = Debouncer(loop)
        self._keys: dict[K, _KeyState[R]] = {}
        #: Jobs run, results delivered and results dropped as stale (for tests and status).
        self.stats = {"run": 0, "delivered": 0, "dropped": 0}

    def submit(
        self,
        key: K,
        version: int,
        job: Callable[[], R],
        delay: float,
        executor: Executor | None = None,
    ) -> None:
        """``job`` runs in ``executor`` (default: the pipeline's); a process pool needs a
        picklable job."""
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _KeyState(latest=version)
        state.latest = version
        state.job = job
        state.executor = executor
        state.settled.clear()
        self._timers.schedule(key, delay, lambda: self._start(key))

    def flush(self, key: K) -> None:
        self._timers.flush(key)

    def forget(self, key: K) -> None:
        """Drop everything pending for ``key``; a running job's result will be dropped."""
        self._timers.cancel(key)
        state = self._keys.pop(key, None)
        if state is not None:
            state.settled.set()

    def close(self) -> None:
        self._timers.cancel_all()
        for state in self._keys.values():
            state.settled.set()
        self._keys.clear()

    async def settled(self, key: K) -> None:
        """Wait until the latest version of ``key`` was delivered or dropped."""
        state = self._keys.get(key)
        if state is not None:
            self.flush(key)
            await state.settled.wait()

    async def wait_settled(self, key: K) -> None:
        """``settled`` without hurrying a pending timer."""
        state = self._keys.get(key)
        if state is not None:
            await state.settled.wait()

    def busy(self, key: K) -> bool:
        """Whether a version of ``key`` waits or runs."""
        state = self._keys.get(key)
        return state is not None and not state.settled.is_set()

    def is_current(self, key: K, version: int) -> bool:
        state = self._keys.get(key)
        return state is not None and state.latest == version

    def _start(self, key: K) -> None:
        state = self._keys.get(key)
        if state is None or state.job is None:
            return
        if state.running is not None:
            return  # the running job's completion starts the latest one
        job, version = state.job, state.latest
        executor = state.executor or self._executor
        state.job = None
        state.running = version
        self.stats["run"] += 1
        foreground = self._foreground if state.executor is None else None
        if foreground is not None:
            foreground.enter()
        future = self._loop.run_in_executor(executor, job)
        future.add_done_callback(lambda f: self._finished(key, state, version, f, foreground))

    def _finished(
        self,
        key: K,
        state: _KeyState[R],
        version: int,
        future: asyncio.Future[R],
        foreground: Foreground | None = None,
    ) -> None:
        try:
            self._complete(key, state, version, future)
        finally:
            if foreground is not None:
                foreground.leave()  # delivered (published) or dropped

    def _complete(
        self, key: K, state: _KeyState[R], version: int, future: asyncio.Future[R]
    ) -> None:
        state.running = None
        current = self._keys.get(key) is state
        ok = False
        if not future.cancelled():
            exc = future.exception()
            if exc is None:
                ok = True
            else:
                log.error("analysis of %s failed: %s: %s", key, type(exc).__name__, exc)
        if current and ok and state.latest == version:
            self.stats["delivered"] += 1
            try:
                self._deliver(key, version, future.result())
            except Exception:
                log.exception("delivering the analysis of %s failed", key)
        else:
            self.stats["dropped"] += 1
        if not current:
            return
        if state.job is not None:
            if not self._timers.pending(key):
                self._start(key)  # a newer version whose timer fired while this one ran
        else:
            state.settled.set()
