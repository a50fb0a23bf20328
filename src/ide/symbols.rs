//! Document symbols (the outline: sections, queries, their steps, the steps of nested lets) and workspace
//! symbols (the queries of many items, found by a fuzzy name).
//!
//! The outline comes from the analysis; queries a syntax error hides from it are read from the tokens
//! (with their steps), so the outline of a file being edited keeps its shape. Workspace symbols need only
//! each document's text and tree, so a server can answer for items it never analysed.
//!
//! The outline nests at most [`MAX_DEPTH`] levels: the steps of lets nested deeper are children of their
//! ancestor at that level. No editor shows a deeper outline usefully, and every consumer of a tree of
//! symbols (dropping it, converting it, serializing it) would otherwise recurse once per level.

use std::ops::Range;

use tree_sitter::Tree;

use super::context::{Context, FrameKind, Start};
use super::queries::{queries, Query};
use super::{fuzzy, MFile};
use crate::semantics::{DefId, DefinitionKind};
use crate::syntax::locate::Locator;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Section,
    /// A section member.
    Query,
    /// A query whose value is a function (`shared Helper = (x) => ...`).
    FunctionQuery,
    /// A let binding.
    Step,
    /// A let binding whose value is a function.
    Function,
}

/// A symbol of the outline, with the symbols inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// The decoded name (`Sales Orders` for `#"Sales Orders"`).
    pub name: String,
    /// A short description: the function a step calls, `shared`, ...
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole definition.
    pub range: Range<usize>,
    /// The name.
    pub selection_range: Range<usize>,
    pub children: Vec<DocumentSymbol>,
}

/// How many levels the outline nests at most.
pub const MAX_DEPTH: usize = 24;

/// The outline of an M document: sections with their queries, queries with their steps, steps with the
/// steps of the lets in their values (down to [`MAX_DEPTH`] levels).
pub fn document_symbols(file: MFile) -> Vec<DocumentSymbol> {
    let analysis = file.analysis;
    let values = value_kinds(file);
    let mut flat: Vec<DocumentSymbol> = Vec::new();
    for (index, definition) in analysis.definitions().iter().enumerate() {
        let def = DefId(index as u32);
        let value = values[index].clone();
        let function = value.as_ref().is_some_and(|(kind, _)| kind == "function_expression");
        let kind = match definition.kind {
            DefinitionKind::Section => SymbolKind::Section,
            DefinitionKind::SectionMember { .. } if function => SymbolKind::FunctionQuery,
            DefinitionKind::SectionMember { .. } => SymbolKind::Query,
            DefinitionKind::LetBinding if function => SymbolKind::Function,
            DefinitionKind::LetBinding => SymbolKind::Step,
            _ => continue,
        };
        let detail = match definition.kind {
            DefinitionKind::SectionMember { shared: true, .. } => {
                Some(value.map_or("shared".to_string(), |(_, d)| format!("shared, {d}")))
            }
            _ => value.map(|(_, d)| d),
        };
        let range = match &definition.kind {
            DefinitionKind::SectionMember { attributes: Some(a), .. } => {
                a.start.min(definition.range.start)..definition.range.end
            }
            _ => definition.range.clone(),
        };
        flat.push(DocumentSymbol {
            name: analysis.name_of(def).to_string(),
            detail,
            kind,
            range,
            selection_range: definition.name_range.clone(),
            children: Vec::new(),
        });
    }
    // Queries that a syntax error hides from the analysis, with the steps the tokens show.
    for query in queries(file.tree, file.text).into_iter().filter(|q| q.recovered) {
        if flat.iter().any(|s| s.selection_range == query.name_range) {
            continue;
        }
        flat.extend(recovered(file.text, &query));
    }
    nest(flat)
}

/// For each definition, in order, the kind of its value's node and a short description of it. The values
/// are looked up in the order of the text with one locator: a lookup from the root for each would cost
/// the depth of the tree, for each of the thousands of steps of a deeply nested document.
fn value_kinds(file: MFile) -> Vec<Option<(String, String)>> {
    let definitions = file.analysis.definitions();
    let mut order: Vec<usize> =
        (0..definitions.len()).filter(|&d| definitions[d].value_range.is_some()).collect();
    order.sort_by_key(|&d| definitions[d].value_range.as_ref().map(|v| v.start));
    let mut locator = Locator::new(file.tree.root_node());
    let mut kinds = vec![None; definitions.len()];
    for d in order {
        if let Some(value) = &definitions[d].value_range {
            kinds[d] = value_node_kind(file, locator.descendant(value.start, value.end));
        }
    }
    kinds
}

