//! "Did you mean": the names closest to an unknown one, by edit distance (unknown M names, Dataflow names,
//! parameter names).
//!
//! Distance is counted on lowercased characters (so `table.addcolumn` is at distance 0 from
//! `Table.AddColumn`), ties broken by the case-sensitive distance, then by the candidates' order (local
//! names are offered before library names), then alphabetically. A candidate must be within a third of
//! the name's length (at least 1, at most 4) and share at least one character position with it.

/// The distance at most which a candidate is offered for a name of `length` characters.
fn threshold(length: usize) -> usize {
    (length / 3).clamp(1, 4)
}

/// Up to `limit` candidates closest to `name`, best first. Candidates equal to `name` are skipped.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<&'a str> {
    let target: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let exact: Vec<char> = name.chars().collect();
    let max = threshold(target.len());
    let mut scored: Vec<(usize, usize, usize, &'a str)> = Vec::new();
    let mut lowered = Vec::new();
    let mut row = Vec::new();
    for (order, candidate) in candidates.into_iter().enumerate() {
        if candidate == name {
            continue;
        }
        // A cheap bound first: the distance is at least the difference in length.
        let length = candidate.chars().count();
        if length.abs_diff(exact.len()) > max {
            continue;
        }
        lowered.clear();
        lowered.extend(candidate.chars().flat_map(char::to_lowercase));
        let Some(distance) = bounded_distance(&target, &lowered, max, &mut row) else { continue };
        if distance >= target.len().max(lowered.len()) {
            continue;
        }
        let candidate_chars: Vec<char> = candidate.chars().collect();
        let case_distance =
            bounded_distance(&exact, &candidate_chars, usize::MAX, &mut row).unwrap_or(usize::MAX);
        scored.push((distance, case_distance, order, candidate));
    }
    scored.sort_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
    let mut out: Vec<&'a str> = Vec::new();
    for (_, _, _, candidate) in scored {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
        if out.len() == limit {
            break;
        }
    }
    out
}

/// The Levenshtein distance between `a` and `b`, or `None` when it is more than `max`.
fn bounded_distance(a: &[char], b: &[char], max: usize, row: &mut Vec<usize>) -> Option<usize> {
    row.clear();
    row.extend(0..=b.len());
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        let mut smallest = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let value = if ca == cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
            row[j + 1] = value;
            smallest = smallest.min(value);
        }
        if smallest > max {
            return None;
        }
    }
    let distance = row[b.len()];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        bounded_distance(&a, &b, 10, &mut Vec::new())
    }

    #[test]
    fn levenshtein() {
        assert_eq!(distance("", ""), Some(0));
        assert_eq!(distance("kitten", "sitting"), Some(3));
        assert_eq!(distance("Tabel", "Table"), Some(2));
        assert_eq!(distance("abc", ""), Some(3));
        assert_eq!(bounded_distance(&['a'; 8], &['b'; 8], 3, &mut Vec::new()), None);
    }

    #[test]
    fn closest_prefers_case_insensitive_matches_then_local_names() {
        let names = ["Table.AddColumn", "Table.AddColumns", "Table.AddIndexColumn", "table.addcolumn"];
        assert_eq!(
            closest("Table.addcolumn", names, 3),
            ["table.addcolumn", "Table.AddColumn", "Table.AddColumns"]
        );
        assert_eq!(closest("Tabel.AddColumn", names, 1), ["Table.AddColumn"]);
        assert_eq!(closest("Sorce", ["Source", "Sort", "x"], 3), ["Source"]);
        assert_eq!(
            closest("Navigaton", ["Navigation", "Navigation_1", "Nav"], 3),
            ["Navigation", "Navigation_1"]
        );
        // Nothing in common is no suggestion, even for short names.
        assert!(closest("x", ["a", "_"], 3).is_empty());
        assert_eq!(closest("x", ["xy", "a"], 3), ["xy"]);
        assert!(closest("Completely.Different", names, 3).is_empty());
    }
}
