"""The Flask rules: 3xx auth and access control, 4xx framework configuration.

These are *workspace* rules (``auditls.rules.workspace``): whether a route is protected depends on
its decorators, on its body, and on ``before_request`` hooks of its blueprint and its app, which
live in other modules; which configuration applies depends on what the app factory loads. Their
checks (``checks_flask``) read ``auditls.models.flask``, never the facts directly.

A literal ``SECRET_KEY`` is AUD206's (hard-coded secrets, any name); AUD402 adds what only the
model can see: a secret key that falls back to a literal when the environment does not set it.
"""

from __future__ import annotations

from auditls.rules.catalogue_calls import rule
from auditls.rules.model import Rule

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

FLASK_AUTH_RULES: tuple[Rule, ...] = (
    rule(
        MISSING_AUTH,
        "flask-route-without-auth",
        "warning",
        "high",
        306,
        summary="A route that changes state, or a Socket.IO handler, has no authentication "
        "while the rest of the app authenticates.",
        details=(
            "Reported for a Flask route that accepts POST, PUT, PATCH or DELETE, and for a "
            "Flask-SocketIO event handler, when none of these protects it: an auth decorator "
            "below the route decorator (`@login_required`, `@jwt_required()`, "
            "`@auth.login_required` of Flask-HTTPAuth, Flask-Security's, or a decorator of the "
            "workspace whose wrapper checks identity), an identity check in the view or in a "
            "helper it calls (`if not current_user.is_authenticated`, `abort(401)` / "
            "`abort(403)`, `verify_jwt_in_request()`, `if g.user is None: return ...`), a "
            "`before_request` hook of its blueprint or app that checks identity (linked across "
            "files: a blueprint registered in the factory of another module gets that app's "
            "hooks), or, for Socket.IO, a `connect` handler of the same namespace that rejects "
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
    ),
)

FLASK_CONFIG_RULES: tuple[Rule, ...] = (
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
    ),
)

FLASK_RULES: tuple[Rule, ...] = FLASK_AUTH_RULES + FLASK_CONFIG_RULES
