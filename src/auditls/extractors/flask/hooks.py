"""What else registers on an app or a blueprint: request hooks, error handlers, template
filters / tests / globals, and CLI commands."""

from __future__ import annotations

import ast

from auditls.extractors.flask.arguments import argument, literal, literal_str
from auditls.extractors.flask.base import DecoratorAndCall
from auditls.extractors.flask.refs import acceptable, ref_of, split_decorator
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.flask import (
    FlaskCliCommandFact,
    FlaskErrorHandlerFact,
    FlaskHookFact,
    FlaskTemplateFilterFact,
)
from auditls.knowledge.flask import (
    ADD_COMMAND,
    APP,
    APP_OR_BLUEPRINT,
    CLI,
    CLI_DECORATORS,
    CLI_GROUPS,
    ERROR_HANDLERS,
    HOOKS,
    JINJA_COLLECTIONS,
    JINJA_ENV,
    REGISTER_ERROR_HANDLER,
    TEMPLATE_CALLS,
    TEMPLATE_DECORATORS,
)


@register
class RequestHooksExtractor(DecoratorAndCall):
    """extract_flask_request_hooks: before/after/teardown hooks, context processors, URL hooks."""

    name = "flask.request_hooks"
    names = (HOOKS,)
    fact_types = (FlaskHookFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in HOOKS:
                continue
            owner, owner_type = ref_of(ctx, parts[0])
            if acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                self._emit(
                    d, parts[1], owner, owner_type, ctx.def_qualname(node), node.name, "decorator"
                )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            not isinstance(func, ast.Attribute)
            or func.attr not in HOOKS
            or id(node) in self.decorator_calls
            or len(node.args) != 1
        ):
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        if acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            arg = node.args[0]
            self._emit(
                node, func.attr, owner, owner_type, ctx.qualname(arg), ctx.text_of(arg), "call"
            )

    def _emit(
        self, at: ast.AST, api: str, owner: str | None, owner_type: str | None,
        target: str | None, target_text: str, form: str,
    ) -> None:  # fmt: skip
        hook, app_variant = HOOKS[api]
        self.emit(
            FlaskHookFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                owner=owner,
                owner_type=owner_type,
                hook=hook,
                api=api,
                app_wide=app_variant or owner_type == APP,
                target=target,
                target_text=target_text,
                form=form,
            )
        )


@register
class ErrorHandlersExtractor(DecoratorAndCall):
    """extract_flask_error_handlers: errorhandler, app_errorhandler, register_error_handler."""

    name = "flask.error_handlers"
    names = (ERROR_HANDLERS, (REGISTER_ERROR_HANDLER,))
    fact_types = (FlaskErrorHandlerFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in ERROR_HANDLERS:
                continue
            receiver, method, call = parts
            if call is None:
                continue
            owner, owner_type = ref_of(ctx, receiver)
            spec = argument(call, 0, "code_or_exception")
            if spec is not None and acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                app_wide = ERROR_HANDLERS[method] or owner_type == APP
                self._emit(
                    d, owner, owner_type, spec, app_wide, ctx.def_qualname(node), "decorator"
                )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != REGISTER_ERROR_HANDLER:
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        spec = argument(node, 0, "code_or_exception")
        handler = argument(node, 1, "f")
        if (
            spec is None
            or handler is None
            or not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT)
        ):
            return
        self._emit(node, owner, owner_type, spec, owner_type == APP, ctx.qualname(handler), "call")

    def _emit(
        self, at: ast.AST, owner: str | None, owner_type: str | None, spec: ast.expr,
        app_wide: bool, target: str | None, form: str,
    ) -> None:  # fmt: skip
        ctx = self.ctx
        code = literal(spec)
        self.emit(
            FlaskErrorHandlerFact(
                **ctx.pos(at),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                exception=None if isinstance(spec, ast.Constant) else ctx.qualname(spec),
                spec_text=ctx.text_of(spec),
                app_wide=app_wide,
                target=target,
                form=form,
            )
        )


