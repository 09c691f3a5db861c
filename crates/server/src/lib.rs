//! `perelom serve`: a web explorer of the Perelom models.
//!
//! A JSON API over the built-in scenarios and runs, server-sent events that stream each
//! step of a run, and a single-page app (HTML, JavaScript, uPlot) embedded in the binary.
//!
//! Architecture invariant: no model logic here. Scenarios are validated by
//! `Scenario::set`, exactly as `--set` and scenario files are; models are built and
//! stepped through `perelom_models`. Every request is validated and answered; a bad one
//! gets a 4xx with a message and never panics the server.
//!
//! Concurrency invariant: async handlers never touch a model. Each run's model belongs
//! to its stepping thread, which publishes a snapshot after every change; handlers read
//! the snapshot, and ask the thread for copies (downloads) over a channel (see `run`).
//! The process (runtime, signals) belongs to the caller: [`serve`] takes a listener and
//! a shutdown signal.

#![warn(missing_docs)]

mod archive;
mod assets;
mod ensemble;
mod run;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ensemble::{Ensemble, EnsembleStatus, Watcher};
use futures_util::stream::{self, Stream};
use perelom_models::{builtin, builtin_scenarios, load_scenario_text};
use perelom_scenario::{Cite, Scenario, ScenarioError};
use run::{lock, Command, Export, Exported, Prepared, Run, Status, Subscription};
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Most steps a server run may have (keeps a run's event history bounded).
pub const MAX_STEPS: u32 = 5000;
/// Longest pause between steps a client may ask for.
pub const MAX_DELAY_MS: u64 = 2000;

/// Most ensembles (running and finished) a server holds; the oldest finished go first.
pub const MAX_ENSEMBLES_HELD: usize = 32;
/// Most run-steps (runs times steps) of one ensemble: bounds what it keeps in memory.
pub const MAX_ENSEMBLE_RUN_STEPS: u64 = 200_000;

/// Limits of one server.
#[derive(Clone, Debug)]
pub struct Config {
    /// Runs held at once; creating one more gets 429 (finished runs are evicted first).
    pub max_runs: usize,
    /// Most agents in a run: workers (ussr) or grid cells (Epstein).
    pub max_population: u64,
    /// A run nobody has asked about for this long is dropped.
    pub idle_timeout: Duration,
    /// A run never played nor stepped is dropped this long after it was last asked about.
    pub unplayed_timeout: Duration,
    /// An unfinished run (or running ensemble) whose event stream had readers and has none
    /// left is dropped after this grace (a reloading page reconnects within it).
    pub disconnect_grace: Duration,
    /// Ensembles running at once; one more gets 429.
    pub max_ensembles: usize,
    /// Most runs (seeds) in one ensemble.
    pub max_ensemble_runs: usize,
    /// Most agent-steps (runs times agents times steps) in one ensemble.
    pub max_ensemble_work: f64,
    /// Threads of the pool all ensembles share (the rest of the machine stays free for
    /// single runs and requests).
    pub ensemble_threads: usize,
    /// The git commit the server was built from, recorded in the manifests of its zips
    /// (`perelom serve` gives its own; `None` outside a clone).
    pub git_commit: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Config {
            max_runs: 8,
            max_population: 300_000,
            idle_timeout: Duration::from_secs(30 * 60),
            unplayed_timeout: Duration::from_secs(2 * 60),
            disconnect_grace: Duration::from_secs(5),
            max_ensembles: 2,
            max_ensemble_runs: 100,
            max_ensemble_work: 2e9,
            ensemble_threads: (cores / 2).max(1),
            git_commit: None,
        }
    }
}

/// The server's state: its limits, its runs and its ensembles.
pub struct AppState {
    cfg: Config,
    runs: Mutex<HashMap<u64, Arc<Run>>>,
    ensembles: Mutex<HashMap<u64, Arc<Ensemble>>>,
    pool: OnceLock<Result<Arc<rayon::ThreadPool>, String>>,
    next_id: AtomicU64,
}

impl AppState {
    /// A server with the limits `cfg` and no runs yet; run (and ensemble) ids start at 1.
    pub fn new(cfg: Config) -> Arc<AppState> {
        Arc::new(AppState {
            cfg,
            runs: Mutex::new(HashMap::new()),
            ensembles: Mutex::new(HashMap::new()),
            pool: OnceLock::new(),
            next_id: AtomicU64::new(1),
        })
    }

    fn get(&self, id: &str) -> Result<Arc<Run>, ApiError> {
        self.sweep();
        let run = id.parse::<u64>().ok().and_then(|id| lock(&self.runs).get(&id).cloned());
        let run = run.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no run `{}`", clip(id))))?;
        run.touch();
        Ok(run)
    }

    fn ensemble(&self, id: &str) -> Result<Arc<Ensemble>, ApiError> {
        self.sweep();
        let e = id.parse::<u64>().ok().and_then(|id| lock(&self.ensembles).get(&id).cloned());
        let e = e.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no ensemble `{}`", clip(id))))?;
        e.touch();
        Ok(e)
    }

    /// The pool ensembles run on, made at the first ensemble.
    fn pool(&self) -> Result<Arc<rayon::ThreadPool>, ApiError> {
        let threads = self.cfg.ensemble_threads.max(1);
        let pool = self.pool.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("perelom-ensemble-{i}"))
                .build()
                .map(Arc::new)
                .map_err(|e| e.to_string())
        });
        pool.clone().map_err(internal)
    }

    /// Whether a run should go: idle for the idle timeout; never played for the shorter
    /// unplayed timeout; unfinished and left by its last reader for the grace.
    fn run_expired(&self, r: &Run, now: Instant) -> bool {
        let sh = lock(&r.shared);
        let idle = now.saturating_duration_since(sh.last_access);
        let orphaned = sh.orphaned_since.is_some_and(|t| now.saturating_duration_since(t) >= self.cfg.disconnect_grace);
        let ended = matches!(sh.status, Status::Done | Status::Failed);
        idle >= self.cfg.idle_timeout || (!sh.played && idle >= self.cfg.unplayed_timeout) || (!ended && sh.subscribers == 0 && orphaned)
    }

    /// Whether an ensemble should go: finished and idle for the idle timeout; running and
    /// left by its last reader for the grace, or asked about by nobody for the unplayed
    /// timeout.
    fn ensemble_expired(&self, e: &Ensemble, now: Instant) -> bool {
        let sh = lock(&e.shared);
        let idle = now.saturating_duration_since(sh.last_access);
        let orphaned = sh.orphaned_since.is_some_and(|t| now.saturating_duration_since(t) >= self.cfg.disconnect_grace);
        if sh.status.ended() {
            idle >= self.cfg.idle_timeout
        } else {
            idle >= self.cfg.unplayed_timeout || (sh.subscribers == 0 && orphaned)
        }
    }

    /// Drops the runs and ensembles that should go (see [`AppState::run_expired`]). Called
    /// by the janitor every second and before a request looks runs up.
    fn sweep(&self) {
        let now = Instant::now();
        lock(&self.runs).retain(|_, r| {
            let keep = !self.run_expired(r, now);
            if !keep {
                r.stop();
            }
            keep
        });
        lock(&self.ensembles).retain(|_, e| {
            let keep = !self.ensemble_expired(e, now);
            if !keep {
                e.cancel();
            }
            keep
        });
    }
}

