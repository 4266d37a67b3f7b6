"""Hover on the types of a file, from its own facts (no store query): what a protocol asks
for, a TypedDict's keys, what a type variable or alias stands for (the class the semantic model
reads a value annotated with it as), an overloaded function's signatures, and the values of a
``Literal`` type (a FastAPI parameter or Pydantic field typed with one starts no taint path)."""

from __future__ import annotations

from auditls.facts.typeinfo import (
    GenericFact,
    LiteralFact,
    OverloadFact,
    ProtocolFact,
    TypedDictFact,
)
from auditls.server.hover import HoverContext, hover_provider

_KINDS = {
    "typevar": "Type variable", "paramspec": "ParamSpec", "typevartuple": "TypeVarTuple",
    "newtype": "NewType", "generic_class": "Generic class", "generic_function": "Generic function",
    "type_alias": "Type alias",
}  # fmt: skip


def _short(qualname: str) -> str:
    return qualname.rpartition(".")[2]


def protocol_markdown(fact: ProtocolFact) -> str:
    lines = [f"**Protocol** `{fact.qualname}`"]
    if fact.runtime_checkable:
        lines[0] += " · runtime-checkable (`isinstance()` checks its members exist)"
    lines += ["", "Members: " + (", ".join(f"`{m}`" for m in fact.members) or "none")]
    if fact.bases:
        lines.append("Extends: " + ", ".join(f"`{b}`" for b in fact.bases))
    return "\n".join(lines)


def typed_dict_markdown(fact: TypedDictFact) -> str:
    form = "class form" if fact.form == "class" else "functional form"
    lines = [f"**TypedDict** `{fact.qualname}` · {form}, total={fact.total}", ""]
    required = set(fact.required)
    for key in fact.keys:
        name = key.partition(":")[0]
        lines.append(f"- `{key}`" + ("" if name in required else " (may be missing)"))
    return "\n".join(lines)


def generic_markdown(fact: GenericFact) -> str:
    title = f"**{_KINDS.get(fact.kind, fact.kind)}** `{_short(fact.qualname)}`"
    if fact.syntax == "pep695":
        title += " · PEP 695 syntax"
    lines = [title]
    if fact.params:
        lines.append("Type parameters: " + ", ".join(f"`{p}`" for p in fact.params))
    if fact.constraints:
        lines.append("One of: " + ", ".join(f"`{c}`" for c in fact.constraints))
    if fact.bound is not None:
        if fact.kind == "newtype":
            lines.append(f"A distinct `{fact.bound}`.")
        else:
            lines.append(
                f"Stands for `{fact.bound}`: auditls reads a value annotated with it as an "
                f"instance of `{fact.bound}` (its method calls resolve there)."
            )
    return "\n\n".join(lines)


def overload_markdown(fact: OverloadFact) -> str:
    lines = [f"**Overloaded** `{fact.qualname}` · {fact.overloads} signatures"]
    if not fact.implementation:
        lines[0] += ", no implementation in this file"
    lines.append("")
    lines += [f"- `{s}`" for s in fact.signatures]
    return "\n".join(lines)


def literal_markdown(fact: LiteralFact) -> str:
    via = f" (through `{fact.alias}`)" if fact.alias else ""
    target = "the return value" if fact.where == "return" else f"`{fact.target}`"
    return (
        f"**Literal** {target}{via} is one of {', '.join(f'`{v}`' for v in fact.values)}.\n\n"
        "FastAPI and Pydantic refuse any other value (422): a parameter or field typed with it "
        "starts no taint path."
    )


@hover_provider("typeinfo.declarations", order=70)
def types_hover(ctx: HoverContext) -> str | None:
    """Every type declaration that starts on the hovered line; a ``Literal`` under the cursor."""
    sections = [protocol_markdown(f) for f in ctx.facts_of(ProtocolFact) if f.line == ctx.line]
    sections += [typed_dict_markdown(f) for f in ctx.facts_of(TypedDictFact) if f.line == ctx.line]
    sections += [generic_markdown(f) for f in ctx.facts_of(GenericFact) if f.line == ctx.line]
    sections += [overload_markdown(f) for f in ctx.facts_of(OverloadFact) if f.line == ctx.line]
    sections += [literal_markdown(f) for f in ctx.facts_of(LiteralFact) if ctx.covers(f)]
    return "\n\n".join(sections) if sections else None
