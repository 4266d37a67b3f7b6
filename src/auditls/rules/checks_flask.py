"""The checks of the Flask rules (AUD304-308, AUD401-405): workspace checks over
``auditls.models.flask``.

Each check asks the model a question (which auth applies to this route, which configuration
this app loads, which CORS policy covers it) and turns the answers into findings at the place a
developer would fix: the route decorator, the ``@csrf.exempt``, the setting, the ``run`` call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from auditls.facts import Fact
from auditls.facts.flask import FlaskConfigFact, FlaskCorsFact
from auditls.models.flask import AppObj, FlaskModel, Route, Site, SocketHandler
from auditls.rules.catalogue import RULES
from auditls.rules.catalogue_flask import (
    COOKIE_NOT_HTTPONLY,
    COOKIE_NOT_SECURE,
    CORS_ANY_ORIGIN,
    CSRF_EXEMPT_FORM,
    CSRF_UNPROTECTED,
    DEBUG_MODE,
    LOGIN_NOT_RATE_LIMITED,
    MISPLACED_AUTH_DECORATOR,
    MISSING_AUTH,
    SECRET_KEY_FALLBACK,
)
from auditls.rules.findings import Finding
from auditls.rules.index import finding_at, short
from auditls.rules.workspace import Workspace, WorkspaceCheck

#: Request data a cross-site form can send.
FORM_SOURCES = ("form", "files", "values")
WILDCARDS = frozenset({"*", ".*"})


def at(code: str, path: str, fact: Fact, confidence: str, **fields: str) -> Finding:
    """A finding of ``code`` at a fact of ``path``."""
    return finding_at(code, path, fact, confidence, RULES[code].message.format(**fields), fact.line)


def describe(route: Route) -> str:
    """``POST /admin/users`` (the first mount's URL; the rule as written when unmounted)."""
    url = route.mounts[0].url if route.mounts else route.rule
    methods = [m for m in route.methods if m not in ("HEAD", "OPTIONS")] or list(route.methods)
    return f"{'|'.join(methods)} {url}"


def _served(route: Route) -> str:
    apps = list(dict.fromkeys(m.app.label for m in route.mounts))
    return f" (served by {', '.join(apps)})" if apps else ""


def _siblings(model: FlaskModel, route: Route) -> tuple[str, bool]:
    """The sentence about sibling routes, and whether any sibling is protected."""
    used, total = model.sibling_auth(route)
    if not used:
        return "", False
    where = (
        f"blueprint `{route.owner.name}`"
        if not isinstance(route.owner, AppObj)
        else f"app {route.owner.label}"
    )
    parts = [f"{label} ({n} of {total})" for label, n in used[:3]]
    return f"Other routes of {where} use {', '.join(parts)}. ", True


# -- auth ------------------------------------------------------------------------------------


def check_missing_auth(ws: Workspace) -> Iterator[Finding]:
    """AUD304, message fields: what, where, served, siblings."""
    model = ws.flask
    for route in model.routes:
        if not route.state_changing or not route.mounts:
            continue
        auth = model.route_auth(route)
        if auth.protected or auth.misplaced or model.is_sign_in(route):
            continue
        if not any(model.app_authenticates(m.app) for m in auth.unguarded_mounts):
            continue
        siblings, protected_siblings = _siblings(model, route)
        yield at(
            MISSING_AUTH,
            route.path,
            route.fact,
            "high" if protected_siblings else "medium",
            what="Route",
            where=describe(route),
            missing="no auth decorator, no identity check in the view and no before_request guard",
            served=_served(route),
            siblings=siblings,
            advice=_advice(model, route),
        )
    for handler in model.socket_handlers:
        if handler.event in ("connect", "disconnect") or model.socket_auth(handler):
            continue
        apps = handler.socketio.apps if handler.socketio else []
        if not apps or not any(model.app_authenticates(app) for app in apps):
            continue
        yield at(
            MISSING_AUTH,
            handler.path,
            handler.fact,
            _socket_confidence(model, handler),
            what="Socket.IO handler",
            where=f"{handler.event or '?'} on {handler.namespace}",
            missing="no auth decorator, no identity check in the handler and no connect "
            f"handler on {handler.namespace} that rejects anonymous clients",
            served=f" (Socket.IO of {', '.join(a.label for a in apps)})",
            siblings=_socket_siblings(model, handler),
            advice="an auth decorator, or a connect handler that returns False for anonymous "
            "clients",
        )


def _advice(model: FlaskModel, route: Route) -> str:
    """What to add: the decorator the siblings use, else ``@login_required``."""
    used, _ = model.sibling_auth(route)
    decorator = next((label for label, _n in used if label.startswith("@")), "@login_required")
    return f"for example `{decorator}` below the route decorator"


def _socket_confidence(model: FlaskModel, handler: SocketHandler) -> str:
    others = [h for h in model.socket_handlers if h is not handler and h.event != "connect"]
    return "high" if any(model.socket_auth(h) for h in others) else "medium"


def _socket_siblings(model: FlaskModel, handler: SocketHandler) -> str:
    others = [
        h
        for h in model.socket_handlers
        if h is not handler and h.event not in ("connect", "disconnect")
    ]
    protected = [h for h in others if model.socket_auth(h)]
    if not protected:
        return ""
    kinds = sorted({e.what if e.kind == "decorator" else "a rejecting connect handler"
                    for h in protected for e in model.socket_auth(h)[:1]})  # fmt: skip
    return f"Other Socket.IO handlers use {', '.join(kinds)} ({len(protected)} of {len(others)}). "


def check_misplaced_decorator(ws: Workspace) -> Iterator[Finding]:
    """AUD305, message fields: decorator, route_decorator, where."""
    model = ws.flask
    for route in model.routes:
        auth = model.route_auth(route)
        if not auth.misplaced or auth.protected:
            continue
        fact = route.fact
        owner = (fact.owner or "").rpartition(".")[2] or "app"
        yield at(
            MISPLACED_AUTH_DECORATOR,
            route.path,
            fact,
            "high",
            decorator=auth.misplaced[0].what,
            route_decorator=f"@{owner}.{fact.api}",
            where=describe(route),
        )


def check_csrf_unprotected(ws: Workspace) -> Iterator[Finding]:
    """AUD306, message fields: where, reads, reason."""
    model = ws.flask
    for route in model.routes:
        if not route.state_changing or not route.mounts:
            continue
        reads = model.route_reads(route, FORM_SOURCES)
        if not reads:
            continue
        for mount in route.mounts:
            status, site = model.csrf_status(mount.app)
            if status == "protected" or model.route_csrf(route)[0] == "exempt":
                continue
            if status == "none":
                reason = f"the app {mount.app.label} has no CSRFProtect"
            else:
                where = f" ({site.path}:{site.fact.line})" if site is not None else ""
                reason = f"CSRF protection is switched off{where}"
            yield at(
                CSRF_UNPROTECTED,
                route.path,
                route.fact,
                "medium",
                where=describe(route),
                reads=", ".join(sorted({f"request.{r.fact.source}" for r in reads})),
                reason=reason,
            )
            break


def check_csrf_exempt(ws: Workspace) -> Iterator[Finding]:
    """AUD307, message fields: where, how, reads."""
    model = ws.flask
    for route in model.routes:
        if not route.state_changing:
            continue
        status, exemptions = model.route_csrf(route)
        reads = model.route_reads(route, FORM_SOURCES)
        if status != "exempt" or not reads:
            continue
        for exemption in exemptions:
            yield at(
                CSRF_EXEMPT_FORM,
                exemption.path,
                exemption.fact,
                "medium",
                where=describe(route),
                how=_exemption(exemption.fact),
                reads=", ".join(sorted({f"request.{r.fact.source}" for r in reads})),
            )


def _exemption(fact: Fact) -> str:
    """How a route was exempted, as written: ``@csrf.exempt`` or ``csrf.exempt(bp)``."""
    form = getattr(fact, "form", None) or getattr(fact, "mechanism", None)
    return "`@csrf.exempt`" if form == "decorator" else "`csrf.exempt(...)`"


def check_login_rate_limit(ws: Workspace) -> Iterator[Finding]:
    """AUD308, message fields: where, why, defaults."""
    model = ws.flask
    for route in model.routes:
        if not route.mounts or "POST" not in route.methods:
            continue
        why = model.credential_route(route)
        if why is None:
            continue
        apps = [m.app for m in route.mounts]
        if not any(model.uses_limiter(app) for app in apps):
            continue
        limits, exempt = model.route_limits(route)
        own = [lim for lim in limits if not lim.endswith(("(default)", "(application-wide)"))]
        if own and not exempt:
            continue
        defaults = [lim for lim in limits if lim not in own]
        if exempt:
            shown = " (it is exempt from the app's limits)"
        elif defaults:
            shown = f" (only the app's limits apply: {'; '.join(defaults)})"
        else:
            shown = ""
        yield at(
            LOGIN_NOT_RATE_LIMITED,
            route.path,
            route.fact,
            "medium" if why == "checks a password" else "low",
            where=describe(route),
            why=why,
            defaults=shown,
        )


# -- configuration ---------------------------------------------------------------------------


def _settings(model: FlaskModel) -> Iterator[tuple[Site[FlaskConfigFact], str]]:
    """Every configuration row that applies to some app, once, with the surest way it does
    ("direct", "loaded" or "possible"); rows that come through a testing class are left out."""
    best: dict[int, tuple[Site[FlaskConfigFact], str]] = {}
    rank = {"direct": 0, "loaded": 1, "possible": 2}
    for app in model.apps:
        for entry in model.config_entries(app):
            if entry.loaded_by and model.config_class_kind(entry.loaded_by) == "testing":
                continue
            key = id(entry.site.fact)
            if key not in best or rank[entry.how] < rank[best[key][1]]:
                best[key] = (entry.site, entry.how)
    yield from best.values()


def _literal(fact: FlaskConfigFact) -> object:
    if fact.source != "literal" or fact.value is None:
        return None
    return json.loads(fact.value)


def _where(site: Site[FlaskConfigFact], how: str) -> str:
    fact = site.fact
    if fact.via == "class":
        return f" in {(fact.owner or '').rpartition('.')[2]}, which the app loads"
    if fact.via == "module":
        return f" in {fact.owner}, which the app loads"
    return ""


def _confidence(how: str) -> str:
    return {"direct": "high", "loaded": "medium"}.get(how, "low")


def check_debug_mode(ws: Workspace) -> Iterator[Finding]:
    """AUD401, message fields: where, how."""
    for site, how in _settings(ws.flask):
        fact = site.fact
        if fact.key != "DEBUG" or _literal(fact) is not True:
            continue
        if fact.via == "run":
            where, text = "`run(...)`", f"debug={fact.text}"
        elif fact.via == "attribute":
            where, text = "`app.debug = True`", "the app attribute"
        else:
            where = f"`DEBUG = True`{_where(site, how)}"
            text = "the DEBUG setting"
        yield at(DEBUG_MODE, site.path, fact, _confidence(how), where=where, how=text)


SECRET_KEYS = {"SECRET_KEY": "session cookies", "JWT_SECRET_KEY": "JWTs"}


def check_secret_key_fallback(ws: Workspace) -> Iterator[Finding]:
    """AUD402, message fields: key, value, env, what."""
    for site, how in _settings(ws.flask):
        fact = site.fact
        if fact.key not in SECRET_KEYS or fact.source != "env_default":
            continue
        yield at(
            SECRET_KEY_FALLBACK,
            site.path,
            fact,
            _confidence(how),
            key=fact.key,
            value=f"`{short(fact.value or '', 30)}`",
            env=fact.env_var or fact.key,
            what=SECRET_KEYS[fact.key],
        )


COOKIES = {
    "SESSION_COOKIE_SECURE": ("session", "SESSION_COOKIE_SECURE"),
    "REMEMBER_COOKIE_SECURE": ("remember-me", "REMEMBER_COOKIE_SECURE"),
    "SESSION_COOKIE_SAMESITE": ("session", "SESSION_COOKIE_SECURE"),
}
HTTPONLY = {"SESSION_COOKIE_HTTPONLY": "session", "REMEMBER_COOKIE_HTTPONLY": "remember-me"}


def check_cookie_secure(ws: Workspace) -> Iterator[Finding]:
    """AUD403, message fields: key, value, where, cookie, fix_key."""
    model = ws.flask
    secure_apps = {
        id(app)
        for app in model.apps
        for entry in model.config_entries(app)
        if entry.site.fact.key == "SESSION_COOKIE_SECURE" and _literal(entry.site.fact) is True
    }
    for site, how in _settings(model):
        fact = site.fact
        if fact.key not in COOKIES:
            continue
        value = _literal(fact)
        if fact.key == "SESSION_COOKIE_SAMESITE":
            owners = [a for a in model.apps if any(e.site is site for e in model.config_entries(a))]
            if value != "None" or all(id(a) in secure_apps for a in owners):
                continue
        elif value is not False:
            continue
        cookie, fix_key = COOKIES[fact.key]
        yield at(
            COOKIE_NOT_SECURE,
            site.path,
            fact,
            _confidence(how),
            key=fact.key,
            value=fact.text,
            where=_where(site, how),
            cookie=cookie,
            fix_key=fix_key,
        )


def check_cookie_httponly(ws: Workspace) -> Iterator[Finding]:
    """AUD404, message fields: key, where, cookie."""
    for site, how in _settings(ws.flask):
        fact = site.fact
        if fact.key in HTTPONLY and _literal(fact) is False:
            yield at(
                COOKIE_NOT_HTTPONLY,
                site.path,
                fact,
                _confidence(how),
                key=fact.key,
                where=_where(site, how),
                cookie=HTTPONLY[fact.key],
            )


def _app_setting(model: FlaskModel, apps: list[AppObj], key: str) -> object:
    """A literal setting of one of these apps, if any sets it."""
    for app in apps:
        for entry in model.config_entries(app):
            if entry.site.fact.key == key:
                value = _literal(entry.site.fact)
                if value is not None:
                    return value
    return None


def check_cors_any_origin(ws: Workspace) -> Iterator[Finding]:
    """AUD405, message fields: what, origins, credentials."""
    model = ws.flask
    for site in model.of(FlaskCorsFact):
        fact = site.fact
        apps = model.cors_apps(site)
        origins = set(fact.origins)
        how = fact.origins_from
        if fact.origins_from in ("default", "config"):
            key = fact.origins_key or "CORS_ORIGINS"
            configured = _app_setting(model, apps, key)
            if isinstance(configured, str):
                origins, how = {configured}, "config"
            elif isinstance(configured, list):
                origins, how = {str(o) for o in configured}, "config"
            elif fact.origins_from == "config":
                continue  # read from a setting this model cannot see
        if not origins & WILDCARDS:
            continue
        credentials = fact.supports_credentials
        if credentials is None:
            configured = _app_setting(model, apps, "CORS_SUPPORTS_CREDENTIALS")
            credentials = configured if isinstance(configured, bool) else None
        if credentials is None and fact.form == "socketio":
            credentials = True  # python-engineio sends credentials unless told otherwise
        what = {
            "decorator": f"`@cross_origin` on `{(fact.target or '?').rpartition('.')[2]}`",
            "socketio": "Socket.IO's `cors_allowed_origins`",
        }.get(fact.form, "The CORS policy" + (f" of {apps[0].label}" if apps else ""))
        shown = "by default: no `origins` given" if how == "default" else '"*"'
        yield at(
            CORS_ANY_ORIGIN,
            site.path,
            fact,
            "high" if credentials else "low",
            what=what,
            origins=shown,
            credentials=(
                " with credentials: any site can call it with the user's cookies"
                if credentials
                else ""
            ),
        )


FLASK_CHECKS: Mapping[str, WorkspaceCheck] = {
    MISSING_AUTH: check_missing_auth,
    MISPLACED_AUTH_DECORATOR: check_misplaced_decorator,
    CSRF_UNPROTECTED: check_csrf_unprotected,
    CSRF_EXEMPT_FORM: check_csrf_exempt,
    LOGIN_NOT_RATE_LIMITED: check_login_rate_limit,
    DEBUG_MODE: check_debug_mode,
    SECRET_KEY_FALLBACK: check_secret_key_fallback,
    COOKIE_NOT_SECURE: check_cookie_secure,
    COOKIE_NOT_HTTPONLY: check_cookie_httponly,
    CORS_ANY_ORIGIN: check_cors_any_origin,
}
