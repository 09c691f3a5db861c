//! Many runs: `validate`, `compare` and `sweep`, on the library crates (run_seeds, the
//! model's targets, perelom-analysis's paired comparison, perelom-experiments's sweeps).
//!
//! The runs go on in a worker thread (inside a rayon pool) while the calling thread,
//! without the GIL, waits for them, coming back every 50 ms to look for Ctrl-C and to
//! report progress. Ctrl-C stops the ensemble before its next run starts and raises
//! `KeyboardInterrupt`; a sweep keeps the runs it wrote (each file is written atomically)
//! and can be resumed.

use crate::errors::{no_panic, Failure};
use crate::run::thread_pool;
use crate::scenario::resolve;
use crate::table::PyTable;
use perelom_analysis::{compare_ensembles, comparison_table, Outcomes};
use perelom_engine::stats::{interval, mean};
use perelom_engine::{ColumnData, Table};
use perelom_experiments::posterior::Posterior;
use perelom_models::{Regime, TargetScore, Targets, Validation};
use perelom_scenario::{Scenario, ScenarioError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How often the waiting thread looks for Ctrl-C and reports progress.
const POLL: Duration = Duration::from_millis(50);

/// Where the seeds of an ensemble run from Python are recorded as set.
const RUNS_BY: &str = "perelom ensemble seed (run.seed + run index)";

/// What the workers and the waiting thread share: a stop request and a count of runs done.
#[derive(Default)]
pub struct Control {
    stop: AtomicBool,
    done: AtomicUsize,
    planned: AtomicUsize,
}

impl perelom_experiments::sweep::Progress for Control {
    fn planned(&self, _points: usize, _replicates: u32, _runs: usize, to_do: usize) {
        self.planned.store(to_do, Ordering::SeqCst);
    }
    fn run_done(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }
    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Why an ensemble stopped.
enum Stop {
    Scenario(ScenarioError),
    Cancelled,
    Other(String),
}

impl From<ScenarioError> for Stop {
    fn from(e: ScenarioError) -> Self {
        Stop::Scenario(e)
    }
}

impl From<perelom_experiments::Error> for Stop {
    fn from(e: perelom_experiments::Error) -> Self {
        match e {
            perelom_experiments::Error::Scenario(e) => Stop::Scenario(e),
            other => Stop::Other(other.to_string()),
        }
    }
}

impl From<String> for Stop {
    fn from(m: String) -> Self {
        Stop::Other(m)
    }
}

impl Stop {
    fn failure(self) -> Failure {
        match self {
            Stop::Scenario(e) => Failure::Scenario(e),
            Stop::Other(m) => Failure::Other("PerelomError", m),
            Stop::Cancelled => Failure::Other("PerelomError", "cancelled".into()),
        }
    }
}

/// Runs `work` in `pool` on a worker thread while this thread waits without the GIL,
/// checking for Ctrl-C (which asks the work to stop, then raises `KeyboardInterrupt`
/// once it has) and calling `progress(done, total)` every [`POLL`]. `total` is the
/// number of runs, or `None` when the work announces it (a sweep's runs to do).
fn supervise<T: Send>(
    py: Python<'_>,
    pool: &rayon::ThreadPool,
    progress: Option<&Bound<'_, PyAny>>,
    total: Option<usize>,
    ctl: &Control,
    work: impl FnOnce() -> T + Send,
) -> Result<T, Failure> {
    if let Some(t) = total {
        ctl.planned.store(t, Ordering::SeqCst);
    }
    let mut interrupted: Option<PyErr> = None;
    let outcome = std::thread::scope(|scope| -> Result<Result<T, String>, Failure> {
        let (tx, rx) = std::sync::mpsc::channel();
        // Behind a mutex, so that the waiting (GIL-free) closure may borrow it.
        let rx = std::sync::Mutex::new(rx);
        scope.spawn(move || {
            let r = no_panic(|| pool.install(work));
            let _ = tx.send(r);
        });
        let mut reported = usize::MAX;
        loop {
            let received = py.detach(|| match rx.lock() {
                Ok(rx) => rx.recv_timeout(POLL),
                Err(_) => Err(std::sync::mpsc::RecvTimeoutError::Disconnected),
            });
            match received {
                Ok(r) => return Ok(r),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(Err("the worker thread ended without a result".into())),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            }
            if interrupted.is_none() {
                if let Err(e) = py.check_signals() {
                    ctl.stop.store(true, Ordering::SeqCst);
                    interrupted = Some(e);
                }
            }
            let done = ctl.done.load(Ordering::SeqCst);
            if let (Some(cb), None) = (progress, &interrupted) {
                if done != reported {
                    reported = done;
                    if let Err(e) = cb.call1((done, ctl.planned.load(Ordering::SeqCst))) {
                        ctl.stop.store(true, Ordering::SeqCst);
                        interrupted = Some(e);
                    }
                }
            }
        }
    });
    if let Some(e) = interrupted {
        return Err(Failure::Python(e));
    }
    if let Some(cb) = progress {
        let done = ctl.done.load(Ordering::SeqCst);
        cb.call1((done, ctl.planned.load(Ordering::SeqCst).max(done)))?;
    }
    outcome?.map_err(Failure::internal)
}

/// The seeds of `n` runs of `s`: run.seed, run.seed + 1, ... (each checked as a seed by
/// the run that takes it).
fn seeds(s: &Scenario, n: u32) -> Result<Vec<u64>, Failure> {
    if n == 0 || n > 10_000 {
        return Err(Failure::Other("ValueError", format!("runs = {n}: give a number from 1 to 10000")));
    }
    let first = u64::try_from(s.int("run.seed")).unwrap_or(0);
    Ok((0..u64::from(n)).map(|i| first.saturating_add(i)).collect())
}

/// The path a Python argument names (`str` or `os.PathLike`).
fn path_arg(py: Python<'_>, p: &Bound<'_, PyAny>) -> PyResult<std::path::PathBuf> {
    Ok(py.import("os")?.call_method1("fspath", (p,))?.extract::<String>()?.into())
}

/// A calibration's posterior, read for `scenario` (`posterior=` of validate and compare).
fn read_posterior(path: Option<&std::path::Path>, scenario: &Scenario) -> Result<Option<Posterior>, Failure> {
    Ok(path.map(|p| Posterior::read(p, scenario)).transpose()?)
}

/// Run `i`'s scenario over a posterior: the calibrated parameters of draw `i` of an
/// ensemble whose first seed is `first` (as `perelom validate/compare --posterior` draw
/// them), and a stop before the run if Ctrl-C was pressed.
fn prepare_run(ctl: &Control, posterior: Option<&Posterior>, first: u64, i: usize, s: &mut Scenario) -> Result<(), Stop> {
    if ctl.stop.load(Ordering::SeqCst) {
        return Err(Stop::Cancelled);
    }
    if let Some(p) = posterior {
        p.apply(s, p.draw(first, i as u64))?;
    }
    Ok(())
}

/// Validation of a scenario; see `perelom.validate`. For a model with historical targets
/// returns {"kind": "targets", "targets": table, "runs": per-run readings, "warnings",
/// "seeds", "posterior": (keys, file) or None}; for a model whose validation is a regime
/// (Epstein's outbursts) {"kind": "regime", "runs": per-run statistics, "summary": one row
/// per statistic, "record": what `perelom validate --out` writes as EVENTs.json, "event",
/// "description", "warnings", "seeds"}.
#[pyfunction]
#[pyo3(signature = (scenario, runs=20, threads=None, progress=None, posterior=None))]
pub fn validate<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    runs: u32,
    threads: Option<usize>,
    progress: Option<Bound<'py, PyAny>>,
    posterior: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = resolve(py, scenario)?;
    let posterior_path = posterior.as_ref().map(|p| path_arg(py, p)).transpose()?;
    let go = || -> Result<Bound<'py, PyDict>, Failure> {
        let info = perelom_models::model_of(&s)?;
        let targets = match &info.validation {
            Validation::Targets(t) => t,
            Validation::Regime(regime) => {
                if posterior_path.is_some() {
                    return Err(Failure::Other(
                        "PerelomError",
                        format!(
                            "posterior=: model \"{}\" has no calibration to draw from\n  help: a posterior applies to models with historical targets{}",
                            s.meta.model,
                            with_targets_example()
                        ),
                    ));
                }
                return validate_regime(py, &s, regime, runs, threads, progress.as_ref());
            }
            Validation::None => {
                return Err(Failure::Other(
                    "PerelomError",
                    format!(
                        "model \"{}\" has no historical targets and no regime to validate against\n  help: validate a scenario of a model with targets{}",
                        s.meta.model,
                        with_targets_example()
                    ),
                ))
            }
        };
        perelom_models::check(&s)?;
        let warnings: Vec<String> = perelom_models::warnings(&s).iter().map(|w| w.to_string()).collect();
        let clock = info.clock(&s);
        if !(targets.measurable)(&clock).contains(&true) {
            return Err(Failure::Other(
                "PerelomError",
                format!("the run does not reach the dates of any target, so none can be measured\n  help: {}", targets.coverage),
            ));
        }
        let seeds = seeds(&s, runs)?;
        memory(perelom_experiments::memory::check(&s, perelom_experiments::memory::concurrent_runs(threads, seeds.len()), HELP))?;
        let post = read_posterior(posterior_path.as_deref(), &s)?;
        let pool = thread_pool(threads)?;
        let ctl = Control::default();
        let prepare = |i: usize, sc: &mut Scenario| prepare_run(&ctl, post.as_ref(), seeds[0], i, sc);
        let measure = |sim: &dyn perelom_models::Simulation, sc: &Scenario| (targets.measure)(&sim.metrics(), sim.clock(), sc);
        let done = || {
            ctl.done.fetch_add(1, Ordering::SeqCst);
        };
        let readings = supervise(py, &pool, progress.as_ref(), Some(seeds.len()), &ctl, || {
            perelom_models::run_seeds(&s, &seeds, RUNS_BY, &prepare, &measure, &done)
        })?
        .map_err(Stop::failure)?;
        let scores: Vec<TargetScore> = targets.score(&readings);
        let table = PyTable::from_engine("targets", &Targets::table(&scores)).map_err(Failure::internal)?;
        let mut per_run = Table::new();
        per_run.push("seed", ColumnData::I64(seeds.iter().map(|&x| x as i64).collect()));
        for (i, r) in scores.iter().enumerate() {
            per_run.push(r.id, ColumnData::F64(readings.iter().map(|x| x[i].unwrap_or(f64::NAN)).collect()));
        }
        let per_run = PyTable::from_engine("runs", &per_run).map_err(Failure::internal)?;
        let d = PyDict::new(py);
        d.set_item("kind", "targets")?;
        d.set_item("targets", Py::new(py, table)?)?;
        d.set_item("runs", Py::new(py, per_run)?)?;
        d.set_item("warnings", warnings)?;
        d.set_item("seeds", seeds)?;
        d.set_item("posterior", post.map(|p| (p.keys.clone(), p.source.clone())))?;
        Ok(d)
    };
    go().map_err(|f| f.into_py(py))
}

