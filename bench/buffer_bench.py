"""The editor's analysis of a buffer, every corpus file: CPU time of the full analysis and of
what publishes first (the quick pass for buffers of ``QUICK_FIRST`` characters or more).
Prints figures, asserts nothing. Never a test.

    python bench/buffer_bench.py                 # the pinned corpus (bench/run.py fills it)
    python bench/buffer_bench.py --corpus DIR    # any source tree (read only)

CPU time (``time.process_time``), not wall time: it is what the buffer costs the server's
interpreter, and it moves less with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from auditls.server.documents import QUICK_FIRST, analyse_buffer

CACHE = os.environ.get("AUDITLS_BENCH_CACHE") or Path.home() / ".cache" / "auditls-bench"


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return f"p50 {q(0.5):.1f}  p90 {q(0.9):.1f}  p95 {q(0.95):.1f}  p99 {q(0.99):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(CACHE) / "src")
    root = parser.parse_args().corpus.resolve()
    files = sorted(root.rglob("*.py"))
    full: list[float] = []
    first: list[float] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(root).as_posix()

        def run(quick: bool, text: str = text, rel: str = rel) -> float:
            began = time.process_time()
            analyse_buffer(
                text,
                version=1,
                rel=rel,
                module=None,
                encoding="utf-16",
                root=root,
                uri_of=lambda r: (root / r).as_uri(),
                quick=quick,
            )
            return (time.process_time() - began) * 1000

        full.append(run(False))
        first.append(run(True) if len(text) >= QUICK_FIRST else full[-1])
    print(f"{root} ({len(files)} files), CPU time per buffer analysis:")
    print(f"  full analysis        {quantiles(full)}")
    print(f"  what publishes first {quantiles(first)}")


if __name__ == "__main__":
    main()
