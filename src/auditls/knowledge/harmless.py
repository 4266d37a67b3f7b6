"""What a parsed or validated value cannot attack, by sink kind: shared by the domains that
clean values by their type (Django's form fields and URL converters, the validation domain's
schema fields). A set holds sink kinds (``auditls.knowledge.taint``); ``"*"`` is every kind."""

from __future__ import annotations

#: Every sink kind (the value is a number, a date, a UUID, a model instance or one of the
#: server's own choices).
HARMLESS_ALL: frozenset[str] = frozenset({"*"})
#: A slug (``[-a-zA-Z0-9_]+``) has no quote, space, slash, dot, colon, angle bracket, brace
#: or newline: it cannot break out of SQL text, HTML, a path component, a header, a log line,
#: an LDAP or XPath filter, a regex or a template, and a redirect to it stays on the site.
#: Not harmless: a command (``-rf`` starts an option), code, a host name it is formatted
#: into (``ssrf``), deserialization, the session.
HARMLESS_SLUG: frozenset[str] = frozenset(
    {"sql", "xss", "path", "redirect", "header", "log", "cookie", "ldap", "xpath", "regex",
     "template"}
)  # fmt: skip
#: A validated e-mail address has no line break (Django's ``EmailValidator``) but may hold
#: quotes, ``/``, ``|``, ``$`` and, quoted, ``<``: harmless for headers and logs only.
HARMLESS_EMAIL: frozenset[str] = frozenset({"header", "log", "cookie"})
