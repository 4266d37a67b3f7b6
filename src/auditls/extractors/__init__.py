"""Extraction: ``extract(source, path) -> FileFacts``, a pure function.

It decodes the bytes (PEP 263 cookies, BOM), parses once with ``ast``, builds the semantic model
and walks the tree once with every registered extractor (see ``walker``) but those the file
cannot need, which the pre-filter decides from the modules it imports and the knowledge each
extractor declares (see ``prefilter``). It never imports or
executes the analysed code, and never raises on bad input: a file that does not decode or parse
comes back with ``status="syntax_error"`` and the error's position.
"""

from __future__ import annotations

import gc
import operator

from auditls import extractor_version

# Importing the domain modules registers their extractors.
from auditls.extractors import aiohttp as _aiohttp  # noqa: F401
from auditls.extractors import celery as _celery  # noqa: F401
from auditls.extractors import concurrency as _concurrency  # noqa: F401
from auditls.extractors import core as _core  # noqa: F401
from auditls.extractors import django as _django  # noqa: F401
from auditls.extractors import fastapi as _fastapi  # noqa: F401
from auditls.extractors import flask as _flask  # noqa: F401
from auditls.extractors import orm as _orm  # noqa: F401
from auditls.extractors import security as _security  # noqa: F401
from auditls.extractors import taint as _taint  # noqa: F401
from auditls.extractors import testing as _testing  # noqa: F401
from auditls.extractors import typeinfo as _typeinfo  # noqa: F401
from auditls.extractors import validation as _validation  # noqa: F401
from auditls.extractors.django.templates import extract_template, is_template
from auditls.extractors.parse import decode, parse
from auditls.extractors.prefilter import FileScan
from auditls.extractors.reparse import Reparser
from auditls.extractors.semantic import Context, module_from_path
from auditls.extractors.suppress import parse_suppressions
from auditls.extractors.walker import REGISTRY, Extractor, Table, Walker, build_tables
from auditls.facts import Fact, FileFacts, all_fact_types, escape_file_facts
from auditls.knowledge.layout import is_indexed, module_name_for

#: Recorded per file in the store: facts extracted by another version are re-extracted.
EXTRACTOR_VERSION = extractor_version()

_TABLES = build_tables(REGISTRY)
#: Stands in the list of a walk's extractors for one it skips.
_NOT_RUN = Extractor.__new__(Extractor)
_PRUNED: dict[frozenset[int], tuple[Table, Table]] = {}


def skipped(scan: FileScan, only: frozenset[str] | None = None) -> frozenset[int]:
    """The registry indices of the extractors a file does *not* need (``prefilter``), and,
    when ``only`` names extractors, of every other."""
    return frozenset(
        i
        for i, cls in enumerate(REGISTRY)
        if (only is not None and cls.name not in only) or not scan.meets(cls.needs)
    )


def _tables_without(skip: frozenset[int]) -> tuple[Table, Table]:
    """The dispatch tables less the extractors a file does not need (cached per skip set).

    A handler that would return at once still costs a call per node: 20-odd extractors listen to
    ``Call``, and most files mention only a few of the modules they are about.
    """
    tables = _PRUNED.get(skip)
    if tables is None:
        if len(_PRUNED) > 256:
            _PRUNED.clear()
        tables = tuple(  # type: ignore[assignment]
            {
                cls: kept
                for cls, handlers in table.items()
                if (kept := [(i, f) for i, f in handlers if i not in skip])
            }
            for table in _TABLES
        )
        _PRUNED[skip] = tables  # type: ignore[assignment]
    return tables  # type: ignore[return-value]


def _error(path: str, module: str, exc: BaseException, text: str | None) -> FileFacts:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "offset", None)
    msg = getattr(exc, "msg", None) or str(exc)
    if isinstance(exc, UnicodeDecodeError):
        msg = f"cannot decode the file: {exc.reason} at byte {exc.start}"
        line = None
    elif "encoding declaration" in msg or "encoding problem" in msg:
        msg = f"not valid UTF-8 and no usable encoding declaration ({msg})"
    elif isinstance(exc, ValueError) and "null bytes" in str(exc):
        msg = "source code cannot contain null bytes"
    if line is not None and text is not None and col is not None:
        # SyntaxError.offset counts code points (1-based) on the decoded line.
        col = max(1, col)
    return FileFacts(
        path=path,
        module=module,
        status="syntax_error",
        error=msg,
        error_line=line if line is not None else 1,
        error_col=col if col is not None else 1,
    )


