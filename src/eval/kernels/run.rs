//! Running a compiled [`Node`] over all rows: each operator as one loop over arrays, with M's rules as
//! [`super::super::operators`] has them (null propagation, `=` never an error, `and`/`or` with null as
//! unknown, NaN unordered, text ordered by UTF-16 code units, numbers as doubles).
//!
//! Short-circuits matter only for the deferred rows: `false and x` is false even where `x` is deferred,
//! as the interpreter never reads `x` there.

use std::cmp::Ordering;

use arrow_array::{Array, ArrayAccessor, BooleanArray, Float64Array, StringArray};

use super::super::ast::{BinaryOp, UnaryOp};
use super::super::operators::compare_text;
use super::calls;
use super::compile::Node;
use super::vector::{at, defer_any, Data, Kind, Vector};

/// The node's values for `rows` rows.
pub fn run(node: &Node, rows: usize) -> Vector {
    crate::cancel::checkpoint();
    match node {
        Node::Leaf(data) => Vector::new(data.clone()),
        Node::Unary(op, operand, kind) => {
            let operand = run(operand, rows);
            let data = match (&operand.data, kind) {
                (Data::Number(a), Kind::Number) if *op == UnaryOp::Minus => {
                    Data::Number(a.iter().map(|n| n.map(|n| -n)).collect())
                }
                (Data::Logical(a), Kind::Logical) => Data::Logical(a.iter().map(|b| b.map(|b| !b)).collect()),
                (data, Kind::Number) => data.clone(),
                _ => Data::Null,
            };
            Vector { data, deferred: operand.deferred }
        }
        Node::Binary(op, left, right, kind) => binary(*op, &run(left, rows), &run(right, rows), *kind, rows),
        Node::If(condition, yes, no, kind) => {
            let (condition, yes, no) = (run(condition, rows), run(yes, rows), run(no, rows));
            let Data::Logical(test) = &condition.data else { unreachable!("compiled as logical") };
            let branch = |r: usize| {
                let i = at(test.len(), r);
                test.is_valid(i).then(|| if test.value(i) { &yes } else { &no })
            };
            let data = gather(*kind, rows, |r| branch(r).map(|v| &v.data));
            // An `if` on null is an error: the interpreter gives it.
            let deferred = (0..rows)
                .map(|r| condition.is_deferred(r) || branch(r).is_none_or(|v| v.is_deferred(r)))
                .collect::<Vec<bool>>();
            Vector { data, deferred: deferred.contains(&true).then_some(deferred) }
        }
        Node::Call(call, arguments, kind) => {
            let arguments: Vec<Vector> = arguments.iter().map(|a| run(a, rows)).collect();
            let result = calls::run(*call, &arguments, *kind, rows);
            let masks: Vec<&Option<Vec<bool>>> =
                arguments.iter().map(|a| &a.deferred).chain([&result.deferred]).collect();
            Vector { deferred: defer_any(rows, &masks), data: result.data }
        }
    }
}

/// Values of one kind, each row's taken from the data `pick` gives for it (`None`: null).
fn gather<'a>(kind: Kind, rows: usize, pick: impl Fn(usize) -> Option<&'a Data>) -> Data {
    macro_rules! gather_as {
        ($variant:ident) => {
            Data::$variant(
                (0..rows)
                    .map(|r| match pick(r) {
                        Some(Data::$variant(a)) => {
                            let i = at(a.len(), r);
                            a.is_valid(i).then(|| a.value(i))
                        }
                        _ => None,
                    })
                    .collect(),
            )
        };
    }
    match kind {
        Kind::Null => Data::Null,
        Kind::Number => gather_as!(Number),
        Kind::Text => gather_as!(Text),
        Kind::Logical => gather_as!(Logical),
        Kind::Date => gather_as!(Date),
    }
}

fn binary(op: BinaryOp, left: &Vector, right: &Vector, kind: Kind, rows: usize) -> Vector {
    let (l, r) = (&left.data, &right.data);
    match op {
        BinaryOp::And | BinaryOp::Or => logical(op == BinaryOp::And, left, right, rows),
        BinaryOp::Coalesce => {
            let data = gather(kind, rows, |row| Some(if l.is_null(row) { r } else { l }));
            let deferred =
                (0..rows).map(|row| left.is_deferred(row) || (l.is_null(row) && right.is_deferred(row)));
            Vector { data, deferred: mask(deferred, left, right) }
        }
        _ => {
            let data = match op {
                BinaryOp::Equal => Data::Logical(equal(l, r, false, rows)),
                BinaryOp::NotEqual => Data::Logical(equal(l, r, true, rows)),
                _ if kind == Kind::Null => Data::Null,
                BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply | BinaryOp::Divide => {
                    let (Data::Number(a), Data::Number(b)) = (l, r) else {
                        unreachable!("compiled as numbers")
                    };
                    Data::Number(arithmetic(op, a, b, rows))
                }
                BinaryOp::Concatenate => {
                    let (Data::Text(a), Data::Text(b)) = (l, r) else { unreachable!("compiled as texts") };
                    Data::Text(
                        (0..rows)
                            .map(|row| {
                                let (i, j) = (at(a.len(), row), at(b.len(), row));
                                (a.is_valid(i) && b.is_valid(j)).then(|| [a.value(i), b.value(j)].concat())
                            })
                            .collect::<StringArray>(),
                    )
                }
                _ => Data::Logical(relational(op, l, r, rows)),
            };
            Vector { data, deferred: defer_any(rows, &[&left.deferred, &right.deferred]) }
        }
    }
}

