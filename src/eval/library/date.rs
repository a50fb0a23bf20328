//! `Date.*`: the parts of dates (and of datetimes and datetimezones, which the functions also take) and
//! date arithmetic. Null gives null.

use super::super::datetime::{civil_from_days, days_from_civil, days_in_month, TICKS_PER_DAY};
use super::super::evaluate::cannot_convert;
use super::super::value::{MError, Outcome, Value};
use super::{number_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Date.Year", |args| part(args, |(y, _, _)| y));
    r.add("Date.Month", |args| part(args, |(_, m, _)| m));
    r.add("Date.Day", |args| part(args, |(_, _, d)| d));
    r.add("Date.AddDays", add_days);
    r.add("Date.AddMonths", add_months);
    r.add("Date.AddYears", add_years);
    r.add("Date.StartOfMonth", start_of_month);
    r.add("Date.EndOfMonth", end_of_month);
    r.add("Date.DayOfWeek", day_of_week);
}

/// The day number of a date, datetime or datetimezone (its local date).
fn day_of(value: &Value) -> Result<Option<i64>, MError> {
    Ok(match value {
        Value::Null => None,
        Value::Date(d) => Some(*d),
        Value::DateTime(t) => Some(t.div_euclid(TICKS_PER_DAY)),
        Value::DateTimeZone(z) => Some(z.local.div_euclid(TICKS_PER_DAY)),
        other => return Err(cannot_convert(other, "Date")),
    })
}

fn part(args: &[Value], pick: fn((i64, i64, i64)) -> i64) -> Outcome {
    Ok(day_of(&args[0])?.map_or(Value::Null, |d| Value::Number(pick(civil_from_days(d)) as f64)))
}

/// The value moved by whole days, keeping its kind and time of day.
fn shift(value: &Value, to_day: impl Fn(i64) -> Option<i64>) -> Outcome {
    let out_of_range = || MError::expression("The Date operation produced a result that is out of range.");
    let Some(day) = day_of(value)? else { return Ok(Value::Null) };
    let new_day =
        to_day(day).filter(|d| (0..=super::super::datetime::MAX_DAY).contains(d)).ok_or_else(out_of_range)?;
    let moved = (new_day - day) * TICKS_PER_DAY;
    Ok(match value {
        Value::Date(_) => Value::Date(new_day),
        Value::DateTime(t) => Value::DateTime(t + moved),
        Value::DateTimeZone(z) => {
            Value::DateTimeZone(super::super::datetime::Zoned { local: z.local + moved, ..*z })
        }
        _ => unreachable!("day_of accepted it"),
    })
}

fn whole(value: &Value) -> Result<i64, MError> {
    let n = number_arg(value)?;
    if n.fract() != 0.0 || n.abs() > 1e7 {
        return Err(MError::expression("The Date operation produced a result that is out of range."));
    }
    Ok(n as i64)
}

fn add_days(args: &[Value]) -> Outcome {
    let days = whole(&args[1])?;
    shift(&args[0], |d| Some(d + days))
}

/// Months added; a day past the new month's end becomes its last day, as .NET's AddMonths does.
fn plus_months(day: i64, months: i64) -> Option<i64> {
    let (y, m, d) = civil_from_days(day);
    let index = y * 12 + (m - 1) + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    if !(1..=9999).contains(&year) {
        return None;
    }
    days_from_civil(year, month, d.min(days_in_month(year, month)))
}

fn add_months(args: &[Value]) -> Outcome {
    let months = whole(&args[1])?;
    shift(&args[0], |d| plus_months(d, months))
}

fn add_years(args: &[Value]) -> Outcome {
    let years = whole(&args[1])?;
    shift(&args[0], |d| plus_months(d, years * 12))
}

fn start_of_month(args: &[Value]) -> Outcome {
    let start = shift(&args[0], |d| {
        let (y, m, _) = civil_from_days(d);
        days_from_civil(y, m, 1)
    })?;
    Ok(match start {
        // A datetime's start of month is at midnight.
        Value::DateTime(t) => Value::DateTime(t - t.rem_euclid(TICKS_PER_DAY)),
        Value::DateTimeZone(z) => Value::DateTimeZone(super::super::datetime::Zoned {
            local: z.local - z.local.rem_euclid(TICKS_PER_DAY),
            ..z
        }),
        other => other,
    })
}

fn end_of_month(args: &[Value]) -> Outcome {
    let end = shift(&args[0], |d| {
        let (y, m, _) = civil_from_days(d);
        days_from_civil(y, m, days_in_month(y, m))
    })?;
    // A datetime's end of month is its last tick.
    Ok(match end {
        Value::DateTime(t) => Value::DateTime(t - t.rem_euclid(TICKS_PER_DAY) + TICKS_PER_DAY - 1),
        other => other,
    })
}

/// `Date.DayOfWeek(date, firstDayOfWeek)`: 0 for the first day of the week (Sunday unless given).
fn day_of_week(args: &[Value]) -> Outcome {
    let Some(day) = day_of(&args[0])? else { return Ok(Value::Null) };
    let first = match &args[1] {
        Value::Null => 0,
        other => number_arg(other)? as i64,
    };
    // 0001-01-01 was a Monday (Day.Monday is 1).
    let weekday = (day + 1).rem_euclid(7);
    Ok(Value::Number((weekday - first).rem_euclid(7) as f64))
}
