"""Configuration: the ``[tool.auditls]`` table of the workspace's ``pyproject.toml``.

Every key is checked: an unknown key or a value of the wrong type raises ``ConfigError`` with a
message that names the key, so a typo never silently turns a setting off. Keys use the
kebab-case spelling common in ``pyproject.toml``::

    [tool.auditls]
    select = ["AUD1", "AUD201"]        # rule codes, code prefixes or "ALL"; absent means all
    ignore = ["AUD103"]                # rule codes or code prefixes to leave out
    exclude = ["migrations/", "*_pb2.py"]  # gitignore-style patterns, relative to the root
    max-file-size = 1_000_000          # bytes; larger files are skipped with a note
    test-code = "demote"               # findings in test files: demote (info / low), report, skip

    [tool.auditls.severity]            # severity overrides, by code or prefix
    AUD103 = "error"

    [tool.auditls.taint]               # extra taint models, by qualified name (TaintConfig)
    sources = ["myapp.http.get_param", { name = "myapp.jobs.payload", kind = "file" }]
    sinks = [{ name = "myapp.db.raw", kind = "sql", positions = [0], keywords = ["query"] },
             { method = "run_query", kind = "sql", positions = [0] }]
    sanitizers = ["myapp.ids.parse_id", { name = "myapp.html.clean", kinds = ["xss"] }]
    propagators = ["myapp.text.concat"]
    non-propagators = ["myapp.text.count"]

A taint entry is a string (its qualified name) or an inline table. A source's ``kind`` is one
of ``TAINT_SOURCE_KINDS`` (default ``request``), its ``confidence`` defaults by kind and its
``label`` is how findings name it. A sink is a table with ``name`` (a qualified callee) or
``method`` (a method name on receivers of unknown type), its ``kind`` (``TAINT_SINK_KINDS``),
and the arguments that matter: ``positions`` (0-based), ``keywords``, ``receiver`` (none given:
any argument). A sanitizer cleans the ``kinds`` listed, or every kind when given as a string.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
DEFAULT_MAX_FILE_SIZE = 1_000_000
#: What becomes of findings in test code (``tests/``, ``test_*.py``, ``conftest.py``...):
#: ``demote`` reports them at info / low confidence, ``report`` as in other code, ``skip`` not.
TEST_CODE_POLICIES = ("demote", "report", "skip")
TAINT_KEYS = ("sources", "sinks", "sanitizers", "propagators", "non-propagators")
CONFIDENCES = ("high", "medium", "low")
#: Taint vocabularies, kept equal to ``auditls.knowledge.taint``'s (a test checks it; the
#: configuration sits below the knowledge layer and cannot import it).
TAINT_SOURCE_KINDS = ("request", "argv", "input", "environ", "file")
TAINT_SINK_KINDS = (
    "sql", "command", "code", "path", "xss", "redirect", "ssrf", "deserialization", "xxe",
    "ldap", "xpath", "header", "log", "session", "cookie", "regex", "template",
)  # fmt: skip

#: A rule code (``AUD101``), a prefix of one (``AUD1``, ``AUD``), or ``ALL``.
_CODE_RE = re.compile(r"^(AUD\d{0,3}|ALL)$")
#: A qualified name as the semantic model spells it: dotted identifiers, a module first.
_QUALNAME_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_IDENTIFIER_RE = re.compile(r"^[A-Za-z_]\w*$")


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaintSourceEntry:
    """A user's taint source: values named by ``name`` (a qualified-name prefix) come from
    outside."""

    name: str
    kind: str = "request"  # one of TAINT_SOURCE_KINDS
    confidence: str | None = None  # None: the kind's default
    label: str | None = None  # how findings name it; None: made from the kind and the name


@dataclass(frozen=True, slots=True, kw_only=True)
class TaintSinkEntry:
    """A user's taint sink: a resolved callee (``name``) or a method name (``method``)."""

    name: str | None = None
    method: str | None = None
    kind: str  # one of TAINT_SINK_KINDS
    positions: tuple[int, ...] = ()  # 0-based; with keywords () and receiver False: any argument
    keywords: tuple[str, ...] = ()
    receiver: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TaintSanitizerEntry:
    """A user's sanitizer: the result of ``name`` is clean for ``kinds`` ("*": every kind)."""

    name: str
    kinds: frozenset[str] = frozenset({"*"})


