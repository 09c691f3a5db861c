//! Errors as Python exceptions. The exception classes are defined in Python
//! (`perelom/_errors.py`), so that they carry attributes and several bases
//! (`ScenarioError` is a `ValueError`); here they are raised.

use perelom_experiments::posterior::PosteriorError;
use perelom_scenario::ScenarioError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The exception class `name`: Perelom's (`perelom._errors`) or a built-in one
/// (`ValueError`).
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    match py.import("perelom._errors")?.getattr(name) {
        Ok(c) => Ok(c),
        Err(_) => py.import("builtins")?.getattr(name),
    }
}

/// `perelom.ScenarioError` with the error's text and its parts as attributes: file,
/// line, column, key, valid, suggestion, help.
pub fn scenario_error(py: Python<'_>, e: &ScenarioError) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kw = PyDict::new(py);
        kw.set_item("file", &e.file)?;
        kw.set_item("line", e.position.map(|p| p.0))?;
        kw.set_item("column", e.position.map(|p| p.1))?;
        kw.set_item("message", &e.message)?;
        kw.set_item("help", &e.help)?;
        kw.set_item("key", e.key())?;
        kw.set_item("valid", e.valid())?;
        kw.set_item("suggestion", e.suggestion())?;
        let exc = class(py, "ScenarioError")?.call((e.to_string(),), Some(&kw))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|err| err)
}

/// A posterior file that cannot be used: `perelom.PosteriorError` (file, line) for a
/// problem with the file, `perelom.ScenarioError` for a particle's value the scenario
/// refuses, with the posterior's file and line in place of a scenario file's.
pub fn posterior_error(py: Python<'_>, e: &PosteriorError) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kw = PyDict::new(py);
        kw.set_item("file", e.file())?;
        kw.set_item("line", e.line())?;
        let class_name = match e {
            PosteriorError::File { .. } => "PosteriorError",
            PosteriorError::Value { error, .. } => {
                kw.set_item("message", &error.message)?;
                kw.set_item("help", &error.help)?;
                kw.set_item("key", error.key())?;
                kw.set_item("valid", error.valid())?;
                kw.set_item("suggestion", error.suggestion())?;
                "ScenarioError"
            }
        };
        let exc = class(py, class_name)?.call((e.to_string(),), Some(&kw))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|err| err)
}

/// An exception of class `name` (of `perelom._errors`) with `message`.
pub fn error(py: Python<'_>, name: &str, message: impl Into<String>) -> PyErr {
    let message = message.into();
    match class(py, name).and_then(|c| c.call1((message,))) {
        Ok(exc) => PyErr::from_value(exc),
        Err(err) => err,
    }
}

/// Runs `f`, turning a panic into `Err` with its message: no panic crosses into Python.
pub fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        format!("internal error (a bug in Perelom, please report it): {what}")
    })
}

/// Either a scenario error or any other problem already phrased for the user, raised as
/// `ScenarioError` or as the named class.
pub enum Failure {
    Scenario(ScenarioError),
    Posterior(PosteriorError),
    Other(&'static str, String),
    Python(PyErr),
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Scenario(e)
    }
}

impl From<PosteriorError> for Failure {
    fn from(e: PosteriorError) -> Self {
        Failure::Posterior(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Python(e)
    }
}

impl Failure {
    pub fn internal(message: String) -> Self {
        Failure::Other("InternalError", message)
    }

    pub fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Scenario(e) => scenario_error(py, &e),
            Failure::Posterior(e) => posterior_error(py, &e),
            Failure::Other(class, m) => error(py, class, m),
            Failure::Python(e) => e,
        }
    }
}
