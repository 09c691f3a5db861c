//! `perelom calibrate`: approximate Bayesian computation of assumed parameters against
//! the model's historical targets (T1–T15 for the 1928–1929 model).
//!
//! Each simulation runs the scenario with a parameter set drawn by the ABC algorithm and
//! measures the targets; its summary is how far each target's statistic falls outside
//! its accepted range (zero when hit), and the observed summary is all zeros. So the
//! distance is the total miss, and the posterior is the parameter region in which the
//! model reproduces the record (ABC with a discrepancy; Beaumont 2010).

use crate::cli::CalibrateArgs;
use crate::commands::{existing, out_error, set_scale, targets_of, thread_pool, warn};
use crate::error::CliError;
use perelom_analysis::{Factor, SmcOptions};
use perelom_engine::{ColumnData, Table};
use perelom_output::{write_csv, ResultDir};
use perelom_scenario::{Kind, Scenario, Value};
use std::io::Write;
use std::process::ExitCode;

fn parse_param(s: &str, base: &Scenario) -> Result<(String, f64, f64), CliError> {
    let bad = || CliError::Message(format!("--param {s}: expected KEY=LOW:HIGH, e.g. --param protest.strike=0.3:0.5"));
    let (key, range) = s.split_once('=').ok_or_else(bad)?;
    let (lo, hi) = range.split_once(':').ok_or_else(bad)?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().map_err(|_| bad())?, hi.trim().parse().map_err(|_| bad())?);
    check_param(key.trim(), lo, hi, base)?;
    Ok((key.trim().to_string(), lo, hi))
}

fn check_param(key: &str, lo: f64, hi: f64, base: &Scenario) -> Result<(), CliError> {
    let Some(p) = base.get(key) else {
        let mut probe = base.clone();
        let help = probe.set(&format!("{key}=0")).err().and_then(|e| e.help).unwrap_or_default();
        return Err(CliError::Message(format!("--param: unknown parameter `{key}`\n  help: {help}")));
    };
    let Kind::Float { min, max } = p.spec.kind else {
        return Err(CliError::Message(format!(
            "--param {key}: only real-valued parameters can be calibrated, `{key}` is {}",
            p.spec.kind.type_name()
        )));
    };
    if !(lo < hi && lo >= min && hi <= max) {
        return Err(CliError::Message(format!(
            "--param {key}={lo}:{hi}: need LOW < HIGH within the valid range\n  help: valid: {}",
            p.spec.kind.describe()
        )));
    }
    Ok(())
}

