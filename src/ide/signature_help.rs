//! Signature help: the signature of the call whose argument list holds the cursor, and the parameter the
//! cursor is at.
//!
//! The call comes from [`Analysis::invocation_at`](crate::semantics::Analysis::invocation_at), which also
//! knows calls the parser could not close while they are being typed; when the analysis has none (the
//! call is inside a larger syntax error), from the tokens around the cursor. Library functions show their
//! catalog signature, with the enum members or option fields a parameter takes; functions of the document
//! (`Helper = (x as number, optional y) => ...`) show their parameter list. Accepts an analysis of the
//! whole document or of the query around the cursor ([`super::analyze_around`]).

use std::ops::Range;

use tree_sitter::Node;

use super::context::Context;
use super::docs::entry_markdown;
use super::lex::TokenKind;
use super::queries::queries;
use super::MFile;
use crate::library::{self, Entry};
use crate::semantics::Resolution;
use crate::syntax::names::{decode_name, m_name};

/// The signature of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    /// `Table.AddColumn(table as table, newColumnName as text, ...) as table`.
    pub label: String,
    /// Each parameter's byte range in `label`.
    pub parameters: Vec<Range<usize>>,
    /// Markdown about each parameter, when there is something to say (the enum members it takes, its
    /// option fields).
    pub parameter_documentation: Vec<Option<String>>,
    /// The parameter the cursor is at; `None` past the last one.
    pub active_parameter: Option<usize>,
    /// Markdown about the function.
    pub documentation: Option<String>,
    /// The argument list (from its `(`), for clients that place the popup.
    pub arguments: Range<usize>,
}

/// The signature help at `offset` of an M document.
pub fn signature_help(file: MFile, offset: usize) -> Option<SignatureHelp> {
    let analysis = file.analysis;
    let (callee_name, resolution, arguments, argument) = match analysis.invocation_at(offset) {
        Some(at) => {
            let invocation = at.invocation;
            let name = file.text[invocation.function_range.clone()].to_string();
            (name, invocation.callee, invocation.arguments_range.clone(), at.argument)
        }
        // Without a syntax error the analysis knows every call; reading the tokens would find nothing more.
        None if !file.tree.root_node().has_error() => return None,
        None => {
            let context = Context::at(file.tree, file.text, offset);
            let (frame, argument) = context.call()?;
            let callee = frame.callee()?;
            let name = callee.text(file.text).to_string();
            let resolution = analysis
                .reference_at(callee.range.start)
                .filter(|r| r.range == callee.range)
                .map(|r| r.resolution);
            let resolution = resolution.or_else(|| {
                (callee.kind == TokenKind::Intrinsic)
                    .then(|| library::catalog().get(&name).map(Resolution::Library))
                    .flatten()
            });
            (name, resolution, frame.start..frame.end.unwrap_or(offset), argument)
        }
    };
    let mut help = match resolution {
        Some(Resolution::Library(entry)) => library_signature(entry),
        Some(Resolution::Definition(def)) => {
            let value = analysis.definition(def).value_range.clone()?;
            local_signature(file, &m_name(analysis.name_of(def)), value)?
        }
        _ => {
            // A query the analysis does not know (an analysis of one query), or a name in broken code.
            let name = decode_name(&callee_name).into_owned();
            match queries(file.tree, file.text).into_iter().find(|q| q.name == name).and_then(|q| q.value) {
                Some(value) => local_signature(file, &m_name(&name), value)?,
                None => library_signature(library::catalog().get(&callee_name)?),
            }
        }
    };
    help.active_parameter = (argument < help.parameters.len()).then_some(argument);
    help.arguments = arguments;
    Some(help)
}

fn library_signature(entry: &Entry) -> SignatureHelp {
    let mut label = format!("{}(", entry.name);
    let mut parameters = Vec::new();
    let mut parameter_documentation = Vec::new();
    for (i, parameter) in entry.parameters.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        if !parameter.required {
            label.push_str("optional ");
        }
        label.push_str(&format!("{} as {}", parameter.name, parameter.ty));
        parameters.push(start..label.len());
        let documentation = if !parameter.enum_members.is_empty() {
            let members: Vec<String> = parameter.enum_members.iter().map(|m| format!("`{m}`")).collect();
            Some(format!("One of {}.", members.join(", ")))
        } else if !parameter.fields.is_empty() {
            let fields: Vec<String> = parameter
                .fields
                .iter()
                .map(|f| format!("`{}` ({}{})", f.name, f.ty, if f.required { ", required" } else { "" }))
                .collect();
            Some(format!("A record with the fields {}.", fields.join(", ")))
        } else {
            None
        };
        parameter_documentation.push(documentation);
    }
    label.push_str(&format!(") as {}", entry.ty));
    SignatureHelp {
        label,
        parameters,
        parameter_documentation,
        active_parameter: None,
        documentation: Some(entry_markdown(entry)),
        arguments: 0..0,
    }
}

