"""What the Django model tells the taint engine: URL kwargs by converter and regex, through
``include()`` prefixes and several patterns, class views' ``self.kwargs`` and ``**kwargs``, and
validated form data by field type (``auditls.models.django.taint``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.extractors import extract
from auditls.facts import FileFacts
from auditls.index import index_workspace
from auditls.knowledge.django import HARMLESS_ALL, HARMLESS_SLUG
from auditls.models.django import DjangoModel, django_taint
from auditls.models.django.taint import regex_harmless
from auditls.store import Store
from auditls.taint import TaintEngine, engine_of_files, taint_of

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "django"


@pytest.mark.parametrize(
    ("body", "harmless"),
    [
        (r"\d+", HARMLESS_ALL),
        (r"[0-9]{4}", HARMLESS_ALL),
        (r"\d{1,3}", HARMLESS_ALL),
        (r"[-\w]+", HARMLESS_SLUG),
        (r"[a-z0-9-]+", HARMLESS_SLUG),
        (r"\w+", HARMLESS_SLUG),
        (r"[\w.@+-]+", frozenset()),
        (r"[^/]+", frozenset()),
        (r".+", frozenset()),
        (r"(foo|bar)", frozenset()),
    ],
)
def test_regex_groups(body: str, harmless: frozenset[str]) -> None:
    assert regex_harmless(body) == harmless


def _files(sources: dict[str, str]) -> list[FileFacts]:
    return [
        extract(text.encode(), path, module=path.removesuffix(".py").replace("/", "."))
        for path, text in sources.items()
    ]


URLS = """
from django.urls import include, path, re_path
from app import views

urlpatterns = [
    path("a/<str:name>/<int:pk>/", views.page),
    path("b/<slug:name>/<int:pk>/", views.page),
    path("c/<uuid:token>/", views.safe),
    re_path(r"^d/(?P<year>\\d+)/(?P<q>[^/]+)/$", views.search),
    path("t/<path:team>/", include("app.team_urls")),
    path("r/<str:kind>/", views.Report.as_view()),
    path("th/<str:name>/", views.thing),
]
"""
TEAM_URLS = """
from django.urls import path
from app import views

urlpatterns = [path("board/", views.board)]
"""
VIEWS = """
from django import forms
from django.db import connection
from django.http import HttpResponse
from django.views import View

from app.models import Thing


class Ask(forms.Form):
    age = forms.IntegerField()
    slug = forms.SlugField()
    text = forms.CharField()


def page(request, name, pk):
    return HttpResponse("<p>" + name + str(pk))


def safe(request, token):
    return HttpResponse("<p>" + token)


def search(request, year, q):
    return HttpResponse("<p>" + year + q)


def board(request, team):
    return HttpResponse("<p>" + team)