/// ", e.g. `perelom.validate(\"NAME\")`" for the first built-in model with targets.
fn with_targets_example() -> String {
    perelom_models::models()
        .iter()
        .find(|m| m.targets().is_some())
        .map(|m| format!(", e.g. perelom.validate(\"{}\")", m.example))
        .unwrap_or_default()
}

/// A model's regime over an ensemble, as `perelom validate` measures and writes it for a
/// model without historical targets (Epstein's outbursts): per run the regime's
/// statistics, the share of runs with its event (and its 95 % Wilson interval), and per
/// statistic its mean and 90 % interval over the runs in which it is defined.
fn validate_regime<'py>(
    py: Python<'py>,
    s: &Scenario,
    regime: &Regime,
    runs: u32,
    threads: Option<usize>,
    progress: Option<&Bound<'py, PyAny>>,
) -> Result<Bound<'py, PyDict>, Failure> {
    perelom_models::check(s)?;
    let warnings: Vec<String> = perelom_models::warnings(s).iter().map(|w| w.to_string()).collect();
    let seeds = seeds(s, runs)?;
    memory(perelom_experiments::memory::check(s, perelom_experiments::memory::concurrent_runs(threads, seeds.len()), HELP))?;
    let pool = thread_pool(threads)?;
    let ctl = Control::default();
    let prepare = |i: usize, sc: &mut Scenario| prepare_run(&ctl, None, seeds[0], i, sc);
    let measure = |sim: &dyn perelom_models::Simulation, sc: &Scenario| (regime.measure)(sim, sc);
    let done = || {
        ctl.done.fetch_add(1, Ordering::SeqCst);
    };
    let results: Vec<Vec<f64>> = supervise(py, &pool, progress, Some(seeds.len()), &ctl, || {
        perelom_models::run_seeds(s, &seeds, RUNS_BY, &prepare, &measure, &done)
    })?
    .map_err(Stop::failure)?;
    let n = results.len();
    // The first statistic counts a run's events.
    let with = results.iter().filter(|r| r.first().is_some_and(|&x| x > 0.0)).count();
    let (lo, hi) = perelom_engine::stats::wilson(with, n);
    let col = |k: usize| results.iter().map(|r| r.get(k).copied().unwrap_or(f64::NAN)).collect::<Vec<f64>>();
    let mut per_run = Table::new();
    per_run.push("seed", ColumnData::I64(seeds.iter().map(|&x| x as i64).collect()));
    for (k, stat) in regime.stats.iter().enumerate() {
        per_run.push(stat.name, ColumnData::F64(col(k)));
    }
    // Per statistic, over the runs where it is defined (the first event of a run without
    // one is not).
    let (mut runs_defined, mut means, mut p05, mut p95) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..regime.stats.len() {
        let xs: Vec<f64> = col(k).into_iter().filter(|x| !x.is_nan()).collect();
        let (a, b) = if xs.is_empty() { (f64::NAN, f64::NAN) } else { interval(&xs, 0.9) };
        runs_defined.push(xs.len() as i64);
        means.push(if xs.is_empty() { f64::NAN } else { mean(&xs) });
        p05.push(a);
        p95.push(b);
    }
    let mut summary = Table::new();
    summary.push("statistic", ColumnData::Str(regime.stats.iter().map(|x| x.name.to_string()).collect()));
    summary.push("label", ColumnData::Str(regime.stats.iter().map(|x| x.label.to_string()).collect()));
    summary.push("runs", ColumnData::I64(runs_defined));
    summary.push("mean", ColumnData::F64(means));
    summary.push("p05", ColumnData::F64(p05));
    summary.push("p95", ColumnData::F64(p95));
    // The record `perelom validate --out` writes, key for key.
    let mut record = serde_json::json!({
        "scenario": s.meta.name, "runs": n, "seeds": seeds,
        "event": regime.event,
        format!("runs_with_{}", regime.event): with, format!("share_with_{}", regime.event): with as f64 / n as f64,
        "share_95_interval": [lo, hi],
        "changes": perelom_models::provenance::changes_json(s),
    });
    for (k, v) in (regime.definition)(s) {
        record[k] = serde_json::json!(v);
    }
    let d = PyDict::new(py);
    d.set_item("kind", "regime")?;
    d.set_item("runs", Py::new(py, PyTable::from_engine("runs", &per_run).map_err(Failure::internal)?)?)?;
    d.set_item("summary", Py::new(py, PyTable::from_engine("summary", &summary).map_err(Failure::internal)?)?)?;
    d.set_item("record", crate::run::json_to_py(py, &record)?)?;
    d.set_item("event", regime.event)?;
    d.set_item("description", (regime.describe)(s))?;
    d.set_item("warnings", warnings)?;
    d.set_item("seeds", seeds)?;
    Ok(d)
}

