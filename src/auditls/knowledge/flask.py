"""Flask API knowledge as data: Flask, Werkzeug, Click and the common Flask extensions.

What the Flask extractors (``auditls.extractors.flask``), the security extractors' Flask entries
and the cross-file model (``auditls.models.flask``) know about these libraries: the classes of
apps, blueprints and extensions; the methods that register routes, hooks, error handlers,
template filters, commands and Socket.IO events; auth decorators and the checks a view makes;
request data; configuration settings and where their values come from.

Every qualified name is spelled as ``Context.qualname`` resolves it (``flask.Flask``,
``flask_login.utils.login_required``). Method and setting names are matched on objects the model
has typed (or on candidates it confirms across files); judging what they mean is the rules'.
"""

from __future__ import annotations

from auditls.knowledge.common import AuthSpec

# -- the Flask objects --------------------------------------------------------------------------

APP = "flask.Flask"
BLUEPRINT = "flask.Blueprint"
APP_OR_BLUEPRINT = frozenset({APP, BLUEPRINT})
ONLY_APP = frozenset({APP})
#: ``flask.current_app`` stands for every app.
CURRENT_APP = frozenset({"flask.current_app", "flask.globals.current_app"})
#: Class-based views: ``class V(MethodView)`` and ``V.as_view(name)``.
VIEW = "flask.views.View"
METHOD_VIEW = "flask.views.MethodView"
VIEW_CLASSES = frozenset({VIEW, METHOD_VIEW})
AS_VIEW = "as_view"

#: Import paths of the Flask classes -> the name the facts use.
CANONICAL: dict[str, str] = {
    "flask.Flask": APP,
    "flask.app.Flask": APP,
    "flask.sansio.app.App": APP,
    "flask.Blueprint": BLUEPRINT,
    "flask.blueprints.Blueprint": BLUEPRINT,
    "flask.sansio.blueprints.Blueprint": BLUEPRINT,
    "flask.views.View": VIEW,
    "flask.views.MethodView": METHOD_VIEW,
    "flask.cli.AppGroup": "flask.cli.AppGroup",
    "click.Group": "click.Group",
    "click.core.Group": "click.Group",
}
#: Every import path of the app and blueprint classes (the objects routes and hooks hang on).
APP_CLASSES = frozenset(k for k, v in CANONICAL.items() if v in APP_OR_BLUEPRINT)


class Ext:
    """A known extension class: its kind and which positional argument takes the app."""

    __slots__ = ("app_position", "canonical", "kind")

    def __init__(self, kind: str, canonical: str, app_position: int | None = 0) -> None:
        self.kind = kind
        self.canonical = canonical
        self.app_position = app_position


def _ext(kind: str, canonical: str, *aliases: str, app_position: int | None = 0) -> dict[str, Ext]:
    spec = Ext(kind, canonical, app_position)
    return dict.fromkeys((canonical, *aliases), spec)


#: Extension classes by import path. ``app_position`` None: the app is only ever a keyword
#: (Flask-Limiter 3 takes key_func first), unless the first argument is known to be an app.
EXTENSIONS: dict[str, Ext] = {
    **_ext("sqlalchemy", "flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"),
    **_ext("login", "flask_login.LoginManager", "flask_login.login_manager.LoginManager"),
    **_ext("csrf", "flask_wtf.csrf.CSRFProtect", "flask_wtf.CSRFProtect", "flask_wtf.CsrfProtect",
           "flask_wtf.csrf.CsrfProtect"),
    **_ext("csrf", "flask_seasurf.SeaSurf"),
    **_ext("limiter", "flask_limiter.Limiter", "flask_limiter.extension.Limiter",
           app_position=None),
    **_ext("cache", "flask_caching.Cache"),
    **_ext("cors", "flask_cors.CORS", "flask_cors.extension.CORS"),
    **_ext("socketio", "flask_socketio.SocketIO"),
    **_ext("sock", "flask_sock.Sock"),
    **_ext("migrate", "flask_migrate.Migrate"),
    **_ext("jwt", "flask_jwt_extended.JWTManager", "flask_jwt_extended.jwt_manager.JWTManager"),
    **_ext("mail", "flask_mail.Mail"),
    **_ext("talisman", "flask_talisman.Talisman", "flask_talisman.talisman.Talisman"),
    **_ext("bcrypt", "flask_bcrypt.Bcrypt"),
    **_ext("marshmallow", "flask_marshmallow.Marshmallow"),
    **_ext("httpauth", "flask_httpauth.HTTPBasicAuth", app_position=None),
    **_ext("httpauth", "flask_httpauth.HTTPDigestAuth", app_position=None),
    **_ext("httpauth", "flask_httpauth.HTTPTokenAuth", app_position=None),
    **_ext("httpauth", "flask_httpauth.MultiAuth", app_position=None),
    **_ext("session", "flask_session.Session"),
    **_ext("security", "flask_security.Security"),
    **_ext("principal", "flask_principal.Principal"),
    **_ext("babel", "flask_babel.Babel"),
    **_ext("compress", "flask_compress.Compress"),
    **_ext("debug_toolbar", "flask_debugtoolbar.DebugToolbarExtension"),
    **_ext("admin", "flask_admin.Admin"),
}  # fmt: skip

