"""Shared test settings: extractor errors are raised, goldens can be rewritten."""

from __future__ import annotations

import pytest

from auditls.extractors import walker

walker.STRICT = True  # an exception inside an extractor fails the test that triggered it


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden facts under fixtures/goldens/ from the current extractors",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
