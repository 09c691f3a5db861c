//! What a front end knows about a model: its descriptor.
//!
//! The command line, the web server, the report and the Python package never name a
//! particular model. Everything they need of one — its parameter schema, how to build
//! and check it, its calendar, how many agents a scenario asks for, how its metrics are
//! charted, which documents it writes, and how it is validated (historical targets, or
//! the claims a scenario makes about a regime) — comes from the model's [`ModelInfo`]
//! through the registry ([`crate::registry::model`]). A third model is added by writing
//! its descriptor and listing it in the registry; no other crate changes.

use crate::Simulation;
use perelom_engine::{Clock, MetricSpec, Table};
use perelom_scenario::{ParamSpec, Scenario, ScenarioError};

/// A model as the front ends see it.
pub struct ModelInfo {
    /// The name scenario files give in `[scenario] model = ...`.
    pub name: &'static str,
    /// A few words for people: "Soviet industry 1928-1929".
    pub title: &'static str,
    /// A built-in scenario of this model, named in help texts.
    pub example: &'static str,
    /// The model's parameter schema.
    pub schema: fn() -> Vec<ParamSpec>,
    /// Builds a run; checks involving several parameters are scenario errors.
    pub build: fn(&Scenario) -> Result<Box<dyn Simulation>, ScenarioError>,
    /// The checks of `build`, without allocating the population.
    pub check: fn(&Scenario) -> Result<(), ScenarioError>,
    /// The calendar of a run (for dated models), known before the model is built.
    pub calendar: Option<fn(&Scenario) -> Clock>,
    /// How many agents (or grid cells) a run of the scenario models.
    pub population: fn(&Scenario) -> f64,
    /// Peak memory per agent (or grid cell) of a run, in bytes, measured at full scale
    /// (docs/PERFORMANCE.md): front ends check before a run that the machine can hold
    /// it ([`crate::registry::memory_estimate`]).
    pub bytes_per_agent: f64,
    /// The parameter `--scale` sets (a fraction of the full population), if the model
    /// has one.
    pub scale_key: Option<&'static str>,
    /// The metrics table's own columns (after `step` and, for a dated model, `date`),
    /// in order, with their kind, unit and meaning: the model's data dictionary, known
    /// without building a run.
    pub metrics: fn() -> Vec<MetricSpec>,
    /// How the metrics are charted: groups of columns drawn together.
    pub charts: &'static [ChartGroup],
    /// The documents (texts) a run writes beside its tables.
    pub documents: &'static [Document],
    /// The run's log of dated events, if it keeps one: which of its tables, and which
    /// columns say what happened and to how many people.
    pub event_log: Option<EventLog>,
    /// Where a run's events happen, for models with places: a schematic map and the
    /// counts per place and step.
    pub map: Option<AreaMap>,
    /// How an ensemble of the model is validated.
    pub validation: Validation,
    /// Rebuilds a run from a saved state (`Simulation::save_state`): the scenario it was
    /// saved with, the scenario it continues with (the same, or a branch), the state.
    pub restore: Option<Restore>,
    /// The checks of a branch that need no state: a change the model cannot make once a
    /// run is under way (what shaped its population or grid). `restore` makes them too;
    /// front ends call them through `checkpoint::check_branch` before any run.
    pub branch_check: Option<BranchCheck>,
}

/// Rebuilds a run from its saved state: (saved scenario, continuing scenario, state).
pub type Restore = fn(&Scenario, &Scenario, &[u8]) -> Result<Box<dyn Simulation>, String>;

/// Whether a run saved with the first scenario may continue with the second (a branch),
/// as far as the scenarios alone tell: `Err` says which change it cannot make.
pub type BranchCheck = fn(&Scenario, &Scenario) -> Result<(), String>;

impl std::fmt::Debug for ModelInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelInfo").field("name", &self.name).field("title", &self.title).finish_non_exhaustive()
    }
}

impl ModelInfo {
    /// The document written under `file`, if the model writes one.
    pub fn document(&self, file: &str) -> Option<&'static Document> {
        self.documents.iter().find(|d| d.file == file)
    }

    /// The clock a run of the scenario will have, known before the model is built: the
    /// model's calendar, or bare steps (`run.steps`) for a model without one.
    pub fn clock(&self, s: &Scenario) -> Clock {
        match self.calendar {
            Some(calendar) => calendar(s),
            None => Clock::abstract_steps(u32::try_from(s.int("run.steps")).unwrap_or(0)),
        }
    }

    /// The metric called `name` in the data dictionary ([`ModelInfo::metrics`]).
    pub fn metric(&self, name: &str) -> Option<MetricSpec> {
        (self.metrics)().into_iter().find(|m| m.name == name)
    }

    /// The historical targets, if the model has any.
    pub fn targets(&self) -> Option<&Targets> {
        match &self.validation {
            Validation::Targets(t) => Some(t),
            _ => None,
        }
    }
}