/// The deferred mask from a row iterator, `None` when neither operand defers any row.
fn mask(rows: impl Iterator<Item = bool>, left: &Vector, right: &Vector) -> Option<Vec<bool>> {
    if left.deferred.is_none() && right.deferred.is_none() {
        return None;
    }
    Some(rows.collect())
}

fn arithmetic(op: BinaryOp, a: &Float64Array, b: &Float64Array, rows: usize) -> Float64Array {
    let apply: fn(f64, f64) -> f64 = match op {
        BinaryOp::Add => |x, y| x + y,
        BinaryOp::Subtract => |x, y| x - y,
        BinaryOp::Multiply => |x, y| x * y,
        _ => |x, y| x / y,
    };
    if a.len() == rows && b.len() == rows && a.null_count() == 0 && b.null_count() == 0 {
        let values: Vec<f64> = a.values().iter().zip(b.values().iter()).map(|(x, y)| apply(*x, *y)).collect();
        return Float64Array::from(values);
    }
    (0..rows)
        .map(|row| {
            let (i, j) = (at(a.len(), row), at(b.len(), row));
            (a.is_valid(i) && b.is_valid(j)).then(|| apply(a.value(i), b.value(j)))
        })
        .collect()
}

/// A logical per row from two arrays of one kind: `nulls(left is null, right is null)` where either is
/// null, `values(left, right)` otherwise. One loop monomorphized per kind, the comparisons inlined.
fn pairwise<A: ArrayAccessor, B: ArrayAccessor>(
    a: A,
    b: B,
    rows: usize,
    nulls: impl Fn(bool, bool) -> Option<bool>,
    values: impl Fn(A::Item, B::Item) -> Option<bool>,
) -> BooleanArray {
    let (la, lb) = (a.len(), b.len());
    (0..rows)
        .map(|row| {
            let (i, j) = (at(la, row), at(lb, row));
            let (na, nb) = (a.is_null(i), b.is_null(j));
            if na || nb {
                nulls(na, nb)
            } else {
                values(a.value(i), b.value(j))
            }
        })
        .collect()
}

/// `=` (or `<>`): never null, never an error; values of different kinds are unequal, null equals null.
fn equal(l: &Data, r: &Data, negate: bool, rows: usize) -> BooleanArray {
    let nulls = |na: bool, nb: bool| Some((na && nb) != negate);
    match (l, r) {
        (Data::Number(a), Data::Number(b)) => pairwise(a, b, rows, nulls, |x, y| Some((x == y) != negate)),
        (Data::Text(a), Data::Text(b)) => pairwise(a, b, rows, nulls, |x, y| Some((x == y) != negate)),
        (Data::Logical(a), Data::Logical(b)) => pairwise(a, b, rows, nulls, |x, y| Some((x == y) != negate)),
        (Data::Date(a), Data::Date(b)) => pairwise(a, b, rows, nulls, |x, y| Some((x == y) != negate)),
        // Different kinds: equal only where both are null.
        _ => (0..rows).map(|row| nulls(l.is_null(row), r.is_null(row))).collect(),
    }
}

/// `<`, `<=`, `>`, `>=` on operands of one kind: null with a null operand, false with a NaN.
fn relational(op: BinaryOp, l: &Data, r: &Data, rows: usize) -> BooleanArray {
    let holds = |ordering: Option<Ordering>| {
        Some(ordering.is_some_and(|o| match op {
            BinaryOp::Less => o == Ordering::Less,
            BinaryOp::LessOrEqual => o != Ordering::Greater,
            BinaryOp::Greater => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }))
    };
    let nulls = |_, _| None;
    match (l, r) {
        (Data::Number(a), Data::Number(b)) => pairwise(a, b, rows, nulls, |x, y| holds(x.partial_cmp(&y))),
        (Data::Text(a), Data::Text(b)) => pairwise(a, b, rows, nulls, |x, y| holds(Some(compare_text(x, y)))),
        (Data::Logical(a), Data::Logical(b)) => pairwise(a, b, rows, nulls, |x, y| holds(Some(x.cmp(&y)))),
        (Data::Date(a), Data::Date(b)) => pairwise(a, b, rows, nulls, |x, y| holds(Some(x.cmp(&y)))),
        _ => unreachable!("compiled as one kind"),
    }
}

/// `and` / `or` with null as unknown: `false and x` is false and `true or x` true without reading `x`.
fn logical(is_and: bool, left: &Vector, right: &Vector, rows: usize) -> Vector {
    let truth = |data: &Data, row: usize| match data {
        Data::Logical(a) => {
            let i = at(a.len(), row);
            a.is_valid(i).then(|| a.value(i))
        }
        _ => None,
    };
    let decided = |row: usize| truth(&left.data, row) == Some(!is_and);
    let data = Data::Logical(
        (0..rows)
            .map(|row| {
                if decided(row) {
                    return Some(!is_and);
                }
                match (truth(&left.data, row), truth(&right.data, row)) {
                    (Some(a), Some(b)) => Some(if is_and { a && b } else { a || b }),
                    (_, Some(b)) if b != is_and => Some(b),
                    _ => None,
                }
            })
            .collect(),
    );
    let deferred = (0..rows).map(|row| left.is_deferred(row) || (!decided(row) && right.is_deferred(row)));
    Vector { data, deferred: mask(deferred, left, right) }
}
