"""The saved taint state (``auditls.taint.state``): one chunk per file, and a save after an
edit encodes again only the chunks of the files whose units changed (``state.Image``); the
file it writes equals a full save, and a damaged chunk is refused (the engine is built again).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import msgpack
import pytest

from auditls import source_digest
from auditls.knowledge.taint import DEFAULT_MODELS
from auditls.store import Store
from auditls.taint import _ENGINES, save_state, taint_of
from auditls.taint.state import (
    _GIVEN,
    STATE_NAME,
    Image,
    StateError,
    _new_unit,
    dump,
    load,
    read_header,
)
from auditls.taint.values import Unit
from tests.test_taint_incremental import (
    STEPS,
    _apply_step,
    _built_again_as_clean,
    _index,
    _same_as_clean,
    _saved_state,
)

REPO = Path(__file__).resolve().parent.parent


def _objects(path: Path) -> list[object]:
    with path.open("rb") as stream:
        return list(msgpack.Unpacker(stream, strict_map_key=False, use_list=True))


def _full_save(store: Store) -> bytes:
    """The state of the store's engine as a save without an image writes it (every chunk
    encoded again)."""
    kept = _ENGINES[store]
    keys = {"models": kept.model_key}
    image = Image()
    data = b"".join(dump(kept.engine, source_digest(), kept.states, keys, image, kept.imports))
    assert image.encoded == len(kept.engine.program.files)
    return data


def test_a_save_after_an_edit_encodes_only_what_changed_and_equals_a_full_save(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(STEPS, root, ignore=shutil.ignore_patterns("*.py.*"))
    with _index(root) as store:
        taint_of(store).paths()
        path = save_state(store)
        assert path is not None
        image = _ENGINES[store].image
        assert image is not None
        files = len(_ENGINES[store].engine.program.files)
        assert image.encoded == files > 3  # the first save encodes every file
        assert path.read_bytes() == _full_save(store)
    named = _apply_step(root, 3)  # the helper now binds its parameter
    with _index(root) as store:
        engine = taint_of(store)
        engine.paths()
        assert engine.last_resummarised == named
        image = _ENGINES[store].image
        assert image is not None  # as read
        path = save_state(store)
        assert path is not None
        edited = {engine.program.units[name].path for name in named}
        assert 0 < image.encoded <= len(edited) < files
        assert path.read_bytes() == _full_save(store)
    with _index(root) as store:  # the state written after the edit reads back whole
        engine = taint_of(store)
        engine.paths()
        assert engine.resummarised == 0
        _same_as_clean(root, engine)


def test_a_save_with_nothing_changed_reuses_every_chunk(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "fixtures" / "django", root, ignore=shutil.ignore_patterns(".auditls"))
    with _index(root) as store:
        taint_of(store).paths()
        first = save_state(store)
        assert first is not None
        before = first.read_bytes()
    with _index(root) as store:
        taint_of(store).paths()
        kept = _ENGINES[store]
        kept.saved = -1  # write it again all the same
        assert save_state(store) is not None
        assert kept.image is not None
        assert kept.image.encoded == 0
        assert first.read_bytes() == before


@pytest.mark.parametrize("damage", ["garbage", "index", "type"])
def test_a_damaged_chunk_is_refused_and_the_engine_built_again(
    damage: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, path = _saved_state(tmp_path)
    objects = _objects(path)
    at = max(
        range(1, len(objects)),
        key=lambda i: len(msgpack.unpackb(objects[i][1], strict_map_key=False)[1]),  # type: ignore[index]
    )
    target, chunk = objects[at]  # type: ignore[misc]
    names, records, classes, tables = msgpack.unpackb(chunk, strict_map_key=False)
    if damage == "garbage":
        chunk = b"\xc1" + chunk[1:]  # a byte msgpack never writes
    elif damage == "index":
        records[0][0] = len(names) + 5  # a name that is not in the chunk
        chunk = msgpack.packb([names, records, classes, tables])
    else:
        records[0][2] = "one"  # a line that is not a number
        chunk = msgpack.packb([names, records, classes, tables])
    objects[at] = [target, chunk]
    packer = msgpack.Packer(use_bin_type=True)
    path.write_bytes(b"".join(packer.pack(o) for o in objects))
    _built_again_as_clean(root, caplog)
    assert "damaged" in caplog.text


def test_a_state_missing_a_file_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(STEPS, root, ignore=shutil.ignore_patterns("*.py.*"))
    with _index(root) as store:
        taint_of(store).paths()
        path = save_state(store)
        assert path is not None
        objects = _objects(path)
        resolve = _ENGINES[store].engine.program.resolve
        objects = iter(objects[:-1])
        header = read_header(objects, source_digest())
        with pytest.raises(StateError, match="damaged"):
            load(header, objects, resolve, DEFAULT_MODELS, lambda p, f: (), relink=False)
    assert path.name == STATE_NAME


def test_units_read_back_are_made_as_the_dataclass_makes_light_units() -> None:
    given = {
        "path": "a.py",
        "qualname": "a.C.f",
        "class_name": "a.C",
        "line": 3,
        "column": 4,
        "params": ["self", "x"],
        "refs": (("os.system", None),),
        "reads_source": True,
        "calls_sink": True,
        "is_view": True,
    }
    assert tuple(given) == _GIVEN
    made = _new_unit(*given.values())  # type: ignore[arg-type]
    expected = Unit(**given)  # type: ignore[arg-type]
    expected.lighten()
    for f in dataclasses.fields(Unit):
        assert getattr(made, f.name) == getattr(expected, f.name), f.name
    other = _new_unit("a.py", "a.g", None, 5, 1, [], (), False, False, False)
    assert other.flows is made.flows  # the shared empty rows of light units
    assert other.route_params is made.route_params  # shared, replaced whole, never written


def test_a_warm_start_after_an_import_changed_resolves_calls_again(tmp_path: Path) -> None:
    """The saved imports of the files whose state is the same stand; a file whose imports
    changed makes every call resolve again, as a clean build does (here a call in a file
    that did not change, through a name the changed file re-exports)."""
    root = tmp_path / "ws"
    for name, text in {
        "risky.py": "import os\n\n\ndef run(command):\n    os.system(command)\n",
        "tame.py": "def run(command):\n    return command\n",
        "app.py": "from risky import run\n",
        "main.py": "from app import run\n\n\ndef main():\n    run(input())\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    with _index(root) as store:
        assert {p.sink.path for p in taint_of(store).paths()} == {"risky.py"}
        assert save_state(store) is not None
    app = root / "app.py"
    app.write_text(app.read_text().replace("from risky", "from tame"), encoding="utf-8")
    with _index(root) as store:
        engine = taint_of(store)
        assert engine.paths() == []
        _same_as_clean(root, engine)
        assert save_state(store) is not None
    app.write_text(app.read_text().replace("from tame", "from risky"), encoding="utf-8")
    with _index(root) as store:
        engine = taint_of(store)
        assert {p.sink.path for p in engine.paths()} == {"risky.py"}
        _same_as_clean(root, engine)
