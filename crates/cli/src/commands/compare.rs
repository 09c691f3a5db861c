//! `perelom compare`: counterfactual ensembles against a baseline, on common seeds.

use crate::cli::CompareArgs;
use crate::commands::{ensemble_seeds, existing, out_error, set_scale, thread_pool, warn};
use crate::error::CliError;
use crate::posterior::Posterior;
use perelom_engine::{ColumnData, Streams, Table};
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::Scenario;
use std::io::Write;
use std::process::ExitCode;

/// Outcomes of each run of an ensemble: one row per seed, one column per outcome.
struct Ensemble {
    names: Vec<String>,
    runs: Vec<Vec<f64>>,
}

fn run_ensemble(s: &Scenario, seeds: &[u64], posterior: Option<&Posterior>, bar: &indicatif::ProgressBar) -> Result<Ensemble, CliError> {
    let first = seeds.first().copied().unwrap_or(0);
    let prepare = |i: usize, s: &mut Scenario| -> Result<(), CliError> {
        if let Some(p) = posterior {
            // The same draw for run i of every scenario: paired over draws and seeds.
            p.apply(s, p.draw(first, i as u64))?;
        }
        Ok(())
    };
    let runs = perelom_models::run_seeds(s, seeds, "--runs", &prepare, &|sim, _| sim.outcomes(), &|| bar.inc(1))?;
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
    /// Share of paired runs in which the experiment's value is above the baseline's.
    p_up: f64,
}

/// The parameters that fix a run's horizon: runs compared outcome by outcome (totals over
/// the run, values at its end) must share them.
const HORIZON: &[&str] = &["run.start", "run.steps"];

/// The horizon of `s` in words: `run.start = 1928-01-02, run.steps = 104`.
fn horizon(s: &Scenario) -> String {
    HORIZON.iter().filter_map(|k| s.get(k).map(|p| format!("{k} = {}", p.value))).collect::<Vec<_>>().join(", ")
}

