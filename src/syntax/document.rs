//! A document that is edited and reparsed incrementally, for the language server.

use std::ops::Range;

use tree_sitter::{InputEdit, Parser, Point, Tree};

/// M text with its tree, kept in step through edits.
pub struct Document {
    text: String,
    tree: Tree,
    parser: Parser,
}

impl Document {
    pub fn new(text: String) -> Document {
        let mut parser = super::new_parser();
        let tree = super::parse_tree(&mut parser, &text, None);
        Document { text, tree, parser }
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
        let start_position = point_at(&self.text, start);
        let old_end_position = point_at(&self.text, old_end);
        self.text.replace_range(start..old_end, new_text);
        let new_end = start + new_text.len();
        let new_end_position = point_at(&self.text, new_end);
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
    pub fn diagnostics(&self) -> Vec<crate::diagnostics::Diagnostic> {
        super::diagnose(&self.tree, &self.text)
    }
}

/// The tree-sitter point (0-based row, byte column) of an offset.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column: offset - line_start }
}
