"""Validation extractors (issue 17, Phase 2 validation). Importing this package registers them:

- ``schemas``: Marshmallow schemas, WTForms and Flask-WTF forms, Pydantic models and DRF
  serializers, with their fields, validators and ``Meta``.
- ``uses``: where a function uses a validated object or what a schema loaded (for the taint
  engine).

What the libraries are is knowledge: ``auditls.knowledge.validation`` and
``auditls.knowledge.pydantic``.
"""

from auditls.extractors.validation import schemas, uses

__all__ = ["schemas", "uses"]
