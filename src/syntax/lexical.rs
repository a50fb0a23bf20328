//! Lexical diagnostics: tokens the grammar accepts whole but M does not.
//!
//! The grammar deliberately lexes an unterminated text literal, quoted identifier, verbatim literal or
//! block comment as one token running to the end of the file, a malformed number (`1e`, `0xZZ`,
//! `12abc`) as one number token, and any character that is neither ASCII punctuation nor whitespace as
//! part of a name (`a→b`, `“hi”`), so that a single bad token never derails the parse. This pass finds
//! those tokens, checks the `#(...)` escapes inside text and quoted identifiers, and says precisely what
//! is wrong.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::chars;
use super::locate::Locator;
use super::names::{m_name, m_text};
use crate::diagnostics::{codes, Diagnostic, Edit, Fix};

/// The lexical diagnostics of every token of the tree.
///
/// Visiting every token of a large file costs more than parsing it, so the text is searched instead for
/// the few places a lexical problem can be, and only those tokens are looked up in the tree:
/// - an unterminated text literal, quoted identifier, verbatim literal or block comment runs to the end of
///   the file by construction of its token, so only the last token can be one;
/// - an escape problem needs a `#(`, so only tokens holding one are checked;
/// - a malformed number is found by lexing each number-looking run of the text the way the grammar does
///   and checking the rare ones that are not well formed;
/// - a name can only hold a wrong character if it holds a non-ASCII one that cannot start a name, so only
///   names holding one are checked.
///
/// `diagnose_every_token` is the plain walk that this must agree with; a test holds them together.
pub(super) fn diagnose(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    let root = tree.root_node();
    let mut diagnostics = Vec::new();
    // The last token, which may be unterminated.
    if let Some(last) = text.char_indices().next_back().map(|(at, _)| at) {
        if let Some(node) = root.descendant_for_byte_range(last, last + 1).filter(|n| n.child_count() == 0) {
            check_token(node, text, &mut diagnostics);
        }
    }
    // Tokens holding an escape. The lookups come in the order of the text, so one locator answers them all
    // for the size of the tree, however deep (a lookup from the root each time would cost its depth).
    let mut locator = Locator::new(root);
    let bytes = text.as_bytes();
    let mut from = 0;
    let mut last_checked = None;
    while let Some(found) = find_escape_start(&bytes[from..]) {
        let at = from + found;
        if let Some(node) = Some(locator.descendant(at, at + 1)).filter(|n| n.child_count() == 0) {
            // Escapes of one token come one after another: it is checked once.
            if last_checked != Some(node.start_byte()) {
                last_checked = Some(node.start_byte());
                check_token(node, text, &mut diagnostics);
            }
        }
        from = at + 2;
    }
    // Number tokens that are not well formed. Text literals, quoted identifiers and comments hold no
    // number tokens and are skipped whole: base64 blobs and native queries are full of digit runs.
    // A quote the parse read as repaired (`misquoted`) is no quote in the tree: the search goes on in
    // step with it.
    let repaired = misquoted(text);
    let mut locator = Locator::new(root);
    let mut at = 0;
    let mut number_end = usize::MAX;
    while at < bytes.len() {
        // Straight to the next byte that can start a number, a text or a comment.
        match bytes[at..].iter().position(|&b| INTERESTING[usize::from(b)]) {
            Some(skip) => at += skip,
            None => break,
        }
        match (bytes[at], bytes.get(at + 1)) {
            (b'"', _) if repaired.binary_search(&at).is_ok() => {
                at += 1;
                continue;
            }
            (b'"', _) => {
                at = quoted_end(bytes, at + 1);
                continue;
            }
            (b'/', Some(b'/')) => {
                at += text[at..]
                    .find(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
                    .unwrap_or(text.len() - at);
                continue;
            }
            (b'/', Some(b'*')) => {
                at = text[at + 2..].find("*/").map_or(text.len(), |end| at + 2 + end + 2);
                continue;
            }
            (lead, _) if lead >= 0xC0 => {
                let c = text[at..].chars().next().expect("a UTF-8 lead byte starts a character");
                // Letters are the common case (`Größe`) and can be anywhere in a name; any other character
                // may be wrong where it stands, which only the name it is part of can tell.
                let mut next = at + c.len_utf8();
                if !chars::is_identifier_start(c) && !chars::is_whitespace(c) {
                    let name = locator.descendant(at, next);
                    if name.kind() == "identifier" {
                        check_token(name, text, &mut diagnostics);
                        // The whole name is checked: its other characters need no lookup (a megabyte of
                        // symbols without a space is one name, not a quarter of a million lookups).
                        next = next.max(name.end_byte());
                    }
                }
                at = next;
                continue;
            }
            _ => {}
        }
        // Right after a number token a new token starts, whatever character ended the number. A `.5` may
        // follow a name (`a.5` is `a` and `.5`) or be part of a field name (`[a.5e]`): only the tree can
        // tell, so it is always a candidate.
        let starts_number = (bytes[at].is_ascii_digit() && (at == number_end || !continues_name(text, at)))
            || (bytes[at] == b'.'
                && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
                && !text[..at].ends_with('.'));
        if !starts_number {
            at += 1;
            continue;
        }
        let length = lenient_number_length(&bytes[at..]);
        number_end = at + length;
        if number_problem(&text[at..at + length]).is_some() {
            let node = locator.descendant(at, at + 1);
            if node.kind() == "number_literal" && node.start_byte() == at {
                check_token(node, text, &mut diagnostics);
            }
        }
        at += length.max(1);
    }
    // The last token may also be a number or hold an escape: it was then checked twice.
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics.dedup();
    diagnostics
}

/// The bytes the search stops at: digits and `.` (numbers), `"` (quoted tokens), `/` (comments), and the
/// first byte of each non-ASCII character (names).
const INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let mut lead = 0xC0;
    while lead <= 0xFF {
        table[lead] = true;
        lead += 1;
    }
    let mut digit = b'0';
    while digit <= b'9' {
        table[digit as usize] = true;
        digit += 1;
    }
    table[b'.' as usize] = true;
    table[b'"' as usize] = true;
    table[b'/' as usize] = true;
    table
};

