//! The grammar's tests without the tree-sitter CLI:
//!
//! - every case of `test/corpus/*.txt`, parsed through the Rust binding and compared with its expected
//!   S-expression the way `tree-sitter test` compares them;
//! - what S-expressions cannot show (anonymous fields such as `optional` and `?`, operator tokens, token
//!   extents such as a generalized identifier's) is as expected;
//! - the five query constants compile against the language.
//!
//! That the committed `src/` is what `tree-sitter generate` makes of `grammar.js` is checked with the CLI by
//! the dfls repository's `tests/tools/grammar.rs`, where a missing CLI fails CI.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use tree_sitter::{Language, Parser, Query};

fn grammar_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn language() -> Language {
    tree_sitter_powerquery::LANGUAGE.into()
}

// ---------------------------------------------------------------------------------------------------------
// Corpus files

/// One example of a corpus file.
#[derive(Debug)]
struct Case {
    file: String,
    /// 1-based line of the example's header, for messages.
    line: usize,
    name: String,
    input: Vec<u8>,
    /// The expected S-expression, normalised as `tree-sitter test` normalises it.
    expected: String,
    /// Whether the expected S-expression names fields (then the actual one keeps them).
    has_fields: bool,
    skip: bool,
    error: bool,
}

/// A line of `=` only, at least three: a header delimiter. (The CLI's optional delimiter suffixes, as in
/// `===|||`, are not supported here; `parse_corpus` refuses a file that uses them.)
fn is_header_delimiter(line: &str) -> bool {
    line.len() >= 3 && line.bytes().all(|b| b == b'=')
}

/// A line of `-` only, at least three: the divider between input and expected output.
fn is_divider(line: &str) -> bool {
    line.len() >= 3 && line.bytes().all(|b| b == b'-')
}

/// The lines of `content` as (start, end-without-newline, end-with-newline) byte offsets.
fn line_spans(content: &str) -> Vec<(usize, usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    while start < content.len() {
        let (end, next) = match content[start..].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (content.len(), content.len()),
        };
        let end_trimmed = if end > start && content.as_bytes()[end - 1] == b'\r' { end - 1 } else { end };
        spans.push((start, end_trimmed, next));
        start = next;
    }
    spans
}

/// Splits a corpus file into its examples, following `tree-sitter test`: a header is a line of `=`, one or
/// more lines of name and attributes (`:skip`, `:error`, ...), and another line of `=`; the longest line of
/// `-` after it ends the input (whose last newline is dropped); the rest up to the next header is the
/// expected output.
fn parse_corpus(file: &str, content: &str) -> Vec<Case> {
    let lines = line_spans(content);
    let text = |i: usize| &content[lines[i].0..lines[i].1];
    for i in 0..lines.len() {
        let line = text(i);
        assert!(
            !line.starts_with("===") || is_header_delimiter(line),
            "{file}:{}: header delimiters with a suffix are not supported by this test",
            i + 1
        );
    }

    // Headers: (first line index, index of the line after the closing delimiter).
    let mut headers = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // Name and attribute lines are not empty and do not start with `=`.
        let is_name_line = |l: usize| !text(l).is_empty() && !text(l).starts_with('=');
        if is_header_delimiter(text(i)) && i + 1 < lines.len() && is_name_line(i + 1) {
            let mut j = i + 1;
            while j < lines.len() && is_name_line(j) {
                j += 1;
            }
            if j < lines.len() && is_header_delimiter(text(j)) {
                headers.push((i, j + 1));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }

    let mut cases = Vec::new();
    for (k, &(first, after)) in headers.iter().enumerate() {
        let mut name = String::new();
        let (mut skip, mut error, mut seen_marker) = (false, false, false);
        for l in first + 1..after - 1 {
            let trimmed = text(l).trim();
            let marker = trimmed.split('(').next().unwrap_or("");
            match marker {
                ":skip" => (seen_marker, skip) = (true, true),
                ":error" => (seen_marker, error) = (true, true),
                ":fail-fast" | ":language" | ":platform" => seen_marker = true,
                _ if !seen_marker => {
                    name.push_str(text(l));
                    name.push('\n');
                }
                _ => {}
            }
        }
        if skip {
            error = false;
        }
        let name = name.trim_end().to_string();

        let body_start = if after < lines.len() { lines[after].0 } else { content.len() };
        let body_end = match headers.get(k + 1) {
            Some(&(next_first, _)) => lines[next_first].0,
            None => content.len(),
        };
        // The longest divider line wins; among equals, the last (as `Iterator::max_by_key` picks).
        let divider = (after..lines.len())
            .take_while(|&l| lines[l].0 < body_end)
            .filter(|&l| is_divider(text(l)))
            .max_by_key(|&l| lines[l].2 - lines[l].0);
        let Some(divider) = divider else {
            panic!("{file}:{}: example {name:?} has no `---` divider", first + 1);
        };

        let mut input = content.as_bytes()[body_start..lines[divider].0].to_vec();
        input.pop();
        let output = &content[lines[divider].2.min(body_end)..body_end];
        let expected = normalize_expected(output);
        let has_fields = has_field_names(&expected);
        cases.push(Case {
            file: file.to_string(),
            line: first + 1,
            name,
            input,
            expected,
            has_fields,
            skip,
            error,
        });
    }
    cases
}

/// `tree-sitter test`'s normalisation: drop `;` comment lines, collapse whitespace, no space before `)`.
fn normalize_expected(output: &str) -> String {
    let without_comments: Vec<&str> =
        output.split('\n').map(|line| if line.trim_start().starts_with(';') { "" } else { line }).collect();
    let joined = without_comments.join("\n");
    let collapsed = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace(" )", ")")
}

/// Whether an S-expression contains ` name: (`, i.e. names a field.
fn has_field_names(sexp: &str) -> bool {
    field_name_spans(sexp).next().is_some()
}

/// Byte ranges of ` name:` (from the space to the colon) that are followed by ` (`.
fn field_name_spans(sexp: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = sexp.as_bytes();
    sexp.match_indices(": (").filter_map(move |(colon, _)| {
        let mut start = colon;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            start -= 1;
        }
        (start < colon && start > 0 && bytes[start - 1] == b' ').then_some((start - 1, colon + 1))
    })
}

