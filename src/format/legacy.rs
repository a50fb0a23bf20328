//! Formatting the M document inside a legacy `dataflow-content.json`: the string at
//! `editingSessionMashup.mashupDocument` is decoded, formatted, and escaped back into the same place; every
//! other byte of the JSON file stays as it was.
//!
//! The escaping follows the file's own: a character the original string escaped is escaped the same way
//! (`\r\n` or `\u000d\u000a`, `\u0026` for `&` as .NET writes it, `\/`), others only when JSON requires it,
//! with the short forms (`\"`, `\\`, `\n`, `\r`, `\t`) and `\u00XX` for other control characters.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{FormatError, Options};
use crate::definition::file::MASHUP_DOCUMENT;

/// Why the M of a legacy item was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyError {
    /// The file is not JSON without syntax errors, or not text.
    NotJson(String),
    /// There is no `editingSessionMashup.mashupDocument` string.
    NoMashupDocument,
    /// The M could not be formatted.
    Format(FormatError),
}

impl std::fmt::Display for LegacyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LegacyError::NotJson(why) => write!(f, "{why}; it was not formatted"),
            LegacyError::NoMashupDocument => {
                write!(f, "there is no `editingSessionMashup.mashupDocument` string to format")
            }
            LegacyError::Format(error) => write!(f, "the M document inside: {error}"),
        }
    }
}

impl std::error::Error for LegacyError {}

/// A legacy item's JSON with its M formatted, and the M before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormattedLegacy {
    /// The whole file; the same bytes when the M was formatted already.
    pub json: String,
    pub old_m: String,
    pub new_m: String,
    /// Whether the M has syntax errors (formatted around them).
    pub syntax_errors: bool,
}

/// Formats the M document of a legacy `dataflow-content.json`.
pub fn format_legacy(bytes: &[u8], options: &Options) -> Result<FormattedLegacy, LegacyError> {
    let text = super::decode(bytes).map_err(|error| LegacyError::NotJson(error.to_string()))?;
    let json = crate::json::parse(text);
    if let Some(first) = json.diagnostics.first() {
        return Err(LegacyError::NotJson(format!("the file is not valid JSON ({})", first.message)));
    }
    let document = json
        .locate(MASHUP_DOCUMENT)
        .and_then(|located| located.value.as_string())
        .ok_or(LegacyError::NoMashupDocument)?;
    let formatted = super::format_checked(&document.value, options).map_err(LegacyError::Format)?;
    let json = if formatted.text == document.value {
        text.to_string()
    } else {
        let content = document.range.start + 1..document.range.end - 1;
        let escaped = escape(&formatted.text, &escapes_used(&text[content.clone()]));
        let mut json = String::with_capacity(text.len() + escaped.len());
        json.push_str(&text[..content.start]);
        json.push_str(&escaped);
        json.push_str(&text[content.end..]);
        json
    };
    Ok(FormattedLegacy {
        json,
        old_m: document.value.clone(),
        new_m: formatted.text,
        syntax_errors: formatted.syntax_errors,
    })
}

/// How a JSON string's source wrote each character it escaped.
fn escapes_used(raw: &str) -> HashMap<char, String> {
    let mut used = HashMap::new();
    let mut rest = raw;
    while let Some(at) = rest.find('\\') {
        rest = &rest[at..];
        let (decoded, len) = match rest.as_bytes().get(1) {
            Some(b'u') => match unicode_escape(rest) {
                Some(decoded) => decoded,
                None => break,
            },
            Some(&b) => {
                let c = match b {
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    other => other as char,
                };
                (c, 2)
            }
            None => break,
        };
        used.entry(decoded).or_insert_with(|| rest[..len].to_string());
        rest = &rest[len..];
    }
    used
}

/// A `\uXXXX` escape (or a surrogate pair of two) at the start of `text`: the character and the length.
fn unicode_escape(text: &str) -> Option<(char, usize)> {
    let unit = |at: usize| {
        let hex = text.get(at + 2..at + 6)?;
        if !text[at..].starts_with("\\u") {
            return None;
        }
        u32::from_str_radix(hex, 16).ok()
    };
    let first = unit(0)?;
    if (0xD800..0xDC00).contains(&first) {
        let second = unit(6)?;
        let c = char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second.checked_sub(0xDC00)?))?;
        return Some((c, 12));
    }
    Some((char::from_u32(first)?, 6))
}

/// Escapes text for a JSON string, reusing the original's escapes.
fn escape(text: &str, used: &HashMap<char, String>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if let Some(escape) = used.get(&c) {
            out.push_str(escape);
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy(document_source: &str) -> String {
        format!("{{\r\n  \"editingSessionMashup\": {{\r\n    \"mashupName\": \"X\",\r\n    \"mashupDocument\": \"{document_source}\"\r\n  }}\r\n}}")
    }

    #[test]
    fn the_m_is_formatted_and_the_json_around_it_kept() {
        let input = legacy(r#"section S;\r\nshared A = let a = \"x\u0026y\",b=2 in a;\r\n"#);
        let output = format_legacy(input.as_bytes(), &Options::default()).unwrap().json;
        assert_eq!(
            output,
            legacy(r#"section S;\r\nshared A = let\r\n  a = \"x\u0026y\",\r\n  b = 2\r\nin\r\n  a;\r\n"#)
        );
        let json = crate::json::parse(&output);
        assert!(json.diagnostics.is_empty());
        // Formatted already: the same bytes.
        assert_eq!(format_legacy(output.as_bytes(), &Options::default()).unwrap().json, output);
    }

    #[test]
    fn escapes_follow_the_original() {
        let used = escapes_used(r"a\u000d\u000A\/\ud83d\ude00\n");
        assert_eq!(used[&'\r'], r"\u000d");
        assert_eq!(used[&'\n'], r"\u000A");
        assert_eq!(used[&'/'], r"\/");
        assert_eq!(used[&'😀'], r"\ud83d\ude00");
        assert_eq!(escape("\"\\\t\u{1}é/", &HashMap::new()), "\\\"\\\\\\t\\u0001é/");
    }

    #[test]
    fn refusals() {
        assert!(matches!(format_legacy(b"{", &Options::default()), Err(LegacyError::NotJson(_))));
        assert_eq!(format_legacy(b"{\"a\": 1}", &Options::default()), Err(LegacyError::NoMashupDocument));
        assert!(matches!(format_legacy(b"\xff{}", &Options::default()), Err(LegacyError::NotJson(_))));
    }
}
