//! Syntax errors: one diagnostic for each problem behind the tree's ERROR and MISSING nodes, worded for a
//! person: what was found, what was expected, and the construct it belongs to.
//!
//! tree-sitter recovers from errors by skipping tokens or by giving up on a construct; either way it
//! leaves an ERROR node, or a zero-width MISSING token where inserting one token was enough. A MISSING node
//! says exactly what was expected. An ERROR node says only where things went wrong, so its tokens are
//! replayed through a small bracket-and-keyword balance check ([`Scan`]) that knows what each open
//! construct still needs (`let` needs `in`, `(` needs `)`, an operator needs an operand); what it cannot
//! explain falls back to "unexpected X", with the tokens the parser would have accepted there. Operators
//! and quotes from other languages (`!=`, `&&`, `'text'`) get their own message first ([`foreign`]), and so
//! does a name with spaces written without its quotes ([`spaced_name`]).
//!
//! Cascades are avoided by reporting only the innermost unclosed construct at each stop, one diagnostic
//! per position, and nothing inside an ERROR's nested ERRORs twice. Where one token explains the problem
//! (a `,`, a closing bracket, `in`, `then`, `else`, a binding's `=`), the diagnostic is placed where that
//! token belongs (the `,` before the next binding for a bracket left open, the value a `then` was to
//! precede) and carries the fix that writes it; the errors that fix makes disappear are dropped by the
//! caller ([`super::diagnose`]), and name resolution reads the text as fixed ([`super::repair`]).
//!
//! The cost is linear in the size of the tree, whatever its depth and however many errors it holds: one
//! cursor walk ([`Walk`]) keeps what a node needs to know about its ancestors (the constructs they leave
//! open, their previous siblings, whether a section holds it) on a stack as it descends, the tokens before
//! and after a node are binary searches in the list of the tree's tokens ([`Tokens`]), and no node is ever
//! asked for its parent or siblings (tree-sitter computes those by descending from the root again; see
//! [`super::locate`]).

use std::ops::Range;

use tree_sitter::{Node, Tree, TreeCursor};

use super::chars;
use crate::diagnostics::{codes, Diagnostic, Edit, Fix};

mod foreign;
mod spaced_name;

/// The diagnostics of every ERROR and MISSING node.
pub(super) fn diagnose(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let root = tree.root_node();
    if !root.has_error() {
        return diagnostics;
    }
    let tokens = Tokens::of(root);
    if let Some(diagnostic) = missing_section_declaration(root, text, &tokens) {
        return vec![diagnostic];
    }
    let source = Source::new(text);
    // Later problems that start before this offset are consequences of one already reported (see
    // `explanation`). Every span explained starts at or before the node that found it, and the walk meets
    // nodes in the order of their starts, so the end of the spans is all that needs keeping.
    let mut explained_until = 0;
    let mut explainer = Explainer {
        root,
        text,
        tokens: &tokens,
        quoted_names: Default::default(),
        field_name_scan_budget: 4 * text.len() + 4096,
    };
    let mut walk = Walk::new(root);
    loop {
        let node = walk.node();
        let problem = node.is_error() || node.is_missing();
        let mut descend = node.has_error();
        if problem && node.start_byte() < explained_until {
            descend = false;
        } else if let Some((found, span)) =
            problem.then(|| explainer.explanation(node, &walk.place())).flatten()
        {
            diagnostics.extend(found);
            explained_until = explained_until.max(span.end);
            descend = false;
        } else if node.is_error() {
            let next_named = walk.next_named_sibling(node);
            diagnostics.extend(diagnose_error(node, &walk.place(), next_named, &tokens, &source));
            descend = false;
        } else if node.is_missing() {
            diagnostics.push(diagnose_missing(node, walk.parent(), &tokens, &source));
        }
        if !walk.advance(descend) {
            diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
            diagnostics.dedup_by_key(|d| d.range.start);
            return diagnostics;
        }
    }
}

/// What the explanations need, and the budget that keeps the search for a field name's `]` linear.
struct Explainer<'t> {
    root: Node<'t>,
    text: &'t str,
    tokens: &'t Tokens,
    quoted_names: spaced_name::QuotedNames,
    /// How many more bytes [`unquoted_field_name`] may read in all: each search reads ahead to a `]`, so
    /// many field names without one in a large file would otherwise cost the square of its size.
    field_name_scan_budget: usize,
}

impl Explainer<'_> {
    /// For an ERROR or MISSING node that one recognized mistake explains (an unquoted field name, a name
    /// with spaces written without its quotes, operators or quotes from other languages): its diagnostics
    /// and the span whose later problems all follow from it.
    fn explanation(&mut self, node: Node, place: &Place) -> Option<(Vec<Diagnostic>, Range<usize>)> {
        let before = self.tokens.before(node.start_byte());
        let field_name = before.filter(|leaf| leaf.kind() == "generalized_identifier");
        if let Some((diagnostic, span)) = field_name.and_then(|name| {
            unquoted_field_name(node, name.range(), self.text, &mut self.field_name_scan_budget)
        }) {
            return Some((vec![diagnostic], span));
        }
        if let Some(parent) = place.parent.filter(|parent| parent.kind() == "item_access") {
            if let Some((diagnostic, span)) =
                list_read_as_item_access(node, parent, place.opens, self.tokens, self.text)
            {
                return Some((vec![diagnostic], span));
            }
        }
        if !node.is_error() {
            return None;
        }
        let identifier = before.filter(|leaf| leaf.kind() == "identifier").map(|leaf| leaf.range());
        if let Some((diagnostic, span)) =
            spaced_name::unquoted_spaced_name(node, identifier, self.root, self.text, &mut self.quoted_names)
        {
            return Some((vec![diagnostic], span));
        }
        let foreign = foreign::foreign_syntax(node, self.text);
        // What the fixes replace is explained too: the closing `'` of `'text'` may be an ERROR of its own.
        let end = foreign.iter().map(foreign::covered_end).max()?.max(node.end_byte());
        Some((foreign, node.start_byte()..end))
    }
}

// -------------------------------------------------------------------------------------------------------
// The walk

/// A preorder walk of the tree with a cursor, descending only where asked, that keeps for the node under
/// the cursor what the diagnostics need from its ancestors, so none of them is ever climbed to.
struct Walk<'t> {
    cursor: TreeCursor<'t>,
    /// The ancestors of the node under the cursor, outermost first.
    frames: Vec<Frame<'t>>,
    /// The constructs the ancestors leave open where the node under the cursor starts, outermost first.
    opens: Opens,
    /// How many of the ancestors are sections.
    sections: usize,
}

/// One ancestor of the node under the cursor, and what its children before that node tell.
struct Frame<'t> {
    node: Node<'t>,
    /// The construct its children so far leave open: a bracket not closed yet, a `let` before its `in`, an
    /// `if` waiting for `then` or `else`.
    open: Option<Open>,
    /// Whether `open` is the entry of this frame on [`Walk::opens`].
    open_listed: bool,
    /// A MISSING child was passed: what was open stays as it was (the closer that is missing would have
    /// come there).
    frozen: bool,
    /// The child before the current one, and the last named child before it.
    previous: Option<Node<'t>>,
    previous_named: Option<Node<'t>>,
    /// A cursor over this node's children that runs ahead of the walk, made when a child asks for the
    /// sibling after it. It only moves forward, as the walk does.
    lookahead: Option<TreeCursor<'t>>,
}

/// Where the node under the cursor is: what [`diagnose_error`] knows about its surroundings.
struct Place<'w, 't> {
    parent: Option<Node<'t>>,
    previous: Option<Node<'t>>,
    previous_named: Option<Node<'t>>,
    /// The sibling before the parent.
    parent_previous: Option<Node<'t>>,
    /// Whether an ancestor is a section.
    in_section: bool,
    /// The constructs open around the node, outermost first.
    opens: &'w Opens,
}

impl<'t> Walk<'t> {
    fn new(root: Node<'t>) -> Walk<'t> {
        Walk { cursor: root.walk(), frames: Vec::new(), opens: Opens::default(), sections: 0 }
    }

    fn node(&self) -> Node<'t> {
        self.cursor.node()
    }