/// Experiments against a baseline on common seeds; see `perelom.compare`. Returns the
/// comparison table (compare.csv's columns) and the warnings. With `posterior`, run i of
/// every scenario draws the same calibrated parameters from that `posterior.csv` (read
/// for the baseline), except those a scenario itself changes.
#[pyfunction]
#[pyo3(signature = (baseline, experiments, runs=20, threads=None, progress=None, posterior=None))]
pub fn compare(
    py: Python<'_>,
    baseline: &Bound<'_, PyAny>,
    experiments: Vec<Bound<'_, PyAny>>,
    runs: u32,
    threads: Option<usize>,
    progress: Option<Bound<'_, PyAny>>,
    posterior: Option<Bound<'_, PyAny>>,
) -> PyResult<(PyTable, Vec<String>)> {
    let base = resolve(py, baseline)?;
    let posterior_path = posterior.as_ref().map(|p| path_arg(py, p)).transpose()?;
    let mut exps = Vec::new();
    for e in &experiments {
        let label = e.str().map(|x| x.to_string()).unwrap_or_default();
        exps.push((resolve(py, e)?, label));
    }
    let base_label = baseline.str().map(|x| x.to_string()).unwrap_or_default();
    let go = || -> Result<(PyTable, Vec<String>), Failure> {
        if exps.is_empty() {
            return Err(Failure::Other("ValueError", "compare needs at least one experiment".into()));
        }
        if runs < 2 {
            return Err(Failure::Other("ValueError", format!("runs = {runs}: a paired comparison needs at least 2 runs")));
        }
        let base_file = base.file.clone();
        let base_label = if baseline_is_scenario(&base_label) { base_file } else { base_label.clone() };
        for (e, label) in &exps {
            let label = if baseline_is_scenario(label) { e.file.clone() } else { label.clone() };
            perelom_experiments::compare::check_comparable(&base, &base_label, e, &label).map_err(experiments_failure)?;
        }
        let seeds = seeds(&base, runs)?;
        perelom_models::check(&base)?;
        let mut warnings: Vec<String> = perelom_models::warnings(&base).iter().map(|w| w.to_string()).collect();
        for (e, _) in &exps {
            perelom_models::check(e)?;
            warnings.extend(perelom_models::warnings(e).iter().map(|w| w.to_string()));
        }
        warnings.dedup();
        let post = read_posterior(posterior_path.as_deref(), &base)?;
        let pool = thread_pool(threads)?;
        let ctl = Control::default();
        // The same draw for run i of every scenario: paired over draws and seeds.
        let prepare = |i: usize, sc: &mut Scenario| prepare_run(&ctl, post.as_ref(), seeds[0], i, sc);
        let done = || {
            ctl.done.fetch_add(1, Ordering::SeqCst);
        };
        let total = seeds.len() * (1 + exps.len());
        let scenarios: Vec<Scenario> = exps.iter().map(|(e, _)| e.clone()).collect();
        let steps: Vec<Option<u32>> =
            scenarios.iter().map(perelom_experiments::compare::branch_step).collect::<Result<_, _>>().map_err(experiments_failure)?;
        // A branch the scenarios alone refuse is refused before any run.
        for (e, at) in scenarios.iter().zip(&steps) {
            perelom_experiments::compare::check_branch(&base, e, *at).map_err(experiments_failure)?;
        }
        memory(perelom_experiments::memory::check_comparison(
            &base,
            &scenarios,
            perelom_experiments::memory::concurrent_runs(threads, seeds.len()),
            HELP,
        ))?;
        let all = supervise(py, &pool, progress.as_ref(), Some(total), &ctl, || -> Result<Vec<Outcomes>, Stop> {
            if steps.iter().any(Option::is_some) {
                return run_branched(&base, &scenarios, &steps, &seeds, post.as_ref(), &ctl);
            }
            let mut out = vec![perelom_experiments::compare::run_outcomes(&base, &seeds, RUNS_BY, &prepare, &done)?];
            for e in &scenarios {
                out.push(perelom_experiments::compare::run_outcomes(e, &seeds, RUNS_BY, &prepare, &done)?);
            }
            Ok(out)
        })?
        .map_err(Stop::failure)?;
        let mut all = all.into_iter();
        let base_runs = all.next().unwrap_or_default();
        let named: Vec<(String, Outcomes)> = exps.iter().map(|(e, _)| e.meta.name.clone()).zip(all).collect();
        // The bootstrap's stream, as `perelom compare` draws it.
        let mut rng = perelom_engine::Streams::new(0).stream("compare.bootstrap", 0, 0);
        let rows = compare_ensembles(&base_runs, &named, &mut rng).map_err(|m| Failure::Other("PerelomError", m))?;
        let table = PyTable::from_engine("comparison", &comparison_table(&rows)).map_err(Failure::internal)?;
        Ok((table, warnings))
    };
    go().map_err(|f| f.into_py(py))
}

