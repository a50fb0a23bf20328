//! The one bridge between dfls's byte offsets and LSP positions.
//!
//! Everything below `lsp` speaks byte offsets into a file's text; the protocol speaks a 0-based line and a
//! column counted in the negotiated [`Encoding`]: UTF-8 code units (bytes) when the client offers them in
//! `general.positionEncodings`, else UTF-16 code units, the protocol's default. Every conversion of a
//! position or a range, in either direction, goes through [`Lines`]; no other module counts columns.
//!
//! Lines end at LF, CRLF or a lone CR, as the protocol defines them (ropey's `cr_lines` without
//! `unicode_lines`), so a CRLF file's ranges do not drift. An offset inside a line terminator maps to the
//! end of its line. A byte-order mark is a character like any other in a buffer the client sent (the
//! client counts it too), but takes no column in a file read from disk ([`Lines::from_disk`]), because
//! editors hide it when they open the file. Conversions never panic: offsets are clamped to the text and
//! to character boundaries, a column past the end of its line means the end of the line (as the protocol
//! says), and a line past the end of the text is an error for a request ([`Lines::offset`]) and the end of
//! the text for an edit ([`Lines::offset_clamped`]).

use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range as LspRange};

use crate::text::BOM;

/// The unit LSP columns are counted in, negotiated at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    /// The protocol's default, and what a client that offers nothing gets.
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, else UTF-16 (which every client supports, whether it says so or
    /// not). UTF-32 is never chosen: it is rare and UTF-16 is mandatory.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The protocol's name of the encoding, for `ServerCapabilities::position_encoding`.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A position whose line is past the end of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange {
    pub line: u32,
    pub line_count: usize,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} is past the end of the document ({} lines)", self.line, self.line_count)
    }
}

/// A text's lines as the protocol sees them, in one encoding.
#[derive(Clone, Copy)]
pub struct Lines<'a> {
    rope: &'a Rope,
    encoding: Encoding,
    /// The byte length of a leading BOM that takes no column (files read from disk); 0 otherwise.
    hidden_bom: usize,
}

impl<'a> Lines<'a> {
    /// The lines of a buffer the client sent: every character counts, a BOM included.
    pub fn new(rope: &'a Rope, encoding: Encoding) -> Lines<'a> {
        Lines { rope, encoding, hidden_bom: 0 }
    }

    /// The lines of a file read from disk, whose leading BOM an editor does not show.
    pub fn from_disk(rope: &'a Rope, encoding: Encoding) -> Lines<'a> {
        let has_bom = rope.len_bytes() >= BOM.len() && rope.chars().next() == Some('\u{feff}');
        Lines { rope, encoding, hidden_bom: if has_bom { BOM.len() } else { 0 } }
    }

    /// The number of lines (a text that ends with a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.rope.len_lines()
    }

    /// The LSP position of a byte offset, clamped to the text and to a character boundary. An offset
    /// inside a line terminator is the end of its line.
    pub fn position(&self, offset: usize) -> Position {
        let rope = self.rope;
        let offset = self.floor_boundary(offset.min(rope.len_bytes()));
        let line = rope.byte_to_line(offset);
        let start = self.content_start(line);
        let offset = offset.clamp(start, self.content_end(line));
        Position { line: saturate(line), character: saturate(self.columns(start, offset)) }
    }

    /// The LSP range of a byte range (clamped; a reversed range is taken as empty at its start).
    pub fn range(&self, range: Range<usize>) -> LspRange {
        let start = self.position(range.start);
        let end = if range.end <= range.start { start } else { self.position(range.end) };
        LspRange { start, end }
    }

    /// The byte offset of an LSP position, for a request about it. A column past the end of the line is
    /// the end of the line; a line past the end of the text is an error.
    pub fn offset(&self, position: Position) -> Result<usize, OutOfRange> {
        let line = position.line as usize;
        if line >= self.rope.len_lines() {
            return Err(OutOfRange { line: position.line, line_count: self.rope.len_lines() });
        }
        let start = self.content_start(line);
        let end = self.content_end(line);
        let column = position.character as usize;
        let offset = match self.encoding {
            Encoding::Utf8 => self.floor_boundary(start.saturating_add(column).min(end)),
            Encoding::Utf16 => {
                let rope = self.rope;
                let first = rope.char_to_utf16_cu(rope.byte_to_char(start));
                let last = rope.char_to_utf16_cu(rope.byte_to_char(end));
                // A column in the middle of a surrogate pair is the start of its character.
                rope.char_to_byte(rope.utf16_cu_to_char(first.saturating_add(column).min(last)))
            }
        };
        Ok(offset)
    }

    /// The byte offset of an LSP position, for an edit: like [`Lines::offset`], but a line past the end
    /// of the text is the end of the text, as clients that lag a line behind expect.
    pub fn offset_clamped(&self, position: Position) -> usize {
        self.offset(position).unwrap_or(self.rope.len_bytes())
    }

    /// The byte range of an LSP range, for a request; an end before the start is taken as the start.
    pub fn byte_range(&self, range: LspRange) -> Result<Range<usize>, OutOfRange> {
        let start = self.offset(range.start)?;
        let end = self.offset(range.end)?;
        Ok(start..end.max(start))
    }

    /// The byte range of an LSP range, for an edit (see [`Lines::offset_clamped`]).
    pub fn byte_range_clamped(&self, range: LspRange) -> Range<usize> {
        let start = self.offset_clamped(range.start);
        start..self.offset_clamped(range.end).max(start)
    }

    /// The columns between two character boundaries of one line, in the encoding, counted from the text
    /// between them (cheap for nearby offsets).
    fn columns_between(&self, start: usize, offset: usize) -> usize {
        match self.encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => self.rope.byte_slice(start..offset).chars().map(char::len_utf16).sum(),
        }
    }