    fn parent(&self) -> Option<Node<'t>> {
        self.frames.last().map(|frame| frame.node)
    }

    fn place(&self) -> Place<'_, 't> {
        let top = self.frames.last();
        let parent_frame = self.frames.len().checked_sub(2).map(|at| &self.frames[at]);
        Place {
            parent: top.map(|frame| frame.node),
            previous: top.and_then(|frame| frame.previous),
            previous_named: top.and_then(|frame| frame.previous_named),
            parent_previous: parent_frame.and_then(|frame| frame.previous),
            in_section: self.sections > 0,
            opens: &self.opens,
        }
    }

    /// Moves to the next node in preorder, into the children of the current one when `descend` (and it has
    /// any), else past them. Returns false at the end of the tree.
    fn advance(&mut self, descend: bool) -> bool {
        let node = self.cursor.node();
        if descend && self.cursor.goto_first_child() {
            self.sections += usize::from(node.kind() == "section");
            self.frames.push(Frame {
                node,
                open: None,
                open_listed: false,
                frozen: false,
                previous: None,
                previous_named: None,
                lookahead: None,
            });
            return true;
        }
        loop {
            let passed = self.cursor.node();
            if self.cursor.goto_next_sibling() {
                self.pass(passed);
                return true;
            }
            if !self.cursor.goto_parent() {
                return false;
            }
            let frame = self.frames.pop().expect("a frame for every node the cursor went into");
            if frame.open_listed {
                self.opens.pop();
            }
            self.sections -= usize::from(frame.node.kind() == "section");
        }
    }

    /// Takes a child the walk moves past into account in its parent's frame.
    fn pass(&mut self, child: Node<'t>) {
        let frame = self.frames.last_mut().expect("a node with a sibling has a parent");
        frame.previous = Some(child);
        if child.is_named() {
            frame.previous_named = Some(child);
        }
        if frame.frozen {
            return;
        }
        if child.is_missing() {
            frame.frozen = true;
            return;
        }
        let kind = child.kind();
        let open = match (kind, &frame.open) {
            ("(" | "[" | "{", _) => {
                Some(Open { kind: OpenKind::Bracket(kind.as_bytes()[0]), at: child.byte_range() })
            }
            (")" | "]" | "}", _) => None,
            ("let", _) => Some(Open { kind: OpenKind::Let, at: child.byte_range() }),
            ("in", _) => None,
            ("if", _) => Some(Open { kind: OpenKind::IfNeedsThen, at: child.byte_range() }),
            ("then", Some(open)) => Some(Open { kind: OpenKind::IfNeedsElse, at: open.at.clone() }),
            ("else", _) => None,
            _ => return,
        };
        // This frame is the innermost, so its entry, if it has one, is the last of the list.
        if frame.open_listed {
            self.opens.pop();
        }
        frame.open_listed = open.is_some();
        if let Some(open) = &open {
            self.opens.push(open.clone());
        }
        frame.open = open;
    }

    /// The named sibling after `node`, which must be the node under the cursor.
    fn next_named_sibling(&mut self, node: Node<'t>) -> Option<Node<'t>> {
        let Frame { node: parent, lookahead, .. } = self.frames.last_mut()?;
        super::locate::next_named_sibling(*parent, lookahead, node)
    }
}

// -------------------------------------------------------------------------------------------------------
// Tokens

/// What the balance check needs to know about one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenClass {
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    Let,
    In,
    If,
    Then,
    Else,
    Semicolon,
    Comma,
    Catch,
    Shared,
    Equals,
    /// A name: an identifier or a quoted identifier.
    Name,
    /// A token that must be followed by an operand: binary and prefix operators, `=`, `=>`, `each`, ...
    NeedsOperand,
    /// Anything else: names, literals, and keywords that need no special handling.
    Other,
}

/// A token of the input: a leaf of the tree that is neither a comment nor a MISSING node.
#[derive(Debug, Clone)]
struct Token {
    range: Range<usize>,
    class: TokenClass,
    /// How the token is shown in a message: its text, shortened.
    shown: String,
}

/// The keyword a token spells, if any. During error recovery tree-sitter may lex a keyword as an
/// identifier, so the text decides, not the node kind.
fn classify(kind: &str, text: &str) -> TokenClass {
    let word = if kind == "identifier" { text } else { kind };
    match word {
        "(" => TokenClass::Open(b'('),
        "[" => TokenClass::Open(b'['),
        "{" => TokenClass::Open(b'{'),
        ")" => TokenClass::Close(b'('),
        "]" => TokenClass::Close(b'['),
        "}" => TokenClass::Close(b'{'),
        "let" => TokenClass::Let,
        "in" => TokenClass::In,
        "if" => TokenClass::If,
        "then" => TokenClass::Then,
        "else" => TokenClass::Else,
        ";" => TokenClass::Semicolon,
        "," => TokenClass::Comma,
        "catch" => TokenClass::Catch,
        "shared" => TokenClass::Shared,
        "=" => TokenClass::Equals,
        _ if kind == "identifier" || kind == "quoted_identifier" => TokenClass::Name,
        "+" | "-" | "*" | "/" | "&" | "<>" | "<" | ">" | "<=" | ">=" | "and" | "or" | "not" | "??"
        | "meta" | "as" | "is" | "=>" | "each" | "error" | "try" | "otherwise" | ".." | "!" | "@" => {
            TokenClass::NeedsOperand
        }
        _ => TokenClass::Other,
    }
}

/// Whether a token class ends or separates constructs, so that it cannot be an operand.
fn is_terminator(class: TokenClass) -> bool {
    matches!(
        class,
        TokenClass::Close(_)
            | TokenClass::In
            | TokenClass::Then
            | TokenClass::Else
            | TokenClass::Semicolon
            | TokenClass::Comma
    )
}

/// Shows source text in a message: the first line, at most 24 characters.
fn show(source: &str) -> String {
    let first_line = source.lines().next().unwrap_or("");
    if first_line.chars().all(|c| c.is_whitespace() || c.is_control() || chars::is_invisible(c)) {
        // A stray invisible character (a no-break space, a zero-width space) must be named to be seen.
        return first_line
            .chars()
            .take(4)
            .map(|c| format!("U+{:04X}", c as u32))
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut shown: String = first_line.chars().take(24).collect();
    if shown.len() < source.len() {
        shown.push('…');
    }
    shown
}

/// The tokens of a tree, in order: its leaves but comments, MISSING nodes and empty ones, gathered in one
/// walk. The tokens before, after and inside a node are then binary searches, not climbs through its
/// ancestors and siblings.
struct Tokens {
    leaves: Vec<Leaf>,
}

/// One token, small: a large file has millions.
#[derive(Debug, Clone, Copy)]
struct Leaf {
    start: u32,
    end: u32,
    kind: u16,
    /// Whether the token is the `name` of its parent (a section's, a member's, a binding's, a field's).
    names_parent: bool,
}

impl Leaf {
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    fn kind(self) -> &'static str {
        KIND_NAMES.get(usize::from(self.kind)).copied().unwrap_or("")
    }

    fn token(self, text: &str) -> Token {
        let range = self.range();
        let source = text.get(range.clone()).unwrap_or("");
        Token { class: classify(self.kind(), source), shown: show(source), range }
    }
}

