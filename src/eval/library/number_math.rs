//! `Number.*` of mathematics: parity and NaN tests, exponentials and logarithms, factorials and
//! counting (`Combinations`, `Permutations`), and the bitwise operations on 64-bit integers. A null
//! argument gives null where the catalog's parameter is nullable.

use super::super::render::format_number;
use super::super::value::{MError, Outcome, Value};
use super::{number_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Number.IsNaN", |args| Ok(Value::Logical(number_arg(&args[0])?.is_nan())));
    r.add("Number.IsEven", |args| Ok(Value::Logical(number_arg(&args[0])? % 2.0 == 0.0)));
    r.add("Number.IsOdd", |args| Ok(Value::Logical(number_arg(&args[0])?.abs() % 2.0 == 1.0)));
    r.add("Number.Exp", |args| nullable(&args[0], f64::exp));
    r.add("Number.Ln", |args| nullable(&args[0], f64::ln));
    r.add("Number.Log10", |args| nullable(&args[0], f64::log10));
    r.add("Number.Log", log);
    r.add("Number.Factorial", |args| nullable_checked(&args[..1], |n| Ok(factorial(whole(n[0])?))));
    r.add("Number.Combinations", |args| {
        nullable_checked(args, |n| {
            let (set, size) = (whole(n[0])?, whole(n[1])?);
            Ok(permutations(set, size)? / factorial(size))
        })
    });
    r.add("Number.Permutations", |args| nullable_checked(args, |n| permutations(whole(n[0])?, whole(n[1])?)));
    r.add("Number.BitwiseAnd", |args| bitwise(args, |a, b| Ok(a & b)));
    r.add("Number.BitwiseOr", |args| bitwise(args, |a, b| Ok(a | b)));
    r.add("Number.BitwiseXor", |args| bitwise(args, |a, b| Ok(a ^ b)));
    r.add("Number.BitwiseShiftLeft", |args| bitwise(args, |a, b| shift(a, b, i64::checked_shl)));
    r.add("Number.BitwiseShiftRight", |args| bitwise(args, |a, b| shift(a, b, i64::checked_shr)));
    r.add("Number.BitwiseNot", |args| match &args[0] {
        Value::Null => Ok(Value::Null),
        other => Ok(Value::Number(!integer(number_arg(other)?)? as f64)),
    });
}

fn nullable(value: &Value, f: fn(f64) -> f64) -> Outcome {
    match value {
        Value::Null => Ok(Value::Null),
        other => Ok(Value::Number(f(number_arg(other)?))),
    }
}

/// A function of numbers that may fail: any null argument gives null.
fn nullable_checked(args: &[Value], f: impl Fn(&[f64]) -> Result<f64, MError>) -> Outcome {
    if args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let numbers = args.iter().map(number_arg).collect::<Result<Vec<f64>, MError>>()?;
    Ok(Value::Number(f(&numbers)?))
}

/// `Number.Log(number, base)`: the natural logarithm when the base is omitted.
fn log(args: &[Value]) -> Outcome {
    match (&args[0], &args[1]) {
        (Value::Null, _) => Ok(Value::Null),
        (n, Value::Null) => Ok(Value::Number(number_arg(n)?.ln())),
        (n, base) => Ok(Value::Number(number_arg(n)?.ln() / number_arg(base)?.ln())),
    }
}

/// A non-negative whole number (a set size, a count).
fn whole(n: f64) -> Result<f64, MError> {
    if n < 0.0 || n.fract() != 0.0 || !n.is_finite() {
        return Err(MError::expression(format!(
            "The number {} is not a valid argument: it must be a non-negative integer.",
            format_number(n)
        ))
        .with_detail(Value::Number(n)));
    }
    Ok(n)
}

/// n! as a double (infinity beyond 170!, as a double overflows).
fn factorial(n: f64) -> f64 {
    let mut product: f64 = 1.0;
    let mut k = 2.0;
    while k <= n && product.is_finite() {
        product *= k;
        k += 1.0;
    }
    product
}

/// The ordered choices of `size` items of `set`: set! / (set - size)!.
fn permutations(set: f64, size: f64) -> Result<f64, MError> {
    if size > set {
        return Err(MError::expression(format!(
            "The size {} is larger than the set size {}.",
            format_number(size),
            format_number(set)
        )));
    }
    let mut product: f64 = 1.0;
    let mut k = set - size + 1.0;
    while k <= set && product.is_finite() {
        product *= k;
        k += 1.0;
    }
    Ok(product)
}

/// A number as a 64-bit integer: whole and in range, or M's conversion error.
fn integer(n: f64) -> Result<i64, MError> {
    if n.fract() != 0.0 || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&n) {
        return Err(MError::expression(format!(
            "We cannot convert the value {} to type Int64.",
            format_number(n)
        ))
        .with_detail(Value::Number(n)));
    }
    Ok(n as i64)
}

fn bitwise(args: &[Value], f: fn(i64, i64) -> Result<i64, MError>) -> Outcome {
    nullable_checked(&args[..2], |n| Ok(f(integer(n[0])?, integer(n[1])?)? as f64))
}

/// A shift by 0 to 63 bits (a larger or negative shift is an error, not a wrap-around).
fn shift(a: i64, by: i64, f: fn(i64, u32) -> Option<i64>) -> Result<i64, MError> {
    u32::try_from(by).ok().and_then(|by| f(a, by)).ok_or_else(|| {
        MError::expression(format!("A shift of {by} bits is not between 0 and 63."))
            .with_detail(Value::Number(by as f64))
    })
}
