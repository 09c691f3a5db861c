//! One scenario run over many seeds: the loop every ensemble command shares (validate,
//! compare, ablate, the server's ensembles, the Python package).

use crate::Simulation;
use perelom_scenario::{Scenario, ScenarioError};

/// Runs `scenario` once per seed, in parallel on the current rayon pool, and returns what
/// `measure` reads of each finished run, in the order of `seeds`.
///
/// Run `i` gets a copy of the scenario that `prepare(i, &mut copy)` may change first (a
/// posterior draw), then `run.seed = seeds[i]`, recorded as set by `by` (`--runs`). Each
/// run draws only from its own seed's streams, so the results do not depend on the
/// thread count. `on_done` is called after every run (a progress bar).
///
/// Errors: the first error of any run, in seed order (a seed outside `run.seed`'s range,
/// a scenario `prepare` made invalid, or the error `prepare` returned).
pub fn run_seeds<T, E>(
    scenario: &Scenario,
    seeds: &[u64],
    by: &str,
    prepare: &(dyn Fn(usize, &mut Scenario) -> Result<(), E> + Sync),
    measure: &(dyn Fn(&dyn Simulation, &Scenario) -> T + Sync),
    on_done: &(dyn Fn() + Sync),
) -> Result<Vec<T>, E>
where
    T: Send,
    E: From<ScenarioError> + Send,
{
    let index: Vec<(usize, u64)> = seeds.iter().copied().enumerate().collect();
    use rayon::prelude::*;
    index
        .par_iter()
        .map(|&(i, seed)| -> Result<T, E> {
            let mut s = scenario.clone();
            prepare(i, &mut s)?;
            let s = s.with_seed(seed, by)?;
            let mut sim = crate::build(&s)?;
            sim.run_to_end();
            on_done();
            Ok(measure(sim.as_ref(), &s))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}