impl Tokens {
    fn of(root: Node) -> Tokens {
        let ids = &*KIND_IDS;
        let mut leaves = Vec::new();
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            if node.child_count() == 0 {
                let kind = node.kind_id();
                if !node.is_missing() && kind != ids.comment && !node.byte_range().is_empty() {
                    // Only names can be a name: the field, slow to look up, is looked up for them only.
                    let names_parent = ids.names.contains(&kind)
                        && ids.name_field.is_some_and(|name| cursor.field_id() == Some(name));
                    leaves.push(Leaf {
                        start: offset_u32(node.start_byte()),
                        end: offset_u32(node.end_byte()),
                        kind,
                        names_parent,
                    });
                }
            } else if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return Tokens { leaves };
                }
            }
        }
    }

    /// The last token that ends at or before `offset`.
    fn before(&self, offset: usize) -> Option<Leaf> {
        let count = self.leaves.partition_point(|leaf| (leaf.end as usize) <= offset);
        count.checked_sub(1).map(|at| self.leaves[at])
    }

    /// The first token that starts at or after `offset`.
    fn after(&self, offset: usize) -> Option<Leaf> {
        self.leaves.get(self.leaves.partition_point(|leaf| (leaf.start as usize) < offset)).copied()
    }

    /// In the bracket `open`, not closed before `stop`: the first `,` at the bracket's own level followed
    /// by `Name =` that starts a line indented no deeper than the bracket's line (where a binding or field
    /// of the construct around the bracket starts), and that name. Reads at most [`LOOKAHEAD_TOKENS`]
    /// tokens.
    fn binding_after_unclosed(&self, open: &Open, stop: usize, text: &str) -> Option<(Leaf, Leaf)> {
        if !matches!(open.kind, OpenKind::Bracket(_)) {
            return None;
        }
        let first = self.leaves.partition_point(|leaf| (leaf.start as usize) < open.at.end);
        let mut depth = 0usize;
        for (offset, leaf) in self.leaves[first..].iter().enumerate().take(LOOKAHEAD_TOKENS) {
            if leaf.start as usize >= stop {
                return None;
            }
            match classify(leaf.kind(), &text[leaf.range()]) {
                TokenClass::Open(_) => depth += 1,
                TokenClass::Close(_) if depth == 0 => return None,
                TokenClass::Close(_) => depth -= 1,
                TokenClass::Comma if depth == 0 => {
                    let at = first + offset + 1;
                    let (name, equals) = (self.leaves.get(at)?, self.leaves.get(at + 1)?);
                    if matches!(name.kind(), "identifier" | "quoted_identifier" | "generalized_identifier")
                        && equals.kind() == "="
                        && starts_line_within(text, name.start as usize, open.at.start)
                    {
                        return Some((*leaf, *name));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// For a `let` whose `in`, or an `if` whose `then` or `else`, is missing before `stop`: the token it
    /// was to come before, the first value at the construct's level that follows another value with
    /// nothing between them (`if c x else y`, `if c then x y`, `let a = 1 a`; in a `let`, not a value
    /// followed by `=`, which is the next binding). Reads at most [`LOOKAHEAD_TOKENS`] tokens.
    fn missing_keyword(&self, open: &Open, stop: usize, text: &str) -> Option<Leaf> {
        let first = self.leaves.partition_point(|leaf| (leaf.start as usize) < open.at.end);
        let (mut depth, mut inner) = (0usize, 0usize);
        let mut after_then = open.kind != OpenKind::IfNeedsElse;
        let mut previous: Option<(TokenClass, &str)> = None;
        let leaves = &self.leaves[first..];
        for (index, leaf) in leaves.iter().enumerate().take(LOOKAHEAD_TOKENS) {
            if leaf.start as usize >= stop {
                return None;
            }
            let word = &text[leaf.range()];
            let class = classify(leaf.kind(), word);
            let level = depth == 0 && inner == 0;
            if level && after_then {
                let value_before = previous
                    .is_some_and(|(class, word)| ends_value(class) && !matches!(word, "type" | "section"));
                // A name, a literal, a keyword that starts a value; not `?` or `!`.
                let literal = class == TokenClass::Other
                    && word.starts_with(|c: char| c.is_alphanumeric() || matches!(c, '"' | '#' | '.'));
                let value_here = matches!(class, TokenClass::Name | TokenClass::If | TokenClass::Let)
                    || literal
                    || matches!(word, "each" | "try" | "not" | "error");
                let binding_next = open.kind == OpenKind::Let
                    && leaves.get(index + 1).is_some_and(|next| next.kind() == "=");
                if value_before && value_here && !binding_next {
                    return Some(*leaf);
                }
            }
            let (opens_inner, closes_inner) = match open.kind {
                OpenKind::Let => (class == TokenClass::Let, class == TokenClass::In),
                _ => (class == TokenClass::If, class == TokenClass::Else),
            };
            match class {
                TokenClass::Open(_) => depth += 1,
                TokenClass::Close(_) if depth == 0 => return None,
                TokenClass::Close(_) => depth -= 1,
                _ if depth == 0 && opens_inner => inner += 1,
                _ if depth == 0 && closes_inner && inner > 0 => inner -= 1,
                TokenClass::Then if level => after_then = true,
                TokenClass::Semicolon | TokenClass::In if depth == 0 => return None,
                TokenClass::Comma if depth == 0 && open.kind != OpenKind::Let => return None,
                _ => {}
            }
            previous = Some((class, word));
        }
        None
    }

    /// The tokens inside `node`, in order.
    fn within(&self, node: Node) -> &[Leaf] {
        let first = self.leaves.partition_point(|leaf| (leaf.start as usize) < node.start_byte());
        let end = self.leaves.partition_point(|leaf| (leaf.end as usize) <= node.end_byte());
        &self.leaves[first..end.max(first)]
    }
}

/// The name of each node kind of the grammar, by id.
static KIND_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let language = super::language();
    (0..language.node_kind_count())
        .map(|id| u16::try_from(id).ok().and_then(|id| language.node_kind_for_id(id)).unwrap_or(""))
        .collect()
});

/// The ids [`Tokens::of`] compares with, looked up once.
struct KindIds {
    comment: u16,
    /// The kinds of the tokens that can be a `name` field.
    names: [u16; 3],
    name_field: Option<std::num::NonZeroU16>,
}

static KIND_IDS: std::sync::LazyLock<KindIds> = std::sync::LazyLock::new(|| {
    let language = super::language();
    let id = |kind: &str| language.id_for_node_kind(kind, true);
    KindIds {
        comment: id("comment"),
        names: [id("identifier"), id("quoted_identifier"), id("generalized_identifier")],
        name_field: language.field_id_for_name("name"),
    }
});

/// A byte offset as tree-sitter stores it (it reads at most 4 GiB).
fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

// -------------------------------------------------------------------------------------------------------
// Constructs

/// An open construct of the balance check.
#[derive(Debug, Clone)]
struct Open {
    kind: OpenKind,
    /// Where the construct starts (its opening token).
    at: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenKind {
    Bracket(u8),
    Let,
    IfNeedsThen,
    IfNeedsElse,
}

impl OpenKind {
    /// The token that closes or continues the construct, as shown in a message.
    fn expected(self) -> &'static str {
        match self {
            OpenKind::Bracket(b'(') => ")",
            OpenKind::Bracket(b'[') => "]",
            OpenKind::Bracket(_) => "}",
            OpenKind::Let => "in",
            OpenKind::IfNeedsThen => "then",
            OpenKind::IfNeedsElse => "else",
        }
    }
}

/// "expected `in` to close the `let` that starts at 3:3".
fn expectation(open: &Open, source: &Source) -> String {
    let at = source.position(open.at.start);
    match open.kind {
        OpenKind::Bracket(bracket) => {
            format!("expected `{}` to close the `{}` at {at}", open.kind.expected(), bracket as char)
        }
        OpenKind::Let => format!("expected `in` to close the `let` that starts at {at}"),
        OpenKind::IfNeedsThen => format!("expected `then` after the condition of the `if` at {at}"),
        OpenKind::IfNeedsElse => format!("expected `else` to complete the `if` at {at}"),
    }
}

/// The text being diagnosed, with its line index built on first use (only messages that name a position
/// need it, and a file with many errors builds it once).
struct Source<'t> {
    text: &'t str,
    lines: std::cell::OnceCell<crate::text::LineIndex>,
}

impl<'t> Source<'t> {
    fn new(text: &'t str) -> Source<'t> {
        Source { text, lines: std::cell::OnceCell::new() }
    }

    /// A 1-based `line:column` for messages.
    fn position(&self, offset: usize) -> String {
        let lines = self.lines.get_or_init(|| crate::text::LineIndex::new(self.text));
        let at = lines.line_column(self.text, offset);
        format!("{}:{}", at.line, at.column)
    }
}

impl OpenKind {
    /// The kind's place in [`Opens::by_kind`].
    fn slot(self) -> usize {
        match self {
            OpenKind::Bracket(b'(') => 0,
            OpenKind::Bracket(b'[') => 1,
            OpenKind::Bracket(_) => 2,
            OpenKind::Let => 3,
            OpenKind::IfNeedsThen => 4,
            OpenKind::IfNeedsElse => 5,
        }
    }
}

/// A stack of open constructs, outermost first, that finds the innermost one of a kind without looking at
/// the others: a `)` in a 100,000-deep stack of `[` costs a lookup, not a scan.
#[derive(Default)]
struct Opens {
    list: Vec<Open>,
    /// For each kind, the positions in `list` of the constructs of that kind, in order.
    by_kind: [Vec<usize>; 6],
}

impl Opens {
    fn len(&self) -> usize {
        self.list.len()
    }

    fn push(&mut self, open: Open) {
        self.by_kind[open.kind.slot()].push(self.list.len());
        self.list.push(open);
    }

    fn pop(&mut self) -> Option<Open> {
        let open = self.list.pop()?;
        self.by_kind[open.kind.slot()].pop();
        Some(open)
    }

    /// The position of the innermost construct of `kind` among the first `len`.
    fn innermost_below(&self, kind: OpenKind, len: usize) -> Option<usize> {
        let positions = &self.by_kind[kind.slot()];
        let count = positions.partition_point(|&at| at < len);
        count.checked_sub(1).map(|at| positions[at])
    }
}

/// The stack the balance check of one ERROR works on: the constructs open around the node (shared with the
/// walk, never copied: only how many of them are still open is kept), then those opened inside it.
struct OpenStack<'w> {
    around: &'w Opens,
    /// How many of `around` are still open.
    around_len: usize,
    inside: Opens,
}

impl<'w> OpenStack<'w> {
    fn new(around: &'w Opens) -> OpenStack<'w> {
        OpenStack { around, around_len: around.len(), inside: Opens::default() }
    }

    fn len(&self) -> usize {
        self.around_len + self.inside.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, at: usize) -> Option<&Open> {
        match at.checked_sub(self.around_len) {
            Some(inside) => self.inside.list.get(inside),
            None => self.around.list.get(at),
        }
    }

    fn last(&self) -> Option<&Open> {
        self.len().checked_sub(1).and_then(|at| self.get(at))
    }

    fn push(&mut self, open: Open) {
        self.inside.push(open);
    }

    fn truncate(&mut self, len: usize) {
        while self.len() > len && self.inside.pop().is_some() {}
        self.around_len = self.around_len.min(len);
    }

    fn clear(&mut self) {
        self.truncate(0);
    }

    /// The position of the innermost open construct of `kind`.
    fn innermost(&self, kind: OpenKind) -> Option<usize> {
        match self.inside.innermost_below(kind, self.inside.len()) {
            Some(inside) => Some(self.around_len + inside),
            None => self.around.innermost_below(kind, self.around_len),
        }
    }
}

// -------------------------------------------------------------------------------------------------------
// ERROR nodes

/// The balance check over the tokens of one ERROR node.
struct Scan<'s, 't, 'w> {
    source: &'s Source<'t>,
    /// All the tokens of the tree.
    tokens: &'s Tokens,
    stack: OpenStack<'w>,
    diagnostics: Vec<Diagnostic>,
    /// Where we are in the shape of a section member, when the ERROR is among a section's members;
    /// `None` inside a member's value or after a reported problem, until the next `;`.
    member: Option<MemberShape>,
    in_section: bool,
    /// The name that starts a `let` binding, while its `=` is still to come.
    binding_name: Option<Token>,
    /// A name at a `let`'s level right after a value (`... else (x - 1) Next`), which starts the next
    /// binding if an `=` follows: the `,` before it is missing.
    /// Where the `,` would go: the end of the token before the name.
    unseparated_name: Option<(Token, usize)>,
    /// A problem found explains the rest of the ERROR: the scan stops.
    settled: bool,
}

/// The expected shape of a section member: `[attributes]? shared? Name = value ;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberShape {
    Start,
    AfterShared,
    AfterName,
}

