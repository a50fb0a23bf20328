// External scanner for the Power Query M grammar.
//
// It scans one real token and produces two zero-width markers.
//
// The markers let the grammar stay LR(1), so the parser never splits its stack (nodes built while it is
// split are "fragile" and cannot be reused by incremental reparsing):
// - `_function_start` before a `(` that opens a function's parameter list: the scanner reads ahead over
//   the shape `( [optional] name [as [nullable] type], ... ) [as [nullable] type] =>` and nothing else, so
//   the look-ahead is bounded by the parameter list and never descends into nested parentheses. A `,`
//   after the first parameter settles it early, since a parenthesized expression cannot hold one; so does
//   a second name without the `,` (`(state current) =>`), which no expression holds either: the parser
//   then reports the missing `,` in the parameter list.
// - `_section_attributes_start` before a `[...]` record that is followed by the keyword `section`: after a
//   section's members such a record belongs to the next section, not to the next member.
//
// The real token is `generalized_identifier`: a field name inside `[...]` such as `Order Date`, `if`,
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
  FUNCTION_START,
  SECTION_ATTRIBUTES_START,
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

// Skips whitespace and comments as part of the look-ahead (nothing of it becomes a token). Returns false
// at an unterminated block comment.
static bool skip_trivia(TSLexer *lexer) {
  for (;;) {
    while (is_skippable_space(lexer->lookahead)) lexer->advance(lexer, false);
    if (lexer->lookahead != '/') return true;
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
        int32_t c = lexer->lookahead;
        lexer->advance(lexer, false);
        if (c == '*' && lexer->lookahead == '/') {
          lexer->advance(lexer, false);
          break;
        }
      }
    } else {
      // A lone `/` (division): not trivia, and not part of any shape the markers look for.
      return false;
    }
  }
}

static bool is_word_start(int32_t c) { return is_ascii_letter(c) || c == '_' || is_non_ascii_name_char(c); }
static bool is_word_char(int32_t c) { return is_word_start(c) || is_digit(c) || c == '.'; }

// Reads a regular identifier (dots included) into `word` (truncated, NUL-terminated); returns its length.
static unsigned read_word(TSLexer *lexer, char *word, unsigned capacity) {
  unsigned length = 0;
  if (!is_word_start(lexer->lookahead)) return 0;
  while (is_word_char(lexer->lookahead)) {
    if (length + 1 < capacity) word[length] = lexer->lookahead < 0x80 ? (char)lexer->lookahead : '?';
    length++;
    lexer->advance(lexer, false);
  }
  word[length + 1 < capacity ? length : capacity - 1] = '\0';
  return length;
}

static bool word_is(const char *word, unsigned length, const char *expected) {
  unsigned i = 0;
  for (; expected[i]; i++) {
    if (i >= length || word[i] != expected[i]) return false;
  }
  return i == length;
}

// Skips a text literal or quoted identifier body after its opening quote; false if unterminated.
static bool skip_quoted(TSLexer *lexer) {
  for (;;) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    lexer->advance(lexer, false);
    if (c == '"') {
      if (lexer->lookahead != '"') return true;
      lexer->advance(lexer, false);
    }
  }
}

// Whether a word is one of M's keywords, which cannot name a parameter.
static bool is_keyword(const char *word, unsigned length) {
  static const char *const keywords[] = {
      "and", "as", "each", "else", "error", "false", "if", "in", "is", "let", "meta", "not",
      "null", "or", "otherwise", "section", "shared", "then", "true", "try", "type",
  };
  for (unsigned i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
    if (word_is(word, length, keywords[i])) return true;
  }
  return false;
}

// A name: a regular identifier (not a keyword) or a quoted identifier `#"..."`. Sets `is_keyword_optional`
// when the name reads `optional`.
static bool read_name(TSLexer *lexer, bool *is_keyword_optional) {
  char word[16];
  *is_keyword_optional = false;
  if (lexer->lookahead == '#') {
    lexer->advance(lexer, false);
    if (lexer->lookahead != '"') return false;
    lexer->advance(lexer, false);
    return skip_quoted(lexer);
  }
  unsigned length = read_word(lexer, word, sizeof word);
  if (length == 0 || is_keyword(word, length)) return false;
  *is_keyword_optional = word_is(word, length, "optional");
  return true;
}

// `as [nullable] primitive-type` after the `as` has been read: the type must be one word.
static bool read_type_after_as(TSLexer *lexer) {
  char word[16];
  if (!skip_trivia(lexer)) return false;
  unsigned length = read_word(lexer, word, sizeof word);
  if (length == 0) return false;
  if (word_is(word, length, "nullable")) {
    if (!skip_trivia(lexer)) return false;
    if (read_word(lexer, word, sizeof word) == 0) return false;
  }
  return true;
}

