"""What an indexing run tells its caller: counts (``IndexReport``) and per-path notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class IndexNote:
    """Something the user should know about one path."""

    path: str  # relative to the workspace root, "/" separators
    kind: str  # "skipped" | "error" | "vanished" | "extractor_error" | "store_error"
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
    #: Files whose facts the store refused (a bug): their findings are missing, the run fails.
    failed: list[IndexNote] = field(default_factory=list)
    #: Why the snapshot was not written (another writer, a read-only directory, a full disk).
    store_notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.files} files: {self.indexed} indexed, {self.unchanged} unchanged, "
            f"{self.removed} removed, {self.skipped} skipped, {self.errors} errors "
            f"in {self.seconds:.2f}s"
        )


def why(exc: OSError) -> str:
    """An OS error in words, for a note."""
    return exc.strerror or type(exc).__name__
