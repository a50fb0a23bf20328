//! M syntax on tree-sitter: parsing any bytes into a tree plus diagnostics, incremental reparsing, and the
//! syntax diagnostics (`M1xx`).
//!
//! The parser is the grammar in grammars/tree-sitter-powerquery, the same one the editors highlight with.
//! Parsing never fails: every input gives a tree, and every problem is a diagnostic beside it. Syntax errors
//! come from the tree's ERROR and MISSING nodes ([`errors`]); lexical problems (unterminated literals and
//! comments, bad escapes, malformed numbers, characters a name cannot hold) from the tokens, which the grammar keeps whole on purpose
//! ([`lexical`]). The text as the syntax errors' fixes would make it is what name resolution reads
//! ([`repair`]). Nodes are found by offset with [`locate`], never by climbing from a node to its parents.
//! This module may use `diagnostics` and `text`; it knows no files, no LSP and no CLI.

pub mod chars;
mod document;
mod errors;
mod lexical;
pub mod locate;
pub mod members;
pub mod names;
pub mod repair;

use tree_sitter::{Parser, Tree};

use crate::diagnostics::{self, codes, Diagnostic};
use crate::text;

pub use document::Document;

/// The tree-sitter language of M.
pub fn language() -> tree_sitter::Language {
    tree_sitter_powerquery::LANGUAGE.into()
}

/// A new parser for M.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("the grammar's ABI matches the linked tree-sitter library");
    parser
}