/// The end of a quoted token whose body starts at `from` (after its `"`): after the closing `"`, `""` being
/// an escaped quote; the end of the text when it is unterminated, as the grammar lexes it.
fn quoted_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(found) = bytes[at..].iter().position(|&b| b == b'"') {
        at += found + 1;
        if bytes.get(at) != Some(&b'"') {
            return at;
        }
        at += 1;
    }
    bytes.len()
}

/// The opening quotes of the text literals and quoted identifiers that swallowed code: a quoted token
/// that runs across lines and whose closing quote is followed at once by a name or a number
/// (`"...⏎...Schema = "dbo`). M never writes a name right after a closing quote, but that is what a quote
/// left out or typed too many shifts every later literal into: the text of one literal becomes code and
/// the code up to the next quote becomes text, to the end of the file. The parser's error recovery over
/// such a file costs the square of its length; parsing it with these quotes taken out (see
/// [`super::parse_tree`]) costs what a parse costs, and keeps the rest of the file what it was.
///
/// The search lexes the text as the grammar does (comments and quoted tokens), and after a quote it
/// reports goes on as if that quote were not there.
pub(super) fn misquoted(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for_each_quoted(text, |at, end| {
        let closed = end <= bytes.len() && end > at + 1 && bytes[end - 1] == b'"';
        let multiline = bytes[at..end].contains(&b'\n');
        let name_follows = bytes.get(end).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
        if closed && multiline && name_follows {
            found.push(at);
            at + 1
        } else {
            end
        }
    });
    found
}

