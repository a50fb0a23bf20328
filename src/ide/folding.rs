//! Folding ranges: the node kinds of the grammar's `folds.scm` (lets, ifs, records, lists, argument
//! lists, queries, ...) and comments (block comments, and runs of line comments), when they span more than
//! one line; inside syntax errors, the brackets and lets the tokens show.
//!
//! Ranges are byte ranges of whole nodes; the language server turns them into lines (and may keep the
//! last line, with its closing bracket, visible). Of several folds that start on the same line only the
//! outermost is kept: editors fold by start line.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::Tree;

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

/// The node kinds `folds.scm` folds, read from the query once: a walk of the tree testing kind ids is
/// several times faster than running the query, and gives the same folds (its only predicate, block
/// comments, is checked by hand).
static FOLDED_KINDS: LazyLock<Vec<u16>> = LazyLock::new(|| {
    let language = crate::syntax::language();
    let query = tree_sitter_powerquery::FOLDS_QUERY;
    let mut kinds: Vec<u16> = query
        .lines()
        .filter(|line| !line.trim_start().starts_with(';'))
        .flat_map(|line| line.split(['(', ')', ' ', '[', ']']))
        .filter(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(|word| language.id_for_node_kind(word, true))
        .filter(|&id| id != 0)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
});

/// The folding ranges of an M document, in order.
pub fn folding_ranges(text: &str, tree: &Tree) -> Vec<Fold> {
    let index = LineIndex::new(text);
    let multi_line = |range: &Range<usize>| {
        index.line_of(range.start) != index.line_of(range.end.saturating_sub(1).max(range.start))
    };
    let mut folds: Vec<Fold> = Vec::new();
    let mut errors = Vec::new();
    let mut line_comments = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let mut descend = node.child_count() > 0;
        if node.is_error() {
            // Inside syntax errors the tree has lost the brackets and lets; the tokens below have them.
            errors.push(node.byte_range());
            descend = false;
        } else if node.kind() == "comment" {
            let comment = &text[node.byte_range()];
            if comment.starts_with("/*") {
                if multi_line(&node.byte_range()) {
                    folds.push(Fold { range: node.byte_range(), kind: FoldKind::Comment });
                }
            } else {
                let line_start = text[..node.start_byte()].rfind(['\n', '\r']).map_or(0, |at| at + 1);
                if text[line_start..node.start_byte()].trim().is_empty() {
                    line_comments.push(node.byte_range());
                }
            }
        } else if FOLDED_KINDS.binary_search(&node.kind_id()).is_ok() && multi_line(&node.byte_range()) {
            folds.push(Fold { range: node.byte_range(), kind: FoldKind::Region });
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return finish(text, &index, folds, errors, line_comments);
            }
        }
    }
}

fn finish(
    text: &str,
    index: &LineIndex,
    mut folds: Vec<Fold>,
    errors: Vec<Range<usize>>,
    line_comments: Vec<Range<usize>>,
) -> Vec<Fold> {
    let multi_line = |range: &Range<usize>| {
        index.line_of(range.start) != index.line_of(range.end.saturating_sub(1).max(range.start))
    };
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
    for comment in line_comments {
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

    /// The walk folds exactly what running `folds.scm` captures.
    #[test]
    fn the_walk_agrees_with_the_query() {
        use tree_sitter::{Query, QueryCursor, StreamingIterator};
        let text = "section S;\nshared F = (\n  x as number,\n  y\n) as number =>\n  if x > 0\n  then try {\n    1,\n    [A = 1,\n     B = 2]\n  } otherwise 0\n  else let\n    a = f(\n      1)\n  in a;\nshared T = type function (\n  a as text) as table [\n  A = text,\n  B = {\n    number}];\n/* a\n block */\n";
        let tree = crate::syntax::parse(text).tree;
        let query = Query::new(&crate::syntax::language(), tree_sitter_powerquery::FOLDS_QUERY).unwrap();
        let mut cursor = QueryCursor::new();
        let mut from_query = Vec::new();
        let mut matches = cursor.matches(&query, tree.root_node(), text.as_bytes());
        while let Some(found) = matches.next() {
            for capture in found.captures {
                if text[capture.node.byte_range()].contains('\n') {
                    from_query.push(capture.node.byte_range());
                }
            }
        }
        from_query.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let index = LineIndex::new(text);
        from_query.dedup_by(|b, a| index.line_of(a.start) == index.line_of(b.start));
        let walked: Vec<Range<usize>> = folding_ranges(text, &tree).into_iter().map(|f| f.range).collect();
        assert_eq!(walked, from_query);
        assert!(FOLDED_KINDS.len() >= 11, "{:?}", *FOLDED_KINDS);
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
