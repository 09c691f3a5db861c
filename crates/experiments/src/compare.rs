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

/// The step at which experiment `e` branches from the baseline (its `branch_at`): `None`
/// for an experiment without one, or whose branch is at the run's first step (a branch at
/// the start is a run from the start, so that parameters read at initialization take
/// effect too).
///
/// Errors: a `branch_at` outside the run, naming the run's first and last days.
pub fn branch_step(e: &Scenario) -> Result<Option<u32>, Error> {
    let Some(d) = e.meta.branch_at else { return Ok(None) };
    let clock = perelom_models::model_of(e)?.clock(e);
    let step = clock.step_of(d).filter(|&k| k < clock.steps).ok_or_else(|| {
        Error::Message(format!(
            "{}: branch_at = {d} lies outside the run ({} to {})",
            e.file,
            clock.date(0).map_or("?".into(), |x| x.to_string()),
            clock.last_day().map_or("?".into(), |x| x.to_string())
        ))
    })?;
    Ok((step > 0).then_some(step))
}

/// Checks before any run that experiment `e` can continue from the state of `base` at
/// step `at` (see [`branch_step`]; `None`: it runs from the start, nothing to check):
/// the refusals of `Checkpoint::resume` that the scenarios alone decide.
///
/// Errors: `e` moves a dated event before the branch, or changes a parameter read only
/// when the run is built (`perelom_models::checkpoint::check_branch`), prefixed with the
/// experiment's file as [`run_branched_seed`] words it.
pub fn check_branch(base: &Scenario, e: &Scenario, at: Option<u32>) -> Result<(), Error> {
    let Some(k) = at else { return Ok(()) };
    let date = perelom_models::model_of(base)?.clock(base).date(k);
    perelom_models::checkpoint::check_branch(base, date, e).map_err(|err| Error::Message(format!("{}: cannot branch: {err}", e.file)))
}

/// One seed of a comparison with branches: the baseline runs once, its state is kept at
/// the start of every step in `steps` (one per experiment, from [`branch_step`]), and each
/// experiment continues from the state at its step with its own parameters (an experiment
/// whose step is `None` runs from the start). The past before a branch is the baseline's
/// own, so the comparison isolates the decision taken at the branch.
///
/// `seeded` gives the scenario of this seed's run of a scenario (the seed set, a
/// posterior draw applied); it is called for the baseline first, then for each
/// experiment as its turn comes. `measure` reads each finished run — the baseline's
/// first, then the experiments' in order — and `on_run` is called after each. Only one
/// run's model lives at a time besides the kept states.
///
/// Errors: those of `seeded`, a model that cannot be built or cannot save its state, and
/// a branch `Checkpoint::resume` refuses (`FILE: cannot branch: ...`).
pub fn run_branched_seed<R, E>(
    base: &Scenario,
    experiments: &[Scenario],
    steps: &[Option<u32>],
    seeded: &dyn Fn(&Scenario) -> Result<Scenario, E>,
    measure: &dyn Fn(&dyn perelom_models::Simulation, &Scenario) -> R,
    on_run: &dyn Fn(),
) -> Result<Vec<R>, E>
where
    E: From<ScenarioError> + From<Error>,
{
    use perelom_models::checkpoint::{read, save, Checkpoint};
    let s_base = seeded(base)?;
    let mut sim = perelom_models::build(&s_base)?;
    let mut states: Vec<(u32, Checkpoint)> = Vec::new();
    let total = sim.clock().steps;
    loop {
        let k = sim.steps_done();
        if steps.contains(&Some(k)) && !states.iter().any(|(at, _)| *at == k) {
            let bytes = save(sim.as_ref(), &s_base).map_err(Error::Message)?;
            states.push((k, read("the baseline's state", &bytes).map_err(Error::Message)?));
        }
        if k >= total {
            break;
        }
        sim.step();
    }
    let mut out = vec![measure(sim.as_ref(), &s_base)];
    drop(sim);
    on_run();
    for (e, at) in experiments.iter().zip(steps) {
        let s_exp = seeded(e)?;
        let mut sim = match at.and_then(|k| states.iter().find(|(x, _)| *x == k)) {
            Some((_, cp)) => cp.resume(&s_exp).map_err(|err| Error::Message(format!("{}: cannot branch: {err}", e.file)))?,
            None => perelom_models::build(&s_exp)?,
        };
        sim.run_to_end();
        out.push(measure(sim.as_ref(), &s_exp));
        on_run();
    }
    Ok(out)
}
