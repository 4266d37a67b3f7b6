"""The base classes of the Flask extractors."""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor


class FlaskExtractor(Extractor):
    """Shared by the Flask extractors: skip files that mention neither flask nor one of the
    calls that register on an app defined elsewhere (``from app import app; @app.route``)."""

    modules = frozenset(
        {"flask", "route(", "before_request", "after_request", "teardown_request",
         "before_app_request", "register_blueprint", "add_url_rule", "errorhandler", "init_app",
         "socketio", ".config[", ".config.from_", ".config.update"}
    )  # fmt: skip


class DecoratorAndCall(FlaskExtractor):
    """Extractors that read both ``@owner.method`` decorators and ``owner.method(f)`` calls
    remember the decorators' call nodes so that the calls handler does not count them twice."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.decorator_calls: set[int] = set()

    def remember(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for d in node.decorator_list:
            if isinstance(d, ast.Call):
                self.decorator_calls.add(id(d))
