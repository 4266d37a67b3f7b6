"""Refreshes asked for while one waits for the store's thread are merged into it
(``FolderEngine.refresh_batched``): saves faster than the store re-indexes queue one job, not
one each (the soak's daemon held 1,250 queued jobs and the documents they named)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from auditls.config import Config
from auditls.server.engine import FolderEngine

EVAL = "def f(code):\n    return eval(code)\n"


async def test_refreshes_asked_while_one_waits_are_merged(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    for name in ("a", "b", "c", "d"):
        (root / f"{name}.py").write_text("x = 1\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    try:
        await engine.run(engine.open)
        await engine.run(engine.index)
        refreshed: list[set[str]] = []
        real = engine.refresh

        def recording(paths: set[Path]) -> object:
            refreshed.append({p.name for p in paths})
            return real(paths)

        engine.refresh = recording  # type: ignore[method-assign]
        gate = threading.Event()
        blocked = asyncio.ensure_future(engine.run(gate.wait))  # the store's thread is busy
        for name in ("a", "b", "c"):
            (root / f"{name}.py").write_text(EVAL)
        waiting = [
            asyncio.ensure_future(engine.refresh_batched({root / f"{name}.py"}))
            for name in ("a", "b", "c")
        ]
        await asyncio.sleep(0)  # let them all join (no thread can start the batch yet)
        gate.set()
        await blocked
        results = await asyncio.gather(*waiting)
        assert refreshed == [{"a.py", "b.py", "c.py"}]  # one refresh for the three
        assert all(r is results[0] for r in results)  # the same Changes for every caller
        assert sorted(results[0].updated) == ["a.py", "b.py", "c.py"]
        # Once a batch has started, a new call starts a new one.
        (root / "d.py").write_text(EVAL)
        later = await engine.refresh_batched({root / "d.py"})
        assert refreshed[-1] == {"d.py"}
        assert sorted(later.updated) == ["d.py"]
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()
