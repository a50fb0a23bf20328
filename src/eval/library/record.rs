//! `Record.*`: fields by name, names and values in order.

use std::rc::Rc;

use super::super::types::MType;
use super::super::value::{Column, Fields, List, Outcome, Table, Value};
use super::{record_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Record.Field", field);
    r.add("Record.FieldNames", field_names);
    r.add("Record.FieldValues", field_values);
    r.add("Record.FieldOrDefault", field_or_default);
    r.add("Record.ToTable", to_table);
    r.add("Record.ToList", field_values);
    r.add("Record.HasFields", has_fields);
    r.add("Record.FieldCount", |args| Ok(Value::Number(record_arg(&args[0])?.len() as f64)));
}

/// `Record.HasFields(record, fields)`: whether the record has the field (a text) or all the fields (a
/// list).
fn has_fields(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let names = super::names_arg(&args[1])?;
    Ok(Value::Logical(names.iter().all(|n| record.fields.position(n).is_some())))
}

/// `Record.ToTable(record)`: a table of Name and Value, a row per field.
fn to_table(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let fields = Fields::new(vec![Rc::from("Name"), Rc::from("Value")]).expect("distinct names");
    let names = Column::from_values(record.names().iter().map(|n| Value::Text(n.clone())).collect());
    let values = Column::from_thunks(record.values.to_vec());
    Ok(Value::Table(Table::new(fields, vec![MType::any(), MType::any()], vec![names, values], record.len())))
}

/// `Record.Field(record, field)`: the field's value; a missing field is M's missing-field error.
fn field(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let name = text_arg(&args[1])?;
    record.get(name).unwrap_or_else(|| Err(record.missing_field(name)))
}

fn field_names(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    Ok(Value::List(List::from_values(record.names().iter().map(|n| Value::Text(n.clone())).collect())))
}

fn field_values(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    Ok(Value::List(List::from_thunks(record.values.to_vec())))
}

/// `Record.FieldOrDefault(record, field, defaultValue)`: the default (null if omitted) when the record is
/// null or lacks the field.
fn field_or_default(args: &[Value]) -> Outcome {
    let name = text_arg(&args[1])?;
    match &args[0] {
        Value::Null => Ok(args[2].clone()),
        other => record_arg(other)?.get(name).unwrap_or_else(|| Ok(args[2].clone())),
    }
}
