"""The validation domain's rules: AUD419, a serializer or schema that dumps every field of a
model with a password-, token-, secret- or key-named field; AUD422, one that lists or declares
such a field without making it write-only.

Which fields a model has is ``model_fields``: Django models (``python_django_models``) and
SQLAlchemy models (``auditls.models.orm``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditls.knowledge.heuristics import SENSITIVE_FIELD, capped
from auditls.knowledge.validation import KNOWN_MODEL_FIELDS
from auditls.models.validation import Schema
from auditls.rules.findings import Finding
from auditls.rules.index import finding_at
from auditls.rules.model import Rule, rule
from auditls.rules.registry import RULES as REGISTERED
from auditls.rules.registry import register
from auditls.rules.workspace import Workspace

SCHEMA_EXPOSES_SECRETS = "AUD419"
SCHEMA_DUMPS_SECRET = "AUD422"  # noqa: S105 (a rule code, not a password)

_FIELD = re.compile(r"(\w+):")


def model_fields(ws: Workspace, ref: str, depth: int = 0) -> list[str] | None:
    """The field names of the model a schema's ``Meta.model`` names (its bases' included), or
    None when the workspace does not define it: the models the libraries define
    (``KNOWN_MODEL_FIELDS``: Django's users), Django models (``python_django_models``), then
    SQLAlchemy models (the orm domain: columns of mixins and abstract bases included; a string
    ``model = "User"`` names the class)."""
    if ref in KNOWN_MODEL_FIELDS:
        return list(KNOWN_MODEL_FIELDS[ref])
    django = ws.django
    by_name = {s.fact.qualname: s.fact for s in django.models}
    fact = by_name.get(ref) or by_name.get(django.link.resolve(ref))
    if fact is None:
        return _orm_fields(ws, ref) if depth == 0 else None
    if depth > 8:
        return None
    out: list[str] = []
    for base in fact.bases:
        out += model_fields(ws, base, depth + 1) or []
    out += [m.group(1) for text in fact.fields if (m := _FIELD.match(text))]
    return list(dict.fromkeys(out))


def _orm_fields(ws: Workspace, ref: str) -> list[str] | None:
    """The columns of the SQLAlchemy model ``ref`` reaches (one class of that name when the
    reference is a bare string), or None."""
    orm = ws.orm
    model = orm.model(ref)
    if model is None and "." not in ref.strip("\"'"):
        named = orm.models_named(ref.strip("\"'"))
        model = named[0] if len(named) == 1 else None
    if model is None or model.role != "model":
        return None
    return list(model.field_names)


def exposed_fields(schema: Schema, model: list[str]) -> list[str] | None:
    """The model's fields a schema dumps when it takes every field (``fields = "__all__"``, a
    DRF ``exclude`` without ``fields``, a Marshmallow auto schema without ``fields``), less what
    it excludes or loads only; None when it lists its fields."""
    f = schema.fact
    if f.library == "drf" and schema.kind == "modelserializer":
        if f.fields and f.fields != ("__all__",):
            return None
        if not f.fields and not f.exclude:
            return None
    elif f.library == "marshmallow" and schema.kind == "autoschema":
        if f.fields:
            return None
    else:
        return None
    hidden = {*f.exclude, *f.load_only}
    hidden |= {name for name, field in schema.fields.items() if field.write_only}
    return [name for name in model if name not in hidden]


def _model_name(ref: str) -> str:
    last = ref.rpartition(".")[2]
    return "get_user_model()" if last == "get_user_model" else last


def check_schema_exposes_secrets(ws: Workspace) -> Iterator[Finding]:
    """AUD419, message fields: schema, model, fields."""
    for name, schema in sorted(ws.validation.schemas.items()):
        f = schema.fact
        if not f.model:
            continue
        model = model_fields(ws, f.model)
        exposed = exposed_fields(schema, model) if model is not None else None
        secret = [n for n in exposed or () if SENSITIVE_FIELD(n)]
        if not secret:
            continue
        yield finding_at(
            SCHEMA_EXPOSES_SECRETS, schema.path, f, capped("high"),
            REGISTERED[SCHEMA_EXPOSES_SECRETS].message.format(
                schema=name.rpartition(".")[2], model=_model_name(f.model),
                fields=", ".join(f"`{n}`" for n in secret),
            ),
            f.line,
        )  # fmt: skip


def dumped_secrets(schema: Schema) -> list[str]:
    """AUD422: the credential-named fields a Marshmallow schema or DRF serializer lists
    (``Meta.fields``) or declares and dumps (not ``load_only`` / ``write_only``, not
    excluded); none for a schema that takes every model field (AUD419's)."""
    f = schema.fact
    if f.library not in ("marshmallow", "drf") or f.fields == ("__all__",):
        return []
    if schema.kind in ("modelserializer", "autoschema") and not f.fields:
        return []  # every model field: AUD419
    hidden = {*f.exclude, *f.load_only}
    named = [*f.fields, *schema.fields] if not f.fields else list(f.fields)
    out: list[str] = []
    for name in dict.fromkeys(named):
        field = schema.fields.get(name)
        if name in hidden or (field is not None and field.write_only):
            continue
        if SENSITIVE_FIELD(name):
            out.append(name)
    return out


def check_schema_dumps_secret(ws: Workspace) -> Iterator[Finding]:
    """AUD422, message fields: schema, fields."""
    for name, schema in sorted(ws.validation.schemas.items()):
        secret = dumped_secrets(schema)
        if not secret:
            continue
        f = schema.fact
        yield finding_at(
            SCHEMA_DUMPS_SECRET, schema.path, f, capped("high"),
            REGISTERED[SCHEMA_DUMPS_SECRET].message.format(
                schema=name.rpartition(".")[2], fields=", ".join(f"`{n}`" for n in secret),
            ),
            f.line,
        )  # fmt: skip


RULES: tuple[Rule, ...] = (
    rule(
        SCHEMA_EXPOSES_SECRETS,
        "schema-exposes-secret-fields",
        "info",
        "medium",
        200,
        summary="A serializer or schema dumps every field of a model that holds a password, "
        "a token, a secret or a key.",
        details=(
            'Reported for a DRF `ModelSerializer` with `fields = "__all__"` (or only '
            "`exclude`) and a Marshmallow `SQLAlchemyAutoSchema` / `ModelSchema` without "
            "`fields`, whose model (a Django or SQLAlchemy model in any file of the workspace, "
            "with the columns of its mixins and bases) has a field named like a "
            "credential (`password`, `api_key`, `reset_token`, `secret`) that is neither "
            "excluded nor write-only (`load_only`, `extra_kwargs` `write_only`). Every "
            "response that dumps the object then carries the hash or the token. The field "
            "names are a guess from their text: medium confidence at most."
        ),
        message="`{schema}` dumps every field of `{model}`, {fields} included: a response "
        "that serializes it leaks them. List the fields to dump, or exclude these (or make "
        "them write-only).",
        fix='`fields = ["id", "username", "email"]`, or `exclude = ["password"]`, or '
        '`extra_kwargs = {"password": {"write_only": True}}` (`load_only` in Marshmallow).',
        bad="from django.db import models\nfrom rest_framework import serializers\n\n\n"
        "class Account(models.Model):\n    username = models.CharField(max_length=80)\n"
        "    password = models.CharField(max_length=128)\n\n\n"
        "class AccountSerializer(serializers.ModelSerializer):\n    class Meta:\n"
        '        model = Account\n        fields = "__all__"\n',
        good="from django.db import models\nfrom rest_framework import serializers\n\n\n"
        "class Account(models.Model):\n    username = models.CharField(max_length=80)\n"
        "    password = models.CharField(max_length=128)\n\n\n"
        "class AccountSerializer(serializers.ModelSerializer):\n    class Meta:\n"
        '        model = Account\n        fields = ["id", "username"]\n',
        check=check_schema_exposes_secrets,
        scope="workspace",
        knowledge=(SENSITIVE_FIELD, KNOWN_MODEL_FIELDS),
    ),
    rule(
        SCHEMA_DUMPS_SECRET,
        "schema-dumps-secret-field",
        "info",
        "medium",
        200,
        summary="A serializer or schema dumps a field that holds a password, a token, a secret "
        "or a key.",
        details=(
            "Reported for a Marshmallow schema or DRF serializer that declares, or lists in "
            "`Meta.fields`, a field named like a credential (`password`, `api_key`, "
            "`reset_token`) without `load_only=True` / `write_only=True` (or `Meta.load_only`, "
            "`extra_kwargs` `write_only`, `exclude`): the schema that checks a sign-up's "
            "password also writes it into every response that dumps the object. Schemas that "
            "take every model field are AUD419's. The names are a guess from their text: "
            "medium confidence at most."
        ),
        message="`{schema}` dumps {fields}: every response that serializes the object carries "
        "it. Make the field load-only (`load_only=True`; DRF `write_only=True`) or leave it "
        "out of the dumped fields.",
        fix="`password = fields.Str(required=True, load_only=True)`; DRF: "
        "`password = serializers.CharField(write_only=True)`.",
        bad="from marshmallow import Schema, fields\n\n\nclass SignupSchema(Schema):\n"
        "    email = fields.Email(required=True)\n    password = fields.Str(required=True)\n",
        good="from marshmallow import Schema, fields\n\n\nclass SignupSchema(Schema):\n"
        "    email = fields.Email(required=True)\n"
        "    password = fields.Str(required=True, load_only=True)\n",
        check=check_schema_dumps_secret,
        scope="workspace",
        knowledge=(SENSITIVE_FIELD,),
    ),
)

register(*RULES)
