"""The 101-109 rules: code and commands (dynamic code, shells, deserialization, dynamic
imports, logging's listener, programs and paths chosen at run time, wildcards)."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.facts.core import CallFact
from auditls.facts.security import (
    DangerousCallFact,
)
from auditls.knowledge.checks import (
    DESERIALIZATION_SWITCHES,
    YAML_SAFE_LOADERS,
    YAML_UNSAFE_LOADERS,
)
from auditls.knowledge.security import (
    DESERIALIZATION_CALLS,
    DYNAMIC_CODE_CALLS,
    DYNAMIC_IMPORT_CALLS,
    EXEC_CALLS,
    LOGGING_LISTEN_CALLS,
    SHELL_CALLS,
    YAML_LOAD_CALLS,
    Arg,
)
from auditls.rules.findings import Finding
from auditls.rules.index import (
    FactIndex,
    at_call,
    has_kwargs,
    keyword_arg,
    locate,
    rate,
    short,
    truthy_literal,
    value_of,
)
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register
from auditls.rules.security.common import RATED, argument_rule

DYNAMIC_CODE = "AUD101"

SHELL_INJECTION = "AUD102"

UNSAFE_YAML = "AUD103"

UNSAFE_DESERIALIZATION = "AUD104"

DYNAMIC_IMPORT = "AUD105"

LOGGING_LISTEN = "AUD106"

VARIABLE_PROGRAM = "AUD107"

PARTIAL_PATH = "AUD108"

WILDCARD_INJECTION = "AUD109"


#: AUD108: the start of an absolute executable path (POSIX, Windows drive, UNC).
ABSOLUTE_PATH_PREFIXES = ("/", "\\\\")

#: AUD109: programs whose options can be smuggled in as file names matched by a glob.
WILDCARD_PROGRAMS = frozenset({"tar", "chown", "chmod", "rsync", "zip", "7z"})


def check_dynamic_code(index: FactIndex) -> Iterator[Finding]:
    """AUD101, message fields: callee, arg."""
    for callee, spec in DYNAMIC_CODE_CALLS.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None:
                continue
            arg, hidden = located
            if arg.kind == "call" and arg.qualname == "builtins.compile" and not hidden:
                continue  # exec(compile(src, ...)): the compile call carries the finding
            confidence = rate(index, call, arg, hidden)
            if confidence is not None:
                yield at_call(index, DYNAMIC_CODE, call, confidence, arg=short(arg.text))


def _shell_on(index: FactIndex, call: CallFact, shell: Arg | None) -> str | None:
    """How the call uses a shell ("" always, " (shell=True)"), or None when it does not."""
    if shell is None:
        return ""
    located = locate(index.args(call), shell)
    if located is None or located[1] or not truthy_literal(located[0]):
        return None
    return f" (shell={short(located[0].text, 10)})"


def check_shell_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD102, message fields: callee, arg, how."""
    for callee, spec in SHELL_CALLS.items():
        for call in index.calls(callee):
            how = _shell_on(index, call, spec.shell)
            if how is None:
                continue
            located = locate(index.args(call), spec.command)
            if located is None:
                continue
            arg, hidden = located
            confidence = rate(index, call, arg, hidden)
            if confidence is not None:
                yield at_call(
                    index, SHELL_INJECTION, call, confidence, arg=short(arg.text), how=how
                )


def check_unsafe_yaml(index: FactIndex) -> Iterator[Finding]:
    """AUD103, message fields: callee, reason."""
    for callee, spec in YAML_LOAD_CALLS.items():
        for call in index.calls(callee):
            confidence = "high"
            if spec.loader is None:
                reason = "always uses an unsafe loader"
            else:
                located = locate(index.args(call), spec.loader)
                if located is None or (located[0].kind == "constant" and not located[1]):
                    reason = "is called without a safe Loader"
                else:
                    loader, hidden = located
                    name = loader.qualname
                    if hidden:
                        reason, confidence = "gets its Loader from unpacked arguments", "medium"
                    elif name is not None and (
                        name in YAML_SAFE_LOADERS or index.derives_from(name, YAML_SAFE_LOADERS)
                    ):
                        continue
                    elif name in YAML_UNSAFE_LOADERS:
                        reason = f"uses the unsafe loader `{short(loader.text)}`"
                    else:
                        reason = f"uses the loader `{short(loader.text)}`, not known to be safe"
                        confidence = "medium"
            yield at_call(index, UNSAFE_YAML, call, confidence, reason=reason)


