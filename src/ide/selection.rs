//! Selection ranges ("expand selection"): for an offset, the ranges an editor grows the selection through,
//! innermost first: the token, the inside of a text or quoted name, an argument or list item with its
//! neighbours' separators left out, then every syntax node around it up to the whole document.

use std::ops::Range;

use tree_sitter::{Node, Tree};

/// The selection ranges at each offset, innermost first, each containing the one before.
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
    let Some(mut node) = leaf_at(root, offset) else {
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
    loop {
        push(&mut ranges, node.byte_range());
        let Some(parent) = node.parent() else { break };
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
        node = parent;
    }
    push(&mut ranges, 0..text.len());
    ranges
}

/// The smallest node at an offset; at the end of a name (`Source|,`), the name rather than what follows.
fn leaf_at(root: Node, offset: usize) -> Option<Node> {
    let at = root.descendant_for_byte_range(offset, offset)?;
    let token_starts_here = at.start_byte() == offset && at.child_count() == 0;
    if offset > 0 && (!token_starts_here || !at.is_named()) {
        if let Some(before) = root.descendant_for_byte_range(offset - 1, offset - 1) {
            if before.end_byte() == offset
                && before.child_count() == 0
                && (before.is_named() || !token_starts_here)
            {
                return Some(before);
            }
        }
    }
    Some(at)
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
}
