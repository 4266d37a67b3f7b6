"""Yield points (``auditls.yielding``): a thread's hook runs at them, and the store thread's long
steps reach them (a file extracted again, its facts read back, the linker and the taint engine
brought up to date), so that an open
buffer's analysis does not share the interpreter with them."""

from __future__ import annotations

import asyncio
import traceback
from pathlib import Path

import pytest

from auditls import yielding
from auditls.config import Config
from auditls.server import engine as engine_module
from auditls.server.engine import FolderEngine


def test_point_calls_this_threads_hook_inside_the_block_only() -> None:
    calls: list[str] = []
    yielding.point()
    with yielding.hooked(lambda: calls.append("outer")):
        yielding.point()
        with yielding.hooked(lambda: calls.append("inner")):
            yielding.point()
        yielding.point()
    yielding.point()
    assert calls == ["outer", "inner", "outer"]


def test_a_store_batch_reaches_the_points_of_its_long_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    helpers = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(120))
    view = root / "views.py"
    view.write_text("import os\n\n\n" + helpers + "def run(cmd):\n    os.system(helper_1(cmd))\n")
    monkeypatch.setattr(engine_module, "YIELD_EVERY", 0.0)
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: f"file:///ws/{rel}")
    where: set[tuple[str, str]] = set()

    def step_aside() -> None:
        stack = traceback.extract_stack()[:-1]
        where.update((Path(frame.filename).name, frame.name) for frame in stack)

    try:
        engine.call_blocking(engine.open, 60)
        engine.call_blocking(engine.index, 60)
        engine.step_aside = step_aside
        view.write_text(view.read_text() + "\n\ndef extra(y):\n    os.system(y)\n")
        changes = asyncio.run(engine.refresh_batched({view}))
        assert "views.py" in changes.updated
    finally:
        engine.call_blocking(engine.close, 60)
        engine.shutdown_thread()
    assert ("engine.py", "_yield_point") in where
    assert ("walker.py", "run") in where  # between two function bodies
    assert ("engine.py", "summarise") in where  # the taint engine, between two components
    assert ("store.py", "file_facts") in where  # a file's facts decoded
    assert ("linker.py", "_refresh") in where  # between two selections brought up to date
