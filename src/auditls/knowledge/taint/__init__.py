"""Taint knowledge as data: sources, sinks by kind, sanitizers per sink kind, propagators, rules.

What the taint engine (``auditls.taint``) knows about library APIs. Every key is a qualified
name as ``Context.qualname`` resolves it, so it matches ``CallFact.callee`` and the ``ref:``
inputs of ``FlowFact``: ``flask.request.args``, ``subprocess.run``, ``pathlib.Path.read_text``,
``sqlite3.connect.cursor.execute`` (a method of what ``sqlite3.connect().cursor()`` returned, as
the semantic model spells it), ``logging.getLogger.info``.

- **Sources** (``SOURCES``) match by prefix at a dot: ``flask.request.args`` is the source of
  ``flask.request.args``, ``flask.request.args.get`` (the result of ``request.args.get(...)``)
  and ``flask.request.args.to_dict``; the longest prefix wins. Route converters' parameters are
  sources too, found by the engine from the Flask model, not listed here.
- **Sinks** (``SINKS``) match the resolved callee exactly. A method on a receiver of unknown type
  (``cur.execute(...)`` where ``cur`` came from a helper) falls back on ``SINK_METHODS`` by the
  method's name, at a lower confidence (``sink_for`` says which matched). A ``Sink`` names the
  arguments that matter (``Sink.takes``); ``RETURN_SINKS`` and ``ITEM_SINKS`` are the sinks that
  are not calls (a view's return value, ``session[key] = value``).
- **Sanitizers** (``SANITIZERS``) clean a value for some sink kinds only (``html.escape`` for
  HTML, not for SQL); ``"*"`` cleans it for every kind (``int``, ``uuid.UUID``).
- **Propagation** (``propagates``): a library call's result carries its arguments' taint unless
  the callee is a non-propagator or a sanitizer; unknown callees propagate, so ``PROPAGATORS``
  lists the common ones explicitly (and lets a user's ``non-propagators`` never hide them).
  Methods (``str.join``, ``dict.get``, ``str.format``) propagate from their receiver by the
  engine's default.
- **Rules** (``TAINT_RULES``, in ``rules.py`` beside this module): one per sink kind,
  AUD501-515; ``log`` and ``cookie`` share AUD512 with ``header`` (``RULE_KINDS``).

``with_user_models`` layers the ``[tool.auditls.taint]`` entries of a workspace over these
defaults (``auditls.config.TaintConfig``); the functions at the bottom of this module answer for
the defaults alone. What the engine does with the answers (guards, allowlists, confidence from
the path) is the engine's; what a finding says is the rule's ``message``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from auditls.knowledge.taint.rules import RULE_KINDS as RULE_KINDS
from auditls.knowledge.taint.rules import SINK_KINDS as SINK_KINDS
from auditls.knowledge.taint.rules import TAINT_RULES as TAINT_RULES
from auditls.knowledge.taint.rules import TaintRule as TaintRule
from auditls.knowledge.taint.rules import rule_for as rule_for

if TYPE_CHECKING:
    from auditls.config import TaintConfig


@dataclass(frozen=True, slots=True)
class Source:
    """Where attacker-controlled values come from."""

    kind: str  # "request", "argv", "input", "environ", "file" (SOURCE_KINDS)
    confidence: str  # "high" for request data, "medium" for argv/input, "low" for environ/files
    label: str  # how messages name it: "request data (`request.args`)"


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


# -- sources ------------------------------------------------------------------------------------

#: Source kinds -> (default confidence, how a message names data of that kind).
SOURCE_KINDS: dict[str, tuple[str, str]] = {
    "request": ("high", "request data"),
    "argv": ("medium", "a command-line argument"),
    "input": ("medium", "console input"),
    "environ": ("low", "an environment variable"),
    "file": ("low", "data read from a file or socket"),
}

#: Flask's request object as imported, and the request classes a typed parameter may name.
_REQUEST_OBJECTS = (
    "flask.request", "flask.globals.request", "flask.Request", "flask.wrappers.Request",
    "werkzeug.Request", "werkzeug.wrappers.Request", "werkzeug.wrappers.request.Request",
)  # fmt: skip
#: Attributes (and methods) of a Werkzeug request whose value the client chooses. Left out:
#: ``method`` (routing limits it), ``remote_addr`` (the peer's address), ``accept_*`` (parsed,
#: looked up against the server's own lists), ``endpoint`` and ``blueprint`` (the server's).
_REQUEST_ATTRIBUTES = (
    "args", "form", "values", "json", "get_json", "data", "get_data", "files", "cookies",
    "headers", "environ", "path", "full_path", "url", "base_url", "url_root", "host_url",
    "root_url", "host", "script_root", "query_string", "view_args", "stream", "input_stream",
    "referrer", "user_agent", "authorization", "content_type", "mimetype", "mimetype_params",
    "origin", "access_route", "remote_user",
)  # fmt: skip

#: Django's request classes (a view's first parameter: the engine maps ``request.GET`` in a
#: Django view to ``django.http.HttpRequest.GET``), and DRF's.
_DJANGO_REQUESTS = ("django.http.HttpRequest", "django.http.request.HttpRequest",
                    "django.core.handlers.wsgi.WSGIRequest")  # fmt: skip
_DRF_REQUESTS = ("rest_framework.request.Request",)
#: Attributes (and methods) of a Django request whose value the client chooses. Left out:
#: ``method`` (routing limits it), ``user`` and ``session`` (the server's), ``resolver_match``.
_DJANGO_REQUEST_ATTRIBUTES = (
    "GET", "POST", "body", "COOKIES", "META", "FILES", "headers", "path", "path_info",
    "get_full_path", "get_full_path_info", "build_absolute_uri", "get_host", "read",
    "readline", "readlines", "content_type", "content_params", "get_signed_cookie",
)  # fmt: skip
#: Starlette's request (FastAPI re-exports it) and websocket, and what the client chooses of
#: them. Left out: ``method``, ``client`` (the peer's address), ``app``, ``state``, ``scope``.
_STARLETTE_REQUESTS = ("fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request",
                       "starlette.requests.HTTPConnection")  # fmt: skip
_STARLETTE_WEBSOCKETS = ("fastapi.WebSocket", "fastapi.websockets.WebSocket",
                         "starlette.websockets.WebSocket")  # fmt: skip
_STARLETTE_REQUEST_ATTRIBUTES = (
    "query_params", "path_params", "headers", "cookies", "url", "base_url", "json", "body",
    "form", "stream",
)  # fmt: skip
_STARLETTE_WEBSOCKET_ATTRIBUTES = (
    *_STARLETTE_REQUEST_ATTRIBUTES[:6], "receive", "receive_text", "receive_bytes",
    "receive_json", "iter_text", "iter_bytes", "iter_json",
)  # fmt: skip
#: aiohttp's request, and what the client chooses of it. Left out: ``method``, ``remote``,
#: ``transport``, ``app``, ``config_dict``, ``match_info.route``.
_AIOHTTP_REQUESTS = ("aiohttp.web.Request", "aiohttp.web.BaseRequest",
                     "aiohttp.web_request.Request", "aiohttp.web_request.BaseRequest")  # fmt: skip
_AIOHTTP_REQUEST_ATTRIBUTES = (
    "match_info", "query", "rel_url", "url", "path", "path_qs", "raw_path", "query_string",
    "headers", "raw_headers", "cookies", "host", "forwarded", "content", "post", "json", "text",
    "read", "multipart", "content_type", "charset", "if_modified_since", "if_match",
)  # fmt: skip
#: An attribute project middleware stored on the request from its own data
#: (``request.tenant = request.headers[...]``: ``auditls.models.django.taint``).
MIDDLEWARE_ATTRIBUTE = "django.http.HttpRequest.middleware_attribute"
#: Django and DRF class-based view bases (``self.kwargs``, ``self.request`` in their methods).
_DJANGO_VIEW_CLASSES = (
    "django.views.View", "django.views.generic.View", "django.views.generic.base.View",
    "rest_framework.views.APIView", "rest_framework.generics.GenericAPIView",
    "rest_framework.viewsets.ViewSet", "rest_framework.viewsets.GenericViewSet",
)  # fmt: skip

#: Qualified-name prefixes of values an attacker may control -> the source (longest prefix
#: wins: ``flask.request.args.get`` is the ``args`` source).
SOURCES: dict[str, Source] = {
    **{f"{obj}.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for obj in _REQUEST_OBJECTS for attr in _REQUEST_ATTRIBUTES},
    "sys.argv": Source("argv", "medium", "a command-line argument (`sys.argv`)"),
    "sys.orig_argv": Source("argv", "medium", "a command-line argument (`sys.orig_argv`)"),
    "argparse.ArgumentParser.parse_args": Source(
        "argv", "medium", "a command-line argument (`parse_args()`)"),
    "argparse.ArgumentParser.parse_known_args": Source(
        "argv", "medium", "a command-line argument (`parse_known_args()`)"),
    "builtins.input": Source("input", "medium", "console input (`input()`)"),
    "sys.stdin": Source("input", "medium", "console input (`sys.stdin`)"),
    "os.environ": Source("environ", "low", "an environment variable (`os.environ`)"),
    "os.environb": Source("environ", "low", "an environment variable (`os.environb`)"),
    "os.getenv": Source("environ", "low", "an environment variable (`os.getenv()`)"),
    "os.getenvb": Source("environ", "low", "an environment variable (`os.getenvb()`)"),
    **{f"{sock}.{method}": Source("file", "low", f"data read from a socket (`{method}()`)")
       for sock in ("socket.socket", "socket.create_connection")
       for method in ("recv", "recvfrom", "recvmsg", "makefile")},
    **{f"{obj}.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for obj in _DJANGO_REQUESTS for attr in _DJANGO_REQUEST_ATTRIBUTES},
    **{f"{obj}.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for obj in _DRF_REQUESTS for attr in (*_DJANGO_REQUEST_ATTRIBUTES, "data",
                                             "query_params", "stream")},
    # A Django view's URL kwargs (the engine finds them from the URL confs: `URL_KWARG`).
    "django.urls.ResolverMatch.kwargs": Source("request", "high",
                                                 "a URL kwarg (`<...>` in the URL conf)"),
    # A class-based view's URL kwargs (`self.kwargs`) and its request (`self.request.GET`).
    **{f"{view}.kwargs": Source("request", "high", "a URL kwarg (`self.kwargs`)")
       for view in _DJANGO_VIEW_CLASSES},
    **{f"{view}.request.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for view in _DJANGO_VIEW_CLASSES for attr in _DJANGO_REQUEST_ATTRIBUTES},
    **{f"{view}.request.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for view in _DJANGO_VIEW_CLASSES if view.startswith("rest_framework.")
       for attr in ("data", "query_params")},
    **{f"{obj}.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for obj in _STARLETTE_REQUESTS for attr in _STARLETTE_REQUEST_ATTRIBUTES},
    **{f"{obj}.{attr}": Source("request", "high", f"request data (`request.{attr}`)")
       for obj in _AIOHTTP_REQUESTS for attr in _AIOHTTP_REQUEST_ATTRIBUTES},
    MIDDLEWARE_ATTRIBUTE: Source(
        "request", "high", "request data a middleware stored on the request (`request.<attr>`)"),
    "fastapi.params": Source(
        "request", "high", "request data (a path, query or body parameter, `fastapi.params`)"),
    **{f"{obj}.{attr}": Source("request", "high", f"websocket data (`websocket.{attr}`)")
       for obj in _STARLETTE_WEBSOCKETS for attr in _STARLETTE_WEBSOCKET_ATTRIBUTES},
}  # fmt: skip

#: Sources that cannot attack some sink kinds -> those kinds. ``request.url`` and its kin start
#: with the site's own scheme and host (the requester chooses the Host header only for
#: themselves), so redirecting to them stays on the site: Flask's own upload example does
#: ``redirect(request.url)``. ``request.path`` and ``full_path`` are not here: ``//evil.example``
#: is a path.
HARMLESS_SOURCES: dict[str, frozenset[str]] = {
    **{f"{obj}.{attr}": frozenset({"redirect"})
       for obj in _REQUEST_OBJECTS
       for attr in ("url", "base_url", "url_root", "host_url", "root_url", "host")},
    # Django's host is checked against ALLOWED_HOSTS; the absolute URI is this site's own.
    **{f"{obj}.{attr}": frozenset({"redirect"})
       for obj in (*_DJANGO_REQUESTS, *_DRF_REQUESTS)
       for attr in ("get_host", "build_absolute_uri")},
}  # fmt: skip


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

#: A Flask view's route parameters read the URL: they are this source (``<name>``,
#: ``<path:name>``), except those of these converters, whose values are clean numbers and ids.
ROUTE_PARAMETER = "flask.request.view_args"
SAFE_CONVERTERS = frozenset({"int", "float", "uuid"})
#: A Django view's URL kwargs (``path("<str:slug>/", view)``) are this source; what each
#: converter or regex makes harmless is Django knowledge (``auditls.models.django.taint``).
URL_KWARG = "django.urls.ResolverMatch.kwargs"
#: A FastAPI path operation's parameters that FastAPI fills from the request (path, query,
#: body, header, cookie, form, file) are this source, except those it parses into harmless
#: types (``auditls.extractors.fastapi``).
OPERATION_PARAMETER = "fastapi.params"

#: Item stores into resolved objects -> the sink: ``session["role"] = value``.
ITEM_SINKS: dict[str, Sink] = dict.fromkeys(_SESSIONS, Sink("session", (), ()))


# -- sanitizers and propagation -----------------------------------------------------------------

_EVERY = frozenset({"*"})

#: Callees whose result is clean for some sink kinds -> those kinds ("*": every kind).
SANITIZERS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("builtins.int", "builtins.float", "builtins.bool", "builtins.complex",
                     "uuid.UUID", "decimal.Decimal"), _EVERY),
    **dict.fromkeys(("shlex.quote", "pipes.quote", "shlex.join"), frozenset({"command"})),
    **dict.fromkeys(("html.escape", "markupsafe.escape", "markupsafe.Markup.escape",
                     "flask.escape", "jinja2.escape", "werkzeug.utils.escape",
                     "django.utils.html.escape", "django.utils.html.conditional_escape",
                     "django.utils.html.strip_tags", "django.shortcuts.render",
                     "django.template.loader.render_to_string", "django.http.JsonResponse",
                     "django.template.response.TemplateResponse", "bleach.clean",
                     # Autoescaped templates and JSON responses.
                     "flask.render_template", "flask.templating.render_template",
                     "flask.jsonify", "flask.json.jsonify"), frozenset({"xss"})),
    **dict.fromkeys(("werkzeug.utils.secure_filename", "werkzeug.secure_filename",
                     "werkzeug.security.safe_join", "werkzeug.utils.safe_join",
                     "flask.safe_join", "flask.helpers.safe_join", "os.path.basename",
                     # Django's raises SuspiciousFileOperation outside the base directory.
                     "django.utils._os.safe_join",
                     "posixpath.basename", "ntpath.basename"), frozenset({"path"})),
    # A path of this site's own (`url_for("view", next=value)` quotes the value).
    **dict.fromkeys(("flask.url_for", "flask.helpers.url_for", "django.urls.reverse",
                     "django.shortcuts.resolve_url"), frozenset({"redirect"})),
    **dict.fromkeys(("django.utils.text.get_valid_filename",), frozenset({"path"})),
    **dict.fromkeys(("re.escape", "regex.escape"), frozenset({"regex"})),
    **dict.fromkeys(("ldap3.utils.conv.escape_filter_chars", "ldap.filter.escape_filter_chars",
                     "ldap.filter.filter_format", "ldap.dn.escape_dn_chars",
                     "ldap3.utils.dn.escape_rdn"), frozenset({"ldap"})),
    **dict.fromkeys(("psycopg2.sql.Identifier", "psycopg2.sql.Literal", "psycopg.sql.Identifier",
                     "psycopg.sql.Literal", "pymysql.converters.escape_string",
                     "MySQLdb.escape_string", "psycopg2.extensions.quote_ident"),
                    frozenset({"sql"})),
}  # fmt: skip

_BASE64 = ("b64encode", "b64decode", "urlsafe_b64encode", "urlsafe_b64decode",
           "standard_b64encode", "standard_b64decode", "b32encode", "b32decode", "b16encode",
           "b16decode", "b85encode", "b85decode", "a85encode", "a85decode", "encodebytes",
           "decodebytes")  # fmt: skip
_URLLIB_PARSE = ("quote", "quote_plus", "quote_from_bytes", "unquote", "unquote_plus",
                 "unquote_to_bytes", "urljoin", "urlencode", "urlparse", "urlsplit",
                 "urlunparse", "urlunsplit", "parse_qs", "parse_qsl", "urldefrag")  # fmt: skip

#: Library callees whose result carries their arguments' taint (unknown callees do too; these
#: are listed so a user's ``non-propagators`` cannot hide them by accident and for the docs).
PROPAGATORS: frozenset[str] = frozenset(
    {f"{m}.{fn}" for m in ("os.path", "posixpath", "ntpath")
     for fn in ("join", "abspath", "normpath", "realpath", "expanduser", "expandvars",
                "dirname", "relpath")}
    | {f"urllib.parse.{fn}" for fn in _URLLIB_PARSE}
    | {f"base64.{fn}" for fn in _BASE64}
    | {"json.loads", "json.dumps", "json.load", "binascii.hexlify", "binascii.unhexlify",
       "codecs.encode", "codecs.decode", "html.unescape", "shlex.split", "textwrap.dedent",
       "copy.copy", "copy.deepcopy", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
       "pathlib.PurePosixPath"}
    | {f"builtins.{fn}" for fn in ("str", "bytes", "bytearray", "list", "tuple", "dict", "set",
                                   "frozenset", "sorted", "reversed", "format", "repr", "iter",
                                   "next", "min", "max", "map", "filter", "zip", "enumerate")}
    | {"builtins.str.join", "builtins.str.format", "builtins.bytes.join"}
)  # fmt: skip

#: Methods that put their arguments into the sequence or set they are called on
#: (``items.append(value)`` makes ``items`` carry ``value``'s taint). Not ``dict.update``: a
#: dict of keyword arguments built that way would taint every keyword it is spread into.
CONTAINER_MUTATORS: frozenset[str] = frozenset(
    {"append", "extend", "insert", "add", "appendleft", "extendleft", "push", "put",
     "put_nowait", "update", "setdefault",
     # `conf.set("section", "key", value)` (configparser), `cache.set(key, value)`: what is
     # read back from the receiver carries it
     "set"}
)  # fmt: skip

#: Library callees whose result never carries taint (numbers, booleans, hashes, None).
NON_PROPAGATORS: frozenset[str] = frozenset(
    {f"builtins.{fn}" for fn in ("len", "isinstance", "issubclass", "hash", "id", "type",
                                 "print", "callable", "any", "all", "hasattr", "ord", "abs",
                                 "round", "divmod")}
    | {f"os.path.{fn}" for fn in ("exists", "lexists", "isfile", "isdir", "islink", "isabs",
                                  "ismount", "getsize", "getmtime", "getatime", "getctime",
                                  "samefile")}
    | {f"hashlib.{fn}" for fn in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512",
                                  "sha3_256", "sha3_512", "blake2b", "blake2s", "new")}
    | {"hmac.compare_digest", "secrets.compare_digest", "hmac.new", "zlib.crc32",
       "werkzeug.security.check_password_hash", "werkzeug.security.generate_password_hash",
       "django.utils.http.url_has_allowed_host_and_scheme", "django.utils.http.is_safe_url",
       # A row of the database looked up by the value (not the value): `get_object_or_404(
       # Product, slug=slug)`; queryset chains off a model's manager, likewise (the engine
       # learns them from the Django model).
       "django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404",
       "time.sleep"}
    # A file opened by a tainted name is a path problem (reported at `open`), not tainted
    # content: what is read from it is not the request's data.
    | {"builtins.open", "io.open", "codecs.open", "os.open", "os.fdopen"}
)  # fmt: skip

#: Methods whose result never carries their arguments' taint, whatever they are called on
#: (the receiver's type is rarely known): a model instance looked up by the value.
NON_PROPAGATING_METHODS: frozenset[str] = frozenset({
    "get_object_for_this_type",
    # SQLAlchemy (names no other common library uses): values bound as parameters, and the rows
    # a query fetches by them (`User.query.filter_by(email=email).first_or_404()`,
    # `text("... :id").bindparams(id=value)`): the database's data, not the value.
    "filter_by", "bindparams", "first_or_404", "get_or_404", "one_or_404", "scalar_one",
    "scalar_one_or_none", "one_or_none",
})  # fmt: skip

#: Arguments that make a sink call harmless, by sink callee: ``(keyword, position, values)``;
#: an argument passed by that keyword (or at that position, when it is not -1) is harmless
#: when it resolves to one of ``values`` (``yaml.SafeLoader``) or is a string literal that
#: starts with one (``"application/json"``: a response that is not HTML).
_SAFE_LOADERS = frozenset(
    f"yaml.{module}{name}" for module in ("", "loader.", "cyaml.")
    for name in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
)  # fmt: skip
_NOT_HTML = frozenset(
    {
        "application/json",
        "application/problem+json",
        "text/plain",
        "text/csv",
        "application/octet-stream",
        "application/pdf",
        "image/",
        "application/xml",
        "text/xml",
        "text/event-stream",
        "application/zip",
    }
)
SAFE_ARGUMENTS: Mapping[str, tuple[tuple[str, int, frozenset[str]], ...]] = {
    **{f"yaml.{fn}": (("Loader", 1, _SAFE_LOADERS),) for fn in ("load", "load_all")},
    **dict.fromkeys(_RESPONSE_CLASSES,
                    (("mimetype", -1, _NOT_HTML), ("content_type", -1, _NOT_HTML))),
    **dict.fromkeys(_DJANGO_RESPONSES, (("content_type", 1, _NOT_HTML),)),
}  # fmt: skip
#: The keywords and resolved names the engine reads call arguments for (``SAFE_ARGUMENTS``).
#: Sinks that send HTML only when an argument says so, by callee: ``(keyword, prefix)``
#: (aiohttp's ``web.Response(text=...)`` is ``text/plain`` unless ``content_type`` is HTML).
HTML_ONLY_WITH: Mapping[str, tuple[str, str]] = {
    f"{m}.Response": ("content_type", "text/html") for m in ("aiohttp.web", "aiohttp.web_response")
}
SAFE_KEYWORDS = frozenset(
    {k for entries in SAFE_ARGUMENTS.values() for k, _, _ in entries}
    | {k for k, _ in HTML_ONLY_WITH.values()}
)
SAFE_NAMES = frozenset(
    v for entries in SAFE_ARGUMENTS.values() for _, _, values in entries for v in values
)


# -- the models: defaults, and a workspace's own layered over them ------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Models:
    """The taint models one analysis uses: the defaults, or those with a workspace's entries
    layered over them (``with_user_models``)."""

    sources: Mapping[str, Source]
    sinks: Mapping[str, Sink]
    sink_methods: Mapping[str, Sink]
    sanitizers: Mapping[str, frozenset[str]]
    propagators: frozenset[str]
    non_propagators: frozenset[str]
    return_sinks: Mapping[str, Sink]
    item_sinks: Mapping[str, Sink]
    harmless_sources: Mapping[str, frozenset[str]]

    def source_for(self, qualname: str) -> Source | None:
        """The source a qualified name reads, by the longest prefix at a dot
        (``flask.request.args.get`` -> the ``args`` source); None when it is none."""
        return _longest_prefix(self.sources, qualname)

    def harmless(self, source: str, kind: str) -> bool:
        """Whether the value named ``source`` cannot attack sinks of ``kind``
        (``flask.request.url`` for a redirect)."""
        kinds = _longest_prefix(self.harmless_sources, source)
        return kinds is not None and kind in kinds

    def sink_for(self, callee: str | None, attr: str | None) -> tuple[Sink, bool] | None:
        """The sink a call is: by its resolved callee, else by its method name (``attr``) on a
        receiver of unknown type. The flag is True when the method name decided (lower
        confidence). A callee that resolves to a workspace function is the engine's to follow
        through its summary before asking here."""
        if callee is not None:
            sink = self.sinks.get(callee)
            if sink is not None:
                return sink, False
            at = callee.rfind(".logger.")
            sink = _LOGGER_SUFFIXES.get(callee[at:]) if at >= 0 else None
            if sink is not None:  # `app.logger.info(...)` on a workspace's Flask app
                return sink, True
        if attr is not None:
            sink = self.sink_methods.get(attr)
            if sink is not None:
                return sink, True
        return None

    def cleans(self, callee: str, kind: str) -> bool:
        """Whether ``callee``'s result is clean for sinks of ``kind``."""
        kinds = self.sanitizers.get(callee)
        return kinds is not None and ("*" in kinds or kind in kinds)

    def propagates(self, callee: str | None) -> bool:
        """Whether a library call's result carries its arguments' taint: True for the
        propagators and for unknown callees, False for the non-propagators and the sanitizers
        (a sanitizer's result carries the taint minus the kinds it cleans: ``cleans``)."""
        if callee is None:
            return True
        if callee.rpartition(".")[2] in NON_PROPAGATING_METHODS:
            return False
        return callee not in self.non_propagators and callee not in self.sanitizers


