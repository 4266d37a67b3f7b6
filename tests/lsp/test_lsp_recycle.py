"""The supervisor replaces the server process, end to end (``auditls.supervisor``,
``auditls.server.recycle``): a real ``auditls serve`` whose server asks to be replaced at every
idle snapshot after some work (``AUDITLS_RECYCLE_MB=always``, a short snapshot delay).

The editor must not notice but by a second index's progress: an unsaved buffer is handed over
(an incremental edit sent after the swap applies to the text typed before it), diagnostics go
on, requests are answered, file watching is registered once, and the old process is gone.
A server killed is started again with the buffers as the editor sent them, and a kill of the
supervisor ends its server too.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from .helpers import DEADLINE, AuditClient, insert, make_client, pulling, write_workspace

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")

PROFILES = ["visual-studio-code", "neovim@v0.11.0"]  # VS Code watches files for the server


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


async def ended(pid: int, timeout: float = 30.0) -> None:
    """Wait until process ``pid`` (any parent's) has ended: its pidfd becomes readable."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_reader(fd, done.set)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        loop.remove_reader(fd)
        os.close(fd)


def index_ends(client: AuditClient) -> int:
    return sum(
        1
        for reports in client.progress_reports.values()
        if reports and isinstance(reports[-1], types.WorkDoneProgressEnd)
    )


async def start(
    tmp_path: Path, profile: str, *, pull: bool = False, **env: str
) -> tuple[AuditClient, Path]:
    root = (tmp_path / "ws").resolve()
    write_workspace(root, {"a.py": "eval(input())\n", "b.py": "import os\n"})
    client = make_client()
    client.root, client.profile = root, profile
    await client.start_io(sys.executable, "-m", "auditls", "serve", env={**os.environ, **env})
    await client.initialize_session(
        types.InitializeParams(
            capabilities=pulling(profile) if pull else client_capabilities(profile),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"debounce": 20},
        )
    )
    return client, root


RECYCLE_SOON = {"AUDITLS_RECYCLE_MB": "always", "AUDITLS_SNAPSHOT_IDLE": "0.3"}


@pytest.mark.parametrize("profile", PROFILES)
async def test_a_replaced_server_carries_on_where_the_old_one_stopped(
    tmp_path: Path, profile: str
) -> None:
    client, root = await start(tmp_path, profile, **RECYCLE_SOON)
    try:
        supervisor = client._server.pid  # type: ignore[union-attr]
        a, b = client.uri("a.py"), client.uri("b.py")
        await client.diagnostics_for(a, lambda d: len(d) == 1, "a.py's finding")
        [first] = children(supervisor)
        # An unsaved buffer: what the old process must hand over.
        client.open("b.py", "import os\n", version=1)
        client.replace("b.py", "import os\nos.system(input())\n", version=2)
        await client.diagnostics_for(b, lambda d: len(d) == 1, "the buffer's finding", version=2)
        # Another file saved: after the idle snapshot that follows, the server asks to be
        # replaced, and a new process indexes from the snapshot.
        (root / "c.py").write_text("exec(input())\n")
        client.files_changed([("c.py", types.FileChangeType.Created)])
        await client.until(lambda: index_ends(client) >= 2, "the new process's index", 60)
        await ended(first)
        [second] = children(supervisor)
        assert second != first
        # An incremental edit made after the swap applies to the buffer handed over.
        insert(client, b, 3, 2, "eval(input())\n")
        found = await client.diagnostics_for(
            b, lambda d: len(d) == 2, "both findings of the buffer", version=3
        )
        assert sorted(d.range.start.line for d in found) == [1, 2]
        # Requests are answered by the new process.
        hover = await asyncio.wait_for(
            client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=b),
                    position=types.Position(line=1, character=3),
                )
            ),
            DEADLINE,
        )
        assert hover is None or hover.contents
        # VS Code was asked to watch files once, by the first process only.
        watched = [
            r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        ]
        assert len(watched) == (1 if profile == "visual-studio-code" else 0)
        # A change on disk after the swap reaches the new process's store (VS Code's event,
        # or the new process's own watcher).
        (root / "a.py").write_text("x = 1\n")
        client.files_changed([("a.py", types.FileChangeType.Changed)])
        await client.diagnostics_for(a, lambda d: not d, "a.py fixed on disk")
    finally:
        await client.shutdown_session()


async def test_a_pulling_client_gets_full_reports_from_the_new_process(tmp_path: Path) -> None:
    """The result ids of the old process mean nothing to the new one: a pull with one gets the
    new process's full report, never "unchanged" for diagnostics it did not send."""
    client, root = await start(tmp_path, PROFILES[0], pull=True, **RECYCLE_SOON)
    try:
        supervisor = client._server.pid  # type: ignore[union-attr]
        a = client.uri("a.py")

        async def pull(previous: str | None) -> types.DocumentDiagnosticReport:
            return await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=a), previous_result_id=previous
                )
            )

        await client.until(lambda: index_ends(client) >= 1, "the index")
        first = await pull(None)
        assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
        assert len(first.items) == 1
        [old] = children(supervisor)
        (root / "c.py").write_text("exec(input())\n")
        client.files_changed([("c.py", types.FileChangeType.Created)])
        await client.until(lambda: index_ends(client) >= 2, "the new process's index", 60)
        await ended(old)
        again = await pull(first.result_id)
        assert isinstance(again, types.RelatedFullDocumentDiagnosticReport)
        assert again.result_id != first.result_id
        assert [d.code for d in again.items] == [d.code for d in first.items]
    finally:
        await client.shutdown_session()


@pytest.mark.parametrize("profile", PROFILES)
async def test_a_server_killed_is_started_again_with_the_buffers_the_editor_sent(
    tmp_path: Path, profile: str
) -> None:
    """A server process that dies (here SIGKILL, as the OOM killer would) is started again by
    the supervisor, which followed the editor's edits itself: an incremental edit sent after
    the restart applies to the text typed before it."""
    client, _ = await start(tmp_path, profile)
    try:
        supervisor = client._server.pid  # type: ignore[union-attr]
        b = client.uri("b.py")
        await client.until(lambda: index_ends(client) >= 1, "the index")
        client.open("b.py", "import os\n", version=1)
        client.replace("b.py", "import os\nos.system(input())\n", version=2)
        await client.diagnostics_for(b, lambda d: len(d) == 1, "the buffer's finding", version=2)
        [first] = children(supervisor)
        os.kill(first, signal.SIGKILL)
        await ended(first)
        await client.until(
            lambda: any("started again" in m.message for m in client.messages),
            "the message that the server was started again",
        )
        await client.until(lambda: index_ends(client) >= 2, "the new process's index", 60)
        [second] = children(supervisor)
        assert second != first
        insert(client, b, 3, 2, "eval(input())\n")
        found = await client.diagnostics_for(
            b, lambda d: len(d) == 2, "both findings of the buffer", version=3
        )
        assert sorted(d.range.start.line for d in found) == [1, 2]
    finally:
        await client.shutdown_session()


async def test_killing_the_supervisor_ends_its_server(tmp_path: Path) -> None:
    client, _ = await start(tmp_path, PROFILES[0])
    server = client._server  # type: ignore[union-attr]
    await client.until(lambda: index_ends(client) >= 1, "the index")
    [inner] = children(server.pid)
    os.kill(server.pid, signal.SIGKILL)
    await asyncio.wait_for(server.wait(), DEADLINE)
    # Its stdin closed, the server process ends (it writes its snapshot first).
    await ended(inner)
