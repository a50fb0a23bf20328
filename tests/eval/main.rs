//! The evaluator's conformance suite, written from the Power Query M language specification and
//! Microsoft's function reference (the expected values are theirs, not what dfls printed): the language
//! ([`language`]), the library ([`library`]), the `dfls eval` command ([`cli`]) and the vectorized kernels against the
//! interpreter ([`kernels`]).
//!
//! Expected values are in the JSON encoding of `dfls eval --format json` (README, "dfls eval").

mod cli;
mod formats;
mod kernels;
mod lakehouse;
mod language;
mod library;
mod sources;
mod web;

use dfls::eval::{self, render};

/// The JSON encoding of what an expression evaluates to (evaluated on a thread with the evaluator's
/// stack, as the command does).
pub fn eval_json(expression: &str) -> serde_json::Value {
    let text = expression.to_owned();
    let printed = eval::run_on_large_stack(move || match eval::evaluate_text(&text) {
        Ok(outcome) => render::json(&outcome).pretty(),
        Err(setup) => panic!("{text} did not evaluate: {setup:?}"),
    });
    serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{printed} is not JSON: {e}"))
}

/// Asserts that each expression evaluates to the JSON value written beside it.
pub fn check(cases: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (expression, expected) in cases {
        let expected: serde_json::Value = serde_json::from_str(expected)
            .unwrap_or_else(|e| panic!("the expectation {expected} is not JSON: {e}"));
        let actual = eval_json(expression);
        if actual != expected {
            wrong.push(format!("{expression}\n  expected {expected}\n  actual   {actual}"));
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases differ:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

/// The JSON of an error value with this reason and message (and any detail).
pub fn error_message(expression: &str) -> (String, String) {
    let value = eval_json(expression);
    assert_eq!(value["$type"], "error", "{expression} gave {value}, not an error");
    (value["reason"].as_str().unwrap().to_owned(), value["message"].as_str().unwrap().to_owned())
}
