"""Suppression comments: ``# auditls: ignore[CODE, ...]``, ``# auditls: ignore``, ``# nosec``, and
the file-level ``# auditls: ignore-file[CODE, ...]``.

The extractor calls :func:`parse_suppressions` once per file and stores the result as
``SuppressionFact`` rows; :func:`auditls.rules.runner.check_facts` applies them. The algorithm:

1. Skip the file unless its bytes contain ``auditls`` or ``nosec`` (most files do not).
2. Tokenize it, so that a ``#`` inside a string is not mistaken for a comment.
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

import io
import re
import tokenize

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


def parse_suppressions(source: bytes) -> list[SuppressionFact]:
    """Every suppression directive in the comments of ``source``, in source order."""
    if b"auditls" not in source and b"nosec" not in source:
        return []
    found: list[SuppressionFact] = []
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            if tok.type == tokenize.COMMENT:
                line, col0 = tok.start
                own_line = not tok.line[:col0].strip()
                found.extend(parse_comment(tok.string, line, col0 + 1, own_line=own_line))
    except _TOKENIZE_ERRORS:
        pass  # keep what was found before the error; the extractor reports the syntax error
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
