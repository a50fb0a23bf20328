//! Finding nodes by offset without climbing the tree.
//!
//! tree-sitter nodes do not know their parents: `Node::parent()` descends from the root again each time
//! (and recurses in C for a zero-width node), and `Node::prev_sibling()`, `next_sibling()` and their named
//! variants call it. A loop that climbs from a node to the root therefore costs the square of the depth,
//! and a walk that calls one of them per node the cube; on 100,000 nested parentheses either never ends,
//! or overflows the stack. Code reachable from a request or a check finds ancestors here instead, by
//! descending once: [`path_to`] gives the nodes from the root down to an offset, and a [`Locator`] answers a
//! series of lookups at increasing offsets with one cursor that only moves forward, so that a pass over a
//! file costs the size of the tree, not the size times the depth.

use tree_sitter::{Node, TreeCursor};

/// The named sibling after `node`, a child of `parent`, for a walk that asks about `parent`'s children in
/// order: `lookahead` is a cursor over those children kept between the questions (`None` before the
/// first), which only moves forward and never passes a named child it was not asked about, so the
/// questions about all the children cost their number, not its square ([`Node::next_named_sibling`]
/// climbs through the parent each time).
pub fn next_named_sibling<'t>(
    parent: Node<'t>,
    lookahead: &mut Option<TreeCursor<'t>>,
    node: Node<'t>,
) -> Option<Node<'t>> {
    let cursor = lookahead.get_or_insert_with(|| {
        let mut cursor = parent.walk();
        cursor.goto_first_child();
        cursor
    });
    while cursor.node() != node {
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
    while cursor.goto_next_sibling() {
        if cursor.node().is_named() {
            return Some(cursor.node());
        }
    }
    None
}

/// The nodes from `root` down to the smallest node that holds `start..end`, root first: the last one is
/// the node `root.descendant_for_byte_range(start, end)` finds, the ones before it are its ancestors.
pub fn path_to<'t>(root: Node<'t>, start: usize, end: usize) -> Vec<Node<'t>> {
    let mut path = vec![root];
    let mut cursor = root.walk();
    descend(&mut cursor, start, end, |node| path.push(node));
    path
}

/// Moves `cursor` down from its node to the smallest descendant that holds `start..end`, the way
/// `Node::descendant_for_byte_range` chooses: at each level, the first child that ends after `start`,
/// when it also starts at or before `start` and ends at or after `end`. `entered` sees each node entered.
fn descend<'t>(cursor: &mut TreeCursor<'t>, start: usize, end: usize, mut entered: impl FnMut(Node<'t>)) {
    while cursor.goto_first_child_for_byte(start).is_some() {
        let node = cursor.node();
        if node.start_byte() > start || node.end_byte() < end {
            cursor.goto_parent();
            return;
        }
        entered(node);
    }
}

/// Finds the smallest node holding each of a series of ranges, and its ancestors, with a cursor that
/// climbs only as far as the next range needs. Lookups at increasing offsets cost the size of the tree in
/// all, however deep it is; any order of lookups is answered correctly.
pub struct Locator<'t> {
    cursor: TreeCursor<'t>,
    /// The nodes from the root to the cursor's node.
    path: Vec<Node<'t>>,
}

impl<'t> Locator<'t> {
    pub fn new(root: Node<'t>) -> Locator<'t> {
        Locator { cursor: root.walk(), path: vec![root] }
    }

    /// The node `root.descendant_for_byte_range(start, end)` finds.
    pub fn descendant(&mut self, start: usize, end: usize) -> Node<'t> {
        // An ancestor of the answer is any node that holds `start` (not just ends at it) and `end`: the
        // descent from the root passes through it, so climbing to the nearest such node and descending
        // from there finds what a descent from the root finds.
        let holds =
            |node: Node| node.start_byte() <= start && start < node.end_byte() && end <= node.end_byte();
        while self.path.len() > 1 && !holds(self.cursor.node()) {
            // When the range is after the node, the child of its parent that holds it is a later sibling:
            // moving forward to it, rather than descending from the parent again, keeps lookups in the
            // order of the text linear in a node with 100,000 children (descending scans from the first).
            if self.cursor.node().end_byte() <= start && self.cursor.goto_next_sibling() {
                self.path.pop();
                self.path.push(self.cursor.node());
                if self.cursor.node().start_byte() <= start {
                    continue;
                }
            }
            self.cursor.goto_parent();
            self.path.pop();
        }
        let path = &mut self.path;
        descend(&mut self.cursor, start, end, |node| path.push(node));
        self.cursor.node()
    }

