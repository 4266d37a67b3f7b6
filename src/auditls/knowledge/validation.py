"""Validation libraries as data: which classes validate input (Marshmallow schemas, WTForms and
Flask-WTF forms, DRF serializers; Pydantic's are ``auditls.knowledge.pydantic``), their field
classes and validators, and what each makes of a value (the sink kinds it cannot attack, from
``auditls.knowledge.harmless``). Read by ``auditls.extractors.validation``; the taint engine
cleans values read from a validated object by them (``auditls.models.validation``)."""

from __future__ import annotations

import re

from auditls.knowledge.harmless import HARMLESS_ALL, HARMLESS_EMAIL, HARMLESS_SLUG
from auditls.knowledge.pydantic import MODEL_BASES

_MA = ("marshmallow.Schema", "marshmallow.schema.Schema")
_MA_SQLA = (
    "marshmallow_sqlalchemy.SQLAlchemySchema", "marshmallow_sqlalchemy.schema.SQLAlchemySchema",
    "flask_marshmallow.sqla.SQLAlchemySchema",
)  # fmt: skip
_MA_AUTO = (
    "marshmallow_sqlalchemy.SQLAlchemyAutoSchema",
    "marshmallow_sqlalchemy.schema.SQLAlchemyAutoSchema",
    "marshmallow_sqlalchemy.ModelSchema", "marshmallow_sqlalchemy.schema.ModelSchema",
    "flask_marshmallow.sqla.SQLAlchemyAutoSchema", "flask_marshmallow.sqla.ModelSchema",
)  # fmt: skip

#: Base classes -> (library, kind). Flask-Marshmallow's ``ma.Schema`` is an attribute of a
#: ``Marshmallow(app)`` instance: ``MARSHMALLOW_INSTANCE_BASES`` by attribute name.
SCHEMA_BASES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(_MA, ("marshmallow", "schema")),
    **dict.fromkeys(_MA_SQLA, ("marshmallow", "schema")),
    **dict.fromkeys(_MA_AUTO, ("marshmallow", "autoschema")),
    "flask_marshmallow.Schema": ("marshmallow", "schema"),
    "flask_marshmallow.schema.Schema": ("marshmallow", "schema"),
    "wtforms.Form": ("wtforms", "form"),
    "wtforms.form.Form": ("wtforms", "form"),
    "wtforms.form.BaseForm": ("wtforms", "form"),
    "flask_wtf.FlaskForm": ("wtforms", "flaskform"),
    "flask_wtf.form.FlaskForm": ("wtforms", "flaskform"),
    "flask_wtf.Form": ("wtforms", "flaskform"),
    "rest_framework.serializers.Serializer": ("drf", "serializer"),
    "rest_framework.serializers.ModelSerializer": ("drf", "modelserializer"),
    "rest_framework.serializers.HyperlinkedModelSerializer": ("drf", "modelserializer"),
    **dict.fromkeys(MODEL_BASES, ("pydantic", "model")),
}
#: ``ma = Marshmallow(app)``: ``ma.Schema``, ``ma.SQLAlchemyAutoSchema`` are these bases.
MARSHMALLOW_EXTENSION = frozenset({"flask_marshmallow.Marshmallow"})
MARSHMALLOW_INSTANCE_BASES: dict[str, tuple[str, str]] = {
    "Schema": ("marshmallow", "schema"),
    "SQLAlchemySchema": ("marshmallow", "schema"),
    "SQLAlchemyAutoSchema": ("marshmallow", "autoschema"),
    "ModelSchema": ("marshmallow", "autoschema"),
}
#: The same bases as attributes of a Flask-Marshmallow instance imported from another module
#: (``from app import ma``; ``knowledge.heuristics.MARSHMALLOW_EXTENSION_BASE`` decides).
MARSHMALLOW_EXTENSION_ATTRIBUTES: tuple[str, ...] = (
    "SQLAlchemyAutoSchema", "SQLAlchemySchema", "ModelSchema",
)  # fmt: skip
#: Modules whose classes are fields (the last part of the name says which).
FIELD_MODULES = (
    "marshmallow.fields.", "flask_marshmallow.fields.", "marshmallow_sqlalchemy.fields.",
    "wtforms.", "flask_wtf.file.", "flask_wtf.recaptcha.", "rest_framework.serializers.",
)  # fmt: skip
#: marshmallow-sqlalchemy's ``auto_field()``: a field of the model's column (its type is the
#: column's, not known here), declared on a ``SQLAlchemySchema`` to dump it.
AUTO_FIELDS = frozenset({
    "marshmallow_sqlalchemy.auto_field", "marshmallow_sqlalchemy.schema.auto_field",
    "flask_marshmallow.Marshmallow.auto_field", "flask_marshmallow.sqla.auto_field",
})  # fmt: skip
#: ``ma.Str()`` on a ``Marshmallow(app)`` instance (an attribute of the extension).
MARSHMALLOW_EXTENSION_FIELDS = "flask_marshmallow.Marshmallow."

