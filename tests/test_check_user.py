"""``auditls check`` from the user's side: paths that open from where the command runs, the
findings cache of warm runs, progress and summary on stderr."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from auditls import cli
from auditls.config import load_config
from auditls.index import index_workspace
from auditls.knowledge.taint import with_user_models
from auditls.report.progress import Progress
from auditls.rules import Report, analyse
from auditls.rules.cache import CACHE_NAME, FindingsCache
from auditls.store import Store

REPO = Path(__file__).resolve().parent.parent

VULNERABLE = """\
import subprocess


def ping(host):
    return subprocess.run(f"ping -c 1 {host}", shell=True)


def calc(expr):
    return eval(expr)
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, "pyproject.toml", '[project]\nname = "proj"\n')
    write(root, "app/__init__.py", "")
    write(root, "app/views.py", VULNERABLE)
    return root.resolve()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args, "--jobs", "1"])
    out, err = capsys.readouterr()
    return code, out, err


# -- 1. paths people can open ------------------------------------------------------------------


def test_text_paths_are_relative_to_the_current_directory(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws / "app")  # a subdirectory: the root is found upwards
    code, out, _ = run(capsys, "-q")
    assert code == 1
    assert [line.split(" ")[0] for line in out.splitlines()[:-1]] == [
        "views.py:5:12:",
        "views.py:9:12:",
    ]
    monkeypatch.chdir(ws.parent)  # the parent of the workspace
    code, out, _ = run(capsys, "-q", "proj")
    assert [line.split(" ")[0] for line in out.splitlines()[:-1]] == [
        "proj/app/views.py:5:12:",
        "proj/app/views.py:9:12:",
    ]
    assert (ws.parent / "proj/app/views.py").is_file()  # what is printed opens from here
    write(ws, "other/__init__.py", "eval(input())\n")
    monkeypatch.chdir(ws / "app")  # a file outside the current directory: its absolute path
    code, out, _ = run(capsys, "-q", "..")
    assert [line.split(" ")[0] for line in out.splitlines()[:-1]] == [
        "views.py:5:12:",
        "views.py:9:12:",
        f"{ws}/other/__init__.py:1:1:",
    ]


def test_json_and_sarif_keep_the_workspace_root_as_base_and_say_it(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws.parent)
    _, out, _ = run(capsys, "-q", "proj", "--format", "json")
    doc = json.loads(out)
    assert doc["root"] == str(ws)
    assert {f["path"] for f in doc["findings"]} == {"app/views.py"}
    _, out, _ = run(capsys, "-q", "proj", "--format", "sarif")
    (sarif_run,) = json.loads(out)["runs"]
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ws.as_uri() + "/"}}
    location = sarif_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "app/views.py", "uriBaseId": "%SRCROOT%"}


# -- 2. warm runs: the findings cache ----------------------------------------------------------


def _project(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(REPO / "fixtures" / name, root, ignore=shutil.ignore_patterns(".auditls"))
    return root


def _analyse(
    root: Path, cache: FindingsCache | None, **kwargs: object
) -> tuple[Report, list[tuple[object, ...]]]:
    config = load_config(root)
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, config, progress=False, snapshot=False)
        report = analyse(
            store,
            taint_models=with_user_models(config.taint),
            test_code=config.test_code,
            cache=cache,
            **kwargs,  # type: ignore[arg-type]  # select / ignore / scopes / overrides
        )
    problems = [(p.path, p.kind, p.message) for p in report.problems]
    return report, problems


SELECTIONS: list[dict[str, object]] = [
    {},
    {"select": ["AUD1"]},
    {"ignore": ["AUD5"]},
    {"select": ["AUD5", "AUD10"], "severity_overrides": {"AUD5": "info"}},
    {"scopes": ["shop"]},
    {"scopes": ["bookclub/main"]},
]


