//! JSON documents with positions, on tree-sitter-json: every value, key and string knows its byte range,
//! a JSON pointer maps to the range of its key or value, and syntax errors are diagnostics (`J100`).
//!
//! The parts of a Dataflow item (`queryMetadata.json`, `.platform`, `.schedules`, `dataflow-content.json`,
//! REST payloads) are checked by schemas and cross-file rules that must point at the offending key or
//! value, so a plain `serde_json::Value` is not enough: [`Json`] keeps the ranges, and [`Json::to_serde`]
//! makes the `serde_json::Value` the schema validator needs. Strings keep a map from decoded text back to the
//! source ([`JsonString::source_offset`]), so a diagnostic inside the M document that a legacy item stores in a
//! JSON string lands on the right character of the JSON file.
//!
//! A file cut short is one diagnostic at its end ([`truncation`]), whatever tree-sitter's recovery made of it.
//!
//! Like `syntax`, this never fails and never recurses on the depth of the input. It may use `diagnostics`
//! and `text`; it knows no files and no schemas (those are in [`schema`]).

pub mod schema;
mod truncation;

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

use crate::diagnostics::{codes, Diagnostic};

/// A parsed JSON text: its value tree (absent when the text holds no value) and its syntax diagnostics.
///
/// Values are neither `Clone` nor `PartialEq`: derived implementations recurse on the depth of the value.
#[derive(Debug)]
pub struct Json {
    pub root: Option<Value>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A JSON value and the byte range of its text.
#[derive(Debug)]
pub struct Value {
    pub range: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    Object(Vec<Member>),
    Array(Vec<Value>),
    String(JsonString),
    /// The number as written, so nothing is lost to floating point.
    Number(String),
    Bool(bool),
    Null,
}

/// A member of an object: its key and its value.
#[derive(Debug)]
pub struct Member {
    pub key: JsonString,
    pub value: Value,
}

/// A decoded JSON string with the way back to its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonString {
    /// The decoded text.
    pub value: String,
    /// The range of the literal, quotes included.
    pub range: Range<usize>,
    /// Where decoding changed lengths: `(decoded offset, source offset)` at the start of each escape and
    /// just after it, ascending. Between two entries decoded and source text advance together.
    offsets: Vec<(usize, usize)>,
}

impl JsonString {
    /// The source offset of a byte offset of the decoded text (clamped to the string's content).
    pub fn source_offset(&self, decoded: usize) -> usize {
        let content_start = self.range.start + 1;
        let (decoded_base, source_base) = match self.offsets.partition_point(|&(d, _)| d <= decoded) {
            0 => (0, content_start),
            i => self.offsets[i - 1],
        };
        (source_base + (decoded - decoded_base)).min(self.range.end.saturating_sub(1))
    }

    /// The source range of a range of the decoded text.
    pub fn source_range(&self, decoded: Range<usize>) -> Range<usize> {
        let start = self.source_offset(decoded.start);
        start..self.source_offset(decoded.end).max(start)
    }
}

/// Dropping takes the children out first, so a deeply nested value is freed with a loop, not recursion.
impl Drop for Value {
    fn drop(&mut self) {
        fn take_children(kind: &mut Kind, stack: &mut Vec<Value>) {
            match kind {
                Kind::Object(members) => stack.extend(std::mem::take(members).into_iter().map(|m| m.value)),
                Kind::Array(items) => stack.extend(std::mem::take(items)),
                _ => {}
            }
        }
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(mut value) = stack.pop() {
            take_children(&mut value.kind, &mut stack);
        }
    }
}

impl Value {
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(string) => Some(&string.value),
            _ => None,
        }
    }

    pub fn as_string(&self) -> Option<&JsonString> {
        match &self.kind {
            Kind::String(string) => Some(string),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(value) => Some(value),
            _ => None,
        }
    }

    /// The member of an object with this key (the last one, as JSON parsers do, when keys repeat).
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|member| member.key.value == key)
    }

    /// The value of the member with this key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.member(key).map(|member| &member.value)
    }

    /// A short name of the value's type, for messages: "object", "string", ...
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Object(_) => "object",
            Kind::Array(_) => "array",
            Kind::String(_) => "string",
            Kind::Number(_) => "number",
            Kind::Bool(_) => "boolean",
            Kind::Null => "null",
        }
    }
}

