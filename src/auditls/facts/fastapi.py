"""Fact dataclasses of the FastAPI extractors (issue 13).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
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
    param_types: tuple[str, ...]  # "name=class" of request parameters annotated with a class


@fact
class FastAPIRouterFact(Fact):
    """An application or router (``app = FastAPI(...)``, ``router = APIRouter(prefix=...)``),
    or an ``include_router`` that mounts one router in another."""

    TABLE: ClassVar[str] = "python_fastapi_routers"

    function: str  # enclosing function's qualified name (module name at top level)
    kind: str  # app | router | include
    name: str  # the app or router (for include: the one that includes), as resolved
    target: str | None  # include: the router included, as resolved
    prefix: str | None  # the prefix as written; None when none or not a literal
    dependencies: tuple[str, ...]  # `dependencies=[Depends(...)]` callables, as resolved


@fact
class FastAPIDependencyFact(Fact):
    """What can authenticate a request: a security scheme instance (``oauth2 =
    OAuth2PasswordBearer(...)``), or a function (a dependency, an operation) with the
    dependencies of its parameters and whether it refuses a request itself (raises
    ``HTTPException`` with 401 or 403)."""

    TABLE: ClassVar[str] = "python_fastapi_dependencies"

    qualname: str  # the function's or the instance's qualified name
    kind: str  # function | scheme
    scheme: str | None  # scheme: its class (`fastapi.security.OAuth2PasswordBearer`)
    optional: bool  # scheme: created with `auto_error=False` (a missing credential passes)
    dependencies: tuple[str, ...]  # function: the Depends/Security callables of its parameters
    denies: bool  # function: raises HTTPException(401/403) in its body


@fact
class PydanticFieldFact(Fact):
    """A field of a Pydantic model (a class on ``BaseModel``, or on another model of the
    file): what a request body typed with the model holds there."""

    TABLE: ClassVar[str] = "python_pydantic_fields"

    model: str  # the model class's qualified name
    name: str  # the field
    annotation: str | None  # the field's type as resolved (`builtins.int`), None if unknown
    safe: bool  # parsed into a harmless value (int, UUID, a date, a Literal, a word pattern)


@fact
class FastAPIAliasFact(Fact):
    """A type alias of the module (``SessionDep = Annotated[Session, Depends(get_db)]``,
    ``X: TypeAlias = ...``, ``type X = ...``) read as a parameter's type: how FastAPI fills a
    parameter annotated with it. Other modules import the alias; the models resolve it there."""

    TABLE: ClassVar[str] = "python_fastapi_aliases"

    qualname: str  # the alias's qualified name
    role: str  # dependency | request | safe | request_object | server
    dependency: str | None  # dependency: the Depends/Security callable (or class), as resolved
    annotation: str | None  # the class the alias names, as resolved (`sqlalchemy.orm.Session`)


FACT_TYPES: tuple[type[Fact], ...] = (
    PydanticFieldFact,
    FastAPIOperationFact,
    FastAPIRouterFact,
    FastAPIDependencyFact,
    FastAPIAliasFact,
)
