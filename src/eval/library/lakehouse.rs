//! `Lakehouse.Contents(options)`: Fabric's lakehouse connector on the local lakehouse, a folder laid out
//! as OneLake lays out its lakehouses, `<workspaceId>/<lakehouseId>/Tables/<table>/` (each table a Delta
//! table, read by [`super::delta`]). The folder is `[eval] lakehouse` in dfls.toml ([`Sources::lakehouse`]).
//!
//! The navigation is the one Fabric's generated code uses:
//! `Lakehouse.Contents(null){[workspaceId = "..."]}[Data]{[lakehouseId = "..."]}[Data]{[Id = "t", ItemKind = "Table"]}[Data]`:
//! workspaces (workspaceId, workspaceName, Data), then lakehouses (lakehouseId, lakehouseName, Data), then
//! tables (Id, Name, ItemKind, IsLeaf, Data). Every Data is read only when navigated to. A folder under
//! Tables without a `_delta_log` is not a table and is not listed.

use std::rc::Rc;

use super::super::sources::{self, Sources};
use super::super::value::{MError, Outcome, Thunk, Value};
use super::navigation::typed_table;
use super::{delta, Registry};

pub fn register(r: &mut Registry) {
    r.add("Lakehouse.Contents", lakehouse_contents);
}

fn lakehouse_contents(_: &[Value]) -> Outcome {
    let sources = sources::current();
    let root = sources.lakehouse()?;
    let rows = subfolders(&sources, &root)?
        .into_iter()
        .map(|(name, path)| {
            let inner = sources.clone();
            vec![
                Thunk::value(Value::text(&name)),
                Thunk::value(Value::text(&name)),
                Thunk::lazy(move || lakehouses(inner, &path)),
            ]
        })
        .collect();
    Ok(Value::Table(typed_table(
        &[("workspaceId", "text"), ("workspaceName", "text"), ("Data", "table")],
        rows,
    )))
}

fn lakehouses(sources: Rc<dyn Sources>, workspace: &str) -> Outcome {
    let rows = subfolders(&sources, workspace)?
        .into_iter()
        .map(|(name, path)| {
            let inner = sources.clone();
            let shown = name.strip_suffix(".Lakehouse").unwrap_or(&name).to_owned();
            vec![
                Thunk::value(Value::text(&name)),
                Thunk::value(Value::text(&shown)),
                Thunk::lazy(move || tables(inner, &format!("{path}{}Tables", std::path::MAIN_SEPARATOR))),
            ]
        })
        .collect();
    Ok(Value::Table(typed_table(
        &[("lakehouseId", "text"), ("lakehouseName", "text"), ("Data", "table")],
        rows,
    )))
}

fn tables(sources: Rc<dyn Sources>, folder: &str) -> Outcome {
    let mut rows = Vec::new();
    for (name, path) in subfolders(&sources, folder)? {
        let is_table =
            sources.folder(&path).is_ok_and(|listing| listing.entries.iter().any(|e| e.name == "_delta_log"));
        if !is_table {
            continue;
        }
        let inner = sources.clone();
        let table = format!("{path}{}", std::path::MAIN_SEPARATOR);
        rows.push(vec![
            Thunk::value(Value::text(&name)),
            Thunk::value(Value::text(&name)),
            Thunk::value(Value::text("Table")),
            Thunk::value(Value::Logical(true)),
            Thunk::lazy(move || delta::read_table(&*inner, &table).map(Value::Table)),
        ]);
    }
    Ok(Value::Table(typed_table(
        &[("Id", "text"), ("Name", "text"), ("ItemKind", "text"), ("IsLeaf", "logical"), ("Data", "table")],
        rows,
    )))
}

/// The subfolders of a folder: name and path.
fn subfolders(sources: &Rc<dyn Sources>, folder: &str) -> Result<Vec<(String, String)>, MError> {
    let listing = sources.folder(folder)?;
    Ok(listing
        .entries
        .into_iter()
        .filter(|entry| matches!(&entry.details, Ok(details) if details.folder))
        .map(|entry| {
            let path = format!("{}{}", listing.path, entry.name);
            (entry.name, path)
        })
        .collect())
}
