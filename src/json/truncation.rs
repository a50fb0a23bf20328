//! A JSON file that stops before its document does (a truncated download, a save cut short, a copy of the
//! first half): one mistake, so one diagnostic, at the end, saying what is missing.
//!
//! tree-sitter's error recovery reads a truncated file in ways that depend on where it was cut: a chain of
//! MISSING closers at the same point, or an ERROR around the opening `{` with each later fragment taken for
//! a "second value". [`unfinished`] decides on the text itself, with a strict JSON scanner (RFC 8259, no
//! comments): when the text is the beginning of a valid document and nothing more, the caller replaces all
//! of tree-sitter's diagnostics with the one it returns. A text with a mistake before its end is not its
//! business (`None`). The scan is a loop over the bytes with a stack of the open objects and arrays, so a
//! deep file costs no recursion. Pure.

use crate::diagnostics::{codes, Diagnostic};
use crate::text::LineIndex;

/// How many closing brackets a message shows before it counts the rest.
const SHOWN_CLOSERS: usize = 12;

/// An object or array that is open at the point of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Object,
    Array,
}

/// Where the scan is between tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value comes next (the start of the document, after `:`, after `,` in an array).
    Value,
    /// After `{`: a key or `}`.
    ObjectStart,
    /// After `[`: a value or `]`.
    ArrayStart,
    /// After a key: `:`.
    Colon,
    /// After `,` in an object: a key.
    Key,
    /// After a complete value: `,` or the closer of the container (or the end of the document).
    AfterValue,
}

/// What the text stopped inside of, besides the open containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Partial {
    /// Between tokens.
    Nothing,
    /// Inside a string that opened at this offset (a key when the flag says so).
    String { start: usize, key: bool },
    /// Inside `true`, `false` or `null` (the literal) that starts at this offset.
    Literal { literal: &'static str, start: usize },
    /// Inside a number, starting at this offset, that needs another digit (`-`, `1.`, `1e`, `1e+`).
    Number { start: usize },
}

/// A text that stops before its document does.
#[derive(Debug)]
pub(super) struct Unfinished {
    /// The one diagnostic: at the end, saying what is missing.
    pub(super) diagnostic: Diagnostic,
    /// Where the token cut in two starts (a string, a literal, a number), when the cut is inside one: the
    /// value tree must not hold what tree-sitter made of it (`"1` is not the string "1").
    pub(super) cut_token: Option<usize>,
}

