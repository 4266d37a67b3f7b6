"""The taint models (``auditls.knowledge.taint``): the tables hold together, the names are spelled
as the semantic model resolves them, the lookups answer as the engine expects, and
``[tool.auditls.taint]`` layers a workspace's own entries over the defaults."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path

import pytest

from auditls import config
from auditls.config import ConfigError, TaintConfig, config_from_table
from auditls.extractors import extract
from auditls.facts.core import AssignmentFact, CallFact
from auditls.knowledge import taint
from auditls.knowledge.taint import (
    DEFAULT_MODELS,
    HARMLESS_SOURCES,
    ITEM_SINKS,
    NON_PROPAGATORS,
    PROPAGATORS,
    RETURN_SINKS,
    RULE_KINDS,
    SANITIZERS,
    SINK_KINDS,
    SINK_METHODS,
    SINKS,
    SOURCE_KINDS,
    SOURCES,
    TAINT_RULES,
    Sink,
    cleans,
    propagates,
    rule_for,
    sink_for,
    source_for,
    with_user_models,
)

QUALNAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
ALL_SINKS = [*SINKS.values(), *SINK_METHODS.values(), *RETURN_SINKS.values(), *ITEM_SINKS.values()]


# -- the tables hold together -------------------------------------------------------------------


def test_rule_codes_are_unique_aud5xx_with_the_design_cwes() -> None:
    codes = [r.code for r in TAINT_RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"AUD5\d\d", code) for code in codes)
    assert {r.code: (r.sink_kind, r.cwe) for r in TAINT_RULES} == {
        "AUD501": ("sql", 89),
        "AUD502": ("command", 78),
        "AUD503": ("code", 95),
        "AUD504": ("path", 22),
        "AUD505": ("xss", 79),
        "AUD506": ("redirect", 601),
        "AUD507": ("ssrf", 918),
        "AUD508": ("deserialization", 502),
        "AUD509": ("session", 501),
        "AUD510": ("template", 1336),
        "AUD511": ("regex", 1333),
        "AUD512": ("header", 113),
        "AUD513": ("xpath", 643),
        "AUD514": ("ldap", 90),
        "AUD515": ("xxe", 611),
    }
    names = [r.name for r in TAINT_RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)


def test_severity_is_error_for_code_execution_kinds_only() -> None:
    errors = {"sql", "command", "code", "deserialization", "xxe"}
    for r in TAINT_RULES:
        assert r.severity == ("error" if r.sink_kind in errors else "warning"), r.code


def test_messages_name_source_and_sink_and_say_what_to_do() -> None:
    for r in TAINT_RULES:
        fields = {f for _, f, _, _ in string.Formatter().parse(r.message) if f is not None}
        assert fields == {"source", "sink"}, r.code
        text = r.message.format(source="request data (`request.args`)", sink="`f`")
        assert "request data" in text
        assert "`f`" in text
        assert r.fix.endswith(".")
        assert r.message.endswith(".")
        assert len(r.fix) > 40, r.code


def test_every_sink_kind_has_a_rule() -> None:
    used = {s.kind for s in ALL_SINKS}
    assert used == SINK_KINDS
    for kind in SINK_KINDS:
        assert rule_for(kind).code.startswith("AUD5")
    assert rule_for("log") is rule_for("header") is rule_for("cookie")
    assert set(RULE_KINDS.values()) <= {r.sink_kind for r in TAINT_RULES}
    with pytest.raises(KeyError, match="no taint rule for sink kind 'email'"):
        rule_for("email")


def test_vocabularies_match_the_configuration() -> None:
    # config sits below knowledge and keeps its own copy, for its error messages
    assert set(config.TAINT_SINK_KINDS) == SINK_KINDS
    assert set(config.TAINT_SOURCE_KINDS) == set(SOURCE_KINDS)
    assert {conf for conf, _ in SOURCE_KINDS.values()} <= set(config.CONFIDENCES)


def test_every_sanitizer_kind_exists() -> None:
    for callee, kinds in SANITIZERS.items():
        assert kinds, callee
        assert kinds <= SINK_KINDS | {"*"}, callee
        assert "*" not in kinds or kinds == {"*"}, callee


def test_sources_are_well_formed() -> None:
    for name, src in SOURCES.items():
        assert QUALNAME.match(name), name
        assert src.kind in SOURCE_KINDS, name
        assert src.confidence == SOURCE_KINDS[src.kind][0], name
        assert "`" in src.label, name
    for name, kinds in HARMLESS_SOURCES.items():
        assert name in SOURCES
        assert kinds <= SINK_KINDS


def test_names_are_qualified_and_tables_disjoint() -> None:
    for table in (SINKS, SANITIZERS):
        for name in table:
            assert QUALNAME.match(name), name
    for name in PROPAGATORS | NON_PROPAGATORS:
        assert QUALNAME.match(name), name
    assert all(re.fullmatch(r"[a-z_]+", m) for m in SINK_METHODS)
    assert not PROPAGATORS & NON_PROPAGATORS
    assert not set(SANITIZERS) & NON_PROPAGATORS
    # defusedxml parses safely: never a sink
    assert not [name for name in SINKS if name.startswith("defusedxml")]
    # too generic to be decided by a method name alone
    assert not {"search", "find", "findall", "open", "get", "run", "info"} & set(SINK_METHODS)


def test_sinks_name_their_arguments() -> None:
    for name, sink in SINKS.items():
        assert all(p >= 0 for p in sink.positions), name
        assert all(k.isidentifier() for k in sink.keywords), name
    assert SINKS["subprocess.run"].positions == (0,)
    assert SINKS["requests.request"].positions == (1,)  # request(method, url)
    assert SINKS["os.rename"].positions == (0, 1)


# -- Sink.takes ---------------------------------------------------------------------------------


def test_sink_takes_the_arguments_it_names() -> None:
    run = SINKS["subprocess.run"]
    assert run.takes(0, None)
    assert run.takes(-1, "args")
    assert not run.takes(1, None)
    assert not run.takes(-1, "shell")
    assert run.takes(-1, "*")
    assert run.takes(-1, "**")
    assert not SINKS["flask.make_response"].takes(-1, "**")  # make_response(*args)
    anything = SINKS["os.execv"]
    assert anything.any_argument
    assert anything.takes(3, None)
    assert anything.takes(-1, "env")
    receiver_only = SINKS["pathlib.Path.write_text"]
    assert receiver_only.receiver
    assert not receiver_only.any_argument
    assert not receiver_only.takes(0, None)
    assert not receiver_only.takes(-1, "data")
    rename = SINKS["pathlib.Path.rename"]
    assert rename.receiver
    assert rename.takes(0, None)


# -- lookups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualname", "kind", "attr"),
    [
        ("flask.request.args", "request", "args"),
        ("flask.request.args.get", "request", "args"),
        ("flask.globals.request.form.to_dict", "request", "form"),
        ("flask.request.get_json", "request", "get_json"),
        ("flask.request.view_args", "request", "view_args"),
        ("flask.request.headers.get", "request", "headers"),
        ("sys.argv", "argv", None),
        ("builtins.input", "input", None),
        ("os.environ", "environ", None),
        ("os.environ.get", "environ", None),
        ("os.getenv", "environ", None),
    ],
)
def test_source_for_longest_prefix(qualname: str, kind: str, attr: str | None) -> None:
    src = source_for(qualname)
    assert src is not None
    assert src.kind == kind
    if attr is not None:
        assert f"`request.{attr}`" in src.label
    assert src.confidence == {"request": "high", "argv": "medium", "input": "medium"}.get(
        kind, "low"
    )


@pytest.mark.parametrize(
    "qualname",
    ["flask.request", "flask.request.method", "flask.request.argsx", "os.path.join", "flask"],
)
def test_source_for_other_names(qualname: str) -> None:
    assert source_for(qualname) is None


def test_request_url_is_harmless_to_redirects_only() -> None:
    assert DEFAULT_MODELS.harmless("flask.request.url", "redirect")
    assert not DEFAULT_MODELS.harmless("flask.request.url", "xss")
    assert not DEFAULT_MODELS.harmless("flask.request.full_path", "redirect")
    assert not DEFAULT_MODELS.harmless("flask.request.args.get", "redirect")


@pytest.mark.parametrize(
    ("callee", "attr", "kind", "by_method"),
    [
        ("subprocess.run", "run", "command", False),
        ("os.system", "system", "command", False),
        ("sqlite3.connect.cursor.execute", "execute", "sql", False),
        ("myapp.db.get_db.execute", "execute", "sql", True),
        (None, "executemany", "sql", True),
        (None, "raw", "sql", True),
        ("sqlalchemy.text", None, "sql", False),
        ("builtins.eval", None, "code", False),
        ("builtins.open", None, "path", False),
        ("flask.send_file", None, "path", False),
        ("flask.send_from_directory", None, "path", False),
        ("pathlib.Path.read_text", "read_text", "path", False),
        (None, "read_text", "path", True),
        (None, "save", "path", True),
        ("markupsafe.Markup", None, "xss", False),
        ("flask.make_response", None, "xss", False),
        ("flask.render_template_string", None, "template", False),
        ("jinja2.Environment.from_string", "from_string", "template", False),
        ("flask.redirect", None, "redirect", False),
        ("requests.get", "get", "ssrf", False),
        ("requests.Session.post", "post", "ssrf", False),
        ("httpx.AsyncClient.get", "get", "ssrf", False),
        ("urllib.request.urlopen", "urlopen", "ssrf", False),
        ("pickle.loads", "loads", "deserialization", False),
        ("yaml.load", "load", "deserialization", False),
        ("lxml.etree.fromstring", "fromstring", "xxe", False),
        ("xml.dom.minidom.parseString", "parseString", "xxe", False),
        ("lxml.etree.XPath", "XPath", "xpath", False),
        ("lxml.etree.parse.xpath", "xpath", "xpath", False),
        ("ldap3.Connection.search", "search", "ldap", False),
        ("logging.info", "info", "log", False),
        ("logging.getLogger.warning", "warning", "log", False),
        ("flask.Flask.logger.error", "error", "log", False),
        ("flask.make_response.set_cookie", "set_cookie", "cookie", False),
        (None, "set_cookie", "cookie", True),
        ("re.compile", "compile", "regex", False),
        ("flask.session.update", "update", "session", False),
    ],
)
def test_sink_for(callee: str | None, attr: str | None, kind: str, by_method: bool) -> None:
    found = sink_for(callee, attr)
    assert found is not None
    sink, method = found
    assert (sink.kind, method) == (kind, by_method)


@pytest.mark.parametrize(
    ("callee", "attr"),
    [
        ("re.compile.search", "search"),  # a compiled pattern's search is not LDAP
        ("builtins.str.find", "find"),
        ("os.path.join", "join"),
        ("defusedxml.ElementTree.fromstring", "fromstring"),
        (None, None),
        (None, "open"),
    ],
)
def test_sink_for_other_calls(callee: str | None, attr: str | None) -> None:
    assert sink_for(callee, attr) is None


def test_non_call_sinks() -> None:
    assert RETURN_SINKS["flask"].kind == "xss"
    assert ITEM_SINKS["flask.session"].kind == "session"


@pytest.mark.parametrize(
    ("callee", "kind", "clean"),
    [
        ("builtins.int", "sql", True),
        ("builtins.int", "xss", True),
        ("uuid.UUID", "path", True),
        ("shlex.quote", "command", True),
        ("shlex.quote", "sql", False),
        ("html.escape", "xss", True),
        ("markupsafe.escape", "xss", True),
        ("html.escape", "sql", False),
        ("werkzeug.utils.secure_filename", "path", True),
        ("werkzeug.security.safe_join", "path", True),
        ("os.path.basename", "path", True),
        ("os.path.basename", "command", False),
        ("re.escape", "regex", True),
        ("ldap3.utils.conv.escape_filter_chars", "ldap", True),
        ("flask.url_for", "redirect", True),
        ("os.path.join", "path", False),
        ("myapp.clean", "xss", False),
    ],
)
def test_cleans(callee: str, kind: str, clean: bool) -> None:
    assert cleans(callee, kind) is clean


@pytest.mark.parametrize(
    ("callee", "expected"),
    [
        ("os.path.join", True),
        ("urllib.parse.urljoin", True),
        ("json.loads", True),
        ("base64.b64decode", True),
        ("builtins.str", True),
        ("pathlib.Path", True),
        ("copy.deepcopy", True),
        ("some.unknown.function", True),
        (None, True),
        ("builtins.len", False),
        ("builtins.isinstance", False),
        ("os.path.exists", False),
        ("hashlib.sha256", False),
        ("builtins.int", False),
        ("html.escape", False),  # a sanitizer: its result is clean for its kinds (cleans)
    ],
)
def test_propagates(callee: str | None, expected: bool) -> None:
    assert propagates(callee) is expected


# -- the names are spelled as the semantic model resolves them ----------------------------------

IDIOMS = """\
import os, pickle, sqlite3, subprocess, logging, re
from pathlib import Path
import requests, yaml
from lxml import etree
from flask import Flask, request, send_file, redirect, make_response, render_template_string
from markupsafe import Markup

