//! A document that is edited and reparsed incrementally, for the language server.
//!
//! An edit costs what it touches: the old tree is edited and handed back to the parser, which reuses every
//! node the edit cannot have changed; the newline offsets that tree-sitter's row/column points need are
//! kept up to date by splicing, not by rescanning the text.

use std::ops::Range;

use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::diagnostics::Diagnostic;

/// M text with its tree, kept in step through edits.
pub struct Document {
    text: String,
    tree: Tree,
    parser: Parser,
    /// Byte offsets of every `\n` in the text, ascending: tree-sitter counts rows by LF.
    newlines: Vec<usize>,
}

impl Document {
    pub fn new(text: String) -> Document {
        let mut parser = super::new_parser();
        let tree = super::parse_tree(&mut parser, &text, None);
        let newlines = newline_offsets(&text, 0);
        Document { text, tree, parser, newlines }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Replaces a byte range of the text (clamped to the text and to character boundaries) and reparses,
    /// reusing the unchanged parts of the old tree.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let start = crate::text::floor_char_boundary(&self.text, range.start);
        let old_end = crate::text::floor_char_boundary(&self.text, range.end.max(start));
        let start_position = self.point_at(start);
        let old_end_position = self.point_at(old_end);

        self.text.replace_range(start..old_end, new_text);
        let new_end = start + new_text.len();
        let first_removed = self.newlines.partition_point(|&at| at < start);
        let last_removed = self.newlines.partition_point(|&at| at < old_end);
        let inserted = newline_offsets(new_text, start);
        let inserted_count = inserted.len();
        self.newlines.splice(first_removed..last_removed, inserted);
        for at in &mut self.newlines[first_removed + inserted_count..] {
            *at = *at + new_end - old_end;
        }
        let new_end_position = self.point_at(new_end);

        self.tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position,
        });
        self.tree = super::parse_tree(&mut self.parser, &self.text, Some(&self.tree));
    }

    /// The syntax diagnostics of the current text.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        super::diagnose(&self.tree, &self.text)
    }

    /// The tree-sitter point (0-based row, byte column) of an offset of the current text.
    fn point_at(&self, offset: usize) -> Point {
        let row = self.newlines.partition_point(|&at| at < offset);
        let line_start = if row == 0 { 0 } else { self.newlines[row - 1] + 1 };
        Point { row, column: offset - line_start }
    }
}

/// The offsets of the `\n` bytes of `text`, shifted by `base`.
fn newline_offsets(text: &str, base: usize) -> Vec<usize> {
    text.bytes().enumerate().filter(|&(_, byte)| byte == b'\n').map(|(at, _)| base + at).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_follow_edits() {
        let mut document = Document::new("let\n  a = 1\nin\n  a".to_string());
        document.edit(4..4, "  b = 2,\n");
        assert_eq!(document.text(), "let\n  b = 2,\n  a = 1\nin\n  a");
        assert_eq!(document.newlines, newline_offsets(document.text(), 0));
        assert_eq!(document.point_at(document.text().find("in").unwrap()), Point { row: 3, column: 0 });
        document.edit(3..13, "");
        assert_eq!(document.newlines, newline_offsets(document.text(), 0));
        assert!(document.diagnostics().is_empty(), "{:?}", document.diagnostics());
        let tree_end = document.tree().root_node().end_position();
        assert_eq!(tree_end, document.point_at(document.text().len()));
    }
}
