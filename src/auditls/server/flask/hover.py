"""Hover on Flask routes, request hooks and extensions (the registry of ``server.hover``).

The buffer's own facts say *what* is under the cursor (a route decorator, the ``def`` line of a
view, a hook, an extension statement); the store's ``FlaskJudge`` (cached per store revision,
built on the store's thread through ``ctx.query``) says what it is *linked to* in other files.
Objects are matched by identity (file, view, rule), not by line, so a buffer edited since the
last save still finds its route. The text comes from ``auditls.server.flask.text``.
"""

from __future__ import annotations

from auditls.facts.core import FunctionFact
from auditls.facts.flask import FlaskExtensionFact, FlaskHookFact, FlaskRouteFact
from auditls.models.flask import Owner
from auditls.rules.findings import Finding
from auditls.rules.flask.judge import judge_of
from auditls.server.flask.text import extension_markdown, hook_markdown, route_markdown
from auditls.server.hover import HoverContext, hover_provider
from auditls.store import Store


def _route_fact(ctx: HoverContext) -> FlaskRouteFact | None:
    """The route whose decorator or add_url_rule call is under the cursor, or whose view is
    defined on this line."""
    routes = ctx.facts_of(FlaskRouteFact)
    found = next((r for r in routes if ctx.covers(r)), None)
    if found is not None:
        return found
    for fn in ctx.facts_of(FunctionFact):
        if fn.line == ctx.line:
            return next((r for r in routes if r.view == fn.qualname), None)
    return None


def _handler_findings(ctx: HoverContext, view: str | None) -> list[Finding]:
    """The document's findings inside the view function."""
    fn = next((f for f in ctx.facts_of(FunctionFact) if f.qualname == view), None)
    if fn is None:
        return []
    return [f for f in ctx.findings if fn.line <= f.line <= fn.end_line]


@hover_provider("flask.routes", order=50)
def route_hover(ctx: HoverContext) -> str | None:
    """A route: URLs, auth, limits, CORS, cache, CSRF, error handlers, findings."""
    fact = _route_fact(ctx)
    if fact is None:
        return None
    findings = _handler_findings(ctx, fact.view)

    def build(store: Store) -> str | None:
        model = judge_of(store)
        wanted = (ctx.path, fact.view, fact.rule_text, fact.api, fact.callee)
        for route in model.routes:
            f = route.stored
            if (route.path, f.view, f.rule_text, f.api, f.callee) == wanted:
                return route_markdown(model, route, findings)
        return None

    return ctx.query(build)


@hover_provider("flask.hooks", order=51)
def hook_hover(ctx: HoverContext) -> str | None:
    """A request hook: where it runs and the routes it guards."""
    hooks = ctx.facts_of(FlaskHookFact)
    fact = next((h for h in hooks if ctx.covers(h)), None)
    if fact is None:
        fn = next((f for f in ctx.facts_of(FunctionFact) if f.line == ctx.line), None)
        fact = next((h for h in hooks if fn is not None and h.target == fn.qualname), None)
    if fact is None:
        return None
    hook = fact

    def build(store: Store) -> str | None:
        model = judge_of(store)
        owners: list[Owner] = [*model.apps, *model.blueprints]
        wanted = (ctx.path, hook.target_text, hook.api, hook.owner)
        for owner in owners:
            for site in owner.hooks:
                f = site.fact
                if (site.path, f.target_text, f.api, f.owner) == wanted:
                    return hook_markdown(model, site, owner)
        return None

    return ctx.query(build)


@hover_provider("flask.extensions", order=52)
def extension_hover(ctx: HoverContext) -> str | None:
    """An extension's construction, init_app, setting or callback: what it configures."""
    fact = next(
        (e for e in ctx.facts_of(FlaskExtensionFact) if e.line <= ctx.line <= e.end_line), None
    )
    if fact is None:
        return None
    ext_fact = fact

    def build(store: Store) -> str | None:
        model = judge_of(store)
        for ext in model.extensions:
            for site in (ext.constructor_site, *ext.uses):
                f = site.fact
                same = (site.path, f.form, f.ref, f.option, f.ext_class) == (
                    ctx.path, ext_fact.form, ext_fact.ref, ext_fact.option, ext_fact.ext_class,
                )  # fmt: skip
                if same or (site.path == ctx.path and f.line == ext_fact.line):
                    return extension_markdown(model, ext, site)
        return None

    return ctx.query(build)
