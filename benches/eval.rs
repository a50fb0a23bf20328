//! `dfls eval` on the issue's pipeline over a 1,000,000-row CSV, side by side with pandas, polars and DuckDB
//! doing the same work. Run with `cargo bench --bench eval`; the README's performance section holds the
//! figures.
//!
//! The CSV (8 columns: OrderId, Customer, Region, OrderDate, Amount, Cost, Quantity, Status) is generated
//! deterministically into a temporary folder. dfls runs the pipeline as a Dataflow author writes it
//! (`Csv.Document(File.Contents(...))`, PromoteHeaders, TransformColumnTypes, SelectRows, two AddColumns,
//! Group, Sort) through the release binary; the peers run `benches/eval_peers.py` in a Python virtual
//! environment under the target folder (made with `pip install pandas polars duckdb` when missing; when that
//! fails the benchmark says so and prints dfls's figures alone). Each run is a whole process, timed by wall
//! clock, its peak resident memory read by GNU `time`. The four grouped results must agree (same groups
//! and counts, sums within a relative 1e-9), or the benchmark fails.
//!
//! `EVAL_BENCH_ROWS` changes the row count (for a quick look), `EVAL_BENCH_RUNS` the runs per engine (3).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

const REGIONS: [&str; 8] =
    ["Africa", "Asia", "Caribbean", "Europe", "Latin America", "Middle East", "North America", "Oceania"];

/// The pipeline as a Dataflow author writes it, reading `orders.csv` from the working folder.
const PIPELINE: &str = r#"let
    Source = Csv.Document(File.Contents("orders.csv"), [Delimiter = ",", Columns = 8, Encoding = 65001, QuoteStyle = QuoteStyle.None]),
    #"Promoted headers" = Table.PromoteHeaders(Source, [PromoteAllScalars = true]),
    #"Changed column type" = Table.TransformColumnTypes(#"Promoted headers", {{"OrderId", Int64.Type}, {"Customer", type text}, {"Region", type text}, {"OrderDate", type date}, {"Amount", type number}, {"Cost", type number}, {"Quantity", Int64.Type}, {"Status", type text}}),
    #"Filtered rows" = Table.SelectRows(#"Changed column type", each [Status] <> "Cancelled" and [Amount] > 10),
    #"Added margin" = Table.AddColumn(#"Filtered rows", "Margin", each [Amount] - [Cost], type number),
    #"Added year" = Table.AddColumn(#"Added margin", "Year", each Date.Year([OrderDate]), Int64.Type),
    #"Grouped rows" = Table.Group(#"Added year", {"Region", "Year"}, {{"Orders", each Table.RowCount(_), Int64.Type}, {"Amount", each List.Sum([Amount]), type number}, {"Margin", each List.Sum([Margin]), type number}}),
    #"Sorted rows" = Table.Sort(#"Grouped rows", {{"Region", Order.Ascending}, {"Year", Order.Ascending}})
in
    #"Sorted rows"
"#;

/// A deterministic pseudo-random sequence (xorshift64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn write_csv(path: &Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "OrderId,Customer,Region,OrderDate,Amount,Cost,Quantity,Status").unwrap();
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    let first_day = dfls::eval::datetime::days_from_civil(2019, 1, 1).expect("a date");
    for id in 1..=rows {
        let customer = random.below(50_000);
        let region = REGIONS[random.below(8) as usize];
        let (y, m, d) = dfls::eval::datetime::civil_from_days(first_day + random.below(2_557) as i64);
        let cents = random.below(100_000);
        let cost_cents = cents * (50 + random.below(46)) / 100;
        let quantity = 1 + random.below(50);
        let status = match random.below(20) {
            0..=9 => "Shipped",
            10..=13 => "Pending",
            14..=16 => "Cancelled",
            _ => "Returned",
        };
        writeln!(
            out,
            "{id},C{customer:05},{region},{y:04}-{m:02}-{d:02},{}.{:02},{}.{:02},{quantity},{status}",
            cents / 100,
            cents % 100,
            cost_cents / 100,
            cost_cents % 100
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// One run of a process: its standard output, wall time and peak resident memory (KB).
struct Run {
    stdout: String,
    wall: Duration,
    peak_kb: u64,
}

fn run(program: &Path, args: &[&str], dir: &Path) -> Run {
    let time_file = dir.join("time.txt");
    let start = Instant::now();
    let output = Command::new("time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&time_file)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("GNU time runs");
    let wall = start.elapsed();
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}\n{}",
        program.display(),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout).chars().take(2000).collect::<String>()
    );
    let peak_kb =
        std::fs::read_to_string(&time_file).unwrap().trim().lines().last().unwrap().parse().unwrap();
    Run { stdout: String::from_utf8(output.stdout).unwrap(), wall, peak_kb }
}

