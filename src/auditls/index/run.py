"""The indexing run (see ``auditls.index`` for its steps): ``index_workspace`` ties discovery,
reconciliation and the workers together, writes the results in batches, shows progress and
takes the snapshot (step 5)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from auditls.config import Config
from auditls.facts import escape_path, escape_text
from auditls.index.discover import discover
from auditls.index.reconcile import Write, apply, error_row, plan, remove_gone
from auditls.index.report import IndexNote, IndexReport
from auditls.index.workers import run_tasks, workers_for
from auditls.knowledge.layout import module_name_for
from auditls.store import Store, StoreBusy, StoreError

#: Results written per ``store.replace_many`` transaction.
BATCH_SIZE = 64


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


def package_memo(root: Path) -> Callable[[Path, Path], str]:
    """``module_name_for`` with each directory's package looked up once per run (a
    ``__init__.py`` test per directory, not per file and level: 14,000 files share a few
    hundred directories)."""
    packages: dict[str, tuple[str, ...]] = {}
    top = str(root)

    def prefix(directory: str) -> tuple[str, ...]:
        """The package names from the top package down to ``directory`` (empty when
        ``directory`` is no package below ``root``). Strings, not paths: this runs for every
        file of every index."""
        known = packages.get(directory)
        if known is not None:
            return known
        parent, name = os.path.split(directory)
        if directory == top or not os.path.isfile(os.path.join(directory, "__init__.py")):
            found: tuple[str, ...] = ()
        elif parent == directory:
            found = (name,)
        else:
            found = (*prefix(parent), name)
        packages[directory] = found
        return found

    def module_name(path: Path, base: Path) -> str:
        if base != root or not path.name.endswith(".py"):
            return module_name_for(path, base)  # a template is named by its path
        directory, name = os.path.split(str(path if path.is_absolute() else root / path))
        stem = name[: -len(".py")] if name != ".py" else name  # as ``Path.stem``
        parts = prefix(directory)
        if stem != "__init__":
            parts = (*parts, stem)
        if not parts:  # a top-level __init__.py: named after its directory
            parts = (os.path.basename(directory) or "__main__",)
        return escape_path(".".join(parts))

    return module_name


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

    if module_name is module_name_for:
        module_name = package_memo(root)
    work = plan(store, root, found, config, report, module_name)
    dirty = work.dirty
    if remove_gone(store, work.existing, found, report):
        dirty = True
    if work.writes:
        _write(store, work.writes, report)
        dirty = True

    tasks = work.tasks
    pending: list[Write] = []
    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(sys.stderr if show else None, len(tasks))
    results = run_tasks(tasks, workers_for(jobs, len(tasks)), report)
    try:
        if on_progress is not None:
            on_progress(0, len(tasks))
        for done, result in enumerate(results, 1):
            item = apply(result, work.existing.get(result.rel), report, store)
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
        except StoreBusy as exc:
            report.store_notes.append(f"{exc}; using memory only")
        except StoreError as exc:  # a read-only .auditls/, a full disk: the results stand
            report.store_notes.append(f"{exc}; the index was kept in memory only")
    report.seconds = time.perf_counter() - started
    return report


def _write(store: Store, items: list[Write], report: IndexReport) -> None:
    """Write a batch in one transaction; if that fails, file by file, so that one file whose
    facts the store rejects gets an error row instead of aborting the whole index."""
    with contextlib.suppress(Exception):  # the batch rolls back; the loop finds the culprit
        store.replace_many(items)
        return
    for row, facts in items:
        try:
            store.replace_file(row, facts)
        except Exception as exc:
            # A bug, not bad input (extraction escapes what the store cannot hold): the file's
            # findings are lost, so the run must fail (``IndexReport.failed``), not pass.
            message = escape_text(f"cannot store the facts: {type(exc).__name__}: {exc}")
            if facts is not None:
                report.indexed -= 1
            report.errors += 1
            note = IndexNote(escape_path(row.path), "store_error", message)
            report.notes.append(note)
            report.failed.append(note)
            store.replace_file(
                error_row(escape_path(row.path), message, row.size, row.mtime_ns), None
            )