def _serializer_of(deserializer: str) -> str:
    """The function that writes what ``deserializer`` reads: ``pickle.loads`` -> ``pickle.dumps``,
    ``jsonpickle.decode`` -> ``jsonpickle.encode``."""
    module, _, name = deserializer.rpartition(".")
    return f"{module}.{name.replace('load', 'dump').replace('decode', 'encode')}"


def check_unsafe_deserialization(index: FactIndex) -> Iterator[Finding]:
    """AUD104, message fields: callee, arg, how."""
    for callee, spec in DESERIALIZATION_CALLS.items():
        for call in index.calls(callee):
            args = index.args(call)
            located = locate(args, spec)
            text = short(located[0].text) if located else "its input"
            switch = DESERIALIZATION_SWITCHES.get(callee)
            if switch is not None:
                keyword, safe, safe_by_default = switch
                arg = keyword_arg(args, keyword)
                value = value_of(arg)
                if arg is None:
                    if safe_by_default:
                        continue
                    confidence = "low" if has_kwargs(args) else "medium"
                    how = f" without `{keyword}={safe}`"
                elif value is NotImplemented:
                    continue  # decided at run time: trust it
                elif bool(value) == safe:
                    continue
                else:
                    confidence, how = "high", f" with `{keyword}={short(arg.text, 12)}`"
                yield at_call(index, UNSAFE_DESERIALIZATION, call, confidence, arg=text, how=how)
                continue
            if located is None:
                continue
            if located[0].kind == "call" and located[0].qualname == _serializer_of(callee):
                continue  # loads(dumps(obj)): a copy, nothing from outside
            rated = rate(index, call, *located)
            if rated is not None:
                yield at_call(index, UNSAFE_DESERIALIZATION, call, rated, arg=text, how="")


def check_dynamic_import(index: FactIndex) -> Iterator[Finding]:
    """AUD105, message fields: callee, arg."""
    yield from argument_rule(index, DYNAMIC_IMPORT, DYNAMIC_IMPORT_CALLS)


def check_logging_listen(index: FactIndex) -> Iterator[Finding]:
    """AUD106, message fields: callee."""
    for callee, spec in LOGGING_LISTEN_CALLS.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None or value_of(located[0]) is None:
                yield at_call(index, LOGGING_LISTEN, call, "high")


def check_variable_program(index: FactIndex) -> Iterator[Finding]:
    """AUD107, message fields: callee, arg."""
    yield from argument_rule(index, VARIABLE_PROGRAM, EXEC_CALLS)


def check_partial_path(index: FactIndex) -> Iterator[Finding]:
    """AUD108, message fields: callee, program."""
    for fact in index.facts(DangerousCallFact):
        program = fact.program
        if fact.category != "command" or program is None or fact.hidden:
            continue
        if program.startswith(ABSOLUTE_PATH_PREFIXES) or program[1:3] in (":\\", ":/"):
            continue
        if "/" not in program and "\\" not in program:
            continue  # a bare name, looked up on PATH: the ordinary way to start a program
        call = index.calls_by_id.get(fact.call_id)
        if call is not None:
            yield at_call(index, PARTIAL_PATH, call, "medium", program=short(program, 30))


