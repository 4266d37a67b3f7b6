"""The HTML report of ``auditls check --format html``: one self-contained file to read.

- **One file, nothing fetched**: the styles and the script are inline, there is no font, image,
  stylesheet or script from elsewhere, and a Content-Security-Policy forbids loading any (the
  page works from a CI artifact, offline, in a mail attachment).
- **Grouped by rule, then by file**; each rule says what it is about and how to fix it.
- **Each finding beside its code**: a few lines around it, its own lines highlighted.
- **Taint paths step by step**: a taint finding (AUD5xx) has a collapsed "N steps" section that
  expands into every step, source first, each with its message and its line of code.
- **Filters** by severity, confidence and rule hide what does not match (a rule or file
  section left empty is hidden too) and count what is shown. The page reads as a plain document
  without its script: everything is rendered here, the script only filters.

Paths are relative to the workspace root, which the header names. The analysed code is only
read as text.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from auditls import __version__
from auditls.report.sarif import LineReader
from auditls.rules import RULES, Finding, Problem

#: Lines of code shown above and below a finding.
CONTEXT = 2

SEVERITIES = ("error", "warning", "info")
CONFIDENCES = ("high", "medium", "low")

_STYLE = """
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --hit:#fff3b0;
  --error:#cf222e; --warning:#9a6700; --info:#0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line);
  padding: .6rem 1.2rem; z-index: 1; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
header p { margin: .1rem 0 .4rem; color: var(--muted); }
#filters { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; align-items: center; }
#filters fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: .6rem; }
#filters legend { float: left; font-weight: 600; margin-right: .4rem; }
main { padding: 0 1.2rem 2rem; }
section.rule > h2 { font-size: 1.1rem; margin: 1.4rem 0 .2rem; }
section.rule > p { margin: .2rem 0 .6rem; color: var(--muted); }
section.file > h3 { font: 600 .95rem ui-monospace, monospace; margin: .8rem 0 .3rem; }
article.finding { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0;
  padding: .5rem .7rem; }
.where { font-family: ui-monospace, monospace; margin: 0; }
.badge { display: inline-block; border-radius: 1em; padding: 0 .55em; font-size: .8rem;
  border: 1px solid currentColor; margin-left: .3em; }
.sev-error { color: var(--error); } .sev-warning { color: var(--warning); }
.sev-info { color: var(--info); }
.message { margin: .3rem 0; }
pre.code { background: var(--bg); border-radius: 4px; padding: .3rem 0; margin: .3rem 0;
  overflow-x: auto; font: .85rem/1.4 ui-monospace, monospace; }
pre.code span.l { display: block; padding: 0 .6rem; white-space: pre; }
pre.code span.l.hit { background: var(--hit); }
pre.code span.n { display: inline-block; min-width: 3.5em; color: var(--muted);
  user-select: none; }
