"""``FlaskModel``: the Flask objects of a workspace, linked, with every query; and ``model_of``,
the model of a store cached per store revision. Judgements (is this route guarded?) are the
rules': ``auditls.rules.flask.judge.FlaskJudge`` extends this model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Self, TypeVar, cast

from auditls.facts import FileFacts
from auditls.facts.flask import FACT_TYPES as FLASK_FACT_TYPES
from auditls.facts.security import AuthPatternFact, CsrfFact
from auditls.link import Linker, ModelCache, link_of
from auditls.models.flask.build import build
from auditls.models.flask.config import ConfigQueries
from auditls.models.flask.routes import RouteQueries

if TYPE_CHECKING:
    from auditls.store import Store


class FlaskModel(RouteQueries, ConfigQueries):
    """Every Flask object of a workspace, linked. Build with ``from_store`` or ``from_files``
    (or over a ``Linker`` of the files with Flask rows)."""

    def __init__(self, link: Linker) -> None:
        super().__init__(link)
        build(self)

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> Self:
        """A model of these files (tests, the fixture runner, one-off analyses)."""
        return cls(Linker.from_files(files))

    @classmethod
    def from_store(cls, store: Store) -> Self:
        """A model of the workspace in ``store``: the facts of every file with Flask rows, and
        the module-level imports of every file (re-exports often live in files that never
        mention flask). The linker is the store's, cached per revision (``link_of``); of those
        files it keeps the Flask rows, the security rows the model reads, and what it links."""
        return cls(link_of(store, FLASK_FACT_TYPES, reads=(AuthPatternFact, CsrfFact)))


M = TypeVar("M", bound=FlaskModel)

_CACHES: dict[type[FlaskModel], ModelCache[FlaskModel]] = {}


def model_of(store: Store, kind: type[M]) -> M:
    """The model of a store as ``kind`` (``FlaskModel`` or a subclass), built again only when a
    file with Flask rows changed or any file's imports did (``ModelCache``). Call it on the
    thread that owns the store (the language server's ``engine.query`` does)."""
    cache = _CACHES.get(kind)
    if cache is None:
        cache = _CACHES[kind] = ModelCache(FLASK_FACT_TYPES, kind.from_store)
    return cast("M", cache(store))  # built by kind.from_store above


def counts(model: FlaskModel) -> dict[str, int]:
    """Rows of each Flask table in the model (for reports)."""
    return {t.TABLE: len(model.of(t)) for t in FLASK_FACT_TYPES}
