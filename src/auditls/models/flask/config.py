"""Configuration: linking configuration rows to apps, config classes and config modules, and
the entries that apply to an app (set on it, loaded by name, or possibly picked at run time).
"""

from __future__ import annotations

from auditls.facts.flask import FlaskConfigFact
from auditls.knowledge.heuristics import DEVELOPMENT_CONFIG_CLASS, TESTING_CONFIG_CLASS
from auditls.link import Site, split_ref
from auditls.models.flask.linked import FlaskObjects
from auditls.models.flask.objects import AppObj, ConfigEntry


def link_configs(model: FlaskObjects) -> None:
    """Settings of config classes and modules by the class or module; the rest on the apps
    their owner names."""
    for site in model.of(FlaskConfigFact):
        fact = site.fact
        if fact.via == "class" and fact.owner:
            model.config_classes[fact.owner].append(site)
            continue
        if fact.via == "module" and fact.owner:
            model.config_modules[fact.owner].append(site)
            continue
        for app in model.apps_of(fact.owner, fact.owner_type, near=site.path):
            app.configs.append(site)


class ConfigQueries(FlaskObjects):
    """The configuration that applies to an app."""

    def config_entries(self, app: AppObj) -> list[ConfigEntry]:
        """Every configuration row that applies to an app, with how surely it applies:
        "direct" (set on the app), "loaded" (a class or module the app loads by name),
        "possible" (a class of the mapping the app picks from at run time, ``config[name]``;
        testing and development classes, and bases of other config classes, are left out)."""
        out: list[ConfigEntry] = []
        for site in app.configs:
            if site.fact.key is not None:
                out.append(ConfigEntry(site, "direct", None))
            elif site.fact.via == "from_object" and site.fact.target is not None:
                out += self._loaded(site.fact)
        return out

    def _loaded(self, source: FlaskConfigFact) -> list[ConfigEntry]:
        target = source.target or ""
        resolved = self.resolve(target)
        classes = self.link.classes
        if resolved in classes or target in self.config_classes:
            name = resolved if resolved in classes else target
            return [ConfigEntry(s, "loaded", name) for s in self._class_settings(name)]
        if resolved in self.link.linked_modules or target in self.config_modules:
            module = resolved if resolved in self.config_modules else target
            return [ConfigEntry(s, "loaded", module) for s in self.config_modules.get(module, [])]
        # config[name]: the classes of the module that holds the mapping may be picked
        module, _ = split_ref(resolved)
        out: list[ConfigEntry] = []
        for cls in self.config_classes:
            if split_ref(cls)[0] != module or self.is_base_config(cls):
                continue
            if self.config_class_kind(cls) != "other":
                continue
            out += [ConfigEntry(s, "possible", cls) for s in self._class_settings(cls)]
        return out

    def is_base_config(self, qualname: str) -> bool:
        """Whether another config class derives from this one (an abstract base)."""
        for cls in self.config_classes:
            site = self.link.classes.get(cls)
            if site is not None and any(self.resolve(b) == qualname for b in site.fact.bases):
                return True
        return False

    def _class_settings(self, qualname: str, depth: int = 0) -> list[Site[FlaskConfigFact]]:
        """A config class's settings, inherited ones included (the class's own win)."""
        own = list(self.config_classes.get(qualname, []))
        if depth > 5:
            return own
        keys = {s.fact.key for s in own}
        cls = self.link.classes.get(qualname)
        for base in cls.fact.bases if cls else ():
            for inherited in self._class_settings(self.resolve(base), depth + 1):
                if inherited.fact.key not in keys:
                    own.append(inherited)
                    keys.add(inherited.fact.key)
        return own

    def config_class_kind(self, qualname: str) -> str:
        """ "testing" for a class that sets TESTING = True, "development" for one named for
        development (DevelopmentConfig, LocalConfig), else "other".

        Name heuristics (``auditls.knowledge.heuristics``): a class named for development or
        for tests is taken for one, whatever it sets."""
        for site in self._class_settings(qualname):
            if site.fact.key == "TESTING" and site.fact.value == "true":
                return "testing"
        name = qualname.rpartition(".")[2].lower()
        if DEVELOPMENT_CONFIG_CLASS(name):
            return "development"
        if TESTING_CONFIG_CLASS(name):
            return "testing"
        return "other"
