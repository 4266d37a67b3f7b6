"""Analysed code never runs inside auditls.

A hostile workspace holds files that shadow what auditls, its dependencies and Python's start-up
import; each writes a marker file when it is imported. Every way auditls is started works on it
and leaves no marker: the ``auditls`` command and ``python -P -m auditls`` (``check`` and
``index`` with worker processes, ``facts``), ``python -E -P -m auditls`` with a ``PYTHONPATH``
into the workspace, and the server started exactly as the VS Code extension starts it and as the
Neovim config starts it (a real Neovim), with the workspace as its working directory, through a
cold index, an edit and a save, and a re-index with worker processes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types as pytypes
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from auditls import isolation

from .helpers import make_client, neovim_or_skip, path_with_auditls

ROOT = Path(__file__).resolve().parents[2]
AUDITLS = str(Path(sys.executable).parent / "auditls")

#: Modules the interpreter, auditls and its dependencies import by name.
SHADOW_MODULES = [
    "__future__", "argparse", "asyncio", "auditls", "collections", "concurrent", "enum",
    "json", "msgpack", "multiprocessing", "os", "pathspec", "re", "sitecustomize", "sqlite3",
    "tomllib", "types", "typing", "usercustomize", "warnings",
]  # fmt: skip
SHADOW_PACKAGES = ["attrs", "cattrs", "lsprotocol", "pygls", "watchdog"]
#: More than the indexer's threshold for worker processes, so the server starts them too.
APP_FILES = 120
FLAGGED = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def marker_code(markers: Path, name: str) -> str:
    return f"import sys; open({str(markers / name)!r}, 'w').write(repr(sys.argv))\n"


def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """The workspace and the directory its markers would appear in."""
    ws, markers = tmp_path / "ws", tmp_path / "markers"
    markers.mkdir()
    (ws / "app").mkdir(parents=True)
    (ws / "pyproject.toml").write_text("[project]\nname = 'hostile'\n")
    for name in SHADOW_MODULES:
        (ws / f"{name}.py").write_text(marker_code(markers, name))
    for name in SHADOW_PACKAGES:
        (ws / name).mkdir()
        (ws / name / "__init__.py").write_text(marker_code(markers, name))
    # Only site directories' .pth files run; this one is in a workspace and must stay data.
    (ws / "zz-hook.pth").write_text("import sys; " + marker_code(markers, "pth"))
    for i in range(APP_FILES):
        (ws / "app" / f"m{i:03}.py").write_text(FLAGGED)
    return ws, markers


def ran(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir())


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    return {**env, **extra}


# --------------------------------------------------------------------------------------------
# The command line

LAUNCHERS = {
    "auditls": ([AUDITLS], False),
    "python -P -m auditls": ([sys.executable, "-P", "-m", "auditls"], False),
    "python -E -P -m auditls, PYTHONPATH into the workspace": (
        [sys.executable, "-E", "-P", "-m", "auditls"],
        True,
    ),
}


@pytest.mark.parametrize("launcher", LAUNCHERS)
@pytest.mark.parametrize("command", ["check", "index", "facts"])
def test_the_cli_runs_nothing_from_the_workspace(
    tmp_path: Path, launcher: str, command: str
) -> None:
    ws, markers = hostile(tmp_path)
    argv, pythonpath = LAUNCHERS[launcher]
    args = {
        "check": ["check", "--jobs", "2", "--format", "json", "."],
        "index": ["index", "--jobs", "2", "--format", "json", "."],
        "facts": ["facts", "app/m000.py", "--format", "json"],
    }[command]
    env = clean_env(PYTHONPATH=str(ws)) if pythonpath else clean_env()
    proc = subprocess.run(
        [*argv, *args], cwd=ws, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert ran(markers) == []
    assert proc.returncode == (1 if command == "check" else 0), proc.stderr
    out = json.loads(proc.stdout)
    if command == "check":
        flagged = {f["path"] for f in out["findings"] if f["rule"] == "AUD102"}
        assert len(flagged) == APP_FILES  # the analysis itself is whole
    elif command == "index":
        assert out["workers"] == 2  # extracted in worker processes, not in this one
        assert out["files"] == APP_FILES + len(SHADOW_MODULES) + len(SHADOW_PACKAGES)
    else:
        assert any(row["callee"] == "subprocess.call" for row in out["tables"]["python_calls"])


def test_a_pythonpath_into_the_workspace_is_refused(tmp_path: Path) -> None:
    """Python itself runs a ``sitecustomize.py`` it finds on ``PYTHONPATH`` before any code of
    auditls runs; auditls notices, says how to start it instead, and imports nothing more."""
    ws, markers = tmp_path / "ws", tmp_path / "markers"
    markers.mkdir()
    ws.mkdir()
    (ws / "pyproject.toml").write_text("[project]\nname = 'hostile'\n")
    for name in ("sitecustomize", "json", "multiprocessing"):
        (ws / f"{name}.py").write_text(marker_code(markers, name))
    (ws / "m.py").write_text(FLAGGED)
    proc = subprocess.run(
        [AUDITLS, "check", "--jobs", "2", "."],
        cwd=ws,
        env=clean_env(PYTHONPATH=str(ws)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "refusing to run: sitecustomize" in proc.stderr
    assert "python -P -m auditls" in proc.stderr
    assert ran(markers) == ["sitecustomize"]


# --------------------------------------------------------------------------------------------
# The checks themselves, in this process


def test_shadowed_names_modules_loaded_from_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = pytypes.ModuleType("sitecustomize")
    fake.__file__ = str(tmp_path / "sitecustomize.py")
    monkeypatch.setitem(sys.modules, "sitecustomize", fake)
    unrelated = pytypes.ModuleType("project_module")  # not a name auditls relies on
    unrelated.__file__ = str(tmp_path / "project_module.py")
    monkeypatch.setitem(sys.modules, "project_module", unrelated)
    assert isolation.shadowed([str(tmp_path)]) == [("sitecustomize", fake.__file__)]
    with pytest.raises(isolation.Shadowed, match=r"refusing to run: sitecustomize \("):
        isolation.verify([str(tmp_path)])
    # A virtual environment inside the workspace is an installation, not analysed code.
    assert isolation.shadowed([str(tmp_path)], trusted=[str(tmp_path)]) == []


def test_the_cli_refuses_a_workspace_it_was_imported_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditls.cli import main

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    # A standard-library name nothing imports, so no module binds the fake meanwhile.
    fake = pytypes.ModuleType("antigravity")
    fake.__file__ = str(tmp_path / "antigravity.py")
    monkeypatch.setitem(sys.modules, "antigravity", fake)
    assert main(["check", str(tmp_path)]) == 2
    assert "refusing to run: antigravity" in capsys.readouterr().err


def test_children_start_in_safe_path_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    assert isolation.prepare_children() is (sys.flags.safe_path or not sys.flags.ignore_environment)
    assert os.environ["PYTHONSAFEPATH"] == "1"
    assert "PYTHONPATH" not in os.environ


# --------------------------------------------------------------------------------------------
# The server, as the editors start it


def vscode_server_args() -> list[str]:
    source = (ROOT / "editors" / "vscode" / "src" / "extension.ts").read_text(encoding="utf-8")
    found = re.search(r"export const SERVER_ARGS = \[(.*?)\];", source, re.S)
    assert found is not None
    assert "...SERVER_ARGS" in source  # and the client starts the server with them
    return re.findall(r'"([^"]*)"', found.group(1))


def progress_done(client: object) -> bool:
    reports = getattr(client, "progress_reports", {})
    return any(r and isinstance(r[-1], types.WorkDoneProgressEnd) for r in reports.values())


async def test_the_server_as_vscode_starts_it(tmp_path: Path) -> None:
    ws, markers = hostile(tmp_path)
    client = make_client()
    client.root, client.profile = ws, "visual-studio-code"
    # No cwd in the extension's ServerOptions: VS Code starts it in the workspace folder.
    await client.start_io(
        sys.executable, *vscode_server_args(), cwd=ws, env={**os.environ, "PYTHONPATH": str(ws)}
    )
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=ws.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=ws.as_uri(), name="ws")],
                initialization_options={"debounce": 20},
            )
        )
        await client.until(lambda: progress_done(client), "the cold index", timeout=60)
        rel = "app/m000.py"
        await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 1, "the disk findings")
        uri = client.open(rel, FLAGGED, version=1)
        edited = FLAGGED + "\n\ndef again(code):\n    return eval(code)\n"
        client.replace(rel, edited, version=2)
        (ws / rel).write_text(edited)
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await client.diagnostics_for(uri, lambda d: len(d) == 2, "the saved edit", version=2)
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="auditls.reindex")
        )  # answers at once; a log message tells when it is done
        await client.until(
            lambda: any(m.message.startswith("re-indexed") for m in client.log_messages),
            "the re-index",
            timeout=60,
        )
        [status] = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="auditls.showIndexStatus")
        )
        assert status["lastIndexWorkers"] == 2  # the re-index ran in worker processes
        assert status["files"] == APP_FILES + len(SHADOW_MODULES) + len(SHADOW_PACKAGES)
        await client.shutdown_session()
    finally:
        await client.stop()
    assert ran(markers) == []


# Neovim's own Python provider check (`has('python3')` in its python ftplugin) runs
# `python3 -c` in the workspace with the user's environment; that is Neovim's process, not
# auditls's, so the test turns it off to see only what auditls starts.
NEOVIM_SCRIPT = """
vim.g.loaded_python3_provider = 0
vim.opt.runtimepath:prepend(%(runtime)s)
vim.lsp.enable('auditls')
vim.cmd('edit ' .. vim.fn.fnameescape(%(file)s))
local buf = vim.api.nvim_get_current_buf()
local function count() return #vim.diagnostic.get(buf) end
local indexed = vim.wait(60000, function() return count() == 1 end, 20)
vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'def again(code):', '    return eval(code)' })
vim.cmd('write')
local saved = vim.wait(30000, function() return count() == 2 end, 20)
local client = vim.lsp.get_clients({ name = 'auditls' })[1]
local function status_now()
  local reply = client and client:request_sync('workspace/executeCommand',
    { command = 'auditls.showIndexStatus', arguments = {} }, 10000, buf)
  return reply and reply.result and reply.result[1] or {}
