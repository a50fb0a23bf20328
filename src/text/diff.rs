//! A unified diff of two texts by lines, for `dfls fmt --diff` and `dfls push --diff`: the `similar` crate's
//! Myers diff, three lines of context, hunks as `diff -u` and `git diff` print them.
//!
//! Lines are compared with their line endings and printed without them (a CRLF file's diff shows no `\r`).
//! A search that would take longer than [`TIME_LIMIT`] (the whole of a large file rewritten) stops with a
//! diff that is still correct, only not the shortest.

use std::fmt::Write as _;
use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// How long the search for the shortest diff may take before a longer but correct one is taken.
pub const TIME_LIMIT: Duration = Duration::from_millis(500);

/// The unified diff from `old` to `new`, with `---`/`+++` headers naming them; empty when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::configure().timeout(TIME_LIMIT).diff_lines(old, new);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "{}", hunk.header());
        for change in hunk.iter_changes() {
            out.push(match change.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            });
            let line = change.value();
            out.push_str(line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(line));
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
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
        // Every line differs: the search gives up on the shortest diff in bounded time.
        let old: String = (0..5000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..5000).map(|i| format!("{}\n", i * 7)).collect();
        let diff = unified(&old, &new, "a", "b");
        assert!(diff.starts_with("--- a\n+++ b\n@@ -1,5000 +1,5000 @@\n"), "{}", &diff[..40]);
    }
}
