"""The Flask objects a model links: apps, blueprints, extensions, registrations, mounts, routes,
Socket.IO handlers, and the answers the model gives about them (configuration entries, auth
evidence). Plain data: ``FlaskModel`` builds and links them (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditls.facts import Fact
from auditls.facts.flask import (
    FlaskAppFact,
    FlaskBlueprintFact,
    FlaskBlueprintRegistrationFact,
    FlaskCliCommandFact,
    FlaskConfigFact,
    FlaskCorsFact,
    FlaskErrorHandlerFact,
    FlaskExtensionFact,
    FlaskHookFact,
    FlaskRateLimitFact,
    FlaskRouteFact,
    FlaskTemplateFilterFact,
    FlaskWebsocketFact,
)
from auditls.knowledge.flask import STATE_CHANGING
from auditls.link import Site


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
    #: For a route a helper registers (api "call"): the row as stored, before the model filled
    #: in what the helper takes from its call (``fact`` is the route as registered).
    row: FlaskRouteFact | None = None

    @property
    def stored(self) -> FlaskRouteFact:
        """The route's row as the store (and a buffer's facts) hold it."""
        return self.row if self.row is not None else self.fact

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
    condition: str = ""  # a hook's check runs only when this holds ("request.blueprint is ...")
    scope: str | None = None  # body / helper: the JSON request conditions the check runs under
    via: str = ""  # a check made in a helper: the helper chain and where the check is


@dataclass(slots=True)
class AuthView:
    """The auth that applies to a route (or a Socket.IO handler)."""

    evidence: list[Evidence] = field(default_factory=list)
    misplaced: list[Evidence] = field(default_factory=list)  # decorators that do not wrap the view
    unguarded_mounts: list[Mount] = field(default_factory=list)  # mounts without any guard
    #: guards whose identity check runs under a condition auditls cannot decide for the route
    uncertain: list[Evidence] = field(default_factory=list)
    #: guards whose identity check runs only under conditions that exclude the route
    skipped: list[Evidence] = field(default_factory=list)

    @property
    def protected(self) -> bool:
        return bool(self.evidence) and not self.unguarded_mounts


def join_url(prefix: str | None, rule: str) -> str:
    """Flask's join of a blueprint prefix and a rule (``Blueprint.add_url_rule``)."""
    if not prefix:
        return rule
    if rule:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
    return prefix
