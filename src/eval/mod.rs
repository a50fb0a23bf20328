//! The Power Query M evaluator: a text (an expression, or a section document and the member to
//! evaluate) gives a value or an M error, as Power Query would compute it, locally.
//!
//! The layers, bottom up: [`ast`] lowers the tree-sitter tree to expressions (stopping at the first
//! syntax error), [`value`] holds values, lazy thunks and error records, [`types`] type values and
//! compatibility, [`operators`] the operators' rules, [`evaluate`] the language (environments, laziness,
//! functions, errors), [`library`] the standard library by category, and [`render`] the printed forms
//! (the JSON contract, M literals, terminal tables, CSV). [`datetime`] is the calendar arithmetic;
//! [`sources`] the one door to data outside the program, which the caller opens.
//!
//! Values use `Rc` and are not `Send`: an evaluation runs on one thread, started by
//! [`run_on_large_stack`] with a stack deep enough for [`evaluate::MAX_EVALUATION_DEPTH`] nested
//! evaluations, so that runaway recursion in a program ends in M's stack overflow error, not a crash.
//! Everything here is pure (no IO) and cancellable through [`crate::cancel`].
//!
//! Tables are columnar ([`column`]): Arrow arrays for columns of one scalar kind, lazy cells otherwise.
//!
//! `each` functions of the common shapes run as vectorized kernels over whole columns ([`kernels`]), the
//! interpreter computing what they do not cover.
//!
//! Known limits (for the next sessions): a recursive closure stored in a let binding keeps its scope alive
//! (a reference cycle freed when the evaluation's process ends).

pub mod ast;
pub mod column;
pub mod datetime;
pub mod evaluate;
pub mod kernels;
pub mod library;
pub mod operators;
pub mod render;
pub mod sources;
pub mod types;
pub mod value;

use std::rc::Rc;

use ast::{Document, LowerError};
use evaluate::{Scope, SectionScope};
use value::{MError, Outcome, Value};

/// The stack of the evaluation thread: room for [`evaluate::MAX_EVALUATION_DEPTH`] nested evaluations
/// in a debug build (measured: about 10 KB per level of M recursion there), reserved, not committed.
pub const STACK_SIZE: usize = 1 << 30;

/// Runs `work` on a new thread with a [`STACK_SIZE`] stack and returns what it returns; a panic in
/// `work` goes on unwinding in the caller.
pub fn run_on_large_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let thread = std::thread::Builder::new()
        .name("dfls-eval".to_owned())
        .stack_size(STACK_SIZE)
        .spawn(work)
        .expect("the evaluation thread starts");
    match thread.join() {
        Ok(value) => value,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Why an evaluation could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// A syntax error, or nesting too deep: the first one, with its place.
    Syntax(LowerError),
    /// The request does not fit the text (a section document without `query`, an unknown member, a
    /// parameter value that cannot be read), with the message to show.
    Request(String),
}

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The M text: an expression, or a section document.
    pub text: String,
    /// The shared member to evaluate, for a section document.
    pub query: Option<String>,
    /// Parameter overrides: a member's new value, written as text and read as the kind of value the
    /// member has (`"EMEA"` stays text, `2025-01-01` becomes a date when the member is a date).
    pub parameters: Vec<(String, String)>,
}

/// Evaluates an expression text (convenience for tests and the language server).
pub fn evaluate_text(text: &str) -> Result<Outcome, Setup> {
    evaluate(&Request { text: text.to_owned(), ..Request::default() })
}

