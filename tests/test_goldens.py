"""Golden facts for the core extractors: fixtures/goldens/X.py ⇄ X.facts.json.

Run `pytest tests/test_goldens.py --update-goldens` to rewrite the JSON after an intended change,
then read the diff before committing it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from auditls.extractors import extract

GOLDENS = Path(__file__).parent.parent / "fixtures" / "goldens"
SOURCES = sorted(GOLDENS.glob("*.py"))


def render(source: Path) -> str:
    facts = extract(source.read_bytes(), f"pkg/{source.name}")
    assert facts.status == "ok", facts.error
    rows = [{"table": f.TABLE, **dataclasses.asdict(f)} for f in facts.facts]
    return json.dumps(rows, indent=1, ensure_ascii=False) + "\n"


def test_there_are_goldens() -> None:
    assert len(SOURCES) >= 2


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_golden_facts(source: Path, update_goldens: bool) -> None:
    golden = source.with_suffix(".facts.json")
    actual = render(source)
    if update_goldens:
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run pytest --update-goldens"
    expected = golden.read_text(encoding="utf-8")
    assert json.loads(actual) == json.loads(expected), (
        f"{source.name}: facts changed; if intended, run pytest tests/test_goldens.py "
        "--update-goldens and review the diff"
    )
