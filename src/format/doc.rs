//! The document the formatter builds and the printer lays out: a flat stream of commands in the manner of
//! Wadler's "prettier printer" (text, groups, indentation, soft and hard line breaks), flat rather than a tree
//! so that building it and printing it never recurse, whatever the depth of the input.
//!
//! A group is the span between a [`Cmd::GroupStart`] and its [`Cmd::GroupEnd`]: the printer lays it out flat
//! (every [`Cmd::Line`] a space, every [`Cmd::SoftLine`] nothing) when it fits in the remaining width, and
//! broken (every line of the group itself a line break) otherwise. A [`Cmd::LineStart`] or a
//! [`Cmd::BreakParent`] inside a group forces it, and every group around it, to break. All text is borrowed
//! from the source: tokens, comments and untouched subtrees are printed byte for byte; the formatter itself
//! only ever writes spaces, indentation and line breaks.

/// One command of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmd<'a> {
    /// Text without a line break.
    Text(&'a str),
    /// Text that holds line breaks (a text literal or a block comment over several lines, a subtree left as
    /// it was): printed as it is; only its first line counts when measuring.
    Multiline(&'a str),
    /// A subtree left as it is, over several lines, from the start of its first line in the input: printed
    /// without indentation of its own, since it carries the input's.
    Raw(&'a str),
    /// A space, unless a line break or the start of a line comes first.
    Space,
    /// A space in a flat group, a line break in a broken one.
    Line,
    /// Nothing in a flat group, a line break in a broken one.
    SoftLine,
    /// A line break unless the output is already at the start of a line; with `blank`, also one empty line
    /// unless there is one already. Breaks every group around it.
    LineStart {
        blank: bool,
    },
    /// Breaks every group around it, printing nothing.
    BreakParent,
    GroupStart,
    GroupEnd,
    /// One more level of indentation for the lines that start after it.
    Indent,
    Dedent,
}

impl Cmd<'_> {
    /// Whether this command may end a line, which is where measuring the text after a group stops.
    pub(super) fn may_break(self) -> bool {
        matches!(self, Cmd::Line | Cmd::SoftLine | Cmd::LineStart { .. } | Cmd::Multiline(_) | Cmd::Raw(_))
    }
}

/// The width of a piece of text in columns: one per Unicode scalar value.
pub(super) fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// Whether text holds a line break (LF or CR; the other Unicode line separators do not end lines for
/// editors' column counting).
pub(super) fn has_line_break(text: &str) -> bool {
    text.bytes().any(|b| b == b'\n' || b == b'\r')
}

/// The width of the first line of a text.
pub(super) fn first_line_width(text: &str) -> usize {
    let end = text.find(['\n', '\r']).unwrap_or(text.len());
    width(&text[..end])
}

/// The width of the last line of a text.
pub(super) fn last_line_width(text: &str) -> usize {
    let start = text.rfind(['\n', '\r']).map_or(0, |at| at + 1);
    width(&text[start..])
}

/// The number of line breaks in a stretch of whitespace and comments: CRLF counts once.
pub(super) fn line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\n' => count += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => count += 1,
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_line_breaks() {
        assert_eq!(width("Größe"), 5);
        assert_eq!(first_line_width("\"ab\r\ncdé\""), 3);
        assert_eq!(last_line_width("\"ab\r\ncdé\""), 4);
        assert_eq!(line_breaks(" \r\n\n\r x"), 3);
        assert!(has_line_break("a\rb"));
        assert!(!has_line_break("a\u{2028}b"));
    }
}
