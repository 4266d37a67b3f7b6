"""The language server (``auditls serve``): the engine behind LSP.

Only this package imports pygls or lsprotocol. Its modules, in the order a request meets them:

- ``app``: which module answers which LSP message (every handler is registered there), and the
  life cycle in steps;
- ``state``: ``AuditServer`` (the state the handlers share) and ``Folder``;
- the handlers, by job: ``lifecycle`` (initialize, initialized, shutdown, exit), ``folders``
  (workspace folders, their index and progress), ``configuration`` (the editor's settings,
  fetched and applied), ``text_sync`` (open, change, save, close), ``file_events`` (watched
  files, the watcher's glue), ``publish`` (settings applied, push or pull), ``features`` (hover,
  code actions, workspace symbols), ``commands`` (reindex, status);
- ``config``: editor settings layered over ``[tool.auditls]``;
- ``scheduler``: per-document debounce, analysis off the loop, stale results dropped;
- ``documents``: open buffers and their analyses (the buffer overrides the disk);
- ``engine``: one folder's store and the thread that owns it; re-indexing changed files;
- ``watch``: watchdog events, filtered, debounced and coalesced per path;
- ``convert``: the one place positions become the client's units; findings as diagnostics;
- ``suppressions``: the suppression edits every diagnostic carries in ``data``;
- ``diagnostics``: push or pull, result ids, refresh;
- ``hover`` and ``symbols`` (provider registries a domain adds to; ``flask/`` registers
  Flask's), ``actions`` (quick fixes), ``log`` (stderr and the client), ``memory`` (free
  pages and frozen garbage given back).
"""

from auditls.server.app import create_server, serve

__all__ = ["create_server", "serve"]
