//! The values an analysis is made of: scopes, definitions, references, invocations, and interned names.
//!
//! Everything here is plain data with byte ranges into the analysed text; ids are indexes into the
//! [`Analysis`]'s vectors. The binder (`bind`) fills them in, the queries ([`super::query`]) and
//! the checks (`checks`) read them.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::diagnostics::Diagnostic;
use crate::library;

/// A definition: an index into [`Analysis::definitions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefId(pub u32);

/// A scope: an index into [`Analysis::scopes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(pub u32);

/// An interned name: `x`, `#"x"` and `#"#(0078)"` are the same `Name`. [`Analysis::name`] gives its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(pub u32);

/// What introduces a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// The whole document: its sections, or the one expression of an expression document.
    Document,
    /// A `section`: its members, visible in the whole section and mutually recursive.
    Section,
    /// A `let`: its bindings, visible in every value and the body.
    Let,
    /// A record expression `[...]`: its fields, visible in each other's values.
    Record,
    /// A function `(x, optional y) => ...`: its parameters, visible in the body.
    Function,
    /// An `each`: the implicit parameter `_`.
    Each,
    /// A `catch (e) => ...`: the error parameter.
    Catch,
}

/// A region of the text where a set of names is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The node that opens the scope: the whole `let`, record, function, `each`, catch clause or section.
    pub range: Range<usize>,
    /// The enclosing scope; `None` for the document.
    pub parent: Option<ScopeId>,
    /// The definitions of this scope, in source order (duplicates included).
    pub definitions: Vec<DefId>,
}

/// What a definition is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinitionKind {
    /// `section Name;`. Section names are not values: only `Name!Member` refers to them.
    Section,
    /// `shared Name = ...;` in a section.
    SectionMember {
        /// Whether the member is `shared` (visible unqualified from other sections).
        shared: bool,
        /// The literal attribute record before the member (`[DataDestinations = ...]`), if any.
        attributes: Option<Range<usize>>,
        /// The section the member belongs to (its [`DefinitionKind::Section`] definition), when the
        /// section has a name.
        section: Option<DefId>,
    },
    /// `Name = ...` in a `let`.
    LetBinding,
    /// `Name = ...` in a record expression.
    RecordField,
    /// A function parameter.
    Parameter {
        /// Whether it is `optional`.
        optional: bool,
    },
    /// The implicit parameter `_` of an `each`; its name range is the `each` keyword.
    EachParameter,
    /// The error parameter of `catch (e) => ...`.
    CatchParameter,
}

/// A name defined somewhere in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: Name,
    pub kind: DefinitionKind,
    /// Where the name is written (the `each` keyword for `_`).
    pub name_range: Range<usize>,
    /// The whole definition: the binding, field, member, parameter, `each` or catch clause.
    pub range: Range<usize>,
    /// The value of a member, binding or field, when it has one.
    pub value_range: Option<Range<usize>>,
    /// The scope the name is defined in.
    pub scope: ScopeId,
}

/// How a reference is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// `x` or `#"x"`, in an expression or a type.
    Plain,
    /// `@x`: sees the definition whose value it is in (a plain `x` there sees the outer `x`).
    Inclusive,
    /// The `Section` of `Section!Member`.
    SectionName,
    /// The `Member` of `Section!Member`.
    SectionMember,
}

/// What a reference refers to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolution {
    /// A definition of this document.
    Definition(DefId),
    /// A name of the standard library (or a Fabric connector).
    Library(&'static library::Entry),
    /// Nothing by that name is visible.
    Unresolved,
}

impl Resolution {
    /// The local definition, if the reference resolves to one.
    pub fn definition(self) -> Option<DefId> {
        match self {
            Resolution::Definition(id) => Some(id),
            _ => None,
        }
    }
}

/// A use of a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub name: Name,
    /// The name token: without the `@` of `@x`; only the section or the member of `Section!Member`.
    pub range: Range<usize>,
    pub kind: ReferenceKind,
    pub resolution: Resolution,
    /// The innermost scope around the reference.
    pub scope: ScopeId,
    /// Whether the reference is inside a syntax error; unknown names there are not reported, since the
    /// syntax error already is.
    pub in_error: bool,
}

/// A function call `f(a, b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// The whole `invoke_expression`.
    pub range: Range<usize>,
    /// The function expression (`Table.AddColumn`, `@f`, `S!f`, `#date`, `(f)`, ...).
    pub function_range: Range<usize>,
    /// What the function is when it is a name: the resolution of that name; `None` for other
    /// expressions, and for intrinsics (`#date`) the library does not know.
    pub callee: Option<Resolution>,
    /// The argument list, from `(` to `)` inclusive.
    pub arguments_range: Range<usize>,
    /// Each argument's range, in order.
    pub arguments: Vec<Range<usize>>,
    /// The offsets of the commas between arguments.
    pub commas: Vec<usize>,
    /// Whether the argument list ends with its `)` (while typing it may not yet).
    pub closed: bool,
    /// Whether the argument list holds a syntax error (its arguments are then not counted).
    pub malformed: bool,
    /// Whether the call is inside a syntax error.
    pub in_error: bool,
}

/// The result of [`super::analyze`]: every scope, definition, reference and invocation of a document, and
/// its name diagnostics (`M2xx`). Read it through the methods in [`super::query`].
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub(super) scopes: Vec<Scope>,
    pub(super) definitions: Vec<Definition>,
    /// Sorted by start offset.
    pub(super) references: Vec<Reference>,
    /// Sorted by start offset.
    pub(super) invocations: Vec<Invocation>,
    /// The definitions sorted by the start of their name.
    pub(super) definition_order: Vec<DefId>,
    pub(super) names: Vec<Box<str>>,
    pub(super) name_ids: FastMap<Box<str>, Name>,
    /// Pairs (first, duplicate) of definitions of one name in one let, record, section or parameter list.
    pub(super) duplicates: Vec<(DefId, DefId)>,
    /// For a let binding, the text to delete to remove it (with its comma), when the let has others.
    pub(super) removals: HashMap<DefId, Range<usize>>,
    /// Let scopes whose bindings or body are broken by a syntax error: no unused-binding hints there.
    pub(super) broken_scopes: HashSet<ScopeId>,
    /// Shared members of each section scope's sibling sections, visible unqualified (section scope ->
    /// members of other sections, in document order).
    pub(super) shared_elsewhere: HashMap<ScopeId, Vec<DefId>>,
    /// Definitions of `_` that a `[Field]` or `[[A], [B]]` uses (they are not references: nothing there
    /// to rename or to go to).
    pub(super) implicit_uses: Vec<DefId>,
    /// The diagnostics of mistakes the walk meets in single expressions (see `mistakes`), worded.
    pub(super) mistakes: Vec<Diagnostic>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// The interned id of a name, adding it when new.
    pub(super) fn intern(&mut self, name: &str) -> Name {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = Name(self.names.len() as u32);
        self.names.push(name.into());
        self.name_ids.insert(name.into(), id);
        id
    }
}

/// A hash map with a fast, non-cryptographic hash (the "Fx" hash of rustc): name lookups are most of
/// what resolution does, and names are not attacker-chosen keys that could degrade it badly.
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The Fx hash: a rotate, xor and multiply per word.
#[derive(Default)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, mut bytes: &[u8]) {
        while bytes.len() >= 8 {
            self.add(u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes")));
            bytes = &bytes[8..];
        }
        if bytes.len() >= 4 {
            self.add(u64::from(u32::from_le_bytes(bytes[..4].try_into().expect("four bytes"))));
            bytes = &bytes[4..];
        }
        for &byte in bytes {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
