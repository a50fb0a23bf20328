//! Building the command stream from the tree: the mechanics every layout shares. Tokens go out byte for
//! byte; comments go where they were; subtrees with syntax errors, or nested too deep, go out as they are
//! (one that starts a line and spans several keeps its first line's indentation too, so that a broken
//! region reads exactly as it did, and error recovery sees the same text when the output is parsed again).
//!
//! Every token and every comment of the input is emitted exactly once and in source order: layouts walk
//! all children of a node ([`Builder::children`]), comments included, and only choose the whitespace
//! between tokens. A comment on the line of the token before it stays after that token (a line comment
//! then ends the line, except that one just before a `,` or `;` moves after it); any other comment starts
//! a line of its own. Blank lines survive only where a layout allows them (between section members,
//! between `let` bindings), collapsed to one.
//!
//! The walk uses one tree cursor; a layout recurses into children through [`Builder::visit`], which stops
//! at [`MAX_DEPTH`] and emits deeper subtrees as their source text, so the stack never grows with the
//! input. Long left-leaning chains (`a & b & c ...`, `x{0}[A](1)...`, `else if`) are walked in loops.

use tree_sitter::{Node, TreeCursor};

use super::doc::{has_line_break, line_breaks, Cmd};
use super::kinds::{kind, Kind};

/// How deep layouts recurse before emitting a subtree as it is. Real code nests a few dozen levels; this
/// keeps the stack of the deepest walk well under the 2 MiB of a test thread.
pub(super) const MAX_DEPTH: usize = 150;

pub(super) struct Builder<'a> {
    pub(super) text: &'a str,
    root: Node<'a>,
    pub(super) cmds: Vec<Cmd<'a>>,
    /// The end of the last token, comment or verbatim text emitted.
    last_end: usize,
    /// Just after the text of the last token (and of the comments already put after it), while the next
    /// comment could still be on its line.
    after_token: Option<usize>,
    /// A line comment on the line of the last token, placed when the next thing is known.
    pending: Option<&'a str>,
    /// Whether a blank line of the input may be kept before the next comment or item.
    pub(super) blank_ok: bool,
    /// Whether the last thing emitted is a comment that starts a line and has code after it on that line:
    /// an item that follows stays on that line.
    after_leading_comment: bool,
    /// Whether the next node is in a statement position (the value of a member or binding, the body of a
    /// `let` or a function, the document), where a `let` always breaks.
    pub(super) statement: bool,
    /// Whether the next node is the key of an item access (`Source{[Name = "Orders"]}`), which its parent's
    /// layout knows (asking the node for its parent would descend the tree from the root again).
    pub(super) item_key: bool,
    /// The start of the line of the last verbatim text, and how far the text was searched for it: verbatim
    /// texts come in order, so each search starts where the last one stopped (on a 10 MB line a search
    /// from each back to the line start would cost the square of the line).
    verbatim_line: (usize, usize),
    depth: usize,
    /// A cursor for looking ahead without moving the walk's.
    scratch: TreeCursor<'a>,
    /// The CRLF and LF line breaks between tokens, which decide the line ending of the output: only these,
    /// because the formatter writes all of them, so the output's say the same.
    pub(super) crlf: usize,
    pub(super) lf: usize,
    /// Whether a large section may be laid out on two threads.
    pub(super) parallel: bool,
}