impl Scan<'_, '_, '_> {
    fn report_missing(&mut self, open: &Open, found: Option<&Token>, at: Range<usize>) {
        let related = format!("the `{}` is here", &self.source.text[open.at.clone()]);
        if let Some((comma, name)) = self.tokens.binding_after_unclosed(open, at.start, self.source.text) {
            // `Source = f(x` then `, Next = ...`: the bracket was to close before the next binding.
            let message = format!(
                "{}, found `,` before `{} =`",
                expectation(open, self.source),
                show(&self.source.text[name.range()])
            );
            let fix = insertion(self.source.text, comma.start as usize, open.kind.expected());
            let diagnostic = Diagnostic::new(codes::M102, comma.range(), message);
            self.diagnostics.push(diagnostic.with_related(open.at.clone(), related).with_fix(fix));
            return;
        }
        let keyword = !matches!(open.kind, OpenKind::Bracket(_));
        if let Some(before) =
            keyword.then(|| self.tokens.missing_keyword(open, at.start, self.source.text)).flatten()
        {
            let token = before.token(self.source.text);
            let message = format!("{}, found `{}`", expectation(open, self.source), token.shown);
            let fix = insertion(self.source.text, token.range.start, open.kind.expected());
            let diagnostic = Diagnostic::new(codes::M102, token.range.clone(), message);
            self.diagnostics.push(diagnostic.with_related(open.at.clone(), related).with_fix(fix));
            return;
        }
        let mut message = expectation(open, self.source);
        match found {
            Some(token) => message.push_str(&format!(", found `{}`", token.shown)),
            None => message.push_str(", found the end of the file"),
        }
        let fix = insertion(self.source.text, at.start, open.kind.expected());
        self.diagnostics.push(
            Diagnostic::new(codes::M102, at, message).with_related(open.at.clone(), related).with_fix(fix),
        );
    }

    fn report_unexpected(&mut self, token: &Token, message: String) {
        self.diagnostics.push(Diagnostic::new(codes::M101, token.range.clone(), message));
    }

    /// Closes the constructs above the innermost one of `kind`, reporting only the innermost of them
    /// (the others are the same mistake seen from further out). Returns the one of `kind` it closed.
    fn close_through(&mut self, kind: OpenKind, token: &Token) -> Option<Open> {
        let depth = self.stack.innermost(kind)?;
        let closed = self.stack.get(depth).cloned();
        if depth + 1 < self.stack.len() {
            let innermost = self.stack.last().cloned().expect("the stack is deeper than `depth`");
            self.report_missing(&innermost, Some(token), token.range.clone());
            // `[EndDate) <> null)`: the closer may also be the other bracket, typed by mistake.
            if let (OpenKind::Bracket(_), TokenClass::Close(_)) = (innermost.kind, token.class) {
                if let Some(reported) = self.diagnostics.last_mut() {
                    reported.fixes.push(replacement(token.range.clone(), innermost.kind.expected()));
                }
            }
        }
        self.stack.truncate(depth);
        closed
    }

    /// Reports a token that needs something after it (an operator, a `,`) followed by one that cannot be
    /// that something (`found` is `None` at the end of the file, `at` where the report goes).
    fn check_adjacent(&mut self, previous: Option<&Token>, found: Option<&Token>, at: Range<usize>) {
        let Some(previous) = previous else { return };
        if found.is_some_and(|token| !is_terminator(token.class)) {
            return;
        }
        let found =
            found.map_or_else(|| "the end of the file".to_string(), |token| format!("`{}`", token.shown));
        let message = match previous.class {
            TokenClass::NeedsOperand | TokenClass::Equals => {
                format!("expected an expression after `{}`, found {found}", previous.shown)
            }
            TokenClass::Comma => {
                let item = match self.stack.last().map(|open| open.kind) {
                    Some(OpenKind::Bracket(b'{')) => "a list item",
                    Some(OpenKind::Bracket(b'[')) => "a field",
                    Some(OpenKind::Bracket(_)) => "an argument",
                    Some(OpenKind::Let) => "a binding",
                    _ => "another item",
                };
                format!("expected {item} after `,`, found {found} (a trailing `,` is not allowed)")
            }
            _ => return,
        };
        self.diagnostics.push(Diagnostic::new(codes::M102, at, message));
    }

    /// Follows the shape of a section member through tokens at the section's level.
    fn step_member(&mut self, previous: Option<&Token>, token: &Token) {
        let Some(shape) = self.member.filter(|_| self.stack.is_empty()) else {
            return;
        };
        let problem = match (shape, token.class) {
            (_, TokenClass::Semicolon) => return,
            (MemberShape::Start, TokenClass::Open(b'[')) => return,
            (MemberShape::Start, TokenClass::Shared) => {
                self.member = Some(MemberShape::AfterShared);
                return;
            }
            (MemberShape::Start | MemberShape::AfterShared, TokenClass::Name) => {
                self.member = Some(MemberShape::AfterName);
                return;
            }
            (MemberShape::AfterName, TokenClass::Equals) => {
                self.member = None;
                return;
            }
            (MemberShape::Start, _) => {
                format!("expected a section member (`shared Name = ...;`), found `{}`", token.shown)
            }
            (MemberShape::AfterShared, _) => {
                format!("expected a member name after `shared`, found `{}`", token.shown)
            }
            (MemberShape::AfterName, _) => match previous.and_then(|p| miscased_keyword(&p.shown)) {
                // `Section Section2;`: the name was meant as the keyword.
                Some(keyword) => format!(
                    "expected `=` after the member name, found `{}`; if `{}` was meant as the keyword, write \
                     `{keyword}` (keywords are case-sensitive)",
                    token.shown,
                    previous.map_or("", |p| p.shown.as_str())
                ),
                None => format!("expected `=` after the member name, found `{}`", token.shown),
            },
        };
        self.diagnostics.push(Diagnostic::new(codes::M102, token.range.clone(), problem));
        self.member = None;
    }

    /// Follows the start of each `let` binding, `Name =`, and reports a name not followed by its `=`
    /// (`b f(a)`), which the parser otherwise reads as a missing `,` or gives up on the whole `let`.
    fn step_binding(&mut self, previous: Option<&Token>, token: &Token) {
        if let Some((name, comma_at)) = self.unseparated_name.take() {
            if token.class == TokenClass::Equals {
                let message = format!("expected `,` between bindings, before `{} =`", name.shown);
                let at = name.range.start;
                let fix = insertion(self.source.text, comma_at, ",");
                self.diagnostics.push(Diagnostic::new(codes::M102, at..at, message).with_fix(fix));
                return;
            }
        }
        if let Some(name) = self.binding_name.take() {
            if token.class != TokenClass::Equals {
                let message =
                    format!("expected `=` after the binding name `{}`, found `{}`", name.shown, token.shown);
                let fix = insertion(self.source.text, name.range.end, "=");
                self.diagnostics
                    .push(Diagnostic::new(codes::M102, token.range.clone(), message).with_fix(fix));
                // The rest of the ERROR is the value the parser could not place.
                self.settled = true;
            }
            return;
        }
        let at_binding_start = self.stack.last().is_some_and(|open| open.kind == OpenKind::Let)
            && previous.is_some_and(|p| matches!(p.class, TokenClass::Let | TokenClass::Comma));
        if at_binding_start && token.class == TokenClass::Name {
            self.binding_name = Some(token.clone());
        } else if token.class == TokenClass::Name
            && self.stack.last().is_some_and(|open| open.kind == OpenKind::Let)
            && previous.is_some_and(|p| {
                matches!(p.class, TokenClass::Close(_) | TokenClass::Name | TokenClass::Other)
            })
        {
            let comma_at = previous.map_or(token.range.start, |p| p.range.end);
            self.unseparated_name = Some((token.clone(), comma_at));
        }
    }

    fn step(&mut self, previous: Option<&Token>, token: &Token) {
        self.step_binding(previous, token);
        self.check_adjacent(previous, Some(token), token.range.clone());
        if previous.is_some_and(|p| p.class == TokenClass::Catch) && token.class != TokenClass::Open(b'(') {
            let message =
                format!("expected `(` after `catch` (as in `catch (e) => ...`), found `{}`", token.shown);
            self.diagnostics.push(Diagnostic::new(codes::M102, token.range.clone(), message));
        }
        if token.class == TokenClass::Semicolon
            && self.stack.is_empty()
            && self.member == Some(MemberShape::Start)
            && previous.is_some_and(|p| p.class == TokenClass::Semicolon)
        {
            self.report_unexpected(token, "unexpected `;`: there is no section member before it".into());
        }
        self.step_member(previous, token);
        match token.class {
            TokenClass::Open(bracket) => {
                self.stack.push(Open { kind: OpenKind::Bracket(bracket), at: token.range.clone() })
            }
            TokenClass::Close(bracket) => {
                let innermost = self.stack.last().cloned();
                let swapped = innermost.filter(|open| {
                    matches!(open.kind, OpenKind::Bracket(other) if other != bracket)
                        && self.stack.innermost(OpenKind::Bracket(bracket)).is_none()
                });
                if let Some(open) = swapped {
                    // `[Id = "x")`: the other closing bracket, typed by mistake.
                    let expected = open.kind.expected();
                    let message = format!(
                        "unexpected `{}`: the `{}` at {} is still open; write `{expected}` to close it",
                        token.shown,
                        &self.source.text[open.at.clone()],
                        self.source.position(open.at.start)
                    );
                    let fix = replacement(token.range.clone(), expected);
                    self.diagnostics.push(
                        Diagnostic::new(codes::M101, token.range.clone(), message)
                            .with_related(
                                open.at.clone(),
                                format!("the `{}` is here", &self.source.text[open.at.clone()]),
                            )
                            .with_fix(fix),
                    );
                    self.stack.truncate(self.stack.len() - 1);
                } else if self.close_through(OpenKind::Bracket(bracket), token).is_none() {
                    let message = format!(
                        "unexpected `{}`: there is no `{}` for it to close",
                        token.shown, bracket as char
                    );
                    self.report_unexpected(token, message);
                }
            }
            TokenClass::Let => self.stack.push(Open { kind: OpenKind::Let, at: token.range.clone() }),
            TokenClass::In => {
                if self.close_through(OpenKind::Let, token).is_none() {
                    self.report_unexpected(
                        token,
                        "unexpected `in`: there is no `let` for it to close".into(),
                    );
                }
            }
            TokenClass::If => self.stack.push(Open { kind: OpenKind::IfNeedsThen, at: token.range.clone() }),
            TokenClass::Then => {
                if let Some(condition) = self.close_through(OpenKind::IfNeedsThen, token) {
                    self.stack.push(Open { kind: OpenKind::IfNeedsElse, at: condition.at });
                } else {
                    self.report_unexpected(token, "unexpected `then`: there is no `if` before it".into());
                }
            }
            TokenClass::Else => {
                if self.close_through(OpenKind::IfNeedsElse, token).is_some() {
                    return;
                }
                // `if c x else y`: the `if` is there, its `then` is what is missing. The `else` still ends
                // the `if`, so nothing else is reported for it.
                match self.stack.innermost(OpenKind::IfNeedsThen) {
                    Some(depth) if depth + 1 == self.stack.len() => {
                        let open = self.stack.get(depth).cloned().expect("an open construct at `depth`");
                        self.report_missing(&open, Some(token), token.range.clone());
                        self.stack.truncate(depth);
                    }
                    Some(_) => {
                        self.close_through(OpenKind::IfNeedsThen, token);
                    }
                    None => self.report_unexpected(
                        token,
                        "unexpected `else`: there is no `if ... then` before it".into(),
                    ),
                }
            }
            TokenClass::Semicolon => {
                // A `;` ends a section member: whatever is still open there was never closed. Outside a
                // section, a `;` in a `let` is a binding separator written the way other languages do.
                let missing_in =
                    self.stack.last().filter(|open| open.kind == OpenKind::Let).and_then(|open| {
                        self.tokens.missing_keyword(open, token.range.start, self.source.text)
                    });
                match self.stack.last().cloned() {
                    Some(innermost) if missing_in.is_some() => {
                        self.report_missing(&innermost, Some(token), token.range.clone())
                    }
                    Some(innermost) if innermost.kind == OpenKind::Let && !self.in_section => {
                        let message = "expected `,` between bindings, found `;` (bindings are separated by \
                                       `,`; `;` only ends section members)";
                        let fix = replacement(token.range.clone(), ",");
                        self.diagnostics
                            .push(Diagnostic::new(codes::M102, token.range.clone(), message).with_fix(fix));
                    }
                    Some(innermost) => self.report_missing(&innermost, Some(token), token.range.clone()),
                    None => {}
                }
                self.stack.clear();
                if self.in_section {
                    self.member = Some(MemberShape::Start);
                }
            }
            TokenClass::Comma
            | TokenClass::Catch
            | TokenClass::Shared
            | TokenClass::Equals
            | TokenClass::Name
            | TokenClass::NeedsOperand
            | TokenClass::Other => {}
        }
    }
}

