//! # perelom-report
//!
//! One self-contained HTML page (inline SVG and CSS, nothing fetched from a network) for
//! a run, a validation, a sweep or a comparison, with its charts also as separate SVG
//! texts. The crate does no I/O: the caller reads the result files (with
//! `perelom_output::{read_table, read_json}`) and writes the [`Report`] where it wants
//! (the CLI into `DIR/report/`, the web explorer into an HTTP response). Which metrics
//! are drawn together comes from the model's descriptor ([`perelom_models::ChartGroup`]).

#![warn(missing_docs)]

mod charts;
mod html;

use charts::{bar_chart, line_chart, Series};
use html::{esc, markdown, Page};
use perelom_engine::Table;
use perelom_models::provenance;
use perelom_models::ChartGroup;
use serde_json::Value;
use std::collections::BTreeMap;

/// A finished report: the page and its charts.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// What the report is of: `run`, `validation`, `comparison` or `sweep`.
    pub kind: &'static str,
    /// The whole page (HTML5, UTF-8).
    pub html: String,
    /// Each chart as (file stem `chart-01-title`, SVG text), in page order.
    pub charts: Vec<(String, String)>,
}

/// A run's results, as `perelom run` writes them.
pub struct RunResults<'a> {
    /// `metrics`: one row per step (`step`, `date` for dated models, the metrics).
    pub metrics: &'a Table,
    /// `manifest.json`.
    pub manifest: &'a Value,
    /// The run's documents (file name, text): Markdown ones (`.md`) are rendered as
    /// sections, titled as the model's descriptor titles them.
    pub documents: &'a [(String, String)],
    /// The resolved scenario with its citations (`scenario.toml` parsed), for the
    /// sources table.
    pub scenario: Option<&'a perelom_scenario::Scenario>,
}

/// Errors: a chart that cannot be drawn (text for the user).
pub type Error = String;

/// The chart groups of the model that `manifest`/`json` names (`scenario.model` or
/// `model`), or else of the first model whose charted metrics are all among `columns`,
/// or else one chart of every metric.
pub fn chart_groups(model: Option<&str>, columns: &[String]) -> Vec<(String, Vec<String>)> {
    let by_name = model.and_then(perelom_models::model);
    let fits = |g: &[ChartGroup]| g.iter().all(|c| c.columns.iter().all(|m| columns.iter().any(|x| x == m)));
    let info = by_name.or_else(|| perelom_models::models().iter().copied().find(|m| !m.charts.is_empty() && fits(m.charts)));
    match info {
        Some(m) if !m.charts.is_empty() => {
            m.charts.iter().map(|g| (g.title.to_string(), g.columns.iter().map(|s| s.to_string()).collect())).collect()
        }
        _ => {
            let names: Vec<String> = columns.iter().filter(|n| *n != "step" && *n != "date").cloned().collect();
            vec![("Metrics".to_string(), names)]
        }
    }
}

fn week_labels(dates: Option<Vec<String>>) -> impl Fn(f64) -> String {
    move |x: f64| {
        let i = x.round().max(0.0) as usize;
        match &dates {
            Some(d) if i < d.len() => d[i].get(..7).unwrap_or(&d[i]).to_string(),
            _ => format!("{i}"),
        }
    }
}

