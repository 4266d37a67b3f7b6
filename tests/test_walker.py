"""The walker: one iterative pass, families aliased once, handlers checked, errors isolated."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import ClassVar

import pytest

from auditls.extractors import decode, extract, walker
from auditls.extractors.prefilter import FileScan, needs_of
from auditls.extractors.semantic import Context, module_from_path
from auditls.extractors.walker import (
    NODE_FAMILIES,
    REGISTRY,
    SCOPE_NODES,
    Extractor,
    Walker,
    build_tables,
    register,
)
from auditls.facts.core import CallFact, FunctionFact


def _walk(source: str, classes: list[type[Extractor]]) -> list[Extractor]:
    ctx = Context(source, "m.py", "m")
    instances = [cls(ctx) for cls in classes]
    Walker(ctx, instances, *build_tables(classes)).run(ast.parse(source))
    return instances


class Recorder(Extractor):
    name = "test.recorder"
    seen: ClassVar[list[str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.seen.append(f"visit {type(node).__name__} {node.name}")

    def leave_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.seen.append(f"leave {type(node).__name__} {node.name}")

    def visit_For(self, node: ast.For) -> None:
        self.seen.append(f"for {type(node).__name__}")

    def visit_With(self, node: ast.With) -> None:
        self.seen.append(f"with {type(node).__name__}")

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self.seen.append(f"comp {type(node).__name__}")


def test_families_reach_every_member() -> None:
    Recorder.seen = []
    source = (
        "def f(): pass\n"
        "async def g():\n"
        "    async for x in y: pass\n"
        "    async with z: pass\n"
        "for a in b: pass\n"
        "with c: pass\n"
        "[1 for _ in d]; {1 for _ in d}; {1: 2 for _ in d}; (1 for _ in d)\n"
    )
    _walk(source, [Recorder])
    assert sorted(Recorder.seen) == sorted(
        [
            "visit FunctionDef f",
            "leave FunctionDef f",
            "visit AsyncFunctionDef g",
            "leave AsyncFunctionDef g",
            "for AsyncFor",
            "with AsyncWith",
            "for For",
            "with With",
            "comp ListComp",
            "comp SetComp",
            "comp DictComp",
            "comp GeneratorExp",
        ]
    )


def test_an_explicit_handler_wins_over_the_family_alias() -> None:
    class Both(Extractor):
        name = "test.both"
        seen: ClassVar[list[str]] = []

        def visit_FunctionDef(self, node: ast.AST) -> None:
            self.seen.append("sync")

        def visit_AsyncFunctionDef(self, node: ast.AST) -> None:
            self.seen.append("async")

    _walk("def f(): pass\nasync def g(): pass\n", [Both])
    assert Both.seen == ["sync", "async"]


def test_every_scope_introducing_node_class_is_listed() -> None:
    expected = {
        ast.Module,
        ast.ClassDef,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.Lambda,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
    }
    assert set(SCOPE_NODES) == expected
    assert set(NODE_FAMILIES[ast.FunctionDef]) == {ast.FunctionDef, ast.AsyncFunctionDef}
    assert set(NODE_FAMILIES[ast.ListComp]) == {
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
    }


def test_register_rejects_a_handler_that_names_no_ast_class() -> None:
    with pytest.raises(TypeError, match="FunctionDefinition"):

        @register
        class Typo(Extractor):
            name = "test.typo"

            def visit_FunctionDefinition(self, node: ast.AST) -> None:
                pass


def test_registry_lists_the_core_extractors() -> None:
    names = {cls.name for cls in REGISTRY}
    assert {
        "core.imports",
        "core.functions",
        "core.classes",
        "core.calls",
        "core.assignments",
        "core.returns",
        "core.decorators",
        "core.context_managers",
    } <= names


def test_deep_expression_does_not_recurse() -> None:
    source = "x = " + " + ".join(["a"] * 3000) + "\ny = f(" + " + ".join(['"s"'] * 3000) + ")\n"
    facts = extract(source.encode(), "deep.py")
    assert facts.status == "ok"
    assert [c.callee_text for c in facts.of(CallFact)] == ["f"]


def test_deeply_nested_blocks_do_not_recurse() -> None:
    lines = []
    for depth in range(90):  # CPython's parser caps block nesting near 100
        lines.append("    " * depth + "if x:")
    lines.append("    " * 90 + "eval(y)")
    facts = extract("\n".join(lines).encode(), "nested.py")
    assert [c.callee for c in facts.of(CallFact)] == ["builtins.eval"]


def test_each_node_is_visited_once() -> None:
    class Counter(Extractor):
        name = "test.counter"
        counts: ClassVar[dict[int, int]] = {}

        def visit_Name(self, node: ast.Name) -> None:
            self.counts[id(node)] = self.counts.get(id(node), 0) + 1

    source = "def f(a=b):\n    return [c for c in a if c]\nclass K(B):\n    x = lambda y: y + z\n"
    tree_names = sum(isinstance(n, ast.Name) for n in ast.walk(ast.parse(source)))
    _walk(source, [Counter])
    assert len(Counter.counts) == tree_names
    assert set(Counter.counts.values()) == {1}


class Boom(Extractor):
    name = "test.boom"
    fact_types = (CallFact,)

    def visit_Call(self, node: ast.Call) -> None:
        raise RuntimeError("boom")


class Fine(Extractor):
    name = "test.fine"

    def visit_Call(self, node: ast.Call) -> None:
        self.emit(CallFact(**self.ctx.pos(node), call_id=0, function="m", callee=None,
                           callee_text="", attr=None, n_args=0, stmt_line=1))  # fmt: skip


def test_an_extractor_error_loses_only_that_extractors_facts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(walker, "STRICT", False)
    ctx = Context("f()\n", "m.py", "m")
    instances: list[Extractor] = [Boom(ctx), Fine(ctx)]
    w = Walker(ctx, instances, *build_tables([Boom, Fine]))
    w.run(ast.parse("f()\n"))
    assert list(w.failed) == [0]
    assert "test.boom: RuntimeError: boom (line 1)" in w.failed[0]
    assert len(instances[1].facts) == 1


def test_under_tests_an_extractor_error_is_raised() -> None:
    ctx = Context("f()\n", "m.py", "m")
    w = Walker(ctx, [Boom(ctx)], *build_tables([Boom]))
    with pytest.raises(RuntimeError, match="boom"):
        w.run(ast.parse("f()\n"))


def test_timing_hook_reports_every_extractor_that_ran() -> None:
    timings: dict[str, float] = {}
    extract(b"import os\nos.system(x)\n", "t.py", timings=timings)
    assert "core.calls" in timings
    assert "core.imports" in timings
    assert all(v >= 0.0 for v in timings.values())


def test_function_bodies_see_later_module_bindings() -> None:
    source = (
        "def caller():\n    helper()\n    sp.run(x)\nimport subprocess as sp\ndef helper(): pass\n"
    )
    facts = extract(source.encode(), "pkg/m.py")
    assert [c.callee for c in facts.of(CallFact)] == ["pkg.m.helper", "subprocess.run"]


def test_facts_come_back_in_source_order() -> None:
    source = "def f():\n    g()\nh()\n"
    facts = extract(source.encode(), "m.py")
    keys = [(f.line, f.col) for f in facts.facts]
    assert keys == sorted(keys)
    assert [type(f) for f in facts.facts if type(f) in (CallFact, FunctionFact)] == [
        FunctionFact,
        CallFact,
        CallFact,
    ]


def test_fast_init_keeps_facts_frozen_and_equal() -> None:
    import dataclasses

    fact = CallFact(line=1, col=1, end_line=1, end_col=2, call_id=0, function="m", callee=None,
                    callee_text="f", attr=None, n_args=0, stmt_line=1)  # fmt: skip
    assert CallFact.__init__.__qualname__ == "CallFact.__init__"
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.line = 2  # type: ignore[misc]
    assert fact == dataclasses.replace(fact)
    with pytest.raises(TypeError):
        CallFact(line=1)  # type: ignore[call-arg]


# -- the pre-filter: which extractors a file needs ------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _imports(source: str, path: str = "pkg/sub/m.py") -> set[str]:
    return set(FileScan(source, path, module_from_path(path)).imports)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\n", {"os"}),
        ("import os.path as p, xml.etree.ElementTree as ET\n", {"os", "xml"}),
        ("from a.b import c\n", {"a"}),
        ("from a . b import c\n", {"a"}),
        ("from \\\n    yaml import load\n", {"yaml"}),
        ("import a, \\\n    b\n", {"a", "b"}),
        ("x = 1; import json\n", {"json"}),
        ("try: import yaml\nexcept ImportError: yaml = None\n", {"yaml"}),
        ("if TYPE_CHECKING:\n    from flask import Flask\n", {"flask"}),
        ("def f():\n    import subprocess as sp\n", {"subprocess"}),
        ("from . import views\n", {"pkg"}),
        ("from .import views\n", {"pkg"}),
        ("from ..other.m import w\n", {"pkg"}),
        ("from ...x import y\n", {"x"}),  # above the top package: resolves as the model does
        ("from __future__ import annotations\n", {"__future__"}),
        ("text = 'we import this lazily'\nyield_from = 1\n", set()),
        ("x = a.import_module\nfromage = 1\n", set()),
        ("import \uff4f\uff53\n", {"os"}),  # NFKC: Python reads full-width `os` as `os`
    ],
)
def test_scan_imports(source: str, expected: set[str]) -> None:
    assert _imports(source) == expected


def test_scan_imports_relative_to_a_top_level_module() -> None:
    source = "from . import (\n    views,  # the views\n    models as m,\n)\nfrom .x import y\n"
    assert _imports(source, "app.py") == {"views", "models", "x"}


def _ast_imports(text: str, path: str) -> set[str]:
    """What the semantic model resolves the imports of a file to (top-level modules)."""
    module = module_from_path(path)
    ctx = Context(text, path, module)
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ctx.resolve_relative(node.module, node.level)
            for a in node.names:
                target = f"{base}.{a.name}" if base else a.name
                found.add(target.partition(".")[0])
    return found


def test_the_scan_finds_every_import_of_real_files() -> None:
    """The lexical scan may find more than the imports (text in strings), never fewer."""
    files = [p for d in ("src", "tests", "fixtures", "bench") for p in (ROOT / d).rglob("*.py")]
    assert len(files) > 100
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        text = decode(path.read_bytes())
        try:
            expected = _ast_imports(text, rel)
        except SyntaxError:
            continue
        assert expected <= _imports(text, rel), rel


def test_words_are_whole_words() -> None:
    scan = FileScan("cursor.execute(q)  # executemany\nx = '/tmp/a'\n", "m.py", "m")
    assert scan.spells_any(frozenset({b"execute"}))
    assert not scan.spells_any(frozenset({b"exec"}))
    assert scan.contains_any(["/tmp"])


def test_needs_are_derived_from_the_knowledge_declared() -> None:
    class Probe(Extractor):
        name = "test.probe"
        qualnames = ({"subprocess.run", "builtins.eval", "tarfile.open.extractall"},)
        instances_of = ({"flask.Flask"},)
        names = (("execute",),)
        fragments = (("/tmp",),)

    needs = needs_of(Probe)
    assert needs.modules == {
        "subprocess": frozenset({b"run"}),
        "tarfile": frozenset({b"extractall"}),
        "flask": None,
    }
    assert needs.words == {b"eval", b"execute"}
    assert needs.fragments == ("/tmp",)

    def meets(source: str) -> bool:
        return FileScan(source, "m.py", "m").meets(needs)

    assert not meets("def f(x):\n    return x\n")
    assert not meets("import subprocess\n")  # imported, never used by that name
    assert meets("import subprocess as sp\nsp.run(x)\n")
    assert meets("eval(x)\n")
    assert meets("from flask import current_app\n")
    assert meets("cursor.execute(q)\n")
    assert meets("LOCK = '/tmp/x.lock'\n")
    assert not meets("run(x)\n")  # a local `run`, and no subprocess


def test_a_name_that_is_no_word_is_rejected() -> None:
    class Bad(Extractor):
        name = "test.bad_names"
        names = (("/tmp",),)

    with pytest.raises(TypeError, match="not a name"):
        needs_of(Bad)


def test_modules_are_never_written_by_hand() -> None:
    with pytest.raises(TypeError, match="declare the knowledge"):

        @register
        class Legacy(Extractor):
            name = "test.legacy"
            modules = frozenset({"logging"})

    assert all(cls.name != "test.legacy" for cls in REGISTRY)


def test_state_shared_by_extractors_lives_on_the_walk() -> None:
    class Memory:
        def __init__(self) -> None:
            self.items: list[str] = []

    one, two = Context("", "a.py", "a"), Context("", "b.py", "b")
    one.shared(Memory).items.append("x")
    assert one.shared(Memory).items == ["x"]
    assert two.shared(Memory).items == []
