//! Questions an editor asks of an [`Analysis`]: what is at this offset, where is it defined, where is it
//! used, which names are visible here, which call is the cursor in.
//!
//! Offsets are byte offsets into the analysed text. A position at the end of a name counts as on the
//! name, so that a cursor just after `Source|` finds `Source`.

use std::collections::HashSet;
use std::ops::Range;

use super::model::{
    Analysis, DefId, Definition, DefinitionKind, Invocation, Name, Reference, Resolution, Scope, ScopeId,
    ScopeKind,
};
use crate::diagnostics::Diagnostic;

/// The call around an offset, for signature help.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvocationAt<'a> {
    pub invocation: &'a Invocation,
    /// The index of the argument the offset is in (the number of commas before it).
    pub argument: usize,
}

impl Analysis {
    /// Every scope; the first is the document.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.0 as usize]
    }

    /// Every definition, in the order the walk met them.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    pub fn definition(&self, id: DefId) -> &Definition {
        &self.definitions[id.0 as usize]
    }

    /// Every reference, sorted by position.
    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// Every function call, sorted by position.
    pub fn invocations(&self) -> &[Invocation] {
        &self.invocations
    }

    /// The name diagnostics (`M2xx`), sorted by position, with `dfls-ignore` comments applied.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The text of a name.
    pub fn name(&self, name: Name) -> &str {
        &self.names[name.0 as usize]
    }

    /// The name of a definition.
    pub fn name_of(&self, id: DefId) -> &str {
        self.name(self.definition(id).name)
    }

    /// The interned id of a name, if the document has it anywhere.
    pub fn find_name(&self, text: &str) -> Option<Name> {
        self.name_ids.get(text).copied()
    }

    /// The reference whose name is at `offset`.
    pub fn reference_at(&self, offset: usize) -> Option<&Reference> {
        let after = self.references.partition_point(|r| r.range.start <= offset);
        // The last reference starting at or before the offset, or the one before it when two touch.
        self.references[..after]
            .iter()
            .rev()
            .take(2)
            .find(|r| r.range.start <= offset && offset <= r.range.end)
    }

    /// The definitions in the order of their names in the text.
    pub fn definitions_in_text_order(&self) -> &[DefId] {
        &self.definition_order
    }

    /// The definition whose name is at `offset`.
    pub fn definition_named_at(&self, offset: usize) -> Option<DefId> {
        let after = self.definition_order.partition_point(|&d| self.definition(d).name_range.start <= offset);
        self.definition_order[..after]
            .iter()
            .rev()
            .take(2)
            .copied()
            .find(|&d| self.definition(d).name_range.end >= offset)
    }

    /// The local definition at `offset` for go-to-definition, rename and references: the one whose name
    /// is there, or the one the reference there resolves to. `None` on a library name or an unknown one.
    pub fn definition_at(&self, offset: usize) -> Option<DefId> {
        self.definition_named_at(offset)
            .or_else(|| self.reference_at(offset).and_then(|r| r.resolution.definition()))
    }

    /// The references that resolve to a definition, in source order.
    pub fn references_to(&self, id: DefId) -> impl Iterator<Item = &Reference> + '_ {
        self.references.iter().filter(move |r| r.resolution == Resolution::Definition(id))
    }

    /// The ranges to highlight or rename for a definition: its name, then every reference, in source
    /// order. (The `_` of an `each` has the `each` keyword as its name range; do not rename that.)
    pub fn occurrences(&self, id: DefId) -> Vec<Range<usize>> {
        let mut ranges = vec![self.definition(id).name_range.clone()];
        ranges.extend(self.references_to(id).map(|r| r.range.clone()));
        ranges.sort_by_key(|r| r.start);
        ranges
    }

    /// The innermost scope around `offset` (the end of a scope counts as inside it).
    pub fn scope_at(&self, offset: usize) -> ScopeId {
        // Scopes are created in pre-order, so the last one that contains the offset is the innermost.
        let index =
            self.scopes.iter().rposition(|s| s.range.start <= offset && offset <= s.range.end).unwrap_or(0);
        ScopeId(index as u32)
    }

    /// The local names visible at `offset`, innermost first, without the ones they shadow: what a plain
    /// name typed there could refer to (completion adds the library). Inside the value of a binding or
    /// field, that binding is left out, as M does (`@name` can still reach it). Section names, which are
    /// not values, are never included.
    pub fn visible_at(&self, offset: usize) -> Vec<DefId> {
        self.visible_from(self.scope_at(offset), offset)
    }

    /// [`Analysis::visible_at`] from a known scope.
    pub(super) fn visible_from(&self, scope: ScopeId, offset: usize) -> Vec<DefId> {
        let mut seen = HashSet::new();
        let mut visible = Vec::new();
        let mut current = Some(scope);
        while let Some(id) = current {
            let scope = self.scope(id);
            for &def in &scope.definitions {
                let definition = self.definition(def);
                let own_value =
                    matches!(definition.kind, DefinitionKind::LetBinding | DefinitionKind::RecordField)
                        && definition
                            .value_range
                            .as_ref()
                            .is_some_and(|v| v.start <= offset && offset <= v.end);
                if definition.kind == DefinitionKind::Section || own_value {
                    continue;
                }
                if seen.insert(definition.name) {
                    visible.push(def);
                }
            }
            if scope.kind == ScopeKind::Section {
                for &def in self.shared_elsewhere.get(&id).map_or(&[][..], Vec::as_slice) {
                    if seen.insert(self.definition(def).name) {
                        visible.push(def);
                    }
                }
            }
            current = scope.parent;
        }
        visible
    }

    /// The innermost call whose argument list holds `offset` (after its `(`, up to its `)`), and the index
    /// of the argument there.
    pub fn invocation_at(&self, offset: usize) -> Option<InvocationAt<'_>> {
        let invocation = self
            .invocations
            .iter()
            .filter(|i| {
                let list = &i.arguments_range;
                list.start < offset && (offset < list.end || (offset == list.end && !i.closed))
            })
            .min_by_key(|i| i.arguments_range.len())?;
        let argument = invocation.commas.iter().filter(|&&comma| comma < offset).count();
        Some(InvocationAt { invocation, argument })
    }
}
