"""Settings: the Django settings assigned at module level in a settings module (``DEBUG``,
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``MIDDLEWARE``, ``CSRF_*``, ``SESSION_*``, ``SECURE_*``,
``REST_FRAMEWORK``, ``PASSWORD_HASHERS``...), including ``MIDDLEWARE += [...]`` and
``MIDDLEWARE.append(...)`` in split settings. A module is a settings module when it assigns
``INSTALLED_APPS`` or ``ROOT_URLCONF``, or when its name says so (the
``django-settings-module`` heuristic: ``settings/prod.py`` often only overrides a few values).
Where a value comes from: a literal, the environment (``os.environ``, ``os.getenv``,
django-environ, python-decouple), the environment with a literal fallback, or unknown.

In any module (``manage.py``, ``wsgi.py``, ``asgi.py``, a test runner's ``conftest.py``), the
settings module it names in the environment is recorded too (via ``environ``):
``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.prod")`` and
``os.environ["DJANGO_SETTINGS_MODULE"] = "..."``."""

from __future__ import annotations

import ast
import json

from auditls.extractors.django.common import literal_str, str_items
from auditls.extractors.literals import literal_json
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoSettingFact
from auditls.knowledge.django import (
    ENV_MAPPINGS,
    ENV_READS,
    SETTING_PREFIXES,
    SETTINGS,
    SETTINGS_MARKERS,
    SETTINGS_MODULE_VARIABLE,
)
from auditls.knowledge.heuristics import DJANGO_SETTINGS_MODULE

_LIST_METHODS = frozenset({"append", "insert", "extend", "remove"})


def is_setting(name: str) -> bool:
    return name in SETTINGS or name.startswith(SETTING_PREFIXES)


