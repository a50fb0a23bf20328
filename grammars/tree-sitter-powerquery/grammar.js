/**
 * @file Power Query M grammar for tree-sitter
 * @license MIT
 *
 * The grammar follows the M language specification's consolidated grammar and operator precedence table,
 * widened where the real engine (and real Dataflow Gen2 code) is more lenient than the specification:
 * several sections in one document, section access `A!B`, verbatim literals `#!"..."`.
 *
 * Lexical problems are tolerated by the tokens themselves so that one bad token never derails the parse:
 * text literals, quoted identifiers and block comments may be unterminated (they then run to the end of
 * the file), number literals swallow trailing letters and digits (`1e`, `0xZZ`, `12abc`), and names take
 * in any non-ASCII character but whitespace. The dfls syntax layer reports those tokens as lexical
 * diagnostics; everything else parses normally.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Binding strength, from the loosest to the tightest (m-spec-operators.md, highest last).
const PREC = {
  coalesce: 1,
  or: 2,
  and: 3,
  is: 4,
  as: 5,
  equality: 6,
  relational: 7,
  additive: 8,
  multiplicative: 9,
  meta: 10,
  unary: 11,
  postfix: 12,
};

// Identifier characters, deliberately wider than the specification's identifier-start-character and
// identifier-part-character (Unicode letters, and digits, connectors, combining and formatting marks):
// any character but ASCII punctuation and whitespace. Testing each character of each name against the
// hundreds of ranges of the Unicode letter classes was a tenth of the parse time; the dfls syntax layer
// checks the rare names that hold a non-ASCII character M does not allow (`a→b`, `“hi”`), as it checks
// numbers. Generalized identifiers (the scanner) are lenient in the same way.
const IDENT_START = /[^\x00-\x40\x5B-\x5E\x60\x7B-\x7F\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/;
const IDENT_PART = /[^\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/;

// Text-like bodies: anything but a quote, or a doubled quote; may span lines.
const QUOTED_BODY = repeat(choice(/[^"]/, '""'));

const PRIMITIVE_TYPES = [
  'any', 'anynonnull', 'binary', 'date', 'datetime', 'datetimezone', 'duration', 'function', 'list',
  'logical', 'none', 'null', 'number', 'record', 'table', 'text', 'time', 'type',
];

/**
 * Zero or more `rule`s separated by commas.
 * @param {RuleOrLiteral} rule
 */
function commaSep(rule) {
  return optional(commaSep1(rule));
}

