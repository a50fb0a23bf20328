//! Planting single mistakes in valid M: each kind finds its places in the tree of the unmutated text and
//! makes one mutant per place, the text with that one mistake and where the mistake is.

use std::ops::Range;

use tree_sitter::Node;

/// One kind of mistake people make while editing M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    LetComma,
    ListComma,
    RecordComma,
    ArgumentComma,
    DoubledComma,
    ClosingQuote,
    InLine,
    SwappedBracket,
    ClosingBracket,
    DoubleEquals,
    ForeignOperator,
    MissingEach,
    MissingThen,
    MissingElse,
    MissingEquals,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::LetComma,
        Kind::ListComma,
        Kind::RecordComma,
        Kind::ArgumentComma,
        Kind::DoubledComma,
        Kind::ClosingQuote,
        Kind::InLine,
        Kind::SwappedBracket,
        Kind::ClosingBracket,
        Kind::DoubleEquals,
        Kind::ForeignOperator,
        Kind::MissingEach,
        Kind::MissingThen,
        Kind::MissingElse,
        Kind::MissingEquals,
    ];

    /// How the kind is named in the table.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::LetComma => "`,` dropped between let bindings",
            Kind::ListComma => "`,` dropped between list items",
            Kind::RecordComma => "`,` dropped between record fields",
            Kind::ArgumentComma => "`,` dropped between arguments",
            Kind::DoubledComma => "`,` doubled",
            Kind::ClosingQuote => "closing `\"` of a text dropped",
            Kind::InLine => "`in` (its line) dropped",
            Kind::SwappedBracket => "`]` and `)` swapped",
            Kind::ClosingBracket => "closing `)`, `]` or `}` dropped",
            Kind::DoubleEquals => "`==` written for `=`",
            // `\|` keeps the printed Markdown table one row.
            Kind::ForeignOperator => "`!=`, `&&`, `\\|\\|` written for `<>`, `and`, `or`",
            Kind::MissingEach => "`each` dropped",
            Kind::MissingThen => "`then` dropped",
            Kind::MissingElse => "`else` dropped",
            Kind::MissingEquals => "`=` of a binding dropped",
        }
    }
}

/// A text with one planted mistake.
#[derive(Debug, Clone)]
pub struct Mutant {
    pub kind: Kind,
    pub text: String,
    /// Where the mistake is in `text`: where the dropped text was, or what was written instead starts.
    pub at: usize,
}

/// Every mutant of `text` (valid M), in the order of the text, for every kind.
pub fn mutants(text: &str) -> Vec<Mutant> {
    let parse = dfls::syntax::parse(text);
    assert!(parse.diagnostics.is_empty(), "the corpus is valid M: {:?}", parse.diagnostics);
    let mut found = Vec::new();
    let mut stack = vec![(parse.tree.root_node(), None::<Node>)];
    while let Some((node, parent)) = stack.pop() {
        plant_at(node, parent, text, &mut found);
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev().map(|child| (child, Some(node))));
    }
    found.sort_by_key(|m: &Mutant| (m.kind, m.at));
    found
}

/// The text with `range` replaced by `with`.
fn replaced(text: &str, range: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..range.start], &text[range.end..])
}

/// `range` widened over the spaces after it (dropping a keyword drops its space too).
fn with_spaces_after(text: &str, range: Range<usize>) -> Range<usize> {
    let spaces = text[range.end..].len() - text[range.end..].trim_start_matches(' ').len();
    range.start..range.end + spaces
}

fn plant_at(node: Node, parent: Option<Node>, text: &str, found: &mut Vec<Mutant>) {
    let parent_kind = parent.map_or("", |p| p.kind());
    let range = node.byte_range();
    let mut plant = |kind: Kind, range: Range<usize>, with: &str| {
        found.push(Mutant { kind, text: replaced(text, range.clone(), with), at: range.start });
    };
    match node.kind() {
        "," => {
            let kind = match parent_kind {
                "let_expression" => Some(Kind::LetComma),
                "list_expression" => Some(Kind::ListComma),
                "record_expression" => Some(Kind::RecordComma),
                "argument_list" => Some(Kind::ArgumentComma),
                _ => None,
            };
            if let Some(kind) = kind {
                plant(kind, range.clone(), "");
                found.push(Mutant {
                    kind: Kind::DoubledComma,
                    text: replaced(text, range.clone(), ",,"),
                    at: range.end,
                });
            }
        }
        "text_literal" if !text[range.clone()].contains('\n') && range.len() >= 2 => {
            plant(Kind::ClosingQuote, range.end - 1..range.end, "");
        }
        "in" if parent_kind == "let_expression" => {
            let line_start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
            let line_end = text[range.end..].find('\n').map_or(text.len(), |at| range.end + at + 1);
            if text[line_start..line_end].trim() == "in" {
                plant(Kind::InLine, line_start..line_end, "");
            } else {
                plant(Kind::InLine, with_spaces_after(text, range), "");
            }
        }
        ")" | "]" => {
            let other = if node.kind() == ")" { "]" } else { ")" };
            plant(Kind::SwappedBracket, range.clone(), other);
            plant(Kind::ClosingBracket, range, "");
        }
        "}" => plant(Kind::ClosingBracket, range, ""),
        "=" if parent_kind == "binary_expression" => plant(Kind::DoubleEquals, range, "=="),
        "=" if parent_kind == "binding" => plant(Kind::MissingEquals, range, ""),
        "<>" => plant(Kind::ForeignOperator, range, "!="),
        "and" if parent_kind == "binary_expression" => plant(Kind::ForeignOperator, range, "&&"),
        "or" if parent_kind == "binary_expression" => plant(Kind::ForeignOperator, range, "||"),
        "each" => plant(Kind::MissingEach, with_spaces_after(text, range), ""),
        "then" => plant(Kind::MissingThen, with_spaces_after(text, range), ""),
        "else" => plant(Kind::MissingElse, with_spaces_after(text, range), ""),
        _ => {}
    }
}
