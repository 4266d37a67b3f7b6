"""AUD423: a template outputs a variable unescaped (``|safe``, ``|safeseq``, ``{% autoescape off
%}``). A file rule over a template's facts (``auditls.extractors.django.templates``); where the
view's context value comes from request data, the taint engine reports the path as an XSS
finding at the ``render()`` call, its trace ending at the template's line
(``auditls.models.django.taint``: renders)."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.facts.django import DjangoTemplateFact
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, at_fact, short
from auditls.rules.model import rule
from auditls.rules.registry import register

TEMPLATE_UNESCAPED = "AUD423"

_WHY = {
    "safe": "`|safe` marks it safe",
    "safeseq": "`|safeseq` marks its items safe",
    "autoescape off": "`{% autoescape off %}` is in force",
}


def check_unescaped(index: FactIndex) -> Iterator[Finding]:
    """Fields: ``output``, ``name``, ``why``."""
    for fact in index.facts(DjangoTemplateFact):
        if fact.kind != "unescaped":
            continue
        yield at_fact(
            index,
            TEMPLATE_UNESCAPED,
            fact,
            "low",
            output=short(fact.text, 60),
            name=fact.name,
            why=_WHY.get(fact.why, fact.why),
        )


RULES = (
    rule(
        TEMPLATE_UNESCAPED, "template-unescaped-output", "warning", "low", 79,
        summary="A template outputs a variable without HTML escaping (`|safe`, `|safeseq`, "
        "`{% autoescape off %}`).",
        details=(
            "Reported for every `{{ ... }}` in a template file (`.html` / `.htm` under a "
            "`templates` directory; Django's template language, and Jinja2's where they agree) "
            "that the engine will not escape: a `|safe` or `|safeseq` filter, or any output "
            "inside `{% autoescape off %}` (`false` in Jinja2), unless a later filter escapes "
            "again (`force_escape`, `escapejs`, `urlencode`) or makes a number of it. "
            "Confidence is low: where the value comes from is not known in the template; when "
            "a view renders it with request data in that variable, the taint path is reported "
            "at the `render()` call (AUD505) with this line as its last step. Literals "
            "and the engine's own variables (`block.super`, `forloop`) are never reported."
        ),
        message="`{output}` is written into the page unescaped ({why}): if `{name}` can hold "
        "user input, its markup runs in the browser. Let the engine escape it (no `|safe`, "
        "no `{{% autoescape off %}}`), or build the HTML with `format_html()` in the view.",
        fix="Remove `|safe` / `{% autoescape off %}`; build trusted markup in Python with "
        "`django.utils.html.format_html()` and mark only that safe.",
        bad="<p>{{ comment.body|safe }}</p>\n",
        good="<p>{{ comment.body }}</p>\n",
        check=check_unescaped, example="templates/example_{}.html",
    ),
)  # fmt: skip

register(*RULES)
