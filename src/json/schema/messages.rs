//! Schema violations in plain words: each error of the `jsonschema` validator becomes one diagnostic with a
//! `J1xx` code, at the offending value (or key), with the JSON path written the way people read it
//! (`queriesMetadata.Sales.queryId`, `schedules[0].configuration.type`, `queriesMetadata["MDF transform"]`).
//!
//! Values and schema fragments are never printed whole: long strings are cut, objects and arrays are named
//! by their type.

use std::collections::HashSet;
use std::ops::Range;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{JsonType, ValidationError, Validator};
use serde_json::Value as Serde;

use crate::diagnostics::{codes, Diagnostic};
use crate::json::{Json, Located, Pointers};

/// A schema error that the caller reports another way (or not at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    Nothing,
    /// Every error at this JSON pointer (e.g. `/formatVersion`, already reported as unsupported).
    At(&'static str),
    /// The required-property error for this property of the top-level object.
    RequiredAtRoot(&'static str),
}

/// The diagnostics of validating `instance` (the serde form of `json`) with `validator`.
pub(crate) fn diagnostics(
    validator: &Validator,
    json: &Json,
    instance: &Serde,
    skip: Skip,
) -> Vec<Diagnostic> {
    let errors: Vec<ValidationError> = validator
        .iter_errors(instance)
        .filter(|error| match skip {
            Skip::Nothing => true,
            Skip::At(pointer) => error.instance_path().as_str() != pointer,
            Skip::RequiredAtRoot(property) => {
                !(error.instance_path().as_str().is_empty()
                    && matches!(error.kind(), ValidationErrorKind::Required { property: p } if p == property))
            }
        })
        .collect();
    // A value of the wrong type usually breaks its other rules too (`"formatVersion": 202502` is neither
    // a string nor "202502"); the type error says it all.
    let wrong_type: HashSet<&str> = errors
        .iter()
        .filter(|error| matches!(error.kind(), ValidationErrorKind::Type { .. }))
        .map(|error| error.instance_path().as_str())
        .collect();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut seen: HashSet<(&'static str, Range<usize>, String)> = HashSet::new();
    let mut pointers = Pointers::new(json);
    for error in &errors {
        let path = error.instance_path().as_str();
        let is_value_rule = !matches!(
            error.kind(),
            ValidationErrorKind::Type { .. }
                | ValidationErrorKind::Required { .. }
                | ValidationErrorKind::AdditionalProperties { .. }
                | ValidationErrorKind::UnevaluatedProperties { .. }
        );
        if is_value_rule && wrong_type.contains(path) {
            continue;
        }
        for diagnostic in convert(error, &mut pointers) {
            if seen.insert((diagnostic.code.id, diagnostic.range.clone(), diagnostic.message.clone())) {
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics
}

/// One validator error as diagnostics: one, or one per property for unknown properties (each at its key).
fn convert(error: &ValidationError, pointers: &mut Pointers) -> Vec<Diagnostic> {
    let location = error.instance_path();
    let path = readable(location);
    let subject = if path.is_empty() { "the top-level value".to_string() } else { format!("`{path}`") };
    let located = pointers.locate(location.as_str());
    let value_range = located.map_or(0..0, |l| l.value.range.clone());
    let instance = error.instance();
    let value_error = |message: String| vec![Diagnostic::new(codes::J103, value_range.clone(), message)];
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().map_or_else(|| shown(property), |p| format!("`{}`", cut(p)));
            let holder = if path.is_empty() { "the top-level object".to_string() } else { subject };
            vec![Diagnostic::new(
                codes::J101,
                opening(located),
                format!("{holder} is missing the required property {property}"),
            )]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(ty) => type_words(*ty).to_string(),
                TypeKind::Multiple(set) => {
                    // In the order people list them: null last.
                    let mut types: Vec<JsonType> = set.iter().collect();
                    types.sort_by_key(|ty| TYPE_ORDER.iter().position(|t| t == ty));
                    // "true or false" among alternatives is two of them: "true, false or null".
                    let words: Vec<&str> = types
                        .into_iter()
                        .flat_map(|ty| match ty {
                            JsonType::Boolean => vec!["true", "false"],
                            other => vec![type_words(other)],
                        })
                        .collect();
                    join_alternatives(&words)
                }
            };
            let found = found_for_type(instance, kind);
            vec![Diagnostic::new(
                codes::J102,
                value_range,
                format!("{subject} must be {expected}, found {found}"),
            )]
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|property| {
                let range = pointers
                    .locate(location.join(property.as_str()).as_str())
                    .map(|found| found.key.map_or_else(|| found.value.range.clone(), |key| key.range.clone()))
                    .unwrap_or_else(|| value_range.clone());
                let holder =
                    if path.is_empty() { "the top-level object".to_string() } else { subject.clone() };
                let message =
                    format!("{holder} has a property `{}` that its schema does not allow", cut(property));
                Diagnostic::new(codes::J104, range, message)
            })
            .collect(),
        ValidationErrorKind::FalseSchema => {
            let range = located.and_then(|l| l.key).map_or(value_range, |key| key.range.clone());
            vec![Diagnostic::new(codes::J104, range, format!("{subject} is not allowed here"))]
        }
        ValidationErrorKind::Constant { expected_value } => {
            value_error(format!("{subject} must be {}, found {}", shown(expected_value), shown(instance)))
        }
        ValidationErrorKind::Enum { options } => {
            let options = match options.as_array() {
                Some(options) => {
                    let mut words: Vec<String> = options.iter().take(MAX_OPTIONS).map(shown).collect();
                    if options.len() > MAX_OPTIONS {
                        words.push(format!("{} more", options.len() - MAX_OPTIONS));
                    }
                    let words: Vec<&str> = words.iter().map(String::as_str).collect();
                    format!("one of {}", join_alternatives(&words))
                }
                None => shown(options),
            };
            value_error(format!("{subject} must be {options}, found {}", shown(instance)))
        }
        ValidationErrorKind::Format { format } => {
            let expected = match format.as_str() {
                "uuid" => "a GUID like \"be17210f-5aca-421a-8c0a-bf631487bb8e\"".to_string(),
                "date-time" => "a date and time like \"2026-03-19T22:52:00\"".to_string(),
                "date" => "a date like \"2026-03-19\"".to_string(),
                other => format!("a valid `{}`", cut(other)),
            };
            value_error(format!("{subject} must be {expected}, found {}", shown(instance)))
        }
        ValidationErrorKind::Pattern { pattern } => value_error(format!(
            "{subject} must match the pattern `{}`, found {}",
            cut(pattern),
            shown(instance)
        )),
        ValidationErrorKind::Minimum { limit } => {
            value_error(format!("{subject} must be at least {}, found {}", shown(limit), shown(instance)))
        }
        ValidationErrorKind::Maximum { limit } => {
            value_error(format!("{subject} must be at most {}, found {}", shown(limit), shown(instance)))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            value_error(format!("{subject} must be greater than {}, found {}", shown(limit), shown(instance)))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            value_error(format!("{subject} must be less than {}, found {}", shown(limit), shown(instance)))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            value_error(format!("{subject} must be a multiple of {multiple_of}, found {}", shown(instance)))
        }
        ValidationErrorKind::MinLength { limit } => value_error(format!(
            "{subject} must be at least {limit} {} long, found {}",
            plural(*limit, "character"),
            count(instance)
        )),
        ValidationErrorKind::MaxLength { limit } => value_error(format!(
            "{subject} must be at most {limit} {} long, found {}",
            plural(*limit, "character"),
            count(instance)
        )),
        ValidationErrorKind::MinItems { limit } => value_error(format!(
            "{subject} must have at least {limit} {}, found {}",
            plural(*limit, "item"),
            count(instance)
        )),
        ValidationErrorKind::MaxItems { limit } => value_error(format!(
            "{subject} must have at most {limit} {}, found {}",
            plural(*limit, "item"),
            count(instance)
        )),
        ValidationErrorKind::AdditionalItems { limit } => value_error(format!(
            "{subject} must have at most {limit} {}, found {}",
            plural(*limit as u64, "item"),
            count(instance)
        )),
        ValidationErrorKind::UnevaluatedItems { .. } => {
            value_error(format!("{subject} has more items than the schema allows"))
        }
        ValidationErrorKind::MinProperties { limit } => value_error(format!(
            "{subject} must have at least {limit} {}, found {}",
            plural(*limit, "property"),
            count(instance)
        )),
        ValidationErrorKind::MaxProperties { limit } => value_error(format!(
            "{subject} must have at most {limit} {}, found {}",
            plural(*limit, "property"),
            count(instance)
        )),
        ValidationErrorKind::UniqueItems => {
            value_error(format!("{subject} must not hold the same item twice"))
        }
        ValidationErrorKind::Contains => {
            value_error(format!("{subject} must hold at least one item of the kind the schema asks for"))
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            value_error(format!("{subject} matches none of the forms the schema allows"))
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => value_error(format!(
            "{subject} matches more than one of the forms the schema allows, but must match one"
        )),
        ValidationErrorKind::Not { .. } => value_error(format!("{subject} has a form the schema forbids")),
        ValidationErrorKind::PropertyNames { error } => value_error(format!(
            "{subject} has a property name the schema does not allow: {}",
            shown(error.instance())
        )),
        ValidationErrorKind::ContentEncoding { content_encoding } => {
            value_error(format!("{subject} must be {} encoded text", cut(content_encoding)))
        }
        ValidationErrorKind::ContentMediaType { content_media_type } => {
            value_error(format!("{subject} must be text of the type `{}`", cut(content_media_type)))
        }
        ValidationErrorKind::FromUtf8 { .. } => value_error(format!("{subject} must decode to UTF-8 text")),
        ValidationErrorKind::Custom { message } => value_error(format!("{subject}: {}", cut(message))),
        ValidationErrorKind::BacktrackLimitExceeded { .. } | ValidationErrorKind::Referencing(_) => {
            value_error(format!("{subject} could not be checked against the schema"))
        }
    }
}

/// How many options of an enum a message lists.
const MAX_OPTIONS: usize = 8;
/// How many characters of a value or name a message shows.
const MAX_SHOWN: usize = 60;

/// The range for "missing property": the key of the member that holds the object, or its `{`.
fn opening(located: Option<Located>) -> Range<usize> {
    match located {
        Some(Located { key: Some(key), .. }) => key.range.clone(),
        Some(Located { value, .. }) => value.range.start..value.range.start + 1,
        None => 0..0,
    }
}

/// A JSON path as people read it: `a.b[0]["c d"]`; empty for the root.
pub(crate) fn readable(location: &Location) -> String {
    let mut out = String::new();
    for segment in location.iter() {
        match segment {
            LocationSegment::Property(name) => {
                if is_identifier(&name) {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&cut(&name));
                } else {
                    out.push('[');
                    out.push_str(&shown(&Serde::String(name.into_owned())));
                    out.push(']');
                }
            }
            LocationSegment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-')
}

/// A value for a message: scalars as JSON (long strings cut), objects and arrays by their type.
pub(crate) fn shown(value: &Serde) -> String {
    match value {
        Serde::String(text) => {
            let cut_text = cut(text);
            serde_json::to_string(&cut_text).unwrap_or(cut_text)
        }
        Serde::Object(_) => "an object".to_string(),
        Serde::Array(_) => "an array".to_string(),
        scalar => cut(&scalar.to_string()),
    }
}

/// The first [`MAX_SHOWN`] characters of a text, with `…` when there were more.
pub(crate) fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

const TYPE_ORDER: [JsonType; 7] = [
    JsonType::Object,
    JsonType::Array,
    JsonType::String,
    JsonType::Number,
    JsonType::Integer,
    JsonType::Boolean,
    JsonType::Null,
];

fn type_words(ty: JsonType) -> &'static str {
    match ty {
        JsonType::Array => "an array",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "a whole number",
        JsonType::Null => "null",
        JsonType::Number => "a number",
        JsonType::Object => "an object",
        JsonType::String => "a string",
    }
}

/// "a", "a or b", "a, b or c".
fn join_alternatives(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What a value of the wrong type is: "a number", "an object"; a string that would be right without its
/// quotes says so.
fn found_for_type(instance: &Serde, expected: &TypeKind) -> String {
    let accepts = |ty: JsonType| match expected {
        TypeKind::Single(single) => *single == ty,
        TypeKind::Multiple(set) => set.contains(ty),
    };
    match instance {
        Serde::String(text) => {
            let unquoted = match text.trim() {
                "true" | "false" => accepts(JsonType::Boolean),
                "null" => accepts(JsonType::Null),
                number => {
                    (accepts(JsonType::Number) || accepts(JsonType::Integer))
                        && number.parse::<f64>().is_ok_and(f64::is_finite)
                }
            };
            if unquoted {
                format!("the string {} (write it without quotes)", shown(instance))
            } else {
                "a string".to_string()
            }
        }
        Serde::Number(number) if accepts(JsonType::Integer) && !accepts(JsonType::Number) => {
            cut(&number.to_string())
        }
        Serde::Number(_) => "a number".to_string(),
        Serde::Bool(value) => format!("{value}"),
        Serde::Null => "null".to_string(),
        Serde::Object(_) => "an object".to_string(),
        Serde::Array(_) => "an array".to_string(),
    }
}

/// The size of a string, array or object, in words: "3 characters", "1 item".
fn count(instance: &Serde) -> String {
    match instance {
        Serde::String(text) => {
            let n = text.chars().count() as u64;
            format!("{n} {}", plural(n, "character"))
        }
        Serde::Array(items) => format!("{} {}", items.len(), plural(items.len() as u64, "item")),
        Serde::Object(members) => format!("{} {}", members.len(), plural(members.len() as u64, "property")),
        other => shown(other),
    }
}

fn plural(n: u64, word: &str) -> String {
    match (n, word) {
        (1, _) => word.to_string(),
        (_, "property") => "properties".to_string(),
        _ => format!("{word}s"),
    }
}
