"""Flask extractors (INVENTORY.md, Phase 2 Flask base and Phase 3 Block 1).

Apps and factories, blueprints and their registrations, routes and class-based views, request
hooks, error handlers, template filters, CLI commands, WebSocket handlers, extensions, CORS, rate
limits, cache decorators, configuration, and the auth checks inside function bodies.

How an object is recognised. ``app.route`` is a route when the semantic model says ``app`` is a
``flask.Flask`` (``app = Flask(__name__)``, ``def setup(app: Flask)``) or a ``flask.Blueprint``,
never because it is called ``app``. One file cannot always know: ``from . import bp`` or an
unannotated ``def register(app)`` leave the type unknown. Such rows are recorded with their
*reference* (see ``auditls.facts.flask``) and a ``None`` type, and ``auditls.models.flask``
confirms or drops them at query time by following the reference to its definition in another
file. An object whose type is known to be something else (``api = Api(app)`` of flask-restx,
``sock = Sock(app)``) is not taken for an app.

Every handler looks only at its own node and that node's direct parts (a decorator's call, a
call's arguments, a class body's statements); nothing walks a subtree.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator

from auditls.extractors.semantic import BUILTIN_NAMES, Context, literal_json
from auditls.extractors.walker import Extractor, register
from auditls.facts.flask import (
    FlaskAppFact,
    FlaskAppPassFact,
    FlaskAuthCheckFact,
    FlaskBlueprintFact,
    FlaskBlueprintRegistrationFact,
    FlaskCacheFact,
    FlaskCliCommandFact,
    FlaskConfigFact,
    FlaskCorsFact,
    FlaskErrorHandlerFact,
    FlaskExtensionFact,
    FlaskHookFact,
    FlaskRateLimitFact,
    FlaskRequestReadFact,
    FlaskRouteFact,
    FlaskTemplateFilterFact,
    FlaskViewClassFact,
    FlaskWebsocketFact,
)

# -- what the names are -----------------------------------------------------------------------

APP = "flask.Flask"
BLUEPRINT = "flask.Blueprint"
APP_OR_BLUEPRINT = frozenset({APP, BLUEPRINT})
ONLY_APP = frozenset({APP})

#: Import paths of the Flask classes -> the name the facts use.
CANONICAL: dict[str, str] = {
    "flask.Flask": APP,
    "flask.app.Flask": APP,
    "flask.sansio.app.App": APP,
    "flask.Blueprint": BLUEPRINT,
    "flask.blueprints.Blueprint": BLUEPRINT,
    "flask.sansio.blueprints.Blueprint": BLUEPRINT,
    "flask.views.View": "flask.views.View",
    "flask.views.MethodView": "flask.views.MethodView",
    "flask.cli.AppGroup": "flask.cli.AppGroup",
    "click.Group": "click.Group",
    "click.core.Group": "click.Group",
}


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
#: instance of one of their classes is not a candidate.
FOREIGN_PACKAGES = frozenset(
    {"builtins", "fastapi", "starlette", "quart", "sanic", "bottle", "aiohttp", "django",
     "tornado", "falcon", "pyramid", "werkzeug", "connexion", "socketio", "click", "typer",
     "celery", "sqlalchemy", "collections", "typing", "logging", "flask_restx",
     "flask_restful", "flask_smorest", "flask_appbuilder"}
)  # fmt: skip

ROUTE_VERBS = {"route": None, "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
               "delete": "DELETE"}  # fmt: skip
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

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

ERROR_HANDLERS = {"errorhandler": False, "app_errorhandler": True}

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
JINJA_COLLECTIONS = {"filters": "filter", "tests": "test", "globals": "global"}

CONFIG_SOURCES = frozenset(
    {"from_object", "from_pyfile", "from_envvar", "from_file", "from_prefixed_env"}
)
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

ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ.pop"})
ENV_MAPPINGS = frozenset({"os.environ"})
RANDOM_CALLS = frozenset(
    {"secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "os.urandom",
     "uuid.uuid4"}
)  # fmt: skip

CURRENT_USER = frozenset({"flask_login.current_user", "flask_login.utils.current_user"})
G_USER_ATTRS = frozenset({"user", "current_user", "user_id", "identity"})
JWT_CHECKS = frozenset(
    {"flask_jwt_extended.verify_jwt_in_request", "flask_jwt_extended.get_jwt_identity",
     "flask_jwt_extended.get_jwt", "flask_jwt_extended.get_current_user",
     "flask_jwt_extended.view_decorators.verify_jwt_in_request"}
)  # fmt: skip
ABORTS = frozenset({"flask.abort", "werkzeug.exceptions.abort", "flask.helpers.abort"})
AUTH_STATUS = {401, 403}
AUTH_STATUS_NAMES = frozenset({"http.HTTPStatus.UNAUTHORIZED", "http.HTTPStatus.FORBIDDEN"})
AUTH_EXCEPTIONS = frozenset(
    {"werkzeug.exceptions.Unauthorized", "werkzeug.exceptions.Forbidden",
     "flask_login.unauthorized", "builtins.ConnectionRefusedError", "builtins.PermissionError"}
)  # fmt: skip
DISCONNECTS = frozenset({"flask_socketio.disconnect"})


# -- references -------------------------------------------------------------------------------


def canonical(qualname: str | None) -> str | None:
    """The name the facts use for a class or type: Flask classes by one import path."""
    if qualname is None:
        return None
    found = CANONICAL.get(qualname)
    if found is not None:
        return found
    ext = EXTENSIONS.get(qualname)
    return ext.canonical if ext is not None else qualname


def var_ref(scope_kind: str, scope_qualname: str, name: str) -> str:
    """The reference of a name bound in a scope (see ``auditls.facts.flask``)."""
    if scope_kind in ("function", "lambda"):
        return f"{scope_qualname}.<locals>.{name}"
    return f"{scope_qualname}.{name}"


def ref_of(ctx: Context, expr: ast.AST) -> tuple[str | None, str | None]:
    """``(reference, type)`` of an expression that names an object; ``(None, None)`` when it
    names nothing the model can follow."""
    if isinstance(expr, ast.Name):
        found = ctx.lookup(expr.id)
        if found is None:
            if ctx.star_imports and expr.id not in BUILTIN_NAMES:
                return f"{ctx.module}.{expr.id}", None  # from a star import: the model follows it
            return None, None
        binding, scope = found
        if binding.kind == "import" or binding.qualname is not None:
            return binding.qualname, None
        return var_ref(scope.kind, scope.qualname, expr.id), canonical(binding.instance_of)
    if isinstance(expr, ast.Attribute):
        return ctx.qualname(expr), None
    if isinstance(expr, ast.Call):
        return None, canonical(ctx.qualname(expr.func))
    return None, None


def target_ref(ctx: Context, node: ast.AST) -> str | None:
    """The reference of the variable the value ``node`` is assigned to, when the statement
    being walked is ``name = node`` (or ``name: T = node``)."""
    if not ctx.stmts:
        return None
    stmt = ctx.stmts[-1]
    target: ast.AST | None = None
    if isinstance(stmt, ast.Assign) and stmt.value is node and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is node:
        target = stmt.target
    if not isinstance(target, ast.Name):
        return None
    scope = ctx.scope
    if target.id in scope.globals and scope.kind != "module":
        scope = ctx.scopes[0]
    return var_ref(scope.kind, scope.qualname, target.id)


def acceptable(ctx: Context, ref: str | None, type_: str | None, wanted: frozenset[str]) -> bool:
    """Whether an owner may be one of ``wanted``: its type is one of them, or unknown here (a
    candidate the model confirms), or the result of a call the model may link to a factory.
    An instance of a class of this file (``self``) or of a known library class is not."""
    if type_ is None:
        return ref is not None
    if type_ in wanted:
        return True
    if type_ in CANONICAL.values() or type_ in EXTENSIONS or type_ in ctx.class_scopes:
        return False
    top = type_.partition(".")[0]
    return top not in FOREIGN_PACKAGES and not top.startswith("flask")


def known_or_unknown(ref: str | None, type_: str | None, wanted: frozenset[str]) -> bool:
    """For extension objects: the type is one of ``wanted``, or unknown here (an import)."""
    return (type_ in wanted) if type_ is not None else ref is not None


# -- arguments --------------------------------------------------------------------------------


def argument(call: ast.Call, position: int | None, *keywords: str) -> ast.expr | None:
    """The argument at ``position`` or named by one of ``keywords``; None when not passed."""
    for kw in call.keywords:
        if kw.arg is not None and kw.arg in keywords:
            return kw.value
    if position is not None and 0 <= position < len(call.args):
        arg = call.args[position]
        if not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return arg
    return None


def literal(node: ast.AST | None) -> object:
    """The Python value of a literal argument, or None (also for a literal None)."""
    text = literal_json(node)
    return None if text is None else json.loads(text)


def literal_str(node: ast.AST | None) -> str | None:
    value = literal(node)
    return value if isinstance(value, str) else None


def literal_strs(node: ast.AST | None) -> tuple[str, ...] | None:
    """A literal string or list/tuple/set of strings as a tuple; None when not literal."""
    value = literal(node)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def literal_bool(node: ast.AST | None) -> bool | None:
    value = literal(node)
    return value if isinstance(value, bool) else None


def keyword_texts(ctx: Context, call: ast.Call, skip: Iterable[str] = ()) -> tuple[str, ...]:
    skipped = frozenset(skip)
    return tuple(
        f"{kw.arg}={ctx.text_of(kw.value)}" if kw.arg else f"**{ctx.text_of(kw.value)}"
        for kw in call.keywords
        if kw.arg not in skipped
    )


def text(ctx: Context, node: ast.AST | None) -> str | None:
    return ctx.text_of(node) if node is not None else None


def split_decorator(d: ast.expr) -> tuple[ast.expr, str, ast.Call | None] | None:
    """``(receiver, method, call)`` of ``@receiver.method`` or ``@receiver.method(...)``."""
    call = d if isinstance(d, ast.Call) else None
    func = d.func if isinstance(d, ast.Call) else d
    if isinstance(func, ast.Attribute):
        return func.value, func.attr, call
    return None


def decorator_names(ctx: Context, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """Each decorator resolved (as written when unresolved), outermost first."""
    out = []
    for d in node.decorator_list:
        func = d.func if isinstance(d, ast.Call) else d
        out.append(ctx.qualname(func) or ctx.text_of(func))
    return tuple(out)


def env_var_of(ctx: Context, node: ast.AST) -> tuple[bool, str | None, ast.expr | None]:
    """Whether ``node`` reads the environment; the variable's name; the literal fallback."""
    if isinstance(node, ast.Call):
        callee = ctx.qualname(node.func)
        if callee in ENV_GETTERS:
            default = argument(node, 1, "default")
            return True, literal_str(argument(node, 0, "key")), default
        return False, None, None
    if isinstance(node, ast.Subscript) and ctx.qualname(node.value) in ENV_MAPPINGS:
        return True, literal_str(node.slice), None
    return False, None, None


