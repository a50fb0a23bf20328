//! Arrow record batches (read from Parquet files and Delta tables) as M tables, and the M type of an
//! Arrow column: booleans are logicals; integers `Int64.Type` (and their narrower facets), floats
//! numbers, decimals `Decimal.Type`; strings text; binaries binary; dates dates; timestamps datetimes
//! (datetimezones in UTC when the timestamp is adjusted to UTC); times, durations; lists lists; structs
//! records, maps records of their keys. A value of a type dfls does not map (a union) is an error in its
//! cell.

use std::rc::Rc;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};

use super::super::datetime::{Zoned, TICKS_PER_DAY};
use super::super::types::MType;
use super::super::value::{Column, List, MError, Outcome, Record, Table, Thunk, Value};
use super::new_fields;

/// Days from 0001-01-01 (day 0 of M's dates) to 1970-01-01 (day 0 of Arrow's).
pub(crate) const UNIX_EPOCH_DAY: i64 = 719_162;

/// The batches (of one schema) as one table.
pub(crate) fn table_from_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<Table, MError> {
    let names: Vec<Rc<str>> = schema.fields().iter().map(|f| Rc::from(f.name().as_str())).collect();
    let fields = new_fields(names)?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (i, _) in schema.fields().iter().enumerate() {
        let mut cells = Vec::with_capacity(rows);
        for batch in batches {
            crate::cancel::checkpoint();
            let array = batch.column(i);
            cells.extend((0..array.len()).map(|row| cell(array.as_ref(), row)));
        }
        columns.push(Column::from_outcomes(cells));
    }
    let types = schema.fields().iter().map(|f| m_type(f.data_type())).collect();
    Ok(Table::new(fields, types, columns, rows))
}

/// The M type of an Arrow type (nullable: any Parquet column may hold nulls).
pub(crate) fn m_type(data_type: &DataType) -> Rc<MType> {
    let named = match data_type {
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "Int64.Type",
        DataType::Int32 | DataType::UInt16 => "Int32.Type",
        DataType::Int16 | DataType::UInt8 => "Int16.Type",
        DataType::Int8 => "Int8.Type",
        DataType::Float32 => "Single.Type",
        DataType::Float64 | DataType::Float16 => "number",
        DataType::Decimal128(..) | DataType::Decimal256(..) => "Decimal.Type",
        DataType::Boolean => "logical",
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text",
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => {
            "binary"
        }
        DataType::Date32 | DataType::Date64 => "date",
        DataType::Timestamp(_, None) => "datetime",
        DataType::Timestamp(_, Some(_)) => "datetimezone",
        DataType::Time32(_) | DataType::Time64(_) => "time",
        DataType::Duration(_) => "duration",
        DataType::List(_) | DataType::LargeList(_) => "list",
        DataType::Struct(_) | DataType::Map(..) => "record",
        _ => "any",
    };
    let ty = MType::named(named).or_else(|| MType::primitive(named)).unwrap_or_else(MType::any);
    MType::nullable(&ty)
}

fn ticks(value: i64, unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => value.saturating_mul(10_000_000),
        TimeUnit::Millisecond => value.saturating_mul(10_000),
        TimeUnit::Microsecond => value.saturating_mul(10),
        TimeUnit::Nanosecond => value / 100,
    }
}

