"""SQLAlchemy lookups: the rows a query of a mapped model returns are the database's, not its
arguments' (``session.get(User, request.args["id"])`` is a user of the table, not request
data), as Django's queryset fetches (``Unit.fetches``). Which classes are mapped is the orm
model's to say (``auditls.models.orm``; ``Program.orm_models``); here a call is read from
its rows: a chain of query methods (``auditls.knowledge.orm``) off a model's query property
(``User.query.filter(...).first()``), or off a call that takes a mapped class first
(``session.query(User)``, ``select(User)``, ``db.get_or_404(User, id)``)."""

from __future__ import annotations

from collections.abc import Callable, Set

from auditls.facts.core import CallFact
from auditls.knowledge.orm import (
    MAX_QUERY_CHAIN,
    MODEL_ARGUMENT_METHODS,
    QUERY_METHODS,
    QUERY_PROPERTY,
)
from auditls.taint.values import Unit

_QUERY = f".{QUERY_PROPERTY}."


def _mapped(ref: str, models: Set[str], resolve: Callable[[str], str] | None) -> bool:
    return ref in models or (resolve is not None and resolve(ref) in models)


def queries_model(
    unit: Unit,
    call: CallFact,
    models: Set[str],
    resolve: Callable[[str], str] | None,
    depth: int = 0,
) -> bool:
    """Whether ``call`` is a query method of a chain that queries a mapped model's table."""
    callee = call.callee
    method = call.attr or (callee or call.callee_text).rpartition(".")[2]  # `select(User)`
    if method not in QUERY_METHODS or depth > MAX_QUERY_CHAIN:
        return False
    owner = callee.partition(_QUERY)[0] if callee is not None and _QUERY in callee else None
    if owner is not None and _mapped(owner, models, resolve):
        return True  # `User.query.get(id)`, `models.User.query.filter_by(...).first()`
    if method in MODEL_ARGUMENT_METHODS:
        for row in unit.args.get(call.call_id, ()):
            if row.position != 0:
                continue
            for item in row.inputs:
                kind, _, rest = item.partition(":")
                if kind == "ref" and _mapped(rest, models, resolve):
                    return True  # `session.get(User, id)`, `select(User)`
                inner = unit.calls.get(int(rest)) if kind == "call" and rest.isdigit() else None
                if inner is not None and queries_model(unit, inner, models, resolve, depth + 1):
                    return True  # `session.scalars(select(User).where(...))`
    receiver = unit.receivers.get(call.call_id)
    for item in receiver.inputs if receiver is not None else ():
        kind, _, rest = item.partition(":")
        inner = unit.calls.get(int(rest)) if kind == "call" and rest.isdigit() else None
        if inner is not None and queries_model(unit, inner, models, resolve, depth + 1):
            return True  # `.first()` of `session.query(User).filter(...)`
    return False


def may_query(unit: Unit) -> bool:
    """Whether a unit calls something that may be a query method (by its call references):
    the units to interpret again when the mapped models change."""
    return any(
        callee is None or callee.rpartition(".")[2] in QUERY_METHODS for callee, _ in unit.refs
    )
