"""Celery as data: what declares a task, and where periodic runs are scheduled. Read by
``auditls.extractors.celery``; how a queued call passes its arguments to the task is in
``auditls.knowledge.dispatch``, the serializer settings in ``auditls.knowledge.security``."""

from __future__ import annotations

#: Task decorators, with or without arguments (``@app.task(bind=True)``, ``@shared_task``).
TASK_DECORATORS = frozenset({
    "celery.shared_task", "celery.app.shared_task", "celery.Celery.task",
    "celery.app.Celery.task", "celery.app.base.Celery.task",
})  # fmt: skip
#: Settings that hold the beat schedule: ``app.conf.beat_schedule`` (resolved) and names.
BEAT_ATTRIBUTES = frozenset({
    "celery.Celery.conf.beat_schedule", "celery.app.Celery.conf.beat_schedule",
    "celery.app.base.Celery.conf.beat_schedule",
})  # fmt: skip
BEAT_NAMES = frozenset({"beat_schedule", "CELERY_BEAT_SCHEDULE", "CELERYBEAT_SCHEDULE"})
#: ``sender.add_periodic_task(schedule, signature, name=...)``, by method name (the sender of
#: ``on_after_configure`` is the app, of a type the extractor does not see).
PERIODIC_METHOD = "add_periodic_task"
#: A task's methods that make a signature for a schedule.
SIGNATURE_METHODS = frozenset({"s", "si", "signature"})
