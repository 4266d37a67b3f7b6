"""``FastAPIModel``: a workspace's FastAPI applications, routers and path operations linked
across files, and ``model_of``.

1. **Mounts.** Each ``include_router(router, prefix=...)`` mounts a router in an app or another
   router (references followed through imports with the linker). An operation's full paths are
   its path under its router's own prefix and every chain of mounts up to an app; an operation
   of a router no app includes keeps its router-relative path.
2. **Dependencies** of an operation: those of its parameters, its decorator's
   ``dependencies=[...]``, its router's and every mount's and app's on the way.
   A parameter annotated with a type alias of another module (``db: SessionDep``,
   ``user: CurrentUser``, ``CurrentUser = Annotated[User, Depends(get_current_user)]`` in
   ``deps.py``) depends on the alias's callable (``models.fastapi.aliases``).
3. **Authentication**: a dependency authenticates when it is a security scheme instance
   (``OAuth2PasswordBearer(...)``, ``HTTPBearer()``, ``APIKeyHeader(...)``; not one created
   with ``auto_error=False``), or a workspace function that raises ``HTTPException`` with 401
   or 403 or depends (transitively) on one that authenticates. An operation that raises 401/403
   itself checks for itself.

Nothing here reads source, imports the analysed code, or writes SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Self

from auditls.facts import FileFacts
from auditls.facts.fastapi import (
    FACT_TYPES,
    FastAPIAliasFact,
    FastAPIDependencyFact,
    FastAPIOperationFact,
    FastAPIRouterFact,
)
from auditls.link import Linker, ModelCache, Site, link_of
from auditls.models.fastapi.aliases import Alias

if TYPE_CHECKING:
    from auditls.store import Store

#: Mount chains longer than this are cut (a router including itself, directly or not).
_MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class Operation:
    """A path operation with what the workspace says about it."""

    site: Site[FastAPIOperationFact]
    paths: tuple[str, ...]  # full paths, prefixes joined (sorted)
    dependencies: tuple[str, ...]  # every dependency that applies, resolved, in order
    auth: tuple[str, ...]  # those that authenticate
    checks_itself: bool  # the endpoint raises 401/403 itself

    @property
    def fact(self) -> FastAPIOperationFact:
        return self.site.fact

    @property
    def authenticated(self) -> bool:
        return bool(self.auth) or self.checks_itself


def _join(*parts: str | None) -> str:
    out = "".join(p.rstrip("/") if i < len(parts) - 1 else p for i, p in enumerate(parts) if p)
    return out or "/"


class FastAPIModel:
    """Every FastAPI object of a workspace, linked."""

    def __init__(self, link: Linker) -> None:
        self.link = link
        self.operation_rows = link.sites(FastAPIOperationFact)
        self.router_rows = link.sites(FastAPIRouterFact)
        self.dependency_rows = {
            link.resolve(s.fact.qualname): s for s in link.sites(FastAPIDependencyFact)
        }
        #: Type aliases by qualified name: what a parameter annotated with one holds.
        self.aliases = {
            s.fact.qualname: Alias(s.fact.role, s.fact.annotation, s.fact.dependency)
            for s in link.sites(FastAPIAliasFact)
        }

    def alias(self, ref: str) -> Alias | None:
        """The type alias a parameter's type names, through imports and re-exports."""
        if not self.aliases:
            return None
        return self.aliases.get(ref) or self.aliases.get(self.link.resolve(ref))

    @cached_property
    def param_dependencies(self) -> dict[str, list[str]]:
        """Function -> the dependencies its parameters declare through type aliases of other
        modules (``user: CurrentUser``), in parameter order."""
        out: dict[str, list[str]] = defaultdict(list)
        if not self.aliases:
            return out
        for (function, _), param in sorted(
            self.link.params.items(), key=lambda item: (item[0][0], item[1].position)
        ):
            ref = param.annotation_qualname
            alias = self.alias(ref) if ref else None
            if alias is not None and alias.role == "dependency" and alias.dependency:
                out[function].append(alias.dependency)
        return out

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> Self:
        return cls(Linker.from_files(files))

    @classmethod
    def from_store(cls, store: Store) -> Self:
        return cls(link_of(store, FACT_TYPES))

    # -- apps, routers, mounts --------------------------------------------------------------------

    @cached_property
    def routers(self) -> dict[str, Site[FastAPIRouterFact]]:
        """Apps and routers by resolved name."""
        return {
            self.link.resolve(s.fact.name): s
            for s in self.router_rows
            if s.fact.kind in ("app", "router")
        }

    @cached_property
    def mounts(self) -> dict[str, list[Site[FastAPIRouterFact]]]:
        """Router -> the ``include_router`` rows that mount it."""
        out: dict[str, list[Site[FastAPIRouterFact]]] = defaultdict(list)
        for s in self.router_rows:
            if s.fact.kind == "include" and s.fact.target:
                out[self.link.resolve(s.fact.target)].append(s)
        return out

    def _chains(self, router: str, depth: int = 0) -> list[tuple[str, tuple[str, ...]]]:
        """(prefix, dependencies) of every way ``router`` is reached from an app (or from
        nothing, when no app includes it), its own prefix and dependencies included."""
        own = self.routers.get(router)
        prefix = own.fact.prefix if own is not None else None
        deps = own.fact.dependencies if own is not None else ()
        mounts = self.mounts.get(router, [])
        if not mounts or depth >= _MAX_DEPTH:
            return [(prefix or "", deps)]
        out: list[tuple[str, tuple[str, ...]]] = []
        for mount in mounts:
            parent = self.link.resolve(mount.fact.name)
            for above, above_deps in self._chains(parent, depth + 1):
                out.append((
                    _join(above, mount.fact.prefix, prefix),
                    (*above_deps, *mount.fact.dependencies, *deps),
                ))  # fmt: skip
        return out

    # -- authentication ---------------------------------------------------------------------------

    def authenticates(self, ref: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a dependency refuses a request without a credential."""
        name = self.link.resolve(ref)
        if name in seen or len(seen) > _MAX_DEPTH:
            return False
        row = self.dependency_rows.get(name)
        through = self.param_dependencies.get(name, ())
        if row is None and not through:
            return False
        if row is not None and row.fact.kind == "scheme":
            return not row.fact.optional
        deps = (*(row.fact.dependencies if row is not None else ()), *through)
        denies = row is not None and row.fact.denies
        return denies or any(self.authenticates(d, seen | {name}) for d in deps)

    # -- operations -------------------------------------------------------------------------------

    @cached_property
    def operations(self) -> list[Operation]:
        out: list[Operation] = []
        for site in self.operation_rows:
            fact = site.fact
            owner = self.link.resolve(fact.owner) if fact.owner else ""
            chains = self._chains(owner) if owner else [("", ())]
            endpoint = self.link.resolve(fact.endpoint)
            own = self.dependency_rows.get(endpoint)
            own_deps = (
                *(own.fact.dependencies if own is not None else ()),
                *self.param_dependencies.get(endpoint, ()),
            )
            deps: list[str] = []
            for _, chain_deps in chains:
                deps.extend(chain_deps)
            deps.extend(fact.dependencies)
            deps.extend(own_deps)
            resolved = tuple(dict.fromkeys(self.link.resolve(d) for d in deps))
            out.append(
                Operation(
                    site=site,
                    paths=tuple(sorted({_join(prefix, fact.path or "") for prefix, _ in chains})),
                    dependencies=resolved,
                    auth=tuple(d for d in resolved if self.authenticates(d)),
                    checks_itself=own is not None and own.fact.denies,
                )
            )
        return out

    def operations_of(self, endpoint: str) -> list[Operation]:
        name = self.link.resolve(endpoint)
        return [op for op in self.operations if self.link.resolve(op.fact.endpoint) == name]


#: The model of a store (``link.ModelCache``: built again only when a file with its facts
#: changed).
model_of: ModelCache[FastAPIModel] = ModelCache(FACT_TYPES, FastAPIModel.from_store)
