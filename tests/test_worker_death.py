"""Worker processes die with their parent, even one killed outright (``kill -9``): the
indexer's workers and the server's worker for large buffers use the same initializer
(``auditls.index.workers.start_worker``)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap

import pytest

from auditls.index.workers import start_worker
from auditls.server.app import create_server

#: A parent that starts a worker as the server does (spawned, ``start_worker``), prints its
#: pid once it has run a job, then waits to be killed.
PARENT = textwrap.dedent(
    """
    import multiprocessing, os, sys
    from concurrent.futures import ProcessPoolExecutor
    from auditls.index.workers import start_worker

    if __name__ == "__main__":
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(1, mp_context=context, initializer=start_worker)
        print(pool.submit(os.getpid).result(), flush=True)
        sys.stdin.read()
    """
)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="pidfd_open: Linux 5.3+")
def test_a_worker_dies_with_its_killed_parent(tmp_path: os.PathLike[str]) -> None:
    script = os.path.join(tmp_path, "parent.py")
    with open(script, "w", encoding="utf-8") as out:
        out.write(PARENT)
    with subprocess.Popen(
        [sys.executable, "-P", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=tmp_path,
    ) as parent:
        try:
            assert parent.stdout is not None
            worker = int(parent.stdout.readline())
            watch = os.pidfd_open(worker)
            try:
                parent.send_signal(signal.SIGKILL)
                parent.wait(timeout=30)
                # The worker's pidfd becomes readable when it exits: an event, with a deadline.
                ready, _, _ = select.select([watch], [], [], 30)
                assert ready == [watch], "the worker outlived its killed parent"
            finally:
                os.close(watch)
        finally:
            if parent.poll() is None:
                parent.kill()


def test_the_servers_worker_starts_as_the_indexers() -> None:
    server = create_server()
    pool = server.worker_pool()
    try:
        assert pool._initializer is start_worker  # type: ignore[attr-defined]
    finally:
        server.stop_pools()
