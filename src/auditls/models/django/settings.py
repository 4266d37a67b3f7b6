"""Which settings rows are in effect, and where: the settings modules a project runs with and
the values they end up with through star imports.

1. **Named modules.** ``DJANGO_SETTINGS_MODULE`` set in ``manage.py``, ``wsgi.py``, ``asgi.py``
   (``os.environ.setdefault(...)`` or ``os.environ[...] = ...``) names the settings modules the
   project runs with (resolved to workspace modules).
2. **Roots.** The settings modules judged as a whole: the named ones, and every settings module
   that no settings module star-imports (``--settings=proj.settings.prod`` chooses among split
   settings; ``base.py`` is only their common part) — except modules named for development or
   tests (``local``: the rules pass the ``local-settings-module`` heuristic).
3. **Effective values.** A root's statements run in order: ``from .base import *`` brings the
   values base ends with (recursively), an assignment replaces a value, ``+=`` and
   ``MIDDLEWARE.append(...)`` add to it. So ``DEBUG = True`` in ``base.py`` overridden by
   ``DEBUG = False`` in ``prod.py`` is not in effect in ``prod``; a literal ``SECRET_KEY`` in
   ``base.py`` that ``prod.py`` never replaces is.
4. **Judged rows.** A row is judged when it is in effect in some root and its own module is not
   named for development or tests (``try: from .local import *`` at the end of ``settings.py``
   is a developer's override, not the deployed value).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from auditls.facts.core import ImportFact
from auditls.facts.django import DjangoSettingFact
from auditls.link import Site

if TYPE_CHECKING:
    from auditls.models.django.model import DjangoModel

Rows = dict[str, list[Site[DjangoSettingFact]]]
_MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class Judged:
    """A settings row in effect in a root settings module."""

    site: Site[DjangoSettingFact]
    module: str  # the module the row is written in
    root: str  # a root it is in effect in (its own module when it is one)


class Settings:
    """The settings of a workspace, judged as Django would run them (the module docstring)."""

    def __init__(
        self,
        model: DjangoModel,
        rows: list[Site[DjangoSettingFact]],
        named: list[Site[DjangoSettingFact]],
        local: Callable[[str], bool],
    ) -> None:
        """``local`` says whether a module is for development or tests (the rules pass the
        ``local-settings-module`` heuristic: a guess is theirs to name)."""  # fmt: skip
        # The model's linker, not the model: the model keeps this object (``effective_settings``),
        # and a cycle between the two kept the model, its linker and every Django file's facts
        # alive after the model was replaced, until a full collection (never, once frozen:
        # ``server.memory``).
        self.link = model.link
        self.local = local
        self.by_module: dict[str, list[Site[DjangoSettingFact]]] = defaultdict(list)
        for site in rows:
            self.by_module[self.module_of(site.path)].append(site)
        self.named_rows = named
        self._effective: dict[str, Rows] = {}

    def module_of(self, path: str) -> str:
        ff = self.link.files.get(path)
        return ff.module if ff is not None else ""

    @cached_property
    def named(self) -> list[str]:
        """Settings modules named by ``DJANGO_SETTINGS_MODULE``, in the workspace."""
        out: list[str] = []
        for site in self.named_rows:
            try:
                module = json.loads(site.fact.value or "null")
            except ValueError:
                continue
            if not isinstance(module, str) or module in out:
                continue
            if module in self.by_module or module in self.link.modules:
                out.append(module)
        return out

    def stars(self, module: str) -> list[tuple[int, str]]:
        """The settings modules ``module`` star-imports, with the line of each import."""
        link = self.link
        ff = link.files.get(link.modules.get(module, ""))
        targets = set(link.stars.get(module, ())) & self.by_module.keys()
        if not targets:
            return []
        if ff is None:  # a module with no settings rows of its own: its imports come first
            return [(0, target) for target in link.stars.get(module, ()) if target in targets]
        return [(f.line, f.target) for f in ff.of(ImportFact)
                if f.is_star and f.function == module and f.target in targets]  # fmt: skip

    @cached_property
    def roots(self) -> list[str]:
        imported: set[str] = set()
        for module in self.by_module:
            if not self.local(module):
                imported.update(target for _, target in self.stars(module))
        out = [m for m in self.named if not self.local(m)]
        out += [m for m in self.by_module if m not in imported and m not in out
                and not self.local(m)]  # fmt: skip
        return out

    def effective(self, module: str, depth: int = 0) -> Rows:
        """Setting -> the rows that make its value at the end of ``module``: the last
        assignment and what is added to it after."""
        if module in self._effective:
            return self._effective[module]
        self._effective[module] = {}  # a star-import cycle brings nothing
        events: list[tuple[int, int, Site[DjangoSettingFact] | str]] = [
            (site.fact.line, 1, site) for site in self.by_module.get(module, ())
        ]
        if depth < _MAX_DEPTH:
            events += [(line, 0, target) for line, target in self.stars(module)]
        state: Rows = {}
        for _, _, event in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(event, str):
                for name, sites in self.effective(event, depth + 1).items():
                    state[name] = list(sites)
            elif event.fact.via == "assign":
                state[event.fact.name] = [event]
            else:
                state.setdefault(event.fact.name, []).append(event)
        self._effective[module] = state
        return state

    @cached_property
    def judged(self) -> list[Judged]:
        """Every row in effect in some root, outside development and test modules, once (with
        its own module as the root when it is one)."""
        found: dict[tuple[str, int, int], Judged] = {}
        for root in self.roots:
            for sites in self.effective(root).values():
                for site in sites:
                    module = self.module_of(site.path)
                    if self.local(module):
                        continue
                    key = (site.path, site.fact.line, site.fact.col)
                    if key not in found or root == module:
                        found[key] = Judged(site, module, root)
        return sorted(found.values(), key=lambda j: (j.site.path, j.site.fact.line,
                                                     j.site.fact.col))  # fmt: skip
