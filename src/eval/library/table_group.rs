//! `Table.Group` and `Table.Distinct`, hash-based ([`super::keys`]): linear in the rows, groups in the
//! order their first row appears.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::evaluate::cannot_convert;
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Thunk, Value};
use super::keys::{row_key, Key};
use super::{apply, function_arg, names_arg, table_arg, text_arg, type_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Table.Group", group);
    r.add("Table.Distinct", distinct);
}

/// The rows of each group, in order of first appearance; `local` groups only consecutive rows.
fn groups(table: &Table, key_columns: &[usize], local: bool) -> Result<Vec<Vec<usize>>, MError> {
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<Vec<Key>, usize> = HashMap::new();
    let mut previous: Option<Vec<Key>> = None;
    for row in 0..table.row_count() {
        crate::cancel::checkpoint();
        let key = row_key(table, key_columns, row)?;
        if local {
            if previous.as_ref() == Some(&key) {
                order.last_mut().expect("a group is open").push(row);
            } else {
                order.push(vec![row]);
                previous = Some(key);
            }
            continue;
        }
        match index.get(&key) {
            Some(&g) => order[g].push(row),
            None => {
                index.insert(key, order.len());
                order.push(vec![row]);
            }
        }
    }
    Ok(order)
}

/// `Table.Group(table, key, aggregatedColumns, groupKind)`: a row per group with the key columns and one
/// column per aggregation `{name, function of the group's table, type}`, each computed when read.
fn group(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let key_names = names_arg(&args[1])?;
    let key_columns = super::column_positions(table, &key_names)?;
    if !args[4].is_null() {
        return Err(MError::expression("Table.Group with a comparer is not implemented by dfls yet"));
    }
    let local = matches!(args[3], Value::Number(n) if n == 0.0);
    let list = super::list_arg(&args[2])?.values()?;
    let aggregations: Vec<Vec<Value>> = if list.first().is_some_and(|v| matches!(v.plain(), Value::Text(_))) {
        vec![list]
    } else {
        list.iter()
            .map(|item| match item.plain() {
                Value::List(l) => l.values(),
                other => Err(cannot_convert(other, "List")),
            })
            .collect::<Result<_, _>>()?
    };
    let groups = groups(table, &key_columns, local)?;
    let mut names: Vec<Rc<str>> = key_names.clone();
    let mut types: Vec<Rc<MType>> = key_columns.iter().map(|&c| table.column_types()[c].clone()).collect();
    let mut columns: Vec<Column> = key_columns
        .iter()
        .map(|&c| table.columns()[c].take(&groups.iter().map(|g| g[0]).collect::<Vec<_>>()))
        .collect();
    let subtables: Vec<Table> = groups
        .iter()
        .map(|rows| {
            let columns = table.columns().iter().map(|c| c.take(rows)).collect();
            Table::new(table.fields().clone(), table.column_types().to_vec(), columns, rows.len())
        })
        .collect();
    for aggregation in aggregations {
        let (name, function, ty) = match aggregation.as_slice() {
            [name, function] => (name, function, None),
            [name, function, ty] => (name, function, Some(type_arg(ty.plain())?.clone())),
            _ => {
                return Err(MError::expression(
                    "An aggregation is a list {column name, function, optional type}.",
                ))
            }
        };
        names.push(Rc::from(text_arg(name.plain())?));
        types.push(ty.unwrap_or_else(MType::any));
        let function = function_arg(function.plain())?.clone();
        columns.push(Column::from_thunks(
            subtables
                .iter()
                .map(|sub| {
                    let (sub, function) = (sub.clone(), function.clone());
                    Thunk::lazy(move || apply(&function, vec![Value::Table(sub)]))
                })
                .collect(),
        ));
    }
    let fields = super::new_fields(names)?;
    Ok(Value::Table(Table::new(fields, types, columns, groups.len())))
}

/// `Table.Distinct(table, columns)`: the first row of each distinct value of the columns (all of them by
/// default).
fn distinct(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let columns: Vec<usize> = match &args[1] {
        Value::Null => (0..table.columns().len()).collect(),
        Value::Text(_) | Value::List(_) => super::column_positions(table, &names_arg(&args[1])?)?,
        _ => return Err(MError::expression("Table.Distinct with a comparer is not implemented by dfls yet")),
    };
    let firsts: Vec<usize> = groups(table, &columns, false)?.into_iter().map(|g| g[0]).collect();
    let taken = table.columns().iter().map(|c| c.take(&firsts)).collect();
    Ok(Value::Table(Table::new(table.fields().clone(), table.column_types().to_vec(), taken, firsts.len())))
}
