"""Fact dataclasses of the Celery extractors (issue 13).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class CeleryTaskFact(Fact):
    """A task: a function decorated with ``@app.task`` or ``@shared_task``."""

    TABLE: ClassVar[str] = "python_celery_tasks"

    qualname: str  # the function's qualified name
    decorator: str  # the decorator as resolved (`celery.shared_task`, `celery.Celery.task`)
    name: str | None  # the `name=` it is registered under, when a literal
    bind: bool  # bind=True: the first parameter is the task itself


@fact
class CeleryBeatFact(Fact):
    """A periodic run: an entry of the beat schedule (``app.conf.beat_schedule = {...}``,
    ``CELERY_BEAT_SCHEDULE``) or an ``add_periodic_task`` call."""

    TABLE: ClassVar[str] = "python_celery_beat"

    function: str  # enclosing function's qualified name (module name at top level)
    entry: str | None  # the schedule entry's key or `name=`, when a literal
    task: str | None  # the task: its registered name as written ("proj.tasks.purge") or the
    # task function's reference (`ping.s()` -> "proj.tasks.ping")
    schedule: str  # the schedule as written (`crontab(hour=3)`, `30.0`), cut to 200 characters
    via: str  # beat_schedule | add_periodic_task


FACT_TYPES: tuple[type[Fact], ...] = (CeleryTaskFact, CeleryBeatFact)
