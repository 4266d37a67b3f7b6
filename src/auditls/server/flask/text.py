"""What the editor shows about Flask objects: hover text and workspace symbols, as plain data.

The builders here take a linked ``FlaskModel`` and return Markdown (hover) or ``RouteSymbol``s
(``workspace/symbol``); ``auditls.server.flask.hover`` plugs them into the language server.
Nothing here knows LSP, so the text is tested below the protocol (``tests/test_flask_hover.py``).

- A **route** (its decorator, its ``add_url_rule`` call, or the ``def`` line of its view): the
  full URL of each mount with its methods, endpoint and app; the auth that applies (decorators,
  checks in the view, before_request guards and where they are defined) or why there is none;
  rate limits, CORS, caching, CSRF status, the error handlers that apply, and the findings
  inside the handler.
- A **before_request hook**: the routes it runs for, and what it checks.
- An **extension** (construction, ``init_app``, setting, callback): the apps it is bound to and
  everything that configures it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditls.facts.flask import FlaskExtensionFact, FlaskHookFact
from auditls.models.flask import (
    AppObj,
    BlueprintObj,
    Evidence,
    ExtensionObj,
    Owner,
    Route,
    Site,
)
from auditls.rules.findings import Finding
from auditls.rules.flask.judge import FlaskJudge

#: Routes and hooks listed in a hover before "and N more".
LIST_LIMIT = 12


def _code(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 80:
        text = text[:79] + "…"
    return f"`{text.replace('`', chr(39))}`"


def _at(path: str, line: int) -> str:
    return f"{path}:{line}"


def _owner_label(owner: Owner) -> str:
    return owner.label if isinstance(owner, BlueprintObj) else f"app `{owner.label}`"


def _methods(route: Route) -> str:
    shown = [m for m in route.methods if m not in ("HEAD", "OPTIONS")] or list(route.methods)
    return "|".join(shown) if shown else "?"


def _evidence(e: Evidence, inside: str = "the view") -> str:
    where = _at(e.path, e.line)
    only = f", only when {e.condition}" if e.condition else ""
    if e.kind == "hook":
        return f"{_code(e.what)} guard ({where}), checks {_code(e.detail)}{_through(e)}{only}"
    if e.kind == "helper":
        return f"{_code(e.what)} in {inside} ({where}) checks {_code(e.detail)} ({e.via}){only}"
    if e.kind == "body":
        return f"{_code(e.what)} in {inside} ({where}){only}"
    at = f" ({e.via})" if e.via else ""
    checks = f", checks {_code(e.detail)}{at}{only}" if e.detail else ""
    if e.kind == "class_decorator":
        return f"{_code(e.what)} on the view class ({where}){checks}"
    if e.kind == "decorator":
        return f"{_code(e.what)} ({where}){checks}"
    if e.kind == "connect":
        return f"{_code(e.what)} rejects anonymous clients ({where})"
    return f"{_code(e.what)} ({where})"


def _through(e: Evidence) -> str:
    """What to add after a hook's check made in a helper: ``in `require_login()` (a.py:12)``."""
    if not e.via:
        return ""
    helper, _, where = e.via.rpartition(" (")
    return f" in {_code(helper)} ({where}" if helper else f" ({e.via})"


