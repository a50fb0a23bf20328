//! The analysis of just the query around an offset, for the features that look only there (completion,
//! hover, signature help) when the whole document's analysis is not at hand.
//!
//! A section document's queries are independent but for their names, so the query around the cursor is
//! parsed again on its own, with the section header, through tree-sitter's included ranges: node offsets
//! stay those of the whole text, and the binder sees a one-query section. Names of the other queries are
//! then unresolved in that analysis; the features find them in the whole tree ([`super::queries`]). An
//! expression document, or an offset outside any query, is analysed whole.

use std::ops::Range;

use tree_sitter::{Node, Point, Tree};

use crate::semantics::{self, Analysis};

/// An analysis of part of a document.
pub struct LocalAnalysis {
    /// Its ranges are ranges of the whole text.
    pub analysis: Analysis,
    /// The byte ranges of the text that were analysed.
    pub ranges: Vec<Range<usize>>,
}

/// Analyses the query (section member, or the syntax error standing for one) around `offset`, with its
/// section's header; the whole document when it is not a section document. `tree` is the parse of
/// `text`. Features take it with the document's own tree: `MFile::new(text, tree, &local.analysis)`.
pub fn analyze_around(text: &str, tree: &Tree, offset: usize) -> LocalAnalysis {
    match local_ranges(tree, offset) {
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

/// The section header and the member around `offset`, when the offset is in a member of a section.
fn local_ranges(tree: &Tree, offset: usize) -> Option<Vec<Range<usize>>> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let section: Node = root.children(&mut cursor).find(|c| {
        c.is_named() && c.kind() == "section" && c.start_byte() <= offset && offset <= c.end_byte()
    })?;
    let mut cursor = section.walk();
    let parts: Vec<Node> = section.children(&mut cursor).collect();
    let header_end = parts.iter().find(|p| p.kind() == ";")?.end_byte();
    let member = parts.iter().find(|p| {
        p.start_byte() >= header_end
            && p.start_byte() <= offset
            && offset <= p.end_byte()
            && (p.kind() == "section_member" || p.is_error())
    })?;
    Some(vec![section.start_byte()..header_end, member.start_byte()..member.end_byte()])
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
