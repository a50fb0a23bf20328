; Power Query M: indentation (nvim-treesitter conventions: @indent.begin, @indent.branch, @indent.end,
; @indent.auto). The layout it produces:
;
;   shared Query = let          if x > 1 then       try                 Table.AddColumn(
;     Source = ...,               "big"               Source              Source,
;     Result = [                else                otherwise             "Name"
;       A = 1                     "small"             null              )
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
] @indent.begin

; `in` lines up with its `let`; the body after it is indented again.
(let_expression
  "in" @indent.branch)

(if_expression
  [
    "then"
    "else"
  ] @indent.branch)

(try_expression
  handler: (_) @indent.branch)

; Closing brackets line up with the line that opened them.
[
  ")"
  "]"
  "}"
] @indent.branch @indent.end

; Multi-line text and block comments keep the indentation the user gave them.
[
  (text_literal)
  (quoted_identifier)
  (comment)
] @indent.auto
