//! `Table.Group`'s aggregations of the common shapes, computed from the grouped table's columns without
//! making each group's table: `each Table.RowCount(_)` is the group's row count, and `each F([Col])` (any
//! library function of a list: `List.Sum`, `List.Average`, `List.Max`, ...) calls `F` with the list of
//! the group's cells of `Col`, the very list `[Col]` gives on the group's table. Anything else runs on the
//! group's table, as before.

use super::super::ast::{Expr, ExprKind};
use super::super::evaluate::lookup;
use super::super::library::{call, Builtin};
use arrow_array::{Array, Float64Array};

use super::super::value::{Column, Function, List, Outcome, Table, Value};

/// An aggregation computed from the grouped table and a group's rows.
pub enum Aggregate {
    RowCount,
    /// A library function called with the list of the group's cells of a column (its Arrow array made
    /// once here when the column is a selection of another's rows).
    OfColumn(&'static Builtin, Column),
}

impl Aggregate {
    /// The aggregation of `function` over the groups of `table`, `None` when it has another shape.
    pub fn compile(function: &Function, table: &Table) -> Option<Aggregate> {
        if !super::enabled() {
            return None;
        }
        let Function::Closure(closure) = function else { return None };
        let definition = &closure.definition;
        let [parameter] = definition.parameters.as_slice() else { return None };
        if parameter.optional || parameter.ty.is_some() || definition.return_type.is_some() {
            return None;
        }
        let ExprKind::Invoke { function, arguments } = &definition.body.kind else { return None };
        let [argument] = arguments.as_slice() else { return None };
        let ExprKind::Identifier(name) = &function.kind else { return None };
        if *name == parameter.name {
            return None;
        }
        let Ok(Value::Function(Function::Builtin(builtin))) = lookup(&closure.env, name) else { return None };
        let is_parameter =
            |expr: &Expr| matches!(&expr.kind, ExprKind::Identifier(p) if *p == parameter.name);
        let aggregate = match &argument.kind {
            ExprKind::Identifier(_) if is_parameter(argument) && builtin.name == "Table.RowCount" => {
                Some(Aggregate::RowCount)
            }
            ExprKind::Field { target, name, optional: false } => {
                let on_parameter = match target {
                    None => &*parameter.name == "_",
                    Some(target) => is_parameter(target),
                };
                let column = &table.columns()[table.fields().position(name)?];
                let column =
                    column.arrow().and_then(|a| Column::from_arrow(&*a)).unwrap_or_else(|| column.clone());
                on_parameter.then_some(Aggregate::OfColumn(builtin, column))
            }
            _ => None,
        }?;
        super::count_run();
        Some(aggregate)
    }

    /// The aggregation of the group of these rows of the grouped table.
    pub fn run(&self, rows: &[usize]) -> Outcome {
        match self {
            Aggregate::RowCount => Ok(Value::Number(rows.len() as f64)),
            Aggregate::OfColumn(builtin, column) => {
                if builtin.name == "List.Sum" {
                    if let Some(sum) = sum_of_numbers(column, rows) {
                        return Ok(sum);
                    }
                }
                let cells = List::from_thunks(rows.iter().map(|&row| column.thunk(row)).collect());
                call(builtin, vec![Value::List(cells)])
            }
        }
    }
}

/// `List.Sum` of a column of numbers as the library adds them: nulls skipped, the others added in order,
/// null when there are none. `None` when the column is not an Arrow array of numbers.
fn sum_of_numbers(column: &Column, rows: &[usize]) -> Option<Value> {
    let array = column.arrow()?;
    let numbers = array.as_any().downcast_ref::<Float64Array>()?;
    let mut total: Option<f64> = None;
    for &row in rows {
        if numbers.is_valid(row) {
            let n = numbers.value(row);
            total = Some(total.map_or(n, |t| t + n));
        }
    }
    Some(total.map_or(Value::Null, Value::Number))
}