/// Walks the quoted tokens of `text` as the grammar lexes them, comments skipped: `visit(at, end)` gets each
/// token opening at `at` and ending at `end` ([`quoted_end`]) and returns where the walk goes on, after `at`
/// (past the token, or inside it to take its quote as not there).
fn for_each_quoted(text: &str, mut visit: impl FnMut(usize, usize) -> usize) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at..].iter().position(|&b| matches!(b, b'"' | b'/')) {
            Some(skip) => at += skip,
            None => break,
        }
        match (bytes[at], bytes.get(at + 1)) {
            (b'"', _) => {
                let end = quoted_end(bytes, at + 1);
                at = visit(at, end).max(at + 1);
            }
            (b'/', Some(b'/')) => {
                at += text[at..]
                    .find(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
                    .unwrap_or(text.len() - at);
            }
            (b'/', Some(b'*')) => {
                at = text[at + 2..].find("*/").map_or(text.len(), |end| at + 2 + end + 2);
            }
            _ => at += 1,
        }
    }
}

/// Quoted tokens that lost their closing quote: a text literal or quoted name whose closing quote, as the
/// text is written, is followed by a name or a number (`"Region, "Segment"`, the `"` after `Region` left
/// out; `"one else x & " rows"`). M never writes a name right after a closing quote; a quote left out makes the
/// literal run on to the next literal's opening quote and flips every later literal between text and code.
/// Each is an `M103` at the opening quote, with fixes that write the lost quote where it most likely was:
/// before the first `,`, `)`, `]`, `}` or `;` in the literal, or at its first space (the checker keeps the
/// one after which the text parses best). Returns each diagnostic and the span whose lexical problems are
/// its consequences: to the end of the literal that really follows. The scan lexes as the grammar does
/// (comments and quoted tokens), and after a lost quote goes on from the quote that closed it as written,
/// which opens the next literal.
pub(super) fn lost_quotes(text: &str) -> Vec<(Diagnostic, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for_each_quoted(text, |at, end| {
        let closed = end <= bytes.len() && end > at + 1 && bytes[end - 1] == b'"';
        let rest = &text[end.min(text.len())..];
        let name_at_once = rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        let verbatim = text[..at].ends_with("#!");
        let body = if closed { &text[at + 1..end - 1] } else { "" };
        // After spaces a name more often follows a value whose `,` or `=` was left out (`"a" b`,
        // `#"Step" Table.AddColumn(...)`): only a text that swallowed code (a `,` or a bracket in
        // it) lost its quote there.
        let spaced = !name_at_once
            && name_after(rest)
            && !text[..at].ends_with('#')
            && body.contains([',', ')', ']', '}', ';']);
        let candidates = if closed && (name_at_once || spaced) && !verbatim {
            lost_quote_places(body, at + 1)
        } else {
            Vec::new()
        };
        if candidates.is_empty() {
            return end;
        }
        let next = text[end..].trim_start_matches([' ', '\t']);
        let name: String = next.chars().take_while(|c| c.is_alphanumeric() || *c == '_').take(24).collect();
        let message = format!(
            "this text seems to have lost its closing `\"`: as written it runs on to the `\"` before `{name}` \
             (a name never follows a closing quote)"
        );
        let mut diagnostic = Diagnostic::new(codes::M103, at..at + 1, message);
        for place in candidates {
            let edit = Edit { range: place..place, new_text: "\"".to_string() };
            let shown: String = text[at..place].chars().take(24).collect();
            diagnostic
                .fixes
                .push(Fix { title: format!("close the text after `{shown}`"), edits: vec![edit] });
        }
        // The quote that closed it as written opens the literal that really follows.
        let swallowed_to = quoted_end(bytes, end);
        found.push((diagnostic, at..swallowed_to));
        end - 1
    });
    found
}

/// Whether `rest`, what follows a closing quote, starts with a name or a number after spaces on its line:
/// never M, but for the keywords that may follow a value (`"a" and b`).
fn name_after(rest: &str) -> bool {
    let spaced = rest.trim_start_matches([' ', '\t']);
    let length =
        spaced.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(spaced.len());
    let word = &spaced[..length];
    const FOLLOW_VALUES: [&str; 10] =
        ["and", "or", "as", "is", "meta", "then", "else", "in", "otherwise", "catch"];
    !word.is_empty() && !FOLLOW_VALUES.contains(&word)
}