details.trace summary { cursor: pointer; font-weight: 600; }
details.trace ol { margin: .3rem 0; padding-left: 1.6rem; }
details.trace li p { margin: .4rem 0 0; }
#problems li { font-family: ui-monospace, monospace; }
.empty { color: var(--muted); }
"""

_SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  function checked(name) {
    var out = {};
    form.querySelectorAll("input[name=" + name + "]").forEach(function (box) {
      out[box.value] = box.checked;
    });
    return out;
  }
  function apply() {
    var sev = checked("severity"), conf = checked("confidence");
    var rule = form.querySelector("select[name=rule]").value;
    var shown = 0;
    findings.forEach(function (f) {
      var ok = sev[f.dataset.severity] && conf[f.dataset.confidence] &&
        (rule === "" || rule === f.dataset.rule);
      f.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll("section.file, section.rule").forEach(function (s) {
      s.hidden = s.querySelector("article.finding:not([hidden])") === null;
    });
    document.getElementById("shown").textContent = shown + " of " + findings.length + " shown";
  }
  form.addEventListener("change", apply);
  apply();
  document.body.dataset.ready = "yes";
})();
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _code(read: LineReader, path: str, first: int, last: int, context: int = CONTEXT) -> str:
    """Lines ``first``..``last`` of ``path`` (highlighted) with ``context`` lines around."""
    rows = []
    for n in range(max(1, first - context), last + context + 1):
        text = read(path, n)
        if n > last and not text and not read(path, n + 1):
            break  # past the end of the file
        hit = " hit" if first <= n <= last else ""
        rows.append(f'<span class="l{hit}"><span class="n">{n}</span>{_e(text)}</span>')
    return '<pre class="code"><code>' + "".join(rows) + "</code></pre>"


def _finding(read: LineReader, f: Finding, number: int) -> str:
    last = f.end_line if f.end_line - f.line <= 6 else f.line
    parts = [
        f'<article class="finding" id="finding-{number}" data-rule="{_e(f.rule)}" '
        f'data-severity="{_e(f.severity)}" data-confidence="{_e(f.confidence)}">',
        f'<p class="where">{_e(f.path)}:{f.line}:{f.column}'
        f'<span class="badge sev-{_e(f.severity)}">{_e(f.severity)}</span>'
        f'<span class="badge">{_e(f.confidence)} confidence</span></p>',
        f'<p class="message">{_e(f.message)}</p>',
        _code(read, f.path, f.line, last),
    ]
    if f.trace:
        steps = "".join(
            f'<li><p class="where">{_e(s.path)}:{s.line}:{s.column}</p>'
            f'<p class="message">{_e(s.message)}</p>{_code(read, s.path, s.line, s.line, 0)}</li>'
            for s in f.trace
        )
        count = len(f.trace)
        parts.append(
            f'<details class="trace"><summary>Taint path: {count} '
            f"step{'s' if count != 1 else ''}, source first</summary><ol>{steps}</ol></details>"
        )
    parts.append("</article>")
    return "".join(parts)


def to_html(
    findings: Sequence[Finding], problems: Sequence[Problem], *, files: int, root: Path
) -> str:
    """The report as one HTML document (see the module docstring)."""
    read = LineReader(root)
    by_rule: dict[str, dict[str, list[Finding]]] = {}
    for f in sorted(findings, key=lambda f: (f.rule, f.path, f.line, f.column)):
        by_rule.setdefault(f.rule, {}).setdefault(f.path, []).append(f)
    counts = Counter(f.severity for f in findings)
    number = 0
    sections = []
    for code, by_file in by_rule.items():
        rule = RULES.get(code)
        total = sum(len(v) for v in by_file.values())
        title = f"{code} {rule.name}" if rule is not None else code
        about = f"{rule.summary} Fix: {rule.fix}" if rule is not None else ""
        body = []
        for path, items in by_file.items():
            rendered = []
            for f in items:
                number += 1
                rendered.append(_finding(read, f, number))
            body.append(
                f'<section class="file" data-path="{_e(path)}"><h3>{_e(path)}</h3>'
                + "".join(rendered)
                + "</section>"
            )
        sections.append(
            f'<section class="rule" id="{_e(code)}" data-rule="{_e(code)}">'
            f"<h2>{_e(title)} <small>({total})</small></h2><p>{_e(about)}</p>"
            + "".join(body)
            + "</section>"
        )
    if not sections:
        sections.append(f'<p class="empty">No findings in {files} files.</p>')
    summary = ", ".join(_plural(counts[s], s) for s in SEVERITIES if counts[s]) or "none"
    boxes = "".join(
        f"<fieldset><legend>{legend}</legend>"
        + "".join(
            f'<label><input type="checkbox" name="{name}" value="{v}" checked> {v}</label>'
            for v in values
        )
        + "</fieldset>"
        for legend, name, values in (
            ("Severity", "severity", SEVERITIES),
            ("Confidence", "confidence", CONFIDENCES),
        )
    )
    options = "".join(f'<option value="{_e(c)}">{_e(c)}</option>' for c in by_rule)
    problem_list = ""
    if problems:
        lis = "".join(f"<li>{_e(p.path)}: {_e(p.kind)}: {_e(p.message)}</li>" for p in problems)
        problem_list = (
            f'<section id="problems"><h2>Files not fully analysed ({len(problems)})</h2>'
            f"<ul>{lis}</ul></section>"
        )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>auditls report: {len(findings)} findings</title><style>{_STYLE}</style></head>"
        "<body><header><h1>auditls report</h1>"
        f"<p>{_plural(len(findings), 'finding')} ({_e(summary)}) in "
        f"{len({f.path for f in findings})} of {files} files under <code>{_e(root)}</code>; "
        f"auditls {_e(__version__)}</p>"
        f'<form id="filters">{boxes}<label>Rule <select name="rule">'
        f'<option value="">all rules</option>{options}</select></label>'
        '<output id="shown"></output></form></header>'
        f"<main>{''.join(sections)}{problem_list}</main>"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
