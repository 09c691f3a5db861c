use crate::cli::ValidateArgs;
use crate::commands::{ensemble_seeds, existing, out_error, thread_pool, warn};
use crate::error::CliError;
use crate::scenario_source;
use perelom_engine::stats::{interval, mean};
use perelom_engine::{ColumnData, Table};
use perelom_models::ussr::targets::{self, measure, targets};
use perelom_output::{write_csv, ResultDir};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// One row of the targets table.
struct Row {
    id: &'static str,
    text: String,
    facts: &'static str,
    mean: f64,
    lo: f64,
    hi: f64,
    /// Whether the run covers the target's dates; a target that is not measurable is
    /// neither hit nor missed.
    measurable: bool,
    hit: bool,
    valid_runs: usize,
}

impl Row {
    fn result(&self) -> &'static str {
        match (self.measurable, self.hit) {
            (false, _) => "not measurable",
            (true, true) => "hit",
            (true, false) => "missed",
        }
    }
}

pub fn validate(args: ValidateArgs) -> Result<ExitCode, CliError> {
    let mut scenario = scenario_source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    if scenario.meta.model != perelom_models::ussr::MODEL {
        return Err(CliError::Message(format!(
            "scenario {} uses model \"{}\", which has no historical targets\n  help: validate a scenario of model \"{}\", e.g. `perelom validate ussr-1928-1929`",
            scenario.file,
            scenario.meta.model,
            perelom_models::ussr::MODEL
        )));
    }
    if let Some(scale) = args.scale {
        scenario.set_from("--scale", &format!("population.scale={scale:?}"))?;
    }
    let seeds = ensemble_seeds(&scenario, args.runs, "--runs")?;
    perelom_models::check(&scenario)?;
    let warnings = warn(&scenario);
    // Which targets the run can measure is known from its calendar, before any run.
    let clock = targets::clock(&scenario);
    let reach = targets::measurable(&clock);
    let window = match (clock.start(), clock.last_day()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no weeks".to_string(),
    };
    if !reach.contains(&true) {
        return Err(CliError::Message(format!(
            "the run ({window}) does not reach the dates of any target T1-T10, so none can be measured\n  help: the targets read 1928-1929: run from run.start = 1928-01-02 for run.steps = 104 weeks"
        )));
    }
    let unmeasurable: Vec<&str> = targets().iter().zip(&reach).filter(|(_, ok)| !**ok).map(|(t, _)| t.id).collect();
    if !unmeasurable.is_empty() {
        eprintln!(
            "warning: the run ({window}) does not cover the dates of {}: they are not measurable, neither hit nor missed",
            unmeasurable.join(", ")
        );
    }
    let dir = match &args.out {
        Some(p) => Some(ResultDir::create(p, "validation", existing(args.force)).map_err(out_error)?),
        None => None,
    };
    let pool = thread_pool(args.threads)?;
    let full = scenario.int("population.full_scale") as f64;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(seeds.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    type Measured = (Vec<Option<f64>>, Table);
    let results: Result<Vec<Measured>, CliError> = pool.install(|| {
        perelom_engine::ensemble(&seeds, |seed| -> Result<Measured, CliError> {
            let mut s = scenario.clone();
            s.set_from("--runs", &format!("run.seed={seed}"))?;
            let mut sim = perelom_models::build(&s)?;
            sim.run_to_end();
            bar.inc(1);
            let metrics = sim.metrics();
            Ok((measure(&metrics, sim.clock(), full), metrics))
        })
        .into_iter()
        .collect()
    });
    bar.finish_and_clear();
    let (results, weekly): (Vec<Vec<Option<f64>>>, Vec<Table>) = results?.into_iter().unzip();
    let rows: Vec<Row> = targets()
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let measurable = results.iter().all(|r| r[i].is_some());
            let xs: Vec<f64> = results.iter().filter_map(|r| r[i]).filter(|x| !x.is_nan()).collect();
            let m = if xs.is_empty() { f64::NAN } else { mean(&xs) };
            let (lo, hi) = if xs.is_empty() { (f64::NAN, f64::NAN) } else { interval(&xs, 0.9) };
            let hit = measurable && m >= t.lo && m <= t.hi;
            Row { id: t.id, text: t.text, facts: t.facts, mean: m, lo, hi, measurable, hit, valid_runs: xs.len() }
        })
        .collect();
    let hits = rows.iter().filter(|r| r.hit).count();
    let not_measurable = rows.iter().filter(|r| !r.measurable).count();
    outln!(
        "{}: {} runs (seeds {}..={}), {:.1} s\n",
        scenario.meta.name,
        seeds.len(),
        seeds[0],
        seeds[seeds.len() - 1],
        started.elapsed().as_secs_f64()
    );
    let shown = |r: &Row| if r.measurable { r.result().replace("missed", "MISSED") } else { r.result().to_string() };
    let rw = rows.iter().map(|r| shown(r).len()).max().unwrap_or(6).max(6);
    outln!("{:<4}  {:>9}  {:>20}  {:<rw$}  target", "id", "mean", "90 % interval", "result");
    for r in &rows {
        let shown = shown(r);
        if !r.measurable {
            outln!("{:<4}  {:>9}  {:>20}  {shown:<rw$}  {} ({})", r.id, "-", "-", r.text, r.facts);
            continue;
        }
        let note = if r.valid_runs < seeds.len() { format!(" [{} of {} runs defined]", r.valid_runs, seeds.len()) } else { String::new() };
        outln!("{:<4}  {:>9.3}  [{:>8.3}, {:>8.3}]  {shown:<rw$}  {} ({}){note}", r.id, r.mean, r.lo, r.hi, r.text, r.facts);
    }
    let measured = rows.len() - not_measurable;
    if not_measurable > 0 {
        outln!("\n{hits} of {measured} measurable targets hit; {not_measurable} not measurable in a run from {window}");
    } else {
        outln!("\n{hits} of {} targets hit", rows.len());
    }
    if let Some(dir) = dir {
        let mut t = Table::new();
        t.push("target", ColumnData::Str(rows.iter().map(|r| r.id.to_string()).collect()));
        t.push("description", ColumnData::Str(rows.iter().map(|r| r.text.clone()).collect()));
        t.push("facts", ColumnData::Str(rows.iter().map(|r| r.facts.to_string()).collect()));
        t.push("mean", ColumnData::F64(rows.iter().map(|r| r.mean).collect()));
        t.push("p05", ColumnData::F64(rows.iter().map(|r| r.lo).collect()));
        t.push("p95", ColumnData::F64(rows.iter().map(|r| r.hi).collect()));
        t.push("hit", ColumnData::Str(rows.iter().map(|r| r.result().to_string()).collect()));
        dir.write_file("targets.csv", |w| write_csv(&t, w))?;
        let mut per_run = Table::new();
        per_run.push("seed", ColumnData::I64(seeds.iter().map(|&s| s as i64).collect()));
        for (i, r) in rows.iter().enumerate() {
            per_run.push(r.id, ColumnData::F64(results.iter().map(|x| x[i].unwrap_or(f64::NAN)).collect()));
        }
        dir.write_file("runs.csv", |w| write_csv(&per_run, w))?;
        dir.write_file("ensemble.csv", |w| write_csv(&ensemble_bands(&weekly), w))?;
        let json = serde_json::json!({
            "scenario": scenario.meta.name,
            "runs": seeds.len(),
            "seeds": seeds,
            "window": window,
            "hits": hits,
            "not_measurable": not_measurable,
            "warnings": warnings,
            "targets": rows.iter().map(|r| serde_json::json!({
                "id": r.id, "description": r.text, "facts": r.facts,
                "mean": finite(r.mean), "p05": finite(r.lo), "p95": finite(r.hi),
                "measurable": r.measurable, "hit": r.hit, "result": r.result(),
            })).collect::<Vec<_>>(),
        });
        dir.write_file("targets.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &json)?;
            w.write_all(b"\n")
        })?;
        let p: PathBuf = dir.commit().map_err(out_error)?;
        outln!("written: {}", p.display());
    }
    Ok(if args.strict && hits < rows.len() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn finite(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::json!(x)
    } else {
        serde_json::Value::Null
    }
}

