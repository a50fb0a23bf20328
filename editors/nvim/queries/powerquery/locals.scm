; Power Query M: scopes, definitions and references (nvim-treesitter and tree-sitter-highlight conventions).
;
; Let bindings, record fields and section members are mutually recursive in M: every name is visible in its
; whole scope, also before its definition. `each` binds `_` without a node for it.

; ----------------------------------------------------------------------------------------------------------
; Scopes

[
  (section)
  (let_expression)
  (function_expression)
  (each_expression)
  (catch_clause)
  (record_expression)
] @local.scope

; ----------------------------------------------------------------------------------------------------------
; Definitions

(section_member
  name: (_) @local.definition)

(binding
  name: (_) @local.definition)

(parameter
  name: (_) @local.definition)

(catch_clause
  parameter: (_) @local.definition)

; Record fields can refer to their sibling fields by name: [A = 1, B = A + 1]
(record_expression
  field: (record_field
    name: (_) @local.definition))

; ----------------------------------------------------------------------------------------------------------
; References

(inclusive_identifier
  name: (_) @local.reference)

(identifier) @local.reference

(quoted_identifier) @local.reference
