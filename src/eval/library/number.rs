//! `Number.*` and `Date.From`: conversions between numbers, texts and dates, culture-invariant (en-US)
//! parsing, and rounding.

use super::super::datetime::TICKS_PER_DAY;
use super::super::evaluate::cannot_convert;
use super::super::value::{MError, Outcome, Value};
use super::culture::{culture_arg, Culture};
use super::{number_arg, opt_text, Registry};

pub fn register(r: &mut Registry) {
    r.add("Number.From", from);
    r.add("Number.ToText", to_text);
    // `Number.FromText(text, culture)`: a text read as `Number.From` reads one (null stays null).
    r.add("Number.FromText", from);
    r.add("Number.Round", round);
    r.add("Date.From", date_from);
    r.add("Number.Abs", |args| unary(args, f64::abs));
    r.add("Number.Sign", |args| unary(args, |n| if n == 0.0 || n.is_nan() { n } else { n.signum() }));
    r.add("Number.Sqrt", |args| unary(args, f64::sqrt));
    r.add("Number.RoundDown", |args| rounded(args, f64::floor));
    r.add("Number.RoundUp", |args| rounded(args, f64::ceil));
    r.add("Number.Mod", |args| binary(args, |a, b| a % b));
    r.add("Number.IntegerDivide", |args| binary(args, |a, b| (a / b).trunc()));
    r.add("Number.Power", |args| binary(args, f64::powf));
}

/// A function of one nullable number: null gives null.
fn unary(args: &[Value], f: fn(f64) -> f64) -> Outcome {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        other => Ok(Value::Number(f(number_arg(other)?))),
    }
}

/// A function of two nullable numbers: a null gives null. (`Number.Mod` and `Number.IntegerDivide` keep
/// the sign of the dividend, as .NET's remainder does.)
fn binary(args: &[Value], f: fn(f64, f64) -> f64) -> Outcome {
    match (&args[0], &args[1]) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (a, b) => Ok(Value::Number(f(number_arg(a)?, number_arg(b)?))),
    }
}

/// The number and the digits (0 when null) of the rounding functions; `None` for a null number.
fn number_and_digits(args: &[Value]) -> Result<Option<(f64, i32)>, MError> {
    let n = match &args[0] {
        Value::Null => return Ok(None),
        other => number_arg(other)?,
    };
    let digits = match &args[1] {
        Value::Null => 0,
        other => number_arg(other)? as i32,
    };
    Ok(Some((n, digits)))
}

/// `Number.RoundDown`/`RoundUp(number, digits)`.
fn rounded(args: &[Value], f: fn(f64) -> f64) -> Outcome {
    let Some((n, digits)) = number_and_digits(args)? else { return Ok(Value::Null) };
    let scale = 10f64.powi(digits);
    Ok(Value::Number(f(n * scale) / scale))
}

/// Day 0 of OLE Automation dates (1899-12-30), which `Number.From(date)` counts from.
const OLE_EPOCH_DAY: i64 = 693_593;

/// A text as a number in the en-US culture (`1,234.5`).
pub fn parse_number(text: &str) -> Option<f64> {
    super::culture::DEFAULT.parse_number(text)
}

/// A number written without group separators and with `.` for the decimal separator: optional sign,
/// digits, fraction, exponent, a trailing `%` (a hundredth), or `0x` hexadecimal; surrounding
/// whitespace allowed.
pub fn parse_invariant_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    if let Some(percent) = trimmed.strip_suffix('%') {
        // Shifting the exponent reads 12.3% as exactly the double nearest 0.123 (dividing by 100 would
        // round twice).
        let percent = percent.trim_end();
        if !percent.contains(['e', 'E', 'x', 'X', '%']) {
            return parse_invariant_number(&format!("{percent}e-2"));
        }
        return parse_invariant_number(percent).map(|n| n / 100.0);
    }
    if trimmed.is_empty() {
        return None;
    }
    let (negative, body) = match trimmed.as_bytes()[0] {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let value = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()? as f64
    } else {
        if body.is_empty()
            || !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
            || !body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if negative { -value } else { value })
}

