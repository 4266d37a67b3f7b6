"""Hover providers and code actions (server/hover.py, server/actions.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lsprotocol import types

from auditls.extractors import extract
from auditls.facts.core import SuppressionFact
from auditls.rules import RULES, Finding, TraceStep, check_facts
from auditls.server import hover as hover_module
from auditls.server.actions import code_actions
from auditls.server.convert import UTF16, Lines, prepare, to_diagnostic
from auditls.server.hover import HoverContext, hover_markdown, hover_provider, providers
from auditls.server.suppressions import Directives, suppression_data

TEXT = "import os\n\n\ndef f(code, cmd):\n    eval(code)\n    os.system(cmd)\n"
URI = "file:///ws/m.py"


def context(line: int, column: int, **extra: Any) -> HoverContext:
    facts = extract(TEXT.encode(), "m.py")
    fields: dict[str, Any] = {
        "uri": URI,
        "path": "m.py",
        "line": line,
        "column": column,
        "text": TEXT,
        "facts": facts,
        "findings": check_facts(facts),
        "docs_base": "file:///docs/rules.md",
    }
    fields.update(extra)
    return HoverContext(**fields)


def test_the_findings_hover() -> None:
    text = hover_markdown(context(5, 6))
    assert text is not None
    rule = RULES["AUD101"]
    assert "[AUD101](file:///docs/rules.md#aud101)" in text
    assert "CWE-95" in text
    assert rule.summary in text
    assert rule.fix in text
    assert "AUD102" not in text
    assert hover_markdown(context(1, 1)) is None
    assert hover_markdown(context(5, 15)) is None  # the end column is exclusive


def test_the_hover_on_a_taint_sink_shows_the_path() -> None:
    step = TraceStep(path="app/views.py", line=3, column=5, message="reads request data")
    sink = TraceStep(path="m.py", line=5, column=5, message="reaches `eval`")
    finding = Finding(
        rule="AUD503",
        path="m.py",
        line=5,
        column=5,
        end_line=5,
        end_column=15,
        severity="error",
        confidence="medium",
        cwe=95,
        message="request data reaches `eval`",
        stmt_line=5,
        trace=(step, sink),
    )
    text = hover_markdown(context(5, 6, findings=[finding]))
    assert text is not None
    assert "**Path.**\n\n1. `app/views.py:3` reads request data\n2. `m.py:5` reaches `eval`" in text


@pytest.fixture
def restore_providers() -> Iterator[None]:
    saved = list(hover_module._PROVIDERS.registered)
    yield
    hover_module._PROVIDERS.registered[:] = saved


@pytest.mark.usefixtures("restore_providers")
def test_a_domain_adds_a_hover_without_touching_the_handler() -> None:
    @hover_provider("test.functions", order=50)
    def functions(ctx: HoverContext) -> str | None:
        from auditls.facts.core import FunctionFact

        found = [f for f in ctx.facts_of(FunctionFact) if ctx.covers(f)]
        return f"function `{found[-1].name}`" if found else None

    @hover_provider("test.broken", order=60)
    def broken(ctx: HoverContext) -> str | None:
        raise RuntimeError("a bug in one provider")

    ours = [p for p in providers() if p.startswith(("auditls.", "test."))]  # domains add theirs
    assert ours == ["auditls.findings", "test.functions", "test.broken"]
    text = hover_markdown(context(5, 6))
    assert text is not None
    findings, function = text.split("\n\n---\n\n")
    assert findings.startswith("**auditls [AUD101]")
    assert function == "function `f`"  # the broken provider cost only its own section
    assert context(5, 6).query(lambda store: 1) is None  # no store outside a folder
    assert context(5, 6, store_query=lambda fn: fn("store")).query(lambda s: s) == "store"


def diagnostics(text: str = TEXT) -> list[types.Diagnostic]:
    facts = extract(text.encode(), "m.py")
    lines, directives = Lines(text), Directives(facts.of(SuppressionFact))
    return [
        to_diagnostic(
            prepare(f, lines, UTF16, data=suppression_data(lines, directives, f, UTF16)),
            severity_overrides={},
            docs_base=None,
        )
        for f in check_facts(facts)
    ]


def test_actions_come_from_the_diagnostic_data() -> None:
    diags = diagnostics()
    actions = code_actions(URI, TEXT, diags, lambda d: None)
    assert [a.title for a in actions] == [
        "Disable AUD101 for this line",
        "Disable AUD102 for this line",
        "Disable AUD101 for this file",
        "Disable AUD102 for this file",
    ]
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)
    edit = actions[0].edit
    assert edit is not None
    assert edit.changes is not None
    [text_edit] = edit.changes[URI]
    assert text_edit.new_text == "  # auditls: ignore[AUD101]"
    assert text_edit.range.start == types.Position(line=4, character=14)


def test_a_stale_edit_is_not_offered() -> None:
    diags = diagnostics()
    changed = TEXT.replace("    eval(code)\n", "    eval(code)  # edited\n")
    titles = [a.title for a in code_actions(URI, changed, diags, lambda d: None)]
    assert "Disable AUD101 for this line" not in titles
    assert "Disable AUD102 for this line" in titles


def test_only_quick_fixes_when_asked_for_them() -> None:
    diags = diagnostics()
    assert code_actions(URI, TEXT, diags, lambda d: None, only=["refactor"]) == []
    assert code_actions(URI, TEXT, diags, lambda d: None, only=["quickfix"])
    assert code_actions(URI, TEXT, diags, lambda d: None, only=[""])


def test_a_client_that_drops_data_gets_the_servers_copy() -> None:
    own = diagnostics()
    stripped = [
        types.Diagnostic(range=d.range, message=d.message, code=d.code, source=d.source)
        for d in own
    ]

    def known(d: types.Diagnostic) -> types.Diagnostic | None:
        return next((o for o in own if o.code == d.code and o.range == d.range), None)

    assert len(code_actions(URI, TEXT, stripped, known)) == 4
    assert code_actions(URI, TEXT, stripped, lambda d: None) == []
    other = types.Diagnostic(range=own[0].range, message="x", source="ruff", data={"rule": "x"})
    assert code_actions(URI, TEXT, [other], known) == []
