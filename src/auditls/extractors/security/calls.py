"""Security extractors (INVENTORY.md, Phase 3 Block 3): dangerous calls, files, secrets.

The other security extractors live in ``sql``, ``crypto`` and ``web`` beside this module. Each
one resolves callees with ``ctx.qualname`` and reads the calls' arguments with
``security.values``: where a value comes from is worked out here, with the tree at hand, and
stored as a *source* in the facts.

A fact about a call carries the ``call_id`` of its ``python_calls`` row. ``core.calls`` numbers
calls in walk order, one per ``ast.Call``; every extractor here that emits such facts counts
calls the same way (``security.values.CallCounter``), and a test checks that the two agree.

Each extractor declares the knowledge tables it reads (``qualnames``, ``names``, ``fragments``);
a file that cannot reach any of their entries skips it (``auditls.extractors.prefilter``).
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from typing import ClassVar

from auditls.extractors.literals import value_kind
from auditls.extractors.security import values
from auditls.extractors.security.values import CallCounter
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.security import (
    BidiControlFact,
    DangerousCallFact,
    FileOperationFact,
    SecretLiteralFact,
)
from auditls.knowledge.checks import DUMMY_SECRETS, KNOWN_SECRET_FORMATS
from auditls.knowledge.security import (
    CHMOD_CALLS,
    CODE_WATCH,
    COMMAND_WATCH,
    MKTEMP_CALLS,
    OTHER_WATCH,
    SHARED_TEMP_DIRS,
    STAT_BITS,
    TAR_EXTRACT_CALLS,
    ZIP_EXTRACT_CALLS,
    Arg,
    Watch,
)

# -- dangerous calls ----------------------------------------------------------------------------


class _Recorder(CallCounter):
    """Writes one ``python_dangerous_calls`` row per call of a callee in ``watch``."""

    watch: ClassVar[dict[str, Watch]] = {}
    #: The last names of the watched callees: a method call whose attribute is not one of them
    #: is skipped without resolving it (a bare name is always resolved: it may be an alias).
    last_names: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.qualnames = (cls.watch,)
        cls.last_names = frozenset(name.rpartition(".")[2] for name in cls.watch)

    def call(self, node: ast.Call, call_id: int) -> None:
        ctx = self.ctx
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr not in self.last_names:
            return
        callee = ctx.qualname(func)
        if callee is None:
            return
        spec = self.watch.get(callee)
        if spec is None:
            return
        arg, hidden = values.locate(node, spec.arg)
        self.emit(
            DangerousCallFact(
                **ctx.pos(node),
                call_id=call_id,
                function=ctx.function,
                category=spec.category,
                callee=callee,
                role=spec.role,
                arg_text=ctx.text_of(arg) if arg is not None else None,
                arg_kind=value_kind(arg) if arg is not None else None,
                source=values.classify(ctx, arg, spec.category) if arg is not None else None,
                hidden=hidden,
                program=_program(arg) if spec.category == "command" else None,
            )
        )


def _program(node: ast.expr | None) -> str | None:
    """The literal program of a command: ``"git"`` in ``["git", x]`` or ``"git status"``."""
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        node = node.elts[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return node.value.split()[0]
    return None


@register
class EvalExecExtractor(_Recorder):
    """extract_eval_exec_usage: eval / exec / compile and dynamic imports, with their argument's
    source."""

    name = "security.eval_exec"
    fact_types = (DangerousCallFact,)
    watch = CODE_WATCH


@register
class SubprocessExtractor(_Recorder):
    """extract_subprocess_calls: subprocess, os.system / popen / exec* / spawn*, asyncio,
    paramiko exec_command, with the source of the command (or program) argument."""

    name = "security.subprocess"
    fact_types = (DangerousCallFact,)
    watch = COMMAND_WATCH


@register
class DangerousCallsExtractor(_Recorder):
    """extract_dangerous_calls: deserializers, XML parsers, template sources, markup and URL
    openers, with the source of the data they are given."""

    name = "security.dangerous_calls"
    fact_types = (DangerousCallFact,)
    watch = OTHER_WATCH


# -- file operations ----------------------------------------------------------------------------


def _temp_dir(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    for d in SHARED_TEMP_DIRS:
        if text == d or text.startswith(d + "/"):
            return d
    return None


def _leading_literal(node: ast.expr) -> object:
    """The literal text a string expression starts with (f"/tmp/{x}" -> "/tmp/"), else None."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        return first.value if isinstance(first, ast.Constant) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _leading_literal(node.left)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (node.func.attr == "format")
    ):
        return _leading_literal(node.func.value)
    return None


