"""The Django rules: 3xx auth and CSRF on views reachable from the URL conf, 4xx settings and
model forms. Workspace rules: they read ``auditls.models.django`` (URL confs followed across
files, the auth that applies to each view, every settings module), never the facts directly.

Settings modules named for development or tests (the ``local-settings-module`` heuristic) are
left out of the 4xx rules. A literal ``SECRET_KEY`` is AUD206's (hard-coded secrets, any name);
AUD409 adds what only a settings rule sees: a key that falls back to a literal."""

from __future__ import annotations

import json
from collections.abc import Iterator

from auditls.facts import Fact
from auditls.knowledge.django import (
    COOKIE_SETTINGS,
    CSRF_MIDDLEWARE,
    HSTS_SETTINGS,
    SECURITY_MIDDLEWARE,
    WEAK_HASHERS,
)
from auditls.knowledge.heuristics import (
    LOCAL_SETTINGS_MODULE,
    PRODUCTION_SETTINGS_MODULE,
    PUBLIC_AUTH_ENDPOINT,
    capped,
)
from auditls.link import Site
from auditls.models.django import DjangoModel
from auditls.rules.findings import Finding
from auditls.rules.index import finding_at, short
from auditls.rules.model import Rule, rule
from auditls.rules.registry import RULES as REGISTERED
from auditls.rules.registry import register
from auditls.rules.workspace import Workspace

ORM_LOOKUPS_FROM_REQUEST = "AUD134"
VIEW_WITHOUT_AUTH = "AUD310"
CSRF_EXEMPT_VIEW = "AUD311"
DRF_ALLOW_ANY = "AUD312"
DEBUG_TRUE = "AUD408"
SECRET_KEY_FALLBACK = "AUD409"  # noqa: S105 (a rule code, not a secret)
ALLOWED_HOSTS_ANY = "AUD410"
CSRF_MIDDLEWARE_MISSING = "AUD411"
INSECURE_COOKIE = "AUD412"
SECURITY_MIDDLEWARE_MISSING = "AUD413"
WEAK_HASHER = "AUD414"
MODELFORM_ALL_FIELDS = "AUD415"
NO_PASSWORD_VALIDATORS = "AUD416"  # noqa: S105 (a rule code, not a password)
CORS_ANY_ORIGIN = "AUD417"


def at(code: str, path: str, fact: Fact, confidence: str, **fields: str) -> Finding:
    return finding_at(
        code, path, fact, confidence, REGISTERED[code].message.format(**fields), fact.line
    )


def _describe(model: DjangoModel, view: str) -> str:
    endpoints = model.endpoints_of(view)
    if not endpoints:
        return f"`{view}`"
    e = endpoints[0]
    name = f" ({e.name})" if e.name else ""
    return f"`{view}` at `/{e.pattern}`{name}"


def _public_name(model: DjangoModel, view: str) -> bool:
    texts = [view.rpartition(".")[2].lower()]
    texts += [f"/{e.pattern} {e.name or ''}".lower() for e in model.endpoints_of(view)]
    return any(PUBLIC_AUTH_ENDPOINT(t) for t in texts)


def check_view_without_auth(ws: Workspace) -> Iterator[Finding]:
    """AUD310, message fields: view, methods, why."""
    model = ws.django
    if not model.authenticates:
        return
    for qualname in sorted(model.reachable):
        site = model.views.get(qualname)
        if site is None:
            continue
        view = site.fact
        if not model.state_changing(view) or _public_name(model, qualname):
            continue
        auth = model.view_auth(view)
        if auth.protected or auth.public:
            continue
        why = ""
        if auth.misordered:
            why = (f" {', '.join(auth.misordered)} comes after the view base class, so "
                   "the view's `dispatch` runs first and never calls it.")  # fmt: skip
        elif auth.partial:
            why = f" Only {', '.join(auth.partial)}."
        confidence = "high"
        if auth.maybe:
            why += f" ({'; '.join(auth.maybe)}: check whether it denies.)"
            confidence = "medium"
        if not view.writes and not model.inherits_unsafe(view):
            confidence = capped(confidence)  # handles POST; what it changes is not known
        methods = "|".join(m for m in view.methods if m not in ("HEAD", "OPTIONS", "*")) or (
            "any method"
        )
        yield at(VIEW_WITHOUT_AUTH, site.path, view, confidence,
                 view=_describe(model, qualname), methods=methods, why=why)  # fmt: skip


