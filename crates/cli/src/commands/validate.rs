use crate::cli::ValidateArgs;
use crate::commands::{ensemble_seeds, existing, out_error, thread_pool, warn};
use crate::error::CliError;
use perelom_engine::stats::{interval, mean};
use perelom_engine::{ColumnData, Table};
use perelom_models::{ModelInfo, Regime, TargetScore, Targets, Validation};
use perelom_output::{write_csv, ResultDir};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn validate(args: ValidateArgs) -> Result<ExitCode, CliError> {
    let mut scenario = perelom_experiments::source::load(args.scenario.scenario.as_deref(), &args.scenario.sets)?;
    let info = perelom_models::model_of(&scenario)?;
    let targets = match &info.validation {
        Validation::Targets(t) => t,
        Validation::Regime(regime) => {
            if args.posterior.is_some() {
                return Err(CliError::Message(format!(
                    "--posterior: model \"{}\" has no calibration to draw from\n  help: --posterior applies to models with historical targets{}",
                    scenario.meta.model,
                    with_targets_example()
                )));
            }
            return regime_runs(&args, scenario, info, regime);
        }
        Validation::None => {
            return Err(CliError::Message(format!(
                "scenario {} uses model \"{}\", which has no historical targets\n  help: validate a scenario of a model with targets{}",
                scenario.file,
                scenario.meta.model,
                with_targets_example()
            )))
        }
    };
    if let Some(scale) = args.scale.scale {
        crate::commands::set_scale(&mut scenario, scale)?;
    }
    let seeds = ensemble_seeds(&scenario, args.runs, "--runs")?;
    perelom_models::check(&scenario)?;
    crate::commands::check_memory(&scenario, crate::commands::concurrent_runs(args.threads.threads, seeds.len()))?;
    let worker = crate::commands::is_worker();
    let warnings = if worker { Vec::new() } else { warn(&scenario) };
    // Which targets the run can measure is known from its calendar, before any run.
    let clock = info.clock(&scenario);
    let reach = (targets.measurable)(&clock);
    let window = match (clock.start(), clock.last_day()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no weeks".to_string(),
    };
    if !reach.contains(&true) {
        return Err(CliError::Message(format!(
            "the run ({window}) does not reach the dates of any target, so none can be measured\n  help: {}",
            targets.coverage
        )));
    }
    let unmeasurable: Vec<&str> = (targets.list)().iter().zip(&reach).filter(|(_, ok)| !**ok).map(|(t, _)| t.id).collect();
    if !unmeasurable.is_empty() && !worker {
        eprintln!(
            "warning: the run ({window}) does not cover the dates of {}: they are not measurable, neither hit nor missed",
            unmeasurable.join(", ")
        );
    }
    let dir = match &args.out {
        Some(p) if !worker => Some(ResultDir::create(p, "validation", existing(args.force)).map_err(out_error)?),
        _ => None,
    };
    let pool = thread_pool(args.threads.threads)?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(seeds.len() as u64);
    if worker || args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    let posterior = match &args.posterior {
        Some(path) => Some(crate::posterior::Posterior::read(path, &scenario)?),
        None => None,
    };
    let base_seed = seeds[0];
    let prepare = |i: usize, s: &mut perelom_scenario::Scenario| -> Result<(), CliError> {
        if let Some(p) = &posterior {
            p.apply(s, p.draw(base_seed, i as u64))?;
        }
        Ok(())
    };
    let results = ensemble_targets(&scenario, targets, &seeds, &pool, Some(&bar), &prepare);
    bar.finish_and_clear();
    if worker {
        // An MPI worker rank: its runs went to rank 0, which reports.
        results?;
        return Ok(ExitCode::SUCCESS);
    }
    let (results, weekly): (Vec<Vec<Option<f64>>>, Vec<Table>) = results?.into_iter().unzip();
    let rows = targets.score(&results);
    let hits = rows.iter().filter(|r| r.hit).count();
    let not_measurable = rows.iter().filter(|r| !r.measurable).count();
    if let Some(p) = &posterior {
        outln!("Posterior predictive: each run draws its calibrated parameters ({}) from {}.", p.keys.join(", "), p.source);
    }
    outln!(
        "{}: {} (seeds {} to {}), {:.1} s\n",
        scenario.meta.name,
        crate::commands::count(seeds.len() as u64, "run", "runs"),
        seeds[0],
        seeds[seeds.len() - 1],
        started.elapsed().as_secs_f64()
    );
    let shown = |r: &TargetScore| if r.measurable { r.result().replace("missed", "MISSED") } else { r.result().to_string() };
    let rw = rows.iter().map(|r| shown(r).len()).max().unwrap_or(6).max(6);
    outln!("{:<4}  {:>9}  {:>20}  {:<rw$}  {:>8}  target", "id", "mean", "90 % interval", "result", "runs hit");
    for r in &rows {
        let shown = shown(r);
        if !r.measurable {
            outln!("{:<4}  {:>9}  {:>20}  {shown:<rw$}  {:>8}  {} ({})", r.id, "-", "-", "-", r.text, r.facts);
            continue;
        }
        let note = if r.valid_runs < seeds.len() { format!(" [{} of {} runs defined]", r.valid_runs, seeds.len()) } else { String::new() };
        let rate = 100.0 * r.runs_hit as f64 / seeds.len() as f64;
        outln!("{:<4}  {:>9.3}  [{:>8.3}, {:>8.3}]  {shown:<rw$}  {rate:>7.0}%  {} ({}){note}", r.id, r.mean, r.lo, r.hi, r.text, r.facts);
    }
    let measured = rows.len() - not_measurable;
    if not_measurable > 0 {
        outln!("\n{hits} of {measured} measurable targets hit; {not_measurable} not measurable in a run from {window}");
    } else {
        outln!("\n{hits} of {} targets hit", rows.len());
    }
    if let Some(dir) = dir {
        let t = Targets::table(&rows);
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
            "model": scenario.meta.model,
            "runs": seeds.len(),
            "seeds": seeds,
            "window": window,
            "hits": hits,
            "not_measurable": not_measurable,
            "warnings": warnings,
            "changes": perelom_models::provenance::changes_json(&scenario),
            "targets": rows.iter().map(|r| serde_json::json!({
                "id": r.id, "description": r.text, "facts": r.facts,
                "mean": finite(r.mean), "p05": finite(r.lo), "p95": finite(r.hi),
                "measurable": r.measurable, "hit": r.hit, "result": r.result(),
                "single_run_hit_rate": r.single_run_hit_rate(),
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

/// One run's target readings (`None`: not measurable) and its weekly metrics.
pub(crate) type Measured = (Vec<Option<f64>>, Table);

/// Runs the scenario once per seed (in `pool`) and measures the model's targets on each
/// run: per seed, the target readings (`None`: not measurable) and the weekly metrics.
/// `prepare` may change run i's scenario first (a posterior draw); seeds are consecutive.
pub(crate) fn ensemble_targets(
    scenario: &perelom_scenario::Scenario,
    targets: &Targets,
    seeds: &[u64],
    pool: &rayon::ThreadPool,
    bar: Option<&indicatif::ProgressBar>,
    prepare: &(dyn Fn(usize, &mut perelom_scenario::Scenario) -> Result<(), CliError> + Sync),
) -> Result<Vec<Measured>, CliError> {
    let measure = |sim: &dyn perelom_models::Simulation, s: &perelom_scenario::Scenario| -> Measured {
        let metrics = sim.metrics();
        ((targets.measure)(&metrics, sim.clock(), s), metrics)
    };
    let done = || {
        if let Some(b) = bar {
            b.inc(1);
        }
    };
    #[cfg(feature = "mpi")]
    if crate::commands::ranks::ranks().is_some() {
        // One seed at a time on each worker rank, results back in seed order on rank 0;
        // a worker's empty list tells the caller to stop quietly.
        let one = |i: usize| -> Result<Measured, CliError> {
            let r =
                pool.install(|| perelom_models::run_seeds(scenario, &seeds[i..=i], "--runs", &|_, s| prepare(i, s), &measure, &|| {}))?;
            r.into_iter().next().ok_or_else(|| CliError::Message("a run gave no result".into()))
        };
        return Ok(crate::commands::ranks::ensemble(seeds, one, wire::encode, wire::decode, done)?.unwrap_or_default());
    }
    pool.install(|| perelom_models::run_seeds(scenario, seeds, "--runs", prepare, &measure, &done))
}

/// One run's target readings and weekly table as bytes, to send between MPI ranks:
/// numbers as their exact bits, so rank 0 gets what the worker computed, bit for bit.
#[cfg(feature = "mpi")]
mod wire {
    use super::Measured;
    use crate::error::CliError;
    use perelom_engine::{ColumnData, Table};

    fn put(out: &mut Vec<u8>, x: u64) {
        out.extend(x.to_le_bytes());
    }

    fn text(out: &mut Vec<u8>, s: &str) {
        put(out, s.len() as u64);
        out.extend(s.as_bytes());
    }

    pub fn encode(m: &Measured) -> Vec<u8> {
        let mut out = Vec::new();
        put(&mut out, m.0.len() as u64);
        for x in &m.0 {
            put(&mut out, u64::from(x.is_some()));
            put(&mut out, x.unwrap_or(0.0).to_bits());
        }
        put(&mut out, m.1.columns.len() as u64);
        for c in &m.1.columns {
            text(&mut out, &c.name);
            match &c.data {
                ColumnData::I64(v) => {
                    put(&mut out, 0);
                    put(&mut out, v.len() as u64);
                    v.iter().for_each(|x| put(&mut out, *x as u64));
                }
                ColumnData::F64(v) => {
                    put(&mut out, 1);
                    put(&mut out, v.len() as u64);
                    v.iter().for_each(|x| put(&mut out, x.to_bits()));
                }
                ColumnData::Str(v) => {
                    put(&mut out, 2);
                    put(&mut out, v.len() as u64);
                    v.iter().for_each(|x| text(&mut out, x));
                }
                ColumnData::Date(v) => {
                    put(&mut out, 3);
                    put(&mut out, v.len() as u64);
                    v.iter().for_each(|x| text(&mut out, &x.to_string()));
                }
            }
        }
        out
    }

    struct Reader<'a>(&'a [u8]);

    impl Reader<'_> {
        fn u64(&mut self) -> Result<u64, CliError> {
            let (head, rest) = self.0.split_at_checked(8).ok_or_else(|| CliError::Message("a worker's result is truncated".into()))?;
            self.0 = rest;
            Ok(u64::from_le_bytes(head.try_into().unwrap_or([0; 8])))
        }

        fn text(&mut self) -> Result<String, CliError> {
            let n = self.u64()? as usize;
            let (head, rest) = self.0.split_at_checked(n).ok_or_else(|| CliError::Message("a worker's result is truncated".into()))?;
            self.0 = rest;
            String::from_utf8(head.to_vec()).map_err(|_| CliError::Message("a worker's result is not UTF-8".into()))
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Measured, CliError> {
        let mut r = Reader(bytes);
        let n = r.u64()? as usize;
        let mut readings = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let some = r.u64()? == 1;
            let x = f64::from_bits(r.u64()?);
            readings.push(some.then_some(x));
        }
        let mut t = Table::new();
        for _ in 0..r.u64()? {
            let name = r.text()?;
            let kind = r.u64()?;
            let len = r.u64()? as usize;
            let data = match kind {
                0 => ColumnData::I64((0..len).map(|_| r.u64().map(|x| x as i64)).collect::<Result<_, _>>()?),
                1 => ColumnData::F64((0..len).map(|_| r.u64().map(f64::from_bits)).collect::<Result<_, _>>()?),
                2 => ColumnData::Str((0..len).map(|_| r.text()).collect::<Result<_, _>>()?),
                _ => ColumnData::Date(
                    (0..len)
                        .map(|_| r.text().and_then(|d| d.parse().map_err(|_| CliError::Message(format!("bad date {d} from a worker")))))
                        .collect::<Result<_, _>>()?,
                ),
            };
            t.push(name, data);
        }
        Ok((readings, t))
    }
}

/// A model without historical targets may still make claims about its regime
/// (Epstein's outbursts). Runs an ensemble and reports, per run, the regime's statistics
/// and how many runs have its event, so that every claim a scenario makes is measured.
fn regime_runs(
    args: &ValidateArgs,
    mut scenario: perelom_scenario::Scenario,
    info: &ModelInfo,
    regime: &Regime,
) -> Result<ExitCode, CliError> {
    if args.scale.scale.is_some() && info.scale_key.is_none() {
        return Err(crate::commands::no_scale(&scenario));
    }
    if args.runs == 0 {
        return Err(CliError::Message("--runs must be at least 1".into()));
    }
    if args.strict {
        return Err(CliError::Message(format!("--strict: model \"{}\" has no targets to miss", scenario.meta.model)));
    }
    if let Some(scale) = args.scale.scale {
        crate::commands::set_scale(&mut scenario, scale)?;
    }
    let seeds = ensemble_seeds(&scenario, args.runs, "--runs")?;
    crate::commands::check_memory(&scenario, crate::commands::concurrent_runs(args.threads.threads, seeds.len()))?;
    let dir = match &args.out {
        Some(p) => Some(ResultDir::create(p, "validation", existing(args.force)).map_err(out_error)?),
        None => None,
    };
    let pool = thread_pool(args.threads.threads)?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(seeds.len() as u64);
    if args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} runs, eta {eta}").map_err(|e| e.to_string())?,
    );
    let results: Result<Vec<Vec<f64>>, CliError> = pool.install(|| {
        perelom_models::run_seeds(&scenario, &seeds, "ensemble seed", &|_, _| Ok(()), &|sim, s| (regime.measure)(sim, s), &|| bar.inc(1))
    });
    bar.finish_and_clear();
    let results = results?;
    let with = results.iter().filter(|r| r[0] > 0.0).count();
    let n = results.len();
    let (lo, hi) = perelom_engine::stats::wilson(with, n);
    let event = (regime.describe)(&scenario);
    outln!(
        "{}: {} (seeds {} to {}), {:.1} s\n",
        scenario.meta.name,
        crate::commands::count(n as u64, "run", "runs"),
        seeds[0],
        seeds[n - 1],
        started.elapsed().as_secs_f64()
    );
    outln!(
        "runs with {event}  {with} of {n} ({:.1} %), 95 % interval [{:.1} %, {:.1} %]",
        100.0 * with as f64 / n as f64,
        100.0 * lo,
        100.0 * hi
    );
    let col = |k: usize| results.iter().map(|r| r[k]).collect::<Vec<f64>>();
    for (k, stat) in regime.stats.iter().enumerate() {
        // A statistic undefined in some runs (the first event of a run without one) is
        // summarized over the runs where it is defined.
        let xs: Vec<f64> = col(k).into_iter().filter(|x| !x.is_nan()).collect();
        if xs.is_empty() {
            continue;
        }
        let (a, b) = interval(&xs, 0.9);
        let of = if xs.len() < n { "90 % of those runs" } else { "90 % of runs" };
        outln!("{:<40}  mean {:>8.2}, {of} in [{a:.1}, {b:.1}]", stat.label, mean(&xs));
    }
    if let Some(dir) = dir {
        let mut t = Table::new();
        t.push("seed", ColumnData::I64(seeds.iter().map(|&s| s as i64).collect()));
        for (k, stat) in regime.stats.iter().enumerate() {
            t.push(stat.name, ColumnData::F64(col(k)));
        }
        dir.write_file("runs.csv", |w| write_csv(&t, w))?;
        let mut json = serde_json::json!({
            "scenario": scenario.meta.name, "runs": n, "seeds": seeds,
            "event": regime.event,
            format!("runs_with_{}", regime.event): with, format!("share_with_{}", regime.event): with as f64 / n as f64,
            "share_95_interval": [lo, hi],
            "changes": perelom_models::provenance::changes_json(&scenario),
        });
        for (k, v) in (regime.definition)(&scenario) {
            json[k] = serde_json::json!(v);
        }
        dir.write_file(&format!("{}s.json", regime.event), |w| {
            serde_json::to_writer_pretty(&mut *w, &json)?;
            w.write_all(b"\n")
        })?;
        let p: PathBuf = dir.commit()?;
        outln!("written: {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// ", e.g. `perelom validate NAME`" for the first built-in model with targets.
fn with_targets_example() -> String {
    perelom_models::models()
        .iter()
        .find(|m| m.targets().is_some())
        .map(|m| format!(", e.g. `perelom validate {}`", m.example))
        .unwrap_or_default()
}
