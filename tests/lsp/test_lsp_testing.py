"""End to end for the testing domain: a real ``auditls serve`` (as VS Code and as Neovim) on
``fixtures/testing``, hovering on a test's fixture parameter (the nearest conftest's fixture)
and on a finding (the tests that reach its function). The text itself is tested below the
protocol (``tests/test_testing.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import (
    AuditClient,
    copy_of,
    editor_client,
    hover_markdown,
    progress_done,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROJECT = Path(__file__).resolve().parent.parent.parent / "fixtures" / "testing"


client = editor_client(copy_of(PROJECT), "testing-")


hover = hover_markdown


async def test_hover_on_a_fixture_parameter(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    rel = "tests/api/test_tokens.py"
    text = (PROJECT / rel).read_text(encoding="utf-8")
    uri = client.open(rel, text)
    await client.diagnostics_for(uri, lambda d: True, "the opened buffer", version=1)
    # `client` in `async def test_token(token, client):` (line 7).
    on_param = await hover(client, uri, 6, 30)
    assert on_param.startswith("**pytest fixture `client`** · scope `function` · not autouse")
    assert "Defined in `tests/api/conftest.py:5`, conftest for `tests/api/`" in on_param
    assert "**Depends on:** `db` (tests/conftest.py:13)" in on_param
    assert "- `tests/api/test_tokens.py::test_token`" in on_param
    assert "**Same name elsewhere:** `tests/conftest.py:25`" in on_param
    client.close(rel)


async def test_hover_on_a_finding_names_the_tests_that_reach_it(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    rel = "shop/api.py"
    uri = client.open(rel, (PROJECT / rel).read_text(encoding="utf-8"))
    await client.diagnostics_for(
        uri, lambda ds: any(d.code == "AUD102" for d in ds), "AUD102 in the buffer", version=1
    )
    text = await hover(client, uri, 32, 20)  # subprocess.run(..., shell=True) on line 33
    assert "AUD102" in text
    assert (
        "**Reached by tests** (`shop.api.run_report`): "
        "`tests/api/test_tokens.py::test_report_runs` (calls)"
    ) in text
    assert "`tests/test_api.py::TestReports::test_patched` (patches)" in text
    client.close(rel)
