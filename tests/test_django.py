"""The Django domain on ``fixtures/django``: the model (URL confs across files, view auth,
signals, managers), the extractors' edge cases, the hover text (a signal with receivers in
several apps), the providers as the server calls them, and workspace symbols."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditls.config import Config, load_config
from auditls.extractors import extract
from auditls.facts.django import DjangoSignalFact, DjangoUrlFact, DjangoViewFact
from auditls.index import index_workspace
from auditls.models.django import DjangoModel, model_of
from auditls.server.django.text import model_markdown, signal_markdown, view_markdown
from auditls.server.hover import HoverContext, hover_markdown, providers
from auditls.server.symbols import symbols_matching
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "django"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store.open(PROJECT, persist=False) as opened:
        index_workspace(PROJECT, opened, Config(), progress=False, snapshot=False)
        yield opened


@pytest.fixture(scope="module")
def model(store: Store) -> DjangoModel:
    return model_of(store)


def test_urls_are_followed_across_files_with_namespaces_and_routers(model: DjangoModel) -> None:
    assert model.roots == ["config.urls"]
    by_name = {e.name: e for e in model.endpoints if e.name}
    assert by_name["shop:order"].pattern == "orders/<int:pk>/"
    assert by_name["shop:order"].kwargs == ("pk",)
    assert by_name["accounts:login"].view == "accounts.views.login_view"
    assert by_name["blog:preview"].pattern == r"blog/(?P<pk>\d+)/preview/"
    assert by_name["order"].pattern == "api/v1/orders/"  # a router's register(basename=)
    assert by_name["profile"].kwargs == ("username",)
    assert any(e.admin for e in model.endpoints)


def test_view_auth_comes_from_every_mechanism(model: DjangoModel) -> None:
    def auth(view: str) -> tuple[bool, list[str], list[str]]:
        a = model.view_auth(model.views[view].fact)
        return a.protected, a.how, a.misordered

    assert auth("shop.views.checkout") == (True, ["`login_required`"], [])
    assert auth("shop.views.OrderDeleteView")[1] == ["`login_required` on `dispatch`"]
    assert auth("shop.views.OrderUpdateView") == (False, [], ["LoginRequiredMixin"])
    assert auth("shop.views.own_check")[1] == ["an inline `request.user` check"]
    assert auth("api.views.OrderViewSet")[1] == [
        "DRF IsAuthenticated (REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES)"
    ]
    assert model.view_auth(model.views["api.views.HealthView"].fact).public


def test_signals_group_receivers_across_apps(model: DjangoModel) -> None:
    placed = model.signals["shop.signals.order_placed"]
    assert sorted(s.fact.role for s in placed) == ["connect", "define", "send"]
    post_save = model.signals["django.db.models.signals.post_save"]
    assert {s.fact.handler for s in post_save} == {
        "shop.signals.release_stock", "shop.signals.notify_warehouse",
        "shop.signals.audit_product", "accounts.audit.mirror_note", "accounts.audit.mirror_product",
    }  # fmt: skip
    text = signal_markdown(model, "shop.signals.order_placed")
    assert text is not None
    assert "**Receivers (1)**" in text
    assert (
        "`accounts.signals.email_receipt` · any sender · dispatch_uid `accounts.email_receipt`"
        in text
    )
    assert "`send()` in `shop.signals.notify_warehouse` · sender `Order` · order, total" in text


def test_connect_that_is_not_a_signal_is_never_a_row() -> None:
    source = b"import sqlite3\nimport socket\n\nconn = sqlite3.connect('db')\n" \
             b"s = socket.socket()\ns.connect(('h', 1))\ns.send(b'x')\n"  # fmt: skip
    facts = extract(source, "app/db.py", module="app.db")
    assert facts.of(DjangoSignalFact) == []


def test_view_and_url_edge_cases() -> None:
    source = b"""
from django.conf.urls import include, url
from django.http import HttpResponse


def legacy(request, year):
    if request.method == "POST":
        return HttpResponse(year)


def helper(value):
    return value


