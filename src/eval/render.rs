//! Values as text: the JSON encoding scripts and tests rely on (a contract, README "dfls eval"), M
//! literals, an aligned table for the terminal, CSV, and the short forms M's error messages and
//! `Text.From` use; tables as Arrow IPC and Parquet bytes ([`columnar`]). Pure: the CLI prints what
//! these return.
//!
//! Reading a value to print it computes it (lists, records and cells are lazy); an item that is an error
//! prints as that error, in place.

pub mod columnar;

use base64::Engine;

use super::datetime::{format_date, format_datetime, format_datetimezone, format_time, TICKS_PER_SECOND};
use super::value::{MError, Outcome, Value};

/// Nested values deeper than this print as `...` (M literal) or `null`-free markers (JSON), so printing
/// never recurses without a bound.
const MAX_PRINT_DEPTH: usize = 512;

/// A number as M prints it (`Text.From`, culture-invariant): the shortest form that reads back the same
/// double, in exponent form (`1E+21`, `1E-05`) when very large or small, as .NET does.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if n == 0.0 {
        return "0".to_owned();
    }
    // Rust's `{:e}` is the shortest round-trip digits: `1.5e3`.
    let scientific = format!("{n:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("`{:e}` has an exponent");
    let exponent: i32 = exponent.parse().expect("a decimal exponent");
    if !(-4..15).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}E{sign}{:02}", exponent.abs());
    }
    let text = format!("{n}");
    text
}

/// A value as M's messages show it: texts quoted, numbers as numbers, structured values by kind
/// (`[List]`, `[Record]`, ...).
pub fn describe(value: &Value) -> String {
    match value.plain() {
        Value::Text(t) => format!("\"{t}\""),
        Value::List(_) => "[List]".to_owned(),
        Value::Record(_) => "[Record]".to_owned(),
        Value::Table(_) => "[Table]".to_owned(),
        Value::Function(_) => "[Function]".to_owned(),
        Value::Type(_) => "[Type]".to_owned(),
        Value::Binary(_) => "[Binary]".to_owned(),
        other => scalar_text(other),
    }
}

/// A scalar as text, culture-invariant: what `Text.From` gives, and what a table cell or CSV field shows.
pub fn scalar_text(value: &Value) -> String {
    match value.plain() {
        Value::Null => "null".to_owned(),
        Value::Logical(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::Text(t) => t.to_string(),
        Value::Date(d) => format_date(*d),
        Value::Time(t) => format_time(*t),
        Value::DateTime(t) => format_datetime(*t),
        Value::DateTimeZone(z) => format_datetimezone(*z),
        Value::Duration(d) => format_duration(*d),
        Value::Binary(b) => base64::engine::general_purpose::STANDARD.encode(b),
        other => describe(other),
    }
}

/// A duration as .NET prints a TimeSpan: `[-]d.hh:mm:ss[.fffffff]`.
pub fn format_duration(ticks: i64) -> String {
    let sign = if ticks < 0 { "-" } else { "" };
    let ticks = ticks.unsigned_abs();
    let per_second = TICKS_PER_SECOND as u64;
    let seconds = ticks / per_second;
    let fraction = ticks % per_second;
    let days = seconds / 86_400;
    let mut text = String::from(sign);
    if days > 0 {
        text.push_str(&format!("{days}."));
    }
    text.push_str(&format!("{:02}:{:02}:{:02}", seconds / 3600 % 24, seconds / 60 % 60, seconds % 60));
    if fraction > 0 {
        text.push_str(&format!(".{fraction:07}"));
    }
    text
}

/// A JSON document as the encoding builds it: objects keep their members' order (a record's fields
/// print in the record's order, which `serde_json`'s map would sort).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's JSON text.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn object(members: Vec<(&str, Json)>) -> Json {
        Json::Object(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn string(text: &str) -> Json {
        Json::String(text.to_owned())
    }

    /// The document, indented by two spaces per level.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(members) if members.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    pad(out, indent + 2);
                    item.write(out, indent + 2);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push(']');
            }
            Json::Object(members) => {
                out.push_str("{\n");
                for (i, (key, value)) in members.iter().enumerate() {
                    pad(out, indent + 2);
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    value.write(out, indent + 2);
                    out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push('}');
            }
        }
    }
}

