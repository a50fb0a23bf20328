//! `Table.Group`'s aggregations of the common shapes, computed from the grouped table's columns without
//! making each group's table: `each Table.RowCount(_)` is the group's row count, and `each F([Col])` (any
//! library function of a list: `List.Sum`, `List.Average`, `List.Max`, ...) calls `F` with the list of
//! the group's cells of `Col`, the very list `[Col]` gives on the group's table. Anything else runs on the
//! group's table, as before.

use super::super::ast::{Expr, ExprKind};
use super::super::evaluate::lookup;
use super::super::library::{call, Builtin};
use super::super::value::{Function, List, Outcome, Table, Value};

/// An aggregation computed from the grouped table and a group's rows.
pub enum Aggregate {
    RowCount,
    /// A library function called with the list of the group's cells of a column.
    OfColumn(&'static Builtin, usize),
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
        match &argument.kind {
            ExprKind::Identifier(_) if is_parameter(argument) && builtin.name == "Table.RowCount" => {
                Some(Aggregate::RowCount)
            }
            ExprKind::Field { target, name, optional: false } => {
                let on_parameter = match target {
                    None => &*parameter.name == "_",
                    Some(target) => is_parameter(target),
                };
                let column = table.fields().position(name)?;
                on_parameter.then_some(Aggregate::OfColumn(builtin, column))
            }
            _ => None,
        }
    }

    /// The aggregation of the group of these rows of the table.
    pub fn run(&self, table: &Table, rows: &[usize]) -> Outcome {
        match self {
            Aggregate::RowCount => Ok(Value::Number(rows.len() as f64)),
            Aggregate::OfColumn(builtin, column) => {
                let column = &table.columns()[*column];
                let cells = List::from_thunks(rows.iter().map(|&row| column.thunk(row)).collect());
                call(builtin, vec![Value::List(cells)])
            }
        }
    }
}
