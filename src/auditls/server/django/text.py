"""Markdown about Django objects, from the cross-file model (``auditls.models.django``): a
signal with its receivers and send sites, a receiver with its signals, a view with its URLs,
methods, auth and CSRF status, a model with its managers. No LSP here."""

from __future__ import annotations

from dataclasses import dataclass

from auditls.facts.django import DjangoSignalFact, DjangoViewFact
from auditls.link import Site
from auditls.models.django import DjangoModel

#: At most this many lines per list in a hover.
MAX_ITEMS = 20


def _at(site: Site[DjangoSignalFact]) -> str:
    return f"`{site.path}:{site.fact.line}`"


def _short(name: str | None) -> str:
    return name.rpartition(".")[2] if name else "?"


def signal_key(model: DjangoModel, fact: DjangoSignalFact) -> str:
    """The signal a row names, as the model groups signals."""
    return fact.signal if fact.builtin else model.link.resolve(fact.signal)


def signal_markdown(model: DjangoModel, key: str) -> str | None:
    """Every receiver, connection and send site of one signal."""
    sites = model.signals.get(key)
    if not sites:
        return None
    builtin = any(s.fact.builtin for s in sites)
    lines = [f"**Django signal `{key}`**" + (" (built in)" if builtin else "")]
    define = next((s for s in sites if s.fact.role == "define"), None)
    if define is not None:
        lines.append(f"Defined at {_at(define)}.")
    receivers = [s for s in sites if s.fact.role in ("receiver", "connect")]
    lines.append(f"\n**Receivers ({len(receivers)})**")
    for s in receivers[:MAX_ITEMS]:
        f = s.fact
        how = "`@receiver`" if f.role == "receiver" else f"`connect()` in `{f.function}`"
        sender = f" · sender `{_short(f.sender)}`" if f.sender else " · any sender"
        uid = f" · dispatch_uid `{f.dispatch_uid}`" if f.dispatch_uid else ""
        lines.append(f"- `{f.handler}`{sender}{uid} · {how} at {_at(s)}")
    if not receivers:
        lines.append("- none in the workspace")
    gone = [s for s in sites if s.fact.role == "disconnect"]
    for s in gone[:MAX_ITEMS]:
        lines.append(f"- disconnected: `{s.fact.handler}` at {_at(s)}")
    sends = [s for s in sites if s.fact.role == "send"]
    if sends or not builtin:
        lines.append(f"\n**Sent ({len(sends)})**")
        for s in sends[:MAX_ITEMS]:
            f = s.fact
            kw = ", ".join(f.keywords) or "no keywords"
            sender = f" · sender `{_short(f.sender)}`" if f.sender else ""
            lines.append(f"- `{f.method}()` in `{f.function}`{sender} · {kw} at {_at(s)}")
        if not sends:
            lines.append("- never sent in the workspace")
    return "\n".join(lines)


def receiver_markdown(model: DjangoModel, handler: str) -> str | None:
    """The signals a function receives, with their senders and the send sites reaching it."""
    rows = model.receivers_of(handler)
    if not rows:
        return None
    lines = [f"**Django receiver `{handler}`**"]
    for site in rows[:MAX_ITEMS]:
        f = site.fact
        key = signal_key(model, f)
        sender = f"sender `{_short(f.sender)}`" if f.sender else "any sender"
        lines.append(f"- receives `{key}` ({sender}), connected at {_at(site)}")
        sends = [s for s in model.signals.get(key, []) if s.fact.role == "send"
                 and (not f.sender or not s.fact.sender
                      or _short(s.fact.sender) == _short(f.sender))]  # fmt: skip
        for s in sends[:MAX_ITEMS]:
            kw = ", ".join(s.fact.keywords) or "no keywords"
            lines.append(f"  - sent by `{s.fact.function}` ({kw}) at {_at(s)}")
    return "\n".join(lines)


