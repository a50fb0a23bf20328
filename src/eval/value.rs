//! M values: null, logical, number, text, date, time, datetime, datetimezone, duration, binary, list,
//! record, table, function and type, plus metadata attached to any of them.
//!
//! Numbers are `f64` (M's Int64, Decimal and Currency are facets of the number type, not
//! representations). Lists, records and tables are immutable and shared (`Rc`): copying a value is
//! cheap. Their items, fields and cells are [`Thunk`]s, computed at most once and only when read, so an
//! error in one of them surfaces only when that one is read. An evaluation gives `Result<Value, MError>`:
//! [`MError`] is M's error record.
//!
//! Values are not `Send`: one evaluation runs on one thread ([`super::run_on_large_stack`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

pub use super::column::Column;
use super::datetime::Zoned;
use super::types::MType;

/// A value of M.
#[derive(Clone)]
pub enum Value {
    Null,
    Logical(bool),
    Number(f64),
    Text(Rc<str>),
    /// Days since 0001-01-01.
    Date(i64),
    /// Ticks since midnight.
    Time(i64),
    /// Ticks since 0001-01-01T00:00.
    DateTime(i64),
    DateTimeZone(Zoned),
    /// Ticks, signed.
    Duration(i64),
    Binary(Rc<[u8]>),
    List(List),
    Record(Record),
    Table(Table),
    Function(Function),
    Type(Rc<MType>),
    /// A value with metadata (`x meta [A = 1]`). Operators and library functions see the plain value
    /// ([`Value::plain`]); `Value.Metadata` sees the record.
    Meta(Rc<(Value, Record)>),
}

impl Value {
    pub fn text(text: &str) -> Value {
        Value::Text(Rc::from(text))
    }

    /// The value without its metadata.
    pub fn plain(&self) -> &Value {
        match self {
            Value::Meta(inner) => inner.0.plain(),
            other => other,
        }
    }

    /// The metadata record (empty when there is none).
    pub fn metadata(&self) -> Record {
        match self {
            Value::Meta(inner) => inner.1.clone(),
            _ => Record::empty(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.plain(), Value::Null)
    }

    /// The name of the value's kind as M's messages say it (`Number`, `Text`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self.plain() {
            Value::Null => "Null",
            Value::Logical(_) => "Logical",
            Value::Number(_) => "Number",
            Value::Text(_) => "Text",
            Value::Date(_) => "Date",
            Value::Time(_) => "Time",
            Value::DateTime(_) => "DateTime",
            Value::DateTimeZone(_) => "DateTimeZone",
            Value::Duration(_) => "Duration",
            Value::Binary(_) => "Binary",
            Value::List(_) => "List",
            Value::Record(_) => "Record",
            Value::Table(_) => "Table",
            Value::Function(_) => "Function",
            Value::Type(_) => "Type",
            Value::Meta(_) => unreachable!("plain() strips metadata"),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::render::m_literal(self, 3))
    }
}

/// M's error record: Reason, Message, Detail, Message.Format and Message.Parameters.
#[derive(Clone)]
pub struct MError(pub Rc<ErrorRecord>);

#[derive(Debug)]
pub struct ErrorRecord {
    pub reason: String,
    pub message: String,
    pub detail: Value,
    pub message_format: Option<String>,
    pub message_parameters: Option<Value>,
    pub error_code: Option<String>,
}

impl MError {
    pub fn new(reason: &str, message: impl Into<String>) -> MError {
        MError(Rc::new(ErrorRecord {
            reason: reason.to_owned(),
            message: message.into(),
            detail: Value::Null,
            message_format: None,
            message_parameters: None,
            error_code: None,
        }))
    }

    /// An `Expression.Error`, the reason of most language errors.
    pub fn expression(message: impl Into<String>) -> MError {
        MError::new("Expression.Error", message)
    }

    pub fn with_detail(self, detail: Value) -> MError {
        let record = &self.0;
        MError(Rc::new(ErrorRecord {
            reason: record.reason.clone(),
            message: record.message.clone(),
            detail,
            message_format: record.message_format.clone(),
            message_parameters: record.message_parameters.clone(),
            error_code: record.error_code.clone(),
        }))
    }

    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn detail(&self) -> &Value {
        &self.0.detail
    }

