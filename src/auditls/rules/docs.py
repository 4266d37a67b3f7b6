"""``docs/rules.md``, generated from the registered rules: ``python -m auditls.rules``."""

from __future__ import annotations

from auditls.rules.registry import RULES


def _cwe_link(cwe: int | None) -> str:
    if cwe is None:
        return "none"
    return f"[CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)"


def render_rules_markdown() -> str:
    """docs/rules.md, generated from the catalogue above."""
    out = [
        "# auditls rules",
        "",
        "<!-- Generated from the rules (src/auditls/rules/); do not edit by hand.",
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
    for rule in RULES.values():
        cwe = "" if rule.cwe is None else f"CWE-{rule.cwe}"
        out.append(f"| [{rule.code}](#{rule.anchor}) | {rule.name} | {rule.severity} | {cwe} |")
    for rule in RULES.values():
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
            f"```{rule.language}",
            rule.bad.rstrip("\n"),
            "```",
            "",
            "Good:",
            "",
            f"```{rule.language}",
            rule.good.rstrip("\n"),
            "```",
        ]
    return "\n".join(out) + "\n"
