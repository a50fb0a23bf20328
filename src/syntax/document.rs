//! A document that is edited and reparsed incrementally, for the language server.
//!
//! An edit costs what it touches: the old tree is edited and handed back to the parser, which reuses every
//! node the edit cannot have changed; the newline offsets that tree-sitter's row/column points need are
//! kept up to date by splicing, not by rescanning the text. The reparse itself can wait: a burst of edits
//! is applied with [`Document::edit_text`], each moving the text and the old tree only, and one
//! [`Document::reparse`] (or a parse elsewhere of the same text, handed back with [`Document::adopt`])
//! then parses once for all of them.

use std::ops::Range;

use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::diagnostics::Diagnostic;

/// M text with its tree, kept in step through edits.
pub struct Document {
    text: String,
    /// The last tree parsed, edited through every edit since, so that its ranges line up with `text`;
    /// `None` before the first parse.
    tree: Option<Tree>,
    /// Whether `tree` is a parse of the current text (no edit since).
    parsed: bool,
    /// The quotes the parse of `tree` read as repaired ([`super::parse_repairing`]), moved through the
    /// edits since like the tree.
    repairs: Vec<usize>,
    parser: Parser,
    /// Byte offsets of every `\n` in the text, ascending: tree-sitter counts rows by LF.
    newlines: Vec<usize>,
}

impl Document {
    /// A document parsed at once.
    pub fn new(text: String) -> Document {
        let mut document = Document::unparsed(text);
        document.reparse();
        document
    }

    /// A document whose first parse is left to [`Document::reparse`] or a reader ([`Document::adopt`]).
    pub fn unparsed(text: String) -> Document {
        let newlines = newline_offsets(&text, 0);
        Document {
            text,
            tree: None,
            parsed: false,
            repairs: Vec::new(),
            parser: super::new_parser(),
            newlines,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The tree of the current text, parsed now if an edit came since the last parse.
    pub fn tree(&mut self) -> &Tree {
        self.reparse();
        self.tree.as_ref().expect("reparse leaves a tree")
    }

    /// Whether the tree is a parse of the current text.
    pub fn is_parsed(&self) -> bool {
        self.parsed
    }

    /// The tree an incremental parse of the current text starts from: the last parse, edited through the
    /// edits since (the current tree when nothing changed). `None` before the first parse.
    pub fn edited_tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// The places the parse of [`Document::edited_tree`] repaired, moved through the edits since.
    pub fn repairs(&self) -> &[usize] {
        &self.repairs
    }

    /// Takes a tree parsed elsewhere from the current text (and from [`Document::edited_tree`] and
    /// [`Document::repairs`]), with the places that parse repaired.
    pub fn adopt(&mut self, tree: Tree, repairs: Vec<usize>) {
        self.tree = Some(tree);
        self.repairs = repairs;
        self.parsed = true;
    }

    /// Parses the current text again if an edit came since the last parse, reusing what it can.
    pub fn reparse(&mut self) {
        if !self.parsed {
            let old = self.tree.as_ref().map(|tree| (tree, self.repairs.as_slice()));
            let (tree, repairs) = super::parse_repairing(&mut self.parser, &self.text, old);
            self.tree = Some(tree);
            self.repairs = repairs;
            self.parsed = true;
        }
    }

    /// Replaces a byte range of the text (clamped to the text and to character boundaries) and reparses,
    /// reusing the unchanged parts of the old tree.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        self.edit_text(range, new_text);
        self.reparse();
    }

    /// Replaces a byte range of the text (clamped to the text and to character boundaries) and edits the
    /// old tree to match, without parsing: the next [`Document::reparse`] parses once for every edit.
    pub fn edit_text(&mut self, range: Range<usize>, new_text: &str) {
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

        // A repaired place the edit replaced is gone; the later ones move with the text.
        self.repairs.retain(|&at| at < start || at >= old_end);
        for at in &mut self.repairs {
            if *at >= old_end {
                *at = *at + new_end - old_end;
            }
        }
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position,
            });
        }
        self.parsed = false;
    }

    /// The syntax diagnostics of the current text.
    pub fn diagnostics(&mut self) -> Vec<Diagnostic> {
        self.reparse();
        super::diagnose(self.tree.as_ref().expect("reparse leaves a tree"), &self.text)
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

    #[test]
    fn a_burst_of_edits_is_parsed_once_and_like_a_full_parse() {
        let mut document = Document::new("let\n  a = 1\nin\n  a".to_string());
        for (at, piece) in [(12, ",\n  b = \"x"), (23, "y\""), (3, " "), (0, "// c\n")] {
            document.edit_text(at..at, piece);
            assert!(!document.is_parsed());
        }
        let text = document.text().to_owned();
        let full = super::super::parse(&text).tree.root_node().to_sexp();
        assert_eq!(document.tree().root_node().to_sexp(), full);
        assert!(document.is_parsed());
        // A tree parsed elsewhere from the edited tree is taken as the current one.
        document.edit_text(0..0, " ");
        let mut parser = super::super::new_parser();
        let old = document.edited_tree().map(|tree| (tree, document.repairs()));
        let (elsewhere, repairs) = super::super::parse_repairing(&mut parser, document.text(), old);
        document.adopt(elsewhere, repairs);
        assert!(document.is_parsed());
        assert_eq!(document.tree().root_node().end_byte(), document.text().len());
    }
}
