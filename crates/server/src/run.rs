//! One run in the server: a simulation stepped on a blocking thread, driven by commands,
//! and the events it has produced so far, which any number of subscribers read.
//!
//! The stepping thread owns the model: no lock guards it, and nothing else ever touches
//! it. What the rest of the server knows of a run is the snapshot the thread publishes
//! in [`Run::shared`] after every change (a small mutex, held only to copy a few
//! fields or push an event, never during a step), and what it asks of the model (a
//! table to download) goes to the thread as a [`Command::Export`] and comes back on a
//! channel, answered between two steps. So an async handler never waits for a step.

use perelom_engine::{ColumnData, Table};
use perelom_models::Simulation;
use perelom_scenario::Scenario;
use serde_json::json;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// What a client asks of a run.
#[derive(Debug)]
pub enum Command {
    Play,
    Pause,
    Step,
    Reset,
    /// Copy something out of the model, between two steps.
    Export(Export, oneshot::Sender<Result<Exported, String>>),
}

/// What can be copied out of a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Export {
    /// The metrics table so far.
    Metrics,
    /// A document the model writes (a file name of its descriptor's `documents`).
    Document(&'static str),
    /// Everything a report needs: the metrics and the documents so far.
    Results,
    /// The model's counts per place and step (its descriptor's map), with the steps' dates.
    Areas,
    /// Every table (the metrics, then the model's own) and document: a result directory.
    Files,
    /// The model's own table called by this name (its event log).
    Table(&'static str),
}

/// A copy of part of a model, made by the stepping thread.
#[derive(Debug)]
pub enum Exported {
    Metrics(Table),
    Document {
        steps_done: u32,
        text: Option<String>,
    },
    Results {
        steps_done: u32,
        metrics: Table,
        documents: Vec<(String, String)>,
    },
    /// `[layer][area][step]`, and the x value of each step done (date or step number).
    Areas {
        counts: Option<Vec<Vec<Vec<u32>>>>,
        x: Vec<serde_json::Value>,
    },
    /// What `perelom run` writes of a run: its tables (metrics first) and documents.
    Files {
        tables: Vec<(String, Table)>,
        documents: Vec<(String, String)>,
    },
    /// One of the model's own tables, if it has one by that name.
    Table(Option<Table>),
}

/// The model behind a run, owned by its stepping thread.
pub struct Model {
    sim: Box<dyn Simulation>,
    model_name: String,
}

impl Model {
    pub fn build(scenario: &Scenario) -> Result<Model, perelom_scenario::ScenarioError> {
        Ok(Model { sim: perelom_models::build(scenario)?, model_name: scenario.meta.model.clone() })
    }

    pub fn sim(&self) -> &dyn Simulation {
        self.sim.as_ref()
    }

    fn sim_mut(&mut self) -> &mut dyn Simulation {
        self.sim.as_mut()
    }

    /// The grid, for models on one, as a JSON `grid` event: its size, one code a cell
    /// (a character), and the legend of the codes (label and colour).
    fn grid_event(&self) -> Option<String> {
        let g = self.sim.grid()?;
        let cells = String::from_utf8_lossy(&g.cells).into_owned();
        let legend: Vec<serde_json::Value> =
            g.legend.iter().map(|(code, label, rgb)| json!({"code": (*code as char).to_string(), "label": label, "rgb": rgb})).collect();
        Some(json!({"step": self.sim.steps_done(), "width": g.width, "height": g.height, "cells": cells, "legend": legend}).to_string())
    }
}

/// Lifecycle of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Paused,
    Playing,
    Done,
    Failed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Paused => "paused",
            Status::Playing => "playing",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }
}

/// What handlers and subscribers read, under one small lock that is never held during
/// a step.
pub struct Shared {
    pub status: Status,
    /// Whether the thread is inside a step right now.
    pub stepping: bool,
    /// Bumped by a reset: subscribers start over.
    pub generation: u64,
    /// One JSON `step` event per step done in this generation.
    pub steps: Vec<Arc<str>>,
    /// The latest grid (Epstein), as a JSON `grid` event.
    pub grid: Option<Arc<str>>,
    /// The final JSON `done` event, once the run has ended.
    pub done: Option<Arc<str>>,
    pub error: Option<String>,
    pub last_access: Instant,
    /// Whether a client ever asked the run to play or step: a run created and never
    /// played is evicted soon (`Config::unplayed_timeout`).
    pub played: bool,
    /// Clients reading the run's event stream now.
    pub subscribers: usize,
    /// When the last subscriber left (`None` while someone reads, or if nobody ever
    /// did): an unfinished run nobody reads is freed after `Config::disconnect_grace`.
    pub orphaned_since: Option<Instant>,
    /// Time spent stepping in this generation (the manifest's `wall_seconds`).
    pub wall: Duration,
    /// When this generation's first step began (the manifest's `started_at`).
    pub started: Option<chrono::DateTime<chrono::Utc>>,
}

