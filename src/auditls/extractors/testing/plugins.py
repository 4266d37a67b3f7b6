"""pytest plugins (Block 2: ``extract_pytest_plugins``): hook implementations (module-level
``pytest_*`` functions, in a conftest or a plugin module, with ``@pytest.hookimpl(wrapper=True)``
or ``hookwrapper=True``) and the modules a ``pytest_plugins = [...]`` list loads. The
``[project.entry-points.pytest11]`` table of the workspace's pyproject is read by
``auditls.models.testing`` (it is not Python)."""

from __future__ import annotations

import ast

from auditls.extractors.testing.common import argument, called, is_conftest, str_items
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import PytestPluginFact
from auditls.knowledge.testing import HOOK_PREFIX, HOOKIMPL, PLUGIN_FRAGMENTS, PLUGINS_VARIABLE


@register
class PluginsExtractor(Extractor):
    """python_test_plugins."""

    name = "testing.pytest_plugins"
    fact_types = (PytestPluginFact,)
    fragments = (PLUGIN_FRAGMENTS,)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        ctx = self.ctx
        if ctx.scope.kind != "module" or not node.name.startswith(HOOK_PREFIX):
            return
        wrapper = False
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and ctx.qualname(called(dec)) in HOOKIMPL:
                for key in ("hookwrapper", "wrapper"):
                    flag = argument(dec, None, key)
                    wrapper |= isinstance(flag, ast.Constant) and flag.value is True
        self.emit(
            PytestPluginFact(
                **ctx.pos(node), kind="hook", name=node.name, qualname=ctx.def_qualname(node),
                conftest=is_conftest(ctx), hookwrapper=wrapper,
            )
        )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        if ctx.scope.kind != "module" or not any(
            isinstance(t, ast.Name) and t.id == PLUGINS_VARIABLE for t in node.targets
        ):
            return
        value = node.value
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        for item in items:
            for name in str_items(item):
                self.emit(
                    PytestPluginFact(
                        **ctx.pos(item), kind="plugins", name=name, qualname=ctx.module,
                        conftest=is_conftest(ctx), hookwrapper=False,
                    )
                )  # fmt: skip
