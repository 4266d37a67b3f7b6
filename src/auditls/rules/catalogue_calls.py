"""The 1xx rules: dangerous calls (code, commands, deserialization, XML, SQL, templates, files,
network and TLS, supply chain and source text), and the judgement tables their checks use.

Where the arguments of these calls are is described in ``auditls.knowledge.security``.
"""

from __future__ import annotations

from auditls.rules.model import Rule

#: How confidence follows the argument, for the docs of the rules that rate an argument.
RATED = (
    " Confidence follows the argument: high for a parameter, request data (`flask.request`, "
    "`input()`, `sys.argv`) or a string formatted at run time, medium for other expressions, "
    "and low for a name only ever assigned literals; a literal is not reported."
)

DYNAMIC_CODE = "AUD101"
SHELL_INJECTION = "AUD102"
UNSAFE_YAML = "AUD103"
UNSAFE_DESERIALIZATION = "AUD104"
DYNAMIC_IMPORT = "AUD105"
LOGGING_LISTEN = "AUD106"
VARIABLE_PROGRAM = "AUD107"
PARTIAL_PATH = "AUD108"
WILDCARD_INJECTION = "AUD109"
XML_UNTRUSTED = "AUD110"
XML_ENTITIES = "AUD111"
XMLRPC = "AUD112"
SQL_INJECTION = "AUD113"
AUTOESCAPE_OFF = "AUD114"
TEMPLATE_INJECTION = "AUD115"
UNSAFE_MARKUP = "AUD116"
TAR_EXTRACTION = "AUD117"
ZIP_EXTRACTION = "AUD118"
INSECURE_TEMPFILE = "AUD119"
HARDCODED_TMP = "AUD120"
PERMISSIVE_MODE = "AUD121"
TLS_UNVERIFIED = "AUD122"
WEAK_TLS = "AUD123"
SSH_HOST_KEY = "AUD124"
NO_TIMEOUT = "AUD125"
URL_OPEN = "AUD126"
CLEARTEXT = "AUD127"
BIND_ALL = "AUD128"
UNPINNED_DOWNLOAD = "AUD129"
BIDI_CONTROL = "AUD130"
INSECURE_SNMP = "AUD131"
IPMI = "AUD132"
HTTPOXY = "AUD133"


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

#: AUD108: the start of an absolute executable path (POSIX, Windows drive, UNC).
ABSOLUTE_PATH_PREFIXES = ("/", "\\\\")
#: AUD109: programs whose options can be smuggled in as file names matched by a glob.
WILDCARD_PROGRAMS = frozenset({"tar", "chown", "chmod", "rsync", "zip", "7z"})