    /// The parent of `node`, which is the node at its range or an ancestor of it; `None` for the root and
    /// for an empty node, which no lookup finds.
    pub fn parent(&mut self, node: Node<'t>) -> Option<Node<'t>> {
        self.descendant(node.start_byte(), node.end_byte());
        // Below `node` on the path are only nodes with its range: a short chain.
        let at = self.path.iter().rposition(|on_path| *on_path == node)?;
        at.checked_sub(1).map(|parent| self.path[parent])
    }

    /// The nodes from the root down to the node the last lookup found.
    pub fn path(&self) -> &[Node<'t>] {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lookup agrees with tree-sitter's own, at every offset and for ranges, in order and not.
    #[test]
    fn agrees_with_descendant_for_byte_range() {
        let texts = [
            "section S; shared A = let a = (1 + 2) * f(x, {1, 2}) in a; shared B = [a = 1, b = \"t\"];",
            "let a = (1 in a",
            "{1 2, {1 2, 3}}",
            "",
            "  // only a comment\n",
            "f(x, , y) /* c */ + #date(2024, 1, 1)",
        ];
        for text in texts {
            let tree = crate::syntax::parse(text).tree;
            let root = tree.root_node();
            let mut locator = Locator::new(root);
            let mut ranges: Vec<(usize, usize)> = Vec::new();
            for start in 0..=text.len() {
                for end in [start, start + 1, start + 3, text.len()] {
                    ranges.push((start, end.min(text.len())));
                }
            }
            for &(start, end) in ranges.iter().chain(ranges.iter().rev()) {
                let expected = root.descendant_for_byte_range(start, end).unwrap();
                assert_eq!(locator.descendant(start, end), expected, "{text:?} at {start}..{end}");
                assert_eq!(locator.path().last(), Some(&expected));
                assert_eq!(locator.parent(expected), expected.parent(), "{text:?} at {start}..{end}");
                let path = path_to(root, start, end);
                assert_eq!(*path.last().unwrap(), expected, "{text:?} at {start}..{end}");
                let mut ancestors = Vec::new();
                let mut node = expected;
                while let Some(parent) = node.parent() {
                    ancestors.push(parent);
                    node = parent;
                }
                ancestors.reverse();
                assert_eq!(&path[..path.len() - 1], ancestors.as_slice(), "{text:?} at {start}..{end}");
            }
        }
    }

    #[test]
    fn deep_trees_cost_their_size() {
        let depth = 100_000;
        let text = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        let tree = crate::syntax::parse(&text).tree;
        let path = path_to(tree.root_node(), depth, depth);
        assert_eq!(path.last().unwrap().kind(), "number_literal");
        assert!(path.len() > depth);
        // Every offset in order: the cursor goes down and up the tree once.
        let mut locator = Locator::new(tree.root_node());
        for offset in 0..text.len() {
            assert_eq!(locator.descendant(offset, offset + 1).byte_range(), offset..offset + 1);
        }
        // A syntax error with 100,000 tokens in it is one node with as many children: the lookups move
        // from one child to the next.
        let text = format!("f(g{}", " 1".repeat(100_000));
        let tree = crate::syntax::parse(&text).tree;
        let mut locator = Locator::new(tree.root_node());
        for offset in (4..text.len()).step_by(2) {
            assert_eq!(locator.descendant(offset, offset + 1).byte_range(), offset..offset + 1);
        }
    }
}
