"""Giving memory back to the system: the daemon's resident set follows what it holds.

Two things kept the daemon's resident set growing through an edit/save soak while what it held
did not (``bench/soak.py --count-objects``, BENCHMARKS.md "Sixth session", soak):

1. **Free memory glibc keeps.** A store batch (re-extraction, the taint engine's update, the
   linker rebuilt, the workspace rules) and a buffer's analysis allocate tens of megabytes and
   free them; glibc's malloc keeps the freed pages of its heaps (one per thread: the store's,
   the analyses', the loop's) and gives back only the top of a heap, past a threshold that it
   raises after each large free. After 300 soak cycles ``malloc_trim(0)`` gave back 56 MB
   (294 -> 238 MB, below the 251 MB after warm-up), ``gc.collect()`` nothing. ``Trimmer``
   calls it after a store batch: always when no other batch waits (the store goes idle),
   else at most once per ``TRIM_INTERVAL`` seconds (the store runs behind the saves).
2. **Cycles among frozen objects.** What a full index builds is frozen out of the collector's
   generations (``engine.FolderEngine.index``: ``gc.freeze``), so that a save's full
   collections do not walk it; but a frozen object that becomes part of an unreachable cycle is
   never collected, nor what it holds (the next index's ``gc.freeze`` froze the previous
   index's garbage for good). ``refreeze`` collects first, then freezes: after each full index
   and before each snapshot (after ``publish.SNAPSHOT_IDLE`` seconds without a change).

What ``refreeze`` cannot do is free a frozen cycle before it runs (after 500 store batches,
on an idle folder: a soak without think time never idles). So what a save replaces must not be
held in a cycle: the Django model and its settings referred to each other, and a batch of 340
files left the old model, its linker and every Django file's facts frozen (126,000 objects,
17 MB shallow; ``models.django.settings.Settings`` now holds the linker). To look for another:
``bench/soak.py --count-objects`` (what grew, by type) or a ``gc.DEBUG_SAVEALL`` collection
after ``gc.unfreeze()`` (what was frozen garbage, and its cycles).

Elsewhere than glibc (macOS, Windows, musl) ``trim`` does nothing.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: Seconds between two ``malloc_trim`` calls at least while batches follow one another: one
#: costs milliseconds (it walks the free chunks of every heap, the GIL released), and the pages
#: it gives back are faulted in again by the next batch.
TRIM_INTERVAL = 2.0


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl, or no glibc of that name
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def trim() -> bool:
    """Give the free pages of every malloc heap back to the system; whether it could."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


class Trimmer:
    """``trim`` at most once per ``interval`` seconds, from any thread."""

    def __init__(
        self, interval: float = TRIM_INTERVAL, clock: Callable[[], float] = time.monotonic
    ):
        self.interval = interval
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()
        self.trims = 0  # how many times it trimmed (for tests and the status)

    def maybe(self, *, force: bool = False) -> bool:
        """Trim unless the last trim is more recent than ``interval`` (``force``: trim anyway,
        the work is over for now); whether it did."""
        with self._lock:
            now = self._clock()
            if not force and self._last is not None and now - self._last < self.interval:
                return False
            self._last = now
        trim()
        self.trims += 1
        return True


#: The process's trimmer (the heaps are the process's, whichever folder freed them).
TRIMMER = Trimmer()


def refreeze() -> int:
    """Collect the unreachable cycles among frozen objects, then freeze what lives (see the
    module's docstring); the number of objects collected. A full collection: run it where
    a pause of a few hundred milliseconds is not felt (after an index, on an idle folder)."""
    gc.unfreeze()
    collected = gc.collect()
    gc.freeze()
    return collected
