"""``FlaskModel``: the Flask objects of a workspace, linked, with every query and judgement; and
``model_of``, the model of a store cached per store revision."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from auditls.facts import FileFacts
from auditls.facts.flask import FLASK_FACT_TYPES
from auditls.link import Linker, link_of
from auditls.models.flask.build import build
from auditls.models.flask.judge import FlaskJudge

if TYPE_CHECKING:
    from auditls.store import Store


class FlaskModel(FlaskJudge):
    """Every Flask object of a workspace, linked. Build with ``from_store`` or ``from_files``
    (or over a ``Linker`` of the files with Flask rows)."""

    def __init__(self, link: Linker) -> None:
        super().__init__(link)
        build(self)

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> FlaskModel:
        """A model of these files (tests, the fixture runner, one-off analyses)."""
        return cls(Linker.from_files(files))

    @classmethod
    def from_store(cls, store: Store) -> FlaskModel:
        """A model of the workspace in ``store``: the facts of every file with Flask rows, and
        the module-level imports of every file (re-exports often live in files that never
        mention flask). The linker is the store's, cached per revision (``link_of``)."""
        return cls(link_of(store, FLASK_FACT_TYPES))


_MODELS: weakref.WeakKeyDictionary[Store, tuple[int, FlaskModel]] = weakref.WeakKeyDictionary()


def model_of(store: Store) -> FlaskModel:
    """The model of a store, built again only when the store's revision changed. Call it on the
    thread that owns the store (the language server's ``engine.query`` does)."""
    cached = _MODELS.get(store)
    if cached is not None and cached[0] == store.revision:
        return cached[1]
    model = FlaskModel.from_store(store)
    _MODELS[store] = (store.revision, model)
    return model


def counts(model: FlaskModel) -> dict[str, int]:
    """Rows of each Flask table in the model (for reports)."""
    return {t.TABLE: len(model.of(t)) for t in FLASK_FACT_TYPES}
