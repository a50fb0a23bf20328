//! `Table.*`: building tables (from records, lists), reading them (column names, rows, records) and the
//! common transformations (add, transform, retype, select, rename, remove, sort, first/skip, combine).
//!
//! Tables are columnar ([`Column`]); a transformation builds new columns from old ones by row positions
//! or cell by cell. Computed cells (`Table.AddColumn`, `Table.TransformColumns`,
//! `Table.TransformColumnTypes`) stay lazy: a cell whose computation fails is an error only when read.
//! Filtering and sorting read what they test.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

use super::super::evaluate::{cannot_convert, missing_column};
use super::super::kernels;
use super::super::operators::{combine_tables, sort_order};
use super::super::types::{MType, TypeKind};
use super::super::value::{Column, Function, List, MError, Outcome, Record, Table, Thunk, Value};
use super::culture::Culture;
use super::{
    apply, count_arg, function_arg, list_arg, missing_field_arg, names_arg, table_arg, text_arg, type_arg,
    MissingField, Registry,
};

pub fn register(r: &mut Registry) {
    r.add("Table.AddColumn", add_column);
    r.add("Table.TransformColumnTypes", transform_column_types);
    r.add("Table.SelectRows", select_rows);
    r.add("Table.RenameColumns", rename_columns);
    r.add("Table.SelectColumns", select_columns);
    r.add("Table.RemoveColumns", remove_columns);
    r.add("Table.FromRecords", from_records);
    r.add("Table.FromList", from_list);
    r.add("Table.ColumnNames", column_names);
    r.add("Table.RowCount", row_count);
    r.add("Table.Column", column);
    r.add("Table.ToRecords", to_records);
    r.add("Table.ToRows", to_rows);
    r.add("Table.TransformColumns", transform_columns);
    r.add("Table.Sort", sort);
    r.add("Table.FirstN", first_n);
    r.add("Table.Skip", skip);
    r.add("Table.Combine", combine);
    r.add("Table.AddIndexColumn", add_index_column);
    r.add("Table.TransformRows", transform_rows);
    r.add("Table.ReplaceValue", replace_value);
    r.add("Replacer.ReplaceValue", replacer_replace_value);
    r.add("Replacer.ReplaceText", replacer_replace_text);
}

/// `Table.AddIndexColumn(table, name, initialValue, increment, type)`: 0, 1, 2, ... by default.
fn add_index_column(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let name = text_arg(&args[1])?;
    let start = if args[2].is_null() { 0.0 } else { super::number_arg(&args[2])? };
    let step = if args[3].is_null() { 1.0 } else { super::number_arg(&args[3])? };
    if table.fields().position(name).is_some() {
        return Err(super::duplicate_field(name));
    }
    let mut names = table.column_names().to_vec();
    names.push(Rc::from(name));
    let mut types = table.column_types().to_vec();
    types.push(match &args[4] {
        Value::Null => MType::any(),
        other => type_arg(other)?.clone(),
    });
    let mut columns = table.columns().to_vec();
    columns.push(Column::from_values(
        (0..table.row_count()).map(|i| Value::Number(start + step * i as f64)).collect(),
    ));
    Ok(Value::Table(Table::new(super::new_fields(names)?, types, columns, table.row_count())))
}

/// `Table.TransformRows(table, transform)`: a list of the transform of each row record, each computed
/// when read.
fn transform_rows(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let function = function_arg(&args[1])?;
    let items = (0..table.row_count())
        .map(|i| {
            let (table, function) = (table.clone(), function.clone());
            Thunk::lazy(move || apply(&function, vec![Value::Record(table.row(i))]))
        })
        .collect();
    Ok(Value::List(List::from_thunks(items)))
}

/// `Table.ReplaceValue(table, oldValue, newValue, replacer, columnsToSearch)`: each cell of the columns
/// through `replacer(cell, old, new)` (`Replacer.ReplaceValue`, `Replacer.ReplaceText`), when read.
fn replace_value(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let replacer = function_arg(&args[3])?;
    let mut columns = table.columns().to_vec();
    for name in names_arg(&args[4])? {
        let i = table.fields().position(&name).ok_or_else(|| missing_column(&name, table))?;
        let old = columns[i].clone();
        columns[i] = Column::from_thunks(
            (0..old.len())
                .map(|row| {
                    let cell = old.thunk(row);
                    let (replacer, from, to) = (replacer.clone(), args[1].clone(), args[2].clone());
                    Thunk::lazy(move || apply(&replacer, vec![cell.force()?, from, to]))
                })
                .collect(),
        );
    }
    Ok(Value::Table(Table::new(
        table.fields().clone(),
        table.column_types().to_vec(),
        columns,
        table.row_count(),
    )))
}

