"""Configuration: settings on ``app.config``, app attributes, ``app.run(debug=...)``, config
sources, and the settings of config classes and modules."""

from __future__ import annotations

import ast

from auditls.extractors.flask.arguments import argument, classify_value, literal_str, text
from auditls.extractors.flask.base import FlaskExtractor
from auditls.extractors.flask.refs import acceptable, ref_of
from auditls.extractors.literals import literal_json
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import FlaskConfigFact
from auditls.knowledge.flask import (
    APP,
    APP_CONFIG_ATTRIBUTES,
    CONFIG,
    CONFIG_MARKERS,
    CONFIG_PREFIXES,
    CONFIG_SOURCES,
    CONFIG_UPDATES,
    FLASK_KEYS,
    ONLY_APP,
    RUN,
    SOCKETIOS,
)


class _ConfigOwner:
    """What a config-changing expression is about: the app's reference and type."""

    __slots__ = ("ref", "type")

    def __init__(self, ref: str | None, type_: str | None) -> None:
        self.ref = ref
        self.type = type_


@register
class ConfigsExtractor(FlaskExtractor):
    """python_flask_configs: settings on app.config, app attributes, app.run(debug=...), config
    sources, and settings in config classes and modules.

    Config modules and classes often import nothing from Flask: a file that spells one of the
    marker settings (``CONFIG_MARKERS``) is read too, and the settings a module or class defines
    are recorded only in a file that imports a Flask package or spells a marker.
    """

    name = "flask.configs"
    fact_types = (FlaskConfigFact,)
    #: On objects of unknown type: ``<app>.config``, ``app.secret_key = ...``, ``run(debug=)``.
    names = ((CONFIG,), APP_CONFIG_ATTRIBUTES)
    fragments = (CONFIG_MARKERS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        scan = ctx.file_scan()
        # A Flask package (those of ``instances_of``) is imported, or a marker spelled.
        self.settings_file = bool(scan.seen & self.modules) or scan.contains_any(CONFIG_MARKERS)

    def _config_owner(self, expr: ast.expr) -> _ConfigOwner | None:
        """The app of ``<app>.config``; None when ``expr`` is not an app's config."""
        if not isinstance(expr, ast.Attribute) or expr.attr != CONFIG:
            return None
        ref, type_ = ref_of(self.ctx, expr.value)
        if not acceptable(self.ctx, ref, type_, ONLY_APP):
            return None
        return _ConfigOwner(ref, type_)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _assigned(self, target: ast.expr, value: ast.expr) -> None:
        ctx = self.ctx
        if isinstance(target, ast.Subscript):
            owner = self._config_owner(target.value)
            key = literal_str(target.slice)
            if owner is not None and key is not None:
                self._emit(target, owner.ref, owner.type, "item", key, value)
        elif isinstance(target, ast.Attribute):
            key = APP_CONFIG_ATTRIBUTES.get(target.attr)
            if key is None:
                return
            ref, type_ = ref_of(ctx, target.value)
            if acceptable(ctx, ref, type_, ONLY_APP) and (type_ == APP or type_ is None):
                self._emit(target, ref, type_, "attribute", key, value)
        elif isinstance(target, ast.Name) and self.settings_file and is_config_key(target.id):
            scope = ctx.scope
            if scope.kind == "class":
                self._emit(target, scope.qualname, None, "class", target.id, value)
            elif scope.kind == "module":
                self._emit(target, ctx.module, None, "module", target.id, value)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        if method == RUN:
            self._run(node, func.value)
            return
        owner = self._config_owner(func.value)
        if owner is None:
            return
        if method in CONFIG_UPDATES:
            for kw in node.keywords:
                if kw.arg is not None:
                    self._emit(kw, owner.ref, owner.type, method, kw.arg, kw.value)
            for arg in node.args:
                if isinstance(arg, ast.Dict) and all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str) for k in arg.keys
                ):
                    for k, v in zip(arg.keys, arg.values, strict=True):
                        assert isinstance(k, ast.Constant)
                        self._emit(k, owner.ref, owner.type, method, str(k.value), v)
                else:
                    self._source(node, owner, method, arg)
        elif method == "setdefault":
            key = literal_str(argument(node, 0, "key"))
            value = argument(node, 1, "default")
            if key is not None and value is not None:
                self._emit(node, owner.ref, owner.type, "setdefault", key, value)
        elif method in CONFIG_SOURCES:
            self._source(node, owner, method, node.args[0] if node.args else None)

    def _source(self, node: ast.Call, owner: _ConfigOwner, via: str, arg: ast.expr | None) -> None:
        ctx = self.ctx
        source = "unknown"
        env_var = None
        target = None
        value = literal_json(arg) if arg is not None else None
        if via == "from_envvar":
            source, env_var = "env", literal_str(arg)
        elif via == "from_prefixed_env":
            source = "env"
            env_var = literal_str(argument(node, 0, "prefix")) or "FLASK"
        elif arg is not None:
            if value is not None:
                source = "literal"
                target = literal_str(arg)
            elif isinstance(arg, ast.Name) and arg.id == "__name__":
                target = ctx.module  # from_object(__name__): this module's own settings
            elif isinstance(arg, ast.Subscript):
                target = ctx.qualname(arg.value)  # config[name]: one of a mapping's classes
            else:
                target = ctx.qualname(arg)
                if target is None and isinstance(arg, ast.Name):
                    target = ref_of(ctx, arg)[0]
        self.emit(
            FlaskConfigFact(
                **ctx.pos(node),
                function=ctx.function,
                owner=owner.ref,
                owner_type=owner.type,
                via=via,
                key=None,
                value=value,
                text=text(ctx, arg) or "",
                source=source,
                env_var=env_var,
                target=target,
            )
        )

    def _run(self, node: ast.Call, receiver: ast.expr) -> None:
        """``app.run(debug=True)`` and ``socketio.run(app, debug=True)``."""
        debug = argument(node, None, "debug")
        if debug is None:
            return
        ctx = self.ctx
        ref, type_ = ref_of(ctx, receiver)
        if type_ in SOCKETIOS:
            app_arg = argument(node, 0, "app")
            if app_arg is None:
                return
            ref, type_ = ref_of(ctx, app_arg)
        elif not acceptable(ctx, ref, type_, ONLY_APP):
            return
        self._emit(node, ref, type_, "run", "DEBUG", debug)

    def _emit(
        self, at: ast.AST, owner: str | None, owner_type: str | None, via: str, key: str,
        value: ast.expr,
    ) -> None:  # fmt: skip
        ctx = self.ctx
        source, value_json, env_var = classify_value(ctx, value)
        self.emit(
            FlaskConfigFact(
                **ctx.pos(at),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                via=via,
                key=key,
                value=value_json,
                text=ctx.text_of(value),
                source=source,
                env_var=env_var,
                target=None,
            )
        )


def is_config_key(name: str) -> bool:
    return name.isupper() and (name in FLASK_KEYS or name.startswith(CONFIG_PREFIXES))
