//! `List.*` that take, skip, reorder, cut, join and generate items: `FirstN`, `LastN`, `Skip`, `Range`,
//! `Positions`, `Reverse`, `RemoveNulls`, `Split`, `Repeat`, `Zip`, `Combine`, `Numbers`, `Dates`,
//! `Buffer`, `IsEmpty`, `NonNullCount`. Items that are only moved stay lazy: an item that is an error
//! fails only when it is read.

use super::super::ast::BinaryOp;
use super::super::evaluate::cannot_convert;
use super::super::operators::apply as apply_operator;
use super::super::value::{List, MError, Outcome, Thunk, Value};
use super::{apply, count_arg, list_arg, number_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("List.FirstN", first_n);
    r.add("List.LastN", last_n);
    r.add("List.Skip", skip);
    r.add("List.Range", range);
    r.add("List.Positions", positions);
    r.add("List.Reverse", reverse);
    r.add("List.RemoveNulls", remove_nulls);
    r.add("List.Split", split);
    r.add("List.Repeat", repeat);
    r.add("List.Zip", zip);
    r.add("List.Combine", combine);
    r.add("List.Numbers", numbers);
    r.add("List.Dates", dates);
    r.add("List.Buffer", buffer);
    r.add("List.IsEmpty", |args| Ok(Value::Logical(list_arg(&args[0])?.is_empty())));
    r.add("List.NonNullCount", non_null_count);
}

fn of_thunks(thunks: &[Thunk]) -> Outcome {
    Ok(Value::List(List::from_thunks(thunks.to_vec())))
}

/// Whether `condition(item)` is true; any other answer is M's conversion error.
fn holds(condition: &Value, item: &Thunk) -> Result<bool, MError> {
    let Value::Function(condition) = condition else { unreachable!("checked by the caller") };
    match apply(condition, vec![item.force()?])?.plain() {
        Value::Logical(b) => Ok(*b),
        other => Err(cannot_convert(other, "Logical")),
    }
}

/// How many items a `countOrCondition` covers from the start (`from_end` false) or from the end: a
/// count (at most the list's length), or the items while the condition holds. Omitted, it is 1.
fn covered(items: &[Thunk], count_or_condition: &Value, from_end: bool) -> Result<usize, MError> {
    match count_or_condition {
        Value::Null => Ok(1.min(items.len())),
        Value::Function(_) => {
            let mut n = 0;
            while n < items.len() {
                crate::cancel::checkpoint();
                let item = if from_end { &items[items.len() - 1 - n] } else { &items[n] };
                if !holds(count_or_condition, item)? {
                    break;
                }
                n += 1;
            }
            Ok(n)
        }
        other => Ok(count_arg(other)?.min(items.len())),
    }
}

/// `List.FirstN(list, countOrCondition)`: the first items, by count or while the condition holds.
fn first_n(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks();
    of_thunks(&items[..covered(items, &args[1], false)?])
}

/// `List.LastN(list, countOrCondition)`: the last items, by count or (from the end) while the condition
/// holds, in their order.
fn last_n(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks();
    of_thunks(&items[items.len() - covered(items, &args[1], true)?..])
}

/// `List.Skip(list, countOrCondition)`: without the first items (one when omitted).
fn skip(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks();
    of_thunks(&items[covered(items, &args[1], false)?..])
}

/// `List.Range(list, offset, count)`: `count` items (all the rest when omitted) from the zero-based
/// offset; an offset past the end gives an empty list.
fn range(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks();
    let start = count_arg(&args[1])?.min(items.len());
    let end = match &args[2] {
        Value::Null => items.len(),
        count => start.saturating_add(count_arg(count)?).min(items.len()),
    };
    of_thunks(&items[start..end])
}

fn positions(args: &[Value]) -> Outcome {
    let n = list_arg(&args[0])?.len();
    Ok(Value::List(List::from_values((0..n).map(|i| Value::Number(i as f64)).collect())))
}

fn reverse(args: &[Value]) -> Outcome {
    let mut items = list_arg(&args[0])?.thunks().to_vec();
    items.reverse();
    of_thunks(&items)
}

/// `List.RemoveNulls`: reads every item to know which are null.
fn remove_nulls(args: &[Value]) -> Outcome {
    let kept: Vec<Value> = list_arg(&args[0])?.values()?.into_iter().filter(|v| !v.is_null()).collect();
    Ok(Value::List(List::from_values(kept)))
}

