"""Arguments and literal values of the calls the Flask extractors read, and where a
configuration value comes from (the environment, a random generator, a literal)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable

from auditls.extractors.literals import literal_json
from auditls.extractors.semantic import Context
from auditls.knowledge.flask import ENV_GETTERS, ENV_MAPPINGS, RANDOM_CALLS


def argument(call: ast.Call, position: int | None, *keywords: str) -> ast.expr | None:
    """The argument at ``position`` or named by one of ``keywords``; None when not passed."""
    for kw in call.keywords:
        if kw.arg is not None and kw.arg in keywords:
            return kw.value
    if position is not None and 0 <= position < len(call.args):
        arg = call.args[position]
        if not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return arg
    return None


def literal(node: ast.AST | None) -> object:
    """The Python value of a literal argument, or None (also for a literal None)."""
    text = literal_json(node)
    return None if text is None else json.loads(text)


def literal_str(node: ast.AST | None) -> str | None:
    value = literal(node)
    return value if isinstance(value, str) else None


def literal_strs(node: ast.AST | None) -> tuple[str, ...] | None:
    """A literal string or list/tuple/set of strings as a tuple; None when not literal."""
    value = literal(node)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def literal_bool(node: ast.AST | None) -> bool | None:
    value = literal(node)
    return value if isinstance(value, bool) else None


def keyword_texts(ctx: Context, call: ast.Call, skip: Iterable[str] = ()) -> tuple[str, ...]:
    skipped = frozenset(skip)
    return tuple(
        f"{kw.arg}={ctx.text_of(kw.value)}" if kw.arg else f"**{ctx.text_of(kw.value)}"
        for kw in call.keywords
        if kw.arg not in skipped
    )


def text(ctx: Context, node: ast.AST | None) -> str | None:
    return ctx.text_of(node) if node is not None else None


def env_var_of(ctx: Context, node: ast.AST) -> tuple[bool, str | None, ast.expr | None]:
    """Whether ``node`` reads the environment; the variable's name; the literal fallback."""
    if isinstance(node, ast.Call):
        callee = ctx.qualname(node.func)
        if callee in ENV_GETTERS:
            default = argument(node, 1, "default")
            return True, literal_str(argument(node, 0, "key")), default
        return False, None, None
    if isinstance(node, ast.Subscript) and ctx.qualname(node.value) in ENV_MAPPINGS:
        return True, literal_str(node.slice), None
    return False, None, None


def classify_value(ctx: Context, node: ast.expr) -> tuple[str, str | None, str | None]:
    """``(source, value JSON, env var)`` of a configuration value (see CONFIG_SOURCES).

    Looks through the few shapes configuration code takes: ``os.environ.get("K", "dev")``,
    ``os.environ.get("K") or "dev"``, ``int(os.environ["K"])``,
    ``os.getenv("K", "0").lower() in ("1", "true")``, ``secrets.token_hex(32)``.
    """
    value = literal_json(node)
    if value is not None:
        return "literal", value, None
    current: ast.expr = node
    fallback: ast.expr | None = None
    for _ in range(6):  # a few layers of conversion, comparison and `or` fallbacks
        is_env, var, default = env_var_of(ctx, current)
        if is_env:
            chosen = default if default is not None else fallback
            fallback_json = literal_json(chosen) if chosen is not None else None
            if fallback_json is not None and fallback_json != "null":
                return "env_default", fallback_json, var
            return "env", None, var
        if isinstance(current, ast.BoolOp) and isinstance(current.op, ast.Or):
            last = current.values[-1]
            fallback = last if literal_json(last) is not None else None
            current = current.values[0]
        elif isinstance(current, ast.Call):
            if ctx.qualname(current.func) in RANDOM_CALLS:
                return "random", None, None
            if isinstance(current.func, ast.Attribute) and not current.args:
                current = current.func.value  # os.environ.get("K", "").lower()
            elif len(current.args) == 1:
                current = current.args[0]  # int(...), str(uuid.uuid4())
            else:
                break
        elif isinstance(current, ast.Compare):
            current = current.left
        else:
            break
    return "unknown", None, None
