//! Selection ranges ("expand selection"): for an offset, the ranges an editor grows the selection through,
//! innermost first: the token, the inside of a text or quoted name, an argument or list item with its
//! neighbours' separators left out, then every syntax node around it up to the whole document.
//!
//! The nodes around the offset come from one descent from the root ([`crate::syntax::locate::path_to`]),
//! not from climbing with `Node::parent()`, which costs the depth of the tree at each step. At most
//! [`MAX_RANGES`] ranges are given, the innermost ones and then the whole document: a chain as deep as
//! 100,000 nested parentheses helps nobody and is a burden to send.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::syntax::locate::path_to;

/// How many ranges a chain holds at most, the whole document included.
pub const MAX_RANGES: usize = 64;

/// The selection ranges at each offset, innermost first, each containing the one before; at most
/// [`MAX_RANGES`] of them, the last always the whole document.
pub fn selection_ranges(text: &str, tree: &Tree, offsets: &[usize]) -> Vec<Vec<Range<usize>>> {
    offsets.iter().map(|&offset| selection_at(text, tree, offset)).collect()
}

fn selection_at(text: &str, tree: &Tree, offset: usize) -> Vec<Range<usize>> {
    let offset = crate::text::floor_char_boundary(text, offset);
    let root = tree.root_node();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let push = |ranges: &mut Vec<Range<usize>>, range: Range<usize>| {
        let grows = ranges
            .last()
            .is_none_or(|last| range.start <= last.start && last.end <= range.end && range != *last);
        if grows && !range.is_empty() {
            ranges.push(range);
        }
    };
    let mut path = path_at(root, offset);
    let Some(node) = path.pop() else {
        return std::iter::once(0..text.len()).collect();
    };
    // The inside of a text, a quoted name or a block comment first.
    let inner = match node.kind() {
        "text_literal" | "quoted_identifier" => {
            let token = &text[node.byte_range()];
            let start = node.start_byte() + if token.starts_with('#') { 2 } else { 1 };
            let end =
                if token.len() > 1 && token.ends_with('"') { node.end_byte() - 1 } else { node.end_byte() };
            (start < end && start <= offset && offset <= end).then_some(start..end)
        }
        _ => None,
    };
    if let Some(inner) = inner {
        push(&mut ranges, inner);
    }
    push(&mut ranges, node.byte_range());
    for parent in path.into_iter().rev() {
        if ranges.len() + 1 >= MAX_RANGES {
            break;
        }
        // The items of a list, record or argument list, together, before the whole with its brackets.
        if matches!(
            parent.kind(),
            "argument_list" | "list_expression" | "record_expression" | "parameter_list" | "record_type"
        ) {
            let mut cursor = parent.walk();
            let items: Vec<Node> =
                parent.named_children(&mut cursor).filter(|c| c.kind() != "comment").collect();
            if let (Some(first), Some(last)) = (items.first(), items.last()) {
                push(&mut ranges, first.start_byte()..last.end_byte());
            }
        }
        push(&mut ranges, parent.byte_range());
    }
    ranges.truncate(MAX_RANGES - 1);
    push(&mut ranges, 0..text.len());
    ranges
}

/// The smallest node at an offset, after the nodes around it from the root down; at the end of a name
/// (`Source|,`), the name rather than what follows.
fn path_at(root: Node, offset: usize) -> Vec<Node> {
    let at_path = path_to(root, offset, offset);
    let Some(&at) = at_path.last() else { return at_path };
    let token_starts_here = at.start_byte() == offset && at.child_count() == 0;
    if offset > 0 && (!token_starts_here || !at.is_named()) {
        let before_path = path_to(root, offset - 1, offset - 1);
        if let Some(before) = before_path.last() {
            if before.end_byte() == offset
                && before.child_count() == 0
                && (before.is_named() || !token_starts_here)
            {
                return before_path;
            }
        }
    }
    at_path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{dedent, Fixture};

    /// Renders each range's text, innermost first.
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let ranges = selection_ranges(&fixture.mashup, &fixture.tree, &[fixture.offset()]).remove(0);
        let lines: Vec<String> = ranges.iter().map(|r| format!("{:?}", &fixture.mashup[r.clone()])).collect();
        assert_eq!(lines.join("\n"), dedent(expect));
    }

    #[test]
    fn expands_through_the_tree() {
        check(
            "let a = Table.AddColumn(Source, \"Ma$0rgin\", each 1) in a",
            r#"
            "Margin"
            "\"Margin\""
            "Source, \"Margin\", each 1"
            "(Source, \"Margin\", each 1)"
            "Table.AddColumn(Source, \"Margin\", each 1)"
            "a = Table.AddColumn(Source, \"Margin\", each 1)"
            "let a = Table.AddColumn(Source, \"Margin\", each 1) in a"
            "#,
        );
        check(
            "let\r\n  #\"Größe x\"$0 = 1\r\nin\r\n  #\"Größe x\"",
            r##"
            "#\"Größe x\""
            "#\"Größe x\" = 1"
            "let\r\n  #\"Größe x\" = 1\r\nin\r\n  #\"Größe x\""
            "##,
        );
    }

    #[test]
    fn broken_code() {
        let fixture = Fixture::parse("section S; shared Q = let a = (1 in a$0;");
        let ranges = selection_ranges(&fixture.mashup, &fixture.tree, &[fixture.offset()]).remove(0);
        assert_eq!(&fixture.mashup[ranges[0].clone()], "a");
        assert_eq!(ranges.last().unwrap().clone(), 0..fixture.mashup.len());
        assert!(ranges.windows(2).all(|w| w[1].start <= w[0].start && w[0].end <= w[1].end));
    }

    /// Inside 100,000 parentheses: the innermost ranges, then the whole document, found in one descent.
    #[test]
    fn deep_nesting_gives_a_bounded_chain() {
        let depth = 100_000;
        let text = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        let tree = crate::syntax::parse(&text).tree;
        let started = std::time::Instant::now();
        let ranges = selection_ranges(&text, &tree, &[depth]).remove(0);
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
        assert_eq!(ranges.len(), MAX_RANGES);
        assert_eq!(ranges[0], depth..depth + 1);
        assert_eq!(ranges[1], depth - 1..depth + 2);
        assert_eq!(*ranges.last().unwrap(), 0..text.len());
    }
}