#: The canonical extension classes of each kind the other extractors look for.
LIMITERS = frozenset({"flask_limiter.Limiter"})
CACHES = frozenset({"flask_caching.Cache"})
SOCKETIOS = frozenset({"flask_socketio.SocketIO"})
SOCKS = frozenset({"flask_sock.Sock"})
CORS_EXTS = frozenset({"flask_cors.CORS"})
HTTPAUTHS = frozenset(
    {"flask_httpauth.HTTPBasicAuth", "flask_httpauth.HTTPDigestAuth",
     "flask_httpauth.HTTPTokenAuth", "flask_httpauth.MultiAuth"}
)  # fmt: skip
SOCKETIO_NAMESPACES = frozenset({"flask_socketio.Namespace"})
CROSS_ORIGIN = frozenset({"flask_cors.cross_origin", "flask_cors.decorator.cross_origin"})

#: The method that binds an extension made without an app: ``db.init_app(app)``.
INIT_APP = "init_app"
#: Attributes of an extension that configure it, recorded when set (``login_manager.login_view``).
EXTENSION_SETTINGS = frozenset(
    {"login_view", "login_message", "login_message_category", "session_protection",
     "refresh_view", "needs_refresh_message", "blueprint_login_views", "anonymous_user"}
)  # fmt: skip
#: Decorators of an extension that register a callback (``@login_manager.user_loader``).
EXTENSION_CALLBACKS = frozenset(
    {"user_loader", "request_loader", "header_loader", "unauthorized_handler",
     "needs_refresh_handler", "verify_password", "verify_token", "get_password",
     "hash_password", "get_user_roles", "error_handler", "user_lookup_loader",
     "user_identity_loader", "token_in_blocklist_loader", "unauthorized_loader",
     "invalid_token_loader", "expired_token_loader", "additional_claims_loader",
     "request_filter", "limit_exceeded"}
)  # fmt: skip

#: Top-level packages whose objects are never Flask apps or blueprints: an owner typed as an
#: instance of one of their classes is not a candidate, and importing from them brings no Flask
#: object into a file.
FOREIGN_PACKAGES = frozenset(
    {"builtins", "fastapi", "starlette", "quart", "sanic", "bottle", "aiohttp", "django",
     "tornado", "falcon", "pyramid", "werkzeug", "connexion", "socketio", "click", "typer",
     "celery", "sqlalchemy", "collections", "typing", "logging", "flask_restx",
     "flask_restful", "flask_smorest", "flask_appbuilder"}
)  # fmt: skip


#: Plugin hooks (pluggy): ``pm.hook.<name>(app=app)`` calls every function named ``<name>``
#: marked by a ``HookimplMarker`` (FlaskBB registers its blueprints in such hooks). The
#: attribute a hook call goes through, the prefix its app passes are recorded under, and the
#: marker classes the model checks on the implementation.
PLUGIN_HOOK_ATTR = "hook"
PLUGIN_HOOK_CALLEE = "<plugin hook>."
HOOKIMPL_MARKERS = frozenset({"pluggy.HookimplMarker", "pluggy._hooks.HookimplMarker"})


