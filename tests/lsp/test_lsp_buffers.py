"""An open buffer always counts: the workspace rules see each open buffer's last good facts,
not the disk's (issue 14), through a real ``auditls serve`` as VS Code and as Neovim.

The sequence the issue names: a route finding (AUD304, a workspace rule) in an open file; a
syntax error typed *and saved*; the buffer fixed by typing, not saved. The finding must be there
at every step (the last good facts stand in while the buffer does not parse), and at the end the
diagnostics are what ``auditls check`` says once the buffer is saved. The second test has the
finding in another file than the one edited.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types

from auditls.server.documents import QUICK_FIRST

from .helpers import (
    AuditClient,
    editor_client,
    files,
    progress_done,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

APP = (
    "from flask import Flask\n"
    "from flask_login import login_required\n"
    "\n"
    "app = Flask(__name__)\n"
    "\n"
    "\n"
    '@app.post("/notes")\n'
    "@login_required\n"
    "def add_note():\n"
    '    return ""\n'
    "\n"
    "\n"
    '@app.post("/notes/<int:nid>/delete")\n'
    "def delete_note(nid):\n"
    '    return ""\n'
)
#: The line (0-based) of the unprotected route's finding in APP.
APP_ROUTE_LINE = APP.splitlines().index('@app.post("/notes/<int:nid>/delete")')

SHOP_INIT = (
    "from flask import Flask\n"
    "from flask_login import login_required\n"
    "\n"
    "from shop.views import bp\n"
    "\n"
    "app = Flask(__name__)\n"
    "app.register_blueprint(bp)\n"
    "\n"
    "\n"
    '@app.post("/notes")\n'
    "def add_note():\n"
    '    return ""\n'
)
SHOP_VIEWS = (
    "from flask import Blueprint\n"
    "\n"
    'bp = Blueprint("views", __name__)\n'
    "\n"
    "\n"
    '@bp.post("/notes/<int:nid>/delete")\n'
    "def delete_note(nid):\n"
    '    return ""\n'
)

FILES = {
    "pyproject.toml": "[project]\nname = 'ws'\n",
    "notes/__init__.py": "",
    "notes/app.py": APP,
    "shop/__init__.py": SHOP_INIT,
    "shop/views.py": SHOP_VIEWS,
}


client = editor_client(files(FILES))


def codes(diagnostics: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def save(client: AuditClient, rel: str, text: str) -> None:
    """What an editor does on ``:w``: the file is written, then ``didSave``."""
    (client.root / rel).write_text(text, encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=client.uri(rel))
        )
    )


def check_json(root: Path) -> list[tuple[str, str, int, int]]:
    """``auditls check --format json`` on a copy of a workspace: (path, rule, line, column),
    lines and columns 0-based as LSP counts them (columns in code points)."""
    proc = subprocess.run(
        [sys.executable, "-m", "auditls", "check", "--format", "json", "--quiet", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    return sorted((f["path"], f["rule"], f["line"] - 1, f["column"] - 1) for f in doc["findings"])


def shown(client: AuditClient, rels: Sequence[str]) -> list[tuple[str, str, int, int]]:
    """What the client shows for these files, as ``check_json`` rows (ASCII text: any
    encoding's columns are code points)."""
    return sorted(
        (rel, str(d.code), d.range.start.line, d.range.start.character)
        for rel in rels
        for d in client.diagnostics.get(client.uri(rel), ())
    )


async def test_a_route_finding_survives_a_saved_syntax_error_and_comes_back_by_typing(
    client: AuditClient, tmp_path: Path
) -> None:
    rel = "notes/app.py"
    uri = client.uri(rel)
    await client.diagnostics_for(uri, lambda d: codes(d) == ["AUD304"], "the route on disk")

    client.open(rel, APP, version=1)
    [route] = await client.diagnostics_for(
        uri, lambda d: codes(d) == ["AUD304"], "the opened buffer", version=1
    )
    assert route.range.start.line == APP_ROUTE_LINE

    # A syntax error typed and saved: the disk no longer parses; the last good buffer counts.
    broken = APP + "\ndef unfinished(:\n"
    client.replace(rel, broken, version=2)
    save(client, rel, broken)
    found = await client.diagnostics_for(
        uri, lambda d: codes(d) == ["AUD001", "AUD304"], "the broken buffer", version=2
    )
    assert {d.range.start.line for d in found if d.code == "AUD304"} == {APP_ROUTE_LINE}

    # Fixed by typing, not saved, with two lines more above the route: the route is back at
    # its new line, though the disk still does not parse.
    fixed = APP.replace("app = Flask(__name__)\n", "app = Flask(__name__)\nDEBUG = False\n\n")
    client.replace(rel, fixed, version=3)
    found = await client.diagnostics_for(
        uri,
        lambda d: codes(d) == ["AUD304"] and d[0].range.start.line == APP_ROUTE_LINE + 2,
        "the fixed buffer's route at its new line",
        version=3,
    )
    assert (client.root / rel).read_text() == broken  # nothing was saved

    # What `auditls check` says once the buffer is saved (on a copy: the server's workspace
    # keeps its broken file).
    copy = tmp_path / "saved"
    shutil.copytree(client.root, copy, ignore=shutil.ignore_patterns(".auditls"))
    (copy / rel).write_text(fixed, encoding="utf-8")
    expected = [row for row in check_json(copy) if row[0] == rel]
    assert expected == shown(client, [rel])

    # Closed without saving: the disk (which does not parse) counts again.
    client.close(rel)
    await client.diagnostics_for(uri, lambda d: codes(d) == ["AUD001"], "the disk again")


async def test_a_buffer_changes_a_workspace_finding_in_another_file(
    client: AuditClient, tmp_path: Path
) -> None:
    rel, views = "shop/__init__.py", client.uri("shop/views.py")
    # No route of the app authenticates: the blueprint's route is not singled out.
    await client.until(lambda: progress_done(client), "the index to end")
    assert not client.diagnostics.get(views)
    uri = client.open(rel, SHOP_INIT, version=1)
    await client.diagnostics_for(uri, lambda d: not d, "the app module", version=1)

    # Typed, not saved: the app now authenticates a route, so the one in views.py is flagged.
    guarded = SHOP_INIT.replace('@app.post("/notes")\n', '@app.post("/notes")\n@login_required\n')
    client.replace(rel, guarded, version=2)
    await client.diagnostics_for(
        views, lambda d: codes(d) == ["AUD304"], "views.py's route, from the typed buffer"
    )

    # A syntax error typed and saved: the last good buffer still stands for the app.
    broken = guarded + "\nif True\n"
    client.replace(rel, broken, version=3)
    save(client, rel, broken)
    await client.diagnostics_for(
        uri, lambda d: codes(d) == ["AUD001"], "the broken buffer", version=3
    )
    # Fixed by typing: and what `auditls check` says of the saved workspace.
    client.replace(rel, guarded, version=4)
    await client.diagnostics_for(uri, lambda d: not d, "the fixed buffer", version=4)
    assert codes(client.diagnostics[views]) == ["AUD304"]
    copy = tmp_path / "saved"
    shutil.copytree(client.root, copy, ignore=shutil.ignore_patterns(".auditls"))
    (copy / rel).write_text(guarded, encoding="utf-8")
    expected = [row for row in check_json(copy) if row[0].startswith("shop/")]
    assert expected == shown(client, [rel, "shop/views.py"])

    # Closed without saving: the disk's app does not parse, so no app, no route to flag.
    client.close(rel)
    await client.diagnostics_for(views, lambda d: not d, "views.py from the disk again")


async def test_a_large_buffer_counts_once_its_quick_analysis_is_shown(client: AuditClient) -> None:
    """A buffer of ``QUICK_FIRST`` characters or more shows the findings of a quick extraction
    first; the full one follows, and the workspace rules see the buffer from it."""
    rel, views = "shop/__init__.py", client.uri("shop/views.py")
    await client.until(lambda: progress_done(client), "the index to end")
    filler = "".join(f"\n\ndef helper_{i}():\n    return {i}\n" for i in range(900))
    padded = SHOP_INIT + filler
    assert len(padded) >= QUICK_FIRST
    uri = client.open(rel, padded, version=1)
    await client.diagnostics_for(uri, lambda d: not d, "the large app module", version=1)
    guarded = padded.replace('@app.post("/notes")\n', '@app.post("/notes")\n@login_required\n')
    client.replace(rel, guarded, version=2)
    await client.diagnostics_for(uri, lambda d: not d, "the edited buffer", version=2)
    await client.diagnostics_for(
        views, lambda d: codes(d) == ["AUD304"], "views.py's route, from the full analysis"
    )
    client.close(rel)
