"""Judgements over the Flask model: whether a route, a Socket.IO handler or an app is guarded,
what the guards are, whether a route signs users in or takes credentials, its CSRF status,
whether a limiter is in use. The rules (``auditls.rules.flask``) and the hover read these
answers.

The model (``auditls.models.flask``) only links Flask objects; ``FlaskJudge`` is the model plus
these verdicts, built and cached per store revision by :func:`judge_of`. The knowledge they
use (auth decorators, sign-in calls) is the constants below; the guesses they make from names
are ``auditls.knowledge.heuristics``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from auditls.facts import Fact
from auditls.facts.core import FunctionFact
from auditls.facts.flask import FlaskConfigFact, FlaskHookFact
from auditls.knowledge.flask import (
    HTTPAUTH_DECORATORS,
    HTTPAUTH_PACKAGE,
    INSTANCE_AUTH_DECORATORS,
    LOGIN_DECORATORS,
    SIGN_IN_CALLS,
)
from auditls.knowledge.heuristics import (
    CREDENTIAL_ENDPOINT,
    PASSWORD_CHECK_METHOD,
    PUBLIC_AUTH_ENDPOINT,
)
from auditls.link import Linker, Site
from auditls.models.flask import FlaskModel, model_of
from auditls.models.flask.objects import (
    AppObj,
    AuthView,
    Evidence,
    Mount,
    Owner,
    Route,
    SocketHandler,
)
from auditls.rules.flask import scopes
from auditls.rules.flask.scopes import Verdict

if TYPE_CHECKING:
    from auditls.store import Store


#: How many helper calls deep ``body_checks`` follows (a hook calls a helper that calls one).
HELPER_DEPTH = 3

#: Auth checks that reject a Socket.IO connection.
REJECTING_CHECKS = frozenset({"disconnect", "raise", "abort"})


def _mechanism(evidence: Evidence) -> str:
    """How a piece of evidence protects, in a few words (for messages)."""
    if evidence.kind in ("decorator", "class_decorator"):
        return evidence.what
    if evidence.kind == "hook":
        return "a before_request guard"
    if evidence.kind == "connect":
        return "a connect handler that rejects"
    return "a check in the view"


class FlaskJudge(FlaskModel):
    """The Flask model and its verdicts (see the module docstring)."""

    def __init__(self, link: Linker) -> None:
        super().__init__(link)
        self._custom_auth: dict[str, str | None] = {}
        self._body_checks: dict[tuple[str, int], list[Evidence]] = {}
        self._decorator_checks: dict[str, list[Evidence]] = {}

    # -- judgements: auth ------------------------------------------------------------------

    def auth_decorator(self, name: str) -> str | None:
        """What an (effective) decorator requires, or None when it is not an auth decorator."""
        if name in LOGIN_DECORATORS:
            return name.rpartition(".")[2]
        prefix, _, attr = name.rpartition(".")
        if attr in HTTPAUTH_DECORATORS and prefix:
            if prefix.startswith(HTTPAUTH_PACKAGE + "."):
                return "http auth"
            ext = self.extension_of(prefix, "httpauth")
            if ext is not None:
                return f"{ext.label}.{attr}"
        if prefix and attr in INSTANCE_AUTH_DECORATORS.values():
            owner = self.resolve(prefix)  # allows = Allows(...); @allows.requires(IsAdmin)
            classes = {self.resolve(c) for c in self.link.assigned_calls(owner)}
            if any(INSTANCE_AUTH_DECORATORS.get(c) == attr for c in classes):
                return f"{owner.rpartition('.')[2]}.{attr}"
        return self._custom_auth_decorator(self.resolve(name))

    def _custom_auth_decorator(self, qualname: str, depth: int = 0) -> str | None:
        """A decorator defined in the workspace whose wrapper checks identity on every path,
        itself or in a helper it calls (a branch that calls the view anyway does not count; a
        check that runs only for some requests is judged per route, ``decorator_verdict``), or
        applies an auth decorator itself."""
        if qualname in self._custom_auth:
            return self._custom_auth[qualname]
        self._custom_auth[qualname] = None  # cycles
        found: str | None = None
        if qualname in self.link.functions and depth < 4:
            if any(c.scope is None for c in self.decorator_checks(qualname)):
                found = qualname.rpartition(".")[2]  # denies whatever the request
            for _, site in self._decorator_functions(qualname):
                if found:
                    break
                for d in site.fact.decorators:
                    if d in LOGIN_DECORATORS or (
                        d != qualname and self._custom_auth_decorator(self.resolve(d), depth + 1)
                    ):
                        found = qualname.rpartition(".")[2]
                        break
                if found:
                    break
        self._custom_auth[qualname] = found
        return found

    def _decorator_functions(self, qualname: str) -> list[tuple[str, Site[FunctionFact]]]:
        """A workspace decorator and the functions nested in it (its wrapper)."""
        inner_prefix = qualname + ".<locals>."
        return [
            (fname, site)
            for fname, site in self.link.functions.items()
            if fname == qualname or fname.startswith(inner_prefix)
        ]

    def decorator_checks(self, name: str) -> list[Evidence]:
        """The identity checks a workspace decorator's wrapper makes, itself or in the helpers
        it calls (``ensure_admin()``), each with the request conditions it runs under (``if
        request.method in EXEMPT_METHODS: return f(*a, **kw)`` leaves a check for the other
        methods); empty for anything else."""
        qualname = self.resolve(name)
        cached = self._decorator_checks.get(qualname)
        if cached is None:
            cached = []
            if qualname in self.link.functions:
                for fname, _ in self._decorator_functions(qualname):
                    cached += self.body_checks(fname)
            self._decorator_checks[qualname] = cached
        return cached

    def decorator_verdict(self, name: str, route: Route) -> tuple[Verdict, Evidence | None]:
        """Whether a workspace decorator whose checks run only under request conditions checks
        identity for ``route`` (True when one of its checks runs for every mount of the route,
        None when auditls cannot tell), and the check that decided."""
        best: Verdict = False
        decided: Evidence | None = None
        for check in self.decorator_checks(name):
            verdicts = {scopes.evaluate(check.scope, route, m) for m in route.mounts} or {None}
            if verdicts == {True}:
                return True, check
            if verdicts != {False} and best is False:
                best, decided = None, check
        return best, decided

    def optional_auth(self, function: str | None) -> set[str]:
        """The last names of the auth decorators on ``function`` written so that they require
        nothing (``jwt_required(optional=True)``, ``roles_required()``)."""
        return {
            p.fact.pattern.rpartition(".")[2]
            for p in self.auth_patterns.get(function or "", ())
            if p.fact.kind == "optional"
        }

    def body_checks(self, function: str, depth: int = 0) -> list[Evidence]:
        """The identity checks a function makes, itself or in the workspace helpers it calls
        (followed ``HELPER_DEPTH`` calls deep), each with the request conditions it runs under:
        a check of a helper runs under the conditions of the call (``if request.blueprint ==
        "admin": require_login()``) and its own, joined."""
        key = (function, depth)
        cached = self._body_checks.get(key)
        if cached is not None:
            return cached
        self._body_checks[key] = []  # cycles
        out = [
            Evidence(
                "body",
                site.fact.text,
                site.path,
                site.fact.line,
                site.fact.kind,
                scopes.describe(site.fact.scope),
                scope=site.fact.scope,
            )
            for site in self.checks.get(function, ())
        ]
        functions = self.link.functions
        if depth < HELPER_DEPTH:
            path = functions[function].path if function in functions else ""
            seen: set[tuple[str, str | None]] = set()
            for call in self.link.calls.get(function, ()):
                callee = self.callee_function(call.callee)
                if callee is None or callee == function:
                    continue
                call_scope = self.call_scopes.get((function, call.line, call.col))
                for inner in self.body_checks(callee, depth + 1):
                    scope = scopes.join(call_scope, inner.scope)
                    name = f"{call.callee_text}()"
                    if inner.kind == "helper":
                        what, detail, via = f"{name} → {inner.what}", inner.detail, inner.via
                    else:
                        what, detail = name, inner.what
                        via = f"{inner.path}:{inner.line}"
                    if (what, scope) in seen:
                        continue
                    seen.add((what, scope))
                    out.append(Evidence("helper", what, path, call.line, detail,
                                        scopes.describe(scope), scope=scope, via=via))  # fmt: skip
        self._body_checks[key] = out
        return out

    def callee_function(self, callee: str | None) -> str | None:
        """The workspace function a call runs: a function (through imports and re-exports), or
        a method of a class or of an instance (``auth.require()`` with ``auth = Auth()`` in
        another module, its bases searched too); None when it is none of those."""
        if callee is None:
            return None
        functions = self.link.functions
        resolved = self.resolve(callee)
        if resolved in functions:
            return resolved
        owner, _, attr = resolved.rpartition(".")
        if not owner or not attr:
            return None
        owner = self.resolve(owner)
        classes = self.link.classes
        cls = owner if owner in classes else next(
            (c for c in map(self.resolve, self.link.assigned_calls(owner)) if c in classes), None
        )  # fmt: skip
        todo = [cls] if cls is not None else []
        for _ in range(4):  # the class, then its bases
            if not todo:
                break
            found = next((f"{c}.{attr}" for c in todo if f"{c}.{attr}" in functions), None)
            if found is not None:
                return found
            todo = [
                b for c in todo
                for b in map(self.resolve, classes[c].fact.bases) if b in classes
            ]  # fmt: skip
        return None

    def function_guard(self, function: str | None) -> list[Evidence]:
        """Auth a function (a hook, a handler) applies: its decorators, then its body."""
        if function is None:
            return []
        out: list[Evidence] = []
        optional = self.optional_auth(function)
        site = self.link.functions.get(function)
        if site is not None:
            for d in site.fact.decorators:
                what = self.auth_decorator(d)
                if what and d.rpartition(".")[2] not in optional:
                    out.append(Evidence("decorator", f"@{what}", site.path, site.fact.line))
        for pattern in self.auth_patterns.get(function, ()):
            if pattern.fact.kind == "optional":
                continue
            name = pattern.fact.pattern
            if not any(e.what == f"@{name.rpartition('.')[2]}" for e in out):
                out.append(Evidence("decorator", f"@{name.rpartition('.')[2]}", pattern.path,
                                    pattern.fact.line))  # fmt: skip
        return out + self.body_checks(function)

    def guards_for(
        self, mount: Mount, route: Route | None = None
    ) -> list[tuple[Site[FlaskHookFact], list[Evidence], Verdict, str, Evidence | None]]:
        """The before_request hooks that run for a route served at ``mount`` and check who is
        calling: each with what it checks, whether the check runs for ``route`` (True, False,
        None when auditls cannot tell), the conditions it runs under, in words ("" when it
        always runs; for a hook whose checks all exclude the route, the conditions of its first
        check), and the check that decided (None for a decorator)."""
        out: list[tuple[Site[FlaskHookFact], list[Evidence], Verdict, str, Evidence | None]] = []
        for hook in self.before_request_hooks(mount):
            evidence = self.function_guard(hook.fact.target)
            if not evidence:
                continue
            verdict, condition, decided = self._hook_verdict(evidence, mount, route)
            out.append((hook, evidence, verdict, condition, decided))
        return out

    def _hook_verdict(
        self, evidence: list[Evidence], mount: Mount, route: Route | None
    ) -> tuple[Verdict, str, Evidence | None]:
        """Whether a guarding hook's identity check runs for ``route`` at ``mount``: True when
        a decorator guards it, else the best verdict of its checks, made in the hook or in the
        helpers it calls, each under its conditions; with the conditions of the check that
        decided, in words, and that check."""
        if route is None or any(e.kind == "decorator" for e in evidence):
            return True, "", None
        best: Verdict = False
        condition = ""
        decided: Evidence | None = None
        for check in evidence:
            if check.kind not in ("body", "helper"):
                continue
            verdict = scopes.evaluate(check.scope, route, mount)
            if verdict is True:
                return True, check.condition, check
            if verdict is None and best is False:
                best, condition, decided = None, check.condition, check
            elif decided is None:
                condition, decided = check.condition, check
        return best, condition, decided

    def route_auth(self, route: Route) -> AuthView:
        """The auth that applies to a route: decorators that wrap the registered view, checks in
        the body (or in the helpers it calls), and before_request guards, per mount."""
        view = AuthView()
        fact = route.fact
        optional = self.optional_auth(fact.view)
        if fact.position >= 0:  # a route decorator (add_url_rule and helper calls: -1)
            below = fact.decorators[fact.position + 1 :]
            above = fact.decorators[: fact.position]
            for name in below:
                if name.rpartition(".")[2] not in optional:
                    self._wraps(view, route, name, "decorator", route.path, fact.line)
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
                if pat_fact.kind == "optional":
                    continue
                label = "@" + pat_fact.pattern.rpartition(".")[2]
                known = {e.what for e in (*view.evidence, *view.misplaced)}
                if pattern.path == route.path and pat_fact.line > fact.line and label not in known:
                    view.evidence.append(Evidence("decorator", label, pattern.path, pat_fact.line))
        else:
            for name in fact.decorators:
                self._wraps(view, route, name, "decorator", route.path, fact.line)
            if fact.view_kind == "function":
                view.evidence += [
                    e for e in self.function_guard(fact.view) if e.kind == "decorator"
                ]
            elif fact.view_kind == "class" and fact.view is not None:
                cls = self.view_class(fact.view)
                if cls is not None:
                    for name in cls.fact.decorators:
                        self._wraps(view, route, name, "class_decorator", cls.path, cls.fact.line)
        for handler in route.handlers:
            if fact.view_kind == "class":
                view.evidence += self.function_guard(handler)
            else:
                view.evidence += self.body_checks(handler)
        own = bool(view.evidence)
        for mount in route.mounts:
            guarded = False
            for hook, evidence, verdict, condition, decided in self.guards_for(mount, route):
                check = decided or evidence[0]
                helper = f"{check.what} ({check.via})" if check.kind == "helper" else ""
                detail = check.detail if check.kind == "helper" else check.what
                found = Evidence("hook", f"{hook.fact.api} {hook.fact.target_text}", hook.path,
                                 hook.fact.line, detail, condition, via=helper)  # fmt: skip
                if verdict is True:
                    guarded = True
                    view.evidence.append(found)
                elif verdict is None:
                    view.uncertain.append(found)
                else:
                    view.skipped.append(found)
            if not own and not guarded:
                view.unguarded_mounts.append(mount)
        if not own and not route.mounts:
            view.unguarded_mounts = []
        return view

    def _wraps(
        self, view: AuthView, route: Route, name: str, kind: str, path: str, line: int
    ) -> None:
        """A decorator that wraps the view of ``route``: an auth decorator is evidence; a
        workspace decorator whose check runs only under request conditions is evidence when
        they hold for the route (``request.method`` not exempt), undecided when auditls cannot
        tell, and nothing when they leave the route out."""
        what = self.auth_decorator(name)
        if what:
            view.evidence.append(Evidence(kind, f"@{what}", path, line))
            return
        verdict, check = self.decorator_verdict(name, route)
        if check is None and verdict is not True:
            return
        label = f"@{name.rpartition('.')[2]}"
        detail = check.detail if check is not None and check.kind == "helper" else ""
        detail = detail or (check.what if check is not None else "")
        condition = check.condition if check is not None else ""
        via = ""
        if check is not None:
            via = check.via if check.kind == "helper" else f"{check.path}:{check.line}"
        found = Evidence(kind, label, path, line, detail, condition, via=via)
        if verdict is True:
            view.evidence.append(found)
        elif verdict is None:
            view.uncertain.append(found)

    def routes_guarded_by(self, hook: Site[FlaskHookFact], owner: Owner) -> list[Route]:
        """The routes a before_request hook runs for (for a guard, those its identity check may
        run for: a check made only for blueprint `billing` leaves the others out)."""
        out: list[Route] = []
        evidence = self.function_guard(hook.fact.target)
        for route in self.routes:
            for mount in route.mounts:
                if hook not in self.before_request_hooks(mount):
                    continue
                if not evidence or self._hook_verdict(evidence, mount, route)[0] is not False:
                    out.append(route)
                    break
        return out

    def is_sign_in(self, route: Route) -> bool:
        """A public authentication endpoint: it signs users in, issues tokens, registers or
        resets passwords (by its calls, its login_view setting, or the words of its rule)."""
        if self._signs_in(route):
            return True
        words = f"{route.rule} {route.view_name}".lower()
        return PUBLIC_AUTH_ENDPOINT(words)

    def _signs_in(self, route: Route) -> bool:
        for handler in route.handlers:
            for call in self.link.calls.get(handler, ()):
                if call.callee in SIGN_IN_CALLS or PASSWORD_CHECK_METHOD(call.attr):
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
            for call in self.link.calls.get(handler, ()):
                if PASSWORD_CHECK_METHOD(call.attr) or (
                    call.callee is not None and call.callee.endswith(".check_password_hash")
                ):
                    return "checks a password"
        words = f"{route.rule} {route.view_name}".lower()
        if CREDENTIAL_ENDPOINT(words):
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
        returns_false = any(r.text == "False" for r in self.link.returns.get(function, ()))
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

    def uses_limiter(self, app: AppObj | None) -> bool:
        """Whether Flask-Limiter is used (in this app, or anywhere when ``app`` is None)."""
        for ext in self.extensions:
            if ext.kind == "limiter" and (app is None or app in ext.apps or not ext.apps):
                return True
        return any(self.limit_rows.values()) and app is None

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


def judge_of(store: Store) -> FlaskJudge:
    """The judged Flask model of a store, built again only when the store's revision changed
    (one build serves the rules, the hover and the symbols). Call it on the thread that owns
    the store."""
    return model_of(store, FlaskJudge)
