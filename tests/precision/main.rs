//! The precision corpus: single mistakes planted by program in the repository's example items and item
//! fixtures, each of which must give exactly one error, on the line of the mistake (or, for a token alone on
//! its line, the line before; or the next non-blank
//! line, where a missing token is first seen), and no diagnostic the unmutated item does not have.
//!
//! The items are those of `examples/` and `tests/fixtures/items/` whose `mashup.pq` the checker finds
//! nothing wrong with; every kind of mistake ([`plant::Kind`]) is planted at every place it can be, and a
//! mutant that is still valid M (a `,` dropped before `-1` in a list) is counted apart. The figures per
//! kind are printed (`cargo test --test precision -- --nocapture`), and each kind must reach its threshold.
//! `PRECISION_VERBOSE=1` prints every miss with the diagnostics it got.

mod plant;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dfls::definition::{check_folder, FolderItem};
use dfls::diagnostics::{Diagnostic, FileReport, Severity};
use plant::{Kind, Mutant};

/// An item folder of the corpus, read.
struct Item {
    name: String,
    /// (part path, bytes), the `mashup.pq` among them.
    parts: Vec<(String, Vec<u8>)>,
}

impl Item {
    fn mashup(&self) -> &str {
        let (_, bytes) = self.parts.iter().find(|(path, _)| path == "mashup.pq").expect("a mashup.pq");
        std::str::from_utf8(bytes).expect("the corpus is UTF-8")
    }

    fn check(&self, mashup: &str) -> Vec<FileReport> {
        let parts = self.parts.iter().map(|(path, bytes)| {
            let bytes = if path == "mashup.pq" { mashup.as_bytes() } else { bytes.as_slice() };
            (path.as_str(), bytes)
        });
        check_folder(FolderItem::of_parts(self.name.clone(), self.name.clone(), parts))
    }
}

/// Every folder under `dir` (itself included) that holds a `mashup.pq` and a `queryMetadata.json`.
fn item_folders(dir: &Path, found: &mut Vec<PathBuf>) {
    if dir.join("mashup.pq").is_file() && dir.join("queryMetadata.json").is_file() {
        found.push(dir.to_path_buf());
    }
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("a readable folder").map(|e| e.expect("an entry").path()).collect();
    entries.sort();
    for entry in entries.into_iter().filter(|e| e.is_dir()) {
        item_folders(&entry, found);
    }
}

/// The items of the corpus: those the checker finds nothing wrong with.
fn corpus() -> Vec<Item> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders = Vec::new();
    item_folders(&root.join("examples"), &mut folders);
    item_folders(&root.join("tests/fixtures/items"), &mut folders);
    folders
        .into_iter()
        .map(|folder| {
            let mut parts: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
                .expect("a readable folder")
                .map(|e| e.expect("an entry").path())
                .filter(|path| path.is_file())
                .map(|path| {
                    let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
                    (name, std::fs::read(&path).expect("a readable file"))
                })
                .collect();
            parts.sort();
            let name = folder.file_name().expect("a folder name").to_string_lossy().into_owned();
            Item { name, parts }
        })
        .filter(|item| findings(&item.check(item.mashup())).is_empty())
        .collect()
}

/// Every diagnostic of the reports, with its file.
fn findings(reports: &[FileReport]) -> Vec<(&FileReport, &Diagnostic)> {
    reports.iter().flat_map(|report| report.diagnostics.iter().map(move |d| (report, d))).collect()
}

/// What happened to one mutant.
enum Outcome {
    /// Exactly one error, on the right line, nothing else.
    Hit,
    /// The mutant is valid M and nothing is reported: not a mistake after all.
    StillValid,
    Miss(String),
}

/// The 1-based line of an offset.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Where the first token at or after `at` starts: past spaces and comments.
fn next_token(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if trimmed.starts_with("/*") {
            at += trimmed.find("*/").map_or(trimmed.len(), |end| end + 2);
        } else {
            return at;
        }
    }
}

fn judge(item: &Item, mutant: &Mutant) -> Outcome {
    let reports = item.check(&mutant.text);
    let found = findings(&reports);
    if found.is_empty() && dfls::syntax::parse(&mutant.text).diagnostics.is_empty() {
        return Outcome::StillValid;
    }
    let mistake_line = line_of(&mutant.text, mutant.at);
    // A token that was alone on its line (a closing bracket under what it closes, as formatted code has it)
    // leaves that line blank: the mistake is then as much at the end of the line before.
    let line_start = mutant.text[..mutant.at].rfind('\n').map_or(0, |at| at + 1);
    let line_end = mutant.text[mutant.at..].find('\n').map_or(mutant.text.len(), |at| mutant.at + at);
    let blank = mutant.text[line_start..line_end].trim().is_empty();
    let before = mutant.text[..mutant.at].trim_end().len();
    let previous = if blank { line_of(&mutant.text, before) } else { mistake_line };
    let lines = [mistake_line, line_of(&mutant.text, next_token(&mutant.text, mutant.at)), previous];
    let errors: Vec<_> = found.iter().filter(|(_, d)| d.severity == Severity::Error).collect();
    let on_line = |(report, d): &&(&FileReport, &Diagnostic)| {
        report.path.ends_with("mashup.pq") && lines.contains(&line_of(&report.text, d.range.start))
    };
    if found.len() == 1 && errors.len() == 1 && errors.iter().all(on_line) {
        return Outcome::Hit;
    }
    let mut shown = format!("{}: {:?} planted at line {mistake_line}:\n", item.name, mutant.kind);
    let context: Vec<&str> = mutant.text.lines().skip(mistake_line.saturating_sub(2)).take(3).collect();
    for line in context {
        shown.push_str(&format!("    | {line}\n"));
    }
    for (report, d) in &found {
        let line = line_of(&report.text, d.range.start);
        shown.push_str(&format!("    {} {} line {line}: {}\n", d.severity.as_str(), d.code.id, d.message));
    }
    Outcome::Miss(shown)
}