/// An error answer: status and `{"error": message}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into() }
    }
    fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::new(r.status(), r.body_text())
    }
}

impl From<ScenarioError> for ApiError {
    fn from(e: ScenarioError) -> Self {
        ApiError::unprocessable(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.message}))).into_response()
    }
}

/// At most 80 characters of user text, for messages.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The router, for `serve` and for tests.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{*path}", get(assets::asset))
        .route("/api/scenarios", get(list_scenarios))
        .route("/api/scenarios/{name}", get(show_scenario))
        .route("/api/facts", get(list_facts))
        .route("/api/facts/{id}", get(show_fact))
        .route("/api/limits", get(limits))
        .route("/api/runs", get(list_runs).post(create_run))
        .route("/api/runs/{id}", get(show_run).delete(delete_run))
        .route("/api/runs/{id}/control", axum::routing::post(control_run))
        .route("/api/runs/{id}/scenario.toml", get(run_scenario_file))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/data.csv", get(data_csv))
        .route("/api/runs/{id}/data.parquet", get(data_parquet))
        .route("/api/runs/{id}/documents/{file}", get(document))
        .route("/api/runs/{id}/report.html", get(report))
        .route("/api/runs/{id}/areas", get(areas))
        .route("/api/runs/{id}/results.zip", get(results_zip))
        .route("/api/runs/{id}/log/{month}", get(event_log))
        .route("/api/ensembles", get(list_ensembles).post(create_ensemble))
        .route("/api/ensembles/{id}", get(show_ensemble).delete(delete_ensemble))
        .route("/api/ensembles/{id}/events", get(ensemble_events))
        .route("/api/ensembles/{id}/scenario.toml", get(ensemble_scenario_file))
        .route("/api/ensembles/{id}/baseline.toml", get(ensemble_baseline_file))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Binds a listener on `addr` for [`serve`].
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))
}

/// Serves the explorer on `listener` until `shutdown` completes, then stops every run,
/// lets open requests finish for up to [`SHUTDOWN_GRACE`] and returns.
///
/// The caller owns the process: it runs this on its tokio runtime (which must have
/// time and I/O enabled) and decides what ends it (Ctrl-C for `perelom serve`, a
/// channel in tests). `Err` is an I/O error of the listener, as a message.
pub async fn serve(
    listener: tokio::net::TcpListener,
    cfg: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let state = AppState::new(cfg);
    let janitor = Arc::clone(&state);
    let janitor = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            janitor.sweep();
        }
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router(Arc::clone(&state))).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    let mut server = std::pin::pin!(server.into_future());
    let out = tokio::select! {
        r = &mut server => r.map_err(|e| format!("server error: {e}")),
        () = shutdown => {
            // Stopping the runs ends their event streams, so that open connections close.
            for r in lock(&state.runs).drain() {
                r.1.stop();
            }
            for e in lock(&state.ensembles).drain() {
                e.1.cancel();
            }
            let _ = stop.send(());
            match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
                Ok(r) => r.map_err(|e| format!("server error: {e}")),
                Err(_) => Ok(()),
            }
        }
    };
    janitor.abort();
    for r in lock(&state.runs).drain() {
        r.1.stop();
    }
    for e in lock(&state.ensembles).drain() {
        e.1.cancel();
    }
    out
}

/// How long [`serve`] waits for open requests after its shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

// --- scenarios ---------------------------------------------------------------------------

async fn list_scenarios() -> Json<Json_> {
    let list: Vec<Json_> = builtin_scenarios()
        .iter()
        .map(|b| {
            let model = load_scenario_text(b.name, b.text).map(|s| s.meta.model).unwrap_or_default();
            json!({"name": b.name, "description": b.description, "model": model})
        })
        .collect();
    Json(json!(list))
}

fn load_builtin(name: &str) -> Result<Scenario, ApiError> {
    let b = builtin(name).ok_or_else(|| {
        let names: Vec<&str> = builtin_scenarios().iter().map(|b| b.name).collect();
        ApiError::new(StatusCode::NOT_FOUND, format!("no built-in scenario `{}`; the scenarios are: {}", clip(name), names.join(", ")))
    })?;
    Ok(load_scenario_text(b.name, b.text)?)
}

async fn show_scenario(Path(name): Path<String>) -> Result<Json<Json_>, ApiError> {
    let s = load_builtin(&name)?;
    let mut groups: Vec<(String, Vec<Json_>)> = Vec::new();
    for p in &s.params {
        let g = p.spec.group().to_string();
        let (source, mechanism, assumed) = match &p.cite {
            Cite::Source(t) => (Some(t.as_str()), None, None),
            Cite::Mechanism { mechanism, assumed } => (None, Some(mechanism.as_str()), Some(assumed.as_str())),
            Cite::Assumed(t) => (None, None, Some(t.as_str())),
            Cite::Uncited => (None, None, None),
        };
        let choices: Option<Vec<&str>> = match &p.spec.kind {
            perelom_scenario::Kind::Choice(c) => Some(c.to_vec()),
            _ => None,
        };
        let item = json!({
            "key": p.spec.key,
            "value": p.value.to_string(),
            "type": p.spec.kind.type_name(),
            "kind": p.spec.describe(),
            "choices": choices,
            "doc": p.spec.doc,
            "citation": p.cite.kind(),
            "source": source,
            "mechanism": mechanism,
            "assumed": assumed,
            "facts": facts_json(&p.cite),
            "follows": p.spec.follows,
        });
        match groups.iter_mut().find(|(n, _)| *n == g) {
            Some((_, v)) => v.push(item),
            None => groups.push((g, vec![item])),
        }
    }
    let b = builtin(&name).map(|b| b.description).unwrap_or_default();
    let info = perelom_models::model_of(&s)?;
    // The data dictionary: what each metric holds, in a label for charts and in full.
    let metrics: Vec<Json_> = (info.metrics)()
        .iter()
        .map(|m| json!({"name": m.name, "label": metric_label(m.doc, m.name), "unit": m.unit, "kind": m.kind.word(), "doc": m.doc}))
        .collect();
    let targets = info.targets().map(|t| {
        let measurable = (t.measurable)(&info.clock(&s));
        (t.list)()
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                json!({
                    "id": t.id, "text": t.text, "facts": t.facts, "lo": t.lo, "hi": t.hi, "metrics": t.metrics,
                    "measurable": measurable.get(i).copied().unwrap_or(false),
                })
            })
            .collect::<Vec<_>>()
    });
    let validation = match info.validation {
        perelom_models::Validation::Targets(_) => "targets",
        perelom_models::Validation::Regime(_) => "regime",
        perelom_models::Validation::None => "none",
    };
    Ok(Json(json!({
        "name": name,
        "title": s.meta.name,
        "description": b,
        "model": s.meta.model,
        "model_title": info.title,
        "population": (info.population)(&s),
        "dated": info.calendar.is_some(),
        "seed": s.int("run.seed").to_string(),
        "charts": info.charts.iter().map(|c| json!({"title": c.title, "columns": c.columns})).collect::<Vec<_>>(),
        "metrics": metrics,
        "documents": info.documents.iter().map(|d| json!({"file": d.file, "title": d.title})).collect::<Vec<_>>(),
        "event_log": info.event_log.map(|l| json!({"title": l.title})),
        "dates": dated_range(&info.clock(&s)),
        "map": info.map.as_ref().map(|m| json!({
            "title": m.title,
            "width": m.size.0,
            "height": m.size.1,
            "areas": m.areas.iter().map(|a| json!({"name": a.name, "title": a.title, "path": a.path, "x": a.label.0, "y": a.label.1})).collect::<Vec<_>>(),
            "layers": m.layers.iter().map(|l| json!({"key": l.key, "label": l.label, "metric": l.metric})).collect::<Vec<_>>(),
        })),
        "validation": validation,
        "targets": targets,
        "experiments": perelom_models::builtin_experiments(&name)
            .iter()
            .filter_map(|x| load_scenario_text(x.name, x.text).ok().map(|e| (x, e)))
            .map(|(x, e)| json!({"name": x.name, "title": e.meta.name, "question": e.meta.description, "branch_at": e.meta.branch_at.map(|d| d.to_string())}))
            .collect::<Vec<_>>(),
        "groups": groups.into_iter().map(|(name, params)| json!({"name": name, "params": params})).collect::<Vec<_>>(),
    })))
}

