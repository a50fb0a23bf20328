//! Tables the source functions build: a list of typed columns and rows of cells, each cell possibly
//! lazy or an error (a navigation table's `Data` is read only when the user goes there).

use std::rc::Rc;

use super::super::types::MType;
use super::super::value::{Column, Table, Thunk};
use super::new_fields;

/// A column's name and M type, written as the reference shows it (`"text"`, `"nullable datetime"`).
pub(crate) type ColumnSpec = (&'static str, &'static str);

/// The M type a spec names (a primitive, possibly nullable).
pub(crate) fn spec_type(spec: &str) -> Rc<MType> {
    match spec.strip_prefix("nullable ") {
        Some(rest) => MType::nullable(&MType::primitive(rest).expect("a primitive type name")),
        None => MType::primitive(spec).expect("a primitive type name"),
    }
}

/// A table of these columns from rows of cells (each row as long as `columns`).
pub(crate) fn typed_table(columns: &[ColumnSpec], rows: Vec<Vec<Thunk>>) -> Table {
    let names: Vec<Rc<str>> = columns.iter().map(|(name, _)| Rc::from(*name)).collect();
    let fields = new_fields(names).expect("the columns of a source table are distinct");
    let count = rows.len();
    let mut cells: Vec<Vec<Thunk>> = columns.iter().map(|_| Vec::with_capacity(count)).collect();
    for row in rows {
        debug_assert_eq!(row.len(), columns.len());
        for (column, cell) in cells.iter_mut().zip(row) {
            column.push(cell);
        }
    }
    let types = columns.iter().map(|(_, ty)| spec_type(ty)).collect();
    Table::new(fields, types, cells.into_iter().map(Column::from_thunks).collect(), count)
}
