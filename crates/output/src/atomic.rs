//! Single files that appear whole or not at all, and joining Parquet files.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` through a temporary sibling (`.NAME.tmp-PID`) renamed into place when
/// complete, so a killed process never leaves a file that looks finished.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file = fs::File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        w.flush()?;
        w.get_ref().sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A part of a Parquet file: the whole file, or one of its row groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParquetPart {
    /// The file.
    pub path: std::path::PathBuf,
    /// One row group of it (0-based), or the whole file when `None`.
    pub row_group: Option<usize>,
}

/// Concatenates Parquet files of one schema into `out`, in the order given.
pub fn concat_parquet<W: Write + Send>(inputs: &[std::path::PathBuf], out: W) -> io::Result<()> {
    let parts: Vec<ParquetPart> = inputs.iter().map(|p| ParquetPart { path: p.clone(), row_group: None }).collect();
    concat_parquet_parts(&parts, out)
}

/// Concatenates parts of Parquet files of one schema into `out`, in the order given. The
/// rows reach the writer in the same record batches whether a run's rows are read from a
/// file of their own or from a row group of a batch file ([`pack_parquet`]), so the result
/// is byte-identical either way.
pub fn concat_parquet_parts<W: Write + Send>(parts: &[ParquetPart], out: W) -> io::Result<()> {
    copy_parquet(parts, out, false)
}

/// Packs Parquet files of one schema into one file, each input as its own row group, in
/// the order given: a batch file that replaces many small files (read a part back with
/// [`ParquetPart`] and [`concat_parquet_parts`]).
pub fn pack_parquet<W: Write + Send>(inputs: &[std::path::PathBuf], out: W) -> io::Result<()> {
    let parts: Vec<ParquetPart> = inputs.iter().map(|p| ParquetPart { path: p.clone(), row_group: None }).collect();
    copy_parquet(&parts, out, true)
}

/// The smallest and largest value of the integer column `column` in each row group of a
/// Parquet file, from the file's statistics (`None` for a row group without them). A
/// batch file's row groups each hold one run, so this says which runs a file holds
/// without reading its rows.
///
/// Errors: the file cannot be read, is not Parquet, or has no such integer column.
pub fn row_group_ranges(path: &std::path::Path, column: &str) -> io::Result<Vec<Option<(i64, i64)>>> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::file::statistics::Statistics;
    let err = |e: &dyn std::fmt::Display| io::Error::other(format!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(fs::File::open(path)?).map_err(|e| err(&e))?;
    let meta = reader.metadata();
    let index = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .position(|c| c.name() == column)
        .ok_or_else(|| err(&format!("no column `{column}`")))?;
    Ok(meta
        .row_groups()
        .iter()
        .map(|g| match g.column(index).statistics() {
            Some(Statistics::Int64(s)) => s.min_opt().copied().zip(s.max_opt().copied()),
            _ => None,
        })
        .collect())
}

/// Copies the record batches of `parts` into one Parquet file (Snappy), ending a row
/// group after each part when `group_per_part`.
fn copy_parquet<W: Write + Send>(parts: &[ParquetPart], out: W, group_per_part: bool) -> io::Result<()> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let err = |e: &dyn std::fmt::Display| io::Error::other(e.to_string());
    let mut writer: Option<ArrowWriter<W>> = None;
    let mut out = Some(out);
    for part in parts {
        let file = fs::File::open(&part.path)?;
        let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&e))?;
        if let Some(g) = part.row_group {
            if g >= builder.metadata().num_row_groups() {
                return Err(io::Error::other(format!("{} has no row group {g}", part.path.display())));
            }
            builder = builder.with_row_groups(vec![g]);
        }
        for batch in builder.build().map_err(|e| err(&e))? {
            let batch = batch.map_err(|e| err(&e))?;
            if writer.is_none() {
                let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
                let w = out.take().ok_or_else(|| io::Error::other("writer already used"))?;
                writer = Some(ArrowWriter::try_new(w, batch.schema(), Some(props)).map_err(|e| err(&e))?);
            }
            if let Some(w) = writer.as_mut() {
                w.write(&batch).map_err(|e| err(&e))?;
            }
        }
        if group_per_part {
            if let Some(w) = writer.as_mut() {
                w.flush().map_err(|e| err(&e))?;
            }
        }
    }
    match writer {
        Some(w) => {
            w.close().map_err(|e| err(&e))?;
            Ok(())
        }
        None => Err(io::Error::other("no rows to write")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write_parquet;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use perelom_engine::{ColumnData, Table};

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.txt");
        write_atomic(&p, |w| w.write_all(b"hello")).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "hello");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        let failed = write_atomic(&d.path().join("b.txt"), |_| Err(io::Error::other("boom")));
        assert!(failed.is_err());
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn parquet_files_concatenate_in_order() {
        let d = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..3i64 {
            let mut t = Table::new();
            t.push("run", ColumnData::I64(vec![i; 4]));
            t.push("x", ColumnData::F64(vec![0.5; 4]));
            let p = d.path().join(format!("{i}.parquet"));
            write_atomic(&p, |w| write_parquet(&t, w)).unwrap();
            paths.push(p);
        }
        let out = d.path().join("all.parquet");
        write_atomic(&out, |w| concat_parquet(&paths, w)).unwrap();
        let r = SerializedFileReader::new(fs::File::open(&out).unwrap()).unwrap();
        assert_eq!(r.metadata().file_metadata().num_rows(), 12);
    }

    #[test]
    fn packed_row_groups_concatenate_to_the_same_bytes_as_the_files() {
        let d = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for k in 0..3 {
            let mut t = Table::new();
            t.push("run", ColumnData::I64(vec![k; 3 + k as usize]));
            t.push("x", ColumnData::F64((0..3 + k).map(|i| i as f64 * 0.1).collect()));
            let p = d.path().join(format!("r{k}.parquet"));
            write_parquet(&t, fs::File::create(&p).unwrap()).unwrap();
            files.push(p);
        }
        let packed = d.path().join("batch.parquet");
        pack_parquet(&files, fs::File::create(&packed).unwrap()).unwrap();
        let groups = SerializedFileReader::new(fs::File::open(&packed).unwrap()).unwrap().metadata().num_row_groups();
        assert_eq!(groups, 3);
        let mut direct = Vec::new();
        concat_parquet(&files, &mut direct).unwrap();
        let parts: Vec<ParquetPart> = (0..3).map(|g| ParquetPart { path: packed.clone(), row_group: Some(g) }).collect();
        let mut via = Vec::new();
        concat_parquet_parts(&parts, &mut via).unwrap();
        assert_eq!(direct, via);
        let bad = [ParquetPart { path: packed, row_group: Some(3) }];
        assert!(concat_parquet_parts(&bad, Vec::new()).is_err());
    }
}
