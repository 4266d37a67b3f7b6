"""Soak: the daemon through many edit/save cycles. Prints figures, asserts nothing. Never a test.

    python bench/soak.py                 # 1,000 cycles over the benchmark corpus
    python bench/soak.py --cycles 5000   # longer
    python bench/soak.py --smoke         # 60 cycles over fixtures/ (anywhere, in seconds)

The corpus is ``$AUDITLS_BENCH_CACHE/src`` (default ``~/.cache/auditls-bench``, which
``bench/run.py`` fills), else ``fixtures/``; it is copied into a temp workspace, never touched.
Against a real ``auditls serve`` subprocess over stdio (the client of ``bench/lsp_bench.py``):

1. Start, wait for the cold index to end (work-done progress).
2. ``--cycles`` times (fixed seed): pick a file; open it (at most ``--open`` files stay open,
   the oldest is closed); edit it (append a line with a finding, append a harmless line, or drop
   the last appended line), write it to disk, send ``didChange`` then ``didSave``; the time from
   ``didSave`` to the ``publishDiagnostics`` of that version is one sample.
3. The daemon's resident set (VmRSS) after warm-up (the first tenth of the cycles), at each
   tenth and at the end, and p50/p95 of the samples per tenth of the run: memory should stay
   flat after warm-up, latency should not drift. Then the RSS once the daemon has caught up
   (its CPU idle for two seconds): without think time the store runs behind the saves, and
   what its pending batch holds is not a leak. ``--pace S`` starts a cycle every ``S``
   seconds at most (a person's pace) instead of at once.
4. ``--settle S`` (default 40): then ``S`` seconds more without a change, and the RSS again:
   the daemon writes its snapshot after 30 s without a change, and its supervisor replaces a
   server process that has grown past its limit (``auditls.supervisor``) from that snapshot.
   The RSS is that of the supervisor and its server process (``lsp_bench.rss_kib``).
   ``--pause-every N``: editing in bursts: after every ``N`` cycles, until the daemon is idle,
   ``--pause`` seconds more (default 40) and until it is idle again, without a change; the RSS
   of a tenth is taken after its pause.
5. ``--trace-memory``: the daemon runs with tracemalloc from the end of warm-up; at the end,
   the allocations made since and still held (what grew), by traceback. ``--count-objects``:
   instead, the number of objects the collector tracks, by type, at the end less after warm-up
   (cheap: the daemon runs at full speed, so the store keeps up as it does untraced).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

from lsp_bench import CAPABILITIES, Probe, drain, make_probe, open_doc, pct, rss_kib, start, stop
from lsprotocol import types

REPO = Path(__file__).resolve().parents[1]
CACHE = os.environ.get("AUDITLS_BENCH_CACHE") or Path.home() / ".cache" / "auditls-bench"
CORPUS = Path(CACHE) / "src"
#: ``--trace-memory``: the daemon, started with a SIGUSR1 handler: the first signal starts
#: tracemalloc (after warm-up), the second dumps a snapshot of what is still allocated of what
#: was allocated since, that is, what grew. Not the ``auditls`` command: a wrapper of it.
TRACED_SERVER = """
import os, signal, sys
out = os.environ["AUDITLS_SOAK_TRACE"]
counted = {}
def count_objects():
    # Every object the collector tracks, frozen ones too (after an index or a tidy most are):
    # unfrozen, collected (as a tidy would), counted with their sizes by type, frozen again.
    import collections, gc, sys
    gc.unfreeze()
    gc.collect()
    found = collections.Counter()
    for o in gc.get_objects():
        name = type(o).__qualname__
        found[name] += 1
        found["bytes " + name] += sys.getsizeof(o)
    gc.freeze()
    return found
