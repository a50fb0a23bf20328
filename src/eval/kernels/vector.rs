//! What a kernel computes: the values of an expression for every row as one Arrow array of one kind, and
//! the rows it leaves to the interpreter.
//!
//! A kernel's kind is known when it is compiled (a column's Arrow type, a constant's kind), so a
//! [`Vector`] is one typed array, nulls as Arrow nulls. A constant is a one-item array that stands for
//! every row ([`Data::len`] 1, read through [`at`]): no array of a million copies of `"Cancelled"`.
//! A row the kernel cannot compute as the interpreter would (an `if` on null, a library function that
//! fails or gives another kind) is marked in [`Vector::deferred`]; its value in the array is
//! meaningless, and the caller computes that row with the interpreter, which gives the same value or
//! the same error.

use std::rc::Rc;

use arrow_array::{Array, BooleanArray, Date32Array, Float64Array, StringArray};

use super::super::column::UNIX_EPOCH_DAY;
use super::super::value::Value;

/// The kind of value a kernel gives for every row (or null). `Null` is a kernel that is null on every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Number,
    Text,
    Logical,
    Date,
}

/// The values of one kind, one per row (or one for all rows).
#[derive(Clone)]
pub enum Data {
    /// Null on every row.
    Null,
    Number(Float64Array),
    Text(StringArray),
    Logical(BooleanArray),
    Date(Date32Array),
}

/// The row of a one-item (constant) array is 0; of any other, the row itself.
pub fn at(len: usize, row: usize) -> usize {
    if len == 1 {
        0
    } else {
        row
    }
}

impl Data {
    pub fn kind(&self) -> Kind {
        match self {
            Data::Null => Kind::Null,
            Data::Number(_) => Kind::Number,
            Data::Text(_) => Kind::Text,
            Data::Logical(_) => Kind::Logical,
            Data::Date(_) => Kind::Date,
        }
    }

    /// The array's length: 1 for a constant (and for `Null`).
    pub fn len(&self) -> usize {
        match self {
            Data::Null => 1,
            Data::Number(a) => a.len(),
            Data::Text(a) => a.len(),
            Data::Logical(a) => a.len(),
            Data::Date(a) => a.len(),
        }
    }

    /// Whether the row is null.
    pub fn is_null(&self, row: usize) -> bool {
        let i = at(self.len(), row);
        match self {
            Data::Null => true,
            Data::Number(a) => a.is_null(i),
            Data::Text(a) => a.is_null(i),
            Data::Logical(a) => a.is_null(i),
            Data::Date(a) => a.is_null(i),
        }
    }

    /// The row as a value of M (for the library functions a kernel calls row by row).
    pub fn value(&self, row: usize) -> Value {
        let i = at(self.len(), row);
        if self.is_null(i) {
            return Value::Null;
        }
        match self {
            Data::Null => Value::Null,
            Data::Number(a) => Value::Number(a.value(i)),
            Data::Text(a) => Value::Text(Rc::from(a.value(i))),
            Data::Logical(a) => Value::Logical(a.value(i)),
            Data::Date(a) => Value::Date(i64::from(a.value(i)) + UNIX_EPOCH_DAY),
        }
    }

    /// A constant: a one-item array; `None` for a value that is not a scalar of a kernel's kinds.
    pub fn constant(value: &Value) -> Option<Data> {
        Some(match value {
            Value::Null => Data::Null,
            Value::Number(n) => Data::Number(Float64Array::from(vec![*n])),
            Value::Text(t) => Data::Text(StringArray::from(vec![&**t])),
            Value::Logical(b) => Data::Logical(BooleanArray::from(vec![*b])),
            Value::Date(d) => Data::Date(Date32Array::from(vec![i32::try_from(d - UNIX_EPOCH_DAY).ok()?])),
            _ => return None,
        })
    }

    /// Values of one kind from row values (`None` for a value of another kind, which the caller has
    /// deferred to the interpreter).
    pub fn from_values(kind: Kind, values: &[Value]) -> Data {
        match kind {
            Kind::Null => Data::Null,
            Kind::Number => Data::Number(
                values.iter().map(|v| if let Value::Number(n) = v { Some(*n) } else { None }).collect(),
            ),
            Kind::Text => Data::Text(
                values.iter().map(|v| if let Value::Text(t) = v { Some(&**t) } else { None }).collect(),
            ),
            Kind::Logical => Data::Logical(
                values.iter().map(|v| if let Value::Logical(b) = v { Some(*b) } else { None }).collect(),
            ),
            Kind::Date => Data::Date(
                values
                    .iter()
                    .map(|v| match v {
                        Value::Date(d) => i32::try_from(d - UNIX_EPOCH_DAY).ok(),
                        _ => None,
                    })
                    .collect(),
            ),
        }
    }

    /// The array with one item per row (a constant repeated), as a table column stores it; `Null` gives
    /// a column of null numbers, as [`super::super::value::Column::from_values`] makes one.
    pub fn expand(self, rows: usize) -> Data {
        if self.len() == rows && !matches!(self, Data::Null) {
            return self;
        }
        let pick = |row: usize| at(self.len(), row);
        match &self {
            Data::Null => Data::Number((0..rows).map(|_| None::<f64>).collect()),
            Data::Number(a) => {
                Data::Number((0..rows).map(|r| a.is_valid(pick(r)).then(|| a.value(pick(r)))).collect())
            }
            Data::Text(a) => {
                Data::Text((0..rows).map(|r| a.is_valid(pick(r)).then(|| a.value(pick(r)))).collect())
            }
            Data::Logical(a) => {
                Data::Logical((0..rows).map(|r| a.is_valid(pick(r)).then(|| a.value(pick(r)))).collect())
            }
            Data::Date(a) => {
                Data::Date((0..rows).map(|r| a.is_valid(pick(r)).then(|| a.value(pick(r)))).collect())
            }
        }
    }

    pub fn array(&self) -> Option<&dyn Array> {
        Some(match self {
            Data::Null => return None,
            Data::Number(a) => a,
            Data::Text(a) => a,
            Data::Logical(a) => a,
            Data::Date(a) => a,
        })
    }
}

/// A kernel's result: the values, and the rows left to the interpreter (`None`: none).
#[derive(Clone)]
pub struct Vector {
    pub data: Data,
    pub deferred: Option<Vec<bool>>,
}

impl Vector {
    pub fn new(data: Data) -> Vector {
        Vector { data, deferred: None }
    }

    pub fn is_deferred(&self, row: usize) -> bool {
        self.deferred.as_ref().is_some_and(|d| d[at(d.len(), row)])
    }
}

/// The rows deferred by any of some masks, for `rows` rows (`None` when no row is).
pub fn defer_any(rows: usize, masks: &[&Option<Vec<bool>>]) -> Option<Vec<bool>> {
    if masks.iter().all(|m| m.is_none()) {
        return None;
    }
    Some((0..rows).map(|r| masks.iter().any(|m| m.as_ref().is_some_and(|d| d[at(d.len(), r)]))).collect())
}
