"""Security API knowledge: which callees matter and where their arguments are.

These tables say *which* callees matter and *where* their interesting arguments are (as bandit's
``blacklists/calls.py`` does); what makes a value bad (weak algorithms, minimum work factors,
safe loaders) is the rules' judgement and lives in ``auditls.rules``. The security extractors
declare the tables they read, and the pre-filter derives from them which files they must see;
the watch sets below (``CODE_WATCH``...) are derived from the tables too, never written by hand.

Every key is a qualified name as ``Context.qualname`` resolves it: ``subprocess.run``,
``builtins.input``, ``tarfile.open.extractall`` (a method of what ``tarfile.open()`` returned).
Flask's own entries (its auth decorators, the request object, Flask-WTF) are in
``auditls.knowledge.flask``; the extractors that work across frameworks read both.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditls.knowledge.common import AuthSpec


@dataclass(frozen=True, slots=True)
class Arg:
    """Where an argument of a call is: its positional index and the keywords that may name it."""

    position: int | None
    keywords: tuple[str, ...] = ()


# -- value sources ------------------------------------------------------------------------------

#: Qualified-name prefixes of values an attacker controls (``SOURCES`` "request"), beside
#: Flask's request object (``knowledge.flask.REQUEST``).
REQUEST_PREFIXES: tuple[str, ...] = (
    "quart.request",
    "bottle.request",
    "builtins.input",
    "sys.argv",
)

#: Calls whose result cannot carry attacker text, in any category (numbers, lengths, hashes).
SAFE_CALLS: frozenset[str] = frozenset(
    {
        "builtins.int", "builtins.float", "builtins.bool", "builtins.len", "builtins.abs",
        "builtins.round", "builtins.hash", "builtins.id", "builtins.ord", "uuid.uuid4",
        "uuid.uuid1", "time.time", "os.getpid",
    }
)  # fmt: skip

#: Calls that make a value safe for one category of sink only.
SANITIZERS: dict[str, frozenset[str]] = {
    "shlex.quote": frozenset({"command"}),
    "pipes.quote": frozenset({"command"}),
    "shlex.join": frozenset({"command"}),
    "html.escape": frozenset({"template"}),
    "markupsafe.escape": frozenset({"template"}),
    "django.utils.html.escape": frozenset({"template"}),
    "django.utils.html.format_html": frozenset({"template"}),
    # HTML that is escaped, sanitised or rendered by an autoescaping engine
    **{
        name: frozenset({"template"})
        for name in (
            "django.utils.html.conditional_escape",
            "django.utils.html.format_html_join",
            "django.utils.html.escapejs",
            "django.utils.html.json_script",
            "django.utils.html.strip_tags",
            "django.template.loader.render_to_string",
            "django.shortcuts.render_to_string",
            "flask.render_template",
            "flask.templating.render_template",
            "markupsafe.Markup.escape",
            "jinja2.escape",
            "bleach.clean",
            "bleach.linkify",
            "nh3.clean",
        )
    },
    # SQL identifiers and literals composed by the driver
    "psycopg.sql.Identifier": frozenset({"sql"}),
    "psycopg.sql.Literal": frozenset({"sql"}),
    "psycopg.sql.Placeholder": frozenset({"sql"}),
    "psycopg2.sql.Identifier": frozenset({"sql"}),
    "psycopg2.sql.Literal": frozenset({"sql"}),
    "psycopg2.sql.Placeholder": frozenset({"sql"}),
    "psycopg2.extensions.quote_ident": frozenset({"sql"}),
    "sqlalchemy.sql.elements.quoted_name": frozenset({"sql"}),
}

#: Methods (on any object: a connection, its ``ops``, a schema editor, a dialect's preparer) or
#: functions bound to one (``quote_name = connection.ops.quote_name``, Django's ``qn =
#: compiler.quote_name_unless_alias``) that quote an SQL
#: identifier: their result is safe in SQL text (AUD113).
SQL_IDENTIFIER_QUOTERS: frozenset[str] = frozenset(
    {"quote_name", "_quote_name", "quote_name_unless_alias", "quote_identifier",
     "format_identifier", "quote_ident", "quote_schema", "format_table", "format_column"}
)  # fmt: skip


#: Checks that reject bad input when they fail (``if not x.isdigit(): abort(400)``): taint guards
#: (``extractors.taint``). Methods of the checked string whose truth means "only safe characters".
VALIDATION_METHODS: frozenset[str] = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier"}
)
#: Regular-expression calls that check a whole value: ``re.fullmatch(pattern, x)``.
VALIDATION_MATCHERS: frozenset[str] = frozenset({"re.fullmatch", "re.match"})
#: The same, called on a compiled pattern of any type: ``PATTERN.fullmatch(x)``.
VALIDATION_PATTERN_METHODS: frozenset[str] = frozenset({"fullmatch", "match"})
#: Calls that never return: a guard's body may end with one of these (or Flask's ``abort``).
EXIT_CALLS: frozenset[str] = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit"})


# -- code execution (extract_eval_exec_usage) ----------------------------------------------------

#: AUD101: callee -> the argument holding the code.
DYNAMIC_CODE_CALLS: dict[str, Arg] = {
    "builtins.eval": Arg(0),  # eval(source, /, globals, locals)
    "builtins.exec": Arg(0),  # exec(source, /, globals, locals, *, closure)
    "builtins.compile": Arg(0, ("source",)),  # compile(source, filename, mode, ...)
}

#: AUD105: callee -> the argument naming the module.
DYNAMIC_IMPORT_CALLS: dict[str, Arg] = {
    "builtins.__import__": Arg(0, ("name",)),
    "importlib.import_module": Arg(0, ("name",)),
    "importlib.__import__": Arg(0, ("name",)),
}

#: AUD106: logging.config.listen(port, verify=None): the verify argument.
LOGGING_LISTEN_CALLS: dict[str, Arg] = {"logging.config.listen": Arg(1, ("verify",))}


# -- commands (extract_subprocess_calls) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShellCall:
    """A function that can run its command through a shell."""

    command: Arg  # the command argument
    shell: Arg | None  # the argument that switches the shell on; None: always a shell


#: Popen(args, bufsize, executable, stdin, stdout, stderr, preexec_fn, close_fds, shell, ...);
#: run/call/check_call/check_output pass their arguments on to it.
_POPEN_LIKE = ShellCall(Arg(0, ("args",)), Arg(8, ("shell",)))
_ALWAYS = ShellCall(Arg(0, ("cmd", "command")), None)
#: Text typed into an interactive shell (paramiko's ``Channel.send(s)``).
_TYPED = ShellCall(Arg(0, ("s",)), None)
_SSH_CLIENTS = ("paramiko.SSHClient", "paramiko.client.SSHClient")
_SSH_TRANSPORTS = ("paramiko.Transport", "paramiko.transport.Transport")
_SSH_CHANNELS = ("paramiko.Channel", "paramiko.channel.Channel")

#: AUD102: callee -> where its command and its shell switch are.
SHELL_CALLS: dict[str, ShellCall] = {
    "subprocess.run": _POPEN_LIKE,
    "subprocess.call": _POPEN_LIKE,
    "subprocess.check_call": _POPEN_LIKE,
    "subprocess.check_output": _POPEN_LIKE,
    "subprocess.Popen": _POPEN_LIKE,
    "subprocess.getoutput": _ALWAYS,
    "subprocess.getstatusoutput": _ALWAYS,
    "os.system": _ALWAYS,
    "os.popen": _ALWAYS,
    "os.popen2": _ALWAYS,
    "os.popen3": _ALWAYS,
    "os.popen4": _ALWAYS,
    "asyncio.create_subprocess_shell": _ALWAYS,
    "asyncio.subprocess.create_subprocess_shell": _ALWAYS,
    "commands.getoutput": _ALWAYS,
    "commands.getstatusoutput": _ALWAYS,
    "popen2.popen2": _ALWAYS,
    "popen2.popen3": _ALWAYS,
    "popen2.popen4": _ALWAYS,
    "popen2.Popen3": _ALWAYS,
    "popen2.Popen4": _ALWAYS,
    # The remote side runs the string through the user's login shell: exec_command of the
    # client or of a channel (``transport.open_session()``), and what is typed into the
    # interactive shell ``invoke_shell()`` opens (``chan.send(cmd)``).
    **{f"{client}.exec_command": _ALWAYS for client in _SSH_CLIENTS},
    **{f"{client}.get_transport.open_session.exec_command": _ALWAYS for client in _SSH_CLIENTS},
    **{f"{transport}.open_session.exec_command": _ALWAYS for transport in _SSH_TRANSPORTS},
    **{f"{channel}.exec_command": _ALWAYS for channel in _SSH_CHANNELS},
    **{f"{client}.invoke_shell.{send}": _TYPED for client in _SSH_CLIENTS
       for send in ("send", "sendall")},
}  # fmt: skip

#: AUD107 / AUD108: functions that start a program without a shell -> the program argument.
#: For the subprocess functions the program is the first element of the argument list.
EXEC_CALLS: dict[str, Arg] = {
    **{f"os.{name}": Arg(0, ("path", "file")) for name in (
        "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
        "posix_spawn", "posix_spawnp",
    )},
    **{f"os.{name}": Arg(1, ("path", "file")) for name in (
        "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe",
    )},
}  # fmt: skip

#: AUD108: functions whose command names a program to look up on PATH (args as list or string).
PROGRAM_CALLS: dict[str, Arg] = {
    **{name: spec.command for name, spec in SHELL_CALLS.items() if not name.startswith("paramiko")},
    "asyncio.create_subprocess_exec": Arg(0, ("program",)),
    "asyncio.subprocess.create_subprocess_exec": Arg(0, ("program",)),
    **EXEC_CALLS,
}


# -- deserialization, XML, markup, URLs (extract_dangerous_calls) --------------------------------

#: AUD104: callee -> the argument holding the serialized data (or the file it is read from).
DESERIALIZATION_CALLS: dict[str, Arg] = {
    **{f"{mod}.{fn}": Arg(0) for mod in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
       for fn in ("load", "loads", "Unpickler")},
    "marshal.load": Arg(0),
    "marshal.loads": Arg(0),
    "shelve.open": Arg(0, ("filename",)),
    "shelve.DbfilenameShelf": Arg(0, ("filename",)),
    "jsonpickle.decode": Arg(0, ("string",)),
    "jsonpickle.loads": Arg(0, ("string",)),
    "jsonpickle.unpickler.decode": Arg(0, ("string",)),
    "pandas.read_pickle": Arg(0, ("filepath_or_buffer",)),
    "joblib.load": Arg(0, ("filename",)),
    "torch.load": Arg(0, ("f",)),
    "numpy.load": Arg(0, ("file",)),
}  # fmt: skip


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

_ET = ("xml.etree.ElementTree", "xml.etree.cElementTree")
#: AUD110: XML parsing functions of the standard library and lxml -> the document argument.
XML_PARSE_CALLS: dict[str, Arg] = {
    **{f"{m}.{fn}": Arg(0, ("source", "text")) for m in _ET
       for fn in ("parse", "fromstring", "XML", "iterparse", "fromstringlist", "XMLID")},
    **{f"xml.dom.{m}.{fn}": Arg(0, ("file", "string")) for m in ("minidom", "pulldom")
       for fn in ("parse", "parseString")},
    "xml.dom.expatbuilder.parse": Arg(0, ("file",)),
    "xml.dom.expatbuilder.parseString": Arg(0, ("string",)),
    "xml.sax.parse": Arg(0, ("source",)),
    "xml.sax.parseString": Arg(0, ("string",)),
    **{f"lxml.{m}.{fn}": Arg(0, ("source", "text")) for m in ("etree", "objectify")
       for fn in ("parse", "fromstring", "XML", "iterparse", "fromstringlist", "XMLID")},
}  # fmt: skip

#: AUD110: where the XML functions take their parser: one passed explicitly is judged by its
#: own configuration (AUD111), not by the function's default (``xml.sax`` takes a handler).
XML_PARSER_ARGS: dict[str, Arg] = {
    name: Arg(1, ("parser",)) for name in XML_PARSE_CALLS if not name.startswith("xml.sax.")
}

#: AUD111: lxml parser classes whose resolve_entities=True expands external entities.
LXML_PARSERS: frozenset[str] = frozenset({"lxml.etree.XMLParser", "lxml.etree.XMLPullParser"})

#: AUD111: SAX features that make a parser fetch external entities when switched on with
#: ``parser.setFeature(feature, True)``: the names in ``xml.sax.handler`` and their URIs.
SAX_EXTERNAL_FEATURES: frozenset[str] = frozenset(
    {"xml.sax.handler.feature_external_ges", "xml.sax.handler.feature_external_pes",
     "http://xml.org/sax/features/external-general-entities",
     "http://xml.org/sax/features/external-parameter-entities"}
)  # fmt: skip

#: AUD309: text a file must contain for its asserts to be read as access checks (each word of
#: ``heuristics.ACCESS_CHECK_NAME`` contains one of these).
ACCESS_ASSERT_FRAGMENTS: tuple[str, ...] = (
    "is_authenticated", "is_admin", "is_superuser", "is_staff", "is_owner", "is_logged_in",
    "authorized", "has_perm", "has_role", "has_access", "check_perm", "check_access",
    "permissions", "roles", "owner",
)  # fmt: skip

#: Modules whose use makes the standard XML parsers safe (defusedxml), by import target prefix.
DEFUSEDXML_PREFIX = "defusedxml"

#: AUD112: modules that parse XML from the network without defusedxml's patch.
XMLRPC_MODULES: tuple[str, ...] = ("xmlrpc", "xmlrpclib", "SimpleXMLRPCServer")

#: AUD115: functions that compile their argument as a template -> the source argument.
TEMPLATE_SOURCE_CALLS: dict[str, Arg] = {
    "flask.render_template_string": Arg(0, ("source",)),
    "flask.templating.render_template_string": Arg(0, ("source",)),
    "jinja2.Template": Arg(0, ("source",)),
    "jinja2.Environment.from_string": Arg(0, ("source",)),
    "django.template.Template": Arg(0, ("template_string",)),
    "mako.template.Template": Arg(0, ("text",)),
}

#: AUD116: functions that mark their argument as safe markup -> the markup argument.
MARKUP_CALLS: dict[str, Arg] = {
    "django.utils.safestring.mark_safe": Arg(0, ("s",)),
    "django.utils.safestring.SafeString": Arg(0),
    "django.utils.safestring.SafeText": Arg(0),
    "markupsafe.Markup": Arg(0, ("base",)),
    "flask.Markup": Arg(0, ("base",)),
    "jinja2.Markup": Arg(0, ("base",)),
}

#: AUD126: functions that open a URL -> the URL argument.
URL_OPEN_CALLS: dict[str, Arg] = {
    "urllib.request.urlopen": Arg(0, ("url",)),
    "urllib.request.urlretrieve": Arg(0, ("url",)),
    "urllib.request.Request": Arg(0, ("url",)),
    "urllib.urlopen": Arg(0, ("url",)),
    "urllib.urlretrieve": Arg(0, ("url",)),
    "urllib2.urlopen": Arg(0, ("url",)),
    "six.moves.urllib.request.urlopen": Arg(0, ("url",)),
    **{f"urllib.request.{cls}.{fn}": Arg(0, ("fullurl", "url"))
       for cls in ("URLopener", "FancyURLopener") for fn in ("open", "retrieve")},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Watch:
    """A call recorded in ``python_dangerous_calls``: its category and its watched argument."""

    category: str  # code | command | deserialization | xml | template | network
    role: str  # what the argument is: code | module | command | program | data | source | url
    arg: Arg


def _watch(category: str, role: str, table: dict[str, Arg]) -> dict[str, Watch]:
    return {name: Watch(category, role, arg) for name, arg in table.items()}


#: The calls each recorder writes to ``python_dangerous_calls``, by extractor.
CODE_WATCH: dict[str, Watch] = {
    **_watch("code", "code", DYNAMIC_CODE_CALLS),
    **_watch("code", "module", DYNAMIC_IMPORT_CALLS),
}
COMMAND_WATCH: dict[str, Watch] = {
    **_watch("command", "command", {k: v.command for k, v in SHELL_CALLS.items()}),
    **_watch(
        "command", "program", {k: v for k, v in PROGRAM_CALLS.items() if k not in SHELL_CALLS}
    ),
}
OTHER_WATCH: dict[str, Watch] = {
    **_watch("deserialization", "data", DESERIALIZATION_CALLS),
    **_watch("deserialization", "data", {k: Arg(0, ("stream",)) for k in YAML_LOAD_CALLS}),
    **_watch("xml", "source", XML_PARSE_CALLS),
    **_watch("template", "source", TEMPLATE_SOURCE_CALLS),
    **_watch("template", "markup", MARKUP_CALLS),
    **_watch("network", "url", URL_OPEN_CALLS),
}


# -- files (extract_file_operations) -------------------------------------------------------------

#: AUD117: tarfile extraction methods; the value of ``tarfile.open()`` is a TarFile.
TAR_EXTRACT_CALLS: frozenset[str] = frozenset(
    f"{base}.{method}"
    for base in ("tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open",
                 "tarfile.TarFile.taropen", "tarfile.TarFile.gzopen", "tarfile.TarFile.bz2open",
                 "tarfile.TarFile.xzopen")
    for method in ("extractall", "extract")
)  # fmt: skip

#: AUD118: zipfile extraction methods -> the destination argument.
ZIP_EXTRACT_CALLS: dict[str, Arg] = {
    "zipfile.ZipFile.extractall": Arg(0, ("path",)),
    "zipfile.ZipFile.extract": Arg(1, ("path",)),
}

#: AUD119: functions that return a temporary file *name* (the file is created later, racily).
MKTEMP_CALLS: frozenset[str] = frozenset({"tempfile.mktemp", "os.tempnam", "os.tmpnam"})

#: AUD121: chmod-like functions -> the mode argument.
CHMOD_CALLS: dict[str, Arg] = {
    "os.chmod": Arg(1, ("mode",)),
    "os.lchmod": Arg(1, ("mode",)),
    "os.fchmod": Arg(1, ("mode",)),
    "pathlib.Path.chmod": Arg(0, ("mode",)),
    "pathlib.Path.lchmod": Arg(0, ("mode",)),
}

#: The values of the ``stat`` module's permission constants, for modes written with them.
STAT_BITS: dict[str, int] = {
    "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000,
    "S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100,
    "S_IRWXG": 0o070, "S_IRGRP": 0o040, "S_IWGRP": 0o020, "S_IXGRP": 0o010,
    "S_IRWXO": 0o007, "S_IROTH": 0o004, "S_IWOTH": 0o002, "S_IXOTH": 0o001,
    "S_IREAD": 0o400, "S_IWRITE": 0o200, "S_IEXEC": 0o100,
}  # fmt: skip

#: AUD120: directories every user on the machine can write to.
SHARED_TEMP_DIRS: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: S108 (data)


# -- SQL (extract_sql_queries) ------------------------------------------------------------------

#: Methods that run SQL on an object of any type (DB-API cursors, connections, sessions) ->
#: the query argument and the bound-parameters argument.
SQL_METHODS: dict[str, tuple[Arg, Arg]] = {
    "execute": (
        Arg(0, ("sql", "query", "operation", "statement")),
        Arg(1, ("parameters", "params", "args", "vars")),
    ),
    "executemany": (
        Arg(0, ("sql", "query", "operation")),
        Arg(1, ("seq_of_parameters", "params", "vars_list")),
    ),
    "executescript": (Arg(0, ("sql_script", "sql")), Arg(None)),
    "raw": (Arg(0, ("raw_query",)), Arg(1, ("params",))),
    # SQLAlchemy: a connection's driver-level SQL, a Query's textual statement.
    "exec_driver_sql": (Arg(0, ("statement",)), Arg(1, ("parameters",))),
    "from_statement": (Arg(0, ("statement",)), Arg(None)),
}

#: Functions that take SQL text -> (sink name, query argument, bound-parameters argument).
SQL_FUNCTIONS: dict[str, tuple[str, Arg, Arg]] = {
    "sqlalchemy.text": ("text", Arg(0, ("text",)), Arg(None)),
    "sqlalchemy.sql.text": ("text", Arg(0, ("text",)), Arg(None)),
    "sqlalchemy.sql.expression.text": ("text", Arg(0, ("text",)), Arg(None)),
    **{
        f"{m}.literal_column": ("text", Arg(0, ("text",)), Arg(None))
        for m in ("sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression")
    },
    "django.db.models.expressions.RawSQL": ("rawsql", Arg(0, ("sql",)), Arg(1, ("params",))),
    "django.db.models.RawSQL": ("rawsql", Arg(0, ("sql",)), Arg(1, ("params",))),
    "pandas.read_sql": ("read_sql", Arg(0, ("sql",)), Arg(None, ("params",))),
    "pandas.read_sql_query": ("read_sql", Arg(0, ("sql",)), Arg(None, ("params",))),
    "psycopg2.sql.SQL": ("sql", Arg(0, ("string",)), Arg(None)),
    "psycopg.sql.SQL": ("sql", Arg(0, ("string",)), Arg(None)),
}

#: Django's QuerySet.extra(): a method on any object, recognised by its keywords (below).
SQL_EXTRA_METHODS: frozenset[str] = frozenset({"extra"})
#: Django QuerySet.extra(): the keywords whose strings are SQL fragments.
SQL_EXTRA_KEYWORDS: frozenset[str] = frozenset({"where", "select", "tables", "order_by"})
#: Every keyword of QuerySet.extra(): a call using only these is taken for Django's extra().
SQL_EXTRA_SIGNATURE: frozenset[str] = SQL_EXTRA_KEYWORDS | {"params", "select_params"}


# -- JWT (extract_jwt_operations) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JwtCall:
    """A JWT encode or decode function."""

    library: str  # pyjwt | python-jose | authlib
    operation: str  # encode | decode
    key: Arg  # the signing / verification key
    algorithms: Arg  # algorithms= (decode, a list) or algorithm= (encode, a string)
    options: Arg | None  # options={...} (decode)


_PYJWT_DECODE = JwtCall(
    "pyjwt", "decode", Arg(1, ("key",)), Arg(None, ("algorithms",)), Arg(None, ("options",))
)
_PYJWT_ENCODE = JwtCall("pyjwt", "encode", Arg(1, ("key",)), Arg(2, ("algorithm",)), None)
_JOSE_DECODE = JwtCall(
    "python-jose", "decode", Arg(1, ("key",)), Arg(2, ("algorithms",)), Arg(3, ("options",))
)
_JOSE_ENCODE = JwtCall("python-jose", "encode", Arg(1, ("key",)), Arg(2, ("algorithm",)), None)

JWT_CALLS: dict[str, JwtCall] = {
    **{f"{m}.decode": _PYJWT_DECODE for m in ("jwt", "jwt.api_jwt", "jwt.PyJWT")},
    **{f"{m}.decode_complete": _PYJWT_DECODE for m in ("jwt", "jwt.api_jwt", "jwt.PyJWT")},
    **{f"{m}.encode": _PYJWT_ENCODE for m in ("jwt", "jwt.api_jwt", "jwt.PyJWT")},
    "jose.jwt.decode": _JOSE_DECODE,
    "jose.jwt.encode": _JOSE_ENCODE,
    "authlib.jose.jwt.decode": JwtCall("authlib", "decode", Arg(1, ("key",)), Arg(None), None),
    "authlib.jose.jwt.encode": JwtCall("authlib", "encode", Arg(2, ("key",)), Arg(None), None),
}  # fmt: skip


# -- password hashing (extract_password_hashing) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class KdfCall:
    """A password hash or key derivation function."""

    library: str
    algorithm: str | None  # fixed algorithm, or None when an argument names it
    algorithm_arg: Arg | None  # the argument naming the hash ("sha256", hashes.SHA256())
    work: Arg | None  # the work-factor argument
    work_name: str | None  # iterations | rounds | cost | n | memory_cost
    work_default: int | None  # the library's default when the argument is omitted
    salt: Arg | None  # the salt argument
    password: Arg | None  # the password argument


def _kdf(library: str, algorithm: str | None, **kw: object) -> KdfCall:
    return KdfCall(
        library=library,
        algorithm=algorithm,
        algorithm_arg=kw.get("algorithm_arg"),  # type: ignore[arg-type]
        work=kw.get("work"),  # type: ignore[arg-type]
        work_name=kw.get("work_name"),  # type: ignore[arg-type]
        work_default=kw.get("work_default"),  # type: ignore[arg-type]
        salt=kw.get("salt"),  # type: ignore[arg-type]
        password=kw.get("password"),  # type: ignore[arg-type]
    )


_CRYPTO_KDF = {
    f"{pkg}.Protocol.KDF.PBKDF2": _kdf(
        "pycryptodome", None, algorithm_arg=Arg(None, ("hmac_hash_module", "prf")),
        work=Arg(3, ("count",)), work_name="iterations", work_default=1000,
        salt=Arg(1, ("salt",)), password=Arg(0, ("password",)))
    for pkg in ("Crypto", "Cryptodome")
} | {
    f"{pkg}.Protocol.KDF.bcrypt": _kdf(
        "pycryptodome", "bcrypt", work=Arg(1, ("cost",)), work_name="rounds",
        salt=Arg(2, ("salt",)), password=Arg(0, ("password",)))
    for pkg in ("Crypto", "Cryptodome")
} | {
    f"{pkg}.Protocol.KDF.scrypt": _kdf(
        "pycryptodome", "scrypt", work=Arg(3, ("N",)), work_name="n",
        salt=Arg(1, ("salt",)), password=Arg(0, ("password",)))
    for pkg in ("Crypto", "Cryptodome")
}  # fmt: skip

KDF_CALLS: dict[str, KdfCall] = {
    "hashlib.pbkdf2_hmac": _kdf(
        "hashlib", None, algorithm_arg=Arg(0, ("hash_name",)), work=Arg(3, ("iterations",)),
        work_name="iterations", salt=Arg(2, ("salt",)), password=Arg(1, ("password",))),
    "hashlib.scrypt": _kdf(
        "hashlib", "scrypt", work=Arg(None, ("n",)), work_name="n", salt=Arg(None, ("salt",)),
        password=Arg(0, ("password",))),
    "bcrypt.gensalt": _kdf(
        "bcrypt", "bcrypt", work=Arg(0, ("rounds",)), work_name="rounds", work_default=12),
    "bcrypt.hashpw": _kdf(
        "bcrypt", "bcrypt", salt=Arg(1, ("salt",)), password=Arg(0, ("password",))),
    "bcrypt.kdf": _kdf(
        "bcrypt", "bcrypt_pbkdf", salt=Arg(1, ("salt",)), password=Arg(0, ("password",))),
    "werkzeug.security.generate_password_hash": _kdf(
        "werkzeug", None, algorithm_arg=Arg(1, ("method",)), password=Arg(0, ("password",))),
    "werkzeug.generate_password_hash": _kdf(
        "werkzeug", None, algorithm_arg=Arg(1, ("method",)), password=Arg(0, ("password",))),
    "flask_bcrypt.Bcrypt.generate_password_hash": _kdf(
        "flask_bcrypt", "bcrypt", work=Arg(1, ("rounds",)), work_name="rounds", work_default=12,
        password=Arg(0, ("password",))),
    "flask_bcrypt.generate_password_hash": _kdf(
        "flask_bcrypt", "bcrypt", work=Arg(1, ("rounds",)), work_name="rounds", work_default=12,
        password=Arg(0, ("password",))),
    "django.contrib.auth.hashers.make_password": _kdf(
        "django", None, algorithm_arg=Arg(2, ("hasher",)), salt=Arg(1, ("salt",)),
        password=Arg(0, ("password",))),
    "argon2.PasswordHasher": _kdf(
        "argon2", "argon2", work=Arg(1, ("memory_cost",)), work_name="memory_cost",
        work_default=65536),
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": _kdf(
        "cryptography", None, algorithm_arg=Arg(0, ("algorithm",)), work=Arg(3, ("iterations",)),
        work_name="iterations", salt=Arg(2, ("salt",))),
    "cryptography.hazmat.primitives.kdf.scrypt.Scrypt": _kdf(
        "cryptography", "scrypt", work=Arg(2, ("n",)), work_name="n", salt=Arg(0, ("salt",))),
    **_CRYPTO_KDF,
}  # fmt: skip

#: passlib: ``passlib.hash.<scheme>`` objects; ``.hash()`` / ``.using(rounds=...)`` calls.
PASSLIB_PREFIX = "passlib.hash."
PASSLIB_METHODS: frozenset[str] = frozenset({"hash", "encrypt", "using", "genconfig"})
#: The callees those make: ``<scheme>`` stands for any scheme name (``passlib.hash.bcrypt``).
PASSLIB_CALLS: frozenset[str] = frozenset(f"{PASSLIB_PREFIX}<scheme>.{m}" for m in PASSLIB_METHODS)
#: passlib.context.CryptContext(schemes=[...], default=..., <scheme>__rounds=...).
CRYPT_CONTEXTS: frozenset[str] = frozenset(
    {"passlib.context.CryptContext", "passlib.apps.CryptContext"}
)

#: Fast hash functions: a plain digest of a password is the "fast_hash" kind.
FAST_HASHES: dict[str, str] = {
    f"hashlib.{name}": name
    for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256",
                 "sha3_384", "sha3_512", "blake2b", "blake2s")
}  # fmt: skip


# -- crypto operations (extract_crypto_operations) ----------------------------------------------

_PYCRYPTO_HASHES = {"MD2": "MD2", "MD4": "MD4", "MD5": "MD5", "SHA": "SHA1", "SHA1": "SHA1",
                    "SHA224": "SHA224", "SHA256": "SHA256", "SHA384": "SHA384", "SHA512": "SHA512",
                    "RIPEMD": "RIPEMD160", "RIPEMD160": "RIPEMD160"}  # fmt: skip
_CRYPTOGRAPHY_HASHES = ("MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA512_224",
                        "SHA512_256", "SHA3_224", "SHA3_256", "SHA3_384", "SHA3_512", "SM3",
                        "BLAKE2b", "BLAKE2s")  # fmt: skip

#: Hash constructors -> algorithm (upper-case). hashlib.new takes the name as its argument.
HASH_CALLS: dict[str, str] = {
    **{f"hashlib.{n}": n.upper() for n in FAST_HASHES.values()},
    **{f"{pkg}.Hash.{m}.new": alg for pkg in ("Crypto", "Cryptodome")
       for m, alg in _PYCRYPTO_HASHES.items()},
    **{f"cryptography.hazmat.primitives.hashes.{n}": n.upper() for n in _CRYPTOGRAPHY_HASHES},
}  # fmt: skip
HASHLIB_NEW = "hashlib.new"

_PYCRYPTO_CIPHERS = {"DES": "DES", "DES3": "3DES", "ARC2": "RC2", "ARC4": "RC4",
                     "Blowfish": "BLOWFISH", "CAST": "CAST5", "XOR": "XOR", "AES": "AES",
                     "ChaCha20": "CHACHA20", "Salsa20": "SALSA20"}  # fmt: skip
_CRYPTOGRAPHY_CIPHERS = {"TripleDES": "3DES", "Blowfish": "BLOWFISH", "ARC4": "RC4",
                         "IDEA": "IDEA", "CAST5": "CAST5", "SEED": "SEED", "AES": "AES",
                         "AES128": "AES", "AES256": "AES", "Camellia": "CAMELLIA",
                         "ChaCha20": "CHACHA20", "SM4": "SM4", "RC2": "RC2"}  # fmt: skip

#: Cipher constructors -> (algorithm, the argument holding the mode or None).
CIPHER_CALLS: dict[str, tuple[str, Arg | None]] = {
    **{f"{pkg}.Cipher.{m}.new": (alg, Arg(1, ("mode",)) if alg not in ("RC4", "XOR") else None)
       for pkg in ("Crypto", "Cryptodome") for m, alg in _PYCRYPTO_CIPHERS.items()},
    **{f"cryptography.hazmat.{where}.ciphers.algorithms.{n}": (alg, None)
       for where in ("primitives", "decrepit") for n, alg in _CRYPTOGRAPHY_CIPHERS.items()},
    "pyDes.des": ("DES", Arg(1, ("mode",))),
    "pyDes.triple_des": ("3DES", Arg(1, ("mode",))),
}  # fmt: skip

#: Cipher constructors that use ECB when no mode is given: PyCrypto's ``Crypto.Cipher.X.new``
#: (PyCryptodome refuses a call without a mode) and pyDes.
ECB_BY_DEFAULT: frozenset[str] = frozenset(
    [f"Crypto.Cipher.{m}.new" for m, alg in _PYCRYPTO_CIPHERS.items() if alg not in ("RC4", "XOR")]
    + ["pyDes.des", "pyDes.triple_des"]
)

#: Cipher mode constructors and constants -> mode name.
CIPHER_MODES: dict[str, str] = {
    **{f"cryptography.hazmat.primitives.ciphers.modes.{m}": m.upper()
       for m in ("ECB", "CBC", "CFB", "CFB8", "OFB", "CTR", "GCM", "XTS")},
    **{f"{pkg}.Cipher.{c}.MODE_{m}": m for pkg in ("Crypto", "Cryptodome")
       for c in _PYCRYPTO_CIPHERS for m in ("ECB", "CBC", "CFB", "OFB", "CTR", "OPENPGP", "CCM",
                                             "EAX", "SIV", "GCM", "OCB")},
    "pyDes.ECB": "ECB",
    "pyDes.CBC": "CBC",
}  # fmt: skip
#: pycryptodome's mode constants as integers (MODE_ECB == 1), for modes written as numbers.
PYCRYPTO_MODE_NUMBERS: dict[int, str] = {1: "ECB", 2: "CBC", 3: "CFB", 5: "OFB", 6: "CTR",
                                         7: "OPENPGP", 8: "CCM", 9: "EAX", 10: "SIV", 11: "GCM",
                                         12: "OCB"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class KeyGen:
    """A key-pair generator: the argument holding its size or curve."""

    library: str
    algorithm: str  # RSA | DSA | EC
    size: Arg | None  # key size in bits
    curve: Arg | None  # the curve (an object, a class or a name)
    default_size: int | None = None  # the size when the argument is omitted


KEYGEN_CALLS: dict[str, KeyGen] = {
    "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key": KeyGen(
        "cryptography", "RSA", Arg(1, ("key_size",)), None),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": KeyGen(
        "cryptography", "DSA", Arg(0, ("key_size",)), None),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_parameters": KeyGen(
        "cryptography", "DSA", Arg(0, ("key_size",)), None),
    "cryptography.hazmat.primitives.asymmetric.ec.generate_private_key": KeyGen(
        "cryptography", "EC", None, Arg(0, ("curve",))),
    **{f"{pkg}.PublicKey.RSA.generate": KeyGen("pycryptodome", "RSA", Arg(0, ("bits",)), None)
       for pkg in ("Crypto", "Cryptodome")},
    **{f"{pkg}.PublicKey.DSA.generate": KeyGen("pycryptodome", "DSA", Arg(0, ("bits",)), None)
       for pkg in ("Crypto", "Cryptodome")},
    **{f"{pkg}.PublicKey.ECC.generate": KeyGen("pycryptodome", "EC", None, Arg(None, ("curve",)))
       for pkg in ("Crypto", "Cryptodome")},
    "paramiko.RSAKey.generate": KeyGen("paramiko", "RSA", Arg(0, ("bits",)), None),
    "paramiko.DSSKey.generate": KeyGen("paramiko", "DSA", Arg(0, ("bits",)), None, 1024),
    "paramiko.dsskey.DSSKey.generate": KeyGen("paramiko", "DSA", Arg(0, ("bits",)), None, 1024),
}  # fmt: skip

#: Elliptic curves by upper-cased name (class name or string) -> size in bits.
CURVE_BITS: dict[str, int] = {
    "SECP192R1": 192, "PRIME192V1": 192, "P-192": 192, "P192": 192, "NIST P-192": 192,
    "SECT163K1": 163, "SECT163R2": 163, "SECP224R1": 224, "P-224": 224, "P224": 224,
    "SECT233K1": 233, "SECT233R1": 233, "SECP256K1": 256, "SECP256R1": 256, "P-256": 256,
    "P256": 256, "PRIME256V1": 256, "NIST P-256": 256, "SECP384R1": 384, "P-384": 384,
    "P384": 384, "SECP521R1": 521, "P-521": 521, "P521": 521, "BRAINPOOLP256R1": 256,
    "BRAINPOOLP384R1": 384, "BRAINPOOLP512R1": 512, "SECT283K1": 283, "SECT283R1": 283,
    "SECT409K1": 409, "SECT409R1": 409, "SECT571K1": 571, "SECT571R1": 571,
    "ED25519": 256, "ED448": 448, "CURVE25519": 256,
}  # fmt: skip

#: The ``random`` module's generator functions (and methods of ``random.Random()``).
RANDOM_FUNCTIONS: frozenset[str] = frozenset(
    f"{base}.{fn}"
    for base in ("random", "random.Random")
    for fn in ("random", "randint", "randrange", "choice", "choices", "sample", "shuffle",
               "getrandbits", "randbytes", "uniform", "triangular")
)  # fmt: skip


# -- auth and CSRF (extract_auth_decorators, extract_csrf_protection) ----------------------------


_DJ = "django.contrib.auth"
#: Decorators (resolved; the callee when the decorator is called) -> what they require (Django,
#: DRF; Flask's extensions' are ``knowledge.flask.AUTH_DECORATORS``).
AUTH_DECORATORS: dict[str, AuthSpec] = {
    f"{_DJ}.decorators.login_required": AuthSpec("login", "django"),
    f"{_DJ}.decorators.permission_required": AuthSpec("permission", "django"),
    f"{_DJ}.decorators.user_passes_test": AuthSpec("test", "django"),
    "django.contrib.admin.views.decorators.staff_member_required": AuthSpec("staff", "django"),
    "rest_framework.decorators.permission_classes": AuthSpec("permission_classes", "drf"),
    "rest_framework.decorators.authentication_classes": AuthSpec("authentication_classes", "drf"),
}  # fmt: skip

#: Base classes that require authentication -> what they require, and the class attribute that
#: lists the permissions.
AUTH_MIXINS: dict[str, tuple[AuthSpec, str | None]] = {
    f"{_DJ}.mixins.LoginRequiredMixin": (AuthSpec("login", "django"), None),
    f"{_DJ}.mixins.PermissionRequiredMixin": (
        AuthSpec("permission", "django"),
        "permission_required",
    ),
    f"{_DJ}.mixins.UserPassesTestMixin": (AuthSpec("test", "django"), "test_func"),
}

#: Class attributes (of DRF views) that name permission / authentication classes.
AUTH_CLASS_ATTRIBUTES: dict[str, AuthSpec] = {
    "permission_classes": AuthSpec("permission_classes", "drf"),
    "authentication_classes": AuthSpec("authentication_classes", "drf"),
}

#: Django's decorator adapter for class-based views: method_decorator(dec, name="dispatch").
METHOD_DECORATOR = "django.utils.decorators.method_decorator"

#: CSRF decorators -> (action, framework).
CSRF_DECORATORS: dict[str, tuple[str, str]] = {
    "django.views.decorators.csrf.csrf_exempt": ("exempt", "django"),
    "django.views.decorators.csrf.csrf_protect": ("protect", "django"),
    "django.views.decorators.csrf.requires_csrf_token": ("protect", "django"),
    "django.views.decorators.csrf.ensure_csrf_cookie": ("protect", "django"),
}
