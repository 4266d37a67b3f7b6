"""Block 3, security: dangerous calls, files, secrets, SQL, crypto, JWT, passwords, auth, CSRF.

Importing this package registers its extractors (``calls``, ``crypto``, ``sql``, ``web``);
``values`` works out where an argument's value comes from. Which callees matter and where their
arguments are is knowledge: ``auditls.knowledge.security``.
"""

from auditls.extractors.security import calls, crypto, sql, web

__all__ = ["calls", "crypto", "sql", "web"]
