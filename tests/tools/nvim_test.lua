-- Run by tests/tools/nvim.rs in a real headless Neovim whose init (see there) is only
--   vim.opt.rtp:prepend(<editors/nvim>); require("dfls").setup({ cmd = { <dfls>, "lsp" } })
-- with the broken `mashup.pq` of a copied example item as the file argument, in a workspace whose dfls.toml
-- names a `dfls emulator` that the test started. Ends with `qall!` on success and
-- `cquit 1` (after printing why) on failure.

local function find(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  error("no " .. needle .. " in the buffer")
end

local function run()
  local dfls = require("dfls")
  local expect = os.getenv("DFLS_TEST_EXPECT_MODE")
  assert(dfls.mode == expect, "the plugin set the server up with " .. tostring(dfls.mode) .. ", not " .. expect)
  io.stderr:write("set-up: " .. dfls.mode .. "\n")

  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.bo[bufnr].filetype == "powerquery", "filetype: " .. vim.bo[bufnr].filetype)
  assert(vim.fn.exists(":DflsPush") == 2, "no :DflsPush command")
  assert(vim.wait(15000, function() return dfls.client(bufnr) ~= nil end, 20), "no dfls client attached")
  local client = dfls.client(bufnr)
  local root = vim.fn.fnamemodify(os.getenv("DFLS_TEST_ROOT"), ":p"):gsub("/$", "")
  assert(client.config.root_dir == root, "root_dir " .. tostring(client.config.root_dir) .. ", not " .. root)

  -- Tree-sitter (Neovim 0.11 with the grammar's parser built): the plugin's queries load, highlighting runs.
  if os.getenv("DFLS_TEST_TREESITTER") == "1" then
    for _, name in ipairs({ "highlights", "folds", "indents", "locals", "textobjects" }) do
      local ok, query = pcall(vim.treesitter.query.get, "powerquery", name)
      assert(ok and query, "the " .. name .. " query does not load: " .. tostring(query))
    end
    assert(vim.treesitter.highlighter.active[bufnr], "tree-sitter highlighting did not start")
    vim.treesitter.get_parser(bufnr, "powerquery"):parse(true)
    local row, col = find(bufnr, "shared Customers = let")
    local names = {}
    for _, capture in ipairs(vim.treesitter.get_captures_at_pos(bufnr, row, col)) do
      table.insert(names, capture.capture)
    end
    assert(vim.tbl_contains(names, "keyword.modifier"), "`shared` is captured as " .. table.concat(names, ","))
    io.stderr:write("tree-sitter: queries load, `shared` is @" .. table.concat(names, " @") .. "\n")
  end

  -- Diagnostics: the misspelt query name.
  local bad_line = find(bufnr, '#"Raw Ordrs"')
  local function codes()
    local all = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      table.insert(all, tostring(code) .. "@" .. d.lnum)
    end
    return table.concat(all, ",")
  end
  local seen = vim.wait(30000, function() return codes():find("M201@" .. bad_line, 1, true) ~= nil end, 50)
  assert(seen, "no M201 on line " .. bad_line .. " within 30 s; diagnostics: " .. codes())
  io.stderr:write("diagnostics: " .. codes() .. "\n")

  -- Completion at the end of `shared Extra = Table.AddCol`.
  local last = vim.api.nvim_buf_line_count(bufnr) - 1
  local text = vim.api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1]
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = last, character = #text } }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, 30000)
  assert(responses, "no completion response")
  local found = false
  for _, response in pairs(responses) do
    assert(not response.err, "completion failed: " .. vim.inspect(response.err))
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do
      found = found or item.label == "Table.AddColumn"
    end
  end
  assert(found, "no Table.AddColumn among the completions")
  io.stderr:write("completion: Table.AddColumn\n")

  -- Go to definition, as the user does it: from a use of the step `#"Filtered rows"` (the first argument of
  -- Table.TransformColumnTypes, on its own line) to its binding.
  local use_line, use_col = find(bufnr, '    #"Filtered rows",')
  use_col = use_col + 4 + 3
  local def_line = find(bufnr, '  #"Filtered rows" = ')
  vim.api.nvim_win_set_cursor(0, { use_line + 1, use_col })
  vim.lsp.buf.definition()
  local jumped = vim.wait(15000, function() return vim.api.nvim_win_get_cursor(0)[1] == def_line + 1 end, 20)
  assert(jumped, "go to definition left the cursor at " .. vim.inspect(vim.api.nvim_win_get_cursor(0)))
  io.stderr:write("definition: line " .. (def_line + 1) .. "\n")

  -- The REST commands, run as the user runs them, against the `dfls emulator` that the workspace's dfls.toml
  -- names (target `test`, jobs of 0.3 s). Every message the user would see is kept.
  local messages = {}
  vim.notify = function(message)
    table.insert(messages, message)
  end
  local function shown(needle)
    local found
    vim.wait(20000, function()
      for _, m in ipairs(messages) do
        if m:find(needle, 1, true) then
          found = m
          return true
        end
      end
      return false
    end, 20)
    assert(found, "no message with " .. needle .. "; got " .. vim.inspect(messages))
    return found
  end

  -- The item has errors: the server refuses to push it, and the plugin shows why.
  vim.cmd("DflsPush")
  local refused = shown("dfls: Push failed: ")
  assert(refused:find("it was not pushed", 1, true), refused)
  io.stderr:write("push refused: " .. refused .. "\n")

  -- Fixed (the misspelt name, the unfinished last query) and saved, it is created on the target.
  local fixed = {}
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if not line:find("shared Extra = Table.AddCol", 1, true) then
      table.insert(fixed, (line:gsub('#"Raw Ordrs"', '#"Raw Orders"')))
    end
  end
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, fixed)
  vim.cmd("silent write")
  vim.cmd("DflsPush")
  local created = shown("dfls: Push: created `Sales Orders` (")
  assert(created:find("(target `test`)", 1, true), created)
  io.stderr:write("push: " .. created .. "\n")

  -- The Dataflow commands: the workspace's Dataflows and the item's parameters in scratch buffers, a refresh
  -- schedule added with the command line's words and then listed, and the "Next refresh" code lens.
  local function scratch(name, needle)
    local found
    vim.wait(20000, function()
      local b = vim.fn.bufnr("dfls://" .. name)
      if b == -1 then
        return false
      end
      local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
      if text:find(needle, 1, true) then
        found = text
        return true
      end
      return false
    end, 20)
    assert(found, "no " .. needle .. " in dfls://" .. name .. "; " .. vim.inspect(messages))
    return found
  end
  vim.cmd("DflsList")
  io.stderr:write("list: " .. scratch("Dataflows", "Sales Orders  (") .. "\n")
  assert(vim.api.nvim_get_current_buf() == bufnr, "the scratch buffer took the cursor")
  vim.cmd("DflsParameters")
  io.stderr:write("parameters: " .. scratch("Parameters", "Region: String, optional") .. "\n")
  vim.cmd("DflsSchedule add --daily 08:00 --time-zone Europe/Paris")
  io.stderr:write("schedule: " .. shown("dfls: Schedules: `Sales Orders`: ") .. "\n")
  vim.cmd("DflsSchedule")
  io.stderr:write("schedules: " .. scratch("Schedules", "daily at 08:00 (Romance Standard Time), next ") .. "\n")
  local lens
  vim.wait(20000, function()
    vim.lsp.codelens.refresh()
    for _, l in ipairs(vim.lsp.codelens.get(bufnr) or {}) do
      if l.command and l.command.title:find("Next refresh", 1, true) then
        lens = l.command.title
        return true
      end
    end
    return false
  end, 300)
  assert(lens, "no Next refresh code lens: " .. vim.inspect(vim.lsp.codelens.get(bufnr)))
  io.stderr:write("code lens: " .. lens .. "\n")
  local wrong, why = dfls.schedule_options({ "pause" })
  assert(wrong == nil and why:find("not a schedule action", 1, true), tostring(why))

  -- Refresh: the answer at once, then the job's states as dfls/jobStatus notifications up to Completed, in the
  -- plugin's job and status line, and the server's message at the end.
  vim.cmd("DflsRefresh")
  local started = shown("dfls: Refresh: refresh of `Sales Orders` started on target `test` (job ")
  io.stderr:write("refresh: " .. started .. "\n")
  local completed = vim.wait(20000, function()
    return dfls.job ~= nil and dfls.job.status == "Completed"
  end, 20)
  assert(completed, "no Completed job status; the last: " .. vim.inspect(dfls.job) .. "; " .. vim.inspect(messages))
  assert(dfls.job.item == "Sales Orders" and dfls.job.jobType == "Execute", vim.inspect(dfls.job))
  assert(type(dfls.job.jobId) == "string" and type(dfls.job.endTime) == "string", vim.inspect(dfls.job))
  assert(dfls.statusline() == "dfls: Sales Orders Execute Completed", dfls.statusline())
  shown("dfls: Sales Orders Execute: Completed")
  io.stderr:write("job status: " .. dfls.statusline() .. "\n")
  io.stderr:write("refresh: " .. shown("dfls: Refresh `Sales Orders`: Completed") .. "\n")

  -- The JSON parts of the item get the server; other JSON files do not.
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("DFLS_TEST_ITEM") .. "/.platform"))
  local platform = vim.api.nvim_get_current_buf()
  assert(vim.bo[platform].filetype == "json", ".platform filetype: " .. vim.bo[platform].filetype)
  assert(vim.wait(15000, function() return dfls.client(platform) ~= nil end, 20), "no dfls client on .platform")
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("DFLS_TEST_ROOT") .. "/package.json"))
  local other = vim.api.nvim_get_current_buf()
  vim.wait(300)
  assert(dfls.client(other) == nil, "dfls attached to an unrelated JSON file")
  io.stderr:write("json: .platform attached, package.json not\n")
end

local ok, err = pcall(run)
if ok then
  vim.cmd("qall!")
else
  io.stderr:write("FAILED: " .. tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
