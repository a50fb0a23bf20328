//! Semantic tokens: the grammar's `highlights.scm` captures (the same query the editors highlight with),
//! mapped to a fixed legend, then refined by the analysis where it knows more than the tree: a name that
//! resolves to a library function, enum member or type, to a parameter or to a function of the document;
//! a name being defined gets the `declaration` modifier.
//!
//! Tokens never overlap and come in text order; where captures nest (a capture inside a larger one), the
//! inner one wins and the outer one is split around it. Multi-line tokens (texts, block comments) are one
//! byte range: splitting them per line is the language server's job.
//!
//! tree-sitter's query cursor keeps depths in 16 bits: in a tree deeper than 65,535 levels it finds
//! nothing, and takes minutes to do so; and it keeps a state for each pattern started above the node it
//! is at, so a long left-nested chain (`x[a][a]...`) costs the square of its depth. The query is
//! therefore run on slices of the tree at most [`SLICE_DEPTH`] levels deep, each from the nodes where
//! the slice above it stops, and around syntax errors with very many children (see [`Shape`]).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

use crate::library::EntryKind;
use crate::semantics::{Analysis, Definition, DefinitionKind, Reference, Resolution};

/// The token types, in legend order (their index is what the protocol sends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    Namespace,
    Type,
    Parameter,
    Variable,
    Property,
    EnumMember,
    Function,
    Keyword,
    Comment,
    String,
    Number,
    Operator,
    Decorator,
}

impl TokenType {
    /// The LSP name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Namespace => "namespace",
            TokenType::Type => "type",
            TokenType::Parameter => "parameter",
            TokenType::Variable => "variable",
            TokenType::Property => "property",
            TokenType::EnumMember => "enumMember",
            TokenType::Function => "function",
            TokenType::Keyword => "keyword",
            TokenType::Comment => "comment",
            TokenType::String => "string",
            TokenType::Number => "number",
            TokenType::Operator => "operator",
            TokenType::Decorator => "decorator",
        }
    }

    /// The index of the type in [`TOKEN_TYPES`].
    pub fn index(self) -> u32 {
        TOKEN_TYPES.iter().position(|&t| t == self).expect("every type is in the legend") as u32
    }
}

/// The legend's token types.
pub const TOKEN_TYPES: &[TokenType] = &[
    TokenType::Namespace,
    TokenType::Type,
    TokenType::Parameter,
    TokenType::Variable,
    TokenType::Property,
    TokenType::EnumMember,
    TokenType::Function,
    TokenType::Keyword,
    TokenType::Comment,
    TokenType::String,
    TokenType::Number,
    TokenType::Operator,
    TokenType::Decorator,
];

/// The legend's token modifiers; a token's `modifiers` has bit `i` set for `TOKEN_MODIFIERS[i]`.
pub const TOKEN_MODIFIERS: &[&str] = &["declaration", "readonly", "defaultLibrary"];

/// The `declaration` modifier bit.
pub const DECLARATION: u32 = 1;
/// The `readonly` modifier bit (constants and enum members).
pub const READONLY: u32 = 2;
/// The `defaultLibrary` modifier bit (names of the standard library).
pub const DEFAULT_LIBRARY: u32 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: Range<usize>,
    pub token_type: TokenType,
    pub modifiers: u32,
}

/// The editors' `highlights.scm`, without the patterns whose captures make no token (punctuation): a
/// third of the tree's nodes are brackets and separators, and matching them was a third of the time.
static HIGHLIGHTS: LazyLock<Query> = LazyLock::new(|| {
    let source = tree_sitter_powerquery::HIGHLIGHTS_QUERY;
    let mut query = Query::new(&crate::syntax::language(), source).expect("highlights.scm compiles");
    for pattern in 0..query.pattern_count() {
        let text = &source[query.start_byte_for_pattern(pattern)..query.end_byte_for_pattern(pattern)];
        let captures = text.split('@').skip(1).map(|after| {
            let end =
                after.find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '_')).unwrap_or(after.len());
            &after[..end]
        });
        // (An `@` inside a quoted token, like the `"@"` operator, names no capture.)
        let mut captures = captures.filter(|capture| !capture.is_empty());
        if captures.all(|capture| token_of_capture(capture, "").is_none()) {
            query.disable_pattern(pattern);
        }
    }
    query
});