_T = TypeVar("_T")


def _longest_prefix(table: Mapping[str, _T], qualname: str) -> _T | None:
    name = qualname
    while True:
        found = table.get(name)
        if found is not None:
            return found
        dot = name.rfind(".")
        if dot < 0:
            return None
        name = name[:dot]


#: The built-in models.
DEFAULT_MODELS = Models(
    sources=SOURCES,
    sinks=SINKS,
    sink_methods=SINK_METHODS,
    sanitizers=SANITIZERS,
    propagators=PROPAGATORS,
    non_propagators=NON_PROPAGATORS,
    return_sinks=RETURN_SINKS,
    item_sinks=ITEM_SINKS,
    harmless_sources=HARMLESS_SOURCES,
)


@functools.lru_cache(maxsize=8)  # one Models per configuration: engines are kept per Models
def with_user_models(user: TaintConfig | None) -> Models:
    """The defaults with a workspace's ``[tool.auditls.taint]`` entries layered over them.

    A user's source, sink or method sink replaces a default of the same name; a sanitizer's
    kinds add to the default's; a propagator is taken out of the non-propagators and a
    non-propagator out of the propagators. The entries were checked by ``auditls.config``.
    """
    if user is None or user.empty:
        return DEFAULT_MODELS
    sources = dict(SOURCES)
    for src in user.sources:
        confidence = src.confidence or SOURCE_KINDS[src.kind][0]
        label = src.label or f"{SOURCE_KINDS[src.kind][1]} (`{src.name}`)"
        sources[src.name] = Source(src.kind, confidence, label)
    sinks = dict(SINKS)
    sink_methods = dict(SINK_METHODS)
    for snk in user.sinks:
        sink = Sink(snk.kind, snk.positions, snk.keywords, snk.receiver)
        if snk.name is not None:
            sinks[snk.name] = sink
        if snk.method is not None:
            sink_methods[snk.method] = sink
    sanitizers = dict(SANITIZERS)
    for san in user.sanitizers:
        sanitizers[san.name] = sanitizers.get(san.name, frozenset()) | san.kinds
    propagators = (PROPAGATORS - frozenset(user.non_propagators)) | frozenset(user.propagators)
    non_propagators = (NON_PROPAGATORS - frozenset(user.propagators)) | frozenset(
        user.non_propagators
    )
    return Models(
        sources=sources,
        sinks=sinks,
        sink_methods=sink_methods,
        sanitizers=sanitizers,
        propagators=propagators,
        non_propagators=non_propagators,
        return_sinks=RETURN_SINKS,
        item_sinks=ITEM_SINKS,
        harmless_sources=HARMLESS_SOURCES,
    )


# -- the defaults' answers ----------------------------------------------------------------------


def source_for(qualname: str) -> Source | None:
    """``Models.source_for`` on the defaults."""
    return DEFAULT_MODELS.source_for(qualname)


def sink_for(callee: str | None, attr: str | None) -> tuple[Sink, bool] | None:
    """``Models.sink_for`` on the defaults."""
    return DEFAULT_MODELS.sink_for(callee, attr)


def cleans(callee: str, kind: str) -> bool:
    """``Models.cleans`` on the defaults."""
    return DEFAULT_MODELS.cleans(callee, kind)


def propagates(callee: str | None) -> bool:
    """``Models.propagates`` on the defaults."""
    return DEFAULT_MODELS.propagates(callee)
