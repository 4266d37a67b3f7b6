"""Push or pull, result ids and refresh (server/diagnostics.py)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from auditls.server.diagnostics import DiagnosticsHub


def diag(code: str, line: int = 0) -> types.Diagnostic:
    rng = types.Range(
        start=types.Position(line=line, character=0), end=types.Position(line=line, character=1)
    )
    return types.Diagnostic(range=rng, message=code, code=code, source="auditls")


class Client:
    def __init__(self) -> None:
        self.published: list[types.PublishDiagnosticsParams] = []
        self.refreshed = asyncio.Event()
        self.refreshes = 0

    def publish(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.append(params)

    def refresh(self) -> None:
        self.refreshes += 1
        self.refreshed.set()


def hub(pull: bool) -> tuple[DiagnosticsHub, Client]:
    client = Client()
    return (
        DiagnosticsHub(
            asyncio.get_running_loop(), pull=pull, publish=client.publish, refresh=client.refresh
        ),
        client,
    )


async def test_push_publishes_changes_only() -> None:
    h, client = hub(pull=False)
    h.set("file:///a.py", [], None)  # nothing shown, nothing to say
    assert client.published == []
    h.set("file:///a.py", [diag("AUD101")], None)
    h.set("file:///a.py", [diag("AUD101")], None)  # the same again: silent
    assert len(client.published) == 1
    h.clear("file:///a.py")
    assert client.published[-1].diagnostics == []
    h.clear("file:///a.py")  # cleared once, then forgotten
    assert len(client.published) == 2
    assert h.uris() == []
    assert client.refreshes == 0


async def test_push_publishes_every_new_version_of_an_open_document() -> None:
    h, client = hub(pull=False)
    h.set("file:///b.py", [], 1)  # the client learns the buffer was looked at
    h.set("file:///b.py", [], 2)
    h.set("file:///b.py", [], 2)
    assert [(p.version, list(p.diagnostics)) for p in client.published] == [(1, []), (2, [])]


async def test_pull_reports_with_result_ids() -> None:
    h, client = hub(pull=True)
    h.set("file:///a.py", [diag("AUD101")], None)
    first = h.document_report("file:///a.py", None)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in first.items] == ["AUD101"]
    same = h.document_report("file:///a.py", first.result_id)
    assert isinstance(same, types.RelatedUnchangedDocumentDiagnosticReport)
    assert same.result_id == first.result_id
    h.set("file:///a.py", [diag("AUD101")], None)  # unchanged: same id
    assert h.document_report("file:///a.py", first.result_id).kind == "unchanged"
    h.set("file:///a.py", [], None)  # changed: a new id, an empty full report
    emptied = h.document_report("file:///a.py", first.result_id)
    assert isinstance(emptied, types.RelatedFullDocumentDiagnosticReport)
    assert emptied.items == []
    assert client.published == []  # never pushed


async def test_pull_asks_for_a_refresh_for_background_changes_only() -> None:
    h, client = hub(pull=True)
    h.pulling("file:///open.py", +1)
    h.set("file:///open.py", [diag("AUD102")], 3)  # the pull in progress carries it
    h.pulling("file:///open.py", -1)
    h.set("file:///disk.py", [diag("AUD103")], None)
    h.set("file:///other.py", [diag("AUD101")], None)
    await asyncio.wait_for(client.refreshed.wait(), 5)
    assert client.refreshes == 1  # two background changes, one refresh
    report = h.workspace_report({"file:///disk.py": "nope"}, h.uris())
    by_uri = {item.uri: item for item in report.items}
    assert set(by_uri) == {"file:///open.py", "file:///disk.py", "file:///other.py"}
    assert by_uri["file:///open.py"].version == 3
    again = h.workspace_report({u: i.result_id or "" for u, i in by_uri.items()}, h.uris())
    assert {item.kind for item in again.items} == {"unchanged"}
    h.close()
