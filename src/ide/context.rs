//! What the cursor is in, read from the tokens around it: the open calls with their argument index, the
//! lets with their bindings, the records and brackets, `each` and functions, and what kind of word the
//! cursor is at (a name being defined, an expression, a type, after an expression, inside a comment or a
//! text). Completion reads it; so do the features that must work in code the parser could not make sense
//! of.
//!
//! The scan starts where the tree says the lexical state is clean: the start of the query (section member)
//! around the cursor, or, inside a syntax error, after the last `;` before the cursor. It keeps a stack of
//! frames: brackets are "hard" frames closed by their bracket; `let`, `if`, `try`, `each` and functions are
//! "soft" frames on top of them, ended by a `,`, a `;`, a closing bracket or a keyword that belongs to an
//! outer construct (`in`, `then`, `else`, `otherwise`). Unbalanced input only leaves frames open or
//! closers ignored: the scan never fails. It costs the query around the cursor: it stops at the end of
//! that query, and never reads more than [`SCAN_AHEAD`] past the cursor.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::lex::{Lexer, Token, TokenKind};
use crate::syntax::chars;
use crate::syntax::names::decode_name;

/// A name defined in the scanned text: a let binding, a record field, a query, a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The decoded name; a name written as several words (`Removed columns`, a syntax error) is the words
    /// joined by a space.
    pub(crate) name: String,
    pub(crate) name_range: Range<usize>,
    /// Whether the name is written as several tokens, which only `#"..."` can make one name.
    pub(crate) needs_quotes: bool,
    /// Whether a query is `shared`.
    pub(crate) shared: bool,
    /// The value, from its first token to its last (empty while not seen).
    pub(crate) value: Range<usize>,
    /// Where the binding ends: the start of the `,`, `in`, `;` or bracket after its value (the text
    /// length while it is still open).
    pub(crate) end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IfStage {
    Condition,
    Consequence,
    Alternative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BracketKind {
    /// `x[...]`: a field access or projection on the expression before it.
    Access,
    /// `[...]` in expression position: a record literal or, in `each [A]`, an implicit field access; which
    /// one is known only once a `=` or the `]` is seen.
    Record,
    /// `type [A = text]`, `type table [...]`.
    RecordType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// The section (or the expression document) the scan started in.
    Base,
    /// `(`: a call when a name comes just before it.
    Paren {
        callee: Option<Token>,
    },
    Brace,
    Bracket {
        kind: BracketKind,
        target: Option<Token>,
    },
    Let {
        in_body: bool,
    },
    If {
        stage: IfStage,
    },
    Try,
    Each,
    Function,
}

impl FrameKind {
    /// Whether the frame is a keyword construct (ended by what ends an expression), not a bracket.
    pub(crate) fn is_soft(&self) -> bool {
        matches!(
            self,
            FrameKind::Let { .. }
                | FrameKind::If { .. }
                | FrameKind::Try
                | FrameKind::Each
                | FrameKind::Function
        )
    }

    /// Which bracket opens the frame: 0 for `(`, 1 for `[`, 2 for `{`; `None` for the others.
    fn bracket(&self) -> Option<usize> {
        match self {
            FrameKind::Paren { .. } => Some(0),
            FrameKind::Bracket { .. } => Some(1),
            FrameKind::Brace => Some(2),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) kind: FrameKind,
    /// The offset of the token that opened the frame.
    pub(crate) start: usize,
    /// The offset after the token that closed it, once seen.
    pub(crate) end: Option<usize>,
    /// Let bindings, record fields, queries of the base, function parameters.
    pub(crate) bindings: Vec<Binding>,
    /// The offsets of the commas directly inside a bracket.
    pub(crate) commas: Vec<usize>,
    /// Whether the next tokens are a name being defined (a binding, field or query name).
    expecting_name: bool,
    name_tokens: Vec<Token>,
    /// The binding whose value is being read.
    open_binding: Option<usize>,
    value_pending: bool,
    /// Inside a `(` without a callee: the first name of each item, for `(a, b) =>`.
    parameters: Vec<Option<Token>>,
    item_started: bool,
    /// In the base: inside `section Name;`.
    in_header: bool,
    /// In the base: `shared` was seen before the name being read.
    shared: bool,
}

impl Frame {
    fn new(kind: FrameKind, start: usize) -> Frame {
        Frame {
            kind,
            start,
            end: None,
            bindings: Vec::new(),
            commas: Vec::new(),
            expecting_name: false,
            name_tokens: Vec::new(),
            open_binding: None,
            value_pending: false,
            parameters: vec![None],
            item_started: false,
            in_header: false,
            shared: false,
        }
    }

    /// The callee of a call frame.
    pub(crate) fn callee(&self) -> Option<&Token> {
        match &self.kind {
            FrameKind::Paren { callee } => callee.as_ref(),
            _ => None,
        }
    }

    /// The range of the `index`th item of a bracket frame, up to `limit` when it is still open.
    pub(crate) fn item_range(&self, index: usize, limit: usize) -> Option<Range<usize>> {
        let start = if index == 0 { self.start + 1 } else { *self.commas.get(index - 1)? + 1 };
        let end = match self.commas.get(index) {
            Some(&comma) => comma,
            None => self.end.map_or(limit, |end| end - 1),
        };
        (start <= end).then_some(start..end)
    }
}

/// Where the scan starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// At a query of a section (or between queries): a name being defined comes first.
    Member,
    /// At the start of the document: a section header or an expression.
    Document,
}

/// What the word at the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    /// Inside a comment.
    Comment,
    /// Inside a text literal.
    Text,
    /// In the section header (`section Name;`).
    Header,
    /// A query name being defined.
    MemberName,
    /// A name being defined in this frame: a let binding, or a record field (or, in `each [A]`, a field
    /// being accessed).
    Name(usize),
    /// A type: after `type`, `as`, `is`, `nullable`.
    Type,
    /// After a complete expression: an operator or a keyword comes next.
    AfterExpression,
    /// An expression.
    Expression,
}

