"""aiohttp's server side as data: what declares a route, what a handler is, and the request
class whose reads are taint sources (``auditls.knowledge.taint``). Read by
``auditls.extractors.aiohttp``."""

from __future__ import annotations

_WEB = ("aiohttp.web", "aiohttp.web_urldispatcher", "aiohttp.web_routedef")
_VERBS: dict[str, str] = {
    "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
    "head": "HEAD", "options": "OPTIONS", "view": "*",
}  # fmt: skip

#: ``@routes.get("/path")`` on a ``web.RouteTableDef()`` -> the method (``route`` takes it as
#: its first argument).
TABLE_DECORATORS: dict[str, str] = {
    **{f"{m}.RouteTableDef.{verb}": method for m in _WEB for verb, method in _VERBS.items()},
    **{f"{m}.RouteTableDef.route": "" for m in _WEB},
}
#: ``web.get("/path", handler)`` route definitions (passed to ``app.add_routes``).
ROUTE_FUNCTIONS: dict[str, str] = {
    **{f"{m}.{verb}": method for m in ("aiohttp.web", "aiohttp.web_routedef")
       for verb, method in _VERBS.items()},
    **{f"{m}.route": "" for m in ("aiohttp.web", "aiohttp.web_routedef")},
}  # fmt: skip
#: ``app.router.add_get("/path", handler)``, by method name on a router of an application.
ROUTER_METHODS: dict[str, str] = {
    **{f"add_{verb}": method for verb, method in _VERBS.items()},
    "add_route": "",
}
#: What the router is reached through, as resolved (``app.router`` of a ``web.Application``).
ROUTER_OWNERS = (
    "aiohttp.web.Application.router", "aiohttp.web_app.Application.router",
    "aiohttp.web.UrlDispatcher", "aiohttp.web_urldispatcher.UrlDispatcher",
)  # fmt: skip
#: Class-based views: their methods read the request as ``self.request``.
VIEW_BASES = ("aiohttp.web.View", "aiohttp.web_urldispatcher.View", "aiohttp.web.View")
#: The request classes a handler's parameter may be annotated with.
REQUEST_TYPES = (
    "aiohttp.web.Request", "aiohttp.web.BaseRequest", "aiohttp.web_request.Request",
    "aiohttp.web_request.BaseRequest",
)  # fmt: skip
#: The class the taint models name the request by.
REQUEST_CLASS = "aiohttp.web.Request"
