"""The Flask rules: 3xx auth and access control, 4xx framework configuration.

These are *workspace* rules (``auditls.rules.workspace``): whether a route is protected depends on
its decorators, on its body, and on ``before_request`` hooks of its blueprint and its app, which
live in other modules; which configuration applies depends on what the app factory loads. Their
checks read ``auditls.models.flask``, never the facts directly.

A literal ``SECRET_KEY`` is AUD206's (hard-coded secrets, any name); AUD402 adds what only the
model can see: a secret key that falls back to a literal when the environment does not set it."""

from __future__ import annotations

import json
from collections.abc import Iterator

from auditls.facts import Fact
from auditls.facts.flask import FlaskConfigFact, FlaskCorsFact
from auditls.knowledge.flask import (
    HTTPONLY_COOKIE_SETTINGS,
    SECRET_KEY_SETTINGS,
    SECURE_COOKIE_SETTINGS,
)
from auditls.knowledge.heuristics import capped
from auditls.models.flask import AppObj, Evidence, Route, Site, SocketHandler
from auditls.rules.findings import Finding
from auditls.rules.flask.judge import FlaskJudge
from auditls.rules.index import finding_at, short
from auditls.rules.model import Rule, rule
from auditls.rules.registry import RULES as REGISTERED
from auditls.rules.registry import register
from auditls.rules.workspace import Workspace

MISSING_AUTH = "AUD304"

MISPLACED_AUTH_DECORATOR = "AUD305"

CSRF_UNPROTECTED = "AUD306"

CSRF_EXEMPT_FORM = "AUD307"

LOGIN_NOT_RATE_LIMITED = "AUD308"

DEBUG_MODE = "AUD401"

SECRET_KEY_FALLBACK = "AUD402"  # noqa: S105 (a rule code, not a secret)

COOKIE_NOT_SECURE = "AUD403"

COOKIE_NOT_HTTPONLY = "AUD404"

CORS_ANY_ORIGIN = "AUD405"

_APP = "from flask import Flask\n"

_LOGIN = "from flask_login import login_required\n"

#: Request data a cross-site form can send.
FORM_SOURCES = ("form", "files", "values")

WILDCARDS = frozenset({"*", ".*"})


def at(code: str, path: str, fact: Fact, confidence: str, **fields: str) -> Finding:
    """A finding of ``code`` at a fact of ``path``."""
    return finding_at(
        code, path, fact, confidence, REGISTERED[code].message.format(**fields), fact.line
    )


def describe(route: Route) -> str:
    """``POST /admin/users`` (the first mount's URL; the rule as written when unmounted)."""
    url = route.mounts[0].url if route.mounts else route.rule
    methods = [m for m in route.methods if m not in ("HEAD", "OPTIONS")] or list(route.methods)
    return f"{'|'.join(methods)} {url}"


def _served(route: Route) -> str:
    apps = list(dict.fromkeys(m.app.label for m in route.mounts))
    return f" (served by {', '.join(apps)})" if apps else ""


def _siblings(model: FlaskJudge, route: Route) -> tuple[str, bool]:
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


