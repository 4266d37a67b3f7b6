"""Which routes a conditional identity check runs for.

A ``before_request`` hook often checks identity only for some requests::

    if request.endpoint in PUBLIC or request.path.startswith("/static"):
        return
    if not current_user.is_authenticated: ...

The extractor records the conditions on the request's blueprint, endpoint, path and method
under which each check runs (``FlaskAuthCheckFact.scope``: a conjunction of clauses
``[attr, op, values, negated]``), and those under which a call is made
(``FlaskConditionalCallFact.scope``): a check made in a helper runs under both (``join``).
Here a scope is evaluated for one route served at one mount: ``True`` (the check runs for it),
``False`` (it never does), ``None`` (auditls cannot tell: a condition it cannot read, a path
with converters, only some of the route's methods). ``request.view_args`` holds the route's URL
parameters: ``if "org_id" in request.view_args`` (or ``.get("org_id")``, or ``if
request.view_args``) is decided from the converters of the route's URL.
"""

from __future__ import annotations

import json
import re

from auditls.models.flask.objects import Mount, Route

#: Methods that change nothing: for a method condition, what matters is the others.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Verdict = bool | None


def clauses(scope: str | None) -> list[list[object]]:
    """The clauses of a stored scope (none: the check always runs)."""
    if not scope:
        return []
    value = json.loads(scope)
    return value if isinstance(value, list) else [["?", "unknown", [], False]]


def join(outer: str | None, inner: str | None) -> str | None:
    """The scope of a check made under ``inner`` in a helper called under ``outer``: both
    conditions must hold (None when neither has any)."""
    if not outer:
        return inner or None
    if not inner:
        return outer
    return json.dumps(clauses(outer) + clauses(inner))


def evaluate(scope: str | None, route: Route, mount: Mount) -> Verdict:
    """Whether a check with this scope runs for ``route`` served at ``mount``."""
    verdict: Verdict = True
    for clause in clauses(scope):
        one = _clause(clause, route, mount)
        if one is False:
            return False
        if one is None:
            verdict = None
    return verdict


#: A converter in a URL rule: ``<int:org_id>``, ``<slug>``.
_PARAMETER = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


def url_parameters(url: str) -> set[str]:
    """The names of a URL rule's parameters (``/orgs/<int:org_id>`` -> ``{"org_id"}``)."""
    return {m.group(1).strip() for m in _PARAMETER.finditer(url)}


def _text(route: Route, mount: Mount, attr: str) -> str | None:
    if attr == "blueprint":
        return ".".join(r.name for r in mount.chain) or None
    if attr == "endpoint":
        return mount.endpoint
    return mount.url


def _clause(clause: list[object], route: Route, mount: Mount) -> Verdict:
    attr, op, raw, negated = clause
    values = [str(v) for v in raw] if isinstance(raw, list) else []
    if attr == "view_args" and op in ("truthy", "contains"):
        params = url_parameters(mount.url)  # request.view_args holds the URL's parameters
        hit = bool(params) if op == "truthy" else any(v in params for v in values)
        return hit != negated
    if op == "unknown" or attr not in ("blueprint", "endpoint", "path", "method"):
        return None
    if attr == "method":
        methods = [m for m in route.methods if m not in SAFE_METHODS] or list(route.methods)
        if op == "truthy":
            return not negated
        if op != "in" or not methods:
            return None
        hits = {(m in values) != negated for m in methods}
        return hits.pop() if len(hits) == 1 else None
    value = _text(route, mount, str(attr))
    if op == "truthy":
        return (value is not None) != negated
    if op == "static":  # the request is for a static file: a view route is not
        return (attr == "endpoint" and mount.endpoint.rpartition(".")[2] == "static") != negated
    if value is None:  # a route of the app itself: request.blueprint is None
        return bool(negated) if op in ("in", "prefix", "suffix", "contains") else None
    if attr == "path" and "<" in value:
        static = value.split("<", 1)[0]
        if op == "prefix":
            if any(value.startswith(v) for v in values):
                return not negated
            if any(v.startswith(static) for v in values):
                return None  # the prefix reaches into a converter
            return bool(negated)
        if op == "contains" and any(v in static for v in values):
            return not negated
        return None
    if op == "in":
        hit = value in values
    elif op == "prefix":
        hit = any(value.startswith(v) for v in values)
    elif op == "contains":
        hit = any(v in value for v in values)
    elif op == "suffix" and "<" not in value:
        hit = any(value.endswith(v) for v in values)
    else:
        return None
    return hit != negated


def describe(scope: str | None) -> str:
    """The conditions in words: "request.blueprint is `billing`", "request.endpoint is not
    `auth.login` or `static` and request.path does not start with `/static`"."""
    parts = []
    for attr, op, raw, negated in clauses(scope):
        values = [str(v) for v in raw] if isinstance(raw, list) else []
        shown = " or ".join(f"`{v}`" for v in values[:4]) + (" ..." if len(values) > 4 else "")
        name = f"request.{attr}" if attr != "?" else "a request condition"
        if op == "in":
            parts.append(f"{name} is {'not ' if negated else ''}{shown}")
        elif op == "prefix":
            parts.append(f"{name} {'does not start' if negated else 'starts'} with {shown}")
        elif op == "contains":
            parts.append(f"{name} {'does not contain' if negated else 'contains'} {shown}")
        elif op == "suffix":
            parts.append(f"{name} {'does not end' if negated else 'ends'} with {shown}")
        elif op == "static":
            parts.append(f"the request is {'not ' if negated else ''}for a static file")
        elif op == "truthy":
            parts.append(f"{name} is {'empty' if negated else 'set'}")
        elif attr == "?" and values:
            parts.append(f"`{values[0]}` is {'false' if negated else 'true'}")
        else:
            parts.append(f"{name} meets a condition auditls cannot read")
    return " and ".join(parts)
