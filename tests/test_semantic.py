"""The semantic model: names resolve through imports, scopes and assignments, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditls.extractors import extract, module_name_for
from auditls.extractors.semantic import module_from_path
from auditls.facts.core import CallArgFact, CallFact, ClassFact, FunctionFact, ImportFact


def callees(source: str, path: str = "pkg/mod.py") -> list[str | None]:
    return [c.callee for c in extract(source.encode(), path).of(CallFact)]


def outer_callee(source: str) -> str | None:
    """The callee of the last statement's outermost call (the widest call on the last line)."""
    calls = extract(source.encode(), "pkg/mod.py").of(CallFact)
    last = max(c.line for c in calls)
    widest = max((c for c in calls if c.line == last), key=lambda c: c.end_col - c.col)
    return widest.callee


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import subprocess\nsubprocess.run(x)", "subprocess.run"),
        ("import subprocess as sp\nsp.run(x)", "subprocess.run"),
        ("from subprocess import run as r\nr(x)", "subprocess.run"),
        ("from subprocess import run\nrun(x)", "subprocess.run"),
        ("import os.path\nos.path.join(a)", "os.path.join"),
        ("import os.path as p\np.join(a)", "os.path.join"),
        ("import xml.etree.ElementTree as ET\nET.parse(f)", "xml.etree.ElementTree.parse"),
        ("import subprocess\ns = subprocess\ns.run(x)", "subprocess.run"),
        ("from subprocess import run\nalias = run\nalias(x)", "subprocess.run"),
        ("eval(x)", "builtins.eval"),
        ("from flask import Flask\napp = Flask(__name__)\napp.route('/')", "flask.Flask.route"),
        ("import flask\napp = flask.Flask(__name__)\napp.run()", "flask.Flask.run"),
        ("from flask import Flask\nFlask(__name__).run()", "flask.Flask.run"),
        ("import hashlib as h\nh.md5(pw)", "hashlib.md5"),
        ("import hashlib\nhashlib.new('md5').update(b)", "hashlib.new.update"),
    ],
)
def test_resolves(source: str, expected: str) -> None:
    assert outer_callee(source) == expected


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("cursor.execute(q)", "an unknown object's method is unknown"),
        ("x.eval(q)", "an attribute named eval is not the builtin"),
        ("def eval(x): return x\neval(q)", "a module-level def shadows the builtin"),
        ("import subprocess\nsubprocess = make()\nsubprocess.run(x)", "reassignment shadows"),
        ("def f(eval):\n    eval(q)", "a parameter shadows the builtin"),
        ("def f():\n    run = g()\n    run(x)", "a local holds an unknown value"),
        ("from os import *\nsystem(x)", "a star import makes bare names unknown"),
        ("import yaml\nyaml = make()\nyaml.load(x)", "a reassignment to a call shadows"),
        ("getattr(os, 'system')(x)", "a computed callee is unknown"),
    ],
)
def test_does_not_guess(source: str, why: str) -> None:
    got = outer_callee(source)
    assert got is None or got.startswith("pkg.mod."), why
    assert got != "builtins.eval", why


def test_none_placeholder_for_a_missing_module_keeps_the_import() -> None:
    source = "try:\n    import yaml\nexcept ImportError:\n    yaml = None\nyaml.load(x)\n"
    assert callees(source) == ["yaml.load"]


def test_builtins_still_resolve_after_a_star_import() -> None:
    assert callees("from os import *\neval(x)\n") == ["builtins.eval"]


def test_local_def_shadows_builtin_with_its_own_qualname() -> None:
    assert callees("def eval(x): return x\neval(q)") == ["pkg.mod.eval"]


def test_star_import_is_recorded() -> None:
    facts = extract(b"from os.path import *\n", "m.py").of(ImportFact)
    assert [(f.bound, f.target, f.is_star) for f in facts] == [("*", "os.path", True)]


@pytest.mark.parametrize(
    ("path", "source", "target"),
    [
        ("pkg/sub/mod.py", "from . import x", "pkg.sub.x"),
        ("pkg/sub/mod.py", "from .sibling import y", "pkg.sub.sibling.y"),
        ("pkg/sub/mod.py", "from .. import z", "pkg.z"),
        ("pkg/sub/mod.py", "from ..other.m import w", "pkg.other.m.w"),
        ("pkg/sub/__init__.py", "from . import x", "pkg.sub.x"),
        ("pkg/sub/__init__.py", "from .m import x", "pkg.sub.m.x"),
        ("src/pkg/mod.py", "from .helpers import run", "pkg.helpers.run"),
    ],
)
def test_relative_imports(path: str, source: str, target: str) -> None:
    facts = extract(source.encode(), path).of(ImportFact)
    assert [f.target for f in facts] == [target]