/// What is unfinished about a text that is the beginning of a valid JSON document and ends before the
/// document does; `None` for a complete document, an empty text, or a text with a mistake before its end.
pub(super) fn unfinished(text: &str) -> Option<Unfinished> {
    let bytes = text.as_bytes();
    let mut stack: Vec<(Open, usize)> = Vec::new();
    let mut state = State::Value;
    let mut started = false;
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut partial = Partial::Nothing;
    while i < bytes.len() {
        let byte = bytes[i];
        if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        if started && stack.is_empty() {
            // A second value, or anything after the document, is a mistake, not a truncation.
            return None;
        }
        match (state, byte) {
            (State::Value | State::ArrayStart, b'{') => {
                stack.push((Open::Object, i));
                state = State::ObjectStart;
                i += 1;
            }
            (State::Value | State::ArrayStart, b'[') => {
                stack.push((Open::Array, i));
                state = State::ArrayStart;
                i += 1;
            }
            (State::ObjectStart | State::Key, b'"') | (State::Value | State::ArrayStart, b'"') => {
                let key = matches!(state, State::ObjectStart | State::Key);
                match scan_string(bytes, i)? {
                    Some(end) => {
                        i = end;
                        state = if key { State::Colon } else { State::AfterValue };
                    }
                    None => {
                        partial = Partial::String { start: i, key };
                        i = bytes.len();
                    }
                }
            }
            (State::Value | State::ArrayStart, b't' | b'f' | b'n') => {
                let literal = match byte {
                    b't' => "true",
                    b'f' => "false",
                    _ => "null",
                };
                let rest = &bytes[i..];
                if rest.len() < literal.len() && literal.as_bytes().starts_with(rest) {
                    partial = Partial::Literal { literal, start: i };
                    i = bytes.len();
                } else if rest.starts_with(literal.as_bytes()) {
                    i += literal.len();
                    state = State::AfterValue;
                } else {
                    return None;
                }
            }
            (State::Value | State::ArrayStart, b'-' | b'0'..=b'9') => match scan_number(bytes, i)? {
                Some(end) => {
                    i = end;
                    state = State::AfterValue;
                }
                None => {
                    partial = Partial::Number { start: i };
                    i = bytes.len();
                }
            },
            (State::Colon, b':') => {
                state = State::Value;
                i += 1;
            }
            (State::AfterValue, b',') => {
                state = match stack.last()?.0 {
                    Open::Object => State::Key,
                    Open::Array => State::Value,
                };
                i += 1;
            }
            (State::AfterValue | State::ObjectStart, b'}') if stack.last()?.0 == Open::Object => {
                stack.pop();
                state = State::AfterValue;
                i += 1;
            }
            (State::AfterValue | State::ArrayStart, b']') if stack.last()?.0 == Open::Array => {
                stack.pop();
                state = State::AfterValue;
                i += 1;
            }
            _ => return None,
        }
        started = true;
    }
    // Complete or empty, nothing is cut off; a lone scalar cut short (`tru`) is left to tree-sitter's words.
    if stack.is_empty() && !matches!(partial, Partial::String { .. }) {
        return None;
    }
    let cut_token = match partial {
        Partial::Nothing => None,
        Partial::String { start, .. } | Partial::Literal { start, .. } | Partial::Number { start } => {
            Some(start)
        }
    };
    Some(Unfinished { diagnostic: diagnostic(text, &stack, state, partial), cut_token })
}

/// The end of the string that opens at `start` (after its closing quote); `Some(None)` when the text ends
/// inside it; `None` for a mistake in it (a bad escape, a raw control character).
fn scan_string(bytes: &[u8], start: usize) -> Option<Option<usize>> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(Some(i + 1)),
            b'\\' => {
                let Some(&escape) = bytes.get(i + 1) else { return Some(None) };
                match escape {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let digits = &bytes[(i + 2).min(bytes.len())..(i + 6).min(bytes.len())];
                        if !digits.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        if digits.len() < 4 {
                            return Some(None);
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            0x00..=0x1f => return None,
            _ => i += 1,
        }
    }
    Some(None)
}

/// The end of the number that starts at `start`; `Some(None)` when the text ends where a digit must come;
/// `None` for a malformed number.
fn scan_number(bytes: &[u8], start: usize) -> Option<Option<usize>> {
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if bytes[i] == b'-' {
        i += 1;
    }
    match bytes.get(i) {
        None => return Some(None),
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i),
        Some(_) => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let after = digits(i + 1);
        if after == i + 1 {
            return if i + 1 == bytes.len() { Some(None) } else { None };
        }
        i = after;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let after = digits(i);
        if after == i {
            return if i == bytes.len() { Some(None) } else { None };
        }
        i = after;
    }
    Some(Some(i))
}