/// Evaluates a request: the expression, or the named member of the section document with its siblings
/// in scope and the parameter overrides applied.
///
/// The library's source functions read through this thread's [`sources::current`]: a caller that offers
/// data wraps the evaluation, and the reading of its value (which is lazy inside), in
/// [`sources::with_sources`]. Without it every source is a `DataSource.Error`.
pub fn evaluate(request: &Request) -> Result<Outcome, Setup> {
    let document = ast::lower(&request.text).map_err(Setup::Syntax)?;
    let root = Scope::root();
    match document {
        Document::Expression(expr) => {
            if let Some(query) = &request.query {
                return Err(Setup::Request(format!(
                    "the text is one expression, not a section document: there is no query `{query}` in it"
                )));
            }
            if let Some((name, _)) = request.parameters.first() {
                return Err(Setup::Request(format!(
                    "the text is one expression: it has no parameter `{name}`"
                )));
            }
            Ok(evaluate::evaluate(&expr, &root))
        }
        Document::Sections(sections) => {
            let Some(query) = &request.query else {
                let names: Vec<String> = sections
                    .iter()
                    .flat_map(|s| s.members.iter().map(|m| crate::syntax::names::m_name(&m.name)))
                    .collect();
                return Err(Setup::Request(format!(
                    "the text is a section document: name the query to evaluate with --query (one of: {})",
                    names.join(", ")
                )));
            };
            let shared = |section: &ast::Section| -> Vec<Rc<str>> {
                section.members.iter().filter(|m| m.shared).map(|m| m.name.clone()).collect()
            };
            let mut scopes: Vec<SectionScope> = Vec::new();
            for section in &sections {
                let definitions: Vec<(Rc<str>, ast::ExprRef)> =
                    section.members.iter().map(|m| (m.name.clone(), m.value.clone())).collect();
                let env = Scope::section(&root, &definitions, Vec::new());
                scopes.push(SectionScope { name: section.name.clone(), env, shared: shared(section) });
            }
            root.set_sections(scopes.clone());
            // Overrides: each member's current value gives the kind the new text is read as.
            let mut overrides: Vec<(usize, usize, Value)> = Vec::new();
            for (name, text) in &request.parameters {
                let Some((s, m)) = find_member(&sections, name) else {
                    return Err(Setup::Request(format!("there is no parameter `{name}` in the document")));
                };
                let current = evaluate::lookup(&scopes[s].env, name).map_err(|error| {
                    Setup::Request(format!(
                        "the parameter `{name}` has no value to override: {}",
                        error.message()
                    ))
                })?;
                let value = parameter_value(&current, text)
                    .map_err(|message| Setup::Request(format!("--param {name}: {message}")))?;
                overrides.push((s, m, value));
            }
            if !overrides.is_empty() {
                let fresh = Scope::root();
                let mut rebuilt = Vec::new();
                for (s, section) in sections.iter().enumerate() {
                    let definitions: Vec<(Rc<str>, ast::ExprRef)> =
                        section.members.iter().map(|m| (m.name.clone(), m.value.clone())).collect();
                    let given: Vec<(usize, Value)> = overrides
                        .iter()
                        .filter(|(os, _, _)| *os == s)
                        .map(|(_, m, v)| (*m, v.clone()))
                        .collect();
                    let env = Scope::section(&fresh, &definitions, given);
                    rebuilt.push(SectionScope { name: section.name.clone(), env, shared: shared(section) });
                }
                fresh.set_sections(rebuilt.clone());
                scopes = rebuilt;
            }
            let Some((s, _)) = find_member(&sections, query) else {
                let names: Vec<&str> =
                    sections.iter().flat_map(|s| s.members.iter().map(|m| &*m.name)).collect();
                let near = crate::suggest::closest(query, names, 1);
                let hint = near.first().map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
                return Err(Setup::Request(format!("there is no query `{query}` in the document{hint}")));
            };
            Ok(evaluate::lookup(&scopes[s].env, query))
        }
    }
}

fn find_member(sections: &[ast::Section], name: &str) -> Option<(usize, usize)> {
    sections
        .iter()
        .enumerate()
        .find_map(|(s, section)| section.members.iter().position(|m| &*m.name == name).map(|m| (s, m)))
}

/// A parameter's new value from its text, of the kind of its current value, keeping its metadata.
fn parameter_value(current: &Value, text: &str) -> Result<Value, String> {
    let plain = match current.plain() {
        Value::Text(_) | Value::Null => Value::text(text),
        Value::Number(_) => {
            Value::Number(library::parse_number(text).ok_or_else(|| format!("`{text}` is not a number"))?)
        }
        Value::Logical(_) => match text {
            "true" => Value::Logical(true),
            "false" => Value::Logical(false),
            _ => return Err(format!("`{text}` is not true or false")),
        },
        Value::Date(_) => Value::Date(
            library::parse_date(text).ok_or_else(|| format!("`{text}` is not a date (2025-01-31)"))?,
        ),
        other => {
            return Err(format!(
                "a {} parameter cannot be overridden from the command line",
                other.kind_name()
            ))
        }
    };
    evaluate::with_metadata(plain, current.metadata()).map_err(|e: MError| e.message().to_owned())
}
