"""Configuration: the ``[tool.auditls]`` table of the workspace's ``pyproject.toml``.

Every key is checked: an unknown key or a value of the wrong type raises ``ConfigError`` with a
message that names the key, so a typo never silently turns a setting off. Keys use the
kebab-case spelling common in ``pyproject.toml``::

    [tool.auditls]
    select = ["AUD1", "AUD201"]        # rule codes, code prefixes or "ALL"; absent means all
    ignore = ["AUD103"]                # rule codes or code prefixes to leave out
    exclude = ["migrations/", "*_pb2.py"]  # gitignore-style patterns, relative to the root
    max-file-size = 1_000_000          # bytes; larger files are skipped with a note

    [tool.auditls.severity]            # severity overrides, by code or prefix
    AUD103 = "error"

    [tool.auditls.taint]               # extra taint models: qualified names
    sources = ["myapp.http.get_param"]
    sinks = ["myapp.db.raw"]
    sanitizers = ["myapp.html.escape"]
    propagators = []
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
DEFAULT_MAX_FILE_SIZE = 1_000_000
TAINT_KINDS = ("sources", "sinks", "sanitizers", "propagators")

#: A rule code (``AUD101``), a prefix of one (``AUD1``, ``AUD``), or ``ALL``.
_CODE_RE = re.compile(r"^(AUD\d{0,3}|ALL)$")


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The effective settings for one workspace."""

    select: frozenset[str] | None = None  # rule codes or prefixes to run; None means all
    ignore: frozenset[str] = frozenset()  # rule codes or prefixes to leave out
    exclude: tuple[str, ...] = ()  # gitignore-style patterns relative to the workspace root
    severity_overrides: Mapping[str, str] = field(default_factory=dict)  # code -> severity
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are skipped
    taint: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> qualnames
    source: Path | None = None  # the pyproject.toml this came from, if any


def load_config(root: Path) -> Config:
    """Read ``[tool.auditls]`` from ``<root>/pyproject.toml``; defaults when absent."""
    path = root / "pyproject.toml"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("auditls", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.auditls] must be a table")
    return config_from_table(table, source=path)


def config_from_table(table: Mapping[str, object], *, source: Path | None = None) -> Config:
    """Validate a ``[tool.auditls]`` table (already parsed) and build a ``Config``."""
    where = f"{source}: " if source is not None else ""

    def fail(key: str, what: str) -> ConfigError:
        return ConfigError(f"{where}[tool.auditls] {key}: {what}")

    known = {"select", "ignore", "exclude", "max-file-size", "severity", "taint"}
    for key in table:
        if key not in known:
            hint = f" (did you mean {key.replace('_', '-')!r}?)" if "_" in key else ""
            raise fail(key, f"unknown key{hint}; known keys: {', '.join(sorted(known))}")

    def str_list(key: str, value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"expected a list of strings, got {_describe(value)}")
        return list(value)

    def codes(key: str, value: object) -> frozenset[str]:
        items = str_list(key, value)
        for item in items:
            if not _CODE_RE.match(item):
                raise fail(key, f"{item!r} is not a rule code or prefix (like AUD101, AUD1, ALL)")
        return frozenset(items)

    select = codes("select", table["select"]) if "select" in table else None
    ignore = codes("ignore", table["ignore"]) if "ignore" in table else frozenset()
    exclude = tuple(str_list("exclude", table["exclude"])) if "exclude" in table else ()

    max_file_size = DEFAULT_MAX_FILE_SIZE
    if "max-file-size" in table:
        value = table["max-file-size"]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise fail("max-file-size", f"expected a positive integer, got {_describe(value)}")
        max_file_size = value

    overrides: dict[str, str] = {}
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise fail("severity", f"expected a table of CODE = severity, got {_describe(sev)}")
        for code, level in sev.items():
            if not re.match(r"^AUD\d{0,3}$", code):
                raise fail(f"severity.{code}", "not a rule code or prefix (like AUD101 or AUD1)")
            if level not in SEVERITIES:
                raise fail(f"severity.{code}", f"expected one of {', '.join(SEVERITIES)}")
            overrides[code] = level

    taint: dict[str, tuple[str, ...]] = {}
    if "taint" in table:
        models = table["taint"]
        if not isinstance(models, dict):
            raise fail("taint", f"expected a table, got {_describe(models)}")
        for kind, names in models.items():
            if kind not in TAINT_KINDS:
                raise fail(f"taint.{kind}", f"unknown key; known keys: {', '.join(TAINT_KINDS)}")
            taint[kind] = tuple(str_list(f"taint.{kind}", names))

    return Config(
        select=select,
        ignore=ignore,
        exclude=exclude,
        severity_overrides=overrides,
        max_file_size=max_file_size,
        taint=taint,
        source=source,
    )


def parse_codes(text: str) -> frozenset[str]:
    """Parse a comma-separated ``--select``/``--ignore`` value; ConfigError when malformed."""
    items = [part.strip().upper() for part in text.split(",") if part.strip()]
    for item in items:
        if not _CODE_RE.match(item):
            raise ConfigError(f"{item!r} is not a rule code or prefix (like AUD101, AUD1, ALL)")
    return frozenset(items)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list with non-string items" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