    /// The error as the record `try` and `catch` give: Reason, Message, Detail, Message.Format,
    /// Message.Parameters, ErrorCode (as the `Error.Record` reference shows it).
    pub fn to_record(&self) -> Record {
        let e = &self.0;
        Record::from_pairs(vec![
            ("Reason", Value::text(&e.reason)),
            ("Message", Value::text(&e.message)),
            ("Detail", e.detail.clone()),
            ("Message.Format", e.message_format.as_deref().map_or(Value::Null, Value::text)),
            ("Message.Parameters", e.message_parameters.clone().unwrap_or(Value::Null)),
            ("ErrorCode", e.error_code.as_deref().map_or(Value::Null, Value::text)),
        ])
    }
}

impl fmt::Debug for MError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.reason, self.0.message)
    }
}

/// What evaluating gives.
pub type Outcome = Result<Value, MError>;

/// A value computed at most once, on first read: a list item, a record field, a table cell, a binding.
#[derive(Clone)]
pub enum Thunk {
    /// Already computed (or never lazy).
    Ready(Outcome),
    Lazy(Rc<Lazy>),
    /// A cell of a columnar table, read from its column when forced (a row record of an Arrow-backed
    /// table makes no value for the cells a function never reads).
    Cell(Column, usize),
}

/// The state of a lazy value.
pub struct Lazy(RefCell<LazyState>);

enum LazyState {
    Pending(Box<dyn FnOnce() -> Outcome>),
    /// Being computed: reading it again is a cycle.
    Running,
    Done(Outcome),
}

impl Thunk {
    pub fn value(value: Value) -> Thunk {
        Thunk::Ready(Ok(value))
    }

    pub fn lazy(compute: impl FnOnce() -> Outcome + 'static) -> Thunk {
        Thunk::Lazy(Rc::new(Lazy(RefCell::new(LazyState::Pending(Box::new(compute))))))
    }

    /// The value, computing it the first time. Reading a value while it is being computed is M's cyclic
    /// reference error.
    pub fn force(&self) -> Outcome {
        match self {
            Thunk::Ready(outcome) => outcome.clone(),
            Thunk::Cell(column, row) => column.cell(*row),
            Thunk::Lazy(lazy) => {
                let state = std::mem::replace(&mut *lazy.0.borrow_mut(), LazyState::Running);
                match state {
                    LazyState::Done(outcome) => {
                        *lazy.0.borrow_mut() = LazyState::Done(outcome.clone());
                        outcome
                    }
                    LazyState::Running => Err(cyclic_reference()),
                    LazyState::Pending(compute) => {
                        let outcome = compute();
                        *lazy.0.borrow_mut() = LazyState::Done(outcome.clone());
                        outcome
                    }
                }
            }
        }
    }
}

pub fn cyclic_reference() -> MError {
    MError::expression("A cyclic reference was encountered during evaluation.")
}

/// A list: shared, immutable, its items lazy.
#[derive(Clone)]
pub struct List(Rc<Vec<Thunk>>);

impl List {
    pub fn from_values(values: Vec<Value>) -> List {
        List(Rc::new(values.into_iter().map(Thunk::value).collect()))
    }

    pub fn from_thunks(thunks: Vec<Thunk>) -> List {
        List(Rc::new(thunks))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items, each computed when forced.
    pub fn thunks(&self) -> &[Thunk] {
        &self.0
    }

    pub fn get(&self, index: usize) -> Option<Outcome> {
        self.0.get(index).map(Thunk::force)
    }

    /// Every item, computed: the first error stops.
    pub fn values(&self) -> Result<Vec<Value>, MError> {
        self.0
            .iter()
            .map(|thunk| {
                crate::cancel::checkpoint();
                thunk.force()
            })
            .collect()
    }
}

/// Field names shared between records of one shape (the rows of a table share their columns').
#[derive(Debug)]
pub struct Fields {
    names: Vec<Rc<str>>,
    index: HashMap<Rc<str>, usize>,
}

impl Fields {
    /// `Err(name)` with the first name given twice.
    pub fn new(names: Vec<Rc<str>>) -> Result<Rc<Fields>, Rc<str>> {
        let mut index = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            if index.insert(name.clone(), i).is_some() {
                return Err(name.clone());
            }
        }
        Ok(Rc::new(Fields { names, index }))
    }