/// The first and last days of a dated run, `{"first", "last"}` (`null` for a model without
/// dates): the dates a branch may be picked from.
fn dated_range(clock: &perelom_engine::Clock) -> Json_ {
    match (clock.date(0), clock.last_day()) {
        (Some(a), Some(b)) => json!({"first": a.to_string(), "last": b.to_string()}),
        _ => Json_::Null,
    }
}

/// A short label for a metric, from its description in the data dictionary: the words
/// before the first colon, semicolon or parenthesis, capitalised ("strikes begun: a
/// factory ..." gives "Strikes begun"); the column name when there are none.
fn metric_label(doc: &str, name: &str) -> String {
    let cut = [doc.find(':'), doc.find(';'), doc.find(" (")].into_iter().flatten().min().unwrap_or(doc.len());
    let words = doc[..cut].trim();
    let words = if words.is_empty() { name } else { words };
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `GET /api/limits`: the caps of this server, so that the page can say them.
async fn limits(State(st): State<Arc<AppState>>) -> Json<Json_> {
    let c = &st.cfg;
    Json(json!({
        "max_runs": c.max_runs,
        "max_population": c.max_population,
        "max_steps": MAX_STEPS,
        "max_delay_ms": MAX_DELAY_MS,
        "max_ensembles": c.max_ensembles,
        "max_ensemble_runs": c.max_ensemble_runs,
        "max_ensemble_work": c.max_ensemble_work,
        "max_ensemble_run_steps": MAX_ENSEMBLE_RUN_STEPS,
        "unplayed_timeout_s": c.unplayed_timeout.as_secs_f64(),
        "disconnect_grace_s": c.disconnect_grace.as_secs_f64(),
    }))
}

/// The facts a citation names: id, footnotes and Perelom's paraphrase.
fn facts_json(c: &Cite) -> Json_ {
    json!(perelom_models::facts::of_cite(c).into_iter().map(fact_json).collect::<Vec<_>>())
}

fn fact_json(f: &perelom_models::facts::Fact) -> Json_ {
    json!({"id": f.id, "footnotes": f.footnotes, "footnotes_text": f.footnotes_text(), "text": f.text})
}

/// `GET /api/facts`: Perelom's evidence table.
async fn list_facts() -> Json<Json_> {
    let st = perelom_models::facts::study();
    Json(json!({
        "study": {"short": st.short, "full": st.full},
        "facts": perelom_models::facts::facts().iter().map(fact_json).collect::<Vec<_>>(),
    }))
}

/// `GET /api/facts/{id}`: one fact.
async fn show_fact(Path(id): Path<String>) -> Result<Json<Json_>, ApiError> {
    match perelom_models::facts::fact(&id) {
        Some(f) => Ok(Json(fact_json(f))),
        None => {
            let hint = perelom_models::facts::suggest(&id).map(|s| format!("did you mean {s}? ")).unwrap_or_default();
            Err(ApiError::new(StatusCode::NOT_FOUND, format!("no fact `{}`; {hint}the facts are F01 to F40", clip(&id))))
        }
    }
}

// --- runs --------------------------------------------------------------------------------

/// A seed as a request gives it: a string of digits (kept exactly: a browser's numbers
/// lose digits beyond 2^53) or a JSON number.
#[derive(Deserialize)]
#[serde(untagged)]
enum SeedIn {
    Number(serde_json::Number),
    Text(String),
    /// Anything else (true, null, a list): refused with the same message as a bad number.
    Other(Json_),
}

impl SeedIn {
    fn value(&self, field: &str) -> Result<u64, ApiError> {
        let bad = |t: &str| ApiError::unprocessable(format!("{field} `{}` is not a whole number from 0 to {}", clip(t), i64::MAX));
        match self {
            SeedIn::Number(n) => n.as_u64().ok_or_else(|| bad(&n.to_string())),
            SeedIn::Text(t) => {
                let t = t.trim();
                match t.parse::<u64>() {
                    Ok(n) if t.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                    _ => Err(bad(t)),
                }
            }
            SeedIn::Other(v) => Err(bad(&v.to_string())),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRun {
    scenario: String,
    seed: Option<SeedIn>,
    #[serde(default)]
    set: BTreeMap<String, Json_>,
    /// Pause between steps while playing, in milliseconds.
    delay_ms: Option<u64>,
}

/// Applies a request's seed and overrides with the file's checks, and the server's caps.
fn resolve(name: &str, set: &BTreeMap<String, Json_>, seed: Option<u64>, cfg: &Config) -> Result<Scenario, ApiError> {
    let s = load_builtin(name).map_err(|e| ApiError::unprocessable(e.message))?;
    resolve_from(s, set, seed, cfg)
}

/// [`resolve`] for a scenario already loaded (a built-in experiment).
fn resolve_from(mut s: Scenario, set: &BTreeMap<String, Json_>, seed: Option<u64>, cfg: &Config) -> Result<Scenario, ApiError> {
    for (key, v) in set {
        let text = match v {
            Json_::String(t) => t.clone(),
            Json_::Number(_) | Json_::Bool(_) | Json_::Array(_) => v.to_string(),
            _ => return Err(ApiError::unprocessable(format!("value of `{}` must be a string, number, boolean or list", clip(key)))),
        };
        s.set_by(&format!("{key}={text}"), "web explorer").map_err(|mut e| {
            e.file = "request".to_string();
            ApiError::from(e)
        })?;
    }
    if let Some(seed) = seed {
        s = s.with_seed(seed, "web explorer seed").map_err(|mut e| {
            e.file = "seed".to_string();
            ApiError::from(e)
        })?;
    }
    let population = population(&s)?;
    if population.round() > cfg.max_population as f64 {
        return Err(ApiError::unprocessable(format!(
            "this run would model {} agents (or grid cells); this server allows at most {}: lower population.scale or the grid size",
            population.round(),
            cfg.max_population
        )));
    }
    let steps = s.int("run.steps");
    if steps > i64::from(MAX_STEPS) {
        return Err(ApiError::unprocessable(format!("run.steps = {steps}: this server runs at most {MAX_STEPS} steps")));
    }
    Ok(s)
}

/// How many agents (or grid cells) a run of `s` would model, as its model's descriptor
/// counts them. A scenario of an unknown model gets an error.
fn population(s: &Scenario) -> Result<f64, ApiError> {
    Ok((perelom_models::model_of(s)?.population)(s))
}

async fn create_run(State(st): State<Arc<AppState>>, body: Result<Json<NewRun>, JsonRejection>) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let delay = req.delay_ms.unwrap_or(0);
    if delay > MAX_DELAY_MS {
        return Err(ApiError::unprocessable(format!("delay_ms must be from 0 to {MAX_DELAY_MS}")));
    }
    let seed = req.seed.as_ref().map(|s| s.value("seed")).transpose()?;
    let scenario = resolve(&req.scenario, &req.set, seed, &st.cfg)?;
    reserve_slot(&st)?;
    let build_from = scenario.clone();
    let prepared = tokio::task::spawn_blocking(move || Prepared::new(&build_from))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the model could not be built"))??;
    let id = st.next_id.fetch_add(1, Ordering::Relaxed);
    {
        let mut runs = lock(&st.runs);
        if runs.len() >= st.cfg.max_runs {
            return Err(too_many(&st.cfg));
        }
        let run = Run::start(id, req.scenario.clone(), scenario, prepared, Duration::from_millis(delay));
        runs.insert(id, run);
    }
    Ok((StatusCode::CREATED, Json(json!({"id": id.to_string()}))).into_response())
}

fn too_many(cfg: &Config) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("this server holds at most {} runs at once; wait for one to finish or delete one", cfg.max_runs),
    )
}

/// Makes room for one more run: drops expired runs, then evicts the oldest finished run
/// when full, else 429.
fn reserve_slot(st: &AppState) -> Result<(), ApiError> {
    st.sweep();
    let mut runs = lock(&st.runs);
    if runs.len() < st.cfg.max_runs {
        return Ok(());
    }
    let oldest_done = runs
        .values()
        .filter(|r| matches!(r.status(), Status::Done | Status::Failed))
        .min_by_key(|r| lock(&r.shared).last_access)
        .map(|r| r.id);
    match oldest_done {
        Some(id) => {
            if let Some(r) = runs.remove(&id) {
                r.stop();
            }
            Ok(())
        }
        None => Err(too_many(&st.cfg)),
    }
}

/// The run's status from its published snapshot: never waits for a step.
async fn show_run(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Json_>, ApiError> {
    let r = st.get(&id)?;
    let mut v = run_json(&r);
    v["error"] = json!(lock(&r.shared).error);
    v["changes"] = r.changes.clone();
    Ok(Json(v))
}

/// What a list says of a run (its snapshot: never waits for a step).
fn run_json(r: &Run) -> Json_ {
    let sh = lock(&r.shared);
    json!({
        "id": r.id.to_string(),
        "scenario": r.scenario_name,
        "model": r.model_name,
        "seed": r.seed.to_string(),
        "status": sh.status.word(),
        "stepping": sh.stepping,
        "steps": r.total_steps,
        "steps_done": sh.steps.len(),
        "played": sh.played,
        "subscribers": sh.subscribers,
        "idle_s": sh.last_access.elapsed().as_secs(),
    })
}

/// `GET /api/runs`: the runs this server holds, oldest first.
async fn list_runs(State(st): State<Arc<AppState>>) -> Json<Json_> {
    st.sweep();
    let mut runs: Vec<Arc<Run>> = lock(&st.runs).values().cloned().collect();
    runs.sort_by_key(|r| r.id);
    Json(json!({"runs": runs.iter().map(|r| run_json(r)).collect::<Vec<_>>(), "max_runs": st.cfg.max_runs}))
}

/// `GET /api/runs/{id}/scenario.toml`: the run's resolved scenario (every parameter, its
/// seed and the explorer's changes, with citations): `perelom run FILE` repeats the run.
async fn run_scenario_file(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = st.get(&id)?;
    attachment(r.scenario.to_toml().into_bytes(), "application/toml; charset=utf-8", &format!("{}-run{}.toml", r.scenario_name, r.id))
}

async fn delete_run(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let r = st.get(&id)?;
    lock(&st.runs).remove(&r.id);
    r.stop();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Control {
    action: String,
}

async fn control_run(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<Control>, JsonRejection>,
) -> Result<Json<Json_>, ApiError> {
    let r = st.get(&id)?;
    let Json(c) = body?;
    let cmd = match c.action.as_str() {
        "play" => Command::Play,
        "pause" => Command::Pause,
        "step" => Command::Step,
        "reset" => Command::Reset,
        other => {
            return Err(ApiError::unprocessable(format!("unknown action `{}`: use play, pause, step or reset", clip(other))));
        }
    };
    r.command(cmd);
    Ok(Json(json!({"id": r.id.to_string(), "action": c.action})))
}

// --- events --------------------------------------------------------------------------------

/// Where a subscriber is in a run's events.
struct Cursor {
    run: Arc<Run>,
    /// Counts this reader while the stream lives.
    _sub: Subscription,
    rx: tokio::sync::watch::Receiver<u64>,
    generation: u64,
    sent: usize,
    sent_meta: bool,
    sent_done: bool,
    grid_at: Option<usize>,
    status: Option<Status>,
    queue: std::collections::VecDeque<Event>,
}

impl Cursor {
    /// Queues what is new since the last call; `false` when nothing was.
    fn fill(&mut self) -> bool {
        let sh = lock(&self.run.shared);
        if !self.sent_meta {
            self.sent_meta = true;
            self.queue.push_back(Event::default().event("meta").data(self.run.meta_event()));
        }
        if sh.generation != self.generation {
            self.generation = sh.generation;
            self.sent = 0;
            self.sent_done = false;
            self.grid_at = None;
            self.queue.push_back(Event::default().event("reset").data("{}"));
        }
        // At most 500 rows a batch, so a late subscriber is fed in bounded pieces.
        let upto = sh.steps.len().min(self.sent + 500);
        for e in &sh.steps[self.sent..upto] {
            self.queue.push_back(Event::default().event("step").data(e.as_ref()));
        }
        self.sent = upto;
        let caught_up = self.sent == sh.steps.len();
        if caught_up && self.grid_at != Some(self.sent) {
            if let Some(g) = &sh.grid {
                self.queue.push_back(Event::default().event("grid").data(g.as_ref()));
            }
            self.grid_at = Some(self.sent);
        }
        if self.status != Some(sh.status) {
            self.status = Some(sh.status);
            let data = json!({"status": sh.status.word(), "steps_done": sh.steps.len(), "error": sh.error}).to_string();
            self.queue.push_back(Event::default().event("status").data(data));
        }
        if caught_up && !self.sent_done {
            if let Some(d) = &sh.done {
                self.sent_done = true;
                self.queue.push_back(Event::default().event("done").data(d.as_ref()));
            }
        }
        !self.queue.is_empty()
    }
}

fn event_stream(run: Arc<Run>) -> impl Stream<Item = Result<Event, Infallible>> {
    let rx = run.notify.subscribe();
    let cursor = Cursor {
        _sub: Subscription::new(Arc::clone(&run)),
        run,
        rx,
        generation: 0,
        sent: 0,
        sent_meta: false,
        sent_done: false,
        grid_at: None,
        status: None,
        queue: Default::default(),
    };
    stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(e) = c.queue.pop_front() {
                return Some((Ok(e), c));
            }
            c.rx.borrow_and_update();
            if c.fill() {
                continue;
            }
            if c.run.removed.load(Ordering::Relaxed) {
                return None;
            }
            // The sender lives as long as the run; when the run is gone, the stream ends.
            if c.rx.changed().await.is_err() {
                return None;
            }
            c.run.touch();
        }
    })
}