def route_markdown(model: FlaskJudge, route: Route, findings: Sequence[Finding] = ()) -> str:
    """The hover of a route."""
    fact = route.fact
    out: list[str] = []
    if route.mounts:
        first = route.mounts[0]
        out.append(f"**Flask route** `{_methods(route)} {first.url}`")
        for mount in route.mounts:
            out.append(
                f"- `{_methods(route)} {mount.url}` · endpoint `{mount.endpoint}` · "
                f"app `{mount.app.label}`"
            )
    else:
        out.append(f"**Flask route** `{_methods(route)} {route.rule}`")
        out.append(
            f"- not registered in any app the workspace builds ({_owner_label(route.owner)})"
        )
    view = fact.view.rpartition(".")[2] if fact.view else "?"
    kind = "view class" if fact.view_kind == "class" else "view"
    out.append(f"- {kind} `{view}` on {_owner_label(route.owner)}")
    out.append("")

    auth = model.route_auth(route)
    if auth.evidence:
        lines = [_evidence(e) for e in auth.evidence]
        unique = list(dict.fromkeys(lines))
        status = "**Auth:** " + "; ".join(unique[:4])
        if auth.unguarded_mounts:
            apps = ", ".join(m.app.label for m in auth.unguarded_mounts)
            status += f" (but not where {apps} serves it)"
        out.append(status)
    elif auth.uncertain:
        hook = auth.uncertain[0]
        out.append(f"**Auth: undecided**: {_evidence(hook)}; auditls cannot tell whether that "
                   "holds for this route.")  # fmt: skip
    else:
        reason = "no auth decorator, no identity check in the view, no before_request guard"
        if auth.skipped:
            reason = f"{_evidence(auth.skipped[0])}, which leaves this route out"
        if auth.misplaced:
            reason = (
                f"{_code(auth.misplaced[0].what)} is above the route decorator and does not wrap "
                "the view"
            )
        elif model.is_sign_in(route):
            reason += " (a sign-in or sign-up endpoint: public by design)"
        line = f"**Auth: none** ({reason})."
        used, total = model.sibling_auth(route)
        if used:
            mechanisms = ", ".join(f"{label} ({n} of {total})" for label, n in used[:3])
            line += f" Other routes of {_owner_label(route.owner)} use {mechanisms}."
        out.append(line)

    limits, exempt = model.route_limits(route)
    if exempt:
        out.append("**Rate limit:** exempt (`@limiter.exempt`)")
    else:
        out.append("**Rate limit:** " + ("; ".join(limits) if limits else "none"))

    cors = model.route_cors(route)
    if cors:
        policies = []
        for cors_site in cors:
            c = cors_site.fact
            origins = ", ".join(c.origins) if c.origins else (
                f"from `{c.origins_key}`" if c.origins_key else c.origins_from
            )  # fmt: skip
            credentials = " with credentials" if c.supports_credentials else ""
            policies.append(f"{c.form} {origins}{credentials} ({_at(cors_site.path, c.line)})")
        out.append("**CORS:** " + "; ".join(policies))
    else:
        out.append("**CORS:** none")

    caches = model.route_cache(route)
    if caches:
        cached = []
        for cache_site in caches:
            k = cache_site.fact
            timeout = f" {k.timeout} s" if k.timeout is not None else ""
            qs = ", query string in the key" if k.query_string else ""
            cached.append(f"`{k.kind}`{timeout}{qs}")
        out.append("**Cache:** " + "; ".join(cached))

    status, exemptions = model.route_csrf(route)
    csrf_text = {
        "protected": "protected (CSRFProtect)",
        "disabled": "switched off (WTF_CSRF_ENABLED = False)",
        "none": "none: the app has no CSRFProtect",
        "unknown": "unknown",
    }.get(status, status)
    if status == "exempt":
        csrf_text = "exempt (" + ", ".join(_at(e.path, e.fact.line) for e in exemptions) + ")"
    out.append(f"**CSRF:** {csrf_text}")

    handlers = []
    for mount in route.mounts[:1]:
        for handler_site in model.error_handlers_for(mount):
            h = handler_site.fact
            target = (h.target or "?").rpartition(".")[2]
            scope = "" if h.app_wide else " (blueprint)"
            handlers.append(f"{h.spec_text} → `{target}`{scope}")
    if handlers:
        out.append("**Error handlers:** " + ", ".join(dict.fromkeys(handlers)))

    if findings:
        out.append("**Findings in the handler:**")
        out += [f"- {f.rule} line {f.line}: {f.message}" for f in findings]
    else:
        out.append("**Findings in the handler:** none")
    return "\n\n".join(_paragraphs(out))


def _paragraphs(lines: list[str]) -> list[str]:
    """Group list items with the line before them; one paragraph per other line."""
    out: list[str] = []
    for line in lines:
        if line.startswith("- ") and out:
            out[-1] += "\n" + line
        elif line:
            out.append(line)
    return out


def hook_markdown(model: FlaskJudge, hook: Site[FlaskHookFact], owner: Owner) -> str:
    """The hover of a request hook: where it runs and, for before_request, what it guards."""
    fact = hook.fact
    target = fact.target_text
    scope = "every request of the app" if fact.app_wide else f"requests of {_owner_label(owner)}"
    out = [f"**Flask {fact.api}** `{target}` on {_owner_label(owner)}: runs for {scope}."]
    if fact.hook != "before_request":
        return "\n\n".join(out)
    checks = model.function_guard(fact.target)
    if checks:
        shown = dict.fromkeys(_evidence(e, "the hook") for e in checks[:3])
        out.append("**Checks:** " + "; ".join(shown))
    else:
        out.append("**Checks:** no identity check: it does not protect the routes below.")
    routes = model.routes_guarded_by(hook, owner)
    label = "Guards" if checks else "Runs before"
    if routes:
        listed = []
        for route in routes[:LIST_LIMIT]:
            mount = route.mounts[0]
            listed.append(f"- `{_methods(route)} {mount.url}` ({_at(route.path, route.fact.line)})")
        more = len(routes) - LIST_LIMIT
        out.append(f"**{label} {len(routes)} route{'s' if len(routes) != 1 else ''}:**")
        out[-1] += "\n" + "\n".join(listed) + (f"\n- and {more} more" if more > 0 else "")
    else:
        out.append(f"**{label}:** no route of an app the workspace builds.")
    return "\n\n".join(out)


