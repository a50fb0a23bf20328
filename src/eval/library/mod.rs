//! The standard library as the evaluator runs it: one registry of implemented functions by name, one
//! file per category (`table.rs`, `list.rs`, `text.rs`, `record.rs`, `number.rs`, `value.rs`,
//! `constructors.rs` for `#date`, `#table`, ..., `splitter.rs`, `binary.rs`, `json.rs`). Functions that
//! read data outside the program reach it through [`crate::eval::sources`], never directly.
//!
//! A function is registered with its name only: its parameters come from the catalog
//! ([`crate::library`]), and [`call`] checks every call against them before the function runs (the
//! number of arguments, and each argument's kind against the documented parameter type, with M's
//! messages), fills omitted optional arguments with null, and hands the function plain values (metadata
//! stripped). So a function body starts from arguments of the right kinds; it reads tables only through
//! [`crate::eval::value::Column`]'s methods.
//!
//! A name the catalog knows but no file here implements is a function that fails with "`X` is not
//! implemented by dfls yet"; a connector (`Sql.Database`, ...) fails with "not available locally".
//!
//! To add a function: write it in its category's file as `fn(&[Value]) -> Outcome` and add it to that
//! file's `register`; the catalog supplies its signature.

mod arrow_table;
mod binary;
mod compression;
mod constructors;
mod csv;
pub mod culture;
mod date;
mod delta;
mod excel;
mod folder;
mod json;
mod keys;
mod lakehouse;
mod list;
mod list_select;
mod list_sets;
mod navigation;
mod number;
mod number_format;
mod number_math;
mod parquet;
mod record;
mod record_shape;
mod splitter;
mod table;
mod table_group;
mod table_join;
mod table_reshape;
pub mod text;
mod text_extract;
mod value;
mod web;
mod xml;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

use crate::library::{catalog, EntryKind};

use super::evaluate::{arity_error, cannot_convert, cannot_convert_to_type};
use super::types::{FieldType, FunctionType, MType, TypeKind};
use super::value::{Function, List, MError, Native, Outcome, Record, Table, Thunk, Value};

pub use number::{parse_date, parse_number};

/// A library function the evaluator implements.
pub struct Builtin {
    pub name: &'static str,
    pub run: fn(&[Value]) -> Outcome,
    /// The metadata functions see their arguments' metadata; every other function gets plain values.
    pub keeps_metadata: bool,
}

/// The registry being filled by the categories' `register` functions.
pub struct Registry(HashMap<&'static str, Builtin>);

impl Registry {
    fn add(&mut self, name: &'static str, run: fn(&[Value]) -> Outcome) {
        debug_assert!(catalog().get(name).is_some(), "{name} is not in the catalog");
        self.0.insert(name, Builtin { name, run, keeps_metadata: false });
    }

    /// A function that reads its arguments' metadata (`Value.Metadata`, ...).
    fn add_keeping_metadata(&mut self, name: &'static str, run: fn(&[Value]) -> Outcome) {
        debug_assert!(catalog().get(name).is_some(), "{name} is not in the catalog");
        self.0.insert(name, Builtin { name, run, keeps_metadata: true });
    }
}

static REGISTRY: LazyLock<HashMap<&'static str, Builtin>> = LazyLock::new(|| {
    let mut registry = Registry(HashMap::new());
    binary::register(&mut registry);
    compression::register(&mut registry);
    constructors::register(&mut registry);
    csv::register(&mut registry);
    date::register(&mut registry);
    excel::register(&mut registry);
    folder::register(&mut registry);
    json::register(&mut registry);
    lakehouse::register(&mut registry);
    list::register(&mut registry);
    list_select::register(&mut registry);
    list_sets::register(&mut registry);
    number::register(&mut registry);
    number_math::register(&mut registry);
    parquet::register(&mut registry);
    record::register(&mut registry);
    record_shape::register(&mut registry);
    splitter::register(&mut registry);
    table::register(&mut registry);
    table_group::register(&mut registry);
    table_join::register(&mut registry);
    table_reshape::register(&mut registry);
    text::register(&mut registry);
    text_extract::register(&mut registry);
    value::register(&mut registry);
    web::register(&mut registry);
    xml::register(&mut registry);
    registry.0
});

/// The names the evaluator implements, sorted (for the README's coverage table and `#shared`).
pub fn implemented() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = REGISTRY.keys().copied().collect();
    names.sort_unstable();
    names
}

