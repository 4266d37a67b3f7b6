"""The FastAPI rules: 313, a state-changing path operation without authentication. A workspace
rule: it reads ``auditls.models.fastapi`` (routers mounted across files, the dependencies that
apply to each operation and those that authenticate), never the facts directly."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.knowledge.fastapi import UNSAFE_METHODS
from auditls.knowledge.heuristics import PUBLIC_AUTH_ENDPOINT
from auditls.rules.findings import Finding
from auditls.rules.index import finding_at
from auditls.rules.model import Rule, rule
from auditls.rules.registry import RULES as REGISTERED
from auditls.rules.registry import register
from auditls.rules.workspace import Workspace

OPERATION_WITHOUT_AUTH = "AUD313"


def check_operation_without_auth(ws: Workspace) -> Iterator[Finding]:
    """AUD313, message fields: operation, others."""
    model = ws.fastapi
    operations = model.operations
    guarded = [op for op in operations if op.authenticated]
    if not guarded:
        return  # an API that authenticates nowhere is not judged (it may sit behind a proxy)
    for op in operations:
        fact = op.fact
        if fact.method not in UNSAFE_METHODS or op.authenticated:
            continue
        names = [fact.endpoint.rpartition(".")[2], *op.paths]
        if any(PUBLIC_AUTH_ENDPOINT(n) for n in names):
            continue  # a sign-in, token or registration endpoint
        where = op.paths[0] if op.paths else (fact.path or "?")
        example = guarded[0]
        others = (
            f"`{example.fact.method} {example.paths[0] if example.paths else example.fact.path}` "
            f"requires `{(example.auth or ('a 401 check',))[0].rpartition('.')[2]}`"
        )
        message = REGISTERED[OPERATION_WITHOUT_AUTH].message.format(
            operation=f"`{fact.method} {where}` (`{fact.endpoint}`)", others=others
        )
        yield finding_at(OPERATION_WITHOUT_AUTH, op.site.path, fact, "high", message, fact.line)


RULES: tuple[Rule, ...] = (
    rule(
        OPERATION_WITHOUT_AUTH, "fastapi-operation-without-auth", "warning", "high", 306,
        summary="A FastAPI operation that changes state requires no authentication, while "
        "others of the API do.",
        details=(
            "Reported for a POST, PUT, PATCH or DELETE path operation (or an `api_route` of "
            "any method) with no dependency that authenticates — a security scheme "
            "(`OAuth2PasswordBearer`, `HTTPBearer`, `APIKeyHeader`..., not with "
            "`auto_error=False`) or a workspace dependency that raises `HTTPException` with "
            "401/403 or depends on one that does — among its parameters, its decorator's "
            "`dependencies=`, its router's and every `include_router` and app on the way, and "
            "that raises no 401/403 itself. Only in an API where some operation authenticates; "
            "operations named like sign-in, token or registration endpoints (the "
            "`public-auth-endpoint` heuristic) are left out."
        ),
        message="{operation} changes state with no authentication, while {others}. Add the "
        "same dependency (a parameter `= Depends(...)`, or `dependencies=[...]` on the "
        "operation or its router).",
        fix="Depend on the API's authentication: `user: User = Depends(current_user)` in the "
        "operation, or `APIRouter(dependencies=[Depends(current_user)])` for a whole router.",
        bad="from fastapi import Depends, FastAPI\nfrom fastapi.security import HTTPBearer\n\n"
        "app = FastAPI()\nbearer = HTTPBearer()\n\n\n"
        "@app.get(\"/me\")\ndef me(creds=Depends(bearer)):\n    return {}\n\n\n"
        "@app.delete(\"/items/{item_id}\")\ndef delete_item(item_id: int):\n    return {}\n",
        good="from fastapi import Depends, FastAPI\nfrom fastapi.security import HTTPBearer\n\n"
        "app = FastAPI()\nbearer = HTTPBearer()\n\n\n"
        "@app.get(\"/me\")\ndef me(creds=Depends(bearer)):\n    return {}\n\n\n"
        "@app.delete(\"/items/{item_id}\")\ndef delete_item(item_id: int, creds=Depends(bearer)):"
        "\n    return {}\n",
        check=check_operation_without_auth, scope="workspace",
        knowledge=(PUBLIC_AUTH_ENDPOINT, UNSAFE_METHODS),
    ),
)  # fmt: skip

register(*RULES)
