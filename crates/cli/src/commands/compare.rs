//! `perelom compare`: counterfactual ensembles against a baseline, on common seeds.

use crate::cli::CompareArgs;
use crate::commands::{ensemble_seeds, existing, out_error, set_scale, thread_pool, warn};
use crate::error::CliError;
use crate::posterior::Posterior;
use perelom_analysis::{compare_ensembles, comparison_table, Outcomes};
use perelom_engine::Streams;
use perelom_experiments::compare::{branch_step, check_branch, check_comparable, horizon, run_branched_seed};
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::Scenario;
use std::io::Write;
use std::process::ExitCode;

fn run_ensemble(
    s: &Scenario,
    seeds: &[u64],
    posterior: Option<&Posterior>,
    bar: &indicatif::ProgressBar,
    pool: &rayon::ThreadPool,
) -> Result<Outcomes, CliError> {
    let first = seeds.first().copied().unwrap_or(0);
    let prepare = |i: usize, s: &mut Scenario| -> Result<(), CliError> {
        if let Some(p) = posterior {
            // The same draw for run i of every scenario: paired over draws and seeds.
            p.apply(s, p.draw(first, i as u64))?;
        }
        Ok(())
    };
    #[cfg(feature = "mpi")]
    if crate::commands::ranks::ranks().is_some() {
        // One seed at a time on the worker ranks; the outcomes come back by name and bits.
        let one = |i: usize| -> Result<Vec<(String, f64)>, CliError> {
            let r = pool.install(|| {
                perelom_models::run_seeds(s, &seeds[i..=i], "--runs", &|_, s| prepare(i, s), &|sim, _| sim.outcomes(), &|| {})
            })?;
            r.into_iter().next().ok_or_else(|| CliError::Message("a run gave no result".into()))
        };
        let runs = crate::commands::ranks::ensemble(seeds, one, encode_outcomes, decode_outcomes, || bar.inc(1))?.unwrap_or_default();
        let names = runs.first().map(|r| r.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
        return Ok(Outcomes { names, runs: runs.into_iter().map(|r| r.into_iter().map(|(_, v)| v).collect()).collect() });
    }
    pool.install(|| perelom_experiments::compare::run_outcomes(s, seeds, "--runs", &prepare, &|| bar.inc(1)))
}

/// Named outcomes as bytes between MPI ranks: names and the values' exact bits.
#[cfg(feature = "mpi")]
#[allow(clippy::ptr_arg)] // the ensemble's encoder takes a reference to its result type
fn encode_outcomes(o: &Vec<(String, f64)>) -> Vec<u8> {
    serde_json::to_vec(&o.iter().map(|(n, v)| (n, v.to_bits())).collect::<Vec<_>>()).unwrap_or_default()
}

#[cfg(feature = "mpi")]
fn decode_outcomes(b: &[u8]) -> Result<Vec<(String, f64)>, CliError> {
    let v: Vec<(String, u64)> = serde_json::from_slice(b).map_err(|e| CliError::Message(format!("a worker's result: {e}")))?;
    Ok(v.into_iter().map(|(n, x)| (n, f64::from_bits(x))).collect())
}

/// Ensembles with branches: for each seed the baseline runs once, its state is kept at
/// every experiment's `branch_at`, and each such experiment continues from that state
/// with its own parameters (an experiment without `branch_at` runs from the start): the
/// per-seed work is `perelom_experiments::compare::run_branched_seed`, which the web
/// explorer's comparisons share; this spreads the seeds over threads or MPI ranks.
fn run_branched(
    base: &Scenario,
    experiments: &[Scenario],
    seeds: &[u64],
    posterior: Option<&Posterior>,
    bar: &indicatif::ProgressBar,
    pool: &rayon::ThreadPool,
) -> Result<(Outcomes, Vec<Outcomes>), CliError> {
    let steps: Vec<Option<u32>> = experiments.iter().map(branch_step).collect::<Result<_, _>>()?;
    for (e, at) in experiments.iter().zip(&steps) {
        check_branch(base, e, *at)?;
    }
    let first = seeds.first().copied().unwrap_or(0);
    // All outcomes of seed i: the baseline's, then each experiment's.
    let one = |i: usize| -> Result<Vec<Vec<(String, f64)>>, CliError> {
        let seeded = |s: &Scenario| -> Result<Scenario, CliError> {
            let mut s = s.clone();
            if let Some(p) = posterior {
                p.apply(&mut s, p.draw(first, i as u64))?;
            }
            Ok(s.with_seed(seeds[i], "--runs")?)
        };
        run_branched_seed(base, experiments, &steps, &seeded, &|sim, _| sim.outcomes(), &|| bar.inc(1))
    };
    #[cfg(feature = "mpi")]
    let spread = crate::commands::ranks::ranks().is_some();
    #[cfg(not(feature = "mpi"))]
    let spread = false;
    let per_seed: Vec<Vec<Vec<(String, f64)>>> = if spread {
        #[cfg(feature = "mpi")]
        {
            type Outcomes = Vec<Vec<(String, f64)>>;
            let encode = |o: &Outcomes| {
                let bits: Vec<Vec<(&String, u64)>> = o.iter().map(|r| r.iter().map(|(n, v)| (n, v.to_bits())).collect()).collect();
                serde_json::to_vec(&bits).unwrap_or_default()
            };
            let decode = |b: &[u8]| -> Result<Outcomes, CliError> {
                let v: Vec<Vec<(String, u64)>> =
                    serde_json::from_slice(b).map_err(|e| CliError::Message(format!("a worker's result: {e}")))?;
                Ok(v.into_iter().map(|r| r.into_iter().map(|(n, x)| (n, f64::from_bits(x))).collect()).collect())
            };
            crate::commands::ranks::ensemble(seeds, |i| pool.install(|| one(i)), encode, decode, || {})?.unwrap_or_default()
        }
        #[cfg(not(feature = "mpi"))]
        unreachable!("no ranks without the mpi feature")
    } else {
        use rayon::prelude::*;
        pool.install(|| (0..seeds.len()).into_par_iter().map(one).collect::<Result<Vec<_>, _>>())?
    };
    let ensemble = |k: usize| -> Outcomes {
        let runs: Vec<Vec<(String, f64)>> = per_seed.iter().map(|r| r.get(k).cloned().unwrap_or_default()).collect();
        let names = runs.first().map(|r| r.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
        Outcomes { names, runs: runs.into_iter().map(|r| r.into_iter().map(|(_, v)| v).collect()).collect() }
    };
    Ok((ensemble(0), (1..=experiments.len()).map(ensemble).collect()))
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
    // Every scenario must fit, one seed per thread (a branched seed holds two runs).
    perelom_experiments::memory::check_comparison(
        &base,
        &experiments,
        crate::commands::concurrent_runs(args.threads.threads, seeds.len()),
        "fewer --threads",
    )
    .map_err(CliError::Message)?;
    let worker = crate::commands::is_worker();
    let mut warnings = if worker { Vec::new() } else { warn(&base) };
    let mut warned = vec![base.file.as_str()];
    for e in &experiments {
        perelom_models::check(e)?;
        if !warned.contains(&e.file.as_str()) {
            if !worker {
                warnings.extend(warn(e));
            }
            warned.push(&e.file);
        }
    }
    let dir = match &args.out {
        Some(p) if !worker => Some(ResultDir::create(p, "comparison", existing(args.force)).map_err(out_error)?),
        _ => None,
    };
    let pool = thread_pool(args.threads.threads)?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(seeds.len() as u64 * (1 + experiments.len() as u64));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    if worker || args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let posterior = match &args.posterior {
        Some(path) => Some(Posterior::read(path, &base)?),
        None => None,
    };
    let branched = experiments.iter().any(|e| e.meta.branch_at.is_some());
    let (base_runs, results) = if branched {
        run_branched(&base, &experiments, &seeds, posterior.as_ref(), &bar, &pool)?
    } else {
        let base_runs = run_ensemble(&base, &seeds, posterior.as_ref(), &bar, &pool)?;
        let mut results = Vec::new();
        for e in &experiments {
            results.push(run_ensemble(e, &seeds, posterior.as_ref(), &bar, &pool)?);
        }
        (base_runs, results)
    };
    bar.finish_and_clear();
    if worker {
        // An MPI worker rank: its runs went to rank 0, which reports.
        return Ok(ExitCode::SUCCESS);
    }

    let mut rng = Streams::new(0).stream("compare.bootstrap", 0, 0);
    let named: Vec<(String, Outcomes)> = experiments.iter().zip(results).map(|(e, r)| (e.meta.name.clone(), r)).collect();
    let rows = compare_ensembles(&base_runs, &named, &mut rng)?;
    outln!(
        "Baseline: {} ({}); {} runs each on common seeds {} to {}; {:.1} s\n",
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
        if let Some(d) = e.meta.branch_at {
            outln!("Branched from the baseline's own run on {d}: the same past, its changes from that date on.");
        }
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
            "branch_at": experiments.iter().map(|e| (e.meta.name.clone(), serde_json::json!(e.meta.branch_at.map(|d| d.to_string())))).collect::<serde_json::Map<_, _>>(),
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