/// Metrics drawn on one chart: a title and the metric columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartGroup {
    /// The chart's title, with the unit of its values.
    pub title: &'static str,
    /// Columns of the metrics table (step rows), all in the same unit.
    pub columns: &'static [&'static str],
}

/// A text a run writes beside its tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Document {
    /// The file name in a result directory (`survey.md`).
    pub file: &'static str,
    /// What a link to it says ("Political survey").
    pub title: &'static str,
    /// Its media type (`text/markdown; charset=utf-8`).
    pub media_type: &'static str,
}

/// A run's log of events (one of `Simulation::tables`), one row an event, with the
/// `step` it happened in: the explorer lists a month of it beside the survey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventLog {
    /// The table's name among the run's tables (`events`).
    pub table: &'static str,
    /// What a page calls it ("Factory events").
    pub title: &'static str,
    /// The column that names each event's kind (`event`).
    pub kind: &'static str,
    /// The column of the number of people each event involved (`count`).
    pub people: &'static str,
    /// The columns a page shows, in order (the others stay in the downloads).
    pub shown: &'static [&'static str],
}

/// A schematic map of the places a model's events happen, and what is counted there.
pub struct AreaMap {
    /// What the map shows, in a few words.
    pub title: &'static str,
    /// Width and height of the box the outlines are drawn in (an SVG view box).
    pub size: (u32, u32),
    /// The places, in a fixed order.
    pub areas: &'static [Area],
    /// What is counted per place and step, in a fixed order.
    pub layers: &'static [MapLayer],
    /// The counts of a run so far: `[layer][area][step]`, in the orders of `layers`,
    /// `areas` and the steps done. Summed over the places, a layer is its metric column.
    pub count: fn(&dyn Simulation) -> Vec<Vec<Vec<u32>>>,
}

/// One place of an [`AreaMap`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    /// The place's name in the model's tables (`Ivanovo`).
    pub name: &'static str,
    /// What the map calls it.
    pub title: &'static str,
    /// Its simplified outline: an SVG path in the map's box.
    pub path: &'static str,
    /// Where its label goes (x, y in the map's box).
    pub label: (f32, f32),
}

/// One thing an [`AreaMap`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapLayer {
    /// A short key (`strikes`).
    pub key: &'static str,
    /// What is counted, for people ("strikes begun").
    pub label: &'static str,
    /// The metric column the layer splits by place.
    pub metric: &'static str,
}

/// How a model's ensembles are checked.
pub enum Validation {
    /// Nothing to check an ensemble against.
    None,
    /// Historical targets with valid ranges (the 1928-1929 model's T1-T15).
    Targets(Targets),
    /// No record to meet, but a regime a scenario claims (Epstein's outbursts): per-run
    /// statistics of it, and the share of runs in which its event happens.
    Regime(Regime),
}

/// A target's definition: a statistic of one run and its valid range.
#[derive(Clone, Debug)]
pub struct Target {
    /// Stable id (`T1`).
    pub id: &'static str,
    /// What the statistic reads, in words.
    pub text: String,
    /// The fact ids it rests on (`F01, F02`).
    pub facts: &'static str,
    /// Lowest valid value of the statistic (inclusive).
    pub lo: f64,
    /// Highest valid value of the statistic (inclusive).
    pub hi: f64,
    /// The metric columns the statistic reads (the weekly table's names), so that a front
    /// end can show the target beside the charts of those columns.
    pub metrics: &'static [&'static str],
}

impl Target {
    /// Whether a value hits the range (`NaN`: not measurable, never a hit).
    pub fn hit(&self, x: f64) -> bool {
        !x.is_nan() && x >= self.lo && x <= self.hi
    }

    /// Like [`Target::hit`] for a reading of [`Targets::measure`].
    pub fn hits(&self, x: Option<f64>) -> bool {
        x.is_some_and(|x| self.hit(x))
    }
}

/// A model's historical targets.
pub struct Targets {
    /// The targets, in a fixed order.
    pub list: fn() -> Vec<Target>,
    /// Which targets (in the order of `list`) a run on a calendar can measure.
    pub measurable: fn(&Clock) -> Vec<bool>,
    /// The statistics of one run (its metrics table on its clock, the scenario it ran),
    /// in the order of `list`: `None` when not measurable, `Some(NaN)` when undefined.
    pub measure: fn(&Table, &Clock, &Scenario) -> Vec<Option<f64>>,
    /// What run covers every target, for a help text.
    pub coverage: &'static str,
    /// The parameters `perelom calibrate` varies when none are named, with their prior
    /// ranges (key, low, high).
    pub calibrated: &'static [(&'static str, f64, f64)],
}

