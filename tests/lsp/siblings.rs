//! Loose M files of one folder see each other in the editor as in `dfls check`: a name a sibling defines is
//! no unknown name (and one still unknown in an expression file is a warning), and go to definition, find
//! references and rename follow it across the files, renaming an expression file with its name.

use serde_json::{json, Value};

use crate::support::{TestServer, TestServerBuilder};

fn folder() -> TestServer {
    TestServerBuilder::new()
        .file("q/Report.pq", "Table.RowCount(Load) + List.Count(#\"List Globals\") + Missing")
        .file("q/Load.pq", "let Source = Csv.Document(File.Contents(Path)) in Source")
        .file("q/Path.pq", "\"data.csv\"")
        .file("q/List Globals.pqm", "Record.FieldNames(#shared)")
        .file("q/Connector.pq", "section Connector;\nshared Helper = Load & Path;\n")
        .file("q/Uses.pq", "Helper(1)")
        .capability(
            "workspace/workspaceEdit",
            json!({"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}),
        )
        .start()
}

fn at(server: &TestServer, path: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": server.uri(path)}, "position": {"line": line, "character": character}})
}

/// (line, character) of `needle` in a file of the workspace, plus `delta`.
fn position(server: &TestServer, path: &str, needle: &str, delta: u32) -> (u32, u32) {
    let text = std::fs::read_to_string(server.path(path)).unwrap();
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle:?} in {path}"));
    let line = text[..offset].matches('\n').count() as u32;
    let column = (offset - text[..offset].rfind('\n').map_or(0, |at| at + 1)) as u32;
    (line, column + delta)
}

/// An open loose file had M201 errors for every name its siblings define: now only the name no file
/// defines is left, a warning in an expression file (as `dfls check` says).
#[test]
fn names_siblings_define_are_known() {
    let mut server = folder();
    server.open("q/Report.pq");
    let diagnostics = server.diagnostics("q/Report.pq")["diagnostics"].clone();
    let found: Vec<(String, u64)> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["message"].as_str().unwrap().to_owned(), d["severity"].as_u64().unwrap()))
        .collect();
    assert_eq!(found.len(), 1, "{diagnostics}");
    assert!(found[0].0.contains("`Missing`") && found[0].1 == 2, "{diagnostics}");
    // A section document stays strict, and sees its siblings too.
    server.open("q/Connector.pq");
    let diagnostics = server.diagnostics("q/Connector.pq")["diagnostics"].clone();
    assert_eq!(diagnostics, json!([]), "Load and Path are siblings");
    // Opening a sibling checks the open files of the folder again: Report.pq's are published once more (the
    // test left them unread, and passed only when they came after its shutdown's wait).
    let again = server.diagnostics("q/Report.pq")["diagnostics"].clone();
    assert_eq!(again.as_array().unwrap().len(), 1, "{again}");
    assert_eq!(again[0]["message"], found[0].0.as_str(), "{again}");
}

#[test]
fn definition_and_references_cross_into_siblings() {
    let mut server = folder();
    server.open("q/Report.pq");
    server.diagnostics("q/Report.pq");
    let (line, character) = position(&server, "q/Report.pq", "Load", 1);
    let result = server.request_raw("textDocument/definition", at(&server, "q/Report.pq", line, character));
    assert_eq!(result["result"][0]["uri"], json!(server.uri("q/Load.pq")), "{result}");
    assert_eq!(result["result"][0]["range"]["start"], json!({"line": 0, "character": 0}));
    // A quoted name, defined by a file whose name has a space.
    let (line, character) = position(&server, "q/Report.pq", "#\"List", 3);
    let result = server.request_raw("textDocument/definition", at(&server, "q/Report.pq", line, character));
    assert_eq!(result["result"][0]["uri"], json!(server.uri("q/List Globals.pqm")), "{result}");
    // A shared member of a section sibling.
    server.open("q/Uses.pq");
    server.diagnostics("q/Uses.pq");
    server.diagnostics("q/Report.pq");
    let result = server.request_raw("textDocument/definition", at(&server, "q/Uses.pq", 0, 2));
    assert_eq!(result["result"][0]["uri"], json!(server.uri("q/Connector.pq")), "{result}");
    assert_eq!(result["result"][0]["range"]["start"], json!({"line": 1, "character": 7}));

    // Every use of `Load`: in Report.pq and Connector.pq, and the file that defines it.
    let (line, character) = position(&server, "q/Report.pq", "Load", 1);
    let mut params = at(&server, "q/Report.pq", line, character);
    params["context"] = json!({"includeDeclaration": true});
    let result = server.request_raw("textDocument/references", params);
    let mut uris: Vec<String> =
        result["result"].as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap().to_owned()).collect();
    uris.sort();
    let mut expected: Vec<String> = ["q/Connector.pq", "q/Load.pq", "q/Report.pq"]
        .iter()
        .map(|p| server.uri(p).as_str().to_owned())
        .collect();
    expected.sort();
    assert_eq!(uris, expected, "{result}");
}

