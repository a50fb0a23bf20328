; Power Query M: text objects for Helix (`mif`/`maf` functions, `mia`/`maa` parameters and arguments, `mic`/`mac`
; comments, `]f`/`[f` ... to move; and `entry` captures for record fields, list items and let bindings, as Helix's
; own queries write them), written for Helix because its capture names (`.inside`/`.around`) and its way to take a
; separator along differ from nvim-treesitter-textobjects' (grammars/tree-sitter-powerquery/queries/textobjects.scm,
; which uses `#make-range!`).

(function_expression
  body: (_) @function.inside) @function.around

(each_expression
  body: (_) @function.inside) @function.around

(parameter_list
  ((parameter) @parameter.inside . ","? @parameter.around) @parameter.around)

(function_type
  ((parameter_specification) @parameter.inside . ","? @parameter.around) @parameter.around)

(argument_list
  ((_) @parameter.inside . ","? @parameter.around) @parameter.around)

(comment) @comment.inside

(comment)+ @comment.around

(record_expression
  ((record_field) @entry.inside . ","? @entry.around) @entry.around)

(list_expression
  ((_) @entry.inside . ","? @entry.around) @entry.around)

(let_expression
  ((binding) @entry.inside . ","? @entry.around) @entry.around)
