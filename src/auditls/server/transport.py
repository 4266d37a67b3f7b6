"""How messages reach the server: framing with limits, a gate in front of pygls, one TCP client.

pygls 2's own read loop (``pygls.io_.run_async``) trusts its peer: it reads as many bytes as
``Content-Length`` says (``Content-Length: 1000000000000`` is a MemoryError), and a message it
cannot parse or whose params do not fit lsprotocol's types (a negative position) is logged and
never answered, so the client waits for ever. ``read_loop`` replaces it:

1. **Framing** (``auditls.framing``). A header line is at most ``MAX_HEADER`` bytes and a body
   at most ``max_message()`` bytes (``AUDITLS_MAX_MESSAGE``, default 64 MiB). A frame over a
   limit, or headers without a ``Content-Length``, cannot be skipped safely: the server answers
   with an error (id ``null``), logs why, and closes the connection.
2. **Parsing.** Bad JSON is answered with -32700 (id ``null``); JSON that is not a JSON-RPC 2.0
   message with -32600; the connection stays open.
3. **The gate** (``Gate.admit``), on the raw message, before pygls sees it: until ``initialize``
   a request gets -32002 (ServerNotInitialized) and a notification other than ``exit`` is
   dropped; ``initialize`` must carry the connection's token when it has one
   (``initializationOptions.token``), else it is refused and the connection closed; a second
   ``initialize`` gets -32600; after ``shutdown`` a request gets -32600.
4. **Structuring.** Params that do not fit their type get -32602 with the request's id (a
   notification is dropped with a log line). Then pygls handles the message.

TCP (``serve_tcp``): loopback only (the CLI refuses other hosts), one client. Connections are
taken one at a time; the first that sends ``initialize`` with the token within
``AUTH_SECONDS`` becomes the client and the listener closes, so nobody else can connect; one
that does not is closed and the next may try. When the client leaves, the server ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol

from auditls.framing import (
    DEFAULT_MAX_MESSAGE,
    MAX_HEADER,
    FrameError,
    PipeSource,
    Source,
    StreamSource,
    frame,
    max_message,
    read_frame,
)

__all__ = [
    "DEFAULT_MAX_MESSAGE",
    "MAX_HEADER",
    "FrameError",
    "Gate",
    "PipeSource",
    "Source",
    "StreamSource",
    "frame",
    "max_message",
    "read_loop",
    "serve_tcp",
]

log = logging.getLogger(__name__)

#: Seconds a TCP connection has to send ``initialize`` with the token.
AUTH_SECONDS = 10.0
#: Where the client puts the token.
TOKEN_KEY = "token"  # noqa: S105 (the name of a key, not a password)

PARSE_ERROR = types.ErrorCodes.ParseError.value  # -32700
INVALID_REQUEST = types.ErrorCodes.InvalidRequest.value  # -32600
INVALID_PARAMS = types.ErrorCodes.InvalidParams.value  # -32602
NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized.value  # -32002
#: JSON-RPC's range for server errors: a refused token.
UNAUTHORISED = -32001
#: A frame the server cannot read (over a limit, no length): answered, then the end.
FRAME_ERROR = -32000


class _QuietStructureErrors(logging.Filter):
    """pygls logs a traceback for every message whose params do not fit; the gate answers them
    and logs one line instead (a client repeating a bad request would fill the log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Unable to deserialize message")


logging.getLogger("pygls.protocol.json_rpc").addFilter(_QuietStructureErrors())


class _Futures(dict[Any, Any]):
    """pygls's table of running handlers, whose ``items()`` is a copy: pygls's ``shutdown``
    cancels the handlers while it walks them, and a cancelled one leaves the table at once."""

    def items(self) -> Any:
        return list(super().items())


class ServerProtocol(LanguageServerProtocol):
    """pygls's protocol, without its leak: pygls 2.1 files the future of every handler it runs
    under a message id (``_request_futures``: so that ``$/cancelRequest`` can find it) and takes
    it out only when it answers a request. A notification (``didChange``, ``didSave``, ...)
    gets a made-up id, and its future, with its lock and condition, stayed for ever: two or
    three per edit (the builtin handler, then ours), thousands in a soak. Here a handler's
    future leaves that table once done (a request's is answered first: pygls's own callback
    was added before ours)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_futures = _Futures()

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is None:
            return

        def forget(done: Any) -> None:
            if self._request_futures.get(msg_id) is done:
                del self._request_futures[msg_id]

        future.add_done_callback(forget)  # at once when it is done already


class Gate:
    """What may pass to pygls, and the answers to what may not (steps 2 to 4)."""

    def __init__(
        self,
        protocol: JsonRPCProtocol,
        write: Callable[[bytes], Any],
        *,
        token: str | None = None,
        on_authenticated: Callable[[], None] | None = None,
    ) -> None:
        self.protocol = protocol
        self.write = write
        self.token = token
        self.on_authenticated = on_authenticated
        self.initialized = False  # ``initialize`` went through
        self.shut_down = False  # ``shutdown`` went through
        self.refused = False  # a wrong token: the connection must close
        #: Messages answered or dropped here, by reason (for tests and logs).
        self.stats: dict[str, int] = {}

    def error(self, msg_id: Any, code: int, message: str) -> None:
        self.stats[str(code)] = self.stats.get(str(code), 0) + 1
        reply = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        with contextlib.suppress(Exception):  # the peer is gone: nothing to answer
            self.write(frame(reply))

    def body(self, data: bytes) -> None:
        """One frame's body: parse, gate, structure, hand to pygls."""
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError) as exc:
            log.warning("a message that is not JSON: %s", exc)
            self.error(None, PARSE_ERROR, f"not JSON: {exc}")
            return
        if not isinstance(raw, dict) or raw.get("jsonrpc") != "2.0":
            msg_id = raw.get("id") if isinstance(raw, dict) else None
            self.error(msg_id, INVALID_REQUEST, "not a JSON-RPC 2.0 message")
            return
        if not self.admit(raw):
            return
        method, msg_id = raw.get("method"), raw.get("id")
        try:
            message = self.protocol.structure_message(raw)
        except JsonRpcException as exc:
            if isinstance(method, str) and msg_id is not None:
                self.error(msg_id, INVALID_PARAMS, f"invalid params for {method}")
                log.info("%s: params that do not fit the protocol; answered with an error", method)
            else:
                log.warning("dropped %s: its params do not fit the protocol (%s)", method, exc)
            return
        self.protocol.handle_message(message)

    def admit(self, raw: dict[str, Any]) -> bool:
        """Whether a message may pass; answers (or drops) it when not."""
        method, msg_id = raw.get("method"), raw.get("id")
        request = isinstance(method, str) and "id" in raw
        if not isinstance(method, str):
            return True  # a response to one of our requests
        if method == types.INITIALIZE and request:
            if self.initialized:
                self.error(msg_id, INVALID_REQUEST, "the server is already initialized")
                return False
            if not self.authenticate(raw):
                self.refused = True
                self.error(msg_id, UNAUTHORISED, "a valid initializationOptions.token is needed")
                return False
            self.initialized = True
            if self.on_authenticated is not None:
                self.on_authenticated()
            return True
        if method == types.EXIT:
            return self.initialized or self.token is None
        if not self.initialized:
            if request:
                self.error(msg_id, NOT_INITIALIZED, "the server is not initialized")
            return False
        if self.shut_down and request:
            self.error(msg_id, INVALID_REQUEST, "the server is shutting down")
            return False
        if method == types.SHUTDOWN and request:
            self.shut_down = True
        return True

    def authenticate(self, raw: dict[str, Any]) -> bool:
        """Check and remove the token of an ``initialize`` (it must not reach the settings)."""
        params = raw.get("params")
        options = params.get("initializationOptions") if isinstance(params, dict) else None
        given = options.pop(TOKEN_KEY, None) if isinstance(options, dict) else None
        if self.token is None:
            return True
        return isinstance(given, str) and hmac.compare_digest(
            given.encode("utf-8", "surrogatepass"), self.token.encode("utf-8", "surrogatepass")
        )