/// A parsed text: its tree and its syntax diagnostics.
#[derive(Debug, Clone)]
pub struct Parse {
    pub tree: Tree,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses M text. Never fails; every syntax and lexical problem is in the diagnostics.
pub fn parse(text: &str) -> Parse {
    let tree = parse_tree(&mut new_parser(), text, None);
    let diagnostics = diagnose(&tree, text);
    Parse { tree, diagnostics }
}

/// Visits `root` and every node below it in preorder, iteratively (no recursion on the tree's depth; a
/// cursor made from `root` never leaves it).
pub fn preorder<'t>(root: tree_sitter::Node<'t>, mut visit: impl FnMut(tree_sitter::Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        visit(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Runs the parser, with an old tree already edited to match `text` for an incremental reparse (an old
/// tree parsed with repairs must go through [`parse_repairing`]).
pub(crate) fn parse_tree(parser: &mut Parser, text: &str, old_tree: Option<&Tree>) -> Tree {
    parse_repairing(parser, text, old_tree.map(|tree| (tree, &[][..]))).0
}

/// What a quote that swallowed code is read as by the parser: a character no M token holds, so the
/// parser puts it alone in an ERROR node at the quote's place and goes on.
const REPAIR: u8 = b'`';

/// Parses `text` from an old tree (edited to line up with it) and the places that tree's parse repaired
/// (moved through the same edits). Returns the tree and the places this parse repaired.
///
/// A quote that swallowed code ([`lexical::misquoted`]: typed or left out while editing, it flips every
/// later literal between text and code) is read as [`REPAIR`] by the parser: the tree has a one-byte
/// ERROR where the text has the quote, the syntax error is reported there, and the rest of the file is
/// parsed as it was written, instead of as text and code swapped, whose error recovery costs the square
/// of the file's length (a 10,000-line item took seconds for every keystroke).
///
/// The parse stops early when the computation running it is cancelled ([`crate::cancel`]): then this
/// unwinds with [`crate::cancel::Cancelled`] instead of returning.
pub fn parse_repairing(
    parser: &mut Parser,
    text: &str,
    old: Option<(&Tree, &[usize])>,
) -> (Tree, Vec<usize>) {
    let repairs = lexical::misquoted(text);
    let mut reread;
    let old_tree = match old {
        Some((tree, old_repairs)) if old_repairs != repairs.as_slice() => {
            // A place repaired in one parse and not in the other reads differently: the parser must not
            // reuse what it made of it.
            reread = tree.clone();
            for &at in old_repairs
                .iter()
                .filter(|at| !repairs.contains(at))
                .chain(repairs.iter().filter(|at| !old_repairs.contains(at)))
            {
                if at < text.len() {
                    let start = point_of(text, at);
                    let end = tree_sitter::Point { row: start.row, column: start.column + 1 };
                    reread.edit(&tree_sitter::InputEdit {
                        start_byte: at,
                        old_end_byte: at + 1,
                        new_end_byte: at + 1,
                        start_position: start,
                        old_end_position: end,
                        new_end_position: end,
                    });
                }
            }
            Some(&reread)
        }
        Some((tree, _)) => Some(tree),
        None => None,
    };
    if repairs.is_empty() {
        return (run_parser(parser, text, old_tree), repairs);
    }
    let mut bytes = text.as_bytes().to_vec();
    for &at in &repairs {
        bytes[at] = REPAIR;
    }
    let repaired = String::from_utf8(bytes).expect("an ASCII byte replaced by an ASCII byte");
    (run_parser(parser, &repaired, old_tree), repairs)
}

/// The tree-sitter point (row, byte column) of an offset.
fn point_of(text: &str, at: usize) -> tree_sitter::Point {
    let before = &text.as_bytes()[..at];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = at - before.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
    tree_sitter::Point { row, column }
}

thread_local! {
    /// How far the last parse on this thread had read when it reported its progress last (for a parse
    /// stopped by a deadline: where to give the rest of the text up, [`check_bytes`]).
    static PARSED_TO: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// The pace the checker's parse on this thread must keep ([`parse_tree_in_time`]).
    static PACE: std::cell::Cell<Option<Pace>> = const { std::cell::Cell::new(None) };
}

/// Runs tree-sitter, cancellably.
fn run_parser(parser: &mut Parser, text: &str, old_tree: Option<&Tree>) -> Tree {
    let bytes = text.as_bytes();
    // The clock is read every few calls only: once per token would cost several percent of a valid parse.
    let pace = PACE.get();
    let mut calls = 0u32;
    let mut too_slow = false;
    let mut cancelled = |state: &tree_sitter::ParseState| {
        PARSED_TO.set(state.current_byte_offset());
        calls = calls.wrapping_add(1);
        // Only while it reads: at the end of a text of many errors the parser can still spend a while
        // putting the tree together, which the whole parse's budget covers.
        if let Some(pace) = pace.filter(|_| calls % 16 == 0 && state.current_byte_offset() < bytes.len()) {
            too_slow = pace.is_behind(state.current_byte_offset());
        }
        too_slow || crate::cancel::is_cancelled()
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut cancelled);
    let tree =
        parser.parse_with_options(&mut |at, _| bytes.get(at..).unwrap_or_default(), old_tree, Some(options));
    match tree {
        Some(tree) => tree,
        None => {
            // A stopped parse keeps its state for resuming; this parser's next text is another.
            parser.reset();
            if too_slow {
                crate::cancel::stop();
            }
            crate::cancel::checkpoint();
            parser.parse(text, old_tree).expect("a parser with a language and no cancellation returns a tree")
        }
    }
}

/// The syntax diagnostics of a tree over `text`, sorted by position: at most [`MAX_SYNTAX_ERRORS`] and
/// an `M110` that counts the rest.
pub fn diagnose(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = diagnose_unlimited(tree, text);
    limit_errors(&mut diagnostics);
    diagnostics
}

/// Every syntax diagnostic of a tree over `text`, sorted by position, for a caller that puts the
/// diagnostics of several trees together and limits them once ([`limit_errors`]).
pub fn diagnose_unlimited(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    let lexical = lexical::diagnose(tree, text);
    // A token that runs to the end of the file (an unterminated literal or comment) leaves the parser
    // nothing to close what was open; errors from there on are its consequences, not new problems.
    let horizon = lexical.iter().filter(|d| lexical::runs_to_end(d)).map(|d| d.range.start).min();
    // A name holding a character no name may hold (`“Sales”` pasted from a document, a zero-width space
    // after a number) often stands where the grammar expects something else: a syntax error touching it is
    // the same problem, said less clearly.
    // The lexical diagnostics are in order, so one locator finds all their names, and the names are in
    // order too: whether a syntax error touches one is a binary search.
    let mut locator = locate::Locator::new(tree.root_node());
    let mut misspelt_names: Vec<std::ops::Range<usize>> = lexical
        .iter()
        .filter(|d| d.code == codes::M109)
        .map(|d| locator.descendant(d.range.start, d.range.end).byte_range())
        .collect();
    misspelt_names.dedup();
    let touches_misspelt_name = |range: &std::ops::Range<usize>| {
        let first_not_before = misspelt_names.partition_point(|name| name.end < range.start);
        misspelt_names.get(first_not_before).is_some_and(|name| name.start <= range.end)
    };
    // A literal that lost its closing quote explains the errors after it, and the lexical problems of the
    // literal it swallowed (a GUID read as numbers).
    // (A name right after a closing quote is never M: a text without syntax errors lost no quote.)
    let lost_quotes = if tree.root_node().has_error() { lexical::lost_quotes(text) } else { Vec::new() };
    let mut found = errors::diagnose(tree, text);
    let lexical = if lost_quotes.is_empty() {
        lexical
    } else {
        // Every later quote flips too: a literal unterminated after a lost quote is its consequence.
        let swallowed = |d: &Diagnostic| {
            lost_quotes.iter().any(|(lost, span)| {
                span.contains(&d.range.start) || (lexical::runs_to_end(d) && d.range.start > lost.range.start)
            })
        };
        found.retain(|d| !lost_quotes.iter().any(|(lost, _)| lost.range.start == d.range.start));
        found.extend(lost_quotes.iter().map(|(lost, _)| lost.clone()));
        found.sort_by_key(|d| (d.range.start, d.range.end));
        lexical.into_iter().filter(|d| !swallowed(d)).collect()
    };
    let mut diagnostics: Vec<Diagnostic> = without_consequences(tree, text, found)
        .into_iter()
        .filter(|d| horizon.is_none_or(|horizon| d.range.start < horizon))
        .filter(|d| !touches_misspelt_name(&d.range))
        .collect();
    diagnostics.extend(lexical);
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics
}

/// The syntax errors of `found` (the errors of `tree`, in order) that are not consequences of an earlier
/// one's mistake. tree-sitter's recovery from one mistake (a `=` left out after a binding's name) can leave
/// ERROR nodes further on. In order, the fix of the first diagnostic that has one is applied ([`repair`])
/// and the errors after it are those of the text so fixed, in so far as it has no more of them than
/// before (more means the fix was not what was meant); at most [`PRUNING_ROUNDS`] times.
fn without_consequences(tree: &Tree, text: &str, found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if found.len() > repair::MOST_ERRORS {
        return found;
    }
    let mut kept: Vec<Diagnostic> = Vec::new();
    let mut rest = found;
    let mut applied: Vec<diagnostics::Edit> = Vec::new();
    for _ in 0..PRUNING_ROUNDS {
        let Some(fixed) = rest.iter().position(|d| !d.fixes.is_empty()) else { break };
        // Nothing before it or after it to tell apart, and no fixes to choose from.
        if fixed == 0 && rest.len() == 1 && rest[0].fixes.len() == 1 {
            break;
        }
        // Of the fixes a diagnostic offers (a missing `]`, or a `)` typed for it), the one after which the
        // text has the fewest errors is what was meant; it becomes the first.
        let mut best: Option<(usize, repair::Repaired, Vec<Diagnostic>)> = None;
        for (index, fix) in rest[fixed].fixes.iter().enumerate().take(3) {
            let [edit] = fix.edits.as_slice() else { continue };
            let mut edits = applied.clone();
            edits.push(edit.clone());
            let Some(repaired) = repair::apply(tree, text, edits) else { continue };
            let again = errors::diagnose(&repaired.tree, &repaired.text);
            if best.as_ref().is_none_or(|(_, _, fewest)| again.len() < fewest.len()) {
                best = Some((index, repaired, again));
            }
        }
        let Some((index, repaired, again)) = best else { break };
        rest[fixed].fixes.swap(0, index);
        applied.push(repair::first_edit(&rest[fixed]).expect("the fix just applied has one edit"));
        let fixed_at = rest[fixed].range.start;
        let starts_again: Vec<usize> =
            again.iter().map(|again| repaired.to_original(again.range.start, false)).collect();
        let after: Vec<Diagnostic> = again
            .into_iter()
            .map(|again| {
                let start = repaired.to_original(again.range.start, false);
                // An error found at the same place before keeps its words, measured in the text as written.
                match rest.iter().find(|d| d.range.start == start) {
                    Some(before) => before.clone(),
                    None => repaired.map_diagnostic(again),
                }
            })
            .filter(|d| d.range.start > fixed_at)
            .collect();
        if after.len() > rest.len() - fixed - 1 {
            break;
        }
        // An error before the fixed one that the fix makes disappear was its consequence too (`if c 1 2`
        // reads `1` as unexpected before the `then` is found missing).
        let fixed_diagnostic = rest.remove(fixed);
        kept.extend(rest.drain(..fixed).filter(|before| starts_again.contains(&before.range.start)));
        kept.push(fixed_diagnostic);
        rest = after;
    }
    kept.extend(rest);
    kept
}

/// How many fixes [`without_consequences`] tries, each a reparse.
const PRUNING_ROUNDS: usize = 4;

/// How many syntax errors a file shows at most, as compilers stop after a number of errors (clang's
/// `-ferror-limit`, javac's `-Xmaxerrs`).
pub const MAX_SYNTAX_ERRORS: usize = 100;

/// Keeps the first [`MAX_SYNTAX_ERRORS`] of sorted diagnostics and says, where the next one was, how many
/// more there are (M110). Past a hundred errors the parser's guesses about what was meant are worth little,
/// and a flood (100,000 stray brackets) would cost the editor a 30 MB answer and the terminal minutes.
pub fn limit_errors(diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.len() <= MAX_SYNTAX_ERRORS {
        return;
    }
    let more = diagnostics.len() - MAX_SYNTAX_ERRORS;
    let at = diagnostics[MAX_SYNTAX_ERRORS].range.start;
    diagnostics.truncate(MAX_SYNTAX_ERRORS);
    diagnostics.push(Diagnostic::new(
        codes::M110,
        at..at,
        format!(
            "too many syntax errors: {more} more from here on are not shown; fix the {MAX_SYNTAX_ERRORS} above first"
        ),
    ));
}

/// The result of checking the bytes of an M file.
#[derive(Debug, Clone)]
pub struct CheckedBytes {
    /// The decoded text (invalid UTF-8 bytes replaced by spaces, so offsets match the bytes).
    pub text: String,
    /// The tree, unless the file is binary.
    pub tree: Option<Tree>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the raw bytes of an M file: binary content, invalid UTF-8, then syntax.
pub fn check_bytes(bytes: &[u8]) -> CheckedBytes {
    if text::looks_binary(bytes) {
        let offset = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        let decoded = text::decode(bytes);
        let diagnostic = Diagnostic::new(
            codes::M108,
            0..0,
            format!("this is a binary file (a NUL byte at offset {offset}), not M source text; it was not checked"),
        );
        return CheckedBytes { text: decoded.text, tree: None, diagnostics: vec![diagnostic] };
    }
    let decoded = text::decode(bytes);
    match parse_in_time(&decoded.text) {
        Ok(parse) => {
            let diagnostics = with_encoding_problems(bytes, &decoded, parse.diagnostics);
            CheckedBytes { text: decoded.text, tree: Some(parse.tree), diagnostics }
        }
        Err(diagnostics) => {
            let diagnostics = with_encoding_problems(bytes, &decoded, diagnostics);
            CheckedBytes { text: decoded.text, tree: None, diagnostics }
        }
    }
}

/// How long the checker's parse of a text of `length` bytes may take: ten times what a slow machine takes
/// (a megabyte of valid M parses and is diagnosed in under 100 ms; ten times more in a debug build).
fn parse_budget(length: usize) -> std::time::Duration {
    let per_megabyte = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
    std::time::Duration::from_millis(200)
        + std::time::Duration::from_secs_f64(per_megabyte * length as f64 / 1e6)
}

/// The least pace of the checker's parse: by any moment it must have read as far as ten times a slow
/// machine's pace on valid M would take it (the whole parse's budget, [`parse_budget`], spread over the
/// text). tree-sitter's error recovery is what makes a parse slow (200,000 missing commas read at 0.4 MB/s
/// where valid M reads at 15): such a parse falls behind early and is stopped there, where the whole-text
/// budget would have let it run for a second, for errors past the first hundred that no one reads.
#[derive(Clone, Copy)]
struct Pace {
    start: std::time::Instant,
    /// The seconds any parse may take, however little it has read.
    first: f64,
    seconds_per_byte: f64,
}

impl Pace {
    fn new() -> Pace {
        let slower = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
        Pace { start: std::time::Instant::now(), first: 0.2 * slower, seconds_per_byte: slower / 1e6 }
    }

    fn is_behind(self, read: usize) -> bool {
        let allowed = self.first + self.seconds_per_byte * read as f64;
        self.start.elapsed().as_secs_f64() > allowed
    }
}

/// Beyond this many syntax errors (a hundred times what is shown) the checker reads a file no further: the
/// diagnostics, name analysis and memory of a tree of a million errors cost seconds, for errors no one
/// reads. (Not fewer: a file cut inside a bracket reports the bracket left open, not the errors in it.)
const MOST_ERRORS_READ: usize = 100 * MAX_SYNTAX_ERRORS;

/// Where the syntax error after the first `count` ones of a tree starts, if it has more than `count`:
/// counted as the diagnostics count them, a MISSING node one, an ERROR node one for each token or
/// construct directly in it (a run of a million stray `)` is one ERROR node). A walk of the erroneous
/// parts of the tree only.
fn start_of_error_after(tree: &Tree, count: usize) -> Option<usize> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut seen = 0;
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_missing() {
            if seen == count {
                return Some(node.start_byte());
            }
            seen += 1;
        } else if node.is_error() {
            let mut children = node.walk();
            let mut any = false;
            for child in node.children(&mut children).filter(|child| !child.is_error()) {
                any = true;
                if seen == count {
                    return Some(child.start_byte());
                }
                seen += 1;
            }
            if !any {
                if seen == count {
                    return Some(node.start_byte());
                }
                seen += 1;
            }
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The tree of a full parse of `text`, or `None` when tree-sitter's error recovery cannot finish it in
/// time ([`parse_in_time`]); then [`PARSED_TO`] tells how far it read. For the command line, where a file
/// of tens of thousands of errors in a row must not hold a check or a format for minutes.
pub fn parse_tree_in_time(parser: &mut Parser, text: &str) -> Option<Tree> {
    let token = crate::cancel::current().within(parse_budget(text.len()));
    struct Restore(Option<Pace>);
    impl Drop for Restore {
        fn drop(&mut self) {
            PACE.set(self.0);
        }
    }
    let _restore = Restore(PACE.replace(Some(Pace::new())));
    match crate::cancel::run(&token, || parse_tree(parser, text, None)) {
        Ok(tree) => Some(tree),
        // A cancellation of the computation this runs in goes on to it.
        Err(_) if token.is_cancelled_by_flag() => {
            crate::cancel::checkpoint();
            None
        }
        Err(_) => None,
    }
}

/// The parse of `text` for the checker, or, when its errors are too many to be worth reading (more than a
/// thousand unbalanced brackets, more than [`MOST_ERRORS_READ`] errors, or a parse that falls behind the
/// pace of valid M), the syntax diagnostics of the text up to that point (the rest given up, with an
/// `M110` that says so). tree-sitter recovers from each error by re-reading the error it is in, so a construct
/// with many thousand errors in a row (`[a = , a = , ...]`) costs the square of their number: a megabyte
/// of them took a quarter of an hour. Only the checker gives up: the language server's parse of such a
/// file runs on its own, cancellable, and blocks nothing.
fn parse_in_time(text: &str) -> Result<Parse, Vec<Diagnostic>> {
    // Brackets left open or closing nothing by the thousand: read no further than the thousandth, the
    // errors shown are before it.
    let mut given_up_at = members::after_unbalanced_brackets(text, MOST_ERRORS_READ / 10);
    let mut attempt = match given_up_at {
        Some(at) => std::borrow::Cow::Owned(blank_from(text, at)),
        None => std::borrow::Cow::Borrowed(text),
    };
    for _ in 0..12 {
        // Only tree-sitter's parse has a deadline: the diagnostics of a tree are linear in it.
        match parse_tree_in_time(&mut new_parser(), &attempt) {
            Some(tree) => {
                let Some(at) = given_up_at else {
                    if let Some(at) = start_of_error_after(&tree, MOST_ERRORS_READ) {
                        // Read up to the error past those (where a token starts), the brackets open there
                        // closed, the rest as blank lines.
                        given_up_at = Some(at);
                        attempt = std::borrow::Cow::Owned(closed_from(text, at));
                        continue;
                    }
                    let diagnostics = diagnose(&tree, &attempt);
                    return Ok(Parse { tree, diagnostics });
                };
                let mut diagnostics = diagnose_unlimited(&tree, &attempt);
                diagnostics.retain(|d| d.range.start < at);
                limit_errors(&mut diagnostics);
                let lines = text[at..].lines().count();
                let given_up = format!(
                    "the rest of the file, its last {lines} lines, was not read: its syntax errors are too many"
                );
                match diagnostics.last_mut().filter(|d| d.code == codes::M110) {
                    Some(count) => count.message = format!("{}; {given_up}", count.message),
                    None => diagnostics.push(Diagnostic::new(
                        codes::M110,
                        at..at,
                        format!("too many syntax errors: {given_up}; fix the errors above first"),
                    )),
                }
                return Err(diagnostics);
            }
            None => {
                // Half of what was read in time, cut at a line start, or in a long line after a space or
                // a comma; the brackets open there closed, the rest read as blank lines, so offsets and
                // lines stay the text's.
                let reached = PARSED_TO.get().min(attempt.len());
                let mut at = reached / 2;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
                at = if line_start >= at / 2 {
                    line_start
                } else {
                    text[..at].rfind([' ', ',', ';']).map_or(line_start, |separator| separator + 1)
                };
                given_up_at = Some(at);
                attempt = std::borrow::Cow::Owned(closed_from(text, at));
            }
        }
    }
    Err(vec![Diagnostic::new(
        codes::M110,
        0..0,
        "too many syntax errors to read this file in time".to_string(),
    )])
}

/// `text` cut at `at` as [`blank_from`] does, but with the brackets open there closed first: the errors
/// inside a bracket the cut leaves open would read as consequences of that bracket (one "expected `}`"
/// for a list of 200,000 items missing their commas). What the closing brackets do at the cut is not
/// reported: nothing from `at` on is.
fn closed_from(text: &str, at: usize) -> String {
    let closers = members::closers_at(text, at);
    let mut cut = blank_from(text, at);
    // The closers replace blanks, so offsets stay the text's; a line break among those blanks is lost,
    // after the cut, where nothing is reported.
    let end = (at + closers.len()).min(cut.len());
    cut.replace_range(at..end, &closers[..end - at]);
    cut
}

/// `text` with everything from `at` on blanked (spaces, its line breaks kept), so that offsets and lines
/// stay the text's.
fn blank_from(text: &str, at: usize) -> String {
    let blank: String = text[at..].bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }).collect();
    format!("{}{blank}", &text[..at])
}

/// The syntax diagnostics of `decoded` (the decoding of `bytes`) with its invalid UTF-8 reported (`M100`)
/// and the syntax errors that are its consequences left out, sorted by position.
pub fn with_encoding_problems(
    bytes: &[u8],
    decoded: &text::Decoded,
    mut diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    // Invalid bytes read as spaces, so an operand or name made of them is "missing": that is the same
    // problem, already reported once as invalid UTF-8.
    let consequence_windows = consequence_windows(&decoded.text, &decoded.invalid);
    // The windows are in order, their starts and their ends both: the last one starting at or before an
    // offset is the only one that can hold it.
    let in_window = |offset: usize| {
        let count = consequence_windows.partition_point(|w| w.start <= offset);
        count.checked_sub(1).is_some_and(|last| consequence_windows[last].contains(&offset))
    };
    diagnostics.retain(|d| !(matches!(d.code.id, "M101" | "M102") && in_window(d.range.start)));
    for range in &decoded.invalid {
        let shown: Vec<String> = bytes[range.clone()].iter().take(4).map(|b| format!("0x{b:02X}")).collect();
        let more = if range.len() > 4 { " ..." } else { "" };
        diagnostics.push(Diagnostic::new(
            codes::M100,
            range.clone(),
            format!(
                "invalid UTF-8: {} byte{} ({}{more}) at offset {}; the rest of the file was checked",
                range.len(),
                if range.len() == 1 { "" } else { "s" },
                shown.join(" "),
                range.start
            ),
        ));
    }
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics
}

/// For each invalid range (in order) of a decoded text, where a syntax error is its consequence: from the
/// end of the last non-space before it to just past the first non-space after it. One pass over the text:
/// the spaces between many invalid ranges are read once, not once for each range.
fn consequence_windows(text: &str, invalid: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let mut windows = Vec::with_capacity(invalid.len());
    // The end of the last non-space character before `scanned_to`.
    let (mut scanned_to, mut solid_end) = (0, 0);
    // The first non-space character at or after the last range's end (or the end of the text).
    let mut next_solid = 0;
    for range in invalid {
        let from = scanned_to.min(range.start);
        for (at, c) in text[from..range.start].char_indices() {
            if !c.is_whitespace() {
                solid_end = from + at + c.len_utf8();
            }
        }
        scanned_to = range.start;
        if next_solid < range.end {
            next_solid = text[range.end..]
                .char_indices()
                .find(|(_, c)| !c.is_whitespace())
                .map_or(text.len(), |(at, _)| range.end + at);
        }
        windows.push(solid_end..next_solid + 1);
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The windows are those of the plain definition, trimming around each range on its own.
    #[test]
    fn consequence_windows_match_their_definition() {
        let bytes = b"a \xff b\xfe\xfd  \xff \xff\xff  \xffc  \xff";
        let decoded = text::decode(bytes);
        let plain: Vec<std::ops::Range<usize>> = decoded
            .invalid
            .iter()
            .map(|range| {
                let before = decoded.text[..range.start].trim_end().len();
                let after = decoded.text.len() - decoded.text[range.end..].trim_start().len();
                before..after + 1
            })
            .collect();
        assert_eq!(consequence_windows(&decoded.text, &decoded.invalid), plain);
    }

    #[test]
    fn many_invalid_bytes_between_spaces_are_checked_in_linear_time() {
        let bytes = b"\xff ".repeat(500_000);
        let checked = check_bytes(&bytes);
        assert_eq!(checked.diagnostics.iter().filter(|d| d.code == codes::M100).count(), 500_000);
    }
}
