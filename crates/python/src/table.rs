//! Result tables as Arrow data, handed to Python without copying.
//!
//! A [`PyTable`] holds one Arrow record batch built by `perelom_output::record_batch`
//! (the batch the Parquet files are written from). `__arrow_c_stream__` exports it through
//! the Arrow C stream interface in a PyCapsule (the Arrow PyCapsule interface): the
//! consumer (pyarrow, polars, DuckDB, pandas through pyarrow) receives pointers to the very
//! buffers Rust allocated, which stay alive until the consumer releases them.

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{Array, Date32Array, Float64Array, Int64Array, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::DataType;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

/// A table of results (a run's weekly metrics, monthly aggregates, event log, ...) as
/// Arrow data. Read it with `pyarrow.table(t)`, `polars.DataFrame(t)`, `t.to_pandas()` or
/// DuckDB (`duckdb.sql("select * from t")`): none of them copies the data.
#[pyclass(name = "Table", module = "perelom", frozen)]
pub struct PyTable {
    name: String,
    batch: RecordBatch,
}

impl PyTable {
    pub fn new(name: &str, batch: RecordBatch) -> Self {
        PyTable { name: name.to_string(), batch }
    }

    /// Converts a table of the engine (one copy, on the Rust side, when a run ends).
    pub fn from_engine(name: &str, t: &perelom_engine::Table) -> Result<Self, String> {
        perelom_output::record_batch(t).map(|b| PyTable::new(name, b)).map_err(|e| format!("table {name}: {e}"))
    }

    /// Rows of the table.
    pub fn num_rows_of(&self) -> usize {
        self.batch.num_rows()
    }

    fn cell(&self, col: usize, row: usize) -> String {
        let a = self.batch.column(col);
        match a.data_type() {
            DataType::Int64 => a.as_any().downcast_ref::<Int64Array>().map(|x| x.value(row).to_string()),
            DataType::Float64 => a.as_any().downcast_ref::<Float64Array>().map(|x| perelom_engine::record::format_f64(x.value(row))),
            DataType::Utf8 => a.as_any().downcast_ref::<StringArray>().map(|x| x.value(row).to_string()),
            DataType::Date32 => a.as_any().downcast_ref::<Date32Array>().and_then(|x| x.value_as_date(row)).map(|d| d.to_string()),
            _ => None,
        }
        .unwrap_or_default()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[pymethods]
impl PyTable {
    /// The table's name: `metrics`, `monthly`, `events`, ...
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Number of columns.
    #[getter]
    fn num_columns(&self) -> usize {
        self.batch.num_columns()
    }

    /// (rows, columns).
    #[getter]
    fn shape(&self) -> (usize, usize) {
        (self.batch.num_rows(), self.batch.num_columns())
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// What each column means: {column: {"description", "unit", "kind"}} for the columns
    /// the model describes (the same text as dictionary.csv and the Parquet metadata).
    #[getter]
    fn dictionary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for f in self.batch.schema().fields() {
            if !f.metadata().is_empty() {
                d.set_item(f.name(), f.metadata().clone())?;
            }
        }
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    /// The Arrow PyCapsule interface: an `ArrowArrayStream` of this table's one record
    /// batch. The buffers are shared, not copied. `requested_schema` is not applied (the
    /// interface allows that): the table is offered as it is.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new(vec![Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The Arrow PyCapsule interface: the table's schema (with each column's description,
    /// unit and kind as field metadata).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema =
            FFI_ArrowSchema::try_from(self.batch.schema().as_ref()).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        PyCapsule::new_with_value(py, schema, c"arrow_schema")
    }

    /// The table as a `pyarrow.Table` (zero-copy; needs pyarrow).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("table", (slf,))
    }

    /// The table as a `pandas.DataFrame` (through pyarrow; dates become `datetime64`).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pandas")
    }

    /// The table as a `polars.DataFrame` (zero-copy; needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("polars")?.call_method1("DataFrame", (slf,))
    }

    /// The address of the first value of a column's data buffer in Rust's memory: for
    /// checking that a consumer reads the same memory (zero-copy), e.g.
    /// `pa.table(t).column(c).chunks[0].buffers()[1].address == t._buffer_address(c)`.
    fn _buffer_address(&self, column: &str) -> PyResult<usize> {
        let i = self.batch.schema().index_of(column).map_err(|e| pyo3::exceptions::PyKeyError::new_err(e.to_string()))?;
        let data = self.batch.column(i).to_data();
        // Strings: the characters (buffer 1), after the offsets (buffer 0).
        let buffer = match data.data_type() {
            DataType::Utf8 => &data.buffers()[1],
            _ => &data.buffers()[0],
        };
        Ok(buffer.as_ptr() as usize + data.offset() * data.data_type().primitive_width().unwrap_or(0))
    }

    fn __repr__(&self) -> String {
        format!("<perelom.Table {}: {} rows x {} columns>", self.name, self.batch.num_rows(), self.batch.num_columns())
    }

    /// An HTML preview for notebooks: the first and last rows.
    fn _repr_html_(&self) -> String {
        let (n, cols) = (self.batch.num_rows(), self.batch.num_columns());
        let rows: Vec<usize> = if n <= 12 { (0..n).collect() } else { (0..6).chain(n - 6..n).collect() };
        let mut h = format!("<div><b>{}</b>: {n} rows &times; {cols} columns<table><thead><tr>", html_escape(&self.name));
        for name in self.column_names() {
            h.push_str(&format!("<th>{}</th>", html_escape(&name)));
        }
        h.push_str("</tr></thead><tbody>");
        for (k, &r) in rows.iter().enumerate() {
            if n > 12 && k == 6 {
                h.push_str(&format!("<tr><td colspan=\"{cols}\">&hellip;</td></tr>"));
            }
            h.push_str("<tr>");
            for c in 0..cols {
                h.push_str(&format!("<td>{}</td>", html_escape(&self.cell(c, r))));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table></div>");
        h
    }
}
