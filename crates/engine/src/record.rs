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
    /// Integers (counts, steps, identifiers).
    I64(Vec<i64>),
    /// Real numbers.
    F64(Vec<f64>),
    /// Text (categories, names).
    Str(Vec<String>),
    /// Calendar dates.
    Date(Vec<NaiveDate>),
}

impl ColumnData {
    /// Number of values (rows).
    pub fn len(&self) -> usize {
        match self {
            ColumnData::I64(v) => v.len(),
            ColumnData::F64(v) => v.len(),
            ColumnData::Str(v) => v.len(),
            ColumnData::Date(v) => v.len(),
        }
    }

    /// Whether the column has no values.
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

/// What kind of quantity a column holds: how to read it and how to aggregate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Names a row: a step, a date, a month, a factory, a run.
    Identifier,
    /// A label from a fixed set of words (an event's type, its outcome, a region).
    Category,
    /// Things that happened during the step (or the row's period): summed over time.
    Flow,
    /// A level at the end of the step: people in a state, a strength.
    Stock,
    /// A share or proportion, from 0 to 1.
    Rate,
    /// A level relative to a base period, which is 1.
    Index,
    /// The mean over people of a quantity each person has (grievance, fatigue).
    Average,
    /// A length of time.
    Duration,
    /// An input of the run (a parameter's value), constant over its rows.
    Parameter,
}

impl Quantity {
    /// The word used in data dictionaries and Parquet metadata.
    pub fn word(self) -> &'static str {
        match self {
            Quantity::Identifier => "identifier",
            Quantity::Category => "category",
            Quantity::Flow => "flow",
            Quantity::Stock => "stock",
            Quantity::Rate => "rate",
            Quantity::Index => "index",
            Quantity::Average => "average",
            Quantity::Duration => "duration",
            Quantity::Parameter => "parameter",
        }
    }

    /// Every kind, with what it means, for dictionaries.
    pub const ALL: [Quantity; 9] = [
        Quantity::Identifier,
        Quantity::Category,
        Quantity::Flow,
        Quantity::Stock,
        Quantity::Rate,
        Quantity::Index,
        Quantity::Average,
        Quantity::Duration,
        Quantity::Parameter,
    ];

    /// What a column of this kind holds, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            Quantity::Identifier => "names the row (step, date, month, factory, run)",
            Quantity::Category => "a label from a fixed set of words",
            Quantity::Flow => "what happened during the row's period; sum it over time",
            Quantity::Stock => "a level at the end of the row's period; take the last value",
            Quantity::Rate => "a share from 0 to 1",
            Quantity::Index => "a level relative to a base period, which is 1",
            Quantity::Average => "the mean over people of a quantity each person has",
            Quantity::Duration => "a length of time",
            Quantity::Parameter => "an input of the run: a parameter's value in force",
        }
    }

    /// The kind whose [`word`](Quantity::word) is `w`; `None` for an unknown word.
    pub fn from_word(w: &str) -> Option<Quantity> {
        Quantity::ALL.into_iter().find(|q| q.word() == w)
    }
}

/// What a column means: its kind of quantity, its unit and a description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDoc {
    /// The kind of quantity: how to read and aggregate the column.
    pub kind: Quantity,
    /// `workers`, `strikes`, `share`, `index (end 1927 = 1)`, `date`, ...
    pub unit: String,
    /// What the column holds, in one line.
    pub doc: String,
}

impl ColumnDoc {
    /// A description of a column of `kind`, measured in `unit`.
    pub fn new(kind: Quantity, unit: &str, doc: &str) -> Self {
        ColumnDoc { kind, unit: unit.to_string(), doc: doc.to_string() }
    }
}

/// A named column, with what it means when the model says so.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Column name (the CSV header).
    pub name: String,
    /// The values, one per row.
    pub data: ColumnData,
    /// What the column means; `None` when undescribed.
    pub doc: Option<ColumnDoc>,
}

/// Named columns of equal length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The columns, in output order.
    pub columns: Vec<Column>,
}

impl Table {
    /// A table with no columns.
    pub fn new() -> Self {
        Table::default()
    }

    /// Adds a column. Panics if its length differs from the others: a programming
    /// error, never a user's.
    pub fn push(&mut self, name: impl Into<String>, data: ColumnData) -> &mut Self {
        if let Some(first) = self.columns.first() {
            assert_eq!(first.data.len(), data.len(), "column lengths differ");
        }
        self.columns.push(Column { name: name.into(), data, doc: None });
        self
    }

    /// Adds a column with what it means.
    pub fn push_doc(&mut self, name: impl Into<String>, data: ColumnData, doc: ColumnDoc) -> &mut Self {
        self.push(name, data);
        if let Some(c) = self.columns.last_mut() {
            c.doc = Some(doc);
        }
        self
    }

