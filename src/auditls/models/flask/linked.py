"""The Flask objects of a workspace and how a reference reaches them.

``FlaskObjects`` holds what the build (``build.py``) links: the objects, the rows attached to
them, and the Flask facts indexed the way the queries read them. Names are followed across files
by the workspace linker (``auditls.link``); this class adds what only Flask knows: which
references *are* Flask objects, that an app made by a factory is the factory's app, that
``flask.current_app`` stands for every app, and that a helper's parameter is whatever app or
blueprint its callers pass (``FlaskAppPassFact``), a plugin hook's implementation's whatever the
hook's calls pass (``pm.hook.flaskbb_load_blueprints(app=app)``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

from auditls.facts import Fact
from auditls.facts.flask import (
    FlaskAppPassFact,
    FlaskAuthCheckFact,
    FlaskCacheFact,
    FlaskConditionalCallFact,
    FlaskConfigFact,
    FlaskCorsFact,
    FlaskExtensionFact,
    FlaskHookFact,
    FlaskRateLimitFact,
    FlaskRequestReadFact,
    FlaskRouteFact,
    FlaskViewClassFact,
    FlaskWebsocketFact,
)
from auditls.facts.security import AuthPatternFact, CsrfFact
from auditls.knowledge.flask import (
    APP,
    BLUEPRINT,
    CURRENT_APP,
    HOOKIMPL_MARKERS,
    PLUGIN_HOOK_CALLEE,
)
from auditls.link import Linker, Site
from auditls.models.flask.objects import (
    AppObj,
    BlueprintObj,
    ExtensionObj,
    LinkTarget,
    Owner,
    Route,
    SocketHandler,
)

F = TypeVar("F", bound=Fact)


def _covers(fact: Fact, line: int, column: int) -> bool:
    return (fact.line, fact.col) <= (line, column) < (fact.end_line, fact.end_col)


class FlaskObjects:
    """The linked Flask objects, their indexes, references to objects, lookups by position."""

    def __init__(self, link: Linker) -> None:
        self.link = link
        # Flask facts by the function (or target, callee) the queries look them up by.
        self.checks: dict[str, list[Site[FlaskAuthCheckFact]]] = defaultdict(list)
        self.reads: dict[str, list[Site[FlaskRequestReadFact]]] = defaultdict(list)
        self.auth_patterns: dict[str, list[Site[AuthPatternFact]]] = defaultdict(list)
        self.csrf_facts: list[Site[CsrfFact]] = list(link.sites(CsrfFact))
        self.passes: dict[str, list[FlaskAppPassFact]] = defaultdict(list)
        #: ``(function, line, column)`` of a call -> the request conditions it is made under.
        self.call_scopes: dict[tuple[str, int, int], str] = {}
        for check in link.sites(FlaskAuthCheckFact):
            self.checks[check.fact.function].append(check)
        for read in link.sites(FlaskRequestReadFact):
            self.reads[read.fact.function].append(read)
        for pattern in link.sites(AuthPatternFact):
            self.auth_patterns[pattern.fact.target].append(pattern)
        for passed in link.sites(FlaskAppPassFact):
            self.passes[passed.fact.callee].append(passed.fact)
        for made in link.sites(FlaskConditionalCallFact):
            call = made.fact
            self.call_scopes[(call.function, call.line, call.col)] = call.scope

        # The objects, and the rows attached by the view or variable they target.
        self.apps: list[AppObj] = []
        self.blueprints: list[BlueprintObj] = []
        self.extensions: list[ExtensionObj] = []
        self.routes: list[Route] = []
        self.sock_routes: list[Site[FlaskRouteFact] | Site[FlaskWebsocketFact]] = []
        self.socket_handlers: list[SocketHandler] = []
        self.view_classes: dict[str, Site[FlaskViewClassFact]] = {}
        self.cache_rows: dict[str, list[Site[FlaskCacheFact]]] = defaultdict(list)
        self.limit_rows: dict[str, list[Site[FlaskRateLimitFact]]] = defaultdict(list)
        self.shared_limits: dict[str, Site[FlaskRateLimitFact]] = {}
        self.cors_views: dict[str, list[Site[FlaskCorsFact]]] = defaultdict(list)
        self.csrf_exempt_views: dict[str, list[Site[Fact]]] = defaultdict(list)
        self.config_classes: dict[str, list[Site[FlaskConfigFact]]] = defaultdict(list)
        self.config_modules: dict[str, list[Site[FlaskConfigFact]]] = defaultdict(list)

        #: Reference -> the app, blueprint or extension it defines (resolving stops there).
        self.by_ref: dict[str, LinkTarget] = {}
        #: Reference -> every object defined under it: two projects in one repository may
        #: both have a module ``app`` or ``web.views`` (``near`` picks the referrer's own).
        self.all_by_ref: dict[str, list[LinkTarget]] = defaultdict(list)
        #: Factory function -> the app it builds and returns.
        self.factories: dict[str, AppObj] = {}
        self._resolved: dict[str, str] = {}

    def of(self, fact_type: type[F]) -> list[Site[F]]:
        """The rows of one Flask table, in file and source order."""
        return self.link.sites(fact_type)

    # -- references ------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """Follow a reference through imports, re-exports and aliases to its definition (a
        Flask object's reference is a definition)."""
        cached = self._resolved.get(ref)
        if cached is None:
            cached = self._resolved[ref] = self.link.resolve(ref, self.by_ref)
        return cached

    def source_root(self, path: str) -> str | None:
        """The directory a linked file's module name starts from: ``shop/`` for
        ``shop/web/views.py`` (module ``web.views``); None for a file not linked."""
        ff = self.link.files.get(path)
        if ff is None or not ff.module:
            return None
        parts = path.removesuffix(".py").removesuffix(".pyi").split("/")
        if parts[-1] == "__init__":
            parts.pop()
        depth = len(ff.module.split("."))
        return "/".join(parts[: max(0, len(parts) - depth)])

    def add_object(self, ref: str, obj: LinkTarget) -> None:
        """Record the object a reference defines (the last one wins in ``by_ref``)."""
        self.by_ref[ref] = obj
        self.all_by_ref[ref].append(obj)

    def _nearest(self, ref: str, direct: LinkTarget, near: str | None) -> LinkTarget:
        """Of the objects defined under ``ref``, the one in the same source root as the file
        ``near`` (the referrer); ``direct`` when there is one object or none is nearer."""
        candidates = self.all_by_ref.get(ref, ())
        if near is None or len(candidates) < 2:
            return direct
        root = self.source_root(near)
        local = [c for c in candidates if self.source_root(c.path) == root]
        return local[-1] if local else direct

    def objects_for(
        self,
        ref: str | None,
        type_: str | None = None,
        _depth: int = 0,
        *,
        near: str | None = None,
    ) -> list[LinkTarget]:
        """The Flask objects a reference (with the type its file knew) can name; ``near``: the
        file the reference is made in, to tell apart objects of two projects whose modules
        have the same name."""
        if _depth > 8:
            return []
        if ref is not None and ref in CURRENT_APP:
            return list(self.apps)
        out: list[LinkTarget] = []
        if type_ is not None and type_ not in (APP, BLUEPRINT):
            factory = self.factories.get(self.resolve(type_))
            if factory is not None:
                out.append(factory)
        if ref is None:
            return out
        resolved = self.resolve(ref)
        direct = self.by_ref.get(resolved)
        if direct is not None:
            return [self._nearest(resolved, direct, near)]
        for callee in self.link.assigned_calls(resolved):
            made = self.factories.get(self.resolve(callee))
            if made is not None and made not in out:
                out.append(made)
        param = self.link.parameter(resolved)
        if param is not None:
            passes = [*self.link.arguments(param, self.passes, self.resolve),
                      *self._hook_arguments(param.function, param.name)]  # fmt: skip
            for passed in passes:
                for obj in self.objects_for(passed.ref, passed.ref_type, _depth + 1, near=near):
                    if obj not in out:
                        out.append(obj)
        return out

    def _hook_arguments(self, function: str, name: str) -> list[FlaskAppPassFact]:
        """What plugin hook calls (``pm.hook.<name>(app=app)``) pass to the parameter ``name``
        of ``function``, when it implements that hook (its name is the hook's and a pluggy
        ``HookimplMarker`` marks it: FlaskBB's ``flaskbb_load_blueprints(app)``)."""
        calls = self.passes.get(PLUGIN_HOOK_CALLEE + function.rpartition(".")[2])
        site = self.link.functions.get(function)
        if not calls or site is None:
            return []
        module = function.rpartition(".")[0]  # impl = HookimplMarker("flaskbb") beside it
        marked = any(
            self.resolve(c) in HOOKIMPL_MARKERS
            for d in site.fact.decorators
            for name in (d, f"{module}.{d}")
            for c in self.link.assigned_calls(self.resolve(name))
        )
        return [a for a in calls if a.keyword == name] if marked else []

    def owners_of(
        self, ref: str | None, type_: str | None, *, near: str | None = None
    ) -> list[Owner]:
        """The apps and blueprints a reference can name."""
        return [
            o
            for o in self.objects_for(ref, type_, near=near)
            if isinstance(o, AppObj | BlueprintObj)
        ]

    def apps_of(
        self, ref: str | None, type_: str | None, *, near: str | None = None
    ) -> list[AppObj]:
        """The apps a reference can name (for an extension: the apps it is bound to)."""
        out: list[AppObj] = []
        for obj in self.objects_for(ref, type_, near=near):
            found = [obj] if isinstance(obj, AppObj) else (
                obj.apps if isinstance(obj, ExtensionObj) else []
            )  # fmt: skip
            out.extend(a for a in found if a not in out)
        return out

    def extension_of(
        self, ref: str | None, kind: str | None = None, *, near: str | None = None
    ) -> ExtensionObj | None:
        """The first extension (of this kind) a reference can name."""
        for obj in self.objects_for(ref, near=near):
            if isinstance(obj, ExtensionObj) and (kind is None or obj.kind == kind):
                return obj
        return None

    def view_class(self, qualname: str) -> Site[FlaskViewClassFact] | None:
        """The view class (``View`` / ``MethodView`` subclass) a reference names."""
        if not self.view_classes:
            for site in self.of(FlaskViewClassFact):
                self.view_classes[site.fact.qualname] = site
        return self.view_classes.get(self.resolve(qualname)) or self.view_classes.get(qualname)

    # -- lookups ---------------------------------------------------------------------------

    def route_at(self, path: str, line: int, column: int) -> Route | None:
        """The route whose decorator or add_url_rule call covers this position, or whose view
        function is defined on this line (the line of its ``def``)."""
        for route in self.routes:
            fact = route.fact
            if route.path == path and _covers(fact, line, column):
                return route
        for route in self.routes:
            fn = self.link.functions.get(route.fact.view or "")
            if fn is not None and fn.path == path and fn.fact.line == line:
                return route
        return None

    def routes_of_view(self, qualname: str) -> list[Route]:
        return [r for r in self.routes if r.fact.view == qualname or qualname in r.handlers]

    def hook_at(
        self, path: str, line: int, column: int
    ) -> tuple[Site[FlaskHookFact], Owner] | None:
        """The hook whose decorator or registering call covers this position, or whose function
        is defined on this line."""
        owners: list[Owner] = [*self.apps, *self.blueprints]
        for owner in owners:
            for hook in owner.hooks:
                if hook.path == path and _covers(hook.fact, line, column):
                    return hook, owner
        for owner in owners:
            for hook in owner.hooks:
                fn = self.link.functions.get(hook.fact.target or "")
                if fn is not None and fn.path == path and fn.fact.line == line:
                    return hook, owner
        return None

    def extension_at(
        self, path: str, line: int, column: int
    ) -> tuple[ExtensionObj, Site[FlaskExtensionFact]] | None:
        """The extension constructed, bound (init_app), set up or given a callback on this
        line."""
        del column  # a line holds one extension statement
        for ext in self.extensions:
            for site in (Site(ext.path, ext.fact), *ext.uses):
                # the whole statement's lines: `limiter = Limiter(...)` from the name on
                if site.path == path and site.fact.line <= line <= site.fact.end_line:
                    return ext, site
        return None

    def blueprints_of(self, app: AppObj) -> list[BlueprintObj]:
        """Every blueprint registered in an app, nested ones included."""
        out: list[BlueprintObj] = []
        todo: list[Owner] = [app]
        while todo:
            owner = todo.pop()
            for reg in owner.children:
                if reg.blueprint not in out:
                    out.append(reg.blueprint)
                    todo.append(reg.blueprint)
        return out
