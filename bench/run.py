"""The benchmark suite: prints figures, writes Markdown and a PNG chart. Never a test.

    python bench/run.py                  # the pinned corpus (fetched once into a cache)
    python bench/run.py --smoke          # a handful of files, no download (CI runs this)
    python bench/run.py --out DIR        # where results go (default: bench/results/, ignored)
    python bench/run.py --warm-check django --repeat 5   # only warm `check`, on one part

The real corpus is real code nobody here wrote (``CORPUS`` below), fetched with
``pip download --no-deps`` into ``$AUDITLS_BENCH_CACHE`` (default ``~/.cache/auditls-bench``)
and unpacked there; nothing is imported and nothing lands in the repository. The second, small
corpus is application-style code: the repository's own fixtures.

Figures:
1. per-file extraction time (decode + parse + every extractor) p50/p95/p99/max on both
   corpora, each file's best of ``--repeat`` runs, interleaved with ``ast.parse`` of the same
   file so that load from elsewhere hits both alike;
2. total extraction time over ``ast.parse``-only time of the same files, same run;
3. each extractor's share, from the engine's timing hook;
4. ``auditls index`` cold with ``--jobs 1`` and ``--jobs 2`` (store writes included), warm with
   nothing changed, and after touching one file, each as a real subprocess, with its peak RSS;
   then ``auditls check`` warm: without the findings cache, with nothing changed, after
   touching one file;
5. the language server's didSave → publishDiagnostics latency (``bench/lsp_bench.py``), when
   the server is there;
6. bandit and ``ruff check --select S`` on the same corpus, when installed (the ``bench`` extra):
   wall time and peak RSS of the whole process;
7. the soak (``bench/soak.py``): the daemon's RSS after warm-up and at the end of 1,000
   edit/save cycles, and save → diagnostics p95 per tenth of the run (``--smoke``: 60 cycles
   over the fixtures, a few seconds).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import gc
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditls.extractors import decode, extract
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Walker, build_tables

REPO = Path(__file__).resolve().parent.parent

#: The pinned real-code corpus (about 1,400 files).
CORPUS = (
    "django==5.2.19",
    "flask==3.1.3",
    "werkzeug==3.1.9",
    "sqlalchemy==2.1.9",
    "celery==5.7.0",
    "requests==2.34.2",
)

#: Runs a command and reports its own wall time and its children's peak RSS (KiB on Linux).
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
    ".returncode\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


@dataclass
class Results:
    lines: list[str] = field(default_factory=list)
    per_file: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


def cache_dir() -> Path:
    base = os.environ.get("AUDITLS_BENCH_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "auditls-bench"


def fetch_corpus() -> Path:
    """Download the pinned wheels once and unpack their .py files; returns the source root."""
    cache = cache_dir()
    src = cache / "src"
    stamp = src / ".complete"
    if stamp.is_file() and stamp.read_text() == "\n".join(CORPUS):
        return src
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--only-binary", ":all:", "--dest", str(wheels), *CORPUS],
        check=True,
    )  # fmt: skip
    shutil.rmtree(src, ignore_errors=True)
    for requirement in CORPUS:
        name, version = requirement.split("==")
        (wheel,) = [
            w for w in wheels.glob("*.whl")
            if w.name.lower().startswith(f"{name.lower()}-{version}-")
        ]  # fmt: skip
        with zipfile.ZipFile(wheel) as zf:
            for member in zf.namelist():
                if member.endswith(".py") and ".dist-info/" not in member:
                    zf.extract(member, src / name)
    stamp.write_text("\n".join(CORPUS))
    return src


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_extraction(res: Results, label: str, root: Path, repeat: int) -> float:
    """Per-file figures; returns the parse-only total (seconds)."""
    files = sorted(p for p in root.rglob("*.py") if p.is_file())
    sources = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in files]
    rows: list[tuple[int, float, float]] = []
    parse_total = extract_total = 0.0
    for rel, data in sources:
        best_parse = best_extract = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the timing
                ast.parse(decode(data))
            except (SyntaxError, ValueError):
                pass
            t1 = time.perf_counter()
            extract(data, rel)
            t2 = time.perf_counter()
            best_parse = min(best_parse, t1 - t0)
            best_extract = min(best_extract, t2 - t1)
        parse_total += best_parse
        extract_total += best_extract
        rows.append((len(data), best_parse, best_extract))
    res.per_file[label] = rows
    floor_total = _traversal_floor(sources, repeat)
    per = [r[2] * 1000 for r in rows]
    lines = sum(d.count(b"\n") for _, d in sources)
    res.say(f"### Extraction: {label} ({len(sources)} files, {lines:,} lines)")
    res.say()
    res.say("| figure | value |")
    res.say("| --- | --- |")
    res.say(f"| per-file p50 / p95 / p99 / max | {pct(per, 0.5):.2f} / {pct(per, 0.95):.2f} / "
            f"{pct(per, 0.99):.2f} / {max(per):.2f} ms |")  # fmt: skip
    res.say(f"| `ast.parse` alone, total | {parse_total:.2f} s |")
    res.say(f"| extraction, total | {extract_total:.2f} s |")
    res.say(f"| extraction / `ast.parse` | **{extract_total / parse_total:.2f}x** |")
    res.say(f"| floor: parse + the bare walk (model, no extractor) / `ast.parse` | "
            f"{floor_total / parse_total:.2f}x |")  # fmt: skip
    res.say()
    timings: dict[str, float] = {}
    for rel, data in sources:
        extract(data, rel, timings=timings)
    spent = sum(timings.values()) or 1.0
    top = sorted(timings.items(), key=lambda kv: -kv[1])[:10]
    res.say("Extractors' share of the time spent in extractors (timing hook):")
    res.say()
    for name, seconds in top:
        res.say(f"- `{name}`: {seconds:.3f} s ({100 * seconds / spent:.0f}%)")
    res.say()
    return parse_total


def _traversal_floor(sources: list[tuple[str, bytes]], repeat: int) -> float:
    """Parse + one walk with the semantic model and no extractor: what every fact builds on."""
    empty = build_tables([])
    total = 0.0
    gc.disable()  # as extract() does
    for rel, data in sources:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                text = decode(data)
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            ctx = Context(text, rel, "m")
            Walker(ctx, [], *empty).run(tree)
            best = min(best, time.perf_counter() - t0)
        total += best if best != float("inf") else 0.0
    gc.enable()
    return total


def measure(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of a command run as a fresh process tree."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True
    ).stdout.split()
    wall, rss, rc = float(out[0]), int(out[1]) / 1024, int(out[2])
    if rc not in ok:
        sys.exit(f"bench: {' '.join(cmd)} exited {rc}")
    return wall, rss, rc


_MEASURE_CPU = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
    ".returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss, rc)\n"
)


def measure_cpu(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds: user + system, peak RSS MB) of a command run as a fresh
    process tree."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE_CPU, *cmd], capture_output=True, text=True, check=True
    ).stdout.split()
    if int(out[3]) not in ok:
        sys.exit(f"bench: {' '.join(cmd)} exited {out[3]}")
    return float(out[0]), float(out[1]), int(out[2]) / 1024


def bench_index(res: Results, root: Path, parse_total: float) -> None:
    auditls = [sys.executable, "-m", "auditls"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "ws"
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", ".auditls"))
        res.say("### Indexing (`auditls index`, a real subprocess each, store included)")
        res.say()
        res.say("| run | wall | peak RSS |")
        res.say("| --- | --- | --- |")
        res.say(f"| `ast.parse` alone, one core, same files | {parse_total:.2f} s | |")
        for jobs in (1, 2):
            shutil.rmtree(work / ".auditls", ignore_errors=True)
            wall, rss, _ = measure([*auditls, "index", str(work), "--jobs", str(jobs)])
            res.say(f"| cold, `--jobs {jobs}` | {wall:.2f} s | {rss:.0f} MB |")
        wall, rss, _ = measure([*auditls, "index", str(work), "--jobs", "2"])
        res.say(f"| warm, nothing changed | {wall:.2f} s | {rss:.0f} MB |")
        victim = next(work.rglob("*.py"))
        victim.write_bytes(victim.read_bytes() + b"\n# touched\n")
        wall, rss, _ = measure([*auditls, "index", str(work), "--jobs", "2"])
        res.say(f"| one file touched | {wall:.2f} s | {rss:.0f} MB |")
        res.say()
        bench_warm_check(res, work)


def bench_warm_check(res: Results, work: Path, repeat: int = 1) -> None:
    """``auditls check`` on an indexed workspace: with the findings cache
    (``.auditls/check-findings.json``) nothing changed, one file touched (a new line at its end
    each run), and without it (every rule runs again, as before the cache). Each row: the best
    and the median of ``repeat`` runs, wall and CPU (user + system of the process tree: less
    sensitive than wall to other load on the machine)."""
    auditls = [sys.executable, "-m", "auditls", "check", str(work), "--quiet"]
    no_taint = [*auditls, "--ignore", "AUD5"]
    cache = work / ".auditls" / "check-findings.json"
    files = sorted(work.rglob("*.py"))
    victim = files[len(files) // 2]
    touches = iter(range(1_000_000))

    def touch() -> None:
        victim.write_bytes(victim.read_bytes() + f"# touched {next(touches)}\n".encode())

    def row(label: str, cmd: list[str], before: Callable[[], None] | None = None) -> None:
        runs = []
        for _ in range(repeat):
            if before is not None:
                before()
            runs.append(measure_cpu(cmd))
        walls, cpus, rss = [r[0] for r in runs], [r[1] for r in runs], max(r[2] for r in runs)
        res.say(
            f"| {label} | {min(walls):.2f} s | {statistics.median(walls):.2f} s "
            f"| {min(cpus):.2f} s | {statistics.median(cpus):.2f} s | {rss:.0f} MB |"
        )

    measure(auditls)  # index and fill the cache
    res.say(
        f"### Warm `auditls check` (a real subprocess each, index up to date; {len(files)} "
        f"files; best and median of {repeat})"
    )
    res.say()
    res.say(f"One file touched: `{victim.relative_to(work)}`.")
    res.say()
    res.say("| run | wall best | wall median | CPU best | CPU median | peak RSS |")
    res.say("| --- | --- | --- | --- | --- | --- |")
    row("no findings cache (every rule runs)", auditls, lambda: cache.unlink(missing_ok=True))
    row("nothing changed", auditls)
    row("one file touched (its file rules, then every workspace rule)", auditls, touch)
    measure(no_taint)  # the cache's workspace findings are now those of this selection
    row("nothing changed, taint rules off (`--ignore AUD5`)", no_taint)
    row("one file touched, taint rules off", no_taint, touch)
    res.say()


def bench_taint(res: Results, root: Path, edits: int = 20) -> None:
    """The taint rules' cost: `auditls check` cold and warm with and without them
    (subprocesses); then, in this process, the engine over the indexed store (units, the units
    a path can cross, paths) and one-line edits: each edit inserts a line at the top of a file
    (every line below moves), re-indexes, and brings the engine up to date in place."""
    import random
    import statistics

    from auditls.config import load_config
    from auditls.index import index_workspace
    from auditls.store import Store
    from auditls.taint import taint_of

    auditls = [sys.executable, "-m", "auditls"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "ws"
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", ".auditls"))
        res.say("### Taint (`auditls check`, a real subprocess each)")
        res.say()
        res.say("| run | wall | peak RSS |")
        res.say("| --- | --- | --- |")
        for label, extra in (("taint rules off", ["--ignore", "AUD5"]), ("taint rules on", [])):
            shutil.rmtree(work / ".auditls", ignore_errors=True)
            wall, rss, _ = measure([*auditls, "check", str(work), *extra])
            res.say(f"| cold check, {label} | {wall:.2f} s | {rss:.0f} MB |")
            wall, rss, _ = measure([*auditls, "check", str(work), *extra])
            res.say(f"| warm check, {label} | {wall:.2f} s | {rss:.0f} MB |")
        config = load_config(work)
        with Store.open(work, persist=False) as store:
            index_workspace(work, store, config, progress=False, snapshot=False)
            started = time.perf_counter()
            engine = taint_of(store)
            built = time.perf_counter() - started
            paths = engine.paths()
            total = time.perf_counter() - started
            res.say()
            res.say(
                f"In process: engine built in {built:.2f} s, paths in {total:.2f} s in all; "
                f"{len(engine.program.units)} units, {len(engine.relevant)} a path can cross "
                f"(interpreted {engine.resummarised} times), {len(paths)} paths."
            )
            files = sorted(work.rglob("*.py"))
            rng = random.Random(7)
            times: list[float] = []
            counts: list[int] = []
            for victim in rng.sample(files, min(edits, len(files))):
                original = victim.read_bytes()
                victim.write_bytes(b"# edited\n" + original)
                index_workspace(work, store, config, progress=False, snapshot=False)
                started = time.perf_counter()
                again = taint_of(store)
                again.paths()
                times.append((time.perf_counter() - started) * 1000)
                assert again is engine, "the engine is updated in place"
                counts.append(len(engine.last_resummarised))
                victim.write_bytes(original)
                index_workspace(work, store, config, progress=False, snapshot=False)
                taint_of(store).paths()
        if times:
            cut = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            res.say(
                f"One-line edits ({len(times)} files at random, seed 7): engine update "
                f"p50 {statistics.median(times):.1f} ms, p95 {cut:.1f} ms; functions "
                f"re-summarised per edit: median {statistics.median(counts):.0f}, "
                f"max {max(counts)}."
            )
        res.say()


def bench_peers(res: Results, root: Path) -> None:
    peers = []
    if shutil.which("bandit") or importlib.util.find_spec("bandit"):
        peers.append(("bandit -r -q", [sys.executable, "-m", "bandit", "-r", "-q", str(root)]))
    here = os.path.dirname(sys.executable)  # the venv's own tools first
    ruff = shutil.which("ruff", path=here + os.pathsep + os.environ.get("PATH", ""))
    if ruff:
        peers.append(
            (
                "ruff check --select S",
                [ruff, "check", "--select", "S", "--no-cache", "-q", "--exit-zero", str(root)],
            )
        )
    peers.append(
        (
            "auditls check (cold)",
            [
                sys.executable,
                "-m",
                "auditls",
                "check",
                str(root),
                "--format",
                "json",
                "--jobs",
                "2",
            ],
        )
    )
    res.say("### Peers on the same corpus (whole process)")
    res.say()
    res.say("| tool | wall | peak RSS |")
    res.say("| --- | --- | --- |")
    for label, cmd in peers:
        shutil.rmtree(root / ".auditls", ignore_errors=True)
        wall, rss, _ = measure(cmd)
        res.say(f"| `{label}` | {wall:.2f} s | {rss:.0f} MB |")
    shutil.rmtree(root / ".auditls", ignore_errors=True)
    if len(peers) == 1:
        res.say("| bandit, ruff | not installed: `pip install -e '.[bench]'` | |")
    res.say()


def bench_lsp(res: Results, root: Path, *extra: str) -> None:
    script = REPO / "bench" / "lsp_bench.py"
    if not script.is_file():
        res.say("didSave → publishDiagnostics: the language server's benchmark is not there yet.")
        return
    proc = subprocess.run(
        [sys.executable, str(script), "--workspace", str(root), *extra],
        capture_output=True,
        text=True,
    )
    res.say("### Language server (bench/lsp_bench.py)")
    res.say()
    res.say("```")
    res.say((proc.stdout + (proc.stderr if proc.returncode else "")).strip())
    res.say("```")
    res.say()


def bench_soak(res: Results, args: list[str]) -> None:
    """The daemon through edit/save cycles (``bench/soak.py``): memory and latency over time."""
    script = REPO / "bench" / "soak.py"
    proc = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=600
    )
    res.say(f"### Soak (bench/soak.py {' '.join(args)})")
    res.say()
    res.say("```")
    res.say((proc.stdout or proc.stderr).strip())
    res.say("```")
    res.say()


def scale_workspace(corpus: Path, copies: int, dest: Path) -> int:
    """``copies`` copies of the corpus side by side under ``dest`` (``copy_0/django/...``); the
    number of Python files. Each copy keeps its module names, as two projects in one
    repository do (``fixtures/flask_two_apps``)."""
    for k in range(copies):
        shutil.copytree(
            corpus, dest / f"copy_{k}", ignore=shutil.ignore_patterns("__pycache__", ".auditls")
        )
    (dest / "pyproject.toml").write_text("[project]\nname = 'scale'\n")
    return sum(1 for _ in dest.rglob("*.py"))


def bench_scale(res: Results, corpus: Path, copies: int, parts: set[str]) -> None:
    """Issue 16's scale targets on the corpus replicated ``copies`` times (in a temp dir):
    cold index peak memory (< 400 MB at 10x), warm ``check`` (< 3 s), and didSave ->
    publishDiagnostics p95 (< 50 ms, ``bench/lsp_bench.py``) in that workspace."""
    auditls = [sys.executable, "-m", "auditls"]
    with tempfile.TemporaryDirectory(prefix="auditls-scale-") as tmp:
        work = Path(tmp) / "ws"
        work.mkdir()
        files = scale_workspace(corpus, copies, work)
        res.say(f"### Scale: the corpus {copies} times ({files:,} files, {work})")
        res.say()
        res.say("| run | wall | peak RSS |")
        res.say("| --- | --- | --- |")
        if parts & {"index", "check"}:
            shutil.rmtree(work / ".auditls", ignore_errors=True)
            wall, rss, _ = measure([*auditls, "index", str(work), "--jobs", "2"])
            res.say(f"| cold `index --jobs 2` | {wall:.2f} s | {rss:.0f} MB |")
            wall, rss, _ = measure([*auditls, "index", str(work)])
            res.say(f"| warm `index`, nothing changed | {wall:.2f} s | {rss:.0f} MB |")
        if "check" in parts:
            check = [*auditls, "check", str(work), "--quiet"]
            wall, rss, _ = measure(check)
            res.say(
                f"| first `check` (every rule, fills the caches) | {wall:.2f} s | {rss:.0f} MB |"
            )
            for run in range(3):
                wall, rss, _ = measure(check)
                res.say(
                    f"| warm `check`, nothing changed ({run + 1}) | {wall:.2f} s | {rss:.0f} MB |"
                )
            victim = sorted(work.rglob("*.py"))[files // 2]
            victim.write_bytes(victim.read_bytes() + b"\n# touched\n")
            wall, rss, _ = measure(check)
            res.say(f"| warm `check`, one file touched | {wall:.2f} s | {rss:.0f} MB |")
            victim.write_bytes(victim.read_bytes() + b"# again\n")
            wall, rss, _ = measure([*check, "--ignore", "AUD5"])
            res.say(f"| same, taint rules off | {wall:.2f} s | {rss:.0f} MB |")
        res.say()
        if "lsp" in parts:
            shutil.rmtree(work / ".auditls", ignore_errors=True)
            bench_lsp(res, work, "--timeout", "1800")


def chart(res: Results, out: Path) -> Path | None:
    try:
        import matplotlib  # an optional bench extra, imported only here

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        res.say("(no chart: matplotlib is not installed; `pip install -e '.[bench]'`)")
        return None
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for label, rows in res.per_file.items():
        sizes = [r[0] / 1024 for r in rows]
        ax.scatter(sizes, [r[2] * 1000 for r in rows], s=6, label=f"extract: {label}")
        ax.scatter(sizes, [r[1] * 1000 for r in rows], s=6, marker="x", alpha=0.5,
                   label=f"ast.parse: {label}")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("file size (KiB)")
    ax.set_ylabel("time per file (ms, best of runs)")
    ax.set_title("auditls extraction vs ast.parse, per file")
    ax.axhline(10, color="grey", linestyle="--", linewidth=0.8)
    ax.legend(fontsize=8)
    path = out / "extraction.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few files, no download")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file (best is kept)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="only the scale figures, on the corpus copied N times into a temp dir",
    )
    parser.add_argument(
        "--scale-parts",
        default="index,check,lsp",
        help="with --scale: which of index, check, lsp (comma-separated)",
    )
    parser.add_argument(
        "--warm-check",
        metavar="PART",
        help="only the warm `auditls check` figures, on a copy of one part of the corpus "
        "(django, flask, ...; all: the whole corpus) or of any directory given by its path, "
        "each row the best and median of --repeat",
    )
    args = parser.parse_args()
    res = Results()
    res.say(f"# auditls benchmarks, {datetime.date.today().isoformat()}")
    res.say()
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        # Without bytecode every measured process compiles auditls from source (about 0.5 s
        # a run here); an installed auditls has its bytecode.
        res.say("PYTHONDONTWRITEBYTECODE was set: unset for the measured processes.")
        res.say()
    res.say(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, {platform.platform()}")  # fmt: skip
    res.say()
    fixtures = REPO / "fixtures"
    if args.warm_check:
        source = fixtures if args.smoke else fetch_corpus()
        part = source if args.warm_check == "all" else source / args.warm_check
        if os.sep in args.warm_check and Path(args.warm_check).is_dir():
            part = Path(args.warm_check)  # any tree: a Django sdist with its tests
        if not part.is_dir():
            sys.exit(f"bench: no part {args.warm_check!r} in {source}")
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "ws"
            shutil.copytree(part, work, ignore=shutil.ignore_patterns("__pycache__", ".auditls"))
            res.say(f"Part: `{args.warm_check}` of {source}, copied to a temp dir")
            res.say()
            bench_warm_check(res, work, args.repeat)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "warm-check.md").write_text("\n".join(res.lines) + "\n", encoding="utf-8")
        return
    if args.scale:
        source = fixtures if args.smoke else fetch_corpus()
        bench_scale(res, source, args.scale, set(args.scale_parts.split(",")))
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "scale.md").write_text("\n".join(res.lines) + "\n", encoding="utf-8")
        return
    if args.smoke:
        with tempfile.TemporaryDirectory() as tmp:
            small = Path(tmp) / "smoke"
            shutil.copytree(
                fixtures, small, ignore=shutil.ignore_patterns(".auditls", "*.json", "*.toml")
            )
            parse_total = bench_extraction(res, "smoke (fixtures/)", small, 1)
            bench_index(res, small, parse_total)
            bench_taint(res, small)
        bench_soak(res, ["--smoke"])
    else:
        corpus = fetch_corpus()
        res.say("Corpus: " + ", ".join(f"`{c}`" for c in CORPUS) + f" (unpacked in {corpus})")
        res.say()
        parse_total = bench_extraction(res, "real corpus", corpus, args.repeat)
        bench_extraction(res, "application code (fixtures/)", fixtures, args.repeat)
        bench_index(res, corpus, parse_total)
        bench_taint(res, corpus)
        bench_lsp(res, corpus)
        bench_soak(res, ["--corpus", str(corpus)])
        bench_peers(res, corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    png = chart(res, args.out)
    if png is not None:
        res.say(f"Chart: {png}")
    (args.out / "results.md").write_text("\n".join(res.lines) + "\n", encoding="utf-8")
    (args.out / "per_file.json").write_text(json.dumps(res.per_file), encoding="utf-8")
    print(f"wrote {args.out / 'results.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
