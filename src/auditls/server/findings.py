"""A file's findings prepared for the client (``convert.Prepared``): ranges in its position
encoding, trace steps located in their files, and the edits that suppress each (``data``), from
the text they were found in. The engine prepares a file's findings when its row changes; an
open buffer's analysis (``documents``) prepares its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditls.extractors import decode
from auditls.facts.core import SuppressionFact
from auditls.index import real_path
from auditls.rules import Finding
from auditls.server.convert import Lines, Prepared, prepare
from auditls.server.suppressions import Directives, suppression_data


def read_text(path: Path) -> str:
    """A file's text as Python decodes it; empty when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    try:
        return decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError):
        return data.decode("utf-8", "replace")


def prepare_findings(
    findings: list[Finding],
    suppressions: list[SuppressionFact],
    text: str,
    encoding: str,
    uri_of: Callable[[str], str],
    root: Path,
    text_of: Callable[[str], str] | None = None,
) -> list[Prepared]:
    """Findings of one file with their text-dependent parts (see ``convert.Prepared``);
    ``text_of(rel)``: the text of another file a trace step is in (default: the disk's)."""
    if not findings:
        return []
    lines = Lines(text)
    directives = Directives(suppressions)
    cache: dict[str, tuple[str, Lines]] = {}

    def locate(rel: str) -> tuple[str, Lines]:
        if rel not in cache:
            other = text_of(rel) if text_of is not None else read_text(real_path(root, rel))
            cache[rel] = (uri_of(rel), Lines(other))
        return cache[rel]

    return [
        prepare(
            f,
            lines,
            encoding,
            data=suppression_data(lines, directives, f, encoding),
            locate=locate,
        )
        for f in findings
    ]
