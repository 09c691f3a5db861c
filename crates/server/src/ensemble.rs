//! Ensembles in the server: one scenario over N consecutive seeds, run on the server's
//! ensemble pool (rayon) through [`perelom_models::run_seeds`], the loop `perelom
//! validate` uses, and summarised as the runs finish.
//!
//! Like a run's stepping thread, the ensemble's threads own their models; what the rest
//! of the server knows is the snapshot in [`Ensemble::shared`] (progress, and the latest
//! summary as a ready JSON text), under a small lock never held during a run. Memory is
//! bounded: each finished run leaves only its charted columns (as `f32`) and its target
//! readings, its map counts are added to one sum whose size is fixed by the map and the
//! steps (layers × places × steps, whatever the number of runs: the summary shows their
//! mean per run), the request is capped in runs and run-steps, and once the ensemble ends
//! only the summary is kept.
//!
//! A comparison runs each seed through `perelom_experiments::compare::run_branched_seed`,
//! as `perelom compare` does: the baseline once, then the experiment from the start or
//! continued from the baseline's state at the branch date; only one model lives at a time
//! on a thread besides the kept state.

use crate::run::lock;
use perelom_engine::ColumnData;
use perelom_models::{ModelInfo, Simulation, Validation};
use perelom_scenario::{Scenario, ScenarioError};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often, at most, a running ensemble recomputes its summary.
const SUMMARY_EVERY: Duration = Duration::from_millis(250);

/// The quantiles of the bands: 90 % and 50 % intervals and the median.
const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Lifecycle of an ensemble.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnsembleStatus {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl EnsembleStatus {
    pub fn word(self) -> &'static str {
        match self {
            EnsembleStatus::Running => "running",
            EnsembleStatus::Done => "done",
            EnsembleStatus::Failed => "failed",
            EnsembleStatus::Cancelled => "cancelled",
        }
    }

    pub fn ended(self) -> bool {
        self != EnsembleStatus::Running
    }
}

/// What one finished run leaves: its charted columns, its target readings or regime
/// statistics, and, in a comparison, the baseline's run on the same seed.
struct RunOut {
    seed: i64,
    series: Vec<Vec<f32>>,
    targets: Option<Vec<Option<f64>>>,
    regime: Option<Vec<f64>>,
    paired: Option<Pair>,
}

/// What is read of one finished run, before it is dropped.
struct Measured {
    seed: i64,
    series: Vec<Vec<f32>>,
    targets: Option<Vec<Option<f64>>>,
    regime: Option<Vec<f64>>,
    outcomes: Vec<(String, f64)>,
    /// The counts per place and step of the model's map, `[layer][area][step]`.
    areas: Option<Vec<Vec<Vec<u32>>>>,
    x: Option<Vec<Value>>,
}

/// A comparison's two runs on one seed: the baseline's charted columns, and the scalar
/// outcomes of both (`Simulation::outcomes`, by name).
struct Pair {
    base_series: Vec<Vec<f32>>,
    names: Vec<String>,
    base: Vec<f64>,
    exp: Vec<f64>,
}

/// What an ensemble compares: its runs (the experiment) against the baseline's on the same
/// seeds, as `perelom compare` does.
pub struct Comparison {
    /// The baseline scenario, resolved like the experiment (the same shared settings).
    pub baseline: Scenario,
    /// The step at whose start the experiment branches from the baseline's own run
    /// (`perelom_experiments::compare::branch_step`); `None`: it runs from the start.
    pub branch_step: Option<u32>,
    /// For people and the API: what is compared with what.
    pub describe: Value,
}

/// What handlers and subscribers read.
pub struct EnsembleShared {
    pub status: EnsembleStatus,
    pub runs_done: usize,
    results: Vec<Arc<RunOut>>,
    /// The x values of the steps: dates (dated models) or step numbers, from the first run.
    x: Option<Arc<Vec<Value>>>,
    /// The latest summary (JSON), and how many runs it covers.
    pub summary: Option<Arc<str>>,
    summary_runs: usize,
    summarised_at: Instant,
    /// The map's counts summed over the runs done, `[layer][area][step]` (as `f64`):
    /// its size is fixed by the map and the steps, whatever the number of runs.
    areas: Option<Arc<Vec<Vec<Vec<f64>>>>>,
    areas_runs: usize,
    pub error: Option<String>,
    pub last_access: Instant,
    /// Clients reading the event stream now, and since when nobody does (see `Run`).
    pub subscribers: usize,
    pub orphaned_since: Option<Instant>,
}

