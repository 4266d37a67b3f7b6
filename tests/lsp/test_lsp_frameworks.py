"""End to end, as an editor shows them (a real ``auditls serve``, once as VS Code and once as
Neovim 0.11): a taint path whose halves are on two sides of a Celery queue and a thread, paths
that cross a Django signal and a Celery chain (one task's result into the next), and a
FastAPI API whose routers are mounted in another module.

The taint diagnostic sits at the sink in the task's module; its related locations walk from the
request read in the view, through the call that queues the task, to the sink. Hover on the
sink shows the same steps. A save of the view that stops queueing request data removes it.
Hover on a FastAPI operation gives its full path and its authentication; the workspace symbols
list operations by method and full path; an unguarded POST is AUD313.
"""

from __future__ import annotations

import pytest
from lsprotocol import types

from .helpers import (
    AuditClient,
    editor_client,
    files,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = (
    "import threading\n\nfrom flask import Flask, request\n\n"
    "from shop.worker import export, purge\n\napp = Flask(__name__)\n\n\n"
    '@app.get("/purge")\ndef purge_view():\n'
    '    purge.delay(request.args["name"])\n    return "queued"\n\n\n'
    '@app.get("/export")\ndef export_view():\n'
    '    threading.Thread(target=export, args=(request.args["path"],)).start()\n'
    '    return "started"\n'
)
WORKER = (
    "import os\n\nfrom celery import shared_task\n\n\n"
    "@shared_task\ndef purge(name):\n"
    '    os.system("rm -rf /srv/cache/" + name)\n\n\n'
    "def export(path):\n"
    '    with open("/srv/exports/" + path, "w") as out:\n        out.write("done")\n'
)
API_MAIN = (
    "from fastapi import FastAPI\n\nfrom api import items\n\napp = FastAPI()\n"
    'app.include_router(items.router, prefix="/v1")\n'
)
API_ITEMS = (
    "from fastapi import APIRouter, Depends\nfrom fastapi.security import HTTPBearer\n\n"
    'router = APIRouter(prefix="/items")\nbearer = HTTPBearer()\n\n\n'
    '@router.get("/{item_id}")\ndef read(item_id: int, creds=Depends(bearer)):\n'
    "    return {}\n\n\n"
    '@router.post("/")\ndef create(name: str):\n    return {}\n'
)
NOTE_VIEWS = (
    "from django.dispatch import Signal\nfrom django.http import HttpResponse\n\n"
    "note_added = Signal()\n\n\n"
    "def add_note(request):\n"
    '    note_added.send(sender=None, text=request.POST["text"])\n'
    "    return HttpResponse(status=201)\n"
)
NOTE_RECEIVERS = (
    "from django.db import connection\nfrom django.dispatch import receiver\n\n"
    "from notes.views import note_added\n\n\n"
    "@receiver(note_added)\ndef index_note(sender, text, **kwargs):\n"
    "    with connection.cursor() as cur:\n"
    '        cur.execute("INSERT INTO notes VALUES (\'" + text + "\')")\n'
)
FEEDS = (
    "from celery import chain, shared_task\nfrom flask import Flask, request\n\n"
    "app = Flask(__name__)\n\n\n"
    "@shared_task\ndef fetch(url):\n    return url.strip()\n\n\n"
    "@shared_task\ndef store(body):\n"
    '    with open("/srv/feeds/" + body, "w") as out:\n        out.write("ok")\n\n\n'
    '@app.get("/feed")\ndef feed_view():\n'
    '    chain(fetch.s(request.args["url"]), store.s()).apply_async()\n'
    '    return "queued"\n'
)
FILES = {
    "notes/__init__.py": "",
    "notes/views.py": NOTE_VIEWS,
    "notes/receivers.py": NOTE_RECEIVERS,
    "shop/feeds.py": FEEDS,
    "shop/__init__.py": "",
    "shop/views.py": VIEWS,
    "shop/worker.py": WORKER,
    "api/__init__.py": "",
    "api/main.py": API_MAIN,
    "api/items.py": API_ITEMS,
}
SINK_LINE = 7  # 0-based: os.system(...) in worker.py
OPEN_LINE = 11  # open(...) in worker.py


client = editor_client(files(FILES))


def _by_code(found: object, code: str) -> list[types.Diagnostic]:
    assert isinstance(found, list | tuple)
    return [d for d in found if d.code == code]


async def test_the_steps_cross_the_queue_and_the_thread(client: AuditClient) -> None:
    worker = client.uri("shop/worker.py")
    views = client.uri("shop/views.py")
    found = await client.diagnostics_for(
        worker,
        lambda d: {"AUD502", "AUD504"} <= {x.code for x in d},
        "the taint findings at the task's and the thread's sinks",
    )
    [command] = _by_code(found, "AUD502")
    assert command.range.start.line == SINK_LINE
    assert command.related_information is not None
    steps = [
        (r.location.uri, r.location.range.start.line, r.message)
        for r in command.related_information
    ]
    assert steps[0][:2] == (views, 11)  # request.args read in the view
    assert "request data" in steps[0][2]
    assert (views, 11, "queues the Celery task `shop.worker.purge`") in steps
    assert steps[-1][:2] == (worker, SINK_LINE)  # the sink, last
    assert any(uri == worker and "parameter `name`" in msg for uri, _, msg in steps)

    [path] = _by_code(found, "AUD504")
    assert path.range.start.line == OPEN_LINE
    assert path.related_information is not None
    messages = [r.message for r in path.related_information]
    assert "runs `shop.worker.export` in a thread" in messages


async def test_the_steps_cross_a_signal_and_a_celery_chain(client: AuditClient) -> None:
    receivers, views = client.uri("notes/receivers.py"), client.uri("notes/views.py")
    found = await client.diagnostics_for(
        receivers, lambda d: "AUD501" in {x.code for x in d}, "the SQL finding in the receiver"
    )
    [sql] = _by_code(found, "AUD501")
    assert sql.range.start.line == 9
    assert sql.related_information is not None
    steps = [
        (r.location.uri, r.location.range.start.line, r.message) for r in sql.related_information
    ]
    assert steps[0][:2] == (views, 7)  # request.POST read in the view that sends
    assert (views, 7, "sends the signal to receiver `notes.receivers.index_note`") in steps
    assert steps[-1][:2] == (receivers, 9)

    feeds = client.uri("shop/feeds.py")
    found = await client.diagnostics_for(
        feeds, lambda d: "AUD504" in {x.code for x in d}, "the path finding in the chained task"
    )
    [path] = _by_code(found, "AUD504")
    assert path.range.start.line == 13
    assert path.related_information is not None
    messages = [r.message for r in path.related_information]
    assert "queues the Celery task `shop.feeds.fetch`" in messages  # the URL goes in
    assert "passes the result on to the Celery task `shop.feeds.store`" in messages  # and on


async def test_hover_on_the_sink_shows_the_path(client: AuditClient) -> None:
    worker = client.open("shop/worker.py", WORKER)
    await client.diagnostics_for(
        worker, lambda d: "AUD502" in {x.code for x in d}, "the command finding", version=1
    )
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=worker),
            position=types.Position(line=SINK_LINE, character=6),
        )
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    assert "AUD502" in text
    assert "queues the Celery task `shop.worker.purge`" in text
    assert "`shop/views.py:12`" in text  # the step in the view, 1-based as people read it
    client.close("shop/worker.py")


