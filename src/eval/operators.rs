//! M's operators with the specification's rules: null propagation (an arithmetic or relational operator
//! with a null operand gives null), `and`/`or` short-circuit with null as "unknown", `??`, equality across
//! all values (values of different kinds are unequal, never an error), ordering only within a kind (text
//! by ordinal, culture-invariant, as UTF-16 code units compare), `&` on text, lists, records, tables and
//! a date with a time, and the date, time and duration arithmetic.

use std::cmp::Ordering;
use std::rc::Rc;

use super::ast::{BinaryOp, Expr, UnaryOp};
use super::datetime::{Zoned, MAX_DAY, TICKS_PER_DAY};
use super::evaluate::{cannot_convert, evaluate, Env};
use super::value::{Column, Fields, List, MError, Outcome, Record, Table, Thunk, Value};

pub use super::render::describe;

fn operator_error(op: &str, left: &Value, right: &Value) -> MError {
    MError::expression(format!(
        "We cannot apply operator {op} to types {} and {}.",
        left.kind_name(),
        right.kind_name()
    ))
    .with_detail(Value::Record(Record::from_pairs(vec![
        ("Operator", Value::text(op)),
        ("Left", left.clone()),
        ("Right", right.clone()),
    ])))
}

/// `+x`, `-x`, `not x`.
pub fn unary(op: UnaryOp, value: &Value) -> Outcome {
    let plain = value.plain();
    match (op, plain) {
        (_, Value::Null) => Ok(Value::Null),
        (UnaryOp::Plus, Value::Number(_) | Value::Duration(_)) => Ok(plain.clone()),
        (UnaryOp::Minus, Value::Number(n)) => Ok(Value::Number(-n)),
        (UnaryOp::Minus, Value::Duration(d)) => Ok(Value::Duration(-d)),
        (UnaryOp::Not, Value::Logical(b)) => Ok(Value::Logical(!b)),
        _ => {
            let symbol = match op {
                UnaryOp::Plus => "+",
                UnaryOp::Minus => "-",
                UnaryOp::Not => "not",
            };
            Err(MError::expression(format!(
                "We cannot apply operator {symbol} to type {}.",
                plain.kind_name()
            ))
            .with_detail(Value::Record(Record::from_pairs(vec![
                ("Operator", Value::text(symbol)),
                ("Value", plain.clone()),
            ]))))
        }
    }
}

/// A binary operator on two expressions; `and`, `or` and `??` evaluate their right side only when needed.
pub fn binary(op: BinaryOp, left: &Expr, right: &Expr, env: &Env) -> Outcome {
    let l = evaluate(left, env)?;
    match op {
        BinaryOp::Coalesce => {
            return if l.is_null() { evaluate(right, env) } else { Ok(l) };
        }
        BinaryOp::And | BinaryOp::Or => {
            let is_and = op == BinaryOp::And;
            let left_bool = match l.plain() {
                Value::Logical(b) => Some(*b),
                Value::Null => None,
                _ => {
                    let r = evaluate(right, env)?;
                    return Err(operator_error(op.symbol(), l.plain(), r.plain()));
                }
            };
            // `false and x` is false and `true or x` is true without x.
            if left_bool == Some(!is_and) {
                return Ok(Value::Logical(!is_and));
            }
            let r = evaluate(right, env)?;
            let right_bool = match r.plain() {
                Value::Logical(b) => Some(*b),
                Value::Null => None,
                _ => return Err(operator_error(op.symbol(), l.plain(), r.plain())),
            };
            return Ok(match (left_bool, right_bool) {
                (Some(a), Some(b)) => Value::Logical(if is_and { a && b } else { a || b }),
                (_, Some(b)) if b != is_and => Value::Logical(b),
                _ => Value::Null,
            });
        }
        _ => {}
    }
    let r = evaluate(right, env)?;
    apply(op, &l, &r)
}

