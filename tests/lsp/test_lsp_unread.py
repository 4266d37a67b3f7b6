"""What the editor shows for files the CLI reports specially: a file that was not analysed
(over the size cap, a FIFO) carries AUD003 on itself and counts in the index status, as in
``auditls check``; a file whose name is not UTF-8 is published on its real URI (its bytes
percent-encoded), and the client's URI for it maps back to the stored file.

Raw JSON-RPC against a real ``auditls serve``, to see the exact URIs that cross the pipe.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .test_lsp_process import Raw, init_params
from .test_lsp_transport import ended, stdio_server

EVAL = "def f(code):\n    return eval(code)\n"


def published(uri: str, check: Callable[[list[dict[str, Any]]], bool]) -> Any:
    return lambda f: (
        f.get("method") == "textDocument/publishDiagnostics"
        and f["params"]["uri"] == uri
        and check(f["params"]["diagnostics"])
    )


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return sorted(str(d["code"]) for d in diagnostics)


async def start_session(peer: Raw, root: Path) -> None:
    await peer.response(peer.request("initialize", init_params(root)))
    peer.notify("initialized", {})


async def stop_session(proc: Any, peer: Raw) -> None:
    await peer.response(peer.request("shutdown", None))
    peer.notify("exit", None)
    assert await ended(proc) == 0


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    return root


async def test_files_not_analysed_show_aud003_and_count_in_the_status(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.auditls]\nmax-file-size = 200\n")
    (root / "a.py").write_text(EVAL)
    (root / "big.py").write_text("x = 1\n" * 100)  # 600 bytes: over the cap
    os.mkfifo(root / "pipe.py")  # never read: it would block
    async with stdio_server() as (proc, peer):
        await start_session(peer, root)
        await peer.until(
            published((root / "a.py").as_uri(), lambda d: codes(d) == ["AUD101"]), "a.py"
        )
        big = await peer.until(
            published((root / "big.py").as_uri(), lambda d: codes(d) == ["AUD003"]), "big.py"
        )
        message = big["params"]["diagnostics"][0]["message"]
        assert "over the size cap of 200 bytes" in message
        assert big["params"]["diagnostics"][0]["range"]["start"] == {"line": 0, "character": 0}
        pipe = await peer.until(
            published((root / "pipe.py").as_uri(), lambda d: codes(d) == ["AUD003"]), "pipe.py"
        )
        assert "not a regular file" in pipe["params"]["diagnostics"][0]["message"]
        reply = await peer.response(
            peer.request(
                "workspace/executeCommand", {"command": "auditls.showIndexStatus", "arguments": []}
            )
        )
        (status,) = reply["result"]
        assert status["notAnalysed"] == 2
        assert status["findings"] == 3  # AUD101 and the two AUD003
        # Back under the cap: AUD003 goes, the file's own findings come.
        (root / "big.py").write_text(EVAL)
        await peer.until(
            published((root / "big.py").as_uri(), lambda d: codes(d) == ["AUD101"]),
            "big.py analysed",
        )
        await stop_session(proc, peer)


async def test_a_name_that_is_not_utf8_is_published_on_its_real_uri(root: Path) -> None:
    name = os.fsdecode(b"bad_\xff.py")
    path = root / name
    path.write_text(EVAL)
    uri = path.as_uri()
    assert uri == root.as_uri() + "/bad_%FF.py"
    async with stdio_server() as (proc, peer):
        await start_session(peer, root)
        await peer.until(published(uri, lambda d: codes(d) == ["AUD101"]), "the file's findings")
        # The client's URI for the file maps back to it: its buffer is analysed in its place.
        text = EVAL + "\ndef g(code):\n    exec(code)\n"
        peer.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": EVAL}},
        )
        peer.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": text}],
            },
        )
        await peer.until(
            published(uri, lambda d: codes(d) == ["AUD101", "AUD101"]), "the buffer's findings"
        )
        # Saved: the store re-indexes the file the URI names; closed, the disk shows.
        path.write_text(text)
        peer.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        peer.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        reply = await peer.response(
            peer.request(
                "workspace/executeCommand", {"command": "auditls.showIndexStatus", "arguments": []}
            )
        )
        assert reply["result"][0]["files"] == 1
        path.write_text("x = 1\n")  # the watcher: no finding left
        await peer.until(published(uri, lambda d: d == []), "the file's findings gone")
        await stop_session(proc, peer)
        uris = {
            f["params"]["uri"]
            for f in peer.frames
            if f.get("method") == "textDocument/publishDiagnostics"
        }
        assert uris == {uri}  # never the escaped spelling (bad_%5Cxff.py)
