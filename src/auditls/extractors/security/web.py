"""Web extractors: authentication / authorisation patterns and CSRF protection facts.

- ``extract_auth_decorators`` (``python_auth_patterns``): decorators (Django, Flask-Login,
  Flask-JWT-Extended, Flask-HTTPAuth, Flask-Security, DRF), Django's ``method_decorator`` on
  class-based views, the auth mixins, and DRF's ``permission_classes`` /
  ``authentication_classes`` class attributes, each with the permission names it lists.
- ``extract_access_asserts`` (``python_access_asserts``): ``assert`` statements that test an
  access-control name (``is_superuser``, ``has_perm``...).
- ``extract_csrf_protection`` (``python_csrf_protections``): ``csrf_exempt`` and friends,
  Flask-WTF's ``CSRFProtect`` (protect, ``exempt`` as decorator or call), the
  ``WTF_CSRF_ENABLED`` settings (assigned, set on ``app.config``, or passed to
  ``config.update``) and FlaskForm ``class Meta: csrf = False``.

These are facts, not findings: the framework extractors join them with routes and views to say
which endpoint lacks what.
"""

from __future__ import annotations

import ast

from auditls.extractors.security import values
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.security import AccessAssertFact, AuthPatternFact, CsrfFact
from auditls.knowledge import flask
from auditls.knowledge.common import AuthSpec
from auditls.knowledge.flask import (
    CSRF_PROTECT_CLASSES,
    CSRF_SETTINGS,
    FLASK_FORMS,
    OPTIONAL_AUTH_KEYWORD,
    ROLE_LIST_DECORATORS,
)
from auditls.knowledge.heuristics import ACCESS_CHECK_NAME
from auditls.knowledge.security import (
    ACCESS_ASSERT_FRAGMENTS,
    AUTH_CLASS_ATTRIBUTES,
    AUTH_DECORATORS,
    AUTH_MIXINS,
    CSRF_DECORATORS,
    METHOD_DECORATOR,
)

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
#: Auth decorators of every framework (their names do not overlap).
DECORATORS: dict[str, AuthSpec] = {**AUTH_DECORATORS, **flask.AUTH_DECORATORS}


def _callee(ctx: Context, node: ast.expr) -> str | None:
    """What a decorator (or decorator argument) names: the callee when it is called."""
    return ctx.qualname(node.func if isinstance(node, ast.Call) else node)


def _strings(ctx: Context, nodes: list[ast.expr]) -> list[str]:
    """Literal strings (flattening lists) or, for other values, what they resolve to."""
    out: list[str] = []
    for node in nodes:
        value = values.literal_value(ctx, node)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list | tuple):
            out.extend(v for v in value if isinstance(v, str))
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            out.extend(_strings(ctx, list(node.elts)))
        else:
            out.append(ctx.qualname(node) or ctx.text_of(node, 80))
    return out


def _permissions(ctx: Context, spec: AuthSpec, decorator: ast.expr) -> tuple[str, ...]:
    if not isinstance(decorator, ast.Call):
        return ()
    args = list(decorator.args)
    for kw in decorator.keywords:
        if kw.arg in ("perm", "role", "roles", "permission", "permissions", "test_func"):
            args.append(kw.value)
        elif kw.arg == "fresh" and isinstance(kw.value, ast.Constant) and kw.value.value is True:
            return ("fresh",)
    if spec.kind in ("jwt",):
        return ()
    return tuple(_strings(ctx, args))


def _optional(name: str, decorator: ast.expr) -> bool:
    """Whether an auth decorator is written so that it requires nothing:
    ``jwt_required(optional=True)``, ``auth.login_required(optional=True)``, Flask-Security's
    ``roles_required()`` without a role."""
    if not isinstance(decorator, ast.Call):
        return False
    for kw in decorator.keywords:
        if kw.arg == OPTIONAL_AUTH_KEYWORD and isinstance(kw.value, ast.Constant):
            return bool(kw.value.value)
    return name in ROLE_LIST_DECORATORS and not decorator.args and not decorator.keywords