/// The figures of one kind.
#[derive(Default)]
struct Tally {
    hits: usize,
    misses: usize,
    still_valid: usize,
}

impl Tally {
    fn planted(&self) -> usize {
        self.hits + self.misses
    }

    fn precision(&self) -> f64 {
        if self.planted() == 0 {
            return 1.0;
        }
        self.hits as f64 / self.planted() as f64
    }
}

/// The least precision each kind must keep, in percent. 95% is the acceptance of the issue; what the
/// checker reaches is asserted, so a regression fails the test.
fn threshold(kind: Kind) -> f64 {
    match kind {
        // `(date as date as number =>` and `(x as number => x`, a parameter list left open, and
        // `x{[Id = 1]?[Data]?`, an item access left open before `?`: the parser's recovery reports a
        // second error there; and a `)` dropped inside a call that goes on over the next lines
        // (`Date.From(DateTime.LocalNow(),` then `type logical`): the missing `)` is found lines later.
        Kind::ClosingBracket => 95.0,
        _ => 100.0,
    }
}

/// The least number of mutants each kind must have, so that a corpus change cannot empty a kind.
const MIN_PLANTED: usize = 8;

#[test]
fn planted_single_mistakes_give_one_error_on_their_line() {
    let items = corpus();
    assert!(items.len() >= 4, "the corpus has its items");
    let verbose = std::env::var_os("PRECISION_VERBOSE").is_some();
    let mut tallies: BTreeMap<Kind, Tally> = Kind::ALL.iter().map(|&kind| (kind, Tally::default())).collect();
    let mut misses: Vec<String> = Vec::new();
    for item in &items {
        for mutant in plant::mutants(item.mashup()) {
            let tally = tallies.get_mut(&mutant.kind).expect("every kind has a tally");
            match judge(item, &mutant) {
                Outcome::Hit => tally.hits += 1,
                Outcome::StillValid => tally.still_valid += 1,
                Outcome::Miss(shown) => {
                    tally.misses += 1;
                    misses.push(shown);
                }
            }
        }
    }
    if verbose {
        for miss in &misses {
            println!("{miss}");
        }
    }
    println!("| mistake planted | planted | one error on its line | precision |");
    println!("|---|---|---|---|");
    let mut failed = Vec::new();
    for (kind, tally) in &tallies {
        let precision = 100.0 * tally.precision();
        let valid = match tally.still_valid {
            0 => String::new(),
            n => format!(" (+{n} still valid M)"),
        };
        println!("| {} | {}{valid} | {} | {precision:.1}% |", kind.describe(), tally.planted(), tally.hits);
        if precision < threshold(*kind) || tally.planted() < MIN_PLANTED {
            failed.push(format!("{kind:?}: {precision:.1}% of {}", tally.planted()));
        }
    }
    let total: usize = tallies.values().map(Tally::planted).sum();
    let hits: usize = tallies.values().map(|t| t.hits).sum();
    println!("| all | {total} | {hits} | {:.1}% |", 100.0 * hits as f64 / total.max(1) as f64);
    assert!(
        failed.is_empty(),
        "kinds below their threshold: {failed:?} (PRECISION_VERBOSE=1 shows every miss)"
    );
}

/// The cascades the issue reported, each now one diagnostic at the mistake with its fix.
#[test]
fn reported_cascades_are_one_diagnostic() {
    let cases: [(&str, &str, usize, &str); 5] = [
        // A `,` dropped between two bindings: no unknown `b`, no unused `a`.
        ("let\n    a = 1\n    b = a + 1\nin\n    b\n", "M102", 3, "insert `,`"),
        // An operand left out: no unknown `#"in"`, `a` or `b`.
        ("let a = 1, b = a +  in b\n", "M102", 1, ""),
        // The `in` line dropped.
        ("let\n    a = 1,\n    b = a + 1\n    b\n", "M102", 4, "insert `in`"),
        // A closing quote dropped: at the opening quote, not lines later.
        (
            "section S;\nshared Q = let\n    Source = Sql.Database(\"sql.contoso.com, \"Sales\"),\n    Orders = Source{[Schema = \"dbo\", Item = \"Orders\"]}[Data]\nin\n    Orders;\n",
            "M103",
            3,
            "close the text after `\"sql.contoso.com`",
        ),
        // A call left open at the end of a step: at the `,` where its `)` belongs.
        (
            "section S;\nshared Q = let\n    Source = Sql.Database(\"a\", \"b\",\n    Orders = Source{[Item = \"Orders\"]}[Data]\nin\n    Orders;\n",
            "M102",
            3,
            "insert `)`",
        ),
    ];
    for (text, code, line, fix) in cases {
        let report = dfls::definition::loose::check_file("query.pq", text.as_bytes());
        let found: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| format!("{} {}: {}", d.code.id, line_of(text, d.range.start), d.message))
            .collect();
        assert_eq!(found.len(), 1, "{text}: {found:#?}");
        let diagnostic = &report.diagnostics[0];
        assert_eq!(
            (diagnostic.code.id, line_of(text, diagnostic.range.start)),
            (code, line),
            "{text}: {found:#?}"
        );
        let first_fix = diagnostic.fixes.first().map_or("", |fix| fix.title.as_str());
        assert_eq!(first_fix, fix, "{text}");
    }
}