/// A binary operator other than `and`, `or`, `??` on two values.
pub fn apply(op: BinaryOp, left: &Value, right: &Value) -> Outcome {
    let (l, r) = (left.plain(), right.plain());
    match op {
        BinaryOp::Equal => return Ok(Value::Logical(equal(l, r)?)),
        BinaryOp::NotEqual => return Ok(Value::Logical(!equal(l, r)?)),
        _ => {}
    }
    if matches!(l, Value::Null) || matches!(r, Value::Null) {
        // Null propagates through arithmetic, `&` and ordering, whatever the other operand.
        return Ok(Value::Null);
    }
    match op {
        BinaryOp::Less | BinaryOp::LessOrEqual | BinaryOp::Greater | BinaryOp::GreaterOrEqual => {
            let Some(ordering) = compare(l, r).ok_or_else(|| operator_error(op.symbol(), l, r))? else {
                // NaN compares false with everything.
                return Ok(Value::Logical(false));
            };
            Ok(Value::Logical(match op {
                BinaryOp::Less => ordering == Ordering::Less,
                BinaryOp::LessOrEqual => ordering != Ordering::Greater,
                BinaryOp::Greater => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            }))
        }
        BinaryOp::Concatenate => concatenate(l, r),
        _ => arithmetic(op, l, r),
    }
}

fn arithmetic(op: BinaryOp, l: &Value, r: &Value) -> Outcome {
    use Value::*;
    let result = match (op, l, r) {
        (BinaryOp::Add, Number(a), Number(b)) => Number(a + b),
        (BinaryOp::Subtract, Number(a), Number(b)) => Number(a - b),
        (BinaryOp::Multiply, Number(a), Number(b)) => Number(a * b),
        (BinaryOp::Divide, Number(a), Number(b)) => Number(a / b),
        (BinaryOp::Add, Duration(a), Duration(b)) => Duration(a.checked_add(*b).ok_or_else(overflow)?),
        (BinaryOp::Subtract, Duration(a), Duration(b)) => Duration(a.checked_sub(*b).ok_or_else(overflow)?),
        (BinaryOp::Multiply, Duration(d), Number(n)) | (BinaryOp::Multiply, Number(n), Duration(d)) => {
            Duration(ticks(*d as f64 * n)?)
        }
        (BinaryOp::Divide, Duration(d), Number(n)) => Duration(ticks(*d as f64 / n)?),
        (BinaryOp::Divide, Duration(a), Duration(b)) => Number(*a as f64 / *b as f64),
        (BinaryOp::Add, Date(day), Duration(d)) | (BinaryOp::Add, Duration(d), Date(day)) => {
            date(plus(day * TICKS_PER_DAY, *d)?)?
        }
        (BinaryOp::Subtract, Date(day), Duration(d)) => date(minus(day * TICKS_PER_DAY, *d)?)?,
        (BinaryOp::Add, DateTime(t), Duration(d)) | (BinaryOp::Add, Duration(d), DateTime(t)) => {
            datetime(plus(*t, *d)?)?
        }
        (BinaryOp::Subtract, DateTime(t), Duration(d)) => datetime(minus(*t, *d)?)?,
        (BinaryOp::Add, DateTimeZone(z), Duration(d)) | (BinaryOp::Add, Duration(d), DateTimeZone(z)) => {
            DateTimeZone(Zoned { local: checked_datetime(plus(z.local, *d)?)?, ..*z })
        }
        (BinaryOp::Subtract, DateTimeZone(z), Duration(d)) => {
            DateTimeZone(Zoned { local: checked_datetime(minus(z.local, *d)?)?, ..*z })
        }
        (BinaryOp::Add, Time(t), Duration(d)) | (BinaryOp::Add, Duration(d), Time(t)) => {
            Time(plus(*t, *d % TICKS_PER_DAY)?.rem_euclid(TICKS_PER_DAY))
        }
        (BinaryOp::Subtract, Time(t), Duration(d)) => {
            Time(minus(*t, *d % TICKS_PER_DAY)?.rem_euclid(TICKS_PER_DAY))
        }
        (BinaryOp::Subtract, Date(a), Date(b)) => Duration((a - b) * TICKS_PER_DAY),
        (BinaryOp::Subtract, DateTime(a), DateTime(b)) | (BinaryOp::Subtract, Time(a), Time(b)) => {
            Duration(a - b)
        }
        (BinaryOp::Subtract, DateTimeZone(a), DateTimeZone(b)) => Duration(a.utc() - b.utc()),
        _ => return Err(operator_error(op.symbol(), l, r)),
    };
    Ok(result)
}