end
local before = status_now().revision
-- auditls.reindex answers at once; the index is done when the store's revision moved.
if client then
  client:request_sync('workspace/executeCommand', { command = 'auditls.reindex', arguments = {} },
    10000, buf)
end
local status = {}
vim.wait(60000, function()
  status = status_now()
  return status.revision ~= nil and status.revision ~= before and not status.indexing
end, 200)
io.stdout:write(vim.json.encode({
  indexed = indexed, saved = saved, workers = status.lastIndexWorkers or -1,
  files = status.files or -1,
}) .. '\\n')
vim.cmd('qa!')
"""


def test_the_server_as_the_neovim_config_starts_it(tmp_path: Path) -> None:
    binary = neovim_or_skip()
    ws, markers = hostile(tmp_path)
    script = tmp_path / "run.lua"
    script.write_text(
        NEOVIM_SCRIPT
        % {
            "runtime": json.dumps(str(ROOT / "editors" / "neovim")),
            "file": json.dumps(str(ws / "app" / "m000.py")),
        }
    )
    proc = subprocess.run(
        [binary, "--headless", "--clean", "-l", str(script)],
        cwd=ws,  # and Neovim starts the server in the root it found
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={
            **os.environ,
            "HOME": str(tmp_path),
            "PATH": path_with_auditls(),
            "PYTHONPATH": str(ws),
        },
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {
        "indexed": True,
        "saved": True,
        "workers": 2,
        "files": APP_FILES + len(SHADOW_MODULES) + len(SHADOW_PACKAGES),
    }, proc.stderr
    assert ran(markers) == []
