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
//! - A function's body follows `=>` when it brackets itself (a `let`, a call, a list, a record); any other
//!   body goes to the next line, indented, when the function does not fit on one line.
//! - `if c then a else b` on one line when it fits, else `then` and `else` end lines with the branches
//!   indented, `else if` chains flat. `try x otherwise y` and `try x catch (e) => y` keep their keywords on
//!   the line of what precedes them.

use tree_sitter::{Node, TreeCursor};

use super::builder::Builder;
use super::doc::Cmd;
use super::kinds::{field, kind, Field, Kind};

impl<'a> Builder<'a> {
    /// Lays out a node that has children, with the cursor on it.
    pub(super) fn layout(
        &mut self,
        c: &mut TreeCursor<'a>,
        node: Node<'a>,
        kind: Kind,
        statement: bool,
        item_key: bool,
    ) {
        match kind {
            Kind::SourceFile => self.source_file(c),
            Kind::Section => self.section(c, node),
            Kind::SectionMember => self.member(c),
            Kind::LetExpression => self.let_expression(c, node, statement),
            Kind::Binding => self.assignment(c, true),
            Kind::RecordField => self.assignment(c, false),
            Kind::FunctionExpression => self.function(c),
            Kind::IfExpression => self.if_chain(c),
            Kind::BinaryExpression => self.binary_chain(c, node),
            Kind::InvokeExpression | Kind::ItemAccess | Kind::FieldAccess | Kind::Projection => {
                self.postfix_chain(c)
            }
            Kind::UnaryExpression => self.unary(c),
            Kind::ArgumentList | Kind::ListExpression => {
                let hug = single_bracketed_item(node);
                self.bracket_list(c, hug);
            }
            // `Source{[Schema = "dbo", Item = "Orders"]}`: a navigation step's key stays on its line.
            Kind::RecordExpression if item_key && is_item_selector(node) => self.bracket_list(c, true),
            Kind::ParameterList
            | Kind::RecordExpression
            | Kind::RecordType
            | Kind::ImplicitProjection
            | Kind::FunctionType
            | Kind::ParenthesizedExpression => self.bracket_list(c, false),
            _ => self.spaced(c),
        }
    }

    fn source_file(&mut self, c: &mut TreeCursor<'a>) {
        let mut after_error = false;
        self.children(c, |b, c, child, child_kind| {
            if child_kind == Kind::Error {
                b.error_item(child);
                after_error = true;
                return;
            }
            match child_kind {
                Kind::Section => {
                    b.item_line(child, Cmd::LineStart { blank: false });
                    b.visit(c, child, child_kind);
                    b.blank_ok = true;
                }
                // The end-of-file marker Control-Z stays the last character, on its own line if it was.
                Kind::EndOfFile => b.error_item(child),
                _ => {
                    if after_error {
                        b.separator_as_it_was(child);
                    }
                    b.statement = true;
                    b.visit(c, child, child_kind);
                }
            }
        });
    }