/// The token type and modifiers of a `highlights.scm` capture name; `None` for captures without a token
/// (punctuation).
fn token_of_capture(capture: &str, node_kind: &str) -> Option<(TokenType, u32)> {
    Some(match capture {
        "variable" => (TokenType::Variable, 0),
        "variable.builtin" => (TokenType::Variable, DEFAULT_LIBRARY),
        "variable.parameter" => (TokenType::Parameter, DECLARATION),
        "variable.member" => (TokenType::Property, 0),
        "function" => (TokenType::Function, DECLARATION),
        "function.builtin" => (TokenType::Function, DEFAULT_LIBRARY),
        "function.call" | "function.method.call" => (TokenType::Function, 0),
        "type" => (TokenType::Type, 0),
        "type.builtin" => (TokenType::Type, DEFAULT_LIBRARY),
        "constant.builtin" => match node_kind {
            "null_literal" => (TokenType::Keyword, 0),
            "number_constant" => (TokenType::Number, DEFAULT_LIBRARY),
            _ => (TokenType::EnumMember, READONLY | DEFAULT_LIBRARY),
        },
        "module" => (TokenType::Namespace, 0),
        "attribute" => (TokenType::Decorator, 0),
        "number" => (TokenType::Number, 0),
        "string" | "string.special" => (TokenType::String, 0),
        "boolean" => (TokenType::Keyword, 0),
        "operator" => (TokenType::Operator, 0),
        "comment" => (TokenType::Comment, 0),
        capture if capture == "keyword" || capture.starts_with("keyword.") => (TokenType::Keyword, 0),
        _ => return None,
    })
}

/// How many levels below its root one run of the highlights query starts matches at: deep enough that an
/// ordinary document is one slice, shallow enough that the states of patterns started above stay few.
const SLICE_DEPTH: u32 = 256;

/// The semantic tokens of an M document, or of the part of it in `range` (tokens that overlap the range,
/// whole). With an analysis, names are refined by what they resolve to.
pub fn semantic_tokens(
    text: &str,
    tree: &Tree,
    analysis: Option<&Analysis>,
    range: Option<Range<usize>>,
) -> Vec<SemanticToken> {
    let mut tokens = unrefined(tree.root_node(), text, range);
    if let Some(analysis) = analysis {
        refine_all(&mut tokens, analysis);
    }
    tokens
}

/// The tokens of a document's section members, kept between requests by the member's text: after an edit
/// only the members whose text changed are queried again (the query is most of the cost of a whole file;
/// the names are refined anew each time, since an edit elsewhere can change what a name resolves to).
#[derive(Debug, Default)]
pub struct TokenCache {
    /// Tokens before refinement, relative to the start of the member, by the member's text.
    members: HashMap<Box<str>, Arc<[SemanticToken]>>,
}

/// [`semantic_tokens`] of the whole document, reusing the tokens of members whose text `cache` has seen
/// (members with syntax errors are always queried), and keeping in `cache` those of this version only.
///
/// The query runs on each member's node as its root (no pattern rooted above a member captures inside it:
/// the section's patterns capture its name and attributes), on the other children of a section (comments,
/// broken members) the same way, and on the parts outside the members with a byte range.
pub fn semantic_tokens_cached(
    text: &str,
    tree: &Tree,
    analysis: Option<&Analysis>,
    cache: &mut TokenCache,
) -> Vec<SemanticToken> {
    let mut kept: HashMap<Box<str>, Arc<[SemanticToken]>> = HashMap::new();
    let mut tokens = Vec::new();
    let root = tree.root_node();
    let mut fresh = query_new_members(text, root, cache);
    // Where the part not yet covered starts: the parts outside sections' members are queried from the
    // root with a range (a few bytes: the section headers and what follows the last member).
    let mut from = 0;
    let mut sections = root.walk();
    for section in root.children(&mut sections).filter(|n| n.kind() == "section") {
        let mut children = section.walk();
        let mut before_first_member = true;
        for child in section.children(&mut children) {
            let range = child.byte_range();
            if before_first_member {
                if child.kind() != "section_member" {
                    // The section's own tokens (its name, attributes): queried with a range below.
                    continue;
                }
                if from < range.start {
                    tokens.extend(unrefined(root, text, Some(from..range.start)));
                }
                before_first_member = false;
            }
            // From the first member on, everything in the section is in one of its children.
            from = range.end;
            if child.kind() != "section_member" || child.has_error() {
                tokens.extend(unrefined(child, text, None));
                continue;
            }
            let key = &text[range.clone()];
            let found =
                kept.get(key).or_else(|| cache.members.get(key)).cloned().or_else(|| fresh.remove(key));
            let relative = found.unwrap_or_else(|| relative_tokens(child, text));
            tokens.extend(relative.iter().map(|token| SemanticToken {
                range: token.range.start + range.start..token.range.end + range.start,
                ..*token
            }));
            kept.insert(key.into(), relative);
        }
    }
    if from < text.len() {
        tokens.extend(unrefined(root, text, Some(from..text.len())));
    }
    cache.members = kept;
    if let Some(analysis) = analysis {
        refine_all(&mut tokens, analysis);
    }
    tokens
}

