"""Rules: a catalogue of rules as data, checks over one file's facts, suppression comments.

    from auditls.rules import RULES, check_facts
    for finding in check_facts(file_facts, ignore={"AUD103"}):
        print(finding.to_json())

``catalogue`` holds the rules and the sensitive-call tables, ``checks`` the checks of one file,
``workspace`` the checks that need the whole workspace (``check_workspace``), ``suppress`` the
comment parser the extractor calls, ``findings`` the result type.
"""

from auditls.extractors.suppress import FILE_STYLE, parse_suppressions
from auditls.rules.catalogue import RULES, Rule, render_rules_markdown
from auditls.rules.checks import check_facts, is_selected, severity_override, unknown_selectors
from auditls.rules.findings import Finding, TraceStep
from auditls.rules.workspace import Workspace, check_workspace, workspace_codes

__all__ = [
    "FILE_STYLE",
    "RULES",
    "Finding",
    "Rule",
    "TraceStep",
    "Workspace",
    "check_facts",
    "check_workspace",
    "is_selected",
    "parse_suppressions",
    "render_rules_markdown",
    "severity_override",
    "unknown_selectors",
    "workspace_codes",
]