def owners():
    # Where the pending tasks wait, and what holds the FileFacts alive (one level up).
    import asyncio, collections, gc
    found = collections.Counter()
    loop = asyncio._get_running_loop()
    for task in asyncio.all_tasks(loop) if loop is not None else ():
        coro, where = task.get_coro(), []
        while coro is not None and hasattr(coro, "cr_frame"):
            if coro.cr_frame is not None:
                where.append(f"{coro.cr_code.co_name}:{coro.cr_frame.f_lineno}")
            coro = coro.cr_await
        found["task " + " > ".join(where)] += 1
    for obj in gc.get_objects():
        if type(obj).__name__ == "FileFacts":
            for ref in gc.get_referrers(obj):
                name = type(ref).__qualname__
                if name == "dict":
                    holders = [type(r).__qualname__ for r in gc.get_referrers(ref)][:2]
                    name = "dict in " + ",".join(holders)
                found["FileFacts held by " + name] += 1
    return found
servers = []
import auditls.server.app as _app
_create_server = _app.create_server
def _remember_server():
    server = _create_server()
    servers.append(server)
    return server
_app.create_server = _remember_server
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
def sqlite_mb():
    import ctypes, ctypes.util, sqlite3
    lib = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib.sqlite3_memory_used() / 2**20
def allocators():
    # Where the resident set is: pymalloc's arenas (Python's small objects: an arena is given
    # back only when every object in it is freed) and glibc's heaps (large objects, SQLite).
    import ctypes, re, sys, tempfile
    found = {}
    with tempfile.TemporaryFile() as tmp:  # _debugmallocstats writes to the C stderr
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
    for key, name in (
        ("arenas allocated current", "pymalloc arenas (MiB)"),
        ("bytes in allocated blocks", "pymalloc used MB"),
        ("bytes in available blocks", "pymalloc free in pools MB"),
        ("unused pools", "pymalloc free pools MB"),
    ):
        m = re.search(r"# " + re.escape(key) + r"\\s*=\\s*([\\d,]+)", text)
        if m is None:
            m = re.search(r"\\d+ " + re.escape(key) + r" \\*.*=\\s*([\\d,]+)", text)
        if m is not None:
            value = int(m.group(1).replace(",", ""))
            found[name] = value if "arenas" in name else value / 2**20
    class Mallinfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = Mallinfo2
        info = libc.mallinfo2()
        found["glibc used MB"] = (info.uordblks + info.hblkhd) / 2**20
        found["glibc free MB"] = info.fordblks / 2**20
    except (OSError, AttributeError):
        pass
    return found
def sizes():
    # What the server's long-lived structures hold (not gc-visible: frozen after the index).
    import gc
    found = {"rss MB": rss_mb(), "sqlite MB": sqlite_mb(), "frozen objects": gc.get_freeze_count()}
    found.update(allocators())
    for server in servers:
        found["documents"] = len(server.documents)
        found["server _open"] = len(server._open)
        found["server _tasks"] = len(server._tasks)
        if server.hub is not None:
            found["hub entries"] = len(server.hub._entries)
        if server.pipeline is not None:
            found["pipeline keys"] = len(server.pipeline._keys)
        proto = server.protocol
        found["protocol request futures"] = len(getattr(proto, "_request_futures", ()))
        for folder in server.folders:
            engine = folder.engine
            found["folder disk"] = len(folder.disk)
            found["folder workspace"] = len(folder.workspace)
            found["folder buffers"] = len(folder.buffers)
            found["engine _known"] = len(engine._known)
            found["engine _workspace"] = len(engine._workspace)
            found["engine _buffers"] = len(engine._buffers)
            found["engine _disk"] = len(engine._disk)
            def pragmas(store):
                conn = store.conn
                return {
                    name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("page_count", "freelist_count", "cache_size", "page_size")
                }
            try:
                for name, value in engine.query(pragmas, 60).items():
                    found["store " + name] = value
            except Exception as exc:
                found["store pragmas: " + type(exc).__name__] = 1
    return found