/// Where the closing quote of a literal whose body is `body` (starting at offset `start`) most likely was:
/// before each of the first two of `,`, `)`, `]`, `}`, `;`, and at the first space or line break, in
/// order; at most three places.
fn lost_quote_places(body: &str, start: usize) -> Vec<usize> {
    let mut places: Vec<usize> = body
        .char_indices()
        .filter(|(_, c)| matches!(c, ',' | ')' | ']' | '}' | ';'))
        .map(|(at, _)| start + at)
        .take(2)
        .collect();
    if let Some(space) = body.find(|c: char| c.is_whitespace()).filter(|&space| space > 0) {
        places.push(start + space);
    }
    places.sort_unstable();
    places.dedup();
    places.truncate(3);
    places
}

/// The offset of the next `#(` in `bytes`.
fn find_escape_start(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = bytes[from..].iter().position(|&b| b == b'#') {
        let at = from + found;
        if bytes.get(at + 1) == Some(&b'(') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Whether the character before `at` continues a name (or a number), so that digits at `at` are part of
/// that token rather than the start of a number. `..` (a list range) is the exception: it ends a token.
fn continues_name(text: &str, at: usize) -> bool {
    let Some(previous) = text[..at].chars().next_back() else { return false };
    if previous == '.' {
        return !text[..at - 1].ends_with('.');
    }
    // The grammar lexes every non-ASCII character but whitespace as part of a name.
    previous.is_ascii_alphanumeric()
        || previous == '_'
        || (!previous.is_ascii() && !chars::is_whitespace(previous))
}

/// The length of the number token the grammar lexes at the start of `bytes` (see `number_literal` in
/// grammar.js): `0x` and word characters, or digits, an optional fraction, an optional exponent start,
/// then word characters.
fn lenient_number_length(bytes: &[u8]) -> usize {
    let word = |from: usize| {
        from + bytes[from..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count()
    };
    if bytes.len() >= 2 && bytes[0] == b'0' && (bytes[1] == b'x' || bytes[1] == b'X') {
        return word(2);
    }
    let digits = |from: usize| from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut at = digits(0);
    if at < bytes.len() && bytes[at] == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
        at = digits(at + 1);
    }
    if at < bytes.len() && (bytes[at] == b'e' || bytes[at] == b'E') {
        at += 1;
        if at < bytes.len() && (bytes[at] == b'+' || bytes[at] == b'-') {
            at += 1;
        }
    }
    word(at)
}

/// The lexical diagnostics found by visiting every token: the reference for [`diagnose`].
#[cfg(test)]
pub(super) fn diagnose_every_token(tree: &Tree, text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.child_count() == 0 {
            check_token(node, text, &mut diagnostics);
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
                return diagnostics;
            }
        }
    }
}

/// Whether a diagnostic is about a token that runs to the end of the file.
pub(super) fn runs_to_end(diagnostic: &Diagnostic) -> bool {
    [codes::M103, codes::M104, codes::M105].contains(&diagnostic.code)
}

fn check_token(node: Node, text: &str, diagnostics: &mut Vec<Diagnostic>) {
    let range = node.byte_range();
    let Some(token) = text.get(range.clone()) else {
        return;
    };
    match node.kind() {
        "text_literal" => check_quoted(token, range.start, 1, Quoted::Text, diagnostics),
        "quoted_identifier" => check_quoted(token, range.start, 2, Quoted::Identifier, diagnostics),
        "verbatim_literal" => check_quoted(token, range.start, 3, Quoted::Verbatim, diagnostics),
        "comment" if token.starts_with("/*") && (token.len() < 4 || !token.ends_with("*/")) => {
            diagnostics.push(
                Diagnostic::new(
                    codes::M105,
                    first_line(token, range.start),
                    "unterminated block comment: `/*` has no closing `*/`",
                )
                .with_related(range.end..range.end, "the comment runs to the end of the file"),
            );
        }
        "identifier" if !token.is_ascii() => {
            if let Some((at, c)) = chars::invalid_identifier_char(token) {
                diagnostics.push(invalid_name_character(text, token, range.start, at, c));
            }
        }
        "number_literal" => {
            if let Some(problem) = number_problem(token) {
                diagnostics.push(Diagnostic::new(
                    codes::M107,
                    range,
                    format!("invalid number literal `{token}`: {problem}"),
                ));
            }
        }
        _ => {}
    }
}

