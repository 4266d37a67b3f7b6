"""What several families of the 1xx rules share: the confidence wording of rated arguments,
the argument-rule helper."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from auditls.facts.core import ImportFact
from auditls.facts.security import (
    FileOperationFact,
)
from auditls.knowledge.security import (
    Arg,
)
from auditls.rules.findings import Finding
from auditls.rules.index import (
    FactIndex,
    at_call,
    locate,
    rate,
    short,
)

#: How confidence follows the argument, for the docs of the rules that rate an argument.
RATED = (
    " Confidence follows the argument: high for a parameter, request data (`flask.request`, "
    "`input()`, `sys.argv`) or a string formatted at run time, medium for other expressions, "
    "and low for a name only ever assigned literals; a literal is not reported."
)


def argument_rule(
    index: FactIndex, code: str, table: Mapping[str, Arg], **fields: str
) -> Iterator[Finding]:
    """A rule whose danger is one argument's value: report non-literals, rated by source."""
    for callee, spec in table.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None:
                continue
            arg, hidden = located
            confidence = rate(index, call, arg, hidden)
            if confidence is not None:
                yield at_call(index, code, call, confidence, arg=short(arg.text), **fields)


def one_per_line(index: FactIndex) -> Iterator[ImportFact]:
    """The imports of a file, the first name of each line only (`from m import a, b`)."""
    seen: set[int] = set()
    for imp in index.imports:
        if imp.line not in seen:
            seen.add(imp.line)
            yield imp


def file_operations(index: FactIndex, operation: str) -> Iterator[FileOperationFact]:
    for fact in index.facts(FileOperationFact):
        if fact.operation == operation:
            yield fact
