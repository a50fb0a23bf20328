//! `List.*` that compare items: sorting (`Sort`, `Median`), finding (`PositionOf`, `FindText`,
//! `MatchesAll`, `MatchesAny`, `AnyTrue`, `AllTrue`), counting (`Mode`, `Product`), replacing
//! (`ReplaceValue`) and the multiset operations (`Union`, `Intersect`, `Difference`, `RemoveItems`).
//!
//! Equality is M's (`=`), by the hash keys of [`super::keys`]; the multiset operations keep duplicates
//! as the reference documents (`List.Difference({1, 1, 2}, {1})` is `{1, 2}`). Custom equation
//! criteria are not implemented yet and fail with an error saying so.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

use super::super::ast::BinaryOp;
use super::super::evaluate::{cannot_convert, function_type};
use super::super::operators::{apply as apply_operator, sort_order};
use super::super::types::{MType, TypeKind};
use super::super::value::{Function, List, MError, Outcome, Thunk, Value};
use super::keys::{key, Key};
use super::{apply, function_arg, list_arg, number_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("List.Sort", sort);
    r.add("List.Union", union);
    r.add("List.Intersect", intersect);
    r.add("List.Difference", difference);
    r.add("List.RemoveItems", remove_items);
    r.add("List.ReplaceValue", replace_value);
    r.add("List.PositionOf", position_of);
    r.add("List.FindText", find_text);
    r.add("List.AnyTrue", |args| any_logical(args, true));
    r.add("List.AllTrue", |args| any_logical(args, false).map(|v| negate(&v)));
    r.add("List.MatchesAny", |args| matches(args, true));
    r.add("List.MatchesAll", |args| matches(args, false).map(|v| negate(&v)));
    r.add("List.Product", product);
    r.add("List.Median", median);
    r.add("List.Mode", mode);
}

fn no_criteria(function: &str, criteria: &Value) -> Result<(), MError> {
    if criteria.is_null() {
        return Ok(());
    }
    Err(MError::expression(format!("{function} with equationCriteria is not implemented by dfls yet")))
}

fn logical(value: &Value) -> Result<bool, MError> {
    match value.plain() {
        Value::Logical(b) => Ok(*b),
        other => Err(cannot_convert(other, "Logical")),
    }
}

fn negate(value: &Value) -> Value {
    Value::Logical(!matches!(value, Value::Logical(true)))
}

/// Whether an item is `wanted` (`List.AnyTrue`), or, negated, whether none is false (`List.AllTrue`);
/// every item must be a logical up to the one that decides.
fn any_logical(args: &[Value], wanted: bool) -> Outcome {
    for item in list_arg(&args[0])?.thunks() {
        crate::cancel::checkpoint();
        if logical(&item.force()?)? == wanted {
            return Ok(Value::Logical(true));
        }
    }
    Ok(Value::Logical(false))
}

/// Whether the condition gives `wanted` for an item (`MatchesAny`), or, negated, for none (`MatchesAll`
/// asks whether the condition is false for none).
fn matches(args: &[Value], wanted: bool) -> Outcome {
    let condition = function_arg(&args[1])?;
    for item in list_arg(&args[0])?.thunks() {
        crate::cancel::checkpoint();
        if logical(&apply(condition, vec![item.force()?])?)? == wanted {
            return Ok(Value::Logical(true));
        }
    }
    Ok(Value::Logical(false))
}

/// How many times each key occurs.
fn counts(values: &[Value]) -> HashMap<Key, usize> {
    let mut counts = HashMap::new();
    for value in values {
        *counts.entry(key(value)).or_insert(0) += 1;
    }
    counts
}

/// The lists of a list of lists, each read whole.
fn lists_of(value: &Value) -> Result<Vec<Vec<Value>>, MError> {
    list_arg(value)?
        .values()?
        .iter()
        .map(|item| match item.plain() {
            Value::List(list) => list.values(),
            other => Err(cannot_convert(other, "List")),
        })
        .collect()
}

/// `List.Union(lists)`: every item of the first list, then of each further list the items beyond the
/// number of times the union already holds them.
fn union(args: &[Value]) -> Outcome {
    no_criteria("List.Union", &args[1])?;
    let mut result: Vec<Value> = Vec::new();
    let mut held: HashMap<Key, usize> = HashMap::new();
    for list in lists_of(&args[0])? {
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for value in list {
            crate::cancel::checkpoint();
            let k = key(&value);
            let seen = seen.entry(k.clone()).or_insert(0);
            *seen += 1;
            let held = held.entry(k).or_insert(0);
            if *seen > *held {
                *held += 1;
                result.push(value);
            }
        }
    }
    Ok(Value::List(List::from_values(result)))
}