async fn events(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = st.get(&id)?;
    Ok(Sse::new(event_stream(r)).keep_alive(KeepAlive::default()).into_response())
}

// --- downloads -----------------------------------------------------------------------------

/// A download of the metrics: the stepping thread copies the table out of the model
/// between two steps (see [`Run::export`]); encoding runs on a blocking thread.
async fn download(st: &AppState, id: &str, parquet: bool) -> Result<Response, ApiError> {
    let r = st.get(id)?;
    let name = format!("{}-run{}", r.scenario_name, r.id);
    let Exported::Metrics(table) = r.export(Export::Metrics).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))? else {
        return Err(internal("the model answered with something else than its metrics"));
    };
    let (bytes, ctype, file) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, &'static str, String), ApiError> {
        let mut buf = Vec::new();
        if parquet {
            perelom_output::write_parquet(&table, &mut buf).map_err(internal)?;
            Ok((buf, "application/vnd.apache.parquet", format!("{name}.parquet")))
        } else {
            perelom_output::write_csv(&table, &mut buf).map_err(internal)?;
            Ok((buf, "text/csv; charset=utf-8", format!("{name}.csv")))
        }
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the download failed"))??;
    attachment(bytes, ctype, &file)
}

fn attachment(bytes: Vec<u8>, ctype: &str, file: &str) -> Result<Response, ApiError> {
    Response::builder()
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\""))
        .body(Body::from(bytes))
        .map_err(internal)
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}"))
}

