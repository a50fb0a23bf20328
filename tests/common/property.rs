//! Property tests: a runner that runs a property on many cases, each generated from its own seed and
//! reported by it, and the random edits the properties apply to M and JSON text.
//!
//! `PROPERTY_SEED=0x... cargo test NAME` runs the one case of that seed; `PROPERTY_CASES=N` changes how
//! many cases each property runs.

// Not every test crate that includes `common` runs properties.
#![allow(dead_code)]

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Random;

/// Runs `property` on `cases` generated cases (or on the one `PROPERTY_SEED` names). Every case runs; the
/// failing ones are listed by seed at the end, the first with its message.
pub fn for_each_case(property: &str, cases: usize, case: impl Fn(&mut Random)) {
    let seeds: Vec<u64> = match std::env::var("PROPERTY_SEED") {
        Ok(seed) => vec![parse_seed(&seed)],
        Err(_) => {
            let cases = std::env::var("PROPERTY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
            // The seeds depend on the property's name, so that properties do not all see the same cases.
            let base = property
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
            (0..cases as u64).map(|i| (base ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1).collect()
        }
    };
    let mut failed: Vec<(u64, String)> = Vec::new();
    for seed in seeds {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| case(&mut Random(seed)))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|m| m.to_string()))
                .unwrap_or_else(|| "a panic".to_string());
            failed.push((seed, message));
        }
    }
    if let Some((first, message)) = failed.first() {
        let seeds: Vec<String> = failed.iter().map(|(seed, _)| format!("{seed:#x}")).collect();
        panic!(
            "{property}: {} case(s) failed, of seeds {}; run one alone with \
             PROPERTY_SEED={first:#x} cargo test {property}\nthe first: {message}",
            failed.len(),
            seeds.join(", ")
        );
    }
}

fn parse_seed(seed: &str) -> u64 {
    let seed = seed.trim();
    let parsed = match seed.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => seed.parse(),
    };
    // A seed of 0 would make the generator return only zeros.
    parsed.unwrap_or_else(|_| panic!("PROPERTY_SEED={seed} is not a number")) | 1
}

/// What edits insert into M: keywords and punctuation, names, the starts and ends of texts, quoted names
/// and comments, line breaks of every kind, characters outside ASCII (two, three and four bytes in
/// UTF-8), a BOM and a no-break space.
#[rustfmt::skip]
pub const M_PIECES: &[&str] = &[
    "let", "in", "if", "then", "else", "each", "try", "otherwise", "catch", "error", "section", "shared",
    "type", "meta", "as", "is", "and", "or", "not", "null", "true", "nullable", "optional",
    "(", ")", "[", "]", "{", "}", ",", ";", "=", "=>", "+", "-", "*", "/", "&", "??", "<>", "<=", "..", "...",
    "@", "!", "?", "_",
    "x", "Source", "Table.AddColumn", "#table", "#date", "[A B]", "each [", "1", "0x1F", "1e3", ".5",
    "#\"a b\"", "#\"", "\"", "\"\"", "\"t\"", "#!\"", "#(cr,lf)", "#(",
    "/*", "*/", "//", "// c\n",
    "\n", "\r\n", "\r", " ", "    ", "\t",
    "é", "€", "😀", "Größe", "\u{feff}", "\u{a0}",
];

/// What edits insert into JSON parts, beside the M pieces (query names live in both).
#[rustfmt::skip]
pub const JSON_PIECES: &[&str] = &[
    "{", "}", "[", "]", ":", ",", "\"", "null", "true", "0", "-1", "1e999", "\\", "\\u00", "\\\"", "\n",
    "\"queryName\"", "\"queryId\"", "\"queriesMetadata\"", "\"formatVersion\"",
    "\"00000000-0000-0000-0000-000000000000\"",
];

/// The char boundary of `text` at or before `at`.
pub fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A random range of `text` at char boundaries: mostly a few bytes, sometimes a line's worth, rarely most
/// of the text.
pub fn random_range(random: &mut Random, text: &str) -> Range<usize> {
    let start = boundary(text, random.below(text.len() + 1));
    let length = match random.below(10) {
        0..=5 => random.below(4),
        6..=8 => random.below(40),
        _ => random.below(text.len() + 1),
    };
    start..boundary(text, start + length).max(start)
}

/// What an edit inserts: nothing, one to four pieces, or a copy of a part of the text itself.
pub fn random_piece(random: &mut Random, text: &str, pieces: &[&str]) -> String {
    match random.below(8) {
        0 => String::new(),
        1 => text[random_range(random, text)].to_string(),
        _ => (0..1 + random.below(4)).map(|_| pieces[random.below(pieces.len())]).collect(),
    }
}