/// Per metric and week: the ensemble mean and its 5th and 95th percentiles, long format.
fn ensemble_bands(runs: &[Table]) -> Table {
    let (mut metric, mut step, mut date, mut mean_v, mut lo_v, mut hi_v) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    if let Some(first) = runs.first() {
        let dates = first.column("date");
        for c in first.columns.iter().filter(|c| c.name != "step" && c.name != "date") {
            let series: Vec<Vec<f64>> = runs.iter().filter_map(|t| t.numbers(&c.name)).collect();
            for s in 0..first.rows() {
                let xs: Vec<f64> = series.iter().filter_map(|v| v.get(s).copied()).collect();
                let (lo, hi) = interval(&xs, 0.9);
                metric.push(c.name.clone());
                step.push(s as i64);
                date.push(dates.map(|d| d.cell(s)).unwrap_or_default());
                mean_v.push(mean(&xs));
                lo_v.push(lo);
                hi_v.push(hi);
            }
        }
    }
    let mut t = Table::new();
    t.push("metric", ColumnData::Str(metric));
    t.push("step", ColumnData::I64(step));
    t.push("date", ColumnData::Str(date));
    t.push("mean", ColumnData::F64(mean_v));
    t.push("p05", ColumnData::F64(lo_v));
    t.push("p95", ColumnData::F64(hi_v));
    t
}
