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
- **Sinks** (``SINKS``, in ``sinks.py`` beside this module) match the resolved callee exactly.
  A method on a receiver of unknown type (``cur.execute(...)`` where ``cur`` came from a
  helper) falls back on ``SINK_METHODS`` by the method's name, at a lower confidence
  (``sink_for`` says which matched). A ``Sink`` names the arguments that matter
  (``Sink.takes``); ``RETURN_SINKS`` and ``ITEM_SINKS`` are the sinks that are not calls (a
  view's return value, ``session[key] = value``).
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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from auditls.knowledge.taint.rules import RULE_KINDS as RULE_KINDS
from auditls.knowledge.taint.rules import SINK_KINDS as SINK_KINDS
from auditls.knowledge.taint.rules import TAINT_RULES as TAINT_RULES
from auditls.knowledge.taint.rules import TaintRule as TaintRule
from auditls.knowledge.taint.rules import rule_for as rule_for
from auditls.knowledge.taint.sinks import (
    _DJANGO_RESPONSES,
    _LOGGER_SUFFIXES,
    _RESPONSE_CLASSES,
)
from auditls.knowledge.taint.sinks import (
    ITEM_SINKS as ITEM_SINKS,
)
from auditls.knowledge.taint.sinks import (
    RETURN_SINKS as RETURN_SINKS,
)
from auditls.knowledge.taint.sinks import (
    SINK_METHODS as SINK_METHODS,
)
from auditls.knowledge.taint.sinks import (
    SINKS as SINKS,
)
from auditls.knowledge.taint.sinks import (
    Sink as Sink,
)

if TYPE_CHECKING:
    from auditls.config import TaintConfig


@dataclass(frozen=True, slots=True)
class Source:
    """Where attacker-controlled values come from."""

    kind: str  # "request", "argv", "input", "environ", "file" (SOURCE_KINDS)
    confidence: str  # "high" for request data, "medium" for argv/input, "low" for environ/files
    label: str  # how messages name it: "request data (`request.args`)"


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


# -- what the framework models make sources of (``auditls.models``) -----------------------------

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