/// A grouped row: region, year, orders, sum of amount, sum of margin.
type Group = (String, i64, i64, f64, f64);

fn groups_of_rows(rows: &[Json]) -> Vec<Group> {
    rows.iter()
        .map(|row| {
            let cell = |i: usize| row[i].as_f64().unwrap_or_else(|| panic!("a number in {row}"));
            (row[0].as_str().unwrap().to_owned(), cell(1) as i64, cell(2) as i64, cell(3), cell(4))
        })
        .collect()
}

fn same_groups(engine: &str, expected: &[Group], got: &[Group]) {
    assert_eq!(expected.len(), got.len(), "{engine}: a different number of groups");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    for (e, g) in expected.iter().zip(got) {
        assert!(
            e.0 == g.0 && e.1 == g.1 && e.2 == g.2 && close(e.3, g.3) && close(e.4, g.4),
            "{engine} differs from dfls: {g:?} where dfls has {e:?}"
        );
    }
}

/// The Python of the peers' virtual environment, made (and pandas, polars and DuckDB installed) when
/// missing; `Err` says why there is none.
fn peers_python(target: &Path) -> Result<PathBuf, String> {
    let venv = target.join("eval-bench-venv");
    let python = venv.join("bin").join("python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import pandas, polars, duckdb"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    eprintln!("installing pandas, polars and duckdb into {}", venv.display());
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status();
    if !made.is_ok_and(|s| s.success()) {
        return Err("python3 -m venv failed".into());
    }
    let installed = Command::new(venv.join("bin").join("pip"))
        .args(["install", "-q", "pandas", "polars", "duckdb"])
        .status();
    if !installed.is_ok_and(|s| s.success()) || !ready(&python) {
        return Err("pip install pandas polars duckdb failed".into());
    }
    Ok(python)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let rows: usize = std::env::var("EVAL_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = std::env::var("EVAL_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let gnu_time = Command::new("time").args(["-f", "%M", "true"]).output();
    if !gnu_time.is_ok_and(|o| o.status.success()) {
        eprintln!("the eval benchmark needs GNU time (`time -f %M`) to read peak memory");
        std::process::exit(1);
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    write_csv(&csv, rows);
    let csv_mb = std::fs::metadata(&csv).unwrap().len() as f64 / 1e6;
    std::fs::write(dir.path().join("pipeline.pq"), PIPELINE).unwrap();

    let dfls = PathBuf::from(env!("CARGO_BIN_EXE_dfls"));
    let target = dfls.parent().and_then(Path::parent).expect("the binary is in <target>/release").to_owned();
    let mut results: Vec<(String, Vec<Run>)> = Vec::new();
    let dfls_runs: Vec<Run> =
        (0..runs).map(|_| run(&dfls, &["eval", "pipeline.pq", "--format", "json"], dir.path())).collect();
    let table: Json = serde_json::from_str(&dfls_runs[0].stdout).expect("dfls prints JSON");
    let expected = groups_of_rows(table["rows"].as_array().expect("a table"));
    assert!(!expected.is_empty(), "dfls grouped no rows: {}", dfls_runs[0].stdout);
    results.push(("dfls".into(), dfls_runs));

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches").join("eval_peers.py");
    let mut note = String::new();
    match peers_python(&target) {
        Ok(python) => {
            for engine in ["pandas", "polars", "duckdb"] {
                let engine_runs: Vec<Run> = (0..runs)
                    .map(|_| run(&python, &[script.to_str().unwrap(), engine, "orders.csv"], dir.path()))
                    .collect();
                let rows: Vec<Json> = serde_json::from_str(engine_runs[0].stdout.trim()).unwrap();
                same_groups(engine, &expected, &groups_of_rows(&rows));
                results.push((engine.into(), engine_runs));
            }
        }
        Err(why) => note = format!("\npandas, polars and DuckDB not measured: {why}\n"),
    }

    let mut report = format!(
        "The pipeline over a {rows}-row CSV ({csv_mb:.1} MB), {} groups, whole processes, median of {runs} runs\n\n\
         | engine | wall time | peak memory | memory / CSV size |\n|---|---:|---:|---:|\n",
        expected.len()
    );
    for (engine, engine_runs) in &results {
        let wall = median(engine_runs.iter().map(|r| r.wall).collect());
        let peak_mb = engine_runs.iter().map(|r| r.peak_kb).max().unwrap() as f64 / 1024.0;
        writeln!(
            report,
            "| {engine} | {:.2} s | {peak_mb:.0} MB | {:.2}x |",
            wall.as_secs_f64(),
            peak_mb * 1.048_576 / csv_mb
        )
        .unwrap();
    }
    report.push_str(&note);
    if results.len() == 4 {
        report.push_str("\nAll four grouped results agree.\n");
    }
    println!("{report}");
}
