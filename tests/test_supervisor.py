"""The supervisor's routing and its replacement of a server (``auditls.supervisor``), with
fake server processes that answer as a server would: what is held, replayed, answered for the
old server, answered here, or dropped. ``tests/lsp/test_lsp_recycle.py`` runs the real thing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from auditls import supervisor as sv


class FakeStdin:
    """A server's stdin: keeps each message written, and lets the fake server answer."""

    def __init__(self, answer: Callable[[dict[str, Any]], None]) -> None:
        self.messages: list[dict[str, Any]] = []
        self.answer = answer
        self.closed = False

    def write(self, data: bytes) -> None:
        body = data.split(b"\r\n\r\n", 1)[1]
        message = json.loads(body)
        self.messages.append(message)
        self.answer(message)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    async def drain(self) -> None:
        return None


class FakeProc:
    def __init__(self, pid: int, answer: Callable[[dict[str, Any]], None]) -> None:
        self.pid = pid
        self.stdin = FakeStdin(answer)
        self.returncode: int | None = None
        self.exited = asyncio.Event()

    async def wait(self) -> int:
        await self.exited.wait()
        return self.returncode or 0

    def kill(self) -> None:
        self.returncode = -9
        self.exited.set()


class Harness(sv.Supervisor):
    """A supervisor whose servers are fakes: each answers the supervisor's own requests
    (``initialize``, ``handover``, ``shutdown``) and ends on ``exit``; the editor's requests
    stay unanswered unless a test answers them."""

    def __init__(
        self,
        *,
        refuse_initialize: bool = False,
        refuse_handover: bool = False,
        die_on_handover: bool = False,
    ) -> None:
        self.out: list[dict[str, Any]] = []
        super().__init__(lambda data: self.out.append(json.loads(data.split(b"\r\n\r\n", 1)[1])))
        self.procs: list[FakeProc] = []
        self.refuse_initialize = refuse_initialize
        self.refuse_handover = refuse_handover
        self.die_on_handover = die_on_handover
        self.handover: dict[str, Any] = {
            "documents": [{"uri": "file:///w/b.py", "languageId": "python", "version": 7,
                           "text": "import os\n"}],
            "shown": ["file:///w/a.py"],
        }  # fmt: skip

    async def start_server(self) -> sv.Server:
        self.generation += 1
        holder: list[sv.Server] = []

        def answer(message: dict[str, Any]) -> None:
            server = holder[0] if holder else None
            method, msg_id = message.get("method"), message.get("id")
            if server is None or not isinstance(msg_id, str) or "supervisor" not in msg_id:
                if method == "exit":
                    proc.returncode = 0
                    proc.exited.set()
                return
            if method == sv.HANDOVER and self.die_on_handover:
                proc.returncode = -9
                proc.exited.set()
                asyncio.get_running_loop().call_soon(self.server_ended, server, -9)
                return
            no = {"error": {"code": -32603, "message": "no"}}
            if method == "initialize" and self.refuse_initialize:
                reply: dict[str, Any] = no
            elif method == sv.HANDOVER and self.refuse_handover:
                reply = no
            elif method == sv.HANDOVER:
                reply = {"result": self.handover}
            else:
                reply = {"result": {"capabilities": {}} if method == "initialize" else None}
            body = json.dumps({"jsonrpc": "2.0", "id": msg_id, **reply}).encode()
            asyncio.get_running_loop().call_soon(self.from_server, server, body)

        proc = FakeProc(100 + self.generation, answer)
        self.procs.append(proc)
        server = sv.Server(proc, self.generation)  # type: ignore[arg-type]
        holder.append(server)
        return server


def send(harness: Harness, message: dict[str, Any]) -> None:
    harness.from_client(json.dumps({"jsonrpc": "2.0", **message}).encode())


def reply(harness: Harness, server: sv.Server, message: dict[str, Any]) -> None:
    harness.from_server(server, json.dumps({"jsonrpc": "2.0", **message}).encode())


