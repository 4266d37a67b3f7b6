"""FileFacts <-> msgpack, for sending extraction results from worker processes to the parent.

The encoding mirrors the store: each fact is ``[table, value, value, ...]`` with the values in
the dataclass's field order, so no field names travel and no pickling of classes is involved.
``tuple[str, ...]`` fields go over the wire as msgpack arrays and come back as tuples. The fact
type is looked up by table name in ``all_fact_types()``; an unknown table is an error (the two
ends run the same code, so it can only mean a bug).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import msgpack

from auditls.facts import Fact, FileFacts, all_fact_types
from auditls.store.schema import EncodedFacts

#: Bumped whenever the layout below changes.
WIRE_VERSION = 1

#: Source text may hold lone surrogates (``"\\ud800"`` literals); they cross the wire unchanged,
#: so a worker's result equals an in-process one and the parent decides what to do with them.
UNICODE_ERRORS = "surrogatepass"


class WireError(ValueError):
    """A message that does not decode to FileFacts."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
    fact_type: type[Fact]
    names: tuple[str, ...]  # field names in declaration order
    tuple_fields: frozenset[int]  # indexes of tuple-typed fields


@cache
def _layouts() -> dict[str, _Layout]:
    out: dict[str, _Layout] = {}
    for fact_type in all_fact_types():
        fields = dataclasses.fields(fact_type)
        tuple_idx = frozenset(
            i for i, f in enumerate(fields) if str(f.type).replace(" ", "").startswith("tuple[")
        )
        out[fact_type.TABLE] = _Layout(fact_type, tuple(f.name for f in fields), tuple_idx)
    return out


def facts_to_obj(ff: FileFacts) -> list[Any]:
    """FileFacts as plain msgpack-able lists."""
    layouts = _layouts()
    facts: list[list[Any]] = []
    for fact in ff.facts:
        layout = layouts[fact.TABLE]
        facts.append([fact.TABLE, *(getattr(fact, name) for name in layout.names)])
    return [
        WIRE_VERSION,
        ff.path,
        ff.module,
        ff.status,
        ff.error,
        ff.error_line,
        ff.error_col,
        list(ff.extractor_errors),
        facts,
    ]


def facts_from_obj(obj: Any) -> FileFacts:
    """The inverse of ``facts_to_obj``."""
    try:
        version, path, module, status, error, error_line, error_col, ext_errors, rows = obj
    except (TypeError, ValueError) as exc:
        raise WireError(f"malformed FileFacts message: {exc}") from None
    if version != WIRE_VERSION:
        raise WireError(f"wire version {version!r}, expected {WIRE_VERSION}")
    layouts = _layouts()
    facts: list[Fact] = []
    for row in rows:
        layout = layouts.get(row[0])
        if layout is None:
            raise WireError(f"unknown fact table {row[0]!r}")
        values = row[1:]
        if len(values) != len(layout.names):
            raise WireError(f"{row[0]}: {len(values)} values for {len(layout.names)} fields")
        kwargs: dict[str, Any] = {
            name: tuple(value) if i in layout.tuple_fields and value is not None else value
            for i, (name, value) in enumerate(zip(layout.names, values, strict=True))
        }
        facts.append(layout.fact_type(**kwargs))
    return FileFacts(
        path=path,
        module=module,
        status=status,
        error=error,
        error_line=error_line,
        error_col=error_col,
        facts=facts,
        extractor_errors=list(ext_errors),
    )


def encoded_to_obj(ef: EncodedFacts) -> list[Any]:
    """Facts already in the store's column encoding (``store.encode_facts``), as msgpack lists.

    This is what worker processes send: the parent writes the rows as they are.
    """
    return [
        WIRE_VERSION,
        ef.path,
        ef.module,
        ef.status,
        ef.error,
        ef.error_line,
        ef.error_col,
        list(ef.extractor_errors),
        ef.rows,
    ]


def encoded_from_obj(obj: Any) -> EncodedFacts:
    """The inverse of ``encoded_to_obj``."""
    try:
        version, path, module, status, error, error_line, error_col, ext_errors, rows = obj
    except (TypeError, ValueError) as exc:
        raise WireError(f"malformed EncodedFacts message: {exc}") from None
    if version != WIRE_VERSION:
        raise WireError(f"wire version {version!r}, expected {WIRE_VERSION}")
    if not isinstance(rows, dict):
        raise WireError("malformed EncodedFacts message: rows is not a map")
    return EncodedFacts(
        path=path,
        module=module,
        status=status,
        error=error,
        error_line=error_line,
        error_col=error_col,
        extractor_errors=list(ext_errors),
        rows=rows,
    )


def encode(ff: FileFacts) -> bytes:
    """FileFacts as msgpack bytes."""
    data: bytes = msgpack.packb(facts_to_obj(ff), use_bin_type=True, unicode_errors=UNICODE_ERRORS)
    return data


def decode(data: bytes) -> FileFacts:
    """msgpack bytes (from ``encode``) back to FileFacts."""
    try:
        obj = msgpack.unpackb(
            data, raw=False, use_list=True, strict_map_key=True, unicode_errors=UNICODE_ERRORS
        )
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise WireError(f"not a msgpack message: {exc}") from None
    return facts_from_obj(obj)
