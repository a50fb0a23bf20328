-- dfls for Neovim: the language server for Power Query M (`mashup.pq`, `.pq`, `.pqm`) and the JSON parts of a
-- Dataflow Gen2 item, the REST commands (:DflsPush ... :DflsPull), the Dataflow commands (:DflsList,
-- :DflsParameters, :DflsSchedule, results in scratch buffers), and the tree-sitter grammar of the dfls repository.
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

--- The titles of the Dataflow commands (`:DflsList`, `:DflsParameters`, `:DflsSchedule`), for messages.
local other_titles = { ["dfls.list"] = "List", ["dfls.parameters"] = "Parameters", ["dfls.schedule"] = "Schedules" }

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
  return other_titles[command] or command
end

--- Sends `workspace/executeCommand` for the current buffer's item: the document's URI and `options` (with
--- `target` when one is set). Calls `on_result(result)` with the answer; an error is shown with vim.notify.
function M.request_command(command, options, bufnr, on_result)
  bufnr = bufnr or api.nvim_get_current_buf()
  local title = title_of(command)
  local client = M.client(bufnr)
  if not client then
    notify(title .. ": no dfls language server is attached to this buffer", vim.log.levels.WARN)
    return
  end
  local settings = vim.tbl_extend("force", {}, options or {})
  if M.options.target and settings.target == nil then
    settings.target = M.options.target
  end
  local arguments = { vim.uri_from_bufnr(bufnr) }
  if next(settings) ~= nil then
    table.insert(arguments, settings)
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
    on_result(result)
  end, bufnr)
end

--- Runs a REST action (`dfls.push`, ...) on the server for the current buffer's item: `workspace/executeCommand`
--- with the document's URI, and `{ target = ... }` when a target is set. Reports the outcome with vim.notify.
function M.execute(command, bufnr)
  local title = title_of(command)
  M.request_command(command, {}, bufnr, function(result)
    local message = type(result) == "string" and result or (type(result) == "table" and result.message) or "done"
    notify(("%s: %s"):format(title, message))
  end)
end

--- Shows lines in the scratch buffer `dfls://NAME` (a split; the cursor stays where it was). Returns the buffer.
function M.show(name, lines)
  local bufname = "dfls://" .. name
  local bufnr = vim.fn.bufnr(bufname)
  if bufnr == -1 then
    bufnr = api.nvim_create_buf(false, true)
    api.nvim_buf_set_name(bufnr, bufname)
    vim.bo[bufnr].bufhidden = "hide"
    vim.bo[bufnr].swapfile = false
  end
  vim.bo[bufnr].modifiable = true
  api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
  if vim.fn.bufwinid(bufnr) == -1 then
    local previous = api.nvim_get_current_win()
    vim.cmd("botright split")
    api.nvim_win_set_buf(0, bufnr)
    api.nvim_set_current_win(previous)
  end
  return bufnr
end

local function message_lines(result)
  local message = type(result) == "table" and result.message or tostring(result)
  return vim.split(message or "", "\n", { plain = true })
end

--- :DflsList — the workspace's Dataflows (name and newest job) in the scratch buffer `dfls://Dataflows`.
function M.list(bufnr)
  M.request_command("dfls.list", {}, bufnr, function(result)
    local lines = { ("Dataflows on target `%s`:"):format(tostring(result.target)) }
    vim.list_extend(lines, message_lines(result))
    M.show("Dataflows", lines)
  end)
end

--- :DflsParameters [NAME] — the public parameters of the buffer's item (or of the Dataflow NAME) in `dfls://Parameters`.
function M.parameters(name, bufnr)
  local options = (name and name ~= "") and { item = name } or {}
  M.request_command("dfls.parameters", options, bufnr, function(result)
    local lines = { ("Public parameters of `%s`:"):format(tostring(result.displayName)) }
    vim.list_extend(lines, message_lines(result))
    M.show("Parameters", lines)
  end)
end

--- The options of `dfls schedule add` as words (`--daily 08:00 --time-zone Europe/Paris`) and what they are in
--- `dfls.schedule`'s JSON.
local schedule_flags = {
  ["every"] = { key = "every", number = true },
  ["daily"] = { key = "daily" },
  ["weekly"] = { key = "weekly" },
  ["monthly"] = { key = "monthly" },
  ["at"] = { key = "at" },
  ["every-months"] = { key = "everyMonths", number = true },
  ["start"] = { key = "start" },
  ["end"] = { key = "end" },
  ["time-zone"] = { key = "timeZone" },
  ["job"] = { key = "job" },
  ["disabled"] = { key = "disabled", flag = true },
  ["to-folder"] = { key = "toFolder", flag = true },
}

local schedule_actions = { list = true, add = true, set = true, remove = true, enable = true, disable = true }

