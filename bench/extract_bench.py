"""Extraction and indexing benchmark on the pinned corpus (bench/requirements.txt).

Prints figures; asserts nothing. Usage:

    pip install -r bench/requirements.txt
    python bench/extract_bench.py                 # django (default)
    python bench/extract_bench.py django flask werkzeug --jobs 2

Figures: per-file extraction p50/p95 (decode + parse + all extractors), the ratio of total
extraction time to ``ast.parse`` alone on the same files in the same run, the slowest
extractors, and ``auditls index`` cold, warm (nothing changed) and with one file touched.
The packages are located with ``importlib.util.find_spec``, which does not import them.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from auditls.config import load_config
from auditls.extractors import decode, extract
from auditls.index import index_workspace
from auditls.store import Store


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed: pip install -r bench/requirements.txt")
    return Path(next(iter(spec.submodule_search_locations)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_extract(files: list[Path], root: Path) -> None:
    sources = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in files]
    for rel, data in sources[:50]:  # warm caches and imports
        extract(data, rel)
    start = time.perf_counter()
    for _, data in sources:
        ast.parse(decode(data))
    parse_total = time.perf_counter() - start
    per_file: list[float] = []
    timings: dict[str, float] = {}
    start = time.perf_counter()
    for rel, data in sources:
        t0 = time.perf_counter()
        extract(data, rel)
        per_file.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    for rel, data in sources:
        extract(data, rel, timings=timings)
    lines = sum(data.count(b"\n") for _, data in sources)
    print(f"files: {len(sources)}  lines: {lines}")
    print(f"ast.parse alone:         {parse_total:7.2f} s")
    print(f"extract (parse+walk+all):{total:7.2f} s   ratio {total / parse_total:.2f}x")
    print(
        f"per file: p50 {statistics.median(per_file) * 1000:.2f} ms  "
        f"p95 {pct(per_file, 0.95) * 1000:.2f} ms  max {max(per_file) * 1000:.1f} ms"
    )
    top = sorted(timings.items(), key=lambda kv: -kv[1])[:6]
    print("extractors (s): " + ", ".join(f"{k} {v:.2f}" for k, v in top))


def bench_index(roots: list[Path], jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "ws"
        work.mkdir()
        for r in roots:
            shutil.copytree(r, work / r.name, ignore=shutil.ignore_patterns("__pycache__"))
        config = load_config(work)
        for label in ("cold", "warm (nothing changed)"):
            store = Store.open(work)
            t0 = time.perf_counter()
            report = index_workspace(work, store, config, jobs=jobs)
            elapsed = time.perf_counter() - t0
            print(f"index {label:24s} jobs={jobs}: {elapsed:6.2f} s  {report}")
            store.close()
        victim = next(work.rglob("*.py"))
        victim.write_bytes(victim.read_bytes() + b"\n# touched\n")
        store = Store.open(work)
        t0 = time.perf_counter()
        report = index_workspace(work, store, config, jobs=jobs)
        print(f"index one file changed          : {time.perf_counter() - t0:6.2f} s  {report}")
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=["django"])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-index", action="store_true", help="only the extraction figures")
    args = parser.parse_args()
    roots = [package_dir(p) for p in args.packages]
    files = sorted(f for r in roots for f in r.rglob("*.py"))
    print(f"corpus: {', '.join(f'{p} ({r})' for p, r in zip(args.packages, roots, strict=True))}")
    bench_extract(files, roots[0].parent)
    if not args.no_index:
        bench_index(roots, args.jobs)


if __name__ == "__main__":
    main()
