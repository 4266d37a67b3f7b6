"""The name heuristics: each one decides what its docs say, and a finding that rests on one is
never rated above medium."""

from __future__ import annotations

import pytest

from auditls.knowledge.heuristics import (
    ACCESS_CHECK_NAME,
    BIND_ADDRESS_NAME,
    CAP,
    CONFIG_TOGGLE,
    CREDENTIAL_ENDPOINT,
    DEVELOPMENT_CONFIG_CLASS,
    DJANGO_SETTINGS_MODULE,
    HEURISTICS,
    LOCAL_SETTINGS_MODULE,
    MARSHMALLOW_EXTENSION_BASE,
    ORM_API_ATTRIBUTE,
    PASSWORD_CHECK_METHOD,
    PRODUCTION_SETTINGS_MODULE,
    PUBLIC_AUTH_ENDPOINT,
    REQUEST_PARAMETER,
    SENSITIVE_FIELD,
    SERVER_START_METHOD,
    SLOW_HASH_METHOD,
    TEST_FILE,
    TESTING_CONFIG_CLASS,
    USER_SESSION_KEY,
    NameHeuristic,
    capped,
)

CASES: list[tuple[NameHeuristic, str, bool]] = [
    (PUBLIC_AUTH_ENDPOINT, "/auth/login login", True),
    (PUBLIC_AUTH_ENDPOINT, "/oauth/callback cb", True),
    (PUBLIC_AUTH_ENDPOINT, "/catalogue index", False),  # "log" inside a word is not "login"
    (CREDENTIAL_ENDPOINT, "/password/reset reset_password", True),
    (CREDENTIAL_ENDPOINT, "/register register", False),  # signing up is not a credential check
    (PASSWORD_CHECK_METHOD, "check_password", True),
    (PASSWORD_CHECK_METHOD, "check_password_strength", False),
    (PASSWORD_CHECK_METHOD, None, False),
    (DEVELOPMENT_CONFIG_CLASS, "developmentconfig", True),
    (DEVELOPMENT_CONFIG_CLASS, "productionconfig", False),
    (TESTING_CONFIG_CLASS, "testingconfig", True),
    (USER_SESSION_KEY, "user_id", True),
    (USER_SESSION_KEY, "cart", False),
    (SERVER_START_METHOD, "run", True),
    (SERVER_START_METHOD, "run_forever", False),
    (BIND_ADDRESS_NAME, "listen_host", True),
    (BIND_ADDRESS_NAME, "ghost", False),
    (SLOW_HASH_METHOD, "hashpw", True),
    (SLOW_HASH_METHOD, "hash", False),
    (TEST_FILE, "tests/test_views.py", True),
    (TEST_FILE, "app/conftest.py", True),
    (TEST_FILE, "pkg/testing/util.py", True),
    (TEST_FILE, "pkg/views_test.py", True),
    (TEST_FILE, "pkg/contest.py", False),
    (TEST_FILE, "pkg/latest/views.py", False),
    (TEST_FILE, "pkg/attestation.py", False),
    (ACCESS_CHECK_NAME, "is_superuser", True),
    (ACCESS_CHECK_NAME, "has_perm", True),
    (ACCESS_CHECK_NAME, "is_active", False),
    (ACCESS_CHECK_NAME, "rolesets", False),
    (CONFIG_TOGGLE, 'current_app.config.get("LOGIN_DISABLED")', True),
    (CONFIG_TOGGLE, 'getattr(view, "login_exempt", False)', False),
    (DJANGO_SETTINGS_MODULE, "config.settings.prod", True),
    (DJANGO_SETTINGS_MODULE, "shop.settings", True),
    (DJANGO_SETTINGS_MODULE, "local_settings", True),
    (DJANGO_SETTINGS_MODULE, "shop.settings_views", True),
    (DJANGO_SETTINGS_MODULE, "shop.usersettings", False),
    (LOCAL_SETTINGS_MODULE, "config.settings.dev", True),
    (LOCAL_SETTINGS_MODULE, "local_settings", True),
    (LOCAL_SETTINGS_MODULE, "django.conf.global_settings", True),
    (LOCAL_SETTINGS_MODULE, "config.settings.base", False),
    (LOCAL_SETTINGS_MODULE, "devices.settings", False),
    (PRODUCTION_SETTINGS_MODULE, "config.settings.production", True),
    (PRODUCTION_SETTINGS_MODULE, "products.settings", False),
    (REQUEST_PARAMETER, "request", True),
    (REQUEST_PARAMETER, "requests", False),
    (ORM_API_ATTRIBUTE, "Column", True),
    (ORM_API_ATTRIBUTE, "relationship", True),
    (ORM_API_ATTRIBUTE, "ColumnProperty", False),
    (SENSITIVE_FIELD, "password", True),
    (SENSITIVE_FIELD, "api_key", True),
    (SENSITIVE_FIELD, "reset_token", True),
    (SENSITIVE_FIELD, "password_changed_at", False),
    (SENSITIVE_FIELD, "tokens_used", False),
    (MARSHMALLOW_EXTENSION_BASE, "SQLAlchemyAutoSchema", True),
    (MARSHMALLOW_EXTENSION_BASE, "Schema", False),
]


@pytest.mark.parametrize(("heuristic", "text", "expected"), CASES)
def test_each_heuristic_decides_what_it_says(
    heuristic: NameHeuristic, text: str | None, expected: bool
) -> None:
    assert heuristic(text) is expected


def test_every_heuristic_is_listed_documented_and_tested() -> None:
    names = [h.name for h in HEURISTICS]
    assert len(names) == len(set(names))
    assert all(h.used_by.strip() for h in HEURISTICS)
    assert {h.name for h, _, _ in CASES} == set(names)


def test_the_cap() -> None:
    assert CAP == "medium"
    assert [capped(c) for c in ("high", "medium", "low")] == ["medium", "medium", "low"]
