//! `Number.ToText(number, format, culture)` with .NET's standard numeric format strings: `D` (whole
//! digits), `F` (fixed), `N` (grouped), `P` (percent), `E` (exponential) and `X` (hexadecimal), each
//! with an optional precision (`"F3"`, `"P1"`), in the culture's decimal and group separators.
//!
//! Rounding is .NET's (Core 3.0 and later): the double's exact decimal value, rounded half away from
//! zero, so `0.125` is `"0.13"` with `"F2"` and `1.005` is `"1.00"` (the double is just below 1.005).
//! `D` and `X` take whole numbers only. `G`, `R`, `C` and custom formats are not implemented yet.

use super::super::value::{MError, Outcome, Value};
use super::culture::Culture;

/// The most digits a precision may ask for (.NET's limit is 999 999 999; no one needs that many).
const MAX_PRECISION: usize = 999;

/// Formats a number as a standard numeric format string says.
pub fn format(n: f64, format: &str, culture: &Culture) -> Outcome {
    let mut chars = format.chars();
    let specifier = chars.next().unwrap_or('G');
    let precision: Option<usize> = match chars.as_str() {
        "" => None,
        digits if digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok(),
        _ => return Err(not_implemented(format)),
    };
    if !n.is_finite() {
        // .NET writes these whatever the format.
        return Ok(Value::text(if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "∞"
        } else {
            "-∞"
        }));
    }
    let text = match specifier {
        'D' | 'd' => {
            let whole = whole(n, format)?;
            let digits = whole.unsigned_abs().to_string();
            let sign = if whole < 0 { "-" } else { "" };
            format!("{sign}{digits:0>width$}", width = precision.unwrap_or(0))
        }
        'X' | 'x' => {
            let digits = format!("{:X}", whole(n, format)?);
            let digits = if specifier == 'x' { digits.to_lowercase() } else { digits };
            format!("{digits:0>width$}", width = precision.unwrap_or(0))
        }
        'F' | 'f' => fixed(n, 0, precision.unwrap_or(2), None, culture),
        'N' | 'n' => fixed(n, 0, precision.unwrap_or(2), Some(culture.group), culture),
        'P' | 'p' => {
            let number = fixed(n.abs(), 2, precision.unwrap_or(2), Some(culture.group), culture);
            let sign = if n < 0.0 && number.bytes().any(|b| (b'1'..=b'9').contains(&b)) { "-" } else { "" };
            format!("{sign}{number} %")
        }
        'E' | 'e' => exponential(n, precision.unwrap_or(6), specifier == 'E', culture),
        _ => return Err(not_implemented(format)),
    };
    Ok(Value::text(&text))
}

fn not_implemented(format: &str) -> MError {
    MError::expression(format!("Number.ToText with the format \"{format}\" is not implemented by dfls yet"))
        .with_detail(Value::text(format))
}

/// A whole number for `D` and `X` (.NET refuses them for a fraction).
fn whole(n: f64, format: &str) -> Result<i64, MError> {
    if n.fract() != 0.0 || n.abs() >= 9.223_372_036_854_776e18 {
        return Err(MError::new(
            "Expression.Error",
            format!("The format \"{format}\" needs a whole number."),
        )
        .with_detail(Value::Number(n)));
    }
    Ok(n as i64)
}

/// The exact decimal digits of |n| (every double is a finite decimal) and the position of the decimal
/// point in them: `0.125` is ("0125", 1).
fn exact_digits(n: f64) -> (Vec<u8>, usize) {
    // 1074 fractional digits hold the exact value of the smallest subnormal.
    let text = format!("{:.1074}", n.abs());
    let point = text.find('.').expect("a fraction is written");
    let digits: Vec<u8> = text.bytes().filter(|b| *b != b'.').map(|b| b - b'0').collect();
    (digits, point)
}

/// Digits rounded to keep `keep` of them, half away from zero (the digits are exact, so a 5 followed
/// by anything is at least half); the point moves right when a carry adds a digit.
fn round_digits(mut digits: Vec<u8>, keep: usize, point: &mut usize) -> Vec<u8> {
    let round_up = digits.get(keep).is_some_and(|d| *d >= 5);
    digits.truncate(keep);
    if round_up {
        let mut i = keep;
        loop {
            if i == 0 {
                digits.insert(0, 1);
                *point += 1;
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    digits
}

/// `F`, `N` and (with `shift` 2) `P`: `decimals` fraction digits, groups of three when a group
/// separator is given; a result that rounds to zero has no sign.
fn fixed(n: f64, shift: usize, decimals: usize, group: Option<char>, culture: &Culture) -> String {
    let decimals = decimals.min(MAX_PRECISION);
    let (digits, point) = exact_digits(n);
    let mut point = point + shift;
    let digits = round_digits(digits, point + decimals, &mut point);
    let integer: String = digits[..point].iter().map(|d| char::from(b'0' + d)).collect();
    let integer = integer.trim_start_matches('0');
    let integer = if integer.is_empty() { "0" } else { integer };
    let mut text = String::new();
    if n < 0.0 && digits.iter().any(|d| *d != 0) {
        text.push('-');
    }
    for (i, c) in integer.chars().enumerate() {
        if let Some(separator) = group {
            if i > 0 && (integer.len() - i) % 3 == 0 {
                text.push(separator);
            }
        }
        text.push(c);
    }
    if decimals > 0 {
        text.push(culture.decimal);
        text.extend(digits[point..].iter().map(|d| char::from(b'0' + d)));
    }
    text
}

/// `E`: one digit, the point, `decimals` digits, then `E+ddd` (at least three exponent digits).
fn exponential(n: f64, decimals: usize, upper: bool, culture: &Culture) -> String {
    let decimals = decimals.min(MAX_PRECISION);
    let (digits, point) = exact_digits(n);
    let first = digits.iter().position(|d| *d != 0);
    let (significant, mut exponent) = match first {
        Some(first) => (digits[first..].to_vec(), point as i64 - first as i64 - 1),
        None => (vec![0; decimals + 2], 0),
    };
    let mut integer_digits = 1;
    let significant = round_digits(significant, decimals + 1, &mut integer_digits);
    // A carry (9.99 to 10.0) makes one more leading digit: one more in the exponent instead.
    exponent += integer_digits as i64 - 1;
    let mut text = String::new();
    if n < 0.0 {
        text.push('-');
    }
    text.push(char::from(b'0' + significant[0]));
    if decimals > 0 {
        text.push(culture.decimal);
        text.extend(significant[1..=decimals].iter().map(|d| char::from(b'0' + d)));
    }
    text.push(if upper { 'E' } else { 'e' });
    text.push(if exponent < 0 { '-' } else { '+' });
    text.push_str(&format!("{:03}", exponent.unsigned_abs()));
    text
}