/// The diagnostics of an ERROR `node` at `place`, whose next named sibling is `next_named`.
fn diagnose_error(
    node: Node,
    place: &Place,
    next_named: Option<Node>,
    all_tokens: &Tokens,
    source: &Source,
) -> Vec<Diagnostic> {
    let text = source.text;
    let tokens: Vec<Token> = all_tokens.within(node).iter().map(|leaf| leaf.token(text)).collect();
    let after = all_tokens.after(node.end_byte()).map(|leaf| leaf.token(text));
    let before_leaf = all_tokens.before(node.start_byte());
    let before = before_leaf.map(|leaf| leaf.token(text));
    let is_section = |sibling: Option<Node>| sibling.is_some_and(|s| s.kind() == "section");
    let in_section = place.in_section || is_section(place.parent_previous) || is_section(place.previous);
    let at_member_start = in_section && before.as_ref().is_some_and(|b| b.class == TokenClass::Semicolon);
    let after_shared = in_section && before.as_ref().is_some_and(|b| b.class == TokenClass::Shared);
    let member = if at_member_start {
        Some(MemberShape::Start)
    } else {
        after_shared.then_some(MemberShape::AfterShared)
    };
    let mut scan = Scan {
        source,
        tokens: all_tokens,
        stack: OpenStack::new(place.opens),
        diagnostics: Vec::new(),
        member,
        in_section,
        // An ERROR right after a binding's name (`Orders Source{...}`): its first token should be `=`.
        unseparated_name: None,
        settled: false,
        binding_name: place
            .parent
            .filter(|parent| parent.kind() == "binding")
            .and_then(|parent| parent.child_by_field_name("name"))
            .filter(|name| place.previous.is_some_and(|previous| previous.id() == name.id()))
            .and(before.clone()),
    };
    let seeded = scan.stack.len();
    let mut previous: Option<&Token> = before.as_ref();

    for token in &tokens {
        scan.step(previous, token);
        previous = Some(token);
        if scan.settled {
            return scan.diagnostics;
        }
    }
    // A name at the end of the ERROR may start a binding whose `=` follows it.
    if let Some(token) = after.as_ref().filter(|token| token.class == TokenClass::Equals) {
        if scan.unseparated_name.is_some() {
            scan.step_binding(previous, token);
        }
    }
    // What follows the ERROR decides whether constructs opened inside it were ever closed.
    match &after {
        Some(token) => scan.check_adjacent(previous, Some(token), token.range.clone()),
        None => {
            let end = tokens.last().map_or(node.end_byte(), |t| t.range.end);
            let before_count = scan.diagnostics.len();
            scan.check_adjacent(previous, None, end..end);
            let reported = scan.diagnostics.len() > before_count;
            if !reported && (scan.stack.len() > seeded || (seeded > 0 && tokens.is_empty())) {
                let innermost = scan.stack.last().cloned().expect("the stack is not empty");
                scan.report_missing(&innermost, None, end..end);
            }
        }
    }
    // A `let` or `if` opened inside the ERROR whose keyword is missing further on (`a = 1` then the body
    // on the next line, with the `in` line dropped): the parser may have left the rest to another node.
    if scan.diagnostics.is_empty() && scan.stack.len() > seeded {
        let innermost = scan.stack.last().cloned().expect("the stack is deeper than what was seeded");
        if !matches!(innermost.kind, OpenKind::Bracket(_))
            && all_tokens.missing_keyword(&innermost, text.len(), text).is_some()
        {
            scan.report_missing(&innermost, None, text.len()..text.len());
        }
    }
    if !scan.diagnostics.is_empty() {
        return scan.diagnostics;
    }
    let end_of_file = after.is_none();
    vec![unexpected(node, &tokens, all_tokens, text, place, next_named, before_leaf, end_of_file)]
}

