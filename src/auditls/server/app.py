"""The language server: which module answers which LSP message, and how it runs.

``create_server`` below is the map: every handler is registered here and lives, by job, in a
module of its own; each is a few lines that get the document or the folder, call the engine
(or a registry, or a pure function), convert, and return. The state they share is
``state.AuditServer``.

How it runs, from start to stop:

1. ``initialize`` (``lifecycle``): the client's capabilities decide the position encoding (pygls
   negotiates it), push or pull (``publish``, ``diagnostics``; the pull handlers are registered
   here, then, for a client that pulls), and whether the client watches files for us. Each
   workspace folder gets a ``Folder`` (``folders``): its ``pyproject.toml`` settings, the
   editor's settings over them (``configuration``), and a ``FolderEngine`` (its store and the
   thread that owns it).
2. ``initialized`` (``lifecycle``): the editor's settings are asked for
   (``workspace/configuration``), file watching starts (``file_events``: the client's,
   registered dynamically, or a watchdog ``Watcher``), the client's process is watched, and each
   folder is indexed in the background (``folders``): snapshot loaded, reconciled against the
   disk, changed files extracted, with work-done progress (fresh token, throttled reports,
   cancellable). Every file's findings are then published.
3. Open documents never wait for that (``text_sync``): ``didOpen`` / ``didChange`` submit the
   buffer to the analysis ``Pipeline`` (debounced per document, run on its own thread, stale
   versions dropped), and the buffer's findings are what the document shows while it is open.
4. ``didSave``, the file watcher and ``didChangeWatchedFiles`` (``file_events``) send paths to
   the engine, which re-indexes them and returns the files whose rows changed; a change is
   applied only if it is not older than the last one applied for that folder (store revision).
5. Every publication goes through ``publish``: it picks the buffer's or the disk's findings,
   applies the folder's settings (rules selected, severities, AUD001 on or off, diagnostic mode)
   and hands the result to the ``DiagnosticsHub`` (push or pull).
6. ``shutdown`` (``lifecycle``) stops the watchers and pending analyses, cancels indexing, and
   writes each folder's snapshot; ``exit`` (or the client's process vanishing) ends the process.

Hover, quick fixes and workspace symbols (``features``) ask registries (``hover``, ``symbols``)
to which each domain adds its providers; the commands are in ``commands``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from typing import Any

from lsprotocol import types
from pygls.io_ import StdoutWriter

from auditls.server import (
    commands,
    configuration,
    features,
    file_events,
    folders,
    lifecycle,
    publish,
    recycle,
    text_sync,
    transport,
)
from auditls.server import log as logsetup
from auditls.server.state import SERVER_LOGGER, AuditServer

log = logging.getLogger(SERVER_LOGGER)

#: Pull diagnostics, offered to a client that pulls and can be told to pull again.
PULL_OPTIONS = types.DiagnosticOptions(
    identifier=configuration.SECTION, inter_file_dependencies=False, workspace_diagnostics=True
)
#: Quick fixes only.
CODE_ACTION_OPTIONS = types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])


def create_server(*, supervised: bool = False) -> AuditServer:
    """A server with every handler registered (``supervised``: run by ``auditls.supervisor``,
    with its messages for handing over to a replacement: ``recycle``)."""
    server = AuditServer()
    server.supervised = supervised
    feature = server.feature
    if supervised:
        feature(recycle.HANDOVER)(recycle.handover)
        feature(recycle.SHOWN)(recycle.shown)

    @feature(types.INITIALIZE)
    def initialize(ls: AuditServer, params: types.InitializeParams) -> None:
        if lifecycle.initialize(ls, params):  # the client pulls diagnostics
            ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, PULL_OPTIONS)(publish.document_diagnostic)
            ls.feature(types.WORKSPACE_DIAGNOSTIC)(publish.workspace_diagnostic)

    feature(types.INITIALIZED)(lifecycle.initialized)
    feature(types.SHUTDOWN)(lifecycle.shutdown)
    feature(types.EXIT)(lifecycle.exit_)

    feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(folders.did_change_folders)
    feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(configuration.did_change_configuration)
    feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(file_events.did_change_watched_files)

    feature(types.TEXT_DOCUMENT_DID_OPEN)(text_sync.did_open)
    feature(types.TEXT_DOCUMENT_DID_CHANGE)(text_sync.did_change)
    feature(types.TEXT_DOCUMENT_DID_SAVE)(text_sync.did_save)
    feature(types.TEXT_DOCUMENT_DID_CLOSE)(text_sync.did_close)

    feature(types.TEXT_DOCUMENT_HOVER)(features.hover)
    feature(types.TEXT_DOCUMENT_CODE_ACTION, CODE_ACTION_OPTIONS)(features.code_action)
    feature(types.WORKSPACE_SYMBOL)(features.workspace_symbol)

    server.command(commands.CMD_REINDEX)(commands.reindex)
    server.command(commands.CMD_STATUS)(commands.show_index_status)
    return server


def serve(
    *,
    tcp: bool = False,
    host: str = "127.0.0.1",
    port: int = 2087,
    token: str | None = None,
    supervised: bool = False,
) -> int:
    """Run the server in this process until the client leaves; returns the exit code.

    Over TCP a client must present ``token`` (see ``transport``); without one a token is made up
    and written to stderr, as Jupyter does. ``supervised``: over stdio, run by
    ``auditls.supervisor`` (``auditls serve`` without ``--single-process``)."""
    import sys

    logsetup.setup_stderr()
    server = create_server(supervised=supervised and not tcp)
    if tcp:
        if not token:
            token = secrets.token_urlsafe(24)
            print(f"auditls: the token of this server is {token}", file=sys.stderr, flush=True)

        def listening(address: str, real_port: int) -> None:
            log.info("listening on %s:%d (one client, with the token)", address, real_port)

        run(server, transport.serve_tcp(server.protocol, host, port, token, on_listening=listening))
    else:
        stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
        sys.stdout = sys.stderr  # a stray print() must not corrupt the protocol
        writer = StdoutWriter(stdout)
        server.protocol.set_writer(writer)
        gate = transport.Gate(server.protocol, writer.write)
        run(server, transport.read_loop(transport.PipeSource(stdin), gate))
    lifecycle.stop_now(server)  # the client closed the connection without shutdown/exit
    return 0


def run(server: AuditServer, main: Coroutine[Any, Any, Any]) -> None:
    """Run the server's loop until ``main`` returns (the client left)."""
    try:
        asyncio.run(main)
    except BrokenPipeError:
        log.error("the connection to the client is lost")
    except (KeyboardInterrupt, SystemExit):
        pass
