"""The FastAPI objects of a workspace linked across files (``FastAPIModel``, ``model_of``)."""

from auditls.models.fastapi.model import FastAPIModel, Operation, model_of

__all__ = ["FastAPIModel", "Operation", "model_of"]