--- `:DflsSchedule`'s words as `dfls.schedule`'s options: `ACTION [ID] [--flag VALUE | --flag=VALUE ...]`.
--- Returns the options, or nil and why not.
function M.schedule_options(words)
  local options = { action = "list" }
  local i = 1
  if words[i] and words[i]:sub(1, 2) ~= "--" then
    if not schedule_actions[words[i]] then
      return nil, ("`%s` is not a schedule action: list, add, set, remove, enable or disable"):format(words[i])
    end
    options.action = words[i]
    i = i + 1
  end
  if words[i] and words[i]:sub(1, 2) ~= "--" then
    options.id = words[i]
    i = i + 1
  end
  while words[i] do
    local name, value = words[i]:match("^%-%-([%w-]+)=(.*)$")
    name = name or words[i]:match("^%-%-([%w-]+)$")
    local flag = name and schedule_flags[name]
    if not flag then
      return nil, ("`%s` is not an option of :DflsSchedule"):format(words[i])
    end
    if flag.flag then
      options[flag.key] = true
    else
      if value == nil then
        i = i + 1
        value = words[i]
      end
      if value == nil then
        return nil, ("--%s needs a value"):format(name)
      end
      options[flag.key] = flag.number and (tonumber(value) or value) or value
    end
    i = i + 1
  end
  return options
end

local function show_schedules(result)
  local lines = { ("%s schedules of `%s`:"):format(tostring(result.jobType), tostring(result.displayName)) }
  for index, schedule in ipairs(result.schedules or {}) do
    local next_run = result.nextRuns and result.nextRuns[index]
    local summary = result.summaries and result.summaries[index] or schedule.configuration.type
    table.insert(lines, ("%s  %s  %s%s"):format(
      schedule.id,
      schedule.enabled and "on " or "off",
      summary,
      type(next_run) == "string" and (", next " .. next_run) or ""
    ))
  end
  if #(result.schedules or {}) == 0 then
    vim.list_extend(lines, message_lines(result))
  end
  M.show("Schedules", lines)
end

local timing_keys = { "every", "daily", "weekly", "monthly" }

--- Asks how a schedule runs with vim.ui.select and vim.ui.input, then calls `done(options)`.
local function ask_timing(options, done)
  local kinds = { "every N minutes", "daily", "weekly", "monthly" }
  vim.ui.select(kinds, { prompt = "dfls: how often?" }, function(choice, index)
    if not choice then
      return
    end
    local key = timing_keys[index]
    local prompts = {
      every = "Every how many minutes? ",
      daily = "At what times of day (hh:mm,...)? ",
      weekly = "On which days (monday,...)? ",
      monthly = "On which day (1-31, first-monday ...)? ",
    }
    vim.ui.input({ prompt = prompts[key] }, function(when)
      if not when or when == "" then
        return
      end
      options[key] = key == "every" and (tonumber(when) or when) or when
      local function zone()
        vim.ui.input({ prompt = "Time zone (IANA or Windows id): ", default = "UTC" }, function(tz)
          if not tz then
            return
          end
          options.timeZone = tz
          done(options)
        end)
      end
      if key == "weekly" or key == "monthly" then
        vim.ui.input({ prompt = "At what times of day (hh:mm,...)? " }, function(at)
          if not at or at == "" then
            return
          end
          options.at = at
          zone()
        end)
      else
        zone()
      end
    end)
  end)
end

--- :DflsSchedule [list|add|set|remove|enable|disable] [ID] [--daily 08:00 ...] — the buffer's item's refresh
--- schedules: a list in `dfls://Schedules`, or a change (reported with vim.notify). Without an ID where one is
--- needed, the schedules are offered with vim.ui.select; `add` and `set` without a timing ask for one.
function M.schedule(words, bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local options, problem = M.schedule_options(words or {})
  if not options then
    notify("Schedules: " .. problem, vim.log.levels.ERROR)
    return
  end
  local action = options.action
  if action == "list" then
    M.request_command("dfls.schedule", options, bufnr, show_schedules)
    return
  end
  local function run(final)
    M.request_command("dfls.schedule", final, bufnr, function(result)
      notify("Schedules: " .. tostring(result.message))
    end)
  end
  local function with_timing(final)
    local has_timing = false
    for _, key in ipairs(timing_keys) do
      has_timing = has_timing or final[key] ~= nil
    end
    if (action == "add" or action == "set") and not has_timing then
      ask_timing(final, run)
    else
      run(final)
    end
  end
  if action == "add" or options.id then
    with_timing(options)
    return
  end
  -- An action on a schedule without its id: offer the schedules.
  M.request_command("dfls.schedule", { action = "list", job = options.job }, bufnr, function(result)
    local schedules = result.schedules or {}
    if #schedules == 0 then
      notify("Schedules: " .. tostring(result.message), vim.log.levels.WARN)
      return
    end
    vim.ui.select(schedules, {
      prompt = ("dfls: %s which schedule?"):format(action),
      format_item = function(schedule)
        return ("%s (%s, %s)"):format(schedule.configuration.type, schedule.id, schedule.enabled and "on" or "off")
      end,
    }, function(schedule)
      if schedule then
        options.id = schedule.id
        with_timing(options)
      end
    end)
  end)
end

--- The server's Dataflow commands, run from its code lenses (the "Next refresh" lens runs `dfls.schedule`).
local function register_lens_commands()
  if not vim.lsp.commands then
    return
  end
  vim.lsp.commands["dfls.schedule"] = function(_, ctx)
    M.schedule({ "list" }, ctx and ctx.bufnr)
  end
  vim.lsp.commands["dfls.list"] = function(_, ctx)
    M.list(ctx and ctx.bufnr)
  end
  vim.lsp.commands["dfls.parameters"] = function(_, ctx)
    M.parameters(nil, ctx and ctx.bufnr)
  end
end

register_lens_commands()

return M
