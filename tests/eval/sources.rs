//! The data sources of a local evaluation (`eval::sources::local::Local`), each against data made here
//! in a temporary folder: `Folder.Files` and `Folder.Contents`, and what reads the bytes they give.

use std::path::Path;
use std::rc::Rc;

use dfls::eval::sources::local::Local;
use dfls::eval::sources::{with_sources, Sources};
use dfls::eval::{self, render};

/// The JSON encoding of what an expression evaluates to with these sources.
pub fn eval_with(local: &Local, expression: &str) -> serde_json::Value {
    let text = expression.to_owned();
    let local = local.clone();
    let printed = eval::run_on_large_stack(move || {
        let sources: Rc<dyn Sources> = Rc::new(local);
        with_sources(sources, || match eval::evaluate_text(&text) {
            Ok(outcome) => render::json(&outcome).pretty(),
            Err(setup) => panic!("{text} did not evaluate: {setup:?}"),
        })
    });
    serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{printed} is not JSON: {e}"))
}

/// A path as an M text literal.
pub fn m_text(path: &Path) -> String {
    format!("\"{}\"", path.to_str().unwrap().replace('"', "\"\""))
}

/// A folder path as `Folder Path` shows it: absolute, ending with the separator.
fn shown(path: &Path) -> String {
    format!("{}{}", path.display(), std::path::MAIN_SEPARATOR)
}

#[test]
fn folder_files_lists_every_file_below_with_lazy_content() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.csv"), "x,y\n1,2\n").unwrap();
    std::fs::write(dir.path().join("a.txt"), "hello").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub").join("c.CSV"), "z\n3\n").unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let local = Local::default();
    let folder = m_text(dir.path());
    let value = eval_with(
        &local,
        &format!("Table.SelectColumns(Folder.Files({folder}), {{\"Name\", \"Extension\", \"Folder Path\"}})"),
    );
    let root = shown(dir.path());
    let sub = shown(&dir.path().join("sub"));
    assert_eq!(
        value,
        serde_json::json!({"$type": "table", "columns": ["Name", "Extension", "Folder Path"], "rows": [
            ["a.txt", ".txt", root], ["b.csv", ".csv", root], ["c.CSV", ".CSV", sub]]})
    );
    // The content is the file's bytes; a CSV of the folder reads as Csv.Document reads it.
    let value = eval_with(
        &local,
        &format!(
            "let Files = Folder.Files({folder}), Csv = Files{{[Name = \"b.csv\"]}}[Content] in
             {{Text.FromBinary(Files{{0}}[Content]), Table.ToRecords(Csv.Document(Csv)),
               Files{{0}}[Attributes][Size], Files{{0}}[Attributes][Directory],
               Value.Is(Files{{0}}[Date modified], type datetime),
               Value.Type(Files)}}"
        ),
    );
    assert_eq!(
        value,
        serde_json::json!(["hello", [{"Column1": "x", "Column2": "y"}, {"Column1": "1", "Column2": "2"}], 5, false, true, {"$type": "type", "value":
            "type table [Content = binary, Name = text, Extension = text, #\"Date accessed\" = nullable datetime, \
             #\"Date modified\" = nullable datetime, #\"Date created\" = nullable datetime, \
             Attributes = nullable record, #\"Folder Path\" = text]"}])
    );
}

#[test]
fn folder_contents_navigates_into_subfolders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub").join("inner.json"), "[1, 2]").unwrap();
    std::fs::write(dir.path().join("top.txt"), "t").unwrap();
    let folder = m_text(dir.path());
    let value = eval_with(
        &Local::default(),
        &format!(
            "let Source = Folder.Contents({folder}) in
             {{Source[Name], Source[Extension], Source{{[Name = \"sub\"]}}[Attributes][Directory],
               Json.Document(Source{{[Name = \"sub\"]}}[Content]{{[Name = \"inner.json\"]}}[Content]),
               Source{{[Name = \"sub\"]}}[Content]{{0}}[Folder Path]}}"
        ),
    );
    assert_eq!(
        value,
        serde_json::json!([["sub", "top.txt"], ["", ".txt"], true, [1, 2], shown(&dir.path().join("sub"))])
    );
}

#[test]
fn a_missing_folder_is_a_data_source_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = m_text(&dir.path().join("nope"));
    let value = eval_with(&Local::default(), &format!("Folder.Files({missing})"));
    assert_eq!(value["$type"], "error");
    assert_eq!(value["reason"], "DataSource.NotFound");
}

/// A link whose target is gone cannot be described: its row is there, its cells the error.
#[cfg(unix)]
#[test]
fn an_unreadable_entry_is_a_row_of_error_cells() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kept.txt"), "y").unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("broken.txt")).unwrap();
    let folder = m_text(dir.path());
    let value = eval_with(
        &Local::default(),
        &format!(
            "let Files = Folder.Files({folder}) in
             {{Files[Name], (try Files{{0}}[Date modified])[Error][Reason], (try Files{{0}}[Content])[HasError],
               Text.FromBinary(Files{{1}}[Content])}}"
        ),
    );
    assert_eq!(value, serde_json::json!([["broken.txt", "kept.txt"], "DataSource.NotFound", true, "y"]));
}
