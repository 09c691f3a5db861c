use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use perelom_engine::{ColumnData, ColumnDoc, Quantity, Table};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

/// File format of result tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated text with a header row.
    Csv,
    /// Apache Parquet, with each column's meaning in its metadata.
    Parquet,
}

impl Format {
    /// The file extension, without the dot: `csv` or `parquet`.
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

/// `table` as one Arrow record batch, as the Parquet files hold it: Int64, Float64, Utf8
/// and Date32 columns, none nullable, each column's meaning, unit and kind in its field's
/// metadata (`description`, `unit`, `kind`). The Python package hands these batches over
/// as they are.
pub fn record_batch(table: &Table) -> Result<RecordBatch, arrow_schema::ArrowError> {
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
        let mut field = Field::new(&c.name, dt, false);
        if let Some(d) = &c.doc {
            field = field.with_metadata(HashMap::from([
                ("description".to_string(), d.doc.clone()),
                ("unit".to_string(), d.unit.clone()),
                ("kind".to_string(), d.kind.word().to_string()),
            ]));
        }
        fields.push(field);
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
    let batch = record_batch(table).map_err(|e| err(&e))?;
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

/// Reads a Parquet file written by [`write_parquet`] (or joined by
/// [`crate::concat_parquet`]) back into a table.
pub fn read_parquet(path: &std::path::Path) -> std::io::Result<Table> {
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let err = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let file = std::fs::File::open(path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&e))?;
    // The columns come from the schema, so a table without rows keeps its columns.
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(|e| err(&e))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let mut table = Table::new();
    let mut columns: Vec<(String, ColumnData)> = Vec::new();
    let mut docs: Vec<Option<ColumnDoc>> = Vec::new();
    for f in schema.fields() {
        let empty = match f.data_type() {
            DataType::Int64 => ColumnData::I64(Vec::new()),
            DataType::Float64 => ColumnData::F64(Vec::new()),
            DataType::Date32 => ColumnData::Date(Vec::new()),
            _ => ColumnData::Str(Vec::new()),
        };
        columns.push((f.name().clone(), empty));
        let m = f.metadata();
        docs.push(match (m.get("kind").and_then(|k| Quantity::from_word(k)), m.get("unit"), m.get("description")) {
            (Some(kind), Some(unit), Some(doc)) => Some(ColumnDoc::new(kind, unit, doc)),
            _ => None,
        });
    }
    for batch in reader {
        let batch = batch.map_err(|e| err(&e))?;
        for (i, (_, data)) in columns.iter_mut().enumerate() {
            let col = batch.column(i);
            match data {
                ColumnData::I64(v) => v.extend(col.as_any().downcast_ref::<Int64Array>().ok_or_else(|| err(&"not Int64"))?.values().iter()),
                ColumnData::F64(v) => {
                    v.extend(col.as_any().downcast_ref::<Float64Array>().ok_or_else(|| err(&"not Float64"))?.values().iter())
                }
                ColumnData::Date(v) => v.extend(
                    col.as_any()
                        .downcast_ref::<Date32Array>()
                        .ok_or_else(|| err(&"not Date32"))?
                        .values()
                        .iter()
                        .map(|&d| epoch + chrono::Duration::days(i64::from(d))),
                ),
                ColumnData::Str(v) => {
                    let a = col.as_any().downcast_ref::<StringArray>().ok_or_else(|| err(&"not Utf8"))?;
                    v.extend((0..a.len()).map(|k| a.value(k).to_string()));
                }
            }
        }
    }
    for ((name, data), doc) in columns.into_iter().zip(docs) {
        match doc {
            Some(d) => table.push_doc(name, data, d),
            None => table.push(name, data),
        };
    }
    Ok(table)
}

/// The data dictionary of `tables` (name and table, as written into a result
/// directory): one row per column with `table`, `column`, `type` (integer, number, text,
/// date), `kind` (flow, stock, rate, ...), `unit` and `description`. Columns the model
/// does not describe have empty kind, unit and description.
pub fn dictionary(tables: &[(&str, &Table)]) -> Table {
    let mut cols: [Vec<String>; 6] = Default::default();
    for (name, t) in tables {
        for c in &t.columns {
            let ty = match c.data {
                ColumnData::I64(_) => "integer",
                ColumnData::F64(_) => "number",
                ColumnData::Str(_) => "text",
                ColumnData::Date(_) => "date",
            };
            let (kind, unit, doc) = c.doc.as_ref().map_or(("", "", ""), |d| (d.kind.word(), d.unit.as_str(), d.doc.as_str()));
            for (col, v) in cols.iter_mut().zip([*name, c.name.as_str(), ty, kind, unit, doc]) {
                col.push(v.to_string());
            }
        }
    }
    let mut t = Table::new();
    let [a, b, c, d, e, f] = cols;
    let doc = |u: &str, s: &str| ColumnDoc::new(Quantity::Category, u, s);
    t.push_doc("table", ColumnData::Str(a), doc("file", "the table (file name without extension)"))
        .push_doc("column", ColumnData::Str(b), doc("column", "the column's name"))
        .push_doc("type", ColumnData::Str(c), doc("type", "integer, number, text or date"))
        .push_doc(
            "kind",
            ColumnData::Str(d),
            doc("kind", "identifier, category, flow (summed over time), stock (level at the end of the step), rate (share 0-1), index (base = 1), average (mean over people), duration, parameter"),
        )
        .push_doc("unit", ColumnData::Str(e), doc("unit", "what one unit of the value is"))
        .push_doc("description", ColumnData::Str(f), doc("text", "what the column means"));
    t
}

#[cfg(test)]
mod read_tests {
    use super::*;

    #[test]
    fn parquet_reads_back_what_was_written() {
        let mut t = Table::new();
        t.push("step", ColumnData::I64(vec![0, 1]))
            .push("date", ColumnData::Date(vec![chrono::NaiveDate::from_ymd_opt(1928, 1, 2).unwrap(); 2]))
            .push("x", ColumnData::F64(vec![0.1 + 0.2, 1.0 / 3.0]))
            .push("who", ColumnData::Str(vec!["a,b".into(), "c".into()]));
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.parquet");
        write_parquet(&t, std::fs::File::create(&p).unwrap()).unwrap();
        assert_eq!(read_parquet(&p).unwrap(), t);
        // Column meanings travel in the Parquet field metadata.
        t.describe("x", ColumnDoc::new(Quantity::Rate, "share", "a share of something"));
        write_parquet(&t, std::fs::File::create(&p).unwrap()).unwrap();
        let back = read_parquet(&p).unwrap();
        assert_eq!(back.doc("x"), Some(&ColumnDoc::new(Quantity::Rate, "share", "a share of something")));
        assert_eq!(back, t);
        // A table without rows keeps its columns (an event log of a quiet run).
        let mut empty = Table::new();
        empty.push_doc("count", ColumnData::I64(Vec::new()), ColumnDoc::new(Quantity::Flow, "people", "people"));
        write_parquet(&empty, std::fs::File::create(&p).unwrap()).unwrap();
        assert_eq!(read_parquet(&p).unwrap(), empty);
        let d = dictionary(&[("metrics", &t)]);
        assert_eq!(d.rows(), 4);
        assert_eq!(d.column("description").unwrap().cell(2), "a share of something");
        assert_eq!(d.column("type").unwrap().cell(1), "date");
    }
}