/// The one diagnostic: at the end of the text (before trailing blanks), naming the innermost open thing
/// and what must follow, with the opening of that thing as a related location.
fn diagnostic(text: &str, stack: &[(Open, usize)], state: State, partial: Partial) -> Diagnostic {
    let end = text.trim_end_matches([' ', '\t', '\n', '\r']).len();
    let index = LineIndex::new(text);
    let at = |offset: usize| {
        let position = index.line_column(text, offset);
        format!("{}:{}", position.line, position.column)
    };
    let closers: String = stack
        .iter()
        .rev()
        .map(|(open, _)| match open {
            Open::Object => '}',
            Open::Array => ']',
        })
        .collect();
    let closing = if closers.is_empty() {
        None
    } else if closers.len() <= SHOWN_CLOSERS {
        Some(format!("`{closers}`"))
    } else {
        Some(format!("`{}`... ({} closing brackets in all)", &closers[..SHOWN_CLOSERS], closers.len()))
    };
    let mut needed: Vec<String> = Vec::new();
    let (inside, opened_at) = match partial {
        Partial::String { start, key } => {
            needed.push("`\"`".into());
            if key {
                needed.push("`:` and a value".into());
            }
            (format!("inside a {} opened at {}", if key { "key" } else { "string" }, at(start)), start)
        }
        _ => {
            match partial {
                Partial::Literal { literal, .. } => needed.push(format!("the rest of `{literal}`")),
                Partial::Number { .. } => needed.push("a digit".into()),
                _ => match state {
                    State::Colon => needed.push("`:` and a value".into()),
                    State::Value if !stack.is_empty() => needed.push("a value".into()),
                    State::Key => needed.push("a key and its value (or no `,` before the end)".into()),
                    _ => {}
                },
            }
            let &(open, start) = stack.last().expect("an unfinished document has an open container");
            let what = match open {
                Open::Object => "an object",
                Open::Array => "an array",
            };
            (format!("inside {what} opened at {}", at(start)), start)
        }
    };
    if let Some(closing) = closing {
        needed.push(closing);
    }
    let expected = match needed.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}, then {last}", init.join(", ")),
    };
    Diagnostic::new(codes::J100, end..end, format!("the file ends {inside}; expected {expected}"))
        .with_related(opened_at..opened_at + 1, "opened here")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> Option<String> {
        unfinished(text).map(|u| u.diagnostic.message)
    }

    #[test]
    fn complete_empty_and_wrong_texts_are_not_truncations() {
        for text in
            ["", "  ", "{}", r#"{"a": [1, 2.5e-3, true, null, "x\u00e9"]}"#, "{} []", r#"{"a" 1"#, "tr", "-"]
        {
            assert_eq!(message(text), None, "{text}");
        }
        // Mistakes before the end: a comment, a bad escape, a trailing comma closed, a raw tab in a string.
        for text in ["{// c\n", r#"{"a": "\q"#, r#"{"a": 1,}"#, "{\"a\": \"\t", "[01", "[1.x"] {
            assert_eq!(message(text), None, "{text}");
        }
    }

    #[test]
    fn what_is_missing_is_said_once() {
        let cases = [
            ("{", "the file ends inside an object opened at 1:1; expected `}`"),
            ("{\"a\": 1", "the file ends inside an object opened at 1:1; expected `}`"),
            ("{\"a\": 1,", "the file ends inside an object opened at 1:1; expected a key and its value (or no `,` before the end), then `}`"),
            ("{\"a\"", "the file ends inside an object opened at 1:1; expected `:` and a value, then `}`"),
            ("{\"a\":", "the file ends inside an object opened at 1:1; expected a value, then `}`"),
            ("{\"a\": [tr", "the file ends inside an array opened at 1:7; expected the rest of `true`, then `]}`"),
            ("{\"a\": [-", "the file ends inside an array opened at 1:7; expected a digit, then `]}`"),
            ("[{\"ke", "the file ends inside a key opened at 1:3; expected `\"`, `:` and a value, then `}]`"),
            ("{\n  \"a\": \"Sal", "the file ends inside a string opened at 2:8; expected `\"`, then `}`"),
            ("\"abc", "the file ends inside a string opened at 1:1; expected `\"`"),
        ];
        for (text, expected) in cases {
            assert_eq!(message(text).as_deref(), Some(expected), "{text}");
        }
        let deep = "[".repeat(100_000);
        assert!(message(&deep).unwrap().ends_with("(100000 closing brackets in all)"));
    }

    #[test]
    fn the_diagnostic_is_at_the_end_before_trailing_blanks() {
        let text = "{\"a\": 1,\n\n";
        let unfinished = unfinished(text).unwrap();
        assert_eq!(unfinished.diagnostic.range, 8..8);
        assert_eq!(unfinished.diagnostic.related[0].range, 0..1);
        assert_eq!(unfinished.cut_token, None);
        assert_eq!(super::unfinished("[1, \"ab").unwrap().cut_token, Some(4));
    }
}
