//! Syntax errors: one diagnostic for each ERROR or MISSING region of the tree, worded for a person.

use tree_sitter::Tree;

use crate::diagnostics::{codes, Diagnostic};

/// The diagnostics of every ERROR and MISSING node.
pub(super) fn diagnose(tree: &Tree, _text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let root = tree.root_node();
    if !root.has_error() {
        return diagnostics;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let mut descend = node.has_error();
        if node.is_error() {
            diagnostics.push(Diagnostic::new(codes::M101, node.byte_range(), "syntax error"));
            descend = false;
        } else if node.is_missing() {
            diagnostics.push(Diagnostic::new(codes::M102, node.start_byte()..node.start_byte(), format!("expected `{}`", node.kind())));
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return diagnostics;
            }
        }
    }
}
