"""``docs/schema.md``, generated from the fact dataclasses: every table, every column.

    python -m auditls.store.docs fixtures/goldens > docs/schema.md

Each column's meaning is the comment on its field's line in the dataclass (STYLE.md: every
field has a one-line comment), its SQL type comes from the generated schema, and each table gets
an example row taken from the golden fact files (``<case>/<table>.jsonl``) when one holds such
a row.
A test regenerates the text and compares it with the committed file.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditls.facts import Fact
from auditls.store.schema import FILE_COLUMNS, RESERVED_COLUMNS, FileRow, columns_of

_FIELD = re.compile(r"^\s{4}(\w+):\s*([^#=]+?)(?:\s*=\s*[^#]+?)?\s*(?:#\s*(.*))?$")


def field_comments(cls: type[Any]) -> dict[str, tuple[str, str]]:
    """``{field: (annotation as written, comment)}`` read from the class's own source."""
    out: dict[str, tuple[str, str]] = {}
    for klass in reversed(cls.__mro__):  # base classes first, so subclasses win
        if klass is object:
            continue
        try:
            lines = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        for line in lines:
            m = _FIELD.match(line)
            if m and not m.group(2).startswith("ClassVar"):
                out[m.group(1)] = (m.group(2).strip(), (m.group(3) or "").strip())
    return out


def load_examples(directory: Path) -> dict[str, dict[str, Any]]:
    """The first row of each table found in the golden fact files, by table name: the goldens
    of ``X.py`` are ``X/<table>.jsonl``, one row per line, cases taken in name order, then the
    project goldens (a directory without a ``X.py``)."""
    examples: dict[str, dict[str, Any]] = {}
    cases = [(source.with_suffix(""), source.name) for source in sorted(directory.glob("*.py"))]
    # Project goldens (a directory of tables with no source beside it) come after the cases.
    cases += [(d, f"{d.name}/") for d in sorted(directory.iterdir())
              if d.is_dir() and not d.with_suffix(".py").is_file()]  # fmt: skip
    for folder, origin in cases:
        for path in sorted(folder.glob("*.jsonl")):
            first = path.read_text(encoding="utf-8").partition("\n")[0]
            if first and path.stem not in examples:
                examples[path.stem] = {**json.loads(first), "_from": origin}
    return examples


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_schema_markdown(
    fact_types: Sequence[type[Fact]], examples: Mapping[str, Mapping[str, Any]]
) -> str:
    """The whole document."""
    out = [
        "# The store's schema",
        "",
        "Generated from the fact dataclasses by `python -m auditls.store.docs fixtures/goldens >"
        " docs/schema.md`; a test fails when this file is out of date. Positions are 1-based "
        "lines and 1-based code-point columns, end column exclusive. Every fact table also has "
        f"the store's own columns ({', '.join(f'`{c}`' for c in sorted(RESERVED_COLUMNS))}): "
        "`file_id` references `files(id)` with `ON DELETE CASCADE`, `seq` keeps source order. "
        "`tuple[str, ...]` fields are stored as JSON arrays in TEXT columns.",
        "",
        "## Tables",
        "",
        "- [`files`](#files)",
    ]
    out += [f"- [`{t.TABLE}`](#{t.TABLE}) ({t.__name__})" for t in fact_types]
    out += ["", "## files", "", (FileRow.__doc__ or "").strip(), ""]
    out += _columns_table(FileRow, {c.name: c.sql_type for c in FILE_COLUMNS})
    out += [
        "",
        "Two more columns let a file's facts come back whole: `module` (the dotted module "
        "name) and `extractor_errors` (a JSON array of the extractors that failed on it).",
        "",
    ]
    for fact_type in fact_types:
        sql = {c.name: c.sql_type for c in columns_of(fact_type)}
        doc = inspect.cleandoc(fact_type.__doc__ or "")
        out += [f"## {fact_type.TABLE}", "", f"`{fact_type.__name__}`: {doc}", ""]
        out += _columns_table(fact_type, sql)
        example = examples.get(fact_type.TABLE)
        out.append("")
        if example:
            source = example.get("_from", "")
            row = {k: v for k, v in example.items() if k != "_from"}
            out += [
                f"Example (from `fixtures/goldens/{source}`):",
                "",
                "```json",
                json.dumps(row, ensure_ascii=False),
                "```",
                "",
            ]
        else:
            out += ["No golden fixture holds a row of this table yet.", ""]
    return "\n".join(out).rstrip() + "\n"


def _columns_table(cls: type[Any], sql: Mapping[str, str]) -> list[str]:
    comments = field_comments(cls)
    rows = ["| column | SQL | Python | meaning |", "| --- | --- | --- | --- |"]
    for name, sql_type in sql.items():
        annotation, comment = comments.get(name, ("", ""))
        rows.append(f"| `{name}` | {sql_type} | `{_cell(annotation)}` | {_cell(comment) or '—'} |")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    from auditls.facts import all_fact_types  # the registry: imported on use only

    args = list(sys.argv[1:] if argv is None else argv)
    examples = load_examples(Path(args[0])) if args else {}
    sys.stdout.write(render_schema_markdown(all_fact_types(), examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
