//! The formatter's guarantees over every M file of the repository and over generated ones: formatting is
//! stable (formatting formatted text changes nothing), keeps the meaning (the tree, comments aside, is the
//! same) and every comment, at several widths and with tabs; and snapshots of characteristic inputs.

use std::path::{Path, PathBuf};

use dfls::format::{self, verify, Options};
use dfls::syntax;

/// Every `.pq` file under a directory, recursively, sorted.
fn pq_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pq_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "pq") {
            found.push(path);
        }
    }
}

/// The inputs of the grammar's corpus tests: (title, input).
fn corpus_inputs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/tree-sitter-powerquery/test/corpus");
    let mut inputs = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let is_rule = |line: &str, c: char| line.len() >= 3 && line.chars().all(|x| x == c);
            if is_rule(lines[i], '=') && i + 2 < lines.len() && is_rule(lines[i + 2], '=') {
                let title = format!("{}: {}", file.file_name().unwrap().to_string_lossy(), lines[i + 1]);
                let mut j = i + 3;
                let mut input = Vec::new();
                while j < lines.len() && !is_rule(lines[j], '-') {
                    input.push(lines[j]);
                    j += 1;
                }
                inputs.push((title, input.join("\n").trim_matches('\n').to_string()));
                i = j;
            } else {
                i += 1;
            }
        }
    }
    assert!(inputs.len() > 100, "the corpus was not read: {} inputs", inputs.len());
    inputs
}

/// Every M text the repository holds: fixtures, examples, the grammar's corpus.
fn all_inputs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    pq_files(&root.join("tests/fixtures"), &mut paths);
    pq_files(&root.join("examples"), &mut paths);
    paths.sort();
    assert!(paths.len() > 90, "only {} fixtures", paths.len());
    let mut inputs: Vec<(String, String)> = paths
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8(bytes).ok()?;
            Some((path.strip_prefix(root).unwrap().display().to_string(), text))
        })
        .collect();
    inputs.extend(corpus_inputs());
    inputs
}

fn option_sets() -> Vec<Options> {
    vec![
        Options::default(),
        Options { line_width: 80, ..Options::default() },
        Options { line_width: 40, ..Options::default() },
        Options { indent_width: 4, use_tabs: true, line_width: 100 },
    ]
}

/// Checks stability, meaning and comments of one input; returns what failed.
fn check(name: &str, text: &str, options: &Options) -> Option<String> {
    let once = format::format(text, options);
    let twice = format::format(&once, options);
    if once != twice {
        return Some(format!("{name} ({options:?}) is not stable:\n--- once\n{once}\n--- twice\n{twice}"));
    }
    let before = syntax::parse(text).tree;
    let after = syntax::parse(&once).tree;
    if let Err(difference) = verify::equivalent(text, &before, &once, &after) {
        return Some(format!("{name} ({options:?}) changed meaning: {difference}\n--- output\n{once}"));
    }
    let comments = verify::comments(text, &before);
    if comments.iter().any(|comment| !once.contains(comment)) {
        return Some(format!("{name} ({options:?}) lost a comment"));
    }
    // The language server's small edits give the same text.
    match format::edits::format_edits(text, &before, options) {
        Ok(edits) => {
            let mut edited = text.to_owned();
            for edit in edits.iter().rev() {
                edited.replace_range(edit.range.clone(), &edit.new_text);
            }
            if edited != once {
                return Some(format!("{name} ({options:?}): the edits give another text:\n{edited}"));
            }
        }
        Err(error) => return Some(format!("{name} ({options:?}): no edits: {error}")),
    }
    None
}

