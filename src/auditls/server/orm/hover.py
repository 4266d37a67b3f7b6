"""Hover on a SQLAlchemy declarative class's ``class`` line: its table, its columns (inherited
ones included, with their types and flags), relationships and validators; on a declarative
base, the models built on it. On a call that reaches a model of the workspace
(``User.query.filter_by(...)``, ``session.query(User)``, ``select(User)``, ``User(...)``), the
model's table and columns in short. The store, read on its own thread through ``ctx.query``, links
bases and mixins of other files (``auditls.models.orm``); outside a folder the buffer's own
facts are used."""

from __future__ import annotations

from auditls.facts.core import CallArgFact, CallFact
from auditls.facts.orm import OrmModelFact
from auditls.models.orm import Model, OrmModel, model_of
from auditls.server.hover import HoverContext, hover_provider
from auditls.store import Store

#: At most this many rows of each list in a hover.
MAX_ROWS = 40

_KINDS = {
    "declarative_base": "`declarative_base()`",
    "declarative_class": "`DeclarativeBase` (2.0)",
    "flask_sqlalchemy": "Flask-SQLAlchemy `db.Model`",
    "unknown": "base not found in the workspace",
    "none": "no base",
}
_TITLES = {"model": "SQLAlchemy model", "base": "SQLAlchemy declarative base",
           "mixin": "SQLAlchemy mixin"}  # fmt: skip


def _flags(model: Model) -> list[str]:
    rows = []
    for site in model.fields[:MAX_ROWS]:
        f = site.fact
        flags = [
            *(["primary key"] if f.primary_key else []),
            *(["unique"] if f.unique else []),
            *(["not null"] if not f.nullable and not f.primary_key else []),
            *([f"→ `{f.foreign_key}`"] if f.foreign_key else []),
            *([f"from `{f.model}`"] if f.model != model.qualname else []),
        ]
        kind = f"`{f.column_type}`" if f.column_type else f"({f.style})"
        rows.append(f"| `{f.name}` | {kind} | {', '.join(flags)} |")
    if len(model.fields) > MAX_ROWS:
        rows.append(f"| … | {len(model.fields) - MAX_ROWS} more | |")
    return rows


def model_markdown(orm: OrmModel, qualname: str) -> str | None:
    model = orm.models.get(qualname)
    if model is None:
        return None
    fact = model.fact
    head = f"**{_TITLES.get(model.role, 'SQLAlchemy class')}** `{qualname}`"
    if model.table:
        head += f" · table `{model.table}`" + (" (generated)" if model.generated else "")
    if fact.abstract:
        head += " · abstract"
    lines = [head + f" · {_KINDS.get(model.base_kind, model.base_kind)}", ""]
    if model.bases:
        lines.append("Inherits from " + ", ".join(f"`{b}`" for b in model.bases) + ".")
        lines.append("")
    if model.role == "base":
        built = [m.qualname for m in orm.mapped() if qualname in m.bases]
        lines.append(f"{len(built)} model(s) of the workspace: "
                     + ", ".join(f"`{b}`" for b in built[:MAX_ROWS]))  # fmt: skip
        return "\n".join(lines)
    if model.fields:
        lines += ["| column | type | flags |", "| --- | --- | --- |", *_flags(model), ""]
    else:
        lines += ["No columns found.", ""]
    if model.relationships:
        lines.append("Relationships:")
        for site in model.relationships[:MAX_ROWS]:
            r = site.fact
            opts = [
                *([f"back_populates `{r.back_populates}`"] if r.back_populates else []),
                *([f"backref `{r.backref}`"] if r.backref else []),
                *([f"lazy `{r.lazy}`"] if r.lazy else []),
                *([f"secondary `{r.secondary}`"] if r.secondary else []),
            ]
            target = f" → `{r.target}`" if r.target else ""
            lines.append(f"- `{r.name}`{target}" + (f" ({', '.join(opts)})" if opts else ""))
        lines.append("")
    if model.validators:
        lines.append("Validators: " + ", ".join(
            f"`{v.fact.method}` ({', '.join(f'`{n}`' for n in v.fact.fields)})"
            for v in model.validators
        ))  # fmt: skip
    return "\n".join(lines).rstrip()


@hover_provider("orm.models", order=65)
def model_hover(ctx: HoverContext) -> str | None:
    row = next((m for m in ctx.facts_of(OrmModelFact) if m.line == ctx.line), None)
    if row is None:
        return None
    qualname = row.qualname
    text = ctx.query(lambda store: _from_store(store, qualname))
    if text is None and ctx.facts is not None:  # no folder: the buffer alone
        text = model_markdown(OrmModel.from_files([ctx.facts]), qualname)
    return text


def _from_store(store: Store, qualname: str) -> str | None:
    return model_markdown(model_of(store), qualname)


def _reached(orm: OrmModel, ref: str) -> Model | None:
    """The mapped model a reference or one of its prefixes reaches (``app.models.User.query.
    filter_by`` -> ``app.models.User``)."""
    parts = ref.split(".")
    for end in range(len(parts), 1, -1):
        found = orm.model(".".join(parts[:end]))
        if found is not None:
            return found if found.role == "model" else None
    return None


def uses_markdown(orm: OrmModel, refs: tuple[str, ...]) -> str | None:
    seen: dict[str, Model] = {}
    for ref in refs:
        found = _reached(orm, ref)
        if found is not None:
            seen.setdefault(found.qualname, found)
    lines = []
    for model in list(seen.values())[:3]:
        table = f" · table `{model.table}`" if model.table else ""
        columns = ", ".join(f"`{n}`" for n in model.field_names[:MAX_ROWS])
        lines.append(
            f"**SQLAlchemy model** `{model.qualname}`{table}\n\nColumns: {columns or 'none found'}"
        )
    return "\n\n".join(lines) if lines else None


@hover_provider("orm.uses", order=66)
def use_hover(ctx: HoverContext) -> str | None:
    calls = [c for c in ctx.facts_of(CallFact) if ctx.covers(c)]
    if not calls:
        return None
    ids = {c.call_id for c in calls}
    refs = [c.callee for c in calls if c.callee is not None]
    refs += [a.qualname for a in ctx.facts_of(CallArgFact) if a.call_id in ids and a.qualname]
    if not refs:
        return None
    wanted = tuple(dict.fromkeys(refs))
    text = ctx.query(lambda store: uses_markdown(model_of(store), wanted))
    if text is None and ctx.facts is not None:
        text = uses_markdown(OrmModel.from_files([ctx.facts]), wanted)
    return text
