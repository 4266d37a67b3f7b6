"""Hypothesis (Block 2: ``extract_hypothesis_strategies``): ``@given`` with the strategies its
arguments call, ``@settings``, ``@example``, ``@seed``.

The strategies are the calls inside the ``@given(...)`` decorator that resolve under
``hypothesis.strategies`` (or ``hypothesis.extra``): the walker visits the decorator's
arguments after the decorator call itself and leaves it after them, so the row is emitted on
leaving, with every strategy seen inside its span.
"""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context
from auditls.extractors.testing.common import arguments_text
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import HypothesisFact
from auditls.knowledge.testing import HYPOTHESIS_DECORATORS, STRATEGY_MODULES


@register
class StrategiesExtractor(Extractor):
    """python_hypothesis."""

    name = "testing.hypothesis_strategies"
    fact_types = (HypothesisFact,)
    qualnames = (HYPOTHESIS_DECORATORS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        #: The decorator call being walked, with the strategies seen so far inside it.
        self.open: tuple[ast.Call, str, str, list[str]] | None = None

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        if callee is None:
            return
        if self.open is not None:
            if callee.startswith(STRATEGY_MODULES) and callee not in self.open[3]:
                self.open[3].append(callee)
            return
        kind = HYPOTHESIS_DECORATORS.get(callee)
        stmt = ctx.stmts[-1] if ctx.stmts else None
        if kind is None or not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            return
        if not any(dec is node for dec in stmt.decorator_list):
            return
        self.open = (node, kind, ctx.def_qualname(stmt), [])

    def leave_Call(self, node: ast.Call) -> None:
        current = self.open
        if current is None or current[0] is not node:
            return
        self.open = None
        _, kind, target, strategies = current
        self.emit(
            HypothesisFact(
                **self.ctx.pos(node), target=target, kind=kind,
                arguments=arguments_text(self.ctx, node), strategies=tuple(strategies),
            )
        )  # fmt: skip
