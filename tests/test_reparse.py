"""``Reparser``: a tree spliced after an edit equals the tree of a full parse, positions and
all, over chains of random edits (fixed seeds) of this repository's own files, and the edits an
editor makes most (a line typed in a method, a line added at the end) are spliced, not parsed
whole."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from auditls.extractors import extract
from auditls.extractors.parse import parse
from auditls.extractors.reparse import Reparser

REPO = Path(__file__).resolve().parents[1]
#: Files of several shapes: long classes (the store), module-level functions (the CLI),
#: nested defs (the walker), decorators and dataclasses (the facts).
SOURCES = [
    "src/auditls/store/store.py",
    "src/auditls/cli.py",
    "src/auditls/extractors/walker.py",
    "src/auditls/extractors/semantic.py",
    "src/auditls/facts/core.py",
    "src/auditls/server/text_sync.py",
    "src/auditls/knowledge/taint/__init__.py",
]
#: Lines an edit inserts: statements at several depths, openers and closers of blocks,
#: brackets and strings, clauses, decorators, continuations, semicolons, tabs.
INSERTS = [
    "",
    "# a comment",
    "x = 1",
    "    y = 2",
    "        z = 3",
    "            w = 4",
    "if x:",
    "    if y:",
    "    pass",
    "else:",
    "    else:",
    "def g():",
    "    def h(self):",
    "@dec",
    "    @property",
    "class C:",
    "(",
    ")",
    "    ]",
    '"""',
    "    '''",
    "return 1",
    "        return None",
    "  bad = 1",
    "\tt = 1",
    "a = 1; b = 2",
    "    a = 1; b = 2",
    "x = (",
    "    1 +",
    "x = 1 \\",
    "    async def k():",
    "    await q",
    "try:",
    "except E:",
    "    finally:",
    "match v:",
    "    case 1:",
    "lambda: (yield)",
    "    __x: int = 0",
]
TYPED = [" ", "x", "(", ")", "[", ":", ",", "'", '"', "\\", "#", ".", "=", "\t", "    "]


def _edit(lines: list[str], rng: random.Random) -> None:
    i = rng.randrange(len(lines) + 1)
    j = min(i, len(lines) - 1)
    kind = rng.randrange(9)
    if kind == 0:  # a line inserted
        lines.insert(i, rng.choice(INSERTS))
    elif kind == 1:  # a statement added where the cursor is, at that line's indentation
        line = lines[j]
        lines.insert(i, line[: len(line) - len(line.lstrip())] + "q = f(1)")
    elif kind == 2 and lines:  # typing in a line
        line = lines[j]
        at = rng.randrange(len(line) + 1)
        lines[j] = line[:at] + rng.choice(TYPED) + line[at:]
    elif kind == 3 and len(lines) > 1:  # lines deleted
        del lines[j : j + rng.randrange(1, 5)]
    elif kind == 4:  # indented or dedented
        lines[j] = (
            lines[j][4:]
            if lines[j].startswith("    ") and rng.random() < 0.5
            else "    " + lines[j]
        )
    elif kind == 5:  # a line copied elsewhere
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif kind == 6:  # a line at the end (the benchmark's edit)
        lines.insert(len(lines) - (lines[-1] == ""), f"_edit_{rng.randrange(99)} = 1")
    elif kind == 7 and lines:  # a character deleted
        line = lines[j]
        if line:
            at = rng.randrange(len(line))
            lines[j] = line[:at] + line[at + 1 :]
    else:  # a block moved: cut and pasted elsewhere
        block = lines[j : j + rng.randrange(1, 8)]
        del lines[j : j + len(block)]
        at = rng.randrange(len(lines) + 1)
        lines[at:at] = block


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def _full(text: str) -> str | None:
    try:
        return _dump(parse(text, "f.py"))
    except SyntaxError:
        return None


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("seed", range(2))
def test_splices_equal_full_parses(name: str, seed: int) -> None:
    rng = random.Random(f"{name}:{seed}")
    good = (REPO / name).read_text(encoding="utf-8")
    reparser = Reparser(min_size=0)
    reparser.parse(good, "f.py")
    parsed = 0
    for _ in range(60):
        lines = good.split("\n")
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            _edit(lines, rng)
        text = "\n".join(lines)
        expected = _full(text)
        try:
            got: str | None = _dump(reparser.parse(text, "f.py"))
        except SyntaxError:
            got = None
        assert got == expected, f"edit {reparser.stats} of {name} differs from a full parse"
        parsed += expected is not None
        if expected is not None and rng.random() < 0.7:
            good = text  # the next edit builds on this one; else on the last good text again
    # Most edits that parse are spliced: if none were, the splice would be dead code.
    assert reparser.stats["spliced"] >= parsed // 2, (parsed, reparser.stats)


