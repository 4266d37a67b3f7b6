"""The daemon gives memory back (``server.memory``): glibc's free pages after a store batch, at
most once per interval, and the unreachable cycles among frozen objects after an index and
when a folder is idle (a soak of 300 edit/save cycles grew 43 MB that ``malloc_trim`` gave
back, and ``gc.freeze`` kept what the index built from ever being collected once replaced)."""

from __future__ import annotations

import functools
import gc
import weakref
from pathlib import Path

from auditls.config import Config
from auditls.facts import FileFacts
from auditls.server import memory
from auditls.server.engine import TIDY_BATCHES, FolderEngine
from auditls.server.memory import Trimmer

EVAL = "def f(code):\n    return eval(code)\n"


class _Cycle:
    """An object in a reference cycle with itself: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_trimmer_trims_at_most_once_per_interval() -> None:
    now = [100.0]
    trimmer = Trimmer(interval=2.0, clock=lambda: now[0])
    assert trimmer.maybe() is True  # the first call trims
    now[0] += 1.9
    assert trimmer.maybe() is False  # 1.9 s later: too soon
    now[0] += 0.1
    assert trimmer.maybe() is True  # 2.0 s after the last trim
    assert trimmer.maybe() is False
    assert trimmer.maybe(force=True) is True  # the store goes idle: trim whatever the time
    assert trimmer.trims == 3


def test_trim_runs_on_linux_with_glibc() -> None:
    # The container this runs in is Linux with glibc; elsewhere trim() says it could not.
    assert memory.trim() is (memory._TRIM is not None)


async def test_each_store_batch_asks_the_trimmer(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "a.py").write_text("x = 1\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    asked: list[int] = []

    class Counting(Trimmer):
        def maybe(self, *, force: bool = False) -> bool:
            asked.append(force)
            return False

    engine.trimmer = Counting()
    try:
        await engine.run(engine.open)
        await engine.run(engine.index)
        for n in range(3):
            (root / "a.py").write_text(EVAL if n % 2 == 0 else "x = 1\n")
            await engine.refresh_batched({root / "a.py"})
        assert asked == [True, True, True]  # one per batch, forced: none waits behind it
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()


async def test_a_frozen_cycle_is_collected_by_the_next_index_and_by_tidy(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "a.py").write_text(EVAL)
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    try:
        await engine.run(engine.open)
        for collect in (engine.index, functools.partial(engine.tidy, force=True)):
            held = _Cycle()
            dead = weakref.ref(held)
            await engine.run(engine.index)  # freezes what lives, `held` with it
            assert dead() is not None
            del held  # unreachable now, but frozen: a plain collection leaves it
            gc.collect()
            assert dead() is not None
            await engine.run(collect)
            assert dead() is None, collect
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()
        gc.unfreeze()  # the other tests' objects back in the collector's generations


async def test_tidy_collects_only_after_enough_batches(tmp_path: Path) -> None:
    """A full collection holds the interpreter for about a second on a large workspace: an
    idle folder's ``tidy`` runs it once ``TIDY_BATCHES`` store batches ran since the last."""
    root = tmp_path.resolve()
    (root / "a.py").write_text(EVAL)
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    try:
        await engine.run(engine.open)
        held = _Cycle()
        dead = weakref.ref(held)
        await engine.run(engine.index)  # freezes `held`
        del held
        assert await engine.run(engine.tidy) == 0  # no batch since the index
        assert dead() is not None
        for _ in range(TIDY_BATCHES):
            await engine.refresh_batched([root / "a.py"])
        assert await engine.run(engine.tidy) > 0
        assert dead() is None
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()
        gc.unfreeze()


def test_refreeze_keeps_what_lives_frozen() -> None:
    held = _Cycle()
    alive = weakref.ref(held)
    try:
        memory.refreeze()
        assert alive() is held
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_the_server_tidies_an_idle_folder_after_its_snapshot() -> None:
    # publish.snapshot, which the folder's snapshot debouncer runs after SNAPSHOT_IDLE seconds
    # without a change, asks the engine to tidy after writing the snapshot.
    from auditls.server import publish

    calls: list[str] = []

    class Engine:
        def snapshot(self) -> None:
            calls.append("snapshot")

        def tidy(self) -> int:
            calls.append("tidy")
            return 0

        async def run(self, fn: object) -> object:
            assert callable(fn)
            return fn()

        problem = None

    class Folder:
        engine = Engine()

    class Server:
        stopped = False
        supervised = False  # run alone: never asks to be replaced (``recycle``)

    await publish.snapshot(Server(), Folder())  # type: ignore[arg-type]
    assert calls == ["snapshot", "tidy"]
    calls.clear()
    Server.stopped = True  # shutting down: the snapshot only
    await publish.snapshot(Server(), Folder())  # type: ignore[arg-type]
    assert calls == ["snapshot"]


SETTINGS = "INSTALLED_APPS = ['app']\nDEBUG = {debug}\nSECRET_KEY = 'k'\n"


async def test_a_replaced_django_model_is_freed_without_the_collector(tmp_path: Path) -> None:
    """What an index built is frozen (``memory.refreeze``): when a save replaces it, only
    reference counting can free it before the next tidy. The Django model and its settings
    referred to each other, so a replaced model kept its linker and every Django file's facts
    (a batch of 340 files left 126,000 such objects, 17 MB, in the soak)."""
    from auditls.knowledge.heuristics import LOCAL_SETTINGS_MODULE
    from auditls.models.django import model_of

    root = tmp_path.resolve()
    (root / "proj").mkdir()
    (root / "proj" / "settings.py").write_text(SETTINGS.format(debug=False))
    (root / "proj" / "views.py").write_text("def home(request):\n    return request.GET['q']\n")
    engine = FolderEngine(root, Config(), "utf-16", lambda rel: rel)
    try:
        await engine.run(engine.open)
        await engine.run(engine.index)  # freezes what it built, the Django model with it

        def current() -> object:
            model = model_of(engine._require())
            model.effective_settings(LOCAL_SETTINGS_MODULE)  # as the Django rules ask
            return model

        old = await engine.run(current)
        dead = weakref.ref(old)
        del old
        (root / "proj" / "settings.py").write_text(SETTINGS.format(debug=True))
        await engine.refresh_batched([root / "proj" / "settings.py"])
        assert await engine.run(current) is not dead()  # built again from the new settings
        assert dead() is None  # freed at once: no cycle holds it
    finally:
        await engine.run(engine.close)
        engine.shutdown_thread()
        gc.unfreeze()


def test_the_taint_engines_index_of_wanted_names_keeps_one_caller_as_a_name() -> None:
    """``TaintEngine._wanted`` (a name a call may resolve to -> the units making such calls) is
    built whole at the first edit that adds or removes a function, and kept: a set per name
    was 8.5 MB on the benchmark corpus, where most names have one caller."""
    from auditls.extractors import extract
    from auditls.taint import engine_of_files

    def facts(text: str) -> FileFacts:
        return extract(text.encode(), "m.py", module="m")

    helper = "def helper(y):\n    return y\n"
    main = "def main(x):\n    return helper(x)\n"
    engine = engine_of_files([facts(main)])
    engine.paths()
    # A function appears: the units calling its name are linked again (the index is built).
    engine.update({"m.py": facts(helper + main)})
    assert engine._wanted["m.helper"] == "m.main"  # one caller: its name, no set
    assert engine._callees["m.main"] == ("m.helper",)
    engine.update({"m.py": facts(helper + main + main.replace("main", "other"))})
    assert engine._wanted["m.helper"] == {"m.main", "m.other"}  # two: a set
    assert engine._callees["m.other"] == ("m.helper",)
