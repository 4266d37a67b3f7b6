"""Rules below the extractor: suppression parsing, the catalogue, and checks over hand-built facts.

The fixture files (tests/test_fixtures.py) test the rules through the real extractor; these tests
pin the behaviour of the rules package on its own, against the fact contract.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditls.extractors.suppress import parse_suppressions
from auditls.facts import Fact, FileFacts
from auditls.facts.core import AssignmentFact, CallArgFact, CallFact, ClassFact
from auditls.knowledge.checks import YAML_SAFE_LOADERS, YAML_UNSAFE_LOADERS
from auditls.rules import (
    RULES,
    Finding,
    TraceStep,
    check_facts,
    is_selected,
    render_rules_markdown,
    unknown_selectors,
)
from auditls.rules.model import CONFIDENCES, SEVERITIES
from auditls.rules.registry import file_rules
from auditls.rules.runner import workspace_codes

RULES_LIST = list(RULES.values())

ROOT = Path(__file__).resolve().parent.parent

# -- suppression comments ----------------------------------------------------------------------


def parsed(source: str) -> list[tuple[tuple[str, ...], str, str | None]]:
    return [(s.codes, s.style, s.malformed) for s in parse_suppressions(source.encode())]


@pytest.mark.parametrize(
    ("comment", "codes", "style"),
    [
        ("# auditls: ignore", (), "auditls"),
        ("# auditls: ignore[AUD101]", ("AUD101",), "auditls"),
        ("# auditls: ignore[AUD101, AUD102]", ("AUD101", "AUD102"), "auditls"),
        ("# auditls: ignore[AUD101,AUD101]", ("AUD101",), "auditls"),
        ("#auditls:ignore[AUD101]", ("AUD101",), "auditls"),
        ("# auditls: ignore [AUD101]", ("AUD101",), "auditls"),
        ("# auditls: ignore[AUD101] -- the input is our own template", ("AUD101",), "auditls"),
        ("# auditls: ignore -- trusted", (), "auditls"),
        ("# auditls: ignore[AUD999]", ("AUD999",), "auditls"),  # unknown: checked later
        ("# nosec", (), "nosec"),
        ("#nosec", (), "nosec"),
        ("# nosec B602", (), "nosec"),
        ("# nosec: B602, B607", (), "nosec"),
        ("# nosec AUD102", ("AUD102",), "nosec"),
        ("# nosec B602, AUD102", ("AUD102",), "nosec"),
    ],
)
def test_well_formed_suppressions(comment: str, codes: tuple[str, ...], style: str) -> None:
    assert parsed(f"x = 1  {comment}\n") == [(codes, style, None)]


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("# auditls: ignore[AUD1]", "'AUD1' is not a rule code"),
        ("# auditls: ignore[", "unclosed '['"),
        ("# auditls: ignore[AUD101", "unclosed '['"),
        ("# auditls: ignore[]", "empty code list"),
        ("# auditls: ignore[AUD101,]", "empty code in"),
        ("# auditls: ignore[aud101]", "'aud101' is not a rule code"),
        ("# auditls: ignore[S307]", "'S307' is not a rule code"),
        ("# auditls: ignore AUD101", "codes must be in brackets"),
        ("# auditls: ignore: AUD101", "codes must be in brackets"),
        ("# auditls: ignored", "unknown directive 'ignored'"),
        ("# auditls: disable[AUD101]", "unknown directive 'disable'"),
        ("# auditls:", "nothing after 'auditls:'"),
    ],
)
def test_malformed_suppressions(comment: str, reason: str) -> None:
    [(codes, style, malformed)] = parsed(f"x = 1  {comment}\n")
    assert (codes, style) == ((), "auditls")
    assert malformed is not None
    assert reason in malformed


def test_several_directives_in_one_comment() -> None:
    assert parsed("x = 1  # noqa: S605  # auditls: ignore[AUD102]  # nosec\n") == [
        (("AUD102",), "auditls", None),
        ((), "nosec", None),
    ]


@pytest.mark.parametrize(
    "comment",
    [
        "# a note about auditls: not a directive",
        "# nosecurity",
        "# see the auditls docs",
        "# AUDITLS: IGNORE",
    ],
)
def test_comments_that_are_not_directives(comment: str) -> None:
    assert parsed(f"x = 1  {comment}\n") == []


def test_hash_inside_a_string_is_not_a_comment() -> None:
    source = 's = "# auditls: ignore[AUD1]"\nt = """\n# nosec\n"""\nu = 1  # nosec\n'
    facts = parse_suppressions(source.encode())
    assert [(f.line, f.style) for f in facts] == [(5, "nosec")]


