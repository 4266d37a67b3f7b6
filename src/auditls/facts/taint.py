"""The taint domain's facts: how values move inside a function (issue 10).

One ``FlowFact`` row per movement: a target (a name, an attribute or item store, a return, a
call's argument or receiver, a guard) receives a value made of inputs (names, resolved
references, attributes read off locals, call results). The taint engine (``auditls.taint``)
builds its per-function summaries from these rows; the extractor is ``extractors.taint.flows``.
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class FlowFact(Fact):
    """One movement of values inside a function: a target receives a value made of inputs."""

    TABLE: ClassVar[str] = "python_flows"

    function: str  # enclosing function's qualified name (module name at top level)
    target: str  # what receives the value (see TARGETS in facts/taint.py)
    inputs: tuple[str, ...]  # what the value is made of (INPUTS in facts/taint.py), in source order
    how: str  # how it is combined (see HOWS in facts/taint.py)
    call_id: int | None  # the call, for targets "arg" and "receiver" (the CallFact's call_id)
    position: int | None  # target "arg": 0-based position; -1 for a keyword
    keyword: str | None  # target "arg": the keyword ("**" for **kwargs, "*" for *args)
    branch: bool  # it runs on some paths only: in an if/else, a loop, an except/else/finally


#: What receives a value (``FlowFact.target``), by shape.
TARGETS = (
    "name:x",  # a local, parameter or global bound by a plain name (assignment, for, with, ...)
    "attr:self.items",  # an attribute store into a local, as written
    "ref:flask.g.user",  # an attribute store into a resolved (imported) object
    "item:flask.session",  # an item store into a resolved object (`session["k"] = v`)
    "item:name:d",  # an item store into a local (`d[k] = v`; also item:attr:..., item:call:...)
    "return",  # a return statement's value (a bare return or a literal gives no row)
    "yield",  # a yield or yield from's value
    "arg",  # an argument of call `call_id` (`position` / `keyword`); literal ones give no row
    "receiver",  # the object method `call_id` is called on, unless it is an imported name;
    # or the `|` expression called (`(a.s(x) | b.s())()`: a Celery chain, how "concat")
    "guard",  # `if <check of x>: abort()/raise/return`: x is clean from there on (how "reject");
    # `if <validation of x>:` x is clean in the body, which the row spans (how "accept")
)

#: What a value is made of (each string of ``FlowFact.inputs``), by shape.
INPUTS = (
    "name:x",  # a local name, parameter or global of this file ("name:<lambda>": a lambda)
    "ref:flask.request.args",  # a name or chain resolved outside the file (imports, builtins)
    "attr:self.items",  # an attribute read off a local, as written
    "call:7",  # the result of the call with call_id 7 in this file
)

#: How the inputs are combined (``FlowFact.how``).
HOWS = (
    "=",  # plain: the value as it is (a name, a call, a subscript, a container...)
    "aug",  # augmented assignment: the inputs include the target's old value
    "concat",  # + on strings, or any other binary operator
    "format",  # an f-string, `%` on a string or "...".format()
    "unpack",  # one name of an unpacking assignment (`a, b = ...`, `*rest`)
    "for",  # a for loop's target, from the iterated value
    "with",  # a with statement's `as` target, from the context manager
    "await",  # the awaited value
    "comprehension",  # a comprehension's value, or one of its loop variables
    "allowlist",  # `x if x in ALLOWED else d`: the value is clean
    "walrus",  # an assignment expression `(x := ...)`
    "reject",  # a guard row: the check rejects bad values (from the `if` on)
    "reject:path",  # the same, for paths only (`if ".." in x: abort(400)`)
    "accept",  # a guard row spanning an `if` body that runs only for good values of x
    "accept:path",  # the same, for paths only (`if ".." not in x:`)
)

#: The taint domain's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (FlowFact,)
