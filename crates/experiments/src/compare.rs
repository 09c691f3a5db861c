//! Counterfactual ensembles against a baseline, on common seeds: which scenarios can be
//! compared, and their outcomes run by run. The statistics are
//! `perelom_analysis::compare_ensembles`.

use crate::Error;
use perelom_analysis::Outcomes;
use perelom_scenario::{Scenario, ScenarioError};

/// The parameters that fix a run's horizon: runs compared outcome by outcome (totals over
/// the run, values at its end) must share them.
pub const HORIZON: &[&str] = &["run.start", "run.steps"];

/// The horizon of `s` in words: `run.start = 1928-01-02, run.steps = 104`.
pub fn horizon(s: &Scenario) -> String {
    HORIZON.iter().filter_map(|k| s.get(k).map(|p| format!("{k} = {}", p.value))).collect::<Vec<_>>().join(", ")
}

/// Checks that experiment `e` (named `e_label` as the user gave it) can be compared with
/// `base` (named `base_label`): the same model and the same horizon.
///
/// Errors: another model, or another `run.start` or `run.steps` (strike totals of 30
/// weeks set against 104 weeks would be read as an effect).
pub fn check_comparable(base: &Scenario, base_label: &str, e: &Scenario, e_label: &str) -> Result<(), Error> {
    if e.meta.model != base.meta.model {
        return Err(Error::Message(format!(
            "{e_label} uses model \"{}\" but the baseline {base_label} uses \"{}\"\n  help: compare scenarios of the same model",
            e.meta.model, base.meta.model
        )));
    }
    if horizon(e) != horizon(base) {
        return Err(Error::Message(format!(
            "{e_label} runs over another horizon ({}) than the baseline {base_label} ({}); its totals and end values cannot be compared with the baseline's\n  help: give the experiment the baseline's run.start and run.steps (or leave them out of its file)",
            horizon(e),
            horizon(base)
        )));
    }
    Ok(())
}

/// Runs `s` once per seed (on the current rayon pool) and returns every run's outcomes
/// (`Simulation::outcomes`). `prepare(i, &mut scenario)` may change run i's scenario
/// first (a posterior draw: the same draw for run i of every scenario keeps the pairs
/// paired); seeds are recorded as set by `by`; `on_done` is called after every run.
///
/// Errors: the first error of any run, in seed order.
pub fn run_outcomes<E>(
    s: &Scenario,
    seeds: &[u64],
    by: &str,
    prepare: &(dyn Fn(usize, &mut Scenario) -> Result<(), E> + Sync),
    on_done: &(dyn Fn() + Sync),
) -> Result<Outcomes, E>
where
    E: From<ScenarioError> + Send,
{
    let runs = perelom_models::run_seeds(s, seeds, by, prepare, &|sim, _| sim.outcomes(), on_done)?;
    let names = runs.first().map(|r| r.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    Ok(Outcomes { names, runs: runs.into_iter().map(|r| r.into_iter().map(|(_, v)| v).collect()).collect() })
}
