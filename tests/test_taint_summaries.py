"""Golden summaries of the taint engine over the fixture project ``fixtures/taint``.

``fixtures/goldens/taint_summaries.jsonl`` holds one line per function whose summary says
something: which parameters (or sources, or values the engine cannot vouch for) reach its return
value, and which parameters reach which sinks. A change to the engine shows in a diff as the
functions whose summary changed. ``pytest --update-goldens`` rewrites the file and fails, as the
extractor goldens do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditls.extractors import extract, module_name_for
from auditls.taint import Label, engine_of_files

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "fixtures" / "taint"
GOLDEN = ROOT / "fixtures" / "goldens" / "taint_summaries.jsonl"


def _label(label: Label) -> str:
    cleaned = f" (clean for {', '.join(sorted(label.cleaned))})" if label.cleaned else ""
    return label.origin + cleaned


def summaries() -> list[str]:
    files = [
        extract(
            p.read_bytes(), p.relative_to(PROJECT).as_posix(), module=module_name_for(p, PROJECT)
        )
        for p in sorted(PROJECT.rglob("*.py"))
    ]
    engine = engine_of_files(files)
    engine.summarise()
    lines = []
    for name, summary in sorted(engine.summaries.items()):
        returns = sorted(_label(label) for label in summary.returns)
        sinks = sorted(
            {
                f"{_label(label)} -> {site.kind} at {site.path}:{site.line}"
                for label, site, _ in summary.sinks
            }
        )
        fields = sorted(
            f"self.{attr} <- {_label(label)}"
            for attr, taint in summary.fields.items()
            for label in taint
        ) + sorted(
            f"closure {name} <- {_label(label)}"
            for name, taint in summary.exposed.items()
            for label in taint
        )
        if returns or sinks or fields:
            line = {"function": name, "returns": returns, "sinks": sinks}
            if fields:
                line["fields"] = fields
            lines.append(json.dumps(line))
    return lines


def test_the_summaries_of_the_fixture_project(update_goldens: bool) -> None:
    found = summaries()
    if update_goldens:
        GOLDEN.write_text("\n".join(found) + "\n", encoding="utf-8")
        pytest.fail("goldens rewritten; review the diff")
    assert GOLDEN.read_text(encoding="utf-8").splitlines() == found


def test_the_helper_that_builds_sql_is_summarised() -> None:
    by_function = {json.loads(line)["function"]: json.loads(line) for line in summaries()}
    search = by_function["shop.db.search"]
    assert search["sinks"] == ["param:0 -> sql at shop/db.py:16"]
    assert "shop.db.sorted_by" not in by_function or not by_function["shop.db.sorted_by"]["sinks"]
