//! `Csv.Document` and `Table.PromoteHeaders`: delimited text as a table of texts (Arrow `Utf8` columns),
//! and its first row as the column names.

use std::rc::Rc;

use arrow_array::builder::StringBuilder;

use super::super::evaluate::cannot_convert;
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Value};
use super::{number_arg, record_arg, table_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Csv.Document", document);
    r.add("Table.PromoteHeaders", promote_headers);
}

/// Where a field ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldEnd {
    /// At a delimiter: the row goes on.
    Delimiter,
    /// At a line break or the end of the text: the row ends.
    Row,
}

/// Reads CSV text field by field, calling `field(column, text)` for each and `row_end(fields)` after each
/// row: `"` quotes a field (`""` is a quote); with `quoted_breaks` a line break inside quotes is part of
/// the field, otherwise every line break ends the row (QuoteStyle.None). A field without quotes is handed
/// over as a slice of the text, never copied. A line break at the very end makes no empty last row.
pub fn read_csv(
    text: &str,
    delimiter: &str,
    quoted_breaks: bool,
    mut field: impl FnMut(usize, &str),
    mut row_end: impl FnMut(usize),
) {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut rows = 0usize;
    while at < bytes.len() {
        if rows % 4096 == 0 {
            crate::cancel::checkpoint();
        }
        let mut column = 0;
        loop {
            let (end, next) = if bytes[at] == b'"' {
                let (value, end, next) = quoted_field(text, at, delimiter, quoted_breaks);
                field(column, &value);
                (end, next)
            } else {
                let stop = plain_field_end(bytes, at, delimiter.as_bytes());
                field(column, &text[at..stop]);
                after_field(bytes, stop, delimiter.as_bytes())
            };
            column += 1;
            at = next;
            if end == FieldEnd::Row {
                break;
            }
            if at >= bytes.len() {
                // A delimiter at the very end: one more, empty, field.
                field(column, "");
                column += 1;
                break;
            }
        }
        row_end(column);
        rows += 1;
    }
}

/// The end of a field without quotes that starts at `at`: the next delimiter or line break.
fn plain_field_end(bytes: &[u8], mut at: usize, delimiter: &[u8]) -> usize {
    if let [single] = delimiter {
        // The common case, one byte compared at a time.
        let rest = &bytes[at..];
        return at
            + rest.iter().position(|&b| b == *single || b == b'\n' || b == b'\r').unwrap_or(rest.len());
    }
    while at < bytes.len() {
        let b = bytes[at];
        if b == b'\r' || b == b'\n' || (!delimiter.is_empty() && bytes[at..].starts_with(delimiter)) {
            return at;
        }
        at += 1;
    }
    at
}

/// What follows a field ending at `stop`, and where the next one starts.
fn after_field(bytes: &[u8], stop: usize, delimiter: &[u8]) -> (FieldEnd, usize) {
    match bytes.get(stop) {
        None => (FieldEnd::Row, stop),
        Some(b'\r') if bytes.get(stop + 1) == Some(&b'\n') => (FieldEnd::Row, stop + 2),
        Some(b'\r' | b'\n') => (FieldEnd::Row, stop + 1),
        Some(_) => (FieldEnd::Delimiter, stop + delimiter.len()),
    }
}

/// A field that starts with a quote at `at`: its text, how it ended and where the next field starts. After
/// the closing quote the field goes on unquoted to the delimiter (`"a"b` is `ab`); a quote again at the
/// start of an empty field opens a new quoted part.
fn quoted_field(
    text: &str,
    mut at: usize,
    delimiter: &str,
    quoted_breaks: bool,
) -> (String, FieldEnd, usize) {
    let bytes = text.as_bytes();
    let mut value = String::new();
    let mut quoted = false;
    while at < bytes.len() {
        let b = bytes[at];
        if quoted {
            if bytes[at..].starts_with(b"\"\"") {
                value.push('"');
                at += 2;
                continue;
            }
            if b == b'"' {
                quoted = false;
                at += 1;
                continue;
            }
            if !((b == b'\r' || b == b'\n') && !quoted_breaks) {
                let run = bytes[at..]
                    .iter()
                    .position(|&c| c == b'"' || (!quoted_breaks && (c == b'\r' || c == b'\n')));
                let stop = run.map_or(bytes.len(), |n| at + n);
                value.push_str(&text[at..stop]);
                at = stop;
                continue;
            }
            quoted = false;
        }
        if b == b'\r' || b == b'\n' || (!delimiter.is_empty() && text[at..].starts_with(delimiter)) {
            let (end, next) = after_field(bytes, at, delimiter.as_bytes());
            return (value, end, next);
        }
        if b == b'"' && value.is_empty() {
            quoted = true;
            at += 1;
        } else {
            let stop = plain_field_end(bytes, at + 1, delimiter.as_bytes());
            let stop = bytes[at + 1..stop].iter().position(|&c| c == b'"').map_or(stop, |n| at + 1 + n);
            value.push_str(&text[at..stop]);
            at = stop;
        }
    }
    (value, FieldEnd::Row, at)
}

