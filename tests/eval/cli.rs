//! `dfls eval`: every format, the exit codes (0 value, 1 error value, 2 usage, 3 unreachable source),
//! standard input and files, `--query` and `--param` on the example items, `--rows`, `--timeout`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn dfls(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfls")).args(args).env("NO_COLOR", "1").output().expect("dfls runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

/// A path as an M text literal (M escapes only the quote).
fn m_text(path: &Path) -> String {
    format!("\"{}\"", path.to_str().unwrap().replace('"', "\"\""))
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{} is not JSON: {e}", stdout(output)))
}

#[test]
fn json_is_the_default_off_a_terminal_and_a_value_exits_0() {
    let output = dfls(&["eval", "[a = 1 + 1, b = {\"x\", null}]"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output), serde_json::json!({"a": 2, "b": ["x", null]}));
}

#[test]
fn an_error_value_exits_1_printed_in_the_chosen_format() {
    let output = dfls(&["eval", "--format", "json", "error \"boom\""]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        json(&output),
        serde_json::json!({"$type": "error", "reason": "Expression.Error", "message": "boom", "detail": null})
    );
    let output = dfls(&["eval", "--format", "m", "error \"boom\""]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "error [Reason = \"Expression.Error\", Message = \"boom\", Detail = null]\n");
}

