"""The 110-118 rules: untrusted data formats (XML, XML-RPC), SQL, templates and markup,
archives."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.facts.security import (
    SqlQueryFact,
)
from auditls.knowledge.checks import (
    JINJA_ENVIRONMENTS,
    JINJA_ESCAPING_SETUPS,
    MAKO_TEMPLATES,
    SELECT_AUTOESCAPE,
)
from auditls.knowledge.security import (
    LXML_PARSERS,
    MARKUP_CALLS,
    SAX_EXTERNAL_FEATURES,
    TEMPLATE_SOURCE_CALLS,
    XML_PARSE_CALLS,
    XML_PARSER_ARGS,
    XMLRPC_MODULES,
)
from auditls.rules.findings import Finding
from auditls.rules.index import (
    SOURCE_CONFIDENCE,
    FactIndex,
    at_call,
    at_fact,
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
from auditls.rules.security.common import RATED, argument_rule, file_operations, one_per_line

XML_UNTRUSTED = "AUD110"

XML_ENTITIES = "AUD111"

XMLRPC = "AUD112"

SQL_INJECTION = "AUD113"

AUTOESCAPE_OFF = "AUD114"

TEMPLATE_INJECTION = "AUD115"

UNSAFE_MARKUP = "AUD116"

TAR_EXTRACTION = "AUD117"

ZIP_EXTRACTION = "AUD118"


def check_xml_untrusted(index: FactIndex) -> Iterator[Finding]:
    """AUD110, message fields: callee, arg."""
    if index.imports_module("defusedxml"):
        return
    for callee, spec in XML_PARSE_CALLS.items():
        for call in index.calls(callee):
            args = index.args(call)
            parser = locate(args, XML_PARSER_ARGS.get(callee))
            if parser is not None and not parser[1] and parser[0].value != "null":
                continue  # an explicit parser: its own configuration decides (AUD111)
            located = locate(args, spec)
            if located is None:
                continue
            confidence = rate(index, call, *located)
            if confidence is not None:
                yield at_call(index, XML_UNTRUSTED, call, confidence, arg=short(located[0].text))


def check_xml_entities(index: FactIndex) -> Iterator[Finding]:
    """AUD111, message fields: callee, option."""
    for call in index.calls_of(LXML_PARSERS):
        args = index.args(call)
        for name, bad in (("resolve_entities", True), ("no_network", False)):
            arg = keyword_arg(args, name)
            value = value_of(arg)
            if arg is not None and value is not NotImplemented and bool(value) == bad:
                yield at_call(index, XML_ENTITIES, call, "high", option=f"{name}={arg.text}")
                break
    for call in index.calls_by_id.values():  # parser.setFeature(feature_external_ges, True)
        if call.attr != "setFeature" or call.n_args != 2:
            continue
        positional = sorted(
            (a for a in index.args(call) if a.position in (0, 1) and a.keyword is None),
            key=lambda a: a.position,
        )
        if len(positional) != 2:
            continue
        feature, on = positional
        feature_name: object = feature.qualname or value_of(feature)
        if feature_name in SAX_EXTERNAL_FEATURES and truthy_literal(on):
            option = f"setFeature({short(feature.text)}, {on.text})"
            yield at_call(index, XML_ENTITIES, call, "high", option=option)


def check_xmlrpc(index: FactIndex) -> Iterator[Finding]:
    """AUD112, message fields: module."""
    if index.calls("defusedxml.xmlrpc.monkey_patch"):
        return
    for imp in one_per_line(index):
        root = imp.target.partition(".")[0]
        if root in XMLRPC_MODULES:
            yield at_fact(index, XMLRPC, imp, "medium", module=imp.target)


_HOW = {
    "fstring": "an f-string",
    "percent": "`%` formatting",
    "format": "`.format()`",
    "concat": "string concatenation",
}

_FUNCTION_SINKS = frozenset({"text", "rawsql", "read_sql", "sql", "extra"})


def check_sql_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD113, message fields: sink, how, parts."""
    for fact in index.facts(SqlQueryFact):
        if fact.interpolation not in _HOW or fact.parts_source in ("literal", "constant"):
            continue
        if fact.sink not in _FUNCTION_SINKS and not fact.looks_like_sql:
            continue
        call = index.calls_by_id.get(fact.call_id)
        sink = f"`{short(call.callee_text)}()`" if call is not None else f"`{fact.sink}()`"
        confidence = "high" if fact.parts_source in ("param", "request") else "medium"
        yield at_fact(
            index, SQL_INJECTION, fact, confidence, sink=sink, how=_HOW[fact.interpolation],
            parts=short(", ".join(fact.parts), 60),
        )  # fmt: skip


