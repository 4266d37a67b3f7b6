"""Pydantic as data, shared by the domains that read its models: FastAPI (a request body or
parameter typed with a model or a constrained type is parsed before the operation runs) and the
validation domain (a model built from input holds its fields' types)."""

from __future__ import annotations

#: Types FastAPI parses into values no sink kind can be attacked with (it answers 422
#: otherwise): numbers, booleans, UUIDs, dates, and literal choices.
SAFE_TYPES = frozenset({
    "builtins.int", "builtins.float", "builtins.bool", "builtins.complex",
    "uuid.UUID", "decimal.Decimal",
    "datetime.date", "datetime.datetime", "datetime.time", "datetime.timedelta",
    "typing.Literal", "typing_extensions.Literal",
    "pydantic.PositiveInt", "pydantic.NegativeInt", "pydantic.NonNegativeInt",
    "pydantic.NonPositiveInt", "pydantic.PositiveFloat", "pydantic.NegativeFloat",
    "pydantic.StrictInt", "pydantic.StrictFloat", "pydantic.StrictBool", "pydantic.UUID4",
    "pydantic.UUID1", "pydantic.conint", "pydantic.confloat", "pydantic.condecimal",
    "pydantic.types.conint", "pydantic.types.confloat",
})  # fmt: skip
#: Wrappers whose first argument is the parameter's type (``Annotated[int, Query()]``,
#: ``Optional[int]``).
TYPE_WRAPPERS = frozenset({
    "typing.Annotated", "typing_extensions.Annotated", "typing.Optional", "typing.Union",
})  # fmt: skip

#: Pydantic (and SQLModel) model bases: a request body typed with such a model is parsed into
#: its fields' types (a field typed ``int`` holds a number).
MODEL_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel", "sqlmodel.main.SQLModel",
})  # fmt: skip
#: ``Field(...)`` of pydantic (and SQLModel): its ``pattern=`` / ``regex=`` constrains a string.
FIELD_FUNCTIONS = frozenset({"pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field"})
#: String types constrained by a ``regex=`` / ``pattern=`` keyword (``constr(pattern=...)``,
#: ``Annotated[str, StringConstraints(pattern=...)]``).
CONSTRAINED_STRINGS = frozenset({
    "pydantic.constr", "pydantic.types.constr", "pydantic.StringConstraints",
    "pydantic.types.StringConstraints", "annotated_types.Len",
})  # fmt: skip
#: An e-mail address type (``pydantic.EmailStr``): parsed, no line break.
EMAIL_TYPES = frozenset({"pydantic.EmailStr", "pydantic.networks.EmailStr", "pydantic.NameEmail"})
#: Validator decorators -> what they validate (a field's value, or the whole model).
VALIDATOR_DECORATORS: dict[str, str] = {
    "pydantic.validator": "validator", "pydantic.class_validators.validator": "validator",
    "pydantic.field_validator": "field_validator",
    "pydantic.functional_validators.field_validator": "field_validator",
    "pydantic.root_validator": "root_validator",
    "pydantic.class_validators.root_validator": "root_validator",
    "pydantic.model_validator": "model_validator",
    "pydantic.functional_validators.model_validator": "model_validator",
}  # fmt: skip
#: Class methods that build a model from input (validating it), as method names.
PARSE_METHODS = frozenset({
    "model_validate", "model_validate_json", "model_validate_strings", "parse_obj", "parse_raw",
    "parse_file", "validate",
})  # fmt: skip
