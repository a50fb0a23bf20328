//! A proof, without parsing, that formatted text means what its input meant: the cheap path of the check
//! [`super::verify`] makes with a second parse (the parse of a 10,000-line output was most of the time a
//! whole-document formatting request took).
//!
//! The formatter prints slices of its input (tokens, comments, subtrees kept as they are) with whitespace
//! between them. The output is the input up to whitespace when:
//!
//! 1. every piece printed is a slice of the input, the pieces come in input order without overlapping, and
//!    what lies between them in the input is whitespace (so nothing was dropped, added, moved or repeated,
//!    comments included);
//! 2. the output is those pieces, byte for byte, with only whitespace between them (so the printer kept
//!    them as they were).
//!
//! Whitespace separates tokens and is otherwise meaningless in M (it is an `extra` of the grammar), with
//! two exceptions, checked at every gap between two pieces:
//!
//! - two pieces that whitespace separated in the input must not touch in the output, unless one side is a
//!   bracket, a comma or a semicolon (which start or end a token whatever follows): `a and b` must not
//!   become `aandb`, nor `/ /* c */` `//* c */`;
//! - a line break after a piece whose last line may hold a line comment (`// ...`) must stay a line break,
//!   or what follows would be commented out.
//!
//! A token's own text never changes (each piece is a whole token or more), so a token cannot be split
//! either. When the proof does not go through, nothing is concluded: the caller parses the output and
//! compares the trees, as before. The proof is only for input without syntax errors, whose parse does
//! not depend on the error recovery's reading of whitespace.

/// Whether `output` is `input` up to whitespace, by the rules above, given the `pieces` the formatter
/// printed, in order. `false` means "not proven", not "different".
pub fn same_up_to_whitespace<'a>(
    input: &'a str,
    pieces: impl IntoIterator<Item = &'a str>,
    output: &str,
) -> bool {
    let base = input.as_ptr() as usize;
    let mut input_at = 0; // where the input's next gap starts
    let mut output_at = 0; // where the output's next gap starts
    let mut previous: Option<&str> = None;
    for piece in pieces {
        if piece.is_empty() {
            continue;
        }
        // 1. A slice of the input, after the previous one, with only whitespace between.
        let Some(start) = (piece.as_ptr() as usize).checked_sub(base) else { return false };
        if start < input_at || start + piece.len() > input.len() {
            return false;
        }
        let input_gap = &input[input_at..start];
        if !is_whitespace(input_gap) {
            return false;
        }
        // 2. The same bytes in the output, after whitespace.
        let output_gap_len =
            output[output_at..].len() - output[output_at..].trim_start_matches(is_space).len();
        let output_gap = &output[output_at..output_at + output_gap_len];
        let piece_at = output_at + output_gap_len;
        if !output[piece_at..].starts_with(piece) {
            return false;
        }
        if let Some(previous) = previous {
            if !gap_keeps_meaning(previous, input_gap, output_gap, piece) {
                return false;
            }
        }
        input_at = start + piece.len();
        output_at = piece_at + piece.len();
        previous = Some(piece);
    }
    // What follows the last piece: whitespace on both sides, and a comment still ended by a line break.
    let (input_rest, output_rest) = (&input[input_at..], &output[output_at..]);
    if !is_whitespace(input_rest) || !is_whitespace(output_rest) {
        return false;
    }
    previous.is_none_or(|last| {
        !(may_end_in_line_comment(last) && has_break(input_rest) && !has_break(output_rest))
    })
}

/// Whether the whitespace between two pieces still separates them as it did.
fn gap_keeps_meaning(before: &str, input_gap: &str, output_gap: &str, after: &str) -> bool {
    if !input_gap.is_empty() && output_gap.is_empty() {
        let separates = |c: Option<char>| c.is_some_and(|c| "()[]{},;".contains(c));
        if !separates(before.chars().next_back()) && !separates(after.chars().next()) {
            return false;
        }
    }
    !(may_end_in_line_comment(before) && has_break(input_gap) && !has_break(output_gap))
}

/// Whether a piece's last line may end inside a line comment: it holds `//` (in a text literal too,
/// which errs on the safe side).
fn may_end_in_line_comment(piece: &str) -> bool {
    let last_line = piece.rsplit(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']).next().unwrap_or(piece);
    last_line.contains("//")
}

fn has_break(gap: &str) -> bool {
    gap.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
}

/// M's whitespace: the grammar's extras other than comments (`[\t-\r\p{Zs}\u0085\u2028\u2029]` and the
/// byte-order mark), which is Unicode's White_Space plus U+FEFF.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

fn is_whitespace(text: &str) -> bool {
    text.chars().all(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces of `input` named by their texts, found in order.
    fn pieces<'a>(input: &'a str, texts: &[&str]) -> Vec<&'a str> {
        let mut at = 0;
        texts
            .iter()
            .map(|text| {
                let start = at + input[at..].find(text).expect("a piece of the input");
                at = start + text.len();
                &input[start..at]
            })
            .collect()
    }

    #[test]
    fn whitespace_changes_are_proven() {
        let input = "let  a = 1 ,\n b=a in\n  b";
        let p = pieces(input, &["let", "a", "=", "1", ",", "b", "=", "a", "in", "b"]);
        assert!(same_up_to_whitespace(input, p.clone(), "let\n    a = 1,\n    b = a\nin\n    b\n"));
        // `1 ,` became `1,`: the comma separates. `in` joined to `b` would not be.
        assert!(!same_up_to_whitespace(input, p.clone(), "let a = 1, b = a inb"));
        // A piece changed, dropped, repeated or out of order.
        assert!(!same_up_to_whitespace(input, p.clone(), "let a = 2, b = a in b"));
        assert!(!same_up_to_whitespace(input, p[1..].to_vec(), "a = 1, b = a in b"));
        let mut swapped = p.clone();
        swapped.swap(1, 5);
        assert!(!same_up_to_whitespace(input, swapped, "let b = 1, a = a in b"));
        // Something that is not whitespace in the output, or a piece that is not the input's.
        assert!(!same_up_to_whitespace(input, p.clone(), "let a = 1, b = a in b;"));
        assert!(!same_up_to_whitespace(input, ["let"], "let"));
    }

    #[test]
    fn a_line_comment_keeps_its_line_break() {
        let input = "1 // one\n+ 2";
        let p = pieces(input, &["1", "// one", "+", "2"]);
        assert!(same_up_to_whitespace(input, p.clone(), "1 // one\n    + 2"));
        assert!(!same_up_to_whitespace(input, p.clone(), "1 // one + 2"));
        // At the end too, and inside a subtree kept as it was.
        let input = "x // end\n";
        assert!(!same_up_to_whitespace(input, pieces(input, &["x", "// end"]), "x // end"));
        let input = "f(a, // why\n b)\n";
        let kept = pieces(input, &["f(a, // why\n b)"]);
        assert!(same_up_to_whitespace(input, kept, "f(a, // why\n b)\n"));
        let input = "\"http://x\"\n& y";
        let p = pieces(input, &["\"http://x\"", "&", "y"]);
        assert!(!same_up_to_whitespace(input, p, "\"http://x\" & y"), "errs on the safe side");
    }

    #[test]
    fn a_byte_order_mark_is_whitespace() {
        let input = "\u{FEFF}x  +1";
        let p = pieces(input, &["x", "+", "1"]);
        assert!(same_up_to_whitespace(input, p, "x + 1\n"));
    }
}
