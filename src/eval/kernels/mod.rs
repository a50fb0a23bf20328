//! Vectorized kernels: an `each` function of a common shape compiled from its expression to loops over
//! whole Arrow columns, instead of the interpreter's row record, scope and thunks for every row.
//!
//! Covered ([`compile`]): field access `[Col]` on a column stored as an Arrow array, the parameter itself
//! (`Table.TransformColumns`), literals and names of the closure's environment holding numbers, texts,
//! logicals, dates or null, the arithmetic, comparison, `&`, `and`/`or`/`not` and `??` operators, `if`,
//! and the library functions of [`calls`] (`Date.Year`, `Text.Upper`, `Text.Length`, `Number.Round`, ...).
//! Anything else is not compiled and the interpreter runs the function row by row, as before.
//!
//! A kernel gives the interpreter's answer on every row, or defers the row to it ([`vector`]): the
//! callers ([`map_rows`], [`filter_rows`], [`map_values`]) compute the deferred rows with the interpreter,
//! lazily where the interpreter is lazy, so an error stays an error in its cell until read. The tests
//! (`tests/eval/kernels.rs`) run both paths on random tables and compare every cell.

mod aggregate;
mod calls;
mod compile;
mod run;
mod vector;

pub use aggregate::Aggregate;

use arrow_array::Array;

use super::value::{Column, Function, MError, Table, Thunk};
use compile::{compile_function, Input};
use vector::{Data, Kind, Vector};

