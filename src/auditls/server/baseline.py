"""The server's side of baselines: ``[tool.auditls] baseline = "FILE"`` hides, in the editor,
the findings the baseline holds, as ``auditls check`` leaves them out of its report.

The fingerprints are the CLI's (``report.baseline``: rule, path, the normalised flagged statement
and its enclosing function; line numbers play no part), so a finding recorded with
``auditls check --write-baseline`` stays hidden while lines move around it. A finding is
fingerprinted from the text it was computed from: an open document's last good buffer, else the
file on disk. Matching counts per fingerprint, and a fingerprint names its file, so filtering
file by file, as the server publishes, hides what filtering the whole run would.

The baseline file is read again when its size or mtime changed, checked at each publication (a
stat), and whenever the settings are applied (``pyproject.toml`` changed); a file that cannot be
read is reported once and hides nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditls.config import Config
from auditls.report.baseline import BaselineError, Fingerprinter, read_baseline
from auditls.server.convert import Prepared
from auditls.server.findings import read_text

#: Files whose parsed text is kept for fingerprinting (the most recent ones).
TEXTS_KEPT = 64


@dataclass(eq=False)
class Baseline:
    """One folder's baseline, as last read, and the files it fingerprinted."""

    path: Path | None = None  # the baseline file; None: no baseline set
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when read
    counts: Counter[str] | None = None  # fingerprint -> findings it stands for; None: none
    problem: str | None = None  # why it hides nothing
    _texts: dict[str, tuple[str, Fingerprinter]] = field(default_factory=dict)

    def sync(self, root: Path, config: Config) -> bool:
        """Read the baseline the settings name if it is new or changed; whether it changed."""
        path = root / config.baseline if config.baseline is not None else None
        try:
            st = os.stat(path) if path is not None else None
            stamp = (st.st_size, st.st_mtime_ns) if st is not None else None
        except OSError:
            stamp = None
        if path == self.path and stamp == self.stamp and (path is None or stamp is not None):
            return False
        self.path, self.stamp, self.problem = path, stamp, None
        self.counts = None
        if path is not None:
            try:
                self.counts = read_baseline(path)
            except BaselineError as exc:
                self.problem = f"{exc}; no finding is hidden"
        return True

    def new(
        self, root: Path, rel: str, prepared: Sequence[Prepared], text: str | None
    ) -> list[Prepared]:
        """The findings of one file that the baseline does not hold; ``text``: what they were
        computed from (None: the file on disk)."""
        if not self.counts or not prepared:
            return list(prepared)
        fingerprint = self._fingerprinter(root, rel, text)
        left = Counter(self.counts)
        kept = []
        for p in prepared:
            key = fingerprint(p.finding)
            if left[key] > 0:
                left[key] -= 1
            else:
                kept.append(p)
        return kept

    def _fingerprinter(self, root: Path, rel: str, text: str | None) -> Fingerprinter:
        if text is None:
            text = read_text(root / rel)
        cached = self._texts.get(rel)
        if cached is not None and cached[0] == text:
            return cached[1]
        fingerprinter = Fingerprinter(root, text_of=lambda _path: text)
        self._texts.pop(rel, None)
        self._texts[rel] = (text, fingerprinter)
        while len(self._texts) > TEXTS_KEPT:
            del self._texts[next(iter(self._texts))]
        return fingerprinter