/// The fallback for an ERROR the balance check cannot explain: "unexpected X", worded by where it is.
#[allow(clippy::too_many_arguments)]
fn unexpected(
    node: Node,
    tokens: &[Token],
    all_tokens: &Tokens,
    text: &str,
    place: &Place,
    next_named: Option<Node>,
    before: Option<Leaf>,
    end_of_file: bool,
) -> Diagnostic {
    let Some(first) = tokens.first() else {
        let at = node.start_byte();
        return Diagnostic::new(codes::M101, at..at, "unexpected input");
    };
    let parent = place.parent;
    let parent_kind = parent.map_or("", |p| p.kind());
    // `a = if c then x else (y - 1)` then `b = ...` with no `,`: the parser kept the `(...)` as an ERROR and
    // read `b = ...` as an equality that continues the value.
    let mut depth = 0i64;
    let one_value = tokens.iter().all(|token| {
        match token.class {
            TokenClass::Open(_) => depth += 1,
            TokenClass::Close(_) => depth -= 1,
            _ => {}
        }
        let separator = matches!(
            token.class,
            TokenClass::Comma | TokenClass::Semicolon | TokenClass::In | TokenClass::Then | TokenClass::Else
        );
        depth >= 0 && !(depth == 0 && separator)
    }) && depth == 0
        && matches!(first.class, TokenClass::Open(_) | TokenClass::Name | TokenClass::Other);
    if let Some(next) = next_named.filter(|next| one_value && is_unseparated_binding(*next, text)) {
        if place.opens.list.last().is_some_and(|open| open.kind == OpenKind::Let) {
            let message =
                format!("expected `,` between bindings, before `{}`", show(&text[next.byte_range()]));
            return missing_comma(next.start_byte(), message, all_tokens, text);
        }
    }
    let follows_item = place.previous_named.is_some_and(|s| !s.is_extra());
    let starts_item = !is_terminator(first.class) && first.class != TokenClass::NeedsOperand;
    let separated = match parent_kind {
        "list_expression" | "list_type" => Some("list items"),
        "record_expression" | "record_type" => Some("record fields"),
        "argument_list" => Some("arguments"),
        "parameter_list" | "function_type" => Some("parameters"),
        "let_expression" => Some("bindings"),
        "binding" | "record_field" if next_named.is_some() => {
            // `a = 1 b = 2`: the first value is the ERROR and `b = 2` was read as the value.
            let next = next_named.expect("checked above");
            let what = if parent_kind == "binding" { "bindings" } else { "record fields" };
            let message = format!("expected `,` between {what}, before `{}`", show(&text[next.byte_range()]));
            return missing_comma(next.start_byte(), message, all_tokens, text);
        }
        _ => None,
    };
    if let (Some(what), true, true) = (separated, follows_item, starts_item) {
        let message = format!("expected `,` between {what}, found `{}`", first.shown);
        let fix = insertion(text, before.map_or(first.range.start, |b| b.range().end), ",");
        return Diagnostic::new(codes::M102, first.range.clone(), message).with_fix(fix);
    }
    // `f(x y)`: the first item became the ERROR and the second was read as the item.
    if let (Some(what), true) = (separated, starts_item) {
        if let Some(next) = next_named.filter(|n| !n.is_extra() && !n.is_error()) {
            let message = format!("expected `,` between {what}, found `{}`", show(&text[next.byte_range()]));
            return missing_comma(next.start_byte(), message, all_tokens, text);
        }
    }
    if first.class == TokenClass::Semicolon
        && tokens.len() == 1
        && parent_kind == "source_file"
        && end_of_file
    {
        let message = "unexpected `;` at the end of the document: an expression is not ended by `;` (only \
                       section members are)";
        return Diagnostic::new(codes::M101, first.range.clone(), message);
    }
    if first.shown.starts_with("U+") {
        let message = format!("unexpected invisible character {}; delete it", first.shown);
        return Diagnostic::new(codes::M101, first.range.clone(), message);
    }
    // `f(x "a")`, `{1 each _}`: an item right after an item, with no `,` between them.
    let after_value = before.is_some_and(|b| ends_value(classify(b.kind(), b.kind())) && !b.names_parent);
    let opens_item = starts_item || matches!(first.shown.as_str(), "each" | "try" | "not" | "error" | "@");
    if let (true, true, Some(what)) =
        (after_value, opens_item, place.opens.list.last().and_then(separated_items))
    {
        let message = format!("expected `,` between {what}, found `{}`", first.shown);
        let comma_at = before.map_or(first.range.start, |b| b.range().end);
        return Diagnostic::new(codes::M102, first.range.clone(), message)
            .with_fix(insertion(text, comma_at, ","));
    }
    let mut message = format!("unexpected `{}`", first.shown);
    let expected = expected_tokens(before, &place.opens.list, place.in_section);
    if !expected.is_empty() {
        message.push_str("; expected ");
        message.push_str(&expected);
    }
    if let Some(construct) = parent.and_then(|p| describe(p.kind())) {
        message.push_str(" in ");
        message.push_str(construct);
    }
    Diagnostic::new(codes::M101, first.range.clone(), message)
}

/// Whether a token of this class can end a value (a name, a literal, a closing bracket).
fn ends_value(class: TokenClass) -> bool {
    matches!(class, TokenClass::Name | TokenClass::Other | TokenClass::Close(_))
}

/// What the `,` inside an open construct separates.
fn separated_items(open: &Open) -> Option<&'static str> {
    match open.kind {
        OpenKind::Bracket(b'(') => Some("arguments"),
        OpenKind::Bracket(b'{') => Some("list items"),
        OpenKind::Bracket(b'[') => Some("record fields"),
        OpenKind::Let => Some("bindings"),
        _ => None,
    }
}

/// `{{"a", 1} {"b", 2}}` or `f(Source {"A", "B"})`: a list after an item, with no `,` between them, reads
/// as an item access (`x{0}`) whose key holds a `,`. `node` is an ERROR or MISSING node in the item access
/// `parent`; the diagnostic goes on the `{`, with the `,` to write before it, and explains everything up to
/// the `}` that closes the list. The search for that `}` reads at most [`LOOKAHEAD_TOKENS`] tokens.
fn list_read_as_item_access(
    node: Node,
    parent: Node,
    opens: &Opens,
    tokens: &Tokens,
    text: &str,
) -> Option<(Diagnostic, Range<usize>)> {
    let collection = parent.child_by_field_name("collection")?;
    let first = tokens.leaves.partition_point(|leaf| (leaf.start as usize) < collection.end_byte());
    let open = tokens.leaves.get(first).filter(|leaf| leaf.kind() == "{")?;
    if node.start_byte() < open.end as usize {
        return None;
    }
    // The `}` of the list, then the closer of the construct around it: the parser's recovery may have
    // taken the one for the other, and left the last one stray.
    let mut depth = 0usize;
    let mut comma_at_top = false;
    let mut closes = Vec::with_capacity(2);
    for leaf in tokens.leaves[first + 1..].iter().take(LOOKAHEAD_TOKENS) {
        match classify(leaf.kind(), leaf.kind()) {
            TokenClass::Open(_) => depth += 1,
            TokenClass::Close(_) if depth == 0 => {
                closes.push(leaf.range());
                if closes.len() == 2 {
                    break;
                }
            }
            TokenClass::Close(_) => depth -= 1,
            TokenClass::Comma if depth == 0 && closes.is_empty() => comma_at_top = true,
            TokenClass::Semicolon | TokenClass::In => break,
            _ => {}
        }
    }
    let close = closes.last().filter(|_| comma_at_top)?;
    // The construct around the item access: the one open before its own `{`, when the walk is inside it.
    let inside_braces = opens.list.last().is_some_and(|last| last.at.start == open.start as usize);
    let around =
        if inside_braces { opens.list.len().checked_sub(2) } else { opens.list.len().checked_sub(1) };
    let what = around.and_then(|at| opens.list.get(at)).and_then(separated_items).unwrap_or("list items");
    let message = format!("expected `,` between {what}, before `{{`");
    let at = open.start as usize;
    Some((missing_comma(at, message, tokens, text), node.start_byte()..close.end))
}

