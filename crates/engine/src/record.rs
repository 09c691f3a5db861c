//! Per-step metrics in columns, and tables of columns.
//!
//! A [`Recorder`] is told its metric names once; each step the model hands it one
//! value per metric. The result is a [`Table`]: named, typed columns of equal length,
//! which the output crate writes as CSV or Parquet.

use crate::clock::Clock;
use chrono::NaiveDate;

/// Values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    I64(Vec<i64>),
    F64(Vec<f64>),
    Str(Vec<String>),
    Date(Vec<NaiveDate>),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::I64(v) => v.len(),
            ColumnData::F64(v) => v.len(),
            ColumnData::Str(v) => v.len(),
            ColumnData::Date(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value in row `i` as text (for CSV and summaries).
    pub fn cell(&self, i: usize) -> String {
        match self {
            ColumnData::I64(v) => v[i].to_string(),
            ColumnData::F64(v) => format_f64(v[i]),
            ColumnData::Str(v) => v[i].clone(),
            ColumnData::Date(v) => v[i].to_string(),
        }
    }

    /// The value in row `i` as a number, when the column is numeric.
    pub fn number(&self, i: usize) -> Option<f64> {
        match self {
            ColumnData::I64(v) => Some(v[i] as f64),
            ColumnData::F64(v) => Some(v[i]),
            _ => None,
        }
    }
}

/// Shortest text that reads back to the same `f64` (Rust's `Display` guarantees it).
pub fn format_f64(x: f64) -> String {
    format!("{x}")
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

/// Named columns of equal length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn new() -> Self {
        Table::default()
    }

    /// Adds a column. Panics if its length differs from the others: a programming
    /// error, never a user's.
    pub fn push(&mut self, name: impl Into<String>, data: ColumnData) -> &mut Self {
        if let Some(first) = self.columns.first() {
            assert_eq!(first.data.len(), data.len(), "column lengths differ");
        }
        self.columns.push(Column { name: name.into(), data });
        self
    }

    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns.iter().find(|c| c.name == name).map(|c| &c.data)
    }

    /// A numeric column as `f64`s.
    pub fn numbers(&self, name: &str) -> Option<Vec<f64>> {
        let c = self.column(name)?;
        (0..c.len()).map(|i| c.number(i)).collect()
    }
}

/// Whether a metric is a count (stored as an integer) or a real number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Count,
    Real,
}

/// Collects one row of metrics per step.
#[derive(Clone, Debug)]
pub struct Recorder {
    names: Vec<(&'static str, MetricKind)>,
    steps: Vec<i64>,
    dates: Vec<NaiveDate>,
    values: Vec<Vec<f64>>,
}

impl Recorder {
    pub fn new(metrics: &[(&'static str, MetricKind)]) -> Self {
        Recorder { names: metrics.to_vec(), steps: Vec::new(), dates: Vec::new(), values: vec![Vec::new(); metrics.len()] }
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.names.iter().map(|n| n.0)
    }

    /// Records the metrics of `step`; `row` holds one value per metric, in order.
    pub fn record(&mut self, clock: &Clock, step: u32, row: &[f64]) {
        assert_eq!(row.len(), self.names.len(), "one value per metric");
        self.steps.push(i64::from(step));
        if let Some(d) = clock.date(step) {
            self.dates.push(d);
        }
        for (col, &v) in self.values.iter_mut().zip(row) {
            col.push(v);
        }
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The latest value of a metric.
    pub fn last(&self, name: &str) -> Option<f64> {
        let i = self.names.iter().position(|n| n.0 == name)?;
        self.values[i].last().copied()
    }

    /// All values of a metric so far.
    pub fn series(&self, name: &str) -> Option<&[f64]> {
        let i = self.names.iter().position(|n| n.0 == name)?;
        Some(&self.values[i])
    }

    /// The columns: `step`, `date` (when dated), then the metrics.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new();
        t.push("step", ColumnData::I64(self.steps.clone()));
        if self.dates.len() == self.steps.len() && !self.dates.is_empty() {
            t.push("date", ColumnData::Date(self.dates.clone()));
        }
        for ((name, kind), vals) in self.names.iter().zip(&self.values) {
            let data = match kind {
                MetricKind::Count => ColumnData::I64(vals.iter().map(|&v| v.round() as i64).collect()),
                MetricKind::Real => ColumnData::F64(vals.clone()),
            };
            t.push(*name, data);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorder_builds_typed_columns_with_dates() {
        let clock = Clock::dated(NaiveDate::from_ymd_opt(1928, 1, 2).unwrap(), crate::StepUnit::Week, 3);
        let mut r = Recorder::new(&[("n", MetricKind::Count), ("x", MetricKind::Real)]);
        for s in 0..3 {
            r.record(&clock, s, &[s as f64 * 2.0, 0.5]);
        }
        let t = r.to_table();
        assert_eq!(t.rows(), 3);
        assert_eq!(t.column("n"), Some(&ColumnData::I64(vec![0, 2, 4])));
        assert_eq!(t.column("date").unwrap().cell(2), "1928-01-16");
        assert_eq!(t.numbers("x").unwrap(), vec![0.5; 3]);
        assert_eq!(r.last("n"), Some(4.0));
    }
}
