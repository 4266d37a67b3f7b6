"""Hover on the ``class`` line of a schema, form, Pydantic model or serializer: its fields with
their types, validators and what the validated value cannot attack, its validator methods,
and, for a model serializer or auto schema, which model fields it dumps (the model may be in
another file: the validation and Django models, read on the store's thread)."""

from __future__ import annotations

from auditls.facts.validation import ValidationSchemaFact
from auditls.models.validation import Schema, model_of
from auditls.rules.validation import exposed_fields, model_fields
from auditls.rules.workspace import Workspace
from auditls.server.hover import HoverContext, hover_provider
from auditls.store import Store

_LIBRARIES = {
    "marshmallow": "Marshmallow", "wtforms": "WTForms", "pydantic": "Pydantic", "drf": "DRF",
}  # fmt: skip


def _short(name: str | None) -> str:
    return (name or "?").rpartition(".")[2]


def schema_markdown(schema: Schema, model: list[str] | None) -> str:
    f = schema.fact
    title = f"**{_LIBRARIES.get(f.library, f.library)} {schema.kind}** `{f.qualname}`"
    lines = [title, ""]
    if f.model:
        lines.append(f"Model: `{f.model}`")
    for label, items in (("Meta.fields", f.fields), ("exclude", f.exclude),
                         ("load only", f.load_only), ("dump only", f.dump_only)):  # fmt: skip
        if items:
            lines.append(f"{label}: " + ", ".join(f"`{i}`" for i in items))
    if schema.fields:
        lines.append("")
        lines.append("| field | type | validators | cannot attack |")
        lines.append("| --- | --- | --- | --- |")
        for name, field in schema.fields.items():
            flags = [w for w, on in (("required", field.required), ("read-only",
                     field.read_only), ("write-only", field.write_only)) if on]  # fmt: skip
            kinds = "every sink" if "*" in field.harmless else ", ".join(field.harmless)
            if kinds and field.needs_validation:
                kinds += " (after validate())"
            validators = ", ".join(_short(v) for v in field.validators) or "—"
            extra = f" ({', '.join(flags)})" if flags else ""
            lines.append(
                f"| `{name}`{extra} | `{_short(field.field)}` | {validators} | {kinds or '—'} |"
            )
    if f.hooks:
        lines.append("")
        lines.append("Validators: " + ", ".join(f"`{h}`" for h in f.hooks))
    if model is not None:
        exposed = exposed_fields(schema, model)
        lines.append("")
        if exposed is None:
            lines.append("Dumps the fields it lists.")
        else:
            lines.append("Dumps every model field: " + ", ".join(f"`{n}`" for n in exposed))
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def _markdown(store: Store, qualname: str) -> str | None:
    schema = model_of(store).schemas.get(qualname)
    if schema is None:
        return None
    fact = schema.fact
    model = model_fields(Workspace(store), fact.model) if fact.model else None
    return schema_markdown(schema, model)


@hover_provider("validation.schemas", order=66)
def schema_hover(ctx: HoverContext) -> str | None:
    fact = next((f for f in ctx.facts_of(ValidationSchemaFact) if f.line == ctx.line), None)
    if fact is None:
        return None
    qualname = fact.qualname
    return ctx.query(lambda store: _markdown(store, qualname))
