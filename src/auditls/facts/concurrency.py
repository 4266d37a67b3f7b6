"""Fact dataclasses of the concurrency extractors (issue 17, Phase 2 async).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class AsyncFunctionFact(Fact):
    """An ``async def``: a coroutine function, or an async generator (it yields), with what its
    own body does asynchronously (nested functions count for themselves)."""

    TABLE: ClassVar[str] = "python_async_functions"

    qualname: str  # the function's qualified name
    kind: str  # coroutine | async_generator
    awaits: int  # `await` expressions in its body
    async_for: int  # `async for` loops and async comprehensions
    async_with: int  # `async with` statements


FACT_TYPES: tuple[type[Fact], ...] = (AsyncFunctionFact,)
