//! `Splitter.*`: functions that make splitting functions (`Table.FromList` takes one).

use std::rc::Rc;

use super::super::types::MType;
use super::super::value::{Function, List, MError, Native, Outcome, Value};
use super::{opt_text, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Splitter.SplitByNothing", split_by_nothing);
    r.add("Splitter.SplitTextByDelimiter", split_text_by_delimiter);
}

fn splitter(run: impl Fn(&Value) -> Outcome + 'static) -> Value {
    Value::Function(Function::Native(Rc::new(Native {
        ty: MType::primitive("function").expect("primitive"),
        run: Box::new(move |arguments: Vec<Value>| match arguments.as_slice() {
            [value] => run(value.plain()),
            _ => Err(super::super::evaluate::arity_error(arguments.len(), 1, 1)),
        }),
    })))
}

/// A splitter that gives its input, whole, as a one-item list.
fn split_by_nothing(_: &[Value]) -> Outcome {
    Ok(splitter(|value| Ok(Value::List(List::from_values(vec![value.clone()])))))
}

/// A splitter of texts at a delimiter; with `QuoteStyle.Csv` (the default) a delimiter inside `"..."`
/// does not split and the quotes are removed.
fn split_text_by_delimiter(args: &[Value]) -> Outcome {
    let delimiter = text_arg(&args[0])?.to_owned();
    let csv = match &args[1] {
        Value::Null => true,
        other => super::number_arg(other)? != 0.0,
    };
    Ok(splitter(move |value| {
        let Some(text) = opt_text(value)? else { return Ok(Value::Null) };
        Ok(Value::List(List::from_values(
            split(text, &delimiter, csv)?.into_iter().map(|p| Value::text(&p)).collect(),
        )))
    }))
}

fn split(text: &str, delimiter: &str, csv: bool) -> Result<Vec<String>, MError> {
    if delimiter.is_empty() {
        return Ok(vec![text.to_owned()]);
    }
    if !csv {
        return Ok(text.split(delimiter).map(str::to_owned).collect());
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut rest = text;
    let mut quoted = false;
    while !rest.is_empty() {
        if quoted {
            if let Some(after) = rest.strip_prefix("\"\"") {
                current.push('"');
                rest = after;
            } else if let Some(after) = rest.strip_prefix('"') {
                quoted = false;
                rest = after;
            } else {
                let c = rest.chars().next().expect("not empty");
                current.push(c);
                rest = &rest[c.len_utf8()..];
            }
        } else if let Some(after) = rest.strip_prefix(delimiter) {
            parts.push(std::mem::take(&mut current));
            rest = after;
        } else if current.is_empty() && rest.starts_with('"') {
            quoted = true;
            rest = &rest[1..];
        } else {
            let c = rest.chars().next().expect("not empty");
            current.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    parts.push(current);
    Ok(parts)
}
