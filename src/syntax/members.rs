//! Where the members of a section document end, found by lexing alone: a `;` outside brackets, text
//! literals, quoted names and comments ends the `section Name;` declaration and then each member.
//!
//! A document of tens of megabytes (a generated item of 50,000 queries) makes a tree of about twenty
//! bytes a byte of text; checking it in pieces of whole members keeps the memory of a piece at a time.
//! This scan is what cuts the pieces. It answers only for a text it reads with certainty (a section
//! document whose brackets balance at every `;` it cuts at, with no literal or comment left open), and
//! `None` for anything else, which is then parsed whole.

/// The end of the `section Name;` declaration (after its `;`) and the end of each member after it (after
/// its `;`), or `None` when the text is not plainly a section document of balanced members.
pub fn member_ends(text: &str) -> Option<(usize, Vec<usize>)> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut depth: usize = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(after) = after_literal_or_comment(text, at) {
            at = after?;
            continue;
        }
        match bytes[at] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                at += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                at += 1;
            }
            b';' if depth == 0 => {
                at += 1;
                // A comment on the rest of the line is the member's (`shared A = B; // dfls-ignore M201`).
                let spaces = bytes[at..].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                if bytes[at + spaces..].starts_with(b"//") {
                    at += spaces;
                    at += text[at..]
                        .find(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
                        .unwrap_or(text.len() - at);
                }
                ends.push(at);
            }
            // A second section declaration: the document is not one section of members.
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let word =
                    bytes[at..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
                let length = word.count();
                if depth == 0 && !ends.is_empty() && &bytes[at..at + length] == b"section" {
                    return None;
                }
                at += length;
            }
            _ => at += 1,
        }
    }
    if depth != 0 || ends.is_empty() || !only_comments(&text[ends[ends.len() - 1]..]) {
        return None;
    }
    let header_end = ends.remove(0);
    // The declaration is `[attributes] section Name;`: the keyword must be in it.
    let header = &text[..header_end];
    if !header.split(|c: char| !c.is_alphanumeric()).any(|word| word == "section") {
        return None;
    }
    Some((header_end, ends))
}

/// Where a text literal, quoted name or comment starting at `at` ends (`Some(None)` when it is never
/// closed), or `None` when none starts there.
fn after_literal_or_comment(text: &str, at: usize) -> Option<Option<usize>> {
    let bytes = text.as_bytes();
    Some(match bytes[at] {
        b'"' => quoted_end(bytes, at + 1),
        b'#' if bytes.get(at + 1) == Some(&b'"') => quoted_end(bytes, at + 2),
        b'#' if bytes.get(at + 1) == Some(&b'!') && bytes.get(at + 2) == Some(&b'"') => {
            quoted_end(bytes, at + 3)
        }
        b'/' if bytes.get(at + 1) == Some(&b'/') => Some(
            at + text[at..].find(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}']).unwrap_or(text.len() - at),
        ),
        b'/' if bytes.get(at + 1) == Some(&b'*') => text[at + 2..].find("*/").map(|end| at + 2 + end + 2),
        _ => return None,
    })
}

/// Where the bracket after the first `most` unbalanced ones starts, when a text has more than `most`
/// brackets that close nothing or of those it leaves open at its end (by lexing alone: brackets in
/// literals and comments do not count; a literal or comment left open ends the scan). Valid M has none;
/// tens of thousands left open (a member pasted over and over without its `)`) cost tree-sitter's recovery
/// the square of their number at the end of the file, where it closes them all, and a million stray `)`
/// a tree of a million errors.
pub fn after_unbalanced_brackets(text: &str, most: usize) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut strays = 0;
    let mut cut = None;
    for_each_bracket(text, text.len(), |at, bracket| {
        match bracket {
            b'(' | b'[' | b'{' => open.push(at),
            _ if open.pop().is_none() => {
                strays += 1;
                if strays > most {
                    cut = Some(open.get(most).copied().map_or(at, |unclosed| unclosed.min(at)));
                    return false;
                }
            }
            _ => {}
        }
        true
    });
    cut.or_else(|| open.get(most).copied())
}

