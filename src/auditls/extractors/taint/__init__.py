"""The taint domain's extractors (issue 10): the facts the taint engine (``auditls.taint``)
builds its summaries from.

Importing this package registers its extractors:

- ``flows``: ``python_flows``, how values move inside a function (assignments, stores, returns,
  call arguments and receivers, guards).
"""

from auditls.extractors.taint import flows

__all__ = ["flows"]