pub fn run(args: CalibrateArgs) -> Result<ExitCode, CliError> {
    let mut base = perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    let targets = targets_of(&base, "calibrate against")?;
    if let Some(scale) = args.scale.scale {
        set_scale(&mut base, scale)?;
    }
    let (budget, particles) = (args.budget as usize, args.particles as usize);
    let least = if args.method == "smc" { 2 } else { 1 };
    if particles < least || particles > budget {
        return Err(CliError::Message(format!(
            "--particles {particles} with --budget {budget}: {} needs from {least} to --budget particles\n  help: raise --budget or lower --particles",
            args.method
        )));
    }
    perelom_models::check(&base)?;
    let warnings = warn(&base);
    // The discrepancy sums every target's miss: each must be measurable in the run.
    let clock = perelom_models::model_of(&base)?.clock(&base);
    let missing: Vec<&str> = (targets.list)().iter().zip((targets.measurable)(&clock)).filter(|(_, ok)| !ok).map(|(t, _)| t.id).collect();
    if !missing.is_empty() {
        return Err(CliError::Message(format!(
            "the run ({} to {}) does not cover the dates of {}, so they cannot be measured and the calibration has nothing to match\n  help: {}",
            clock.start().map_or("?".into(), |d| d.to_string()),
            clock.last_day().map_or("?".into(), |d| d.to_string()),
            missing.join(", "),
            targets.coverage
        )));
    }
    let params: Vec<(String, f64, f64)> = if args.params.is_empty() {
        targets.calibrated.iter().map(|&(k, lo, hi)| (k.to_string(), lo, hi)).collect()
    } else {
        args.params.iter().map(|s| parse_param(s, &base)).collect::<Result<_, _>>()?
    };
    for (i, (k, lo, hi)) in params.iter().enumerate() {
        check_param(k, *lo, *hi, &base)?;
        if params[..i].iter().any(|(other, _, _)| other == k) {
            return Err(CliError::Message(format!("--param {k} is given twice\n  help: give each parameter one prior, KEY=LOW:HIGH")));
        }
    }
    let prior: Vec<Factor> = params.iter().map(|(k, lo, hi)| Factor::new(k.as_str(), *lo, *hi)).collect::<Result<_, _>>()?;
    let dir = ResultDir::create(&args.out, "calibration", existing(args.force)).map_err(out_error)?;
    let defs = (targets.list)();
    let observed = vec![0.0; defs.len()];
    let scale = vec![1.0; defs.len()];
    let simulate = |theta: &[f64], seed: u64| -> Vec<f64> {
        let mut s = base.clone();
        let ok = params.iter().zip(theta).all(|((k, _, _), v)| s.set_value(k, Value::Float(*v), "calibration sample").is_ok());
        let s = s.with_seed(seed % (i64::MAX as u64), "calibration sample");
        let Some(mut sim) = ok.then(|| s.ok().and_then(|s| perelom_models::build(&s).ok().map(|sim| (sim, s)))).flatten() else {
            return vec![f64::NAN; defs.len()];
        };
        let (sim, s) = (&mut sim.0, &sim.1);
        sim.run_to_end();
        let stats = (targets.measure)(&sim.metrics(), sim.clock(), s);
        // How far each statistic lies outside its target range; an undefined one misses by 1.
        stats
            .iter()
            .zip(&defs)
            .map(|(x, t)| match x {
                Some(x) if !x.is_nan() => (t.lo - x).max(x - t.hi).clamp(0.0, 10.0),
                _ => 1.0,
            })
            .collect()
    };
    let pool = thread_pool(args.threads.threads)?;
    let started = std::time::Instant::now();
    let posterior = pool.install(|| match args.method.as_str() {
        "rejection" => {
            perelom_analysis::rejection(&prior, simulate, &observed, &scale, budget, perelom_analysis::Accept::Count(particles), args.seed)
        }
        _ => perelom_analysis::smc(
            &prior,
            simulate,
            &observed,
            &scale,
            &SmcOptions { particles, max_simulations: budget, ..SmcOptions::default() },
            args.seed,
        ),
    });
    let posterior = posterior.map_err(|e| CliError::Message(format!("calibration failed: {e}")))?;
    let wall = started.elapsed().as_secs_f64();
    let mean = posterior.mean();
    let sd = posterior.sd();
    let best = posterior.distances.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
    outln!(
        "{} ({}): {} simulations in {:.1} s, final tolerance {:.4} (total miss over the targets), stop: {:?}\n",
        args.method,
        base.meta.name,
        posterior.simulations,
        wall,
        posterior.tolerance,
        posterior.stop
    );
    outln!("{:<30} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}", "parameter", "prior lo", "prior hi", "mean", "sd", "5 %", "95 %");
    for (i, (k, lo, hi)) in params.iter().enumerate() {
        outln!(
            "{:<30} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4}",
            k,
            lo,
            hi,
            mean[i],
            sd[i],
            posterior.quantile(i, 0.05).unwrap_or(f64::NAN),
            posterior.quantile(i, 0.95).unwrap_or(f64::NAN)
        );
    }
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let date = chrono::Local::now().format("%Y-%m-%d").to_string();
    let mut t = Table::new();
    for (i, (k, _, _)) in params.iter().enumerate() {
        t.push(k.clone(), ColumnData::F64(posterior.samples.iter().map(|s| s[i]).collect()));
    }
    t.push("weight", ColumnData::F64(posterior.weights.clone()));
    t.push("distance", ColumnData::F64(posterior.distances.clone()));
    dir.write_file("posterior.csv", |w| write_csv(&t, w))?;
    let json = serde_json::json!({
        "command": command, "date": date, "perelom_version": env!("CARGO_PKG_VERSION"),
        "git_commit": option_env!("PERELOM_GIT_COMMIT").filter(|c| !c.is_empty()),
        "scenario": base.meta.name, "method": args.method, "budget": args.budget, "particles": args.particles, "seed": args.seed,
        "warnings": warnings,
        "simulations": posterior.simulations, "tolerances": posterior.tolerances, "stop": format!("{:?}", posterior.stop), "wall_seconds": wall,
        "parameters": params.iter().enumerate().map(|(i, (k, lo, hi))| serde_json::json!({
            "key": k, "prior": [lo, hi], "mean": mean[i], "sd": sd[i],
            "p05": posterior.quantile(i, 0.05), "p50": posterior.quantile(i, 0.5), "p95": posterior.quantile(i, 0.95),
            "best": posterior.samples.get(best).map(|s| s[i]),
        })).collect::<Vec<_>>(),
    });
    dir.write_file("calibration.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &json)?;
        w.write_all(b"\n")
    })?;
    // The scenario with the posterior means, set through the same mechanism as any other
    // change: each carries its own citation (how it was calibrated) and its origin.
    let mut calibrated = base.clone();
    calibrated.meta.name = format!("{} (calibrated)", base.meta.name);
    calibrated.meta.description = "The scenario with its calibrated parameters set to their posterior means".to_string();
    for (i, (k, _, _)) in params.iter().enumerate() {
        let why = format!(
            "calibrated against the targets: perelom calibrate --method {} ({date}, perelom {}); posterior mean, sd {:.4}",
            args.method,
            env!("CARGO_PKG_VERSION"),
            sd[i]
        );
        let value = perelom_scenario::Value::Float((mean[i] * 1e6).round() / 1e6);
        calibrated.assign(
            k,
            value,
            Some(perelom_scenario::Cite::Assumed(why)),
            perelom_scenario::Origin::by("perelom calibrate (posterior mean)"),
        )?;
    }
    let toml = format!(
        "# Calibrated by `{}` on {date} (perelom {}): ABC ({}), {} simulations.\n# Posterior means; see calibration.json and posterior.csv beside this file.\n{}",
        command.replace(['\n', '\r'], " "),
        env!("CARGO_PKG_VERSION"),
        args.method,
        posterior.simulations,
        calibrated.to_toml()
    );
    dir.write_file("calibrated.toml", |w| w.write_all(toml.as_bytes()))?;
    let p = dir.commit().map_err(out_error)?;
    outln!("\nwritten: {} (posterior.csv, calibration.json, calibrated.toml)", p.display());
    Ok(ExitCode::SUCCESS)
}
