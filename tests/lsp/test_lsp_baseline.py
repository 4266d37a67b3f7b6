"""The server's side of the baseline (issue 14): ``[tool.auditls] baseline`` hides in the editor
what ``auditls check --write-baseline`` recorded, with the CLI's fingerprints, so a finding stays
hidden when lines move in an open buffer, and a new one shows. A real ``auditls serve``, as VS
Code and as Neovim; the baseline is written by the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types

from .helpers import (
    AuditClient,
    editor_client,
    write_workspace,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

PYPROJECT = "[project]\nname = 'ws'\n\n[tool.auditls]\nbaseline = 'auditls-baseline.json'\n"
LEGACY = "import os\n\n\ndef legacy(code):\n    return eval(code)\n"
#: The legacy finding, then a new one below it.
TODAY = LEGACY + "\n\ndef today(cmd):\n    os.system(cmd)\n"


def legacy_workspace(root: Path) -> None:
    write_workspace(root, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/m.py": LEGACY})
    # The legacy finding is recorded by the CLI, then the code moves on.
    proc = auditls(root, "check", "--write-baseline", "auditls-baseline.json", "--quiet")
    assert proc.returncode == 1, proc.stderr  # findings (recorded)
    recorded = json.loads((root / "auditls-baseline.json").read_text())["findings"]
    assert [f["rule"] for f in recorded] == ["AUD101"]
    (root / "app/m.py").write_text(TODAY)


client = editor_client(legacy_workspace)


def auditls(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditls", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lines_of(diagnostics: Sequence[types.Diagnostic]) -> list[tuple[str, int]]:
    return sorted((str(d.code), d.range.start.line) for d in diagnostics)


def check_lines(root: Path, rel: str) -> list[tuple[str, int]]:
    """What ``auditls check`` reports for ``rel`` with the baseline, as (rule, 0-based line)."""
    proc = auditls(root, "check", "--format", "json", "--quiet")
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(
        (f["rule"], f["line"] - 1) for f in json.loads(proc.stdout)["findings"] if f["path"] == rel
    )


async def test_the_baseline_hides_recorded_findings_through_line_moves(
    client: AuditClient, tmp_path: Path
) -> None:
    rel = "app/m.py"
    uri = client.uri(rel)
    system_line = TODAY.splitlines().index("    os.system(cmd)")
    # On disk: the new finding only.
    found = await client.diagnostics_for(uri, lambda d: bool(d), "the file on disk")
    assert lines_of(found) == [("AUD102", system_line)]

    client.open(rel, TODAY, version=1)
    found = await client.diagnostics_for(uri, lambda d: bool(d), "the buffer", version=1)
    assert lines_of(found) == [("AUD102", system_line)]

    # Lines added above everything: the recorded finding moves and stays hidden.
    moved = '"""A module."""\n\nLIMIT = 3\n\n' + TODAY
    client.replace(rel, moved, version=2)
    found = await client.diagnostics_for(uri, lambda d: bool(d), "the moved buffer", version=2)
    assert lines_of(found) == [("AUD102", system_line + 4)]

    # The same eval in another function is a new finding; the recorded one stays hidden.
    more = moved + "\n\ndef again(code):\n    return eval(code)\n"
    client.replace(rel, more, version=3)
    found = await client.diagnostics_for(uri, lambda d: len(d) == 2, "the new finding", version=3)
    new_eval = more.splitlines().index("def again(code):") + 1
    assert lines_of(found) == [("AUD101", new_eval), ("AUD102", system_line + 4)]

    # The recorded statement itself edited: no longer the one recorded, so it shows.
    edited = more.replace(
        "def legacy(code):\n    return eval(code)",
        "def legacy(code):\n    return eval(code.strip())",
    )
    client.replace(rel, edited, version=4)
    found = await client.diagnostics_for(
        uri, lambda d: len(d) == 3, "the edited legacy finding", version=4
    )
    legacy_line = edited.splitlines().index("    return eval(code.strip())")
    assert lines_of(found) == sorted(
        [("AUD101", legacy_line), ("AUD101", new_eval), ("AUD102", system_line + 4)]
    )

    # What the editor shows is what `auditls check` reports once the buffer is saved.
    for text, version in ((more, 5), (edited, 6)):
        client.replace(rel, text, version=version)
        shown = await client.diagnostics_for(uri, lambda d: True, "the buffer", version=version)
        copy = tmp_path / f"saved{version}"
        shutil.copytree(client.root, copy, ignore=shutil.ignore_patterns(".auditls"))
        (copy / rel).write_text(text)
        assert lines_of(shown) == check_lines(copy, rel)
    client.close(rel)
