//! The vectorized kernels against the interpreter: the same expressions over random tables, evaluated
//! once with the kernels and once with the interpreter alone (`kernels::set_enabled(false)`), must print
//! the same JSON, cell by cell, errors (reason, message, detail) included.
//!
//! The random tables have nulls in every column, NaN and infinities among the numbers, texts whose
//! ordinal (UTF-16) order differs from their UTF-8 order, a column of mixed kinds and a column with error
//! cells; the expressions cover each kernel shape (field access, arithmetic, comparison, `&`, `and`, `or`,
//! `not`, `if`, `??`, constants and names, the library calls) through `Table.AddColumn`,
//! `Table.SelectRows`, `Table.TransformColumns` and `Table.Group`, and shapes the kernels leave to the
//! interpreter.

use dfls::eval::{self, kernels, render};

/// A deterministic pseudo-random sequence (xorshift64).
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NUMBERS: &[&str] =
    &["~", "0", "-0", "1", "2.5", "-3", "10", "11", "1000000", "nan", "inf", "-inf", "0.1", "7"];
const TEXTS: &[&str] = &["~", "", "a", "B", "Cancelled", "é", "ab", "｡", "😀", " padded ", "Zürich"];
const DATES: &[&str] = &["~", "2020-01-31", "1999-12-31", "2024-02-29", "0001-01-01"];
const LOGICALS: &[&str] = &["~", "true", "false"];
const MIXED: &[&str] = &["~", "1", "a", "true"];

/// An M table of `rows` random rows, as a Dataflow gets one: CSV text (`~` for null) typed by
/// `Table.TransformColumns`, which makes Arrow columns where kernels run (and lazy cells where the
/// interpreter alone runs): numbers N and M (with NaN and infinities), texts T and U, dates D, logicals L,
/// mixed kinds X, and E, N with an error where N is null.
fn random_table(seed: u64, rows: usize) -> String {
    let mut random = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let lines: Vec<String> = (0..rows)
        .map(|_| {
            [NUMBERS, NUMBERS, TEXTS, TEXTS, DATES, LOGICALS, MIXED]
                .map(|values| random.pick(values))
                .join(",")
        })
        .collect();
    let number = r#"each if _ = "~" then null else if _ = "nan" then 0/0 else if _ = "inf" then 1/0 else if _ = "-inf" then -1/0 else Number.From(_)"#;
    let text = r#"each if _ = "~" then null else _"#;
    format!(
        r#"let
            Source = Csv.Document("{}", {{"N", "M", "T", "U", "D", "L", "X"}}),
            Typed = Table.TransformColumns(Source, {{
                {{"N", {number}}}, {{"M", {number}}}, {{"T", {text}}}, {{"U", {text}}},
                {{"D", each if _ = "~" then null else Date.From(_)}},
                {{"L", each if _ = "~" then null else _ = "true"}},
                {{"X", each if _ = "~" then null else if _ = "1" then 1 else _}}}})
        in
            Table.AddColumn(Typed, "E", each if [N] = null then error "no N" else [N])"#,
        lines.join("#(lf)")
    )
}