/// The scan: every frame seen, and the state at the cursor.
#[derive(Debug)]
pub(crate) struct Context {
    /// Every frame, in the order they were opened; the first is the base.
    pub(crate) frames: Vec<Frame>,
    /// The frames open at the cursor, outermost first.
    pub(crate) stack: Vec<usize>,
    /// The token the cursor is in or just after, when it is a word, a text or a comment.
    pub(crate) token: Option<Token>,
    /// The last token before the cursor's word (comments skipped).
    pub(crate) previous: Option<Token>,
    pub(crate) position: Position,
    pub(crate) offset: usize,
    /// The text the scan read: the query around the cursor, up to [`SCAN_AHEAD`] bytes past it. Kept so
    /// that tests can check what a scan costs.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) read: Range<usize>,
}

/// How far past the cursor the scan reads at most. The query around the cursor ends long before in any
/// real document; a query the parser could not close may run to the end of the file.
pub(crate) const SCAN_AHEAD: usize = 16 * 1024;

/// The state at the cursor: the open frames, the token at the cursor, the token before it, the position.
type Snapshot = (Vec<usize>, Option<Token>, Option<Token>, Position);

struct Scanner<'t> {
    text: &'t str,
    frames: Vec<Frame>,
    stack: Vec<usize>,
    previous: Option<Token>,
    /// The parameters of the `(...)` just closed, for a `=>` that may follow.
    pending_parameters: Option<Vec<Option<Token>>>,
    /// At the end of the scan: what is still open runs to the end.
    finishing: bool,
    /// How many `(`, `[` and `{` frames are on the stack, so that a closing bracket knows in constant time
    /// whether it closes anything (a stray closer is ignored; scanning the stack for each one is quadratic in
    /// deep broken code).
    open_brackets: [usize; 3],
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str, start: Start, at: usize) -> Scanner<'t> {
        let mut base = Frame::new(FrameKind::Base, at);
        base.expecting_name = start == Start::Member;
        Scanner {
            text,
            frames: vec![base],
            stack: vec![0],
            previous: None,
            pending_parameters: None,
            finishing: false,
            open_brackets: [0; 3],
        }
    }

    fn top(&self) -> usize {
        *self.stack.last().expect("the base is never popped")
    }

    fn frame(&mut self) -> &mut Frame {
        let top = self.top();
        &mut self.frames[top]
    }

    fn push(&mut self, kind: FrameKind, start: usize) {
        if let Some(bracket) = kind.bracket() {
            self.open_brackets[bracket] += 1;
        }
        self.frames.push(Frame::new(kind, start));
        self.stack.push(self.frames.len() - 1);
    }

    /// Ends the binding whose value is being read in a frame: at the end of the last token seen, or, when
    /// the value has no token yet, at `at` (where the token that ends it starts).
    fn end_binding(&mut self, frame: usize, at: usize) {
        let last_end = self.previous.as_ref().map_or(0, |p| p.range.end);
        let finishing = self.finishing;
        let frame = &mut self.frames[frame];
        if let Some(open) = frame.open_binding.take() {
            let binding = &mut frame.bindings[open];
            binding.value.end =
                if frame.value_pending || finishing { at } else { last_end }.max(binding.value.start);
            binding.end = at.max(binding.value.end);
        }
        frame.value_pending = false;
    }

    /// Pops the top frame, which ends where the token at `at..end` starts (a binding still open) and ends
    /// (the frame).
    fn pop(&mut self, at: usize, end: usize) {
        if self.stack.len() == 1 {
            return;
        }
        let top = self.top();
        self.end_binding(top, at);
        self.frames[top].end = Some(end);
        if let Some(bracket) = self.frames[top].kind.bracket() {
            self.open_brackets[bracket] -= 1;
        }
        self.stack.pop();
    }

    /// Pops soft frames until `wanted` holds for the top one; returns whether it does.
    fn pop_soft_until(&mut self, at: usize, wanted: impl Fn(&FrameKind) -> bool) -> bool {
        loop {
            let top = self.top();
            let kind = &self.frames[top].kind;
            if wanted(kind) {
                return true;
            }
            if !kind.is_soft() {
                return false;
            }
            self.pop(at, at);
        }
    }

    /// Whether a token ends an expression (so that a `[` after it is a field access).
    fn ends_expression(&self, token: &Token) -> bool {
        match token.kind {
            TokenKind::Identifier | TokenKind::QuotedIdentifier | TokenKind::Text | TokenKind::Number => true,
            TokenKind::Intrinsic => true,
            TokenKind::Keyword => matches!(token.text(self.text), "null" | "true" | "false"),
            TokenKind::Punctuation => matches!(token.text(self.text), ")" | "]" | "}" | "?"),
            _ => false,
        }
    }

    // The keyword arms pop frames and then update the one found; as guards, the popping would hide in the
    // condition.
    #[allow(clippy::collapsible_match)]
    fn token(&mut self, token: Token) {
        let text = self.text;
        let word = token.text(text);
        let top = self.top();

        if top == 0 && token.kind == TokenKind::Keyword && word == "section" {
            let frame = self.frame();
            frame.in_header = true;
            frame.expecting_name = false;
            self.previous = Some(token);
            return;
        }
        // A name being defined: a binding, a record field, a query.
        if self.frames[top].expecting_name {
            let frame = &self.frames[top];
            let in_base = frame.kind == FrameKind::Base;
            let name_like = match token.kind {
                TokenKind::Identifier | TokenKind::QuotedIdentifier => true,
                // Field names may be keywords and numbers (`[if]`, `[Column 1]`).
                TokenKind::Keyword | TokenKind::Number => !in_base && !matches!(word, "each" | "let"),
                _ => false,
            };
            if in_base && word == "shared" && frame.name_tokens.is_empty() {
                self.frame().shared = true;
                self.previous = Some(token);
                return;
            }
            if name_like {
                self.frame().name_tokens.push(token.clone());
                self.previous = Some(token);
                return;
            }
            if word == "=" && !self.frames[top].name_tokens.is_empty() {
                let frame = self.frame();
                let tokens = std::mem::take(&mut frame.name_tokens);
                let name = if tokens.len() == 1 {
                    decode_name(tokens[0].text(text)).into_owned()
                } else {
                    tokens.iter().map(|t| t.text(text)).collect::<Vec<_>>().join(" ")
                };
                let name_range = tokens[0].range.start..tokens[tokens.len() - 1].range.end;
                frame.bindings.push(Binding {
                    name,
                    name_range,
                    needs_quotes: tokens.len() > 1,
                    shared: std::mem::take(&mut frame.shared),
                    value: token.range.end..token.range.end,
                    end: text.len(),
                });
                frame.open_binding = Some(frame.bindings.len() - 1);
                frame.value_pending = true;
                frame.expecting_name = false;
                self.previous = Some(token);
                return;
            }
            // Anything else: no name is being defined after all (`each [A]`, an attribute record).
            let frame = self.frame();
            frame.name_tokens.clear();
            if !(in_base && word == "[") {
                frame.expecting_name = false;
            }
        }

        // The first token of a binding's value.
        if self.frames[top].value_pending && !matches!(word, "," | ";" | ")" | "]" | "}" | "in") {
            let frame = self.frame();
            if let Some(open) = frame.open_binding {
                frame.bindings[open].value = token.range.clone();
            }
            frame.value_pending = false;
        }

        // Function parameters: the first name of each item of a `(...)` that has no callee.
        if let FrameKind::Paren { callee: None } = self.frames[top].kind {
            let frame = self.frame();
            if !frame.item_started && !matches!(word, "," | ")" | "optional") {
                frame.item_started = true;
                if token.is_name() {
                    *frame.parameters.last_mut().expect("one slot per item") = Some(token.clone());
                }
            }
        }

        let pending_parameters = self.pending_parameters.take();
        match (token.kind, word) {
            (TokenKind::Punctuation, "(") => {
                let callee = self.previous.clone().filter(|p| {
                    matches!(
                        p.kind,
                        TokenKind::Identifier | TokenKind::QuotedIdentifier | TokenKind::Intrinsic
                    )
                });
                self.push(FrameKind::Paren { callee }, token.range.start);
            }
            (TokenKind::Punctuation, "[") => {
                let previous = self.previous.clone();
                let after_type = previous.as_ref().is_some_and(|p| {
                    p.kind == TokenKind::Keyword && p.text(text) == "type" || p.text(text) == "table"
                });
                let (kind, target) = match previous {
                    _ if after_type => (BracketKind::RecordType, None),
                    Some(p) if self.ends_expression(&p) => (BracketKind::Access, p.is_name().then_some(p)),
                    _ => (BracketKind::Record, None),
                };
                self.push(FrameKind::Bracket { kind, target }, token.range.start);
                self.frame().expecting_name = true;
            }
            (TokenKind::Punctuation, "{") => self.push(FrameKind::Brace, token.range.start),
            (TokenKind::Punctuation, ")" | "]" | "}") => self.close(&token),
            (TokenKind::Punctuation, ",") => self.comma(&token),
            (TokenKind::Punctuation, ";") => self.semicolon(&token),
            (TokenKind::Punctuation, "=>") => {
                if let Some(parameters) = pending_parameters {
                    self.push(FrameKind::Function, token.range.start);
                    let frame = self.frame();
                    frame.bindings = parameters
                        .into_iter()
                        .flatten()
                        .map(|t| Binding {
                            name: decode_name(t.text(text)).into_owned(),
                            name_range: t.range.clone(),
                            needs_quotes: false,
                            shared: false,
                            value: t.range.end..t.range.end,
                            end: t.range.end,
                        })
                        .collect();
                }
            }
            (TokenKind::Keyword, "let") => {
                self.push(FrameKind::Let { in_body: false }, token.range.start);
                self.frame().expecting_name = true;
            }
            (TokenKind::Keyword, "in") => {
                if self.pop_soft_until(token.range.start, |k| *k == FrameKind::Let { in_body: false }) {
                    let top = self.top();
                    self.end_binding(top, token.range.start);
                    let frame = self.frame();
                    frame.kind = FrameKind::Let { in_body: true };
                    frame.expecting_name = false;
                    frame.name_tokens.clear();
                }
            }
            (TokenKind::Keyword, "if") => {
                self.push(FrameKind::If { stage: IfStage::Condition }, token.range.start)
            }
            (TokenKind::Keyword, "then") => {
                if self
                    .pop_soft_until(token.range.start, |k| *k == FrameKind::If { stage: IfStage::Condition })
                {
                    self.frame().kind = FrameKind::If { stage: IfStage::Consequence };
                }
            }
            (TokenKind::Keyword, "else") => {
                if self.pop_soft_until(token.range.start, |k| {
                    *k == FrameKind::If { stage: IfStage::Consequence }
                }) {
                    self.frame().kind = FrameKind::If { stage: IfStage::Alternative };
                }
            }
            (TokenKind::Keyword, "try") => self.push(FrameKind::Try, token.range.start),
            (TokenKind::Keyword, "otherwise") | (TokenKind::Identifier, "catch") => {
                if self.pop_soft_until(token.range.start, |k| *k == FrameKind::Try) {
                    self.pop(token.range.start, token.range.start);
                }
            }
            (TokenKind::Keyword, "each") => self.push(FrameKind::Each, token.range.start),
            (TokenKind::Keyword | TokenKind::Identifier, "as" | "nullable") => {
                // `(x) as number => ...`: the parameters wait for the `=>`.
                self.pending_parameters = pending_parameters;
            }
            (TokenKind::Identifier, _) if pending_parameters.is_some() => {
                // The return type of `(x) as number =>`.
                if self.previous.as_ref().is_some_and(|p| matches!(p.text(text), "as" | "nullable")) {
                    self.pending_parameters = pending_parameters;
                }
            }
            _ => {}
        }
        self.previous = Some(token);
    }

    fn close(&mut self, token: &Token) {
        let wanted = match self.text[token.range.clone()].as_bytes()[0] {
            b')' => 0,
            b']' => 1,
            _ => 2,
        };
        let matches = |kind: &FrameKind| kind.bracket() == Some(wanted);
        // Only close when a matching bracket is open; a stray closer is ignored.
        if self.open_brackets[wanted] == 0 {
            return;
        }
        while let Some(&top) = self.stack.last() {
            if self.stack.len() == 1 {
                return;
            }
            let found = matches(&self.frames[top].kind);
            if found {
                let frame = &self.frames[top];
                if let FrameKind::Paren { callee: None } = frame.kind {
                    self.pending_parameters = Some(frame.parameters.clone());
                }
            }
            self.pop(token.range.start, token.range.end);
            if found {
                return;
            }
        }
    }

    fn comma(&mut self, token: &Token) {
        let at = token.range.start;
        self.pop_soft_until(at, |k| !k.is_soft() || *k == FrameKind::Let { in_body: false });
        let top = self.top();
        self.end_binding(top, at);
        let frame = self.frame();
        match frame.kind {
            FrameKind::Let { .. } => frame.expecting_name = true,
            FrameKind::Bracket { .. } => {
                frame.commas.push(at);
                frame.expecting_name = true;
            }
            FrameKind::Paren { .. } | FrameKind::Brace => {
                frame.commas.push(at);
                frame.parameters.push(None);
                frame.item_started = false;
            }
            _ => {}
        }
    }

    fn semicolon(&mut self, token: &Token) {
        while self.stack.len() > 1 {
            self.pop(token.range.start, token.range.start);
        }
        self.end_binding(0, token.range.start);
        let base = &mut self.frames[0];
        base.expecting_name = true;
        base.in_header = false;
        base.shared = false;
        base.name_tokens.clear();
    }
}

