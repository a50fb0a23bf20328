//! From an `each` function's expression to a [`Node`] tree over whole columns, or `None` when the
//! expression has a shape the kernels do not cover (the interpreter then runs it row by row).
//!
//! Compiling happens against the table (or column) the function is applied to, so every leaf is already
//! its array: a field access `[Amount]` is the Arrow array of column `Amount` (a column stored as cells,
//! possibly errors, is not compiled), a literal or a name of the closure's environment is a constant.
//! Every node's kind is known here; an operation whose operand kinds M would reject on every non-null row
//! (`[Text] + 1`) is not compiled, so the interpreter gives its errors.

use std::rc::Rc;

use super::super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::super::evaluate::{lookup, Closure};
use super::super::value::{Column, Function, Table, Value};
use super::calls::{self, Call};
use super::vector::{Data, Kind};

/// What the function's one parameter is.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// A row of the table, as a record (`Table.AddColumn`, `Table.SelectRows`).
    Row(&'a Table),
    /// A cell of the column (`Table.TransformColumns`).
    Value(&'a Column),
}

/// A compiled expression; each node knows the kind it gives.
pub enum Node {
    /// A column's array or a constant.
    Leaf(Data),
    Unary(UnaryOp, Box<Node>, Kind),
    Binary(BinaryOp, Box<Node>, Box<Node>, Kind),
    If(Box<Node>, Box<Node>, Box<Node>, Kind),
    Call(Call, Vec<Node>, Kind),
}

impl Node {
    pub fn kind(&self) -> Kind {
        match self {
            Node::Leaf(data) => data.kind(),
            Node::Unary(.., kind) | Node::Binary(.., kind) | Node::If(.., kind) | Node::Call(.., kind) => {
                *kind
            }
        }
    }
}

/// The kernel of a function of one parameter applied to each row or cell of the input, `None` when the
/// function is not a closure of one plain parameter or its body is not of a shape the kernels cover.
pub fn compile_function(function: &Function, input: Input) -> Option<Node> {
    let Function::Closure(closure) = function else { return None };
    let definition = &closure.definition;
    let [parameter] = definition.parameters.as_slice() else { return None };
    if parameter.optional || parameter.ty.is_some() || definition.return_type.is_some() {
        return None;
    }
    let context = Context { closure, parameter: &parameter.name, input };
    context.compile(&definition.body, false)
}

struct Context<'a> {
    closure: &'a Rc<Closure>,
    parameter: &'a str,
    input: Input<'a>,
}

