"""Hover on FastAPI path operations: on the decorator (or ``add_api_route``) line, or the
endpoint's ``def`` line. The store's ``FastAPIModel`` (cached per store revision, built on the
store's thread through ``ctx.query``) says the full paths and the dependencies."""

from __future__ import annotations

from auditls.facts.core import FunctionFact
from auditls.facts.fastapi import FastAPIOperationFact
from auditls.models.fastapi import model_of
from auditls.server.fastapi.text import operation_markdown
from auditls.server.hover import HoverContext, hover_provider
from auditls.store import Store


@hover_provider("fastapi.operations", order=63)
def operation_hover(ctx: HoverContext) -> str | None:
    fact = next((o for o in ctx.facts_of(FastAPIOperationFact) if o.line == ctx.line), None)
    if fact is not None:
        endpoint = fact.endpoint
    else:
        fn = next((f for f in ctx.facts_of(FunctionFact) if f.line == ctx.line), None)
        if fn is None:
            return None
        endpoint = fn.qualname

    def build(store: Store) -> str | None:
        model = model_of(store)
        ops = model.operations_of(endpoint)
        if not ops:
            return None
        return "\n\n".join(operation_markdown(model, op) for op in ops)

    return ctx.query(build)