def classify_value(ctx: Context, node: ast.expr) -> tuple[str, str | None, str | None]:
    """``(source, value JSON, env var)`` of a configuration value (see CONFIG_SOURCES).

    Looks through the few shapes configuration code takes: ``os.environ.get("K", "dev")``,
    ``os.environ.get("K") or "dev"``, ``int(os.environ["K"])``,
    ``os.getenv("K", "0").lower() in ("1", "true")``, ``secrets.token_hex(32)``.
    """
    value = literal_json(node)
    if value is not None:
        return "literal", value, None
    current: ast.expr = node
    fallback: ast.expr | None = None
    for _ in range(6):  # a few layers of conversion, comparison and `or` fallbacks
        is_env, var, default = env_var_of(ctx, current)
        if is_env:
            chosen = default if default is not None else fallback
            fallback_json = literal_json(chosen) if chosen is not None else None
            if fallback_json is not None and fallback_json != "null":
                return "env_default", fallback_json, var
            return "env", None, var
        if isinstance(current, ast.BoolOp) and isinstance(current.op, ast.Or):
            last = current.values[-1]
            fallback = last if literal_json(last) is not None else None
            current = current.values[0]
        elif isinstance(current, ast.Call):
            if ctx.qualname(current.func) in RANDOM_CALLS:
                return "random", None, None
            if isinstance(current.func, ast.Attribute) and not current.args:
                current = current.func.value  # os.environ.get("K", "").lower()
            elif len(current.args) == 1:
                current = current.args[0]  # int(...), str(uuid.uuid4())
            else:
                break
        elif isinstance(current, ast.Compare):
            current = current.left
        else:
            break
    return "unknown", None, None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_config_key(name: str) -> bool:
    return name.isupper() and (name in FLASK_KEYS or name.startswith(CONFIG_PREFIXES))


# -- the extractors ---------------------------------------------------------------------------


class _FlaskExtractor(Extractor):
    """Shared by the Flask extractors: skip files that mention neither flask nor one of the
    calls that register on an app defined elsewhere (``from app import app; @app.route``)."""

    modules = frozenset(
        {"flask", "route(", "before_request", "after_request", "teardown_request",
         "before_app_request", "register_blueprint", "add_url_rule", "errorhandler", "init_app",
         "socketio", ".config[", ".config.from_", ".config.update"}
    )  # fmt: skip