/// `Number.From(value)`: numbers as they are, texts parsed, logicals as 1 and 0, dates and times as OLE
/// Automation numbers (days since 1899-12-30, the time as a fraction of a day), durations as days.
pub fn number_from(value: &Value, culture: &Culture) -> Outcome {
    Ok(match value.plain() {
        Value::Null => Value::Null,
        Value::Number(n) => Value::Number(*n),
        Value::Logical(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
        Value::Text(t) => match culture.parse_number(t) {
            Some(n) => Value::Number(n),
            None => {
                return Err(MError::new("DataFormat.Error", "We couldn't convert to Number.")
                    .with_detail(Value::Text(t.clone())))
            }
        },
        Value::Date(d) => Value::Number((d - OLE_EPOCH_DAY) as f64),
        Value::DateTime(t) => {
            Value::Number((t - OLE_EPOCH_DAY * TICKS_PER_DAY) as f64 / TICKS_PER_DAY as f64)
        }
        Value::DateTimeZone(z) => {
            Value::Number((z.utc() - OLE_EPOCH_DAY * TICKS_PER_DAY) as f64 / TICKS_PER_DAY as f64)
        }
        Value::Time(t) | Value::Duration(t) => Value::Number(*t as f64 / TICKS_PER_DAY as f64),
        other => return Err(cannot_convert(other, "Number")),
    })
}

fn from(args: &[Value]) -> Outcome {
    number_from(&args[0], &culture_arg(&args[1])?)
}

/// `Number.ToText(number, format, culture)`: the shortest round-trip text without a format.
fn to_text(args: &[Value]) -> Outcome {
    let n = match &args[0] {
        Value::Null => return Ok(Value::Null),
        other => number_arg(other)?,
    };
    let culture = culture_arg(&args[2])?;
    match opt_text(&args[1])? {
        Some(format) => super::number_format::format(n, format, &culture),
        None => Ok(Value::text(&culture.format_number(n))),
    }
}

/// `Number.Round(number, digits, roundingMode)`: to the nearest number of `digits` decimals; the
/// `RoundingMode` (to even by default) decides only a tie, as the reference documents it.
fn round(args: &[Value]) -> Outcome {
    let Some((n, digits)) = number_and_digits(args)? else { return Ok(Value::Null) };
    let mode = match &args[2] {
        Value::Null => 4,
        other => number_arg(other)? as i32,
    };
    let scale = 10f64.powi(digits);
    let x = n * scale;
    let (below, above) = (x.floor(), x.floor() + 1.0);
    // The mode only breaks a tie: anything else goes to the nearer whole number.
    let rounded = match x - below {
        d if d < 0.5 => below,
        d if d > 0.5 => above,
        _ => match mode {
            0 => above,
            1 => below,
            2 => x.round(),
            3 => x.trunc(),
            _ => x.round_ties_even(),
        },
    };
    Ok(Value::Number(rounded / scale))
}

/// A date text in the en-US culture: ISO `2011-12-31` or `12/31/2011`.
pub fn parse_date(text: &str) -> Option<i64> {
    super::culture::DEFAULT.parse_date(text)
}

/// `Date.From(value, culture)`.
pub fn date_from_value(value: &Value, culture: &Culture) -> Outcome {
    Ok(match value.plain() {
        Value::Null => Value::Null,
        Value::Date(d) => Value::Date(*d),
        Value::DateTime(t) => Value::Date(t.div_euclid(TICKS_PER_DAY)),
        Value::DateTimeZone(z) => Value::Date(z.local.div_euclid(TICKS_PER_DAY)),
        Value::Number(n) if n.is_finite() => Value::Date(OLE_EPOCH_DAY + n.floor() as i64),
        Value::Text(t) => match culture.parse_date(t) {
            Some(d) => Value::Date(d),
            None => {
                return Err(MError::new(
                    "DataFormat.Error",
                    "We couldn't parse the input provided as a Date value.",
                )
                .with_detail(Value::Text(t.clone())))
            }
        },
        other => return Err(cannot_convert(other, "Date")),
    })
}

fn date_from(args: &[Value]) -> Outcome {
    date_from_value(&args[0], &culture_arg(&args[1])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn en_us_numbers() {
        assert_eq!(parse_number("12.3%"), Some(0.123));
        assert_eq!(parse_number(" 1,234.5 "), Some(1234.5));
        assert_eq!(parse_number("-1e3"), Some(-1000.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("1.2.3"), None);
    }
}
