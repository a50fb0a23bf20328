//! Tables as Apache Arrow: one record batch, written as an Arrow IPC stream (`--format arrow`) or a
//! Parquet file (`--format parquet`, snappy-compressed).
//!
//! Each column gets the Arrow type of its values: numbers `Float64` (`Int64` when the column's type is an
//! integer facet such as `Int64.Type` and every value is whole), texts `Utf8`, logicals `Boolean`, dates
//! `Date32`, datetimes `Timestamp(µs)`, datetimezones `Timestamp(µs, UTC)` (the instant), times
//! `Time64(µs)`, durations `Duration(µs)`, binaries `Binary`; a column of nulls only is `Utf8`. A column
//! that mixes kinds, or holds lists, records or tables, cannot be written (`Err(Err(message))`), and an
//! error in a cell stops the output (`Err(Ok(error))`): nothing is written half-true.

use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, DurationMicrosecondBuilder, Float64Builder, Int64Builder,
    StringBuilder, Time64MicrosecondBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::eval::datetime::TICKS_PER_DAY;
use crate::eval::types::MType;
use crate::eval::value::{Column, MError, Table, Value};

/// Days from 0001-01-01 to 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 719_162;
const UNIX_EPOCH_TICKS: i64 = UNIX_EPOCH_DAY * TICKS_PER_DAY;

/// Why a value cannot be written: an error in a cell, or a value or column that has no Arrow form.
pub type Refusal = Result<MError, String>;

/// The table as one Arrow record batch.
pub fn record_batch(value: &Value) -> Result<RecordBatch, Refusal> {
    let Value::Table(table) = value.plain() else {
        return Err(Err(format!(
            "parquet and arrow print tables; the value is a {}",
            value.kind_name().to_lowercase()
        )));
    };
    let mut fields = Vec::with_capacity(table.columns().len());
    let mut arrays = Vec::with_capacity(table.columns().len());
    for ((name, column), ty) in table.column_names().iter().zip(table.columns()).zip(table.column_types()) {
        let array = arrow_column(table, name, column, ty)?;
        fields.push(Field::new(name.as_ref(), array.data_type().clone(), true));
        arrays.push(array);
    }
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(table.row_count()));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
        .map_err(|error| Err(error.to_string()))
}

/// The Arrow IPC stream of the table.
pub fn arrow_stream(value: &Value) -> Result<Vec<u8>, Refusal> {
    let batch = record_batch(value)?;
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema())
        .map_err(|error| Err(error.to_string()))?;
    writer.write(&batch).map_err(|error| Err(error.to_string()))?;
    writer.finish().map_err(|error| Err(error.to_string()))?;
    drop(writer);
    Ok(out)
}

/// The table as a Parquet file.
pub fn parquet(value: &Value) -> Result<Vec<u8>, Refusal> {
    let batch = record_batch(value)?;
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(properties))
        .map_err(|error| Err(error.to_string()))?;
    writer.write(&batch).map_err(|error| Err(error.to_string()))?;
    writer.close().map_err(|error| Err(error.to_string()))?;
    Ok(out)
}

fn integer_facet(ty: &MType) -> bool {
    matches!(ty.facet, Some("Int64" | "Int32" | "Int16" | "Int8" | "Byte"))
}

fn arrow_column(table: &Table, name: &str, column: &Column, ty: &MType) -> Result<ArrayRef, Refusal> {
    if let Some(array) = column.arrow() {
        if !(integer_facet(ty) && array.data_type() == &DataType::Float64) {
            return Ok(array);
        }
    }
    let mut values = Vec::with_capacity(table.row_count());
    for row in 0..table.row_count() {
        crate::cancel::checkpoint();
        values.push(column.cell(row).map_err(Ok)?.plain().clone());
    }
    let kind = values.iter().find(|v| !v.is_null()).map(Value::kind_name);
    if let Some(other) = values.iter().find(|v| !v.is_null() && Some(v.kind_name()) != kind) {
        return Err(Err(format!(
            "the column `{name}` holds a {} and a {}: a Parquet or Arrow column has one type",
            kind.unwrap_or_default().to_lowercase(),
            other.kind_name().to_lowercase()
        )));
    }
    macro_rules! build {
        ($builder:expr, $pattern:pat => $value:expr) => {{
            let mut builder = $builder;
            for value in &values {
                match value {
                    $pattern => builder.append_value($value),
                    _ => builder.append_null(),
                }
            }
            Arc::new(builder.finish()) as ArrayRef
        }};
    }
    let micros = |ticks: i64| ticks.div_euclid(10);
    Ok(match kind {
        None => build!(StringBuilder::new(), Value::Text(t) => &**t),
        Some("Number")
            if integer_facet(ty)
                && values.iter().all(|v| {
                    matches!(v, Value::Null)
                        || matches!(v, Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.2e18)
                }) =>
        {
            build!(Int64Builder::new(), Value::Number(n) => *n as i64)
        }
        Some("Number") => build!(Float64Builder::new(), Value::Number(n) => *n),
        Some("Text") => build!(StringBuilder::new(), Value::Text(t) => &**t),
        Some("Logical") => build!(BooleanBuilder::new(), Value::Logical(b) => *b),
        Some("Date") => build!(Date32Builder::new(), Value::Date(d) => (d - UNIX_EPOCH_DAY) as i32),
        Some("DateTime") => {
            build!(TimestampMicrosecondBuilder::new(), Value::DateTime(t) => micros(t - UNIX_EPOCH_TICKS))
        }
        Some("DateTimeZone") => {
            let builder = TimestampMicrosecondBuilder::new()
                .with_data_type(DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())));
            build!(builder, Value::DateTimeZone(z) => micros(z.utc() - UNIX_EPOCH_TICKS))
        }
        Some("Time") => build!(Time64MicrosecondBuilder::new(), Value::Time(t) => micros(*t)),
        Some("Duration") => build!(DurationMicrosecondBuilder::new(), Value::Duration(d) => micros(*d)),
        Some("Binary") => build!(BinaryBuilder::new(), Value::Binary(b) => &**b),
        Some(other) => {
            return Err(Err(format!(
                "the column `{name}` holds {} values: Parquet and Arrow output take scalar columns only",
                other.to_lowercase()
            )))
        }
    })
}
