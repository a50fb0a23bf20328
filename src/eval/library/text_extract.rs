//! `Text.*` that extract, pad, search and filter: the functions Power Query's "Extract" and "Format"
//! commands write (`Text.BeforeDelimiter`, `Text.Middle`, `Text.PadStart`, ...). Positions and counts are
//! in UTF-16 code units, as M's texts are .NET strings. Null text gives null.

use super::super::evaluate::cannot_convert;
use super::super::value::{List, MError, Outcome, Value};
use super::{count_arg, number_arg, opt_text, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Text.BeforeDelimiter", |args| delimited(args, true));
    r.add("Text.AfterDelimiter", |args| delimited(args, false));
    r.add("Text.BetweenDelimiters", between_delimiters);
    r.add("Text.Middle", |args| range(args, false));
    r.add("Text.Range", |args| range(args, true));
    r.add("Text.PadStart", |args| pad(args, true));
    r.add("Text.PadEnd", |args| pad(args, false));
    r.add("Text.PositionOf", position_of);
    r.add("Text.Proper", proper);
    r.add("Text.Remove", |args| filter_chars(args, false));
    r.add("Text.Select", |args| filter_chars(args, true));
    r.add("Text.Insert", insert);
    r.add("Text.Reverse", |args| map_text(args, |t| t.chars().rev().collect()));
    r.add("Text.Clean", |args| map_text(args, |t| t.chars().filter(|c| !c.is_control()).collect()));
    r.add("Text.TrimStart", |args| trim(args, true));
    r.add("Text.TrimEnd", |args| trim(args, false));
    r.add("Text.Repeat", repeat);
}

fn utf16(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

fn from_utf16(units: &[u16]) -> Value {
    Value::text(&String::from_utf16_lossy(units))
}

fn map_text(args: &[Value], f: fn(&str) -> String) -> Outcome {
    Ok(opt_text(&args[0])?.map_or(Value::Null, |t| Value::text(&f(t))))
}

/// An `index` argument: a number (from the start), or `{index, RelativePosition.FromStart | FromEnd}`.
fn index_arg(value: &Value) -> Result<(usize, bool), MError> {
    match value {
        Value::Null => Ok((0, false)),
        Value::Number(_) => Ok((count_arg(value)?, false)),
        Value::List(list) => match list.values()?.as_slice() {
            [index, from] => Ok((count_arg(index.plain())?, number_arg(from.plain())? == 1.0)),
            _ => Err(MError::expression("An index is a number or a list {index, RelativePosition.Type}.")),
        },
        other => Err(cannot_convert(other, "Number")),
    }
}

/// The byte offsets of every occurrence of `delimiter` in `text`, in order.
fn occurrences(text: &str, delimiter: &str) -> Vec<usize> {
    if delimiter.is_empty() {
        return Vec::new();
    }
    text.match_indices(delimiter).map(|(at, _)| at).collect()
}

/// The occurrence `index` counts to, from the start or the end.
fn pick(found: &[usize], (index, from_end): (usize, bool)) -> Option<usize> {
    if from_end {
        found.len().checked_sub(index + 1).map(|i| found[i])
    } else {
        found.get(index).copied()
    }
}

/// `Text.BeforeDelimiter`/`AfterDelimiter(text, delimiter, index)`: the text before (after) the chosen
/// occurrence of the delimiter; the whole text (before) or empty text (after) when there is none.
fn delimited(args: &[Value], before: bool) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let delimiter = text_arg(&args[1])?;
    let at = pick(&occurrences(text, delimiter), index_arg(&args[2])?);
    Ok(Value::text(match (at, before) {
        (Some(at), true) => &text[..at],
        (Some(at), false) => &text[at + delimiter.len()..],
        (None, true) => text,
        (None, false) => "",
    }))
}

/// `Text.BetweenDelimiters(text, start, end, startIndex, endIndex)`: the text after the chosen start
/// delimiter and before the chosen end delimiter that follows it.
fn between_delimiters(args: &[Value]) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let start = text_arg(&args[1])?;
    let end = text_arg(&args[2])?;
    let Some(from) = pick(&occurrences(text, start), index_arg(&args[3])?).map(|at| at + start.len()) else {
        return Ok(Value::text(""));
    };
    let rest = &text[from..];
    let to = pick(&occurrences(rest, end), index_arg(&args[4])?).unwrap_or(rest.len());
    Ok(Value::text(&rest[..to]))
}

