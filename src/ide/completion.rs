//! Completion in M: what may be written at an offset, with what each item inserts and replaces.
//!
//! The cursor's context comes from the tokens around it (`context`), so completion works the same in a
//! file the parser could not make sense of. By position:
//!
//! - an expression: the enum members the parameter at the cursor takes (first), the locals visible there
//!   ([`crate::semantics::Analysis::visible_at`], plus the bindings the tokens show when a syntax error hides them), the
//!   queries, keywords and snippets (`let … in`, `each`, `if … then … else`, `try … otherwise`,
//!   `type table [...]`, a function), and the library with signatures and documentation links;
//! - after a complete expression: the operators and keywords that may follow (`and`, `in`, `then`, ...);
//! - a type (after `type`, `as`, `is`, `nullable`): primitive types and the library's types;
//! - a field name in `[...]`: the fields of the options record a library function takes
//!   (`Lakehouse.Contents([`), the columns of the table an `each` works on (`Table.AddColumn(t, "x", each [`)
//!   or the fields of a record or table (`r[`), when the `columns` helper can tell them;
//! - a text in a column list (`Table.SelectColumns(t, {"`): the table's columns;
//! - a name being defined (a new step, field or query), a comment or the section header: nothing, but
//!   `shared` before a query name.
//!
//! Names that are not regular identifiers are inserted as `#"..."`. When something has been typed, items
//! are narrowed to those that match it fuzzily (a superset of what any client shows for a longer word).
//! Accepts an analysis of the whole document or of the query around the cursor ([`super::analyze_around`]).

use std::cell::OnceCell;
use std::collections::HashSet;
use std::ops::Range;
use std::rc::Rc;

use super::columns::{Columns, Inference, Scopes};
use super::context::{BracketKind, Context, Frame, FrameKind, IfStage, Position};
use super::docs::{definition_kind, entry_markdown, preview, PREVIEW_LINES};
use super::lex::TokenKind;
use super::queries::{queries, Query};
use super::{fuzzy, MFile};
use crate::library::{self, Entry, EntryKind, Parameter, Source};
use crate::semantics::{DefinitionKind, Resolution};
use crate::syntax::names::{decode_name, is_regular_identifier, m_name};

/// The characters after which a client should ask for completion without being asked.
pub const TRIGGER_CHARACTERS: &[char] = &['.', '[', '"', '#', '!'];

/// What an item is, for its icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Keyword,
    Snippet,
    Function,
    /// `#date`, `#table`, ...
    Constructor,
    /// A let binding (a step), a record field name in scope, `_`.
    Variable,
    Parameter,
    /// A section member.
    Query,
    /// A record field or a column.
    Field,
    EnumMember,
    Enum,
    Type,
    Constant,
    /// A text value (a column name inside quotes).
    Value,
}

/// One completion item. The client replaces `replace` (which holds the cursor) with `insert_text`, or with
/// `snippet` when it supports snippets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// One line next to the label: a signature, a type, what a local is.
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub insert_text: String,
    /// The same in LSP snippet syntax (`Table.AddColumn(${1:table}, ...)$0`), when the item has one.
    pub snippet: Option<String>,
    /// What the typed word is compared with, when it is not the label.
    pub filter_text: Option<String>,
    /// Sorts items: smaller first (`"00..."` before `"05..."`).
    pub sort_text: String,
    /// The byte range the item replaces: the word at the cursor, or an empty range at it.
    pub replace: Range<usize>,
    /// Whether inserting the item opens a call, after which signature help is useful.
    pub trigger_signature_help: bool,
}

/// Sort groups, best first.
mod priority {
    pub(super) const EXPECTED: u8 = 0;
    pub(super) const LOCAL: u8 = 1;
    pub(super) const QUERY: u8 = 2;
    pub(super) const KEYWORD: u8 = 3;
    pub(super) const LIBRARY_FUNCTION: u8 = 4;
    pub(super) const LIBRARY_OTHER: u8 = 5;
    pub(super) const LIBRARY_UNDOCUMENTED: u8 = 6;
}