async fn data_csv(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    download(&st, &id, false).await
}

async fn data_parquet(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    download(&st, &id, true).await
}

/// `GET /api/runs/{id}/documents/{file}`: a document the run's model writes (its
/// descriptor names them: the 1928-1929 model's `survey.md`).
async fn document(State(st): State<Arc<AppState>>, Path((id, file)): Path<(String, String)>) -> Result<Response, ApiError> {
    let r = st.get(&id)?;
    let info = perelom_models::model(&r.model_name).ok_or_else(|| internal("the run's model is unknown"))?;
    let Some(doc) = info.document(&file) else {
        let names: Vec<&str> = info.documents.iter().map(|d| d.file).collect();
        let list = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("model `{}` writes no document `{}`; its documents: {list}", r.model_name, clip(&file)),
        ));
    };
    match r.export(Export::Document(doc.file)).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))? {
        Exported::Document { steps_done: 0, .. } => Err(ApiError::new(StatusCode::CONFLICT, "the run has no steps yet")),
        Exported::Document { text: Some(text), .. } => {
            attachment(text.into_bytes(), doc.media_type, &format!("{}-run{}-{}", r.scenario_name, r.id, doc.file))
        }
        _ => Err(ApiError::new(StatusCode::NOT_FOUND, format!("the run has no `{}`", doc.file))),
    }
}

/// `GET /api/runs/{id}/areas`: the run's counts per place and week so far (its model's
/// map): `{"x": [dates], "layers": [{"key", "counts": [[per step] per area]}]}`.
async fn areas(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Json_>, ApiError> {
    let r = st.get(&id)?;
    let info = perelom_models::model(&r.model_name).ok_or_else(|| internal("the run's model is unknown"))?;
    let Some(map) = &info.map else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, format!("model `{}` has no map of places", r.model_name)));
    };
    let Exported::Areas { counts, x } = r.export(Export::Areas).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
    else {
        return Err(internal("the model answered with something else than its counts"));
    };
    let counts = counts.unwrap_or_default();
    Ok(Json(json!({
        "steps_done": x.len(),
        "x": x,
        "areas": map.areas.iter().map(|a| a.name).collect::<Vec<_>>(),
        "layers": map.layers.iter().zip(counts).map(|(l, c)| json!({"key": l.key, "counts": c})).collect::<Vec<_>>(),
    })))
}

/// `GET /api/runs/{id}/results.zip`: the run's result directory as a zip, once the run has
/// run all its steps (409 before: a result directory is a whole run's): the files `perelom
/// run` writes for the same scenario and seed (every table as CSV, the documents,
/// `dictionary.csv`, `scenario.toml`, `manifest.json`), written by the same library
/// functions, under one folder named after the run. The manifest's timing fields
/// (`started_at`, `wall_seconds`, `threads`) describe the server's run.
async fn results_zip(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = st.get(&id)?;
    if r.status() != Status::Done {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("run {} has not run all its steps: its result directory is written when it has ended", r.id),
        ));
    }
    let Exported::Files { tables, documents, .. } =
        r.export(Export::Files).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
    else {
        return Err(internal("the model answered with something else than its files"));
    };
    let (wall, started) = {
        let sh = lock(&r.shared);
        (sh.wall, sh.started.unwrap_or_else(chrono::Utc::now))
    };
    let run = Arc::clone(&r);
    let commit = st.cfg.git_commit.clone();
    let folder = format!("{}-run{}", r.scenario_name, r.id);
    let name = folder.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let s = &run.scenario;
        let format = perelom_output::Format::Csv;
        let zip = archive::ZipFiles::new(&folder, started);
        perelom_output::write_run(&zip, &tables, &documents, &s.to_toml(), format).map_err(internal)?;
        let warnings = perelom_models::warnings(s).iter().map(ToString::to_string).collect();
        let threads = rayon::current_num_threads();
        let manifest = perelom_experiments::run::manifest(s, threads, started, wall, format, warnings, commit.as_deref());
        perelom_output::write_manifest(&zip, &manifest.to_json()).map_err(internal)?;
        zip.finish().map_err(internal)
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the zip failed"))??;
    attachment(bytes, "application/zip", &format!("{name}.zip"))
}

/// Most events `GET /api/runs/{id}/log/{month}` lists (the counts cover them all).
pub const MAX_LOG_ROWS: usize = 1000;

