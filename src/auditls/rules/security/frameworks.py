"""The 406-407 and 418 rules: configuration of frameworks that have no configuration domain of
their own yet (aiohttp, Celery). Flask's configuration rules (401-405) live in ``rules.flask``,
Django's (408-417) in ``rules.django``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditls.knowledge.checks import (
    AIOHTTP_APPLICATIONS,
    AIOHTTP_DEBUG_TOOLBARS,
    AIOHTTP_SESSION_STORAGES,
    CELERY_CONFIG_CALLS,
    CELERY_SERIALIZER_KEYS,
    CELERY_SERIALIZER_NAMES,
    CELERY_UNSAFE_SERIALIZERS,
)
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, at_call, at_fact, json_value, keyword_arg, value_of
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register

AIOHTTP_DEBUG = "AUD406"

AIOHTTP_COOKIE_NOT_HTTPONLY = "AUD407"

CELERY_PICKLE = "AUD418"

#: ``app.conf["task_serializer"] = ...``
_CONF_ITEM = re.compile(r"\.conf\[\s*[\"'](\w+)[\"']\s*\]$")


def check_aiohttp_debug(index: FactIndex) -> Iterator[Finding]:
    """AUD406, message fields: callee, how."""
    for call in index.calls_of(AIOHTTP_APPLICATIONS):
        arg = keyword_arg(index.args(call), "debug")
        value = value_of(arg)
        if arg is not None and value is not NotImplemented and bool(value):
            yield at_call(index, AIOHTTP_DEBUG, call, "high", how=f"with `debug={arg.text}`")
    for call in index.calls_of(AIOHTTP_DEBUG_TOOLBARS):
        yield at_call(index, AIOHTTP_DEBUG, call, "high", how="a debugging toolbar")


def check_aiohttp_cookie_httponly(index: FactIndex) -> Iterator[Finding]:
    """AUD407, message fields: callee, option."""
    for call in index.calls_of(AIOHTTP_SESSION_STORAGES):
        arg = keyword_arg(index.args(call), "httponly")
        value = value_of(arg)
        if arg is not None and value is not NotImplemented and not value:
            yield at_call(
                index, AIOHTTP_COOKIE_NOT_HTTPONLY, call, "high", option=f"httponly={arg.text}"
            )


def _unsafe_serializer(value: object) -> str | None:
    """The unsafe serializer a setting's literal value names (a name, or one of a list)."""
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        if isinstance(item, str) and item.lower() in CELERY_UNSAFE_SERIALIZERS:
            return item
    return None


def check_celery_pickle(index: FactIndex) -> Iterator[Finding]:
    """AUD418, message fields: setting, value."""
    for call in index.calls_of(CELERY_CONFIG_CALLS):
        for arg in index.args(call):
            if arg.keyword in CELERY_SERIALIZER_KEYS:
                found = _unsafe_serializer(value_of(arg))
                if found is not None:
                    yield at_call(index, CELERY_PICKLE, call, "high", setting=arg.keyword,
                                  value=found)  # fmt: skip
    celery = index.imports_module("celery") or index.ff.module.rpartition(".")[2] in (
        "celeryconfig", "celery_config", "celery_settings",
    )  # fmt: skip
    for fact in index.all_assignments:
        target = fact.target_qualname or ""
        key: str | None = None
        if target.startswith("celery.") and target.rpartition(".")[2] in CELERY_SERIALIZER_KEYS:
            key = target.rpartition(".")[2]  # app.conf.task_serializer = ...
        elif (m := _CONF_ITEM.search(fact.target)) and celery:
            key = m.group(1) if m.group(1) in CELERY_SERIALIZER_KEYS else None
        elif fact.target_name in CELERY_SERIALIZER_NAMES:
            key = fact.target_name
        elif (
            fact.target_name in CELERY_SERIALIZER_KEYS
            and celery
            and fact.function == index.ff.module
        ):
            key = fact.target_name  # a celeryconfig module's own setting
        if key is None:
            continue
        found = _unsafe_serializer(json_value(fact.value))
        if found is not None:
            yield at_fact(index, CELERY_PICKLE, fact, "high", setting=key, value=found)


