"""The server's publishing logic without a client: settings applied to findings, the disk
findings of a folder, and changes for an older store revision dropped (server/publish.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from auditls.config import Config
from auditls.rules import Finding, render_rules_markdown
from auditls.server.config import EditorSettings, Settings, layer, parse_editor_settings
from auditls.server.convert import UTF16, Lines, Prepared, prepare
from auditls.server.diagnostics import DiagnosticsHub
from auditls.server.engine import Changes, FolderEngine
from auditls.server.lifecycle import default_docs_base
from auditls.server.publish import apply, refresh_all, to_lsp
from auditls.server.state import AuditServer, Folder


def finding(rule: str, line: int = 1, severity: str = "error") -> Finding:
    return Finding(
        rule=rule,
        path="m.py",
        line=line,
        column=1,
        end_line=line,
        end_column=2,
        severity=severity,
        confidence="high",
        cwe=None,
        message=rule,
        stmt_line=line,
    )


def prepared(*rules: str) -> list[Prepared]:
    return [prepare(finding(rule, i + 1), Lines("x\n" * 5), UTF16) for i, rule in enumerate(rules)]


def settings(**raw: object) -> Settings:
    return layer(Config(), parse_editor_settings(raw, origin="test"))


def test_settings_decide_what_shows() -> None:
    server = AuditServer()
    server.docs_base = "file:///docs/rules.md"
    findings = prepared("AUD001", "AUD101", "AUD102", "AUD103")
    codes = [d.code for d in to_lsp(server, findings, Settings())]
    assert codes == ["AUD001", "AUD101", "AUD102", "AUD103"]
    assert [d.code for d in to_lsp(server, findings, settings(ignore=["AUD10"]))] == ["AUD001"]
    assert [d.code for d in to_lsp(server, findings, settings(select=["AUD102"]))] == [
        "AUD001",  # a file that does not parse never looks clean, unless ignored
        "AUD102",
    ]
    quiet = settings(syntaxDiagnostics=False)
    assert [d.code for d in to_lsp(server, findings, quiet)] == ["AUD101", "AUD102", "AUD103"]
    [diag] = to_lsp(server, prepared("AUD101"), settings(severity={"AUD1": "info"}))
    assert diag.severity == types.DiagnosticSeverity.Information
    assert diag.code_description is not None
    assert diag.code_description.href == "file:///docs/rules.md#aud101"
    [diag] = to_lsp(server, prepared("AUD101"), settings(docsUrl="https://docs.test/rules.html"))
    assert diag.code_description is not None
    assert diag.code_description.href == "https://docs.test/rules.html#aud101"


async def test_changes_for_an_older_revision_are_dropped(tmp_path: Path) -> None:
    published: list[types.PublishDiagnosticsParams] = []
    server = AuditServer()
    server.hub = DiagnosticsHub(
        asyncio.get_running_loop(), pull=False, publish=published.append, refresh=lambda: None
    )
    engine = FolderEngine(tmp_path, Config(), UTF16, lambda rel: rel)
    folder = Folder(
        tmp_path.as_uri(), tmp_path, Config(), None, EditorSettings(), Settings(), engine
    )
    server.folders.append(folder)
    try:
        apply(server, folder, Changes(5, updated={"a.py": prepared("AUD101")}))
        assert [p.uri.rsplit("/", 1)[1] for p in published] == ["a.py"]
        apply(server, folder, Changes(3, updated={"a.py": []}))  # computed before revision 5
        assert len(published) == 1
        assert "a.py" in folder.disk
        apply(server, folder, Changes(6, updated={}, workspace={"b.py": prepared("AUD304")}))
        assert [p.uri.rsplit("/", 1)[1] for p in published] == ["a.py", "b.py"]
        apply(server, folder, Changes(7, removed={"a.py"}))
        assert published[-1].diagnostics == []  # a vanished file is cleared
        # Only open files: the disk findings are cleared, the others stay known.
        folder.settings = settings(diagnosticMode="openFiles")
        refresh_all(server)
        assert published[-1].uri.endswith("/b.py")
        assert published[-1].diagnostics == []
        assert "b.py" in folder.workspace
    finally:
        server.hub.close()
        engine.shutdown_thread()


def test_the_rule_docs_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditls

    # From a checkout: the repository's docs/rules.md.
    base = default_docs_base()
    assert base is not None
    assert base.endswith("/docs/rules.md")
    # Installed without the docs: a copy rendered from the catalogue, in the user's cache.
    fake = tmp_path / "site-packages" / "auditls" / "__init__.py"
    fake.parent.mkdir(parents=True)
    monkeypatch.setattr(auditls, "__file__", str(fake))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    base = default_docs_base()
    assert base is not None
    copy = tmp_path / "cache" / "auditls" / auditls.__version__ / "rules.md"
    assert base == copy.as_uri()
    assert copy.read_text(encoding="utf-8") == render_rules_markdown()
