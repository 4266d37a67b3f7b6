"""What reaches the server and what it answers (``server/transport.py``), end to end on a real
``auditls serve``: every request is answered, whatever its params; malformed frames do not stop
the server; an oversized frame is answered and the connection closed; one TCP client, with a
token; a second ``initialize`` and too wide a workspace are refused.

These speak raw JSON-RPC (the helpers of ``test_lsp_process``) to send what no client library
would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from .test_lsp_process import DEADLINE, Raw, init_params, start

NOT_INITIALIZED = -32002
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
PARSE_ERROR = -32700


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    (root / "a.py").write_text("def f(code):\n    return eval(code)\n")
    return root


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def ended(proc: asyncio.subprocess.Process) -> int:
    return await asyncio.wait_for(proc.wait(), DEADLINE)


class Logs:
    """The server's stderr, read as it comes (a full pipe would stall the server)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.text = ""
        self._task = asyncio.ensure_future(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            self.text += chunk.decode(errors="replace")

    async def all(self) -> str:
        await asyncio.wait_for(self._task, DEADLINE)
        return self.text


@contextlib.asynccontextmanager
async def stdio_server(env: dict[str, str] | None = None) -> Any:
    proc = await start(env=env)
    assert proc.stdout is not None
    assert proc.stdin is not None
    assert proc.stderr is not None
    peer = Raw(proc.stdout, proc.stdin)
    proc.logs = Logs(proc.stderr)  # type: ignore[attr-defined]
    try:
        yield proc, peer
    finally:
        peer.close()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def doc_params(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def action_params(uri: str, line: int, character: int) -> dict[str, Any]:
    pos = {"line": line, "character": character}
    return {
        "textDocument": {"uri": uri},
        "range": {"start": pos, "end": pos},
        "context": {"diagnostics": []},
    }


async def test_a_request_before_initialize_is_an_error(ws: Path) -> None:
    async with stdio_server() as (_, peer):
        for method in ("textDocument/hover", "workspace/executeCommand", "shutdown"):
            answer = await peer.response(peer.request(method, {}))
            assert answer["error"]["code"] == NOT_INITIALIZED, (method, answer)
        peer.notify("textDocument/didOpen", {})  # dropped, not an error
        answer = await peer.response(peer.request("initialize", init_params(ws)))
        assert answer["result"]["serverInfo"]["name"] == "auditls"


async def test_every_request_is_answered_whatever_its_position(ws: Path) -> None:
    """Positions past the end, negative, huge, on an unknown document: 120 requests, seeded."""
    async with stdio_server() as (_, peer):
        await peer.response(peer.request("initialize", init_params(ws)))
        peer.notify("initialized", {})
        uri = (ws / "a.py").as_uri()
        text = (ws / "a.py").read_text()
        peer.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        rnd = random.Random(16)
        values = [-(2**31), -1, 0, 1, 2, 3, 40, 10**6, 2**31 - 1, 2**32]
        sent: dict[int, str] = {}
        for _ in range(120):
            line, character = rnd.choice(values), rnd.choice(values)
            target = uri if rnd.random() < 0.8 else (ws / "nowhere.py").as_uri()
            if rnd.random() < 0.5:
                sent[peer.request("textDocument/hover", doc_params(target, line, character))] = ""
            else:
                params = action_params(target, line, character)
                sent[peer.request("textDocument/codeAction", params)] = ""
        answers = [await peer.response(msg_id) for msg_id in sent]
        assert len(answers) == 120
        codes = {a["error"]["code"] for a in answers if "error" in a}
        assert codes <= {INVALID_PARAMS}, codes
        assert any("error" in a for a in answers)  # the negative ones
        assert any("result" in a for a in answers)
        # Still serving: a hover on the eval answers with its finding.
        hover = await peer.response(peer.request("textDocument/hover", doc_params(uri, 1, 12)))
        assert "AUD" in json.dumps(hover["result"])


async def test_malformed_messages_are_answered_and_the_server_stays(ws: Path) -> None:
    async with stdio_server() as (proc, peer):
        assert proc.stdin is not None
        await peer.response(peer.request("initialize", init_params(ws)))
        proc.stdin.write(frame(b"{not json"))
        proc.stdin.write(frame(b"[1, 2]"))
        proc.stdin.write(frame(b'{"id": 99, "method": "textDocument/hover"}'))  # no jsonrpc
        proc.stdin.write(frame(b"[" * 100_000 + b"]" * 100_000))
        parse = await peer.until(
            lambda f: f.get("id") is None and f.get("error", {}).get("code") == PARSE_ERROR,
            "the parse error",
        )
        assert "not JSON" in parse["error"]["message"]
        await peer.until(lambda f: f.get("id") == 99 and "error" in f, "the invalid request")
        again = await peer.response(peer.request("initialize", init_params(ws)))
        assert again["error"]["code"] == INVALID_REQUEST  # never a new folder
        status = await peer.response(
            peer.request("workspace/executeCommand", {"command": "auditls.showIndexStatus"})
        )
        assert [s["root"] for s in status["result"]] == [str(ws)]
        await peer.response(peer.request("shutdown", None))
        late = await peer.response(peer.request("textDocument/hover", doc_params("x", 0, 0)))
        assert late["error"]["code"] == INVALID_REQUEST
        peer.notify("exit", None)
        assert await ended(proc) == 0


async def test_a_huge_content_length_is_answered_and_closes(ws: Path) -> None:
    async with stdio_server() as (proc, peer):
        assert proc.stdin is not None
        await peer.response(peer.request("initialize", init_params(ws)))
        proc.stdin.write(b"Content-Length: 1000000000000\r\n\r\n{")
        answer = await peer.until(lambda f: f.get("id") is None and "error" in f, "an answer")
        assert "1000000000000 bytes" in answer["error"]["message"]
        await ended(proc)
        stderr = await proc.logs.all()
        assert "MemoryError" not in stderr
        assert "closing the connection" in stderr


@pytest.mark.parametrize("which", ["root", "home"])
async def test_the_file_system_root_or_home_is_never_indexed(tmp_path: Path, which: str) -> None:
    home = (tmp_path / "home").resolve()
    home.mkdir()
    (home / "x.py").write_text("eval(input())\n")
    root = Path("/") if which == "root" else home
    async with stdio_server(env={"HOME": str(home)}) as (_, peer):
        params = init_params(root)
        await peer.response(peer.request("initialize", params))
        peer.notify("initialized", {})
        shown = await peer.until(
            lambda f: f.get("method") == "window/showMessage", "the warning to the user"
        )
        assert "not indexing" in shown["params"]["message"]
        status = await peer.response(
            peer.request("workspace/executeCommand", {"command": "auditls.reindex"})
        )
        assert status["result"] == []  # no folder: nothing walked


# -- TCP ----------------------------------------------------------------------------------------


async def listening(proc: asyncio.subprocess.Process) -> tuple[int, str | None]:
    """The port the server listens on, and the token it printed (if it made one up)."""
    assert proc.stderr is not None
    token = None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), DEADLINE)).decode()
        assert line, "the server ended before listening"
        if found := re.search(r"the token of this server is (\S+)", line):
            token = found.group(1)
        if found := re.search(r"listening on 127\.0\.0\.1:(\d+)", line):
            return int(found.group(1)), token


