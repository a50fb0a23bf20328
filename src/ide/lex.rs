//! A small M lexer for the text around the cursor: tokens with byte ranges, comments included, whatever
//! the tree made of the text.
//!
//! The tree of a file being typed is often a large ERROR node that no longer says which call, `let` or
//! record the cursor is in; the tokens still do. Unterminated text, quoted identifiers and block comments
//! run to the end of the text, as in the grammar. Never fails: a character that starts no token is an
//! [`TokenKind::Other`] token of its own.

use std::ops::Range;

use crate::syntax::chars;
use crate::syntax::names::KEYWORDS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A regular identifier, dots included (`Table.AddColumn`); a trailing dot is kept (`JoinKind.`), so
    /// that what is being typed is one token.
    Identifier,
    /// `#"..."`.
    QuotedIdentifier,
    /// `#date`, `#table`, `#shared`, ...
    Intrinsic,
    /// One of M's keywords ([`KEYWORDS`]).
    Keyword,
    /// `"..."` or `#!"..."`.
    Text,
    Number,
    Comment,
    /// An operator or punctuation: `(`, `=>`, `..`, `,`, ...
    Punctuation,
    /// A character that starts no token.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) range: Range<usize>,
    /// Whether a text, quoted identifier or block comment lacks its end.
    pub(crate) unterminated: bool,
}

impl Token {
    /// The token's text.
    pub(crate) fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.range.clone()]
    }

    /// Whether the token is a name: an identifier or a quoted identifier.
    pub(crate) fn is_name(&self) -> bool {
        matches!(self.kind, TokenKind::Identifier | TokenKind::QuotedIdentifier)
    }
}

/// The tokens of `text[range]`, comments included.
pub(crate) struct Lexer<'t> {
    text: &'t str,
    at: usize,
    end: usize,
}

impl<'t> Lexer<'t> {
    pub(crate) fn new(text: &'t str, range: Range<usize>) -> Lexer<'t> {
        let end = crate::text::floor_char_boundary(text, range.end);
        let at = crate::text::floor_char_boundary(text, range.start.min(end));
        Lexer { text, at, end }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.text.get(self.at..self.end)?.chars().nth(ahead)
    }

    fn bytes(&self) -> &'t [u8] {
        &self.text.as_bytes()[..self.end]
    }