/// Where to start scanning for an offset, from the tree: the range to scan and what comes first there.
pub(crate) fn region(tree: &Tree, text: &str, offset: usize) -> (Range<usize>, Start) {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let children: Vec<Node> = root.children(&mut cursor).collect();
    if !children.iter().any(|c| c.is_named() && c.kind() == "section") {
        // An expression document (or text before any section): scanned whole.
        return (0..text.len(), Start::Document);
    }
    // The node around the offset, or the last one before it when that one is not finished (the offset is
    // in the blank space after `in`, `=`, `,` ... where the rest is still to be typed).
    let around = |nodes: &[Node<'_>]| -> Option<usize> {
        nodes.iter().position(|c| c.start_byte() < offset && offset <= c.end_byte()).or_else(|| {
            let before = nodes.iter().rposition(|c| c.end_byte() <= offset)?;
            let node = nodes[before];
            let between = &text[node.end_byte()..offset];
            (unfinished(node) && !between.contains(';')).then_some(before)
        })
    };
    let Some(index) = around(&children) else {
        let start = children.iter().rev().find(|c| c.end_byte() <= offset).map_or(0, |c| c.end_byte());
        return (start..text.len(), Start::Member);
    };
    let child = children[index];
    let sections_before = children[..index].iter().any(|c| c.is_named() && c.kind() == "section");
    match child.kind() {
        "section" if child.is_named() => {
            let mut cursor = child.walk();
            let parts: Vec<Node> = child.children(&mut cursor).collect();
            // The header ends at the `;` after the section's name.
            let header_end =
                parts.iter().find(|p| p.kind() == ";").map_or(child.start_byte(), |p| p.end_byte());
            if offset < header_end {
                return (child.start_byte()..child.end_byte(), Start::Document);
            }
            let members: Vec<Node> = parts.into_iter().filter(|p| p.start_byte() >= header_end).collect();
            match around(&members).map(|i| members[i]) {
                Some(part) if part.is_error() => {
                    (after_last_semicolon(part, offset)..part.end_byte().max(offset), Start::Member)
                }
                Some(part) => (part.start_byte()..part.end_byte().max(offset), Start::Member),
                None => {
                    let start = members
                        .iter()
                        .rev()
                        .find(|p| p.end_byte() <= offset)
                        .map_or(header_end, |p| p.end_byte());
                    (start..text.len(), Start::Member)
                }
            }
        }
        "ERROR" => {
            let start = after_last_semicolon(child, offset);
            // An ERROR at the start of a section document holds the header itself.
            let kind =
                if start == child.start_byte() && !sections_before { Start::Document } else { Start::Member };
            (start..child.end_byte().max(offset), kind)
        }
        _ => (child.start_byte()..text.len(), Start::Member),
    }
}