/// Whether the token at `at` is the first on its line (a `,` before it aside) and indented no deeper than
/// the line of `outer`.
fn starts_line_within(text: &str, at: usize, outer: usize) -> bool {
    let line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let indent = |start: usize| text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len();
    let start = line_start(at);
    let before = text[start..at].trim();
    start > line_start(outer)
        && (before.is_empty() || before == ",")
        && indent(start) <= indent(line_start(outer))
}

/// How many tokens the searches for where a missing token belongs read at most (the `}` of a list read
/// as an item access, the next binding after an open bracket, the value a `then`, `else` or `in` was to
/// precede): each search starts at a syntax error, so a file with many costs at most this much for each.
const LOOKAHEAD_TOKENS: usize = 4096;

/// A missing `,` reported at `at`, where the next item starts, with the fix that writes it after the item
/// before.
fn missing_comma(at: usize, message: String, tokens: &Tokens, text: &str) -> Diagnostic {
    let comma_at = tokens.before(at).map_or(at, |before| before.range().end);
    Diagnostic::new(codes::M102, at..at, message).with_fix(insertion(text, comma_at, ","))
}

/// The fix that writes a missing `token` at `at`, with a space where a word would otherwise touch what is
/// around it.
fn insertion(text: &str, at: usize, token: &str) -> Fix {
    // Words, and `=` as Fabric writes it, stand between spaces.
    let is_word = token == "=" || token.starts_with(|c: char| c.is_alphabetic());
    let solid_before = text[..at].chars().next_back().is_some_and(|c| !c.is_whitespace());
    let solid_after = text[at..].chars().next().is_some_and(|c| !c.is_whitespace());
    let space_before = if is_word && solid_before { " " } else { "" };
    let space_after = if (is_word || token == ",") && solid_after { " " } else { "" };
    Fix {
        title: format!("insert `{token}`"),
        edits: vec![Edit { range: at..at, new_text: format!("{space_before}{token}{space_after}") }],
    }
}

/// The fix that writes `token` instead of what is at `range`.
fn replacement(range: Range<usize>, token: &str) -> Fix {
    Fix { title: format!("replace with `{token}`"), edits: vec![Edit { range, new_text: token.to_string() }] }
}

/// `b = ...` read as an equality: a binary `=` whose left operand is a name, which in a `let` is the next
/// binding.
fn is_unseparated_binding(node: Node, text: &str) -> bool {
    node.kind() == "binary_expression"
        && node.child_by_field_name("operator").is_some_and(|op| &text[op.byte_range()] == "=")
        && node
            .child_by_field_name("left")
            .is_some_and(|left| matches!(left.kind(), "identifier" | "quoted_identifier"))
}

/// What would have been accepted where the ERROR starts, as a short phrase ("`,` or `}`", "an
/// expression"). It is derived from the constructs open around the node and the token before it, not from
/// the parser's state numbers: a tree reused by incremental parsing keeps the states of an older parse, and
/// the same text must always get the same message.
fn expected_tokens(before: Option<Leaf>, open: &[Open], in_section: bool) -> String {
    let Some(before) = before else {
        return String::new();
    };
    let class = classify(before.kind(), before.kind());
    let wants_operand = matches!(
        class,
        TokenClass::NeedsOperand | TokenClass::Equals | TokenClass::Comma | TokenClass::Open(_)
    ) || matches!(
        before.kind(),
        "let" | "in" | "if" | "then" | "else" | "each" | "try" | "otherwise" | "=>"
    );
    if wants_operand {
        return "an expression".to_string();
    }
    let mut phrases: Vec<&str> = Vec::new();
    match open.last().map(|o| o.kind) {
        Some(OpenKind::Bracket(b'(')) => phrases.extend(["`,`", "`)`"]),
        Some(OpenKind::Bracket(b'[')) => phrases.extend(["`,`", "`]`"]),
        Some(OpenKind::Bracket(_)) => phrases.extend(["`,`", "`}`"]),
        Some(OpenKind::Let) => phrases.extend(["`,`", "`in`"]),
        Some(OpenKind::IfNeedsThen) => phrases.push("`then`"),
        Some(OpenKind::IfNeedsElse) => phrases.push("`else`"),
        None if in_section => phrases.push("`;`"),
        None => {}
    }
    // After a name being defined (a section's, a member's) nothing can continue it; after a value, an
    // operator could.
    if !before.names_parent {
        phrases.push("an operator");
    }
    match phrases.len() {
        0 => String::new(),
        1 => phrases[0].to_string(),
        n => format!("{} or {}", phrases[..n - 1].join(", "), phrases[n - 1]),
    }
}

/// How a construct is named in a message.
fn describe(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "list_expression" => "this list",
        "record_expression" => "this record",
        "argument_list" => "this argument list",
        "parameter_list" => "this parameter list",
        "let_expression" => "this `let`",
        "if_expression" => "this `if`",
        "section" => "this section",
        "section_member" => "this section member",
        "binding" => "this binding",
        "record_type" => "this record type",
        "function_type" => "this function type",
        "source_file" => return None,
        _ => return None,
    })
}

// -------------------------------------------------------------------------------------------------------
// Section members without a section

/// `Section` or `Shared` for the keywords `section` and `shared`, which are case-sensitive.
fn miscased_keyword(word: &str) -> Option<&'static str> {
    ["section", "shared"].into_iter().find(|keyword| word != *keyword && word.eq_ignore_ascii_case(keyword))
}

/// Section members with no `section` declaration before them (copied out of a connector or a Dataflow's
/// mashup.pq), or a declaration that misspells the keyword. The parser reads such a document as one
/// broken expression and every member after the first adds errors; one diagnostic that names the cause
/// replaces them. Member syntax is a `shared` keyword, or a `;` outside any bracket or `let` that more
/// tokens follow (a last `;` alone is a stray one after an expression).
fn missing_section_declaration(root: Node, text: &str, all_tokens: &Tokens) -> Option<Diagnostic> {
    let mut cursor = root.walk();
    if root.children(&mut cursor).any(|child| child.kind() == "section") {
        return None;
    }
    let leaves = &all_tokens.leaves;
    let tokens: Vec<Token> = leaves.iter().take(3).map(|leaf| leaf.token(text)).collect();
    let first = tokens.first()?;
    // `Section Section1;` or `Shared Query = ...`: the keyword with the wrong case, then what follows it.
    let classes: Vec<TokenClass> = tokens.iter().map(|token| token.class).collect();
    let declares = |keyword: &str| match keyword {
        "section" => classes == [TokenClass::Name, TokenClass::Name, TokenClass::Semicolon],
        _ => classes == [TokenClass::Name, TokenClass::Name, TokenClass::Equals],
    };
    if let Some(keyword) = miscased_keyword(&first.shown).filter(|keyword| declares(keyword)) {
        let message =
            format!("`{}` is not a keyword: write `{keyword}` (keywords are case-sensitive)", first.shown);
        return Some(Diagnostic::new(codes::M101, first.range.clone(), message));
    }
    // `section Name` without its `;`, where the next member's attributes make the parser give up on it.
    if let [keyword, name, next, ..] = tokens.as_slice() {
        if keyword.shown == "section" && name.class == TokenClass::Name && next.class != TokenClass::Semicolon
        {
            let message =
                format!("expected `;` after the section name `{}`, found `{}`", name.shown, next.shown);
            return Some(Diagnostic::new(codes::M102, name.range.end..name.range.end, message));
        }
    }
    if leaves.iter().any(|leaf| &text[leaf.range()] == "section") {
        return None;
    }
    let mut depth = 0i64;
    let members = leaves.iter().enumerate().any(|(i, leaf)| {
        let class = classify(leaf.kind(), &text[leaf.range()]);
        match class {
            TokenClass::Open(_) | TokenClass::Let => depth += 1,
            TokenClass::Close(_) | TokenClass::In => depth -= 1,
            _ => {}
        }
        class == TokenClass::Shared || (class == TokenClass::Semicolon && depth <= 0 && i + 1 < leaves.len())
    });
    if !members {
        return None;
    }
    let message = "expected a section declaration such as `section Section1;` before the first member: a \
                   document of `Name = value;` members is a section document";
    Some(Diagnostic::new(codes::M102, first.range.start..first.range.start, message))
}

// -------------------------------------------------------------------------------------------------------
// Field names that need quoting

