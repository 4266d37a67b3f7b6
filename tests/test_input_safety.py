"""No input hides a finding (issue 16): lone surrogates in literals, file names that are not
UTF-8, skipped and unreadable files, and configuration files that could hang or exhaust us."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from auditls import cli
from auditls.config import ConfigError, UnreadableFile, load_config, read_workspace_file
from auditls.extractors import extract
from auditls.facts import escape_path, escape_text
from auditls.index import index_workspace
from auditls.store import Store

SURROGATE_FILE = b"""\
import os
import subprocess
os.system("\\ud800")
subprocess.run(input(), shell=True)
eval(input())
"""

#: A finding that no taint path takes over (AUD101 at 2:12).
CALC = "def calc(expr):\n    return eval(expr)\n"

BAD_NAME = os.fsdecode(b"bad_\xff.py")  # what os.listdir gives for a name that is not UTF-8


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(root, "pyproject.toml", '[project]\nname = "proj"\n')
    monkeypatch.chdir(root)  # text paths are relative to the current directory
    return root.resolve()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    quiet = ["--quiet"] if args[:1] == ("check",) else []  # no summary line on stderr
    code = cli.main([*args, "--jobs", "1", *quiet])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], ws: Path) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(capsys, "check", str(ws), "--format", "json")
    return code, json.loads(out), err


# -- the escaping scheme -------------------------------------------------------------------------


def test_escaping_changes_only_what_utf8_cannot_hold() -> None:
    assert escape_text("plain é ✓") == "plain é ✓"
    assert escape_text("a\ud800b\udfff") == "a\\ud800b\\udfff"
    assert escape_path("ok/é.py") == "ok/é.py"
    assert escape_path(BAD_NAME) == "bad_\\xff.py"
    assert escape_path("x\ud800.py") == "x\\ud800.py"  # a surrogate that is no escaped byte
    assert escape_path("a\nb\x7f.py") == "a\\x0ab\\x7f.py"  # control characters too


# -- 1. lone surrogates in literals ------------------------------------------------------------


def test_a_lone_surrogate_in_a_literal_hides_nothing(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, "app.py", SURROGATE_FILE)
    code, doc, err = check_json(capsys, ws)
    assert (code, err, doc["errors"]) == (1, "", [])
    found = [(f["line"], f["rule"]) for f in doc["findings"]]
    assert found == [(3, "AUD108"), (4, "AUD502"), (5, "AUD503")]
    assert "`\\ud800`" in doc["findings"][0]["message"]
    code, out, _ = run(capsys, "check", str(ws), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["AUD108", "AUD502", "AUD503"]
    code, out, _ = run(capsys, "check", str(ws))
    assert out.splitlines()[-1] == "Found 3 findings (2 errors, 1 warning) in 1 of 1 file."
    # The second run reads the facts back from the snapshot: the same findings.
    assert run(capsys, "check", str(ws))[1] == out


def test_facts_round_trip_escaped_through_the_store_and_the_wire(ws: Path) -> None:
    write(ws, "app.py", SURROGATE_FILE)
    ff = extract(SURROGATE_FILE, "app.py", module="app")
    values = [v for fact in ff.facts for v in vars_of(fact) if isinstance(v, str)]
    assert any("\\ud800" in v for v in values)
    assert all(v.encode("utf-8") for v in values)  # every string UTF-8 can encode
    with Store.open(ws) as store:
        index_workspace(ws, store, load_config(ws), jobs=1, progress=False)
    with Store.open(ws) as store:
        assert not store.rebuilt
        assert store.file_facts("app.py") == ff
    from auditls.index.workers import Result, _decode_chunk

    blob = Result("app.py", "extracted", facts=ff).to_obj()
    import msgpack

    (back,) = _decode_chunk(msgpack.packb([blob], use_bin_type=True))
    assert back.facts is not None
    assert back.facts.rows  # encoded rows, no error


def vars_of(fact: object) -> list[object]:
    return [getattr(fact, name) for name in fact.__dataclass_fields__]  # type: ignore[attr-defined]


def test_a_file_the_store_refuses_fails_the_run(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a fact reach the store unescaped (a bug), the run exits 2 and says which file."""
    import auditls.extractors as extractors

    monkeypatch.setattr(extractors, "escape_file_facts", lambda ff, facts: ff)
    write(ws, "app.py", SURROGATE_FILE)
    write(ws, "other.py", "eval(input())\n")
    code, out, err = run(capsys, "check", str(ws))
    assert code == 2
    assert "app.py: cannot store the facts: UnicodeEncodeError" in err
    assert "1 file(s) could not be stored" in err
    assert "\nother.py:1:1: AUD" in out  # the others are still reported
    code, out, err = run(capsys, "index", str(ws))
    assert code == 2