/// `GET /api/runs/{id}/log/{month}`: the events of the run's event log (its model's
/// descriptor names the table) in a month, `YYYY-MM`, as the survey counts months (a week
/// belongs to the month of its Thursday): `{"month", "title", "steps_done", "columns":
/// [{"name", "label", "doc"}], "rows": [[cell per column]], "total", "kinds": [{"kind",
/// "events", "people"}]}`; at most [`MAX_LOG_ROWS`] rows, in the log's order.
async fn event_log(State(st): State<Arc<AppState>>, Path((id, month)): Path<(String, String)>) -> Result<Json<Json_>, ApiError> {
    let r = st.get(&id)?;
    let info = perelom_models::model(&r.model_name).ok_or_else(|| internal("the run's model is unknown"))?;
    let Some(log) = info.event_log else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, format!("model `{}` keeps no event log", r.model_name)));
    };
    let key = month
        .split_once('-')
        .filter(|(y, m)| y.len() == 4 && m.len() == 2)
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok().filter(|m| (1..=12).contains(m))?)))
        .ok_or_else(|| ApiError::unprocessable(format!("`{}` is not a month (YYYY-MM)", clip(&month))))?;
    let clock = info.clock(&r.scenario);
    if !(0..clock.steps).any(|k| clock.month_key(k) == Some(key)) {
        let range = dated_range(&clock);
        return Err(ApiError::unprocessable(format!(
            "the run has no week in {}: it runs from {} to {}",
            clip(&month),
            range["first"].as_str().unwrap_or("?"),
            range["last"].as_str().unwrap_or("?")
        )));
    }
    let Exported::Table(table) =
        r.export(Export::Table(log.table)).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
    else {
        return Err(internal("the model answered with something else than its table"));
    };
    let steps_done = lock(&r.shared).steps.len();
    let table = table.ok_or_else(|| internal(format!("the run has no table `{}`", log.table)))?;
    let steps = table.numbers("step").unwrap_or_default();
    let rows: Vec<usize> =
        (0..table.rows()).filter(|&i| steps.get(i).is_some_and(|&k| k >= 0.0 && clock.month_key(k as u32) == Some(key))).collect();
    let columns: Vec<&perelom_engine::Column> = log.shown.iter().filter_map(|n| table.columns.iter().find(|c| c.name == *n)).collect();
    let kinds = table.column(log.kind);
    let people = table.column(log.people);
    let mut counts: Vec<(String, u64, f64)> = Vec::new();
    for &i in &rows {
        let kind = kinds.map_or_else(String::new, |c| c.cell(i));
        let n = people.and_then(|c| c.number(i)).unwrap_or(0.0);
        match counts.iter_mut().find(|(k, _, _)| *k == kind) {
            Some((_, events, sum)) => {
                *events += 1;
                *sum += n;
            }
            None => counts.push((kind, 1, n)),
        }
    }
    let cell = |c: &perelom_engine::Column, i: usize| -> Json_ {
        match &c.data {
            perelom_engine::ColumnData::I64(v) => json!(v[i]),
            perelom_engine::ColumnData::F64(v) if v[i].is_finite() => json!(v[i]),
            perelom_engine::ColumnData::F64(_) => Json_::Null,
            other => json!(other.cell(i)),
        }
    };
    Ok(Json(json!({
        "month": format!("{:04}-{:02}", key.0, key.1),
        "title": log.title,
        "steps_done": steps_done,
        "columns": columns.iter().map(|c| {
            let doc = table.doc(&c.name);
            json!({"name": c.name, "label": doc.map_or(c.name.as_str(), |d| d.unit.as_str()), "doc": doc.map(|d| d.doc.as_str())})
        }).collect::<Vec<_>>(),
        "rows": rows.iter().take(MAX_LOG_ROWS).map(|&i| columns.iter().map(|c| cell(c, i)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "total": rows.len(),
        "kinds": counts.iter().map(|(k, e, p)| json!({"kind": k, "events": e, "people": p})).collect::<Vec<_>>(),
    })))
}

/// `GET /api/runs/{id}/report.html`: the HTML report of the run so far (the same page
/// `perelom report` writes for a run directory), built by the report crate.
async fn report(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = st.get(&id)?;
    let Exported::Results { steps_done, metrics, documents } =
        r.export(Export::Results).await.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?
    else {
        return Err(internal("the model answered with something else than its results"));
    };
    if steps_done == 0 {
        return Err(ApiError::new(StatusCode::CONFLICT, "the run has no steps yet"));
    }
    let run = Arc::clone(&r);
    let html = tokio::task::spawn_blocking(move || -> Result<String, ApiError> {
        let s = &run.scenario;
        let manifest = json!({
            "perelom_version": env!("CARGO_PKG_VERSION"),
            "scenario": {"file": s.file, "model": s.meta.model, "name": s.meta.name, "description": s.meta.description},
            "seed": s.int("run.seed"),
            "steps": steps_done,
            "started_at": "the web explorer",
            "changes": run.changes,
        });
        let results = perelom_report::RunResults { metrics: &metrics, manifest: &manifest, documents: &documents, scenario: Some(s) };
        perelom_report::run(&results).map(|r| r.html).map_err(internal)
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the report failed"))??;
    Response::builder().header(header::CONTENT_TYPE, "text/html; charset=utf-8").body(Body::from(html)).map_err(internal)
}

// --- ensembles -----------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEnsemble {
    scenario: String,
    #[serde(default)]
    set: BTreeMap<String, Json_>,
    /// How many runs (consecutive seeds).
    seeds: u64,
    /// The first seed (default: the scenario's `run.seed`).
    first_seed: Option<SeedIn>,
    /// Compare with the baseline on the same seeds: `"edits"` (the changes in `set` are
    /// the experiment; the baseline keeps only the shared settings: `run.*` and the
    /// model's scale) or the name of a built-in experiment of the scenario (the changes in
    /// `set` apply to both).
    compare: Option<String>,
    /// The date (`YYYY-MM-DD`) from which the experiment branches from the baseline's own
    /// run: per seed, the baseline runs once, and the experiment continues from its state
    /// at the start of the week holding the date. Default: the built-in experiment's own
    /// `branch_at`, or none (a run from the start) for edits. The run's first week is a
    /// run from the start.
    branch_at: Option<String>,
}

/// The settings a comparison of edits gives the baseline too: the run's calendar and
/// length (`run.*`, not its seed) and the model's scale.
fn shared_setting(key: &str, info: &perelom_models::ModelInfo) -> bool {
    (key.starts_with("run.") && key != "run.seed") || info.scale_key == Some(key)
}

/// The experiment and, for a comparison, the baseline of an ensemble request.
fn resolve_comparison(req: &NewEnsemble, first: Option<u64>, cfg: &Config) -> Result<(Scenario, Option<ensemble::Comparison>), ApiError> {
    let Some(what) = req.compare.as_deref() else {
        if req.branch_at.is_some() {
            return Err(ApiError::unprocessable("branch_at needs a comparison: give compare (\"edits\" or a built-in experiment)"));
        }
        return Ok((resolve(&req.scenario, &req.set, first, cfg)?, None));
    };
    let base_all = resolve(&req.scenario, &req.set, first, cfg)?;
    let info = perelom_models::model_of(&base_all)?;
    let (mut exp, baseline, mut describe) = if what == "edits" {
        let shared: BTreeMap<String, Json_> =
            req.set.iter().filter(|(k, _)| shared_setting(k, info)).map(|(k, v)| (k.clone(), v.clone())).collect();
        if shared.len() == req.set.len() {
            return Err(ApiError::unprocessable(
                "nothing to compare: change a parameter (besides run.* and the scale, which the baseline shares) to make an experiment",
            ));
        }
        let baseline = resolve(&req.scenario, &shared, first, cfg)?;
        let keys: Vec<&str> = req.set.keys().filter(|k| !shared.contains_key(*k)).map(String::as_str).collect();
        let describe = json!({"kind": "edits", "experiment": format!("your changes ({})", keys.join(", ")), "baseline": req.scenario});
        (base_all, baseline, describe)
    } else {
        let Some((of, x)) = perelom_models::builtin_experiment(what).filter(|(of, _)| *of == req.scenario) else {
            let names: Vec<&str> = perelom_models::builtin_experiments(&req.scenario).iter().map(|x| x.name).collect();
            let list = if names.is_empty() { "none".to_string() } else { names.join(", ") };
            return Err(ApiError::unprocessable(format!(
                "no built-in experiment `{}` of `{}`; compare with \"edits\" or one of: {list}",
                clip(what),
                clip(&req.scenario)
            )));
        };
        let loaded = load_scenario_text(x.name, x.text)?;
        let exp = resolve_from(loaded, &req.set, first, cfg)?;
        let describe = json!({
            "kind": "experiment", "experiment": exp.meta.name, "name": x.name, "baseline": of,
            "question": exp.meta.description, "default_branch_at": exp.meta.branch_at.map(|d| d.to_string()),
        });
        (exp, base_all, describe)
    };
    if info.clock(&exp).steps != info.clock(&baseline).steps || info.clock(&exp).start() != info.clock(&baseline).start() {
        return Err(ApiError::unprocessable("the experiment runs over another horizon than the baseline: their totals cannot be compared"));
    }
    if let Some(text) = &req.branch_at {
        let t = text.trim();
        let date = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .filter(|_| t.len() == 10)
            .ok_or_else(|| ApiError::unprocessable(format!("branch_at `{}` is not a date (YYYY-MM-DD)", clip(t))))?;
        if info.calendar.is_none() {
            return Err(ApiError::unprocessable(format!("model `{}` has no dates: its runs cannot branch at a date", info.name)));
        }
        exp.meta.branch_at = Some(date);
        // The date is the request's, not the experiment file's: no file position.
        exp.meta.branch_at_position = None;
    }
    // The step of the branch, and the refusals of a branch the scenarios alone decide
    // (those `Checkpoint::resume` would give after the baseline had run to the date).
    let branch_step = perelom_experiments::compare::branch_step(&exp).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    perelom_experiments::compare::check_branch(&baseline, &exp, branch_step).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let clock = info.clock(&baseline);
    describe["branch_at"] = json!(exp.meta.branch_at.map(|d| d.to_string()));
    describe["branch_step"] = json!(branch_step);
    describe["branch_week"] = json!(branch_step.and_then(|k| clock.date(k)).map(|d| d.to_string()));
    perelom_models::check(&baseline)?;
    Ok((exp, Some(ensemble::Comparison { baseline, branch_step, describe })))
}

/// `POST /api/ensembles`: runs a scenario over `seeds` consecutive seeds on the ensemble
/// pool; 202 with its id. Capped in runs, work and memory; 429 when enough run already.
async fn create_ensemble(State(st): State<Arc<AppState>>, body: Result<Json<NewEnsemble>, JsonRejection>) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let cfg = &st.cfg;
    if req.seeds == 0 || req.seeds > cfg.max_ensemble_runs as u64 {
        return Err(ApiError::unprocessable(format!("seeds must be from 1 to {} on this server", cfg.max_ensemble_runs)));
    }
    let first = req.first_seed.as_ref().map(|s| s.value("first_seed")).transpose()?;
    let (scenario, compare) = resolve_comparison(&req, first, cfg)?;
    let first = u64::try_from(scenario.int("run.seed")).unwrap_or(0);
    let last = first.checked_add(req.seeds - 1).filter(|&l| i64::try_from(l).is_ok());
    if last.is_none() {
        return Err(ApiError::unprocessable(format!("the seeds from {first} would pass the largest seed, {}", i64::MAX)));
    }
    let info = perelom_models::model_of(&scenario)?;
    perelom_models::check(&scenario)?;
    let steps = u64::from(info.clock(&scenario).steps);
    if req.seeds * steps > MAX_ENSEMBLE_RUN_STEPS {
        return Err(ApiError::unprocessable(format!(
            "{} runs of {steps} steps: an ensemble on this server has at most {MAX_ENSEMBLE_RUN_STEPS} run-steps (runs times steps)",
            req.seeds
        )));
    }
    // A comparison runs the baseline beside every run.
    let work = req.seeds as f64 * population(&scenario)? * steps as f64 * if compare.is_some() { 2.0 } else { 1.0 };
    if work > cfg.max_ensemble_work {
        return Err(ApiError::unprocessable(format!(
            "{} runs of {} agents for {steps} steps (twice in a comparison) is {work:.3e} agent-steps; this server runs at most {:.3e} in one ensemble: fewer seeds, a smaller population or fewer steps",
            req.seeds,
            population(&scenario)?.round(),
            cfg.max_ensemble_work
        )));
    }
    let pool = st.pool()?;
    st.sweep();
    let e = {
        let mut all = lock(&st.ensembles);
        let running = all.values().filter(|e| !e.status().ended()).count();
        if running >= cfg.max_ensembles {
            let msg = format!("this server runs at most {} ensembles at once; try again in a moment", cfg.max_ensembles);
            return Ok((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "2")], Json(json!({"error": msg}))).into_response());
        }
        while all.len() >= MAX_ENSEMBLES_HELD {
            let oldest = all.values().filter(|e| e.status().ended()).min_by_key(|e| lock(&e.shared).last_access).map(|e| e.id);
            match oldest.and_then(|id| all.remove(&id)) {
                Some(old) => old.cancel(),
                None => break,
            }
        }
        let id = st.next_id.fetch_add(1, Ordering::Relaxed);
        let e = Ensemble::new(id, req.scenario.clone(), scenario, first, req.seeds as usize, info, compare);
        all.insert(id, Arc::clone(&e));
        e
    };
    e.start(pool);
    Ok((StatusCode::ACCEPTED, Json(json!({"id": e.id.to_string(), "runs": e.runs}))).into_response())
}

