"""Taint paths through the frameworks' own flows (issue 13), on the fixture projects: each kind
of crossing gives a path whose trace shows it. The fixture runner checks the findings at the
sinks; this checks how each path got there, and counts paths per flow kind."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from auditls.config import load_config
from auditls.index import index_workspace
from auditls.store import Store
from auditls.taint import TaintPath, taint_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: A flow kind -> the message of the step that crosses it.
KINDS = {
    "celery": "queues the Celery task",
    "celery canvas": "passes the result on to the Celery task",
    "thread": "in a thread",
    "executor": "in an executor",
    "signal": "sends the signal to receiver",
    "model save": "saves, which runs the receiver",
    "middleware": "a middleware stored on the request",
    "url kwarg": "a URL kwarg",
    "fastapi parameter": "request parameter",
    "object": "on it",
}


def _paths(project: str) -> list[TaintPath]:
    root = FIXTURES / project
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, load_config(root), progress=False, snapshot=False)
        return taint_of(store).paths()


def kinds_of(path: TaintPath) -> set[str]:
    return {k for k, text in KINDS.items() for s in path.steps if text in s.message}


@pytest.fixture(scope="module")
def paths() -> dict[str, list[TaintPath]]:
    return {p: _paths(p) for p in ("taint", "django", "fastapi", "aiohttp")}


def _one(paths: list[TaintPath], sink: str, line: int) -> TaintPath:
    [found] = [p for p in paths if p.sink.path == sink and p.sink.line == line]
    return found


def test_each_crossing_shows_in_the_trace(paths: dict[str, list[TaintPath]]) -> None:
    taint, django = paths["taint"], paths["django"]
    assert kinds_of(_one(taint, "shop/worker.py", 14)) == {"celery"}
    assert kinds_of(_one(taint, "shop/worker.py", 29)) == {"thread"}
    assert kinds_of(_one(taint, "shop/worker.py", 39)) == {"executor"}
    assert kinds_of(_one(taint, "shop/finders.py", 17)) == {"object"}
    # functions of the view's own module, passed by name
    assert kinds_of(_one(taint, "shop/background.py", 61)) == {"executor"}
    assert kinds_of(_one(taint, "shop/background.py", 71)) == {"thread"}
    assert kinds_of(_one(django, "accounts/audit.py", 17)) == {"signal"}
    assert kinds_of(_one(django, "accounts/audit.py", 27)) == {"signal"}
    save = _one(django, "accounts/audit.py", 36)
    assert kinds_of(save) == {"model save"}
    assert any(s.path == "shop/notes.py" for s in save.steps)  # the view's half
    assert kinds_of(_one(django, "shop/notes.py", 31)) == {"middleware"}
    assert kinds_of(_one(django, "shop/tasks.py", 13)) == {"celery"}  # keyword arguments
    assert "fastapi parameter" in kinds_of(_one(paths["fastapi"], "notes/main.py", 19))
    # Celery's canvas (shop/feeds.py): a chain, a `|`, a link= pass a task's result on
    for line in (23, 29, 35):
        assert kinds_of(_one(django, "shop/tasks.py", line)) == {"celery", "celery canvas"}
    assert kinds_of(_one(django, "shop/tasks.py", 47)) == {"celery"}  # a chord body's own arg
    group = _one(django, "shop/tasks.py", 59)  # group(t.si(name) for name in ...)
    assert kinds_of(group) == {"celery"}
    assert group.steps[0].path == "shop/feeds.py"


def test_paths_per_flow_kind(
    paths: dict[str, list[TaintPath]], capsys: pytest.CaptureFixture[str]
) -> None:
    counts: Counter[str] = Counter()
    for found in paths.values():
        for path in found:
            for kind in kinds_of(path) or {"direct or through helpers"}:
                counts[kind] += 1
    with capsys.disabled():
        print("\npaths per flow kind:", dict(sorted(counts.items())))
    assert all(counts[k] for k in KINDS)
