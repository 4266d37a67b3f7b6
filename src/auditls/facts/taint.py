"""STUB (replaced by branch t1): the taint domain's facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from auditls.facts import Fact


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowFact(Fact):
    """One movement of values inside a function."""

    TABLE: ClassVar[str] = "python_flows"

    function: str  # enclosing function
    target: str  # receiver of the value
    inputs: tuple[str, ...]  # what the value is made of
    how: str  # how
    call_id: int | None  # call
    position: int | None  # position
    keyword: str | None  # keyword


FACT_TYPES: tuple[type[Fact], ...] = (FlowFact,)