/**
 * One or more `rule`s separated by commas.
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)));
}

module.exports = grammar({
  name: 'powerquery',

  // Whitespace as the specification defines it: Unicode class Zs, TAB, VT, FF and the newlines CR, LF,
  // U+0085, U+2028, U+2029 (tree-sitter's `\s` is ASCII only), the byte-order mark, and comments.
  extras: $ => [/[\t-\r\p{Zs}\u0085\u2028\u2029]/, '\uFEFF', $.comment],

  externals: $ => [
    // A field name inside `[...]`: parts separated only by spaces, each part may be a keyword, contain
    // dots or start with a digit (`[Order Date]`, `[if]`, `[Column 1]`). Context-sensitive, so scanned.
    $.generalized_identifier,
    // Never produced; valid only while the parser recovers from an error, which the scanner detects.
    $._error_sentinel,
    // The `optional` keyword is still lexed by the internal lexer; listing it here only tells the scanner
    // whether the keyword may come next, which is true in record types (`[optional Name = text]`) and
    // false in record expressions and field access, where `optional Name` is one generalized identifier.
    'optional',
    // Zero-width markers that decide, by looking ahead, what plain LR(1) parsing cannot without forking:
    // `(` starts a function's parameter list (`(x as number) => ...`) rather than a parenthesized
    // expression, and a `[...]` record after a section's members is the attributes of the next section
    // rather than of the next member. Without them the parser splits its stack at every such point and
    // marks the nodes built meanwhile as fragile, which incremental reparsing cannot reuse.
    $._function_start,
    $._section_attributes_start,
  ],

  word: $ => $.identifier,

  // Hidden helpers that would otherwise each leave one more (invisible) node and one more reduction per
  // use; inlining them makes parsing measurably faster without changing any visible tree.
  inline: $ => [$._name_expression, $._field_selector, $._projection_selector],

  // No `supertypes`: a supertype keeps a hidden node around every expression, and those unit reductions
  // cost a quarter of the parse time.

  // No conflicts: the grammar is LR(1) with the help of the scanner's markers, so the parser never forks.
  conflicts: _ => [],

  rules: {
    // The specification deletes a Control-Z (U+001A) that is the last character of a document, an
    // end-of-file marker that old editors add; anywhere else it is an error.
    source_file: $ => seq(
      optional(choice(
        repeat1($.section),
        $._expression,
      )),
      optional($._end_of_file_marker),
    ),

    _end_of_file_marker: _ => '\x1A',

    // ---------------------------------------------------------------------------------------------------
    // Section documents

    section: $ => seq(
      optional(seq($._section_attributes_start, field('attributes', $.record_expression))),
      'section',
      field('name', $._name),
      ';',
      repeat(field('member', $.section_member)),
    ),

    section_member: $ => seq(
      optional(field('attributes', $.record_expression)),
      optional(field('shared', 'shared')),
      field('name', $._name),
      '=',
      field('value', $._expression),
      ';',
    ),

    // ---------------------------------------------------------------------------------------------------
    // Expressions

    _expression: $ => choice(
      $.let_expression,
      $.if_expression,
      $.each_expression,
      $.function_expression,
      $.error_expression,
      $.try_expression,
      $.binary_expression,
      $.as_expression,
      $.is_expression,
      $.meta_expression,
      $.unary_expression,
      $.type_expression,
      $._postfix_expression,
    ),

    let_expression: $ => prec.right(seq(
      'let',
      commaSep1(field('binding', $.binding)),
      'in',
      field('body', $._expression),
    )),

    binding: $ => seq(
      field('name', $._name),
      '=',
      field('value', $._expression),
    ),

    if_expression: $ => prec.right(seq(
      'if',
      field('condition', $._expression),
      'then',
      field('consequence', $._expression),
      'else',
      field('alternative', $._expression),
    )),

    each_expression: $ => prec.right(seq(
      'each',
      field('body', $._expression),
    )),

    function_expression: $ => prec.right(seq(
      $._function_start,
      field('parameters', $.parameter_list),
      optional(seq('as', field('return_type', $._nullable_primitive_type))),
      '=>',
      field('body', $._expression),
    )),

    parameter_list: $ => seq('(', commaSep(field('parameter', $.parameter)), ')'),

    parameter: $ => seq(
      optional(field('optional', 'optional')),
      field('name', $._name),
      optional(seq('as', field('type', $._nullable_primitive_type))),
    ),

    error_expression: $ => prec.right(seq(
      'error',
      field('value', $._expression),
    )),

    try_expression: $ => prec.right(seq(
      'try',
      field('body', $._expression),
      optional(field('handler', choice($.otherwise_clause, $.catch_clause))),
    )),

    otherwise_clause: $ => seq('otherwise', field('value', $._expression)),

    catch_clause: $ => seq(
      'catch',
      '(',
      optional(field('parameter', $._name)),
      ')',
      '=>',
      field('body', $._expression),
    ),

    binary_expression: $ => {
      /** @type {[string, number][]} */
      const table = [
        ['??', PREC.coalesce],
        ['or', PREC.or],
        ['and', PREC.and],
        ['=', PREC.equality],
        ['<>', PREC.equality],
        ['<', PREC.relational],
        ['>', PREC.relational],
        ['<=', PREC.relational],
        ['>=', PREC.relational],
        ['+', PREC.additive],
        ['-', PREC.additive],
        ['&', PREC.additive],
        ['*', PREC.multiplicative],
        ['/', PREC.multiplicative],
      ];
      return choice(...table.map(([operator, precedence]) => prec.left(precedence, seq(
        field('left', $._expression),
        field('operator', operator),
        field('right', $._expression),
      ))));
    },

    as_expression: $ => prec.left(PREC.as, seq(
      field('value', $._expression),
      'as',
      field('type', $._nullable_primitive_type),
    )),

    is_expression: $ => prec.left(PREC.is, seq(
      field('value', $._expression),
      'is',
      field('type', $._nullable_primitive_type),
    )),

    meta_expression: $ => prec.left(PREC.meta, seq(
      field('value', $._expression),
      'meta',
      field('metadata', $._expression),
    )),

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('+', '-', 'not')),
      field('operand', $._expression),
    )),

    type_expression: $ => prec(PREC.unary, seq(
      'type',
      field('type', $._type),
    )),

    _postfix_expression: $ => choice(
      $.invoke_expression,
      $.item_access,
      $.field_access,
      $.projection,
      $._primary_expression,
    ),

    invoke_expression: $ => prec(PREC.postfix, seq(
      field('function', $._expression),
      field('arguments', $.argument_list),
    )),

    argument_list: $ => seq('(', commaSep(field('argument', $._expression)), ')'),

    item_access: $ => prec(PREC.postfix, seq(
      field('collection', $._expression),
      '{',
      field('key', $._expression),
      '}',
      optional(field('optional', '?')),
    )),

    field_access: $ => prec(PREC.postfix, seq(
      field('record', $._expression),
      $._field_selector,
    )),

    projection: $ => prec(PREC.postfix, seq(
      field('record', $._expression),
      $._projection_selector,
    )),

    // `[Field]` and `[[A], [B]]` with no target mean `_[Field]` and `_[[A], [B]]`.
    implicit_field_access: $ => $._field_selector,

    implicit_projection: $ => $._projection_selector,

    _field_selector: $ => seq(
      '[',
      field('field', $._field_name),
      ']',
      optional(field('optional', '?')),
    ),

    _projection_selector: $ => seq(
      '[',
      commaSep1(field('selector', $.field_selector)),
      ']',
      optional(field('optional', '?')),
    ),

    field_selector: $ => $._field_selector,

    _primary_expression: $ => choice(
      $._literal,
      $._name_expression,
      $.inclusive_identifier,
      $.section_access,
      $.intrinsic_identifier,
      $.parenthesized_expression,
      $.list_expression,
      $.record_expression,
      $.implicit_field_access,
      $.implicit_projection,
      $.not_implemented,
    ),

    _name_expression: $ => choice($.identifier, $.quoted_identifier),

    inclusive_identifier: $ => seq('@', field('name', $._name)),

    section_access: $ => seq(
      field('section', $._name),
      '!',
      field('member', $._name),
    ),

    intrinsic_identifier: _ => choice(
      '#binary', '#date', '#datetime', '#datetimezone', '#duration', '#table', '#time',
      '#shared', '#sections',
    ),

    parenthesized_expression: $ => seq('(', field('expression', $._expression), ')'),

    list_expression: $ => seq(
      '{',
      commaSep(field('item', choice($._expression, $.range))),
      '}',
    ),

    range: $ => seq(
      field('start', $._expression),
      '..',
      field('end', $._expression),
    ),

    record_expression: $ => seq(
      '[',
      commaSep(field('field', $.record_field)),
      ']',
    ),

    record_field: $ => seq(
      field('name', $._field_name),
      '=',
      field('value', $._expression),
    ),

    not_implemented: _ => '...',

    // ---------------------------------------------------------------------------------------------------
    // Literals

    _literal: $ => choice(
      $.number_literal,
      $.number_constant,
      $.text_literal,
      $.verbatim_literal,
      $.logical_literal,
      $.null_literal,
    ),

    // Deliberately wide: trailing letters and digits belong to the (then invalid) literal, and hex digits
    // are checked later, so `1e` or `0xZZ` is one bad token instead of a number followed by a name.
    number_literal: _ => token(choice(
      /0[xX][0-9A-Za-z_]*/,
      /(\d+(\.\d+)?|\.\d+)([eE][+-]?)?[0-9A-Za-z_]*/,
    )),

    number_constant: _ => choice('#infinity', '#nan'),

    // Escapes (`#(cr,lf)`, `#(0041)`, `#(#)`) are checked by the syntax layer, not the lexer.
    text_literal: _ => token(seq('"', QUOTED_BODY, optional('"'))),

    verbatim_literal: _ => token(seq('#!"', QUOTED_BODY, optional('"'))),

    logical_literal: _ => choice('true', 'false'),

    null_literal: _ => 'null',

    // ---------------------------------------------------------------------------------------------------
    // Names

    _name: $ => choice($.identifier, $.quoted_identifier),

    _field_name: $ => choice($.generalized_identifier, $.quoted_identifier),

    // `Table.AddColumn` is one identifier: dots join parts, they are not member access.
    identifier: _ => token(seq(
      IDENT_START, repeat(IDENT_PART),
      repeat(seq('.', IDENT_START, repeat(IDENT_PART))),
    )),

    quoted_identifier: _ => token(seq('#"', QUOTED_BODY, optional('"'))),

    // ---------------------------------------------------------------------------------------------------
    // Types

    _type: $ => choice(
      $.primitive_type,
      $.nullable_type,
      $.record_type,
      $.list_type,
      $.function_type,
      $.table_type,
      $._type_reference,
    ),

    // Where the specification allows any primary expression as a type (`type := primary-expression |
    // primary-type`): names (`Int64.Type`, `_t`), section access, parentheses, and invocations of them
    // (`[Col = Value.Type(x)]`, `[Name = Type.TableColumn(T, "Name")]`). Records and lists in type positions
    // are record and list types, and literals are no types, so those primary expressions are left out; so
    // are item and field access (`Types{0}`, `Schema[A]`), rare in types, whose `{` and `[` would also start
    // a list or record type: with them, error recovery read some broken types one way when parsing afresh
    // and another when reparsing after an edit.
    //
    // The invocation is the same node as in expressions, built on a type reference rather than on any
    // expression: in a type, `null` and `type` stay the primitive types, never the start of an expression.
    _type_reference: $ => choice(
      $._name_expression,
      $.section_access,
      $.parenthesized_expression,
      alias($._type_invoke, $.invoke_expression),
    ),

    _type_invoke: $ => prec(PREC.postfix, seq(
      field('function', $._type_reference),
      field('arguments', $.argument_list),
    )),

    primitive_type: _ => choice(...PRIMITIVE_TYPES),

    nullable_type: $ => seq('nullable', field('type', $._type)),

    _nullable_primitive_type: $ => choice($.primitive_type, $.nullable_primitive_type),

    nullable_primitive_type: $ => seq('nullable', field('type', $.primitive_type)),

    record_type: $ => seq(
      '[',
      optional(choice(
        seq(commaSep1(field('field', $.field_specification)), optional(seq(',', field('open', '...')))),
        field('open', '...'),
      )),
      ']',
    ),

    field_specification: $ => seq(
      optional(field('optional', 'optional')),
      field('name', $._field_name),
      optional(seq('=', field('type', $._type))),
    ),

    list_type: $ => seq('{', field('item', $._type), '}'),

    // Shifting wins over reading `function` or `table` alone as a primitive type.
    function_type: $ => prec(1, seq(
      'function',
      '(',
      commaSep(field('parameter', $.parameter_specification)),
      ')',
      'as',
      field('return_type', $._type),
    )),

    parameter_specification: $ => seq(
      optional(field('optional', 'optional')),
      field('name', $._name),
      'as',
      field('type', $._type),
    ),

    table_type: $ => prec(1, seq(
      'table',
      field('row', choice($.record_type, $._type_reference)),
    )),

    // ---------------------------------------------------------------------------------------------------
    // Trivia

    // Block comments do not nest and may be unterminated (then they run to the end of the file).
    comment: _ => token(choice(
      seq('//', /[^\r\n\u0085\u2028\u2029]*/),
      seq('/*', /([^*]|\*+[^*/])*/, optional(/\*+\/?/)),
    )),
  },
});
