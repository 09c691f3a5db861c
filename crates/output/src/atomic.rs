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

/// Concatenates Parquet files of one schema into `out`, in the order given.
pub fn concat_parquet<W: Write + Send>(inputs: &[std::path::PathBuf], out: W) -> io::Result<()> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let err = |e: &dyn std::fmt::Display| io::Error::other(e.to_string());
    let mut writer: Option<ArrowWriter<W>> = None;
    let mut out = Some(out);
    for p in inputs {
        let file = fs::File::open(p)?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&e))?.build().map_err(|e| err(&e))?;
        for batch in reader {
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
    }
    match writer {
        Some(w) => {
            w.close().map_err(|e| err(&e))?;
        }
        None => return Err(io::Error::other("no rows to concatenate")),
    }
    Ok(())
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
}
