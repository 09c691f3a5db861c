//! A run's result directory as a zip archive, in memory: the files `perelom run` writes,
//! written by the output crate's own writers (`perelom_output::write_run`,
//! `write_manifest`) through [`FileSink`], so the bytes of every file are those of the
//! command line's (the manifest's timing fields aside).

use crate::run::lock;
use perelom_output::{FileSink, OutputError};
use std::io::{Cursor, Write};
use std::sync::Mutex;
use zip::write::SimpleFileOptions;

/// A zip being written; [`ZipFiles::finish`] gives its bytes.
pub struct ZipFiles {
    zip: Mutex<zip::ZipWriter<Cursor<Vec<u8>>>>,
    options: SimpleFileOptions,
    /// The top folder of every entry (`NAME/`), so that unzipping makes one directory.
    folder: String,
}

impl ZipFiles {
    /// An empty archive whose files go under `folder/`, dated `when` (UTC).
    pub fn new(folder: &str, when: chrono::DateTime<chrono::Utc>) -> ZipFiles {
        use chrono::{Datelike, Timelike};
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(when.year()).unwrap_or(1980),
            when.month() as u8,
            when.day() as u8,
            when.hour() as u8,
            when.minute() as u8,
            when.second() as u8,
        )
        .unwrap_or_default();
        ZipFiles {
            zip: Mutex::new(zip::ZipWriter::new(Cursor::new(Vec::new()))),
            options: SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).last_modified_time(stamp),
            folder: folder.to_string(),
        }
    }

    /// The archive's bytes.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        let zip = self.zip.into_inner().unwrap_or_else(|e| e.into_inner());
        zip.finish().map(Cursor::into_inner).map_err(|e| format!("cannot finish the zip: {e}"))
    }
}

impl FileSink for ZipFiles {
    fn put(&self, name: &str, write: &mut dyn FnMut(&mut (dyn Write + Send)) -> std::io::Result<()>) -> Result<(), OutputError> {
        let path = format!("{}/{name}", self.folder);
        let err = |source: std::io::Error| OutputError::Io { path: path.clone().into(), action: "write into the zip", source };
        let mut zip = lock(&self.zip);
        zip.start_file(path.as_str(), self.options).map_err(|e| err(std::io::Error::other(e)))?;
        write(&mut *zip).map_err(err)?;
        Ok(())
    }
}
