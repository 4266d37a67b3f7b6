"""Fact dataclasses of the aiohttp extractors (issue 13).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class AiohttpRouteFact(Fact):
    """A route: ``@routes.get(path)``, ``web.get(path, handler)``, ``app.router.add_get(path,
    handler)``, ``add_route(method, path, handler)``, ``add_view``."""

    TABLE: ClassVar[str] = "python_aiohttp_routes"

    function: str  # enclosing function's qualified name (module name at top level)
    handler: str | None  # the handler (function or view class) as resolved
    method: str  # GET, POST, ... ; "*" for a view or any method; "" when not a literal
    path: str | None  # the path as written (`/users/{name}`); None when not a literal
    via: str  # decorator | route_def | router


@fact
class AiohttpHandlerFact(Fact):
    """A request handler of a file that uses aiohttp: a coroutine function taking the request
    first (by name or annotation), a route's decorated function, or a ``web.View`` subclass."""

    TABLE: ClassVar[str] = "python_aiohttp_handlers"

    qualname: str  # the function's or class's qualified name
    kind: str  # function | class
    request_param: str | None  # the request parameter's name (functions)


FACT_TYPES: tuple[type[Fact], ...] = (AiohttpHandlerFact, AiohttpRouteFact)
