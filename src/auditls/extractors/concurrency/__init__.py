"""Concurrency extractors (issue 17, Phase 2 async). Importing this package registers them:

- ``asyncfns``: async functions and async generators, with their awaits, ``async for`` and
  ``async with``.
"""

from auditls.extractors.concurrency import asyncfns

__all__ = ["asyncfns"]