    /// The columns between two offsets of one line, in the encoding.
    fn columns(&self, start: usize, offset: usize) -> usize {
        match self.encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => {
                let rope = self.rope;
                rope.char_to_utf16_cu(rope.byte_to_char(offset))
                    - rope.char_to_utf16_cu(rope.byte_to_char(start))
            }
        }
    }

    /// Where a 0-based line's columns start: its first byte, after a hidden BOM on the first line. The
    /// line must exist.
    pub fn content_start(&self, line: usize) -> usize {
        let start = self.rope.line_to_byte(line);
        if line == 0 {
            start + self.hidden_bom
        } else {
            start
        }
    }

    /// The offset of the end of a 0-based line's text, before its terminator. The line must exist.
    pub fn content_end(&self, line: usize) -> usize {
        let rope = self.rope;
        let start = self.content_start(line);
        let mut end =
            if line + 1 < rope.len_lines() { rope.line_to_byte(line + 1) } else { rope.len_bytes() };
        if end > start && rope.byte(end - 1) == b'\n' {
            end -= 1;
        }
        if end > start && rope.byte(end - 1) == b'\r' {
            end -= 1;
        }
        end
    }

    /// The largest character boundary at or below `offset` (which is at most the text's length).
    fn floor_boundary(&self, offset: usize) -> usize {
        self.rope.char_to_byte(self.rope.byte_to_char(offset))
    }
}

/// Positions of many offsets in a row, mostly ascending (the tokens of a file, the edits of a formatting):
/// an offset on the line of the one before it has its columns counted from there, so a run over a file
/// costs about one pass over its text, not several rope lookups per offset. Any order gives the same
/// answers as [`Lines::position`]; order only makes it fast.
pub struct Sequential<'a> {
    lines: Lines<'a>,
    /// The line of the last offset, its content's end, the last offset and its column; `None` before the
    /// first offset or after one that was not inside a line's content.
    last: Option<(usize, usize, usize, usize)>,
    /// The rope's chunk that held the last offset, and where it starts: most offsets fall in it, and are
    /// then read without a lookup in the rope.
    chunk: (&'a str, usize),
}

impl<'a> Sequential<'a> {
    pub fn new(lines: Lines<'a>) -> Sequential<'a> {
        Sequential { lines, last: None, chunk: ("", 0) }
    }

    /// The text between two offsets if the cached chunk holds it (refreshed around `from` if not).
    fn text_between(&mut self, from: usize, to: usize) -> Option<&'a str> {
        let (chunk, start) = self.chunk;
        if from < start || to > start + chunk.len() {
            let (chunk, start, _, _) = self.lines.rope.chunk_at_byte(from);
            self.chunk = (chunk, start);
        }
        let (chunk, start) = self.chunk;
        chunk.get(from.checked_sub(start)?..to.checked_sub(start)?)
    }

