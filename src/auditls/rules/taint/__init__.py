"""The taint rules (5xx): data from a source reaches a sink, across functions and files.

One rule per sink kind of ``auditls.knowledge.taint.TAINT_RULES``; each is a workspace rule over
the taint engine (``workspace.taint``, ``auditls.taint``), reported at the sink with every step
of the path in the finding's ``trace`` (the editor shows them as related locations, SARIF as a
code flow). Severity comes from the rule, confidence from the path (see ``taint.engine``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from auditls.knowledge.taint import TAINT_RULES, TaintRule
from auditls.rules.findings import Finding, TraceStep
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register
from auditls.rules.workspace import Workspace

_FLASK = "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n"

#: A bad and a good example per sink kind: the bad one raises the rule, the good one does not.
EXAMPLES: dict[str, tuple[str, str]] = {
    "sql": (
        _FLASK + '@app.get("/user")\ndef user():\n    cur = db.cursor()\n'  # noqa: S608 (docs example)
        '    cur.execute("SELECT * FROM users WHERE id = " + request.args["id"])\n'
        "    return str(cur.fetchone())\n",
        _FLASK + '@app.get("/user")\ndef user():\n    cur = db.cursor()\n'  # noqa: S608 (docs example)
        '    cur.execute("SELECT * FROM users WHERE id = ?", (request.args["id"],))\n'
        "    return str(cur.fetchone())\n",
    ),
    "command": (
        "import os\n\n" + _FLASK + '@app.post("/ping")\ndef ping():\n'
        '    os.system("ping -c 1 " + request.form["host"])\n    return "ok"\n',
        "import shlex\nimport os\n\n" + _FLASK + '@app.post("/ping")\ndef ping():\n'
        '    os.system("ping -c 1 " + shlex.quote(request.form["host"]))\n    return "ok"\n',
    ),
    "code": (
        _FLASK + '@app.get("/calc")\ndef calc():\n    return str(eval(request.args["expr"]))\n',
        _FLASK + '@app.get("/calc")\ndef calc():\n    return str(int(request.args["n"]) * 2)\n',
    ),
    "path": (
        "from flask import send_file\n" + _FLASK + '@app.get("/file")\ndef get_file():\n'
        '    return send_file("/srv/files/" + request.args["name"])\n',
        "from flask import send_file\nfrom werkzeug.utils import secure_filename\n"
        + _FLASK
        + '@app.get("/file")\ndef get_file():\n'
        '    return send_file("/srv/files/" + secure_filename(request.args["name"]))\n',
    ),
    "xss": (
        _FLASK + '@app.get("/hi")\ndef hi():\n    return "<h1>Hi " + request.args["name"]\n',
        "import html\n\n" + _FLASK + '@app.get("/hi")\ndef hi():\n'
        '    return "<h1>Hi " + html.escape(request.args["name"])\n',
    ),
    "redirect": (
        "from flask import redirect\n" + _FLASK + '@app.get("/go")\ndef go():\n'
        '    return redirect(request.args["next"])\n',
        "from flask import redirect, url_for\n" + _FLASK + '@app.get("/go")\ndef go():\n'
        '    return redirect(url_for("index"))\n',
    ),
    "ssrf": (
        "import requests\n" + _FLASK + '@app.get("/fetch")\ndef fetch():\n'
        '    return requests.get(request.args["url"], timeout=5).text\n',
        "import requests\n" + _FLASK + '@app.get("/fetch")\ndef fetch():\n'
        '    return requests.get("https://api.example.com/status", timeout=5).text\n',
    ),
    "deserialization": (
        "import pickle\n" + _FLASK + '@app.post("/load")\ndef load():\n'
        "    return str(pickle.loads(request.get_data()))\n",
        "import json\n" + _FLASK + '@app.post("/load")\ndef load():\n'
        "    return str(json.loads(request.get_data()))\n",
    ),
    "template": (
        "from flask import render_template_string\n" + _FLASK + '@app.get("/greet")\n'
        'def greet():\n    return render_template_string("Hi " + request.args["name"])\n',
        "from flask import render_template_string\n" + _FLASK + '@app.get("/greet")\n'
        'def greet():\n    return render_template_string("Hi {{ n }}", n=request.args["name"])\n',
    ),
    "regex": (
        "import re\n" + _FLASK + '@app.get("/find")\ndef find():\n'
        '    return str(re.compile(request.args["q"]).findall(TEXT))\n',
        "import re\n" + _FLASK + '@app.get("/find")\ndef find():\n'
        '    return str(re.compile(re.escape(request.args["q"])).findall(TEXT))\n',
    ),
    "header": (
        "import logging\n" + _FLASK + '@app.post("/login")\ndef login():\n'
        '    logging.info("login for " + request.form["user"])\n    return "ok"\n',
        "import logging\n" + _FLASK + '@app.post("/login")\ndef login():\n'
        '    logging.info("login for %r", len(request.form["user"]))\n    return "ok"\n',
    ),
    "xpath": (
        "from lxml import etree\n" + _FLASK + '@app.get("/q")\ndef q():\n'
        '    return str(etree.XPath(request.args["path"])(DOC))\n',
        "from lxml import etree\n" + _FLASK + '@app.get("/q")\ndef q():\n'
        '    return str(etree.XPath("//item[@id=$i]")(DOC, i=request.args["id"]))\n',
    ),
    "ldap": (
        "import ldap\n" + _FLASK + '@app.get("/who")\ndef who():\n'
        "    conn = ldap.initialize(URL)\n"
        '    return str(conn.search_s(BASE, 2, "(uid=" + request.args["u"] + ")"))\n',
        "import ldap\nfrom ldap.filter import escape_filter_chars\n"
        + _FLASK
        + '@app.get("/who")\ndef who():\n    conn = ldap.initialize(URL)\n'
        '    user = escape_filter_chars(request.args["u"])\n'
        '    return str(conn.search_s(BASE, 2, "(uid=" + user + ")"))\n',
    ),
    "xxe": (
        "from xml.etree import ElementTree\n" + _FLASK + '@app.post("/xml")\ndef xml():\n'
        "    return ElementTree.fromstring(request.get_data()).tag\n",
        "from defusedxml import ElementTree\n" + _FLASK + '@app.post("/xml")\ndef xml():\n'
        "    return ElementTree.fromstring(request.get_data()).tag\n",
    ),
    "session": (
        "from flask import session\n" + _FLASK + '@app.post("/role")\ndef role():\n'
        '    session["role"] = request.form["role"]\n    return "ok"\n',
        "from flask import session\n" + _FLASK + '@app.post("/theme")\ndef theme():\n'
        '    session["theme"] = "dark" if request.form["theme"] == "dark" else "light"\n'
        '    return "ok"\n',
    ),
}


def _check(taint_rule: TaintRule) -> Callable[[Workspace], Iterator[Finding]]:
    def check(ws: Workspace) -> Iterator[Finding]:
        for path in ws.taint.paths():
            if path.rule.code != taint_rule.code:
                continue
            site = path.sink
            yield Finding(
                rule=taint_rule.code,
                path=site.path,
                line=site.line,
                column=site.column,
                end_line=site.end_line,
                end_column=site.end_column,
                severity=taint_rule.severity,
                confidence=path.confidence,
                cwe=taint_rule.cwe,
                message=taint_rule.message.format(source=path.source.label, sink=site.what),
                stmt_line=site.stmt_line,
                trace=tuple(
                    TraceStep(path=s.path, line=s.line, column=s.column, message=s.message)
                    for s in path.steps
                ),
            )

    check.__name__ = f"check_{taint_rule.name.replace('-', '_')}"
    return check


def _rule(taint_rule: TaintRule) -> Rule:
    bad, good = EXAMPLES[taint_rule.sink_kind]
    return rule(
        taint_rule.code,
        taint_rule.name,
        taint_rule.severity,
        "high",
        taint_rule.cwe,
        summary=f"Data from a source reaches a {taint_rule.sink_kind} sink (CWE-{taint_rule.cwe}).",
        details=(
            "Reported at the sink when a value from a source (request data, route parameters, "
            "`sys.argv`, `input()`, the environment) reaches it through assignments, string "
            "building, containers, and calls to workspace functions in any file, unless a "
            "sanitizer for this kind of sink, an allowlist or a rejecting guard is on the way. "
            "The finding lists every step. Confidence is high for request data in the same "
            "function, medium through helpers or for command-line input, low for the environment."
        ),
        message=taint_rule.message,
        fix=taint_rule.fix,
        bad=bad,
        good=good,
        check=_check(taint_rule),
        scope="workspace",
    )


RULES: tuple[Rule, ...] = tuple(_rule(r) for r in TAINT_RULES)

register(*RULES)
