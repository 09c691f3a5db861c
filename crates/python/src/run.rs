//! `perelom.run` and `perelom.Run`.

use crate::errors::{error, no_panic, Failure};
use crate::scenario::{resolve, PyScenario};
use crate::table::PyTable;
use perelom_models::Simulation;
use perelom_scenario::Scenario;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::time::{Duration, Instant};

/// How long the simulation runs without the GIL before it looks for Ctrl-C and reports
/// progress: short enough to answer at once, long enough to cost nothing.
const CHECK_EVERY: Duration = Duration::from_millis(50);

/// Where `perelom.run(seed=...)` is recorded as set.
const SEED_BY: &str = "perelom.run(seed=...)";

/// The rayon pool of `threads` workers (all cores when `None`).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 || n > usize::from(u16::MAX) {
            return Err(Failure::Other(
                "ValueError",
                format!("threads = {n}: give a number from 1 to {}, or None for every core", u16::MAX),
            ));
        }
        b = b.num_threads(n);
    }
    b.build().map_err(|e| Failure::internal(format!("cannot start worker threads: {e}")))
}

/// A finished run: its tables (Arrow), texts, figures and the scenario it ran.
#[pyclass(name = "Run", module = "perelom", frozen)]
pub struct PyRun {
    pub scenario: Scenario,
    /// `metrics` first, then the model's other tables, as the result directory has them.
    pub tables: Vec<(String, perelom_engine::Table)>,
    pub arrow: Vec<Py<PyTable>>,
    pub documents: Vec<(String, String)>,
    pub summary: Vec<(String, String)>,
    pub outcomes: Vec<(String, f64)>,
    pub threads: usize,
    pub steps_done: u32,
    pub started: chrono::DateTime<chrono::Utc>,
    pub wall: Duration,
    pub warnings: Vec<String>,
}

/// Runs `scenario` to its end in `pool`, releasing the GIL while it steps and coming
/// back every [`CHECK_EVERY`] to look for Ctrl-C (raised as `KeyboardInterrupt`) and to
/// call `progress(steps_done, steps)`.
fn simulate(
    py: Python<'_>,
    s: &Scenario,
    pool: &rayon::ThreadPool,
    progress: Option<&Bound<'_, PyAny>>,
) -> Result<Box<dyn Simulation>, Failure> {
    let built = py.detach(|| pool.install(|| no_panic(|| perelom_models::build(s))));
    let mut sim = built.map_err(Failure::internal)??;
    let steps = sim.clock().steps;
    if let Some(cb) = progress {
        cb.call1((0, steps))?;
    }
    while sim.steps_done() < steps {
        let stepped = py.detach(|| {
            pool.install(|| {
                no_panic(|| {
                    let t = Instant::now();
                    while sim.steps_done() < steps && t.elapsed() < CHECK_EVERY {
                        sim.step();
                    }
                })
            })
        });
        stepped.map_err(Failure::internal)?;
        py.check_signals()?;
        if let Some(cb) = progress {
            cb.call1((sim.steps_done(), steps))?;
        }
    }
    Ok(sim)
}

/// A seed given from Python: any Python `int` that fits a seed; one beyond the seeds'
/// range (2**63, -1) raises `ScenarioError` with the valid range, as a scenario file's
/// seed would, instead of Python's `OverflowError`. `by` says where it was given.
pub fn seed_arg(py: Python<'_>, x: &Bound<'_, PyAny>, by: &str) -> PyResult<i64> {
    // `True` is an int to Python, but no seed anyone means.
    if x.is_instance_of::<pyo3::types::PyBool>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!("{by}: a seed is a whole number, not {}", x.get_type().name()?)));
    }
    if let Ok(v) = x.extract::<i64>() {
        if v >= 0 {
            return Ok(v);
        }
    }
    let is_int = x.is_instance_of::<pyo3::types::PyInt>() && !x.is_instance_of::<pyo3::types::PyBool>();
    if !is_int {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!("{by}: a seed is a whole number, not {}", x.get_type().name()?)));
    }
    let e = perelom_scenario::ScenarioError::new(by, None, format!("run.seed = {} is outside the seeds' range", x.str()?))
        .with_key("run.seed")
        .with_valid(format!("an integer from 0 to {}", i64::MAX))
        .with_help(format!("give a seed from 0 to {}", i64::MAX));
    Err(crate::errors::scenario_error(py, &e))
}

