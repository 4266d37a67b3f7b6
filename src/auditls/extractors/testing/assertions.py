"""Assertions (Block 2: ``extract_unittest_assertions``): ``self.assertX(...)`` calls with
the comparison they make, plain ``assert`` statements in test code with their operands, and
pytest's ``raises`` / ``warns`` / ``approx``.

A plain ``assert`` is recorded in test code only: in a test file, or in a function named
``test*`` (an ``assert`` in application code is the security domain's business: AUD309).
"""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context
from auditls.extractors.testing.common import argument, is_test_file, is_test_name
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import AssertionFact
from auditls.knowledge.testing import (
    ASSERT_COMPARE,
    ASSERT_METHODS,
    ASSERT_STATEMENT,
    PYTEST_ASSERTS,
)

_COMPARE_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
    ast.NotIn: "not in", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}  # fmt: skip


@register
class AssertionsExtractor(Extractor):
    """python_test_assertions."""

    name = "testing.unittest_assertions"
    fact_types = (AssertionFact,)
    qualnames = (PYTEST_ASSERTS,)
    names = (ASSERT_METHODS, ASSERT_STATEMENT)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.test_file = is_test_file(ctx)

    def visit_Assert(self, node: ast.Assert) -> None:
        ctx = self.ctx
        if not self.test_file and not is_test_name(ctx.function.rpartition(".")[2]):
            return
        test = node.test
        compare, left, right = "truth", test, None
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            compare = _COMPARE_OPS.get(type(test.ops[0]), "?")
            left, right = test.left, test.comparators[0]
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            compare, left = "not", test.operand
        self._emit(node, "assert", compare, left, right, node.msg)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ASSERT_METHODS:
            receiver = func.value
            if not (isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")):
                return
            method = func.attr
            self._emit(
                node, method, ASSERT_COMPARE.get(method), argument(node, 0, "first"),
                argument(node, 1, "second"), argument(node, None, "msg"),
            )  # fmt: skip
            return
        kind = PYTEST_ASSERTS.get(self.ctx.qualname(func) or "")
        if kind is not None:
            self._emit(node, kind, kind, argument(node, 0, None), argument(node, 1, None),
                       argument(node, None, "match"))  # fmt: skip

    def _emit(
        self, node: ast.AST, kind: str, compare: str | None, left: ast.expr | None,
        right: ast.expr | None, message: ast.expr | None,
    ) -> None:  # fmt: skip
        text = self.ctx.text_of
        self.emit(
            AssertionFact(
                **self.ctx.pos(node), function=self.ctx.function, kind=kind, compare=compare,
                left=text(left, 120) if left is not None else None,
                right=text(right, 120) if right is not None else None,
                message=text(message, 120) if message is not None else None,
            )
        )  # fmt: skip
