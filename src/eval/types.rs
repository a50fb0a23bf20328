//! Type values: the primitive types, nullable types, list, record, table and function types, and the
//! number facets (`Int64.Type`, `Currency.Type`, ...), which are the number type with a name.
//!
//! Compatibility (`is`, `as`, `Type.Is`, parameter checks) follows the specification: a value conforms
//! to a primitive type by its kind, `any` takes everything, `anynonnull` everything but null, `nullable T`
//! null and whatever `T` takes. Structure (fields of a record type, a list's item type) is not checked,
//! as M does not check it either.

use std::rc::Rc;

use super::value::Value;

/// A type value.
#[derive(Debug, Clone, PartialEq)]
pub struct MType {
    pub kind: TypeKind,
    pub nullable: bool,
    /// The facet's name for the number facets (`Int64.Type`), the name Value.Type keeps for display.
    pub facet: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Any,
    AnyNonNull,
    None,
    Null,
    Logical,
    Number,
    Text,
    Date,
    Time,
    DateTime,
    DateTimeZone,
    Duration,
    Binary,
    Type,
    Function(Option<FunctionType>),
    List(Option<Rc<MType>>),
    Record(Option<RecordType>),
    Table(Option<RecordType>),
    Action,
}

/// The fields of a record type (or a table's row type), in order.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordType {
    pub fields: Vec<FieldType>,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldType {
    pub name: Rc<str>,
    pub ty: Rc<MType>,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionType {
    pub parameters: Vec<FieldType>,
    pub return_type: Rc<MType>,
}

impl FunctionType {
    /// The parameter list in M: `x as number, optional y as text` (the type of a function, and how a
    /// function value is shown).
    pub fn parameters_to_m(&self) -> String {
        let parameters: Vec<String> = self
            .parameters
            .iter()
            .map(|p| {
                format!(
                    "{}{} as {}",
                    if p.optional { "optional " } else { "" },
                    crate::syntax::names::m_name(&p.name),
                    p.ty.to_m()
                )
            })
            .collect();
        parameters.join(", ")
    }
}

impl MType {
    pub fn new(kind: TypeKind) -> Rc<MType> {
        Rc::new(MType { kind, nullable: false, facet: None })
    }

    pub fn any() -> Rc<MType> {
        MType::new(TypeKind::Any)
    }

    /// `nullable T` (for `any`, `null` and `none` M simplifies it away: `nullable any` is `any`).
    pub fn nullable(ty: &Rc<MType>) -> Rc<MType> {
        if matches!(ty.kind, TypeKind::Any | TypeKind::Null) || ty.nullable {
            return ty.clone();
        }
        if ty.kind == TypeKind::AnyNonNull {
            return MType::any();
        }
        if ty.kind == TypeKind::None {
            return MType::new(TypeKind::Null);
        }
        Rc::new(MType { nullable: true, ..(**ty).clone() })
    }

    /// The non-nullable form of the type.
    pub fn non_nullable(ty: &Rc<MType>) -> Rc<MType> {
        if ty.nullable {
            Rc::new(MType { nullable: false, ..(**ty).clone() })
        } else {
            ty.clone()
        }
    }

    /// The primitive type named by `number`, `text`, ... (also `null`, `any`, `anynonnull`, `none`).
    pub fn primitive(name: &str) -> Option<Rc<MType>> {
        let kind = match name {
            "any" => TypeKind::Any,
            "anynonnull" => TypeKind::AnyNonNull,
            "none" => TypeKind::None,
            "null" => TypeKind::Null,
            "logical" => TypeKind::Logical,
            "number" => TypeKind::Number,
            "text" => TypeKind::Text,
            "date" => TypeKind::Date,
            "time" => TypeKind::Time,
            "datetime" => TypeKind::DateTime,
            "datetimezone" => TypeKind::DateTimeZone,
            "duration" => TypeKind::Duration,
            "binary" => TypeKind::Binary,
            "type" => TypeKind::Type,
            "function" => TypeKind::Function(None),
            "list" => TypeKind::List(None),
            "record" => TypeKind::Record(None),
            "table" => TypeKind::Table(None),
            "action" => TypeKind::Action,
            _ => return None,
        };
        Some(MType::new(kind))
    }

    /// The type a library name like `Int64.Type` or `Text.Type` stands for.
    pub fn named(name: &str) -> Option<Rc<MType>> {
        let base = name.strip_suffix(".Type")?;
        const FACETS: [&str; 10] = [
            "Int64",
            "Int32",
            "Int16",
            "Int8",
            "Byte",
            "Single",
            "Double",
            "Decimal",
            "Currency",
            "Percentage",
        ];
        if let Some(facet) = FACETS.iter().find(|f| **f == base) {
            return Some(Rc::new(MType { kind: TypeKind::Number, nullable: false, facet: Some(facet) }));
        }
        if base == "Character" || base == "Guid" || base == "Uri" || base == "Password" {
            return Some(MType::new(TypeKind::Text));
        }
        match base {
            "DateTimeZone" => MType::primitive("datetimezone"),
            "DateTime" => MType::primitive("datetime"),
            "AnyNonNull" => MType::primitive("anynonnull"),
            other => MType::primitive(&other.to_ascii_lowercase()),
        }
    }

    /// The name of the primitive kind as M writes it (`number`, `table`, ...).
    pub fn kind_keyword(&self) -> &'static str {
        match &self.kind {
            TypeKind::Any => "any",
            TypeKind::AnyNonNull => "anynonnull",
            TypeKind::None => "none",
            TypeKind::Null => "null",
            TypeKind::Logical => "logical",
            TypeKind::Number => "number",
            TypeKind::Text => "text",
            TypeKind::Date => "date",
            TypeKind::Time => "time",
            TypeKind::DateTime => "datetime",
            TypeKind::DateTimeZone => "datetimezone",
            TypeKind::Duration => "duration",
            TypeKind::Binary => "binary",
            TypeKind::Type => "type",
            TypeKind::Function(_) => "function",
            TypeKind::List(_) => "list",
            TypeKind::Record(_) => "record",
            TypeKind::Table(_) => "table",
            TypeKind::Action => "action",
        }
    }

    /// The type in M syntax, without the leading `type` keyword: `nullable number`, `{text}`,
    /// `[a = number, ...]`, `table [A = number]`, `function (x as any) as any`.
    pub fn to_m(&self) -> String {
        let core = match &self.kind {
            TypeKind::List(Some(item)) => format!("{{{}}}", item.to_m()),
            TypeKind::Record(Some(record)) => record_to_m(record),
            TypeKind::Table(Some(row)) => format!("table {}", record_to_m(row)),
            TypeKind::Function(Some(function)) => {
                format!("function ({}) as {}", function.parameters_to_m(), function.return_type.to_m())
            }
            _ => self.facet.map_or_else(|| self.kind_keyword().to_owned(), |f| format!("{f}.Type")),
        };
        if self.nullable {
            format!("nullable {core}")
        } else {
            core
        }
    }

    /// Whether a value conforms to the type, as `is` checks it: by kind, not structure.
    pub fn accepts(&self, value: &Value) -> bool {
        let value = value.plain();
        if matches!(value, Value::Null) {
            return self.nullable || matches!(self.kind, TypeKind::Any | TypeKind::Null);
        }
        match &self.kind {
            TypeKind::Any | TypeKind::AnyNonNull => true,
            TypeKind::None | TypeKind::Null | TypeKind::Action => false,
            TypeKind::Logical => matches!(value, Value::Logical(_)),
            TypeKind::Number => matches!(value, Value::Number(_)),
            TypeKind::Text => matches!(value, Value::Text(_)),
            TypeKind::Date => matches!(value, Value::Date(_)),
            TypeKind::Time => matches!(value, Value::Time(_)),
            TypeKind::DateTime => matches!(value, Value::DateTime(_)),
            TypeKind::DateTimeZone => matches!(value, Value::DateTimeZone(_)),
            TypeKind::Duration => matches!(value, Value::Duration(_)),
            TypeKind::Binary => matches!(value, Value::Binary(_)),
            TypeKind::Type => matches!(value, Value::Type(_)),
            TypeKind::Function(_) => matches!(value, Value::Function(_)),
            TypeKind::List(_) => matches!(value, Value::List(_)),
            TypeKind::Record(_) => matches!(value, Value::Record(_)),
            TypeKind::Table(_) => matches!(value, Value::Table(_)),
        }
    }

    /// Whether every value of `self` is a value of `other` (`Type.Is`, for a nullable primitive `other`).
    pub fn is_compatible_with(&self, other: &MType) -> bool {
        if matches!(other.kind, TypeKind::Any) {
            return true;
        }
        if matches!(self.kind, TypeKind::None) {
            return true;
        }
        if self.nullable && !other.nullable && !matches!(other.kind, TypeKind::Null) {
            return false;
        }
        if matches!(self.kind, TypeKind::Null) {
            return other.nullable || matches!(other.kind, TypeKind::Null);
        }
        if matches!(self.kind, TypeKind::Any) {
            return false;
        }
        match other.kind {
            TypeKind::AnyNonNull => !self.nullable,
            _ => std::mem::discriminant(&self.kind) == std::mem::discriminant(&other.kind),
        }
    }
}

