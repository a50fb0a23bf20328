//! The analysis of just the query around an offset, for the features that look only there (completion,
//! hover, signature help) when the whole document's analysis is not at hand.
//!
//! A section document's queries are independent but for their names, so the query around the cursor is
//! parsed again on its own, with the section header, through tree-sitter's included ranges: node offsets
//! stay those of the whole text, and the binder sees a one-query section. Names of the other queries are
//! then unresolved in that analysis; the features find them in the whole tree ([`super::queries`]). An
//! expression document, or an offset outside any query, is analysed whole.
//!
//! A query the parser could not make sense of (a member with a syntax error, an ERROR inside the section,
//! or one after it when the error ended the section) is analysed from its last `;` before the offset
//! (an ERROR may hold several members), and only in a window of
//! [`BROKEN_WINDOW`] bytes either side of the offset: tree-sitter's error recovery costs more than linear
//! time on garbage (a text left open swaps text and code for the rest of the file, and parsing 400 KB of
//! that takes seconds), while what a feature at the cursor needs of a broken query is near the cursor.
//! The token scan of [`super::context`] finds the names the window leaves out.

use std::ops::Range;

use tree_sitter::{Node, Point, Tree};

use super::context::after_last_semicolon;
use crate::semantics::{self, Analysis};

/// An analysis of part of a document.
pub struct LocalAnalysis {
    /// Its ranges are ranges of the whole text.
    pub analysis: Analysis,
    /// The byte ranges of the text that were analysed.
    pub ranges: Vec<Range<usize>>,
}

/// How far from the offset the analysis of a broken query reaches, either way (then to a line boundary).
pub(crate) const BROKEN_WINDOW: usize = 4 * 1024;

/// Analyses the query (section member, or the syntax error standing for one) around `offset`, with its
/// section's header; the whole document when it is not a section document. `tree` is the parse of
/// `text`. Features take it with the document's own tree: `MFile::new(text, tree, &local.analysis)`.
pub fn analyze_around(text: &str, tree: &Tree, offset: usize) -> LocalAnalysis {
    let offset = crate::text::floor_char_boundary(text, offset);
    match local_ranges(tree, text, offset) {
        Some(ranges) => {
            let mut parser = crate::syntax::new_parser();
            let included: Vec<tree_sitter::Range> = ranges
                .iter()
                .map(|r| tree_sitter::Range {
                    start_byte: r.start,
                    end_byte: r.end,
                    start_point: point_at(text, r.start),
                    end_point: point_at(text, r.end),
                })
                .collect();
            if parser.set_included_ranges(&included).is_ok() {
                if let Some(local) = parser.parse(text, None) {
                    let analysis = semantics::analyze(&local, text);
                    return LocalAnalysis { analysis, ranges };
                }
            }
            whole(text, tree)
        }
        None => whole(text, tree),
    }
}

fn whole(text: &str, tree: &Tree) -> LocalAnalysis {
    LocalAnalysis {
        analysis: semantics::analyze(tree, text),
        ranges: std::iter::once(0..text.len()).collect(),
    }
}

/// The section header and the query around `offset`: the member that holds it, or the part of the syntax
/// error that does (see the module documentation). `None` outside any section.
fn local_ranges(tree: &Tree, text: &str, offset: usize) -> Option<Vec<Range<usize>>> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let children: Vec<Node> = root.children(&mut cursor).collect();
    let is_section = |c: &Node| c.is_named() && c.kind() == "section";
    let at = children.iter().position(|c| c.start_byte() <= offset && offset <= c.end_byte())?;
    let child = children[at];
    if is_section(&child) {
        let mut cursor = child.walk();
        let parts: Vec<Node> = child.children(&mut cursor).collect();
        let header = header(&child)?;
        let member = parts.iter().find(|p| {
            p.start_byte() >= header.end
                && p.start_byte() <= offset
                && offset <= p.end_byte()
                && (p.kind() == "section_member" || p.is_error())
        })?;
        let query =
            if member.has_error() { broken_query(text, *member, offset) } else { member.byte_range() };
        return Some(vec![header, query]);
    }
    // A syntax error that ended the section before it: the query is in it, under that section's header.
    if !child.is_error() {
        return None;
    }
    let section = children[..at].iter().rev().find(|c| is_section(c))?;
    Some(vec![header(section)?, broken_query(text, child, offset)])
}

/// `section Name;`: the start of a section to the end of its first `;`.
fn header(section: &Node) -> Option<Range<usize>> {
    let mut cursor = section.walk();
    let semicolon = section.children(&mut cursor).find(|p| p.kind() == ";")?;
    Some(section.start_byte()..semicolon.end_byte())
}

/// The part of a node with syntax errors (a member, or an ERROR standing for members) that stands for the
/// query at `offset`: from its last `;` before the offset to its end, within [`BROKEN_WINDOW`] of the
/// offset.
fn broken_query(text: &str, node: Node, offset: usize) -> Range<usize> {
    let start = after_last_semicolon(node, offset).max(window_start(text, offset));
    let end = node.end_byte().min(window_end(text, offset));
    start.min(offset)..end.max(offset)
}

/// The start of the first line that begins within [`BROKEN_WINDOW`] before `offset` (the window's start when
/// the line of the offset is longer than that).
fn window_start(text: &str, offset: usize) -> usize {
    if offset <= BROKEN_WINDOW {
        return 0;
    }
    let from = crate::text::floor_char_boundary(text, offset - BROKEN_WINDOW);
    text[from..offset].find('\n').map_or(from, |at| from + at + 1)
}

/// The end of the last line that ends within [`BROKEN_WINDOW`] after `offset` (the window's end when the
/// line of the offset is longer than that).
fn window_end(text: &str, offset: usize) -> usize {
    let to = crate::text::floor_char_boundary(text, offset.saturating_add(BROKEN_WINDOW));
    if to == text.len() {
        return to;
    }
    text[offset..to].rfind('\n').map_or(to, |at| offset + at)
}

/// The tree-sitter point of an offset: rows count `\n`, columns are bytes.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
    Point { row, column: offset - line_start }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantics::{DefinitionKind, Resolution};

    #[test]
    fn only_the_query_around_the_offset_is_analysed() {
        let text = "section S;\nshared A = let x = 1 in x + B;\nshared B = let y = 2 in y;\n";
        let tree = crate::syntax::parse(text).tree;
        let local = analyze_around(text, &tree, text.find("x + B").unwrap());
        let names: Vec<&str> =
            local.analysis.definitions().iter().map(|d| local.analysis.name(d.name)).collect();
        assert_eq!(names, ["S", "A", "x"]);
        let x = local.analysis.reference_at(text.find("x + B").unwrap()).unwrap();
        assert!(matches!(x.resolution, Resolution::Definition(_)));
        // B is another query: not resolved here.
        let b = local.analysis.reference_at(text.find("B;").unwrap()).unwrap();
        assert_eq!(b.resolution, Resolution::Unresolved);
        assert!(local
            .analysis
            .definitions()
            .iter()
            .any(|d| matches!(d.kind, DefinitionKind::SectionMember { .. }) && d.name_range.start == 18));

        // An expression document is analysed whole.
        let text = "let a = 1 in a";
        let tree = crate::syntax::parse(text).tree;
        let ranges = analyze_around(text, &tree, 13).ranges;
        assert_eq!((ranges.len(), ranges[0].clone()), (1, 0..text.len()));
    }
}