/// Ensembles with branches, as `perelom compare` runs them: per seed,
/// `perelom_experiments::compare::run_branched_seed` (the baseline runs once, its state is
/// kept at every experiment's branch step, and each such experiment continues from that
/// state with its own parameters; one without a branch runs from the start), the seeds
/// spread over the pool. Run i of every scenario draws the same parameters from
/// `posterior`. Returns the baseline's outcomes, then each experiment's.
fn run_branched(
    base: &Scenario,
    experiments: &[Scenario],
    steps: &[Option<u32>],
    seeds: &[u64],
    posterior: Option<&Posterior>,
    ctl: &Control,
) -> Result<Vec<Outcomes>, Stop> {
    use rayon::prelude::*;
    let first = seeds.first().copied().unwrap_or(0);
    let on_run = || {
        ctl.done.fetch_add(1, Ordering::SeqCst);
    };
    // All outcomes of seed i: the baseline's, then each experiment's.
    let one = |i: usize| -> Result<Vec<Vec<(String, f64)>>, Stop> {
        if ctl.stop.load(Ordering::SeqCst) {
            return Err(Stop::Cancelled);
        }
        let seeded = |s: &Scenario| -> Result<Scenario, Stop> {
            let mut s = s.clone();
            if let Some(p) = posterior {
                p.apply(&mut s, p.draw(first, i as u64))?;
            }
            Ok(s.with_seed(seeds[i], RUNS_BY)?)
        };
        perelom_experiments::compare::run_branched_seed(base, experiments, steps, &seeded, &|sim, _| sim.outcomes(), &on_run)
    };
    let per_seed: Vec<Vec<Vec<(String, f64)>>> = (0..seeds.len()).into_par_iter().map(one).collect::<Result<_, _>>()?;
    let ensemble = |k: usize| -> Outcomes {
        let runs: Vec<Vec<(String, f64)>> = per_seed.iter().map(|r| r.get(k).cloned().unwrap_or_default()).collect();
        let names = runs.first().map(|r| r.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
        Outcomes { names, runs: runs.into_iter().map(|r| r.into_iter().map(|(_, v)| v).collect()).collect() }
    };
    Ok((0..=experiments.len()).map(ensemble).collect())
}

/// Whether a label is a `Scenario` object's repr rather than a name or path.
fn baseline_is_scenario(label: &str) -> bool {
    label.starts_with("<perelom.Scenario")
}

fn experiments_failure(e: perelom_experiments::Error) -> Failure {
    match e {
        perelom_experiments::Error::Scenario(e) => Failure::Scenario(e),
        perelom_experiments::Error::Output(e) => Failure::Other("OutputError", e.to_string()),
        perelom_experiments::Error::Message(m) => Failure::Other("PerelomError", m),
    }
}

/// A sweep; see `perelom.sweep`. `design` is a design file's path, or `None` with
/// `names` and `points` (and `base`). Returns (the tidy dataset, the output directory,
/// the design's points as a table).
#[pyfunction]
#[pyo3(signature = (design=None, names=None, points=None, base=None, replicates=1, seed=None, metrics=None, out=None, resume=true, force=false, threads=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn sweep<'py>(
    py: Python<'py>,
    design: Option<Bound<'py, PyAny>>,
    names: Option<Vec<String>>,
    points: Option<Vec<Vec<f64>>>,
    base: Option<Bound<'py, PyAny>>,
    replicates: u32,
    seed: Option<Bound<'py, PyAny>>,
    metrics: Option<Vec<String>>,
    out: Option<Bound<'py, PyAny>>,
    resume: bool,
    force: bool,
    threads: Option<u16>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<PySweep> {
    use perelom_experiments::sweep::{load_design, run_sweep, Design, SweepOptions};
    let seed = seed.map_or(Ok(1), |x| crate::run::seed_arg(py, &x, "perelom.sweep(seed=...)"))? as u64;
    let fspath = |p: &Bound<'py, PyAny>| -> PyResult<String> { py.import("os")?.call_method1("fspath", (p,))?.extract::<String>() };
    let design_path = design.as_ref().map(fspath).transpose()?;
    let out = out.as_ref().map(fspath).transpose()?;
    let base = match &base {
        Some(b) => Some(resolve(py, b)?),
        None => None,
    };
    let go = || -> Result<PySweep, Failure> {
        if threads == Some(0) {
            return Err(Failure::Other("ValueError", format!("threads = 0: give a number from 1 to {}, or None for every core", u16::MAX)));
        }
        let d: Design = match (&design_path, names, points) {
            (Some(path), None, None) => load_design(std::path::Path::new(path)).map_err(experiments_failure)?,
            (None, Some(names), Some(points)) => {
                let base = match base {
                    Some(b) => b,
                    None => {
                        let b = perelom_models::builtin(perelom_models::registry::DEFAULT_SCENARIO)
                            .ok_or_else(|| Failure::internal("no default scenario".into()))?;
                        perelom_models::load_scenario_text(b.name, b.text)?
                    }
                };
                Design::from_points(base, names, points, replicates, seed, metrics, "perelom.sweep(points)").map_err(experiments_failure)?
            }
            _ => {
                return Err(Failure::Other(
                    "ValueError",
                    "give a design file, or points (a 2-D array, one row per point) with names (one parameter key per column)".into(),
                ))
            }
        };
        let out = out.map(std::path::PathBuf::from).unwrap_or_else(|| {
            let stem = design_path
                .as_deref()
                .and_then(|p| std::path::Path::new(p).file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or_else(|| format!("sweep-{}", &d.fingerprint[..8]));
            std::path::PathBuf::from("results").join(stem)
        });
        if let Some((largest, bytes)) = perelom_experiments::sweep::largest_point(&d).map_err(experiments_failure)? {
            let runs = d.points.len() * d.replicates as usize;
            let what = if d.points.len() > 1 { ", at the design's largest point" } else { "" };
            let at_once = perelom_experiments::memory::concurrent_runs(threads.map(usize::from), runs);
            memory(perelom_experiments::memory::check_bytes(&d.file, &largest, bytes, at_once, what, HELP))?;
        }
        let opts = SweepOptions { out: Some(out), resume, force, threads, shard: None };
        let pool = thread_pool(None)?;
        let ctl = Control::default();
        let swept = supervise(py, &pool, progress.as_ref(), None, &ctl, || run_sweep(d, &opts, &ctl))?;
        let (d, dir) = swept.map_err(|e| {
            if ctl.stop.load(Ordering::SeqCst) {
                Failure::Other("PerelomError", "cancelled".into())
            } else {
                experiments_failure(e)
            }
        })?;
        let data = perelom_output::read_parquet(&dir.join("sweep.parquet"))
            .map_err(|e| Failure::Other("OutputError", format!("cannot read {}: {e}", dir.join("sweep.parquet").display())))?;
        let table = PyTable::from_engine("sweep", &data).map_err(Failure::internal)?;
        Ok(PySweep {
            arrow: Py::new(py, table)?,
            data,
            path: dir.display().to_string(),
            names: d.names,
            points: d.points,
            replicates: d.replicates,
            kind: d.kind,
            warnings: d.warnings,
        })
    };
    go().map_err(|f| f.into_py(py))
}

/// A finished sweep: its tidy dataset (one row per run and step: run, point, replicate,
/// seed, the varied parameters, step, date, the metrics kept), where it is on disk, and
/// the design's points.
#[pyclass(name = "Sweep", module = "perelom", frozen)]
pub struct PySweep {
    data: perelom_engine::Table,
    arrow: Py<PyTable>,
    path: String,
    names: Vec<String>,
    points: Vec<Vec<f64>>,
    replicates: u32,
    kind: String,
    warnings: Vec<String>,
}

#[pymethods]
impl PySweep {
    /// The tidy dataset (the directory's `sweep.parquet`) as an Arrow table.
    #[getter]
    fn data(&self, py: Python<'_>) -> Py<PyTable> {
        self.arrow.clone_ref(py)
    }

    /// The sweep's directory (`sweep.parquet`, `catalogue.csv`, `sweep.json`, `runs/`).
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// The varied parameters' keys.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// The points, one row per point, as they ran (integer parameters whole).
    #[getter]
    fn points(&self) -> Vec<Vec<f64>> {
        self.points.clone()
    }

    /// Runs per point (replicate r runs with seed + r).
    #[getter]
    fn replicates(&self) -> u32 {
        self.replicates
    }

    /// The design's kind: grid, latin-hypercube, sobol, saltelli, morris or points.
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    /// Warnings about the base scenario and the points' scenarios.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// One value per point, in the order of the points (the `Y` of SALib's `analyze`):
    /// `metric` reduced over each run's steps with `stat` (`sum`, `mean`, `final` or
    /// `max`), averaged over the point's replicates. In the metric's unit (`sum`: the
    /// unit times steps, e.g. strikes started over the run).
    #[pyo3(signature = (metric, stat = "sum"))]
    fn outputs(&self, py: Python<'_>, metric: &str, stat: &str) -> PyResult<Vec<f64>> {
        use perelom_experiments::sweep::{point_values, STATS};
        if !STATS.contains(&stat) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!("stat = {stat:?}: give one of {}", STATS.join(", "))));
        }
        let Some(values) = self.data.numbers(metric) else {
            let kept: Vec<&str> = self
                .data
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .filter(|n| !["run", "point", "replicate", "seed", "step", "date"].contains(n))
                .collect();
            return Err(crate::errors::error(
                py,
                "TableError",
                format!("the sweep kept no metric `{metric}`; its columns: {}", kept.join(", ")),
            ));
        };
        let run = self.data.numbers("run").unwrap_or_default();
        Ok(point_values(&run, &values, stat, self.points.len(), self.replicates))
    }

    fn __len__(&self) -> usize {
        self.points.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<perelom.Sweep {}: {} points x {} replicates of {}; {} rows in {}>",
            self.kind,
            self.points.len(),
            self.replicates,
            self.names.join(", "),
            self.data.rows(),
            self.path
        )
    }
}

/// What to change when the machine cannot hold the runs (besides the scale or grid).
pub(crate) const HELP: &str = "fewer threads (threads=N)";

/// A memory refusal ([`perelom_experiments::memory`]) as a `PerelomError`.
pub(crate) fn memory(r: Result<(), String>) -> Result<(), Failure> {
    r.map_err(|m| Failure::Other("PerelomError", m))
}