    /// The position of an offset, as [`Lines::position`] gives it.
    pub fn position(&mut self, offset: usize) -> Position {
        let rope = self.lines.rope;
        let offset = offset.min(rope.len_bytes());
        if let Some((line, end, last, column)) = self.last {
            if last <= offset && offset <= end {
                // `get` fails off a character boundary: then the lookup below floors the offset.
                let columns = match self.text_between(last, offset) {
                    Some(text) if self.lines.encoding == Encoding::Utf8 || text.is_ascii() => {
                        Some(text.len())
                    }
                    Some(text) => Some(text.chars().map(char::len_utf16).sum()),
                    None if offset == end || rope.byte(offset) & 0xC0 != 0x80 => {
                        Some(self.lines.columns_between(last, offset))
                    }
                    None => None,
                };
                if let Some(columns) = columns {
                    let column = column + columns;
                    self.last = Some((line, end, offset, column));
                    return Position { line: saturate(line), character: saturate(column) };
                }
            }
        }
        let position = self.lines.position(offset);
        let line = position.line as usize;
        let end = self.lines.content_end(line);
        let on_boundary = offset == rope.len_bytes() || rope.byte(offset) & 0xC0 != 0x80;
        self.last = (on_boundary && offset <= end && offset >= self.lines.content_start(line)).then_some((
            line,
            end,
            offset,
            position.character as usize,
        ));
        position
    }

    /// The LSP range of a byte range, as [`Lines::range`] gives it.
    pub fn range(&mut self, range: Range<usize>) -> LspRange {
        let start = self.position(range.start);
        let end = if range.end <= range.start { start } else { self.position(range.end) };
        LspRange { start, end }
    }
}

