"""Step 3 of the indexer (see ``auditls.index``): read, hash and extract files, here or in
worker processes.

``process_file`` does one file and never raises. ``run_tasks`` runs a list of tasks in this
process or in spawned workers (which die with their parent: ``start_worker``), each taking a
chunk of tasks and sending one msgpack message back (facts in the store's column encoding,
``auditls.store.wire``); results come back in task order either way, so the store is the same
whatever the number of workers.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Generator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import msgpack

from auditls import isolation
from auditls.facts import FileFacts, all_fact_types
from auditls.index.report import IndexReport, why
from auditls.store import EncodedFacts, build_schema, encode_facts, wire
from auditls.store.schema import Schema

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

#: With ``jobs=0`` (automatic), worker processes are started only for at least this many files:
#: starting a spawned worker costs more than extracting a few dozen files.
AUTO_JOBS_MIN_FILES = 100

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

#: A task: (absolute path, rel path, module name, hash already stored or None, size cap)
Task = tuple[str, str, str, str | None, int]


def extract(source: bytes, path: str, *, module: str | None = None) -> FileFacts:
    """``auditls.extractors.extract``, imported once there is something to extract (importing
    every extractor is a fifth of a warm ``auditls check`` that extracts nothing)."""
    from auditls.extractors import extract as extract_file

    return extract_file(source, path, module=module)


@dataclass(slots=True)
class Result:
    """What became of one task."""

    rel: str
    kind: str  # "extracted" | "same" | "skipped" | "error" | "vanished"
    size: int = 0
    mtime_ns: int = 0
    hash: str = ""
    message: str | None = None
    facts: FileFacts | EncodedFacts | None = None

    def to_obj(self) -> list[Any]:
        """For the trip from a worker: facts go in the store's own column encoding."""
        facts = None
        if isinstance(self.facts, FileFacts):
            facts = wire.encoded_to_obj(encode_facts(_worker_schema(), self.facts))
        return [self.rel, self.kind, self.size, self.mtime_ns, self.hash, self.message, facts]

    @classmethod
    def from_obj(cls, obj: list[Any]) -> Result:
        rel, kind, size, mtime_ns, digest, message, facts = obj
        ff = wire.encoded_from_obj(facts) if facts is not None else None
        return cls(rel, kind, size, mtime_ns, digest, message, ff)


@cache
def _worker_schema() -> Schema:
    return build_schema(all_fact_types())


def _read(abs_path: str, max_size: int) -> tuple[os.stat_result, bytes | None]:
    """Open without blocking (a FIFO must not hang us); the stat is taken before the read, so a
    write racing with us leaves a newer mtime that the next run notices."""
    fd = os.open(abs_path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(0, "not a regular file")
        if st.st_size > max_size:
            return st, None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return st, b"".join(chunks)
    finally:
        os.close(fd)


def content_hash(data: bytes) -> str:
    """The content hash stored in ``files.hash`` (blake2b, 16 bytes, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def skip_message(size: int, max_size: int) -> str:
    return f"{size} bytes is over the size cap of {max_size} bytes (max-file-size)"


def process_file(task: Task) -> Result:
    """Read, hash and (when the hash is new) extract one file. Never raises."""
    abs_path, rel, module, known_hash, max_size = task
    try:
        st, data = _read(abs_path, max_size)
    except FileNotFoundError:
        return Result(rel, "vanished", message="vanished before it could be read")
    except OSError as exc:
        return Result(rel, "error", message=f"cannot read: {why(exc)}")
    if data is None:
        return Result(
            rel, "skipped", st.st_size, st.st_mtime_ns, message=skip_message(st.st_size, max_size)
        )
    digest = content_hash(data)
    if digest == known_hash:
        return Result(rel, "same", st.st_size, st.st_mtime_ns, digest)
    try:
        ff = extract(data, rel, module=module)
    except Exception as exc:  # extract() promises not to raise; a bug must not stop the index
        return Result(
            rel,
            "error",
            st.st_size,
            st.st_mtime_ns,
            digest,
            message=f"extraction failed: {type(exc).__name__}: {exc}",
        )
    return Result(rel, "extracted", st.st_size, st.st_mtime_ns, digest, facts=ff)


def start_worker() -> None:
    """Worker-process initializer: check the isolation (``auditls.isolation.verify``) and die
    with the parent. A parent killed outright (``kill -9``, the OOM killer) runs no clean-up,
    and the pool's queues do not tell its workers (each holds a write end of them), so a daemon
    thread waits on the parent's sentinel, which ``multiprocessing`` closes only when the parent
    process is gone, and ends this process at once."""
    import multiprocessing

    isolation.verify()
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent,), name="auditls-parent-watch", daemon=True
        ).start()


def _exit_with(parent: BaseProcess) -> None:
    parent.join()  # returns when the parent's end of the sentinel pipe closes
    os._exit(3)  # no clean-up to run: the results have nowhere to go


def _work_chunk(tasks: list[Task]) -> bytes:
    """Worker-process entry point: a chunk of tasks in, one msgpack message out."""
    objs = [process_file(t).to_obj() for t in tasks]
    data: bytes = msgpack.packb(objs, use_bin_type=True, unicode_errors=wire.UNICODE_ERRORS)
    return data


def _decode_chunk(data: bytes) -> list[Result]:
    objs = msgpack.unpackb(data, raw=False, use_list=True, unicode_errors=wire.UNICODE_ERRORS)
    return [Result.from_obj(obj) for obj in objs]


def run_tasks(
    tasks: list[Task], workers: int, report: IndexReport
) -> Generator[Result, None, None]:
    """Results in task order, from this process or from ``workers`` spawned processes
    (``report.workers`` says which, once the results are drained)."""
    # Children must not find the workspace on sys.path (see auditls.isolation); where they
    # cannot be started that way, extract here.
    if workers <= 1 or not tasks or not isolation.prepare_children():
        for task in tasks:
            yield process_file(task)
        return
    # Here, not at the top: a run that extracts a few files never starts a pool (and these
    # imports were a fiftieth of a one-file warm check).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, min(32, len(tasks) // (workers * 4)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    done = 0
    try:
        ctx = multiprocessing.get_context("spawn")  # fork is unsafe next to threads and sqlite
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=start_worker
        ) as pool:
            try:
                for blob in pool.map(_work_chunk, chunks):
                    yield from _decode_chunk(blob)
                    done += 1
                report.workers = workers
            except GeneratorExit:  # the caller stopped early: drop the chunks not yet started
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except (BrokenProcessPool, OSError):
        # No worker could start (no semaphores in a sandbox) or one died (killed, out of
        # memory), or one found workspace code imported (auditls.isolation.verify): finish
        # the rest here rather than fail.
        report.workers = 0
        for chunk in chunks[done:]:
            for task in chunk:
                yield process_file(task)


def workers_for(jobs: int, n_tasks: int) -> int:
    """Worker processes for ``n_tasks`` files at ``--jobs jobs`` (1: extract in this process)."""
    if jobs > 0:
        return min(jobs, max(n_tasks, 1))
    if n_tasks < AUTO_JOBS_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))
