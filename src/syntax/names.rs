//! M names and text literals as values: decoding `identifier`, `quoted_identifier` and `text_literal`
//! tokens to the names and strings they stand for, and writing a name back as M source.
//!
//! `#"Sales"` and `Sales` are one name; `#"a""b"` is `a"b`; `#(cr,lf)`, `#(tab)`, `#(#)`, `#(0041)` and
//! `#(0001F600)` escapes stand for their characters. The lexical pass ([`super::diagnose`]) reports
//! malformed escapes; here an escape that cannot be read is kept as written, so decoding never fails.
//! Pure string functions: no tree, no IO. Decoding borrows from the token when nothing needs decoding,
//! which is the common case, so name resolution allocates only for names that really hold escapes.

use std::borrow::Cow;

/// M's keywords, which a bare identifier (or a part of a dotted one) cannot be. The `#`-keywords
/// (`#table`, `#shared`, ...) are left out: no regular identifier can start with `#` anyway.
pub const KEYWORDS: &[&str] = &[
    "and",
    "as",
    "each",
    "else",
    "error",
    "false",
    "if",
    "in",
    "is",
    "let",
    "meta",
    "not",
    "null",
    "or",
    "otherwise",
    "section",
    "shared",
    "then",
    "true",
    "try",
    "type",
];

/// The name an `identifier` or `quoted_identifier` token stands for: `Sales` for `Sales` and for
/// `#"Sales"`, `a"b` for `#"a""b"`. An unterminated quoted identifier (`#"abc` to the end of the file)
/// decodes to what it holds.
pub fn decode_name(token: &str) -> Cow<'_, str> {
    match token.strip_prefix("#\"") {
        Some(rest) => decode_quoted(rest.strip_suffix('"').unwrap_or(rest)),
        None => Cow::Borrowed(token),
    }
}

/// The value of a `text_literal` token (`"a""b#(lf)"` is `a"b` and a line feed) or of a
/// `verbatim_literal` (`#!"..."`, which has no escapes but `""`).
pub fn decode_text(token: &str) -> Cow<'_, str> {
    if let Some(rest) = token.strip_prefix("#!\"") {
        let inner = rest.strip_suffix('"').unwrap_or(rest);
        return if inner.contains("\"\"") {
            Cow::Owned(inner.replace("\"\"", "\""))
        } else {
            Cow::Borrowed(inner)
        };
    }
    let inner = token.strip_prefix('"').unwrap_or(token);
    decode_quoted(inner.strip_suffix('"').unwrap_or(inner))
}

/// Decodes the inside of a quoted name or text: `""` is `"`, `#(...)` escapes are their characters.
fn decode_quoted(inner: &str) -> Cow<'_, str> {
    if !inner.contains('"') && !inner.contains("#(") {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = rest.find(['"', '#']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("\"\"") {
            out.push('"');
            rest = after;
        } else if let Some(after) = read_escape(rest, &mut out) {
            rest = after;
        } else {
            // A lone `"` (only in malformed input) or a `#` that starts no escape stays as written.
            out.push(rest.as_bytes()[0] as char);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Reads `#(esc, esc, ...)` at the start of `text` into `out`; returns the text after the `)`, or `None`
/// (and leaves `out` as it was) when the escape is not valid.
fn read_escape<'t>(text: &'t str, out: &mut String) -> Option<&'t str> {
    let inner = text.strip_prefix("#(")?;
    let end = inner.find(')')?;
    let length = out.len();
    for part in inner[..end].split(',') {
        let c = match part {
            "cr" => '\r',
            "lf" => '\n',
            "tab" => '\t',
            "#" => '#',
            hex if (hex.len() == 4 || hex.len() == 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => c,
                    None => {
                        out.truncate(length);
                        return None;
                    }
                }
            }
            _ => {
                out.truncate(length);
                return None;
            }
        };
        out.push(c);
    }
    Some(&inner[end + 1..])
}

/// Whether `name` can be written bare: dot-separated parts, each a letter or `_` followed by letters,
/// digits and `_`, none of them a keyword. When unsure about an unusual character this says no, so that
/// [`m_name`] quotes it: a quoted name is always valid.
pub fn is_regular_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(super::chars::is_identifier_start)
                && chars.all(|c| super::chars::is_identifier_start(c) || c.is_ascii_digit())
                && !KEYWORDS.contains(&part)
        })
}

/// The words from `start` on that read like one name written with spaces (`Changed Type` for the step
/// `#"Changed Type"`): each word's end, for the first word and up to five more, each after one space. A word
/// is a run of identifier characters and dots.
pub fn spaced_words(text: &str, start: usize) -> Vec<usize> {
    const MOST: usize = 6;
    let word_end = |from: usize| {
        from + text[from..]
            .char_indices()
            .find(|&(_, c)| !(c == '.' || super::chars::is_identifier_part(c)))
            .map_or(text.len() - from, |(at, _)| at)
    };
    let mut ends = Vec::new();
    let mut at = start;
    while ends.len() < MOST {
        let end = word_end(at);
        if end == at {
            break;
        }
        ends.push(end);
        let next = end + 1;
        if !text[end..].starts_with(' ')
            || !text[next..].starts_with(|c: char| super::chars::is_identifier_start(c))
        {
            break;
        }
        at = next;
    }
    ends
}