    /// Says what an existing column means; `false` if there is no such column.
    pub fn describe(&mut self, name: &str, doc: ColumnDoc) -> bool {
        match self.columns.iter_mut().find(|c| c.name == name) {
            Some(c) => {
                c.doc = Some(doc);
                true
            }
            None => false,
        }
    }

    /// What a column means, if the table says.
    pub fn doc(&self, name: &str) -> Option<&ColumnDoc> {
        self.columns.iter().find(|c| c.name == name).and_then(|c| c.doc.as_ref())
    }

    /// Number of rows (0 for a table with no columns).
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// The values of the column named `name`, if there is one.
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
    /// A count: values are rounded and stored as `i64`.
    Count,
    /// A real number, stored as `f64`.
    Real,
}

/// One metric as a model declares it: name, how it is stored, and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricSpec {
    /// Column name.
    pub name: &'static str,
    /// How values are stored (integer or real).
    pub storage: MetricKind,
    /// The kind of quantity.
    pub kind: Quantity,
    /// Unit, as in [`ColumnDoc::unit`].
    pub unit: &'static str,
    /// What the metric holds, in one line.
    pub doc: &'static str,
}

impl MetricSpec {
    /// A count, stored as an integer.
    pub const fn count(name: &'static str, kind: Quantity, unit: &'static str, doc: &'static str) -> Self {
        MetricSpec { name, storage: MetricKind::Count, kind, unit, doc }
    }

    /// A real number.
    pub const fn real(name: &'static str, kind: Quantity, unit: &'static str, doc: &'static str) -> Self {
        MetricSpec { name, storage: MetricKind::Real, kind, unit, doc }
    }

    /// The metric's description as a [`ColumnDoc`].
    pub fn column_doc(&self) -> ColumnDoc {
        ColumnDoc::new(self.kind, self.unit, self.doc)
    }
}

/// The `step` column of every metrics table.
pub fn step_doc() -> ColumnDoc {
    ColumnDoc::new(
        Quantity::Identifier,
        "step",
        "step number from 0; row s holds the state at the end of step s and what happened during it",
    )
}

/// The `date` column of a dated metrics table.
pub fn date_doc() -> ColumnDoc {
    ColumnDoc::new(Quantity::Identifier, "date", "calendar date on which the step begins (YYYY-MM-DD)")
}

/// Collects one row of metrics per step.
#[derive(Clone, Debug)]
pub struct Recorder {
    names: Vec<(&'static str, MetricKind)>,
    docs: Vec<ColumnDoc>,
    steps: Vec<i64>,
    dates: Vec<NaiveDate>,
    values: Vec<Vec<f64>>,
}

impl Recorder {
    /// A recorder of `metrics`, each with what it means (the data dictionary).
    pub fn new(metrics: &[MetricSpec]) -> Self {
        Recorder {
            names: metrics.iter().map(|m| (m.name, m.storage)).collect(),
            docs: metrics.iter().map(MetricSpec::column_doc).collect(),
            steps: Vec::new(),
            dates: Vec::new(),
            values: vec![Vec::new(); metrics.len()],
        }
    }

    /// The metric names, in the order of a row.
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

    /// Number of steps recorded.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step has been recorded.
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
        t.push_doc("step", ColumnData::I64(self.steps.clone()), step_doc());
        if self.dates.len() == self.steps.len() && !self.dates.is_empty() {
            t.push_doc("date", ColumnData::Date(self.dates.clone()), date_doc());
        }
        for (((name, kind), vals), doc) in self.names.iter().zip(&self.values).zip(&self.docs) {
            let data = match kind {
                MetricKind::Count => ColumnData::I64(vals.iter().map(|&v| v.round() as i64).collect()),
                MetricKind::Real => ColumnData::F64(vals.clone()),
            };
            t.push_doc(*name, data, doc.clone());
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
        let mut r = Recorder::new(&[
            MetricSpec::count("n", Quantity::Flow, "things", "things done"),
            MetricSpec::real("x", Quantity::Rate, "share", "a share"),
        ]);
        for s in 0..3 {
            r.record(&clock, s, &[s as f64 * 2.0, 0.5]);
        }
        let t = r.to_table();
        assert_eq!(t.rows(), 3);
        assert_eq!(t.column("n"), Some(&ColumnData::I64(vec![0, 2, 4])));
        assert_eq!(t.column("date").unwrap().cell(2), "1928-01-16");
        assert_eq!(t.numbers("x").unwrap(), vec![0.5; 3]);
        assert_eq!(r.last("n"), Some(4.0));
        assert_eq!(t.doc("x").map(|d| (d.kind, d.unit.as_str())), Some((Quantity::Rate, "share")));
        assert!(t.columns.iter().all(|c| c.doc.as_ref().is_some_and(|d| !d.doc.is_empty())), "every column is described");
    }
}
