"""Open buffers in the engine's store, below the LSP boundary (``server/engine.py``): the last
good buffer stands in for its file for the workspace rules, a save of the same text or a change
on disk keeps that true, and the snapshot never holds the buffer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.extractors import extract, module_name_for
from auditls.index.workers import content_hash
from auditls.server.documents import buffer_bytes
from auditls.server.engine import Buffer, FolderEngine
from auditls.store import Store

from .helpers import write_workspace
from .test_lsp_buffers import SHOP_INIT, SHOP_VIEWS

GUARDED = SHOP_INIT.replace('@app.post("/notes")\n', '@app.post("/notes")\n@login_required\n')
APP = "shop/__init__.py"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FolderEngine]:
    root = (tmp_path / "ws").resolve()
    files = {
        "pyproject.toml": "[project]\nname = 'ws'\n",
        APP: SHOP_INIT,
        "shop/views.py": SHOP_VIEWS,
    }
    write_workspace(root, files)
    eng = FolderEngine(root, Config(), "utf-16", lambda rel: f"file:///ws/{rel}")
    eng.open()
    eng.index()
    yield eng
    eng.close()
    eng.shutdown_thread()


def buffer(engine: FolderEngine, rel: str, text: str) -> Buffer:
    data = buffer_bytes(text)
    module = module_name_for(engine.root / rel, engine.root)
    facts = extract(data, rel, module=module)
    assert facts.status == "ok"
    return Buffer(facts, text, content_hash(data))


def route_flagged(engine: FolderEngine) -> bool:
    return [f.rule for f in engine.workspace_findings("shop/views.py")] == ["AUD304"]


def test_a_buffer_stands_in_for_its_file_and_never_reaches_the_snapshot(
    engine: FolderEngine,
) -> None:
    assert not route_flagged(engine)
    changes = engine.set_buffers({APP: buffer(engine, APP, GUARDED)})
    assert [p.finding.rule for p in changes.workspace["shop/views.py"]] == ["AUD304"]
    assert route_flagged(engine)

    # The disk changes under the buffer (a syntax error saved): the buffer still counts, and
    # the disk's per-file state is what the refresh reports.
    (engine.root / APP).write_text(GUARDED + "\nif True\n")
    changes = engine.refresh({engine.root / APP})
    assert APP in changes.updated  # the disk's file changed (it no longer parses)
    assert route_flagged(engine)

    # The snapshot holds the disk (the broken file), the live store the buffer.
    engine.snapshot()
    snap = Store.open(engine.root)
    try:
        assert snap.get_file(APP).status == "syntax_error"  # type: ignore[union-attr]
    finally:
        snap.close()
    assert route_flagged(engine)

    # The buffer's text saved: the disk now is the buffer, nothing is laid over.
    (engine.root / APP).write_text(GUARDED)
    engine.refresh({engine.root / APP})
    assert route_flagged(engine)
    assert engine.overlaid() == []

    # Typed again (unsaved), then closed: the disk counts again.
    engine.set_buffers({APP: buffer(engine, APP, SHOP_INIT)})
    assert not route_flagged(engine)
    assert engine.overlaid() == [APP]
    engine.drop_buffer(APP)
    assert route_flagged(engine)
    assert engine.overlaid() == []
