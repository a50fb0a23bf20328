//! The evaluator: an expression in an environment gives a value or an error (`Result<Value, MError>`).
//!
//! Environments are chains of [`Scope`]s. A let, a record literal and a section each make one scope whose
//! slots are lazy: a binding is computed the first time a name reads it and never again; one nobody reads
//! never runs, so its error never surfaces. Reading a slot while it is being computed is M's cyclic
//! reference error. A scope's own slots point back at it weakly (a let binding is only ever read through
//! its scope); a record value holds its scope strongly through [`Thunk`]s of its fields.
//!
//! Deep recursion in the evaluated program is counted ([`MAX_EVALUATION_DEPTH`]) and ends in M's stack
//! overflow error, never a crash: evaluation runs on a thread with a stack large enough for that depth
//! ([`super::run_on_large_stack`]). Loops over data call [`crate::cancel::checkpoint`].

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::ast::{Expr, ExprKind, ExprRef, FunctionDef, ListItem, TryHandler, TypeExpr};
use super::library;
use super::operators::{self, describe};

use super::types::{FieldType, FunctionType, MType, RecordType, TypeKind};
use super::value::{Fields, Function, List, MError, Outcome, Record, Table, Thunk, Value};

/// How many nested evaluations (expressions within expressions, calls within calls) a program may make
/// before it ends in M's stack overflow error.
pub const MAX_EVALUATION_DEPTH: usize = 20_000;

/// The longest list range (`{1..n}`) evaluated: lists are held in memory, not streamed, so a range
/// longer than this is refused with an error rather than exhausting memory.
pub const MAX_RANGE_ITEMS: usize = 10_000_000;

pub type Env = Rc<Scope>;

/// A section of the document: its name, its scope of members, and the members it shares.
#[derive(Clone)]
pub struct SectionScope {
    pub name: Rc<str>,
    pub env: Env,
    pub shared: Vec<Rc<str>>,
}

/// Names bound together: a let's bindings, a record's fields, a function's parameters, a section's members.
pub struct Scope {
    parent: Option<Env>,
    names: Vec<Rc<str>>,
    slots: Vec<Thunk>,
    /// The sections of the document, on the root scope only (`Section!Member`, `#shared` and
    /// `#sections` find them there).
    sections: RefCell<Vec<SectionScope>>,
    /// A name the parent's binding of which this scope hides: the scope a let binding or a record field
    /// is evaluated in, where its own name means the outer one (only `@name` reaches the binding itself).
    hides: Option<Rc<str>>,
}

impl Scope {
    /// The root: no names (the library is found after every scope).
    pub fn root() -> Env {
        Rc::new(Scope {
            parent: None,
            names: Vec::new(),
            slots: Vec::new(),
            sections: RefCell::new(Vec::new()),
            hides: None,
        })
    }

    /// A scope of values already known (a function's arguments).
    pub fn with_values(parent: &Env, names: Vec<Rc<str>>, values: Vec<Value>) -> Env {
        Rc::new(Scope {
            parent: Some(parent.clone()),
            names,
            slots: values.into_iter().map(Thunk::value).collect(),
            sections: RefCell::new(Vec::new()),
            hides: None,
        })
    }

    /// A let's bindings or a record's fields: mutually recursive lazy definitions, each evaluated in the
    /// scope itself except that its own name is the outer one (`let a = 1 in let a = a + 1 in a` is 2;
    /// `@a` is the binding itself), as the specification scopes them.
    pub fn recursive(parent: &Env, definitions: &[(Rc<str>, ExprRef)]) -> Env {
        Scope::definitions(parent, definitions, Vec::new(), true)
    }

    /// A section's members: each evaluated in the section's scope, its own name included (a member that
    /// reads itself is a cycle). Some members (by position) may be given values instead of their
    /// expressions (parameter overrides).
    pub fn section(parent: &Env, definitions: &[(Rc<str>, ExprRef)], given: Vec<(usize, Value)>) -> Env {
        Scope::definitions(parent, definitions, given, false)
    }

