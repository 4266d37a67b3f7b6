"""The file-level suppression `# auditls: ignore-file[CODE, ...]` (parsing and checking).

The fixture ``fixtures/rules/suppress_file.py`` runs it through the whole pipeline; these tests
pin the parser's verdicts and the scope of the suppression.
"""

from __future__ import annotations

import pytest

from auditls.extractors import extract
from auditls.extractors.suppress import FILE_STYLE, parse_suppressions
from auditls.rules import check_facts


def parsed(source: str) -> list[tuple[tuple[str, ...], str, str | None]]:
    return [(s.codes, s.style, s.malformed) for s in parse_suppressions(source.encode())]


@pytest.mark.parametrize(
    ("source", "codes"),
    [
        ("# auditls: ignore-file[AUD101]\n", ("AUD101",)),
        ("    # auditls: ignore-file[AUD101, AUD102] -- generated code\n", ("AUD101", "AUD102")),
        ("x = 1\n#auditls:ignore-file[AUD103]\n", ("AUD103",)),
    ],
)
def test_well_formed(source: str, codes: tuple[str, ...]) -> None:
    assert parsed(source) == [(codes, FILE_STYLE, None)]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("# auditls: ignore-file\n", "must name the rules"),
        ("# auditls: ignore-file -- everything\n", "must name the rules"),
        ("x = 1  # auditls: ignore-file[AUD101]\n", "on a line of its own"),
        ("# auditls: ignore-file[AUD1]\n", "'AUD1' is not a rule code"),
        ("# auditls: ignore-file AUD101\n", "codes must be in brackets"),
        ("# auditls: ignore-file[AUD101\n", "unclosed '[' after 'ignore-file'"),
    ],
)
def test_malformed(source: str, reason: str) -> None:
    [(codes, style, malformed)] = parsed(source)
    assert (codes, style) == ((), FILE_STYLE)
    assert malformed is not None
    assert reason in malformed


def test_unknown_words_are_still_unknown_directives() -> None:
    [(_, style, malformed)] = parsed("# auditls: ignore-files[AUD101]\n")
    assert style == "auditls"
    assert malformed is not None
    assert "unknown directive 'ignore-files'" in malformed


def rules_of(source: str) -> list[tuple[int, str]]:
    return [(f.line, f.rule) for f in check_facts(extract(source.encode(), "m.py"))]


def test_applies_to_the_whole_file_and_only_to_its_rules() -> None:
    source = (
        "import os\n"
        "def f(code, cmd):\n"
        "    eval(code)\n"
        "    os.system(cmd)\n"
        "    exec(code)\n"
        "# auditls: ignore-file[AUD101]\n"
    )
    assert rules_of(source) == [(4, "AUD102")]


def test_malformed_or_unknown_suppresses_nothing() -> None:
    body = "def f(code):\n    eval(code)\n"
    assert rules_of("# auditls: ignore-file[AUD999]\n" + body) == [(1, "AUD002"), (3, "AUD101")]
    assert rules_of("# auditls: ignore-file\n" + body) == [(1, "AUD002"), (3, "AUD101")]
    assert rules_of("x = 1  # auditls: ignore-file[AUD101]\n" + body) == [
        (1, "AUD002"),
        (3, "AUD101"),
    ]


def test_can_silence_aud002_itself() -> None:
    source = "# auditls: ignore-file[AUD002]\nx = 1  # auditls: ignore[AUD1]\n"
    assert rules_of(source) == []


def test_line_suppressions_are_unchanged() -> None:
    source = "def f(code):\n    eval(code)  # auditls: ignore[AUD101]\n    eval(code)\n"
    assert rules_of(source) == [(3, "AUD101")]
