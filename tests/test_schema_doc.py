"""docs/schema.md is generated from the fact dataclasses and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditls.extractors import all_fact_types
from auditls.store.docs import field_comments, load_examples, render_schema_markdown
from auditls.store.schema import FileRow, columns_of

REPO = Path(__file__).resolve().parent.parent


def test_schema_doc_is_current() -> None:
    expected = render_schema_markdown(all_fact_types(), load_examples(REPO / "fixtures/goldens"))
    actual = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/schema.md is stale: run "
        "`python -m auditls.store.docs fixtures/goldens > docs/schema.md`"
    )


@pytest.mark.parametrize("cls", [FileRow, *all_fact_types()], ids=lambda c: c.__name__)
def test_every_column_has_a_comment(cls: type) -> None:
    comments = field_comments(cls)
    missing = [c.name for c in columns_of(cls) if not comments.get(c.name, ("", ""))[1]]
    assert missing == [], f"{cls.__name__}: fields without a one-line comment: {missing}"


def test_the_docs_show_one_example_per_core_table() -> None:
    text = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    for table in ("python_calls", "python_call_args", "python_suppressions"):
        section = text.split(f"## {table}\n", 1)[1].split("\n## ", 1)[0]
        assert "```json" in section, table