/// The diagnostic for character `c` at offset `at` of the name `token` (which starts at `start` in `text`),
/// with a fix: straight quotes for text written between typographic ones (`“Sales Orders”`, which may span
/// several names), else the name quoted.
fn invalid_name_character(text: &str, token: &str, start: usize, at: usize, c: char) -> Diagnostic {
    let range = start + at..start + at + c.len_utf8();
    let (message, fix) = if chars::is_invisible(c) {
        let shown = format!("U+{:04X}", u32::from(c));
        let edit = Edit { range: range.clone(), new_text: String::new() };
        (
            format!("unexpected invisible character {shown}; delete it"),
            Some(Fix { title: format!("delete {shown}"), edits: vec![edit] }),
        )
    } else if ('\u{2018}'..='\u{201F}').contains(&c) {
        let message = format!("`{c}` is a typographic quote: M text is written between straight quotes `\"`");
        (message, typographic_text(text, range.start, c))
    } else {
        let character = if chars::is_identifier_part(c) {
            format!("`{c}` (U+{:04X}) cannot start a name, nor a part of one after a `.`", u32::from(c))
        } else {
            format!("`{c}` (U+{:04X}) cannot be part of a name", u32::from(c))
        };
        if token.len() == c.len_utf8() {
            (character, None)
        } else {
            let quoted = m_name(token);
            let message = format!("{character}; written as `{quoted}`, the name can hold it");
            let edit = Edit { range: start..start + token.len(), new_text: quoted.clone() };
            (message, Some(Fix { title: format!("quote the name as `{quoted}`"), edits: vec![edit] }))
        }
    };
    let mut diagnostic = Diagnostic::new(codes::M109, range, message);
    diagnostic.fixes.extend(fix);
    diagnostic
}

/// For an opening typographic double quote at `open`: the fix that makes a text literal of it and its
/// closing quote on the same line (`“Sales Orders”` → `"Sales Orders"`).
fn typographic_text(text: &str, open: usize, quote: char) -> Option<Fix> {
    if !matches!(quote, '“' | '„' | '‟') {
        return None;
    }
    requoted_text(text, open..open + quote.len_utf8(), &['”', '“', '‟'])
}

/// Text written between quotes M does not read (`“Sales”`, `'Sales'`): the fix that makes a text literal
/// of the opening quote at `open`, the closing one (any of `closing`) later on its line and what is between,
/// written as M writes text. `None` when the line has no closing quote.
pub(super) fn requoted_text(text: &str, open: Range<usize>, closing: &[char]) -> Option<Fix> {
    let body_start = open.end;
    // The search stops at the first closing quote or line end, not at the line end: on a long line with
    // many quotes, each search reads only to the next one.
    let (close, quote) = text[body_start..]
        .char_indices()
        .find(|(_, c)| closing.contains(c) || matches!(c, '\n' | '\r'))
        .filter(|(_, c)| closing.contains(c))?;
    let close = body_start + close;
    let literal = m_text(&text[body_start..close]);
    let edit = Edit { range: open.start..close + quote.len_utf8(), new_text: literal.clone() };
    Some(Fix { title: format!("replace with the text `{literal}`"), edits: vec![edit] })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoted {
    Text,
    Identifier,
    Verbatim,
}

/// The range of a token's first line: where an unterminated token is shown.
fn first_line(token: &str, start: usize) -> Range<usize> {
    let end = token.find(['\r', '\n']).unwrap_or(token.len());
    start..start + end
}

/// Checks a quoted token (`"..."`, `#"..."`, `#!"..."`): closing quote and, except for verbatim literals,
/// escapes. `prefix` is the length of the opening delimiter.
fn check_quoted(token: &str, start: usize, prefix: usize, quoted: Quoted, diagnostics: &mut Vec<Diagnostic>) {
    let bytes = token.as_bytes();
    let mut i = prefix;
    let mut closed = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes.get(i + 1) == Some(&b'"') => i += 2,
            b'"' => {
                closed = true;
                i += 1;
            }
            b'#' if quoted != Quoted::Verbatim && bytes.get(i + 1) == Some(&b'(') => {
                let length = escape_length(&token[i..]);
                if let Err(problem) = check_escape(&token[i..i + length]) {
                    diagnostics.push(Diagnostic::new(codes::M106, start + i..start + i + length, problem));
                }
                i += length;
            }
            _ => i += 1,
        }
    }
    if !closed {
        let (code, what) = match quoted {
            Quoted::Text => (codes::M103, "text literal"),
            Quoted::Verbatim => (codes::M103, "verbatim literal"),
            Quoted::Identifier => (codes::M104, "quoted identifier"),
        };
        let end = start + token.len();
        diagnostics.push(
            Diagnostic::new(
                code,
                first_line(token, start),
                format!("unterminated {what}: the closing `\"` is missing"),
            )
            .with_related(end..end, format!("the {what} runs to the end of the file")),
        );
    }
}

