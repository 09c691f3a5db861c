//! `perelom compare`: counterfactual ensembles against a baseline, on common seeds.

use crate::cli::CompareArgs;
use crate::commands::thread_pool;
use crate::error::CliError;
use crate::scenario_source;
use perelom_engine::stats::{interval, mean, std_dev};
use perelom_engine::{ColumnData, Streams, Table};
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::Scenario;
use rand::Rng;
use std::io::Write;
use std::process::ExitCode;

/// Outcomes of each run of an ensemble: one row per seed, one column per outcome.
struct Ensemble {
    names: Vec<String>,
    runs: Vec<Vec<f64>>,
}

fn run_ensemble(s: &Scenario, seeds: &[u64], bar: &indicatif::ProgressBar) -> Result<Ensemble, CliError> {
    let runs: Result<Vec<Vec<(String, f64)>>, CliError> = perelom_engine::ensemble(seeds, |seed| {
        let mut s = s.clone();
        s.set_by(&format!("run.seed={seed}"), "ensemble seed")?;
        let mut sim = perelom_models::build(&s)?;
        sim.run_to_end();
        bar.inc(1);
        Ok(sim.outcomes())
    })
    .into_iter()
    .collect();
    let runs = runs?;
    let names = runs.first().map(|r| r.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    Ok(Ensemble { names, runs: runs.into_iter().map(|r| r.into_iter().map(|(_, v)| v).collect()).collect() })
}

/// One outcome's comparison.
struct Row {
    outcome: String,
    base: f64,
    exp: f64,
    diff: f64,
    lo: f64,
    hi: f64,
    effect: f64,
}

/// Paired differences (common seeds), a 90 % percentile-bootstrap interval of their mean,
/// and Cohen's d with the pooled standard deviation of the two ensembles.
fn compare(base: &[f64], exp: &[f64], rng: &mut impl Rng) -> (f64, f64, f64, f64) {
    let diffs: Vec<f64> = base.iter().zip(exp).map(|(b, e)| e - b).collect();
    let d = mean(&diffs);
    let n = diffs.len();
    let boots: Vec<f64> = (0..2000).map(|_| (0..n).map(|_| diffs[rng.random_range(0..n)]).sum::<f64>() / n as f64).collect();
    let (lo, hi) = interval(&boots, 0.9);
    let pooled = ((std_dev(base).powi(2) + std_dev(exp).powi(2)) / 2.0).sqrt();
    let effect = if pooled > 0.0 { d / pooled } else { f64::NAN };
    (d, lo, hi, effect)
}

pub fn run(args: CompareArgs) -> Result<ExitCode, CliError> {
    let base = scenario_source::load(Some(&args.baseline), &[])?;
    let mut experiments = Vec::new();
    for e in &args.experiments {
        let s = scenario_source::load(Some(e), &[])?;
        if s.meta.model != base.meta.model {
            return Err(CliError::Message(format!(
                "{e} uses model \"{}\" but the baseline {} uses \"{}\"\n  help: compare scenarios of the same model",
                s.meta.model, args.baseline, base.meta.model
            )));
        }
        experiments.push(s);
    }
    if args.runs < 2 {
        return Err(CliError::Message("--runs must be at least 2 to give an interval".into()));
    }
    let dir = match &args.out {
        Some(p) => Some(ResultDir::create(p, args.force)?),
        None => None,
    };
    let first = base.int("run.seed") as u64;
    let seeds: Vec<u64> = (0..u64::from(args.runs)).map(|i| first + i).collect();
    let pool = thread_pool(args.threads)?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(seeds.len() as u64 * (1 + experiments.len() as u64));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    let base_runs = pool.install(|| run_ensemble(&base, &seeds, &bar))?;
    let mut results = Vec::new();
    for e in &experiments {
        results.push(pool.install(|| run_ensemble(e, &seeds, &bar))?);
    }
    bar.finish_and_clear();

    let mut rng = Streams::new(0).stream("compare.bootstrap", 0, 0);
    outln!(
        "Baseline: {} ({}); {} runs each on common seeds {}..={}; {:.1} s\n",
        base.meta.name,
        args.baseline,
        seeds.len(),
        seeds[0],
        seeds[seeds.len() - 1],
        started.elapsed().as_secs_f64()
    );
    let mut table_rows: Vec<(String, Row)> = Vec::new();
    for (e, ens) in experiments.iter().zip(&results) {
        outln!("## {} ({})", e.meta.name, e.file);
        if !e.meta.description.is_empty() {
            outln!("{}", e.meta.description);
        }
        let changed = e.changes();
        if changed.is_empty() {
            outln!("Changes from the model's baseline: none");
        } else {
            outln!("Changes from the model's baseline:");
            for p in changed {
                outln!(
                    "  {} = {} ({}; set at {}); baseline {} ({})",
                    p.spec.key,
                    p.value,
                    crate::provenance::cite_line(&p.cite),
                    p.origin.describe(&e.file),
                    p.spec.baseline_text(),
                    crate::provenance::cite_line(&p.spec.cite)
                );
            }
        }
        outln!("\n{:<34} {:>11} {:>11} {:>11}  {:>23}  {:>7}", "outcome", "baseline", "experiment", "difference", "90 % interval", "d");
        for (k, name) in ens.names.iter().enumerate() {
            let b: Vec<f64> = base_runs.runs.iter().map(|r| r[k]).collect();
            let x: Vec<f64> = ens.runs.iter().map(|r| r[k]).collect();
            if b.iter().chain(&x).any(|v| v.is_nan()) {
                continue;
            }
            let (diff, lo, hi, effect) = compare(&b, &x, &mut rng);
            let clear = if lo > 0.0 || hi < 0.0 { "*" } else { " " };
            outln!(
                "{:<34} {:>11.3} {:>11.3} {:>+11.3}  [{:>+10.3}, {:>+10.3}]{clear} {:>7.2}",
                name,
                mean(&b),
                mean(&x),
                diff,
                lo,
                hi,
                effect
            );
            table_rows.push((e.meta.name.clone(), Row { outcome: name.clone(), base: mean(&b), exp: mean(&x), diff, lo, hi, effect }));
        }
        outln!();
    }
    outln!("* the 90 % interval of the mean difference excludes zero; d = difference / pooled standard deviation (Cohen's d)");

    if let Some(dir) = dir {
        let col = |f: &dyn Fn(&Row) -> f64| ColumnData::F64(table_rows.iter().map(|(_, r)| f(r)).collect());
        let mut t = Table::new();
        t.push("experiment", ColumnData::Str(table_rows.iter().map(|(e, _)| e.clone()).collect()));
        t.push("outcome", ColumnData::Str(table_rows.iter().map(|(_, r)| r.outcome.clone()).collect()));
        t.push("baseline_mean", col(&|r| r.base));
        t.push("experiment_mean", col(&|r| r.exp));
        t.push("difference", col(&|r| r.diff));
        t.push("p05", col(&|r| r.lo));
        t.push("p95", col(&|r| r.hi));
        t.push("cohens_d", col(&|r| r.effect));
        dir.write_file("compare.csv", |w| write_csv(&t, w))?;
        let json = serde_json::json!({
            "baseline": args.baseline,
            "experiments": args.experiments,
            "seeds": seeds,
            "baseline_changes": crate::provenance::changes_json(&base),
            "changes": experiments.iter().map(|e| (e.meta.name.clone(), crate::provenance::changes_json(e))).collect::<serde_json::Map<_, _>>(),
            "rows": table_rows.iter().map(|(e, r)| serde_json::json!({
                "experiment": e, "outcome": r.outcome, "baseline_mean": finite(r.base), "experiment_mean": finite(r.exp),
                "difference": finite(r.diff), "p05": finite(r.lo), "p95": finite(r.hi), "cohens_d": finite(r.effect),
            })).collect::<Vec<_>>(),
        });
        dir.write_file("compare.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &json)?;
            w.write_all(b"\n")
        })?;
        let p = dir.commit()?;
        outln!("written: {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn finite(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::json!(x)
    } else {
        serde_json::Value::Null
    }
}
