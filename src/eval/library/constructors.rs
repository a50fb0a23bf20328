//! The intrinsic constructors: `#date`, `#time`, `#datetime`, `#datetimezone`, `#duration`, `#table`,
//! `#binary`.

use std::rc::Rc;

use base64::Engine;

use super::super::datetime::{
    days_from_civil, Zoned, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND,
};
use super::super::evaluate::cannot_convert;
use super::super::types::{MType, TypeKind};
use super::super::value::{Column, Fields, MError, Outcome, Table, Thunk, Value};
use super::{list_arg, number_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("#date", date);
    r.add("#time", time);
    r.add("#datetime", datetime);
    r.add("#datetimezone", datetimezone);
    r.add("#duration", duration);
    r.add("#table", table);
    r.add("#binary", binary);
}

fn out_of_range(what: &str) -> MError {
    MError::expression(format!("The arguments of {what} are out of range."))
}

/// A whole number argument within `range`.
fn whole(value: &Value, range: std::ops::RangeInclusive<i64>, what: &str) -> Result<i64, MError> {
    let n = number_arg(value)?;
    if n.fract() != 0.0 || !range.contains(&(n as i64)) {
        return Err(out_of_range(what));
    }
    Ok(n as i64)
}

fn day(args: &[Value], what: &str) -> Result<i64, MError> {
    let year = whole(&args[0], 1..=9999, what)?;
    let month = whole(&args[1], 1..=12, what)?;
    let day = whole(&args[2], 1..=31, what)?;
    days_from_civil(year, month, day).ok_or_else(|| out_of_range(what))
}

/// Hours, minutes and (fractional) seconds as ticks; `#time(24, 0, 0)` is allowed, as M allows it.
fn time_of_day(args: &[Value], what: &str) -> Result<i64, MError> {
    let hour = whole(&args[0], 0..=24, what)?;
    let minute = whole(&args[1], 0..=59, what)?;
    let second = number_arg(&args[2])?;
    if !(0.0..60.0).contains(&second) {
        return Err(out_of_range(what));
    }
    let ticks =
        hour * TICKS_PER_HOUR + minute * TICKS_PER_MINUTE + (second * TICKS_PER_SECOND as f64).round() as i64;
    if ticks > TICKS_PER_DAY {
        return Err(out_of_range(what));
    }
    Ok(ticks)
}

fn date(args: &[Value]) -> Outcome {
    Ok(Value::Date(day(args, "#date")?))
}

fn time(args: &[Value]) -> Outcome {
    Ok(Value::Time(time_of_day(args, "#time")? % TICKS_PER_DAY))
}

fn datetime(args: &[Value]) -> Outcome {
    let ticks = day(args, "#datetime")? * TICKS_PER_DAY + time_of_day(&args[3..], "#datetime")?;
    Ok(Value::DateTime(ticks))
}

fn datetimezone(args: &[Value]) -> Outcome {
    let local = day(args, "#datetimezone")? * TICKS_PER_DAY + time_of_day(&args[3..], "#datetimezone")?;
    let hours = whole(&args[6], -14..=14, "#datetimezone")?;
    let minutes = whole(&args[7], -59..=59, "#datetimezone")?;
    Ok(Value::DateTimeZone(Zoned { local, offset_minutes: (hours * 60 + minutes) as i32 }))
}

fn duration(args: &[Value]) -> Outcome {
    let days = number_arg(&args[0])?;
    let hours = number_arg(&args[1])?;
    let minutes = number_arg(&args[2])?;
    let seconds = number_arg(&args[3])?;
    let total = days * TICKS_PER_DAY as f64
        + hours * TICKS_PER_HOUR as f64
        + minutes * TICKS_PER_MINUTE as f64
        + seconds * TICKS_PER_SECOND as f64;
    // Within the ticks an i64 holds (2^63 itself is out).
    if !total.is_finite() || total.abs() >= 9_223_372_036_854_775_808.0 {
        return Err(out_of_range("#duration"));
    }
    Ok(Value::Duration(total.round() as i64))
}

/// `#table(columns, rows)`: columns as a list of names, a number of columns (`Column1`, ...), or a table
/// type (names and column types); rows as a list of lists, each as long as the columns.
fn table(args: &[Value]) -> Outcome {
    let (names, types): (Vec<Rc<str>>, Vec<Rc<MType>>) = match &args[0] {
        Value::List(list) => {
            let names = super::names_arg(&Value::List(list.clone()))?;
            let types = vec![MType::any(); names.len()];
            (names, types)
        }
        Value::Number(_) => {
            let count = super::column_count_arg(&args[0])?;
            ((1..=count).map(|i| Rc::from(format!("Column{i}"))).collect(), vec![MType::any(); count])
        }
        Value::Type(ty) => match &ty.kind {
            TypeKind::Table(Some(row)) => (
                row.fields.iter().map(|f| f.name.clone()).collect(),
                row.fields.iter().map(|f| f.ty.clone()).collect(),
            ),
            _ => return Err(cannot_convert(&args[0], "Table")),
        },
        other => return Err(cannot_convert(other, "List")),
    };
    let fields = Fields::new(names).map_err(|name| {
        MError::expression(format!("The field '{name}' already exists in the record."))
            .with_detail(Value::Text(name))
    })?;
    let rows = list_arg(&args[1])?;
    let width = fields.len();
    let mut columns: Vec<Vec<Thunk>> = (0..width).map(|_| Vec::with_capacity(rows.len())).collect();
    for row in rows.values()? {
        let Value::List(row) = row.plain() else {
            return Err(cannot_convert(&row, "List"));
        };
        if row.len() != width {
            return Err(MError::expression(format!(
                "The count of values in a row ({}) doesn't match the count of columns ({width}).",
                row.len()
            ))
            .with_detail(row_value(row)));
        }
        for (column, cell) in columns.iter_mut().zip(row.thunks().iter()) {
            column.push(cell.clone());
        }
    }
    let count = rows.len();
    Ok(Value::Table(Table::new(fields, types, columns.into_iter().map(Column::from_thunks).collect(), count)))
}

fn row_value(row: &super::super::value::List) -> Value {
    Value::List(row.clone())
}

/// `#binary(list of bytes)` or `#binary(base64 text)`.
fn binary(args: &[Value]) -> Outcome {
    match &args[0] {
        Value::Text(text) => base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(|bytes| Value::Binary(Rc::from(bytes)))
            .map_err(|_| MError::new("DataFormat.Error", "The input is not a valid Base-64 string.")),
        Value::List(list) => {
            let mut bytes = Vec::with_capacity(list.len());
            for value in list.values()? {
                let n = number_arg(&value)?;
                if n.fract() != 0.0 || !(0.0..=255.0).contains(&n) {
                    return Err(cannot_convert(&value, "Byte"));
                }
                bytes.push(n as u8);
            }
            Ok(Value::Binary(Rc::from(bytes)))
        }
        other => Err(cannot_convert(other, "Binary")),
    }
}