def _mode(ctx: Context, node: ast.expr | None) -> int | None:
    """A chmod mode written as a number or as ``stat`` constants joined by ``|`` / ``+``."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Attribute | ast.Name):
        name = ctx.qualname(node)
        if name is not None and name.startswith("stat."):
            return STAT_BITS.get(name[5:])
        value = values.literal_value(ctx, node)
        return value if type(value) is int else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr | ast.Add):
        left, right = _mode(ctx, node.left), _mode(ctx, node.right)
        if left is None or right is None:
            return None
        return left | right if isinstance(node.op, ast.BitOr) else left + right
    return None


@register
class FileOperationsExtractor(CallCounter):
    """extract_file_operations: tar / zip extraction, mktemp, chmod modes, hard-coded paths in
    shared temporary directories."""

    name = "security.file_operations"
    fact_types = (FileOperationFact,)
    qualnames = (TAR_EXTRACT_CALLS, ZIP_EXTRACT_CALLS, MKTEMP_CALLS, CHMOD_CALLS)
    fragments = (SHARED_TEMP_DIRS,)  # hard-coded paths: literals, in any call or assignment

    def _fact(self, node: ast.AST, call_id: int | None, operation: str, **kw: object) -> None:
        ctx = self.ctx
        fields: dict[str, object] = {
            "callee": None, "path_text": None, "path_source": None, "mode": None,
            "extract_filter": None, "members": False, "temp_dir": None,
        }  # fmt: skip
        fields.update(kw)
        fields.update(ctx.pos(node))
        fields.update(call_id=call_id, function=ctx.function)
        self.emit(FileOperationFact(operation=operation, **fields))  # type: ignore[arg-type]

    def _path(self, node: ast.Call, spec: Arg) -> dict[str, object]:
        path, _ = values.locate(node, spec)
        if path is None:
            return {}
        return {
            "path_text": self.ctx.text_of(path),
            "path_source": values.classify(self.ctx, path, "file"),
        }

    def call(self, node: ast.Call, call_id: int) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        if callee in TAR_EXTRACT_CALLS:
            assert callee is not None
            flt = values.keyword(node, "filter")
            if flt is None:
                filter_value = None
            elif isinstance(flt, ast.Constant) and isinstance(flt.value, str):
                filter_value = flt.value
            else:
                filter_value = "<dynamic>"
            path_arg = Arg(0, ("path",)) if callee.endswith("extractall") else Arg(1, ("path",))
            self._fact(
                node, call_id, "tar_extract", callee=callee, extract_filter=filter_value,
                members=values.keyword(node, "members") is not None or (
                    callee.endswith("extractall") and len(node.args) > 1),
                **self._path(node, path_arg),
            )  # fmt: skip
        elif callee in ZIP_EXTRACT_CALLS:
            assert callee is not None
            self._fact(
                node, call_id, "zip_extract", callee=callee,
                **self._path(node, ZIP_EXTRACT_CALLS[callee]),
            )  # fmt: skip
        elif callee in MKTEMP_CALLS:
            self._fact(node, call_id, "mktemp", callee=callee)
        elif callee in CHMOD_CALLS:
            spec = CHMOD_CALLS[callee]
            mode_arg, _ = values.locate(node, spec)
            self._fact(node, call_id, "chmod", callee=callee, mode=_mode(ctx, mode_arg))
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if isinstance(arg, ast.Starred):
                continue
            temp = _temp_dir(_leading_literal(arg))
            if temp is not None:
                self._fact(
                    arg, call_id, "temp_path", callee=callee, temp_dir=temp,
                    path_text=ctx.text_of(arg), path_source=values.classify(ctx, arg, "file"),
                )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.value)

    def _assigned(self, value: ast.expr) -> None:
        temp = _temp_dir(_leading_literal(value))
        if temp is not None and not isinstance(value, ast.Call):
            self._fact(
                value, None, "temp_path", temp_dir=temp, path_text=self.ctx.text_of(value),
                path_source=values.classify(self.ctx, value, "file"),
            )  # fmt: skip


# -- hard-coded secrets -------------------------------------------------------------------------

#: The last word(s) of a name that holds a secret, by kind: a secret word must end the name
#: (``db_password``, ``SECRET_KEY``, ``apiKey``), so ``REASON_CSRF_TOKEN_MISSING`` or
#: ``password_hash`` are not secret names.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:(?P<password>pass(?:word|wd|phrase)?|pwd)|(?P<token>token|credentials?)"
    r"|(?P<key>secret|api_?key|private_?key|access_?key|secret_?key|auth_?key|signing_?key"
    r"|encryption_?key|client_?secret|jwt_?secret))\d*$"
)
#: A last word that makes the name describe the secret rather than hold it (TOKEN_URL).
_DESCRIPTORS = frozenset(("key_name", "keyname", "reset_url", "uri_prefix"))
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PLACEHOLDER = re.compile(
    r"^(?:\$\{?\w+\}?|\{\{.*\}\}|\{\w*\}|%\(\w+\)s|<[^<>]+>|\*+|x+|\.+|-+)$", re.I
)
#: Text that makes a literal a template, a message or a query rather than a secret.
_NOT_A_VALUE = re.compile(r"%[-#0 +]*\d*[sdrif]|%\(\w+\)|\{\w*(?:[.:!][^{}]*)?\}|\s")
#: An identifier, a key name or a dotted / dashed name (``_password_reset_token``,
#: ``set-password``, ``NOTPROVIDED``): what a token-named constant usually holds.
_NAME_LIKE = re.compile(r"^(?:[a-z_][a-z_.\-]*|[A-Z_][A-Z_.\-]*)$")
#: Every known format in one pattern (one scan per string), a group per format.
_KNOWN_FORMAT = re.compile("|".join(f"(?P<f{i}>{rx})" for i, (_, rx) in enumerate(
    KNOWN_SECRET_FORMATS)))  # fmt: skip
#: The same formats one by one, for a scan of a whole file, without the leading ``\b``: a
#: pattern that starts with literal text is searched for that text at C speed, while a ``\b``
#: (or a look-behind) in front makes the engine try every position — 20 ms instead of 1 ms on a
#: 60 KB file, on every save. The word boundary is checked on each match instead
#: (``_format_matches``).
_WORD = re.compile(r"\w")
_FORMAT_SCANS = tuple(
    (re.compile(rx.removeprefix(r"\b")), rx.startswith(r"\b")) for _, rx in KNOWN_SECRET_FORMATS
)


def _leading_literals(rx: str) -> tuple[str, ...] | None:
    """The literal text one of which starts every match of a format that opens with a group of
    alternatives (``(?:AKIA|ASIA)...``, ``(?:gh[pousr]_...|github_pat_...)``): such a pattern
    has no literal prefix for the engine to search for, and is tried at every position; a
    file holding none of these texts (found at C speed) cannot match it. None: no such group,
    or an alternative that starts with no literal."""
    rx = rx.removeprefix(r"\b")
    if not rx.startswith("(?:") or "(?i" in rx:
        return None
    depth, end = 0, -1
    for i, ch in enumerate(rx):
        if ch == "(" and rx[i - 1 : i] != "\\":
            depth += 1
        elif ch == ")" and rx[i - 1 : i] != "\\":
            depth -= 1
            if depth == 0:
                end = i
                break
    if end < 0:
        return None
    # The literal text after the group, when the group is not optional or repeated: it follows
    # each alternative that is all literal (``(?:sk|rk)_live_`` needs ``sk_live_`` or
    # ``rk_live_``; ``sk`` alone is in every other word).
    if rx[end + 1 : end + 2] in ("?", "*", "{"):
        return None  # the group may be absent
    after = ""
    if rx[end + 1 : end + 2] != "+":
        after = re.match(r"[A-Za-z0-9_]*", rx[end + 1 :]).group()  # type: ignore[union-attr]
        if rx[end + 1 + len(after) : end + 2 + len(after)] in ("?", "*", "{"):
            after = after[:-1]  # its last character may be absent
    prefixes = []
    for alternative in rx[3:end].split("|"):
        literal = re.match(r"[A-Za-z0-9_]*", alternative)
        if literal is None or not literal.group() or "(" in alternative:
            return None
        prefixes.append(
            literal.group() + after if literal.group() == alternative else literal.group()
        )
    return tuple(prefixes)


_FORMAT_LITERALS = tuple(_leading_literals(rx) for _, rx in KNOWN_SECRET_FORMATS)


def _format_matches(text: str) -> list[tuple[int, re.Match[str]]]:
    """Every known-format key in ``text``: (the format's index, the match), in text order —
    what ``_KNOWN_FORMAT.finditer`` finds."""
    found = []
    for index, (pattern, boundary) in enumerate(_FORMAT_SCANS):
        literals = _FORMAT_LITERALS[index]
        if literals is not None and not any(literal in text for literal in literals):
            continue
        match = pattern.search(text)
        while match is not None:
            start = match.start()
            if boundary and start > 0 and _WORD.match(text, start - 1):
                # Inside a longer word: no boundary before it; a key may start further on.
                match = pattern.search(text, start + 1)
                continue
            found.append((index, match))
            match = pattern.search(text, max(match.end(), start + 1))
    found.sort(key=lambda item: item[1].start())
    return found


def secret_kind(name: str) -> str | None:
    """The kind of secret a variable / key / keyword name says it holds (``password``, ``token``
    or ``key``), or None: the secret word must be the name's last word (or words), so
    ``db_password`` and ``SECRET_KEY`` are, ``TOKEN_URL`` and ``REASON_CSRF_TOKEN_MISSING``
    are not."""
    words = _CAMEL.sub("_", name).lower().strip("_")
    match = _SECRET_NAME.search(words)
    if match is None or any(words.endswith(d) for d in _DESCRIPTORS):
        return None
    return match.lastgroup


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def known_secret_format(text: str) -> str | None:
    """The kind of key a literal is by its form alone (an AWS access key ID, a GitHub token, a
    private-key block...), or None."""
    if len(text) < 20:
        return None
    match = _KNOWN_FORMAT.search(text)
    if match is None or match.lastgroup is None:
        return None
    return KNOWN_SECRET_FORMATS[int(match.lastgroup[1:])][0]


def real_secret(value: object, name: str) -> bool:
    """Whether a literal given to a secret name looks like an actual secret of that kind.

    Never: a non-string, a placeholder (``"${TOKEN}"``, ``"<password>"``, ``"***"``), a dummy
    (``"test"``, ``"changeme"``), a URL, the name itself, text with spaces or format fields (a
    message, a template, a query). A password is any other value of 6 characters or more that
    does not name a password (``"set-password"``); a token must look random (16 characters or
    more, letters and digits, some entropy) rather than like a name (``"NOTPROVIDED"``); a key
    (``SECRET_KEY``, ``api_key``) any other value of 4 characters or more that is not a name in
    capitals (an environment variable's)."""
    if not isinstance(value, str):
        return False
    kind = secret_kind(name)
    text = value.strip()
    lowered = text.lower()
    if (
        kind is None
        or len(text) < 4
        or _PLACEHOLDER.match(text)
        or lowered in DUMMY_SECRETS
        or lowered.startswith(("http://", "https://"))
        or _NOT_A_VALUE.search(text)
        or lowered in (name.lower(), name.lower().replace("_", ""), name.lower().replace("_", "-"))
    ):
        return False
    if kind == "password":
        return len(text) >= 6 and not any(w in lowered for w in ("password", "passwd"))
    if kind == "token":
        classes = sum(
            (any(c.islower() for c in text), any(c.isupper() for c in text),
             any(c.isdigit() for c in text))
        )  # fmt: skip
        return (
            len(text) >= 16 and classes >= 2 and _entropy(text) >= 3.0
            and not _NAME_LIKE.match(text)
        )  # fmt: skip
    return not re.fullmatch(r"[A-Z][A-Z0-9_]*", text)


def _target_name(target: ast.expr) -> tuple[str, str] | None:
    if isinstance(target, ast.Name):
        return target.id, "assignment"
    if isinstance(target, ast.Attribute):
        return target.attr, "attribute"
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value, "subscript"
    return None


@register
class SecretsExtractor(CallCounter):
    """extract_hardcoded_secrets: string literals assigned to, passed as, compared with or
    defaulting for names that say they hold a secret."""

    name = "security.secrets"
    fact_types = (SecretLiteralFact,)

    def _emit(self, at: ast.AST, name: str, context: str, value: str, call_id: int | None) -> None:
        self.emit(
            SecretLiteralFact(
                **self.ctx.pos(at),
                function=self.ctx.function,
                name=name,
                context=context,
                length=len(value),
                call_id=call_id,
            )
        )

    def _check(self, at: ast.AST, name: str, context: str, value: ast.expr | None,
               call_id: int | None = None) -> None:  # fmt: skip
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and real_secret(value.value, name)
            and known_secret_format(value.value) is None  # reported by finish()
        ):
            self._emit(at, name, context, value.value, call_id)

    def finish(self) -> None:
        """Keys in a known format, anywhere in the source (a string, a comment): one scan of
        the text, cheaper than looking at every constant."""
        text = self.ctx.text
        for index, match in _format_matches(text):
            start = match.start()
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            self.emit(
                SecretLiteralFact(
                    line=line, col=col, end_line=line, end_col=col + len(match.group()),
                    function=self.ctx.module,
                    name=KNOWN_SECRET_FORMATS[index][0], context="format",
                    length=len(match.group()), call_id=None,
                )
            )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if not isinstance(value, ast.Constant):
            return
        for target in node.targets:
            named = _target_name(target)
            if named is not None:
                self._check(target, named[0], named[1], value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        named = _target_name(node.target)
        if named is not None and isinstance(node.value, ast.Constant):
            self._check(node.target, named[0], named[1], node.value)

    def call(self, node: ast.Call, call_id: int) -> None:
        for kw in node.keywords:
            if kw.arg is not None and isinstance(kw.value, ast.Constant):
                self._check(kw, kw.arg, "keyword", kw.value, call_id)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self._check(key, key.value, "dict", value)

    def visit_Compare(self, node: ast.Compare) -> None:
        if len(node.ops) != 1 or not isinstance(node.ops[0], ast.Eq | ast.NotEq):
            return
        left, right = node.left, node.comparators[0]
        if isinstance(left, ast.Constant):
            left, right = right, left
        named = _target_name(left)
        if named is not None:
            self._check(node, named[0], "compare", right)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._defaults(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._defaults(node)

    def _defaults(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
        )
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        for param, default in pairs:
            self._check(param, param.arg, "default", default)


# -- source text --------------------------------------------------------------------------------

#: Bidirectional control characters (Trojan Source): embeddings, overrides and isolates, which
#: can reorder how code reads, are reported anywhere; plain marks only outside string literals.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
#: LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK, ARABIC LETTER MARK: they reorder nothing around them
#: and are ordinary text in a right-to-left locale's strings (Django's ``formats.py``).
BIDI_MARKS = frozenset("\u200e\u200f\u061c")


@register
class SourceTextExtractor(Extractor):
    """extract_bidi_controls: bidirectional control characters in the source (marks only outside
    string literals)."""

    name = "security.source_text"
    fact_types = (BidiControlFact,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        text = ctx.text
        #: Whether the file holds a mark at all: only then are string literals located.
        self._marks = not text.isascii() and bool(BIDI_MARKS.intersection(text))
        #: (line, col, end_line, end_col) of each string literal, in code points, 1-based.
        self._strings: list[tuple[int, int, int, int]] = []

    def visit_Constant(self, node: ast.Constant) -> None:
        if self._marks and isinstance(node.value, str | bytes):
            self._string(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if self._marks:
            self._string(node)

    def _string(self, node: ast.AST) -> None:
        p = self.ctx.pos(node)
        self._strings.append((p["line"], p["col"], p["end_line"], p["end_col"]))

    def _in_string(self, line: int, col: int) -> bool:
        return any((l0, c0) <= (line, col) < (l1, c1) for l0, c0, l1, c1 in self._strings)

    def finish(self) -> None:
        text = self.ctx.text
        if text.isascii() or not BIDI_CONTROLS.intersection(text):
            return
        line, line_start = 1, 0
        for i, ch in enumerate(text):
            if ch == "\n":
                line, line_start = line + 1, i + 1
            elif ch in BIDI_CONTROLS:
                col = i - line_start + 1
                if ch in BIDI_MARKS and self._in_string(line, col):
                    continue
                self.emit(
                    BidiControlFact(
                        line=line,
                        col=col,
                        end_line=line,
                        end_col=col + 1,
                        codepoint=f"U+{ord(ch):04X}",
                        char_name=unicodedata.name(ch, "BIDI CONTROL"),
                    )
                )
