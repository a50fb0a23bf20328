//! `dfls fmt` as users run it: the real binary on files in a temporary directory, asserting exit codes,
//! output and the bytes left on disk.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const UNFORMATTED: &str =
    "section Section1;\nshared Query = let Source = 1, Result = Source + 1 in Result;\n";
const FORMATTED: &str =
    "section Section1;\nshared Query = let\n  Source = 1,\n  Result = Source + 1\nin\n  Result;\n";

fn dfls(dir: &Path, args: &[&str]) -> Output {
    dfls_with_stdin(dir, args, b"")
}

fn dfls_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dfls binary runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn write(dir: &Path, path: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).unwrap()
}

#[test]
fn formats_in_place_and_then_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "queries/a.pq", UNFORMATTED);
    write(dir.path(), "queries/b.pq", FORMATTED);
    let output = dfls(dir.path(), &["fmt"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(read(dir.path(), "queries/a.pq"), FORMATTED);
    assert_eq!(read(dir.path(), "queries/b.pq"), FORMATTED);
    assert!(stderr(&output).contains("1 file formatted, 1 file already formatted"), "{}", stderr(&output));
    let again = dfls(dir.path(), &["fmt", "queries"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stderr(&again).contains("0 files formatted, 2 files already formatted"), "{}", stderr(&again));
    // No temporary file is left beside them.
    assert_eq!(std::fs::read_dir(dir.path().join("queries")).unwrap().count(), 2);
}

#[test]
fn check_lists_the_files_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.pq", UNFORMATTED);
    write(dir.path(), "b.pq", FORMATTED);
    let output = dfls(dir.path(), &["fmt", "--check"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(stdout(&output), "a.pq\n");
    assert_eq!(read(dir.path(), "a.pq"), UNFORMATTED);
    let clean = dfls(dir.path(), &["fmt", "--check", "b.pq"]);
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");
    assert_eq!(stdout(&clean), "");
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.pq", UNFORMATTED);
    let output = dfls(dir.path(), &["fmt", "--diff", "a.pq"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stdout(&output),
        "--- a/a.pq\n+++ b/a.pq\n@@ -1,2 +1,6 @@\n section Section1;\n-shared Query = let Source = 1, Result = Source + 1 in Result;\n\
         +shared Query = let\n+  Source = 1,\n+  Result = Source + 1\n+in\n+  Result;\n"
    );
    assert_eq!(read(dir.path(), "a.pq"), UNFORMATTED);
}

#[test]
fn standard_input_goes_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let output = dfls_with_stdin(dir.path(), &["fmt", "-"], UNFORMATTED.as_bytes());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), FORMATTED);
    let check = dfls_with_stdin(dir.path(), &["fmt", "--check", "-"], UNFORMATTED.as_bytes());
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check), "<stdin>\n");
    // CRLF and a byte-order mark come back as they went in.
    let crlf = "\u{feff}let a=1 in a\r\n";
    let output = dfls_with_stdin(dir.path(), &["fmt", "-"], crlf.as_bytes());
    assert_eq!(stdout(&output), "\u{feff}let\r\n  a = 1\r\nin\r\n  a\r\n");
}