/// The library's coverage by category (the name's first part: `Table`, `List`, `#` for the
/// constructors): how many of the standard library's functions the evaluator implements, of how many.
/// Connectors are one category, `(data sources)`. The README's coverage table is this, generated.
pub fn coverage() -> Vec<(String, usize, usize)> {
    let mut rows: std::collections::BTreeMap<String, (usize, usize)> = std::collections::BTreeMap::new();
    for entry in catalog().entries() {
        if !matches!(entry.kind, EntryKind::Function | EntryKind::Constructor)
            || entry.source != crate::library::Source::Standard
        {
            continue;
        }
        let category = if entry.data_source {
            "(data sources)".to_owned()
        } else if entry.kind == EntryKind::Constructor {
            "#date, #table, ...".to_owned()
        } else {
            entry.name.split('.').next().unwrap_or(entry.name).to_owned()
        };
        let row = rows.entry(category).or_default();
        row.1 += 1;
        if REGISTRY.contains_key(entry.name) {
            row.0 += 1;
        }
    }
    rows.into_iter().map(|(category, (done, total))| (category, done, total)).collect()
}

/// [`coverage`] as the README's Markdown table.
pub fn coverage_table() -> String {
    let rows = coverage();
    let (done, total) = rows.iter().fold((0, 0), |(d, t), row| (d + row.1, t + row.2));
    let mut table = String::from("| category | implemented | of |\n|---|---:|---:|\n");
    for (category, done, total) in rows.iter().filter(|row| row.1 > 0) {
        table.push_str(&format!("| {category} | {done} | {total} |\n"));
    }
    let untouched: Vec<String> = rows
        .iter()
        .filter(|row| row.1 == 0)
        .map(|(category, _, total)| format!("{category} ({total})"))
        .collect();
    table.push_str(&format!("| everything else: {} | 0 | |\n", untouched.join(", ")));
    table.push_str(&format!("| **all** | **{done}** | **{total}** |\n"));
    table
}

/// The numeric values of the enumeration members the library takes, as Microsoft documents them.
const ENUM_VALUES: &[(&str, f64)] = &[
    ("Order.Ascending", 0.0),
    ("Order.Descending", 1.0),
    ("MissingField.Error", 0.0),
    ("MissingField.Ignore", 1.0),
    ("MissingField.UseNull", 2.0),
    ("ExtraValues.List", 0.0),
    ("ExtraValues.Error", 1.0),
    ("ExtraValues.Ignore", 2.0),
    ("JoinKind.Inner", 0.0),
    ("JoinKind.LeftOuter", 1.0),
    ("JoinKind.RightOuter", 2.0),
    ("JoinKind.FullOuter", 3.0),
    ("JoinKind.LeftAnti", 4.0),
    ("JoinKind.RightAnti", 5.0),
    ("QuoteStyle.None", 0.0),
    ("QuoteStyle.Csv", 1.0),
    ("Occurrence.First", 0.0),
    ("Occurrence.Last", 1.0),
    ("Occurrence.All", 2.0),
    ("Precision.Double", 0.0),
    ("Precision.Decimal", 1.0),
    ("RoundingMode.Up", 0.0),
    ("RoundingMode.Down", 1.0),
    ("RoundingMode.AwayFromZero", 2.0),
    ("RoundingMode.TowardZero", 3.0),
    ("RoundingMode.ToEven", 4.0),
    ("TextEncoding.Utf8", 65001.0),
    ("TextEncoding.Utf16", 1200.0),
    ("TextEncoding.Unicode", 1200.0),
    ("TextEncoding.BigEndianUnicode", 1201.0),
    ("TextEncoding.Windows", 1252.0),
    ("TextEncoding.Ascii", 20127.0),
    ("BinaryEncoding.Base64", 0.0),
    ("BinaryEncoding.Hex", 1.0),
    ("RelativePosition.FromStart", 0.0),
    ("RelativePosition.FromEnd", 1.0),
    ("GroupKind.Local", 0.0),
    ("GroupKind.Global", 1.0),
    ("JoinKind.LeftSemi", 6.0),
    ("JoinKind.RightSemi", 7.0),
    ("Day.Sunday", 0.0),
    ("Day.Monday", 1.0),
    ("Day.Tuesday", 2.0),
    ("Day.Wednesday", 3.0),
    ("Day.Thursday", 4.0),
    ("Day.Friday", 5.0),
    ("Day.Saturday", 6.0),
];

