//! Values as hash keys, for the hash-based functions (`Table.Group`, `Table.Distinct`,
//! `Table.NestedJoin`): equal scalars give equal keys (a datetimezone by its instant, `-0` as `0`), so
//! grouping and joining are linear, not a comparison of every pair.

use std::rc::Rc;

use super::super::value::{MError, Value};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Null,
    Logical(bool),
    /// The bits of the number, `-0` made `0`.
    Number(u64),
    Text(Rc<str>),
    Date(i64),
    Time(i64),
    DateTime(i64),
    /// The instant in UTC ticks.
    DateTimeZone(i64),
    Duration(i64),
    Binary(Rc<[u8]>),
    /// A structured value, by its M literal (records compare by field order here).
    Literal(String),
}

/// The key of a value.
pub fn key(value: &Value) -> Key {
    match value.plain() {
        Value::Null => Key::Null,
        Value::Logical(b) => Key::Logical(*b),
        Value::Number(n) => Key::Number(if *n == 0.0 { 0.0f64.to_bits() } else { n.to_bits() }),
        Value::Text(t) => Key::Text(t.clone()),
        Value::Date(d) => Key::Date(*d),
        Value::Time(t) => Key::Time(*t),
        Value::DateTime(t) => Key::DateTime(*t),
        Value::DateTimeZone(z) => Key::DateTimeZone(z.utc()),
        Value::Duration(d) => Key::Duration(*d),
        Value::Binary(b) => Key::Binary(b.clone()),
        other => Key::Literal(super::super::render::m_literal(other, 64)),
    }
}

/// The keys of a row's cells in some columns.
pub fn row_key(
    table: &super::super::value::Table,
    columns: &[usize],
    row: usize,
) -> Result<Vec<Key>, MError> {
    columns.iter().map(|&c| table.columns()[c].cell(row).map(|v| key(&v))).collect()
}