def _helper(hook: Evidence) -> str:
    """What to add after a guard's check made in a helper: ``in `require_login()` (a.py:12)``."""
    return f" in `{hook.via.replace(' (', '` (', 1)}" if hook.via else ""


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
        missing = "no auth decorator, no identity check in the view and no before_request guard"
        if auth.uncertain:
            hook = auth.uncertain[0]
            none = "no auth decorator" if hook.kind == "hook" else "no unconditional auth decorator"
            missing = (
                f"{none} and no identity check in the view; `{hook.what}` "
                f"({hook.path}:{hook.line}) checks `{hook.detail}`{_helper(hook)} only when "
                f"{hook.condition}, and auditls cannot tell whether that holds for this route"
            )
        elif auth.skipped:
            hook = auth.skipped[0]
            missing = (
                f"no auth decorator and no identity check in the view; `{hook.what}` "
                f"({hook.path}:{hook.line}) checks `{hook.detail}`{_helper(hook)} only when "
                f"{hook.condition}, which leaves this route out"
            )
        yield at(
            MISSING_AUTH,
            route.path,
            route.fact,
            "high" if protected_siblings and not auth.uncertain and not auth.skipped else "medium",
            what="Route",
            where=describe(route),
            missing=missing,
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


def _advice(model: FlaskJudge, route: Route) -> str:
    """What to add: the decorator the siblings use, else ``@login_required``."""
    used, _ = model.sibling_auth(route)
    decorator = next((label for label, _n in used if label.startswith("@")), "@login_required")
    return f"for example `{decorator}` below the route decorator"


def _socket_confidence(model: FlaskJudge, handler: SocketHandler) -> str:
    others = [h for h in model.socket_handlers if h is not handler and h.event != "connect"]
    return "high" if any(model.socket_auth(h) for h in others) else "medium"


def _socket_siblings(model: FlaskJudge, handler: SocketHandler) -> str:
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
            capped("medium" if why == "checks a password" else "low"),  # names decide it
            where=describe(route),
            why=why,
            defaults=shown,
        )


def _settings(model: FlaskJudge) -> Iterator[tuple[Site[FlaskConfigFact], str]]:
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


def check_secret_key_fallback(ws: Workspace) -> Iterator[Finding]:
    """AUD402, message fields: key, value, env, what."""
    for site, how in _settings(ws.flask):
        fact = site.fact
        if fact.key not in SECRET_KEY_SETTINGS or fact.source != "env_default":
            continue
        yield at(
            SECRET_KEY_FALLBACK,
            site.path,
            fact,
            _confidence(how),
            key=fact.key,
            value=f"`{short(fact.value or '', 30)}`",
            env=fact.env_var or fact.key,
            what=SECRET_KEY_SETTINGS[fact.key],
        )


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
        if fact.key not in SECURE_COOKIE_SETTINGS:
            continue
        value = _literal(fact)
        if fact.key == "SESSION_COOKIE_SAMESITE":
            owners = [a for a in model.apps if any(e.site is site for e in model.config_entries(a))]
            if value != "None" or all(id(a) in secure_apps for a in owners):
                continue
        elif value is not False:
            continue
        cookie, fix_key = SECURE_COOKIE_SETTINGS[fact.key]
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
        if fact.key in HTTPONLY_COOKIE_SETTINGS and _literal(fact) is False:
            yield at(
                COOKIE_NOT_HTTPONLY,
                site.path,
                fact,
                _confidence(how),
                key=fact.key,
                where=_where(site, how),
                cookie=HTTPONLY_COOKIE_SETTINGS[fact.key],
            )


def _app_setting(model: FlaskJudge, apps: list[AppObj], key: str) -> object:
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