/// Each an `each` function (or a function) over the random table's row.
const ROW_FUNCTIONS: &[&str] = &[
    "each [N]",
    "each [N] + [M]",
    "each [N] - [M]",
    "each [N] * [M]",
    "each [N] / [M]",
    "each -[N]",
    "each +[M]",
    "each [N] + 1",
    "each 2",
    "each null",
    "each [N] = [M]",
    "each [N] <> [M]",
    "each [N] < [M]",
    "each [N] <= [M]",
    "each [N] > [M]",
    "each [N] >= 10",
    "each [T] < [U]",
    "each [T] >= [U]",
    "each [T] = [U]",
    "each [T] <> \"Cancelled\"",
    "each [N] = [T]",
    "each [D] = [N]",
    "each null = [N]",
    "each [D] < Cut",
    "each [D] >= [D]",
    "each [L] < [L]",
    "each [T] & [U]",
    "each [T] & \"!\"",
    "each [L] and [N] > 0",
    "each [L] or [M] < 0",
    "each [N] > 0 and [T] <> \"a\"",
    "each not [L]",
    "each [L] and null",
    "each null or [L]",
    "each if [L] then [N] else [M]",
    "each if [N] > 1 then [T] else null",
    "each if [L] then 1 else \"one\"",
    "each [N] ?? [M]",
    "each [N] ?? 0",
    "each [T] ?? [U]",
    "each null ?? [D]",
    "each [N] + Threshold",
    "each [N] + Tagged",
    "each Tagged",
    "each [Missing]?",
    "each [N] + [Missing]?",
    "each Date.Year([D])",
    "each Date.Month([D]) + Date.Day([D])",
    "each Text.Upper([T])",
    "each Text.Lower([T]) & Text.Trim([U])",
    "each Text.Length([T])",
    "each Text.Start([T], 1)",
    "each Text.Contains([T], \"a\")",
    "each Text.StartsWith([T], [U])",
    "each Text.From([N])",
    "each Text.From([D])",
    "each Number.Round([N], 1)",
    "each Number.Round([N])",
    "each Number.Abs([N])",
    "each Number.From([T])",
    "each (r) => r",
    "(row) => row[N] * 2",
    "(row) => [N]",
    "each [X] + 1",
    "each [X] = 1",
    "each [E] + 1",
    "each [T] + 1",
    "each [N] & [T]",
    "each if [N] then 1 else 2",
    "each [Missing]",
    "each _[N] - [M]",
];

/// Each a function of a cell, for `Table.TransformColumns` on column N, T or D.
const VALUE_FUNCTIONS: &[(&str, &str)] = &[
    ("N", "each _ * 2"),
    ("N", "each _ > 1"),
    ("N", "each if _ > 1 then _ else null"),
    ("N", "each _ ?? -1"),
    ("N", "each Number.Round(_, 0)"),
    ("T", "each Text.Upper(_)"),
    ("T", "each _ & \"x\""),
    ("T", "each Text.Length(_) > 1"),
    ("D", "each Date.Year(_)"),
    ("N", "each [A]"),
    ("T", "Text.Upper"),
    ("E", "each _ + 1"),
];

/// The JSON of an expression, with or without the kernels, and how many kernels ran.
fn evaluate_counting(expression: &str, with_kernels: bool) -> (serde_json::Value, usize) {
    let text = expression.to_owned();
    let (printed, runs) = eval::run_on_large_stack(move || {
        kernels::set_enabled(with_kernels);
        let printed = match eval::evaluate_text(&text) {
            Ok(outcome) => render::json(&outcome).pretty(),
            Err(setup) => panic!("{text} did not evaluate: {setup:?}"),
        };
        (printed, kernels::runs())
    });
    (serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{printed} is not JSON: {e}")), runs)
}

fn evaluate(expression: &str, with_kernels: bool) -> serde_json::Value {
    evaluate_counting(expression, with_kernels).0
}

fn in_scope(table: &str, body: &str) -> String {
    format!("let T0 = {table}, Cut = #date(2020, 6, 1), Threshold = 10, Tagged = 5 meta [Unit = \"kg\"] in {body}")
}

/// Runs each expression with and without the kernels and lists the ones that differ. The typed table
/// alone runs a kernel per typed column; at least `percent` of the expressions must have run one more
/// (so that a change that stops compiling them fails here too).
fn differences(expressions: &[String], percent: usize) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut with_more_kernels = 0;
    for expression in expressions {
        let (fast, runs) = evaluate_counting(expression, true);
        let (slow, none) = evaluate_counting(expression, false);
        assert_eq!(none, 0, "kernels ran while turned off");
        with_more_kernels += usize::from(runs > 6);
        if fast != slow {
            wrong.push(format!("{expression}\n  kernels     {fast}\n  interpreter {slow}"));
        }
    }
    assert!(
        with_more_kernels * 100 >= expressions.len() * percent,
        "only {with_more_kernels} of {} ran a kernel",
        expressions.len()
    );
    wrong
}

#[test]
fn add_column_agrees_with_the_interpreter_on_random_tables() {
    let mut expressions = Vec::new();
    for seed in 1..=6 {
        let table = random_table(seed, 40);
        for function in ROW_FUNCTIONS {
            // The metadata of a cell, and the cells themselves, as the JSON shows them.
            expressions.push(in_scope(
                &table,
                &format!(r#"let t = Table.AddColumn(T0, "R", {function}) in {{t, List.Transform(t[R], Value.Metadata)}}"#),
            ));
        }
    }
    let wrong = differences(&expressions, 60);
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), expressions.len(), wrong.join("\n"));
}

