//! The expression tree the evaluator walks: the tree-sitter tree of M lowered to compact, shared nodes
//! with byte ranges, names decoded (`#"a""b"` is `a"b`) and literals read.
//!
//! Lowering is recursive but bounded: an expression nested more than [`MAX_DEPTH`] deep is refused with
//! a clear error instead of overflowing the stack (the pure core never recurses without a bound on the
//! input's depth). A text with syntax errors is never guessed at: lowering stops with the first error.

use std::ops::Range;
use std::rc::Rc;

use tree_sitter::Node;

use crate::diagnostics::Severity;
use crate::syntax::names::{decode_name, decode_text};

/// How deep expressions may nest. Real queries nest a few dozen levels; a long `a & b & c & ...` chain
/// nests once per operator.
pub const MAX_DEPTH: usize = 2_000;

/// A problem that stops evaluation before it starts: a syntax error or an expression nested too deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerError {
    pub range: Range<usize>,
    pub message: String,
}

/// An expression and where it is in the text.
#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub range: Range<usize>,
}

pub type ExprRef = Rc<Expr>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Plus,
    Minus,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Concatenate,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
    Coalesce,
}

impl BinaryOp {
    /// The operator as written in M.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Concatenate => "&",
            BinaryOp::Equal => "=",
            BinaryOp::NotEqual => "<>",
            BinaryOp::Less => "<",
            BinaryOp::LessOrEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterOrEqual => ">=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Coalesce => "??",
        }
    }
}

/// An item of a list expression: one value or a range `a..b`.
#[derive(Debug)]
pub enum ListItem {
    Single(ExprRef),
    Range(ExprRef, ExprRef),
}

/// A parameter of a function expression.
#[derive(Debug)]
pub struct Parameter {
    pub name: Rc<str>,
    pub optional: bool,
    /// The declared type (`as nullable text`), `None` for `any`.
    pub ty: Option<TypeExpr>,
}

/// A function expression `(x, optional y as text) as number => body`; `each body` is `(_) => body`.
#[derive(Debug)]
pub struct FunctionDef {
    pub parameters: Vec<Parameter>,
    pub return_type: Option<TypeExpr>,
    pub body: ExprRef,
}

/// A field of a record type: `optional Name = type`.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: Rc<str>,
    pub optional: bool,
    pub ty: Option<TypeExpr>,
}

/// A type as written after `type`, `as` or `is`. Parts that are expressions (`type {Int64.Type}`) are
/// evaluated when the type is.
#[derive(Debug)]
pub enum TypeExpr {
    /// `number`, `any`, `table`, ... (the primitive type names).
    Primitive(Rc<str>),
    Nullable(Box<TypeExpr>),
    List(Box<TypeExpr>),
    Record {
        fields: Vec<FieldSpec>,
        open: bool,
    },
    Table(Box<TypeExpr>),
    Function {
        parameters: Vec<FieldSpec>,
        return_type: Box<TypeExpr>,
    },
    /// An expression whose value is a type: `Int64.Type`, `(t)`, `Section!T`.
    Expression(ExprRef),
}

/// How a `try` handles an error.
#[derive(Debug)]
pub enum TryHandler {
    /// `try x`: a record `[HasError, Value | Error]`.
    None,
    Otherwise(ExprRef),
    /// `catch (e) => body`, the parameter optional.
    Catch(Option<Rc<str>>, ExprRef),
}

/// A section member.
#[derive(Debug)]
pub struct Member {
    pub name: Rc<str>,
    pub shared: bool,
    pub value: ExprRef,
    pub range: Range<usize>,
}

/// A section document.
#[derive(Debug)]
pub struct Section {
    pub name: Rc<str>,
    pub members: Vec<Member>,
}

/// A whole document: an expression or sections.
#[derive(Debug)]
pub enum Document {
    Expression(ExprRef),
    Sections(Vec<Section>),
}

