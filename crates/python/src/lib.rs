//! `perelom._perelom`: the native half of the Python package `perelom`.
//!
//! Built on the library crates, as the command line is: scenarios are parsed and checked
//! by `perelom-scenario` and `perelom-models`, runs step `perelom_models::Simulation`s,
//! and tables are `perelom-output`'s Arrow record batches, handed to Python through the
//! Arrow C stream interface (`__arrow_c_stream__`) without copying. The Python half
//! (`python/perelom/__init__.py`) adds what belongs to Python: progress bars, SALib
//! glue, `_repr_html_`.
//!
//! Nothing here may crash the interpreter: every panic of the simulation is caught and
//! raised as `perelom.InternalError`, and long loops release the GIL and check for
//! Ctrl-C between steps.

mod convert;
mod ensemble;
mod errors;
mod run;
mod scenario;
mod table;

use pyo3::prelude::*;

#[pymodule]
fn _perelom(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<scenario::PyScenario>()?;
    m.add_class::<table::PyTable>()?;
    m.add_class::<run::PyRun>()?;
    m.add_class::<ensemble::PySweep>()?;
    m.add_function(wrap_pyfunction!(scenario::scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(ensemble::validate, m)?)?;
    m.add_function(wrap_pyfunction!(ensemble::compare, m)?)?;
    m.add_function(wrap_pyfunction!(ensemble::sweep, m)?)?;
    Ok(())
}