def library_package(top: str) -> bool:
    """Whether a top-level package is a library's, not the project's: the packages above,
    Flask and its extensions (``flask_migrate``). A project named ``flaskr`` (Flask's tutorial)
    or ``flaskbb`` is the project's."""
    return top in FOREIGN_PACKAGES or top == "flask" or top.startswith("flask_")


# -- what registers on an app or a blueprint ----------------------------------------------------

#: Route decorators -> the one method they imply (None: ``methods=`` or GET).
ROUTE_VERBS = {"route": None, "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
               "delete": "DELETE"}  # fmt: skip
ADD_URL_RULE = "add_url_rule"
#: The keyword ``add_url_rule`` takes the view by; a call to a workspace helper that passes a
#: view by this name (or an ``as_view()``) may register a route for its caller.
VIEW_FUNC = "view_func"
#: How every URL rule starts: Werkzeug refuses a rule without its leading slash, so a literal
#: passed to a route-registering helper is a rule only when it starts so.
RULE_START = "/"
REGISTER_BLUEPRINT = "register_blueprint"
#: The methods of a class-based view that handle a request.
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
#: Methods that change state (the ones CSRF protection and rate limits are about).
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Hook methods -> the hook they register, and whether a blueprint's variant is app-wide.
HOOKS: dict[str, tuple[str, bool]] = {
    "before_request": ("before_request", False),
    "after_request": ("after_request", False),
    "teardown_request": ("teardown_request", False),
    "teardown_appcontext": ("teardown_appcontext", True),
    "context_processor": ("context_processor", False),
    "url_value_preprocessor": ("url_value_preprocessor", False),
    "url_defaults": ("url_defaults", False),
    "before_first_request": ("before_first_request", True),
    "shell_context_processor": ("shell_context_processor", True),
    "before_app_request": ("before_request", True),
    "after_app_request": ("after_request", True),
    "teardown_app_request": ("teardown_request", True),
    "app_context_processor": ("context_processor", True),
    "app_url_value_preprocessor": ("url_value_preprocessor", True),
    "app_url_defaults": ("url_defaults", True),
    "before_app_first_request": ("before_first_request", True),
}

#: Error handler decorators -> whether they are app-wide; and the call form.
ERROR_HANDLERS = {"errorhandler": False, "app_errorhandler": True}
REGISTER_ERROR_HANDLER = "register_error_handler"

#: Template registration decorators and calls -> (kind, app-wide).
TEMPLATE_DECORATORS = {
    "template_filter": ("filter", False), "template_test": ("test", False),
    "template_global": ("global", False), "app_template_filter": ("filter", True),
    "app_template_test": ("test", True), "app_template_global": ("global", True),
}  # fmt: skip
TEMPLATE_CALLS = {
    "add_template_filter": ("filter", False), "add_template_test": ("test", False),
    "add_template_global": ("global", False), "add_app_template_filter": ("filter", True),
    "add_app_template_test": ("test", True), "add_app_template_global": ("global", True),
}  # fmt: skip
#: ``app.jinja_env.<collection>["name"] = function``.
JINJA_ENV = "jinja_env"
JINJA_COLLECTIONS = {"filters": "filter", "tests": "test", "globals": "global"}

#: ``app.cli`` and command groups: their decorators and ``add_command``.
CLI = "cli"
CLI_GROUPS = frozenset({"flask.cli.AppGroup", "click.Group"})
CLI_DECORATORS = frozenset({"command", "group"})
ADD_COMMAND = "add_command"

#: Flask-SocketIO's event decorators and calls; flask-sock's ``@sock.route``.
SOCKETIO_DECORATORS = frozenset({"on", "event", "on_error", "on_error_default"})
SOCKETIO_CALLS = frozenset({"on_event", "on_namespace"})
SOCK_ROUTE = "route"