#[test]
fn a_connector_exits_3() {
    let output = dfls(&["eval", "Sql.Database(\"server\", \"db\")"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json(&output)["reason"], "DataSource.Error");
}

#[test]
fn usage_and_syntax_errors_exit_2_with_a_place() {
    let output = dfls(&["eval", "--format", "yaml", "1"]);
    assert_eq!(output.status.code(), Some(2));
    let output = dfls(&["eval", "let a = 1,\n b = in b"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("<expression>:2:"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let output = dfls(&["eval", "missing-file.pq"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing-file.pq"), "{}", stderr(&output));
    let output = dfls(&["eval", "--param", "Region", "1"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_m_format_prints_a_literal() {
    let output =
        dfls(&["eval", "--format", "m", "[a = #date(2011, 12, 31), b = {1, \"x\"}, c = type nullable text]"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "[a = #date(2011, 12, 31), b = {1, \"x\"}, c = type nullable text]\n");
    let output = dfls(&["eval", "--format", "m", "#table(type table [A = number], {{1}, {2}})"]);
    assert_eq!(stdout(&output), "#table(type table [A = number], {{1}, {2}})\n");
}

#[test]
fn the_table_format_shows_types_the_first_rows_and_the_count() {
    let output = dfls(&[
        "eval",
        "--format",
        "table",
        "--rows",
        "2",
        "#table(type table [Name = text, Amount = number], {{\"a\", 1}, {\"bb\", 2.5}, {\"c\", null}})",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "Name  Amount\ntext  number\n----  ------\na     1\nbb    2.5\n(3 rows, 2 shown)\n"
    );
}

#[test]
fn the_csv_format_prints_tables_and_refuses_other_values() {
    let output =
        dfls(&["eval", "--format", "csv", "#table({\"A\", \"B\"}, {{1, \"x,y\"}, {null, \"q\"\"r\"}})"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "A,B\r\n1,\"x,y\"\r\n,\"q\"\"r\"\r\n");
    let output = dfls(&["eval", "--format", "csv", "1"]);
    assert_eq!(output.status.code(), Some(2));
    let output = dfls(&["eval", "--format", "csv", "#table({\"A\"}, {{error \"bad\"}})"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bad"), "{}", stderr(&output));
}

#[test]
fn standard_input_and_files() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(["eval", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"let x = 20 in x + 1").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(stdout(&output).trim(), "21");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("query.pq");
    std::fs::write(&file, "\u{feff}List.Sum({1, 2, 3})\r\n").unwrap();
    let output = dfls(&["eval", file.to_str().unwrap()]);
    assert_eq!(stdout(&output).trim(), "6");
}

#[test]
fn a_query_of_an_example_item_with_parameters() {
    let item = example("Sales Orders.Dataflow");
    let item = item.to_str().unwrap();
    let output = dfls(&["eval", item, "--query", "StartDate"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output), serde_json::json!({"$type": "date", "value": "2025-01-01"}));
    let output = dfls(&["eval", item, "--query", "Region", "--param", "Region=AMER"]);
    assert_eq!(json(&output), serde_json::json!("AMER"));
    let output = dfls(&["eval", item, "--query", "StartDate", "--param", "StartDate=2026-02-01"]);
    assert_eq!(json(&output), serde_json::json!({"$type": "date", "value": "2026-02-01"}));
    let output = dfls(&["eval", item, "--query", "StartDate", "--param", "StartDate=soon"]);
    assert_eq!(output.status.code(), Some(2));
    // The query reads a SQL database: not reachable from here.
    let output = dfls(&["eval", &format!("{item}/mashup.pq"), "--query", "Sales Orders"]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert!(json(&output)["message"].as_str().unwrap().contains("Sql.Database"));
    let output = dfls(&["eval", item, "--query", "Sales Order"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `Sales Orders`"), "{}", stderr(&output));
    let churn = example("Customer Churn.Dataflow");
    let output = dfls(&["eval", churn.to_str().unwrap(), "--query", "Subscriptions"]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    let output = dfls(&["eval", churn.to_str().unwrap(), "--query", "MDF transform"]);
    assert_eq!(json(&output), serde_json::json!("___ExternalResource-Placeholder___"));
    let output = dfls(&["eval", item]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--query"), "{}", stderr(&output));
}

/// A legacy item (`dataflow-content.json`) evaluates its embedded section document.
#[test]
fn a_query_of_a_legacy_item() {
    let item = example("Inventory Snapshot.Dataflow");
    let output = dfls(&["eval", item.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--query"), "{}", stderr(&output));
    let output =
        dfls(&["eval", item.to_str().unwrap(), "--query", "Warehouse", "--param", "Warehouse=WH-02"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output), serde_json::json!("WH-02"));
    let output =
        dfls(&["eval", item.join("dataflow-content.json").to_str().unwrap(), "--query", "Stock Levels"]);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn timeout_stops_an_endless_evaluation() {
    let started = Instant::now();
    let output = dfls(&["eval", "--timeout", "0.5", "List.Generate(() => 0, each true, each _ + 1)"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--timeout"), "{}", stderr(&output));
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

#[test]
fn file_contents_reads_local_files_and_a_missing_one_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("orders.json");
    std::fs::write(&data, r#"{"orders": [{"id": 7, "amount": 2.5}]}"#).unwrap();
    let expression = format!("Table.FromRecords(Json.Document(File.Contents({}))[orders])", m_text(&data));
    let output = dfls(&["eval", "--format", "csv", &expression]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "id,amount\r\n7,2.5\r\n");
    let missing = dir.path().join("missing.json");
    let output = dfls(&["eval", &format!("File.Contents({})", m_text(&missing))]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json(&output)["reason"], "DataSource.NotFound");
}

/// The table the parquet and arrow formats are checked with: every scalar kind, nulls, an integer facet.
const COLUMNAR: &str = r#"#table(type table [N = Int64.Type, X = number, T = text, B = logical, D = date, DT = datetime, Z = datetimezone, Du = duration, Bi = binary],
    {{1, 1.5, "a", true, #date(2024, 2, 29), #datetime(2025, 1, 31, 10, 30, 0.25), #datetimezone(2025, 1, 31, 10, 30, 0, 1, 0), #duration(1, 2, 3, 4), #binary({1, 2})},
     {null, null, null, null, null, null, null, null, null}})"#;

fn check_columnar(batch: &arrow_array::RecordBatch) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::Array;
    assert_eq!(batch.num_rows(), 2);
    let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["N", "X", "T", "B", "D", "DT", "Z", "Du", "Bi"]);
    assert_eq!(batch.column(0).as_primitive::<Int64Type>().value(0), 1);
    assert_eq!(batch.column(1).as_primitive::<Float64Type>().value(0), 1.5);
    assert_eq!(batch.column(2).as_string::<i32>().value(0), "a");
    assert!(batch.column(3).as_boolean().value(0));
    assert_eq!(batch.column(4).as_primitive::<Date32Type>().value(0), 19_782); // 2024-02-29
    assert_eq!(batch.column(5).as_primitive::<TimestampMicrosecondType>().value(0), 1_738_319_400_250_000);
    // 10:30 at +01:00 is 09:30 UTC.
    assert_eq!(batch.column(6).as_primitive::<TimestampMicrosecondType>().value(0), 1_738_315_800_000_000);
    assert_eq!(batch.column(7).as_primitive::<DurationMicrosecondType>().value(0), 93_784_000_000);
    assert_eq!(batch.column(8).as_binary::<i32>().value(0), &[1, 2]);
    for column in batch.columns() {
        assert!(column.is_null(1), "{:?}", column.data_type());
    }
}

#[test]
fn parquet_and_arrow_formats_read_back_with_arrow_rs() {
    let output = dfls(&["eval", "--format", "parquet", COLUMNAR]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(
        output.stdout.clone(),
    ))
    .unwrap()
    .build()
    .unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.len(), 1);
    check_columnar(&batches[0]);

    let output = dfls(&["eval", "--format", "arrow", COLUMNAR]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let reader =
        arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(output.stdout.clone()), None).unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(batches.len(), 1);
    check_columnar(&batches[0]);
}

#[test]
fn parquet_refuses_what_it_cannot_write() {
    let output = dfls(&["eval", "--format", "parquet", "1 + 1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("parquet and arrow print tables; the value is a number"),
        "{}",
        stderr(&output)
    );
    let output = dfls(&["eval", "--format", "arrow", r#"#table({"A"}, {{1}, {"x"}})"#]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("the column `A` holds a number and a text"), "{}", stderr(&output));
    let output = dfls(&["eval", "--format", "parquet", r#"#table({"A"}, {{1}, {error "bad"}})"#]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "dfls eval: a cell is an error: Expression.Error: bad\n");
    assert!(output.stdout.is_empty());
}
