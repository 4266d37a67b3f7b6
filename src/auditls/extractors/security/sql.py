"""extract_sql_queries: SQL text reaching a sink, and how it was built.

For each sink call (a DB-API ``execute`` / ``executemany`` / ``executescript`` or Django
``raw()`` on any object, Django ``extra()``, SQLAlchemy ``text()``, ``RawSQL``, pandas
``read_sql``, psycopg ``sql.SQL``) the query argument is followed to the string it was built
from: the expression itself, or the values assigned to a local name before the call
(``q = f"..."; q += " AND ..."; cursor.execute(q)``). The fact says how it was interpolated, the
source of the worst interpolated part, and whether the literal parts read as SQL.

Parts that cannot carry text are safe: literals, names only ever assigned literals (a constant
table name), numbers (``int(x)``, ``len(x)``), and placeholder lists built from literals
(``", ".join(["%s"] * len(ids))``).
"""

from __future__ import annotations

import ast
import re

from auditls.extractors.literals import value_kind
from auditls.extractors.security import values
from auditls.extractors.walker import register
from auditls.facts.security import SqlQueryFact
from auditls.knowledge.security import (
    SQL_EXTRA_KEYWORDS,
    SQL_EXTRA_METHODS,
    SQL_EXTRA_SIGNATURE,
    SQL_FUNCTIONS,
    SQL_METHODS,
    Arg,
)

_INTERPOLATION = {
    "fstring": "fstring",
    "percent_format": "percent",
    "format_call": "format",
    "concat": "concat",
}
_SQL = re.compile(
    r"^\s*\(?\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|MERGE|CREATE|DROP|ALTER|TRUNCATE"
    r"|PRAGMA|EXEC|EXECUTE|CALL|GRANT|REVOKE|UPSERT)\b"
    r"|\bSELECT\s.+\sFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s.+\sSET\b|\bDELETE\s+FROM\b"
    r"|\bWHERE\s+\w+\s*(?:=|<|>|LIKE|IN)\b|\bORDER\s+BY\b",
    re.IGNORECASE | re.DOTALL,
)
_MAX_PARTS = 10


@register
class SqlQueriesExtractor(values.CallCounter):
    """extract_sql_queries: one row per query string reaching a SQL sink."""

    name = "security.sql"
    fact_types = (SqlQueryFact,)
    qualnames = (SQL_FUNCTIONS,)
    names = (SQL_METHODS, SQL_EXTRA_METHODS)  # methods on objects of any type

    def call(self, node: ast.Call, call_id: int) -> None:
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else None
        if attr in SQL_METHODS:
            assert attr is not None
            query_spec, params_spec = SQL_METHODS[attr]
            callee = self.ctx.qualname(func)
            self._query(node, call_id, attr, callee, query_spec, params_spec)
        elif attr in SQL_EXTRA_METHODS:
            self._extra(node, call_id)
        else:
            callee = self.ctx.qualname(func)
            spec = SQL_FUNCTIONS.get(callee) if callee is not None else None
            if spec is not None:
                self._query(node, call_id, spec[0], callee, spec[1], spec[2])

    def _query(
        self,
        node: ast.Call,
        call_id: int,
        sink: str,
        callee: str | None,
        query_spec: Arg,
        params_spec: Arg,
    ) -> None:
        query, _ = values.locate(node, query_spec)
        if query is None:
            return
        params, _ = values.locate(node, params_spec)
        self._emit(node, call_id, sink, callee, query, params is not None)

    def _extra(self, node: ast.Call, call_id: int) -> None:
        names = {k.arg for k in node.keywords}
        if node.args or None in names or not names <= SQL_EXTRA_SIGNATURE:
            return
        if not names & SQL_EXTRA_KEYWORDS:
            return
        has_params = bool(names & {"params", "select_params"})
        for kw in node.keywords:
            if kw.arg not in SQL_EXTRA_KEYWORDS:
                continue
            value = kw.value
            items: list[ast.expr]
            if isinstance(value, ast.List | ast.Tuple):
                items = list(value.elts)
            elif isinstance(value, ast.Dict):
                items = list(value.values)
            else:
                items = [value]
            for item in items:
                self._emit(node, call_id, "extra", None, item, has_params, force_sql=True)

    def _emit(
        self,
        node: ast.Call,
        call_id: int,
        sink: str,
        callee: str | None,
        query: ast.expr,
        has_params: bool,
        *,
        force_sql: bool = False,
    ) -> None:
        ctx = self.ctx
        via: str | None = None
        built: list[ast.expr] = [query]
        if isinstance(query, ast.Name):
            assigned = values.assigned_values(ctx, query.id)
            if assigned:
                via, built = query.id, assigned
        interpolation = "none"
        parts: list[ast.expr] = []
        pieces: list[str] = []
        for expr in built:
            kind = value_kind(expr)
            if kind in _INTERPOLATION:
                if interpolation in ("none", "unknown"):
                    interpolation = _INTERPOLATION[kind]
                sub_parts, sub_pieces = values.interpolated_parts(ctx, expr)
                parts.extend(sub_parts)
                pieces.extend(sub_pieces)
            elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                pieces.append(expr.value)
            elif kind != "constant" and interpolation == "none":
                interpolation = "unknown"
        parts_source = "literal"
        for part in parts:
            parts_source = values.worst(parts_source, values.classify(ctx, part, "sql"))
        self.emit(
            SqlQueryFact(
                **ctx.pos(node),
                call_id=call_id,
                function=ctx.function,
                sink=sink,
                callee=callee,
                query_text=ctx.text_of(query),
                interpolation=interpolation,
                via=via,
                parts=tuple(ctx.text_of(p, 80) for p in parts[:_MAX_PARTS]),
                parts_source=parts_source,
                looks_like_sql=force_sql or bool(_SQL.search(" ".join(pieces))),
                has_params=has_params,
            )
        )
