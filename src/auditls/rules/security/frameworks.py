"""The 406-407 rules: configuration of web frameworks that have no domain of their own yet
(aiohttp). Flask's configuration rules (401-405) live in ``rules.flask``."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.knowledge.security import (
    AIOHTTP_APPLICATIONS,
    AIOHTTP_DEBUG_TOOLBARS,
    AIOHTTP_SESSION_STORAGES,
)
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, at_call, keyword_arg, value_of
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register

AIOHTTP_DEBUG = "AUD406"

AIOHTTP_COOKIE_NOT_HTTPONLY = "AUD407"


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
)

register(*RULES)
