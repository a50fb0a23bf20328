//! The library functions a kernel calls over whole columns: which ones, on which argument kinds, giving
//! which kind.
//!
//! `Date.Year`, `Date.Month` and `Date.Day` on a date column are computed on the Arrow days directly. The
//! others run the library's own function on each row's values (so their answers are the library's by
//! construction), without the interpreter's row records, scopes and thunks; a row where the function
//! fails or gives another kind is deferred to the interpreter, which gives the same error or value.

use arrow_array::{Array, Float64Array};

use super::super::column::UNIX_EPOCH_DAY;
use super::super::datetime::civil_from_days;
use super::super::library::{call, Builtin};
use super::super::value::Value;
use super::vector::{at, Data, Kind, Vector};

/// How a call is computed.
#[derive(Clone, Copy)]
pub enum Call {
    /// A part of a date's (year, month, day).
    DatePart(fn((i64, i64, i64)) -> i64),
    /// The library function, row by row.
    Library(&'static Builtin),
}

/// The functions covered: the name, the kinds each argument may have (null always may), and the kind of
/// the result.
const SIGNATURES: &[(&str, &[&[Kind]], Kind)] = {
    use Kind::*;
    const NUMBER: &[Kind] = &[Number];
    const TEXT: &[Kind] = &[Text];
    const DATE: &[Kind] = &[Date];
    const SCALAR: &[Kind] = &[Number, Text, Logical, Date];
    &[
        ("Date.Year", &[DATE], Number),
        ("Date.Month", &[DATE], Number),
        ("Date.Day", &[DATE], Number),
        ("Text.Upper", &[TEXT], Text),
        ("Text.Lower", &[TEXT], Text),
        ("Text.Trim", &[TEXT], Text),
        ("Text.Length", &[TEXT], Number),
        ("Text.Start", &[TEXT, NUMBER], Text),
        ("Text.End", &[TEXT, NUMBER], Text),
        ("Text.Contains", &[TEXT, TEXT], Logical),
        ("Text.StartsWith", &[TEXT, TEXT], Logical),
        ("Text.EndsWith", &[TEXT, TEXT], Logical),
        ("Text.From", &[SCALAR], Text),
        ("Number.From", &[&[Number, Text, Logical]], Number),
        ("Date.From", &[&[Text, Date, Number]], Date),
        ("Number.Abs", &[NUMBER], Number),
        ("Number.Round", &[NUMBER], Number),
        ("Number.Round", &[NUMBER, NUMBER], Number),
        ("Number.RoundUp", &[NUMBER], Number),
        ("Number.RoundDown", &[NUMBER], Number),
    ]
};

/// How a call of `builtin` on arguments of these kinds is computed and the kind it gives; `None` for a
/// function or argument kinds not covered.
pub fn signature(builtin: &'static Builtin, arguments: &[Kind]) -> Option<(Call, Kind)> {
    let (_, _, result) = SIGNATURES.iter().find(|(name, parameters, _)| {
        *name == builtin.name
            && parameters.len() == arguments.len()
            && parameters
                .iter()
                .zip(arguments)
                .all(|(allowed, kind)| *kind == Kind::Null || allowed.contains(kind))
    })?;
    let call = match builtin.name {
        "Date.Year" => Call::DatePart(|(year, _, _)| year),
        "Date.Month" => Call::DatePart(|(_, month, _)| month),
        "Date.Day" => Call::DatePart(|(_, _, day)| day),
        _ => Call::Library(builtin),
    };
    Some((call, *result))
}

/// The call on every row (the arguments' deferred rows are the caller's to add).
pub fn run(call: Call, arguments: &[Vector], kind: Kind, rows: usize) -> Vector {
    match call {
        Call::DatePart(part) => Vector::new(match &arguments[0].data {
            Data::Date(days) => Data::Number(
                (0..rows)
                    .map(|r| {
                        let i = at(days.len(), r);
                        days.is_valid(i)
                            .then(|| part(civil_from_days(i64::from(days.value(i)) + UNIX_EPOCH_DAY)) as f64)
                    })
                    .collect::<Float64Array>(),
            ),
            _ => Data::Null,
        }),
        Call::Library(builtin) => {
            let mut deferred = vec![false; rows];
            let values: Vec<Value> = (0..rows)
                .map(|r| {
                    let args = arguments.iter().map(|a| a.data.value(r)).collect();
                    match call_checked(builtin, args, kind) {
                        Some(value) => value,
                        None => {
                            deferred[r] = true;
                            Value::Null
                        }
                    }
                })
                .collect();
            let any = deferred.iter().any(|d| *d);
            Vector { data: Data::from_values(kind, &values), deferred: any.then_some(deferred) }
        }
    }
}

/// The function's value when it is of the kind (or null), `None` otherwise (an error, or a value a kernel
/// cannot hold).
fn call_checked(builtin: &Builtin, arguments: Vec<Value>, kind: Kind) -> Option<Value> {
    let value = call(builtin, arguments).ok()?;
    let fits = match (&value, kind) {
        (Value::Null, _) => true,
        (Value::Number(_), Kind::Number)
        | (Value::Text(_), Kind::Text)
        | (Value::Logical(_), Kind::Logical) => true,
        (Value::Date(d), Kind::Date) => i32::try_from(d - UNIX_EPOCH_DAY).is_ok(),
        _ => false,
    };
    fits.then_some(value)
}
