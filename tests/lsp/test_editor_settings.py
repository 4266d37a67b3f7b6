"""The editors declare the server's settings key for key, with the same types, defaults, allowed
values and bounds (``server.config.SPECS``), and the server enforces what it declares."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditls.config import Config
from auditls.server.config import (
    CLIENT_KEYS,
    KNOWN_KEYS,
    SPECS,
    Settings,
    layer,
    parse_editor_settings,
)

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    return data


def vscode_properties() -> dict[str, dict[str, Any]]:
    properties = manifest()["contributes"]["configuration"]["properties"]
    return {key.removeprefix("auditls."): value for key, value in properties.items()}


def test_vscode_declares_every_server_setting_and_no_other() -> None:
    ours = {k for k in vscode_properties() if k.split(".")[0] not in CLIENT_KEYS}
    assert ours == set(KNOWN_KEYS)


@pytest.mark.parametrize("key", KNOWN_KEYS)
def test_vscode_and_the_server_agree_on_a_setting(key: str) -> None:
    spec, declared = SPECS[key], vscode_properties()[key]
    types = declared["type"] if isinstance(declared["type"], list) else [declared["type"]]
    assert tuple(types) == spec.types
    assert declared["default"] == spec.default
    assert (tuple(declared["enum"]) if "enum" in declared else None) == spec.enum
    assert declared.get("minimum") == spec.minimum
    assert declared.get("maximum") == spec.maximum
    if "array" in spec.types:
        assert declared["items"] == {"type": "string"}


@pytest.mark.parametrize("key", KNOWN_KEYS)
def test_the_server_enforces_what_it_declares(key: str) -> None:
    spec = SPECS[key]
    # The declared default is accepted as it is, and means what the server does when unset.
    parsed = parse_editor_settings({key: spec.default}, origin="test")
    assert parsed.problems == ()
    assert layer(Config(), parsed) == layer(Config(), parse_editor_settings({}, origin="test"))
    # A value of a type the key does not take is refused, and the key keeps its default.
    wrong = {"array": "AUD101", "object": ["AUD101"], "number": "fast", "string": 3, "boolean": 1}
    bad = wrong[spec.types[0]]
    refused = parse_editor_settings({key: bad}, origin="test")
    assert len(refused.problems) == 1
    assert key in refused.problems[0]
    if spec.enum is not None:
        assert parse_editor_settings({key: "nope"}, origin="test").problems
    if spec.maximum is not None:
        assert parse_editor_settings({key: spec.maximum + 1}, origin="test").problems


def test_the_declared_defaults_are_the_settings_defaults() -> None:
    defaults = Settings()
    assert SPECS["debounce"].default == round(defaults.debounce * 1000)
    assert SPECS["diagnosticMode"].default == defaults.diagnostic_mode
    assert SPECS["syntaxDiagnostics"].default is defaults.syntax_diagnostics
    assert SPECS["logLevel"].default == defaults.log_level
    assert SPECS["docsUrl"].default == defaults.docs_url


def test_the_vscode_package_is_complete() -> None:
    data = manifest()
    assert data["license"] == "MIT"
    assert (VSCODE / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert data["main"] == "./dist/extension.js"  # the esbuild bundle
    scripts = data["scripts"]
    assert "esbuild src/extension.ts --bundle" in scripts["bundle"]
    assert "--outfile=dist/extension.js" in scripts["bundle"]
    assert "--external:vscode" in scripts["bundle"]
    assert "npm run bundle" in scripts["vscode:prepublish"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["devDependencies"]["esbuild"])  # pinned
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["devDependencies"]["@vscode/vsce"])
    readme = (VSCODE / "README.md").read_text(encoding="utf-8")
    assert "](" not in readme  # no relative link vsce would have to rewrite from a repository
    ignored = (VSCODE / ".vscodeignore").read_text(encoding="utf-8").split()
    assert "**" in ignored
    assert "!dist/extension.js" in ignored


def test_no_tracked_file_is_gitignored() -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert listed == []