pub struct Run {
    pub id: u64,
    pub scenario_name: String,
    /// The run's seed (`run.seed`), kept exactly (JSON carries it as a string).
    pub seed: u64,
    /// Differences of the run's scenario from the model's baseline, with citations.
    pub changes: serde_json::Value,
    pub model_name: String,
    /// The resolved scenario of the run (for its report's sources table).
    pub scenario: Scenario,
    pub total_steps: u32,
    pub columns: Vec<String>,
    pub shared: Mutex<Shared>,
    /// Bumped after every change of `shared`.
    pub notify: watch::Sender<u64>,
    commands: Mutex<mpsc::Sender<Command>>,
    /// Set when the server drops the run: its event streams end.
    pub removed: AtomicBool,
}

/// Locks, ignoring poisoning: a panicking model leaves its run failed, not the server.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A model built, with what a run shows before its first step; made on a blocking
/// thread ([`Prepared::new`] builds and scans the model), so that starting the run is
/// cheap.
pub struct Prepared {
    model: Model,
    columns: Vec<String>,
    total_steps: u32,
    grid: Option<Arc<str>>,
}

impl Prepared {
    pub fn new(scenario: &Scenario) -> Result<Prepared, perelom_scenario::ScenarioError> {
        let model = Model::build(scenario)?;
        let sim = model.sim();
        let mut columns: Vec<String> = sim.metrics().columns.iter().map(|c| c.name.clone()).collect();
        // An empty table of a dated run has no `date` column yet; its rows will.
        if sim.clock().start().is_some() && !columns.iter().any(|c| c == "date") {
            columns.insert(columns.iter().position(|c| c == "step").map_or(0, |i| i + 1), "date".to_string());
        }
        let total_steps = sim.clock().steps;
        let grid = model.grid_event().map(Arc::from);
        Ok(Prepared { model, columns, total_steps, grid })
    }
}

impl Run {
    /// Makes a paused run and starts its stepping thread, which takes the model.
    pub fn start(id: u64, scenario_name: String, scenario: Scenario, prepared: Prepared, delay: Duration) -> Arc<Run> {
        let Prepared { model, columns, total_steps, grid } = prepared;
        let (tx, rx) = mpsc::channel();
        let (notify, _) = watch::channel(0);
        let run = Arc::new(Run {
            id,
            scenario_name,
            seed: u64::try_from(scenario.int("run.seed")).unwrap_or(0),
            changes: perelom_models::provenance::changes_json(&scenario),
            model_name: scenario.meta.model.clone(),
            scenario: scenario.clone(),
            total_steps,
            columns,
            shared: Mutex::new(Shared {
                status: Status::Paused,
                stepping: false,
                generation: 0,
                steps: Vec::new(),
                grid,
                done: None,
                error: None,
                last_access: Instant::now(),
                played: false,
                subscribers: 0,
                orphaned_since: None,
                wall: Duration::ZERO,
                started: None,
            }),
            notify,
            commands: Mutex::new(tx),
            removed: AtomicBool::new(false),
        });
        // The thread owns the model and holds the run weakly: when the server drops the
        // run, the command sender goes with it and the thread ends.
        let weak = Arc::downgrade(&run);
        tokio::task::spawn_blocking(move || drive(&weak, &scenario, &rx, delay, model));
        run
    }

    /// Sends a command to the stepping thread.
    pub fn command(&self, c: Command) {
        {
            let mut sh = lock(&self.shared);
            sh.last_access = Instant::now();
            if matches!(c, Command::Play | Command::Step) {
                sh.played = true;
            }
        }
        // The thread only ends when the run is dropped, so a failed send changes nothing.
        let _ = lock(&self.commands).send(c);
    }

