"""``DjangoModel``: the Django objects of a workspace linked across files, and ``model_of``.

1. **URL confs.** The roots are the modules that settings name in ``ROOT_URLCONF``; without
   one, every URL conf no other includes. From each root, ``include()`` is followed (a dotted
   module, a module object, a DRF ``router.urls`` with the router's ``register()`` rows), the
   patterns joined and the namespaces (``namespace=``, the tuple form, ``app_name``) stacked,
   so every reachable view gets one ``Endpoint`` per full pattern, with its URL kwargs.
   ``admin.site.urls`` is an admin mount (guarded by the admin).
2. **Views** by qualified name (a view imported into ``urls.py`` is followed to its definition
   with the linker); class views inherit from workspace view classes.
3. **Auth** of a view (``view_auth``): decorators (``method_decorator`` on ``dispatch`` or the
   method), auth mixins *before* the view base, an inline ``request.user`` test, DRF permission
   classes (the ``REST_FRAMEWORK`` default when the view names none), Django 5.1's
   ``LoginRequiredMiddleware``, and project middleware that tests ``request.user``.
4. **Settings** in effect (``settings``): the modules ``DJANGO_SETTINGS_MODULE`` names and
   the split settings no other star-imports, with the values they end with through
   ``from .base import *``.
5. **Signals**: definitions, receivers and send sites grouped by the signal they name
   (references followed with the linker). A candidate row (a method call on a name imported
   from another app) is kept only when its signal leads to a ``Signal()`` definition.

Nothing here reads source or imports the analysed code, or writes SQL.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Self

from auditls.facts import FileFacts
from auditls.facts.django import (
    FACT_TYPES,
    DjangoAdminFact,
    DjangoFormFact,
    DjangoManagerFact,
    DjangoMiddlewareFact,
    DjangoModelFact,
    DjangoQuerysetFact,
    DjangoSettingFact,
    DjangoSignalFact,
    DjangoUrlFact,
    DjangoViewFact,
)
from auditls.knowledge.django import (
    ADMIN_URLS,
    AUTH_DECORATORS,
    AUTH_MIXINS,
    CSRF_DECORATORS,
    DRF_DEFAULT_PERMISSIONS,
    LOGIN_NOT_REQUIRED,
    LOGIN_REQUIRED_MIDDLEWARE,
    UNSAFE_METHODS,
    VIEW_BASES,
)
from auditls.link import Linker, ModelCache, Site, link_of
from auditls.models.django.settings import Settings

if TYPE_CHECKING:
    from auditls.store import Store

#: Packages whose decorators and bases the knowledge tables describe (others are the project's).
_LIBRARIES = ("django.", "rest_framework.", "builtins.", "functools.", "typing.")
_KWARG = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>")
_MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A view reachable from a root URL conf, at one full pattern."""

    pattern: str  # the full pattern, prefixes joined ("shop/orders/<int:pk>/")
    name: str | None  # the URL name with its namespaces ("shop:order")
    view: str  # the view's qualified name (resolved)
    kwargs: tuple[str, ...]  # the URL kwargs the pattern captures
    site: Site[DjangoUrlFact]  # the path()/register() row
    admin: bool = False  # mounted under admin.site.urls
    wrappers: tuple[str, ...] = ()  # decorators the URL conf calls around the view


@dataclass(slots=True)
class Auth:
    """What protects a view, and where it comes from."""

    protected: bool = False
    how: list[str] = field(default_factory=list)  # "login_required (decorator)", ...
    partial: list[str] = field(default_factory=list)  # protections that do not cover POST
    misordered: list[str] = field(default_factory=list)  # mixins after the view base
    maybe: list[str] = field(default_factory=list)  # middleware that tests request.user
    public: bool = False  # login_not_required / AllowAny on purpose


