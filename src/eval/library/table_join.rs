//! Nested tables and records: `Table.NestedJoin` (hash join into a column of tables),
//! `Table.ExpandTableColumn` and `Table.ExpandRecordColumn`.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::evaluate::{cannot_convert, missing_column};
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Thunk, Value};
use super::keys::{row_key, Key};
use super::{names_arg, table_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Table.NestedJoin", nested_join);
    r.add("Table.ExpandTableColumn", expand_table_column);
    r.add("Table.ExpandRecordColumn", expand_record_column);
}

fn rows_table(table: &Table, rows: &[usize]) -> Table {
    let columns = table.columns().iter().map(|c| c.take(rows)).collect();
    Table::new(table.fields().clone(), table.column_types().to_vec(), columns, rows.len())
}

/// `Table.NestedJoin(table1, key1, table2, key2, newColumnName, joinKind)`: each row of `table1` with a
/// column holding the table of `table2`'s rows whose keys equal its keys. Inner drops rows without a
/// match, LeftAnti keeps only those, LeftOuter (the default) keeps all.
fn nested_join(args: &[Value]) -> Outcome {
    let left = table_arg(&args[0])?;
    let right = table_arg(&args[2])?;
    let left_keys = super::column_positions(left, &names_arg(&args[1])?)?;
    let right_keys = super::column_positions(right, &names_arg(&args[3])?)?;
    if left_keys.len() != right_keys.len() {
        return Err(MError::expression("The keys of the two tables have different numbers of columns."));
    }
    let name = text_arg(&args[4])?;
    let kind = match &args[5] {
        Value::Null => 1,
        other => super::number_arg(other)? as i64,
    };
    if !matches!(kind, 0 | 1 | 4) {
        return Err(MError::expression(
            "Table.NestedJoin with a JoinKind other than Inner, LeftOuter and LeftAnti is not implemented by dfls yet",
        ));
    }
    let mut index: HashMap<Vec<Key>, Vec<usize>> = HashMap::new();
    for row in 0..right.row_count() {
        crate::cancel::checkpoint();
        index.entry(row_key(right, &right_keys, row)?).or_default().push(row);
    }
    let mut kept = Vec::new();
    let mut nested = Vec::new();
    for row in 0..left.row_count() {
        crate::cancel::checkpoint();
        let matches = index.get(&row_key(left, &left_keys, row)?).map_or(&[][..], Vec::as_slice);
        let keep = match kind {
            0 => !matches.is_empty(),
            4 => matches.is_empty(),
            _ => true,
        };
        if keep {
            kept.push(row);
            nested.push(Thunk::value(Value::Table(rows_table(right, matches))));
        }
    }
    let mut names = left.column_names().to_vec();
    names.push(Rc::from(name));
    let mut types = left.column_types().to_vec();
    types.push(super::super::types::table_type(right));
    let mut columns: Vec<Column> = left.columns().iter().map(|c| c.take(&kept)).collect();
    columns.push(Column::from_thunks(nested));
    Ok(Value::Table(Table::new(super::new_fields(names)?, types, columns, kept.len())))
}

/// The new names of expanded columns: the given ones, or the expanded names themselves.
fn new_names(expanded: &[Rc<str>], given: &Value) -> Result<Vec<Rc<str>>, MError> {
    match given {
        Value::Null => Ok(expanded.to_vec()),
        other => {
            let names = names_arg(other)?;
            if names.len() != expanded.len() {
                return Err(MError::expression(
                    "The new column names must be as many as the columns expanded.",
                ));
            }
            Ok(names)
        }
    }
}

/// The table's columns with `column` replaced by `replacement` columns in its place.
fn splice(
    table: &Table,
    column: usize,
    names: Vec<Rc<str>>,
    replacement: Vec<Column>,
    rows: &[usize],
) -> Result<Table, MError> {
    let mut all_names = Vec::new();
    let mut types = Vec::new();
    let mut columns = Vec::new();
    for (i, existing) in table.columns().iter().enumerate() {
        if i == column {
            all_names.extend(names.iter().cloned());
            types.extend(names.iter().map(|_| MType::any()));
            columns.extend(replacement.iter().cloned());
        } else {
            all_names.push(table.column_names()[i].clone());
            types.push(table.column_types()[i].clone());
            columns.push(existing.take(rows));
        }
    }
    Ok(Table::new(super::new_fields(all_names)?, types, columns, rows.len()))
}

/// `Table.ExpandTableColumn(table, column, columnNames, newColumnNames)`: each row repeated for each row
/// of its nested table, with the named columns of that table in place of the column; a row whose nested
/// table is empty or null stays once, with nulls.
fn expand_table_column(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let name = text_arg(&args[1])?;
    let column = table.fields().position(name).ok_or_else(|| missing_column(name, table))?;
    let expanded = names_arg(&args[2])?;
    let names = new_names(&expanded, &args[3])?;
    let mut rows = Vec::new();
    let mut cells: Vec<Vec<Thunk>> = expanded.iter().map(|_| Vec::new()).collect();
    for row in 0..table.row_count() {
        crate::cancel::checkpoint();
        match table.columns()[column].cell(row)?.plain() {
            Value::Table(nested) if nested.row_count() > 0 => {
                let positions: Vec<Option<usize>> =
                    expanded.iter().map(|n| nested.fields().position(n)).collect();
                for inner in 0..nested.row_count() {
                    rows.push(row);
                    for (cells, position) in cells.iter_mut().zip(&positions) {
                        cells.push(
                            position.map_or(Thunk::value(Value::Null), |p| nested.columns()[p].thunk(inner)),
                        );
                    }
                }
            }
            Value::Table(_) | Value::Null => {
                rows.push(row);
                for cells in cells.iter_mut() {
                    cells.push(Thunk::value(Value::Null));
                }
            }
            other => return Err(cannot_convert(other, "Table")),
        }
    }
    let replacement = cells.into_iter().map(Column::from_thunks).collect();
    Ok(Value::Table(splice(table, column, names, replacement, &rows)?))
}

/// `Table.ExpandRecordColumn(table, column, fieldNames, newColumnNames)`: the named fields of each row's
/// record in place of the column (null for a null record or a missing field), each read when its cell is.
fn expand_record_column(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let name = text_arg(&args[1])?;
    let column = table.fields().position(name).ok_or_else(|| missing_column(name, table))?;
    let expanded = names_arg(&args[2])?;
    let names = new_names(&expanded, &args[3])?;
    let source = &table.columns()[column];
    let replacement = expanded
        .iter()
        .map(|field| {
            Column::from_thunks(
                (0..table.row_count())
                    .map(|row| {
                        let cell = source.thunk(row);
                        let field = field.clone();
                        Thunk::lazy(move || match cell.force()?.plain() {
                            Value::Record(record) => record.get(&field).unwrap_or(Ok(Value::Null)),
                            Value::Null => Ok(Value::Null),
                            other => Err(cannot_convert(other, "Record")),
                        })
                    })
                    .collect(),
            )
        })
        .collect();
    let rows: Vec<usize> = (0..table.row_count()).collect();
    Ok(Value::Table(splice(table, column, names, replacement, &rows)?))
}
