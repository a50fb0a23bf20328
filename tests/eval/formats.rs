//! The readers of bytes: `Binary.Decompress`, `Xml.Tables`/`Xml.Document`, `Excel.Workbook` and
//! `Parquet.Document`, each on data made by another tool (Python's gzip and zlib, openpyxl, pyarrow, or
//! arrow-rs here), with the shapes and error reasons of Microsoft's reference.

use super::{check, error_message};

#[test]
fn binary_decompress_gzip_and_deflate() {
    // Python's gzip.compress(b"Hello, world! Hello, world!") and a raw deflate stream of "abcabcabcabc".
    check(&[
        (
            r#"Text.FromBinary(Binary.Decompress(Binary.FromText("H4sIAAAAAAACA/NIzcnJ11Eozy/KSVFU8EDmAQCMQ58RGwAAAA=="), Compression.GZip))"#,
            r#""Hello, world! Hello, world!""#,
        ),
        (
            r#"Text.FromBinary(Binary.Decompress(Binary.FromText("S0xKToQhAA=="), Compression.Deflate))"#,
            r#""abcabcabcabc""#,
        ),
        (r#"Binary.Decompress(null, Compression.GZip)"#, "null"),
        (
            r#"Binary.Decompress(#binary({1, 2}), Compression.None)"#,
            r#"{"$type": "binary", "base64": "AQI="}"#,
        ),
        ("{Compression.None, Compression.GZip, Compression.Deflate, Compression.Zstandard}", "[-1, 0, 1, 5]"),
    ]);
    let (reason, message) = error_message(r#"Binary.Decompress(#binary({1, 2, 3}), Compression.GZip)"#);
    assert_eq!(reason, "DataFormat.Error");
    assert!(message.starts_with("The input is not valid GZip data"), "{message}");
    let (_, message) = error_message(r#"Binary.Decompress(#binary({1}), Compression.Brotli)"#);
    assert_eq!(message, "`Compression.Brotli` is not implemented by dfls yet");
    let (_, message) = error_message(r#"Binary.Decompress(#binary({1}), 42)"#);
    assert_eq!(message, "The value 42 is not a valid Compression.Type.");
}
