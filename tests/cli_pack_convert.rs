//! `dfls pack`, `dfls unpack` and `dfls convert` through the real binary: byte-exact round trips, refusals
//! that write nothing (conflicts, broken payloads, part paths that clash or leave the folder, symbolic
//! links in the way), leftovers of interrupted writes never packed, and conversions of the older formats.

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

/// A payload of parts `(path, content)`.
fn payload(parts: &[(&str, &str)]) -> String {
    use base64::Engine as _;
    let parts: Vec<serde_json::Value> = parts
        .iter()
        .map(|(path, content)| {
            serde_json::json!({"path": path, "payload": base64::engine::general_purpose::STANDARD.encode(content),
                               "payloadType": "InlineBase64"})
        })
        .collect();
    serde_json::json!({"definition": {"parts": parts}}).to_string()
}

/// Each set was written in part (`a` before `a/b` failed), or aliased (`./mashup.pq` silently won over
/// `mashup.pq`, three files counted for two), or written where it must not be (`/tmp/x` inside the
/// folder, a `.git` hook).
#[test]
fn unpack_checks_every_part_path_against_every_other_and_writes_nothing_on_a_clash() {
    let temp = tempfile::tempdir().unwrap();
    for (parts, code, named) in [
        (&[("a", "1"), ("a/b", "2")][..], "D108", &["a", "a/b"][..]),
        (&[("a/b", "1"), ("a", "2")], "D108", &["a/b", "a"]),
        (&[("mashup.pq", "1"), ("./mashup.pq", "2"), ("x.pq", "3")], "D104", &["mashup.pq", "./mashup.pq"]),
        (&[("sub/x.pq", "1"), ("sub//x.pq", "2")], "D104", &["sub/x.pq", "sub//x.pq"]),
        (&[("ok.pq", "1"), ("/tmp/x", "2")], "D107", &["/tmp/x"]),
        (&[("ok.pq", "1"), (".git/hooks/pre-commit", "2")], "D107", &[".git/hooks/pre-commit"]),
        (&[("ok.pq", "1"), ("../escape", "2")], "D107", &["../escape"]),
    ] {
        std::fs::write(temp.path().join("payload.json"), payload(parts)).unwrap();
        let output = dfls(&["unpack", "payload.json", "--to", "out", "--color", "never"], temp.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{parts:?}: {stderr}");
        assert!(stderr.contains(code) && stderr.contains("nothing was written"), "{parts:?}: {stderr}");
        for path in named {
            assert!(stderr.contains(&format!("`{path}`")), "{parts:?} names `{path}`: {stderr}");
        }
        assert!(!temp.path().join("out").exists(), "{parts:?}: nothing is written");
        assert!(!temp.path().join("escape").exists() && !Path::new("/tmp/x").exists());
    }
    // Aliases by themselves are one file each, under their one spelling.
    std::fs::write(temp.path().join("payload.json"), payload(&[("./mashup.pq", "m"), ("sub//x.pq", "x")]))
        .unwrap();
    let output = dfls(&["unpack", "payload.json", "--to", "out"], temp.path());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("2 created"));
    assert_eq!(
        files(&temp.path().join("out")),
        [("mashup.pq".into(), b"m".to_vec()), ("sub/x.pq".into(), b"x".to_vec())]
    );
}

#[cfg(unix)]
#[test]
fn unpack_never_writes_through_a_symbolic_link_in_the_folder() {
    let temp = tempfile::tempdir().unwrap();
    let (out, outside) = (temp.path().join("out"), temp.path().join("outside"));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("sub")).unwrap();
    std::fs::write(temp.path().join("payload.json"), payload(&[("mashup.pq", "m"), ("sub/evil", "e")]))
        .unwrap();
    let output = dfls(&["unpack", "payload.json", "--to", "out", "--force"], temp.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`sub` is a symbolic link") && stderr.contains("sub/evil"), "{stderr}");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing outside the folder");
    assert!(!out.join("mashup.pq").exists(), "nothing at all");
}

/// What an interrupted write left (an uncommitted update, a temporary file of an older dfls) was packed
/// as parts.
#[test]
fn leftovers_of_interrupted_writes_are_never_packed_and_are_cleaned_up() {
    let temp = tempfile::tempdir().unwrap();
    let item = temp.path().join("Sales.Dataflow");
    std::fs::create_dir_all(item.join(".dfls-update")).unwrap();
    for (name, bytes) in files(&example("Sales Orders.Dataflow")) {
        std::fs::write(item.join(name), bytes).unwrap();
    }
    std::fs::write(item.join(".dfls-update").join("0"), "staged").unwrap();
    std::fs::write(item.join(".mashup.pq.dfls-4242.tmp"), "half").unwrap();
    let checked = dfls(&["check", "Sales.Dataflow", "--color", "never"], temp.path());
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stdout));
    assert!(!String::from_utf8_lossy(&checked.stdout).contains("dfls-"), "check ignores them");
    let packed = dfls(&["pack", "Sales.Dataflow"], temp.path());
    assert!(packed.status.success(), "{}", String::from_utf8_lossy(&packed.stderr));
    let stdout = String::from_utf8_lossy(&packed.stdout);
    assert!(!stdout.contains("dfls-"), "{stdout}");
    let stderr = String::from_utf8_lossy(&packed.stderr);
    assert!(stderr.contains("undid an interrupted update"), "{stderr}");
    assert!(stderr.contains(".mashup.pq.dfls-4242.tmp"), "{stderr}");
    assert_eq!(files(&item), files(&example("Sales Orders.Dataflow")));
}