# -- 2. file names that are not UTF-8 --------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_reported_by_its_escaped_name(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, BAD_NAME, "import os\n\n\ndef f(cmd):\n    os.system(cmd)\n")
    write(ws, "good.py", CALC)
    code, doc, err = check_json(capsys, ws)
    assert (code, err, doc["errors"]) == (1, "", [])
    assert [(f["path"], f["rule"]) for f in doc["findings"]] == [
        ("bad_\\xff.py", "AUD102"),
        ("good.py", "AUD101"),
    ]
    code, out, _ = run(capsys, "check", str(ws), "--format", "sarif")
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
    ]
    assert uris == ["bad_%5Cxff.py", "good.py"]
    code, out, err = run(capsys, "index", str(ws))
    assert (code, err) == (0, "")
    assert "2 files: 0 indexed, 2 unchanged" in out  # and the store knows it by that name
    code, out, _ = run(capsys, "check", str(ws / BAD_NAME))  # named on the command line
    assert out.startswith("bad_\\xff.py:5:5: AUD102")
    with Store.open(ws) as store:
        assert [row.path for row in store.files()] == ["bad_\\xff.py", "good.py"]
        assert store.file_modules()["bad_\\xff.py"] == "bad_\\xff"


def test_a_newline_in_a_file_name_cannot_forge_a_report_line(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, "x.py\nNo findings in 0 files.py", CALC)
    code, out, _ = run(capsys, "check", str(ws))
    assert code == 1
    assert out.splitlines() == [
        "x.py\\x0aNo findings in 0 files.py:2:12: AUD101 [error/high] `eval()` runs `expr` as "
        "Python code: whoever controls that value controls the process. Parse data with "
        "`ast.literal_eval()` or `json.loads()`, or look the operation up in a fixed dict of "
        "functions.",
        "Found 1 finding (1 error) in 1 of 1 file.",
    ]


# -- 3. skipped and unreadable files -----------------------------------------------------------


def test_a_file_over_the_size_cap_is_a_finding(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(ws, "pyproject.toml", "[tool.auditls]\nmax-file-size = 300\nselect = ['AUD1']\n")
    write(ws, "huge.py", "eval(input())\n" + "#" * 400)
    code, doc, _ = check_json(capsys, ws)
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["rule"], finding["path"], finding["line"], finding["severity"]) == (
        "AUD003",
        "huge.py",
        1,
        "warning",
    )
    assert finding["message"] == (
        "Not analysed: 414 bytes is over the size cap of 300 bytes (max-file-size). "
        "Its findings are unknown."
    )
    code, _, _ = run(capsys, "check", str(ws), "--ignore", "AUD003")
    assert code == 0  # reported unless ignored, whatever select says