/// The brackets that close, innermost first, what is open at `at` (by lexing alone, as
/// [`after_unbalanced_brackets`] reads), for cutting a text there and keeping what comes before it whole.
pub fn closers_at(text: &str, at: usize) -> String {
    let mut open: Vec<u8> = Vec::new();
    for_each_bracket(text, at, |_, bracket| {
        match bracket {
            b'(' => open.push(b')'),
            b'[' => open.push(b']'),
            b'{' => open.push(b'}'),
            _ => {
                open.pop();
            }
        }
        true
    });
    open.iter().rev().map(|&closer| closer as char).collect()
}

/// Calls `found` with the offset and byte of each bracket before `end` outside literals and comments, in
/// order, until it returns `false`; a literal or comment left open ends the scan.
fn for_each_bracket(text: &str, end: usize, mut found: impl FnMut(usize, u8) -> bool) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < end.min(bytes.len()) {
        if let Some(after) = after_literal_or_comment(text, at) {
            match after {
                Some(after) => at = after,
                None => return,
            }
            continue;
        }
        if matches!(bytes[at], b'(' | b'[' | b'{' | b')' | b']' | b'}') && !found(at, bytes[at]) {
            return;
        }
        at += 1;
    }
}

/// Whether `rest` holds only whitespace and comments.
fn only_comments(rest: &str) -> bool {
    let mut rest = rest.trim_start();
    while !rest.is_empty() {
        if let Some(line) = rest.strip_prefix("//") {
            rest = line.find('\n').map_or("", |end| &line[end..]).trim_start();
        } else if let Some(block) = rest.strip_prefix("/*") {
            match block.find("*/") {
                Some(end) => rest = block[end + 2..].trim_start(),
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// After the closing `"` of a quoted token whose body starts at `from` (`""` is an escaped quote); `None`
/// when it is never closed.
fn quoted_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += bytes[at..].iter().position(|&b| b == b'"')? + 1;
        if bytes.get(at) != Some(&b'"') {
            return Some(at);
        }
        at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbalanced_brackets_and_what_closes_them_are_found_by_lexing() {
        let text = r#"shared A = {[a = ("(", #"]", // }
            /* ) */ 1"#;
        assert_eq!(closers_at(text, text.len()), ")]}");
        assert_eq!(closers_at(text, 12), "}");
        assert_eq!(after_unbalanced_brackets(text, 3), None);
        assert_eq!(after_unbalanced_brackets(text, 1), Some(text.find('[').unwrap()));
        let strays = "1)))]";
        assert_eq!(after_unbalanced_brackets(strays, 2), Some(3));
        assert_eq!(after_unbalanced_brackets("{(1)}", 0), None);
    }

    fn pieces(text: &str) -> Option<Vec<&str>> {
        let (header, ends) = member_ends(text)?;
        let mut out = vec![&text[..header]];
        let mut start = header;
        for end in ends {
            out.push(text[start..end].trim());
            start = end;
        }
        Some(out)
    }

    #[test]
    fn members_end_at_semicolons_outside_brackets_literals_names_and_comments() {
        let text = "[Version = \"1;0\"] section S;\nshared A = let a = \"x;\" in a; // ;\n\
                    B = #\"y;\" + [c = {1; 2}][c]; /* ; */ C = #!\"z;\";\n// the end;\n";
        assert_eq!(
            pieces(text).unwrap(),
            [
                "[Version = \"1;0\"] section S;",
                "shared A = let a = \"x;\" in a; // ;",
                "B = #\"y;\" + [c = {1; 2}][c];",
                "/* ; */ C = #!\"z;\";"
            ]
        );
    }

    #[test]
    fn anything_not_plainly_a_section_document_is_not_cut() {
        for text in [
            "let a = 1 in a",                                      // an expression
            "section S; shared A = (1;",                           // a bracket left open
            "section S; shared A = 1);",                           // a bracket closed twice
            "section S; shared A = \"open;",                       // a literal left open
            "section S; shared A = 1; /* open",                    // a comment left open
            "section S; shared A = 1; B = 2",                      // a member without its `;`
            "shared A = 1; B = 2;",                                // no section declaration
            "section S; A = 1; [Hidden = true] section T; B = 2;", // two sections
        ] {
            assert_eq!(member_ends(text), None, "{text}");
        }
    }
}