    /// Asks the stepping thread for a copy of part of the model and waits for it without
    /// blocking: the thread answers between two steps. `Err` says why there is none.
    pub async fn export(&self, what: Export) -> Result<Exported, String> {
        let (tx, rx) = oneshot::channel();
        self.command(Command::Export(what, tx));
        rx.await.unwrap_or_else(|_| Err("the run has ended".to_string()))
    }

    pub fn touch(&self) {
        lock(&self.shared).last_access = Instant::now();
    }

    pub fn status(&self) -> Status {
        lock(&self.shared).status
    }

    /// The `meta` event subscribers get first.
    pub fn meta_event(&self) -> String {
        json!({
            "id": self.id,
            "scenario": self.scenario_name,
            "model": self.model_name,
            "seed": self.seed.to_string(),
            "steps": self.total_steps,
            "columns": self.columns,
            "changes": self.changes,
        })
        .to_string()
    }

    /// Stops the thread: dropping the sender ends its wait.
    pub fn stop(&self) {
        let (tx, _) = mpsc::channel();
        *lock(&self.commands) = tx;
        self.removed.store(true, Ordering::Relaxed);
        self.changed();
    }

    fn changed(&self) {
        self.notify.send_modify(|v| *v = v.wrapping_add(1));
    }
}

/// A client reading a run's event stream: counted while it lives. When the last one
/// goes, the run is marked orphaned (the server frees an unfinished orphan after a grace).
pub struct Subscription(Arc<Run>);

impl Subscription {
    pub fn new(run: Arc<Run>) -> Subscription {
        {
            let mut sh = lock(&run.shared);
            sh.subscribers += 1;
            sh.orphaned_since = None;
            sh.last_access = Instant::now();
        }
        Subscription(run)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut sh = lock(&self.0.shared);
        sh.subscribers = sh.subscribers.saturating_sub(1);
        if sh.subscribers == 0 {
            sh.orphaned_since = Some(Instant::now());
        }
    }
}

/// The stepping thread: owns the model, waits for commands when paused, steps when
/// playing.
fn drive(weak: &Weak<Run>, scenario: &Scenario, rx: &mpsc::Receiver<Command>, delay: Duration, mut model: Model) {
    let mut playing = false;
    let mut finished = false;
    loop {
        if let Some(run) = weak.upgrade() {
            finished = matches!(lock(&run.shared).status, Status::Done | Status::Failed);
        }
        let cmd = if playing && !finished {
            let got = if delay.is_zero() { rx.try_recv() } else { rx.recv_timeout(delay).map_err(|_| mpsc::TryRecvError::Empty) };
            match got {
                Ok(c) => Some(c),
                Err(mpsc::TryRecvError::Empty) => None,
                Err(mpsc::TryRecvError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        };
        let Some(run) = weak.upgrade() else { return };
        let run = run.as_ref();
        match cmd {
            Some(Command::Play) => {
                if !finished {
                    playing = true;
                    set_status(run, Status::Playing);
                }
            }
            Some(Command::Pause) => {
                playing = false;
                if !finished {
                    set_status(run, Status::Paused);
                }
            }
            Some(Command::Step) => {
                playing = false;
                if !finished {
                    set_status(run, Status::Paused);
                    step(run, &mut model);
                }
            }
            Some(Command::Reset) => {
                playing = false;
                reset(run, scenario, &mut model);
            }
            Some(Command::Export(what, reply)) => {
                // The client may have given up waiting: then nobody reads the answer.
                let _ = reply.send(export(&model, what));
            }
            None => step(run, &mut model),
        }
        // Drain a burst of commands before the next step so `pause` is prompt.
        if playing && matches!(lock(&run.shared).status, Status::Done | Status::Failed) {
            playing = false;
        }
    }
}

fn set_status(run: &Run, s: Status) {
    lock(&run.shared).status = s;
    run.changed();
}

/// Copies what a client asked for out of the model.
fn export(model: &Model, what: Export) -> Result<Exported, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let sim = model.sim();
        match what {
            Export::Metrics => Exported::Metrics(sim.metrics()),
            Export::Document(file) => Exported::Document {
                steps_done: sim.steps_done(),
                text: sim.documents().into_iter().find(|(n, _)| n == file).map(|(_, t)| t),
            },
            Export::Results => Exported::Results { steps_done: sim.steps_done(), metrics: sim.metrics(), documents: sim.documents() },
            Export::Files => Exported::Files { tables: perelom_experiments::run::tables(sim), documents: sim.documents() },
            Export::Table(name) => Exported::Table(sim.tables().into_iter().find(|(n, _)| n == name).map(|(_, t)| t)),
            Export::Areas => {
                let map = perelom_models::model(&model.model_name).and_then(|m| m.map.as_ref());
                let x = (0..sim.steps_done())
                    .map(|s| match sim.clock().date(s) {
                        Some(d) => json!(d.to_string()),
                        None => json!(s),
                    })
                    .collect();
                Exported::Areas { counts: map.map(|m| (m.count)(sim)), x }
            }
        }
    }))
    .map_err(|_| "the model failed while its results were copied (a bug: please report the parameters)".to_string())
}