def check_wildcard_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD109, message fields: callee, program."""
    for callee, spec in SHELL_CALLS.items():
        for call in index.calls(callee):
            if _shell_on(index, call, spec.shell) is None:
                continue
            located = locate(index.args(call), spec.command)
            command = value_of(located[0]) if located and not located[1] else None
            if not isinstance(command, str):
                continue
            words = command.split()
            program = words[0].rpartition("/")[2] if words else ""
            if program not in WILDCARD_PROGRAMS:
                continue
            for i, word in enumerate(words):
                if "*" in word and not word.startswith(("./", "/")) and "--" not in words[:i]:
                    yield at_call(index, WILDCARD_INJECTION, call, "medium", program=program)
                    break


RULES: tuple[Rule, ...] = (
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
            "is high when the argument is a parameter, request data or a string formatted at run "
            "time with a part of unknown or outside origin (f-string, `%`, `.format()`, "
            "concatenation), medium for other names and expressions, and low for a variable "
            "that is only ever assigned literals; a string formatted only from literals and "
            "constants is not reported."
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
        check=check_dynamic_code,
        knowledge=(DYNAMIC_CODE_CALLS,),
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
            "`asyncio.create_subprocess_shell`, Python 2's `commands` and `popen2`, and "
            "paramiko's `exec_command` of a client or a channel, which the remote login shell "
            "runs, and the text sent to the interactive shell `invoke_shell()` opens "
            "(`chan.send(cmd)`)), when the command "
            "is not a literal. A value quoted with `shlex.quote()` is safe. A constant "
            "command is not reported. Aliases (`import subprocess as sp`, `from subprocess "
            "import run as r`, `s = subprocess`) are followed. Confidence is high for a "
            "parameter, request data or a formatted string, medium for other names and "
            "expressions, and low for a variable that is only ever assigned literals."
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
        check=check_shell_injection,
        knowledge=(SHELL_CALLS,),
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
        check=check_unsafe_yaml,
        knowledge=(
            YAML_LOAD_CALLS,
            YAML_SAFE_LOADERS,
            YAML_UNSAFE_LOADERS,
        ),
    ),
    rule(
        UNSAFE_DESERIALIZATION,
        "unsafe-deserialization",
        "error",
        "high",
        502,
        summary="Data is deserialized with a format that can build arbitrary objects and run code.",
        details=(
            "Reported for `pickle`, `cPickle`, `dill`, `cloudpickle`, `marshal`, `shelve`, "
            "`jsonpickle`, `pandas.read_pickle` and `joblib.load` on anything but a literal, for "
            "`torch.load` without `weights_only=True`, and for `numpy.load` with "
            "`allow_pickle=True`." + RATED
        ),
        message="{callee} deserializes `{arg}`{how}: a crafted payload runs code while it is "
        "loaded. Load only data you produced and signed, or use a data-only format (JSON, "
        "`numpy.load` without pickles, `torch.load(weights_only=True)`, safetensors).",
        fix=(
            "Exchange data as JSON (or another data-only format); verify an HMAC over a pickle "
            "you wrote yourself before loading it; pass `weights_only=True` to `torch.load`."
        ),
        bad="import pickle\n\n\ndef restore(blob):\n    return pickle.loads(blob)\n",
        good="import json\n\n\ndef restore(blob):\n    return json.loads(blob)\n",
        check=check_unsafe_deserialization,
        knowledge=(
            DESERIALIZATION_CALLS,
            DESERIALIZATION_SWITCHES,
        ),
    ),
    rule(
        DYNAMIC_IMPORT,
        "dynamic-import",
        "warning",
        "high",
        470,
        summary="A module is imported by a name computed at run time.",
        details=(
            "Reported for `__import__`, `importlib.import_module` and `importlib.__import__` "
            "when the module name is not a literal: importing runs the module's code, so the "
            "caller chooses what runs." + RATED
        ),
        message="{callee} imports the module named by `{arg}`: importing runs its code. Map the "
        "allowed names to modules in a fixed dict instead.",
        fix="Look the name up in a dict of allowed plugins (`PLUGINS[name]`) built from literal "
        "imports, or check it against an allow-list before importing.",
        bad=(
            "import importlib\n\n\ndef load_plugin(name):\n"
            "    return importlib.import_module(name)\n"
        ),
        good=(
            'import importlib\n\nPLUGINS = {"csv": "app.plugins.csv", "xml": "app.plugins.xml"}'
            "\n\n\n"
            "def load_plugin(name):\n    return importlib.import_module(PLUGINS[name])\n"
        ),
        check=check_dynamic_import,
        knowledge=(DYNAMIC_IMPORT_CALLS,),
    ),
    rule(
        LOGGING_LISTEN,
        "logging-config-listen",
        "error",
        "high",
        94,
        summary="`logging.config.listen()` accepts configurations, which can run code, from the "
        "network.",
        details=(
            "Reported for `logging.config.listen()` without a `verify` callable. Anyone who can "
            "connect to the port sends a logging configuration; configurations name classes "
            "and callables to instantiate, so this runs code."
        ),
        message="{callee} accepts logging configurations from any client of its port, and a "
        "configuration can run code. Pass `verify=` a function that checks a signature, or "
        "do not listen.",
        fix="Pass `verify=` a callable that authenticates the configuration bytes (an HMAC) and "
        "returns None for anything else, and bind the listener to localhost.",
        bad="import logging.config\n\nthread = logging.config.listen(9999)\n",
        good=(
            "import logging.config\n\nfrom app.security import check_signature\n\n"
            "thread = logging.config.listen(9999, verify=check_signature)\n"
        ),
        check=check_logging_listen,
        knowledge=(LOGGING_LISTEN_CALLS,),
    ),
    rule(
        VARIABLE_PROGRAM,
        "variable-program",
        "warning",
        "high",
        78,
        summary="A program chosen at run time is started with `os.exec*` or `os.spawn*`.",
        details=(
            "Reported for the `os.exec*`, `os.spawn*` and `os.posix_spawn*` functions when the "
            "program is not a literal: no shell is involved, but the caller chooses what runs."
            + RATED
        ),
        message="{callee} starts the program `{arg}`, chosen at run time. Start a fixed program "
        "and pass the value as an argument, or check it against an allow-list.",
        fix="Name the program with a literal (an absolute path) and pass values as arguments.",
        bad="import os\n\n\ndef run_tool(tool, path):\n    os.execvp(tool, [tool, path])\n",
        good='import os\n\n\ndef run_tool(path):\n    os.execv("/usr/bin/file", ["file", path])\n',
        check=check_variable_program,
        knowledge=(EXEC_CALLS,),
    ),
    rule(
        PARTIAL_PATH,
        "partial-executable-path",
        "warning",
        "medium",
        426,
        summary="A program is started by a path relative to the working directory.",
        details=(
            "Reported for subprocess, `os.system`-like, `os.exec*`, `os.spawn*` and "
            "`asyncio.create_subprocess_*` calls whose literal command starts with a relative "
            'path (`"./tool"`, `["bin/backup", ...]`): the program that runs depends on '
            "the working directory, which is often writable by others (a checked-out "
            'repository, an upload directory). Bare names looked up on `PATH` (`"git"`) are '
            "the ordinary way to start a program and are not reported; commands that are not "
            "literals are left to AUD102 and AUD107."
        ),
        message="{callee} starts `{program}`, a path relative to the working directory: "
        "whoever can write there chooses the program. Use an absolute path (built from "
        "`__file__` or a configured directory).",
        fix='Build the path from a fixed base: `Path(__file__).parent / "bin" / "backup"`, '
        "or install the tool and call it by name.",
        bad='import subprocess\n\nsubprocess.run(["./backup.sh", "--all"], check=True)\n',
        good=(
            "import subprocess\nfrom pathlib import Path\n\nBACKUP = str(Path(__file__).parent / "
            '"backup.sh")\n\nsubprocess.run([BACKUP, "--all"], check=True)\n'
        ),
        check=check_partial_path,
    ),
    rule(
        WILDCARD_INJECTION,
        "shell-wildcard-injection",
        "warning",
        "medium",
        155,
        summary="A shell expands `*` in a command of `tar`, `chown`, `chmod` or `rsync`.",
        details=(
            "Reported for a literal command run through a shell (`os.system`, `shell=True`, ...) "
            "whose program is `tar`, `chown`, `chmod`, `rsync`, `zip` or `7z` and which contains "
            "`*`: a file named `--checkpoint-action=exec=sh x.sh` in that directory becomes an "
            "option of the program."
        ),
        message="{callee} lets the shell expand `*` for `{program}`: a file whose name starts "
        "with `-` becomes an option. Put `--` before the glob (`./*` also works), or list the "
        "files in Python and pass them without a shell.",
        fix="Write `./*` (or put `--` before the file names) so that no name is read as an "
        "option, or build the file list with `glob` and pass it as arguments without a shell.",
        bad='import os\n\nos.system("tar czf backup.tgz *")\n',
        good='import os\n\nos.system("tar czf backup.tgz -- ./*")\n',
        check=check_wildcard_injection,
        knowledge=(SHELL_CALLS,),
    ),
)

register(*RULES)
