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