/// `[Order-ID]`, `[Sales %]`, `[Unit Price ($) = number]`: a field name written with characters only a
/// quoted identifier may hold. The parser sees a shorter name followed by an operator or a stray token and
/// reports a missing `]` or an unexpected token, then more problems up to the `]`; one diagnostic that
/// says how to write the name replaces them all. `node` is the ERROR or MISSING node right after the
/// name, the `generalized_identifier` token at `name`. Returns the diagnostic and the span from the name
/// to the `]`, whose other problems follow from it. The search for the `]` reads at most `budget` bytes,
/// and takes them from it.
fn unquoted_field_name(
    node: Node,
    name: Range<usize>,
    text: &str,
    budget: &mut usize,
) -> Option<(Diagnostic, Range<usize>)> {
    let rest = &text[name.end..];
    let offending_at = name.end + (rest.len() - rest.trim_start_matches(' ').len());
    if node.start_byte() > offending_at {
        return None;
    }
    let offending = text[offending_at..].chars().next()?;
    if matches!(offending, ']' | '=' | ',' | '?' | '[' | '"') || offending.is_whitespace() {
        return None;
    }
    let (name_end, close) = closing_bracket(text, offending_at, budget)?;
    let written = text[name.start..name_end.unwrap_or(close)].trim_end();
    if written.contains("#(") {
        return None;
    }
    let message = format!(
        "unexpected `{offending}` in the field name `{written}`; a name with characters other than letters, \
         digits, `_`, `.` and spaces must be quoted: `#\"{written}\"`"
    );
    let range = offending_at..offending_at + offending.len_utf8();
    Some((Diagnostic::new(codes::M101, range, message), name.start..close + 1))
}

/// From inside a field name at `from`: where the name ends (a record field's `=` or `,`, if before the
/// `]`) and the `]` that closes the brackets. `None` when the name has a `"` or a line break, or a bracket
/// closes before the `]`, or there is no `]` within `budget` bytes; the bytes read are taken from `budget`.
fn closing_bracket(text: &str, from: usize, budget: &mut usize) -> Option<(Option<usize>, usize)> {
    let mut depth = 0usize;
    let mut in_text = false;
    let mut name_end = None;
    let mut read = 0;
    let mut found = None;
    for (i, c) in text[from..].char_indices() {
        read = i + c.len_utf8();
        if i >= *budget {
            break;
        }
        let at = from + i;
        if c == '"' {
            // A quote inside the name itself: not a name this can suggest quoting.
            if name_end.is_none() {
                break;
            }
            in_text = !in_text;
            continue;
        }
        if in_text {
            continue;
        }
        match c {
            '\r' | '\n' if name_end.is_none() => break,
            '[' | '(' | '{' => depth += 1,
            ')' | '}' if depth == 0 => break,
            ')' | '}' => depth -= 1,
            ']' if depth == 0 => {
                found = Some((name_end, at));
                break;
            }
            ']' => depth -= 1,
            '=' | ',' if depth == 0 => {
                name_end.get_or_insert(at);
            }
            _ => {}
        }
    }
    *budget = budget.saturating_sub(read);
    found
}

// -------------------------------------------------------------------------------------------------------
// MISSING nodes

/// The diagnostic of a MISSING `node`, a child of `parent`.
fn diagnose_missing(node: Node, parent: Option<Node>, tokens: &Tokens, source: &Source) -> Diagnostic {
    let text = source.text;
    let at = node.start_byte();
    let kind = node.kind();
    let opener = |wanted: &str| {
        parent.and_then(|p| {
            let mut cursor = p.walk();
            let found = p.children(&mut cursor).find(|c| c.kind() == wanted && !c.is_missing());
            found
        })
    };
    let with_opener = |message: String, opener: Option<Node>, label: &str| {
        let diagnostic = Diagnostic::new(codes::M102, at..at, message).with_fix(insertion(text, at, kind));
        match opener {
            Some(opener) => diagnostic.with_related(opener.byte_range(), label.to_string()),
            None => diagnostic,
        }
    };
    match kind {
        ")" | "]" | "}" => {
            let open = match kind {
                ")" => "(",
                "]" => "[",
                _ => "{",
            };
            let opener = opener(open);
            let unclosed =
                opener.map(|o| Open { kind: OpenKind::Bracket(open.as_bytes()[0]), at: o.byte_range() });
            if let Some((o, (comma, name))) =
                unclosed.and_then(|o| Some((o.clone(), tokens.binding_after_unclosed(&o, at, text)?)))
            {
                // `Source = f(x` then `, Next = ...`: the bracket was to close before the next binding.
                let message = format!(
                    "{}, found `,` before `{} =`",
                    expectation(&o, source),
                    show(&text[name.range()])
                );
                let fix = insertion(text, comma.start as usize, kind);
                return Diagnostic::new(codes::M102, comma.range(), message)
                    .with_related(o.at, format!("the `{open}` is here"))
                    .with_fix(fix);
            }
            let message = match opener {
                Some(o) => {
                    format!("expected `{kind}` to close the `{open}` at {}", source.position(o.start_byte()))
                }
                None => format!("expected `{kind}`"),
            };
            let mut diagnostic = with_opener(message, opener, &format!("the `{open}` is here"));
            // `[EndDate)`: the closer that follows may be the other bracket, typed by mistake.
            if let Some(next) =
                tokens.after(at).filter(|next| matches!(next.kind(), ")" | "]" | "}") && next.kind() != kind)
            {
                diagnostic.fixes.push(replacement(next.range(), kind));
            }
            diagnostic
        }
        "in" => {
            let opener = opener("let");
            let open = opener.map(|o| Open { kind: OpenKind::Let, at: o.byte_range() });
            if let Some((open, before)) =
                open.and_then(|open| Some((open.clone(), tokens.missing_keyword(&open, at, text)?)))
            {
                // `a = 1` then the body on the next line: the `in` line was dropped.
                let token = before.token(text);
                let message = format!("{}, found `{}`", expectation(&open, source), token.shown);
                return Diagnostic::new(codes::M102, token.range.clone(), message)
                    .with_related(open.at, "the `let` is here")
                    .with_fix(insertion(text, token.range.start, "in"));
            }
            let message = match opener {
                Some(o) => format!(
                    "expected `in` to close the `let` that starts at {}",
                    source.position(o.start_byte())
                ),
                None => "expected `in`".to_string(),
            };
            with_opener(message, opener, "the `let` is here")
        }
        "then" | "else" => {
            let opener = opener("if");
            let message = match opener {
                Some(o) => format!("expected `{kind}` in the `if` at {}", source.position(o.start_byte())),
                None => format!("expected `{kind}`"),
            };
            with_opener(message, opener, "the `if` is here")
        }
        ";" => {
            let message = match parent
                .filter(|p| p.kind() == "section_member")
                .and_then(|p| p.child_by_field_name("name"))
            {
                Some(name) => {
                    format!("expected `;` to end the section member `{}`", show(&text[name.byte_range()]))
                }
                None if parent.is_some_and(|p| p.kind() == "section") => {
                    "expected `;` after the section name".to_string()
                }
                None => "expected `;`".to_string(),
            };
            Diagnostic::new(codes::M102, at..at, message).with_fix(insertion(text, at, ";"))
        }
        // tree-sitter stands a missing operand in for the cheapest expression, a zero-width identifier.
        "identifier" | "generalized_identifier" | "quoted_identifier" | "number_literal" | "text_literal" => {
            let before = tokens.before(at);
            let is_name = parent
                .is_some_and(|p| p.child_by_field_name("name").is_some_and(|name| name.id() == node.id()));
            let what = if is_name { "a name" } else { "an expression" };
            if let Some(comma) = before.filter(|b| b.kind() == ",") {
                let comma = comma.range();
                let item = match parent.map(|p| p.kind()) {
                    Some("list_expression") => "a list item",
                    Some("record_expression" | "record_field" | "record_type") => "a field",
                    Some("argument_list") => "an argument",
                    Some("let_expression" | "binding") => "a binding",
                    _ => "another item",
                };
                let found = tokens
                    .after(at)
                    .map(|leaf| leaf.token(text))
                    .map_or_else(|| "the end of the file".to_string(), |t| format!("`{}`", t.shown));
                let message =
                    format!("expected {item} after `,`, found {found} (a trailing `,` is not allowed)");
                // No fix: while an item is being typed after it, the `,` is no mistake.
                return Diagnostic::new(codes::M102, comma.end..comma.end, message);
            }
            let message = match before {
                Some(before) => format!("expected {what} after `{}`", show(&text[before.range()])),
                None => format!("expected {what}"),
            };
            Diagnostic::new(codes::M102, at..at, message)
        }
        _ => Diagnostic::new(codes::M102, at..at, format!("expected `{kind}`")),
    }
}