/// One ensemble.
pub struct Ensemble {
    pub id: u64,
    pub scenario_name: String,
    pub model_name: String,
    /// The resolved scenario; run `i` has `run.seed = first_seed + i`.
    pub scenario: Scenario,
    pub first_seed: u64,
    pub runs: usize,
    /// The charted columns, in the order of the model's chart groups.
    pub columns: Vec<&'static str>,
    pub changes: Value,
    /// When the ensemble is a comparison: the baseline run beside every run.
    pub compare: Option<Comparison>,
    cancel: AtomicBool,
    pub shared: Mutex<EnsembleShared>,
    /// Bumped after every change of `shared`.
    pub notify: watch::Sender<u64>,
}

/// Why a run of the ensemble did not happen.
enum Stop {
    Cancelled,
    Scenario(ScenarioError),
    Message(String),
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
            other => Stop::Message(other.to_string()),
        }
    }
}

impl Ensemble {
    pub fn new(
        id: u64,
        scenario_name: String,
        scenario: Scenario,
        first_seed: u64,
        runs: usize,
        info: &ModelInfo,
        compare: Option<Comparison>,
    ) -> Arc<Ensemble> {
        let mut columns: Vec<&'static str> = Vec::new();
        for g in info.charts {
            for c in g.columns {
                if !columns.contains(c) {
                    columns.push(c);
                }
            }
        }
        let (notify, _) = watch::channel(0);
        Arc::new(Ensemble {
            id,
            scenario_name,
            model_name: scenario.meta.model.clone(),
            changes: perelom_models::provenance::changes_json(&scenario),
            scenario,
            first_seed,
            runs,
            columns,
            compare,
            cancel: AtomicBool::new(false),
            shared: Mutex::new(EnsembleShared {
                status: EnsembleStatus::Running,
                runs_done: 0,
                results: Vec::new(),
                x: None,
                summary: None,
                summary_runs: 0,
                summarised_at: Instant::now(),
                areas: None,
                areas_runs: 0,
                error: None,
                last_access: Instant::now(),
                subscribers: 0,
                orphaned_since: None,
            }),
            notify,
        })
    }