/// Files that version control, editors and operating systems leave in an item folder are not parts:
/// packed, the local Fabric refused them (400 `InvalidDefinitionParts`); `check` reads the same list.
#[test]
fn editor_and_version_control_files_are_never_packed_and_the_local_fabric_takes_the_payload() {
    let temp = tempfile::tempdir().unwrap();
    let item = temp.path().join("Sales.Dataflow");
    std::fs::create_dir_all(&item).unwrap();
    for (name, bytes) in files(&example("Sales Orders.Dataflow")) {
        std::fs::write(item.join(name), bytes).unwrap();
    }
    let parts = files(&item);
    for name in [
        ".gitignore",
        ".gitkeep",
        ".mashup.pq.swp",
        ".mashup.pq.swo",
        "4913",
        "mashup.pq~",
        "#mashup.pq#",
        ".#mashup.pq",
        "._mashup.pq",
        ".DS_Store",
    ] {
        std::fs::write(item.join(name), "not a part").unwrap();
    }
    let packed = dfls(&["pack", "Sales.Dataflow"], temp.path());
    assert!(packed.status.success(), "{}", String::from_utf8_lossy(&packed.stderr));
    let payload: serde_json::Value = serde_json::from_slice(&packed.stdout).unwrap();
    let paths: Vec<&str> = payload["definition"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, parts.iter().map(|(path, _)| path.as_str()).collect::<Vec<_>>());
    let decoded = dfls::emulator::validate::decode(&payload["definition"]).unwrap();
    dfls::emulator::validate::dataflow_parts(&decoded.parts).expect("the local Fabric takes every part");
    let checked = dfls(&["check", "Sales.Dataflow", "--color", "never"], temp.path());
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stdout));
}

/// The payload line was printed twice, one write per byte: 8 MB took 39 s, 60 MB never finished.
#[test]
fn unpack_of_a_long_payload_with_bad_base64_prints_a_short_window() {
    use base64::Engine as _;
    let temp = tempfile::tempdir().unwrap();
    let mut encoded = base64::engine::general_purpose::STANDARD.encode(vec![b'x'; 6 << 20]);
    let at = encoded.len() - 10;
    encoded.replace_range(at..at + 1, "*");
    let text = format!(
        "{{\"definition\": {{\"parts\": [{{\"path\": \"mashup.pq\", \"payload\": \"{encoded}\", \"payloadType\": \"InlineBase64\"}}]}}}}"
    );
    std::fs::write(temp.path().join("payload.json"), text).unwrap();
    let output = dfls(&["unpack", "payload.json", "--to", "out", "--color", "never"], temp.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("D101") && stderr.contains("`*`"), "{stderr}");
    assert!(stderr.len() < 2_000, "a window of the line, not the line: {} bytes", stderr.len());
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
    // Converting again has nothing to do, which is no error (it exited 2 before).
    let again = dfls(&["convert", "Old.Dataflow"], temp.path());
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already in the current format"));
}

/// `pack` of a folder that is not there says so (it said "is not an item folder"); `pack` of an item's file
/// packs its folder, as `check` takes an item's file.
#[test]
fn pack_names_a_missing_folder_and_takes_an_item_file() {
    let temp = tempfile::tempdir().unwrap();
    let missing = dfls(&["pack", "nope"], temp.path());
    assert_eq!(missing.status.code(), Some(2));
    let error = String::from_utf8_lossy(&missing.stderr);
    assert!(error.contains("there is no file or folder `nope`"), "{error}");
    let folder = dfls(&["pack", example("Sales Orders.Dataflow").to_str().unwrap()], temp.path());
    let file = example("Sales Orders.Dataflow").join("mashup.pq");
    let of_file = dfls(&["pack", file.to_str().unwrap()], temp.path());
    assert_eq!(of_file.status.code(), Some(0), "{}", String::from_utf8_lossy(&of_file.stderr));
    assert_eq!(of_file.stdout, folder.stdout);
    std::fs::write(temp.path().join("notes.txt"), "x").unwrap();
    let stray = dfls(&["pack", "notes.txt"], temp.path());
    assert_eq!(stray.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&stray.stderr).contains("is not an item folder nor a file of one"));
}

/// `dfls help --help` was an error (clap's own help subcommand takes no options); `dfls help COMMAND` is the
/// command's `--help`, and a near-miss command name gets a suggestion.
#[test]
fn help_is_an_ordinary_command() {
    let temp = tempfile::tempdir().unwrap();
    let help = dfls(&["help", "--help"], temp.path());
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: dfls help"));
    let push = dfls(&["help", "push"], temp.path());
    assert_eq!(push.stdout, dfls(&["push", "--help"], temp.path()).stdout);
    assert!(String::from_utf8_lossy(&push.stdout).contains("Usage: dfls push"));
    let all = dfls(&["help"], temp.path());
    assert_eq!(all.stdout, dfls(&["--help"], temp.path()).stdout);
    let near = dfls(&["help", "psh"], temp.path());
    assert_eq!(near.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&near.stderr).contains("did you mean `push`?"));
}