#[test]
fn an_item_folder_gets_its_mashup_formatted_and_nothing_else_touched() {
    let dir = tempfile::tempdir().unwrap();
    let metadata = "{\"formatVersion\":\"202502\",   \"queriesMetadata\":{}}";
    write(dir.path(), "Sales.Dataflow/mashup.pq", UNFORMATTED);
    write(dir.path(), "Sales.Dataflow/queryMetadata.json", metadata);
    write(dir.path(), "Sales.Dataflow/.platform", "{ }");
    let output = dfls(dir.path(), &["fmt", "Sales.Dataflow"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(read(dir.path(), "Sales.Dataflow/mashup.pq"), FORMATTED);
    assert_eq!(read(dir.path(), "Sales.Dataflow/queryMetadata.json"), metadata);
    assert_eq!(read(dir.path(), "Sales.Dataflow/.platform"), "{ }");
}

#[test]
fn the_m_inside_a_legacy_item_is_formatted_in_its_json_string() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = |m: &str| {
        format!(
            "{{\r\n  \"editingSessionMashup\": {{\r\n    \"mashupName\": \"Inventory\",\r\n    \"mashupDocument\": \"{m}\",\r\n    \"queryGroups\": []\r\n  }}\r\n}}\r\n"
        )
    };
    let before =
        legacy(r#"section Section1;\r\nshared #\"Stock \u0026 levels\" = let a = 1, b = \"x\" in b;\r\n"#);
    let after = legacy(
        r#"section Section1;\r\nshared #\"Stock \u0026 levels\" = let\r\n  a = 1,\r\n  b = \"x\"\r\nin\r\n  b;\r\n"#,
    );
    write(dir.path(), "Inventory/dataflow-content.json", &before);
    let diff = dfls(dir.path(), &["fmt", "--diff"]);
    assert_eq!(diff.status.code(), Some(1), "{diff:?}");
    assert!(stdout(&diff).starts_with(
        "--- a/Inventory/dataflow-content.json#mashupDocument\n+++ b/Inventory/dataflow-content.json#mashupDocument\n"
    ));
    assert!(stdout(&diff).contains("+shared #\"Stock & levels\" = let\n"), "{}", stdout(&diff));
    let output = dfls(dir.path(), &["fmt"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(read(dir.path(), "Inventory/dataflow-content.json"), after);
}

#[test]
fn a_broken_file_is_formatted_around_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "section S;\nshared   A=1;\nshared B = {1, 2 3};\nshared   C = let x=1 in x;\n";
    write(dir.path(), "broken.pq", broken);
    let output = dfls(dir.path(), &["fmt", "broken.pq"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stderr(&output).contains("broken.pq: has syntax errors"), "{}", stderr(&output));
    assert_eq!(
        read(dir.path(), "broken.pq"),
        "section S;\nshared A = 1;\nshared B = {1, 2 3};\nshared C = let\n  x = 1\nin\n  x;\n"
    );
}

#[test]
fn binary_and_invalid_utf8_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "binary.pq", b"let a = 1\0 in a");
    write(dir.path(), "latin1.pq", b"let a = \"caf\xe9\" in a");
    write(dir.path(), "fine.pq", UNFORMATTED);
    let output = dfls(dir.path(), &["fmt"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("binary.pq: this is a binary file"), "{}", stderr(&output));
    assert!(stderr(&output).contains("latin1.pq: this file is not valid UTF-8 (at byte offset 12)"));
    assert_eq!(std::fs::read(dir.path().join("binary.pq")).unwrap(), b"let a = 1\0 in a");
    assert_eq!(std::fs::read(dir.path().join("latin1.pq")).unwrap(), b"let a = \"caf\xe9\" in a");
    assert_eq!(read(dir.path(), "fine.pq"), FORMATTED, "the other files are still formatted");
}

#[test]
fn options_come_from_flags_then_dfls_toml_then_editorconfig() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), ".editorconfig", "root = true\n[*.pq]\nindent_style = tab\nindent_size = 8\n");
    write(dir.path(), "a.pq", "let a = 1 in a");
    let tabs = dfls(dir.path(), &["fmt", "--check", "--diff", "a.pq"]);
    assert!(stdout(&tabs).contains("+\ta = 1"), "{tabs:?}");
    write(
        dir.path(),
        "dfls.toml",
        "[targets.local]\napi = \"embedded\"\n\n[format]\nuse-tabs = false\nindent-width = 4\n",
    );
    let toml = dfls(dir.path(), &["fmt", "--diff", "a.pq"]);
    assert!(stdout(&toml).contains("+    a = 1"), "{}", stdout(&toml));
    let flags = dfls(dir.path(), &["fmt", "--diff", "--indent-width", "3", "a.pq"]);
    assert!(stdout(&flags).contains("+   a = 1"), "{}", stdout(&flags));
    let tabs = dfls(dir.path(), &["fmt", "--diff", "--use-tabs", "a.pq"]);
    assert!(stdout(&tabs).contains("+\ta = 1"), "{tabs:?}");
    let narrow = dfls_with_stdin(dir.path(), &["fmt", "--line-width", "10", "-"], b"f(aaaa, bbbb)");
    assert_eq!(stdout(&narrow), "f(\n    aaaa,\n    bbbb\n)");

    write(dir.path(), "dfls.toml", "[format]\nindent_width = 4\n");
    let bad = dfls(dir.path(), &["fmt", "a.pq"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(stderr(&bad).contains("dfls.toml:2:1: unknown field `indent_width`"), "{}", stderr(&bad));
    assert_eq!(read(dir.path(), "a.pq"), "let a = 1 in a");
}

/// `dfls.toml` is TOML, read by one reader for the formatter and the deploy commands: every spelling of a
/// table is accepted, and an unknown table is an error at its line and column for both.
#[test]
fn dfls_toml_is_one_toml_file_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "a.pq", "let a = 1 in a");
    write(dir.path(), "dfls.toml", "default-target = \"local\"\nformat = { indent-width = 0x4 }\n");
    let inline = dfls(dir.path(), &["fmt", "--diff", "a.pq"]);
    assert!(stdout(&inline).contains("+    a = 1"), "{inline:?}");

    write(dir.path(), "dfls.toml", "[format]\nindent-width = 2\n\n[format.extra]\nx = 1\n");
    let fmt = dfls(dir.path(), &["fmt", "a.pq"]);
    assert_eq!(fmt.status.code(), Some(2), "{fmt:?}");
    assert!(stderr(&fmt).contains("dfls.toml:4:9: unknown field `extra`"), "{}", stderr(&fmt));
    let jobs = dfls(dir.path(), &["jobs", "Sales"]);
    assert_eq!(jobs.status.code(), Some(2), "{jobs:?}");
    assert!(stderr(&jobs).contains("dfls.toml:4:9: unknown field `extra`"), "{}", stderr(&jobs));
}

#[test]
fn a_json_file_that_is_not_a_legacy_item_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "other.json", "{}");
    let output = dfls(dir.path(), &["fmt", "other.json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stderr(&output).contains("other.json: not an M file"), "{}", stderr(&output));
    let missing = dfls(dir.path(), &["fmt", "missing.pq"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_skipped_and_a_linked_item_is_formatted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "elsewhere/Sales.Dataflow/mashup.pq", UNFORMATTED);
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere/Sales.Dataflow"),
        dir.path().join("tree/Sales.Dataflow"),
    )
    .unwrap();
    assert!(Command::new("mkfifo").arg(dir.path().join("tree/x.pq")).status().unwrap().success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(["fmt", "tree"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opening the FIFO would block for ever: a minute is the most the test waits.
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("dfls fmt blocked: {:?}", child.wait_with_output().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("`tree/x.pq` is a FIFO (named pipe), not a file"), "{output:?}");
    assert_eq!(
        read(dir.path(), "elsewhere/Sales.Dataflow/mashup.pq"),
        FORMATTED,
        "formatted through the link"
    );
}

/// The shipped examples are formatted, so that the `dfls-fmt` pre-commit hook lets the first commit of a copy
/// of them through (tests/tools/pre_commit.rs commits one).
#[test]
fn the_shipped_examples_are_formatted() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = dfls(repository, &["fmt", "--check", "examples"]);
    assert!(output.status.success(), "dfls fmt --check examples:\n{}{}", stdout(&output), stderr(&output));
}
