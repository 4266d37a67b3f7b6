"""The command line: every command, every format, every exit code, and the config loader."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditls import __version__, cli
from auditls.config import (
    Config,
    ConfigError,
    TaintConfig,
    TaintSourceEntry,
    config_from_table,
    load_config,
    parse_codes,
)
from auditls.rules import RULES

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"

VULNERABLE = """\
import subprocess

import yaml


def ping(host):
    return subprocess.run(f"ping -c 1 {host}", shell=True)


def calc(expr):
    return eval(expr)


def settings(stream):
    return yaml.load(stream)
"""

CLEAN = """\
import subprocess


def ping(host):
    return subprocess.run(["ping", "-c", "1", host], check=True)
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, "pyproject.toml", '[project]\nname = "proj"\n')
    write(root, "app/__init__.py", "")
    write(root, "app/views.py", VULNERABLE)
    write(root, "app/clean.py", CLEAN)
    return root.resolve()


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args, "--jobs", "1", "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = check(capsys, *args, "--format", "json")
    assert err == ""
    return code, json.loads(out)


# -- check: formats and exit codes -------------------------------------------------------------


def test_check_text_reports_findings_and_exits_1(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws)  # text paths are relative to the current directory
    code, out, err = check(capsys, str(ws))
    assert code == 1
    assert err == ""
    lines = out.splitlines()
    assert [line.split(" ")[0:2] for line in lines[:-1]] == [
        ["app/views.py:7:12:", "AUD102"],
        ["app/views.py:11:12:", "AUD101"],
        ["app/views.py:15:12:", "AUD103"],
    ]
    assert re.match(r"app/views.py:7:12: AUD102 \[error/high\] `subprocess.run\(\)` runs", lines[0])
    assert lines[-1] == "Found 3 findings (2 errors, 1 warning) in 1 of 3 files."


def test_check_clean_code_exits_0(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, str(ws / "app" / "clean.py"))
    assert code == 0
    assert out == "No findings in 1 file.\n"


