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

A server process that dies (a signal such as the OOM killer's, an uncaught error: a nonzero
exit without ``shutdown``) is started again the same way, with the open documents the
supervisor followed itself (``Documents``: each ``didOpen``, ``didChange`` and ``didClose``,
edits applied in the negotiated position units) and the files it saw diagnostics published
for; the editor is told (``window/showMessage``), and its requests in flight are answered with
ContentModified. At most ``MAX_RESTARTS`` times in ``CRASH_WINDOW`` seconds; then, and when the
server ends deliberately (``exit``, or with 0: the editor's process gone), the supervisor ends
with its exit code. When the editor closes the pipe, the server's stdin is closed and the
supervisor waits for it to finish writing. ``--tcp`` and ``--single-process``
run one process, without recycling.

Frames from the editor are read with the limits of ``framing``; a frame that cannot be read is
answered with an error and ends the session, as the server itself would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
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
DOCUMENT_SYNC = ("textDocument/didOpen", "textDocument/didChange", "textDocument/didClose")
#: A server process that dies (a signal, an uncaught error) is started again, at most this
#: many times in ``CRASH_WINDOW`` seconds; then the session ends with its exit code.
MAX_RESTARTS = 3
CRASH_WINDOW = 300.0
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


_LINE_END = re.compile(r"\r\n|\r|\n")  # LSP's line ends (not str.splitlines's)


def _offset(text: str, line: int, character: int, encoding: str) -> int:
    """The string index of an LSP position (``character`` in the negotiated units), clamped
    to the text and to its line."""
    start = 0
    if line > 0:
        for count, found in enumerate(_LINE_END.finditer(text), 1):
            if count == line:
                start = found.end()
                break
        else:
            return len(text)
    end_match = _LINE_END.search(text, start)
    end = end_match.start() if end_match else len(text)
    if encoding == "utf-32":
        return min(start + max(character, 0), end)
    units, index = 0, start
    while index < end and units < character:
        code = ord(text[index])
        if encoding == "utf-8":
            units += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        else:
            units += 2 if code > 0xFFFF else 1
        index += 1
    return index


class Documents:
    """The open documents as the editor sent them (version and text, its edits applied), for
    a server started after one died. A replacement the server asked for gets them from the old
    server instead (``auditls/handover``). A document whose edits cannot be followed (an
    unexpected message) is forgotten, never guessed at."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.encoding = "utf-16"

    def follow(self, method: str, params: Any) -> None:
        try:
            self._follow(method, params)
        except (KeyError, TypeError, ValueError, AttributeError):
            uri = params.get("textDocument", {}).get("uri") if isinstance(params, dict) else None
            if isinstance(uri, str):
                self.docs.pop(uri, None)

    def _follow(self, method: str, params: dict[str, Any]) -> None:
        doc = params["textDocument"]
        uri = doc["uri"]
        if method == "textDocument/didOpen":
            self.docs[uri] = {
                "uri": uri,
                "languageId": doc.get("languageId") or "python",
                "version": doc["version"],
                "text": str(doc["text"]),
            }
        elif method == "textDocument/didClose":
            self.docs.pop(uri, None)
        elif method == "textDocument/didChange" and uri in self.docs:
            known = self.docs[uri]
            text = known["text"]
            for change in params["contentChanges"]:
                where = change.get("range")
                if where is None:
                    text = str(change["text"])
                    continue
                first = _offset(text, where["start"]["line"], where["start"]["character"],
                                self.encoding)  # fmt: skip
                last = _offset(text, where["end"]["line"], where["end"]["character"],
                               self.encoding)  # fmt: skip
                text = text[:first] + str(change["text"]) + text[max(first, last) :]
            known["text"] = text
            known["version"] = doc["version"]

    def all(self) -> list[dict[str, Any]]:
        return list(self.docs.values())


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
        self.documents = Documents()
        self.shown: set[str] = set()  # documents the editor shows pushed diagnostics for
        self.crashes: list[float] = []  # when a server process died (loop time)

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
        self.server_ended(server, await server.wait(EXIT_SECONDS))

    def server_ended(self, server: Server, code: int) -> None:
        """``server`` has ended with ``code``: start it again, or end the session (the current
        server's end), or nothing (a replaced one's)."""
        for future in server.waiting.values():
            if not future.done():
                future.set_exception(ConnectionError("the server process ended"))
        if server is not self.server or self._swap is not None:
            return  # a replaced one; or the replacement under way sees it end (``replace``)
        self._after_death(server, code)

    def _after_death(self, server: Server, code: int) -> None:
        if self._may_restart(code):
            self._swap = asyncio.ensure_future(self.restart(server, code))
            return
        self.exit_code = code
        self.ended.set()

    def _may_restart(self, code: int) -> bool:
        """A server that died on its own (not ``exit``, not the editor's process gone: those
        end with 0 or after ``shutdown``), not too often."""
        if code == 0 or self.shutting_down or self.initialize is None or not self.initialized:
            return False
        now = asyncio.get_running_loop().time()
        self.crashes = [t for t in self.crashes if now - t < CRASH_WINDOW]
        return len(self.crashes) < MAX_RESTARTS

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
        elif method in DOCUMENT_SYNC:
            self.documents.follow(method, message.get("params"))
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
                result = message["result"] if isinstance(message["result"], dict) else {}
                capabilities = result.get("capabilities") or {}
                encoding = capabilities.get("positionEncoding") or "utf-16"
                self.documents.encoding = encoding if isinstance(encoding, str) else "utf-16"
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
        elif method == "textDocument/publishDiagnostics":
            if server.retired:
                return  # the new server publishes what is current
            params = message.get("params")
            if isinstance(params, dict) and isinstance(params.get("uri"), str):
                if params.get("diagnostics"):
                    self.shown.add(params["uri"])
                else:
                    self.shown.discard(params["uri"])
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
            code = old.proc.returncode
            if code is not None:  # it died meanwhile: as after any death
                self._swap = None
                self._after_death(old, code)
                return
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
        new = await self._start_initialized()
        if new is None:
            return
        self.recycles += 1
        log.info(
            "server process %d replaced by %d (%d open documents handed over)",
            old.proc.pid,
            new.proc.pid,
            len(state.get("documents") or []),
        )
        self._resume(new, state.get("documents") or [], state.get("shown") or [])

    async def _drain(self, old: Server) -> None:
        """Let the old server answer the editor's requests in flight (``DRAIN_SECONDS`` at
        most), then answer the rest for it: the editor asks again (LSP's ContentModified, and
        for a pulled diagnostic ServerCancelled with ``retriggerRequest``)."""
        if old.pending:
            old.answered.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(old.answered.wait(), DRAIN_SECONDS)
        self._answer_for(old, "the server process was replaced; ask again")

    def _answer_for(self, server: Server, why: str) -> None:
        """Answer the editor's requests ``server`` will never answer: the editor asks again
        (ContentModified; for a pulled diagnostic ServerCancelled with ``retriggerRequest``)."""
        for msg_id, method in sorted(server.pending.items(), key=str):
            error: dict[str, Any] = {"code": CONTENT_MODIFIED, "message": why}
            if method in ("textDocument/diagnostic", "workspace/diagnostic"):
                error["code"] = SERVER_CANCELLED
                error["data"] = {"retriggerRequest": True}
            self.write_client(frame({"jsonrpc": "2.0", "id": _unkey(msg_id), "error": error}))
        server.pending.clear()

    async def restart(self, dead: Server, code: int) -> None:
        """Start a server again after ``dead`` died: the same session, the open documents as
        the editor last sent them, what it showed cleared once the new one has indexed."""
        assert self.initialize is not None
        if self.held is None:  # (a replacement under way holds them already)
            self.held = []
        self.server = None
        self.crashes.append(asyncio.get_running_loop().time())
        why = f"the server process {dead.proc.pid} ended unexpectedly (exit code {code})"
        log.error("%s; starting it again (%d of %d)", why, len(self.crashes), MAX_RESTARTS)
        self._answer_for(dead, f"{why}; ask again")
        self.write_client(
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "window/showMessage",
                    "params": {"type": 1, "message": f"auditls: {why}; it was started again"},
                }
            )
        )
        new = await self._start_initialized()
        if new is None:
            return
        self._resume(new, self.documents.all(), sorted(self.shown))

    async def _start_initialized(self) -> Server | None:
        """A new server process, sent the editor's ``initialize``; None (and the session's
        end) if it cannot start."""
        assert self.initialize is not None
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
            return None
        return new

    def _resume(self, new: Server, documents: list[dict[str, Any]], shown: list[str]) -> None:
        """Bring ``new`` to where the editor is, then send it the held messages."""
        self.server = new
        new.notify("initialized", {})
        for message in self.replay:
            new.send_message(message)
        for doc in documents:
            new.notify("textDocument/didOpen", {"textDocument": doc})
        new.notify(SHOWN, {"uris": shown})
        self._old = None
        self._release(new)
        self._swap = None

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
