"""Building a Flask model: objects from their constructor rows, then every row attached to the
objects its owner names, then the mounts (steps 2 to 4 of the package docstring).

``build`` runs the steps in order; each step is a function over the ``FlaskObjects`` it fills.
The route rows and the decorations of views (limits, caches, CORS, CSRF exemptions) are linked
in ``routes.py``, configuration rows in ``config.py``.
"""

from __future__ import annotations

from collections import defaultdict

from auditls.facts.flask import (
    FlaskAppFact,
    FlaskBlueprintFact,
    FlaskBlueprintRegistrationFact,
    FlaskCliCommandFact,
    FlaskErrorHandlerFact,
    FlaskExtensionFact,
    FlaskHookFact,
    FlaskTemplateFilterFact,
    FlaskWebsocketFact,
)
from auditls.models.flask.config import link_configs
from auditls.models.flask.linked import FlaskObjects
from auditls.models.flask.objects import (
    AppObj,
    BlueprintObj,
    ExtensionObj,
    Mount,
    Owner,
    Registration,
    SocketHandler,
    join_url,
)
from auditls.models.flask.routes import link_decorations, link_routes


def build(model: FlaskObjects) -> None:
    """Link every Flask row of the model's files to the objects it names."""
    make_objects(model)
    link_extensions(model)
    link_registrations(model)
    link_routes(model)
    link_owned_rows(model)
    link_configs(model)
    link_decorations(model)
    link_sockets(model)
    for app in model.apps:
        mount(app, app, "", "", ())


def make_objects(model: FlaskObjects) -> None:
    """An object per app, blueprint and extension constructor row, by its reference (and an
    app by the factory that returns it)."""
    for site in model.of(FlaskAppFact):
        app = AppObj(site.path, site.fact)
        model.apps.append(app)
        if site.fact.ref:
            model.add_object(site.fact.ref, app)
        if site.fact.factory:
            model.factories[site.fact.factory] = app
    for bp_site in model.of(FlaskBlueprintFact):
        bp = BlueprintObj(bp_site.path, bp_site.fact)
        model.blueprints.append(bp)
        if bp_site.fact.ref:
            model.add_object(bp_site.fact.ref, bp)
    for ext_site in model.of(FlaskExtensionFact):
        if ext_site.fact.form == "constructor":
            ext = ExtensionObj(ext_site.path, ext_site.fact)
            model.extensions.append(ext)
            if ext_site.fact.ref:
                model.add_object(ext_site.fact.ref, ext)


def link_extensions(model: FlaskObjects) -> None:
    """Each extension's uses (init_app, settings, callbacks), and the apps it is bound to."""
    for site in model.of(FlaskExtensionFact):
        fact = site.fact
        if fact.form == "constructor":
            ext = model.by_ref.get(fact.ref) if fact.ref else None
            if not isinstance(ext, ExtensionObj):
                ext = next(e for e in model.extensions if e.fact is fact)
        else:
            found = model.extension_of(fact.ref, near=site.path)
            if found is None:
                continue
            ext = found
            ext.uses.append(site)
        if fact.app is not None:
            for app in model.apps_of(fact.app, fact.app_type, near=site.path):
                if app not in ext.apps:
                    ext.apps.append(app)
                if ext not in app.extensions:
                    app.extensions.append(ext)


def link_registrations(model: FlaskObjects) -> None:
    """Blueprints registered on apps and on other blueprints."""
    for site in model.of(FlaskBlueprintRegistrationFact):
        fact = site.fact
        children: list[BlueprintObj] = []
        if fact.blueprint is not None:
            children = [
                o
                for o in model.objects_for(fact.blueprint, near=site.path)
                if isinstance(o, BlueprintObj)
            ]
        else:  # register_blueprint(Blueprint(...)): the blueprint built inside the call
            children = [
                b for b in model.blueprints
                if b.path == site.path and b.fact.ref is None
                and (fact.line, fact.col) <= (b.fact.line, b.fact.col)
                and (b.fact.end_line, b.fact.end_col) <= (fact.end_line, fact.end_col)
            ]  # fmt: skip
        for parent in model.owners_of(fact.owner, fact.owner_type, near=site.path):
            for child in children:
                if child is not parent:
                    parent.children.append(Registration(site.path, fact, parent, child))