def test_check_json_shape(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(capsys, str(ws))
    assert code == 1
    assert set(doc) == {"version", "root", "findings", "errors"}
    assert doc["root"] == str(ws)  # the base of every "path"
    assert doc["version"] == __version__
    assert doc["errors"] == []
    first = doc["findings"][0]
    assert set(first) == {
        "rule",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "confidence",
        "cwe",
        "message",
        "trace",
    }
    assert (first["rule"], first["path"], first["line"], first["column"]) == (
        "AUD102",
        "app/views.py",
        7,
        12,
    )
    assert (first["severity"], first["cwe"], first["trace"]) == ("error", 78, [])
    assert [f["rule"] for f in doc["findings"]] == ["AUD102", "AUD101", "AUD103"]


def test_check_select_and_ignore(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, doc = check_json(capsys, str(ws), "--select", "AUD103")
    assert [f["rule"] for f in doc["findings"]] == ["AUD103"]
    _, doc = check_json(capsys, str(ws), "--ignore", "AUD101,aud102")
    assert [f["rule"] for f in doc["findings"]] == ["AUD103"]
    code, doc = check_json(capsys, str(ws), "--select", "AUD1", "--ignore", "AUD1")
    assert code == 0
    assert doc["findings"] == []


def test_check_unknown_or_malformed_codes_exit_2(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = check(capsys, str(ws), "--select", "AUD999")
    assert (code, out) == (2, "")
    assert "AUD999 matches no rule" in err
    assert "Traceback" not in err
    code, _, err = check(capsys, str(ws), "--ignore", "eval")
    assert code == 2
    assert "'EVAL' is not a rule code" in err


def test_check_syntax_error_is_reported_once_as_aud001(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, "app/broken.py", "def f(:\n    pass\n")
    code, doc = check_json(capsys, str(ws / "app" / "broken.py"))
    assert code == 1
    assert [(f["rule"], f["severity"], f["line"]) for f in doc["findings"]] == [
        ("AUD001", "info", 1)
    ]


def test_check_output_file(ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = check(capsys, str(ws), "--format", "json", "--output", str(target))
    assert code == 1
    assert out == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))["findings"]) == 3
    code, _, err = check(capsys, str(ws), "--output", str(tmp_path / "no" / "dir" / "x"))
    assert code == 2
    assert "cannot write" in err


def test_check_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert err == f"auditls: error: {tmp_path / 'nope'}: no such file or directory\n"


def test_check_path_outside_the_workspace_exits_2(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    write(other, "pyproject.toml", "")
    code, _, err = check(capsys, str(ws), str(other))
    assert code == 2
    assert "outside the workspace" in err


def test_check_root_is_found_from_a_subdirectory(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws / "app")
    code, doc = check_json(capsys)  # no path: the current directory
    assert code == 1
    assert {f["path"] for f in doc["findings"]} == {"app/views.py"}
    assert (ws / ".auditls" / "index.db").is_file()


def test_check_is_incremental(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, str(ws))[0] == 1
    assert cli.main(["index", str(ws), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["indexed"], doc["unchanged"], doc["files"]) == (0, 3, 3)
    write(ws, "app/views.py", CLEAN)
    code, out, _ = check(capsys, str(ws))
    assert code == 0
    assert out == "No findings in 3 files.\n"


def test_check_reports_skipped_and_unreadable_files(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, "pyproject.toml", "[tool.auditls]\nmax-file-size = 300\n")
    write(ws, "app/huge.py", "x = 1\n" * 100)
    code, doc = check_json(capsys, str(ws))
    assert code == 1
    assert doc["errors"] == [
        {
            "path": "app/huge.py",
            "kind": "skipped",
            "message": "600 bytes is over the size cap of 300 bytes (max-file-size)",
        }
    ]
    code, out, _ = check(capsys, str(ws))
    assert "app/huge.py: skipped: 600 bytes is over the size cap" in out
    # Counted among the files, and the summary says it was skipped (AUD003 on or off).
    assert out.splitlines()[-1].endswith(" of 4 files; 1 file skipped (max-file-size).")
    code, out, _ = check(capsys, str(ws), "--select", "AUD003")
    assert out.splitlines()[-1] == (
        "Found 1 finding (1 warning) in 1 of 4 files; 1 file skipped (max-file-size)."
    )
    code, out, _ = check(capsys, str(ws / "app" / "huge.py"), "--ignore", "AUD003")
    assert (code, out.splitlines()[-1]) == (
        0,
        "No findings in 1 file; 1 file skipped (max-file-size).",
    )


def test_check_reports_extractor_failures_on_every_run(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditls.extractors import core, walker

    def broken_finish(self: object) -> None:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(walker, "STRICT", False)
    monkeypatch.setattr(core.ReturnsExtractor, "finish", broken_finish)
    for _ in range(2):  # the second run extracts nothing: the failure comes from the store
        code, doc = check_json(capsys, str(ws / "app" / "views.py"))
        assert code == 1
        assert [(e["path"], e["kind"]) for e in doc["errors"]] == [
            ("app/views.py", "extractor_error")
        ]
        assert "RuntimeError: broken on purpose" in doc["errors"][0]["message"]


def test_check_uses_the_configured_selection_and_severity(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        ws,
        "pyproject.toml",
        '[tool.auditls]\nignore = ["AUD101"]\nexclude = ["app/clean.py"]\n'
        '[tool.auditls.severity]\nAUD103 = "error"\n',
    )
    code, doc = check_json(capsys, str(ws))
    assert code == 1
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [
        ("AUD102", "error"),
        ("AUD103", "error"),
    ]
    code, out, _ = check(capsys, str(ws))
    assert out.splitlines()[-1] == "Found 2 findings (2 errors) in 1 of 2 files."
    # --select replaces the configured select; --ignore adds to the configured ignore.
    _, doc = check_json(capsys, str(ws), "--ignore", "AUD102")
    assert [f["rule"] for f in doc["findings"]] == ["AUD103"]


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ('select = "AUD101"', "[tool.auditls] select: expected a list of strings"),
        ("colour = true", "[tool.auditls] colour: unknown key"),
        ("max_file_size = 10", "did you mean 'max-file-size'?"),
        ("max-file-size = -1", "max-file-size: expected a positive integer"),
        ('[tool.auditls.severity]\nAUD101 = "fatal"', "severity.AUD101: expected one of"),
        ('ignore = ["AUD999"]', "ignore: AUD999 matches no rule"),
        ("[tool.auditls", "not valid TOML"),
    ],
)
def test_bad_config_exits_2_naming_the_key(
    ws: Path, capsys: pytest.CaptureFixture[str], table: str, needle: str
) -> None:
    write(ws, "pyproject.toml", f"[tool.auditls]\n{table}\n")
    code, out, err = check(capsys, str(ws))
    assert (code, out) == (2, "")
    assert needle in err
    assert err.startswith("auditls: error: ")
    assert "Traceback" not in err


def test_internal_errors_exit_2_without_a_traceback(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kw: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("auditls.index.index_workspace", boom)
    monkeypatch.delenv("AUDITLS_DEBUG", raising=False)
    code, out, err = check(capsys, str(ws))
    assert (code, out) == (2, "")
    assert err.startswith("auditls: internal error: RuntimeError: disk on fire\n")
    assert "Traceback" not in err
    monkeypatch.setenv("AUDITLS_DEBUG", "1")
    code, _, err = check(capsys, str(ws))
    assert code == 2
    assert "Traceback" in err


# -- SARIF ---------------------------------------------------------------------------------


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, _ = check(capsys, *args, "--format", "sarif")
    assert code in (0, 1)
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_sarif_has_what_github_code_scanning_needs(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = sarif(capsys, str(ws))
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("auditls", __version__)
    # No invented addresses: the project has no published URL ([project.urls]) yet.
    assert "informationUri" not in driver
    ids = [r["id"] for r in driver["rules"]]
    assert ids == list(RULES)
    aud102 = driver["rules"][ids.index("AUD102")]
    assert aud102["name"] == "shell-command-injection"
    assert aud102["shortDescription"]["text"]
    assert aud102["fullDescription"]["text"]
    assert aud102["help"]["text"]
    assert "```python" in aud102["help"]["markdown"]
    assert "helpUri" not in aud102
    assert {"security", "external/cwe/cwe-78"} <= set(aud102["properties"]["tags"])
    assert float(aud102["properties"]["security-severity"]) >= 7.0
    assert isinstance(aud102["properties"]["security-severity"], str)
    assert aud102["defaultConfiguration"]["level"] == "error"
    aud001 = driver["rules"][ids.index("AUD001")]
    assert "security-severity" not in aud001["properties"]

    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ws.as_uri() + "/"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("AUD102", "error"),
        ("AUD101", "error"),
        ("AUD103", "warning"),
    ]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["message"]["text"]
        (loc,) = r["locations"]
        art = loc["physicalLocation"]["artifactLocation"]
        assert art == {"uri": "app/views.py", "uriBaseId": "%SRCROOT%"}
        region = loc["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert region["endColumn"] > region["startColumn"]
        (fp,) = r["partialFingerprints"].values()
        assert re.fullmatch(r"[0-9a-f]{32}:1", fp)
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_fingerprints_survive_moved_lines(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def prints() -> dict[str, tuple[int, str]]:
        (run,) = sarif(capsys, str(ws))["runs"]
        return {
            r["ruleId"]: (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                next(iter(r["partialFingerprints"].values())),
            )
            for r in run["results"]
        }

    before = prints()
    write(ws, "app/views.py", '"""Now with a docstring."""\n\n' + VULNERABLE)
    after = prints()
    assert set(before) == set(after) == {"AUD101", "AUD102", "AUD103"}
    for rule in before:
        assert after[rule][0] == before[rule][0] + 2
        assert after[rule][1] == before[rule][1]
    # A changed line is a different alert.
    write(ws, "app/views.py", VULNERABLE.replace("eval(expr)", "eval(expr + '1')"))
    assert prints()["AUD101"][1] != before["AUD101"][1]


def test_sarif_tells_identical_lines_apart(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "app/twice.py", "def f(a):\n    eval(a)\n\n\ndef g(a):\n    eval(a)\n")
    (run,) = sarif(capsys, str(ws / "app" / "twice.py"))["runs"]
    fps = [next(iter(r["partialFingerprints"].values())) for r in run["results"]]
    assert len(fps) == 2
    assert fps[0].split(":")[0] == fps[1].split(":")[0]
    assert [fp.split(":")[1] for fp in fps] == ["1", "2"]


def test_sarif_clean_run_and_notifications(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(ws, "pyproject.toml", "[tool.auditls]\nmax-file-size = 300\n")
    write(ws, "app/huge.py", "x = 1\n" * 100)
    (run,) = sarif(capsys, str(ws), "--ignore", "AUD1,AUD003")["runs"]
    assert run["results"] == []
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert "600 bytes" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/huge.py"


# -- other commands --------------------------------------------------------------------------


def test_index_text(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["index", str(ws), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("auditls: 3 files: 3 indexed, 0 unchanged, 0 removed, 0 skipped")
    assert str(ws / ".auditls" / "index.db") in out


def test_index_jobs_2(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["index", str(ws), "--jobs", "2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["indexed"], doc["errors"]) == (3, 0)
    assert doc["facts"]["python_calls"] >= 4


def test_facts_json(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["facts", str(ws / "app" / "views.py"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["path"], doc["module"], doc["status"]) == ("app/views.py", "app.views", "ok")
    callees = {row["callee"] for row in doc["tables"]["python_calls"]}
    assert {"subprocess.run", "builtins.eval", "yaml.load"} <= callees
    assert {row["target"] for row in doc["tables"]["python_imports"]} == {"subprocess", "yaml"}


def test_facts_one_table(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["facts", str(ws / "app" / "views.py"), "--table", "python_functions"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["tables"]) == ["python_functions"]
    assert [f["qualname"] for f in doc["tables"]["python_functions"]] == [
        "app.views.ping",
        "app.views.calc",
        "app.views.settings",
    ]


def test_facts_bad_input(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["facts", str(ws / "app" / "views.py"), "--table", "nope"]) == 2
    assert "no such table" in capsys.readouterr().err
    assert cli.main(["facts", str(ws / "missing.py")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert cli.main(["facts", str(ws / "app")]) == 2
    assert "not a file" in capsys.readouterr().err
    write(ws, "bad.py", "def (:\n")
    assert cli.main(["facts", str(ws / "bad.py")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "syntax_error"
    assert doc["tables"] == {}


def test_rules_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    assert any(re.match(r"AUD102\s+shell-command-injection\s+error\s+CWE-78\s", x) for x in lines)
    assert cli.main(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in doc["rules"]] == list(RULES)
    assert doc["rules"][3]["docs"] == "docs/rules.md#aud101"


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--tcp", "--host", "0.0.0.0"],  # noqa: S104 -- the address that must be refused
        ["serve", "--tcp", "--host", "192.168.1.10"],
        ["serve", "--tcp", "--host", "example.org"],
        ["serve", "--host", "127.0.0.1", "--port", "9000"],  # --host/--port without --tcp
        ["serve", "--tcp", "--port", "70000"],
        ["serve", "--token", "t"],  # a token without --tcp
    ],
)
def test_serve_refuses_anything_but_loopback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("auditls: error: --")
    assert len(err.splitlines()) == 1


def test_version_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"auditls {__version__}\n"
    assert cli.main([]) == 2
    assert "COMMAND" in capsys.readouterr().err
    assert cli.main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert cli.main(["check", "--format", "xml"]) == 2
    assert cli.main(["check", "--jobs", "-1"]) == 2
    capsys.readouterr()
    for command in ("check", "index", "facts", "rules", "serve"):
        assert cli.main([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: auditls {command}")
    assert cli.main(["--help"]) == 0
    assert "exit codes: 0 nothing found, 1 findings, 2" in capsys.readouterr().out


# -- the demo project and the real entry point -------------------------------------------------


def expectations(root: Path) -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted(root.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for code in re.findall(r"# expect: (AUD\d{3})", line):
                out.add((path.relative_to(root).as_posix(), n, code))
    return out


def test_demo_project_findings_match_its_expect_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo, ignore=shutil.ignore_patterns(".auditls"))
    code, doc = check_json(capsys, str(demo))
    assert code == 1
    got = {(f["path"], f["line"], f["rule"]) for f in doc["findings"]}
    assert got == expectations(demo)
    assert len(got) >= 3


def test_python_dash_m_auditls_check(ws: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AUDITLS_DEBUG"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditls",
            "check",
            str(ws),
            "--format",
            "json",
            "--jobs",
            "2",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["AUD102", "AUD101", "AUD103"]
    assert proc.stderr == ""


# -- config ----------------------------------------------------------------------------------


def test_load_config_defaults_and_values(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()
    write(
        tmp_path,
        "pyproject.toml",
        "[tool.auditls]\n"
        'select = ["AUD1", "ALL"]\nignore = ["AUD103"]\nexclude = ["migrations/"]\n'
        "max-file-size = 2048\n"
        '[tool.auditls.severity]\nAUD1 = "warning"\n'
        '[tool.auditls.taint]\nsources = ["app.http.param"]\nsinks = []\n',
    )
    config = load_config(tmp_path)
    assert config.select == frozenset({"AUD1", "ALL"})
    assert config.ignore == frozenset({"AUD103"})
    assert config.exclude == ("migrations/",)
    assert config.max_file_size == 2048
    assert config.severity_overrides == {"AUD1": "warning"}
    assert config.taint == TaintConfig(sources=(TaintSourceEntry(name="app.http.param"),))
    assert config.source == tmp_path / "pyproject.toml"


def test_config_without_a_tool_table_is_the_default(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.ruff]\nline-length = 100\n[project]\nname = "x"\n')
    assert load_config(tmp_path) == Config(source=tmp_path / "pyproject.toml")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"exclude": ["a", 1]}, "exclude: expected a list of strings, got a list with non-string"),
        ({"max-file-size": True}, "max-file-size: expected a positive integer, got a boolean"),
        ({"max-file-size": "1MB"}, "max-file-size: expected a positive integer, got a string"),
        ({"severity": {"AUD101x": "error"}}, "severity.AUD101x: not a rule code"),
        ({"severity": "error"}, "severity: expected a table"),
        ({"taint": {"sinkz": []}}, "taint.sinkz: unknown key"),
        ({"select": ["eval"]}, "select: 'eval' is not a rule code"),
        ({"test-code": "hide"}, "test-code: expected one of demote, report, skip"),
    ],
)
def test_config_errors_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_table(table)


def test_parse_codes() -> None:
    assert parse_codes(" aud101, AUD2 ,,") == frozenset({"AUD101", "AUD2"})
    with pytest.raises(ConfigError):
        parse_codes("AUD1011")
