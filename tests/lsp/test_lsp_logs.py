"""Logs that help (issue 14): what the server says over ``window/logMessage``, through a real
``auditls serve``. At ``debug``: each file event (and why one is ignored), each re-index with
its files and time, each publication with its counts, each setting applied. At ``info``: one
line per index and one per configuration change, nothing at debug level."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from .helpers import SERVER, AuditClient, make_client, write_workspace

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHANGE = types.FileChangeType
FILES = {
    "pyproject.toml": "[project]\nname = 'ws'\n\n[tool.auditls]\nignore = ['AUD103']\n",
    "app.py": "def f(code):\n    return eval(code)\n",
    ".venv/lib/site.py": "eval(x)\n",
}


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
)
async def client(
    lsp_client: AuditClient, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp("logs").resolve()
    write_workspace(root, FILES)
    lsp_client.root = root
    lsp_client.profile = "visual-studio-code"  # it watches files: the test sends the events
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"logLevel": "debug", "debounce": 20},
        )
    )
    yield
    await lsp_client.shutdown_session()


def said(client: AuditClient, pattern: str, since: int = 0) -> list[types.LogMessageParams]:
    return [m for m in client.log_messages[since:] if re.search(pattern, m.message)]


async def test_debug_says_what_happened_and_why(client: AuditClient) -> None:
    app = client.uri("app.py")
    await client.diagnostics_for(app, lambda d: len(d) == 1, "app.py's finding")
    await client.until(lambda: said(client, r"^indexed "), "the index's line")
    [index] = said(client, r"^indexed ")
    assert index.type == types.MessageType.Info
    assert re.search(r"\d+ files: \d+ indexed, .* in \d+\.\d\ds$", index.message)
    # Each setting applied, and the settings in force in one info line.
    applied = said(client, r"^setting (\w+) = .* applied to ")
    assert {m.message.split()[1] for m in applied} >= {"logLevel", "debounce"}
    assert all(m.type == types.MessageType.Log for m in applied)  # debug level
    [settings] = said(client, r"^settings \(start-up\): ")
    assert settings.type == types.MessageType.Info
    assert "ignore AUD103" in settings.message
    assert "logLevel debug" in settings.message
    assert said(client, r"^\[tool\.auditls\] of .*pyproject\.toml applied$")
    # Each publication with its counts (the line follows the publication).
    await client.until(
        lambda: said(client, re.escape(f"published {app}: 1 diagnostic (1 error)")),
        "the publication's line",
    )

    # File events: two ignored (and why), one that re-indexes a file.
    mark = len(client.log_messages)
    (client.root / "app.py").write_text("def f(code):\n    return eval(code) + eval(code)\n")
    outside = client.root.parent / "elsewhere.py"
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=client.uri(".venv/lib/site.py"), type=CHANGE.Changed),
                types.FileEvent(uri=outside.as_uri(), type=CHANGE.Created),
                types.FileEvent(uri=app, type=CHANGE.Changed),
            ]
        )
    )
    await client.diagnostics_for(app, lambda d: len(d) == 2, "the re-indexed file")
    await client.until(
        lambda: said(client, re.escape(f"published {app}: 2 diagnostics (2 error)"), mark),
        "the publication's line",
    )
    assert said(client, r"file event \(client\): changed .*/\.venv/lib/site\.py$", mark)
    assert said(client, r"file event .*/\.venv/lib/site\.py: ignored, in \.venv/", mark)
    assert said(client, r"file event .*/elsewhere\.py: ignored, outside every workspace", mark)
    [reindex] = said(client, r"^re-indexed ", mark)
    assert re.fullmatch(
        r"re-indexed app\.py in \d+ ms: 1 extracted, 0 unchanged, 0 removed; changed: app\.py",
        reindex.message,
    )


async def test_info_says_one_line_per_configuration_change(client: AuditClient) -> None:
    app = client.uri("app.py")
    await client.diagnostics_for(app, lambda d: len(d) >= 1, "app.py's findings")
    mark = len(client.log_messages)
    settings = {"logLevel": "info", "debounce": 20, "ignore": ["AUD102"]}
    client.set_configuration(settings, section="auditls")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"auditls": settings})
    )
    await client.until(lambda: said(client, r"^settings \(", mark), "the settings line")
    # A file event at info: the publication, and no debug line about any of it.
    (client.root / "app.py").write_text("def f(code):\n    return eval(code)\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=app, type=CHANGE.Changed)])
    )
    await client.diagnostics_for(app, lambda d: len(d) == 1, "the re-indexed file")
    new = client.log_messages[mark:]
    [at] = [i for i, m in enumerate(new) if m.message.startswith("settings (")]
    # Before the change took effect, the earlier debug level may still have logged the end of
    # earlier work; from the settings line on, only that line.
    assert all(m.type == types.MessageType.Log for m in new[:at]), [m.message for m in new]
    assert len(new[at:]) == 1, [m.message for m in new[at:]]
    line = new[at]
    assert line.type == types.MessageType.Info
    assert line.message.startswith("settings (the editor's settings changed): ")
    assert "ignore AUD102,AUD103" in line.message
