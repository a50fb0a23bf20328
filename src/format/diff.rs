//! A unified diff of two texts by lines, for `dfls fmt --diff`: Myers' algorithm on the lines between the
//! common start and end, three lines of context, hunks as `diff -u` and `git diff` print them.
//!
//! Lines are compared with their line endings, printed without them. When the edit script would need more
//! than [`MAX_EDITS`] steps (the whole of a large file rewritten), the differing middle is shown as one
//! replacement instead: still a correct diff, found in bounded time and memory.

use std::fmt::Write as _;

/// The most edits searched for before the middle is shown as one replacement.
pub const MAX_EDITS: usize = 2000;

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// A line of both texts: (old index, new index).
    Keep(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The unified diff from `old` to `new`, with `---`/`+++` headers naming them; empty when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let edits = edit_script(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    const CONTEXT: usize = 3;
    // Hunks: runs of edits with at most 2 * CONTEXT kept lines between changes.
    let changes: Vec<usize> =
        edits.iter().enumerate().filter(|(_, e)| !matches!(e, Edit::Keep(..))).map(|(i, _)| i).collect();
    // The lines of each side before each edit.
    let mut before = Vec::with_capacity(edits.len() + 1);
    let (mut old, mut new) = (0, 0);
    for edit in &edits {
        before.push((old, new));
        match edit {
            Edit::Keep(..) => (old, new) = (old + 1, new + 1),
            Edit::Delete(_) => old += 1,
            Edit::Insert(_) => new += 1,
        }
    }
    let mut start = 0;
    while start < changes.len() {
        let mut end = start;
        while end + 1 < changes.len() && changes[end + 1] - changes[end] <= 2 * CONTEXT + 1 {
            end += 1;
        }
        let from = changes[start].saturating_sub(CONTEXT);
        let to = (changes[end] + CONTEXT + 1).min(edits.len());
        hunk(&mut out, &edits[from..to], before[from], &a, &b);
        start = end + 1;
    }
    out
}

/// Prints a hunk, given the lines of each side before it.
fn hunk(out: &mut String, edits: &[Edit], (old_before, new_before): (usize, usize), a: &[&str], b: &[&str]) {
    let (old_count, new_count) = edits.iter().fold((0, 0), |(old, new), edit| match edit {
        Edit::Keep(..) => (old + 1, new + 1),
        Edit::Delete(_) => (old + 1, new),
        Edit::Insert(_) => (old, new + 1),
    });
    // A side with no line in the hunk is numbered by the line before it, as `diff -u` does.
    let first = |before: usize, count: usize| if count == 0 { before } else { before + 1 };
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        range(first(old_before, old_count), old_count),
        range(first(new_before, new_count), new_count)
    );
    for edit in edits {
        let (prefix, line) = match *edit {
            Edit::Keep(i, _) => (' ', a[i]),
            Edit::Delete(i) => ('-', a[i]),
            Edit::Insert(j) => ('+', b[j]),
        };
        out.push(prefix);
        out.push_str(line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(line));
        out.push('\n');
        if !line.ends_with('\n') {
            out.push_str("\\ No newline at end of file\n");
        }
    }
}

fn range(line: usize, count: usize) -> String {
    if count == 1 {
        line.to_string()
    } else {
        format!("{line},{count}")
    }
}

/// The edits from `a` to `b`: common start and end kept, Myers in between.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Edit> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let mut edits: Vec<Edit> = (0..prefix).map(|i| Edit::Keep(i, i)).collect();
    let middle_a = &a[prefix..a.len() - suffix];
    let middle_b = &b[prefix..b.len() - suffix];
    match myers(middle_a, middle_b) {
        Some(middle) => edits.extend(middle.into_iter().map(|edit| match edit {
            Edit::Keep(i, j) => Edit::Keep(i + prefix, j + prefix),
            Edit::Delete(i) => Edit::Delete(i + prefix),
            Edit::Insert(j) => Edit::Insert(j + prefix),
        })),
        None => {
            edits.extend((0..middle_a.len()).map(|i| Edit::Delete(i + prefix)));
            edits.extend((0..middle_b.len()).map(|j| Edit::Insert(j + prefix)));
        }
    }
    let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
    edits.extend((0..suffix).map(|k| Edit::Keep(a_end + k, b_end + k)));
    edits
}

/// Myers' greedy shortest edit script, or `None` beyond [`MAX_EDITS`] edits.
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Edit>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // The furthest-reaching x on each diagonal after each number of edits, for the way back.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max.min(MAX_EDITS) as isize {
        trace.push(v[(offset - d) as usize..=(offset + d) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let index = (offset + k) as usize;
            let mut x = if k == -d || (k != d && v[index - 1] < v[index + 1]) {
                v[index + 1]
            } else {
                v[index - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[index] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, a.len(), b.len(), d));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: usize, m: usize, last: isize) -> Vec<Edit> {
    let mut edits = Vec::new();
    let (mut x, mut y) = (n as isize, m as isize);
    for d in (0..=last).rev() {
        // trace[d] holds v before step d, on diagonals -d..=d.
        let v = &trace[d as usize];
        let at = |k: isize| v[(k + d) as usize];
        let k = x - y;
        let previous_k = if d == 0 {
            0
        } else if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let previous_x = if d == 0 { 0 } else { at(previous_k) };
        let previous_y = previous_x - previous_k;
        while x > previous_x && y > previous_y {
            x -= 1;
            y -= 1;
            edits.push(Edit::Keep(x as usize, y as usize));
        }
        if d > 0 {
            if x == previous_x {
                edits.push(Edit::Insert(previous_y as usize));
            } else {
                edits.push(Edit::Delete(previous_x as usize));
            }
        }
        (x, y) = (previous_x, previous_y);
    }
    edits.reverse();
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\n", "a\n", "a", "b"), "");
    }

    #[test]
    fn a_changed_line_in_the_middle() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new, "a/x.pq", "b/x.pq"),
            "--- a/x.pq\n+++ b/x.pq\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn insertions_deletions_and_a_missing_final_newline() {
        let diff = unified("a\r\nb\r\nc", "a\r\nx\r\ny\r\nb\r\nc\r\n", "old", "new");
        assert_eq!(
            diff,
            "--- old\n+++ new\n@@ -1,3 +1,5 @@\n a\n+x\n+y\n b\n-c\n\\ No newline at end of file\n+c\n"
        );
        let diff = unified("a\nb\n", "b\n", "old", "new");
        assert_eq!(diff, "--- old\n+++ new\n@@ -1,2 +1 @@\n-a\n b\n");
        let diff = unified("", "a\n", "old", "new");
        assert_eq!(diff, "--- old\n+++ new\n@@ -0,0 +1 @@\n+a\n");
    }

    #[test]
    fn far_apart_changes_make_two_hunks_and_huge_ones_one_replacement() {
        let old: String = (0..30).map(|i| format!("{i}\n")).collect();
        let new: String =
            (0..30).map(|i| if i == 2 || i == 27 { "x\n".to_string() } else { format!("{i}\n") }).collect();
        assert_eq!(unified(&old, &new, "a", "b").matches("@@ -").count(), 2);
        let old: String = (0..5000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..5000).map(|i| format!("{}\n", i * 7)).collect();
        let diff = unified(&old, &new, "a", "b");
        assert!(diff.starts_with("--- a\n+++ b\n@@ -1,5000 +1,5000 @@\n"), "{}", &diff[..40]);
    }
}
