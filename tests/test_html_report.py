"""The HTML report in a real browser: Debian's ``chromium``, headless, driven by Playwright
(``executable_path``: nothing is downloaded). ``.ci/run`` installs chromium when it is missing,
so in CI (``CI`` set) a missing browser fails this module; locally it is skipped."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditls import cli

REPO = Path(__file__).resolve().parent.parent


def _chromium() -> str | None:
    explicit = os.environ.get("AUDITLS_CHROMIUM")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = _chromium()
try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # the test extra is not installed
    sync_playwright = None

_MISSING = (
    "no chromium on PATH (apt-get install chromium; .ci/run does)"
    if CHROMIUM is None
    else "playwright is not installed (pip install -e '.[test]')"
    if sync_playwright is None
    else None
)
if _MISSING is not None:
    if os.environ.get("CI"):
        pytest.fail(f"the HTML report's browser test cannot run in CI: {_MISSING}")
    pytestmark = pytest.mark.skip(reason=_MISSING)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The taint fixture's HTML report, and the same run's findings as JSON."""
    root = tmp_path_factory.mktemp("html") / "taint"
    shutil.copytree(REPO / "fixtures" / "taint", root, ignore=shutil.ignore_patterns(".auditls"))
    page = root.parent / "report.html"
    assert cli.main(["check", str(root), "-q", "--format", "html", "-o", str(page)]) == 1
    data = root.parent / "report.json"
    assert cli.main(["check", str(root), "-q", "--format", "json", "-o", str(data)]) == 1
    return page, json.loads(data.read_text(encoding="utf-8"))["findings"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    assert CHROMIUM is not None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, report: tuple[Path, list[dict[str, Any]]]) -> Iterator[Page]:
    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report[0].as_uri())
    yield page
    assert problems == []  # no console message at all, no uncaught error
    assert requests == [report[0].as_uri()]  # nothing fetched but the file itself
    page.close()


def _shown(page: Page) -> str:
    return page.locator("#shown").text_content() or ""


def test_the_page_loads_and_shows_every_finding(
    page: Page, report: tuple[Path, list[dict[str, Any]]]
) -> None:
    findings = report[1]
    assert page.locator("body").get_attribute("data-ready") == "yes"  # the script ran
    assert _shown(page) == f"{len(findings)} of {len(findings)} shown"
    assert page.locator("article.finding:visible").count() == len(findings)
    rules = sorted({f["rule"] for f in findings})
    assert page.locator("section.rule").evaluate_all("ss => ss.map(s => s.id)") == rules
    first = sorted(findings, key=lambda f: (f["rule"], f["path"], f["line"], f["column"]))[0]
    article = page.locator("article.finding").first
    assert article.locator(".where").text_content() == (
        f"{first['path']}:{first['line']}:{first['column']}"
        f"{first['severity']}{first['confidence']} confidence"
    )
    assert article.locator("span.l.hit .n").first.text_content() == str(first["line"])


def test_filters_change_what_is_shown(
    page: Page, report: tuple[Path, list[dict[str, Any]]]
) -> None:
    findings = report[1]
    errors = sum(f["severity"] == "error" for f in findings)
    assert 0 < errors < len(findings)
    page.locator("input[name=severity][value=error]").uncheck()
    assert _shown(page) == f"{len(findings) - errors} of {len(findings)} shown"
    assert page.locator("article.finding[data-severity=error]:visible").count() == 0
    page.locator("input[name=severity][value=error]").check()
    low = sum(f["confidence"] == "low" for f in findings)
    page.locator("input[name=confidence][value=low]").uncheck()
    assert _shown(page) == f"{len(findings) - low} of {len(findings)} shown"
    page.locator("input[name=confidence][value=low]").check()
    rule = findings[-1]["rule"]
    page.locator("select[name=rule]").select_option(rule)
    mine = sum(f["rule"] == rule for f in findings)
    assert _shown(page) == f"{mine} of {len(findings)} shown"
    assert page.locator("section.rule:visible").evaluate_all("ss => ss.map(s => s.id)") == [rule]


def test_a_taint_finding_expands_into_its_steps(
    page: Page, report: tuple[Path, list[dict[str, Any]]]
) -> None:
    traced = [f for f in report[1] if f["trace"]]
    assert traced
    first = sorted(traced, key=lambda f: (f["rule"], f["path"], f["line"], f["column"]))[0]
    details = page.locator("details.trace").first
    steps = details.locator("ol > li")
    assert not steps.first.is_visible()  # collapsed at first
    details.locator("summary").click()
    assert steps.first.is_visible()
    assert steps.count() == len(first["trace"])
    for i, step in enumerate(first["trace"]):
        item = steps.nth(i)
        assert item.locator(".where").text_content() == (
            f"{step['path']}:{step['line']}:{step['column']}"
        )
        assert item.locator(".message").text_content() == step["message"]
        assert item.locator("span.l.hit .n").text_content() == str(step["line"])
