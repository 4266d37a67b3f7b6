"""Test cases and tests (Block 2: ``extract_unittest_testcases``; Phase 2 pytest tests).

A class is a unittest test case when a base resolves to a known TestCase class
(``knowledge.testing.TESTCASE_BASES``) or to a test case of this file; a class whose bases are
other classes of the workspace and that defines ``test*`` or fixture methods is, in a test
file, a *candidate* (``direct`` false): ``auditls.models.testing`` keeps it when a base leads
to a TestCase. Every member of a test case that is a test or a fixture method (``setUp``,
``setUpClass``, ``asyncSetUp``...) is a row of its own, and so is a module's ``setUpModule`` /
``tearDownModule`` (its ``class_qualname`` is the module).

A test (``python_test_functions``) is a ``test*`` method of a test case, or, in a test file, a
``test*`` function at module level or a method of a ``Test*`` class (pytest's defaults). Its
fixtures are its parameters less what is not a fixture: ``self``, parameters with defaults,
the argument names of ``parametrize`` and the keywords of ``@given`` on it, and the mocks that
``@patch`` decorators pass first (as pytest counts them).
"""

from __future__ import annotations

import ast

from auditls.extractors.semantic import Context
from auditls.extractors.testing.common import (
    TestClass,
    TestClasses,
    argument,
    called,
    is_test_class_name,
    is_test_file,
    is_test_name,
    str_items,
    test_class_of,
)
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import SuiteTestFact, UnittestCaseFact
from auditls.knowledge.testing import (
    HYPOTHESIS_DECORATORS,
    MODULE_FIXTURES,
    PARAMETRIZE,
    PATCHES,
    TEST_FRAGMENTS,
    TESTCASE_BASES,
    TESTCASE_FIXTURES,
    USEFIXTURES,
)


@register
class TestCasesExtractor(Extractor):
    """python_unittest_cases, python_test_functions."""

    name = "testing.unittest_testcases"
    fact_types = (UnittestCaseFact, SuiteTestFact)
    qualnames = (TESTCASE_BASES,)
    names = (TESTCASE_FIXTURES, MODULE_FIXTURES)
    fragments = (TEST_FRAGMENTS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.test_file = is_test_file(self.ctx)
        self.classes = self.ctx.shared(TestClasses).by_name
        self.bases: dict[str, tuple[str, ...]] = {}

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        ctx = self.ctx
        qualname = ctx.def_qualname(node)
        bases = tuple(ctx.qualname(b) or ctx.text_of(b, 80) for b in node.bases)
        local = [self.classes[b] for b in bases if b in self.classes]
        direct = any(b in TESTCASE_BASES for b in bases) or any(c.direct for c in local)
        unittest = direct or any(c.unittest for c in local)
        if not unittest and self.test_file:
            # A candidate: in a test file (where unittest and pytest discover tests), built on
            # classes of the workspace, with tests or fixture methods of its own. The model
            # keeps it when a base leads to a TestCase; else a `Test*` class is a pytest class.
            members = [s.name for s in node.body
                       if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]  # fmt: skip
            own = any(is_test_name(m) or m in TESTCASE_FIXTURES for m in members)
            foreign = any(not b.startswith("builtins.") and b != "object" for b in bases)
            unittest = own and foreign
        if not unittest and not (self.test_file and is_test_class_name(node.name)):
            return
        self.classes[qualname] = TestClass(qualname, unittest, direct)
        if unittest:
            self.bases[qualname] = bases
            self.emit(
                UnittestCaseFact(
                    **ctx.pos(node), class_qualname=qualname, bases=bases, direct=direct,
                    kind="class", name=node.name, qualname=qualname, is_async=False,
                )
            )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        cls = test_class_of(ctx)
        name = node.name
        test = is_test_name(name)
        if cls is None:
            if name in MODULE_FIXTURES and ctx.scope.kind == "module":
                self.emit(
                    UnittestCaseFact(
                        **ctx.pos(node), class_qualname=ctx.module, bases=(), direct=True,
                        kind=name, name=name, qualname=ctx.def_qualname(node),
                        is_async=isinstance(node, ast.AsyncFunctionDef),
                    )
                )  # fmt: skip
                return
            if not (test and self.test_file and ctx.scope.kind == "module"):
                return
        elif cls.unittest and (test or name in TESTCASE_FIXTURES):
            self.emit(
                UnittestCaseFact(
                    **ctx.pos(node), class_qualname=cls.qualname,
                    bases=self.bases.get(cls.qualname, ()), direct=cls.direct,
                    kind="test" if test else name, name=name, qualname=ctx.def_qualname(node),
                    is_async=isinstance(node, ast.AsyncFunctionDef),
                )
            )  # fmt: skip
        if not test:
            return
        qualname = ctx.def_qualname(node)
        unittest = cls is not None and cls.unittest
        node_id = qualname[len(ctx.module) + 1 :].replace(".", "::")
        self.emit(
            SuiteTestFact(
                **ctx.pos(node), qualname=qualname, name=name,
                class_name=cls.qualname if cls is not None else None,
                framework="unittest" if unittest else "pytest",
                fixtures=() if cls is not None and cls.direct
                else self._fixtures(node, cls is not None),
                is_async=isinstance(node, ast.AsyncFunctionDef), node_id=node_id,
            )
        )  # fmt: skip

    def _fixtures(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool
    ) -> tuple[str, ...]:
        ctx = self.ctx
        not_fixtures: set[str] = set()
        patches = 0
        used: list[str] = []
        for dec in node.decorator_list:
            callee = ctx.qualname(called(dec))
            if callee == PARAMETRIZE and isinstance(dec, ast.Call):
                not_fixtures.update(str_items(argument(dec, 0, "argnames")))
            elif callee == USEFIXTURES and isinstance(dec, ast.Call):
                used.extend(
                    a.value for a in dec.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                )  # fmt: skip
            elif callee in HYPOTHESIS_DECORATORS and isinstance(dec, ast.Call):
                not_fixtures.update(kw.arg for kw in dec.keywords if kw.arg)
            elif (
                callee in PATCHES
                and isinstance(dec, ast.Call)
                and argument(dec, 2 if callee.endswith(".object") else 1, "new") is None
            ):
                patches += 1  # a mock passed to the test first (pytest skips as many)
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        if method and positional:
            positional = positional[1:]
        with_default = len(args.defaults)
        if with_default:
            positional = positional[: len(positional) - with_default]
        positional = positional[patches:]
        kwonly = [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
        names = [a.arg for a in (*positional, *kwonly) if a.arg not in not_fixtures]
        return tuple(dict.fromkeys([*names, *used]))
