"""A registry of providers by name and order: what a domain plugs into a handler that never
changes (hover sections, workspace symbols). Providers run by ``order``, then name; registering
a name again replaces its provider."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P", bound=Callable[..., object])


@dataclass(frozen=True, slots=True)
class Registered(Generic[P]):
    order: int
    name: str
    provider: P


class Providers(Generic[P]):
    """The providers of one kind, in the order they run."""

    def __init__(self) -> None:
        self.registered: list[Registered[P]] = []

    def register(self, name: str, *, order: int = 100) -> Callable[[P], P]:
        def add(fn: P) -> P:
            self.registered[:] = [p for p in self.registered if p.name != name]
            self.registered.append(Registered(order, name, fn))
            self.registered.sort(key=lambda p: (p.order, p.name))
            return fn

        return add

    def names(self) -> list[str]:
        return [p.name for p in self.registered]

    def __iter__(self) -> Iterator[Registered[P]]:
        return iter(list(self.registered))
