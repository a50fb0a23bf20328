//! `Record.*` that reshape a record: `AddField`, `RemoveFields`, `RenameFields`, `SelectFields`,
//! `ReorderFields`, `TransformFields`, and the ones that build one (`FromList`, `FromTable`,
//! `Combine`). Field values stay lazy: a field that is an error fails only when it is read. A field the
//! record lacks is M's missing field error unless `MissingField.Ignore` (skip it) or
//! `MissingField.UseNull` (a null field) says otherwise.

use std::rc::Rc;

use super::super::evaluate::cannot_convert;
use super::super::operators::merge_records;
use super::super::types::TypeKind;
use super::super::value::{MError, Outcome, Record, Thunk, Value};
use super::table::pairs;
use super::{
    apply, function_arg, list_arg, missing_field_arg, names_arg, record_arg, table_arg, text_arg,
    MissingField, Registry,
};

pub fn register(r: &mut Registry) {
    r.add("Record.AddField", add_field);
    r.add("Record.RemoveFields", remove_fields);
    r.add("Record.RenameFields", rename_fields);
    r.add("Record.SelectFields", select_fields);
    r.add("Record.ReorderFields", reorder_fields);
    r.add("Record.TransformFields", transform_fields);
    r.add("Record.FromList", from_list);
    r.add("Record.FromTable", from_table);
    r.add("Record.Combine", combine);
}

/// `Record.AddField(record, fieldName, value, delayed)`: the record with a field at the end; `delayed`
/// makes `value` a function computed when the field is read.
fn add_field(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let mut names = record.names().to_vec();
    let mut values = record.values.to_vec();
    names.push(Rc::from(text_arg(&args[1])?));
    values.push(if matches!(args[3], Value::Logical(true)) {
        let function = function_arg(&args[2])?.clone();
        Thunk::lazy(move || apply(&function, Vec::new()))
    } else {
        Thunk::value(args[2].clone())
    });
    Ok(Value::Record(Record::new(names, values)?))
}

/// The first named field the record lacks is the missing field error under `MissingField.Error`.
fn check_present(record: &Record, names: &[Rc<str>], missing: MissingField) -> Result<(), MError> {
    match names.iter().find(|n| record.fields.position(n).is_none()) {
        Some(name) if missing == MissingField::Error => Err(record.missing_field(name)),
        _ => Ok(()),
    }
}

/// `Record.RemoveFields(record, fields, missingField)`.
fn remove_fields(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let removed = names_arg(&args[1])?;
    check_present(record, &removed, missing_field_arg(&args[2])?)?;
    let (names, values) = record
        .names()
        .iter()
        .zip(record.values.iter())
        .filter(|(name, _)| !removed.contains(name))
        .map(|(n, v)| (n.clone(), v.clone()))
        .unzip();
    Ok(Value::Record(Record::new(names, values)?))
}

/// `Record.RenameFields(record, renames, missingField)`: `{old, new}` or a list of them; two fields
/// ending with one name is the duplicate field error.
fn rename_fields(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let mut names = record.names().to_vec();
    for pair in pairs(&args[1])? {
        let [old, new] = pair.as_slice() else {
            return Err(MError::expression("A rename is a list {old name, new name}."));
        };
        let old = text_arg(old.plain())?;
        match record.fields.position(old) {
            Some(i) => names[i] = Rc::from(text_arg(new.plain())?),
            None if missing == MissingField::Error => return Err(record.missing_field(old)),
            None => {}
        }
    }
    Ok(Value::Record(Record::new(names, record.values.to_vec())?))
}

/// `Record.SelectFields(record, fields, missingField)`: the named fields, in the order named.
fn select_fields(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for name in names_arg(&args[1])? {
        match record.thunk(&name) {
            Some(value) => values.push(value.clone()),
            None if missing == MissingField::Error => return Err(record.missing_field(&name)),
            None if missing == MissingField::UseNull => values.push(Thunk::value(Value::Null)),
            None => continue,
        }
        names.push(name);
    }
    Ok(Value::Record(Record::new(names, values)?))
}

/// `Record.ReorderFields(record, fieldOrder, missingField)`: the named fields take the places the named
/// fields held, in the order named; the other fields keep theirs.
fn reorder_fields(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let order = names_arg(&args[1])?;
    check_present(record, &order, missing)?;
    let mut named = order.iter().filter_map(|n| record.fields.position(n));
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for (i, name) in record.names().iter().enumerate() {
        let source = if order.contains(name) { named.next().unwrap_or(i) } else { i };
        names.push(record.names()[source].clone());
        values.push(record.values[source].clone());
    }
    Ok(Value::Record(Record::new(names, values)?))
}

/// `Record.TransformFields(record, transformOperations, missingField)`: `{name, function}` or a list
/// of them; each named field through its function, when read.
fn transform_fields(args: &[Value]) -> Outcome {
    let record = record_arg(&args[0])?;
    let missing = missing_field_arg(&args[2])?;
    let mut names = record.names().to_vec();
    let mut values = record.values.to_vec();
    for operation in pairs(&args[1])? {
        let [name, function] = operation.as_slice() else {
            return Err(MError::expression("A transform operation is a list {field name, function}."));
        };
        let name = text_arg(name.plain())?;
        let function = function_arg(function.plain())?.clone();
        let i = match record.fields.position(name) {
            Some(i) => i,
            None if missing == MissingField::Error => return Err(record.missing_field(name)),
            None if missing == MissingField::UseNull => {
                names.push(Rc::from(name));
                values.push(Thunk::value(Value::Null));
                values.len() - 1
            }
            None => continue,
        };
        let field = values[i].clone();
        values[i] = Thunk::lazy(move || apply(&function, vec![field.force()?]));
    }
    Ok(Value::Record(Record::new(names, values)?))
}

/// `Record.FromList(list, fields)`: the list's items named by a list of names or a record type's
/// fields; the counts must match.
fn from_list(args: &[Value]) -> Outcome {
    let items = list_arg(&args[0])?.thunks().to_vec();
    let names: Vec<Rc<str>> = match &args[1] {
        Value::Type(ty) => match &ty.kind {
            TypeKind::Record(Some(record)) => record.fields.iter().map(|f| f.name.clone()).collect(),
            _ => return Err(cannot_convert(&args[1], "List")),
        },
        other => names_arg(other)?,
    };
    if names.len() != items.len() {
        return Err(MError::expression(format!(
            "The number of fields ({}) doesn't match the number of values ({}).",
            names.len(),
            items.len()
        )));
    }
    Ok(Value::Record(Record::new(names, items)?))
}

/// `Record.FromTable(table)`: a field per row of a table of Name and Value columns.
fn from_table(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let (Some(names), Some(values)) = (table.column("Name"), table.column("Value")) else {
        return Err(MError::expression("Record.FromTable needs a table with the columns Name and Value."));
    };
    let mut field_names = Vec::with_capacity(table.row_count());
    for row in 0..table.row_count() {
        field_names.push(Rc::from(text_arg(names.cell(row)?.plain())?));
    }
    let field_values = (0..table.row_count()).map(|row| values.thunk(row)).collect();
    Ok(Value::Record(Record::new(field_names, field_values)?))
}

/// `Record.Combine(records)`: the records merged in order, a later field replacing an earlier one.
fn combine(args: &[Value]) -> Outcome {
    let mut result = Record::empty();
    for value in list_arg(&args[0])?.values()? {
        result = merge_records(&result, record_arg(value.plain())?)?;
    }
    Ok(Value::Record(result))
}