/// Where a JSON pointer leads: the value, and the key of the member that holds it (if any).
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub value: &'a Value,
    pub key: Option<&'a JsonString>,
}

impl Json {
    /// Follows a JSON pointer (RFC 6901: `/queriesMetadata/Sales~1Orders/queryId`; `""` is the root).
    pub fn locate(&self, pointer: &str) -> Option<Located<'_>> {
        follow(self.root.as_ref()?, pointer, |object, key| object.member(key))
    }

    /// The range a diagnostic about a pointer should underline: the key of a member when asked for and
    /// there is one, else the value.
    pub fn range_of(&self, pointer: &str, prefer_key: bool) -> Option<Range<usize>> {
        let located = self.locate(pointer)?;
        match located.key {
            Some(key) if prefer_key => Some(key.range.clone()),
            _ => Some(located.value.range.clone()),
        }
    }

    /// The value as `serde_json`, for schema validation; `None` without a value. What nests deeper than
    /// [`MAX_DEPTH`] is `null` there: no real part nests that deep, and deeper values would overflow
    /// recursive consumers, but the levels above are still worth validating (an array 100,000 levels
    /// deep is not the object a part must be).
    pub fn to_serde(&self) -> Option<serde_json::Value> {
        self.root.as_ref().map(|root| to_serde(root, MAX_DEPTH))
    }
}

/// Follows many JSON pointers into one document: the members of a large object are looked up through an
/// index made on first use, where [`Json::locate`] searches them one by one (the schema errors of an
/// object with 90,000 members, each located by its pointer, cost the square of that).
pub struct Pointers<'j> {
    json: &'j Json,
    /// For each object of more than a few members looked into: its keys (the last of equal keys wins, as
    /// in [`Value::member`]) and their members' positions, by the object's address.
    indexes: HashMap<*const Value, HashMap<&'j str, usize>>,
}

impl<'j> Pointers<'j> {
    pub fn new(json: &'j Json) -> Pointers<'j> {
        Pointers { json, indexes: HashMap::new() }
    }

    /// [`Json::locate`], through the indexes.
    pub fn locate(&mut self, pointer: &str) -> Option<Located<'j>> {
        let indexes = &mut self.indexes;
        follow(self.json.root.as_ref()?, pointer, |object, key| {
            let members = object.as_object()?;
            if members.len() <= 16 {
                return object.member(key);
            }
            let index = indexes.entry(object as *const Value).or_insert_with(|| {
                members.iter().enumerate().map(|(at, member)| (member.key.value.as_str(), at)).collect()
            });
            members.get(*index.get(key)?)
        })
    }
}

/// Follows a JSON pointer from `root`, finding the member of an object with `key` through `member`.
fn follow<'j>(
    root: &'j Value,
    pointer: &str,
    mut member: impl FnMut(&'j Value, &str) -> Option<&'j Member>,
) -> Option<Located<'j>> {
    let mut located = Located { value: root, key: None };
    if pointer.is_empty() {
        return Some(located);
    }
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        located = match &located.value.kind {
            Kind::Object(_) => {
                let found = member(located.value, &token)?;
                Located { value: &found.value, key: Some(&found.key) }
            }
            Kind::Array(items) => Located { value: items.get(token.parse::<usize>().ok()?)?, key: None },
            _ => return None,
        };
    }
    Some(located)
}

/// How deep a value may nest and still be handed to recursive code (serde, the schema validator).
pub const MAX_DEPTH: usize = 128;

/// The nesting depth of a value, iteratively.
pub fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1)];
    while let Some((value, level)) = stack.pop() {
        deepest = deepest.max(level);
        match &value.kind {
            Kind::Object(members) => stack.extend(members.iter().map(|m| (&m.value, level + 1))),
            Kind::Array(items) => stack.extend(items.iter().map(|v| (v, level + 1))),
            _ => {}
        }
    }
    deepest
}

