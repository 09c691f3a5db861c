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

mod assets;
mod run;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream};
use perelom_models::{builtin, builtin_scenarios, load_scenario_text};
use perelom_scenario::{Cite, Scenario, ScenarioError};
use run::{lock, Command, Export, Exported, Prepared, Run, Status};
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Most steps a server run may have (keeps a run's event history bounded).
pub const MAX_STEPS: u32 = 5000;
/// Longest pause between steps a client may ask for.
pub const MAX_DELAY_MS: u64 = 2000;

/// Limits of one server.
#[derive(Clone, Debug)]
pub struct Config {
    /// Runs held at once; creating one more gets 429 (finished runs are evicted first).
    pub max_runs: usize,
    /// Most agents in a run: workers (ussr) or grid cells (Epstein).
    pub max_population: u64,
    /// A run nobody has asked about for this long is dropped.
    pub idle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_runs: 8, max_population: 300_000, idle_timeout: Duration::from_secs(30 * 60) }
    }
}

/// The server's state: its limits and its runs.
pub struct AppState {
    cfg: Config,
    runs: Mutex<HashMap<u64, Arc<Run>>>,
    next_id: AtomicU64,
}

impl AppState {
    /// A server with the limits `cfg` and no runs yet; run ids start at 1.
    pub fn new(cfg: Config) -> Arc<AppState> {
        Arc::new(AppState { cfg, runs: Mutex::new(HashMap::new()), next_id: AtomicU64::new(1) })
    }

    fn get(&self, id: &str) -> Result<Arc<Run>, ApiError> {
        let run = id.parse::<u64>().ok().and_then(|id| lock(&self.runs).get(&id).cloned());
        let run = run.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no run `{}`", clip(id))))?;
        run.touch();
        Ok(run)
    }

    /// Drops runs idle for longer than the timeout.
    fn sweep_idle(&self) {
        let now = Instant::now();
        lock(&self.runs).retain(|_, r| {
            let keep = now.duration_since(lock(&r.shared).last_access) < self.cfg.idle_timeout;
            if !keep {
                r.stop();
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
        .route("/api/runs", post(create_run))
        .route("/api/runs/{id}", get(show_run).delete(delete_run))
        .route("/api/runs/{id}/control", post(control_run))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/data.csv", get(data_csv))
        .route("/api/runs/{id}/data.parquet", get(data_parquet))
        .route("/api/runs/{id}/documents/{file}", get(document))
        .route("/api/runs/{id}/report.html", get(report))
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
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            janitor.sweep_idle();
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
    Ok(Json(json!({
        "name": name,
        "title": s.meta.name,
        "description": b,
        "model": s.meta.model,
        "model_title": info.title,
        "population": (info.population)(&s),
        "charts": info.charts.iter().map(|c| json!({"title": c.title, "columns": c.columns})).collect::<Vec<_>>(),
        "documents": info.documents.iter().map(|d| json!({"file": d.file, "title": d.title})).collect::<Vec<_>>(),
        "groups": groups.into_iter().map(|(name, params)| json!({"name": name, "params": params})).collect::<Vec<_>>(),
    })))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRun {
    scenario: String,
    seed: Option<u64>,
    #[serde(default)]
    set: BTreeMap<String, Json_>,
    /// Pause between steps while playing, in milliseconds.
    delay_ms: Option<u64>,
}

/// Applies the request's seed and overrides with the file's checks, and the server's caps.
fn resolve(req: &NewRun, cfg: &Config) -> Result<Scenario, ApiError> {
    let mut s = load_builtin(&req.scenario).map_err(|e| ApiError::unprocessable(e.message))?;
    for (key, v) in &req.set {
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
    if let Some(seed) = req.seed {
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
    let scenario = resolve(&req, &st.cfg)?;
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

/// Makes room for one more run: evicts the oldest finished run when full, else 429.
fn reserve_slot(st: &AppState) -> Result<(), ApiError> {
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
    let sh = lock(&r.shared);
    Ok(Json(json!({
        "id": r.id.to_string(),
        "scenario": r.scenario_name,
        "model": r.model_name,
        "status": sh.status.word(),
        "stepping": sh.stepping,
        "steps": r.total_steps,
        "steps_done": sh.steps.len(),
        "error": sh.error,
        "changes": r.changes,
    })))
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
