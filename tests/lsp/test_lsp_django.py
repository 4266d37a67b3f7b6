"""End to end for Django: a real ``auditls serve`` as VS Code and as Neovim, hovering on a
signal whose receivers live in two apps, and finding URL patterns as workspace symbols. The
hover text itself is tested below the protocol (``tests/test_django.py``)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .helpers import (
    AuditClient,
    editor_client,
    files,
    progress_done,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILES = {
    "pyproject.toml": "[project]\nname = 'ws'\n\n[tool.auditls]\n",
    "orders/__init__.py": "",
    "orders/signals.py": (
        "from django.dispatch import Signal\n\norder_paid = Signal()\n\n\n"
        "def pay(order):\n    order_paid.send(sender=type(order), order=order, amount=1)\n"
    ),
    "orders/urls.py": (
        "from django.urls import path\n\nfrom . import views\n\napp_name = 'orders'\n"
        "urlpatterns = [path('<int:pk>/pay/', views.pay_view, name='pay')]\n"
    ),
    "orders/views.py": (
        "from django.contrib.auth.decorators import login_required\n\n\n"
        "@login_required\ndef pay_view(request, pk):\n    return None\n"
    ),
    "billing/__init__.py": "",
    "billing/receivers.py": (
        "from django.dispatch import receiver\n\nfrom orders.signals import order_paid\n\n\n"
        "@receiver(order_paid)\ndef invoice(sender, order, amount, **kwargs):\n    pass\n"
    ),
    "mail/__init__.py": "",
    "mail/apps.py": (
        "from django.apps import AppConfig\n\n\nclass MailConfig(AppConfig):\n"
        "    name = 'mail'\n\n    def ready(self):\n"
        "        from orders.signals import order_paid\n\n        from .handlers import receipt\n\n"
        "        order_paid.connect(receipt, dispatch_uid='mail.receipt')\n"
    ),
    "mail/handlers.py": "def receipt(sender, order, **kwargs):\n    pass\n",
    "site_urls.py": (
        "from django.urls import include, path\n\n"
        "urlpatterns = [path('orders/', include('orders.urls'))]\n"
    ),
}


client = editor_client(files(FILES), "dj-")


async def test_hover_on_a_signal_lists_receivers_across_apps(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    rel = "orders/signals.py"
    uri = client.open(rel, FILES[rel])
    await client.diagnostics_for(uri, lambda d: True, "the opened buffer", version=1)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=6, character=6),  # order_paid.send(...)
        )
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    assert "**Django signal `orders.signals.order_paid`**" in text
    assert "**Receivers (2)**" in text
    assert (
        "`billing.receivers.invoice` · any sender · `@receiver` at `billing/receivers.py:6`" in text
    )
    assert "`mail.handlers.receipt` · any sender · dispatch_uid `mail.receipt`" in text
    assert "`send()` in `orders.signals.pay` · sender `type(order)` · order, amount" in text
    client.close(rel)


async def test_workspace_symbols_find_url_patterns(client: AuditClient) -> None:
    await client.until(lambda: progress_done(client), "the index")
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="orders pay"))
    assert found is not None
    by_name = {s.name: s for s in found}
    assert "/orders/<int:pk>/pay/ · orders:pay" in by_name
    pay = by_name["/orders/<int:pk>/pay/ · orders:pay"]
    assert isinstance(pay.location, types.Location)
    assert pay.location.uri == client.uri("orders/views.py")
