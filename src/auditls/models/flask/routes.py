"""Routes: linking the route rows and the decorations of views (rate limits, caches, CORS
policies, CSRF exemptions), and what applies to a route once it is mounted (its hooks, limits,
CORS policies, caches, request reads, error handlers).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from auditls.facts.core import ParamFact
from auditls.facts.flask import (
    FlaskCacheFact,
    FlaskCorsFact,
    FlaskErrorHandlerFact,
    FlaskHookFact,
    FlaskRateLimitFact,
    FlaskRequestReadFact,
    FlaskRouteFact,
)
from auditls.knowledge.flask import APP, BLUEPRINT, METHOD_VIEW
from auditls.link import Site, split_ref
from auditls.models.flask.linked import FlaskObjects
from auditls.models.flask.objects import (
    AppObj,
    BlueprintObj,
    ExtensionObj,
    Mount,
    Owner,
    Route,
)

#: The api of a route row made by a call to a helper that registers it.
CALL = "call"

# -- building -------------------------------------------------------------------------------


def link_routes(model: FlaskObjects) -> None:
    """A ``Route`` per route row and app or blueprint its owner names (Flask-Sock routes
    apart), with its methods and the functions that handle it. An ``add_url_rule`` whose rule
    is a parameter of its function is a template, not a route: each call of that function
    with literal rules (api ``call`` rows) is a route, as ``instantiate`` fills it in."""
    templates: dict[str, list[Site[FlaskRouteFact]]] = defaultdict(list)
    calls: list[Site[FlaskRouteFact]] = []
    for site in model.of(FlaskRouteFact):
        fact = site.fact
        if fact.api == CALL:
            calls.append(site)
            continue
        if any(f.startswith(("rule=", "rule[]=")) for f in fact.forwards):
            templates[fact.function].append(site)
            continue
        targets = model.objects_for(fact.owner, fact.owner_type, near=site.path)
        if any(isinstance(t, ExtensionObj) and t.kind == "sock" for t in targets):
            model.sock_routes.append(site)
            continue
        _add(model, site.path, fact, targets)
    if not templates:
        return
    params: dict[str, list[ParamFact]] = defaultdict(list)
    for (function, _name), param in model.link.params.items():
        if function in templates:
            params[function].append(param)
    for site in calls:
        helper = model.resolve(site.fact.callee or "")
        for template in templates.get(helper, ()):
            found = instantiate(model, site, template, params[helper])
            if found is not None:
                fact, owners = found
                _add(model, site.path, fact, owners, site.fact)


def _add(
    model: FlaskObjects, path: str, fact: FlaskRouteFact, targets: Sequence[object],
    row: FlaskRouteFact | None = None,
) -> None:  # fmt: skip
    for owner in targets:
        if not isinstance(owner, AppObj | BlueprintObj):
            continue
        methods, handlers = route_methods(model, fact)
        route = Route(path, fact, owner, methods, handlers, row=row)
        owner.routes.append(route)
        model.routes.append(route)


def instantiate(
    model: FlaskObjects,
    call: Site[FlaskRouteFact],
    template: Site[FlaskRouteFact],
    params: list[ParamFact],
) -> tuple[FlaskRouteFact, list[Owner]] | None:
    """The route a call of a route-registering helper makes (``register_view(forum,
    routes=["/t/<int:id>"], view_func=Topic.as_view("topic"))``), from the call's row and the
    helper's ``add_url_rule`` row: the call's arguments bound to the helper's parameters as
    Python binds them (extra keywords go to ``**kwargs``), then each value the helper forwards
    taken from its argument (rule, view, endpoint, methods, the app or blueprint), the others
    from the helper's own call. None when the call's rule is not the one the helper forwards."""
    fact, t = call.fact, template.fact
    roles = dict(f.split("=", 1) for f in t.forwards)
    by_name = {p.name: p for p in params}
    positional = sorted((p for p in params if p.kind in ("posonly", "arg")), key=_position)
    bound: dict[str, dict[str, Any]] = {}
    extra: dict[str, dict[str, Any]] = {}
    for text in fact.forwards:
        arg = json.loads(text)
        slot = str(arg.get("slot", ""))
        if slot.startswith("#"):
            index = int(slot[1:])
            if index < len(positional):
                bound[positional[index].name] = arg
        elif slot in by_name and by_name[slot].kind in ("arg", "kwonly"):
            bound[slot] = arg
        else:
            extra[slot] = arg
    forwarded = extra if "**" in roles else {}
    if "rule[]" in roles:
        arg = bound.get(roles["rule[]"])
        if arg is None or fact.rule not in arg.get("strs", ()):
            return None
    elif bound.get(roles.get("rule", ""), {}).get("str") != fact.rule:
        return None
    view, kind, endpoint, wrappers = t.view, t.view_kind, t.endpoint, t.decorators
    if "view_func" in roles:
        arg = bound.get(roles["view_func"])
        if arg is None:
            return None
        view, kind, endpoint, wrappers = _view(model, arg)
        endpoint = endpoint or t.endpoint
    elif "view_class" in roles:
        arg = bound.get(roles["view_class"])
        if arg is None or "ref" not in arg:
            return None
        view, kind = str(arg["ref"]), "class"
    if "endpoint" in roles and "str" in bound.get(roles["endpoint"], {}):
        endpoint = str(bound[roles["endpoint"]]["str"])
    if "str" in forwarded.get("endpoint", {}):
        endpoint = str(forwarded["endpoint"]["str"])
    given = bound.get(roles["methods"]) if "methods" in roles else forwarded.get("methods")
    if given is not None:
        values = given.get("strs") or ([given["str"]] if "str" in given else None)
        methods = tuple(str(v).upper() for v in values) if values else ()
        methods_from = "literal" if values else "dynamic"
    elif t.methods_from == "literal":
        methods, methods_from = t.methods, t.methods_from
    elif kind == "class":
        methods, methods_from = (), "view_class"
    else:
        methods, methods_from = ("GET",), "default"
    owner, owner_type, near = t.owner, t.owner_type, template.path
    param = model.link.parameter(model.resolve(t.owner)) if t.owner else None
    if param is not None and param.function == t.function:
        arg = bound.get(param.name)
        if arg is None or "ref" not in arg:
            return None
        owner, owner_type, near = str(arg["ref"]), arg.get("type"), call.path
    route = replace(
        fact,
        owner=owner,
        owner_type=owner_type,
        methods=methods,
        methods_from=methods_from,
        endpoint=endpoint,
        view=view,
        view_kind=kind,
        decorators=wrappers,
    )
    return route, model.owners_of(owner, owner_type, near=near)


def _position(param: ParamFact) -> int:
    return param.position


def _view(
    model: FlaskObjects, arg: dict[str, Any]
) -> tuple[str | None, str, str | None, tuple[str, ...]]:
    """``(view, kind, endpoint, wrappers)`` of a view argument of a helper call."""
    wrappers = tuple(str(w) for w in arg.get("wrappers", ()))
    if "view" in arg:
        endpoint = arg.get("endpoint")
        return str(arg["view"]), str(arg.get("kind", "unknown")), endpoint, wrappers
    ref = arg.get("ref")
    if ref is None:
        return None, "unknown", None, wrappers
    if model.view_class(str(ref)) is not None:
        return str(ref), "class", None, wrappers
    kind = "function" if model.resolve(str(ref)) in model.link.functions else "unknown"
    return str(ref), kind, None, wrappers


def route_methods(
    model: FlaskObjects, fact: FlaskRouteFact
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The HTTP methods of a route and the functions that handle them."""
    if fact.view_kind != "class" or fact.view is None:
        return fact.methods, (fact.view,) if fact.view else ()
    view_class = model.view_classes.get(fact.view) or model.view_class(fact.view)
    if view_class is None:
        return fact.methods, ()
    cls = view_class.fact
    if fact.methods:
        methods = fact.methods
    elif cls.methods:
        methods = cls.methods
    elif cls.handlers:
        methods = cls.handlers
    else:
        methods = ("GET",)
    if cls.base == METHOD_VIEW:
        handlers = tuple(f"{cls.qualname}.{m.lower()}" for m in cls.handlers if m in methods)
    else:
        handlers = (f"{cls.qualname}.dispatch_request",)
    return methods, handlers