def test_positions_are_one_based_code_points() -> None:
    source = 'é = "ü"  # x  # auditls: ignore[AUD101]\n'
    [fact] = parse_suppressions(source.encode())
    start = source.index("# auditls") + 1
    end = source.index("]") + 2
    assert (fact.line, fact.col, fact.end_line, fact.end_col) == (1, start, 1, end)


def test_positions_on_later_lines() -> None:
    source = "import os\n\nos.system(cmd)  # nosec B605  \n"
    [fact] = parse_suppressions(source.encode())
    assert (fact.line, fact.col, fact.end_col) == (3, 17, 29)


def test_tokenize_error_keeps_what_was_found() -> None:
    source = b'a = 1  # nosec\nb = 2  # auditls: ignore\ns = "unterminated\n'
    assert [(f.line, f.style) for f in parse_suppressions(source)] == [
        (1, "nosec"),
        (2, "auditls"),
    ]


@pytest.mark.parametrize(
    "source",
    [
        b"\xff\xfe\x00# nosec\n",
        b"x = 1  # nosec\x00\n",
        b"# -*- coding: no-such-codec -*-\nx = 1  # nosec\n",
        b"x = '\xe9'  # auditls: ignore\n",
        b"def f(:\n    pass  # nosec\n",
        b"\tif x:\n  y  # nosec\n",
        b"(((( # nosec",
        b"",
    ],
)
def test_bad_input_never_raises(source: bytes) -> None:
    facts = parse_suppressions(source)
    assert all(f.style in ("auditls", "nosec") for f in facts)


def test_files_without_the_words_are_not_tokenized() -> None:
    # Unterminated string: tokenizing would fail, but nothing here is even looked at.
    assert parse_suppressions(b'x = 1  # noqa\ns = "open\n') == []


# -- the catalogue -----------------------------------------------------------------------------


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES_LIST]
    assert len(codes) == len(set(codes))
    assert list(RULES) == codes
    for code in codes:
        assert re.fullmatch(r"AUD\d{3}", code), code


@pytest.mark.parametrize("rule", RULES_LIST, ids=lambda r: r.code)
def test_rule_data(rule: object) -> None:
    from auditls.rules import Rule

    assert isinstance(rule, Rule)
    assert rule.severity in SEVERITIES
    assert rule.confidence in CONFIDENCES
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name), rule.name
    assert rule.anchor == rule.code.lower()
    assert rule.docs_ref == f"docs/rules.md#{rule.anchor}"
    assert rule.fix.strip()
    assert rule.summary.strip()
    assert rule.details.strip()
    assert rule.bad.strip()
    assert rule.good.strip()
    assert rule.bad != rule.good
    if rule.code.startswith(("AUD0", "AUD9")):  # meta rules, and correctness (not security)
        assert rule.cwe is None
    else:
        assert isinstance(rule.cwe, int)
        assert rule.cwe > 0


def test_every_rule_is_a_file_rule_or_a_workspace_rule() -> None:
    in_files = {r.code for r in file_rules()}
    workspace = workspace_codes()
    assert not in_files & workspace
    assert in_files | workspace == set(RULES)
    assert all(callable(r.check) for r in RULES.values())
    assert list(RULES) == sorted(RULES)  # the catalogue is in code order


def test_names_are_unique() -> None:
    names = [rule.name for rule in RULES_LIST]
    assert len(names) == len(set(names))


def test_yaml_loader_tables_do_not_overlap() -> None:
    assert not YAML_SAFE_LOADERS & YAML_UNSAFE_LOADERS
    assert "yaml.SafeLoader" in YAML_SAFE_LOADERS
    assert "yaml.FullLoader" in YAML_UNSAFE_LOADERS


