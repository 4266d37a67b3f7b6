"""The shape of a rule, and the constants every part of the rules package shares."""

from __future__ import annotations

from dataclasses import dataclass

from auditls.extractors.suppress import CODE_RE

__all__ = ["CODE_RE", "CONFIDENCES", "DOCS_PATH", "SEVERITIES", "Rule"]

SEVERITIES = ("error", "warning", "info")
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

    @property
    def anchor(self) -> str:
        """The rule's anchor in docs/rules.md."""
        return self.code.lower()

    @property
    def docs_ref(self) -> str:
        """Repository-relative link to the rule's section: ``docs/rules.md#aud101``."""
        return f"{DOCS_PATH}#{self.anchor}"
