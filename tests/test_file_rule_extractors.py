"""The editor's quick pass (``rules.runner.FILE_RULE_EXTRACTORS``) gives every file rule's
findings: on every Python file of ``fixtures/``, the findings from those extractors alone equal
the findings from every extractor. A file rule that starts reading another extractor's facts
(or an extractor that starts reading another's) fails here until the set names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditls.extractors import extract
from auditls.extractors.walker import REGISTRY
from auditls.rules import check_facts
from auditls.rules.runner import EVERY_RULE, FILE_RULE_EXTRACTORS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FILES = sorted(FIXTURES.rglob("*.py"))


def test_the_set_names_registered_extractors() -> None:
    names = {cls.name for cls in REGISTRY}
    assert names >= FILE_RULE_EXTRACTORS
    assert names > FILE_RULE_EXTRACTORS  # a proper subset: the quick pass skips something


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_quick_extraction_gives_every_file_rule_finding(path: Path) -> None:
    data = path.read_bytes()
    rel = path.relative_to(FIXTURES).as_posix()
    full = extract(data, rel)
    quick = extract(data, rel, only=FILE_RULE_EXTRACTORS)
    assert quick.status == full.status
    assert check_facts(quick, select=EVERY_RULE) == check_facts(full, select=EVERY_RULE)


def test_only_skips_the_other_extractors() -> None:
    source = b"import flask\napp = flask.Flask(__name__)\n@app.route('/')\ndef i(): return ''\n"
    full = {type(f).__name__ for f in extract(source, "app.py").facts}
    quick = {type(f).__name__ for f in extract(source, "app.py", only=FILE_RULE_EXTRACTORS).facts}
    assert "FlaskRouteFact" in full
    assert "FlaskRouteFact" not in quick
    assert "CallFact" in quick
