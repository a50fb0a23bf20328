; Power Query M: indentation for Helix (`@indent`, `@outdent`), written for Helix because its indent captures
; differ from nvim-treesitter's (grammars/tree-sitter-powerquery/queries/indents.scm); same layout:
;
;   shared Query = let          if x > 1 then       Table.AddColumn(
;     Source = ...,               "big"               Source,
;     Result = [                else                  "Name"
;       A = 1                     "small"           )
;     ]
;   in
;     Result;

[
  (section_member)
  (let_expression)
  (if_expression)
  (try_expression)
  (record_expression)
  (record_type)
  (list_expression)
  (list_type)
  (argument_list)
  (parameter_list)
  (parenthesized_expression)
  (function_type)
] @indent

; `in` lines up with its `let`; `else` with its `if`; closing brackets with the line that opened them.
(let_expression
  "in" @outdent)

(if_expression
  "else" @outdent)

[
  ")"
  "]"
  "}"
] @outdent
