"""What class an annotation names, for the semantic model (``Context.annotated_class``).

Real code rarely writes a bare class: ``Optional[Session]``, ``Session | None``, ``"Session"``,
``Annotated[Session, Depends(get_db)]`` (FastAPI's idiom), ``type[Session]``, an alias of this
file (``DbDep = Annotated[...]``, ``DbDep: TypeAlias = ...``, ``type DbDep = ...``), a TypeVar
with a bound, a ``NewType``. ``annotated_class`` peels these off, one step at a time and at
most ``MAX_STEPS`` steps, until one class is left; a union of two classes, a TypeVar with
constraints, ``list[Session]`` or anything it cannot read is ``None`` (unknown, never a guess).
A generic class of a library or of the workspace (``Repository[User]``) is its class.

It never parses: a string annotation is read as a dotted name, optionally inside
``Optional[...]`` or beside ``| None``.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from auditls.knowledge.pydantic import TYPE_WRAPPERS
from auditls.knowledge.typeinfo import (
    ANY,
    FIRST_ARGUMENT,
    NEW_TYPES,
    TYPE_ALIAS_MARKS,
    TYPE_VARIABLES,
    UNIONS,
)

if TYPE_CHECKING:
    from auditls.extractors.semantic import Context

__all__ = [
    "NEW_TYPES",
    "TYPE_ALIAS_MARKS",
    "TYPE_VARIABLES",
    "annotated_class",
    "type_alias_value",
    "unwrap_annotation",
]

MAX_STEPS = 12

#: Generic origins that are containers or special forms, not the class of the value.
_NOT_A_CLASS = ("builtins.", "typing.", "typing_extensions.", "collections.")

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_OPTIONAL_TEXT = re.compile(r"(?:typing\.)?Optional\[(.*)\]")


_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated")


def unwrap_annotation(
    ctx: Context, node: ast.expr | None, metadata: list[ast.expr], *, aliases: bool = True
) -> ast.expr | None:
    """The type a parameter or field annotation names, through ``Annotated``, ``Optional``,
    ``Union[X, None]`` and ``X | None`` (and, with ``aliases``, this file's type aliases:
    ``DbDep = Annotated[Session, Depends(get_db)]``); the ``Annotated`` metadata goes to
    ``metadata``, outermost first. At most ``MAX_STEPS`` steps; ``None`` when nothing is left.
    FastAPI's parameters and Pydantic's fields are read through this one function."""
    for _ in range(MAX_STEPS):
        if node is None:
            return None
        if aliases and isinstance(node, ast.Name):
            alias = ctx.type_alias(node)
            if alias is not None:
                node = alias
                continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = node.left, node.right
            node = right if isinstance(left, ast.Constant) and left.value is None else left
            continue
        if isinstance(node, ast.Subscript) and ctx.qualname(node.value) in TYPE_WRAPPERS:
            items = _items(node)
            if ctx.qualname(node.value) in _ANNOTATED:
                metadata.extend(items[1:])
            node = next(
                (i for i in items if not (isinstance(i, ast.Constant) and i.value is None)), None
            )
            continue
        return node
    return None


def _items(node: ast.Subscript) -> list[ast.expr]:
    sl = node.slice
    return list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and (node.value is None or node.value == "None")


def _one(members: list[ast.expr]) -> ast.expr | None:
    """The one member of a union that is not ``None``."""
    rest = [m for m in members if not _is_none(m)]
    return rest[0] if len(rest) == 1 else None


def _union_members(node: ast.BinOp) -> list[ast.expr]:
    out: list[ast.expr] = []
    stack: list[ast.expr] = [node]
    while stack and len(out) < 20:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.BitOr):
            stack.append(item.right)
            stack.append(item.left)
        else:
            out.append(item)
    return out


def _from_text(text: str) -> ast.expr | None:
    """A string annotation as the name it spells: ``"Session"``, ``"orm.Session | None"``."""
    text = text.strip()
    match = _OPTIONAL_TEXT.fullmatch(text)
    if match is not None:
        text = match.group(1).strip()
    parts = [p.strip() for p in text.split("|")] if "|" in text else [text]
    parts = [p for p in parts if p != "None"]
    if len(parts) != 1 or _DOTTED.fullmatch(parts[0]) is None:
        return None
    names = parts[0].split(".")
    node: ast.expr = ast.Name(id=names[0], ctx=ast.Load())
    for attr in names[1:]:
        node = ast.Attribute(value=node, attr=attr, ctx=ast.Load())
    return node


def type_variable_target(ctx: Context, call: ast.Call) -> ast.expr | None:
    """What a ``TypeVar("T", bound=X)`` or ``NewType("N", X)`` call stands for: ``X``; a
    TypeVar with constraints or none is unknown."""
    callee = ctx.qualname(call.func)
    if callee in TYPE_VARIABLES:
        for kw in call.keywords:
            if kw.arg == "bound":
                return kw.value
        return None
    if callee in NEW_TYPES and len(call.args) == 2:
        return call.args[1]
    return None


def annotated_class(ctx: Context, node: ast.expr | None) -> str | None:
    """The class whose instance a value annotated with ``node`` holds, when the model can
    tell (see the module docstring); ``Any`` is unknown."""
    found = _annotated_class(ctx, node)
    return None if found in ANY else found


def _annotated_class(ctx: Context, node: ast.expr | None) -> str | None:
    for _ in range(MAX_STEPS):
        if node is None:
            return None
        cls = node.__class__
        if cls is ast.Name:
            found = ctx.lookup(node.id)  # type: ignore[attr-defined]
            if found is None:
                return ctx.qualname(node)  # a builtin, or unknown
            binding = found[0]
            if binding.qualname is not None:
                return binding.qualname
            alias = binding.alias
            if alias is None:
                return None
            node = type_variable_target(ctx, alias) if isinstance(alias, ast.Call) else alias
        elif cls is ast.Attribute:
            return ctx.qualname(node)
        elif cls is ast.Subscript:
            assert isinstance(node, ast.Subscript)
            base = ctx.qualname(node.value)
            if base is None:
                return None
            if base in FIRST_ARGUMENT:
                node = _items(node)[0]
            elif base in UNIONS:
                node = _one(_items(node))
            elif base.startswith(_NOT_A_CLASS):
                return None
            else:
                return base  # a generic class: `Repository[User]` is a Repository
        elif cls is ast.BinOp:
            assert isinstance(node, ast.BinOp)
            if not isinstance(node.op, ast.BitOr):
                return None
            node = _one(_union_members(node))
        elif cls is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            node = _from_text(value) if isinstance(value, str) and len(value) < 200 else None
        else:
            return None
    return None


def type_alias_value(ctx: Context, node: ast.expr) -> ast.expr | None:
    """The expression a name of this file stands for as a type (``Order`` in ``Order =
    Literal["asc", "desc"]``), followed through aliases of aliases; None when ``node`` is not
    such a name."""
    seen = 0
    found: ast.expr | None = None
    while isinstance(node, ast.Name) and seen < MAX_STEPS:
        hit = ctx.lookup(node.id)
        if hit is None or hit[0].alias is None or isinstance(hit[0].alias, ast.Call):
            break
        node = found = hit[0].alias
        seen += 1
    return found
