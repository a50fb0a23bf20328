//! The style: how each kind of node is laid out. Every function here walks all the children of its node
//! (so no token or comment is ever skipped) and only decides the whitespace between them.
//!
//! - Documents: a section's attribute record on the line before `section`; one member a line, `shared`
//!   members and private ones alike; blank lines between members kept (one at most), none added.
//! - `let`: `let` ends its line, bindings one a line indented once, `in` back at the indentation of the
//!   line that holds `let`, the body indented once (Fabric's layout: `shared Q = let` ... `in` ... `Q;`).
//!   A `let` with one binding inside an expression (an argument, a list item, a field) stays on one line
//!   when it fits; anywhere else, or with more bindings, it always breaks.
//! - Lists, records, argument and parameter lists, record types: on one line when they fit; otherwise one
//!   item a line, indented once, the closing bracket on a line of its own. A single list or record
//!   argument, and a list whose only item is a list or record, hug their brackets (`f([` ... `])`).
//! - Operators: one space on each side (`a + b`, `x = y`, `each _ > 1`, `x meta [...]`); a chain of one
//!   precedence that does not fit breaks before each operator, indented once. `,` is followed by a space,
//!   and nothing sits inside brackets or before `,` `;` `?`; unary `-`, `..`, `@` and `!` are tight.
//! - `if c then a else b` on one line when it fits, else `then` and `else` end lines with the branches
//!   indented, `else if` chains flat. `try x otherwise y` and `try x catch (e) => y` keep their keywords on
//!   the line of what precedes them.

use tree_sitter::{Node, TreeCursor};

use super::builder::Builder;
use super::doc::Cmd;

impl<'a> Builder<'a> {
    /// Lays out a node that has children, with the cursor on it.
    pub(super) fn layout(&mut self, c: &mut TreeCursor<'a>, node: Node<'a>, statement: bool) {
        match node.kind() {
            "source_file" => self.source_file(c),
            "section" => self.section(c),
            "section_member" => self.member(c),
            "let_expression" => self.let_expression(c, node, statement),
            "binding" | "record_field" => self.assignment(c, node.kind() == "binding"),
            "function_expression" => self.function(c),
            "if_expression" => self.if_chain(c),
            "binary_expression" => self.binary_chain(c, node),
            "invoke_expression" | "item_access" | "field_access" | "projection" => self.postfix_chain(c),
            "unary_expression" => self.unary(c),
            "argument_list" | "list_expression" => {
                let hug = self.single_item_of(node, &["list_expression", "record_expression"]);
                self.bracket_list(c, hug);
            }
            "parameter_list"
            | "record_expression"
            | "record_type"
            | "implicit_projection"
            | "function_type" => self.bracket_list(c, false),
            _ => self.spaced(c),
        }
    }

    fn source_file(&mut self, c: &mut TreeCursor<'a>) {
        let mut after_error = false;
        self.children(c, |b, c, child| match child.kind() {
            "section" if child.is_named() => {
                b.item_line(child, Cmd::LineStart { blank: false });
                b.node(c);
                b.blank_ok = true;
            }
            "ERROR" => {
                b.error_item(child);
                after_error = true;
            }
            // The end-of-file marker Control-Z stays the last character, on its own line if it was.
            "\u{1a}" => b.error_item(child),
            _ => {
                if after_error {
                    b.separator_as_it_was(child);
                }
                b.statement = true;
                b.node(c);
            }
        });
    }

    fn section(&mut self, c: &mut TreeCursor<'a>) {
        self.children(c, |b, c, child| match (c.field_name(), child.kind()) {
            (Some("member"), _) => {
                b.item_line(child, Cmd::LineStart { blank: false });
                b.node(c);
                b.blank_ok = true;
            }
            (_, "ERROR") => b.error_item(child),
            (_, "section") => {
                b.push(Cmd::LineStart { blank: false });
                b.token(child);
                b.push(Cmd::Space);
            }
            (_, ";") => {
                b.token(child);
                b.blank_ok = true;
            }
            _ => b.node(c),
        });
    }

    fn member(&mut self, c: &mut TreeCursor<'a>) {
        self.children(c, |b, c, child| match (c.field_name(), child.kind()) {
            (Some("attributes"), _) => {
                b.node(c);
                b.push(Cmd::LineStart { blank: false });
            }
            (Some("shared"), _) => {
                b.token(child);
                b.push(Cmd::Space);
            }
            (_, "=") => {
                b.push(Cmd::Space);
                b.token(child);
                b.push(Cmd::Space);
            }
            (Some("value"), _) => {
                b.statement = true;
                b.node(c);
            }
            _ => b.node(c),
        });
    }