@register
class AppFactoriesExtractor(_FlaskExtractor):
    """extract_flask_app_factories: apps, factories, blueprints, registrations, app passes."""

    name = "flask.app_factories"
    fact_types = (
        FlaskAppFact,
        FlaskBlueprintFact,
        FlaskBlueprintRegistrationFact,
        FlaskAppPassFact,
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.apps: list[tuple[ast.Call, dict[str, object]]] = []
        self.returned: set[tuple[str, str]] = set()  # (function, reference returned)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = canonical(ctx.qualname(func))
        if callee == APP:
            stmt = ctx.stmts[-1] if ctx.stmts else None
            ref = target_ref(ctx, node)
            direct_return = isinstance(stmt, ast.Return) and stmt.value is node
            self.apps.append((node, {
                **ctx.pos(node),
                "function": ctx.function,
                "ref": ref,
                "app_class": callee,
                "import_name": text(ctx, argument(node, 0, "import_name")),
                "factory": ctx.function if direct_return else None,
                "options": keyword_texts(ctx, node, ("import_name",)),
            }))  # fmt: skip
        elif callee == BLUEPRINT:
            name_arg = argument(node, 0, "name")
            self.emit(
                FlaskBlueprintFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    ref=target_ref(ctx, node),
                    name=literal_str(name_arg),
                    name_text=text(ctx, name_arg) or "",
                    url_prefix=literal_str(argument(node, None, "url_prefix")),
                    subdomain=literal_str(argument(node, None, "subdomain")),
                    options=keyword_texts(ctx, node),
                )
            )
        elif isinstance(func, ast.Attribute) and func.attr == "register_blueprint":
            owner, owner_type = ref_of(ctx, func.value)
            bp_arg = argument(node, 0, "blueprint")
            if bp_arg is None or not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                return
            prefix = argument(node, None, "url_prefix")
            self.emit(
                FlaskBlueprintRegistrationFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    owner=owner,
                    owner_type=owner_type,
                    blueprint=ref_of(ctx, bp_arg)[0],
                    blueprint_text=ctx.text_of(bp_arg),
                    url_prefix=literal_str(prefix),
                    url_prefix_text=text(ctx, prefix),
                    name=literal_str(argument(node, None, "name")),
                    options=keyword_texts(ctx, node),
                )
            )
        else:
            self._passes(node)

    def _passes(self, node: ast.Call) -> None:
        """A plain function called with an app or blueprint: ``register_blueprints(app)``."""
        ctx = self.ctx
        func = node.func
        if isinstance(func, ast.Name):
            found = ctx.lookup(func.id)
            if found is None or found[0].kind not in ("def", "import"):
                return
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found = ctx.lookup(func.value.id)
            if found is None or found[0].kind != "import":
                return
        else:
            return
        callee = ctx.qualname(func)
        if callee is None or callee in EXTENSIONS or callee.endswith(".init_app"):
            return
        top = callee.partition(".")[0]
        if top in FOREIGN_PACKAGES or top.startswith("flask"):
            return  # a library call (CORS(app), flask_migrate.upgrade()): not a project helper
        args: list[tuple[int, str | None, ast.expr]] = [
            (i, None, a) for i, a in enumerate(node.args) if not isinstance(a, ast.Starred)
        ]
        args += [(-1, kw.arg, kw.value) for kw in node.keywords if kw.arg is not None]
        for position, keyword, value in args:
            ref, type_ = ref_of(ctx, value)
            if ref is None or type_ not in APP_OR_BLUEPRINT:
                continue
            assert type_ is not None
            self.emit(
                FlaskAppPassFact(
                    **ctx.pos(value),
                    function=ctx.function,
                    callee=callee,
                    position=position,
                    keyword=keyword,
                    ref=ref,
                    ref_type=type_,
                )
            )

    def visit_Return(self, node: ast.Return) -> None:
        if isinstance(node.value, ast.Name):
            ref, _ = ref_of(self.ctx, node.value)
            if ref is not None:
                self.returned.add((self.ctx.function, ref))

    def finish(self) -> None:
        for _node, fields in self.apps:
            ref = fields["ref"]
            function = fields["function"]
            if fields["factory"] is None and (function, ref) in self.returned:
                fields["factory"] = function
            self.emit(FlaskAppFact(**fields))  # type: ignore[arg-type]


@register
class RoutesExtractor(_FlaskExtractor):
    """Routes (decorators and add_url_rule) and class-based views (Phase 2 Flask base)."""

    name = "flask.routes"
    fact_types = (FlaskRouteFact, FlaskViewClassFact)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.view_classes: dict[str, str] = {}  # view classes of this file -> their Flask base

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        decorators: tuple[str, ...] | None = None
        for position, d in enumerate(node.decorator_list):
            parts = split_decorator(d)
            if parts is None:
                continue
            receiver, method, call = parts
            if method not in ROUTE_VERBS or call is None:
                continue
            owner, owner_type = ref_of(ctx, receiver)
            if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                continue
            if decorators is None:
                decorators = decorator_names(ctx, node)
            rule = argument(call, 0, "rule")
            verb = ROUTE_VERBS[method]
            methods, methods_from = self._methods(call, verb)
            self.emit(
                FlaskRouteFact(
                    **ctx.pos(d),
                    function=ctx.function,
                    owner=owner,
                    owner_type=owner_type,
                    api=method,
                    rule=literal_str(rule),
                    rule_text=text(ctx, rule) or "",
                    methods=methods,
                    methods_from=methods_from,
                    endpoint=literal_str(argument(call, None, "endpoint")),
                    view=ctx.def_qualname(node),
                    view_kind="function",
                    decorators=decorators,
                    position=position,
                    is_async=isinstance(node, ast.AsyncFunctionDef),
                    options=keyword_texts(ctx, call, ("rule", "methods", "endpoint")),
                )
            )

    @staticmethod
    def _methods(call: ast.Call, verb: str | None) -> tuple[tuple[str, ...], str]:
        if verb is not None:
            return (verb,), "verb"
        given = argument(call, None, "methods")
        if given is None:
            return ("GET",), "default"
        values = literal_strs(given)
        if values is None:
            return (), "dynamic"
        return tuple(v.upper() for v in values), "literal"

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "add_url_rule":
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            return
        rule = argument(node, 0, "rule")
        endpoint = literal_str(argument(node, 1, "endpoint"))
        view_arg = argument(node, 2, "view_func")
        view: str | None = None
        view_kind = "unknown"
        wrappers: tuple[str, ...] = ()
        if isinstance(view_arg, ast.Call):
            inner = view_arg.func
            if isinstance(inner, ast.Attribute) and inner.attr == "as_view":
                view, view_kind = ctx.qualname(inner.value), "class"
                endpoint = endpoint or literal_str(argument(view_arg, 0, "name"))
            elif view_arg.args:  # login_required(index): a wrapped view function
                wrappers = (ctx.qualname(inner) or ctx.text_of(inner),)
                view = ctx.qualname(view_arg.args[0])
                view_kind = "function" if view is not None else "unknown"
        elif view_arg is not None:
            view = ctx.qualname(view_arg)
            view_kind = "function" if view is not None else "unknown"
        given = argument(node, None, "methods")
        if given is not None:
            values = literal_strs(given)
            methods = tuple(v.upper() for v in values) if values is not None else ()
            methods_from = "literal" if values is not None else "dynamic"
        elif view_kind == "class":
            methods, methods_from = (), "view_class"
        else:
            methods, methods_from = ("GET",), "default"
        self.emit(
            FlaskRouteFact(
                **ctx.pos(node),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                api="add_url_rule",
                rule=literal_str(rule),
                rule_text=text(ctx, rule) or "",
                methods=methods,
                methods_from=methods_from,
                endpoint=endpoint,
                view=view,
                view_kind=view_kind,
                decorators=wrappers,
                position=-1,
                is_async=False,
                options=keyword_texts(ctx, node, ("rule", "endpoint", "view_func", "methods")),
            )
        )

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        base: str | None = None
        for b in node.bases:
            name = canonical(ctx.qualname(b))
            if name in ("flask.views.View", "flask.views.MethodView"):
                base = name
            elif name in self.view_classes:
                base = self.view_classes[name]
            if base is not None:
                break
        if base is None:
            return
        qualname = ctx.def_qualname(node)
        self.view_classes[qualname] = base
        handlers: list[str] = []
        methods: tuple[str, ...] = ()
        decorators: tuple[str, ...] = ()
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                if stmt.name in HTTP_METHODS:
                    handlers.append(stmt.name.upper())
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                if target.id == "methods":
                    values = literal_strs(stmt.value)
                    methods = tuple(v.upper() for v in values) if values else ()
                elif target.id == "decorators" and isinstance(stmt.value, ast.List | ast.Tuple):
                    decorators = tuple(
                        ctx.qualname(e.func if isinstance(e, ast.Call) else e) or ctx.text_of(e)
                        for e in stmt.value.elts
                    )
        self.emit(
            FlaskViewClassFact(
                **ctx.pos(node),
                qualname=qualname,
                base=base,
                handlers=tuple(handlers),
                methods=methods,
                decorators=decorators,
            )
        )