def released():
    # What malloc_trim gives back, then what the collector frees once unfrozen.
    import ctypes, gc
    libc = ctypes.CDLL("libc.so.6")
    found = {"full collections so far": gc.get_stats()[2]["collections"]}
    gc.collect()
    found["rss MB after gc.collect"] = rss_mb()
    import time
    began = time.perf_counter()
    libc.malloc_trim(0)
    found["malloc_trim ms"] = (time.perf_counter() - began) * 1000
    found["rss MB after malloc_trim"] = rss_mb()
    gc.unfreeze()
    began = time.perf_counter()
    found["collected once unfrozen"] = gc.collect()
    found["full collection ms"] = (time.perf_counter() - began) * 1000
    libc.malloc_trim(0)
    found["rss MB after unfreeze+collect+trim"] = rss_mb()
    found.update((name + ", then", value) for name, value in allocators().items())
    gc.freeze()
    return found
def on_signal(signum, frame):
    import gc, json, tracemalloc
    if os.environ.get("AUDITLS_SOAK_COUNT"):  # object counts by type, no tracemalloc
        if not counted:
            counted.update(count_objects())
            counted["__sizes__"] = sizes()
            return
        warm = counted.pop("__sizes__")
        now = count_objects()
        grown = {k: now[k] - counted.get(k, 0) for k in now if now[k] - counted.get(k, 0)}
        grown.update(owners())
        end = sizes()
        grown["__memory__"] = [[k, warm.get(k), end[k]] for k in end] + [
            [k, None, v] for k, v in released().items()
        ]
        with open(os.path.join(out, "grown.json"), "w") as f:
            json.dump(grown, f)
        open(os.path.join(out, "grown.done"), "w").close()
        return
    if not tracemalloc.is_tracing():
        gc.collect()
        tracemalloc.start(int(os.environ.get("AUDITLS_SOAK_FRAMES", "40")))
        return
    gc.collect()
    tracemalloc.take_snapshot().dump(os.path.join(out, "grown.snapshot"))
    tracemalloc.stop()
    open(os.path.join(out, "grown.done"), "w").close()
