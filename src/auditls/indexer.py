"""The indexer: bring the store in line with the Python files on disk.

1. **Discover.** Walk from the workspace root (or from the start paths given) with
   ``os.scandir``, depth first, entries sorted by name. Skip the default excluded directories
   (``DEFAULT_EXCLUDES``, by name at any depth) and virtual environments under any name (a
   directory holding ``pyvenv.cfg``), paths matched by ``[tool.auditls] exclude``
   (gitignore syntax, relative to the root) and paths ignored by ``.gitignore`` files (the root's
   and nested ones; the deepest file that has an opinion wins, as in git). A start path given
   explicitly is never excluded itself. Symbolic links are followed only when their real target
   lies inside the workspace and outside the default excluded directories, and only after every
   real directory has been walked, so a file reachable both directly and through a link is
   indexed once, under its real path. Real directories already walked are remembered, so a
   symlink loop ends.
2. **Reconcile** each file against its ``files`` row, as mypy's fswatcher does: equal
   (size, mtime_ns) and extractor version means unchanged, with no read. Otherwise the file is
   read and hashed (blake2b, 16 bytes); an equal hash only refreshes the stat fields; a new hash
   is extracted. Files over ``max_file_size`` are recorded as ``skipped`` with a note and never
   read. A file that cannot be read gets a row with status ``error``; a row with status
   ``error`` is retried on every run.
3. **Extract** in-process, or with ``jobs > 1`` in spawned worker processes that read, hash and
   extract a chunk of files and send the results back as msgpack (``auditls.store.wire``). The
   parent writes results in batches with ``store.replace_many``, in discovery order, so the
   store is the same whatever the number of workers.
4. **Remove** the rows of files that are gone (in the scope walked). A file that vanishes
   between discovery and read loses its row too and is reported.
5. **Snapshot** the store to disk when anything changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import stat
import sys
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import msgpack
import pathspec

from auditls import isolation
from auditls.config import Config
from auditls.extractors import EXTRACTOR_VERSION, extract, module_name_for
from auditls.facts import FileFacts, all_fact_types
from auditls.store import EncodedFacts, FileRow, Store, StoreError, build_schema, encode_facts, wire
from auditls.store.schema import Schema

#: Directory names never walked into, at any depth.
DEFAULT_EXCLUDES = frozenset(
    {".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox"}
    | {".auditls"}
)

#: With ``jobs=0`` (automatic), worker processes are started only for at least this many files:
#: starting a spawned worker costs more than extracting a few dozen files.
AUTO_JOBS_MIN_FILES = 100

#: Results written per ``store.replace_many`` transaction.
BATCH_SIZE = 64

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True, slots=True)
class IndexNote:
    """Something the user should know about one path."""

    path: str  # relative to the workspace root, "/" separators
    kind: str  # "skipped" | "error" | "vanished" | "extractor_error"
    message: str  # what happened, in words


@dataclass(slots=True)
class IndexReport:
    """What one indexing run did."""

    indexed: int = 0  # files (re-)extracted
    unchanged: int = 0  # files whose row was already current (stat or hash equal)
    removed: int = 0  # rows of files gone from disk
    skipped: int = 0  # files over the size cap
    errors: int = 0  # files that could not be read or vanished mid-index
    seconds: float = 0.0  # wall time of the run
    files: int = 0  # Python files discovered
    workers: int = 0  # worker processes that extracted; 0: all in this process
    notes: list[IndexNote] = field(default_factory=list)  # per-path details of skips and errors

    def summary(self) -> str:
        return (
            f"{self.files} files: {self.indexed} indexed, {self.unchanged} unchanged, "
            f"{self.removed} removed, {self.skipped} skipped, {self.errors} errors "
            f"in {self.seconds:.2f}s"
        )


# --------------------------------------------------------------------------------------------
# Discovery


@dataclass(frozen=True, slots=True)
class _Layer:
    base: str  # directory of the .gitignore, relative to the root ("" for the root)
    spec: pathspec.GitIgnoreSpec


@dataclass(slots=True)
class Discovery:
    """The Python files found under the start paths."""

    files: dict[str, str] = field(default_factory=dict)  # rel path -> absolute path, sorted
    scopes: list[str] = field(default_factory=list)  # rel start paths ("" is the whole root)
    notes: list[IndexNote] = field(default_factory=list)  # unreadable directories


def _rel(root: str, path: str) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def _inside(root: str, real: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class _Walker:
    def __init__(self, root: str, config: Config) -> None:
        self.root = root
        self.exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude)
        self.out = Discovery()
        self.visited_dirs: set[str] = set()
        self.file_reals: set[str] = set()
        # (absolute path, rel path, gitignore layers of its directory)
        self.links: list[tuple[str, str, tuple[_Layer, ...]]] = []

    def gitignore(self, abs_dir: str, rel_dir: str) -> _Layer | None:
        path = os.path.join(abs_dir, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return None
        return _Layer(rel_dir, pathspec.GitIgnoreSpec.from_lines(lines))

    def layers_for(self, rel_dir: str) -> tuple[_Layer, ...]:
        """The .gitignore layers that apply inside ``rel_dir`` (root first)."""
        layers: list[_Layer] = []
        parts = rel_dir.split("/") if rel_dir else []
        for depth in range(len(parts) + 1):
            rel = "/".join(parts[:depth])
            layer = self.gitignore(os.path.join(self.root, *parts[:depth]), rel)
            if layer is not None:
                layers.append(layer)
        return tuple(layers)

    def excluded(self, rel: str, name: str, is_dir: bool, layers: tuple[_Layer, ...]) -> bool:
        if is_dir and name in DEFAULT_EXCLUDES:
            return True
        probe = rel + "/" if is_dir else rel
        if self.exclude.match_file(probe):
            return True
        for layer in reversed(layers):
            sub = probe[len(layer.base) + 1 :] if layer.base else probe
            verdict = layer.spec.check_file(sub).include
            if verdict is not None:
                return bool(verdict)
        return False

    def in_default_excluded(self, real: str) -> bool:
        rel = _rel(self.root, real)
        return any(part in DEFAULT_EXCLUDES for part in rel.split("/"))

    def add_file(self, abs_path: str, rel: str, real: str) -> None:
        if real in self.file_reals or rel in self.out.files:
            return
        self.file_reals.add(real)
        self.out.files[rel] = abs_path

    def walk(self, abs_dir: str, rel_dir: str, layers: tuple[_Layer, ...]) -> None:
        """Walk real directories depth first; collect symlinks for later."""
        stack = [(abs_dir, rel_dir, layers)]
        while stack:
            cur_abs, cur_rel, cur_layers = stack.pop()
            try:
                with os.scandir(cur_abs) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.out.notes.append(
                    IndexNote(cur_rel or ".", "error", f"cannot list directory: {_why(exc)}")
                )
                continue
            if cur_abs != abs_dir and any(e.name == "pyvenv.cfg" for e in entries):
                continue  # a virtual environment under any name: installed code, not ours
            own = self.gitignore(cur_abs, cur_rel)
            if own is not None:
                cur_layers = (*cur_layers, own)
            subdirs = []
            for entry in entries:
                rel = f"{cur_rel}/{entry.name}" if cur_rel else entry.name
                try:
                    if entry.is_symlink():
                        self.links.append((entry.path, rel, cur_layers))
                    elif entry.is_dir(follow_symlinks=False):
                        if not self.excluded(rel, entry.name, True, cur_layers):
                            real = os.path.realpath(entry.path)
                            if real not in self.visited_dirs:
                                self.visited_dirs.add(real)
                                subdirs.append((entry.path, rel, cur_layers))
                    elif (
                        entry.name.endswith(".py")
                        and entry.is_file(follow_symlinks=False)
                        and not self.excluded(rel, entry.name, False, cur_layers)
                    ):
                        self.add_file(entry.path, rel, os.path.realpath(entry.path))
                except OSError:
                    continue  # vanished while we looked at it
            stack.extend(reversed(subdirs))

    def follow_links(self) -> None:
        """Follow the collected symlinks that stay inside the workspace, once per target."""
        while self.links:
            pending, self.links = sorted(self.links, key=lambda t: t[1]), []
            for abs_path, rel, layers in pending:
                real = os.path.realpath(abs_path)
                if not _inside(self.root, real) or self.in_default_excluded(real):
                    continue  # never follow a link out of the workspace
                name = rel.rsplit("/", 1)[-1]
                try:
                    st = os.stat(real)
                except OSError:
                    continue  # dangling link
                if stat.S_ISDIR(st.st_mode):
                    if real in self.visited_dirs or self.excluded(rel, name, True, layers):
                        continue  # a loop, or a directory already walked
                    self.visited_dirs.add(real)
                    self.walk(abs_path, rel, layers)
                elif (
                    stat.S_ISREG(st.st_mode)
                    and name.endswith(".py")
                    and not self.excluded(rel, name, False, layers)
                ):
                    self.add_file(abs_path, rel, real)


def discover(root: Path, config: Config, starts: Sequence[Path] | None = None) -> Discovery:
    """Find the Python files to index under ``starts`` (default: the whole root).

    ``root`` must be a resolved absolute path; every start must lie inside it.
    """
    root_s = str(root)
    walker = _Walker(root_s, config)
    walker.visited_dirs.add(os.path.realpath(root_s))
    start_list = [root] if not starts else list(starts)
    # Walk the real directories of every start first, then follow links.
    for start in start_list:
        start_s = str(start)
        rel = _rel(root_s, start_s)
        walker.out.scopes.append(rel)
        if os.path.isdir(start_s):
            real = os.path.realpath(start_s)
            walker.visited_dirs.add(real)
            parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
            layers = walker.layers_for(parent) if rel else ()
            walker.walk(start_s, rel, layers)
        elif os.path.isfile(start_s):
            walker.add_file(start_s, rel, os.path.realpath(start_s))  # named explicitly
    walker.follow_links()
    walker.out.files = dict(sorted(walker.out.files.items()))
    return walker.out


def is_excluded(root: Path, config: Config, rel: str) -> bool:
    """Whether a full discovery would skip ``rel`` (relative to the resolved ``root``, "/"
    separators): a default excluded directory or a virtual environment on its way, a
    ``[tool.auditls] exclude`` pattern or a ``.gitignore`` rule. For callers that hear of one
    path at a time (the server's file watcher), where ``discover`` would not exclude a start path
    given explicitly."""
    walker = _Walker(str(root), config)
    parts = [part for part in rel.split("/") if part]
    layers: tuple[_Layer, ...] = ()
    directory = str(root)
    for depth, name in enumerate(parts):
        own = walker.gitignore(directory, "/".join(parts[:depth]))
        if own is not None:
            layers = (*layers, own)
        path = os.path.join(directory, name)
        last = depth == len(parts) - 1
        is_dir = not last or os.path.isdir(path)
        if walker.excluded("/".join(parts[: depth + 1]), name, is_dir, layers):
            return True
        if not last and os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            return True  # a virtual environment under any name
        directory = path
    return False


def _in_scope(rel: str, scopes: Sequence[str]) -> bool:
    return any(not s or rel == s or rel.startswith(s + "/") for s in scopes)


# --------------------------------------------------------------------------------------------
# Reading and extracting one file (runs in the parent or in a worker process)

# A task: (absolute path, rel path, module name, hash already stored or None, size cap)
_Task = tuple[str, str, str, str | None, int]


@dataclass(slots=True)
class _Result:
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
    def from_obj(cls, obj: list[Any]) -> _Result:
        rel, kind, size, mtime_ns, digest, message, facts = obj
        ff = wire.encoded_from_obj(facts) if facts is not None else None
        return cls(rel, kind, size, mtime_ns, digest, message, ff)


@cache
def _worker_schema() -> Schema:
    return build_schema(all_fact_types())


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


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
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _skip_message(size: int, max_size: int) -> str:
    return f"{size} bytes is over the size cap of {max_size} bytes (max-file-size)"


def process_file(task: _Task) -> _Result:
    """Read, hash and (when the hash is new) extract one file. Never raises."""
    abs_path, rel, module, known_hash, max_size = task
    try:
        st, data = _read(abs_path, max_size)
    except FileNotFoundError:
        return _Result(rel, "vanished", message="vanished before it could be read")
    except OSError as exc:
        return _Result(rel, "error", message=f"cannot read: {_why(exc)}")
    if data is None:
        return _Result(
            rel, "skipped", st.st_size, st.st_mtime_ns, message=_skip_message(st.st_size, max_size)
        )
    digest = content_hash(data)
    if digest == known_hash:
        return _Result(rel, "same", st.st_size, st.st_mtime_ns, digest)
    try:
        ff = extract(data, rel, module=module)
    except Exception as exc:  # extract() promises not to raise; a bug must not stop the index
        return _Result(
            rel,
            "error",
            st.st_size,
            st.st_mtime_ns,
            digest,
            message=f"extraction failed: {type(exc).__name__}: {exc}",
        )
    return _Result(rel, "extracted", st.st_size, st.st_mtime_ns, digest, facts=ff)


def _work_chunk(tasks: list[_Task]) -> bytes:
    """Worker-process entry point: a chunk of tasks in, one msgpack message out."""
    objs = [process_file(t).to_obj() for t in tasks]
    data: bytes = msgpack.packb(objs, use_bin_type=True, unicode_errors=wire.UNICODE_ERRORS)
    return data


def _decode_chunk(data: bytes) -> list[_Result]:
    objs = msgpack.unpackb(data, raw=False, use_list=True, unicode_errors=wire.UNICODE_ERRORS)
    return [_Result.from_obj(obj) for obj in objs]


def _run_tasks(
    tasks: list[_Task], workers: int, report: IndexReport
) -> Generator[_Result, None, None]:
    """Results in task order, from this process or from ``workers`` spawned processes
    (``report.workers`` says which, once the results are drained)."""
    # Children must not find the workspace on sys.path (see auditls.isolation); where they
    # cannot be started that way, extract here.
    if workers <= 1 or not tasks or not isolation.prepare_children():
        for task in tasks:
            yield process_file(task)
        return
    size = max(1, min(32, len(tasks) // (workers * 4)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    done = 0
    try:
        ctx = multiprocessing.get_context("spawn")  # fork is unsafe next to threads and sqlite
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=isolation.verify
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


# --------------------------------------------------------------------------------------------
# The indexing run


class _Progress:
    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream = stream
        self.total = total
        self.last = 0.0

    def update(self, done: int) -> None:
        if self.stream is None or not self.total:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.total:
            return
        self.last = now
        self.stream.write(f"\r\x1b[Kauditls: indexing {done}/{self.total} files")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.total:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _workers_for(jobs: int, n_tasks: int) -> int:
    if jobs > 0:
        return min(jobs, max(n_tasks, 1))
    if n_tasks < AUTO_JOBS_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def index_workspace(
    root: Path,
    store: Store,
    config: Config,
    *,
    jobs: int = 1,
    paths: Sequence[Path] | None = None,
    progress: bool | None = None,
    snapshot: bool = True,
    module_name: Callable[[Path, Path], str] = module_name_for,
    on_progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    """Reconcile the store with the files under ``paths`` (default: the whole workspace).

    ``jobs``: worker processes for extraction; 1 extracts in this process; 0 chooses
    automatically (in-process for small batches). ``progress``: a progress line on stderr;
    the default shows it only when stderr is a terminal. ``on_progress(done, total)`` is called
    once the files to extract are known (``done`` 0) and after each of them; an exception it
    raises stops the run (work not started is dropped, files already written stay written, no
    snapshot is taken) and propagates: that is how the server cancels an index.
    """
    started = time.perf_counter()
    root = Path(os.path.realpath(root))
    starts = None if paths is None else [Path(os.path.realpath(p)) for p in paths]
    for start in starts or ():
        if start != root and root not in start.parents:
            raise ValueError(f"{start} is outside the workspace {root}")
    report = IndexReport()
    found = discover(root, config, starts)
    report.notes.extend(found.notes)
    report.errors += len(found.notes)
    report.files = len(found.files)

    existing = {row.path: row for row in store.files()}
    modules: dict[str, str | None] = dict(store.conn.execute("SELECT path, module FROM files"))
    max_size = config.max_file_size
    tasks: list[_Task] = []
    pending: list[tuple[FileRow, FileFacts | EncodedFacts | None]] = []
    dirty = False

    for rel, abs_path in found.files.items():
        old = existing.get(rel)
        try:
            st = os.stat(abs_path)
        except FileNotFoundError:
            _apply(_Result(rel, "vanished", message="vanished during indexing"), old, report, store)
            dirty = True
            continue
        except OSError as exc:
            pending.append((_error_row(rel, f"cannot stat: {_why(exc)}"), None))
            report.errors += 1
            report.notes.append(IndexNote(rel, "error", f"cannot stat: {_why(exc)}"))
            continue
        current = (
            old is not None
            and old.size == st.st_size
            and old.mtime_ns == st.st_mtime_ns
            and old.extractor_version == EXTRACTOR_VERSION
        )
        if st.st_size > max_size:
            report.skipped += 1
            message = _skip_message(st.st_size, max_size)
            report.notes.append(IndexNote(rel, "skipped", message))
            if not (current and old is not None and old.status == "skipped"):
                pending.append((_skipped_row(rel, st.st_size, st.st_mtime_ns, message), None))
            continue
        # A file's module name depends on its neighbours (an __init__.py added or removed), so
        # an unchanged file whose module name moved is extracted again.
        module = module_name(Path(abs_path), root)
        reusable = (
            old is not None
            and old.status in ("ok", "syntax_error")
            and old.extractor_version == EXTRACTOR_VERSION
            and modules.get(rel) == module
        )
        if current and reusable:
            report.unchanged += 1
            continue
        known = old.hash if reusable and old is not None else None
        tasks.append((abs_path, rel, module, known, max_size))

    # Files gone from disk lose their rows.
    for rel in existing:
        gone = rel not in found.files and _in_scope(rel, found.scopes)
        if gone and store.remove_file(rel):
            report.removed += 1
            dirty = True

    if pending:
        _write(store, pending, report)
        dirty = True
        pending = []

    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(sys.stderr if show else None, len(tasks))
    results = _run_tasks(tasks, _workers_for(jobs, len(tasks)), report)
    try:
        if on_progress is not None:
            on_progress(0, len(tasks))
        for done, result in enumerate(results, 1):
            item = _apply(result, existing.get(result.rel), report, store)
            if item is not None:
                pending.append(item)
            if len(pending) >= BATCH_SIZE:
                _write(store, pending, report)
                dirty = True
                pending = []
            bar.update(done)
            if on_progress is not None:
                on_progress(done, len(tasks))
        if pending:
            _write(store, pending, report)
            dirty = True
    finally:
        results.close()  # stops worker processes now when the loop ended early
        bar.close()

    if snapshot and store.persist and (dirty or store.dirty):
        try:
            store.snapshot()  # a no-op when nothing changed since the load
        except StoreError as exc:
            report.notes.append(IndexNote(".auditls", "error", str(exc)))
            report.errors += 1
    report.seconds = time.perf_counter() - started
    return report


def _write(
    store: Store,
    items: list[tuple[FileRow, FileFacts | EncodedFacts | None]],
    report: IndexReport,
) -> None:
    """Write a batch in one transaction; if that fails, file by file, so that one file whose
    facts the store rejects gets an error row instead of aborting the whole index."""
    with contextlib.suppress(Exception):  # the batch rolls back; the loop finds the culprit
        store.replace_many(items)
        return
    for row, facts in items:
        try:
            store.replace_file(row, facts)
        except Exception as exc:
            message = f"cannot store the facts: {type(exc).__name__}: {exc}"
            if facts is not None:
                report.indexed -= 1
            report.errors += 1
            report.notes.append(IndexNote(row.path, "error", message))
            store.replace_file(_error_row(row.path, message, row.size, row.mtime_ns), None)


#: A file modified this recently may change again within the file system's timestamp
#: granularity without its (size, mtime) changing ("racy git"). Such a file is recorded with an
#: mtime that matches nothing, so the next run hashes it instead of trusting its stat.
RACY_WINDOW_NS = 2_000_000_000
UNSETTLED_MTIME = -1


def _settled(mtime_ns: int, now_ns: int | None = None) -> int:
    now = time.time_ns() if now_ns is None else now_ns
    return UNSETTLED_MTIME if now - mtime_ns < RACY_WINDOW_NS else mtime_ns


def _apply(
    result: _Result, old: FileRow | None, report: IndexReport, store: Store
) -> tuple[FileRow, FileFacts | EncodedFacts | None] | None:
    """Turn one result into a row to write (or a removal), counting it in the report."""
    rel = result.rel
    if result.kind == "vanished":
        report.errors += 1
        report.notes.append(IndexNote(rel, "vanished", result.message or "vanished"))
        if old is not None:
            store.remove_file(rel)
        return None
    if result.kind == "error":
        report.errors += 1
        message = result.message or "error"
        report.notes.append(IndexNote(rel, "error", message))
        return _error_row(rel, message, result.size, result.mtime_ns, result.hash), None
    if result.kind == "skipped":
        report.skipped += 1
        message = result.message or "skipped"
        report.notes.append(IndexNote(rel, "skipped", message))
        return _skipped_row(rel, result.size, result.mtime_ns, message), None
    if result.kind == "same" and old is not None:
        report.unchanged += 1
        return _row(old, size=result.size, mtime_ns=_settled(result.mtime_ns)), None
    ff = result.facts
    assert ff is not None
    report.indexed += 1
    if old is not None and old.hash == result.hash:
        # Same content extracted again (its module name changed): the store's early cutoff
        # compares hashes only, so drop the old row first.
        store.remove_file(rel)
    for problem in ff.extractor_errors:
        report.notes.append(IndexNote(rel, "extractor_error", problem))
    row = FileRow(
        path=rel,
        size=result.size,
        mtime_ns=_settled(result.mtime_ns),
        hash=result.hash,
        status=ff.status,
        error=ff.error,
        error_line=ff.error_line,
        error_col=ff.error_col,
        extractor_version=EXTRACTOR_VERSION,
    )
    return row, ff


def _row(old: FileRow, *, size: int, mtime_ns: int) -> FileRow:
    return FileRow(
        path=old.path,
        size=size,
        mtime_ns=mtime_ns,
        hash=old.hash,
        status=old.status,
        error=old.error,
        error_line=old.error_line,
        error_col=old.error_col,
        extractor_version=old.extractor_version,
    )


def _error_row(
    rel: str, message: str, size: int = -1, mtime_ns: int = -1, digest: str = ""
) -> FileRow:
    """A row for a file that could not be read or extracted; retried on every run."""
    return FileRow(
        path=rel,
        size=size,
        mtime_ns=mtime_ns,
        hash=digest,
        status="error",
        error=message,
        error_line=None,
        error_col=None,
        extractor_version=EXTRACTOR_VERSION,
    )


def _skipped_row(rel: str, size: int, mtime_ns: int, message: str) -> FileRow:
    return FileRow(
        path=rel,
        size=size,
        mtime_ns=mtime_ns,
        hash="",
        status="skipped",
        error=message,
        error_line=None,
        error_col=None,
        extractor_version=EXTRACTOR_VERSION,
    )