/// `value` as `serde_json`, down to `levels` levels (its own included); deeper values are `null`. The
/// recursion is as deep as `levels`.
fn to_serde(value: &Value, levels: usize) -> serde_json::Value {
    let Some(below) = levels.checked_sub(1) else { return serde_json::Value::Null };
    match &value.kind {
        Kind::Object(members) => serde_json::Value::Object(
            members.iter().map(|member| (member.key.value.clone(), to_serde(&member.value, below))).collect(),
        ),
        Kind::Array(items) => {
            serde_json::Value::Array(items.iter().map(|item| to_serde(item, below)).collect())
        }
        Kind::String(string) => serde_json::Value::String(string.value.clone()),
        Kind::Number(number) => {
            serde_json::from_str(number).unwrap_or_else(|_| serde_json::Value::String(number.clone()))
        }
        Kind::Bool(value) => serde_json::Value::Bool(*value),
        Kind::Null => serde_json::Value::Null,
    }
}

/// Parses JSON text. Never fails: syntax problems are `J100` diagnostics, and the value tree holds what
/// could be read.
pub fn parse(text: &str) -> Json {
    let tree = parse_tree(text);
    let mut diagnostics = syntax_diagnostics(&tree, text);
    let mut root = build(&tree, text, &mut diagnostics);
    if !diagnostics.is_empty() {
        // A file cut short is one mistake, however tree-sitter recovered from it; and the token it cut in
        // two is no value for the rules to read.
        if let Some(unfinished) = truncation::unfinished(text) {
            diagnostics = vec![unfinished.diagnostic];
            if let Some(start) = unfinished.cut_token {
                drop_cut_token(&mut root, start);
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    if !diagnostics.is_empty() {
        diagnostics = first_mistake(text, diagnostics);
    }
    Json { root, diagnostics }
}

/// The problem of a JSON text with several: where it first stops being JSON. tree-sitter-json's recovery
/// from one mistake (a `,` or `:` left out, a string left open) reads what follows as stray values, an error
/// at every token. A JSON text has one reading, and the first offset where no JSON can continue (what
/// serde_json reports) is where the first mistake shows; only the problem there is reported, the next one
/// comes into view once it is fixed. Of the `diagnostics` (sorted), the one there is kept (a lone one: on
/// that line), unless it is a consequence's ("holds one value"); else serde_json's words are used.
fn first_mistake(text: &str, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(text.trim_start_matches('\u{feff}'))
    else {
        return diagnostics;
    };
    if error.line() == 0 || error.to_string().contains("recursion limit") {
        return diagnostics;
    }
    let bom = text.len() - text.trim_start_matches('\u{feff}').len();
    let serde_line_start =
        bom + text[bom..].split_inclusive('\n').take(error.line() - 1).map(str::len).sum::<usize>();
    let serde_line_end = text[serde_line_start..].find('\n').map_or(text.len(), |end| serde_line_start + end);
    let mut at = (serde_line_start + error.column().saturating_sub(1)).min(serde_line_end);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // serde_json finds a trailing `,` at the bracket after it ("trailing comma", "key must be a string");
    // the mistake is the `,`.
    let closer_follows = text[at..].starts_with(['}', ']']);
    let trailing_comma = text[..at].trim_end().strip_suffix(',').filter(|_| closer_follows).map(str::len);
    if let Some(comma) = trailing_comma {
        at = comma;
    }
    let line_start = text[..at].rfind('\n').map_or(bom, |newline| newline + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |end| at + end);
    let consequence = |d: &Diagnostic| d.message.starts_with("a JSON document holds one");
    let on_line = |d: &Diagnostic| (line_start..=line_end).contains(&d.range.start);
    let at_end = error.classify() == serde_json::error::Category::Eof;
    let kept = match diagnostics.as_slice() {
        // A file cut short: the truncation's diagnostic says what is left open.
        [only] => Some(only).filter(|only| at_end || on_line(only)),
        many => many.iter().find(|d| d.range.start == at && !consequence(d)),
    };
    if let Some(kept) = kept {
        return vec![kept.clone()];
    }
    // "expected `,` or `}` at line 5 column 3": the words without the place, which the range gives.
    let words = error.to_string();
    let words = match words.split(" at line ").next().unwrap_or(&words) {
        _ if trailing_comma.is_some() => "a trailing `,` is not allowed in JSON".to_string(),
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "this string has no closing `\"` on its line (a line break in a JSON string is written `\\n`)"
                .to_string()
        }
        "trailing comma" => "a trailing `,` is not allowed in JSON".to_string(),
        "trailing characters" => "a JSON document holds one value; this is a second one".to_string(),
        "expected value" => "expected a value".to_string(),
        other => other.to_string(),
    };
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    vec![Diagnostic::new(codes::J100, at..end, words)]
}

/// Removes the value that starts at or after `start` (the token a truncation cut in two), with its key in an
/// object. It is the last value of the document, so it is found along the last members and items.
fn drop_cut_token(root: &mut Option<Value>, start: usize) {
    if root.as_ref().is_some_and(|value| value.range.start >= start) {
        *root = None;
        return;
    }
    let Some(mut current) = root.as_mut() else { return };
    loop {
        let next = match &mut current.kind {
            Kind::Object(members) => {
                if members.last().is_some_and(|m| m.key.range.start >= start || m.value.range.start >= start)
                {
                    members.pop();
                    return;
                }
                members.last_mut().map(|member| &mut member.value)
            }
            Kind::Array(items) => {
                if items.last().is_some_and(|value| value.range.start >= start) {
                    items.pop();
                    return;
                }
                items.last_mut()
            }
            _ => None,
        };
        match next {
            Some(value) => current = value,
            None => return,
        }
    }
}

fn parse_tree(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_json::LANGUAGE.into())
        .expect("tree-sitter-json's ABI matches the linked tree-sitter library");
    parser.parse(text, None).expect("a parser with a language and no cancellation always returns a tree")
}

/// One object or array under construction.
enum Frame {
    Object { node_id: usize, range: Range<usize>, members: Vec<Member>, key: Option<JsonString> },
    Array { node_id: usize, range: Range<usize>, items: Vec<Value> },
}

/// Builds the value tree with an explicit stack: JSON nested a million levels deep is only a long list here.
fn build(tree: &Tree, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<Value> {
    let mut roots: Vec<Value> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut cursor = tree.walk();

    // Attaches a finished value to the innermost container (or makes it a root).
    fn attach(frames: &mut [Frame], roots: &mut Vec<Value>, value: Value) {
        match frames.last_mut() {
            Some(Frame::Object { members, key, .. }) => {
                if let Some(key) = key.take() {
                    members.push(Member { key, value });
                }
            }
            Some(Frame::Array { items, .. }) => items.push(value),
            None => roots.push(value),
        }
    }

    loop {
        let node = cursor.node();
        let is_key = cursor.field_name() == Some("key");
        let mut descend = false;
        match node.kind() {
            "object" => {
                frames.push(Frame::Object {
                    node_id: node.id(),
                    range: node.byte_range(),
                    members: Vec::new(),
                    key: None,
                });
                descend = true;
            }
            "array" => {
                frames.push(Frame::Array { node_id: node.id(), range: node.byte_range(), items: Vec::new() });
                descend = true;
            }
            "string" => {
                let string = decode_string(node, text, diagnostics);
                if is_key {
                    if let Some(Frame::Object { key, .. }) = frames.last_mut() {
                        *key = Some(string);
                    }
                } else {
                    attach(
                        &mut frames,
                        &mut roots,
                        Value { range: node.byte_range(), kind: Kind::String(string) },
                    );
                }
            }
            "number" => attach(
                &mut frames,
                &mut roots,
                Value { range: node.byte_range(), kind: Kind::Number(text[node.byte_range()].to_string()) },
            ),
            "true" | "false" if node.is_named() => attach(
                &mut frames,
                &mut roots,
                Value { range: node.byte_range(), kind: Kind::Bool(node.kind() == "true") },
            ),
            "null" if node.is_named() => {
                attach(&mut frames, &mut roots, Value { range: node.byte_range(), kind: Kind::Null })
            }
            // Inside an ERROR the complete members and items are still worth keeping.
            "document" | "pair" | "ERROR" => descend = true,
            _ => {}
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        // Going up: every container whose node we leave is finished.
        loop {
            let leaving = cursor.node().id();
            if let Some(frame) = frames.last() {
                let frame_id = match frame {
                    Frame::Object { node_id, .. } | Frame::Array { node_id, .. } => *node_id,
                };
                if frame_id == leaving {
                    let value = match frames.pop().expect("checked above") {
                        Frame::Object { range, members, .. } => Value { range, kind: Kind::Object(members) },
                        Frame::Array { range, items, .. } => Value { range, kind: Kind::Array(items) },
                    };
                    attach(&mut frames, &mut roots, value);
                }
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return finish(roots, diagnostics);
            }
        }
    }
}

fn finish(mut roots: Vec<Value>, diagnostics: &mut Vec<Diagnostic>) -> Option<Value> {
    if roots.len() > 1 {
        for extra in &roots[1..] {
            diagnostics.push(Diagnostic::new(
                codes::J100,
                extra.range.clone(),
                "a JSON document holds one value; this is a second one",
            ));
        }
    }
    if roots.is_empty() {
        None
    } else {
        Some(roots.swap_remove(0))
    }
}

/// Decodes a string node, reporting invalid escapes and raw control characters.
fn decode_string(node: Node, text: &str, diagnostics: &mut Vec<Diagnostic>) -> JsonString {
    let range = node.byte_range();
    let literal = &text[range.clone()];
    let content_start = range.start + 1;
    let content = literal.strip_prefix('"').unwrap_or(literal);
    let content = content.strip_suffix('"').unwrap_or(content);
    let mut value = String::with_capacity(content.len());
    let mut offsets = Vec::new();
    let mut chars = content.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            if (c as u32) < 0x20 {
                diagnostics.push(Diagnostic::new(
                    codes::J100,
                    content_start + at..content_start + at + c.len_utf8(),
                    format!("a control character (U+{:04X}) must be escaped inside a JSON string", c as u32),
                ));
            }
            value.push(c);
            continue;
        }
        offsets.push((value.len(), content_start + at));
        let escape_start = at;
        let decoded = match chars.next() {
            Some((_, '"')) => Some('"'),
            Some((_, '\\')) => Some('\\'),
            Some((_, '/')) => Some('/'),
            Some((_, 'b')) => Some('\u{8}'),
            Some((_, 'f')) => Some('\u{c}'),
            Some((_, 'n')) => Some('\n'),
            Some((_, 'r')) => Some('\r'),
            Some((_, 't')) => Some('\t'),
            Some((_, 'u')) => {
                let read_hex = |chars: &mut std::iter::Peekable<std::str::CharIndices>| {
                    let mut code = 0u32;
                    for _ in 0..4 {
                        let (_, h) = chars.next_if(|(_, h)| h.is_ascii_hexdigit())?;
                        code = code * 16 + h.to_digit(16).expect("a hex digit");
                    }
                    Some(code)
                };
                match read_hex(&mut chars) {
                    Some(high @ 0xD800..=0xDBFF) => {
                        // A surrogate pair is two escapes for one character.
                        let mut lookahead = chars.clone();
                        let low = match (lookahead.next(), lookahead.next()) {
                            (Some((_, '\\')), Some((_, 'u'))) => read_hex(&mut lookahead),
                            _ => None,
                        };
                        match low {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                chars = lookahead;
                                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                            }
                            _ => None,
                        }
                    }
                    Some(code) => char::from_u32(code),
                    None => None,
                }
            }
            _ => None,
        };
        let escape_end = chars.peek().map_or(content.len(), |&(next, _)| next);
        match decoded {
            Some(c) => value.push(c),
            None => {
                diagnostics.push(Diagnostic::new(
                    codes::J100,
                    content_start + escape_start..content_start + escape_end,
                    format!("invalid escape `{}` in a JSON string", &content[escape_start..escape_end]),
                ));
                value.push('\u{FFFD}');
            }
        }
        offsets.push((value.len(), content_start + escape_end));
    }
    JsonString { value, range, offsets }
}

