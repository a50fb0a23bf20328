//! The M formatter: the same document, laid out in Fabric's style and fitted to a line width.
//!
//! [`format()`] parses, builds a document of text, groups, indentation and line breaks from the tree
//! (`builder`, `layout`; the model in `doc`), and prints it in the width (`printer`). What it
//! guarantees:
//!
//! - **Nothing but whitespace changes.** Every token is printed byte for byte (`#"quoted names"`, text and
//!   verbatim literals, numbers), in order; every comment is kept, where it was; the line endings are the
//!   file's own (CRLF stays CRLF), a byte-order mark and the presence or absence of a final line break stay.
//!   [`verify`] checks that the tree of the output, comments aside, is the tree of the input; the command
//!   line refuses to write a file when it would not be.
//! - **Broken files are formatted around their errors.** A section member, `let` binding or other subtree
//!   holding a syntax error is printed exactly as it is; the rest of the file is formatted.
//! - **It is stable.** Formatting formatted text changes nothing; a broken file whose layout would not be
//!   stable (error recovery reads whitespace) is left as written ([`format_tree`]).
//! - **It never recurses on the input's depth** (subtrees nested deeper than 150 levels are printed as
//!   they are), and it is pure: text in, text out (the members of a large section are laid out on two
//!   threads). Options and where they come from: [`options`], [`config`]. Formatting the M inside a legacy
//!   `dataflow-content.json`: [`legacy`].
//!
//! A language server formats an open document with [`format_tree`] and the tree it already has, with
//! `config::project_settings(path, &config::RealFs)?.options(Settings::default(), Settings::from_editor(
//! tab_size, insert_spaces))` as the options.
//!
//! May use `syntax`, `json`, `text` (and the legacy item's JSON pointer from `definition`). It reads no
//! file itself: configuration discovery goes through the [`config::ConfigFs`] its caller passes.

mod builder;
pub mod config;
mod doc;
pub mod edits;
mod kinds;
mod layout;
pub mod legacy;
pub mod options;
mod printer;
pub mod proof;
pub mod verify;

use std::fmt;

use tree_sitter::Tree;

pub use options::{Options, Settings};

/// Why a file was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The bytes hold a NUL: a binary file.
    Binary { offset: usize },
    /// The bytes are not UTF-8.
    InvalidUtf8 { offset: usize },
    /// The formatted text would not mean what the input meant: a bug in the formatter, caught before
    /// anything was written.
    ChangedMeaning { detail: String },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Binary { offset } => {
                write!(f, "this is a binary file (a NUL byte at offset {offset}), not M source text")
            }
            FormatError::InvalidUtf8 { offset } => {
                write!(f, "this file is not valid UTF-8 (at byte offset {offset}); it was not formatted")
            }
            FormatError::ChangedMeaning { detail } => write!(
                f,
                "formatting would change the meaning of this file ({detail}); it was left as it is. \
                 This is a bug in dfls: please report it with the file"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats M text.
pub fn format(text: &str, options: &Options) -> String {
    let tree = crate::syntax::parse_tree(&mut crate::syntax::new_parser(), text, None);
    format_tree(text, &tree, options)
}

/// Formats M text whose tree is already at hand.
///
/// A file with syntax errors is formatted only when its layout parses as the file did: the parser's error
/// recovery reads whitespace (a blank line removed before a broken region, a `;` moved up to the line
/// before), so a layout can parse into another tree, which formats differently again and re-lays out what
/// was the broken region. Such a file is left exactly as written, so that formatting twice is formatting
/// once. This costs one more parse, for broken files only (and [`format_checked`] needs that parse anyway).
pub fn format_tree(text: &str, tree: &Tree, options: &Options) -> String {
    format_and_parse(text, tree, options, &mut crate::syntax::new_parser(), false).0
}

/// [`format_tree`], and whether the output is proven to mean what `text` meant without parsing it
/// ([`proof`]: for text without syntax errors, when the formatter only moved whitespace between the
/// input's own tokens and comments). `false` says only that the output must be parsed to know.
pub fn format_tree_proven(text: &str, tree: &Tree, options: &Options) -> (String, bool) {
    if tree.root_node().has_error() {
        return (format_tree(text, tree, options), false);
    }
    format_tree_on(text, tree, options, true, true)
}

/// [`format_tree`], and the tree of its output when it differs from `text` and was parsed: always with
/// `want_tree`, else only for a broken file.
fn format_and_parse(
    text: &str,
    tree: &Tree,
    options: &Options,
    parser: &mut tree_sitter::Parser,
    want_tree: bool,
) -> (String, Option<Tree>) {
    let (formatted, _) = format_tree_on(text, tree, options, true, false);
    let broken = tree.root_node().has_error();
    if formatted == text || !(broken || want_tree) {
        return (formatted, None);
    }
    let reparsed = crate::syntax::parse_tree(parser, &formatted, None);
    if broken && !verify::same_structure(text, tree, &formatted, &reparsed) {
        return (text.to_string(), None);
    }
    (formatted, Some(reparsed))
}

/// [`format_tree`], on one thread unless `parallel`; with `prove`, also whether [`proof`] shows the output
/// equivalent to `text` (else `false`).
fn format_tree_on(text: &str, tree: &Tree, options: &Options, parallel: bool, prove: bool) -> (String, bool) {
    let mut builder = builder::Builder::new(text, tree.root_node());
    builder.parallel = parallel;
    builder.document();
    let layout = printer::Layout {
        indent_width: options.indent_width.max(1),
        use_tabs: options.use_tabs,
        line_width: options.line_width.max(1),
        newline: match builder.crlf.cmp(&builder.lf) {
            std::cmp::Ordering::Greater => "\r\n",
            std::cmp::Ordering::Less => "\n",
            std::cmp::Ordering::Equal => line_ending(text),
        },
    };
    let bom = if text.starts_with(crate::text::BOM) { crate::text::BOM } else { "" };
    let printed = printer::print(&builder.cmds, &layout, text.len() + text.len() / 8);
    let proven = prove && proof::same_up_to_whitespace(text, builder.pieces(), &printed);
    let out = if bom.is_empty() {
        printed
    } else {
        let mut out = String::with_capacity(bom.len() + printed.len());
        out.push_str(bom);
        out.push_str(&printed);
        out
    };
    (out, proven)
}

/// Checked formatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    /// Whether the input has syntax errors, left as they were.
    pub syntax_errors: bool,
}

