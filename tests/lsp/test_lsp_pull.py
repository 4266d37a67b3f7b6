"""Pull diagnostics, for a client that can pull *and* be told to pull again.

Neither pinned profile declares ``workspace.diagnostics.refreshSupport`` (VS Code 1.65 predates
pull diagnostics; Neovim 0.11 pulls without refresh), so both get push in ``test_lsp_e2e``. Here
each profile is given what a current VS Code declares: ``textDocument.diagnostic`` and
``workspace.diagnostics.refreshSupport``. Such a client gets pull and no push at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from .helpers import PROFILES, SERVER, AuditClient, make_client, pulling

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=PROFILES,
)
async def client(
    lsp_client: AuditClient,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp("pull").resolve()
    (root / "on_disk.py").write_text("def f(code):\n    return eval(code)\n")
    lsp_client.root = root
    lsp_client.profile = request.param
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pulling(request.param),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="pull")],
            initialization_options={"debounce": 20},
        )
    )
    provider = result.capabilities.diagnostic_provider
    assert isinstance(provider, types.DiagnosticOptions)
    assert provider.workspace_diagnostics
    yield
    await lsp_client.shutdown_session()


async def pull(client: AuditClient, uri: str, previous: str | None) -> object:
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
        )
    )


async def test_pull_with_an_unchanged_result_id(client: AuditClient) -> None:
    uri = client.open("open.py", "import os\n\n\ndef f(cmd):\n    os.system(cmd)\n")
    first = await pull(client, uri, None)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in first.items] == ["AUD102"]
    assert first.result_id

    again = await pull(client, uri, first.result_id)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id

    client.replace("open.py", "def f(code):\n    return eval(code)\n", version=2)
    changed = await pull(client, uri, first.result_id)
    assert isinstance(changed, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in changed.items] == ["AUD101"]
    assert changed.result_id != first.result_id
    assert client.publishes == []  # never both push and pull


async def test_workspace_pull_and_refresh(client: AuditClient) -> None:
    async def workspace(previous: dict[str, str]) -> dict[str, object]:
        report = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(
                previous_result_ids=[
                    types.PreviousResultId(uri=u, value=v) for u, v in previous.items()
                ]
            )
        )
        return {item.uri: item for item in report.items}

    async def pull_until(uri: str, previous: dict[str, str]) -> dict[str, object]:
        """Pull, and pull again at each refresh, as a client does, until ``uri`` is there."""
        while True:
            seen = client.diagnostic_refresh_count
            items = await workspace(previous)
            if uri in items:
                return items
            await client.until(lambda s=seen: client.diagnostic_refresh_count > s, "a refresh")

    disk = client.uri("on_disk.py")
    first = await pull_until(disk, {})  # once the index has run
    report = first[disk]
    assert isinstance(report, types.WorkspaceFullDocumentDiagnosticReport)
    assert [d.code for d in report.items] == ["AUD101"]
    previous = {disk: report.result_id or ""}

    second = await workspace(previous)
    assert isinstance(second[disk], types.WorkspaceUnchangedDocumentDiagnosticReport)

    # A change on disk, heard in the background: the server asks for a new pull.
    refreshes = client.diagnostic_refresh_count
    (client.root / "later.py").write_text("import yaml\n\n\ndef f(s):\n    return yaml.load(s)\n")
    client.files_changed([("later.py", types.FileChangeType.Created)])
    await client.until(lambda: client.diagnostic_refresh_count > refreshes, "a refresh")
    later_uri = client.uri("later.py")
    third = await pull_until(later_uri, previous)
    later = third[later_uri]
    assert isinstance(later, types.WorkspaceFullDocumentDiagnosticReport)
    assert [d.code for d in later.items] == ["AUD103"]
    assert isinstance(third[disk], types.WorkspaceUnchangedDocumentDiagnosticReport)
    assert client.publishes == []