def extension_markdown(model: FlaskJudge, ext: ExtensionObj, site: Site[FlaskExtensionFact]) -> str:
    """The hover of an extension's construction, init_app, setting or callback."""
    fact = ext.fact
    cls = fact.ext_class or "extension"
    out = [f"**Flask extension** `{ext.label}`: {cls} ({ext.kind})"]
    apps = [a.label for a in ext.apps]
    if apps:
        bound = ", ".join(f"`{a}`" for a in apps)
        out.append(f"- bound to {bound}")
    else:
        out.append("- not bound to any app the workspace builds")
    out.append(f"- constructed at {_at(ext.path, fact.line)}" + _options(fact.options))
    for use in ext.uses:
        u = use.fact
        where = _at(use.path, u.line)
        if u.form == "init_app":
            out.append(f"- `init_app` at {where}" + _options(u.options))
        elif u.form == "setting":
            out.append(f"- `{u.option} = {u.value}` ({where})")
        elif u.form == "callback":
            out.append(
                f"- callback `{u.option}` → `{(u.value or '?').rpartition('.')[2]}` ({where})"
            )
    out += _extension_effects(model, ext)
    return "\n".join(out)


def _options(options: Iterable[str]) -> str:
    shown = [o for o in options if o]
    return (": " + ", ".join(_code(o) for o in shown[:4])) if shown else ""


def _extension_effects(model: FlaskJudge, ext: ExtensionObj) -> list[str]:
    """What the extension does to the routes: limits, exemptions, caches, auth."""
    out: list[str] = []
    if ext.kind == "limiter":
        for app in ext.apps:
            for site in app.limits:
                out.append(f"- {site.fact.kind} limits {', '.join(site.fact.limits)}")
        n = sum(1 for rows in model.limit_rows.values() for s in rows if s.fact.kind != "exempt")
        if n:
            out.append(f"- {n} route limit{'s' if n != 1 else ''} in the workspace")
    elif ext.kind == "csrf":
        exempt = sum(len(v) for v in model.csrf_exempt_views.values())
        apps = ", ".join(a.label for a in ext.apps) or "its app"
        note = f"; {exempt} view{'s' if exempt != 1 else ''} exempt" if exempt else ""
        out.append(f"- protects every form of {apps}{note}")
    elif ext.kind == "cache":
        n = sum(len(v) for v in model.cache_rows.values())
        if n:
            out.append(f"- {n} cached function{'s' if n != 1 else ''} in the workspace")
    return out


@dataclass(frozen=True, slots=True)
class RouteSymbol:
    """A route as a workspace symbol: ``POST /admin/users``."""

    name: str  # "POST /admin/users/<int:user_id>/delete"
    detail: str  # endpoint and app: "admin.delete_user · bookclub.create_app()"
    path: str  # the file of the route's decorator or add_url_rule call
    line: int  # 1-based line of the decorator or call
    column: int  # 1-based code-point column
    end_line: int  # 1-based last line
    end_column: int  # 1-based code-point column one past the end


def route_symbols(model: FlaskJudge, query: str = "") -> list[RouteSymbol]:
    """Every mounted route as a symbol (one per method and URL), filtered by ``query``: every
    word of it must appear in the name, case-insensitively ("post admin" finds
    ``POST /admin/users``)."""
    words = [w for w in re.split(r"\s+", query.lower()) if w]
    out: list[RouteSymbol] = []
    for route in model.routes:
        fact = route.fact
        for mount in route.mounts:
            for method in route.methods:
                if method in ("HEAD", "OPTIONS"):
                    continue
                name = f"{method} {mount.url}"
                if all(w in name.lower() for w in words):
                    out.append(
                        RouteSymbol(
                            name=name,
                            detail=f"{mount.endpoint} · {mount.app.label}",
                            path=route.path,
                            line=fact.line,
                            column=fact.col,
                            end_line=fact.end_line,
                            end_column=fact.end_col,
                        )
                    )
    out.sort(key=lambda s: (s.name.split(" ", 1)[1], s.name, s.path))
    return out


def apps_summary(model: FlaskJudge) -> list[str]:
    """One line per app (for status output and debugging)."""
    out = []
    for app in model.apps:
        routes = sum(1 for r in model.routes for m in r.mounts if m.app is app)
        out.append(f"{app.label}: {routes} routes, {len(model.blueprints_of(app))} blueprints, "
                   f"{len(app.extensions)} extensions")  # fmt: skip
    return out


__all__ = [
    "AppObj",
    "RouteSymbol",
    "apps_summary",
    "extension_markdown",
    "hook_markdown",
    "route_markdown",
    "route_symbols",
]
