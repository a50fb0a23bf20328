//! The words completion and hover show for a name: a library entry's signature, category and link, what
//! kind of local a definition is, and the first lines of its value.

use crate::library::{Entry, EntryKind, Source};
use crate::semantics::{Analysis, DefId, DefinitionKind};

/// How many lines of a definition's value hover and completion show.
pub(crate) const PREVIEW_LINES: usize = 6;

/// Markdown about a library entry: its signature as code, its category, where it comes from, its link.
pub(crate) fn entry_markdown(entry: &Entry) -> String {
    let mut out = format!("```powerquery\n{}\n```\n", entry.signature());
    let mut facts = Vec::new();
    facts.push(
        match entry.kind {
            EntryKind::Function => "function",
            EntryKind::Constructor => "constructor",
            EntryKind::Type => "type",
            EntryKind::Enum => "enumeration",
            EntryKind::EnumMember => "enumeration member",
            EntryKind::Constant => "constant",
        }
        .to_string(),
    );
    if let Some(category) = entry.category {
        facts.push(format!("category `{category}`"));
    }
    if entry.data_source {
        facts.push("reaches external data".to_string());
    }
    match entry.source {
        Source::Standard => {}
        Source::Sdk => facts.push("Power Query SDK only".to_string()),
        Source::SharedExport => facts.push("not in the documented library (seen in `#shared`)".to_string()),
        Source::FabricObserved => {
            facts.push("seen in Dataflow Gen2 exports; signature as observed".to_string())
        }
    }
    out.push_str(&capitalize(&facts.join(", ")));
    out.push('.');
    let documented: Vec<String> = entry
        .parameters
        .iter()
        .filter(|p| !p.enum_members.is_empty() || !p.fields.is_empty())
        .map(|p| {
            if p.enum_members.is_empty() {
                let fields: Vec<String> = p.fields.iter().map(|f| format!("`{}`", f.name)).collect();
                format!("- `{}` fields: {}", p.name, fields.join(", "))
            } else {
                let members: Vec<String> = p.enum_members.iter().map(|m| format!("`{m}`")).collect();
                format!("- `{}`: {}", p.name, members.join(", "))
            }
        })
        .collect();
    if !documented.is_empty() {
        out.push_str("\n\n");
        out.push_str(&documented.join("\n"));
    }
    if let Some(url) = entry.doc_url() {
        out.push_str(&format!("\n\n[Documentation]({url})"));
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a definition is, in words: "query", "step", "parameter", ...
pub(crate) fn definition_kind(analysis: &Analysis, def: DefId) -> &'static str {
    match analysis.definition(def).kind {
        DefinitionKind::Section => "section",
        DefinitionKind::SectionMember { shared: true, .. } => "shared query",
        DefinitionKind::SectionMember { shared: false, .. } => "query",
        DefinitionKind::LetBinding => "step",
        DefinitionKind::RecordField => "record field",
        DefinitionKind::Parameter { optional: true } => "optional parameter",
        DefinitionKind::Parameter { optional: false } => "parameter",
        DefinitionKind::EachParameter => "each parameter",
        DefinitionKind::CatchParameter => "error parameter",
    }
}

/// The first lines of a value, their common indentation removed, with `...` when there is more.
pub(crate) fn preview(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let shown = &all[..all.len().min(lines)];
    // The first line starts where the value starts: its indentation is not the block's.
    let indent = shown
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    for (i, line) in shown.iter().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 {
            out.push(line.trim_start().to_string());
        } else {
            out.push(
                line.get(indent.min(line.len() - line.trim_start().len())..).unwrap_or(line).to_string(),
            );
        }
    }
    if all.len() > lines {
        out.push("...".to_string());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_keep_relative_indentation() {
        let value = "let\r\n    a = 1,\r\n      b = 2\r\n  in\r\n    b";
        assert_eq!(preview(value, 5), "let\n  a = 1,\n    b = 2\nin\n  b");
        assert_eq!(preview(value, 2), "let\na = 1,\n...");
        assert_eq!(preview("1", 3), "1");
    }

    #[test]
    fn library_markdown() {
        let entry = crate::library::catalog().get("Table.AddColumn").unwrap();
        let markdown = entry_markdown(entry);
        assert!(markdown.starts_with("```powerquery\nTable.AddColumn(table as table"), "{markdown}");
        assert!(markdown.contains("category `Table.Transformation`"), "{markdown}");
        assert!(
            markdown.ends_with("[Documentation](https://learn.microsoft.com/powerquery-m/table-addcolumn)")
        );
    }
}
