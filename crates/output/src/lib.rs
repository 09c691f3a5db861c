//! Writing results: tables as CSV or Parquet, the run manifest as JSON, and result
//! directories that appear whole or not at all.
//!
//! Architecture invariant: this crate and the CLI are the only ones that touch the file
//! system. A result directory is first written under a temporary name beside its final
//! place and renamed when complete, so a killed run never leaves a directory that looks
//! finished; an existing directory is never replaced unless the caller says so, and then
//! only if it is a Perelom result of the same kind (its marker file, [`MARKER`], says so)
//! holding nothing a user put there.

#![warn(missing_docs)]

mod atomic;
mod ownership;
mod result_dir;
mod run_dir;
mod table;

pub use atomic::{concat_parquet, concat_parquet_parts, pack_parquet, row_group_ranges, write_atomic, ParquetPart};
pub use ownership::{check_replaceable, process_alive, remove_stale, remove_stale_temp_files, Marker, MARKER};
pub use result_dir::{Existing, OutputError, ResultDir};
pub use run_dir::{read_csv, read_json, read_table, write_manifest, write_run, FileSink, RunManifest};
pub use table::{dictionary, read_parquet, record_batch, write_csv, write_parquet, Format};