    /// A section: its attributes, `section Name;`, then one member a line. The members of a large section
    /// are laid out in two halves on two threads.
    fn section(&mut self, c: &mut TreeCursor<'a>, node: Node<'a>) {
        let Some(split) = parallel_split(node, self.text).filter(|_| self.parallel) else {
            return self.children(c, |b, c, child, kind| b.section_child(c, child, kind));
        };
        let previous_end = split.prev_sibling().map_or(0, |previous| previous.end_byte());
        let mut second = self.fork(previous_end);
        std::thread::scope(|scope| {
            let handle = scope.spawn(move || {
                let mut cursor = node.walk();
                if cursor.goto_first_child_for_byte(split.start_byte()).is_some() {
                    loop {
                        let child = cursor.node();
                        let kind = kind(child);
                        if kind == Kind::Comment {
                            second.comment_child(child);
                        } else {
                            second.section_child(&mut cursor, child, kind);
                        }
                        if !cursor.goto_next_sibling() {
                            break;
                        }
                    }
                }
                second
            });
            self.children_before(c, split.start_byte(), |b, c, child, kind| b.section_child(c, child, kind));
            match handle.join() {
                Ok(second) => self.join(second),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
    }

    fn section_child(&mut self, c: &mut TreeCursor<'a>, child: Node<'a>, child_kind: Kind) {
        if child_kind == Kind::Error {
            return self.error_item(child);
        }
        match (field(c), child_kind) {
            (Some(Field::Member), _) => {
                self.item_line(child, Cmd::LineStart { blank: false });
                self.visit(c, child, child_kind);
                self.blank_ok = true;
            }
            (_, Kind::SectionKeyword) => {
                self.push(Cmd::LineStart { blank: false });
                self.token(child);
                self.push(Cmd::Space);
            }
            (_, Kind::Semicolon) => {
                self.token(child);
                self.blank_ok = true;
            }
            _ => self.visit(c, child, child_kind),
        }
    }

    fn member(&mut self, c: &mut TreeCursor<'a>) {
        self.children(c, |b, c, child, child_kind| match (field(c), child_kind) {
            (Some(Field::Attributes), _) => {
                b.visit(c, child, child_kind);
                b.push(Cmd::LineStart { blank: false });
            }
            (Some(Field::Shared), _) => {
                b.token(child);
                b.push(Cmd::Space);
            }
            (_, Kind::Equal) => {
                b.push(Cmd::Space);
                b.token(child);
                b.push(Cmd::Space);
            }
            (Some(Field::Value), _) => {
                b.statement = true;
                b.visit(c, child, child_kind);
            }
            _ => b.visit(c, child, child_kind),
        });
    }

    fn let_expression(&mut self, c: &mut TreeCursor<'a>, node: Node<'a>, statement: bool) {
        // Named children are the bindings, the body and comments: more than two means two bindings at
        // least, unless comments make up the count.
        let breaks = statement || (node.named_child_count() > 2 && self.count_field(node, "binding", 2) > 1);
        self.push(Cmd::GroupStart);
        if breaks {
            self.push(Cmd::BreakParent);
        }
        self.children(c, |b, c, child, child_kind| {
            if child_kind == Kind::Error {
                return b.error_item(child);
            }
            match (field(c), child_kind) {
                (_, Kind::Let) => {
                    b.token(child);
                    b.push(Cmd::Indent);
                }
                (Some(Field::Binding), _) => {
                    b.item_line(child, Cmd::Line);
                    b.visit(c, child, child_kind);
                }
                (_, Kind::Comma) => {
                    b.token(child);
                    b.blank_ok = true;
                }
                (_, Kind::In) => {
                    b.push(Cmd::Dedent);
                    b.push(Cmd::Line);
                    b.token(child);
                    b.push(Cmd::Indent);
                    b.push(Cmd::Line);
                }
                (Some(Field::Body), _) => {
                    b.statement = true;
                    b.visit(c, child, child_kind);
                }
                _ => b.visit(c, child, child_kind),
            }
        });
        self.push(Cmd::Dedent);
        self.push(Cmd::GroupEnd);
    }

    /// `name = value` of a binding or a record field.
    fn assignment(&mut self, c: &mut TreeCursor<'a>, binding: bool) {
        self.children(c, |b, c, child, child_kind| match (field(c), child_kind) {
            (Some(Field::Value), _) => {
                b.statement = binding;
                b.visit(c, child, child_kind);
            }
            (_, Kind::Equal) => {
                b.push(Cmd::Space);
                b.token(child);
                b.push(Cmd::Space);
            }
            _ => b.visit(c, child, child_kind),
        });
    }

    /// `(x as number) as text => body`: a body that brackets itself (a `let`, a call, a list, a record,
    /// another function, `each`) follows `=>`; any other starts the next line, indented, when the whole
    /// does not fit on one.
    fn function(&mut self, c: &mut TreeCursor<'a>) {
        let mut first = true;
        self.children(c, |b, c, child, child_kind| {
            if field(c) == Some(Field::Body) {
                b.statement = true;
                if matches!(
                    child_kind,
                    Kind::LetExpression
                        | Kind::InvokeExpression
                        | Kind::ListExpression
                        | Kind::RecordExpression
                        | Kind::FunctionExpression
                        | Kind::EachExpression
                ) {
                    b.push(Cmd::Space);
                    b.visit(c, child, child_kind);
                } else {
                    b.cmds.extend([Cmd::GroupStart, Cmd::Indent, Cmd::Line]);
                    b.visit(c, child, child_kind);
                    b.cmds.extend([Cmd::Dedent, Cmd::GroupEnd]);
                }
                return;
            }
            if !first {
                b.push(Cmd::Space);
            }
            first = false;
            b.visit(c, child, child_kind);
        });
    }

    /// `if ... then ... else ...`, with `else if` continuing the same chain (walked in a loop).
    fn if_chain(&mut self, c: &mut TreeCursor<'a>) {
        self.push(Cmd::GroupStart);
        let mut levels = 0;
        'chain: loop {
            let mut child = self.first_child(c);
            while let Some(node) = child {
                let node_kind = kind(node);
                match (field(c), node_kind) {
                    (_, Kind::If) => {
                        self.token(node);
                        self.push(Cmd::Space);
                    }
                    (_, Kind::Then) => {
                        self.push(Cmd::Space);
                        self.token(node);
                        self.push(Cmd::Indent);
                        self.push(Cmd::Line);
                    }
                    (Some(Field::Consequence), _) => {
                        self.visit(c, node, node_kind);
                        self.push(Cmd::Dedent);
                    }
                    (_, Kind::Else) => {
                        self.push(Cmd::Line);
                        self.token(node);
                    }
                    (Some(Field::Alternative), Kind::IfExpression) if !node.has_error() => {
                        self.push(Cmd::Space);
                        levels += 1;
                        continue 'chain;
                    }
                    (Some(Field::Alternative), _) => {
                        self.push(Cmd::Indent);
                        self.push(Cmd::Line);
                        self.visit(c, node, node_kind);
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
            if kind(left) == Kind::BinaryExpression
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
                if field(c) == Some(Field::Operator) {
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
        // The kind of each level, outermost first.
        let mut kinds = vec![kind(c.node())];
        while let Some(left) = self.first_child(c) {
            if is_postfix(kind(left)) && !left.has_error() {
                kinds.push(kind(left));
                continue;
            }
            self.item_key = kinds.last() == Some(&Kind::ItemAccess);
            self.node(c);
            break;
        }
        for level in kinds.into_iter().rev() {
            while let Some(child) = self.next_sibling(c) {
                let child_kind = kind(child);
                self.item_key = level == Kind::ItemAccess;
                self.visit(c, child, child_kind);
                if child_kind == Kind::Comma {
                    self.push(Cmd::Space);
                }
            }
            c.goto_parent();
        }
    }

    fn unary(&mut self, c: &mut TreeCursor<'a>) {
        let mut spaced = false;
        self.children(c, |b, c, child, child_kind| {
            if field(c) == Some(Field::Operator) {
                b.token(child);
                spaced = child_kind == Kind::Not;
            } else {
                // `- -x` must not print as `--x`, which reads like a mistake.
                if spaced || child_kind == Kind::UnaryExpression {
                    b.push(Cmd::Space);
                }
                b.visit(c, child, child_kind);
            }
        });
    }

    /// A bracketed, comma-separated list: a group, items indented on lines of their own when broken.
    /// Hugging, it is only the brackets around the item, whose own group decides.
    fn bracket_list(&mut self, c: &mut TreeCursor<'a>, hug: bool) {
        let (mut opened, mut closed) = (false, false);
        let mut previous = None;
        self.children(c, |b, c, child, kind| {
            match kind {
                Kind::OpenParen | Kind::OpenBracket | Kind::OpenBrace if !opened => {
                    if previous.is_some_and(|previous| needs_space(previous, kind)) {
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
                Kind::CloseParen | Kind::CloseBracket | Kind::CloseBrace if opened && !closed => {
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
                Kind::Comma if opened && !closed => {
                    b.token(child);
                    b.push(if hug { Cmd::Space } else { Cmd::Line });
                }
                _ if opened && !closed => b.visit(c, child, kind),
                _ => {
                    if previous.is_some_and(|previous| needs_space(previous, kind)) {
                        b.push(Cmd::Space);
                    }
                    b.visit(c, child, kind);
                }
            }
            previous = Some(kind);
        });
    }

    /// Children separated by single spaces, except around tight punctuation: the layout of everything
    /// without one of its own (`each x`, `x as number`, `type table [...]`, `[Field]?`, `@f`, `1..2`).
    fn spaced(&mut self, c: &mut TreeCursor<'a>) {
        let mut previous = None;
        self.children(c, |b, c, child, kind| {
            if previous.is_some_and(|previous| needs_space(previous, kind)) {
                b.push(Cmd::Space);
            }
            b.visit(c, child, kind);
            previous = Some(kind);
        });
    }
}

/// Sections smaller than this are laid out on one thread: a second costs more than it saves.
const PARALLEL_BYTES: usize = 256 * 1024;

/// Where to cut a large section in two for [`Builder::section`]: a member near the middle that starts a
/// line right after another member, so that no comment, blank-line decision or pending state crosses
/// the cut. `None` for small sections, on one core, or without such a member.
pub(super) fn parallel_split<'a>(section: Node<'a>, text: &str) -> Option<Node<'a>> {
    if section.byte_range().len() < PARALLEL_BYTES
        || std::thread::available_parallelism().map_or(true, |n| n.get() < 2)
    {
        return None;
    }
    let middle = section.start_byte() + section.byte_range().len() / 2;
    let mut cursor = section.walk();
    cursor.goto_first_child_for_byte(middle)?;
    let mut previous = cursor.node().prev_sibling()?;
    loop {
        let node = cursor.node();
        let member_after_member = field(&cursor) == Some(Field::Member)
            && kind(previous) == Kind::SectionMember
            && !node.has_error()
            && !previous.has_error()
            && super::doc::line_breaks(&text[previous.end_byte()..node.start_byte()]) > 0;
        if member_after_member {
            return Some(node);
        }
        previous = node;
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
}

fn is_postfix(kind: Kind) -> bool {
    matches!(kind, Kind::InvokeExpression | Kind::ItemAccess | Kind::FieldAccess | Kind::Projection)
}

/// Whether a space separates two adjacent children, by their kinds.
fn needs_space(previous: Kind, next: Kind) -> bool {
    !matches!(
        previous,
        Kind::OpenParen | Kind::OpenBracket | Kind::OpenBrace | Kind::At | Kind::Bang | Kind::DotDot
    ) && !matches!(
        next,
        Kind::CloseParen
            | Kind::CloseBracket
            | Kind::CloseBrace
            | Kind::Comma
            | Kind::Semicolon
            | Kind::Question
            | Kind::Bang
            | Kind::DotDot
            | Kind::ArgumentList
    )
}

/// Whether a list or argument list holds exactly one item, a list or a record, and no comment: then its
/// brackets hug the item's (`f([` ... `])`, `{{` ... `}}`). Comments are named children too, so one named
/// child is one item and nothing else.
fn single_bracketed_item(node: Node) -> bool {
    node.named_child_count() == 1
        && node
            .named_child(0)
            .is_some_and(|item| matches!(kind(item), Kind::ListExpression | Kind::RecordExpression))
}

/// Whether a record that is the key of an item access (`Source{[Name = "Orders"]}`) has no comments inside:
/// Fabric writes navigation steps on one line, and people read them as one unit.
fn is_item_selector(node: Node) -> bool {
    let mut cursor = node.walk();
    let mut depth = 0usize;
    // A bounded walk: keys are a few literals; a big one is laid out as any record.
    for _ in 0..256 {
        if kind(cursor.node()) == Kind::Comment {
            return false;
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                return true;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
    false
}

/// The binding strength of a binary expression's operator (higher binds tighter).
fn binary_precedence(node: Node) -> u8 {
    node.child(1).map_or(0, |operator| {
        let precedence = kind(operator).precedence();
        if precedence > 0 {
            precedence
        } else {
            // A comment between the operands and the operator: look the operator up by its field.
            node.child_by_field_name("operator").map_or(0, |operator| kind(operator).precedence())
        }
    })
}