/// Constants of the library.
fn constant(name: &str) -> Option<Value> {
    Some(Value::Number(match name {
        "Number.PI" => std::f64::consts::PI,
        "Number.E" => std::f64::consts::E,
        "Number.Epsilon" => 4.94065645841247e-324,
        "Number.MaxValue" => f64::MAX,
        "Number.MinValue" => -f64::MAX,
        "Number.PositiveInfinity" => f64::INFINITY,
        "Number.NegativeInfinity" => f64::NEG_INFINITY,
        "Number.NaN" => f64::NAN,
        _ => return None,
    }))
}

/// A library name's value: `None` when the catalog does not know the name either.
pub fn global(name: &str) -> Option<Outcome> {
    if let Some(builtin) = REGISTRY.get(name) {
        return Some(Ok(Value::Function(Function::Builtin(builtin))));
    }
    if let Some((_, n)) = ENUM_VALUES.iter().chain(compression::MEMBERS).find(|(member, _)| *member == name) {
        return Some(Ok(Value::Number(*n)));
    }
    if let Some(value) = constant(name) {
        return Some(Ok(value));
    }
    let entry = catalog().get(name)?;
    Some(match entry.kind {
        EntryKind::Type | EntryKind::Enum => match MType::named(name) {
            Some(ty) => Ok(Value::Type(ty)),
            None if entry.kind == EntryKind::Enum => {
                Ok(Value::Type(MType::primitive("number").expect("primitive")))
            }
            None => Err(not_implemented(name)),
        },
        // A connector: flagged as a data source, or a name beyond the standard library (the connector
        // SDK's, Power BI's #shared export, Fabric's own such as Lakehouse.Contents).
        EntryKind::Function | EntryKind::Constructor => Ok(unavailable_function(
            entry.name,
            entry.data_source || entry.source != crate::library::Source::Standard,
        )),
        EntryKind::EnumMember | EntryKind::Constant => Err(not_implemented(name)),
    })
}

fn not_implemented(name: &str) -> MError {
    MError::expression(format!("`{name}` is not implemented by dfls yet")).with_detail(Value::text(name))
}

/// The reason of the error a connector gives: the data source cannot be reached from here.
pub const DATA_SOURCE_ERROR: &str = "DataSource.Error";

/// A function the catalog knows and the evaluator cannot run: its value has the documented type, and
/// calling it is the error that says why.
fn unavailable_function(name: &'static str, data_source: bool) -> Value {
    let ty = catalog_type(name).unwrap_or_else(|| MType::primitive("function").expect("primitive"));
    Value::Function(Function::Native(Rc::new(Native {
        ty,
        run: Box::new(move |_| {
            Err(if data_source {
                MError::new(
                    DATA_SOURCE_ERROR,
                    format!("`{name}` is not available locally: evaluate in Fabric (`dfls query`)"),
                )
                .with_detail(Value::text(name))
            } else {
                not_implemented(name)
            })
        }),
    })))
}

/// `#date`, `#table`, `#shared`, ...
pub fn intrinsic(name: &str) -> Outcome {
    global(name).unwrap_or_else(|| Err(not_implemented(name)))
}

/// The library's part of `#shared`: every name of the library the evaluator has a value for, each
/// computed on first read.
pub fn shared() -> Record {
    let mut names: Vec<Rc<str>> = Vec::new();
    let mut values = Vec::new();
    for entry in catalog().entries() {
        if entry.kind == EntryKind::Constructor {
            continue;
        }
        let implemented = REGISTRY.contains_key(entry.name)
            || ENUM_VALUES.iter().chain(compression::MEMBERS).any(|(n, _)| *n == entry.name)
            || constant(entry.name).is_some()
            || (entry.kind == EntryKind::Type && MType::named(entry.name).is_some());
        if implemented {
            names.push(Rc::from(entry.name));
            let name = entry.name;
            values.push(Thunk::lazy(move || global(name).expect("a catalog name")));
        }
    }
    Record::new(names, values).expect("catalog names are distinct")
}

/// The type a catalog parameter type names (`nullable text`, `list {any}`, `table`), when it is one the
/// evaluator checks.
fn parameter_type(text: &str) -> Option<Rc<MType>> {
    let (nullable, rest) = match text.strip_prefix("nullable ") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let word = rest.split([' ', '{', '[']).next().unwrap_or("");
    let ty = MType::primitive(word)?;
    Some(if nullable { MType::nullable(&ty) } else { ty })
}

