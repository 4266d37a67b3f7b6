"""Findings in test code: lowered to info / low by default, kept or dropped by the setting."""

from __future__ import annotations

import pytest

from auditls.config import config_from_table
from auditls.extractors import extract
from auditls.rules import analyse

SOURCE = b"import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"


def _findings(path: str, test_code: str) -> list[tuple[str, str, str]]:
    report = analyse([extract(SOURCE, path)], test_code=test_code)
    return [(f.rule, f.severity, f.confidence) for f in report.findings]


@pytest.mark.parametrize("path", ["tests/test_cache.py", "pkg/conftest.py", "app/x_test.py"])
def test_test_code_is_demoted_by_default(path: str) -> None:
    assert _findings(path, "demote") == [("AUD104", "info", "low")]
    assert _findings(path, "report") == [("AUD104", "error", "high")]
    assert _findings(path, "skip") == []


def test_other_code_is_untouched() -> None:
    for policy in ("demote", "report", "skip"):
        assert _findings("app/cache.py", policy) == [("AUD104", "error", "high")]


def test_the_setting() -> None:
    assert config_from_table({}).test_code == "demote"
    assert config_from_table({"test-code": "skip"}).test_code == "skip"
