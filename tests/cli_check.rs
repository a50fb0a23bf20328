//! `dfls check` as users run it: the real binary on files in a temporary directory, asserting exit codes,
//! shown paths, codes and positions. Messages are not asserted: their wording belongs to the checks.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BROKEN_LET: &str = "let a = 1";
const BROKEN_SECTION: &str = "section S; shared A = );";
const CLEAN: &str = "section S;\r\nshared Größe = \"é\" & \"ü\";\r\n";

fn dfls(dir: &Path, args: &[&str]) -> Output {
    dfls_with_stdin(dir, args, "")
}

fn dfls_with_stdin(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dfls binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).unwrap()
}

fn parse_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

fn position(value: &Value) -> (u64, u64) {
    (value["line"].as_u64().unwrap(), value["column"].as_u64().unwrap())
}

/// The shown paths of the diagnostics of a JSON output, in order.
fn paths(json: &Value) -> Vec<&str> {
    json["diagnostics"].as_array().unwrap().iter().map(|d| d["path"].as_str().unwrap()).collect()
}

#[test]
fn a_clean_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.pq", CLEAN);
    let output = dfls(dir.path(), &["check", "clean.pq"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), "no problems in 1 file\n");
    assert!(output.stderr.is_empty());

    let output = dfls(dir.path(), &["check", "--format", "json", "clean.pq"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        parse_json(&output),
        serde_json::json!({"diagnostics": [], "summary": {"files": 1, "errors": 0, "warnings": 0}})
    );
}

#[test]
fn a_broken_file_exits_1_with_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    // A byte-order mark, CRLF and non-ASCII text before the error must not move its column.
    write(dir.path(), "Sales Orders.Dataflow/mashup.pq", &format!("\u{feff}// Größe\r\n{BROKEN_LET}"));
    let output = dfls(dir.path(), &["check", "--format", "json", "Sales Orders.Dataflow/mashup.pq"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json = parse_json(&output);
    // The file stands for its item, which also lacks queryMetadata.json (D106, at the start of the file).
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["D106", "M102"]);
    let diagnostic = &json["diagnostics"][1];
    assert_eq!(diagnostic["path"], "Sales Orders.Dataflow/mashup.pq");
    assert_eq!(diagnostic["code"], "M102");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(position(&diagnostic["start"]), (2, 10));
    assert_eq!(position(&diagnostic["end"]), (2, 10));
    assert_eq!(json["summary"]["files"], 1);
    assert!(json["summary"]["errors"].as_u64().unwrap() >= 1);

    let output = dfls(dir.path(), &["check", "--color", "never", "Sales Orders.Dataflow/mashup.pq"]);
    assert_eq!(output.status.code(), Some(1));
    let human = stdout(&output);
    assert!(human.contains("error[M102]: "), "{human}");
    assert!(human.contains("Sales Orders.Dataflow/mashup.pq:2:10"), "{human}");
    assert!(!human.contains('\u{1b}'), "no colors when stdout is not a terminal");
}

#[test]
fn color_always_colors_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.pq", BROKEN_LET);
    let output = dfls(dir.path(), &["check", "--color", "always", "bad.pq"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("\u{1b}["));
}

