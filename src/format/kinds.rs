//! The node kinds and fields the layouts tell apart, as Rust enums looked up by tree-sitter's numeric ids.
//!
//! `Node::kind` and `TreeCursor::field_name` turn a C string into a `&str` on every call (a `strlen` and a
//! UTF-8 check); the formatter asks for a kind several times a node, so it reads tables built once from
//! the grammar instead, indexed by `kind_id` and `field_id`.

use std::sync::OnceLock;

use tree_sitter::{Node, TreeCursor};

/// A node kind the layouts know; everything else is [`Kind::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    SourceFile,
    Section,
    SectionMember,
    LetExpression,
    Binding,
    RecordField,
    FunctionExpression,
    IfExpression,
    EachExpression,
    BinaryExpression,
    UnaryExpression,
    InvokeExpression,
    ItemAccess,
    FieldAccess,
    Projection,
    ArgumentList,
    ListExpression,
    ParameterList,
    RecordExpression,
    RecordType,
    ImplicitProjection,
    FunctionType,
    ParenthesizedExpression,
    Comment,
    /// A syntax error (tree-sitter's `ERROR`).
    Error,
    // Tokens.
    SectionKeyword,
    Shared,
    Let,
    In,
    If,
    Then,
    Else,
    Not,
    Comma,
    Semicolon,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    OpenBrace,
    CloseBrace,
    At,
    Bang,
    DotDot,
    Question,
    EndOfFile,
    // Binary operators, by precedence (`=` is also the `=` of bindings and fields).
    Coalesce,
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    Greater,
    LessEqual,
    GreaterEqual,
    Plus,
    Minus,
    Ampersand,
    Star,
    Slash,
    Other,
}

/// A field the layouts read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Member,
    Attributes,
    Shared,
    Value,
    Binding,
    Body,
    Consequence,
    Alternative,
    Operator,
    Other,
}

const NAMED: &[(&str, Kind)] = &[
    ("source_file", Kind::SourceFile),
    ("section", Kind::Section),
    ("section_member", Kind::SectionMember),
    ("let_expression", Kind::LetExpression),
    ("binding", Kind::Binding),
    ("record_field", Kind::RecordField),
    ("function_expression", Kind::FunctionExpression),
    ("if_expression", Kind::IfExpression),
    ("each_expression", Kind::EachExpression),
    ("binary_expression", Kind::BinaryExpression),
    ("unary_expression", Kind::UnaryExpression),
    ("invoke_expression", Kind::InvokeExpression),
    ("item_access", Kind::ItemAccess),
    ("field_access", Kind::FieldAccess),
    ("projection", Kind::Projection),
    ("argument_list", Kind::ArgumentList),
    ("list_expression", Kind::ListExpression),
    ("parameter_list", Kind::ParameterList),
    ("record_expression", Kind::RecordExpression),
    ("record_type", Kind::RecordType),
    ("implicit_projection", Kind::ImplicitProjection),
    ("function_type", Kind::FunctionType),
    ("parenthesized_expression", Kind::ParenthesizedExpression),
    ("comment", Kind::Comment),
];

const TOKENS: &[(&str, Kind)] = &[
    ("section", Kind::SectionKeyword),
    ("shared", Kind::Shared),
    ("let", Kind::Let),
    ("in", Kind::In),
    ("if", Kind::If),
    ("then", Kind::Then),
    ("else", Kind::Else),
    ("not", Kind::Not),
    (",", Kind::Comma),
    (";", Kind::Semicolon),
    ("(", Kind::OpenParen),
    (")", Kind::CloseParen),
    ("[", Kind::OpenBracket),
    ("]", Kind::CloseBracket),
    ("{", Kind::OpenBrace),
    ("}", Kind::CloseBrace),
    ("@", Kind::At),
    ("!", Kind::Bang),
    ("..", Kind::DotDot),
    ("?", Kind::Question),
    ("\u{1a}", Kind::EndOfFile),
    ("??", Kind::Coalesce),
    ("or", Kind::Or),
    ("and", Kind::And),
    ("=", Kind::Equal),
    ("<>", Kind::NotEqual),
    ("<", Kind::Less),
    (">", Kind::Greater),
    ("<=", Kind::LessEqual),
    (">=", Kind::GreaterEqual),
    ("+", Kind::Plus),
    ("-", Kind::Minus),
    ("&", Kind::Ampersand),
    ("*", Kind::Star),
    ("/", Kind::Slash),
];

