"""Fixture files with inline expectations, checked both ways.

A line ending in ``# expect: AUD101`` (or ``# expect: AUD101, AUD002``; in a template,
``{# expect: AUD423 #}``) must carry exactly those findings; every other line must carry none.
Every ``fixtures/rules/*.py`` is run, and any other ``fixtures/**/*.py`` (or template) that
holds an expectation. Each file goes through the real pipeline with every rule selected:
``extract``, then ``analyse`` (the file rules and the rules that need several files) over the
file alone, or, for a file inside a *project* (a directory under ``fixtures/`` with a
``pyproject.toml``, such as ``fixtures/flask``), over the whole project indexed into a store,
exactly as ``auditls check <project>`` sees it.

The ``bad`` / ``good`` example of each catalogue rule is run the same way: the bad one must raise
its rule, the good one must not.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from auditls.config import load_config
from auditls.extractors import extract
from auditls.index import index_workspace
from auditls.rules import RULES, Finding, Rule, analyse
from auditls.rules.runner import EVERY_RULE
from auditls.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# A template says it in a comment of its own: `{# expect: AUD423 #}`.
EXPECT_RE = re.compile(r"#\s*expect:\s*(?P<codes>AUD\d{3}(?:\s*,\s*AUD\d{3})*)\s*(?:#\})?\s*$")
EXPECT_MARK = "# expect:"


def fixture_files() -> list[Path]:
    rules = sorted((FIXTURES / "rules").glob("*.py"))
    others = [
        path
        for path in sorted([*FIXTURES.rglob("*.py"), *FIXTURES.rglob("templates/**/*.html")])
        if path not in rules and EXPECT_MARK in path.read_text(encoding="utf-8", errors="replace")
    ]
    return rules + others


def expectations(text: str) -> Counter[tuple[int, str]]:
    """(line, code) -> how many findings of that code the line must carry."""
    expected: Counter[tuple[int, str]] = Counter()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if EXPECT_MARK not in line:
            continue
        match = EXPECT_RE.search(line)
        if match is None:
            pytest.fail(f"line {lineno}: unreadable expectation {line.strip()!r}")
        for code in match.group("codes").split(","):
            expected[(lineno, code.strip())] += 1
    return expected


def run(source: bytes, path: str, ignore: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of one file on its own."""
    return analyse([extract(source, path)], select=EVERY_RULE, ignore=ignore).findings


def project_of(path: Path) -> Path | None:
    """The fixture project a file belongs to: the nearest directory under ``fixtures/`` that
    holds a ``pyproject.toml``."""
    for parent in path.parents:
        if parent == FIXTURES:
            return None
        if (parent / "pyproject.toml").is_file():
            return parent
    return None


@functools.cache
def project_findings(root: Path) -> dict[str, list[Finding]]:
    """Every finding of a fixture project, by project-relative path (the CLI's pipeline)."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, load_config(root), progress=False, snapshot=False)
        for finding in analyse(store, select=EVERY_RULE).findings:
            by_path[finding.path].append(finding)
    return by_path


def describe(items: Counter[tuple[int, str]], findings: list[Finding]) -> list[str]:
    messages = {(f.line, f.rule): f.message for f in findings}
    return [
        f"  line {line}: {code}"
        + (f" x{n}" if n > 1 else "")
        + f"  {messages.get((line, code), '')}"
        for (line, code), n in sorted(items.items())
    ]


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture(path: Path) -> None:
    source = path.read_bytes()
    expected = expectations(source.decode("utf-8", errors="replace"))
    project = project_of(path)
    if project is None:
        findings = run(source, path.relative_to(ROOT).as_posix())
    else:
        findings = project_findings(project).get(path.relative_to(project).as_posix(), [])
    found = Counter((f.line, f.rule) for f in findings)
    missing = expected - found
    unexpected = found - expected
    report = []
    if missing:
        report += ["expected but not found:", *describe(missing, findings)]
    if unexpected:
        report += ["found but not expected:", *describe(unexpected, findings)]
    assert not report, f"{path.relative_to(ROOT)}\n" + "\n".join(report)


def test_fixture_files_exist() -> None:
    names = {p.name for p in fixture_files()}
    for code in ("aud001", "aud101", "aud102", "aud103"):
        assert any(name.startswith(code) for name in names), code
    assert "suppressions.py" in names


def test_every_project_finding_lands_in_a_fixture_file() -> None:
    """A project's findings in a file without expectations would escape the runner."""
    checked = {p for p in fixture_files() if project_of(p) is not None}
    for root in {project_of(p) for p in checked}:
        assert root is not None
        for rel, findings in project_findings(root).items():
            assert root / rel in checked, f"{root.name}/{rel}: {[f.rule for f in findings]}"


#: Rules about files the indexer never read: their examples describe such a file, and
#: ``tests/test_input_safety.py`` indexes one.
UNREAD_FILE_RULES = frozenset({"AUD003"})


@pytest.mark.parametrize(
    "rule", [r for r in RULES.values() if r.code not in UNREAD_FILE_RULES], ids=lambda r: r.code
)
def test_rule_examples(rule: Rule) -> None:
    # A pattern rule's example is checked on its own: where a taint path ends at the same
    # call, the user sees the taint finding instead (one problem, one finding).
    ignore = () if rule.code.startswith("AUD5") else ("AUD5",)
    bad = [f.rule for f in run(rule.bad.encode(), rule.example.format("bad"), ignore)]
    good = [f.rule for f in run(rule.good.encode(), rule.example.format("good"), ignore)]
    assert rule.code in bad, f"the bad example of {rule.code} does not raise it: {bad}"
    assert rule.code not in good, f"the good example of {rule.code} raises it"
