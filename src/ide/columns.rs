//! The columns of a table step, and the fields of a record, where that is cheap and reliable: read from
//! the expressions that name them (`#table({"A", "B"}, ...)`, `#table(type table [A = text], ...)`, a
//! record literal) and followed through the table functions that keep, add, remove or rename columns
//! (`Table.TransformColumnTypes`, `Table.RenameColumns`, `Table.AddColumn`, `Table.SelectColumns`, ...).
//! Anything else (a data source, a navigation step) gives no columns, or only those the later steps name.
//!
//! Each value is parsed again on its own, which costs microseconds for a step and works the same when the
//! document around it has syntax errors. Names are looked up in scopes given by the caller (the bindings
//! of the lets around the cursor, then the queries), innermost first.

use std::ops::Range;

use tree_sitter::Node;

use crate::syntax::names::{decode_name, decode_text};

/// Names and the ranges of their values, one list per scope, innermost first.
pub(crate) type Scopes = Vec<Vec<(String, Range<usize>)>>;

/// The columns (or fields) found, in order, and whether they are known to be all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub(crate) names: Vec<String>,
    pub(crate) complete: bool,
}

impl Columns {
    fn add(&mut self, name: String) {
        if !self.names.contains(&name) {
            self.names.push(name);
        }
    }

    fn remove(&mut self, name: &str) {
        self.names.retain(|n| n != name);
    }
}

/// How many values one question may look at, so that long chains stay cheap.
const BUDGET: usize = 200;
/// How deep a chain of steps is followed (each step is a few frames of the call stack).
const MAX_DEPTH: usize = 48;
/// How deep the expressions inside the values are followed (`Table.AddColumn(Table.AddColumn(...`), in
/// all: each level is a few frames of the call stack, and a value can nest 100,000 calls.
const MAX_NESTING: usize = 64;

pub(crate) struct Inference<'t> {
    text: &'t str,
    budget: usize,
    /// The values being read, innermost last: a value that refers to itself gives nothing.
    active: Vec<Range<usize>>,
    /// How many expressions are being read, each inside the one before.
    nesting: usize,
}