class Report(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse("<p>" + kwargs["kind"])

    def other(self):
        return HttpResponse("<p>" + self.kwargs.get("missing", ""))


def thing(request, name):
    found = Thing.objects.filter(name=name).first()
    if found:
        return HttpResponse("<p>" + found.title)
    made = Thing.objects.create(name=name)
    return HttpResponse("<p>" + made.title)


def ask(request):
    form = Ask(request.POST)
    if form.is_valid():
        connection.cursor().execute("SELECT " + form.cleaned_data["slug"])
        connection.cursor().execute("SELECT " + form.cleaned_data.get("age"))
        connection.cursor().execute("SELECT " + form.cleaned_data["text"])
        return HttpResponse("<p>" + form.cleaned_data["slug"] + form.cleaned_data["text"])
    return HttpResponse("")
"""


@pytest.fixture(scope="module")
def files() -> list[FileFacts]:
    models = "from django.db import models\n\n\nclass Thing(models.Model):\n    pass\n"
    return _files({"app/urls.py": URLS, "app/team_urls.py": TEAM_URLS, "app/views.py": VIEWS,
                   "app/models.py": models})  # fmt: skip


def test_kwargs_by_view_meet_over_patterns_and_prefixes(files: list[FileFacts]) -> None:
    found = django_taint(DjangoModel.from_files(files))
    # `name` is <str> on one pattern and <slug> on the other: what both make harmless.
    assert found.kwargs["app.views.page"] == {"name": frozenset(), "pk": HARMLESS_ALL}
    assert found.kwargs["app.views.safe"] == {"token": HARMLESS_ALL}
    assert found.kwargs["app.views.search"] == {"year": HARMLESS_ALL, "q": frozenset()}
    assert found.kwargs["app.views.board"] == {"team": frozenset()}  # the include's prefix
    assert found.kwargs["app.views.Report"] == {"kind": frozenset()}
    assert len(found.fetches["app.views.thing"]) == 1  # the filter, not the create
    assert found.spreads == {"app.views.Report.get": "kwargs"}
    assert found.bound["app.views.Report"]["form_valid"] == "django.http.HttpRequest.POST"
    assert "app.views.page" not in found.bound  # a function view
    reads = found.reads["app.views.ask"]["form.cleaned_data"]
    assert sorted(h for _, h in reads) == sorted(
        [HARMLESS_SLUG, HARMLESS_ALL, frozenset(), HARMLESS_SLUG, frozenset()]
    )
    # a key no pattern captures is not request data
    assert found.reads["app.views.Report.other"]["self.kwargs"][0][1] == HARMLESS_ALL


def test_paths_from_url_kwargs_and_form_fields(files: list[FileFacts]) -> None:
    paths = engine_of_files(files).paths()
    got = sorted((p.sink.line, p.rule.code, p.origin) for p in paths)
    lines = VIEWS.splitlines()

    def line(text: str) -> int:
        return next(i for i, t in enumerate(lines, 1) if text in t)

    kwarg = "django.urls.ResolverMatch.kwargs"
    post = "django.http.HttpRequest.POST"
    assert got == sorted(
        [
            (line('"<p>" + name'), "AUD505", kwarg),
            (line('"<p>" + year + q'), "AUD505", kwarg),
            (line('"<p>" + team'), "AUD505", kwarg),
            (line('"<p>" + made.title'), "AUD505", kwarg),
            (line('kwargs["kind"]'), "AUD505", kwarg),
            (line('cleaned_data["text"])'), "AUD501", post),
            (line('"<p>" + form.cleaned_data["slug"]'), "AUD505", post),
        ]
    )


def _paths(engine: TaintEngine) -> set[tuple[str, int, str]]:
    return {(p.sink.path, p.sink.line, p.rule.code) for p in engine.paths()}


def test_edits_of_url_confs_and_forms_update_the_engine_in_place(tmp_path: Path) -> None:
    """An edit in ``urls.py`` changes what a view in ``views.py`` receives, and an edit in
    ``forms.py`` what a read in ``views.py`` holds: the engine kept for the store follows both,
    and equals one built from scratch."""
    root = tmp_path / "ws"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".auditls"))
    views = root / "shop" / "views.py"
    label = next(i for i, t in enumerate(views.read_text().splitlines(), 1) if "Label " in t)
    review = next(
        i for i, t in enumerate(views.read_text().splitlines(), 1) if "stars, sorted by" in t
    )
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, Config(), progress=False, snapshot=False)
        engine = taint_of(store)
        assert ("shop/views.py", label, "AUD505") in _paths(engine)
        assert ("shop/views.py", review, "AUD505") not in _paths(engine)
        urls = root / "shop" / "urls.py"
        urls.write_text(urls.read_text().replace("<str:label>", "<slug:label>"))
        forms = root / "shop" / "forms.py"
        forms.write_text(
            forms.read_text().replace("rating = forms.IntegerField", "rating = forms.CharField")
        )
        index_workspace(root, store, Config(), progress=False, snapshot=False)
        assert taint_of(store) is engine
        assert ("shop/views.py", label, "AUD505") not in _paths(engine)
        assert ("shop/views.py", review, "AUD505") in _paths(engine)
        assert engine.last_resummarised <= {
            "shop.views.label_page", "shop.views.review", "shop.urls", "shop.forms",
            "shop.forms.ReviewForm", "shop.views.ContactView.form_valid",
        }  # fmt: skip
        with Store.open(root, persist=False) as clean:
            index_workspace(root, clean, Config(), progress=False, snapshot=False)
            fresh = taint_of(clean)
            assert engine.paths() == fresh.paths()
            assert engine.summaries == fresh.summaries


def test_an_object_looked_up_by_a_url_kwarg_is_not_the_kwarg() -> None:
    """``content_type.get_object_for_this_type(pk=object_id)`` returns a row of the database
    (Django's own ``contenttypes`` shortcut view redirects to its URL): no path; redirecting
    to the kwarg itself is one."""
    views = (
        "from django.contrib.contenttypes.models import ContentType\n"
        "from django.http import HttpResponseRedirect\n\n\n"
        "def shortcut(request, content_type_id, object_id):\n"
        "    content_type = ContentType.objects.get(pk=content_type_id)\n"
        "    obj = content_type.get_object_for_this_type(pk=object_id)\n"
        "    return HttpResponseRedirect(obj.get_absolute_url())\n\n\n"
        "def bounce(request, target):\n"
        "    return HttpResponseRedirect(target)\n"
    )
    urls = (
        "from django.urls import path\nfrom app import views\n\nurlpatterns = [\n"
        '    path("r/<int:content_type_id>/<str:object_id>/", views.shortcut),\n'
        '    path("b/<str:target>/", views.bounce),\n]\n'
    )
    engine = engine_of_files(_files({"app/views.py": views, "app/urls.py": urls}))
    sinks = {(p.sink.path, p.sink.line) for p in engine.paths()}
    assert sinks == {("app/views.py", 12)}  # bounce only