@pytest.mark.parametrize("name", ["taint", "flask", "demo"])
def test_a_cached_analysis_equals_a_fresh_one(tmp_path: Path, name: str) -> None:
    """One cache shared by every selection, through a cold run, a warm run and an edit, gives
    exactly the report of an analysis without a cache."""
    root = _project(tmp_path, name)
    cache = FindingsCache()
    victim = sorted(p for p in root.rglob("*.py") if p.stat().st_size > 0)[0]
    for step in ("cold", "warm", "edited"):
        if step == "edited":
            victim.write_text("import os\n\n" + victim.read_text() + "\nos.system(x)\n")
        for kwargs in SELECTIONS:
            fresh, fresh_problems = _analyse(root, None, **kwargs)
            cached, cached_problems = _analyse(root, cache, **kwargs)
            assert cached.findings == fresh.findings, (step, kwargs)
            assert (cached.files, cached_problems) == (fresh.files, fresh_problems)


def test_the_cache_reuses_unchanged_files_and_the_workspace_findings(tmp_path: Path) -> None:
    root = _project(tmp_path, "taint")
    files = len(list(root.rglob("*.py")))
    cache = FindingsCache()
    _analyse(root, cache)
    assert (cache.reused_files, cache.reused_workspace) == (0, False)
    path = root / ".auditls" / CACHE_NAME
    assert cache.save(path)
    cache = FindingsCache.load(path)  # through the file, as the next run reads it
    _analyse(root, cache)
    assert (cache.reused_files, cache.reused_workspace) == (files, True)
    victim = next(root.rglob("*.py"))
    victim.write_text(victim.read_text() + "\n# touched\n")
    cache.reused_files, cache.reused_workspace = 0, False
    _analyse(root, cache)
    assert (cache.reused_files, cache.reused_workspace) == (files - 1, False)


#: Edits of one file of ``fixtures/django`` that change findings in other files: (file,
#: text replaced, replacement, a finding ``(rule, path, line)`` present before and gone after).
CROSS_FILE_EDITS = {
    # A route goes: the view it served is no longer reachable (the Django rules' model).
    "route": (
        "shop/urls.py",
        '    path("coupon/", views.apply_coupon, name="coupon"),\n',
        "",
        ("AUD310", "shop/views.py", 79),
    ),
    # A URL kwarg becomes an int: what the Django model tells the taint engine changes.
    "converter": (
        "shop/urls.py",
        '"labels/<str:label>/"',
        '"labels/<int:label>/"',
        ("AUD505", "shop/views.py", 141),
    ),
    # A view no longer queues request data to a task: a taint path into another file goes,
    # and no file with Django facts changed (the Django rules' findings stand).
    "queue": (
        "shop/notes.py",
        'dest=request.POST["dest"]',
        'dest="/srv/exports"',
        ("AUD502", "shop/tasks.py", 13),
    ),
}


def _check_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[list[object], str]:
    cli.main(["check", str(root), "--format", "json", "--jobs", "1"])
    out, err = capsys.readouterr()
    return json.loads(out)["findings"], err


