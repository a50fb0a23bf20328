//! `Text.*` and the comparers they take. Texts are .NET strings in M: lengths and positions count UTF-16
//! code units, and comparisons are ordinal unless a comparer says otherwise. Cultures are
//! [`super::culture`]'s (en-US when none is given: dates print as `12/31/2011`).

use std::rc::Rc;

use super::super::datetime::TICKS_PER_DAY;
use super::super::evaluate::cannot_convert;
use super::super::render::{format_duration, scalar_text};
use super::super::value::{Function, List, MError, Outcome, Value};
use super::culture::{culture_arg, Culture, DEFAULT};
use super::{count_arg, list_arg, opt_text, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Text.From", from);
    r.add("Text.Combine", combine);
    r.add("Text.Replace", replace);
    r.add("Text.Contains", contains);
    r.add("Text.StartsWith", starts_with);
    r.add("Text.EndsWith", ends_with);
    r.add("Text.Split", split);
    r.add("Text.Length", length);
    r.add("Text.Upper", upper);
    r.add("Text.Lower", lower);
    r.add("Text.Trim", trim);
    r.add("Text.Start", start);
    r.add("Text.End", end);
    r.add("Text.Format", format);
    r.add("Comparer.Ordinal", comparer_ordinal);
    r.add("Comparer.OrdinalIgnoreCase", comparer_ordinal_ignore_case);
}

/// A text value from a Rust string.
fn text(s: &str) -> Value {
    Value::Text(Rc::from(s))
}

/// `Text.From(value, culture)`: a scalar as text in the culture (en-US when none is given); null stays
/// null.
pub fn text_from(value: &Value, culture: &Culture) -> Result<Option<String>, MError> {
    Ok(Some(match value.plain() {
        Value::Null => return Ok(None),
        Value::Text(t) => t.to_string(),
        Value::Number(n) => culture.format_number(*n),
        Value::Logical(b) => b.to_string(),
        Value::Date(d) => culture.format_date(*d),
        Value::Time(t) => culture.format_time(*t),
        Value::DateTime(t) => format!(
            "{} {}",
            culture.format_date(t.div_euclid(TICKS_PER_DAY)),
            culture.format_time(t.rem_euclid(TICKS_PER_DAY))
        ),
        Value::DateTimeZone(z) => {
            let offset = z.offset_minutes.abs();
            format!(
                "{} {} {}{:02}:{:02}",
                culture.format_date(z.local.div_euclid(TICKS_PER_DAY)),
                culture.format_time(z.local.rem_euclid(TICKS_PER_DAY)),
                if z.offset_minutes < 0 { '-' } else { '+' },
                offset / 60,
                offset % 60
            )
        }
        Value::Duration(d) => format_duration(*d),
        Value::Binary(_) => scalar_text(value),
        other => return Err(cannot_convert(other, "Text")),
    }))
}

fn from(args: &[Value]) -> Outcome {
    Ok(text_from(&args[0], &culture_arg(&args[1])?)?.map_or(Value::Null, |t| text(&t)))
}

fn combine(args: &[Value]) -> Outcome {
    let separator = opt_text(&args[1])?.unwrap_or("");
    let mut parts = Vec::new();
    for value in list_arg(&args[0])?.values()? {
        match value.plain() {
            Value::Null => {}
            Value::Text(t) => parts.push(t.clone()),
            other => return Err(cannot_convert(other, "Text")),
        }
    }
    let joined: Vec<&str> = parts.iter().map(|p| &**p).collect();
    Ok(text(&joined.join(separator)))
}

fn replace(args: &[Value]) -> Outcome {
    let Some(subject) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let old = text_arg(&args[1])?;
    let new = text_arg(&args[2])?;
    if old.is_empty() {
        return Ok(text(subject));
    }
    Ok(text(&subject.replace(old, new)))
}

/// Whether a comparer asks for case-insensitive comparison (`Comparer.OrdinalIgnoreCase`); `Err` for
/// comparers the evaluator does not know yet (culture comparers).
fn ignores_case(comparer: &Value) -> Result<bool, MError> {
    match comparer {
        Value::Null => Ok(false),
        Value::Function(Function::Builtin(b)) if b.name == "Comparer.Ordinal" => Ok(false),
        Value::Function(Function::Builtin(b)) if b.name == "Comparer.OrdinalIgnoreCase" => Ok(true),
        _ => Err(MError::expression(
            "`Comparer.FromCulture` and custom comparers are not implemented by dfls yet for text searches",
        )),
    }
}

