"""The safety nets of the per-file pre-filter and the extractor registry: skipping extractors
never changes what a file yields, and no extractor class is left out of the registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import auditls.extractors
from auditls.extractors import extract, module_name_for

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for p in (ROOT / "fixtures").rglob("*.py") if ".auditls" not in p.parts)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_the_prefilter_changes_nothing_on_the_fixtures(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An extractor that reads knowledge it did not declare would lose facts here."""
    source = path.read_bytes()
    rel = path.relative_to(ROOT).as_posix()
    module = module_name_for(path, path.parent)
    filtered = extract(source, rel, module=module).facts
    monkeypatch.setattr(auditls.extractors, "skipped", lambda scan: frozenset())
    assert extract(source, rel, module=module).facts == filtered


#: Run in a fresh interpreter: what ``extract`` registers by itself, against every extractor
#: class the package's modules define (importing a module registers it, so compare first).
_REGISTRY_CHECK = """
import importlib, pkgutil
import auditls.extractors as E
from auditls.extractors.walker import REGISTRY, Extractor
registered = set(REGISTRY)
for info in pkgutil.walk_packages(E.__path__, "auditls.extractors."):
    importlib.import_module(info.name)
def subclasses(cls):
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= subclasses(sub)
    return found
concrete = {c for c in subclasses(Extractor) if c.__dict__.get("name") and c.fact_types}
print(len(concrete), sorted(c.__name__ for c in concrete - registered))
"""


def test_every_extractor_class_is_registered() -> None:
    """A module of ``auditls.extractors`` its package forgot to import registers nothing."""
    done = subprocess.run(
        [sys.executable, "-c", _REGISTRY_CHECK],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    count, missing = done.stdout.split(" ", 1)
    assert int(count) > 30
    assert missing.strip() == "[]"