/// Ticks added without overflowing (a duration can hold more ticks than any date is far from another).
fn plus(a: i64, b: i64) -> Result<i64, MError> {
    a.checked_add(b).ok_or_else(overflow)
}

fn minus(a: i64, b: i64) -> Result<i64, MError> {
    a.checked_sub(b).ok_or_else(overflow)
}

fn overflow() -> MError {
    MError::expression("The operation resulted in an overflow.")
}

fn ticks(value: f64) -> Result<i64, MError> {
    if value.is_finite() && value.abs() < 9.2e18 {
        Ok(value.round() as i64)
    } else {
        Err(overflow())
    }
}

fn checked_datetime(ticks: i64) -> Result<i64, MError> {
    if (0..(MAX_DAY + 1) * TICKS_PER_DAY).contains(&ticks) {
        Ok(ticks)
    } else {
        Err(MError::expression("The Date operation produced a result that is out of range."))
    }
}

fn date(ticks: i64) -> Outcome {
    Ok(Value::Date(checked_datetime(ticks)?.div_euclid(TICKS_PER_DAY)))
}

fn datetime(ticks: i64) -> Outcome {
    Ok(Value::DateTime(checked_datetime(ticks)?))
}

fn concatenate(l: &Value, r: &Value) -> Outcome {
    match (l, r) {
        (Value::Text(a), Value::Text(b)) => {
            let mut text = String::with_capacity(a.len() + b.len());
            text.push_str(a);
            text.push_str(b);
            Ok(Value::Text(Rc::from(text)))
        }
        (Value::List(a), Value::List(b)) => {
            Ok(Value::List(List::from_thunks(a.thunks().iter().chain(b.thunks().iter()).cloned().collect())))
        }
        (Value::Record(a), Value::Record(b)) => Ok(Value::Record(merge_records(a, b)?)),
        (Value::Table(a), Value::Table(b)) => Ok(Value::Table(combine_tables(&[a.clone(), b.clone()])?)),
        (Value::Date(d), Value::Time(t)) => Ok(Value::DateTime(d * TICKS_PER_DAY + t)),
        _ => Err(operator_error("&", l, r)),
    }
}

/// `a & b` on records: the fields of `a`, with those `b` also has taken from `b`, then the rest of `b`'s.
pub fn merge_records(a: &Record, b: &Record) -> Result<Record, MError> {
    let mut names: Vec<Rc<str>> = a.names().to_vec();
    let mut values: Vec<Thunk> = a.values.to_vec();
    for (name, value) in b.names().iter().zip(b.values.iter()) {
        match a.fields.position(name) {
            Some(i) => values[i] = value.clone(),
            None => {
                names.push(name.clone());
                values.push(value.clone());
            }
        }
    }
    Record::new(names, values)
}

