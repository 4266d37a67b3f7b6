"""The workspace linker on small multi-file workspaces, indexed into real stores: the module
index, imports and re-exports, star imports, aliases, helper parameters, the cache."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditls.config import Config
from auditls.facts import Fact
from auditls.facts.core import ClassFact, FunctionFact, ImportFact
from auditls.index import index_workspace
from auditls.link import Linker, import_generation, imports_digest, link_of, split_ref
from auditls.store import Store

PACKAGE = {
    "shop/__init__.py": """
        from shop.admin import panel
        from shop.catalog import *
        from . import orders as o
    """,
    "shop/admin/__init__.py": "from .views import panel\n",
    "shop/admin/views.py": """
        from shop.core import Panel as panel
    """,
    "shop/core.py": """
        class Panel:
            pass

        def make():
            return Panel()

        def register(target, name=None):
            pass
    """,
    "shop/catalog.py": """
        import shop.core as core

        shelf = core.Panel
        built = core.make()

        def browse():
            pass
    """,
    "shop/orders.py": """
        from shop.core import register

        def setup(app):
            register(app)
    """,
    "shop/empty.py": "X = 1\n",
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    write(tmp_path, PACKAGE)
    with Store.open(tmp_path) as store:
        index_workspace(tmp_path, store, Config(), progress=False)
        yield store


@pytest.fixture
def linker(store: Store) -> Linker:
    return Linker.from_store(store)


def test_module_index_covers_every_file_and_the_linked_ones_apart(store: Store) -> None:
    only_classes = Linker.from_store(store, [ClassFact])
    assert only_classes.modules["shop.admin"] == "shop/admin/__init__.py"
    assert only_classes.modules["shop.empty"] == "shop/empty.py"
    assert set(only_classes.files) == {"shop/core.py"}
    assert only_classes.linked_modules == {"shop.core": "shop/core.py"}


def test_imports_of_a_module_and_its_star_imports(linker: Linker) -> None:
    assert dict(linker.imports_of("shop")) == {"panel": "shop.admin.panel", "o": "shop.orders"}
    assert linker.stars["shop"] == ["shop.catalog"]
    assert dict(linker.imports_of("shop.empty")) == {}


def test_reexport_chain_through_packages_and_an_import_alias(linker: Linker) -> None:
    assert linker.chain("shop.panel") == [
        "shop.panel",
        "shop.admin.panel",  # the package re-exports it
        "shop.admin.views.panel",  # from its views module
        "shop.core.Panel",  # which imports it under another name
    ]
    assert linker.resolve("shop.panel") == "shop.core.Panel"
    assert linker.defines("shop.core.Panel")
    assert linker.classes["shop.core.Panel"].path == "shop/core.py"


def test_star_import_when_the_module_defines_the_name(linker: Linker) -> None:
    assert linker.resolve("shop.browse") == "shop.catalog.browse"  # a function
    assert linker.resolve("shop.shelf") == "shop.core.Panel"  # an alias, followed
    assert linker.resolve("shop.nowhere") == "shop.nowhere"  # not defined there: unknown


def test_a_call_result_is_not_an_alias(linker: Linker) -> None:
    assert linker.resolve("shop.catalog.built") == "shop.catalog.built"
    assert linker.assigned_calls("shop.catalog.built") == ["shop.core.make"]
    assert linker.assigned_calls("shop.catalog.shelf") == []


def test_stop_makes_a_reference_a_definition(linker: Linker) -> None:
    assert linker.resolve("shop.panel", stop={"shop.admin.panel"}) == "shop.admin.panel"
    assert linker.resolve("shop.panel") == "shop.core.Panel"  # the memo is for no stop only


def test_an_import_cycle_ends(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "from b import x\n", "b.py": "from a import x\n"})
    with Store.open(tmp_path, persist=False) as store:
        index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
        linker = Linker.from_store(store)
    assert linker.chain("a.x") == ["a.x", "b.x", "a.x"]


@dataclass(frozen=True)
class Passed:
    position: int
    keyword: str | None
    what: str


def test_helper_parameters_and_what_callers_pass(linker: Linker) -> None:
    param = linker.parameter("shop.core.register.target")
    assert param is not None
    assert (param.function, param.position) == ("shop.core.register", 0)
    assert linker.parameter("shop.core.make.target") is None
    passes = {
        "shop.orders.register": [Passed(0, None, "first"), Passed(1, None, "second")],
        "shop.core.register": [Passed(-1, "target", "by keyword")],
        "shop.core.make": [Passed(0, None, "another function")],
    }
    assert [p.what for p in linker.arguments(param, passes)] == ["first", "by keyword"]


def test_sites_in_file_then_source_order(linker: Linker) -> None:
    names = [(s.path, s.fact.qualname) for s in linker.sites(FunctionFact)]
    assert names == [
        ("shop/catalog.py", "shop.catalog.browse"),
        ("shop/core.py", "shop.core.make"),
        ("shop/core.py", "shop.core.register"),
        ("shop/orders.py", "shop.orders.setup"),
    ]
    assert linker.sites(FunctionFact) is linker.sites(FunctionFact)


def test_from_store_equals_from_files(store: Store, linker: Linker) -> None:
    files = [ff for row in store.files() if (ff := store.file_facts(row.path)) is not None]
    direct = Linker.from_files(files)
    for ref in ("shop.panel", "shop.browse", "shop.shelf", "shop.o", "shop.nowhere"):
        assert direct.chain(ref) == linker.chain(ref), ref
    assert direct.imports == linker.imports
    assert direct.modules == linker.modules


def test_module_level_imports_come_from_every_file(store: Store) -> None:
    # linking only shop/core.py still follows the package's re-exports, which sit elsewhere
    only_core = Linker.from_store(store, [ClassFact])
    assert only_core.resolve("shop.panel") == "shop.core.Panel"
    assert ("shop.orders", "register") in only_core.imports
    assert only_core.sites(ImportFact) == []  # core.py imports nothing


def test_link_of_is_cached_per_revision_and_selection(store: Store, tmp_path: Path) -> None:
    first = link_of(store)
    assert link_of(store) is first
    classes = link_of(store, [ClassFact])
    assert classes is not first
    assert link_of(store, (ClassFact,)) is classes
    write(tmp_path, {"shop/empty.py": "from shop.core import make as X\n"})
    index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
    again = link_of(store)
    assert again is not first
    assert again.resolve("shop.empty.X") == "shop.core.make"


@pytest.mark.parametrize(
    ("edit", "moves"),
    [
        ({"shop/catalog.py": "import shop.core as core\n\ndef browse():\n    return 1\n"}, False),
        ({"shop/catalog.py": "def browse():\n    import shop.core as core\n"}, True),
        ({"shop/catalog.py": "import shop.orders as core\n"}, True),
        ({"shop/orders.py": "from shop.core import register\nfrom shop import core\n"}, True),
        ({"shop/new.py": "X = 2\n"}, True),  # a new module
    ],
)
def test_the_imports_digest_moves_with_module_level_imports_only(
    store: Store, tmp_path: Path, edit: dict[str, str], moves: bool
) -> None:
    """What the CLI's caches compare between runs: every file's module and its module-level
    imports, in order; not a body, not an import inside a function."""
    write(tmp_path, {"shop/catalog.py": "import shop.core as core\n"})
    index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
    before = imports_digest(store)
    write(tmp_path, edit)
    index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
    assert (imports_digest(store) != before) is moves


def linked(linker: Linker, kept: frozenset[type[Fact]] | None = None) -> dict[str, object]:
    """Everything a linker answers from, with the linked files' order (their facts of the
    ``kept`` types, when given: what ``link_of`` keeps)."""
    return {
        "files": [
            (path, ff if kept is None else [f for f in ff.facts if type(f) in kept])
            for path, ff in linker.files.items()
        ],
        "modules": linker.modules,
        "linked_modules": linker.linked_modules,
        "imports": linker.imports,
        "stars": linker.stars,
        "assignments": linker.assignments,
        "params": linker.params,
        "functions": linker.functions,
        "classes": linker.classes,
        "calls": linker.calls,
        "returns": linker.returns,
        "sites": [linker.sites(t) for t in (ClassFact, FunctionFact, ImportFact)],
    }


def test_link_of_keeps_the_types_its_callers_read(store: Store) -> None:
    """A selection keeps, of its files, the linked types, its own and what callers read; a
    caller that reads more widens it (the same linker for every caller); ``sites`` of a type
    not kept is an error, not an empty answer; ``whole_file`` reads every fact again."""
    linker = link_of(store, [ClassFact])
    whole = Linker.from_store(store, [ClassFact])
    assert linker.kept is not None
    assert set(linker.files) == set(whole.files)
    for path, ff in linker.files.items():
        assert {type(f) for f in ff.facts} <= linker.kept
        assert linker.whole_file(path) == whole.files[path]
    assert linker.whole_file("no/such.py") is None
    dropped = sorted(
        {type(f) for ff in whole.files.values() for f in ff.facts} - linker.kept,
        key=lambda t: t.__name__,
    )
    assert dropped  # the flows of ``make`` at least
    with pytest.raises(LookupError, match=dropped[0].__name__):
        linker.sites(dropped[0])
    wider = link_of(store, [ClassFact], reads=[dropped[0]])
    assert wider.kept is not None
    assert dropped[0] in wider.kept
    assert wider.sites(dropped[0]) == whole.sites(dropped[0]) != []
    assert link_of(store, [ClassFact]) is wider


def test_link_of_after_edits_equals_a_fresh_linker(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept imports (the shared base) are brought up to date file by file; the generation
    moves only when what every linker reads of every file (imports, modules) changed; a
    linker derived from the one before (``Linker.updated``) equals one built afresh."""
    derived: list[bool] = []
    updated = Linker.updated

    def spy(self: Linker, changed: dict[str, object]) -> Linker | None:
        found = updated(self, changed)  # type: ignore[arg-type]
        derived.append(found is not None)
        return found

    monkeypatch.setattr(Linker, "updated", spy)

    def same_as_fresh() -> None:
        for selection in ([ClassFact], None):
            kept, fresh = link_of(store, selection), Linker.from_store(store, selection)
            assert linked(kept, kept.kept) == linked(fresh, kept.kept)
            for module in fresh.modules:
                assert kept.imports_of(module) == fresh.imports_of(module)

    same_as_fresh()
    generation = import_generation(store)
    edits: list[tuple[dict[str, str], bool]] = [
        (
            {"shop/core.py": textwrap.dedent(PACKAGE["shop/core.py"]) + "\nY = 2\n"},
            False,
        ),  # body only
        ({"shop/core.py": "def make():\n    return 1\n"}, False),  # leaves the selection
        (
            {
                "shop/catalog.py": textwrap.dedent(PACKAGE["shop/catalog.py"])
                + "\nclass Shelf:\n    pass\n"
            },
            False,
        ),
        (
            {"shop/core.py": textwrap.dedent(PACKAGE["shop/core.py"]) + "\nshelf = make()\n"},
            False,
        ),  # back
        ({"shop/empty.py": "from shop.catalog import *\nX = 1\n"}, True),  # a star import
        ({"shop/orders.py": "from shop.core import make as register\n"}, True),  # rebound
        ({"shop/new.py": "Z = 3\n"}, True),  # a new module
    ]
    for files, moves in edits:
        write(tmp_path, files)
        index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
        assert (import_generation(store) != generation) is moves, files
        generation = import_generation(store)
        same_as_fresh()
    assert derived.count(True) >= 6  # both selections, for the body-only edits
    # Two revisions with no linker asked for in between: derived from the one before both.
    count = derived.count(True)
    for extra in ("\nA = 1\n", "\nclass B:\n    pass\n"):
        write(tmp_path, {"shop/catalog.py": textwrap.dedent(PACKAGE["shop/catalog.py"]) + extra})
        index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
    same_as_fresh()
    assert derived.count(True) > count
    # Two projects side by side hold the same modules: derived still equals fresh.
    twin = {f"twin/{rel}": source for rel, source in PACKAGE.items()}
    write(tmp_path, twin)
    index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
    same_as_fresh()
    generation = import_generation(store)
    for rel in ("twin/shop/core.py", "shop/core.py"):
        write(
            tmp_path, {rel: textwrap.dedent(PACKAGE["shop/core.py"]) + "\nclass Extra:\n    pass\n"}
        )
        index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
        assert import_generation(store) == generation
        same_as_fresh()
    generation = import_generation(store)
    (tmp_path / "shop" / "new.py").unlink()
    index_workspace(tmp_path, store, Config(), progress=False, snapshot=False)
    assert import_generation(store) != generation  # a module went
    same_as_fresh()


@pytest.mark.parametrize(
    ("ref", "split"),
    [("m.x", ("m", "x")), ("m.f.<locals>.x", ("m.f", "x")), ("x", ("", "x"))],
)
def test_split_ref(ref: str, split: tuple[str, str]) -> None:
    assert split_ref(ref) == split
