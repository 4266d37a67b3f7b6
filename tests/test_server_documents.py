"""Open buffers: their analysis, and the last good findings of a buffer that does not parse
(server/documents.py)."""

from __future__ import annotations

from pathlib import Path

from auditls.server.convert import UTF8
from auditls.server.documents import OpenDocument, analyse_buffer, buffer_bytes

GOOD = "def f(code):\n    return eval(code)\n"


def analyse(text: str, version: int) -> object:
    return analyse_buffer(
        text,
        version=version,
        rel="m.py",
        module="m",
        encoding=UTF8,
        root=Path("/ws"),
        uri_of=lambda rel: f"file:///ws/{rel}",
    )


def rules(doc: OpenDocument) -> list[str]:
    return [p.finding.rule for p in doc.visible()]


def test_a_broken_buffer_keeps_its_last_good_findings() -> None:
    doc = OpenDocument("file:///ws/m.py", Path("/ws/m.py"))
    assert doc.visible() == []
    doc.accept(analyse(GOOD, 1))  # type: ignore[arg-type]
    assert rules(doc) == ["AUD101"]
    doc.accept(analyse(GOOD + "def g(:\n", 2))  # type: ignore[arg-type]
    assert rules(doc) == ["AUD101", "AUD001"]
    assert doc.facts is not None
    assert doc.facts.status == "ok"  # hover still sees the last good facts
    doc.accept(analyse("x = 1\n", 3))  # type: ignore[arg-type]
    assert rules(doc) == []
    assert doc.history == [1, 2, 3]


def test_a_buffer_broken_from_the_start_shows_only_the_syntax_error() -> None:
    doc = OpenDocument("file:///ws/m.py", None)
    doc.accept(analyse("def g(:\n", 1))  # type: ignore[arg-type]
    assert rules(doc) == ["AUD001"]


def test_buffer_bytes_follow_the_encoding_declaration() -> None:
    latin = "# -*- coding: latin-1 -*-\ns = 'café'\n"
    assert buffer_bytes(latin) == latin.encode("latin-1")
    assert buffer_bytes("s = 'café'\n") == "s = 'café'\n".encode()
    # An analysis of such a buffer sees the same text the editor shows.
    analysis = analyse(latin + "eval(s)\n", 1)
    [prepared] = analysis.prepared  # type: ignore[attr-defined]
    assert prepared.finding.line == 3