/// The JSON encoding of an evaluation's outcome (README, "dfls eval"): the value, or the error object.
pub fn json(outcome: &Outcome) -> Json {
    json_outcome(outcome, 0)
}

fn json_error(error: &MError, depth: usize) -> Json {
    Json::object(vec![
        ("$type", Json::string("error")),
        ("reason", Json::string(error.reason())),
        ("message", Json::string(error.message())),
        ("detail", json_value(error.detail(), depth + 1)),
    ])
}

fn json_outcome(outcome: &Outcome, depth: usize) -> Json {
    match outcome {
        Ok(value) => json_value(value, depth),
        Err(error) => json_error(error, depth),
    }
}

fn json_number(n: f64) -> Json {
    if n.is_nan() {
        return Json::object(vec![("$type", Json::string("number")), ("value", Json::string("NaN"))]);
    }
    if n.is_infinite() {
        let text = if n > 0.0 { "Infinity" } else { "-Infinity" };
        return Json::object(vec![("$type", Json::string("number")), ("value", Json::string(text))]);
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return Json::Number((n as i64).to_string());
    }
    Json::Number(serde_json::Number::from_f64(n).map_or_else(|| "null".to_owned(), |n| n.to_string()))
}

fn typed(kind: &str, key: &str, value: Json) -> Json {
    Json::object(vec![("$type", Json::string(kind)), (key, value)])
}

fn json_value(value: &Value, depth: usize) -> Json {
    if depth > MAX_PRINT_DEPTH {
        return Json::object(vec![
            ("$type", Json::string("error")),
            ("reason", Json::string("dfls")),
            ("message", Json::string("nested too deep to print")),
            ("detail", Json::Null),
        ]);
    }
    match value.plain() {
        Value::Null => Json::Null,
        Value::Logical(b) => Json::Bool(*b),
        Value::Number(n) => json_number(*n),
        Value::Text(t) => Json::string(t),
        Value::Date(d) => typed("date", "value", Json::String(format_date(*d))),
        Value::Time(t) => typed("time", "value", Json::String(format_time(*t))),
        Value::DateTime(t) => typed("datetime", "value", Json::String(format_datetime(*t))),
        Value::DateTimeZone(z) => typed("datetimezone", "value", Json::String(format_datetimezone(*z))),
        Value::Duration(d) => typed("duration", "seconds", json_number(*d as f64 / TICKS_PER_SECOND as f64)),
        Value::Binary(b) => {
            typed("binary", "base64", Json::String(base64::engine::general_purpose::STANDARD.encode(b)))
        }
        Value::List(list) => Json::Array(
            list.thunks()
                .iter()
                .map(|item| {
                    crate::cancel::checkpoint();
                    json_outcome(&item.force(), depth + 1)
                })
                .collect(),
        ),
        Value::Record(record) => Json::Object(
            record
                .names()
                .iter()
                .zip(record.values.iter())
                .map(|(name, value)| (name.to_string(), json_outcome(&value.force(), depth + 1)))
                .collect(),
        ),
        Value::Table(table) => {
            let rows = (0..table.row_count())
                .map(|i| {
                    crate::cancel::checkpoint();
                    Json::Array(table.columns().iter().map(|c| json_outcome(&c.cell(i), depth + 1)).collect())
                })
                .collect();
            Json::object(vec![
                ("$type", Json::string("table")),
                ("columns", Json::Array(table.column_names().iter().map(|n| Json::string(n)).collect())),
                ("rows", Json::Array(rows)),
            ])
        }
        Value::Function(_) => Json::object(vec![("$type", Json::string("function"))]),
        Value::Type(ty) => typed("type", "value", Json::String(type_literal(ty))),
        Value::Meta(_) => unreachable!("plain() strips metadata"),
    }
}

/// An evaluation's outcome as an M literal: the value, or `error [...]` for an error.
pub fn m_outcome(outcome: &Outcome) -> String {
    match outcome {
        Ok(value) => m_literal(value, MAX_PRINT_DEPTH),
        Err(error) => m_error(error, MAX_PRINT_DEPTH),
    }
}

