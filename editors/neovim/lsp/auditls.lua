-- auditls for Neovim 0.11+: put this file on the runtime path as lsp/auditls.lua (for instance
-- ~/.config/nvim/lsp/auditls.lua), then enable it once, in init.lua:
--
--     vim.lsp.enable('auditls')
--
-- `auditls` must be on PATH (pip install auditls into the environment you work in), or change
-- `cmd` to { '/path/to/venv/bin/python', '-E', '-P', '-m', 'auditls', 'serve' }.
--
-- Neovim speaks UTF-8 positions and does not watch files for servers on Linux: auditls watches
-- the workspace itself and pushes diagnostics. The `settings` below are what the server asks for
-- (workspace/configuration, section "auditls"); they layer over [tool.auditls] in pyproject.toml.
return {
  cmd = { 'auditls', 'serve' },
  -- The server starts in the project root: no PYTHONPATH (yours may point into the project) and
  -- Python's safe-path mode, so no file of the analysed repository can shadow a module auditls
  -- imports. Keep these if you change `cmd`.
  cmd_env = { PYTHONPATH = '', PYTHONSAFEPATH = '1' },
  filetypes = { 'python' },
  -- The workspace root, as `auditls check` finds it: the nearest directory, from the file up,
  -- holding a pyproject.toml or a .git (whichever is nearer); else the file's own directory.
  root_dir = function(bufnr, on_dir)
    local file = vim.api.nvim_buf_get_name(bufnr)
    local root = vim.fs.root(bufnr, function(name, path)
      local kind = (vim.uv.fs_stat(vim.fs.joinpath(path, name)) or {}).type
      return (name == 'pyproject.toml' and kind == 'file') or name == '.git'
    end)
    on_dir(root or vim.fs.dirname(file))
  end,
  settings = {
    auditls = {
      diagnosticMode = 'workspace', -- or 'openFiles'
      debounce = 200, -- ms after the last keystroke
      syntaxDiagnostics = true, -- AUD001 while a buffer does not parse
      -- select = { 'AUD1' },
      -- ignore = { 'AUD103' },
      -- severity = { AUD103 = 'error' },
      -- logLevel = 'debug', -- :LspLog shows what the server says
    },
  },
}