class _DecoratorAndCall(_FlaskExtractor):
    """Extractors that read both ``@owner.method`` decorators and ``owner.method(f)`` calls
    remember the decorators' call nodes so that the calls handler does not count them twice."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.decorator_calls: set[int] = set()

    def remember(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for d in node.decorator_list:
            if isinstance(d, ast.Call):
                self.decorator_calls.add(id(d))


@register
class RequestHooksExtractor(_DecoratorAndCall):
    """extract_flask_request_hooks: before/after/teardown hooks, context processors, URL hooks."""

    name = "flask.request_hooks"
    fact_types = (FlaskHookFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in HOOKS:
                continue
            owner, owner_type = ref_of(ctx, parts[0])
            if acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                self._emit(
                    d, parts[1], owner, owner_type, ctx.def_qualname(node), node.name, "decorator"
                )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            not isinstance(func, ast.Attribute)
            or func.attr not in HOOKS
            or id(node) in self.decorator_calls
            or len(node.args) != 1
        ):
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            arg = node.args[0]
            self._emit(
                node, func.attr, owner, owner_type, ctx.qualname(arg), ctx.text_of(arg), "call"
            )

    def _emit(
        self, at: ast.AST, api: str, owner: str | None, owner_type: str | None,
        target: str | None, target_text: str, form: str,
    ) -> None:  # fmt: skip
        hook, app_variant = HOOKS[api]
        self.emit(
            FlaskHookFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                owner=owner,
                owner_type=owner_type,
                hook=hook,
                api=api,
                app_wide=app_variant or owner_type == APP,
                target=target,
                target_text=target_text,
                form=form,
            )
        )


@register
class ErrorHandlersExtractor(_DecoratorAndCall):
    """extract_flask_error_handlers: errorhandler, app_errorhandler, register_error_handler."""

    name = "flask.error_handlers"
    fact_types = (FlaskErrorHandlerFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in ERROR_HANDLERS:
                continue
            receiver, method, call = parts
            if call is None:
                continue
            owner, owner_type = ref_of(ctx, receiver)
            spec = argument(call, 0, "code_or_exception")
            if spec is not None and acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                app_wide = ERROR_HANDLERS[method] or owner_type == APP
                self._emit(
                    d, owner, owner_type, spec, app_wide, ctx.def_qualname(node), "decorator"
                )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "register_error_handler":
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        spec = argument(node, 0, "code_or_exception")
        handler = argument(node, 1, "f")
        if (
            spec is None
            or handler is None
            or not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT)
        ):
            return
        self._emit(node, owner, owner_type, spec, owner_type == APP, ctx.qualname(handler), "call")

    def _emit(
        self, at: ast.AST, owner: str | None, owner_type: str | None, spec: ast.expr,
        app_wide: bool, target: str | None, form: str,
    ) -> None:  # fmt: skip
        ctx = self.ctx
        code = literal(spec)
        self.emit(
            FlaskErrorHandlerFact(
                **ctx.pos(at),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                exception=None if isinstance(spec, ast.Constant) else ctx.qualname(spec),
                spec_text=ctx.text_of(spec),
                app_wide=app_wide,
                target=target,
                form=form,
            )
        )


@register
class TemplateFiltersExtractor(_DecoratorAndCall):
    """extract_flask_template_filters: filters, tests and globals (decorators, add_*, jinja_env)."""

    name = "flask.template_filters"
    fact_types = (FlaskTemplateFilterFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in TEMPLATE_DECORATORS:
                continue
            receiver, method, call = parts
            owner, owner_type = ref_of(ctx, receiver)
            if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                continue
            kind, app_variant = TEMPLATE_DECORATORS[method]
            name = literal_str(argument(call, 0, "name")) if call is not None else None
            self._emit(
                d, owner, owner_type, kind, name, ctx.def_qualname(node), node.name,
                app_variant or owner_type == APP, "decorator",
            )  # fmt: skip

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            not isinstance(func, ast.Attribute)
            or func.attr not in TEMPLATE_CALLS
            or id(node) in self.decorator_calls
        ):
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        fn = argument(node, 0, "f")
        if fn is None or not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            return
        kind, app_variant = TEMPLATE_CALLS[func.attr]
        self._emit(
            node, owner, owner_type, kind, literal_str(argument(node, 1, "name")),
            ctx.qualname(fn), ctx.text_of(fn), app_variant or owner_type == APP, "call",
        )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        """``app.jinja_env.filters["name"] = function``."""
        ctx = self.ctx
        for target in node.targets:
            if not isinstance(target, ast.Subscript):
                continue
            collection = target.value
            if not (
                isinstance(collection, ast.Attribute)
                and collection.attr in JINJA_COLLECTIONS
                and isinstance(collection.value, ast.Attribute)
                and collection.value.attr == "jinja_env"
            ):
                continue
            owner, owner_type = ref_of(ctx, collection.value.value)
            if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                continue
            self._emit(
                target, owner, owner_type, JINJA_COLLECTIONS[collection.attr],
                literal_str(target.slice), ctx.qualname(node.value), ctx.text_of(node.value),
                True, "jinja_env",
            )  # fmt: skip

    def _emit(
        self, at: ast.AST, owner: str | None, owner_type: str | None, kind: str,
        name: str | None, target: str | None, target_text: str, app_wide: bool, form: str,
    ) -> None:  # fmt: skip
        self.emit(
            FlaskTemplateFilterFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                owner=owner,
                owner_type=owner_type,
                kind=kind,
                name=name,
                target=target,
                target_text=target_text,
                app_wide=app_wide,
                form=form,
            )
        )


CLI_GROUPS = frozenset({"flask.cli.AppGroup", "click.Group"})


@register
class CliCommandsExtractor(_DecoratorAndCall):
    """extract_flask_cli_commands: app.cli / bp.cli commands and groups, AppGroup commands,
    ``add_command``."""

    name = "flask.cli_commands"
    fact_types = (FlaskCliCommandFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.groups: set[str] = set()  # functions of this file made into command groups

    def _owner(self, receiver: ast.expr) -> tuple[str | None, str | None, bool]:
        """The owner of ``receiver.command``: ``app.cli`` gives the app; an AppGroup itself."""
        ctx = self.ctx
        if isinstance(receiver, ast.Attribute) and receiver.attr == "cli":
            owner, owner_type = ref_of(ctx, receiver.value)
            return owner, owner_type, acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT)
        owner, owner_type = ref_of(ctx, receiver)
        if owner is not None and owner in self.groups:
            return owner, "click.Group", True
        return owner, owner_type, owner is not None and owner_type in CLI_GROUPS

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in ("command", "group"):
                continue
            receiver, method, call = parts
            owner, owner_type, ok = self._owner(receiver)
            if not ok:
                continue
            name = literal_str(argument(call, 0, "name")) if call is not None else None
            if method == "group":
                self.groups.add(ctx.def_qualname(node))
            self.emit(
                FlaskCliCommandFact(
                    **ctx.pos(d),
                    function=ctx.function,
                    owner=owner,
                    owner_type=owner_type,
                    kind=method,
                    name=name,
                    target=ctx.def_qualname(node),
                    form="decorator",
                )
            )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "add_command":
            return
        owner, owner_type, ok = self._owner(func.value)
        cmd = argument(node, 0, "cmd")
        if not ok or cmd is None:
            return
        ctx = self.ctx
        self.emit(
            FlaskCliCommandFact(
                **ctx.pos(node),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                kind="add_command",
                name=literal_str(argument(node, 1, "name")),
                target=ref_of(ctx, cmd)[0],
                form="call",
            )
        )


SOCKETIO_DECORATORS = frozenset({"on", "event", "on_error", "on_error_default"})


@register
class WebsocketHandlersExtractor(_DecoratorAndCall):
    """extract_flask_websocket_handlers: Flask-SocketIO events and namespaces, flask-sock."""

    name = "flask.websocket_handlers"
    fact_types = (FlaskWebsocketFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.namespace_classes: set[str] = set()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        for b in node.bases:
            base = ctx.qualname(b)
            if base in SOCKETIO_NAMESPACES or base in self.namespace_classes:
                self.namespace_classes.add(ctx.def_qualname(node))
                return

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        decorators: tuple[str, ...] | None = None
        scope = ctx.scope
        if scope.kind == "class" and scope.qualname in self.namespace_classes:
            if node.name.startswith("on_") and len(node.name) > 3:
                decorators = decorator_names(ctx, node)
                self._emit(
                    node, "flask_socketio", scope.qualname, "flask_socketio.Namespace",
                    "namespace_method", node.name[3:], None, ctx.def_qualname(node), decorators,
                )  # fmt: skip
            return
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None:
                continue
            receiver, method, call = parts
            owner, owner_type = ref_of(ctx, receiver)
            if method in SOCKETIO_DECORATORS and known_or_unknown(owner, owner_type, SOCKETIOS):
                library = "flask_socketio"
            elif method == "route" and owner_type in SOCKS and call is not None:
                library = "flask_sock"
            else:
                continue
            if decorators is None:
                decorators = decorator_names(ctx, node)
            event: str | None = None
            namespace: str | None = None
            if method == "on" and call is not None:
                event = literal_str(argument(call, 0, "message"))
                namespace = literal_str(argument(call, 1, "namespace"))
            elif method == "event":
                event = node.name
                namespace = literal_str(argument(call, None, "namespace")) if call else None
            elif method == "on_error" and call is not None:
                namespace = literal_str(argument(call, 0, "namespace"))
            elif method == "route" and call is not None:
                event = literal_str(argument(call, 0, "path"))
            self._emit(
                d, library, owner, owner_type, method, event, namespace, ctx.def_qualname(node),
                decorators,
            )  # fmt: skip

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in ("on_event", "on_namespace"):
            return
        if id(node) in self.decorator_calls:
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if not known_or_unknown(owner, owner_type, SOCKETIOS):
            return
        if func.attr == "on_event":
            handler = argument(node, 1, "handler")
            self._emit(
                node, "flask_socketio", owner, owner_type, "on_event",
                literal_str(argument(node, 0, "message")),
                literal_str(argument(node, 2, "namespace")),
                ctx.qualname(handler) if handler is not None else None, (),
            )  # fmt: skip
            return
        instance = argument(node, 0, "namespace_handler")
        if isinstance(instance, ast.Call):
            self._emit(
                node, "flask_socketio", owner, owner_type, "on_namespace", None,
                literal_str(argument(instance, 0, "namespace")), ctx.qualname(instance.func), (),
            )  # fmt: skip

    def _emit(
        self, at: ast.AST, library: str, owner: str | None, owner_type: str | None, form: str,
        event: str | None, namespace: str | None, handler: str | None,
        decorators: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.emit(
            FlaskWebsocketFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                library=library,
                owner=owner,
                owner_type=owner_type,
                form=form,
                event=event,
                namespace=namespace,
                handler=handler,
                decorators=decorators,
            )
        )


@register
class ExtensionsExtractor(_FlaskExtractor):
    """extract_flask_extensions: constructions, init_app, settings and callbacks."""

    name = "flask.extensions"
    fact_types = (FlaskExtensionFact,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = ctx.qualname(func)
        spec = EXTENSIONS.get(callee) if callee is not None else None
        if spec is not None:
            app_arg = argument(node, spec.app_position, "app")
            if app_arg is None and spec.app_position is None and node.args:
                first = node.args[0]
                if not isinstance(first, ast.Starred) and ref_of(ctx, first)[1] == APP:
                    app_arg = first  # Flask-Limiter before 3: Limiter(app, key_func=...)
            app, app_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._emit(
                node, spec.kind, spec.canonical, target_ref(ctx, node), "constructor", app,
                app_type, None, None, keyword_texts(ctx, node, ("app",)),
            )  # fmt: skip
            return
        if isinstance(func, ast.Attribute) and func.attr == "init_app":
            ref, type_ = ref_of(ctx, func.value)
            ext = EXTENSIONS.get(type_) if type_ is not None else None
            if ext is None and (type_ is not None or ref is None):
                return
            app_arg = argument(node, 0, "app")
            app, app_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._emit(
                node, ext.kind if ext else None, ext.canonical if ext else None, ref, "init_app",
                app, app_type, None, None, keyword_texts(ctx, node, ("app",)),
            )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        """``login_manager.login_view = "auth.login"``."""
        ctx = self.ctx
        for target in node.targets:
            if not isinstance(target, ast.Attribute):
                continue
            ref, type_ = ref_of(ctx, target.value)
            ext = EXTENSIONS.get(type_) if type_ is not None else None
            if ext is None and not (type_ is None and ref and target.attr in EXTENSION_SETTINGS):
                continue
            self._emit(
                target, ext.kind if ext else None, ext.canonical if ext else None, ref,
                "setting", None, None, target.attr, ctx.text_of(node.value), (),
            )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """``@login_manager.user_loader``, ``@auth.verify_password``, ``@jwt.*_loader``."""
        ctx = self.ctx
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in EXTENSION_CALLBACKS:
                continue
            ref, type_ = ref_of(ctx, parts[0])
            ext = EXTENSIONS.get(type_) if type_ is not None else None
            if ext is None and (type_ is not None or ref is None):
                continue
            self._emit(
                d, ext.kind if ext else None, ext.canonical if ext else None, ref, "callback",
                None, None, parts[1], ctx.def_qualname(node), (),
            )  # fmt: skip

    def _emit(
        self, at: ast.AST, kind: str | None, ext_class: str | None, ref: str | None, form: str,
        app: str | None, app_type: str | None, option: str | None, value: str | None,
        options: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.emit(
            FlaskExtensionFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                kind=kind,
                ext_class=ext_class,
                ref=ref,
                form=form,
                app=app,
                app_type=app_type,
                option=option,
                value=value,
                options=options,
            )
        )


CORS_KEYWORDS = frozenset({"origins", "resources", "supports_credentials"})


class _Origins:
    """Where a CORS policy's origins come from."""

    __slots__ = ("key", "origins", "source")

    def __init__(self, origins: tuple[str, ...], source: str, key: str | None = None) -> None:
        self.origins = origins
        self.source = source
        self.key = key