/// `J100` diagnostics for the tree's ERROR and MISSING nodes, for comments (tree-sitter-json accepts them,
/// JSON does not), one per problem. One cursor walk that keeps, for each ancestor, its last named child
/// and a cursor looking ahead among its children: a node is never asked for its parent or siblings, which
/// tree-sitter finds by descending from the root again (the cube of the depth for a deeply nested file).
fn syntax_diagnostics(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    /// An ancestor of the node under the cursor.
    struct Frame<'t> {
        node: Node<'t>,
        previous_named: Option<Node<'t>>,
        lookahead: Option<tree_sitter::TreeCursor<'t>>,
    }
    let mut diagnostics = Vec::new();
    let mut cursor = tree.walk();
    let mut frames: Vec<Frame> = Vec::new();
    loop {
        let node = cursor.node();
        let mut descend = node.child_count() > 0;
        if node.is_error() {
            let around = frames.last_mut().map(|frame| Around {
                parent: frame.node,
                previous_named: frame.previous_named,
                next_named: crate::syntax::locate::next_named_sibling(frame.node, &mut frame.lookahead, node),
            });
            diagnostics.push(error_diagnostic(node, around, text));
            descend = false;
        } else if node.is_missing() {
            let at = node.start_byte();
            let message = match node.kind() {
                "}" => "expected `}` to close the object".to_string(),
                "]" => "expected `]` to close the array".to_string(),
                "\"" => "expected `\"` to close the string".to_string(),
                ":" => "expected `:` between a key and its value".to_string(),
                kind if !node.is_named() => format!("expected `{kind}`"),
                _ => "expected a value".to_string(),
            };
            diagnostics.push(Diagnostic::new(codes::J100, at..at, message));
        } else if node.kind() == "comment" {
            diagnostics.push(Diagnostic::new(
                codes::J100,
                node.byte_range(),
                "comments are not allowed in JSON",
            ));
        }
        if descend && cursor.goto_first_child() {
            frames.push(Frame { node, previous_named: None, lookahead: None });
            continue;
        }
        loop {
            let passed = cursor.node();
            if cursor.goto_next_sibling() {
                let frame = frames.last_mut().expect("a node with a sibling has a parent");
                if passed.is_named() {
                    frame.previous_named = Some(passed);
                }
                break;
            }
            if !cursor.goto_parent() {
                return diagnostics;
            }
            frames.pop();
        }
    }
}