/// Removes ` name:` before each `(`, as `tree-sitter test` does when the expectation names no fields.
fn strip_field_names(sexp: &str) -> String {
    let mut out = String::with_capacity(sexp.len());
    let mut last = 0;
    for (start, end) in field_name_spans(sexp) {
        out.push_str(&sexp[last..start]);
        last = end;
    }
    out.push_str(&sexp[last..]);
    out
}

/// One node per line, indented by depth and led by its field name, for readable failure messages.
fn pretty_sexp(sexp: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in sexp.chars() {
        if c == '(' || c == ')' || c.is_whitespace() {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                tokens.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }

    let mut lines = Vec::new();
    let mut current = String::new();
    let mut field: Option<String> = None;
    let mut depth = 0usize;
    for token in tokens {
        match token.as_str() {
            "(" => {
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                }
                current = "  ".repeat(depth);
                if let Some(field) = field.take() {
                    current.push_str(&field);
                    current.push(' ');
                }
                current.push('(');
                depth += 1;
            }
            ")" => {
                current.push(')');
                depth = depth.saturating_sub(1);
            }
            _ if token.ends_with(':') => field = Some(token),
            _ => {
                if !current.ends_with('(') {
                    current.push(' ');
                }
                current.push_str(&token);
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// A line diff (longest common subsequence): `-` expected only, `+` actual only.
fn diff(expected: &[String], actual: &[String]) -> String {
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if expected[i] == actual[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            let _ = writeln!(out, "      {}", expected[i]);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "    + {}", actual[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "    - {}", expected[i]);
            i += 1;
        }
    }
    out
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = grammar_dir().join("test").join("corpus");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files
}

fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for path in corpus_files() {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let content =
            fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let found = parse_corpus(&file, &content);
        assert!(!found.is_empty(), "{file} has no examples");
        cases.extend(found);
    }
    cases
}

/// Checks one example; `Err` carries the failure message.
fn check(parser: &mut Parser, case: &Case) -> Result<(), String> {
    let tree = parser.parse(&case.input, None).ok_or("the parser returned no tree")?;
    let root = tree.root_node();
    if case.error {
        return if root.has_error() {
            Ok(())
        } else {
            Err(format!("expected an ERROR or MISSING node, got:\n    {}\n", root.to_sexp()))
        };
    }
    let mut actual = root.to_sexp();
    if !case.has_fields {
        actual = strip_field_names(&actual);
    }
    if actual == case.expected {
        return Ok(());
    }
    let mut message = String::new();
    if root.has_error() && !case.expected.contains("ERROR") && !case.expected.contains("MISSING") {
        message.push_str("    the input has a syntax error (ERROR or MISSING node)\n");
    }
    message.push_str("    (- expected, + actual)\n");
    message.push_str(&diff(&pretty_sexp(&case.expected), &pretty_sexp(&actual)));
    Err(message)
}

#[test]
fn corpus_cases_parse_to_their_expected_trees() {
    let cases = load_cases();
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("the grammar's ABI matches the tree-sitter library");

    let mut failures = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for case in &cases {
        if case.skip {
            skipped += 1;
            continue;
        }
        match check(&mut parser, case) {
            Ok(()) => passed += 1,
            Err(message) => failures.push(format!("{}:{}: {}\n{message}", case.file, case.line, case.name)),
        }
    }
    eprintln!("corpus: {passed} passed, {} failed, {skipped} skipped", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_parser_reads_the_cli_format() {
    let content = "==================\nFirst\n==================\n\nlet a = 1 in a\n\n---\n\n; a comment\n(source_file\n  (let_expression\n    binding: (binding name: (identifier) value: (number_literal))\n    body: (identifier)  )  )\n\n=====\nSecond\n:error\n=====\nlet\n-------\n\n=====\nThird\n:skip\n=====\n1 -- 2\n---\n(source_file)\n";
    let cases = parse_corpus("inline.txt", content);
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0].name, "First");
    assert_eq!(cases[0].input, b"\nlet a = 1 in a\n");
    assert_eq!(
        cases[0].expected,
        "(source_file (let_expression binding: (binding name: (identifier) value: (number_literal)) body: (identifier)))"
    );
    assert!(cases[0].has_fields && !cases[0].error && !cases[0].skip);
    assert_eq!(
        (cases[1].name.as_str(), cases[1].input.as_slice(), cases[1].error),
        ("Second", &b"let"[..], true)
    );
    assert_eq!((cases[2].name.as_str(), cases[2].skip), ("Third", true));
    assert_eq!(cases[2].input, b"1 -- 2");
    assert_eq!(strip_field_names("(a b: (c) d: (e (f)))"), "(a (c) (e (f)))");
    assert!(!has_field_names("(a (b))"));
}

#[test]
fn corpus_failures_are_reported_with_a_diff() {
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let case = Case {
        file: "inline.txt".into(),
        line: 1,
        name: "wrong".into(),
        input: b"1 + 2".to_vec(),
        expected: "(source_file (binary_expression left: (number_literal) right: (identifier)))".into(),
        has_fields: true,
        skip: false,
        error: false,
    };
    let message = check(&mut parser, &case).unwrap_err();
    let has_line = |sign: &str, text: &str| {
        message.lines().any(|line| line.trim_start().starts_with(sign) && line.trim_end().ends_with(text))
    };
    assert!(has_line("- ", "right: (identifier)))"), "{message}");
    assert!(has_line("+ ", "right: (number_literal)))"), "{message}");
}

// ---------------------------------------------------------------------------------------------------------
// What an S-expression cannot show: anonymous field values and token extents

/// The text of every node of `kind` in `source`, in document order.
fn texts_of(parser: &mut Parser, source: &str, kind: &str) -> Vec<String> {
    let tree = parser.parse(source, None).unwrap();
    assert!(!tree.root_node().has_error(), "{source:?} has a syntax error: {}", tree.root_node().to_sexp());
    let mut found = Vec::new();
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == kind {
            found.push((node.start_byte(), source[node.byte_range()].to_string()));
        }
        stack.extend(node.children(&mut cursor));
    }
    found.sort();
    found.into_iter().map(|(_, text)| text).collect()
}

/// For every node of `kind`, the text of its child in field `field` (None when absent).
fn field_texts(parser: &mut Parser, source: &str, kind: &str, field: &str) -> Vec<Option<String>> {
    let tree = parser.parse(source, None).unwrap();
    assert!(!tree.root_node().has_error(), "{source:?} has a syntax error: {}", tree.root_node().to_sexp());
    let mut found = Vec::new();
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == kind {
            let child = node.child_by_field_name(field).map(|c| source[c.byte_range()].to_string());
            found.push((node.start_byte(), child));
        }
        stack.extend(node.children(&mut cursor));
    }
    found.sort();
    found.into_iter().map(|(_, text)| text).collect()
}

