//! The text as the fixes of its syntax errors would make it, parsed: what name resolution reads when a
//! file has syntax errors, so that one mistake explained by one fix (a `,` dropped between two `let`
//! bindings, a missing `in` or `)`) does not also leave names unknown or steps unused.
//!
//! tree-sitter's recovery keeps what it could not place in an ERROR node and reads what follows as
//! something else (`a = 1` then `b = a + 1` without the `,` becomes `a = (1 b = a + 1)`): the tree of the
//! broken text has other scopes than the text the person meant. The syntax diagnostics already say what
//! was meant, with a fix; applying the first fix of each and parsing again gives that text's tree. A
//! [`Repaired`] text maps its offsets back to the original one, so what is found in it lands where the
//! person wrote it. The reparse is incremental: only the constructs around the fixes are parsed again.

use std::ops::Range;

use tree_sitter::{InputEdit, Tree};

use crate::diagnostics::{Diagnostic, Edit};

/// A text with the fixes of its syntax errors applied, and its tree.
#[derive(Debug, Clone)]
pub struct Repaired {
    pub text: String,
    pub tree: Tree,
    /// The fixes applied, in the original text's offsets, in order and not overlapping.
    edits: Vec<Edit>,
}

impl Repaired {
    /// The offset in the original text of an offset in the repaired one. An offset inside a fix's new text
    /// maps to the start of what it replaced (`at_end`: to its end).
    pub fn to_original(&self, offset: usize, at_end: bool) -> usize {
        let mut shift: isize = 0;
        for edit in &self.edits {
            let start = edit.range.start.saturating_add_signed(shift);
            if offset <= start {
                break;
            }
            if offset < start + edit.new_text.len() {
                return if at_end { edit.range.end } else { edit.range.start };
            }
            shift += edit.new_text.len() as isize - edit.range.len() as isize;
        }
        offset.saturating_add_signed(-shift)
    }

    /// A diagnostic of the repaired text, its ranges in the original one.
    pub fn map_diagnostic(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        diagnostic.range = self.range_to_original(&diagnostic.range);
        for related in &mut diagnostic.related {
            related.range = self.range_to_original(&related.range);
        }
        for edit in diagnostic.fixes.iter_mut().flat_map(|fix| &mut fix.edits) {
            edit.range = self.range_to_original(&edit.range);
        }
        diagnostic
    }

    /// A range of the repaired text in the original one.
    pub fn range_to_original(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.to_original(range.start, false);
        start..self.to_original(range.end, true).max(start)
    }
}

/// How many syntax errors a text may have for its fixes to be tried. A text with more is being written or
/// is broken beyond one mistake, and each reparse of a large broken text costs what its error recovery
/// costs (seconds for 100,000 nested errors).
pub const MOST_ERRORS: usize = 16;

/// The text with the first fix of each syntax diagnostic applied, parsed again, when that makes it better:
/// the repaired text has no syntax error but those of `diagnostics` that have no fix.
pub fn repair(tree: &Tree, text: &str, diagnostics: &[Diagnostic]) -> Option<Repaired> {
    if diagnostics.len() > MOST_ERRORS {
        return None;
    }
    let repaired = apply(tree, text, diagnostics.iter().filter_map(first_edit).collect())?;
    // Fixes that were not what was meant make new errors: every error left must be one found before.
    let better = !repaired.tree.root_node().has_error()
        || super::errors::diagnose(&repaired.tree, &repaired.text).iter().all(|again| {
            let start = repaired.to_original(again.range.start, false);
            diagnostics.iter().any(|before| before.range.start == start && before.fixes.is_empty())
        });
    better.then_some(repaired)
}

/// The one edit of a diagnostic's first fix, when it is one edit.
pub(super) fn first_edit(diagnostic: &Diagnostic) -> Option<Edit> {
    diagnostic.fixes.first().filter(|fix| fix.edits.len() == 1).map(|fix| fix.edits[0].clone())
}

