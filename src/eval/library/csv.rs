//! `Csv.Document` and `Table.PromoteHeaders`: delimited text as a table of texts (Arrow `Utf8` columns),
//! and its first row as the column names.

use std::rc::Rc;

use super::super::evaluate::cannot_convert;
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Value};
use super::{number_arg, record_arg, table_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Csv.Document", document);
    r.add("Table.PromoteHeaders", promote_headers);
}

/// Splits CSV text into rows of fields: `"` quotes a field (`""` is a quote); with `quoted_breaks` a line
/// break inside quotes is part of the field, otherwise every line break ends the row (QuoteStyle.None).
pub fn split_csv(text: &str, delimiter: &str, quoted_breaks: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut field_started = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rows.len() % 4096 == 0 {
            crate::cancel::checkpoint();
        }
        if quoted {
            if let Some(after) = rest.strip_prefix("\"\"") {
                field.push('"');
                rest = after;
                continue;
            }
            if c == '"' {
                quoted = false;
                rest = &rest[1..];
                continue;
            }
            if (c == '\n' || c == '\r') && !quoted_breaks {
                quoted = false;
            } else {
                field.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            }
        }
        if !delimiter.is_empty() && rest.starts_with(delimiter) {
            row.push(std::mem::take(&mut field));
            field_started = true;
            rest = &rest[delimiter.len()..];
        } else if c == '\r' || c == '\n' {
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
            field_started = false;
            rest = &rest[if rest.starts_with("\r\n") { 2 } else { 1 }..];
        } else if c == '"' && field.is_empty() {
            quoted = true;
            field_started = true;
            rest = &rest[1..];
        } else {
            field.push(c);
            field_started = true;
            rest = &rest[c.len_utf8()..];
        }
    }
    if field_started || !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// `Csv.Document(source, columns, delimiter, extraValues, encoding)`: the columns argument may be the
/// options record `[Delimiter, Columns, Encoding, QuoteStyle]`. Every cell is text; a short row is filled
/// with nulls.
fn document(args: &[Value]) -> Outcome {
    let mut delimiter = String::from(",");
    let mut columns: Option<Value> = None;
    let mut encoding: Option<i64> = None;
    let mut quoted_breaks = false;
    match &args[1] {
        Value::Record(options) => {
            let option = |name: &str| options.get(name).transpose();
            if let Some(value) = option("Delimiter")? {
                delimiter = text_arg(&value)?.to_owned();
            }
            columns = option("Columns")?.filter(|v| !v.is_null());
            if let Some(value) = option("Encoding")?.filter(|v| !v.is_null()) {
                encoding = Some(number_arg(&value)? as i64);
            }
            if let Some(value) = option("QuoteStyle")?.filter(|v| !v.is_null()) {
                quoted_breaks = number_arg(&value)? == 1.0;
            }
        }
        Value::Null => {}
        other => columns = Some(other.clone()),
    }
    if let Value::Text(d) = &args[2] {
        delimiter = d.to_string();
    }
    if let Value::Number(_) = &args[4] {
        encoding = Some(number_arg(&args[4])? as i64);
    }
    let text = match &args[0] {
        Value::Text(text) => text.to_string(),
        Value::Binary(bytes) => super::binary::decode(bytes, encoding)?,
        other => return Err(cannot_convert(other, "Binary")),
    };
    let rows = split_csv(&text, &delimiter, quoted_breaks);
    let widest = rows.iter().map(Vec::len).max().unwrap_or(0);
    let names: Vec<Rc<str>> = match &columns {
        None => (1..=widest).map(|i| Rc::from(format!("Column{i}"))).collect(),
        Some(Value::Number(_)) => {
            let count = super::column_count_arg(columns.as_ref().expect("matched"))?;
            (1..=count).map(|i| Rc::from(format!("Column{i}"))).collect()
        }
        Some(other) => super::names_arg(other)?,
    };
    let width = names.len();
    let mut cells: Vec<Vec<Value>> = (0..width).map(|_| Vec::with_capacity(rows.len())).collect();
    let count = rows.len();
    for row in rows {
        let mut fields = row.into_iter();
        for column in cells.iter_mut() {
            column.push(fields.next().map_or(Value::Null, |f| Value::Text(Rc::from(f))));
        }
    }
    let fields = super::super::value::Fields::new(names)
        .map_err(|name| MError::expression(format!("The field '{name}' already exists in the record.")))?;
    let types = vec![MType::any(); width];
    Ok(Value::Table(Table::new(fields, types, cells.into_iter().map(Column::from_values).collect(), count)))
}

/// `Table.PromoteHeaders(table, [PromoteAllScalars, Culture])`: the first row's texts become the column
/// names (other scalars too with PromoteAllScalars; otherwise those columns keep their names); a repeated
/// name gets `_1`, `_2`, ... as Power Query makes it unique.
fn promote_headers(args: &[Value]) -> Outcome {
    let table = table_arg(&args[0])?;
    let all_scalars = match &args[1] {
        Value::Null => false,
        other => {
            matches!(record_arg(other)?.get("PromoteAllScalars").transpose()?, Some(Value::Logical(true)))
        }
    };
    if table.row_count() == 0 {
        return Ok(Value::Table(table.clone()));
    }
    let mut names: Vec<Rc<str>> = Vec::with_capacity(table.columns().len());
    for (i, column) in table.columns().iter().enumerate() {
        let header = column.cell(0)?;
        let name: Rc<str> = match header.plain() {
            Value::Text(t) => t.clone(),
            Value::Null => table.column_names()[i].clone(),
            other if all_scalars => match super::text::text_from(other, &super::culture::DEFAULT)? {
                Some(text) => Rc::from(text),
                None => table.column_names()[i].clone(),
            },
            _ => table.column_names()[i].clone(),
        };
        let mut unique = name.clone();
        let mut n = 1;
        while names.contains(&unique) {
            unique = Rc::from(format!("{name}_{n}"));
            n += 1;
        }
        names.push(unique);
    }
    let rows: Vec<usize> = (1..table.row_count()).collect();
    let columns = table.columns().iter().map(|c| c.take(&rows)).collect();
    let fields = super::super::value::Fields::new(names).expect("made unique above");
    let types = vec![MType::any(); table.columns().len()];
    Ok(Value::Table(Table::new(fields, types, columns, rows.len())))
}
