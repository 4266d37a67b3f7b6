"""Suppression comments: ``# auditls: ignore[CODE, ...]``, ``# auditls: ignore``, ``# nosec``, and
the file-level ``# auditls: ignore-file[CODE, ...]``.

The extractor calls :func:`parse_suppressions` once per file and stores the result as
``SuppressionFact`` rows; :func:`auditls.rules.runner.check_facts` applies them. The algorithm:

1. Skip the file unless a line of it holds a ``#`` followed by ``auditls`` or ``nosec`` (most
   files hold none; an identifier such as ``auditls_x`` or a string alone is not enough).
2. Tokenize, so that a ``#`` inside a string is not mistaken for a comment: with the file's
   syntax tree (``extract`` has it), only the lines from the start of the top-level statement
   before each candidate line to that line (a top-level statement that starts on a line of its
   own starts outside every string: the lexer's state there is known). Python's tokenizer is
   pure Python up to 3.11 and costs more than the parse: a whole 22 KB file took 17 ms, 40% of
   the editor's first analysis of a buffer. Without a tree (a file that does not parse, a lone
   CR, text the tree's line numbers may not match) the whole file is tokenized, as before.
3. In each comment, every ``#`` followed by ``auditls:`` or ``nosec`` starts a directive that
   runs to the next ``#`` (so ``# noqa: S307  # auditls: ignore[AUD101]`` works).
4. ``auditls:`` directives are parsed strictly. Anything not of the form ``ignore``,
   ``ignore[AUD123, ...]`` or ``ignore-file[AUD123, ...]`` (optionally followed by a free-form
   reason) becomes a fact with ``malformed`` set: it suppresses nothing and is reported as AUD002.
   Whether a well-formed code names an existing rule is checked later, against the current
   catalogue, by ``check_facts``.
5. ``ignore-file[...]`` (style ``auditls-file``) suppresses the codes it names in the whole file.
   It must name its codes (a bare ``ignore-file`` would silently switch the tool off) and stand
   on a line of its own (a trailing one reads as if it applied to its line only); otherwise it is
   malformed.
6. ``nosec`` directives are bandit's and never malformed: auditls codes after them restrict the
   suppression to those codes; otherwise (bare, or bandit test ids such as ``B602``) they
   suppress every rule.

A tokenize error (an unterminated string, a bad encoding, a NUL byte) ends the scan: the comments
found so far are returned, nothing is raised.
"""

from __future__ import annotations

import ast
import bisect
import functools
import io
import re
import tokenize
from collections.abc import Iterable

# CODE_RE and FILE_STYLE live beside SuppressionFact (the rules read them without importing the
# extractors); named here too, as before.
from auditls.facts.core import CODE_RE as CODE_RE
from auditls.facts.core import FILE_STYLE as FILE_STYLE
from auditls.facts.core import SuppressionFact

# A directive starts at a "#": "# auditls: ..." or "# nosec ...".
_DIRECTIVE_RE = re.compile(r"#\s*(?:(?P<auditls>auditls\s*:)|(?P<nosec>nosec)\b)")
_WORD_RE = re.compile(r"\s*([\w-]*)")
# Codes written after `ignore` without brackets: "ignore AUD101", "ignore: AUD101".

_LOOSE_CODE_RE = re.compile(r"\s*[:=(]?\s*[A-Za-z]+\d+\b")
_AUD_CODE_RE = re.compile(r"\bAUD\d{3}\b")


_TOKENIZE_ERRORS = (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError, ValueError)


#: A line that may hold a directive: a ``#`` and, after it on the line, either word.
_CANDIDATE_RE = re.compile(rb"#[^\r\n]*(?:auditls|nosec)")


def parse_suppressions(source: bytes, tree: ast.Module | None = None) -> list[SuppressionFact]:
    """Every suppression directive in the comments of ``source``, in source order. ``tree``:
    the module parsed from ``source``, when the caller has it (only the lines around the
    candidates are tokenized then)."""
    if b"auditls" not in source and b"nosec" not in source:
        return []
    candidates = _candidate_lines(source)
    if not candidates:
        return []
    if tree is not None:
        found = _around(source, tree, candidates)
        if found is not None:
            return found
    try:
        tokens = tokenize.tokenize(io.BytesIO(source).readline)  # reads the encoding at once
    except _TOKENIZE_ERRORS:
        return []
    return _comments(tokens, 0)