signal.signal(signal.SIGUSR1, on_signal)
sys.argv = ["auditls", "serve", "--single-process"]  # this process is the server
from auditls.__main__ import main
sys.exit(main())
"""
EDITS = (
    "\n_soak_{i} = eval(input())  # a finding\n",
    "\n_soak_{i} = {i}\n",
)


def edit(text: str, rng: random.Random, i: int) -> str:
    marker = "\n_soak_"
    if marker in text and rng.random() < 0.3:
        return text[: text.rindex(marker)] + "\n"  # drop the last line the soak added
    return text.rstrip("\n") + "\n" + rng.choice(EDITS).format(i=i)


async def start_traced(root: Path, trace: Path, count: bool) -> tuple[Probe, float]:
    """``lsp_bench.start`` with the daemon in ``TRACED_SERVER``."""
    probe = make_probe()
    env = {**os.environ, "AUDITLS_SOAK_TRACE": str(trace)}
    if count:
        env["AUDITLS_SOAK_COUNT"] = "1"
    await probe.start_io(sys.executable, "-c", TRACED_SERVER, env=env)
    server = probe._server
    assert server is not None
    assert server.stderr is not None
    probe.drain = asyncio.ensure_future(drain(server.stderr))
    started = time.perf_counter()
    await probe.initialize_async(
        types.InitializeParams(
            process_id=os.getpid(),
            capabilities=CAPABILITIES,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    probe.initialized(types.InitializedParams())
    return probe, started


def print_grown(trace: Path, top: int = 25) -> None:
    import tracemalloc

    if (trace / "grown.json").exists():
        grown = json.loads((trace / "grown.json").read_text())
        memory = grown.pop("__memory__", [])
        if memory:
            print("the daemon's structures and memory, after warm-up -> at the end:")
            for name, warm, end in memory:
                print(f"  {name:40} {'' if warm is None else fmt(warm):>10} -> {fmt(end):>10}")
        owners = {k: n for k, n in grown.items() if k.startswith(("task ", "FileFacts held"))}
        print("objects (gc-tracked) that grew in number from warm-up to the end, by type:")
        types = [(k, n) for k, n in grown.items() if k not in owners]
        counts = [(k, n) for k, n in types if not k.startswith("bytes ")]
        for name, n in sorted(counts, key=lambda kv: -kv[1])[:top]:
            print(f"  {n:+9d} {name} ({grown.get('bytes ' + name, 0) / 2**20:+.1f} MB shallow)")
        print("at the end: pending tasks by where they wait; FileFacts by what holds them:")
        for name, n in sorted(owners.items(), key=lambda kv: -kv[1]):
            print(f"  {n:9d} {name}")
        return

    snapshot = tracemalloc.Snapshot.load(str(trace / "grown.snapshot"))
    stats = snapshot.statistics("traceback")
    total = sum(stat.size for stat in stats)
    print(f"allocated after warm-up and still held at the end: {total / 2**20:.1f} MB; largest:")
    for stat in stats[:top]:
        print(f"  {stat.size / 1024:9.0f} KiB {stat.count:8d} blocks")
        # auditls's own frames, outermost first: who asked for it, down to what allocated it.
        for frame in stat.traceback:
            if "/auditls/" in frame.filename:
                where = frame.filename[frame.filename.rindex("/auditls/") + 1 :]
                print(f"      {where}:{frame.lineno}")


async def soak(
    root: Path,
    cycles: int,
    seed: int,
    keep_open: int,
    trace: Path | None = None,
    count: bool = False,
    pace: float = 0.0,
    restore: bool = False,
    settle: float = 0.0,
    pause_every: int = 0,
    pause: float = 0.0,
) -> None:
    files = sorted(p for p in root.rglob("*.py") if ".auditls" not in p.parts)
    print(f"workspace: {root} ({len(files)} Python files), {cycles} cycles, seed {seed}")
    probe, started = await (start(root) if trace is None else start_traced(root, trace, count))
    await probe.wait(lambda: probe.progress_end is not None, "the end of the cold index")
    assert probe.progress_end is not None
    print(f"cold index: {probe.progress_end - started:.1f} s")
    server = probe._server
    assert server is not None
    rng = random.Random(seed)
    versions: dict[str, int] = {}
    originals: dict[Path, str] = {}  # each edited file's text before its first edit
    opened: OrderedDict[str, None] = OrderedDict()
    latencies: list[float] = []
    tenths: list[int] = []  # the daemon's RSS (KiB) at the end of each tenth
    warm_rss = None
    window = max(1, cycles // 10)
    began = time.perf_counter()
    for i in range(cycles):
        if pace > 0:  # a save every `pace` seconds at most, as a person saves
            wait = began + i * pace - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
        path = rng.choice(files)
        uri = path.as_uri()
        text = path.read_text(encoding="utf-8", errors="replace")
        originals.setdefault(path, text)
        if uri not in opened:
            versions[uri] = versions.get(uri, 0) + 1
            open_doc_at(probe, uri, text, versions[uri])
            opened[uri] = None
            if len(opened) > keep_open:
                old, _ = opened.popitem(last=False)
                probe.text_document_did_close(
                    types.DidCloseTextDocumentParams(
                        text_document=types.TextDocumentIdentifier(uri=old)
                    )
                )
        text = edit(text, rng, i)
        path.write_text(text, encoding="utf-8")
        versions[uri] += 1
        version = versions[uri]
        probe.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        saved = time.perf_counter()
        probe.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await probe.wait(lambda u=uri, v=version: (u, v) in probe.published, "a save's diagnostics")
        latencies.append(probe.published[(uri, version)] - saved)
        if pause_every and (i + 1) % pause_every == 0 and i + 1 < cycles:
            # A person stops typing: the store catches up, then its idle snapshot (30 s after
            # the last change) and what follows it.
            await until_idle(server.pid)
            await asyncio.sleep(pause)  # a bench waiting for a timer of the daemon, not a test
            await until_idle(server.pid)
        if (i + 1) % window == 0:
            tenths.append(rss_kib(server.pid)[0])
        if i + 1 == window:
            warm_rss = rss_kib(server.pid)[0]
            if trace is not None:
                os.kill(server.pid, signal.SIGUSR1)  # tracemalloc from here
    elapsed = time.perf_counter() - began
    if pause_every:
        print(f"with a pause of {pause:.0f} s every {pause_every} cycles (in the time above)")
    end_rss, peak = rss_kib(server.pid)
    if restore:  # every file as it was, every document closed: what stays is not the data's
        await restore_all(probe, originals, opened, versions)
    # The object counts run at full speed: they wait for the store to catch up as well.
    idle_after = await until_idle(server.pid) if trace is None or count else None
    idle_rss = rss_kib(server.pid)[0]
    if trace is not None:
        os.kill(server.pid, signal.SIGUSR1)  # the snapshot of what grew
        await probe.wait(lambda: (trace / "grown.done").exists(), "the memory snapshot")
    print(f"{cycles} cycles in {elapsed:.1f} s")
    print("didSave -> publishDiagnostics (ms), per tenth of the run:")
    for start_at in range(0, len(latencies), window):
        ms = [x * 1000 for x in latencies[start_at : start_at + window]]
        rss = tenths[start_at // window] if start_at // window < len(tenths) else end_rss
        print(
            f"  cycles {start_at + 1:>5}-{start_at + len(ms):<5} "
            f"p50 {statistics.median(ms):6.1f}  p95 {pct(ms, 0.95):6.1f}  max {max(ms):6.1f}  "
            f"RSS {rss / 1024:4.0f} MB"
        )
    ms = [x * 1000 for x in latencies]
    print(f"all: p50 {statistics.median(ms):.1f} ms, p95 {pct(ms, 0.95):.1f} ms")
    warm = warm_rss if warm_rss is not None else end_rss
    print(
        f"daemon RSS: {warm / 1024:.0f} MB after warm-up ({window} cycles), "
        f"{end_rss / 1024:.0f} MB at the end ({(end_rss - warm) / 1024:+.0f} MB), "
        f"peak {peak / 1024:.0f} MB"
    )
    if idle_after is not None:
        print(
            f"daemon RSS once it caught up (its CPU idle, {idle_after:.1f} s after the last "
            f"cycle): {idle_rss / 1024:.0f} MB ({(idle_rss - warm) / 1024:+.0f} MB on warm-up)"
        )
    if settle > 0 and trace is None:
        # As a person stops typing: the daemon writes its snapshot after SNAPSHOT_IDLE seconds
        # without a change, and its supervisor then replaces a server that has grown.
        await asyncio.sleep(settle)  # a bench waiting for a timer of the daemon, not a test
        await until_idle(server.pid)
        settled_rss = rss_kib(server.pid)[0]
        replaced = sum(" replaced by " in line for line in probe.supervisor_log)
        print(
            f"daemon RSS after {settle:.0f} s more without a change: {settled_rss / 1024:.0f} MB "
            f"({(settled_rss - warm) / 1024:+.0f} MB on warm-up); server processes replaced "
            f"during the run: {replaced}"
        )
    await stop(probe)
    if trace is not None:
        print_grown(trace)


async def restore_all(
    probe: Probe,
    originals: dict[Path, str],
    opened: OrderedDict[str, None],
    versions: dict[str, int],
) -> None:
    """Every edited file back to its text before the soak (a save for an open one, the
    watcher's event for the others), then every document closed."""
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        if uri in opened:
            versions[uri] += 1
            probe.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(
                        uri=uri, version=versions[uri]
                    ),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
            probe.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
    for uri in list(opened):
        probe.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
    opened.clear()
    print(f"restored {len(originals)} files, closed every document")


def fmt(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def cpu_ticks(pid: int) -> int:
    """The CPU time of the daemon's processes: the supervisor, its server process, and their
    worker processes (a batch of 100 files or more is extracted in spawned workers, while the
    server itself waits: idle, not caught up), reaped ones included (cutime, cstime)."""
    stats: dict[int, list[str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats[int(stat.parent.name)] = stat.read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue  # ended meanwhile
    tree, ticks = {pid}, 0
    grew = True
    while grew:  # descendants, by their parent's pid
        found = {p for p, f in stats.items() if int(f[1]) in tree} - tree
        grew = bool(found)
        tree |= found
    for one in tree:
        if one in stats:
            ticks += sum(int(f) for f in stats[one][11:15])  # utime, stime, cutime, cstime
    return ticks


async def until_idle(pid: int, limit: float = 600.0) -> float | None:
    """Seconds until the daemon has used under 2% of a core for two seconds in a row (the
    store's backlog of a soak without think time done); None after ``limit``."""
    began = time.perf_counter()
    quiet = 0
    last = cpu_ticks(pid)
    while time.perf_counter() - began < limit:
        await asyncio.sleep(1.0)  # a bench sampling CPU time, not a test waiting on an event
        now = cpu_ticks(pid)
        quiet = quiet + 1 if now - last <= 2 else 0
        last = now
        if quiet >= 2:
            return time.perf_counter() - began
    return None


def open_doc_at(probe: Probe, uri: str, text: str, version: int) -> None:
    if version == 1:
        open_doc(probe, uri, text)
        return
    probe.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--open", type=int, default=20, help="documents kept open at most")
    parser.add_argument("--corpus", type=Path, help="a source tree to copy (default: see above)")
    parser.add_argument("--smoke", action="store_true", help="60 cycles over fixtures/")
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="tracemalloc in the daemon from the end of warm-up: what is still held at the end",
    )
    parser.add_argument(
        "--count-objects",
        action="store_true",
        help="the daemon counts its objects by type after warm-up and at the end (no slowdown)",
    )
    parser.add_argument(
        "--restore",
        action="store_true",
        help="at the end, write every edited file back as it was and close every document, "
        "before the figures once caught up (the soak's own findings gone)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        help="after the figures once caught up, seconds more without a change, then the RSS "
        "again: the daemon's idle snapshot (30 s) and, if it has grown, its server process "
        "replaced from it (0: skip; default 40, 0 with --smoke)",
    )
    parser.add_argument(
        "--pause-every",
        type=int,
        default=0,
        metavar="N",
        help="after every N cycles, --pause seconds without a change (bursts of editing)",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=40.0,
        help="each --pause-every pause: until the daemon is idle, this many seconds more, then "
        "until it is idle again (default 40: its idle snapshot comes 30 s after the last change)",
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="seconds between the starts of two cycles at least (default 0: no think time)",
    )
    args = parser.parse_args()
    source = args.corpus or (CORPUS if CORPUS.is_dir() and not args.smoke else REPO / "fixtures")
    cycles = 60 if args.smoke else args.cycles
    with tempfile.TemporaryDirectory(prefix="auditls-soak-") as tmp:
        root = Path(tmp).resolve() / "ws"
        shutil.copytree(
            source, root, ignore=shutil.ignore_patterns("__pycache__", ".auditls", "*.json")
        )
        if not (root / "pyproject.toml").exists():
            (root / "pyproject.toml").write_text("[project]\nname = 'soak'\n")
        traced = args.trace_memory or args.count_objects
        trace = Path(tmp) / "trace" if traced else None
        if trace is not None:
            trace.mkdir()
        asyncio.run(
            soak(
                root,
                cycles,
                args.seed,
                args.open,
                trace,
                args.count_objects,
                args.pace,
                args.restore,
                (0.0 if args.smoke else 40.0) if args.settle is None else args.settle,
                args.pause_every,
                args.pause,
            )
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
