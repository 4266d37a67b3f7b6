"""Positions in the client's encoding, and findings as LSP diagnostics (server/convert.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from auditls.rules import Finding, TraceStep
from auditls.server.convert import (
    UTF8,
    UTF16,
    UTF32,
    Lines,
    encoding_name,
    engine_position,
    from_client,
    prepare,
    to_client,
    to_diagnostic,
    units,
)

ENCODINGS = [UTF8, UTF16, UTF32]


def reference(line: str, column: int, encoding: str) -> int:
    """Client units by encoding the prefix (an independent computation)."""
    head = line[:column]
    if encoding == UTF8:
        return len(head.encode("utf-8"))
    if encoding == UTF16:
        return len(head.encode("utf-16-le")) // 2
    return len(head)


def test_the_example_of_the_notes() -> None:
    line = "s = '𝒳é'; eval(s)"
    column = line.index("eval")
    assert column == 10
    assert to_client(line, column, UTF16) == 11  # U+1D4B3 is a surrogate pair
    assert to_client(line, column, UTF8) == 14  # U+1D4B3 is 4 bytes, U+00E9 2
    assert to_client(line, column, UTF32) == 10


@given(st.text(max_size=40), st.data())
def test_round_trip_and_agreement_with_the_codecs(line: str, data: st.DataObject) -> None:
    line = line.replace("\r", "").replace("\n", "")
    line = "".join(ch for ch in line if not 0xD800 <= ord(ch) <= 0xDFFF)
    column = data.draw(st.integers(0, len(line)))
    for encoding in ENCODINGS:
        client = to_client(line, column, encoding)
        assert client == reference(line, column, encoding)
        assert from_client(line, client, encoding) == column
        assert units(line, encoding) == reference(line, len(line), encoding)


@pytest.mark.parametrize(("encoding", "inside", "expected"), [(UTF16, 6, 5), (UTF8, 7, 5)])
def test_a_column_inside_a_character_lands_on_it(encoding: str, inside: int, expected: int) -> None:
    line = "s = '\U0001d4b3'"
    assert from_client(line, inside, encoding) == expected


def test_past_the_end_of_the_line_is_kept() -> None:
    assert to_client("é", 3, UTF8) == 4  # 2 bytes + 2 beyond
    assert to_client(None, 7, UTF16) == 7
    assert from_client("é", 5, UTF8) == 4


def test_lines_split_like_python_and_lsp() -> None:
    lines = Lines("a\r\nb\rc\nd\x0ce\u2028f\n")
    assert [lines.get(i) for i in range(1, 6)] == ["a", "b", "c", "d\x0ce\u2028f", ""]
    assert lines.get(0) is None
    assert lines.get(6) is None
    assert len(lines) == 5


def test_engine_position_goes_back_to_code_points() -> None:
    lines = Lines("x = 1\ns = '𝒳é'; eval(s)\n")
    assert engine_position(lines, types.Position(line=1, character=14), UTF8) == (2, 11)
    assert engine_position(lines, types.Position(line=1, character=11), UTF16) == (2, 11)


def test_encoding_names() -> None:
    assert encoding_name(types.PositionEncodingKind.Utf8) == UTF8
    assert encoding_name("utf-32") == UTF32
    assert encoding_name("utf-16") == UTF16
    assert encoding_name("something-else") == UTF16  # the protocol's default


def finding(**overrides: object) -> Finding:
    fields: dict[str, object] = {
        "rule": "AUD103",
        "path": "m.py",
        "line": 2,
        "column": 11,
        "end_line": 2,
        "end_column": 18,
        "severity": "warning",
        "confidence": "high",
        "cwe": 502,
        "message": "yaml.load() is called without a safe Loader",
        "stmt_line": 2,
    }
    fields.update(overrides)
    return Finding(**fields)  # type: ignore[arg-type]


def test_a_finding_becomes_a_diagnostic() -> None:
    lines = Lines("import yaml\ns = '𝒳é'; load(s)\n")
    prepared = prepare(finding(), lines, UTF8, data={"lineEdit": None})
    assert prepared.range == types.Range(
        start=types.Position(line=1, character=14), end=types.Position(line=1, character=21)
    )
    diag = to_diagnostic(prepared, severity_overrides={}, docs_base="file:///docs/rules.md")
    assert diag.code == "AUD103"
    assert diag.source == "auditls"
    assert diag.severity == types.DiagnosticSeverity.Warning
    assert diag.code_description == types.CodeDescription(href="file:///docs/rules.md#aud103")
    assert diag.message == "yaml.load() is called without a safe Loader"
    assert diag.data == {"rule": "AUD103", "confidence": "high", "lineEdit": None}
    assert diag.related_information is None


def test_severity_overrides_and_no_docs_base() -> None:
    prepared = prepare(finding(), Lines("\nx\n"), UTF16)
    diag = to_diagnostic(prepared, severity_overrides={"AUD1": "info"}, docs_base=None)
    assert diag.severity == types.DiagnosticSeverity.Information
    assert diag.code_description is None  # never a made-up address
    diag = to_diagnostic(
        prepared, severity_overrides={"AUD1": "info", "AUD103": "error"}, docs_base=None
    )
    assert diag.severity == types.DiagnosticSeverity.Error  # the longest prefix wins


def test_trace_steps_become_related_information() -> None:
    steps = (
        TraceStep(path="views.py", line=1, column=5, message="request.args flows into q"),
        TraceStep(path="gone.py", line=3, column=1, message="not found: skipped"),
        TraceStep(path="db.py", line=2, column=3, message="q reaches execute()"),
    )
    texts = {"views.py": "é = request.args\n", "db.py": "\n  run(q)\n"}

    def locate(path: str) -> tuple[str, Lines] | None:
        if path not in texts:
            return None
        return f"file:///ws/{path}", Lines(texts[path])

    prepared = prepare(finding(trace=steps), Lines("\nx\n"), UTF16, locate=locate)
    diag = to_diagnostic(prepared, severity_overrides={}, docs_base=None)
    assert diag.related_information is not None
    assert [
        (r.location.uri, r.location.range.start, r.message) for r in diag.related_information
    ] == [
        ("file:///ws/views.py", types.Position(line=0, character=4), "request.args flows into q"),
        ("file:///ws/db.py", types.Position(line=1, character=2), "q reaches execute()"),
    ]
