"""What workspace rules read: the facts of the whole workspace, and the cross-file models.

Some rules cannot judge one file: whether a Flask route is protected depends on its decorators
(its module), on ``before_request`` hooks of its blueprint (often the same module) and of its app
(the factory's module), and on what the factory registers where. Those rules have
``scope="workspace"``: their check takes a ``Workspace`` and yields findings in any of its files
(``auditls.rules.runner.check_workspace`` runs them).

A ``Workspace`` wraps the facts (a ``Store``, or ``FileFacts`` in tests and the fixture runner)
and builds the cross-file models the checks ask for, once and lazily (``workspace.flask`` is
an ``auditls.rules.flask.judge.FlaskJudge``, the Flask model with its judgements); a run whose
selection leaves no workspace rule builds nothing. The language server runs the workspace rules
after each indexing pass (per store revision, not per buffer: a workspace finding in one file
can appear or vanish when *another* file changes) and merges their findings, by path, with the
per-file ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from auditls.facts import Fact, FileFacts
from auditls.facts import django as _django
from auditls.facts import fastapi as _fastapi
from auditls.facts import flask as _flask
from auditls.facts import orm as _orm
from auditls.facts import validation as _validation
from auditls.facts.core import SuppressionFact

if TYPE_CHECKING:
    from auditls.knowledge.taint import Models
    from auditls.models.django import DjangoModel
    from auditls.models.fastapi import FastAPIModel
    from auditls.models.orm import OrmModel
    from auditls.models.validation import ValidationModel
    from auditls.rules.flask.judge import FlaskJudge
    from auditls.store import Store
    from auditls.taint import TaintEngine


#: The cross-file models of a workspace, each with the fact types of the files it links (what
#: ``link.ModelCache`` builds it again for, besides any file's module-level imports).
MODEL_INPUTS: dict[str, tuple[type[Fact], ...]] = {
    "flask": _flask.FACT_TYPES,
    "django": _django.FACT_TYPES,
    "fastapi": _fastapi.FACT_TYPES,
    "orm": _orm.FACT_TYPES,
    "validation": _validation.FACT_TYPES,
}
#: The part of a workspace that reads every file and the taint models.
TAINT = "taint"
#: Anything else a rule reads of a workspace: every file.
EVERYTHING = "*"


def read_parts(attributes: Iterable[str]) -> set[str]:
    """The parts of a workspace (``MODEL_INPUTS``, ``TAINT``, ``EVERYTHING``) that reading
    these attributes of a ``Workspace`` reads."""
    return {a if a in MODEL_INPUTS or a == TAINT else EVERYTHING for a in attributes}


class Watched:
    """A workspace that notes which of its attributes a rule reads (``read``), so that the
    findings cache can tell which parts of the workspace its findings depend on."""

    def __init__(self, inner: Workspace) -> None:
        self._inner = inner
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> object:
        self.read.add(name)
        return getattr(self._inner, name)


class Workspace:
    """The facts of a whole workspace, with the cross-file models built on first use."""

    def __init__(
        self, source: Store | Sequence[FileFacts], taint_models: Models | None = None
    ) -> None:
        self._source = source
        self._taint_models = taint_models

    @cached_property
    def flask(self) -> FlaskJudge:
        """The Flask model and its judgements; for a store, the one cached per store revision
        (which the hover shares), so call this on the thread that owns the store."""
        from auditls.rules.flask.judge import FlaskJudge, judge_of

        if isinstance(self._source, Sequence):
            return FlaskJudge.from_files(self._source)
        return judge_of(self._source)

    @cached_property
    def django(self) -> DjangoModel:
        """The Django model; for a store, the one cached per store revision (which the hover
        shares), so call this on the thread that owns the store."""
        from auditls.models.django import DjangoModel, model_of

        if isinstance(self._source, Sequence):
            return DjangoModel.from_files(self._source)
        return model_of(self._source)

    @cached_property
    def fastapi(self) -> FastAPIModel:
        """The FastAPI model; for a store, the one cached per store revision (which the hover
        shares), so call this on the thread that owns the store."""
        from auditls.models.fastapi import FastAPIModel, model_of

        if isinstance(self._source, Sequence):
            return FastAPIModel.from_files(self._source)
        return model_of(self._source)

    @cached_property
    def orm(self) -> OrmModel:
        """The SQLAlchemy models; for a store, the one cached per store revision (which the
        hover shares)."""
        from auditls.models.orm import OrmModel, model_of

        if isinstance(self._source, Sequence):
            return OrmModel.from_files(self._source)
        return model_of(self._source)

    @cached_property
    def validation(self) -> ValidationModel:
        """The validation model (schemas, forms, serializers); for a store, the one cached
        per store revision (which the hover shares)."""
        from auditls.models.validation import ValidationModel, model_of

        if isinstance(self._source, Sequence):
            return ValidationModel.from_files(self._source)
        return model_of(self._source)

    @cached_property
    def taint(self) -> TaintEngine:
        """The taint engine; for a store, the one cached per store revision."""
        from auditls.knowledge.taint import DEFAULT_MODELS
        from auditls.taint import engine_of_files, taint_of

        models = self._taint_models or DEFAULT_MODELS
        if isinstance(self._source, Sequence):
            return engine_of_files(self._source, models)
        return taint_of(self._source, models)

    def suppressions(self, paths: Iterable[str]) -> dict[str, list[SuppressionFact]]:
        """The suppression comments of these files."""
        wanted = set(paths)
        out: dict[str, list[SuppressionFact]] = defaultdict(list)
        if isinstance(self._source, Sequence):
            for ff in self._source:
                if ff.path in wanted:
                    out[ff.path] = ff.of(SuppressionFact)
            return out
        for path, facts in self._source.facts_of_files(SuppressionFact, wanted).items():
            out[path] = facts
        return out