    /// Runs the ensemble on `pool`, from a blocking thread of the runtime. A comparison
    /// runs, for each seed, the baseline and then the experiment (continued from the
    /// baseline's state at the branch, if any) with `perelom_experiments::compare`'s
    /// `run_branched_seed`, the per-seed work of `perelom compare`.
    pub fn start(self: &Arc<Self>, pool: Arc<rayon::ThreadPool>) {
        let e = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let seeds: Vec<u64> = (0..e.runs as u64).map(|i| e.first_seed + i).collect();
            let info = perelom_models::model(&e.model_name);
            let cancelled = || if e.cancel.load(Ordering::Relaxed) { Err(Stop::Cancelled) } else { Ok(()) };
            let measure = |sim: &dyn Simulation, s: &Scenario| e.measure(sim, s, info);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| match &e.compare {
                    None => {
                        let prepare = |_: usize, _: &mut Scenario| cancelled();
                        let record = |sim: &dyn Simulation, s: &Scenario| e.record(measure(sim, s), None);
                        perelom_models::run_seeds(&e.scenario, &seeds, "web explorer ensemble", &prepare, &record, &|| {}).map(|_| ())
                    }
                    Some(c) => {
                        use rayon::prelude::*;
                        let experiments = std::slice::from_ref(&e.scenario);
                        let steps = [c.branch_step];
                        seeds
                            .par_iter()
                            .map(|&seed| {
                                let seeded = |s: &Scenario| -> Result<Scenario, Stop> {
                                    cancelled()?;
                                    Ok(s.clone().with_seed(seed, "web explorer ensemble")?)
                                };
                                let mut both = perelom_experiments::compare::run_branched_seed(
                                    &c.baseline,
                                    experiments,
                                    &steps,
                                    &seeded,
                                    &measure,
                                    &|| {},
                                )?;
                                let exp = both.pop();
                                let base = both.pop();
                                if let (Some(exp), Some(base)) = (exp, base) {
                                    e.record(exp, Some(base));
                                }
                                Ok(())
                            })
                            .collect::<Result<Vec<()>, Stop>>()
                            .map(|_| ())
                    }
                })
            }));
            let (status, error) = match outcome {
                Ok(Ok(())) => (EnsembleStatus::Done, None),
                Ok(Err(Stop::Cancelled)) => (EnsembleStatus::Cancelled, None),
                Ok(Err(Stop::Scenario(err))) => (EnsembleStatus::Failed, Some(err.to_string())),
                Ok(Err(Stop::Message(err))) => (EnsembleStatus::Failed, Some(err)),
                Err(_) => (EnsembleStatus::Failed, Some("a run of the ensemble failed (a bug: please report the parameters)".to_string())),
            };
            e.publish(true);
            let mut sh = lock(&e.shared);
            sh.status = status;
            sh.error = error;
            // Only the summary is kept once the ensemble has ended.
            sh.results = Vec::new();
            sh.areas = None;
            drop(sh);
            e.changed();
        });
    }

    /// Stops starting new runs (runs in progress finish).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.changed();
    }

    pub fn touch(&self) {
        lock(&self.shared).last_access = Instant::now();
    }

    pub fn status(&self) -> EnsembleStatus {
        lock(&self.shared).status
    }

    fn changed(&self) {
        self.notify.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Reads a finished run: its charted columns, outcomes, target readings or regime
    /// statistics, the counts of the model's map, and (for the first run) the x values.
    fn measure(&self, sim: &dyn Simulation, s: &Scenario, info: Option<&ModelInfo>) -> Measured {
        let t = sim.metrics();
        let x = lock(&self.shared).x.is_none().then(|| match t.column("date") {
            Some(ColumnData::Date(d)) => d.iter().map(|d| json!(d.to_string())).collect(),
            _ => t.numbers("step").unwrap_or_default().into_iter().map(|s| json!(s)).collect(),
        });
        Measured {
            seed: s.int("run.seed"),
            series: self.series_of(&t),
            targets: info.and_then(|i| i.targets()).map(|tg| (tg.measure)(&t, sim.clock(), s)),
            regime: match info.map(|i| &i.validation) {
                Some(Validation::Regime(r)) => Some((r.measure)(sim, s)),
                _ => None,
            },
            outcomes: if self.compare.is_some() { sim.outcomes() } else { Vec::new() },
            areas: info.and_then(|i| i.map.as_ref()).map(|m| (m.count)(sim)),
            x,
        }
    }

    /// Keeps what a finished run leaves (in a comparison, with the baseline's run on the
    /// same seed), adds its map counts to the sums, and refreshes the summary now and then.
    fn record(&self, run: Measured, base: Option<Measured>) {
        let paired = base.map(|b| {
            let names: Vec<String> = run.outcomes.iter().map(|(n, _)| n.clone()).collect();
            let value = |n: &str| b.outcomes.iter().find(|(m, _)| m == n).map_or(f64::NAN, |(_, v)| *v);
            Pair {
                base_series: b.series,
                base: names.iter().map(|n| value(n)).collect(),
                exp: run.outcomes.iter().map(|(_, v)| *v).collect(),
                names,
            }
        });
        let due = {
            let mut sh = lock(&self.shared);
            sh.results.push(Arc::new(RunOut { seed: run.seed, series: run.series, targets: run.targets, regime: run.regime, paired }));
            sh.runs_done += 1;
            if sh.x.is_none() {
                sh.x = run.x.map(Arc::new);
            }
            if let Some(counts) = &run.areas {
                add_counts(Arc::make_mut(sh.areas.get_or_insert_with(Default::default)), counts);
                sh.areas_runs += 1;
            }
            sh.summarised_at.elapsed() >= SUMMARY_EVERY
        };
        self.changed();
        if due {
            self.publish(false);
        }
    }

    /// The charted columns of a metrics table, as `f32`.
    fn series_of(&self, t: &perelom_engine::Table) -> Vec<Vec<f32>> {
        self.columns.iter().map(|c| t.numbers(c).unwrap_or_default().into_iter().map(|x| x as f32).collect()).collect()
    }

    /// Recomputes the summary from the runs done so far (outside the lock) and publishes
    /// it, unless a newer one is already out. `force`: even if no run was added.
    fn publish(&self, force: bool) {
        let (results, x, areas) = {
            let mut sh = lock(&self.shared);
            if !force && sh.summary_runs == sh.results.len() {
                return;
            }
            sh.summarised_at = Instant::now();
            (sh.results.clone(), sh.x.clone(), sh.areas.clone().map(|a| (a, sh.areas_runs)))
        };
        let areas = areas.map(|(sums, runs)| areas_json(&sums, runs));
        let summary = self.summarize(&results, x.as_deref().map_or(&[], |v| v.as_slice()), areas);
        let mut sh = lock(&self.shared);
        if force || results.len() > sh.summary_runs || sh.summary.is_none() {
            sh.summary_runs = results.len();
            sh.summary = Some(Arc::from(summary));
        }
        drop(sh);
        self.changed();
    }

    /// The summary of `results`: quantiles of every charted column at every step, and
    /// the targets (or the regime) over the runs.
    fn summarize(&self, results: &[Arc<RunOut>], x: &[Value], areas: Option<Value>) -> String {
        // In seed order, whatever order the runs finished in: the summary (and the
        // bootstrap of the paired differences) depends only on the runs.
        let mut results = results.to_vec();
        results.sort_by_key(|r| r.seed);
        let results = results.as_slice();
        let series = self.bands(results.iter().map(|r| &r.series).collect());
        let base_series =
            self.compare.as_ref().map(|_| self.bands(results.iter().filter_map(|r| r.paired.as_ref().map(|p| &p.base_series)).collect()));
        let paired = self.compare.as_ref().map(|_| paired_json(results));
        let info = perelom_models::model(&self.model_name);
        let targets = info.and_then(|i| i.targets()).map(|tg| {
            let readings: Vec<&Vec<Option<f64>>> = results.iter().filter_map(|r| r.targets.as_ref()).collect();
            (tg.list)()
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    let measurable = !readings.is_empty() && readings.iter().all(|r| r.get(i).copied().flatten().is_some());
                    let xs: Vec<f64> = readings.iter().filter_map(|r| r.get(i).copied().flatten()).filter(|x| !x.is_nan()).collect();
                    let mean = if xs.is_empty() { f64::NAN } else { perelom_engine::stats::mean(&xs) };
                    let (lo, hi) = if xs.is_empty() { (f64::NAN, f64::NAN) } else { perelom_engine::stats::interval(&xs, 0.9) };
                    let hit = measurable && t.hit(mean);
                    let runs_hit = readings.iter().filter(|r| t.hits(r.get(i).copied().flatten())).count();
                    json!({
                        "id": t.id, "text": t.text, "facts": t.facts, "lo": t.lo, "hi": t.hi,
                        "measurable": measurable, "mean": mean, "p05": lo, "p95": hi,
                        "result": if !measurable { "not measurable" } else if hit { "hit" } else { "missed" },
                        "runs_hit": runs_hit, "valid_runs": xs.len(),
                    })
                })
                .collect::<Vec<_>>()
        });
        let regime = match info.map(|i| &i.validation) {
            Some(Validation::Regime(r)) => {
                let stats: Vec<&Vec<f64>> = results.iter().filter_map(|x| x.regime.as_ref()).collect();
                let with_event = stats.iter().filter(|s| s.first().is_some_and(|&n| n > 0.0)).count();
                Some(json!({
                    "event": r.event,
                    "describe": (r.describe)(&self.scenario),
                    "runs_with_event": with_event,
                    "stats": r.stats.iter().enumerate().map(|(k, st)| {
                        let xs: Vec<f64> = stats.iter().filter_map(|s| s.get(k).copied()).filter(|x| !x.is_nan()).collect();
                        let (lo, hi) = if xs.is_empty() { (f64::NAN, f64::NAN) } else { perelom_engine::stats::interval(&xs, 0.9) };
                        let mean = if xs.is_empty() { f64::NAN } else { perelom_engine::stats::mean(&xs) };
                        json!({"name": st.name, "label": st.label, "mean": mean, "p05": lo, "p95": hi, "valid_runs": xs.len()})
                    }).collect::<Vec<_>>(),
                }))
            }
            _ => None,
        };
        json!({
            "runs_done": results.len(),
            "runs": self.runs,
            "x": x,
            "quantiles": QUANTILES,
            "series": series,
            "baseline_series": base_series,
            "paired": paired,
            "targets": targets,
            "regime": regime,
            "areas": areas,
        })
        .to_string()
    }

    /// The quantiles of every charted column at every step, over `runs` (each a list of
    /// columns): `{column: [q05, q25, q50, q75, q95]}`.
    fn bands(&self, runs: Vec<&Vec<Vec<f32>>>) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        let mut buf: Vec<f64> = Vec::with_capacity(runs.len());
        for (ci, c) in self.columns.iter().enumerate() {
            let steps = runs.iter().map(|r| r.get(ci).map_or(0, Vec::len)).max().unwrap_or(0);
            let mut q: Vec<Vec<Value>> = vec![Vec::with_capacity(steps); QUANTILES.len()];
            for t in 0..steps {
                buf.clear();
                buf.extend(runs.iter().filter_map(|r| r.get(ci).and_then(|s| s.get(t))).filter(|v| !v.is_nan()).map(|&v| f64::from(v)));
                buf.sort_by(f64::total_cmp);
                for (k, p) in QUANTILES.iter().enumerate() {
                    q[k].push(quantile_sorted(&buf, *p).map_or(Value::Null, |v| json!(v as f32)));
                }
            }
            out.insert((*c).to_string(), json!(q));
        }
        out
    }
}

