"""The rule catalogue, as data: what each rule reports, how severe, and what to do about it.

Everything a reader of ``docs/rules.md`` or a SARIF consumer sees comes from here, and the
sensitive-call tables the checks consult live here too (like bandit's ``blacklists/calls.py``), so
that adding a dangerous function is a one-line change to a table, not to a check.

Each rule carries a ``bad`` and a ``good`` example. They are rendered into the docs and run as
tests (``tests/test_fixtures.py``): the bad one must raise the rule, the good one must not.

Regenerate the docs with ``python -m auditls.rules > docs/rules.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

SEVERITIES = ("error", "warning", "info")
CONFIDENCES = ("high", "medium", "low")

#: Where the rendered catalogue lives, relative to the repository root.
DOCS_PATH = "docs/rules.md"

#: A rule code: "AUD" and three digits. 0xx meta, 1xx dangerous calls, 2xx crypto and secrets,
#: 3xx auth and access control, 4xx framework configuration, 5xx taint paths.
CODE_RE = re.compile(r"AUD\d{3}")


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


# -- sensitive calls ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arg:
    """Where an argument of a call is: its positional index and the keywords that may name it."""

    position: int | None
    keywords: tuple[str, ...] = ()


#: AUD101: callee -> the argument holding the code.
DYNAMIC_CODE_CALLS: dict[str, Arg] = {
    "builtins.eval": Arg(0),  # eval(source, /, globals, locals)
    "builtins.exec": Arg(0),  # exec(source, /, globals, locals, *, closure)
    "builtins.compile": Arg(0, ("source",)),  # compile(source, filename, mode, ...)
}


@dataclass(frozen=True, slots=True)
class ShellCall:
    """A function that can run its command through a shell."""

    command: Arg  # the command argument
    shell: Arg | None  # the argument that switches the shell on; None: always a shell


#: Popen(args, bufsize, executable, stdin, stdout, stderr, preexec_fn, close_fds, shell, ...);
#: run/call/check_call/check_output pass their arguments on to it.
_POPEN_LIKE = ShellCall(Arg(0, ("args",)), Arg(8, ("shell",)))

#: AUD102: callee -> where its command and its shell switch are.
SHELL_CALLS: dict[str, ShellCall] = {
    "subprocess.run": _POPEN_LIKE,
    "subprocess.call": _POPEN_LIKE,
    "subprocess.check_call": _POPEN_LIKE,
    "subprocess.check_output": _POPEN_LIKE,
    "subprocess.Popen": _POPEN_LIKE,
    "subprocess.getoutput": ShellCall(Arg(0, ("cmd",)), None),
    "subprocess.getstatusoutput": ShellCall(Arg(0, ("cmd",)), None),
    "os.system": ShellCall(Arg(0, ("command",)), None),
    "os.popen": ShellCall(Arg(0, ("cmd",)), None),
    "asyncio.create_subprocess_shell": ShellCall(Arg(0, ("cmd",)), None),
    "asyncio.subprocess.create_subprocess_shell": ShellCall(Arg(0, ("cmd",)), None),
}


@dataclass(frozen=True, slots=True)
class YamlLoad:
    """A PyYAML loading function."""

    loader: Arg | None  # the Loader argument; None: the function always uses an unsafe loader


_WITH_LOADER = YamlLoad(Arg(1, ("Loader",)))
_ALWAYS_UNSAFE = YamlLoad(None)

#: AUD103: callee -> where its loader is.
YAML_LOAD_CALLS: dict[str, YamlLoad] = {
    "yaml.load": _WITH_LOADER,
    "yaml.load_all": _WITH_LOADER,
    "yaml.unsafe_load": _ALWAYS_UNSAFE,
    "yaml.unsafe_load_all": _ALWAYS_UNSAFE,
    "yaml.full_load": _ALWAYS_UNSAFE,
    "yaml.full_load_all": _ALWAYS_UNSAFE,
}


def _yaml_names(pure: tuple[str, ...], c: tuple[str, ...]) -> frozenset[str]:
    # PyYAML exports every loader at the top level and defines it in yaml.loader / yaml.cyaml.
    return frozenset(
        [f"yaml.{n}" for n in pure + c]
        + [f"yaml.loader.{n}" for n in pure]
        + [f"yaml.cyaml.{n}" for n in c]
    )


#: Loaders that only construct plain data (str, int, list, dict, ...).
YAML_SAFE_LOADERS = _yaml_names(("SafeLoader", "BaseLoader"), ("CSafeLoader", "CBaseLoader"))
#: Loaders that construct Python objects named by tags (FullLoader: a subset, still too many).
YAML_UNSAFE_LOADERS = _yaml_names(
    ("Loader", "UnsafeLoader", "FullLoader"), ("CLoader", "CUnsafeLoader", "CFullLoader")
)


# -- the rules ---------------------------------------------------------------------------------

SYNTAX_ERROR = "AUD001"
MALFORMED_SUPPRESSION = "AUD002"
DYNAMIC_CODE = "AUD101"
SHELL_INJECTION = "AUD102"
UNSAFE_YAML = "AUD103"

_SUPPRESS_HINT = "write `# auditls: ignore[AUD101]` (codes in brackets) or `# auditls: ignore`"

RULES_LIST: tuple[Rule, ...] = (
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
    Rule(
        code=DYNAMIC_CODE,
        name="dynamic-code-execution",
        severity="error",
        confidence="high",
        cwe=95,
        summary="`eval`, `exec` or `compile` runs code that is built at run time.",
        details=(
            "Reported when the code argument of the builtin `eval`, `exec` or `compile` is not a "
            "literal. A local function or import that shadows the builtin is not reported, nor "
            "is `exec(compile(...))` twice (the `compile` call carries the finding). Confidence "
            "is high when the argument is a parameter or a formatted string (f-string, `%`, "
            "`.format()`, concatenation), medium for other names and expressions, and low for a "
            "variable that is only ever assigned literals."
        ),
        message="{callee} runs `{arg}` as Python code: whoever controls that value controls "
        "the process. Parse data with `ast.literal_eval()` or `json.loads()`, or look the "
        "operation up in a fixed dict of functions.",
        fix=(
            "Never execute text as code. For data, use `ast.literal_eval()` (Python literals) or "
            "`json.loads()`; for a choice among operations, map allowed names to functions in a "
            "dict and look the name up."
        ),
        bad="def calculate(expression):\n    return eval(expression)\n",
        good=(
            "import ast\n\n\ndef calculate(expression):\n    return ast.literal_eval(expression)\n"
        ),
    ),
    Rule(
        code=SHELL_INJECTION,
        name="shell-command-injection",
        severity="error",
        confidence="high",
        cwe=78,
        summary="A command built at run time is run through a shell.",
        details=(
            "Reported for `subprocess.run`, `call`, `check_call`, `check_output` and `Popen` "
            "with `shell=` a true literal, and for functions that always use a shell "
            "(`os.system`, `os.popen`, `subprocess.getoutput`, `subprocess.getstatusoutput`, "
            "`asyncio.create_subprocess_shell`), when the command is not a literal. A constant "
            "command is not reported. Aliases (`import subprocess as sp`, `from subprocess "
            "import run as r`, `s = subprocess`) are followed. Confidence is high for a "
            "parameter or a formatted string, medium for other names and expressions, and low "
            "for a variable that is only ever assigned literals."
        ),
        message="{callee} runs `{arg}` through a shell{how}: a `;`, `|` or `$(...)` in that "
        'value runs another command. Pass a list of arguments without a shell (`["prog", '
        "value]`), or quote each value with `shlex.quote()`.",
        fix=(
            "Pass the command as a list of arguments and leave `shell` off: "
            '`subprocess.run(["tar", "czf", name, path], check=True)`. Replace `os.system` and '
            "`os.popen` with `subprocess.run`. If a shell is unavoidable, quote every value "
            "with `shlex.quote()`."
        ),
        bad=(
            "import subprocess\n\n\ndef archive(name):\n"
            '    subprocess.run(f"tar czf {name}.tgz data/", shell=True)\n'
        ),
        good=(
            "import subprocess\n\n\ndef archive(name):\n"
            '    subprocess.run(["tar", "czf", f"{name}.tgz", "data/"], check=True)\n'
        ),
    ),
    Rule(
        code=UNSAFE_YAML,
        name="unsafe-yaml-load",
        severity="warning",
        confidence="high",
        cwe=502,
        summary="YAML is loaded with a loader that can construct arbitrary Python objects.",
        details=(
            "Reported for `yaml.load` and `yaml.load_all` without a `Loader`, or with a loader "
            "other than `SafeLoader`, `CSafeLoader`, `BaseLoader` or `CBaseLoader` (or a class "
            "of this file derived from one of them), and for `yaml.unsafe_load`, "
            "`yaml.full_load` and their `_all` forms. Confidence is high for a missing or a "
            "known unsafe loader (`Loader`, `UnsafeLoader`, `FullLoader` and their C versions) "
            "and medium for a loader auditls cannot resolve."
        ),
        message="{callee} {reason}: tags in the document can construct arbitrary Python "
        "objects and run code. Use `yaml.safe_load()` or pass `Loader=yaml.SafeLoader`.",
        fix=(
            "Use `yaml.safe_load()` / `yaml.safe_load_all()`, or pass `Loader=yaml.SafeLoader` "
            "(`yaml.CSafeLoader` when libyaml is available)."
        ),
        bad=(
            "import yaml\n\n\ndef read_config(stream):\n"
            "    return yaml.load(stream, Loader=yaml.Loader)\n"
        ),
        good="import yaml\n\n\ndef read_config(stream):\n    return yaml.safe_load(stream)\n",
    ),
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
        "<!-- Generated from src/auditls/rules/catalogue.py; do not edit by hand.",
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
