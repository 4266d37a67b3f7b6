"""The taint rules end to end, through the CLI on the fixture project ``fixtures/taint``: a path
that crosses files carries every step, in JSON and as a SARIF code flow, and a pattern finding
at the same sink gives way to the taint finding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditls.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    work = tmp_path / "taint"
    shutil.copytree(ROOT / "fixtures" / "taint", work)
    return work


def run(project: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["check", str(project), "--format", fmt]) == 1
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_a_path_across_files_lists_every_step(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run(project, "json", capsys)
    findings = doc["findings"]
    assert isinstance(findings, list)
    [sql] = [f for f in findings if f["rule"] == "AUD501" and f["path"] == "shop/db.py"]
    assert (sql["path"], sql["line"]) == ("shop/db.py", 16)
    assert sql["cwe"] == 89
    assert sql["confidence"] == "medium"  # through a helper in another file
    steps = [(s["path"], s["line"]) for s in sql["trace"]]
    assert steps[0] == ("shop/views.py", 78)  # request.args, read in the view
    assert ("shop/db.py", 13) in steps  # `term = args.get(...)` in the helper
    assert steps[-1] == ("shop/db.py", 16)  # the sink
    assert "request.args" in sql["message"]
    # The pattern rule's finding at the same call gives way to the taint finding.
    assert not [f for f in findings if f["rule"] == "AUD113" and f["line"] == 16]


def test_sarif_carries_the_steps_as_a_code_flow(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = run(project, "sarif", capsys)
    runs = sarif["runs"]
    assert isinstance(runs, list)
    results = runs[0]["results"]
    [sql] = [
        r
        for r in results
        if r["ruleId"] == "AUD501"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/db.py"
    ]
    [flow] = sql["codeFlows"]
    [thread] = flow["threadFlows"]
    locations = [step["location"] for step in thread["locations"]]
    first = locations[0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "shop/views.py"
    assert first["region"]["startLine"] == 78
    assert all(loc["message"]["text"] for loc in locations)
    last = locations[-1]["physicalLocation"]
    assert (last["artifactLocation"]["uri"], last["region"]["startLine"]) == ("shop/db.py", 16)


def test_a_workspace_teaches_its_own_sink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.auditls.taint]\n"
        'sinks = [{ name = "app.store.run_sql", kind = "sql", positions = [0] }]\n'
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "store.py").write_text("def run_sql(text):\n    return text\n")
    (tmp_path / "app" / "views.py").write_text(
        "from flask import Flask, request\n\nfrom app.store import run_sql\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.get("/q")\ndef q():\n    return str(run_sql("SELECT " + request.args["c"]))\n'
    )
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("AUD501", "app/views.py", 10)]


def test_a_pattern_finding_whose_argument_is_shown_clean_is_low(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings = run(project, "json", capsys)["findings"]
    assert isinstance(findings, list)
    [order] = [f for f in findings if f["rule"] == "AUD113"]
    assert (order["path"], order["line"]) == ("shop/db.py", 35)  # ORDER BY an allowlisted column
    assert order["confidence"] == "low"