/// `Replacer.ReplaceValue(value, old, new)`: `new` when the value equals `old`.
fn replacer_replace_value(args: &[Value]) -> Outcome {
    Ok(if super::super::operators::equal(&args[0], &args[1])? { args[2].clone() } else { args[0].clone() })
}

/// `Replacer.ReplaceText(text, old, new)`: every `old` in the text replaced.
fn replacer_replace_text(args: &[Value]) -> Outcome {
    let builtin = super::REGISTRY.get("Text.Replace").expect("registered");
    super::call(builtin, args.to_vec())
}

/// The table with only these rows, in this order.
fn take_rows(table: &Table, rows: &[usize]) -> Table {
    let columns = table.columns().iter().map(|c| c.take(rows)).collect();
    Table::new(table.fields().clone(), table.column_types().to_vec(), columns, rows.len())
}

fn add_column(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let name = text_arg(&args[1])?;
    let generator = function_arg(&args[2])?;
    let ty = match &args[3] {
        Value::Null => MType::any(),
        other => type_arg(other)?.clone(),
    };
    if table.fields().position(name).is_some() {
        return Err(super::duplicate_field(name));
    }
    let cell = |i: usize| {
        let (table, generator) = (table.clone(), generator.clone());
        Thunk::lazy(move || apply(&generator, vec![Value::Record(table.row(i))]))
    };
    let column = kernels::map_rows(generator, table, cell)
        .unwrap_or_else(|| Column::from_thunks((0..table.row_count()).map(cell).collect()));
    let mut names = table.column_names().to_vec();
    names.push(Rc::from(name));
    let mut types = table.column_types().to_vec();
    types.push(ty);
    let mut columns = table.columns().to_vec();
    columns.push(column);
    Ok(Value::Table(Table::new(super::new_fields(names)?, types, columns, table.row_count())))
}

/// The `{name, x}` pairs of a transformation list: one pair, or a list of pairs.
pub(crate) fn pairs(value: &Value) -> Result<Vec<Vec<Value>>, MError> {
    let list = list_arg(value)?;
    let items = list.values()?;
    if items.first().is_some_and(|first| matches!(first.plain(), Value::Text(_))) {
        return Ok(vec![items]);
    }
    items
        .iter()
        .map(|item| match item.plain() {
            Value::List(pair) => pair.values(),
            other => Err(cannot_convert(other, "List")),
        })
        .collect()
}

/// A value converted to a type, as `Table.TransformColumnTypes` converts cells: numbers from texts,
/// texts from anything scalar, dates from texts and datetimes, logicals from texts and numbers; whole
/// number facets (`Int64.Type`) round to even.
pub fn convert_to(value: Value, ty: &MType, culture: &Culture) -> Outcome {
    if value.is_null() {
        return Ok(Value::Null);
    }
    match ty.kind {
        TypeKind::Any | TypeKind::AnyNonNull => Ok(value),
        TypeKind::Number => {
            let Value::Number(n) = super::number::number_from(&value, culture)? else {
                unreachable!("not null")
            };
            Ok(Value::Number(with_facet(n, ty)))
        }
        TypeKind::Text => {
            Ok(super::text::text_from(&value, culture)?.map_or(Value::Null, |t| Value::text(&t)))
        }
        TypeKind::Date => super::number::date_from_value(&value, culture),
        TypeKind::Logical => {
            let builtin = super::REGISTRY.get("Logical.From").expect("registered");
            super::call(builtin, vec![value])
        }
        _ if ty.accepts(&value) => Ok(value),
        _ => Err(MError::expression(format!(
            "Converting to type {} is not implemented by dfls yet",
            ty.to_m()
        ))),
    }
}

