; Power Query M: text objects (nvim-treesitter-textobjects conventions; `#make-range!` joins two nodes).

; ----------------------------------------------------------------------------------------------------------
; Functions: `(x) => ...` and `each ...`

(function_expression
  body: (_) @function.inner) @function.outer

(each_expression
  body: (_) @function.inner) @function.outer

; Names bound to functions count as the whole definition.
(binding
  value: (function_expression)) @function.outer

(section_member
  value: (function_expression)) @function.outer

; ----------------------------------------------------------------------------------------------------------
; Parameters and arguments, with their separating comma in the outer object

(parameter_list
  "," @_start
  .
  (parameter) @parameter.inner
  (#make-range! "parameter.outer" @_start @parameter.inner))

(parameter_list
  .
  (parameter) @parameter.inner
  .
  ","? @_end
  (#make-range! "parameter.outer" @parameter.inner @_end))

(function_type
  "," @_start
  .
  (parameter_specification) @parameter.inner
  (#make-range! "parameter.outer" @_start @parameter.inner))

(function_type
  "("
  .
  (parameter_specification) @parameter.inner
  .
  ","? @_end
  (#make-range! "parameter.outer" @parameter.inner @_end))

(argument_list
  "," @_start
  .
  argument: (_) @parameter.inner
  (#make-range! "parameter.outer" @_start @parameter.inner))

(argument_list
  .
  "("
  .
  argument: (_) @parameter.inner
  .
  ","? @_end
  (#make-range! "parameter.outer" @parameter.inner @_end))

; ----------------------------------------------------------------------------------------------------------
; Calls

(invoke_expression) @call.outer

(invoke_expression
  arguments: (argument_list
    .
    "("
    .
    (_) @_start
    (_)? @_end
    .
    ")"
    (#make-range! "call.inner" @_start @_end)))

; ----------------------------------------------------------------------------------------------------------
; Blocks, conditionals, statements

(let_expression) @block.outer

(let_expression
  body: (_) @block.inner)

(record_expression) @block.outer

(if_expression) @conditional.outer

(if_expression
  consequence: (_) @conditional.inner)

(if_expression
  alternative: (_) @conditional.inner)

(section_member) @statement.outer

; ----------------------------------------------------------------------------------------------------------
; Assignments: let bindings, record fields and section members

(binding
  name: (_) @assignment.lhs
  value: (_) @assignment.inner @assignment.rhs) @assignment.outer

(record_field
  name: (_) @assignment.lhs
  value: (_) @assignment.inner @assignment.rhs) @assignment.outer

(section_member
  name: (_) @assignment.lhs
  value: (_) @assignment.inner @assignment.rhs) @assignment.outer

; ----------------------------------------------------------------------------------------------------------
; Comments and numbers

(comment) @comment.outer

(number_literal) @number.inner