#[derive(Debug)]
pub enum ExprKind {
    Null,
    Logical(bool),
    Number(f64),
    Text(Rc<str>),
    /// A name: a let binding, a field of an enclosing record, a parameter, a section member, a library name.
    Identifier(Rc<str>),
    /// `@name`: the name, including the binding being defined.
    Inclusive(Rc<str>),
    /// `#date`, `#table`, `#shared`, ...
    Intrinsic(Rc<str>),
    SectionAccess {
        section: Rc<str>,
        member: Rc<str>,
    },
    /// `...`
    NotImplemented,
    List(Vec<ListItem>),
    Record(Vec<(Rc<str>, ExprRef)>),
    Let {
        bindings: Vec<(Rc<str>, ExprRef)>,
        body: ExprRef,
    },
    If {
        condition: ExprRef,
        consequence: ExprRef,
        alternative: ExprRef,
    },
    Function(Rc<FunctionDef>),
    Invoke {
        function: ExprRef,
        arguments: Vec<ExprRef>,
    },
    /// `x[f]`, `x[f]?`; `[f]` alone has no target (it means `_[f]`).
    Field {
        target: Option<ExprRef>,
        name: Rc<str>,
        optional: bool,
    },
    /// `x[[a], [b]]`, optionally `?` on the whole or on fields.
    Projection {
        target: Option<ExprRef>,
        fields: Vec<(Rc<str>, bool)>,
        optional: bool,
    },
    /// `x{k}`, `x{k}?`.
    Item {
        target: ExprRef,
        key: ExprRef,
        optional: bool,
    },
    Unary {
        op: UnaryOp,
        operand: ExprRef,
    },
    Binary {
        op: BinaryOp,
        left: ExprRef,
        right: ExprRef,
    },
    Meta {
        value: ExprRef,
        metadata: ExprRef,
    },
    As {
        value: ExprRef,
        ty: TypeExpr,
    },
    Is {
        value: ExprRef,
        ty: TypeExpr,
    },
    Error(ExprRef),
    Try {
        body: ExprRef,
        handler: TryHandler,
    },
    Type(TypeExpr),
}

/// Lowers a parsed text. `Err` on the first syntax error (by position) or on nesting beyond
/// [`MAX_DEPTH`].
pub fn lower(text: &str) -> Result<Document, LowerError> {
    let parse = crate::syntax::parse(text);
    if let Some(first) = parse
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .min_by_key(|d| (d.range.start, d.range.end))
    {
        return Err(LowerError { range: first.range.clone(), message: first.message.clone() });
    }
    let root = parse.tree.root_node();
    let lowerer = Lowerer { text };
    let mut cursor = root.walk();
    let children: Vec<Node> = root.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect();
    if children.iter().any(|n| n.kind() == "section") {
        let mut sections = Vec::new();
        for section in children.iter().filter(|n| n.kind() == "section") {
            sections.push(lowerer.section(*section)?);
        }
        return Ok(Document::Sections(sections));
    }
    match children.as_slice() {
        [expression] => Ok(Document::Expression(lowerer.expr(*expression, 0)?)),
        [] => Err(LowerError { range: 0..text.len(), message: "the text holds no expression".to_owned() }),
        [_, second, ..] => Err(LowerError {
            range: second.byte_range(),
            message: "expected the end of the expression".to_owned(),
        }),
    }
}

struct Lowerer<'t> {
    text: &'t str,
}

fn too_deep(node: Node) -> LowerError {
    LowerError { range: node.byte_range(), message: format!("expression nested more than {MAX_DEPTH} deep") }
}

fn unexpected(node: Node) -> LowerError {
    LowerError { range: node.byte_range(), message: format!("unexpected `{}` in an expression", node.kind()) }
}

