"""End to end for the orm domain: a real ``auditls serve`` (as VS Code and as Neovim) on
``fixtures/orm_api``, hovering on a model whose columns come from a mixin of another module,
and on a lookup in a view (``db.session.get(Account, ...)``); the schemas over the model carry
AUD419 / AUD422 (the validation domain reads the model's columns). The text itself is tested
below the protocol (``tests/test_orm.py``)."""

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

PROJECT = Path(__file__).resolve().parent.parent.parent / "fixtures" / "orm_api"


client = editor_client(copy_of(PROJECT), "orm-")


hover = hover_markdown


def _line(rel: str, needle: str) -> int:
    """The 0-based line of the first line of a fixture file holding ``needle``."""
    lines = (PROJECT / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines) if needle in text)


async def test_hover_on_a_model_lists_its_columns_with_the_mixins(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    rel = "api/models.py"
    uri = client.open(rel, (PROJECT / rel).read_text(encoding="utf-8"))
    await client.diagnostics_for(uri, lambda d: True, "the opened buffer", version=1)
    text = await hover(client, uri, _line(rel, "class Account("), 8)
    assert text.startswith(
        "**SQLAlchemy model** `api.models.Account` · table `accounts` · Flask-SQLAlchemy `db.Model`"
    )
    assert "Inherits from `api.mixins.CredentialsMixin`, `api.extensions.db.Model`." in text
    assert "| `password_hash` | `String(128)` | not null, from `api.mixins.CredentialsMixin` |" in (
        text
    )
    # Flask-SQLAlchemy names the table of a model without __tablename__
    tag = await hover(client, uri, _line(rel, "class Tag("), 8)
    assert "**SQLAlchemy model** `api.models.Tag` · table `tag`" in tag
    client.close(rel)


async def test_hover_on_a_lookup_shows_the_model(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    rel = "api/views.py"
    uri = client.open(rel, (PROJECT / rel).read_text(encoding="utf-8"))
    await client.diagnostics_for(uri, lambda d: True, "the opened buffer", version=1)
    line = _line(rel, "db.session.get(Account, request")
    text = await hover(client, uri, line, 26)  # on `get` of db.session.get(...)
    assert "**SQLAlchemy model** `api.models.Account` · table `accounts`" in text
    assert "Columns: `id`, `name`, `homepage`, `password_hash`, `api_token`" in text
    client.close(rel)


async def test_the_schemas_over_the_model_in_the_editor(client: AuditClient) -> None:
    rel = "api/schemas.py"
    found = await client.diagnostics_for(
        client.uri(rel),
        lambda d: {"AUD419", "AUD422"} <= {x.code for x in d},
        "the schema findings over the model of another module",
    )
    lines = sorted((d.code, d.range.start.line) for d in found)
    assert lines == [
        ("AUD419", _line(rel, "class AccountSchema(")),
        ("AUD419", _line(rel, "class AccountDumpSchema(")),
        ("AUD422", _line(rel, "class TokenSchema(")),
    ]
    [dump] = [d for d in found if d.range.start.line == _line(rel, "class AccountSchema(")]
    assert "`password_hash`, `api_token`" in dump.message