/// One cell of an Arrow array as an M value.
pub(crate) fn cell(array: &dyn Array, row: usize) -> Outcome {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let epoch = UNIX_EPOCH_DAY * TICKS_PER_DAY;
    Ok(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Logical(array.as_boolean().value(row)),
        DataType::Int8 => Value::Number(f64::from(array.as_primitive::<Int8Type>().value(row))),
        DataType::Int16 => Value::Number(f64::from(array.as_primitive::<Int16Type>().value(row))),
        DataType::Int32 => Value::Number(f64::from(array.as_primitive::<Int32Type>().value(row))),
        DataType::Int64 => Value::Number(array.as_primitive::<Int64Type>().value(row) as f64),
        DataType::UInt8 => Value::Number(f64::from(array.as_primitive::<UInt8Type>().value(row))),
        DataType::UInt16 => Value::Number(f64::from(array.as_primitive::<UInt16Type>().value(row))),
        DataType::UInt32 => Value::Number(f64::from(array.as_primitive::<UInt32Type>().value(row))),
        DataType::UInt64 => Value::Number(array.as_primitive::<UInt64Type>().value(row) as f64),
        DataType::Float16 => Value::Number(f64::from(array.as_primitive::<Float16Type>().value(row))),
        DataType::Float32 => Value::Number(f64::from(array.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => Value::Number(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => {
            let raw = array.as_primitive::<Decimal128Type>().value(row);
            Value::Number(raw as f64 / 10f64.powi(i32::from(*scale)))
        }
        DataType::Utf8 => Value::text(array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => Value::text(array.as_string::<i64>().value(row)),
        DataType::Utf8View => Value::text(array.as_string_view().value(row)),
        DataType::Binary => Value::Binary(Rc::from(array.as_binary::<i32>().value(row))),
        DataType::LargeBinary => Value::Binary(Rc::from(array.as_binary::<i64>().value(row))),
        DataType::BinaryView => Value::Binary(Rc::from(array.as_binary_view().value(row))),
        DataType::FixedSizeBinary(_) => Value::Binary(Rc::from(array.as_fixed_size_binary().value(row))),
        DataType::Date32 => {
            Value::Date(i64::from(array.as_primitive::<Date32Type>().value(row)) + UNIX_EPOCH_DAY)
        }
        DataType::Date64 => {
            let millis = array.as_primitive::<Date64Type>().value(row);
            Value::Date(millis.div_euclid(86_400_000) + UNIX_EPOCH_DAY)
        }
        DataType::Timestamp(unit, zone) => {
            let raw = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(row),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(row),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row),
            };
            let local = epoch.saturating_add(ticks(raw, unit));
            match zone {
                None => Value::DateTime(local),
                Some(_) => Value::DateTimeZone(Zoned { local, offset_minutes: 0 }),
            }
        }
        DataType::Time32(unit) => {
            let raw = match unit {
                TimeUnit::Second => i64::from(array.as_primitive::<Time32SecondType>().value(row)),
                _ => i64::from(array.as_primitive::<Time32MillisecondType>().value(row)),
            };
            Value::Time(ticks(raw, unit))
        }
        DataType::Time64(unit) => {
            let raw = match unit {
                TimeUnit::Microsecond => array.as_primitive::<Time64MicrosecondType>().value(row),
                _ => array.as_primitive::<Time64NanosecondType>().value(row),
            };
            Value::Time(ticks(raw, unit))
        }
        DataType::Duration(unit) => {
            let raw = match unit {
                TimeUnit::Second => array.as_primitive::<DurationSecondType>().value(row),
                TimeUnit::Millisecond => array.as_primitive::<DurationMillisecondType>().value(row),
                TimeUnit::Microsecond => array.as_primitive::<DurationMicrosecondType>().value(row),
                TimeUnit::Nanosecond => array.as_primitive::<DurationNanosecondType>().value(row),
            };
            Value::Duration(ticks(raw, unit))
        }
        DataType::List(_) => list(array.as_list::<i32>().value(row))?,
        DataType::LargeList(_) => list(array.as_list::<i64>().value(row))?,
        DataType::Struct(fields) => {
            let parts = array.as_struct();
            let names = fields.iter().map(|f| Rc::from(f.name().as_str())).collect();
            let values = parts.columns().iter().map(|c| Thunk::Ready(cell(c.as_ref(), row))).collect();
            Value::Record(Record::new(names, values)?)
        }
        // A map (Delta's partitionValues and configuration) as a record of its keys.
        DataType::Map(..) => {
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let mut names = Vec::with_capacity(entries.len());
            let mut cells = Vec::with_capacity(entries.len());
            for i in 0..entries.len() {
                match cell(keys.as_ref(), i)? {
                    Value::Text(key) => names.push(key),
                    other => names.push(Rc::from(super::super::render::scalar_text(&other).as_str())),
                }
                cells.push(Thunk::Ready(cell(values.as_ref(), i)));
            }
            Value::Record(Record::new(names, cells)?)
        }
        other => {
            return Err(MError::new(
                "DataFormat.Error",
                format!("A value of the Parquet/Arrow type {other} is not read by dfls yet."),
            ))
        }
    })
}

fn list(items: Arc<dyn Array>) -> Outcome {
    let values = (0..items.len()).map(|i| Thunk::Ready(cell(items.as_ref(), i))).collect();
    Ok(Value::List(List::from_thunks(values)))
}