def check_orm_lookups_from_request(ws: Workspace) -> Iterator[Finding]:
    """AUD134, message fields: model, spread, method."""
    for site in ws.django.querysets:
        f = site.fact
        if f.spread_source == "request" and f.spread:
            yield at(ORM_LOOKUPS_FROM_REQUEST, site.path, f, "high", model=_short(f.model),
                     spread=short(f.spread, 40))  # fmt: skip


def _short(name: str) -> str:
    return name.rpartition(".")[2]


def check_csrf_exempt(ws: Workspace) -> Iterator[Finding]:
    """AUD311, message fields: view."""
    model = ws.django
    for qualname, site in model.views.items():
        view = site.fact
        if model.csrf_of(view) != "exempt" or view.drf or not model.state_changing(view):
            continue
        confidence = "high" if qualname in model.reachable else "medium"
        yield at(CSRF_EXEMPT_VIEW, site.path, view, confidence, view=_describe(model, qualname))


def check_drf_allow_any(ws: Workspace) -> Iterator[Finding]:
    """AUD312, message fields: view, methods."""
    model = ws.django
    for qualname, site in model.views.items():
        view = site.fact
        if not view.drf or not model.state_changing(view) or _public_name(model, qualname):
            continue
        perms, where = model.permissions_of(view)
        if where != "the view" or not all(p.rpartition(".")[2] == "AllowAny" for p in perms):
            continue
        unsafe = [m for m in view.methods if m in ("POST", "PUT", "PATCH", "DELETE")]
        yield at(DRF_ALLOW_ANY, site.path, view, "high" if qualname in model.reachable
                 else "medium", view=_describe(model, qualname),
                 methods="|".join(unsafe) or "writes")  # fmt: skip


# -- settings --------------------------------------------------------------------------------


def _settings(model: DjangoModel) -> Iterator[tuple[Site, str]]:  # type: ignore[type-arg]
    """Every settings row in effect in a settings module the project runs with (named by
    ``DJANGO_SETTINGS_MODULE``, or star-imported by no other: ``models.django.settings``),
    outside local/test settings, with its module."""
    for judged in model.effective_settings(LOCAL_SETTINGS_MODULE).judged:
        yield judged.site, judged.module


def _literal(value: str | None) -> object:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def check_debug(ws: Workspace) -> Iterator[Finding]:
    """AUD408, message fields: what, module."""
    for site, module in _settings(ws.django):
        f = site.fact
        if f.name == "DEBUG" and f.via == "assign" and f.source == "literal":
            if _literal(f.value) is True:
                yield at(DEBUG_TRUE, site.path, f, "high", module=module, what="`DEBUG = True`")
        elif f.name == "DEBUG" and f.source == "env_default" and _literal(f.value) in (
            True, "True", "true", "1", 1,
        ):  # fmt: skip
            yield at(DEBUG_TRUE, site.path, f, "medium", module=module,
                     what="`DEBUG` is on when the environment does not set it")  # fmt: skip


def check_secret_key_fallback(ws: Workspace) -> Iterator[Finding]:
    """AUD409, message fields: what."""
    for site, _ in _settings(ws.django):
        f = site.fact
        if f.name == "SECRET_KEY" and f.source == "env_default" and _literal(f.value):
            value = short(str(_literal(f.value)), 24)
            yield at(SECRET_KEY_FALLBACK, site.path, f, "high", what=f"`SECRET_KEY` falls back "
                     f"to the literal `{value}` when the environment does not set it")  # fmt: skip
    yield from _inherited_secret_key(ws.django)


def _inherited_secret_key(model: DjangoModel) -> Iterator[Finding]:
    """AUD409: a deployed settings module (named by ``DJANGO_SETTINGS_MODULE``, or for
    production) runs with a literal ``SECRET_KEY`` it star-imports from another module."""
    settings = model.effective_settings(LOCAL_SETTINGS_MODULE)
    seen: set[tuple[str, int]] = set()
    for root in settings.roots:
        if root not in settings.named and not PRODUCTION_SETTINGS_MODULE(root):
            continue
        rows = settings.effective(root).get("SECRET_KEY", [])
        if len(rows) != 1 or rows[0].fact.source != "literal" or not _literal(rows[0].fact.value):
            continue
        site = rows[0]
        module = model.module_of(site.path)
        if module == root or LOCAL_SETTINGS_MODULE(module) or (site.path, site.fact.line) in seen:
            continue
        seen.add((site.path, site.fact.line))
        value = short(str(_literal(site.fact.value)), 24)
        yield at(SECRET_KEY_FALLBACK, site.path, site.fact, "high",
                 what=f"Settings module `{root}` runs with this literal `SECRET_KEY` "
                 f"(`{value}`) from `{module}`")  # fmt: skip