@register
class SettingsExtractor(Extractor):
    """python_django_settings."""

    name = "django.settings"
    fact_types = (DjangoSettingFact,)
    fragments = (SETTINGS_MARKERS, SETTINGS, SETTING_PREFIXES, (SETTINGS_MODULE_VARIABLE,))

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.active = DJANGO_SETTINGS_MODULE(ctx.module) or ctx.file_scan().contains_any(
            SETTINGS_MARKERS
        )

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:  # os.environ["DJANGO_SETTINGS_MODULE"] = "..."
            if (
                isinstance(target, ast.Subscript)
                and literal_str(target.slice) == SETTINGS_MODULE_VARIABLE
                and self.ctx.qualname(target.value) in ENV_MAPPINGS
            ):
                self._named(node, node.value)
        if not self.active or self.ctx.scope.kind != "module":
            return
        for target in node.targets:
            if isinstance(target, ast.Name) and is_setting(target.id):
                self._emit(node, target.id, "assign", node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self.active or self.ctx.scope.kind != "module" or node.value is None:
            return
        if isinstance(node.target, ast.Name) and is_setting(node.target.id):
            self._emit(node, node.target.id, "assign", node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if not self.active or self.ctx.scope.kind != "module":
            return
        if isinstance(node.target, ast.Name) and is_setting(node.target.id):
            self._emit(node, node.target.id, "augment", node.value)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "setdefault"
            and len(node.args) == 2
            and literal_str(node.args[0]) == SETTINGS_MODULE_VARIABLE
            and self.ctx.qualname(func.value) in ENV_MAPPINGS
        ):
            self._named(node, node.args[1])
        if not self.active or self.ctx.scope.kind != "module":
            return
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _LIST_METHODS
            and isinstance(func.value, ast.Name)
            and is_setting(func.value.id)
            and node.args
        ):
            value = node.args[-1]
            self._emit(node, func.value.id, func.attr, value)

    def _named(self, node: ast.AST, value: ast.expr) -> None:
        """The settings module named in the environment (a literal only)."""
        if literal_str(value) is None:
            return
        self.emit(
            DjangoSettingFact(
                **self.ctx.pos(node), name=SETTINGS_MODULE_VARIABLE, via="environ",
                value=literal_json(value), text=self.ctx.text_of(value, 200), source="literal",
                items=(),
            )
        )  # fmt: skip

    def _classify(self, value: ast.expr) -> tuple[str, str | None]:
        """(source, JSON of the literal or the literal fallback)."""
        ctx = self.ctx
        literal = literal_json(value)
        if literal is not None:
            return "literal", literal
        if isinstance(value, ast.Subscript) and ctx.qualname(value.value) in ENV_MAPPINGS:
            return "env", None
        if isinstance(value, ast.Call):
            callee = ctx.qualname(value.func) or ctx.instance_of(value.func)
            if callee is None and isinstance(value.func, ast.Attribute):
                owner = ctx.instance_of(value.func.value)
                callee = f"{owner}.{value.func.attr}" if owner else None
            if callee in ENV_READS:
                default = None
                for kw in value.keywords:
                    if kw.arg == "default":
                        default = kw.value
                if default is None and len(value.args) > 1 and callee.startswith("os."):
                    default = value.args[1]
                if default is None:
                    return "env", None
                fallback = literal_json(default)
                return ("env_default", fallback) if fallback is not None else ("env", None)
        return "unknown", None

    def _compared(self, value: ast.Compare) -> tuple[str, str | None]:
        """``os.environ.get("DEBUG", "True") == "True"`` (``.lower()`` too): an environment
        read whose fallback decides the value, as ``env_default`` with that outcome."""
        if len(value.ops) != 1 or not isinstance(value.ops[0], ast.Eq | ast.NotEq):
            return "unknown", None
        left = value.left
        lowered = False
        if (
            isinstance(left, ast.Call)
            and isinstance(left.func, ast.Attribute)
            and left.func.attr in ("lower", "upper", "strip")
            and not left.args
        ):
            lowered = left.func.attr == "lower"
            left = left.func.value
        right = value.comparators[0]
        if not isinstance(left, ast.Call) or not isinstance(right, ast.Constant):
            return "unknown", None
        source, fallback = self._classify(left)
        if source != "env_default" or fallback is None:
            return source, None
        seen = json.loads(fallback)
        if isinstance(seen, str) and lowered:
            seen = seen.lower()
        outcome = (seen == right.value) is isinstance(value.ops[0], ast.Eq)
        return "env_default", json.dumps(outcome)

    def _emit(self, node: ast.AST, name: str, via: str, value: ast.expr) -> None:
        func = value.func if isinstance(value, ast.Call) else None
        if (
            isinstance(value, ast.Call)
            and isinstance(func, ast.Attribute)
            and func.attr == "split"
            and isinstance(func.value, ast.Call)
        ):
            # ALLOWED_HOSTS = os.environ.get("HOSTS", "*").split(","): the fallback's items.
            source, literal = self._classify(func.value)
            fallback = json.loads(literal) if literal is not None else None
            sep = literal_str(value.args[0]) if value.args else None
            items = (
                tuple(p.strip() for p in fallback.split(sep or ",") if p.strip())
                if isinstance(fallback, str)
                else ()
            )
            self.emit(
                DjangoSettingFact(
                    **self.ctx.pos(node), name=name, via=via, value=literal,
                    text=self.ctx.text_of(value, 200), source=source, items=items,
                )
            )  # fmt: skip
            return
        source, literal = self._classify(value)
        if source == "unknown" and isinstance(value, ast.Compare):
            source, literal = self._compared(value)
        items = str_items(value)
        if not items and isinstance(value, ast.List | ast.Tuple):
            # MIDDLEWARE = [*BASE, "x"]: the string items only
            items = tuple(s for e in value.elts if (s := literal_str(e)) is not None)
        self.emit(
            DjangoSettingFact(
                **self.ctx.pos(node), name=name, via=via, value=literal,
                text=self.ctx.text_of(value, 200), source=source, items=items,
            )
        )  # fmt: skip
