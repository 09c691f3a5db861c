//! Perelom's built-in models and the registry of built-in scenarios.
//!
//! Each model publishes a parameter schema (`schema()`), builds itself from a resolved
//! [`Scenario`](perelom_scenario::Scenario), and runs step by step behind the
//! [`Simulation`] trait, which is all the command line (and later the server) knows
//! about models.
//!
//! Architecture invariant: models do no I/O. They return tables and texts; the CLI
//! decides where they go.

#![warn(missing_docs)]

pub mod checkpoint;
pub mod descriptor;
pub mod ensemble;
pub mod epstein;
pub mod facts;
pub mod provenance;
pub mod registry;
pub mod ussr;

use perelom_engine::{Clock, Table};

pub use descriptor::{
    Area, AreaMap, ChartGroup, Document, EventLog, GridSnapshot, MapLayer, ModelInfo, Regime, RegimeStat, Target, TargetScore, Targets,
    Validation,
};
pub use ensemble::run_seeds;
pub use registry::{
    build, builtin, builtin_experiment, builtin_experiments, builtin_scenarios, check, load_scenario_text, model, model_names, model_of,
    models, run_window, schema_for, warnings, BuiltIn,
};

/// A model instance in the middle of a run.
pub trait Simulation: Send {
    /// The run's clock (steps and, for dated models, their calendar).
    fn clock(&self) -> &Clock;

    /// Steps done so far.
    fn steps_done(&self) -> u32;

    /// Advances one step and records its metrics.
    fn step(&mut self);

    /// One row per step done: `step`, `date` when dated, then the model's metrics.
    fn metrics(&self) -> Table;

    /// Further named tables (event logs, episode lists, monthly aggregates).
    fn tables(&self) -> Vec<(String, Table)> {
        Vec::new()
    }

    /// Named texts written beside the tables (for instance a survey in words).
    fn documents(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// End-of-run figures for people: label and value.
    fn summary(&self) -> Vec<(String, String)>;

    /// Scalar outcomes of a finished run, for comparing ensembles: name and value. By
    /// default, the mean and the final value of every numeric metric. A NaN marks an
    /// outcome the run cannot measure (one named for a date the run does not reach); a
    /// model never reads such an outcome from another step in its place.
    fn outcomes(&self) -> Vec<(String, f64)> {
        let t = self.metrics();
        let mut out = Vec::new();
        for c in t.columns.iter().filter(|c| c.name != "step") {
            if let Some(v) = t.numbers(&c.name) {
                if let Some(last) = v.last() {
                    out.push((format!("{} (mean)", c.name), v.iter().sum::<f64>() / v.len() as f64));
                    out.push((format!("{} (final)", c.name), *last));
                }
            }
        }
        out
    }

    /// The model's state as bytes, for a checkpoint ([`crate::checkpoint`]); `None` for a
    /// model that cannot save its state.
    fn save_state(&self) -> Option<Result<Vec<u8>, String>> {
        None
    }

    /// The model's grid as it is now, for models on a grid (drawn by the explorer).
    fn grid(&self) -> Option<GridSnapshot> {
        None
    }

    /// Runs the remaining steps.
    fn run_to_end(&mut self) {
        while self.steps_done() < self.clock().steps {
            self.step();
        }
    }
}
