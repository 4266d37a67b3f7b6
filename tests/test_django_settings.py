"""Settings in effect (``auditls.models.django.settings``): the modules
``DJANGO_SETTINGS_MODULE`` names, split settings, and values through star imports in order."""

from __future__ import annotations

from auditls.extractors import extract
from auditls.facts import FileFacts
from auditls.knowledge.heuristics import LOCAL_SETTINGS_MODULE
from auditls.models.django import DjangoModel


def _model(sources: dict[str, str]) -> DjangoModel:
    files: list[FileFacts] = [
        extract(text.encode(), path, module=path.removesuffix(".py").replace("/", "."))
        for path, text in sources.items()
    ]
    return DjangoModel.from_files(files)


def _judged(model: DjangoModel) -> list[tuple[str, str, str]]:
    s = model.effective_settings(LOCAL_SETTINGS_MODULE)
    return [(j.module.rpartition(".")[2], j.site.fact.name, j.root.rpartition(".")[2])
            for j in s.judged if j.site.fact.name in ("DEBUG", "SECRET_KEY")]  # fmt: skip


BASE = 'INSTALLED_APPS = []\nDEBUG = True\nSECRET_KEY = "k"\n'


def test_an_override_after_the_star_import_wins_one_before_it_does_not() -> None:
    model = _model({
        "proj/settings/base.py": BASE,
        "proj/settings/prod.py": "from .base import *\nDEBUG = False\n",
        "proj/settings/early.py": "DEBUG = False\nfrom .base import *\n",
        "proj/settings/dev.py": "from .base import *\nDEBUG = True\n",
    })  # fmt: skip
    s = model.effective_settings(LOCAL_SETTINGS_MODULE)
    assert sorted(s.roots) == ["proj.settings.early", "proj.settings.prod"]
    assert [x.fact.value for x in s.effective("proj.settings.prod")["DEBUG"]] == ["false"]
    assert [x.fact.value for x in s.effective("proj.settings.early")["DEBUG"]] == ["true"]
    # base's DEBUG is in effect in early only (early's own is replaced by the star import);
    # base's key in both; dev is never judged
    judged = _judged(model)
    assert [(module, name) for module, name, _ in judged] == [
        ("base", "DEBUG"),
        ("base", "SECRET_KEY"),
        ("prod", "DEBUG"),
    ]
    assert judged[0][2] == "early"


def test_named_modules_are_roots_even_when_star_imported_and_local_ones_never() -> None:
    model = _model({
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", '
                     '"proj.settings.local")\n',
        "proj/wsgi.py": 'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings.base"\n',
        "proj/settings/base.py": BASE,
        "proj/settings/local.py": "from .base import *\n",
        "proj/settings/site.py": "from .base import *\nDEBUG = False\n",
    })  # fmt: skip
    s = model.effective_settings(LOCAL_SETTINGS_MODULE)
    assert s.named == ["proj.settings.local", "proj.settings.base"]
    assert s.roots == ["proj.settings.base", "proj.settings.site"]
    assert ("base", "DEBUG", "base") in _judged(model)


def test_middleware_added_to_in_another_module_is_not_written_whole() -> None:
    model = _model({
        "proj/settings/base.py": 'INSTALLED_APPS = []\nMIDDLEWARE = ["a.B"]\n',
        "proj/settings/prod.py": 'from .base import *\nMIDDLEWARE += ["c.D"]\n',
    })  # fmt: skip
    rows = model.effective_settings(LOCAL_SETTINGS_MODULE).effective("proj.settings.prod")[
        "MIDDLEWARE"
    ]
    assert [r.fact.via for r in rows] == ["assign", "augment"]
