"""Flask extractors (INVENTORY.md, Phase 2 Flask base and Phase 3 Block 1).

Apps and factories, blueprints and their registrations, routes and class-based views, request
hooks, error handlers, template filters, CLI commands, WebSocket handlers, extensions, CORS, rate
limits, cache decorators, configuration, and the auth checks inside function bodies.

One module per job; importing this package registers their extractors, in this order (the order
of facts that share a position follows it):

- ``apps``: apps, factories, blueprints, registrations, apps passed to helpers;
- ``routes``: routes and class-based views;
- ``hooks``: request hooks, error handlers, template filters, CLI commands;
- ``sockets``: Flask-SocketIO and flask-sock handlers;
- ``extensions``: extensions, CORS, rate limits, cache decorators;
- ``config``: configuration;
- ``auth``: auth checks in function bodies, request reads.

Shared by them: ``base`` (the base classes and the knowledge they all read), ``refs`` (how an
expression names an app, a blueprint or an extension, and how rows about objects of unknown type
become candidates for ``auditls.models.flask``), ``arguments`` (arguments and literal values).
What the Flask APIs are is knowledge: ``auditls.knowledge.flask``.

Every handler looks only at its own node and that node's direct parts (a decorator's call, a
call's arguments, a class body's statements); nothing walks a subtree.
"""

# isort: off
# The order registers the extractors: keep it (ruff would sort these lines).
from auditls.extractors.flask import apps
from auditls.extractors.flask import routes
from auditls.extractors.flask import hooks
from auditls.extractors.flask import sockets
from auditls.extractors.flask import extensions
from auditls.extractors.flask import config
from auditls.extractors.flask import auth

# isort: on

__all__ = ["apps", "auth", "config", "extensions", "hooks", "routes", "sockets"]
