"""The security rules over one file: 1xx dangerous calls (``code``, ``data``, ``system``), 2xx
crypto and secrets (``crypto``), 3xx JWT (``auth``). Importing the package registers them."""

from auditls.rules.security import auth, code, crypto, data, system

__all__ = ["auth", "code", "crypto", "data", "system"]
