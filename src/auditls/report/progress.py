"""What ``auditls check`` says on stderr while it works, and when it is done.

Three modes, chosen once per run (:func:`Progress.choose`):

- ``bar``: stderr is a terminal. A ``rich`` progress display with one bar for indexing (files
  to extract) and one for the rules (files checked, then the workspace rules), removed when the
  run ends, then the one-line summary.
- ``summary``: stderr is not a terminal (CI logs, a pipe): only the one-line summary, at the end.
- ``quiet`` (``--quiet``): nothing; errors are still printed.

The report itself goes to stdout or ``--output`` whatever the mode, so a progress display never
mixes with it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

    from auditls.index import IndexReport


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Progress:
    """Progress of one ``check`` run on stderr (see the module docstring)."""

    def __init__(self, stream: TextIO, mode: str) -> None:
        self.stream = stream
        self.mode = mode
        self._rich: RichProgress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._started = time.perf_counter()
        self._rules_started: float | None = None
        self.rules_seconds = 0.0

    @classmethod
    def choose(cls, stream: TextIO, *, quiet: bool) -> Progress:
        if quiet:
            return cls(stream, "quiet")
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):  # a closed or unusual stream
            tty = False
        return cls(stream, "bar" if tty else "summary")

    # -- the bars ------------------------------------------------------------------------------

    def __enter__(self) -> Progress:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            console = Console(file=self.stream, stderr=True)
            self._rich = RichProgress(
                TextColumn("[bold]auditls[/bold] {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._rich.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def _bar(self, name: str, description: str, done: int, total: int) -> None:
        if self._rich is None:
            return
        task = self._tasks.get(name)
        if task is None:
            task = self._tasks[name] = self._rich.add_task(description, total=total)
        self._rich.update(task, completed=done, total=total, description=description)

    def index(self, done: int, total: int) -> None:
        """``index_workspace``'s ``on_progress``: files extracted so far."""
        self._bar("index", "indexing", done, total)

    def rules(self, stage: str, done: int, total: int) -> None:
        """``analyse``'s ``on_progress``: files checked, then the workspace rules."""
        if self._rules_started is None:
            self._rules_started = time.perf_counter()
        if stage == "files":
            self._bar("rules", "checking files", done, total)
        else:
            self._bar("workspace", "workspace rules", done, total)
            if done == total:
                self.rules_seconds = time.perf_counter() - self._rules_started

    # -- the summary ---------------------------------------------------------------------------

    def summary(
        self,
        index: IndexReport,
        *,
        findings: int,
        files: int,
        cached_files: int,
        cached_workspace: bool,
        output: str | None,
        baseline: int = 0,
        cached_rules: int = 0,
    ) -> None:
        """One line: what was indexed, what the rules reused, what was found, and where the
        report went."""
        if self.mode == "quiet":
            return
        total = time.perf_counter() - self._started
        parts = [
            f"{_plural(index.files, 'file')} ({index.indexed} re-extracted)",
            f"rules on {_plural(files, 'file')} ({cached_files} from cache"
            + (
                ", workspace rules from cache"
                if cached_workspace
                else f", {_plural(cached_rules, 'workspace rule')} from cache"
                if cached_rules
                else ""
            )
            + f") in {self.rules_seconds:.2f}s",
        ]
        found = _plural(findings, "finding")
        if baseline:
            found += f" ({baseline} more in the baseline)"
        parts.append(found + (f", report in {output}" if output not in (None, "-") else ""))
        self.stream.write(f"auditls: {'; '.join(parts)}; {total:.2f}s in all\n")
        self.stream.flush()
