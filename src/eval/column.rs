//! A table's column. Library code reads and builds columns only through [`Column`]'s methods, so the
//! store behind one can change without any caller changing.
//!
//! Two stores: cells (any values, each a [`Thunk`]: computed when read, possibly an error that surfaces
//! only then) and Apache Arrow arrays (arrow-rs) for columns of one scalar kind without errors: numbers
//! (`Float64`), texts (`Utf8`), logicals (`Boolean`) and dates (`Date32`), nulls as Arrow nulls. A column
//! built from values ([`Column::from_values`]) takes an Arrow array whenever its values allow, so CSV
//! text, converted types and computed aggregates are columnar; [`Column::arrow`] hands the array to
//! code that works on whole columns (the vectorized kernels and the Arrow and Parquet outputs to come).

use std::rc::Rc;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Date32Array, Float64Array, StringArray};

use super::value::{Outcome, Thunk, Value};

/// Days from 0001-01-01 (the evaluator's day 0) to 1970-01-01 (Arrow's `Date32` day 0).
pub const UNIX_EPOCH_DAY: i64 = 719_162;

/// Clones share the store.
#[derive(Clone)]
pub struct Column(Rc<Store>);

#[derive(Clone)]
enum Store {
    /// Any values, each cell lazy.
    Cells(Rc<Vec<Thunk>>),
    Numbers(Float64Array),
    Texts(StringArray),
    Logicals(BooleanArray),
    Dates(Date32Array),
}

/// The one scalar kind of a run of values, if they share one (nulls go with any kind).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Text,
    Logical,
    Date,
}

fn kind_of(value: &Value) -> Option<Option<Kind>> {
    Some(match value {
        Value::Null => None,
        Value::Number(_) => Some(Kind::Number),
        Value::Text(_) => Some(Kind::Text),
        Value::Logical(_) => Some(Kind::Logical),
        Value::Date(d) if i32::try_from(d - UNIX_EPOCH_DAY).is_ok() => Some(Kind::Date),
        _ => return None,
    })
}

impl Column {
    /// A column of values: an Arrow array when they are all numbers, all texts, all logicals or all dates
    /// (nulls allowed, metadata not), cells otherwise.
    pub fn from_values(values: Vec<Value>) -> Column {
        let mut kind: Option<Kind> = None;
        let mut uniform = true;
        for value in &values {
            match kind_of(value) {
                None => {
                    uniform = false;
                    break;
                }
                Some(None) => {}
                Some(Some(k)) if kind.is_none_or(|seen| seen == k) => kind = Some(k),
                Some(Some(_)) => {
                    uniform = false;
                    break;
                }
            }
        }
        if !uniform {
            return Column(Rc::new(Store::Cells(Rc::new(values.into_iter().map(Thunk::value).collect()))));
        }
        Column(Rc::new(match kind {
            None | Some(Kind::Number) => Store::Numbers(
                values.iter().map(|v| if let Value::Number(n) = v { Some(*n) } else { None }).collect(),
            ),
            Some(Kind::Text) => Store::Texts(
                values.iter().map(|v| if let Value::Text(t) = v { Some(&**t) } else { None }).collect(),
            ),
            Some(Kind::Logical) => Store::Logicals(
                values.iter().map(|v| if let Value::Logical(b) = v { Some(*b) } else { None }).collect(),
            ),
            Some(Kind::Date) => Store::Dates(
                values
                    .iter()
                    .map(|v| if let Value::Date(d) = v { Some((d - UNIX_EPOCH_DAY) as i32) } else { None })
                    .collect(),
            ),
        }))
    }