/// A catalog function's type: `function (table as table, ...) as table`.
fn catalog_type(name: &str) -> Option<Rc<MType>> {
    let entry = catalog().get(name)?;
    Some(MType::new(TypeKind::Function(Some(FunctionType {
        parameters: entry
            .parameters
            .iter()
            .map(|p| FieldType {
                name: Rc::from(p.name),
                ty: parameter_type(p.ty).unwrap_or_else(MType::any),
                optional: !p.required,
            })
            .collect(),
        return_type: parameter_type(entry.ty).unwrap_or_else(MType::any),
    }))))
}

/// A builtin's type, from the catalog.
pub fn builtin_type(builtin: &Builtin) -> Rc<MType> {
    catalog_type(builtin.name).unwrap_or_else(|| MType::primitive("function").expect("primitive"))
}

/// Calls a builtin: checks the arguments against the catalog's parameters, then runs it.
pub fn call(builtin: &Builtin, arguments: Vec<Value>) -> Outcome {
    let Some(entry) = catalog().get(builtin.name) else {
        return (builtin.run)(&arguments);
    };
    let (required, total) = entry.arity();
    if arguments.len() < required || arguments.len() > total {
        return Err(arity_error(arguments.len(), required, total));
    }
    let mut values: Vec<Value> = if builtin.keeps_metadata {
        arguments
    } else {
        arguments.into_iter().map(|v| v.plain().clone()).collect()
    };
    values.resize(total, Value::Null);
    for (value, parameter) in values.iter().zip(&entry.parameters) {
        // An omitted optional parameter is null, whatever its type says.
        if value.is_null() && !parameter.required {
            continue;
        }
        if let Some(ty) = parameter_type(parameter.ty) {
            if !ty.accepts(value) {
                return Err(cannot_convert_to_type(value, &ty));
            }
        }
    }
    (builtin.run)(&values)
}

// Argument readers for the category files: the checks in `call` have run, so these fail only where the
// catalog's type is looser than the function's needs (`any` parameters).

pub(crate) fn text_arg(value: &Value) -> Result<&str, MError> {
    match value {
        Value::Text(t) => Ok(t),
        other => Err(cannot_convert(other, "Text")),
    }
}

pub(crate) fn opt_text(value: &Value) -> Result<Option<&str>, MError> {
    match value {
        Value::Null => Ok(None),
        other => text_arg(other).map(Some),
    }
}

pub(crate) fn number_arg(value: &Value) -> Result<f64, MError> {
    super::operators::number(value)
}

pub(crate) fn list_arg(value: &Value) -> Result<&List, MError> {
    match value {
        Value::List(list) => Ok(list),
        other => Err(cannot_convert(other, "List")),
    }
}

pub(crate) fn record_arg(value: &Value) -> Result<&Record, MError> {
    match value {
        Value::Record(record) => Ok(record),
        other => Err(cannot_convert(other, "Record")),
    }
}

pub(crate) fn table_arg(value: &Value) -> Result<&Table, MError> {
    match value {
        Value::Table(table) => Ok(table),
        other => Err(cannot_convert(other, "Table")),
    }
}

pub(crate) fn function_arg(value: &Value) -> Result<&Function, MError> {
    match value {
        Value::Function(function) => Ok(function),
        other => Err(cannot_convert(other, "Function")),
    }
}

pub(crate) fn type_arg(value: &Value) -> Result<&Rc<MType>, MError> {
    match value {
        Value::Type(ty) => Ok(ty),
        other => Err(cannot_convert(other, "Type")),
    }
}

/// The most columns a table made from a number of columns (`#table(3, ...)`) may have.
pub(crate) const MAX_COLUMNS: usize = 100_000;

/// A number of columns: a count no larger than [`MAX_COLUMNS`].
pub(crate) fn column_count_arg(value: &Value) -> Result<usize, MError> {
    let count = count_arg(value)?;
    if count > MAX_COLUMNS {
        return Err(MError::expression(format!(
            "A table of {count} columns is more than dfls supports ({MAX_COLUMNS})."
        )));
    }
    Ok(count)
}