impl<'t> Inference<'t> {
    pub(crate) fn new(text: &'t str) -> Inference<'t> {
        Inference { text, budget: BUDGET, active: Vec::new(), nesting: 0 }
    }

    /// The columns of the expression at `range` of the text, its names looked up in `scopes`.
    pub(crate) fn of_range(
        &mut self,
        range: Range<usize>,
        scopes: &[Vec<(String, Range<usize>)>],
    ) -> Option<Columns> {
        if self.budget == 0
            || self.active.len() >= MAX_DEPTH
            || range.is_empty()
            || self.active.contains(&range)
        {
            return None;
        }
        self.budget -= 1;
        let snippet = self.text.get(range.clone())?;
        let parse = crate::syntax::parse(snippet);
        let root = parse.tree.root_node();
        let mut cursor = root.walk();
        let expression = root.named_children(&mut cursor).find(|n| n.kind() != "comment")?;
        self.active.push(range.clone());
        let found = self.of_node(expression, snippet, range.start, scopes);
        self.active.pop();
        found
    }

    /// The columns of the value a name has in `scopes`.
    pub(crate) fn of_name(&mut self, name: &str, scopes: &[Vec<(String, Range<usize>)>]) -> Option<Columns> {
        let (level, range) = scopes.iter().enumerate().find_map(|(level, scope)| {
            scope.iter().find(|(n, _)| n == name).map(|(_, r)| (level, r.clone()))
        })?;
        self.of_range(range, &scopes[level..])
    }

    fn of_node(
        &mut self,
        node: Node,
        snippet: &str,
        base: usize,
        scopes: &[Vec<(String, Range<usize>)>],
    ) -> Option<Columns> {
        // Parentheses, `meta` and `try` around a value are unwrapped in a loop: any number of them is one
        // level.
        let mut node = node;
        while matches!(node.kind(), "parenthesized_expression" | "meta_expression" | "try_expression") {
            node = node.named_child(0)?;
        }
        if self.nesting >= MAX_NESTING {
            return None;
        }
        self.nesting += 1;
        let found = self.of_unwrapped_node(node, snippet, base, scopes);
        self.nesting -= 1;
        found
    }

    /// [`Inference::of_node`] for a node that is not parenthesized.
    fn of_unwrapped_node(
        &mut self,
        node: Node,
        snippet: &str,
        base: usize,
        scopes: &[Vec<(String, Range<usize>)>],
    ) -> Option<Columns> {
        let text_of = |n: Node| &snippet[n.byte_range()];
        match node.kind() {
            "identifier" | "quoted_identifier" => self.of_name(&decode_name(text_of(node)), scopes),
            "let_expression" => {
                let mut scope = Vec::new();
                let mut cursor = node.walk();
                for binding in node.children_by_field_name("binding", &mut cursor) {
                    let (Some(name), Some(value)) =
                        (binding.child_by_field_name("name"), binding.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    let range = value.byte_range();
                    scope.push((
                        decode_name(text_of(name)).into_owned(),
                        base + range.start..base + range.end,
                    ));
                }
                let body = node.child_by_field_name("body")?;
                let mut inner: Scopes = vec![scope];
                inner.extend(scopes.iter().cloned());
                self.of_node(body, snippet, base, &inner)
            }
            "record_expression" => {
                let mut columns = Columns { names: Vec::new(), complete: true };
                let mut cursor = node.walk();
                for field in node.children_by_field_name("field", &mut cursor) {
                    if let Some(name) = field.child_by_field_name("name") {
                        columns.add(decode_name(text_of(name)).into_owned());
                    }
                }
                Some(columns)
            }
            "type_expression" => {
                let ty = node.child_by_field_name("type")?;
                record_type_fields(ty, snippet)
            }
            "if_expression" => {
                let mut columns = Columns::default();
                for field in ["consequence", "alternative"] {
                    if let Some(branch) = node.child_by_field_name(field) {
                        if let Some(found) = self.of_node(branch, snippet, base, scopes) {
                            found.names.into_iter().for_each(|n| columns.add(n));
                        }
                    }
                }
                (!columns.names.is_empty()).then_some(columns)
            }
            "invoke_expression" => self.of_call(node, snippet, base, scopes),
            _ => None,
        }
    }

    fn of_call(
        &mut self,
        node: Node,
        snippet: &str,
        base: usize,
        scopes: &[Vec<(String, Range<usize>)>],
    ) -> Option<Columns> {
        let function = node.child_by_field_name("function")?;
        let name = &snippet[function.byte_range()];
        let list = node.child_by_field_name("arguments")?;
        let mut cursor = list.walk();
        let arguments: Vec<Node> = list.children_by_field_name("argument", &mut cursor).collect();
        let argument = |i: usize| arguments.get(i).copied();
        let texts = |i: usize| argument(i).map(|a| text_items(a, snippet)).unwrap_or_default();
        let text = |i: usize| {
            argument(i)
                .filter(|a| a.kind() == "text_literal")
                .map(|a| decode_text(&snippet[a.byte_range()]).into_owned())
        };
        let input = |this: &mut Self, i: usize| {
            argument(i).and_then(|a| this.of_node(a, snippet, base, scopes)).unwrap_or_default()
        };
        let columns = match name {
            "#table" => {
                let first = argument(0)?;
                match first.kind() {
                    "list_expression" => Columns { names: texts(0), complete: true },
                    "type_expression" => record_type_fields(first.child_by_field_name("type")?, snippet)?,
                    _ => return None,
                }
            }
            "Table.FromRecords" => {
                let first = argument(0)?;
                let record = first.named_child(0).filter(|r| r.kind() == "record_expression")?;
                self.of_node(record, snippet, base, scopes)?
            }
            "Table.SelectColumns" => Columns { names: texts(1), complete: true },
            "Table.TransformColumnTypes" | "Table.ReorderColumns" | "Table.TransformColumns" => {
                let mut columns = input(self, 0);
                for name in first_texts(argument(1), snippet) {
                    columns.add(name);
                }
                columns
            }
            "Table.RenameColumns" => {
                let mut columns = input(self, 0);
                for pair in pairs(argument(1), snippet) {
                    if let [old, new] = pair.as_slice() {
                        match columns.names.iter().position(|n| n == old) {
                            Some(at) => columns.names[at] = new.clone(),
                            None => columns.add(new.clone()),
                        }
                    }
                }
                columns
            }
            "Table.AddColumn" | "Table.AddIndexColumn" => {
                let mut columns = input(self, 0);
                columns.add(text(1)?);
                columns
            }
            "Table.DuplicateColumn" => {
                let mut columns = input(self, 0);
                columns.add(text(2)?);
                columns
            }
            "Table.NestedJoin" | "Table.AddJoinColumn" | "Table.FuzzyNestedJoin" => {
                let mut columns = input(self, 0);
                columns.add(text(4)?);
                columns
            }
            "Table.RemoveColumns" => {
                let mut columns = input(self, 0);
                let removed = match text(1) {
                    Some(one) => vec![one],
                    None => texts(1),
                };
                removed.iter().for_each(|n| columns.remove(n));
                columns
            }
            "Table.ExpandTableColumn" | "Table.ExpandRecordColumn" => {
                let mut columns = input(self, 0);
                let expanded = text(1)?;
                let at = columns.names.iter().position(|n| *n == expanded);
                columns.remove(&expanded);
                let new = if arguments.len() > 3 { texts(3) } else { texts(2) };
                let at = at.unwrap_or(columns.names.len());
                for (i, name) in new.into_iter().enumerate() {
                    if !columns.names.contains(&name) {
                        columns.names.insert((at + i).min(columns.names.len()), name);
                    }
                }
                columns
            }
            "Table.Group" => {
                let mut columns = Columns { names: Vec::new(), complete: true };
                match text(1) {
                    Some(key) => columns.add(key),
                    None => texts(1).into_iter().for_each(|k| columns.add(k)),
                }
                let aggregates = argument(2)?;
                let names = first_texts(Some(aggregates), snippet);
                if names.is_empty() {
                    // One aggregate: `{"Count", each ..., type}`.
                    if let Some(first) = text_items(aggregates, snippet).into_iter().next() {
                        columns.add(first);
                    }
                } else {
                    names.into_iter().for_each(|n| columns.add(n));
                }
                columns
            }
            "Table.Combine" => {
                let list = argument(0)?;
                let mut columns = Columns::default();
                let mut cursor = list.walk();
                for item in list.children_by_field_name("item", &mut cursor) {
                    if let Some(found) = self.of_node(item, snippet, base, scopes) {
                        found.names.into_iter().for_each(|n| columns.add(n));
                    }
                }
                columns
            }
            "Table.Join" => {
                let mut columns = input(self, 0);
                input(self, 2).names.into_iter().for_each(|n| columns.add(n));
                columns.complete = false;
                columns
            }
            _ if PASS_THROUGH.contains(&name) => input(self, 0),
            _ => return None,
        };
        Some(columns)
    }
}

/// Table functions whose result has the columns of their first argument.
const PASS_THROUGH: &[&str] = &[
    "Table.AlternateRows",
    "Table.Buffer",
    "Table.Distinct",
    "Table.FillDown",
    "Table.FillUp",
    "Table.FirstN",
    "Table.InsertRows",
    "Table.LastN",
    "Table.MaxN",
    "Table.MinN",
    "Table.Range",
    "Table.RemoveFirstN",
    "Table.RemoveLastN",
    "Table.RemoveMatchingRows",
    "Table.RemoveRows",
    "Table.RemoveRowsWithErrors",
    "Table.Repeat",
    "Table.ReplaceErrorValues",
    "Table.ReplaceRows",
    "Table.ReplaceValue",
    "Table.ReverseRows",
    "Table.SelectRows",
    "Table.SelectRowsWithErrors",
    "Table.Skip",
    "Table.Sort",
    "Table.StopFolding",
];

/// The decoded text items of a list expression (`{"A", "B"}`).
fn text_items(list: Node, snippet: &str) -> Vec<String> {
    if list.kind() != "list_expression" {
        return Vec::new();
    }
    let mut cursor = list.walk();
    list.children_by_field_name("item", &mut cursor)
        .filter(|item| item.kind() == "text_literal")
        .map(|item| decode_text(&snippet[item.byte_range()]).into_owned())
        .collect()
}

/// The first text of each inner list of a list of lists (`{{"A", type text}, {"B", type number}}`); a
/// single inner list (`{"A", type text}`) counts as one.
fn first_texts(list: Option<Node>, snippet: &str) -> Vec<String> {
    pairs(list, snippet).into_iter().filter_map(|pair| pair.into_iter().next()).collect()
}

/// The text items of each inner list of a list of lists; a flat list is one pair.
fn pairs(list: Option<Node>, snippet: &str) -> Vec<Vec<String>> {
    let Some(list) = list.filter(|l| l.kind() == "list_expression") else { return Vec::new() };
    let mut cursor = list.walk();
    let items: Vec<Node> = list.children_by_field_name("item", &mut cursor).collect();
    if items.iter().any(|i| i.kind() == "list_expression") {
        items.into_iter().filter(|i| i.kind() == "list_expression").map(|i| text_items(i, snippet)).collect()
    } else {
        vec![text_items(list, snippet)]
    }
}

/// The field names of `table [A = text, B = number]` or `[A = text]` in a type.
fn record_type_fields(ty: Node, snippet: &str) -> Option<Columns> {
    let record = match ty.kind() {
        "table_type" => ty.child_by_field_name("row")?,
        "record_type" => ty,
        _ => return None,
    };
    if record.kind() != "record_type" {
        return None;
    }
    let mut cursor = record.walk();
    let names = record
        .children_by_field_name("field", &mut cursor)
        .filter_map(|f| f.child_by_field_name("name"))
        .map(|n| decode_name(&snippet[n.byte_range()]).into_owned())
        .collect();
    Some(Columns { names, complete: record.child_by_field_name("open").is_none() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(text: &str, name: &str) -> Vec<String> {
        // The scope: the bindings of the let that is the whole text.
        let tree = crate::syntax::parse(text).tree;
        let root = tree.root_node();
        let let_node = root.named_child(0).unwrap();
        let mut cursor = let_node.walk();
        let scope: Vec<(String, Range<usize>)> = let_node
            .children_by_field_name("binding", &mut cursor)
            .map(|b| {
                let name = &text[b.child_by_field_name("name").unwrap().byte_range()];
                (decode_name(name).into_owned(), b.child_by_field_name("value").unwrap().byte_range())
            })
            .collect();
        Inference::new(text).of_name(name, &[scope]).map(|c| c.names).unwrap_or_default()
    }

    #[test]
    fn columns_follow_the_steps() {
        let text = r#"let
  Source = #table({"Id", "Name", "Amount"}, {}),
  Typed = Table.TransformColumnTypes(Source, {{"Amount", type number}}),
  Renamed = Table.RenameColumns(Typed, {{"Name", "Customer"}}),
  Added = Table.AddColumn(Renamed, "Tax", each [Amount] * 0.2),
  Removed = Table.RemoveColumns(Added, {"Id"}),
  Rows = Table.SelectRows(Removed, each true),
  Grouped = Table.Group(Rows, {"Customer"}, {{"Total", each List.Sum([Amount]), type number}}),
  Typed2 = #table(type table [#"A b" = text, C = number], {}),
  Record = [X = 1, Y = 2]
in
  Rows"#;
        assert_eq!(columns(text, "Rows"), ["Customer", "Amount", "Tax"]);
        assert_eq!(columns(text, "Grouped"), ["Customer", "Total"]);
        assert_eq!(columns(text, "Typed2"), ["A b", "C"]);
        assert_eq!(columns(text, "Record"), ["X", "Y"]);
        assert!(columns(text, "Nothing").is_empty());
    }

    /// A value inside 100,000 parentheses has its columns; one nested in 100,000 calls is followed as
    /// deep as the limit (and no deeper: the stack would not hold it), so only the calls' own columns are
    /// known there.
    #[test]
    fn deep_values_are_read_without_recursing_on_their_depth() {
        let depth = 100_000;
        let text = format!("let t = {}#table({{\"a\"}}, {{}}){} in t", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(columns(&text, "t"), ["a"]);
        let calls = |depth: usize| {
            format!(
                "let t = {}#table({{\"a\"}}, {{}}){} in t",
                "Table.AddColumn(".repeat(depth),
                ", \"b\", each 1)".repeat(depth)
            )
        };
        assert_eq!(columns(&calls(10), "t"), ["a", "b"]);
        assert_eq!(columns(&calls(depth), "t"), ["b"]);
    }

    #[test]
    fn unknown_sources_still_give_the_named_columns() {
        let text = r#"let
  Source = Sql.Database("s", "d"),
  Typed = Table.TransformColumnTypes(Source, {{"OrderDate", type date}, {"Amount", Currency.Type}}),
  Loop = Table.SelectRows(Loop, each true)
in
  Typed"#;
        assert_eq!(columns(text, "Typed"), ["OrderDate", "Amount"]);
        assert!(columns(text, "Loop").is_empty());
    }
}
