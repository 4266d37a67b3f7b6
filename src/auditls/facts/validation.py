"""Fact dataclasses of the validation domain (issue 17, Phase 2 validation): the schemas,
forms, serializers and models that validate input (Marshmallow, WTForms and Flask-WTF,
Pydantic, DRF serializers), their fields, and the places a function uses what one validated.

The taint engine cleans a value read from a validated object by its field's type
(``auditls.models.validation``); AUD419 reads which model fields a serializer or schema
exposes; the hover on a class lists its fields."""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class ValidationSchemaFact(Fact):
    """A class that validates input: a Marshmallow schema, a WTForms form, a Pydantic model or
    a DRF serializer (a class on one of these, in this file or through a base it imports)."""

    TABLE: ClassVar[str] = "python_validation_schemas"

    qualname: str  # the class's qualified name
    library: str  # marshmallow | wtforms | pydantic | drf | "" (a base of unknown library)
    kind: str  # schema | autoschema | form | flaskform | model | serializer | modelserializer
    bases: tuple[str, ...]  # the bases as resolved (a workspace base names its class)
    model: str | None  # Meta.model (auto schemas, model serializers), as resolved
    fields: tuple[str, ...]  # Meta.fields as written ("__all__" kept), or () when not set
    exclude: tuple[str, ...]  # Meta.exclude
    load_only: tuple[str, ...]  # Meta.load_only; DRF: extra_kwargs write_only fields
    dump_only: tuple[str, ...]  # Meta.dump_only; DRF: Meta.read_only_fields
    hooks: tuple[str, ...]  # validators it defines: "validates:field", "validates_schema", ...
    instances: tuple[str, ...]  # module-level names of its file bound to an instance of it


@fact
class ValidationFieldFact(Fact):
    """A field declared on a schema, form, model or serializer, with its validators and what
    its validated value cannot attack."""

    TABLE: ClassVar[str] = "python_validation_fields"

    schema: str  # the class's qualified name
    name: str  # the field's name
    field: str | None  # the field class or type as resolved (`marshmallow.fields.Int`)
    validators: tuple[str, ...]  # validators as resolved (`wtforms.validators.Length`)
    harmless: tuple[str, ...]  # sink kinds the validated value cannot attack ("*": every one)
    needs_validation: bool  # harmless only after validate() (WTForms validators, choices)
    required: bool  # required=True, DataRequired/InputRequired, a Pydantic field no default
    read_only: bool  # dump_only=True / read_only=True: never loaded from input
    write_only: bool  # load_only=True / write_only=True: never dumped to output


@fact
class ValidationUseFact(Fact):
    """Where a function uses what a validating class made of input: an object bound to a local
    name (``form = SignupForm()``, ``m = Item(**data)``, ``Item.model_validate(data)``; role
    ``object``), or a keyed read of what a schema loaded (``data = schema.load(x)`` then
    ``data["age"]``; role ``read``, and role ``read`` with no key for a whole read on a line).
    The taint engine cleans the values read there by the field's type."""

    TABLE: ClassVar[str] = "python_validation_uses"

    function: str  # enclosing function's qualified name
    role: str  # object | read
    name: str  # the local name holding the object or the loaded data
    key: str | None  # read: the literal key (None: the whole mapping, or a computed key)
    schema: str  # the class's reference as resolved (may be in another file)
    how: str  # construct | load | validate | model_validate
    formdata: bool  # object: constructed with form data (a positional argument, formdata=)
    validated: bool  # object: the function calls its validate() / validate_on_submit()


#: This domain's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (ValidationSchemaFact, ValidationFieldFact, ValidationUseFact)