async def test_a_saved_view_that_stops_queueing_request_data(client: AuditClient) -> None:
    worker = client.uri("shop/worker.py")
    await client.diagnostics_for(
        worker, lambda d: "AUD502" in {x.code for x in d}, "the command finding"
    )
    rel = "shop/views.py"
    edited = VIEWS.replace('purge.delay(request.args["name"])', 'purge.delay("daily")')
    uri = client.open(rel, VIEWS)
    client.replace(rel, edited, version=2)
    (client.root / rel).write_text(edited, encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # The thread's path stays (the file's own findings may be published before the
    # workspace's: wait for both).
    await client.diagnostics_for(
        worker,
        lambda d: "AUD502" not in {x.code for x in d} and "AUD504" in {x.code for x in d},
        "the task's taint finding to go once the view queues a constant",
    )
    client.close(rel)


async def test_fastapi_operations_in_the_editor(client: AuditClient) -> None:
    items = client.uri("api/items.py")
    [gap] = await client.diagnostics_for(
        items, lambda d: [x.code for x in d] == ["AUD313"], "the unguarded POST"
    )
    assert gap.range.start.line == 12  # the @router.post decorator, 0-based
    assert "`POST /v1/items/`" in gap.message
    assert "`GET /v1/items/{item_id}` requires `bearer`" in gap.message

    uri = client.open("api/items.py", API_ITEMS)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=8, character=2),  # @router.get(...)
        )
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    text = result.contents.value
    assert "**FastAPI GET** `/v1/items/{item_id}` · `api.items.read`" in text
    assert "- Authentication: by `bearer`" in text
    assert "- Parsed by FastAPI into harmless values: `item_id`" in text
    client.close("api/items.py")

    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="v1 items"))
    assert found is not None
    names = {s.name for s in found}
    assert {"GET /v1/items/{item_id}", "POST /v1/items/"} <= names
