"""The Flask extractors on small sources: what is recognised, by what it was assigned from."""

from __future__ import annotations

import textwrap

import pytest

from auditls.extractors import extract, skipped
from auditls.extractors.prefilter import FileScan
from auditls.extractors.walker import REGISTRY
from auditls.facts import Fact
from auditls.facts.flask import (
    FACT_TYPES as FLASK_FACT_TYPES,
)
from auditls.facts.flask import (
    FlaskAppFact,
    FlaskAuthCheckFact,
    FlaskBlueprintRegistrationFact,
    FlaskCliCommandFact,
    FlaskConfigFact,
    FlaskCorsFact,
    FlaskExtensionFact,
    FlaskHookFact,
    FlaskRateLimitFact,
    FlaskRequestReadFact,
    FlaskRouteFact,
    FlaskViewClassFact,
    FlaskWebsocketFact,
)


def facts(source: str, fact_type: type[Fact], path: str = "pkg/views.py") -> list:  # type: ignore[type-arg]
    ff = extract(textwrap.dedent(source).encode(), path)
    assert ff.status == "ok", ff.error
    assert ff.extractor_errors == []
    return ff.of(fact_type)


def test_every_flask_table_is_registered() -> None:
    from auditls.extractors import all_fact_types

    registered = set(all_fact_types())
    assert set(FLASK_FACT_TYPES) <= registered


def test_an_app_is_known_by_what_it_was_assigned_from_not_by_its_name() -> None:
    source = """
        from flask import Flask as F
        from fastapi import FastAPI

        application = F(__name__)
        app = FastAPI()

        @application.route("/a", methods=["post"])
        def a():
            return ""

        @app.get("/b")
        def b():
            return ""
    """
    routes = facts(source, FlaskRouteFact)
    assert [(r.rule, r.methods, r.owner, r.owner_type) for r in routes] == [
        ("/a", ("POST",), "pkg.views.application", "flask.Flask")
    ]


def test_annotated_parameter_and_imported_blueprint() -> None:
    source = """
        from flask import Flask
        from .main import bp

        def setup(target: Flask):
            @target.get("/health")
            def health():
                return "ok"

        @bp.post("/items")
        def create():
            return ""
    """
    routes = facts(source, FlaskRouteFact)
    assert [(r.owner, r.owner_type, r.api) for r in routes] == [
        ("pkg.views.setup.<locals>.target", "flask.Flask", "get"),
        ("pkg.main.bp", None, "post"),  # a candidate: flask_model confirms it
    ]


def test_self_and_library_objects_are_not_apps() -> None:
    source = """
        from flask import Flask
        from flask_restx import Api
        from flask_sock import Sock

        app = Flask(__name__)
        api = Api(app)
        sock = Sock(app)

        @api.route("/todos")
        class Todos:
            pass

        @sock.route("/ws")
        def ws(socket):
            pass

        class Server:
            def __init__(self):
                self.debug = True

            def run(self):
                @self.route("/x")
                def x():
                    pass
    """
    assert facts(source, FlaskRouteFact) == []
    assert facts(source, FlaskConfigFact) == []
    sockets = facts(source, FlaskWebsocketFact)
    assert [(w.library, w.event) for w in sockets] == [("flask_sock", "/ws")]


def test_route_decorators_keep_their_order_and_position() -> None:
    source = """
        from flask import Blueprint
        from flask_login import login_required

        bp = Blueprint("b", __name__)

        @login_required
        @bp.route("/x", methods=("PUT", "DELETE"), endpoint="ex")
        @bp.route("/y")
        async def x():
            pass
    """
    routes = facts(source, FlaskRouteFact)
    assert [(r.rule, r.position, r.endpoint, r.is_async) for r in routes] == [
        ("/x", 1, "ex", True),
        ("/y", 2, None, True),
    ]
    assert routes[0].decorators == (
        "flask_login.login_required",
        "flask.Blueprint.route",
        "flask.Blueprint.route",
    )
    assert routes[0].methods == ("PUT", "DELETE")


