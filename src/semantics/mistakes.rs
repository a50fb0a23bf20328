//! Mistakes in single expressions that the binder meets on its walk and words here: a field access with no
//! `_` in scope, the `each` forgotten (`M201`); text added with `+` (`M205`); a date or time literal with a
//! part out of range (`M206`, the calendar is in `literals`).

use std::ops::Range;

use tree_sitter::Node;

use crate::diagnostics::{codes, Diagnostic, Edit, Fix};

/// `Table.SelectRows(Orders, [Amount] > 0)`: `[Amount]` (the implicit access `node`) means `_[Amount]`, and
/// without an `each` there is no `_`. An unknown name (`_`), said in the words of the mistake; when the
/// access is part of a call's argument (at `argument`, which the binder knows from its walk), the fix puts
/// `each` before that argument.
pub(super) fn missing_each(node: Node, argument: Option<Range<usize>>, text: &str) -> Diagnostic {
    let written = &text[node.byte_range()];
    let shown = if written.len() <= 40 && !written.contains('\n') { written } else { "[...]" };
    let example = argument
        .clone()
        .map(|argument| &text[argument])
        .filter(|argument| argument.len() <= 60 && !argument.contains('\n'))
        .map_or(String::new(), |argument| format!(" (`each {argument}`)"));
    let message = format!(
        "`{shown}` reads a field of `_`, and no `_` is defined here: a function of each row or item starts with \
         `each`{example}"
    );
    let mut diagnostic = Diagnostic::new(codes::M201, node.byte_range(), message);
    if let Some(argument) = argument {
        let at = argument.start;
        let edit = Edit { range: at..at, new_text: "each ".to_string() };
        diagnostic.fixes.push(Fix { title: "insert `each`".to_string(), edits: vec![edit] });
    }
    diagnostic
}

/// `"Total: " + x`: `+` (at `plus`) adds numbers, durations and dates, never text (an error when it runs);
/// `&` joins text.
pub(super) fn text_addition(plus: Range<usize>) -> Diagnostic {
    let message = "`+` does not join text in M: text is joined with `&`";
    let edit = Edit { range: plus.clone(), new_text: "&".to_string() };
    let fix = Fix { title: "replace with `&`".to_string(), edits: vec![edit] };
    Diagnostic::new(codes::M205, plus, message).with_fix(fix)
}

/// A part of a date or time literal out of range: the argument at fault and why.
pub(super) fn date_out_of_range(argument: Range<usize>, message: String) -> Diagnostic {
    Diagnostic::new(codes::M206, argument, message)
}
