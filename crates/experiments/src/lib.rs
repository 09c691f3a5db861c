//! # perelom-experiments
//!
//! Experiments on Perelom's models, shared by every front end (the command line, the
//! Python package, later the cluster runner):
//!
//! - [`compare`]: which scenarios can be compared with a baseline, and their outcomes
//!   over common seeds.
//! - [`posterior`]: a calibration's `posterior.csv` as weighted draws of parameters, for
//!   the posterior predictive (`validate`) and effects over the posterior (`compare`).
//! - [`run`]: the manifest of a run, as every front end writes it.
//! - [`source`]: a scenario from a built-in name or a TOML file, with `key=value`
//!   overrides.
//! - [`sweep`]: sweep design files (grid, Latin hypercube, Sobol', Saltelli, Morris),
//!   checked before any run, or points given directly (from SALib or any sampler); and
//!   sweeps run in parallel, one atomic Parquet file per run, resumable after any
//!   interruption, joined into one tidy dataset identical to an uninterrupted sweep's.
//!
//! Errors are [`Error`]s phrased for the user, with file positions where there are any.

#![warn(missing_docs)]

pub mod compare;
mod error;
pub mod memory;
pub mod posterior;
pub mod run;
pub mod source;
pub mod sweep;

pub use error::Error;

/// Parses JSON a person may have edited (a sweep's `sweep.json`): a byte-order mark is
/// skipped, and an error is placed at `file:line:column`, the column in characters.
pub fn parse_json(file: &str, text: &str) -> Result<serde_json::Value, Error> {
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    serde_json::from_str(body).map_err(|e| {
        let line = body.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        let mut end = e.column().saturating_sub(1).min(line.len());
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
        Error::Message(format!("{file}:{}:{}: {message}", e.line(), line[..end].chars().count() + 1))
    })
}