@register
class TemplateFiltersExtractor(DecoratorAndCall):
    """extract_flask_template_filters: filters, tests and globals (decorators, add_*, jinja_env)."""

    name = "flask.template_filters"
    names = (TEMPLATE_DECORATORS, TEMPLATE_CALLS, (JINJA_ENV,))
    fact_types = (FlaskTemplateFilterFact,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in TEMPLATE_DECORATORS:
                continue
            receiver, method, call = parts
            owner, owner_type = ref_of(ctx, receiver)
            if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                continue
            kind, app_variant = TEMPLATE_DECORATORS[method]
            name = literal_str(argument(call, 0, "name")) if call is not None else None
            self._emit(
                d, owner, owner_type, kind, name, ctx.def_qualname(node), node.name,
                app_variant or owner_type == APP, "decorator",
            )  # fmt: skip

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            not isinstance(func, ast.Attribute)
            or func.attr not in TEMPLATE_CALLS
            or id(node) in self.decorator_calls
        ):
            return
        ctx = self.ctx
        owner, owner_type = ref_of(ctx, func.value)
        fn = argument(node, 0, "f")
        if fn is None or not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
            return
        kind, app_variant = TEMPLATE_CALLS[func.attr]
        self._emit(
            node, owner, owner_type, kind, literal_str(argument(node, 1, "name")),
            ctx.qualname(fn), ctx.text_of(fn), app_variant or owner_type == APP, "call",
        )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        """``app.jinja_env.filters["name"] = function``."""
        ctx = self.ctx
        for target in node.targets:
            if not isinstance(target, ast.Subscript):
                continue
            collection = target.value
            if not (
                isinstance(collection, ast.Attribute)
                and collection.attr in JINJA_COLLECTIONS
                and isinstance(collection.value, ast.Attribute)
                and collection.value.attr == JINJA_ENV
            ):
                continue
            owner, owner_type = ref_of(ctx, collection.value.value)
            if not acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT):
                continue
            self._emit(
                target, owner, owner_type, JINJA_COLLECTIONS[collection.attr],
                literal_str(target.slice), ctx.qualname(node.value), ctx.text_of(node.value),
                True, "jinja_env",
            )  # fmt: skip

    def _emit(
        self, at: ast.AST, owner: str | None, owner_type: str | None, kind: str,
        name: str | None, target: str | None, target_text: str, app_wide: bool, form: str,
    ) -> None:  # fmt: skip
        self.emit(
            FlaskTemplateFilterFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                owner=owner,
                owner_type=owner_type,
                kind=kind,
                name=name,
                target=target,
                target_text=target_text,
                app_wide=app_wide,
                form=form,
            )
        )


@register
class CliCommandsExtractor(DecoratorAndCall):
    """extract_flask_cli_commands: app.cli / bp.cli commands and groups, AppGroup commands,
    ``add_command``."""

    name = "flask.cli_commands"
    names = ((CLI, ADD_COMMAND),)  # command / group of an unknown owner only as `<owner>.cli`
    fact_types = (FlaskCliCommandFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.groups: set[str] = set()  # functions of this file made into command groups

    def _owner(self, receiver: ast.expr) -> tuple[str | None, str | None, bool]:
        """The owner of ``receiver.command``: ``app.cli`` gives the app; an AppGroup itself."""
        ctx = self.ctx
        if isinstance(receiver, ast.Attribute) and receiver.attr == CLI:
            owner, owner_type = ref_of(ctx, receiver.value)
            return owner, owner_type, acceptable(ctx, owner, owner_type, APP_OR_BLUEPRINT)
        owner, owner_type = ref_of(ctx, receiver)
        if owner is not None and owner in self.groups:
            return owner, "click.Group", True
        return owner, owner_type, owner is not None and owner_type in CLI_GROUPS

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        self.remember(node)
        for d in node.decorator_list:
            parts = split_decorator(d)
            if parts is None or parts[1] not in CLI_DECORATORS:
                continue
            receiver, method, call = parts
            owner, owner_type, ok = self._owner(receiver)
            if not ok:
                continue
            name = literal_str(argument(call, 0, "name")) if call is not None else None
            if method == "group":
                self.groups.add(ctx.def_qualname(node))
            self.emit(
                FlaskCliCommandFact(
                    **ctx.pos(d),
                    function=ctx.function,
                    owner=owner,
                    owner_type=owner_type,
                    kind=method,
                    name=name,
                    target=ctx.def_qualname(node),
                    form="decorator",
                )
            )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != ADD_COMMAND:
            return
        owner, owner_type, ok = self._owner(func.value)
        cmd = argument(node, 0, "cmd")
        if not ok or cmd is None:
            return
        ctx = self.ctx
        self.emit(
            FlaskCliCommandFact(
                **ctx.pos(node),
                function=ctx.function,
                owner=owner,
                owner_type=owner_type,
                kind="add_command",
                name=literal_str(argument(node, 1, "name")),
                target=ref_of(ctx, cmd)[0],
                form="call",
            )
        )
