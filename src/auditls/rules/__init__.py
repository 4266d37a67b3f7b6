"""Rules: one object per rule (``model.Rule``: metadata, docs, examples and check), one
registry, one runner for the rules over one file and the rules over the whole workspace.

    from auditls.rules import analyse
    report = analyse(store, ignore={"AUD103"})
    for finding in report.findings:
        print(finding.to_json())

Layout: a module (or package) per domain holds that domain's rules (``core``: 0xx, ``security``:
1xx-3xx over one file, ``flask``: the Flask rules over the workspace) and registers them;
``index`` indexes one file's facts for the checks; ``workspace`` is what workspace checks read;
``runner`` selects, runs, suppresses, rates and sorts (``analyse``); ``docs`` renders
docs/rules.md; ``findings`` is the result type.
"""

# The domains register their rules on import: one line per domain.
from auditls.rules import (  # noqa: F401
    concurrency,
    core,
    django,
    fastapi,
    flask,
    security,
    taint,
    validation,
)
from auditls.rules.docs import render_rules_markdown
from auditls.rules.findings import Finding, TraceStep
from auditls.rules.model import Rule
from auditls.rules.registry import RULES
from auditls.rules.runner import (
    Problem,
    Report,
    Selection,
    Suppressions,
    analyse,
    check_facts,
    check_workspace,
    is_selected,
    one_finding_per_problem,
    severity_override,
    unknown_selectors,
    workspace_codes,
)
from auditls.rules.workspace import Workspace

__all__ = [
    "RULES",
    "Finding",
    "Problem",
    "Report",
    "Rule",
    "Selection",
    "Suppressions",
    "TraceStep",
    "Workspace",
    "analyse",
    "check_facts",
    "check_workspace",
    "is_selected",
    "one_finding_per_problem",
    "render_rules_markdown",
    "severity_override",
    "unknown_selectors",
    "workspace_codes",
]