def test_add_url_rule_with_view_classes_and_wrapped_views() -> None:
    source = """
        from flask import Flask
        from flask.views import MethodView
        from flask_login import login_required

        app = Flask(__name__)

        class Base(MethodView):
            decorators = [login_required]

        class Items(Base):
            methods = ["get", "post"]
            def get(self):
                pass
            def post(self):
                pass

        def plain():
            pass

        app.add_url_rule("/items", view_func=Items.as_view("items"))
        app.add_url_rule("/plain", "plain", login_required(plain), methods=METHODS)
    """
    classes = facts(source, FlaskViewClassFact)
    assert [(c.qualname, c.base, c.handlers, c.methods, c.decorators) for c in classes] == [
        ("pkg.views.Base", "flask.views.MethodView", (), (), ("flask_login.login_required",)),
        ("pkg.views.Items", "flask.views.MethodView", ("GET", "POST"), ("GET", "POST"), ()),
    ]
    routes = facts(source, FlaskRouteFact)
    assert [(r.view, r.view_kind, r.endpoint, r.methods_from, r.decorators) for r in routes] == [
        ("pkg.views.Items", "class", "items", "view_class", ()),
        ("pkg.views.plain", "function", "plain", "dynamic", ("flask_login.login_required",)),
    ]


def test_factory_and_registrations() -> None:
    source = """
        from flask import Flask, Blueprint

        def make():
            web = Flask(__name__)
            web.register_blueprint(admin, url_prefix="/admin")
            web.register_blueprint(api, url_prefix=PREFIX)
            return web

        def not_a_factory():
            other = Flask(__name__)
            return None

        admin = Blueprint("admin", __name__)
        api = Blueprint("api", __name__, url_prefix="/api")
    """
    apps = facts(source, FlaskAppFact)
    assert [(a.ref, a.factory) for a in apps] == [
        ("pkg.views.make.<locals>.web", "pkg.views.make"),
        ("pkg.views.not_a_factory.<locals>.other", None),
    ]
    regs = facts(source, FlaskBlueprintRegistrationFact)
    assert [(r.blueprint, r.url_prefix, r.url_prefix_text) for r in regs] == [
        ("pkg.views.admin", "/admin", '"/admin"'),
        ("pkg.views.api", None, "PREFIX"),
    ]


def test_hooks_on_apps_and_blueprints() -> None:
    source = """
        from flask import Flask, Blueprint

        app = Flask(__name__)
        bp = Blueprint("bp", __name__)

        @bp.before_request
        def only_bp():
            pass

        @bp.before_app_request
        def every_request():
            pass

        def timer():
            pass

        app.after_request(timer)
    """
    hooks = facts(source, FlaskHookFact)
    assert [(h.hook, h.api, h.app_wide, h.target, h.form) for h in hooks] == [
        ("before_request", "before_request", False, "pkg.views.only_bp", "decorator"),
        ("before_request", "before_app_request", True, "pkg.views.every_request", "decorator"),
        ("after_request", "after_request", True, "pkg.views.timer", "call"),
    ]


@pytest.mark.parametrize(
    ("value", "source", "json_value", "env_var"),
    [
        ('"dev"', "literal", '"dev"', None),
        ('os.environ["K"]', "env", None, "K"),
        ('os.environ.get("K")', "env", None, "K"),
        ('os.environ.get("K", "fallback")', "env_default", '"fallback"', "K"),
        ('os.getenv("K") or "fallback"', "env_default", '"fallback"', "K"),
        ('int(os.environ.get("K", "3"))', "env_default", '"3"', "K"),
        ('os.environ.get("K", "0").lower() in ("1", "true")', "env_default", '"0"', "K"),
        ("secrets.token_hex(32)", "random", None, None),
        ("str(uuid.uuid4())", "random", None, None),
        ("load_key()", "unknown", None, None),
    ],
)
def test_config_value_sources(
    value: str, source: str, json_value: str | None, env_var: str | None
) -> None:
    code = f"""
        import os, secrets, uuid
        from flask import Flask
        app = Flask(__name__)
        app.config["SECRET_KEY"] = {value}
    """
    (row,) = facts(code, FlaskConfigFact)
    assert (row.key, row.source, row.value, row.env_var) == (
        "SECRET_KEY",
        source,
        json_value,
        env_var,
    )


def test_config_classes_modules_and_sources() -> None:
    source = """
        import os
        from flask import Flask
        from .settings import Production

        DEBUG = True
        LOG_LEVEL = "info"

        class Config:
            SESSION_COOKIE_SECURE = False
            ITEMS = 3

        app = Flask(__name__)
        app.config.from_object(Production)
        app.config.from_object(__name__)
        app.debug = False
        app.run(debug=True)
    """
    rows = [(r.via, r.key, r.owner, r.target) for r in facts(source, FlaskConfigFact)]
    assert rows == [
        ("module", "DEBUG", "pkg.views", None),
        ("class", "SESSION_COOKIE_SECURE", "pkg.views.Config", None),
        ("from_object", None, "pkg.views.app", "pkg.settings.Production"),
        ("from_object", None, "pkg.views.app", "pkg.views"),
        ("attribute", "DEBUG", "pkg.views.app", None),
        ("run", "DEBUG", "pkg.views.app", None),
    ]


