//! `perelom.Scenario` and `perelom.scenarios()`.

use crate::convert::{from_value, to_value};
use crate::errors::{error, scenario_error};
use crate::table::PyTable;
use perelom_engine::{ColumnData, Table};
use perelom_scenario::{Origin, Scenario};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// Where a value set from Python is recorded as set (the manifest's `set_in`), and the
/// name that errors about it start with.
pub const SET_BY: &str = "Scenario.set";

/// The built-in scenarios: a list of (name, description).
#[pyfunction]
pub fn scenarios() -> Vec<(&'static str, &'static str)> {
    perelom_models::builtin_scenarios().iter().map(|b| (b.name, b.description)).collect()
}

/// A scenario: a model and every one of its parameters resolved, each with its value,
/// citation (source, or why it is assumed) and where it was set.
#[pyclass(name = "Scenario", module = "perelom")]
#[derive(Clone)]
pub struct PyScenario {
    pub inner: Scenario,
}

/// Loads a built-in scenario by name, or a scenario file by path.
pub fn load(py: Python<'_>, name_or_path: &Bound<'_, PyAny>) -> PyResult<Scenario> {
    if let Ok(name) = name_or_path.extract::<String>() {
        if let Some(b) = perelom_models::builtin(&name) {
            return perelom_models::load_scenario_text(b.name, b.text).map_err(|e| scenario_error(py, &e));
        }
    }
    let path = py.import("os")?.call_method1("fspath", (name_or_path,))?;
    let Ok(path) = path.extract::<String>() else {
        return Err(pyo3::exceptions::PyTypeError::new_err("a scenario is a built-in name or a path to a TOML file"));
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let builtins: Vec<&str> = perelom_models::builtin_scenarios().iter().map(|b| b.name).collect();
            let mut err =
                perelom_scenario::ScenarioError::new(&path, None, "no scenario file of this name, and no built-in scenario of that name")
                    .with_help(format!("built-in scenarios: {} (see perelom.scenarios())", builtins.join(", ")))
                    .with_valid(format!("a file path or one of {}", builtins.join(", ")));
            if let Some(s) = closest(&path, &builtins) {
                err = err.with_suggestion(s);
            }
            return Err(scenario_error(py, &err));
        }
        Err(e) => return Err(error(py, "OutputError", format!("cannot read scenario file {path}: {e}"))),
    };
    perelom_models::load_scenario_text(&path, &text).map_err(|e| scenario_error(py, &e))
}

fn closest<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    names.iter().copied().find(|n| n.starts_with(word) || word.starts_with(n))
}

/// A scenario given as a `Scenario`, a built-in name or a path, as a resolved scenario.
pub fn resolve(py: Python<'_>, s: &Bound<'_, PyAny>) -> PyResult<Scenario> {
    match s.cast::<PyScenario>() {
        Ok(sc) => Ok(sc.borrow().inner.clone()),
        Err(_) => load(py, s),
    }
}

#[pymethods]
impl PyScenario {
    /// Loads a built-in scenario (see `perelom.scenarios()`) or a scenario file (a path).
    /// Raises `ScenarioError` with file, line and column for a file with an error.
    #[staticmethod]
    fn load(py: Python<'_>, name_or_path: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyScenario { inner: load(py, name_or_path)? })
    }

    /// Parses scenario text (TOML) as if read from a file named `file`.
    #[staticmethod]
    #[pyo3(signature = (text, file = "<string>"))]
    fn from_toml(py: Python<'_>, text: &str, file: &str) -> PyResult<Self> {
        perelom_models::load_scenario_text(file, text).map(|inner| PyScenario { inner }).map_err(|e| scenario_error(py, &e))
    }

