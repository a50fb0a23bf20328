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

const BOOKS: &str = r#""<catalog xmlns:x='urn:x'>
  <book id='1'><title>Dune</title><year>1965</year></book>
  <book id='2'><title>Emma &amp; co</title><author><name>Jane</name><name>Austen</name></author></book>
  <magazine x:issue='7'>Wired</magazine>
</catalog>""#;

#[test]
fn xml_tables_groups_the_root_children_by_name() {
    check(&[
        (&format!("Xml.Tables({BOOKS})[Name]"), r#"["book", "magazine"]"#),
        (
            &format!("Table.RemoveColumns(Xml.Tables({BOOKS}){{[Name = \"book\"]}}[Table], {{\"author\"}})"),
            r#"{"$type": "table", "columns": ["Attribute:id", "title", "year"],
                "rows": [["1", "Dune", "1965"], ["2", "Emma & co", null]]}"#,
        ),
        // A child with children, or several of one name, is a nested table.
        (
            &format!("Xml.Tables({BOOKS}){{[Name = \"book\"]}}[Table]{{1}}[author]{{0}}[name]"),
            r#"{"$type": "table", "columns": ["Element:Text"], "rows": [["Jane"], ["Austen"]]}"#,
        ),
        (
            &format!("Xml.Tables({BOOKS}){{[Name = \"magazine\"]}}[Table]"),
            r#"{"$type": "table", "columns": ["Attribute:issue", "Element:Text"], "rows": [["7", "Wired"]]}"#,
        ),
        // Bytes read as UTF-8 by default.
        (r#"Xml.Tables(Text.ToBinary("<r><a>é</a></r>"))[Table]{0}[#"Element:Text"]"#, r#"["é"]"#),
    ]);
}

#[test]
fn xml_document_is_the_element_tree() {
    check(&[
        (
            r#"Table.RemoveColumns(Xml.Document("<r xmlns='urn:a'><a k='v'>1</a><b/></r>"), {"Value", "Attributes"})"#,
            r#"{"$type": "table", "columns": ["Name", "Namespace"], "rows": [["r", "urn:a"]]}"#,
        ),
        (
            r#"Table.RemoveColumns(Xml.Document("<r><a k='v'>1</a><b/></r>"){0}[Value], {"Attributes"})"#,
            r#"{"$type": "table", "columns": ["Name", "Namespace", "Value"], "rows": [["a", "", "1"], ["b", "", ""]]}"#,
        ),
        (
            r#"Xml.Document("<r><a k='v &lt; w'>1</a></r>"){0}[Value]{0}[Attributes]"#,
            r#"{"$type": "table", "columns": ["Name", "Namespace", "Value"], "rows": [["k", "", "v < w"]]}"#,
        ),
    ]);
    for bad in ["<r><a></r>", "<r>", "text", "<r/><s/>", "<r>&nope;</r>"] {
        let (reason, message) = error_message(&format!("Xml.Document(\"{bad}\")"));
        assert_eq!(reason, "DataFormat.Error", "{bad}: {message}");
        assert!(message.starts_with("The XML is not valid at byte"), "{bad}: {message}");
    }
}