def test_config_module_without_flask_is_read() -> None:
    rows = facts("SECRET_KEY = 'x'\nclass Prod:\n    DEBUG = False\n", FlaskConfigFact, "cfg.py")
    assert [(r.via, r.key, r.source) for r in rows] == [
        ("module", "SECRET_KEY", "literal"),
        ("class", "DEBUG", "literal"),
    ]


def test_files_that_never_mention_flask_cost_nothing() -> None:
    source = "def route():\n    pass\n\nclass A:\n    def before_request(self):\n        pass\n"
    ff = extract(source.encode(), "plain.py")
    assert [f for f in ff.facts if f.TABLE.startswith("python_flask_")] == []


def test_auth_checks_count_only_tests_that_deny() -> None:
    source = """
        from flask import abort, g, session, redirect
        from flask_login import current_user

        def guarded():
            if not current_user.is_authenticated:
                return redirect("/login")

        def welcome_back():
            if current_user.is_authenticated:
                return redirect("/home")

        def personal():
            return {"me": current_user.name} if current_user.is_authenticated else {}

        def tutorial():
            if g.user is None:
                return redirect("/login")

        def owner(item):
            if item.owner_id != current_user.id:
                abort(403)

        def session_check():
            if "user_id" not in session:
                abort(401)

        def positive_else():
            if current_user.is_authenticated:
                pass
            else:
                abort(401)

        def anonymous():
            if current_user.is_anonymous:
                raise PermissionError()
    """
    rows = [(c.function.rpartition(".")[2], c.kind) for c in facts(source, FlaskAuthCheckFact)]
    assert rows == [
        ("guarded", "current_user"),
        ("tutorial", "g_user"),
        ("owner", "current_user"),
        ("owner", "abort"),
        ("session_check", "session_user"),
        ("session_check", "abort"),
        ("positive_else", "current_user"),
        ("positive_else", "abort"),
        ("anonymous", "current_user"),
        ("anonymous", "raise"),
    ]


def test_request_reads_first_of_each_kind() -> None:
    source = """
        from flask import request

        def view():
            a = request.form["a"]
            b = request.form.get("b")
            c = request.get_json()
            return request.args
    """
    rows = [(r.source, r.text) for r in facts(source, FlaskRequestReadFact)]
    assert rows == [
        ("form", "request.form"),
        ("json", "request.get_json"),
        ("args", "request.args"),
    ]


def test_extensions_imported_and_typed() -> None:
    source = """
        from flask import Flask
        from flask_limiter import Limiter
        from flask_limiter.util import get_remote_address
        from .ext import login_manager, db

        app = Flask(__name__)
        limiter = Limiter(get_remote_address, app=app, default_limits=["1/second"])
        db.init_app(app)
        login_manager.login_view = "auth.login"
        other.init_app = None

        @login_manager.user_loader
        def load(uid):
            pass
    """
    rows = [(e.form, e.kind, e.ref, e.app, e.option) for e in facts(source, FlaskExtensionFact)]
    assert rows == [
        ("constructor", "limiter", "pkg.views.limiter", "pkg.views.app", None),
        ("init_app", None, "pkg.ext.db", "pkg.views.app", None),
        ("setting", None, "pkg.ext.login_manager", None, "login_view"),
        ("callback", None, "pkg.ext.login_manager", None, "user_loader"),
    ]
    limits = facts(source, FlaskRateLimitFact)
    assert [(r.kind, r.limits, r.target, r.key_func) for r in limits] == [
        ("default", ("1/second",), "pkg.views.app", "get_remote_address")
    ]


def test_cors_defaults_resources_and_config_origins() -> None:
    source = """
        from flask import Flask
        from flask_cors import CORS, cross_origin
        from flask_socketio import SocketIO

        app = Flask(__name__)
        CORS(app, supports_credentials=True)
        CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}})
        socketio = SocketIO(app, cors_allowed_origins=["https://a.example"])

        @app.route("/x")
        @cross_origin(origins="*")
        def x():
            pass
    """
    rows = [
        (c.form, c.origins, c.origins_from, c.origins_key, c.supports_credentials, c.resources)
        for c in facts(source, FlaskCorsFact)
    ]
    assert rows == [
        ("extension", ("*",), "default", None, True, ()),
        ("extension", (), "config", "CORS_ORIGINS", None, ("/api/*",)),
        ("socketio", ("https://a.example",), "literal", None, None, ()),
        ("decorator", ("*",), "literal", None, None, ()),
    ]