async def read_loop(source: Source, gate: Gate) -> str:
    """Read frames until the stream ends or cannot be read; returns why it stopped."""
    limit = max_message()
    while True:
        try:
            data = await read_frame(source, limit)
        except FrameError as exc:
            log.error("closing the connection: %s", exc)
            gate.error(None, FRAME_ERROR, f"cannot read the message: {exc}")
            return str(exc)
        if data is None:
            return "end of stream"
        gate.body(data)
        if gate.refused:
            log.error("closing the connection: initialize without the right token")
            return "refused"
        # What the message started runs before the next message is handled, as when each
        # read waited for the stream: a synchronous handler must not overtake an earlier
        # message's task (a ``didOpen`` run before the ``didClose`` task that came first,
        # which then closed the document just reopened).
        await asyncio.sleep(0)


async def serve_tcp(
    protocol: JsonRPCProtocol,
    host: str,
    port: int,
    token: str,
    *,
    on_listening: Callable[[str, int], None] | None = None,
) -> None:
    """Serve one client on ``host:port`` (see the module docstring); returns when it leaves."""
    done = asyncio.Event()
    busy = False
    listener: asyncio.Server | None = None

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal busy
        if busy or done.is_set():
            writer.close()
            return
        busy = True
        peer = writer.get_extra_info("peername")
        authenticated = False

        def accepted() -> None:
            nonlocal authenticated
            authenticated = True
            log.info("client %s accepted; no other connection will be", peer)
            if listener is not None:
                listener.close()  # nobody else can connect now

        protocol.set_writer(writer)
        gate = Gate(protocol, writer.write, token=token, on_authenticated=accepted)
        loop = asyncio.get_running_loop()
        timer = loop.call_later(AUTH_SECONDS, lambda: None if authenticated else writer.close())
        try:
            why = await read_loop(StreamSource(reader), gate)
            log.info("connection %s ended: %s", peer, why)
        finally:
            timer.cancel()
            with contextlib.suppress(Exception):
                await writer.drain()
            writer.close()
            if authenticated:
                done.set()
            else:
                busy = False

    listener = await asyncio.start_server(connection, host, port, limit=MAX_HEADER)
    for sock in listener.sockets:
        address = sock.getsockname()
        if on_listening is not None:
            on_listening(address[0], address[1])
    async with listener:
        await done.wait()
