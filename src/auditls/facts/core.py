"""The core facts: imports, functions and parameters, classes, calls and arguments,
assignments, returns, decorators, context managers, suppression comments."""

from __future__ import annotations

import re
from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class ImportFact(Fact):
    """One name bound by an import statement (``import a.b as c`` binds ``c``)."""

    TABLE: ClassVar[str] = "python_imports"

    function: str  # enclosing scope's qualified name (module name at top level)
    module: str  # the module as written, without leading dots ("" for `from . import x`)
    name: str | None  # the imported name for `from m import name`; None for `import m`
    asname: str | None  # the `as` name, if any
    bound: str  # the local name the statement binds ("*" for a star import)
    level: int  # number of leading dots of a relative import
    target: str  # what is bound, qualified: "a.b" (import a.b), "pkg.mod.x" (from .mod import x)
    is_star: bool  # `from m import *`


@fact
class FunctionFact(Fact):
    """A function, method, async function or lambda definition."""

    TABLE: ClassVar[str] = "python_functions"

    qualname: str  # fully qualified name: "pkg.mod.Class.method", "pkg.mod.f.<locals>.g"
    name: str  # the bare name ("<lambda>" for a lambda)
    is_async: bool  # `async def`
    is_lambda: bool  # a lambda expression
    class_name: str | None  # qualified name of the directly enclosing class, for methods
    decorators: tuple[str, ...]  # resolved decorator names (as written when unresolved), in order
    returns: str | None  # the return annotation's source text
    is_generator: bool  # the body yields (set when the body has been seen)


@fact
class ParamFact(Fact):
    """One parameter of a function."""

    TABLE: ClassVar[str] = "python_function_params"

    function: str  # qualified name of the function
    position: int  # 0-based position in the signature
    name: str  # parameter name
    kind: str  # posonly | arg | vararg | kwonly | kwarg
    annotation: str | None  # annotation source text
    annotation_qualname: str | None  # the annotation resolved to a qualified name
    default: str | None  # default value source text
    default_kind: str | None  # value kind of the default (see VALUE_KINDS)
    default_value: str | None  # JSON of the default when it is a literal


@fact
class ClassFact(Fact):
    """A class definition."""

    TABLE: ClassVar[str] = "python_classes"

    qualname: str  # fully qualified name
    name: str  # bare name
    bases: tuple[str, ...]  # resolved base names (as written when unresolved)
    decorators: tuple[str, ...]  # resolved decorator names, in order
    metaclass: str | None  # resolved metaclass keyword, if any


@fact
class CallFact(Fact):
    """A call expression. Its arguments are CallArgFact rows with the same ``call_id``."""

    TABLE: ClassVar[str] = "python_calls"

    call_id: int  # per-file sequence number, links the arguments
    function: str  # enclosing function's qualified name (module name at top level)
    callee: str | None  # resolved qualified name of the callee ("subprocess.run"); None if unknown
    callee_text: str  # the callee as written ("sp.run", "self.cursor.execute")
    attr: str | None  # the last attribute of the callee as written ("execute"), if any
    n_args: int  # number of positional arguments (starred count as one)
    stmt_line: int  # first line of the enclosing statement (suppression comments live there)


@fact
class CallArgFact(Fact):
    """One argument of a call."""

    TABLE: ClassVar[str] = "python_call_args"

    call_id: int  # the CallFact this belongs to
    position: int  # 0-based position among positional arguments; -1 for keyword arguments
    keyword: str | None  # keyword name; "*" for *args, "**" for **kwargs, None for positional
    kind: str  # value kind (see VALUE_KINDS)
    value: str | None  # JSON of the value when it is a literal (constant or literal container)
    text: str  # source text of the argument, cut to 200 characters
    qualname: str | None  # resolved qualified name when a name/attribute/call result resolves
    origin: str | None  # for a bare name: where it comes from (see NAME_ORIGINS)


@fact
class AssignmentFact(Fact):
    """One target of an assignment (`a = b = 1` gives two rows), annotated or augmented."""

    TABLE: ClassVar[str] = "python_assignments"

    function: str  # enclosing function's qualified name (module name at top level)
    target: str  # target source text ("x", "self.y", "d['k']")
    target_name: str | None  # the bound name when the target is a bare name
    target_qualname: str | None = None  # an attribute target resolved ("requests.Session.verify")
    op: str  # "=", ":" (annotated), or the augmented operator ("+=")
    kind: str  # value kind of the assigned value
    value: str | None  # JSON of the value when it is a literal
    text: str  # value source text, cut to 200 characters
    qualname: str | None  # the value resolved (a name, attribute, or the callee of a call)


@fact
class ReturnFact(Fact):
    """A return (or yield) of a function."""

    TABLE: ClassVar[str] = "python_returns"

    function: str  # qualified name of the returning function
    is_yield: bool  # yield / yield from rather than return
    kind: str | None  # value kind, None for a bare return
    text: str | None  # value source text, cut to 200 characters
    qualname: str | None  # the value resolved, when it resolves


@fact
class DecoratorFact(Fact):
    """One decorator applied to a function or class."""

    TABLE: ClassVar[str] = "python_decorators"

    target: str  # qualified name of the decorated function or class
    target_kind: str  # "function" | "class"
    position: int  # 0-based, outermost first (source order)
    name: str | None  # resolved qualified name of the decorator (the callee when called)
    text: str  # the decorator as written, cut to 200 characters
    is_call: bool  # written with arguments: @d(...)
    args: tuple[str, ...]  # source text of each argument (keywords as "k=v")


@fact
class ContextManagerFact(Fact):
    """One item of a with / async with statement."""

    TABLE: ClassVar[str] = "python_context_managers"

    function: str  # enclosing function's qualified name
    manager: str | None  # resolved qualified name (the callee when the item is a call)
    text: str  # the item's expression as written, cut to 200 characters
    is_async: bool  # async with
    as_name: str | None  # the name bound by `as`, when it is a bare name


#: A rule code: "AUD" and three digits. 0xx meta, 1xx dangerous calls, 2xx crypto and secrets,
#: 3xx auth and access control, 4xx framework configuration, 5xx taint paths.
CODE_RE = re.compile(r"AUD\d{3}")
#: ``SuppressionFact.style`` of ``# auditls: ignore-file[...]``: applies to the whole file.
FILE_STYLE = "auditls-file"


@fact
class SuppressionFact(Fact):
    """A suppression comment: `# auditls: ignore[...]`, bare `# auditls: ignore`, or `# nosec`."""

    TABLE: ClassVar[str] = "python_suppressions"

    codes: tuple[str, ...]  # rule codes named; empty means every rule
    style: str  # "auditls" (a line), "auditls-file" (the whole file) or "nosec"
    malformed: str | None  # why the comment is not understood (then it suppresses nothing)


#: The core's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (
    ImportFact,
    FunctionFact,
    ParamFact,
    ClassFact,
    CallFact,
    CallArgFact,
    AssignmentFact,
    ReturnFact,
    DecoratorFact,
    ContextManagerFact,
    SuppressionFact,
)
