//! `List.*`: transforming, selecting, counting, aggregating and generating lists. Transformed items stay
//! lazy (an item whose transform fails is an error only when read); aggregates read every item.

use std::cmp::Ordering;

use super::super::ast::BinaryOp;
use super::super::evaluate::cannot_convert;
use super::super::operators::{apply as apply_operator, sort_order};
use super::super::value::{List, MError, Outcome, Thunk, Value};
use super::{apply, function_arg, list_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("List.Transform", transform);
    r.add("List.Count", count);
    r.add("List.Select", select);
    r.add("List.Sum", sum);
    r.add("List.Min", min);
    r.add("List.Max", max);
    r.add("List.First", first);
    r.add("List.Last", last);
    r.add("List.Accumulate", accumulate);
    r.add("List.Generate", generate);
    r.add("List.Average", average);
    r.add("List.Distinct", distinct);
    r.add("List.Contains", contains);
}

/// `List.Contains(list, value)`: whether an item equals the value (items read until one does).
fn contains(args: &[Value]) -> Outcome {
    if !args[2].is_null() {
        return Err(MError::expression("List.Contains with equationCriteria is not implemented by dfls yet"));
    }
    for item in list_arg(&args[0])?.thunks() {
        crate::cancel::checkpoint();
        if super::super::operators::equal(&item.force()?, &args[1])? {
            return Ok(Value::Logical(true));
        }
    }
    Ok(Value::Logical(false))
}

/// `List.Average`: the mean of the non-null numbers (or durations); null when there are none.
fn average(args: &[Value]) -> Outcome {
    let values: Vec<Value> = list_arg(&args[0])?.values()?.into_iter().filter(|v| !v.is_null()).collect();
    if values.is_empty() {
        return Ok(Value::Null);
    }
    let count = values.len() as f64;
    let total = sum(&[Value::List(List::from_values(values)), Value::Null])?;
    apply_operator(BinaryOp::Divide, &total, &Value::Number(count))
}

/// `List.Distinct`: the first of each set of equal items, in order.
fn distinct(args: &[Value]) -> Outcome {
    if !args[1].is_null() {
        return Err(MError::expression("List.Distinct with equationCriteria is not implemented by dfls yet"));
    }
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::new();
    for value in list_arg(&args[0])?.values()? {
        crate::cancel::checkpoint();
        if seen.insert(super::keys::key(&value)) {
            kept.push(value);
        }
    }
    Ok(Value::List(List::from_values(kept)))
}

fn logical(value: Value) -> Result<bool, MError> {
    match value.plain() {
        Value::Logical(b) => Ok(*b),
        other => Err(cannot_convert(other, "Logical")),
    }
}

fn transform(args: &[Value]) -> Outcome {
    let list = list_arg(&args[0])?;
    let function = function_arg(&args[1])?;
    let items = list
        .thunks()
        .iter()
        .map(|item| {
            let item = item.clone();
            let function = function.clone();
            Thunk::lazy(move || apply(&function, vec![item.force()?]))
        })
        .collect();
    Ok(Value::List(List::from_thunks(items)))
}

fn count(args: &[Value]) -> Outcome {
    Ok(Value::Number(list_arg(&args[0])?.len() as f64))
}

fn select(args: &[Value]) -> Outcome {
    let list = list_arg(&args[0])?;
    let function = function_arg(&args[1])?;
    let mut kept = Vec::new();
    for item in list.thunks().iter() {
        crate::cancel::checkpoint();
        let value = item.force()?;
        if logical(apply(function, vec![value.clone()])?)? {
            kept.push(Thunk::value(value));
        }
    }
    Ok(Value::List(List::from_thunks(kept)))
}

/// `List.Sum`: the sum of the non-null items (numbers or durations); null when there are none.
fn sum(args: &[Value]) -> Outcome {
    let mut total: Option<Value> = None;
    for value in list_arg(&args[0])?.values()? {
        if value.is_null() {
            continue;
        }
        total = Some(match total {
            None => match value.plain() {
                Value::Number(_) | Value::Duration(_) => value.plain().clone(),
                other => return Err(cannot_convert(other, "Number")),
            },
            Some(so_far) => apply_operator(BinaryOp::Add, &so_far, &value)?,
        });
    }
    Ok(total.unwrap_or(Value::Null))
}

/// The least (or greatest) item: nulls skipped unless `includeNulls`, `default` for an empty list.
fn extreme(args: &[Value], wanted: Ordering) -> Outcome {
    if !args[2].is_null() {
        return Err(MError::expression(
            "List.Min and List.Max with comparisonCriteria are not implemented by dfls yet",
        ));
    }
    let include_nulls = matches!(args[3], Value::Logical(true));
    let mut best: Option<Value> = None;
    for value in list_arg(&args[0])?.values()? {
        if value.is_null() && !include_nulls {
            continue;
        }
        best = Some(match best {
            Some(current) if sort_order(&value, &current)? != wanted => current,
            _ => value,
        });
    }
    Ok(best.unwrap_or_else(|| args[1].clone()))
}

fn min(args: &[Value]) -> Outcome {
    extreme(args, Ordering::Less)
}

fn max(args: &[Value]) -> Outcome {
    extreme(args, Ordering::Greater)
}

fn first(args: &[Value]) -> Outcome {
    let list = list_arg(&args[0])?;
    list.get(0).unwrap_or_else(|| Ok(args[1].clone()))
}

fn last(args: &[Value]) -> Outcome {
    let list = list_arg(&args[0])?;
    match list.len() {
        0 => Ok(args[1].clone()),
        n => list.get(n - 1).expect("in range"),
    }
}

/// `List.Accumulate(list, seed, accumulator)`: `accumulator(state, item)` over the items in order.
fn accumulate(args: &[Value]) -> Outcome {
    let function = function_arg(&args[2])?;
    let mut state = args[1].clone();
    for item in list_arg(&args[0])?.thunks().iter() {
        crate::cancel::checkpoint();
        state = apply(function, vec![state, item.force()?])?;
    }
    Ok(state)
}

/// `List.Generate(initial, condition, next, selector)`: values from `initial()` while `condition` holds,
/// each from the one before by `next`, each given through `selector` when there is one.
fn generate(args: &[Value]) -> Outcome {
    let initial = function_arg(&args[0])?;
    let condition = function_arg(&args[1])?;
    let next = function_arg(&args[2])?;
    let selector = match &args[3] {
        Value::Null => None,
        other => Some(function_arg(other)?),
    };
    let mut items = Vec::new();
    let mut current = apply(initial, Vec::new())?;
    while logical(apply(condition, vec![current.clone()])?)? {
        crate::cancel::checkpoint();
        items.push(match selector {
            Some(selector) => apply(selector, vec![current.clone()])?,
            None => current.clone(),
        });
        current = apply(next, vec![current])?;
    }
    Ok(Value::List(List::from_values(items)))
}
