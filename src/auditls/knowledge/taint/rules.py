"""The AUD5xx rules as data: one per sink kind (the sink kinds are ``auditls.knowledge.taint``'s),
with its CWE, severity, message and fix. ``rule_for`` finds a kind's rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TaintRule:
    """The finding for a source reaching a sink of one kind. ``message`` has the fields
    ``{source}`` (a ``Source.label``) and ``{sink}`` (the sink as the engine names it, such as
    "`subprocess.run`")."""

    code: str
    name: str
    sink_kind: str
    cwe: int
    severity: str
    message: str
    fix: str


#: One rule per sink kind (message fields: ``{source}``, ``{sink}``).
TAINT_RULES: tuple[TaintRule, ...] = (
    TaintRule(
        code="AUD501",
        name="sql-injection",
        sink_kind="sql",
        cwe=89,
        severity="error",
        message="{source} reaches the SQL text of {sink}: a quote in it rewrites the query. "
        'Pass the value as a bound parameter (`cur.execute("... WHERE id = ?", (value,))`, '
        '`text("... WHERE id = :id")` with parameters) instead of formatting it into the SQL.',
        fix="Keep the SQL text constant and pass every value as a bound parameter; take table "
        "and column names from a fixed allowlist or compose them with `psycopg.sql.Identifier`.",
    ),
    TaintRule(
        code="AUD502",
        name="command-injection",
        sink_kind="command",
        cwe=78,
        severity="error",
        message="{source} reaches the command run by {sink}: a `;`, `|` or `$(...)` in it runs "
        "another command, and a leading `-` passes an option. Pass a list of arguments without a "
        "shell, check the value against an allowlist, and quote it with `shlex.quote()` if a "
        "shell is unavoidable.",
        fix="Run a fixed program with a list of arguments and no shell "
        '(`subprocess.run(["convert", "--", name], check=True)`), choose values from an '
        "allowlist, and quote with `shlex.quote()` where a shell cannot be avoided.",
    ),
    TaintRule(
        code="AUD503",
        name="code-injection",
        sink_kind="code",
        cwe=95,
        severity="error",
        message="{source} reaches {sink}, which runs it as Python code: whoever sends it "
        "controls the process. Parse data with `json.loads()` or `ast.literal_eval()`, or look "
        "the operation up in a fixed dict of functions.",
        fix="Never execute or import text that comes from outside: parse data with "
        "`json.loads()` or `ast.literal_eval()`, and map allowed names to functions or modules.",
    ),
    TaintRule(
        code="AUD504",
        name="path-traversal",
        sink_kind="path",
        cwe=22,
        severity="warning",
        message="{source} reaches the file path of {sink}: `../` or an absolute path in it "
        "reaches files outside the intended directory. Keep only the file name "
        "(`werkzeug.utils.secure_filename()`), join with `werkzeug.security.safe_join()`, or "
        "serve files with `send_from_directory()`.",
        fix="Never build a path from request data as is: keep the base name "
        "(`secure_filename()`), join with `safe_join()` (None means outside), or check that the "
        "resolved path is under the base directory (`path.resolve().is_relative_to(base)`).",
    ),
    TaintRule(
        code="AUD505",
        name="cross-site-scripting",
        sink_kind="xss",
        cwe=79,
        severity="warning",
        message="{source} reaches HTML sent by {sink} unescaped: a `<script>` in it runs in the "
        "visitor's browser. Render it with a template (`render_template()` escapes it) or escape "
        "it with `markupsafe.escape()`; return JSON with `jsonify()`.",
        fix="Build HTML in autoescaped templates, escape values inserted into markup with "
        "`markupsafe.escape()`, and never wrap request data in `Markup`.",
    ),
    TaintRule(
        code="AUD506",
        name="open-redirect",
        sink_kind="redirect",
        cwe=601,
        severity="warning",
        message="{source} chooses where {sink} sends the visitor: a link to this site can "
        "forward to any site (phishing). Redirect to a path of this site (`url_for(...)`) or "
        "check the URL's host against an allowlist first.",
        fix="Redirect to `url_for(...)` targets; when a `next` parameter is needed, accept only "
        "a relative path on this site (no scheme, no host, no leading `//`) or an allowlisted "
        "host.",
    ),
    TaintRule(
        code="AUD507",
        name="server-side-request-forgery",
        sink_kind="ssrf",
        cwe=918,
        severity="warning",
        message="{source} chooses the URL that {sink} fetches: the server can be made to call "
        "internal services or the cloud metadata endpoint. Build the URL from a fixed base and "
        "check its scheme and host against an allowlist.",
        fix="Fetch only URLs built from a fixed base, or allowlist the scheme and host (and "
        "reject private, loopback and link-local addresses after resolving the name).",
    ),
    TaintRule(
        code="AUD508",
        name="untrusted-data-deserialized",
        sink_kind="deserialization",
        cwe=502,
        severity="error",
        message="{source} is deserialized by {sink}: a crafted payload runs code while it is "
        "loaded. Accept JSON (`json.loads()`) or YAML with `yaml.safe_load()`; never unpickle "
        "data from outside.",
        fix="Exchange data as JSON or with `yaml.safe_load()`; if objects must cross the "
        "boundary, sign them (`itsdangerous`) and check the signature before loading.",
    ),
    TaintRule(
        code="AUD509",
        name="trust-boundary-violation",
        sink_kind="session",
        cwe=501,
        severity="warning",
        message="{source} is stored into {sink}: the session then holds a value the client "
        "chose, which later code trusts as the application's own. Validate it (type, "
        "allowlist) before storing it, and store only what the server decided.",
        fix="Store in the session only values the server computed or checked (a user id after "
        "sign-in, not a role sent by the client).",
    ),
    TaintRule(
        code="AUD510",
        name="template-injection",
        sink_kind="template",
        cwe=1336,
        severity="warning",
        message="{source} becomes template source in {sink}: `{{{{ ... }}}}` in it runs code on "
        "the server. Keep the template constant and pass the value as a variable "
        "(`render_template_string(TEMPLATE, name=value)`).",
        fix="Never build template text from request data; pass values as template variables, "
        "which are escaped and never evaluated.",
    ),
    TaintRule(
        code="AUD511",
        name="regex-injection",
        sink_kind="regex",
        cwe=1333,
        severity="warning",
        message="{source} is used as a regular expression by {sink}: a crafted pattern makes "
        "matching take exponential time. Escape it with `re.escape()`, or match it literally "
        "(`in`, `str.startswith()`).",
        fix="Escape request data with `re.escape()` before putting it in a pattern, or compare "
        "it as text.",
    ),
    TaintRule(
        code="AUD512",
        name="header-or-log-injection",
        sink_kind="header",
        cwe=113,
        severity="warning",
        message="{source} is written by {sink} into a response header, a cookie or a log line: "
        "a line break in it adds headers or forges log entries. Reject or strip `\\r` and `\\n` "
        "(or encode the value) before writing it.",
        fix="Validate values written to headers, cookies and logs: reject or strip line breaks, "
        "or encode the value (`urllib.parse.quote()`, `repr()` in logs).",
    ),
    TaintRule(
        code="AUD513",
        name="xpath-injection",
        sink_kind="xpath",
        cwe=643,
        severity="warning",
        message="{source} reaches the XPath expression of {sink}: a quote in it changes the "
        "query. Pass the value as an XPath variable "
        '(`tree.xpath("//user[@name=$name]", name=value)`).',
        fix="Keep XPath expressions constant and pass values as variables (lxml's `xpath()` "
        "keyword arguments, `etree.XPath` with `$name`).",
    ),
    TaintRule(
        code="AUD514",
        name="ldap-injection",
        sink_kind="ldap",
        cwe=90,
        severity="warning",
        message="{source} reaches the LDAP filter or base DN of {sink}: `*`, `(` or `)` in it "
        "change the query. Escape it with `ldap3.utils.conv.escape_filter_chars()` "
        "(python-ldap: `ldap.filter.escape_filter_chars()`).",
        fix="Escape every value put into an LDAP filter (`escape_filter_chars()`) or DN "
        "(`escape_rdn()`, `ldap.dn.escape_dn_chars()`).",
    ),
    TaintRule(
        code="AUD515",
        name="untrusted-xml-parsed",
        sink_kind="xxe",
        cwe=611,
        severity="error",
        message="{source} is parsed as XML by {sink}: entities in the document can read local "
        "files or expand until memory runs out. Parse it with `defusedxml` "
        "(`defusedxml.ElementTree.fromstring()`), or with an lxml parser made with "
        "`resolve_entities=False`.",
        fix="Parse untrusted XML with `defusedxml`, or with "
        "`lxml.etree.XMLParser(resolve_entities=False, no_network=True)`.",
    ),
)

#: Sink kinds that share another kind's rule: a cookie or a log line is a header's kin.
RULE_KINDS: dict[str, str] = {"log": "header", "cookie": "header"}

#: Every sink kind.
SINK_KINDS: frozenset[str] = frozenset(r.sink_kind for r in TAINT_RULES) | frozenset(RULE_KINDS)

_RULES_BY_KIND: dict[str, TaintRule] = {r.sink_kind: r for r in TAINT_RULES}


def rule_for(kind: str) -> TaintRule:
    """The rule for a sink kind (``log`` and ``cookie``: AUD512); KeyError for an unknown kind."""
    try:
        return _RULES_BY_KIND[RULE_KINDS.get(kind, kind)]
    except KeyError:
        raise KeyError(f"no taint rule for sink kind {kind!r}") from None