async def initialized(harness: Harness) -> sv.Server:
    """A session as an editor starts it, with one request in flight and one registration."""
    server = harness.server = await harness.start_server()
    send(harness, {"id": 1, "method": "initialize", "params": {"rootUri": "file:///w"}})
    reply(harness, server, {"id": 1, "result": {"capabilities": {}}})
    send(harness, {"method": "initialized", "params": {}})
    send(harness, {"method": "workspace/didChangeConfiguration", "params": {"settings": 1}})
    send(harness, {"method": "workspace/didChangeConfiguration", "params": {"settings": 2}})
    registration = {"registrations": [{"id": "r1", "method": "workspace/didChangeWatchedFiles"}]}
    reply(harness, server, {"id": "reg-1", "method": "client/registerCapability",
                            "params": registration})  # fmt: skip
    send(harness, {"id": "reg-1", "result": None})  # the editor's answer, routed back
    return server


def methods(proc: FakeProc) -> list[str]:
    return [m.get("method", "<answer>") for m in proc.stdin.messages]


async def test_a_replacement_gets_the_session_and_the_held_messages_in_order() -> None:
    harness = Harness()
    old = await initialized(harness)
    assert harness.initialize is not None
    assert old.proc.stdin.messages[-1] == {"jsonrpc": "2.0", "id": "reg-1", "result": None}
    send(harness, {"id": 2, "method": "textDocument/hover", "params": {}})  # in flight
    reply(harness, old, {"method": sv.RECYCLE, "params": {}})
    swap = harness._swap
    assert swap is not None
    await asyncio.sleep(0)
    # Held while the servers change: a change, a pulled diagnostic request.
    send(harness, {"method": "textDocument/didChange", "params": {"v": 8}})
    send(harness, {"id": 3, "method": "textDocument/diagnostic", "params": {}})
    # The old server answers its request in flight before its shutdown.
    for _ in range(100):  # the supervisor's own steps: a few turns of the loop
        if sv.HANDOVER in methods(old.proc):
            break
        await asyncio.sleep(0)
    reply(harness, old, {"id": 2, "result": {"contents": "old"}})
    await swap
    new = harness.server
    assert new is not None
    assert new is not old
    assert methods(old.proc)[-3:] == [sv.HANDOVER, "shutdown", "exit"]
    assert old.proc.stdin.closed
    assert methods(new.proc) == [
        "initialize",
        "initialized",
        "workspace/didChangeConfiguration",  # the last one only
        "textDocument/didOpen",
        sv.SHOWN,
        "textDocument/didChange",
        "textDocument/diagnostic",
    ]
    sent = new.proc.stdin.messages
    assert sent[0]["params"] == {"rootUri": "file:///w"}
    assert sent[2]["params"] == {"settings": 2}
    assert sent[3]["params"]["textDocument"]["version"] == 7
    assert sent[4]["params"] == {"uris": ["file:///w/a.py"]}
    # The editor got the old server's answer and nothing of the supervisor's own messages.
    assert [m.get("id") for m in harness.out if "result" in m or "error" in m] == [1, 2]
    assert all(m.get("method") != sv.RECYCLE for m in harness.out)
    assert harness.recycles == 1
    assert new.pending == {("int", 3): "textDocument/diagnostic"}


async def test_what_the_old_server_did_not_answer_is_answered_for_it() -> None:
    harness = Harness()
    old = await initialized(harness)
    send(harness, {"id": 5, "method": "textDocument/hover", "params": {}})
    send(harness, {"id": "p", "method": "textDocument/diagnostic", "params": {}})
    sv.DRAIN_SECONDS, saved = 0.05, sv.DRAIN_SECONDS
    try:
        reply(harness, old, {"method": sv.RECYCLE, "params": {}})
        swap = harness._swap
        assert swap is not None
        await swap
    finally:
        sv.DRAIN_SECONDS = saved
    errors = {m["id"]: m["error"] for m in harness.out if "error" in m}
    assert errors[5]["code"] == sv.CONTENT_MODIFIED
    assert errors["p"]["code"] == sv.SERVER_CANCELLED
    assert errors["p"]["data"] == {"retriggerRequest": True}