/// Runs a scenario once. See `perelom.run` (python/perelom/__init__.py) for the
/// documentation; `progress` is called with (steps done, steps).
#[pyfunction]
#[pyo3(signature = (scenario, seed=None, threads=None, progress=None))]
pub fn run(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    seed: Option<Bound<'_, PyAny>>,
    threads: Option<usize>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyRun> {
    let seed = seed.map(|x| seed_arg(py, &x, SEED_BY)).transpose()?;
    let mut s = resolve(py, scenario)?;
    let mut go = || -> Result<PyRun, Failure> {
        if let Some(seed) = seed {
            s.set_value("run.seed", perelom_scenario::Value::Int(seed), SEED_BY)?;
        }
        perelom_models::check(&s)?;
        crate::ensemble::memory(perelom_experiments::memory::check(&s, 1, crate::ensemble::HELP))?;
        let warnings: Vec<String> = perelom_models::warnings(&s).iter().map(|w| w.to_string()).collect();
        let pool = thread_pool(threads)?;
        let threads = pool.current_num_threads();
        let started = chrono::Utc::now();
        let clock = Instant::now();
        let sim = simulate(py, &s, &pool, progress.as_ref())?;
        let wall = clock.elapsed();
        let collected = no_panic(|| {
            let mut tables = vec![("metrics".to_string(), sim.metrics())];
            tables.extend(sim.tables());
            (tables, sim.documents(), sim.summary(), sim.outcomes())
        });
        let (tables, documents, summary, outcomes) = collected.map_err(Failure::internal)?;
        let mut arrow = Vec::new();
        for (name, t) in &tables {
            let t = PyTable::from_engine(name, t).map_err(Failure::internal)?;
            arrow.push(Py::new(py, t)?);
        }
        Ok(PyRun {
            scenario: s.clone(),
            tables,
            arrow,
            documents,
            summary,
            outcomes,
            threads,
            steps_done: sim.steps_done(),
            started,
            wall,
            warnings,
        })
    };
    go().map_err(|f| f.into_py(py))
}

/// `perelom.OutputError` for a result directory that cannot be written.
pub fn output_error(py: Python<'_>, e: &perelom_output::OutputError) -> PyErr {
    let help = match e {
        perelom_output::OutputError::Exists(_) => {
            "\n  help: choose another directory, or pass force=True to replace it (Perelom replaces only results it wrote)"
        }
        perelom_output::OutputError::NotReplaceable { .. } => {
            "\n  help: choose another directory; Perelom never deletes what it did not write"
        }
        _ => "",
    };
    error(py, "OutputError", format!("{e}{help}"))
}

/// A JSON value as Python objects (through the json module).
pub fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (v.to_string(),))
}

/// `perelom run`'s default result directory: `results/NAME-YYYYMMDD-HHMMSS`, NAME the
/// stem of the scenario's file (a built-in's name). A scenario parsed from text has a
/// made-up file name (`<string>`): a stem that is not a plain file name gives `run`.
fn default_out(s: &Scenario) -> std::path::PathBuf {
    let stem = std::path::Path::new(&s.file)
        .file_stem()
        .map(|x| x.to_string_lossy().into_owned())
        .filter(|x| !x.is_empty() && x.chars().all(|c| c.is_alphanumeric() || "-_.+".contains(c)))
        .unwrap_or_else(|| "run".into());
    std::path::PathBuf::from("results").join(format!("{stem}-{}", chrono::Local::now().format("%Y%m%d-%H%M%S")))
}