def _decorated(ctx: Context, decorator: ast.expr) -> list[tuple[str, ast.expr, str]]:
    """(resolved name, the decorator expression, mechanism) for a decorator, looking through
    ``method_decorator(dec)`` and ``method_decorator([dec1, dec2])``."""
    name = _callee(ctx, decorator)
    if name != METHOD_DECORATOR or not isinstance(decorator, ast.Call) or not decorator.args:
        return [(name, decorator, "decorator")] if name is not None else []
    inner = decorator.args[0]
    items = list(inner.elts) if isinstance(inner, ast.List | ast.Tuple) else [inner]
    out = []
    for item in items:
        resolved = _callee(ctx, item)
        if resolved is not None:
            out.append((resolved, item, "method_decorator"))
    return out


@register
class AuthDecoratorsExtractor(Extractor):
    """extract_auth_decorators: auth requirements recorded per function or class."""

    name = "security.auth"
    fact_types = (AuthPatternFact,)
    qualnames = (DECORATORS, AUTH_MIXINS)
    names = (AUTH_CLASS_ATTRIBUTES,)  # class attributes of views of any base

    def _fact(self, at: ast.AST, target: str, kind: str, mechanism: str, pattern: str,
              spec: AuthSpec, permissions: tuple[str, ...]) -> None:  # fmt: skip
        self.emit(
            AuthPatternFact(
                **self.ctx.pos(at),
                target=target,
                target_kind=kind,
                mechanism=mechanism,
                pattern=pattern,
                kind=spec.kind,
                framework=spec.framework,
                permissions=permissions,
            )
        )

    def _decorators(self, node: Definition, kind: str) -> str:
        ctx = self.ctx
        target = ctx.def_qualname(node)
        for decorator in node.decorator_list:
            for name, expr, mechanism in _decorated(ctx, decorator):
                spec = DECORATORS.get(name)
                if spec is not None and _optional(name, expr):
                    spec = AuthSpec("optional", spec.framework)  # lets anonymous callers in
                if spec is not None:
                    self._fact(
                        decorator,
                        target,
                        kind,
                        mechanism,
                        name,
                        spec,
                        _permissions(ctx, spec, expr),
                    )
        return target

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._decorators(node, "function")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        target = self._decorators(node, "class")
        attributes: dict[str, ast.stmt] = {}
        for stmt in node.body:  # the class body's own statements (no descent)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                t = stmt.targets[0]
                if isinstance(t, ast.Name):
                    attributes[t.id] = stmt
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                attributes[stmt.target.id] = stmt
        for base in node.bases:
            name = ctx.qualname(base)
            mixin = AUTH_MIXINS.get(name) if name is not None else None
            if mixin is None:
                continue
            assert name is not None
            spec, attribute = mixin
            permissions: tuple[str, ...] = ()
            found = attributes.get(attribute) if attribute else None
            if isinstance(found, ast.Assign | ast.AnnAssign) and found.value is not None:
                permissions = tuple(_strings(ctx, [found.value]))
            elif found is not None or (attribute and _has_method(node, attribute)):
                permissions = (attribute,) if attribute else ()
            self._fact(base, target, "class", "mixin", name, spec, permissions)
        for attribute, spec in AUTH_CLASS_ATTRIBUTES.items():
            declared = attributes.get(attribute)
            if isinstance(declared, ast.Assign | ast.AnnAssign) and declared.value is not None:
                self._fact(
                    declared,
                    target,
                    "class",
                    "class_attribute",
                    attribute,
                    spec,
                    tuple(_strings(ctx, [declared.value])),
                )


def _has_method(node: ast.ClassDef, name: str) -> bool:
    return any(
        isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == name for s in node.body
    )


