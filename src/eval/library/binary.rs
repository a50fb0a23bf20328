//! Binary values and text encodings: `File.Contents` (through [`crate::eval::sources`]),
//! `Text.FromBinary`/`Text.ToBinary`, `Binary.FromText`/`Binary.ToText` and `Lines.*`.

use std::rc::Rc;

use base64::Engine;

use super::super::evaluate::cannot_convert;
use super::super::value::{List, MError, Outcome, Value};
use super::{list_arg, number_arg, opt_text, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("File.Contents", file_contents);
    r.add("Text.FromBinary", text_from_binary);
    r.add("Text.ToBinary", text_to_binary);
    r.add("Binary.FromText", binary_from_text);
    r.add("Binary.ToText", binary_to_text);
    r.add("Lines.FromBinary", lines_from_binary);
    r.add("Lines.FromText", lines_from_text);
    r.add("Lines.ToText", lines_to_text);
}

/// `TextEncoding.*` code pages.
const UTF8: i64 = 65001;
const UTF16: i64 = 1200;
const UTF16_BIG_ENDIAN: i64 = 1201;
const WINDOWS_1252: i64 = 1252;
const ASCII: i64 = 20127;

fn file_contents(args: &[Value]) -> Outcome {
    let path = text_arg(&args[0])?;
    let bytes = super::super::sources::current().file(path)?;
    Ok(Value::Binary(Rc::from(bytes)))
}

/// Bytes as text in an encoding (UTF-8 by default; a byte-order mark decides when present).
pub fn decode(bytes: &[u8], encoding: Option<i64>) -> Result<String, MError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok(String::from_utf8_lossy(rest).into_owned());
    }
    let utf16 = |big_endian: bool, bytes: &[u8]| {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|pair| {
                let pair = [pair[0], *pair.get(1).unwrap_or(&0)];
                if big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(utf16(false, rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(utf16(true, rest));
    }
    Ok(match encoding.unwrap_or(UTF8) {
        UTF8 => String::from_utf8_lossy(bytes).into_owned(),
        UTF16 => utf16(false, bytes),
        UTF16_BIG_ENDIAN => utf16(true, bytes),
        ASCII => bytes.iter().map(|&b| if b < 0x80 { b as char } else { '?' }).collect(),
        // Windows-1252 agrees with Latin-1 except in 0x80..0xA0, which holds rare punctuation.
        WINDOWS_1252 => bytes.iter().map(|&b| b as char).collect(),
        other => {
            return Err(MError::expression(format!(
                "The text encoding {other} is not implemented by dfls yet"
            )))
        }
    })
}

fn encoding_arg(value: &Value) -> Result<Option<i64>, MError> {
    match value {
        Value::Null => Ok(None),
        other => Ok(Some(number_arg(other)? as i64)),
    }
}

fn text_from_binary(args: &[Value]) -> Outcome {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Binary(bytes) => Ok(Value::text(&decode(bytes, encoding_arg(&args[1])?)?)),
        other => Err(cannot_convert(other, "Binary")),
    }
}

fn text_to_binary(args: &[Value]) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let bom = matches!(args[2], Value::Logical(true));
    let bytes: Vec<u8> = match encoding_arg(&args[1])?.unwrap_or(UTF8) {
        UTF8 => [if bom { &[0xEF, 0xBB, 0xBF][..] } else { &[] }, text.as_bytes()].concat(),
        UTF16 => {
            let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        }
        UTF16_BIG_ENDIAN => {
            let mut bytes = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
            bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            bytes
        }
        ASCII => text.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }).collect(),
        other => {
            return Err(MError::expression(format!(
                "The text encoding {other} is not implemented by dfls yet"
            )))
        }
    };
    Ok(Value::Binary(Rc::from(bytes)))
}

/// `BinaryEncoding.Base64` (0, the default) or `.Hex` (1).
fn hex_encoding(value: &Value) -> Result<bool, MError> {
    Ok(encoding_arg(value)? == Some(1))
}

fn binary_from_text(args: &[Value]) -> Outcome {
    let Some(text) = opt_text(&args[0])? else { return Ok(Value::Null) };
    let bytes = if hex_encoding(&args[1])? {
        let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if digits.len() % 2 != 0 {
            return Err(MError::new("DataFormat.Error", "The input is not a valid hexadecimal string."));
        }
        digits
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| MError::new("DataFormat.Error", "The input is not a valid hexadecimal string."))?
    } else {
        let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(cleaned.as_bytes())
            .map_err(|_| MError::new("DataFormat.Error", "The input is not a valid Base-64 string."))?
    };
    Ok(Value::Binary(Rc::from(bytes)))
}

fn binary_to_text(args: &[Value]) -> Outcome {
    let bytes = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::Binary(bytes) => bytes,
        other => return Err(cannot_convert(other, "Binary")),
    };
    Ok(Value::text(&if hex_encoding(&args[1])? {
        bytes.iter().map(|b| format!("{b:02X}")).collect::<String>()
    } else {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }))
}

/// A text split into lines at CR LF, CR or LF, the separators kept when asked.
fn lines(text: &str, keep_separators: bool) -> Vec<Value> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let separator = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if separator > 0 {
            let end = if keep_separators { i + separator } else { i };
            lines.push(Value::text(&text[start..end]));
            i += separator;
            start = i;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        lines.push(Value::text(&text[start..]));
    }
    lines
}

fn lines_from_text(args: &[Value]) -> Outcome {
    let keep = matches!(args[2], Value::Logical(true));
    Ok(Value::List(List::from_values(lines(text_arg(&args[0])?, keep))))
}

fn lines_from_binary(args: &[Value]) -> Outcome {
    let Value::Binary(bytes) = &args[0] else { return Err(cannot_convert(&args[0], "Binary")) };
    let text = decode(bytes, encoding_arg(&args[3])?)?;
    let keep = matches!(args[2], Value::Logical(true));
    Ok(Value::List(List::from_values(lines(&text, keep))))
}

fn lines_to_text(args: &[Value]) -> Outcome {
    let separator = opt_text(&args[1])?.unwrap_or("\r\n");
    let mut text = String::new();
    for line in list_arg(&args[0])?.values()? {
        text.push_str(text_arg(line.plain())?);
        text.push_str(separator);
    }
    Ok(Value::text(&text))
}
