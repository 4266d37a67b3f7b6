"""Server settings: editor settings layered over ``[tool.auditls]``.

Layers, lowest first:

1. defaults;
2. ``[tool.auditls]`` of the folder's ``pyproject.toml`` (``auditls.config.load_config``);
3. the editor's settings: ``initializationOptions``, overlaid key by key by the ``auditls``
   section of ``workspace/configuration`` (or the settings of ``didChangeConfiguration`` for a
   client that cannot be asked). A key set to ``null`` counts as unset.

Editor keys (camelCase, as editors spell settings)::

    select            ["AUD1"]        replaces the pyproject select
    ignore            ["AUD103"]      added to the pyproject ignore
    exclude           ["gen/"]        added to the pyproject exclude (gitignore syntax)
    severity          {"AUD103": "error"}   merged over the pyproject overrides
    debounce          200             ms between the last keystroke and the analysis
    diagnosticMode    "workspace"     or "openFiles"
    syntaxDiagnostics true            show AUD001 for a buffer or file that does not parse
    logLevel          "info"          error | warning | info | debug
    docsUrl           null            base of the rule links (default: the installed docs)

Every key is checked on its own: a bad value is dropped (that key falls back to the lower
layers) and reported, all problems of one layer in one message. A ``pyproject.toml`` that
``load_config`` rejects is reported the same way and replaced by the defaults.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditls.config import Config, ConfigError, load_config
from auditls.rules import unknown_selectors

DIAGNOSTIC_MODES = ("workspace", "openFiles")
LOG_LEVELS = ("error", "warning", "info", "debug")
SEVERITIES = ("error", "warning", "info")
DEFAULT_DEBOUNCE_MS = 200
MAX_DEBOUNCE_MS = 10_000

#: Keys an editor extension may keep in the same section for itself.
CLIENT_KEYS = frozenset({"interpreter", "trace", "path"})

_CODE_RE = re.compile(r"AUD\d{0,3}|ALL")
_SEVERITY_KEY_RE = re.compile(r"AUD\d{0,3}")
_URL_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the server needs to know about one workspace folder's settings."""

    config: Config = field(default_factory=Config)  # the engine's settings, layered
    debounce: float = DEFAULT_DEBOUNCE_MS / 1000  # seconds
    diagnostic_mode: str = "workspace"  # "workspace" | "openFiles"
    syntax_diagnostics: bool = True  # show AUD001
    log_level: str = "info"  # error | warning | info | debug
    docs_url: str | None = None  # base of codeDescription.href, None: the installed docs


@dataclass(frozen=True, slots=True)
class EditorSettings:
    """The editor's settings for one folder, validated: only the keys that were set and valid."""

    values: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _codes(key: str, value: object) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of rule codes, got {_describe(value)}")
    bad = [v for v in value if not _CODE_RE.fullmatch(v)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not a rule code or prefix (like AUD101, AUD1, ALL)")
    unknown = unknown_selectors(value)
    if unknown:
        raise ValueError(f"{', '.join(unknown)} matches no rule")
    return frozenset(value)


def _check(key: str, value: object) -> object:
    """The validated value of one editor key; ValueError says what is wrong."""
    if key in ("select", "ignore"):
        return _codes(key, value)
    if key == "exclude":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"expected a list of gitignore-style patterns, got {_describe(value)}")
        return tuple(value)
    if key == "severity":
        if not isinstance(value, dict):
            raise ValueError(f"expected an object of CODE: severity, got {_describe(value)}")
        for code, level in value.items():
            if not _SEVERITY_KEY_RE.fullmatch(code) or unknown_selectors([code]):
                raise ValueError(f"{code!r} is not a rule code or prefix")
            if level not in SEVERITIES:
                raise ValueError(f"{code}: expected one of {', '.join(SEVERITIES)}")
        return dict(value)
    if key == "debounce":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"expected milliseconds, got {_describe(value)}")
        if not 0 <= value <= MAX_DEBOUNCE_MS:
            raise ValueError(f"expected 0 to {MAX_DEBOUNCE_MS} ms, got {value}")
        return value / 1000
    if key == "diagnosticMode":
        if value not in DIAGNOSTIC_MODES:
            raise ValueError(
                f"expected one of {', '.join(DIAGNOSTIC_MODES)}, got {_describe(value)}"
            )
        return value
    if key == "syntaxDiagnostics":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {_describe(value)}")
        return value
    if key == "logLevel":
        if value not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {_describe(value)}")
        return value
    if key == "docsUrl":
        if not isinstance(value, str) or not _URL_RE.fullmatch(value):
            raise ValueError(f"expected an absolute URL, got {_describe(value)}")
        return value.split("#", 1)[0]
    raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Spec:
    """What one editor key takes, as an editor's settings schema states it (JSON Schema types,
    default, allowed values, bounds). ``_check`` is what enforces it; editor manifests
    (``editors/vscode/package.json``) must state the same (a test compares them key by key)."""

    types: tuple[str, ...]
    default: Any  # what the key means when unset (None: the lower layer holds)
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None