/// Whether a node is not finished: it holds a syntax error, or a member that lacks its `;`.
fn unfinished(node: Node) -> bool {
    if node.has_error() {
        return true;
    }
    let last = node.child(node.child_count().saturating_sub(1));
    match node.kind() {
        "section_member" => !last.is_some_and(|l| l.kind() == ";" && !l.is_missing()),
        "section" if node.is_named() => last.is_some_and(unfinished),
        _ => false,
    }
}

/// Inside an ERROR: the offset after its last `;` child before `offset` (a member ends there), or its start.
pub(crate) fn after_last_semicolon(error: Node, offset: usize) -> usize {
    let mut cursor = error.walk();
    let mut start = error.start_byte();
    for child in error.children(&mut cursor) {
        if child.end_byte() > offset {
            break;
        }
        if child.kind() == ";" {
            start = child.end_byte();
        }
    }
    start
}

/// The cursor's token as far as the cursor's word goes. A text or quoted name whose closing quote is on a
/// later line, or is directly followed by a letter or digit, is most likely not closed yet: the quote the
/// lexer took as its end opens the next text (`Table.Sort(#"Rem|, {{"Date", ...`). Such a token is cut at
/// the cursor and marked unterminated, so that completion never replaces more than what was typed of it.
fn cut_at_cursor(text: &str, token: &Token, offset: usize) -> Token {
    let quoted = matches!(token.kind, TokenKind::Text | TokenKind::QuotedIdentifier);
    if !quoted || token.unterminated || token.range.end <= offset {
        return token.clone();
    }
    let line_end = text[offset..].find(['\n', '\r']).map_or(text.len(), |at| offset + at);
    let follows_directly = text[token.range.end..].chars().next().is_some_and(chars::is_identifier_part);
    if token.range.end <= line_end && !follows_directly {
        return token.clone();
    }
    Token { kind: token.kind, range: token.range.start..offset, unterminated: true }
}

