"""Yield points: long work on a background thread lets more urgent work in this process run.

The daemon's store thread runs long steps (a file extracted again, the taint engine brought up
to date, the workspace rules) while the user waits for an open buffer's findings on another
thread. Both need the interpreter: a thread that holds it is made to let go only every few
milliseconds, so the buffer's analysis got about half of it and its findings came late (a save
right after a large file's: 55 ms for a 10 ms analysis). Long loops call ``point()`` between two
items of work; the thread doing them may have a hook (``hooked``) that waits there while more
urgent work runs (the server's: ``FolderEngine.step_aside``, bounded). Without a hook (the CLI,
tests, workers) ``point()`` does nothing but one lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_local = threading.local()


def point() -> None:
    """A place where this thread's work may wait for more urgent work."""
    hook: Callable[[], object] | None = getattr(_local, "hook", None)
    if hook is not None:
        hook()


@contextmanager
def hooked(hook: Callable[[], object]) -> Iterator[None]:
    """``point()`` calls ``hook`` on this thread while the block runs."""
    previous = getattr(_local, "hook", None)
    _local.hook = hook
    try:
        yield
    finally:
        _local.hook = previous
