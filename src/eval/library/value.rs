//! `Value.*`, `Type.*`, `Error.Record` and `Logical.From`: types, metadata, equality and error records.

use std::rc::Rc;

use super::super::evaluate::{cannot_convert, cannot_convert_to_type, with_metadata};
use super::super::operators::equal;
use super::super::types::{type_of, FunctionType, MType, TypeKind};
use super::super::value::{Function, MError, Native, Outcome, Record, Table, Value};
use super::{opt_text, text_arg, type_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Value.Type", value_type);
    r.add("Value.Is", value_is);
    r.add("Value.As", value_as);
    r.add("Value.Equals", value_equals);
    r.add("Value.Compare", value_compare);
    r.add("Value.ReplaceType", replace_type);
    r.add_keeping_metadata("Value.Metadata", metadata);
    r.add_keeping_metadata("Value.RemoveMetadata", remove_metadata);
    r.add_keeping_metadata("Value.ReplaceMetadata", replace_metadata);
    r.add("Type.Is", type_is);
    r.add("Type.ListItem", list_item);
    r.add("Error.Record", error_record);
    r.add("Logical.From", logical_from);
}

fn value_type(args: &[Value]) -> Outcome {
    Ok(Value::Type(type_of(&args[0])))
}

fn value_is(args: &[Value]) -> Outcome {
    Ok(Value::Logical(type_arg(&args[1])?.accepts(&args[0])))
}

fn value_as(args: &[Value]) -> Outcome {
    let ty = type_arg(&args[1])?;
    if ty.accepts(&args[0]) {
        Ok(args[0].clone())
    } else {
        Err(cannot_convert_to_type(&args[0], ty))
    }
}

fn value_equals(args: &[Value]) -> Outcome {
    Ok(Value::Logical(equal(&args[0], &args[1])?))
}

/// `Value.Compare(a, b)`: -1, 0 or 1 by the order sorting uses (null first, then by value).
fn value_compare(args: &[Value]) -> Outcome {
    Ok(Value::Number(super::super::operators::sort_order(&args[0], &args[1])? as i8 as f64))
}

/// `Value.ReplaceType(value, type)`: the value ascribed the type. The type must be compatible with the
/// value's kind; a table takes the column types (and names, by position) of a table type, a function
/// the parameters and return type of a function type.
fn replace_type(args: &[Value]) -> Outcome {
    let ty = type_arg(&args[1])?;
    let value = &args[0];
    if !MType::non_nullable(ty).accepts(value) && !value.is_null() {
        return Err(cannot_convert_to_type(value, ty));
    }
    match (value, &ty.kind) {
        (Value::Table(table), TypeKind::Table(Some(row))) => {
            if row.fields.len() != table.columns().len() {
                return Err(MError::expression(format!(
                    "The type has {} columns and the table {}.",
                    row.fields.len(),
                    table.columns().len()
                )));
            }
            let names = row.fields.iter().map(|f| f.name.clone()).collect();
            let fields = super::super::value::Fields::new(names).map_err(|name| {
                MError::expression(format!("The field '{name}' already exists in the record."))
            })?;
            let types = row.fields.iter().map(|f| f.ty.clone()).collect();
            Ok(Value::Table(Table::new(fields, types, table.columns().to_vec(), table.row_count())))
        }
        (Value::Function(function), TypeKind::Function(Some(FunctionType { .. }))) => {
            let inner = function.clone();
            Ok(Value::Function(Function::Native(Rc::new(Native {
                ty: ty.clone(),
                run: Box::new(move |arguments| super::apply(&inner, arguments)),
            }))))
        }
        _ => Ok(value.clone()),
    }
}

fn metadata(args: &[Value]) -> Outcome {
    Ok(Value::Record(args[0].metadata()))
}

fn remove_metadata(args: &[Value]) -> Outcome {
    Ok(args[0].plain().clone())
}

fn replace_metadata(args: &[Value]) -> Outcome {
    let Value::Record(record) = args[1].plain() else {
        return Err(cannot_convert(&args[1], "Record"));
    };
    with_metadata(args[0].plain().clone(), record.clone())
}

fn type_is(args: &[Value]) -> Outcome {
    Ok(Value::Logical(type_arg(&args[0])?.is_compatible_with(type_arg(&args[1])?)))
}

fn list_item(args: &[Value]) -> Outcome {
    match &type_arg(&args[0])?.kind {
        TypeKind::List(item) => Ok(Value::Type(item.clone().unwrap_or_else(MType::any))),
        _ => Err(cannot_convert(&args[0], "List")),
    }
}

/// `Error.Record(reason, message, detail, parameters, errorCode)`: the record `error` raises, with the
/// fields a caught error has (Reason, Message, Detail, Message.Format, Message.Parameters, ErrorCode).
/// With parameters, the message is also the format (`#{0}` placeholders filled from them).
fn error_record(args: &[Value]) -> Outcome {
    let reason = text_arg(&args[0])?;
    let message = opt_text(&args[1])?;
    let (message, format) = match (&args[3], message) {
        (Value::List(_), Some(format)) => {
            (Value::text(&super::text::format_message(format, Some(&args[3]))?), Value::text(format))
        }
        (_, message) => (message.map_or(Value::Null, Value::text), Value::Null),
    };
    Ok(Value::Record(Record::from_pairs(vec![
        ("Reason", Value::text(reason)),
        ("Message", message),
        ("Detail", args[2].clone()),
        ("Message.Format", format),
        ("Message.Parameters", args[3].clone()),
        ("ErrorCode", args[4].clone()),
    ])))
}

/// `Logical.From`: logicals as they are, numbers (0 is false), the texts "true" and "false".
fn logical_from(args: &[Value]) -> Outcome {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Logical(b) => Ok(Value::Logical(*b)),
        Value::Number(n) => Ok(Value::Logical(*n != 0.0)),
        Value::Text(t) if t.eq_ignore_ascii_case("true") => Ok(Value::Logical(true)),
        Value::Text(t) if t.eq_ignore_ascii_case("false") => Ok(Value::Logical(false)),
        Value::Text(t) => Err(MError::new("DataFormat.Error", "We couldn't convert to Logical.")
            .with_detail(Value::Text(t.clone()))),
        other => Err(cannot_convert(other, "Logical")),
    }
}