#[test]
fn directories_are_searched_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b/Query.pqm", BROKEN_SECTION);
    write(dir.path(), "a/deep/er/mashup.pq", BROKEN_LET);
    write(dir.path(), "a/clean.m", CLEAN);
    write(dir.path(), "a/notes.txt", BROKEN_LET);
    write(dir.path(), ".git/hooks/x.pq", BROKEN_LET);
    write(dir.path(), ".hidden/x.pq", BROKEN_LET);
    write(dir.path(), "target/x.pq", BROKEN_LET);
    write(dir.path(), "node_modules/pkg/x.pq", BROKEN_LET);

    let output = dfls(dir.path(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json = parse_json(&output);
    assert_eq!(json["summary"]["files"], 3);
    let mut shown = paths(&json);
    shown.dedup();
    assert_eq!(shown, ["a/deep/er/mashup.pq", "b/Query.pqm"]);
    let section =
        json["diagnostics"].as_array().unwrap().iter().find(|d| d["path"] == "b/Query.pqm").unwrap();
    assert!(section["code"].as_str().unwrap().starts_with("M10"), "a syntax code: {section}");
    assert_eq!(section["severity"], "error");

    // The same tree named by an absolute path is still shown relative to the current directory.
    let absolute = dir.path().join("a").canonicalize().unwrap();
    let output =
        dfls(&dir.path().canonicalize().unwrap(), &["check", "--format", "json", absolute.to_str().unwrap()]);
    assert_eq!(paths(&parse_json(&output)), ["a/deep/er/mashup.pq"]);
}

#[test]
fn a_named_file_is_checked_whatever_its_extension() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "query.txt", BROKEN_LET);
    let output = dfls(dir.path(), &["check", "--format", "json", "./query.txt"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(paths(&parse_json(&output)), ["query.txt"]);
}

/// A `.json` named on the command line is checked as what its content is, whatever its name; JSON that is no
/// file of a Dataflow item is said to be so (exit 2), never "no problems".
#[test]
fn a_named_json_file_is_checked_as_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = r#"{"editingSessionMashup": {"mashupDocument": "section Section1;\r\nshared Q = 1 +;\r\n",
        "queriesMetadata": {"Q": {"queryId": "b0000000-0000-4000-8000-000000000001", "queryName": "Q"}}}}"#;
    write(dir.path(), "legacy.json", legacy);
    write(dir.path(), "metadata-backup.json", r#"{"formatVersion": 202502, "name": "Sales"}"#);
    write(
        dir.path(),
        "platform.json",
        r#"{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
            "metadata": {"type": "Dataflow"}, "config": {"version": "2.0", "logicalId": "f58d2f83-a300-b135-4788-059683cd571c"}}"#,
    );
    write(
        dir.path(),
        "schedules.json",
        r#"{"schedules": [{"enabled": true, "jobType": "Execute", "configuration": {"type": "Hourly"}}]}"#,
    );
    for (file, code, at) in [
        ("legacy.json", "M102", (1, 81)),
        ("metadata-backup.json", "J102", (1, 19)),
        ("platform.json", "J101", (2, 13)),
        ("schedules.json", "J103", (1, 82)),
    ] {
        let output = dfls(dir.path(), &["check", "--format", "json", file]);
        assert_eq!(output.status.code(), Some(1), "{file}: {output:?}");
        let json = parse_json(&output);
        let codes: Vec<&str> =
            json["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
        assert!(codes.contains(&code), "{file}: {codes:?}");
        let found = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == code).unwrap();
        assert_eq!(found["path"], file);
        assert_eq!(position(&found["start"]), at, "{file}");
    }

    write(dir.path(), "package.json", r#"{"name": "site", "dependencies": {}}"#);
    let output = dfls(dir.path(), &["check", "package.json"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("`package.json` is valid JSON but no file of a Dataflow item"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "no files checked\n");
    // Beside a file that is checked, the others are still reported.
    let output = dfls(dir.path(), &["check", "--format", "json", "package.json", "legacy.json"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(paths(&parse_json(&output)), ["legacy.json"]);
    // Standard input named like one.
    let output = dfls_with_stdin(dir.path(), &["check", "--stdin-filename", "other.json", "-"], "[1, 2]");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("`other.json`"));
    // JSON that does not parse is shown as such: that is a problem whatever the file was meant to be.
    write(dir.path(), "broken.json", r#"{"name": "site" "dependencies": {}}"#);
    let output = dfls(dir.path(), &["check", "--format", "json", "broken.json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(parse_json(&output)["diagnostics"][0]["code"], "J100");
}

/// Loose M files of one folder are one section: a name a sibling file defines resolves, and one still
/// unknown in an expression file is a warning; a section document stays strict.
#[test]
fn loose_m_files_see_their_siblings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "queries/Load.pq", "let Source = Csv.Document(File.Contents(Path)) in Source");
    write(dir.path(), "queries/Path.pq", "\"C:\\\\data.csv\"");
    write(dir.path(), "queries/List Globals.pqm", "Record.FieldNames(#shared)");
    write(dir.path(), "queries/Report.m", "Table.RowCount(Load) + List.Count(#\"List Globals\") + Missing");
    let output = dfls(dir.path(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json = parse_json(&output);
    assert_eq!(json["summary"]["files"], 4);
    assert_eq!(paths(&json), ["queries/Report.m"]);
    assert_eq!(json["diagnostics"][0]["code"], "M201");
    assert_eq!(json["diagnostics"][0]["severity"], "warning");
    assert_eq!(position(&json["diagnostics"][0]["start"]), (1, 54));
    // Named on its own, a file still sees its siblings (they are read for their names, not reported).
    let output = dfls(dir.path(), &["check", "--format", "json", "queries/Report.m"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json = parse_json(&output);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(paths(&json), ["queries/Report.m"]);
    // Several named in one folder are checked together, each once.
    let output = dfls(
        dir.path(),
        &["check", "--format", "json", "queries/Report.m", "queries/Load.pq", "queries/Report.m"],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json = parse_json(&output);
    assert_eq!(json["summary"]["files"], 2);
    assert_eq!(paths(&json), ["queries/Report.m"]);

    // A section document beside them sees them too, but a name still unknown there is an error.
    write(dir.path(), "queries/Connector.pq", "section Connector; shared Connector.Contents = Load & Other;");
    let output = dfls(dir.path(), &["check", "--format", "json", "queries", "queries/Report.m"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json = parse_json(&output);
    assert_eq!(json["summary"]["files"], 5, "a file named and searched is checked once");
    let connector =
        json["diagnostics"].as_array().unwrap().iter().find(|d| d["path"] == "queries/Connector.pq").unwrap();
    assert_eq!((connector["code"].as_str(), connector["severity"].as_str()), (Some("M201"), Some("error")));
    assert_eq!(position(&connector["start"]), (1, 55));
}

#[test]
fn stdin_is_read_for_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let output = dfls_with_stdin(dir.path(), &["check", "--format", "json", "-"], BROKEN_LET);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json = parse_json(&output);
    assert_eq!(json["diagnostics"][0]["path"], "<stdin>");
    assert_eq!(json["diagnostics"][0]["code"], "M102");
    assert_eq!(position(&json["diagnostics"][0]["start"]), (1, 10));

    let output = dfls_with_stdin(
        dir.path(),
        &["check", "--format", "json", "--stdin-filename", "./Sales.Dataflow/mashup.pq", "-"],
        BROKEN_LET,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(parse_json(&output)["diagnostics"][0]["path"], "Sales.Dataflow/mashup.pq");

    let output = dfls_with_stdin(dir.path(), &["check", "-"], CLEAN);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), "no problems in 1 file\n");
}

#[test]
fn a_missing_path_exits_2_and_the_others_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.pq", BROKEN_LET);
    let output = dfls(dir.path(), &["check", "--format", "json", "missing.pq", "bad.pq"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(stderr.contains("`missing.pq`"), "{stderr}");
    assert!(stderr.contains("os error"), "the OS error is shown: {stderr}");
    let json = parse_json(&output);
    assert_eq!(paths(&json), ["bad.pq"]);
    assert_eq!(json["summary"]["files"], 1);

    let output = dfls(dir.path(), &["check", "missing"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "no files checked\n");
}

#[test]
fn usage_errors_exit_2_and_version_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(dfls(dir.path(), &["check", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(dfls(dir.path(), &["frobnicate"]).status.code(), Some(2));
    let output = dfls(dir.path(), &["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("dfls {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn github_annotations() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a, b/bad.pq", BROKEN_LET);
    write(dir.path(), "clean.pq", CLEAN);
    let output = dfls(dir.path(), &["check", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines: Vec<&str> = stdout(&output).lines().collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|line| line.starts_with("::error file=a%2C b/bad.pq,")), "{lines:?}");
    assert!(
        lines[0].starts_with("::error file=a%2C b/bad.pq,line=1,col=10,endLine=1,endColumn=10,title=M102 ")
    );
}

#[test]
fn sarif_log() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Sales Orders.Dataflow/mashup.pq", BROKEN_LET);
    let output = dfls(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let log = parse_json(&output);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].is_string());
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dfls");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    // The item also lacks queryMetadata.json: D106 comes first, at the start of the file.
    assert_eq!(run["results"][0]["ruleId"], "D106");
    let result = &run["results"][1];
    assert_eq!(result["ruleId"], "M102");
    assert_eq!(result["level"], "error");
    let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "M102");
    assert!(rule["helpUri"].as_str().unwrap().ends_with("#m102"));
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "Sales%20Orders.Dataflow/mashup.pq");
    assert_eq!(location["region"]["startLine"], 1);
    assert_eq!(location["region"]["startColumn"], 10);
}

#[test]
fn names_are_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "names.pq",
        "section S;\nshared Sales = let Source = 1, Unused = 2 in Sourc + Table.RowCount();\nshared Sales = 3;\n",
    );
    let output = dfls(dir.path(), &["check", "names.pq", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json = parse_json(&output);
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    // `Source` is unused too: its only use is misspelled.
    assert_eq!(codes, ["M204", "M204", "M201", "M202", "M203"], "{json}");
    let unknown = &json["diagnostics"][2];
    assert_eq!(position(&unknown["start"]), (2, 46));
    assert_eq!(unknown["fixes"][0]["edits"][0]["newText"], "Source");
}

/// Runs `dfls check` in `dir` as `runner` says, killing it after a minute: a search that blocks on a FIFO
/// or walks without end fails the test instead of hanging it.
fn check_within(dir: &Path, args: &[&str], runner: &[&str]) -> Output {
    let (program, prefix) = match runner.split_first() {
        Some((program, prefix)) => (*program, prefix),
        None => (env!("CARGO_BIN_EXE_dfls"), &[][..]),
    };
    let mut command = Command::new(program);
    command.args(prefix);
    if !runner.is_empty() {
        command.arg(env!("CARGO_BIN_EXE_dfls"));
    }
    let mut child = command
        .arg("check")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dfls binary runs");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("dfls check {args:?} still ran after a minute: {:?}", child.wait_with_output().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).unwrap()
}

/// The example item, copied to `to`.
fn copy_example_item(to: &Path) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Sales Orders.Dataflow");
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(example).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_reported_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tree/clean.pq", CLEAN);
    mkfifo(&dir.path().join("tree/x.pq"));
    // An item whose mashup.pq is a FIFO.
    copy_example_item(&dir.path().join("tree/Piped.Dataflow"));
    std::fs::remove_file(dir.path().join("tree/Piped.Dataflow/mashup.pq")).unwrap();
    mkfifo(&dir.path().join("tree/Piped.Dataflow/mashup.pq"));

    let output = check_within(dir.path(), &["tree"], &[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let error = stderr(&output);
    assert!(error.contains("`tree/x.pq` is a FIFO (named pipe), not a file"), "{error}");
    assert!(error.contains("`tree/Piped.Dataflow/mashup.pq` is a FIFO (named pipe), not a file"), "{error}");
    assert!(stdout(&output).contains("tree/clean.pq") || stdout(&output).contains("files"), "{output:?}");

    // Named on the command line, a FIFO is refused the same way.
    let output = check_within(dir.path(), &["tree/x.pq"], &[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output).contains("`tree/x.pq` is a FIFO (named pipe), not a file"), "{output:?}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_once() {
    let dir = tempfile::tempdir().unwrap();
    // An item folder that lives elsewhere, linked into the tree.
    copy_example_item(&dir.path().join("elsewhere/Sales Orders.Dataflow"));
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("elsewhere/Sales Orders.Dataflow"),
        dir.path().join("tree/Sales Orders.Dataflow"),
    )
    .unwrap();
    let output = check_within(dir.path(), &["tree"], &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), "no problems in 3 files\n", "the linked item is checked");

    // Links that lead back up the tree: searched once, said once.
    write(dir.path(), "loops/a/b/clean.pq", CLEAN);
    std::os::unix::fs::symlink("..", dir.path().join("loops/a/b/up")).unwrap();
    std::os::unix::fs::symlink("../..", dir.path().join("loops/a/b/top")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("loops/a/here")).unwrap();
    let output = check_within(dir.path(), &["loops"], &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), "no problems in 1 file\n");
    let notes: Vec<&str> = stderr(&output).lines().collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("skipped 3 folders met again through a symbolic link"), "{notes:?}");
}

#[cfg(unix)]
#[test]
fn unreadable_folders_are_summed_up_once() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tree/clean.pq", CLEAN);
    for name in ["a", "b", "c"] {
        write(dir.path(), &format!("tree/{name}/hidden.pq"), CLEAN);
    }
    // Root reads every folder: as root, the check runs as `nobody`, who may read only what all may.
    let as_root = std::fs::metadata(dir.path()).unwrap().uid() == 0;
    let runner: &[&str] =
        if as_root { &["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] } else { &[] };
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.path().join("tree"), std::fs::Permissions::from_mode(0o755)).unwrap();
    for name in ["a", "b", "c"] {
        std::fs::set_permissions(dir.path().join("tree").join(name), std::fs::Permissions::from_mode(0o000))
            .unwrap();
    }
    let output = check_within(dir.path(), &["tree"], runner);
    for name in ["a", "b", "c"] {
        std::fs::set_permissions(dir.path().join("tree").join(name), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(stdout(&output), "no problems in 1 file\n", "{output:?}");
    let errors: Vec<&str> = stderr(&output).lines().collect();
    assert_eq!(errors.len(), 1, "one line for all three: {errors:?}");
    assert!(errors[0].contains("skipped 3 folders that could not be read, e.g. `tree/"), "{errors:?}");
    assert!(errors[0].contains("ermission denied"), "{errors:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_kernel_folders_are_not_searched() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tree/clean.pq", CLEAN);
    std::os::unix::fs::symlink("/proc", dir.path().join("tree/proc")).unwrap();
    std::os::unix::fs::symlink("/sys", dir.path().join("tree/sys")).unwrap();
    let output = check_within(dir.path(), &["tree", "/dev"], &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), "no problems in 1 file\n");
    let notes: Vec<&str> = stderr(&output).lines().collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("skipped `/dev`, `tree/proc`, `tree/sys`: the kernel's folders"), "{notes:?}");
}
