//! `Excel.Workbook(workbook, useHeaders, delayTypes)` through calamine (pure Rust; .xlsx, .xlsm, .xlsb,
//! .xls and .ods): the navigation table Power Query gives, columns Name, Data, Item, Kind, Hidden, a row
//! per sheet (Kind `Sheet`), in an .xlsx per table (Kind `Table`, its header row the column names), and per
//! defined name that is one rectangle of one sheet (Kind `DefinedName`; a formula or several areas is not
//! data, and Excel's own `_xlnm.` names are not listed).
//!
//! A sheet's Data is its used range, read when first asked for, columns `Column1`, `Column2`, ... (the
//! first row promoted to names with `useHeaders = true`). Cells map as Power Query maps them: numbers,
//! text, logicals, dates and times as datetimes (Excel has no date type), durations as durations, an empty
//! cell null, and an error cell (`#DIV/0!`, `#N/A`, ...) an error value in that cell only. Columns are
//! of type any (`delayTypes` is accepted; no column types are inferred).

use std::cell::RefCell;
use std::io::Cursor;
use std::rc::Rc;

use calamine::{Data, Reader, SheetVisible, Sheets};

use super::super::datetime::{days_from_civil, TICKS_PER_DAY, TICKS_PER_SECOND};
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Thunk, Value};
use super::navigation::typed_table;
use super::{new_fields, Registry};

pub fn register(r: &mut Registry) {
    r.add("Excel.Workbook", excel_workbook);
}

type Workbook = Rc<RefCell<Sheets<Cursor<Vec<u8>>>>>;

fn excel_error(error: impl std::fmt::Display) -> MError {
    MError::new("DataFormat.Error", format!("The workbook could not be read: {error}."))
}

fn excel_workbook(args: &[Value]) -> Outcome {
    let bytes = match &args[0] {
        Value::Binary(bytes) => bytes.to_vec(),
        other => return Err(super::super::evaluate::cannot_convert(other, "Binary")),
    };
    let use_headers = match &args[1] {
        Value::Null => false,
        Value::Logical(b) => *b,
        // A record of options ([UseHeaders = true, ...]) in newer releases.
        Value::Record(options) => {
            matches!(options.get("UseHeaders").transpose()?, Some(Value::Logical(true)))
        }
        other => return Err(super::super::evaluate::cannot_convert(other, "Logical")),
    };
    let mut sheets = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(excel_error)?;
    let metadata: Vec<(String, bool)> = sheets
        .sheets_metadata()
        .iter()
        .map(|sheet| (sheet.name.clone(), sheet.visible != SheetVisible::Visible))
        .collect();
    let tables: Vec<String> = match &mut sheets {
        Sheets::Xlsx(xlsx) => {
            xlsx.load_tables().map_err(excel_error)?;
            xlsx.table_names().into_iter().cloned().collect()
        }
        _ => Vec::new(),
    };
    let defined: Vec<(String, Area)> = sheets
        .defined_names()
        .iter()
        .filter(|(name, _)| !name.starts_with("_xlnm."))
        .filter_map(|(name, formula)| Some((name.clone(), area(formula)?)))
        .collect();
    let workbook: Workbook = Rc::new(RefCell::new(sheets));
    let mut rows = Vec::new();
    for (name, hidden) in metadata {
        let book = workbook.clone();
        let sheet = name.clone();
        let data = Thunk::lazy(move || {
            let range = book.borrow_mut().worksheet_range(&sheet).map_err(excel_error)?;
            grid_table(&range, use_headers, None)
        });
        rows.push(row(&name, data, "Sheet", hidden));
    }
    for name in tables {
        let book = workbook.clone();
        let table = name.clone();
        let data = Thunk::lazy(move || {
            let mut book = book.borrow_mut();
            let Sheets::Xlsx(xlsx) = &mut *book else { unreachable!("tables are read from .xlsx only") };
            let table = xlsx.table_by_name(&table).map_err(excel_error)?;
            grid_table(table.data(), false, Some(table.columns()))
        });
        rows.push(row(&name, data, "Table", false));
    }
    for (name, area) in defined {
        let book = workbook.clone();
        let data = Thunk::lazy(move || {
            let sheet = book.borrow_mut().worksheet_range(&area.sheet).map_err(excel_error)?;
            // Only the used part of the area: a whole-column name does not make a million empty rows.
            let (last_row, last_column) = sheet.end().unwrap_or((0, 0));
            let end = (area.end.0.min(last_row), area.end.1.min(last_column));
            let range = if sheet.is_empty() || area.start.0 > end.0 || area.start.1 > end.1 {
                calamine::Range::empty()
            } else {
                sheet.range(area.start, end)
            };
            grid_table(&range, use_headers, None)
        });
        rows.push(row(&name, data, "DefinedName", false));
    }
    Ok(Value::Table(typed_table(
        &[("Name", "text"), ("Data", "table"), ("Item", "text"), ("Kind", "text"), ("Hidden", "logical")],
        rows,
    )))
}

