//! `perelom report DIR`: reads a result directory, has the report crate build the page,
//! and writes `DIR/report/index.html` with its charts as SVG files.

use crate::commands::{existing, output_error};
use crate::error::CliError;
use perelom_output::{read_json, read_table, ResultDir};
use perelom_report::{Report, RunResults};
use std::path::{Path, PathBuf};

/// Builds the report of `dir` and writes it into `dir/report`.
pub fn build(dir: &Path, force: bool) -> Result<PathBuf, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Message(format!(
            "{} is not a directory\n  help: give a run, validation, sweep or comparison output directory",
            dir.display()
        )));
    }
    let out = dir.join("report");
    let report_error = |e| {
        output_error(
            e,
            &format!("pass --force to replace {} (a report Perelom wrote)", out.display()),
            &format!("the report is always written to {}: move that directory away first", out.display()),
        )
    };
    let rd = ResultDir::create(&out, "report", existing(force)).map_err(report_error)?;
    let read_err = |what: &str, e: std::io::Error| CliError::Message(format!("cannot read {what} in {}: {e}", dir.display()));
    let report = if dir.join("compare.csv").exists() {
        let table = read_table(dir, "compare").map_err(|e| read_err("compare.csv", e))?;
        perelom_report::comparison(&table, &read_json(&dir.join("compare.json")).unwrap_or_default())?
    } else if dir.join("targets.csv").exists() {
        let targets = read_table(dir, "targets").map_err(|e| read_err("targets.csv", e))?;
        let bands = read_table(dir, "ensemble").ok();
        perelom_report::validation(&targets, &read_json(&dir.join("targets.json")).unwrap_or_default(), bands.as_ref())?
    } else if dir.join("sweep.json").exists() {
        let state = dir.join("sweep.json");
        let text = std::fs::read_to_string(&state).map_err(|e| read_err("sweep.json", e))?;
        let json = perelom_experiments::parse_json(&state.display().to_string(), &text)?;
        let data = if json["complete"] == true {
            Some(perelom_output::read_parquet(&dir.join("sweep.parquet")).map_err(|e| read_err("sweep.parquet", e))?)
        } else {
            None
        };
        perelom_report::sweep(&json, data.as_ref(), &dir.display().to_string())?
    } else if dir.join("metrics.csv").exists() || dir.join("metrics.parquet").exists() {
        run_report(dir)?
    } else {
        return Err(CliError::Message(format!(
            "{} holds no Perelom results I know (metrics, targets.csv, compare.csv or sweep.json)\n  help: give a directory written by `perelom run`, `perelom validate --out DIR`, `perelom compare --out DIR` or `perelom sweep`",
            dir.display()
        )));
    };
    write(&rd, &report)?;
    rd.commit().map_err(report_error)
}

/// Reads a run's directory and builds its report.
fn run_report(dir: &Path) -> Result<Report, CliError> {
    let metrics =
        read_table(dir, "metrics").map_err(|e| CliError::Message(format!("cannot read the metrics in {}: {e}", dir.display())))?;
    let manifest = read_json(&dir.join("manifest.json")).unwrap_or_default();
    let model = manifest["scenario"]["model"].as_str().and_then(perelom_models::model);
    let documents: Vec<(String, String)> = model
        .map(|m| m.documents)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| std::fs::read_to_string(dir.join(d.file)).ok().map(|t| (d.file.to_string(), t)))
        .collect();
    let scenario = match std::fs::read_to_string(dir.join("scenario.toml")) {
        Ok(text) => Some(perelom_models::load_scenario_text("scenario.toml", &text)?),
        Err(_) => None,
    };
    Ok(perelom_report::run(&RunResults { metrics: &metrics, manifest: &manifest, documents: &documents, scenario: scenario.as_ref() })?)
}

/// Writes the page and its charts into the (uncommitted) report directory.
fn write(rd: &ResultDir, report: &Report) -> Result<(), CliError> {
    rd.write_file("index.html", |w| std::io::Write::write_all(w, report.html.as_bytes()))?;
    for (name, svg) in &report.charts {
        rd.write_file(&format!("{name}.svg"), |w| std::io::Write::write_all(w, svg.as_bytes()))?;
    }
    Ok(())
}
