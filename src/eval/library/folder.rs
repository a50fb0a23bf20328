//! `Folder.Files` and `Folder.Contents` through [`crate::eval::sources`], with the columns Power Query
//! gives: Content, Name, Extension, Date accessed, Date modified, Date created, Attributes, Folder Path.
//!
//! Content is read only when a cell of it is (a file's bytes, or for `Folder.Contents` a subfolder's own
//! `Folder.Contents` table). An entry the file system cannot describe is still a row, its unreadable
//! cells errors, so one bad file does not fail the table. `Folder.Files` lists every file of the folder
//! and its subfolders (a folder's files, then each subfolder's in name order).

use std::rc::Rc;

use super::super::sources::{self, Details, Entry, Listing, Sources};
use super::super::value::{MError, Outcome, Record, Thunk, Value};
use super::navigation::{typed_table, ColumnSpec};
use super::{text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Folder.Files", folder_files);
    r.add("Folder.Contents", folder_contents);
}

/// How deep `Folder.Files` goes (a symbolic link may make a folder its own descendant).
const MAX_DEPTH: usize = 64;

fn columns(content: &'static str) -> [ColumnSpec; 8] {
    [
        ("Content", content),
        ("Name", "text"),
        ("Extension", "text"),
        ("Date accessed", "nullable datetime"),
        ("Date modified", "nullable datetime"),
        ("Date created", "nullable datetime"),
        ("Attributes", "nullable record"),
        ("Folder Path", "text"),
    ]
}

fn folder_files(args: &[Value]) -> Outcome {
    let path = text_arg(&args[0])?;
    let sources = sources::current();
    let listing = sources.folder(path)?;
    let mut rows = Vec::new();
    collect_files(&sources, listing, 0, &mut rows);
    Ok(Value::Table(typed_table(&columns("binary"), rows)))
}

/// The rows of the files of a listed folder and of its subfolders.
fn collect_files(sources: &Rc<dyn Sources>, listing: Listing, depth: usize, rows: &mut Vec<Vec<Thunk>>) {
    let mut subfolders = Vec::new();
    for entry in listing.entries {
        match &entry.details {
            Ok(details) if details.folder => subfolders.push(entry),
            _ => rows.push(file_row(sources, &listing.path, entry)),
        }
    }
    for folder in subfolders {
        crate::cancel::checkpoint();
        let path = format!("{}{}", listing.path, folder.name);
        let listed = if depth >= MAX_DEPTH {
            Err(MError::new(
                "DataSource.Error",
                format!("File or Folder: the folder {path} is more than {MAX_DEPTH} folders deep."),
            ))
        } else {
            sources.folder(&path)
        };
        match listed {
            Ok(inner) => collect_files(sources, inner, depth + 1, rows),
            // A subfolder that cannot be listed is a row whose cells say why.
            Err(error) => {
                rows.push(file_row(sources, &listing.path, Entry { details: Err(error), ..folder }))
            }
        }
    }
}

fn folder_contents(args: &[Value]) -> Outcome {
    contents(sources::current(), text_arg(&args[0])?)
}

fn contents(sources: Rc<dyn Sources>, path: &str) -> Outcome {
    let listing = sources.folder(path)?;
    let rows = listing
        .entries
        .into_iter()
        .map(|entry| match &entry.details {
            Ok(details) if details.folder => {
                let sub = format!("{}{}", listing.path, entry.name);
                let sources = sources.clone();
                let content = Thunk::lazy(move || contents(sources, &sub));
                row(content, &listing.path, entry)
            }
            _ => file_row(&sources, &listing.path, entry),
        })
        .collect();
    Ok(Value::Table(typed_table(&columns("any"), rows)))
}

/// A file's row: its content read on demand.
fn file_row(sources: &Rc<dyn Sources>, folder: &str, entry: Entry) -> Vec<Thunk> {
    let full = format!("{folder}{}", entry.name);
    let reader = sources.clone();
    let content = match &entry.details {
        Err(error) => Thunk::Ready(Err(error.clone())),
        Ok(_) => Thunk::lazy(move || Ok(Value::Binary(Rc::from(reader.file(&full)?)))),
    };
    row(content, folder, entry)
}

fn row(content: Thunk, folder: &str, entry: Entry) -> Vec<Thunk> {
    let is_folder = matches!(&entry.details, Ok(details) if details.folder);
    let extension = match entry.name.rfind('.') {
        Some(dot) if !is_folder => &entry.name[dot..],
        _ => "",
    };
    let cell = |read: &dyn Fn(&Details) -> Value| -> Thunk {
        Thunk::Ready(entry.details.as_ref().map(read).map_err(Clone::clone))
    };
    let time = |ticks: Option<i64>| ticks.map_or(Value::Null, Value::DateTime);
    vec![
        content,
        Thunk::value(Value::text(&entry.name)),
        Thunk::value(Value::text(extension)),
        cell(&|d| time(d.accessed)),
        cell(&|d| time(d.modified)),
        cell(&|d| time(d.created)),
        cell(&|d| Value::Record(attributes(d, extension))),
        Thunk::value(Value::text(folder)),
    ]
}

/// The Attributes record: the fields Power Query gives that this file system knows.
fn attributes(details: &Details, extension: &str) -> Record {
    Record::from_pairs(vec![
        ("Content Type", content_type(details, extension).map_or(Value::Null, Value::text)),
        ("Kind", Value::text(if details.folder { "Folder" } else { "File" })),
        ("Size", Value::Number(details.size as f64)),
        ("ReadOnly", Value::Logical(details.read_only)),
        ("Hidden", Value::Logical(details.hidden)),
        ("Directory", Value::Logical(details.folder)),
        ("SymbolicLink", Value::Logical(details.symbolic_link)),
    ])
}

/// The media type of the common data file extensions.
fn content_type(details: &Details, extension: &str) -> Option<&'static str> {
    if details.folder {
        return None;
    }
    Some(match extension.to_ascii_lowercase().as_str() {
        ".csv" => "text/csv",
        ".txt" => "text/plain",
        ".json" => "application/json",
        ".xml" => "text/xml",
        ".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".parquet" => "application/vnd.apache.parquet",
        ".pq" | ".m" => "text/plain",
        ".gz" => "application/gzip",
        _ => return None,
    })
}