/// Advances one step and publishes its row; marks the run done after the last step.
fn step(run: &Run, model: &mut Model) {
    {
        let mut sh = lock(&run.shared);
        sh.stepping = true;
        sh.started.get_or_insert_with(chrono::Utc::now);
    }
    let began = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let sim = model.sim_mut();
        if sim.steps_done() >= sim.clock().steps {
            return (None, None, None);
        }
        sim.step();
        let row = last_row(&sim.metrics());
        let done = (sim.steps_done() >= sim.clock().steps).then(|| done_event(sim));
        (Some(row), model.grid_event(), done)
    }));
    {
        let mut sh = lock(&run.shared);
        sh.stepping = false;
        sh.wall += began.elapsed();
        match outcome {
            Ok((row, grid, done)) => {
                if let Some(row) = row {
                    sh.steps.push(Arc::from(row));
                }
                if let Some(g) = grid {
                    sh.grid = Some(Arc::from(g));
                }
                if let Some(d) = done {
                    sh.done = Some(Arc::from(d));
                    sh.status = Status::Done;
                } else if sh.steps.len() as u64 >= u64::from(run.total_steps) {
                    sh.status = Status::Done;
                }
            }
            Err(_) => {
                sh.status = Status::Failed;
                sh.error = Some("the model failed during this step (a bug: please report the parameters)".to_string());
                sh.done = Some(Arc::from(json!({"failed": true, "error": sh.error}).to_string()));
            }
        }
    }
    run.changed();
}

fn reset(run: &Run, scenario: &Scenario, model: &mut Model) {
    let rebuilt = catch_unwind(AssertUnwindSafe(|| Model::build(scenario).map(|m| (m.grid_event(), m))));
    let mut sh = lock(&run.shared);
    match rebuilt {
        Ok(Ok((grid, m))) => {
            let grid = grid.map(Arc::from);
            *model = m;
            sh.steps.clear();
            sh.wall = Duration::ZERO;
            sh.started = None;
            sh.grid = grid;
            sh.done = None;
            sh.error = None;
            sh.status = Status::Paused;
        }
        _ => {
            sh.status = Status::Failed;
            sh.error = Some("the model could not be rebuilt".to_string());
        }
    }
    sh.generation += 1;
    drop(sh);
    run.changed();
}

/// The last row of a metrics table as a JSON `step` event.
fn last_row(t: &Table) -> String {
    let n = t.rows();
    if n == 0 {
        return json!({"step": 0, "date": null, "values": []}).to_string();
    }
    let i = n - 1;
    let mut date = serde_json::Value::Null;
    let mut step = serde_json::Value::Null;
    let mut values = Vec::with_capacity(t.columns.len());
    for c in &t.columns {
        let v = match &c.data {
            ColumnData::I64(v) => json!(v[i]),
            ColumnData::F64(v) => {
                if v[i].is_finite() {
                    json!(v[i])
                } else {
                    serde_json::Value::Null
                }
            }
            ColumnData::Str(v) => json!(v[i]),
            ColumnData::Date(v) => json!(v[i].to_string()),
        };
        if c.name == "step" {
            step = v.clone();
        } else if c.name == "date" {
            date = v.clone();
        }
        values.push(v);
    }
    json!({"step": step, "date": date, "values": values}).to_string()
}

/// The JSON `done` event: the run's documents (file, text) and its summary.
fn done_event(sim: &dyn Simulation) -> String {
    let documents: Vec<serde_json::Value> = sim.documents().into_iter().map(|(file, text)| json!({"file": file, "text": text})).collect();
    let summary: Vec<(String, String)> = sim.summary();
    json!({"documents": documents, "summary": summary}).to_string()
}
