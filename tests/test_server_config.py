"""Editor settings layered over [tool.auditls] (server/config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditls.config import Config
from auditls.server.config import (
    EditorSettings,
    Settings,
    index_affecting,
    layer,
    overlay,
    parse_editor_settings,
    read_pyproject,
)


def test_defaults() -> None:
    settings = layer(Config(), EditorSettings())
    assert settings == Settings()
    assert settings.debounce == 0.2
    assert settings.diagnostic_mode == "workspace"
    assert settings.syntax_diagnostics is True


def test_every_key() -> None:
    editor = parse_editor_settings(
        {
            "select": ["AUD1"],
            "ignore": ["AUD103"],
            "exclude": ["gen/"],
            "severity": {"AUD102": "warning"},
            "debounce": 50,
            "diagnosticMode": "openFiles",
            "syntaxDiagnostics": False,
            "logLevel": "debug",
            "docsUrl": "https://docs.example.test/auditls/rules.md#ignored-fragment",
            "interpreter": ["/usr/bin/python3"],  # the extension's own key: not ours, not an error
        },
        origin="auditls",
    )
    assert editor.problems == ()
    settings = layer(Config(), editor)
    assert settings.config.select == frozenset({"AUD1"})
    assert settings.config.ignore == frozenset({"AUD103"})
    assert settings.config.exclude == ("gen/",)
    assert settings.config.severity_overrides == {"AUD102": "warning"}
    assert settings.debounce == 0.05
    assert settings.diagnostic_mode == "openFiles"
    assert settings.syntax_diagnostics is False
    assert settings.log_level == "debug"
    assert settings.docs_url == "https://docs.example.test/auditls/rules.md"


def test_editor_over_project() -> None:
    project = Config(
        select=frozenset({"AUD1"}),
        ignore=frozenset({"AUD102"}),
        exclude=("migrations/",),
        severity_overrides={"AUD101": "warning", "AUD103": "error"},
        max_file_size=5000,
    )
    editor = parse_editor_settings(
        {
            "select": ["ALL"],
            "ignore": ["AUD103"],
            "exclude": ["gen/", "migrations/"],
            "severity": {"AUD101": "info"},
        },
        origin="auditls",
    )
    config = layer(project, editor).config
    assert config.select == frozenset({"ALL"})  # replaced, as --select does
    assert config.ignore == frozenset({"AUD102", "AUD103"})  # added, as --ignore does
    assert config.exclude == ("migrations/", "gen/")
    assert config.severity_overrides == {"AUD101": "info", "AUD103": "error"}
    assert config.max_file_size == 5000  # only the project sets it


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"select": "AUD1"}, "select: expected a list of rule codes"),
        ({"select": ["AUD1", "B101"]}, "'B101' is not a rule code"),
        ({"ignore": ["AUD8"]}, "AUD8 matches no rule"),
        ({"severity": {"AUD101": "fatal"}}, "AUD101: expected one of error, warning, info"),
        ({"severity": ["AUD101"]}, "severity: expected an object"),
        ({"debounce": -1}, "debounce: expected 0 to 10000 ms"),
        ({"debounce": True}, "debounce: expected milliseconds"),
        ({"diagnosticMode": "all"}, "diagnosticMode: expected one of workspace, openFiles"),
        ({"syntaxDiagnostics": "yes"}, "syntaxDiagnostics: expected true or false"),
        ({"logLevel": "verbose"}, "logLevel: expected one of"),
        ({"docsUrl": "docs/rules.md"}, "docsUrl: expected an absolute URL"),
        ({"exclude": "gen/"}, "exclude: expected a list"),
        ({"selekt": ["AUD1"]}, "unknown setting 'selekt'"),
    ],
)
def test_a_bad_value_is_reported_and_falls_back(raw: dict[str, object], problem: str) -> None:
    editor = parse_editor_settings(raw, origin="auditls")
    [message] = editor.problems
    assert message.startswith("auditls: ")
    assert problem in message
    assert next(iter(raw)) not in editor.values


def test_null_means_unset_and_not_an_object_is_one_problem() -> None:
    assert parse_editor_settings({"select": None}, origin="x").values == {}
    assert parse_editor_settings(None, origin="x") == EditorSettings()
    bad = parse_editor_settings(["select"], origin="initializationOptions")
    assert bad.problems == ("initializationOptions: expected an object, got a list",)


def test_overlay_later_layers_win_key_by_key() -> None:
    init = parse_editor_settings({"ignore": ["AUD101"], "debounce": 10}, origin="init")
    fetched = parse_editor_settings({"ignore": []}, origin="auditls")
    merged = overlay(init, fetched)
    assert merged.values == {"ignore": frozenset(), "debounce": 0.01}


def test_a_bad_pyproject_falls_back_to_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.auditls]\nselect = 'AUD1'\n")
    config, problem = read_pyproject(tmp_path)
    assert config == Config()
    assert problem is not None
    assert "select" in problem
    assert problem.endswith("using the defaults")
    (tmp_path / "pyproject.toml").write_text("[tool.auditls]\nignore = ['AUD103']\n")
    config, problem = read_pyproject(tmp_path)
    assert (config.ignore, problem) == (frozenset({"AUD103"}), None)


def test_which_changes_need_a_reconcile() -> None:
    base = Config()
    assert not index_affecting(base, Config(ignore=frozenset({"AUD101"})))
    assert index_affecting(base, Config(exclude=("gen/",)))
    assert index_affecting(base, Config(max_file_size=10))
