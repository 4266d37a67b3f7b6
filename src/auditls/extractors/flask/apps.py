"""Apps and factories, blueprints and their registrations, apps passed to helpers."""

from __future__ import annotations

import ast

from auditls.extractors.flask.arguments import argument, keyword_texts, literal_str, text
from auditls.extractors.flask.base import FlaskExtractor
from auditls.extractors.flask.refs import acceptable, canonical, ref_of, target_ref
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import (
    FlaskAppFact,
    FlaskAppPassFact,
    FlaskBlueprintFact,
    FlaskBlueprintRegistrationFact,
)
from auditls.knowledge.flask import (
    APP,
    APP_OR_BLUEPRINT,
    BLUEPRINT,
    EXTENSIONS,
    INIT_APP,
    PLUGIN_HOOK_ATTR,
    PLUGIN_HOOK_CALLEE,
    REGISTER_BLUEPRINT,
    library_package,
)


@register
class AppFactoriesExtractor(FlaskExtractor):
    """extract_flask_app_factories: apps, factories, blueprints, registrations, app passes."""

    name = "flask.app_factories"
    names = ((REGISTER_BLUEPRINT,),)
    fact_types = (
        FlaskAppFact,
        FlaskBlueprintFact,
        FlaskBlueprintRegistrationFact,
        FlaskAppPassFact,
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.apps: list[tuple[ast.Call, dict[str, object]]] = []
        self.returned: set[tuple[str, str]] = set()  # (function, reference returned)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = canonical(ctx.qualname(func))
        if callee == APP:
            stmt = ctx.stmts[-1] if ctx.stmts else None
            ref = target_ref(ctx, node)
            direct_return = isinstance(stmt, ast.Return) and stmt.value is node
            self.apps.append((node, {
                **ctx.pos(node),
                "function": ctx.function,
                "ref": ref,
                "app_class": callee,
                "import_name": text(ctx, argument(node, 0, "import_name")),
                "factory": ctx.function if direct_return else None,
                "options": keyword_texts(ctx, node, ("import_name",)),
            }))  # fmt: skip
        elif callee == BLUEPRINT:
            name_arg = argument(node, 0, "name")
            self.emit(
                FlaskBlueprintFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    ref=target_ref(ctx, node),
                    name=literal_str(name_arg),
                    name_text=text(ctx, name_arg) or "",
                    url_prefix=literal_str(argument(node, None, "url_prefix")),
                    subdomain=literal_str(argument(node, None, "subdomain")),
                    options=keyword_texts(ctx, node),
                )
            )
        elif isinstance(func, ast.Attribute) and func.attr == REGISTER_BLUEPRINT:
            owner, owner_type = ref_of(ctx, func.value)
            bp_arg = argument(node, 0, "blueprint")
            if bp_arg is None or not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                return
            prefix = argument(node, None, "url_prefix")
            self.emit(
                FlaskBlueprintRegistrationFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    owner=owner,
                    owner_type=owner_type,
                    blueprint=ref_of(ctx, bp_arg)[0],
                    blueprint_text=ctx.text_of(bp_arg),
                    url_prefix=literal_str(prefix),
                    url_prefix_text=text(ctx, prefix),
                    name=literal_str(argument(node, None, "name")),
                    options=keyword_texts(ctx, node),
                )
            )
        else:
            self._passes(node)

    def _passes(self, node: ast.Call) -> None:
        """A plain function called with an app or blueprint: ``register_blueprints(app)``."""
        ctx = self.ctx
        func = node.func
        if isinstance(func, ast.Name):
            found = ctx.lookup(func.id)
            if found is None or found[0].kind not in ("def", "import"):
                return
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found = ctx.lookup(func.value.id)
            if found is None or found[0].kind != "import":
                return
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == PLUGIN_HOOK_ATTR
            and node.keywords
        ):  # pluggy.hook.flaskbb_load_blueprints(app=app): the model finds the implementations
            self._emit_passes(node, PLUGIN_HOOK_CALLEE + func.attr)
            return
        else:
            return
        callee = ctx.qualname(func)
        if callee is None or callee in EXTENSIONS or callee.endswith("." + INIT_APP):
            return
        top = callee.partition(".")[0]
        if library_package(top):
            return  # a library call (CORS(app), flask_migrate.upgrade()): not a project helper
        self._emit_passes(node, callee)

    def _emit_passes(self, node: ast.Call, callee: str) -> None:
        ctx = self.ctx
        args: list[tuple[int, str | None, ast.expr]] = [
            (i, None, a) for i, a in enumerate(node.args) if not isinstance(a, ast.Starred)
        ]
        args += [(-1, kw.arg, kw.value) for kw in node.keywords if kw.arg is not None]
        for position, keyword, value in args:
            ref, type_ = ref_of(ctx, value)
            if ref is None or type_ not in APP_OR_BLUEPRINT:
                continue
            assert type_ is not None
            self.emit(
                FlaskAppPassFact(
                    **ctx.pos(value),
                    function=ctx.function,
                    callee=callee,
                    position=position,
                    keyword=keyword,
                    ref=ref,
                    ref_type=type_,
                )
            )

    def visit_Return(self, node: ast.Return) -> None:
        if isinstance(node.value, ast.Name):
            ref, _ = ref_of(self.ctx, node.value)
            if ref is not None:
                self.returned.add((self.ctx.function, ref))

    def finish(self) -> None:
        for _node, fields in self.apps:
            ref = fields["ref"]
            function = fields["function"]
            if fields["factory"] is None and (function, ref) in self.returned:
                fields["factory"] = function
            self.emit(FlaskAppFact(**fields))  # type: ignore[arg-type]