#: Field classes (the last part of the name) whose value is converted (or refused) on load,
#: whatever the validators: numbers, booleans, dates, UUIDs, enums.
CONVERTED_FIELDS: frozenset[str] = frozenset({
    # Marshmallow
    "Int", "Integer", "Float", "Decimal", "Number", "Bool", "Boolean", "Date", "DateTime",
    "NaiveDateTime", "AwareDateTime", "Time", "TimeDelta", "UUID", "Enum", "IP", "IPv4",
    "IPv6", "IPInterface", "IPv4Interface", "IPv6Interface",
    # WTForms (process_formdata converts; a bad value leaves None and an error)
    "IntegerField", "DecimalField", "FloatField", "BooleanField", "DateField",
    "DateTimeField", "DateTimeLocalField", "TimeField", "MonthField", "WeekField",
    "IntegerRangeField", "DecimalRangeField",
    # DRF
    "UUIDField", "DurationField", "NullBooleanField", "ChoiceField", "MultipleChoiceField",
    "PrimaryKeyRelatedField", "SlugRelatedField",
})  # fmt: skip
#: Field classes whose value is one of the server's choices once the form validated (WTForms'
#: ``pre_validate`` checks ``choices`` unless ``validate_choice=False``).
CHOICE_FIELDS: frozenset[str] = frozenset({"SelectField", "RadioField", "SelectMultipleField"})
#: E-mail field classes (validated: no line break).
EMAIL_FIELDS: frozenset[str] = frozenset({"Email", "EmailField"})
#: Containers whose items are the inner field's (``fields.List(fields.Int())``).
LIST_FIELDS: frozenset[str] = frozenset({"List", "Tuple", "FieldList", "ListField"})

#: Validators (the last part of the name) that leave one of the server's choices.
CHOICE_VALIDATORS: frozenset[str] = frozenset({"OneOf", "AnyOf", "Equal"})
#: Validators that check a value against a regular expression (its first argument or
#: ``regex=``).
REGEX_VALIDATORS: frozenset[str] = frozenset({"Regexp", "RegexValidator"})
#: Validators of an e-mail address.
EMAIL_VALIDATORS: frozenset[str] = frozenset({"Email", "EmailValidator"})
#: Validators that make a field required.
REQUIRED_VALIDATORS: frozenset[str] = frozenset({"DataRequired", "InputRequired"})
#: Modules of validators.
VALIDATOR_MODULES = (
    "marshmallow.validate.", "wtforms.validators.", "flask_wtf.file.",
    "django.core.validators.", "rest_framework.validators.",
)  # fmt: skip

#: Marshmallow's validation decorators (``@validates("name")``, ``@validates_schema``).
MARSHMALLOW_DECORATORS: dict[str, str] = {
    "marshmallow.validates": "validates", "marshmallow.decorators.validates": "validates",
    "marshmallow.validates_schema": "validates_schema",
    "marshmallow.decorators.validates_schema": "validates_schema",
    "marshmallow.pre_load": "pre_load", "marshmallow.post_load": "post_load",
    "marshmallow.decorators.pre_load": "pre_load", "marshmallow.decorators.post_load": "post_load",
}  # fmt: skip