    /// A column of an Arrow array of a kind a column stores (`Float64`, `Utf8`, `Boolean`, `Date32`);
    /// `None` for another kind.
    pub fn from_arrow(array: &dyn Array) -> Option<Column> {
        let any = array.as_any();
        let store = if let Some(a) = any.downcast_ref::<Float64Array>() {
            Store::Numbers(a.clone())
        } else if let Some(a) = any.downcast_ref::<StringArray>() {
            Store::Texts(a.clone())
        } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
            Store::Logicals(a.clone())
        } else if let Some(a) = any.downcast_ref::<Date32Array>() {
            Store::Dates(a.clone())
        } else {
            return None;
        };
        Some(Column(Rc::new(store)))
    }

    /// A column of cells computed when read.
    pub fn from_thunks(cells: Vec<Thunk>) -> Column {
        Column(Rc::new(Store::Cells(Rc::new(cells))))
    }

    /// A column of cells, made columnar when every cell is already a value of one scalar kind.
    pub fn from_outcomes(cells: Vec<Outcome>) -> Column {
        if cells.iter().all(|c| matches!(c, Ok(v) if kind_of(v).is_some())) {
            return Column::from_values(cells.into_iter().map(|c| c.expect("checked above")).collect());
        }
        Column::from_thunks(cells.into_iter().map(Thunk::Ready).collect())
    }

    pub fn len(&self) -> usize {
        match &*self.0 {
            Store::Cells(cells) => cells.len(),
            Store::Numbers(a) => a.len(),
            Store::Texts(a) => a.len(),
            Store::Logicals(a) => a.len(),
            Store::Dates(a) => a.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell's value (computing it the first time).
    pub fn cell(&self, i: usize) -> Outcome {
        let present = |a: &dyn Array| a.is_valid(i);
        Ok(match &*self.0 {
            Store::Cells(cells) => return cells[i].force(),
            Store::Numbers(a) if present(a) => Value::Number(a.value(i)),
            Store::Texts(a) if present(a) => Value::Text(Rc::from(a.value(i))),
            Store::Logicals(a) if present(a) => Value::Logical(a.value(i)),
            Store::Dates(a) if present(a) => Value::Date(i64::from(a.value(i)) + UNIX_EPOCH_DAY),
            _ => Value::Null,
        })
    }

    /// The cell as a thunk, for building rows and new columns without computing it.
    pub fn thunk(&self, i: usize) -> Thunk {
        match &*self.0 {
            Store::Cells(cells) => cells[i].clone(),
            _ => Thunk::Cell(self.clone(), i),
        }
    }

    /// The cells at these row positions, in this order (an Arrow column stays one).
    pub fn take(&self, rows: &[usize]) -> Column {
        let valid = |a: &dyn Array, i: usize| a.is_valid(i);
        Column(Rc::new(match &*self.0 {
            Store::Cells(cells) => Store::Cells(Rc::new(rows.iter().map(|&i| cells[i].clone()).collect())),
            Store::Numbers(a) => {
                Store::Numbers(rows.iter().map(|&i| valid(a, i).then(|| a.value(i))).collect())
            }
            Store::Texts(a) => Store::Texts(rows.iter().map(|&i| valid(a, i).then(|| a.value(i))).collect()),
            Store::Logicals(a) => {
                Store::Logicals(rows.iter().map(|&i| valid(a, i).then(|| a.value(i))).collect())
            }
            Store::Dates(a) => Store::Dates(rows.iter().map(|&i| valid(a, i).then(|| a.value(i))).collect()),
        }))
    }

    /// `len` cells from `offset` on, sharing the store (an Arrow column is sliced without copying).
    pub fn slice(&self, offset: usize, len: usize) -> Column {
        Column(Rc::new(match &*self.0 {
            Store::Cells(cells) => Store::Cells(Rc::new(cells[offset..offset + len].to_vec())),
            Store::Numbers(a) => Store::Numbers(a.slice(offset, len)),
            Store::Texts(a) => Store::Texts(a.slice(offset, len)),
            Store::Logicals(a) => Store::Logicals(a.slice(offset, len)),
            Store::Dates(a) => Store::Dates(a.slice(offset, len)),
        }))
    }

    /// The order of two of the column's cells as `Table.Sort` orders values
    /// ([`super::operators::sort_order`]: null first, numbers by total order, texts ordinally), read on the
    /// array itself; `None` for a column of cells.
    pub fn row_order(&self) -> Option<Box<dyn Fn(usize, usize) -> std::cmp::Ordering + '_>> {
        fn nulls_first<'a, A: Array>(
            a: &'a A,
            order: impl Fn(usize, usize) -> std::cmp::Ordering + 'a,
        ) -> impl Fn(usize, usize) -> std::cmp::Ordering + 'a {
            move |x, y| match (a.is_null(x), a.is_null(y)) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Less,
                (false, true) => std::cmp::Ordering::Greater,
                (false, false) => order(x, y),
            }
        }
        Some(match &*self.0 {
            Store::Cells(_) => return None,
            Store::Numbers(a) => Box::new(nulls_first(a, |x, y| a.value(x).total_cmp(&a.value(y)))),
            Store::Texts(a) => {
                Box::new(nulls_first(a, |x, y| super::operators::compare_text(a.value(x), a.value(y))))
            }
            Store::Logicals(a) => Box::new(nulls_first(a, |x, y| a.value(x).cmp(&a.value(y)))),
            Store::Dates(a) => Box::new(nulls_first(a, |x, y| a.value(x).cmp(&a.value(y)))),
        })
    }

    /// The column as an Arrow array, when it is stored as one.
    pub fn arrow(&self) -> Option<ArrayRef> {
        Some(match &*self.0 {
            Store::Cells(_) => return None,
            Store::Numbers(a) => Arc::new(a.clone()),
            Store::Texts(a) => Arc::new(a.clone()),
            Store::Logicals(a) => Arc::new(a.clone()),
            Store::Dates(a) => Arc::new(a.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;

    #[test]
    fn uniform_values_are_arrow_arrays_and_read_back_the_same() {
        let cases = [
            (vec![Value::Number(1.5), Value::Null, Value::Number(-2.0)], DataType::Float64),
            (vec![Value::text("a"), Value::Null], DataType::Utf8),
            (vec![Value::Logical(true), Value::Logical(false)], DataType::Boolean),
            (vec![Value::Date(0), Value::Date(738_000)], DataType::Date32),
        ];
        for (values, data_type) in cases {
            let column = Column::from_values(values.clone());
            assert_eq!(column.arrow().map(|a| a.data_type().clone()), Some(data_type));
            for (i, value) in values.iter().enumerate() {
                let cell = column.cell(i).unwrap();
                assert!(super::super::operators::equal(&cell, value).unwrap(), "{cell:?} {value:?}");
            }
            let taken = column.take(&[1, 0]);
            assert!(super::super::operators::equal(&taken.cell(1).unwrap(), &values[0]).unwrap());
        }
    }

    #[test]
    fn mixed_values_and_errors_stay_cells() {
        assert!(Column::from_values(vec![Value::Number(1.0), Value::text("a")]).arrow().is_none());
        let with_error = Column::from_outcomes(vec![
            Ok(Value::Number(1.0)),
            Err(super::super::value::MError::expression("x")),
        ]);
        assert!(with_error.arrow().is_none());
        assert_eq!(with_error.cell(1).unwrap_err().message(), "x");
    }
}
