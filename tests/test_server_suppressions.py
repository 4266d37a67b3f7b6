"""The suppression edits a diagnostic carries (server/suppressions.py): where they go, what they
keep, and that applying one really silences the finding and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from auditls.extractors import extract
from auditls.facts.core import SuppressionFact
from auditls.rules import Finding, check_facts
from auditls.server.convert import UTF8, UTF16, Lines
from auditls.server.suppressions import Directives, file_edit, line_edit, suppression_data


def from_units(line: str, units: int, encoding: str) -> int:
    codec, width = ("utf-8", 1) if encoding == UTF8 else ("utf-16-le", 2)
    return len(line.encode(codec)[: units * width].decode(codec))


def findings(text: str) -> list[Finding]:
    return check_facts(extract(text.encode(), "m.py"))


def shape(text: str) -> tuple[Lines, Directives]:
    """The text's lines and its directives, as the server has them (from extraction)."""
    return Lines(text), Directives(extract(text.encode(), "m.py").of(SuppressionFact))


def apply(text: str, edit: dict[str, Any], encoding: str) -> str:
    """Apply one JSON TextEdit, its positions in ``encoding``."""
    lines = text.split("\n")
    start, end = edit["range"]["start"], edit["range"]["end"]
    assert start["line"] == end["line"]
    line = lines[start["line"]]
    assert edit["expect"] == line
    a = from_units(line, start["character"], encoding)
    b = from_units(line, end["character"], encoding)
    lines[start["line"]] = line[:a] + edit["newText"] + line[b:]
    return "\n".join(lines)


CASES = {
    "plain": "def f(code):\n    return eval(code)\n",
    "other comment kept": "def f(code):\n    return eval(code)  # noqa: S307\n",
    "existing directive extended": (
        "import os\n\n\ndef f(code, cmd):\n"
        "    os.system(cmd) or eval(code)  # auditls: ignore[AUD102] -- trusted\n"
    ),
    "non-ascii before": "def f(code):\n    s = '𝒳é'; eval(s + code)\n",
    "multi-line statement": (
        "import subprocess\n\n\ndef f(cmd):\n"
        "    subprocess.run(\n        cmd,\n        shell=True,\n    )\n"
    ),
    "finding line continued by a backslash": (
        "def f(code):\n    x = eval(code) + \\\n        1\n    return x\n"
    ),
    "finding line ends inside a string": (
        'def f(code):\n    x = (eval(code), """\n    text""")\n    return x\n'
    ),
    "shebang and coding": (
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\ndef f(code):\n    return eval(code)\n"
    ),
    "existing file directive": (
        "# auditls: ignore-file[AUD102]\nimport os\n\n\ndef f(code, cmd):\n    eval(code)\n"
        "    os.system(cmd)\n"
    ),
}


@pytest.mark.parametrize("encoding", [UTF8, UTF16])
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_edit_silences_exactly_its_finding(name: str, encoding: str) -> None:
    text = CASES[name]
    before = findings(text)
    assert before
    lines, directives = shape(text)
    for f in before:
        data = suppression_data(lines, directives, f, encoding)
        others = sorted((g.rule, g.line) for g in before if g is not f)
        if data["lineEdit"] is not None:
            after = findings(apply(text, data["lineEdit"], encoding))
            assert sorted((g.rule, g.line) for g in after) == others, name
        new_text = data["fileEdit"]["newText"]
        after = findings(apply(text, data["fileEdit"], encoding))
        shift = new_text.count("\n")  # a new directive line moves the others down
        rest = sorted((g.rule, g.line + shift) for g in before if g.rule != f.rule)
        assert sorted((g.rule, g.line) for g in after) == rest, name


def test_appended_after_an_existing_comment() -> None:
    text = CASES["other comment kept"]
    [f] = findings(text)
    edit = line_edit(*shape(text), f, UTF16)
    assert edit is not None
    assert apply(text, edit, UTF16).splitlines()[1] == (
        "    return eval(code)  # noqa: S307  # auditls: ignore[AUD101]"
    )


def test_an_existing_directive_is_extended_with_its_reason_kept() -> None:
    text = CASES["existing directive extended"]
    [f] = findings(text)
    edit = line_edit(*shape(text), f, UTF8)
    assert edit is not None
    assert apply(text, edit, UTF8).splitlines()[4] == (
        "    os.system(cmd) or eval(code)  # auditls: ignore[AUD102, AUD101] -- trusted"
    )


@pytest.mark.parametrize(
    "name", ["finding line continued by a backslash", "finding line ends inside a string"]
)
def test_no_line_edit_where_no_comment_can_go(name: str) -> None:
    text = CASES[name]
    [f] = findings(text)
    assert f.line == f.stmt_line
    assert line_edit(*shape(text), f, UTF8) is None  # the file edit is still offered


def test_the_first_line_of_a_multi_line_statement_is_used_when_needed() -> None:
    text = "def f(code):\n    x = (1 +\n         eval(code) + \\\n         2)\n    return x\n"
    [f] = findings(text)
    assert (f.line, f.stmt_line) == (3, 2)
    edit = line_edit(*shape(text), f, UTF8)
    assert edit is not None
    assert edit["range"]["start"]["line"] == 1  # the statement's first line (0-based)
    assert findings(apply(text, edit, UTF8)) == []


def test_file_edit_goes_after_shebang_and_coding() -> None:
    text = CASES["shebang and coding"]
    edit = file_edit(*shape(text), "AUD101", UTF8)
    assert edit["range"]["start"] == {"line": 2, "character": 0}
    assert edit["newText"] == "# auditls: ignore-file[AUD101]\n"


def test_file_edit_extends_an_existing_file_directive() -> None:
    text = CASES["existing file directive"]
    edit = file_edit(*shape(text), "AUD101", UTF8)
    assert apply(text, edit, UTF8).splitlines()[0] == "# auditls: ignore-file[AUD102, AUD101]"


def test_no_edits_for_a_syntax_error() -> None:
    text = "def f(:\n"
    [f] = findings(text)
    assert f.rule == "AUD001"
    assert suppression_data(*shape(text), f, UTF8) == {}
