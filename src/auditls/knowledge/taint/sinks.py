"""Taint knowledge, the sinks: callees by kind (``SINKS``), methods on receivers of unknown type
(``SINK_METHODS``), and the sinks that are not calls (``RETURN_SINKS``, ``ITEM_SINKS``).
``auditls.knowledge.taint`` re-exports them and says how they are matched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sink:
    """A place where a tainted value does harm, and which of a call's arguments matter.

    ``positions`` are 0-based positional indexes and ``keywords`` the names that may pass the
    same parameter. Both empty means *any* argument, unless ``receiver`` is set: then only the
    object the method is called on matters (``Path(name).read_text()``). ``Sink.takes`` answers
    for one argument.
    """

    kind: str  # "sql", "command", "code", "path", "xss", "redirect", "ssrf",
    # "deserialization", "xxe", "ldap", "xpath", "header", "log", "session", "cookie", "regex",
    # "template" (SINK_KINDS)
    positions: tuple[int, ...]  # argument positions that matter (0-based); () = any
    keywords: tuple[str, ...]  # keywords that matter
    receiver: bool = False  # the object the method is called on matters

    @property
    def any_argument(self) -> bool:
        """Every argument matters (no position or keyword named, not a receiver-only sink)."""
        return not self.positions and not self.keywords and not self.receiver

    def takes(self, position: int | None, keyword: str | None) -> bool:
        """Whether the argument at ``position`` (``None`` or -1: a keyword argument) named
        ``keyword`` (``"*"`` for ``*args``, ``"**"`` for ``**kwargs``) reaches the sink."""
        if self.any_argument:
            return True
        if keyword == "*":  # *args may fill any position
            return bool(self.positions)
        if keyword == "**":  # **kwargs may fill any keyword
            return bool(self.keywords)
        if keyword is not None:
            return keyword in self.keywords
        return position is not None and position in self.positions


def _sinks(kind: str, names: Iterable[str], *positions: int, keywords: tuple[str, ...] = (),
           receiver: bool = False) -> dict[str, Sink]:  # fmt: skip
    sink = Sink(kind, tuple(positions), keywords, receiver)
    return dict.fromkeys(names, sink)


# -- sinks --------------------------------------------------------------------------------------

#: DB-API connections (what ``connect()`` returns, and the classes a typed parameter names):
#: ``conn.execute(...)`` and ``conn.cursor().execute(...)``.
_DB_CONNECTIONS = (
    "sqlite3.connect", "sqlite3.dbapi2.connect", "sqlite3.Connection", "psycopg2.connect",
    "psycopg2.extensions.connection", "psycopg.connect", "psycopg.Connection",
    "psycopg.Connection.connect", "pymysql.connect", "pymysql.connections.Connection",
    "MySQLdb.connect", "mysql.connector.connect", "pyodbc.connect", "oracledb.connect",
    "cx_Oracle.connect",
)  # fmt: skip
_DB_CURSORS = (
    *(f"{conn}.cursor" for conn in _DB_CONNECTIONS),
    "sqlite3.Cursor", "psycopg2.extensions.cursor", "psycopg.Cursor", "pymysql.cursors.Cursor",
)  # fmt: skip
_SQL_KEYWORDS = ("sql", "query", "operation", "statement")
#: SQLAlchemy's engines, connections and sessions, whose ``execute`` ran a plain string as SQL
#: before 2.0 (``text()`` around it is a sink of its own) and whose ``exec_driver_sql`` still
#: does: ``engine.execute(sql)``, ``with engine.connect() as conn: conn.execute(sql)``,
#: ``Session(engine).execute(sql)``, Flask-SQLAlchemy's ``db.session.execute(sql)``.
_SA_ENGINES = ("sqlalchemy.create_engine", "sqlalchemy.engine.create_engine",
               "sqlalchemy.engine.Engine", "flask_sqlalchemy.SQLAlchemy.engine",
               "flask_sqlalchemy.extension.SQLAlchemy.engine")  # fmt: skip
_SA_CONNECTIONS = (
    *_SA_ENGINES, *(f"{e}.{m}" for e in _SA_ENGINES for m in ("connect", "begin")),
    "sqlalchemy.engine.Connection", "sqlalchemy.engine.base.Connection",
)  # fmt: skip
_SA_SESSIONS = (
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session", "flask_sqlalchemy.SQLAlchemy.session",
    "flask_sqlalchemy.extension.SQLAlchemy.session",
)  # fmt: skip

_SQL_SINKS: dict[str, Sink] = {
    **_sinks("sql", (f"{db}.{m}" for db in _DB_CONNECTIONS + _DB_CURSORS
                     for m in ("execute", "executemany")), 0, keywords=_SQL_KEYWORDS),
    **_sinks("sql", (f"{db}.executescript" for db in _DB_CONNECTIONS + _DB_CURSORS), 0,
             keywords=("sql_script",)),
    **_sinks("sql", ("sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text",
                     "sqlalchemy.literal_column", "sqlalchemy.sql.literal_column",
                     "sqlalchemy.sql.expression.literal_column"), 0, keywords=("text",)),
    **_sinks("sql", (f"{c}.{m}" for c in (*_SA_CONNECTIONS, *_SA_SESSIONS)
                     for m in ("execute", "exec_driver_sql")), 0, keywords=("statement",)),
    **_sinks("sql", ("psycopg2.sql.SQL", "psycopg.sql.SQL"), 0, keywords=("string", "obj")),
    **_sinks("sql", ("django.db.models.RawSQL", "django.db.models.expressions.RawSQL"), 0,
             keywords=("sql",)),
    **_sinks("sql", ("pandas.read_sql", "pandas.read_sql_query"), 0, keywords=("sql",)),
    # Django: `connection.cursor().execute(sql)` (and `connections["db"]`); `Model.objects.raw`
    # and `extra` are SINK_METHODS (a manager's type is not known).
    **_sinks("sql", (f"{db}.cursor.{m}" for db in ("django.db.connection",
                                                    "django.db.connections")
                     for m in ("execute", "executemany")), 0, keywords=_SQL_KEYWORDS),
}  # fmt: skip

_POPEN = ("run", "call", "check_call", "check_output", "Popen")
_EXEC = ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
         "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp",
         "spawnvpe")  # fmt: skip
_COMMAND_SINKS: dict[str, Sink] = {
    **_sinks("command", (f"subprocess.{fn}" for fn in _POPEN), 0, keywords=("args",)),
    **_sinks("command", ("subprocess.getoutput", "subprocess.getstatusoutput"), 0,
             keywords=("cmd",)),
    **_sinks("command", ("os.system",), 0, keywords=("command",)),
    **_sinks("command", ("os.popen",), 0, keywords=("cmd",)),
    # The program and every argument it gets (argument injection: `-o`, `--exec`).
    **_sinks("command", (f"os.{fn}" for fn in _EXEC)),
    **_sinks("command", ("os.posix_spawn", "os.posix_spawnp"), 0, 1, keywords=("path", "argv")),
    **_sinks("command", ("asyncio.create_subprocess_shell",
                         "asyncio.subprocess.create_subprocess_shell"), 0, keywords=("cmd",)),
    **_sinks("command", ("asyncio.create_subprocess_exec",
                         "asyncio.subprocess.create_subprocess_exec")),
    **_sinks("command", ("pty.spawn",), 0, keywords=("argv",)),
    # The remote side runs the string through the user's login shell.
    **_sinks("command", ("paramiko.SSHClient.exec_command",
                         "paramiko.client.SSHClient.exec_command"), 0, keywords=("command",)),
}  # fmt: skip

_CODE_SINKS: dict[str, Sink] = {
    **_sinks("code", ("builtins.eval", "builtins.exec"), 0, keywords=("source",)),
    **_sinks("code", ("builtins.compile",), 0, keywords=("source",)),
    # Importing a module runs its code (and picks which code runs).
    **_sinks("code", ("importlib.import_module", "builtins.__import__"), 0, keywords=("name",)),
}  # fmt: skip

#: ``pathlib`` methods that touch the file system: the path is the receiver.
_PATH_METHODS = (
    "read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "rmdir", "mkdir",
    "touch", "iterdir", "chmod", "symlink_to", "hardlink_to",
)  # fmt: skip
_PATH_CLASSES = ("pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath")
_FLASK_OBJECTS = ("flask.Flask", "flask.Blueprint", "flask.current_app",
                  "flask.globals.current_app")  # fmt: skip
_PATH_SINKS: dict[str, Sink] = {
    **_sinks("path", ("builtins.open", "io.open", "io.FileIO"), 0, keywords=("file",)),
    **_sinks("path", ("codecs.open",), 0, keywords=("filename",)),
    **_sinks("path", (f"os.{fn}" for fn in ("open", "remove", "unlink", "rmdir", "mkdir",
                                            "listdir", "scandir", "chmod", "chown", "truncate",
                                            "readlink", "startfile")), 0, keywords=("path",)),
    **_sinks("path", ("os.removedirs", "os.makedirs"), 0, keywords=("name",)),
    **_sinks("path", ("os.walk",), 0, keywords=("top",)),
    **_sinks("path", (f"os.{fn}" for fn in ("rename", "renames", "replace", "link", "symlink")),
             0, 1, keywords=("src", "dst")),
    **_sinks("path", (f"shutil.{fn}" for fn in ("copy", "copy2", "copyfile", "copytree",
                                                "copymode", "copystat", "move")), 0, 1,
             keywords=("src", "dst")),
    **_sinks("path", ("shutil.rmtree", "shutil.chown"), 0, keywords=("path",)),
    **_sinks("path", ("shutil.unpack_archive",), 0, 1, keywords=("filename", "extract_dir")),
    **_sinks("path", ("shutil.make_archive",), 0, 2, 3,
             keywords=("base_name", "root_dir", "base_dir")),
    **_sinks("path", (f"{cls}.{m}" for cls in _PATH_CLASSES for m in _PATH_METHODS),
             receiver=True),
    **_sinks("path", (f"{cls}.{m}" for cls in _PATH_CLASSES for m in ("rename", "replace")),
             0, keywords=("target",), receiver=True),
    **_sinks("path", ("flask.send_file", "flask.helpers.send_file", "werkzeug.utils.send_file"),
             0, keywords=("path_or_file", "filename_or_fp")),
    **_sinks("path", (f"{m}.FileResponse" for m in ("fastapi.responses", "starlette.responses")),
             0, keywords=("path",)),
    # The file name is joined with `safe_join` (a `..` gives 404): only the directory matters.
    **_sinks("path", ("flask.send_from_directory", "flask.helpers.send_from_directory",
                      "werkzeug.utils.send_from_directory"), 0, keywords=("directory",)),
    **_sinks("path", (f"{obj}.open_resource" for obj in _FLASK_OBJECTS), 0,
             keywords=("resource",)),
    **_sinks("path", ("werkzeug.datastructures.FileStorage.save", "werkzeug.FileStorage.save"),
             0, keywords=("dst",)),
    **_sinks("path", ("tarfile.open", "tarfile.TarFile.open"), 0, keywords=("name",)),
    **_sinks("path", ("zipfile.ZipFile",), 0, keywords=("file",)),
    **_sinks("path", (f"{tar}.extractall" for tar in ("tarfile.open", "tarfile.TarFile",
                                                       "tarfile.TarFile.open")), 0,
             keywords=("path",)),
    **_sinks("path", (f"{tar}.extract" for tar in ("tarfile.open", "tarfile.TarFile",
                                                    "tarfile.TarFile.open")), 1,
             keywords=("path",)),
    **_sinks("path", ("zipfile.ZipFile.extractall",), 0, keywords=("path",)),
    **_sinks("path", ("zipfile.ZipFile.extract",), 1, keywords=("path",)),
}  # fmt: skip

_RESPONSE_CLASSES = ("flask.Response", "flask.wrappers.Response", "werkzeug.Response",
                     "werkzeug.wrappers.Response", "werkzeug.wrappers.response.Response",
                     "flask.Flask.response_class")  # fmt: skip
_DJANGO_RESPONSES = (
    "django.http.HttpResponse",
    "django.http.response.HttpResponse",
    "django.http.HttpResponseBadRequest",
    "django.http.HttpResponseNotFound",
    "django.http.HttpResponseForbidden",
    "django.http.HttpResponseServerError",
)
_XSS_SINKS: dict[str, Sink] = {
    **_sinks("xss", ("markupsafe.Markup", "flask.Markup", "jinja2.Markup"), 0,
             keywords=("base",)),
    **_sinks("xss", ("flask.make_response", "flask.helpers.make_response"), 0),
    **_sinks("xss", _RESPONSE_CLASSES, 0, keywords=("response",)),
    # Django: an HttpResponse's content is HTML unless content_type says otherwise
    # (SAFE_ARGUMENTS); JsonResponse encodes its data (not a sink).
    **_sinks("xss", _DJANGO_RESPONSES, 0, keywords=("content",)),
    **_sinks("xss", ("django.utils.safestring.mark_safe", "django.utils.safestring.SafeString",
                     "django.utils.safestring.SafeText"), 0, keywords=("s",)),
    # Starlette's HTMLResponse sends its content as HTML (JSONResponse, the default, does not).
    **_sinks("xss", (f"{m}.HTMLResponse" for m in
                     ("fastapi.responses", "starlette.responses")), 0, keywords=("content",)),
    # aiohttp: HTML only with content_type="text/html" (HTML_ONLY_WITH).
    **_sinks("xss", ("aiohttp.web.Response", "aiohttp.web_response.Response"), 0,
             keywords=("text", "body")),
    # format_html escapes its arguments, not its format string.
    **_sinks("xss", ("django.utils.html.format_html",), 0, keywords=("format_string",)),
}  # fmt: skip

_TEMPLATE_SINKS: dict[str, Sink] = {
    **_sinks("template", ("flask.render_template_string",
                          "flask.templating.render_template_string", "jinja2.Template",
                          "jinja2.environment.Template", "jinja2.Environment.from_string",
                          "jinja2.environment.Environment.from_string",
                          *(f"{obj}.jinja_env.from_string" for obj in _FLASK_OBJECTS)), 0,
             keywords=("source",)),
    **_sinks("template", ("mako.template.Template",), 0, keywords=("text",)),
    **_sinks("template", ("django.template.Template",), 0, keywords=("template_string",)),
}  # fmt: skip

_REDIRECT_SINKS: dict[str, Sink] = {
    **_sinks("redirect", ("flask.redirect", "flask.helpers.redirect", "werkzeug.redirect",
                          "werkzeug.utils.redirect"), 0, keywords=("location",)),
    # Django: redirect(to) also takes a view name or a model (a URL reversed: not a sink then,
    # but a request value there is a URL).
    **_sinks("redirect", ("django.shortcuts.redirect",), 0, keywords=("to",)),
    **_sinks("redirect", ("django.http.HttpResponseRedirect",
                          "django.http.HttpResponsePermanentRedirect",
                          "django.http.response.HttpResponseRedirect",
                          "django.http.response.HttpResponsePermanentRedirect"), 0,
             keywords=("redirect_to",)),
    **_sinks("redirect", (f"{m}.RedirectResponse" for m in
                          ("fastapi.responses", "starlette.responses")), 0, keywords=("url",)),
}  # fmt: skip

_HTTP_VERBS = ("get", "options", "head", "post", "put", "patch", "delete")
#: HTTP clients with ``get(url)``... and ``request(method, url)``: modules and client objects.
_HTTP_CLIENTS = (
    "requests", "requests.api", "requests.Session", "requests.session",
    "requests.sessions.Session", "httpx", "httpx.Client", "httpx.AsyncClient",
    "aiohttp.ClientSession", "aiohttp.client.ClientSession",
)  # fmt: skip
_SSRF_SINKS: dict[str, Sink] = {
    **_sinks("ssrf", (f"{c}.{verb}" for c in _HTTP_CLIENTS for verb in _HTTP_VERBS), 0,
             keywords=("url",)),
    **_sinks("ssrf", (f"{c}.request" for c in _HTTP_CLIENTS), 1, keywords=("url",)),
    **_sinks("ssrf", ("httpx.stream", "httpx.Client.stream", "httpx.AsyncClient.stream"), 1,
             keywords=("url",)),
    **_sinks("ssrf", ("aiohttp.request",), 1, keywords=("url",)),
    **_sinks("ssrf", ("aiohttp.ClientSession.ws_connect",), 0, keywords=("url",)),
    **_sinks("ssrf", ("urllib.request.urlopen", "urllib.request.Request",
                      "urllib.request.urlretrieve"), 0, keywords=("url",)),
    **_sinks("ssrf", ("urllib.request.build_opener.open",), 0, keywords=("fullurl",)),
    **_sinks("ssrf", (f"{pool}.{fn}" for pool in ("urllib3", "urllib3.PoolManager")
                      for fn in ("request", "urlopen")), 1, keywords=("url",)),
    **_sinks("ssrf", ("httplib2.Http.request",), 0, keywords=("uri",)),
    **_sinks("ssrf", ("http.client.HTTPConnection", "http.client.HTTPSConnection"), 0,
             keywords=("host",)),
    **_sinks("ssrf", ("socket.create_connection",), 0, keywords=("address",)),
}  # fmt: skip

_PICKLES = ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
_DESERIALIZATION_SINKS: dict[str, Sink] = {
    **_sinks("deserialization", (f"{m}.{fn}" for m in _PICKLES
                                 for fn in ("load", "loads", "Unpickler")), 0),
    **_sinks("deserialization", ("marshal.load", "marshal.loads"), 0),
    # `yaml.load` is safe with `Loader=yaml.SafeLoader` (AUD103 judges the loader).
    **_sinks("deserialization", (f"yaml.{fn}" for fn in (
        "load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all")), 0,
             keywords=("stream",)),
    **_sinks("deserialization", ("jsonpickle.decode", "jsonpickle.loads",
                                 "jsonpickle.unpickler.decode"), 0, keywords=("string",)),
    **_sinks("deserialization", ("shelve.open",), 0, keywords=("filename",)),
    **_sinks("deserialization", ("pandas.read_pickle",), 0, keywords=("filepath_or_buffer",)),
    **_sinks("deserialization", ("joblib.load",), 0, keywords=("filename",)),
}  # fmt: skip

_ET = ("xml.etree.ElementTree", "xml.etree.cElementTree")
#: XML parsers. The standard library expands internal entities (a "billion laughs" document
#: exhausts memory); lxml before 5.0 also resolved external ones. ``defusedxml``'s functions
#: are not sinks.
_XXE_SINKS: dict[str, Sink] = {
    **_sinks("xxe", (f"{m}.{fn}" for m in (*_ET, "lxml.etree")
                     for fn in ("fromstring", "XML", "parse", "iterparse", "fromstringlist",
                                "XMLID")), 0, keywords=("text", "source")),
    **_sinks("xxe", (f"xml.dom.{m}.{fn}" for m in ("minidom", "pulldom")
                     for fn in ("parse", "parseString")), 0, keywords=("file", "string")),
    **_sinks("xxe", ("xml.sax.parse", "xml.sax.parseString"), 0, keywords=("source", "string")),
}  # fmt: skip

#: Parsed XML documents and their root elements, as the semantic model names them.
_LXML_TREES = tuple(
    f"{fn}{root}"
    for fn in ("lxml.etree.parse", "lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.HTML",
               "lxml.etree.ElementTree", "lxml.etree.Element", "lxml.html.fromstring",
               "lxml.html.parse", "lxml.html.document_fromstring")
    for root in ("", ".getroot")
)  # fmt: skip
_ET_TREES = tuple(
    f"{m}.{fn}{root}"
    for m in _ET
    for fn in ("parse", "fromstring", "XML", "ElementTree", "Element")
    for root in ("", ".getroot")
)
_XPATH_SINKS: dict[str, Sink] = {
    **_sinks("xpath", ("lxml.etree.XPath", "lxml.etree.ETXPath"), 0, keywords=("path",)),
    **_sinks("xpath", (f"{tree}.xpath" for tree in _LXML_TREES), 0, keywords=("_path",)),
    # ElementPath, the XPath subset of ElementTree (and lxml).
    **_sinks("xpath", (f"{tree}.{fn}" for tree in _ET_TREES + _LXML_TREES
                       for fn in ("find", "findall", "findtext", "iterfind")), 0,
             keywords=("path",)),
}  # fmt: skip

_LDAP_OBJECTS = (
    "ldap.initialize", "ldap.ldapobject.LDAPObject", "ldap.ldapobject.SimpleLDAPObject",
    "ldap.ldapobject.ReconnectLDAPObject",
)  # fmt: skip
_LDAP_SEARCHES = ("search", "search_s", "search_st", "search_ext", "search_ext_s")
_LDAP_SINKS: dict[str, Sink] = {
    **_sinks("ldap", ("ldap3.Connection.search", "ldap3.core.connection.Connection.search"),
             0, 1, keywords=("search_base", "search_filter")),
    # python-ldap: search_s(base, scope, filterstr, ...).
    **_sinks("ldap", (f"{obj}.{fn}" for obj in _LDAP_OBJECTS for fn in _LDAP_SEARCHES), 0, 2,
             keywords=("base", "filterstr")),
}  # fmt: skip

_LOGGERS = ("logging", "logging.root", "logging.getLogger", "logging.Logger",
            "logging.LoggerAdapter", *(f"{obj}.logger" for obj in _FLASK_OBJECTS))  # fmt: skip
_LOG_METHODS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
                "log")  # fmt: skip
#: The message only: arguments passed beside it are the logging module's to format (lazily).
_LOG_SINKS: dict[str, Sink] = {
    **_sinks(
        "log",
        (f"{logger}.{m}" for logger in _LOGGERS for m in _LOG_METHODS if m != "log"),
        0,
        keywords=("msg",),
    ),
    **_sinks("log", (f"{logger}.log" for logger in _LOGGERS), 1, keywords=("msg",)),
}

#: ``<anything>.logger.<method>``: the ``logger`` of an object the model cannot type (a Flask
#: app bound in the workspace: ``app.logger.warning(...)``).
_LOGGER_SUFFIXES: dict[str, Sink] = {
    f".logger.{m}": Sink("log", (0,), ("msg",)) for m in _LOG_METHODS if m != "log"
}

_SESSIONS = ("flask.session", "flask.globals.session")
_OTHER_SINKS: dict[str, Sink] = {
    **_sinks("session", (f"{s}.update" for s in _SESSIONS)),
    **_sinks("session", (f"{s}.setdefault" for s in _SESSIONS), 1, keywords=("default",)),
    **_sinks("cookie", (f"{r}.set_cookie" for r in ("flask.make_response", *_RESPONSE_CLASSES)),
             0, 1, keywords=("key", "value")),
    # http.server does not reject a line break in a header (Werkzeug does).
    **_sinks("header", ("http.server.BaseHTTPRequestHandler.send_header",), 0, 1,
             keywords=("keyword", "value")),
    **_sinks("regex", (f"{m}.{fn}" for m in ("re", "regex")
                       for fn in ("compile", "match", "search", "fullmatch", "sub", "subn",
                                  "split", "findall", "finditer")), 0, keywords=("pattern",)),
}  # fmt: skip

#: Callees (resolved) -> the sink they are. ``sqlite3.connect.cursor.execute`` is the
#: ``execute`` method of what ``sqlite3.connect().cursor()`` returned.
SINKS: dict[str, Sink] = {
    **_SQL_SINKS,
    **_COMMAND_SINKS,
    **_CODE_SINKS,
    **_PATH_SINKS,
    **_XSS_SINKS,
    **_TEMPLATE_SINKS,
    **_REDIRECT_SINKS,
    **_SSRF_SINKS,
    **_DESERIALIZATION_SINKS,
    **_XXE_SINKS,
    **_XPATH_SINKS,
    **_LDAP_SINKS,
    **_LOG_SINKS,
    **_OTHER_SINKS,
}

#: Method names -> the sink, for a receiver of unknown type (a cursor from a helper, a Django
#: manager, an uploaded file); lower confidence. Only names that mean one thing across the
#: libraries in use: not ``search``, ``find``, ``open`` or ``get``.
SINK_METHODS: dict[str, Sink] = {
    "execute": Sink("sql", (0,), _SQL_KEYWORDS),
    "executemany": Sink("sql", (0,), _SQL_KEYWORDS),
    "executescript": Sink("sql", (0,), ("sql_script",)),
    "raw": Sink("sql", (0,), ("raw_query",)),  # Django: Model.objects.raw(sql, params)
    # SQLAlchemy: a connection's driver-level SQL; a Query's statement (a string before 2.0).
    "exec_driver_sql": Sink("sql", (0,), ("statement",)),
    "from_statement": Sink("sql", (0,), ("statement",)),
    # Django: QuerySet.extra(select, where, params, tables, order_by, select_params).
    "extra": Sink("sql", (0, 1, 3, 4), ("select", "where", "tables", "order_by")),
    "read_text": Sink("path", (), (), receiver=True),  # pathlib.Path and its kin
    "read_bytes": Sink("path", (), (), receiver=True),
    "write_text": Sink("path", (), (), receiver=True),
    "write_bytes": Sink("path", (), (), receiver=True),
    "save": Sink("path", (0,), ("dst",)),  # Werkzeug's FileStorage.save(dst)
    "xpath": Sink("xpath", (0,), ("_path",)),  # lxml
    "search_s": Sink("ldap", (0, 2), ("base", "filterstr")),  # python-ldap
    "search_st": Sink("ldap", (0, 2), ("base", "filterstr")),
    "search_ext": Sink("ldap", (0, 2), ("base", "filterstr")),
    "search_ext_s": Sink("ldap", (0, 2), ("base", "filterstr")),
    "set_cookie": Sink("cookie", (0, 1), ("key", "value")),
    "send_header": Sink("header", (0, 1), ("keyword", "value")),  # http.server
}

#: Return values that are sinks, by framework: a Flask view's string return value is the body
#: of an HTML response. (A dict or list return value is sent as JSON: the engine's judgement.)
RETURN_SINKS: dict[str, Sink] = {"flask": Sink("xss", (), ())}

#: Item stores into resolved objects -> the sink: ``session["role"] = value``.
ITEM_SINKS: dict[str, Sink] = dict.fromkeys(_SESSIONS, Sink("session", (), ()))
