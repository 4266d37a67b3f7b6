"""Django extractors (INVENTORY.md, Phase 2 Django and Phase 3 Block 4).

One module per job; importing this package registers their extractors, in this order:

- ``urls``: URL conf entries, includes, DRF routers;
- ``views``: function and class-based views, DRF views and viewsets;
- ``settings``: settings modules (split settings too);
- ``signals``: signal definitions, receivers, connections, send sites;
- ``orm``: models and their fields, managers and querysets;
- ``components``: forms and serializers, admin registrations, middleware;
- ``reads``: reads of validated form data and of class views' URL kwargs, with their keys;
- ``renders``: calls that render a named template with a context, key by key.

``templates`` is no walker extractor: it reads template files (``templates/**/*.html``), which
``auditls.extractors.extract`` hands it instead of parsing them as Python.

- ``orm`` also: queryset chains off a model's manager.

``common`` holds what they share (references, literals). What the Django APIs are is
knowledge: ``auditls.knowledge.django``.
"""

# isort: off
# The order registers the extractors: keep it (ruff would sort these lines).
from auditls.extractors.django import urls
from auditls.extractors.django import views
from auditls.extractors.django import settings
from auditls.extractors.django import signals
from auditls.extractors.django import orm
from auditls.extractors.django import components
from auditls.extractors.django import reads
from auditls.extractors.django import renders
from auditls.extractors.django import templates

# isort: on

__all__ = [
    "components",
    "orm",
    "reads",
    "renders",
    "settings",
    "signals",
    "templates",
    "urls",
    "views",
]
