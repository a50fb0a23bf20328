-- dfls: the user commands. They need a dfls client attached to the current buffer (require("dfls").setup()).
if vim.g.loaded_dfls then
  return
end
vim.g.loaded_dfls = 1

for _, c in ipairs(require("dfls").commands) do
  vim.api.nvim_create_user_command(c.name, function()
    require("dfls").execute(c.command)
  end, { nargs = 0 })
end

vim.api.nvim_create_user_command("DflsList", function()
  require("dfls").list()
end, { nargs = 0 })
vim.api.nvim_create_user_command("DflsParameters", function(args)
  require("dfls").parameters(args.args)
end, { nargs = "?" })
vim.api.nvim_create_user_command("DflsSchedule", function(args)
  require("dfls").schedule(args.fargs)
end, {
  nargs = "*",
  complete = function(lead, line)
    local words = vim.split(line, "%s+")
    local candidates = #words <= 2 and { "list", "add", "set", "remove", "enable", "disable" }
      or { "--every", "--daily", "--weekly", "--monthly", "--at", "--every-months", "--start", "--end",
           "--time-zone", "--job", "--disabled", "--to-folder" }
    return vim.tbl_filter(function(c)
      return c:sub(1, #lead) == lead
    end, candidates)
  end,
})