def test_relative_import_used_in_a_call() -> None:
    source = "from .shell import run_cmd\nrun_cmd(x)"
    assert callees(source, "app/views.py") == ["app.shell.run_cmd"]


def test_class_scope_is_not_visible_from_methods() -> None:
    source = (
        "import subprocess\n"
        "class K:\n"
        "    subprocess = None\n"
        "    subprocess.run(a)\n"  # in the class body: the class attribute (unknown)
        "    def m(self):\n"
        "        subprocess.run(b)\n"  # in a method: the module import
    )
    assert callees(source) == [None, "subprocess.run"]


def test_self_resolves_to_the_enclosing_class() -> None:
    source = (
        "class K:\n"
        "    def a(self):\n"
        "        self.b()\n"
        "    @staticmethod\n"
        "    def s(x):\n"
        "        x.b()\n"
    )
    assert callees(source) == ["pkg.mod.K.b", None]


def test_annotated_parameter_is_an_instance_of_its_type() -> None:
    source = "from flask import Flask\ndef setup(app: Flask):\n    app.route('/')\n"
    assert callees(source) == ["flask.Flask.route"]


def test_with_as_binds_an_instance() -> None:
    source = "import tarfile\nwith tarfile.open(p) as tf:\n    tf.extractall(d)\n"
    assert callees(source) == ["tarfile.open", "tarfile.open.extractall"]


def test_global_declaration_binds_in_the_module() -> None:
    source = (
        "def init():\n"
        "    global runner\n"
        "    import subprocess as runner\n"
        "def go():\n"
        "    runner.run(x)\n"
    )
    assert callees(source) == ["subprocess.run"]


def test_nested_functions_see_enclosing_bindings() -> None:
    source = (
        "def outer():\n"
        "    import os as o\n"
        "    def inner():\n"
        "        o.system(x)\n"
        "    return inner\n"
    )
    assert callees(source) == ["os.system"]


def test_comprehension_targets_are_local() -> None:
    source = "import os\n[os(x) for os in things]\nos.system(y)\n"
    assert callees(source) == [None, "os.system"]


def test_walrus_binds_in_the_enclosing_scope() -> None:
    source = "import subprocess\nif (s := subprocess):\n    s.run(x)\n"
    assert callees(source) == ["subprocess.run"]


def test_assignment_value_resolves_before_the_target_is_bound() -> None:
    source = "import subprocess\nsubprocess = subprocess.Popen\nsubprocess(x)\n"
    assert callees(source) == ["subprocess.Popen"]


def test_async_functions_have_their_own_scope_and_facts() -> None:
    source = (
        "import asyncio\nasync def main(cmd):\n    await asyncio.create_subprocess_shell(cmd)\n"
    )
    facts = extract(source.encode(), "pkg/mod.py")
    (fn,) = facts.of(FunctionFact)
    assert (fn.qualname, fn.is_async) == ("pkg.mod.main", True)
    (call,) = facts.of(CallFact)
    assert (call.callee, call.function) == ("asyncio.create_subprocess_shell", "pkg.mod.main")
    (arg,) = facts.of(CallArgFact)
    assert (arg.kind, arg.origin) == ("name", "param")


def test_qualnames_of_nested_definitions() -> None:
    source = "class A:\n    class B:\n        def m(self):\n            def inner(): pass\n"
    facts = extract(source.encode(), "pkg/mod.py")
    assert [c.qualname for c in facts.of(ClassFact)] == ["pkg.mod.A", "pkg.mod.A.B"]
    assert [f.qualname for f in facts.of(FunctionFact)] == [
        "pkg.mod.A.B.m",
        "pkg.mod.A.B.m.<locals>.inner",
    ]
    assert [f.class_name for f in facts.of(FunctionFact)] == ["pkg.mod.A.B", None]


def test_argument_origins() -> None:
    source = "import os\nG = 1\ndef f(p):\n    loc = 2\n    g(p, loc, G, os, len, nowhere)\n"
    facts = extract(source.encode(), "m.py")
    origins = [a.origin for a in facts.of(CallArgFact)]
    assert origins == ["param", "local", "global", "import", "builtin", "unknown"]


