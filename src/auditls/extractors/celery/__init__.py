"""Celery extractors (issue 13). Importing this package registers them:

- ``tasks``: task functions, and the beat schedule's entries and ``add_periodic_task`` calls.

What the Celery APIs are is knowledge: ``auditls.knowledge.celery``.
"""

from auditls.extractors.celery import tasks

__all__ = ["tasks"]
