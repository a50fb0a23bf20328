//! `Binary.Decompress` for `Compression.GZip` and `Compression.Deflate` (flate2, on its pure-Rust
//! backend), and `Compression.None`. Snappy, Brotli, LZ4 and Zstandard are a clear "not implemented" error.

use std::io::Read;
use std::rc::Rc;

use super::super::evaluate::cannot_convert;
use super::super::value::{MError, Outcome, Value};
use super::{number_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Binary.Decompress", binary_decompress);
}

/// The `Compression.*` members, as Microsoft's `Compression.Type` documents their values.
pub const MEMBERS: &[(&str, f64)] = &[
    ("Compression.None", -1.0),
    ("Compression.GZip", 0.0),
    ("Compression.Deflate", 1.0),
    ("Compression.Snappy", 2.0),
    ("Compression.Brotli", 3.0),
    ("Compression.LZ4", 4.0),
    ("Compression.Zstandard", 5.0),
];

/// The largest output dfls inflates (a small input can expand a thousandfold: a "zip bomb" stops here).
const MAX_OUTPUT: u64 = 4 << 30;

fn binary_decompress(args: &[Value]) -> Outcome {
    let bytes = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::Binary(bytes) => bytes.clone(),
        other => return Err(cannot_convert(other, "Binary")),
    };
    let kind = number_arg(&args[1])?;
    let name = MEMBERS.iter().find(|(_, n)| *n == kind).map(|(name, _)| *name);
    let mut out = Vec::new();
    let read = match name {
        Some("Compression.None") => return Ok(Value::Binary(bytes)),
        Some("Compression.GZip") => {
            flate2::read::MultiGzDecoder::new(&bytes[..]).take(MAX_OUTPUT + 1).read_to_end(&mut out)
        }
        Some("Compression.Deflate") => {
            flate2::read::DeflateDecoder::new(&bytes[..]).take(MAX_OUTPUT + 1).read_to_end(&mut out)
        }
        Some(other) => {
            return Err(MError::expression(format!("`{other}` is not implemented by dfls yet"))
                .with_detail(args[1].clone()))
        }
        None => {
            return Err(MError::expression(format!(
                "The value {} is not a valid Compression.Type.",
                super::super::render::format_number(kind)
            ))
            .with_detail(args[1].clone()))
        }
    };
    let format = name.unwrap_or_default().trim_start_matches("Compression.");
    match read {
        Ok(_) if out.len() as u64 > MAX_OUTPUT => Err(MError::new(
            "DataFormat.Error",
            format!("The decompressed data is larger than dfls reads ({} GB).", MAX_OUTPUT >> 30),
        )),
        Ok(_) => Ok(Value::Binary(Rc::from(out))),
        Err(error) => {
            Err(MError::new("DataFormat.Error", format!("The input is not valid {format} data: {error}.")))
        }
    }
}