/// The length of an escape starting with `#(`: through its `)`, or up to the end of its line (or of the
/// quoted token, whose closing quote is never part of an escape) when there is none.
fn escape_length(rest: &str) -> usize {
    for (i, c) in rest.char_indices().skip(2) {
        match c {
            ')' => return i + 1,
            '"' | '\r' | '\n' => return i,
            _ => {}
        }
    }
    rest.len()
}

/// Checks one escape sequence `#(esc, esc, ...)`: each `esc` is `cr`, `lf`, `tab`, `#`, or 4 or 8 hex
/// digits naming a Unicode scalar value.
fn check_escape(escape: &str) -> Result<(), String> {
    let Some(inner) = escape.strip_prefix("#(").and_then(|rest| rest.strip_suffix(')')) else {
        return Err(format!(
            "invalid escape `{escape}`: `#(` must be closed by `)` (write `#(#)(` for a literal `#(`)"
        ));
    };
    if inner.is_empty() {
        return Err(
            "invalid escape `#()`: it names no character (use `cr`, `lf`, `tab`, `#` or hex digits)".into()
        );
    }
    for part in inner.split(',') {
        let valid = match part {
            "cr" | "lf" | "tab" | "#" => true,
            hex if (hex.len() == 4 || hex.len() == 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).is_some()
            }
            _ => false,
        };
        if !valid {
            return Err(format!(
                "invalid escape `{escape}`: `{part}` is not `cr`, `lf`, `tab`, `#`, or 4 or 8 hex digits of a Unicode character"
            ));
        }
    }
    Ok(())
}

