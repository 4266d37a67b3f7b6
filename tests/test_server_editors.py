"""The editor integrations in ``editors/`` declare what the server reads, and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

from auditls.server.commands import CMD_REINDEX, CMD_STATUS
from auditls.server.config import CLIENT_KEYS, KNOWN_KEYS, Settings
from auditls.server.configuration import SECTION

ROOT = Path(__file__).resolve().parent.parent
EDITORS = ROOT / "editors"


def vscode_settings() -> dict[str, dict[str, object]]:
    manifest = json.loads((EDITORS / "vscode" / "package.json").read_text(encoding="utf-8"))
    properties = manifest["contributes"]["configuration"]["properties"]
    return {key.removeprefix(f"{SECTION}."): value for key, value in properties.items()}


def test_vscode_settings_are_the_servers() -> None:
    settings = vscode_settings()
    ours = {key for key in settings if key.split(".")[0] not in CLIENT_KEYS}
    assert ours == set(KNOWN_KEYS)
    assert {key.split(".")[0] for key in settings} - ours <= CLIENT_KEYS


def test_vscode_defaults_are_the_servers() -> None:
    settings = vscode_settings()
    defaults = Settings()
    assert settings["debounce"]["default"] == round(defaults.debounce * 1000)
    assert settings["diagnosticMode"]["default"] == defaults.diagnostic_mode
    assert settings["diagnosticMode"]["enum"] == ["workspace", "openFiles"]
    assert settings["syntaxDiagnostics"]["default"] is defaults.syntax_diagnostics
    assert settings["logLevel"]["default"] == defaults.log_level
    assert settings["docsUrl"]["default"] is None
    assert settings["select"]["default"] is None  # unset: the project's select holds


def test_vscode_extension_sends_every_server_setting() -> None:
    source = (EDITORS / "vscode" / "src" / "extension.ts").read_text(encoding="utf-8")
    keys = re.search(r"const keys = \[(.*?)\];", source, re.S)
    assert keys is not None
    assert re.findall(r'"(\w+)"', keys.group(1)) == list(KNOWN_KEYS)
    assert 'configurationSection: "auditls"' in source


def test_vscode_commands_include_the_servers() -> None:
    manifest = json.loads((EDITORS / "vscode" / "package.json").read_text(encoding="utf-8"))
    commands = {c["command"] for c in manifest["contributes"]["commands"]}
    assert {CMD_REINDEX, CMD_STATUS} <= commands


def test_neovim_config_uses_known_settings() -> None:
    lua = (EDITORS / "neovim" / "lsp" / "auditls.lua").read_text(encoding="utf-8")
    assert "cmd = { 'auditls', 'serve' }" in lua
    assert "filetypes = { 'python' }" in lua
    block = lua[lua.index("auditls = {") :]
    used = set(re.findall(r"^\s*(?:-- )?(\w+) = ", block, re.M)) - {"auditls"}
    assert used
    assert used <= set(KNOWN_KEYS)
