//! `perelom report`: one self-contained HTML page for a run, a validation, a sweep or
//! a comparison directory, with its charts also saved as SVG files beside it.

mod charts;
mod html;

use crate::error::CliError;
use charts::{bar_chart, line_chart, Series};
use html::{esc, markdown, Page};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// A CSV file as a header and rows of text.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Result<Csv, CliError> {
        let mut r = csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let header = r.headers().map_err(|e| format!("{}: {e}", path.display()))?.iter().map(String::from).collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            rows.push(rec.map_err(|e| format!("{}: {e}", path.display()))?.iter().map(String::from).collect());
        }
        Ok(Csv { header, rows })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn numbers(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.col(name)?;
        Some(self.rows.iter().map(|r| r[i].parse().unwrap_or(f64::NAN)).collect())
    }

    fn texts(&self, name: &str) -> Option<Vec<String>> {
        let i = self.col(name)?;
        Some(self.rows.iter().map(|r| r[i].clone()).collect())
    }
}

/// Chart groups for the 1928-1929 model: title and metrics.
const USSR_CHARTS: &[(&str, &[&str])] = &[
    ("Strikes started per week", &["strikes_started", "strikes_coordinated"]),
    ("Workers in slow-downs and in passive protest", &["italianka_workers", "passive_protest"]),
    ("Campaign meetings", &["meetings_held", "meetings_failed", "opposition_resolutions"]),
    ("Opposition members by organization", &["members_bl", "members_decists", "sympathizers"]),
    ("Opposition members by class", &["members_blue", "members_white", "members_peasant"]),
    ("Old cadres and new recruits", &["members_old_cadre", "members_new_recruit"]),
    ("Arrests, exiles, blacklisted", &["arrests", "exiles", "blacklisted"]),
    ("Real wage and productivity (1927 = 1)", &["real_wage_index", "productivity_index"]),
    ("Moods", &["mood_loyal", "mood_left", "mood_right", "mood_indifferent"]),
];

/// Writes `DIR/report/index.html` and `DIR/report/charts/*.svg`.
pub fn build(dir: &Path, force: bool) -> Result<PathBuf, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Message(format!(
            "{} is not a directory\n  help: give a run, validation, sweep or comparison output directory",
            dir.display()
        )));
    }
    let out = dir.join("report");
    let report_error = |e| {
        crate::commands::output_error(
            e,
            &format!("pass --force to replace {} (a report Perelom wrote)", out.display()),
            &format!("the report is always written to {}: move that directory away first", out.display()),
        )
    };
    let rd = perelom_output::ResultDir::create(&out, "report", crate::commands::existing(force)).map_err(report_error)?;
    let mut page = Page::default();
    let mut charts: Vec<(String, String)> = Vec::new();
    let kind = if dir.join("compare.csv").exists() {
        comparison(dir, &mut page, &mut charts)?;
        "comparison"
    } else if dir.join("targets.csv").exists() {
        validation(dir, &mut page, &mut charts)?;
        "validation"
    } else if dir.join("sweep.json").exists() {
        sweep(dir, &mut page, &mut charts)?;
        "sweep"
    } else if dir.join("metrics.csv").exists() || dir.join("metrics.parquet").exists() {
        run(dir, &mut page, &mut charts)?;
        "run"
    } else {
        return Err(CliError::Message(format!(
            "{} holds no Perelom results I know (metrics, targets.csv, compare.csv or sweep.json)\n  help: give a directory written by `perelom run`, `perelom validate --out DIR`, `perelom compare --out DIR` or `perelom sweep`",
            dir.display()
        )));
    };
    let html = page.render(kind, &dir.display().to_string());
    rd.write_file("index.html", |w| std::io::Write::write_all(w, html.as_bytes()))?;
    for (name, svg) in &charts {
        rd.write_file(&format!("{name}.svg"), |w| std::io::Write::write_all(w, svg.as_bytes()))?;
    }
    rd.commit().map_err(report_error)
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