/// The completion items at `offset` of an M document, best first.
pub fn completions(file: MFile, offset: usize) -> Vec<CompletionItem> {
    let offset = crate::text::floor_char_boundary(file.text, offset);
    let context = Context::at(file.tree, file.text, offset);
    let mut builder = Builder::new(file, &context, offset);
    match context.position.clone() {
        Position::Comment | Position::Header => {}
        Position::Text => builder.text_columns(),
        Position::MemberName => {
            if context.previous.as_ref().is_none_or(|p| p.text(file.text) != "shared") {
                builder.keyword("shared", "shared ", None, "make the query visible outside the section");
            }
        }
        Position::Name(frame) => builder.field_names(frame),
        Position::Type => builder.types(),
        Position::AfterExpression => builder.after_expression(),
        Position::Expression => builder.expression(),
    }
    builder.finish()
}

struct Builder<'a> {
    file: MFile<'a>,
    context: &'a Context,
    offset: usize,
    /// The range items replace.
    replace: Range<usize>,
    /// What has been typed of the word, up to the cursor.
    typed: String,
    /// Whether the typed word starts with `#"`.
    quoted: bool,
    items: Vec<CompletionItem>,
    labels: HashSet<String>,
    /// The queries of the document, read once: a syntax error's are read from its tokens, which in a
    /// broken file may be the rest of the file.
    queries: OnceCell<Rc<[Query]>>,
}

