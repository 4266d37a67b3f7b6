"""Hover: a registry of providers, each adding a Markdown section for a position.

The ``textDocument/hover`` handler knows nothing of findings, routes or signals: it builds a
``HoverContext`` and joins what the registered providers return. A domain adds its hover by
registering a provider, for instance in ``auditls/server/flask/hover.py``::

    from auditls.server.hover import HoverContext, hover_provider

    @hover_provider("flask.routes", order=50)
    def route_hover(ctx: HoverContext) -> str | None:
        route = next((r for r in ctx.facts_of(RouteFact) if ctx.covers(r)), None)
        if route is None:
            return None
        guards = ctx.query(lambda store: ...)  # cross-file lookups run on the store's thread
        return f"**{route.method} {route.path}** ..."

and importing that module at the bottom of this one (as ``extractors/__init__.py`` imports its
domain modules), so that the registration happens when the server starts.

Providers run in a worker thread, never on the event loop, so a slow provider delays only its
hover. ``ctx.query(fn)`` runs ``fn(store)`` on the store's thread and waits for it (at most a
few seconds); it returns None for a document outside every workspace folder and while the
folder's index is being built (a hover must not wait for a cold index), so a provider says what
the buffer alone tells, or nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from auditls.facts import Fact, FileFacts
from auditls.rules import RULES, Finding
from auditls.server.convert import docs_href
from auditls.server.providers import Providers
from auditls.store import Store

F = TypeVar("F", bound=Fact)
T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HoverContext:
    """What a hover provider may look at."""

    uri: str  # the document
    path: str  # relative to its workspace folder ("/" separators)
    line: int  # 1-based line of the hover
    column: int  # 1-based code-point column of the hover
    text: str  # the buffer
    facts: FileFacts | None  # of the buffer's latest analysis that parsed
    findings: Sequence[Finding]  # the document's findings as shown (settings applied)
    docs_base: str | None  # base of the rule documentation links
    store_query: Callable[[Callable[[Store], Any]], Any] | None = None

    def covers(self, item: Fact | Finding) -> bool:
        """Whether the hover position lies within ``item``'s span (end exclusive)."""
        if isinstance(item, Finding):
            start, end = (item.line, item.column), (item.end_line, item.end_column)
        else:
            start, end = (item.line, item.col), (item.end_line, item.end_col)
        return start <= (self.line, self.column) < end

    def facts_of(self, fact_type: type[F]) -> list[F]:
        return self.facts.of(fact_type) if self.facts is not None else []

    def query(self, fn: Callable[[Store], T]) -> T | None:
        """``fn(store)`` on the store's thread; None outside a folder or while it is indexed."""
        if self.store_query is None:
            return None
        result: T = self.store_query(fn)
        return result


#: A provider returns a Markdown section, or None when it has nothing to say here.
HoverProvider = Callable[[HoverContext], str | None]


_PROVIDERS: Providers[HoverProvider] = Providers()


def hover_provider(name: str, *, order: int = 100) -> Callable[[HoverProvider], HoverProvider]:
    """Register a provider; they run by ``order``, then name. Re-registering a name replaces
    the provider."""
    return _PROVIDERS.register(name, order=order)


def providers() -> list[str]:
    return _PROVIDERS.names()


def hover_markdown(ctx: HoverContext) -> str | None:
    """Every provider's section for ``ctx``, joined by rules; None when none has anything."""
    sections = []
    for registered in _PROVIDERS:
        try:
            section = registered.provider(ctx)
        except Exception:  # one broken provider must not take the others' hover away
            log.exception("hover provider %s failed", registered.name)
            continue
        if section:
            sections.append(section.strip())
    return "\n\n---\n\n".join(sections) if sections else None


def _cwe(cwe: int | None) -> str:
    if cwe is None:
        return ""
    return f" · [CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)"


@hover_provider("auditls.findings", order=10)
def findings_hover(ctx: HoverContext) -> str | None:
    """The rule behind each finding under the cursor: what, the path of a taint finding step
    by step, why, and the fix."""
    parts = []
    for finding in ctx.findings:
        if not ctx.covers(finding):
            continue
        rule = RULES.get(finding.rule)
        if rule is None:
            continue
        href = docs_href(ctx.docs_base, rule.code)
        title = f"[{rule.code}]({href})" if href else rule.code
        path = "".join(
            f"{i}. `{step.path}:{step.line}` {step.message}\n"
            for i, step in enumerate(finding.trace, 1)
        )
        parts.append(
            f"**auditls {title} {rule.name}** · {finding.severity} · "
            f"confidence {finding.confidence}{_cwe(rule.cwe)}\n\n"
            f"{finding.message}\n\n"
            + (f"**Path.**\n\n{path}\n" if path else "")
            + f"**Why it matters.** {rule.summary} {rule.details}\n\n"
            f"**Fix.** {rule.fix}"
        )
    return "\n\n---\n\n".join(parts) if parts else None


# Domain providers register themselves on import (as extractors/__init__.py imports its domains).
from auditls.server.celery import hover as _hovers_celery  # noqa: E402,F401
from auditls.server.django import hover as _hovers_django  # noqa: E402,F401
from auditls.server.fastapi import hover as _hovers_fastapi  # noqa: E402,F401
from auditls.server.flask import hover as _hovers_flask  # noqa: E402,F401
from auditls.server.orm import hover as _hovers_orm  # noqa: E402,F401
from auditls.server.testing import hover as _hovers_testing  # noqa: E402,F401
from auditls.server.typeinfo import hover as _hovers_typeinfo  # noqa: E402,F401
from auditls.server.validation import hover as _hovers_validation  # noqa: E402,F401