def check_autoescape(index: FactIndex) -> Iterator[Finding]:
    """AUD114, message fields: callee, how."""
    for call in index.calls_of(JINJA_ENVIRONMENTS):
        args = index.args(call)
        arg = keyword_arg(args, "autoescape")
        if arg is None:
            if has_kwargs(args):
                continue
            yield at_call(index, AUTOESCAPE_OFF, call, "high", how=" (no `autoescape`)")
            continue
        value = value_of(arg)
        if value is NotImplemented:
            if arg.kind == "call" and arg.qualname in SELECT_AUTOESCAPE:
                continue
            how = f" unless `{short(arg.text, 30)}` is true"
            yield at_call(index, AUTOESCAPE_OFF, call, "medium", how=how)
        elif not value:
            yield at_call(index, AUTOESCAPE_OFF, call, "high", how=f" (`autoescape={arg.text}`)")
    for call in index.calls_of(JINJA_ESCAPING_SETUPS):
        value = value_of(arg := keyword_arg(index.args(call), "autoescape"))
        if arg is not None and value is not NotImplemented and not value:
            yield at_call(index, AUTOESCAPE_OFF, call, "high", how=f" (`autoescape={arg.text}`)")
    for call in index.calls_of(MAKO_TEMPLATES):
        args = index.args(call)
        arg = keyword_arg(args, "default_filters")
        value = value_of(arg)
        if arg is not None and (
            value is NotImplemented or (isinstance(value, list) and "h" in value)
        ):
            continue
        yield at_call(index, AUTOESCAPE_OFF, call, "high", how=" (no `h` in `default_filters`)")


def check_template_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD115, message fields: callee, arg."""
    yield from argument_rule(index, TEMPLATE_INJECTION, TEMPLATE_SOURCE_CALLS)


def check_unsafe_markup(index: FactIndex) -> Iterator[Finding]:
    """AUD116, message fields: callee, arg."""
    yield from argument_rule(index, UNSAFE_MARKUP, MARKUP_CALLS)


def check_tar_extraction(index: FactIndex) -> Iterator[Finding]:
    """AUD117, message fields: callee, how."""
    for fact in file_operations(index, "tar_extract"):
        if fact.extract_filter not in (None, "fully_trusted"):
            continue
        how = ' (`filter="fully_trusted"`)' if fact.extract_filter else ""
        yield at_fact(index, TAR_EXTRACTION, fact, "low" if fact.members else "high", how=how)


def check_zip_extraction(index: FactIndex) -> Iterator[Finding]:
    """AUD118, message fields: callee, arg."""
    for fact in file_operations(index, "zip_extract"):
        confidence = SOURCE_CONFIDENCE.get(fact.path_source or "literal")
        if confidence is not None:
            yield at_fact(index, ZIP_EXTRACTION, fact, confidence, arg=short(fact.path_text or ""))


RULES: tuple[Rule, ...] = (
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
        check=check_xml_untrusted,
        knowledge=(XML_PARSE_CALLS, XML_PARSER_ARGS),
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
            "`resolve_entities=True` or `no_network=False`, and for a SAX parser switched to "
            "fetch external entities (`parser.setFeature(feature_external_ges, True)`, or "
            "`feature_external_pes`; such a parser handed to `xml.dom.pulldom` / `minidom` as "
            "`parser=` is otherwise taken as configured on purpose): external entities read "
            "local files and fetch URLs (XXE)."
        ),
        message="{callee} is given `{option}`: documents can read local files and "
        "reach the network through external entities. Pass `resolve_entities=False` (lxml) or "
        "leave the SAX external-entity features off.",
        fix="Create the parser with `resolve_entities=False, no_network=True` (or use "
        "`defusedxml.lxml`).",
        bad=("from lxml import etree\n\nparser = etree.XMLParser(resolve_entities=True)\n"),
        good=(
            "from lxml import etree\n\n"
            "parser = etree.XMLParser(resolve_entities=False, no_network=True)\n"
        ),
        check=check_xml_entities,
        knowledge=(LXML_PARSERS, SAX_EXTERNAL_FEATURES),
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
        check=check_xmlrpc,
        knowledge=(XMLRPC_MODULES,),
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
            "DB-API `execute` / `executemany` / `executescript`, SQLAlchemy `text()`, "
            "`literal_column()`, `exec_driver_sql` or `from_statement`, Django "
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
        check=check_sql_injection,
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
            "`select_autoescape()` is fine), `aiohttp_jinja2.setup(..., autoescape=False)` "
            "(it escapes by default), and for Mako `Template` / `TemplateLookup` without "
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
        check=check_autoescape,
        knowledge=(
            JINJA_ENVIRONMENTS,
            JINJA_ESCAPING_SETUPS,
            MAKO_TEMPLATES,
            SELECT_AUTOESCAPE,
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
        check=check_template_injection,
        knowledge=(TEMPLATE_SOURCE_CALLS,),
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
        check=check_unsafe_markup,
        knowledge=(MARKUP_CALLS,),
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
        check=check_tar_extraction,
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
        check=check_zip_extraction,
    ),
)

register(*RULES)
