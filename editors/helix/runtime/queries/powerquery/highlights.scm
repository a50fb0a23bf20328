; GENERATED from grammars/tree-sitter-powerquery/queries/ by tests/tools/queries.rs (DFLS_BLESS=1): do not edit.
; Capture names translated to Helix's; Helix, like Neovim, lets the later of two patterns win.

; Power Query M: syntax highlighting.
;
; Capture names follow nvim-treesitter's standard set (which Helix themes also understand, falling back
; from `a.b.c` to `a.b` and `a`). Patterns go from general to specific: when several patterns capture the
; same node, the LATER one wins, as in Neovim and tree-sitter-highlight 0.25. (Editors where the first match
; wins need the sections below in reverse order.)
;
; Text escapes (`#(cr,lf)`) are part of the single `text_literal` token, so there is no @string.escape.

; ----------------------------------------------------------------------------------------------------------
; Names

(identifier) @variable

(quoted_identifier) @variable

((identifier) @variable.builtin
  (#eq? @variable.builtin "_"))

(intrinsic_identifier) @function.builtin

((intrinsic_identifier) @variable.builtin
  (#any-of? @variable.builtin "#shared" "#sections"))

; Library type values: Int64.Type, Currency.Type, Text.Type, ...
; (Regular expressions here stay within what both Rust's regex and Vim's `magic` syntax read alike.)
((identifier) @type
  (#match? @type "\\.Type$"))

; Members of the standard library's enumerations: JoinKind.LeftOuter, Order.Descending, ...
((identifier) @constant.builtin
  (#any-of? @constant.builtin
    "AccessControlKind.Allow" "AccessControlKind.Deny" "BinaryEncoding.Base64" "BinaryEncoding.Hex"
    "BinaryOccurrence.Optional" "BinaryOccurrence.Repeating" "BinaryOccurrence.Required" "BufferMode.Delayed"
    "BufferMode.Eager" "ByteOrder.BigEndian" "ByteOrder.LittleEndian" "Compression.Brotli"
    "Compression.Deflate" "Compression.GZip" "Compression.LZ4" "Compression.None" "Compression.Snappy"
    "Compression.Zstandard" "CryptoAlgorithm.SHA1" "CryptoAlgorithm.SHA256" "CsvStyle.QuoteAfterDelimiter"
    "CsvStyle.QuoteAlways" "Day.Friday" "Day.Monday" "Day.Saturday" "Day.Sunday" "Day.Thursday" "Day.Tuesday"
    "Day.Wednesday" "ExtraValues.Error" "ExtraValues.Ignore" "ExtraValues.List" "GroupKind.Global"
    "GroupKind.Local" "JoinAlgorithm.Dynamic" "JoinAlgorithm.LeftHash" "JoinAlgorithm.LeftIndex"
    "JoinAlgorithm.PairwiseHash" "JoinAlgorithm.RightHash" "JoinAlgorithm.RightIndex"
    "JoinAlgorithm.SortMerge" "JoinKind.FullOuter" "JoinKind.Inner" "JoinKind.LeftAnti" "JoinKind.LeftOuter"
    "JoinKind.LeftSemi" "JoinKind.RightAnti" "JoinKind.RightOuter" "JoinKind.RightSemi" "JoinSide.Left"
    "JoinSide.Right" "LimitClauseKind.AnsiSql2008" "LimitClauseKind.Limit" "LimitClauseKind.LimitOffset"
    "LimitClauseKind.None" "LimitClauseKind.Top" "MissingField.Error" "MissingField.Ignore"
    "MissingField.UseNull" "OAuth1.HMACSHA1" "OAuth1.RSASHA1" "ODataOmitValues.Nulls" "Occurrence.All"
    "Occurrence.First" "Occurrence.Last" "Occurrence.Optional" "Occurrence.Repeating" "Occurrence.Required"
    "Order.Ascending" "Order.Descending" "PercentileMode.ExcelExc" "PercentileMode.ExcelInc"
    "PercentileMode.SqlCont" "PercentileMode.SqlDisc" "Precision.Decimal" "Precision.Double" "QuoteStyle.Csv"
    "QuoteStyle.None" "RankKind.Competition" "RankKind.Dense" "RankKind.Ordinal" "RelativePosition.FromEnd"
    "RelativePosition.FromStart" "RoundingMode.AwayFromZero" "RoundingMode.Down" "RoundingMode.ToEven"
    "RoundingMode.TowardZero" "RoundingMode.Up" "SapBusinessWarehouseExecutionMode.BasXml"
    "SapBusinessWarehouseExecutionMode.BasXmlGzip" "SapBusinessWarehouseExecutionMode.DataStream"
    "SapHanaDistribution.All" "SapHanaDistribution.Connection" "SapHanaDistribution.Off"
    "SapHanaDistribution.Statement" "SapHanaRangeOperator.Equals" "SapHanaRangeOperator.GreaterThan"
    "SapHanaRangeOperator.GreaterThanOrEquals" "SapHanaRangeOperator.LessThan"
    "SapHanaRangeOperator.LessThanOrEquals" "SapHanaRangeOperator.NotEquals" "TextEncoding.Ascii"
    "TextEncoding.BigEndianUnicode" "TextEncoding.Unicode" "TextEncoding.Utf16" "TextEncoding.Utf8"
    "TextEncoding.Windows" "TraceLevel.Critical" "TraceLevel.Error" "TraceLevel.Information"
    "TraceLevel.Verbose" "TraceLevel.Warning" "WebMethod.Delete" "WebMethod.Get" "WebMethod.Head"
    "WebMethod.Patch" "WebMethod.Post" "WebMethod.Put"))

; Sections and section access: `section Section1;`, `Library!Member`
(section
  name: (_) @namespace)

(section_access
  section: (_) @namespace)

; Parameters
(parameter
  name: (_) @variable.parameter)

(parameter_specification
  name: (_) @variable.parameter)

(catch_clause
  parameter: (_) @variable.parameter)

; Field names: record fields, field specifications, field access and projections
(generalized_identifier) @variable.other.member

(record_field
  name: (quoted_identifier) @variable.other.member)

(field_specification
  name: (quoted_identifier) @variable.other.member)

(field_access
  field: (quoted_identifier) @variable.other.member)

(implicit_field_access
  field: (quoted_identifier) @variable.other.member)

(field_selector
  field: (quoted_identifier) @variable.other.member)

; Names bound to functions
(binding
  name: (_) @function
  value: (function_expression))

(section_member
  name: (_) @function
  value: (function_expression))

; Calls
(invoke_expression
  function: [
    (identifier)
    (quoted_identifier)
  ] @function)

(invoke_expression
  function: (inclusive_identifier
    name: (_) @function))

(invoke_expression
  function: (section_access
    member: (_) @function))

(invoke_expression
  function: (field_access
    field: (_) @function.method))

; ----------------------------------------------------------------------------------------------------------
; Types

(primitive_type) @type.builtin

(table_type
  "table" @type.builtin)

(function_type
  "function" @type.builtin)

; Names and quoted names used as types: `type {Int64.Type}`, `type table [A = _t]`, `type table RowType`
(type_expression
  type: [
    (identifier)
    (quoted_identifier)
  ] @type)

(nullable_type
  type: [
    (identifier)
    (quoted_identifier)
  ] @type)

(list_type
  item: [
    (identifier)
    (quoted_identifier)
  ] @type)

(table_type
  row: [
    (identifier)
    (quoted_identifier)
  ] @type)

(field_specification
  type: [
    (identifier)
    (quoted_identifier)
  ] @type)

(parameter_specification
  type: [
    (identifier)
    (quoted_identifier)
  ] @type)

(function_type
  return_type: [
    (identifier)
    (quoted_identifier)
  ] @type)

; ----------------------------------------------------------------------------------------------------------
; Attributes: the field names of the literal attribute records on sections and section members

(section
  attributes: (record_expression
    field: (record_field
      name: (_) @attribute)))

(section_member
  attributes: (record_expression
    field: (record_field
      name: (_) @attribute)))

; ----------------------------------------------------------------------------------------------------------
; Literals

(number_literal) @constant.numeric

(number_constant) @constant.builtin

(text_literal) @string

(verbatim_literal) @string.special

(logical_literal) @constant.builtin.boolean

(null_literal) @constant.builtin

; ----------------------------------------------------------------------------------------------------------
; Keywords

[
  "let"
  "in"
  "section"
] @keyword

; `type` introduces a type value; inside `type type` the second one is a primitive type
(type_expression
  "type" @keyword)

[
  "shared"
  "optional"
  "nullable"
] @keyword.storage.modifier

[
  "if"
  "then"
  "else"
] @keyword.control.conditional

"each" @keyword.function

[
  "try"
  "otherwise"
  "catch"
  "error"
] @keyword.control.exception

[
  "and"
  "or"
  "not"
  "meta"
  "as"
  "is"
] @keyword.operator

; ----------------------------------------------------------------------------------------------------------
; Operators and punctuation

[
  "+"
  "-"
  "*"
  "/"
  "&"
  "="
  "<>"
  "<"
  "<="
  ">"
  ">="
  "??"
  "=>"
  ".."
  "!"
  "@"
  "?"
] @operator

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  ","
  ";"
] @punctuation.delimiter

; `...`: the open-record marker and the not-implemented expression
"..." @punctuation.special

(not_implemented) @punctuation.special

; ----------------------------------------------------------------------------------------------------------
; Comments

(comment) @comment
