"""The base classes of the Flask extractors and the knowledge they all read."""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor
from auditls.knowledge.flask import APP_CLASSES, EXTENSIONS


class FlaskExtractor(Extractor):
    """Shared by the Flask extractors: they follow apps, blueprints and extension objects, so they
    run on a file that imports Flask or an extension. An object whose type the file cannot know
    (imported from a workspace module, ``from .app import app``, or passed to a helper,
    ``def install(app)``) is read only through the methods each extractor knows (``@app.route``),
    so each also declares those as ``names``: a file that spells one is read too, and its rows
    are candidates the cross-file model confirms."""

    instances_of = (APP_CLASSES, EXTENSIONS)


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
