"""Fact dataclasses of the Flask extractors (INVENTORY.md, Phase 2 Flask base and Phase 3 Block 1).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).

**References.** Extraction sees one file, so a fact names the objects it involves (an app, a
blueprint, an extension) by a *reference*, a dotted name that another file can reach:

- a name assigned at module level is ``<module>.<name>`` (``shop.extensions.db``), in a class body
  ``<class>.<name>``, in a function ``<function>.<locals>.<name>`` (a parameter too);
- an imported name is what the import binds (``from .extensions import db`` gives
  ``shop.extensions.db``), an attribute of a module is the module's name and the attribute.

A reference comes with the *type* the semantic model knows for it: ``flask.Flask``,
``flask.Blueprint``, an extension class, or the function whose call produced it (an app made by
a factory in another module: ``shop.create_app``). When the type is ``None`` (an imported object, an
unannotated parameter) the row is a candidate that ``auditls.models.flask`` confirms at query time
by following the reference to its definition; rows it cannot confirm describe no Flask object.
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact

#: ``FlaskRouteFact.forwards``, what passes through a route-registering helper. On
#: ``add_url_rule`` inside a function: "<role>=<parameter>" for each value it takes from that
#: function's parameters; on a helper call (api ``call``): each argument as JSON.
FORWARDS = (
    "rule=<p>",  # the rule is the parameter
    "rule[]=<p>",  # the rule is each item of the parameter (a loop over a list)
    "endpoint=<p>",  # the endpoint, by position or keyword
    "view_func=<p>",  # the view
    "view_class=<p>",  # the view is `<p>.as_view(...)` (directly or through a local)
    "methods=<p>",  # the methods
    "**=<p>",  # the other keywords of the call are forwarded (`**kwargs`)
    '{"slot": ...}',  # a call's argument: slot ("#0" or the keyword), ref, type, str, strs,
    # and for a view built in the call: view, kind, endpoint, wrappers
)

#: Where a configuration value comes from (``FlaskConfigFact.source``).
CONFIG_SOURCES = (
    "literal",  # a literal written in the code
    "env",  # read from the environment (os.environ, os.getenv), no literal fallback
    "env_default",  # read from the environment with a literal fallback (the fallback is `value`)
    "random",  # generated at start-up (secrets.token_hex, os.urandom, uuid4)
    "unknown",  # anything else: a name, a call, an expression
)


@fact
class FlaskAppFact(Fact):
    """A Flask application object built with ``Flask(...)``, and the factory that returns it."""

    TABLE: ClassVar[str] = "python_flask_apps"

    function: str  # enclosing function's qualified name (module name at top level)
    ref: str | None  # reference of the variable it is assigned to; None when not assigned
    app_class: str  # the class called, resolved ("flask.Flask")
    import_name: str | None  # the first argument as written ("__name__")
    factory: str | None  # the function that builds and returns it (an app factory), if any
    options: tuple[str, ...]  # the other keyword arguments as written, "key=value"


@fact
class FlaskBlueprintFact(Fact):
    """A blueprint built with ``Blueprint(...)``."""

    TABLE: ClassVar[str] = "python_flask_blueprints"

    function: str  # enclosing function's qualified name (module name at top level)
    ref: str | None  # reference of the variable it is assigned to; None when not assigned
    name: str | None  # the blueprint's name (first argument) when it is a literal
    name_text: str  # the first argument as written
    url_prefix: str | None  # the url_prefix given to the constructor, when a literal
    subdomain: str | None  # the subdomain given to the constructor, when a literal
    options: tuple[str, ...]  # every keyword argument as written, "key=value"


@fact
class FlaskBlueprintRegistrationFact(Fact):
    """``app.register_blueprint(bp, ...)`` (or a blueprint nested in another blueprint)."""

    TABLE: ClassVar[str] = "python_flask_blueprint_registrations"

    function: str  # enclosing function's qualified name (module name at top level)
    owner: str | None  # reference of the app or blueprint it is registered on
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    blueprint: str | None  # reference of the blueprint registered
    blueprint_text: str  # the blueprint argument as written
    url_prefix: str | None  # the url_prefix passed here (overrides the blueprint's), if literal
    url_prefix_text: str | None  # the url_prefix argument as written, if any
    name: str | None  # the name passed here (registers the blueprint again under it), if literal
    options: tuple[str, ...]  # every keyword argument as written, "key=value"


@fact
class FlaskRouteFact(Fact):
    """A URL rule: ``@app.route``, ``@bp.get`` and the other verbs, ``add_url_rule``, or
    (api ``call``) a call to a workspace helper that registers one for its caller
    (``register_view(bp, routes=["/t/<int:id>"], view_func=Topic.as_view("topic"))``: a row
    per literal rule; ``auditls.models.flask`` keeps it when the helper forwards that argument
    to ``add_url_rule``, and reads the rest of the route from the helper's row)."""

    TABLE: ClassVar[str] = "python_flask_routes"

    function: str  # enclosing function's qualified name where the rule is registered
    owner: str | None  # reference of the app or blueprint the rule is registered on
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    api: str  # the method used: route | get | post | put | patch | delete | add_url_rule
    rule: str | None  # the URL rule when it is a literal ("/users/<int:id>")
    rule_text: str  # the URL rule as written
    methods: tuple[str, ...]  # HTTP methods, upper case; empty when they cannot be read here
    methods_from: str  # default | verb | literal | dynamic | view_class
    endpoint: str | None  # the explicit endpoint (or the as_view name), when a literal
    view: str | None  # qualified name of the view function or view class
    view_kind: str  # function | class | unknown
    decorators: tuple[str, ...]  # the view function's decorators, outermost first, resolved
    position: int  # index of this route decorator in `decorators`; -1 for add_url_rule
    is_async: bool  # the view is an async function
    options: tuple[str, ...]  # the other keyword arguments as written, "key=value"
    callee: str | None = None  # api "call": the workspace helper called, resolved here
    forwards: tuple[str, ...] = ()  # what passes through a helper (FORWARDS)


@fact
class FlaskViewClassFact(Fact):
    """A class-based view: a subclass of ``flask.views.View`` or ``MethodView``."""

    TABLE: ClassVar[str] = "python_flask_view_classes"

    qualname: str  # the class's qualified name
    base: str  # the Flask base it derives from: flask.views.View | flask.views.MethodView
    handlers: tuple[str, ...]  # HTTP methods it defines as methods (get, post...), upper case
    methods: tuple[str, ...]  # the `methods = [...]` class attribute, upper case, when literal
    decorators: tuple[str, ...]  # the `decorators = [...]` class attribute, resolved, in order


@fact
class FlaskHookFact(Fact):
    """A request hook: before_request, after_request, teardown, context processors, URL hooks."""

    TABLE: ClassVar[str] = "python_flask_hooks"

    function: str  # enclosing function's qualified name where the hook is registered
    owner: str | None  # reference of the app or blueprint it is registered on
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    hook: str  # before_request | after_request | teardown_request | teardown_appcontext | ...
    api: str  # the method as written: before_app_request, app_context_processor, ...
    app_wide: bool  # runs for every request of the app (an app's hook or a blueprint's app_ one)
    target: str | None  # qualified name of the hook function (resolved when passed to a call)
    target_text: str  # the hook function's name or argument as written
    form: str  # decorator | call


@fact
class FlaskErrorHandlerFact(Fact):
    """An error handler: ``@app.errorhandler(404)``, ``app_errorhandler``,
    ``register_error_handler``."""

    TABLE: ClassVar[str] = "python_flask_error_handlers"

    function: str  # enclosing function's qualified name where the handler is registered
    owner: str | None  # reference of the app or blueprint it is registered on
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    code: int | None  # the HTTP status code handled, when a literal
    exception: str | None  # the exception class handled, resolved
    spec_text: str  # the code or exception as written
    app_wide: bool  # handles errors of every request of the app
    target: str | None  # qualified name of the handler function
    form: str  # decorator | call


@fact
class FlaskTemplateFilterFact(Fact):
    """A Jinja filter, test or global registered on an app or blueprint."""

    TABLE: ClassVar[str] = "python_flask_template_filters"

    function: str  # enclosing function's qualified name where it is registered
    owner: str | None  # reference of the app or blueprint it is registered on
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    kind: str  # filter | test | global
    name: str | None  # the name given, when a literal (else the function's name applies)
    target: str | None  # qualified name of the function
    target_text: str  # the function as written
    app_wide: bool  # registered for every template of the app
    form: str  # decorator | call | jinja_env


@fact
class FlaskCliCommandFact(Fact):
    """A CLI command: ``@app.cli.command``, ``@bp.cli.command``, groups, ``add_command``."""

    TABLE: ClassVar[str] = "python_flask_cli_commands"

    function: str  # enclosing function's qualified name where it is registered
    owner: str | None  # reference of the app, blueprint or command group it belongs to
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    kind: str  # command | group | add_command
    name: str | None  # the command's name when given as a literal
    target: str | None  # qualified name of the command function, or the command added
    form: str  # decorator | call


@fact
class FlaskWebsocketFact(Fact):
    """A WebSocket handler: Flask-SocketIO events and namespaces, flask-sock routes."""

    TABLE: ClassVar[str] = "python_flask_websockets"

    function: str  # enclosing function's qualified name where the handler is registered
    library: str  # flask_socketio | flask_sock
    owner: str | None  # reference of the SocketIO or Sock object (the class for a namespace)
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    form: str  # on | event | on_event | on_error | on_error_default | namespace | route
    event: str | None  # the event name (flask-sock: the URL rule), when a literal
    namespace: str | None  # the Socket.IO namespace, when a literal
    handler: str | None  # qualified name of the handler function or namespace class
    decorators: tuple[str, ...]  # the handler's decorators, outermost first, resolved


@fact
class FlaskExtensionFact(Fact):
    """A Flask extension: its construction, ``init_app``, settings and callbacks."""

    TABLE: ClassVar[str] = "python_flask_extensions"

    function: str  # enclosing function's qualified name (module name at top level)
    kind: str | None  # sqlalchemy | login | csrf | limiter | cache | cors | socketio | ...
    ext_class: str | None  # the extension class, resolved; None when this file cannot tell
    ref: str | None  # reference of the extension object
    form: str  # constructor | init_app | setting | callback
    app: str | None  # reference of the app passed to the constructor or init_app
    app_type: str | None  # the app argument's type as far as this file knows
    option: str | None  # the attribute set (setting) or the callback registered (callback)
    value: str | None  # the value set as written (setting), or the callback's qualified name
    options: tuple[str, ...]  # keyword arguments as written, "key=value"


@fact
class FlaskCorsFact(Fact):
    """A CORS policy: ``CORS(app, ...)``, ``init_app``, ``@cross_origin``, SocketIO origins."""

    TABLE: ClassVar[str] = "python_flask_cors"

    function: str  # enclosing function's qualified name (module name at top level)
    form: str  # extension | init_app | decorator | socketio
    target: str | None  # reference of the app or blueprint, or the decorated view's qualname
    target_type: str | None  # the target's type as far as this file knows
    origins: tuple[str, ...]  # allowed origins when literal ("*" for any)
    origins_from: str  # literal | default | config | env | dynamic
    origins_key: str | None  # the app setting the origins are read from ("CORS_ORIGINS"), if any
    supports_credentials: bool | None  # the supports_credentials argument, when literal
    resources: tuple[str, ...]  # the resource patterns, when literal
    options: tuple[str, ...]  # keyword arguments as written, "key=value"


@fact
class FlaskRateLimitFact(Fact):
    """A Flask-Limiter limit, exemption or default."""

    TABLE: ClassVar[str] = "python_flask_rate_limits"

    function: str  # enclosing function's qualified name (module name at top level)
    limiter: str | None  # reference of the Limiter object
    limiter_type: str | None  # the Limiter's type as far as this file knows
    kind: str  # limit | shared_limit | exempt | default | application
    target: str | None  # the view's qualified name, the blueprint's or variable's reference
    target_kind: str  # function | blueprint | variable | app
    limits: tuple[str, ...]  # the limit strings when literal ("5 per minute")
    limits_text: str | None  # the limit argument as written
    scope: str | None  # the scope of a shared limit, when literal
    key_func: str | None  # the key_func argument as written
    form: str  # decorator | call | constructor | init_app


@fact
class FlaskCacheFact(Fact):
    """A Flask-Caching decorator: ``@cache.cached(...)`` or ``@cache.memoize(...)``."""

    TABLE: ClassVar[str] = "python_flask_cache"

    function: str  # enclosing function's qualified name where the decorator is applied
    cache: str | None  # reference of the Cache object
    cache_type: str | None  # the Cache's type as far as this file knows
    kind: str  # cached | memoize
    target: str | None  # qualified name of the decorated function
    timeout: int | None  # the timeout in seconds, when literal
    key_prefix: str | None  # the key_prefix argument as written
    query_string: bool | None  # the query_string argument, when literal
    unless: str | None  # the unless argument as written
    position: int  # index of this decorator among the function's decorators


@fact
class FlaskConfigFact(Fact):
    """A configuration value or source: ``app.config[...]``, ``update``, ``from_object``,
    ``app.secret_key``, ``app.run(debug=...)``, or a setting in a config class or module."""

    TABLE: ClassVar[str] = "python_flask_configs"

    function: str  # enclosing function's qualified name (module name at top level)
    owner: str | None  # reference of the app; the config class or module for class/module rows
    owner_type: str | None  # the owner's type as far as this file knows (see the module doc)
    via: str  # item | update | from_mapping | setdefault | attribute | run | class | module | ...
    key: str | None  # the setting ("SECRET_KEY"); None for a source (from_object, from_pyfile)
    value: str | None  # JSON of the literal value (or of the literal fallback for env_default)
    text: str  # the value (or the source argument) as written
    source: str  # literal | env | env_default | random | unknown (CONFIG_SOURCES)
    env_var: str | None  # the environment variable read, when a literal
    target: str | None  # for a source: the object or file it loads, resolved when possible


@fact
class FlaskAuthCheckFact(Fact):
    """An authentication or authorisation check inside a function body."""

    TABLE: ClassVar[str] = "python_flask_auth_checks"

    function: str  # qualified name of the function that performs the check
    kind: str  # current_user | g_user | session_user | http_auth | jwt | abort | raise | disconnect
    text: str  # the checking expression as written
    scope: str | None  # JSON [[attr, op, values, negated], ...]: request conditions it runs under


@fact
class FlaskConditionalCallFact(Fact):
    """A call a function makes only under request conditions: ``if request.blueprint ==
    "admin": require_login()``. A helper called so checks identity only for those requests."""

    TABLE: ClassVar[str] = "python_flask_conditional_calls"

    function: str  # qualified name of the function that makes the call
    callee: str | None  # the function called, resolved as this file knows it
    callee_text: str  # the callee as written ("require_login", "auth.require")
    scope: str  # JSON [[attr, op, values, negated], ...]: the request conditions it runs under


@fact
class FlaskRequestReadFact(Fact):
    """The first read of one kind of request data in a function (``request.form["x"]``)."""

    TABLE: ClassVar[str] = "python_flask_request_reads"

    function: str  # qualified name of the function that reads it
    source: str  # form | files | json | data | args | values | cookies | headers
    text: str  # the first reading expression as written


@fact
class FlaskAppPassFact(Fact):
    """An app or blueprint passed to a function, which links that function's parameter."""

    TABLE: ClassVar[str] = "python_flask_app_passes"

    function: str  # enclosing function's qualified name (module name at top level)
    callee: str  # the function called, resolved; "<plugin hook>.NAME" for pm.hook.NAME(...)
    position: int  # 0-based position of the argument; -1 for a keyword argument
    keyword: str | None  # the keyword, for a keyword argument
    ref: str  # reference of the app or blueprint passed
    ref_type: str  # its type: flask.Flask | flask.Blueprint


#: This domain's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (
    FlaskAppFact,
    FlaskBlueprintFact,
    FlaskBlueprintRegistrationFact,
    FlaskAppPassFact,
    FlaskRouteFact,
    FlaskViewClassFact,
    FlaskHookFact,
    FlaskErrorHandlerFact,
    FlaskTemplateFilterFact,
    FlaskCliCommandFact,
    FlaskWebsocketFact,
    FlaskExtensionFact,
    FlaskCorsFact,
    FlaskRateLimitFact,
    FlaskCacheFact,
    FlaskConfigFact,
    FlaskAuthCheckFact,
    FlaskConditionalCallFact,
    FlaskRequestReadFact,
)
