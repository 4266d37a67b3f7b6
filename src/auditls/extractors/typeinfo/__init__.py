"""Types extractors (issue 17, Phase 2 types). Importing this package registers them:

- ``declarations``: protocols, type variables and generics, type aliases, TypedDicts, literal
  types and overloads.

What an annotation means for the receiver of a call (``db: DbDep`` makes ``db.execute``
``sqlalchemy.orm.Session.execute``) is the semantic model's (``extractors.annotations``).
"""

from auditls.extractors.typeinfo import declarations

__all__ = ["declarations"]