#: Flask-Limiter's decorators (and calls on blueprints), and the constructor's limit lists.
LIMIT_DECORATORS = frozenset({"limit", "shared_limit", "exempt"})
LIMITER_LIMITS = (("default_limits", "default"), ("application_limits", "application"))
#: Flask-Caching's view decorators.
CACHE_DECORATORS = frozenset({"cached", "memoize"})
#: flask-cors keywords that make an ``init_app`` call a CORS policy even on an unknown object.
CORS_KEYWORDS = frozenset({"origins", "resources", "supports_credentials"})

# -- configuration ------------------------------------------------------------------------------

#: ``app.config`` and its methods that load settings from elsewhere or set several at once.
CONFIG = "config"
CONFIG_SOURCES = frozenset(
    {"from_object", "from_pyfile", "from_envvar", "from_file", "from_prefixed_env"}
)
CONFIG_UPDATES = frozenset({"update", "from_mapping"})
#: ``app.run(debug=...)`` and ``socketio.run(app, debug=...)``.
RUN = "run"
#: App attributes that stand for a configuration key.
APP_CONFIG_ATTRIBUTES = {
    "secret_key": "SECRET_KEY", "debug": "DEBUG", "testing": "TESTING",
    "permanent_session_lifetime": "PERMANENT_SESSION_LIFETIME",
    "session_cookie_name": "SESSION_COOKIE_NAME",
}  # fmt: skip
#: Settings Flask and its common extensions read; a config class or module is recognised by them.
FLASK_KEYS = frozenset(
    {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "DEBUG", "TESTING", "ENV", "PROPAGATE_EXCEPTIONS",
     "TRAP_HTTP_EXCEPTIONS", "TRAP_BAD_REQUEST_ERRORS", "PERMANENT_SESSION_LIFETIME",
     "SESSION_REFRESH_EACH_REQUEST", "MAX_CONTENT_LENGTH", "MAX_FORM_MEMORY_SIZE",
     "MAX_FORM_PARTS", "SEND_FILE_MAX_AGE_DEFAULT", "SERVER_NAME", "APPLICATION_ROOT",
     "PREFERRED_URL_SCHEME", "TEMPLATES_AUTO_RELOAD", "EXPLAIN_TEMPLATE_LOADING",
     "USE_X_SENDFILE", "TRUSTED_HOSTS"}
)  # fmt: skip
CONFIG_PREFIXES = (
    "SESSION_", "REMEMBER_COOKIE_", "WTF_CSRF_", "SQLALCHEMY_", "MAIL_", "CACHE_", "RATELIMIT_",
    "JWT_", "CORS_", "SECURITY_", "BCRYPT_", "SOCKETIO_", "DEBUG_TB_", "TALISMAN_",
)  # fmt: skip
#: Settings (or the start of their names) that mark a module as Flask configuration even when it
#: imports nothing from Flask: the secret key, debug mode, and the session, remember-me and CSRF
#: switches. Settings a module or class defines are recorded only in a file that imports Flask
#: or spells one of these (``CACHE_HIT = 0`` in a library is not configuration).
CONFIG_MARKERS = ("SECRET_KEY", "DEBUG", "SESSION_COOKIE", "REMEMBER_COOKIE", "WTF_CSRF")

#: Where a configuration value may come from: the environment, or a random generator.
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ.pop"})
ENV_MAPPINGS = frozenset({"os.environ"})
RANDOM_CALLS = frozenset(
    {"secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "os.urandom",
     "uuid.uuid4"}
)  # fmt: skip

# -- who is calling: auth decorators and the checks in a view's body ----------------------------

