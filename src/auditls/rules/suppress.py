"""Suppression comments: ``# auditls: ignore[CODE, ...]``, ``# auditls: ignore`` and ``# nosec``.

The extractor calls :func:`parse_suppressions` once per file and stores the result as
``SuppressionFact`` rows; :func:`auditls.rules.checks.check_facts` applies them. The algorithm:

1. Skip the file unless its bytes contain ``auditls`` or ``nosec`` (most files do not).
2. Tokenize it, so that a ``#`` inside a string is not mistaken for a comment.
3. In each comment, every ``#`` followed by ``auditls:`` or ``nosec`` starts a directive that
   runs to the next ``#`` (so ``# noqa: S307  # auditls: ignore[AUD101]`` works).
4. ``auditls:`` directives are parsed strictly. Anything not of the form ``ignore`` or
   ``ignore[AUD123, ...]`` (optionally followed by a free-form reason) becomes a fact with
   ``malformed`` set: it suppresses nothing and is reported as AUD002. Whether a well-formed code
   names an existing rule is checked later, against the current catalogue, by ``check_facts``.
5. ``nosec`` directives are bandit's and never malformed: auditls codes after them restrict the
   suppression to those codes; otherwise (bare, or bandit test ids such as ``B602``) they
   suppress every rule.

A tokenize error (an unterminated string, a bad encoding, a NUL byte) ends the scan: the comments
found so far are returned, nothing is raised.
"""

from __future__ import annotations

import io
import re
import tokenize

from auditls.facts import SuppressionFact
from auditls.rules.catalogue import CODE_RE

# A directive starts at a "#": "# auditls: ..." or "# nosec ...".
_DIRECTIVE_RE = re.compile(r"#\s*(?:(?P<auditls>auditls\s*:)|(?P<nosec>nosec)\b)")
_WORD_RE = re.compile(r"\s*(\w*)")
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
                found.extend(parse_comment(tok.string, line, col0 + 1))
    except _TOKENIZE_ERRORS:
        pass  # keep what was found before the error; the extractor reports the syntax error
    return found


def parse_comment(comment: str, line: int, col: int) -> list[SuppressionFact]:
    """The directives of one comment token starting at (``line``, 1-based code-point ``col``)."""
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
            codes, malformed = _parse_auditls(body)
            style = "auditls"
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


def _parse_auditls(body: str) -> tuple[tuple[str, ...], str | None]:
    """Parse what follows ``auditls:``; returns (codes, why it is malformed or None)."""
    word_match = _WORD_RE.match(body)
    assert word_match is not None  # the pattern matches the empty string
    word = word_match.group(1)
    if word != "ignore":
        if not word:
            return (), "nothing after 'auditls:', expected 'ignore'"
        return (), f"unknown directive '{word}', expected 'ignore'"
    rest = body[word_match.end() :]
    codes: tuple[str, ...] = ()
    if rest.lstrip().startswith("["):
        rest = rest.lstrip()
        close = rest.find("]")
        if close < 0:
            return (), "unclosed '[' after 'ignore'"
        inner = rest[1:close]
        if not inner.strip():
            return (), "empty code list '[]'"
        items = [item.strip() for item in inner.split(",")]
        for item in items:
            if not item:
                return (), f"empty code in '[{inner}]'"
            if not CODE_RE.fullmatch(item):
                return (), f"'{item}' is not a rule code (AUD and three digits)"
        codes = tuple(dict.fromkeys(items))
    elif _LOOSE_CODE_RE.match(rest):
        return (), "codes must be in brackets, as in 'ignore[AUD101]'"
    # Whatever follows is a free-form reason ("-- input is a constant table").
    return codes, None
