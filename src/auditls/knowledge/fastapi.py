"""FastAPI and Starlette as data: what declares a path operation, which parameters carry request
data, and which types make a parameter harmless (FastAPI validates them before the function
runs). Read by ``auditls.extractors.fastapi``; the request sources and response sinks are taint
models (``auditls.knowledge.taint``)."""

from __future__ import annotations

# Pydantic is shared with the validation domain (``auditls.knowledge.pydantic``).
from auditls.knowledge.pydantic import FIELD_FUNCTIONS as FIELD_FUNCTIONS
from auditls.knowledge.pydantic import MODEL_BASES as MODEL_BASES
from auditls.knowledge.pydantic import SAFE_TYPES as SAFE_TYPES
from auditls.knowledge.pydantic import TYPE_WRAPPERS as TYPE_WRAPPERS

#: Classes whose instances declare path operations.
APP_CLASSES = (
    "fastapi.FastAPI", "fastapi.applications.FastAPI",
    "fastapi.APIRouter", "fastapi.routing.APIRouter",
)  # fmt: skip
#: Their decorator methods -> the HTTP method (``api_route`` takes ``methods=``).
OPERATION_METHODS: dict[str, str] = {
    "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
    "head": "HEAD", "options": "OPTIONS", "trace": "TRACE", "api_route": "*",
    "websocket": "WEBSOCKET",
}  # fmt: skip
#: ``@app.get(...)`` and kin, as resolved.
OPERATION_DECORATORS: dict[str, str] = {
    f"{cls}.{name}": method for cls in APP_CLASSES for name, method in OPERATION_METHODS.items()
}
#: Methods that add an operation with the endpoint as an argument.
ADD_ROUTE: dict[str, str] = {
    **{f"{cls}.add_api_route": "*" for cls in APP_CLASSES},
    **{f"{cls}.add_api_websocket_route": "WEBSOCKET" for cls in APP_CLASSES},
}

#: Parameter types that are the request itself (its attributes are read as sources).
REQUEST_TYPES = (
    "fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request",
    "fastapi.WebSocket", "fastapi.websockets.WebSocket", "starlette.websockets.WebSocket",
)  # fmt: skip
#: Parameter types FastAPI fills itself: not request data.
SERVER_TYPES = (
    "fastapi.BackgroundTasks", "fastapi.background.BackgroundTasks",
    "starlette.background.BackgroundTasks", "fastapi.Response", "fastapi.responses.Response",
    "starlette.responses.Response", "fastapi.security.SecurityScopes",
)  # fmt: skip
#: Defaults that make a parameter a dependency: the dependency's result, not request data.
DEPENDENCY_MARKERS = (
    "fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends",
    "fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security",
)  # fmt: skip
#: Defaults that say where a parameter comes from -> that place.
PARAMETER_MARKERS: dict[str, str] = {
    **{f"fastapi.{m}": m.lower() for m in
       ("Query", "Path", "Body", "Header", "Cookie", "Form", "File")},
    **{f"fastapi.params.{m}": m.lower() for m in
       ("Query", "Path", "Body", "Header", "Cookie", "Form", "File")},
    **{f"fastapi.param_functions.{m}": m.lower() for m in
       ("Query", "Path", "Body", "Header", "Cookie", "Form", "File")},
}  # fmt: skip
#: Security schemes: an instance used as a dependency reads a credential and refuses the request
#: without one (unless created with ``auto_error=False``).
SECURITY_SCHEMES = frozenset(
    f"fastapi.security{module}.{cls}"
    for module, classes in (
        ("", ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2", "OpenIdConnect",
              "HTTPBearer", "HTTPBasic", "HTTPDigest", "APIKeyHeader", "APIKeyQuery",
              "APIKeyCookie")),
        (".oauth2", ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2")),
        (".http", ("HTTPBearer", "HTTPBasic", "HTTPDigest")),
        (".api_key", ("APIKeyHeader", "APIKeyQuery", "APIKeyCookie")),
        (".open_id_connect_url", ("OpenIdConnect",)),
    )
    for cls in classes
)  # fmt: skip
#: Exceptions whose 401/403 status refuses the request.
HTTP_EXCEPTIONS = (
    "fastapi.HTTPException", "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException",
)  # fmt: skip
#: ``include_router`` on an app or a router.
INCLUDE_ROUTER = frozenset(f"{cls}.include_router" for cls in APP_CLASSES)
#: Methods that change state (an operation of these without authentication is AUD313's).
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "*"})
