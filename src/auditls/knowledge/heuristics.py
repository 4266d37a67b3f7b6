"""Every guess auditls makes from the text of a name, in one place.

Everywhere else a decision comes from what the semantic model resolved (``flask.request``,
``subprocess.run``). Where it cannot, some code decides from how a thing is *named*: a URL that
reads like a login page, a config class called ``DevelopmentConfig``, a session key with
``user`` in it. Each such guess is a :class:`NameHeuristic` below: named, documented, and
listed in :data:`HEURISTICS`, so a reader can find every guess the tool makes.

A name can lie, so a finding that rests on a heuristic is never rated above medium: the code
that raises one passes its confidence through :func:`capped` (``tests/test_heuristics.py``
checks each heuristic and the cap). Heuristics that *clear* a finding (a public login route
needs no auth) are listed here for the same reason: they are where a false negative can hide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The highest confidence a finding that rests on a name heuristic may have.
CAP = "medium"
_ORDER = ("low", "medium", "high")


def capped(confidence: str) -> str:
    """``confidence``, lowered to :data:`CAP` when above it."""
    return CAP if _ORDER.index(confidence) > _ORDER.index(CAP) else confidence


@dataclass(frozen=True, slots=True)
class NameHeuristic:
    """A decision taken from the text of a name."""

    name: str  # kebab-case, for docs and tests
    used_by: str  # what relies on it (rules, judgements, extractors)
    pattern: re.Pattern[str]  # searched in the text as the caller gives it (lower-cased or not)

    def __call__(self, text: str | None) -> bool:
        return text is not None and self.pattern.search(text) is not None


PUBLIC_AUTH_ENDPOINT = NameHeuristic(
    "public-auth-endpoint",
    "the Flask judgement `is_sign_in` (a route named so needs no auth: AUD304 skips it; the "
    "hover says it is public) on the route's rule and view name",
    re.compile(
        r"(?:^|[^a-z])(login|log_in|signin|sign_in|sign-in|signup|sign_up|sign-up|register|"
        r"logout|reset|forgot|password|token|oauth|callback|confirm|verify|activate)(?:$|[^a-z])"
    ),
)

CREDENTIAL_ENDPOINT = NameHeuristic(
    "credential-endpoint",
    "the Flask judgement `credential_route` (a brute-force target: AUD308 at low confidence) "
    "on the route's rule and view name",
    re.compile(
        r"(?:^|[^a-z])(login|log_in|signin|sign_in|sign-in|reset|forgot|password|token|otp|2fa|"
        r"mfa)(?:$|[^a-z])"
    ),
)

PASSWORD_CHECK_METHOD = NameHeuristic(
    "password-check-method",
    "the Flask judgements `is_sign_in` and `credential_route`, on the method name of an object "
    "the model cannot type (`user.check_password(...)`)",
    re.compile(r"^(check_password|check_password_hash|verify_password)$"),
)

DEVELOPMENT_CONFIG_CLASS = NameHeuristic(
    "development-config-class",
    "the Flask model's `config_class_kind`: a config class named for development is not taken "
    "for the production configuration (AUD401-405 and the CSRF status do not read it)",
    re.compile(r"^(dev|local|debug)"),
)

TESTING_CONFIG_CLASS = NameHeuristic(
    "testing-config-class",
    "the Flask model's `config_class_kind`: a config class named for tests is left out of the "
    "configuration the 4xx rules judge",
    re.compile(r"^test"),
)

USER_SESSION_KEY = NameHeuristic(
    "user-session-key",
    "the Flask auth-check extractor: a test of a session key with `user` in it "
    "(`'user_id' in session`) is recorded as an identity check that guards a route",
    re.compile(r"user"),
)

SERVER_START_METHOD = NameHeuristic(
    "server-start-method",
    "AUD128 (medium): the first argument of a method with this name, on any object, is taken "
    "for the address a server binds",
    re.compile(r"^(bind|create_server|run|serve|start_server|make_server)$"),
)

BIND_ADDRESS_NAME = NameHeuristic(
    "bind-address-name",
    "AUD128 (medium): a variable with this word in its name, assigned `0.0.0.0`, is taken for "
    "the address a server binds",
    re.compile(r"(?:^|_)(?:host|bind|listen|address|addr|interface)(?:_|$)"),
)

SLOW_HASH_METHOD = NameHeuristic(
    "slow-hash-method",
    "AUD207: a fast digest of the password in a function that also calls a method with this "
    "name (`bcrypt.hashpw` on a library loaded at run time) is a pre-hash, not the password "
    "hash (Django's `BCryptSHA256PasswordHasher`): not reported",
    re.compile(r"^(hashpw|kdf|scrypt|pbkdf2_hmac|hash_secret|hash_secret_raw|hash_password)$"),
)

TEST_FILE = NameHeuristic(
    "test-file",
    "the rule runner (`test-code` setting): a finding in a file whose workspace-relative path "
    "this matches (a `tests/`, `test/` or `testing/` directory, `test_*.py`, `*_test.py`, "
    "`conftest.py`) is test code, reported at most at info / low confidence by default; the "
    "testing extractors and model (`extractors.testing`: a plain `assert` there is a test "
    "assertion, a `test*` function or `Test*` class there is a pytest test); the taint engine "
    "(`taint.interpreter`): a source read there holds the test's own constants and starts "
    "no path",
    re.compile(
        r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[^/]*\.pyi?$|_tests?\.pyi?$|(?:^|/)conftest\.py$"
    ),
)

ACCESS_CHECK_NAME = NameHeuristic(
    "access-check-name",
    "the security extractor of `assert` statements (AUD309, medium): an assert whose test reads "
    "a name, attribute or method with this name is taken for an access-control check",
    re.compile(
        r"^(?:is_authenticated|is_admin|is_superuser|is_staff|is_owner|is_logged_in|"
        r"is_authorized|authorized|has_perms?|has_permissions?|has_roles?|has_access|"
        r"check_permissions?|check_access|permissions|roles|owner|owner_id)$"
    ),
)

CONFIG_TOGGLE = NameHeuristic(
    "config-toggle",
    "the Flask auth-check extractor: an early `return` in a before_request hook under a test "
    'whose text reads configuration (`app.config["LOGIN_DISABLED"]`, `settings.DEBUG`, '
    "`app.testing`) is a deployment switch, so the identity check after it still counts as "
    "made for every request; any other early return makes it conditional (AUD304 medium)",
    re.compile(r"config|settings|\.testing\b|\.debug\b|TESTING|DEBUG|_DISABLED", re.IGNORECASE),
)

DJANGO_SETTINGS_MODULE = NameHeuristic(
    "django-settings-module",
    "the Django settings extractor: a module whose dotted name has a part `settings` "
    "(`shop/settings.py`, `config/settings/prod.py`, `settings_prod.py`) is read as Django "
    "settings (also a module assigning `INSTALLED_APPS` or `ROOT_URLCONF`, which is no guess)",
    re.compile(r"(?:^|\.)settings(?:_\w+)?(?:\.|$)|(?:^|\.)\w+_settings(?:\.|$)"),
)

LOCAL_SETTINGS_MODULE = NameHeuristic(
    "local-settings-module",
    "the Django settings rules (AUD408-AUD417): a settings module named for development or "
    "tests (`settings/dev.py`, `local_settings.py`, `settings_test.py`), or Django's own "
    "defaults (`global_settings`), is not taken for the production configuration; its "
    "findings are not reported",
    re.compile(r"(?:^|[._])(dev|devel|development|local|test|tests|testing|ci|global)(?:$|[._])"),
)

PRODUCTION_SETTINGS_MODULE = NameHeuristic(
    "production-settings-module",
    "the Django settings rules (AUD412, medium): a settings module named for production "
    "(`settings/prod.py`, `production.py`) should set secure cookies and HSTS, so a missing "
    "setting there is reported",
    re.compile(r"(?:^|[._])(prod|production|live|deploy|staging)(?:$|[._])"),
)

REQUEST_PARAMETER = NameHeuristic(
    "request-parameter",
    "the Django view extractor: a module-level function whose first parameter has this name "
    "(and no annotation saying otherwise) is a candidate view; it is a view only when a URL "
    "conf routes to it (AUD310/AUD311 need that, or a view decorator)",
    re.compile(r"^(request|req|http_request)$"),
)

SENSITIVE_FIELD = NameHeuristic(
    "sensitive-field",
    "AUD419: a model field named so (a password hash, a token, a secret, an API key) should "
    "not be in what a serializer or schema dumps",
    re.compile(
        r"(?:^|_)(password|passwd|pwd|secret|token|api_?key|private_?key|otp|salt)"
        r"(?:_(?:hash|digest|key|secret|token|seed))?$"
    ),
)

MARSHMALLOW_EXTENSION_BASE = NameHeuristic(
    "marshmallow-extension-base",
    "the validation extractor: a class on `<name>.SQLAlchemyAutoSchema` (or `SQLAlchemySchema`, "
    "`ModelSchema`) where `<name>` is imported (Flask-Marshmallow's `ma`, made in another "
    "module) is a Marshmallow schema of that kind; AUD419 relies on it at medium confidence",
    re.compile(r"^(SQLAlchemyAutoSchema|SQLAlchemySchema|ModelSchema)$"),
)

#: Every name heuristic, for docs and tests.
ORM_API_ATTRIBUTE = NameHeuristic(
    "orm-api-attribute",
    "the ORM extractor (`orm.models`): in a class body, a call of an attribute with this name "
    "on an object the file cannot type (`from app import db` then `db.Column(...)`, "
    "`db.relationship(...)`, `db.ForeignKey(...)`) is taken for SQLAlchemy's, so the class "
    "is recorded as a model whose base `auditls.models.orm` follows across files",
    re.compile(r"^(Column|mapped_column|relationship|relation|dynamic_loader|ForeignKey|backref)$"),
)

HEURISTICS: tuple[NameHeuristic, ...] = (
    PUBLIC_AUTH_ENDPOINT,
    CREDENTIAL_ENDPOINT,
    PASSWORD_CHECK_METHOD,
    DEVELOPMENT_CONFIG_CLASS,
    TESTING_CONFIG_CLASS,
    USER_SESSION_KEY,
    SERVER_START_METHOD,
    BIND_ADDRESS_NAME,
    SLOW_HASH_METHOD,
    TEST_FILE,
    ACCESS_CHECK_NAME,
    CONFIG_TOGGLE,
    DJANGO_SETTINGS_MODULE,
    LOCAL_SETTINGS_MODULE,
    PRODUCTION_SETTINGS_MODULE,
    REQUEST_PARAMETER,
    ORM_API_ATTRIBUTE,
    SENSITIVE_FIELD,
    MARSHMALLOW_EXTENSION_BASE,
)
