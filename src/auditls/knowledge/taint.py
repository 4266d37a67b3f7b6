"""STUB (replaced by branch t2): taint models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    kind: str
    confidence: str
    label: str


@dataclass(frozen=True, slots=True)
class Sink:
    kind: str
    positions: tuple[int, ...]
    keywords: tuple[str, ...]
    receiver: bool = False


@dataclass(frozen=True, slots=True)
class TaintRule:
    code: str
    name: str
    sink_kind: str
    cwe: int
    severity: str
    message: str
    fix: str


SOURCES: dict[str, Source] = {
    "flask.request.args": Source("request", "high", "request data (`request.args`)"),
    "flask.request.form": Source("request", "high", "request data (`request.form`)"),
    "os.environ": Source("environ", "low", "the environment (`os.environ`)"),
}
SINKS: dict[str, Sink] = {
    "flask.send_file": Sink("path", (0,), ("path_or_file",)),
    "builtins.open": Sink("path", (0,), ("file",)),
    "requests.get": Sink("ssrf", (0,), ("url",)),
    "flask.redirect": Sink("redirect", (0,), ("location",)),
    "os.system": Sink("command", (0,), ("command",)),
}
SINK_METHODS: dict[str, Sink] = {"execute": Sink("sql", (0,), ("sql", "query"))}
SANITIZERS: dict[str, frozenset[str]] = {
    "builtins.int": frozenset({"*"}),
    "werkzeug.utils.secure_filename": frozenset({"path"}),
    "html.escape": frozenset({"xss"}),
}
PROPAGATORS: frozenset[str] = frozenset({"os.path.join"})
NON_PROPAGATORS: frozenset[str] = frozenset({"builtins.len"})
RETURN_SINKS: dict[str, Sink] = {"flask": Sink("xss", (), ())}
ITEM_SINKS: dict[str, Sink] = {"flask.session": Sink("session", (), ())}
TAINT_RULES: tuple[TaintRule, ...] = (
    TaintRule("AUD501", "sql-injection", "sql", 89, "error", "{source} reaches {sink}.", "Bind."),
    TaintRule(
        "AUD502", "command-injection", "command", 78, "error", "{source} reaches {sink}.", "x"
    ),
    TaintRule("AUD504", "path-traversal", "path", 22, "warning", "{source} reaches {sink}.", "x"),
    TaintRule("AUD505", "xss", "xss", 79, "warning", "{source} reaches {sink}.", "x"),
    TaintRule(
        "AUD506", "open-redirect", "redirect", 601, "warning", "{source} reaches {sink}.", "x"
    ),
    TaintRule("AUD507", "ssrf", "ssrf", 918, "warning", "{source} reaches {sink}.", "x"),
    TaintRule(
        "AUD509", "trust-boundary", "session", 501, "warning", "{source} reaches {sink}.", "x"
    ),
)


def source_for(qualname: str) -> Source | None:
    best = None
    for prefix, source in SOURCES.items():
        if (qualname == prefix or qualname.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, source)
    return best[1] if best else None


def sink_for(callee: str | None, attr: str | None) -> tuple[Sink, bool] | None:
    if callee is not None and callee in SINKS:
        return SINKS[callee], False
    if attr is not None and attr in SINK_METHODS:
        return SINK_METHODS[attr], True
    return None


def cleans(callee: str, kind: str) -> bool:
    kinds = SANITIZERS.get(callee, frozenset())
    return "*" in kinds or kind in kinds


def propagates(callee: str | None) -> bool:
    if callee is None:
        return True
    return callee not in NON_PROPAGATORS and callee not in SANITIZERS


def rule_for(kind: str) -> TaintRule | None:
    return next((r for r in TAINT_RULES if r.sink_kind == kind), None)


ROUTE_PARAMETER = "flask.request.view_args"
SAFE_CONVERTERS = frozenset({"int", "float", "uuid"})
SOURCES["flask.request.view_args"] = Source("request", "high", "a route parameter")
