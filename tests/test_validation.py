"""The validation domain over its fixture project: the model's fields through files, what the
taint engine takes from it, AUD419's model lookup and the hover text."""

from __future__ import annotations

from pathlib import Path

from auditls.extractors import extract
from auditls.models.validation import validation_taint
from auditls.rules.validation import dumped_secrets, exposed_fields, model_fields
from auditls.rules.workspace import Workspace
from auditls.server.validation.hover import schema_markdown

ROOT = Path(__file__).parent.parent / "fixtures" / "validation"


def _workspace() -> Workspace:
    files = [
        extract(p.read_bytes(), p.relative_to(ROOT).as_posix()) for p in sorted(ROOT.rglob("*.py"))
    ]
    return Workspace(files)


def test_objects_and_reads_are_cleaned_by_field_type() -> None:
    ws = _workspace()
    taint = validation_taint(ws.validation)
    fields, suffix, source = taint.objects["shop.views.search"]["form"]
    assert (suffix, source) == (".data", "flask.request.form")
    assert fields["page"] == frozenset({"*"})
    assert fields["query"] == frozenset()
    unchecked, _, _ = taint.objects["shop.views.search_unchecked"]["form"]
    assert unchecked["sort"] == frozenset()  # choices only count after validate()
    model_fields_, _, _ = taint.objects["shop.views.items"]["item"]
    assert model_fields_["size"] == frozenset({"*"})  # an Enum of the workspace
    assert model_fields_["title"] == frozenset()
    reads = dict(taint.reads["shop.views.orders"]["data"])
    assert reads[43] == frozenset({"*"})
    assert reads[45] == frozenset()


def test_model_lookup_and_exposure() -> None:
    ws = _workspace()
    schemas = ws.validation.schemas
    model = model_fields(ws, "accounts.models.Account")
    assert model == ["username", "password", "api_key"]
    assert exposed_fields(schemas["accounts.serializers.AccountSerializer"], model) == model
    safe = schemas["accounts.serializers.AccountSafeSerializer"]
    assert exposed_fields(safe, model) == ["username"]
    assert exposed_fields(schemas["accounts.serializers.AccountListedSerializer"], model) is None


def test_hover_lists_fields_and_what_is_dumped() -> None:
    ws = _workspace()
    schema = ws.validation.schemas["accounts.serializers.AccountSafeSerializer"]
    text = schema_markdown(schema, model_fields(ws, "accounts.models.Account"))
    assert "**DRF modelserializer**" in text
    assert "Dumps every model field: `username`" in text
    form = schema_markdown(ws.validation.schemas["shop.forms.SearchForm"], None)
    assert "| `page` | `IntegerField` | — | every sink |" in form
    assert "\n\n\n" not in form


def test_dumped_secrets() -> None:
    schemas = _workspace().validation.schemas
    assert dumped_secrets(schemas["shop.schemas.SignupSchema"]) == ["password"]
    assert dumped_secrets(schemas["shop.schemas.SignupSafeSchema"]) == []
    assert dumped_secrets(schemas["accounts.serializers.AccountKeySerializer"]) == ["api_key"]
    assert dumped_secrets(schemas["accounts.serializers.AccountSerializer"]) == []  # AUD419's