#[test]
fn every_m_file_of_the_repository_formats_stably_and_keeps_its_meaning() {
    let inputs = all_inputs();
    let mut failures = Vec::new();
    for (name, text) in &inputs {
        for options in option_sets() {
            failures.extend(check(name, text, &options));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Shows what a snapshot cannot: CR, tabs and a byte-order mark.
fn visible(text: &str) -> String {
    text.replace('\u{feff}', "<BOM>").replace('\r', "␍").replace('\t', "␉")
}

#[test]
fn snapshots_of_characteristic_inputs_at_two_widths() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format");
    let mut paths = Vec::new();
    pq_files(&dir, &mut paths);
    paths.sort();
    assert!(paths.len() >= 10);
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        for width in [80, 120] {
            let formatted = format::format(&text, &Options { line_width: width, ..Options::default() });
            insta::assert_snapshot!(format!("{name}@{width}"), visible(&formatted));
        }
    }
}

/// A small deterministic random number generator (xorshift), so generated inputs are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Random M, built from the grammar with random whitespace and comments between the tokens.
struct Generator {
    rng: Rng,
    out: String,
}

impl Generator {
    fn trivia(&mut self) {
        let trivia = [
            " ",
            " ",
            " ",
            " ",
            "\n",
            "  ",
            "\t",
            " /* c */ ",
            " // c\n",
            "\r\n",
            "\n\n",
            "\n  // own line\n",
        ];
        let pick = self.rng.pick(&trivia);
        self.out.push_str(pick);
    }

    fn token(&mut self, token: &str) {
        self.out.push_str(token);
        self.trivia();
    }

    fn name(&mut self) {
        let name =
            self.rng.pick(&["a", "Source", "Table.AddColumn", "#\"Changed type\"", "_", "x1", "Größe"]);
        self.token(name);
    }

    fn list_of(&mut self, open: &str, close: &str, depth: usize, item: fn(&mut Generator, usize)) {
        self.token(open);
        let count = self.rng.below(5);
        for i in 0..count {
            if i > 0 {
                self.token(",");
            }
            item(self, depth + 1);
        }
        self.token(close);
    }

    fn expression(&mut self, depth: usize) {
        let choice = if depth > 6 { self.rng.below(4) } else { self.rng.below(22) };
        match choice {
            0 => {
                let literal = self.rng.pick(&[
                    "1",
                    "2.5e3",
                    "0x1F",
                    "\"text\"",
                    "\"multi\nline\"",
                    "null",
                    "true",
                    "#!\"v\"",
                ]);
                self.token(literal)
            }
            1 | 2 => self.name(),
            3 => {
                self.token("[");
                self.token("Field");
                self.token("]");
            }
            4 => self.list_of("{", "}", depth, |g, d| {
                if g.rng.below(5) == 0 {
                    g.expression(d);
                    g.token("..");
                }
                g.expression(d)
            }),
            5 => self.list_of("[", "]", depth, |g, d| {
                {
                    let token = g.rng.pick(&["A", "Column 1", "#\"Order Date\""]);
                    g.token(token);
                }
                g.token("=");
                g.expression(d)
            }),
            6 | 7 => {
                self.name();
                self.list_of("(", ")", depth, Generator::expression);
            }
            8 => {
                self.token("let");
                let count = 1 + self.rng.below(3);
                for i in 0..count {
                    if i > 0 {
                        self.token(",");
                    }
                    self.name();
                    self.token("=");
                    self.expression(depth + 1);
                }
                self.token("in");
                self.expression(depth + 1);
            }
            9 => {
                self.token("if");
                self.expression(depth + 1);
                self.token("then");
                self.expression(depth + 1);
                self.token("else");
                self.expression(depth + 1);
            }
            10 => {
                self.token("each");
                self.expression(depth + 1);
            }
            11 => {
                self.list_of("(", ")", depth, |g, _| {
                    if g.rng.below(3) == 0 {
                        g.token("optional");
                    }
                    {
                        let token = g.rng.pick(&["p", "q", "#\"r s\""]);
                        g.token(token);
                    }
                    if g.rng.below(2) == 0 {
                        g.token("as");
                        {
                            let token = g.rng.pick(&["number", "text", "any"]);
                            g.token(token);
                        }
                    }
                });
                self.token("=>");
                self.expression(depth + 1);
            }
            12 | 13 => {
                self.expression(depth + 1);
                let operator =
                    self.rng.pick(&["+", "-", "*", "/", "&", "=", "<>", "<", ">=", "and", "or", "??"]);
                self.token(operator);
                self.expression(depth + 1);
            }
            14 => {
                let operator = self.rng.pick(&["-", "+", "not"]);
                self.token(operator);
                self.expression(depth + 1);
            }
            15 => {
                self.token("try");
                self.expression(depth + 1);
                if self.rng.below(2) == 0 {
                    self.token("otherwise");
                } else {
                    self.token("catch");
                    self.token("(");
                    self.token("e");
                    self.token(")");
                    self.token("=>");
                }
                self.expression(depth + 1);
            }
            16 => {
                self.expression(depth + 1);
                self.token("{");
                self.expression(depth + 1);
                self.token("}");
                if self.rng.below(2) == 0 {
                    self.token("?");
                }
            }
            17 => {
                self.name();
                self.token("[");
                self.token("Data");
                self.token("]");
            }
            18 => {
                self.token("type");
                let ty = self.rng.pick(&[
                    "table [A = text, optional B = nullable number, ...]",
                    "function (x as number) as text",
                    "{number}",
                    "nullable text",
                ]);
                self.token(ty);
            }
            19 => {
                self.token("(");
                self.expression(depth + 1);
                self.token(")");
            }
            20 => {
                self.expression(depth + 1);
                self.token("meta");
                self.list_of("[", "]", depth, |g, d| {
                    g.token("K");
                    g.token("=");
                    g.expression(d)
                });
            }
            _ => {
                self.token("error");
                self.expression(depth + 1);
            }
        }
    }

    fn document(&mut self) {
        if self.rng.below(2) == 0 {
            self.expression(0);
            return;
        }
        if self.rng.below(2) == 0 {
            self.token("[StagingDefinition = [Kind = \"FastCopy\"]]");
        }
        self.token("section");
        self.token("Section1");
        self.token(";");
        for _ in 0..1 + self.rng.below(4) {
            if self.rng.below(3) == 0 {
                self.token("[ItemType = \"MDF\"]");
            }
            if self.rng.below(4) != 0 {
                self.token("shared");
            }
            self.name();
            self.token("=");
            self.expression(0);
            self.token(";");
        }
    }
}

fn generated(seed: u64) -> String {
    let mut generator =
        Generator { rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1), out: String::new() };
    generator.document();
    generator.out
}