/// `Text.Middle` (an offset past the end gives empty text) and `Text.Range` (it is an error).
fn range(args: &[Value], strict: bool) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let units = utf16(text);
    let offset = count_arg(&args[1])?;
    if offset > units.len() {
        if strict {
            return Err(
                MError::expression("The 'offset' argument is out of range.").with_detail(args[1].clone())
            );
        }
        return Ok(Value::text(""));
    }
    let available = units.len() - offset;
    let count = match &args[2] {
        Value::Null => available,
        other if strict => {
            let count = count_arg(other)?;
            if count > available {
                return Err(
                    MError::expression("The 'count' argument is out of range.").with_detail(other.clone())
                );
            }
            count
        }
        other => count_arg(other)?.min(available),
    };
    Ok(from_utf16(&units[offset..offset + count]))
}

fn pad(args: &[Value], start: bool) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let count = count_arg(&args[1])?;
    let fill = match opt_text(&args[2])? {
        None => ' ',
        Some(c) if c.chars().count() == 1 => c.chars().next().expect("one character"),
        Some(c) => return Err(MError::expression(format!("The padding \"{c}\" is not a single character."))),
    };
    let length = text.encode_utf16().count();
    let padding: String = std::iter::repeat_n(fill, count.saturating_sub(length)).collect();
    Ok(Value::text(&if start { padding + text } else { text.to_owned() + &padding }))
}

/// `Text.PositionOf(text, substring, occurrence)`: the UTF-16 position of the first (or last)
/// occurrence, -1 when there is none; with `Occurrence.All`, the list of every position.
fn position_of(args: &[Value]) -> Outcome {
    let text = utf16(text_arg(&args[0])?);
    let substring = utf16(text_arg(&args[1])?);
    if !args[3].is_null() {
        return Err(MError::expression("Text.PositionOf with a comparer is not implemented by dfls yet"));
    }
    let positions: Vec<usize> = if substring.is_empty() || substring.len() > text.len() {
        if substring.is_empty() {
            vec![0]
        } else {
            Vec::new()
        }
    } else {
        (0..=text.len() - substring.len())
            .filter(|&i| text[i..i + substring.len()] == substring[..])
            .collect()
    };
    let occurrence = if args[2].is_null() { 0.0 } else { number_arg(&args[2])? };
    Ok(match occurrence as i64 {
        2 => Value::List(List::from_values(positions.iter().map(|&p| Value::Number(p as f64)).collect())),
        1 => Value::Number(positions.last().map_or(-1.0, |&p| p as f64)),
        _ => Value::Number(positions.first().map_or(-1.0, |&p| p as f64)),
    })
}

/// `Text.Proper`: the first letter of each word upper case, the rest lower case.
fn proper(args: &[Value]) -> Outcome {
    map_text(args, |text| {
        let mut out = String::with_capacity(text.len());
        let mut at_word_start = true;
        for c in text.chars() {
            if c.is_alphanumeric() {
                if at_word_start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                at_word_start = false;
            } else {
                out.push(c);
                at_word_start = true;
            }
        }
        out
    })
}

/// The characters a `removeChars`/`selectChars` argument names: a text of one character, or a list of
/// them (`{"a".."z"}` included).
fn chars_arg(value: &Value) -> Result<Vec<char>, MError> {
    let one = |value: &Value| -> Result<Vec<char>, MError> {
        match value.plain() {
            Value::Text(t) => Ok(t.chars().collect()),
            other => Err(cannot_convert(other, "Text")),
        }
    };
    match value {
        Value::List(list) => {
            let mut chars = Vec::new();
            for item in list.values()? {
                chars.extend(one(&item)?);
            }
            Ok(chars)
        }
        other => one(other),
    }
}

fn filter_chars(args: &[Value], keep: bool) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let chars = chars_arg(&args[1])?;
    Ok(Value::text(&text.chars().filter(|c| chars.contains(c) == keep).collect::<String>()))
}

fn insert(args: &[Value]) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let mut units = utf16(text);
    let offset = count_arg(&args[1])?;
    if offset > units.len() {
        return Err(MError::expression("The 'offset' argument is out of range.").with_detail(args[1].clone()));
    }
    let inserted = utf16(text_arg(&args[2])?);
    units.splice(offset..offset, inserted);
    Ok(from_utf16(&units))
}

fn trim(args: &[Value], start: bool) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let chars: Vec<char> = match &args[1] {
        Value::Null => Vec::new(),
        other => chars_arg(other)?,
    };
    let matches =
        |c: char| if chars.is_empty() { crate::syntax::chars::is_whitespace(c) } else { chars.contains(&c) };
    Ok(Value::text(if start { text.trim_start_matches(matches) } else { text.trim_end_matches(matches) }))
}

fn repeat(args: &[Value]) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let count = count_arg(&args[1])?;
    if text.len().saturating_mul(count) > 1 << 30 {
        return Err(MError::expression("Text.Repeat would make a text longer than dfls holds (1 GB)."));
    }
    Ok(Value::text(&text.repeat(count)))
}