// After the `(`: whether a parameter list and then `=>` (possibly after a return type) follow.
//
// Two names in a row (`(state column)`, `(a as text optional b)`) never occur in a parenthesized
// expression, so they settle it as a parameter list that misses a `,`; the parser then reports the `,`
// where it belongs instead of a confusing error about a parenthesized expression.
static bool parameter_list_follows(TSLexer *lexer) {
  char word[16];
  if (!skip_trivia(lexer)) return false;
  if (lexer->lookahead != ')') {
    for (;;) {
      bool is_optional = false;
      if (!read_name(lexer, &is_optional)) return false;
      if (!skip_trivia(lexer)) return false;
      // After the name: `as` and a type, or (when the name read `optional`, the keyword) the real name.
      bool has_type = false;
      if (is_word_start(lexer->lookahead)) {
        unsigned length = read_word(lexer, word, sizeof word);
        if (word_is(word, length, "as")) {
          has_type = true;
        } else if (!is_optional) {
          return !is_keyword(word, length);  // A second name: a missing `,`.
        }
        if (!skip_trivia(lexer)) return false;
      } else if (is_optional && lexer->lookahead == '#') {
        if (!read_name(lexer, &is_optional)) return false;
        if (!skip_trivia(lexer)) return false;
      }
      // A parenthesized expression never holds a `,`: a list of names is a parameter list, even when
      // what follows it is broken (then the parser reports the missing `)` or `=>` where it belongs).
      if (!has_type && lexer->lookahead == ',') return true;
      if (!has_type && is_word_start(lexer->lookahead)) {
        unsigned length = read_word(lexer, word, sizeof word);
        if (!word_is(word, length, "as")) return !is_keyword(word, length);  // A missing `,`.
        has_type = true;
      }
      if (has_type) {
        if (!read_type_after_as(lexer)) return false;
        if (!skip_trivia(lexer)) return false;
        if (lexer->lookahead == ',') return true;
      }
      if (lexer->lookahead == ')') break;
      if (lexer->lookahead == '#') {
        lexer->advance(lexer, false);
        return lexer->lookahead == '"';  // A quoted name after a parameter: a missing `,`.
      }
      if (is_word_start(lexer->lookahead)) {
        unsigned length = read_word(lexer, word, sizeof word);
        return !is_keyword(word, length);  // A name after a typed parameter: a missing `,`.
      }
      if (lexer->lookahead != ',') return false;
      lexer->advance(lexer, false);
      if (!skip_trivia(lexer)) return false;
    }
  }
  lexer->advance(lexer, false);  // The `)`.
  if (!skip_trivia(lexer)) return false;
  if (lexer->lookahead == 'a') {
    unsigned length = read_word(lexer, word, sizeof word);
    if (!word_is(word, length, "as")) return false;
    if (!read_type_after_as(lexer)) return false;
    if (!skip_trivia(lexer)) return false;
  }
  if (lexer->lookahead != '=') return false;
  lexer->advance(lexer, false);
  return lexer->lookahead == '>';
}

// After the `[`: whether the record closes and the keyword `section` follows it.
static bool section_follows_record(TSLexer *lexer) {
  unsigned depth = 1;
  while (depth > 0) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    if (c == '"') {
      lexer->advance(lexer, false);
      if (!skip_quoted(lexer)) return false;
    } else if (c == '/') {
      if (!skip_trivia(lexer)) lexer->advance(lexer, false);
    } else {
      lexer->advance(lexer, false);
      if (c == '[') depth++;
      if (c == ']') depth--;
    }
  }
  if (!skip_trivia(lexer)) return false;
  char word[16];
  unsigned length = read_word(lexer, word, sizeof word);
  return word_is(word, length, "section");
}

// Produces a zero-width marker when the look-ahead shows it applies.
static bool scan_marker(TSLexer *lexer, const bool *valid_symbols) {
  while (is_skippable_space(lexer->lookahead)) lexer->advance(lexer, true);
  lexer->mark_end(lexer);
  if (lexer->lookahead == '(' && valid_symbols[FUNCTION_START]) {
    lexer->advance(lexer, false);
    if (parameter_list_follows(lexer)) {
      lexer->result_symbol = FUNCTION_START;
      return true;
    }
    return false;
  }
  if (lexer->lookahead == '[' && valid_symbols[SECTION_ATTRIBUTES_START]) {
    lexer->advance(lexer, false);
    if (section_follows_record(lexer)) {
      lexer->result_symbol = SECTION_ATTRIBUTES_START;
      return true;
    }
  }
  return false;
}

bool tree_sitter_powerquery_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  if (valid_symbols[ERROR_SENTINEL]) return false;
  if (valid_symbols[FUNCTION_START] || valid_symbols[SECTION_ATTRIBUTES_START]) {
    // The markers and a generalized identifier are never valid at the same place.
    return scan_marker(lexer, valid_symbols);
  }
  if (!valid_symbols[GENERALIZED_IDENTIFIER]) return false;

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
