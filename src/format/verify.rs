//! Whether two texts are the same M once whitespace and comments are set aside: the check that the
//! formatter only ever moved whitespace, run by the tests over every fixture and by `dfls fmt` before it
//! writes anything.
//!
//! For text without syntax errors the two trees must have the same shape (node kinds, fields, the text of
//! every token) once comments are skipped; for text with errors, whose recovery may group and even read
//! tokens differently once whitespace changes, the same token texts in the same order. In both cases the comments must be the same, in the same
//! order. The walks are iterative.

use tree_sitter::{Tree, TreeCursor};

use super::builder::is_comment;

/// `Ok` when `after` is `before` up to whitespace and the placement of comments, else what differs first.
pub fn equivalent(before: &str, before_tree: &Tree, after: &str, after_tree: &Tree) -> Result<(), String> {
    let structural = !before_tree.root_node().has_error();
    let mut left = Events::new(before, before_tree, structural);
    let mut right = Events::new(after, after_tree, structural);
    if let Some((l, r)) = first_difference(&mut left, &mut right) {
        return Err(format!(
            "the input has {} where the output has {}",
            describe(l.as_ref()),
            describe(r.as_ref())
        ));
    }
    let (before_comments, after_comments) = (left.comments, right.comments);
    if before_comments != after_comments {
        let lost = before_comments.iter().find(|c| !after_comments.contains(c));
        return Err(match lost {
            Some(comment) => format!("the comment `{comment}` is missing from the output"),
            None => "the comments are not the same in the output".to_string(),
        });
    }
    Ok(())
}

/// Whether two trees have the same shape (node kinds, error nodes included, fields, token kinds and
/// texts) once comments are set aside: whether the parser's error recovery read a reformatted broken
/// file as it read the original.
pub fn same_structure(before: &str, before_tree: &Tree, after: &str, after_tree: &Tree) -> bool {
    let mut left = Events::new(before, before_tree, true);
    let mut right = Events::new(after, after_tree, true);
    first_difference(&mut left, &mut right).is_none()
}

/// The first pair of events that differ, `None` when both walks are the same to their ends.
fn first_difference<'t>(
    left: &mut Events<'t>,
    right: &mut Events<'t>,
) -> Option<(Option<Event<'t>>, Option<Event<'t>>)> {
    loop {
        match (left.next(), right.next()) {
            (None, None) => return None,
            (l, r) if l == r => {}
            (l, r) => return Some((l, r)),
        }
    }
}

/// The comments of a text, in order.
pub fn comments<'t>(text: &'t str, tree: &Tree) -> Vec<&'t str> {
    let mut found = Vec::new();
    crate::syntax::preorder(tree.root_node(), |node| {
        if is_comment(node) {
            found.push(&text[node.byte_range()]);
        }
    });
    found
}

/// One step of a walk over a tree without its comments.
#[derive(Debug, PartialEq, Eq)]
enum Event<'t> {
    Enter { kind: u16, field: Option<std::num::NonZeroU16> },
    Token { kind: u16, text: &'t str },
    Exit,
}

fn describe(event: Option<&Event>) -> String {
    let language = crate::syntax::language();
    match event {
        None => "the end".to_string(),
        Some(Event::Enter { kind, .. }) => format!("a `{}`", language.node_kind_for_id(*kind).unwrap_or("?")),
        Some(Event::Token { text, .. }) => format!("`{text}`"),
        Some(Event::Exit) => "the end of a node".to_string(),
    }
}

/// The events of a preorder walk; with `structural` false, only the tokens.
struct Events<'t> {
    text: &'t str,
    cursor: TreeCursor<'t>,
    structural: bool,
    /// Events waiting to be returned (an exit after a move up).
    exits: usize,
    done: bool,
    /// Whether the cursor's node has not been reported yet.
    fresh: bool,
    /// The comments passed, in order.
    comments: Vec<&'t str>,
}