thread_local! {
    static ENABLED: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Turns the kernels off (or back on) for evaluations on this thread: the tests run the interpreter alone
/// to compare the kernels with it.
pub fn set_enabled(enabled: bool) {
    ENABLED.with(|e| e.set(enabled));
}

fn enabled() -> bool {
    ENABLED.with(|e| e.get())
}

thread_local! {
    static RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many kernels have run on this thread (the tests check that the kernels they compare ran).
pub fn runs() -> usize {
    RUNS.with(|r| r.get())
}

fn count_run() {
    RUNS.with(|r| r.set(r.get() + 1));
}

fn run_kernel(node: &compile::Node, rows: usize) -> Vector {
    count_run();
    run::run(node, rows)
}

fn compiled(function: &Function, input: Input, rows: usize) -> Option<Vector> {
    if rows == 0 || !enabled() {
        return None;
    }
    let node = compile_function(function, input)?;
    Some(run_kernel(&node, rows))
}

/// A column of the function's value on each row record of the table (`Table.AddColumn`), `None` when the
/// function is not compiled. `fallback(row)` computes a deferred row with the interpreter.
pub fn map_rows(function: &Function, table: &Table, fallback: impl Fn(usize) -> Thunk) -> Option<Column> {
    let rows = table.row_count();
    let vector = compiled(function, Input::Row(table), rows)?;
    Some(into_column(vector, rows, fallback))
}

/// The function's value on each cell of the column (`Table.TransformColumns`), `None` when the function
/// is not compiled.
pub fn map_values(function: &Function, column: &Column, fallback: impl Fn(usize) -> Thunk) -> Option<Column> {
    let rows = column.len();
    let vector = compiled(function, Input::Value(column), rows)?;
    Some(into_column(vector, rows, fallback))
}

/// The rows of the table the condition keeps (`Table.SelectRows`): true keeps, false and null do not;
/// `passes(row)` decides a deferred row with the interpreter (its error ends the selection, as the first
/// failing row does in the interpreter). `None` when the condition is not compiled to a logical kernel.
pub fn filter_rows(
    condition: &Function,
    table: &Table,
    mut passes: impl FnMut(usize) -> Result<bool, MError>,
) -> Option<Result<Vec<usize>, MError>> {
    let rows = table.row_count();
    let node = if rows == 0 || !enabled() { None } else { compile_function(condition, Input::Row(table)) }?;
    if !matches!(node.kind(), Kind::Logical | Kind::Null) {
        return None;
    }
    let vector = run_kernel(&node, rows);
    let mut kept = Vec::new();
    for row in 0..rows {
        let keep = if vector.is_deferred(row) {
            match passes(row) {
                Ok(keep) => keep,
                Err(error) => return Some(Err(error)),
            }
        } else {
            match &vector.data {
                Data::Logical(a) => {
                    let i = vector::at(a.len(), row);
                    a.is_valid(i) && a.value(i)
                }
                _ => false,
            }
        };
        if keep {
            kept.push(row);
        }
    }
    Some(Ok(kept))
}

/// A kernel's result as a column: its array, with the deferred rows as the interpreter's lazy cells.
fn into_column(vector: Vector, rows: usize, fallback: impl Fn(usize) -> Thunk) -> Column {
    let data = vector.data.expand(rows);
    let column = data.array().and_then(Column::from_arrow).expect("a kernel's kinds are a column's");
    match vector.deferred {
        None => column,
        Some(deferred) => Column::from_thunks(
            (0..rows).map(|row| if deferred[row] { fallback(row) } else { column.thunk(row) }).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::value::Value;
    use super::*;

    fn value(text: &str) -> Value {
        crate::eval::evaluate_text(text).expect("evaluates").expect("no error")
    }

    /// Whether `function` (M text) compiles against a small table of every column kind: Arrow columns N, T,
    /// D, L; X of mixed kinds and E with an error, stored as cells.
    fn compiles(function: &str) -> bool {
        let columns = vec![
            Column::from_values(vec![Value::Number(1.0), Value::Null]),
            Column::from_values(vec![Value::text("a"), Value::Null]),
            Column::from_values(vec![Value::Date(737_000), Value::Null]),
            Column::from_values(vec![Value::Logical(true), Value::Null]),
            Column::from_values(vec![Value::Number(1.0), Value::text("x")]),
            Column::from_outcomes(vec![Ok(Value::Number(1.0)), Err(MError::expression("e"))]),
        ];
        let names = ["N", "T", "D", "L", "X", "E"].map(std::rc::Rc::from).to_vec();
        let types = vec![super::super::types::MType::any(); names.len()];
        let table = Table::new(super::super::value::Fields::new(names).unwrap(), types, columns, 2);
        let Value::Function(function) =
            value(&format!("let Five = 5, Cut = #date(2020, 1, 1) in {function}"))
        else {
            panic!("a function")
        };
        compile_function(&function, Input::Row(&table)).is_some()
    }

    #[test]
    fn each_kernel_shape_compiles() {
        for shape in [
            "each [N]",
            "each 1",
            "each Five",
            "each null",
            "each [N] + [N] * 2 - 1 / [N]",
            "each -[N]",
            "each [T] & \"x\"",
            "each [N] = [T]",
            "each [T] < \"b\"",
            "each [D] >= Cut",
            "each [L] and [N] > 0 or not [L]",
            "each if [L] then [N] else null",
            "each [N] ?? 0",
            "each [Missing]?",
            "each Date.Year([D])",
            "each Text.Upper([T])",
            "each Text.Length([T]) > 1",
            "each Number.Round([N], 2)",
            "(row) => row[N]",
        ] {
            assert!(compiles(shape), "{shape} is not compiled");
        }
    }

    #[test]
    fn other_shapes_are_left_to_the_interpreter() {
        for shape in [
            "each [X] + 1",
            "each [E]",
            "each [T] + 1",
            "each [Missing]",
            "each _",
            "each if [N] then 1 else 2",
            "each if [L] then 1 else \"a\"",
            "each List.Sum({[N]})",
            "each try [N] otherwise 0",
            "each [D] + #duration(1, 0, 0, 0)",
            "(row) => [N]",
            "(x as number) => 1",
            "(x, y) => 1",
        ] {
            assert!(!compiles(shape), "{shape} is compiled");
        }
    }
}
