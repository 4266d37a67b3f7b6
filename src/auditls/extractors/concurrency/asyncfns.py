"""Async functions: each ``async def`` with its kind (a coroutine function, or an async
generator when its own body yields) and what its own body does asynchronously. The counts stop
at nested functions and classes (they are facts of their own)."""

from __future__ import annotations

import ast

from auditls.extractors.walker import Extractor, register
from auditls.facts.concurrency import AsyncFunctionFact

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(node: ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of a function's own body (not of the functions and classes nested in it)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(node.body)
    while stack:
        item = stack.pop()
        out.append(item)
        for child in ast.iter_child_nodes(item):
            if not isinstance(child, _NESTED):
                stack.append(child)
    return out


@register
class AsyncFunctionsExtractor(Extractor):
    """python_async_functions."""

    name = "concurrency.asyncfns"
    fact_types = (AsyncFunctionFact,)
    fragments = (("async def",),)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if not isinstance(node, ast.AsyncFunctionDef):
            return
        own = _own_nodes(node)
        kinds = [n.__class__ for n in own]
        comprehensions = sum(
            1 for n in own if isinstance(n, ast.comprehension) and n.is_async
        )  # fmt: skip
        self.emit(
            AsyncFunctionFact(
                **self.ctx.pos(node),
                qualname=self.ctx.def_qualname(node),
                kind="async_generator"
                if ast.Yield in kinds or ast.YieldFrom in kinds
                else "coroutine",
                awaits=kinds.count(ast.Await),
                async_for=kinds.count(ast.AsyncFor) + comprehensions,
                async_with=kinds.count(ast.AsyncWith),
            )
        )