/// `List.Intersect(lists)`: the items of the first list that every other list holds as many times, in
/// the first list's order.
fn intersect(args: &[Value]) -> Outcome {
    no_criteria("List.Intersect", &args[1])?;
    let mut lists = lists_of(&args[0])?.into_iter();
    let Some(mut result) = lists.next() else { return Ok(Value::List(List::from_values(Vec::new()))) };
    for other in lists {
        let mut available = counts(&other);
        result.retain(|value| match available.get_mut(&key(value)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        });
    }
    Ok(Value::List(List::from_values(result)))
}

/// `List.Difference(list1, list2)`: the items of `list1`, each item of `list2` taking away one equal
/// item.
fn difference(args: &[Value]) -> Outcome {
    no_criteria("List.Difference", &args[2])?;
    let mut taken = counts(&list_arg(&args[1])?.values()?);
    let mut kept = list_arg(&args[0])?.values()?;
    kept.retain(|value| match taken.get_mut(&key(value)) {
        Some(n) if *n > 0 => {
            *n -= 1;
            false
        }
        _ => true,
    });
    Ok(Value::List(List::from_values(kept)))
}

/// `List.RemoveItems(list1, list2)`: the items of `list1` equal to no item of `list2`.
fn remove_items(args: &[Value]) -> Outcome {
    let removed = counts(&list_arg(&args[1])?.values()?);
    let mut kept = list_arg(&args[0])?.values()?;
    kept.retain(|value| !removed.contains_key(&key(value)));
    Ok(Value::List(List::from_values(kept)))
}

/// `List.ReplaceValue(list, oldValue, newValue, replacer)`: each item through
/// `replacer(item, oldValue, newValue)` (`Replacer.ReplaceValue`, `Replacer.ReplaceText`), when read.
fn replace_value(args: &[Value]) -> Outcome {
    let replacer = function_arg(&args[3])?.clone();
    let items = list_arg(&args[0])?
        .thunks()
        .iter()
        .map(|item| {
            let (item, replacer, old, new) =
                (item.clone(), replacer.clone(), args[1].clone(), args[2].clone());
            Thunk::lazy(move || apply(&replacer, vec![item.force()?, old, new]))
        })
        .collect();
    Ok(Value::List(List::from_thunks(items)))
}

/// `List.PositionOf(list, value, occurrence)`: the first position (`Occurrence.First`, the default),
/// the last (`Occurrence.Last`), -1 when there is none, or the list of all (`Occurrence.All`).
fn position_of(args: &[Value]) -> Outcome {
    no_criteria("List.PositionOf", &args[3])?;
    let occurrence = match &args[2] {
        Value::Null => 0,
        other => number_arg(other)? as i64,
    };
    let mut found = Vec::new();
    for (i, item) in list_arg(&args[0])?.thunks().iter().enumerate() {
        crate::cancel::checkpoint();
        if super::super::operators::equal(&item.force()?, &args[1])? {
            if occurrence == 0 {
                return Ok(Value::Number(i as f64));
            }
            found.push(i);
        }
    }
    Ok(match occurrence {
        0 => Value::Number(-1.0),
        1 => Value::Number(found.last().map_or(-1.0, |&i| i as f64)),
        2 => Value::List(List::from_values(found.into_iter().map(|i| Value::Number(i as f64)).collect())),
        _ => {
            return Err(MError::expression("The Occurrence value is not valid.").with_detail(args[2].clone()))
        }
    })
}

/// `List.FindText(list, text)`: the text items that contain the text (ordinal, case-sensitive).
fn find_text(args: &[Value]) -> Outcome {
    let text = text_arg(&args[1])?;
    let values = list_arg(&args[0])?.values()?;
    let found =
        values.into_iter().filter(|v| matches!(v.plain(), Value::Text(t) if t.contains(text))).collect();
    Ok(Value::List(List::from_values(found)))
}

/// `List.Product`: the product of the non-null numbers; null when there are none.
fn product(args: &[Value]) -> Outcome {
    let mut total: Option<f64> = None;
    for value in list_arg(&args[0])?.values()? {
        if !value.is_null() {
            total = Some(total.unwrap_or(1.0) * number_arg(&value)?);
        }
    }
    Ok(total.map_or(Value::Null, Value::Number))
}

/// The non-null items in order (stable; null first is moot as there are none).
fn sorted_non_null(list: &List) -> Result<Vec<Value>, MError> {
    let values: Vec<Value> = list.values()?.into_iter().filter(|v| !v.is_null()).collect();
    sort_values(values, &Criterion::Ascending)
}

