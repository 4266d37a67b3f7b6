"""The validating classes of a workspace linked across files (``ValidationModel``,
``model_of``) and what the taint engine takes from them (``validation_taint``)."""

from auditls.models.validation.model import (
    Schema,
    ValidationModel,
    ValidationTaint,
    model_of,
    validation_taint,
)

__all__ = ["Schema", "ValidationModel", "ValidationTaint", "model_of", "validation_taint"]
