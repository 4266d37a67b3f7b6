"""The inventory check: ``docs/inventory.md`` maps each extractor of ``../shared/INVENTORY.md``
to a registered extractor and a table, or says *not yet*. Every mapped extractor must exist,
declare the table, and write rows of it on the fixtures; the *not yet* rows are counted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from auditls.extractors import extract, module_name_for
from auditls.extractors.walker import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "inventory.md"
NOT_YET = "not yet"
#: Phase 3 names 30 extractors; Phase 2 names 34 facts (of its 49 extractors).
NAMED = 64


def inventory() -> list[tuple[str, str, str, str]]:
    """(inventory item, group, extractor or "not yet", table) per row of the table."""
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 5 and cells[0] not in ("inventory", "---"):
            rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


ROWS = inventory()
MAPPED = [r for r in ROWS if r[2] != NOT_YET]


@pytest.fixture(scope="module")
def fixture_rows() -> Counter[str]:
    """Rows per table over every file under ``fixtures/`` (each project's module names)."""
    counts: Counter[str] = Counter()
    for source in sorted((ROOT / "fixtures").rglob("*.py")):
        if ".auditls" in source.parts:
            continue
        root = next((p for p in source.parents if (p / "pyproject.toml").is_file()),
                    source.parent)  # fmt: skip
        rel = source.relative_to(root).as_posix()
        ff = extract(source.read_bytes(), rel, module=module_name_for(source, root))
        counts.update(fact.TABLE for fact in ff.facts)
    return counts


def test_the_table_names_every_inventory_item() -> None:
    assert len(ROWS) == NAMED
    assert len({r[0] for r in ROWS}) == NAMED
    phase3 = [r for r in ROWS if r[0].startswith("extract_")]
    assert len(phase3) == 30


@pytest.mark.parametrize("row", MAPPED, ids=[r[0] for r in MAPPED])
def test_every_mapped_extractor_exists_and_writes_rows(
    row: tuple[str, str, str, str], fixture_rows: Counter[str]
) -> None:
    item, _, name, table = row
    extractor = next((cls for cls in REGISTRY if cls.name == name), None)
    assert extractor is not None, f"{item}: no extractor named {name!r}"
    assert table in {t.TABLE for t in extractor.fact_types}, f"{item}: {name} never writes {table}"
    assert fixture_rows[table] > 0, f"{item}: no {table} row on the fixtures"


def test_built_against_the_inventory(capsys: pytest.CaptureFixture[str]) -> None:
    not_yet = [r for r in ROWS if r[2] == NOT_YET]
    with capsys.disabled():
        print(
            f"\ninventory: {len(MAPPED)} of {NAMED} named items built, {len(not_yet)} not yet "
            f"({', '.join(r[0] for r in not_yet)}); the inventory counts 79 extractors, 15 of "
            "them unnamed"
        )
    assert len(MAPPED) + len(not_yet) == NAMED
    # Block 2 (testing) is built whole.
    assert [r for r in not_yet if "testing" in r[1]] == []
