"""Steps 2 and 4 of the indexer (see ``auditls.index``): compare the files found with the
store's rows, and turn each file's outcome into the row to write.

``plan`` decides, from the stat alone, which files are current, which need reading (the tasks
for ``auditls.index.workers``) and which get a row without being read (over the size cap, or
not even stat-able); ``remove_gone`` drops the rows of files no longer on disk; ``apply`` turns a
worker's ``Result`` into a ``files`` row and its facts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditls import extractor_version
from auditls.config import Config
from auditls.facts import FileFacts
from auditls.index.discover import Discovery, in_scope
from auditls.index.report import IndexNote, IndexReport, why
from auditls.index.workers import Result, Task, skip_message
from auditls.store import EncodedFacts, FileRow, Store

#: ``auditls.extractors.EXTRACTOR_VERSION``, without importing the extractors (a run with
#: nothing to extract never does).
EXTRACTOR_VERSION = extractor_version()

#: A row to write and the facts that go with it (None: the row alone).
Write = tuple[FileRow, FileFacts | EncodedFacts | None]


@dataclass(slots=True)
class Plan:
    """What reconciling the files found with the store's rows left to do."""

    existing: dict[str, FileRow]  # the store's rows before the run, by path
    tasks: list[Task] = field(default_factory=list)  # files to read, hash and maybe extract
    writes: list[Write] = field(default_factory=list)  # rows known without reading the file
    dirty: bool = False  # rows were already removed (files vanished since discovery)


def plan(
    store: Store,
    root: Path,
    found: Discovery,
    config: Config,
    report: IndexReport,
    module_name: Callable[[Path, Path], str],
) -> Plan:
    """Compare each file found with its row, by stat first (counting the current ones in
    ``report``); a file that vanished since discovery loses its row at once."""
    existing = {row.path: row for row in store.files(found.scopes)}
    modules = store.file_modules(found.files.keys())
    max_size = config.max_file_size
    out = Plan(existing)

    for rel, abs_path in found.files.items():
        old = existing.get(rel)
        try:
            st = os.stat(abs_path)
        except FileNotFoundError:
            apply(Result(rel, "vanished", message="vanished during indexing"), old, report, store)
            out.dirty = True
            continue
        except OSError as exc:
            out.writes.append((error_row(rel, f"cannot stat: {why(exc)}"), None))
            report.errors += 1
            report.notes.append(IndexNote(rel, "error", f"cannot stat: {why(exc)}"))
            continue
        current = (
            old is not None
            and old.size == st.st_size
            and old.mtime_ns == st.st_mtime_ns
            and old.extractor_version == EXTRACTOR_VERSION
        )
        if st.st_size > max_size:
            report.skipped += 1
            message = skip_message(st.st_size, max_size)
            report.notes.append(IndexNote(rel, "skipped", message))
            if not (current and old is not None and old.status == "skipped"):
                out.writes.append((skipped_row(rel, st.st_size, st.st_mtime_ns, message), None))
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
        out.tasks.append((abs_path, rel, module, known, max_size))
    return out


def remove_gone(
    store: Store, existing: dict[str, FileRow], found: Discovery, report: IndexReport
) -> bool:
    """Drop the rows of files gone from disk, within the scopes walked; whether any went."""
    removed = False
    for rel in existing:
        gone = rel not in found.files and in_scope(rel, found.scopes)
        if gone and store.remove_file(rel):
            report.removed += 1
            removed = True
    return removed


#: A file modified this recently may change again within the file system's timestamp
#: granularity without its (size, mtime) changing ("racy git"). Such a file is recorded with an
#: mtime that matches nothing, so the next run hashes it instead of trusting its stat.
RACY_WINDOW_NS = 2_000_000_000
UNSETTLED_MTIME = -1


def settled(mtime_ns: int, now_ns: int | None = None) -> int:
    now = time.time_ns() if now_ns is None else now_ns
    return UNSETTLED_MTIME if now - mtime_ns < RACY_WINDOW_NS else mtime_ns


def apply(result: Result, old: FileRow | None, report: IndexReport, store: Store) -> Write | None:
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
        return error_row(rel, message, result.size, result.mtime_ns, result.hash), None
    if result.kind == "skipped":
        report.skipped += 1
        message = result.message or "skipped"
        report.notes.append(IndexNote(rel, "skipped", message))
        return skipped_row(rel, result.size, result.mtime_ns, message), None
    if result.kind == "same" and old is not None:
        report.unchanged += 1
        return _row(old, size=result.size, mtime_ns=settled(result.mtime_ns)), None
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
        mtime_ns=settled(result.mtime_ns),
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


def error_row(
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


def skipped_row(rel: str, size: int, mtime_ns: int, message: str) -> FileRow:
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