fn record_to_m(record: &RecordType) -> String {
    let mut fields: Vec<String> = record
        .fields
        .iter()
        .map(|f| {
            format!(
                "{}{} = {}",
                if f.optional { "optional " } else { "" },
                crate::syntax::names::m_name(&f.name),
                f.ty.to_m()
            )
        })
        .collect();
    if record.open {
        fields.push("...".to_owned());
    }
    format!("[{}]", fields.join(", "))
}

/// The type of a value, as `Value.Type` gives it.
pub fn type_of(value: &Value) -> Rc<MType> {
    let kind = match value.plain() {
        Value::Null => TypeKind::Null,
        Value::Logical(_) => TypeKind::Logical,
        Value::Number(_) => TypeKind::Number,
        Value::Text(_) => TypeKind::Text,
        Value::Date(_) => TypeKind::Date,
        Value::Time(_) => TypeKind::Time,
        Value::DateTime(_) => TypeKind::DateTime,
        Value::DateTimeZone(_) => TypeKind::DateTimeZone,
        Value::Duration(_) => TypeKind::Duration,
        Value::Binary(_) => TypeKind::Binary,
        Value::Type(_) => TypeKind::Type,
        Value::List(_) => TypeKind::List(Some(MType::any())),
        Value::Record(record) => TypeKind::Record(Some(RecordType {
            fields: record
                .names()
                .iter()
                .map(|name| FieldType { name: name.clone(), ty: MType::any(), optional: false })
                .collect(),
            open: false,
        })),
        Value::Table(table) => return table_type(table),
        Value::Function(function) => return super::evaluate::function_type(function),
        Value::Meta(_) => unreachable!("plain() strips metadata"),
    };
    MType::new(kind)
}

/// A table's type: `table [Column = type, ...]`.
pub fn table_type(table: &super::value::Table) -> Rc<MType> {
    MType::new(TypeKind::Table(Some(RecordType {
        fields: table
            .column_names()
            .iter()
            .zip(table.column_types())
            .map(|(name, ty)| FieldType { name: name.clone(), ty: ty.clone(), optional: false })
            .collect(),
        open: false,
    })))
}
