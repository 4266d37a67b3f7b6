"""Celery's tasks and beat schedule on ``fixtures/taint`` (a Flask shop whose views queue
tasks): the hover on a task says where beat runs it and which calls queue it."""

from __future__ import annotations

from pathlib import Path

from auditls.config import load_config
from auditls.facts.celery import CeleryTaskFact
from auditls.index import index_workspace
from auditls.server.celery.hover import task_markdown
from auditls.store import Store

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "taint"


def test_the_task_hover_lists_its_schedule_and_queue_sites() -> None:
    with Store.open(PROJECT, persist=False) as store:
        index_workspace(PROJECT, store, load_config(PROJECT), progress=False, snapshot=False)
        tasks = {
            t.qualname: t
            for facts in store.facts_of_files(CeleryTaskFact, None).values()
            for t in facts
        }
        assert set(tasks) == {
            "shop.worker.purge", "shop.worker.purge_quoted", "shop.worker.reindex",
        }  # fmt: skip
        assert tasks["shop.worker.reindex"].bind
        text = task_markdown(store, tasks["shop.worker.purge"])
        assert text.startswith("**Celery task** `shop.worker.purge`")
        assert "- `purge-sessions` every `3600.0` (shop/celeryconfig.py:8)" in text
        assert "- shop/background.py:20 `purge.delay(...)` in `shop.background.purge_view`" in text
        text = task_markdown(store, tasks["shop.worker.reindex"])
        assert "bound (`self` is the task)" in text
        assert "Not scheduled by beat." in text
        assert text.count("reindex.apply_async(...)") == 1
        assert "reindex.delay(...)" in text
