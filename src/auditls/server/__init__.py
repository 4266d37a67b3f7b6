"""The language server (``auditls serve``): the engine behind LSP.

Only this package imports pygls or lsprotocol. Its modules, in the order a request meets them:

- ``app``: the pygls server and its handlers (short: they call the modules below);
- ``config``: editor settings layered over ``[tool.auditls]``;
- ``scheduler``: per-document debounce, analysis off the loop, stale results dropped;
- ``documents``: open buffers and their analyses (the buffer overrides the disk);
- ``engine``: one folder's store and the thread that owns it; re-indexing changed files;
- ``watch``: watchdog events, filtered, debounced and coalesced per path;
- ``convert``: the one place positions become the client's units; findings as diagnostics;
- ``suppressions``: the suppression edits every diagnostic carries in ``data``;
- ``diagnostics``: push or pull, result ids, refresh;
- ``hover`` (a provider registry), ``actions`` (quick fixes), ``log`` (stderr and the client).
"""

from auditls.server.app import create_server, serve

__all__ = ["create_server", "serve"]
