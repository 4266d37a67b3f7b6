"""The rule catalogue, as data: what each rule reports, how severe, and what to do about it.

Everything a reader of ``docs/rules.md`` or a SARIF consumer sees comes from here. The rules of
each family live in their own module (``catalogue_calls``: 1xx dangerous calls,
``catalogue_crypto``: 2xx crypto and secrets, ``catalogue_auth``: 3xx auth, ``catalogue_flask``:
the Flask rules of 3xx and 4xx, which run as workspace checks), together with the
judgement tables their checks consult (weak algorithms, minimum work factors, safe loaders).
*Where* the interesting arguments of a sensitive call are is data too, shared with the
extractors: ``auditls.knowledge.security``. Adding a dangerous function is a one-line
change to a table, not to a check.

Each rule carries a ``bad`` and a ``good`` example. They are rendered into the docs and run as
tests (``tests/test_fixtures.py``): the bad one must raise the rule, the good one must not.

Regenerate the docs with ``python -m auditls.rules > docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from auditls.rules.catalogue_auth import AUTH_RULES
from auditls.rules.catalogue_calls import (
    CALL_RULES,
    DYNAMIC_CODE,
    SHELL_INJECTION,
    UNSAFE_YAML,
    YAML_SAFE_LOADERS,
    YAML_UNSAFE_LOADERS,
)
from auditls.rules.catalogue_crypto import CRYPTO_RULES
from auditls.rules.catalogue_flask import FLASK_AUTH_RULES, FLASK_CONFIG_RULES
from auditls.rules.model import CODE_RE, CONFIDENCES, DOCS_PATH, SEVERITIES, Rule

# -- the rules ---------------------------------------------------------------------------------

SYNTAX_ERROR = "AUD001"
MALFORMED_SUPPRESSION = "AUD002"

_SUPPRESS_HINT = "write `# auditls: ignore[AUD101]` (codes in brackets) or `# auditls: ignore`"

META_RULES: tuple[Rule, ...] = (
    Rule(
        code=SYNTAX_ERROR,
        name="syntax-error",
        severity="info",
        confidence="high",
        cwe=None,
        summary="The file does not parse, so no other rule could look at it.",
        details=(
            "Reported once per file, at the position of the parse error. It is reported even "
            "when `select` does not name it (a file nobody could analyse must not look clean); "
            "`ignore` can turn it off. In the editor, the last good findings of the buffer stay "
            "visible until it parses again."
        ),
        message="Syntax error: {error}. auditls cannot analyse this file until it parses.",
        fix="Fix the syntax error; the other rules run again as soon as the file parses.",
        bad="def handler(request:\n    return request\n",
        good="def handler(request):\n    return request\n",
    ),
    Rule(
        code=MALFORMED_SUPPRESSION,
        name="malformed-suppression",
        severity="warning",
        confidence="high",
        cwe=None,
        summary="A suppression comment that auditls does not understand suppresses nothing.",
        details=(
            "A `# auditls:` comment must read `# auditls: ignore` or `# auditls: ignore[CODE, "
            "...]` with codes of the form `AUD` and three digits that name existing rules, or "
            "`# auditls: ignore-file[CODE, ...]` on a line of its own. Anything else (an "
            "unclosed bracket, an empty list, `AUD1`, an unknown code, codes outside brackets, "
            "another word than `ignore` or `ignore-file`, an `ignore-file` without codes or after "
            "code) is reported here and suppresses nothing, so that a typo never hides a finding "
            "silently. Text after the closing "
            "bracket is a free-form reason. `# nosec` comments are accepted as bandit writes "
            "them and are never reported."
        ),
        message="Malformed suppression comment: {reason}. It suppresses nothing; "
        + _SUPPRESS_HINT
        + ".",
        fix="Correct the comment: " + _SUPPRESS_HINT + ", optionally followed by a reason.",
        bad="value = compute(data)  # auditls: ignore[eval]\n",
        good="value = eval(source)  # auditls: ignore[AUD101] -- source is a constant table\n",
    ),
)

#: Every rule, in catalogue order: meta, then the families by code.
RULES_LIST: tuple[Rule, ...] = (
    META_RULES + CALL_RULES + CRYPTO_RULES + AUTH_RULES + FLASK_AUTH_RULES + FLASK_CONFIG_RULES
)

#: Every rule by code, in catalogue order (iterate ``RULES.values()`` for the rules).
RULES: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in RULES_LIST})


# -- docs --------------------------------------------------------------------------------------


def _cwe_link(cwe: int | None) -> str:
    if cwe is None:
        return "none"
    return f"[CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)"


def render_rules_markdown() -> str:
    """docs/rules.md, generated from the catalogue above."""
    out = [
        "# auditls rules",
        "",
        "<!-- Generated from src/auditls/rules/catalogue*.py; do not edit by hand.",
        "     Regenerate with: python -m auditls.rules > docs/rules.md -->",
        "",
        "Every finding names one of these rules. Suppress a finding on its line, or on the first",
        "line of a statement that spans several lines, with `# auditls: ignore[CODE]` (several",
        "codes separated by commas) or `# auditls: ignore` for every rule. `# nosec` (bandit's",
        "comment, with or without bandit test ids) suppresses every rule on that line; `# nosec`",
        "followed by auditls codes suppresses only those. A comment on a line of its own,",
        "`# auditls: ignore-file[CODE]`, suppresses the rules it names in the whole file (it must",
        "name them).",
        "",
        "| code | name | severity | CWE |",
        "| --- | --- | --- | --- |",
    ]
    for rule in RULES_LIST:
        cwe = "" if rule.cwe is None else f"CWE-{rule.cwe}"
        out.append(f"| [{rule.code}](#{rule.anchor}) | {rule.name} | {rule.severity} | {cwe} |")
    for rule in RULES_LIST:
        out += [
            "",
            f'<a id="{rule.anchor}"></a>',
            "",
            f"## {rule.code} {rule.name}",
            "",
            f"Severity: **{rule.severity}** · confidence: up to **{rule.confidence}** · "
            f"CWE: {_cwe_link(rule.cwe)}",
            "",
            rule.summary,
            "",
            rule.details,
            "",
            f"Message: {rule.message}",
            "",
            f"Fix: {rule.fix}",
            "",
            "Bad:",
            "",
            "```python",
            rule.bad.rstrip("\n"),
            "```",
            "",
            "Good:",
            "",
            "```python",
            rule.good.rstrip("\n"),
            "```",
        ]
    return "\n".join(out) + "\n"


__all__ = [
    "CODE_RE",
    "CONFIDENCES",
    "DOCS_PATH",
    "DYNAMIC_CODE",
    "MALFORMED_SUPPRESSION",
    "RULES",
    "RULES_LIST",
    "SEVERITIES",
    "SHELL_INJECTION",
    "SYNTAX_ERROR",
    "UNSAFE_YAML",
    "YAML_SAFE_LOADERS",
    "YAML_UNSAFE_LOADERS",
    "Rule",
    "render_rules_markdown",
]
