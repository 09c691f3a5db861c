//! A run's result directory: its tables, documents, data dictionary, resolved scenario
//! and manifest; and reading result files back (CSV, Parquet, the manifest).

use crate::{dictionary, write_csv, write_parquet, Format, OutputError, ResultDir};
use perelom_engine::{ColumnData, Table};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Where a run's files go: a result directory ([`ResultDir`]), or anything else that
/// holds named files (the web explorer's zip of a run). [`write_run`] and
/// [`write_manifest`] write through it, so every front end writes the same bytes.
pub trait FileSink {
    /// Writes one file called `name` with `write`.
    fn put(&self, name: &str, write: &mut dyn FnMut(&mut (dyn Write + Send)) -> std::io::Result<()>) -> Result<(), OutputError>;
}

impl FileSink for ResultDir {
    fn put(&self, name: &str, write: &mut dyn FnMut(&mut (dyn Write + Send)) -> std::io::Result<()>) -> Result<(), OutputError> {
        self.write_file(name, |w| write(w))
    }
}

/// Writes a finished run's files into `dir` (not yet committed): every table as
/// `NAME.csv` or `NAME.parquet`, every document under its own name, `dictionary.csv`
/// (what each column means, its unit and kind) and `scenario.toml` (the resolved scenario
/// that reproduces the run). `tables` are (name, table), the metrics first; `documents`
/// are (file name, text).
pub fn write_run<D: FileSink + ?Sized>(
    dir: &D,
    tables: &[(String, Table)],
    documents: &[(String, String)],
    scenario_toml: &str,
    format: Format,
) -> Result<(), OutputError> {
    for (name, table) in tables {
        let file = format!("{name}.{}", format.extension());
        match format {
            Format::Csv => dir.put(&file, &mut |w| write_csv(table, w))?,
            Format::Parquet => dir.put(&file, &mut |w| write_parquet(table, w))?,
        }
    }
    for (name, text) in documents {
        dir.put(name, &mut |w| w.write_all(text.as_bytes()))?;
    }
    let named: Vec<(&str, &Table)> = tables.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let dictionary = dictionary(&named);
    dir.put("dictionary.csv", &mut |w| write_csv(&dictionary, w))?;
    dir.put("scenario.toml", &mut |w| w.write_all(scenario_toml.as_bytes()))?;
    Ok(())
}

/// Writes `manifest.json` (a run's [`RunManifest::to_json`], with whatever a front end
/// adds) into `dir`: pretty-printed JSON and a final newline.
pub fn write_manifest<D: FileSink + ?Sized>(dir: &D, manifest: &Value) -> Result<(), OutputError> {
    dir.put("manifest.json", &mut |w| {
        serde_json::to_writer_pretty(&mut *w, manifest)?;
        w.write_all(b"\n")
    })
}

/// What a run's `manifest.json` records: everything needed to reproduce the run and to
/// judge its numbers.
#[derive(Clone, Debug)]
pub struct RunManifest {
    /// Perelom's version (`perelom_version`).
    pub version: String,
    /// The git commit Perelom was built from; `None` (or empty) outside a clone.
    pub git_commit: Option<String>,
    /// The scenario's file, or its built-in name.
    pub file: String,
    /// The scenario's model (`scenario.model`).
    pub model: String,
    /// The scenario's name (`scenario.name`).
    pub name: String,
    /// The scenario's description (`scenario.description`).
    pub description: String,
    /// `run.seed`.
    pub seed: i64,
    /// `run.steps`: steps run.
    pub steps: i64,
    /// When the run started (UTC; `started_at`, RFC 3339).
    pub started: chrono::DateTime<chrono::Utc>,
    /// How long the run took, wall clock (`wall_seconds`).
    pub wall: Duration,
    /// Worker threads of the run.
    pub threads: usize,
    /// File format of the run's tables (`format`: `csv` or `parquet`).
    pub format: Format,
    /// One JSON object per parameter (key, value, citation, where set, changed).
    pub parameters: Vec<Value>,
    /// The differences from the model's baseline (a JSON array).
    pub changes: Value,
    /// Warnings about the scenario, as printed.
    pub warnings: Vec<String>,
}

