"""ORM extractors (issue 17, Phase 2 "ORM"). Importing this package registers them:

- ``models``: SQLAlchemy's declarative bases, models and mixins, their columns, relationships
  and ``@validates`` methods.

What the SQLAlchemy APIs are is knowledge: ``auditls.knowledge.orm``. Django's models are the
django domain's (``extractors.django.orm``).
"""

from auditls.extractors.orm import models

__all__ = ["models"]
