"""SIGKILL at seeded points of an index, then check that nothing was lost (issue 16).

Each round copies a corpus into a fresh workspace and runs a *driver* (this script with
``--driver``) that indexes it with worker processes and prints where it is: ``progress N`` after
each file, ``at POINT`` inside a snapshot write. The round kills the driver with SIGKILL on a
line chosen by the seed, then checks:

1. every process of the driver's session has exited within 10 s (workers die with their
   parent), waited for on pidfds, not by sleeping;
2. the store opens (its snapshot loaded, or set aside and rebuilt), leaves no temp file, and
   after reconciliation (``index_workspace``) equals a clean index of the same files.

Modes: ``cold`` (an empty store), ``incremental`` (an indexed store, then seeded edits, deletions
and new files), ``snapshot`` (killed inside ``Store.snapshot``: after the copy, before the
rename, after the rename). ``tests/test_kill.py`` runs a few rounds over ``fixtures/``; run more
here, over the benchmark corpus when it is installed::

    python bench/kill_soak.py --rounds 50 --seed 1 [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MODES = ("cold", "incremental", "snapshot")
SNAPSHOT_POINTS = ("after-copy", "before-rename", "after-rename")
REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path("/root/.cache/auditls-bench/src")


# -- the driver (a process of its own, killed by the round) -------------------------------------


def _driver(root: Path, point: str | None) -> None:
    from auditls import isolation

    isolation.isolate()
    from auditls.config import load_config
    from auditls.index import index_workspace
    from auditls.store import Store
    from auditls.store import store as store_module

    if point is not None:
        _hook_snapshot(store_module, point)

    def progress(done: int, total: int) -> None:
        print(f"progress {done} {total}", flush=True)

    with Store.open(root) as store:
        index_workspace(
            root, store, load_config(root), jobs=2, progress=False, on_progress=progress
        )
    print("done", flush=True)


def _hook_snapshot(store_module: Any, point: str) -> None:
    """Say ``at POINT`` and wait to be killed at one moment of the snapshot write."""

    def stop() -> None:
        print(f"at {point}", flush=True)
        sys.stdin.readline()  # the round kills us here

    def before(name: str, fn: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            stop()
            return fn(*args, **kwargs)

        return wrapped

    if point == "after-copy":
        store_module.snapfile.seal = before("seal", store_module.snapfile.seal)
    elif point == "before-rename":
        store_module._fsync_file = before("fsync", store_module._fsync_file)
    else:
        store_module._fsync_dir = before("fsync_dir", store_module._fsync_dir)


# -- one round ----------------------------------------------------------------------------------


def _session_processes(sid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    """The pids still running after ``timeout`` seconds (an exited zombie counts as gone)."""
    deadline = time.monotonic() + timeout
    alive = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                alive.append(pid)
        finally:
            os.close(fd)
    return alive


def _edit(root: Path, rng: random.Random) -> None:
    files = sorted(root.rglob("*.py"))
    for path in rng.sample(files, min(len(files), 5)):
        path.write_bytes(path.read_bytes() + b"\nimport os\nos.system(input())\n")
    for path in rng.sample(files, min(len(files) // 10, 3)):
        if path.exists():
            path.unlink()
    (root / f"new_{rng.randrange(1000)}.py").write_text("eval(input())\n")


def _state(store: Any) -> dict[str, Any]:
    return {
        row.path: (
            row.hash,
            row.status,
            row.error,
            row.extractor_version,
            store.file_facts(row.path),
        )
        for row in store.files()
    }


def one_round(corpus: Path, mode: str, seed: int, work: Path) -> list[str]:
    """Run one round in ``work``; the problems found (empty: the round passed)."""
    from auditls.config import load_config
    from auditls.index import index_workspace
    from auditls.store import Store

    rng = random.Random(seed)
    root = work / f"{mode}-{seed}"
    shutil.copytree(corpus, root, ignore=shutil.ignore_patterns(".auditls"))
    root = root.resolve()
    config = load_config(root)
    if mode != "cold":
        with Store.open(root) as store:
            index_workspace(root, store, config, jobs=1, progress=False)
        _edit(root, rng)
        if mode == "snapshot":
            (root / "touch.py").write_text("x = 1\n")  # something to write
    point = rng.choice(SNAPSHOT_POINTS) if mode == "snapshot" else None
    argv = [sys.executable, "-P", str(Path(__file__).resolve()), "--driver", str(root)]
    if point is not None:
        argv += ["--point", point]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
    )
    problems: list[str] = []
    assert proc.stdout is not None
    total = None
    kill_at = None
    killed = False
    for line in proc.stdout:
        words = line.split()
        if words[0] == "progress":
            total = int(words[2])
            if kill_at is None and mode != "snapshot":
                kill_at = rng.randrange(1, max(2, total))
            if mode != "snapshot" and kill_at is not None and int(words[1]) >= kill_at:
                killed = True
        elif words[0] == "at":
            killed = True
        if killed:
            break
    sid = proc.pid
    members = _session_processes(sid)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    if proc.stdin is not None:
        proc.stdin.close()
    if not killed:
        problems.append(f"{mode}: the driver finished before the kill point ({total} files)")
    alive = _wait_gone([p for p in members if p != proc.pid], timeout=10.0)
    if alive:
        problems.append(f"{mode}: processes still alive 10 s after the kill: {alive}")
        for pid in alive:
            os.kill(pid, signal.SIGKILL)
    with Store.open(root) as store:
        leftovers = sorted(p.name for p in (root / ".auditls").glob("*.tmp"))
        if leftovers:
            problems.append(f"{mode}: temp files left after start-up: {leftovers}")
        index_workspace(root, store, config, jobs=1, progress=False)
        after = _state(store)
    with Store.open(root, persist=False) as clean:
        index_workspace(root, clean, config, jobs=1, progress=False, snapshot=False)
        expected = _state(clean)
    if after != expected:
        differ = sorted(p for p in set(after) | set(expected) if after.get(p) != expected.get(p))
        problems.append(f"{mode}: store after the kill differs from a clean index: {differ[:5]}")
    with Store.open(root) as again:  # the snapshot written after reconciling is sound
        if again.load_note != "loaded" or _state(again) != expected:
            problems.append(f"{mode}: the snapshot after reconciliation: {again.load_note}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--driver", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--point", choices=SNAPSHOT_POINTS, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    if args.driver is not None:
        _driver(args.driver, args.point)
        return 0
    corpus = args.corpus or (DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else REPO / "fixtures")
    failures = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="auditls-kill-") as tmp:
        for i in range(args.rounds):
            mode = MODES[i % len(MODES)]
            problems = one_round(corpus, mode, args.seed + i, Path(tmp))
            failures += bool(problems)
            print(f"round {i} {mode} seed {args.seed + i}: {'; '.join(problems) or 'ok'}")
            shutil.rmtree(Path(tmp) / f"{mode}-{args.seed + i}", ignore_errors=True)
    print(f"{args.rounds} rounds, {failures} failed, {time.perf_counter() - started:.1f}s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
