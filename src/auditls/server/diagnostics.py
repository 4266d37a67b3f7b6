"""How diagnostics reach the client: pushed, or pulled with result ids; never both.

Push (``textDocument/publishDiagnostics``) works with every client. Pull
(``textDocument/diagnostic`` and ``workspace/diagnostic``) is used only when the client can pull
*and* can be told to pull again (``workspace.diagnostics.refreshSupport``): results computed in
the background (the file watcher, the index, a settings change) would otherwise go stale in the
client, as they did for ruff in Neovim and Helix. The choice is made once per client at
``initialize``, so no document is ever both pushed and pulled.

``DiagnosticsHub.set(uri, diagnostics, version)`` is the one door:

* push: publishes when the diagnostics changed, or when an open document has a new version (the
  client then knows the buffer was looked at); a document that drops to no diagnostics gets an
  empty publish once, and is forgotten;
* pull: keeps the diagnostics with a result id that changes when they change, and asks the
  client to pull again (``workspace/diagnostic/refresh``, debounced) unless a pull for that
  document is in progress and will carry them anyway.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from lsprotocol import types

#: Seconds to gather background changes into one refresh request.
REFRESH_DELAY = 0.1

log = logging.getLogger(__name__)

_SEVERITY_NAMES: dict[int, str] = {
    types.DiagnosticSeverity.Error: "error",
    types.DiagnosticSeverity.Warning: "warning",
    types.DiagnosticSeverity.Information: "info",
    types.DiagnosticSeverity.Hint: "hint",
}


def counts(diagnostics: Iterable[types.Diagnostic]) -> str:
    """``3 diagnostics (1 error, 2 warning)``, for the debug log."""
    found = list(diagnostics)
    by_severity = Counter(_SEVERITY_NAMES.get(d.severity or 1, "error") for d in found)
    detail = ", ".join(f"{n} {name}" for name, n in sorted(by_severity.items()))
    noun = "diagnostic" if len(found) == 1 else "diagnostics"
    return f"{len(found)} {noun}" + (f" ({detail})" if detail else "")


@dataclass(slots=True)
class _Entry:
    diagnostics: list[types.Diagnostic]
    version: int | None
    result_id: str


class DiagnosticsHub:
    """The diagnostics of every document, and the client's way of getting them."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        pull: bool,
        publish: Callable[[types.PublishDiagnosticsParams], None],
        refresh: Callable[[], None],
    ) -> None:
        self.loop = loop
        self.pull = pull
        self._publish = publish
        self._refresh = refresh
        self._entries: dict[str, _Entry] = {}
        self._ids = itertools.count(1)
        #: Result ids are this hub's own: a server process that replaces another
        #: (``auditls.supervisor``) must not take the ids the client got from the old one for
        #: its own, or it would answer "unchanged" for different diagnostics.
        self._prefix = secrets.token_hex(4) + "-"
        self._refresh_timer: asyncio.TimerHandle | None = None
        self._pulling: dict[str, int] = {}  # uri -> pulls in progress
        #: Publishes sent (push) and refreshes requested (pull), for the status and tests.
        self.published = 0
        self.refreshes = 0

    def _new_id(self) -> str:
        return f"{self._prefix}{next(self._ids)}"

    def get(self, uri: str) -> list[types.Diagnostic]:
        entry = self._entries.get(uri)
        return list(entry.diagnostics) if entry is not None else []

    def uris(self) -> list[str]:
        return list(self._entries)

    def showing(self) -> list[str]:
        """The documents the client shows diagnostics for (pushed, not empty)."""
        return [uri for uri, entry in self._entries.items() if entry.diagnostics]

    def clear_unknown(self, uris: Iterable[str]) -> int:
        """Publish no diagnostics for each of ``uris`` this hub has not published (what the
        process before this one showed: ``recycle``); how many. Pushed only: a client that
        pulls asks again after a refresh."""
        if self.pull:
            return 0
        cleared = 0
        for uri in uris:
            if uri not in self._entries:
                self._publish(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
                cleared += 1
        self.published += cleared
        return cleared

    def set(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        old = self._entries.get(uri)
        same = old is not None and old.diagnostics == diagnostics
        if self.pull:
            if old is None and not diagnostics and version is None:
                return
            if same and old is not None:
                old.version = version
                return
            self._entries[uri] = _Entry(diagnostics, version, self._new_id())
            log.debug("ready to be pulled: %s: %s", uri, counts(diagnostics))
            if not self._pulling.get(uri):
                self._schedule_refresh()
            return
        if old is None and not diagnostics and version is None:
            return  # nothing shown, nothing to say
        if same and old is not None and (version is None or old.version == version):
            return
        self.published += 1
        if log.isEnabledFor(logging.DEBUG):
            shown = "" if version is None else f" (version {version})"
            log.debug("published %s%s: %s", uri, shown, counts(diagnostics))
        self._publish(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )
        if diagnostics or version is not None:
            self._entries[uri] = _Entry(diagnostics, version, "")
        else:
            self._entries.pop(uri, None)

    def clear(self, uri: str) -> None:
        self.set(uri, [], None)

    # -- pull ----------------------------------------------------------------------------------

    def pulling(self, uri: str, delta: int) -> None:
        """Count a pull of ``uri`` in progress (+1) or done (-1)."""
        count = self._pulling.get(uri, 0) + delta
        if count > 0:
            self._pulling[uri] = count
        else:
            self._pulling.pop(uri, None)

    def document_report(
        self, uri: str, previous_result_id: str | None
    ) -> types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport:
        entry = self._entries.get(uri)
        if entry is None:
            entry = self._entries[uri] = _Entry([], None, self._new_id())
        if previous_result_id is not None and previous_result_id == entry.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=entry.result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=list(entry.diagnostics), result_id=entry.result_id
        )

    def workspace_report(
        self, previous: Mapping[str, str], uris: Iterable[str]
    ) -> types.WorkspaceDiagnosticReport:
        items: list[
            types.WorkspaceFullDocumentDiagnosticReport
            | types.WorkspaceUnchangedDocumentDiagnosticReport
        ] = []
        for uri in uris:
            entry = self._entries.get(uri)
            if entry is None:
                continue
            if previous.get(uri) == entry.result_id:
                items.append(
                    types.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=uri, version=entry.version, result_id=entry.result_id
                    )
                )
            else:
                items.append(
                    types.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri,
                        version=entry.version,
                        items=list(entry.diagnostics),
                        result_id=entry.result_id,
                    )
                )
        return types.WorkspaceDiagnosticReport(items=items)

    def _schedule_refresh(self) -> None:
        if self._refresh_timer is None:
            self._refresh_timer = self.loop.call_later(REFRESH_DELAY, self._send_refresh)

    def _send_refresh(self) -> None:
        self._refresh_timer = None
        self.refreshes += 1
        self._refresh()

    def close(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.cancel()
            self._refresh_timer = None