fn chart_id(title: &str) -> String {
    title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

fn add_chart(page: &mut Page, charts: &mut Vec<(String, String)>, title: &str, svg: String) {
    page.chart(title, &svg);
    charts.push((format!("chart-{:02}-{}", charts.len() + 1, chart_id(title)), svg));
}

/// Text of a table's cell (`""` when the column or row is missing).
fn text(t: &Table, col: &str, row: usize) -> String {
    t.column(col).filter(|c| row < c.len()).map(|c| c.cell(row)).unwrap_or_default()
}

/// The column names of a table.
fn names(t: &Table) -> Vec<String> {
    t.columns.iter().map(|c| c.name.clone()).collect()
}

/// The report of one run.
///
/// Errors: a chart that cannot be drawn.
pub fn run(r: &RunResults) -> Result<Report, Error> {
    let (table, manifest) = (r.metrics, r.manifest);
    let mut page = Page::default();
    let mut charts = Vec::new();
    let name = manifest["scenario"]["name"].as_str().unwrap_or("Run").to_string();
    page.title = format!("{name}: run report");
    page.para(&format!(
        "{} Seed {}, {} steps, Perelom {}{}, run on {}.",
        esc(manifest["scenario"]["description"].as_str().unwrap_or("")),
        manifest["seed"],
        manifest["steps"],
        esc(manifest["perelom_version"].as_str().unwrap_or("?")),
        manifest["git_commit"].as_str().map(|c| format!(" (commit {})", esc(&c[..c.len().min(12)]))).unwrap_or_default(),
        esc(manifest["started_at"].as_str().unwrap_or("?")),
    ));
    let steps = table.numbers("step").unwrap_or_default();
    let dates: Option<Vec<String>> = table.column("date").map(|c| (0..c.len()).map(|i| c.cell(i)).collect());
    let label = week_labels(dates);
    page.section("Time series");
    let model = manifest["scenario"]["model"].as_str();
    for (title, metrics) in chart_groups(model, &names(table)) {
        let series: Vec<Series> =
            metrics.iter().filter_map(|m| table.numbers(m).map(|v| Series { name: m.clone(), values: v, band: None })).collect();
        if !series.is_empty() {
            add_chart(&mut page, &mut charts, &title, line_chart(&title, &steps, &series, &label)?);
        }
    }
    let info = model.and_then(perelom_models::model);
    for (file, text) in r.documents.iter().filter(|(f, _)| f.ends_with(".md")) {
        let title = info.and_then(|m| m.document(file)).map_or(file.as_str(), |d| d.title);
        page.section(title);
        page.raw(&markdown(text));
    }
    changes(&mut page, &manifest["changes"], "");
    if let Some(s) = r.scenario {
        sources(&mut page, s);
    }
    Ok(Report { kind: "run", html: page.render("run", &name), charts })
}

/// The differences from the baseline (a manifest's or result's `changes` list), at a
/// glance, before anything else about the parameters.
fn changes(page: &mut Page, changes: &serde_json::Value, what: &str) {
    let Some(list) = changes.as_array() else { return };
    page.section(&format!("Changes from the baseline{what}"));
    if list.is_empty() {
        page.para("None: every parameter has the baseline's value and citation.");
        return;
    }
    let field = |c: &serde_json::Value, k: &str| c[k].as_str().unwrap_or("").to_string();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                field(c, "key"),
                field(c, "value"),
                field(c, "citation"),
                field(c, "set_in"),
                field(c, "baseline"),
                field(c, "baseline_citation"),
            ]
        })
        .collect();
    page.para(&format!(
        "{} value(s) differ from the model's baseline. A new value carries only the citation given with it; one set without any is uncited.",
        rows.len()
    ));
    page.table(&["parameter", "value", "citation", "set in", "baseline value", "baseline citation"], &rows);
}

/// The sources table of the run's resolved scenario, with the text of each cited fact.
fn sources(page: &mut Page, s: &perelom_scenario::Scenario) {
    page.section("Parameters and their sources");
    let rows: Vec<Vec<String>> = s
        .params
        .iter()
        .map(|p| {
            let facts = provenance::fact_lines(&p.cite).join("\n");
            vec![p.spec.key.to_string(), p.value.to_string(), p.cite.kind().to_string(), p.cite.text(), facts, p.spec.doc.to_string()]
        })
        .collect();
    page.para(&format!(
        "{}. A source gives the value itself; a mechanism cites the evidence for the rule while its value is assumed. Fact ids refer to Perelom's evidence table (docs/EVIDENCE.md, <code>perelom facts</code>); the text of each cited fact is given beside it.",
        esc(&provenance::counts_line(s))
    ));
    page.table(&["parameter", "value", "evidence", "source or reason", "facts cited", "meaning"], &rows);
}