RULES: tuple[Rule, ...] = (
    rule(
        MISSING_AUTH,
        "flask-route-without-auth",
        "warning",
        "high",
        306,
        summary="A route that changes state, or a Socket.IO handler, has no authentication "
        "while the rest of the app authenticates.",
        details=(
            "Reported for a Flask route that accepts POST, PUT, PATCH or DELETE (routes a "
            "workspace helper registers for its callers count: `register_view(bp, "
            "routes=[...], view_func=V.as_view(...))` whose helper forwards its parameters to "
            "`add_url_rule`), and for a "
            "Flask-SocketIO event handler, when none of these protects it: an auth decorator "
            "below the route decorator (`@login_required`, `@jwt_required()`, "
            "`@auth.login_required` of Flask-HTTPAuth, Flask-Security's, Flask-Allows' "
            "`requires` (FlaskBB's `allows.requires(...)`), or a decorator of the "
            "workspace whose wrapper denies where the identity is missing, itself or in a "
            "helper it calls, the identity read directly or into a local (`user = "
            "session.get('user_id')`): one that only logs, or calls the view in the branch "
            "that should deny, does not count; one that checks only under a request condition "
            "guards the routes that condition selects (Flask-Login's own shape, which lets "
            "`EXEMPT_METHODS` and the `LOGIN_DISABLED` switch through, guards a POST; a check "
            "made only for DELETE guards DELETE routes), and one whose condition auditls cannot "
            "read makes the route reported at medium; `optional=True` and Flask-Security's "
            "decorators "
            "without a role require nothing; also through `add_url_rule(view_func="
            "login_required(f))`, `MethodView.decorators` and a wrapped `as_view()`), an "
            "identity check in the view or in a "
            "helper it calls (`if not current_user.is_authenticated`, `abort(401)` / "
            "`abort(403)`, `verify_jwt_in_request()`, `if g.user is None: return ...`), a "
            "`before_request` hook of its blueprint or app that checks identity (linked across "
            "files: a blueprint registered in the factory of another module gets that app's "
            "hooks) for this route, itself or in a workspace helper it calls (a function of "
            "any module or a method, `auth.require()`, followed three calls deep; a helper "
            "that only logs does not guard): a check made only under a condition on "
            "`request.blueprint`, `request.endpoint`, `request.path`, `request.method` or "
            "`request.view_args` (the route's URL parameters: `'org_id' in request.view_args`), "
            "read directly or through a local (`org_id = request.view_args.get('org_id')`) "
            "(around it, in its own test, an earlier `if <condition>: return`, around the call "
            "of the helper that makes it, or inside that helper) guards exactly the routes that "
            "condition selects, computed from their blueprints, endpoints, URLs and methods; "
            "when it cannot be decided (a condition auditls cannot read, a prefix that reaches "
            "into a URL converter) the route is reported at medium confidence with the "
            "condition. Or, for Socket.IO, a `connect` handler of the same namespace that rejects "
            "anonymous clients. It is reported only when the app authenticates somewhere else, "
            "so a public API without any auth is not flooded; sign-in, sign-up, token and "
            "password-reset endpoints are not reported. Confidence is high when other routes of "
            "the same blueprint are protected, medium otherwise. The message names what the "
            "sibling routes use."
        ),
        message="{what} `{where}` has no authentication: {missing}{served}. {siblings}Protect "
        "it ({advice}) or, if it is public on purpose, say so with "
        "`# auditls: ignore[AUD304]`.",
        fix="Add the auth decorator the other routes use, below `@app.route` / `@bp.route`; or "
        "guard the whole blueprint with a `before_request` hook that aborts with 401.",
        bad=(
            f"{_APP}{_LOGIN}\napp = Flask(__name__)\n\n\n"
            '@app.post("/notes")\n@login_required\ndef add_note():\n    return ""\n\n\n'
            '@app.post("/notes/<int:nid>/delete")\ndef delete_note(nid):\n    return ""\n'
        ),
        good=(
            f"{_APP}{_LOGIN}\napp = Flask(__name__)\n\n\n"
            '@app.post("/notes")\n@login_required\ndef add_note():\n    return ""\n\n\n'
            '@app.post("/notes/<int:nid>/delete")\n@login_required\ndef delete_note(nid):\n'
            '    return ""\n'
        ),
        check=check_missing_auth,
        scope="workspace",
    ),
    rule(
        MISPLACED_AUTH_DECORATOR,
        "flask-auth-decorator-above-route",
        "error",
        "high",
        862,
        summary="An auth decorator is written above the route decorator, so the registered "
        "view is not protected.",
        details=(
            "`@app.route` registers the function it receives. Decorators below it wrap the view "
            "before registration; a decorator above it wraps only the return value of "
            "`route(...)`, and the URL serves the unprotected view. Reported for every auth "
            "decorator (as AUD304 recognises them) found above a route decorator, when nothing "
            "else protects the route."
        ),
        message="`{decorator}` is above `{route_decorator}`: Flask registered the view before "
        "`{decorator}` wrapped it, so `{where}` runs without it. Move it below the route "
        "decorator.",
        fix="Order the decorators route first: `@bp.route(...)` then `@login_required` then "
        "`def view(): ...`.",
        bad=(
            f"{_APP}{_LOGIN}\napp = Flask(__name__)\n\n\n"
            '@login_required\n@app.post("/notes")\ndef add_note():\n    return ""\n'
        ),
        good=(
            f"{_APP}{_LOGIN}\napp = Flask(__name__)\n\n\n"
            '@app.post("/notes")\n@login_required\ndef add_note():\n    return ""\n'
        ),
        check=check_misplaced_decorator,
        scope="workspace",
    ),
    rule(
        CSRF_UNPROTECTED,
        "flask-csrf-unprotected",
        "warning",
        "medium",
        352,
        summary="A state-changing route reads form data in an app without CSRF protection.",
        details=(
            "Reported for a route that accepts POST, PUT, PATCH or DELETE and reads "
            "`request.form`, `request.files` or `request.values`, in an app that has no "
            "Flask-WTF `CSRFProtect` (constructed with the app or bound with `init_app`, in any "
            "module) or that sets `WTF_CSRF_ENABLED = False` (directly, or in a config class it "
            "loads that is not a testing or development class). Routes that read only JSON are "
            "not reported (a cross-site form cannot send `application/json`)."
        ),
        message="`{where}` changes state from form data ({reads}) but {reason}: another site "
        "can make a signed-in user's browser submit it. Add `CSRFProtect(app)` (Flask-WTF) "
        "and send the token with the form.",
        fix="`csrf = CSRFProtect(); csrf.init_app(app)` in the factory, and "
        '`<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">` in each form.',
        bad=(
            "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
            '@app.post("/transfer")\ndef transfer():\n    return request.form["amount"]\n'
        ),
        good=(
            "from flask import Flask, request\nfrom flask_wtf.csrf import CSRFProtect\n\n"
            "app = Flask(__name__)\nCSRFProtect(app)\n\n\n"
            '@app.post("/transfer")\ndef transfer():\n    return request.form["amount"]\n'
        ),
        check=check_csrf_unprotected,
        scope="workspace",
    ),
    rule(
        CSRF_EXEMPT_FORM,
        "flask-csrf-exempt-form",
        "warning",
        "medium",
        352,
        summary="A state-changing route that reads form data is exempt from CSRF protection.",
        details=(
            "Reported at `@csrf.exempt` (or `csrf.exempt(view)` / `csrf.exempt(blueprint)`) "
            "when the route accepts POST, PUT, PATCH or DELETE and reads `request.form`, "
            "`request.files` or `request.values`. Webhooks that read a JSON body and check a "
            "signature are the usual reason for an exemption and are not reported."
        ),
        message="`{where}` is exempt from CSRF protection ({how}) yet changes state from form "
        "data ({reads}): any site can post this form in a signed-in user's name. Remove the "
        "exemption, or authenticate the caller another way (a signature, an API token).",
        fix="Drop `@csrf.exempt`; for machine callers, verify an HMAC signature or require a "
        "token header, and read JSON rather than a form.",
        bad=(
            "from flask import Flask, request\nfrom flask_wtf.csrf import CSRFProtect\n\n"
            "app = Flask(__name__)\ncsrf = CSRFProtect(app)\n\n\n"
            '@app.post("/settings")\n@csrf.exempt\ndef settings():\n'
            '    return request.form["email"]\n'
        ),
        good=(
            "from flask import Flask, request\nfrom flask_wtf.csrf import CSRFProtect\n\n"
            "app = Flask(__name__)\ncsrf = CSRFProtect(app)\n\n\n"
            '@app.post("/settings")\ndef settings():\n    return request.form["email"]\n'
        ),
        check=check_csrf_exempt,
        scope="workspace",
    ),
    rule(
        LOGIN_NOT_RATE_LIMITED,
        "flask-login-without-rate-limit",
        "info",
        "medium",
        307,
        summary="A login, token or password-reset route has no rate limit of its own in an app "
        "that uses Flask-Limiter.",
        details=(
            "Reported for a route that checks a password (it calls `check_password`, "
            "`check_password_hash` or `verify_password`: medium) or whose rule or view name says "
            "login, sign-in, token, password, reset or forgot (low), when no "
            "`@limiter.limit(...)` or shared limit applies to it and to its blueprint, in an app "
            "where Flask-Limiter is in use, or that is exempt (`@limiter.exempt`). An app's "
            "default limits are counted per route and are usually far too generous for "
            "credentials; the message shows them."
        ),
        message="`{where}` {why} but has no rate limit of its own{defaults}: an attacker can "
        "try passwords or tokens as fast as the server answers. Add a tight limit, e.g. "
        '`@limiter.limit("5 per minute")`.',
        fix='`@limiter.limit("5 per minute")` (and perhaps a per-account limit with a '
        "`key_func`) below the route decorator.",
        bad=(
            "from flask import Flask, request\nfrom flask_limiter import Limiter\n"
            "from flask_limiter.util import get_remote_address\n\n"
            "app = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app)\n\n\n"
            '@app.post("/login")\ndef login():\n    return request.form["password"]\n'
        ),
        good=(
            "from flask import Flask, request\nfrom flask_limiter import Limiter\n"
            "from flask_limiter.util import get_remote_address\n\n"
            "app = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app)\n\n\n"
            '@app.post("/login")\n@limiter.limit("5 per minute")\ndef login():\n'
            '    return request.form["password"]\n'
        ),
        check=check_login_rate_limit,
        scope="workspace",
    ),
    rule(
        DEBUG_MODE,
        "flask-debug-mode",
        "error",
        "high",
        489,
        summary="A Flask app runs in debug mode.",
        details=(
            "Reported for `app.run(debug=True)` and `socketio.run(app, debug=True)`, "
            "`app.debug = True`, and `DEBUG = True` set on an app's config (high), or in a "
            "config class or module the app loads (medium). Classes that set `TESTING = True` "
            "or are named for development (`DevelopmentConfig`, `LocalConfig`) are not "
            "reported, nor is a value read from the environment."
        ),
        message="{where} turns on debug mode ({how}): the Werkzeug debugger lets whoever "
        "reaches it run Python on the server, and errors show source and settings. Read it "
        'from the environment (`debug=os.environ.get("FLASK_DEBUG") == "1"`) or use '
        "`flask run --debug` locally.",
        fix="Never enable debug in code that can run in production; use `flask run --debug` "
        "or an environment variable on developer machines.",
        bad=f'{_APP}\napp = Flask(__name__)\n\nif __name__ == "__main__":\n'
        "    app.run(debug=True)\n",
        good=f'import os\n\n{_APP}\napp = Flask(__name__)\n\nif __name__ == "__main__":\n'
        '    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")\n',
        check=check_debug_mode,
        scope="workspace",
    ),
    rule(
        SECRET_KEY_FALLBACK,
        "flask-secret-key-fallback",
        "warning",
        "medium",
        798,
        summary="A Flask secret key falls back to a literal when the environment does not set it.",
        details=(
            "Reported for `SECRET_KEY` and `JWT_SECRET_KEY` of an app (set on its config, or in "
            "a config class or module it loads, testing and development classes excepted) read "
            'as `os.environ.get("K", "literal")` or `os.environ.get("K") or "literal"`: '
            "a deployment that forgets the variable signs sessions (or tokens) with a key "
            "everyone can read in the source, and nothing fails. A plain literal is AUD206's."
        ),
        message="`{key}` falls back to the literal {value} when `{env}` is unset: a deployment "
        "that forgets it signs {what} with a key anyone with the source has. Fail instead: "
        '`os.environ["{env}"]`.',
        fix='`SECRET_KEY = os.environ["SECRET_KEY"]` so that a missing key stops the app at '
        "start-up.",
        bad=f'import os\n\n{_APP}\napp = Flask(__name__)\napp.config["SECRET_KEY"] = '
        'os.environ.get("SECRET_KEY", "dev")\n',
        good=f'import os\n\n{_APP}\napp = Flask(__name__)\napp.config["SECRET_KEY"] = '
        'os.environ["SECRET_KEY"]\n',
        check=check_secret_key_fallback,
        knowledge=(SECRET_KEY_SETTINGS,),
        scope="workspace",
    ),
    rule(
        COOKIE_NOT_SECURE,
        "flask-cookie-not-secure",
        "warning",
        "high",
        614,
        summary="The session or remember-me cookie may be sent over plain HTTP.",
        details=(
            "Reported when an app's configuration sets `SESSION_COOKIE_SECURE` or "
            "`REMEMBER_COOKIE_SECURE` to `False`, or `SESSION_COOKIE_SAMESITE` to `None` without "
            "`SESSION_COOKIE_SECURE = True`: set on the app (high) or in a config class or "
            "module it loads (medium), testing and development classes excepted. Flask's own "
            "default is not secure either; it is not reported where nothing sets it."
        ),
        message="`{key} = {value}`{where}: the {cookie} cookie is sent over plain HTTP too, "
        "where anyone on the network can read it and take over the session. Set `{fix_key} = "
        "True` (and serve over HTTPS).",
        fix="`SESSION_COOKIE_SECURE = True` and `REMEMBER_COOKIE_SECURE = True` in the "
        "production configuration.",
        bad=f'{_APP}\napp = Flask(__name__)\napp.config["SESSION_COOKIE_SECURE"] = False\n',
        good=f'{_APP}\napp = Flask(__name__)\napp.config["SESSION_COOKIE_SECURE"] = True\n',
        check=check_cookie_secure,
        knowledge=(SECURE_COOKIE_SETTINGS,),
        scope="workspace",
    ),
    rule(
        COOKIE_NOT_HTTPONLY,
        "flask-cookie-not-httponly",
        "warning",
        "high",
        1004,
        summary="The session or remember-me cookie is readable by scripts.",
        details=(
            "Reported when an app's configuration sets `SESSION_COOKIE_HTTPONLY` or "
            "`REMEMBER_COOKIE_HTTPONLY` to `False` (both default to True): set on the app "
            "(high) or in a config class or module it loads (medium), testing and development "
            "classes excepted."
        ),
        message="`{key} = False`{where}: scripts on the page can read the {cookie} cookie, so "
        "any XSS steals the session. Remove the setting (the default is True).",
        fix="Leave `SESSION_COOKIE_HTTPONLY` and `REMEMBER_COOKIE_HTTPONLY` at their default, "
        "True.",
        bad=f'{_APP}\napp = Flask(__name__)\napp.config["SESSION_COOKIE_HTTPONLY"] = False\n',
        good=f'{_APP}\napp = Flask(__name__)\napp.config["SESSION_COOKIE_HTTPONLY"] = True\n',
        check=check_cookie_httponly,
        knowledge=(HTTPONLY_COOKIE_SETTINGS,),
        scope="workspace",
    ),
    rule(
        CORS_ANY_ORIGIN,
        "flask-cors-any-origin",
        "warning",
        "high",
        942,
        summary="A CORS policy allows any origin.",
        details=(
            "Reported for flask-cors policies (`CORS(app)`, `cors.init_app(app, ...)`, "
            '`@cross_origin`) and Flask-SocketIO `cors_allowed_origins` that allow `"*"` (or '
            "`.*`), written so or by default: flask-cors allows every origin unless `origins` "
            "or the app's `CORS_ORIGINS` setting says otherwise. With credentials "
            "(`supports_credentials=True`, `CORS_SUPPORTS_CREDENTIALS`, or Socket.IO, which "
            "sends credentials by default) any site can act with the user's cookies: high; "
            "without them a wildcard only exposes public data: low."
        ),
        message="{what} allows any origin ({origins}){credentials}. List the origins that may "
        'call it: `origins=["https://app.example.com"]`.',
        fix='`CORS(app, origins=["https://app.example.com"])`, or `CORS_ORIGINS` in the '
        "configuration; never `supports_credentials=True` with a wildcard.",
        bad=(
            "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
            "CORS(app, supports_credentials=True)\n"
        ),
        good=(
            "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
            'CORS(app, origins=["https://app.example.com"], supports_credentials=True)\n'
        ),
        check=check_cors_any_origin,
        scope="workspace",
    ),
)

register(*RULES)
