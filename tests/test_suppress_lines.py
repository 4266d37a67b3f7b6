"""Suppression comments found from the syntax tree (only the lines around each candidate
tokenized) equal those found by tokenizing the whole file: on sources built to trip a lexer, and
on real code (this repository's own) with directives written into it at many places."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from auditls.extractors.parse import decode
from auditls.extractors.suppress import parse_suppressions
from auditls.facts.core import SuppressionFact

ROOT = Path(__file__).resolve().parent.parent

TRICKY = {
    "trailing": "import os\nos.system(x)  # nosec\n",
    "own line": "def f():\n    # auditls: ignore[AUD101]\n    eval(x)\n",
    "hash in a string": "s = \"# nosec\"\nt = '# auditls: ignore'  # nosec B602\n",
    "triple-quoted": 'doc = """\n# nosec\n# auditls: ignore[AUD101]\n"""  # auditls: ignore\n',
    "docstring at column 0": (
        'def f():\n    """Text\n# nosec\nx = 1  # nosec\n"""\n    return 1  # nosec\n'
    ),
    "implicit concatenation": 'x = ("a"  # nosec\n     "b")  # auditls: ignore[AUD102]\n',
    "decorator": "@app.route('/x')  # nosec\n@other  # auditls: ignore\ndef view():\n    pass\n",
    "after a multi-line string on one line": 'x = """a\nb"""; y = eval(z)  # nosec\n',
    "continuation": "x = 1 + \\\n    eval(y)  # nosec\nz = 2\n",
    "brackets": "call(\n    a,  # nosec\n    b,\n)  # auditls: ignore[AUD101]\n",
    "two directives": "x()  # noqa: S307  # auditls: ignore[AUD101] # nosec\n",
    "malformed": "x()  # auditls: ignor\n# auditls: ignore-file\n",
    "file level": "# auditls: ignore-file[AUD101] -- generated\nimport os\n",
    "nested class": (
        "class A:\n    '''# nosec'''\n    def m(self):\n        s = '#'  # nosec\n"
        "        return f'{s} # nosec'  # auditls: ignore\n"
    ),
    "fstring": 'x = f"{a!r} # nosec {b:>{w}}"  # nosec\n',
    "bytes": "b = b'# nosec'  # nosec\n",
    "crlf": "import os\r\nos.system(x)  # nosec\r\ns = '# nosec'\r\n",
    "bom": "\ufeffos.system(x)  # nosec\n",
    "identifier only": "_auditls_bench_1 = 1\nnosec = 2\n",
    "comment without the words": "x = 1  # plain\n# nothing\n",
    "if block": "if True:\n    x = '''\n# nosec'''\n    y()  # nosec\nelse:\n    z()  # nosec\n",
}


def both_ways(source: bytes) -> tuple[list[SuppressionFact], list[SuppressionFact]]:
    tree = ast.parse(decode(source))
    return parse_suppressions(source, tree), parse_suppressions(source)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_sources(name: str) -> None:
    source = TRICKY[name].encode("utf-8")
    fast, whole = both_ways(source)
    assert fast == whole


def test_tricky_sources_find_what_they_should() -> None:
    """The comparison above is not vacuous: the directives are there (and the strings' not)."""
    fast, _ = both_ways(TRICKY["hash in a string"].encode())
    assert [(s.line, s.style) for s in fast] == [(2, "nosec")]
    fast, _ = both_ways(TRICKY["triple-quoted"].encode())
    assert [(s.line, s.style) for s in fast] == [(4, "auditls")]
    fast, _ = both_ways(TRICKY["identifier only"].encode())
    assert fast == []


def test_latin1_cookie() -> None:
    source = "# -*- coding: latin-1 -*-\ns = 'é'  # nosec\n".encode("latin-1")
    fast, whole = both_ways(source)
    assert fast == whole
    assert len(fast) == 1


def _with_directives(text: str, rng: random.Random) -> str:
    """Directives appended to about one line in five, and a few on lines of their own."""
    out: list[str] = []
    for line in text.split("\n"):
        roll = rng.random()
        if line.rstrip().endswith("\\") or (out and out[-1].rstrip().endswith("\\")):
            out.append(line)  # a comment after a continuation would not parse
        elif roll < 0.1:
            out.append(line + "  # nosec")
        elif roll < 0.2:
            out.append(line + "  # auditls: ignore[AUD101] -- reviewed")
        elif roll < 0.22:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + "# auditls: ignore-file[AUD102]")
            out.append(line)
        else:
            out.append(line)
    return "\n".join(out)


SOURCES = sorted((ROOT / "src" / "auditls").rglob("*.py"))[::3]


def _mutated(path: Path) -> tuple[bytes, ast.Module]:
    text = _with_directives(path.read_text(encoding="utf-8"), random.Random(path.name))
    source = text.encode("utf-8")
    return source, ast.parse(decode(source))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_real_code_with_directives(path: Path) -> None:
    source, tree = _mutated(path)
    assert parse_suppressions(source, tree) == parse_suppressions(source)


def test_real_code_holds_directives() -> None:
    """The comparison above is not vacuous either: most written directives are found."""
    written = found = 0
    for path in SOURCES:
        source, tree = _mutated(path)
        written += source.count(b"# nosec") + source.count(b"# auditls:")
        found += len(parse_suppressions(source, tree))
    assert written > 1000
    assert found > written * 0.8