impl<'a> Builder<'a> {
    pub(super) fn new(text: &'a str, root: Node<'a>) -> Builder<'a> {
        Builder {
            text,
            root,
            cmds: Vec::with_capacity(text.len() / 2),
            last_end: 0,
            after_token: None,
            pending: None,
            blank_ok: false,
            after_leading_comment: false,
            statement: false,
            item_key: false,
            verbatim_line: (0, 0),
            depth: 0,
            scratch: root.walk(),
            crlf: 0,
            lf: 0,
            parallel: true,
        }
    }

    pub(super) fn push(&mut self, cmd: Cmd<'a>) {
        self.cmds.push(cmd);
    }

    /// The texts the document prints, in order: slices of the input (tokens, comments, subtrees kept as
    /// they are), or text of the formatter's own, which [`super::proof`] does not take as the input's.
    pub(super) fn pieces(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.cmds.iter().filter_map(|cmd| match cmd {
            Cmd::Text(text) | Cmd::Multiline(text) | Cmd::Raw(text) => Some(*text),
            _ => None,
        })
    }

    /// A builder for the part of the document that starts at a line of its own after `previous_end`, with
    /// everything the part depends on as it is there: the depth, a blank line allowed before it. The caller
    /// makes sure no comment or pending state crosses the boundary.
    pub(super) fn fork(&self, previous_end: usize) -> Builder<'a> {
        let mut part = Builder::new(self.text, self.root);
        part.cmds = Vec::with_capacity(self.cmds.capacity() / 2);
        part.depth = self.depth;
        part.last_end = previous_end;
        part.blank_ok = true;
        part
    }

    /// Appends a part built by a [`Builder::fork`] of this builder, which continues where this one ends.
    pub(super) fn join(&mut self, part: Builder<'a>) {
        let offset = self.cmds.len();
        self.cmds.extend(part.cmds);
        self.last_end = part.last_end;
        self.after_token = part.after_token.map(|at| at + offset);
        self.pending = part.pending;
        self.blank_ok = part.blank_ok;
        self.after_leading_comment = part.after_leading_comment;
        self.crlf += part.crlf;
        self.lf += part.lf;
    }

    /// Emits the document and ends it the way the input ended: with a line break or without.
    pub(super) fn document(&mut self) {
        let mut cursor = self.root.walk();
        self.node(&mut cursor);
        self.resolve_pending();
        // Line breaks after the last text only end lines that are not there: the input decides.
        let mut at = self.cmds.len();
        while at > 0 && matches!(self.cmds[at - 1], Cmd::LineStart { .. } | Cmd::GroupEnd | Cmd::Dedent) {
            at -= 1;
            if matches!(self.cmds[at], Cmd::LineStart { .. }) {
                self.cmds[at] = Cmd::BreakParent;
            }
        }
        let final_line_break = line_breaks(&self.text[self.last_end..]) > 0;
        let end = self.text.len();
        self.moved_past(end..end);
        if final_line_break && !self.cmds.is_empty() {
            self.push(Cmd::LineStart { blank: false });
        }
    }

    /// Emits the node under the cursor, leaving the cursor where it was.
    pub(super) fn node(&mut self, c: &mut TreeCursor<'a>) {
        let node = c.node();
        self.visit(c, node, kind(node));
    }

    /// Emits `node`, the node under the cursor, of kind `kind`, leaving the cursor where it was.
    pub(super) fn visit(&mut self, c: &mut TreeCursor<'a>, node: Node<'a>, kind: Kind) {
        let statement = std::mem::take(&mut self.statement);
        let item_key = std::mem::take(&mut self.item_key);
        if kind == Kind::Error || node.is_missing() {
            return self.verbatim(node);
        }
        if node.child_count() == 0 {
            return self.token(node);
        }
        if self.depth >= MAX_DEPTH || (node.has_error() && !self.tolerates_errors(node)) {
            return self.verbatim(node);
        }
        self.depth += 1;
        self.layout(c, node, kind, statement, item_key);
        self.depth -= 1;
    }

    /// Visits the children of the node under the cursor in order, emitting comments itself and handing
    /// every other child and its kind to `each` with the cursor on it.
    pub(super) fn children(
        &mut self,
        c: &mut TreeCursor<'a>,
        mut each: impl FnMut(&mut Self, &mut TreeCursor<'a>, Node<'a>, Kind),
    ) {
        if !c.goto_first_child() {
            return;
        }
        loop {
            let node = c.node();
            match kind(node) {
                Kind::Comment => self.comment(node),
                kind => each(self, c, node, kind),
            }
            if !c.goto_next_sibling() {
                break;
            }
        }
        c.goto_parent();
    }

    /// [`Builder::children`], for the children that start before `limit` only.
    pub(super) fn children_before(
        &mut self,
        c: &mut TreeCursor<'a>,
        limit: usize,
        mut each: impl FnMut(&mut Self, &mut TreeCursor<'a>, Node<'a>, Kind),
    ) {
        if !c.goto_first_child() {
            return;
        }
        loop {
            let node = c.node();
            if node.start_byte() >= limit {
                break;
            }
            match kind(node) {
                Kind::Comment => self.comment(node),
                kind => each(self, c, node, kind),
            }
            if !c.goto_next_sibling() {
                break;
            }
        }
        c.goto_parent();
    }

    /// Emits a comment met outside [`Builder::children`].
    pub(super) fn comment_child(&mut self, node: Node<'a>) {
        self.comment(node);
    }

    /// Moves the cursor to its next sibling that is not a comment, emitting the comments passed.
    pub(super) fn next_sibling(&mut self, c: &mut TreeCursor<'a>) -> Option<Node<'a>> {
        while c.goto_next_sibling() {
            let node = c.node();
            if !is_comment(node) {
                return Some(node);
            }
            self.comment(node);
        }
        None
    }

    /// Moves the cursor to the first child of its node that is not a comment, emitting the comments passed.
    /// `None` when the node has no other child (the cursor then is on its last child, if any).
    pub(super) fn first_child(&mut self, c: &mut TreeCursor<'a>) -> Option<Node<'a>> {
        if !c.goto_first_child() {
            return None;
        }
        let node = c.node();
        if !is_comment(node) {
            return Some(node);
        }
        self.comment(node);
        self.next_sibling(c)
    }

    /// Emits a token as it is in the source.
    pub(super) fn token(&mut self, node: Node<'a>) {
        let range = node.byte_range();
        if range.is_empty() {
            return;
        }
        let text = &self.text[range.clone()];
        if let Some(comment) = self.pending.take() {
            if text == "," || text == ";" {
                // `a // note` then `,` on the next line: the comment goes after the comma.
                self.push_text(text);
                self.cmds.extend([Cmd::Space, Cmd::Text(comment), Cmd::LineStart { blank: false }]);
                self.after_token = None;
                self.moved_past(range.clone());
                self.blank_ok = false;
                return;
            }
            self.place_trailing_line_comment(comment);
        }
        self.push_text(text);
        self.after_token = Some(self.cmds.len());
        self.moved_past(range.clone());
        self.blank_ok = false;
    }

    /// Counts the line breaks between the last text emitted and `range`, then moves past it.
    fn moved_past(&mut self, range: std::ops::Range<usize>) {
        let gap = &self.text.as_bytes()[self.last_end.min(range.start)..range.start];
        for (i, &byte) in gap.iter().enumerate() {
            if byte == b'\n' {
                if i > 0 && gap[i - 1] == b'\r' {
                    self.crlf += 1;
                } else {
                    self.lf += 1;
                }
            }
        }
        self.last_end = range.end;
    }

    fn push_text(&mut self, text: &'a str) {
        self.after_leading_comment = false;
        // A safety net under the layouts: two texts that would read as one token get a space between.
        let previous = self.cmds.iter().rev().find_map(|cmd| match cmd {
            Cmd::Text(previous) | Cmd::Multiline(previous) | Cmd::Raw(previous) => Some(Some(*previous)),
            Cmd::Space | Cmd::Line | Cmd::LineStart { .. } => Some(None),
            _ => None,
        });
        if previous.flatten().is_some_and(|previous| would_merge(previous, text)) {
            self.cmds.push(Cmd::Space);
        }
        self.cmds.push(if has_line_break(text) { Cmd::Multiline(text) } else { Cmd::Text(text) });
    }

    /// Emits a subtree as its source text. A line comment at its end still ends the line.
    pub(super) fn verbatim(&mut self, node: Node<'a>) {
        // An error node may begin with whitespace the parser skipped (before a missing token): that is not
        // its text. Its end is a token's: an unterminated text literal keeps its trailing spaces.
        let range = node.byte_range();
        let text = self.text[range.clone()].trim_start_matches(is_whitespace);
        if text.is_empty() {
            return;
        }
        let start = range.end - text.len();
        let range = start..range.end;
        self.resolve_pending();
        if has_line_break(text) && self.starts_line(start) {
            // Over several lines, from the start of a line: it keeps that line's indentation too, so the
            // whole region is what it was (error recovery can depend on it).
            self.after_leading_comment = false;
            self.push(Cmd::LineStart { blank: false });
            let line_start = self.line_start(start);
            self.push(Cmd::Raw(&self.text[line_start..range.end]));
        } else {
            self.push_text(text);
        }
        self.after_token = Some(self.cmds.len());
        self.moved_past(range.clone());
        self.blank_ok = false;
        // The last token of the node (a lookup from the node: from the root it would cost the depth of the
        // tree for each verbatim text).
        let last = node.descendant_for_byte_range(range.end - 1, range.end);
        if last.is_some_and(|last| is_comment(last) && self.text[last.byte_range()].starts_with("//")) {
            self.push(Cmd::LineStart { blank: false });
            self.after_token = None;
        }
    }

    /// The start of the line that holds `offset`, after a byte-order mark.
    fn line_start(&mut self, offset: usize) -> usize {
        let (mut line_start, searched) = self.verbatim_line;
        if offset < searched {
            line_start = 0;
        }
        let from = if offset < searched { 0 } else { searched };
        if let Some(at) = self.text[from..offset].rfind(['\n', '\r']) {
            line_start = from + at + 1;
        }
        self.verbatim_line = (line_start, offset);
        // The byte-order mark is the printer's, not the region's.
        if line_start == 0 && self.text.starts_with(crate::text::BOM) {
            return crate::text::BOM.len();
        }
        line_start
    }

    /// Whether only whitespace is between the start of its line and `offset`.
    fn starts_line(&mut self, offset: usize) -> bool {
        let code_before = self.text[..offset].trim_end_matches(is_whitespace).len();
        code_before <= self.line_start(offset)
    }

    /// Emits a syntax error that stands between items (members, bindings): as it is, on a line of its
    /// own when it was on one.
    pub(super) fn error_item(&mut self, node: Node<'a>) {
        self.separator_as_it_was(node);
        self.verbatim(node);
    }

    /// The whitespace before a node, as the input had it: a line break (and a blank line where blank lines
    /// are kept), a space, or nothing.
    pub(super) fn separator_as_it_was(&mut self, node: Node<'a>) {
        let gap = &self.text[self.last_end.min(node.start_byte())..node.start_byte()];
        let breaks = line_breaks(gap);
        if breaks > 0 {
            self.push(Cmd::LineStart { blank: self.blank_ok && breaks >= 2 });
        } else if !gap.is_empty() {
            self.push(Cmd::Space);
        }
    }

    /// Starts a new item (a section member, a `let` binding, a section) on a line of its own, after one
    /// blank line when the input had at least one there.
    pub(super) fn item_line(&mut self, node: Node<'a>, line: Cmd<'a>) {
        if self.after_leading_comment {
            return;
        }
        let blank = self.blank_ok && self.blank_line_before(node.start_byte());
        self.push(line);
        if blank {
            self.push(Cmd::LineStart { blank: true });
        }
    }

    fn blank_line_before(&self, offset: usize) -> bool {
        line_breaks(&self.text[self.last_end.min(offset)..offset]) >= 2
    }

    fn comment(&mut self, node: Node<'a>) {
        let range = node.byte_range();
        let text = &self.text[range.clone()];
        let gap = &self.text[self.last_end.min(range.start)..range.start];
        let is_line = text.starts_with("//");
        let rest = &self.text[range.end..];
        let after = &rest[..rest.len() - rest.trim_start().len()];
        if self.after_token.is_some() && line_breaks(gap) == 0 {
            // On the line of the token before it: it stays there.
            if is_line {
                self.resolve_pending();
                self.pending = Some(text);
            } else {
                let mut inserted = Vec::with_capacity(3);
                if !gap.is_empty() {
                    inserted.push(Cmd::Space);
                }
                inserted.push(if has_line_break(text) { Cmd::Multiline(text) } else { Cmd::Text(text) });
                if !after.is_empty() {
                    inserted.push(Cmd::Space);
                }
                let at = self.trailing_point();
                let end = at + inserted.len();
                self.cmds.splice(at..at, inserted);
                self.after_token = Some(end);
            }
        } else {
            self.resolve_pending();
            self.push(Cmd::LineStart { blank: self.blank_ok && line_breaks(gap) >= 2 });
            self.push_text(text);
            if is_line || line_breaks(after) > 0 {
                self.push(Cmd::LineStart { blank: false });
                self.after_token = None;
            } else {
                if !after.is_empty() {
                    self.push(Cmd::Space);
                }
                self.after_token = Some(self.cmds.len());
                self.after_leading_comment = true;
            }
        }
        self.moved_past(range.clone());
    }

    /// Where a comment on the line of the last token goes: after the token, and after the groups and
    /// indentation that closed with it, before anything that came after.
    fn trailing_point(&self) -> usize {
        let mut at = self.after_token.unwrap_or(self.cmds.len());
        while matches!(self.cmds.get(at), Some(Cmd::GroupEnd | Cmd::Dedent)) {
            at += 1;
        }
        at
    }

    fn place_trailing_line_comment(&mut self, comment: &'a str) {
        let at = self.trailing_point();
        self.cmds.splice(at..at, [Cmd::Space, Cmd::Text(comment), Cmd::LineStart { blank: false }]);
        self.after_token = None;
    }

    fn resolve_pending(&mut self) {
        if let Some(comment) = self.pending.take() {
            self.place_trailing_line_comment(comment);
        }
    }

    /// Whether a node with a syntax error inside can still be laid out, its errors left as they are in
    /// the children that hold them: documents, sections, and `let` expressions and the members and
    /// bindings whose value is one, when their own tokens are all there.
    fn tolerates_errors(&mut self, node: Node<'a>) -> bool {
        let kind = node.kind();
        let (holes, errors_between): (&str, bool) = match kind {
            "source_file" => return true,
            "section" => ("member", true),
            "section_member" | "binding" => ("value", false),
            "let_expression" => ("binding", true),
            _ => return false,
        };
        self.scratch.reset(node);
        if !self.scratch.goto_first_child() {
            return false;
        }
        loop {
            let child = self.scratch.node();
            if child.is_error() {
                if !errors_between {
                    return false;
                }
            } else if child.has_error() {
                let field = self.scratch.field_name();
                let body = kind == "let_expression" && field == Some("body");
                if child.is_missing() || !(field == Some(holes) || body) {
                    return false;
                }
                // A member's or binding's value, or a body, is laid out only as a `let` with holes.
                if (body || holes == "value") && child.kind() != "let_expression" {
                    return false;
                }
            }
            if !self.scratch.goto_next_sibling() {
                return true;
            }
        }
    }

    /// The number of children of `node` in `field`, counting at most to `limit`.
    pub(super) fn count_field(&mut self, node: Node<'a>, field: &str, limit: usize) -> usize {
        self.scratch.reset(node);
        let mut count = 0;
        if self.scratch.goto_first_child() {
            loop {
                if self.scratch.field_name() == Some(field) {
                    count += 1;
                    if count >= limit {
                        break;
                    }
                }
                if !self.scratch.goto_next_sibling() {
                    break;
                }
            }
        }
        count
    }
}

/// Whether two texts printed side by side could read as different tokens than they are.
fn would_merge(previous: &str, next: &str) -> bool {
    let (Some(last), Some(first)) = (previous.chars().next_back(), next.chars().next()) else {
        return false;
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    if previous.ends_with("..") || next.starts_with("..") {
        return false;
    }
    (word(last) && word(first))
        || (last == '/' && matches!(first, '/' | '*'))
        || (last == '"' && first == '"')
        || matches!((last, first), ('<' | '>', '=') | ('<', '>') | ('=', '>') | ('?', '?'))
}

/// Whitespace as M reads it between tokens: Unicode white space and the byte-order mark.
fn is_whitespace(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

pub(super) fn is_comment(node: Node) -> bool {
    kind(node) == Kind::Comment
}
