"""Rules: a catalogue of rules as data, checks over one file's facts, suppression comments.

    from auditls.rules import RULES, check_facts
    for finding in check_facts(file_facts, ignore={"AUD103"}):
        print(finding.to_json())

``catalogue`` holds the rules and the sensitive-call tables, ``checks`` the checks,
``suppress`` the comment parser the extractor calls, ``findings`` the result type.
"""

from auditls.rules.catalogue import RULES, Rule, render_rules_markdown
from auditls.rules.checks import check_facts, is_selected, severity_override, unknown_selectors
from auditls.rules.findings import Finding, TraceStep
from auditls.rules.suppress import FILE_STYLE, parse_suppressions

__all__ = [
    "FILE_STYLE",
    "RULES",
    "Finding",
    "Rule",
    "TraceStep",
    "check_facts",
    "is_selected",
    "parse_suppressions",
    "render_rules_markdown",
    "severity_override",
    "unknown_selectors",
]