pub fn run(args: CompareArgs) -> Result<ExitCode, CliError> {
    let mut base = perelom_experiments::source::load(Some(&args.baseline), &[])?;
    if let Some(scale) = args.scale.scale {
        set_scale(&mut base, scale)?;
    }
    let mut experiments = Vec::new();
    for e in &args.experiments {
        let mut s = perelom_experiments::source::load(Some(e), &[])?;
        if let Some(scale) = args.scale.scale {
            set_scale(&mut s, scale)?;
        }
        if s.meta.model != base.meta.model {
            return Err(CliError::Message(format!(
                "{e} uses model \"{}\" but the baseline {} uses \"{}\"\n  help: compare scenarios of the same model",
                s.meta.model, args.baseline, base.meta.model
            )));
        }
        // Strike totals of 30 weeks set against 104 weeks would be read as an effect.
        if horizon(&s) != horizon(&base) {
            return Err(CliError::Message(format!(
                "{e} runs over another horizon ({}) than the baseline {} ({}); its totals and end values cannot be compared with the baseline's\n  help: give the experiment the baseline's run.start and run.steps (or leave them out of its file)",
                horizon(&s),
                args.baseline,
                horizon(&base)
            )));
        }
        experiments.push(s);
    }
    let seeds = ensemble_seeds(&base, args.runs, "--runs")?;
    perelom_models::check(&base)?;
    let mut warnings = warn(&base);
    let mut warned = vec![base.file.as_str()];
    for e in &experiments {
        perelom_models::check(e)?;
        if !warned.contains(&e.file.as_str()) {
            warnings.extend(warn(e));
            warned.push(&e.file);
        }
    }
    let dir = match &args.out {
        Some(p) => Some(ResultDir::create(p, "comparison", existing(args.force)).map_err(out_error)?),
        None => None,
    };
    let pool = thread_pool(args.threads.threads)?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(seeds.len() as u64 * (1 + experiments.len() as u64));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    let posterior = match &args.posterior {
        Some(path) => Some(Posterior::read(path, &base)?),
        None => None,
    };
    let base_runs = pool.install(|| run_ensemble(&base, &seeds, posterior.as_ref(), &bar))?;
    let mut results = Vec::new();
    for e in &experiments {
        results.push(pool.install(|| run_ensemble(e, &seeds, posterior.as_ref(), &bar))?);
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
    if let Some(p) = &posterior {
        outln!(
            "Over the posterior: run i of every scenario draws the same calibrated parameters ({}) from {}.\n",
            p.keys.join(", "),
            p.source
        );
    }
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
                    perelom_models::provenance::cite_line(&p.cite),
                    p.origin.describe(&e.file),
                    p.spec.baseline_text(),
                    perelom_models::provenance::cite_line(&p.spec.cite)
                );
            }
        }
        // The outcome column as wide as the longest outcome name.
        let nw = ens.names.iter().map(|n| n.chars().count()).max().unwrap_or(34).max(34);
        outln!(
            "\n{:<nw$} {:>11} {:>11} {:>11}  {:>23}  {:>7} {:>6}",
            "outcome",
            "baseline",
            "experiment",
            "difference",
            "90 % interval",
            "d",
            "P(up)"
        );
        for (k, name) in ens.names.iter().enumerate() {
            let b: Vec<f64> = base_runs.runs.iter().map(|r| r[k]).collect();
            let x: Vec<f64> = ens.runs.iter().map(|r| r[k]).collect();
            if b.iter().chain(&x).any(|v| v.is_nan()) {
                // Named for a date the runs do not reach: not read from another week.
                outln!("{name:<nw$} {:>11} {:>11} {:>11}  not measurable: the runs do not reach its date", "-", "-", "-");
                let nan = f64::NAN;
                let row = Row { outcome: name.clone(), base: nan, exp: nan, diff: nan, lo: nan, hi: nan, effect: nan, p_up: nan };
                table_rows.push((e.meta.name.clone(), row));
                continue;
            }
            let p = perelom_analysis::paired(&b, &x, &mut rng)?;
            let (diff, lo, hi, effect, p_up) = (p.diff, p.lo, p.hi, p.cohens_d, p.p_up);
            let clear = if p.clear() { "*" } else { " " };
            outln!(
                "{:<nw$} {:>11.3} {:>11.3} {:>+11.3}  [{:>+10.3}, {:>+10.3}]{clear} {:>7.2} {:>5.0}%",
                name,
                p.base_mean,
                p.exp_mean,
                diff,
                lo,
                hi,
                effect,
                100.0 * p_up
            );
            table_rows
                .push((e.meta.name.clone(), Row { outcome: name.clone(), base: p.base_mean, exp: p.exp_mean, diff, lo, hi, effect, p_up }));
        }
        outln!();
    }
    outln!("* the 90 % interval of the mean difference excludes zero; d = difference / pooled standard deviation (Cohen's d);");
    outln!("P(up) = share of paired runs (same seed, same posterior draw) in which the experiment's value is higher");

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
        t.push("p_up", col(&|r| r.p_up));
        dir.write_file("compare.csv", |w| write_csv(&t, w))?;
        let json = serde_json::json!({
            "baseline": args.baseline,
            "experiments": args.experiments,
            "horizon": horizon(&base),
            "warnings": warnings,
            "seeds": seeds,
            "baseline_changes": perelom_models::provenance::changes_json(&base),
            "changes": experiments.iter().map(|e| (e.meta.name.clone(), perelom_models::provenance::changes_json(e))).collect::<serde_json::Map<_, _>>(),
            "rows": table_rows.iter().map(|(e, r)| serde_json::json!({
                "experiment": e, "outcome": r.outcome, "baseline_mean": finite(r.base), "experiment_mean": finite(r.exp),
                "difference": finite(r.diff), "p05": finite(r.lo), "p95": finite(r.hi), "cohens_d": finite(r.effect),
                "p_up": finite(r.p_up), "measurable": !r.base.is_nan(),
            })).collect::<Vec<_>>(),
        });
        dir.write_file("compare.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &json)?;
            w.write_all(b"\n")
        })?;
        let p = dir.commit().map_err(out_error)?;
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