def _candidate_lines(source: bytes) -> list[int]:
    """The 1-based numbers (lines ended by ``\\n``, as ``tokenize`` reads them) of the lines
    that may hold a directive, ascending."""
    lines: list[int] = []
    line, at = 1, 0
    for match in _CANDIDATE_RE.finditer(source):
        line += source.count(b"\n", at, match.start())
        at = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _around(source: bytes, tree: ast.Module, candidates: list[int]) -> list[SuppressionFact] | None:
    """The directives on the ``candidates`` lines, each group of them tokenized from the start
    of the top-level statement before it; None when the lines of ``source`` may not be the
    tree's (a lone CR ends a line for the parser, not for ``tokenize``) or it does not decode."""
    if b"\r" in source and source.count(b"\r") != source.count(b"\r\n"):
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        text = source.decode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        return None
    lines = text.split("\n")
    if len(lines) != source.count(b"\n") + 1:
        return None
    starts = _clean_starts(tree.body)
    found: list[SuppressionFact] = []
    i = 0
    while i < len(candidates):
        start = starts[bisect.bisect_right(starts, candidates[i]) - 1]
        end = candidates[i]
        following = bisect.bisect_right(starts, end)
        limit = starts[following] if following < len(starts) else len(lines) + 1
        while i < len(candidates) and candidates[i] < limit:
            end = candidates[i]
            i += 1
        chunk = [line + "\n" for line in lines[start - 1 : end]]
        tokens = tokenize.generate_tokens(functools.partial(next, iter(chunk), ""))
        found.extend(_comments(tokens, start - 1))
    return found


def _clean_starts(body: list[ast.stmt]) -> list[int]:
    """The lines on which the lexer is outside every string and bracket: line 1, and the first
    line (decorators included) of each top-level statement that starts on a line of its own."""
    starts = [1]
    ended = 0  # the last line of the statements so far
    for stmt in body:
        first = stmt.lineno
        for decorator in getattr(stmt, "decorator_list", ()):
            first = min(first, decorator.lineno)
        if first > ended and first > starts[-1]:
            starts.append(first)
        ended = max(ended, stmt.end_lineno or stmt.lineno)
    return starts


def _comments(tokens: Iterable[tokenize.TokenInfo], offset: int) -> list[SuppressionFact]:
    """The directives in the comment tokens of ``tokens`` (lines moved down by ``offset``); a
    tokenize error ends them (the extractor reports the syntax error)."""
    found: list[SuppressionFact] = []
    try:
        for tok in tokens:
            if tok.type == tokenize.COMMENT:
                line, col0 = tok.start
                own_line = not tok.line[:col0].strip()
                found.extend(parse_comment(tok.string, line + offset, col0 + 1, own_line=own_line))
    except _TOKENIZE_ERRORS:
        pass  # keep what was found before the error
    return found


def parse_comment(
    comment: str, line: int, col: int, *, own_line: bool = False
) -> list[SuppressionFact]:
    """The directives of one comment token starting at (``line``, 1-based code-point ``col``);
    ``own_line``: nothing but whitespace precedes the comment on its line."""
    facts: list[SuppressionFact] = []
    for match in _DIRECTIVE_RE.finditer(comment):
        end = comment.find("#", match.end())
        if end < 0:
            end = len(comment)
        body = comment[match.end() : end]
        if match.group("nosec") is not None:
            codes = tuple(dict.fromkeys(_AUD_CODE_RE.findall(body)))
            style, malformed = "nosec", None
        else:
            style, codes, malformed = _parse_auditls(body)
            if style == FILE_STYLE and malformed is None and not own_line:
                codes = ()
                malformed = "'ignore-file' must be on a line of its own, it applies to the file"
        stop = match.start() + len(comment[match.start() : end].rstrip())
        facts.append(
            SuppressionFact(
                line=line,
                col=col + match.start(),
                end_line=line,
                end_col=col + stop,
                codes=codes,
                style=style,
                malformed=malformed,
            )
        )
    return facts


def _parse_auditls(body: str) -> tuple[str, tuple[str, ...], str | None]:
    """Parse what follows ``auditls:``; returns (style, codes, why it is malformed or None)."""
    word_match = _WORD_RE.match(body)
    assert word_match is not None  # the pattern matches the empty string
    word = word_match.group(1)
    if word not in ("ignore", "ignore-file"):
        if not word:
            return "auditls", (), "nothing after 'auditls:', expected 'ignore'"
        return "auditls", (), f"unknown directive '{word}', expected 'ignore' or 'ignore-file'"
    style = "auditls" if word == "ignore" else FILE_STYLE
    rest = body[word_match.end() :]
    codes: tuple[str, ...] = ()
    if rest.lstrip().startswith("["):
        rest = rest.lstrip()
        close = rest.find("]")
        if close < 0:
            return style, (), f"unclosed '[' after '{word}'"
        inner = rest[1:close]
        if not inner.strip():
            return style, (), "empty code list '[]'"
        items = [item.strip() for item in inner.split(",")]
        for item in items:
            if not item:
                return style, (), f"empty code in '[{inner}]'"
            if not CODE_RE.fullmatch(item):
                return style, (), f"'{item}' is not a rule code (AUD and three digits)"
        codes = tuple(dict.fromkeys(items))
    elif _LOOSE_CODE_RE.match(rest):
        return style, (), f"codes must be in brackets, as in '{word}[AUD101]'"
    elif style == FILE_STYLE:
        return style, (), "'ignore-file' must name the rules it silences: 'ignore-file[AUD101]'"
    # Whatever follows is a free-form reason ("-- input is a constant table").
    return style, codes, None