class DjangoModel:
    """Every Django object of a workspace, linked."""

    def __init__(self, link: Linker) -> None:
        self.link = link
        self.views: dict[str, Site[DjangoViewFact]] = {
            s.fact.qualname: s for s in link.sites(DjangoViewFact)
        }
        settings = link.sites(DjangoSettingFact)
        #: Settings rows (not the ``DJANGO_SETTINGS_MODULE`` rows: ``named_settings``).
        self.settings: list[Site[DjangoSettingFact]] = [
            s for s in settings if s.fact.via != "environ"
        ]
        self.named_settings = [s for s in settings if s.fact.via == "environ"]
        self.signal_rows: list[Site[DjangoSignalFact]] = link.sites(DjangoSignalFact)
        self.models: list[Site[DjangoModelFact]] = link.sites(DjangoModelFact)
        self.managers: list[Site[DjangoManagerFact]] = link.sites(DjangoManagerFact)
        self.querysets: list[Site[DjangoQuerysetFact]] = link.sites(DjangoQuerysetFact)
        self.forms: list[Site[DjangoFormFact]] = link.sites(DjangoFormFact)
        self.admin: list[Site[DjangoAdminFact]] = link.sites(DjangoAdminFact)
        self.middleware: list[Site[DjangoMiddlewareFact]] = link.sites(DjangoMiddlewareFact)
        self._module_of = {path: ff.module for path, ff in link.files.items()}
        self._effective: dict[int, Settings] = {}

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> Self:
        return cls(Linker.from_files(files))

    @classmethod
    def from_store(cls, store: Store) -> Self:
        return cls(link_of(store, FACT_TYPES))

    def module_of(self, path: str) -> str:
        return self._module_of.get(path, "")

    # -- settings ----------------------------------------------------------------------------

    def setting_values(self, name: str) -> list[Site[DjangoSettingFact]]:
        return [s for s in self.settings if s.fact.name == name]

    def effective_settings(self, local: Callable[[str], bool]) -> Settings:
        """The settings modules the project runs with and the rows in effect in them; ``local``
        says which modules are for development or tests (one ``Settings`` per ``local``)."""
        found = self._effective.get(id(local))
        if found is None or found.local is not local:
            found = self._effective[id(local)] = Settings(
                self, self.settings, self.named_settings, local
            )
        return found

    @cached_property
    def middleware_entries(self) -> set[str]:
        """Every MIDDLEWARE entry any settings module names."""
        out: set[str] = set()
        for site in self.setting_values("MIDDLEWARE"):
            out.update(site.fact.items)
        return out

    @cached_property
    def drf_default_permissions(self) -> tuple[str, ...] | None:
        """REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES, when a settings module sets it."""
        for site in self.setting_values("REST_FRAMEWORK"):
            try:
                value = json.loads(site.fact.value or "null")
            except ValueError:
                continue
            if isinstance(value, dict) and isinstance(value.get(DRF_DEFAULT_PERMISSIONS), list):
                return tuple(str(v) for v in value[DRF_DEFAULT_PERMISSIONS])
        return None

    # -- URL confs ---------------------------------------------------------------------------

    @cached_property
    def _urls_by_module(self) -> dict[str, list[Site[DjangoUrlFact]]]:
        out: dict[str, list[Site[DjangoUrlFact]]] = defaultdict(list)
        for site in self.link.sites(DjangoUrlFact):
            out[self.module_of(site.path)].append(site)
        return out

    @cached_property
    def _registers(self) -> dict[str, list[Site[DjangoUrlFact]]]:
        out: dict[str, list[Site[DjangoUrlFact]]] = defaultdict(list)
        for sites in self._urls_by_module.values():
            for site in sites:
                if site.fact.kind == "register" and site.fact.router:
                    out[self.link.resolve(site.fact.router)].append(site)
        return out

    @cached_property
    def roots(self) -> list[str]:
        """The root URL confs."""
        named = [
            json.loads(s.fact.value) for s in self.setting_values("ROOT_URLCONF")
            if s.fact.value and s.fact.value.startswith('"')
        ]  # fmt: skip
        roots = [m for m in dict.fromkeys(named) if m in self._urls_by_module]
        if roots:
            return roots
        included = {
            s.fact.include for sites in self._urls_by_module.values() for s in sites
            if s.fact.kind == "include"
        }  # fmt: skip
        return [m for m in self._urls_by_module if m not in included]

    @cached_property
    def endpoints(self) -> list[Endpoint]:
        out: list[Endpoint] = []
        for root in self.roots:
            self._walk(root, "", (), 0, set(), out)
        return out

    def _walk(
        self, module: str, prefix: str, spaces: tuple[str, ...], depth: int, seen: set[str],
        out: list[Endpoint], urlconf: str | None = None,
    ) -> None:  # fmt: skip
        """The entries of ``module``'s ``urlpatterns`` (or of its list ``urlconf``, for
        ``include(api_urls)``), followed into what they include."""
        key = f"{module}:{urlconf}"
        if depth > _MAX_DEPTH or key in seen:
            return
        seen = seen | {key}
        lists = {s.fact.urlconf for s in self._urls_by_module.get(module, [])}
        sites = [
            s for s in self._urls_by_module.get(module, [])
            if s.fact.urlconf == urlconf
            or (urlconf is None and (s.fact.urlconf == "urlpatterns"
                                     or "urlpatterns" not in lists))
        ]  # fmt: skip
        for site in sites:
            f = site.fact
            pattern = prefix + _clean(f.pattern or "", bool(prefix))
            if f.kind in ("path", "re_path") and f.view:
                self._endpoint(site, pattern, spaces, f.view, f.name, out)
            elif f.kind == "include":
                target = f.include or ""
                if target in ADMIN_URLS or target.endswith("admin.site.urls"):
                    out.append(Endpoint(pattern, None, "<admin>", (), site, admin=True))
                    continue
                router = f.router or (target[: -len(".urls")] if target.endswith(".urls") else "")
                registers = self._registers.get(self.link.resolve(router), []) if router else []
                if registers:
                    for reg in registers:
                        r = reg.fact
                        full = pattern + (r.pattern or "").strip("^$/") + "/"
                        if r.view:
                            self._endpoint(reg, full, spaces, r.view, r.name, out)
                    continue
                namespace = f.namespace
                scope, _, name = self.link.resolve(target).rpartition(".")
                if scope in self._urls_by_module and name != "urls":  # include(api_urls)
                    space = namespace
                    self._walk(scope, pattern, (*spaces, space) if space else spaces,
                               depth + 1, seen, out, name)  # fmt: skip
                elif (
                    target in self._urls_by_module
                    or self.link.resolve(target) in self._urls_by_module
                ):
                    mod = target if target in self._urls_by_module else self.link.resolve(target)
                    app_name = next((s.fact.name for s in self._urls_by_module[mod]
                                     if s.fact.kind == "app_name"), None)  # fmt: skip
                    space = namespace or app_name
                    self._walk(mod, pattern, (*spaces, space) if space else spaces, depth + 1,
                               seen, out)  # fmt: skip

    def _endpoint(
        self, site: Site[DjangoUrlFact], pattern: str, spaces: tuple[str, ...], view: str,
        name: str | None, out: list[Endpoint],
    ) -> None:  # fmt: skip
        resolved = self.resolve_view(view)
        kwargs = tuple(a or b for _, a, b in _KWARG.findall(pattern))
        full_name = ":".join((*spaces, name)) if name else None
        out.append(Endpoint(pattern, full_name, resolved, kwargs, site,
                            wrappers=site.fact.wrappers))  # fmt: skip

    def resolve_view(self, ref: str) -> str:
        if ref in self.views:
            return ref
        return self.link.resolve(ref)

    @cached_property
    def _endpoints_by_view(self) -> dict[str, list[Endpoint]]:
        out: dict[str, list[Endpoint]] = defaultdict(list)
        for e in self.endpoints:
            out[e.view].append(e)
        return out

    def endpoints_of(self, view: str) -> list[Endpoint]:
        return self._endpoints_by_view.get(view, [])

    @cached_property
    def reachable(self) -> set[str]:
        return {e.view for e in self.endpoints}

    # -- views and auth ----------------------------------------------------------------------

    def _mro(self, view: DjangoViewFact, depth: int = 0) -> list[str]:
        """The bases of a class view, workspace view classes expanded, in order."""
        out: list[str] = []
        for base in view.bases:
            out.append(base)
            parent = self.views.get(self.resolve_view(base))
            if parent is not None and depth < _MAX_DEPTH:
                out.extend(self._mro(parent.fact, depth + 1))
        return out

    def mro_of(self, view: DjangoViewFact) -> list[str]:
        """The bases of a class view as written, workspace view classes expanded, in order."""
        return self._mro(view)

    def inherits_unsafe(self, view: DjangoViewFact) -> bool:
        """Whether a library base handles POST, PUT, PATCH or DELETE for the view (a generic
        editing view, a DRF viewset or mixin): then it changes state by itself."""
        return any(UNSAFE_METHODS.intersection(VIEW_BASES.get(b, ())) for b in self._mro(view))

    def decorators_of(self, view: DjangoViewFact) -> list[str]:
        out = list(view.decorators)
        for base in self._mro(view) if view.kind == "class" else ():
            parent = self.views.get(self.resolve_view(base))
            if parent is not None:
                out.extend(parent.fact.decorators)
        return out

    def permissions_of(self, view: DjangoViewFact) -> tuple[tuple[str, ...], str]:
        """DRF permission classes and where they come from (the view, a base, settings)."""
        if view.permission_classes:
            return view.permission_classes, "the view"
        for base in self._mro(view):
            parent = self.views.get(self.resolve_view(base))
            if parent is not None and parent.fact.permission_classes:
                return parent.fact.permission_classes, f"`{base}`"
        default = self.drf_default_permissions
        if default is not None:
            return default, "REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES"
        return ("rest_framework.permissions.AllowAny",), "DRF's default (AllowAny)"

    def url_wrappers(self, view: str) -> list[str]:
        """Decorators the URL confs call around a view at *every* one of its endpoints."""
        endpoints = self.endpoints_of(view)
        if not endpoints:
            return []
        common = set(endpoints[0].wrappers)
        for e in endpoints[1:]:
            common &= set(e.wrappers)
        return [w for w in endpoints[0].wrappers if w in common]

    def view_auth(self, view: DjangoViewFact) -> Auth:
        auth = Auth()
        for wrapper in self.url_wrappers(view.qualname):
            if wrapper in AUTH_DECORATORS and wrapper != LOGIN_NOT_REQUIRED:
                auth.protected = True
                auth.how.append(f"`{AUTH_DECORATORS[wrapper]}` around it in the URL conf")
        for dec in self.decorators_of(view):
            inner, _, where = dec.partition("@")
            name = inner.removeprefix("method_decorator(").removesuffix(")")
            if name == LOGIN_NOT_REQUIRED:
                auth.public = True
            elif name in AUTH_DECORATORS:
                label = AUTH_DECORATORS[name]
                if not where or where in ("dispatch", "post", "put", "patch", "delete"):
                    auth.protected = True
                    auth.how.append(f"`{label}`" + (f" on `{where}`" if where else ""))
                else:
                    auth.partial.append(f"`{label}` on `{where}` only")
            elif not name.startswith(_LIBRARIES) and where in ("", "dispatch", "post"):
                # A decorator of the project: it may check the user (not read here).
                auth.maybe.append(f"decorator `{name}` may check the user")
        if view.kind == "class":
            seen_view_base = False
            for base in self._mro(view):
                if base in VIEW_BASES:
                    seen_view_base = True
                elif base in AUTH_MIXINS:
                    if seen_view_base:
                        auth.misordered.append(AUTH_MIXINS[base])
                    else:
                        auth.protected = True
                        auth.how.append(f"`{AUTH_MIXINS[base]}`")
                elif (
                    not seen_view_base
                    and not base.startswith(_LIBRARIES)
                    and self.resolve_view(base) not in self.views
                ):
                    auth.maybe.append(f"base `{base}` may check the user (not read here)")
        if view.user_check:
            auth.protected = True
            auth.how.append("an inline `request.user` check")
        if view.drf:
            perms, where = self.permissions_of(view)
            if perms and not all(p.rpartition(".")[2] in {"AllowAny"} for p in perms):
                auth.protected = True  # IsAuthenticatedOrReadOnly too: writes need a user
                auth.how.append(f"DRF {', '.join(p.rpartition('.')[2] for p in perms)} ({where})")
            elif where == "the view":
                auth.public = True
        if LOGIN_REQUIRED_MIDDLEWARE in self.middleware_entries and not auth.public:
            auth.protected = True
            auth.how.append("`LoginRequiredMiddleware`")
        for site in self.middleware:
            mw = site.fact
            if mw.user_check and mw.qualname in self.middleware_entries:
                auth.maybe.append(f"middleware `{mw.qualname}` tests `request.user`")
        return auth

    def csrf_of(self, view: DjangoViewFact) -> str | None:
        """exempt | protect, from the view's decorators or every URL conf wrapper."""
        for wrapper in self.url_wrappers(view.qualname):
            if wrapper in CSRF_DECORATORS:
                return CSRF_DECORATORS[wrapper]
        return view.csrf

    def state_changing(self, view: DjangoViewFact) -> bool:
        explicit = [m for m in view.methods if m != "*"]
        return bool(UNSAFE_METHODS.intersection(explicit)) or view.writes

    @cached_property
    def authenticates(self) -> bool:
        """Whether any view of the project requires a user (so an open one may be a gap)."""
        return any(self.view_auth(s.fact).protected for s in self.views.values())

    # -- signals -----------------------------------------------------------------------------

    @cached_property
    def signals(self) -> dict[str, list[Site[DjangoSignalFact]]]:
        """Signal (resolved reference) -> its rows (define, receivers, connects, sends); rows of
        an imported name that leads to no definition are dropped."""
        out: dict[str, list[Site[DjangoSignalFact]]] = defaultdict(list)
        defined = {s.fact.signal for s in self.signal_rows if s.fact.role == "define"}
        for site in self.signal_rows:
            f = site.fact
            key = f.signal if f.builtin else self.link.resolve(f.signal)
            if f.builtin or key in defined:
                out[key].append(site)
        return out

    def receivers_of(self, handler: str) -> list[Site[DjangoSignalFact]]:
        return [s for sites in self.signals.values() for s in sites
                if s.fact.handler and self.link.resolve(s.fact.handler) == handler]  # fmt: skip

    # -- models ------------------------------------------------------------------------------

    def managers_of(self, model: str) -> list[Site[DjangoManagerFact]]:
        return [s for s in self.managers if s.fact.role == "attached" and s.fact.qualname == model]

    def manager_class(self, ref: str) -> Site[DjangoManagerFact] | None:
        target = self.link.resolve(ref)
        return next((s for s in self.managers if s.fact.role != "attached"
                     and s.fact.qualname == target), None)  # fmt: skip


def _clean(pattern: str, nested: bool) -> str:
    """A regex's anchors dropped when it is joined under a prefix (``^blog/`` -> ``blog/``)."""
    out = pattern
    if nested or out.startswith("^"):
        out = out.removeprefix("^")
    return out.removesuffix("$")


#: The model of a store (``link.ModelCache``: built again only when a file with its facts
#: changed).
model_of: ModelCache[DjangoModel] = ModelCache(FACT_TYPES, DjangoModel.from_store)
