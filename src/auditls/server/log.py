"""Logging for a daemon whose stdout is the protocol.

Records of the ``auditls`` loggers go to stderr and, once the client is connected, to
``window/logMessage``, both at the configured level. pygls logs every message it sends at INFO;
its loggers are kept at WARNING and never forwarded to the client (a log message about sending a
log message would never end). Forwarding happens on the event loop, whatever thread logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable

from lsprotocol import types

LEVELS = {
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}

_MESSAGE_TYPES = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)

ROOT_LOGGER = "auditls"


class ClientLogHandler(logging.Handler):
    """Forwards records to the client with ``window/logMessage``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        send: Callable[[types.LogMessageParams], None],
    ) -> None:
        super().__init__()
        self.loop = loop
        self.send = send
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        kind = next((t for level, t in _MESSAGE_TYPES if record.levelno >= level), None)
        params = types.LogMessageParams(
            type=kind if kind is not None else types.MessageType.Log, message=self.format(record)
        )
        with contextlib.suppress(RuntimeError):  # the loop is closed: stderr has it
            self.loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        with contextlib.suppress(Exception):  # the transport is gone; stderr has the record
            self.send(params)


def setup_stderr(level: str = "info") -> None:
    """stderr for auditls at ``level``, pygls and watchdog at WARNING; nothing on stdout."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("auditls %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(ROOT_LOGGER)
    logger.handlers[:] = [handler]
    logger.propagate = False
    set_level(level)
    for name in ("pygls", "watchdog"):
        other = logging.getLogger(name)
        other.setLevel(logging.WARNING)
        if not other.handlers:
            other.addHandler(handler)
        other.propagate = False


def set_level(level: str) -> None:
    logging.getLogger(ROOT_LOGGER).setLevel(LEVELS.get(level, logging.INFO))


def attach_client(handler: ClientLogHandler) -> None:
    logger = logging.getLogger(ROOT_LOGGER)
    logger.handlers = [h for h in logger.handlers if not isinstance(h, ClientLogHandler)]
    logger.addHandler(handler)