#: Methods of a schema (or serializer) that validate what they are given and return it loaded.
LOAD_METHODS: frozenset[str] = frozenset({"load", "loads"})
#: Modules whose ``load`` / ``loads`` / ``validate`` are not a schema's (``json.loads``).
NOT_SCHEMAS: tuple[str, ...] = (
    "json", "simplejson", "orjson", "ujson", "pickle", "cloudpickle", "dill", "marshal",
    "shelve", "plistlib", "yaml", "ruamel.yaml", "toml", "tomllib", "tomli", "msgpack",
    "jsonpickle", "jsonschema", "xml", "lxml", "importlib", "pkgutil", "builtins",
)  # fmt: skip
#: Methods that validate what they are given and return the errors (the data is unchanged).
VALIDATE_METHODS: frozenset[str] = frozenset({"validate"})
#: Methods of a form that run its validators.
FORM_VALIDATE_METHODS: frozenset[str] = frozenset({"validate", "validate_on_submit"})
#: Text that may use a validated object or what a schema loaded (the pre-filter's fragments).
USE_FRAGMENTS: tuple[str, ...] = (
    ".data", ".load(", ".loads(", ".validate(", "validate_on_submit", "model_validate",
    "parse_obj", "parse_raw", "(**",
)  # fmt: skip

#: Models the libraries define, by resolved name -> their fields (a serializer of
#: ``django.contrib.auth.models.User``, or of a project's ``AbstractUser`` subclass, dumps the
#: password hash with ``fields = "__all__"``). ``get_user_model()`` stands for the user model.
_DJANGO_BASE_USER = ("password", "last_login")
_DJANGO_USER = (
    *_DJANGO_BASE_USER, "is_superuser", "groups", "user_permissions", "username", "first_name",
    "last_name", "email", "is_staff", "is_active", "date_joined",
)  # fmt: skip
KNOWN_MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "django.contrib.auth.base_user.AbstractBaseUser": _DJANGO_BASE_USER,
    "django.contrib.auth.models.AbstractBaseUser": _DJANGO_BASE_USER,
    "django.contrib.auth.models.AbstractUser": _DJANGO_USER,
    "django.contrib.auth.models.User": _DJANGO_USER,
    "django.contrib.auth.get_user_model": _DJANGO_USER,
}

#: A pattern anchored at both ends whose every atom is a digit: what it matches is a number.
_DIGITS = re.compile(r"\^(?:(?:\\d|\[(?:0-9|\\d)\])(?:[+*?]|\{\d+(?:,\d*)?\})?)+\$")
#: A pattern anchored at both ends whose every atom is a word character or ``-``: a slug.
_WORD = re.compile(
    r"\^(?:(?:\[(?:[A-Za-z0-9_-]|[a-zA-Z0-9]-[a-zA-Z0-9]|\\[dw])+\]|\\[dw]|[A-Za-z0-9_])"
    r"(?:[+*?]|\{\d+(?:,\d*)?\})?)+\$"
)
#: ``\A`` / ``\Z`` / ``\z`` anchors are the same as ``^`` / ``$`` here.
_ANCHORS = ((r"\A", "^"), (r"\Z", "$"), (r"\z", "$"))


def pattern_harmless(pattern: str) -> frozenset[str]:
    """What a value matched by ``pattern`` (in full) cannot attack: digits only, nothing; word
    characters and ``-`` only, what a slug cannot (and no shell command: no metacharacter);
    anything else (or an unanchored pattern), nothing."""
    for old, new in _ANCHORS:
        pattern = pattern.replace(old, new)
    if _DIGITS.fullmatch(pattern):
        return HARMLESS_ALL
    if _WORD.fullmatch(pattern):
        return HARMLESS_SLUG | {"command"}
    return frozenset()


__all__ = ["HARMLESS_ALL", "HARMLESS_EMAIL", "HARMLESS_SLUG", "pattern_harmless"]