def link_owned_rows(model: FlaskObjects) -> None:
    """Hooks, error handlers, template filters and CLI commands, on their apps and blueprints."""
    for hook in model.of(FlaskHookFact):
        for owner in model.owners_of(hook.fact.owner, hook.fact.owner_type, near=hook.path):
            owner.hooks.append(hook)
    for handler in model.of(FlaskErrorHandlerFact):
        for owner in model.owners_of(
            handler.fact.owner, handler.fact.owner_type, near=handler.path
        ):
            owner.error_handlers.append(handler)
    for filt in model.of(FlaskTemplateFilterFact):
        for owner in model.owners_of(filt.fact.owner, filt.fact.owner_type, near=filt.path):
            owner.template_filters.append(filt)
    for command in model.of(FlaskCliCommandFact):
        for owner in model.owners_of(
            command.fact.owner, command.fact.owner_type, near=command.path
        ):
            owner.commands.append(command)


def link_sockets(model: FlaskObjects) -> None:
    """Flask-Sock routes, and Flask-SocketIO handlers with their namespace and extension
    (a namespace class's methods get the namespaces it is registered under)."""
    class_namespaces: dict[str, list[tuple[str, ExtensionObj | None]]] = defaultdict(list)
    for site in model.of(FlaskWebsocketFact):
        fact = site.fact
        if fact.library == "flask_sock":
            model.sock_routes.append(site)
        elif fact.form == "on_namespace" and fact.handler:
            socketio = model.extension_of(fact.owner, "socketio")
            class_namespaces[model.resolve(fact.handler)].append((fact.namespace or "/", socketio))
    for site in model.of(FlaskWebsocketFact):
        fact = site.fact
        if fact.library != "flask_socketio" or fact.handler is None:
            continue
        if fact.form == "namespace_method":
            if fact.owner is None:
                continue
            for namespace, socketio in class_namespaces.get(fact.owner, []):
                model.socket_handlers.append(
                    SocketHandler(site.path, fact, fact.handler, fact.event, namespace, socketio)
                )
        elif fact.form in ("on", "event", "on_event"):
            if fact.owner_type is None and model.extension_of(fact.owner, "socketio") is None:
                continue
            socketio = model.extension_of(fact.owner, "socketio")
            model.socket_handlers.append(
                SocketHandler(
                    site.path, fact, fact.handler, fact.event, fact.namespace or "/", socketio
                )
            )


def mount(
    app: AppObj,
    owner: Owner,
    prefix: str,
    name: str,
    chain: tuple[Registration, ...],
) -> None:
    """Give every route of ``owner`` (reached from ``app`` through ``chain``) its mount: full
    URL and endpoint, prefixes and names joined as Flask joins them; then its blueprints'."""
    for route in owner.routes:
        endpoint = route.fact.endpoint or route.view_name
        route.mounts.append(
            Mount(
                app=app,
                url=join_url(prefix, route.rule) if prefix else route.rule,
                endpoint=f"{name}.{endpoint}" if name else endpoint,
                chain=chain,
            )
        )
    for reg in owner.children:
        if any(r.blueprint is reg.blueprint for r in chain) or len(chain) > 8:
            continue  # a blueprint registered inside itself
        child_prefix = reg.prefix
        if prefix and child_prefix:
            full = join_url(prefix, child_prefix)
        else:
            full = child_prefix or prefix
        child_name = f"{name}.{reg.name}" if name else reg.name
        mount(app, reg.blueprint, full, child_name, (*chain, reg))