/// `List.Median(list)`: the middle item of the sorted non-null items; of an even number, the mean of
/// the two middle ones when all items are numbers, durations, datetimes or times (all of one kind), the
/// smaller of them otherwise. Null when there are no non-null items.
fn median(args: &[Value]) -> Outcome {
    if !args[1].is_null() {
        return Err(MError::expression("List.Median with comparisonCriteria is not implemented by dfls yet"));
    }
    let values = sorted_non_null(list_arg(&args[0])?)?;
    let n = values.len();
    if n == 0 {
        return Ok(Value::Null);
    }
    if n % 2 == 1 {
        return Ok(values[n / 2].clone());
    }
    let (low, high) = (&values[n / 2 - 1], &values[n / 2]);
    let averageable = |v: &Value| {
        matches!(
            (v.plain(), values[0].plain()),
            (Value::Number(_), Value::Number(_))
                | (Value::Duration(_), Value::Duration(_))
                | (Value::DateTime(_), Value::DateTime(_))
                | (Value::Time(_), Value::Time(_))
        )
    };
    if !values.iter().all(averageable) {
        return Ok(low.clone());
    }
    if let (Value::Number(a), Value::Number(b)) = (low.plain(), high.plain()) {
        return Ok(Value::Number((a + b) / 2.0));
    }
    // low + (high - low) / 2: a duration halfway, added to the lower one.
    let half = apply_operator(
        BinaryOp::Divide,
        &apply_operator(BinaryOp::Subtract, high, low)?,
        &Value::Number(2.0),
    )?;
    apply_operator(BinaryOp::Add, low, &half)
}

/// `List.Mode(list)`: the item that occurs most often; of items as frequent, the one that appears
/// last. An empty list is an error.
fn mode(args: &[Value]) -> Outcome {
    no_criteria("List.Mode", &args[1])?;
    let values = list_arg(&args[0])?.values()?;
    if values.is_empty() {
        return Err(MError::expression("The list is empty."));
    }
    let counts = counts(&values);
    let mut best: Option<(&Value, usize)> = None;
    for value in &values {
        let count = counts[&key(value)];
        if best.is_none_or(|(_, most)| count >= most) {
            best = Some((value, count));
        }
    }
    Ok(best.expect("a non-empty list").0.clone())
}

/// A `comparisonCriteria` of `List.Sort`.
enum Criterion {
    Ascending,
    Descending,
    /// A function of one item: its result is the sort key.
    Key(Function, bool),
    /// A function of two items: negative, zero or positive, as `Value.Compare` answers.
    Comparer(Function),
}

fn criterion(value: &Value) -> Result<Criterion, MError> {
    match value.plain() {
        Value::Null => Ok(Criterion::Ascending),
        Value::Number(n) if *n == 0.0 => Ok(Criterion::Ascending),
        Value::Number(n) if *n == 1.0 => Ok(Criterion::Descending),
        Value::Function(f) => Ok(match &*function_type(f) {
            MType { kind: TypeKind::Function(Some(t)), .. } if t.parameters.len() == 2 => {
                Criterion::Comparer(f.clone())
            }
            _ => Criterion::Key(f.clone(), false),
        }),
        Value::List(pair) => match pair.values()?.as_slice() {
            [Value::Function(f), order] => Ok(Criterion::Key(f.clone(), number_arg(order.plain())? == 1.0)),
            _ => Err(bad_criterion(value)),
        },
        _ => Err(bad_criterion(value)),
    }
}

fn bad_criterion(value: &Value) -> MError {
    MError::expression(
        "A comparisonCriteria is Order.Ascending, Order.Descending, a function of one or two items, or {function, order}.",
    )
    .with_detail(value.clone())
}

/// The values sorted stably by a criterion (nulls first ascending, as `Value.Compare` orders them).
fn sort_values(values: Vec<Value>, criterion: &Criterion) -> Result<Vec<Value>, MError> {
    let keys: Vec<Value> = match criterion {
        Criterion::Key(f, _) => values.iter().map(|v| apply(f, vec![v.clone()])).collect::<Result<_, _>>()?,
        _ => values.clone(),
    };
    let failure: RefCell<Option<MError>> = RefCell::new(None);
    let mut order: Vec<usize> = (0..values.len()).collect();
    super::stable_sort(&mut order, |a, b| {
        if failure.borrow().is_some() {
            return Ordering::Equal;
        }
        let outcome = match criterion {
            Criterion::Ascending | Criterion::Key(_, false) => sort_order(&keys[a], &keys[b]),
            Criterion::Descending | Criterion::Key(_, true) => sort_order(&keys[b], &keys[a]),
            Criterion::Comparer(f) => apply(f, vec![keys[a].clone(), keys[b].clone()])
                .and_then(|v| number_arg(v.plain()))
                .map(|n| n.partial_cmp(&0.0).unwrap_or(Ordering::Equal)),
        };
        outcome.unwrap_or_else(|error| {
            *failure.borrow_mut() = Some(error);
            Ordering::Equal
        })
    });
    if let Some(error) = failure.into_inner() {
        return Err(error);
    }
    Ok(order.into_iter().map(|i| values[i].clone()).collect())
}

/// `List.Sort(list, comparisonCriteria)`.
fn sort(args: &[Value]) -> Outcome {
    let criterion = criterion(&args[1])?;
    let sorted = sort_values(list_arg(&args[0])?.values()?, &criterion)?;
    Ok(Value::List(List::from_values(sorted)))
}