def link_decorations(model: FlaskObjects) -> None:
    """Limits, exemptions, caches and CORS policies, by the view or blueprint they target."""
    for site in model.of(FlaskRateLimitFact):
        fact = site.fact
        if fact.kind == "exempt" and fact.limiter_type is None:
            csrf = model.extension_of(fact.limiter, "csrf")
            if csrf is not None:  # `@csrf.exempt` on an imported CSRFProtect
                _csrf_exempt(model, site, fact.target, fact.target_kind)
                continue
        if fact.limiter_type is None and model.extension_of(fact.limiter, "limiter") is None:
            continue
        if fact.kind in ("default", "application"):
            for app in model.apps_of(fact.target, APP) if fact.target else []:
                app.limits.append(site)
            if fact.target is None and fact.limiter is not None:
                limiter = model.extension_of(fact.limiter, "limiter")
                for app in limiter.apps if limiter else []:
                    app.limits.append(site)
            continue
        if fact.kind == "shared_limit" and fact.target_kind == "variable" and fact.target:
            model.shared_limits[fact.target] = site
            continue
        if fact.target is None:
            continue
        if fact.target_kind == "function":
            model.limit_rows[fact.target].append(site)
        else:
            for obj in model.objects_for(fact.target, BLUEPRINT):
                if isinstance(obj, BlueprintObj):
                    obj.limits.append(site)
    for cache_site in model.of(FlaskCacheFact):
        fact_c = cache_site.fact
        if fact_c.target and (
            fact_c.cache_type is not None or model.extension_of(fact_c.cache, "cache")
        ):
            model.cache_rows[fact_c.target].append(cache_site)
    for cors_site in model.of(FlaskCorsFact):
        fact_x = cors_site.fact
        if fact_x.form == "decorator" and fact_x.target:
            model.cors_views[fact_x.target].append(cors_site)
        elif fact_x.form != "socketio":
            for app in model.apps_of(fact_x.target, fact_x.target_type):
                app.cors.append(cors_site)
    for csrf_site in model.csrf_facts:
        if csrf_site.fact.action == "exempt":
            _csrf_exempt(model, csrf_site, csrf_site.fact.target, None)


