"""Templates: the one kind of file auditls indexes that is not Python.

**Which files.** A file whose name ends in ``.html`` or ``.htm`` and that lies under a directory
named ``templates`` (at any depth below the workspace root): where Django's app directories
loader (``<app>/templates/``) and nearly every project's ``TEMPLATES["DIRS"]``
(``BASE_DIR / "templates"``) keep them, and where Jinja2 (Flask) keeps its own. They are found,
excluded, size-capped (``max_file_size``), read and re-read exactly as Python files are
(``auditls.index``: regular files inside the workspace, a symbolic link followed only when its
target stays inside, never written); their facts are replaced per file like any other.

**What is read.** Text only, never rendered or evaluated: the template is cut into tags as
Django's lexer does (``{% ... %}``, ``{{ ... }}``, ``{# ... #}`` on one line each; ``{% comment
%}`` and ``{% verbatim %}`` blocks skipped), and it records

- each variable output the engine will not escape: ``{{ x|safe }}``, ``{{ xs|safeseq }}``, and
  any ``{{ x }}`` inside ``{% autoescape off %}`` (Jinja2: ``{% autoescape false %}``), unless a
  filter after it escapes again (``force_escape``, ``escapejs``, ``urlencode``...) or makes a
  number or date of it (``UNESCAPE_UNDONE``). Its ``name`` is the context variable read,
  through ``{% for c in comments %}`` and ``{% with x=y %}`` aliases (``{{ c.body|safe }}``
  reads ``comments``);
- ``{% extends "base.html" %}`` and ``{% include "part.html" %}``: the templates that render with
  its context;
- suppressions in template comments (``{# auditls: ignore[AUD423] #}``), as in Python comments.

A template's module name is its path (``shop/templates/shop/list.html``): no Python name can
collide with it.
"""

from __future__ import annotations

import re

from auditls.extractors.suppress import parse_comment
from auditls.facts import Fact, FileFacts, escape_text
from auditls.facts.django import DjangoTemplateFact
from auditls.knowledge.layout import TEMPLATE_DIR, TEMPLATE_SUFFIXES, is_template

__all__ = ["TEMPLATE_DIR", "TEMPLATE_SUFFIXES", "extract_template", "is_template"]

#: Filters that mark a value safe: the engine outputs it as it is.
SAFE_FILTERS = frozenset({"safe", "safeseq"})
#: Filters after which the output is escaped again or is no longer text a browser parses as
#: markup (a number, a date, JSON in a script element).
UNESCAPE_UNDONE = frozenset({
    "force_escape", "escapejs", "urlencode", "iriencode", "json_script", "length", "wordcount",
    "floatformat", "filesizeformat", "date", "time", "timesince", "timeuntil", "yesno",
    "pluralize", "add", "divisibleby", "length_is", "tojson", "int", "float", "count",
})  # fmt: skip
#: Escaping filters that still escape inside ``{% autoescape off %}`` (``escape`` does there).
ESCAPE_FILTERS = frozenset({"escape", "e"})
#: Variables the engine provides, not the view's context.
ENGINE_VARIABLES = frozenset({"block", "forloop", "loop", "csrf_token", "super", "caller"})

_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}")
_NAME = re.compile(r"[A-Za-z_]\w*")
_STRING = re.compile(r"^(?:\"[^\"]*\"|'[^']*')$")
_FOR = re.compile(r"^for\s+(.+?)\s+in\s+(.+?)(?:\s+reversed)?$")
_WITH_KW = re.compile(r"([A-Za-z_]\w*)=(\S+)")
_WITH_AS = re.compile(r"^with\s+(\S+)\s+as\s+([A-Za-z_]\w*)$")
_SET = re.compile(r"^set\s+([A-Za-z_]\w*)\s*=\s*(.+)$")
_CUT = 200


def _split_filters(expr: str) -> list[str]:
    """``x|default:"a|b"|safe`` -> ``["x", 'default:"a|b"', "safe"]`` (quotes respected)."""
    parts: list[str] = []
    buf: list[str] = []
    quote = ""
    for c in expr:
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "|":
            parts.append("".join(buf).strip())
            buf = []
            continue
        buf.append(c)
    parts.append("".join(buf).strip())
    return parts


def _filter_name(text: str) -> str:
    found = _NAME.match(text.strip())
    return found.group(0) if found else ""


def _root(expr: str) -> str | None:
    """The context variable an expression reads (``comment.body`` -> ``comment``); None for a
    literal."""
    expr = expr.strip()
    if not expr or _STRING.match(expr) or expr[0].isdigit() or expr[0] in "-+[({":
        return None
    found = _NAME.match(expr)
    if found is None or found.group(0) in ("True", "False", "None", "true", "false", "none"):
        return None
    return found.group(0)


