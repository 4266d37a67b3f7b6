"""LSP's framing, with limits: ``Content-Length`` headers, then a body. No pygls here.

Used by the server's read loop (``server.transport``) and by the supervisor (``supervisor``),
which relays frames between the editor and the server process without parsing LSP types.
A header line is at most ``MAX_HEADER`` bytes and a body at most ``max_message()`` bytes
(``AUDITLS_MAX_MESSAGE``, default 64 MiB): ``Content-Length: 1000000000000`` must not be a
MemoryError. A frame over a limit, or headers without a ``Content-Length``, cannot be skipped
safely: ``read_frame`` raises ``FrameError`` and the connection must close.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, BinaryIO, Protocol

#: The longest header line accepted, in bytes.
MAX_HEADER = 8192
#: The largest message accepted by default, in bytes (``AUDITLS_MAX_MESSAGE`` overrides it).
DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024


def max_message() -> int:
    try:
        value = int(os.environ.get("AUDITLS_MAX_MESSAGE", DEFAULT_MAX_MESSAGE))
    except ValueError:
        return DEFAULT_MAX_MESSAGE
    return value if value > 0 else DEFAULT_MAX_MESSAGE


class FrameError(Exception):
    """The stream cannot be read further: the connection must close."""


class Source(Protocol):
    async def readline(self) -> bytes:
        """One line, at most ``MAX_HEADER`` bytes (raises ``FrameError`` when longer)."""

    async def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or fewer at the end of the stream."""


class StreamSource:
    """An asyncio stream (TCP); its reader must have been created with ``limit=MAX_HEADER``."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader

    async def readline(self) -> bytes:
        try:
            return await self.reader.readline()
        except (ValueError, asyncio.LimitOverrunError) as exc:
            raise FrameError(f"a header line longer than {MAX_HEADER} bytes") from exc

    async def read(self, n: int) -> bytes:
        try:
            return await self.reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            return exc.partial


class PipeSource:
    """A blocking binary stream (stdin), read in chunks by a daemon thread of its own.

    A client writes a message (headers and body) at once, so one chunk holds it as a rule and
    the loop wakes once per message. Reading it a line and then the body at a time through an
    executor, as pygls does, took three hand-offs between threads per message, each waiting
    for the GIL while a store batch computed: at 13,990 files a save's ``didChange`` reached
    its handler up to 26 ms after the client sent it. The thread reads only when the loop asks
    (the pipe holds back a client that writes faster than the server reads), and being a
    daemon it never holds up the process's exit while blocked in a read."""

    CHUNK = 65536

    def __init__(self, stream: BinaryIO) -> None:
        read1 = getattr(stream, "read1", None)  # a buffered stream: what is there, one read
        self._read1: Callable[[int], bytes] = read1 if read1 is not None else stream.read
        self._buffer = bytearray()
        self._eof = False
        self._wants: queue.SimpleQueue[tuple[int, asyncio.AbstractEventLoop, Any]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while True:
            want, loop, future = self._wants.get()
            try:
                data = self._read(want)
            except BaseException as exc:  # handed to the loop, raised there
                loop.call_soon_threadsafe(_settle, future, None, exc)
                return
            loop.call_soon_threadsafe(_settle, future, data, None)
            if not data:
                return

    def _read(self, want: int) -> bytes:
        """At least one byte, and ``want`` bytes when the stream has them (b"" at its end)."""
        chunk = self._read1(max(want, self.CHUNK))
        if len(chunk) >= want or not chunk:
            return chunk
        parts, got = [chunk], len(chunk)
        while got < want:
            chunk = self._read1(max(want - got, self.CHUNK))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    async def _fill(self, want: int = 1) -> bool:
        """More bytes into the buffer (``want`` of them when the stream has them); False at
        the end of the stream."""
        if self._eof:
            return False
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="auditls-stdin", daemon=True)
            self._thread.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        self._wants.put((want, loop, future))
        data = await future
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True

    async def readline(self) -> bytes:
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if (end + 1 if end >= 0 else len(self._buffer)) > MAX_HEADER:
                raise FrameError(f"a header line longer than {MAX_HEADER} bytes")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            start = len(self._buffer)
            if not await self._fill():
                line = bytes(self._buffer)
                self._buffer.clear()
                return line

    async def read(self, n: int) -> bytes:
        if len(self._buffer) < n:
            await self._fill(n - len(self._buffer))
            while len(self._buffer) < n and await self._fill(n - len(self._buffer)):
                pass
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data


def _settle(future: asyncio.Future[bytes], data: bytes | None, exc: BaseException | None) -> None:
    if future.done():  # cancelled: the loop is going away
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(data or b"")


def frame(message: dict[str, Any]) -> bytes:
    """A message as a frame (UTF-8 JSON after its ``Content-Length`` header)."""
    return frame_body(json.dumps(message, ensure_ascii=False).encode("utf-8"))


def frame_body(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def read_frame(source: Source, limit: int | None = None) -> bytes | None:
    """The next frame's body; None at the end of the stream (also inside a frame). Raises
    ``FrameError`` for a frame that cannot be read (over a limit, no ``Content-Length``);
    ``limit`` defaults to ``max_message()``."""
    limit = max_message() if limit is None else limit
    length: int | None = None
    while True:  # headers, up to the blank line
        line = await source.readline()
        if not line:
            return None
        if not line.strip():
            if length is None:
                raise FrameError("a message without a Content-Length header")
            break
        name, _, value = line.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                raise FrameError(f"Content-Length {value.strip()!r}") from None
            if length < 0 or length > limit:
                raise FrameError(
                    f"a message of {length} bytes (the limit is {limit}: AUDITLS_MAX_MESSAGE)"
                )
    data = await source.read(length)
    return data if len(data) == length else None