/// A number as a number type's facet holds it: whole number facets (`Int64.Type`) round to even,
/// `Currency.Type` to four decimals.
fn with_facet(n: f64, ty: &MType) -> f64 {
    match ty.facet {
        Some("Int64" | "Int32" | "Int16" | "Int8" | "Byte") => n.round_ties_even(),
        Some("Currency") => (n * 10_000.0).round_ties_even() / 10_000.0,
        _ => n,
    }
}

/// [`convert_to`] on a whole Arrow column, for the common conversions of CSV text (text to number, to
/// date, to text) and of numbers to a number type, reading the array directly; `None` for other
/// conversions, and when a cell fails (the caller's cell-by-cell conversion then gives its error).
fn convert_column(column: &Column, ty: &MType, culture: &Culture) -> Option<Column> {
    use arrow_array::{Array, Date32Array, Float64Array, StringArray};
    let array = column.arrow()?;
    let any = array.as_any();
    let numbers = |parse: &dyn Fn(usize) -> Option<f64>| -> Option<Column> {
        let values = (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    Ok(None)
                } else {
                    parse(i).map(|n| Some(with_facet(n, ty))).ok_or(())
                }
            })
            .collect::<Result<Float64Array, ()>>()
            .ok()?;
        Column::from_arrow(&values)
    };
    match (&ty.kind, any.downcast_ref::<StringArray>(), any.downcast_ref::<Float64Array>()) {
        (TypeKind::Any | TypeKind::AnyNonNull | TypeKind::Text, Some(_), _) => Some(column.clone()),
        (TypeKind::Number, Some(texts), _) => numbers(&|i| parse_number(texts.value(i), culture)),
        (TypeKind::Number, None, Some(values)) => numbers(&|i| Some(values.value(i))),
        (TypeKind::Date, Some(texts), _) => {
            let epoch = super::super::column::UNIX_EPOCH_DAY;
            let days = (0..texts.len())
                .map(|i| match texts.is_null(i) {
                    true => Ok(None),
                    false => parse_date(texts.value(i), culture)
                        .and_then(|d| i32::try_from(d - epoch).ok())
                        .map(Some)
                        .ok_or(()),
                })
                .collect::<Result<Date32Array, ()>>()
                .ok()?;
            Column::from_arrow(&days)
        }
        _ => None,
    }
}

/// A number in a culture's text, as [`Culture::parse_number`] reads it; plain decimals (`-12.5`) in a
/// culture whose decimal separator is `.`, most of CSV data, read directly (the culture's reading would
/// change nothing in them).
fn parse_number(text: &str, culture: &Culture) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if plain && culture.decimal == '.' {
        return text.parse().ok();
    }
    culture.parse_number(text)
}

/// A date in a culture's text, as [`Culture::parse_date`] reads it; ISO dates (`2024-01-31`) read
/// directly.
fn parse_date(text: &str, culture: &Culture) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0i64, |n, d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return super::super::datetime::days_from_civil(y, m, d);
        }
    }
    culture.parse_date(text)
}

fn transform_column_types(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let culture = super::culture::culture_arg(&args[2])?;
    let mut columns = table.columns().to_vec();
    let mut types = table.column_types().to_vec();
    for pair in pairs(&args[1])? {
        let [name, ty] = pair.as_slice() else {
            return Err(MError::expression("A type transformation is a list {column name, type}."));
        };
        let name = text_arg(name.plain())?;
        let ty = type_arg(ty.plain())?.clone();
        let Some(i) = table.fields().position(name) else { return Err(missing_column(name, table)) };
        let old = columns[i].clone();
        let target = ty.clone();
        columns[i] = if let Some(converted) = convert_column(&old, &ty, &culture) {
            converted
        } else if old.arrow().is_some() {
            // A columnar source is converted at once, into a columnar result when no cell fails (a
            // failed conversion stays an error in its cell).
            Column::from_outcomes(
                (0..old.len())
                    .map(|row| {
                        crate::cancel::checkpoint();
                        old.cell(row).and_then(|value| convert_to(value, &target, &culture))
                    })
                    .collect(),
            )
        } else {
            Column::from_thunks(
                (0..old.len())
                    .map(|row| {
                        let cell = old.thunk(row);
                        let target = target.clone();
                        Thunk::lazy(move || convert_to(cell.force()?, &target, &culture))
                    })
                    .collect(),
            )
        };
        types[i] = ty;
    }
    Ok(Value::Table(Table::new(table.fields().clone(), types, columns, table.row_count())))
}