/// What an ERROR node's diagnostic needs to know about its surroundings.
struct Around<'t> {
    parent: Node<'t>,
    previous_named: Option<Node<'t>>,
    next_named: Option<Node<'t>>,
}

fn error_diagnostic(node: Node, around: Option<Around>, text: &str) -> Diagnostic {
    // `{"a": 1 "b": 2}`: tree-sitter wraps the complete first member in the ERROR; the comma is missing
    // before the member that follows.
    let last = node.named_child(node.named_child_count().saturating_sub(1));
    if let (Some(last), Some(next)) = (last, around.as_ref().and_then(|around| around.next_named)) {
        if !last.has_error()
            && matches!(
                last.kind(),
                "pair" | "object" | "array" | "string" | "number" | "true" | "false" | "null"
            )
        {
            let shown: String = text[next.byte_range()].chars().take(24).collect();
            let at = next.start_byte();
            return Diagnostic::new(codes::J100, at..at, format!("expected `,` before `{shown}`"));
        }
    }
    // The first token inside the ERROR is what could not be read.
    let mut first = node;
    while let Some(child) = first.child(0) {
        first = child;
    }
    let shown: String = text[first.byte_range()].chars().take(24).collect();
    let context = match around.as_ref().map(|around| around.parent.kind()) {
        Some("object") => " in this object",
        Some("array") => " in this array",
        _ => "",
    };
    let previous_is_value = around.as_ref().is_some_and(|around| around.previous_named.is_some());
    let message = if shown.is_empty() {
        "invalid JSON".to_string()
    } else if previous_is_value
        && matches!(first.kind(), "string" | "\"" | "number" | "{" | "[" | "true" | "false" | "null")
    {
        format!("expected `,` before `{shown}`{context}")
    } else if shown == "," {
        format!("unexpected `,`{context} (a trailing `,` is not allowed in JSON)")
    } else {
        format!("unexpected `{shown}`{context}")
    };
    Diagnostic::new(codes::J100, first.byte_range(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_ranges() {
        let text = r#"{"a": [1, true, null], "b\u00e9": "x\ny", "c": {"d": -2.5e3}}"#;
        let json = parse(text);
        assert!(json.diagnostics.is_empty(), "{:?}", json.diagnostics);
        let root = json.root.as_ref().unwrap();
        assert_eq!(root.get("a").unwrap().as_array().unwrap().len(), 3);
        assert_eq!(json.locate("/bé").unwrap().value.as_str(), Some("x\ny"));
        let range = json.range_of("/c/d", false).unwrap();
        assert_eq!(&text[range], "-2.5e3");
        let key = json.range_of("/c", true).unwrap();
        assert_eq!(&text[key], "\"c\"");
        assert_eq!(json.to_serde().unwrap()["a"][1], serde_json::Value::Bool(true));
    }

    #[test]
    fn decoded_offsets_map_back_to_the_source() {
        let text = r#"["ab\"cd\u00e9f\ng"]"#;
        let json = parse(text);
        let string = json.root.as_ref().unwrap().as_array().unwrap()[0].as_string().unwrap().clone();
        assert_eq!(string.value, "ab\"cdéf\ng");
        for (decoded, expected) in [("c", "c"), ("f", "f"), ("g", "g"), ("a", "a")] {
            let at = string.value.find(decoded).unwrap();
            assert_eq!(&text[string.source_offset(at)..string.source_offset(at) + 1], expected);
        }
        let e_acute = string.value.find('é').unwrap();
        assert_eq!(&text[string.source_range(e_acute..e_acute + 'é'.len_utf8())], "\\u00e9");
    }

    #[test]
    fn syntax_errors_are_diagnostics() {
        for (text, expected) in [
            (r#"{"a": 1 "b": 2}"#, "expected `,`"),
            (r#"{"a": 1,}"#, "trailing"),
            (r#"{"a": 1"#, "expected `}`"),
            (r#"{"a": 1} // note"#, "comments"),
            (r#"{"a": "\q"}"#, "invalid escape"),
            (r#"{} []"#, "second"),
        ] {
            let json = parse(text);
            assert!(
                json.diagnostics.iter().any(|d| d.code.id == "J100" && d.message.contains(expected)),
                "{text}: {:?}",
                json.diagnostics
            );
        }
        assert!(parse("").root.is_none());
    }

    /// One mistake is one diagnostic, on its line (or the next, where a missing token is first seen), not
    /// an error at every later token.
    #[test]
    fn one_mistake_is_one_diagnostic() {
        let valid =
            "{\n  \"name\": \"Sales\",\n  \"locale\": \"en-US\",\n  \"groups\": [1, 2],\n  \"on\": true\n}\n";
        assert!(parse(valid).diagnostics.is_empty());
        for (broken, line) in [
            (valid.replace("\"Sales\",", "\"Sales\""), 3),
            (valid.replace("\"locale\":", "\"locale\""), 3),
            (valid.replace("\"en-US\",", "\"en-US,"), 3),
            (valid.replace("[1, 2]", "[1, 2"), 4),
            (valid.replace("2],", "2],,"), 4),
            (valid.replace("true\n", "true,\n"), 5),
        ] {
            let json = parse(&broken);
            let lines: Vec<usize> =
                json.diagnostics.iter().map(|d| broken[..d.range.start].matches('\n').count() + 1).collect();
            assert!(lines == [line] || lines == [line + 1], "{broken}: {:?}", json.diagnostics);
        }
    }

    #[test]
    fn deep_nesting_is_fine() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let json = parse(&text);
        assert!(json.diagnostics.is_empty());
        assert_eq!(depth(json.root.as_ref().unwrap()), 100_000);
        // Validation sees the levels a schema can describe, and nulls below.
        let mut serde = json.to_serde().unwrap();
        for _ in 0..MAX_DEPTH {
            serde = serde[0].take();
        }
        assert_eq!(serde, serde_json::Value::Null);
        // Dropping a deep value must not overflow the stack either.
        drop(json);
    }

    /// Syntax errors deep inside: every one is reported, and the walk costs the size of the tree (asking
    /// each error for its parent and siblings cost the depth of the tree each, and overflowed the stack
    /// for a missing token).
    #[test]
    fn deep_errors_are_reported() {
        let depth = 100_000;
        let unclosed = "[".repeat(depth);
        assert_eq!(parse(&unclosed).diagnostics.len(), 1, "one missing `]`");
        let missing_commas = format!("{}{}", "[1 ".repeat(depth), "]".repeat(depth));
        let diagnostics = parse(&missing_commas).diagnostics;
        assert!(!diagnostics.is_empty());
        assert!(diagnostics.iter().all(|d| d.range.end <= missing_commas.len()));
        let members = format!("{}1{}", "{\"a\": ".repeat(depth), "}".repeat(depth - 1));
        assert!(!parse(&members).diagnostics.is_empty());
    }
}