impl RunManifest {
    /// The manifest as JSON (the fields of `manifest.json`).
    pub fn to_json(&self) -> Value {
        let mut m = json!({
            "perelom_version": self.version,
            "git_commit": self.git_commit.as_deref().filter(|c| !c.is_empty()),
            "scenario": { "file": self.file, "model": self.model, "name": self.name, "description": self.description },
            "seed": self.seed,
            "steps": self.steps,
            "started_at": self.started.to_rfc3339(),
            "wall_seconds": self.wall.as_secs_f64(),
            "threads": self.threads,
            "format": self.format.extension(),
            "parameters": self.parameters,
            "changes": self.changes,
        });
        m["warnings"] = json!(self.warnings);
        m
    }

    /// Writes `manifest.json` into `dir`.
    pub fn write<D: FileSink + ?Sized>(&self, dir: &D) -> Result<(), OutputError> {
        write_manifest(dir, &self.to_json())
    }
}

/// Reads a JSON file of a result directory (`manifest.json`, `targets.json`).
///
/// Errors: the file cannot be read, or is not JSON (with its line and column).
pub fn read_json(path: &Path) -> std::io::Result<Value> {
    let text = std::fs::read_to_string(path)?;
    serde_json::from_str(text.strip_prefix('\u{FEFF}').unwrap_or(&text))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}:{}:{}: {e}", path.display(), e.line(), e.column())))
}

/// Reads a CSV file with a header row into a table: a column whose every cell is a
/// number (or empty, or NaN) becomes numbers, any other column text. Written by
/// [`write_csv`], numbers come back with the same bits.
///
/// Errors: the file cannot be read, or a row has another number of fields than the header.
pub fn read_csv(path: &Path) -> std::io::Result<Table> {
    let err = |e: csv::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()));
    let mut r = csv::Reader::from_path(path).map_err(err)?;
    let header: Vec<String> = r.headers().map_err(err)?.iter().map(String::from).collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for rec in r.records() {
        let rec = rec.map_err(err)?;
        for (col, v) in cells.iter_mut().zip(rec.iter()) {
            col.push(v.to_string());
        }
    }
    let mut t = Table::new();
    for (name, col) in header.into_iter().zip(cells) {
        let numbers: Option<Vec<f64>> = col.iter().map(|v| if v.is_empty() { Some(f64::NAN) } else { v.parse::<f64>().ok() }).collect();
        match numbers {
            Some(v) if name != "date" => t.push(name, ColumnData::F64(v)),
            _ => t.push(name, ColumnData::Str(col)),
        };
    }
    Ok(t)
}

/// Reads `DIR/NAME.csv` or, if there is none, `DIR/NAME.parquet`.
pub fn read_table(dir: &Path, name: &str) -> std::io::Result<Table> {
    let csv = dir.join(format!("{name}.csv"));
    if csv.exists() {
        read_csv(&csv)
    } else {
        crate::read_parquet(&dir.join(format!("{name}.parquet")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip_keeps_numbers_bit_for_bit_and_text_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Table::new();
        t.push("step", ColumnData::F64(vec![0.0, 1.0]));
        t.push("date", ColumnData::Str(vec!["1928-01-02".into(), "1928-01-09".into()]));
        t.push("x", ColumnData::F64(vec![0.1 + 0.2, f64::NAN]));
        t.push("id", ColumnData::Str(vec!["T1".into(), "T2".into()]));
        let path = dir.path().join("t.csv");
        write_csv(&t, std::fs::File::create(&path).unwrap()).unwrap();
        let back = read_csv(&path).unwrap();
        assert_eq!(back.numbers("x").unwrap()[0].to_bits(), (0.1f64 + 0.2).to_bits());
        assert!(back.numbers("x").unwrap()[1].is_nan());
        assert!(matches!(back.column("date"), Some(ColumnData::Str(_))));
        assert!(matches!(back.column("id"), Some(ColumnData::Str(_))));
        assert!(read_table(dir.path(), "missing").is_err());
    }
}