def _csrf_exempt(
    model: FlaskObjects, site: Site[Any], target: str | None, kind: str | None
) -> None:
    if target is None:
        return
    functions = model.link.functions
    if kind == "function" or target in functions or model.resolve(target) in functions:
        model.csrf_exempt_views[model.resolve(target)].append(site)
        return
    for obj in model.objects_for(target, BLUEPRINT):
        if isinstance(obj, BlueprintObj):
            obj.csrf_exempt.append(site)


def _fits_resource(pattern: str, url: str) -> bool:
    """Whether a flask-cors resource pattern (a regex, matched from the start) covers ``url``."""
    try:
        return re.match(pattern, url) is not None
    except re.error:
        return True


# -- what applies to a route ----------------------------------------------------------------


class RouteQueries(FlaskObjects):
    """What applies to a mounted route: hooks, limits, CORS, caches, reads, error handlers."""

    def before_request_hooks(self, mount: Mount) -> list[Site[FlaskHookFact]]:
        """Every before_request hook that runs for a route served at ``mount``."""
        hooks = [h for h in mount.app.hooks if h.fact.hook == "before_request"]
        for bp in self.blueprints_of(mount.app):
            hooks += [h for h in bp.hooks if h.fact.hook == "before_request" and h.fact.app_wide]
        for bp in mount.blueprints:
            hooks += [
                h for h in bp.hooks if h.fact.hook == "before_request" and not h.fact.app_wide
            ]
        return hooks

    def route_limits(self, route: Route) -> tuple[list[str], bool]:
        """The rate limits that apply to a route (descriptions), and whether it is exempt."""
        limits: list[str] = []
        exempt = False
        for handler in {route.fact.view, *route.handlers}:
            for site in self.limit_rows.get(handler or "", ()):
                fact = site.fact
                if fact.kind == "exempt":
                    exempt = True
                elif fact.kind == "shared_limit" and not fact.limits:
                    shared = self._shared(fact)
                    limits.append(shared)
                else:
                    scope = f" (scope {fact.scope})" if fact.scope else ""
                    limits.append(", ".join(fact.limits) or fact.limits_text or "?")
                    limits[-1] += scope
        for mount in route.mounts:
            for bp in mount.blueprints:
                for site in bp.limits:
                    if site.fact.kind == "exempt":
                        exempt = True
                    else:
                        text = ", ".join(site.fact.limits) or site.fact.limits_text or "?"
                        limits.append(f"{text} (blueprint `{bp.name}`)")
            if not exempt:
                for site in mount.app.limits:
                    if site.fact.kind in ("default", "application"):
                        text = ", ".join(site.fact.limits) or site.fact.limits_text or "?"
                        label = "default" if site.fact.kind == "default" else "application-wide"
                        limits.append(f"{text} ({label})")
        return list(dict.fromkeys(limits)), exempt

    def _shared(self, fact: FlaskRateLimitFact) -> str:
        name = fact.limits_text or "?"
        for ref, site in self.shared_limits.items():
            if split_ref(ref)[1] == name:
                text = ", ".join(site.fact.limits) or site.fact.limits_text or "?"
                return f"{text} (shared `{name}`)"
        return f"shared `{name}`"

    def route_cors(self, route: Route) -> list[Site[FlaskCorsFact]]:
        """The CORS policies that cover a route: its decorator, or its app's policies whose
        resources match its URL."""
        out = list(self.cors_views.get(route.fact.view or "", ()))
        for mount in route.mounts:
            for site in mount.app.cors:
                resources = site.fact.resources
                covered = not resources or any(_fits_resource(p, mount.url) for p in resources)
                if covered and site not in out:
                    out.append(site)
        return out

    def cors_apps(self, site: Site[FlaskCorsFact]) -> list[AppObj]:
        """The apps a CORS policy belongs to (a decorator's: the apps serving its view)."""
        fact = site.fact
        if fact.form == "decorator":
            out: list[AppObj] = []
            for route in self.routes_of_view(fact.target or ""):
                out += [m.app for m in route.mounts if m.app not in out]
            return out
        if fact.target is None and fact.form == "socketio":
            return [a for e in self.extensions if e.kind == "socketio" for a in e.apps]
        return self.apps_of(fact.target, fact.target_type)

    def route_cache(self, route: Route) -> list[Site[FlaskCacheFact]]:
        out: list[Site[FlaskCacheFact]] = []
        for handler in {route.fact.view, *route.handlers}:
            out += self.cache_rows.get(handler or "", [])
        return out

    def route_reads(self, route: Route, sources: Sequence[str]) -> list[Site[FlaskRequestReadFact]]:
        out: list[Site[FlaskRequestReadFact]] = []
        for handler in {route.fact.view, *route.handlers}:
            out += [s for s in self.reads.get(handler or "", ()) if s.fact.source in sources]
        return out

    def error_handlers_for(self, mount: Mount) -> list[Site[FlaskErrorHandlerFact]]:
        handlers = list(mount.app.error_handlers)
        for bp in self.blueprints_of(mount.app):
            handlers += [h for h in bp.error_handlers if h.fact.app_wide]
        for bp in mount.blueprints:
            handlers += [h for h in bp.error_handlers if not h.fact.app_wide]
        return handlers
