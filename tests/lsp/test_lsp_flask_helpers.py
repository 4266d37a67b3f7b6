"""End to end for Flask helpers: a real ``auditls serve`` as VS Code and as Neovim on the
FlaskBB-like board (``fixtures/flask_board``), hovering on a route that a gate guards through a
helper of another module, and on a route that a helper registers. The text itself is tested
below the protocol (``tests/test_flask_board.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .helpers import (
    AuditClient,
    copy_of,
    editor_client,
    progress_done,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOARD = Path(__file__).resolve().parents[2] / "fixtures" / "flask_board"


client = editor_client(copy_of(BOARD), "board-")


async def hover_text(client: AuditClient, rel: str, line: int, character: int) -> str:
    await client.until(lambda: progress_done(client), "the index")
    uri = client.open(rel, (client.root / rel).read_text(encoding="utf-8"))
    await client.diagnostics_for(uri, lambda d: True, "the opened buffer", version=1)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    client.close(rel)
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_names_the_helper_and_its_condition(client: AuditClient) -> None:
    text = await hover_text(client, "board/admin.py", 5, 3)  # @bp.post("/users/<int:...>/ban")
    assert text.startswith("**Flask route** `POST /admin/users/<int:user_id>/ban`")
    assert (
        "**Auth:** `before_request gate` guard (board/gates.py:8), checks "
        "`not current_user.is_authenticated` in `require_login()` (board/auth.py:8), "
        "only when request.blueprint is `admin`"
    ) in text


async def test_hover_on_a_route_a_helper_registers(client: AuditClient) -> None:
    text = await hover_text(client, "board/forum/views.py", 64, 8)  # register_view(forum, ...)
    assert "AUD304" in text  # the finding on the call, then the route
    assert "**Flask route** `POST /forum/markread`" in text
    assert "endpoint `forum.mark_read`" in text
    assert "**Auth: none**" in text