    fn let_expression(&mut self, c: &mut TreeCursor<'a>, node: Node<'a>, statement: bool) {
        let breaks = statement || self.count_field(node, "binding", 2) > 1;
        self.push(Cmd::GroupStart);
        if breaks {
            self.push(Cmd::BreakParent);
        }
        self.children(c, |b, c, child| match (c.field_name(), child.kind()) {
            (_, "let") => {
                b.token(child);
                b.push(Cmd::Indent);
            }
            (Some("binding"), _) => {
                b.item_line(child, Cmd::Line);
                b.node(c);
            }
            (_, ",") => {
                b.token(child);
                b.blank_ok = true;
            }
            (_, "in") => {
                b.push(Cmd::Dedent);
                b.push(Cmd::Line);
                b.token(child);
                b.push(Cmd::Indent);
                b.push(Cmd::Line);
            }
            (Some("body"), _) => {
                b.statement = true;
                b.node(c);
            }
            (_, "ERROR") => b.error_item(child),
            _ => b.node(c),
        });
        self.push(Cmd::Dedent);
        self.push(Cmd::GroupEnd);
    }

    /// `name = value` of a binding or a record field.
    fn assignment(&mut self, c: &mut TreeCursor<'a>, binding: bool) {
        self.children(c, |b, c, child| match (c.field_name(), child.kind()) {
            (_, "=") => {
                b.push(Cmd::Space);
                b.token(child);
                b.push(Cmd::Space);
            }
            (Some("value"), _) => {
                b.statement = binding;
                b.node(c);
            }
            _ => b.node(c),
        });
    }

    fn function(&mut self, c: &mut TreeCursor<'a>) {
        let mut previous = "";
        self.children(c, |b, c, child| {
            if !previous.is_empty() {
                b.push(Cmd::Space);
            }
            previous = child.kind();
            if c.field_name() == Some("body") {
                b.statement = true;
            }
            b.node(c);
        });
    }