/// A defined name's rectangle: its sheet and first and last cells (row, column), from 0.
struct Area {
    sheet: String,
    start: (u32, u32),
    end: (u32, u32),
}

/// The area of a reference such as `Sales!$B$2:$C$9`, `'My sheet'!A1` or `Lookup!$A:$A` (a whole
/// column); `None` for anything else.
fn area(formula: &str) -> Option<Area> {
    let (sheet, cells) = formula.trim_start_matches('=').rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => sheet.to_owned(),
    };
    let (first, last) = cells.split_once(':').unwrap_or((cells, cells));
    let (start, end) = (cell_position(first, 0)?, cell_position(last, u32::MAX)?);
    Some(Area {
        sheet,
        start: (start.0.min(end.0), start.1.min(end.1)),
        end: (start.0.max(end.0), start.1.max(end.1)),
    })
}

/// `$B$2`, `B2`, or `$B` (a whole column: its row is `row_of_column`) as (row, column) from 0.
fn cell_position(reference: &str, row_of_column: u32) -> Option<(u32, u32)> {
    let reference = reference.replace('$', "");
    let split = reference.find(|c: char| c.is_ascii_digit()).unwrap_or(reference.len());
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let column = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)) - 1;
    if digits.is_empty() {
        return Some((row_of_column, column));
    }
    let row: u32 = digits.parse().ok()?;
    (row >= 1).then_some((row - 1, column))
}

fn row(name: &str, data: Thunk, kind: &str, hidden: bool) -> Vec<Thunk> {
    vec![
        Thunk::value(Value::text(name)),
        data,
        Thunk::value(Value::text(name)),
        Thunk::value(Value::text(kind)),
        Thunk::value(Value::Logical(hidden)),
    ]
}

/// A range as a table: named by `headers`, by its first row (`promote`), or `Column1`, `Column2`, ...
fn grid_table(range: &calamine::Range<Data>, promote: bool, headers: Option<&[String]>) -> Outcome {
    let (height, width) = range.get_size();
    let mut first = 0;
    let names: Vec<Rc<str>> = match headers {
        Some(headers) => headers.iter().map(|h| Rc::from(h.as_str())).collect(),
        None if promote && height > 0 => {
            first = 1;
            (0..width)
                .map(|c| match range.get((0, c)) {
                    Some(Data::Empty) | None => Rc::from(format!("Column{}", c + 1)),
                    Some(cell) => Rc::from(cell.to_string()),
                })
                .collect()
        }
        None => (0..width).map(|c| Rc::from(format!("Column{}", c + 1))).collect(),
    };
    let width = names.len();
    let fields = new_fields(names)?;
    let columns: Vec<Column> = (0..width)
        .map(|c| Column::from_outcomes((first..height).map(|r| cell(range.get((r, c)))).collect()))
        .collect();
    let rows = height.saturating_sub(first);
    Ok(Value::Table(Table::new(fields, vec![MType::any(); width], columns, rows)))
}

/// A cell as Power Query reads it.
fn cell(data: Option<&Data>) -> Outcome {
    Ok(match data {
        None | Some(Data::Empty) => Value::Null,
        Some(Data::Int(n)) => Value::Number(*n as f64),
        Some(Data::Float(n)) => Value::Number(*n),
        Some(Data::String(text)) => Value::text(text),
        Some(Data::Bool(b)) => Value::Logical(*b),
        Some(Data::DateTime(moment)) if moment.is_duration() => {
            Value::Duration((moment.as_f64() * TICKS_PER_DAY as f64).round() as i64)
        }
        Some(Data::DateTime(moment)) => {
            let (year, month, day, hour, minute, second, milli) = moment.to_ymd_hms_milli();
            let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day))
                .ok_or_else(|| MError::new("DataFormat.Error", format!("Invalid cell value '{moment}'.")))?;
            let millis = ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000
                + i64::from(milli);
            Value::DateTime(days * TICKS_PER_DAY + millis * (TICKS_PER_SECOND / 1000))
        }
        Some(Data::DateTimeIso(text) | Data::DurationIso(text)) => Value::text(text),
        Some(Data::Error(error)) => {
            return Err(MError::new("DataFormat.Error", format!("Invalid cell value '{error}'."))
                .with_detail(Value::text(&error.to_string())))
        }
    })
}