/// The tokens of a member, relative to its start.
fn relative_tokens(member: Node, text: &str) -> Arc<[SemanticToken]> {
    let start = member.start_byte();
    let tokens = unrefined(member, text, None).into_iter().map(|mut token| {
        token.range = token.range.start - start..token.range.end - start;
        token
    });
    tokens.collect()
}

/// The members (without syntax errors) that `cache` does not have: queried at once, the second half on a
/// second thread when there is much to query (the first request for a large file: about 135 ms for
/// 10,000 lines on one thread), by their text.
fn query_new_members<'t>(
    text: &'t str,
    root: Node,
    cache: &TokenCache,
) -> HashMap<&'t str, Arc<[SemanticToken]>> {
    let mut new = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut sections = root.walk();
    for section in root.children(&mut sections).filter(|n| n.kind() == "section") {
        let mut children = section.walk();
        for member in section.children(&mut children) {
            let key = &text[member.byte_range()];
            if member.kind() == "section_member"
                && !member.has_error()
                && !cache.members.contains_key(key)
                && seen.insert(key)
            {
                new.push(member);
            }
        }
    }
    let bytes: usize = new.iter().map(|member| member.byte_range().len()).sum();
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let query = |members: &[Node]| -> Vec<(&'t str, Arc<[SemanticToken]>)> {
        members.iter().map(|&member| (&text[member.byte_range()], relative_tokens(member, text))).collect()
    };
    if bytes < PARALLEL_BYTES || !two_cores {
        return query(&new).into_iter().collect();
    }
    // Cut where half of the bytes to query are on each side.
    let mut half = 0;
    let cut = new.iter().position(|member| {
        half += member.byte_range().len();
        half >= bytes / 2
    });
    let (first, second) = new.split_at(cut.map_or(new.len(), |at| at + 1));
    std::thread::scope(|scope| {
        let other = scope.spawn(|| query(second));
        let mut found: HashMap<_, _> = query(first).into_iter().collect();
        match other.join() {
            Ok(more) => found.extend(more),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        found
    })
}

/// How many bytes of members to query make a second thread worth its cost.
const PARALLEL_BYTES: usize = 256 * 1024;

/// The tokens of the highlights query alone under `root` (in `range`: the tokens that overlap it, whole).
fn unrefined(root: Node, text: &str, range: Option<Range<usize>>) -> Vec<SemanticToken> {
    let mut captures = captures(root, text, range.as_ref(), SLICE_DEPTH, WIDE);
    captures.sort_by_key(|c| (c.0.start, std::cmp::Reverse(c.0.end), std::cmp::Reverse(c.1)));
    captures.dedup_by(|later, earlier| later.0 == earlier.0);
    let mut tokens = flatten(captures);
    if let Some(range) = range {
        tokens.retain(|t| t.range.start < range.end && range.start < t.range.end);
    }
    tokens
}

/// A capture of the highlights query: its range, pattern (later patterns win on the same node) and token.
type Capture = (Range<usize>, usize, TokenType, u32);