/// What is wrong with a number token, if anything. Valid forms: `0x` hex digits, or decimal digits with
/// an optional fraction and exponent, or a fraction alone (`.5`).
fn number_problem(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'0' && (bytes[1] == b'x' || bytes[1] == b'X') {
        let digits = &token[2..];
        if digits.is_empty() {
            return Some("`0x` must be followed by hexadecimal digits".into());
        }
        return digits
            .chars()
            .find(|c| !c.is_ascii_hexdigit())
            .map(|c| format!("`{c}` is not a hexadecimal digit"));
    }
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    digits(&mut i);
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        digits(&mut i);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let exponent_start = i;
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return Some(format!(
                "the exponent `{}` has no digits",
                &token[exponent_start..i.min(token.len())]
            ));
        }
    }
    if i < bytes.len() {
        return Some(format!(
            "`{}` cannot follow the number (a name cannot start with a digit)",
            &token[i..]
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The search-based pass finds exactly what visiting every token finds.
    #[test]
    fn searching_agrees_with_visiting_every_token() {
        let mut texts: Vec<String> = [
            "\"unterminated",
            "#\"unterminated",
            "#!\"unterminated",
            "/* unterminated",
            "/* a */ 1 /*",
            "{1..10abc, 1e, 0x, 0xZZ, .5e, 12abc, x1e, Int64.Type, a.5, \u{a0}1e, é1e}",
            "\"#(cr,xx) #(0041) #(lf\" & #\"a #(tab) #(bad)\" & #!\"#(bad)\" // #(bad)",
            "[Column 1e = 1, 2abc = 2]",
            "\"1e\" & \"#(\"",
            "section S; shared A = \"x",
            "\"12abc\" & 12abc // 1e\n 1e /* 0xZZ */ 0xZZ \"a\"\"1e\"\" & 2e #\"3e\" #!\"4e\" 5e",
            "// 1e\u{2028}1e /* 2e",
            // A number right after a number or a name: `1e` then `.51e`; `a` then `.51e`.
            "1e.51e",
            "a.51e \"",
            "\"\"\"\" 1e \"\" 2e \"",
            // Names holding characters a name cannot: alone, inside, after a dot, after a number.
            "a→c + → + “hi” + Größe + a.\u{301}b + a\u{301}b + 12→ + é\u{FEFF}1e + [a→b] + #\"a→b\" + ٣x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for dir in ["ok", "err"] {
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax").join(dir);
            for entry in std::fs::read_dir(dir).unwrap() {
                texts.push(
                    String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap()).into_owned(),
                );
            }
        }
        // Each text also with every prefix cut at a few points, which leaves tokens unterminated.
        let mut all = Vec::new();
        for text in &texts {
            all.push(text.clone());
            for cut in [text.len() / 3, text.len() / 2, text.len() * 2 / 3] {
                all.push(text[..crate::text::floor_char_boundary(text, cut)].to_string());
            }
        }
        // Random soups of the tokens that matter: quotes, comments, numbers, names.
        let pieces = [
            "\"", "\"\"", "#\"", "#!\"", "//", "/*", "*/", "\n", " ", "1e", "0xZZ", "12", ".5", "a", "#(",
            "x)", "[", "]", "\u{2028}", "é", "→", "\u{301}", "\u{FEFF}", "“", ".", "٣",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            all.push(text);
        }
        for text in all {
            let tree = crate::syntax::parse_tree(&mut crate::syntax::new_parser(), &text, None);
            assert_eq!(diagnose(&tree, &text), diagnose_every_token(&tree, &text), "{text:?}");
        }
    }

    #[test]
    fn quotes_that_swallowed_code_are_found_and_text_across_lines_is_not() {
        // Text across lines that is text: a native query, a literal before a comma or an operator.
        let valid = "let\n    q = Value.NativeQuery(db, \"SELECT a,\n  b = 1 FROM t\", null),\n    \
                     t = \"two\nlines\" & \"x\"\nin\n    q";
        assert_eq!(misquoted(valid), Vec::<usize>::new());
        assert!(super::super::parse(valid).diagnostics.is_empty());
        // A quote typed into `"sql-1.contoso.com"`: every later literal flips. The first literal that
        // runs across lines and ends right before a name is found, and the search goes on in step.
        let flipped = "let\n    A = Sql.Database(\"sql-1.\"contoso.com\", \"Sales\"),\n    \
                       B = A{[Schema = \"dbo\", Item = \"Orders\"]}[Data]\nin\n    B";
        let found = misquoted(flipped);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&flipped[found[0]..found[0] + 11], "\"),\n    B =");
        // Comments are lexed as the grammar does: a quote inside one is not a quote.
        assert_eq!(misquoted("// it's \"quoted\n\"x\"y"), Vec::<usize>::new());
    }

    #[test]
    fn numbers() {
        for valid in ["0", "12", "1.5", ".5", "1e10", "1.5E-3", "2e+4", "0xFF", "0Xab"] {
            assert_eq!(number_problem(valid), None, "{valid}");
        }
        for invalid in ["1e", "1e+", "0x", "0xZZ", "12abc", "1.5x"] {
            assert!(number_problem(invalid).is_some(), "{invalid}");
        }
    }

    #[test]
    fn escapes() {
        for valid in ["#(cr)", "#(cr,lf)", "#(tab)", "#(#)", "#(0041)", "#(0001F600)", "#(cr,0041,#)"] {
            assert_eq!(check_escape(valid), Ok(()), "{valid}");
        }
        for invalid in ["#()", "#(foo)", "#(041)", "#(D800)", "#(cr", "#(cr,)", "#(110000AA)"] {
            assert!(check_escape(invalid).is_err(), "{invalid}");
        }
    }
}
