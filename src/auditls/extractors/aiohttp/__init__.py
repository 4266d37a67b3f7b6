"""aiohttp extractors (issue 13). Importing this package registers them:

- ``routes``: routes (route tables, route definitions, the router's ``add_*``) and the request
  handlers of files that use aiohttp.

What the aiohttp APIs are is knowledge: ``auditls.knowledge.aiohttp``.
"""

from auditls.extractors.aiohttp import routes

__all__ = ["routes"]
