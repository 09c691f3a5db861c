use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use perelom_engine::{ColumnData, Table};
use std::io::Write;
use std::sync::Arc;

/// File format of result tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// Writes `table` as CSV with a header row. Floats are written in their shortest
/// round-tripping form, so reading them back gives the same bits.
pub fn write_csv<W: Write>(table: &Table, w: W) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(table.columns.iter().map(|c| c.name.as_str()))?;
    for row in 0..table.rows() {
        out.write_record(table.columns.iter().map(|c| c.data.cell(row)))?;
    }
    out.flush()
}

fn to_batch(table: &Table) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for c in &table.columns {
        let (dt, arr): (DataType, ArrayRef) = match &c.data {
            ColumnData::I64(v) => (DataType::Int64, Arc::new(Int64Array::from(v.clone()))),
            ColumnData::F64(v) => (DataType::Float64, Arc::new(Float64Array::from(v.clone()))),
            ColumnData::Str(v) => (DataType::Utf8, Arc::new(StringArray::from(v.clone()))),
            ColumnData::Date(v) => {
                (DataType::Date32, Arc::new(Date32Array::from(v.iter().map(|d| (*d - epoch).num_days() as i32).collect::<Vec<_>>())))
            }
        };
        fields.push(Field::new(&c.name, dt, false));
        arrays.push(arr);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
}

/// Writes `table` as one Parquet file (Snappy-compressed columns).
pub fn write_parquet<W: Write + Send>(table: &Table, w: W) -> std::io::Result<()> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let err = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let batch = to_batch(table).map_err(|e| err(&e))?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let mut writer = ArrowWriter::try_new(w, batch.schema(), Some(props)).map_err(|e| err(&e))?;
    writer.write(&batch).map_err(|e| err(&e))?;
    writer.close().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    fn sample() -> Table {
        let mut t = Table::new();
        t.push("step", ColumnData::I64(vec![0, 1]))
            .push("date", ColumnData::Date(vec![chrono::NaiveDate::from_ymd_opt(1928, 1, 2).unwrap(); 2]))
            .push("x", ColumnData::F64(vec![0.1 + 0.2, 1.0 / 3.0]))
            .push("who", ColumnData::Str(vec!["a,b".into(), "c".into()]));
        t
    }

    #[test]
    fn csv_round_trips_floats_exactly() {
        let mut buf = Vec::new();
        write_csv(&sample(), &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("step,date,x,who"));
        let row: Vec<&str> = lines.next().unwrap().splitn(4, ',').collect();
        assert_eq!(row[2].parse::<f64>().unwrap(), 0.1 + 0.2);
        assert!(text.contains("\"a,b\""));
    }

    #[test]
    fn parquet_holds_all_rows_and_columns() {
        let mut file = tempfile::tempfile().unwrap();
        write_parquet(&sample(), &mut file).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 2);
        assert_eq!(meta.file_metadata().schema_descr().num_columns(), 4);
    }
}