/// The rows and each column's bytes of a CSV text, estimated from its first rows, so that the columns are
/// allocated once at about their size instead of doubling as they fill (which took time, and held the
/// old and the new buffer at once).
struct Estimate {
    rows: usize,
    bytes: Vec<usize>,
}

impl Estimate {
    const SAMPLE_ROWS: usize = 1000;

    fn of(text: &str, delimiter: &str, quoted_breaks: bool) -> Estimate {
        let sample_end = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .nth(Self::SAMPLE_ROWS)
            .map_or(text.len(), |(i, _)| i + 1);
        let sample = &text[..sample_end];
        let bytes = std::cell::RefCell::new(Vec::<usize>::new());
        let rows = std::cell::Cell::new(0);
        read_csv(
            sample,
            delimiter,
            quoted_breaks,
            |column, field| {
                let mut bytes = bytes.borrow_mut();
                if column >= bytes.len() {
                    bytes.resize(column + 1, 0);
                }
                bytes[column] += field.len();
            },
            |_| rows.set(rows.get() + 1),
        );
        // A sample that is not the whole text may cut a quoted field: only a guess, which is all it is.
        let scale = |n: usize| (n as f64 * text.len() as f64 / sample.len().max(1) as f64 * 1.05) as usize;
        Estimate { rows: scale(rows.get()), bytes: bytes.into_inner().into_iter().map(scale).collect() }
    }

    fn builder(&self, column: usize) -> StringBuilder {
        StringBuilder::with_capacity(self.rows, self.bytes.get(column).copied().unwrap_or(0))
    }
}

/// The text of UTF-8 bytes (a byte order mark skipped) without copying, when the encoding is UTF-8 and the
/// bytes are valid; `None` otherwise (the library's decoder then reads them).
fn utf8_text(bytes: &[u8], encoding: Option<i64>) -> Option<&str> {
    if !matches!(encoding, None | Some(65001))
        || bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
    {
        return None;
    }
    std::str::from_utf8(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)).ok()
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
    let decoded: String;
    let text: &str = match &args[0] {
        Value::Text(text) => text,
        Value::Binary(bytes) => match utf8_text(bytes, encoding) {
            Some(text) => text,
            None => {
                decoded = super::binary::decode(bytes, encoding)?;
                &decoded
            }
        },
        other => return Err(cannot_convert(other, "Binary")),
    };
    if text.len() > i32::MAX as usize {
        return Err(MError::expression("A CSV text of more than 2 GB is not supported by dfls yet."));
    }
    let fixed: Option<Vec<Rc<str>>> = match &columns {
        None => None,
        Some(Value::Number(_)) => {
            let count = super::column_count_arg(columns.as_ref().expect("matched"))?;
            Some((1..=count).map(|i| Rc::from(format!("Column{i}"))).collect())
        }
        Some(other) => Some(super::names_arg(other)?),
    };
    // One Arrow text column per column, filled as the text is read; without given columns a wider row adds
    // a column (null in the rows before it).
    let estimate = Estimate::of(text, &delimiter, quoted_breaks);
    let mut builders: Vec<StringBuilder> =
        (0..fixed.as_ref().map_or(0, Vec::len)).map(|c| estimate.builder(c)).collect();
    let count = std::cell::Cell::new(0usize);
    {
        let builders = std::cell::RefCell::new(&mut builders);
        read_csv(
            text,
            &delimiter,
            quoted_breaks,
            |column, field| {
                let mut builders = builders.borrow_mut();
                if column >= builders.len() {
                    if fixed.is_some() {
                        return;
                    }
                    let mut added = estimate.builder(column);
                    (0..count.get()).for_each(|_| added.append_null());
                    builders.push(added);
                }
                builders[column].append_value(field);
            },
            |fields| {
                let mut builders = builders.borrow_mut();
                for builder in builders.iter_mut().skip(fields) {
                    builder.append_null();
                }
                count.set(count.get() + 1);
            },
        );
    }
    let names =
        fixed.unwrap_or_else(|| (1..=builders.len()).map(|i| Rc::from(format!("Column{i}"))).collect());
    let width = names.len();
    let fields = super::super::value::Fields::new(names)
        .map_err(|name| MError::expression(format!("The field '{name}' already exists in the record.")))?;
    let types = vec![MType::any(); width];
    let columns =
        builders.iter_mut().map(|b| Column::from_arrow(&b.finish()).expect("a text column")).collect();
    Ok(Value::Table(Table::new(fields, types, columns, count.get())))
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
    let rows = table.row_count() - 1;
    let columns = table.columns().iter().map(|c| c.slice(1, rows)).collect();
    let fields = super::super::value::Fields::new(names).expect("made unique above");
    let types = vec![MType::any(); table.columns().len()];
    Ok(Value::Table(Table::new(fields, types, columns, rows)))
}