impl Context {
    /// Scans the text around `offset` (see the module documentation).
    pub(crate) fn at(tree: &Tree, text: &str, offset: usize) -> Context {
        let offset = crate::text::floor_char_boundary(text, offset);
        let (range, start) = region(tree, text, offset);
        Context::scan(text, range, start, offset)
    }

    /// Scans `range` of the text with the cursor at `offset`.
    pub(crate) fn scan(text: &str, range: Range<usize>, start: Start, offset: usize) -> Context {
        let mut scanner = Scanner::new(text, start, range.start);
        let mut snapshot: Option<Snapshot> = None;
        let region_end = range.end.min(text.len());
        let mut read = range.start..range.start;
        for token in Lexer::new(text, range) {
            read.end = token.range.end;
            if snapshot.is_none() {
                let contains = token.range.start < offset
                    && match token.kind {
                        // A line comment holds the cursor up to its end (the end of the line); a
                        // block comment only inside it, unless it is never closed.
                        TokenKind::Comment if text[token.range.clone()].starts_with("//") => {
                            offset <= token.range.end
                        }
                        TokenKind::Comment => offset < token.range.end || token.unterminated,
                        TokenKind::Text => offset < token.range.end || token.unterminated,
                        TokenKind::Identifier
                        | TokenKind::QuotedIdentifier
                        | TokenKind::Keyword
                        | TokenKind::Intrinsic => offset <= token.range.end,
                        _ => false,
                    };
                if contains || token.range.start >= offset {
                    let at_cursor = contains.then(|| cut_at_cursor(text, &token, offset));
                    let position = scanner.position(at_cursor.as_ref());
                    snapshot = Some((scanner.stack.clone(), at_cursor, scanner.previous.clone(), position));
                }
            } else if token.range.start > offset.saturating_add(SCAN_AHEAD) {
                // A query that never ends (a text left open swaps text and code to the end of the file)
                // is read no further: what lies this far past the cursor is not what the cursor needs.
                break;
            } else if scanner.stack.len() == 1
                && !scanner.frames[0].bindings.is_empty()
                && token.range.start > offset
            {
                // Past the cursor, only the frames open at the cursor matter: stop at the end of its query.
                if token.text(text) == ";" || scanner.frames[0].expecting_name {
                    scanner.token(token);
                    break;
                }
            }
            if token.kind != TokenKind::Comment {
                scanner.token(token);
            }
        }
        let (stack, token, previous, position) = snapshot.unwrap_or_else(|| {
            let position = scanner.position(None);
            (scanner.stack.clone(), None, scanner.previous.clone(), position)
        });
        // Close what is still open at the end of the scan, so values have their extent.
        let last = scanner.previous.as_ref().map_or(offset, |p| p.range.end);
        scanner.finishing = true;
        let end = region_end.max(last);
        while scanner.stack.len() > 1 {
            scanner.pop(end, last);
        }
        scanner.end_binding(0, end);
        Context { frames: scanner.frames, stack, token, previous, position, offset, read }
    }

