//! Parse benchmark: full parse + syntax diagnostics of generated section documents of 1 MB and 10 MB with
//! realistic Dataflow Gen2 content, and an incremental reparse after a one-character edit.
//!
//! Run with `cargo bench --bench parse`; the README's performance table holds the figures. Each figure is
//! the median of several runs, so one slow run (the other core busy) does not move it.

use std::time::Instant;

mod common;

use common::{document, median, time, Content};

use dfls::syntax::{self, Document};

fn main() {
    println!("{:<56} {:>12} {:>10}", "benchmark", "median", "MB/s");
    for (content, name) in [(Content::Dense, "dense code"), (Content::Typical, "typical mix")] {
        for (label, size, runs) in [("1 MB", 1 << 20, 15), ("10 MB", 10 << 20, 5)] {
            let text = document(size, content);
            let parse = syntax::parse(&text);
            assert!(
                parse.diagnostics.is_empty(),
                "the generated document parses cleanly: {:?}",
                &parse.diagnostics[..1]
            );
            let elapsed = time(runs, || syntax::parse(&text));
            let megabytes = text.len() as f64 / 1_048_576.0;
            println!(
                "{:<56} {:>9.1} ms {:>10.1}",
                format!("full parse + syntax diagnostics, {label}, {name}"),
                elapsed.as_secs_f64() * 1e3,
                megabytes / elapsed.as_secs_f64()
            );
        }
    }

    // A keystroke in the middle of a 1 MB document: insert a digit into a number, then take it out again,
    // so every run edits the same text.
    for (content, name) in [(Content::Dense, "dense code"), (Content::Typical, "typical mix")] {
        let text = document(1 << 20, content);
        let at = text.len() / 2 + text[text.len() / 2..].find("> ").expect("a comparison follows") + 2;
        let mut document = Document::new(text);
        let mut reparse = Vec::new();
        let mut diagnose = Vec::new();
        for run in 0..200 {
            let start = Instant::now();
            if run % 2 == 0 {
                document.edit(at..at, "7");
            } else {
                document.edit(at..at + 1, "");
            }
            reparse.push(start.elapsed());
            let start = Instant::now();
            std::hint::black_box(document.diagnostics());
            diagnose.push(start.elapsed());
        }
        println!(
            "{:<56} {:>9.3} ms",
            format!("incremental reparse after 1 char, 1 MB, {name}"),
            median(reparse).as_secs_f64() * 1e3
        );
        println!(
            "{:<56} {:>9.3} ms",
            format!("syntax diagnostics after the edit, 1 MB, {name}"),
            median(diagnose).as_secs_f64() * 1e3
        );
    }
}
