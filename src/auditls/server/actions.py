"""Code actions: silence a finding on its line or in its file.

Both edits were computed with the diagnostic and travel in its ``data`` (see ``suppressions``),
so an action costs no analysis. An edit whose line no longer reads as it did when the edit was
computed (the buffer changed and the client still holds the old diagnostic) is not offered.
A client that does not send ``data`` back gets the server's own copy of the diagnostic, matched
by code and range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lsprotocol import types

from auditls.server.convert import SOURCE, Lines, range_from_json


def _includes(kind: str, wanted: str) -> bool:
    """Whether the requested ``kind`` covers ``wanted`` (kinds are dot-separated hierarchies)."""
    return not kind or wanted == kind or wanted.startswith(kind + ".")


def _text_edit(edit: Mapping[str, Any], lines: Lines) -> types.TextEdit | None:
    try:
        rng = range_from_json(edit["range"])
        new_text = str(edit["newText"])
    except (KeyError, TypeError, ValueError):
        return None
    expect = edit.get("expect")
    if expect is not None and lines.get(rng.start.line + 1) != expect:
        return None  # stale: the line changed since the diagnostic was computed
    return types.TextEdit(range=rng, new_text=new_text)


def _data(
    diagnostic: types.Diagnostic, known: Callable[[types.Diagnostic], types.Diagnostic | None]
) -> Mapping[str, Any] | None:
    data = diagnostic.data
    if not isinstance(data, Mapping) or "rule" not in data:
        own = known(diagnostic)
        data = own.data if own is not None else None
    return data if isinstance(data, Mapping) else None


def code_actions(
    uri: str,
    text: str,
    diagnostics: Iterable[types.Diagnostic],
    known: Callable[[types.Diagnostic], types.Diagnostic | None],
    only: Iterable[str] | None = None,
) -> list[types.CodeAction]:
    """The quick fixes for the auditls diagnostics the client sent in the request's context."""
    if only is not None and not any(
        _includes(kind, types.CodeActionKind.QuickFix) for kind in only
    ):
        return []
    lines = Lines(text)
    line_actions: list[types.CodeAction] = []
    file_actions: dict[str, types.CodeAction] = {}
    for diagnostic in diagnostics:
        if diagnostic.source != SOURCE:
            continue
        data = _data(diagnostic, known)
        if data is None:
            continue
        rule = str(data.get("rule", diagnostic.code))
        line_edit = data.get("lineEdit")
        edit = _text_edit(line_edit, lines) if isinstance(line_edit, Mapping) else None
        if edit is not None:
            line_actions.append(
                types.CodeAction(
                    title=f"Disable {rule} for this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [edit]}),
                )
            )
        file_edit = data.get("fileEdit")
        edit = _text_edit(file_edit, lines) if isinstance(file_edit, Mapping) else None
        if edit is not None and rule not in file_actions:
            file_actions[rule] = types.CodeAction(
                title=f"Disable {rule} for this file",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            )
    return line_actions + list(file_actions.values())
