"""Language-server benchmark: prints figures, asserts nothing. Never a test.

    pip install -r bench/requirements.txt      # Django, Flask, Werkzeug: sources to analyse
    python bench/lsp_bench.py                  # those three, copied into a temp workspace
    python bench/lsp_bench.py --workspace DIR  # any source tree (copied; DIR is not touched)

What it does, against a real ``auditls serve`` subprocess speaking LSP over stdio:

1. **Cold start.** A fresh copy of the sources (no ``.auditls/``), ``initialize``; right after
   ``initialized`` it opens one mid-sized file and times ``didOpen`` → the first
   ``publishDiagnostics`` of that file, noting whether the index (work-done progress) was still
   running then. Then the cold index time as the client sees it (progress begin → end).
2. **Memory.** The daemon's resident set (VmRSS) and its peak (VmHWM) once the index is done.
3. **Saves.** 50 files drawn at random (fixed seed): each is opened, then edited (a line
   appended) and saved: the time from ``didSave`` to the ``publishDiagnostics`` of the edited
   version is one sample. The edit is written to disk before ``didSave``, as an editor does, so
   the daemon re-indexes the file too. ``--pause`` seconds pass between two saves (default
   0.5: a person does not save ten files a second; with 0 the next save meets the daemon still
   re-indexing the previous file, and the two compete for the interpreter).
4. **Warm start.** A second daemon on the same workspace: ``initialize`` → progress end (the
   snapshot is loaded and reconciled; nothing is extracted).

The packages are located with ``importlib.util.find_spec``, which does not import them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

DEFAULT_PACKAGES = ("django", "flask", "werkzeug")
#: The file opened while the cold index runs: the first of these found, else a median one.
OPEN_DURING_INDEX = ("django/db/models/sql/query.py", "flask/app.py")
TIMEOUT = 300.0


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed: pip install -r bench/requirements.txt")
    return Path(next(iter(spec.submodule_search_locations)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Probe(LanguageClient):
    """A client that timestamps what the server sends."""

    def __init__(self) -> None:
        super().__init__("auditls-bench", "1")
        self.published: dict[tuple[str, int | None], float] = {}
        self.progress_begin: float | None = None
        self.progress_end: float | None = None
        self.event = asyncio.Event()
        self.drain: asyncio.Future[None] | None = None
        self.supervisor_log: list[str] = []

    async def wait(self, check: Any, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while not check():
            self.event.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SystemExit(f"timed out waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), remaining)


def make_probe() -> Probe:
    probe = Probe()

    @probe.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(ls: Probe, params: types.PublishDiagnosticsParams) -> None:
        ls.published.setdefault((params.uri, params.version), time.perf_counter())
        ls.event.set()

    @probe.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create(ls: Probe, params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @probe.feature(types.PROGRESS)
    def progress(ls: Probe, params: types.ProgressParams) -> None:
        kind = params.value.get("kind") if isinstance(params.value, dict) else None
        now = time.perf_counter()
        if kind == "begin" and ls.progress_begin is None:
            ls.progress_begin = now
        elif kind == "end":
            ls.progress_end = now
        ls.event.set()

    @probe.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(ls: Probe, params: types.ConfigurationParams) -> list[None]:
        return [None for _ in params.items]

    @probe.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(ls: Probe, params: types.LogMessageParams) -> None:
        return None

    return probe


CAPABILITIES = types.ClientCapabilities(
    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
    window=types.WindowClientCapabilities(work_done_progress=True),
    workspace=types.WorkspaceClientCapabilities(configuration=True),
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
    ),
)


async def start(root: Path) -> tuple[Probe, float]:
    probe = make_probe()
    await probe.start_io(sys.executable, "-m", "auditls", "serve")
    server = probe._server
    assert server is not None
    assert server.stderr is not None
    probe.drain = asyncio.ensure_future(drain(server.stderr, probe.supervisor_log))
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


async def drain(stream: asyncio.StreamReader, keep: list[str] | None = None) -> None:
    """Read the daemon's stderr (a full pipe would stall its logs); ``keep``: the supervisor's
    lines (its server processes started and replaced)."""
    while line := await stream.readline():
        if keep is not None and b"auditls.supervisor" in line:
            keep.append(line.decode("utf-8", "replace").rstrip())


async def stop(probe: Probe) -> None:
    await probe.shutdown_async(None)
    probe.exit(None)
    await probe.stop()
    if probe.drain is not None:
        await probe.drain


def explain_slowest(root: Path, sample: list[Path], latencies: list[float], top: int = 5) -> None:
    """The slowest saves beside what the buffer's own analysis (what publishes first) costs in
    this process, alone: the rest of a save's latency is waiting (the store's thread, the loop)."""
    from auditls.server.documents import QUICK_FIRST, analyse_buffer

    print(f"the {top} slowest saves: latency, and the first analysis alone (CPU, in process):")
    for path, latency in sorted(zip(sample, latencies, strict=True), key=lambda t: -t[1])[:top]:
        text = path.read_text(encoding="utf-8", errors="replace")
        began = time.process_time()
        analyse_buffer(
            text,
            version=2,
            rel=path.relative_to(root).as_posix(),
            module=None,
            encoding="utf-16",
            root=root,
            uri_of=lambda r: (root / r).as_uri(),
            quick=len(text) >= QUICK_FIRST,
        )
        alone = (time.process_time() - began) * 1000
        print(
            f"  {latency * 1000:6.1f} ms  analysis {alone:6.1f} ms  "
            f"{len(text) / 1024:6.1f} KiB  {path.relative_to(root)}"
        )


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_kib(pid: int) -> tuple[int, int]:
    """The resident set and its peak (VmHWM), in KiB, of the daemon started as ``pid``: the
    supervisor and its server process (two while one replaces the other), not their workers.
    The peak is the sum of each process's own peak."""
    rss = peak = 0
    for one in [pid, *children(pid)]:
        fields = {}
        try:
            text = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue  # ended meanwhile
        for line in text.splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        if "VmRSS" in fields:
            rss += int(fields["VmRSS"].split()[0])
            peak += int(fields["VmHWM"].split()[0])
    return rss, peak