impl<'a> Builder<'a> {
    fn new(file: MFile<'a>, context: &'a Context, offset: usize) -> Builder<'a> {
        let mut replace = context.word_range();
        let unterminated = context.token.as_ref().is_some_and(|t| t.unterminated);
        if unterminated {
            replace.end = offset;
        }
        let typed = file.text[replace.start..offset].to_string();
        let quoted = typed.starts_with("#\"");
        Builder {
            file,
            context,
            offset,
            replace,
            typed,
            quoted,
            items: Vec::new(),
            labels: HashSet::new(),
            queries: OnceCell::new(),
        }
    }

    /// The queries of the document.
    fn queries(&self) -> Rc<[Query]> {
        self.queries.get_or_init(|| queries(self.file.tree, self.file.text).into()).clone()
    }

    /// What the typed word is matched against names with: without the `#"` of a quoted name.
    fn pattern(&self) -> &str {
        if self.quoted {
            &self.typed[2..]
        } else {
            &self.typed
        }
    }

    fn matches(&self, name: &str) -> bool {
        fuzzy::score(self.pattern(), name).is_some()
    }

    fn push(&mut self, item: CompletionItem) {
        if self.labels.insert(item.label.clone()) {
            self.items.push(item);
        }
    }

    /// Adds a local: locals sort innermost first, in the order they are found.
    fn push_local(&mut self, mut item: CompletionItem, priority: u8) {
        item.sort_text = format!("{priority:02}{:05}", self.items.len());
        self.push(item);
    }

    fn item(&self, label: &str, kind: CompletionKind, priority: u8) -> CompletionItem {
        CompletionItem {
            label: label.to_string(),
            kind,
            detail: None,
            documentation: None,
            insert_text: label.to_string(),
            snippet: None,
            filter_text: None,
            sort_text: format!("{priority:02}{}", label.to_lowercase()),
            replace: self.replace.clone(),
            trigger_signature_help: false,
        }
    }

    fn finish(self) -> Vec<CompletionItem> {
        let mut items = self.items;
        items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        items
    }

    // -------------------------------------------------------------------------------------------------
    // Names

    /// An item for a local name or a query: written `#"..."` when it must be.
    fn name_item(&self, name: &str, kind: CompletionKind, priority: u8) -> CompletionItem {
        let written = m_name(name);
        let mut item = self.item(name, kind, priority);
        if written != name || self.quoted {
            item.filter_text = Some(if self.quoted { written.clone() } else { name.to_string() });
        }
        item.insert_text = written;
        item
    }

    /// Locals visible at the cursor: from the analysis, then the ones the tokens show.
    fn locals(&mut self) {
        let analysis = self.file.analysis;
        let mut seen: HashSet<String> = HashSet::new();
        let own: Vec<Range<usize>> =
            self.context.own_bindings().iter().map(|b| b.name_range.clone()).collect();
        for def in analysis.visible_at(self.offset) {
            let definition = analysis.definition(def);
            let name = analysis.name(definition.name);
            if own.contains(&definition.name_range) || !self.matches(name) || !seen.insert(name.to_string()) {
                continue;
            }
            let (kind, priority) = match definition.kind {
                DefinitionKind::SectionMember { .. } => (CompletionKind::Query, priority::QUERY),
                DefinitionKind::Parameter { .. } => (CompletionKind::Parameter, priority::LOCAL),
                DefinitionKind::RecordField => (CompletionKind::Field, priority::LOCAL),
                _ => (CompletionKind::Variable, priority::LOCAL),
            };
            let mut item = self.name_item(name, kind, priority);
            item.detail = Some(definition_kind(analysis, def).to_string());
            if let Some(value) = &definition.value_range {
                item.documentation = Some(format!(
                    "```powerquery\n{}\n```",
                    preview(&self.file.text[value.clone()], PREVIEW_LINES)
                ));
            }
            if priority == priority::LOCAL {
                self.push_local(item, priority);
            } else {
                self.push(item);
            }
        }
        // Bindings a syntax error hides from the analysis.
        for (frame, binding) in self.context.visible() {
            let name = &binding.name;
            if name.is_empty() || !self.matches(name) || !seen.insert(name.clone()) {
                continue;
            }
            let (kind, priority, detail) = match frame.kind {
                FrameKind::Function => (CompletionKind::Parameter, priority::LOCAL, "parameter"),
                FrameKind::Base => (CompletionKind::Query, priority::QUERY, "query"),
                _ => (CompletionKind::Variable, priority::LOCAL, "step"),
            };
            let mut item = self.name_item(name, kind, priority);
            item.detail = Some(detail.to_string());
            if !binding.value.is_empty() && binding.value.end <= self.file.text.len() {
                let value = &self.file.text[binding.value.clone()];
                item.documentation = Some(format!("```powerquery\n{}\n```", preview(value, PREVIEW_LINES)));
            }
            if priority == priority::LOCAL {
                self.push_local(item, priority);
            } else {
                self.push(item);
            }
        }
        // The queries of the document (an analysis of one query does not know the others).
        for query in self.queries().iter() {
            if !self.matches(&query.name) || !seen.insert(query.name.clone()) {
                continue;
            }
            let mut item = self.name_item(&query.name, CompletionKind::Query, priority::QUERY);
            item.detail = Some(if query.shared { "shared query" } else { "query" }.to_string());
            if let Some(value) = query.value.clone() {
                item.documentation =
                    Some(format!("```powerquery\n{}\n```", preview(&self.file.text[value], PREVIEW_LINES)));
            }
            self.push(item);
        }
    }

    /// Whether a name is defined locally at the cursor (and so hides a library name).
    fn is_local(&self, name: &str) -> bool {
        let analysis = self.file.analysis;
        analysis.visible_at(self.offset).iter().any(|&d| analysis.name_of(d) == name)
            || self.context.visible().iter().any(|(_, b)| b.name == name)
    }

    // -------------------------------------------------------------------------------------------------
    // The library

    fn library(&mut self, filter: impl Fn(&Entry) -> bool) {
        let pattern = self.pattern().to_string();
        // A dotted prefix (`JoinKind.`, `Table.Add`) narrows to the names under it.
        let module = pattern.rfind('.').map(|at| &pattern[..=at]);
        let entries = library::catalog().entries();
        let (start, end) = match module {
            Some(module) if !self.quoted => {
                let start = entries.partition_point(|e| e.name < module);
                let end = start + entries[start..].iter().take_while(|e| e.name.starts_with(module)).count();
                (start, end)
            }
            _ => (0, entries.len()),
        };
        for entry in &entries[start..end] {
            if !filter(entry) || !self.matches(entry.name) || self.quoted {
                continue;
            }
            let item = self.entry_item(entry, None);
            self.push(item);
        }
    }

    fn entry_item(&self, entry: &Entry, priority: Option<u8>) -> CompletionItem {
        let priority = priority.unwrap_or(match (entry.kind, entry.source) {
            (_, Source::Sdk | Source::SharedExport) if entry.parameters.is_empty() => {
                priority::LIBRARY_UNDOCUMENTED
            }
            (EntryKind::Function | EntryKind::Constructor, _) => priority::LIBRARY_FUNCTION,
            _ => priority::LIBRARY_OTHER,
        });
        let kind = match entry.kind {
            EntryKind::Function => CompletionKind::Function,
            EntryKind::Constructor => CompletionKind::Constructor,
            EntryKind::Type => CompletionKind::Type,
            EntryKind::Enum => CompletionKind::Enum,
            EntryKind::EnumMember => CompletionKind::EnumMember,
            EntryKind::Constant => CompletionKind::Constant,
        };
        let mut item = self.item(entry.name, kind, priority);
        item.detail = Some(entry.signature());
        item.documentation = Some(entry_markdown(entry));
        if matches!(entry.kind, EntryKind::Function | EntryKind::Constructor) {
            // Editing the name of a call that already has its parentheses: only the name.
            let call_follows = self.file.text[self.replace.end..].starts_with('(');
            if !call_follows {
                item.snippet = Some(call_snippet(entry));
                item.trigger_signature_help = true;
            }
        }
        item
    }

    /// The members of the enum the parameter at the cursor takes, first.
    fn expected_enum_members(&mut self) {
        let Some((entry, parameter)) = self.parameter_at_cursor() else { return };
        for member in &parameter.enum_members {
            if !self.matches(member) {
                continue;
            }
            let item = match library::catalog().get(member) {
                Some(member_entry) => self.entry_item(member_entry, Some(priority::EXPECTED)),
                None => self.item(member, CompletionKind::EnumMember, priority::EXPECTED),
            };
            let mut item = item;
            item.detail = Some(format!("{member} for `{}` of {}", parameter.name, entry.name));
            self.push(item);
        }
    }

    /// The library function whose argument list the cursor is directly in, and the parameter there.
    fn parameter_at_cursor(&self) -> Option<(&'static Entry, &'static Parameter)> {
        let (frame, index) = self.context.call()?;
        let entry = self.library_callee(frame)?;
        Some((entry, entry.parameters.get(index)?))
    }

    /// The library entry a call frame calls, unless a local hides it.
    fn library_callee(&self, frame: &Frame) -> Option<&'static Entry> {
        let callee = frame.callee()?;
        let text = callee.text(self.file.text);
        if let Some(reference) = self.file.analysis.reference_at(callee.range.start) {
            if reference.range == callee.range {
                return match reference.resolution {
                    Resolution::Library(entry) => Some(entry),
                    _ => None,
                };
            }
        }
        if callee.kind == TokenKind::QuotedIdentifier || self.is_local(text) {
            return None;
        }
        library::catalog().get(text)
    }

    // -------------------------------------------------------------------------------------------------
    // Keywords and snippets

    fn keyword(&mut self, keyword: &str, insert: &str, snippet: Option<&str>, documentation: &str) {
        if !self.matches(keyword) || self.quoted {
            return;
        }
        let mut item = self.item(
            keyword,
            if snippet.is_some() { CompletionKind::Snippet } else { CompletionKind::Keyword },
            priority::KEYWORD,
        );
        item.insert_text = insert.to_string();
        item.snippet = snippet.map(str::to_string);
        item.documentation = Some(documentation.to_string());
        if snippet.is_some() {
            item.detail = Some(snippet_detail(keyword).to_string());
        }
        self.push(item);
    }

    fn expression(&mut self) {
        if self.context.previous.as_ref().is_some_and(|p| p.text(self.file.text) == "!") {
            // `Section!Member`: the queries.
            for query in self.queries().iter() {
                if self.matches(&query.name) {
                    let item = self.name_item(&query.name, CompletionKind::Query, priority::QUERY);
                    self.push(item);
                }
            }
            return;
        }
        self.expected_enum_members();
        self.locals();
        if self.starts_document() {
            self.keyword(
                "section",
                "section Section1;",
                Some("section ${1:Section1};\n\nshared ${2:Query} = $0;"),
                "A section document: the queries of a dataflow.",
            );
        }
        self.keyword(
            "let",
            "let",
            Some("let\n    ${1:Source} = $0\nin\n    ${1:Source}"),
            "Named steps, then the result: `let Source = ..., Step = ... in Step`.",
        );
        self.keyword(
            "each",
            "each ",
            Some("each $0"),
            "A function of one parameter `_`: `each [Amount] > 0` is `(_) => _[Amount] > 0`.",
        );
        self.keyword(
            "if",
            "if",
            Some("if ${1:condition} then ${2:value} else ${3:alternative}"),
            "A conditional: `if condition then value else alternative`.",
        );
        self.keyword(
            "try",
            "try",
            Some("try ${1:expression} otherwise ${2:null}"),
            "Catches an error: `try expression otherwise fallback`.",
        );
        self.keyword("type", "type ", None, "A type value: `type text`, `type table [A = number]`.");
        self.keyword(
            "type table",
            "type table []",
            Some("type table [${1:Column} = ${2:text}]"),
            "A table type with named, typed columns.",
        );
        self.keyword("error", "error ", Some("error \"${1:message}\""), "Raises an error.");
        self.keyword("not", "not ", None, "Logical negation.");
        for literal in ["true", "false", "null"] {
            self.keyword(literal, literal, None, "A literal.");
        }
        for (name, documentation) in [
            ("#shared", "A record of every name in the global environment."),
            ("#sections", "A record of the sections of the document."),
            ("#infinity", "The number positive infinity."),
            ("#nan", "The number NaN (not a number)."),
        ] {
            if self.typed.starts_with('#') || self.typed.is_empty() {
                let mut item = self.item(name, CompletionKind::Constant, priority::LIBRARY_OTHER);
                item.documentation = Some(documentation.to_string());
                if self.matches(name) {
                    self.push(item);
                }
            }
        }
        let mut function = self.item("(x) =>", CompletionKind::Snippet, priority::KEYWORD);
        function.insert_text = "(x) => ".to_string();
        function.snippet = Some("(${1:x}) => $0".to_string());
        function.filter_text = Some("function".to_string());
        function.detail = Some("function".to_string());
        function.documentation = Some("A function: `(x, optional y) => x + y`.".to_string());
        if self.matches("function") && !self.quoted {
            self.push(function);
        }
        self.library(|_| true);
    }

    /// Whether the scan started at the start of the document.
    fn starts_document(&self) -> bool {
        let root = self.file.tree.root_node();
        let mut cursor = root.walk();
        let has_section = root.children(&mut cursor).any(|c| c.is_named() && c.kind() == "section");
        self.file.text[..self.replace.start].trim().is_empty() && !has_section
    }

    fn after_expression(&mut self) {
        // The keywords that close what is open, innermost first.
        for (_, frame) in self.context.open_frames() {
            match frame.kind {
                FrameKind::Let { in_body: false } => self.keyword(
                    "in",
                    "in",
                    None,
                    "Ends the steps of a `let`; the expression after it is its value.",
                ),
                FrameKind::If { stage: IfStage::Condition } => {
                    self.keyword("then", "then", None, "The value when the condition is true.")
                }
                FrameKind::If { stage: IfStage::Consequence } => {
                    self.keyword("else", "else", None, "The value when the condition is false.")
                }
                FrameKind::Try => {
                    self.keyword(
                        "otherwise",
                        "otherwise",
                        None,
                        "The value when the expression raises an error.",
                    );
                    self.keyword(
                        "catch",
                        "catch",
                        Some("catch (${1:e}) => $0"),
                        "Handles the error of the expression.",
                    );
                }
                _ => {}
            }
            // What is open must end before an outer construct can go on.
            let blocks = matches!(
                frame.kind,
                FrameKind::Let { in_body: false }
                    | FrameKind::If { stage: IfStage::Condition | IfStage::Consequence }
            );
            if blocks || !frame.kind.is_soft() {
                break;
            }
        }
        for (keyword, documentation) in [
            ("and", "Logical and (short-circuit)."),
            ("or", "Logical or (short-circuit)."),
            ("as", "Asserts the type of a value."),
            ("is", "Tests the type of a value."),
            ("meta", "Attaches a metadata record to a value."),
        ] {
            self.keyword(keyword, &format!("{keyword} "), None, documentation);
        }
    }

    fn types(&mut self) {
        const PRIMITIVE: &[&str] = &[
            "any",
            "anynonnull",
            "binary",
            "date",
            "datetime",
            "datetimezone",
            "duration",
            "function",
            "list",
            "logical",
            "none",
            "null",
            "number",
            "record",
            "table",
            "text",
            "time",
            "type",
        ];
        for name in PRIMITIVE {
            if self.matches(name) && !self.quoted {
                let mut item = self.item(name, CompletionKind::Type, priority::EXPECTED);
                item.detail = Some("primitive type".to_string());
                self.push(item);
            }
        }
        if self.context.previous.as_ref().is_none_or(|p| p.text(self.file.text) != "nullable") {
            self.keyword("nullable", "nullable ", None, "A type that also allows `null`.");
        }
        self.library(|e| e.kind == EntryKind::Type);
        self.locals();
    }

    // -------------------------------------------------------------------------------------------------
    // Fields and columns

    /// Completion where a record field or a field access is written (the bracket frame `frame`).
    fn field_names(&mut self, frame: usize) {
        let bracket = &self.context.frames[frame];
        let FrameKind::Bracket { kind, target } = &bracket.kind else { return };
        // A field name with spaces is typed as several words: the word is everything since `[` or `,`.
        self.widen_to_field_name(bracket);
        match kind {
            BracketKind::RecordType => {}
            BracketKind::Access => {
                let columns = match target {
                    Some(t) if t.text(self.file.text) == "_" => self.row_columns(frame),
                    Some(t) => {
                        let name = decode_name(t.text(self.file.text)).into_owned();
                        let scopes = self.scopes();
                        Inference::new(self.file.text).of_name(&name, &scopes)
                    }
                    None => None,
                };
                self.columns(columns, &[]);
            }
            BracketKind::Record => {
                let present: Vec<String> = bracket.bindings.iter().map(|b| b.name.clone()).collect();
                if self.option_fields(frame, &present) {
                    return;
                }
                let columns = self.row_columns(frame);
                self.columns(columns, &present);
            }
        }
    }

    /// Makes the replaced range the whole field name typed so far (`[Order Da|`).
    fn widen_to_field_name(&mut self, bracket: &Frame) {
        let start =
            bracket.commas.iter().rev().copied().find(|&c| c < self.offset).unwrap_or(bracket.start) + 1;
        let typed = &self.file.text[start..self.offset];
        let trimmed = typed.trim_start();
        if trimmed.chars().all(|c| c == ' ' || c == '_' || c == '.' || c.is_alphanumeric())
            && !trimmed.is_empty()
        {
            let start = self.offset - trimmed.len();
            self.replace.start = start.min(self.replace.start);
            self.typed = self.file.text[self.replace.start..self.offset].to_string();
        }
    }

    /// The fields of an options record a library function takes, when the bracket is that argument.
    fn option_fields(&mut self, frame: usize, present: &[String]) -> bool {
        let position = self.context.stack.iter().position(|&f| f == frame);
        let Some(call_frame) =
            position.and_then(|p| p.checked_sub(1)).map(|p| &self.context.frames[self.context.stack[p]])
        else {
            return false;
        };
        let Some(entry) = self.library_callee(call_frame) else { return false };
        let bracket_start = self.context.frames[frame].start;
        let index = call_frame.commas.iter().filter(|&&c| c < bracket_start).count();
        let Some(parameter) = entry.parameters.get(index) else { return false };
        let fields: Vec<(&str, &str, bool)> = if parameter.fields.is_empty() {
            connector_options(entry.name, index).iter().map(|&(n, t)| (n, t, false)).collect()
        } else {
            parameter.fields.iter().map(|f| (f.name, f.ty, f.required)).collect()
        };
        if fields.is_empty() {
            return false;
        }
        for (name, ty, required) in fields {
            if present.iter().any(|p| p == name) || !self.matches(name) {
                continue;
            }
            let mut item = self.item(name, CompletionKind::Field, priority::EXPECTED);
            item.insert_text = format!("{name} = ");
            item.snippet = Some(format!("{name} = $0"));
            item.filter_text = Some(name.to_string());
            item.detail = Some(format!("{ty}{}", if required { " (required)" } else { "" }));
            item.documentation =
                Some(format!("An option of `{}` (its `{}` parameter).", entry.name, parameter.name));
            self.push(item);
        }
        true
    }

    /// The columns of the table the `each` or function around a bracket works on: the first argument of
    /// the call that holds the function (`Table.AddColumn(t, "x", each [`).
    fn row_columns(&self, frame: usize) -> Option<Columns> {
        let position = self.context.stack.iter().position(|&f| f == frame)?;
        let outer = &self.context.stack[..position];
        let function_at = outer
            .iter()
            .rposition(|&f| matches!(self.context.frames[f].kind, FrameKind::Each | FrameKind::Function))?;
        let call = outer[..function_at]
            .iter()
            .rev()
            .map(|&f| &self.context.frames[f])
            .find(|f| !f.kind.is_soft())?;
        call.callee()?;
        let table = call.item_range(0, self.offset)?;
        let scopes = self.scopes();
        Inference::new(self.file.text).of_range(trim(self.file.text, table), &scopes)
    }

    /// The scopes names are looked up in for columns: the lets and records around the cursor, then the
    /// queries.
    fn scopes(&self) -> Scopes {
        let mut scopes: Scopes = Vec::new();
        for (_, frame) in self.context.open_frames() {
            let relevant = matches!(
                frame.kind,
                FrameKind::Let { .. } | FrameKind::Bracket { kind: BracketKind::Record, .. }
            );
            if relevant && !frame.bindings.is_empty() {
                scopes.push(frame.bindings.iter().map(|b| (b.name.clone(), b.value.clone())).collect());
            }
        }
        scopes.push(self.queries().iter().filter_map(|q| Some((q.name.clone(), q.value.clone()?))).collect());
        scopes
    }

    fn columns(&mut self, columns: Option<Columns>, present: &[String]) {
        let Some(columns) = columns else { return };
        for name in columns.names {
            if present.contains(&name) || !self.matches(&name) {
                continue;
            }
            let mut item = self.item(&name, CompletionKind::Field, priority::EXPECTED);
            item.insert_text = field_name(&name);
            item.detail =
                Some(if columns.complete { "column" } else { "column (of those known)" }.to_string());
            if item.insert_text != name {
                item.filter_text = Some(name.clone());
            }
            self.push_local(item, priority::EXPECTED);
        }
    }

    /// Column names inside a text of a column list: `Table.SelectColumns(t, {"|`.
    fn text_columns(&mut self) {
        let Some(token) = self.context.token.clone() else { return };
        if token.kind != TokenKind::Text || self.file.text[token.range.clone()].starts_with("#!") {
            return;
        }
        // The call around the list the text is in.
        let Some(call) = self
            .context
            .open_frames()
            .map(|(_, f)| f)
            .find(|f| !f.kind.is_soft() && f.kind != FrameKind::Brace)
        else {
            return;
        };
        let Some(entry) = self.library_callee(call) else { return };
        let index = call.commas.iter().filter(|&&c| c < self.offset).count();
        let Some(parameter) = entry.parameters.get(index) else { return };
        if index == 0 || !names_columns(parameter.name) {
            return;
        }
        let Some(table) = call.item_range(0, self.offset) else { return };
        let scopes = self.scopes();
        let Some(columns) = Inference::new(self.file.text).of_range(trim(self.file.text, table), &scopes)
        else {
            return;
        };
        let content_end = if token.unterminated { self.offset } else { token.range.end - 1 };
        self.replace = token.range.start + 1..content_end.max(token.range.start + 1);
        self.typed = self.file.text[self.replace.start..self.offset].to_string();
        self.quoted = false;
        for name in columns.names {
            if !self.matches(&name) {
                continue;
            }
            let mut item = self.item(&name, CompletionKind::Value, priority::EXPECTED);
            item.insert_text = name.replace('"', "\"\"");
            item.detail = Some(format!("column, for `{}` of {}", parameter.name, entry.name));
            self.push_local(item, priority::EXPECTED);
        }
    }
}