#: Decorators of Flask extensions that require an authenticated (or authorised) caller -> what
#: they require. The security extractors record them in ``python_auth_patterns``.
AUTH_DECORATORS: dict[str, AuthSpec] = {
    "flask_login.login_required": AuthSpec("login", "flask_login"),
    "flask_login.utils.login_required": AuthSpec("login", "flask_login"),
    "flask_login.fresh_login_required": AuthSpec("fresh_login", "flask_login"),
    "flask_login.utils.fresh_login_required": AuthSpec("fresh_login", "flask_login"),
    "flask_jwt_extended.jwt_required": AuthSpec("jwt", "flask_jwt_extended"),
    "flask_jwt_extended.view_decorators.jwt_required": AuthSpec("jwt", "flask_jwt_extended"),
    "flask_jwt_extended.fresh_jwt_required": AuthSpec("jwt", "flask_jwt_extended"),
    **{f"flask_security.{name}": AuthSpec(kind, "flask_security") for name, kind in (
        ("login_required", "login"), ("auth_required", "login"), ("roles_required", "roles"),
        ("roles_accepted", "roles"), ("permissions_required", "permission"),
        ("permissions_accepted", "permission"),
    )},
    **{f"flask_httpauth.{cls}.login_required": AuthSpec("http_auth", "flask_httpauth")
       for cls in ("HTTPBasicAuth", "HTTPDigestAuth", "HTTPTokenAuth", "MultiAuth")},
}  # fmt: skip
#: The keyword that makes an auth decorator (``jwt_required``, Flask-HTTPAuth's
#: ``login_required``) or ``verify_jwt_in_request`` let anonymous callers through.
OPTIONAL_AUTH_KEYWORD = "optional"
#: Flask-Security decorators that require nothing when called without a role or permission.
ROLE_LIST_DECORATORS = frozenset(
    f"flask_security.{name}" for name in ("roles_required", "roles_accepted",
                                          "permissions_required", "permissions_accepted")
)  # fmt: skip
#: More decorators that require an authenticated caller, known to the cross-file model only (they
#: are not recorded as auth patterns).
MORE_AUTH_DECORATORS = frozenset(
    {"flask_security.auth_token_required", "flask_security.http_auth_required",
     "flask_principal.Permission.require",
     # Flask-Allows (and its fork flask-allows2, FlaskBB's): the view runs only when its
     # requirements hold for the user
     "flask_allows.requires", "flask_allows.views.requires", "flask_allows2.requires",
     "flask_allows2.views.requires"}
)  # fmt: skip
#: Classes whose instances have a method that is an auth decorator (``allows =
#: Allows(...)``; ``@allows.requires(IsAdmin)``): class -> the method.
INSTANCE_AUTH_DECORATORS = {
    "flask_allows.Allows": "requires",
    "flask_allows.allows.Allows": "requires",
    "flask_allows2.Allows": "requires",
    "flask_allows2.allows.Allows": "requires",
}
#: The package of Flask-HTTPAuth, whose ``login_required`` is a method of an auth object.
HTTPAUTH_PACKAGE = "flask_httpauth"
#: Methods of a Flask-HTTPAuth object that require authentication when used as decorators.
HTTPAUTH_DECORATORS = frozenset({"login_required"})
#: Decorators (resolved) that require an authenticated caller, as the cross-file model judges a
#: view's decorators: every one above but Flask-HTTPAuth's methods (judged by their object).
LOGIN_DECORATORS = (
    frozenset(name for name, spec in AUTH_DECORATORS.items() if spec.framework != HTTPAUTH_PACKAGE)
    | MORE_AUTH_DECORATORS
)

#: Calls that make a view an authentication endpoint (it signs users in or issues tokens).
SIGN_IN_CALLS = frozenset(
    {"flask_login.login_user", "flask_login.utils.login_user",
     "flask_jwt_extended.create_access_token", "flask_jwt_extended.create_refresh_token",
     "werkzeug.security.check_password_hash", "flask_bcrypt.check_password_hash"}
)  # fmt: skip

