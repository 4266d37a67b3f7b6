"""Test doubles (Block 2: ``extract_test_doubles``; Phase 2 mocks): mocks made (``Mock``,
``MagicMock``, ``AsyncMock``...), ``patch`` / ``patch.object`` / ``patch.dict`` /
``patch.multiple`` as decorators, context managers or calls, pytest-mock's ``mocker.patch...``,
``monkeypatch.setattr``, and the ``return_value`` / ``side_effect`` a mock is given (keyword
arguments or assignments).

A patch's target is a qualified name: the string of ``patch("pkg.mod.f")`` as written, or for
``patch.object(Cls, "m")`` the object resolved through this file's imports with the attribute
appended (``from pkg.mod import Cls`` gives ``pkg.mod.Cls.m``). ``auditls.models.testing``
follows re-exports across files.
"""

from __future__ import annotations

import ast

from auditls.extractors.testing.common import argument
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import DoubleFact
from auditls.knowledge.testing import (
    DOUBLE_NAMES,
    MOCK_CLASSES,
    MOCK_CONFIG_ATTRS,
    MOCKER,
    MOCKER_METHODS,
    MONKEYPATCH,
    PATCHES,
)


@register
class DoublesExtractor(Extractor):
    """python_test_doubles."""

    name = "testing.test_doubles"
    fact_types = (DoubleFact,)
    qualnames = (MOCK_CLASSES, PATCHES)
    names = (DOUBLE_NAMES,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        callee = ctx.qualname(func)
        if callee in MOCK_CLASSES:
            self._mock(node, callee)
            return
        kind = PATCHES.get(callee or "")
        if kind is None:
            kind, callee = self._fixture_call(func)
            if kind is None:
                return
        if kind == "mock":
            self._mock(node, callee)
            return
        target = self._target(node, kind)
        stmt = ctx.stmts[-1] if ctx.stmts else None
        decorated = isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and any(
            d is node for d in stmt.decorator_list
        )
        new = argument(node, 2 if kind == "patch.object" else 1, "new")
        if kind == "setattr":
            new = argument(node, 2 if len(node.args) > 2 else 1, "value")
        function = ctx.def_qualname(stmt) if decorated and stmt is not None else ctx.function
        self.emit(
            DoubleFact(
                **ctx.pos(node), function=function, kind=kind, double=callee, target=target,
                value=ctx.text_of(new, 120) if new is not None else None, as_decorator=decorated,
            )
        )  # fmt: skip
        self._configured(node, target, function)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in MOCK_CONFIG_ATTRS:
                mock = target.value
                ctx = self.ctx
                self.emit(
                    DoubleFact(
                        **ctx.pos(node), function=ctx.function, kind=target.attr, double=None,
                        target=ctx.qualname(mock) or ctx.text_of(mock, 120),
                        value=ctx.text_of(node.value, 120), as_decorator=False,
                    )
                )  # fmt: skip

    def _fixture_call(self, func: ast.expr) -> tuple[str | None, str | None]:
        """``mocker.patch.object`` -> ("patch.object", "mocker.patch.object");
        ``monkeypatch.setattr`` -> ("setattr", ...)."""
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name) or not parts:
            return None, None
        chain = ".".join(reversed(parts))
        if func.id == MOCKER and chain in MOCKER_METHODS:
            return MOCKER_METHODS[chain], f"{MOCKER}.{chain}"
        if func.id == MONKEYPATCH and chain in ("setattr", "setitem", "delattr"):
            return chain, f"{MONKEYPATCH}.{chain}"
        return None, None

    def _target(self, node: ast.Call, kind: str) -> str | None:
        ctx = self.ctx
        first = argument(node, 0, "target" if kind in ("patch", "patch.multiple") else None)
        if first is None:
            return None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if kind == "setattr" and len(node.args) > 2:
                return None
            return first.value
        base = ctx.qualname(first) or ctx.text_of(first, 120)
        attribute = argument(node, 1, "attribute")
        name = attribute.value if isinstance(attribute, ast.Constant) else None
        if kind in ("patch.object", "setattr", "spy", "delattr") and isinstance(name, str):
            return f"{base}.{name}"
        return base

    def _mock(self, node: ast.Call, callee: str | None) -> None:
        ctx = self.ctx
        stmt = ctx.stmts[-1] if ctx.stmts else None
        name = None
        if isinstance(stmt, ast.Assign) and stmt.value is node and len(stmt.targets) == 1:
            name = ctx.text_of(stmt.targets[0], 120)
        spec = argument(node, 0, "spec") or argument(node, None, "spec_set")
        self.emit(
            DoubleFact(
                **ctx.pos(node), function=ctx.function, kind="mock", double=callee, target=name,
                value=ctx.text_of(spec, 120) if spec is not None else None, as_decorator=False,
            )
        )  # fmt: skip
        self._configured(node, name, ctx.function)

    def _configured(self, node: ast.Call, target: str | None, function: str) -> None:
        """The ``return_value=`` / ``side_effect=`` keywords of a mock or a patch."""
        ctx = self.ctx
        for kw in node.keywords:
            if kw.arg in MOCK_CONFIG_ATTRS:
                self.emit(
                    DoubleFact(
                        **ctx.pos(kw.value), function=function, kind=kw.arg, double=None,
                        target=target, value=ctx.text_of(kw.value, 120), as_decorator=False,
                    )
                )  # fmt: skip