/// What a list says of an ensemble.
fn ensemble_json(e: &Ensemble) -> Json_ {
    let sh = lock(&e.shared);
    json!({
        "id": e.id.to_string(),
        "scenario": e.scenario_name,
        "model": e.model_name,
        "status": sh.status.word(),
        "runs": e.runs,
        "runs_done": sh.runs_done,
        "first_seed": e.first_seed.to_string(),
        "error": sh.error,
        "subscribers": sh.subscribers,
        "compare": e.compare.as_ref().map(|c| c.describe.clone()),
    })
}

/// `GET /api/ensembles`: the ensembles this server holds.
async fn list_ensembles(State(st): State<Arc<AppState>>) -> Json<Json_> {
    st.sweep();
    let mut all: Vec<Arc<Ensemble>> = lock(&st.ensembles).values().cloned().collect();
    all.sort_by_key(|e| e.id);
    Json(json!({"ensembles": all.iter().map(|e| ensemble_json(e)).collect::<Vec<_>>(), "max_ensembles": st.cfg.max_ensembles}))
}

/// `GET /api/ensembles/{id}`: progress, and the latest summary (medians and bands of the
/// charted columns, the targets or the regime over the runs done).
async fn show_ensemble(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let e = st.ensemble(&id)?;
    let mut head = ensemble_json(&e);
    head["changes"] = e.changes.clone();
    let summary = lock(&e.shared).summary.clone();
    // The summary is ready JSON: spliced in, not parsed again.
    let mut text = head.to_string();
    text.pop();
    text.push_str(",\"summary\":");
    text.push_str(summary.as_deref().unwrap_or("null"));
    text.push('}');
    Response::builder().header(header::CONTENT_TYPE, "application/json").body(Body::from(text)).map_err(internal)
}

