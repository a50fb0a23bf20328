-- dfls for Neovim: the language server for Power Query M (`mashup.pq`, `.pq`, `.pqm`) and the JSON parts of a
-- Dataflow Gen2 item, the REST commands, and the tree-sitter grammar of the dfls repository.
--
--   require("dfls").setup({
--     cmd = { "dfls", "lsp" },   -- the server; `dfls` on PATH by default
--     target = nil,              -- a target of dfls.toml for the REST commands; nil: the server's default
--     treesitter = true,         -- register the grammar with nvim-treesitter, start highlighting if a parser is installed
--   })
--
-- Neovim 0.11+ gets `vim.lsp.config("dfls", ...)` + `vim.lsp.enable("dfls")`, 0.8-0.10 `vim.lsp.start` from a
-- FileType autocommand, 0.7 `vim.lsp.start_client` + `vim.lsp.buf_attach_client`.

local M = {}

local api = vim.api
local uv = vim.uv or vim.loop

--- The REST actions: user command, server command, title.
M.commands = {
  { name = "DflsPush", command = "dfls.push", title = "Push" },
  { name = "DflsPublish", command = "dfls.publish", title = "Publish" },
  { name = "DflsRefresh", command = "dfls.refresh", title = "Refresh" },
  { name = "DflsStatus", command = "dfls.status", title = "Show job status" },
  { name = "DflsCancel", command = "dfls.cancel", title = "Cancel" },
  { name = "DflsPull", command = "dfls.pull", title = "Pull" },
}

M.defaults = {
  cmd = { "dfls", "lsp" },
  target = nil,
  root_markers = { "dfls.toml", ".git" },
  treesitter = true,
}

M.options = vim.deepcopy(M.defaults)

--- How the server was set up: "vim.lsp.enable", "vim.lsp.start" or "vim.lsp.start_client".
M.mode = nil

--- The last `dfls/jobStatus` notification's params, for a status line.
M.job = nil

local function notify(message, level)
  vim.notify("dfls: " .. message, level or vim.log.levels.INFO)
end

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

--- The JSON files of a Dataflow item that the server understands (besides `*.mdf`).
local json_parts = {
  ["queryMetadata.json"] = true,
  [".platform"] = true,
  [".schedules"] = true,
  ["dataflow-content.json"] = true,
}

--- Whether the server should attach to a buffer: M files, and the JSON parts of items (not every JSON file).
function M.wants(bufnr)
  local name = api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return false
  end
  if vim.bo[bufnr].filetype == "powerquery" then
    return true
  end
  local base = vim.fn.fnamemodify(name, ":t")
  return json_parts[base] == true or base:match("%.mdf$") ~= nil
end

local function parent(dir)
  local up = vim.fn.fnamemodify(dir, ":h")
  if up == dir then
    return nil
  end
  return up
end

--- The workspace root of a file: the nearest folder with a root marker (`dfls.toml`, `.git`), else the folder
--- that holds the file's `*.Dataflow` item, else the file's folder.
function M.root_dir(fname)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  local item
  local d = dir
  while d do
    for _, marker in ipairs(M.options.root_markers) do
      if uv.fs_stat(d .. "/" .. marker) then
        return d
      end
    end
    if not item and d:match("%.Dataflow$") then
      item = d
    end
    d = parent(d)
  end
  return item and parent(item) or dir
end

--- Shows a `dfls/jobStatus` notification: `{item, jobType, status, startTime?, endTime?, failureReason?}`.
function M.on_job_status(_, params)
  if type(params) ~= "table" then
    return
  end
  M.job = params
  local message = ("%s %s: %s"):format(tostring(params.item), tostring(params.jobType), tostring(params.status))
  local level = vim.log.levels.INFO
  if params.failureReason then
    message = message .. " (" .. tostring(params.failureReason) .. ")"
    level = vim.log.levels.WARN
  end
  notify(message, level)
  pcall(vim.cmd, "redrawstatus")
end

local message_levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }

--- Shows a `window/showMessage` of the server (such as the end of a job it followed) with vim.notify, as the
--- answers of the commands are shown, rather than Neovim's default (the message area on 0.7).
function M.on_show_message(_, params)
  if type(params) ~= "table" or type(params.message) ~= "string" then
    return
  end
  local message = params.message
  if message:sub(1, 6) ~= "dfls: " then
    message = "dfls: " .. message
  end
  vim.notify(message, message_levels[params.type] or vim.log.levels.INFO)
end

--- A short text for a status line: the last job's item, type and status, or "".
function M.statusline()
  if not M.job then
    return ""
  end
  return ("dfls: %s %s %s"):format(tostring(M.job.item), tostring(M.job.jobType), tostring(M.job.status))
end

local function config()
  local settings = { dfls = { target = M.options.target } }
  return {
    name = "dfls",
    cmd = M.options.cmd,
    handlers = { ["dfls/jobStatus"] = M.on_job_status, ["window/showMessage"] = M.on_show_message },
    settings = settings,
  }
end

local function clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = "dfls" })
  end
  local found = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == "dfls" then
      table.insert(found, client)
    end
  end
  return found