def view_markdown(model: DjangoModel, view: DjangoViewFact) -> str:
    """A view's URL patterns and names, methods, the auth that applies and CSRF status."""
    endpoints = model.endpoints_of(view.qualname)
    kind = "DRF view" if view.drf else ("class-based view" if view.kind == "class" else "view")
    lines = [f"**Django {kind} `{view.qualname}`**"]
    if endpoints:
        for e in endpoints[:MAX_ITEMS]:
            name = f" · name `{e.name}`" if e.name else ""
            kwargs = f" · URL kwargs {', '.join(f'`{k}`' for k in e.kwargs)}" if e.kwargs else ""
            lines.append(f"- `/{e.pattern}`{name}{kwargs}")
    else:
        lines.append("- not reachable from the root URL conf")
    methods = ", ".join(m for m in view.methods if m != "*") or "any method"
    lines.append(f"\n**Methods:** {methods}" + (" (changes state)" if model.state_changing(view)
                                                else ""))  # fmt: skip
    if view.actions:
        lines.append(f"**Actions:** {', '.join(view.actions)}")
    auth = model.view_auth(view)
    if auth.protected:
        lines.append(f"**Auth:** {'; '.join(auth.how)}")
    elif auth.public:
        lines.append("**Auth:** public on purpose (`AllowAny` / `login_not_required`)")
    else:
        lines.append("**Auth:** none")
    for text in (*auth.misordered, *auth.partial, *auth.maybe):
        lines.append(f"- note: {text}")
    if auth.misordered:
        lines.append("- the mixin comes after the view base class, so it never runs")
    csrf = {"exempt": "exempt (`csrf_exempt`)", "protect": "enforced (`csrf_protect`)"}.get(
        model.csrf_of(view) or "", "DRF (session auth only)" if view.drf else "middleware default"
    )
    lines.append(f"**CSRF:** {csrf}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Manager:
    name: str
    text: str


def model_markdown(model: DjangoModel, qualname: str) -> str | None:
    """A model's managers and custom querysets."""
    site = next((s for s in model.models if s.fact.qualname == qualname), None)
    if site is None:
        return None
    lines = [f"**Django model `{qualname}`**"]
    fields = site.fact.fields
    if fields:
        lines.append(f"Fields: {', '.join(f'`{f}`' for f in fields[:MAX_ITEMS])}")
    managers = model.managers_of(qualname)
    lines.append("\n**Managers**")
    if not managers:
        lines.append("- `objects` (Django's default manager)")
    for m in managers:
        f = m.fact
        text = f"- `{f.name}` = `{f.manager}`"
        cls = model.manager_class(f.manager or "") if f.manager else None
        queryset = f.queryset or (cls.fact.queryset if cls is not None else None)
        if cls is not None and cls.fact.methods:
            text += f" · methods {', '.join(cls.fact.methods)}"
        if cls is not None and cls.fact.raw_sql:
            text += " · runs raw SQL"
        if queryset:
            qs = model.manager_class(queryset)
            text += f" · queryset `{queryset}`"
            if qs is not None and qs.fact.methods:
                text += f" ({', '.join(qs.fact.methods)})"
            if qs is not None and qs.fact.raw_sql:
                text += " · runs raw SQL"
        lines.append(text)
    chains = [q for q in model.querysets if model.link.resolve(q.fact.model) == qualname]
    if chains:
        lines.append(f"\n**Querysets:** {len(chains)} chain(s) in the workspace")
        for q in [q for q in chains if q.fact.raw or q.fact.spread][:MAX_ITEMS]:
            what = "raw SQL" if q.fact.raw else f"lookups from `**{q.fact.spread}`"
            lines.append(f"- {what}: `{'.'.join(q.fact.chain)}` at `{q.path}:{q.fact.line}`")
    admin = [s for s in model.admin if model.link.resolve(s.fact.model) == qualname]
    for a in admin:
        with_class = f" with `{_short(a.fact.admin_class)}`" if a.fact.admin_class else ""
        lines.append(f"\nRegistered in the admin at `{a.path}:{a.fact.line}`{with_class}")
    return "\n".join(lines)