def test_docs_are_generated_from_the_catalogue() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_rules_markdown(), (
        "docs/rules.md is stale: run `python -m auditls.rules > docs/rules.md`"
    )


def test_docs_have_a_section_per_rule() -> None:
    text = render_rules_markdown()
    for rule in RULES_LIST:
        assert f'<a id="{rule.anchor}"></a>' in text
        assert f"## {rule.code} {rule.name}" in text
        assert rule.fix in text


# -- checks over hand-built facts --------------------------------------------------------------


class Builder:
    """Builds the facts of a small imaginary file, one call per line."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.next_id = 0

    def call(
        self,
        callee: str | None,
        *args: CallArgFact,
        line: int,
        stmt_line: int | None = None,
        text: str | None = None,
        function: str = "m.f",
    ) -> CallFact:
        call_id = self.next_id
        self.next_id += 1
        fact = CallFact(
            line=line,
            col=5,
            end_line=line,
            end_col=30,
            call_id=call_id,
            function=function,
            callee=callee,
            callee_text=text or (callee or "f").removeprefix("builtins."),
            attr=None,
            n_args=sum(1 for a in args if a.keyword is None),
            stmt_line=stmt_line or line,
        )
        self.facts.append(fact)
        for arg in args:
            self.facts.append(
                CallArgFact(
                    line=line,
                    col=10,
                    end_line=line,
                    end_col=12,
                    call_id=call_id,
                    position=arg.position,
                    keyword=arg.keyword,
                    kind=arg.kind,
                    value=arg.value,
                    text=arg.text,
                    qualname=arg.qualname,
                    origin=arg.origin,
                )
            )
        return fact

    def add(self, fact: Fact) -> None:
        self.facts.append(fact)

    def file(self, **kw: object) -> FileFacts:
        return FileFacts(path="m.py", module="m", status="ok", facts=self.facts, **kw)  # type: ignore[arg-type]


def arg(
    kind: str,
    text: str = "x",
    *,
    position: int = 0,
    keyword: str | None = None,
    value: str | None = None,
    qualname: str | None = None,
    origin: str | None = None,
) -> CallArgFact:
    if keyword is not None and keyword != "*":
        position = -1
    return CallArgFact(
        line=0,
        col=0,
        end_line=0,
        end_col=0,
        call_id=-1,
        position=position,
        keyword=keyword,
        kind=kind,
        value=value,
        text=text,
        qualname=qualname,
        origin=origin,
    )


PARAM = arg("name", "expr", origin="param")
UNKNOWN = arg("name", "thing", origin="unknown")
FSTRING = arg("fstring", 'f"ls {x}"')
CONSTANT = arg("constant", '"ls"', value='"ls"')
SHELL_TRUE = arg("constant", "True", keyword="shell", value="true")


def rated(ff: FileFacts, **kw: object) -> list[tuple[int, str, str]]:
    return [(f.line, f.rule, f.confidence) for f in check_facts(ff, **kw)]  # type: ignore[arg-type]


def test_aud101_confidence_follows_the_argument() -> None:
    b = Builder()
    b.call("builtins.eval", PARAM, line=1)
    b.call("builtins.exec", FSTRING, line=2)
    b.call("builtins.compile", arg("concat", '"x" + y'), line=3)
    b.call("builtins.eval", UNKNOWN, line=4)
    b.call("builtins.eval", arg("attribute", "req.data"), line=5)
    b.call("builtins.eval", CONSTANT, line=6)
    b.call("builtins.eval", line=7)
    b.call("builtins.eval", arg("name", "args", keyword="*", position=0), line=8)
    b.call("builtins.compile", arg("percent_format", '"%s" % y', keyword="source"), line=9)
    b.call("builtins.eval", arg("container", '["1"]', keyword="*", value='["1"]'), line=12)
    b.call("m.f.<locals>.eval", PARAM, line=10)
    b.call(None, PARAM, line=11, text="cursor.execute")
    assert rated(b.file()) == [
        (1, "AUD101", "high"),
        (2, "AUD101", "high"),
        (3, "AUD101", "high"),
        (4, "AUD101", "medium"),
        (5, "AUD101", "medium"),
        (8, "AUD101", "medium"),
        (9, "AUD101", "high"),
    ]


def test_aud101_variable_assigned_only_literals_is_low() -> None:
    b = Builder()
    for line, (kind, value) in enumerate([("constant", '"1"'), ("container", "[1]")], start=1):
        b.add(
            AssignmentFact(
                line=line,
                col=1,
                end_line=line,
                end_col=9,
                function="m.f",
                target="code",
                target_name="code",
                op="=",
                kind=kind,
                value=value,
                text=value,
                qualname=None,
            )
        )
    b.call("builtins.eval", arg("name", "code", origin="local"), line=3)
    b.call("builtins.eval", arg("name", "code", origin="local"), line=4, function="m.g")
    assert rated(b.file()) == [(3, "AUD101", "low"), (4, "AUD101", "medium")]


def test_aud101_exec_of_compile_is_reported_once() -> None:
    b = Builder()
    b.call("builtins.exec", arg("call", "compile(src)", qualname="builtins.compile"), line=1)
    b.call("builtins.compile", PARAM, line=1)
    assert rated(b.file()) == [(1, "AUD101", "high")]


def test_aud101_message_names_the_call_and_the_argument() -> None:
    b = Builder()
    b.call("builtins.eval", PARAM, line=1)
    [finding] = check_facts(b.file())
    assert finding.message.startswith("`eval()` runs `expr` as Python code")
    assert "ast.literal_eval()" in finding.message
    assert (finding.cwe, finding.severity) == (95, "error")


def test_aud102_needs_a_truthy_literal_shell() -> None:
    b = Builder()
    b.call("subprocess.run", PARAM, SHELL_TRUE, line=1)
    b.call("subprocess.run", PARAM, line=2)
    b.call(
        "subprocess.run", PARAM, arg("constant", "False", keyword="shell", value="false"), line=3
    )
    b.call("subprocess.run", PARAM, arg("constant", "0", keyword="shell", value="0"), line=4)
    b.call("subprocess.run", PARAM, arg("name", "flag", keyword="shell", origin="param"), line=5)
    b.call("subprocess.Popen", PARAM, arg("constant", "1", position=8, value="1"), line=6)
    b.call("subprocess.run", CONSTANT, SHELL_TRUE, line=7)
    b.call("subprocess.check_output", UNKNOWN, SHELL_TRUE, line=8)
    b.call(
        "subprocess.Popen", arg("name", "cmd", keyword="args", origin="param"), SHELL_TRUE, line=9
    )
    b.call("subprocess.run", arg("container", '["ls", x]'), SHELL_TRUE, line=10)
    b.call("subprocess.run", arg("container", '["ls"]', value='["ls"]'), SHELL_TRUE, line=11)
    b.call("subprocess.run", SHELL_TRUE, line=12)
    assert rated(b.file()) == [
        (1, "AUD102", "high"),
        (6, "AUD102", "high"),
        (8, "AUD102", "medium"),
        (9, "AUD102", "high"),
        (10, "AUD102", "medium"),
    ]


def test_aud102_functions_that_always_use_a_shell() -> None:
    b = Builder()
    b.call("os.system", PARAM, line=1)
    b.call("os.popen", FSTRING, line=2)
    b.call("subprocess.getoutput", arg("name", "c", keyword="cmd", origin="param"), line=3)
    b.call("os.system", CONSTANT, line=4)
    b.call("asyncio.create_subprocess_shell", UNKNOWN, line=5)
    assert rated(b.file()) == [
        (1, "AUD102", "high"),
        (2, "AUD102", "high"),
        (3, "AUD102", "high"),
        (5, "AUD102", "medium"),
    ]


def test_aud102_message_shows_the_alias_and_what_it_resolved_to() -> None:
    b = Builder()
    b.call("subprocess.run", PARAM, SHELL_TRUE, line=1, text="sp.run")
    [finding] = check_facts(b.file())
    assert finding.message.startswith(
        "`sp.run()` (subprocess.run) runs `expr` through a shell (shell=True)"
    )
    assert "shlex.quote()" in finding.message


def loader(name: str | None, text: str = "L", **kw: object) -> CallArgFact:
    kind = "attribute" if name and "." in text else "name"
    return arg(kind, text, keyword="Loader", qualname=name, **kw)  # type: ignore[arg-type]


def test_aud103_loaders() -> None:
    b = Builder()
    b.add(
        ClassFact(
            line=1,
            col=1,
            end_line=2,
            end_col=9,
            qualname="m.Strict",
            name="Strict",
            bases=("yaml.SafeLoader",),
            decorators=(),
            metaclass=None,
        )
    )
    b.add(
        ClassFact(
            line=3,
            col=1,
            end_line=4,
            end_col=9,
            qualname="m.Stricter",
            name="Stricter",
            bases=("m.Strict", "m.Stricter"),
            decorators=(),
            metaclass=None,
        )
    )
    b.call("yaml.load", PARAM, line=10)
    b.call("yaml.load", PARAM, loader("yaml.SafeLoader", "yaml.SafeLoader"), line=11)
    b.call("yaml.load", PARAM, loader("yaml.Loader", "yaml.Loader"), line=12)
    b.call("yaml.load", PARAM, arg("attribute", "yaml.CSafeLoader", position=1,
                                   qualname="yaml.CSafeLoader"), line=13)  # fmt: skip
    b.call("yaml.load", PARAM, arg("attribute", "yaml.FullLoader", position=1,
                                   qualname="yaml.FullLoader"), line=14)  # fmt: skip
    b.call("yaml.load", PARAM, loader("m.Strict", "Strict"), line=15)
    b.call("yaml.load", PARAM, loader("m.Stricter", "Stricter"), line=16)
    b.call("yaml.load", PARAM, loader(None, "loader", origin="param"), line=17)
    b.call("yaml.load_all", PARAM, arg("constant", "None", keyword="Loader", value="null"), line=18)
    b.call("yaml.unsafe_load", PARAM, line=19)
    b.call("yaml.full_load_all", PARAM, line=20)
    b.call("yaml.safe_load", PARAM, line=21)
    b.call("yaml.load", PARAM, arg("name", "kw", keyword="**"), line=22)
    assert rated(b.file()) == [
        (10, "AUD103", "high"),
        (12, "AUD103", "high"),
        (14, "AUD103", "high"),
        (17, "AUD103", "medium"),
        (18, "AUD103", "high"),
        (19, "AUD103", "high"),
        (20, "AUD103", "high"),
        (22, "AUD103", "medium"),
    ]


def test_aud001_reported_once_at_the_error() -> None:
    ff = FileFacts(
        path="bad.py",
        module="bad",
        status="syntax_error",
        error="invalid syntax",
        error_line=3,
        error_col=7,
    )
    [finding] = check_facts(ff)
    assert (finding.rule, finding.line, finding.column, finding.end_column) == ("AUD001", 3, 7, 8)
    assert finding.severity == "info"
    assert "invalid syntax" in finding.message


def test_aud001_without_a_position_goes_to_the_first_line() -> None:
    ff = FileFacts(path="bad.py", module="bad", status="syntax_error")
    assert [(f.rule, f.line, f.column) for f in check_facts(ff)] == [("AUD001", 1, 1)]


def test_ok_file_without_facts_has_no_findings() -> None:
    assert check_facts(FileFacts(path="m.py", module="m", status="ok")) == []


# -- selection, overrides, suppression, ordering -----------------------------------------------


@pytest.mark.parametrize(
    ("code", "select", "ignore", "expected"),
    [
        ("AUD101", None, [], True),
        ("AUD101", ["AUD1"], [], True),
        ("AUD101", ["AUD2"], [], False),
        ("AUD101", ["AUD1"], ["AUD101"], False),
        ("AUD101", ["AUD101"], ["AUD1"], True),
        ("AUD101", ["AUD101"], ["AUD101"], False),
        ("AUD101", ["ALL"], ["AUD10"], False),
        ("AUD102", ["ALL"], ["AUD101"], True),
        ("AUD101", None, ["ALL"], False),
        ("AUD001", ["AUD1"], [], True),
        ("AUD001", ["AUD1"], ["AUD0"], False),
        ("AUD002", ["AUD1"], [], False),
    ],
)
def test_is_selected(
    code: str, select: list[str] | None, ignore: list[str], expected: bool
) -> None:
    assert is_selected(code, select, ignore) is expected


def test_unknown_selectors() -> None:
    assert unknown_selectors(["AUD1", "ALL", "AUD101", "AUD8", "B602"]) == ["AUD8", "B602"]


def two_findings() -> FileFacts:
    b = Builder()
    b.call("builtins.eval", PARAM, line=1)
    b.call("os.system", PARAM, line=2)
    return b.file()


def test_select_and_ignore_filter_findings() -> None:
    ff = two_findings()
    assert [f.rule for f in check_facts(ff, select=["AUD101"])] == ["AUD101"]
    assert [f.rule for f in check_facts(ff, ignore={"AUD101"})] == ["AUD102"]
    assert [f.rule for f in check_facts(ff, select=["AUD1"], ignore=["AUD10"])] == []


def test_severity_overrides_by_code_and_prefix() -> None:
    ff = two_findings()
    got = check_facts(ff, severity_overrides={"AUD1": "info", "AUD102": "warning"})
    assert [(f.rule, f.severity) for f in got] == [("AUD101", "info"), ("AUD102", "warning")]


def test_bad_severity_override_is_an_error() -> None:
    with pytest.raises(ValueError, match="expected one of error, warning, info"):
        check_facts(two_findings(), severity_overrides={"AUD101": "fatal"})


def with_comment(source: str) -> FileFacts:
    """Facts of a file whose line 1 is an eval of a parameter and whose comments are real."""
    b = Builder()
    b.call("builtins.eval", PARAM, line=2, stmt_line=1)
    b.facts.extend(parse_suppressions(source.encode()))
    return b.file()


@pytest.mark.parametrize(
    ("source", "rules"),
    [
        ("x = (  # auditls: ignore[AUD101]\n", []),  # on the statement's first line
        ("x = (\n  eval(expr))  # auditls: ignore\n", []),  # on the finding's line
        ("x = (  # nosec B307\n", []),
        ("x = (  # auditls: ignore[AUD102]\n", ["AUD101"]),
        ("x = (\n  eval(expr)\n)  # auditls: ignore\n", ["AUD101"]),  # a later line: no
        ("x = (  # auditls: ignore[AUD1]\n", ["AUD101", "AUD002"]),
        ("x = (  # auditls: ignore[AUD101, AUD999]\n", ["AUD101", "AUD002"]),
    ],
)
def test_suppression(source: str, rules: list[str]) -> None:
    assert sorted(f.rule for f in check_facts(with_comment(source))) == sorted(rules)


def test_unknown_code_message() -> None:
    [finding, _] = check_facts(with_comment("x = (  # auditls: ignore[AUD998, AUD999]\n"))
    assert finding.rule == "AUD002"
    assert "unknown rule codes AUD998, AUD999" in finding.message
    assert (finding.line, finding.column) == (1, 8)


def test_findings_sorted_by_line_column_rule() -> None:
    b = Builder()
    b.call("os.system", PARAM, line=3)
    b.call("builtins.eval", PARAM, line=3)
    b.call("builtins.exec", PARAM, line=1)
    b.facts.extend(parse_suppressions(b"\n\nx  # auditls: ignore[AUD1]\n"))
    got = [(f.line, f.column, f.rule) for f in check_facts(b.file())]
    assert got == sorted(got)
    assert got == [(1, 5, "AUD101"), (3, 4, "AUD002"), (3, 5, "AUD101"), (3, 5, "AUD102")]


def test_finding_json_has_the_contract_keys() -> None:
    finding = Finding(
        rule="AUD501",
        path="a/b.py",
        line=1,
        column=2,
        end_line=1,
        end_column=9,
        severity="error",
        confidence="high",
        cwe=78,
        message="m",
        stmt_line=1,
        trace=(TraceStep(path="a/c.py", line=4, column=5, message="source"),),
    )
    assert finding.to_json() == {
        "rule": "AUD501",
        "path": "a/b.py",
        "line": 1,
        "column": 2,
        "end_line": 1,
        "end_column": 9,
        "severity": "error",
        "confidence": "high",
        "cwe": 78,
        "message": "m",
        "trace": [{"path": "a/c.py", "line": 4, "column": 5, "message": "source"}],
    }
