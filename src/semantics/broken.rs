//! Where syntax errors leave name diagnostics unreliable. The analysis reads a text with syntax errors as
//! their fixes would make it ([`crate::syntax::repair`]); what no fix explains, or where a fix is a guess,
//! is broken beyond one mistake, and an unknown name, an unused step or an argument count found there may
//! be the mistake's consequence rather than another one. The name diagnostics in those regions are dropped.

use std::ops::Range;

use super::model::{Analysis, DefinitionKind, ScopeKind};
use crate::diagnostics::Diagnostic;

/// The regions of the text whose name diagnostics are not reported, for the syntax errors of a text
/// analysed as repaired (`repaired`) or as written:
/// - a construct left open whose closing bracket or keyword the fix had to guess: from its opener (the
///   diagnostic's related range) to where it was found missing;
/// - a syntax error no fix explains (or any, when the text could not be repaired): the innermost `let`
///   around it, else the section member around it, else the whole text when it has no section.
pub(super) fn regions(
    analysis: &Analysis,
    syntax_errors: &[Diagnostic],
    repaired: bool,
    text_len: usize,
) -> Vec<Range<usize>> {
    let mut regions = Vec::new();
    let sectioned = analysis.definitions.iter().any(|d| d.kind == DefinitionKind::Section);
    // Lexical problems (a malformed number, a character a name cannot hold) break no construct.
    let parse_errors =
        syntax_errors.iter().filter(|d| matches!(d.code.id, "M101" | "M102" | "M103" | "M110"));
    for error in parse_errors {
        if let Some(opener) = error.related.first().filter(|opener| opener.range.start < error.range.start) {
            regions.push(opener.range.start..error.range.end.max(error.range.start + 1));
        }
        if repaired && !error.fixes.is_empty() {
            continue;
        }
        let at = error.range.start;
        let innermost_let = analysis
            .scopes
            .iter()
            .filter(|scope| scope.kind == ScopeKind::Let && scope.range.contains(&at))
            .min_by_key(|scope| scope.range.len())
            .map(|scope| scope.range.clone());
        let member = || {
            analysis
                .definitions
                .iter()
                .find(|d| matches!(d.kind, DefinitionKind::SectionMember { .. }) && d.range.contains(&at))
                .map(|d| d.range.clone())
        };
        match innermost_let.or_else(member) {
            Some(region) => regions.push(region),
            None if !sectioned => regions.push(0..text_len.max(1)),
            None => {}
        }
    }
    regions
}

/// Drops the diagnostics that touch one of `regions`.
pub(super) fn drop_inside(diagnostics: &mut Vec<Diagnostic>, regions: &[Range<usize>]) {
    if regions.is_empty() {
        return;
    }
    let touches = |range: &Range<usize>, region: &Range<usize>| {
        range.start < region.end && region.start < range.end.max(range.start + 1)
    };
    diagnostics.retain(|d| !regions.iter().any(|region| touches(&d.range, region)));
}
