"""Flask, linked across files at query time.

Extraction sees one file; a Flask application spans many. This module reads the ``python_flask_*``
facts of a workspace (from a ``Store``, or from ``FileFacts`` in tests) and links them:

1. **Index.** Module-level imports (``(module, name) -> target``), star imports, assignments,
   parameters, functions, classes, calls and auth checks, by qualified name.
2. **Resolve references** (see ``auditls.facts.flask``). ``resolve`` follows a reference through
   imports and re-exports (``from .views import bp`` in a package ``__init__``) and aliases
   (``bp = views.bp``) to the module that defines the object. ``objects_for`` then finds what it
   names: an app (``Flask(...)``), a blueprint, an extension, an app made by a factory
   (``app = create_app()``, a factory being a function that builds and returns an app), or, for a
   parameter of a helper (``def register_blueprints(app)``), whatever every caller passes there
   (``FlaskAppPassFact``). ``flask.current_app`` stands for every app.
3. **Attach** every route, registration, hook, handler, filter, command, configuration row,
   extension use, CORS policy, limit and cache decorator to the objects its owner names. Rows
   whose owner names no Flask object are dropped (they were candidates, see the facts module).
4. **Mount.** From each app, walk its blueprint registrations (nested blueprints too): a route gets
   one ``Mount`` per path from an app to it, with its full URL (prefixes joined as Flask joins
   them: the registration's ``url_prefix`` overrides the blueprint's own) and its endpoint.
5. **Judge** on demand: the auth that applies to a route (decorators below the route decorator,
   checks in the view's body or in the helpers it calls, ``before_request`` hooks of its app and
   blueprints that check identity), its rate limits, CORS, caching, CSRF status and error
   handlers. The rules (``auditls.rules.flask``) and the hover
   (``auditls.server.flask.hover``) read these answers; neither looks at facts directly.

Nothing here reads source or imports the analysed code. ``FlaskModel.from_store`` loads the
facts of the files that have Flask rows, plus the module-level imports of every file.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from auditls.facts import Fact, FileFacts
from auditls.facts.core import (
    AssignmentFact,
    CallFact,
    ClassFact,
    FunctionFact,
    ImportFact,
    ParamFact,
    ReturnFact,
)
from auditls.facts.flask import (
    FLASK_FACT_TYPES,
    FlaskAppFact,
    FlaskAppPassFact,
    FlaskAuthCheckFact,
    FlaskBlueprintFact,
    FlaskBlueprintRegistrationFact,
    FlaskCacheFact,
    FlaskCliCommandFact,
    FlaskConfigFact,
    FlaskCorsFact,
    FlaskErrorHandlerFact,
    FlaskExtensionFact,
    FlaskHookFact,
    FlaskRateLimitFact,
    FlaskRequestReadFact,
    FlaskRouteFact,
    FlaskTemplateFilterFact,
    FlaskViewClassFact,
    FlaskWebsocketFact,
)

if TYPE_CHECKING:
    from auditls.store import Store

F = TypeVar("F", bound=Fact)

APP = "flask.Flask"
BLUEPRINT = "flask.Blueprint"
CURRENT_APP = frozenset({"flask.current_app", "flask.globals.current_app"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Decorators that require an authenticated caller (resolved names), beyond those the security
#: extractors record in ``python_auth_patterns``.
AUTH_DECORATORS = frozenset(
    {"flask_login.login_required", "flask_login.utils.login_required",
     "flask_login.fresh_login_required", "flask_login.utils.fresh_login_required",
     "flask_jwt_extended.jwt_required", "flask_jwt_extended.view_decorators.jwt_required",
     "flask_jwt_extended.fresh_jwt_required", "flask_security.login_required",
     "flask_security.auth_required", "flask_security.roles_required",
     "flask_security.roles_accepted", "flask_security.permissions_required",
     "flask_security.permissions_accepted", "flask_security.auth_token_required",
     "flask_security.http_auth_required", "flask_principal.Permission.require"}
)  # fmt: skip
#: Methods of a Flask-HTTPAuth object that require authentication when used as decorators.
HTTPAUTH_DECORATORS = frozenset({"login_required"})
#: Calls that make a view an authentication endpoint (it signs users in or issues tokens).
SIGN_IN_CALLS = frozenset(
    {"flask_login.login_user", "flask_login.utils.login_user",
     "flask_jwt_extended.create_access_token", "flask_jwt_extended.create_refresh_token",
     "werkzeug.security.check_password_hash", "flask_bcrypt.check_password_hash"}
)  # fmt: skip
#: Method names (on objects the model cannot type) that check a password.
PASSWORD_CHECK_METHODS = frozenset({"check_password", "check_password_hash", "verify_password"})
#: Words in a URL rule or view name that mark a public authentication endpoint.
PUBLIC_AUTH_WORDS = re.compile(
    r"(?:^|[^a-z])(login|log_in|signin|sign_in|sign-in|signup|sign_up|sign-up|register|"
    r"logout|reset|forgot|password|token|oauth|callback|confirm|verify|activate)(?:$|[^a-z])"
)
#: Words that mark a login or password-reset endpoint (the brute-force targets, CWE-307).
CREDENTIAL_WORDS = re.compile(
    r"(?:^|[^a-z])(login|log_in|signin|sign_in|sign-in|reset|forgot|password|token|otp|2fa|mfa)"
    r"(?:$|[^a-z])"
)
#: Auth checks that reject a Socket.IO connection.
REJECTING_CHECKS = frozenset({"disconnect", "raise", "abort"})


# -- the linked objects -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site(Generic[F]):
    """A fact and the file it comes from."""

    path: str
    fact: F


@dataclass(eq=False, slots=True)
class ExtensionObj:
    """An extension object: its construction and everything done to it."""

    path: str
    fact: FlaskExtensionFact  # the constructor row
    apps: list[AppObj] = field(default_factory=list)
    uses: list[Site[FlaskExtensionFact]] = field(default_factory=list)  # init_app/setting/callback

    @property
    def kind(self) -> str:
        return self.fact.kind or "extension"

    @property
    def constructor_site(self) -> Site[FlaskExtensionFact]:
        return Site(self.path, self.fact)

    @property
    def label(self) -> str:
        return (self.fact.ref or self.fact.ext_class or "extension").rpartition(".")[2]


@dataclass(eq=False, slots=True)
class BlueprintObj:
    """A blueprint: its construction and what is registered on it."""

    path: str
    fact: FlaskBlueprintFact
    routes: list[Route] = field(default_factory=list)
    children: list[Registration] = field(default_factory=list)
    hooks: list[Site[FlaskHookFact]] = field(default_factory=list)
    error_handlers: list[Site[FlaskErrorHandlerFact]] = field(default_factory=list)
    template_filters: list[Site[FlaskTemplateFilterFact]] = field(default_factory=list)
    commands: list[Site[FlaskCliCommandFact]] = field(default_factory=list)
    limits: list[Site[FlaskRateLimitFact]] = field(default_factory=list)  # limit / exempt on it
    csrf_exempt: list[Site[Fact]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.fact.name or self.fact.name_text

    @property
    def label(self) -> str:
        return f"blueprint `{self.name}`"


@dataclass(eq=False, slots=True)
class AppObj:
    """A Flask application object (one ``Flask(...)`` call)."""

    path: str
    fact: FlaskAppFact
    routes: list[Route] = field(default_factory=list)
    children: list[Registration] = field(default_factory=list)
    hooks: list[Site[FlaskHookFact]] = field(default_factory=list)
    error_handlers: list[Site[FlaskErrorHandlerFact]] = field(default_factory=list)
    template_filters: list[Site[FlaskTemplateFilterFact]] = field(default_factory=list)
    commands: list[Site[FlaskCliCommandFact]] = field(default_factory=list)
    configs: list[Site[FlaskConfigFact]] = field(default_factory=list)  # set on this app
    extensions: list[ExtensionObj] = field(default_factory=list)
    cors: list[Site[FlaskCorsFact]] = field(default_factory=list)  # app-level policies
    limits: list[Site[FlaskRateLimitFact]] = field(default_factory=list)  # default limits

    @property
    def label(self) -> str:
        if self.fact.factory:
            return f"{self.fact.factory}()"
        return self.fact.ref or f"Flask app at {self.path}:{self.fact.line}"


Owner = AppObj | BlueprintObj
LinkTarget = AppObj | BlueprintObj | ExtensionObj


@dataclass(eq=False, slots=True)
class Registration:
    """A blueprint registered on an app or another blueprint."""

    path: str
    fact: FlaskBlueprintRegistrationFact
    parent: Owner
    blueprint: BlueprintObj

    @property
    def prefix(self) -> str | None:
        """The URL prefix this registration gives (its own, else the blueprint's)."""
        if self.fact.url_prefix_text is not None:
            return self.fact.url_prefix if self.fact.url_prefix is not None else (
                "{" + self.fact.url_prefix_text + "}"
            )  # fmt: skip
        return self.blueprint.fact.url_prefix

    @property
    def name(self) -> str:
        return self.fact.name or self.blueprint.name


@dataclass(frozen=True, slots=True)
class Mount:
    """One place a route is served: the app, its full URL and its endpoint."""

    app: AppObj
    url: str
    endpoint: str
    chain: tuple[Registration, ...]  # blueprint registrations from the app down, outermost first

    @property
    def blueprints(self) -> tuple[BlueprintObj, ...]:
        return tuple(r.blueprint for r in self.chain)


@dataclass(eq=False, slots=True)
class Route:
    """A URL rule with what the model knows about it."""

    path: str
    fact: FlaskRouteFact
    owner: Owner
    methods: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()  # the functions that answer it (view, or view class methods)
    mounts: list[Mount] = field(default_factory=list)

    @property
    def rule(self) -> str:
        return self.fact.rule if self.fact.rule is not None else "{" + self.fact.rule_text + "}"

    @property
    def view_name(self) -> str:
        view = self.fact.view or "?"
        return view.rpartition(".")[2]

    @property
    def state_changing(self) -> bool:
        return bool(STATE_CHANGING & set(self.methods))


@dataclass(eq=False, slots=True)
class SocketHandler:
    """A Flask-SocketIO event handler (decorated, on_event, or a namespace class method)."""

    path: str
    fact: FlaskWebsocketFact
    handler: str
    event: str | None
    namespace: str  # "/" by default
    socketio: ExtensionObj | None


@dataclass(frozen=True, slots=True)
class ConfigEntry:
    """A configuration row as it applies to an app."""

    site: Site[FlaskConfigFact]
    how: str  # direct | loaded | possible
    loaded_by: str | None  # the config class or module it comes through, if any


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a route is (or looks) protected, or a note about its protection."""

    kind: str  # decorator | body | hook | helper | class_decorator | connect | misplaced
    what: str  # the decorator, check or hook as written or resolved
    path: str  # where it is
    line: int  # 1-based line
    detail: str = ""  # e.g. "applied above the route decorator"


@dataclass(slots=True)
class AuthView:
    """The auth that applies to a route (or a Socket.IO handler)."""

    evidence: list[Evidence] = field(default_factory=list)
    misplaced: list[Evidence] = field(default_factory=list)  # decorators that do not wrap the view
    unguarded_mounts: list[Mount] = field(default_factory=list)  # mounts without any guard

    @property
    def protected(self) -> bool:
        return bool(self.evidence) and not self.unguarded_mounts


def _split_ref(ref: str) -> tuple[str, str]:
    """``(scope, name)`` of a reference: ``m.f.<locals>.x`` gives ``(m.f, x)``."""
    if ".<locals>." in ref:
        scope, _, name = ref.rpartition(".<locals>.")
        return scope, name
    scope, _, name = ref.rpartition(".")
    return scope, name


def _mechanism(evidence: Evidence) -> str:
    """How a piece of evidence protects, in a few words (for messages)."""
    if evidence.kind in ("decorator", "class_decorator"):
        return evidence.what
    if evidence.kind == "hook":
        return "a before_request guard"
    if evidence.kind == "connect":
        return "a connect handler that rejects"
    return "a check in the view"


def _covers(fact: Fact, line: int, column: int) -> bool:
    return (fact.line, fact.col) <= (line, column) < (fact.end_line, fact.end_col)


def join_url(prefix: str | None, rule: str) -> str:
    """Flask's join of a blueprint prefix and a rule (``Blueprint.add_url_rule``)."""
    if not prefix:
        return rule
    if rule:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
    return prefix


def _fits_resource(pattern: str, url: str) -> bool:
    """Whether a flask-cors resource pattern (a regex, matched from the start) covers ``url``."""
    try:
        return re.match(pattern, url) is not None
    except re.error:
        return True


# -- the model --------------------------------------------------------------------------------


class FlaskModel:
    """Every Flask object of a workspace, linked. Build with ``from_store`` or ``from_files``."""

    def __init__(
        self, files: Iterable[FileFacts], imports: Iterable[tuple[str, ImportFact]] = ()
    ) -> None:
        self.files: dict[str, FileFacts] = {}
        self.modules: dict[str, str] = {}  # module -> path
        self.imports: dict[tuple[str, str], str] = {}
        self.stars: dict[str, list[str]] = defaultdict(list)
        self.assignments: dict[tuple[str, str], list[AssignmentFact]] = defaultdict(list)
        self.params: dict[tuple[str, str], ParamFact] = {}
        self.functions: dict[str, Site[FunctionFact]] = {}
        self.classes: dict[str, Site[ClassFact]] = {}
        self.calls: dict[str, list[CallFact]] = defaultdict(list)
        self.returns: dict[str, list[ReturnFact]] = defaultdict(list)
        self.checks: dict[str, list[Site[FlaskAuthCheckFact]]] = defaultdict(list)
        self.reads: dict[str, list[Site[FlaskRequestReadFact]]] = defaultdict(list)
        self.auth_patterns: dict[str, list[Site[Fact]]] = defaultdict(list)
        self.csrf_facts: list[Site[Fact]] = []
        self.passes: dict[str, list[FlaskAppPassFact]] = defaultdict(list)
        self.rows: dict[type[Fact], list[Site[Fact]]] = defaultdict(list)

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

        self._by_ref: dict[str, LinkTarget] = {}
        self._factories: dict[str, AppObj] = {}
        self._resolved: dict[str, str] = {}
        self._custom_auth: dict[str, str | None] = {}

        for module, fact in imports:
            self._add_import(module, fact)
        for ff in files:
            self._index_file(ff)
        self._build()

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> FlaskModel:
        """A model of these files (tests, the fixture runner, one-off analyses)."""
        return cls(files)

    @classmethod
    def from_store(cls, store: Store) -> FlaskModel:
        """A model of the workspace in ``store``: the facts of every file with Flask rows, and
        the module-level imports of every file (re-exports often live in files that never
        mention flask)."""
        by_name = store.schema.by_name
        file_ids: set[int] = set()
        for fact_type in FLASK_FACT_TYPES:
            if fact_type.TABLE in by_name:
                sql = f'SELECT DISTINCT file_id FROM "{fact_type.TABLE}"'  # noqa: S608 (our name)
                file_ids.update(r[0] for r in store.conn.execute(sql))
        rows = store.conn.execute("SELECT id, path FROM files ORDER BY path").fetchall()
        files = [
            ff for file_id, path in rows if file_id in file_ids
            if (ff := store.file_facts(path)) is not None
        ]  # fmt: skip
        imports: list[tuple[str, ImportFact]] = []
        table = by_name.get(ImportFact.TABLE)
        if table is not None:
            names = ", ".join(f'i."{c.name}"' for c in table.columns)
            sql = (
                f"SELECT f.module, {names} FROM python_imports i "  # noqa: S608 (our names)
                "JOIN files f ON f.id = i.file_id WHERE i.function = f.module"
            )
            for row in store.conn.execute(sql):
                fact = table.decode(row[1:])
                assert isinstance(fact, ImportFact)
                imports.append((row[0], fact))
        return cls(files, imports)

    def _add_import(self, module: str, fact: ImportFact) -> None:
        if fact.function != module:
            return
        if fact.is_star:
            if fact.target not in self.stars[module]:
                self.stars[module].append(fact.target)
        else:
            self.imports[(module, fact.bound)] = fact.target

    def _index_file(self, ff: FileFacts) -> None:
        path = ff.path
        self.files[path] = ff
        self.modules[ff.module] = path
        for fact in ff.facts:
            cls = type(fact)
            if cls is ImportFact:
                assert isinstance(fact, ImportFact)
                self._add_import(ff.module, fact)
            elif cls is AssignmentFact:
                assert isinstance(fact, AssignmentFact)
                if fact.target_name is not None and fact.qualname is not None:
                    self.assignments[(fact.function, fact.target_name)].append(fact)
            elif cls is ParamFact:
                assert isinstance(fact, ParamFact)
                self.params[(fact.function, fact.name)] = fact
            elif cls is FunctionFact:
                assert isinstance(fact, FunctionFact)
                self.functions[fact.qualname] = Site(path, fact)
            elif cls is ClassFact:
                assert isinstance(fact, ClassFact)
                self.classes[fact.qualname] = Site(path, fact)
            elif cls is CallFact:
                assert isinstance(fact, CallFact)
                self.calls[fact.function].append(fact)
            elif cls is ReturnFact:
                assert isinstance(fact, ReturnFact)
                self.returns[fact.function].append(fact)
            elif fact.TABLE == "python_auth_patterns":
                target = getattr(fact, "target", None)
                if isinstance(target, str):
                    self.auth_patterns[target].append(Site(path, fact))
            elif fact.TABLE == "python_csrf_protections":
                self.csrf_facts.append(Site(path, fact))
            elif fact.TABLE.startswith("python_flask_"):
                self.rows[cls].append(Site(path, fact))
                if cls is FlaskAuthCheckFact:
                    assert isinstance(fact, FlaskAuthCheckFact)
                    self.checks[fact.function].append(Site(path, fact))
                elif cls is FlaskRequestReadFact:
                    assert isinstance(fact, FlaskRequestReadFact)
                    self.reads[fact.function].append(Site(path, fact))
                elif cls is FlaskAppPassFact:
                    assert isinstance(fact, FlaskAppPassFact)
                    self.passes[fact.callee].append(fact)

    def of(self, fact_type: type[F]) -> list[Site[F]]:
        """The rows of one Flask table, in file and source order."""
        return self.rows.get(fact_type, [])  # type: ignore[return-value]

    # -- references ------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """Follow a reference through imports, re-exports and aliases to its definition."""
        cached = self._resolved.get(ref)
        if cached is not None:
            return cached
        current = ref
        seen: set[str] = set()
        while current not in seen and current not in self._by_ref:
            seen.add(current)
            scope, name = _split_ref(current)
            target = self.imports.get((scope, name))
            if target is not None:
                current = target
                continue
            aliases = [a for a in self.assignments.get((scope, name), ()) if a.kind != "call"]
            if aliases and aliases[-1].qualname is not None:
                current = aliases[-1].qualname
                continue
            star = next(
                (f"{m}.{name}" for m in self.stars.get(scope, ()) if f"{m}.{name}" != current),
                None,
            )
            if star is not None and self._defines(star):
                current = star
                continue
            break
        self._resolved[ref] = current
        return current

    def _defines(self, ref: str) -> bool:
        scope, name = _split_ref(ref)
        return (
            ref in self._by_ref
            or (scope, name) in self.imports
            or (scope, name) in self.assignments
            or ref in self.functions
            or ref in self.classes
        )

    def objects_for(
        self, ref: str | None, type_: str | None = None, _depth: int = 0
    ) -> list[LinkTarget]:
        """The Flask objects a reference (with the type its file knew) can name."""
        if _depth > 8:
            return []
        if ref is not None and ref in CURRENT_APP:
            return list(self.apps)
        out: list[LinkTarget] = []
        if type_ is not None and type_ not in (APP, BLUEPRINT):
            factory = self._factories.get(self.resolve(type_))
            if factory is not None:
                out.append(factory)
        if ref is None:
            return out
        resolved = self.resolve(ref)
        direct = self._by_ref.get(resolved)
        if direct is not None:
            return [direct]
        scope, name = _split_ref(resolved)
        for assignment in self.assignments.get((scope, name), ()):
            if assignment.kind == "call" and assignment.qualname is not None:
                made = self._factories.get(self.resolve(assignment.qualname))
                if made is not None and made not in out:
                    out.append(made)
        param = self.params.get((scope, name))
        if param is not None:
            for passed in self._passes_to(scope):
                if passed.position == param.position or passed.keyword == name:
                    for obj in self.objects_for(passed.ref, passed.ref_type, _depth + 1):
                        if obj not in out:
                            out.append(obj)
        return out

    def _passes_to(self, function: str) -> Iterator[FlaskAppPassFact]:
        for callee, passes in self.passes.items():
            if callee == function or self.resolve(callee) == function:
                yield from passes

    def _owners(self, ref: str | None, type_: str | None) -> list[Owner]:
        return [o for o in self.objects_for(ref, type_) if isinstance(o, AppObj | BlueprintObj)]

    def _apps_of(self, ref: str | None, type_: str | None) -> list[AppObj]:
        out: list[AppObj] = []
        for obj in self.objects_for(ref, type_):
            found = [obj] if isinstance(obj, AppObj) else (
                obj.apps if isinstance(obj, ExtensionObj) else []
            )  # fmt: skip
            out.extend(a for a in found if a not in out)
        return out

    def _extension(self, ref: str | None, kind: str | None = None) -> ExtensionObj | None:
        for obj in self.objects_for(ref):
            if isinstance(obj, ExtensionObj) and (kind is None or obj.kind == kind):
                return obj
        return None

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        for site in self.of(FlaskAppFact):
            app = AppObj(site.path, site.fact)
            self.apps.append(app)
            if site.fact.ref:
                self._by_ref[site.fact.ref] = app
            if site.fact.factory:
                self._factories[site.fact.factory] = app
        for bp_site in self.of(FlaskBlueprintFact):
            bp = BlueprintObj(bp_site.path, bp_site.fact)
            self.blueprints.append(bp)
            if bp_site.fact.ref:
                self._by_ref[bp_site.fact.ref] = bp
        for ext_site in self.of(FlaskExtensionFact):
            if ext_site.fact.form == "constructor":
                ext = ExtensionObj(ext_site.path, ext_site.fact)
                self.extensions.append(ext)
                if ext_site.fact.ref:
                    self._by_ref[ext_site.fact.ref] = ext
        self._resolved.clear()
        self._link_extensions()
        self._link_registrations()
        self._link_routes()
        self._link_owned_rows()
        self._link_configs()
        self._link_decorations()
        self._link_sockets()
        for app in self.apps:
            self._mount(app, app, "", "", ())

    def _link_extensions(self) -> None:
        for site in self.of(FlaskExtensionFact):
            fact = site.fact
            if fact.form == "constructor":
                ext = self._by_ref.get(fact.ref) if fact.ref else None
                if not isinstance(ext, ExtensionObj):
                    ext = next(e for e in self.extensions if e.fact is fact)
            else:
                found = self._extension(fact.ref)
                if found is None:
                    continue
                ext = found
                ext.uses.append(site)
            if fact.app is not None:
                for app in self._apps_of(fact.app, fact.app_type):
                    if app not in ext.apps:
                        ext.apps.append(app)
                    if ext not in app.extensions:
                        app.extensions.append(ext)

    def _link_registrations(self) -> None:
        for site in self.of(FlaskBlueprintRegistrationFact):
            fact = site.fact
            children: list[BlueprintObj] = []
            if fact.blueprint is not None:
                children = [
                    o for o in self.objects_for(fact.blueprint) if isinstance(o, BlueprintObj)
                ]
            else:  # register_blueprint(Blueprint(...)): the blueprint built inside the call
                children = [
                    b for b in self.blueprints
                    if b.path == site.path and b.fact.ref is None
                    and (fact.line, fact.col) <= (b.fact.line, b.fact.col)
                    and (b.fact.end_line, b.fact.end_col) <= (fact.end_line, fact.end_col)
                ]  # fmt: skip
            for parent in self._owners(fact.owner, fact.owner_type):
                for child in children:
                    if child is not parent:
                        parent.children.append(Registration(site.path, fact, parent, child))

    def _link_routes(self) -> None:
        for site in self.of(FlaskRouteFact):
            fact = site.fact
            targets = self.objects_for(fact.owner, fact.owner_type)
            if any(isinstance(t, ExtensionObj) and t.kind == "sock" for t in targets):
                self.sock_routes.append(site)
                continue
            for owner in targets:
                if not isinstance(owner, AppObj | BlueprintObj):
                    continue
                methods, handlers = self._route_methods(fact)
                route = Route(site.path, fact, owner, methods, handlers)
                owner.routes.append(route)
                self.routes.append(route)

    def _route_methods(self, fact: FlaskRouteFact) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The HTTP methods of a route and the functions that handle them."""
        if fact.view_kind != "class" or fact.view is None:
            return fact.methods, (fact.view,) if fact.view else ()
        view_class = self.view_classes.get(fact.view) or self._view_class(fact.view)
        if view_class is None:
            return fact.methods, ()
        cls = view_class.fact
        if fact.methods:
            methods = fact.methods
        elif cls.methods:
            methods = cls.methods
        elif cls.handlers:
            methods = cls.handlers
        else:
            methods = ("GET",)
        if cls.base == "flask.views.MethodView":
            handlers = tuple(f"{cls.qualname}.{m.lower()}" for m in cls.handlers if m in methods)
        else:
            handlers = (f"{cls.qualname}.dispatch_request",)
        return methods, handlers

    def _view_class(self, qualname: str) -> Site[FlaskViewClassFact] | None:
        if not self.view_classes:
            for site in self.of(FlaskViewClassFact):
                self.view_classes[site.fact.qualname] = site
        return self.view_classes.get(self.resolve(qualname)) or self.view_classes.get(qualname)

    def _link_owned_rows(self) -> None:
        for hook in self.of(FlaskHookFact):
            for owner in self._owners(hook.fact.owner, hook.fact.owner_type):
                owner.hooks.append(hook)
        for handler in self.of(FlaskErrorHandlerFact):
            for owner in self._owners(handler.fact.owner, handler.fact.owner_type):
                owner.error_handlers.append(handler)
        for filt in self.of(FlaskTemplateFilterFact):
            for owner in self._owners(filt.fact.owner, filt.fact.owner_type):
                owner.template_filters.append(filt)
        for command in self.of(FlaskCliCommandFact):
            for owner in self._owners(command.fact.owner, command.fact.owner_type):
                owner.commands.append(command)

    def _link_configs(self) -> None:
        for site in self.of(FlaskConfigFact):
            fact = site.fact
            if fact.via == "class" and fact.owner:
                self.config_classes[fact.owner].append(site)
                continue
            if fact.via == "module" and fact.owner:
                self.config_modules[fact.owner].append(site)
                continue
            for app in self._apps_of(fact.owner, fact.owner_type):
                app.configs.append(site)

    def _link_decorations(self) -> None:
        """Limits, exemptions, caches and CORS policies, by the view or blueprint they target."""
        for site in self.of(FlaskRateLimitFact):
            fact = site.fact
            if fact.kind == "exempt" and fact.limiter_type is None:
                csrf = self._extension(fact.limiter, "csrf")
                if csrf is not None:  # `@csrf.exempt` on an imported CSRFProtect
                    self._csrf_exempt(site, fact.target, fact.target_kind)
                    continue
            if fact.limiter_type is None and self._extension(fact.limiter, "limiter") is None:
                continue
            if fact.kind in ("default", "application"):
                for app in self._apps_of(fact.target, APP) if fact.target else []:
                    app.limits.append(site)
                if fact.target is None and fact.limiter is not None:
                    limiter = self._extension(fact.limiter, "limiter")
                    for app in limiter.apps if limiter else []:
                        app.limits.append(site)
                continue
            if fact.kind == "shared_limit" and fact.target_kind == "variable" and fact.target:
                self.shared_limits[fact.target] = site
                continue
            if fact.target is None:
                continue
            if fact.target_kind == "function":
                self.limit_rows[fact.target].append(site)
            else:
                for obj in self.objects_for(fact.target, BLUEPRINT):
                    if isinstance(obj, BlueprintObj):
                        obj.limits.append(site)
        for cache_site in self.of(FlaskCacheFact):
            fact_c = cache_site.fact
            if fact_c.target and (
                fact_c.cache_type is not None or self._extension(fact_c.cache, "cache")
            ):
                self.cache_rows[fact_c.target].append(cache_site)
        for cors_site in self.of(FlaskCorsFact):
            fact_x = cors_site.fact
            if fact_x.form == "decorator" and fact_x.target:
                self.cors_views[fact_x.target].append(cors_site)
            elif fact_x.form != "socketio":
                for app in self._apps_of(fact_x.target, fact_x.target_type):
                    app.cors.append(cors_site)
        for csrf_site in self.csrf_facts:
            if getattr(csrf_site.fact, "action", None) == "exempt":
                self._csrf_exempt(csrf_site, getattr(csrf_site.fact, "target", None), None)

    def _csrf_exempt(self, site: Site[Any], target: str | None, kind: str | None) -> None:
        if target is None:
            return
        if kind == "function" or target in self.functions or self.resolve(target) in self.functions:
            self.csrf_exempt_views[self.resolve(target)].append(site)
            return
        for obj in self.objects_for(target, BLUEPRINT):
            if isinstance(obj, BlueprintObj):
                obj.csrf_exempt.append(site)

    def _link_sockets(self) -> None:
        class_namespaces: dict[str, list[tuple[str, ExtensionObj | None]]] = defaultdict(list)
        for site in self.of(FlaskWebsocketFact):
            fact = site.fact
            if fact.library == "flask_sock":
                self.sock_routes.append(site)
            elif fact.form == "on_namespace" and fact.handler:
                socketio = self._extension(fact.owner, "socketio")
                class_namespaces[self.resolve(fact.handler)].append(
                    (fact.namespace or "/", socketio)
                )
        for site in self.of(FlaskWebsocketFact):
            fact = site.fact
            if fact.library != "flask_socketio" or fact.handler is None:
                continue
            if fact.form == "namespace_method":
                if fact.owner is None:
                    continue
                for namespace, socketio in class_namespaces.get(fact.owner, []):
                    self.socket_handlers.append(
                        SocketHandler(
                            site.path, fact, fact.handler, fact.event, namespace, socketio
                        )
                    )
            elif fact.form in ("on", "event", "on_event"):
                if fact.owner_type is None and self._extension(fact.owner, "socketio") is None:
                    continue
                socketio = self._extension(fact.owner, "socketio")
                self.socket_handlers.append(
                    SocketHandler(
                        site.path, fact, fact.handler, fact.event, fact.namespace or "/", socketio
                    )
                )

    def _mount(
        self,
        app: AppObj,
        owner: Owner,
        prefix: str,
        name: str,
        chain: tuple[Registration, ...],
    ) -> None:
        for route in owner.routes:
            endpoint = route.fact.endpoint or route.view_name
            route.mounts.append(
                Mount(
                    app=app,
                    url=join_url(prefix, route.rule) if prefix else route.rule,
                    endpoint=f"{name}.{endpoint}" if name else endpoint,
                    chain=chain,
                )
            )
        for reg in owner.children:
            if any(r.blueprint is reg.blueprint for r in chain) or len(chain) > 8:
                continue  # a blueprint registered inside itself
            child_prefix = reg.prefix
            if prefix and child_prefix:
                full = join_url(prefix, child_prefix)
            else:
                full = child_prefix or prefix
            child_name = f"{name}.{reg.name}" if name else reg.name
            self._mount(app, reg.blueprint, full, child_name, (*chain, reg))

    # -- lookups ---------------------------------------------------------------------------

    def route_at(self, path: str, line: int, column: int) -> Route | None:
        """The route whose decorator or add_url_rule call covers this position, or whose view
        function is defined on this line (the line of its ``def``)."""
        for route in self.routes:
            fact = route.fact
            if route.path == path and _covers(fact, line, column):
                return route
        for route in self.routes:
            fn = self.functions.get(route.fact.view or "")
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
                fn = self.functions.get(hook.fact.target or "")
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

    # -- judgements: auth ------------------------------------------------------------------

    def auth_decorator(self, name: str) -> str | None:
        """What an (effective) decorator requires, or None when it is not an auth decorator."""
        if name in AUTH_DECORATORS:
            return name.rpartition(".")[2]
        prefix, _, attr = name.rpartition(".")
        if attr in HTTPAUTH_DECORATORS and prefix:
            if prefix.startswith("flask_httpauth."):
                return "http auth"
            ext = self._extension(prefix, "httpauth")
            if ext is not None:
                return f"{ext.label}.{attr}"
        return self._custom_auth_decorator(self.resolve(name))

    def _custom_auth_decorator(self, qualname: str, depth: int = 0) -> str | None:
        """A decorator defined in the workspace whose wrapper checks identity, or applies an
        auth decorator itself."""
        if qualname in self._custom_auth:
            return self._custom_auth[qualname]
        self._custom_auth[qualname] = None  # cycles
        found: str | None = None
        if qualname in self.functions and depth < 4:
            inner_prefix = qualname + ".<locals>."
            for fname, site in self.functions.items():
                if fname != qualname and not fname.startswith(inner_prefix):
                    continue
                if self.checks.get(fname):
                    found = qualname.rpartition(".")[2]
                    break
                for d in site.fact.decorators:
                    if d in AUTH_DECORATORS or (
                        d != qualname and self._custom_auth_decorator(self.resolve(d), depth + 1)
                    ):
                        found = qualname.rpartition(".")[2]
                        break
                if found:
                    break
        self._custom_auth[qualname] = found
        return found

    def body_checks(self, function: str, depth: int = 0) -> list[Evidence]:
        """The identity checks a function makes, itself or in the workspace helpers it calls."""
        out = [
            Evidence("body", site.fact.text, site.path, site.fact.line, site.fact.kind)
            for site in self.checks.get(function, ())
        ]
        if depth >= 2:
            return out
        for call in self.calls.get(function, ()):
            if call.callee is None:
                continue
            callee = self.resolve(call.callee)
            if callee == function or callee not in self.functions:
                continue
            inner = self.body_checks(callee, depth + 1)
            if inner:
                path = self.functions[function].path if function in self.functions else ""
                out.append(Evidence("helper", f"{call.callee_text}()", path, call.line,
                                    inner[0].what))  # fmt: skip
        return out

    def function_guard(self, function: str | None) -> list[Evidence]:
        """Auth a function (a hook, a handler) applies: its decorators, then its body."""
        if function is None:
            return []
        out: list[Evidence] = []
        site = self.functions.get(function)
        if site is not None:
            for d in site.fact.decorators:
                what = self.auth_decorator(d)
                if what:
                    out.append(Evidence("decorator", f"@{what}", site.path, site.fact.line))
        for pattern in self.auth_patterns.get(function, ()):
            name = str(getattr(pattern.fact, "pattern", ""))
            if not any(e.what == f"@{name.rpartition('.')[2]}" for e in out):
                out.append(Evidence("decorator", f"@{name.rpartition('.')[2]}", pattern.path,
                                    pattern.fact.line))  # fmt: skip
        return out + self.body_checks(function)

    def guards_for(self, mount: Mount) -> list[tuple[Site[FlaskHookFact], list[Evidence]]]:
        """The before_request hooks that run for a route served at ``mount`` and check who is
        calling, with what they check."""
        out = []
        for hook in self.before_request_hooks(mount):
            evidence = self.function_guard(hook.fact.target)
            if evidence:
                out.append((hook, evidence))
        return out

    def before_request_hooks(self, mount: Mount) -> list[Site[FlaskHookFact]]:
        """Every before_request hook that runs for a route served at ``mount``."""
        hooks = [h for h in mount.app.hooks if h.fact.hook == "before_request"]
        for bp in self.blueprints_of(mount.app):
            hooks += [h for h in bp.hooks if h.fact.hook == "before_request" and h.fact.app_wide]
        for bp in mount.blueprints:
            hooks += [
                h for h in bp.hooks if h.fact.hook == "before_request" and not h.fact.app_wide
            ]
        return hooks

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

    def route_auth(self, route: Route) -> AuthView:
        """The auth that applies to a route: decorators that wrap the registered view, checks in
        the body (or in the helpers it calls), and before_request guards, per mount."""
        view = AuthView()
        fact = route.fact
        if fact.api != "add_url_rule":
            below = fact.decorators[fact.position + 1 :]
            above = fact.decorators[: fact.position]
            for name in below:
                what = self.auth_decorator(name)
                if what:
                    view.evidence.append(Evidence("decorator", f"@{what}", route.path, fact.line))
            for name in above:
                what = self.auth_decorator(name)
                if what:
                    view.misplaced.append(
                        Evidence(
                            "misplaced",
                            f"@{what}",
                            route.path,
                            fact.line,
                            "applied above the route decorator, so it does not wrap the "
                            "registered view",
                        )
                    )
            for pattern in self.auth_patterns.get(fact.view or "", ()):
                pat_fact = pattern.fact
                label = "@" + str(getattr(pat_fact, "pattern", "")).rpartition(".")[2]
                known = {e.what for e in (*view.evidence, *view.misplaced)}
                if pattern.path == route.path and pat_fact.line > fact.line and label not in known:
                    view.evidence.append(Evidence("decorator", label, pattern.path, pat_fact.line))
        else:
            for name in fact.decorators:
                what = self.auth_decorator(name)
                if what:
                    view.evidence.append(Evidence("decorator", f"@{what}", route.path, fact.line))
            if fact.view_kind == "function":
                view.evidence += [
                    e for e in self.function_guard(fact.view) if e.kind == "decorator"
                ]
            elif fact.view_kind == "class" and fact.view is not None:
                cls = self._view_class(fact.view)
                if cls is not None:
                    for name in cls.fact.decorators:
                        what = self.auth_decorator(name)
                        if what:
                            view.evidence.append(Evidence("class_decorator", f"@{what}",
                                                          cls.path, cls.fact.line))  # fmt: skip
        for handler in route.handlers:
            if fact.view_kind == "class":
                view.evidence += self.function_guard(handler)
            else:
                view.evidence += self.body_checks(handler)
        own = bool(view.evidence)
        for mount in route.mounts:
            guards = self.guards_for(mount)
            for hook, evidence in guards:
                what = hook.fact.target_text
                view.evidence.append(Evidence("hook", f"{hook.fact.api} {what}", hook.path,
                                              hook.fact.line, evidence[0].what))  # fmt: skip
            if not own and not guards:
                view.unguarded_mounts.append(mount)
        if not own and not route.mounts:
            view.unguarded_mounts = []
        return view

    def routes_guarded_by(self, hook: Site[FlaskHookFact], owner: Owner) -> list[Route]:
        """The routes a before_request hook runs for."""
        out: list[Route] = []
        for route in self.routes:
            for mount in route.mounts:
                if hook in self.before_request_hooks(mount):
                    out.append(route)
                    break
        return out

    def is_sign_in(self, route: Route) -> bool:
        """A public authentication endpoint: it signs users in, issues tokens, registers or
        resets passwords (by its calls, its login_view setting, or the words of its rule)."""
        if self._signs_in(route):
            return True
        words = f"{route.rule} {route.view_name}".lower()
        return PUBLIC_AUTH_WORDS.search(words) is not None

    def _signs_in(self, route: Route) -> bool:
        for handler in route.handlers:
            for call in self.calls.get(handler, ()):
                if call.callee in SIGN_IN_CALLS or call.attr in PASSWORD_CHECK_METHODS:
                    return True
        endpoints = {m.endpoint for m in route.mounts}
        for ext in self.extensions:
            if ext.kind != "login":
                continue
            for use in ext.uses:
                if use.fact.option == "login_view" and (use.fact.value or "").strip("\"'") in (
                    endpoints
                ):
                    return True
        return False

    def credential_route(self, route: Route) -> str | None:
        """Why a route is a brute-force target, or None: it "checks a password" (by its calls),
        or it "is named like a login or password reset" (by the words of its rule or view)."""
        for handler in route.handlers:
            for call in self.calls.get(handler, ()):
                if call.attr in PASSWORD_CHECK_METHODS or (
                    call.callee is not None and call.callee.endswith(".check_password_hash")
                ):
                    return "checks a password"
        words = f"{route.rule} {route.view_name}".lower()
        if CREDENTIAL_WORDS.search(words):
            return "is named like a login or password reset"
        return None

    def socket_auth(self, handler: SocketHandler) -> list[Evidence]:
        """Auth for a Socket.IO event: its decorators, its body, or a connect handler of the
        same namespace that rejects unauthenticated clients."""
        evidence = self.function_guard(handler.handler)
        if handler.event == "connect":
            return evidence
        for other in self.socket_handlers:
            if other.event != "connect" or other.namespace != handler.namespace:
                continue
            if other.socketio is not handler.socketio:
                continue
            if self._rejects(other.handler):
                evidence.append(Evidence("connect", f"connect handler {other.handler}",
                                         other.path, other.fact.line))  # fmt: skip
        return evidence

    def _rejects(self, function: str) -> bool:
        """Whether a connect handler refuses unauthenticated clients."""
        checks = self.checks.get(function, [])
        if any(c.fact.kind in REJECTING_CHECKS for c in checks):
            return True
        returns_false = any(r.text == "False" for r in self.returns.get(function, ()))
        decorated = any(e.kind == "decorator" for e in self.function_guard(function))
        return decorated or (bool(checks) and returns_false)

    def app_authenticates(self, app: AppObj | None) -> bool:
        """Whether an app checks identity anywhere: a protected route or handler, a guard."""
        for route in self.routes:
            if app is not None and not any(m.app is app for m in route.mounts):
                continue
            if self.route_auth(route).evidence:
                return True
        for handler in self.socket_handlers:
            apps = handler.socketio.apps if handler.socketio else []
            if app is not None and app not in apps:
                continue
            if self.socket_auth(handler):
                return True
        return False

    def sibling_auth(self, route: Route) -> tuple[list[tuple[str, int]], int]:
        """What the other routes of the same blueprint (or app) use for auth: each mechanism
        with the number of sibling routes using it (most used first), and the number of
        siblings. ``([("@login_required", 3), ("a check in the view", 1)], 5)``."""
        siblings = [r for r in route.owner.routes if r is not route]
        used: dict[str, int] = defaultdict(int)
        for sibling in siblings:
            labels = {_mechanism(e) for e in self.route_auth(sibling).evidence}
            for label in labels:
                used[label] += 1
        ranked = sorted(used.items(), key=lambda item: (-item[1], item[0]))
        return ranked, len(siblings)

    # -- judgements: the rest --------------------------------------------------------------

    def route_limits(self, route: Route) -> tuple[list[str], bool]:
        """The rate limits that apply to a route (descriptions), and whether it is exempt."""
        limits: list[str] = []
        exempt = False
        for handler in {route.fact.view, *route.handlers}:
            for site in self.limit_rows.get(handler or "", ()):
                fact = site.fact
                if fact.kind == "exempt":
                    exempt = True
                elif fact.kind == "shared_limit" and not fact.limits:
                    shared = self._shared(fact)
                    limits.append(shared)
                else:
                    scope = f" (scope {fact.scope})" if fact.scope else ""
                    limits.append(", ".join(fact.limits) or fact.limits_text or "?")
                    limits[-1] += scope
        for mount in route.mounts:
            for bp in mount.blueprints:
                for site in bp.limits:
                    if site.fact.kind == "exempt":
                        exempt = True
                    else:
                        text = ", ".join(site.fact.limits) or site.fact.limits_text or "?"
                        limits.append(f"{text} (blueprint `{bp.name}`)")
            if not exempt:
                for site in mount.app.limits:
                    if site.fact.kind in ("default", "application"):
                        text = ", ".join(site.fact.limits) or site.fact.limits_text or "?"
                        label = "default" if site.fact.kind == "default" else "application-wide"
                        limits.append(f"{text} ({label})")
        return list(dict.fromkeys(limits)), exempt

    def _shared(self, fact: FlaskRateLimitFact) -> str:
        name = fact.limits_text or "?"
        for ref, site in self.shared_limits.items():
            if _split_ref(ref)[1] == name:
                text = ", ".join(site.fact.limits) or site.fact.limits_text or "?"
                return f"{text} (shared `{name}`)"
        return f"shared `{name}`"

    def uses_limiter(self, app: AppObj | None) -> bool:
        """Whether Flask-Limiter is used (in this app, or anywhere when ``app`` is None)."""
        for ext in self.extensions:
            if ext.kind == "limiter" and (app is None or app in ext.apps or not ext.apps):
                return True
        return any(self.limit_rows.values()) and app is None

    def route_cors(self, route: Route) -> list[Site[FlaskCorsFact]]:
        """The CORS policies that cover a route: its decorator, or its app's policies whose
        resources match its URL."""
        out = list(self.cors_views.get(route.fact.view or "", ()))
        for mount in route.mounts:
            for site in mount.app.cors:
                resources = site.fact.resources
                covered = not resources or any(_fits_resource(p, mount.url) for p in resources)
                if covered and site not in out:
                    out.append(site)
        return out

    def cors_apps(self, site: Site[FlaskCorsFact]) -> list[AppObj]:
        """The apps a CORS policy belongs to (a decorator's: the apps serving its view)."""
        fact = site.fact
        if fact.form == "decorator":
            out: list[AppObj] = []
            for route in self.routes_of_view(fact.target or ""):
                out += [m.app for m in route.mounts if m.app not in out]
            return out
        if fact.target is None and fact.form == "socketio":
            return [a for e in self.extensions if e.kind == "socketio" for a in e.apps]
        return self._apps_of(fact.target, fact.target_type)

    def route_cache(self, route: Route) -> list[Site[FlaskCacheFact]]:
        out: list[Site[FlaskCacheFact]] = []
        for handler in {route.fact.view, *route.handlers}:
            out += self.cache_rows.get(handler or "", [])
        return out

    def config_entries(self, app: AppObj) -> list[ConfigEntry]:
        """Every configuration row that applies to an app, with how surely it applies:
        "direct" (set on the app), "loaded" (a class or module the app loads by name),
        "possible" (a class of the mapping the app picks from at run time, ``config[name]``;
        testing and development classes, and bases of other config classes, are left out)."""
        out: list[ConfigEntry] = []
        for site in app.configs:
            if site.fact.key is not None:
                out.append(ConfigEntry(site, "direct", None))
            elif site.fact.via == "from_object" and site.fact.target is not None:
                out += self._loaded(site.fact)
        return out

    def _loaded(self, source: FlaskConfigFact) -> list[ConfigEntry]:
        target = source.target or ""
        resolved = self.resolve(target)
        if resolved in self.classes or target in self.config_classes:
            name = resolved if resolved in self.classes else target
            return [ConfigEntry(s, "loaded", name) for s in self._class_settings(name)]
        if resolved in self.modules or target in self.config_modules:
            module = resolved if resolved in self.config_modules else target
            return [ConfigEntry(s, "loaded", module) for s in self.config_modules.get(module, [])]
        # config[name]: the classes of the module that holds the mapping may be picked
        module, _ = _split_ref(resolved)
        out: list[ConfigEntry] = []
        for cls in self.config_classes:
            if _split_ref(cls)[0] != module or self.is_base_config(cls):
                continue
            if self.config_class_kind(cls) != "other":
                continue
            out += [ConfigEntry(s, "possible", cls) for s in self._class_settings(cls)]
        return out

    def is_base_config(self, qualname: str) -> bool:
        """Whether another config class derives from this one (an abstract base)."""
        for cls in self.config_classes:
            site = self.classes.get(cls)
            if site is not None and any(self.resolve(b) == qualname for b in site.fact.bases):
                return True
        return False

    def _class_settings(self, qualname: str, depth: int = 0) -> list[Site[FlaskConfigFact]]:
        """A config class's settings, inherited ones included (the class's own win)."""
        own = list(self.config_classes.get(qualname, []))
        if depth > 5:
            return own
        keys = {s.fact.key for s in own}
        cls = self.classes.get(qualname)
        for base in cls.fact.bases if cls else ():
            for inherited in self._class_settings(self.resolve(base), depth + 1):
                if inherited.fact.key not in keys:
                    own.append(inherited)
                    keys.add(inherited.fact.key)
        return own

    def config_class_kind(self, qualname: str) -> str:
        """ "testing" for a class that sets TESTING = True, "development" for one named for
        development (DevelopmentConfig, LocalConfig), else "other"."""
        for site in self._class_settings(qualname):
            if site.fact.key == "TESTING" and site.fact.value == "true":
                return "testing"
        name = qualname.rpartition(".")[2].lower()
        if name.startswith(("dev", "local", "debug")):
            return "development"
        if name.startswith("test"):
            return "testing"
        return "other"

    def csrf_status(self, app: AppObj) -> tuple[str, Site[Fact] | Site[FlaskConfigFact] | None]:
        """ "protected", "disabled" (WTF_CSRF_ENABLED False), or "none" (no CSRFProtect)."""
        protected = any(e.kind == "csrf" for e in app.extensions)
        for entry in self.config_entries(app):
            fact = entry.site.fact
            if fact.key in ("WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT") and fact.value == "false":
                through = entry.loaded_by or fact.owner or ""
                if entry.how == "direct" or self.config_class_kind(through) == "other":
                    return "disabled", entry.site
        return ("protected" if protected else "none"), None

    def route_csrf(self, route: Route) -> tuple[str, list[Site[Fact]]]:
        """A route's CSRF status: exempt (with the exemptions), protected, disabled, none."""
        exemptions = list(self.csrf_exempt_views.get(route.fact.view or "", ()))
        for mount in route.mounts:
            for bp in mount.blueprints:
                exemptions += bp.csrf_exempt
        if exemptions:
            return "exempt", exemptions
        statuses = {self.csrf_status(m.app)[0] for m in route.mounts}
        for status in ("none", "disabled", "protected"):
            if status in statuses:
                return status, []
        return "unknown", []

    def route_reads(self, route: Route, sources: Sequence[str]) -> list[Site[FlaskRequestReadFact]]:
        out: list[Site[FlaskRequestReadFact]] = []
        for handler in {route.fact.view, *route.handlers}:
            out += [s for s in self.reads.get(handler or "", ()) if s.fact.source in sources]
        return out

    def error_handlers_for(self, mount: Mount) -> list[Site[FlaskErrorHandlerFact]]:
        handlers = list(mount.app.error_handlers)
        for bp in self.blueprints_of(mount.app):
            handlers += [h for h in bp.error_handlers if h.fact.app_wide]
        for bp in mount.blueprints:
            handlers += [h for h in bp.error_handlers if not h.fact.app_wide]
        return handlers


_MODELS: weakref.WeakKeyDictionary[Store, tuple[int, FlaskModel]] = weakref.WeakKeyDictionary()


def model_of(store: Store) -> FlaskModel:
    """The model of a store, built again only when the store's revision changed. Call it on the
    thread that owns the store (the language server's ``engine.query`` does)."""
    cached = _MODELS.get(store)
    if cached is not None and cached[0] == store.revision:
        return cached[1]
    model = FlaskModel.from_store(store)
    _MODELS[store] = (store.revision, model)
    return model


def counts(model: FlaskModel) -> dict[str, int]:
    """Rows of each Flask table in the model (for reports)."""
    return {t.TABLE: len(model.of(t)) for t in FLASK_FACT_TYPES}