def test_an_unreadable_file_is_a_finding(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(ws / "pipe.py")
    code, out, _ = run(capsys, "check", str(ws))
    assert code == 1
    assert out.splitlines()[0] == (
        "pipe.py:1:1: AUD003 [warning/high] Not analysed: cannot read: not a regular file. "
        "Its findings are unknown."
    )


# -- 4. configuration files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.symlink_to("/dev/zero"), "links to a file outside the workspace"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.write_bytes(b"#" * (2 << 20)), "is over the 1048576 bytes auditls reads"),
        (
            lambda p: p.write_text("[tool.auditls]\nx = " + "[" * 5000 + "]" * 5000 + "\n"),
            "not valid TOML: nested too deeply",
        ),
    ],
    ids=["dev-zero", "fifo", "too-large", "deep-nesting"],
)
def test_a_hostile_pyproject_is_a_configuration_error(
    ws: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    (ws / "pyproject.toml").unlink()
    (ws / ".git").mkdir()
    make(ws / "pyproject.toml")
    with pytest.raises(ConfigError, match=message):
        load_config(ws)
    code, out, err = run(capsys, "check", str(ws))
    assert (code, out) == (2, "")
    assert err.startswith(f"auditls: error: {ws / 'pyproject.toml'}: ")
    assert message in err


def test_a_pyproject_linked_inside_the_workspace_is_read(ws: Path) -> None:
    write(ws, "conf/shared.toml", "[tool.auditls]\nmax-file-size = 1234\n")
    (ws / "pyproject.toml").unlink()
    (ws / "pyproject.toml").symlink_to("conf/shared.toml")
    assert load_config(ws).max_file_size == 1234


def test_read_workspace_file_refuses_outside_links_even_dangling(ws: Path, tmp_path: Path) -> None:
    (ws / "a").symlink_to(tmp_path / "nowhere")
    with pytest.raises(UnreadableFile, match="outside the workspace"):
        read_workspace_file(ws, ws / "a")
    assert read_workspace_file(ws, ws / "missing") is None


def test_hostile_gitignores_are_left_out_with_a_note(
    ws: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(ws, "app.py", "eval(input())\n")
    write(ws, "sub/x.py", "eval(input())\n")
    write(tmp_path / "outside.txt", "", "*.py\n")
    (ws / ".gitignore").symlink_to("/dev/zero")
    os.mkfifo(ws / "sub" / ".gitignore")
    (ws / "deep").mkdir()
    (ws / "deep" / ".gitignore").symlink_to(tmp_path / "outside.txt")
    write(ws, "deep/y.py", "eval(input())\n")
    code, doc, _ = check_json(capsys, ws)
    assert code == 1
    assert [f["path"] for f in doc["findings"]] == ["app.py", "deep/y.py", "sub/x.py"]
    outside = "not used: it links to a file outside the workspace; auditls does not read it"
    assert [(e["path"], e["message"]) for e in doc["errors"]] == [
        (".gitignore", outside),
        ("deep/.gitignore", outside),
        ("sub/.gitignore", "not used: not a regular file"),
    ]


def test_facts_and_sarif_line_reads_never_block_on_a_fifo(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditls.report.sarif import LineReader

    os.mkfifo(ws / "pipe.py")
    code = cli.main(["facts", str(ws / "pipe.py")])
    assert code == 2
    assert capsys.readouterr().err == (
        f"auditls: error: {ws / 'pipe.py'}: not a file (facts takes one Python file)\n"
    )
    assert LineReader(ws)("pipe.py", 1) == ""
    write(ws, "a.py", "first\nsecond\n")
    assert LineReader(ws)("a.py", 2) == "second"


def test_a_console_that_cannot_encode_the_report_gets_it_escaped(ws: Path) -> None:
    import subprocess
    import sys

    write(ws, "a.py", 'import os\nos.system("café " + x)\n')
    done = subprocess.run(
        [sys.executable, "-m", "auditls", "check", str(ws), "--jobs", "1", "--quiet"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, b"")
    assert b'runs `"caf\\xe9 " + x` through a shell' in done.stdout


def test_a_link_to_a_fifo_inside_the_workspace_is_reported_not_read(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(ws / "pipe")
    (ws / "link.py").symlink_to("pipe")
    code, out, _ = run(capsys, "check", str(ws))
    assert code == 1
    assert out.startswith("link.py:1:1: AUD003 [warning/high] Not analysed: cannot read: not a")
