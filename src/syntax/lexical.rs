//! Lexical diagnostics: tokens the grammar accepts whole but M does not.
//!
//! The grammar deliberately lexes an unterminated text literal, quoted identifier, verbatim literal or
//! block comment as one token running to the end of the file, and a malformed number (`1e`, `0xZZ`,
//! `12abc`) as one number token, so that a single bad token never derails the parse. This pass finds
//! those tokens, checks the `#(...)` escapes inside text and quoted identifiers, and says precisely what
//! is wrong.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::diagnostics::{codes, Diagnostic};

/// The lexical diagnostics of every token of the tree, in order.
pub(super) fn diagnose(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.child_count() == 0 {
            check_token(node, text, &mut diagnostics);
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return diagnostics;
            }
        }
    }
}

/// Whether a diagnostic is about a token that runs to the end of the file.
pub(super) fn runs_to_end(diagnostic: &Diagnostic) -> bool {
    [codes::M103, codes::M104, codes::M105].contains(&diagnostic.code)
}

fn check_token(node: Node, text: &str, diagnostics: &mut Vec<Diagnostic>) {
    let range = node.byte_range();
    let Some(token) = text.get(range.clone()) else {
        return;
    };
    match node.kind() {
        "text_literal" => check_quoted(token, range.start, 1, Quoted::Text, diagnostics),
        "quoted_identifier" => check_quoted(token, range.start, 2, Quoted::Identifier, diagnostics),
        "verbatim_literal" => check_quoted(token, range.start, 3, Quoted::Verbatim, diagnostics),
        "comment" if token.starts_with("/*") && (token.len() < 4 || !token.ends_with("*/")) => {
            diagnostics.push(
                Diagnostic::new(
                    codes::M105,
                    first_line(token, range.start),
                    "unterminated block comment: `/*` has no closing `*/`",
                )
                .with_related(range.end..range.end, "the comment runs to the end of the file"),
            );
        }
        "number_literal" => {
            if let Some(problem) = number_problem(token) {
                diagnostics.push(Diagnostic::new(
                    codes::M107,
                    range,
                    format!("invalid number literal `{token}`: {problem}"),
                ));
            }
        }
        _ => {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoted {
    Text,
    Identifier,
    Verbatim,
}

/// The range of a token's first line: where an unterminated token is shown.
fn first_line(token: &str, start: usize) -> Range<usize> {
    let end = token.find(['\r', '\n']).unwrap_or(token.len());
    start..start + end
}

/// Checks a quoted token (`"..."`, `#"..."`, `#!"..."`): closing quote and, except for verbatim literals,
/// escapes. `prefix` is the length of the opening delimiter.
fn check_quoted(token: &str, start: usize, prefix: usize, quoted: Quoted, diagnostics: &mut Vec<Diagnostic>) {
    let bytes = token.as_bytes();
    let mut i = prefix;
    let mut closed = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes.get(i + 1) == Some(&b'"') => i += 2,
            b'"' => {
                closed = true;
                i += 1;
            }
            b'#' if quoted != Quoted::Verbatim && bytes.get(i + 1) == Some(&b'(') => {
                let length = escape_length(&token[i..]);
                if let Err(problem) = check_escape(&token[i..i + length]) {
                    diagnostics.push(Diagnostic::new(codes::M106, start + i..start + i + length, problem));
                }
                i += length;
            }
            _ => i += 1,
        }
    }
    if !closed {
        let (code, what) = match quoted {
            Quoted::Text => (codes::M103, "text literal"),
            Quoted::Verbatim => (codes::M103, "verbatim literal"),
            Quoted::Identifier => (codes::M104, "quoted identifier"),
        };
        let end = start + token.len();
        diagnostics.push(
            Diagnostic::new(
                code,
                first_line(token, start),
                format!("unterminated {what}: the closing `\"` is missing"),
            )
            .with_related(end..end, format!("the {what} runs to the end of the file")),
        );
    }
}

/// The length of an escape starting with `#(`: through its `)`, or up to the end of its line (or of the
/// quoted token, whose closing quote is never part of an escape) when there is none.
fn escape_length(rest: &str) -> usize {
    for (i, c) in rest.char_indices().skip(2) {
        match c {
            ')' => return i + 1,
            '"' | '\r' | '\n' => return i,
            _ => {}
        }
    }
    rest.len()
}

/// Checks one escape sequence `#(esc, esc, ...)`: each `esc` is `cr`, `lf`, `tab`, `#`, or 4 or 8 hex
/// digits naming a Unicode scalar value.
fn check_escape(escape: &str) -> Result<(), String> {
    let Some(inner) = escape.strip_prefix("#(").and_then(|rest| rest.strip_suffix(')')) else {
        return Err(format!(
            "invalid escape `{escape}`: `#(` must be closed by `)` (write `#(#)(` for a literal `#(`)"
        ));
    };
    if inner.is_empty() {
        return Err(
            "invalid escape `#()`: it names no character (use `cr`, `lf`, `tab`, `#` or hex digits)".into()
        );
    }
    for part in inner.split(',') {
        let valid = match part {
            "cr" | "lf" | "tab" | "#" => true,
            hex if (hex.len() == 4 || hex.len() == 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).is_some()
            }
            _ => false,
        };
        if !valid {
            return Err(format!(
                "invalid escape `{escape}`: `{part}` is not `cr`, `lf`, `tab`, `#`, or 4 or 8 hex digits of a Unicode character"
            ));
        }
    }
    Ok(())
}

/// What is wrong with a number token, if anything. Valid forms: `0x` hex digits, or decimal digits with
/// an optional fraction and exponent, or a fraction alone (`.5`).
fn number_problem(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'0' && (bytes[1] == b'x' || bytes[1] == b'X') {
        let digits = &token[2..];
        if digits.is_empty() {
            return Some("`0x` must be followed by hexadecimal digits".into());
        }
        return digits
            .chars()
            .find(|c| !c.is_ascii_hexdigit())
            .map(|c| format!("`{c}` is not a hexadecimal digit"));
    }
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    digits(&mut i);
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        digits(&mut i);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let exponent_start = i;
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return Some(format!(
                "the exponent `{}` has no digits",
                &token[exponent_start..i.min(token.len())]
            ));
        }
    }
    if i < bytes.len() {
        return Some(format!(
            "`{}` cannot follow the number (a name cannot start with a digit)",
            &token[i..]
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for valid in ["0", "12", "1.5", ".5", "1e10", "1.5E-3", "2e+4", "0xFF", "0Xab"] {
            assert_eq!(number_problem(valid), None, "{valid}");
        }
        for invalid in ["1e", "1e+", "0x", "0xZZ", "12abc", "1.5x"] {
            assert!(number_problem(invalid).is_some(), "{invalid}");
        }
    }

    #[test]
    fn escapes() {
        for valid in ["#(cr)", "#(cr,lf)", "#(tab)", "#(#)", "#(0041)", "#(0001F600)", "#(cr,0041,#)"] {
            assert_eq!(check_escape(valid), Ok(()), "{valid}");
        }
        for invalid in ["#()", "#(foo)", "#(041)", "#(D800)", "#(cr", "#(cr,)", "#(110000AA)"] {
            assert!(check_escape(invalid).is_err(), "{invalid}");
        }
    }
}