def test_a_line_typed_in_a_method_reparses_that_method() -> None:
    text = (REPO / "src/auditls/store/store.py").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("        ") and "=" in line)
    reparser = Reparser()
    first = reparser.parse(text, "store.py")
    lines[at] += "  # typed"
    lines.insert(at + 1, lines[at][: len(lines[at]) - len(lines[at].lstrip())] + "x = 1")
    edited = "\n".join(lines)
    second = reparser.parse(edited, "store.py")
    assert reparser.stats == {"full": 1, "spliced": 1}
    assert second is first  # the same tree, changed in place
    assert _dump(second) == _dump(parse(edited, "store.py"))
    # The unchanged text again (the full analysis after the quick one): the same tree.
    assert reparser.parse(edited, "store.py") is second
    assert reparser.stats["same"] == 1


def test_a_syntax_error_keeps_the_last_good_tree() -> None:
    text = (REPO / "src/auditls/cli.py").read_text(encoding="utf-8")
    reparser = Reparser()
    reparser.parse(text, "cli.py")
    with pytest.raises(SyntaxError):
        reparser.parse(text + "\ndef broken(:\n", "cli.py")
    fixed = text + "\ndef mended():\n    pass\n"
    assert _dump(reparser.parse(fixed, "cli.py")) == _dump(parse(fixed, "cli.py"))
    assert reparser.stats["spliced"] == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A continuation line: the piece would join the statement before.
        ("x = 1 \\\n\ny = 2\n", "x = 1 \\\n+ 3\ny = 2\n"),
        # Statements sharing a line with the change.
        ("a = 1; b = 2\nc = 3\n", "a = 1; b = 5\nc = 3\n"),
        # A clause added after a block ends: it belongs to the statement before.
        ("if x:\n    pass\ny = 1\n", "if x:\n    pass\nelse:\n    pass\ny = 1\n"),
        # A line added at the end of a method's body, at its indentation.
        (
            "class A:\n    def f(self):\n        a = 1\nb = 2\n",
            "class A:\n    def f(self):\n        a = 1\n        c = 3\nb = 2\n",
        ),
        # A line dedented out of a method: the class ends there.
        (
            "class A:\n    def f(self):\n        a = 1\n        c = 3\n",
            "class A:\n    def f(self):\n        a = 1\nc = 3\n",
        ),
        # A one-line body.
        ("class A: x = 1\ny = 2\n", "class A: x = 2\ny = 2\n"),
        # A decorator whose expression starts on the next line.
        ("x = 1\n@(\n  d)\ndef f(): pass\n", "x = 2\n@(\n  d)\ndef f(): pass\n"),
        # Lines removed before a method: the methods after it move up.
        (
            "class A:\n    a = 1\n    b = 2\n    def f(self):\n        return 1\n",
            "class A:\n    a = 1\n    def f(self):\n        return 1\n",
        ),
        # The future import that changes the grammar.
        (
            "from __future__ import barry_as_FLUFL\nx = 1\n",
            "from __future__ import barry_as_FLUFL\nx = 1 <> 2\n",
        ),
    ],
)
def test_awkward_edits(before: str, after: str) -> None:
    reparser = Reparser(min_size=0)
    reparser.parse(before, "f.py")
    expected = _full(after)
    try:
        got: str | None = _dump(reparser.parse(after, "f.py"))
    except SyntaxError:
        got = None
    assert got == expected


def test_extract_with_a_reparser_gives_the_same_facts() -> None:
    text = (REPO / "src/auditls/server/text_sync.py").read_text(encoding="utf-8")
    reparser = Reparser()
    extract(text.encode(), "text_sync.py", reparser=reparser)
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    return "))
    lines.insert(at, "    os.system(request.args['cmd'])")
    edited = "\n".join(lines).encode()
    spliced = extract(edited, "text_sync.py", reparser=reparser)
    assert reparser.stats["spliced"] == 1
    assert spliced == extract(edited, "text_sync.py")
    assert spliced.facts
