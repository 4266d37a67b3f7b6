"""Golden facts for the extractors: fixtures/goldens/X.py ⇄ the directory fixtures/goldens/X/.

The directory holds ``file.json`` (the file-level fields of ``FileFacts``: path, module, status,
error, extractor errors) and one ``<table>.jsonl`` per fact table the file produced: one row per
line, keys in the dataclass's field order, rows in extraction order. A change to an extractor
then shows in a diff as exactly the rows it added, removed or changed.

Run `pytest tests/test_goldens.py --update-goldens` to rewrite them after an intended change; the
run fails on purpose ("goldens rewritten; review the diff"), so read `git diff fixtures/goldens`
and commit it, then run the tests again without the option.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from auditls.extractors import extract, module_name_for
from auditls.facts import Fact
from auditls.facts.django import DjangoRenderFact, DjangoTemplateFact
from auditls.facts.testing import FACT_TYPES as TESTING_FACT_TYPES

GOLDENS = Path(__file__).parent.parent / "fixtures" / "goldens"
SOURCES = sorted(GOLDENS.glob("*.py"))
#: Project goldens: a fixture project and the fact types it pins (every file of the project,
#: rows of those tables only, each with its file's ``path``), in ``fixtures/goldens/<name>/``.
PROJECTS: dict[str, tuple[Path, tuple[type[Fact], ...]]] = {
    "testing_project": (GOLDENS.parent / "testing", TESTING_FACT_TYPES),
    # Templates are files of their own (not Python): the blog app's and the views rendering them.
    "django_templates": (GOLDENS.parent / "django", (DjangoRenderFact, DjangoTemplateFact)),
}
FILE_FIELDS = "file.json"
ROWS_SUFFIX = ".jsonl"


def _line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False)


def render(source: Path) -> dict[str, str]:
    """The golden files of one source: file name -> text."""
    facts = extract(source.read_bytes(), f"pkg/{source.name}")
    header = {
        f.name: getattr(facts, f.name) for f in dataclasses.fields(facts) if f.name != "facts"
    }
    files = {FILE_FIELDS: json.dumps(header, indent=1, ensure_ascii=False) + "\n"}
    tables: dict[str, list[str]] = {}
    for fact in facts.facts:
        tables.setdefault(fact.TABLE, []).append(_line(dataclasses.asdict(fact)))
    for table, lines in sorted(tables.items()):
        files[table + ROWS_SUFFIX] = "".join(line + "\n" for line in lines)
    return files


def read_goldens(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        return {}
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if path.name == FILE_FIELDS or path.name.endswith(ROWS_SUFFIX)
    }


def write_goldens(directory: Path, files: dict[str, str]) -> None:
    """Make the directory hold exactly ``files``: changed ones rewritten, stale tables removed."""
    directory.mkdir(exist_ok=True)
    for name in read_goldens(directory).keys() - files.keys():
        (directory / name).unlink()
    for name, text in files.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def differences(directory: Path, expected: dict[str, str], actual: dict[str, str]) -> str:
    """A unified diff of every golden file that differs (a missing file diffs as empty)."""
    rel = directory.relative_to(GOLDENS.parent.parent)
    chunks: list[str] = []
    for name in sorted(expected.keys() | actual.keys()):
        old, new = expected.get(name, ""), actual.get(name, "")
        if old != new:
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"{rel}/{name} (golden)" if name in expected else "/dev/null",
                    f"{rel}/{name} (extracted)" if name in actual else "/dev/null",
                    n=0,
                )
            )
    return "".join(chunks)


def test_there_are_goldens() -> None:
    assert len(SOURCES) >= 2


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_golden_facts(source: Path, update_goldens: bool) -> None:
    directory = source.with_suffix("")
    actual = render(source)
    if update_goldens:
        write_goldens(directory, actual)
        pytest.fail("goldens rewritten; review the diff", pytrace=False)
    expected = read_goldens(directory)
    assert expected, f"no goldens for {source.name}: run pytest --update-goldens"
    diff = differences(directory, expected, actual)
    if diff:
        pytest.fail(
            f"{source.name}: facts changed (- golden, + extracted); if intended, run "
            f"pytest tests/test_goldens.py --update-goldens and review the diff\n{diff}",
            pytrace=False,
        )


def render_project(root: Path, fact_types: tuple[type[Fact], ...]) -> dict[str, str]:
    """The golden files of a project: one ``<table>.jsonl`` per table of ``fact_types``, rows
    in path then extraction order, each with its ``path`` first."""
    tables: dict[str, list[str]] = {t.TABLE: [] for t in fact_types}
    for source in sorted([*root.rglob("*.py"), *root.rglob("templates/**/*.html")]):
        rel = source.relative_to(root).as_posix()
        facts = extract(source.read_bytes(), rel, module=module_name_for(source, root))
        assert facts.extractor_errors == [], facts.extractor_errors
        for fact in facts.facts:
            if type(fact) in fact_types:
                row = {"path": rel, **dataclasses.asdict(fact)}
                tables[fact.TABLE].append(_line(row))
    return {table + ROWS_SUFFIX: "".join(line + "\n" for line in lines)
            for table, lines in sorted(tables.items())}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_project_goldens(name: str, update_goldens: bool) -> None:
    root, fact_types = PROJECTS[name]
    directory = GOLDENS / name
    actual = render_project(root, fact_types)
    if update_goldens:
        write_goldens(directory, actual)
        pytest.fail("goldens rewritten; review the diff", pytrace=False)
    expected = read_goldens(directory)
    assert expected, f"no goldens for {name}: run pytest --update-goldens"
    empty = sorted(table for table, text in actual.items() if not text)
    assert empty == [], f"{name}: tables with no row on the project: {empty}"
    diff = differences(directory, expected, actual)
    if diff:
        pytest.fail(
            f"{name}: facts changed (- golden, + extracted); if intended, run "
            f"pytest tests/test_goldens.py --update-goldens and review the diff\n{diff}",
            pytrace=False,
        )
