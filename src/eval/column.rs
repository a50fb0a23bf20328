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
    /// Rows of another column's Arrow array by position, not copied: a selection of most of a column
    /// (`Table.SelectRows`, `Table.Sort`) shares the array instead of holding a second copy of it. Cells
    /// are read through the positions; [`Column::arrow`] makes the array when code asks for one.
    Rows(Column, Rc<[u32]>),
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
            Store::Rows(_, rows) => rows.len(),
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
            Store::Rows(source, rows) => return source.cell(rows[i] as usize),
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
            Store::Rows(source, rows) => source.thunk(rows[i] as usize),
            _ => Thunk::Cell(self.clone(), i),
        }
    }

    /// The cells at these row positions, in this order (an Arrow column stays one: shared by position
    /// when the rows are at least half of it, copied otherwise, so a small selection does not hold a large
    /// column alive).
    pub fn take(&self, rows: &[usize]) -> Column {
        if let Store::Rows(source, positions) = &*self.0 {
            return source.take(&rows.iter().map(|&i| positions[i] as usize).collect::<Vec<_>>());
        }
        let arrow = !matches!(&*self.0, Store::Cells(_));
        if arrow && rows.len() * 2 >= self.len() && u32::try_from(self.len()).is_ok() {
            return Column(Rc::new(Store::Rows(self.clone(), rows.iter().map(|&i| i as u32).collect())));
        }
        self.copy_rows(rows)
    }

    /// The cells at these row positions copied into a store of their own.
    fn copy_rows(&self, rows: &[usize]) -> Column {
        let valid = |a: &dyn Array, i: usize| a.is_valid(i);
        Column(Rc::new(match &*self.0 {
            Store::Rows(source, positions) => {
                return source.copy_rows(&rows.iter().map(|&i| positions[i] as usize).collect::<Vec<_>>())
            }
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
            Store::Rows(source, rows) => Store::Rows(source.clone(), Rc::from(&rows[offset..offset + len])),
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
            Store::Cells(_) | Store::Rows(..) => return None,
            Store::Numbers(a) => Box::new(nulls_first(a, |x, y| a.value(x).total_cmp(&a.value(y)))),
            Store::Texts(a) => {
                Box::new(nulls_first(a, |x, y| super::operators::compare_text(a.value(x), a.value(y))))
            }
            Store::Logicals(a) => Box::new(nulls_first(a, |x, y| a.value(x).cmp(&a.value(y)))),
            Store::Dates(a) => Box::new(nulls_first(a, |x, y| a.value(x).cmp(&a.value(y)))),
        })
    }

    /// The column as an Arrow array, when it is stored as one (made from the positions of a selection,
    /// each time: callers ask once per column, not per row).
    pub fn arrow(&self) -> Option<ArrayRef> {
        Some(match &*self.0 {
            Store::Cells(_) => return None,
            Store::Rows(source, rows) => {
                return source.copy_rows(&rows.iter().map(|&i| i as usize).collect::<Vec<_>>()).arrow()
            }
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
    fn a_large_selection_shares_the_array_and_reads_the_same() {
        let values: Vec<Value> =
            (0..10).map(|n| if n == 3 { Value::Null } else { Value::Number(n as f64) }).collect();
        let column = Column::from_values(values);
        let selected = column.take(&[9, 3, 1, 0, 5, 7]);
        assert!(matches!(&*selected.0, Store::Rows(..)), "a selection of most rows is a view");
        let small = column.take(&[2]);
        assert!(matches!(&*small.0, Store::Numbers(_)), "a small selection is copied");
        let number = |c: &Column, i: usize| match c.cell(i).unwrap() {
            Value::Number(n) => Some(n),
            _ => None,
        };
        let expected = [Some(9.0), None, Some(1.0), Some(0.0), Some(5.0), Some(7.0)];
        assert_eq!((0..6).map(|i| number(&selected, i)).collect::<Vec<_>>(), expected);
        let again = selected.take(&[5, 4, 1]);
        assert_eq!((0..3).map(|i| number(&again, i)).collect::<Vec<_>>(), [Some(7.0), Some(5.0), None]);
        let sliced = selected.slice(1, 2);
        assert_eq!((0..2).map(|i| number(&sliced, i)).collect::<Vec<_>>(), [None, Some(1.0)]);
        let array = selected.arrow().expect("made an array");
        let made = Column::from_arrow(&*array).unwrap();
        assert_eq!((0..6).map(|i| number(&made, i)).collect::<Vec<_>>(), expected);
        assert!(
            selected.row_order().is_none() && made.row_order().unwrap()(1, 0) == std::cmp::Ordering::Less
        );
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