@register
class CorsConfigsExtractor(_FlaskExtractor):
    """extract_flask_cors_configs: CORS(app), init_app, @cross_origin, SocketIO origins."""

    name = "flask.cors_configs"
    fact_types = (FlaskCorsFact,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = canonical(ctx.qualname(func))
        if callee in CORS_EXTS:
            app_arg = argument(node, 0, "app")
            if app_arg is None and not node.keywords:
                return  # `cors = CORS()`: the policy comes with init_app
            target, target_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._policy(node, node, "extension", target, target_type)
        elif callee in SOCKETIOS:
            self._socketio(node, node)
        elif isinstance(func, ast.Attribute) and func.attr == "init_app":
            _, type_ = ref_of(ctx, func.value)
            keywords = {kw.arg for kw in node.keywords}
            if type_ in SOCKETIOS or (type_ is None and "cors_allowed_origins" in keywords):
                self._socketio(node, node)
                return
            if type_ not in CORS_EXTS and (type_ is not None or not keywords & CORS_KEYWORDS):
                return
            app_arg = argument(node, 0, "app")
            target, target_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._policy(node, node, "init_app", target, target_type)

    def _socketio(self, at: ast.AST, call: ast.Call) -> None:
        origins_arg = argument(call, None, "cors_allowed_origins")
        if origins_arg is None:
            return  # python-socketio's default is same-origin only
        app_arg = argument(call, 0, "app")
        ctx = self.ctx
        target, target_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
        self._emit(
            at, "socketio", target, target_type, self._origins(origins_arg),
            literal_bool(argument(call, None, "cors_credentials")), (),
            keyword_texts(ctx, call, ("app",)),
        )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        for d in node.decorator_list:
            func = d.func if isinstance(d, ast.Call) else d
            if canonical(ctx.qualname(func)) not in CROSS_ORIGIN:
                continue
            call = d if isinstance(d, ast.Call) else None
            self._policy(d, call, "decorator", ctx.def_qualname(node), None)

    def _origins(self, node: ast.expr | None) -> _Origins:
        if node is None:
            return _Origins(("*",), "default")
        values = literal_strs(node)
        if values is not None:
            return _Origins(values, "literal")
        key = self._config_key(node)
        if key is not None:
            return _Origins((), "config", key)
        source, _, _ = classify_value(self.ctx, node)
        return _Origins((), "env" if source in ("env", "env_default") else "dynamic")

    def _config_key(self, node: ast.expr) -> str | None:
        """``app.config["CORS_ORIGINS"]`` or ``app.config.get("CORS_ORIGINS")``: the key."""
        if isinstance(node, ast.Subscript):
            holder: ast.expr = node.value
            key = literal_str(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
        ):
            holder = node.func.value
            key = literal_str(argument(node, 0, "key"))
        else:
            return None
        if isinstance(holder, ast.Attribute) and holder.attr == "config":
            return key
        return None

    def _policy(
        self, at: ast.AST, call: ast.Call | None, form: str, target: str | None,
        target_type: str | None,
    ) -> None:  # fmt: skip
        """A flask-cors policy; origins default to "*" (flask-cors allows any origin unless the
        app's CORS_ORIGINS setting says otherwise)."""
        origins_arg = argument(call, None, "origins") if call is not None else None
        origins = self._origins(origins_arg)
        resources: tuple[str, ...] = ()
        resources_arg = argument(call, None, "resources") if call is not None else None
        if isinstance(resources_arg, ast.Dict):
            patterns: list[str] = []
            per_resource: list[_Origins] = []
            for key, value in zip(resources_arg.keys, resources_arg.values, strict=True):
                pattern = literal_str(key)
                if pattern is not None:
                    patterns.append(pattern)
                if isinstance(value, ast.Dict):
                    for k, v in zip(value.keys, value.values, strict=True):
                        if literal_str(k) == "origins":
                            per_resource.append(self._origins(v))
            resources = tuple(patterns)
            if per_resource and origins_arg is None:
                origins = self._merge(per_resource)
        elif resources_arg is not None:
            resources = literal_strs(resources_arg) or ()
        credentials = argument(call, None, "supports_credentials") if call is not None else None
        self._emit(
            at, form, target, target_type, origins, literal_bool(credentials), resources,
            keyword_texts(self.ctx, call, ("app",)) if call is not None else (),
        )  # fmt: skip

    @staticmethod
    def _merge(parts: list[_Origins]) -> _Origins:
        """The origins of several resources: literal only when every one is literal."""
        if all(p.source == "literal" for p in parts):
            return _Origins(tuple(dict.fromkeys(o for p in parts for o in p.origins)), "literal")
        for source in ("config", "env", "dynamic"):
            for p in parts:
                if p.source == source:
                    return p
        return parts[0]

    def _emit(
        self, at: ast.AST, form: str, target: str | None, target_type: str | None,
        origins: _Origins, credentials: bool | None, resources: tuple[str, ...],
        options: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.emit(
            FlaskCorsFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                form=form,
                target=target,
                target_type=target_type,
                origins=origins.origins,
                origins_from=origins.source,
                origins_key=origins.key,
                supports_credentials=credentials,
                resources=resources,
                options=options,
            )
        )


@register
class RateLimitsExtractor(_DecoratorAndCall):
    """extract_flask_rate_limits: limit, shared_limit, exempt, default and application limits."""

    name = "flask.rate_limits"
    fact_types = (FlaskRateLimitFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.handled: set[int] = set()

    def _limiter(self, expr: ast.expr) -> tuple[str | None, str | None, bool]:
        ref, type_ = ref_of(self.ctx, expr)
        return ref, type_, known_or_unknown(ref, type_, LIMITERS)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        target = ctx.def_qualname(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None:
                self._shared_use(d, target)
                continue
            receiver, method, call = parts
            if method not in ("limit", "shared_limit", "exempt"):
                continue
            limiter, limiter_type, ok = self._limiter(receiver)
            if ok:
                self._emit_limit(d, call, method, limiter, limiter_type, target, "function",
                                 "decorator")  # fmt: skip

    def _shared_use(self, d: ast.expr, target: str) -> None:
        """``@admin_limit`` where ``admin_limit = limiter.shared_limit(...)``."""
        if not isinstance(d, ast.Name):
            return
        ctx = self.ctx
        made_by = ctx.instance_of(d)
        if made_by is None or not made_by.endswith(".shared_limit"):
            return
        limiter = made_by.rpartition(".")[0]
        limiter_type = canonical(limiter) if canonical(limiter) in LIMITERS else None
        self.emit(
            FlaskRateLimitFact(
                **ctx.pos(d),
                function=ctx.function,
                limiter=None if limiter_type else limiter,
                limiter_type=limiter_type,
                kind="shared_limit",
                target=target,
                target_kind="function",
                limits=(),
                limits_text=d.id,
                scope=None,
                key_func=None,
                form="decorator",
            )
        )

    def visit_Call(self, node: ast.Call) -> None:
        if id(node) in self.decorator_calls or id(node) in self.handled:
            return
        ctx = self.ctx
        func = node.func
        callee = canonical(ctx.qualname(func))
        if callee in LIMITERS:
            self._constructor(node)
            return
        # limiter.limit("10/minute")(bp) and limiter.exempt(bp)
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute):
            method = func.func.attr
            if method in ("limit", "shared_limit") and node.args:
                limiter, limiter_type, ok = self._limiter(func.func.value)
                if ok:
                    self.handled.add(id(func))
                    target, kind = self._target(node.args[0])
                    self._emit_limit(node, func, method, limiter, limiter_type, target, kind,
                                     "call")  # fmt: skip
            return
        if not isinstance(func, ast.Attribute):
            return
        if func.attr == "exempt" and len(node.args) == 1:
            limiter, limiter_type, ok = self._limiter(func.value)
            if ok:
                target, kind = self._target(node.args[0])
                self._emit_limit(node, None, "exempt", limiter, limiter_type, target, kind, "call")
        elif func.attr == "shared_limit":
            limiter, limiter_type, ok = self._limiter(func.value)
            if ok:
                self._emit_limit(node, node, "shared_limit", limiter, limiter_type,
                                 target_ref(ctx, node), "variable", "call")  # fmt: skip

    def _target(self, expr: ast.expr) -> tuple[str | None, str]:
        ref, type_ = ref_of(self.ctx, expr)
        if type_ == BLUEPRINT:
            return ref, "blueprint"
        if type_ == APP:
            return ref, "app"
        if isinstance(expr, ast.Name):
            found = self.ctx.lookup(expr.id)
            if found is not None and found[0].kind == "def":
                return ref, "function"
        return ref, "blueprint" if type_ is None else "variable"

    def _constructor(self, node: ast.Call) -> None:
        ctx = self.ctx
        app_arg = argument(node, None, "app")
        if app_arg is None and node.args and ref_of(ctx, node.args[0])[1] == APP:
            app_arg = node.args[0]
        app = ref_of(ctx, app_arg)[0] if app_arg is not None else None
        app_first = bool(node.args) and app_arg is node.args[0]
        key_func = argument(node, 1 if app_first else 0, "key_func")
        for keyword, kind in (("default_limits", "default"), ("application_limits", "application")):
            limits = argument(node, None, keyword)
            if limits is None:
                continue
            self.emit(
                FlaskRateLimitFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    limiter=target_ref(ctx, node),
                    limiter_type="flask_limiter.Limiter",
                    kind=kind,
                    target=app,
                    target_kind="app",
                    limits=literal_strs(limits) or (),
                    limits_text=ctx.text_of(limits),
                    scope=None,
                    key_func=text(ctx, key_func),
                    form="constructor",
                )
            )

    def _emit_limit(
        self, at: ast.AST, call: ast.Call | None, kind: str, limiter: str | None,
        limiter_type: str | None, target: str | None, target_kind: str, form: str,
    ) -> None:  # fmt: skip
        ctx = self.ctx
        limit = argument(call, 0, "limit_value") if call is not None else None
        scope = argument(call, 1, "scope") if call is not None and kind == "shared_limit" else None
        self.emit(
            FlaskRateLimitFact(
                **ctx.pos(at),
                function=ctx.function,
                limiter=limiter,
                limiter_type=limiter_type,
                kind=kind,
                target=target,
                target_kind=target_kind,
                limits=literal_strs(limit) or (),
                limits_text=text(ctx, limit),
                scope=literal_str(scope),
                key_func=text(ctx, argument(call, None, "key_func")) if call is not None else None,
                form=form,
            )
        )


@register
class CacheDecoratorsExtractor(_FlaskExtractor):
    """extract_flask_cache_decorators: ``@cache.cached`` and ``@cache.memoize``."""

    name = "flask.cache_decorators"
    fact_types = (FlaskCacheFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        for position, d in enumerate(node.decorator_list):
            parts = split_decorator(d)
            if parts is None or parts[1] not in ("cached", "memoize"):
                continue
            receiver, method, call = parts
            cache, cache_type = ref_of(ctx, receiver)
            if not known_or_unknown(cache, cache_type, CACHES):
                continue
            timeout = argument(call, 0, "timeout") if call is not None else None
            value = literal(timeout)
            prefix = (
                argument(call, None if method == "memoize" else 1, "key_prefix") if call else None
            )
            self.emit(
                FlaskCacheFact(
                    **ctx.pos(d),
                    function=ctx.function,
                    cache=cache,
                    cache_type=cache_type,
                    kind=method,
                    target=ctx.def_qualname(node),
                    timeout=value
                    if isinstance(value, int) and not isinstance(value, bool)
                    else None,
                    key_prefix=text(ctx, prefix),
                    query_string=literal_bool(argument(call, None, "query_string"))
                    if call
                    else None,
                    unless=text(ctx, argument(call, None, "unless")) if call else None,
                    position=position,
                )
            )


class _ConfigOwner:
    """What a config-changing expression is about: the app's reference and type."""

    __slots__ = ("ref", "type")

    def __init__(self, ref: str | None, type_: str | None) -> None:
        self.ref = ref
        self.type = type_


@register
class ConfigsExtractor(Extractor):
    """python_flask_configs: settings on app.config, app attributes, app.run(debug=...), config
    sources, and settings in config classes and modules."""

    name = "flask.configs"
    fact_types = (FlaskConfigFact,)
    # Config modules and classes often never mention flask: look for the settings themselves.
    modules = frozenset({"flask", "SECRET_KEY", "DEBUG", "SESSION_COOKIE", "REMEMBER_COOKIE",
                         "WTF_CSRF", "debug=", "debug =", ".config["})  # fmt: skip

    def _config_owner(self, expr: ast.expr) -> _ConfigOwner | None:
        """The app of ``<app>.config``; None when ``expr`` is not an app's config."""
        if not isinstance(expr, ast.Attribute) or expr.attr != "config":
            return None
        ref, type_ = ref_of(self.ctx, expr.value)
        if not acceptable(self.ctx, ref, type_, ONLY_APP):
            return None
        return _ConfigOwner(ref, type_)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _assigned(self, target: ast.expr, value: ast.expr) -> None:
        ctx = self.ctx
        if isinstance(target, ast.Subscript):
            owner = self._config_owner(target.value)
            key = literal_str(target.slice)
            if owner is not None and key is not None:
                self._emit(target, owner.ref, owner.type, "item", key, value)
        elif isinstance(target, ast.Attribute):
            key = APP_CONFIG_ATTRIBUTES.get(target.attr)
            if key is None:
                return
            ref, type_ = ref_of(ctx, target.value)
            if acceptable(ctx, ref, type_, ONLY_APP) and (type_ == APP or type_ is None):
                self._emit(target, ref, type_, "attribute", key, value)
        elif isinstance(target, ast.Name) and is_config_key(target.id):
            scope = ctx.scope
            if scope.kind == "class":
                self._emit(target, scope.qualname, None, "class", target.id, value)
            elif scope.kind == "module":
                self._emit(target, ctx.module, None, "module", target.id, value)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        if method == "run":
            self._run(node, func.value)
            return
        owner = self._config_owner(func.value)
        if owner is None:
            return
        if method in ("update", "from_mapping"):
            for kw in node.keywords:
                if kw.arg is not None:
                    self._emit(kw, owner.ref, owner.type, method, kw.arg, kw.value)
            for arg in node.args:
                if isinstance(arg, ast.Dict) and all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str) for k in arg.keys
                ):
                    for k, v in zip(arg.keys, arg.values, strict=True):
                        assert isinstance(k, ast.Constant)
                        self._emit(k, owner.ref, owner.type, method, str(k.value), v)
                else:
                    self._source(node, owner, method, arg)
        elif method == "setdefault":
            key = literal_str(argument(node, 0, "key"))
            value = argument(node, 1, "default")
            if key is not None and value is not None:
                self._emit(node, owner.ref, owner.type, "setdefault", key, value)
        elif method in CONFIG_SOURCES:
            self._source(node, owner, method, node.args[0] if node.args else None)

    def _source(self, node: ast.Call, owner: _ConfigOwner, via: str, arg: ast.expr | None) -> None:
        ctx = self.ctx
        source = "unknown"
        env_var = None
        target = None
        value = literal_json(arg) if arg is not None else None
        if via == "from_envvar":
            source, env_var = "env", literal_str(arg)
        elif via == "from_prefixed_env":
            source = "env"
            env_var = literal_str(argument(node, 0, "prefix")) or "FLASK"
        elif arg is not None:
            if value is not None:
                source = "literal"
                target = literal_str(arg)
            elif isinstance(arg, ast.Name) and arg.id == "__name__":
                target = ctx.module  # from_object(__name__): this module's own settings
            elif isinstance(arg, ast.Subscript):
                target = ctx.qualname(arg.value)  # config[name]: one of a mapping's classes
            else:
                target = ctx.qualname(arg)
                if target is None and isinstance(arg, ast.Name):
                    target = ref_of(ctx, arg)[0]
        self.emit(
            FlaskConfigFact(
                **ctx.pos(node),
                function=ctx.function,
                owner=owner.ref,
                owner_type=owner.type,
                via=via,
                key=None,
                value=value,
                text=text(ctx, arg) or "",
                source=source,
                env_var=env_var,
                target=target,
            )
        )

    def _run(self, node: ast.Call, receiver: ast.expr) -> None:
        """``app.run(debug=True)`` and ``socketio.run(app, debug=True)``."""
        debug = argument(node, None, "debug")
        if debug is None:
            return
        ctx = self.ctx
        ref, type_ = ref_of(ctx, receiver)
        if type_ in SOCKETIOS:
            app_arg = argument(node, 0, "app")
            if app_arg is None:
                return
            ref, type_ = ref_of(ctx, app_arg)
        elif not acceptable(ctx, ref, type_, ONLY_APP):
            return
        self._emit(node, ref, type_, "run", "DEBUG", debug)

    def _emit(
        self, at: ast.AST, owner: str | None, owner_type: str | None, via: str, key: str,
        value: ast.expr,
    ) -> None:  # fmt: skip
        ctx = self.ctx
        source, value_json, env_var = classify_value(ctx, value)
        self.emit(
            FlaskConfigFact(
                **ctx.pos(at),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                via=via,
                key=key,
                value=value_json,
                text=ctx.text_of(value),
                source=source,
                env_var=env_var,
                target=None,
            )
        )


