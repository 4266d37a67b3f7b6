"""Hover on Django signals (definition, ``connect``, ``@receiver``, ``send``), receivers (their
``def`` line), views (their ``def`` / ``class`` line) and models (their ``class`` line).

The buffer's own facts say what is under the cursor; the store's ``DjangoModel`` (cached per
store revision, built on the store's thread through ``ctx.query``) says what it is linked to in
other files. The text comes from ``auditls.server.django.text``.
"""

from __future__ import annotations

from auditls.facts.core import FunctionFact
from auditls.facts.django import (
    DjangoModelFact,
    DjangoSignalFact,
    DjangoUrlFact,
    DjangoViewFact,
)
from auditls.models.django import model_of
from auditls.server.django.text import (
    model_markdown,
    receiver_markdown,
    signal_key,
    signal_markdown,
    view_markdown,
)
from auditls.server.hover import HoverContext, hover_provider
from auditls.store import Store


@hover_provider("django.signals", order=60)
def signal_hover(ctx: HoverContext) -> str | None:
    """A signal's receivers and send sites; on a receiver's ``def`` line, what it receives."""
    fact = next((s for s in ctx.facts_of(DjangoSignalFact) if ctx.covers(s)), None)
    if fact is None:
        fact = next((s for s in ctx.facts_of(DjangoSignalFact)
                     if s.role == "define" and s.line == ctx.line), None)  # fmt: skip
    if fact is not None:
        row = fact

        def build(store: Store) -> str | None:
            model = model_of(store)
            return signal_markdown(model, signal_key(model, row))

        return ctx.query(build)
    fn = next((f for f in ctx.facts_of(FunctionFact) if f.line == ctx.line), None)
    if fn is None:
        return None
    qualname = fn.qualname
    return ctx.query(lambda store: receiver_markdown(model_of(store), qualname))


@hover_provider("django.views", order=61)
def view_hover(ctx: HoverContext) -> str | None:
    """A view's URLs, methods, auth and CSRF status; on its def/class line, or on a URL conf
    entry that routes to it."""
    fact = next((v for v in ctx.facts_of(DjangoViewFact) if v.line == ctx.line), None)
    if fact is None:
        entry = next((u for u in ctx.facts_of(DjangoUrlFact) if u.view and ctx.covers(u)), None)
        if entry is None or entry.view is None:
            return None
        ref = entry.view

        def routed(store: Store) -> str | None:
            model = model_of(store)
            stored = model.views.get(model.resolve_view(ref))
            return view_markdown(model, stored.fact) if stored is not None else None

        return ctx.query(routed)
    view = fact

    def build(store: Store) -> str | None:
        model = model_of(store)
        stored = model.views.get(view.qualname)
        return view_markdown(model, stored.fact if stored is not None else view)

    return ctx.query(build)


@hover_provider("django.models", order=62)
def model_hover(ctx: HoverContext) -> str | None:
    """A model's managers and custom querysets."""
    fact = next((m for m in ctx.facts_of(DjangoModelFact) if m.line == ctx.line), None)
    if fact is None:
        return None
    qualname = fact.qualname
    return ctx.query(lambda store: model_markdown(model_of(store), qualname))