def extract(
    source: bytes,
    path: str,
    *,
    module: str | None = None,
    timings: dict[str, float] | None = None,
    only: frozenset[str] | None = None,
    reparser: Reparser | None = None,
) -> FileFacts:
    """Extract every fact of one file. Pure: same bytes and path, same facts.

    ``timings``, when given, receives the seconds spent in each extractor (for ``bench/``).
    ``only``, when given, names the extractors to run (``Extractor.name``); the others are
    skipped as the pre-filter skips them (the editor's first pass over a buffer).
    ``reparser``, when given, parses the text (an edited buffer: only what the edit touched is
    parsed again); same tree, so same facts.

    The cyclic garbage collector is paused meanwhile: a syntax tree and its facts are tens of
    thousands of young objects with no cycles, and collecting while they are built costs about
    a fifth of the run (refcounting frees them all when the call returns).
    """
    if is_template(path):
        return escape_file_facts(extract_template(source, path), facts=False)
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        ff = _extract(source, path, module, timings, only, reparser)
    finally:
        if paused:
            gc.enable()
    # Lone surrogates (see ``auditls.facts.escape_text``) reach the facts only through a
    # ``\\u``/``\\U`` escape in a literal or a file decoded from a cookie's encoding; other
    # files skip the scan of every fact.
    return escape_file_facts(ff, facts=ff.status == "ok" and _may_hold_surrogates(source))


def _may_hold_surrogates(source: bytes) -> bool:
    """Whether text decoded from ``source`` may hold a lone surrogate: an escape that can
    write one, or bytes that are not plain UTF-8 (a PEP 263 cookie may decode them into one)."""
    if b"\\u" in source or b"\\U" in source:
        return True
    if source.isascii():
        return False
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"coding" in source


def _extract(
    source: bytes,
    path: str,
    module: str | None,
    timings: dict[str, float] | None,
    only: frozenset[str] | None = None,
    reparser: Reparser | None = None,
) -> FileFacts:
    mod = module if module is not None else module_from_path(path)
    text: str | None = None
    try:
        text = decode(source)
        tree = parse(text, path) if reparser is None else reparser.parse(text, path)
    except (
        SyntaxError,
        ValueError,
        UnicodeDecodeError,
        LookupError,
        MemoryError,
        RecursionError,
    ) as exc:
        return _error(path, mod, exc, text)
    scan = FileScan(text, path, mod)
    ctx = Context(text, path, mod, scan)
    skip = skipped(scan) if only is None else skipped(scan, only)
    # A skipped extractor is never made: no handler of it is in the tables, nor its finish().
    extractors: list[Extractor] = [
        _NOT_RUN if i in skip else cls(ctx) for i, cls in enumerate(REGISTRY)
    ]
    walker = Walker(ctx, extractors, *_tables_without(skip), timings=timings)
    walker.failed.update(dict.fromkeys(skip, ""))  # no finish(), no facts for skipped ones
    try:
        walker.run(tree)
    except RecursionError as exc:  # only the model can recurse, on absurd attribute chains
        return _error(path, mod, exc, text)
    facts: list[Fact] = []
    for i, ext in enumerate(extractors):
        if i not in walker.failed:
            facts.extend(ext.facts)
    facts.extend(parse_suppressions(source, tree))
    facts.sort(key=_order)
    errors = [msg for msg in walker.failed.values() if msg]
    return FileFacts(path=path, module=mod, status="ok", facts=facts, extractor_errors=errors)


_order = operator.attrgetter("line", "col", "TABLE")


__all__ = [
    "EXTRACTOR_VERSION",
    "all_fact_types",
    "decode",
    "extract",
    "is_indexed",
    "module_name_for",
    "skipped",
]
