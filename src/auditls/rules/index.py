"""One file's facts indexed for the checks, and the helpers the checks share.

``FactIndex`` is built once per file, in one pass over its facts: calls by resolved callee,
arguments by call, the security facts by type and by call. A check then costs a dict lookup in a
file that never calls what it looks for.

Confidence follows the dangerous argument (``rate``). When the security extractors recorded the
call (``python_dangerous_calls``), the argument's *source* decides: a parameter, request data or
a string formatted at run time is high, an unknown value medium, a name only ever assigned
literals low, a literal (or a string built only from literals and sanitized values) not
reported. Without such a row (facts built by hand, or a call no extractor watches) the core
argument facts decide the same way, as far as they can tell.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from auditls.facts import Fact, FileFacts
from auditls.facts.core import (
    AssignmentFact,
    CallArgFact,
    CallFact,
    ClassFact,
    ImportFact,
    SuppressionFact,
)
from auditls.facts.security import DangerousCallFact
from auditls.knowledge.security import Arg
from auditls.rules.findings import Finding
from auditls.rules.registry import RULES

#: Argument kinds that build a string from parts at run time.
FORMATTED_KINDS = frozenset({"fstring", "percent_format", "format_call", "concat"})
#: Confidence by value source (``facts_security.SOURCES``); None: not reported.
SOURCE_CONFIDENCE: dict[str, str | None] = {
    "literal": None,
    "constant": "low",
    "unknown": "medium",
    "formatted": "high",
    "param": "high",
    "request": "high",
}

F = TypeVar("F", bound=Fact)


class FactIndex:
    """One file's facts, indexed for the checks. Built in one pass over ``ff.facts``."""

    def __init__(self, ff: FileFacts) -> None:
        self.ff = ff
        self.calls_by_callee: dict[str, list[CallFact]] = defaultdict(list)
        self.calls_by_id: dict[int, CallFact] = {}
        self.args_by_call: dict[int, list[CallArgFact]] = defaultdict(list)
        self.args_by_qualname: dict[str, list[CallArgFact]] = defaultdict(list)
        self.assignments: dict[tuple[str, str], list[AssignmentFact]] = defaultdict(list)
        self.all_assignments: list[AssignmentFact] = []
        self.classes: dict[str, ClassFact] = {}
        self.imports: list[ImportFact] = []
        self.suppressions: list[SuppressionFact] = []
        self.dangerous: dict[int, DangerousCallFact] = {}
        self.by_type: dict[type[Fact], list[Fact]] = defaultdict(list)
        for fact in ff.facts:
            cls = type(fact)
            if cls is CallArgFact:
                assert isinstance(fact, CallArgFact)
                self.args_by_call[fact.call_id].append(fact)
                if fact.qualname is not None:
                    self.args_by_qualname[fact.qualname].append(fact)
            elif cls is CallFact:
                assert isinstance(fact, CallFact)
                self.calls_by_id[fact.call_id] = fact
                if fact.callee is not None:
                    self.calls_by_callee[fact.callee].append(fact)
            elif cls is AssignmentFact:
                assert isinstance(fact, AssignmentFact)
                self.all_assignments.append(fact)
                if fact.target_name is not None:
                    self.assignments[(fact.function, fact.target_name)].append(fact)
            elif cls is ClassFact:
                assert isinstance(fact, ClassFact)
                self.classes[fact.qualname] = fact
            elif cls is ImportFact:
                assert isinstance(fact, ImportFact)
                self.imports.append(fact)
            elif cls is SuppressionFact:
                assert isinstance(fact, SuppressionFact)
                self.suppressions.append(fact)
            else:
                self.by_type[cls].append(fact)
                if cls is DangerousCallFact:
                    assert isinstance(fact, DangerousCallFact)
                    self.dangerous[fact.call_id] = fact

    def calls(self, callee: str) -> list[CallFact]:
        return self.calls_by_callee.get(callee, [])

    def calls_of(self, callees: Iterable[str]) -> list[CallFact]:
        """The calls of any of ``callees``, in source order."""
        found = [c for name in callees for c in self.calls_by_callee.get(name, ())]
        found.sort(key=lambda c: c.call_id)
        return found

    def args(self, call: CallFact) -> list[CallArgFact]:
        return self.args_by_call.get(call.call_id, [])

    def facts(self, fact_type: type[F]) -> list[F]:
        """The facts of one security fact type, in source order."""
        return self.by_type.get(fact_type, [])  # type: ignore[return-value]

    def only_literals(self, scope: str, name: str) -> bool:
        """Whether ``name`` is assigned in ``scope``, and only ever to literals there."""
        assigned = self.assignments.get((scope, name), [])
        return bool(assigned) and all(is_literal(a.kind, a.value) for a in assigned)

    def imports_module(self, prefix: str) -> bool:
        """Whether the file imports ``prefix`` or one of its submodules / names."""
        return any(i.target == prefix or i.target.startswith(prefix + ".") for i in self.imports)

    def derives_from(self, qualname: str, bases: frozenset[str]) -> bool:
        """Whether a class defined in this file derives (transitively, in this file) from one
        of ``bases``."""
        seen: set[str] = set()
        todo = [qualname]
        while todo:
            name = todo.pop()
            cls = self.classes.get(name)
            if cls is None or name in seen:
                continue
            seen.add(name)
            if any(base in bases for base in cls.bases):
                return True
            todo.extend(cls.bases)
        return False


