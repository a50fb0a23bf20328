//! `Parquet.Document(binary)`: a Parquet file's rows as a table, read with the `parquet` crate's Arrow
//! reader and mapped to M by [`super::arrow_table`].

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::super::evaluate::cannot_convert;
use super::super::value::{MError, Outcome, Table, Value};
use super::arrow_table::table_from_batches;
use super::Registry;

pub fn register(r: &mut Registry) {
    r.add("Parquet.Document", parquet_document);
}

fn parquet_document(args: &[Value]) -> Outcome {
    match &args[0] {
        Value::Binary(bytes) => Ok(Value::Table(read(bytes)?)),
        other => Err(cannot_convert(other, "Binary")),
    }
}

fn parquet_error(error: impl std::fmt::Display) -> MError {
    MError::new("DataFormat.Error", format!("The Parquet file could not be read: {error}."))
}

/// The rows of a Parquet file.
fn read(bytes: &[u8]) -> Result<Table, MError> {
    let (schema, batches) = batches(bytes)?;
    table_from_batches(&schema, &batches)
}

/// The schema and record batches of a Parquet file.
pub(crate) fn batches(bytes: &[u8]) -> Result<(SchemaRef, Vec<RecordBatch>), MError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(parquet_error)?;
    let schema = builder.schema().clone();
    let batches =
        builder.build().map_err(parquet_error)?.collect::<Result<Vec<_>, _>>().map_err(parquet_error)?;
    Ok((schema, batches))
}