app = Flask(__name__)
log = logging.getLogger(__name__)
args = request.args
name = request.args.get("name")
data = request.get_json()
home = os.environ.get("HOME")
argv = os.getenv("X")


@app.route("/")
def view():
    conn = sqlite3.connect("app.db")
    cur = conn.cursor()
    cur.execute("SELECT * FROM t WHERE name = '%s'" % name)  # sink: sql
    conn.execute(name)  # sink: sql
    with conn.cursor() as c:
        c.executemany(name, [])  # sink: sql
    subprocess.run(name, shell=True)  # sink: command
    os.system(name)  # sink: command
    eval(name)  # sink: code
    open("/srv/" + name)  # sink: path
    Path(name).read_text()  # sink: path
    (Path("base") / name).write_bytes(b"")  # sink: path method
    request.files["f"].save(os.path.join("up", name))  # sink: path method
    send_file(os.path.join("base", name))  # sink: path
    requests.get(name)  # sink: ssrf
    session = requests.Session()
    session.post(name)  # sink: ssrf
    pickle.loads(data)  # sink: deserialization
    yaml.load(data, Loader=yaml.Loader)  # sink: deserialization
    etree.fromstring(data)  # sink: xxe
    tree = etree.parse("x.xml")
    tree.xpath(name)  # sink: xpath
    log.info(name)  # sink: log
    app.logger.warning(name)  # sink: log
    re.compile(name)  # sink: regex
    Markup(name)  # sink: xss
    resp = make_response(name)  # sink: xss
    resp.set_cookie("k", name)  # sink: cookie
    render_template_string(name)  # sink: template
    return redirect(name)  # sink: redirect