/// Tables one after another: the columns of all of them in order of first appearance, null where a table
/// lacks a column (`Table.Combine`, `&`).
pub fn combine_tables(tables: &[Table]) -> Result<Table, MError> {
    let mut names: Vec<Rc<str>> = Vec::new();
    for table in tables {
        for name in table.column_names() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let rows: usize = tables.iter().map(Table::row_count).sum();
    let mut columns = Vec::with_capacity(names.len());
    let mut types = Vec::with_capacity(names.len());
    for name in &names {
        let mut cells = Vec::with_capacity(rows);
        let mut column_type: Option<Rc<super::types::MType>> = None;
        for table in tables {
            match table.fields().position(name) {
                Some(i) => {
                    let column = &table.columns()[i];
                    cells.extend((0..column.len()).map(|r| column.thunk(r)));
                    let ty = &table.column_types()[i];
                    column_type = match column_type {
                        None => Some(ty.clone()),
                        Some(previous) if previous == *ty => Some(previous),
                        Some(_) => Some(super::types::MType::any()),
                    };
                }
                None => {
                    cells.extend((0..table.row_count()).map(|_| Thunk::value(Value::Null)));
                    column_type = Some(super::types::MType::any());
                }
            }
        }
        columns.push(Column::from_thunks(cells));
        types.push(column_type.unwrap_or_else(super::types::MType::any));
    }
    let fields = Fields::new(names).expect("names made distinct above");
    Ok(Table::new(fields, types, columns, rows))
}

/// The order of two values of one kind; `Err`-free `None` when the kinds cannot be ordered, `Some(None)`
/// when a NaN is involved.
pub fn compare(l: &Value, r: &Value) -> Option<Option<Ordering>> {
    Some(match (l.plain(), r.plain()) {
        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
        (Value::Text(a), Value::Text(b)) => Some(compare_text(a, b)),
        (Value::Logical(a), Value::Logical(b)) => Some(a.cmp(b)),
        (Value::Date(a), Value::Date(b))
        | (Value::Time(a), Value::Time(b))
        | (Value::DateTime(a), Value::DateTime(b))
        | (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        (Value::DateTimeZone(a), Value::DateTimeZone(b)) => Some(a.utc().cmp(&b.utc())),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => return None,
    })
}

/// Ordinal comparison, as .NET compares strings ordinally: by UTF-16 code units.
pub fn compare_text(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// M's equality: values of different kinds are unequal; lists, records and tables compare their
/// contents (a record's fields in any order); functions are equal only to themselves. Reading an item
/// that is an error is that error.
pub fn equal(l: &Value, r: &Value) -> Result<bool, MError> {
    Ok(match (l.plain(), r.plain()) {
        (Value::Null, Value::Null) => true,
        (Value::Logical(a), Value::Logical(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => a == b,
        (Value::Text(a), Value::Text(b)) => a == b,
        (Value::Date(a), Value::Date(b))
        | (Value::Time(a), Value::Time(b))
        | (Value::DateTime(a), Value::DateTime(b))
        | (Value::Duration(a), Value::Duration(b)) => a == b,
        (Value::DateTimeZone(a), Value::DateTimeZone(b)) => a.utc() == b.utc(),
        (Value::Binary(a), Value::Binary(b)) => a == b,
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                return Ok(false);
            }
            for (x, y) in a.thunks().iter().zip(b.thunks().iter()) {
                crate::cancel::checkpoint();
                if !equal(&x.force()?, &y.force()?)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Record(a), Value::Record(b)) => {
            if a.len() != b.len() {
                return Ok(false);
            }
            for (name, x) in a.names().iter().zip(a.values.iter()) {
                let Some(y) = b.thunk(name) else { return Ok(false) };
                if !equal(&x.force()?, &y.force()?)? {
                    return Ok(false);
                }
            }
            true
        }
        // Tables are equal with the same columns in any order and equal cells, row by row.
        (Value::Table(a), Value::Table(b)) => {
            if a.columns().len() != b.columns().len() || a.row_count() != b.row_count() {
                return Ok(false);
            }
            for (name, x) in a.column_names().iter().zip(a.columns()) {
                let Some(y) = b.column(name) else { return Ok(false) };
                for i in 0..x.len() {
                    crate::cancel::checkpoint();
                    if !equal(&x.cell(i)?, &y.cell(i)?)? {
                        return Ok(false);
                    }
                }
            }
            true
        }
        (Value::Function(a), Value::Function(b)) => a.ptr_eq(b),
        (Value::Type(a), Value::Type(b)) => a == b,
        _ => false,
    })
}

/// A total order for sorting (`Table.Sort`, `List.Sort`): null first, then by kind, then by value; NaN
/// after every other number. Values that cannot be ordered (records, lists) are an error.
pub fn sort_order(l: &Value, r: &Value) -> Result<Ordering, MError> {
    match (l.plain(), r.plain()) {
        (Value::Null, Value::Null) => Ok(Ordering::Equal),
        (Value::Null, _) => Ok(Ordering::Less),
        (_, Value::Null) => Ok(Ordering::Greater),
        (Value::Number(a), Value::Number(b)) => Ok(a.total_cmp(b)),
        _ => match compare(l, r) {
            Some(Some(ordering)) => Ok(ordering),
            _ => Err(operator_error("<", l.plain(), r.plain())),
        },
    }
}

/// The number in a value, or the error M gives for another kind.
pub fn number(value: &Value) -> Result<f64, MError> {
    match value.plain() {
        Value::Number(n) => Ok(*n),
        other => Err(cannot_convert(other, "Number")),
    }
}