impl Context<'_> {
    /// `operand`: the value is an operand of an operator or a library function, which see it without its
    /// metadata (elsewhere a value with metadata would keep it, and a kernel's arrays hold none).
    fn compile(&self, expr: &Expr, operand: bool) -> Option<Node> {
        crate::cancel::checkpoint();
        match &expr.kind {
            ExprKind::Null => self.constant(&Value::Null),
            ExprKind::Logical(b) => self.constant(&Value::Logical(*b)),
            ExprKind::Number(n) => self.constant(&Value::Number(*n)),
            ExprKind::Text(t) => self.constant(&Value::Text(t.clone())),
            ExprKind::Identifier(name) if **name == *self.parameter => match self.input {
                Input::Value(column) => column_data(column),
                Input::Row(_) => None,
            },
            ExprKind::Identifier(name) => {
                let value = lookup(&self.closure.env, name).ok()?;
                if matches!(value, Value::Meta(_)) && !operand {
                    return None;
                }
                self.constant(value.plain())
            }
            ExprKind::Field { target, name, optional } => {
                let Input::Row(table) = self.input else { return None };
                let implicit = target.is_none() && self.parameter == "_";
                let explicit = matches!(target.as_deref(),
                    Some(Expr { kind: ExprKind::Identifier(p), .. }) if **p == *self.parameter);
                if !implicit && !explicit {
                    return None;
                }
                match table.column(name) {
                    Some(column) => column_data(column),
                    None if *optional => Some(Node::Leaf(Data::Null)),
                    None => None,
                }
            }
            ExprKind::Unary { op, operand } => {
                let operand = self.compile(operand, true)?;
                let kind = match (op, operand.kind()) {
                    (_, Kind::Null) => Kind::Null,
                    (UnaryOp::Plus | UnaryOp::Minus, Kind::Number) => Kind::Number,
                    (UnaryOp::Not, Kind::Logical) => Kind::Logical,
                    _ => return None,
                };
                Some(Node::Unary(*op, Box::new(operand), kind))
            }
            ExprKind::Binary { op, left, right } => {
                let inner = *op != BinaryOp::Coalesce || operand;
                let (left, right) = (self.compile(left, inner)?, self.compile(right, inner)?);
                let kind = binary_kind(*op, left.kind(), right.kind())?;
                Some(Node::Binary(*op, Box::new(left), Box::new(right), kind))
            }
            ExprKind::If { condition, consequence, alternative } => {
                let condition = self.compile(condition, true)?;
                if condition.kind() != Kind::Logical {
                    return None;
                }
                let (yes, no) = (self.compile(consequence, operand)?, self.compile(alternative, operand)?);
                let kind = unify(yes.kind(), no.kind())?;
                Some(Node::If(Box::new(condition), Box::new(yes), Box::new(no), kind))
            }
            ExprKind::Invoke { function, arguments } => {
                let ExprKind::Identifier(name) = &function.kind else { return None };
                if **name == *self.parameter {
                    return None;
                }
                let Value::Function(Function::Builtin(builtin)) = lookup(&self.closure.env, name).ok()?
                else {
                    return None;
                };
                let arguments =
                    arguments.iter().map(|a| self.compile(a, true)).collect::<Option<Vec<_>>>()?;
                let kinds: Vec<Kind> = arguments.iter().map(Node::kind).collect();
                let (call, kind) = calls::signature(builtin, &kinds)?;
                Some(Node::Call(call, arguments, kind))
            }
            _ => None,
        }
    }

    fn constant(&self, value: &Value) -> Option<Node> {
        Data::constant(value).map(Node::Leaf)
    }
}

/// A column's array as a leaf, when the column is one.
fn column_data(column: &Column) -> Option<Node> {
    let array = column.arrow()?;
    let any = array.as_any();
    Some(Node::Leaf(if let Some(a) = any.downcast_ref() {
        Data::Number(Clone::clone(a))
    } else if let Some(a) = any.downcast_ref() {
        Data::Text(Clone::clone(a))
    } else if let Some(a) = any.downcast_ref() {
        Data::Logical(Clone::clone(a))
    } else {
        Data::Date(Clone::clone(any.downcast_ref()?))
    }))
}

/// The kind `a ?? b` or `if c then a else b` gives: one kind, or the other's where one is always null.
fn unify(a: Kind, b: Kind) -> Option<Kind> {
    match (a, b) {
        (a, b) if a == b => Some(a),
        (Kind::Null, other) | (other, Kind::Null) => Some(other),
        _ => None,
    }
}

/// The kind a binary operator gives on operands of these kinds, `None` where M would fail on every row
/// with values (or the kernels do not cover the operation, such as date arithmetic).
fn binary_kind(op: BinaryOp, left: Kind, right: Kind) -> Option<Kind> {
    use BinaryOp::*;
    match op {
        Equal | NotEqual => Some(Kind::Logical),
        And | Or => matches!((left, right), (Kind::Logical | Kind::Null, Kind::Logical | Kind::Null))
            .then_some(Kind::Logical),
        Coalesce => unify(left, right),
        // Null propagates through arithmetic, `&` and ordering whatever the other operand's kind.
        _ if left == Kind::Null || right == Kind::Null => Some(Kind::Null),
        Add | Subtract | Multiply | Divide => {
            (left == Kind::Number && right == Kind::Number).then_some(Kind::Number)
        }
        Concatenate => (left == Kind::Text && right == Kind::Text).then_some(Kind::Text),
        Less | LessOrEqual | Greater | GreaterOrEqual => (left == right).then_some(Kind::Logical),
    }
}
