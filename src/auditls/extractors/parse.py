"""The one place a file is decoded and parsed (DESIGN.md: parse once, walk once)."""

from __future__ import annotations

import ast
import importlib.util
import sys
import warnings

#: ``ast`` builds its Python objects recursively: long operator chains need headroom.
PARSE_RECURSION_LIMIT = 12_000


def decode(source: bytes) -> str:
    """Source bytes to text as Python reads them (cookie, BOM, universal newlines)."""
    return importlib.util.decode_source(source)


def parse(text: str, path: str) -> ast.Module:
    """``ast.parse`` with room for deep expressions and without SyntaxWarnings.

    Raises what ``ast.parse`` raises (SyntaxError, ValueError for NUL bytes, RecursionError).
    """
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, PARSE_RECURSION_LIMIT))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
            return ast.parse(text, filename=path, type_comments=False)
    finally:
        sys.setrecursionlimit(limit)