impl<'t> Events<'t> {
    fn new(text: &'t str, tree: &'t Tree, structural: bool) -> Events<'t> {
        Events {
            text,
            cursor: tree.walk(),
            structural,
            exits: 0,
            done: false,
            fresh: true,
            comments: Vec::new(),
        }
    }

    /// Moves to the next node in preorder, counting the nodes left on the way up.
    fn advance(&mut self) {
        if self.cursor.goto_first_child() {
            return;
        }
        loop {
            if self.cursor.goto_next_sibling() {
                return;
            }
            if !self.cursor.goto_parent() {
                self.done = true;
                return;
            }
            self.exits += 1;
        }
    }
}

impl<'t> Iterator for Events<'t> {
    type Item = Event<'t>;

    fn next(&mut self) -> Option<Event<'t>> {
        loop {
            if self.exits > 0 {
                self.exits -= 1;
                if self.structural {
                    return Some(Event::Exit);
                }
                continue;
            }
            if self.done {
                return None;
            }
            if !self.fresh {
                self.advance();
                self.fresh = true;
                continue;
            }
            self.fresh = false;
            let node = self.cursor.node();
            if is_comment(node) {
                // A comment has no children: stepping past it never goes down.
                self.comments.push(&self.text[node.byte_range()]);
                continue;
            }
            if node.child_count() == 0 {
                if node.byte_range().is_empty() && !node.is_missing() {
                    continue;
                }
                // Error recovery may read the same text as other tokens (`nullable` a keyword or a name)
                // once whitespace changes: in a broken file only the text of the tokens counts.
                let kind = if self.structural { node.kind_id() } else { 0 };
                return Some(Event::Token { kind, text: &self.text[node.byte_range()] });
            }
            if self.structural {
                // The exit of a node with children comes when the walk climbs back past it.
                return Some(Event::Enter { kind: node.kind_id(), field: self.cursor.field_id() });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(before: &str, after: &str) -> Result<(), String> {
        let parse = |text: &str| crate::syntax::parse(text).tree;
        equivalent(before, &parse(before), after, &parse(after))
    }

    #[test]
    fn whitespace_and_comment_moves_are_equivalent() {
        assert!(check("let a=1 // c\n in a", "let\n  a = 1 // c\nin\n  a").is_ok());
        assert!(check("f(1,2)", "f(\n  1,\n  2\n)").is_ok());
    }

    #[test]
    fn changed_tokens_structure_or_comments_are_not() {
        assert!(check("f(1, 2)", "f(1, 3)").unwrap_err().contains("`2`"));
        assert!(check("a - -1", "a--1").is_ok(), "`--` is two minus signs in M");
        assert!(check("(a + b) * c", "a + b * c").is_err());
        assert!(check("1 // c\n", "1\n").unwrap_err().contains("// c"));
        assert!(check("let a = 1 in", "let a = 1 in").is_ok());
    }

    #[test]
    fn error_recovery_that_reads_a_layout_differently_is_another_structure() {
        let same = |before: &str, after: &str| {
            let parse = |text: &str| crate::syntax::parse(text).tree;
            same_structure(before, &parse(before), after, &parse(after))
        };
        assert!(same("section S;\nshared B = (;\n", "section S;\nshared B = (;\n"));
        assert!(same("let a=1 // c\n in a", "let\n  a = 1 // c\nin\n  a"));
        assert!(!same(
            "section Sec\n;\nssharedhared Salesections let\n    Source = 1\nin\n    Source;\n}",
            "section Sec;\nssharedhared Salesections let\n    Source = 1\nin\n    Source;\n}"
        ));
        assert!(!same(
            "section Contoso\n\n[D// end\nSource.Kind = \"Contoso\"]\nshared Contoso.Contents = 1;\n",
            "section Contoso\n[D// end\nSource.Kind = \"Contoso\"]\nshared Contoso.Contents = 1;\n"
        ));
    }
}