fn format_of(format: &str) -> PyResult<perelom_output::Format> {
    match format {
        "csv" => Ok(perelom_output::Format::Csv),
        "parquet" => Ok(perelom_output::Format::Parquet),
        other => Err(pyo3::exceptions::PyValueError::new_err(format!("format = {other:?}: give \"csv\" or \"parquet\""))),
    }
}

impl PyRun {
    fn manifest_of(&self, format: perelom_output::Format) -> perelom_output::RunManifest {
        perelom_experiments::run::manifest(
            &self.scenario,
            self.threads,
            self.started,
            self.wall,
            format,
            self.warnings.clone(),
            option_env!("PERELOM_GIT_COMMIT").filter(|c| !c.is_empty()),
        )
    }

    fn table(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyTable>> {
        match self.tables.iter().position(|(n, _)| n == name) {
            Some(i) => Ok(self.arrow[i].clone_ref(py)),
            None => {
                let names: Vec<&str> = self.tables.iter().map(|(n, _)| n.as_str()).collect();
                Err(error(
                    py,
                    "TableError",
                    format!("model \"{}\" has no table `{name}`; its tables: {}", self.scenario.meta.model, names.join(", ")),
                ))
            }
        }
    }
}

#[pymethods]
impl PyRun {
    /// The weekly (per step) metrics: one row per step, `step`, `date` (dated models), then
    /// every metric (see `Table.dictionary` for units).
    #[getter]
    fn metrics(&self, py: Python<'_>) -> PyResult<Py<PyTable>> {
        self.table(py, "metrics")
    }

    /// The metrics by calendar month (1928-1929 model).
    #[getter]
    fn monthly(&self, py: Python<'_>) -> PyResult<Py<PyTable>> {
        self.table(py, "monthly")
    }

    /// The event log (1928-1929 model): strikes, slow-downs, meetings, arrests, ...
    #[getter]
    fn events(&self, py: Python<'_>) -> PyResult<Py<PyTable>> {
        self.table(py, "events")
    }

    /// Every table of the run by name: `metrics` and the model's others (`monthly`,
    /// `events`, `episodes`, ... for the 1928-1929 model; `outbursts` for Epstein's).
    #[getter]
    fn tables<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for ((name, _), t) in self.tables.iter().zip(&self.arrow) {
            d.set_item(name, t.clone_ref(py))?;
        }
        Ok(d)
    }

    /// The monthly political survey in words (1928-1929 model; `None` for others).
    #[getter]
    fn survey(&self) -> Option<String> {
        self.documents.iter().find(|(n, _)| n == "survey.md").map(|(_, t)| t.clone())
    }

    /// The texts written beside the tables, by file name (`survey.md`, ...).
    #[getter]
    fn documents(&self) -> Vec<(String, String)> {
        self.documents.clone()
    }

    /// End-of-run figures for people: (label, value as text).
    #[getter]
    fn summary(&self) -> Vec<(String, String)> {
        self.summary.clone()
    }

