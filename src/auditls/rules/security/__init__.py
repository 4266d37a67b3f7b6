"""The security rules over one file: 1xx dangerous calls (``code``, ``data``, ``system``), 2xx
crypto and secrets (``crypto``), 3xx JWT and asserts (``auth``), 406-407 aiohttp configuration
(``frameworks``). Importing the package registers them."""

from auditls.rules.security import auth, code, crypto, data, frameworks, system

__all__ = ["auth", "code", "crypto", "data", "frameworks", "system"]