    pub fn names(&self) -> &[Rc<str>] {
        &self.names
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A record: field names in order and a lazy value per field.
#[derive(Clone)]
pub struct Record {
    pub fields: Rc<Fields>,
    pub values: Rc<Vec<Thunk>>,
}

impl Record {
    pub fn empty() -> Record {
        Record { fields: Fields::new(Vec::new()).expect("no names"), values: Rc::new(Vec::new()) }
    }

    /// A record of distinct names (the names a caller writes in code).
    pub fn from_pairs(pairs: Vec<(&str, Value)>) -> Record {
        let (names, values): (Vec<Rc<str>>, Vec<Thunk>) =
            pairs.into_iter().map(|(name, value)| (Rc::from(name), Thunk::value(value))).unzip();
        Record { fields: Fields::new(names).expect("distinct names"), values: Rc::new(values) }
    }

    /// A record of names and thunks; `Err` names a field given twice.
    pub fn new(names: Vec<Rc<str>>, values: Vec<Thunk>) -> Result<Record, MError> {
        let fields = Fields::new(names).map_err(|name| {
            MError::expression(format!("The field '{name}' already exists in the record."))
                .with_detail(Value::Text(name))
        })?;
        Ok(Record { fields, values: Rc::new(values) })
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn names(&self) -> &[Rc<str>] {
        self.fields.names()
    }

    /// The field's value, `None` when the record has no such field.
    pub fn get(&self, name: &str) -> Option<Outcome> {
        self.fields.position(name).map(|i| self.values[i].force())
    }

    pub fn thunk(&self, name: &str) -> Option<&Thunk> {
        self.fields.position(name).map(|i| &self.values[i])
    }

    /// The error M gives for a missing field.
    pub fn missing_field(&self, name: &str) -> MError {
        MError::expression(format!("The field '{name}' of the record wasn't found."))
            .with_detail(Value::Record(self.clone()))
    }
}

/// A table: named, typed columns of equal length.
#[derive(Clone)]
pub struct Table(Rc<TableData>);

struct TableData {
    fields: Rc<Fields>,
    types: Vec<Rc<MType>>,
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// A table; the columns must have `rows` cells each and there must be a type per column.
    pub fn new(fields: Rc<Fields>, types: Vec<Rc<MType>>, columns: Vec<Column>, rows: usize) -> Table {
        debug_assert!(columns.iter().all(|c| c.len() == rows) && types.len() == columns.len());
        Table(Rc::new(TableData { fields, types, columns, rows }))
    }

    /// A table from row records' cells (each row as long as `names`), every column of type any.
    pub fn from_rows(fields: Rc<Fields>, rows: Vec<Vec<Thunk>>) -> Table {
        let width = fields.len();
        let count = rows.len();
        let mut columns: Vec<Vec<Thunk>> = (0..width).map(|_| Vec::with_capacity(count)).collect();
        for row in rows {
            for (column, cell) in columns.iter_mut().zip(row) {
                column.push(cell);
            }
        }
        let types = vec![MType::any(); width];
        Table::new(fields, types, columns.into_iter().map(Column::from_thunks).collect(), count)
    }

    pub fn row_count(&self) -> usize {
        self.0.rows
    }

    pub fn column_names(&self) -> &[Rc<str>] {
        self.0.fields.names()
    }

    pub fn fields(&self) -> &Rc<Fields> {
        &self.0.fields
    }

    pub fn columns(&self) -> &[Column] {
        &self.0.columns
    }

    pub fn column_types(&self) -> &[Rc<MType>] {
        &self.0.types
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.0.fields.position(name).map(|i| &self.0.columns[i])
    }

    /// Row `i` as a record sharing the table's field names.
    pub fn row(&self, i: usize) -> Record {
        Record {
            fields: self.0.fields.clone(),
            values: Rc::new(self.0.columns.iter().map(|column| column.thunk(i)).collect()),
        }
    }
}

/// A function value: a closure of M code, a library function, or a function a library function made.
#[derive(Clone)]
pub enum Function {
    Closure(Rc<super::evaluate::Closure>),
    Builtin(&'static super::library::Builtin),
    Native(Rc<Native>),
}

/// A function made by library code (`Splitter.SplitTextByDelimiter(",")` gives one).
pub struct Native {
    pub ty: Rc<MType>,
    pub run: Box<dyn Fn(Vec<Value>) -> Outcome>,
}

impl Function {
    pub fn ptr_eq(&self, other: &Function) -> bool {
        match (self, other) {
            (Function::Closure(a), Function::Closure(b)) => Rc::ptr_eq(a, b),
            (Function::Builtin(a), Function::Builtin(b)) => std::ptr::eq(*a, *b),
            (Function::Native(a), Function::Native(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}
