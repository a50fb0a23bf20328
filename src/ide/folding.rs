//! Folding ranges: the grammar's `folds.scm` (lets, ifs, records, lists, argument lists, queries, ...)
//! and comments (block comments, and runs of line comments), when they span more than one line.
//!
//! Ranges are byte ranges of whole nodes; the language server turns them into lines (and may keep the
//! last line, with its closing bracket, visible). Of several folds that start on the same line only the
//! outermost is kept: editors fold by start line.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Query, QueryCursor, StreamingIterator, Tree};

use super::context::{Context, FrameKind, Start};
use crate::text::LineIndex;

/// What a fold is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FoldKind {
    /// A construct of the language.
    Region,
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub range: Range<usize>,
    pub kind: FoldKind,
}

static FOLDS: LazyLock<Query> = LazyLock::new(|| {
    Query::new(&crate::syntax::language(), tree_sitter_powerquery::FOLDS_QUERY).expect("folds.scm compiles")
});

/// The folding ranges of an M document, in order.
pub fn folding_ranges(text: &str, tree: &Tree) -> Vec<Fold> {
    let index = LineIndex::new(text);
    let multi_line = |range: &Range<usize>| {
        index.line_of(range.start) != index.line_of(range.end.saturating_sub(1).max(range.start))
    };
    let mut folds: Vec<Fold> = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&FOLDS, tree.root_node(), text.as_bytes());
    while let Some(found) = matches.next() {
        for capture in found.captures {
            let node = capture.node;
            let range = node.byte_range();
            if !multi_line(&range) {
                continue;
            }
            let kind = if node.kind() == "comment" { FoldKind::Comment } else { FoldKind::Region };
            folds.push(Fold { range, kind });
        }
    }
    // Inside syntax errors the tree has lost the brackets and lets; the tokens still have them.
    let mut errors = Vec::new();
    collect_errors(&mut tree.walk(), &mut errors);
    for error in errors {
        let context = Context::scan(text, error.clone(), Start::Document, error.end);
        for frame in &context.frames {
            let region = matches!(
                frame.kind,
                FrameKind::Let { .. }
                    | FrameKind::Paren { .. }
                    | FrameKind::Brace
                    | FrameKind::Bracket { .. }
            );
            let range = frame.start..frame.end.unwrap_or(error.end).min(text.len());
            if region && multi_line(&range) {
                folds.push(Fold { range, kind: FoldKind::Region });
            }
        }
    }
    // Runs of line comments, each on a line of its own.
    let mut run: Option<Range<usize>> = None;
    let mut comments = Vec::new();
    let mut walk = tree.walk();
    collect_line_comments(&mut walk, text, &mut comments);
    for comment in comments {
        match &mut run {
            Some(current) if index.line_of(comment.start) == index.line_of(current.end) + 1 => {
                current.end = comment.end
            }
            _ => {
                if let Some(done) = run.take().filter(|r| multi_line(r)) {
                    folds.push(Fold { range: done, kind: FoldKind::Comment });
                }
                run = Some(comment);
            }
        }
    }
    if let Some(done) = run.filter(|r| multi_line(r)) {
        folds.push(Fold { range: done, kind: FoldKind::Comment });
    }
    folds.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut out: Vec<Fold> = Vec::new();
    for fold in folds {
        let line = index.line_of(fold.range.start);
        if out.last().is_some_and(|last| index.line_of(last.range.start) == line) {
            continue;
        }
        out.push(fold);
    }
    out
}

/// The outermost ERROR nodes, in order (iteratively).
fn collect_errors(cursor: &mut tree_sitter::TreeCursor, out: &mut Vec<Range<usize>>) {
    loop {
        let node = cursor.node();
        let descend = if node.is_error() {
            out.push(node.byte_range());
            false
        } else {
            node.has_error()
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The `//` comments that are alone on their line, in order (iteratively).
fn collect_line_comments(cursor: &mut tree_sitter::TreeCursor, text: &str, out: &mut Vec<Range<usize>>) {
    loop {
        let node = cursor.node();
        if node.kind() == "comment" && text[node.byte_range()].starts_with("//") {
            let line_start = text[..node.start_byte()].rfind(['\n', '\r']).map_or(0, |at| at + 1);
            if text[line_start..node.start_byte()].trim().is_empty() {
                out.push(node.byte_range());
            }
        }
        if node.child_count() > 0 && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{dedent, Fixture};

    /// Renders each fold as its kind and its first and last lines (1-based).
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let index = LineIndex::new(&fixture.mashup);
        let lines: Vec<String> = folding_ranges(&fixture.mashup, &fixture.tree)
            .into_iter()
            .map(|f| {
                format!(
                    "{:?} {}-{}",
                    f.kind,
                    index.line_of(f.range.start) + 1,
                    index.line_of(f.range.end - 1) + 1
                )
            })
            .collect();
        assert_eq!(lines.join("\n"), dedent(expect));
    }

    #[test]
    fn constructs_and_comments() {
        check(
            "section S;\r\n// Two lines\r\n// of comments.\r\nshared Q = let\r\n    /* a block\r\n       comment */\r\n    Source = Table.FromRecords({\r\n        [A = 1],\r\n        [A = 2]\r\n    }),\r\n    One = 1\r\nin\r\n    Source;\r\nshared R = [A = 1];\r\n",
            r#"
            Comment 2-3
            Region 4-13
            Comment 5-6
            Region 7-10
            "#,
        );
    }

    #[test]
    fn broken_code_still_folds() {
        check(
            "let\n  a = {\n    1,\n    2\n  },\n  b = (\nin\n  a",
            r#"
            Region 1-8
            Region 2-5
            Region 6-8
            "#,
        );
    }
}