    /// Advances past a quoted body whose opening quote is at `self.at - 1`: to after the closing `"`
    /// (a `""` is an escaped quote). Returns whether the closing quote was found.
    fn quoted_body(&mut self) -> bool {
        let bytes = self.bytes();
        while self.at < bytes.len() {
            if bytes[self.at] == b'"' {
                if bytes.get(self.at + 1) == Some(&b'"') {
                    self.at += 2;
                    continue;
                }
                self.at += 1;
                return true;
            }
            self.at += 1;
        }
        false
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let text = self.text;
        // Whitespace.
        while let Some(c) = self.peek(0) {
            if chars::is_whitespace(c) || c == '\u{1A}' {
                self.at += c.len_utf8();
            } else {
                break;
            }
        }
        let start = self.at;
        let c = self.peek(0)?;
        let token = |lexer: &Lexer, kind, unterminated| Token { kind, range: start..lexer.at, unterminated };
        let bytes = self.bytes();
        match c {
            '/' if self.peek(1) == Some('/') => {
                while self.at < bytes.len() && !matches!(bytes[self.at], b'\n' | b'\r') {
                    self.at += 1;
                }
                self.at = crate::text::floor_char_boundary(text, self.at);
                Some(token(self, TokenKind::Comment, false))
            }
            '/' if self.peek(1) == Some('*') => {
                self.at += 2;
                let closed = match text[self.at..self.end].find("*/") {
                    Some(at) => {
                        self.at += at + 2;
                        true
                    }
                    None => {
                        self.at = self.end;
                        false
                    }
                };
                Some(token(self, TokenKind::Comment, !closed))
            }
            '"' => {
                self.at += 1;
                let closed = self.quoted_body();
                Some(token(self, TokenKind::Text, !closed))
            }
            '#' => match self.peek(1) {
                Some('"') => {
                    self.at += 2;
                    let closed = self.quoted_body();
                    Some(token(self, TokenKind::QuotedIdentifier, !closed))
                }
                Some('!') if self.peek(2) == Some('"') => {
                    self.at += 3;
                    let closed = self.quoted_body();
                    Some(token(self, TokenKind::Text, !closed))
                }
                Some(n) if n.is_ascii_alphabetic() => {
                    self.at += 1;
                    while self.at < bytes.len() && bytes[self.at].is_ascii_alphabetic() {
                        self.at += 1;
                    }
                    Some(token(self, TokenKind::Intrinsic, false))
                }
                _ => {
                    self.at += 1;
                    Some(token(self, TokenKind::Other, false))
                }
            },
            c if chars::is_identifier_start(c) => {
                loop {
                    while let Some(c) = self.peek(0) {
                        if chars::is_identifier_part(c) {
                            self.at += c.len_utf8();
                        } else {
                            break;
                        }
                    }
                    if self.peek(0) == Some('.') && self.peek(1) != Some('.') {
                        self.at += 1;
                        if self.peek(0).is_some_and(chars::is_identifier_start) {
                            continue;
                        }
                    }
                    break;
                }
                let word = &text[start..self.at];
                let kind = if KEYWORDS.contains(&word) { TokenKind::Keyword } else { TokenKind::Identifier };
                Some(token(self, kind, false))
            }
            c if c.is_ascii_digit() || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) => {
                if c == '0' && matches!(self.peek(1), Some('x' | 'X')) {
                    self.at += 2;
                    while self.at < bytes.len() && bytes[self.at].is_ascii_hexdigit() {
                        self.at += 1;
                    }
                } else {
                    while self.at < bytes.len() && bytes[self.at].is_ascii_digit() {
                        self.at += 1;
                    }
                    if bytes.get(self.at) == Some(&b'.')
                        && bytes.get(self.at + 1).is_some_and(u8::is_ascii_digit)
                    {
                        self.at += 1;
                        while self.at < bytes.len() && bytes[self.at].is_ascii_digit() {
                            self.at += 1;
                        }
                    }
                    if matches!(bytes.get(self.at), Some(b'e' | b'E')) {
                        let mut exponent = self.at + 1;
                        if matches!(bytes.get(exponent), Some(b'+' | b'-')) {
                            exponent += 1;
                        }
                        if bytes.get(exponent).is_some_and(u8::is_ascii_digit) {
                            self.at = exponent;
                            while self.at < bytes.len() && bytes[self.at].is_ascii_digit() {
                                self.at += 1;
                            }
                        }
                    }
                }
                Some(token(self, TokenKind::Number, false))
            }
            _ => {
                const OPERATORS: &[&str] = &[
                    "...", "=>", "<=", ">=", "<>", "??", "..", "(", ")", "[", "]", "{", "}", ",", ";", "=",
                    "<", ">", "+", "-", "*", "/", "&", "!", "@", "?",
                ];
                let rest = &text[self.at..self.end];
                match OPERATORS.iter().find(|op| rest.starts_with(**op)) {
                    Some(op) => {
                        self.at += op.len();
                        Some(token(self, TokenKind::Punctuation, false))
                    }
                    None => {
                        self.at += c.len_utf8();
                        Some(token(self, TokenKind::Other, false))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        Lexer::new(text, 0..text.len()).map(|t| (t.kind, &text[t.range])).collect()
    }

    #[test]
    fn tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds(r##"let #"a b" = Table.AddColumn(x, "t""x", each [Größe] >= 1.5e3) in JoinKind. // c"##),
            [
                (Keyword, "let"),
                (QuotedIdentifier, "#\"a b\""),
                (Punctuation, "="),
                (Identifier, "Table.AddColumn"),
                (Punctuation, "("),
                (Identifier, "x"),
                (Punctuation, ","),
                (Text, "\"t\"\"x\""),
                (Punctuation, ","),
                (Keyword, "each"),
                (Punctuation, "["),
                (Identifier, "Größe"),
                (Punctuation, "]"),
                (Punctuation, ">="),
                (Number, "1.5e3"),
                (Punctuation, ")"),
                (Keyword, "in"),
                (Identifier, "JoinKind."),
                (Comment, "// c"),
            ]
        );
        assert_eq!(
            kinds("{1..a} #date /* x"),
            [
                (Punctuation, "{"),
                (Number, "1"),
                (Punctuation, ".."),
                (Identifier, "a"),
                (Punctuation, "}"),
                (Intrinsic, "#date"),
                (Comment, "/* x"),
            ]
        );
        let unterminated: Vec<Token> = Lexer::new("\"abc", 0..4).collect();
        assert!(unterminated[0].unterminated);
    }
}
