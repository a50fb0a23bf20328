//! The binder: one iterative walk over the tree that creates scopes and definitions and resolves every
//! reference as it goes.
//!
//! Resolution uses a stack of visible definitions per name: entering a scope pushes its definitions,
//! leaving it pops them, so a reference is resolved in constant time by looking at the top of its name's
//! stack, then at the library. The walk keeps an explicit task stack instead of recursing, so a document
//! nested 100,000 levels deep costs memory, not the call stack.
//!
//! M's rules, as they show in the walk:
//! - section members are visible in the whole section (mutually recursive, each member's value sees the
//!   member itself), and shared members of the document's other sections are visible unqualified below
//!   the section's own members;
//! - let bindings and record fields are mutually recursive, but inside a binding's or field's own value
//!   its name refers to what is outside (the value's "exclusive" environment); `@name` refers to the
//!   definition itself. The walk does this by pushing, around each value, an entry that shows the outer
//!   definition to plain references and the definition itself to `@` references;
//! - field names (`[A]`, `x[A]`, `[A = 1]`, `type [A = text]`) and the parameter names of function types
//!   are not references; names used as types (`type table [A = _t]`, `Int64.Type`) are.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree, TreeCursor};

use super::grammar::GRAMMAR;
use super::model::{
    Analysis, DefId, Definition, DefinitionKind, Invocation, Name, Reference, ReferenceKind, Resolution,
    Scope, ScopeId, ScopeKind,
};
use crate::library::{self, Catalog};
use crate::syntax::chars;
use crate::syntax::locate::Locator;
use crate::syntax::names::decode_name;

/// Where a node is visited: its innermost scope, whether it is inside a syntax error, and the call
/// argument it is part of.
#[derive(Debug, Clone, Copy)]
struct Context {
    scope: ScopeId,
    in_error: bool,
    /// The byte range of the innermost argument of a call that holds the node, unless a binding, field or
    /// section member inside that argument holds it: where a forgotten `each` goes
    /// ([`super::mistakes::missing_each`]). Kept here as the walk descends, since climbing from the node
    /// to find it would cost the depth of the tree for each node.
    argument: Option<(usize, usize)>,
}

/// A step of the walk. Tasks run last-in first-out; a node's children are pushed in reverse so that they
/// run in source order.
enum Task<'t> {
    /// A node in expression position.
    Expression(Node<'t>, Context),
    /// A node in type position (`type ...`): field and parameter names there are not references.
    Type(Node<'t>, Context),
    /// Make a definition's own name show the outer definition while its value is walked.
    Exclude(DefId),
    /// Pop the name stacks back to a length of the undo log.
    Restore(usize),
    /// Enter the section at this index of [`Binder::sections`].
    Section(usize),
}

/// One entry of a name's stack of visible definitions.
#[derive(Debug, Clone, Copy)]
struct Visible {
    /// What a plain reference sees; `None` hides outer definitions down to the library.
    plain: Option<DefId>,
    /// What an `@` reference sees.
    inclusive: DefId,
    /// The batch of declarations that pushed the entry, to find duplicates in one let, record or section.
    batch: u32,
}

/// The pieces of a binding, record field or section member.
struct Parts<'t> {
    name: Option<Node<'t>>,
    value: Option<Node<'t>>,
    errors: Vec<Node<'t>>,
}

/// A section found in the first pass over the document.
struct SectionInfo<'t> {
    node: Node<'t>,
    scope: ScopeId,
    /// Each member: its node and its definition (none when the member has no name).
    members: Vec<(Node<'t>, Option<DefId>)>,
}

pub(super) struct Binder<'t> {
    text: &'t str,
    catalog: &'static Catalog,
    analysis: Analysis,
    stacks: Vec<Vec<Visible>>,
    /// The names pushed, in order, so that leaving a scope pops exactly what it pushed.
    undo: Vec<Name>,
    tasks: Vec<Task<'t>>,
    batch: u32,
    sections: Vec<SectionInfo<'t>>,
    /// Section names to their definitions, and each section's members by name (built on first use).
    section_defs: HashMap<Name, DefId>,
    section_members: HashMap<DefId, HashMap<Name, DefId>>,
    /// Each name's library entry, once looked up (indexed by name).
    library: Vec<Option<Option<&'static library::Entry>>>,
    cursor: TreeCursor<'t>,
    /// Finds the parents of syntax errors, which the walk meets in the order of the text.
    locator: Locator<'t>,
    /// Scratch list of the children of the node being visited, with their field ids.
    children: Vec<(u16, Node<'t>)>,
    /// The starts of the call arguments already said to miss their `each`: one forgotten `each` is one
    /// mistake, however many fields its row function reads.
    each_forgotten: HashSet<usize>,
}