    /// The frames open at the cursor, innermost first, with their ids.
    pub(crate) fn open_frames(&self) -> impl Iterator<Item = (usize, &Frame)> + '_ {
        self.stack.iter().rev().map(move |&id| (id, &self.frames[id]))
    }

    /// The call whose argument list the cursor is directly in (not inside a list or record of an argument),
    /// and the index of the argument.
    pub(crate) fn call(&self) -> Option<(&Frame, usize)> {
        let (_, frame) = self.open_frames().find(|(_, f)| !f.kind.is_soft())?;
        frame.callee()?;
        Some((frame, frame.commas.iter().filter(|&&c| c < self.offset).count()))
    }

    /// The bindings visible at the cursor by the scan, innermost first, with their frames: parameters,
    /// let bindings, record fields, queries. The binding whose value holds the cursor is left out, as M
    /// does.
    pub(crate) fn visible(&self) -> Vec<(&Frame, &Binding)> {
        let mut out = Vec::new();
        for (_, frame) in self.open_frames() {
            let relevant = match frame.kind {
                FrameKind::Bracket { kind, .. } => kind == BracketKind::Record,
                FrameKind::Paren { .. }
                | FrameKind::Brace
                | FrameKind::If { .. }
                | FrameKind::Try
                | FrameKind::Each => false,
                _ => true,
            };
            if !relevant {
                continue;
            }
            let recursive = matches!(frame.kind, FrameKind::Let { .. } | FrameKind::Bracket { .. });
            for binding in &frame.bindings {
                let own = binding.value.start <= self.offset && self.offset <= binding.end;
                if !(recursive && own) {
                    out.push((frame, binding));
                }
            }
        }
        out
    }

    /// The bindings whose value holds the cursor (a binding does not see itself there).
    pub(crate) fn own_bindings(&self) -> Vec<&Binding> {
        self.open_frames()
            .filter(|(_, f)| {
                matches!(f.kind, FrameKind::Let { .. } | FrameKind::Bracket { kind: BracketKind::Record, .. })
            })
            .flat_map(|(_, f)| &f.bindings)
            .filter(|b| b.value.start <= self.offset && self.offset <= b.end)
            .collect()
    }

    /// The range of the word at the cursor that completion replaces: the name or keyword the cursor is in
    /// or just after, or an empty range at the cursor.
    pub(crate) fn word_range(&self) -> Range<usize> {
        match &self.token {
            Some(token)
                if matches!(
                    token.kind,
                    TokenKind::Identifier
                        | TokenKind::QuotedIdentifier
                        | TokenKind::Keyword
                        | TokenKind::Intrinsic
                ) =>
            {
                token.range.clone()
            }
            _ => self.offset..self.offset,
        }
    }
}