@pytest.mark.parametrize(
    ("source", "kind", "value"),
    [
        ("f('x')", "constant", '"x"'),
        ("f(True)", "constant", "true"),
        ("f(-3)", "constant", "-3"),
        ("f(b'ab')", "constant", '"ab"'),
        ("f(['ls', '-l'])", "container", '["ls", "-l"]'),
        ("f({'a': 1})", "container", '{"a": 1}'),
        ("f([x])", "container", None),
        ("f(x)", "name", None),
        ("f(a.b)", "attribute", None),
        ("f(g())", "call", None),
        ("f(f'{x}')", "fstring", None),
        ("f(f'plain')", "constant", '"plain"'),
        ("f('%s' % x)", "percent_format", None),
        ("f('{}'.format(x))", "format_call", None),
        ("f('a' + x)", "concat", None),
        ("f(x + 'a' + y)", "concat", None),
        ("f('a' 'b')", "constant", '"ab"'),
        ("f(x + y)", "other", None),
        ("f(d[k])", "subscript", None),
    ],
)
def test_value_kinds(source: str, kind: str, value: str | None) -> None:
    (arg,) = extract(source.encode(), "m.py").of(CallArgFact)[:1]
    assert (arg.kind, arg.value) == (kind, value)


def test_module_from_path_alone() -> None:
    assert module_from_path("pkg/sub/mod.py") == "pkg.sub.mod"
    assert module_from_path("pkg/__init__.py") == "pkg"
    assert module_from_path("src/pkg/mod.py") == "pkg.mod"
    assert module_from_path("script.py") == "script"


def test_module_name_for_uses_init_files(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").touch()
    (tmp_path / "src" / "pkg" / "sub" / "__init__.py").touch()
    (tmp_path / "scripts").mkdir()
    assert module_name_for(tmp_path / "src/pkg/sub/m.py", tmp_path) == "pkg.sub.m"
    assert module_name_for(tmp_path / "src/pkg/sub/__init__.py", tmp_path) == "pkg.sub"
    assert module_name_for(tmp_path / "scripts/tool.py", tmp_path) == "tool"


def test_positions_are_code_points() -> None:
    source = "s = '𝒳é'; eval(s)\n"
    calls = extract(source.encode(), "u.py").of(CallFact)
    start = source.index("eval") + 1  # 1-based code points: 11, where UTF-8 bytes say 15
    assert [(c.line, c.col, c.end_col) for c in calls] == [(1, start, start + len("eval(s)"))]


def test_a_lone_surrogate_literal_is_kept_as_a_json_escape() -> None:
    (arg,) = extract(b"f('\\ud800-x')\n", "m.py").of(CallArgFact)
    assert arg.value == '"\\ud800-x"'
    arg.value.encode("utf-8")  # storable as UTF-8 text


def test_instance_attributes_set_in_a_method_resolve_in_others() -> None:
    source = (
        "import sqlite3\n"
        "class Repo:\n"
        "    def __init__(self, path):\n"
        "        self.conn = None\n"
        "        self.conn = sqlite3.connect(path)\n"
        "        self.cursor = self.conn.cursor()\n"
        "    def find(self, q):\n"
        "        self.conn.execute(q)\n"
        "        self.cursor.execute(q)\n"
        "        self.helper()\n"
        "        self.unknown.execute(q)\n"
        "    def helper(self): pass\n"
    )
    assert callees(source)[-4:] == [
        "sqlite3.connect.execute",
        "sqlite3.connect.cursor.execute",
        "pkg.mod.Repo.helper",
        "pkg.mod.Repo.unknown.execute",
    ]


def test_class_body_attributes_resolve_through_self() -> None:
    source = (
        "import subprocess\n"
        "class Runner:\n"
        "    run = subprocess.run\n"
        "    def go(self, cmd):\n"
        "        self.run(cmd, shell=True)\n"
    )
    assert callees(source) == ["subprocess.run"]


def test_attribute_targets_of_assignments_resolve() -> None:
    from auditls.facts.core import AssignmentFact

    source = (
        "import ssl, requests\n"
        "ctx = ssl.create_default_context()\n"
        "ctx.verify_mode = ssl.CERT_NONE\n"
        "s = requests.Session()\n"
        "s.verify = False\n"
        "obj.attr = 1\n"
    )
    rows = extract(source.encode(), "m.py").of(AssignmentFact)
    assert [(a.target, a.target_qualname) for a in rows if "." in a.target] == [
        ("ctx.verify_mode", "ssl.create_default_context.verify_mode"),
        ("s.verify", "requests.Session.verify"),
        ("obj.attr", None),
    ]
