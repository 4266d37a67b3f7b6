"""FastAPI extractors (issue 13). Importing this package registers them:

- ``operations``: path operations (decorators and ``add_api_route``), with which parameters
  carry request data and which FastAPI parses into harmless types.

What the FastAPI APIs are is knowledge: ``auditls.knowledge.fastapi``.
"""

from auditls.extractors.fastapi import operations

__all__ = ["operations"]