/// The report of a validation: `targets` (targets.csv), `json` (targets.json) and the
/// ensemble's bands (ensemble.csv: metric, step, date, mean, p05, p95), if written.
///
/// Errors: a chart that cannot be drawn.
pub fn validation(targets: &Table, json: &Value, bands: Option<&Table>) -> Result<Report, Error> {
    let j = json;
    let mut page = Page::default();
    let mut charts = Vec::new();
    page.title = format!("{}: validation against the historical record", j["scenario"].as_str().unwrap_or("Validation"));
    page.para(&format!(
        "An ensemble of {} runs (seeds {}). Each target is a statistic of one run; the table gives the ensemble mean and the 90 % interval of the runs, and whether the mean meets the target. A missed target is shown as missed; a target whose dates the runs do not reach is not measurable.",
        j["runs"],
        j["seeds"].as_array().map(|s| format!("{}–{}", s.first().unwrap_or(&Value::Null), s.last().unwrap_or(&Value::Null))).unwrap_or_default()
    ));
    changes(&mut page, &j["changes"], "");
    page.section("Targets");
    let rows: Vec<Vec<String>> = (0..targets.rows())
        .map(|i| {
            let result = text(targets, "hit", i);
            let unmeasured = result == "not measurable";
            let interval =
                if unmeasured { String::new() } else { format!("[{}, {}]", fmt(&text(targets, "p05", i)), fmt(&text(targets, "p95", i))) };
            let mean = if unmeasured { String::new() } else { fmt(&text(targets, "mean", i)) };
            vec![text(targets, "target", i), text(targets, "description", i), text(targets, "facts", i), mean, interval, result]
        })
        .collect();
    page.table(&["target", "reading", "facts", "mean", "90 % interval", "result"], &rows);
    if let Some(bands) = bands {
        page.section("Ensemble time series (mean and 90 % band)");
        let metric: Vec<String> = (0..bands.rows()).map(|i| text(bands, "metric", i)).collect();
        let (mean, lo, hi) =
            (bands.numbers("mean").unwrap_or_default(), bands.numbers("p05").unwrap_or_default(), bands.numbers("p95").unwrap_or_default());
        let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, m) in metric.iter().enumerate() {
            by.entry(m.as_str()).or_default().push(i);
        }
        let dates: Vec<String> = by.values().next().map(|rows| rows.iter().map(|&i| text(bands, "date", i)).collect()).unwrap_or_default();
        let label = week_labels(Some(dates));
        let present: Vec<String> = by.keys().map(|k| k.to_string()).collect();
        for (title, metrics) in chart_groups(j["model"].as_str(), &present) {
            let series: Vec<Series> = metrics
                .iter()
                .filter_map(|m| by.get(m.as_str()).map(|rows| (m, rows)))
                .map(|(m, rows)| Series {
                    name: m.to_string(),
                    values: rows.iter().map(|&i| mean[i]).collect(),
                    band: Some((rows.iter().map(|&i| lo[i]).collect(), rows.iter().map(|&i| hi[i]).collect())),
                })
                .collect();
            if let Some(first) = series.first() {
                let x: Vec<f64> = (0..first.values.len()).map(|i| i as f64).collect();
                add_chart(&mut page, &mut charts, &title, line_chart(&title, &x, &series, &label)?);
            }
        }
    }
    let name = j["scenario"].as_str().unwrap_or("validation").to_string();
    Ok(Report { kind: "validation", html: page.render("validation", &name), charts })
}

fn fmt(s: &str) -> String {
    s.parse::<f64>().map(|v| format!("{v:.3}")).unwrap_or_else(|_| s.to_string())
}

/// The report of a comparison: `table` (compare.csv) and `json` (compare.json).
///
/// Errors: a chart that cannot be drawn.
pub fn comparison(table: &Table, json: &Value) -> Result<Report, Error> {
    let (c, j) = (table, json);
    let mut page = Page::default();
    let mut charts = Vec::new();
    page.title = format!("Counterfactual experiments against {}", j["baseline"].as_str().unwrap_or("the baseline"));
    page.para(&format!(
        "Each experiment and the baseline were run on the same {} seeds. For each outcome: the two ensemble means, the mean paired difference with a 90 % bootstrap interval, and Cohen's d (the difference in pooled standard deviations). Rows marked * have an interval that excludes zero.",
        j["seeds"].as_array().map_or(0, |s| s.len())
    ));
    let cell = |i: usize, col: &str| text(c, col, i);
    let num = |i: usize, col: &str| cell(i, col).parse::<f64>().unwrap_or(f64::NAN);
    let mut order: Vec<String> = Vec::new();
    for i in 0..c.rows() {
        let e = cell(i, "experiment");
        if !order.contains(&e) {
            order.push(e);
        }
    }
    for e in &order {
        page.section(e);
        changes(&mut page, &j["changes"][e.as_str()], &format!(" in {e}"));
        let rows: Vec<usize> = (0..c.rows()).filter(|&i| &cell(i, "experiment") == e).collect();
        let shown: Vec<Vec<String>> = rows
            .iter()
            .map(|&i| {
                if num(i, "baseline_mean").is_nan() && num(i, "experiment_mean").is_nan() {
                    // Named for a date the runs do not reach.
                    return vec![cell(i, "outcome"), "not measurable".into(), "".into(), "".into(), "".into(), "".into()];
                }
                let clear = if num(i, "p05") > 0.0 || num(i, "p95") < 0.0 { " *" } else { "" };
                vec![
                    cell(i, "outcome"),
                    fmt(&cell(i, "baseline_mean")),
                    fmt(&cell(i, "experiment_mean")),
                    fmt(&cell(i, "difference")),
                    format!("[{}, {}]{clear}", fmt(&cell(i, "p05")), fmt(&cell(i, "p95"))),
                    fmt(&cell(i, "cohens_d")),
                ]
            })
            .collect();
        page.table(&["outcome", "baseline", "experiment", "difference", "90 % interval", "d"], &shown);
        let bars: Vec<(String, f64)> =
            rows.iter().filter(|&&i| !num(i, "baseline_mean").is_nan()).map(|&i| (cell(i, "outcome"), num(i, "cohens_d"))).collect();
        let title = format!("{e}: effect sizes (Cohen's d)");
        add_chart(&mut page, &mut charts, &title, bar_chart(&title, &bars)?);
    }
    let name = j["baseline"].as_str().unwrap_or("comparison").to_string();
    Ok(Report { kind: "comparison", html: page.render("comparison", &name), charts })
}