#[test]
fn anonymous_fields_and_token_extents() {
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let p = &mut parser;
    let some = |s: &str| Some(s.to_string());

    // Generalized identifiers: parts joined by spaces only, surrounding spaces excluded.
    assert_eq!(
        texts_of(p, "[ Order   Date = 1, Column 1 = 2, if = 3, Serialized.Text = 4, optional Name = 5 ][ Order Date ]", "generalized_identifier"),
        ["Order   Date", "Column 1", "if", "Serialized.Text", "optional Name", "Order Date"]
    );
    assert_eq!(texts_of(p, "x[optional Name]", "generalized_identifier"), ["optional Name"]);

    // `optional` in record types: the keyword before a field name, a field name alone.
    let source = "type [optional A = text, optional #\"B\", optional\n C, optional /* c */ D, optional, optional optional]";
    assert_eq!(
        field_texts(p, source, "field_specification", "optional"),
        [some("optional"), some("optional"), some("optional"), some("optional"), None, some("optional")]
    );
    assert_eq!(
        field_texts(p, source, "field_specification", "name"),
        [some("A"), some("#\"B\""), some("C"), some("D"), some("optional"), some("optional")]
    );
    assert_eq!(field_texts(p, "type [A, ...]", "record_type", "open"), [some("...")]);

    // Optional parameters, optional access, `shared`.
    assert_eq!(field_texts(p, "(x, optional y) => x", "parameter", "optional"), [None, some("optional")]);
    assert_eq!(
        field_texts(
            p,
            "type function (x as any, optional y as any) as any",
            "parameter_specification",
            "optional"
        ),
        [None, some("optional")]
    );
    assert_eq!(field_texts(p, "{x{0}, x{0}?}", "item_access", "optional"), [None, some("?")]);
    assert_eq!(field_texts(p, "{x[A], x[A]?, [B]?}", "field_access", "optional"), [None, some("?")]);
    assert_eq!(field_texts(p, "{[A]?, [B]}", "implicit_field_access", "optional"), [some("?"), None]);
    assert_eq!(field_texts(p, "{x[[A]], x[[A]]?}", "projection", "optional"), [None, some("?")]);
    assert_eq!(
        field_texts(p, "section S; shared A = 1; B = 2;", "section_member", "shared"),
        [some("shared"), None]
    );

    // Operators, in precedence order.
    assert_eq!(
        field_texts(p, "{a ?? b, a or b, a and b, a = b, a <> b, a < b, a > b, a <= b, a >= b, a + b, a - b, a & b, a * b, a / b}", "binary_expression", "operator"),
        ["??", "or", "and", "=", "<>", "<", ">", "<=", ">=", "+", "-", "&", "*", "/"].map(some)
    );
    assert_eq!(
        field_texts(p, "{-a, +a, not a}", "unary_expression", "operator"),
        ["-", "+", "not"].map(some)
    );

    // Literal tokens.
    assert_eq!(
        texts_of(p, "{0xFF, .5, 1.5e-3, 6.02E+23}", "number_literal"),
        ["0xFF", ".5", "1.5e-3", "6.02E+23"]
    );
    assert_eq!(
        texts_of(p, "{\"a\"\"b\", \"#(cr,lf)\", \"x\ny\"}", "text_literal"),
        ["\"a\"\"b\"", "\"#(cr,lf)\"", "\"x\ny\""]
    );
    assert_eq!(texts_of(p, "#\"a \"\"b\"\"\" & #!\"v\"", "quoted_identifier"), ["#\"a \"\"b\"\"\""]);
    assert_eq!(texts_of(p, "Table.AddColumn(x)", "identifier"), ["Table.AddColumn", "x"]);
}

// ---------------------------------------------------------------------------------------------------------
// Queries

#[test]
fn every_query_compiles() {
    let queries = [
        ("highlights", tree_sitter_powerquery::HIGHLIGHTS_QUERY),
        ("folds", tree_sitter_powerquery::FOLDS_QUERY),
        ("locals", tree_sitter_powerquery::LOCALS_QUERY),
        ("indents", tree_sitter_powerquery::INDENTS_QUERY),
        ("textobjects", tree_sitter_powerquery::TEXTOBJECTS_QUERY),
    ];
    let mut failures = Vec::new();
    for (name, source) in queries {
        match Query::new(&language(), source) {
            Ok(query) => {
                if query.pattern_count() == 0 {
                    failures.push(format!("{name}: no patterns"));
                }
            }
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(failures.is_empty(), "queries that do not compile:\n{}", failures.join("\n"));
}