/// How a name is written in M: bare when it is a regular identifier (`Sales`, `Table.AddColumn`), else
/// quoted with `""` for `"` (`#"Sales Orders"`, `#"each"`, `#"a""b"`). Control characters are written as
/// escapes (`#(lf)`), so the result is always one line.
pub fn m_name(name: &str) -> String {
    if is_regular_identifier(name) {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len() + 3);
    out.push('#');
    push_quoted(&mut out, name);
    out
}

/// How a text is written as an M text literal: `"..."` with `""` for `"` and escapes for control
/// characters and for a `#` before `(`, so that the literal decodes to exactly `text`.
pub fn m_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// Appends `"text"` with M's quoting, shared by names and text literals.
fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\"\""),
            '\r' => out.push_str("#(cr)"),
            '\n' => out.push_str("#(lf)"),
            '\t' => out.push_str("#(tab)"),
            // `#(` would read as the start of an escape: the `#` is written as the escape `#(#)`.
            '#' if chars.peek() == Some(&'(') => out.push_str("#(#)"),
            c if c.is_control() => out.push_str(&format!("#({:04X})", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_words_end_at_anything_but_one_space_and_a_name() {
        let text = "Changed Type + 1";
        assert_eq!(spaced_words(text, 0), [7, 12]);
        assert_eq!(spaced_words("Added Custom Column.1)", 0), [5, 12, 21]);
        assert_eq!(spaced_words("a  b", 0), [1], "two spaces");
        assert_eq!(spaced_words("a 1", 0), [1], "a word starts like a name");
        assert_eq!(spaced_words("a b c d e f g h", 0).len(), 6, "six words at most");
        assert_eq!(spaced_words("Größe Wert", 0), [7, 12]);
    }

    #[test]
    fn names_decode_as_m_reads_them() {
        assert_eq!(decode_name("Sales"), "Sales");
        assert!(matches!(decode_name("#\"Sales\""), Cow::Borrowed("Sales")));
        assert_eq!(decode_name("#\"Sales Orders\""), "Sales Orders");
        assert_eq!(decode_name("#\"say \"\"hi\"\"\""), "say \"hi\"");
        assert_eq!(decode_name("#\"a#(tab)b#(#)(c#(0041)#(cr,lf)\""), "a\tb#(cA\r\n");
        assert_eq!(decode_name("#\"#(0001F600)\""), "\u{1F600}");
        // An escape that cannot be read stays as written; so does an unterminated name.
        assert_eq!(decode_name("#\"a#(bad)b#(\""), "a#(bad)b#(");
        assert_eq!(decode_name("#\"#(cr,bad)\""), "#(cr,bad)");
        assert_eq!(decode_name("#\"#(D800)\""), "#(D800)");
        assert_eq!(decode_name("#\"open"), "open");
        assert_eq!(decode_name("#\"\""), "");
    }

    #[test]
    fn text_literals_decode() {
        assert_eq!(decode_text("\"Q \"\"1\"\"\""), "Q \"1\"");
        assert_eq!(decode_text("\"a#(cr,lf)b\""), "a\r\nb");
        assert_eq!(decode_text("\"unterminated"), "unterminated");
        assert_eq!(decode_text("#!\"a#(tab)\""), "a#(tab)");
        assert_eq!(decode_text("#!\"a\"\"b\""), "a\"b");
        assert!(matches!(decode_text("\"plain\""), Cow::Borrowed("plain")));
    }

    #[test]
    fn names_are_written_quoted_when_they_must_be() {
        assert_eq!(m_name("Sales"), "Sales");
        assert_eq!(m_name("_"), "_");
        assert_eq!(m_name("Table.ToNavigationTable"), "Table.ToNavigationTable");
        assert_eq!(m_name("Größe"), "Größe");
        assert_eq!(m_name("Sales Orders"), "#\"Sales Orders\"");
        assert_eq!(m_name("a\"b"), "#\"a\"\"b\"");
        assert_eq!(m_name("each"), "#\"each\"");
        assert_eq!(m_name("Table.each"), "#\"Table.each\"");
        assert_eq!(m_name("1st"), "#\"1st\"");
        assert_eq!(m_name("a."), "#\"a.\"");
        assert_eq!(m_name(""), "#\"\"");
        assert_eq!(m_name("line\nbreak"), "#\"line#(lf)break\"");
        assert_eq!(m_name("f#(x)"), "#\"f#(#)(x)\"");
        assert_eq!(m_name("#"), "#\"#\"");
    }

    #[test]
    fn written_texts_decode_to_themselves() {
        for text in ["", "Sales", "a\"b", "f#(x)", "line\nbreak", "x\u{7}y"] {
            assert_eq!(decode_text(&m_text(text)), text, "{text:?} -> {}", m_text(text));
        }
        assert_eq!(m_text("Q \"1\""), "\"Q \"\"1\"\"\"");
    }

    #[test]
    fn written_names_decode_to_themselves() {
        for name in ["Sales", "Sales Orders", "a\"b", "each", "f#(x)", "#(cr)", "tab\there", "x\u{7}y", "#"] {
            assert_eq!(decode_name(&m_name(name)), name, "{name:?} -> {}", m_name(name));
        }
    }
}
