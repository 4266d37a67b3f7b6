"""Query-time linking of Flask facts: the fixtures/flask project indexed into a real store, and
small multi-file workspaces for each way a reference crosses files."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.extractors import extract
from auditls.facts.flask import FACT_TYPES as FLASK_FACT_TYPES
from auditls.index import index_workspace
from auditls.link import link_of
from auditls.models.flask import Route, counts, join_url
from auditls.rules.flask.judge import FlaskJudge
from auditls.store import Store

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "flask"


@pytest.fixture(scope="module")
def model() -> Iterator[FlaskJudge]:
    with Store.open(PROJECT, persist=False) as store:
        index_workspace(PROJECT, store, Config(), progress=False, snapshot=False)
        yield FlaskJudge.from_store(store)


def workspace(files: dict[str, str]) -> FlaskJudge:
    """A model of in-memory files: ``{"pkg/__init__.py": source}`` (modules from the paths)."""
    facts = []
    for path, source in files.items():
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        ff = extract(textwrap.dedent(source).encode(), path, module=module)
        assert ff.status == "ok", (path, ff.error)
        assert not ff.extractor_errors, ff.extractor_errors
        facts.append(ff)
    return FlaskJudge.from_files(facts)


def route(model: FlaskJudge, method: str, url: str) -> Route:
    for r in model.routes:
        if method in r.methods and any(m.url == url for m in r.mounts):
            return r
    raise AssertionError(f"no route {method} {url}")


def urls(model: FlaskJudge) -> set[str]:
    return {f"{','.join(r.methods)} {m.url} {m.endpoint}" for r in model.routes for m in r.mounts}


# -- the fixture project -------------------------------------------------------------------


def test_apps_and_factories(model: FlaskJudge) -> None:
    assert sorted(a.label for a in model.apps) == ["bookclub.create_app()", "bookclub.status.app"]


def test_blueprints_get_their_prefixes_from_the_factory(model: FlaskJudge) -> None:
    found = urls(model)
    # registered with url_prefix in create_app's helper, in another module
    assert "GET,POST /auth/login auth.login" in found
    # the blueprint's own url_prefix (the registration gives none)
    assert "POST /admin/users/<int:user_id>/delete admin.delete_user" in found
    # nested: api_bp registers hooks_bp, and the factory mounts api_bp under /api/v1
    assert "POST /api/v1/hooks/bookshop api.hooks.bookshop_event" in found
    # a MethodView through add_url_rule: methods from the class
    assert "GET,PUT,DELETE /api/v1/books/<int:book_id> api.books_api.book" in found
    # the standalone app, no prefix
    assert "POST /incidents report_incident" in found


def test_megatutorial_blueprint_imported_from_the_package(model: FlaskJudge) -> None:
    login = route(model, "POST", "/auth/login")
    assert login.path == "bookclub/auth/views.py"
    assert login.owner.fact.ref == "bookclub.auth.bp"


def test_extensions_bound_through_a_helper(model: FlaskJudge) -> None:
    (app,) = [a for a in model.apps if a.fact.factory]
    kinds = {e.kind for e in app.extensions}
    assert {"sqlalchemy", "login", "csrf", "limiter", "cache", "cors", "socketio", "sock"} <= kinds
    (status,) = [a for a in model.apps if not a.fact.factory]
    assert [e.kind for e in status.extensions] == ["cors"]


def test_guarded_route_by_a_blueprint_hook(model: FlaskJudge) -> None:
    auth = model.route_auth(route(model, "POST", "/admin/users/<int:user_id>/delete"))
    assert auth.protected
    assert [(e.kind, e.what) for e in auth.evidence] == [("hook", "before_request require_admin")]


def test_decorator_above_the_route_does_not_protect(model: FlaskJudge) -> None:
    auth = model.route_auth(route(model, "POST", "/clubs/<slug>/join"))
    assert not auth.protected
    assert [e.what for e in auth.misplaced] == ["@login_required"]


def test_custom_and_extension_decorators(model: FlaskJudge) -> None:
    delete = model.route_auth(route(model, "POST", "/reviews/<int:review_id>/delete"))
    assert "@confirmed_required" in [e.what for e in delete.evidence]
    book = model.route_auth(route(model, "PUT", "/api/v1/books/<int:book_id>"))
    assert [(e.kind, e.what) for e in book.evidence] == [
        ("class_decorator", "@token_auth.login_required")
    ]
    edit = model.route_auth(
        route(model, "PATCH", "/api/v1/books/<int:book_id>/reviews/<int:review_id>")
    )
    assert {e.kind for e in edit.evidence} == {"body"}


def test_unguarded_routes(model: FlaskJudge) -> None:
    for method, url in [
        ("POST", "/reviews/<int:review_id>/report"),
        ("PUT", "/api/v1/books/<int:book_id>/cover"),
        ("POST", "/api/v1/hooks/bookshop"),
    ]:
        assert not model.route_auth(route(model, method, url)).protected, url
    (app,) = [a for a in model.apps if a.fact.factory]
    (status,) = [a for a in model.apps if not a.fact.factory]
    assert model.app_authenticates(app)
    assert not model.app_authenticates(status)


def test_sibling_auth_names_what_the_blueprint_uses(model: FlaskJudge) -> None:
    report = route(model, "POST", "/reviews/<int:review_id>/report")
    assert model.sibling_auth(report) == (
        [("@confirmed_required", 1), ("@login_required", 1), ("a check in the view", 1)],
        8,
    )


def test_sign_in_and_credential_routes(model: FlaskJudge) -> None:
    assert model.is_sign_in(route(model, "POST", "/auth/login"))
    assert model.credential_route(route(model, "POST", "/auth/login")) == "checks a password"
    assert model.credential_route(route(model, "POST", "/auth/reset")) == (
        "is named like a login or password reset"
    )
    assert model.credential_route(route(model, "POST", "/books/<int:book_id>/reviews")) is None


def test_limits_cors_cache_csrf(model: FlaskJudge) -> None:
    limits, exempt = model.route_limits(route(model, "POST", "/admin/books"))
    assert limits == ["100 per hour (blueprint `admin`)", "200 per day, 50 per hour (default)"]
    assert not exempt
    assert model.route_limits(route(model, "GET", "/api/v1/books/popular")) == ([], True)

    cover = model.route_cors(route(model, "PUT", "/api/v1/books/<int:book_id>/cover"))
    assert [(c.fact.form, c.fact.origins, c.fact.supports_credentials) for c in cover] == [
        ("decorator", ("*",), True),
        ("init_app", (), True),  # the app's policy for /api/*, origins from CORS_ORIGINS
    ]
    assert model.route_cors(route(model, "GET", "/books")) == []

    cached = model.route_cache(route(model, "GET", "/books"))
    assert [(c.fact.kind, c.fact.timeout, c.fact.query_string) for c in cached] == [
        ("cached", 120, True)
    ]

    assert model.route_csrf(route(model, "POST", "/api/v1/hooks/bookshop"))[0] == "exempt"
    assert model.route_csrf(route(model, "POST", "/reviews/<int:review_id>/report"))[0] == (
        "protected"
    )
    assert model.route_csrf(route(model, "POST", "/incidents"))[0] == "none"


def test_config_loaded_by_name_and_from_a_mapping(model: FlaskJudge) -> None:
    (app,) = [a for a in model.apps if a.fact.factory]
    entries = {(e.site.fact.owner, e.site.fact.key, e.how) for e in model.config_entries(app)}
    assert ("bookclub.create_app.<locals>.app", "MAX_CONTENT_LENGTH", "direct") in entries
    # config[name] picks one of the mapping's classes at run time: ProductionConfig, with
    # what it inherits from Config (testing and development classes are left out)
    assert ("bookclub.config.ProductionConfig", "SECRET_KEY", "possible") in entries
    assert ("bookclub.config.Config", "SESSION_COOKIE_SECURE", "possible") in entries
    assert ("bookclub.config.Config", "SECRET_KEY", "possible") not in entries  # overridden
    assert not {e for e in entries if e[0] == "bookclub.config.TestingConfig"}
    assert model.is_base_config("bookclub.config.Config")
    assert model.config_class_kind("bookclub.config.TestingConfig") == "testing"
    assert model.config_class_kind("bookclub.config.DevelopmentConfig") == "development"
    # a test config disabling CSRF does not disable it for the app
    assert model.csrf_status(app)[0] == "protected"


def test_run_through_socketio_reaches_the_app(model: FlaskJudge) -> None:
    (app,) = [a for a in model.apps if a.fact.factory]
    runs = [s for s in app.configs if s.fact.via == "run"]
    assert [(s.path, s.fact.value) for s in runs] == [("wsgi.py", "true")]


def test_socket_handlers_and_connect_guards(model: FlaskJudge) -> None:
    by_handler = {
        h.handler.rpartition(".")[2]: [e.kind for e in model.socket_auth(h)]
        for h in model.socket_handlers
    }
    assert by_handler["on_message"] == ["connect"]  # the "/" connect handler returns False
    assert by_handler["lobby_message"] == []  # the /lobby connect handler accepts everyone
    assert by_handler["on_join"] == ["decorator", "connect"]
    assert by_handler["on_remove"] == ["connect"]  # the namespace class's on_connect raises
    assert by_handler["typing_indicator"] == ["connect"]


def test_hooks_and_the_routes_they_guard(model: FlaskJudge) -> None:
    found = model.hook_at("bookclub/admin/views.py", 16, 2)
    assert found is not None
    hook, owner = found
    guarded = model.routes_guarded_by(hook, owner)
    assert sorted(r.view_name for r in guarded) == [
        "add_book", "dashboard", "delete_review", "delete_user", "promote", "users",
    ]  # fmt: skip


def test_lookups_by_position(model: FlaskJudge) -> None:
    on_decorator = model.route_at("bookclub/main/views.py", 84, 3)
    on_def = model.route_at("bookclub/main/views.py", 85, 6)
    assert on_decorator is not None
    assert on_decorator is on_def
    assert on_decorator.view_name == "report_review"
    assert model.route_at("bookclub/main/views.py", 1, 1) is None
    ext = model.extension_at("bookclub/extensions.py", 26, 3)
    assert ext is not None
    assert ext[0].kind == "limiter"


def test_from_store_equals_from_files(model: FlaskJudge) -> None:
    files = []
    for path in sorted(PROJECT.rglob("*.py")):
        rel = path.relative_to(PROJECT)
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        files.append(extract(path.read_bytes(), rel.as_posix(), module=module))
    direct = FlaskJudge.from_files(files)
    assert urls(direct) == urls(model)
    assert counts(direct) == counts(model)


def test_the_model_links_through_the_stores_linker() -> None:
    with Store.open(PROJECT, persist=False) as store:
        index_workspace(PROJECT, store, Config(), progress=False, snapshot=False)
        model = FlaskJudge.from_store(store)
        assert model.link is link_of(store, FLASK_FACT_TYPES)
        assert "bookclub/extensions.py" in model.link.files
        assert "bookclub/models.py" not in model.link.files  # no Flask rows there
        assert model.link.modules["bookclub.models"] == "bookclub/models.py"


def test_row_counts_on_the_project(model: FlaskJudge) -> None:
    rows = counts(model)
    assert all(n > 0 for n in rows.values()), rows
    assert sum(rows.values()) >= 240


# -- each way a reference crosses files ----------------------------------------------------


def test_reexport_through_a_package_and_a_star_import() -> None:
    m = workspace({
        "app/__init__.py": """
            from flask import Flask
            from app.admin import admin
            from app.shop import *

            app = Flask(__name__)
            app.register_blueprint(admin, url_prefix="/admin")
            app.register_blueprint(shop)
        """,
        "app/admin/__init__.py": "from .views import admin\n",
        "app/admin/views.py": """
            from flask import Blueprint
            admin = Blueprint("admin", __name__)

            @admin.delete("/users/<id>")
            def drop(id):
                pass
        """,
        "app/shop.py": """
            from flask import Blueprint
            shop = Blueprint("shop", __name__, url_prefix="/shop")

            @shop.post("/cart")
            def cart():
                pass
        """,
    })  # fmt: skip
    assert urls(m) == {"DELETE /admin/users/<id> admin.drop", "POST /shop/cart shop.cart"}


def test_helper_parameters_link_to_what_callers_pass() -> None:
    m = workspace({
        "site/factory.py": """
            from flask import Flask
            from site.routes import install

            def create_app():
                app = Flask(__name__)
                install(app)
                return app
        """,
        "site/routes.py": """
            def install(app):
                @app.route("/x", methods=["POST"])
                def x():
                    pass

                @app.before_request
                def check():
                    pass
        """,
    })  # fmt: skip
    assert urls(m) == {"POST /x x"}
    (app,) = m.apps
    assert [h.fact.target_text for h in app.hooks] == ["check"]


def test_app_made_by_a_factory_elsewhere_and_current_app() -> None:
    m = workspace({
        "proj/__init__.py": """
            from flask import Flask

            def make():
                return Flask(__name__)
        """,
        "wsgi.py": """
            from proj import make
            application = make()
            application.config["SECRET_KEY"] = "literal"

            @application.route("/late")
            def late():
                pass
        """,
        "proj/tasks.py": """
            from flask import current_app

            def configure():
                current_app.config["DEBUG"] = True
        """,
    })  # fmt: skip
    (app,) = m.apps
    assert app.label == "proj.make()"
    assert urls(m) == {"GET /late late"}
    assert sorted(s.fact.key or "" for s in app.configs) == ["DEBUG", "SECRET_KEY"]


def test_a_flask_object_stops_resolution_before_an_earlier_import() -> None:
    m = workspace({
        "site/app.py": """
            from flask import Flask
            from site.legacy import app

            app = Flask(__name__)

            @app.post("/x")
            def x():
                pass
        """,
        "site/legacy.py": "app = None\n",
    })  # fmt: skip
    assert urls(m) == {"POST /x x"}
    assert m.link.resolve("site.app.app") == "site.legacy.app"  # the linker alone goes on


def test_unregistered_and_unknown_owners_are_dropped() -> None:
    m = workspace({
        "lib/views.py": """
            from flask import Blueprint
            from lib.router import router

            orphan = Blueprint("orphan", __name__)

            @orphan.post("/nowhere")
            def nowhere():
                pass

            @router.route("/not-flask")
            def not_flask():
                pass
        """,
    })  # fmt: skip
    assert [r.view_name for r in m.routes] == ["nowhere"]  # a blueprint, never registered
    assert m.routes[0].mounts == []
    assert not m.route_auth(m.routes[0]).unguarded_mounts  # nothing to judge without an app


def test_nested_blueprints_join_prefixes_and_names() -> None:
    m = workspace({
        "n/app.py": """
            from flask import Flask, Blueprint

            parent = Blueprint("parent", __name__, url_prefix="/p")
            child = Blueprint("child", __name__, url_prefix="/c")

            @child.get("/leaf")
            def leaf():
                pass

            parent.register_blueprint(child)
            app = Flask(__name__)
            app.register_blueprint(parent, url_prefix="/v1")
            app.register_blueprint(parent, url_prefix="/v2", name="again")
        """,
    })  # fmt: skip
    assert urls(m) == {"GET /v1/c/leaf parent.child.leaf", "GET /v2/c/leaf again.child.leaf"}


@pytest.mark.parametrize(
    ("prefix", "rule", "url"),
    [(None, "/a", "/a"), ("/x", "/a", "/x/a"), ("/x/", "/a", "/x/a"), ("/x", "", "/x")],
)
def test_join_url(prefix: str | None, rule: str, url: str) -> None:
    assert join_url(prefix, rule) == url