/// Formats the bytes of an M file, refusing binary files and invalid UTF-8, and checks the result with
/// [`verify::equivalent`] before returning it.
pub fn format_bytes(bytes: &[u8], options: &Options) -> Result<Formatted, FormatError> {
    let text = decode(bytes)?;
    format_checked(text, options)
}

/// Formats M text and checks that the output means what the input meant.
pub fn format_checked(text: &str, options: &Options) -> Result<Formatted, FormatError> {
    let mut parser = crate::syntax::new_parser();
    // A file whose syntax errors are too many to parse in time is left as written, as broken parts are.
    let Some(tree) = crate::syntax::parse_tree_in_time(&mut parser, text) else {
        return Ok(Formatted { text: text.to_string(), syntax_errors: true });
    };
    if !tree.root_node().has_error() {
        // Proven without a second parse when the formatter only moved whitespace ([`proof`]).
        let (formatted, proven) = format_tree_on(text, &tree, options, true, true);
        if formatted != text && !proven {
            let after = crate::syntax::parse_tree(&mut parser, &formatted, None);
            verify::equivalent(text, &tree, &formatted, &after)
                .map_err(|detail| FormatError::ChangedMeaning { detail })?;
        }
        return Ok(Formatted { text: formatted, syntax_errors: false });
    }
    let (formatted, after) = format_and_parse(text, &tree, options, &mut parser, true);
    if let Some(after) = after {
        verify::equivalent(text, &tree, &formatted, &after)
            .map_err(|detail| FormatError::ChangedMeaning { detail })?;
    }
    Ok(Formatted { text: formatted, syntax_errors: tree.root_node().has_error() })
}

/// The text of M bytes, or why they are not M text.
pub fn decode(bytes: &[u8]) -> Result<&str, FormatError> {
    if crate::text::looks_binary(bytes) {
        return Err(FormatError::Binary { offset: bytes.iter().position(|&b| b == 0).unwrap_or(0) });
    }
    std::str::from_utf8(bytes).map_err(|error| FormatError::InvalidUtf8 { offset: error.valid_up_to() })
}

/// The line ending most of the text's line breaks use, LF on a tie. The formatter goes by the line breaks
/// between tokens, and by this only when there are as many CRLF as LF there (none, usually).
pub fn line_ending(text: &str) -> &'static str {
    let bytes = text.as_bytes();
    let (mut crlf, mut lf) = (0usize, 0usize);
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\n' {
            if i > 0 && bytes[i - 1] == b'\r' {
                crlf += 1;
            } else {
                lf += 1;
            }
        }
    }
    if crlf > lf {
        "\r\n"
    } else {
        "\n"
    }
}

#[cfg(test)]
mod tests;