/// The kind of a value's node and a short description of it.
fn value_node_kind(file: MFile, node: tree_sitter::Node) -> Option<(String, String)> {
    let mut node = node;
    while node.kind() == "parenthesized_expression" || node.kind() == "meta_expression" {
        node = node.named_child(0)?;
    }
    let detail = match node.kind() {
        "invoke_expression" => file.text[node.child_by_field_name("function")?.byte_range()].to_string(),
        "function_expression" => {
            let parameters = node.child_by_field_name("parameters")?;
            let written: Vec<&str> = file.text[parameters.byte_range()].split_whitespace().collect();
            format!("{} =>", written.join(" "))
        }
        "let_expression" => "let".to_string(),
        "record_expression" => "record".to_string(),
        "list_expression" => "list".to_string(),
        "each_expression" => "each".to_string(),
        "text_literal" | "number_literal" | "logical_literal" | "null_literal" => {
            let literal = &file.text[node.byte_range()];
            if literal.chars().count() > 40 {
                return Some((
                    node.kind().to_string(),
                    format!("{}…", literal.chars().take(40).collect::<String>()),
                ));
            }
            literal.to_string()
        }
        other => other.replace('_', " "),
    };
    Some((node.kind().to_string(), detail))
}

/// A query read from the tokens, and its steps.
fn recovered(text: &str, query: &Query) -> Vec<DocumentSymbol> {
    let mut out = vec![DocumentSymbol {
        name: query.name.clone(),
        detail: query.shared.then(|| "shared".to_string()),
        kind: SymbolKind::Query,
        range: query.range.clone(),
        selection_range: query.name_range.clone(),
        children: Vec::new(),
    }];
    if let Some(value) = &query.value {
        let context = Context::scan(text, value.clone(), Start::Document, value.end);
        for frame in context.frames.iter().filter(|f| matches!(f.kind, FrameKind::Let { .. })) {
            for binding in &frame.bindings {
                out.push(DocumentSymbol {
                    name: binding.name.clone(),
                    detail: None,
                    kind: SymbolKind::Step,
                    range: binding.name_range.start..binding.value.end.max(binding.name_range.end),
                    selection_range: binding.name_range.clone(),
                    children: Vec::new(),
                });
            }
        }
    }
    out
}

/// Nests symbols by their ranges: each goes into the innermost one that holds it, or into the one at
/// [`MAX_DEPTH`] when that one is deeper.
fn nest(mut flat: Vec<DocumentSymbol>) -> Vec<DocumentSymbol> {
    flat.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
    let mut roots: Vec<DocumentSymbol> = Vec::new();
    let mut stack: Vec<DocumentSymbol> = Vec::new();
    for symbol in flat {
        while let Some(top) = stack.last() {
            if top.range.start <= symbol.range.start && symbol.range.end <= top.range.end {
                break;
            }
            let done = stack.pop().expect("not empty");
            attach(&mut stack, &mut roots, done);
        }
        if stack.len() + 1 < MAX_DEPTH {
            stack.push(symbol);
        } else {
            // A symbol at the deepest level has no children: it and what it holds are children of the
            // symbol above.
            attach(&mut stack, &mut roots, symbol);
        }
    }
    while let Some(done) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

fn attach(stack: &mut [DocumentSymbol], roots: &mut Vec<DocumentSymbol>, symbol: DocumentSymbol) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(symbol),
        None => roots.push(symbol),
    }
}

/// A document to search for workspace symbols.
#[derive(Clone, Copy)]
pub struct WorkspaceSource<'a> {
    /// The caller's id of the document (an index into its own list).
    pub id: usize,
    /// The item's display name, shown as the symbols' container.
    pub item_name: &'a str,
    pub text: &'a str,
    pub tree: &'a Tree,
}

/// A query found by a workspace symbol search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// The [`WorkspaceSource::id`] of its document.
    pub source: usize,
    pub name: String,
    /// The item's display name.
    pub container: String,
    pub kind: SymbolKind,
    pub range: Range<usize>,
    pub selection_range: Range<usize>,
}