#[test]
fn generated_m_formats_stably_and_keeps_its_meaning() {
    let mut failures = Vec::new();
    for seed in 0..500 {
        let text = generated(seed);
        assert!(!syntax::parse(&text).tree.root_node().has_error(), "the generator wrote bad M:\n{text}");
        for line_width in [20, 60, 120] {
            let options = Options { line_width, ..Options::default() };
            failures.extend(check(&format!("generated #{seed}:\n{text}\n"), &text, &options));
        }
        if failures.len() > 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Fixtures with random damage: a slice cut out, or a bracket, comma, quote or keyword dropped in.
#[test]
fn damaged_m_formats_stably_and_keeps_every_token() {
    let inputs = all_inputs();
    let mut rng = Rng(0x5EED);
    let mut failures = Vec::new();
    for round in 0..2000 {
        let (name, text) = &inputs[rng.below(inputs.len())];
        if text.is_empty() {
            continue;
        }
        let mut at = rng.below(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let damaged = if rng.below(2) == 0 {
            let mut end = (at + 1 + rng.below(12)).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            format!("{}{}", &text[..at], &text[end..])
        } else {
            let inserted = rng.pick(&[
                "(", ")", "[", "]", "{", "}", ",", ";", "\"", "let ", " in ", "#\"", "/*", "=", "each ",
            ]);
            format!("{}{inserted}{}", &text[..at], &text[at..])
        };
        failures.extend(check(
            &format!("{name}, damaged (round {round}):\n{damaged}\n"),
            &damaged,
            &Options::default(),
        ));
        if failures.len() > 3 {
            break;
        }
    }
    assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Inside a syntax error, tree-sitter's recovery after the edits' incremental reparse read `=>` as `=` and `>`
/// where a full parse of the same text reads `=>`: the edits were refused as changing the meaning.
#[test]
fn edits_inside_a_syntax_error_are_judged_by_what_a_full_parse_reads() {
    let text = " as number) as number => x * 2\n";
    assert_eq!(check("a function cut before its parameter", text, &Options::default()), None);
}
