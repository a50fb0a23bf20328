//! `Lakehouse.Contents` on the local lakehouse (`[eval] lakehouse` in dfls.toml): Fabric's navigation
//! over tests/fixtures/eval/lakehouse, Delta tables written by delta-rs (make_lakehouse.py beside them)
//! with partitions, a delete, a checkpoint and a commit after it; and the errors of a missing setting and
//! of a table this reader cannot read.

use std::path::{Path, PathBuf};

use dfls::eval::sources::local::Local;

use super::sources::eval_with;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/lakehouse")
}

fn local() -> Local {
    Local { lakehouse: Some(fixture()), ..Local::default() }
}

const NAVIGATION: &str = r#"let
  Source = Lakehouse.Contents(null),
  Navigation = Source{[workspaceId = "00000000-0000-0000-0000-000000000000"]}[Data]{[lakehouseId = "5a3d1c9e-7b2f-4e8a-9c61-2f0d4b8e7a13"]}[Data]
in Navigation"#;

#[test]
fn fabric_navigation_reaches_the_tables() {
    assert_eq!(
        eval_with(&local(), &format!("Table.RemoveColumns({NAVIGATION}, {{\"Data\"}})")),
        serde_json::json!({"$type": "table", "columns": ["Id", "Name", "ItemKind", "IsLeaf"], "rows": [
            ["customers", "customers", "Table", true], ["sales_orders", "sales_orders", "Table", true]]})
    );
    assert_eq!(
        eval_with(
            &local(),
            "Table.RemoveColumns(Lakehouse.Contents([CreateNavigationProperties = false]), {\"Data\"})"
        ),
        serde_json::json!({"$type": "table", "columns": ["workspaceId", "workspaceName"], "rows": [
            ["00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"]]})
    );
}

#[test]
fn a_delta_table_is_its_log_replayed() {
    // Orders 1..5 written in two commits, order 2 deleted, a checkpoint, then order 6: the rows of the
    // snapshot, partition values filled in.
    let orders = eval_with(
        &local(),
        &format!(
            "let Orders = {NAVIGATION}{{[Id = \"sales_orders\", ItemKind = \"Table\"]}}[Data] in
             Table.Sort(Orders, \"order_id\")"
        ),
    );
    assert_eq!(
        orders,
        serde_json::json!({"$type": "table", "columns": ["order_id", "region", "amount", "day"], "rows": [
            [1, "EMEA", 10.5, {"$type": "date", "value": "2025-01-01"}],
            [3, "AMER", 7.25, {"$type": "date", "value": "2025-01-03"}],
            [4, "APAC", 1, {"$type": "date", "value": "2025-02-01"}],
            [5, "AMER", null, null],
            [6, "EMEA", 3, {"$type": "date", "value": "2025-03-01"}]]})
    );
    assert_eq!(
        eval_with(
            &local(),
            &format!("Value.Type({NAVIGATION}{{[Id = \"customers\", ItemKind = \"Table\"]}}[Data])")
        ),
        serde_json::json!({"$type": "type", "value":
            "type table [id = nullable Int32.Type, name = nullable text, since = nullable datetimezone]"})
    );
    assert_eq!(
        eval_with(&local(), &format!("{NAVIGATION}{{[Id = \"customers\"]}}[Data]{{0}}[since]")),
        serde_json::json!({"$type": "datetimezone", "value": "2024-05-01T08:00:00+00:00"})
    );
}

#[test]
fn without_the_setting_the_lakehouse_is_a_data_source_error() {
    let value = eval_with(&Local::default(), "Lakehouse.Contents(null)");
    assert_eq!(value["reason"], "DataSource.Error");
    assert!(value["message"]
        .as_str()
        .unwrap()
        .contains("`lakehouse = \"folder\"` under `[eval]` in dfls.toml"));
}

/// A copy of a fixture table in a temporary lakehouse, to break.
fn copy_table(name: &str, into: &Path) -> PathBuf {
    let tables = into.join("ws").join("lh").join("Tables");
    let from = fixture()
        .join("00000000-0000-0000-0000-000000000000/5a3d1c9e-7b2f-4e8a-9c61-2f0d4b8e7a13/Tables")
        .join(name);
    let to = tables.join(name);
    copy_dir(&from, &to);
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

const TEMP_TABLE: &str = r#"Lakehouse.Contents(){[workspaceId = "ws"]}[Data]{[lakehouseId = "lh"]}[Data]{[Id = "sales_orders"]}[Data]"#;

#[test]
fn a_table_this_reader_cannot_read_is_an_error_that_says_why() {
    // A gap in the log: commit 3 without the checkpoint and commit 2 before it.
    let dir = tempfile::tempdir().unwrap();
    let table = copy_table("sales_orders", dir.path());
    let log = table.join("_delta_log");
    std::fs::remove_file(log.join("00000000000000000002.checkpoint.parquet")).unwrap();
    std::fs::remove_file(log.join("00000000000000000002.json")).unwrap();
    let local = Local { lakehouse: Some(dir.path().to_owned()), ..Local::default() };
    let value = eval_with(&local, &format!("Table.RowCount({TEMP_TABLE})"));
    assert_eq!(value["reason"], "DataSource.Error", "{value}");
    assert!(
        value["message"].as_str().unwrap().ends_with("its _delta_log has no commit 2 before 3."),
        "{value}"
    );

    // A reader feature dfls does not read.
    let dir = tempfile::tempdir().unwrap();
    let table = copy_table("sales_orders", dir.path());
    std::fs::write(
        table.join("_delta_log").join("00000000000000000004.json"),
        r#"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["v2Checkpoint"],"writerFeatures":["v2Checkpoint"]}}"#,
    )
    .unwrap();
    let local = Local { lakehouse: Some(dir.path().to_owned()), ..Local::default() };
    let value = eval_with(&local, &format!("Table.RowCount({TEMP_TABLE})"));
    assert!(
        value["message"]
            .as_str()
            .unwrap()
            .ends_with("it uses the reader feature `v2Checkpoint`, which dfls does not read yet."),
        "{value}"
    );
}

#[test]
fn the_checkpoint_alone_gives_the_state_up_to_it() {
    // Commits 0 to 2 removed (as log clean-up removes them): the checkpoint holds their state.
    let dir = tempfile::tempdir().unwrap();
    let table = copy_table("sales_orders", dir.path());
    for version in 0..3 {
        std::fs::remove_file(table.join("_delta_log").join(format!("{version:020}.json"))).unwrap();
    }
    let local = Local { lakehouse: Some(dir.path().to_owned()), ..Local::default() };
    let value = eval_with(&local, &format!("List.Sort(Table.Column({TEMP_TABLE}, \"order_id\"))"));
    assert_eq!(value, serde_json::json!([1, 3, 4, 5, 6]));
}

#[test]
fn dfls_eval_reads_the_lakehouse_dfls_toml_names() {
    let dir = tempfile::tempdir().unwrap();
    copy_table("sales_orders", dir.path());
    std::fs::write(dir.path().join("dfls.toml"), "[eval]\nlakehouse = \"ws/..\"\n").unwrap();
    let run = |cwd: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dfls"))
            .args(["eval", "--format", "json", &format!("Table.RowCount({TEMP_TABLE})")])
            .current_dir(cwd)
            .output()
            .unwrap()
    };
    let output = run(dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "5");
    // Without the setting: a data source error, exit 3.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir(elsewhere.path().join(".git")).unwrap();
    let output = run(elsewhere.path());
    assert_eq!(output.status.code(), Some(3));
}
