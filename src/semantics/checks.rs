//! The name diagnostics, read off a bound [`Analysis`]: unknown names (`M201`), wrong argument counts to
//! library functions (`M202`), duplicate names (`M203`) and unused let bindings (`M204`); after the
//! mistakes the walk met in single expressions (`mistakes`).

use std::collections::HashMap;

use super::model::{Analysis, DefId, DefinitionKind, Name, Reference, ReferenceKind, Resolution, ScopeKind};
use super::suggest::closest;
use crate::diagnostics::{codes, Diagnostic, Edit, Fix};
use crate::library::{self, EntryKind, Source};
use crate::syntax::names::m_name;

/// How many "did you mean" names an unknown name gets.
const SUGGESTIONS: usize = 3;

/// Computes the diagnostics of `analysis` (unsorted, unsuppressed) and its extra fixes.
pub(super) fn run(analysis: &mut Analysis) {
    let mut diagnostics = std::mem::take(&mut analysis.mistakes);
    unknown_names(analysis, &mut diagnostics);
    argument_counts(analysis, &mut diagnostics);
    duplicates(analysis, &mut diagnostics);
    unused_bindings(analysis, &mut diagnostics);
    analysis.diagnostics = diagnostics;
}

fn unknown_names(analysis: &mut Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let mut library_suggestions: HashMap<Name, Vec<&'static str>> = HashMap::new();
    // Suggestions cost a search of the names in scope and of the library per unknown name, so a flood of
    // them (100,000 unknown names in a generated file) would take minutes; only the first ones are shown
    // anyway ([`super::MAX_NAME_FINDINGS`]), so only they get suggestions.
    let mut suggested = 0;
    for reference in &analysis.references {
        if reference.resolution != Resolution::Unresolved || reference.in_error {
            continue;
        }
        if suggested == super::MAX_NAME_FINDINGS {
            let message = match reference.kind {
                ReferenceKind::SectionName => "this document has no section",
                ReferenceKind::SectionMember => "the section has no member",
                ReferenceKind::Plain | ReferenceKind::Inclusive => "unknown name",
            };
            let name = m_name(analysis.name(reference.name));
            diagnostics.push(Diagnostic::new(
                codes::M201,
                reference.range.clone(),
                format!("{message} `{name}`"),
            ));
            continue;
        }
        suggested += 1;
        let name = analysis.name(reference.name);
        // `True`, `NULL`, `None`: written as in Excel, SQL or Python.
        let literal =
            ["true", "false", "null"].into_iter().find(|literal| name.eq_ignore_ascii_case(literal));
        let literal = literal.or((name == "None").then_some("null"));
        if let Some(literal) = literal.filter(|_| reference.kind == ReferenceKind::Plain) {
            let how = if name.eq_ignore_ascii_case(literal) { " in lowercase" } else { "" };
            let message = format!("unknown name `{}`: M writes the value `{literal}`{how}", m_name(name));
            let mut diagnostic = Diagnostic::new(codes::M201, reference.range.clone(), message);
            let edit = Edit { range: reference.range.clone(), new_text: literal.to_string() };
            diagnostic.fixes.push(Fix { title: format!("replace with `{literal}`"), edits: vec![edit] });
            diagnostics.push(diagnostic);
            continue;
        }
        let (message, suggestions) = match reference.kind {
            ReferenceKind::Plain | ReferenceKind::Inclusive => {
                let library = library_suggestions.entry(reference.name).or_insert_with(|| {
                    let names = library::catalog()
                        .entries()
                        .iter()
                        .map(|entry| entry.name)
                        .filter(|candidate| !candidate.starts_with('#'));
                    closest(name, names, SUGGESTIONS)
                });
                let visible = analysis.visible_from(reference.scope, reference.range.start);
                let local = visible.iter().map(|&def| analysis.name_of(def));
                let suggestions: Vec<String> =
                    closest(name, local.chain(library.iter().copied()), SUGGESTIONS)
                        .into_iter()
                        .map(str::to_string)
                        .collect();
                (format!("unknown name `{}`", m_name(name)), suggestions)
            }
            ReferenceKind::SectionName => {
                let sections = analysis
                    .definitions
                    .iter()
                    .filter(|d| d.kind == DefinitionKind::Section)
                    .map(|d| analysis.name(d.name));
                let suggestions =
                    closest(name, sections, SUGGESTIONS).into_iter().map(str::to_string).collect();
                (format!("this document has no section `{}`", m_name(name)), suggestions)
            }
            ReferenceKind::SectionMember => {
                let Some((section, members)) = section_of(analysis, reference) else { continue };
                let suggestions =
                    closest(name, members, SUGGESTIONS).into_iter().map(str::to_string).collect();
                (format!("section `{}` has no member `{}`", m_name(section), m_name(name)), suggestions)
            }
        };
        let all: Vec<Fix> = suggestions
            .iter()
            .map(|suggestion| {
                let written = m_name(suggestion);
                Fix {
                    title: format!("replace with `{written}`"),
                    edits: vec![Edit { range: reference.range.clone(), new_text: written }],
                }
            })
            .collect();
        let message = match suggestions.as_slice() {
            [] => message,
            [one] => format!("{message}; did you mean `{}`?", m_name(one)),
            many => {
                let quoted: Vec<String> = many.iter().map(|s| format!("`{}`", m_name(s))).collect();
                format!("{message}; did you mean {}?", quoted.join(", "))
            }
        };
        let mut diagnostic = Diagnostic::new(codes::M201, reference.range.clone(), message);
        diagnostic.fixes = all;
        diagnostics.push(diagnostic);
    }
}