#: Every editor key, in the order editors list them.
SPECS: Mapping[str, Spec] = {
    "select": Spec(("array", "null"), None),
    "ignore": Spec(("array",), []),
    "exclude": Spec(("array",), []),
    "severity": Spec(("object",), {}),
    "debounce": Spec(("number",), DEFAULT_DEBOUNCE_MS, minimum=0, maximum=MAX_DEBOUNCE_MS),
    "diagnosticMode": Spec(("string",), "workspace", DIAGNOSTIC_MODES),
    "syntaxDiagnostics": Spec(("boolean",), True),
    "logLevel": Spec(("string",), "info", LOG_LEVELS),
    "docsUrl": Spec(("string", "null"), None),
}

KNOWN_KEYS = tuple(SPECS)


def parse_editor_settings(raw: object, *, origin: str) -> EditorSettings:
    """Validate one layer of editor settings (``origin`` names it in messages)."""
    if raw is None:
        return EditorSettings()
    if not isinstance(raw, Mapping):
        return EditorSettings({}, (f"{origin}: expected an object, got {_describe(raw)}",))
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if value is None or key in CLIENT_KEYS:
            continue
        if key not in KNOWN_KEYS:
            problems.append(f"{origin}: unknown setting {key!r} (known: {', '.join(KNOWN_KEYS)})")
            continue
        try:
            values[key] = _check(key, value)
        except ValueError as exc:
            problems.append(f"{origin}: {key}: {exc}; using the default")
    return EditorSettings(values, tuple(problems))


def overlay(*layers: EditorSettings) -> EditorSettings:
    """Later layers win, key by key."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for layer in layers:
        values.update(layer.values)
        problems.extend(layer.problems)
    return EditorSettings(values, tuple(problems))


def read_pyproject(root: Path | None) -> tuple[Config, str | None]:
    """``[tool.auditls]`` of ``root``; on a bad table, the defaults and the reason."""
    if root is None:
        return Config(), None
    try:
        return load_config(root), None
    except ConfigError as exc:
        return Config(), f"{exc}; using the defaults"


def layer(project: Config, editor: EditorSettings) -> Settings:
    """The settings of a folder: the editor's over the project's."""
    v = editor.values
    config = project
    if "select" in v:
        config = dataclasses.replace(config, select=v["select"])
    if "ignore" in v:
        config = dataclasses.replace(config, ignore=config.ignore | v["ignore"])
    if "exclude" in v:
        extra = tuple(p for p in v["exclude"] if p not in config.exclude)
        config = dataclasses.replace(config, exclude=config.exclude + extra)
    if "severity" in v:
        merged = {**config.severity_overrides, **v["severity"]}
        config = dataclasses.replace(config, severity_overrides=merged)
    return Settings(
        config=config,
        debounce=v.get("debounce", DEFAULT_DEBOUNCE_MS / 1000),
        diagnostic_mode=v.get("diagnosticMode", "workspace"),
        syntax_diagnostics=v.get("syntaxDiagnostics", True),
        log_level=v.get("logLevel", "info"),
        docs_url=v.get("docsUrl"),
    )


def index_affecting(old: Config, new: Config) -> bool:
    """Whether a config change changes which files are indexed (so the store must reconcile)."""
    return (old.exclude, old.max_file_size) != (new.exclude, new.max_file_size)
