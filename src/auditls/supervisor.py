"""``auditls serve`` over stdio: a small supervisor in front of the language server process.

Why: a long editing session grows the daemon's resident set although what it holds does not
grow. Every store batch allocates short-lived objects beside the long-lived ones it builds, and
CPython's allocator gives an arena back only when every object in it is freed; no allocator
tried did better, and nothing inside the process can compact it (BENCHMARKS.md, eleventh and
twelfth sessions). A process started again from the snapshot can: a warm start rebuilds the
same state, densely, in about a second at 1,400 files.

So the editor speaks to this process, which relays LSP frames to a server process
(``auditls serve --supervised``) and back, unchanged. It parses each message only to know
where it goes (no pygls, no lsprotocol: it stays small), and keeps what a new server process
needs to take over: the ``initialize`` request, the folder and configuration notifications
that followed it. When the server has been idle long enough to write its snapshot and its
resident set has grown past its limit (``server.recycle``), it asks to be replaced
(``auditls/recycle``), and the supervisor, with the editor's messages held back meanwhile:

1. asks the old server for what the editor has told it (``auditls/handover``: the open
   documents with their versions and text, the files showing diagnostics; if it cannot, it
   goes on as if nothing happened), waits for its answers to the editor's requests in flight
   (at most ``DRAIN_SECONDS``), then shuts it down (``shutdown``, ``exit``): it writes its
   snapshot and releases the store;
2. only then starts the new server process (the two never hold their memory at once) and
   sends it the ``initialize`` request (its answer stays here); if that fails, the session
   ends with an error, as when a server dies, and the editor may start it again;
3. sends the new server ``initialized``, the folder and configuration notifications, a
   ``didOpen`` per open document and the files showing diagnostics (``auditls/shown``: it
   clears those that no longer have any once it has indexed), then the held messages.

The editor sees nothing of it but a progress report of the new server's index. A dynamic
registration the new server repeats (file watching) is answered here, so that the editor does
not watch twice; an answer the editor sends to a server that has gone is dropped.

When the server process ends by itself (``exit``, the editor's process gone, a crash), the
supervisor ends with its exit code; when the editor closes the pipe, the server's stdin is
closed and the supervisor waits for it to finish writing. ``--tcp`` and ``--single-process``
run one process, without recycling.

Frames from the editor are read with the limits of ``framing``; a frame that cannot be read is
answered with an error and ends the session, as the server itself would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from auditls.framing import FrameError, PipeSource, StreamSource, frame, frame_body, read_frame

log = logging.getLogger("auditls.supervisor")

#: Method names of the supervisor's own messages (never sent to or by the editor).
RECYCLE = "auditls/recycle"  # server -> supervisor: replace me
HANDOVER = "auditls/handover"  # supervisor -> server: what the editor told you
SHOWN = "auditls/shown"  # supervisor -> new server: files the editor shows diagnostics for
#: Seconds the old server has to answer the editor's requests in flight before its shutdown.
DRAIN_SECONDS = 10.0
#: Seconds a server process has to answer the supervisor (initialize, handover, shutdown).
ANSWER_SECONDS = 60.0
#: Seconds a server process has to end after ``exit``, or after its stdin closed.
EXIT_SECONDS = 30.0
#: Frames from the server are trusted (it is ours); a workspace's pulled diagnostics can be
#: large, so their limit is higher than the editor's.
SERVER_FRAME_LIMIT = 1 << 30
#: The error a request gets when the server that had it went away without answering.
CONTENT_MODIFIED = -32801
SERVER_CANCELLED = -32802
FRAME_ERROR = -32000


def server_command(extra: list[str] | None = None) -> list[str]:
    """The command of a server process: this interpreter, with its isolation flags (``-E``,
    ``-s``, ``-I`` as this process has them) and in safe-path mode (``-P``: nothing from the
    current directory, the workspace, is importable); its environment is this process's, which
    ``auditls.isolation`` has prepared (no ``PYTHONPATH``)."""
    flags = ["-P"]
    if sys.flags.isolated:
        flags.append("-I")
    else:
        if sys.flags.ignore_environment:
            flags.append("-E")
        if sys.flags.no_user_site:
            flags.append("-s")
    return [sys.executable, *flags, "-m", "auditls", "serve", "--supervised", *(extra or [])]


class Server:
    """One server process and what is in flight with it."""

    def __init__(self, proc: asyncio.subprocess.Process, generation: int) -> None:
        self.proc = proc
        self.generation = generation
        self.pending: dict[Any, str] = {}  # the editor's requests it has not answered
        self.answered = asyncio.Event()  # set when ``pending`` becomes empty
        self.asked: set[Any] = set()  # its requests to the editor, not answered
        self.waiting: dict[Any, asyncio.Future[dict[str, Any]]] = {}  # the supervisor's
        self.reader: asyncio.Task[None] | None = None
        self.retired = False  # handed over: what it publishes now is stale
        self._ids = 0

    def send(self, body: bytes) -> None:
        stdin = self.proc.stdin
        if stdin is None or stdin.is_closing():
            return
        stdin.write(frame_body(body))

    def send_message(self, message: dict[str, Any]) -> None:
        self.send(json.dumps(message, ensure_ascii=False).encode("utf-8"))

    async def drain(self) -> None:
        stdin = self.proc.stdin
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(ConnectionError):
                await stdin.drain()

    async def request(self, method: str, params: Any) -> dict[str, Any]:
        """Send a request of the supervisor's own; its response (raises TimeoutError)."""
        self._ids += 1
        msg_id = f"auditls-supervisor-{self.generation}-{self._ids}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = future
        self.send_message({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        try:
            return await asyncio.wait_for(future, ANSWER_SECONDS)
        finally:
            self.waiting.pop(msg_id, None)

    def notify(self, method: str, params: Any) -> None:
        self.send_message({"jsonrpc": "2.0", "method": method, "params": params})

    def close_stdin(self) -> None:
        stdin = self.proc.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()

    async def wait(self, timeout: float) -> int:
        """Its exit code, killing it if it has not ended within ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            log.warning("server process %d did not end; killing it", self.proc.pid)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            return await self.proc.wait()


class Supervisor:
    """Relays frames between the editor and the current server process; replaces it when it
    asks (see the module docstring)."""

    def __init__(
        self,
        write: Callable[[bytes], None],
        *,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.write_client = write
        self.command = command or server_command()
        self.env = env
        self.server: Server | None = None
        self.generation = 0
        self.initialize: dict[str, Any] | None = None  # the editor's, once answered
        self._initialize_sent: dict[Any, dict[str, Any]] = {}
        self.initialized = False
        self.replay: list[dict[str, Any]] = []  # folder changes, the last settings pushed
        self.registered: set[str] = set()  # methods the editor registered for a server
        self.held: list[bytes] | None = None  # the editor's messages while servers change
        self.shutting_down = False  # the editor sent ``shutdown`` or ``exit``
        self.recycles = 0
        self.ended = asyncio.Event()  # the current server ended by itself
        self.exit_code = 0
        self._swap: asyncio.Task[None] | None = None
        self._old: Server | None = None  # the server being replaced, once handed over

    # -- processes ---------------------------------------------------------------------------

    async def start_server(self) -> Server:
        self.generation += 1
        proc = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=self.env,
            limit=65536,
        )
        server = Server(proc, self.generation)
        server.reader = asyncio.ensure_future(self._read_server(server))
        log.info("server process %d started (generation %d)", proc.pid, self.generation)
        return server

    async def _read_server(self, server: Server) -> None:
        assert server.proc.stdout is not None
        source = StreamSource(server.proc.stdout)
        try:
            while True:
                body = await read_frame(source, SERVER_FRAME_LIMIT)
                if body is None:
                    break
                self.from_server(server, body)
        except (FrameError, ConnectionError) as exc:
            log.error("server process %d: %s", server.proc.pid, exc)
        code = await server.wait(EXIT_SECONDS)
        for future in server.waiting.values():
            if not future.done():
                future.set_exception(ConnectionError("the server process ended"))
        if server is self.server:
            self.exit_code = code
            self.ended.set()

    # -- the editor's messages ---------------------------------------------------------------

    def from_client(self, body: bytes) -> None:
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, dict):
            self.forward(body, None)  # the server answers what is not JSON-RPC
            return
        method, msg_id = message.get("method"), message.get("id")
        if not isinstance(method, str):  # an answer to a server's request
            for server in self.servers():
                if msg_id in server.asked:
                    server.asked.discard(msg_id)
                    server.send(body)
                    return
            log.debug("dropped an answer to a server process that has gone: %r", msg_id)
            return
        if method == "initialize" and "id" in message and self.initialize is None:
            self._initialize_sent[_key(msg_id)] = message
        elif method == "initialized":
            self.initialized = True
        elif method == "workspace/didChangeWorkspaceFolders":
            self.replay.append(message)
        elif method == "workspace/didChangeConfiguration":
            self.replay = [m for m in self.replay if m.get("method") != method]
            self.replay.append(message)
        elif method in ("shutdown", "exit"):
            self.shutting_down = True
        self.forward(body, message)

    def forward(self, body: bytes, message: dict[str, Any] | None) -> None:
        if self.held is not None:
            self.held.append(body)
            return
        server = self.server
        if server is None:
            return
        if message is not None and "id" in message and "method" in message:
            server.pending[_key(message["id"])] = message["method"]
        server.send(body)

    def servers(self) -> list[Server]:
        """The current server, and the one it replaces while that one finishes."""
        found = [self.server] if self.server is not None else []
        if self._old is not None and self._old is not self.server:
            found.append(self._old)
        return found

    # -- the server's messages ---------------------------------------------------------------

    def from_server(self, server: Server, body: bytes) -> None:
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, dict):
            self.write_client(frame_body(body))
            return
        method, msg_id = message.get("method"), message.get("id")
        if not isinstance(method, str):  # an answer
            future = server.waiting.get(msg_id)
            if future is not None:
                if not future.done():
                    future.set_result(message)
                return
            if server.pending.pop(_key(msg_id), None) is not None and not server.pending:
                server.answered.set()
            sent = self._initialize_sent.pop(_key(msg_id), None)
            if sent is not None and "result" in message:
                self.initialize = sent
            self.write_client(frame_body(body))
            return
        if method == RECYCLE:
            if (
                server is self.server
                and self._swap is None
                and not self.shutting_down
                and self.initialize is not None
                and self.initialized
            ):
                log.info(
                    "server process %d asks to be replaced: %s",
                    server.proc.pid,
                    json.dumps(message.get("params")),
                )
                self._swap = asyncio.ensure_future(self.replace(server))
            return
        if "id" in message:  # a request to the editor
            if (
                method == "client/registerCapability"
                and server.generation > 1
                and self._registered_already(message.get("params"))
            ):
                server.send_message({"jsonrpc": "2.0", "id": msg_id, "result": None})
                return
            if method == "client/registerCapability":
                self.registered.update(_registered_methods(message.get("params")))
            server.asked.add(msg_id)
        elif server.retired and method == "textDocument/publishDiagnostics":
            return  # the new server publishes what is current
        self.write_client(frame_body(body))

    def _registered_already(self, params: Any) -> bool:
        methods = _registered_methods(params)
        return bool(methods) and methods <= self.registered

    # -- replacing the server ----------------------------------------------------------------

    async def replace(self, old: Server) -> None:
        """Steps 1 to 3 of the module docstring."""
        assert self.initialize is not None
        self.held = []
        try:
            handover = await old.request(HANDOVER, None)
            state = handover.get("result")
            if not isinstance(state, dict):
                raise RuntimeError(f"no handover: {handover.get('error')}")
        except Exception as exc:  # the old server goes on
            log.error("could not replace the server process: %s", exc)
            self._release(old)
            self._swap = None
            return
        old.retired = True
        self._old = old
        await self._drain(old)
        self.server = None  # its end is not the session's
        with contextlib.suppress(Exception):
            await old.request("shutdown", None)
        old.notify("exit", None)
        await old.drain()
        old.close_stdin()
        await old.wait(EXIT_SECONDS)
        # Only now the next one: the two never hold their memory at once.
        new: Server | None = None
        try:
            new = await self.start_server()
            answer = await new.request("initialize", self.initialize.get("params"))
            if "result" not in answer:
                raise RuntimeError(f"it refused initialize: {answer.get('error')}")
        except Exception as exc:
            log.error("could not start the next server process: %s", exc)
            if new is not None:
                new.close_stdin()
                with contextlib.suppress(ProcessLookupError):
                    new.proc.kill()
                await new.wait(EXIT_SECONDS)
            self.held, self._old, self._swap = None, None, None
            self.exit_code = 1
            self.ended.set()  # the session ends; the editor may start the server again
            return
        self.server = new
        new.notify("initialized", {})
        for message in self.replay:
            new.send_message(message)
        for doc in state.get("documents") or []:
            new.notify("textDocument/didOpen", {"textDocument": doc})
        new.notify(SHOWN, {"uris": state.get("shown") or []})
        self.recycles += 1
        log.info(
            "server process %d replaced by %d (%d open documents handed over)",
            old.proc.pid,
            new.proc.pid,
            len(state.get("documents") or []),
        )
        self._old = None
        self._release(new)
        self._swap = None

    async def _drain(self, old: Server) -> None:
        """Let the old server answer the editor's requests in flight (``DRAIN_SECONDS`` at
        most), then answer the rest for it: the editor asks again (LSP's ContentModified, and
        for a pulled diagnostic ServerCancelled with ``retriggerRequest``)."""
        if old.pending:
            old.answered.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(old.answered.wait(), DRAIN_SECONDS)
        for msg_id, method in sorted(old.pending.items(), key=str):
            error: dict[str, Any] = {
                "code": CONTENT_MODIFIED,
                "message": "the server process was replaced; ask again",
            }
            if method in ("textDocument/diagnostic", "workspace/diagnostic"):
                error["code"] = SERVER_CANCELLED
                error["data"] = {"retriggerRequest": True}
            self.write_client(frame({"jsonrpc": "2.0", "id": _unkey(msg_id), "error": error}))
        old.pending.clear()

    def _release(self, server: Server) -> None:
        """Send the held messages to ``server`` and stop holding."""
        held, self.held = self.held or [], None
        for body in held:
            try:
                message = json.loads(body)
            except (ValueError, RecursionError):
                message = None
            self.forward(body, message if isinstance(message, dict) else None)

    # -- running -----------------------------------------------------------------------------

    async def run(self, source: PipeSource) -> int:
        """Serve until the editor leaves or the server ends; the exit code."""
        self.server = await self.start_server()
        client = asyncio.ensure_future(self._read_client(source))
        ended = asyncio.ensure_future(self.ended.wait())
        await asyncio.wait({client, ended}, return_when=asyncio.FIRST_COMPLETED)
        if ended.done():  # the server ended by itself: exit, the editor gone, a crash
            client.cancel()
            return self.exit_code
        ended.cancel()
        if self._swap is not None:
            with contextlib.suppress(Exception):
                await self._swap
        server = self.server
        if server is None:
            return 0
        await server.drain()
        server.close_stdin()
        code = await server.wait(EXIT_SECONDS)
        return code if self.ended.is_set() else 0

    async def _read_client(self, source: PipeSource) -> None:
        while True:
            try:
                body = await read_frame(source)
            except FrameError as exc:
                log.error("closing the connection: %s", exc)
                self.write_client(
                    frame(
                        {
                            "jsonrpc": "2.0",
                            "id": None,
                            "error": {
                                "code": FRAME_ERROR,
                                "message": f"cannot read the message: {exc}",
                            },
                        }
                    )
                )
                return
            if body is None:
                return
            self.from_client(body)
            if self.server is not None and self.held is None:
                await self.server.drain()


def _key(msg_id: Any) -> Any:
    """A message id as a set member (ids are strings or integers; JSON keeps them apart)."""
    return (type(msg_id).__name__, msg_id) if isinstance(msg_id, (int, str)) else ("?", str(msg_id))


def _unkey(key: Any) -> Any:
    return key[1]


def _registered_methods(params: Any) -> set[str]:
    registrations = params.get("registrations") if isinstance(params, dict) else None
    if not isinstance(registrations, list):
        return set()
    return {
        r["method"]
        for r in registrations
        if isinstance(r, dict) and isinstance(r.get("method"), str)
    }


def main() -> int:
    """``auditls serve`` over stdio."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("auditls %(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must not corrupt the protocol

    def write(data: bytes) -> None:
        try:
            stdout.write(data)
            stdout.flush()
        except (BrokenPipeError, ValueError):
            pass  # the editor is gone: the end of its stdin follows

    supervisor = Supervisor(write)
    try:
        return asyncio.run(supervisor.run(PipeSource(stdin)))
    except KeyboardInterrupt:
        return 0
