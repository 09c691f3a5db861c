//! Python values to scenario values and back.

use chrono::NaiveDate;
use perelom_scenario::{Kind, ParamSpec, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

/// A Python value as a value of `spec`'s kind, with the conversions a scenario file makes
/// (an integer is a number; a date is a `datetime.date` or text `YYYY-MM-DD`; a dated
/// event takes `"off"`). `Err` says why not, in the words of a file's error
/// ("expected a date, found None"); the range is checked by `Scenario::assign`.
pub fn to_value(py: Python<'_>, spec: &ParamSpec, v: &Bound<'_, PyAny>) -> PyResult<Result<Value, String>> {
    let expected = spec.kind.type_name();
    let datetime = py.import("datetime")?;
    let found = |what: String| Ok(Err(format!("expected {expected}, found {what}")));
    if v.is_none() {
        return found("None".into());
    }
    if v.is_instance_of::<PyBool>() {
        return Ok(Ok(Value::Bool(v.extract::<bool>()?)));
    }
    if v.is_instance(&datetime.getattr("datetime")?)? {
        return Ok(Err("expected a date without a time of day".into()));
    }
    if v.is_instance(&datetime.getattr("date")?)? {
        let (y, m, d): (i32, u32, u32) = (v.getattr("year")?.extract()?, v.getattr("month")?.extract()?, v.getattr("day")?.extract()?);
        return Ok(NaiveDate::from_ymd_opt(y, m, d).map(Value::Date).ok_or_else(|| "not a calendar date".to_string()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        let s = s.to_string();
        let s = s.as_str();
        return Ok(match spec.kind {
            Kind::Choice(_) | Kind::Text => Ok(Value::Text(s.to_string())),
            Kind::Date { .. } if s.trim() == "off" => Ok(Value::Off),
            Kind::Date { .. } => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(Value::Date)
                .map_err(|_| format!("\"{s}\" is not a date of the form YYYY-MM-DD")),
            _ => Err(format!("expected {expected}, found text")),
        });
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(Ok(Value::Float(v.extract::<f64>()?)));
    }
    if v.is_instance_of::<PyInt>() || (v.hasattr("__index__")? && !v.hasattr("__len__")?) {
        // Python integers and NumPy's integer scalars.
        return Ok(v.extract::<i64>().map(Value::Int).map_err(|_| "the integer is too large".to_string()));
    }
    if v.hasattr("__float__")? && !v.hasattr("__len__")? {
        // NumPy's float32 and other real scalars.
        return Ok(Ok(Value::Float(v.extract::<f64>()?)));
    }
    let is_list = v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() || v.hasattr("__array__")?;
    if is_list && !matches!(spec.kind, Kind::Floats { .. }) {
        return found("a list".into());
    }
    if is_list {
        let mut xs = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            let item = item?;
            match item.extract::<f64>() {
                Ok(x) if !item.is_instance_of::<PyBool>() && !item.is_instance_of::<PyString>() => xs.push(x),
                _ => return Ok(Err(format!("item {} is {}, expected a number", i + 1, type_name(&item)))),
            }
        }
        return Ok(Ok(Value::Floats(xs)));
    }
    found(type_name(v))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    if v.is_instance_of::<PyString>() {
        return "text".into();
    }
    v.get_type().name().map(|n| format!("a Python {n}")).unwrap_or_else(|_| "an object".into())
}

/// A scenario value as a Python object: int, float, bool, str, `datetime.date`, a list of
/// floats, or `"off"` for a dated event switched off.
pub fn from_value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    use chrono::Datelike;
    Ok(match v {
        Value::Int(x) => x.into_pyobject(py)?.into_any(),
        Value::Float(x) => x.into_pyobject(py)?.into_any(),
        Value::Bool(x) => PyBool::new(py, *x).to_owned().into_any(),
        Value::Text(s) => PyString::new(py, s).into_any(),
        Value::Date(d) => py.import("datetime")?.getattr("date")?.call1((d.year(), d.month(), d.day()))?,
        Value::Floats(xs) => PyList::new(py, xs)?.into_any(),
        Value::Off => PyString::new(py, "off").into_any(),
    })
}
