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

/// The workbook tests/fixtures/eval/make_workbook.py writes (openpyxl).
fn workbook() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/workbook.xlsx");
    format!("Excel.Workbook(File.Contents({}), true, true)", super::sources::m_text(&path))
}

fn eval_local(expression: &str) -> serde_json::Value {
    super::sources::eval_with(&dfls::eval::sources::local::Local::default(), expression)
}

#[test]
fn excel_workbook_is_a_navigation_table_of_sheets_and_tables() {
    let book = workbook();
    assert_eq!(
        eval_local(&format!("Table.RemoveColumns({book}, {{\"Data\"}})")),
        serde_json::json!({"$type": "table", "columns": ["Name", "Item", "Kind", "Hidden"], "rows": [
            ["Sales", "Sales", "Sheet", false], ["Hidden", "Hidden", "Sheet", true],
            ["Lookup", "Lookup", "Sheet", false], ["Regions", "Regions", "Table", false],
            ["Amounts", "Amounts", "DefinedName", false], ["Codes", "Codes", "DefinedName", false]]})
    );
    // A defined name's rectangle (its first row the header); a whole column stops at the used rows.
    assert_eq!(
        eval_local(&format!("{book}{{[Item = \"Amounts\", Kind = \"DefinedName\"]}}[Data]")),
        serde_json::json!({"$type": "table", "columns": ["Amount"], "rows": [[120.5], [7]]})
    );
    assert_eq!(
        eval_local(&format!("{book}{{[Item = \"Codes\"]}}[Data]")),
        serde_json::json!({"$type": "table", "columns": ["Code"], "rows": [["E"], ["A"]]})
    );
    // Every kind of cell, the header row promoted; the error is in its cell only.
    let sales = eval_local(&format!(
        "let Sales = {book}{{[Item = \"Sales\", Kind = \"Sheet\"]}}[Data] in
         {{Table.ColumnNames(Sales), Table.RemoveColumns(Sales, {{\"Ratio\"}}), (try Sales{{0}}[Ratio])[Error], Sales{{1}}[Ratio]}}"
    ));
    assert_eq!(
        sales,
        serde_json::json!([
            ["Region", "Amount", "Shipped", "Date", "Ratio"],
            {"$type": "table", "columns": ["Region", "Amount", "Shipped", "Date"], "rows": [
                ["EMEA", 120.5, true, {"$type": "datetime", "value": "2025-01-31T10:30:00"}],
                ["AMER", 7, false, {"$type": "datetime", "value": "2024-02-29T00:00:00"}]]},
            {"Reason": "DataFormat.Error", "Message": "Invalid cell value '#DIV/0!'.", "Detail": "#DIV/0!",
             "Message.Format": null, "Message.Parameters": null, "ErrorCode": null},
            null
        ])
    );
    assert_eq!(
        eval_local(&format!("{book}{{[Item = \"Regions\", Kind = \"Table\"]}}[Data]")),
        serde_json::json!({"$type": "table", "columns": ["Code", "Name"], "rows": [["E", "Europe"], ["A", "Americas"]]})
    );
    // Without headers the columns are Column1, Column2, ...
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/workbook.xlsx");
    assert_eq!(
        eval_local(&format!(
            "Table.ColumnNames(Excel.Workbook(File.Contents({})){{0}}[Data])",
            super::sources::m_text(&path)
        )),
        serde_json::json!(["Column1", "Column2", "Column3", "Column4", "Column5"])
    );
    let (reason, message) = error_message("Excel.Workbook(#binary({1, 2, 3}))");
    assert_eq!(reason, "DataFormat.Error");
    assert!(message.starts_with("The workbook could not be read"), "{message}");
}

#[test]
fn parquet_document_reads_what_pyarrow_wrote() {
    // tests/fixtures/eval/make_parquet.py (pyarrow, snappy): one column per kind of value.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/types.parquet");
    let source = format!("Parquet.Document(File.Contents({}))", super::sources::m_text(&path));
    assert_eq!(
        eval_local(&source),
        serde_json::json!({"$type": "table",
            "columns": ["id", "amount", "name", "active", "day", "at", "at_utc", "price", "tags", "point"],
            "rows": [
                [1, 12.5, "Bob", true, {"$type": "date", "value": "2024-02-29"},
                 {"$type": "datetime", "value": "2025-01-31T10:30:00.5"},
                 {"$type": "datetimezone", "value": "2025-01-31T10:30:00+00:00"}, 19.99, ["a", "b"], {"x": 1, "y": 2}],
                [null, null, null, null, null, null, null, null, null, null]]})
    );
    assert_eq!(
        eval_local(&format!("Value.Type({source})")),
        serde_json::json!({"$type": "type", "value": "type table [id = nullable Int64.Type, amount = nullable number, \
            name = nullable text, active = nullable logical, day = nullable date, at = nullable datetime, \
            at_utc = nullable datetimezone, price = nullable Decimal.Type, tags = nullable list, point = nullable record]"})
    );
    let (reason, message) = error_message("Parquet.Document(Text.ToBinary(\"not parquet\"))");
    assert_eq!(reason, "DataFormat.Error");
    assert!(message.starts_with("The Parquet file could not be read"), "{message}");
}