/// The offsets of a byte range of a one-line label (a signature's parameter), counted in the encoding, as
/// `ParameterInformation.label` wants them; clamped to the label.
pub fn label_offsets(label: &str, range: Range<usize>, encoding: Encoding) -> [u32; 2] {
    let count = |offset: usize| {
        let prefix = &label[..crate::text::floor_char_boundary(label, offset)];
        match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.encode_utf16().count(),
        }
    };
    [saturate(count(range.start)), saturate(count(range.end.max(range.start)))]
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    /// Every character boundary of `text` maps to a position and back to itself, in both encodings.
    fn round_trips(text: &str) {
        let rope = Rope::from_str(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let lines = Lines::new(&rope, encoding);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let in_terminator = matches!(text.as_bytes().get(offset.wrapping_sub(1)), Some(b'\r'))
                    && text.as_bytes().get(offset) == Some(&b'\n');
                if in_terminator {
                    continue;
                }
                let position = lines.position(offset);
                assert_eq!(
                    lines.offset(position),
                    Ok(offset),
                    "{encoding:?} {offset} {position:?} in {text:?}"
                );
            }
        }
    }

    #[test]
    fn sequential_positions_agree_with_lookups_in_any_order() {
        for text in ["", "a\nbc\r\nd\re", "\u{feff}é𝄞x\r\n\r\nyz é\n", "line\n\u{2028}\t\"𝄞\""] {
            let rope = Rope::from_str(text);
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                for lines in [Lines::new(&rope, encoding), Lines::from_disk(&rope, encoding)] {
                    let ascending: Vec<usize> = (0..=text.len() + 1).collect();
                    let shuffled: Vec<usize> =
                        ascending.iter().map(|i| (i * 7 + 3) % (text.len() + 2)).collect();
                    for order in [ascending, shuffled] {
                        let mut sequential = Sequential::new(lines);
                        for offset in order {
                            assert_eq!(
                                sequential.position(offset),
                                lines.position(offset),
                                "{text:?} {offset}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn ascii_crlf_cr_and_non_ascii_round_trip() {
        round_trips("section S;\r\nshared A = 1;\rshared B = \"é😀x\";\n\nshared C = 2;");
        round_trips("\u{feff}let\r\n  a = \"𝔘\"\r\nin\r\n  a\r\n");
        round_trips("");
    }

    #[test]
    fn columns_are_counted_in_the_negotiated_encoding() {
        let text = "x = \"é😀\", y";
        let rope = Rope::from_str(text);
        let y = text.find('y').unwrap();
        assert_eq!(Lines::new(&rope, Encoding::Utf8).position(y), pos(0, y as u32));
        // `é` is one UTF-16 unit, `😀` two.
        assert_eq!(Lines::new(&rope, Encoding::Utf16).position(y), pos(0, 11));
        assert_eq!(Lines::new(&rope, Encoding::Utf16).offset(pos(0, 11)), Ok(y));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nb\rc\nd";
        let rope = Rope::from_str(text);
        let lines = Lines::new(&rope, Encoding::Utf16);
        assert_eq!(lines.line_count(), 4);
        assert_eq!(lines.position(text.find('d').unwrap()), pos(3, 0));
        assert_eq!(lines.position(text.find('c').unwrap()), pos(2, 0));
        // Inside the CRLF: the end of line 0.
        assert_eq!(lines.position(2), pos(0, 1));
        // A column past the end of a line stops before its terminator.
        assert_eq!(lines.offset(pos(0, 99)), Ok(1));
    }

    #[test]
    fn a_bom_counts_in_a_buffer_and_not_on_disk() {
        let text = "\u{feff}ab\ncd";
        let rope = Rope::from_str(text);
        let b = text.find('b').unwrap();
        assert_eq!(Lines::new(&rope, Encoding::Utf16).position(b), pos(0, 2));
        assert_eq!(Lines::from_disk(&rope, Encoding::Utf16).position(b), pos(0, 1));
        assert_eq!(Lines::from_disk(&rope, Encoding::Utf8).position(b), pos(0, 1));
        assert_eq!(Lines::from_disk(&rope, Encoding::Utf16).offset(pos(0, 1)), Ok(b));
        assert_eq!(Lines::from_disk(&rope, Encoding::Utf16).position(0), pos(0, 0));
        assert_eq!(Lines::from_disk(&rope, Encoding::Utf16).position(text.find('d').unwrap()), pos(1, 1));
    }

    #[test]
    fn out_of_range_clamps_or_errors_and_never_panics() {
        let text = "ab😀\ncd";
        let rope = Rope::from_str(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let lines = Lines::new(&rope, encoding);
            assert_eq!(lines.position(1_000), pos(1, 2));
            // Inside the emoji: its start.
            assert_eq!(lines.position(3), pos(0, 2));
            assert_eq!(lines.offset(pos(0, 3)), Ok(2), "{encoding:?}: inside the emoji");
            assert_eq!(lines.offset(pos(0, u32::MAX)), Ok(6));
            assert_eq!(lines.offset(pos(2, 0)), Err(OutOfRange { line: 2, line_count: 2 }));
            assert!(lines.offset(pos(u32::MAX, u32::MAX)).is_err());
            assert_eq!(lines.offset_clamped(pos(9, 0)), text.len());
            assert_eq!(lines.byte_range_clamped(LspRange { start: pos(1, 1), end: pos(0, 0) }), 8..8);
            let reversed = std::ops::Range { start: 7, end: 1 };
            assert_eq!(lines.range(reversed), LspRange { start: pos(1, 0), end: pos(1, 0) });
        }
    }

    #[test]
    fn label_offsets_follow_the_encoding() {
        let label = "f(größe as text, x)";
        let x = label.find('x').unwrap();
        assert_eq!(label_offsets(label, x..x + 1, Encoding::Utf8), [x as u32, x as u32 + 1]);
        assert_eq!(label_offsets(label, x..x + 1, Encoding::Utf16), [x as u32 - 2, x as u32 - 1]);
        assert_eq!(label_offsets(label, 3..99, Encoding::Utf16), [3, 19]);
    }

    #[test]
    fn negotiation_prefers_utf8_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[PositionEncodingKind::UTF16])), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32, PositionEncodingKind::UTF8])),
            Encoding::Utf8
        );
    }
}
