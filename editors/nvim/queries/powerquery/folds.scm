; Power Query M: foldable regions (nvim-treesitter's @fold; Helix and Zed use the same capture name).

[
  (let_expression)
  (if_expression)
  (try_expression)
  (record_expression)
  (record_type)
  (list_expression)
  (list_type)
  (argument_list)
  (parameter_list)
  (function_type)
  (section_member)
] @fold

; Block comments only: a line comment is one line.
((comment) @fold
  (#match? @fold "^/\\*"))
