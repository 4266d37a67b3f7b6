"""SIGKILL at seeded points of a cold index, an incremental update and a snapshot write
(issue 16): no stray process, no temp file, and the store equals a clean index after
reconciliation. The rounds live in ``bench/kill_soak.py``, which runs many more."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfds, /proc")


def soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kill_soak", REPO / "bench" / "kill_soak.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("mode", "seed"),
    [("cold", 1), ("cold", 4), ("incremental", 2), ("snapshot", 3), ("snapshot", 5)],
)
def test_a_killed_index_leaves_a_sound_store(tmp_path: Path, mode: str, seed: int) -> None:
    assert soak().one_round(REPO / "fixtures", mode, seed, tmp_path) == []