#: Calls whose result says whether someone is signed in (``if not login_fresh(): return
#: current_app.login_manager.needs_refresh()``): the kind of identity they read.
IDENTITY_CALLS = {
    "flask_login.login_fresh": "current_user",
    "flask_login.utils.login_fresh": "current_user",
}
#: The identity a check in a view's body looks at.
CURRENT_USER = frozenset({"flask_login.current_user", "flask_login.utils.current_user"})
#: ``flask.g`` and the attributes that hold the signed-in user on it.
G = "flask.g"
G_USER_ATTRS = frozenset({"user", "current_user", "user_id", "identity"})
#: The session (``"user_id" in session``, ``session.get("user_id")``).
SESSION = "flask.session"
SESSION_GET = "flask.session.get"
#: Flask-HTTPAuth's ``auth.current_user()``.
HTTPAUTH_CURRENT_USER = "current_user"
JWT_CHECKS = frozenset(
    {"flask_jwt_extended.verify_jwt_in_request", "flask_jwt_extended.get_jwt_identity",
     "flask_jwt_extended.get_jwt", "flask_jwt_extended.get_current_user",
     "flask_jwt_extended.view_decorators.verify_jwt_in_request"}
)  # fmt: skip
#: The JWT check that rejects a request by itself (the others only read the identity).
JWT_VERIFY = "verify_jwt_in_request"
#: How a check rejects: abort with 401 / 403, raise one of these, disconnect a socket.
ABORTS = frozenset({"flask.abort", "werkzeug.exceptions.abort", "flask.helpers.abort"})
AUTH_STATUS = {401, 403}
AUTH_STATUS_NAMES = frozenset({"http.HTTPStatus.UNAUTHORIZED", "http.HTTPStatus.FORBIDDEN"})
AUTH_EXCEPTIONS = frozenset(
    {"werkzeug.exceptions.Unauthorized", "werkzeug.exceptions.Forbidden",
     "flask_login.unauthorized", "builtins.ConnectionRefusedError", "builtins.PermissionError"}
)  # fmt: skip
DISCONNECTS = frozenset({"flask_socketio.disconnect"})

# -- request data -------------------------------------------------------------------------------

#: The request object: what it holds comes from the client.
REQUEST = frozenset({"flask.request", "flask.globals.request"})

#: Attributes of the request that say which route is answered: a check made only when one of
#: them has some value guards only the routes that give it that value (``python_flask_auth_checks``
#: ``scope``; the judge evaluates it per route).
ROUTING_ATTRIBUTES = frozenset({"blueprint", "blueprints", "endpoint", "path", "method",
                                "view_args", "url_rule", "full_path"})  # fmt: skip
#: Constants of libraries a route condition compares with (``if request.method in
#: EXEMPT_METHODS``, Flask-Login's own ``login_required``): their values.
KNOWN_CONSTANTS: dict[str, tuple[str, ...]] = {
    "flask_login.config.EXEMPT_METHODS": ("OPTIONS",),
    "flask_login.utils.EXEMPT_METHODS": ("OPTIONS",),
}
#: Attributes of ``flask.request`` and the kind of data each reads.
REQUEST_ATTRIBUTES = {
    "form": "form", "files": "files", "json": "json", "data": "data", "args": "args",
    "values": "values", "cookies": "cookies", "headers": "headers", "get_json": "json",
    "get_data": "data",
}  # fmt: skip

# -- CSRF (Flask-WTF) ---------------------------------------------------------------------------

#: Flask-WTF's extension class: ``csrf = CSRFProtect(app)`` protects, ``csrf.exempt`` exempts.
CSRF_PROTECT_CLASSES = frozenset(
    name for name, ext in EXTENSIONS.items() if ext.canonical == "flask_wtf.csrf.CSRFProtect"
)
#: Configuration keys that switch Flask-WTF's protection on or off.
CSRF_SETTINGS: frozenset[str] = frozenset({"WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"})
#: Flask-WTF form base classes (a ``class Meta: csrf = False`` inside disables the form's token).
FLASK_FORMS: frozenset[str] = frozenset(
    {"flask_wtf.FlaskForm", "flask_wtf.form.FlaskForm", "flask_wtf.Form"}
)


# -- read by the checks of AUD402-404 (secret keys and cookie settings) --------------------------

SECRET_KEY_SETTINGS = {"SECRET_KEY": "session cookies", "JWT_SECRET_KEY": "JWTs"}

SECURE_COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": ("session", "SESSION_COOKIE_SECURE"),
    "REMEMBER_COOKIE_SECURE": ("remember-me", "REMEMBER_COOKIE_SECURE"),
    "SESSION_COOKIE_SAMESITE": ("session", "SESSION_COOKIE_SECURE"),
}

HTTPONLY_COOKIE_SETTINGS = {
    "SESSION_COOKIE_HTTPONLY": "session",
    "REMEMBER_COOKIE_HTTPONLY": "remember-me",
}