/// A range without the blank space around it.
fn trim(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    start..start.max(range.start + slice.trim_end().len())
}

/// Whether a parameter takes column names (`columns`, `renames`, `key`, ...), not those of a nested table.
fn names_columns(parameter: &str) -> bool {
    let lower = parameter.to_ascii_lowercase();
    !lower.starts_with("new")
        && lower != "columnnames"
        && (lower.contains("column")
            || matches!(
                parameter,
                "typeTransformations"
                    | "renames"
                    | "comparisonCriteria"
                    | "key"
                    | "keys"
                    | "transformOperations"
            ))
}

/// A field name as written inside `[...]`: bare when it is a generalized identifier (`Order Date`),
/// else `#"..."`.
fn field_name(name: &str) -> String {
    let generalized = !name.is_empty()
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && !name.contains("  ")
        && name.chars().all(|c| c == ' ' || c == '_' || c == '.' || c.is_alphanumeric());
    if generalized || is_regular_identifier(name) {
        name.to_string()
    } else {
        m_name(name)
    }
}

/// Options of Fabric connectors the catalog lists without their fields, as Dataflow Gen2 writes them.
fn connector_options(function: &str, index: usize) -> &'static [(&'static str, &'static str)] {
    match (function, index) {
        ("Lakehouse.Contents", 0) => {
            &[("CreateNavigationProperties", "nullable logical"), ("EnableFolding", "nullable logical")]
        }
        _ => &[],
    }
}

/// A call of a function with a placeholder for each required parameter.
fn call_snippet(entry: &Entry) -> String {
    let required: Vec<String> = entry
        .parameters
        .iter()
        .filter(|p| p.required)
        .enumerate()
        .map(|(i, p)| format!("${{{}:{}}}", i + 1, p.name))
        .collect();
    if required.is_empty() {
        format!("{}($0)", escape_snippet(entry.name))
    } else {
        format!("{}({})$0", escape_snippet(entry.name), required.join(", "))
    }
}

/// Escapes `$`, `}` and `\` for snippet syntax.
fn escape_snippet(text: &str) -> String {
    text.replace('\\', "\\\\").replace('$', "\\$").replace('}', "\\}")
}

fn snippet_detail(keyword: &str) -> &'static str {
    match keyword {
        "let" => "let … in …",
        "if" => "if … then … else …",
        "try" => "try … otherwise …",
        "each" => "each …",
        "type table" => "type table [...]",
        "error" => "error \"…\"",
        "section" => "section …; shared … = …;",
        "catch" => "catch (e) => …",
        _ => "snippet",
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod contexts;