fn text_test(args: &[Value], test: fn(&str, &str) -> bool) -> Outcome {
    let Some(subject) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let substring = text_arg(&args[1])?;
    Ok(Value::Logical(if ignores_case(&args[2])? {
        test(&subject.to_lowercase(), &substring.to_lowercase())
    } else {
        test(subject, substring)
    }))
}

fn contains(args: &[Value]) -> Outcome {
    text_test(args, |a, b| a.contains(b))
}

fn starts_with(args: &[Value]) -> Outcome {
    text_test(args, |a, b| a.starts_with(b))
}

fn ends_with(args: &[Value]) -> Outcome {
    text_test(args, |a, b| a.ends_with(b))
}

fn split(args: &[Value]) -> Outcome {
    let subject = text_arg(&args[0])?;
    let separator = text_arg(&args[1])?;
    let parts: Vec<Value> =
        if separator.is_empty() { vec![text(subject)] } else { subject.split(separator).map(text).collect() };
    Ok(Value::List(List::from_values(parts)))
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn length(args: &[Value]) -> Outcome {
    let Some(subject) = opt_text(&args[0])? else { return Ok(Value::Null) };
    Ok(Value::Number(subject.encode_utf16().count() as f64))
}

fn upper(args: &[Value]) -> Outcome {
    Ok(opt_text(&args[0])?.map_or(Value::Null, |t| text(&t.to_uppercase())))
}

fn lower(args: &[Value]) -> Outcome {
    Ok(opt_text(&args[0])?.map_or(Value::Null, |t| text(&t.to_lowercase())))
}

fn trim(args: &[Value]) -> Outcome {
    let Some(subject) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let trimmed = match &args[1] {
        Value::Null => subject.trim_matches(crate::syntax::chars::is_whitespace).to_owned(),
        Value::Text(chars) => subject.trim_matches(|c| chars.contains(c)).to_owned(),
        Value::List(list) => {
            let mut chars = String::new();
            for value in list.values()? {
                chars.push_str(text_arg(value.plain())?);
            }
            subject.trim_matches(|c| chars.contains(c)).to_owned()
        }
        other => return Err(cannot_convert(other, "Text")),
    };
    Ok(text(&trimmed))
}

fn start(args: &[Value]) -> Outcome {
    let Some(subject) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let units = utf16(subject);
    let count = count_arg(&args[1])?.min(units.len());
    Ok(text(&String::from_utf16_lossy(&units[..count])))
}

fn end(args: &[Value]) -> Outcome {
    let Some(subject) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let units = utf16(subject);
    let count = count_arg(&args[1])?.min(units.len());
    Ok(text(&String::from_utf16_lossy(&units[units.len() - count..])))
}

/// Fills `#{0}` (from a list) and `#[name]` (from a record) placeholders, as `Text.Format` and error
/// records' Message.Format do.
pub fn format_message(format: &str, arguments: Option<&Value>) -> Result<String, MError> {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (open, close) = match rest.as_bytes().get(1) {
            Some(b'{') => ('{', '}'),
            Some(b'[') => ('[', ']'),
            _ => {
                out.push('#');
                rest = &rest[1..];
                continue;
            }
        };
        let Some(end) = rest.find(close) else {
            out.push_str(rest);
            return Ok(out);
        };
        let key = &rest[2..end];
        let value = match (open, arguments.map(Value::plain)) {
            ('{', Some(Value::List(list))) => {
                key.parse::<usize>().ok().and_then(|i| list.get(i)).transpose()?
            }
            ('[', Some(Value::Record(record))) => record.get(key).transpose()?,
            _ => None,
        };
        let Some(value) = value else {
            return Err(MError::expression(format!(
                "The format placeholder '{}' has no value.",
                &rest[..=end]
            )));
        };
        out.push_str(&text_from(&value, &DEFAULT)?.unwrap_or_default());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn format(args: &[Value]) -> Outcome {
    Ok(text(&format_message(text_arg(&args[0])?, Some(&args[1]))?))
}

fn compare_with(args: &[Value], fold: bool) -> Outcome {
    let ordering = match (&args[0], &args[1]) {
        (Value::Text(a), Value::Text(b)) if fold => {
            super::super::operators::compare_text(&a.to_uppercase(), &b.to_uppercase())
        }
        (a, b) => super::super::operators::sort_order(a, b)?,
    };
    Ok(Value::Number(ordering as i8 as f64))
}

fn comparer_ordinal(args: &[Value]) -> Outcome {
    compare_with(args, false)
}

fn comparer_ordinal_ignore_case(args: &[Value]) -> Outcome {
    compare_with(args, true)
}