RULES: tuple[Rule, ...] = (
    rule(
        AIOHTTP_DEBUG,
        "aiohttp-debug-mode",
        "warning",
        "high",
        489,
        summary="An aiohttp application runs in debug mode, or serves a debugging toolbar.",
        details=(
            "Reported for `aiohttp.web.Application(debug=True)` (a literal true value) and "
            "`aiohttp_debugtoolbar.setup(app)`: debug mode slows every request with extra "
            "checks and logs internals; the toolbar shows requests, settings and tracebacks to "
            "anyone who can reach the application."
        ),
        message="{callee} runs the application {how}: internals and tracebacks are exposed "
        "and every request pays for the checks. Turn it on only in development, from the "
        "environment.",
        fix='`web.Application(debug=os.environ.get("APP_DEBUG") == "1")`, and set up the '
        "toolbar only in a development entry point.",
        bad="from aiohttp import web\n\napp = web.Application(debug=True)\n",
        good="from aiohttp import web\n\napp = web.Application()\n",
        check=check_aiohttp_debug,
        knowledge=(AIOHTTP_APPLICATIONS, AIOHTTP_DEBUG_TOOLBARS),
    ),
    rule(
        AIOHTTP_COOKIE_NOT_HTTPONLY,
        "aiohttp-session-cookie-not-httponly",
        "warning",
        "high",
        1004,
        summary="An aiohttp-session cookie is readable by scripts.",
        details=(
            "Reported for aiohttp-session storages (`EncryptedCookieStorage`, "
            "`NaClCookieStorage`, `RedisStorage`, `MemcachedStorage`, `SimpleCookieStorage`) "
            "created with `httponly=False`: a script injected into any page can read the "
            "session cookie and hijack the session. The storages default to `httponly=True`."
        ),
        message="{callee} is created with `{option}`: any script on the page can read the "
        "session cookie. Leave `httponly` at its default (True).",
        fix="Drop `httponly=False` (and pass `secure=True` behind HTTPS).",
        bad=(
            "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n\n\n"
            "def storage(key):\n    return EncryptedCookieStorage(key, httponly=False)\n"
        ),
        good=(
            "from aiohttp_session.cookie_storage import EncryptedCookieStorage\n\n\n"
            "def storage(key):\n    return EncryptedCookieStorage(key, secure=True)\n"
        ),
        check=check_aiohttp_cookie_httponly,
        knowledge=(AIOHTTP_SESSION_STORAGES,),
    ),
    rule(
        CELERY_PICKLE,
        "celery-pickle-serializer",
        "error",
        "high",
        502,
        summary="Celery is configured to accept or send pickled messages.",
        details=(
            "Reported where a Celery setting that chooses serializers (`task_serializer`, "
            "`result_serializer`, `event_serializer`, `accept_content`, "
            "`result_accept_content`, or their old `CELERY_*` names) is given `pickle` (or "
            "`application/x-python-serialize`): in `Celery(...)`, `app.conf.update(...)`, "
            '`app.conf.<key> = ...`, `app.conf["<key>"] = ...`, a `celeryconfig` module or '
            "Django settings. Unpickling runs code, so whoever can put a message on the broker "
            "(or a result in the backend) runs code in every worker that accepts it."
        ),
        message="Celery's `{setting}` accepts `{value}`: anyone who can publish to the broker "
        "runs code in the workers. Use `json` (Celery's default) and accept only it.",
        fix='`task_serializer = "json"`, `result_serializer = "json"`, '
        '`accept_content = ["json"]`; sign messages (`task_serializer = "auth"`) where other '
        "types are needed.",
        bad=(
            'from celery import Celery\n\napp = Celery("proj")\n'
            'app.conf.task_serializer = "pickle"\n'
        ),
        good=(
            'from celery import Celery\n\napp = Celery("proj")\napp.conf.task_serializer = "json"\n'
        ),
        check=check_celery_pickle,
        knowledge=(
            CELERY_CONFIG_CALLS,
            CELERY_SERIALIZER_NAMES,
            CELERY_SERIALIZER_KEYS,
            CELERY_UNSAFE_SERIALIZERS,
        ),
    ),
)

register(*RULES)