    /// Scalar outcomes of the run (what `compare` compares): {name: value}; NaN for an
    /// outcome the run cannot measure.
    #[getter]
    fn outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.outcomes {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The scenario as it ran (seed included).
    #[getter]
    fn scenario(&self) -> PyScenario {
        PyScenario { inner: self.scenario.clone() }
    }

    /// The run's seed.
    #[getter]
    fn seed(&self) -> i64 {
        self.scenario.int("run.seed")
    }

    /// Wall-clock seconds of the simulation (building the model and stepping it).
    #[getter]
    fn wall_seconds(&self) -> f64 {
        self.wall.as_secs_f64()
    }

    /// Worker threads the run used.
    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// The scenario's warnings, recorded with the results.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The run's manifest (what `manifest.json` holds): seed, version, start time, wall
    /// time, threads, every parameter with its value, citation and where it was set, the
    /// changes from the baseline, the warnings.
    #[getter]
    fn manifest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.manifest_of(perelom_output::Format::Csv).to_json())
    }

    /// Writes the run's result directory at `path`, the same files `perelom run --out`
    /// writes (every table as CSV or Parquet, `survey.md`, `dictionary.csv`,
    /// `scenario.toml`, `manifest.json`, the `.perelom-result` marker), and returns its
    /// path. The directory appears whole or not at all; an existing `path` is refused
    /// (`OutputError`) unless `force=True`, which replaces only a run Perelom wrote that
    /// holds nothing else. Without `path`, the name is `perelom run`'s default,
    /// `results/NAME-YYYYMMDD-HHMMSS` (NAME: the scenario file's stem, local time), with
    /// `-2`, `-3`, ... if that name is taken when the directory is committed: a default
    /// name never replaces anything, so `force` does not apply to it.
    #[pyo3(signature = (path = None, format = "csv", force = false))]
    fn save(&self, py: Python<'_>, path: Option<&Bound<'_, PyAny>>, format: &str, force: bool) -> PyResult<String> {
        use perelom_output::{Existing, ResultDir};
        let format = format_of(format)?;
        let (path, mode) = match path {
            Some(p) => {
                let p: std::path::PathBuf = py.import("os")?.call_method1("fspath", (p,))?.extract::<String>()?.into();
                (p, if force { Existing::Replace } else { Existing::Refuse })
            }
            None => (default_out(&self.scenario), Existing::NextFreeName),
        };
        let written = py.detach(|| {
            no_panic(|| -> Result<std::path::PathBuf, perelom_output::OutputError> {
                let dir = ResultDir::create(&path, "run", mode)?;
                perelom_output::write_run(&dir, &self.tables, &self.documents, &self.scenario.to_toml(), format)?;
                self.manifest_of(format).write(&dir)?;
                dir.commit()
            })
        });
        match written {
            Ok(Ok(p)) => Ok(p.display().to_string()),
            Ok(Err(e)) => Err(output_error(py, &e)),
            Err(m) => Err(error(py, "InternalError", m)),
        }
    }

    /// The run's HTML report (as `perelom report` makes of a run directory): one
    /// self-contained page, charts inline as SVG, nothing fetched from a network.
    fn report(&self, py: Python<'_>) -> PyResult<String> {
        let manifest = self.manifest_of(perelom_output::Format::Csv).to_json();
        let made = py.detach(|| {
            no_panic(|| {
                perelom_report::run(&perelom_report::RunResults {
                    metrics: &self.tables[0].1,
                    manifest: &manifest,
                    documents: &self.documents,
                    scenario: Some(&self.scenario),
                })
            })
        });
        match made {
            Ok(Ok(r)) => Ok(r.html),
            Ok(Err(m)) => Err(error(py, "PerelomError", m)),
            Err(m) => Err(error(py, "InternalError", m)),
        }
    }

    /// A notebook's view of the run: the summary and the tables.
    fn _repr_html_(&self, py: Python<'_>) -> String {
        let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let mut h = format!(
            "<div><b>{}</b>: seed {}, {} steps, {:.2} s on {} thread(s)<table>",
            esc(&self.scenario.meta.name),
            self.scenario.int("run.seed"),
            self.steps_done,
            self.wall.as_secs_f64(),
            self.threads
        );
        for (k, v) in &self.summary {
            h.push_str(&format!("<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(v)));
        }
        h.push_str("</table><p>Tables: ");
        let names: Vec<String> = self
            .tables
            .iter()
            .zip(&self.arrow)
            .map(|((n, _), t)| format!("<code>{}</code> ({} rows)", esc(n), t.get().num_rows_of()))
            .collect();
        h.push_str(&names.join(", "));
        h.push_str("; <code>.report()</code> draws the charts.</p></div>");
        let _ = py;
        h
    }

    fn __repr__(&self) -> String {
        format!(
            "<perelom.Run {:?}: seed {}, {} steps, {:.2} s on {} thread(s); tables {}>",
            self.scenario.meta.name,
            self.scenario.int("run.seed"),
            self.steps_done,
            self.wall.as_secs_f64(),
            self.threads,
            self.tables.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
        )
    }
}