impl Scanner<'_> {
    /// What the cursor is at, given the token it is in (if any) and the state before it.
    fn position(&self, at_cursor: Option<&Token>) -> Position {
        match at_cursor.map(|t| t.kind) {
            Some(TokenKind::Comment) => return Position::Comment,
            Some(TokenKind::Text) => return Position::Text,
            _ => {}
        }
        let top = self.top();
        let frame = &self.frames[top];
        if frame.in_header {
            return Position::Header;
        }
        if frame.expecting_name {
            return if frame.kind == FrameKind::Base { Position::MemberName } else { Position::Name(top) };
        }
        let Some(previous) = &self.previous else {
            return Position::Expression;
        };
        let word = previous.text(self.text);
        if matches!(word, "type" | "as" | "is" | "nullable") {
            return Position::Type;
        }
        if self.ends_expression(previous) {
            return Position::AfterExpression;
        }
        Position::Expression
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(fixture: &str) -> (String, Context) {
        let offset = fixture.find("$0").expect("a $0 cursor");
        let text = fixture.replace("$0", "");
        let tree = crate::syntax::parse(&text).tree;
        let context = Context::at(&tree, &text, offset);
        (text, context)
    }

    fn names(text: &str, context: &Context) -> Vec<String> {
        let _ = text;
        context.visible().iter().map(|(_, b)| b.name.clone()).collect()
    }

    #[test]
    fn calls_and_arguments() {
        let (text, c) = context("section S;\nshared Q = let\n  Source = Table.AddColumn(x, \"a\", each [B]),\n  T = Table.Join(a, b, c, d, $0\nin\n  Source;\nshared R = 1;\n");
        let (call, argument) = c.call().unwrap();
        assert_eq!(call.callee().unwrap().text(&text), "Table.Join");
        assert_eq!(argument, 4);
        assert_eq!(c.position, Position::Expression);
        assert_eq!(names(&text, &c), ["Source", "Q"]);
    }

    #[test]
    fn binding_names_and_after_expressions() {
        let (_, c) = context("let a = 1,\n  $0");
        assert!(matches!(c.position, Position::Name(_)));
        let (_, c) = context("let a = 1 $0");
        assert_eq!(c.position, Position::AfterExpression);
        let (_, c) = context("let a = 1 in a + $0");
        assert_eq!(c.position, Position::Expression);
        let (text, c) = context("let a = 1, b = (x, optional y) => x + $0");
        assert_eq!(names(&text, &c), ["x", "y", "a"]);
        let (_, c) = context("let a = \"x$0");
        assert_eq!(c.position, Position::Text);
        let (_, c) = context("let a = 1 // x$0\nin a");
        assert_eq!(c.position, Position::Comment);
        let (_, c) = context("let a = 1 as $0");
        assert_eq!(c.position, Position::Type);
    }

    #[test]
    fn members_and_records() {
        let (text, c) = context("section S;\nshared A = 1;\n$0");
        assert_eq!(c.position, Position::MemberName);
        assert!(names(&text, &c).is_empty(), "the analysis knows the other queries");
        let (text, c) = context("section S;\nshared A = [X = 1, Y = $0];");
        assert_eq!(names(&text, &c), ["X", "A"]);
        let (_, c) = context("section S;\nshared A = Table.AddColumn(t, \"x\", each [$0");
        let FrameKind::Bracket { kind, .. } = &c.open_frames().next().unwrap().1.kind else {
            panic!("{c:?}")
        };
        assert_eq!(*kind, BracketKind::Record);
        assert!(matches!(c.position, Position::Name(_)));
        let (text, c) = context("let r = [A = 1], x = r[$0");
        let FrameKind::Bracket { kind, target } = &c.open_frames().next().unwrap().1.kind else {
            panic!("{c:?}")
        };
        assert_eq!(*kind, BracketKind::Access);
        assert_eq!(target.as_ref().unwrap().text(&text), "r");
    }

    #[test]
    fn bindings_have_value_ranges() {
        let (text, c) = context("let\n  a = f(1, 2),\n  #\"b c\" = a + 1\nin\n  $0b");
        let let_frame = c.open_frames().find(|(_, f)| matches!(f.kind, FrameKind::Let { .. })).unwrap().1;
        let values: Vec<(&str, &str)> =
            let_frame.bindings.iter().map(|b| (b.name.as_str(), &text[b.value.clone()])).collect();
        assert_eq!(values, [("a", "f(1, 2)"), ("b c", "a + 1")]);
    }
}
