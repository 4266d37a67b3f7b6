"""Where a soak's memory goes: the server's engine in process, under tracemalloc. Prints
figures, asserts nothing. Never a test.

    python bench/soak_trace.py                       # 1,000 cycles over the corpus, snapshots
                                                     # at cycle 100 and at the end
    python bench/soak_trace.py --cycles 300 --at 50  # shorter
    python bench/soak_trace.py --no-trace            # RSS only (tracemalloc slows it ~3x)
    python bench/soak_trace.py --buffers 20          # open documents laid over their files too

``bench/soak.py`` measures the real daemon from the outside (RSS, latency); this one runs the
same work in one process so that ``tracemalloc`` can say which lines hold what grew:

1. Copy the corpus to a temp workspace; open a ``FolderEngine`` (the server's per-folder store
   and its thread's work) and run its cold index, as ``auditls serve`` does.
2. ``--cycles`` times (the seed and the edits of ``soak.py``): edit a file on disk, analyse the
   buffer as an open document (``analyse_buffer``), then ``engine.refresh`` the file (a save:
   re-index, per-file rules, workspace rules with the taint engine); every 50 cycles the
   snapshot is written, as the server does when idle.
3. RSS and latency at each tenth; after ``--at`` cycles and at the end, the live objects by
   type (what grew in between), and a tracemalloc snapshot: the lines that grew most in
   between (by traceback, ``--frames`` deep).
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, OrderedDict
from pathlib import Path

from soak import CORPUS, REPO, edit

from auditls.config import load_config
from auditls.extractors import module_name_for
from auditls.server.documents import analyse_buffer
from auditls.server.engine import Buffer, FolderEngine


def rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def type_counts() -> Counter[str]:
    """Live objects the collector tracks (not those ``gc.freeze`` moved out of its reach), by
    type."""
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def run(
    root: Path,
    cycles: int,
    at: int,
    seed: int,
    trace: bool,
    frames: int,
    top: int,
    buffers: int = 0,
) -> None:
    files = sorted(p for p in root.rglob("*.py") if ".auditls" not in p.parts)
    print(f"workspace: {root} ({len(files)} Python files), {cycles} cycles, seed {seed}")
    config = load_config(root)
    engine = FolderEngine(root, config, "utf-16", lambda rel: (root / rel).as_uri())
    began = time.perf_counter()
    engine.call_blocking(engine.open, 600)
    engine.call_blocking(engine.index, 3600)
    print(f"cold index: {time.perf_counter() - began:.1f} s, RSS {rss_mb()[0]:.0f} MB")
    if trace:
        tracemalloc.start(frames)
    rng = random.Random(seed)
    first = None
    counts: Counter[str] = Counter()
    window = max(1, cycles // 10)
    began = time.perf_counter()
    times: list[float] = []
    opened: OrderedDict[str, None] = OrderedDict()
    for i in range(cycles):
        path = rng.choice(files)
        text = edit(path.read_text(encoding="utf-8", errors="replace"), rng, i)
        path.write_text(text, encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        t0 = time.perf_counter()
        analysis = analyse_buffer(
            text,
            version=i,
            rel=rel,
            module=module_name_for(path, root),  # as the server names it (None: from the path)
            encoding="utf-16",
            root=root,
            uri_of=engine.uri_of,
        )
        if buffers:  # as the server does with an open document's analysis, then a save
            buffer = {rel: Buffer(analysis.facts, analysis.text, analysis.hash)}
            engine.call_blocking(lambda b=buffer: engine.set_buffers(b), 600)
            opened[rel] = None
            opened.move_to_end(rel)
        engine.call_blocking(lambda p=path: engine.refresh({p}), 600)
        while len(opened) > buffers:
            closed, _ = opened.popitem(last=False)
            engine.call_blocking(lambda c=closed: engine.drop_buffer(c), 600)
        times.append(time.perf_counter() - t0)
        if (i + 1) % 50 == 0:
            engine.call_blocking(engine.snapshot, 600)
        if i + 1 == at:
            gc.collect()
            counts = type_counts()
            if trace:
                first = tracemalloc.take_snapshot()
                print(f"cycle {i + 1}: traced {tracemalloc.get_traced_memory()[0] / 2**20:.0f} MB")
        if (i + 1) % window == 0:
            ms = sorted(x * 1000 for x in times[-window:])
            print(
                f"  cycles {i + 2 - window:>5}-{i + 1:<5} RSS {rss_mb()[0]:5.0f} MB  "
                f"p50 {ms[len(ms) // 2]:6.1f} ms  p95 {ms[int(0.95 * len(ms))]:6.1f} ms"
            )
    print(f"{cycles} cycles in {time.perf_counter() - began:.1f} s")
    if counts:
        gc.collect()
        grown = type_counts()
        grown.subtract(counts)
        print(f"objects the collector tracks, by type, grown between cycle {at} and {cycles}:")
        for name, n in grown.most_common(top):
            print(f"  {n:+9d} {name}")
    if trace and first is not None:
        gc.collect()
        last = tracemalloc.take_snapshot()
        print(f"end: traced {tracemalloc.get_traced_memory()[0] / 2**20:.0f} MB")
        skip = [tracemalloc.Filter(False, tracemalloc.__file__)]
        diff = last.filter_traces(skip).compare_to(first.filter_traces(skip), "traceback")
        print(f"grew most between cycle {at} and {cycles}:")
        for stat in diff[:top]:
            print(f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+8d} blocks")
            for line in stat.traceback.format()[-2 * frames :]:
                print("     ", line)
    engine.call_blocking(engine.close, 600)
    engine.shutdown_thread()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--at", type=int, default=100, help="cycle of the first snapshot")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--no-trace", action="store_true")
    parser.add_argument("--corpus", type=Path, help="a source tree to copy")
    parser.add_argument("--smoke", action="store_true", help="60 cycles over fixtures/")
    parser.add_argument(
        "--buffers",
        type=int,
        default=0,
        help="lay each analysis over its file as an open document (at most N open), as the "
        "server does, before the save's refresh",
    )
    args = parser.parse_args()
    source = args.corpus or (CORPUS if CORPUS.is_dir() and not args.smoke else REPO / "fixtures")
    cycles = 60 if args.smoke else args.cycles
    at = min(args.at, cycles // 2) if args.smoke else args.at
    with tempfile.TemporaryDirectory(prefix="auditls-soaktrace-") as tmp:
        root = Path(tmp).resolve() / "ws"
        shutil.copytree(
            source, root, ignore=shutil.ignore_patterns("__pycache__", ".auditls", "*.json")
        )
        if not (root / "pyproject.toml").exists():
            (root / "pyproject.toml").write_text("[project]\nname = 'soak'\n")
        run(root, cycles, at, args.seed, not args.no_trace, args.frames, args.top, args.buffers)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