fn non_null_count(args: &[Value]) -> Outcome {
    let values = list_arg(&args[0])?.values()?;
    Ok(Value::Number(values.iter().filter(|v| !v.is_null()).count() as f64))
}

/// `List.Split(list, pageSize)`: lists of `pageSize` items, the last one shorter when the items run out.
fn split(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks();
    let size = count_arg(&args[1])?;
    if size == 0 {
        return Err(MError::expression("The page size of List.Split must be greater than 0.")
            .with_detail(args[1].clone()));
    }
    let pages = items.chunks(size).map(|page| Value::List(List::from_thunks(page.to_vec()))).collect();
    Ok(Value::List(List::from_values(pages)))
}

/// `List.Repeat(list, count)`: the list's items `count` times over.
fn repeat(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks();
    let count = count_arg(&args[1])?;
    if items.len().saturating_mul(count) > MAX_GENERATED {
        return Err(too_long(items.len() as f64 * count as f64));
    }
    let repeated: Vec<Thunk> = (0..count).flat_map(|_| items.iter().cloned()).collect();
    of_thunks(&repeated)
}

/// `List.Zip(lists)`: the first items of each list, then the second items, ...; a list that runs out
/// gives null.
fn zip(args: &[Value]) -> Outcome {
    let lists = inner_lists(&args[0])?;
    let longest = lists.iter().map(List::len).max().unwrap_or(0);
    let rows = (0..longest)
        .map(|i| {
            let row = lists.iter().map(|l| l.thunks().get(i).cloned().unwrap_or(Thunk::value(Value::Null)));
            Value::List(List::from_thunks(row.collect()))
        })
        .collect();
    Ok(Value::List(List::from_values(rows)))
}

/// The items of a list of lists, each one a list.
fn inner_lists(value: &Value) -> Result<Vec<List>, MError> {
    list_arg(value)?
        .values()?
        .into_iter()
        .map(|item| match item.plain() {
            Value::List(list) => Ok(list.clone()),
            other => Err(cannot_convert(other, "List")),
        })
        .collect()
}

/// `List.Combine(lists)`: the lists one after another.
fn combine(args: &[Value]) -> Outcome {
    let items: Vec<Thunk> = inner_lists(&args[0])?.iter().flat_map(|l| l.thunks().to_vec()).collect();
    of_thunks(&items)
}

/// The most items `List.Numbers`, `List.Dates` and `List.Repeat` make: a count beyond it is a mistake
/// (or a hostile program), not a list anyone can hold in memory.
const MAX_GENERATED: usize = 100_000_000;

fn too_long(count: f64) -> MError {
    MError::expression(format!(
        "A list of {} items is more than dfls makes ({MAX_GENERATED}).",
        super::super::render::format_number(count)
    ))
}

fn generated_count(value: &Value) -> Result<usize, MError> {
    let count = count_arg(value)?;
    if count > MAX_GENERATED {
        return Err(too_long(count as f64));
    }
    Ok(count)
}

/// `List.Numbers(start, count, increment)`: `count` numbers from `start`, `increment` (1 when omitted)
/// apart.
fn numbers(args: &[Value]) -> Outcome {
    let start = number_arg(&args[0])?;
    let count = generated_count(&args[1])?;
    let step = match &args[2] {
        Value::Null => 1.0,
        other => number_arg(other)?,
    };
    Ok(Value::List(List::from_values((0..count).map(|i| Value::Number(start + step * i as f64)).collect())))
}

/// `List.Dates(start, count, step)`: `count` dates from `start`, `step` (a duration) apart, each
/// computed as `start + step * i` the way M adds a duration to a date.
fn dates(args: &[Value]) -> Outcome {
    let count = generated_count(&args[1])?;
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        crate::cancel::checkpoint();
        let offset = apply_operator(BinaryOp::Multiply, &args[2], &Value::Number(i as f64))?;
        items.push(apply_operator(BinaryOp::Add, &args[0], &offset)?);
    }
    Ok(Value::List(List::from_values(items)))
}

/// `List.Buffer(list)`: every item read now (an item that is an error fails the call).
fn buffer(args: &[Value]) -> Outcome {
    Ok(Value::List(List::from_values(list_arg(&args[0])?.values()?)))
}
