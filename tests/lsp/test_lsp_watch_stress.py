"""The watcher under stress, end to end: a real ``auditls serve`` watching with watchdog (as for
Neovim, which does not watch files for the server) while a branch switch happens on disk in
bursts: files created, modified, renamed and deleted, a directory renamed, a symlink loop, a
directory replaced by a file. Once more with the watcher's queue so small that it overflows
(what an inotify queue overflow leads to: a reconcile of the whole folder).

Afterwards the published diagnostics equal those of a clean ``auditls check`` of a copy of the
workspace, nothing shows for a file that no longer exists, and the store's snapshot holds the
same files with the same hashes as the clean index. Sizes are modest (a 2-core CI); seeded.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from .helpers import AuditClient, make_client

PROFILE = "neovim@v0.11.0"
SETTLE = 60.0  # seconds for the server to catch up with a burst of a few hundred changes


def source(n: int) -> str:
    calls = "".join(f"    eval(code_{i})\n" for i in range(n % 3))
    return f"import os\n\n\ndef run_{n}(code_0, code_1):\n    os.getcwd()\n{calls}"


def clean_check(root: Path, tmp: Path) -> dict[str, set[tuple[str, int]]]:
    """(rule, line) per file, from ``auditls check`` on a copy of the workspace."""
    copy = tmp / "clean"
    shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(".auditls"))
    out = subprocess.run(
        [sys.executable, "-m", "auditls", "check", str(copy), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    found: dict[str, set[tuple[str, int]]] = {}
    for finding in json.loads(out.stdout)["findings"]:
        found.setdefault(finding["path"], set()).add((finding["rule"], finding["line"]))
    return found


def shown(client: AuditClient, root: Path) -> dict[str, set[tuple[str, int]]]:
    found: dict[str, set[tuple[str, int]]] = {}
    for uri, diagnostics in client.diagnostics.items():
        if diagnostics:
            rel = Path(uri.removeprefix("file://")).relative_to(root).as_posix()
            found[rel] = {(str(d.code), d.range.start.line + 1) for d in diagnostics}
    return found


def snapshot_files(db: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(db)) as con:
        return dict(con.execute("SELECT path, hash FROM files"))


def branch_switch(root: Path, rnd: random.Random) -> None:
    """A few hundred changes, in the order a checkout makes them (bursts, no pauses)."""
    files = sorted(p for p in root.rglob("*.py") if ".auditls" not in p.parts)
    rnd.shuffle(files)
    for path in files[:40]:  # deleted
        path.unlink()
    for path in files[40:100]:  # modified
        if path.exists():
            path.write_text(source(rnd.randrange(100)))
    for i, path in enumerate(files[100:130]):  # renamed
        if path.exists():
            path.rename(path.with_name(f"renamed_{i}.py"))
    for i in range(120):  # created, some in new directories
        target = root / f"new{i % 6}" / f"n{i}.py"
        target.parent.mkdir(exist_ok=True)
        target.write_text(source(i))
    (root / "pkg1").rename(root / "moved")  # a directory renamed
    os.symlink("..", root / "moved" / "loop")  # a symlink loop
    shutil.rmtree(root / "pkg2")  # a directory replaced by a file
    (root / "pkg2").write_text("not a directory any more\n")
    (root / "pkg3" / "leaf").mkdir()
    shutil.rmtree(root / "pkg3" / "leaf")


@pytest.mark.parametrize("overflow", [False, True], ids=["events", "overflow"])
async def test_a_branch_switch_ends_as_a_clean_check(tmp_path: Path, overflow: bool) -> None:
    root = (tmp_path / "ws").resolve()
    for d in range(5):
        for f in range(30):
            path = root / f"pkg{d}" / f"m{f:02}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source(d * 30 + f))
    client = make_client()
    client.root, client.profile = root, PROFILE
    env = {**os.environ, "AUDITLS_WATCH_MAX_PENDING": "20" if overflow else "10000"}
    await client.start_io(sys.executable, "-m", "auditls", "serve", env=env)
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities(PROFILE),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            )
        )
        before = clean_check(root, tmp_path / "before")
        await client.until(lambda: shown(client, root) == before, "the first index", SETTLE)
        branch_switch(root, random.Random(5))
        expected = clean_check(root, tmp_path / "after")
        assert expected != before
        await client.until(
            lambda: shown(client, root) == expected, "the diagnostics of a clean check", SETTLE
        )
        # Nothing shows for a file that is gone.
        for uri, diagnostics in client.diagnostics.items():
            if diagnostics:
                assert Path(uri.removeprefix("file://")).is_file(), uri
        if overflow:
            await client.until(
                lambda: any("overflowed" in m.message for m in client.log_messages),
                "the overflow's log line",
            )
        await client.shutdown_session()
    finally:
        server = client._server
        if server is not None and server.returncode is None and not client.stopped:
            with contextlib.suppress(ProcessLookupError):
                server.kill()  # a failed test never sent exit: do not wait for ever
        await client.stop()
    clean_db = tmp_path / "after" / "clean" / ".auditls" / "index.db"
    assert snapshot_files(root / ".auditls" / "index.db") == snapshot_files(clean_db)