@register
class CsrfProtectionExtractor(Extractor):
    """extract_csrf_protection: exemptions, protection and settings, per function or class."""

    name = "security.csrf"
    fact_types = (CsrfFact,)
    qualnames = (CSRF_DECORATORS, CSRF_PROTECT_CLASSES, FLASK_FORMS)
    names = (CSRF_SETTINGS,)  # settings, wherever they are assigned

    def _fact(self, at: ast.AST, action: str, mechanism: str, framework: str,
              target: str | None, setting: str | None = None) -> None:  # fmt: skip
        self.emit(
            CsrfFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                action=action,
                mechanism=mechanism,
                framework=framework,
                target=target,
                setting=setting,
            )
        )

    def _decorators(self, node: Definition) -> None:
        ctx = self.ctx
        target = ctx.def_qualname(node)
        for decorator in node.decorator_list:
            for name, _, mechanism in _decorated(ctx, decorator):
                if name in CSRF_DECORATORS:
                    action, framework = CSRF_DECORATORS[name]
                    self._fact(decorator, action, mechanism, framework, target)
                elif _is_protect_method(name, "exempt"):
                    self._fact(decorator, "exempt", mechanism, "flask_wtf", target)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._decorators(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        self._decorators(node)
        if not any(ctx.qualname(b) in FLASK_FORMS for b in node.bases):
            return
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
                for inner in stmt.body:
                    if (
                        isinstance(inner, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == "csrf" for t in inner.targets)
                        and isinstance(inner.value, ast.Constant)
                        and isinstance(inner.value.value, bool)
                    ):
                        action = "enable" if inner.value.value else "disable"
                        self._fact(
                            inner, action, "form_meta", "flask_wtf", ctx.def_qualname(node), "csrf"
                        )

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        target = ctx.text_of(node.args[0], 80) if node.args else None
        if callee in CSRF_PROTECT_CLASSES or _is_protect_method(callee, "init_app"):
            self._fact(node, "protect", "call", "flask_wtf", target)
        elif _is_protect_method(callee, "exempt"):
            if node.args:
                target = ctx.qualname(node.args[0]) or target
            self._fact(node, "exempt", "call", "flask_wtf", target)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("update", "from_mapping"):
            # app.config.update(WTF_CSRF_ENABLED=False) / update({"WTF_CSRF_ENABLED": False})
            pairs: list[tuple[str | None, ast.expr]] = [(k.arg, k.value) for k in node.keywords]
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    pairs += [
                        (k.value if isinstance(k, ast.Constant) and isinstance(k.value, str)
                         else None, v) for k, v in zip(arg.keys, arg.values, strict=True)
                    ]  # fmt: skip
            for key, value in pairs:
                self._setting(value, key, "call", ctx.text_of(node.func.value, 80))

    def _setting(
        self, value: ast.expr, key: str | None, mechanism: str, target: str | None
    ) -> None:
        if key not in CSRF_SETTINGS:
            return
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            action = "enable" if value.value else "disable"
            self._fact(value, action, mechanism, "flask_wtf", target, key)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._setting(node.value, target.id, "setting", self.ctx.class_name)
            elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                key = target.slice.value
                if isinstance(key, str):
                    self._setting(node.value, key, "setting", self.ctx.text_of(target.value, 80))


def _is_protect_method(name: str | None, method: str) -> bool:
    """``csrf.exempt`` where ``csrf = CSRFProtect(app)``: resolves to ``...CSRFProtect.exempt``."""
    if name is None or not name.endswith("." + method):
        return False
    return name[: -len(method) - 1] in CSRF_PROTECT_CLASSES


#: How many nodes of an assert's test are looked at: enough for ``a and b.c(d)`` chains.
_ASSERT_NODES = 32


@register
class AccessAssertsExtractor(Extractor):
    """extract_access_asserts (``python_access_asserts``): ``assert`` statements whose test
    reads an access-control name (``assert request.user.is_superuser``,
    ``assert user.has_perm("x")``): ``python -O`` removes them, and the check with them."""

    name = "security.access_asserts"
    fact_types = (AccessAssertFact,)
    fragments = (ACCESS_ASSERT_FRAGMENTS,)

    def visit_Assert(self, node: ast.Assert) -> None:
        todo: list[ast.expr] = [node.test]
        seen = 0
        while todo and seen < _ASSERT_NODES:
            seen += 1
            e = todo.pop()
            name = (
                e.attr
                if isinstance(e, ast.Attribute)
                else e.id
                if isinstance(e, ast.Name)
                else None
            )
            if ACCESS_CHECK_NAME(name):
                assert name is not None
                ctx = self.ctx
                self.emit(
                    AccessAssertFact(
                        **ctx.pos(node), function=ctx.function, subject=name,
                        text=ctx.text_of(node.test),
                    )
                )  # fmt: skip
                return
            if isinstance(e, ast.UnaryOp):
                todo.append(e.operand)
            elif isinstance(e, ast.BoolOp):
                todo.extend(e.values)
            elif isinstance(e, ast.Compare):
                todo.extend((e.left, *e.comparators))
            elif isinstance(e, ast.Call):
                todo.append(e.func)
            elif isinstance(e, ast.Attribute):
                todo.append(e.value)