@register
class AuthChecksExtractor(_FlaskExtractor):
    """python_flask_auth_checks: the checks a function body makes on who is calling it.

    ``if not current_user.is_authenticated``, ``if g.user is None``, ``"user_id" in session``,
    ``abort(401)`` / ``abort(403)``, ``raise Forbidden()``, ``verify_jwt_in_request()``,
    ``get_jwt_identity()``, ``auth.current_user()`` (Flask-HTTPAuth), SocketIO ``disconnect()``.
    """

    name = "flask.auth_checks"
    fact_types = (FlaskAuthCheckFact,)

    def _in_function(self) -> bool:
        return self.ctx.function != self.ctx.module

    def visit_If(self, node: ast.If) -> None:
        """``if <no identity>: <exit>`` (or ``if <identity>: ... else: <exit>``) is a check."""
        if not self._in_function():
            return
        body_exits = self._exits(node.body)
        else_exits = self._exits(node.orelse)
        for kind, denies in self._subjects(node.test):
            if (denies and body_exits) or (not denies and else_exits):
                self._emit_check(node.test, kind)
                return  # one row per test

    def visit_Assert(self, node: ast.Assert) -> None:
        """``assert current_user.is_authenticated``."""
        if not self._in_function():
            return
        for kind, denies in self._subjects(node.test):
            if not denies:
                self._emit_check(node.test, kind)
                return

    def _exits(self, body: list[ast.stmt]) -> bool:
        """Whether a branch leaves the function: return, raise, abort(...), disconnect()."""
        for stmt in body:
            if isinstance(stmt, ast.Return | ast.Raise):
                return True
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                callee = self.ctx.qualname(stmt.value.func)
                if callee in ABORTS or callee in DISCONNECTS:
                    return True
        return False

    def _emit_check(self, test: ast.expr, kind: str) -> None:
        ctx = self.ctx
        self.emit(
            FlaskAuthCheckFact(
                **ctx.pos(test), function=ctx.function, kind=kind, text=ctx.text_of(test)
            )
        )

    def _subjects(self, test: ast.expr) -> Iterator[tuple[str, bool]]:
        """``(kind, denies)`` for each identity a test looks at: ``denies`` when the test is
        true for a caller without that identity (``not current_user.is_authenticated``,
        ``g.user is None``, ``"user_id" not in session``, ``owner_id != current_user.id``).
        Unwraps not / and / or / comparisons only."""
        ctx = self.ctx
        todo: list[tuple[ast.expr, bool]] = [(test, False)]
        steps = 0
        while todo and steps < 16:
            steps += 1
            e, negated = todo.pop()
            if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
                todo.append((e.operand, not negated))
            elif isinstance(e, ast.BoolOp):
                todo.extend((v, negated) for v in e.values)
            elif isinstance(e, ast.Compare):
                denying = any(
                    isinstance(op, ast.NotEq | ast.NotIn)
                    or (isinstance(op, ast.Is | ast.Eq) and _is_none(c))
                    for op, c in zip(e.ops, e.comparators, strict=True)
                )
                polarity = denying != negated
                if (
                    isinstance(e.left, ast.Constant)
                    and isinstance(e.left.value, str)
                    and "user" in e.left.value
                    and any(ctx.qualname(c) == "flask.session" for c in e.comparators)
                ):
                    yield "session_user", polarity  # "user_id" (not) in session
                    continue
                for part in (e.left, *e.comparators):
                    kind = self._subject_kind(part)
                    if kind is not None:
                        yield kind, polarity
                        break
            else:
                kind = self._subject_kind(e)
                if kind is not None:
                    anonymous = isinstance(e, ast.Attribute) and e.attr == "is_anonymous"
                    yield kind, anonymous != negated
                elif isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute):
                    todo.append((e.func.value, negated))  # current_user.has_role("admin")

    def _subject_kind(self, e: ast.expr) -> str | None:
        """The kind of identity an expression reads, if any."""
        ctx = self.ctx
        if isinstance(e, ast.Call):
            return self._call_kind(e)
        if isinstance(e, ast.Attribute | ast.Name):
            name = ctx.qualname(e)
            if name is None:
                return None
            if name in CURRENT_USER or name.rpartition(".")[0] in CURRENT_USER:
                return "current_user"
            if name.startswith("flask.g.") and name.split(".")[2] in G_USER_ATTRS:
                return "g_user"
        elif isinstance(e, ast.Subscript):
            key = literal_str(e.slice)
            if ctx.qualname(e.value) == "flask.session" and key and "user" in key:
                return "session_user"
        return None

    def _call_kind(self, call: ast.Call) -> str | None:
        ctx = self.ctx
        callee = ctx.qualname(call.func)
        if callee in JWT_CHECKS:
            return "jwt"
        if callee == "flask.session.get":
            key = literal_str(argument(call, 0, "key"))
            return "session_user" if key and "user" in key else None
        if isinstance(call.func, ast.Attribute) and call.func.attr == "current_user":
            _, type_ = ref_of(ctx, call.func.value)
            if type_ in HTTPAUTHS:
                return "http_auth"
        return None

    def visit_Call(self, node: ast.Call) -> None:
        if not self._in_function():
            return
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        kind: str | None = None
        if callee in ABORTS:
            status = argument(node, 0, "status")
            code = literal(status)
            if code in AUTH_STATUS or (
                status is not None and ctx.qualname(status) in AUTH_STATUS_NAMES
            ):
                kind = "abort"
        elif callee in JWT_CHECKS and callee.endswith("verify_jwt_in_request"):
            kind = "jwt"
        elif callee in DISCONNECTS:
            kind = "disconnect"
        if kind is not None:
            self.emit(
                FlaskAuthCheckFact(
                    **ctx.pos(node), function=ctx.function, kind=kind, text=ctx.text_of(node)
                )
            )

    def visit_Raise(self, node: ast.Raise) -> None:
        if not self._in_function() or node.exc is None:
            return
        ctx = self.ctx
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if ctx.qualname(exc) in AUTH_EXCEPTIONS:
            self.emit(
                FlaskAuthCheckFact(
                    **ctx.pos(node), function=ctx.function, kind="raise", text=ctx.text_of(node)
                )
            )


REQUEST = frozenset({"flask.request", "flask.globals.request"})
#: Attributes of ``flask.request`` and the kind of data each reads.
REQUEST_ATTRIBUTES = {
    "form": "form", "files": "files", "json": "json", "data": "data", "args": "args",
    "values": "values", "cookies": "cookies", "headers": "headers", "get_json": "json",
    "get_data": "data",
}  # fmt: skip


@register
class RequestReadsExtractor(_FlaskExtractor):
    """python_flask_request_reads: which request data each function reads (first read only)."""

    name = "flask.request_reads"
    fact_types = (FlaskRequestReadFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: set[tuple[str, str]] = set()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        source = REQUEST_ATTRIBUTES.get(node.attr)
        if source is None or not isinstance(node.value, ast.Name):
            return
        ctx = self.ctx
        key = (ctx.function, source)
        if key in self.seen or ctx.qualname(node.value) not in REQUEST:
            return
        self.seen.add(key)
        self.emit(
            FlaskRequestReadFact(
                **ctx.pos(node), function=ctx.function, source=source, text=ctx.text_of(node)
            )
        )