impl<'t> Lowerer<'t> {
    fn source(&self, node: Node) -> &'t str {
        &self.text[node.byte_range()]
    }

    fn name(&self, node: Node) -> Rc<str> {
        Rc::from(decode_name(self.source(node)).as_ref())
    }

    fn field(&self, node: Node<'t>, field: &str) -> Result<Node<'t>, LowerError> {
        node.child_by_field_name(field).ok_or_else(|| LowerError {
            range: node.byte_range(),
            message: format!("`{}` without its {field}", node.kind()),
        })
    }

    fn section(&self, node: Node) -> Result<Section, LowerError> {
        let name = self.name(self.field(node, "name")?);
        let mut members = Vec::new();
        let mut cursor = node.walk();
        for member in node.children_by_field_name("member", &mut cursor) {
            crate::cancel::checkpoint();
            members.push(Member {
                name: self.name(self.field(member, "name")?),
                shared: member.child_by_field_name("shared").is_some(),
                value: self.expr(self.field(member, "value")?, 0)?,
                range: member.byte_range(),
            });
        }
        Ok(Section { name, members })
    }

    fn sub(&self, node: Node, field: &str, depth: usize) -> Result<ExprRef, LowerError> {
        self.expr(self.field(node, field)?, depth + 1)
    }

    fn expr(&self, node: Node, depth: usize) -> Result<ExprRef, LowerError> {
        if depth > MAX_DEPTH {
            return Err(too_deep(node));
        }
        let kind = match node.kind() {
            "parenthesized_expression" => return self.sub(node, "expression", depth),
            "null_literal" => ExprKind::Null,
            "logical_literal" => ExprKind::Logical(self.source(node) == "true"),
            "number_literal" => {
                ExprKind::Number(number_literal(self.source(node)).ok_or_else(|| LowerError {
                    range: node.byte_range(),
                    message: format!("`{}` is not a number", self.source(node)),
                })?)
            }
            "number_constant" => {
                ExprKind::Number(if self.source(node) == "#nan" { f64::NAN } else { f64::INFINITY })
            }
            "text_literal" | "verbatim_literal" => {
                ExprKind::Text(Rc::from(decode_text(self.source(node)).as_ref()))
            }
            "identifier" | "quoted_identifier" => ExprKind::Identifier(self.name(node)),
            "inclusive_identifier" => ExprKind::Inclusive(self.name(self.field(node, "name")?)),
            "intrinsic_identifier" => ExprKind::Intrinsic(Rc::from(self.source(node))),
            "section_access" => ExprKind::SectionAccess {
                section: self.name(self.field(node, "section")?),
                member: self.name(self.field(node, "member")?),
            },
            "not_implemented" => ExprKind::NotImplemented,
            "list_expression" => {
                let mut items = Vec::new();
                let mut cursor = node.walk();
                for item in node.children_by_field_name("item", &mut cursor) {
                    items.push(if item.kind() == "range" {
                        ListItem::Range(
                            self.sub(item, "start", depth + 1)?,
                            self.sub(item, "end", depth + 1)?,
                        )
                    } else {
                        ListItem::Single(self.expr(item, depth + 1)?)
                    });
                }
                ExprKind::List(items)
            }
            "record_expression" => ExprKind::Record(self.fields(node, "field", depth)?),
            "let_expression" => ExprKind::Let {
                bindings: self.fields(node, "binding", depth)?,
                body: self.sub(node, "body", depth)?,
            },
            "if_expression" => ExprKind::If {
                condition: self.sub(node, "condition", depth)?,
                consequence: self.sub(node, "consequence", depth)?,
                alternative: self.sub(node, "alternative", depth)?,
            },
            "each_expression" => ExprKind::Function(Rc::new(FunctionDef {
                parameters: vec![Parameter { name: Rc::from("_"), optional: false, ty: None }],
                return_type: None,
                body: self.sub(node, "body", depth)?,
            })),
            "function_expression" => {
                let list = self.field(node, "parameters")?;
                let mut parameters = Vec::new();
                let mut cursor = list.walk();
                for parameter in list.children_by_field_name("parameter", &mut cursor) {
                    parameters.push(Parameter {
                        name: self.name(self.field(parameter, "name")?),
                        optional: parameter.child_by_field_name("optional").is_some(),
                        ty: match parameter.child_by_field_name("type") {
                            Some(ty) => Some(self.type_expr(ty, depth + 1)?),
                            None => None,
                        },
                    });
                }
                let return_type = match node.child_by_field_name("return_type") {
                    Some(ty) => Some(self.type_expr(ty, depth + 1)?),
                    None => None,
                };
                ExprKind::Function(Rc::new(FunctionDef {
                    parameters,
                    return_type,
                    body: self.sub(node, "body", depth)?,
                }))
            }
            "invoke_expression" => {
                let list = self.field(node, "arguments")?;
                let mut arguments = Vec::new();
                let mut cursor = list.walk();
                for argument in list.children_by_field_name("argument", &mut cursor) {
                    arguments.push(self.expr(argument, depth + 1)?);
                }
                ExprKind::Invoke { function: self.sub(node, "function", depth)?, arguments }
            }
            "field_access" => ExprKind::Field {
                target: Some(self.sub(node, "record", depth)?),
                name: self.name(self.field(node, "field")?),
                optional: node.child_by_field_name("optional").is_some(),
            },
            "implicit_field_access" => ExprKind::Field {
                target: None,
                name: self.name(self.field(node, "field")?),
                optional: node.child_by_field_name("optional").is_some(),
            },
            "projection" | "implicit_projection" => {
                let target = match node.kind() {
                    "projection" => Some(self.sub(node, "record", depth)?),
                    _ => None,
                };
                let mut fields = Vec::new();
                let mut cursor = node.walk();
                for selector in node.children_by_field_name("selector", &mut cursor) {
                    fields.push((
                        self.name(self.field(selector, "field")?),
                        selector.child_by_field_name("optional").is_some(),
                    ));
                }
                ExprKind::Projection {
                    target,
                    fields,
                    optional: node.child_by_field_name("optional").is_some(),
                }
            }
            "item_access" => ExprKind::Item {
                target: self.sub(node, "collection", depth)?,
                key: self.sub(node, "key", depth)?,
                optional: node.child_by_field_name("optional").is_some(),
            },
            "unary_expression" => {
                let op = match self.source(self.field(node, "operator")?) {
                    "+" => UnaryOp::Plus,
                    "-" => UnaryOp::Minus,
                    _ => UnaryOp::Not,
                };
                ExprKind::Unary { op, operand: self.sub(node, "operand", depth)? }
            }
            "binary_expression" => {
                let operator = self.field(node, "operator")?;
                let op = match self.source(operator) {
                    "+" => BinaryOp::Add,
                    "-" => BinaryOp::Subtract,
                    "*" => BinaryOp::Multiply,
                    "/" => BinaryOp::Divide,
                    "&" => BinaryOp::Concatenate,
                    "=" => BinaryOp::Equal,
                    "<>" => BinaryOp::NotEqual,
                    "<" => BinaryOp::Less,
                    "<=" => BinaryOp::LessOrEqual,
                    ">" => BinaryOp::Greater,
                    ">=" => BinaryOp::GreaterOrEqual,
                    "and" => BinaryOp::And,
                    "or" => BinaryOp::Or,
                    "??" => BinaryOp::Coalesce,
                    _ => return Err(unexpected(operator)),
                };
                ExprKind::Binary {
                    op,
                    left: self.sub(node, "left", depth)?,
                    right: self.sub(node, "right", depth)?,
                }
            }
            "meta_expression" => ExprKind::Meta {
                value: self.sub(node, "value", depth)?,
                metadata: self.sub(node, "metadata", depth)?,
            },
            "as_expression" => ExprKind::As {
                value: self.sub(node, "value", depth)?,
                ty: self.type_expr(self.field(node, "type")?, depth + 1)?,
            },
            "is_expression" => ExprKind::Is {
                value: self.sub(node, "value", depth)?,
                ty: self.type_expr(self.field(node, "type")?, depth + 1)?,
            },
            "error_expression" => ExprKind::Error(self.sub(node, "value", depth)?),
            "try_expression" => {
                let handler = match node.child_by_field_name("handler") {
                    None => TryHandler::None,
                    Some(h) if h.kind() == "otherwise_clause" => {
                        TryHandler::Otherwise(self.sub(h, "value", depth + 1)?)
                    }
                    Some(h) => TryHandler::Catch(
                        h.child_by_field_name("parameter").map(|p| self.name(p)),
                        self.sub(h, "body", depth + 1)?,
                    ),
                };
                ExprKind::Try { body: self.sub(node, "body", depth)?, handler }
            }
            "type_expression" => ExprKind::Type(self.type_expr(self.field(node, "type")?, depth + 1)?),
            _ => return Err(unexpected(node)),
        };
        Ok(Rc::new(Expr { kind, range: node.byte_range() }))
    }

    /// The `name = value` pairs of a record or a let.
    fn fields(&self, node: Node, field: &str, depth: usize) -> Result<Vec<(Rc<str>, ExprRef)>, LowerError> {
        let mut fields = Vec::new();
        let mut cursor = node.walk();
        for pair in node.children_by_field_name(field, &mut cursor) {
            crate::cancel::checkpoint();
            fields.push((self.name(self.field(pair, "name")?), self.sub(pair, "value", depth)?));
        }
        Ok(fields)
    }

    fn type_expr(&self, node: Node, depth: usize) -> Result<TypeExpr, LowerError> {
        if depth > MAX_DEPTH {
            return Err(too_deep(node));
        }
        Ok(match node.kind() {
            "primitive_type" => TypeExpr::Primitive(Rc::from(self.source(node))),
            "nullable_primitive_type" | "nullable_type" => {
                TypeExpr::Nullable(Box::new(self.type_expr(self.field(node, "type")?, depth + 1)?))
            }
            "list_type" => TypeExpr::List(Box::new(self.type_expr(self.field(node, "item")?, depth + 1)?)),
            "record_type" => TypeExpr::Record {
                fields: self.field_specs(node, "field", depth)?,
                open: node.child_by_field_name("open").is_some(),
            },
            "table_type" => TypeExpr::Table(Box::new(self.type_expr(self.field(node, "row")?, depth + 1)?)),
            "function_type" => TypeExpr::Function {
                parameters: self.field_specs(node, "parameter", depth)?,
                return_type: Box::new(self.type_expr(self.field(node, "return_type")?, depth + 1)?),
            },
            _ => TypeExpr::Expression(self.expr(node, depth + 1)?),
        })
    }

    fn field_specs(&self, node: Node, field: &str, depth: usize) -> Result<Vec<FieldSpec>, LowerError> {
        let mut specs = Vec::new();
        let mut cursor = node.walk();
        for spec in node.children_by_field_name(field, &mut cursor) {
            specs.push(FieldSpec {
                name: self.name(self.field(spec, "name")?),
                optional: spec.child_by_field_name("optional").is_some(),
                ty: match spec.child_by_field_name("type") {
                    Some(ty) => Some(self.type_expr(ty, depth + 1)?),
                    None => None,
                },
            });
        }
        Ok(specs)
    }
}

/// The value of a number literal: decimal with an optional fraction and exponent, or `0x` hexadecimal.
pub fn number_literal(token: &str) -> Option<f64> {
    if let Some(hex) = token.strip_prefix("0x").or_else(|| token.strip_prefix("0X")) {
        return u128::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    token.parse::<f64>().ok().filter(|_| !token.contains(['i', 'I', 'n', 'N']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_literal_forms() {
        assert_eq!(number_literal("0xff"), Some(255.0));
        assert_eq!(number_literal("0XFF"), Some(255.0));
        assert_eq!(number_literal("1.5e3"), Some(1500.0));
        assert_eq!(number_literal(".5"), Some(0.5));
        assert_eq!(number_literal("1E-2"), Some(0.01));
        assert_eq!(number_literal("inf"), None);
    }

    #[test]
    fn syntax_errors_stop_lowering_at_the_first() {
        let error = lower("let a = in a").unwrap_err();
        assert!(error.range.start >= 4, "{error:?}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("{}1{}", "(".repeat(MAX_DEPTH + 10), ")".repeat(MAX_DEPTH + 10));
        let error = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || lower(&text).err())
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(error.message, format!("expression nested more than {MAX_DEPTH} deep"));
    }
}
