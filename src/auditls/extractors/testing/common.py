"""What the testing extractors share: which file is test code, which classes are test cases,
argument helpers.

A file is test code by the rule runner's notion (``knowledge.heuristics.TEST_FILE``: a
``tests/`` directory, ``test_*.py``, ``*_test.py``, ``conftest.py``), so the ``test-code``
setting and these facts agree on what a test file is. Per-walk memory (the test classes seen so
far in this file) lives on ``ctx.shared(TestClasses)``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from auditls.extractors.semantic import Context
from auditls.knowledge.heuristics import TEST_FILE
from auditls.knowledge.testing import CONFTEST, TEST_CLASS_PREFIX, TEST_PREFIX


@dataclass(slots=True)
class TestClass:
    """A class of this file that holds tests."""

    qualname: str
    unittest: bool  # a TestCase subclass (known base) or a candidate (a workspace base)
    direct: bool  # the base is a known TestCase class


@dataclass(slots=True)
class TestClasses:
    """The test classes of one file, by qualified name (``ctx.shared``)."""

    by_name: dict[str, TestClass] = field(default_factory=dict)


def is_test_file(ctx: Context) -> bool:
    return TEST_FILE(ctx.path)


def is_conftest(ctx: Context) -> bool:
    return ctx.path.rpartition("/")[2] == CONFTEST


def directory_of(ctx: Context) -> str:
    return ctx.path.rpartition("/")[0]


def test_class_of(ctx: Context) -> TestClass | None:
    """The test class a def at the current position sits directly in, if any."""
    scope = ctx.scope
    if scope.kind != "class":
        return None
    return ctx.shared(TestClasses).by_name.get(scope.qualname)


def is_test_name(name: str) -> bool:
    return name.startswith(TEST_PREFIX)


def is_test_class_name(name: str) -> bool:
    return name.startswith(TEST_CLASS_PREFIX)


def argument(node: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """The argument passed at ``position`` or by ``keyword``."""
    if keyword is not None:
        for kw in node.keywords:
            if kw.arg == keyword:
                return kw.value
    if position is not None and position < len(node.args):
        arg = node.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def arguments_text(ctx: Context, node: ast.Call, limit: int = 120) -> tuple[str, ...]:
    """Each argument as written, keywords as ``k=v``."""
    out = [ctx.text_of(a, limit) for a in node.args]
    out.extend(
        f"{kw.arg}={ctx.text_of(kw.value, limit)}" if kw.arg else f"**{ctx.text_of(kw.value)}"
        for kw in node.keywords
    )
    return tuple(out)


def str_items(node: ast.AST | None) -> tuple[str, ...]:
    """String literals of a list/tuple display, or a comma-separated string's parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return tuple(p.strip() for p in node.value.split(",") if p.strip())
    if isinstance(node, ast.List | ast.Tuple):
        return tuple(
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    return ()


def called(dec: ast.expr) -> ast.expr:
    """A decorator's callee when it is called, else the decorator."""
    return dec.func if isinstance(dec, ast.Call) else dec