def check_allowed_hosts(ws: Workspace) -> Iterator[Finding]:
    """AUD410, message fields: none."""
    for site, _ in _settings(ws.django):
        f = site.fact
        if f.name == "ALLOWED_HOSTS" and "*" in f.items:
            yield at(ALLOWED_HOSTS_ANY, site.path, f,
                     "medium" if f.source == "env_default" else "high")  # fmt: skip


def _middleware_lists(model: DjangoModel) -> Iterator[tuple[Site, str]]:  # type: ignore[type-arg]
    """MIDDLEWARE assignments written whole as literal lists (nothing spread, nothing added
    later in the same module)."""
    settings = model.effective_settings(LOCAL_SETTINGS_MODULE)
    for site, module in _settings(model):
        f = site.fact
        if f.name not in ("MIDDLEWARE", "MIDDLEWARE_CLASSES") or f.via != "assign":
            continue
        if f.source != "literal" or not f.items:  # an empty list: no HTTP stack at all
            continue
        added = any(
            s.path == site.path and s.fact.name == f.name and s.fact.via != "assign"
            for s in model.settings
        ) or any(
            len(rows) > 1 and rows[0] is site
            for root in settings.roots
            if (rows := settings.effective(root).get(f.name, []))
        )
        if not added:
            yield site, module


def check_csrf_middleware(ws: Workspace) -> Iterator[Finding]:
    """AUD411, message fields: none."""
    for site, _ in _middleware_lists(ws.django):
        if CSRF_MIDDLEWARE not in site.fact.items:
            yield at(CSRF_MIDDLEWARE_MISSING, site.path, site.fact, "high")


def check_security_middleware(ws: Workspace) -> Iterator[Finding]:
    """AUD413, message fields: missing."""
    for site, _ in _middleware_lists(ws.django):
        missing = [f"`{m.rpartition('.')[2]}` ({why})" for m, why in SECURITY_MIDDLEWARE.items()
                   if m not in site.fact.items]  # fmt: skip
        if missing:
            yield at(SECURITY_MIDDLEWARE_MISSING, site.path, site.fact, "high",
                     missing="; ".join(missing))  # fmt: skip


def check_insecure_cookie(ws: Workspace) -> Iterator[Finding]:
    """AUD412, message fields: name, what."""
    yield from check_production_defaults(ws)
    for site, _ in _settings(ws.django):
        f = site.fact
        value = _literal(f.value) if f.source == "literal" else None
        if f.name in COOKIE_SETTINGS and value is False:
            yield at(INSECURE_COOKIE, site.path, f, "high", name=f.name,
                     what=f"{COOKIE_SETTINGS[f.name]}. {_TURN_ON}")  # fmt: skip
        elif f.name in HSTS_SETTINGS and value in (False, 0):
            yield at(INSECURE_COOKIE, site.path, f, "high", name=f.name,
                     what=f"{HSTS_SETTINGS[f.name]}. {_TURN_ON}")  # fmt: skip


_TURN_ON = "Remove the line, or turn it on in the production settings"

#: What production settings must turn on (the insecure default otherwise).
_PRODUCTION_REQUIRED = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")


def _inherited(model: DjangoModel, module: str) -> list[str]:
    """A settings module and the modules it star-imports (``from .base import *``), in order."""
    out = [module]
    for m in out:
        for star in model.link.stars.get(m, ()):
            if star not in out:
                out.append(star)
    return out


def check_production_defaults(ws: Workspace) -> Iterator[Finding]:
    """AUD412 (missing in production settings), message fields: name, what."""
    model = ws.django
    by_module: dict[str, list[Site]] = {}  # type: ignore[type-arg]
    for site in model.settings:
        by_module.setdefault(model.module_of(site.path), []).append(site)
    for module, sites in by_module.items():
        if not PRODUCTION_SETTINGS_MODULE(module) or LOCAL_SETTINGS_MODULE(module):
            continue
        chain = _inherited(model, module)
        named = {s.fact.name for m in chain for s in by_module.get(m, [])}
        first = sites[0]
        for name in _PRODUCTION_REQUIRED:
            if name not in named:
                what = COOKIE_SETTINGS.get(name) or HSTS_SETTINGS[name]
                what += (
                    f"; production settings `{module}` never set it and Django's default "
                    "is off. Set it in production settings"
                )
                yield at(INSECURE_COOKIE, first.path, first.fact, capped("high"), name=name,
                         what=what)  # fmt: skip


