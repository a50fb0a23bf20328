//! M names and text as the cross-file rules compare them: `#"Sales"` is the query `Sales`, `#"a""b"` is
//! `a"b`, and `#(cr,lf)`, `#(tab)`, `#(#)`, `#(0041)` escapes stand for their characters.
//!
//! The syntax module reports malformed escapes; here an escape that cannot be read is kept as written, so
//! decoding never fails. Pure string functions: no tree, no IO.

/// The name an `identifier` or `quoted_identifier` token stands for.
pub fn decode_name(token: &str) -> String {
    match token.strip_prefix("#\"") {
        Some(rest) => decode_quoted(rest.strip_suffix('"').unwrap_or(rest)),
        None => token.to_string(),
    }
}

/// The value of a `text_literal` token (`"a""b#(lf)"`); a verbatim literal `#!"..."` has no escapes.
pub fn decode_text(token: &str) -> String {
    if let Some(rest) = token.strip_prefix("#!\"") {
        return rest.strip_suffix('"').unwrap_or(rest).replace("\"\"", "\"");
    }
    let inner = token.strip_prefix('"').unwrap_or(token);
    decode_quoted(inner.strip_suffix('"').unwrap_or(inner))
}

/// Decodes the inside of a quoted name or text: `""` is `"`, `#(...)` escapes are their characters.
fn decode_quoted(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = rest.find(['"', '#']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("\"\"") {
            out.push('"');
            rest = after;
        } else if let Some((decoded, after)) = read_escape(rest) {
            out.push_str(&decoded);
            rest = after;
        } else {
            let c = rest.chars().next().expect("found above");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.push_str(rest);
    out
}

/// Reads `#(esc, esc, ...)` at the start of `text`: the characters and the text after the `)`.
fn read_escape(text: &str) -> Option<(String, &str)> {
    let inner = text.strip_prefix("#(")?;
    let end = inner.find(')')?;
    let mut decoded = String::new();
    for part in inner[..end].split(',') {
        let c = match part.trim() {
            "cr" => '\r',
            "lf" => '\n',
            "tab" => '\t',
            "#" => '#',
            hex if (hex.len() == 4 || hex.len() == 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            _ => return None,
        };
        decoded.push(c);
    }
    Some((decoded, &inner[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decode_as_m_reads_them() {
        assert_eq!(decode_name("Sales"), "Sales");
        assert_eq!(decode_name("#\"Sales\""), "Sales");
        assert_eq!(decode_name("#\"Sales Orders\""), "Sales Orders");
        assert_eq!(decode_name("#\"say \"\"hi\"\"\""), "say \"hi\"");
        assert_eq!(decode_name("#\"a#(tab)b#(#)(c#(0041)#(cr,lf)\""), "a\tb#(cA\r\n");
        // An escape that cannot be read stays as written.
        assert_eq!(decode_name("#\"a#(bad)b#(\""), "a#(bad)b#(");
        assert_eq!(decode_text("\"Q \"\"1\"\"\""), "Q \"1\"");
        assert_eq!(decode_text("#!\"a#(tab)\""), "a#(tab)");
    }
}