/// The queries of the given documents whose names match `query` fuzzily, best first, at most `limit`.
/// An empty query matches every query.
pub fn workspace_symbols(query: &str, sources: &[WorkspaceSource], limit: usize) -> Vec<WorkspaceSymbol> {
    let mut found: Vec<(u32, WorkspaceSymbol)> = Vec::new();
    for source in sources {
        for q in queries(source.tree, source.text) {
            let Some(score) = fuzzy::score(query, &q.name) else { continue };
            let function = q.value.as_ref().is_some_and(|v| {
                source
                    .tree
                    .root_node()
                    .descendant_for_byte_range(v.start, v.end)
                    .is_some_and(|n| n.kind() == "function_expression")
            });
            found.push((
                score,
                WorkspaceSymbol {
                    source: source.id,
                    name: q.name,
                    container: source.item_name.to_string(),
                    kind: if function { SymbolKind::FunctionQuery } else { SymbolKind::Query },
                    range: q.range,
                    selection_range: q.name_range,
                },
            ));
        }
    }
    found.sort_by(|a, b| {
        b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)).then(a.1.source.cmp(&b.1.source))
    });
    found.into_iter().take(limit).map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{dedent, Fixture};

    /// Renders the outline, indented by depth: kind, name, detail.
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let mut lines = Vec::new();
        fn render(symbols: &[DocumentSymbol], depth: usize, text: &str, lines: &mut Vec<String>) {
            for s in symbols {
                assert_eq!(crate::syntax::names::decode_name(&text[s.selection_range.clone()]), s.name);
                let detail = s.detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
                lines.push(format!("{}{:?} {}{detail}", "  ".repeat(depth), s.kind, s.name));
                render(&s.children, depth + 1, text, lines);
            }
        }
        render(&document_symbols(fixture.file()), 0, &fixture.mashup, &mut lines);
        assert_eq!(lines.join("\n"), dedent(expect), "\n{}", lines.join("\n"));
    }

    #[test]
    fn sections_queries_steps_and_nested_lets() {
        check(
            r#"[StagingDefinition = [Kind = "FastCopy"]]
section Section1;
shared Region = "EMEA" meta [IsParameterQuery = true];
shared #"Sales Orders" = let
    Source = Sql.Database("s", "d"),
    Lookup = let inner = 1, other = (x) => x in inner,
    #"Added margin" = Table.AddColumn(Source, "Margin", each 1)
in
    #"Added margin";
Helper = (x as number) => x + 1;
"#,
            r#"
            Section Section1
              Query Region (shared, "EMEA")
              Query Sales Orders (shared, let)
                Step Source (Sql.Database)
                Step Lookup (let)
                  Step inner (1)
                  Function other ((x) =>)
                Step Added margin (Table.AddColumn)
              FunctionQuery Helper ((x as number) =>)
            "#,
        );
    }

    #[test]
    fn queries_inside_syntax_errors_keep_their_steps() {
        check(
            "section S;\r\nshared A = 1;\r\nshared Größe = let\r\n  x = (1,\r\n  y = 2\r\nin\r\n  x;\r\nshared C = A + A;\r\n",
            r#"
            Section S
              Query A (shared, 1)
              Query Größe (shared, let)
                Step x (1)
                Step y (2)
              Query C (shared, binary expression)
            "#,
        );
        // Here the parser gives up on everything after `A`: the tokens still show the queries and steps.
        check(
            "section S;\nshared A = 1;\nshared B = let x = (1 in x;\nshared C = A + A;",
            r#"
            Section S
              Query A (shared, 1)
            Query B (shared)
              Step x
            Query C (shared)
            "#,
        );
    }

    /// 100,000 nested lets: every step is in the outline, nested no deeper than [`MAX_DEPTH`].
    #[test]
    fn deep_lets_are_nested_down_to_the_limit() {
        let depth = 100_000;
        let text = format!("{}1{}", "let x = ".repeat(depth), " in x".repeat(depth));
        let parse = crate::syntax::parse(&text);
        let analysis = crate::semantics::analyze(&parse.tree, &text);
        let symbols = document_symbols(MFile::new(&text, &parse.tree, &analysis));
        let (mut count, mut deepest) = (0, 0);
        let mut stack: Vec<(&DocumentSymbol, usize)> = symbols.iter().map(|s| (s, 1)).collect();
        while let Some((symbol, level)) = stack.pop() {
            count += 1;
            deepest = deepest.max(level);
            stack.extend(symbol.children.iter().map(|child| (child, level + 1)));
        }
        assert_eq!(count, depth);
        assert_eq!(deepest, MAX_DEPTH);
    }

    #[test]
    fn workspace_symbols_across_items() {
        let documents = [
            ("Sales", "section Section1;\nshared #\"Sales Orders\" = 1;\nshared Customers = 2;\n"),
            ("Inventory", "section Section1;\nshared Stock = 3;\nshared OrderLines = (x) => x;\n"),
        ];
        let parsed: Vec<(String, tree_sitter::Tree)> =
            documents.iter().map(|(_, text)| (text.to_string(), crate::syntax::parse(text).tree)).collect();
        let sources: Vec<WorkspaceSource> = documents
            .iter()
            .zip(&parsed)
            .enumerate()
            .map(|(id, ((name, _), (text, tree)))| WorkspaceSource { id, item_name: name, text, tree })
            .collect();
        let found: Vec<String> = workspace_symbols("ord", &sources, 10)
            .into_iter()
            .map(|s| {
                format!("{} {} {:?} {}", s.container, s.name, s.kind, &parsed[s.source].0[s.selection_range])
            })
            .collect();
        assert_eq!(
            found,
            ["Inventory OrderLines FunctionQuery OrderLines", "Sales Sales Orders Query #\"Sales Orders\""]
        );
        assert_eq!(workspace_symbols("", &sources, 3).len(), 3);
        assert!(workspace_symbols("zzz", &sources, 10).is_empty());
    }
}