def check_weak_hasher(ws: Workspace) -> Iterator[Finding]:
    """AUD414, message fields: hasher."""
    for site, _ in _settings(ws.django):
        f = site.fact
        if (
            f.name == "PASSWORD_HASHERS"
            and f.via == "assign"
            and f.items
            and f.items[0] in WEAK_HASHERS
        ):
            yield at(WEAK_HASHER, site.path, f, "high", hasher=f.items[0].rpartition(".")[2])


def check_password_validators(ws: Workspace) -> Iterator[Finding]:
    """AUD416, message fields: none."""
    for site, _ in _settings(ws.django):
        f = site.fact
        if f.name == "AUTH_PASSWORD_VALIDATORS" and f.via == "assign" and f.value == "[]":
            yield at(NO_PASSWORD_VALIDATORS, site.path, f, "high")


#: django-cors-headers settings that let every origin read responses.
_CORS_ANY = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")


def check_cors_any_origin(ws: Workspace) -> Iterator[Finding]:
    """AUD417, message fields: name, credentials."""
    model = ws.django
    for site, _ in _settings(model):
        f = site.fact
        if f.name not in _CORS_ANY or f.source != "literal" or _literal(f.value) is not True:
            continue
        credentials = any(
            s.fact.name == "CORS_ALLOW_CREDENTIALS" and _literal(s.fact.value) is True
            for s in model.settings
            if s.path == site.path
        )
        yield at(CORS_ANY_ORIGIN, site.path, f, "high" if credentials else "medium", name=f.name,
                 credentials=" with credentials (`CORS_ALLOW_CREDENTIALS = True`)"
                 if credentials else "")  # fmt: skip


def check_modelform_all_fields(ws: Workspace) -> Iterator[Finding]:
    """AUD415, message fields: form, model."""
    for site in ws.django.forms:
        f = site.fact
        if f.kind == "modelform" and (f.meta_fields in ('"__all__"', "'__all__'") or f.exclude):
            how = "`exclude`" if f.exclude and f.meta_fields is None else '`fields = "__all__"`'
            yield at(MODELFORM_ALL_FIELDS, site.path, f, "medium" if f.exclude else "high",
                     form=f.qualname.rpartition(".")[2], model=f.model or "its model",
                     how=how)  # fmt: skip


_DJ = "from django.conf import settings\n"