async def connect(port: int) -> tuple[Raw, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    return Raw(reader, writer), writer


def with_token(root: Path, token: str | None) -> dict[str, Any]:
    params = init_params(root)
    if token is not None:
        params["initializationOptions"] = {"token": token}
    return params


@contextlib.asynccontextmanager
async def tcp_server(*args: str, env: dict[str, str] | None = None) -> Any:
    proc = await start("--tcp", "--port", "0", *args, env=env)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_tcp_wants_the_token_and_serves_one_client(ws: Path, tmp_path: Path) -> None:
    other = (tmp_path / "other").resolve()
    other.mkdir()
    (other / "secret.py").write_text("import os\nos.system(input())\n")
    async with tcp_server(env={"AUDITLS_TOKEN": "s3cret"}) as proc:
        port, printed = await listening(proc)
        assert printed is None  # given, so not printed
        # No token, then a wrong one: refused, and the connection closes.
        for token in (None, "guess"):
            intruder, writer = await connect(port)
            msg_id = intruder.request("initialize", with_token(other, token))
            answer = await intruder.response(msg_id)
            assert answer["error"]["code"] == -32001
            await asyncio.wait_for(intruder._task, DEADLINE)  # the server closed it
            writer.close()
        client, writer = await connect(port)
        answer = await client.response(client.request("initialize", with_token(ws, "s3cret")))
        assert answer["result"]["serverInfo"]["name"] == "auditls"
        client.notify("initialized", {})
        a_uri = (ws / "a.py").as_uri()
        await client.until(
            lambda f: (
                f.get("method") == "textDocument/publishDiagnostics" and f["params"]["uri"] == a_uri
            ),
            "the client's own diagnostics",
        )
        # Anyone else now: the listener is closed.
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
        assert not any("secret.py" in json.dumps(f) for f in client.frames)
        await client.response(client.request("shutdown", None))
        client.notify("exit", None)
        await writer.drain()
        assert await ended(proc) == 0
        client.close()
        writer.close()


async def test_tcp_makes_up_a_token_when_none_is_given(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITLS_TOKEN", raising=False)
    async with tcp_server() as proc:
        port, token = await listening(proc)
        assert token is not None
        assert len(token) >= 24
        client, writer = await connect(port)
        answer = await client.response(client.request("initialize", with_token(ws, token)))
        assert "result" in answer
        writer.close()
        assert await ended(proc) == 0  # the one client left: the server ends
        client.close()
