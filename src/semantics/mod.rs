//! Names in M: scopes, definitions, references and their resolution, and the name diagnostics (`M2xx`).
//!
//! [`analyze`] walks a parsed document once and returns an [`Analysis`]: every scope (document, section,
//! `let`, record, function, `each`, `catch`), every definition (section members with their `shared` flag
//! and attributes, let bindings, record fields, parameters, the `_` of `each`, the `e` of `catch (e)`),
//! and every reference (a name in an expression or a type, `@name`, `Section!Member`) resolved to a
//! definition, to a library entry ([`crate::library`]) or to nothing. The queries editors need are
//! methods of [`Analysis`] ([`query`]): the definition and references at an offset (go to definition,
//! references, rename), the names visible at an offset (completion) and the call around an offset
//! (signature help).
//!
//! | module | owns |
//! |---|---|
//! | [`model`] | the values: [`Scope`], [`Definition`], [`Reference`], [`Invocation`], [`Analysis`] |
//! | `bind` | the walk that builds them and resolves names (M's scoping rules are listed there) |
//! | `broken` | where syntax errors leave the name diagnostics unreliable (they are dropped there) |
//! | `grammar` | the grammar's node kind and field ids the walk dispatches on |
//! | [`query`] | the questions editors ask |
//! | `checks` | `M201` unknown name, `M202` wrong argument count, `M203` duplicate name, `M204` unused binding |
//! | `mistakes` | met on the walk: `M201` a field access with no `_` (the `each` forgotten), `M205` text added with `+`, `M206` date or time part out of range |
//! | `literals` | the calendar behind `M206`: the parts of `#date`, `#time`, `#datetime`, `#datetimezone` |
//! | `suggest` | "did you mean": the closest names by edit distance |
//! | `suppress` | `// dfls-ignore M201` and `// dfls-ignore-file M204` comments |
//!
//! Scoping, in short: section members see each other and themselves; let bindings and record fields see
//! each other, but inside its own value a binding's name refers to the outer scope unless written
//! `@name`; `#"x"` and `x` are one name; local names, dotted ones included (`Table.ToNavigationTable`),
//! shadow the library; field names (`[A]`, `x[A]`, `[A = 1]`, `type [A = text]`) and function-type
//! parameter names are not references.
//!
//! May use `syntax`, `library`, `diagnostics` and `text`. Pure: no IO, no LSP types, byte offsets only;
//! never recurses on the depth of the tree.

mod bind;
mod broken;
mod checks;
mod grammar;
mod literals;
mod mistakes;
pub mod model;
pub mod query;
use crate::suggest; // "did you mean", shared with the command line
mod suppress;
#[cfg(test)]
mod tests;

use tree_sitter::Tree;

use crate::diagnostics::{codes, Code, Diagnostic};

pub use model::{
    Analysis, DefId, Definition, DefinitionKind, Invocation, Name, Reference, ReferenceKind, Resolution,
    Scope, ScopeId, ScopeKind,
};
pub use query::InvocationAt;

/// The codes whose ranges are unnecessary code: the language server shows them faded (LSP
/// `DiagnosticTag::Unnecessary`). Only `M204` (an unused let binding) today.
pub const UNNECESSARY: &[Code] = &[codes::M204];

/// Whether diagnostics of `code` mark unnecessary code (see [`UNNECESSARY`]).
pub fn is_unnecessary(code: Code) -> bool {
    UNNECESSARY.iter().any(|c| c.id == code.id)
}

/// Analyses the names of a parsed document (`tree` must be the parse of `text`). Never fails. The name
/// diagnostics of a text with syntax errors are those of the text as their fixes would make it
/// ([`crate::syntax::repair`]), their ranges mapped back, so that a mistake one fix explains (a dropped `,` between bindings) leaves no name unknown
/// and no step unused. Where no fix explains a syntax error, or a fix had to guess where a construct
/// closes, no name diagnostic is reported in the `let` or member around it (`broken`).
pub fn analyze(tree: &Tree, text: &str) -> Analysis {
    let mut analysis = analyze_unlimited(tree, text);
    limit_findings(&mut analysis.diagnostics);
    analysis
}

/// [`analyze`] with every name finding kept, for a caller that puts the findings of several analyses
/// together and limits them once ([`limit_findings`]).
pub fn analyze_unlimited(tree: &Tree, text: &str) -> Analysis {
    let syntax_errors =
        if tree.root_node().has_error() { crate::syntax::diagnose(tree, text) } else { Vec::new() };
    let repaired = crate::syntax::repair::repair(tree, text, &syntax_errors);
    let mut analysis = bind::Binder::new(tree, text).run(tree);
    match &repaired {
        // The editor's questions (the call around the cursor, the outline) are about the text as written;
        // the name diagnostics are those of the text as the fixes make it.
        Some(repaired) => {
            let mut fixed = bind::Binder::new(&repaired.tree, &repaired.text).run(&repaired.tree);
            checks::run(&mut fixed);
            analysis.mistakes.clear();
            analysis.diagnostics =
                fixed.diagnostics.into_iter().map(|diagnostic| repaired.map_diagnostic(diagnostic)).collect();
        }
        None => checks::run(&mut analysis),
    }
    let unreliable = broken::regions(&analysis, &syntax_errors, repaired.is_some(), text.len());
    broken::drop_inside(&mut analysis.diagnostics, &unreliable);
    suppress::apply(tree, text, &mut analysis.diagnostics);
    analysis.diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code.id).cmp(&(b.range.start, b.range.end, b.code.id))
    });
    analysis
}

/// How many name findings (`M2xx`) a file shows at most, as it shows at most
/// [`crate::syntax::MAX_SYNTAX_ERRORS`] syntax errors.
pub const MAX_NAME_FINDINGS: usize = 100;

/// Keeps the first [`MAX_NAME_FINDINGS`] of sorted name findings and says, where the next one was, how many
/// more there are (M207), as serious as the most serious of them: a generated file with 100,000 unknown
/// names would otherwise cost the editor a 30 MB answer and the terminal half a minute.
pub fn limit_findings(diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.len() <= MAX_NAME_FINDINGS {
        return;
    }
    let hidden = diagnostics.split_off(MAX_NAME_FINDINGS);
    let at = hidden[0].range.start;
    let severity = hidden.iter().map(|d| d.severity).min().unwrap_or(codes::M207.severity);
    let more = hidden.len();
    let mut count = Diagnostic::new(
        codes::M207,
        at..at,
        format!("too many name findings: {more} more from here on are not shown; fix the {MAX_NAME_FINDINGS} above first"),
    );
    count.severity = severity;
    diagnostics.push(count);
}
