"""The daemon as a process: stdout carries only protocol frames, a clean shutdown writes the
snapshot, the daemon leaves when its client's process is gone, and ``--tcp`` serves on loopback.

These speak raw JSON-RPC (no pytest-lsp) to see exactly what crosses the pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DEADLINE = 15.0


class Raw:
    """A JSON-RPC peer over a pair of streams; every frame read is kept in ``frames``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter | Any) -> None:
        self.reader = reader
        self.writer = writer
        self.frames: list[dict[str, Any]] = []
        self.next_id = 0
        self._task = asyncio.ensure_future(self._read())
        self._arrived = asyncio.Event()

    async def _read(self) -> None:
        while True:
            header = await self.reader.readline()
            if not header:
                self._arrived.set()
                return
            assert header.startswith(b"Content-Length: "), header  # nothing else on stdout
            length = int(header.split(b":")[1])
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                assert line.startswith(b"Content-Type: "), line
            frame = json.loads(await self.reader.readexactly(length))
            if "id" in frame and "method" in frame:  # a request from the server: answer it
                self.send_raw({"jsonrpc": "2.0", "id": frame["id"], "result": None})
            self.frames.append(frame)
            self._arrived.set()

    def send_raw(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send_raw({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method: str, params: Any) -> None:
        self.send_raw({"jsonrpc": "2.0", "method": method, "params": params})

    async def until(self, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while True:
            self._arrived.clear()
            for frame in self.frames:
                if check(frame):
                    return frame
            if self._task.done():
                raise AssertionError(f"the connection closed before {what}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def response(self, msg_id: int) -> dict[str, Any]:
        return await self.until(lambda f: f.get("id") == msg_id and "method" not in f, "a response")

    def close(self) -> None:
        self._task.cancel()


def init_params(root: Path, pid: int | None = None) -> dict[str, Any]:
    return {
        "processId": pid if pid is not None else os.getpid(),
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
        "capabilities": {},
    }


async def start(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "auditls",
        "serve",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    (root / "a.py").write_text("def f(code):\n    return eval(code)\n")
    return root


async def test_stdout_is_the_protocol_and_shutdown_writes_the_snapshot(ws: Path) -> None:
    proc = await start()
    assert proc.stdout is not None
    assert proc.stdin is not None
    assert proc.stderr is not None
    peer = Raw(proc.stdout, proc.stdin)
    await peer.response(peer.request("initialize", init_params(ws)))
    peer.notify("initialized", {})
    a_uri = (ws / "a.py").as_uri()
    await peer.until(
        lambda f: (
            f.get("method") == "textDocument/publishDiagnostics" and f["params"]["uri"] == a_uri
        ),
        "a.py's diagnostics",
    )
    # Written after start-up: only the watcher sees it, only shutdown snapshots it.
    (ws / "b.py").write_text("import os\n\n\ndef g(c):\n    os.system(c)\n")
    b_uri = (ws / "b.py").as_uri()
    await peer.until(
        lambda f: (
            f.get("method") == "textDocument/publishDiagnostics"
            and f["params"]["uri"] == b_uri
            and len(f["params"]["diagnostics"]) == 1
        ),
        "b.py's diagnostics through the watcher",
    )
    await peer.response(peer.request("shutdown", None))
    peer.notify("exit", None)
    assert await asyncio.wait_for(proc.wait(), DEADLINE) == 0
    peer.close()
    stderr = (await proc.stderr.read()).decode()
    assert "auditls INFO" in stderr  # the logs went to stderr
    with contextlib.closing(sqlite3.connect(ws / ".auditls" / "index.db")) as db:
        paths = {row[0] for row in db.execute("SELECT path FROM files")}
    assert paths == {"a.py", "b.py"}


async def test_exits_when_the_client_process_is_gone(ws: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    proc = await start(env={"AUDITLS_PARENT_POLL": "0.1"})
    assert proc.stdout is not None
    assert proc.stdin is not None
    peer = Raw(proc.stdout, proc.stdin)
    try:
        await peer.response(peer.request("initialize", init_params(ws, parent.pid)))
        peer.notify("initialized", {})
        parent.kill()
        parent.wait()
        # No shutdown, no exit, stdin still open: the daemon notices and leaves by itself.
        assert await asyncio.wait_for(proc.wait(), DEADLINE) == 0
    finally:
        peer.close()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_tcp_on_loopback(ws: Path) -> None:
    proc = await start("--tcp", "--port", "0", "--token", "t0ken")
    assert proc.stderr is not None
    try:
        port = None
        while port is None:  # the server says where it listens once it does
            line = (await asyncio.wait_for(proc.stderr.readline(), DEADLINE)).decode()
            assert line, "the server ended before listening"
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = int(found.group(1)) if found else None
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        peer = Raw(reader, writer)
        params = {**init_params(ws), "initializationOptions": {"token": "t0ken"}}
        result = await peer.response(peer.request("initialize", params))
        assert result["result"]["serverInfo"]["name"] == "auditls"
        await peer.response(peer.request("shutdown", None))
        peer.notify("exit", None)
        await writer.drain()
        assert await asyncio.wait_for(proc.wait(), DEADLINE) == 0
        peer.close()
        writer.close()
        await writer.wait_closed()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
