"""What the extractors say of a value expression without resolving names: its kind
(``value_kind``: a literal, a formatted string, a name, a call...) and, for a literal, its value as
JSON (``literal_json``). Beside the semantic model (``auditls.extractors.semantic``), which
resolves names."""

from __future__ import annotations

import ast
import json

_FORMATTED = ("fstring", "percent_format", "format_call", "concat")


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def value_kind(node: ast.AST) -> str:
    """Classify an expression (see facts.VALUE_KINDS)."""
    cls = type(node)
    if cls is ast.Constant:
        return "constant"
    if cls is ast.Name:
        return "name"
    if cls is ast.Attribute:
        return "attribute"
    if cls is ast.JoinedStr:
        assert isinstance(node, ast.JoinedStr)
        return (
            "fstring" if any(isinstance(v, ast.FormattedValue) for v in node.values) else "constant"
        )
    if cls is ast.Call:
        assert isinstance(node, ast.Call)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format" and _is_str(func.value):
            return "format_call"
        return "call"
    if cls is ast.BinOp:
        assert isinstance(node, ast.BinOp)
        if isinstance(node.op, ast.Mod) and (
            _is_str(node.left) or isinstance(node.left, ast.JoinedStr)
        ):
            return "percent_format"
        if isinstance(node.op, ast.Add):
            return _add_kind(node)
        return "other"
    if cls in (ast.List, ast.Tuple, ast.Set, ast.Dict):
        return "container"
    if cls is ast.Subscript:
        return "subscript"
    if cls is ast.UnaryOp and isinstance(node.operand, ast.Constant):  # type: ignore[attr-defined]
        return "constant"
    return "other"


def _add_kind(node: ast.BinOp) -> str:
    """`+` chains: "concat" when a string takes part, "constant" when every part is literal."""
    operands: list[ast.AST] = []
    cur: ast.AST = node
    while isinstance(cur, ast.BinOp) and isinstance(
        cur.op, ast.Add
    ):  # the left spine, no recursion
        operands.append(cur.right)
        cur = cur.left
    operands.append(cur)
    kinds = [value_kind(o) if not isinstance(o, ast.BinOp) else "other" for o in operands]
    stringy = any(_is_str(o) or k in _FORMATTED for o, k in zip(operands, kinds, strict=True))
    if all(k == "constant" for k in kinds):
        return "constant"
    return "concat" if stringy else "other"


class _NotLiteral(Exception):
    pass


def _literal(node: ast.AST, depth: int) -> object:
    if depth > 20:
        raise _NotLiteral
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bytes):
            return v.decode("utf-8", errors="backslashreplace")
        if v is Ellipsis or isinstance(v, complex):
            raise _NotLiteral
        return v
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)  # type: ignore[attr-defined]
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        v = node.operand.value
        if isinstance(node.op, ast.USub) and isinstance(v, int | float) and not isinstance(v, bool):
            return -v
        if isinstance(node.op, ast.UAdd) and isinstance(v, int | float):
            return v
        raise _NotLiteral
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        if len(node.elts) > 100:
            raise _NotLiteral
        return [_literal(e, depth + 1) for e in node.elts]
    if isinstance(node, ast.Dict):
        if len(node.keys) > 100:
            raise _NotLiteral
        out: dict[str, object] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise _NotLiteral
            key = _literal(key_node, depth + 1)
            if not isinstance(key, str):
                raise _NotLiteral
            out[key] = _literal(value_node, depth + 1)
        return out
    raise _NotLiteral


_encode_ascii = json.encoder.encode_basestring_ascii  # the C encoder json.dumps uses


def literal_json(node: ast.AST | None) -> str | None:
    """JSON text of a literal value (constants and containers of constants), else None."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):  # fast paths for the common scalars
        v = node.value
        if v is True or v is False:
            return "true" if v else "false"
        if v is None:
            return "null"
        if v.__class__ is int:
            return str(v)
        if isinstance(v, str) and len(v) < 1000 and v.isascii():
            return str(_encode_ascii(v))
    try:
        value = _literal(node, 0)
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (_NotLiteral, ValueError, TypeError):
        return None
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ('\ud800'): keep it as a JSON escape
            text = json.dumps(value, allow_nan=False, ensure_ascii=True)
    return text if len(text) <= 4000 else None