impl<'t> Binder<'t> {
    pub(super) fn new(tree: &'t Tree, text: &'t str) -> Binder<'t> {
        Binder {
            text,
            catalog: library::catalog(),
            analysis: Analysis::default(),
            stacks: Vec::new(),
            undo: Vec::new(),
            tasks: Vec::new(),
            batch: 0,
            sections: Vec::new(),
            section_defs: HashMap::new(),
            section_members: HashMap::new(),
            library: Vec::new(),
            cursor: tree.walk(),
            locator: Locator::new(tree.root_node()),
            children: Vec::new(),
            each_forgotten: HashSet::new(),
        }
    }

    /// Walks the whole tree; returns the analysis without diagnostics (see [`super::checks`]).
    pub(super) fn run(mut self, tree: &'t Tree) -> Analysis {
        let root = tree.root_node();
        let document = self.new_scope(ScopeKind::Document, root.byte_range(), None);
        let context = Context { scope: document, in_error: false, argument: None };
        let k = &GRAMMAR.kinds;
        self.collect_children(root);
        let children = std::mem::take(&mut self.children);
        let mut rest = Vec::new();
        for &(_, child) in &children {
            if child.kind_id() == k.section {
                self.declare_section(child, document);
            } else {
                rest.push(child);
            }
        }
        // Other top-level nodes (the expression of an expression document, comments, errors) are visited
        // after the sections, which do not see them.
        for child in rest.into_iter().rev() {
            self.tasks.push(Task::Expression(child, context.with_error(child.is_error())));
        }
        for index in (0..self.sections.len()).rev() {
            self.tasks.push(Task::Section(index));
        }
        self.children = children;
        while let Some(task) = self.tasks.pop() {
            match task {
                Task::Expression(node, context) => self.expression(node, context),
                Task::Type(node, context) => self.type_position(node, context),
                Task::Exclude(def) => self.exclude(def),
                Task::Restore(length) => self.restore(length),
                Task::Section(index) => self.enter_section(index),
            }
        }
        let mut analysis = self.analysis;
        analysis.references.sort_by_key(|r| (r.range.start, r.range.end));
        analysis.invocations.sort_by_key(|i| (i.range.start, i.range.end));
        let mut order: Vec<DefId> = (0..analysis.definitions.len() as u32).map(DefId).collect();
        order.sort_by_key(|d| analysis.definitions[d.0 as usize].name_range.start);
        analysis.definition_order = order;
        analysis
    }

    // ---------------------------------------------------------------------------------------------------
    // Scopes, definitions and the name stacks

    fn new_scope(&mut self, kind: ScopeKind, range: Range<usize>, parent: Option<ScopeId>) -> ScopeId {
        let id = ScopeId(self.analysis.scopes.len() as u32);
        self.analysis.scopes.push(Scope { kind, range, parent, definitions: Vec::new() });
        id
    }

    /// The name a name token stands for.
    fn name_of(&mut self, node: Node<'t>) -> Name {
        let text = self.text;
        let name = decode_name(&text[node.byte_range()]);
        self.analysis.intern(&name)
    }

    fn define(
        &mut self,
        kind: DefinitionKind,
        name: Name,
        name_range: Range<usize>,
        range: Range<usize>,
        value_range: Option<Range<usize>>,
        scope: ScopeId,
    ) -> DefId {
        let id = DefId(self.analysis.definitions.len() as u32);
        self.analysis.definitions.push(Definition { name, kind, name_range, range, value_range, scope });
        self.analysis.scopes[scope.0 as usize].definitions.push(id);
        id
    }

    /// Starts a batch of declarations: one let's bindings, one record's fields, one section's members.
    fn begin_batch(&mut self) -> u32 {
        self.batch += 1;
        self.batch
    }

    /// Makes a definition visible; a second definition of a name in one batch is a duplicate, recorded and
    /// not pushed, so references see the first.
    fn declare(&mut self, def: DefId, batch: u32) {
        let name = self.analysis.definitions[def.0 as usize].name;
        let index = name.0 as usize;
        if self.stacks.len() <= index {
            self.stacks.resize_with(index + 1, Vec::new);
        }
        if let Some(top) = self.stacks[index].last() {
            if top.batch == batch {
                self.analysis.duplicates.push((top.inclusive, def));
                return;
            }
        }
        self.stacks[index].push(Visible { plain: Some(def), inclusive: def, batch });
        self.undo.push(name);
    }

    /// Inside the value of `def`, a plain reference to its name sees what is below it.
    fn exclude(&mut self, def: DefId) {
        let name = self.analysis.definitions[def.0 as usize].name;
        let Some(stack) = self.stacks.get_mut(name.0 as usize) else { return };
        // Only the definition that was pushed (the first of duplicates) hides itself.
        let Some(top) = stack.last() else { return };
        if top.plain != Some(def) {
            return;
        }
        let below = stack.len().checked_sub(2).and_then(|i| stack[i].plain);
        stack.push(Visible { plain: below, inclusive: def, batch: 0 });
        self.undo.push(name);
    }

    fn restore(&mut self, length: usize) {
        while self.undo.len() > length {
            let name = self.undo.pop().expect("longer than length");
            self.stacks[name.0 as usize].pop();
        }
    }

    /// The library entry of a name, looked up once per name.
    fn library(&mut self, name: Name) -> Option<&'static library::Entry> {
        let index = name.0 as usize;
        if self.library.len() <= index {
            self.library.resize(index + 1, None);
        }
        *self.library[index].get_or_insert_with(|| self.catalog.get(&self.analysis.names[index]))
    }

    fn resolve(&mut self, name: Name, kind: ReferenceKind) -> Resolution {
        let top = self.stacks.get(name.0 as usize).and_then(|stack| stack.last());
        let local = match kind {
            ReferenceKind::Inclusive => top.map(|visible| visible.inclusive),
            _ => top.and_then(|visible| visible.plain),
        };
        match local {
            Some(def) => Resolution::Definition(def),
            None => match self.library(name) {
                Some(entry) => Resolution::Library(entry),
                None => Resolution::Unresolved,
            },
        }
    }

    fn reference(&mut self, node: Node<'t>, kind: ReferenceKind, context: Context) -> Option<Resolution> {
        if node.is_missing() {
            return None;
        }
        let name = self.name_of(node);
        let resolution = self.resolve(name, kind);
        if resolution == Resolution::Unresolved {
            if let Some(resolution) = self.spaced_reference(node, kind, context) {
                return Some(resolution);
            }
        }
        // A bare name holding a character no name may hold already has its lexical diagnostic (M109); a
        // word between single quotes (`'Closed'`, text written as in SQL) has its syntax error (M101).
        let token = &self.text[node.byte_range()];
        let misspelt = !token.is_ascii()
            && node.kind_id() == GRAMMAR.kinds.identifier
            && chars::invalid_identifier_char(token).is_some();
        let single_quoted =
            self.text[..node.start_byte()].ends_with('\'') || self.text[node.end_byte()..].starts_with('\'');
        self.analysis.references.push(Reference {
            name,
            range: node.byte_range(),
            kind,
            resolution,
            scope: context.scope,
            in_error: context.in_error || misspelt || single_quoted,
        });
        Some(resolution)
    }

    /// `Changed Type` for the step `#"Changed Type"`: a name with spaces written without its quotes, which
    /// the parser reads as the name `Changed` and an error. For a first word that is unknown: when the words
    /// name a definition in scope, the reference is to that definition, over all the words (the syntax
    /// error says how to write it; the step is used; renaming it renames this use too).
    fn spaced_reference(
        &mut self,
        node: Node<'t>,
        kind: ReferenceKind,
        context: Context,
    ) -> Option<Resolution> {
        if kind != ReferenceKind::Plain || node.kind_id() != GRAMMAR.kinds.identifier {
            return None;
        }
        let text = self.text;
        if !text[node.end_byte()..].starts_with(' ') {
            return None;
        }
        let ends = crate::syntax::names::spaced_words(text, node.start_byte());
        let (name, end, def) = ends.iter().skip(1).rev().find_map(|&end| {
            let name = self.analysis.intern(&text[node.start_byte()..end]);
            match self.resolve(name, kind) {
                Resolution::Definition(def) => Some((name, end, def)),
                _ => None,
            }
        })?;
        let resolution = Resolution::Definition(def);
        self.analysis.references.push(Reference {
            name,
            range: node.start_byte()..end,
            kind,
            resolution,
            scope: context.scope,
            in_error: true,
        });
        Some(resolution)
    }

    /// The definition of a name token, if the token is really there.
    fn name_node(&self, node: Option<Node<'t>>) -> Option<Node<'t>> {
        node.filter(|n| !n.is_missing() && !n.byte_range().is_empty())
    }

    // ---------------------------------------------------------------------------------------------------
    // Children

    /// Fills `self.children` with the children of `node` and their field ids (0: no field).
    fn collect_children(&mut self, node: Node<'t>) {
        self.collect(node, true);
    }

    /// Fills `self.children` with the children of `node`, without their field ids (looking them up is a
    /// good part of the cost of a child).
    fn collect_children_only(&mut self, node: Node<'t>) {
        self.collect(node, false);
    }

    fn collect(&mut self, node: Node<'t>, fields: bool) {
        self.children.clear();
        self.cursor.reset(node);
        if self.cursor.goto_first_child() {
            loop {
                let field = if fields { self.cursor.field_id().map_or(0, |f| f.get()) } else { 0 };
                self.children.push((field, self.cursor.node()));
                if !self.cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }

    /// Pushes tasks so that they run in the order given.
    fn push_in_order(&mut self, from: usize) {
        self.tasks[from..].reverse();
    }

    // ---------------------------------------------------------------------------------------------------
    // Sections

    /// First pass over a section: its definition, its scope and its members' definitions, so that every
    /// section sees the shared members of the others.
    fn declare_section(&mut self, node: Node<'t>, document: ScopeId) {
        let (k, f) = (&GRAMMAR.kinds, &GRAMMAR.fields);
        let scope = self.new_scope(ScopeKind::Section, node.byte_range(), Some(document));
        let name_node = self.name_node(node.child_by_field_id(f.name));
        let section_def = name_node.map(|name_node| {
            let name = self.name_of(name_node);
            let def = self.define(
                DefinitionKind::Section,
                name,
                name_node.byte_range(),
                node.byte_range(),
                None,
                document,
            );
            self.section_defs.entry(name).or_insert(def);
            def
        });
        self.collect_children(node);
        let members: Vec<Node<'t>> =
            self.children.iter().filter(|(_, c)| c.kind_id() == k.section_member).map(|&(_, c)| c).collect();
        let mut infos = Vec::with_capacity(members.len());
        for member in members {
            let mut name_node = None;
            let mut value = None;
            let mut attributes = None;
            let mut shared = false;
            self.collect_children(member);
            for &(field, child) in &self.children {
                if field == f.name {
                    name_node = Some(child);
                } else if field == f.value {
                    value = Some(child);
                } else if field == f.attributes {
                    attributes = Some(child.byte_range());
                } else if field == f.shared {
                    shared = true;
                }
            }
            let def = self.name_node(name_node).map(|name_node| {
                let name = self.name_of(name_node);
                self.define(
                    DefinitionKind::SectionMember { shared, attributes, section: section_def },
                    name,
                    name_node.byte_range(),
                    member.byte_range(),
                    value.map(|v| v.byte_range()),
                    scope,
                )
            });
            infos.push((member, def));
        }
        self.sections.push(SectionInfo { node, scope, members: infos });
    }

    /// Second pass: makes the section's names visible and queues its attributes and members.
    fn enter_section(&mut self, index: usize) {
        let (k, f) = (&GRAMMAR.kinds, &GRAMMAR.fields);
        let start = self.undo.len();
        // Shared members of the other sections, below this section's own members.
        let batch = self.begin_batch();
        let mut elsewhere = Vec::new();
        for (other, info) in self.sections.iter().enumerate() {
            if other == index {
                continue;
            }
            for &(_, def) in &info.members {
                if let Some(def) = def {
                    if matches!(
                        self.analysis.definitions[def.0 as usize].kind,
                        DefinitionKind::SectionMember { shared: true, .. }
                    ) {
                        elsewhere.push(def);
                    }
                }
            }
        }
        for &def in &elsewhere {
            // A name shared by several other sections is ambiguous in M; the first one is shown.
            let name = self.analysis.definitions[def.0 as usize].name;
            if self.stacks.get(name.0 as usize).and_then(|s| s.last()).is_some_and(|v| v.batch == batch) {
                continue;
            }
            self.declare(def, batch);
        }
        let scope = self.sections[index].scope;
        if !elsewhere.is_empty() {
            self.analysis.shared_elsewhere.insert(scope, elsewhere);
        }
        let batch = self.begin_batch();
        let members: Vec<(Node<'t>, Option<DefId>)> = self.sections[index].members.clone();
        for &(_, def) in &members {
            if let Some(def) = def {
                self.declare(def, batch);
            }
        }
        let context = Context { scope, in_error: false, argument: None };
        let from = self.tasks.len();
        let node = self.sections[index].node;
        // The section's attributes, errors and comments, then each member's attributes and value.
        self.collect_children(node);
        let children = std::mem::take(&mut self.children);
        for &(field, child) in &children {
            if field == f.name || child.kind_id() == k.section_member || !child.is_named() {
                continue;
            }
            self.tasks.push(Task::Expression(child, context.with_error(child.is_error())));
        }
        self.children = children;
        for (member, _) in members {
            self.collect_children(member);
            // A value next to a syntax error may be what is left of something else: no unknown names.
            let broken = self.children.iter().any(|(_, child)| child.is_error());
            for i in 0..self.children.len() {
                let (field, child) = self.children[i];
                if field == f.name || field == f.shared || !child.is_named() {
                    continue;
                }
                let in_error = child.is_error() || (broken && field == f.value);
                self.tasks.push(Task::Expression(child, context.with_error(in_error)));
            }
        }
        self.tasks.push(Task::Restore(start));
        self.push_in_order(from);
    }

    // ---------------------------------------------------------------------------------------------------
    // Expressions

    fn expression(&mut self, node: Node<'t>, context: Context) {
        let k = &GRAMMAR.kinds;
        let kind = node.kind_id();
        if kind == k.identifier || kind == k.quoted_identifier {
            self.reference(node, ReferenceKind::Plain, context);
        } else if kind == k.inclusive_identifier {
            if let Some(name) = node.child_by_field_id(GRAMMAR.fields.name) {
                self.reference(name, ReferenceKind::Inclusive, context);
            }
        } else if kind == k.section_access {
            self.section_access(node, context);
        } else if kind == k.let_expression {
            self.binding_scope(node, context, ScopeKind::Let);
        } else if kind == k.record_expression {
            self.binding_scope(node, context, ScopeKind::Record);
        } else if kind == k.function_expression {
            self.function_expression(node, context);
        } else if kind == k.each_expression {
            self.each_expression(node, context);
        } else if kind == k.catch_clause {
            self.catch_clause(node, context);
        } else if kind == k.invoke_expression {
            self.invoke_expression(node, context);
        } else if k.is_type_construct(kind) {
            // `type X`: X is in type position; the others only appear here inside syntax errors.
            self.type_children(node, context);
        } else if kind == k.field_access || kind == k.projection {
            // `x[A]`, `x[[A], [B]]`: only the record is an expression; the field names are not references.
            self.collect_children(node);
            let from = self.tasks.len();
            for i in 0..self.children.len() {
                let (field, child) = self.children[i];
                if field == GRAMMAR.fields.record || child.is_error() {
                    self.tasks.push(Task::Expression(child, context.with_error(child.is_error())));
                }
            }
            self.push_in_order(from);
        } else if kind == k.binding || kind == k.record_field {
            // Only inside syntax errors, outside their let or record: the value is still walked.
            if let Some(value) = node.child_by_field_id(GRAMMAR.fields.value) {
                self.tasks.push(Task::Expression(value, context.in_value()));
            }
        } else if kind == k.implicit_field_access || kind == k.implicit_projection {
            self.implicit_access(node, context);
        } else if kind == k.generalized_identifier
            || kind == k.intrinsic_identifier
            || kind == k.primitive_type
            || kind == k.nullable_primitive_type
            || kind == k.parameter_list
            || kind == k.parameter
            || kind == k.comment
            || node.child_count() == 0
        {
            // No references inside.
        } else {
            self.generic(node, context);
        }
    }

    /// `[Field]` means `_[Field]`: with no `_` in scope (no `each` around it), the `each` was forgotten.
    fn implicit_access(&mut self, node: Node<'t>, context: Context) {
        let underscore = self.analysis.intern("_");
        match self.resolve(underscore, ReferenceKind::Plain) {
            // `let _ = ... in [Field]`: a use of that `_`.
            Resolution::Definition(def) => return self.analysis.implicit_uses.push(def),
            Resolution::Library(_) => return,
            Resolution::Unresolved if context.in_error || node.has_error() => return,
            Resolution::Unresolved => {}
        }
        let argument = context.argument.map(|(start, end)| start..end);
        if argument.as_ref().is_some_and(|argument| !self.each_forgotten.insert(argument.start)) {
            return;
        }
        let mistake = super::mistakes::missing_each(node, argument, self.text);
        self.analysis.mistakes.push(mistake);
    }

    /// Every named child in expression position (binary and unary operators, `if`, lists, `try`, ...).
    fn generic(&mut self, node: Node<'t>, context: Context) {
        if node.is_error() {
            return self.error_node(node, context);
        }
        self.collect_children_only(node);
        if node.kind_id() == GRAMMAR.kinds.binary_expression && !context.in_error {
            self.text_addition(node);
        }
        let from = self.tasks.len();
        for i in 0..self.children.len() {
            let (_, child) = self.children[i];
            if child.is_named() && may_hold_names(child) {
                self.tasks.push(Task::Expression(child, context));
            }
        }
        self.push_in_order(from);
    }

    /// `"Total: " & x` written `"Total: " + x`: `+` never adds text in M. With the children collected.
    fn text_addition(&mut self, node: Node<'t>) {
        let k = &GRAMMAR.kinds;
        let plus = self.children.iter().find(|(_, child)| child.kind_id() == k.plus);
        let text_operand = self.children.iter().any(|(_, child)| child.kind_id() == k.text_literal);
        if let Some(&(_, plus)) = plus.filter(|_| text_operand && !node.has_error()) {
            self.analysis.mistakes.push(super::mistakes::text_addition(plus.byte_range()));
        }
    }

    fn section_access(&mut self, node: Node<'t>, context: Context) -> Option<Resolution> {
        let f = &GRAMMAR.fields;
        // `a!=b` (a `!=` from another language) reads as the section access `a!` with an error in it.
        let context = context.with_error(node.has_error());
        let section = node.child_by_field_id(f.section).filter(|n| !n.is_missing())?;
        let section_name = self.name_of(section);
        let section_def = self.section_defs.get(&section_name).copied();
        self.analysis.references.push(Reference {
            name: section_name,
            range: section.byte_range(),
            kind: ReferenceKind::SectionName,
            resolution: section_def.map_or(Resolution::Unresolved, Resolution::Definition),
            scope: context.scope,
            in_error: context.in_error,
        });
        let member = node.child_by_field_id(f.member).filter(|n| !n.is_missing())?;
        let member_name = self.name_of(member);
        let resolution = match section_def {
            Some(section_def) => self
                .members_of(section_def)
                .get(&member_name)
                .copied()
                .map_or(Resolution::Unresolved, Resolution::Definition),
            None => Resolution::Unresolved,
        };
        self.analysis.references.push(Reference {
            name: member_name,
            range: member.byte_range(),
            kind: ReferenceKind::SectionMember,
            resolution,
            scope: context.scope,
            in_error: context.in_error,
        });
        Some(resolution)
    }

    /// The members of a section by name (the first of duplicates).
    fn members_of(&mut self, section: DefId) -> &HashMap<Name, DefId> {
        let analysis = &self.analysis;
        self.section_members.entry(section).or_insert_with(|| {
            let mut members = HashMap::new();
            for (id, def) in analysis.definitions.iter().enumerate() {
                if let DefinitionKind::SectionMember { section: Some(s), .. } = def.kind {
                    if s == section {
                        members.entry(def.name).or_insert(DefId(id as u32));
                    }
                }
            }
            members
        })
    }

    /// `let a = ..., b = ... in body` and `[a = ..., b = ...]`: the bindings or fields are defined and
    /// visible together; each value is walked with its own name excluded; then the body, if any.
    fn binding_scope(&mut self, node: Node<'t>, context: Context, kind: ScopeKind) {
        let f = &GRAMMAR.fields;
        let (member_field, definition_kind) = match kind {
            ScopeKind::Let => (f.binding, DefinitionKind::LetBinding),
            _ => (f.field, DefinitionKind::RecordField),
        };
        let scope = self.new_scope(kind, node.byte_range(), Some(context.scope));
        let inner = Context { scope, ..context };
        self.collect_children(node);
        let children = std::mem::take(&mut self.children);
        let start = self.undo.len();
        let batch = self.begin_batch();
        // Each binding: its definition (if named), its value, and the syntax errors inside it.
        let mut bindings: Vec<(Option<DefId>, Option<Node<'t>>, Vec<Node<'t>>)> = Vec::new();
        let mut binding_nodes = Vec::new();
        for (at, &(field, child)) in children.iter().enumerate() {
            if field != member_field {
                continue;
            }
            let parts = self.parts(child);
            let def = parts.name.map(|name_node| {
                let name = self.name_of(name_node);
                let def = self.define(
                    definition_kind.clone(),
                    name,
                    name_node.byte_range(),
                    child.byte_range(),
                    parts.value.map(|v| v.byte_range()),
                    scope,
                );
                self.declare(def, batch);
                def
            });
            bindings.push((def, parts.value, parts.errors));
            binding_nodes.push((def, at));
        }
        if kind == ScopeKind::Let {
            self.note_removals(&children, &binding_nodes);
            let body = children.iter().find(|&&(field, _)| field == f.body);
            if body.is_none_or(|(_, body)| body.is_missing())
                || children.iter().any(|(_, child)| child.is_error() || child.is_missing())
            {
                self.analysis.broken_scopes.insert(scope);
            }
        }
        let declared = self.undo.len();
        let from = self.tasks.len();
        for (def, value, errors) in bindings {
            if let Some(def) = def {
                self.tasks.push(Task::Exclude(def));
            }
            // A value next to a syntax error may be what is left of something else: no unknown names.
            let value_context = inner.in_value().with_error(!errors.is_empty());
            for error in errors {
                self.tasks.push(Task::Expression(error, inner.in_value().with_error(true)));
            }
            if let Some(value) = value {
                self.tasks.push(Task::Expression(value, value_context));
            }
            self.tasks.push(Task::Restore(declared));
        }
        for &(field, child) in &children {
            if field != member_field && child.is_named() {
                self.tasks.push(Task::Expression(child, inner.with_error(child.is_error())));
            }
        }
        self.tasks.push(Task::Restore(start));
        self.push_in_order(from);
        self.children = children;
    }

    /// The name (when really there), the value and the syntax errors of a binding, field or member.
    fn parts(&mut self, node: Node<'t>) -> Parts<'t> {
        let f = &GRAMMAR.fields;
        let mut parts = Parts { name: None, value: None, errors: Vec::new() };
        self.cursor.reset(node);
        if self.cursor.goto_first_child() {
            loop {
                let child = self.cursor.node();
                match self.cursor.field_id().map(|id| id.get()) {
                    Some(id) if id == f.name => parts.name = self.name_node(Some(child)),
                    Some(id) if id == f.value => parts.value = Some(child),
                    _ if child.is_error() => parts.errors.push(child),
                    _ => {}
                }
                if !self.cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        parts
    }

    /// Records, for each binding of a let with several, the text that removing it deletes: the binding and
    /// the comma after it up to the next binding (or comment), or for the last one the comma before it.
    /// `bindings` are the definitions with their binding's index in `children` (found by position, never
    /// searched for: a let of 50,000 steps would make that search quadratic).
    fn note_removals(&mut self, children: &[(u16, Node<'t>)], bindings: &[(Option<DefId>, usize)]) {
        if bindings.len() < 2 {
            return;
        }
        let comma = GRAMMAR.kinds.comma;
        for &(def, at) in bindings {
            let Some(def) = def else { continue };
            let node = children[at].1;
            let after_comma =
                children.get(at + 1).filter(|(_, c)| c.kind_id() == comma).and(children.get(at + 2));
            let range = match after_comma {
                Some((_, next)) => node.start_byte()..next.start_byte(),
                None => match at.checked_sub(1).map(|i| children[i].1) {
                    Some(previous) if previous.kind_id() == comma => previous.start_byte()..node.end_byte(),
                    _ => continue,
                },
            };
            self.analysis.removals.insert(def, range);
        }
    }

    /// `(a, optional b as text) as number => body`.
    fn function_expression(&mut self, node: Node<'t>, context: Context) {
        let (k, f) = (&GRAMMAR.kinds, &GRAMMAR.fields);
        let scope = self.new_scope(ScopeKind::Function, node.byte_range(), Some(context.scope));
        let inner = Context { scope, ..context };
        let start = self.undo.len();
        let batch = self.begin_batch();
        let mut others = Vec::new();
        if let Some(list) = node.child_by_field_id(f.parameters) {
            self.collect_children(list);
            let parameters: Vec<(u16, Node<'t>)> = self.children.clone();
            for (field, parameter) in parameters {
                if field != f.parameter || parameter.kind_id() != k.parameter {
                    if parameter.is_error() {
                        others.push(parameter);
                    }
                    continue;
                }
                let Some(name_node) = self.name_node(parameter.child_by_field_id(f.name)) else { continue };
                let optional = parameter.child_by_field_id(f.optional).is_some();
                let name = self.name_of(name_node);
                let def = self.define(
                    DefinitionKind::Parameter { optional },
                    name,
                    name_node.byte_range(),
                    parameter.byte_range(),
                    None,
                    scope,
                );
                self.declare(def, batch);
            }
        }
        self.collect_children(node);
        let from = self.tasks.len();
        for i in 0..self.children.len() {
            let (field, child) = self.children[i];
            if field == f.body || (child.is_named() && child.is_error()) {
                self.tasks.push(Task::Expression(child, inner.with_error(child.is_error())));
            }
        }
        for other in others {
            self.tasks.push(Task::Expression(other, inner.with_error(true)));
        }
        self.tasks.push(Task::Restore(start));
        self.push_in_order(from);
    }

    /// `each body`: the implicit parameter `_`.
    fn each_expression(&mut self, node: Node<'t>, context: Context) {
        let scope = self.new_scope(ScopeKind::Each, node.byte_range(), Some(context.scope));
        let inner = Context { scope, ..context };
        let start = self.undo.len();
        let batch = self.begin_batch();
        let keyword = node.child(0).map_or(node.start_byte()..node.start_byte(), |k| k.byte_range());
        let name = self.analysis.intern("_");
        let def = self.define(DefinitionKind::EachParameter, name, keyword, node.byte_range(), None, scope);
        self.declare(def, batch);
        let from = self.tasks.len();
        self.collect_children_only(node);
        for i in 0..self.children.len() {
            let (_, child) = self.children[i];
            if child.is_named() {
                self.tasks.push(Task::Expression(child, inner.with_error(child.is_error())));
            }
        }
        self.tasks.push(Task::Restore(start));
        self.push_in_order(from);
    }

    /// `catch (e) => body` (the `try` around it is walked generically).
    fn catch_clause(&mut self, node: Node<'t>, context: Context) {
        let f = &GRAMMAR.fields;
        let scope = self.new_scope(ScopeKind::Catch, node.byte_range(), Some(context.scope));
        let inner = Context { scope, ..context };
        let start = self.undo.len();
        let batch = self.begin_batch();
        if let Some(name_node) = self.name_node(node.child_by_field_id(f.parameter)) {
            let name = self.name_of(name_node);
            let def = self.define(
                DefinitionKind::CatchParameter,
                name,
                name_node.byte_range(),
                node.byte_range(),
                None,
                scope,
            );
            self.declare(def, batch);
        }
        let from = self.tasks.len();
        self.collect_children(node);
        for i in 0..self.children.len() {
            let (field, child) = self.children[i];
            if field != f.parameter && child.is_named() {
                self.tasks.push(Task::Expression(child, inner.with_error(child.is_error())));
            }
        }
        self.tasks.push(Task::Restore(start));
        self.push_in_order(from);
    }

    /// `f(a, b)`: the callee is resolved here, so the invocation knows what it calls.
    fn invoke_expression(&mut self, node: Node<'t>, context: Context) {
        let (k, f) = (&GRAMMAR.kinds, &GRAMMAR.fields);
        self.collect_children(node);
        let mut function = None;
        let mut list = None;
        let from = self.tasks.len();
        for i in 0..self.children.len() {
            let (field, child) = self.children[i];
            if field == f.function {
                function = Some(child);
            } else if field == f.arguments {
                list = Some(child);
            } else if child.is_error() {
                self.tasks.push(Task::Expression(child, context.with_error(true)));
            }
        }
        let Some(function) = function else {
            self.tasks.truncate(from);
            return self.generic(node, context);
        };
        let callee = match self.callee(function, context) {
            Some(callee) => callee,
            None => {
                self.tasks.push(Task::Expression(function, context));
                None
            }
        };
        let mut invocation = Invocation {
            range: node.byte_range(),
            function_range: function.byte_range(),
            callee,
            arguments_range: node.end_byte()..node.end_byte(),
            arguments: Vec::new(),
            commas: Vec::new(),
            closed: false,
            malformed: false,
            in_error: context.in_error,
        };
        if let Some(list) = list {
            invocation.arguments_range = list.byte_range();
            self.collect_children(list);
            invocation.closed = self
                .children
                .last()
                .is_some_and(|(_, last)| !last.is_missing() && last.kind_id() == k.close_paren);
            // Arguments next to a syntax error may be what is left of something else: no unknown names.
            let broken = self.children.iter().any(|(_, child)| child.is_error() || child.is_missing());
            invocation.malformed = broken || list.has_error();
            for i in 0..self.children.len() {
                let (field, child) = self.children[i];
                let context = context.in_argument(child);
                if field == f.argument {
                    invocation.arguments.push(child.byte_range());
                    if may_hold_names(child) {
                        self.tasks.push(Task::Expression(child, context.with_error(broken)));
                    }
                } else if child.kind_id() == k.comma {
                    invocation.commas.push(child.start_byte());
                } else if child.is_error() {
                    // A comma the parser skipped (`f(a, )` while typing) still separates arguments.
                    let text = self.text;
                    invocation.commas.extend(
                        text[child.byte_range()].match_indices(',').map(|(at, _)| child.start_byte() + at),
                    );
                    self.tasks.push(Task::Expression(child, context.with_error(true)));
                } else if child.is_named() {
                    self.tasks.push(Task::Expression(child, context));
                }
            }
            // `#date(2023, 2, 29)`: the argument list's children are still collected.
            let date = match callee {
                Some(Resolution::Library(entry)) if super::literals::is_date_constructor(entry.name) => {
                    Some(entry)
                }
                _ => None,
            };
            if let Some(entry) = date.filter(|_| !invocation.malformed && !context.in_error) {
                let values: Vec<Option<f64>> = self
                    .children
                    .iter()
                    .filter(|(field, _)| *field == f.argument)
                    .map(|&(_, argument)| super::literals::number_value(argument, self.text))
                    .collect();
                if let Some((at, message)) = super::literals::date_literal_problem(entry.name, &values) {
                    let argument = invocation.arguments[at].clone();
                    self.analysis.mistakes.push(super::mistakes::date_out_of_range(argument, message));
                }
            }
        }
        self.push_in_order(from);
        self.analysis.invocations.push(invocation);
    }

    /// Resolves a function expression that is a name (recording its reference) and returns what it is;
    /// `None` when it is another kind of expression, left for the caller to walk.
    fn callee(&mut self, function: Node<'t>, context: Context) -> Option<Option<Resolution>> {
        let (k, f) = (&GRAMMAR.kinds, &GRAMMAR.fields);
        let kind = function.kind_id();
        if kind == k.identifier || kind == k.quoted_identifier {
            Some(self.reference(function, ReferenceKind::Plain, context))
        } else if kind == k.inclusive_identifier {
            Some(
                function
                    .child_by_field_id(f.name)
                    .and_then(|name| self.reference(name, ReferenceKind::Inclusive, context)),
            )
        } else if kind == k.section_access {
            Some(self.section_access(function, context))
        } else if kind == k.intrinsic_identifier {
            Some(self.catalog.get(&self.text[function.byte_range()]).map(Resolution::Library))
        } else {
            None
        }
    }

    /// A syntax error: its children are walked (unknown names there are not reported), and calls the
    /// parser could not build (`Text.PadStart("a", ` while typing) are recovered from its tokens, so that
    /// signature help still knows the call and the argument.
    fn error_node(&mut self, node: Node<'t>, context: Context) {
        let k = &GRAMMAR.kinds;
        let context = context.with_error(true);
        self.collect_children_only(node);
        let children = std::mem::take(&mut self.children);
        // An unclosed call runs to the end of what holds the error.
        let end = self.locator.parent(node).map_or(node.end_byte(), |parent| parent.end_byte());
        let mut open: Vec<Option<Invocation>> = Vec::new();
        let from = self.tasks.len();
        for (i, &(_, child)) in children.iter().enumerate() {
            let kind = child.kind_id();
            if child.is_named() {
                let before_paren =
                    children.get(i + 1).is_some_and(|(_, next)| next.kind_id() == k.open_paren);
                if before_paren {
                    if let Some(callee) = self.callee(child, context) {
                        open.push(Some(Invocation {
                            range: child.start_byte()..end,
                            function_range: child.byte_range(),
                            callee,
                            arguments_range: child.end_byte()..end,
                            arguments: Vec::new(),
                            commas: Vec::new(),
                            closed: false,
                            malformed: true,
                            in_error: true,
                        }));
                        continue;
                    }
                }
                self.tasks.push(Task::Expression(child, context));
            } else if kind == k.open_paren {
                // The `(` of a call opened just above, or a parenthesis of its own.
                match open.last() {
                    Some(Some(call)) if call.arguments_range.start == child.start_byte() => {}
                    _ => open.push(None),
                }
            } else if kind == k.comma {
                if let Some(Some(call)) = open.last_mut() {
                    call.commas.push(child.start_byte());
                }
            } else if kind == k.close_paren {
                if let Some(Some(mut call)) = open.pop() {
                    call.range.end = child.end_byte();
                    call.arguments_range.end = child.end_byte();
                    call.closed = true;
                    self.analysis.invocations.push(call);
                }
            }
        }
        self.analysis.invocations.extend(open.into_iter().flatten());
        self.push_in_order(from);
        self.children = children;
    }

    // ---------------------------------------------------------------------------------------------------
    // Types

    fn type_position(&mut self, node: Node<'t>, context: Context) {
        let k = &GRAMMAR.kinds;
        let kind = node.kind_id();
        if kind == k.identifier || kind == k.quoted_identifier {
            self.reference(node, ReferenceKind::Plain, context);
        } else if kind == k.primitive_type || kind == k.comment {
            // Nothing to resolve.
        } else if k.is_type_construct(kind) {
            self.type_children(node, context);
        } else {
            // `(type text)`, `type {Int64.Type}`'s parenthesized or primary expressions, section access.
            self.expression(node, context);
        }
    }

    /// The named children of a type constructor in type position, except field and parameter names.
    fn type_children(&mut self, node: Node<'t>, context: Context) {
        let f = &GRAMMAR.fields;
        let context = context.with_error(node.is_error());
        self.collect_children(node);
        let from = self.tasks.len();
        for i in 0..self.children.len() {
            let (field, child) = self.children[i];
            if field != f.name && child.is_named() {
                self.tasks.push(Task::Type(child, context.with_error(child.is_error())));
            }
        }
        self.push_in_order(from);
    }
}

/// Whether a node can hold a name: not a literal or other token without names.
fn may_hold_names(node: Node) -> bool {
    let k = &GRAMMAR.kinds;
    let kind = node.kind_id();
    kind == k.identifier || kind == k.quoted_identifier || node.child_count() > 0
}

impl Context {
    fn with_error(self, error: bool) -> Context {
        Context { in_error: self.in_error || error, ..self }
    }

    /// The context of an argument of a call (or of another child of its argument list).
    fn in_argument(self, argument: Node) -> Context {
        Context { argument: Some((argument.start_byte(), argument.end_byte())), ..self }
    }

    /// The context of the value of a binding, field or member: not part of an argument around it.
    fn in_value(self) -> Context {
        Context { argument: None, ..self }
    }
}
