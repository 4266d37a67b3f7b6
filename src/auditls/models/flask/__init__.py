"""Flask, linked across files at query time.

Extraction sees one file; a Flask application spans many. This package reads the
``python_flask_*`` facts of a workspace (from a ``Store``, or from ``FileFacts`` in tests) and
links them into Flask objects:

1. **Link names** (``auditls.link``). The workspace linker loads the files that have Flask rows
   and the module-level imports of every file, and follows a reference through imports and
   re-exports (``from .views import bp`` in a package ``__init__``), star imports and aliases
   (``bp = views.bp``) to the module that defines the object.
2. **Objects** (``build.py``). An ``AppObj`` per ``Flask(...)``, a ``BlueprintObj`` per
   blueprint, an ``ExtensionObj`` per extension constructor, by reference. ``objects_for``
   (``linked.py``) then finds what a reference names: one of those, an app made by a factory
   (``app = create_app()``, a factory being a function that builds and returns an app), or, for a
   parameter of a helper (``def register_blueprints(app)``), whatever every caller passes there
   (``FlaskAppPassFact``). ``flask.current_app`` stands for every app.
3. **Attach** (``build.py``, ``routes.py``, ``config.py``) every route, registration, hook,
   handler, filter, command, configuration row, extension use, CORS policy, limit and cache
   decorator to the objects its owner names. Rows whose owner names no Flask object are dropped
   (they were candidates, see ``auditls.facts.flask``). An ``add_url_rule`` whose rule is a
   parameter of its function (FlaskBB's ``register_view``) is no route itself: each call of
   that function with literal rules is one, its arguments bound to the function's parameters
   (``routes.instantiate``).
4. **Mount** (``build.py``). From each app, walk its blueprint registrations (nested blueprints
   too): a route gets one ``Mount`` per path from an app to it, with its full URL (prefixes
   joined as Flask joins them: the registration's ``url_prefix`` overrides the blueprint's own)
   and its endpoint.
5. **Query** on demand what applies to a route or app (``routes.py``, ``config.py``): its
   before_request hooks, rate limits, CORS, caching, request reads, error handlers and
   configuration entries.
The judgements over this model (the auth that applies to a route, sign-in and credential
endpoints, Socket.IO guards, CSRF status) are the rules': ``auditls.rules.flask.judge``. The
rules and the hover (``auditls.server.flask.hover``) read the model; neither looks at facts
directly.

Modules: ``objects`` (the dataclasses), ``linked`` (``FlaskObjects``: the objects, references
to objects, lookups by position), ``build``, ``routes`` (``RouteQueries``), ``config``
(``ConfigQueries``), ``model`` (``FlaskModel``, ``model_of``).

Nothing here reads source or imports the analysed code, or writes SQL.
"""

from auditls.link import Site
from auditls.models.flask.model import FlaskModel, counts, model_of
from auditls.models.flask.objects import (
    AppObj,
    AuthView,
    BlueprintObj,
    ConfigEntry,
    Evidence,
    ExtensionObj,
    LinkTarget,
    Mount,
    Owner,
    Registration,
    Route,
    SocketHandler,
    join_url,
)

__all__ = [
    "AppObj",
    "AuthView",
    "BlueprintObj",
    "ConfigEntry",
    "Evidence",
    "ExtensionObj",
    "FlaskModel",
    "LinkTarget",
    "Mount",
    "Owner",
    "Registration",
    "Route",
    "Site",
    "SocketHandler",
    "counts",
    "join_url",
    "model_of",
]
