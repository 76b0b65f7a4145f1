-- Headless Neovim (0.7 API) as an independent LSP client of `ctxlens serve`:
-- open a file with a known clone, wait for its diagnostic, ask for a hover.
-- Environment: CTXLENS_PYTHON (the interpreter), CTXLENS_ROOT (the workspace),
-- CTXLENS_FILE (the file to open, relative to the root).
local function fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local python = os.getenv("CTXLENS_PYTHON")
local root = os.getenv("CTXLENS_ROOT")
local file = os.getenv("CTXLENS_FILE")
if not (python and root and file) then
  fail("CTXLENS_PYTHON, CTXLENS_ROOT and CTXLENS_FILE must be set")
end

local client_id = vim.lsp.start_client({
  name = "ctxlens",
  cmd = { python, "-m", "ctxlens.cli", "serve" },
  root_dir = root,
  init_options = { stabilityProbe = false },
  on_exit = function(code)
    if code ~= 0 then io.stderr:write("server exited with " .. code .. "\n") end
  end,
})
if not client_id then fail("could not start the server") end

vim.cmd("edit " .. root .. "/" .. file)
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)

local ok = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
if not ok then fail("no diagnostic within 60 s") end
local d = vim.diagnostic.get(bufnr)[1]
io.stderr:write("diagnostic: line " .. d.lnum .. ": " .. d.message .. "\n")
if d.source ~= "ctxlens" or not d.message:find("rank_customers", 1, true) then
  fail("unexpected diagnostic: " .. vim.inspect(d))
end

local params = {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  position = { line = d.lnum + 2, character = 4 },
}
local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, 20000)
local value = nil
for _, r in pairs(responses or {}) do
  if r.result and r.result.contents then value = r.result.contents.value end
end
if not value then fail("no hover: " .. vim.inspect(responses)) end
io.stderr:write("hover: " .. value:gsub("\n.*", "") .. "\n")
if not (value:find("tokens", 1, true) and value:find("o200k_base", 1, true)
        and value:find("summarize", 1, true)) then
  fail("unexpected hover: " .. value)
end

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
io.stderr:write("OK\n")
vim.cmd("qall!")