    /// `if ... then ... else ...`, with `else if` continuing the same chain (walked in a loop).
    fn if_chain(&mut self, c: &mut TreeCursor<'a>) {
        self.push(Cmd::GroupStart);
        let mut levels = 0;
        'chain: loop {
            let mut child = self.first_child(c);
            while let Some(node) = child {
                match (c.field_name(), node.kind()) {
                    (_, "if") => {
                        self.token(node);
                        self.push(Cmd::Space);
                    }
                    (_, "then") => {
                        self.push(Cmd::Space);
                        self.token(node);
                        self.push(Cmd::Indent);
                        self.push(Cmd::Line);
                    }
                    (Some("consequence"), _) => {
                        self.node(c);
                        self.push(Cmd::Dedent);
                    }
                    (_, "else") => {
                        self.push(Cmd::Line);
                        self.token(node);
                    }
                    (Some("alternative"), "if_expression") if !node.has_error() => {
                        self.push(Cmd::Space);
                        levels += 1;
                        continue 'chain;
                    }
                    (Some("alternative"), _) => {
                        self.push(Cmd::Indent);
                        self.push(Cmd::Line);
                        self.node(c);
                        self.push(Cmd::Dedent);
                    }
                    _ => self.node(c),
                }
                child = self.next_sibling(c);
            }
            break;
        }
        self.finish_levels(c, levels);
        self.push(Cmd::GroupEnd);
    }

    /// Climbs back from the innermost node of a chain walked in a loop, emitting what follows each level.
    fn finish_levels(&mut self, c: &mut TreeCursor<'a>, levels: usize) {
        c.goto_parent();
        for _ in 0..levels {
            while self.next_sibling(c).is_some() {
                self.node(c);
            }
            c.goto_parent();
        }
    }

    /// A chain of binary operators of one precedence, `a + b - c`: the left operands lean left, so the chain
    /// is walked down its left edge in a loop, then back up.
    fn binary_chain(&mut self, c: &mut TreeCursor<'a>, node: Node<'a>) {
        let precedence = binary_precedence(node);
        self.push(Cmd::GroupStart);
        let mut levels = 0;
        while let Some(left) = self.first_child(c) {
            if left.kind() == "binary_expression"
                && !left.has_error()
                && binary_precedence(left) == precedence
            {
                levels += 1;
                continue;
            }
            self.node(c);
            break;
        }
        self.push(Cmd::Indent);
        for _ in 0..=levels {
            while let Some(child) = self.next_sibling(c) {
                if c.field_name() == Some("operator") {
                    self.push(Cmd::Line);
                    self.token(child);
                    self.push(Cmd::Space);
                } else {
                    self.node(c);
                }
            }
            c.goto_parent();
        }
        self.push(Cmd::Dedent);
        self.push(Cmd::GroupEnd);
    }

    /// Invocations, item and field access, projections: `Source{[Id = 1]}[Data](x)`, tight, walked down
    /// the left edge in a loop.
    fn postfix_chain(&mut self, c: &mut TreeCursor<'a>) {
        let mut levels = 0;
        while let Some(left) = self.first_child(c) {
            if is_postfix(left.kind()) && !left.has_error() {
                levels += 1;
                continue;
            }
            self.node(c);
            break;
        }
        for _ in 0..=levels {
            while let Some(child) = self.next_sibling(c) {
                self.node(c);
                if child.kind() == "," {
                    self.push(Cmd::Space);
                }
            }
            c.goto_parent();
        }
    }

    fn unary(&mut self, c: &mut TreeCursor<'a>) {
        let mut spaced = false;
        self.children(c, |b, c, child| {
            if c.field_name() == Some("operator") {
                b.token(child);
                spaced = child.kind() == "not";
            } else {
                // `- -x` must not print as `--x`, which reads like a mistake.
                if spaced || child.kind() == "unary_expression" {
                    b.push(Cmd::Space);
                }
                b.node(c);
            }
        });
    }

    /// A bracketed, comma-separated list: a group, items indented on lines of their own when broken.
    /// Hugging, it is only the brackets around the item, whose own group decides.
    fn bracket_list(&mut self, c: &mut TreeCursor<'a>, hug: bool) {
        let (mut opened, mut closed) = (false, false);
        let mut previous = "";
        self.children(c, |b, c, child| {
            let kind = child.kind();
            match kind {
                "(" | "[" | "{" if !opened && !child.is_named() => {
                    if !previous.is_empty() && needs_space(previous, kind) {
                        b.push(Cmd::Space);
                    }
                    opened = true;
                    if hug {
                        b.token(child);
                    } else {
                        b.push(Cmd::GroupStart);
                        b.token(child);
                        b.push(Cmd::Indent);
                        b.push(Cmd::SoftLine);
                    }
                }
                ")" | "]" | "}" if opened && !closed && !child.is_named() => {
                    closed = true;
                    if hug {
                        b.token(child);
                    } else {
                        b.push(Cmd::Dedent);
                        b.push(Cmd::SoftLine);
                        b.token(child);
                        b.push(Cmd::GroupEnd);
                    }
                }
                "," if opened && !closed => {
                    b.token(child);
                    b.push(if hug { Cmd::Space } else { Cmd::Line });
                }
                _ if opened && !closed => b.node(c),
                _ => {
                    if !previous.is_empty() && needs_space(previous, kind) {
                        b.push(Cmd::Space);
                    }
                    b.node(c);
                }
            }
            previous = kind;
        });
    }

    /// Children separated by single spaces, except around tight punctuation: the layout of everything
    /// without one of its own (`each x`, `x as number`, `type table [...]`, `[Field]?`, `@f`, `1..2`).
    fn spaced(&mut self, c: &mut TreeCursor<'a>) {
        let mut previous = "";
        self.children(c, |b, c, child| {
            let kind = child.kind();
            if !previous.is_empty() && needs_space(previous, kind) {
                b.push(Cmd::Space);
            }
            b.node(c);
            previous = kind;
        });
    }
}

fn is_postfix(kind: &str) -> bool {
    matches!(kind, "invoke_expression" | "item_access" | "field_access" | "projection")
}

/// Whether a space separates two adjacent children, by their kinds.
fn needs_space(previous: &str, next: &str) -> bool {
    !matches!(previous, "(" | "[" | "{" | "@" | "!" | "..")
        && !matches!(next, ")" | "]" | "}" | "," | ";" | "?" | "!" | ".." | "argument_list")
}

/// The binding strength of a binary expression's operator (higher binds tighter).
fn binary_precedence(node: Node) -> u8 {
    match node.child_by_field_name("operator").map(|operator| operator.kind()) {
        Some("??") => 1,
        Some("or") => 2,
        Some("and") => 3,
        Some("=" | "<>") => 6,
        Some("<" | ">" | "<=" | ">=") => 7,
        Some("+" | "-" | "&") => 8,
        Some("*" | "/") => 9,
        _ => 0,
    }
}