#: AUD122: calls whose keyword switches certificate verification off, with the off value.
TLS_VERIFY_KEYWORDS: dict[str, tuple[str, object]] = {
    **{f"requests.{fn}": ("verify", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request")},
    **{f"requests.api.{fn}": ("verify", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request")},
    **{f"{cls}.{fn}": ("verify", False)
       for cls in ("requests.Session", "requests.sessions.Session", "requests.session")
       for fn in ("get", "post", "put", "patch", "delete", "head", "options", "request", "send")},
    **{f"httpx.{fn}": ("verify", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
        "Client", "AsyncClient")},
    **{f"aiohttp.ClientSession.{fn}": ("ssl", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect")},
    "aiohttp.request": ("ssl", False),
    "aiohttp.TCPConnector": ("ssl", False),
    "urllib3.PoolManager": ("cert_reqs", "CERT_NONE"),
    "urllib3.HTTPSConnectionPool": ("cert_reqs", "CERT_NONE"),
    "urllib3.connectionpool.HTTPSConnectionPool": ("cert_reqs", "CERT_NONE"),
}  # fmt: skip
#: AUD122: attributes that switch verification off when assigned the value, on the objects
#: (by resolved qualified name) that carry them: `session.verify = False`.
TLS_VERIFY_ATTRIBUTES: dict[str, object] = {
    "requests.Session.verify": False,
    "requests.session.verify": False,
    "requests.sessions.Session.verify": False,
    "httpx.Client.verify": False,
    "httpx.AsyncClient.verify": False,
}
#: AUD122: aiohttp's older spelling, verify_ssl=False.
TLS_VERIFY_ALIASES: dict[str, str] = {"ssl": "verify_ssl"}
#: AUD122: values and calls that turn certificate checks off wherever they appear.
TLS_UNVERIFIED_NAMES: frozenset[str] = frozenset(
    {"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE", "ssl._create_unverified_context",
     "OpenSSL.SSL.VERIFY_NONE"}
)  # fmt: skip

#: AUD123: protocol versions with known breaks (SSLv2, SSLv3, TLS 1.0, TLS 1.1).
WEAK_TLS_NAMES: frozenset[str] = frozenset(
    {f"ssl.PROTOCOL_{v}" for v in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")}
    | {f"ssl.TLSVersion.{v}" for v in ("SSLv3", "TLSv1", "TLSv1_1")}
    | {f"OpenSSL.SSL.{v}_METHOD" for v in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")}
)
#: AUD123: ssl.wrap_socket picks an old default protocol unless told: its ssl_version argument.
WRAP_SOCKET = "ssl.wrap_socket"

#: AUD124: paramiko policies that accept an unknown host key.
SSH_BAD_POLICIES: frozenset[str] = frozenset(
    f"paramiko.{where}{policy}"
    for where in ("", "client.")
    for policy in ("AutoAddPolicy", "WarningPolicy")
)
SSH_SET_POLICY = ("set_missing_host_key_policy",)

#: AUD125: HTTP functions that wait forever without a timeout (httpx has a default).
HTTP_TIMEOUT_CALLS: frozenset[str] = frozenset(
    {f"requests.{fn}" for fn in ("get", "post", "put", "patch", "delete", "head", "options",
                                  "request")}
    | {f"{cls}.{fn}" for cls in ("requests.Session", "requests.sessions.Session",
                                 "requests.session")
       for fn in ("get", "post", "put", "patch", "delete", "head", "options", "request")}
)  # fmt: skip
#: AUD125: libraries with a default timeout that an explicit timeout=None removes.
HTTP_TIMEOUT_NONE_CALLS: frozenset[str] = frozenset(
    f"httpx.{fn}" for fn in ("get", "post", "put", "patch", "delete", "head", "options",
                             "request", "stream", "Client", "AsyncClient")
)  # fmt: skip

#: AUD127: clients of cleartext protocols.
CLEARTEXT_CALLS: dict[str, str] = {
    "telnetlib.Telnet": "Telnet",
    "ftplib.FTP": "FTP",
    "telnetlib3.open_connection": "Telnet",
}

#: AUD128: addresses that listen on every interface.
ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]"})  # noqa: S104 (data)
#: AUD128: keyword names that take an address to listen on.
BIND_KEYWORDS = frozenset({"host", "bind", "address", "listen", "interface", "bind_address"})
#: AUD128: methods whose first argument (or its first element) is an address to listen on.
BIND_METHODS = frozenset({"bind", "create_server", "run", "serve", "start_server", "make_server"})

#: AUD129: Hugging Face downloads -> where the revision is.
HF_DOWNLOAD_FUNCTIONS: frozenset[str] = frozenset(
    {"huggingface_hub.hf_hub_download", "huggingface_hub.snapshot_download",
     "huggingface_hub.file_download.hf_hub_download", "datasets.load_dataset",
     "huggingface_hub.HfApi.hf_hub_download", "huggingface_hub.HfApi.snapshot_download"}
)  # fmt: skip
#: AUD129: packages whose classes download weights with ``from_pretrained``.
HF_PRETRAINED_PACKAGES: frozenset[str] = frozenset(
    {"transformers", "diffusers", "peft", "sentence_transformers", "optimum", "timm"}
)
HF_REVISION_KEYWORDS = ("revision", "commit_id")

#: AUD131: pysnmp's v1/v2c community objects and v3 users (the last name of the callee).
SNMP_COMMUNITY = "CommunityData"
SNMP_USER = "UsmUserData"

#: AUD133: CGI handlers that pass a request's Proxy header on as HTTP_PROXY.
HTTPOXY_CALLS: frozenset[str] = frozenset(
    {"wsgiref.handlers.CGIHandler", "twisted.web.twcgi.CGIScript", "twisted.web.twcgi.CGIDirectory"}
)

#: AUD104: how a deserializer is made safe by a keyword: (keyword, safe value, safe by default).
DESERIALIZATION_SWITCHES: dict[str, tuple[str, bool, bool]] = {
    "torch.load": ("weights_only", True, False),
    "numpy.load": ("allow_pickle", False, True),
}


def rule(
    code: str, name: str, severity: str, confidence: str, cwe: int, *, summary: str,
    details: str, message: str, fix: str, bad: str, good: str,
) -> Rule:  # fmt: skip
    return Rule(
        code=code, name=name, severity=severity, confidence=confidence, cwe=cwe,
        summary=summary, details=details, message=message, fix=fix, bad=bad, good=good,
    )  # fmt: skip


CALL_RULES: tuple[Rule, ...] = (
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
            "paramiko's `exec_command`, which the remote login shell runs), when the command "
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
    ),
    rule(
        XML_UNTRUSTED,
        "xml-parser-untrusted-input",
        "warning",
        "medium",
        611,
        summary="XML from outside is parsed with a standard-library or lxml parser, not "
        "defusedxml.",
        details=(
            "Reported for the parsing functions of `xml.etree`, `xml.dom.minidom`, "
            "`xml.dom.pulldom`, `xml.sax` and `lxml.etree` on anything but a literal, unless the "
            "file imports `defusedxml` (which also covers `defusedxml.defuse_stdlib()`). These "
            "parsers expand entities (billion laughs) and lxml resolves external entities by "
            "default in older releases." + RATED
        ),
        message="{callee} parses `{arg}` with a parser that expands entities. Use the same "
        "function from `defusedxml` (`defusedxml.ElementTree.fromstring`, ...).",
        fix="Replace `xml.etree.ElementTree` with `defusedxml.ElementTree` (same API), "
        "`xml.dom.minidom` with `defusedxml.minidom`, `lxml` parsing of untrusted data with "
        "`defusedxml.lxml` or a parser created with `resolve_entities=False, no_network=True`.",
        bad=(
            "import xml.etree.ElementTree as ET\n\n\ndef parse(body):\n"
            "    return ET.fromstring(body)\n"
        ),
        good=(
            "import defusedxml.ElementTree as ET\n\n\ndef parse(body):\n"
            "    return ET.fromstring(body)\n"
        ),
    ),
    rule(
        XML_ENTITIES,
        "xml-external-entities",
        "error",
        "high",
        611,
        summary="An lxml parser is told to resolve entities.",
        details=(
            "Reported for `lxml.etree.XMLParser` (and `XMLPullParser`) with "
            "`resolve_entities=True` or `no_network=False`: external entities read local files "
            "and fetch URLs (XXE)."
        ),
        message="{callee} is created with `{option}`: documents can read local files and "
        "reach the network through external entities. Pass `resolve_entities=False`.",
        fix="Create the parser with `resolve_entities=False, no_network=True` (or use "
        "`defusedxml.lxml`).",
        bad=("from lxml import etree\n\nparser = etree.XMLParser(resolve_entities=True)\n"),
        good=(
            "from lxml import etree\n\n"
            "parser = etree.XMLParser(resolve_entities=False, no_network=True)\n"
        ),
    ),
    rule(
        XMLRPC,
        "xmlrpc-without-defusedxml",
        "warning",
        "medium",
        776,
        summary="`xmlrpc` parses XML from the network with the expanding standard parser.",
        details=(
            "Reported on imports of `xmlrpc` (and Python 2's `xmlrpclib` / "
            "`SimpleXMLRPCServer`) in a file that does not call "
            "`defusedxml.xmlrpc.monkey_patch()`."
        ),
        message="`{module}` parses XML-RPC payloads with an entity-expanding parser. Call "
        "`defusedxml.xmlrpc.monkey_patch()` at start-up.",
        fix="Call `defusedxml.xmlrpc.monkey_patch()` once before using `xmlrpc`, or move to a "
        "JSON-based API.",
        bad="from xmlrpc.client import ServerProxy\n\nproxy = ServerProxy(URL)\n",
        good=(
            "import defusedxml.xmlrpc\nfrom xmlrpc.client import ServerProxy\n\n"
            "defusedxml.xmlrpc.monkey_patch()\nproxy = ServerProxy(URL)\n"
        ),
    ),
    rule(
        SQL_INJECTION,
        "sql-string-building",
        "error",
        "high",
        89,
        summary="SQL is built from strings with values of run-time origin.",
        details=(
            "Reported when an f-string, `%` formatting, `.format()` or `+` builds the query of a "
            "DB-API `execute` / `executemany` / `executescript`, SQLAlchemy `text()`, Django "
            "`raw()`, `extra()` or `RawSQL`, pandas `read_sql` or psycopg `sql.SQL` (directly or "
            "through a local variable, including `+=`), and one of the interpolated parts is "
            "not a constant. Constant parts (a table name held in a constant), numbers "
            '(`int(x)`) and placeholder lists (`", ".join(["%s"] * len(ids))`) are safe, so '
            "a query with such parts and bound parameters is not reported. For methods of "
            "objects of unknown type the literal text must read as SQL. Confidence is high when "
            "a part is a parameter or request data, medium otherwise."
        ),
        message="{sink} runs SQL built with {how} from `{parts}`: a quote in that value "
        "rewrites the query. Pass values as bound parameters (`%s` / `?` placeholders and a "
        "parameter tuple).",
        fix=(
            'Keep the SQL text constant and pass the values separately: `cursor.execute("... '
            'WHERE id = %s", (user_id,))`, `text("... WHERE id = :id").bindparams(id=...)`, '
            '`Model.objects.raw("... %s", [value])`. Identifiers (table, column names) come '
            "from an allow-list or `psycopg.sql.Identifier`."
        ),
        bad=(
            "def find_user(cursor, name):\n"
            "    cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n"
        ),
        good=(
            "def find_user(cursor, name):\n"
            '    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))\n'
        ),
    ),
    rule(
        AUTOESCAPE_OFF,
        "template-autoescape-off",
        "warning",
        "high",
        79,
        summary="A template engine renders without escaping HTML.",
        details=(
            "Reported for `jinja2.Environment` without `autoescape` or with `autoescape=False` "
            "(medium confidence when it is an expression auditls cannot evaluate; "
            "`select_autoescape()` is fine), and for Mako `Template` / `TemplateLookup` without "
            "`default_filters` that include `h`."
        ),
        message="{callee} renders templates without HTML escaping{how}: a value with `<script>` "
        "in it runs in the browser. Pass `autoescape=select_autoescape()` (Mako: "
        "`default_filters=['h']`).",
        fix="`jinja2.Environment(loader=..., autoescape=select_autoescape())`; for Mako, "
        "`TemplateLookup(..., default_filters=['h'])`.",
        bad='import jinja2\n\nenv = jinja2.Environment(loader=jinja2.FileSystemLoader("t"))\n',
        good=(
            'import jinja2\n\nloader = jinja2.FileSystemLoader("t")\n'
            "env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape())\n"
        ),
    ),
    rule(
        TEMPLATE_INJECTION,
        "server-side-template-injection",
        "error",
        "high",
        1336,
        summary="A template is compiled from a string built at run time.",
        details=(
            "Reported for `flask.render_template_string`, `jinja2.Template`, "
            "`Environment.from_string`, Django `Template` and Mako `Template` when the template "
            "source is not a literal: template syntax in that value runs with the template "
            "engine's power (`{{ config }}`, attribute walks to `os`)." + RATED
        ),
        message="{callee} compiles `{arg}` as a template: template syntax in it is executed. "
        "Keep templates constant and pass values in the context.",
        fix="Render a constant template and pass the value as a variable: "
        '`render_template_string("Hello {{ name }}", name=name)`.',
        bad=(
            "from flask import render_template_string, request\n\n\ndef hello():\n"
            '    return render_template_string("Hello " + request.args["name"])\n'
        ),
        good=(
            "from flask import render_template_string, request\n\n\ndef hello():\n"
            '    return render_template_string("Hello {{ name }}", name=request.args["name"])\n'
        ),
    ),
    rule(
        UNSAFE_MARKUP,
        "unsafe-markup",
        "warning",
        "high",
        79,
        summary="A value built at run time is marked as safe HTML.",
        details=(
            "Reported for Django `mark_safe`, `SafeString` / `SafeText` and `markupsafe.Markup` "
            "(also through `flask` and old `jinja2`) when the argument is not a literal: the "
            "template engine will not escape it. `Markup(...).format()` and `format_html()` "
            "escape their arguments and are not reported." + RATED
        ),
        message="{callee} marks `{arg}` as safe HTML, so it is never escaped. Build the markup "
        "with `format_html()` / `Markup(...).format()`, which escape the values.",
        fix='Use `django.utils.html.format_html("<b>{}</b>", value)` or '
        '`Markup("<b>{}</b>").format(value)`; escape with `escape()` before marking safe.',
        bad=(
            "from django.utils.safestring import mark_safe\n\n\ndef bold(name):\n"
            '    return mark_safe(f"<b>{name}</b>")\n'
        ),
        good=(
            "from django.utils.html import format_html\n\n\ndef bold(name):\n"
            '    return format_html("<b>{}</b>", name)\n'
        ),
    ),
    rule(
        TAR_EXTRACTION,
        "tar-extraction-unfiltered",
        "warning",
        "high",
        22,
        summary="A tar archive is extracted without an extraction filter.",
        details=(
            "Reported for `TarFile.extractall()` and `extract()` (also on what `tarfile.open()` "
            "returned, in a `with` or not) without `filter=`, or with "
            '`filter="fully_trusted"`: members named `../x` or absolute paths, and links, '
            "write outside the target directory. A `members=` selection lowers the confidence "
            "to low (it may be a sanitizing generator)."
        ),
        message="{callee} extracts without a filter{how}: members with `..` in their names or "
        'links write outside the target. Pass `filter="data"` (Python 3.12+, backported to '
        "3.8.17+).",
        fix='`tar.extractall(dest, filter="data")`; on older Pythons, check each member\'s '
        "resolved path stays under the destination and skip links.",
        bad=(
            "import tarfile\n\n\ndef unpack(path, dest):\n"
            "    with tarfile.open(path) as tar:\n        tar.extractall(dest)\n"
        ),
        good=(
            "import tarfile\n\n\ndef unpack(path, dest):\n"
            '    with tarfile.open(path) as tar:\n        tar.extractall(dest, filter="data")\n'
        ),
    ),
    rule(
        ZIP_EXTRACTION,
        "zip-extraction-variable-path",
        "info",
        "high",
        22,
        summary="A zip archive is extracted to a directory chosen at run time.",
        details=(
            "Reported for `ZipFile.extractall()` / `extract()` when the destination is not a "
            "literal. `zipfile` strips `..` and absolute names itself, so the risk is the "
            "destination: a caller who chooses it writes files anywhere the process can." + RATED
        ),
        message="{callee} extracts to `{arg}`, chosen at run time. Extract under a fixed base "
        "directory and check the resolved destination stays inside it.",
        fix="Join the value to a fixed base, resolve it, and check `dest.is_relative_to(base)` "
        "before extracting.",
        bad=(
            "import zipfile\n\n\ndef unpack(upload, target):\n"
            "    zipfile.ZipFile(upload).extractall(target)\n"
        ),
        good=(
            "import zipfile\n\n\ndef unpack(upload):\n"
            '    zipfile.ZipFile(upload).extractall("uploads/unpacked")\n'
        ),
    ),
    rule(
        INSECURE_TEMPFILE,
        "insecure-temp-file",
        "warning",
        "high",
        377,
        summary="`tempfile.mktemp()` returns a name another process can claim first.",
        details=(
            "Reported for `tempfile.mktemp()` (and Python 2's `os.tempnam` / `os.tmpnam`): "
            "between choosing the name and creating the file, another user can create it, or a "
            "symlink in its place."
        ),
        message="{callee} returns a name, not a file: another process can create it first. "
        "Use `tempfile.NamedTemporaryFile()` or `tempfile.mkstemp()`.",
        fix="`tempfile.NamedTemporaryFile(delete=False)`, `tempfile.mkstemp()` or "
        "`tempfile.TemporaryDirectory()` create the file atomically.",
        bad='import tempfile\n\npath = tempfile.mktemp(suffix=".csv")\n',
        good='import tempfile\n\nfd, path = tempfile.mkstemp(suffix=".csv")\n',
    ),
    rule(
        HARDCODED_TMP,
        "hardcoded-temp-path",
        "info",
        "medium",
        377,
        summary="A path in a shared temporary directory (`/tmp`, `/var/tmp`, `/dev/shm`) is "
        "hard-coded.",
        details=(
            "Reported for string literals (and f-strings starting with one) passed to a call or "
            "assigned, that name a file in `/tmp`, `/var/tmp` or `/dev/shm`: every user of the "
            "machine can create that path first, or a symlink in its place."
        ),
        message="`{path}` is in a directory every user can write: another user can create it "
        "first. Use the `tempfile` module, which creates unique files atomically.",
        fix="`tempfile.mkstemp()`, `tempfile.NamedTemporaryFile()` or "
        "`tempfile.TemporaryDirectory()`; or a directory owned by the application.",
        bad='LOCK_FILE = "/tmp/app.lock"\n',
        good='import tempfile\n\nLOCK_DIR = tempfile.mkdtemp(prefix="app-")\n',
    ),
    rule(
        PERMISSIVE_MODE,
        "permissive-file-mode",
        "warning",
        "high",
        732,
        summary="`chmod` makes a file writable (or executable) by every user.",
        details=(
            "Reported for `os.chmod`, `os.fchmod`, `os.lchmod` and `Path.chmod` with a mode "
            "(a number or `stat` constants) that lets others write (`o+w`): severity as the "
            "rule's, high confidence; or execute (`o+x`) a file: low confidence."
        ),
        message="{callee} sets mode {mode}, which lets {who} the file. Use `0o600` for data "
        "(`0o700` for a program the owner runs).",
        fix="Grant the least: `0o600` for private files, `0o644` for readable data, `0o755` "
        "only for programs meant for everyone.",
        bad='import os\n\nos.chmod("app.db", 0o777)\n',
        good='import os\n\nos.chmod("app.db", 0o600)\n',
    ),
    rule(
        TLS_UNVERIFIED,
        "tls-verification-disabled",
        "error",
        "high",
        295,
        summary="TLS certificate verification is switched off.",
        details=(
            "Reported for `verify=False` in requests (functions and sessions) and httpx, "
            '`ssl=False` / `verify_ssl=False` in aiohttp, `cert_reqs="CERT_NONE"` in urllib3, '
            "`ssl._create_unverified_context()`, and `ssl.CERT_NONE` used as a value (passed "
            "or assigned, as in `ctx.verify_mode = ssl.CERT_NONE`), and "
            "`session.verify = False` on a requests or httpx client."
        ),
        message="{what} switches TLS certificate verification off: anyone on the path can read "
        "and change the traffic. Keep verification on; point `verify=` at a CA bundle for "
        "private certificates.",
        fix='Remove `verify=False`; for an internal CA pass `verify="/path/ca.pem"` (requests) '
        "or `ssl.create_default_context(cafile=...)`.",
        bad="import requests\n\nrequests.get(URL, verify=False, timeout=10)\n",
        good='import requests\n\nrequests.get(URL, verify="/etc/ssl/ca.pem", timeout=10)\n',
    ),
    rule(
        WEAK_TLS,
        "weak-tls-version",
        "warning",
        "high",
        326,
        summary="A broken SSL/TLS protocol version is selected, or left to an old default.",
        details=(
            "Reported for `ssl.PROTOCOL_SSLv2`, `SSLv3`, `TLSv1`, `TLSv1_1`, "
            "`ssl.TLSVersion.TLSv1` / `TLSv1_1` / `SSLv3` and pyOpenSSL's `*_METHOD` "
            "equivalents used as values, and for `ssl.wrap_socket()` without `ssl_version` "
            "(medium confidence)."
        ),
        message="{what}: SSLv2, SSLv3, TLS 1.0 and 1.1 have practical attacks. Use "
        "`ssl.create_default_context()` and, if needed, `minimum_version = "
        "ssl.TLSVersion.TLSv1_2`.",
        fix="`ctx = ssl.create_default_context(); ctx.minimum_version = "
        "ssl.TLSVersion.TLSv1_2`; then `ctx.wrap_socket(sock, server_hostname=host)`.",
        bad="import ssl\n\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
        good=(
            "import ssl\n\ncontext = ssl.create_default_context()\n"
            "context.minimum_version = ssl.TLSVersion.TLSv1_2\n"
        ),
    ),
    rule(
        SSH_HOST_KEY,
        "ssh-host-key-not-verified",
        "error",
        "high",
        295,
        summary="paramiko accepts unknown SSH host keys.",
        details=(
            "Reported for `set_missing_host_key_policy()` with paramiko's `AutoAddPolicy` or "
            "`WarningPolicy` (the class or an instance): the first server to answer is trusted, "
            "so a man in the middle gets the credentials."
        ),
        message="{callee} trusts unknown host keys ({policy}): a man in the middle gets the "
        "session and its credentials. Load known hosts and keep `RejectPolicy`.",
        fix="`client.load_system_host_keys()` (or `load_host_keys(path)`) and "
        "`set_missing_host_key_policy(paramiko.RejectPolicy())`.",
        bad=(
            "import paramiko\n\nclient = paramiko.SSHClient()\n"
            "client.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n"
        ),
        good=(
            "import paramiko\n\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\n"
            "client.set_missing_host_key_policy(paramiko.RejectPolicy())\n"
        ),
    ),
    rule(
        NO_TIMEOUT,
        "http-request-without-timeout",
        "info",
        "high",
        400,
        summary="An HTTP request can wait forever.",
        details=(
            "Reported for requests' functions and session methods without `timeout=` (or with "
            "`timeout=None`), and for httpx calls with an explicit `timeout=None` (httpx has a "
            "default). A `**kwargs` that may carry the timeout lowers the confidence to low."
        ),
        message="{callee} has no timeout: a server that never answers holds this worker "
        "forever. Pass `timeout=` (seconds, or a (connect, read) pair).",
        fix="Always pass `timeout=`, e.g. `requests.get(url, timeout=(3.05, 27))`.",
        bad="import requests\n\nresponse = requests.get(URL)\n",
        good="import requests\n\nresponse = requests.get(URL, timeout=10)\n",
    ),
    rule(
        URL_OPEN,
        "url-open-variable",
        "warning",
        "high",
        918,
        summary="`urllib` opens a URL chosen at run time, any scheme included.",
        details=(
            "Reported for `urllib.request.urlopen`, `urlretrieve` and `Request` when the URL is "
            "not a literal: besides any host (SSRF), `file://` reads local files." + RATED
        ),
        message="{callee} opens `{arg}`: `file://` URLs read local files and any host can be "
        "reached. Check the scheme (`https`) and the host against an allow-list first.",
        fix='Parse the URL with `urllib.parse.urlsplit`, require `scheme == "https"` and an '
        "allowed host, or use an HTTP client that only speaks HTTP(S) (requests, httpx).",
        bad=(
            "from urllib.request import urlopen\n\n\ndef fetch(url):\n"
            "    return urlopen(url).read()\n"
        ),
        good=(
            "from urllib.request import urlopen\n\n\ndef fetch():\n"
            '    return urlopen("https://example.com/feed").read()\n'
        ),
    ),
    rule(
        CLEARTEXT,
        "cleartext-protocol",
        "warning",
        "high",
        319,
        summary="A Telnet or FTP client sends credentials and data in clear text.",
        details="Reported for `telnetlib.Telnet` and `ftplib.FTP` (not `FTP_TLS`).",
        message="{callee} speaks {protocol} in clear text: passwords and data can be read on "
        "the way. Use SSH (paramiko) or SFTP / `ftplib.FTP_TLS`.",
        fix="Use `paramiko` (SSH, SFTP) or `ftplib.FTP_TLS` with `prot_p()`.",
        bad="import ftplib\n\nftp = ftplib.FTP(HOST)\n",
        good="import ftplib\n\nftp = ftplib.FTP_TLS(HOST)\nftp.prot_p()\n",
    ),
    rule(
        BIND_ALL,
        "bind-all-interfaces",
        "info",
        "medium",
        1327,
        summary="A server listens on every network interface.",
        details=(
            'Reported for `"0.0.0.0"` / `"::"` as a `host=`, `bind=`, `address=` ... '
            "keyword, as the address given to `bind()`, `create_server()`, `run()`, `serve()`, "
            "and assigned to a name like `HOST` / `bind` (a `host:port` string too)."
        ),
        message="`{address}` listens on every interface, including public ones. Bind to "
        "`127.0.0.1` unless the service is meant to be reachable, and then put it behind a "
        "firewall.",
        fix="Bind to `127.0.0.1` (or a specific interface) and make the public address a "
        "deliberate, configured choice.",
        bad='from app import app\n\napp.run(host="0.0.0.0", port=8000)\n',
        good='from app import app\n\napp.run(host="127.0.0.1", port=8000)\n',
    ),
    rule(
        UNPINNED_DOWNLOAD,
        "unpinned-model-download",
        "warning",
        "medium",
        494,
        summary="A model or data set is downloaded from the Hugging Face Hub without a pinned "
        "revision.",
        details=(
            "Reported for `from_pretrained` of transformers / diffusers / peft / "
            "sentence-transformers classes, `hf_hub_download`, `snapshot_download` and "
            "`datasets.load_dataset` without `revision=` (medium), or with a literal revision "
            'that is not a commit hash such as `"main"` (low). A local path (`./model`) is not '
            "reported; a revision given as an expression is trusted."
        ),
        message="{callee} downloads `{repo}` {how}: the repository's owner (or whoever takes it "
        "over) changes what you load, and weights can carry code. Pin `revision=` to a commit "
        "hash.",
        fix='Pass `revision="<40-hex commit>"` and update it deliberately.',
        bad=(
            'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/model")\n'
        ),
        good=(
            'from transformers import AutoModel\n\nREVISION = "4c2e8f3b9a7d6e5f4a3b2c1d0e9f8a7b"\n'
            'model = AutoModel.from_pretrained("org/model", revision=REVISION)\n'
        ),
    ),
    rule(
        BIDI_CONTROL,
        "bidirectional-control-character",
        "error",
        "high",
        838,
        summary="The source contains a Unicode bidirectional control character (Trojan Source).",
        details=(
            "Reported for every embedding, override and isolate control (U+202A-U+202E, "
            "U+2066-U+2069) and the LRM / RLM marks anywhere in the file, comments and strings "
            "included: editors display the code in an order that differs from what Python runs "
            "(CVE-2021-42574)."
        ),
        message="{codepoint} {name} reorders how this line is displayed: the code that runs is "
        "not the code you see. Remove it (write `\\u{hex}` in a string if it is really needed).",
        fix='Delete the character; where a string needs it, write it as an escape (`"\\u202e"`).',
        bad='access = "user\u202e \u2066# admin\u2069 \u2066"\n',
        good='access = "user"  # admin\n',
    ),
    rule(
        INSECURE_SNMP,
        "insecure-snmp",
        "warning",
        "high",
        319,
        summary="SNMP v1 / v2c or SNMPv3 without authentication and privacy is used.",
        details=(
            "Reported for pysnmp's `CommunityData` with `mpModel=0` (v1) or `1` / missing "
            "(v2c): the community string travels in clear text; and for `UsmUserData` without "
            "an authentication and a privacy key (noAuthNoPriv / authNoPriv)."
        ),
        message="{callee} uses {how}: credentials and data travel in clear text. Use SNMPv3 with "
        "`authKey` and `privKey` (authPriv).",
        fix="`UsmUserData(user, authKey, privKey, authProtocol=usmHMACSHAAuthProtocol, "
        "privProtocol=usmAesCfb128Protocol)`.",
        bad='from pysnmp.hlapi import CommunityData\n\nauth = CommunityData("public", mpModel=0)\n',
        good=(
            "from pysnmp.hlapi import UsmUserData\n\n"
            'auth = UsmUserData("admin", AUTH_KEY, PRIV_KEY)\n'
        ),
    ),
    rule(
        IPMI,
        "ipmi-pyghmi",
        "warning",
        "medium",
        319,
        summary="IPMI is used through pyghmi.",
        details=(
            "Reported on imports of `pyghmi`: IPMI's authentication is weak (RAKP hashes can be "
            "cracked offline) and many BMCs accept cipher zero."
        ),
        message="`{module}` speaks IPMI, whose authentication can be broken offline. Use the "
        "BMC's Redfish API over HTTPS, on an isolated management network.",
        fix="Prefer Redfish over HTTPS; keep IPMI, if it must stay, on an isolated network with "
        "cipher suite 0 disabled.",
        bad="from pyghmi.ipmi import command\n",
        good="import redfish\n",
    ),
    rule(
        HTTPOXY,
        "cgi-httpoxy",
        "warning",
        "high",
        284,
        summary="A CGI handler exposes the application to httpoxy.",
        details=(
            "Reported for `wsgiref.handlers.CGIHandler` and twisted's `CGIScript` / "
            "`CGIDirectory`: under CGI a request's `Proxy:` header becomes the `HTTP_PROXY` "
            "environment variable, and HTTP clients then send outgoing requests through the "
            "attacker's proxy."
        ),
        message="{callee} runs the application under CGI, where a `Proxy:` request header "
        "becomes `HTTP_PROXY` (httpoxy). Serve it with a WSGI server instead.",
        fix="Run the WSGI application with a WSGI server (gunicorn, uWSGI, mod_wsgi); if CGI "
        "stays, drop the `Proxy` header in the web server.",
        bad=(
            "from wsgiref.handlers import CGIHandler\n\nfrom app import app\n\n"
            "CGIHandler().run(app)\n"
        ),
        good='from app import app\n\nif __name__ == "__main__":\n    app.run()\n',
    ),
)
