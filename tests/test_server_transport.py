"""The read loop and the gate (server/transport.py) below the process: frames over a limit or
without a length end the connection with an answer; everything else is answered or handed on."""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
from typing import Any

import pytest

from auditls.server import create_server, transport


class Bytes:
    """A ``Source`` over a fixed byte string."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def readline(self) -> bytes:
        end = self.data.find(b"\n")
        end = len(self.data) if end < 0 else end + 1
        if end > transport.MAX_HEADER:
            raise transport.FrameError("a long line")
        line, self.data = self.data[:end], self.data[end:]
        return line

    async def read(self, n: int) -> bytes:
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk


def run(data: bytes, monkeypatch: pytest.MonkeyPatch, limit: int = 1000) -> list[dict[str, Any]]:
    monkeypatch.setenv("AUDITLS_MAX_MESSAGE", str(limit))
    out: list[bytes] = []
    gate = transport.Gate(create_server().protocol, out.append)
    asyncio.run(transport.read_loop(Bytes(data), gate))
    frames = []
    for raw in out:
        header, _, body = raw.partition(b"\r\n\r\n")
        assert int(header.split(b":")[1]) == len(body)
        frames.append(json.loads(body))
    return frames


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_a_frame_over_the_limit_is_answered_and_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    request = frame(b'{"jsonrpc": "2.0", "id": 1, "method": "shutdown"}')
    [answer] = run(b"Content-Length: 1001\r\n\r\n" + b"x" * 1001 + request, monkeypatch)
    assert answer["id"] is None
    assert "1001 bytes" in answer["error"]["message"]


@pytest.mark.parametrize(
    "data",
    [
        b"Content-Type: x\r\n\r\n{}",  # no length
        b"Content-Length: ten\r\n\r\n",
        b"Content-Length: -5\r\n\r\n",
        b"X" * (transport.MAX_HEADER + 10) + b"\r\n",
    ],
)
def test_unreadable_headers_end_the_connection(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    [answer] = run(data + frame(b'{"jsonrpc": "2.0", "id": 1, "method": "x"}'), monkeypatch)
    assert answer["error"]["code"] == transport.FRAME_ERROR


def test_bad_messages_are_answered_and_reading_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = run(
        frame(b"{oops")
        + frame(b'"a string"')
        + frame(b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {}}')
        + frame(
            b'{"jsonrpc": "2.0", "id": 8, "method": "initialize", "params": {"capabilities": {}}}'
        ),
        monkeypatch,
        limit=10_000,
    )
    codes = [(f["id"], f["error"]["code"]) for f in frames if "error" in f]
    assert codes == [
        (None, transport.PARSE_ERROR),
        (None, transport.INVALID_REQUEST),
        (7, transport.NOT_INITIALIZED),
    ]


def through_a_pipe(pieces: list[bytes], monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[Any]]:
    """Why reading stopped, and the ids of the answers to what a writer thread sends down a
    real pipe in ``pieces``, read by ``PipeSource`` as ``auditls serve`` reads its stdin."""
    monkeypatch.setenv("AUDITLS_MAX_MESSAGE", str(10**7))
    read_fd, write_fd = os.pipe()

    def write() -> None:
        with os.fdopen(write_fd, "wb", buffering=0) as pipe:
            for piece in pieces:
                pipe.write(piece)

    writer = threading.Thread(target=write)
    writer.start()
    out: list[bytes] = []
    gate = transport.Gate(create_server().protocol, out.append)
    with os.fdopen(read_fd, "rb") as stream:
        why = asyncio.run(transport.read_loop(transport.PipeSource(stream), gate))
    writer.join()
    return why, [json.loads(raw.partition(b"\r\n\r\n")[2])["id"] for raw in out]


def test_the_pipe_source_reads_frames_however_the_bytes_arrive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Several frames in one write, a frame cut anywhere (in a header, in the blank line, in
    the body) and bodies larger than a chunk: each request is answered once, in order."""
    frames = []
    for i in range(40):
        padding = "x" * (200_000 if i % 10 == 3 else i * 37)
        body = {"jsonrpc": "2.0", "id": i, "method": "textDocument/hover", "params": {"p": padding}}
        frames.append(frame(json.dumps(body).encode()))
    data = b"".join(frames)
    rng = random.Random(5)
    cuts = sorted(rng.sample(range(1, len(data)), 300))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    everything = ("end of stream", list(range(40)))  # before initialize: -32002 each
    assert through_a_pipe(pieces, monkeypatch) == everything
    assert through_a_pipe([data], monkeypatch) == everything


def test_the_pipe_source_refuses_a_long_header_line(monkeypatch: pytest.MonkeyPatch) -> None:
    long_line = b"X-Long: " + b"y" * transport.MAX_HEADER + b"\r\n"
    after = frame(b'{"jsonrpc": "2.0", "id": 1, "method": "x"}')
    why, ids = through_a_pipe([long_line[:100], long_line[100:] + after], monkeypatch)
    assert "header line longer" in why
    assert ids == [None]


TOKEN = "right"  # noqa: S105 (a test token)


def test_the_token_is_checked_and_never_reaches_the_settings() -> None:
    gate = transport.Gate(create_server().protocol, lambda data: None, token=TOKEN)
    wrong = {"id": 1, "method": "initialize", "params": {"initializationOptions": {"token": "no"}}}
    assert not gate.admit(wrong)
    assert gate.refused
    assert not gate.admit({"method": "exit"})  # no exit for someone without the token
    gate = transport.Gate(create_server().protocol, lambda data: None, token=TOKEN)
    options = {"token": "right", "debounce": 5}
    assert gate.admit(
        {"id": 1, "method": "initialize", "params": {"initializationOptions": options}}
    )
    assert options == {"debounce": 5}
    assert not gate.admit({"id": 2, "method": "initialize", "params": {}})


def test_handled_notifications_leave_no_future_behind() -> None:
    """pygls files every handler's future under a message id and took out only a request's:
    each ``didChange`` and ``didSave`` left its future (with a lock and a condition) for ever."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("t", "1", protocol_cls=transport.ServerProtocol)
    out: list[bytes] = []
    seen: list[str] = []

    class Writer:
        def write(self, data: bytes) -> None:
            out.append(data)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        seen.append("open")

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def on_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        await asyncio.sleep(0)
        seen.append("save")

    async def main() -> None:
        answered = asyncio.Event()

        @server.feature(types.TEXT_DOCUMENT_HOVER)
        async def on_hover(ls: LanguageServer, params: types.HoverParams) -> None:
            answered.set()

        uri = "untitled:a.py"
        messages: list[dict[str, Any]] = [
            {"id": 0, "method": "initialize", "params": {"capabilities": {}}},
            {"method": "initialized", "params": {}},
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": ""}
                },
            },
            {
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [{"text": "x = 1\n"}],
                },
            },
            {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}},
            {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}},
            {
                "id": 1,
                "method": "textDocument/hover",
                "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
            },
        ]
        server.protocol.set_writer(Writer())
        for message in messages:
            raw = {"jsonrpc": "2.0", **message}
            server.protocol.handle_message(server.protocol.structure_message(raw))
        await asyncio.wait_for(answered.wait(), 10)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        # The handlers' tasks, then their done callbacks, run on the next turns of the loop.
        while (len(seen) < 3 or server.protocol._request_futures) and loop.time() < deadline:
            await asyncio.sleep(0)
        assert seen == ["open", "save", "save"]
        assert server.protocol._request_futures == {}
        ids = [json.loads(raw.partition(b"\r\n\r\n")[2]).get("id") for raw in out]
        assert ids == [0, 1]

    asyncio.run(main())