urlpatterns = [url(r"^y/(?P<year>\\d{4})/$", legacy), url(r"^x/", include([]))]
"""
    facts = extract(source, "app/urls.py", module="app.urls")
    views = {v.qualname: v for v in facts.of(DjangoViewFact)}
    assert set(views) == {"app.urls.legacy"}
    assert views["app.urls.legacy"].methods == ("*", "POST")
    assert views["app.urls.legacy"].url_params == ("year",)
    urls = facts.of(DjangoUrlFact)
    assert [(u.kind, u.include) for u in urls] == [("re_path", None), ("include", "<inline>")]


def test_view_and_model_hover_text(model: DjangoModel) -> None:
    text = view_markdown(model, model.views["shop.views.CartView"].fact)
    assert text.startswith("**Django class-based view `shop.views.CartView`**")
    assert "- `/cart/` · name `shop:cart`" in text
    assert "**Auth:** none" in text
    assert "**CSRF:** exempt (`csrf_exempt`)" in text
    order = model_markdown(model, "shop.models.Order")
    assert order is not None
    assert (
        "`objects` = `shop.managers.OrderManager` · methods get_queryset, search, totals" in order
    )
    assert "runs raw SQL" in order
    assert "Registered in the admin at `shop/admin.py:11` with `OrderAdmin`" in order
    assert "- lookups from `**request.GET.dict()`: `filter.order_by` at `shop/views.py:39`" in order


def context(store: Store, path: str, line: int, column: int) -> HoverContext:
    facts = store.file_facts(path)
    assert facts is not None
    query: Callable[[Callable[[Store], Any]], Any] = lambda fn: fn(store)  # noqa: E731
    return HoverContext(
        uri=f"file:///{path}", path=path, line=line, column=column,
        text=(PROJECT / path).read_text(encoding="utf-8"), facts=facts, findings=[],
        docs_base=None, store_query=query,
    )  # fmt: skip


def test_providers_answer_on_signals_receivers_views_and_models(store: Store) -> None:
    assert {"django.signals", "django.views", "django.models"} <= set(providers())
    # A send site in shop/signals.py: the receiver connected in accounts/signals.py.
    on_send = hover_markdown(context(store, "shop/signals.py", 18, 9))
    assert on_send is not None
    assert "**Django signal `shop.signals.order_placed`**" in on_send
    assert "accounts/signals.py:16" in on_send
    # post_save.connect in AppConfig.ready: every receiver of post_save, from both files.
    on_connect = hover_markdown(context(store, "shop/apps.py", 13, 9))
    assert on_connect is not None
    assert "**Receivers (5)**" in on_connect
    assert "`shop.signals.notify_warehouse` · sender `Order`" in on_connect
    # The receiver's def line: its signal and the send site that reaches it.
    on_receiver = hover_markdown(context(store, "accounts/signals.py", 12, 5))
    assert on_receiver is not None
    assert "receives `shop.signals.order_placed` (any sender)" in on_receiver
    assert "sent by `shop.signals.notify_warehouse` (order, total)" in on_receiver
    on_view = hover_markdown(context(store, "shop/views.py", 105, 7))
    assert on_view is not None
    assert "note: LoginRequiredMixin" in on_view
    on_entry = hover_markdown(context(store, "shop/urls.py", 21, 10))  # path("cart/", ...)
    assert on_entry is not None
    assert "**Django class-based view `shop.views.CartView`**" in on_entry
    on_model = hover_markdown(context(store, "blog/models.py", 9, 7))
    assert on_model is not None
    assert "`live` = `blog.models.PublishedManager`" in on_model


def test_workspace_symbols_find_url_patterns_and_signals(store: Store) -> None:
    found = symbols_matching("orders cancel")(store)
    assert any(s.name == "/orders/<int:pk>/cancel/ · shop:order-cancel" for s in found)
    signals = symbols_matching("order_placed")(store)
    assert [(s.name, s.path, s.line) for s in signals if s.detail.startswith("signal")] == [
        ("shop.signals.order_placed", "shop/signals.py", 11)
    ]


def test_include_of_a_list_and_old_style_urls() -> None:
    root = b"""
from django.conf.urls import include, url
from django.contrib import admin
from django.urls import path

from . import views

api_urls = [
    url(r"^auth/", include(("site.auth_urls", "auth"), namespace="auth")),
    url(r"^ping/$", views.ping, name="ping"),
]

urlpatterns = [
    url(r"^admin/", include(admin.site.urls)),
    url(r"^api/", include((api_urls, "api"), namespace="api")),
]
"""
    auth = b"""
from django.urls import path

from .views import login

urlpatterns = [path("login/", login, name="login")]
"""
    views = b"def ping(request):\n    return None\n\n\ndef login(request):\n    return None\n"
    files = [
        extract(root, "site/urls.py", module="site.urls"),
        extract(auth, "site/auth_urls.py", module="site.auth_urls"),
        extract(views, "site/views.py", module="site.views"),
    ]
    model = DjangoModel.from_files(files)
    found = sorted((e.pattern, e.name) for e in model.endpoints if not e.admin)
    assert found == [("api/auth/login/", "api:auth:login"), ("api/ping/", "api:ping")]
    assert any(e.admin for e in model.endpoints)


def test_a_class_on_a_base_of_another_file_is_a_view_when_it_handles_requests() -> None:
    source = b"""
from django.http import JsonResponse

from core.views import BaseView


class Thing(BaseView):
    def post(self, request, pk):
        return JsonResponse({})


class NotAView(dict):
    def get(self, key):
        return 1
"""
    views = extract(source, "app/views.py", module="app.views").of(DjangoViewFact)
    assert [(v.qualname, v.methods) for v in views] == [("app.views.Thing", ("POST",))]


def test_the_model_stands_while_no_django_file_changes(tmp_path: Path) -> None:
    """``model_of`` builds the model again only when a file with Django facts changed, or what
    the linker reads of every file (module-level imports, modules)."""
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "django", root,
                    ignore=shutil.ignore_patterns(".auditls"))  # fmt: skip
    config = load_config(root)
    plain = root / "plain.py"
    plain.write_text("def helper(x):\n    return x\n", encoding="utf-8")
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, config, progress=False, snapshot=False)
        first = model_of(store)
        plain.write_text("def helper(x):\n    return x + 1\n", encoding="utf-8")
        index_workspace(root, store, config, progress=False, snapshot=False)
        assert model_of(store) is first  # a file without Django facts changed its body
        plain.write_text("import os\n\ndef helper(x):\n    return x + 1\n", encoding="utf-8")
        index_workspace(root, store, config, progress=False, snapshot=False)
        second = model_of(store)
        assert second is not first  # its imports changed: a re-export could have moved
        first = second
        views = root / "shop" / "views.py"
        views.write_text(views.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        index_workspace(root, store, config, progress=False, snapshot=False)
        assert model_of(store) is not first