async def test_the_new_server_registers_nothing_twice_and_stale_answers_are_dropped() -> None:
    harness = Harness()
    old = await initialized(harness)
    reply(harness, old, {"id": "cfg-old", "method": "workspace/configuration", "params": {}})
    reply(harness, old, {"method": sv.RECYCLE, "params": {}})
    swap = harness._swap
    assert swap is not None
    await swap
    new = harness.server
    assert new is not None
    before = len(harness.out)
    registration = {"registrations": [{"id": "r2", "method": "workspace/didChangeWatchedFiles"}]}
    reply(harness, new, {"id": "reg-2", "method": "client/registerCapability",
                         "params": registration})  # fmt: skip
    assert len(harness.out) == before  # not forwarded to the editor ...
    assert new.proc.stdin.messages[-1] == {"jsonrpc": "2.0", "id": "reg-2", "result": None}
    # ... and the editor's late answer to the old server's request goes nowhere.
    count = len(new.proc.stdin.messages)
    send(harness, {"id": "cfg-old", "result": [{}]})
    assert len(new.proc.stdin.messages) == count
    # The old server's diagnostics after its handover are not forwarded.
    reply(harness, old, {"method": "textDocument/publishDiagnostics", "params": {}})
    assert len(harness.out) == before


async def test_a_server_that_cannot_hand_over_goes_on_serving() -> None:
    harness = Harness(refuse_handover=True)
    old = await initialized(harness)
    reply(harness, old, {"method": sv.RECYCLE, "params": {}})
    swap = harness._swap
    assert swap is not None
    await asyncio.sleep(0)  # the replacement has begun: the editor's messages are held
    send(harness, {"method": "textDocument/didChange", "params": {"v": 9}})
    await swap
    assert harness.server is old
    assert len(harness.procs) == 1  # no other process started
    assert methods(old.proc)[-2:] == [sv.HANDOVER, "textDocument/didChange"]  # then released
    assert harness.held is None
    assert not harness.ended.is_set()


async def test_a_next_server_that_fails_to_start_ends_the_session() -> None:
    harness = Harness(refuse_initialize=True)
    old = await initialized(harness)
    reply(harness, old, {"method": sv.RECYCLE, "params": {}})
    swap = harness._swap
    assert swap is not None
    await swap
    assert methods(old.proc)[-3:] == [sv.HANDOVER, "shutdown", "exit"]
    assert harness.procs[1].returncode == -9  # the refused one killed
    assert harness.ended.is_set()
    assert harness.exit_code == 1


async def test_no_replacement_once_the_editor_shuts_down_or_before_it_initialized() -> None:
    harness = Harness()
    server = harness.server = await harness.start_server()
    reply(harness, server, {"method": sv.RECYCLE, "params": {}})
    assert harness._swap is None  # not initialized
    server = await initialized(harness)
    send(harness, {"id": 9, "method": "shutdown"})
    reply(harness, server, {"method": sv.RECYCLE, "params": {}})
    assert harness._swap is None


def test_message_ids_of_different_types_stay_apart() -> None:
    assert sv._key(1) != sv._key("1")
    assert sv._unkey(sv._key("x")) == "x"
    assert sv._registered_methods({"registrations": [{"method": "a"}, {}, "b"]}) == {"a"}
    assert sv._registered_methods(None) == set()


# -- the open documents the supervisor follows, and a server that dies --------------------------


def change(uri: str, version: int, *edits: tuple[int, int, int, int, str]) -> dict[str, Any]:
    return {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [
            {
                "range": {
                    "start": {"line": a, "character": b},
                    "end": {"line": c, "character": d},
                },
                "text": text,
            }
            for a, b, c, d, text in edits
        ],
    }


def test_positions_are_read_in_the_negotiated_units_and_lsp_line_ends() -> None:
    text = "a\U0001f600b\r\nx\u00e9y\rlast\u2028same line"
    # UTF-16: the emoji is two units; "\r\n" and a lone "\r" end lines, U+2028 does not.
    assert sv._offset(text, 0, 3, "utf-16") == 2
    assert sv._offset(text, 1, 2, "utf-16") == text.index("y")
    assert sv._offset(text, 2, 5, "utf-16") == text.index("\u2028") + 1
    # UTF-8: the emoji is four bytes, é two.
    assert sv._offset(text, 0, 5, "utf-8") == 2
    assert sv._offset(text, 1, 3, "utf-8") == text.index("y")
    assert sv._offset(text, 0, 2, "utf-32") == 2
    # Past the end of a line, or of the text: clamped.
    assert sv._offset(text, 0, 99, "utf-16") == text.index("\r\n")
    assert sv._offset(text, 9, 0, "utf-16") == len(text)


