"""Validating classes across files, and what the taint engine takes from them.

1. **Schemas.** Every schema, form, model and serializer (``python_validation_schemas``) by
   resolved name, with its fields (``python_validation_fields``) and those of the workspace
   classes it inherits from (a subclass's own field wins); a class whose base is a workspace
   schema of another file is one of its library.
2. **Objects.** A use row ``form = SignupForm()`` binds a local name to a validated object.
   Reading ``form.<field>.data`` (a form) or ``item.<field>`` (a Pydantic model) gives a value
   its field's type makes harmless (``ValidationFieldFact.harmless``); a form field whose
   harmlessness comes from validators or choices only after the function calls
   ``validate()`` / ``validate_on_submit()``; a field typed with an ``Enum`` of the workspace
   holds one of its values. A Flask-WTF form built without form data reads
   ``request.form`` itself: its fields are request data (a source), cleaned the same way.
3. **Reads.** ``data = Schema().load(x)`` then ``data["age"]``: each keyed read takes what its
   field makes harmless (a key the schema does not declare, or a whole read, nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Self

from auditls.facts import FileFacts
from auditls.facts.core import ClassFact
from auditls.facts.validation import (
    FACT_TYPES,
    ValidationFieldFact,
    ValidationSchemaFact,
    ValidationUseFact,
)
from auditls.link import Linker, ModelCache, link_of

if TYPE_CHECKING:
    from auditls.store import Store

_NOTHING: frozenset[str] = frozenset()
_EVERY: frozenset[str] = frozenset({"*"})
_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
#: The request data a Flask-WTF form reads when it is given none (``request.form``, and files).
FLASK_FORM_SOURCE = "flask.request.form"


@dataclass(slots=True)
class Schema:
    """One validating class, its file and its fields (inherited ones included)."""

    path: str
    fact: ValidationSchemaFact
    fields: dict[str, ValidationFieldFact] = field(default_factory=dict)
    #: The library and kind, from its own bases or a workspace base's.
    library: str = ""
    kind: str = ""


@dataclass(slots=True)
class ValidationTaint:
    """What the taint engine takes from the validation model (``Program.set_django`` applies
    it with the Django model's)."""

    #: A function -> a local name -> (field -> what its value cannot attack, how a field is
    #: read: ``.data`` for a form, "" for a model's attribute, the source it is when the form
    #: reads the request itself, or None).
    objects: dict[str, dict[str, tuple[dict[str, frozenset[str]], str, str | None]]] = field(
        default_factory=dict
    )
    #: A function -> the name holding loaded data -> the lines it is read on, each with what
    #: the read cannot attack.
    reads: dict[str, dict[str, list[tuple[int, frozenset[str]]]]] = field(default_factory=dict)


class ValidationModel:
    """Every validating class of a workspace, linked."""

    def __init__(self, link: Linker) -> None:
        self.link = link
        self.schema_rows = link.sites(ValidationSchemaFact)
        self.field_rows = link.sites(ValidationFieldFact)
        self.use_rows = link.sites(ValidationUseFact)

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> Self:
        return cls(Linker.from_files(files))

    @classmethod
    def from_store(cls, store: Store) -> Self:
        """The files with schema rows, and those with uses only when a schema exists: uses
        alone validate nothing, and linking them (400 large files of the 14,000-file bench
        workspace, a million facts) cost the daemon ~150 MB for no finding."""
        declared = (ValidationSchemaFact, ValidationFieldFact)
        if not store.paths_with_facts(declared):
            return cls(link_of(store, declared, reads=FACT_TYPES))
        return cls(link_of(store, FACT_TYPES))

    @cached_property
    def schemas(self) -> dict[str, Schema]:
        """Step 1: every schema by qualified name, with its fields through its bases."""
        own: dict[str, list[ValidationFieldFact]] = defaultdict(list)
        for site in self.field_rows:
            own[site.fact.schema].append(site.fact)
        rows = {s.fact.qualname: s for s in self.schema_rows}
        out: dict[str, Schema] = {}

        def build(name: str, depth: int = 0) -> Schema | None:
            if name in out:
                return out[name]
            site = rows.get(name) or rows.get(self.link.resolve(name))
            if site is None or depth > 8:
                return None
            schema = Schema(site.path, site.fact, library=site.fact.library, kind=site.fact.kind)
            out[site.fact.qualname] = schema
            for base in reversed(site.fact.bases):
                parent = build(base, depth + 1)
                if parent is not None:
                    schema.fields.update(parent.fields)
                    if parent.kind == "flaskform" or not schema.kind:
                        schema.kind = parent.kind
                    schema.library = schema.library or parent.library
            for fact in own.get(site.fact.qualname, ()):
                schema.fields[fact.name] = fact
            return schema

        for name in rows:
            build(name)
        return out

    @cached_property
    def instances(self) -> dict[str, Schema]:
        """Module-level instances (``user_schema = UserSchema()``) by qualified name."""
        out: dict[str, Schema] = {}
        for schema in self.schemas.values():
            module = schema.fact.qualname.rpartition(".")[0]
            for name in schema.fact.instances:
                out[f"{module}.{name}"] = schema
        return out

    @cached_property
    def enums(self) -> frozenset[str]:
        """Enum classes of the linked files (a field typed with one holds one of its values)."""
        bases = {s.fact.qualname: s.fact.bases for s in self.link.sites(ClassFact)}
        found: dict[str, bool] = {}

        def is_enum(name: str, depth: int = 0) -> bool:
            if name in _ENUM_BASES:
                return True
            if name in found or depth > 8:
                return found.get(name, False)
            found[name] = False
            own = bases.get(name)
            if own is None:
                own = bases.get(self.link.resolve(name), ())
            found[name] = any(is_enum(b, depth + 1) for b in own)
            return found[name]

        return frozenset(name for name in bases if is_enum(name))

    def harmless(self, fact: ValidationFieldFact, validated: bool) -> frozenset[str]:
        """What a field's validated value cannot attack (an Enum of the workspace: nothing)."""
        if fact.needs_validation and not validated:
            return _NOTHING
        if fact.field and (fact.field in self.enums or self.link.resolve(fact.field) in self.enums):
            return _EVERY
        return frozenset(fact.harmless)

    def schema(self, ref: str) -> Schema | None:
        """The schema a reference names (through imports and re-exports): a class, or a
        module-level instance of one (``from .schemas import user_schema``)."""
        for name in (ref, self.link.resolve(ref)):
            found = self.schemas.get(name) or self.instances.get(name)
            if found is not None:
                return found
        return None


def validation_taint(model: ValidationModel) -> ValidationTaint:
    """Steps 2 and 3 of the module docstring."""
    out = ValidationTaint()
    for site in model.use_rows:
        use = site.fact
        schema = model.schema(use.schema)
        if schema is None:
            continue
        if use.role == "object":
            fields = {n: model.harmless(f, use.validated) for n, f in schema.fields.items()}
            suffix = ".data" if schema.library == "wtforms" else ""
            if schema.library not in ("wtforms", "pydantic"):
                continue
            source = None
            if schema.kind == "flaskform" and use.how == "construct" and not use.formdata:
                source = FLASK_FORM_SOURCE
            out.objects.setdefault(use.function, {})[use.name] = (fields, suffix, source)
        else:
            found = schema.fields.get(use.key) if use.key is not None else None
            harmless = model.harmless(found, True) if found is not None else _NOTHING
            if found is not None and found.read_only:
                harmless = _NOTHING  # never loaded: the key holds what the input held
            reads = out.reads.setdefault(use.function, {})
            reads.setdefault(use.name, []).append((use.line, harmless))
    return out


#: The model of a store (``link.ModelCache``: built again only when a file with its facts
#: changed).
model_of: ModelCache[ValidationModel] = ModelCache(FACT_TYPES, ValidationModel.from_store)