fn run(dir: &Path, page: &mut Page, charts: &mut Vec<(String, String)>) -> Result<(), CliError> {
    let table = if dir.join("metrics.csv").exists() {
        let c = Csv::read(&dir.join("metrics.csv"))?;
        let mut t = perelom_engine::Table::new();
        for h in &c.header {
            if h == "date" {
                t.push(h.clone(), perelom_engine::ColumnData::Str(c.texts(h).unwrap_or_default()));
            } else {
                t.push(h.clone(), perelom_engine::ColumnData::F64(c.numbers(h).unwrap_or_default()));
            }
        }
        t
    } else {
        perelom_output::read_parquet(&dir.join("metrics.parquet")).map_err(|e| format!("cannot read metrics.parquet: {e}"))?
    };
    let manifest: serde_json::Value =
        fs::read_to_string(dir.join("manifest.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
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
    let groups: Vec<(String, Vec<String>)> = if table.column("members_bl").is_some() {
        USSR_CHARTS.iter().map(|(t, m)| (t.to_string(), m.iter().map(|s| s.to_string()).collect())).collect()
    } else {
        let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).filter(|n| n != "step" && n != "date").collect();
        vec![("Metrics".to_string(), names)]
    };
    for (title, metrics) in groups {
        let series: Vec<Series> =
            metrics.iter().filter_map(|m| table.numbers(m).map(|v| Series { name: m.clone(), values: v, band: None })).collect();
        if !series.is_empty() {
            add_chart(page, charts, &title, line_chart(&title, &steps, &series, &label)?);
        }
    }
    if let Ok(survey) = fs::read_to_string(dir.join("survey.md")) {
        page.section("Political survey");
        page.raw(&markdown(&survey));
    }
    changes(page, &manifest["changes"], "");
    sources(dir, page)?;
    Ok(())
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
fn sources(dir: &Path, page: &mut Page) -> Result<(), CliError> {
    let Ok(text) = fs::read_to_string(dir.join("scenario.toml")) else { return Ok(()) };
    let s = perelom_models::load_scenario_text("scenario.toml", &text)?;
    page.section("Parameters and their sources");
    let rows: Vec<Vec<String>> = s
        .params
        .iter()
        .map(|p| {
            let facts = perelom_models::provenance::fact_lines(&p.cite).join("\n");
            vec![p.spec.key.to_string(), p.value.to_string(), p.cite.kind().to_string(), p.cite.text(), facts, p.spec.doc.to_string()]
        })
        .collect();
    page.para(&format!(
        "{}. A source gives the value itself; a mechanism cites the evidence for the rule while its value is assumed. Fact ids refer to Perelom's evidence table (docs/EVIDENCE.md, <code>perelom facts</code>); the text of each cited fact is given beside it.",
        esc(&perelom_models::provenance::counts_line(&s))
    ));
    page.table(&["parameter", "value", "evidence", "source or reason", "facts cited", "meaning"], &rows);
    Ok(())
}

fn validation(dir: &Path, page: &mut Page, charts: &mut Vec<(String, String)>) -> Result<(), CliError> {
    let t = Csv::read(&dir.join("targets.csv"))?;
    let j: serde_json::Value =
        fs::read_to_string(dir.join("targets.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    page.title = format!("{}: validation against the historical record", j["scenario"].as_str().unwrap_or("Validation"));
    page.para(&format!(
        "An ensemble of {} runs (seeds {}). Each target is a statistic of one run; the table gives the ensemble mean and the 90 % interval of the runs, and whether the mean meets the target. A missed target is shown as missed; a target whose dates the runs do not reach is not measurable.",
        j["runs"],
        j["seeds"].as_array().map(|s| format!("{}–{}", s.first().unwrap_or(&serde_json::Value::Null), s.last().unwrap_or(&serde_json::Value::Null))).unwrap_or_default()
    ));
    changes(page, &j["changes"], "");
    page.section("Targets");
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            let interval = if r[6] == "not measurable" { String::new() } else { format!("[{}, {}]", fmt(&r[4]), fmt(&r[5])) };
            let mean = if r[6] == "not measurable" { String::new() } else { fmt(&r[3]) };
            vec![r[0].clone(), r[1].clone(), r[2].clone(), mean, interval, r[6].clone()]
        })
        .collect();
    page.table(&["target", "reading", "facts", "mean", "90 % interval", "result"], &rows);
    if let Ok(bands) = Csv::read(&dir.join("ensemble.csv")) {
        page.section("Ensemble time series (mean and 90 % band)");
        let metric = bands.texts("metric").unwrap_or_default();
        let (mean, lo, hi) =
            (bands.numbers("mean").unwrap_or_default(), bands.numbers("p05").unwrap_or_default(), bands.numbers("p95").unwrap_or_default());
        let date = bands.texts("date").unwrap_or_default();
        let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, m) in metric.iter().enumerate() {
            by.entry(m.as_str()).or_default().push(i);
        }
        let dates: Vec<String> = by.values().next().map(|rows| rows.iter().map(|&i| date[i].clone()).collect()).unwrap_or_default();
        let label = week_labels(Some(dates));
        for (title, metrics) in USSR_CHARTS {
            let series: Vec<Series> = metrics
                .iter()
                .filter_map(|m| by.get(m).map(|rows| (m, rows)))
                .map(|(m, rows)| Series {
                    name: m.to_string(),
                    values: rows.iter().map(|&i| mean[i]).collect(),
                    band: Some((rows.iter().map(|&i| lo[i]).collect(), rows.iter().map(|&i| hi[i]).collect())),
                })
                .collect();
            if let Some(first) = series.first() {
                let x: Vec<f64> = (0..first.values.len()).map(|i| i as f64).collect();
                add_chart(page, charts, title, line_chart(title, &x, &series, &label)?);
            }
        }
    }
    Ok(())
}

fn fmt(s: &str) -> String {
    s.parse::<f64>().map(|v| format!("{v:.3}")).unwrap_or_else(|_| s.to_string())
}

fn comparison(dir: &Path, page: &mut Page, charts: &mut Vec<(String, String)>) -> Result<(), CliError> {
    let c = Csv::read(&dir.join("compare.csv"))?;
    let j: serde_json::Value =
        fs::read_to_string(dir.join("compare.json")).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    page.title = format!("Counterfactual experiments against {}", j["baseline"].as_str().unwrap_or("the baseline"));
    page.para(&format!(
        "Each experiment and the baseline were run on the same {} seeds. For each outcome: the two ensemble means, the mean paired difference with a 90 % bootstrap interval, and Cohen's d (the difference in pooled standard deviations). Rows marked * have an interval that excludes zero.",
        j["seeds"].as_array().map_or(0, |s| s.len())
    ));
    let exp = c.texts("experiment").unwrap_or_default();
    let mut order: Vec<String> = Vec::new();
    for e in &exp {
        if !order.contains(e) {
            order.push(e.clone());
        }
    }
    for e in &order {
        page.section(e);
        changes(page, &j["changes"][e.as_str()], &format!(" in {e}"));
        let rows: Vec<&Vec<String>> = c.rows.iter().filter(|r| &r[0] == e).collect();
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                if r[2].parse::<f64>().map_or(true, f64::is_nan) && r[3].parse::<f64>().map_or(true, f64::is_nan) {
                    // Named for a date the runs do not reach.
                    return vec![r[1].clone(), "not measurable".into(), "".into(), "".into(), "".into(), "".into()];
                }
                let (lo, hi) = (r[5].parse::<f64>().unwrap_or(f64::NAN), r[6].parse::<f64>().unwrap_or(f64::NAN));
                let clear = if lo > 0.0 || hi < 0.0 { " *" } else { "" };
                vec![r[1].clone(), fmt(&r[2]), fmt(&r[3]), fmt(&r[4]), format!("[{}, {}]{clear}", fmt(&r[5]), fmt(&r[6])), fmt(&r[7])]
            })
            .collect();
        page.table(&["outcome", "baseline", "experiment", "difference", "90 % interval", "d"], &table);
        let bars: Vec<(String, f64)> = rows
            .iter()
            .filter(|r| r[2].parse::<f64>().is_ok_and(|x| !x.is_nan()))
            .map(|r| (r[1].clone(), r[7].parse().unwrap_or(f64::NAN)))
            .collect();
        add_chart(page, charts, &format!("{e}: effect sizes (Cohen's d)"), bar_chart(&format!("{e}: effect sizes (Cohen's d)"), &bars)?);
    }
    Ok(())
}

fn sweep(dir: &Path, page: &mut Page, charts: &mut Vec<(String, String)>) -> Result<(), CliError> {
    let state = dir.join("sweep.json");
    let j = crate::commands::parse_json(
        &state.display().to_string(),
        &fs::read_to_string(&state).map_err(|e| format!("cannot read {}: {e}", state.display()))?,
    )?;
    page.title = format!("Sweep: {}", j["design"].as_str().unwrap_or("?"));
    if j["complete"] != true {
        page.para(&format!(
            "<strong>This sweep is not complete</strong>: resume it with <code>perelom sweep {} --out {} --resume</code> before reading the results.",
            esc(j["design"].as_str().unwrap_or("DESIGN")),
            esc(&dir.display().to_string())
        ));
        return Ok(());
    }
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
    changes(page, &j["base_changes"], " in the sweep's base scenario (each run also sets the varied parameters, uncited)");
    let t = perelom_output::read_parquet(&dir.join("sweep.parquet")).map_err(|e| format!("cannot read sweep.parquet: {e}"))?;
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
        add_chart(page, charts, &c.name, line_chart(&c.name, &x, &series, &label)?);
    }
    Ok(())
}