/// The paired differences (experiment − baseline on the same seed) of every outcome, as
/// `perelom compare` computes them: mean difference with a 90 % bootstrap interval from the
/// same named stream, Cohen's d, the share of pairs that go up. An outcome some run cannot
/// measure (NaN) is not measurable.
fn paired_json(results: &[Arc<RunOut>]) -> Vec<Value> {
    let pairs: Vec<&Pair> = results.iter().filter_map(|r| r.paired.as_ref()).collect();
    let Some(first) = pairs.first() else { return Vec::new() };
    let mut rng = perelom_engine::Streams::new(0).stream("compare.bootstrap", 0, 0);
    first
        .names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let b: Vec<f64> = pairs.iter().map(|p| p.base.get(k).copied().unwrap_or(f64::NAN)).collect();
            let x: Vec<f64> = pairs.iter().map(|p| p.exp.get(k).copied().unwrap_or(f64::NAN)).collect();
            if b.iter().chain(&x).any(|v| v.is_nan()) {
                return json!({"outcome": name, "measurable": false});
            }
            match perelom_analysis::paired(&b, &x, &mut rng) {
                Ok(p) => json!({
                    "outcome": name, "measurable": true, "baseline_mean": p.base_mean, "experiment_mean": p.exp_mean,
                    "diff": p.diff, "lo": p.lo, "hi": p.hi, "cohens_d": p.cohens_d, "p_up": p.p_up, "clear": p.clear(),
                }),
                Err(e) => json!({"outcome": name, "measurable": false, "error": e}),
            }
        })
        .collect()
}

