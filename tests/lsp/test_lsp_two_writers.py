"""Two auditls on one workspace (two editor windows, or an editor and a pre-commit hook): the
store's writers' lock lets one write the snapshot at a time; the other keeps its index in memory
and the server says so to the user (``window/showMessage``). Neither loses work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditls.store import Store
from auditls.store.snapshot import writer_lock

from .test_lsp_process import Raw, init_params
from .test_lsp_transport import ended, stdio_server

SHELL = "import os\n\n\ndef g(cmd):\n    os.system(cmd)\n"


def diagnostics_of(uri: str, count: int) -> Callable[[dict[str, Any]], bool]:
    return lambda f: (
        f.get("method") == "textDocument/publishDiagnostics"
        and f["params"]["uri"] == uri
        and len(f["params"]["diagnostics"]) == count
    )


async def start_session(peer: Raw, root: Path) -> None:
    await peer.response(peer.request("initialize", init_params(root)))
    peer.notify("initialized", {})


async def test_a_snapshot_another_auditls_writes_is_told_to_the_user(tmp_path: Path) -> None:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    (root / "a.py").write_text("def f(code):\n    return eval(code)\n")
    (root / ".auditls").mkdir(mode=0o700)
    with writer_lock(root / ".auditls"):  # another auditls, in the middle of its write
        async with stdio_server() as (_, peer):
            await start_session(peer, root)
            shown = await peer.until(
                lambda f: f.get("method") == "window/showMessage", "the message to the user"
            )
            message = shown["params"]["message"]
            assert "another auditls is writing" in message
            assert "using memory only" in message
            assert str(root) in message
            # Nothing lost: the findings are served from memory.
            await peer.until(diagnostics_of((root / "a.py").as_uri(), 1), "a.py's findings")


async def test_two_daemons_on_one_workspace(tmp_path: Path) -> None:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    (root / "a.py").write_text("def f(code):\n    return eval(code)\n")
    async with contextlib.AsyncExitStack() as stack:
        servers = [await stack.enter_async_context(stdio_server()) for _ in range(2)]
        for _, peer in servers:
            await start_session(peer, root)
        for _, peer in servers:
            await peer.until(diagnostics_of((root / "a.py").as_uri(), 1), "a.py's findings")
        (root / "b.py").write_text(SHELL)  # heard by both watchers
        for _, peer in servers:
            await peer.until(diagnostics_of((root / "b.py").as_uri(), 1), "b.py's findings")
        for proc, peer in servers:
            await peer.response(peer.request("shutdown", None))
            peer.notify("exit", None)
            assert await ended(proc) == 0
    # The snapshot both wrote, one after the other, is whole and has both files.
    store = Store.open(root)
    try:
        assert not store.rebuilt, store.load_note
        assert {row.path for row in store.files()} == {"a.py", "b.py"}
    finally:
        store.close()