fn m_error(error: &MError, depth: usize) -> String {
    format!(
        "error [Reason = {}, Message = {}, Detail = {}]",
        crate::syntax::names::m_text(error.reason()),
        crate::syntax::names::m_text(error.message()),
        m_literal(error.detail(), depth.saturating_sub(1))
    )
}

fn m_item(outcome: &Outcome, depth: usize) -> String {
    match outcome {
        Ok(value) => m_literal(value, depth),
        Err(error) => m_error(error, depth),
    }
}

fn m_number(n: f64) -> String {
    if n.is_nan() {
        "#nan".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "#infinity" } else { "-#infinity" }.to_owned()
    } else {
        format_number(n)
    }
}

fn seconds_m(ticks: i64) -> String {
    m_number(ticks as f64 / TICKS_PER_SECOND as f64)
}

/// A value as an M literal that evaluates to it (functions print as `(x as any) as any => ...`, their
/// body being M's not-implemented `...`). Nesting beyond `depth` prints `...`.
pub fn m_literal(value: &Value, depth: usize) -> String {
    use super::datetime::{civil_from_days, TICKS_PER_DAY};
    if depth == 0 {
        return "...".to_owned();
    }
    let time_parts = |t: i64| {
        let seconds = t / TICKS_PER_SECOND;
        format!("{}, {}, {}", seconds / 3600, seconds / 60 % 60, seconds_m(t % (60 * TICKS_PER_SECOND)))
    };
    match value {
        Value::Meta(inner) => {
            format!(
                "({}) meta {}",
                m_literal(&inner.0, depth),
                m_literal(&Value::Record(inner.1.clone()), depth)
            )
        }
        Value::Null => "null".to_owned(),
        Value::Logical(b) => b.to_string(),
        Value::Number(n) => m_number(*n),
        Value::Text(t) => crate::syntax::names::m_text(t),
        Value::Date(d) => {
            let (y, m, d) = civil_from_days(*d);
            format!("#date({y}, {m}, {d})")
        }
        Value::Time(t) => format!("#time({})", time_parts(*t)),
        Value::DateTime(t) => {
            let (y, m, d) = civil_from_days(t.div_euclid(TICKS_PER_DAY));
            format!("#datetime({y}, {m}, {d}, {})", time_parts(t.rem_euclid(TICKS_PER_DAY)))
        }
        Value::DateTimeZone(z) => {
            let (y, m, d) = civil_from_days(z.local.div_euclid(TICKS_PER_DAY));
            format!(
                "#datetimezone({y}, {m}, {d}, {}, {}, {})",
                time_parts(z.local.rem_euclid(TICKS_PER_DAY)),
                z.offset_minutes / 60,
                z.offset_minutes % 60
            )
        }
        Value::Duration(d) => {
            let days = d / TICKS_PER_DAY;
            let rest = d % TICKS_PER_DAY;
            let seconds = rest / TICKS_PER_SECOND;
            format!(
                "#duration({days}, {}, {}, {})",
                seconds / 3600,
                seconds / 60 % 60,
                seconds_m(rest % (60 * TICKS_PER_SECOND))
            )
        }
        Value::Binary(b) => {
            format!(
                "#binary({})",
                crate::syntax::names::m_text(&base64::engine::general_purpose::STANDARD.encode(b))
            )
        }
        Value::List(list) => {
            let items: Vec<String> =
                list.thunks().iter().map(|item| m_item(&item.force(), depth - 1)).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Record(record) => {
            let fields: Vec<String> = record
                .names()
                .iter()
                .zip(record.values.iter())
                .map(|(name, value)| {
                    format!("{} = {}", crate::syntax::names::m_name(name), m_item(&value.force(), depth - 1))
                })
                .collect();
            format!("[{}]", fields.join(", "))
        }
        Value::Table(table) => {
            let rows: Vec<String> = (0..table.row_count())
                .map(|i| {
                    let cells: Vec<String> =
                        table.columns().iter().map(|c| m_item(&c.cell(i), depth - 1)).collect();
                    format!("{{{}}}", cells.join(", "))
                })
                .collect();
            format!("#table(type {}, {{{}}})", super::types::table_type(table).to_m(), rows.join(", "))
        }
        Value::Function(function) => {
            let ty = super::evaluate::function_type(function);
            match &ty.kind {
                super::types::TypeKind::Function(Some(f)) => {
                    format!("({}) as {} => ...", f.parameters_to_m(), f.return_type.to_m())
                }
                _ => "() => ...".to_owned(),
            }
        }
        Value::Type(ty) => type_literal(ty),
    }
}

/// A type value as M writes it: `type number`, `type table [A = text]`, and a number facet by its name
/// (`Int64.Type`), which `type` cannot prefix.
pub fn type_literal(ty: &super::types::MType) -> String {
    match ty.facet {
        Some(facet) if !ty.nullable => format!("{facet}.Type"),
        _ => format!("type {}", ty.to_m()),
    }
}

/// A cell as the terminal table shows it: scalars as text, structured values by kind, errors as
/// `Error: message`.
fn cell_text(outcome: &Outcome) -> String {
    match outcome {
        Ok(value) => match value.plain() {
            Value::Null => "null".to_owned(),
            Value::List(_) | Value::Record(_) | Value::Table(_) | Value::Function(_) | Value::Type(_) => {
                describe(value)
            }
            other => scalar_text(other).replace(['\n', '\r', '\t'], " "),
        },
        Err(error) => format!("Error: {}", error.message()),
    }
}

/// A table for the terminal: the column names, their types, the first `rows` rows aligned, and the row
/// count. Other values print as M literals.
pub fn text_table(outcome: &Outcome, rows: usize) -> String {
    let Ok(Value::Table(table)) = outcome.as_ref().map(Value::plain) else {
        return m_outcome(outcome) + "\n";
    };
    let shown = rows.min(table.row_count());
    let mut grid: Vec<Vec<String>> = vec![
        table.column_names().iter().map(|n| n.to_string()).collect(),
        table.column_types().iter().map(|t| t.to_m()).collect(),
    ];
    for i in 0..shown {
        crate::cancel::checkpoint();
        grid.push(table.columns().iter().map(|c| cell_text(&c.cell(i))).collect());
    }
    let widths: Vec<usize> = (0..table.columns().len())
        .map(|c| grid.iter().map(|row| row[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (r, row) in grid.iter().enumerate() {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if r == 1 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
    }
    let count = table.row_count();
    let noun = if count == 1 { "row" } else { "rows" };
    if shown < count {
        out.push_str(&format!("({count} {noun}, {shown} shown)\n"));
    } else {
        out.push_str(&format!("({count} {noun})\n"));
    }
    out
}

/// A table as CSV (RFC 4180: a header, fields quoted when they hold a comma, quote or line break). `Err`
/// with the first error in a cell (no CSV is printed half-true), or when the value is not a table.
pub fn csv(value: &Value) -> Result<String, Result<MError, String>> {
    let Value::Table(table) = value.plain() else {
        return Err(Err(format!("csv prints tables; the value is a {}", value.kind_name().to_lowercase())));
    };
    let field = |text: &str| {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let header: Vec<String> = table.column_names().iter().map(|n| field(n)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for i in 0..table.row_count() {
        crate::cancel::checkpoint();
        let mut cells = Vec::with_capacity(table.columns().len());
        for column in table.columns() {
            let value = column.cell(i).map_err(Ok)?;
            cells.push(match value.plain() {
                Value::Null => String::new(),
                Value::List(_) | Value::Record(_) | Value::Table(_) | Value::Function(_) | Value::Type(_) => {
                    field(&describe(&value))
                }
                other => field(&scalar_text(other)),
            });
        }
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_dotnet_does() {
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(100.0), "100");
        assert_eq!(format_number(1e21), "1E+21");
        assert_eq!(format_number(1e15), "1E+15");
        assert_eq!(format_number(1e14), "100000000000000");
        assert_eq!(format_number(0.0001), "0.0001");
        assert_eq!(format_number(0.00001), "1E-05");
        assert_eq!(format_number(-2.5e-7), "-2.5E-07");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn durations_print_as_timespans() {
        assert_eq!(format_duration(93_784 * TICKS_PER_SECOND + TICKS_PER_SECOND / 2), "1.02:03:04.5000000");
        assert_eq!(format_duration(-60 * TICKS_PER_SECOND), "-00:01:00");
    }
}