/// Adds one run's map counts (`[layer][area][step]`) to the ensemble's sums.
fn add_counts(sums: &mut Vec<Vec<Vec<f64>>>, counts: &[Vec<Vec<u32>>]) {
    sums.resize_with(sums.len().max(counts.len()), Vec::new);
    for (sl, cl) in sums.iter_mut().zip(counts) {
        sl.resize_with(sl.len().max(cl.len()), Vec::new);
        for (sa, ca) in sl.iter_mut().zip(cl) {
            if sa.len() < ca.len() {
                sa.resize(ca.len(), 0.0);
            }
            for (x, &c) in sa.iter_mut().zip(ca) {
                *x += f64::from(c);
            }
        }
    }
}

/// The map of an ensemble: the mean count per run of every layer, place and step over
/// the `runs` runs summed in `sums`: `{"runs": n, "layers": [[[mean per step] per area]
/// per layer]}` (in the orders of the descriptor's map).
fn areas_json(sums: &[Vec<Vec<f64>>], runs: usize) -> Value {
    let n = runs.max(1) as f64;
    let layers: Vec<Vec<Vec<f32>>> = sums.iter().map(|l| l.iter().map(|a| a.iter().map(|&x| (x / n) as f32).collect()).collect()).collect();
    json!({"runs": runs, "layers": layers})
}

/// Quantile `q` of sorted values, type 7 (as `perelom_engine::stats::quantile`); `None`
/// for no values.
fn quantile_sorted(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// A client reading an ensemble's event stream (see `run::Subscription`).
pub struct Watcher(Arc<Ensemble>);

impl Watcher {
    pub fn new(e: Arc<Ensemble>) -> Watcher {
        {
            let mut sh = lock(&e.shared);
            sh.subscribers += 1;
            sh.orphaned_since = None;
            sh.last_access = Instant::now();
        }
        Watcher(e)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let mut sh = lock(&self.0.shared);
        sh.subscribers = sh.subscribers.saturating_sub(1);
        if sh.subscribers == 0 {
            sh.orphaned_since = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_quantiles_match_the_engines() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        for q in QUANTILES {
            assert_eq!(quantile_sorted(&xs, q), Some(perelom_engine::stats::quantile(&xs, q)));
        }
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }
}