    fn definitions(
        parent: &Env,
        definitions: &[(Rc<str>, ExprRef)],
        given: Vec<(usize, Value)>,
        exclusive: bool,
    ) -> Env {
        Rc::new_cyclic(|me: &Weak<Scope>| Scope {
            parent: Some(parent.clone()),
            names: definitions.iter().map(|(name, _)| name.clone()).collect(),
            slots: definitions
                .iter()
                .enumerate()
                .map(|(i, (_, expr))| {
                    if let Some((_, value)) = given.iter().find(|(at, _)| *at == i) {
                        return Thunk::value(value.clone());
                    }
                    let me = me.clone();
                    let expr = expr.clone();
                    let hides = exclusive.then(|| definitions[i].0.clone());
                    Thunk::lazy(move || match me.upgrade() {
                        // The definition's own name is hidden: a view of the scope that skips it.
                        Some(env) if hides.is_some() => {
                            let view = Rc::new(Scope {
                                parent: Some(env),
                                names: Vec::new(),
                                slots: Vec::new(),
                                sections: RefCell::new(Vec::new()),
                                hides,
                            });
                            evaluate(&expr, &view)
                        }
                        Some(env) => evaluate(&expr, &env),
                        None => Err(MError::expression("A binding was read after its scope ended.")),
                    })
                })
                .collect(),
            sections: RefCell::new(Vec::new()),
            hides: None,
        })
    }

    fn lookup(&self, name: &str) -> Option<&Thunk> {
        self.names.iter().rposition(|n| &**n == name).map(|i| &self.slots[i])
    }

    /// The thunk of slot `i`, holding this scope alive (for record values).
    fn slot(self: &Rc<Self>, i: usize) -> Thunk {
        let env = self.clone();
        Thunk::lazy(move || env.slots[i].force())
    }

    /// Registers the document's sections on the root scope.
    pub fn set_sections(&self, sections: Vec<SectionScope>) {
        *self.sections.borrow_mut() = sections;
    }

    fn root_of(env: &Env) -> Env {
        let mut at = env.clone();
        while let Some(parent) = at.parent.clone() {
            at = parent;
        }
        at
    }
}

/// A function written in M, with the environment it closes over.
pub struct Closure {
    pub definition: Rc<FunctionDef>,
    pub env: Env,
    /// The declared types, evaluated when the function value was made.
    pub parameter_types: Vec<Rc<MType>>,
    pub return_type: Rc<MType>,
}

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// One level of evaluation depth, released when dropped.
struct DepthGuard;

