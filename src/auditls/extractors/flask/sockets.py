"""WebSocket handlers: Flask-SocketIO events and namespaces, flask-sock routes."""

from __future__ import annotations

import ast

from auditls.extractors.flask.arguments import argument, literal_str
from auditls.extractors.flask.base import DecoratorAndCall
from auditls.extractors.flask.refs import decorator_names, known_or_unknown, ref_of, split_decorator
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import FlaskWebsocketFact
from auditls.knowledge.flask import (
    SOCK_ROUTE,
    SOCKETIO_CALLS,
    SOCKETIO_DECORATORS,
    SOCKETIO_NAMESPACES,
    SOCKETIOS,
    SOCKS,
)


@register
class WebsocketHandlersExtractor(DecoratorAndCall):
    """extract_flask_websocket_handlers: Flask-SocketIO events and namespaces, flask-sock."""

    name = "flask.websocket_handlers"
    names = (SOCKETIO_DECORATORS, SOCKETIO_CALLS)
    fact_types = (FlaskWebsocketFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.namespace_classes: set[str] = set()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        for b in node.bases:
            base = ctx.qualname(b)
            if base in SOCKETIO_NAMESPACES or base in self.namespace_classes:
                self.namespace_classes.add(ctx.def_qualname(node))
                return

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        decorators: tuple[str, ...] | None = None
        scope = ctx.scope
        if scope.kind == "class" and scope.qualname in self.namespace_classes:
            if node.name.startswith("on_") and len(node.name) > 3:
                decorators = decorator_names(ctx, node)
                self._emit(
                    node, "flask_socketio", scope.qualname, "flask_socketio.Namespace",
                    "namespace_method", node.name[3:], None, ctx.def_qualname(node), decorators,
                )  # fmt: skip
            return
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None:
                continue
            receiver, method, call = parts
            owner, owner_type = ref_of(ctx, receiver)
            if method in SOCKETIO_DECORATORS and known_or_unknown(owner, owner_type, SOCKETIOS):
                library = "flask_socketio"
            elif method == SOCK_ROUTE and owner_type in SOCKS and call is not None:
                library = "flask_sock"
            else:
                continue
            if decorators is None:
                decorators = decorator_names(ctx, node)
            event: str | None = None
            namespace: str | None = None
            if method == "on" and call is not None:
                event = literal_str(argument(call, 0, "message"))
                namespace = literal_str(argument(call, 1, "namespace"))
            elif method == "event":
                event = node.name
                namespace = literal_str(argument(call, None, "namespace")) if call else None
            elif method == "on_error" and call is not None:
                namespace = literal_str(argument(call, 0, "namespace"))
            elif method == "route" and call is not None:
                event = literal_str(argument(call, 0, "path"))
            self._emit(
                d, library, owner, owner_type, method, event, namespace, ctx.def_qualname(node),
                decorators,
            )  # fmt: skip

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in SOCKETIO_CALLS:
            return
        if id(node) in self.decorator_calls:
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if not known_or_unknown(owner, owner_type, SOCKETIOS):
            return
        if func.attr == "on_event":
            handler = argument(node, 1, "handler")
            self._emit(
                node, "flask_socketio", owner, owner_type, "on_event",
                literal_str(argument(node, 0, "message")),
                literal_str(argument(node, 2, "namespace")),
                ctx.qualname(handler) if handler is not None else None, (),
            )  # fmt: skip
            return
        instance = argument(node, 0, "namespace_handler")
        if isinstance(instance, ast.Call):
            self._emit(
                node, "flask_socketio", owner, owner_type, "on_namespace", None,
                literal_str(argument(instance, 0, "namespace")), ctx.qualname(instance.func), (),
            )  # fmt: skip

    def _emit(
        self, at: ast.AST, library: str, owner: str | None, owner_type: str | None, form: str,
        event: str | None, namespace: str | None, handler: str | None,
        decorators: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.emit(
            FlaskWebsocketFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                library=library,
                owner=owner,
                owner_type=owner_type,
                form=form,
                event=event,
                namespace=namespace,
                handler=handler,
                decorators=decorators,
            )
        )