/// The text with `edits` applied (those that overlap one applied before are left out), parsed again from
/// `tree` (the parse of `text`). `None` when there is no edit.
pub(super) fn apply(tree: &Tree, text: &str, mut edits: Vec<Edit>) -> Option<Repaired> {
    edits.retain(|edit| {
        edit.range.end <= text.len()
            && text.is_char_boundary(edit.range.start)
            && text.is_char_boundary(edit.range.end)
    });
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut kept: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        if kept.last().is_none_or(|last| last.range.end <= edit.range.start && last.range != edit.range) {
            kept.push(edit);
        }
    }
    if kept.is_empty() {
        return None;
    }
    let mut repaired_text = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    for edit in &kept {
        repaired_text.push_str(&text[copied..edit.range.start]);
        repaired_text.push_str(&edit.new_text);
        copied = edit.range.end;
    }
    repaired_text.push_str(&text[copied..]);
    // The old tree, edited to line up with the repaired text: each fix from the last one back, so that the
    // offsets of those still to come are unchanged.
    let mut edited = tree.clone();
    let mut old_quote_repairs = super::lexical::misquoted(text);
    let boundaries: Vec<usize> = kept.iter().flat_map(|edit| [edit.range.start, edit.range.end]).collect();
    let points = points_of(text, &boundaries);
    for (index, edit) in kept.iter().enumerate().rev() {
        let (start, old_end) = (points[2 * index], points[2 * index + 1]);
        let new_end = point_after(start, &edit.new_text);
        edited.edit(&InputEdit {
            start_byte: edit.range.start,
            old_end_byte: edit.range.end,
            new_end_byte: edit.range.start + edit.new_text.len(),
            start_position: start,
            old_end_position: old_end,
            new_end_position: new_end,
        });
        let delta = edit.new_text.len() as isize - edit.range.len() as isize;
        old_quote_repairs.retain(|&at| at < edit.range.start || at >= edit.range.end);
        for at in old_quote_repairs.iter_mut().filter(|at| **at >= edit.range.end) {
            *at = at.saturating_add_signed(delta);
        }
    }
    let mut parser = super::new_parser();
    let (repaired_tree, _) =
        super::parse_repairing(&mut parser, &repaired_text, Some((&edited, &old_quote_repairs)));
    Some(Repaired { text: repaired_text, tree: repaired_tree, edits: kept })
}

/// The tree-sitter points (row, byte column) of offsets in order, in one pass over the text.
fn points_of(text: &str, offsets: &[usize]) -> Vec<tree_sitter::Point> {
    let bytes = text.as_bytes();
    let (mut row, mut line_start, mut scanned) = (0, 0, 0);
    offsets
        .iter()
        .map(|&at| {
            for (index, &byte) in bytes[scanned..at].iter().enumerate() {
                if byte == b'\n' {
                    row += 1;
                    line_start = scanned + index + 1;
                }
            }
            scanned = scanned.max(at);
            tree_sitter::Point { row, column: at - line_start }
        })
        .collect()
}

/// The point after `inserted` written at `start`.
fn point_after(start: tree_sitter::Point, inserted: &str) -> tree_sitter::Point {
    match inserted.rfind('\n') {
        Some(last) => tree_sitter::Point {
            row: start.row + inserted.matches('\n').count(),
            column: inserted.len() - last - 1,
        },
        None => tree_sitter::Point { row: start.row, column: start.column + inserted.len() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(at: usize, text: &str) -> Edit {
        Edit { range: at..at, new_text: text.to_string() }
    }

    #[test]
    fn offsets_map_back_around_insertions_and_replacements() {
        let text = "let a = 1 b = a == 1 in b";
        let tree = super::super::parse(text).tree;
        let edits = [insert(9, ","), Edit { range: 16..18, new_text: "=".to_string() }];
        let diagnostics: Vec<Diagnostic> = edits
            .iter()
            .map(|edit| {
                Diagnostic::new(crate::diagnostics::codes::M102, edit.range.clone(), "x")
                    .with_fix(crate::diagnostics::Fix { title: "fix".into(), edits: vec![edit.clone()] })
            })
            .collect();
        let repaired = repair(&tree, text, &diagnostics).expect("the fixes make the text valid");
        assert_eq!(repaired.text, "let a = 1, b = a = 1 in b");
        assert!(!repaired.tree.root_node().has_error());
        // `b` after the inserted `,` is where it was; the `,` itself maps to where it was inserted.
        let b = repaired.text.find("b =").unwrap();
        assert_eq!(repaired.to_original(b, false), text.find("b =").unwrap());
        assert_eq!(repaired.range_to_original(&(9..10)), 9..9);
        // The last `b`, after both fixes.
        let last = repaired.text.len() - 1;
        assert_eq!(repaired.to_original(last, false), text.len() - 1);
        // The replaced `=` maps onto the `==` it replaced.
        assert_eq!(repaired.range_to_original(&(17..18)), 16..18);
    }
}
