"""A large store batch (a branch switch, or saves merged while the store ran behind): its time
and what it leaves in pymalloc's arenas. Prints figures, asserts nothing. Never a test.

    python bench/batch_bench.py                    # 700 files changed, twice, in BATCH_STEP steps
    python bench/batch_bench.py --files 139 --rounds 3
    python bench/batch_bench.py --step 100000      # the whole batch in one step
    python bench/batch_bench.py --corpus DIR       # any source tree (copied, never touched)

The corpus (default: the pinned one, ``$AUDITLS_BENCH_CACHE/src``, which ``bench/run.py``
fills) is copied to a temp directory and indexed by a ``FolderEngine`` as the server does. Each
round appends a line with a finding (``eval(input())``) to ``--files`` random files (fixed
seed) and hands them to the engine as one batch (``_update_in_steps``). Printed per round: the
wall time, pymalloc's arenas (MiB: what the process keeps of its small objects) and the memory
used in them, before and after. Arenas that grow much more than the memory used are free space
pinned by long-lived objects allocated during the batch's peak: it does not go back.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from auditls.config import load_config
from auditls.server import engine as engine_module
from auditls.server.engine import FolderEngine

CACHE = os.environ.get("AUDITLS_BENCH_CACHE") or Path.home() / ".cache" / "auditls-bench"


def pymalloc() -> tuple[int, float]:
    """pymalloc's arenas allocated now and the MB used in them (``sys._debugmallocstats``,
    which writes to the C stderr: read back from a temp file)."""
    with tempfile.TemporaryFile() as tmp:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode("ascii", "replace")

    def number(pattern: str) -> int:
        found = re.search(pattern + r"\s*=\s*([\d,]+)", text)
        return int(found.group(1).replace(",", "")) if found else -1

    return number(r"# arenas allocated current"), number(r"bytes in allocated blocks") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(CACHE) / "src")
    parser.add_argument("--files", type=int, default=700, help="files changed per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--step", type=int, default=engine_module.BATCH_STEP)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}: run bench/run.py first, or give --corpus")
    engine_module.BATCH_STEP = args.step
    with tempfile.TemporaryDirectory(prefix="auditls-batch-") as tmp:
        root = Path(tmp) / "ws"
        shutil.copytree(args.corpus, root, ignore=shutil.ignore_patterns(".auditls"))
        engine = FolderEngine(root, load_config(root), "utf-16", lambda rel: rel)
        try:
            engine.call_blocking(engine.open, 600)
            started = time.perf_counter()
            engine.call_blocking(engine.index, 3600)
            files = sorted(root.rglob("*.py"))
            seconds = time.perf_counter() - started
            print(f"{root}: {len(files)} Python files, indexed in {seconds:.1f} s")
            print(f"{args.files} files changed per round, in steps of {args.step}")
            rng = random.Random(args.seed)
            for number in range(args.rounds):
                chosen = rng.sample(files, min(args.files, len(files)))
                for i, path in enumerate(chosen):
                    text = path.read_text(encoding="utf-8", errors="surrogateescape")
                    path.write_text(
                        text + f"\n_batch_{number}_{i} = eval(input())\n",
                        encoding="utf-8",
                        errors="surrogateescape",
                    )
                arenas, used = pymalloc()
                started = time.perf_counter()
                changes = engine.call_blocking(
                    lambda chosen=chosen: engine._update_in_steps(set(chosen), {}), 3600
                )
                seconds = time.perf_counter() - started
                after_arenas, after_used = pymalloc()
                print(
                    f"round {number + 1}: {seconds:.1f} s, {len(changes.updated)} files changed; "
                    f"pymalloc arenas {arenas} -> {after_arenas} MiB, "
                    f"used {used:.1f} -> {after_used:.1f} MB"
                )
        finally:
            engine.call_blocking(engine.close, 600)
            engine.shutdown_thread()


if __name__ == "__main__":
    main()
