"""No crash, no silent loss, on any input (issue 16).

Generated Python programs and real files mangled by a mutator (truncation, byte flips, deleted
lines, very long lines, deep nesting, other encodings and PEP 263 cookies, NUL bytes, BOMs,
CRLF and lone CR, lone surrogates in literals, file names that are not UTF-8) go through
extraction, the store, the rules and every output format. What must hold:

- extraction never raises, and the facts read back from the store equal the facts extracted;
- ``auditls check`` never fails with an internal error: it exits 1 when it reports findings and
  0 when not, its JSON and SARIF parse, and every file written is either analysed (its findings,
  AUD001 when it does not parse) or reported as not analysed (AUD003);
- the text output names the same findings.

Bounded: derandomized, a fixed number of examples, no deadline. The real files are the
repository's fixtures, plus a few from the benchmark corpus when it is installed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditls import cli
from auditls.extractors import extract
from auditls.facts import escape_path
from auditls.store import Store, encode_facts
from auditls.store.schema import FileRow

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path("/root/.cache/auditls-bench/src")


def _real_files() -> list[bytes]:
    paths = sorted((REPO / "fixtures").rglob("*.py"))
    if CORPUS.is_dir():  # a few more, when the benchmark corpus is there (never required)
        paths += sorted(CORPUS.rglob("*.py"))[:400:40]
    return [p.read_bytes() for p in paths if p.stat().st_size < 200_000]


REAL = _real_files()

# -- generated programs --------------------------------------------------------------------------

IMPORTS = [
    "import os", "import subprocess", "import pickle", "import yaml", "import hashlib",
    "from flask import Flask, request", "import sqlite3", "from os import system as run",
]  # fmt: skip
STRINGS = st.sampled_from(
    ['"ls"', '"\\ud800"', '"\\udcff x"', "'é✓'", 'b"\\xff"', 'f"{x}-{y!r}"', '"%s" % x', '""']
)
NAMES = st.sampled_from(["x", "y", "request.args.get('q')", "input()", "os.environ['A']"])
CALLEES = st.sampled_from(
    ["os.system", "subprocess.run", "eval", "pickle.loads", "yaml.load", "hashlib.md5",
     "run", "cursor.execute", "open", "print"]
)  # fmt: skip


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2:
        return draw(st.one_of(STRINGS, NAMES, st.integers(-5, 5).map(str)))
    kind = draw(st.sampled_from(["leaf", "call", "binop", "list", "lambda", "attr"]))
    if kind == "leaf":
        return draw(st.one_of(STRINGS, NAMES))
    if kind == "call":
        args = draw(st.lists(expressions(depth + 1), max_size=3))
        kw = draw(st.sampled_from(["", "shell=True", "usedforsecurity=False"]))
        return f"{draw(CALLEES)}({', '.join([*args, kw] if kw else args)})"
    if kind == "binop":
        op = draw(st.sampled_from(["+", "%", "or", "if x else"]))
        return f"({draw(expressions(depth + 1))} {op} {draw(expressions(depth + 1))})"
    if kind == "list":
        return f"[{', '.join(draw(st.lists(expressions(depth + 1), max_size=3)))}]"
    if kind == "lambda":
        return f"(lambda x: {draw(expressions(depth + 1))})"
    return f"{draw(expressions(depth + 1))}.{draw(st.sampled_from(['a', 'format', 'strip']))}"


@st.composite
def statements(draw: st.DrawFn, indent: str = "", depth: int = 0) -> list[str]:
    kind = draw(st.sampled_from(["expr", "assign", "def", "class", "with", "try", "if"]))
    if depth > 1 or kind == "expr":
        return [indent + draw(expressions())]
    if kind == "assign":
        return [f"{indent}{draw(st.sampled_from(['x', 'y', 'self.z']))} = {draw(expressions())}"]
    body = [
        line
        for _ in range(draw(st.integers(1, 3)))
        for line in draw(statements(indent + "    ", depth + 1))
    ]
    decorator = draw(st.sampled_from(["", '@app.route("/x", methods=["POST"])']))
    keyword = draw(st.sampled_from(["def", "async def"]))
    head = {
        "def": f"{decorator}\n{indent}{keyword} f(x, y=1, *a, **k):",
        "class": "class C(Base):",
        "with": f"with open({draw(STRINGS)}) as fh:",
        "try": "try:",
        "if": f"if {draw(expressions())}:",
    }[kind]
    lines = [indent + head.lstrip("\n"), *body]
    if kind == "try":
        lines += [indent + "except Exception:", indent + "    raise"]
    return lines


@st.composite
def programs(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.sampled_from(IMPORTS), max_size=4))
    lines += ["app = Flask(__name__)"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 6))):
        lines += draw(statements())
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


# -- the mutator ---------------------------------------------------------------------------------


def _at(data: bytes, where: int) -> int:
    return where % (len(data) + 1)


@st.composite
def mutated(draw: st.DrawFn, source: bytes) -> bytes:
    data = source
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(
                [
                    "truncate",
                    "flip",
                    "delete-line",
                    "long-line",
                    "nesting",
                    "encoding",
                    "nul",
                    "bom",
                    "crlf",
                    "lone-cr",
                    "surrogate",
                ]
            )
        )
        where = _at(data, draw(st.integers(0, 1 << 20)))
        if kind == "truncate":
            data = data[:where]
        elif kind == "flip" and data:
            i = where % len(data)
            data = data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
        elif kind == "delete-line":
            lines = data.splitlines(keepends=True)
            if lines:
                del lines[where % len(lines)]
            data = b"".join(lines)
        elif kind == "long-line":
            data += b"x = '" + b"a" * draw(st.sampled_from([5_000, 200_000])) + b"'\n"
        elif kind == "nesting":
            n = draw(st.sampled_from([50, 300, 3_000, 30_000]))
            data += (
                draw(
                    st.sampled_from(
                        [
                            b"y = " + b"(" * n + b"1" + b")" * n,
                            b"y = " + b"-" * n + b"1",
                            b"y = a" + b".b" * n,
                            b"y = " + b"+".join([b"1"] * n),
                            b"y = " + b"[" * n + b"]" * n,
                            b"y = " + b"not " * n + b"x",
                        ]
                    )
                )
                + b"\n"
            )
        elif kind == "encoding":
            codec = draw(st.sampled_from(["latin-1", "cp1252", "utf-16", "euc-jp", "bogus"]))
            text = data.decode("utf-8", "replace") + "\nname = 'café ½'\n"
            body = text.encode(codec if codec != "bogus" else "latin-1", "replace")
            data = f"# -*- coding: {codec} -*-\n".encode() + body
        elif kind == "nul":
            data = data[:where] + b"\0" + data[where:]
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "lone-cr":
            data = data.replace(b"\n", b"\r")
        else:
            data += b'import os\nos.system("\\ud800" + x)\n'
    return data


SOURCES = st.one_of(programs(), st.sampled_from(REAL)).flatmap(mutated)
FILE_NAMES = st.sampled_from(
    [
        b"a.py",
        b"pkg/b.py",
        b"bad_\xff.py",
        b"pkg/\xe9t\xe9.py",
        b"\xed\xa0\x80.py",
        b"c d.py",
        b"new\nline.py",
    ]
)
FILES = st.lists(st.tuples(FILE_NAMES, SOURCES), min_size=1, max_size=3, unique_by=lambda t: t[0])

#: ``AUDITLS_FUZZ=N`` runs N times as many examples, with a random seed: a longer hunt.
SCALE = int(os.environ.get("AUDITLS_FUZZ", "1"))
FUZZ = settings(
    max_examples=40 * SCALE,
    deadline=None,
    derandomize=SCALE == 1,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- the properties ------------------------------------------------------------------------------


@FUZZ
@given(SOURCES, FILE_NAMES)
def test_extraction_never_raises_and_the_store_keeps_every_fact(data: bytes, name: bytes) -> None:
    path = escape_path(os.fsdecode(name))
    ff = extract(data, path, module="m")
    assert ff.status in ("ok", "syntax_error")
    with tempfile.TemporaryDirectory() as tmp, Store.open(tmp, persist=False) as store:
        row = FileRow(path=ff.path, size=len(data), mtime_ns=1, hash="h", status=ff.status,
                      error=ff.error, error_line=ff.error_line, error_col=ff.error_col,
                      extractor_version="v")  # fmt: skip
        store.replace_file(row, ff)
        assert store.file_facts(ff.path) == ff
        other = FileRow(path="w.py", size=1, mtime_ns=1, hash="w", status=ff.status,
                        error=ff.error, error_line=ff.error_line, error_col=ff.error_col,
                        extractor_version="v")  # fmt: skip
        encoded = encode_facts(store.schema, ff)
        encoded.path = "w.py"
        store.replace_file(other, encoded)  # what worker processes send
        assert store.file_facts("w.py") is not None


def _check(root: Path, fmt: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", str(root), "--format", fmt, "--jobs", "1", "--quiet"])
    return code, out.getvalue(), err.getvalue()


@settings(FUZZ, max_examples=25 * SCALE)
@given(FILES)
def test_check_reports_every_file_in_every_format(files: list[tuple[bytes, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        (root / ".git").mkdir()
        names = set()
        for name, data in files:
            path = os.fsencode(root) + b"/" + name
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
            names.add(escape_path(os.fsdecode(name)))
        code, out, err = _check(root, "json")
        assert "internal error" not in err
        assert code in (0, 1), err
        doc = json.loads(out)
        findings = doc["findings"]
        assert code == (1 if findings else 0)
        assert {f["path"] for f in findings} <= names
        assert {e["path"] for e in doc["errors"]} <= names
        with Store.open(root) as store:
            rows = {row.path: row for row in store.files()}
        assert set(rows) == names  # every file is in the store, by its escaped name
        for path, row in rows.items():
            rules = {f["rule"] for f in findings if f["path"] == path}
            if row.status == "syntax_error":
                assert "AUD001" in rules, (path, row.error)
            elif row.status != "ok":
                assert "AUD003" in rules, (path, row.error)
        code_sarif, sarif, err = _check(root, "sarif")
        assert (code_sarif, err) == (code, "")
        results = json.loads(sarif)["runs"][0]["results"]
        assert [r["ruleId"] for r in results] == [f["rule"] for f in findings]
        code_text, text, err = _check(root, "text")
        assert (code_text, err) == (code, "")
        assert len(text.splitlines()) == len(findings) + len(doc["errors"]) + 1