/// For the member of `Section!Member` whose section is known: the section's name and its members' names.
fn section_of<'a>(analysis: &'a Analysis, member: &Reference) -> Option<(&'a str, Vec<&'a str>)> {
    // The section name is the reference just before the member.
    let at = analysis.references.partition_point(|r| r.range.start < member.range.start);
    let section_reference =
        analysis.references[..at].iter().rev().find(|r| r.kind == ReferenceKind::SectionName)?;
    let section = section_reference.resolution.definition()?;
    let members = analysis
        .definitions
        .iter()
        .filter(|d| matches!(d.kind, DefinitionKind::SectionMember { section: Some(s), .. } if s == section))
        .map(|d| analysis.name(d.name))
        .collect();
    Some((analysis.name_of(section), members))
}

/// Whether the catalog really knows a function's parameters: some connectors are listed without them.
fn parameters_known(entry: &library::Entry) -> bool {
    !entry.parameters.is_empty() || (entry.source != Source::SharedExport && entry.ty != "nullable none")
}

fn argument_counts(analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for invocation in &analysis.invocations {
        let Some(Resolution::Library(entry)) = invocation.callee else { continue };
        if invocation.malformed
            || invocation.in_error
            || !matches!(entry.kind, EntryKind::Function | EntryKind::Constructor)
            || !parameters_known(entry)
        {
            continue;
        }
        let (required, total) = entry.arity();
        let given = invocation.arguments.len();
        if (required..=total).contains(&given) {
            continue;
        }
        let takes = match (required, total) {
            (r, t) if r == t => format!("{r} argument{}", if r == 1 { "" } else { "s" }),
            (r, t) if t == r + 1 => format!("{r} or {t} arguments"),
            (r, t) => format!("{r} to {t} arguments"),
        };
        let was = if given == 1 { "was" } else { "were" };
        let range = if given > total {
            invocation.arguments[total].start..invocation.arguments[given - 1].end
        } else {
            invocation.arguments_range.clone()
        };
        diagnostics.push(Diagnostic::new(
            codes::M202,
            range,
            format!("`{}` takes {takes} but {given} {was} given", entry.name),
        ));
    }
}

fn duplicates(analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for &(first, duplicate) in &analysis.duplicates {
        let definition = analysis.definition(duplicate);
        let name = m_name(analysis.name(definition.name));
        let scope = analysis.scope(definition.scope);
        let message = match (scope.kind, &definition.kind) {
            (ScopeKind::Let, _) => format!("this `let` already has a binding `{name}`"),
            (ScopeKind::Record, _) => format!("this record already has a field `{name}`"),
            (ScopeKind::Function, _) => format!("this function already has a parameter `{name}`"),
            (_, DefinitionKind::SectionMember { section: Some(section), .. }) => {
                format!("section `{}` already has a member `{name}`", m_name(analysis.name_of(*section)))
            }
            _ => format!("`{name}` is already defined here"),
        };
        diagnostics.push(Diagnostic::new(codes::M203, definition.name_range.clone(), message).with_related(
            analysis.definition(first).name_range.clone(),
            format!("`{name}` is first defined here"),
        ));
    }
}

fn unused_bindings(analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let mut used = vec![false; analysis.definitions.len()];
    // A duplicate is reported as such; nothing can refer to it.
    for &(_, duplicate) in &analysis.duplicates {
        used[duplicate.0 as usize] = true;
    }
    for reference in &analysis.references {
        if let Resolution::Definition(def) = reference.resolution {
            // A use inside the binding's own value (recursion through `@`) does not count.
            if !analysis.definition(def).range.contains(&reference.range.start) {
                used[def.0 as usize] = true;
            }
        }
    }
    for &def in &analysis.implicit_uses {
        used[def.0 as usize] = true;
    }
    for (index, definition) in analysis.definitions.iter().enumerate() {
        if definition.kind != DefinitionKind::LetBinding
            || used[index]
            || analysis.broken_scopes.contains(&definition.scope)
        {
            continue;
        }
        let id = DefId(index as u32);
        let name = m_name(analysis.name(definition.name));
        let mut diagnostic =
            Diagnostic::new(codes::M204, definition.name_range.clone(), format!("`{name}` is never used"));
        if let Some(range) = analysis.removals.get(&id) {
            diagnostic = diagnostic.with_fix(Fix {
                title: format!("remove the unused binding `{name}`"),
                edits: vec![Edit { range: range.clone(), new_text: String::new() }],
            });
        }
        diagnostics.push(diagnostic);
    }
}
