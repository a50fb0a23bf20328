// External scanner for the Power Query M grammar.
//
// It scans one token, `generalized_identifier`: a field name inside `[...]` such as `Order Date`, `if`,
// `Column 1` or `Serialized.Text`. Its parts are separated only by spaces (U+0020), may be keywords, may
// contain dots and may start with a digit, so no context-free regular token can describe it without
// swallowing `optional` in a record type (`[optional Name = text]`). The rule here: where the grammar's
// `optional` keyword may come next (only in record types), a first part spelled `optional` and followed,
// after any whitespace and comments, by a field name (another part or a `#"quoted identifier"`) is left to
// that keyword. Elsewhere (record expressions, field access) `[optional Name]` is one generalized identifier.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>

enum TokenType {
  GENERALIZED_IDENTIFIER,
  ERROR_SENTINEL,
  OPTIONAL_KEYWORD,
};

void *tree_sitter_powerquery_external_scanner_create(void) { return NULL; }
void tree_sitter_powerquery_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_powerquery_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_powerquery_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static bool is_ascii_letter(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

// Non-ASCII characters are accepted as letters: the generalized identifier is only ever scanned inside
// brackets, where being lenient costs nothing and a real field name in any script must not be refused.
// The byte-order mark and Unicode whitespace are the exceptions.
static bool is_non_ascii_name_char(int32_t c) {
  return c >= 0x80 && c != 0xFEFF && c != 0x85 && c != 0xA0 && c != 0x1680 && !(c >= 0x2000 && c <= 0x200A) &&
         c != 0x2028 && c != 0x2029 && c != 0x202F && c != 0x205F && c != 0x3000;
}

static bool is_part_start(int32_t c) { return is_ascii_letter(c) || is_digit(c) || c == '_' || is_non_ascii_name_char(c); }
static bool is_part_char(int32_t c) { return is_part_start(c) || c == '.'; }
// Whitespace as the grammar's extras define it: TAB, LF, VT, FF, CR, Unicode class Zs, U+0085, U+2028,
// U+2029, and the byte-order mark.
static bool is_skippable_space(int32_t c) {
  return (c >= '\t' && c <= '\r') || c == ' ' || c == 0xFEFF || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Looks past whitespace and comments (without making them part of the token) and tells whether a field name
// follows: a generalized identifier part or a quoted identifier (`#"`, checked by its first character only).
static bool field_name_follows(TSLexer *lexer) {
  for (;;) {
    while (is_skippable_space(lexer->lookahead)) lexer->advance(lexer, false);
    if (lexer->lookahead != '/') break;
    lexer->advance(lexer, false);
    if (lexer->lookahead == '/') {
      while (!lexer->eof(lexer) && lexer->lookahead != '\n' && lexer->lookahead != '\r' && lexer->lookahead != 0x85 &&
             lexer->lookahead != 0x2028 && lexer->lookahead != 0x2029) {
        lexer->advance(lexer, false);
      }
    } else if (lexer->lookahead == '*') {
      lexer->advance(lexer, false);
      for (;;) {
        if (lexer->eof(lexer)) return false;
        if (lexer->lookahead == '*') {
          lexer->advance(lexer, false);
          if (lexer->lookahead == '/') {
            lexer->advance(lexer, false);
            break;
          }
        } else {
          lexer->advance(lexer, false);
        }
      }
    } else {
      return false;
    }
  }
  return is_part_start(lexer->lookahead) || lexer->lookahead == '#';
}

bool tree_sitter_powerquery_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  if (valid_symbols[ERROR_SENTINEL] || !valid_symbols[GENERALIZED_IDENTIFIER]) return false;

  while (is_skippable_space(lexer->lookahead)) lexer->advance(lexer, true);
  if (!is_part_start(lexer->lookahead)) return false;

  // Scan the first part, remembering whether it reads `optional`.
  static const char optional_keyword[] = "optional";
  unsigned length = 0;
  bool spells_optional = true;
  while (is_part_char(lexer->lookahead)) {
    if (length >= sizeof(optional_keyword) - 1 || lexer->lookahead != optional_keyword[length]) spells_optional = false;
    length++;
    lexer->advance(lexer, false);
  }
  if (length != sizeof(optional_keyword) - 1) spells_optional = false;
  lexer->mark_end(lexer);
  lexer->result_symbol = GENERALIZED_IDENTIFIER;

  // In a record type, `optional` followed by a field name is the keyword; alone it is a field's name.
  if (spells_optional && valid_symbols[OPTIONAL_KEYWORD]) return !field_name_follows(lexer);

  // Further parts: one or more spaces, then a part. Spaces not followed by a part are not included.
  for (;;) {
    if (lexer->lookahead != ' ') return true;
    while (lexer->lookahead == ' ') lexer->advance(lexer, false);
    if (!is_part_start(lexer->lookahead)) return true;
    while (is_part_char(lexer->lookahead)) lexer->advance(lexer, false);
    lexer->mark_end(lexer);
  }
}