    /// Sets a parameter, with the same checks and messages as a scenario file: `value` is
    /// an int, float, bool, str, `datetime.date` (or `"YYYY-MM-DD"`), a list of numbers,
    /// or `"off"` for a dated event that should not happen. Raises `ScenarioError` (with
    /// `key`, `valid` and `suggestion`) for an unknown key or a wrong value. The value is
    /// recorded as set by `Scenario.set`; without a citation of its own it is uncited
    /// unless it is the value the parameter's citation was written for.
    fn set(&mut self, py: Python<'_>, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let Some(p) = self.inner.get(key) else {
            return Err(scenario_error(py, &self.inner.value_error(key, SET_BY, "")));
        };
        let spec = p.spec.clone();
        let v = to_value(py, &spec, value)?.map_err(|why| scenario_error(py, &self.inner.value_error(key, SET_BY, &why)))?;
        self.inner.assign(key, v, None, Origin::by(SET_BY)).map_err(|e| scenario_error(py, &e))
    }

    /// A parameter's value: int, float, bool, str, `datetime.date`, list of floats, or
    /// `"off"`.
    fn get<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.get(key) {
            Some(p) => from_value(py, &p.value),
            None => Err(scenario_error(py, &self.inner.value_error(key, SET_BY, ""))),
        }
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, key)
    }

    fn __setitem__(&mut self, py: Python<'_>, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set(py, key, value)
    }

    fn __contains__(&self, key: &str) -> bool {
        self.inner.get(key).is_some()
    }

    /// A copy, to change without changing this one.
    fn copy(&self) -> Self {
        self.clone()
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    /// The parameters' keys, in the schema's order.
    fn keys(&self) -> Vec<&'static str> {
        self.inner.params.iter().map(|p| p.spec.key).collect()
    }

    /// The model the scenario runs: `ussr-1928` or `epstein`.
    #[getter]
    fn model(&self) -> &str {
        &self.inner.meta.model
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.meta.name
    }

    #[getter]
    fn description(&self) -> &str {
        &self.inner.meta.description
    }

    /// The file the scenario came from (a built-in scenario's name for a built-in).
    #[getter]
    fn file(&self) -> &str {
        &self.inner.file
    }

    /// Every parameter as a table, one row per parameter in the schema's order: `key`,
    /// `value` (as text, as a file writes it), `type`, `valid` (the valid values),
    /// `baseline` (the model's baseline value), `citation` (source, mechanism, assumed or
    /// uncited), `source` (the citation's text: the fact id or reference, or why the
    /// value is assumed), `set_in` (default, FILE:LINE:COLUMN or Scenario.set),
    /// `changed` (1 when the value differs from the baseline) and `description` (the
    /// parameter's meaning, with its unit). The schema has no separate unit field: units
    /// are in the description.
    #[getter]
    fn params(&self) -> PyResult<PyTable> {
        let s = &self.inner;
        let col = |f: &dyn Fn(&perelom_scenario::Param) -> String| ColumnData::Str(s.params.iter().map(f).collect());
        let mut t = Table::new();
        t.push("key", col(&|p| p.spec.key.to_string()))
            .push("value", col(&|p| p.value.to_string()))
            .push("type", col(&|p| p.spec.kind.type_name().to_string()))
            .push("valid", col(&|p| p.spec.describe()))
            .push("baseline", col(&|p| p.spec.baseline_text()))
            .push("citation", col(&|p| p.cite.kind().to_string()))
            .push("source", col(&|p| p.cite.text()))
            .push("set_in", col(&|p| p.origin.describe(&s.file)))
            .push("changed", ColumnData::I64(s.params.iter().map(|p| i64::from(s.is_changed(p))).collect()))
            .push("description", col(&|p| p.spec.doc.to_string()));
        PyTable::from_engine("params", &t).map_err(pyo3::exceptions::PyRuntimeError::new_err)
    }

    /// The keys whose values differ from the model's baseline.
    #[getter]
    fn changes(&self) -> Vec<&'static str> {
        self.inner.changes().into_iter().map(|p| p.spec.key).collect()
    }

    /// What is allowed but probably not meant (a dated event outside the run, a citation
    /// of a fact id the evidence table does not have), one text per warning with its
    /// position, as the command line prints them.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        perelom_models::warnings(&self.inner).iter().map(|w| w.to_string()).collect()
    }

    /// Checks the parameters that are checked together (as a run does before it starts);
    /// raises `ScenarioError` if they do not fit.
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        perelom_models::check(&self.inner).map_err(|e| scenario_error(py, &e))
    }

    /// The resolved scenario as a scenario file: every parameter, defaults filled in, each
    /// with its citation. `Scenario.from_toml(s.to_toml())` gives the same scenario.
    fn to_toml(&self) -> String {
        self.inner.to_toml()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyScenario>().is_ok_and(|o| o.borrow().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "<perelom.Scenario {:?} (model {}): {} parameters, {} changed from the baseline>",
            self.inner.meta.name,
            self.inner.meta.model,
            self.inner.params.len(),
            self.inner.changes().len()
        )
    }

    /// Support for pickling (and multiprocessing): the scenario as its TOML text.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let cls = py.import("perelom")?.getattr("Scenario")?.getattr("from_toml")?;
        let args = PyTuple::new(py, [self.inner.to_toml(), self.inner.file.clone()])?;
        PyTuple::new(py, [cls, args.into_any()])
    }

    /// The parameters as (key, value) pairs, for `dict(scenario.items())`.
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items: Vec<Bound<'py, PyTuple>> = self
            .inner
            .params
            .iter()
            .map(|p| PyTuple::new(py, [p.spec.key.into_pyobject(py)?.into_any(), from_value(py, &p.value)?]))
            .collect::<PyResult<_>>()?;
        PyList::new(py, items)
    }
}