def test_cli_groups_and_commands() -> None:
    source = """
        import click
        from flask import Flask
        from flask.cli import AppGroup

        app = Flask(__name__)
        users = AppGroup("users")

        @users.command("add")
        def add():
            pass

        @app.cli.group()
        def db():
            pass

        @db.command()
        def migrate():
            pass

        app.cli.add_command(users)
    """
    rows = [
        (c.kind, c.owner, c.owner_type, c.name, c.target)
        for c in facts(source, FlaskCliCommandFact)
    ]
    assert rows == [
        ("command", "pkg.views.users", "flask.cli.AppGroup", "add", "pkg.views.add"),
        ("group", "pkg.views.app", "flask.Flask", None, "pkg.views.db"),
        ("command", "pkg.views.db", "click.Group", None, "pkg.views.migrate"),
        ("add_command", "pkg.views.app", "flask.Flask", None, "pkg.views.users"),
    ]


def test_socketio_events_namespaces_and_classes() -> None:
    source = """
        from flask_socketio import Namespace, SocketIO
        from .ext import socketio as shared

        socketio = SocketIO()

        @socketio.on("chat", namespace="/room")
        def chat(data):
            pass

        @shared.event
        def ping():
            pass

        class Admin(Namespace):
            def on_kick(self, data):
                pass

        socketio.on_namespace(Admin("/admin"))
    """
    rows = [
        (w.form, w.event, w.namespace, w.owner_type, w.handler)
        for w in facts(source, FlaskWebsocketFact)
    ]
    assert rows == [
        ("on", "chat", "/room", "flask_socketio.SocketIO", "pkg.views.chat"),
        ("event", "ping", None, None, "pkg.views.ping"),
        ("namespace_method", "kick", None, "flask_socketio.Namespace", "pkg.views.Admin.on_kick"),
        ("on_namespace", None, "/admin", "flask_socketio.SocketIO", "pkg.views.Admin"),
    ]


def test_the_flask_extractors_register_in_their_order() -> None:
    # The order of facts that share a position follows the registration order: keep it.
    assert [c.name for c in REGISTRY if c.name.startswith("flask.")] == [
        "flask.app_factories", "flask.routes", "flask.request_hooks", "flask.error_handlers",
        "flask.template_filters", "flask.cli_commands", "flask.websocket_handlers",
        "flask.extensions", "flask.cors_configs", "flask.rate_limits", "flask.cache_decorators",
        "flask.configs", "flask.auth_checks", "flask.request_reads",
    ]  # fmt: skip


def test_a_file_without_flask_or_its_methods_skips_every_flask_extractor() -> None:
    source = "import os\nfrom .models import User\n\ndef load(x):\n    return User(os.sep, x)\n"
    scan = FileScan(source, "pkg/m.py", "pkg.m")
    flask_indices = {i for i, c in enumerate(REGISTRY) if c.name.startswith("flask.")}
    assert flask_indices <= skipped(scan)


def test_objects_from_elsewhere_are_read_without_a_flask_import() -> None:
    """An app imported from a workspace module, made by an imported factory, or passed to a
    helper: the file spells the methods the extractors read, and its rows are candidates."""
    routes = facts("from .app import app\n\n@app.route('/x')\ndef x():\n    pass\n", FlaskRouteFact)
    assert [(r.owner, r.owner_type, r.rule) for r in routes] == [("pkg.app.app", None, "/x")]
    source = "from bookclub import create_app\napp = create_app()\napp.run(debug=True)\n"
    rows = facts(source, FlaskConfigFact, "wsgi.py")
    assert [(r.via, r.key, r.owner) for r in rows] == [("run", "DEBUG", "wsgi.app")]
    hooks = facts(
        "def install(app):\n    @app.before_request\n    def f():\n        pass\n", FlaskHookFact
    )
    assert [(h.hook, h.owner) for h in hooks] == [
        ("before_request", "pkg.views.install.<locals>.app")
    ]


def test_module_settings_are_configuration_only_in_flask_or_config_files() -> None:
    library = (
        "from .base import Base\ndebug = 1\nCACHE_HIT = 0\n\nclass C(Base):\n    SESSION_X = 1\n"
    )
    assert facts(library, FlaskConfigFact) == []
    config = "class Production:\n    SESSION_COOKIE_SECURE = True\n    CACHE_TYPE = 'redis'\n"
    rows = facts(config, FlaskConfigFact, "config.py")
    assert [(r.via, r.key) for r in rows] == [
        ("class", "SESSION_COOKIE_SECURE"),
        ("class", "CACHE_TYPE"),
    ]
