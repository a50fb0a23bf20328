//! M's character classes, exactly as the specification defines them: whitespace, and the characters an
//! identifier may start with and hold. One definition for the lexical checks, the quoting of names and the
//! IDE's own lexer.
//!
//! The grammar's lexer is deliberately wider: it lexes any character that is neither ASCII punctuation nor
//! whitespace as an identifier character, because testing every character of every name against the
//! Unicode letter classes (hundreds of ranges) was a tenth of the parse time. The lexical pass then checks
//! the rare names that hold a character outside these classes (`M109`).

use unicode_general_category::{get_general_category, GeneralCategory};

/// Whitespace as the grammar's extras define it: TAB, LF, VT, FF, CR, the class Zs, U+0085, U+2028,
/// U+2029, and the byte-order mark.
pub fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

/// identifier-start-character: a letter (Lu, Ll, Lt, Lm, Lo), a letter number (Nl) or `_`.
pub fn is_identifier_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == '_';
    }
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter | LetterNumber
    )
}

/// identifier-part-character: a start character, a decimal digit (Nd), a connector (Pc), a combining mark
/// (Mn, Mc) or a formatting character (Cf). The byte-order mark, though a Cf, is whitespace to the grammar.
pub fn is_identifier_part(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    use GeneralCategory::*;
    c != '\u{FEFF}'
        && (is_identifier_start(c)
            || matches!(
                get_general_category(c),
                DecimalNumber | ConnectorPunctuation | NonspacingMark | SpacingMark | Format
            ))
}

/// Format characters that print as nothing (a zero-width space, a soft hyphen, the byte-order mark): a
/// message must name them to be understood.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// The first character of an identifier token that M does not allow at its place, with its byte offset:
/// each dot-separated part must start with a start character and go on with part characters.
pub fn invalid_identifier_char(token: &str) -> Option<(usize, char)> {
    let mut part_start = true;
    for (at, c) in token.char_indices() {
        if c == '.' {
            part_start = true;
            continue;
        }
        let valid = if part_start { is_identifier_start(c) } else { is_identifier_part(c) };
        if !valid {
            return Some((at, c));
        }
        part_start = false;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for start in ['a', 'Z', '_', 'é', 'Ж', 'ß', '中', 'ǅ', 'ʰ', 'Ⅻ'] {
            assert!(is_identifier_start(start) && is_identifier_part(start), "{start:?}");
        }
        // Digits, combining marks, connectors and format characters continue a name but do not start one.
        for part in ['7', '٣', '\u{301}', '\u{93E}', '‿', '\u{200D}'] {
            assert!(!is_identifier_start(part) && is_identifier_part(part), "{part:?}");
        }
        for neither in ['.', '-', '→', '“', '€', '½', '\u{A0}', '\u{FEFF}', '😀'] {
            assert!(!is_identifier_start(neither) && !is_identifier_part(neither), "{neither:?}");
        }
        for space in ['\t', '\n', ' ', '\u{85}', '\u{A0}', '\u{2003}', '\u{2028}', '\u{3000}', '\u{FEFF}'] {
            assert!(is_whitespace(space), "{space:?}");
        }
        assert!(!is_whitespace('\u{200B}'), "a zero-width space is a format character, not Zs");
    }

    #[test]
    fn identifiers() {
        for valid in ["Größe", "Table.AddColumn", "a\u{301}", "x٣", "_1", "Ⅻ.é"] {
            assert_eq!(invalid_identifier_char(valid), None, "{valid}");
        }
        assert_eq!(invalid_identifier_char("a→c"), Some((1, '→')));
        assert_eq!(invalid_identifier_char("“hi”"), Some((0, '“')));
        assert_eq!(invalid_identifier_char("a.\u{301}b"), Some((2, '\u{301}')), "a mark cannot start a part");
        assert_eq!(invalid_identifier_char("\u{A0}"), Some((0, '\u{A0}')));
    }
}