RULES: tuple[Rule, ...] = (
    rule(
        ORM_LOOKUPS_FROM_REQUEST, "django-orm-lookups-from-request", "error", "high", 943,
        summary="The request chooses the field lookups of an ORM query "
        "(`filter(**request.GET.dict())`).",
        details=(
            "Reported for a queryset chain off a model's manager whose lookup method "
            "(`filter`, `exclude`, `get`, `create`, `update`...) receives `**` the request's "
            "own mapping (`request.GET`, `request.POST`, DRF `request.data` / "
            "`query_params`, `self.request...`, `.dict()` of them): the client picks the keys, "
            "so `?password__startswith=a` filters on a secret column (an ORM leak, one "
            "character at a time) and `create(**data)` sets any field (`is_staff`)."
        ),
        message="`{model}` is queried with lookups the client chooses (`**{spread}`): a key like "
        "`password__startswith` leaks a column, and a write sets any field. Pick the "
        "allowed keys explicitly (or use a form / django-filter FilterSet).",
        fix="Map allowed parameters to lookups: `filter(status=request.GET.get(\"status\"))`, "
        "or validate with a form and pass `form.cleaned_data` fields by name.",
        bad="from django.shortcuts import render\nfrom shop.models import Order\n\n\n"
        "def orders(request):\n    found = Order.objects.filter(**request.GET.dict())\n"
        "    return render(request, \"orders.html\", {\"orders\": found})\n",
        good="from django.shortcuts import render\nfrom shop.models import Order\n\n\n"
        "def orders(request):\n    found = Order.objects.filter(status=request.GET.get(\"s\"))\n"
        "    return render(request, \"orders.html\", {\"orders\": found})\n",
        check=check_orm_lookups_from_request, scope="workspace",
    ),
    rule(
        VIEW_WITHOUT_AUTH, "django-view-without-auth", "warning", "high", 306,
        summary="A Django view reachable from the URL conf changes state without any "
        "authentication, while the rest of the project authenticates.",
        details=(
            "Reported for a view that a root URL conf reaches (through `include()`, namespaces "
            "and DRF routers, across files) and that handles POST, PUT, PATCH or DELETE (its "
            "handler methods, `require_POST`, its generic base, DRF actions) or writes through "
            "the ORM, when nothing protects it: `login_required`, `permission_required`, "
            "`user_passes_test`, `staff_member_required` (directly or with `method_decorator` "
            "on `dispatch` or the method), an auth mixin *before* the view base class (after "
            "it, the mixin's `dispatch` never runs: reported, with that reason), an inline "
            "`request.user` test, DRF permission classes other than `AllowAny` (the "
            "`REST_FRAMEWORK` default counts), or `LoginRequiredMiddleware`. Only in a project "
            "where some view authenticates; views named like sign-in pages (the "
            "`public-auth-endpoint` heuristic) and admin URLs are left out. Medium when project "
            "middleware tests `request.user`, when a base or decorator of the project may check "
            "the user, or when the view handles POST but neither writes through the ORM nor "
            "inherits a generic editing view."
        ),
        message="{view} accepts {methods} and changes state with no authentication.{why} "
        "Add `@login_required` (or `LoginRequiredMixin` first among the bases, or DRF "
        "permission classes).",
        fix="Protect the view: `@login_required` on a function view, `LoginRequiredMixin` as the "
        "first base of a class view, `permission_classes = [IsAuthenticated]` in DRF, or "
        "`LoginRequiredMiddleware` for the whole project.",
        bad="from django.contrib.auth.decorators import login_required\n"
        "from django.urls import path\n\n\n"
        "@login_required\ndef profile(request):\n    return None\n\n\n"
        "def delete_order(request, pk):\n    Order.objects.filter(pk=pk).delete()\n\n\n"
        "urlpatterns = [path(\"me/\", profile), path(\"orders/<int:pk>/delete/\", delete_order)]\n",
        good="from django.contrib.auth.decorators import login_required\n"
        "from django.urls import path\n\n\n"
        "@login_required\ndef profile(request):\n    return None\n\n\n"
        "@login_required\ndef delete_order(request, pk):\n"
        "    Order.objects.filter(pk=pk).delete()\n\n\n"
        "urlpatterns = [path(\"me/\", profile), path(\"orders/<int:pk>/delete/\", delete_order)]\n",
        check=check_view_without_auth, scope="workspace",
        knowledge=(PUBLIC_AUTH_ENDPOINT,),
    ),
    rule(
        CSRF_EXEMPT_VIEW, "django-csrf-exempt-state-change", "warning", "high", 352,
        summary="A view that changes state is exempt from CSRF protection.",
        details=(
            "Reported for `@csrf_exempt` (or `method_decorator(csrf_exempt, name='dispatch')`) "
            "on a view that handles POST, PUT, PATCH or DELETE or writes through the ORM: "
            "another site can make a signed-in user's browser send that request. Not for DRF "
            "views (DRF enforces CSRF for session authentication itself) nor for exempt views "
            "that change nothing (a webhook that only reads its body). High when the URL conf "
            "reaches the view, medium otherwise."
        ),
        message="{view} is exempt from CSRF protection and changes state: another site can "
        "submit it with the user's session. Remove `csrf_exempt`, or authenticate the "
        "request by a signature or token instead of the session cookie.",
        fix="Remove `@csrf_exempt` and send the CSRF token from the form or the JavaScript "
        "client (`X-CSRFToken`); for a webhook, verify its signature and touch no session.",
        bad="from django.views.decorators.csrf import csrf_exempt\n\n\n"
        "@csrf_exempt\ndef transfer(request):\n    Account.objects.filter(pk=1).update(x=1)\n",
        good="def transfer(request):\n    Account.objects.filter(pk=1).update(x=1)\n",
        check=check_csrf_exempt, scope="workspace",
    ),
    rule(
        DRF_ALLOW_ANY, "drf-allow-any-unsafe", "warning", "high", 862,
        summary="A DRF view that writes data lets anyone in (`AllowAny`).",
        details=(
            "Reported for a DRF view or viewset whose own `permission_classes` (or "
            "`@permission_classes`) is `AllowAny` while it handles POST, PUT, PATCH or DELETE "
            "(a `ModelViewSet`, a create/update/destroy generic view, an `@action` with an "
            "unsafe method, `@api_view(['POST'])`). Read-only views and views named like "
            "sign-in endpoints are not reported."
        ),
        message="{view} lets anyone {methods}: its permission classes are `AllowAny`. Use "
        "`IsAuthenticated` (or `IsAuthenticatedOrReadOnly`) for views that change data.",
        fix="`permission_classes = [IsAuthenticated]`, or a read-only viewset for public data.",
        bad="from rest_framework import viewsets\nfrom rest_framework.permissions import "
        "AllowAny\n\n\nclass OrderViewSet(viewsets.ModelViewSet):\n"
        "    permission_classes = [AllowAny]\n",
        good="from rest_framework import viewsets\nfrom rest_framework.permissions import "
        "IsAuthenticated\n\n\nclass OrderViewSet(viewsets.ModelViewSet):\n"
        "    permission_classes = [IsAuthenticated]\n",
        check=check_drf_allow_any, scope="workspace",
        knowledge=(PUBLIC_AUTH_ENDPOINT,),
    ),
    rule(
        DEBUG_TRUE, "django-debug-true", "error", "high", 489,
        summary="A Django settings module sets `DEBUG = True`.",
        details=(
            "Reported for `DEBUG = True` (or an environment read whose literal fallback is "
            "true, at medium) in a settings module (`settings.py`, a `settings/` package, any "
            "module assigning `INSTALLED_APPS`), except modules named for development or tests "
            "(`dev`, `local`, `test`...: the `local-settings-module` heuristic). With DEBUG on, "
            "an error page shows settings, source and the request to anyone."
        ),
        message="{what} in settings module `{module}`: error pages will show code, "
        "settings and request data to anyone. Read it from the environment and default to "
        "False.",
        fix="`DEBUG = os.environ.get('DJANGO_DEBUG') == '1'`, and keep `DEBUG = True` in a "
        "development settings module only.",
        bad="INSTALLED_APPS = []\nDEBUG = True\n",
        good="import os\n\nINSTALLED_APPS = []\n"
        "DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"\n",
        check=check_debug, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE,),
    ),
    rule(
        SECRET_KEY_FALLBACK, "django-secret-key-fallback", "warning", "high", 798,
        summary="`SECRET_KEY` falls back to a literal when the environment does not set it, or "
        "deployed settings inherit a literal one.",
        details=(
            "Reported for `SECRET_KEY = os.environ.get('X', 'literal')` (also `os.getenv`, "
            "django-environ and python-decouple with `default=`) in a settings module that is "
            "not for development or tests: a deployment that forgets the variable signs "
            "sessions and password-reset tokens with a key in the source. Also for a literal "
            "`SECRET_KEY` in a module (`settings/base.py`) that a deployed settings module "
            "(named by `DJANGO_SETTINGS_MODULE` in `manage.py`, `wsgi.py` or `asgi.py`, or "
            "named for production) star-imports and never replaces. A literal `SECRET_KEY` "
            "is also AUD206's, wherever it is."
        ),
        message="{what}: sessions and reset tokens would be signed with a key in the source. "
        "Fail instead (`os.environ['DJANGO_SECRET_KEY']`).",
        fix="`SECRET_KEY = os.environ['DJANGO_SECRET_KEY']`: a missing key stops the start-up.",
        bad="import os\n\nINSTALLED_APPS = []\n"
        "SECRET_KEY = os.environ.get(\"SECRET_KEY\", \"dev-key\")\n",
        good="import os\n\nINSTALLED_APPS = []\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n",
        check=check_secret_key_fallback, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE, PRODUCTION_SETTINGS_MODULE),
    ),
    rule(
        ALLOWED_HOSTS_ANY, "django-allowed-hosts-any", "warning", "high", 20,
        summary="`ALLOWED_HOSTS` accepts any host (`'*'`).",
        details=(
            "Reported for `'*'` among the `ALLOWED_HOSTS` of a settings module not named for "
            "development or tests: Django then trusts any `Host` header, which poisons "
            "password-reset links and caches."
        ),
        message="`ALLOWED_HOSTS` contains `'*'`: any Host header is trusted (poisoned "
        "password-reset links, cache poisoning). List the site's host names.",
        fix="`ALLOWED_HOSTS = ['shop.example.com']`.",
        bad="INSTALLED_APPS = []\nALLOWED_HOSTS = [\"*\"]\n",
        good="INSTALLED_APPS = []\nALLOWED_HOSTS = [\"shop.example.com\"]\n",
        check=check_allowed_hosts, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE,),
    ),
    rule(
        CSRF_MIDDLEWARE_MISSING, "django-csrf-middleware-missing", "error", "high", 352,
        summary="`MIDDLEWARE` leaves out `CsrfViewMiddleware`.",
        details=(
            "Reported for a `MIDDLEWARE` list written whole as literals (nothing spread in or "
            "appended later in the module) in a settings module not for development or tests, "
            "when it lacks `django.middleware.csrf.CsrfViewMiddleware`: no view is protected "
            "from cross-site requests."
        ),
        message="`MIDDLEWARE` does not include `CsrfViewMiddleware`: no view is protected from "
        "cross-site request forgery. Add it after `SessionMiddleware`.",
        fix="Add `'django.middleware.csrf.CsrfViewMiddleware'` to `MIDDLEWARE`.",
        bad="INSTALLED_APPS = []\nMIDDLEWARE = [\n"
        "    \"django.middleware.security.SecurityMiddleware\",\n"
        "    \"django.middleware.clickjacking.XFrameOptionsMiddleware\",\n]\n",
        good="INSTALLED_APPS = []\nMIDDLEWARE = [\n"
        "    \"django.middleware.security.SecurityMiddleware\",\n"
        "    \"django.middleware.csrf.CsrfViewMiddleware\",\n"
        "    \"django.middleware.clickjacking.XFrameOptionsMiddleware\",\n]\n",
        check=check_csrf_middleware, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE, CSRF_MIDDLEWARE),
    ),
    rule(
        INSECURE_COOKIE, "django-insecure-cookie-or-hsts", "warning", "high", 614,
        summary="A settings module turns off a secure cookie flag, HSTS or the HTTPS redirect.",
        details=(
            "Reported for `SESSION_COOKIE_SECURE = False`, `CSRF_COOKIE_SECURE = False`, "
            "`SESSION_COOKIE_HTTPONLY = False`, `SECURE_HSTS_SECONDS = 0` and "
            "`SECURE_SSL_REDIRECT = False` written in a settings module not named for "
            "development or tests (high); and, at medium, a settings module named for "
            "production (`settings/prod.py`: the `production-settings-module` heuristic) "
            "that never sets `SESSION_COOKIE_SECURE`, `CSRF_COOKIE_SECURE` or "
            "`SECURE_HSTS_SECONDS`, itself or in the modules it star-imports."
        ),
        message="`{name}` is off: {what}.",
        fix="`SESSION_COOKIE_SECURE = True`, `CSRF_COOKIE_SECURE = True`, "
        "`SECURE_HSTS_SECONDS = 31536000`, `SECURE_SSL_REDIRECT = True`.",
        bad="INSTALLED_APPS = []\nSESSION_COOKIE_SECURE = False\n",
        good="INSTALLED_APPS = []\nSESSION_COOKIE_SECURE = True\n",
        check=check_insecure_cookie, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE, PRODUCTION_SETTINGS_MODULE, COOKIE_SETTINGS,
                   HSTS_SETTINGS),
    ),
    rule(
        SECURITY_MIDDLEWARE_MISSING, "django-security-middleware-missing", "warning", "high",
        1021,
        summary="`MIDDLEWARE` leaves out `SecurityMiddleware` or `XFrameOptionsMiddleware`.",
        details=(
            "Reported for a `MIDDLEWARE` list written whole as literals in a settings module "
            "not for development or tests, when it lacks "
            "`django.middleware.security.SecurityMiddleware` (HSTS, SSL redirect, nosniff) or "
            "`django.middleware.clickjacking.XFrameOptionsMiddleware` (clickjacking)."
        ),
        message="`MIDDLEWARE` leaves out {missing}. Add the missing middleware.",
        fix="Put `SecurityMiddleware` first in `MIDDLEWARE` and keep "
        "`XFrameOptionsMiddleware`.",
        bad="INSTALLED_APPS = []\nMIDDLEWARE = [\"django.middleware.csrf.CsrfViewMiddleware\"]\n",
        good="INSTALLED_APPS = []\nMIDDLEWARE = [\n"
        "    \"django.middleware.security.SecurityMiddleware\",\n"
        "    \"django.middleware.csrf.CsrfViewMiddleware\",\n"
        "    \"django.middleware.clickjacking.XFrameOptionsMiddleware\",\n]\n",
        check=check_security_middleware, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE, SECURITY_MIDDLEWARE),
    ),
    rule(
        WEAK_HASHER, "django-weak-password-hasher", "error", "high", 916,
        summary="The first `PASSWORD_HASHERS` entry, which hashes new passwords, is fast or "
        "broken.",
        details=(
            "Reported when the first entry of `PASSWORD_HASHERS` is `MD5PasswordHasher`, "
            "`SHA1PasswordHasher`, an unsalted one or `CryptPasswordHasher`: Django hashes "
            "every new password with the first entry."
        ),
        message="New passwords are hashed with `{hasher}`, a fast or broken scheme. Put "
        "`PBKDF2PasswordHasher` or `Argon2PasswordHasher` first.",
        fix="List `Argon2PasswordHasher` or `PBKDF2PasswordHasher` first; keep old hashers "
        "after it only to verify existing hashes.",
        bad="INSTALLED_APPS = []\n"
        "PASSWORD_HASHERS = [\"django.contrib.auth.hashers.MD5PasswordHasher\"]\n",
        good="INSTALLED_APPS = []\n"
        "PASSWORD_HASHERS = [\"django.contrib.auth.hashers.PBKDF2PasswordHasher\"]\n",
        check=check_weak_hasher, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE, WEAK_HASHERS),
    ),
    rule(
        MODELFORM_ALL_FIELDS, "django-modelform-all-fields", "warning", "high", 915,
        summary="A ModelForm exposes every field of its model (`fields = '__all__'` or "
        "`exclude`).",
        details=(
            "Reported for a `ModelForm` whose `Meta.fields` is `'__all__'` (high) or that uses "
            "`Meta.exclude` (medium): a field added to the model later (`is_staff`, `owner`) "
            "becomes editable by whoever submits the form (mass assignment)."
        ),
        message="`{form}` lets a request set every field of {model} ({how}): a field added "
        "later becomes editable too. List the editable fields explicitly.",
        fix="`fields = ['title', 'body']`.",
        bad="from django import forms\n\n\nclass PostForm(forms.ModelForm):\n"
        "    class Meta:\n        model = Post\n        fields = \"__all__\"\n",
        good="from django import forms\n\n\nclass PostForm(forms.ModelForm):\n"
        "    class Meta:\n        model = Post\n        fields = [\"title\", \"body\"]\n",
        check=check_modelform_all_fields, scope="workspace",
    ),
    rule(
        CORS_ANY_ORIGIN, "django-cors-any-origin", "warning", "high", 942,
        summary="django-cors-headers lets every origin read the site's responses.",
        details=(
            "Reported for `CORS_ALLOW_ALL_ORIGINS = True` (or the older "
            "`CORS_ORIGIN_ALLOW_ALL`) in a settings module not named for development or tests; "
            "high when the same module sets `CORS_ALLOW_CREDENTIALS = True` (other sites then "
            "read signed-in users' data), medium otherwise."
        ),
        message="`{name} = True` lets any web site read this site's responses{credentials}. "
        "List the allowed origins in `CORS_ALLOWED_ORIGINS`.",
        fix="`CORS_ALLOWED_ORIGINS = [\"https://app.example.com\"]`.",
        bad="INSTALLED_APPS = []\nCORS_ALLOW_ALL_ORIGINS = True\n",
        good="INSTALLED_APPS = []\nCORS_ALLOWED_ORIGINS = [\"https://app.example.com\"]\n",
        check=check_cors_any_origin, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE,),
    ),
    rule(
        NO_PASSWORD_VALIDATORS, "django-no-password-validators", "warning", "high", 521,
        summary="`AUTH_PASSWORD_VALIDATORS` is empty: any password is accepted.",
        details=(
            "Reported for `AUTH_PASSWORD_VALIDATORS = []` in a settings module not named for "
            "development or tests: `password`, `123` and the user's own name are accepted by "
            "sign-up and password-change forms."
        ),
        message="`AUTH_PASSWORD_VALIDATORS` is empty: any password, `123` included, is "
        "accepted. Keep Django's default validators (length, common passwords, similarity).",
        fix="List `UserAttributeSimilarityValidator`, `MinimumLengthValidator`, "
        "`CommonPasswordValidator` and `NumericPasswordValidator`.",
        bad="INSTALLED_APPS = []\nAUTH_PASSWORD_VALIDATORS = []\n",
        good="INSTALLED_APPS = []\nAUTH_PASSWORD_VALIDATORS = [\n"
        "    {\"NAME\": \"django.contrib.auth.password_validation.MinimumLengthValidator\"},\n]\n",
        check=check_password_validators, scope="workspace",
        knowledge=(LOCAL_SETTINGS_MODULE,),
    ),
)  # fmt: skip

register(*RULES)

# AUD423 reads template files, one at a time (a file rule): its own module.
from auditls.rules.django import templates as _templates  # noqa: E402, F401