end

--- The dfls client attached to a buffer, or nil.
function M.client(bufnr)
  return clients(bufnr or api.nvim_get_current_buf())[1]
end

--- Starts the server for a buffer (or attaches the running one) on Neovim 0.7-0.10.
function M.start(bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  if not M.wants(bufnr) then
    return
  end
  local c = config()
  c.root_dir = M.root_dir(api.nvim_buf_get_name(bufnr))
  if vim.lsp.start then
    return vim.lsp.start(c, { bufnr = bufnr })
  end
  -- Neovim 0.7: one client per root folder, attached by hand.
  for _, client in ipairs(vim.lsp.get_active_clients()) do
    if client.name == "dfls" and client.config.root_dir == c.root_dir and not client.is_stopped() then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return client.id
    end
  end
  local id = vim.lsp.start_client(c)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- The directory of the tree-sitter grammar in the dfls repository this plugin belongs to.
function M.grammar_dir()
  local source = debug.getinfo(1, "S").source:sub(2)
  -- editors/nvim/lua/dfls/init.lua -> the repository root
  local root = vim.fn.fnamemodify(source, ":p:h:h:h:h:h")
  return root .. "/grammars/tree-sitter-powerquery"
end

--- Tells nvim-treesitter (its `master` and its `main` branch) where the grammar is, so that
--- `:TSInstall powerquery` builds it; the queries come from this plugin's `queries/powerquery/`.
function M.register_grammar()
  local dir = M.grammar_dir()
  local ok, parsers = pcall(require, "nvim-treesitter.parsers")
  if ok and type(parsers.get_parser_configs) == "function" then
    parsers.get_parser_configs().powerquery = {
      install_info = {
        url = dir,
        files = { "src/parser.c", "src/scanner.c" },
        generate_requires_npm = false,
        requires_generate_from_grammar = false,
      },
      filetype = "powerquery",
    }
  end
  api.nvim_create_autocmd("User", {
    group = api.nvim_create_augroup("dfls_treesitter", { clear = true }),
    pattern = "TSUpdate",
    callback = function()
      local found, main = pcall(require, "nvim-treesitter.parsers")
      if found and type(main) == "table" and type(main.get_parser_configs) ~= "function" then
        main.powerquery = { install_info = { path = dir }, tier = 3 }
      end
    end,
  })
end

--- Starts tree-sitter highlighting in a powerquery buffer when a `powerquery` parser is installed
--- (`parser/powerquery.so` on 'runtimepath', as nvim-treesitter installs it). Neovim 0.9+.
function M.highlight(bufnr)
  if vim.treesitter.start and vim.treesitter.language.add then
    local ok = pcall(vim.treesitter.language.add, "powerquery")
    if ok then
      pcall(vim.treesitter.start, bufnr, "powerquery")
    end
  end
end

function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local group = api.nvim_create_augroup("dfls", { clear = true })

  if M.options.treesitter and has("0.9") then
    M.register_grammar()
    api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = "powerquery",
      callback = function(args)
        M.highlight(args.buf)
      end,
    })
  end

  if vim.lsp.config and vim.lsp.enable and has("0.11") then
    M.mode = "vim.lsp.enable"
    local c = config()
    c.filetypes = { "powerquery", "json" }
    c.root_dir = function(bufnr, on_dir)
      if M.wants(bufnr) then
        on_dir(M.root_dir(api.nvim_buf_get_name(bufnr)))
      end
    end
    vim.lsp.config("dfls", c)
    vim.lsp.enable("dfls")
    return
  end

  M.mode = vim.lsp.start and "vim.lsp.start" or "vim.lsp.start_client"
  api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = { "powerquery", "json" },
    callback = function(args)
      M.start(args.buf)
    end,
  })
  for _, bufnr in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(bufnr) then
      M.start(bufnr)
    end
  end
end

local function request(client, method, params, handler, bufnr)
  if has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function title_of(command)
  for _, c in ipairs(M.commands) do
    if c.command == command then
      return c.title
    end
  end
  return command
end

--- Runs a REST action (`dfls.push`, ...) on the server for the current buffer's item: `workspace/executeCommand`
--- with the document's URI, and `{ target = ... }` when a target is set. Reports the outcome with vim.notify.
function M.execute(command, bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local title = title_of(command)
  local client = M.client(bufnr)
  if not client then
    notify(title .. ": no dfls language server is attached to this buffer", vim.log.levels.WARN)
    return
  end
  local arguments = { vim.uri_from_bufnr(bufnr) }
  if M.options.target then
    table.insert(arguments, { target = M.options.target })
  end
  local params = { command = command, arguments = arguments }
  request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      if err.code == -32601 then
        notify(
          ("%s: this dfls does not run `%s` yet; a newer dfls does"):format(title, command),
          vim.log.levels.WARN
        )
      else
        notify(("%s failed: %s"):format(title, tostring(err.message)), vim.log.levels.ERROR)
      end
      return
    end
    local message = type(result) == "string" and result or (type(result) == "table" and result.message) or "done"
    notify(("%s: %s"):format(title, message))
  end, bufnr)
end

return M
