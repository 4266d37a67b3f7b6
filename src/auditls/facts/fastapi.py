"""Fact dataclasses of the FastAPI extractors (issue 13).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from auditls.facts import Fact


@dataclass(frozen=True, slots=True, kw_only=True)
class FastAPIOperationFact(Fact):
    """A path operation: a function declared with ``@app.get(...)``, ``@router.post(...)``,
    ``api_route``, ``websocket`` or added with ``add_api_route``."""

    TABLE: ClassVar[str] = "python_fastapi_operations"

    function: str  # enclosing function's qualified name (module name at top level)
    endpoint: str  # the operation function's qualified name
    owner: str | None  # the app or router it is declared on, as resolved (`app.main.router`)
    method: str  # GET, POST, ... ; "*" for api_route without methods; WEBSOCKET
    path: str | None  # the path as written (`/items/{item_id}`); None when not a literal
    request_params: tuple[str, ...]  # parameters that carry request data (path, query, body...)
    safe_params: tuple[str, ...]  # parameters FastAPI parses into harmless types (int, UUID...)
    request_object: str | None  # the parameter typed as the request (`request: Request`)
    dependencies: tuple[str, ...]  # Depends/Security callables of its parameters and decorator


FACT_TYPES: tuple[type[Fact], ...] = (FastAPIOperationFact,)