def open_doc(probe: Probe, uri: str, text: str) -> None:
    probe.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )


async def bench(root: Path, saves: int, seed: int, pause: float) -> None:
    files = sorted(p for p in root.rglob("*.py") if ".auditls" not in p.parts)
    print(f"workspace: {root} ({len(files)} Python files)")

    # 1. Cold start, one file opened at once.
    probe, started = await start(root)
    wanted = [f for s in OPEN_DURING_INDEX for f in files if f.as_posix().endswith("/" + s)]
    target = wanted[0] if wanted else sorted(files, key=lambda f: f.stat().st_size)[len(files) // 2]
    uri = target.as_uri()
    sent = time.perf_counter()
    open_doc(probe, uri, target.read_text(encoding="utf-8"))
    await probe.wait(lambda: (uri, 1) in probe.published, "the opened file's diagnostics")
    first = probe.published[(uri, 1)]
    during = probe.progress_end is None or probe.progress_end > first
    await probe.wait(lambda: probe.progress_end is not None, "the end of the index")
    assert probe.progress_end is not None
    begin = probe.progress_begin or started
    print(
        f"didOpen -> first diagnostics of {target.relative_to(root)} "
        f"({target.stat().st_size // 1024} KiB): {(first - sent) * 1000:.0f} ms "
        f"({'while the cold index was running' if during else 'after the index ended'})"
    )
    print(
        f"cold index (progress begin -> end): {probe.progress_end - begin:.2f} s; "
        f"initialize -> end: {probe.progress_end - started:.2f} s"
    )
    probe.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )

    # 2. Memory once indexed.
    server = probe._server
    assert server is not None
    rss, peak = rss_kib(server.pid)
    print(f"daemon memory after indexing: RSS {rss / 1024:.0f} MB, peak {peak / 1024:.0f} MB")

    # 3. Saves.
    rng = random.Random(seed)
    sample = rng.sample(files, min(saves, len(files)))
    latencies: list[float] = []
    for i, path in enumerate(sample):
        doc = path.as_uri()
        text = path.read_text(encoding="utf-8", errors="replace")
        open_doc(probe, doc, text)
        await probe.wait(lambda d=doc: (d, 1) in probe.published, "an opened file")
        text += f"\n_auditls_bench_{i} = {i}\n"
        path.write_text(text, encoding="utf-8")
        probe.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=doc, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        saved = time.perf_counter()
        probe.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc))
        )
        await probe.wait(lambda d=doc: (d, 2) in probe.published, "the saved file")
        latencies.append(probe.published[(doc, 2)] - saved)
        probe.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc))
        )
        await asyncio.sleep(pause)  # think time between two saves (see the docstring)
    ms = [x * 1000 for x in latencies]
    print(
        f"didSave -> publishDiagnostics over {len(ms)} saves ({pause:g} s apart): "
        f"p50 {statistics.median(ms):.1f} ms, p95 {pct(ms, 0.95):.1f} ms, max {max(ms):.1f} ms"
    )
    rss, peak = rss_kib(server.pid)
    print(f"daemon memory after the saves: RSS {rss / 1024:.0f} MB, peak {peak / 1024:.0f} MB")
    explain_slowest(root, sample, latencies)
    await stop(probe)

    # 4. Warm start.
    probe, started = await start(root)
    await probe.wait(lambda: probe.progress_end is not None, "the end of the warm index")
    assert probe.progress_end is not None
    warm = probe.progress_end - started
    print(f"warm start (initialize -> index end, snapshot loaded): {warm:.2f} s")
    await stop(probe)


def main() -> None:
    global TIMEOUT  # the one setting every wait reads
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a source tree to copy (default: packages)")
    parser.add_argument("--packages", nargs="*", default=list(DEFAULT_PACKAGES))
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between two saves")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="seconds to wait for anything (the index)"
    )
    args = parser.parse_args()
    TIMEOUT = args.timeout
    sources = [args.workspace] if args.workspace else [package_dir(p) for p in args.packages]
    with tempfile.TemporaryDirectory(prefix="auditls-lsp-bench-") as tmp:
        root = Path(tmp).resolve() / "ws"
        root.mkdir()
        for source in sources:
            if args.workspace:
                for entry in source.iterdir():
                    if entry.is_dir():
                        shutil.copytree(
                            entry, root / entry.name, ignore=shutil.ignore_patterns("__pycache__")
                        )
            else:
                shutil.copytree(
                    source, root / source.name, ignore=shutil.ignore_patterns("__pycache__")
                )
        (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
        asyncio.run(bench(root, args.saves, args.seed, args.pause))


if __name__ == "__main__":
    main()