def test_the_documents_followed_are_what_the_editor_sent() -> None:
    docs = sv.Documents()
    uri = "file:///w/b.py"
    opened = {"uri": uri, "languageId": "python", "version": 1, "text": "import os\n"}
    docs.follow("textDocument/didOpen", {"textDocument": opened})
    docs.follow("textDocument/didChange", change(uri, 2, (1, 0, 1, 0, "os.system(x)\n")))
    docs.follow(
        "textDocument/didChange", change(uri, 3, (1, 10, 1, 11, "cmd"), (0, 0, 0, 0, "#\n"))
    )
    assert docs.all() == [
        {"uri": uri, "languageId": "python", "version": 3, "text": "#\nimport os\nos.system(cmd)\n"}
    ]
    whole = {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": "x = 1\n"}]}
    docs.follow("textDocument/didChange", whole)
    assert docs.docs[uri]["text"] == "x = 1\n"
    # A change that cannot be followed: the document is forgotten, not guessed at.
    docs.follow("textDocument/didChange", {"textDocument": {"uri": uri, "version": 5}})
    assert docs.all() == []
    docs.follow("textDocument/didChange", change(uri, 6, (0, 0, 0, 0, "y")))  # not open: ignored
    docs.follow("textDocument/didOpen", {"textDocument": {"uri": uri, "version": 1, "text": ""}})
    docs.follow("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert docs.all() == []


async def test_a_server_that_dies_is_started_again_with_the_documents_the_editor_sent() -> None:
    harness = Harness()
    dead = await initialized(harness)
    uri = "file:///w/b.py"
    send(harness, {"method": "textDocument/didOpen",
                   "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                               "text": "import os\n"}}})  # fmt: skip
    send(harness, {"method": "textDocument/didChange",
                   "params": change(uri, 2, (1, 0, 1, 0, "eval(x)\n"))})  # fmt: skip
    reply(harness, dead, {"method": "textDocument/publishDiagnostics",
                          "params": {"uri": uri, "diagnostics": [{"message": "m"}]}})  # fmt: skip
    send(harness, {"id": 4, "method": "textDocument/hover", "params": {}})
    harness.server_ended(dead, -9)
    swap = harness._swap
    assert swap is not None
    await swap
    new = harness.server
    assert new is not None
    assert new is not dead
    assert methods(new.proc) == [
        "initialize",
        "initialized",
        "workspace/didChangeConfiguration",
        "textDocument/didOpen",
        sv.SHOWN,
    ]
    assert new.proc.stdin.messages[3]["params"]["textDocument"] == {
        "uri": uri, "languageId": "python", "version": 2, "text": "import os\neval(x)\n"
    }  # fmt: skip
    assert new.proc.stdin.messages[4]["params"] == {"uris": [uri]}
    errors = [m for m in harness.out if "error" in m]
    assert [m["id"] for m in errors] == [4]  # the hover it never answered
    assert any(m.get("method") == "window/showMessage" for m in harness.out)
    assert not harness.ended.is_set()


async def test_a_server_that_keeps_dying_ends_the_session_and_deliberate_ends_are_final() -> None:
    harness = Harness()
    server = await initialized(harness)
    for _ in range(sv.MAX_RESTARTS):
        harness.server_ended(server, 1)
        swap = harness._swap
        assert swap is not None
        await swap
        assert harness.server is not None
        server = harness.server
    harness.server_ended(server, 1)
    assert harness._swap is None
    assert harness.ended.is_set()
    assert harness.exit_code == 1
    # Exit code 0 (the editor's process gone), or after shutdown: never started again.
    harness = Harness()
    server = await initialized(harness)
    harness.server_ended(server, 0)
    assert harness._swap is None
    assert harness.ended.is_set()


async def test_a_server_that_dies_while_handing_over_is_started_again_with_the_held_messages() -> (
    None
):
    harness = Harness(die_on_handover=True)
    old = await initialized(harness)
    reply(harness, old, {"method": sv.RECYCLE, "params": {}})
    swap = harness._swap
    assert swap is not None
    await asyncio.sleep(0)  # the replacement has begun: the editor's messages are held
    send(harness, {"method": "textDocument/didChange", "params": {"v": 9}})
    await swap
    restart = harness._swap
    assert restart is not None  # the replacement gave way to a restart
    await restart
    new = harness.server
    assert new is not None
    assert new is not old
    assert methods(new.proc)[-1] == "textDocument/didChange"  # held, then delivered
    assert harness.held is None
    assert not harness.ended.is_set()
