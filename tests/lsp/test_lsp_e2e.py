"""End to end: a real ``auditls serve`` subprocess driven by pytest-lsp, once as VS Code and once
as Neovim 0.11 (UTF-16 vs UTF-8 positions, client-side vs server-side file watching).

One server per profile serves the whole module; each test works on its own files. Every wait is
on a message from the server, with a deadline (``AuditClient.until``). What can be tested below
the LSP boundary is tested there (``tests/test_server_*.py``); these tests check the wiring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from auditls.rules import RULES

from .helpers import (
    AuditClient,
    apply_edits,
    editor_client,
    files,
    progress_done,
    to_units,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNICODE_LINE = "s = '𝒳é'; eval(s)"
CHANGE = types.FileChangeType

FILES = {
    "pyproject.toml": "[project]\nname = 'ws'\n\n[tool.auditls]\nexclude = ['generated/']\n",
    "app/__init__.py": "",
    "app/flagged.py": "import os\n\n\ndef run(code, cmd):\n    eval(code)\n    os.system(cmd)\n",
    "app/to_delete.py": "def f(code):\n    return eval(code)\n",
    "app/config_me.py": "import os\n\n\ndef g(code, cmd):\n    exec(code)\n    os.system(cmd)\n",
    "app/edit_me.py": "import os\n\n\ndef h(cmd):\n    os.system(cmd)\n",
    "unicode_disk.py": UNICODE_LINE + "\n",
    "generated/skipped.py": "eval(x)\n",
    # A Flask app whose blueprint route (in views.py) is judged by what __init__.py does.
    "shop/__init__.py": (
        "from flask import Flask\nfrom flask_login import login_required\n\n"
        "from shop.views import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n\n\n"
        '@app.post("/notes")\n@login_required\ndef add_note():\n    return ""\n'
    ),
    "shop/views.py": (
        'from flask import Blueprint\n\nbp = Blueprint("views", __name__)\n\n\n'
        '@bp.post("/notes/<int:nid>/delete")\ndef delete_note(nid):\n    return ""\n'
    ),
}


client = editor_client(files(FILES))


async def test_startup_progress_and_workspace_diagnostics(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the start-up progress to end")
    [reports] = [r for r in client.progress_reports.values() if r]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].cancellable is True
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert all(isinstance(r, types.WorkDoneProgressReport) for r in reports[1:-1])

    found = await client.diagnostics_for(
        client.uri("app/flagged.py"), lambda d: len(d) == 2, "flagged.py's diagnostics"
    )
    by_code = {d.code: d for d in found}
    assert set(by_code) == {"AUD101", "AUD102"}
    eval_diag = by_code["AUD101"]
    assert eval_diag.range == types.Range(
        start=types.Position(line=4, character=4), end=types.Position(line=4, character=14)
    )
    assert eval_diag.severity == types.DiagnosticSeverity.Error
    assert eval_diag.source == "auditls"
    assert eval_diag.code_description is not None
    href = eval_diag.code_description.href
    assert href.startswith("file://")
    assert href.endswith("docs/rules.md#aud101")
    assert Path(href.removeprefix("file://").split("#")[0]).is_file()
    assert "ast.literal_eval()" in eval_diag.message  # says what to do
    assert eval_diag.data["rule"] == "AUD101"
    assert eval_diag.data["lineEdit"]["newText"] == "  # auditls: ignore[AUD101]"
    # An excluded directory is not reported.
    assert client.uri("generated/skipped.py") not in client.diagnostics
    # The log reaches the client too (window/logMessage), not only stderr.
    await client.until(
        lambda: any("indexed" in m.message for m in client.log_messages), "the index's log line"
    )


async def test_open_edit_save_close(client: AuditClient) -> None:
    rel = "app/edit_me.py"
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 1, "the disk findings")
    assert client.codes(rel) == ["AUD102"]
    disk_text = (client.root / rel).read_text()

    uri = client.open(rel, disk_text, version=1)
    await client.diagnostics_for(uri, lambda d: len(d) == 1, "the opened buffer", version=1)

    # The buffer overrides the disk: the os.system call is gone from the buffer only.
    edited = "def h(code):\n    return eval(code)\n"
    client.replace(rel, edited, version=2)
    found = await client.diagnostics_for(uri, lambda d: True, "the edit", version=2)
    assert [d.code for d in found] == ["AUD101"]

    # Save: the disk now holds the edit.
    (client.root / rel).write_text(edited)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # An unsaved change, then close: the file shows what is on disk again.
    client.replace(rel, "def h():\n    return 1\n", version=3)
    await client.diagnostics_for(uri, lambda d: not d, "the clean buffer", version=3)
    client.close(rel)
    found = await client.diagnostics_for(
        uri, lambda d: len(d) == 1, "the disk findings after close", version=None
    )
    assert [d.code for d in found] == ["AUD101"]


async def test_a_file_written_on_disk_gets_diagnostics(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    if client.profile.startswith("visual-studio-code"):
        assert client.watches_files  # VS Code watches for the server
    else:
        assert not client.watches_files  # Neovim does not: the server's watchdog does
    rel = "app/new_module.py"
    (client.root / rel).write_text(
        "import subprocess\n\n\ndef f(c):\n    subprocess.run(c, shell=True)\n"
    )
    client.files_changed([(rel, CHANGE.Created)])
    found = await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 1, "the new file")
    assert found[0].code == "AUD102"


async def test_a_deleted_file_loses_its_diagnostics(client: AuditClient) -> None:
    rel = "app/to_delete.py"
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 1, "the disk findings")
    (client.root / rel).unlink()
    client.files_changed([(rel, CHANGE.Deleted)])
    await client.diagnostics_for(client.uri(rel), lambda d: not d, "an empty publish")


async def test_suppression_code_actions_round_trip(client: AuditClient) -> None:
    rel = "app/suppress_me.py"
    text = (
        "import os\n\n\ndef f(data, cmd):\n    x = eval(data)  # noqa: S307\n    os.system(cmd)\n"
    )
    uri = client.open(rel, text)
    found = await client.diagnostics_for(uri, lambda d: len(d) == 2, "two findings", version=1)
    diag = next(d for d in found if d.code == "AUD101")

    async def actions(diagnostic: types.Diagnostic) -> dict[str, types.CodeAction]:
        result = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        return {a.title: a for a in result or [] if isinstance(a, types.CodeAction)}

    offered = await actions(diag)
    assert set(offered) == {
        "Disable AUD101 for this line",
        "Disable AUD101 for this file",
    }
    line_action = offered["Disable AUD101 for this line"]
    assert line_action.kind == types.CodeActionKind.QuickFix
    assert line_action.edit is not None
    assert line_action.edit.changes is not None
    text = apply_edits(text, line_action.edit.changes[uri], client.encoding)
    assert text.splitlines()[4] == "    x = eval(data)  # noqa: S307  # auditls: ignore[AUD101]"
    client.replace(rel, text, version=2)
    found = await client.diagnostics_for(uri, lambda d: True, "the line suppression", version=2)
    assert [d.code for d in found] == ["AUD102"]

    offered = await actions(found[0])
    file_action = offered["Disable AUD102 for this file"]
    assert file_action.edit is not None
    assert file_action.edit.changes is not None
    text = apply_edits(text, file_action.edit.changes[uri], client.encoding)
    assert text.startswith("# auditls: ignore-file[AUD102]\nimport os\n")
    client.replace(rel, text, version=3)
    await client.diagnostics_for(uri, lambda d: not d, "no findings left", version=3)
    client.close(rel)


async def test_hover_explains_the_rule(client: AuditClient) -> None:
    rel = "app/hover_me.py"
    uri = client.open(rel, "def f(code):\n    return eval(code)\n")
    [diag] = await client.diagnostics_for(uri, lambda d: len(d) == 1, "the finding", version=1)

    async def hover(line: int, character: int) -> types.Hover | None:
        return await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=character),
            )
        )

    result = await hover(1, 13)
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    rule = RULES["AUD101"]
    assert "AUD101" in text
    assert "CWE-95" in text
    assert rule.summary in text  # why it matters
    assert rule.fix in text  # and the fix
    assert result.range == diag.range
    assert await hover(0, 2) is None  # nothing flagged on the def line
    client.close(rel)


async def test_a_buffer_with_a_syntax_error_keeps_its_findings(client: AuditClient) -> None:
    rel = "app/broken.py"
    good = "def f(code):\n    return eval(code)\n"
    uri = client.open(rel, good)
    await client.diagnostics_for(uri, lambda d: len(d) == 1, "the finding", version=1)

    client.replace(rel, good + "\ndef g(:\n", version=2)
    found = await client.diagnostics_for(uri, lambda d: True, "the broken buffer", version=2)
    assert sorted(str(d.code) for d in found) == ["AUD001", "AUD101"]
    syntax = next(d for d in found if d.code == "AUD001")
    assert syntax.range.start.line == 3

    client.replace(rel, good.replace("eval(code)", "len(code)"), version=3)
    await client.diagnostics_for(uri, lambda d: not d, "the fixed buffer", version=3)
    client.close(rel)


async def test_a_configuration_change_that_ignores_a_rule(client: AuditClient) -> None:
    rel = "app/config_me.py"
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 2, "both findings")

    async def configure(settings: dict[str, object]) -> None:
        client.set_configuration(settings, section="auditls")
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"auditls": settings})
        )

    await configure({"ignore": ["AUD101"]})
    found = await client.diagnostics_for(
        client.uri(rel), lambda d: len(d) == 1, "AUD101 to be ignored"
    )
    assert found[0].code == "AUD102"
    await configure({})
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 2, "AUD101 to be back")

    # Only open files: the files on disk are cleared, then shown again.
    await configure({"diagnosticMode": "openFiles"})
    await client.diagnostics_for(client.uri(rel), lambda d: not d, "openFiles to clear it")
    await configure({})
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 2, "workspace mode back")

    # A bad value: one clear message, and that setting keeps its default.
    await configure({"debounce": "fast", "ignore": ["AUD102"]})
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 1, "AUD102 to be ignored")
    warnings = [m for m in client.messages if "debounce" in m.message]
    assert len(warnings) == 1
    assert warnings[0].type == types.MessageType.Warning
    assert "expected milliseconds" in warnings[0].message
    await configure({})
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 2, "both findings back")


async def test_a_column_after_non_ascii_text(client: AuditClient) -> None:
    expected = to_units(UNICODE_LINE, UNICODE_LINE.index("eval"), client.encoding)
    assert expected == (11 if client.encoding == "utf-16" else 14)
    # A file on disk, never opened, and an open buffer.
    [disk] = await client.diagnostics_for(
        client.uri("unicode_disk.py"), lambda d: len(d) == 1, "the disk file"
    )
    uri = client.open("unicode_open.py", UNICODE_LINE + "\n")
    [buffer] = await client.diagnostics_for(uri, lambda d: len(d) == 1, "the buffer", version=1)
    for diag in (disk, buffer):
        assert diag.range.start == types.Position(line=0, character=expected)
        assert diag.range.end.character == expected + len("eval(s)")

    async def hover(character: int) -> types.Hover | None:
        return await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=character),
            )
        )

    assert await hover(expected) is not None  # positions coming in are converted too
    assert await hover(expected - 1) is None
    client.close("unicode_open.py")


async def test_a_save_recomputes_what_depends_on_the_file(client: AuditClient) -> None:
    views = client.uri("shop/views.py")
    await client.diagnostics_for(
        views, lambda d: [x.code for x in d] == ["AUD304"], "the unprotected route"
    )
    rel = "shop/__init__.py"
    text = (client.root / rel).read_text()
    uri = client.open(rel, text)
    await client.diagnostics_for(uri, lambda d: not d, "the app module", version=1)
    # The app stops authenticating anywhere: the route in views.py is no longer singled out.
    edited = text.replace("@login_required\n", "")
    client.replace(rel, edited, version=2)
    (client.root / rel).write_text(edited)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await client.diagnostics_for(views, lambda d: not d, "views.py to lose its finding")
    client.close(rel)


async def test_workspace_symbols_list_flask_routes(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the start-up progress to end")
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="post notes"))
    assert found is not None
    # The client may read the answer as SymbolInformation: both shapes carry these fields.
    by_name = {s.name: s for s in found}
    assert set(by_name) == {"POST /notes", "POST /notes/<int:nid>/delete"}
    delete = by_name["POST /notes/<int:nid>/delete"]
    assert delete.kind == types.SymbolKind.Function
    assert isinstance(delete.location, types.Location)
    assert delete.location.uri == client.uri("shop/views.py")
    assert delete.location.range.start.line == 5  # the @bp.post decorator's line, 0-based
    assert delete.container_name is not None
    assert "views.delete_note" in delete.container_name


async def test_a_pyproject_change_reloads_the_settings(client: AuditClient) -> None:
    rel = "app/flagged.py"
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 2, "both findings")
    pyproject = client.root / "pyproject.toml"
    original = pyproject.read_text()
    pyproject.write_text(
        original.replace("[tool.auditls]\n", "[tool.auditls]\nignore = ['AUD102']\n")
    )
    client.files_changed([("pyproject.toml", CHANGE.Changed)])
    found = await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 1, "AUD102 ignored")
    assert found[0].code == "AUD101"
    pyproject.write_text(original)
    client.files_changed([("pyproject.toml", CHANGE.Changed)])
    await client.diagnostics_for(client.uri(rel), lambda d: len(d) == 2, "AUD102 back")


async def test_commands(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    [status] = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="auditls.showIndexStatus")
    )
    assert status["root"] == str(client.root)
    assert status["store"] == str(client.root / ".auditls" / "index.db")
    # The Python files on disk now (the module's client is shared: an earlier test may have
    # deleted one), less the excluded one.
    on_disk = [p for p in client.root.rglob("*.py") if "generated" not in p.parts]
    assert status["files"] == len(on_disk)
    assert status["facts"] > 0
    assert status["findings"] > 0
    assert status["lastIndex"] is not None
    assert any("files" in m.message and "facts" in m.message for m in client.messages)

    tokens = set(client.progress_reports)
    # The command answers at once; its progress (and a log message) tell when it is done.
    [started] = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="auditls.reindex")
    )
    assert started["root"] == str(client.root)

    def fresh() -> list[str]:
        return [t for t in client.progress_reports if t not in tokens]

    def ended() -> bool:
        found = fresh()
        reports = client.progress_reports[found[0]] if found else []
        return bool(reports) and isinstance(reports[-1], types.WorkDoneProgressEnd)

    await client.until(ended, "the end of the re-index")
    assert len(fresh()) == 1  # a new token for the re-index
    reports = client.progress_reports[fresh()[0]]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    await client.until(
        lambda: any(m.message.startswith("re-indexed") for m in client.log_messages),
        "the log message of the re-index",
    )
    [after] = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="auditls.showIndexStatus")
    )
    assert after["files"] == status["files"]
    assert after["lastIndex"] is not None