#: A check: one file's indexed facts to its findings.
Check = Callable[[FactIndex], Iterable[Finding]]


# -- helpers -----------------------------------------------------------------------------------


def is_literal(kind: str, value: str | None) -> bool:
    return kind == "constant" or (kind == "container" and value is not None)


def locate(args: list[CallArgFact], spec: Arg | None) -> tuple[CallArgFact, bool] | None:
    """The argument ``spec`` describes, and whether it is hidden in ``*args`` / ``**kwargs``
    (then the fact is the starred argument); None when the call does not pass it."""
    if spec is None:
        return None
    for arg in args:
        if arg.keyword is None and arg.position == spec.position:
            return arg, False
        if arg.keyword is not None and arg.keyword in spec.keywords:
            return arg, False
    for arg in args:
        if arg.keyword == "*" and spec.position is not None and arg.position <= spec.position:
            return arg, True
        if arg.keyword == "**" and spec.keywords:
            return arg, True
    return None


def keyword_arg(args: list[CallArgFact], name: str) -> CallArgFact | None:
    for arg in args:
        if arg.keyword == name:
            return arg
    return None


def has_kwargs(args: list[CallArgFact]) -> bool:
    return any(a.keyword == "**" for a in args)


def json_value(text: str | None) -> object:
    """The Python value of a fact's JSON literal, else ``NotImplemented``."""
    if text is None:
        return NotImplemented
    try:
        return json.loads(text)
    except ValueError:
        return NotImplemented


def value_of(arg: CallArgFact | None) -> object:
    """The Python value of a literal argument, else ``NotImplemented``."""
    return json_value(arg.value) if arg is not None else NotImplemented


def rate(index: FactIndex, call: CallFact, arg: CallArgFact, hidden: bool) -> str | None:
    """Confidence of a finding about a dangerous argument; None when it is a literal."""
    if is_literal(arg.kind, arg.value):
        return None  # also a literal unpacked: run(*["ls", "-l"], shell=True)
    if hidden:
        return "medium"
    danger = index.dangerous.get(call.call_id)
    if danger is not None and danger.source is not None and danger.arg_text == arg.text:
        return SOURCE_CONFIDENCE.get(danger.source, "medium")
    if arg.kind in FORMATTED_KINDS:
        return "high"
    if arg.kind == "name":
        if arg.origin == "param":
            return "high"
        scope = {"local": call.function, "global": index.ff.module}.get(arg.origin or "")
        if scope is not None and index.only_literals(scope, arg.text):
            return "low"
    return "medium"


def truthy_literal(arg: CallArgFact) -> bool:
    if arg.kind != "constant" or arg.value is None:
        return False
    try:
        return bool(json.loads(arg.value))
    except ValueError:
        return False


def short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def callee_text(call: CallFact) -> str:
    """The callee as written, with what it resolved to when an alias hides it."""
    text = f"`{short(call.callee_text)}()`"
    if call.callee and call.callee != call.callee_text and not call.callee.startswith("builtins."):
        text += f" ({call.callee})"
    return text


def finding_at(
    code: str, path: str, fact: Fact, confidence: str, message: str, stmt_line: int
) -> Finding:
    """A finding of ``code`` spanning ``fact``, with the rule's severity and CWE."""
    rule = RULES[code]
    return Finding(
        rule=code,
        path=path,
        line=fact.line,
        column=fact.col,
        end_line=fact.end_line,
        end_column=fact.end_col,
        severity=rule.severity,
        confidence=confidence,
        cwe=rule.cwe,
        message=message,
        stmt_line=stmt_line,
    )


def at_call(index: FactIndex, code: str, call: CallFact, confidence: str, **fields: str) -> Finding:
    """A finding of ``code`` at a call; the message gets ``callee`` and ``fields``."""
    message = RULES[code].message.format(callee=callee_text(call), **fields)
    return finding_at(code, index.ff.path, call, confidence, message, call.stmt_line)


def at_fact(
    index: FactIndex,
    code: str,
    fact: Fact,
    confidence: str,
    *,
    stmt_line: int | None = None,
    **fields: str,
) -> Finding:
    """A finding of ``code`` at any fact's position (a call's when the fact names one)."""
    call_id = getattr(fact, "call_id", None)
    call = index.calls_by_id.get(call_id) if isinstance(call_id, int) else None
    if call is not None and "callee" not in fields:
        fields["callee"] = callee_text(call)
    message = RULES[code].message.format(**fields)
    stmt = stmt_line if stmt_line is not None else (call.stmt_line if call else fact.line)
    return finding_at(code, index.ff.path, fact, confidence, message, stmt)
