//! One run's record: the manifest every front end writes beside a run's tables.

use perelom_engine::Table;
use perelom_models::Simulation;
use perelom_output::{Format, RunManifest};
use perelom_scenario::Scenario;
use std::time::Duration;

/// The run manifest of scenario `s` (as it ran, seed included): everything needed to
/// reproduce the run and to judge its numbers. `threads`, `started` and `wall` describe
/// the run; `warnings` are the scenario's warnings as printed; `git_commit` is the commit
/// the caller was built from, when known. The command line and the Python package write
/// the same manifest.
pub fn manifest(
    s: &Scenario,
    threads: usize,
    started: chrono::DateTime<chrono::Utc>,
    wall: Duration,
    format: Format,
    warnings: Vec<String>,
    git_commit: Option<&str>,
) -> RunManifest {
    RunManifest {
        version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: git_commit.map(String::from),
        file: s.file.clone(),
        model: s.meta.model.clone(),
        name: s.meta.name.clone(),
        description: s.meta.description.clone(),
        seed: s.int("run.seed"),
        steps: s.int("run.steps"),
        started,
        wall,
        threads,
        format,
        parameters: s.params.iter().map(|p| perelom_models::provenance::param_json(s, p)).collect(),
        changes: perelom_models::provenance::changes_json(s),
        warnings,
    }
}

/// The tables of a run as its result directory holds them (`perelom_output::write_run`):
/// the metrics first, then the model's own tables (events, monthly tables), by name.
pub fn tables(sim: &dyn Simulation) -> Vec<(String, Table)> {
    let mut tables = vec![("metrics".to_string(), sim.metrics())];
    tables.extend(sim.tables());
    tables
}
