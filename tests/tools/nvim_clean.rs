//! The server in a bare editor client, without the plugin: headless Neovim (`--clean`) starts `dfls lsp`
//! with `vim.lsp` alone, attaches it to a `mashup.pq`, sees its diagnostic and gets `Table.AddColumn` in
//! completion. Written for Neovim 0.7's API (Debian 12's package), which later versions still have. Runs
//! Debian's Neovim, found as [`super::nvim::debian_nvim`] finds it (`DFLS_TEST_NVIM07`).

use std::process::Command;

use super::nvim::debian_nvim;
use super::require::Ran;

/// The test script; it ends Neovim with `qall!` on success and `cquit 1` (after printing why) on failure.
const SCRIPT: &str = r#"
local function run()
  local file = os.getenv("DFLS_TEST_FILE")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local config = { name = "dfls", cmd = { os.getenv("DFLS_TEST_BIN"), "lsp" }, root_dir = vim.fn.fnamemodify(file, ":h") }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  assert(client_id, "the client did not start")

  local seen = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  assert(seen, "no diagnostics within 30 s")
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(codes, tostring(code) .. "@" .. d.lnum .. ":" .. d.col)
  end
  local all = table.concat(codes, ",")
  io.stderr:write("diagnostics: " .. all .. "\n")
  assert(all:find("M201@1:11", 1, true), "no M201 at 1:11 in " .. all)

  local line = vim.api.nvim_buf_line_count(bufnr) - 1
  local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = #text } }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, 30000)
  assert(responses, "no completion response")
  local labels = {}
  for _, response in pairs(responses) do
    assert(not response.err, "completion failed: " .. vim.inspect(response.err))
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do
      labels[item.label] = true
    end
  end
  assert(labels["Table.AddColumn"], "no Table.AddColumn among the completions")
  io.stderr:write("completion: Table.AddColumn\n")
end

local ok, err = pcall(run)
if ok then
  vim.cmd("qall!")
else
  io.stderr:write("FAILED: " .. tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
"#;

pub fn neovim_shows_the_diagnostic_and_completes_table_add_column() -> Ran {
    let (nvim, version) = debian_nvim()?;
    let dir = tempfile::tempdir().unwrap();
    let item = dir.path().join("Sales.Dataflow");
    std::fs::create_dir(&item).unwrap();
    let file = item.join("mashup.pq");
    std::fs::write(
        &file,
        "section Section1;\nshared A = Unknwn;\nshared T = #table({\"a\"}, {{1}});\nshared U = Table.AddCol",
    )
    .unwrap();
    let script = dir.path().join("test.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let output = Command::new(&nvim)
        .args(["--headless", "--clean", "-S"])
        .arg(&script)
        .env("DFLS_TEST_FILE", &file)
        .env("DFLS_TEST_BIN", env!("CARGO_BIN_EXE_dfls"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{version}: {stderr}");
    assert!(stderr.contains("completion: Table.AddColumn"), "{version}: {stderr}");
    Ok(())
}
