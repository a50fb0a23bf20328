//! Reshaping tables: `Table.FillDown`/`FillUp` (nulls take the nearest value above or below) and
//! `Table.Unpivot`/`UnpivotOtherColumns` (columns turned into attribute-value rows).

use std::rc::Rc;

use super::super::types::MType;
use super::super::value::{Column, Outcome, Table, Thunk, Value};
use super::{names_arg, table_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Table.FillDown", |args| fill(args, false));
    r.add("Table.FillUp", |args| fill(args, true));
    r.add("Table.Unpivot", |args| unpivot(args, false));
    r.add("Table.UnpivotOtherColumns", |args| unpivot(args, true));
}

/// Each null cell of the columns takes the nearest non-null value above it (below it, for `up`).
fn fill(args: &[Value], up: bool) -> Outcome {
    let table = table_arg(&args[0])?;
    let mut columns = table.columns().to_vec();
    for i in super::column_positions(table, &names_arg(&args[1])?)? {
        let column = &table.columns()[i];
        let rows = column.len();
        let mut filled: Vec<Outcome> = (0..rows).map(|row| column.cell(row)).collect();
        let order: Box<dyn Iterator<Item = usize>> =
            if up { Box::new((0..rows).rev()) } else { Box::new(0..rows) };
        let mut last: Option<Value> = None;
        for row in order {
            crate::cancel::checkpoint();
            match &filled[row] {
                Ok(value) if value.is_null() => {
                    if let Some(previous) = &last {
                        filled[row] = Ok(previous.clone());
                    }
                }
                Ok(value) => last = Some(value.clone()),
                Err(_) => {}
            }
        }
        columns[i] = Column::from_outcomes(filled);
    }
    Ok(Value::Table(Table::new(
        table.fields().clone(),
        table.column_types().to_vec(),
        columns,
        table.row_count(),
    )))
}

/// `Table.Unpivot(table, pivotColumns, attributeColumn, valueColumn)` (or, `others`, the columns not
/// named are pivoted): each row becomes a row per pivoted column whose value is not null, with the other
/// columns, the column's name and its value.
fn unpivot(args: &[Value], others: bool) -> Outcome {
    let table = table_arg(&args[0])?;
    let named = super::column_positions(table, &names_arg(&args[1])?)?;
    let attribute = text_arg(&args[2])?;
    let value = text_arg(&args[3])?;
    let width = table.columns().len();
    let pivoted: Vec<usize> = (0..width).filter(|c| named.contains(c) != others).collect();
    let kept: Vec<usize> = (0..width).filter(|c| !pivoted.contains(c)).collect();
    let mut rows = Vec::new();
    let mut attributes = Vec::new();
    let mut values = Vec::new();
    for row in 0..table.row_count() {
        crate::cancel::checkpoint();
        for &c in &pivoted {
            let cell = table.columns()[c].cell(row);
            if matches!(&cell, Ok(v) if v.is_null()) {
                continue;
            }
            rows.push(row);
            attributes.push(Value::Text(table.column_names()[c].clone()));
            values.push(cell.map_or_else(|e| Thunk::Ready(Err(e)), Thunk::value));
        }
    }
    let mut names: Vec<Rc<str>> = kept.iter().map(|&c| table.column_names()[c].clone()).collect();
    names.push(Rc::from(attribute));
    names.push(Rc::from(value));
    let mut types: Vec<Rc<MType>> = kept.iter().map(|&c| table.column_types()[c].clone()).collect();
    types.push(MType::primitive("text").expect("primitive"));
    types.push(MType::any());
    let mut columns: Vec<Column> = kept.iter().map(|&c| table.columns()[c].take(&rows)).collect();
    columns.push(Column::from_values(attributes));
    columns.push(Column::from_thunks(values));
    let fields = super::new_fields(names)?;
    Ok(Value::Table(Table::new(fields, types, columns, rows.len())))
}