@dataclass(frozen=True, slots=True, kw_only=True)
class TaintConfig:
    """``[tool.auditls.taint]``, checked: the models ``auditls.knowledge.taint.with_user_models``
    layers over the defaults."""

    sources: tuple[TaintSourceEntry, ...] = ()
    sinks: tuple[TaintSinkEntry, ...] = ()
    sanitizers: tuple[TaintSanitizerEntry, ...] = ()
    propagators: tuple[str, ...] = ()
    non_propagators: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to add to the defaults."""
        return not any(
            (self.sources, self.sinks, self.sanitizers, self.propagators, self.non_propagators)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The effective settings for one workspace."""

    select: frozenset[str] | None = None  # rule codes or prefixes to run; None means all
    ignore: frozenset[str] = frozenset()  # rule codes or prefixes to leave out
    exclude: tuple[str, ...] = ()  # gitignore-style patterns relative to the workspace root
    severity_overrides: Mapping[str, str] = field(default_factory=dict)  # code -> severity
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are skipped
    taint: TaintConfig = TaintConfig()  # extra taint models
    test_code: str = "demote"  # findings in test files: one of TEST_CODE_POLICIES
    baseline: str | None = None  # baseline file, relative to the workspace root (report/baseline)
    source: Path | None = None  # the pyproject.toml this came from, if any


#: The largest configuration file auditls reads from a workspace (pyproject.toml, .gitignore).
CONFIG_FILE_CAP = 1 << 20

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not hang us
    | getattr(os, "O_NOFOLLOW", 0)  # the path is already resolved: a new link is refused
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class UnreadableFile(Exception):
    """A workspace file auditls refuses to read, or cannot; the message says why."""