/// Whether a row passes a condition: true passes, false and null do not.
fn passes(condition: &Function, row: Record) -> Result<bool, MError> {
    match apply(condition, vec![Value::Record(row)])?.plain() {
        Value::Logical(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(cannot_convert(other, "Logical")),
    }
}

fn select_rows(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let condition = function_arg(&args[1])?;
    if let Some(kept) = kernels::filter_rows(condition, table, |i| passes(condition, table.row(i))) {
        return Ok(Value::Table(take_rows(table, &kept?)));
    }
    let mut kept = Vec::new();
    for i in 0..table.row_count() {
        crate::cancel::checkpoint();
        if passes(condition, table.row(i))? {
            kept.push(i);
        }
    }
    Ok(Value::Table(take_rows(table, &kept)))
}

fn rename_columns(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let mut names = table.column_names().to_vec();
    for pair in pairs(&args[1])? {
        let [old, new] = pair.as_slice() else {
            return Err(MError::expression("A rename is a list {old name, new name}."));
        };
        let old = text_arg(old.plain())?;
        let new = text_arg(new.plain())?;
        match table.fields().position(old) {
            Some(i) => names[i] = Rc::from(new),
            None if missing == MissingField::Error => return Err(missing_column(old, table)),
            None => {}
        }
    }
    Ok(Value::Table(Table::new(
        super::new_fields(names)?,
        table.column_types().to_vec(),
        table.columns().to_vec(),
        table.row_count(),
    )))
}

fn select_columns(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let (mut names, mut types, mut columns) = (Vec::new(), Vec::new(), Vec::new());
    for name in names_arg(&args[1])? {
        match table.fields().position(&name) {
            Some(i) => {
                types.push(table.column_types()[i].clone());
                columns.push(table.columns()[i].clone());
            }
            None => match missing {
                MissingField::Error => return Err(missing_column(&name, table)),
                MissingField::Ignore => continue,
                MissingField::UseNull => {
                    types.push(MType::any());
                    columns.push(Column::from_values(vec![Value::Null; table.row_count()]));
                }
            },
        }
        names.push(name);
    }
    Ok(Value::Table(Table::new(super::new_fields(names)?, types, columns, table.row_count())))
}

fn remove_columns(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let removed = names_arg(&args[1])?;
    if missing == MissingField::Error {
        if let Some(name) = removed.iter().find(|n| table.fields().position(n).is_none()) {
            return Err(missing_column(name, table));
        }
    }
    let (mut names, mut types, mut columns) = (Vec::new(), Vec::new(), Vec::new());
    for (i, name) in table.column_names().iter().enumerate() {
        if !removed.contains(name) {
            names.push(name.clone());
            types.push(table.column_types()[i].clone());
            columns.push(table.columns()[i].clone());
        }
    }
    Ok(Value::Table(Table::new(super::new_fields(names)?, types, columns, table.row_count())))
}

/// Column names and their types.
type ColumnSpec = (Vec<Rc<str>>, Vec<Rc<MType>>);

/// Column names and types from a `columns` argument: a list of names, a number of columns, or a table type.
fn column_spec(value: &Value) -> Result<Option<ColumnSpec>, MError> {
    Ok(match value {
        Value::Null => None,
        Value::Type(ty) => match &ty.kind {
            TypeKind::Table(Some(row)) | TypeKind::Record(Some(row)) => Some((
                row.fields.iter().map(|f| f.name.clone()).collect(),
                row.fields.iter().map(|f| f.ty.clone()).collect(),
            )),
            _ => return Err(cannot_convert(value, "Table")),
        },
        Value::Number(_) => {
            let count = super::column_count_arg(value)?;
            Some(((1..=count).map(|i| Rc::from(format!("Column{i}"))).collect(), vec![MType::any(); count]))
        }
        other => {
            let names = names_arg(other)?;
            let types = vec![MType::any(); names.len()];
            Some((names, types))
        }
    })
}

/// `Table.FromRecords(records, columns, missingField)`: a row per record, the columns those of the first
/// record unless given.
fn from_records(args: &[Value]) -> Outcome {
    let records = list_arg(&args[0])?.values()?;
    let missing = missing_field_arg(&args[2])?;
    let records: Vec<Record> = records
        .iter()
        .map(|r| match r.plain() {
            Value::Record(record) => Ok(record.clone()),
            other => Err(cannot_convert(other, "Record")),
        })
        .collect::<Result<_, _>>()?;
    let (names, types) = match column_spec(&args[1])? {
        Some(spec) => spec,
        None => {
            let names = records.first().map(|r| r.names().to_vec()).unwrap_or_default();
            let types = vec![MType::any(); names.len()];
            (names, types)
        }
    };
    let mut rows = Vec::with_capacity(records.len());
    for record in &records {
        crate::cancel::checkpoint();
        let mut row = Vec::with_capacity(names.len());
        for name in &names {
            match record.thunk(name) {
                Some(thunk) => row.push(thunk.clone()),
                None if missing == MissingField::Error => return Err(record.missing_field(name)),
                None => row.push(Thunk::value(Value::Null)),
            }
        }
        if missing == MissingField::Error && record.len() > names.len() {
            let extra =
                record.names().iter().find(|n| !names.contains(n)).expect("a field beyond the columns");
            return Err(MError::expression(format!(
                "The field '{extra}' of the record is not a column of the table."
            )));
        }
        rows.push(row);
    }
    let table = Table::from_rows(super::new_fields(names)?, rows);
    Ok(Value::Table(Table::new(table.fields().clone(), types, table.columns().to_vec(), table.row_count())))
}

/// `Table.FromList(list, splitter, columns, default, extraValues)`: each item split into a row (by
/// commas when no splitter is given).
fn from_list(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?;
    let default_splitter;
    let splitter = match &args[1] {
        Value::Null => {
            let builtin = super::REGISTRY.get("Splitter.SplitTextByDelimiter").expect("registered");
            default_splitter = super::call(builtin, vec![Value::text(",")])?;
            function_arg(&default_splitter)?
        }
        other => function_arg(other)?,
    };
    let extra = match &args[4] {
        Value::Null => 1,
        other => super::number_arg(other)? as i64,
    };
    let mut rows: Vec<Vec<Value>> = Vec::with_capacity(items.len());
    for item in items.thunks().iter() {
        crate::cancel::checkpoint();
        match apply(splitter, vec![item.force()?])?.plain() {
            Value::List(parts) => rows.push(parts.values()?),
            other => return Err(cannot_convert(other, "List")),
        }
    }
    let (names, types) = match column_spec(&args[2])? {
        Some(spec) => spec,
        None => {
            let width = rows.first().map_or(1, Vec::len);
            ((1..=width).map(|i| Rc::from(format!("Column{i}"))).collect(), vec![MType::any(); width])
        }
    };
    let width = names.len();
    let mut cells = Vec::with_capacity(rows.len());
    for mut row in rows {
        if row.len() > width {
            match extra {
                0 => {
                    let rest = row.split_off(width.saturating_sub(1));
                    row.push(Value::List(List::from_values(rest)));
                }
                2 => row.truncate(width),
                _ => {
                    return Err(MError::expression(format!(
                        "There were more columns in the result than expected: {} values for {width} columns.",
                        row.len()
                    )))
                }
            }
        }
        row.resize(width, args[3].clone());
        cells.push(row.into_iter().map(Thunk::value).collect());
    }
    let table = Table::from_rows(super::new_fields(names)?, cells);
    Ok(Value::Table(Table::new(table.fields().clone(), types, table.columns().to_vec(), table.row_count())))
}

fn column_names(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    Ok(Value::List(List::from_values(table.column_names().iter().map(|n| Value::Text(n.clone())).collect())))
}

fn row_count(args: &[Value]) -> Outcome {
    Ok(Value::Number(table_arg(&args[0])?.row_count() as f64))
}

fn column(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let name = text_arg(&args[1])?;
    let column = table.column(name).ok_or_else(|| missing_column(name, table))?;
    Ok(Value::List(List::from_thunks((0..column.len()).map(|i| column.thunk(i)).collect())))
}

fn to_records(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    Ok(Value::List(List::from_values((0..table.row_count()).map(|i| Value::Record(table.row(i))).collect())))
}

/// `Table.ToRows(table)`: a list of each row's values as a list, in column order (cells stay lazy: an
/// error is the item's, not the list's).
fn to_rows(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let rows = (0..table.row_count())
        .map(|row| {
            let cells = table.columns().iter().map(|column| column.thunk(row)).collect();
            Value::List(List::from_thunks(cells))
        })
        .collect();
    Ok(Value::List(List::from_values(rows)))
}

/// `Table.TransformColumns(table, {{name, function, type?}, ...}, defaultTransformation, missingField)`.
fn transform_columns(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let missing = missing_field_arg(&args[3])?;
    let mut columns = table.columns().to_vec();
    let mut types = table.column_types().to_vec();
    let mut transformed = vec![false; columns.len()];
    let lazily = |column: &Column, function: &Function| {
        let cell = |row: usize| {
            let (cell, function) = (column.thunk(row), function.clone());
            Thunk::lazy(move || apply(&function, vec![cell.force()?]))
        };
        kernels::map_values(function, column, cell)
            .unwrap_or_else(|| Column::from_thunks((0..column.len()).map(cell).collect()))
    };
    let operations = {
        let list = list_arg(&args[1])?.values()?;
        if list.first().is_some_and(|first| matches!(first.plain(), Value::Text(_))) {
            vec![list]
        } else {
            pairs(&args[1])?
        }
    };
    for operation in operations {
        let (name, function, ty) = match operation.as_slice() {
            [name, function] => (name, function, None),
            [name, function, ty] => (name, function, Some(type_arg(ty.plain())?.clone())),
            _ => {
                return Err(MError::expression(
                    "A transform operation is a list {column name, function, optional type}.",
                ))
            }
        };
        let name = text_arg(name.plain())?;
        let function = function_arg(function.plain())?;
        let Some(i) = table.fields().position(name) else {
            if missing == MissingField::Error {
                return Err(missing_column(name, table));
            }
            continue;
        };
        columns[i] = lazily(&columns[i], function);
        types[i] = ty.unwrap_or_else(MType::any);
        transformed[i] = true;
    }
    if let Value::Function(default) = &args[2] {
        for i in 0..columns.len() {
            if !transformed[i] {
                columns[i] = lazily(&columns[i], default);
                types[i] = MType::any();
            }
        }
    }
    Ok(Value::Table(Table::new(table.fields().clone(), types, columns, table.row_count())))
}

/// One criterion of `Table.Sort`.
enum SortKey {
    Column(usize, bool),
    Selector(Function, bool),
    Comparer(Function),
}

fn sort_key(table: &Table, value: &Value, descending: bool) -> Result<SortKey, MError> {
    match value.plain() {
        Value::Text(name) => {
            let i = table.fields().position(name).ok_or_else(|| missing_column(name, table))?;
            Ok(SortKey::Column(i, descending))
        }
        Value::Function(function) => {
            let arity = match &*super::super::evaluate::function_type(function) {
                MType { kind: TypeKind::Function(Some(f)), .. } => f.parameters.len(),
                _ => 1,
            };
            Ok(if arity == 2 {
                SortKey::Comparer(function.clone())
            } else {
                SortKey::Selector(function.clone(), descending)
            })
        }
        other => Err(cannot_convert(other, "Text")),
    }
}

fn sort_criteria(table: &Table, criteria: &Value) -> Result<Vec<SortKey>, MError> {
    let criterion = |value: &Value| -> Result<SortKey, MError> {
        match value.plain() {
            Value::List(pair) => {
                let parts = pair.values()?;
                let [key, order] = parts.as_slice() else {
                    return Err(MError::expression(
                        "A sort criterion is a column name, a function, or a list {criterion, Order.Type}.",
                    ));
                };
                sort_key(table, key, super::number_arg(order.plain())? == 1.0)
            }
            other => sort_key(table, other, false),
        }
    };
    match criteria {
        Value::List(list) => {
            let items = list.values()?;
            // `{"Name", Order.Descending}` is one criterion; `{{"A", 0}, "B"}` is several.
            if let [Value::Text(_), Value::Number(_)] =
                items.iter().map(Value::plain).cloned().collect::<Vec<_>>().as_slice()
            {
                return Ok(vec![criterion(criteria)?]);
            }
            items.iter().map(criterion).collect()
        }
        other => Ok(vec![criterion(other)?]),
    }
}

/// `Table.Sort`: a stable sort by the criteria in order (nulls first ascending).
fn sort(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let keys = sort_criteria(table, &args[1])?;
    let rows = table.row_count();
    // The key values, read once per row (a selector runs once per row, not per comparison); a column
    // key, or a selector a kernel computes, is compared on its Arrow array.
    let mut key_columns: Vec<Option<Column>> = Vec::with_capacity(keys.len());
    let mut key_values: Vec<Vec<Value>> = Vec::with_capacity(keys.len());
    for key in &keys {
        let column = match key {
            SortKey::Column(c, _) => Some(table.columns()[*c].clone()),
            SortKey::Selector(f, _) => kernels::map_rows(f, table, |_| Thunk::value(Value::Null)),
            SortKey::Comparer(_) => None,
        };
        if let Some(column) = column.and_then(|c| c.arrow()).and_then(|a| Column::from_arrow(&*a)) {
            key_columns.push(Some(column));
            key_values.push(Vec::new());
            continue;
        }
        let mut values = Vec::with_capacity(rows);
        for i in 0..rows {
            crate::cancel::checkpoint();
            values.push(match key {
                SortKey::Column(c, _) => table.columns()[*c].cell(i)?,
                SortKey::Selector(f, _) => apply(f, vec![Value::Record(table.row(i))])?,
                SortKey::Comparer(_) => Value::Record(table.row(i)),
            });
        }
        key_columns.push(None);
        key_values.push(values);
    }
    let row_orders: Vec<_> = key_columns.iter().map(|c| c.as_ref().and_then(Column::row_order)).collect();
    let failure: RefCell<Option<MError>> = RefCell::new(None);
    let mut order: Vec<usize> = (0..rows).collect();
    super::stable_sort(&mut order, |a, b| {
        if failure.borrow().is_some() {
            return Ordering::Equal;
        }
        for ((key, values), row_order) in keys.iter().zip(&key_values).zip(&row_orders) {
            let outcome = match key {
                SortKey::Column(_, descending) | SortKey::Selector(_, descending) => match row_order {
                    Some(row_order) => Ok(row_order(a, b)),
                    None => sort_order(&values[a], &values[b]),
                }
                .map(|o| if *descending { o.reverse() } else { o }),
                SortKey::Comparer(f) => apply(f, vec![values[a].clone(), values[b].clone()])
                    .and_then(|v| super::number_arg(v.plain()))
                    .map(|n| n.partial_cmp(&0.0).unwrap_or(Ordering::Equal)),
            };
            match outcome {
                Ok(Ordering::Equal) => continue,
                Ok(ordering) => return ordering,
                Err(error) => {
                    *failure.borrow_mut() = Some(error);
                    return Ordering::Equal;
                }
            }
        }
        Ordering::Equal
    });
    if let Some(error) = failure.into_inner() {
        return Err(error);
    }
    Ok(Value::Table(take_rows(table, &order)))
}

/// The number of leading rows a count or a condition (rows while it holds) selects.
fn leading_rows(table: &Table, count_or_condition: &Value) -> Result<usize, MError> {
    match count_or_condition {
        Value::Function(condition) => {
            let mut n = 0;
            while n < table.row_count() && passes(condition, table.row(n))? {
                crate::cancel::checkpoint();
                n += 1;
            }
            Ok(n)
        }
        other => Ok(count_arg(other)?.min(table.row_count())),
    }
}

fn first_n(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let n = leading_rows(table, &args[1])?;
    Ok(Value::Table(take_rows(table, &(0..n).collect::<Vec<_>>())))
}

fn skip(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let n = match &args[1] {
        Value::Null => 1.min(table.row_count()),
        other => leading_rows(table, other)?,
    };
    Ok(Value::Table(take_rows(table, &(n..table.row_count()).collect::<Vec<_>>())))
}

fn combine(args: &[Value]) -> Outcome {
    let tables: Vec<Table> = list_arg(&args[0])?
        .values()?
        .iter()
        .map(|t| table_arg(t.plain()).cloned())
        .collect::<Result<_, _>>()?;
    if !args[1].is_null() {
        return Err(MError::expression("Table.Combine with columns is not implemented by dfls yet"));
    }
    Ok(Value::Table(combine_tables(&tables)?))
}
