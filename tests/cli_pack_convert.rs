//! `dfls pack`, `dfls unpack` and `dfls convert` through the real binary: byte-exact round trips, refusals
//! that write nothing, and conversions of the older formats.

use std::path::Path;
use std::process::{Command, Output};

fn dfls(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfls")).args(args).current_dir(cwd).output().expect("dfls runs")
}

fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

/// Every file of a folder, relative path and bytes, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(current).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((relative, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn pack_then_unpack_is_byte_exact() {
    let temp = tempfile::tempdir().unwrap();
    for name in ["Sales Orders.Dataflow", "Customer Churn.Dataflow", "Inventory Snapshot.Dataflow"] {
        let packed = dfls(&["pack", example(name).to_str().unwrap()], temp.path());
        assert!(packed.status.success(), "{}", String::from_utf8_lossy(&packed.stderr));
        let payload: serde_json::Value = serde_json::from_slice(&packed.stdout).unwrap();
        assert!(payload["definition"]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["payloadType"] == "InlineBase64"));
        std::fs::write(temp.path().join("payload.json"), &packed.stdout).unwrap();
        let unpacked = dfls(&["unpack", "payload.json", "--to", name], temp.path());
        assert!(unpacked.status.success(), "{}", String::from_utf8_lossy(&unpacked.stderr));
        assert_eq!(files(&temp.path().join(name)), files(&example(name)), "{name}");
    }
}

#[test]
fn unpack_refuses_to_overwrite_changes_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let packed = dfls(&["pack", example("Sales Orders.Dataflow").to_str().unwrap()], temp.path());
    std::fs::write(temp.path().join("payload.json"), &packed.stdout).unwrap();
    let out = temp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mashup.pq"), "my local edit").unwrap();
    let refused = dfls(&["unpack", "payload.json", "--to", "out"], temp.path());
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("mashup.pq"));
    assert_eq!(std::fs::read_to_string(out.join("mashup.pq")).unwrap(), "my local edit");
    assert!(!out.join("queryMetadata.json").exists(), "nothing at all is written on a conflict");
    let forced = dfls(&["unpack", "payload.json", "--to", "out", "--force"], temp.path());
    assert!(forced.status.success());
    assert_eq!(files(&out), files(&example("Sales Orders.Dataflow")));
}

#[test]
fn unpack_of_a_broken_payload_reports_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let payload = r#"{"definition": {"parts": [
  {"path": "mashup.pq", "payload": "c2VjdGlvbiBTOw==", "payloadType": "InlineBase64"},
  {"path": "queryMetadata.json", "payload": "e30*", "payloadType": "InlineBase64"}
]}}"#;
    std::fs::write(temp.path().join("payload.json"), payload).unwrap();
    let output = dfls(&["unpack", "payload.json", "--to", "out", "--color", "never"], temp.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("D101") && stderr.contains("payload.json:3:"), "{stderr}");
    assert!(!temp.path().join("out").exists());
}

#[test]
fn convert_upgrades_a_legacy_item() {
    let temp = tempfile::tempdir().unwrap();
    let item = temp.path().join("Inventory Snapshot.Dataflow");
    std::fs::create_dir(&item).unwrap();
    for (path, bytes) in files(&example("Inventory Snapshot.Dataflow")) {
        std::fs::write(item.join(path), bytes).unwrap();
    }
    let legacy: serde_json::Value =
        serde_json::from_slice(&std::fs::read(item.join("dataflow-content.json")).unwrap()).unwrap();

    let dry = dfls(&["convert", "Inventory Snapshot.Dataflow", "--dry-run"], temp.path());
    assert!(dry.status.success());
    assert!(item.join("dataflow-content.json").exists() && !item.join("mashup.pq").exists());

    let converted = dfls(&["convert", "Inventory Snapshot.Dataflow"], temp.path());
    assert!(converted.status.success(), "{}", String::from_utf8_lossy(&converted.stderr));
    assert!(
        String::from_utf8_lossy(&converted.stderr).contains("hostProperties"),
        "dropped fields are listed"
    );
    assert!(!item.join("dataflow-content.json").exists());
    let mashup = std::fs::read_to_string(item.join("mashup.pq")).unwrap();
    assert_eq!(mashup, legacy["editingSessionMashup"]["mashupDocument"].as_str().unwrap());
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(item.join("queryMetadata.json")).unwrap()).unwrap();
    assert_eq!(metadata["formatVersion"], "202502");
    assert_eq!(metadata["queriesMetadata"], legacy["editingSessionMashup"]["queriesMetadata"]);

    let check = dfls(&["check", "Inventory Snapshot.Dataflow", "--color", "never"], temp.path());
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn convert_rewrites_a_202409_query_metadata() {
    let temp = tempfile::tempdir().unwrap();
    let item = temp.path().join("Old.Dataflow");
    std::fs::create_dir(&item).unwrap();
    std::fs::write(item.join("mashup.pq"), "section Section1;\nshared Sales = 1;\n").unwrap();
    std::fs::write(
        item.join("queryMetadata.json"),
        r#"{"formatVersion": "202409", "editingSession": {"editingSessionMashup": {"mashupName": "Old",
  "queriesMetadata": {"Sales": {"queryId": "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f80", "queryName": "Sales", "entityName": "Sales"}}}}}"#,
    )
    .unwrap();
    let converted = dfls(&["convert", "Old.Dataflow"], temp.path());
    assert!(converted.status.success(), "{}", String::from_utf8_lossy(&converted.stderr));
    let metadata: serde_json::Value =
        serde_json::from_slice(&std::fs::read(item.join("queryMetadata.json")).unwrap()).unwrap();
    assert_eq!(metadata["formatVersion"], "202502");
    assert_eq!(metadata["name"], "Old");
    assert_eq!(metadata["queriesMetadata"]["Sales"]["queryName"], "Sales");
    assert_eq!(
        std::fs::read_to_string(item.join("mashup.pq")).unwrap(),
        "section Section1;\nshared Sales = 1;\n"
    );
    // Converting again is refused: it is already current.
    assert_eq!(dfls(&["convert", "Old.Dataflow"], temp.path()).status.code(), Some(2));
}
