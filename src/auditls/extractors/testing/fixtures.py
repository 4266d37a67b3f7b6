"""pytest fixtures, conftest files, parametrize and markers (Block 2:
``extract_pytest_conftest``; Phase 2: pytest fixtures, parametrize, markers).

A fixture is a function decorated with ``pytest.fixture`` or ``pytest_asyncio.fixture``, bare
or called (``scope=``, ``autouse=``, ``params=``, ``name=``); it depends on the fixtures its
parameters name. Which tests a fixture serves is decided across files by
``auditls.models.testing``: the row says the directory of its file and whether that file is a
``conftest.py``.

``@pytest.mark.parametrize(argnames, argvalues, ids=..., indirect=...)`` gives one row with
each case as written (a ``pytest.param(...)`` case gives its values, its ``id`` and its
``marks``). Every other ``@pytest.mark.X(...)``, and each mark of a module's or class's
``pytestmark``, is a marker row.
"""

from __future__ import annotations

import ast
import dataclasses

from auditls.extractors.semantic import Context
from auditls.extractors.testing.common import (
    argument,
    arguments_text,
    called,
    directory_of,
    is_conftest,
    str_items,
)
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import PytestFixtureFact, PytestMarkerFact, PytestParametrizeFact
from auditls.knowledge.testing import (
    FIXTURE_DECORATORS,
    MARK_PREFIXES,
    MARKS,
    PARAMETRIZE,
    PYTEST_PARAM,
)


@register
class FixturesExtractor(Extractor):
    """python_pytest_fixtures, python_pytest_parametrize, python_pytest_markers."""

    name = "testing.pytest_conftest"
    fact_types = (PytestFixtureFact, PytestParametrizeFact, PytestMarkerFact)
    qualnames = (FIXTURE_DECORATORS, MARKS, PYTEST_PARAM)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        #: Fixtures waiting for their body (is it a yield fixture?), by qualified name.
        self.pending: dict[str, PytestFixtureFact] = {}
        self.yielding: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        if not node.decorator_list:
            return
        qualname = ctx.def_qualname(node)
        for dec in node.decorator_list:
            callee = ctx.qualname(called(dec))
            if callee is None:
                continue
            if callee in FIXTURE_DECORATORS:
                self._fixture(node, dec, qualname)
            else:
                self._mark(dec, callee, qualname, "decorator")

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self.pending:
            self.yielding.add(self.ctx.function)

    visit_YieldFrom = visit_Yield

    def leave_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.pending:
            return
        fact = self.pending.pop(self.ctx.def_qualname(node), None)
        if fact is not None:
            self.emit(dataclasses.replace(fact, is_yield=fact.qualname in self.yielding))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qualname = self.ctx.def_qualname(node)
        for dec in node.decorator_list:
            callee = self.ctx.qualname(called(dec))
            if callee is not None:
                self._mark(dec, callee, qualname, "decorator")

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        if ctx.scope.kind not in ("module", "class") or not any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return
        value = node.value
        marks = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        for mark in marks:
            callee = ctx.qualname(called(mark))
            if callee is not None:
                self._mark(mark, callee, ctx.scope.qualname, "pytestmark")

    def _fixture(self, node: ast.FunctionDef | ast.AsyncFunctionDef, dec: ast.expr,
                 qualname: str) -> None:  # fmt: skip
        ctx = self.ctx
        call = dec if isinstance(dec, ast.Call) else None
        scope_node = argument(call, 0, "scope") if call is not None else None
        scope = "function"
        if isinstance(scope_node, ast.Constant) and isinstance(scope_node.value, str):
            scope = scope_node.value
        elif scope_node is not None:
            scope = ctx.text_of(scope_node, 80)
        autouse = argument(call, None, "autouse") if call is not None else None
        params = argument(call, 1, "params") if call is not None else None
        name_node = argument(call, None, "name") if call is not None else None
        name = node.name
        if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
            name = name_node.value
        args = node.args
        depends = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                        if a.arg not in ("self", "cls"))  # fmt: skip
        self.pending[qualname] = (
            PytestFixtureFact(
                **ctx.pos(node), qualname=qualname, name=name,
                class_name=ctx.scope.qualname if ctx.scope.kind == "class" else None, scope=scope,
                autouse=isinstance(autouse, ast.Constant) and autouse.value is True,
                params=ctx.text_of(params, 200) if params is not None else None,
                depends=depends, is_async=isinstance(node, ast.AsyncFunctionDef),
                is_yield=False, conftest=is_conftest(ctx), directory=directory_of(ctx),
            )
        )  # fmt: skip

    def _mark(self, dec: ast.expr, callee: str, target: str, via: str) -> None:
        mark = next((callee[len(p) :] for p in MARK_PREFIXES if callee.startswith(p)), None)
        if mark is None:
            return
        ctx = self.ctx
        call = dec if isinstance(dec, ast.Call) else None
        if callee == PARAMETRIZE and call is not None:
            self._parametrize(call, target)
            return
        args = arguments_text(ctx, call) if call is not None else ()
        self.emit(PytestMarkerFact(**ctx.pos(dec), target=target, name=mark, args=args, via=via))

    def _parametrize(self, call: ast.Call, target: str) -> None:
        ctx = self.ctx
        values: list[str] = []
        ids: list[str] = []
        marks: list[str] = []
        cases = argument(call, 1, "argvalues")
        for case in getattr(cases, "elts", ()):
            if isinstance(case, ast.Call) and ctx.qualname(case.func) in PYTEST_PARAM:
                inner = [ctx.text_of(a, 120) for a in case.args]
                values.append(inner[0] if len(inner) == 1 else f"({', '.join(inner)})")
                case_id = argument(case, None, "id")
                if isinstance(case_id, ast.Constant) and isinstance(case_id.value, str):
                    ids.append(case_id.value)
                case_marks = argument(case, None, "marks")
                if case_marks is not None:
                    marks.append(ctx.text_of(case_marks, 120))
            else:
                values.append(ctx.text_of(case, 120))
        if cases is not None and not hasattr(cases, "elts"):
            values.append(ctx.text_of(cases, 120))  # computed: the expression as written
        ids.extend(str_items(argument(call, None, "ids")))
        indirect = argument(call, None, "indirect")
        self.emit(
            PytestParametrizeFact(
                **ctx.pos(call), target=target, argnames=str_items(argument(call, 0, "argnames")),
                values=tuple(values), ids=tuple(ids), marks=tuple(marks),
                indirect=indirect is not None
                and not (isinstance(indirect, ast.Constant) and indirect.value is False),
            )
        )  # fmt: skip
