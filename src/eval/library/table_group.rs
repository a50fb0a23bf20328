//! `Table.Group` and `Table.Distinct`, hash-based ([`super::keys`]): linear in the rows, groups in the
//! order their first row appears.

use std::collections::HashMap;
use std::rc::Rc;

use arrow_array::{Array, BooleanArray, Date32Array, Float64Array, StringArray};

use super::super::evaluate::cannot_convert;
use super::super::kernels::Aggregate;
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
    let ids = match columnar_group_ids(table, key_columns) {
        Some(ids) => ids,
        None => keyed_group_ids(table, key_columns)?,
    };
    let mut order: Vec<Vec<usize>> = Vec::new();
    let mut group_of_id: Vec<usize> = Vec::new();
    let mut previous: Option<u32> = None;
    for (row, &id) in ids.iter().enumerate() {
        if local {
            if previous == Some(id) {
                order.last_mut().expect("a group is open").push(row);
            } else {
                order.push(vec![row]);
                previous = Some(id);
            }
            continue;
        }
        let id = id as usize;
        if id == group_of_id.len() {
            group_of_id.push(order.len());
            order.push(Vec::new());
        }
        order[group_of_id[id]].push(row);
    }
    Ok(order)
}

/// Each row's key as a number, numbered in order of first appearance, from the rows' key values (a cell
/// that is an error stops, the first in row order).
fn keyed_group_ids(table: &Table, key_columns: &[usize]) -> Result<Vec<u32>, MError> {
    let mut index: HashMap<Vec<Key>, u32> = HashMap::new();
    let mut ids = Vec::with_capacity(table.row_count());
    for row in 0..table.row_count() {
        crate::cancel::checkpoint();
        let key = row_key(table, key_columns, row)?;
        let next = index.len() as u32;
        ids.push(*index.entry(key).or_insert(next));
    }
    Ok(ids)
}

/// [`keyed_group_ids`] for key columns that are all Arrow arrays (no errors, one kind each): each
/// column's values numbered on the array itself, then the numbers of the columns combined pairwise, so
/// no key value is made per row. `None` when a key column is stored as cells.
fn columnar_group_ids(table: &Table, key_columns: &[usize]) -> Option<Vec<u32>> {
    let mut combined: Option<Vec<u32>> = None;
    for &c in key_columns {
        let ids = column_value_ids(&*table.columns()[c].arrow()?)?;
        combined = Some(match combined {
            None => ids,
            Some(before) => {
                let mut index: FastMap<(u32, u32), u32> = FastMap::default();
                before
                    .iter()
                    .zip(&ids)
                    .map(|(&a, &b)| {
                        let next = index.len() as u32;
                        *index.entry((a, b)).or_insert(next)
                    })
                    .collect()
            }
        });
    }
    Some(combined.unwrap_or_else(|| vec![0; table.row_count()]))
}

/// A fast hash for the grouping's small keys (numbers, pairs of numbers, short texts): the Fx hash of
/// rustc, a multiply and a rotate per word. Not resistant to chosen collisions, which a table of the
/// user's own data does not need.
#[derive(Default)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.write_u64(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, word: u32) {
        self.write_u64(u64::from(word));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Each value of an array numbered in order of first appearance, equal values (as [`key`] equates them:
/// `-0` is `0`) the same number, null one of its own.
fn column_value_ids(array: &dyn Array) -> Option<Vec<u32>> {
    fn number<T: std::hash::Hash + Eq>(len: usize, value: impl Fn(usize) -> Option<T>) -> Vec<u32> {
        let mut index: FastMap<Option<T>, u32> = FastMap::default();
        (0..len)
            .map(|row| {
                let next = index.len() as u32;
                *index.entry(value(row)).or_insert(next)
            })
            .collect()
    }
    let any = array.as_any();
    let len = array.len();
    Some(if let Some(a) = any.downcast_ref::<StringArray>() {
        number(len, |i| a.is_valid(i).then(|| a.value(i)))
    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
        number(len, |i| {
            a.is_valid(i).then(|| {
                let n = a.value(i);
                if n == 0.0 {
                    0.0f64.to_bits()
                } else {
                    n.to_bits()
                }
            })
        })
    } else if let Some(a) = any.downcast_ref::<Date32Array>() {
        number(len, |i| a.is_valid(i).then(|| a.value(i)))
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        number(len, |i| a.is_valid(i).then(|| a.value(i)))
    } else {
        return None;
    })
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
    // Each group's table, made when an aggregation reads it (once, shared by the aggregations), and
    // not at all for the aggregations computed from the columns ([`Aggregate`]).
    let groups: Vec<Rc<Vec<usize>>> = groups.into_iter().map(Rc::new).collect();
    let subtables: Vec<Thunk> = groups
        .iter()
        .map(|rows| {
            let (table, rows) = (table.clone(), rows.clone());
            Thunk::lazy(move || {
                let columns = table.columns().iter().map(|c| c.take(&rows)).collect();
                let types = table.column_types().to_vec();
                Ok(Value::Table(Table::new(table.fields().clone(), types, columns, rows.len())))
            })
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
        let cells = match Aggregate::compile(&function, table).map(Rc::new) {
            Some(aggregate) => groups
                .iter()
                .map(|rows| {
                    let (aggregate, rows) = (aggregate.clone(), rows.clone());
                    Thunk::lazy(move || aggregate.run(&rows))
                })
                .collect(),
            None => subtables
                .iter()
                .map(|sub| {
                    let (sub, function) = (sub.clone(), function.clone());
                    Thunk::lazy(move || apply(&function, vec![sub.force()?]))
                })
                .collect(),
        };
        columns.push(Column::from_thunks(cells));
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