/// The signature of a function of the document, from its value's parameter list.
fn local_signature(file: MFile, name: &str, value: Range<usize>) -> Option<SignatureHelp> {
    let node = file.tree.root_node().descendant_for_byte_range(value.start, value.end)?;
    let function = function_node(node)?;
    let list = function.child_by_field_name("parameters")?;
    let mut label = format!("{name}(");
    let mut parameters = Vec::new();
    let mut cursor = list.walk();
    for (i, parameter) in list.children_by_field_name("parameter", &mut cursor).enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        label.push_str(
            file.text[parameter.byte_range()].split_whitespace().collect::<Vec<_>>().join(" ").as_str(),
        );
        parameters.push(start..label.len());
    }
    label.push(')');
    if let Some(return_type) = function.child_by_field_name("return_type") {
        label.push_str(&format!(" as {}", &file.text[return_type.byte_range()]));
    }
    let count = parameters.len();
    Some(SignatureHelp {
        label,
        parameters,
        parameter_documentation: vec![None; count],
        active_parameter: None,
        documentation: None,
        arguments: 0..0,
    })
}

/// The function expression a value is, through parentheses and `meta` (`(x) => ... meta [...]`).
fn function_node(mut node: Node) -> Option<Node> {
    loop {
        match node.kind() {
            "function_expression" => return Some(node),
            "parenthesized_expression" | "meta_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{assert_rendered, Fixture};

    /// Renders the signature with the active parameter in `<...>`.
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let actual = match signature_help(fixture.file(), fixture.offset()) {
            Some(help) => {
                let mut label = help.label.clone();
                if let Some(active) = help.active_parameter {
                    let range = help.parameters[active].clone();
                    label = format!(
                        "{}<{}>{}",
                        &label[..range.start],
                        &label[range.clone()],
                        &label[range.end..]
                    );
                }
                let documentation =
                    help.active_parameter.and_then(|a| help.parameter_documentation[a].clone());
                match documentation {
                    Some(documentation) => format!("{label}\n{documentation}"),
                    None => label,
                }
            }
            None => "none".to_string(),
        };
        assert_rendered(&actual, expect);
    }

    #[test]
    fn library_calls() {
        check(
            "let a = Table.AddColumn(Source, \"x\", $0) in a",
            "Table.AddColumn(table as table, newColumnName as text, <columnGenerator as function>, optional columnType as nullable type) as table",
        );
        check(
            "let a = Table.NestedJoin(a, {\"k\"}, b, {\"k\"}, \"New\", $0",
            r#"
            Table.NestedJoin(table1 as table, key1 as any, table2 as any, key2 as any, newColumnName as text, <optional joinKind as nullable number>, optional keyEqualityComparers as nullable list {any}) as table
            One of `JoinKind.Inner`, `JoinKind.LeftOuter`, `JoinKind.RightOuter`, `JoinKind.FullOuter`, `JoinKind.LeftAnti`, `JoinKind.RightAnti`, `JoinKind.LeftSemi`, `JoinKind.RightSemi`.
            "#,
        );
        check("let a = #date(2025, $0", "#date(year as number, <month as number>, day as number) as date");
        // Past the last parameter: the signature, nothing active.
        check(
            "let a = Text.Upper(\"a\", \"b\", $0) in a",
            "Text.Upper(text as nullable text, optional culture as nullable text) as nullable text",
        );
        check("let a = 1 + $0 in a", "none");
    }

    #[test]
    fn functions_of_the_document() {
        check(
            "section S;\nshared Helper = (x as number, optional y as text) as text => Text.From(x);\nshared Q = Helper(1, $0);",
            "Helper(x as number, <optional y as text>) as text",
        );
        check("let f = (a, b) => a + b, r = f($0) in r", "f(<a>, b)");
    }

    #[test]
    fn while_typing_in_broken_code() {
        check(
            "section S;\nshared Q = let\n  Source = 1,\n  X = Table.AddColumn(Source, \"C\", each Text.PadStart([Name], $0\nin\n  X;\nshared R = 1;\n",
            "Text.PadStart(text as nullable text, <count as number>, optional character as nullable text) as nullable text",
        );
        check(
            "let\r\n  Größe = Table.SelectRows(\r\n    Quelle,\r\n    $0",
            "Table.SelectRows(table as table, <condition as function>) as table",
        );
    }
}
