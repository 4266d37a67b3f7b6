"""Extensions (constructions, ``init_app``, settings, callbacks), CORS policies, rate limits
and cache decorators."""

from __future__ import annotations

import ast

from auditls.extractors.flask.arguments import (
    argument,
    classify_value,
    keyword_texts,
    literal,
    literal_bool,
    literal_str,
    literal_strs,
    text,
)
from auditls.extractors.flask.base import DecoratorAndCall, FlaskExtractor
from auditls.extractors.flask.refs import (
    canonical,
    known_or_unknown,
    ref_of,
    split_decorator,
    target_ref,
)
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import (
    FlaskCacheFact,
    FlaskCorsFact,
    FlaskExtensionFact,
    FlaskRateLimitFact,
)
from auditls.knowledge.flask import (
    APP,
    BLUEPRINT,
    CACHE_DECORATORS,
    CACHES,
    CONFIG,
    CORS_EXTS,
    CORS_KEYWORDS,
    CROSS_ORIGIN,
    EXTENSION_CALLBACKS,
    EXTENSION_SETTINGS,
    EXTENSIONS,
    INIT_APP,
    LIMIT_DECORATORS,
    LIMITER_LIMITS,
    LIMITERS,
    SOCKETIOS,
)


@register
class ExtensionsExtractor(FlaskExtractor):
    """extract_flask_extensions: constructions, init_app, settings and callbacks."""

    name = "flask.extensions"
    names = ((INIT_APP,), EXTENSION_SETTINGS, EXTENSION_CALLBACKS)
    fact_types = (FlaskExtensionFact,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = ctx.qualname(func)
        spec = EXTENSIONS.get(callee) if callee is not None else None
        if spec is not None:
            app_arg = argument(node, spec.app_position, "app")
            if app_arg is None and spec.app_position is None and node.args:
                first = node.args[0]
                if not isinstance(first, ast.Starred) and ref_of(ctx, first)[1] == APP:
                    app_arg = first  # Flask-Limiter before 3: Limiter(app, key_func=...)
            app, app_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._emit(
                node, spec.kind, spec.canonical, target_ref(ctx, node), "constructor", app,
                app_type, None, None, keyword_texts(ctx, node, ("app",)),
            )  # fmt: skip
            return
        if isinstance(func, ast.Attribute) and func.attr == INIT_APP:
            ref, type_ = ref_of(ctx, func.value)
            ext = EXTENSIONS.get(type_) if type_ is not None else None
            if ext is None and (type_ is not None or ref is None):
                return
            app_arg = argument(node, 0, "app")
            app, app_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._emit(
                node, ext.kind if ext else None, ext.canonical if ext else None, ref, "init_app",
                app, app_type, None, None, keyword_texts(ctx, node, ("app",)),
            )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        """``login_manager.login_view = "auth.login"``."""
        ctx = self.ctx
        for target in node.targets:
            if not isinstance(target, ast.Attribute):
                continue
            ref, type_ = ref_of(ctx, target.value)
            ext = EXTENSIONS.get(type_) if type_ is not None else None
            if ext is None and not (type_ is None and ref and target.attr in EXTENSION_SETTINGS):
                continue
            self._emit(
                target, ext.kind if ext else None, ext.canonical if ext else None, ref,
                "setting", None, None, target.attr, ctx.text_of(node.value), (),
            )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """``@login_manager.user_loader``, ``@auth.verify_password``, ``@jwt.*_loader``."""
        ctx = self.ctx
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in EXTENSION_CALLBACKS:
                continue
            ref, type_ = ref_of(ctx, parts[0])
            ext = EXTENSIONS.get(type_) if type_ is not None else None
            if ext is None and (type_ is not None or ref is None):
                continue
            self._emit(
                d, ext.kind if ext else None, ext.canonical if ext else None, ref, "callback",
                None, None, parts[1], ctx.def_qualname(node), (),
            )  # fmt: skip

    def _emit(
        self, at: ast.AST, kind: str | None, ext_class: str | None, ref: str | None, form: str,
        app: str | None, app_type: str | None, option: str | None, value: str | None,
        options: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.emit(
            FlaskExtensionFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                kind=kind,
                ext_class=ext_class,
                ref=ref,
                form=form,
                app=app,
                app_type=app_type,
                option=option,
                value=value,
                options=options,
            )
        )


class _Origins:
    """Where a CORS policy's origins come from."""

    __slots__ = ("key", "origins", "source")

    def __init__(self, origins: tuple[str, ...], source: str, key: str | None = None) -> None:
        self.origins = origins
        self.source = source
        self.key = key


@register
class CorsConfigsExtractor(FlaskExtractor):
    """extract_flask_cors_configs: CORS(app), init_app, @cross_origin, SocketIO origins."""

    name = "flask.cors_configs"
    names = ((INIT_APP,),)
    fact_types = (FlaskCorsFact,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = canonical(ctx.qualname(func))
        if callee in CORS_EXTS:
            app_arg = argument(node, 0, "app")
            if app_arg is None and not node.keywords:
                return  # `cors = CORS()`: the policy comes with init_app
            target, target_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._policy(node, node, "extension", target, target_type)
        elif callee in SOCKETIOS:
            self._socketio(node, node)
        elif isinstance(func, ast.Attribute) and func.attr == INIT_APP:
            _, type_ = ref_of(ctx, func.value)
            keywords = {kw.arg for kw in node.keywords}
            if type_ in SOCKETIOS or (type_ is None and "cors_allowed_origins" in keywords):
                self._socketio(node, node)
                return
            if type_ not in CORS_EXTS and (type_ is not None or not keywords & CORS_KEYWORDS):
                return
            app_arg = argument(node, 0, "app")
            target, target_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
            self._policy(node, node, "init_app", target, target_type)

    def _socketio(self, at: ast.AST, call: ast.Call) -> None:
        origins_arg = argument(call, None, "cors_allowed_origins")
        if origins_arg is None:
            return  # python-socketio's default is same-origin only
        app_arg = argument(call, 0, "app")
        ctx = self.ctx
        target, target_type = ref_of(ctx, app_arg) if app_arg is not None else (None, None)
        self._emit(
            at, "socketio", target, target_type, self._origins(origins_arg),
            literal_bool(argument(call, None, "cors_credentials")), (),
            keyword_texts(ctx, call, ("app",)),
        )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        for d in node.decorator_list:
            func = d.func if isinstance(d, ast.Call) else d
            if canonical(ctx.qualname(func)) not in CROSS_ORIGIN:
                continue
            call = d if isinstance(d, ast.Call) else None
            self._policy(d, call, "decorator", ctx.def_qualname(node), None)

    def _origins(self, node: ast.expr | None) -> _Origins:
        if node is None:
            return _Origins(("*",), "default")
        values = literal_strs(node)
        if values is not None:
            return _Origins(values, "literal")
        key = self._config_key(node)
        if key is not None:
            return _Origins((), "config", key)
        source, _, _ = classify_value(self.ctx, node)
        return _Origins((), "env" if source in ("env", "env_default") else "dynamic")

    def _config_key(self, node: ast.expr) -> str | None:
        """``app.config["CORS_ORIGINS"]`` or ``app.config.get("CORS_ORIGINS")``: the key."""
        if isinstance(node, ast.Subscript):
            holder: ast.expr = node.value
            key = literal_str(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
        ):
            holder = node.func.value
            key = literal_str(argument(node, 0, "key"))
        else:
            return None
        if isinstance(holder, ast.Attribute) and holder.attr == CONFIG:
            return key
        return None

    def _policy(
        self, at: ast.AST, call: ast.Call | None, form: str, target: str | None,
        target_type: str | None,
    ) -> None:  # fmt: skip
        """A flask-cors policy; origins default to "*" (flask-cors allows any origin unless the
        app's CORS_ORIGINS setting says otherwise)."""
        origins_arg = argument(call, None, "origins") if call is not None else None
        origins = self._origins(origins_arg)
        resources: tuple[str, ...] = ()
        resources_arg = argument(call, None, "resources") if call is not None else None
        if isinstance(resources_arg, ast.Dict):
            patterns: list[str] = []
            per_resource: list[_Origins] = []
            for key, value in zip(resources_arg.keys, resources_arg.values, strict=True):
                pattern = literal_str(key)
                if pattern is not None:
                    patterns.append(pattern)
                if isinstance(value, ast.Dict):
                    for k, v in zip(value.keys, value.values, strict=True):
                        if literal_str(k) == "origins":
                            per_resource.append(self._origins(v))
            resources = tuple(patterns)
            if per_resource and origins_arg is None:
                origins = self._merge(per_resource)
        elif resources_arg is not None:
            resources = literal_strs(resources_arg) or ()
        credentials = argument(call, None, "supports_credentials") if call is not None else None
        self._emit(
            at, form, target, target_type, origins, literal_bool(credentials), resources,
            keyword_texts(self.ctx, call, ("app",)) if call is not None else (),
        )  # fmt: skip

    @staticmethod
    def _merge(parts: list[_Origins]) -> _Origins:
        """The origins of several resources: literal only when every one is literal."""
        if all(p.source == "literal" for p in parts):
            return _Origins(tuple(dict.fromkeys(o for p in parts for o in p.origins)), "literal")
        for source in ("config", "env", "dynamic"):
            for p in parts:
                if p.source == source:
                    return p
        return parts[0]

    def _emit(
        self, at: ast.AST, form: str, target: str | None, target_type: str | None,
        origins: _Origins, credentials: bool | None, resources: tuple[str, ...],
        options: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.emit(
            FlaskCorsFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                form=form,
                target=target,
                target_type=target_type,
                origins=origins.origins,
                origins_from=origins.source,
                origins_key=origins.key,
                supports_credentials=credentials,
                resources=resources,
                options=options,
            )
        )


@register
class RateLimitsExtractor(DecoratorAndCall):
    """extract_flask_rate_limits: limit, shared_limit, exempt, default and application limits."""

    name = "flask.rate_limits"
    names = (LIMIT_DECORATORS,)
    fact_types = (FlaskRateLimitFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.handled: set[int] = set()

    def _limiter(self, expr: ast.expr) -> tuple[str | None, str | None, bool]:
        ref, type_ = ref_of(self.ctx, expr)
        return ref, type_, known_or_unknown(ref, type_, LIMITERS)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        target = ctx.def_qualname(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None:
                self._shared_use(d, target)
                continue
            receiver, method, call = parts
            if method not in LIMIT_DECORATORS:
                continue
            limiter, limiter_type, ok = self._limiter(receiver)
            if ok:
                self._emit_limit(d, call, method, limiter, limiter_type, target, "function",
                                 "decorator")  # fmt: skip

    def _shared_use(self, d: ast.expr, target: str) -> None:
        """``@admin_limit`` where ``admin_limit = limiter.shared_limit(...)``."""
        if not isinstance(d, ast.Name):
            return
        ctx = self.ctx
        made_by = ctx.instance_of(d)
        if made_by is None or not made_by.endswith(".shared_limit"):
            return
        limiter = made_by.rpartition(".")[0]
        limiter_type = canonical(limiter) if canonical(limiter) in LIMITERS else None
        self.emit(
            FlaskRateLimitFact(
                **ctx.pos(d),
                function=ctx.function,
                limiter=None if limiter_type else limiter,
                limiter_type=limiter_type,
                kind="shared_limit",
                target=target,
                target_kind="function",
                limits=(),
                limits_text=d.id,
                scope=None,
                key_func=None,
                form="decorator",
            )
        )

    def visit_Call(self, node: ast.Call) -> None:
        if id(node) in self.decorator_calls or id(node) in self.handled:
            return
        ctx = self.ctx
        func = node.func
        callee = canonical(ctx.qualname(func))
        if callee in LIMITERS:
            self._constructor(node)
            return
        # limiter.limit("10/minute")(bp) and limiter.exempt(bp)
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute):
            method = func.func.attr
            if method in ("limit", "shared_limit") and node.args:
                limiter, limiter_type, ok = self._limiter(func.func.value)
                if ok:
                    self.handled.add(id(func))
                    target, kind = self._target(node.args[0])
                    self._emit_limit(node, func, method, limiter, limiter_type, target, kind,
                                     "call")  # fmt: skip
            return
        if not isinstance(func, ast.Attribute):
            return
        if func.attr == "exempt" and len(node.args) == 1:
            limiter, limiter_type, ok = self._limiter(func.value)
            if ok:
                target, kind = self._target(node.args[0])
                self._emit_limit(node, None, "exempt", limiter, limiter_type, target, kind, "call")
        elif func.attr == "shared_limit":
            limiter, limiter_type, ok = self._limiter(func.value)
            if ok:
                self._emit_limit(node, node, "shared_limit", limiter, limiter_type,
                                 target_ref(ctx, node), "variable", "call")  # fmt: skip

    def _target(self, expr: ast.expr) -> tuple[str | None, str]:
        ref, type_ = ref_of(self.ctx, expr)
        if type_ == BLUEPRINT:
            return ref, "blueprint"
        if type_ == APP:
            return ref, "app"
        if isinstance(expr, ast.Name):
            found = self.ctx.lookup(expr.id)
            if found is not None and found[0].kind == "def":
                return ref, "function"
        return ref, "blueprint" if type_ is None else "variable"

    def _constructor(self, node: ast.Call) -> None:
        ctx = self.ctx
        app_arg = argument(node, None, "app")
        if app_arg is None and node.args and ref_of(ctx, node.args[0])[1] == APP:
            app_arg = node.args[0]
        app = ref_of(ctx, app_arg)[0] if app_arg is not None else None
        app_first = bool(node.args) and app_arg is node.args[0]
        key_func = argument(node, 1 if app_first else 0, "key_func")
        for keyword, kind in LIMITER_LIMITS:
            limits = argument(node, None, keyword)
            if limits is None:
                continue
            self.emit(
                FlaskRateLimitFact(
                    **ctx.pos(node),
                    function=ctx.function,
                    limiter=target_ref(ctx, node),
                    limiter_type="flask_limiter.Limiter",
                    kind=kind,
                    target=app,
                    target_kind="app",
                    limits=literal_strs(limits) or (),
                    limits_text=ctx.text_of(limits),
                    scope=None,
                    key_func=text(ctx, key_func),
                    form="constructor",
                )
            )

    def _emit_limit(
        self, at: ast.AST, call: ast.Call | None, kind: str, limiter: str | None,
        limiter_type: str | None, target: str | None, target_kind: str, form: str,
    ) -> None:  # fmt: skip
        ctx = self.ctx
        limit = argument(call, 0, "limit_value") if call is not None else None
        scope = argument(call, 1, "scope") if call is not None and kind == "shared_limit" else None
        self.emit(
            FlaskRateLimitFact(
                **ctx.pos(at),
                function=ctx.function,
                limiter=limiter,
                limiter_type=limiter_type,
                kind=kind,
                target=target,
                target_kind=target_kind,
                limits=literal_strs(limit) or (),
                limits_text=text(ctx, limit),
                scope=literal_str(scope),
                key_func=text(ctx, argument(call, None, "key_func")) if call is not None else None,
                form=form,
            )
        )


@register
class CacheDecoratorsExtractor(FlaskExtractor):
    """extract_flask_cache_decorators: ``@cache.cached`` and ``@cache.memoize``."""

    name = "flask.cache_decorators"
    names = (CACHE_DECORATORS,)
    fact_types = (FlaskCacheFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        for position, d in enumerate(node.decorator_list):
            parts = split_decorator(d)
            if parts is None or parts[1] not in CACHE_DECORATORS:
                continue
            receiver, method, call = parts
            cache, cache_type = ref_of(ctx, receiver)
            if not known_or_unknown(cache, cache_type, CACHES):
                continue
            timeout = argument(call, 0, "timeout") if call is not None else None
            value = literal(timeout)
            prefix = (
                argument(call, None if method == "memoize" else 1, "key_prefix") if call else None
            )
            self.emit(
                FlaskCacheFact(
                    **ctx.pos(d),
                    function=ctx.function,
                    cache=cache,
                    cache_type=cache_type,
                    kind=method,
                    target=ctx.def_qualname(node),
                    timeout=value
                    if isinstance(value, int) and not isinstance(value, bool)
                    else None,
                    key_prefix=text(ctx, prefix),
                    query_string=literal_bool(argument(call, None, "query_string"))
                    if call
                    else None,
                    unless=text(ctx, argument(call, None, "unless")) if call else None,
                    position=position,
                )
            )
