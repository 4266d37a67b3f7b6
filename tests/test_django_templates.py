"""Templates: which files are templates, what the scanner reads in them, how the index treats
them (capped, no symlink out, re-read on change), and render calls reaching their unescaped
outputs as XSS taint paths (``auditls.extractors.django.templates``, ``renders``,
``models.django.taint`` step 7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.extractors import extract, is_indexed
from auditls.facts.core import SuppressionFact
from auditls.facts.django import DjangoTemplateFact
from auditls.index import index_workspace
from auditls.rules import analyse
from auditls.store import Store


def rows(text: str) -> list[tuple[int, str, str, str]]:
    ff = extract(text.encode(), "app/templates/app/t.html")
    assert ff.status == "ok"
    return [(f.line, f.kind, f.name, f.why) for f in ff.of(DjangoTemplateFact)]


@pytest.mark.parametrize(
    ("name", "indexed"),
    [
        ("shop/templates/shop/list.html", True),
        ("templates/base.htm", True),
        ("shop/list.html", False),  # not under a templates directory
        ("shop/templates/shop/mail.txt", False),
        ("templates.html", False),
        ("shop/templatetags/tags.py", True),
    ],
)
def test_which_files_are_read(name: str, indexed: bool) -> None:
    assert is_indexed(name) is indexed


def test_a_template_is_named_by_its_path_and_never_parsed_as_python() -> None:
    ff = extract(b"{% if x %}<p>{{ x|safe }}</p>{% endif %}\n", "a/templates/a/t.html")
    assert (ff.status, ff.module) == ("ok", "a/templates/a/t.html")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ x|safe }}", [(1, "unescaped", "x", "safe")]),
        ("{{ xs|safeseq|join:', ' }}", [(1, "unescaped", "xs", "safeseq")]),
        ("{{ x }} {{ x|escape }}", []),
        ("{{ x|safe|force_escape }} {{ x|safe|length }}", []),
        ('{{ "<b>"|safe }} {{ 3|safe }} {{ block.super }}', []),
        ("{% autoescape off %}{{ a }} {{ b|escape }}{% endautoescape %}{{ c }}",
         [(1, "unescaped", "a", "autoescape off")]),
        ("{% autoescape off %}{% autoescape on %}{{ a }}{% endautoescape %}{% endautoescape %}",
         []),
        ("{% autoescape false %}{{ a }}{% endautoescape %}",  # Jinja2
         [(1, "unescaped", "a", "autoescape off")]),
        ("{% for c in comments %}{{ c.body|safe }}{% endfor %}{{ c|safe }}",
         [(1, "unescaped", "comments", "safe"), (1, "unescaped", "c", "safe")]),
        ("{% with b=bio|upper %}{{ b|safe }}{% endwith %}", [(1, "unescaped", "bio", "safe")]),
        ("{% with bio as b %}{{ b|safe }}{% endwith %}", [(1, "unescaped", "bio", "safe")]),
        ("{% comment %}\n{{ x|safe }}\n{% endcomment %}\n{{ y|safe }}",
         [(4, "unescaped", "y", "safe")]),
        ("{% verbatim %}{{ x|safe }}{% endverbatim %}", []),
        ('{{ x|default:"a|safe" }}', []),  # a quoted | is no filter
        ("{{ x\n|safe }}", []),  # a tag never spans lines
        ('{% extends "base.html" %}{% include "p.html" with a=b %}{% include name %}',
         [(1, "extends", "base.html", ""), (1, "include", "p.html", ""),
          (1, "include", "name", "dynamic")]),
    ],
)  # fmt: skip
def test_what_a_template_says(text: str, expected: list[tuple[int, str, str, str]]) -> None:
    assert rows(text) == expected


def test_bytes_that_are_not_utf8_and_suppressions() -> None:
    ff = extract(b"\xff{{ x|safe }} {# auditls: ignore[AUD423] #}\n", "templates/t.html")
    assert [f.name for f in ff.of(DjangoTemplateFact)] == ["x"]
    assert [f.codes for f in ff.of(SuppressionFact)] == [("AUD423",)]
    report = analyse([ff])
    assert [f.rule for f in report.findings] == []


VIEWS = """\
from django.shortcuts import render


def search(request):
    q = request.GET.get("q", "")
    return render(request, "shop/search.html", {"q": q})
"""


def _project(tmp_path: Path, template: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "shop" / "templates" / "shop").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "views.py").write_text(VIEWS)
    (tmp_path / "shop" / "templates" / "shop" / "search.html").write_text(template)
    return tmp_path


def _findings(root: Path, store: Store, config: Config | None = None) -> list[tuple[str, str]]:
    index_workspace(root, store, config or Config(), progress=False, snapshot=False)
    return sorted((f.rule, f"{f.path}:{f.line}") for f in analyse(store).findings)


def test_an_edit_of_the_template_adds_and_removes_the_path(tmp_path: Path) -> None:
    root = _project(tmp_path, "<p>{{ q }}</p>\n")
    template = root / "shop" / "templates" / "shop" / "search.html"
    with Store.open(root, persist=False) as store:
        assert _findings(root, store) == []
        template.write_text("<p>{{ q|safe }}</p>\n")
        os.utime(template, ns=(1, 1))  # a different stat whatever the clock's resolution
        found = _findings(root, store)
        assert found == [("AUD423", "shop/templates/shop/search.html:1"),
                         ("AUD505", "shop/views.py:6")]  # fmt: skip
        (trace,) = [f.trace for f in analyse(store).findings if f.rule == "AUD505"]
        assert (trace[-1].path, trace[-1].line) == ("shop/templates/shop/search.html", 1)
        template.unlink()
        assert _findings(root, store) == []


def test_templates_are_capped_and_never_followed_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.html").write_text("{{ q|safe }}\n")
    root = _project(tmp_path / "ws", "<p>{{ q }}</p>\n")
    (root / "shop" / "templates" / "linked.html").symlink_to(outside / "t.html")
    (root / "shop" / "templates" / "big.html").write_text("{{ q|safe }}\n" + "x" * 2000)
    with Store.open(root, persist=False) as store:
        found = _findings(root, store, Config(max_file_size=1000))
        # The link leads out: never read. The big one is skipped unread, and said so.
        assert found == [("AUD003", "shop/templates/big.html:1")]
        statuses = {row.path: row.status for row in store.files()}
        assert statuses["shop/templates/big.html"] == "skipped"
        assert "shop/templates/linked.html" not in statuses
        assert statuses["shop/templates/shop/search.html"] == "ok"