/// The report of a sweep: `json` (sweep.json) and, for a complete sweep, its tidy data
/// (sweep.parquet). An incomplete sweep's report says how to resume it.
///
/// Errors: a chart that cannot be drawn.
pub fn sweep(json: &Value, data: Option<&Table>, dir: &str) -> Result<Report, Error> {
    let j = json;
    let mut page = Page::default();
    let mut charts = Vec::new();
    let design = j["design"].as_str().unwrap_or("?").to_string();
    page.title = format!("Sweep: {design}");
    let (true, Some(t)) = (j["complete"] == true, data) else {
        page.para(&format!(
            "<strong>This sweep is not complete</strong>: resume it with <code>perelom sweep {} --out {} --resume</code> before reading the results.",
            esc(j["design"].as_str().unwrap_or("DESIGN")),
            esc(dir)
        ));
        return Ok(Report { kind: "sweep", html: page.render("sweep", &design), charts });
    };
    let params: Vec<String> =
        j["parameters"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    page.para(&format!(
        "{} design: {} points × {} replicates = {} runs, varying {}.",
        j["kind"],
        j["points"],
        j["replicates"],
        j["runs"],
        esc(&params.join(", "))
    ));
    changes(&mut page, &j["base_changes"], " in the sweep's base scenario (each run also sets the varied parameters, uncited)");
    let point = t.numbers("point").unwrap_or_default();
    let step = t.numbers("step").unwrap_or_default();
    let n_steps = step.iter().copied().fold(0.0, f64::max) as usize + 1;
    let n_points = point.iter().copied().fold(0.0, f64::max) as usize + 1;
    let skip = ["run", "point", "replicate", "seed", "step", "date"];
    let dates: Option<Vec<String>> = t.column("date").map(|c| (0..n_steps.min(c.len())).map(|i| c.cell(i)).collect());
    let label = week_labels(dates);
    let x: Vec<f64> = (0..n_steps).map(|i| i as f64).collect();
    page.section("Mean trajectory of each point");
    for c in t.columns.iter().filter(|c| !skip.contains(&c.name.as_str()) && !params.contains(&c.name)) {
        let v = t.numbers(&c.name).unwrap_or_default();
        let mut sums = vec![vec![0.0f64; n_steps]; n_points];
        let mut counts = vec![vec![0.0f64; n_steps]; n_points];
        for i in 0..v.len() {
            let (p, s) = (point[i] as usize, step[i] as usize);
            sums[p][s] += v[i];
            counts[p][s] += 1.0;
        }
        let series: Vec<Series> = (0..n_points)
            .map(|p| {
                let first = point.iter().position(|&q| q as usize == p).unwrap_or(0);
                let label =
                    params.iter().map(|k| format!("{k}={}", t.numbers(k).map_or(f64::NAN, |v| v[first]))).collect::<Vec<_>>().join(", ");
                Series { name: label, values: sums[p].iter().zip(&counts[p]).map(|(s, n)| s / n.max(1.0)).collect(), band: None }
            })
            .collect();
        add_chart(&mut page, &mut charts, &c.name, line_chart(&c.name, &x, &series, &label)?);
    }
    Ok(Report { kind: "sweep", html: page.render("sweep", &design), charts })
}
