//! Fuzzy matching of a typed pattern against names, for workspace symbols and for narrowing completion.
//!
//! Every character of the pattern must appear in the name, in order, ignoring case. The score rewards
//! what people mean when they type a few letters: a match at the start, at word starts (after a space,
//! `.`, `_`, or a lower-case letter followed by a capital: `TAC` finds `Table.AddColumn`), consecutive
//! characters, and the same case.

/// The score of `candidate` for `pattern`, higher is better; `None` when it does not match. An empty
/// pattern matches everything with score 0.
pub(crate) fn score(pattern: &str, candidate: &str) -> Option<u32> {
    if pattern.is_empty() {
        return Some(0);
    }
    let candidate_chars: Vec<char> = candidate.chars().collect();
    let mut score = 0u32;
    let mut position = 0;
    let mut previous_match: Option<usize> = None;
    for (n, p) in pattern.chars().enumerate() {
        let lower = p.to_lowercase().next().unwrap_or(p);
        // Prefer a word start at or after `position`, else the first occurrence.
        let mut found = None;
        for (i, &c) in candidate_chars.iter().enumerate().skip(position) {
            if c.to_lowercase().next().unwrap_or(c) != lower {
                continue;
            }
            if previous_match.is_some_and(|m| m + 1 == i) {
                found = Some(i);
                break;
            }
            if is_word_start(&candidate_chars, i) {
                found = Some(i);
                break;
            }
            found.get_or_insert(i);
        }
        let i = found?;
        // The first character must start a word, as editors require.
        if n == 0 && !is_word_start(&candidate_chars, i) {
            return None;
        }
        score += 1;
        if i == 0 {
            score += 8;
        }
        if is_word_start(&candidate_chars, i) {
            score += 6;
        }
        if previous_match.is_some_and(|m| m + 1 == i) {
            score += 4;
        }
        if candidate_chars[i] == p {
            score += 1;
        }
        previous_match = Some(i);
        position = i + 1;
    }
    // Shorter names are better matches of the same letters.
    Some(
        score * 100 / (100 + candidate_chars.len() as u32).max(1)
            + u32::from(candidate.eq_ignore_ascii_case(pattern)) * 50,
    )
}

fn is_word_start(chars: &[char], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let previous = chars[i - 1];
    !previous.is_alphanumeric() || (previous.is_lowercase() && chars[i].is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_in_order_ignoring_case() {
        assert!(score("tac", "Table.AddColumn").is_some());
        assert!(score("xyz", "Table.AddColumn").is_none());
        assert!(score("", "anything") == Some(0));
        assert!(score("sales", "Sales Orders") > score("sales", "Some awful long entry"));
        assert!(score("TAC", "Table.AddColumn") > score("TAC", "Table.Transpose.Accumulate"));
        assert!(score("orders", "Orders") > score("orders", "Raw Orders"));
    }
}
