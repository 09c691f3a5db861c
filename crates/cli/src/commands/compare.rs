//! `perelom compare`: counterfactual ensembles against a baseline, on common seeds.

use crate::cli::CompareArgs;
use crate::commands::{ensemble_seeds, existing, out_error, set_scale, thread_pool, warn};
use crate::error::CliError;
use crate::posterior::Posterior;
use perelom_analysis::{compare_ensembles, comparison_table, Outcomes};
use perelom_engine::Streams;
use perelom_experiments::compare::{check_comparable, horizon};
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::Scenario;
use std::io::Write;
use std::process::ExitCode;

fn run_ensemble(s: &Scenario, seeds: &[u64], posterior: Option<&Posterior>, bar: &indicatif::ProgressBar) -> Result<Outcomes, CliError> {
    let first = seeds.first().copied().unwrap_or(0);
    let prepare = |i: usize, s: &mut Scenario| -> Result<(), CliError> {
        if let Some(p) = posterior {
            // The same draw for run i of every scenario: paired over draws and seeds.
            p.apply(s, p.draw(first, i as u64))?;
        }
        Ok(())
    };
    perelom_experiments::compare::run_outcomes(s, seeds, "--runs", &prepare, &|| bar.inc(1))
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
        check_comparable(&base, &args.baseline, &s, e)?;
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
    let named: Vec<(String, Outcomes)> = experiments.iter().zip(results).map(|(e, r)| (e.meta.name.clone(), r)).collect();
    let rows = compare_ensembles(&base_runs, &named, &mut rng)?;
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
    let mut at = 0;
    for (e, (_, ens)) in experiments.iter().zip(&named) {
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
        // This experiment's rows: one per outcome, in order.
        let these = &rows[at..at + ens.names.len()];
        at += ens.names.len();
        for r in these {
            let name = &r.outcome;
            let Some(p) = &r.paired else {
                // Named for a date the runs do not reach: not read from another week.
                outln!("{name:<nw$} {:>11} {:>11} {:>11}  not measurable: the runs do not reach its date", "-", "-", "-");
                continue;
            };
            let clear = if p.clear() { "*" } else { " " };
            outln!(
                "{:<nw$} {:>11.3} {:>11.3} {:>+11.3}  [{:>+10.3}, {:>+10.3}]{clear} {:>7.2} {:>5.0}%",
                name,
                p.base_mean,
                p.exp_mean,
                p.diff,
                p.lo,
                p.hi,
                p.cohens_d,
                100.0 * p.p_up
            );
        }
        outln!();
    }
    outln!("* the 90 % interval of the mean difference excludes zero; d = difference / pooled standard deviation (Cohen's d);");
    outln!("P(up) = share of paired runs (same seed, same posterior draw) in which the experiment's value is higher");

    if let Some(dir) = dir {
        let t = comparison_table(&rows);
        dir.write_file("compare.csv", |w| write_csv(&t, w))?;
        let json = serde_json::json!({
            "baseline": args.baseline,
            "experiments": args.experiments,
            "horizon": horizon(&base),
            "warnings": warnings,
            "seeds": seeds,
            "baseline_changes": perelom_models::provenance::changes_json(&base),
            "changes": experiments.iter().map(|e| (e.meta.name.clone(), perelom_models::provenance::changes_json(e))).collect::<serde_json::Map<_, _>>(),
            "rows": rows.iter().map(|r| {
                let v = |f: &dyn Fn(&perelom_analysis::Paired) -> f64| finite(r.paired.as_ref().map_or(f64::NAN, f));
                serde_json::json!({
                    "experiment": r.experiment, "outcome": r.outcome, "baseline_mean": v(&|p| p.base_mean),
                    "experiment_mean": v(&|p| p.exp_mean), "difference": v(&|p| p.diff), "p05": v(&|p| p.lo), "p95": v(&|p| p.hi),
                    "cohens_d": v(&|p| p.cohens_d), "p_up": v(&|p| p.p_up), "measurable": r.paired.as_ref().is_some_and(|p| !p.base_mean.is_nan()),
                })
            }).collect::<Vec<_>>(),
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
