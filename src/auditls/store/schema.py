"""SQL generated from dataclasses: the ``files`` table from ``FileRow``, one table per fact type.

A fact table has the fact's fields as columns (in declaration order, identifiers quoted, ``NOT
NULL`` unless the type is ``X | None``) after two columns of its own:

- ``file_id`` references ``files(id)`` ``ON DELETE CASCADE``, so deleting a file's row deletes its
  facts; it is indexed, because every write and most reads select by file.
- ``seq`` is the fact's position in ``FileFacts.facts``, so a file's facts come back in source
  order across tables.

Column types: ``int`` and ``bool`` are INTEGER (a bool comes back as ``bool``), ``float`` is REAL,
``str`` is TEXT, ``tuple[str, ...]`` is TEXT holding a JSON array.

``schema_hash`` digests every statement plus ``FORMAT``; it lives in ``PRAGMA user_version``, and a
store whose hash differs is stale and rebuilt (it only caches derived data).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import operator
import re
import sys
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditls.facts import Fact, FileFacts

#: Bump when the encoding of values changes in a way the DDL does not show.
FORMAT = 2  # 2: the snapshot carries a checksum (auditls.store.snapshot)

#: Columns every fact table has besides the fact's fields.
RESERVED_COLUMNS = frozenset({"file_id", "seq"})

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_SQL_TYPES: dict[object, str] = {int: "INTEGER", bool: "INTEGER", float: "REAL", str: "TEXT"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FileRow:
    """One workspace file as the store knows it (a row of ``files``)."""

    path: str  # relative to the workspace root, "/" separators
    size: int  # bytes on disk when last seen
    mtime_ns: int  # st_mtime_ns when last seen
    hash: str  # hex digest of the content (hashlib.blake2b, digest_size=16)
    status: str  # "ok" | "syntax_error" | "error" | "skipped"
    error: str | None = None  # parse error / read error / skip reason
    error_line: int | None = None  # 1-based line of a parse error
    error_col: int | None = None  # 1-based code-point column of a parse error
    extractor_version: str  # EXTRACTOR_VERSION that produced the facts


@dataclass(frozen=True, slots=True)
class Column:
    """One column generated from one dataclass field."""

    name: str  # the field's name (quoted in SQL)
    sql_type: str  # INTEGER | REAL | TEXT
    nullable: bool  # the field's type is `X | None`
    kind: str  # "int" | "bool" | "float" | "str" | "strs" (tuple[str, ...] as JSON)

    def ddl(self) -> str:
        return f"{quote(self.name)} {self.sql_type}" + ("" if self.nullable else " NOT NULL")


def quote(identifier: str) -> str:
    """A quoted SQL identifier; fields such as ``default`` are SQL keywords."""
    if not _IDENTIFIER.match(identifier):
        raise ValueError(f"not a usable SQL identifier: {identifier!r}")
    return f'"{identifier}"'


#: Annotations as written (``from __future__ import annotations``) that name a builtin type the
#: store holds: read without evaluating them (``typing.get_type_hints`` on every fact type
#: was a tenth of a warm ``auditls check``).
_PLAIN = {"int": int, "str": str, "bool": bool, "float": float}
_NONE = " | None"


def _plain_column(name: str, annotation: object) -> Column | None:
    if not isinstance(annotation, str):
        return None
    nullable = annotation.endswith(_NONE)
    base = annotation[: -len(_NONE)] if nullable else annotation
    if base == "tuple[str, ...]":
        return Column(name, "TEXT", nullable, "strs")
    hint = _PLAIN.get(base)
    return None if hint is None else Column(name, _SQL_TYPES[hint], nullable, base)


def columns_of(cls: type[Any]) -> tuple[Column, ...]:
    """The columns of a dataclass, one per field; rejects field types the store cannot hold."""
    hints: dict[str, Any] | None = None
    columns = []
    for f in dataclasses.fields(cls):
        column = _plain_column(f.name, f.type)
        if column is None:
            if hints is None:  # resolves the string annotations of `from __future__`
                hints = typing.get_type_hints(cls)
            column = _column(cls, f.name, hints[f.name])
        columns.append(column)
    return tuple(columns)


def _column(cls: type[Any], name: str, hint: object) -> Column:
    nullable = False
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or len(args) != 2:
            raise TypeError(f"{cls.__name__}.{name}: unsupported union {hint}")
        nullable, hint = True, rest[0]
        args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args == (str, ...):
        return Column(name, "TEXT", nullable, "strs")
    if hint in _SQL_TYPES:
        return Column(name, _SQL_TYPES[hint], nullable, typing.cast(type, hint).__name__)
    raise TypeError(
        f"{cls.__name__}.{name}: unsupported field type {hint}; the store holds int, str, bool, "
        "float, their `| None` variants and tuple[str, ...]"
    )


# One encoder for every call: json.dumps with options builds a new one each time.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _encoder(columns: Sequence[Column]) -> Callable[[Any], tuple[Any, ...]]:
    """A function from an instance to its column values (tuples of strings become JSON)."""
    # This runs once per fact row, so it stays in C where it can: attrgetter builds the tuple.
    names = [c.name for c in columns]
    get = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    json_at = [i for i, c in enumerate(columns) if c.kind == "strs"]
    if not json_at:
        return get

    def encode(obj: Any) -> tuple[Any, ...]:
        values = list(get(obj))
        for i in json_at:
            if values[i] is not None:
                values[i] = _to_json(values[i])
        return tuple(values)

    return encode


#: Columns whose values repeat across rows (interned when rows are read back).
_SHARED_NAMES = frozenset(
    {"function", "callee", "callee_text", "attr", "kind", "how", "target", "keyword", "name",
     "qualname", "class_name", "origin", "status", "module"}
)  # fmt: skip


def _decoder(cls: type[Any], columns: Sequence[Column]) -> Callable[[Sequence[Any]], Any]:
    """A function from column values (in ``columns`` order) back to an instance of ``cls``."""
    names = [c.name for c in columns]
    fixes: list[tuple[int, Callable[[Any], Any]]] = [
        (i, _from_json if c.kind == "strs" else bool)
        for i, c in enumerate(columns)
        if c.kind in ("strs", "bool")
    ]
    # Names that repeat across many rows (the enclosing function, a callee, a kind) share one
    # string object: a workspace's facts read back whole take far less memory.
    fixes += [(i, sys.intern) for i, c in enumerate(columns) if c.name in _SHARED_NAMES]

    def decode(row: Sequence[Any]) -> Any:
        values = list(row)
        for i, fix in fixes:
            if values[i] is not None:
                values[i] = fix(values[i])
        return cls(**dict(zip(names, values, strict=True)))

    return decode


@functools.lru_cache(maxsize=1 << 16)
def _from_json(text: str) -> tuple[str, ...]:
    """A ``tuple[str, ...]`` column read back; equal texts share one tuple (they repeat a lot:
    ``["name:self"]``), which saves both the parsing and the memory."""
    return tuple(sys.intern(item) if len(item) < 64 else item for item in json.loads(text))


# The columns of `files`: an id, the FileRow fields, then what FileFacts needs to come back whole.
_FILES_EXTRA = (
    "module TEXT",  # FileFacts.module; NULL when the file was recorded without facts
    "extractor_errors TEXT",  # FileFacts.extractor_errors as a JSON array
)
FILE_COLUMNS = columns_of(FileRow)
FILES_DDL = (
    "CREATE TABLE files (id INTEGER PRIMARY KEY, "
    + ", ".join(c.ddl() + (" UNIQUE" if c.name == "path" else "") for c in FILE_COLUMNS)
    + ", "
    + ", ".join(_FILES_EXTRA)
    + ")"
)
# S608 below: SQL text built from identifiers that quote() has checked, never from data.
FILE_INSERT = (
    "INSERT INTO files ("  # noqa: S608
    + ", ".join([quote(c.name) for c in FILE_COLUMNS] + ["module", "extractor_errors"])
    + ") VALUES ("
    + ", ".join("?" * (len(FILE_COLUMNS) + 2))
    + ")"
)
FILE_SELECT = (
    "SELECT id, " + ", ".join(quote(c.name) for c in FILE_COLUMNS) + " FROM files"  # noqa: S608
)
encode_file_row: Callable[[FileRow], tuple[Any, ...]] = _encoder(FILE_COLUMNS)
decode_file_row: Callable[[Sequence[Any]], FileRow] = _decoder(FileRow, FILE_COLUMNS)


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: hashed by identity, cheaply
class FactTable:
    """Everything the store needs to write and read one fact type."""

    fact_type: type[Fact]
    table: str
    columns: tuple[Column, ...]
    ddl: tuple[str, ...]  # CREATE TABLE, then CREATE INDEX statements
    insert: str  # INSERT with placeholders for file_id, seq, then each column
    select: str  # SELECT seq, then each column, of one file's rows (one placeholder: file_id)
    count: str  # SELECT count(*) of the table
    encode: Callable[[Fact], tuple[Any, ...]]
    decode: Callable[[Sequence[Any]], Fact]


def fact_table(fact_type: type[Fact]) -> FactTable:
    """Generate the table of one fact type from its ``TABLE`` and its fields."""
    table = fact_type.TABLE
    if not table or not _IDENTIFIER.match(table):
        raise ValueError(f"{fact_type.__name__}.TABLE is not a table name: {table!r}")
    if table == "files" or table.lower().startswith("sqlite_"):
        raise ValueError(f"{fact_type.__name__}.TABLE uses a reserved name: {table!r}")
    columns = columns_of(fact_type)
    clash = RESERVED_COLUMNS & {c.name for c in columns}
    if clash:
        raise ValueError(f"{fact_type.__name__} has fields named like store columns: {clash}")
    qt = quote(table)
    names = [quote(c.name) for c in columns]
    ddl = [
        f"CREATE TABLE {qt} (file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE, "
        "seq INTEGER NOT NULL, " + ", ".join(c.ddl() for c in columns) + ")",
        f"CREATE INDEX {quote(table + '_file_id')} ON {qt} (file_id)",
    ]
    # A fact type may ask for more indexes: INDEXES = ("callee", ("function", "line")).
    for spec in getattr(fact_type, "INDEXES", ()):
        cols = (spec,) if isinstance(spec, str) else tuple(spec)
        ddl.append(
            f"CREATE INDEX {quote('_'.join((table, *cols)))} ON {qt} "
            f"({', '.join(quote(c) for c in cols)})"
        )
    return FactTable(
        fact_type=fact_type,
        table=table,
        columns=columns,
        ddl=tuple(ddl),
        insert=f"INSERT INTO {qt} (file_id, seq, {', '.join(names)}) "  # noqa: S608 (quoted)
        f"VALUES ({', '.join('?' * (len(columns) + 2))})",
        select=f"SELECT seq, {', '.join(names)} FROM {qt} WHERE file_id = ?",  # noqa: S608 (quoted)
        count=f"SELECT count(*) FROM {qt}",  # noqa: S608 (quoted identifier)
        encode=_encoder(columns),
        decode=_decoder(fact_type, columns),
    )


@dataclass(frozen=True, slots=True)
class Schema:
    """The whole database layout for a set of fact types."""

    tables: tuple[FactTable, ...]
    by_type: dict[type[Fact], FactTable]
    by_name: dict[str, FactTable]  # by table name
    ddl: tuple[str, ...]  # every CREATE statement, files first
    hash: int  # for PRAGMA user_version: positive, fits a signed 32-bit int, never 0


def build_schema(fact_types: Sequence[type[Fact]]) -> Schema:
    """The schema for ``fact_types``; rejects two types that claim the same table."""
    tables = tuple(fact_table(t) for t in fact_types)
    seen: dict[str, type[Fact]] = {}
    for t in tables:
        if t.table in seen:
            raise ValueError(
                f"{seen[t.table].__name__} and {t.fact_type.__name__} both use table {t.table}"
            )
        seen[t.table] = t.fact_type
    ddl = (FILES_DDL, *(s for t in tables for s in t.ddl))
    return Schema(
        tables=tables,
        by_type={t.fact_type: t for t in tables},
        by_name={t.table: t for t in tables},
        ddl=ddl,
        hash=schema_hash(ddl),
    )


def schema_hash(ddl: Sequence[str]) -> int:
    """A digest of the layout in 1 .. 2**31-1 (0 is the user_version of a blank database).

    Statements are sorted, so registering the same fact types in another order changes nothing.
    """
    text = f"auditls store format {FORMAT}\n" + "\n".join(sorted(ddl))
    value = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF
    return value or 1


@dataclass(slots=True, kw_only=True)
class EncodedFacts:
    """A file's facts already in the store's column encoding (what worker processes send).

    The parent process writes these rows as they are, without rebuilding a dataclass per fact:
    shipping facts between processes then costs one msgpack round trip and nothing else.
    """

    path: str  # relative to the workspace root
    module: str  # the module's dotted name
    status: str  # "ok" | "syntax_error" | "error"
    error: str | None = None  # the parse error, when status is not "ok"
    error_line: int | None = None  # 1-based line of the parse error
    error_col: int | None = None  # 1-based code-point column of the parse error
    extractor_errors: list[str] = field(default_factory=list)  # "name: message" per failure
    rows: dict[str, list[list[Any]]] = field(default_factory=dict)  # table -> [seq, *columns]


def encode_facts(schema: Schema, ff: FileFacts) -> EncodedFacts:
    """FileFacts in the store's column encoding, keeping source order in ``seq``."""
    by_type = schema.by_type
    rows: dict[str, list[list[Any]]] = {}
    for seq, fact in enumerate(ff.facts):
        table = by_type.get(type(fact))
        if table is None:
            raise ValueError(f"{type(fact).__name__} is not one of the schema's fact types")
        rows.setdefault(table.table, []).append([seq, *table.encode(fact)])
    return EncodedFacts(
        path=ff.path,
        module=ff.module,
        status=ff.status,
        error=ff.error,
        error_line=ff.error_line,
        error_col=ff.error_col,
        extractor_errors=list(ff.extractor_errors),
        rows=rows,
    )
