"""The Flask rules (AUD304-308, AUD401-405): workspace checks over several files."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from auditls import cli
from auditls.extractors import extract
from auditls.rules import Finding, check_workspace, workspace_codes
from auditls.rules.flask import RULES as FLASK_RULES

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "flask"


def findings(files: dict[str, str], **kw: object) -> list[Finding]:
    facts = []
    for path, source in files.items():
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        ff = extract(textwrap.dedent(source).encode(), path, module=module)
        assert ff.status == "ok", ff.error
        facts.append(ff)
    return check_workspace(facts, **kw)  # type: ignore[arg-type]


def rules(found: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule) for f in found]


APP = """
    from flask import Flask, request
    from flask_login import login_required

    app = Flask(__name__)

    @app.post("/a")
    @login_required
    def a():
        return ""

    @app.post("/b")
    def b():
        return request.form["x"]
"""


def test_every_flask_rule_has_a_case_in_the_flask_project() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in PROJECT.rglob("*.py"))
    for rule in FLASK_RULES:
        assert f"expect: {rule.code}" in text or f", {rule.code}" in text, rule.code
    assert {r.code for r in FLASK_RULES} <= workspace_codes()


def test_missing_auth_names_the_sibling_mechanism() -> None:
    found = [f for f in findings({"app.py": APP}) if f.rule == "AUD304"]
    assert rules(found) == [("app.py", 12, "AUD304")]
    (finding,) = found
    assert finding.confidence == "high"
    assert "`POST /b`" in finding.message
    assert "use @login_required (1 of 1)" in finding.message


def test_no_auth_anywhere_means_no_auth_gap() -> None:
    public = APP.replace("    @login_required\n", "")
    assert [f.rule for f in findings({"app.py": public})] == ["AUD306"]


def test_a_guard_in_the_factory_module_protects_a_blueprint_elsewhere() -> None:
    files = {
        "site/__init__.py": """
            from flask import Flask, abort
            from flask_login import current_user

            def create_app():
                app = Flask(__name__)
                from site.admin import admin
                app.register_blueprint(admin, url_prefix="/admin")

                @app.before_request
                def require_login():
                    if not current_user.is_authenticated:
                        abort(401)

                return app
        """,
        "site/admin.py": """
            from flask import Blueprint
            admin = Blueprint("admin", __name__)

            @admin.delete("/users/<id>")
            def drop(id):
                return ""
        """,
    }
    assert [f for f in findings(files) if f.rule == "AUD304"] == []
    # without the guard, the route is open, but nothing authenticates: still not reported
    open_site = files["site/__init__.py"].replace("abort(401)", "pass")
    unguarded = {**files, "site/__init__.py": open_site}
    assert [f for f in findings(unguarded) if f.rule == "AUD304"] == []


def test_suppression_scopes_and_overrides() -> None:
    suppressed = APP.replace('@app.post("/b")', '@app.post("/b")  # auditls: ignore[AUD304]')
    assert "AUD304" not in [f.rule for f in findings({"app.py": suppressed})]
    file_wide = "# auditls: ignore-file[AUD304, AUD306]\n" + textwrap.dedent(APP)
    assert findings({"app.py": file_wide}) == []
    assert findings({"app.py": APP}, scopes=["other"]) == []
    assert findings({"app.py": APP}, select=["AUD1"]) == []
    overridden = findings({"app.py": APP}, select=["AUD304"], severity_overrides={"AUD3": "info"})
    assert [(f.rule, f.severity) for f in overridden] == [("AUD304", "info")]


def test_socketio_handlers_and_connect_guards() -> None:
    files = {
        "chat.py": """
            from flask import Flask
            from flask_login import current_user, login_required
            from flask_socketio import SocketIO, emit

            app = Flask(__name__)
            socketio = SocketIO(app)

            @app.post("/profile")
            @login_required
            def profile():
                return ""

            @socketio.on("connect", namespace="/private")
            def private_connect():
                if not current_user.is_authenticated:
                    return False

            @socketio.on("say", namespace="/private")
            def private_say(data):
                emit("said", data)

            @socketio.on("say", namespace="/public")
            def public_say(data):
                emit("said", data)
        """
    }
    assert rules([f for f in findings(files) if f.rule == "AUD304"]) == [("chat.py", 23, "AUD304")]


def test_csrf_switched_off_in_config_and_json_routes() -> None:
    files = {
        "app.py": """
            from flask import Flask, request
            from flask_wtf.csrf import CSRFProtect

            app = Flask(__name__)
            CSRFProtect(app)
            app.config["WTF_CSRF_ENABLED"] = False

            @app.post("/form")
            def form():
                return request.form["x"]

            @app.post("/json")
            def json_view():
                return request.get_json()["x"]
        """
    }
    found = [f for f in findings(files) if f.rule == "AUD306"]
    assert rules(found) == [("app.py", 9, "AUD306")]
    assert "switched off (app.py:7)" in found[0].message


def test_configuration_rules_follow_what_the_app_loads() -> None:
    files = {
        "proj/settings.py": """
            import os

            class Base:
                SESSION_COOKIE_SAMESITE = "None"

            class Production(Base):
                SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-fallback")
                DEBUG = False

            class Development(Base):
                DEBUG = True
                SESSION_COOKIE_SECURE = False

            class Testing(Base):
                TESTING = True
                SESSION_COOKIE_HTTPONLY = False
        """,
        "proj/app.py": """
            from flask import Flask
            from flask_cors import CORS

            app = Flask(__name__)
            app.config.from_object("proj.settings.Production")
            app.config["CORS_ORIGINS"] = "*"
            CORS(app)
        """,
    }
    found = rules(findings(files))
    assert found == [
        ("proj/app.py", 8, "AUD405"),  # origins from CORS_ORIGINS, no credentials: low
        ("proj/settings.py", 5, "AUD403"),  # SameSite None without Secure, inherited
        ("proj/settings.py", 8, "AUD402"),  # a literal fallback in the loaded class
    ]
    confidences = {f.rule: f.confidence for f in findings(files)}
    assert confidences == {"AUD405": "low", "AUD403": "medium", "AUD402": "medium"}


def test_cli_reports_workspace_findings_of_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "flask"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(".auditls"))
    code = cli.main(["check", str(project), "--format", "json", "--jobs", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    got = {(f["path"], f["line"], f["rule"]) for f in doc["findings"]}
    assert ("bookclub/main/views.py", 84, "AUD304") in got
    assert ("bookclub/main/views.py", 95, "AUD305") in got
    assert ("wsgi.py", 13, "AUD401") in got
    # a path in scope still sees the factory out of scope (the whole store is read)
    code = cli.main(["check", str(project / "bookclub" / "main"), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    scoped = {(f["path"], f["line"], f["rule"]) for f in doc["findings"]}
    assert scoped == {
        ("bookclub/main/views.py", 84, "AUD304"),
        ("bookclub/main/views.py", 95, "AUD305"),
    }
    code = cli.main(["check", str(project), "--format", "json", "--select", "AUD40"])
    doc = json.loads(capsys.readouterr().out)
    assert {f["rule"] for f in doc["findings"]} == {
        "AUD401", "AUD402", "AUD403", "AUD404", "AUD405",
    }  # fmt: skip
