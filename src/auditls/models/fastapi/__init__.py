"""The FastAPI objects of a workspace linked across files (``FastAPIModel``, ``model_of``)."""

from auditls.models.fastapi.aliases import Alias, TypeAliases, aliases_of_facts, file_aliases
from auditls.models.fastapi.model import FastAPIModel, Operation, model_of

__all__ = [
    "Alias",
    "FastAPIModel",
    "Operation",
    "TypeAliases",
    "aliases_of_facts",
    "file_aliases",
    "model_of",
]
