//! Joins and nested tables and records: `Table.Join` (hash join, every join kind, the columns of both
//! tables side by side), `Table.NestedJoin` (hash join into a column of tables), `Table.ExpandTableColumn`
//! and `Table.ExpandRecordColumn`.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::evaluate::{cannot_convert, missing_column};
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Thunk, Value};
use super::keys::{row_key, Key};
use super::{names_arg, table_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Table.Join", join);
    r.add("Table.NestedJoin", nested_join);
    r.add("Table.ExpandTableColumn", expand_table_column);
    r.add("Table.ExpandRecordColumn", expand_record_column);
}

fn rows_table(table: &Table, rows: &[usize]) -> Table {
    let columns = table.columns().iter().map(|c| c.take(rows)).collect();
    Table::new(table.fields().clone(), table.column_types().to_vec(), columns, rows.len())
}

/// The tables, key columns and join kind of a join's arguments (`table1, key1, table2, key2` and the kind
/// at `kind_at`, `default_kind` when null), with the rows of the second table by their keys.
struct JoinInput<'a> {
    left: &'a Table,
    right: &'a Table,
    left_keys: Vec<usize>,
    right_keys: Vec<usize>,
    kind: i64,
    index: HashMap<Vec<Key>, Vec<usize>>,
}

fn join_input<'a>(
    args: &'a [Value],
    kind_at: usize,
    default_kind: i64,
    function: &str,
) -> Result<JoinInput<'a>, MError> {
    let left = table_arg(&args[0])?;
    let right = table_arg(&args[2])?;
    let left_keys = super::column_positions(left, &names_arg(&args[1])?)?;
    let right_keys = super::column_positions(right, &names_arg(&args[3])?)?;
    if left_keys.len() != right_keys.len() {
        return Err(MError::expression("The keys of the two tables have different numbers of columns."));
    }
    let kind = match &args[kind_at] {
        Value::Null => default_kind,
        other => super::number_arg(other)? as i64,
    };
    if !(0..=5).contains(&kind) {
        return Err(MError::expression(format!(
            "{function} with a JoinKind other than Inner, LeftOuter, RightOuter, FullOuter, LeftAnti and RightAnti is not implemented by dfls yet"
        )));
    }
    let mut index: HashMap<Vec<Key>, Vec<usize>> = HashMap::new();
    for row in 0..right.row_count() {
        crate::cancel::checkpoint();
        index.entry(row_key(right, &right_keys, row)?).or_default().push(row);
    }
    Ok(JoinInput { left, right, left_keys, right_keys, kind, index })
}

/// A row of a join's result: its row of the first table and of the second, `None` for nulls.
type RowPair = (Option<usize>, Option<usize>);

/// `Table.Join(table1, key1, table2, key2, joinKind, joinAlgorithm, keyEqualityComparers)`: the rows of
/// both tables whose keys are equal, side by side (the first table's columns, then the second's, whose
/// names must differ, except in an inner join (the default) a key column of the same name at the same
/// place in both keys, which is kept once: its values are equal). Inner keeps the pairs; LeftOuter also
/// the first table's rows without a match (the second's columns null), RightOuter the second's, FullOuter
/// both (the second's after the pairs); LeftAnti and RightAnti only the unmatched rows of one table. An
/// inner join's rows come in the second table's order (unverified, see below); the others' in the first's,
/// each row's matches in the second's, the second's unmatched rows last. The join algorithm changes nothing
/// but speed and is ignored; key comparers other than the default are not implemented yet.
fn join(args: &[Value]) -> Outcome {
    if !matches!(args.get(6), None | Some(Value::Null)) {
        return Err(MError::expression(
            "Table.Join with keyEqualityComparers is not implemented by dfls yet",
        ));
    }
    let JoinInput { left, right, left_keys, right_keys, kind, index } = join_input(args, 4, 0, "Table.Join")?;
    let mut names = left.column_names().to_vec();
    // The second table's columns in the result.
    let mut right_columns = Vec::new();
    for (position, name) in right.column_names().iter().enumerate() {
        if let Some(left_position) = names.iter().position(|left_name| left_name == name) {
            let shared_key = right_keys
                .iter()
                .position(|&key| key == position)
                .is_some_and(|at| left_keys[at] == left_position);
            if kind == 0 && shared_key {
                continue;
            }
            return Err(MError::expression(format!(
                "A join operation cannot result in a table with duplicate column names (\"{name}\")."
            )));
        }
        names.push(name.clone());
        right_columns.push(position);
    }
    // Each row of the result as (row of the first table, row of the second), `None` for nulls.
    let mut pairs: Vec<RowPair> = Vec::new();
    let mut matched_right = vec![false; right.row_count()];
    for row in 0..left.row_count() {
        crate::cancel::checkpoint();
        let matches = index.get(&row_key(left, &left_keys, row)?).map_or(&[][..], Vec::as_slice);
        for &other in matches {
            matched_right[other] = true;
        }
        match kind {
            0 | 2 => pairs.extend(matches.iter().map(|&other| (Some(row), Some(other)))),
            1 | 3 if matches.is_empty() => pairs.push((Some(row), None)),
            1 | 3 => pairs.extend(matches.iter().map(|&other| (Some(row), Some(other)))),
            4 if matches.is_empty() => pairs.push((Some(row), None)),
            _ => {}
        }
    }
    if kind == 0 {
        // An inner join comes in the second table's order, each of its rows with its matches in the
        // first's order: the order of the function reference's example output as remembered (its
        // output could not be read when this was written; to check against Fabric).
        pairs.sort_by_key(|&(left_row, right_row)| (right_row, left_row));
    }
    if matches!(kind, 2 | 3 | 5) {
        pairs.extend(
            (0..right.row_count()).filter(|&other| !matched_right[other]).map(|other| (None, Some(other))),
        );
    }
    let side = |table: &Table, positions: &[usize], pick: fn(&RowPair) -> Option<usize>| -> Vec<Column> {
        positions
            .iter()
            .map(|&position| {
                let column = &table.columns()[position];
                Column::from_thunks(
                    pairs
                        .iter()
                        .map(|pair| {
                            pick(pair).map_or_else(|| Thunk::value(Value::Null), |row| column.thunk(row))
                        })
                        .collect(),
                )
            })
            .collect()
    };
    let all_left: Vec<usize> = (0..left.column_names().len()).collect();
    let mut columns = side(left, &all_left, |pair| pair.0);
    columns.extend(side(right, &right_columns, |pair| pair.1));
    let mut types = left.column_types().to_vec();
    types.extend(right_columns.iter().map(|&position| right.column_types()[position].clone()));
    Ok(Value::Table(Table::new(super::new_fields(names)?, types, columns, pairs.len())))
}

/// `Table.NestedJoin(table1, key1, table2, key2, newColumnName, joinKind)`: each row of `table1` with a
/// column holding the table of `table2`'s rows whose keys equal its keys. Inner drops rows without a
/// match, LeftAnti keeps only those, LeftOuter (the default) keeps all.
fn nested_join(args: &[Value]) -> Outcome {
    let JoinInput { left, right, left_keys, kind, index, .. } = join_input(args, 5, 1, "Table.NestedJoin")?;
    let name = text_arg(&args[4])?;
    if !matches!(kind, 0 | 1 | 4) {
        return Err(MError::expression(
            "Table.NestedJoin with a JoinKind other than Inner, LeftOuter and LeftAnti is not implemented by dfls yet",
        ));
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