#[test]
fn rename_follows_the_name_into_siblings_and_renames_the_file_it_names() {
    let mut server = folder();
    server.open("q/Report.pq");
    server.diagnostics("q/Report.pq");
    let (line, character) = position(&server, "q/Report.pq", "Load", 1);
    let prepared =
        server.request_raw("textDocument/prepareRename", at(&server, "q/Report.pq", line, character));
    assert_eq!(prepared["result"]["placeholder"], "Load", "{prepared}");
    let mut params = at(&server, "q/Report.pq", line, character);
    params["newName"] = json!("Extract Orders");
    let response = server.request_raw("textDocument/rename", params);
    let operations = response["result"]["documentChanges"].as_array().unwrap_or_else(|| panic!("{response}"));
    let edited: Vec<&str> = operations.iter().filter_map(|o| o["textDocument"]["uri"].as_str()).collect();
    assert!(edited.contains(&server.uri("q/Report.pq").as_str()), "{response}");
    assert!(edited.contains(&server.uri("q/Connector.pq").as_str()), "{response}");
    assert!(
        operations
            .iter()
            .filter_map(|o| o["edits"].as_array())
            .flatten()
            .all(|e| e["newText"] == "#\"Extract Orders\""),
        "{response}"
    );
    let renamed = operations.iter().find(|o| o["kind"] == "rename").unwrap_or_else(|| panic!("{response}"));
    assert_eq!(renamed["oldUri"], json!(server.uri("q/Load.pq")));
    assert_eq!(renamed["newUri"], json!(server.uri("q/Extract Orders.pq")));

    // A name another file of the folder already has is refused.
    let mut params = at(&server, "q/Report.pq", line, character);
    params["newName"] = json!("Path");
    let response = server.request_raw("textDocument/rename", params);
    assert_eq!(response["error"]["code"], -32803, "{response}");
}

/// An edit of one open loose file re-checks its open siblings: a name it starts defining is no longer
/// unknown there.
#[test]
fn an_edit_of_a_sibling_rechecks_the_others() {
    let mut server = TestServerBuilder::new()
        .file("q/Report.pq", "Helper(1)")
        .file("q/Connector.pq", "section Connector;\nshared Other = 1;\n")
        .start();
    server.open("q/Report.pq");
    let diagnostics = server.diagnostics("q/Report.pq")["diagnostics"].clone();
    assert_eq!(diagnostics.as_array().unwrap().len(), 1, "{diagnostics}");
    server.open("q/Connector.pq");
    server.diagnostics("q/Connector.pq");
    // Opening a sibling checks the others again (its buffer may define what its file does not).
    let again = server.diagnostics("q/Report.pq")["diagnostics"].clone();
    assert_eq!(again.as_array().unwrap().len(), 1, "{again}");
    server.change("q/Connector.pq", 2, None, "section Connector;\nshared Helper = (x) => x;\n");
    let diagnostics = server.diagnostics("q/Report.pq")["diagnostics"].clone();
    assert_eq!(diagnostics, json!([]), "Helper is defined now");
    server.diagnostics_for_version("q/Connector.pq", 2);
}

/// A quoted name that escapes a character (`#"Tab#(tab)Name"`) is not written as its text: the siblings that
/// write it were skipped by the text search that spares analysing the others.
#[test]
fn references_follow_an_escaped_quoted_name() {
    let mut server = TestServerBuilder::new()
        .file("q/Report.pq", "#\"Tab#(tab)Name\" + 1")
        .file("q/Defs.pq", "section Defs;\nshared #\"Tab#(tab)Name\" = 1;\n")
        .start();
    server.open("q/Report.pq");
    let diagnostics = server.diagnostics("q/Report.pq")["diagnostics"].clone();
    assert_eq!(diagnostics, json!([]), "Defs.pq defines it");
    let mut params = at(&server, "q/Report.pq", 0, 3);
    params["context"] = json!({"includeDeclaration": true});
    let result = server.request_raw("textDocument/references", params);
    let uris: Vec<&str> =
        result["result"].as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
    assert!(uris.contains(&server.uri("q/Defs.pq").as_str()), "{result}");
}