/// A count argument: a non-negative whole number.
pub(crate) fn count_arg(value: &Value) -> Result<usize, MError> {
    let n = number_arg(value)?;
    if n < 0.0 || n.fract() != 0.0 || !n.is_finite() {
        return Err(MError::expression(format!(
            "The number {} is not a valid count: it must be a non-negative integer.",
            super::render::format_number(n)
        ))
        .with_detail(value.clone()));
    }
    Ok(n as usize)
}

/// Calls a function value with arguments (an `each` or a function the caller passed).
pub(crate) fn apply(function: &Function, arguments: Vec<Value>) -> Outcome {
    super::evaluate::invoke(function, arguments)
}

/// The error for a name given twice (a column, a field).
pub(crate) fn duplicate_field(name: &str) -> MError {
    MError::expression(format!("The field '{name}' already exists in the record."))
        .with_detail(Value::text(name))
}

/// Field (column) names, each once; a repeated one is M's duplicate field error.
pub(crate) fn new_fields(names: Vec<Rc<str>>) -> Result<Rc<super::value::Fields>, MError> {
    super::value::Fields::new(names).map_err(|name| duplicate_field(&name))
}

/// The positions of named columns; a missing one is M's missing column error.
pub(crate) fn column_positions(table: &Table, names: &[Rc<str>]) -> Result<Vec<usize>, MError> {
    names
        .iter()
        .map(|n| table.fields().position(n).ok_or_else(|| super::evaluate::missing_column(n, table)))
        .collect()
}

/// A text or a list of texts (a column name or names).
pub(crate) fn names_arg(value: &Value) -> Result<Vec<Rc<str>>, MError> {
    match value {
        Value::Text(t) => Ok(vec![t.clone()]),
        Value::List(list) => list
            .values()?
            .iter()
            .map(|v| match v.plain() {
                Value::Text(t) => Ok(t.clone()),
                other => Err(cannot_convert(other, "Text")),
            })
            .collect(),
        other => Err(cannot_convert(other, "List")),
    }
}

/// `MissingField.Error` (the default), `.Ignore` or `.UseNull`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MissingField {
    Error,
    Ignore,
    UseNull,
}

pub(crate) fn missing_field_arg(value: &Value) -> Result<MissingField, MError> {
    Ok(match value {
        Value::Null => MissingField::Error,
        other => match number_arg(other)? as i64 {
            0 => MissingField::Error,
            1 => MissingField::Ignore,
            2 => MissingField::UseNull,
            _ => {
                return Err(
                    MError::expression("The MissingField value is not valid.").with_detail(other.clone())
                )
            }
        },
    })
}

/// Sorts positions stably by a comparison that may come from M code (a comparer function): a bottom-up
/// merge sort that never panics whatever the comparison answers (the standard library's sort may panic
/// on an order that is not total), and that can be cancelled.
pub(crate) fn stable_sort(
    items: &mut Vec<usize>,
    mut compare: impl FnMut(usize, usize) -> std::cmp::Ordering,
) {
    let n = items.len();
    let mut buffer = items.clone();
    let mut width = 1;
    while width < n {
        crate::cancel::checkpoint();
        let mut start = 0;
        while start < n {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, middle, start);
            while i < middle && j < end {
                if compare(items[j], items[i]) == std::cmp::Ordering::Less {
                    buffer[k] = items[j];
                    j += 1;
                } else {
                    buffer[k] = items[i];
                    i += 1;
                }
                k += 1;
            }
            buffer[k..k + (middle - i)].copy_from_slice(&items[i..middle]);
            k += middle - i;
            buffer[k..k + (end - j)].copy_from_slice(&items[j..end]);
            start = end;
        }
        std::mem::swap(items, &mut buffer);
        width *= 2;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_sort_sorts_stably_and_survives_any_comparison() {
        let keys = [3, 1, 2, 1, 3, 0, 2];
        let mut order: Vec<usize> = (0..keys.len()).collect();
        super::stable_sort(&mut order, |a, b| keys[a].cmp(&keys[b]));
        assert_eq!(order, vec![5, 1, 3, 2, 6, 0, 4]);
        let mut flips = 0u32;
        let mut order: Vec<usize> = (0..1000).collect();
        super::stable_sort(&mut order, |_, _| {
            flips = flips.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            [std::cmp::Ordering::Less, std::cmp::Ordering::Greater, std::cmp::Ordering::Equal]
                [(flips >> 16) as usize % 3]
        });
        order.sort_unstable();
        assert_eq!(order, (0..1000).collect::<Vec<_>>());
    }
}