@pytest.mark.parametrize("edit", sorted(CROSS_FILE_EDITS))
def test_a_warm_check_after_an_edit_equals_a_cold_one(
    edit: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The whole CLI, with its store, saved taint state and findings cache: after a one-file
    edit that changes a finding in another file, a warm check reports exactly what a check
    of the same tree from nothing does."""
    caplog.set_level(logging.INFO, logger="auditls.taint")
    rel, old, new, gone = CROSS_FILE_EDITS[edit]
    warm = _project(tmp_path / "warm", "django")
    before, _ = _check_json(warm, capsys)  # cold: fills the store, taint state, cache
    assert {p.name for p in (warm / ".auditls").iterdir()} >= {CACHE_NAME, "taint.msgpack"}
    assert gone in {(f["rule"], f["path"], f["line"]) for f in before}  # type: ignore[index]
    path = warm / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    after, err = _check_json(warm, capsys)
    assert "(1 re-extracted)" in err
    assert "not used" not in caplog.text  # the saved taint state was loaded
    cold = _project(tmp_path / "cold", "django")
    (cold / rel).write_text(text.replace(old, new), encoding="utf-8")
    expected, _ = _check_json(cold, capsys)
    assert after == expected
    assert gone not in {(f["rule"], f["path"], f["line"]) for f in after}  # type: ignore[index]
    if edit == "queue":  # no file with Django facts changed: the Django rules' findings stand
        assert re.search(r"\d+ workspace rules? from cache", err), err
    again, err = _check_json(warm, capsys)
    assert again == expected
    assert "workspace rules from cache" in err


def test_the_workspace_key_names_the_taint_models_the_rules_ran_with() -> None:
    """The default models are code (the cache's code version covers them); a workspace's own
    ``[tool.auditls.taint]`` makes another key, and a change of it another again."""
    from auditls.config import config_from_table
    from auditls.knowledge.taint import DEFAULT_MODELS

    def key(models: object) -> str:
        return FindingsCache.workspace_key({"a.py": ("h", "ok")}, None, ["AUD103"], models)

    user = {"sources": ["myapp.http.get_param"]}
    mine = with_user_models(config_from_table({"taint": user}).taint)
    other = with_user_models(config_from_table({"taint": {"sources": ["myapp.get"]}}).taint)
    assert key(None) == key(DEFAULT_MODELS)
    assert len({key(DEFAULT_MODELS), key(mine), key(other)}) == 3
    assert key(mine) == key(with_user_models(config_from_table({"taint": user}).taint))


def test_a_stale_or_torn_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / CACHE_NAME
    path.write_text('{"format": 1, "version": "other code", "files": {}}')
    assert FindingsCache.load(path).files == {}
    path.write_text('{"format": 1, "vers')
    assert FindingsCache.load(path) == FindingsCache()
    assert FindingsCache.load(tmp_path / "missing.json") == FindingsCache()


def test_check_writes_its_cache_beside_the_store(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, str(ws))[0] == 1
    doc = json.loads((ws / ".auditls" / CACHE_NAME).read_text())
    assert sorted(doc["files"]) == ["app/__init__.py", "app/views.py"]
    assert [f["rule"] for f in doc["files"]["app/views.py"]["findings"]] == ["AUD102", "AUD101"]
    assert [p.name for p in (ws / ".auditls").iterdir() if p.name.endswith(".tmp")] == []
    _, _, err = run(capsys, str(ws))
    assert "(2 from cache, workspace rules from cache)" in err


# -- 3. progress and summary -------------------------------------------------------------------


def test_summary_on_stderr_when_not_a_terminal(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, str(ws))
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("auditls: 2 files (2 re-extracted); rules on 2 files (0 from cache)")
    assert "; 2 findings; " in err
    target = tmp_path / "out.json"
    code, out, err = run(capsys, str(ws), "--format", "json", "-o", str(target))
    assert out == ""
    assert f"2 findings, report in {target}; " in err  # -o no longer silences everything
    code, out, err = run(capsys, str(ws), "--quiet")
    assert (code, err) == (1, "")
    assert out.endswith("Found 2 findings (2 errors) in 1 of 2 files.\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_on_a_terminal() -> None:
    stream = _Terminal()
    progress = Progress.choose(stream, quiet=False)
    assert progress.mode == "bar"
    with progress:
        progress.index(0, 4)
        progress.index(4, 4)
        progress.rules("files", 3, 3)
        progress.rules("workspace", 1, 1)
        assert progress._rich is not None
        tasks = {t.description: (t.completed, t.total) for t in progress._rich.tasks}
    assert tasks == {"indexing": (4, 4), "checking files": (3, 3), "workspace rules": (1, 1)}
    assert Progress.choose(io.StringIO(), quiet=False).mode == "summary"
    assert Progress.choose(stream, quiet=True).mode == "quiet"


def test_aud209_names_the_salt_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "pyproject.toml", "")
    write(
        tmp_path,
        "kdf.py",
        "import hashlib\nSALT = b'x'\n\n\ndef derive(pw):\n"
        "    hashlib.pbkdf2_hmac('sha256', pw, b'static-salt', 600_000)\n"
        "    hashlib.pbkdf2_hmac('sha256', pw, salt=SALT, iterations=600_000)\n",
    )
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, "-q", "--select", "AUD209")
    assert [line.split(" uses ")[1].split(".")[0] for line in out.splitlines()[:-1]] == [
        "the fixed salt `b'static-salt'`",
        "the fixed salt `SALT`",
    ]


# -- 4. baseline -------------------------------------------------------------------------------


def _rules_at(out: str) -> list[str]:
    """``path:line:col: CODE`` of each finding in text output."""
    return [" ".join(line.split(" ")[:2]) for line in out.splitlines()[:-1]]


def test_baseline_reports_only_new_findings_and_survives_moved_lines(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws)
    baseline = tmp_path / "baseline.json"
    code, _, err = run(capsys, "-q", "--write-baseline", str(baseline))
    assert (code, err) == (1, "")
    doc = json.loads(baseline.read_text())
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [
        ("AUD102", "app/views.py", 5),
        ("AUD101", "app/views.py", 9),
    ]
    code, out, _ = run(capsys, "-q", "--baseline", str(baseline))
    assert (code, out) == (0, "No findings in 2 files.\n")
    # Unrelated edits move every line; new findings: a second eval in calc (another
    # statement) and os.system in a new function.
    views = ws / "app" / "views.py"
    moved = '"""Views."""\nimport os\n\n\n' + VULNERABLE.replace(
        "    return eval(expr)", "    x = 1\n    eval(expr)\n    return eval(expr)"
    )
    views.write_text(moved + "\n\ndef wipe(path):\n    os.system(path)\n")
    code, out, err = run(capsys, "--baseline", str(baseline))
    assert code == 1
    assert _rules_at(out) == ["app/views.py:14:5: AUD101", "app/views.py:19:5: AUD102"]
    assert "2 findings (2 more in the baseline)" in err
    # the same statement in another function is another finding
    views.write_text(VULNERABLE + "\n\ndef calc2(expr):\n    return eval(expr)\n")
    _, out, _ = run(capsys, "-q", "--baseline", str(baseline))
    assert _rules_at(out) == ["app/views.py:13:12: AUD101"]


def test_baseline_from_the_configuration(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ws / "app")  # --write-baseline is relative to here, the key to the root
    assert run(capsys, "-q", "--write-baseline", "../legacy.json")[0] == 1
    (ws / "pyproject.toml").write_text(
        '[project]\nname = "proj"\n[tool.auditls]\nbaseline = "legacy.json"\n'
    )
    assert run(capsys, "-q")[:2] == (0, "No findings in 2 files.\n")
    code, out, _ = run(capsys, "-q", "--no-baseline")
    assert code == 1
    assert len(_rules_at(out)) == 2


def test_a_bad_baseline_is_a_usage_error(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    code, out, err = run(capsys, str(ws), "--baseline", str(missing))
    assert (code, out) == (2, "")
    assert err == (
        f"auditls: error: {missing}: no such baseline (write one with --write-baseline)\n"
    )
    other = write(tmp_path, "other.json", '{"findings": []}')
    code, _, err = run(capsys, str(ws), "--baseline", str(other))
    assert (code, err) == (2, f"auditls: error: {other}: not an auditls baseline\n")
    (ws / "pyproject.toml").write_text("[tool.auditls]\nbaseline = 3\n")
    code, _, err = run(capsys, str(ws))
    assert code == 2
    assert "[tool.auditls] baseline: expected a file name (a string), got" in err


def test_a_binary_file_named_explicitly_is_not_python_source(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blob = ws / "logo.png"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    code, out, err = run(capsys, str(blob))
    assert (code, out) == (2, "")
    assert err == f"auditls: error: {blob}: not a Python source file (binary content)\n"
    nul = write(ws, "broken.py", "x = 1\n")
    nul.write_bytes(b"x = '\0'\n")  # a Python file with a NUL byte is a syntax error
    code, out, _ = run(capsys, "-q", str(nul))
    assert code == 1
    assert " AUD001 " in out


# -- 6. two projects in one repository --------------------------------------------------------


def test_each_blueprint_mounts_on_its_own_projects_app(tmp_path: Path) -> None:
    """fixtures/flask_two_apps: two source roots whose modules share names (``app``,
    ``web.views``); each registration names its own project's app and blueprint."""
    from auditls.models.flask import FlaskModel, model_of

    root = _project(tmp_path, "flask_two_apps")
    with Store.open(root, persist=False) as store:
        index_workspace(root, store, load_config(root), progress=False, snapshot=False)
        model = model_of(store, FlaskModel)
        mounts = sorted(
            (route.path, mount.app.path, mount.url)
            for route in model.routes
            for mount in route.mounts
        )
    assert mounts == [
        ("admin/web/views.py", "admin/app.py", "/admin/users"),
        ("admin/web/views.py", "admin/app.py", "/admin/users/delete"),
        ("shop/web/views.py", "shop/app.py", "/shop/basket/clear"),
    ]


def test_progress_bars_in_a_real_terminal(ws: Path) -> None:
    """``auditls check`` in a pseudo-terminal: rich bars for indexing and the rules, erased,
    then the summary; the report goes to its file."""
    target = ws / "report.txt"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditls", "check", str(ws), "-o", str(target), "--jobs", "1"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 1
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8"))
    assert "auditls indexing" in screen
    assert "auditls checking files" in screen
    assert "auditls workspace rules" in screen
    last = screen.strip().splitlines()[-1]
    assert last.startswith("auditls: 2 files (2 re-extracted); rules on 2 files (0 from cache)")
    assert f"2 findings, report in {target}" in last
    assert target.read_text().endswith("Found 2 findings (2 errors) in 1 of 2 files.\n")


def test_baseline_fingerprints_come_from_a_buffer_when_given(ws: Path) -> None:
    """What the server needs: a finding computed from an unsaved buffer is matched by the
    buffer's text, and filtering file by file equals filtering the whole run."""
    from auditls.report.baseline import Fingerprinter, new_findings
    from auditls.rules import Finding

    def finding(line: int) -> Finding:
        return Finding(
            rule="AUD101", path="app/views.py", line=line, column=12, end_line=line,
            end_column=22, severity="error", confidence="high", cwe=95, message="eval",
            stmt_line=line,
        )  # fmt: skip

    on_disk = Fingerprinter(ws)(finding(9))
    buffer = "# a new first line\n" + VULNERABLE
    from_buffer = Fingerprinter(ws, text_of={"app/views.py": buffer}.get)
    assert from_buffer(finding(10)) == on_disk  # the line moved in the buffer only
    assert Fingerprinter(ws)(finding(10)) != on_disk  # the disk's line 10 is another statement
    kept, absorbed = new_findings([finding(10)], Counter([on_disk]), ws, from_buffer)
    assert (kept, absorbed) == ([], 1)


# -- 7. --force-exclude (pre-commit names every changed file) ---------------------------------


def test_force_exclude_leaves_out_excluded_files_named_explicitly(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(ws, "pyproject.toml", '[project]\nname = "proj"\n\n[tool.auditls]\nexclude = ["gen/"]\n')
    write(ws, ".gitignore", "scratch.py\n")
    write(ws, "gen/bad.py", VULNERABLE)
    write(ws, "scratch.py", VULNERABLE)
    write(ws, ".venv/lib/site.py", VULNERABLE)
    monkeypatch.chdir(ws)
    named = ["gen/bad.py", "scratch.py", ".venv/lib/site.py", "gen"]
    # Without the flag, a file named explicitly is checked whatever the exclusions say.
    code, out, _ = run(capsys, "-q", *named[:3])
    assert code == 1
    assert out.splitlines()[-1] == "Found 6 findings (6 errors) in 3 of 3 files."
    # With it, each excluded path named is left out: exclude, .gitignore, a default exclude.
    code, out, err = run(capsys, "--force-exclude", *named)
    assert (code, out) == (0, "No findings in 0 files.\n")
    assert err == "auditls: every path given is excluded (--force-exclude): nothing to check\n"
    code, out, err = run(capsys, "-q", "--force-exclude", "--format", "json", *named)
    assert (code, json.loads(out)["findings"], err) == (0, [], "")
    # The paths that are not excluded are checked as usual.
    code, out, _ = run(capsys, "-q", "--force-exclude", *named, "app/views.py")
    assert code == 1
    assert {line.split(":")[0] for line in out.splitlines()[:-1]} == {"app/views.py"}
    assert out.splitlines()[-1] == "Found 2 findings (2 errors) in 1 of 1 file."


def test_the_pre_commit_hooks_entry_is_a_check_with_force_exclude() -> None:
    """``.pre-commit-hooks.yaml`` and the README's local hook run what the parser accepts."""
    entries = [
        line.split("entry:", 1)[1].strip()
        for text in (
            (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
            (REPO / "README.md").read_text(encoding="utf-8"),
        )
        for line in text.splitlines()
        if line.strip().startswith("entry:")
    ]
    assert entries == ["auditls check --force-exclude"] * 2
    program, *argv = entries[0].split()
    assert program == "auditls"
    args = cli.build_parser().parse_args([*argv, "app.py"])
    assert (args.func, args.force_exclude, args.paths) == (cli.cmd_check, True, ["app.py"])