#[test]
fn select_rows_agrees_with_the_interpreter_on_random_tables() {
    let mut expressions = Vec::new();
    for seed in 11..=16 {
        let table = random_table(seed, 40);
        for function in ROW_FUNCTIONS {
            expressions.push(in_scope(&table, &format!("Table.SelectRows(T0, {function})")));
        }
    }
    let wrong = differences(&expressions, 33);
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), expressions.len(), wrong.join("\n"));
}

#[test]
fn transform_columns_agrees_with_the_interpreter_on_random_tables() {
    let mut expressions = Vec::new();
    for seed in 21..=26 {
        let table = random_table(seed, 40);
        for (column, function) in VALUE_FUNCTIONS {
            expressions.push(in_scope(
                &table,
                &format!(r#"Table.TransformColumns(T0, {{"{column}", {function}}})"#),
            ));
        }
    }
    let wrong = differences(&expressions, 60);
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), expressions.len(), wrong.join("\n"));
}

#[test]
fn group_aggregations_agree_with_the_interpreter_on_random_tables() {
    let aggregations = [
        r#"{"Rows", each Table.RowCount(_), Int64.Type}"#,
        r#"{"Sum", each List.Sum([N]), type number}"#,
        r#"{"Max", each List.Max([T])}"#,
        r#"{"Average", each List.Average([M])}"#,
        r#"{"Errors", each List.Sum([E])}"#,
        r#"{"Mixed", each List.Count([X])}"#,
        r#"{"Whole", each _}"#,
        r#"{"Other", each List.Sum([N]) + 1}"#,
    ];
    let mut expressions = Vec::new();
    for seed in 31..=36 {
        let table = random_table(seed, 60);
        for keys in [r#"{"L"}"#, r#"{"T", "D"}"#, r#"{"N"}"#, r#"{"X"}"#, "{}"] {
            for kind in ["GroupKind.Global", "GroupKind.Local"] {
                expressions.push(in_scope(
                    &table,
                    &format!("Table.Group(T0, {keys}, {{{}}}, {kind})", aggregations.join(", ")),
                ));
            }
            expressions.push(in_scope(&table, &format!("Table.Distinct(T0, {keys})")));
        }
    }
    let wrong = differences(&expressions, 50);
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), expressions.len(), wrong.join("\n"));
}

#[test]
fn an_error_in_a_kernel_column_stays_in_its_cell_until_read() {
    // `if` on a null logical is an error on that row only; the other rows are computed.
    let expression = r#"let t = Table.AddColumn(#table({"L", "N"}, {{true, 1}, {null, 2}, {false, 3}}), "R", each if [L] then [N] else -[N]) in {t{0}[R], t{2}[R], Table.RowCount(t), try t{1}[R]}"#;
    let value = evaluate(expression, true);
    assert_eq!(value[0], 1);
    assert_eq!(value[1], -3);
    assert_eq!(value[2], 3);
    assert_eq!(value[3]["HasError"], true, "{value}");
    assert_eq!(value[3]["Error"]["Message"], "We cannot convert the value null to type Logical.", "{value}");
}

#[test]
fn sort_agrees_with_the_interpreter_on_random_tables() {
    let mut expressions = Vec::new();
    for seed in 41..=46 {
        let table = random_table(seed, 60);
        for criteria in [
            r#"{{"T", Order.Descending}, "N"}"#,
            r#"{"N", "M"}"#,
            r#"{{"D", Order.Descending}, {"L", Order.Ascending}, "U"}"#,
            "each [N] * 2",
            r#"{{each Text.Upper([T]), Order.Descending}, "M"}"#,
            r#"{"X", "N"}"#,
            "each if [L] then 1 else 2",
        ] {
            expressions.push(in_scope(&table, &format!("Table.Sort(T0, {criteria})")));
        }
    }
    let wrong = differences(&expressions, 40);
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), expressions.len(), wrong.join("\n"));
}