class _Scanner:
    def __init__(self, path: str) -> None:
        self.path = path
        self.facts: list[Fact] = []
        self.autoescape: list[bool] = []  # innermost last
        self.aliases: list[tuple[str, dict[str, str | None]]] = []  # (block tag, names -> root)
        self.skip_until: str | None = None

    def lookup(self, name: str) -> str | None:
        for _, names in reversed(self.aliases):
            if name in names:
                return names[name]
        return name

    def fact(self, kind: str, text: str, name: str, why: str, pos: tuple[int, int, int]) -> None:
        line, col, length = pos
        self.facts.append(
            DjangoTemplateFact(
                line=line,
                col=col,
                end_line=line,
                end_col=col + length,
                kind=kind,
                text=escape_text(text[:_CUT]),
                name=escape_text(name[:_CUT]),
                why=why,
            )
        )

    def output(self, inner: str, text: str, pos: tuple[int, int, int]) -> None:
        parts = _split_filters(inner)
        root = _root(parts[0])
        if root is None or root in ENGINE_VARIABLES:
            return
        names = [_filter_name(p) for p in parts[1:]]
        why = ""
        if self.autoescape and not self.autoescape[-1]:
            why = "autoescape off"
        for name in names:
            if name in SAFE_FILTERS:
                why = why or name
            elif name in UNESCAPE_UNDONE or (name in ESCAPE_FILTERS and why == "autoescape off"):
                why = ""
        if not why:
            return
        source = self.lookup(root)
        if source is not None and source not in ENGINE_VARIABLES:
            self.fact("unescaped", text, source, why, pos)

    def tag(self, inner: str, text: str, pos: tuple[int, int, int]) -> None:
        words = inner.split()
        if not words:
            return
        head = words[0].lstrip("-+").rstrip("-+")  # Jinja2 whitespace control
        rest = " ".join(words[1:]).rstrip("-+").strip()
        if head in ("comment", "verbatim", "raw"):
            self.skip_until = "end" + head
        elif head == "autoescape" and words[1:]:
            self.autoescape.append(words[1].lower() not in ("off", "false"))
        elif head == "endautoescape" and self.autoescape:
            self.autoescape.pop()
        elif head in ("extends", "include"):
            target = rest.split()[0] if rest else ""
            if _STRING.match(target):
                self.fact(head, text, target[1:-1], "", pos)
            elif target:
                self.fact(head, text, target, "dynamic", pos)
        elif head == "for":
            found = _FOR.match(f"for {rest}")
            if found:
                root = _root(found.group(2))
                names = [n.strip() for n in found.group(1).split(",")]
                self.aliases.append(("for", dict.fromkeys(names, self.lookup(root or "") or None)))
        elif head == "with":
            found_as = _WITH_AS.match(f"with {rest}")
            pairs: list[tuple[str, str]] = (
                [(found_as.group(2), found_as.group(1))] if found_as else _WITH_KW.findall(rest)
            )
            bound: dict[str, str | None] = {}
            for name, expr in pairs:
                root = _root(_split_filters(expr)[0])
                bound[name] = self.lookup(root) if root else None
            self.aliases.append(("with", bound))
        elif head in ("endfor", "endwith"):
            while self.aliases:
                if self.aliases.pop()[0] == head[3:]:
                    break
        elif head == "set":  # Jinja2
            found = _SET.match(f"set {rest}")
            if found and self.aliases:
                root = _root(found.group(2))
                self.aliases[-1][1][found.group(1)] = self.lookup(root) if root else None
            elif found:
                root = _root(found.group(2))
                self.aliases.append(("set", {found.group(1): self.lookup(root) if root else None}))

    def scan(self, text: str) -> None:
        for lineno, line in enumerate(text.splitlines(), start=1):
            for match in _TAG.finditer(line):
                token = match.group(0)
                pos = (lineno, match.start() + 1, len(token))
                inner = token[2:-2].strip()
                if self.skip_until is not None:
                    if token.startswith("{%") and inner.split()[:1] == [self.skip_until]:
                        self.skip_until = None
                    continue
                if token.startswith("{#") and ("auditls" in token or "nosec" in token):
                    own_line = not line[: match.start()].strip()
                    self.facts.extend(
                        parse_comment(token[1:-1], lineno, match.start() + 2, own_line=own_line)
                    )
                elif token.startswith("{{"):
                    self.output(inner, token, pos)
                elif token.startswith("{%"):
                    self.tag(inner, token, pos)


def extract_template(source: bytes, path: str) -> FileFacts:
    """The facts of one template file (the module docstring). Pure; never fails: text that is
    not UTF-8 is read with replacement characters, as a browser would show it."""
    text = source.decode("utf-8", errors="replace").removeprefix("\ufeff")
    scanner = _Scanner(path)
    scanner.scan(text)
    return FileFacts(path=path, module=path, status="ok", facts=scanner.facts)