async fn delete_ensemble(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let e = st.ensemble(&id)?;
    lock(&st.ensembles).remove(&e.id);
    e.cancel();
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/ensembles/{id}/scenario.toml`: the ensemble's scenario, its first seed in
/// `run.seed` (`perelom validate FILE --runs N` repeats it).
async fn ensemble_scenario_file(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let e = st.ensemble(&id)?;
    let against = match &e.compare {
        Some(c) => format!(
            "# Compared on the same seeds with the baseline `{}` (its changes: {}).\n{}",
            e.scenario_name,
            c.baseline
                .changes()
                .iter()
                .filter(|p| p.spec.key != "run.seed")
                .map(|p| format!("{} = {}", p.spec.key, p.value))
                .collect::<Vec<_>>()
                .join(", "),
            match (e.scenario.meta.branch_at, c.branch_step) {
                (Some(d), Some(_)) => format!(
                    "# Branched from the baseline's own run on {d} (branch_at below): per seed, the same past, then this scenario's values.\n"
                ),
                (Some(d), None) => format!("# branch_at = {d} is the run's first week: a run from the start.\n"),
                _ => String::new(),
            }
        ),
        None => String::new(),
    };
    let file = format!("{}-ensemble{}.toml", e.scenario_name, e.id);
    let reproduce = match &e.compare {
        Some(_) => format!(
            "# Reproduce with: perelom compare {} {file} --runs {} (the baseline file is the page's other download).\n",
            baseline_file_name(&e),
            e.runs.max(2)
        ),
        None => format!("# Reproduce with: perelom validate {file} --runs {}\n", e.runs),
    };
    let text = format!(
        "# An ensemble of {} runs, seeds {} to {} (run.seed is the first).\n{against}{reproduce}{}",
        e.runs,
        e.first_seed,
        e.first_seed + e.runs as u64 - 1,
        e.scenario.to_toml()
    );
    attachment(text.into_bytes(), "application/toml; charset=utf-8", &file)
}

/// The file name of a comparison's baseline scenario download.
fn baseline_file_name(e: &ensemble::Ensemble) -> String {
    format!("{}-ensemble{}-baseline.toml", e.scenario_name, e.id)
}

/// `GET /api/ensembles/ID/baseline.toml`: a comparison's baseline as it ran (the same seeds,
/// scale and horizon as the experiment), so that `perelom compare BASELINE EXPERIMENT`
/// reproduces the comparison. 404 for an ensemble that compares nothing.
async fn ensemble_baseline_file(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let e = st.ensemble(&id)?;
    let Some(c) = &e.compare else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, format!("ensemble {} compares nothing: it has no baseline", clip(&id))));
    };
    let text = format!(
        "# The baseline of ensemble {}: {} runs on seeds {} to {} (run.seed is the first), with the experiment's scale and horizon.\n{}",
        e.id,
        e.runs,
        e.first_seed,
        e.first_seed + e.runs as u64 - 1,
        c.baseline.to_toml()
    );
    attachment(text.into_bytes(), "application/toml; charset=utf-8", &baseline_file_name(&e))
}

/// `GET /api/ensembles/{id}/events`: `progress` after every run, `summary` when a new one
/// is out, `end` once the ensemble has ended and its last summary is sent; then the
/// stream closes. A reader leaving a running ensemble with no other reader cancels it
/// after the grace.
async fn ensemble_events(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let e = st.ensemble(&id)?;
    struct Reader {
        watcher: Watcher,
        e: Arc<Ensemble>,
        rx: tokio::sync::watch::Receiver<u64>,
        progress: Option<(EnsembleStatus, usize)>,
        summary: Option<Arc<str>>,
        ended: bool,
        queue: std::collections::VecDeque<Event>,
    }
    let reader = Reader {
        watcher: Watcher::new(Arc::clone(&e)),
        rx: e.notify.subscribe(),
        e,
        progress: None,
        summary: None,
        ended: false,
        queue: Default::default(),
    };
    let stream = stream::unfold(reader, |mut r| async move {
        loop {
            if let Some(ev) = r.queue.pop_front() {
                return Some((Ok::<Event, Infallible>(ev), r));
            }
            if r.ended {
                let _ = &r.watcher;
                return None;
            }
            r.rx.borrow_and_update();
            {
                let sh = lock(&r.e.shared);
                let now = (sh.status, sh.runs_done);
                if r.progress != Some(now) {
                    r.progress = Some(now);
                    let data = json!({"status": sh.status.word(), "runs_done": sh.runs_done, "runs": r.e.runs, "error": sh.error});
                    r.queue.push_back(Event::default().event("progress").data(data.to_string()));
                }
                let fresh = match (&sh.summary, &r.summary) {
                    (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
                    (Some(_), None) => true,
                    _ => false,
                };
                if fresh {
                    r.summary = sh.summary.clone();
                    if let Some(text) = &sh.summary {
                        r.queue.push_back(Event::default().event("summary").data(text.as_ref()));
                    }
                }
                // The final summary is published before the status changes, so it is sent.
                if sh.status.ended() {
                    r.ended = true;
                    r.queue.push_back(Event::default().event("end").data(json!({"status": sh.status.word()}).to_string()));
                }
            }
            if !r.queue.is_empty() {
                continue;
            }
            if r.rx.changed().await.is_err() {
                return None;
            }
            r.e.touch();
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use perelom_scenario::{Kind, ParamSpec, Value};

    #[test]
    fn population_comes_from_the_models_descriptor_or_is_refused() {
        let epstein = load_builtin("epstein-2002").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(population(&epstein).ok(), Some(1600.0));
        let ussr = load_builtin("ussr-1928-1929").unwrap_or_else(|e| panic!("{e:?}"));
        let want = ussr.int("population.full_scale") as f64 * ussr.float("population.scale");
        assert_eq!(population(&ussr).ok(), Some(want));
        // A model the registry does not know: an error, not a panic.
        let schema = || vec![ParamSpec::new("run.steps", Kind::Int { min: 1, max: 10 }, Value::Int(1), "steps", Cite::assumed("t"))];
        let toy = perelom_scenario::parse("toy.toml", "[scenario]\nmodel = \"toy\"\n", &|m| (m == "toy").then(schema), &["toy"])
            .unwrap_or_else(|e| panic!("{e}"));
        let e = population(&toy).err().unwrap_or_else(|| panic!("a toy model has no population"));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.message.contains("unknown model \"toy\""), "{}", e.message);
    }
}