/// A target scored over an ensemble: its ensemble mean and 90 % interval, whether the
/// mean hits the target's range, and how many single runs do.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetScore {
    /// The target's id (`T1`).
    pub id: &'static str,
    /// What the target reads, in words.
    pub text: String,
    /// The fact ids it rests on.
    pub facts: &'static str,
    /// Mean of the runs' defined readings (NaN when none).
    pub mean: f64,
    /// 5th percentile of the runs' defined readings (NaN when none).
    pub lo: f64,
    /// 95th percentile of the runs' defined readings (NaN when none).
    pub hi: f64,
    /// Whether every run covers the target's dates; a target that is not measurable is
    /// neither hit nor missed.
    pub measurable: bool,
    /// Whether the ensemble mean hits the target's range.
    pub hit: bool,
    /// Runs whose reading is defined (not NaN).
    pub valid_runs: usize,
    /// Single runs whose own reading hits the range.
    pub runs_hit: usize,
    /// Runs in the ensemble.
    pub runs: usize,
}

impl TargetScore {
    /// `hit`, `missed` or `not measurable`.
    pub fn result(&self) -> &'static str {
        match (self.measurable, self.hit) {
            (false, _) => "not measurable",
            (true, true) => "hit",
            (true, false) => "missed",
        }
    }

    /// Share of single runs that hit the target (0-1).
    pub fn single_run_hit_rate(&self) -> f64 {
        self.runs_hit as f64 / self.runs as f64
    }
}

impl Targets {
    /// Scores every target (in the order of `list`) over an ensemble: `readings[r]` is
    /// run r's [`Targets::measure`].
    pub fn score(&self, readings: &[Vec<Option<f64>>]) -> Vec<TargetScore> {
        use perelom_engine::stats::{interval, mean};
        (self.list)()
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let measurable = readings.iter().all(|r| r[i].is_some());
                let xs: Vec<f64> = readings.iter().filter_map(|r| r[i]).filter(|x| !x.is_nan()).collect();
                let m = if xs.is_empty() { f64::NAN } else { mean(&xs) };
                let (lo, hi) = if xs.is_empty() { (f64::NAN, f64::NAN) } else { interval(&xs, 0.9) };
                let hit = measurable && t.hit(m);
                let runs_hit = readings.iter().filter(|r| t.hits(r[i])).count();
                TargetScore {
                    id: t.id,
                    text: t.text,
                    facts: t.facts,
                    mean: m,
                    lo,
                    hi,
                    measurable,
                    hit,
                    valid_runs: xs.len(),
                    runs_hit,
                    runs: readings.len(),
                }
            })
            .collect()
    }

    /// The table of scores `perelom validate` writes as `targets.csv`: target,
    /// description, facts, mean, p05, p95, hit (hit, missed, not measurable) and
    /// single_run_hit_rate.
    pub fn table(scores: &[TargetScore]) -> Table {
        use perelom_engine::ColumnData;
        let mut t = Table::new();
        t.push("target", ColumnData::Str(scores.iter().map(|r| r.id.to_string()).collect()));
        t.push("description", ColumnData::Str(scores.iter().map(|r| r.text.clone()).collect()));
        t.push("facts", ColumnData::Str(scores.iter().map(|r| r.facts.to_string()).collect()));
        t.push("mean", ColumnData::F64(scores.iter().map(|r| r.mean).collect()));
        t.push("p05", ColumnData::F64(scores.iter().map(|r| r.lo).collect()));
        t.push("p95", ColumnData::F64(scores.iter().map(|r| r.hi).collect()));
        t.push("hit", ColumnData::Str(scores.iter().map(|r| r.result().to_string()).collect()));
        t.push("single_run_hit_rate", ColumnData::F64(scores.iter().map(|r| r.single_run_hit_rate()).collect()));
        t
    }
}

/// One per-run statistic of a regime.
#[derive(Clone, Copy, Debug)]
pub struct RegimeStat {
    /// Column name in `runs.csv`.
    pub name: &'static str,
    /// Label in the printed table.
    pub label: &'static str,
}

/// A regime a scenario claims, measured per run.
pub struct Regime {
    /// The regime's event, as a noun ("outburst").
    pub event: &'static str,
    /// The event with its definition in this scenario ("an outburst (> 50 active)").
    pub describe: fn(&Scenario) -> String,
    /// The per-run statistics; the first counts the events of a run.
    pub stats: &'static [RegimeStat],
    /// Reads the statistics of one finished run (NaN: undefined in that run).
    pub measure: fn(&dyn Simulation, &Scenario) -> Vec<f64>,
    /// The parameters that define the event, for the result file (name, value).
    pub definition: fn(&Scenario) -> Vec<(&'static str, f64)>,
}

/// A snapshot of a model's grid, for drawing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridSnapshot {
    /// Cells per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// One code per cell, row by row; each code is one of `legend`'s.
    pub cells: Vec<u8>,
    /// What each code means: code, label, colour (RGB).
    pub legend: &'static [(u8, &'static str, [u8; 3])],
}