/// Every capture of the highlights query with a token, in slices of `slice_depth` levels, syntax errors
/// with more than `wide` children queried child by child.
fn captures(
    root: Node,
    text: &str,
    range: Option<&Range<usize>>,
    slice_depth: u32,
    wide: usize,
) -> Vec<Capture> {
    let query = &*HIGHLIGHTS;
    let names = query.capture_names();
    let mut captures: Vec<Capture> = Vec::new();
    let mut cursor = QueryCursor::new();
    // Matches start in the slice, and may end below it (a pattern spans a few levels).
    cursor.set_max_start_depth(Some(slice_depth - 1));
    let wanted = |node: &Node| range.is_none_or(|r| node.start_byte() < r.end && r.start < node.end_byte());
    let mut slices = vec![root];
    while let Some(slice) = slices.pop() {
        let shape = Shape::of(slice, slice_depth, wide, range);
        // The slice is queried around its wide syntax errors, one run for each part between them.
        let mut from = slice.start_byte();
        let ends = shape.wide_errors.iter().map(|error| (error.start_byte(), error.end_byte()));
        for (to, next) in ends.chain([(slice.end_byte(), slice.end_byte())]) {
            let part = match range {
                Some(range) => from.max(range.start)..to.min(range.end),
                None => from..to,
            };
            from = next;
            if part.is_empty() {
                continue;
            }
            cursor.set_byte_range(part);
            let mut matches = cursor.matches(query, slice, text.as_bytes());
            while let Some(found) = matches.next() {
                crate::cancel::checkpoint();
                for capture in found.captures {
                    let node = capture.node;
                    if let Some((token_type, modifiers)) =
                        token_of_capture(names[capture.index as usize], node.kind())
                    {
                        captures.push((node.byte_range(), found.pattern_index, token_type, modifiers));
                    }
                }
            }
        }
        slices.extend(shape.below.into_iter().filter(wanted));
        for error in shape.wide_errors {
            let mut children = error.walk();
            slices.extend(error.children(&mut children).filter(wanted));
        }
    }
    captures
}

/// What one run of the query must not walk itself in a slice of the tree.
struct Shape<'t> {
    /// The nodes `slice_depth` levels below the slice's root: the roots of the next slices.
    below: Vec<Node<'t>>,
    /// Syntax errors with more than [`WIDE`] (or the given number of) children, in order. tree-sitter's query cursor looks, at each
    /// node, for a named sibling after it: in an error made of 100,000 `{` with no named node between them
    /// that is the square of the width. Their children are queried one by one (in an error there is no
    /// parent for a pattern to match anyway).
    wide_errors: Vec<Node<'t>>,
}

/// How many children a syntax error may have and still be queried with the rest of its slice.
const WIDE: usize = 256;