impl DepthGuard {
    fn enter() -> Result<DepthGuard, MError> {
        let depth = DEPTH.with(|d| {
            let next = d.get() + 1;
            d.set(next);
            next
        });
        let guard = DepthGuard;
        if depth > MAX_EVALUATION_DEPTH {
            return Err(stack_overflow());
        }
        Ok(guard)
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

pub fn stack_overflow() -> MError {
    MError::expression("Evaluation resulted in a stack overflow and cannot continue.")
}

/// The error for a value that is not of the type an operation needs.
pub fn cannot_convert(value: &Value, type_name: &str) -> MError {
    MError::expression(format!("We cannot convert the value {} to type {type_name}.", describe(value)))
        .with_detail(Value::Record(Record::from_pairs(vec![
            ("Value", value.clone()),
            ("Type", MType::primitive(&type_name.to_ascii_lowercase()).map_or(Value::Null, Value::Type)),
        ])))
}

/// Evaluates an expression.
pub fn evaluate(expr: &Expr, env: &Env) -> Outcome {
    let _depth = DepthGuard::enter()?;
    match &expr.kind {
        ExprKind::Null => Ok(Value::Null),
        ExprKind::Logical(b) => Ok(Value::Logical(*b)),
        ExprKind::Number(n) => Ok(Value::Number(*n)),
        ExprKind::Text(t) => Ok(Value::Text(t.clone())),
        ExprKind::Identifier(name) => lookup(env, name),
        ExprKind::Inclusive(name) => lookup_inclusive(env, name),
        ExprKind::Intrinsic(name) if &**name == "#shared" => Ok(Value::Record(shared(env)?)),
        ExprKind::Intrinsic(name) if &**name == "#sections" => Ok(Value::Record(sections(env)?)),
        ExprKind::Intrinsic(name) => library::intrinsic(name),
        ExprKind::SectionAccess { section, member } => {
            let root = Scope::root_of(env);
            let sections = root.sections.borrow();
            let Some(SectionScope { env: scope, .. }) = sections.iter().find(|s| s.name == *section) else {
                return Err(MError::expression(format!("The section '{section}' wasn't found.")));
            };
            match scope.lookup(member) {
                Some(thunk) => thunk.force(),
                None => Err(MError::expression(format!(
                    "The name '{member}' wasn't found in section '{section}'."
                ))),
            }
        }
        ExprKind::NotImplemented => Err(MError::expression("Not Implemented")),
        ExprKind::List(items) => list(items, env),
        ExprKind::Record(fields) => {
            let scope = Scope::recursive(env, fields);
            let values = (0..fields.len()).map(|i| scope.slot(i)).collect();
            Ok(Value::Record(Record::new(fields.iter().map(|(n, _)| n.clone()).collect(), values)?))
        }
        ExprKind::Let { bindings, body } => {
            let scope = Scope::recursive(env, bindings);
            evaluate(body, &scope)
        }
        ExprKind::If { condition, consequence, alternative } => match evaluate(condition, env)?.plain() {
            Value::Logical(true) => evaluate(consequence, env),
            Value::Logical(false) => evaluate(alternative, env),
            other => Err(cannot_convert(other, "Logical")),
        },
        ExprKind::Function(definition) => {
            Ok(Value::Function(Function::Closure(Rc::new(closure(definition, env)?))))
        }
        ExprKind::Invoke { function, arguments } => {
            let function = evaluate(function, env)?;
            let Value::Function(function) = function.plain() else {
                return Err(cannot_convert(&function, "Function"));
            };
            let mut values = Vec::with_capacity(arguments.len());
            for argument in arguments {
                values.push(evaluate(argument, env)?);
            }
            invoke(function, values)
        }
        ExprKind::Field { target, name, optional } => {
            let target = match target {
                Some(target) => evaluate(target, env)?,
                None => lookup(env, "_")?,
            };
            field_access(&target, name, *optional)
        }
        ExprKind::Projection { target, fields, optional } => {
            let target = match target {
                Some(target) => evaluate(target, env)?,
                None => lookup(env, "_")?,
            };
            projection(&target, fields, *optional)
        }
        ExprKind::Item { target, key, optional } => {
            let target = evaluate(target, env)?;
            let key = evaluate(key, env)?;
            item_access(&target, &key, *optional)
        }
        ExprKind::Unary { op, operand } => {
            let value = evaluate(operand, env)?;
            operators::unary(*op, &value)
        }
        ExprKind::Binary { op, left, right } => operators::binary(*op, left, right, env),
        ExprKind::Meta { value, metadata } => {
            let value = evaluate(value, env)?;
            let metadata = evaluate(metadata, env)?;
            let Value::Record(metadata) = metadata.plain() else {
                return Err(cannot_convert(&metadata, "Record"));
            };
            with_metadata(value, metadata.clone())
        }
        ExprKind::As { value, ty } => {
            let value = evaluate(value, env)?;
            let ty = type_value(ty, env)?;
            if ty.accepts(&value) {
                Ok(value)
            } else {
                Err(cannot_convert_to_type(&value, &ty))
            }
        }
        ExprKind::Is { value, ty } => {
            let value = evaluate(value, env)?;
            Ok(Value::Logical(type_value(ty, env)?.accepts(&value)))
        }
        ExprKind::Error(value) => Err(raise(evaluate(value, env)?)?),
        ExprKind::Try { body, handler } => {
            let outcome = evaluate(body, env);
            match handler {
                TryHandler::None => Ok(Value::Record(match outcome {
                    Ok(value) => {
                        Record::from_pairs(vec![("HasError", Value::Logical(false)), ("Value", value)])
                    }
                    Err(error) => Record::from_pairs(vec![
                        ("HasError", Value::Logical(true)),
                        ("Error", Value::Record(error.to_record())),
                    ]),
                })),
                TryHandler::Otherwise(fallback) => match outcome {
                    Ok(value) => Ok(value),
                    Err(_) => evaluate(fallback, env),
                },
                TryHandler::Catch(parameter, body) => match outcome {
                    Ok(value) => Ok(value),
                    Err(error) => match parameter {
                        Some(name) => {
                            let scope = Scope::with_values(
                                env,
                                vec![name.clone()],
                                vec![Value::Record(error.to_record())],
                            );
                            evaluate(body, &scope)
                        }
                        None => evaluate(body, env),
                    },
                },
            }
        }
        ExprKind::Type(ty) => Ok(Value::Type(type_value(ty, env)?)),
    }
}

/// `#shared`: the document's shared members, then the library's names (each read when its field is).
fn shared(env: &Env) -> Result<Record, MError> {
    let root = Scope::root_of(env);
    let mut names: Vec<Rc<str>> = Vec::new();
    let mut values: Vec<Thunk> = Vec::new();
    for section in root.sections.borrow().iter() {
        for name in &section.shared {
            if !names.contains(name) {
                let (scope, name) = (section.env.clone(), name.clone());
                names.push(name.clone());
                values.push(Thunk::lazy(move || lookup(&scope, &name)));
            }
        }
    }
    let library = library::shared();
    for (name, value) in library.names().iter().zip(library.values.iter()) {
        if !names.contains(name) {
            names.push(name.clone());
            values.push(value.clone());
        }
    }
    Record::new(names, values)
}

/// `#sections`: a record of the document's sections, each a record of its members.
fn sections(env: &Env) -> Result<Record, MError> {
    let root = Scope::root_of(env);
    let mut names = Vec::new();
    let mut values = Vec::new();
    for section in root.sections.borrow().iter() {
        let members = section.env.names.clone();
        let thunks = (0..members.len()).map(|i| section.env.slot(i)).collect();
        names.push(section.name.clone());
        values.push(Thunk::value(Value::Record(Record::new(members, thunks)?)));
    }
    Record::new(names, values)
}

/// The value of a name: the nearest scope that binds it (not the binding being defined, which a scope
/// on the way hides), else the library.
pub fn lookup(env: &Env, name: &str) -> Outcome {
    find(env, name, false)
}

/// The value of `@name`: as [`lookup`], the binding being defined included.
pub fn lookup_inclusive(env: &Env, name: &str) -> Outcome {
    find(env, name, true)
}

fn find(env: &Env, name: &str, inclusive: bool) -> Outcome {
    let mut at = Some(env);
    let mut hidden = false;
    while let Some(scope) = at {
        if !hidden {
            if let Some(thunk) = scope.lookup(name) {
                return thunk.force();
            }
        }
        hidden = !inclusive && scope.hides.as_deref() == Some(name);
        at = scope.parent.as_ref();
    }
    library::global(name).unwrap_or_else(|| {
        Err(MError::expression(format!(
            "The name '{name}' wasn't recognized. Make sure it's spelled correctly."
        )))
    })
}

fn list(items: &[ListItem], env: &Env) -> Outcome {
    let mut thunks = Vec::with_capacity(items.len());
    for item in items {
        match item {
            ListItem::Single(expr) => {
                let expr = expr.clone();
                let env = env.clone();
                thunks.push(Thunk::lazy(move || evaluate(&expr, &env)));
            }
            ListItem::Range(start, end) => {
                let start_value = evaluate(start, env)?;
                let end_value = evaluate(end, env)?;
                // A range of single characters: {"a".."z"}.
                if let (Value::Text(from), Value::Text(to)) = (start_value.plain(), end_value.plain()) {
                    let (mut a, mut b) = (from.chars(), to.chars());
                    if let (Some(first), None, Some(last), None) = (a.next(), a.next(), b.next(), b.next()) {
                        for c in first..=last {
                            crate::cancel::checkpoint();
                            thunks.push(Thunk::value(Value::text(c.encode_utf8(&mut [0; 4]))));
                        }
                        continue;
                    }
                }
                let (Value::Number(from), Value::Number(to)) = (start_value.plain(), end_value.plain())
                else {
                    let bad = if matches!(start_value.plain(), Value::Number(_)) {
                        &end_value
                    } else {
                        &start_value
                    };
                    return Err(cannot_convert(bad, "Number"));
                };
                for bound in [from, to] {
                    if bound.fract() != 0.0 || !bound.is_finite() {
                        return Err(MError::expression(format!(
                            "The number {} is not a valid integer for a list range.",
                            describe(&Value::Number(*bound))
                        )));
                    }
                }
                if to - from >= MAX_RANGE_ITEMS as f64 {
                    return Err(MError::expression(format!(
                        "A list range of more than {MAX_RANGE_ITEMS} items is not supported by dfls yet."
                    )));
                }
                let mut n = *from;
                while n <= *to {
                    crate::cancel::checkpoint();
                    thunks.push(Thunk::value(Value::Number(n)));
                    n += 1.0;
                }
            }
        }
    }
    Ok(Value::List(List::from_thunks(thunks)))
}

/// Attaches metadata, merging it with what the value already carries.
pub fn with_metadata(value: Value, metadata: Record) -> Outcome {
    let existing = value.metadata();
    let plain = value.plain().clone();
    let merged = if existing.is_empty() { metadata } else { operators::merge_records(&existing, &metadata)? };
    if merged.is_empty() {
        return Ok(plain);
    }
    Ok(Value::Meta(Rc::new((plain, merged))))
}

/// The error an `error` expression raises: a text is the message of an `Expression.Error`, a record gives
/// Reason, Message, Detail, Message.Format and Message.Parameters.
pub fn raise(value: Value) -> Result<MError, MError> {
    match value.plain() {
        Value::Text(message) => Ok(MError::expression(&**message)),
        Value::Record(record) => {
            let text = |name: &str| -> Result<Option<String>, MError> {
                match record.get(name) {
                    None => Ok(None),
                    Some(value) => match value?.plain() {
                        Value::Null => Ok(None),
                        Value::Text(t) => Ok(Some(t.to_string())),
                        other => Err(cannot_convert(other, "Text")),
                    },
                }
            };
            let format = text("Message.Format")?;
            let parameters = record.get("Message.Parameters").transpose()?.filter(|v| !v.is_null());
            let message = match (text("Message")?, &format) {
                (Some(message), _) => message,
                (None, Some(format)) => super::library::text::format_message(format, parameters.as_ref())?,
                (None, None) => String::new(),
            };
            Ok(MError(Rc::new(super::value::ErrorRecord {
                reason: text("Reason")?.unwrap_or_else(|| "Expression.Error".to_owned()),
                message,
                detail: record.get("Detail").transpose()?.unwrap_or(Value::Null),
                message_format: format,
                message_parameters: parameters,
                error_code: text("ErrorCode")?,
            })))
        }
        _ => Err(cannot_convert(&value, "Record")),
    }
}

fn closure(definition: &Rc<FunctionDef>, env: &Env) -> Result<Closure, MError> {
    let mut parameter_types = Vec::with_capacity(definition.parameters.len());
    for parameter in &definition.parameters {
        parameter_types.push(match &parameter.ty {
            Some(ty) => type_value(ty, env)?,
            None => MType::any(),
        });
    }
    let return_type = match &definition.return_type {
        Some(ty) => type_value(ty, env)?,
        None => MType::any(),
    };
    Ok(Closure { definition: definition.clone(), env: env.clone(), parameter_types, return_type })
}

/// The error for a value that is not of a declared type.
pub fn cannot_convert_to_type(value: &Value, ty: &Rc<MType>) -> MError {
    let name = ty.kind_keyword();
    let mut pretty = name[..1].to_ascii_uppercase() + &name[1..];
    for (lower, upper) in
        [("Datetimezone", "DateTimeZone"), ("Datetime", "DateTime"), ("Anynonnull", "AnyNonNull")]
    {
        if pretty == lower {
            pretty = upper.to_owned();
        }
    }
    MError::expression(format!("We cannot convert the value {} to type {pretty}.", describe(value)))
        .with_detail(Value::Record(Record::from_pairs(vec![
            ("Value", value.clone()),
            ("Type", Value::Type(ty.clone())),
        ])))
}

/// The error for a call with the wrong number of arguments.
pub fn arity_error(given: usize, required: usize, total: usize) -> MError {
    let expects =
        if required == total { format!("{total}") } else { format!("between {required} and {total}") };
    MError::expression(format!("{given} arguments were passed to a function which expects {expects}."))
}

/// Calls a function with argument values.
pub fn invoke(function: &Function, arguments: Vec<Value>) -> Outcome {
    let _depth = DepthGuard::enter()?;
    match function {
        Function::Builtin(builtin) => library::call(builtin, arguments),
        Function::Native(native) => (native.run)(arguments),
        Function::Closure(closure) => {
            let parameters = &closure.definition.parameters;
            let required = parameters.iter().filter(|p| !p.optional).count();
            if arguments.len() < required || arguments.len() > parameters.len() {
                return Err(arity_error(arguments.len(), required, parameters.len()));
            }
            let mut values = arguments;
            values.resize(parameters.len(), Value::Null);
            for (value, ty) in values.iter().zip(&closure.parameter_types) {
                if !ty.accepts(value) {
                    return Err(cannot_convert_to_type(value, ty));
                }
            }
            let names = parameters.iter().map(|p| p.name.clone()).collect();
            let scope = Scope::with_values(&closure.env, names, values);
            let result = evaluate(&closure.definition.body, &scope)?;
            if closure.return_type.accepts(&result) {
                Ok(result)
            } else {
                Err(cannot_convert_to_type(&result, &closure.return_type))
            }
        }
    }
}

/// A function's type: its parameters and return type.
pub fn function_type(function: &Function) -> Rc<MType> {
    let function_type = match function {
        Function::Closure(closure) => FunctionType {
            parameters: closure
                .definition
                .parameters
                .iter()
                .zip(&closure.parameter_types)
                .map(|(p, ty)| FieldType { name: p.name.clone(), ty: ty.clone(), optional: p.optional })
                .collect(),
            return_type: closure.return_type.clone(),
        },
        Function::Builtin(builtin) => return library::builtin_type(builtin),
        Function::Native(native) => return native.ty.clone(),
    };
    MType::new(TypeKind::Function(Some(function_type)))
}

/// `x[name]`, `x[name]?`: a record's field, or a table's column as a list.
pub fn field_access(target: &Value, name: &str, optional: bool) -> Outcome {
    match target.plain() {
        Value::Record(record) => match record.get(name) {
            Some(value) => value,
            None if optional => Ok(Value::Null),
            None => Err(record.missing_field(name)),
        },
        Value::Table(table) => match table.column(name) {
            Some(column) => {
                Ok(Value::List(List::from_thunks((0..column.len()).map(|i| column.thunk(i)).collect())))
            }
            None if optional => Ok(Value::Null),
            None => Err(missing_column(name, table)),
        },
        other => Err(MError::expression(format!(
            "We cannot apply field access to the type {}.",
            other.kind_name()
        ))
        .with_detail(Value::Record(Record::from_pairs(vec![
            ("Value", other.clone()),
            ("Key", Value::text(name)),
        ])))),
    }
}

pub fn missing_column(name: &str, _table: &Table) -> MError {
    MError::expression(format!("The column '{name}' of the table wasn't found."))
        .with_detail(Value::text(name))
}

fn projection(target: &Value, fields: &[(Rc<str>, bool)], optional: bool) -> Outcome {
    match target.plain() {
        Value::Record(record) => {
            let mut names = Vec::with_capacity(fields.len());
            let mut values = Vec::with_capacity(fields.len());
            for (name, field_optional) in fields {
                match record.thunk(name) {
                    Some(thunk) => values.push(thunk.clone()),
                    None if optional || *field_optional => values.push(Thunk::value(Value::Null)),
                    None => return Err(record.missing_field(name)),
                }
                names.push(name.clone());
            }
            Ok(Value::Record(Record::new(names, values)?))
        }
        Value::Table(table) => {
            let mut names = Vec::with_capacity(fields.len());
            let mut columns = Vec::with_capacity(fields.len());
            let mut types = Vec::with_capacity(fields.len());
            for (name, field_optional) in fields {
                match table.fields().position(name) {
                    Some(i) => {
                        columns.push(table.columns()[i].clone());
                        types.push(table.column_types()[i].clone());
                    }
                    None if optional || *field_optional => {
                        columns.push(super::value::Column::from_values(vec![Value::Null; table.row_count()]));
                        types.push(MType::any());
                    }
                    None => return Err(missing_column(name, table)),
                }
                names.push(name.clone());
            }
            let fields = Fields::new(names).map_err(|name| {
                MError::expression(format!("The field '{name}' already exists in the record."))
            })?;
            Ok(Value::Table(Table::new(fields, types, columns, table.row_count())))
        }
        other => Err(MError::expression(format!(
            "We cannot apply field access to the type {}.",
            other.kind_name()
        ))),
    }
}

fn not_enough_elements() -> MError {
    MError::expression("There weren't enough elements in the enumeration to complete the operation.")
}

/// `x{key}`, `x{key}?`: a list's item by position, a table's row by position or by a key record.
pub fn item_access(target: &Value, key: &Value, optional: bool) -> Outcome {
    match (target.plain(), key.plain()) {
        (Value::List(list), Value::Number(n)) => {
            if *n < 0.0 || n.fract() != 0.0 {
                return Err(cannot_convert(key, "Int32"));
            }
            match list.get(*n as usize) {
                Some(value) => value,
                None if optional => Ok(Value::Null),
                None => Err(not_enough_elements()),
            }
        }
        (Value::Table(table), Value::Number(n)) => {
            if *n < 0.0 || n.fract() != 0.0 {
                return Err(cannot_convert(key, "Int32"));
            }
            let i = *n as usize;
            if i < table.row_count() {
                Ok(Value::Record(table.row(i)))
            } else if optional {
                Ok(Value::Null)
            } else {
                Err(not_enough_elements())
            }
        }
        (Value::Table(table), Value::Record(key_record)) => {
            let mut found = None;
            for i in 0..table.row_count() {
                crate::cancel::checkpoint();
                let mut matches = true;
                for (name, wanted) in key_record.names().iter().zip(key_record.values.iter()) {
                    let Some(column) = table.column(name) else {
                        return Err(missing_column(name, table));
                    };
                    if !operators::equal(&column.cell(i)?, &wanted.force()?)? {
                        matches = false;
                        break;
                    }
                }
                if matches {
                    if found.is_some() {
                        return Err(MError::expression("The key matched more than one row in the table.")
                            .with_detail(key.clone()));
                    }
                    found = Some(i);
                }
            }
            match found {
                Some(i) => Ok(Value::Record(table.row(i))),
                None if optional => Ok(Value::Null),
                None => Err(MError::expression("The key didn't match any rows in the table.")
                    .with_detail(key.clone())),
            }
        }
        (Value::List(_) | Value::Table(_), _) => Err(cannot_convert(key, "Number")),
        (other, _) => {
            Err(MError::expression(format!("We cannot apply operator {{}} to type {}.", other.kind_name())))
        }
    }
}

/// The type value a type expression stands for.
pub fn type_value(ty: &TypeExpr, env: &Env) -> Result<Rc<MType>, MError> {
    Ok(match ty {
        TypeExpr::Primitive(name) => MType::primitive(name)
            .ok_or_else(|| MError::expression(format!("'{name}' is not a primitive type.")))?,
        TypeExpr::Nullable(inner) => MType::nullable(&type_value(inner, env)?),
        TypeExpr::List(item) => MType::new(TypeKind::List(Some(type_value(item, env)?))),
        TypeExpr::Record { fields, open } => {
            MType::new(TypeKind::Record(Some(record_type(fields, *open, env)?)))
        }
        TypeExpr::Table(row) => match row.as_ref() {
            TypeExpr::Record { fields, open } => {
                MType::new(TypeKind::Table(Some(record_type(fields, *open, env)?)))
            }
            other => {
                let row = type_value(other, env)?;
                match &row.kind {
                    TypeKind::Record(record) => MType::new(TypeKind::Table(record.clone())),
                    _ => return Err(cannot_convert(&Value::Type(row), "Record")),
                }
            }
        },
        TypeExpr::Function { parameters, return_type } => {
            let mut fields = Vec::with_capacity(parameters.len());
            for p in parameters {
                fields.push(FieldType {
                    name: p.name.clone(),
                    ty: match &p.ty {
                        Some(ty) => type_value(ty, env)?,
                        None => MType::any(),
                    },
                    optional: p.optional,
                });
            }
            MType::new(TypeKind::Function(Some(FunctionType {
                parameters: fields,
                return_type: type_value(return_type, env)?,
            })))
        }
        TypeExpr::Expression(expr) => {
            let value = evaluate(expr, env)?;
            match value.plain() {
                Value::Type(ty) => ty.clone(),
                _ => return Err(cannot_convert(&value, "Type")),
            }
        }
    })
}

fn record_type(fields: &[super::ast::FieldSpec], open: bool, env: &Env) -> Result<RecordType, MError> {
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        out.push(FieldType {
            name: field.name.clone(),
            ty: match &field.ty {
                Some(ty) => type_value(ty, env)?,
                None => MType::any(),
            },
            optional: field.optional,
        });
    }
    Ok(RecordType { fields: out, open })
}