def read_workspace_file(root: Path, path: Path, cap: int = CONFIG_FILE_CAP) -> bytes | None:
    """The bytes of a file the workspace configures auditls with; None when there is none.

    Read only if it is a regular file (after links) whose real path lies inside the real
    ``root``, and at most ``cap`` bytes: a repository can hold a link to ``/dev/zero`` or out of
    the workspace, or a FIFO, under any name. Anything else raises ``UnreadableFile``.
    """
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        if not os.path.lexists(path):
            return None
        raise UnreadableFile("it links to a file outside the workspace; auditls does not read it")
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile("not a regular file")
        if st.st_size > cap:
            raise UnreadableFile(f"{st.st_size} bytes is over the {cap} bytes auditls reads")
        chunks: list[bytes] = []
        size = 0
        while size <= cap and (chunk := os.read(fd, min(1 << 16, cap + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        if size > cap:
            raise UnreadableFile(f"it grew over the {cap} bytes auditls reads")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def load_config(root: Path) -> Config:
    """Read ``[tool.auditls]`` from ``<root>/pyproject.toml``; defaults when absent.

    The file is read with ``read_workspace_file`` (a regular file inside the workspace, at most
    ``CONFIG_FILE_CAP`` bytes); every way it can fail is a ``ConfigError``.
    """
    path = root / "pyproject.toml"
    try:
        raw = read_workspace_file(root, path)
    except UnreadableFile as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if raw is None:
        return Config()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
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

    known = {
        "select",
        "ignore",
        "exclude",
        "max-file-size",
        "severity",
        "taint",
        "test-code",
        "baseline",
    }
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

    taint = _taint_config(table["taint"], fail) if "taint" in table else TaintConfig()

    test_code = table.get("test-code", "demote")
    if test_code not in TEST_CODE_POLICIES:
        raise fail("test-code", f"expected one of {', '.join(TEST_CODE_POLICIES)}, got "
                   f"{_describe(test_code)}")  # fmt: skip

    baseline = table.get("baseline")
    if baseline is not None and (not isinstance(baseline, str) or not baseline.strip()):
        raise fail("baseline", f"expected a file name (a string), got {_describe(baseline)}")

    return Config(
        select=select,
        ignore=ignore,
        exclude=exclude,
        severity_overrides=overrides,
        max_file_size=max_file_size,
        taint=taint,
        test_code=str(test_code),
        baseline=baseline if isinstance(baseline, str) else None,
        source=source,
    )


def _taint_config(models: object, fail: Callable[[str, str], ConfigError]) -> TaintConfig:
    """Check ``[tool.auditls.taint]`` entry by entry; the first bad one raises, named by its
    key and index (``taint.sinks[1].kind``)."""
    if not isinstance(models, dict):
        raise fail("taint", f"expected a table, got {_describe(models)}")
    for key in models:
        if key not in TAINT_KEYS:
            hint = f" (did you mean {key.replace('_', '-')!r}?)" if "_" in key else ""
            raise fail(f"taint.{key}", f"unknown key{hint}; known keys: {', '.join(TAINT_KEYS)}")

    def entries(key: str) -> list[tuple[str, object]]:
        value = models.get(key, [])
        if not isinstance(value, list):
            raise fail(f"taint.{key}", f"expected a list, got {_describe(value)}")
        return [(f"taint.{key}[{i}]", item) for i, item in enumerate(value)]

    def qualname(where: str, value: object) -> str:
        if not isinstance(value, str) or not _QUALNAME_RE.match(value):
            got = _describe(value)
            raise fail(where, f"expected a qualified name (like myapp.db.run_sql), got {got}")
        return value

    def fields(where: str, item: dict[str, object], known: tuple[str, ...]) -> None:
        for key in item:
            if key not in known:
                raise fail(f"{where}.{key}", f"unknown key; known keys: {', '.join(known)}")

    def one_of(where: str, value: object, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in choices:
            raise fail(where, f"expected one of {', '.join(choices)}, got {_describe(value)}")
        return value

    def strings(where: str, value: object, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(where, f"expected a list of strings, got {_describe(value)}")
        for v in value:
            if not pattern.match(v):
                raise fail(where, f"{v!r} is not {what}")
        return tuple(value)

    sources: list[TaintSourceEntry] = []
    for where, item in entries("sources"):
        if isinstance(item, str):
            sources.append(TaintSourceEntry(name=qualname(where, item)))
            continue
        if not isinstance(item, dict):
            raise fail(where, f"expected a qualified name or a table, got {_describe(item)}")
        fields(where, item, ("name", "kind", "confidence", "label"))
        label = item.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise fail(f"{where}.label", f"expected a non-empty string, got {_describe(label)}")
        sources.append(
            TaintSourceEntry(
                name=qualname(f"{where}.name", item.get("name")),
                kind=one_of(f"{where}.kind", item.get("kind", "request"), TAINT_SOURCE_KINDS),
                confidence=(
                    one_of(f"{where}.confidence", item["confidence"], CONFIDENCES)
                    if "confidence" in item
                    else None
                ),
                label=label,
            )
        )

    sinks: list[TaintSinkEntry] = []
    for where, item in entries("sinks"):
        if not isinstance(item, dict):
            example = '{ name = "myapp.db.raw", kind = "sql" }'
            got = _describe(item)
            raise fail(where, f"expected a table like {example} (a sink needs a kind), got {got}")
        fields(where, item, ("name", "method", "kind", "positions", "keywords", "receiver"))
        if ("name" in item) == ("method" in item):
            raise fail(where, "expected one of name (a qualified callee) or method (a name)")
        name = qualname(f"{where}.name", item["name"]) if "name" in item else None
        method = None
        if "method" in item:
            value = item["method"]
            if not isinstance(value, str) or not _IDENTIFIER_RE.match(value):
                got = _describe(value)
                raise fail(f"{where}.method", f"expected a method name (like execute), got {got}")
            method = value
        if "kind" not in item:
            raise fail(f"{where}.kind", f"missing; one of {', '.join(TAINT_SINK_KINDS)}")
        positions = item.get("positions", [])
        if not isinstance(positions, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in positions
        ):
            got = repr(positions) if isinstance(positions, list) else _describe(positions)
            raise fail(f"{where}.positions", f"expected a list of integers from 0, got {got}")
        keywords = strings(
            f"{where}.keywords", item.get("keywords", []), _IDENTIFIER_RE, "a keyword name"
        )
        receiver = item.get("receiver", False)
        if not isinstance(receiver, bool):
            raise fail(f"{where}.receiver", f"expected true or false, got {_describe(receiver)}")
        sinks.append(
            TaintSinkEntry(
                name=name,
                method=method,
                kind=one_of(f"{where}.kind", item["kind"], TAINT_SINK_KINDS),
                positions=tuple(positions),
                keywords=keywords,
                receiver=receiver,
            )
        )

    sanitizers: list[TaintSanitizerEntry] = []
    for where, item in entries("sanitizers"):
        if isinstance(item, str):
            sanitizers.append(TaintSanitizerEntry(name=qualname(where, item)))
            continue
        if not isinstance(item, dict):
            raise fail(where, f"expected a qualified name or a table, got {_describe(item)}")
        fields(where, item, ("name", "kinds"))
        kinds = item.get("kinds")
        if not isinstance(kinds, list) or not kinds:
            got = _describe(kinds)
            raise fail(f"{where}.kinds", f"expected a non-empty list of sink kinds, got {got}")
        for i, kind in enumerate(kinds):
            one_of(f"{where}.kinds[{i}]", kind, ("*", *TAINT_SINK_KINDS))
        sanitizers.append(
            TaintSanitizerEntry(
                name=qualname(f"{where}.name", item.get("name")),
                kinds=frozenset(str(kind) for kind in kinds),
            )
        )

    def names(key: str) -> tuple[str, ...]:
        return tuple(qualname(where, item) for where, item in entries(key))

    return TaintConfig(
        sources=tuple(sources),
        sinks=tuple(sinks),
        sanitizers=tuple(sanitizers),
        propagators=names("propagators"),
        non_propagators=names("non-propagators"),
    )


def parse_codes(text: str) -> frozenset[str]:
    """Parse a comma-separated ``--select``/``--ignore`` value; ConfigError when malformed."""
    items = [part.strip().upper() for part in text.split(",") if part.strip()]
    for item in items:
        if not _CODE_RE.match(item):
            raise ConfigError(f"{item!r} is not a rule code or prefix (like AUD101, AUD1, ALL)")
    return frozenset(items)


def _describe(value: object) -> str:
    if value is None:  # TOML has no null: a key that is not there
        return "nothing (the key is missing)"
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
