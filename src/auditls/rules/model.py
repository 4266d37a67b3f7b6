"""The shape of a rule, and the constants every part of the rules package shares.

A rule is one object: its identity and rating, the text of its docs and findings, its bad and
good examples, the knowledge tables its check reads (``auditls.knowledge``; a test checks the
list is complete and that the pre-filter never hides what they name), and its check (a
function from one file's ``FactIndex``, or from the whole ``Workspace`` for
``scope="workspace"``, to findings). A domain module builds its rules with
:func:`rule` and hands them to ``auditls.rules.registry.register``; the catalogue, the docs, the
tests of the examples and the runner all read the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditls.facts.core import CODE_RE

if TYPE_CHECKING:
    from auditls.rules.findings import Finding

__all__ = ["CODE_RE", "CONFIDENCES", "DOCS_PATH", "SCOPES", "SEVERITIES", "Rule", "rule"]

SEVERITIES = ("error", "warning", "info")
#: Where a rule's check looks: one file's facts, or the whole workspace (cross-file models).
SCOPES = ("file", "workspace")
CONFIDENCES = ("high", "medium", "low")

#: Where the rendered catalogue lives, relative to the repository root.
DOCS_PATH = "docs/rules.md"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule: its identity, its default rating and the advice a finding carries."""

    code: str  # "AUD101"
    name: str  # short kebab-case name, "dynamic-code-execution"
    severity: str  # default severity: error | warning | info
    confidence: str  # the best confidence a finding can have; a finding may say less
    cwe: int | None  # CWE number, None for meta rules
    summary: str  # one sentence: what the rule reports (SARIF shortDescription)
    details: str  # a paragraph for the docs: what is and is not reported, how confidence varies
    message: str  # finding message template; each check's docstring lists the fields it fills
    fix: str  # what to do instead (SARIF help)
    bad: str  # example code that raises the rule
    good: str  # the same code fixed; raises nothing for this rule
    check: Callable[[Any], Iterable[Finding]]  # FactIndex (file) or Workspace -> findings
    scope: str = "file"  # "file" or "workspace" (see SCOPES)
    knowledge: tuple[object, ...] = ()  # the tables of auditls.knowledge the check reads
    #: Runs without being selected. False for the correctness family (AUD9xx, not security):
    #: it runs only when a selection names it (``--select AUD9``, ``AUD901``, ``ALL``).
    default: bool = True
    #: The name the examples are checked as (``{}``: ``bad`` or ``good``): a rule about
    #: templates has them read as a template (``templates/example_bad.html``).
    example: str = "example_{}.py"

    @property
    def language(self) -> str:
        """The language of the examples, for the fences of the docs and SARIF help."""
        return "htmldjango" if self.example.endswith(".html") else "python"

    @property
    def anchor(self) -> str:
        """The rule's anchor in docs/rules.md."""
        return self.code.lower()

    @property
    def docs_ref(self) -> str:
        """Repository-relative link to the rule's section: ``docs/rules.md#aud101``."""
        return f"{DOCS_PATH}#{self.anchor}"


def rule(
    code: str, name: str, severity: str, confidence: str, cwe: int | None, *, summary: str,
    details: str, message: str, fix: str, bad: str, good: str,
    check: Callable[[Any], Iterable[Finding]], scope: str = "file",
    knowledge: tuple[object, ...] = (), default: bool = True, example: str = "example_{}.py",
) -> Rule:  # fmt: skip
    """A rule, with its identity given by position (the family modules' shorthand)."""
    return Rule(
        code=code, name=name, severity=severity, confidence=confidence, cwe=cwe,
        summary=summary, details=details, message=message, fix=fix, bad=bad, good=good,
        check=check, scope=scope, knowledge=knowledge, default=default, example=example,
    )  # fmt: skip
