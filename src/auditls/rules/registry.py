"""The rule registry: every rule by code, in code order (the catalogue's order).

Each domain module of ``auditls.rules`` (``core``, ``security``, ``flask``) calls
:func:`register` with its rules when it is imported; ``auditls.rules`` imports them, one line
per domain. ``RULES`` is read-only for everyone else.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from auditls.rules.model import CODE_RE, CONFIDENCES, SCOPES, SEVERITIES, Rule

_RULES: dict[str, Rule] = {}

#: Every rule by code, in catalogue order (iterate ``RULES.values()`` for the rules).
RULES: Mapping[str, Rule] = MappingProxyType(_RULES)


def register(*rules: Rule) -> None:
    """Add rules to the catalogue; a code used twice or a malformed rule is a bug."""
    for r in rules:
        if not CODE_RE.fullmatch(r.code):
            raise ValueError(f"{r.code}: rule codes are AUD and three digits")
        if r.code in _RULES:
            raise ValueError(f"{r.code}: registered twice")
        if r.severity not in SEVERITIES or r.confidence not in CONFIDENCES:
            raise ValueError(f"{r.code}: bad severity or confidence")
        if r.scope not in SCOPES:
            raise ValueError(f"{r.code}: scope must be one of {SCOPES}")
        _RULES[r.code] = r
    ordered = sorted(_RULES.items())
    _RULES.clear()
    _RULES.update(ordered)


def file_rules() -> list[Rule]:
    """The rules whose check reads one file."""
    return [r for r in _RULES.values() if r.scope == "file"]


def workspace_rules() -> list[Rule]:
    """The rules whose check reads the whole workspace."""
    return [r for r in _RULES.values() if r.scope == "workspace"]