const FIELDS: &[(&str, Field)] = &[
    ("member", Field::Member),
    ("attributes", Field::Attributes),
    ("shared", Field::Shared),
    ("value", Field::Value),
    ("binding", Field::Binding),
    ("body", Field::Body),
    ("consequence", Field::Consequence),
    ("alternative", Field::Alternative),
    ("operator", Field::Operator),
];

struct Tables {
    kinds: Vec<Kind>,
    fields: Vec<Field>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let language = crate::syntax::language();
        let kinds = (0..language.node_kind_count() as u16)
            .map(|id| {
                let name = language.node_kind_for_id(id).unwrap_or("");
                let table = if language.node_kind_is_named(id) { NAMED } else { TOKENS };
                table.iter().find(|(known, _)| *known == name).map_or(Kind::Other, |&(_, kind)| kind)
            })
            .collect();
        let fields = (0..=language.field_count() as u16)
            .map(|id| {
                let name = language.field_name_for_id(id).unwrap_or("");
                FIELDS.iter().find(|(known, _)| *known == name).map_or(Field::Other, |&(_, field)| field)
            })
            .collect();
        Tables { kinds, fields }
    })
}

/// The kind of a node.
pub(super) fn kind(node: Node) -> Kind {
    match node.kind_id() {
        // tree-sitter's `ts_builtin_sym_error`.
        u16::MAX => Kind::Error,
        id => tables().kinds.get(id as usize).copied().unwrap_or(Kind::Other),
    }
}

/// The field of the cursor's node in its parent.
pub(super) fn field(cursor: &TreeCursor) -> Option<Field> {
    let id = cursor.field_id()?;
    Some(tables().fields.get(id.get() as usize).copied().unwrap_or(Field::Other))
}

impl Kind {
    /// The binding strength of a binary operator (higher binds tighter); 0 for anything else.
    pub(super) fn precedence(self) -> u8 {
        match self {
            Kind::Coalesce => 1,
            Kind::Or => 2,
            Kind::And => 3,
            Kind::Equal | Kind::NotEqual => 6,
            Kind::Less | Kind::Greater | Kind::LessEqual | Kind::GreaterEqual => 7,
            Kind::Plus | Kind::Minus | Kind::Ampersand => 8,
            Kind::Star | Kind::Slash => 9,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_is_in_the_grammar() {
        let language = crate::syntax::language();
        for (name, _) in NAMED {
            assert_ne!(language.id_for_node_kind(name, true), 0, "{name}");
        }
        for (name, _) in TOKENS {
            assert_ne!(language.id_for_node_kind(name, false), 0, "{name}");
        }
        for (name, _) in FIELDS {
            assert!(language.field_id_for_name(name).is_some(), "{name}");
        }
        let tree = crate::syntax::parse("section S; shared A = f(1) ?? 2;").tree;
        let member = tree.root_node().child(0).unwrap().child_by_field_name("member").unwrap();
        assert_eq!(kind(member), Kind::SectionMember);
        let mut cursor = member.walk();
        cursor.goto_first_child();
        assert_eq!(kind(cursor.node()), Kind::Shared);
        assert_eq!(field(&cursor), Some(Field::Shared));
        let broken = crate::syntax::parse("section S;\nshared A = 1;;\nshared = 2;").tree;
        let mut cursor = broken.walk();
        cursor.goto_first_child();
        while !cursor.node().is_error() {
            assert!(cursor.goto_next_sibling(), "an error at the top: {}", broken.root_node().to_sexp());
        }
        assert_eq!(kind(cursor.node()), Kind::Error);
    }
}
