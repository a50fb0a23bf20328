//! Source text: turning bytes into text without moving any byte offset, and byte offsets into lines and
//! columns.
//!
//! Everything in dfls speaks byte offsets into the text of a file. Two facts make that safe here:
//! [`decode`] replaces every byte of an invalid UTF-8 sequence with one space (so the offsets of the rest
//! of the file stay exactly those of the bytes on disk, and the rest is still checked), and [`LineIndex`]
//! is the one place that turns an offset into a 1-based line and a column counted in Unicode scalar values,
//! with CRLF, a byte-order mark and tabs taken into account. The language server converts to its negotiated
//! encoding in `lsp/convert.rs`, built on the same index. [`diff`] prints line diffs of two texts. This
//! module does no IO and never panics.

use std::ops::Range;

pub mod diff;

/// What a URI component (a path segment, a query value) keeps as it is: RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`). Every other byte is percent-encoded, with
/// `percent_encoding::utf8_percent_encode(value, URI_COMPONENT)`.
pub const URI_COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{feff}";

/// Text decoded from bytes, with the byte ranges that were not valid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, of exactly as many bytes as the input.
    pub text: String,
    /// Each maximal invalid sequence, replaced in `text` by as many spaces.
    pub invalid: Vec<Range<usize>>,
}

/// Decodes bytes as UTF-8, replacing each byte of an invalid sequence with a space.
pub fn decode(bytes: &[u8]) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded { text: text.to_owned(), invalid: Vec::new() },
        Err(_) => {
            let mut text = String::with_capacity(bytes.len());
            let mut invalid = Vec::new();
            for chunk in bytes.utf8_chunks() {
                text.push_str(chunk.valid());
                let bad = chunk.invalid();
                if !bad.is_empty() {
                    let start = text.len();
                    text.extend(std::iter::repeat_n(' ', bad.len()));
                    match invalid.last_mut() {
                        Some(last @ Range { .. }) if last.end == start => last.end = text.len(),
                        _ => invalid.push(start..text.len()),
                    }
                }
            }
            Decoded { text, invalid }
        }
    }
}

/// Whether bytes look like a binary file rather than text: a NUL byte in the first 8 KiB, as git decides.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

/// The start offset of every line of a text, for offset to line/column conversion.
///
/// Lines end at LF, CRLF or a lone CR, as the Language Server Protocol defines them. A byte-order mark at
/// the start of the text takes no column: editors do not show it.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    bom_len: usize,
    /// For a text with a line longer than [`CHUNK`] bytes, the number of characters before each multiple
    /// of [`CHUNK`]: a column far into a long line is counted from the multiple before it, not from the
    /// start of the line (a 10 MB line with many diagnostics would cost the square of its length).
    chars_before_chunk: Vec<usize>,
}

/// The spacing of [`LineIndex`]'s character counts on long lines.
const CHUNK: usize = 1024;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut longest = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
            longest = longest.max(i + 1 - line_starts[line_starts.len() - 1]);
            i += 1;
        }
        let bom_len = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let mut chars_before_chunk = Vec::new();
        if longest > CHUNK {
            let mut chars = 0;
            for chunk in bytes.chunks(CHUNK) {
                chars_before_chunk.push(chars);
                chars += char_starts(chunk);
            }
            chars_before_chunk.push(chars);
        }
        LineIndex { line_starts, bom_len, chars_before_chunk }
    }

    /// The number of lines (a text ending in a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line that holds `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The byte range of a 0-based line, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.line_starts[line];
        let mut end = self.line_starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// The start offset of a 0-based line.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line]
    }

    /// Converts a byte offset (clamped to the text and to a character boundary) to a line and column.
    pub fn line_column(&self, text: &str, offset: usize) -> LineColumn {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let mut start = self.line_starts[line];
        if line == 0 && offset >= self.bom_len {
            start = self.bom_len;
        }
        let offset = offset.max(start);
        let column = if offset - start > 2 * CHUNK && !self.chars_before_chunk.is_empty() {
            self.chars_before(text, offset) - self.chars_before(text, start)
        } else {
            text[start..offset].chars().count()
        };
        LineColumn { line: line as u32 + 1, column: column as u32 + 1 }
    }

    /// The number of characters before a character boundary, from the nearest count before it.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let chunk = offset / CHUNK;
        self.chars_before_chunk[chunk] + char_starts(&text.as_bytes()[chunk * CHUNK..offset])
    }
}

/// The number of characters that start in `bytes`: the bytes that are not UTF-8 continuation bytes.
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// The largest character boundary at or below `offset`, clamped to the text.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On long lines columns come from the counts at every 1 KiB; they are the plain counts.
    #[test]
    fn columns_on_long_lines_are_character_counts() {
        let line = "aé€😀 ".repeat(3000);
        let text = format!("\u{feff}{line}\r\n{line}\n{}", "x".repeat(2 * CHUNK));
        let index = LineIndex::new(&text);
        for offset in (0..=text.len()).step_by(7).chain([text.len()]) {
            let at = index.line_column(&text, offset);
            let offset = floor_char_boundary(&text, offset);
            let mut start = index.line_start(at.line as usize - 1);
            if at.line == 1 {
                start = BOM.len().min(offset);
            }
            let plain = text[start..offset.max(start)].chars().count() as u32 + 1;
            assert_eq!(at.column, plain, "at {offset}");
        }
    }

    #[test]
    fn invalid_utf8_keeps_offsets() {
        let decoded = decode(b"ab\xff\xfecd\xc3");
        assert_eq!(decoded.text, "ab  cd ");
        assert_eq!(decoded.invalid, vec![2..4, 6..7]);
    }

    #[test]
    fn columns_count_scalar_values_and_skip_the_bom() {
        let text = "\u{feff}ab\r\nçd\rx\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_column(text, 3), LineColumn { line: 1, column: 1 });
        assert_eq!(index.line_column(text, 4), LineColumn { line: 1, column: 2 });
        let d = text.find('d').unwrap();
        assert_eq!(index.line_column(text, d), LineColumn { line: 2, column: 2 });
        let x = text.find('x').unwrap();
        assert_eq!(index.line_column(text, x), LineColumn { line: 3, column: 1 });
        assert_eq!(index.line_range(text, 1), 7..10);
        assert_eq!(index.line_column(text, text.len() + 10), LineColumn { line: 4, column: 1 });
    }

    #[test]
    fn binary_detection() {
        assert!(looks_binary(b"PK\x03\x04\x00\x00"));
        assert!(!looks_binary("section S;".as_bytes()));
    }
}