impl<'t> Shape<'t> {
    /// The shape of the slice under `root`, of its part in `range` if given. Only subtrees that can hold
    /// what is looked for are entered: one with a syntax error, or with more nodes than levels left to the
    /// slice's bottom (a subtree is never deeper than it has nodes). In an ordinary document that is a few
    /// nodes for each query, not every node.
    fn of(root: Node<'t>, slice_depth: u32, wide: usize, range: Option<&Range<usize>>) -> Shape<'t> {
        let mut shape = Shape { below: Vec::new(), wide_errors: Vec::new() };
        let mut cursor = root.walk();
        let mut level = 0;
        loop {
            let node = cursor.node();
            let outside = range.is_some_and(|r| node.end_byte() <= r.start || r.end <= node.start_byte());
            let shallow = || !node.has_error() && node.descendant_count() < (slice_depth - level) as usize;
            if node.is_error() && node.child_count() > wide {
                shape.wide_errors.push(node);
            } else if level == slice_depth {
                shape.below.push(node);
            } else if (level > 0 && outside) || shallow() {
                // Nothing to find below.
            } else if cursor.goto_first_child() {
                level += 1;
                continue;
            }
            loop {
                if level == 0 {
                    return shape;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                cursor.goto_parent();
                level -= 1;
            }
        }
    }
}

/// Non-overlapping tokens from nested captures sorted by start (outer first): inner captures win.
fn flatten(captures: Vec<(Range<usize>, usize, TokenType, u32)>) -> Vec<SemanticToken> {
    let mut out: Vec<SemanticToken> = Vec::new();
    let mut stack: Vec<(Range<usize>, TokenType, u32)> = Vec::new();
    let mut emitted = 0usize;
    let emit = |out: &mut Vec<SemanticToken>, range: Range<usize>, token_type: TokenType, modifiers: u32| {
        if range.start < range.end {
            out.push(SemanticToken { range, token_type, modifiers });
        }
    };
    for (range, _, token_type, modifiers) in captures {
        while let Some(top) = stack.last() {
            if top.0.end > range.start {
                break;
            }
            let (outer, t, m) = stack.pop().expect("not empty");
            emit(&mut out, emitted.max(outer.start)..outer.end, t, m);
            emitted = emitted.max(outer.end);
        }
        if let Some((outer, t, m)) = stack.last() {
            emit(&mut out, emitted.max(outer.start)..range.start, *t, *m);
        }
        emitted = emitted.max(range.start);
        stack.push((range, token_type, modifiers));
    }
    while let Some((outer, t, m)) = stack.pop() {
        emit(&mut out, emitted.max(outer.start)..outer.end, t, m);
        emitted = emitted.max(outer.end);
    }
    out
}

/// Refines the name tokens (in text order) by what the analysis knows: the definitions' names and the
/// references are in text order too, so one pass along the three finds each token's (no search per token).
fn refine_all(tokens: &mut [SemanticToken], analysis: &Analysis) {
    let definitions = analysis.definitions_in_text_order();
    let references = analysis.references();
    let (mut next_definition, mut next_reference) = (0, 0);
    for token in tokens {
        if !matches!(token.token_type, TokenType::Variable | TokenType::Function | TokenType::Type) {
            continue;
        }
        let start = token.range.start;
        while definitions
            .get(next_definition)
            .is_some_and(|&d| analysis.definition(d).name_range.start < start)
        {
            next_definition += 1;
        }
        while references.get(next_reference).is_some_and(|r| r.range.start < start) {
            next_reference += 1;
        }
        // Of the names that start where the token does, the last one with its exact range.
        let definition = definitions[next_definition..]
            .iter()
            .map(|&d| analysis.definition(d))
            .take_while(|d| d.name_range.start == start)
            .filter(|d| d.name_range == token.range)
            .last();
        let reference = references[next_reference..]
            .iter()
            .take_while(|r| r.range.start == start)
            .filter(|r| r.range == token.range)
            .last();
        refine(token, definition, reference, analysis);
    }
}

/// What the analysis knows about a name token: the definition it names or the reference it is.
fn refine(
    token: &mut SemanticToken,
    definition: Option<&Definition>,
    reference: Option<&Reference>,
    analysis: &Analysis,
) {
    if let Some(definition) = definition {
        token.modifiers |= DECLARATION;
        if matches!(definition.kind, DefinitionKind::Parameter { .. } | DefinitionKind::CatchParameter) {
            token.token_type = TokenType::Parameter;
        }
        return;
    }
    let Some(reference) = reference else {
        return;
    };
    match reference.resolution {
        Resolution::Library(entry) => {
            let (token_type, modifiers) = match entry.kind {
                EntryKind::Function | EntryKind::Constructor => (TokenType::Function, DEFAULT_LIBRARY),
                EntryKind::Type | EntryKind::Enum => (TokenType::Type, DEFAULT_LIBRARY),
                EntryKind::EnumMember => (TokenType::EnumMember, READONLY | DEFAULT_LIBRARY),
                EntryKind::Constant => (TokenType::Variable, READONLY | DEFAULT_LIBRARY),
            };
            token.token_type = token_type;
            token.modifiers = modifiers;
        }
        Resolution::Definition(def) => match analysis.definition(def).kind {
            DefinitionKind::Parameter { .. }
            | DefinitionKind::CatchParameter
            | DefinitionKind::EachParameter => {
                token.token_type = TokenType::Parameter;
            }
            _ => {}
        },
        Resolution::Unresolved => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{dedent, Fixture};

    /// The query run in slices and around wide syntax errors finds what one run finds, across slice
    /// boundaries (here 40,000 levels deep, which one run still handles), and below 65,535 levels, where one
    /// run finds nothing.
    #[test]
    fn slices_of_a_deep_tree_give_the_captures_of_the_whole() {
        let sorted = |mut captures: Vec<Capture>| {
            captures.sort_by_key(|c| (c.0.start, c.0.end, c.1));
            captures.dedup();
            captures
        };
        let depth = 10_000;
        let text = format!(
            "let f = (x) => x, n = {}Table.AddColumn(f, \"a\", each [b] + JoinKind.Inner) meta [c = 1]{} in n",
            "f(each {".repeat(depth),
            "})".repeat(depth)
        );
        let tree = crate::syntax::parse(&text).tree;
        let whole = captures(tree.root_node(), &text, None, u32::MAX, usize::MAX);
        assert!(whole.len() > 3 * depth);
        assert_eq!(sorted(captures(tree.root_node(), &text, None, SLICE_DEPTH, WIDE)), sorted(whole.clone()));
        assert_eq!(sorted(captures(tree.root_node(), &text, None, 7, 3)), sorted(whole));
        // Syntax errors with many children, some inside others, queried child by child.
        let text = format!(
            "let a = {{{}, b = if x then [c = #date(1, 2, 3)] {}, d = 1 in d",
            "{1 2 let \"t\" /* c */ ".repeat(500),
            "( each _ then".repeat(500)
        );
        let tree = crate::syntax::parse(&text).tree;
        let whole = captures(tree.root_node(), &text, None, u32::MAX, usize::MAX);
        assert_eq!(sorted(captures(tree.root_node(), &text, None, SLICE_DEPTH, WIDE)), sorted(whole.clone()));
        assert_eq!(sorted(captures(tree.root_node(), &text, None, 5, 2)), sorted(whole.clone()));
        let part = text.len() / 3..text.len() / 2;
        let in_part = |captures: Vec<Capture>| {
            sorted(captures.into_iter().filter(|c| c.0.start < part.end && part.start < c.0.end).collect())
        };
        assert_eq!(
            in_part(captures(tree.root_node(), &text, Some(&part), 5, 2)),
            in_part(captures(tree.root_node(), &text, Some(&part), u32::MAX, usize::MAX))
        );
        let depth = 100_000;
        let text = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        let tree = crate::syntax::parse(&text).tree;
        let tokens = semantic_tokens(&text, &tree, None, None);
        assert_eq!(tokens.iter().filter(|t| t.token_type == TokenType::Number).count(), 1);
        // 100,000 `{` in one syntax error, and a chain of 100,000 field accesses: in a time that does not
        // grow with the square of either.
        let started = std::time::Instant::now();
        let text = format!("{}1", "{".repeat(depth));
        let tree = crate::syntax::parse(&text).tree;
        assert_eq!(semantic_tokens(&text, &tree, None, None).len(), 1);
        let text = format!("x{}", "[a]".repeat(depth));
        let tree = crate::syntax::parse(&text).tree;
        assert_eq!(semantic_tokens(&text, &tree, None, None).len(), depth + 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    }

    /// Tokens made with a cache of an earlier version's members are the tokens made without one, whatever
    /// changed: a member edited, added, removed, broken, or a name's definition elsewhere.
    #[test]
    fn cached_member_tokens_are_the_tokens_of_the_whole() {
        let versions = [
            "section S;\nshared A = let x = 1, f = (p) => p + x in f(2); // a\nshared B = A & \"t\";\n",
            "section S;\nshared A = let x = 1, f = (p) => p + x in f(2); // a\nshared B = A & \"t\" & \"u\";\n",
            "section S;\n/* c */ shared A = let x = 1, f = (p) => p + x in f(2); // a\nshared B = A & \"t\" & \"u\";\n",
            "section S;\nshared A = let x = 1, f = (p) => p + x in f(2); // a\nshared B = A & \"t\" & \"u\";\nshared C = B;\n",
            "section S;\nshared A = let x = 1, f = (p) => p + x in f(2;\nshared B = A & \"t\";\nshared C = B;\n",
            "section S;\nshared B = A & \"t\";\nshared A = (A) => A;\nshared C = B;\n",
            "section S;\nshared A = let x = 1, f = (p) => p + x in f(2); // a\nshared B = A & \"t\";\n",
            "let a = 1 in a",
            "// head\n[Version = \"1\"] section S; // after\n[Description = \"d\"] shared A = 1; /* between */\n\nshared F = (x) => x; // end\n",
            "[Version = \"1\"] section S;\n[Description = \"d\"] shared A = 1;\nsection T; shared F = (x) => S!A; B = F(1);\n// tail\n",
            "section S; shared A = ; shared B = 1; shared C = {1 2};\n",
        ];
        let mut cache = TokenCache::default();
        for text in versions {
            let tree = crate::syntax::parse(text).tree;
            let analysis = crate::semantics::analyze(&tree, text);
            let whole = semantic_tokens(text, &tree, Some(&analysis), None);
            assert!(!whole.is_empty());
            assert_eq!(semantic_tokens_cached(text, &tree, Some(&analysis), &mut cache), whole, "{text}");
            // Again, every member from the cache.
            assert_eq!(semantic_tokens_cached(text, &tree, Some(&analysis), &mut cache), whole, "{text}");
        }
        // Enough new members to be queried on two threads, some of them the same text.
        let mut text = "section S;\n".to_owned();
        let mut n = 0;
        while text.len() < 2 * PARALLEL_BYTES {
            let step = if n % 7 == 0 { 0 } else { n };
            text.push_str(&format!(
                "shared Q{step} = let f = (p as number) => p + {n}, r = [a = f(1), b = \"t\"] in r[a]; // {n}\n"
            ));
            n += 1;
        }
        let tree = crate::syntax::parse(&text).tree;
        let analysis = crate::semantics::analyze(&tree, &text);
        let whole = semantic_tokens(&text, &tree, Some(&analysis), None);
        let mut cache = TokenCache::default();
        assert_eq!(semantic_tokens_cached(&text, &tree, Some(&analysis), &mut cache), whole);
        assert_eq!(semantic_tokens_cached(&text, &tree, Some(&analysis), &mut cache), whole);
    }

    /// Renders each token: its text, type and modifiers.
    fn check(fixture: &str, range: Option<Range<usize>>, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let tokens = semantic_tokens(&fixture.mashup, &fixture.tree, Some(&fixture.analysis), range);
        for pair in tokens.windows(2) {
            assert!(pair[0].range.end <= pair[1].range.start, "overlap: {pair:?}");
        }
        let lines: Vec<String> = tokens
            .iter()
            .map(|t| {
                let modifiers: Vec<&str> = TOKEN_MODIFIERS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| t.modifiers & (1 << i) != 0)
                    .map(|(_, m)| *m)
                    .collect();
                format!(
                    "{:?} {}{}",
                    &fixture.mashup[t.range.clone()],
                    t.token_type.as_str(),
                    if modifiers.is_empty() { String::new() } else { format!(" {}", modifiers.join(",")) }
                )
            })
            .collect();
        assert_eq!(lines.join("\n"), dedent(expect));
    }

    #[test]
    fn tokens_of_a_query() {
        check(
            "section S;\n[DataDestinations = {}]\nshared Q = let\n  f = (x as number) => x + 1, // one\n  r = Table.Join(a, JoinKind.Inner, #date(1, 2, 3))\nin\n  #\"r\";",
            None,
            r##"
            "section" keyword
            "S" namespace
            "DataDestinations" decorator
            "=" operator
            "shared" keyword
            "Q" variable declaration
            "=" operator
            "let" keyword
            "f" function declaration
            "=" operator
            "x" parameter declaration
            "as" keyword
            "number" type defaultLibrary
            "=>" operator
            "x" parameter
            "+" operator
            "1" number
            "// one" comment
            "r" variable declaration
            "=" operator
            "Table.Join" function defaultLibrary
            "a" variable
            "JoinKind.Inner" enumMember readonly,defaultLibrary
            "#date" function defaultLibrary
            "1" number
            "2" number
            "3" number
            "in" keyword
            "#\"r\"" variable
            "##,
        );
    }

    #[test]
    fn a_range_and_multi_line_tokens() {
        let text = "let\r\n  a = \"two\r\nlines\",\r\n  b = /* x\r\n */ a\r\nin\r\n  b";
        // From inside the text to just after the `a` that follows the comment.
        let range = text.find("two").unwrap()..text.find(" a\r\nin").unwrap() + 2;
        check(
            text,
            Some(range),
            r#"
            "\"two\r\nlines\"" string
            "b" variable declaration
            "=" operator
            "/* x\r\n */" comment
            "a" variable
            "#,
        );
    }
}