"""


def test_idioms_resolve_to_the_tables() -> None:
    ff = extract(IDIOMS.encode(), "app.py")
    lines = IDIOMS.splitlines()
    calls: dict[int, list[CallFact]] = {}
    for call in ff.of(CallFact):
        calls.setdefault(call.line, []).append(call)
    checked = 0
    for number, line in enumerate(lines, start=1):
        if "# sink: " not in line:
            continue
        kind, _, how = line.split("# sink: ")[1].partition(" ")
        found = {sink_for(c.callee, c.attr) for c in calls.get(number, [])} - {None}
        assert any(f[0].kind == kind and f[1] == (how == "method") for f in found if f), line
        checked += 1
    assert checked == 25
    sources = {
        a.target: source_for(a.qualname) for a in ff.of(AssignmentFact) if a.qualname is not None
    }
    kinds = {target: src.kind for target, src in sources.items() if src is not None}
    assert kinds == {
        "args": "request",
        "name": "request",
        "data": "request",
        "home": "environ",
        "argv": "environ",
    }


# -- [tool.auditls.taint] ------------------------------------------------------------------------


GOOD = {
    "sources": [
        "myapp.http.get_param",
        {"name": "myapp.jobs.payload", "kind": "file"},
        {"name": "myapp.cli.option", "kind": "argv", "confidence": "high", "label": "an option"},
    ],
    "sinks": [
        {"name": "myapp.db.raw", "kind": "sql", "positions": [0], "keywords": ["query"]},
        {"method": "run_query", "kind": "sql"},
        {"name": "myapp.files.Store.read", "kind": "path", "receiver": True},
    ],
    "sanitizers": [
        "myapp.ids.parse_id",
        {"name": "myapp.html.clean", "kinds": ["xss"]},
        {"name": "html.escape", "kinds": ["header"]},
    ],
    "propagators": ["myapp.text.concat", "builtins.len"],
    "non-propagators": ["myapp.text.count", "json.dumps"],
}


def test_config_taint_good_table() -> None:
    taint_config = config_from_table({"taint": GOOD}).taint
    assert [s.name for s in taint_config.sources] == [
        "myapp.http.get_param",
        "myapp.jobs.payload",
        "myapp.cli.option",
    ]
    assert taint_config.sources[0].kind == "request"
    assert taint_config.sources[0].confidence is None
    assert taint_config.sinks[1].method == "run_query"
    assert taint_config.sinks[1].name is None
    assert taint_config.sanitizers[0].kinds == {"*"}
    assert taint_config.non_propagators == ("myapp.text.count", "json.dumps")
    assert config_from_table({}).taint == TaintConfig()
    assert TaintConfig().empty
    assert config_from_table({"taint": {"sinks": []}}).taint.empty


def test_user_models_layer_over_the_defaults() -> None:
    models = with_user_models(config_from_table({"taint": GOOD}).taint)
    assert models.source_for("myapp.http.get_param.strip") == taint.Source(
        "request", "high", "request data (`myapp.http.get_param`)"
    )
    payload = models.source_for("myapp.jobs.payload")
    assert payload is not None
    assert (payload.kind, payload.confidence) == ("file", "low")
    option = models.source_for("myapp.cli.option")
    assert option is not None
    assert (option.confidence, option.label) == ("high", "an option")
    assert models.source_for("flask.request.args") == SOURCES["flask.request.args"]

    assert models.sink_for("myapp.db.raw", "raw") == (Sink("sql", (0,), ("query",)), False)
    assert models.sink_for(None, "run_query") == (Sink("sql", (), ()), True)
    store = models.sink_for("myapp.files.Store.read", "read")
    assert store is not None
    assert store[0].receiver
    assert not store[0].any_argument
    assert models.sink_for("subprocess.run", "run") == (SINKS["subprocess.run"], False)

    assert models.cleans("myapp.ids.parse_id", "sql")
    assert models.cleans("myapp.html.clean", "xss")
    assert not models.cleans("myapp.html.clean", "sql")
    assert models.cleans("html.escape", "header")
    assert models.cleans("html.escape", "xss")

    assert models.propagates("myapp.text.concat")
    assert models.propagates("builtins.len")
    assert not models.propagates("myapp.text.count")
    assert not models.propagates("json.dumps")
    assert not models.propagates("myapp.ids.parse_id")
    # the defaults are untouched
    assert propagates("builtins.len") is False
    assert propagates("json.dumps") is True
    assert source_for("myapp.http.get_param") is None
    assert with_user_models(None) is DEFAULT_MODELS
    assert with_user_models(TaintConfig()) is DEFAULT_MODELS


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("myapp.x", "taint: expected a table, got a string"),
        ({"sinkz": []}, "taint.sinkz: unknown key"),
        ({"non_propagators": []}, "taint.non_propagators: unknown key (did you mean"),
        ({"sources": "myapp.x"}, "taint.sources: expected a list, got a string"),
        ({"sources": ["getparam"]}, "taint.sources[0]: expected a qualified name"),
        ({"sources": [3]}, "taint.sources[0]: expected a qualified name or a table, got a number"),
        ({"sources": [{"kind": "request"}]}, "taint.sources[0].name: expected a qualified name"),
        ({"sources": [{"name": "a.b", "kind": "web"}]}, "taint.sources[0].kind: expected one of"),
        (
            {"sources": [{"name": "a.b", "confidence": "certain"}]},
            "taint.sources[0].confidence: expected one of high, medium, low",
        ),
        ({"sources": [{"name": "a.b", "label": ""}]}, "taint.sources[0].label: expected a non-emp"),
        ({"sources": [{"name": "a.b", "level": 1}]}, "taint.sources[0].level: unknown key"),
        (
            {"sinks": ["myapp.db.raw"]},
            'taint.sinks[0]: expected a table like { name = "myapp.db.raw", kind = "sql" }',
        ),
        ({"sinks": [{"name": "a.b"}]}, "taint.sinks[0].kind: missing; one of sql, command"),
        ({"sinks": [{"name": "a.b", "kind": "sqll"}]}, "taint.sinks[0].kind: expected one of"),
        ({"sinks": [{"kind": "sql"}]}, "taint.sinks[0]: expected one of name"),
        (
            {"sinks": [{"name": "a.b", "method": "c", "kind": "sql"}]},
            "taint.sinks[0]: expected one of name",
        ),
        ({"sinks": [{"method": "a.b", "kind": "sql"}]}, "taint.sinks[0].method: expected a method"),
        (
            {"sinks": [{"name": "a.b", "kind": "sql", "positions": [-1]}]},
            "taint.sinks[0].positions: expected a list of integers from 0, got [-1]",
        ),
        (
            {"sinks": [{"name": "a.b", "kind": "sql", "positions": [True]}]},
            "taint.sinks[0].positions: expected a list of integers from 0",
        ),
        (
            {"sinks": [{"name": "a.b", "kind": "sql", "keywords": ["not a name"]}]},
            "taint.sinks[0].keywords: 'not a name' is not a keyword name",
        ),
        (
            {"sinks": [{"name": "a.b", "kind": "sql", "receiver": "yes"}]},
            "taint.sinks[0].receiver: expected true or false, got a string",
        ),
        ({"sanitizers": [{"name": "a.b"}]}, "taint.sanitizers[0].kinds: expected a non-empty"),
        ({"sanitizers": [{"name": "a.b", "kinds": []}]}, "taint.sanitizers[0].kinds: expected"),
        (
            {"sanitizers": [{"name": "a.b", "kinds": ["html"]}]},
            "taint.sanitizers[0].kinds[0]: expected one of *, sql",
        ),
        ({"propagators": ["a.b", "c"]}, "taint.propagators[1]: expected a qualified name"),
        ({"non-propagators": [{"name": "a.b"}]}, "taint.non-propagators[0]: expected a qualified"),
    ],
)
def test_config_taint_errors_name_the_entry(table: object, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"[tool.auditls] {message}")):
        config_from_table({"taint": table})


def test_the_readme_example_is_valid() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```toml\n(\[tool\.auditls\.taint\]\n.*?)```", readme, re.DOTALL)
    assert match is not None
    table = tomllib.loads(match.group(1))["tool"]["auditls"]
    models = with_user_models(config_from_table(table).taint)
    assert models.sink_for("myapp.db.run_sql", None) is not None
    assert models.cleans("myapp.ids.parse_id", "path")
