"""The SARIF output validates against the SARIF 2.1.0 JSON schema (OASIS, rtm.5): plain
findings, findings with taint code flows, suppressions, syntax errors.

The schema is not in the repository: ``.ci/fetch-sarif-schema`` fetches it from the npm
registry and prints its path, and ``.ci/run`` exports it as ``AUDITLS_SARIF_SCHEMA``. Without
that variable the test is skipped (with the command to run); with it, a missing file fails.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from auditls.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ["taint", "demo", "flask", "taint_steps"]


@pytest.fixture(scope="module")
def validator() -> object:
    jsonschema = pytest.importorskip("jsonschema")
    where = os.environ.get("AUDITLS_SARIF_SCHEMA")
    if not where:
        pytest.skip("export AUDITLS_SARIF_SCHEMA=$(bash .ci/fetch-sarif-schema) to run it")
    schema = json.loads(Path(where).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("name", PROJECTS)
def test_sarif_validates_against_the_schema(
    name: str, validator: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / name
    shutil.copytree(ROOT / "fixtures" / name, work)
    (work / "broken.py").write_text("def broken(:\n", encoding="utf-8")
    (work / "quiet.py").write_text("eval(input())  # auditls: ignore[AUD101]\n", encoding="utf-8")
    assert main(["check", str(work), "--format", "sarif"]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    errors = sorted(validator.iter_errors(doc), key=str)  # type: ignore[attr-defined]
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    results = doc["runs"][0]["results"]
    assert results, "the project has findings to validate"
    if name == "taint":
        assert any("codeFlows" in r for r in results)
