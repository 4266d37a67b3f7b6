"""The security extractors below the rules: value sources, call links, import order.

The labelled corpus (``fixtures/security/``, run by ``tests/test_fixtures.py``) tests the rules
end to end; the golden files ``fixtures/goldens/security_*.py`` pin the facts themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.extractors import extract, skipped
from auditls.extractors.prefilter import FileScan
from auditls.extractors.walker import REGISTRY, Extractor
from auditls.facts.core import CallFact
from auditls.facts.security import (
    FACT_TYPES as SECURITY_FACT_TYPES,
)
from auditls.facts.security import (
    DangerousCallFact,
    FileOperationFact,
    SecretLiteralFact,
)
from auditls.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "fixtures" / "security").glob("*.py"))


def sources(body: str) -> list[tuple[str, str | None]]:
    """(callee, source) of each dangerous call in a small module."""
    ff = extract(body.encode(), "m.py")
    return [(f.callee, f.source) for f in ff.of(DangerousCallFact)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("def f(x):\n    eval(x)\n", "param"),
        ("def f(self, x):\n    eval(self.x)\n", "param"),  # not a method: a plain parameter
        ("class C:\n    def f(self):\n        eval(self.code)\n", "unknown"),
        ("from flask import request\neval(request.args['q'])\n", "request"),
        ("def f(req):\n    eval(req.form['q'].strip())\n", "param"),
        ("def f(x):\n    y = f'{x}!'\n    eval(y)\n", "param"),
        ("def f(x):\n    y = 'a'\n    y += x\n    eval(y)\n", "param"),
        ("C = '1'\ndef f():\n    eval(C)\n", "constant"),
        ("C = '1'\ndef f():\n    eval(f'{C} + 1')\n", "constant"),
        ("def f(x):\n    eval(f'{int(x)} + 1')\n", "literal"),
        ("import shlex, os\ndef f(x):\n    os.system('ls ' + shlex.quote(x))\n", "literal"),
        ("def f(x):\n    eval('ls ' + __import__('shlex').quote(x))\n", "formatted"),
        ("T = {'a': 'x'}\ndef f(k):\n    eval(T[k])\n", "literal"),
        ("def f(xs):\n    for x in xs:\n        eval(x)\n", "unknown"),
        ("def f():\n    x = '1'\n    for x in g():\n        eval(x)\n", "unknown"),
        ("def f():\n    a, b = g()\n    eval(a)\n", "unknown"),
        ("eval(input())\n", "request"),
    ],
)
def test_sources(body: str, expected: str) -> None:
    found = [s for callee, s in sources(body) if callee == "builtins.eval" or "system" in callee]
    assert found == [expected]


def test_shell_sanitizer_counts_only_for_commands() -> None:
    body = "import shlex\ndef f(x):\n    eval('a' + shlex.quote(x))\n"
    assert sources(body) == [("builtins.eval", "formatted")]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_security_facts_link_to_their_calls(path: Path) -> None:
    ff = extract(path.read_bytes(), path.name)
    calls = {c.call_id: c for c in ff.of(CallFact)}
    for fact in ff.facts:
        if type(fact) not in SECURITY_FACT_TYPES:
            continue
        call_id = getattr(fact, "call_id", None)
        if call_id is None:
            continue
        call = calls[call_id]
        assert (call.line, call.col) <= (fact.line, fact.col), (fact, call)
        assert (fact.end_line, fact.end_col) <= (call.end_line, call.end_col), (fact, call)


def test_every_rule_has_a_case_in_the_fixtures() -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    sources = [*fixtures.rglob("*.py"), *fixtures.rglob("templates/**/*.html")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    for code in RULES:
        if code >= "AUD100":
            assert f"expect: {code}" in text or f", {code}" in text, code


def test_corpus_is_large_enough() -> None:
    assert sum(len(p.read_text(encoding="utf-8").splitlines()) for p in CORPUS) >= 500


def test_files_without_the_modules_are_skipped() -> None:
    ff = extract(b"def f(x):\n    return x + 1\n", "m.py")
    assert not [f for f in ff.facts if type(f) in SECURITY_FACT_TYPES]


def test_secret_values_are_not_stored() -> None:
    ff = extract(b'PASSWORD = "hunter2-prod"\n', "m.py")
    [fact] = ff.of(SecretLiteralFact)
    assert (fact.name, fact.length) == ("PASSWORD", 12)
    assert "hunter2" not in repr(fact)


def test_temp_path_outside_a_call() -> None:
    ff = extract(b'LOCK = f"/tmp/{name}.lock"\n', "m.py")
    [fact] = ff.of(FileOperationFact)
    assert (fact.operation, fact.temp_dir, fact.call_id) == ("temp_path", "/tmp", None)


# -- knowledge is reachable: the pre-filter never skips a file that uses an entry ---------------


def _declared(cls: type[Extractor]) -> Iterator[tuple[str, str]]:
    """(kind, entry) of every knowledge entry an extractor declares."""
    for kind in ("qualnames", "instances_of", "names", "fragments"):
        for table in getattr(cls, kind):
            for entry in table:
                yield kind, entry


def _using(kind: str, entry: str) -> str:
    """A small module that uses one knowledge entry."""
    if kind == "qualnames":
        return f"import {entry.partition('.')[0]}\n{entry.replace('<scheme>', 'any')}(x)\n"
    if kind == "instances_of":
        return f"import {entry.partition('.')[0]}\ndef f(obj): return obj\n"
    if kind == "names":
        return f"def f(obj):\n    return obj.{entry}(1)\n"
    return f"PATH = {entry + '/x'!r}\n"


@pytest.mark.parametrize("cls", [c for c in REGISTRY if not c.needs.always], ids=lambda c: c.name)
def test_every_knowledge_entry_of_an_extractor_is_reachable(cls: type[Extractor]) -> None:
    index = REGISTRY.index(cls)
    entries = list(_declared(cls))
    assert entries, f"{cls.name} is filtered but declares no knowledge"
    for kind, entry in entries:
        source = _using(kind, entry)
        scan = FileScan(source, "pkg/m.py", "pkg.m")
        assert index not in skipped(scan), f"{cls.name} skips a file using {entry!r}:\n{source}"
